//! Reads the invoice XML (UN/CEFACT CII or OASIS UBL) into an [`EInvoice`].
//!
//! A single streaming pass: every element's (namespace, local name) is kept
//! on a stack, and an element whose path from the root is one of the known
//! field paths has its text captured. Nothing else is kept, so memory stays
//! bounded by the limits below whatever the input is.
//!
//! Hostile input is expected (uploads and e-mail attachments):
//! - no DTDs at all, so no entity expansion, no external entities;
//! - only the five predefined entities and character references;
//! - size, depth, event, line and text-length limits;
//! - UTF-8 only (what ZUGFeRD / Factur-X / XRechnung prescribe).
//!
//! Field policy: repeated single-valued fields keep their first occurrence,
//! but every occurrence of a recognised field must be valid (an amount "1e3"
//! anywhere is an error). An element that is present but empty counts as
//! absent.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};

use super::amount::Amount;
use super::date::IsoDate;
use super::error::EInvoiceError;
use super::model::{EInvoice, Line, Party, Syntax, Totals};
use super::profile::Profile;

/// Largest XML document read, in bytes.
pub const MAX_XML_BYTES: usize = 8 << 20;
/// Deepest element nesting accepted; real invoices stay below 15.
pub const MAX_DEPTH: usize = 40;
/// Most parser events (tags, texts, references, …) processed.
pub const MAX_EVENTS: u32 = 1_000_000;
/// Most invoice lines kept; further lines are counted but dropped.
pub const MAX_LINES: usize = 1_000;
/// Longest text kept for one field. Longer free text (names, street, city)
/// is cut at a character boundary; longer codes, IDs and numbers are an
/// error, since a cut one would be silently wrong.
pub const MAX_TEXT_BYTES: usize = 1024;
/// Most `TaxTotalAmount` / `TaxAmount` elements considered (CII allows two).
const MAX_TAX_TOTALS: usize = 16;

const NS_RSM: &[u8] = b"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
const NS_RAM: &[u8] =
    b"urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
const NS_UDT: &[u8] = b"urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";
const NS_QDT: &[u8] = b"urn:un:unece:uncefact:data:standard:QualifiedDataType:100";
const NS_UBL_INVOICE: &[u8] = b"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const NS_UBL_CREDIT_NOTE: &[u8] = b"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
const NS_CAC: &[u8] = b"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const NS_CBC: &[u8] = b"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

/// The namespaces that matter; everything else is `Other` and never matches
/// a field path, whatever prefix the document binds it to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Rsm,
    Ram,
    Udt,
    Qdt,
    UblInvoice,
    UblCreditNote,
    Cac,
    Cbc,
    Other,
}

fn ns_of(resolved: &ResolveResult<'_>) -> Ns {
    let ResolveResult::Bound(ns) = resolved else {
        return Ns::Other;
    };
    match ns.as_ref() {
        NS_RSM => Ns::Rsm,
        NS_RAM => Ns::Ram,
        NS_UDT => Ns::Udt,
        NS_QDT => Ns::Qdt,
        NS_UBL_INVOICE => Ns::UblInvoice,
        NS_UBL_CREDIT_NOTE => Ns::UblCreditNote,
        NS_CAC => Ns::Cac,
        NS_CBC => Ns::Cbc,
        _ => Ns::Other,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Seller,
    Buyer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartyField {
    /// CII `ram:Name`, UBL `PartyLegalEntity/RegistrationName`.
    Name,
    /// UBL `PartyName/Name`: used only when there is no legal name.
    TradingName,
    Street,
    Postcode,
    City,
    Country,
    /// CII `SpecifiedTaxRegistration/ID`, taken when `@schemeID="VA"`.
    CiiTaxId,
    /// UBL `PartyTaxScheme/CompanyID`, taken when its scheme is "VAT".
    UblCompanyId,
    /// UBL `PartyTaxScheme/TaxScheme/ID`.
    UblTaxScheme,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineField {
    Id,
    Name,
    Quantity,
    NetPrice,
    TaxRate,
    LineTotal,
}

/// A leaf element whose text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Profile,
    Number,
    TypeCode,
    IssueDate,
    /// CII payment terms due date, UBL `cbc:DueDate`.
    DueDate,
    /// UBL `PaymentMeans/PaymentDueDate` (credit notes): fallback due date.
    PaymentDueDate,
    Currency,
    LineTotal,
    TaxBasis,
    TaxTotal,
    GrandTotal,
    DuePayable,
    BuyerReference,
    Iban,
    Party(Role, PartyField),
    Line(LineField),
}

impl Field {
    /// The one attribute this field needs, if any.
    fn attribute(self) -> Option<&'static [u8]> {
        match self {
            Field::IssueDate | Field::DueDate => Some(b"format"),
            Field::TaxTotal => Some(b"currencyID"),
            Field::Party(_, PartyField::CiiTaxId) => Some(b"schemeID"),
            Field::Line(LineField::Quantity) => Some(b"unitCode"),
            _ => None,
        }
    }

    /// Prose whose truncation loses nothing that matters for recognition.
    fn is_free_text(self) -> bool {
        matches!(
            self,
            Field::Party(
                _,
                PartyField::Name | PartyField::TradingName | PartyField::Street | PartyField::City
            ) | Field::Line(LineField::Name)
        )
    }
}

/// What an element's path means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Field(Field),
    /// Start of an invoice line.
    Line,
    /// UBL `cac:PartyTaxScheme`, which groups a company ID with its scheme.
    TaxScheme(Role),
}

/// One element on the path, below the root.
type Step<'a> = (Ns, &'a str);

fn field(f: Field) -> Option<Target> {
    Some(Target::Field(f))
}

