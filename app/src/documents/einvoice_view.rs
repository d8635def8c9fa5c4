//! What the readable page of an e-invoice shows, written on the server for
//! the reader's language (amounts, dates, units): the browser formats
//! nothing, and the page needs no WASM.

use serde::{Deserialize, Serialize};

/// One e-invoice, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EInvoiceView {
    pub document_id: i64,
    /// The document's type and number: "Rechnung 471102".
    pub title: String,
    /// "EN 16931", "XRECHNUNG".
    pub profile: String,
    pub invoice_number: String,
    pub issue_date: String,
    pub due_date: Option<String>,
    /// The buyer reference (BT-10); for a public buyer the Leitweg-ID.
    pub buyer_reference: Option<String>,
    pub iban: Option<String>,
    /// "EUR".
    pub currency: String,
    pub seller: Option<PartyView>,
    pub buyer: Option<PartyView>,
    pub lines: Vec<LineView>,
    /// Lines the invoice has beyond those read (it has very many).
    pub lines_not_shown: usize,
    pub totals: TotalsView,
    /// The document's own file is a PDF (the invoice XML inside it): it can be viewed too.
    pub has_pdf: bool,
}

/// A seller or buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyView {
    pub name: Option<String>,
    /// Street; postcode and city; country.
    pub address: Vec<String>,
    pub vat_id: Option<String>,
}

/// One invoice line; every value as written for the reader, empty where the invoice names none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub position: String,
    pub name: String,
    /// "20 Stk.", "10 Std.", "3 KGM".
    pub quantity: String,
    pub net_price: String,
    /// "19 %".
    pub tax_rate: String,
    pub line_total: String,
}

/// The invoice's totals, as money in its currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalsView {
    pub net: Option<String>,
    pub tax: Option<String>,
    pub gross: Option<String>,
    pub due: Option<String>,
}
