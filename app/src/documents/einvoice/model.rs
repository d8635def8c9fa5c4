//! What is read from an e-invoice: the header fields the portal shows and
//! stores, not the full EN 16931 data model.

use super::amount::Amount;
use super::date::IsoDate;
use super::profile::Profile;

/// The XML syntax the invoice is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// UN/CEFACT Cross Industry Invoice (ZUGFeRD 2.x, Factur-X, XRechnung-CII).
    Cii,
    /// OASIS UBL 2.1 `Invoice`.
    UblInvoice,
    /// OASIS UBL 2.1 `CreditNote`.
    UblCreditNote,
}

impl Syntax {
    /// Stable lowercase identifier for storage.
    pub fn key(&self) -> &'static str {
        match self {
            Syntax::Cii => "cii",
            Syntax::UblInvoice => "ubl_invoice",
            Syntax::UblCreditNote => "ubl_credit_note",
        }
    }
}

/// A seller or buyer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    pub name: Option<String>,
    /// First address line (CII `LineOne`, UBL `StreetName`).
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 code as written ("DE").
    pub country: Option<String>,
    /// VAT identification number (CII scheme "VA", UBL tax scheme "VAT").
    pub vat_id: Option<String>,
}

impl Party {
    fn is_empty(&self) -> bool {
        *self == Party::default()
    }

    /// `None` when the document named nothing at all for this party, so
    /// callers need not tell an empty party from an absent one.
    pub(crate) fn non_empty(self) -> Option<Party> {
        (!self.is_empty()).then_some(self)
    }
}

/// Document-level totals. All in the invoice currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Sum of line net amounts (BT-106).
    pub line_total: Option<Amount>,
    /// Total without VAT (BT-109).
    pub tax_basis: Option<Amount>,
    /// Total VAT in the invoice currency (BT-110).
    pub tax_total: Option<Amount>,
    /// Total with VAT (BT-112).
    pub grand_total: Option<Amount>,
    /// Amount due for payment (BT-115).
    pub due_payable: Option<Amount>,
}

/// One invoice line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    pub id: Option<String>,
    pub name: Option<String>,
    pub quantity: Option<Amount>,
    /// UN/ECE Rec 20 unit code as written ("H87", "C62", "HUR").
    pub unit_code: Option<String>,
    /// Net price per unit (BT-146).
    pub net_price: Option<Amount>,
    /// VAT rate in percent (BT-152).
    pub tax_rate: Option<Amount>,
    /// Line net amount (BT-131).
    pub line_total: Option<Amount>,
}

/// The recognised invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EInvoice {
    pub syntax: Syntax,
    /// `None` when the document names no guideline / customization at all.
    pub profile: Option<Profile>,
    pub number: String,
    /// UNTDID 1001 document type ("380" invoice, "381" credit note, …).
    pub type_code: Option<String>,
    pub issue_date: IsoDate,
    pub due_date: Option<IsoDate>,
    /// ISO 4217 code as written ("EUR").
    pub currency: String,
    pub totals: Totals,
    pub seller: Option<Party>,
    pub buyer: Option<Party>,
    /// Buyer reference (BT-10); for German public buyers the Leitweg-ID.
    pub buyer_reference: Option<String>,
    /// The payee's account (BT-84), usually an IBAN, as written.
    pub iban: Option<String>,
    /// The first [`MAX_LINES`](super::xml::MAX_LINES) lines of the invoice.
    pub lines: Vec<Line>,
    /// How many lines the document has; larger than `lines.len()` when the
    /// rest were dropped to bound memory.
    pub line_count: usize,
}