fn classify(syntax: Syntax, path: &[Step<'_>]) -> Option<Target> {
    match syntax {
        Syntax::Cii => classify_cii(path),
        Syntax::UblInvoice | Syntax::UblCreditNote => classify_ubl(syntax, path),
    }
}

fn classify_cii(path: &[Step<'_>]) -> Option<Target> {
    use Ns::{Ram, Rsm, Udt};
    match path {
        [(Rsm, "ExchangedDocumentContext"), (Ram, "GuidelineSpecifiedDocumentContextParameter"), (Ram, "ID")] => {
            field(Field::Profile)
        }
        [(Rsm, "ExchangedDocument"), (Ram, "ID")] => field(Field::Number),
        [(Rsm, "ExchangedDocument"), (Ram, "TypeCode")] => field(Field::TypeCode),
        [(Rsm, "ExchangedDocument"), (Ram, "IssueDateTime"), (Udt, "DateTimeString")] => {
            field(Field::IssueDate)
        }
        [(Rsm, "SupplyChainTradeTransaction"), rest @ ..] => classify_cii_transaction(rest),
        _ => None,
    }
}

fn classify_cii_transaction(path: &[Step<'_>]) -> Option<Target> {
    use Ns::{Ram, Udt};
    match path {
        [(Ram, "IncludedSupplyChainTradeLineItem")] => Some(Target::Line),
        [(Ram, "IncludedSupplyChainTradeLineItem"), rest @ ..] => {
            let line_field = match rest {
                [(Ram, "AssociatedDocumentLineDocument"), (Ram, "LineID")] => LineField::Id,
                [(Ram, "SpecifiedTradeProduct"), (Ram, "Name")] => LineField::Name,
                [(Ram, "SpecifiedLineTradeAgreement"), (Ram, "NetPriceProductTradePrice"), (Ram, "ChargeAmount")] => {
                    LineField::NetPrice
                }
                [(Ram, "SpecifiedLineTradeDelivery"), (Ram, "BilledQuantity")] => {
                    LineField::Quantity
                }
                [(Ram, "SpecifiedLineTradeSettlement"), (Ram, "ApplicableTradeTax"), (Ram, "RateApplicablePercent")] => {
                    LineField::TaxRate
                }
                [(Ram, "SpecifiedLineTradeSettlement"), (Ram, "SpecifiedTradeSettlementLineMonetarySummation"), (Ram, "LineTotalAmount")] => {
                    LineField::LineTotal
                }
                _ => return None,
            };
            field(Field::Line(line_field))
        }
        [(Ram, "ApplicableHeaderTradeAgreement"), rest @ ..] => match rest {
            [(Ram, "BuyerReference")] => field(Field::BuyerReference),
            [(Ram, "SellerTradeParty"), party @ ..] => classify_cii_party(Role::Seller, party),
            [(Ram, "BuyerTradeParty"), party @ ..] => classify_cii_party(Role::Buyer, party),
            _ => None,
        },
        [(Ram, "ApplicableHeaderTradeSettlement"), rest @ ..] => match rest {
            [(Ram, "InvoiceCurrencyCode")] => field(Field::Currency),
            [(Ram, "SpecifiedTradePaymentTerms"), (Ram, "DueDateDateTime"), (Udt, "DateTimeString")] => {
                field(Field::DueDate)
            }
            [(Ram, "SpecifiedTradeSettlementPaymentMeans"), (Ram, "PayeePartyCreditorFinancialAccount"), (Ram, "IBANID")] => {
                field(Field::Iban)
            }
            [(Ram, "SpecifiedTradeSettlementHeaderMonetarySummation"), (Ram, total)] => {
                match *total {
                    "LineTotalAmount" => field(Field::LineTotal),
                    "TaxBasisTotalAmount" => field(Field::TaxBasis),
                    "TaxTotalAmount" => field(Field::TaxTotal),
                    "GrandTotalAmount" => field(Field::GrandTotal),
                    "DuePayableAmount" => field(Field::DuePayable),
                    _ => None,
                }
            }
            _ => None,
        },
        _ => None,
    }
}

fn classify_cii_party(role: Role, path: &[Step<'_>]) -> Option<Target> {
    use Ns::Ram;
    let party_field = match path {
        [(Ram, "Name")] => PartyField::Name,
        [(Ram, "PostalTradeAddress"), (Ram, "LineOne")] => PartyField::Street,
        [(Ram, "PostalTradeAddress"), (Ram, "PostcodeCode")] => PartyField::Postcode,
        [(Ram, "PostalTradeAddress"), (Ram, "CityName")] => PartyField::City,
        [(Ram, "PostalTradeAddress"), (Ram, "CountryID")] => PartyField::Country,
        [(Ram, "SpecifiedTaxRegistration"), (Ram, "ID")] => PartyField::CiiTaxId,
        _ => return None,
    };
    field(Field::Party(role, party_field))
}

fn classify_ubl(syntax: Syntax, path: &[Step<'_>]) -> Option<Target> {
    use Ns::{Cac, Cbc};
    let (type_code, line, quantity) = if syntax == Syntax::UblCreditNote {
        ("CreditNoteTypeCode", "CreditNoteLine", "CreditedQuantity")
    } else {
        ("InvoiceTypeCode", "InvoiceLine", "InvoicedQuantity")
    };
    match path {
        [(Cbc, "CustomizationID")] => field(Field::Profile),
        [(Cbc, "ID")] => field(Field::Number),
        [(Cbc, name)] if *name == type_code => field(Field::TypeCode),
        [(Cbc, "IssueDate")] => field(Field::IssueDate),
        [(Cbc, "DueDate")] => field(Field::DueDate),
        [(Cbc, "DocumentCurrencyCode")] => field(Field::Currency),
        [(Cbc, "BuyerReference")] => field(Field::BuyerReference),
        [(Cac, "PaymentMeans"), (Cbc, "PaymentDueDate")] => field(Field::PaymentDueDate),
        [(Cac, "PaymentMeans"), (Cac, "PayeeFinancialAccount"), (Cbc, "ID")] => field(Field::Iban),
        [(Cac, "TaxTotal"), (Cbc, "TaxAmount")] => field(Field::TaxTotal),
        [(Cac, "LegalMonetaryTotal"), (Cbc, total)] => match *total {
            "LineExtensionAmount" => field(Field::LineTotal),
            "TaxExclusiveAmount" => field(Field::TaxBasis),
            "TaxInclusiveAmount" => field(Field::GrandTotal),
            "PayableAmount" => field(Field::DuePayable),
            _ => None,
        },
        [(Cac, "AccountingSupplierParty"), (Cac, "Party"), party @ ..] => {
            classify_ubl_party(Role::Seller, party)
        }
        [(Cac, "AccountingCustomerParty"), (Cac, "Party"), party @ ..] => {
            classify_ubl_party(Role::Buyer, party)
        }
        [(Cac, name)] if *name == line => Some(Target::Line),
        [(Cac, name), rest @ ..] if *name == line => {
            let line_field = match rest {
                [(Cbc, "ID")] => LineField::Id,
                [(Cbc, name)] if *name == quantity => LineField::Quantity,
                [(Cbc, "LineExtensionAmount")] => LineField::LineTotal,
                [(Cac, "Item"), (Cbc, "Name")] => LineField::Name,
                [(Cac, "Item"), (Cac, "ClassifiedTaxCategory"), (Cbc, "Percent")] => {
                    LineField::TaxRate
                }
                [(Cac, "Price"), (Cbc, "PriceAmount")] => LineField::NetPrice,
                _ => return None,
            };
            field(Field::Line(line_field))
        }
        _ => None,
    }
}

fn classify_ubl_party(role: Role, path: &[Step<'_>]) -> Option<Target> {
    use Ns::{Cac, Cbc};
    let party_field = match path {
        [(Cac, "PartyLegalEntity"), (Cbc, "RegistrationName")] => PartyField::Name,
        [(Cac, "PartyName"), (Cbc, "Name")] => PartyField::TradingName,
        [(Cac, "PostalAddress"), (Cbc, "StreetName")] => PartyField::Street,
        [(Cac, "PostalAddress"), (Cbc, "PostalZone")] => PartyField::Postcode,
        [(Cac, "PostalAddress"), (Cbc, "CityName")] => PartyField::City,
        [(Cac, "PostalAddress"), (Cac, "Country"), (Cbc, "IdentificationCode")] => {
            PartyField::Country
        }
        [(Cac, "PartyTaxScheme")] => return Some(Target::TaxScheme(role)),
        [(Cac, "PartyTaxScheme"), (Cbc, "CompanyID")] => PartyField::UblCompanyId,
        [(Cac, "PartyTaxScheme"), (Cac, "TaxScheme"), (Cbc, "ID")] => PartyField::UblTaxScheme,
        _ => return None,
    };
    field(Field::Party(role, party_field))
}

/// Text being collected for one field element.
struct Capture {
    field: Field,
    /// Stack depth of the element, so text of (unexpected) child elements
    /// is not mixed in.
    depth: usize,
    text: String,
    overflow: bool,
    attribute: Option<String>,
}

impl Capture {
    fn push(&mut self, piece: &str) {
        if self.overflow {
            return;
        }
        let room = MAX_TEXT_BYTES - self.text.len();
        if piece.len() <= room {
            self.text.push_str(piece);
        } else {
            let mut cut = room;
            while !piece.is_char_boundary(cut) {
                cut -= 1;
            }
            self.text.push_str(&piece[..cut]);
            self.overflow = true;
        }
    }
}

#[derive(Default)]
struct PartyBuilder {
    party: Party,
    trading_name: Option<String>,
    /// Company ID and scheme of the `PartyTaxScheme` being read (UBL).
    tax_scheme: (Option<String>, Option<String>),
}

impl PartyBuilder {
    fn end_tax_scheme(&mut self) {
        let (company_id, scheme) = std::mem::take(&mut self.tax_scheme);
        // "VAT" is the only scheme for VAT IDs; others (e.g. "FC", the German
        // Steuernummer) are not VAT IDs. A missing scheme is schema-invalid,
        // but the number is more likely a VAT ID than not.
        let is_vat = scheme
            .as_deref()
            .is_none_or(|s| s.eq_ignore_ascii_case("VAT"));
        if is_vat {
            if let Some(id) = company_id {
                first(&mut self.party.vat_id, id);
            }
        }
    }

    fn finish(mut self) -> Option<Party> {
        if self.party.name.is_none() {
            self.party.name = self.trading_name;
        }
        self.party.non_empty()
    }
}

/// Collects field values during the pass.
struct Builder {
    syntax: Syntax,
    profile: Option<String>,
    number: Option<String>,
    type_code: Option<String>,
    issue_date: Option<IsoDate>,
    due_date: Option<IsoDate>,
    payment_due_date: Option<IsoDate>,
    currency: Option<String>,
    totals: Totals,
    /// Every tax total with its `@currencyID`: the one in the invoice
    /// currency is chosen at the end, when the currency is known for sure.
    tax_totals: Vec<(Option<String>, Amount)>,
    seller: PartyBuilder,
    buyer: PartyBuilder,
    buyer_reference: Option<String>,
    iban: Option<String>,
    lines: Vec<Line>,
    line_count: usize,
}

/// Sets a single-valued field unless an earlier occurrence already did.
fn first<T>(slot: &mut Option<T>, value: T) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

fn amount(field: &'static str, text: &str) -> Result<Amount, EInvoiceError> {
    Amount::parse(text).map_err(|e| EInvoiceError::invalid(field, &e.to_string(), text))
}

impl Builder {
    fn new(syntax: Syntax) -> Self {
        Builder {
            syntax,
            profile: None,
            number: None,
            type_code: None,
            issue_date: None,
            due_date: None,
            payment_due_date: None,
            currency: None,
            totals: Totals::default(),
            tax_totals: Vec::new(),
            seller: PartyBuilder::default(),
            buyer: PartyBuilder::default(),
            buyer_reference: None,
            iban: None,
            lines: Vec::new(),
            line_count: 0,
        }
    }

    fn party(&mut self, role: Role) -> &mut PartyBuilder {
        match role {
            Role::Seller => &mut self.seller,
            Role::Buyer => &mut self.buyer,
        }
    }

    fn start_line(&mut self) {
        self.line_count += 1;
        if self.lines.len() < MAX_LINES {
            self.lines.push(Line::default());
        }
    }

    /// The line whose fields are being read, `None` past the kept ones.
    fn current_line(&mut self) -> Option<&mut Line> {
        if self.line_count > self.lines.len() {
            None
        } else {
            self.lines.last_mut()
        }
    }

    fn date(
        &self,
        field: &'static str,
        text: &str,
        format: Option<&str>,
    ) -> Result<IsoDate, EInvoiceError> {
        let parsed = match self.syntax {
            // The schema requires @format; "102" is the only format EN 16931
            // allows, so a missing attribute is read as "102" too.
            Syntax::Cii => match format {
                None | Some("102") => IsoDate::parse_cii_102(text),
                Some(other) => {
                    return Err(EInvoiceError::invalid(
                        field,
                        "unsupported date format",
                        other,
                    ))
                }
            },
            Syntax::UblInvoice | Syntax::UblCreditNote => IsoDate::parse_iso(text),
        };
        parsed.ok_or_else(|| EInvoiceError::invalid(field, "not a valid date", text))
    }

    fn apply(&mut self, capture: Capture) -> Result<(), EInvoiceError> {
        let Capture {
            field,
            text,
            overflow,
            attribute,
            ..
        } = capture;
        if overflow && !field.is_free_text() {
            return Err(EInvoiceError::Limit("text length"));
        }
        let text = text.trim_matches(is_xml_space);
        if text.is_empty() {
            return Ok(());
        }
        let owned = || text.to_owned();
        match field {
            Field::Profile => first(&mut self.profile, owned()),
            Field::Number => first(&mut self.number, owned()),
            Field::TypeCode => first(&mut self.type_code, owned()),
            Field::IssueDate => {
                let date = self.date("issue date", text, attribute.as_deref())?;
                first(&mut self.issue_date, date);
            }
            Field::DueDate => {
                let date = self.date("due date", text, attribute.as_deref())?;
                first(&mut self.due_date, date);
            }
            Field::PaymentDueDate => {
                let date = self.date("due date", text, None)?;
                first(&mut self.payment_due_date, date);
            }
            Field::Currency => {
                if !is_currency_code(text) {
                    return Err(EInvoiceError::invalid(
                        "currency",
                        "not a currency code",
                        text,
                    ));
                }
                first(&mut self.currency, owned());
            }
            Field::LineTotal => first(&mut self.totals.line_total, amount("line total", text)?),
            Field::TaxBasis => first(&mut self.totals.tax_basis, amount("tax basis total", text)?),
            Field::GrandTotal => first(&mut self.totals.grand_total, amount("grand total", text)?),
            Field::DuePayable => first(&mut self.totals.due_payable, amount("amount due", text)?),
            Field::TaxTotal => {
                let value = amount("tax total", text)?;
                if self.tax_totals.len() >= MAX_TAX_TOTALS {
                    return Err(EInvoiceError::Limit("tax totals"));
                }
                self.tax_totals.push((attribute, value));
            }
            Field::BuyerReference => first(&mut self.buyer_reference, owned()),
            Field::Iban => first(&mut self.iban, owned()),
            Field::Party(role, party_field) => {
                let builder = self.party(role);
                let party = &mut builder.party;
                match party_field {
                    PartyField::Name => first(&mut party.name, owned()),
                    PartyField::TradingName => first(&mut builder.trading_name, owned()),
                    PartyField::Street => first(&mut party.street, owned()),
                    PartyField::Postcode => first(&mut party.postcode, owned()),
                    PartyField::City => first(&mut party.city, owned()),
                    PartyField::Country => first(&mut party.country, owned()),
                    PartyField::CiiTaxId => {
                        // "FC" is the German Steuernummer, not a VAT ID.
                        if attribute.as_deref().map(str::trim) == Some("VA") {
                            first(&mut party.vat_id, owned());
                        }
                    }
                    PartyField::UblCompanyId => first(&mut builder.tax_scheme.0, owned()),
                    PartyField::UblTaxScheme => first(&mut builder.tax_scheme.1, owned()),
                }
            }
            Field::Line(line_field) => {
                // Parse before looking for the line so that dropped lines
                // are validated like kept ones.
                let value = match line_field {
                    LineField::Quantity => Some(amount("line quantity", text)?),
                    LineField::NetPrice => Some(amount("line net price", text)?),
                    LineField::TaxRate => Some(amount("line tax rate", text)?),
                    LineField::LineTotal => Some(amount("line total", text)?),
                    LineField::Id | LineField::Name => None,
                };
                let Some(line) = self.current_line() else {
                    return Ok(());
                };
                match (line_field, value) {
                    (LineField::Id, _) => first(&mut line.id, owned()),
                    (LineField::Name, _) => first(&mut line.name, owned()),
                    (LineField::Quantity, Some(v)) => {
                        if line.quantity.is_none() {
                            line.quantity = Some(v);
                            line.unit_code = attribute.map(|u| u.trim().to_owned());
                        }
                    }
                    (LineField::NetPrice, Some(v)) => first(&mut line.net_price, v),
                    (LineField::TaxRate, Some(v)) => first(&mut line.tax_rate, v),
                    (LineField::LineTotal, Some(v)) => first(&mut line.line_total, v),
                    (_, None) => {}
                }
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<EInvoice, EInvoiceError> {
        let number = self
            .number
            .ok_or_else(|| EInvoiceError::missing("number"))?;
        let issue_date = self
            .issue_date
            .ok_or_else(|| EInvoiceError::missing("issue date"))?;
        let currency = self
            .currency
            .ok_or_else(|| EInvoiceError::missing("currency"))?;
        // CII may state the tax total twice, in invoice and in accounting
        // currency; UBL may have a second TaxTotal in the tax currency.
        let matching = self
            .tax_totals
            .iter()
            .find(|(cur, _)| cur.as_deref().map(str::trim) == Some(currency.as_str()));
        self.totals.tax_total = match (matching, self.tax_totals.as_slice()) {
            (Some((_, value)), _) => Some(*value),
            (None, [(_, only)]) => Some(*only),
            _ => None,
        };
        Ok(EInvoice {
            syntax: self.syntax,
            profile: self.profile.as_deref().map(Profile::from_id),
            number,
            type_code: self.type_code,
            issue_date,
            due_date: self.due_date.or(self.payment_due_date),
            currency,
            totals: self.totals,
            seller: self.seller.finish(),
            buyer: self.buyer.finish(),
            buyer_reference: self.buyer_reference,
            iban: self.iban,
            lines: self.lines,
            line_count: self.line_count,
        })
    }
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_currency_code(text: &str) -> bool {
    text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase())
}

/// Decides what the root element is.
fn root_syntax(ns: Ns, local: &str) -> Result<Syntax, EInvoiceError> {
    match (ns, local) {
        (Ns::Rsm, "CrossIndustryInvoice") => Ok(Syntax::Cii),
        (Ns::UblInvoice, "Invoice") => Ok(Syntax::UblInvoice),
        (Ns::UblCreditNote, "CreditNote") => Ok(Syntax::UblCreditNote),
        // ZUGFeRD 1.0 (urn:ferd:CrossIndustryDocument:invoice:1p0): retired
        // and not accepted for German B2B e-invoicing since 2025.
        (_, "CrossIndustryDocument") => Err(EInvoiceError::Unsupported("ZUGFeRD 1.0".into())),
        _ => Err(EInvoiceError::NotAnInvoice),
    }
}

/// Strips a UTF-8 byte order mark; refuses UTF-16/32, which no e-invoice
/// standard in scope allows.
fn strip_bom(bytes: &[u8]) -> Result<&[u8], EInvoiceError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Ok(rest);
    }
    if bytes.starts_with(b"\xFE\xFF") || bytes.starts_with(b"\xFF\xFE") {
        return Err(EInvoiceError::Unsupported("UTF-16 encoding".into()));
    }
    Ok(bytes)
}

fn attribute_value(
    element: &BytesStart<'_>,
    wanted: &[u8],
    reader: &NsReader<&[u8]>,
) -> Result<Option<String>, EInvoiceError> {
    for attribute in element.attributes() {
        let attribute = attribute.map_err(EInvoiceError::malformed)?;
        if attribute.key.local_name().as_ref() == wanted {
            let value = attribute
                .decoded_and_normalized_value(XmlVersion::Implicit1_0, reader.decoder())
                .map_err(EInvoiceError::malformed)?;
            if value.len() > MAX_TEXT_BYTES {
                return Err(EInvoiceError::Limit("text length"));
            }
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

/// The streaming pass itself.
struct Parser<'r> {
    reader: NsReader<&'r [u8]>,
    /// Open elements, root first. Names in foreign namespaces are not kept.
    stack: Vec<(Ns, String)>,
    builder: Option<Builder>,
    root_closed: bool,
    capture: Option<Capture>,
}

impl<'r> Parser<'r> {
    fn path(&self) -> Vec<Step<'_>> {
        self.stack
            .iter()
            .skip(1)
            .map(|(ns, local)| (*ns, local.as_str()))
            .collect()
    }

    fn target(&self) -> Option<Target> {
        let builder = self.builder.as_ref()?;
        classify(builder.syntax, &self.path())
    }

    fn start(&mut self, ns: Ns, element: &BytesStart<'_>) -> Result<(), EInvoiceError> {
        if self.root_closed {
            return Err(EInvoiceError::malformed("content after the root element"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(EInvoiceError::Limit("nesting depth"));
        }
        let local = if ns == Ns::Other {
            String::new()
        } else {
            String::from_utf8_lossy(element.local_name().as_ref()).into_owned()
        };
        if self.builder.is_none() {
            let local = String::from_utf8_lossy(element.local_name().as_ref()).into_owned();
            self.builder = Some(Builder::new(root_syntax(ns, &local)?));
        }
        self.stack.push((ns, local));
        match self.target() {
            Some(Target::Line) => {
                if let Some(builder) = self.builder.as_mut() {
                    builder.start_line();
                }
            }
            Some(Target::Field(field)) => {
                let attribute = match field.attribute() {
                    Some(wanted) => attribute_value(element, wanted, &self.reader)?,
                    None => None,
                };
                self.capture = Some(Capture {
                    field,
                    depth: self.stack.len(),
                    text: String::new(),
                    overflow: false,
                    attribute,
                });
            }
            Some(Target::TaxScheme(_)) | None => {}
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), EInvoiceError> {
        let depth = self.stack.len();
        if let Some(capture) = self.capture.take_if(|c| c.depth == depth) {
            if let Some(builder) = self.builder.as_mut() {
                builder.apply(capture)?;
            }
        }
        if let Some(Target::TaxScheme(role)) = self.target() {
            if let Some(builder) = self.builder.as_mut() {
                builder.party(role).end_tax_scheme();
            }
        }
        self.stack.pop();
        if self.stack.is_empty() {
            self.root_closed = true;
        }
        Ok(())
    }

    /// Character data, wherever it came from (text, CDATA, reference).
    fn text(&mut self, piece: &str) -> Result<(), EInvoiceError> {
        if self.stack.is_empty() {
            if piece.chars().all(is_xml_space) {
                return Ok(());
            }
            return Err(EInvoiceError::malformed("text outside the root element"));
        }
        let depth = self.stack.len();
        if let Some(capture) = self.capture.as_mut().filter(|c| c.depth == depth) {
            capture.push(piece);
        }
        Ok(())
    }

    fn run(mut self) -> Result<EInvoice, EInvoiceError> {
        let mut events: u32 = 0;
        loop {
            events += 1;
            if events > MAX_EVENTS {
                return Err(EInvoiceError::Limit("number of XML elements"));
            }
            let (resolved, event) = self
                .reader
                .read_resolved_event()
                .map_err(EInvoiceError::malformed)?;
            let ns = ns_of(&resolved);
            match event {
                Event::Start(element) => self.start(ns, &element)?,
                Event::End(_) => self.end()?,
                // Not produced with `expand_empty_elements`, but harmless.
                Event::Empty(element) => {
                    self.start(ns, &element)?;
                    self.end()?;
                }
                Event::Text(text) => {
                    let text = text.xml10_content().map_err(EInvoiceError::malformed)?;
                    self.text(&text)?;
                }
                Event::CData(data) => {
                    let data = data.xml10_content().map_err(EInvoiceError::malformed)?;
                    self.text(&data)?;
                }
                Event::GeneralRef(reference) => {
                    let mut buffer = [0u8; 4];
                    let resolved: &str = if reference.is_char_ref() {
                        match reference.resolve_char_ref() {
                            Ok(Some(c)) => c.encode_utf8(&mut buffer),
                            _ => {
                                return Err(EInvoiceError::malformed("invalid character reference"))
                            }
                        }
                    } else {
                        let name = reference.decode().map_err(EInvoiceError::malformed)?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| EInvoiceError::malformed("unknown entity"))?
                    };
                    self.text(resolved)?;
                }
                // Any DTD, even an internal subset without entities: there is
                // no legitimate use in an e-invoice, and refusing it outright
                // rules out entity expansion attacks.
                Event::DocType(_) => {
                    return Err(EInvoiceError::Unsupported(
                        "document type declaration".into(),
                    ))
                }
                Event::Decl(declaration) => {
                    if let Some(encoding) = declaration.encoding() {
                        let encoding = encoding.map_err(EInvoiceError::malformed)?;
                        let utf8 = [&b"utf-8"[..], b"utf8", b"us-ascii", b"ascii"]
                            .iter()
                            .any(|e| encoding.eq_ignore_ascii_case(e));
                        if !utf8 {
                            return Err(EInvoiceError::Unsupported(format!(
                                "encoding {}",
                                String::from_utf8_lossy(&encoding)
                                    .chars()
                                    .take(20)
                                    .collect::<String>()
                            )));
                        }
                    }
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => break,
            }
        }
        let builder = self.builder.ok_or(EInvoiceError::NotAnInvoice)?;
        if !self.root_closed {
            return Err(EInvoiceError::malformed("unexpected end of document"));
        }
        builder.finish()
    }
}

/// Reads an e-invoice XML document (CII or UBL Invoice / CreditNote).
///
/// Errors: [`EInvoiceError::TooLarge`] over [`MAX_XML_BYTES`];
/// `NotAnInvoice` for any other root element; `Unsupported` for ZUGFeRD 1.0,
/// UTF-16, DTDs and non-UTF-8 encodings; `Malformed` for XML errors;
/// `Limit` when a limit is hit; `Field` for a missing number, issue date or
/// currency, or an invalid value in any recognised field.
pub fn parse_xml(bytes: &[u8]) -> Result<EInvoice, EInvoiceError> {
    if bytes.len() > MAX_XML_BYTES {
        return Err(EInvoiceError::TooLarge);
    }
    let bytes = strip_bom(bytes)?;
    // Checked once up front, so text in elements that are never decoded
    // cannot smuggle invalid bytes past the reader.
    if std::str::from_utf8(bytes).is_err() {
        return Err(EInvoiceError::malformed("invalid UTF-8"));
    }
    let mut reader = NsReader::from_reader(bytes);
    reader.config_mut().expand_empty_elements = true;
    Parser {
        reader,
        stack: Vec::new(),
        builder: None,
        root_closed: false,
        capture: None,
    }
    .run()
}

#[cfg(test)]
mod tests {
    // `super::super` rather than `crate`, so the tests keep working once
    // these files are a module of a larger crate.
    use super::super::fixtures::*;
    use super::*;

    fn amount(text: &str) -> Option<Amount> {
        Some(Amount::parse(text).unwrap())
    }

    fn date(text: &str) -> Option<IsoDate> {
        Some(IsoDate::parse_iso(text).unwrap())
    }

    fn s(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    /// The fixture with one exact substring replaced (which must occur).
    fn mutate(fixture: &[u8], from: &str, to: &str) -> Vec<u8> {
        let text = std::str::from_utf8(fixture).unwrap();
        assert!(text.contains(from), "fixture lacks {from:?}");
        text.replacen(from, to, 1).into_bytes()
    }

    fn line(
        id: &str,
        name: &str,
        quantity: &str,
        unit: &str,
        price: &str,
        rate: &str,
        total: &str,
    ) -> Line {
        Line {
            id: s(id),
            name: s(name),
            quantity: amount(quantity),
            unit_code: s(unit),
            net_price: amount(price),
            tax_rate: amount(rate),
            line_total: amount(total),
        }
    }

    #[test]
    fn cii_en16931_invoice() {
        let invoice = parse_xml(CII_EN16931).unwrap();
        let expected = EInvoice {
            syntax: Syntax::Cii,
            profile: Some(Profile::En16931),
            number: "471102".into(),
            type_code: s("380"),
            issue_date: date("2024-11-15").unwrap(),
            due_date: date("2024-12-15"),
            currency: "EUR".into(),
            totals: Totals {
                line_total: amount("473.00"),
                tax_basis: amount("473.00"),
                tax_total: amount("56.87"),
                grand_total: amount("529.87"),
                due_payable: amount("529.87"),
            },
            seller: Some(Party {
                name: s("Lieferant GmbH"),
                street: s("Lieferantenstraße 20"),
                postcode: s("80333"),
                city: s("München"),
                country: s("DE"),
                vat_id: s("DE123456789"),
            }),
            buyer: Some(Party {
                name: s("Kunden & Partner AG"),
                street: s("Kundenstraße 15"),
                postcode: s("69876"),
                city: s("Frankfurt"),
                country: s("DE"),
                vat_id: None,
            }),
            buyer_reference: None,
            iban: s("DE02120300000000202051"),
            lines: vec![
                line(
                    "1",
                    "Trennblätter A4",
                    "20.0000",
                    "H87",
                    "9.9000",
                    "19.00",
                    "198.00",
                ),
                line(
                    "2",
                    "Joghurt Banane",
                    "50.0000",
                    "H87",
                    "5.5000",
                    "7.00",
                    "275.00",
                ),
            ],
            line_count: 2,
        };
        assert_eq!(invoice, expected);
        assert_eq!(invoice.totals.grand_total.unwrap().to_string(), "529.87");
        assert_eq!(invoice.totals.grand_total.unwrap().cents(), Some(52987));
    }

    #[test]
    fn facturx_minimum() {
        let invoice = parse_xml(FACTURX_MINIMUM).unwrap();
        let expected = EInvoice {
            syntax: Syntax::Cii,
            profile: Some(Profile::Minimum),
            number: "FX-MIN-1".into(),
            type_code: s("380"),
            issue_date: date("2024-03-01").unwrap(),
            due_date: None,
            currency: "EUR".into(),
            totals: Totals {
                line_total: None,
                tax_basis: amount("100.00"),
                tax_total: amount("19.00"),
                grand_total: amount("119.00"),
                due_payable: amount("119.00"),
            },
            seller: Some(Party {
                name: s("Verkäufer GmbH"),
                country: s("DE"),
                vat_id: s("DE999999999"),
                ..Party::default()
            }),
            buyer: Some(Party {
                name: s("Käufer AG"),
                ..Party::default()
            }),
            buyer_reference: s("PO-77"),
            iban: None,
            lines: vec![],
            line_count: 0,
        };
        assert_eq!(invoice, expected);
    }

    #[test]
    fn cii_xrechnung() {
        let invoice = parse_xml(CII_XRECHNUNG).unwrap();
        let expected = EInvoice {
            syntax: Syntax::Cii,
            profile: Some(Profile::XRechnung),
            number: "XR-2024-17".into(),
            type_code: s("380"),
            issue_date: date("2024-01-15").unwrap(),
            due_date: date("2024-02-14"),
            currency: "EUR".into(),
            totals: Totals {
                line_total: amount("100.00"),
                tax_basis: amount("100.00"),
                // The EUR one, although the SEK one comes first.
                tax_total: amount("19.00"),
                grand_total: amount("119.00"),
                due_payable: amount("119.00"),
            },
            seller: Some(Party {
                name: s("Heizung & Sanitär Schmidt e.K."),
                street: s("Domstraße 5"),
                postcode: s("50667"),
                city: s("Köln"),
                country: s("DE"),
                vat_id: s("DE987654321"),
            }),
            buyer: Some(Party {
                name: s("Stadtverwaltung Musterstadt"),
                street: s("Rathausplatz 1"),
                postcode: s("12345"),
                city: s("Musterstadt"),
                country: s("DE"),
                vat_id: None,
            }),
            buyer_reference: s("04011000-12345-34"),
            // The first of two payment means.
            iban: s("DE75512108001245126199"),
            lines: vec![line(
                "10",
                "Wartung Heizungsanlage",
                "1",
                "HUR",
                "100.00",
                "19",
                "100.00",
            )],
            line_count: 1,
        };
        assert_eq!(invoice, expected);
    }

    #[test]
    fn ubl_xrechnung_invoice() {
        let invoice = parse_xml(UBL_XRECHNUNG_INVOICE).unwrap();
        let expected = EInvoice {
            syntax: Syntax::UblInvoice,
            profile: Some(Profile::XRechnung),
            number: "RE-2024-0042".into(),
            type_code: s("380"),
            issue_date: date("2024-06-30").unwrap(),
            due_date: date("2024-07-30"),
            currency: "EUR".into(),
            totals: Totals {
                line_total: amount("200.00"),
                tax_basis: amount("200.00"),
                tax_total: amount("38.00"),
                grand_total: amount("238.00"),
                due_payable: amount("238.00"),
            },
            seller: Some(Party {
                // The legal name wins over the trading name.
                name: s("ACME GmbH"),
                street: s("Hauptstraße 1"),
                postcode: s("10115"),
                city: s("Berlin"),
                country: s("DE"),
                // The VAT scheme's ID, not the "FC" tax number before it.
                vat_id: s("DE111222333"),
            }),
            buyer: Some(Party {
                // No legal name: falls back to the trading name.
                name: s("Stadt Musterstadt"),
                street: s("Markt 3"),
                postcode: s("12345"),
                city: s("Musterstadt"),
                country: s("DE"),
                vat_id: None,
            }),
            buyer_reference: s("991-01234-56"),
            iban: s("DE75512108001245126199"),
            lines: vec![
                line("1", "Beratung", "10", "HUR", "15.00", "19", "150.00"),
                line("2", "Reisekosten", "1", "C62", "50.00", "19", "50.00"),
            ],
            line_count: 2,
        };
        assert_eq!(invoice, expected);
    }

    #[test]
    fn ubl_credit_note() {
        let invoice = parse_xml(UBL_CREDIT_NOTE).unwrap();
        let expected = EInvoice {
            syntax: Syntax::UblCreditNote,
            profile: Some(Profile::En16931),
            number: "GS-7".into(),
            type_code: s("381"),
            issue_date: date("2024-02-29").unwrap(),
            due_date: date("2024-03-15"),
            currency: "EUR".into(),
            totals: Totals {
                line_total: amount("20.00"),
                tax_basis: amount("20.00"),
                tax_total: amount("1.40"),
                grand_total: amount("21.40"),
                due_payable: amount("21.40"),
            },
            seller: Some(Party {
                name: s("Obsthof Nord KG"),
                street: s("Obstweg 2"),
                postcode: s("20095"),
                city: s("Hamburg"),
                country: s("DE"),
                vat_id: s("DE444555666"),
            }),
            buyer: Some(Party {
                name: s("Bioladen Süd"),
                ..Party::default()
            }),
            buyer_reference: None,
            iban: None,
            lines: vec![line(
                "1",
                "Rücksendung Apfelkisten",
                "2",
                "C62",
                "10.00",
                "7",
                "20.00",
            )],
            line_count: 1,
        };
        assert_eq!(invoice, expected);
    }

    #[test]
    fn billion_laughs_is_refused() {
        let xml = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">
  <rsm:ExchangedDocument><ram:ID>&lol4;</ram:ID></rsm:ExchangedDocument>
</rsm:CrossIndustryInvoice>"#;
        assert_eq!(
            parse_xml(xml),
            Err(EInvoiceError::Unsupported(
                "document type declaration".into()
            ))
        );
    }

    #[test]
    fn external_entities_and_bare_dtds_are_refused() {
        let xxe = br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#;
        assert!(matches!(parse_xml(xxe), Err(EInvoiceError::Unsupported(_))));
        let bare = mutate(
            CII_EN16931,
            "<rsm:CrossIndustryInvoice ",
            "<!DOCTYPE rsm:CrossIndustryInvoice>\n<rsm:CrossIndustryInvoice ",
        );
        assert!(matches!(
            parse_xml(&bare),
            Err(EInvoiceError::Unsupported(_))
        ));
        // Without a DTD, a named entity other than the predefined five is
        // simply undefined.
        let undefined = mutate(CII_EN16931, "Lieferant GmbH", "Lieferant &auml; GmbH");
        assert!(matches!(
            parse_xml(&undefined),
            Err(EInvoiceError::Malformed(_))
        ));
    }

    #[test]
    fn character_references_are_decoded() {
        let xml = mutate(
            CII_EN16931,
            "Lieferant GmbH",
            "L&#228;&#xE4;&#x1F600; &lt;GmbH&gt; &apos;&quot;",
        );
        let invoice = parse_xml(&xml).unwrap();
        assert_eq!(invoice.seller.unwrap().name, s("Lää😀 <GmbH> '\""));
        let bad = mutate(CII_EN16931, "Lieferant GmbH", "&#0;");
        assert!(matches!(parse_xml(&bad), Err(EInvoiceError::Malformed(_))));
        let bad = mutate(CII_EN16931, "Lieferant GmbH", "&#xD800;");
        assert!(matches!(parse_xml(&bad), Err(EInvoiceError::Malformed(_))));
    }

    #[test]
    fn references_in_attributes() {
        let xml = mutate(CII_EN16931, r#"unitCode="H87""#, r#"unitCode="H&#56;7""#);
        assert_eq!(parse_xml(&xml).unwrap().lines[0].unit_code, s("H87"));
        let xml = mutate(CII_EN16931, r#"unitCode="H87""#, r#"unitCode="&unit;""#);
        assert!(matches!(parse_xml(&xml), Err(EInvoiceError::Malformed(_))));
    }

    #[test]
    fn deep_nesting_is_limited() {
        let mut xml = String::from(
            r#"<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">"#,
        );
        xml.push_str(&"<a>".repeat(10_000));
        xml.push_str(&"</a>".repeat(10_000));
        xml.push_str("</rsm:CrossIndustryInvoice>");
        assert_eq!(
            parse_xml(xml.as_bytes()),
            Err(EInvoiceError::Limit("nesting depth"))
        );
    }

    #[test]
    fn size_is_limited() {
        let mut xml = CII_EN16931.to_vec();
        xml.extend(std::iter::repeat_n(b' ', 9 << 20));
        assert_eq!(parse_xml(&xml), Err(EInvoiceError::TooLarge));
        // Just under the limit is read.
        let mut xml = CII_EN16931.to_vec();
        xml.resize(MAX_XML_BYTES, b'\n');
        assert!(parse_xml(&xml).is_ok());
    }

    #[test]
    fn event_count_is_limited() {
        let mut xml = String::from(
            r#"<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">"#,
        );
        xml.push_str(&"<a/>".repeat(600_000));
        xml.push_str("</rsm:CrossIndustryInvoice>");
        assert!(xml.len() < MAX_XML_BYTES);
        assert_eq!(
            parse_xml(xml.as_bytes()),
            Err(EInvoiceError::Limit("number of XML elements"))
        );
    }

    #[test]
    fn lines_beyond_the_limit_are_counted_not_kept() {
        let text = std::str::from_utf8(CII_EN16931).unwrap();
        let start = text.find("<ram:IncludedSupplyChainTradeLineItem>").unwrap();
        let end = text.find("<ram:ApplicableHeaderTradeAgreement>").unwrap();
        let two_lines = &text[start..end];
        let many = two_lines.repeat(MAX_LINES / 2 + 3);
        let xml = format!("{}{}{}", &text[..start], many, &text[end..]);
        let invoice = parse_xml(xml.as_bytes()).unwrap();
        assert_eq!(invoice.lines.len(), MAX_LINES);
        assert_eq!(invoice.line_count, MAX_LINES + 6);
        assert_eq!(invoice.lines[MAX_LINES - 1].id, s("2"));
    }

    #[test]
    fn long_texts() {
        let long_name = "Ä".repeat(1000); // 2000 bytes
        let xml = mutate(CII_EN16931, "Lieferant GmbH", &long_name);
        let name = parse_xml(&xml).unwrap().seller.unwrap().name.unwrap();
        assert_eq!(name.len(), MAX_TEXT_BYTES);
        assert!(long_name.starts_with(&name));

        let long_number = "9".repeat(2000);
        let xml = mutate(
            CII_EN16931,
            "<ram:ID>471102",
            &format!("<ram:ID>{long_number}"),
        );
        assert_eq!(parse_xml(&xml), Err(EInvoiceError::Limit("text length")));

        let long_unit = "H".repeat(2000);
        let xml = mutate(
            CII_EN16931,
            r#"unitCode="H87""#,
            &format!(r#"unitCode="{long_unit}""#),
        );
        assert_eq!(parse_xml(&xml), Err(EInvoiceError::Limit("text length")));
    }

    #[test]
    fn roots_that_are_not_invoices() {
        for xml in [
            &b"<html><body/></html>"[..],
            b"<Invoice><ID>1</ID></Invoice>",
            b"<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2\"/>",
            b"<rsm:CrossIndustryInvoice xmlns:rsm=\"urn:example\"/>",
            b"<!-- nothing -->",
            b"",
        ] {
            assert_eq!(parse_xml(xml), Err(EInvoiceError::NotAnInvoice), "{xml:?}");
        }
        let zugferd1 = br#"<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"/>"#;
        assert_eq!(
            parse_xml(zugferd1),
            Err(EInvoiceError::Unsupported("ZUGFeRD 1.0".into()))
        );
    }

    #[test]
    fn required_fields() {
        let no_number = mutate(CII_EN16931, "<ram:ID>471102</ram:ID>", "");
        assert_eq!(parse_xml(&no_number), Err(EInvoiceError::missing("number")));
        let empty_number = mutate(CII_EN16931, "<ram:ID>471102</ram:ID>", "<ram:ID> </ram:ID>");
        assert_eq!(
            parse_xml(&empty_number),
            Err(EInvoiceError::missing("number"))
        );
        let no_date = mutate(
            CII_EN16931,
            r#"<udt:DateTimeString format="102">20241115</udt:DateTimeString>"#,
            "",
        );
        assert_eq!(
            parse_xml(&no_date),
            Err(EInvoiceError::missing("issue date"))
        );
        let no_currency = mutate(
            UBL_CREDIT_NOTE,
            "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>",
            "",
        );
        assert_eq!(
            parse_xml(&no_currency),
            Err(EInvoiceError::missing("currency"))
        );
        // In a foreign namespace the element is not the field.
        let foreign = mutate(
            CII_EN16931,
            "<ram:ID>471102</ram:ID>",
            r#"<x:ID xmlns:x="urn:example">471102</x:ID>"#,
        );
        assert_eq!(parse_xml(&foreign), Err(EInvoiceError::missing("number")));
    }

    fn field_error(xml: &[u8]) -> &'static str {
        match parse_xml(xml) {
            Err(EInvoiceError::Field { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn invalid_dates() {
        let other_format = mutate(
            CII_EN16931,
            r#"format="102">20241115"#,
            r#"format="610">202411"#,
        );
        assert_eq!(field_error(&other_format), "issue date");
        let not_a_day = mutate(CII_EN16931, ">20241115<", ">20240230<");
        assert_eq!(field_error(&not_a_day), "issue date");
        let iso_in_cii = mutate(CII_EN16931, ">20241215<", ">2024-12-15<");
        assert_eq!(field_error(&iso_in_cii), "due date");
        let german = mutate(UBL_XRECHNUNG_INVOICE, "2024-06-30", "30.06.2024");
        assert_eq!(field_error(&german), "issue date");
        let bad_due = mutate(UBL_CREDIT_NOTE, "2024-03-15", "2024-02-30");
        assert_eq!(field_error(&bad_due), "due date");
        // A missing @format is read as 102.
        let no_format = mutate(CII_EN16931, r#" format="102">20241115"#, ">20241115");
        assert_eq!(
            parse_xml(&no_format).unwrap().issue_date.as_str(),
            "2024-11-15"
        );
    }

    #[test]
    fn invalid_amounts() {
        let exponent = mutate(
            CII_EN16931,
            ">529.87</ram:GrandTotalAmount>",
            ">1e3</ram:GrandTotalAmount>",
        );
        assert_eq!(field_error(&exponent), "grand total");
        let comma = mutate(
            UBL_XRECHNUNG_INVOICE,
            ">238.00</cbc:PayableAmount>",
            ">238,00</cbc:PayableAmount>",
        );
        assert_eq!(field_error(&comma), "amount due");
        let line = mutate(CII_EN16931, ">20.0000<", ">20 Stück<");
        assert_eq!(field_error(&line), "line quantity");
        let currency = mutate(
            CII_EN16931,
            ">EUR</ram:InvoiceCurrencyCode>",
            ">€</ram:InvoiceCurrencyCode>",
        );
        assert_eq!(field_error(&currency), "currency");
        // Whitespace around a number is XML formatting, not part of it.
        let padded = mutate(
            CII_EN16931,
            ">529.87</ram:GrandTotalAmount>",
            ">\n  529.87\n</ram:GrandTotalAmount>",
        );
        assert_eq!(
            parse_xml(&padded).unwrap().totals.grand_total,
            amount("529.87")
        );
    }

    #[test]
    fn encodings() {
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(CII_EN16931);
        assert!(parse_xml(&bom).is_ok());
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(b"<\0a\0/\0>\0".iter().copied())
            .collect();
        assert!(matches!(
            parse_xml(&utf16),
            Err(EInvoiceError::Unsupported(_))
        ));
        let latin1 = mutate(
            CII_EN16931,
            r#"encoding="UTF-8""#,
            r#"encoding="ISO-8859-1""#,
        );
        assert!(matches!(
            parse_xml(&latin1),
            Err(EInvoiceError::Unsupported(_))
        ));
        let mut invalid = CII_EN16931.to_vec();
        let at = invalid.len() - 40;
        invalid[at] = 0xFF;
        assert_eq!(
            parse_xml(&invalid),
            Err(EInvoiceError::malformed("invalid UTF-8"))
        );
    }

    #[test]
    fn malformed_structure() {
        let text = std::str::from_utf8(CII_EN16931).unwrap();
        let truncated = &text[..text.len() / 2];
        assert!(matches!(
            parse_xml(truncated.as_bytes()),
            Err(EInvoiceError::Malformed(_))
        ));
        let mismatched = mutate(CII_EN16931, "</ram:TypeCode>", "</ram:TypeCod>");
        assert!(matches!(
            parse_xml(&mismatched),
            Err(EInvoiceError::Malformed(_))
        ));
        let second_root = format!("{text}<x/>");
        assert!(matches!(
            parse_xml(second_root.as_bytes()),
            Err(EInvoiceError::Malformed(_))
        ));
        let trailing_text = format!("{text}garbage");
        assert!(matches!(
            parse_xml(trailing_text.as_bytes()),
            Err(EInvoiceError::Malformed(_))
        ));
        let trailing_space = format!("{text}\n\n  \n");
        assert!(parse_xml(trailing_space.as_bytes()).is_ok());
    }

    #[test]
    fn empty_optional_elements_are_absent() {
        let xml = mutate(
            CII_EN16931,
            r#"<udt:DateTimeString format="102">20241215</udt:DateTimeString>"#,
            r#"<udt:DateTimeString format="102"/>"#,
        );
        assert_eq!(parse_xml(&xml).unwrap().due_date, None);
        let xml = mutate(
            CII_EN16931,
            "<ram:IBANID>DE02120300000000202051</ram:IBANID>",
            "<ram:IBANID></ram:IBANID>",
        );
        assert_eq!(parse_xml(&xml).unwrap().iban, None);
    }

    #[test]
    fn tax_total_selection() {
        // A single tax total is taken whatever its currency attribute says.
        let xml = mutate(
            FACTURX_MINIMUM,
            r#"currencyID="EUR">19.00"#,
            r#"currencyID="USD">19.00"#,
        );
        assert_eq!(parse_xml(&xml).unwrap().totals.tax_total, amount("19.00"));
        // Two, neither in the invoice currency: ambiguous, so none.
        let xml = mutate(
            CII_XRECHNUNG,
            r#"currencyID="EUR">19.00"#,
            r#"currencyID="USD">19.00"#,
        );
        assert_eq!(parse_xml(&xml).unwrap().totals.tax_total, None);
    }

    #[test]
    fn unknown_and_missing_profiles() {
        let xml = mutate(
            CII_EN16931,
            ">urn:cen.eu:en16931:2017<",
            ">urn:example:custom<",
        );
        assert_eq!(
            parse_xml(&xml).unwrap().profile,
            Some(Profile::Unknown("urn:example:custom".into()))
        );
        let xml = mutate(UBL_CREDIT_NOTE, "<cbc:CustomizationID>", "<cbc:Other>");
        let xml = mutate(&xml, "</cbc:CustomizationID>", "</cbc:Other>");
        assert_eq!(parse_xml(&xml).unwrap().profile, None);
    }

    #[test]
    fn ubl_type_code_and_lines_follow_the_root() {
        // An InvoiceLine inside a CreditNote is not a line of it.
        let xml = mutate(UBL_CREDIT_NOTE, "<cac:CreditNoteLine>", "<cac:InvoiceLine>");
        let xml = mutate(&xml, "</cac:CreditNoteLine>", "</cac:InvoiceLine>");
        let invoice = parse_xml(&xml).unwrap();
        assert_eq!(invoice.line_count, 0);
        assert!(invoice.lines.is_empty());
    }

    #[test]
    fn all_fixtures_are_utf8_and_parse() {
        for fixture in ALL_XML {
            assert!(parse_xml(fixture).is_ok());
        }
    }
}
