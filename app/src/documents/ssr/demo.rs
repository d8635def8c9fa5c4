//! The demo customer's documents: about 40 real, readable PDFs (invoices,
//! credit notes, reminders) with the operator's name, a number, a date and
//! an amount on the page, spread over the last 13 months so that some are
//! about to leave the list; the newest few are not opened yet. Every second
//! invoice is a Factur-X PDF (an EN 16931 invoice XML attached), and one
//! invoice is delivered as a bare XRechnung, as a public buyer gets it.

use crate::server::db;
use super::ingest::{ingest, Ingester, NewDocument};
use super::DocumentError;
use crate::server::state::AppState;
use pdf_writer::types::AssociationKind;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

const DEMO_DOCUMENTS: u32 = 40;
/// The newest documents stay unopened ("neu").
const UNOPENED: u32 = 4;
/// The demo's one bare XRechnung: the second newest document, an invoice.
const XRECHNUNG_AT: u32 = 1;
/// The demo customer's Leitweg-ID for its XRechnung (check digits by ISO 7064 MOD 97-10).
const DEMO_LEITWEG_ID: &str = "991-12345-73";
/// The rate of German VAT on the demo's services, in percent.
const VAT_PERCENT: u64 = 19;

/// Windows-1252 bytes for Helvetica's WinAnsiEncoding: German letters and
/// the euro sign; anything else becomes "?".
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            '–' => 0x96,
            c if (c as u32) < 0x80 => c as u8,
            c if (0xA0..=0xFF).contains(&(c as u32)) => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// One A4 page: the operator's name, the document's title and lines.
pub fn document_pdf(operator: &str, title: &str, lines: &[String]) -> Vec<u8> {
    document_pdf_with(operator, title, lines, None)
}

/// [`document_pdf`] with an invoice XML attached as ZUGFeRD / Factur-X
/// do: `factur-x.xml`, an associated file of the document (`/AF`)
/// and in its `/EmbeddedFiles`.
pub fn document_pdf_with(operator: &str, title: &str, lines: &[String], invoice_xml: Option<&[u8]>) -> Vec<u8> {
    let (catalog, pages, page, font, content_id) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5));
    let (spec, file) = (Ref::new(6), Ref::new(7));
    let mut pdf = Pdf::new();
    {
        let mut root = pdf.catalog(catalog);
        root.pages(pages);
        if invoice_xml.is_some() {
            root.insert(Name(b"AF")).array().item(spec);
            root.names().embedded_files().names().insert(Str(b"factur-x.xml"), spec);
        }
    }
    if let Some(xml) = invoice_xml {
        let mut embedded = pdf.embedded_file(file, xml);
        embedded.subtype(Name(b"text/xml"));
        embedded.params().size(xml.len() as i32);
        embedded.finish();
        pdf.file_spec(spec)
            .path(Str(b"factur-x.xml"))
            .unic_file(TextStr("factur-x.xml"))
            .association_kind(AssociationKind::Alternative)
            .embedded_file_with_unicode(file);
    }
    pdf.pages(pages).kids([page]).count(1);
    let mut page_writer = pdf.page(page);
    page_writer.media_box(Rect::new(0.0, 0.0, 595.0, 842.0)).parent(pages).contents(content_id);
    page_writer.resources().fonts().pair(Name(b"F1"), font);
    page_writer.finish();
    pdf.type1_font(font).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));

    let mut content = Content::new();
    let mut text = |size: f32, y: f32, line: &str| {
        content.begin_text().set_font(Name(b"F1"), size).next_line(72.0, y).show(Str(&win_ansi(line))).end_text();
    };
    text(11.0, 780.0, operator);
    text(22.0, 700.0, title);
    for (i, line) in lines.iter().enumerate() {
        text(12.0, 660.0 - 22.0 * i as f32, line);
    }
    pdf.stream(content_id, &content.finish());
    pdf.finish()
}

/// Text for XML character data and attribute values: names come from the
/// operator's configuration and the customer register, so `&`, `<` and
/// quotes are to be expected.
fn xml_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Cents as an XML decimal: `1234.50`.
fn decimal(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Cents as German money on the page: `1234,50 €`.
fn euros(cents: u64) -> String {
    format!("{},{:02} €", cents / 100, cents % 100)
}

/// A day in CII's format 102: `20260131`.
fn cii_day(day: jiff::civil::Date) -> String {
    day.strftime("%Y%m%d").to_string()
}

/// A demo invoice: one month's waste disposal for the demo customer.
#[derive(Debug, Clone)]
pub struct DemoInvoice<'a> {
    pub number: &'a str,
    /// The invoice date (the document's `created`); the month of service too.
    pub created: jiff::civil::Date,
    /// The operator, the seller.
    pub seller: &'a str,
    pub customer_number: &'a str,
    pub customer_name: &'a str,
    pub net_cents: u64,
    /// A public buyer's Leitweg-ID: the invoice is an XRechnung 3.0 with it
    /// as the buyer reference; without one, EN 16931 (Factur-X's profile).
    pub leitweg_id: Option<&'a str>,
}

impl DemoInvoice<'_> {
    pub fn vat_cents(&self) -> u64 {
        // Rounded half up to the cent, as the EN 16931 rules check it.
        (self.net_cents * VAT_PERCENT + 50) / 100
    }

    pub fn gross_cents(&self) -> u64 {
        self.net_cents + self.vat_cents()
    }

    /// Payable 14 days after the invoice date.
    pub fn due(&self) -> jiff::civil::Date {
        self.created.checked_add(jiff::Span::new().days(14)).unwrap_or(self.created)
    }

    /// The line's service: `Abfallentsorgung 01/2026`.
    pub fn service(&self) -> String {
        format!("Abfallentsorgung {}", self.created.strftime("%m/%Y"))
    }

    /// The invoice as UN/CEFACT CII (`rsm:CrossIndustryInvoice`): one line,
    /// 19 % VAT, the month of service as the billing period, payment by
    /// transfer within 14 days. Addresses, account and contact are made up.
    pub fn xml(&self) -> String {
        let (guideline, process, buyer_reference) = match self.leitweg_id {
            Some(leitweg_id) => (
                "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
                "<ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter>\n    ",
                format!("\n      <ram:BuyerReference>{}</ram:BuyerReference>", xml_text(leitweg_id)),
            ),
            None => ("urn:cen.eu:en16931:2017", "", String::new()),
        };
        let (net, vat, gross) = (decimal(self.net_cents), decimal(self.vat_cents()), decimal(self.gross_cents()));
        let (first, last) = (self.created.first_of_month(), self.created.last_of_month());
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100" xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    {process}<ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>{guideline}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{number}</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">{issued}</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>{service}</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice><ram:ChargeAmount>{net}</ram:ChargeAmount></ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="MON">1</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{net}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>{buyer_reference}
      <ram:SellerTradeParty>
        <ram:Name>{seller}</ram:Name>
        <ram:DefinedTradeContact>
          <ram:PersonName>Kundenservice</ram:PersonName>
          <ram:TelephoneUniversalCommunication><ram:CompleteNumber>+49 40 0000000</ram:CompleteNumber></ram:TelephoneUniversalCommunication>
          <ram:EmailURIUniversalCommunication><ram:URIID>rechnung@entsorgung.example</ram:URIID></ram:EmailURIUniversalCommunication>
        </ram:DefinedTradeContact>
        <ram:PostalTradeAddress><ram:PostcodeCode>20095</ram:PostcodeCode><ram:LineOne>Am Wertstoffhof 1</ram:LineOne><ram:CityName>Hamburg</ram:CityName><ram:CountryID>DE</ram:CountryID></ram:PostalTradeAddress>
        <ram:URIUniversalCommunication><ram:URIID schemeID="EM">rechnung@entsorgung.example</ram:URIID></ram:URIUniversalCommunication>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE123456789</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty>
        <ram:ID>{customer_number}</ram:ID>
        <ram:Name>{customer_name}</ram:Name>
        <ram:PostalTradeAddress><ram:PostcodeCode>12345</ram:PostcodeCode><ram:LineOne>Musterstraße 12</ram:LineOne><ram:CityName>Musterstadt</ram:CityName><ram:CountryID>DE</ram:CountryID></ram:PostalTradeAddress>
        <ram:URIUniversalCommunication><ram:URIID schemeID="EM">buchhaltung@kunde.example</ram:URIID></ram:URIUniversalCommunication>
      </ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:PaymentReference>{number}</ram:PaymentReference>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans>
        <ram:TypeCode>58</ram:TypeCode>
        <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>DE02120300000000202051</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>
      </ram:SpecifiedTradeSettlementPaymentMeans>
      <ram:ApplicableTradeTax><ram:CalculatedAmount>{vat}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount>{net}</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
      <ram:BillingSpecifiedPeriod>
        <ram:StartDateTime><udt:DateTimeString format="102">{first}</udt:DateTimeString></ram:StartDateTime>
        <ram:EndDateTime><udt:DateTimeString format="102">{last}</udt:DateTimeString></ram:EndDateTime>
      </ram:BillingSpecifiedPeriod>
      <ram:SpecifiedTradePaymentTerms>
        <ram:Description>Zahlbar bis {due_text} ohne Abzug.</ram:Description>
        <ram:DueDateDateTime><udt:DateTimeString format="102">{due}</udt:DateTimeString></ram:DueDateDateTime>
      </ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>{net}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>{net}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">{vat}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>{gross}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{gross}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"#,
            number = xml_text(self.number),
            issued = cii_day(self.created),
            service = xml_text(&self.service()),
            rate = VAT_PERCENT,
            seller = xml_text(self.seller),
            customer_number = xml_text(self.customer_number),
            customer_name = xml_text(self.customer_name),
            first = cii_day(first),
            last = cii_day(last),
            due_text = self.due().strftime("%d.%m.%Y"),
            due = cii_day(self.due()),
        )
    }
}

/// Gives the demo customer its documents, once: a customer that has any
/// keeps them as they are.
pub async fn seed_demo_documents(state: &AppState, customer_number: &str, customer_name: &str) -> Result<u32, DocumentError> {
    let existing: i64 = db::query_scalar("SELECT COUNT(*) FROM documents d JOIN customers c ON c.id = d.customer_id WHERE c.number = $1")
        .bind(customer_number)
        .fetch_one(&state.pool)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let tz = &state.config.time_zone;
    let today = crate::server::dates::day_of(state.clock.now(), tz).ok_or(DocumentError::NotFound)?;
    let operator = state.config.branding.operator_name.clone();
    let mut added = Vec::new();
    for i in 0..DEMO_DOCUMENTS {
        // From 13 months ago minus three days (about to leave) up to yesterday.
        let days_back = 1 + i64::from(i) * 392 / i64::from(DEMO_DOCUMENTS - 1);
        let provided = today.checked_sub(jiff::Span::new().days(days_back)).map_err(|_| DocumentError::NotFound)?;
        let created = provided.checked_sub(jiff::Span::new().days(2)).map_err(|_| DocumentError::NotFound)?;
        let (type_key, title, prefix) = match i % 7 {
            3 => ("gutschrift", "Gutschrift", "GS"),
            6 => ("mahnung", "Zahlungserinnerung", "MA"),
            _ => ("rechnung", "Rechnung", "RE"),
        };
        let number = format!("{prefix}-{}-{:04}", created.year(), 1000 + DEMO_DOCUMENTS - i);
        let cents = 4_900 + (u64::from(i) * 7_919) % 95_000;
        let mut lines = vec![
            format!("{title}snummer: {number}"),
            format!("Datum: {}", created.strftime("%d.%m.%Y")),
            format!("Kunde: {customer_number} {customer_name}"),
            format!("Leistung: Abfallentsorgung {}", created.strftime("%m/%Y")),
        ];
        let bytes = if type_key == "rechnung" {
            let invoice = DemoInvoice {
                number: &number,
                created,
                seller: &operator,
                customer_number,
                customer_name,
                net_cents: cents * 100 / (100 + VAT_PERCENT),
                leitweg_id: (i == XRECHNUNG_AT).then_some(DEMO_LEITWEG_ID),
            };
            lines.extend([
                format!("Netto: {}", euros(invoice.net_cents)),
                format!("Umsatzsteuer {VAT_PERCENT} %: {}", euros(invoice.vat_cents())),
                format!("Betrag: {}", euros(invoice.gross_cents())),
                format!("Zahlbar bis: {}", invoice.due().strftime("%d.%m.%Y")),
                "Vielen Dank für Ihr Vertrauen.".to_owned(),
            ]);
            let title = format!("{title} {number}");
            match (i == XRECHNUNG_AT, i % 2 == 0) {
                (true, _) => invoice.xml().into_bytes(),
                (false, true) => document_pdf_with(&operator, &title, &lines, Some(invoice.xml().as_bytes())),
                (false, false) => document_pdf(&operator, &title, &lines),
            }
        } else {
            lines.extend([format!("Betrag: {}", euros(cents)), "Vielen Dank für Ihr Vertrauen.".to_owned()]);
            document_pdf(&operator, &format!("{title} {number}"), &lines)
        };
        let new = NewDocument::parse(customer_number, &number, type_key, &created.to_string(), Some(&provided.to_string()))?;
        added.push((i, ingest(state, &Ingester::Operator, new, bytes.into()).await?.id()));
    }
    // The demo user has opened all but the newest few.
    let now = state.clock.now();
    for (_, id) in added.iter().filter(|(i, _)| *i >= UNOPENED) {
        db::query(
            "INSERT INTO document_reads (user_id, document_id, read_at) \
             SELECT u.id, $1, $2 FROM users u JOIN customers c ON c.id = u.customer_id WHERE c.number = $3 \
             ON CONFLICT (user_id, document_id) DO NOTHING",
        )
        .bind(id)
        .bind(now)
        .bind(customer_number)
        .execute(&state.pool)
        .await?;
    }
    Ok(DEMO_DOCUMENTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo_invoice(leitweg_id: Option<&'static str>) -> DemoInvoice<'static> {
        DemoInvoice {
            number: "RE-2026-1040",
            created: jiff::civil::date(2026, 1, 31),
            seller: "Müller & Söhne <Entsorgung> \"Nord\"",
            customer_number: "10001",
            customer_name: "Demo & Co. KG",
            net_cents: 4_118,
            leitweg_id,
        }
    }

    #[test]
    fn a_demo_factur_x_invoice_is_recognised_with_its_number_dates_and_totals() {
        use crate::documents::einvoice::{recognise, Container, Profile, Syntax};
        let invoice = demo_invoice(None);
        assert_eq!((invoice.vat_cents(), invoice.gross_cents()), (782, 4_900), "41.18 + 19 % = 49.00");
        let pdf = document_pdf_with("Müller & Söhne", "Rechnung RE-2026-1040", &["Betrag: 49,00 €".into()], Some(invoice.xml().as_bytes()));
        let found = recognise(&pdf).unwrap().expect("an e-invoice");
        assert_eq!(found.container, Container::Pdf { file_name: "factur-x.xml".to_owned() });
        assert_eq!(found.xml, invoice.xml().into_bytes());
        let read = found.invoice;
        assert_eq!((read.syntax, read.profile), (Syntax::Cii, Some(Profile::En16931)));
        assert_eq!((read.number.as_str(), read.type_code.as_deref()), ("RE-2026-1040", Some("380")));
        assert_eq!(read.issue_date.as_str(), "2026-01-31");
        assert_eq!(read.due_date.as_ref().map(|day| day.as_str()), Some("2026-02-14"));
        let totals = [read.totals.line_total, read.totals.tax_basis, read.totals.tax_total, read.totals.grand_total, read.totals.due_payable];
        assert_eq!(totals.map(|amount| amount.map(|amount| amount.to_string())), ["41.18", "41.18", "7.82", "49.00", "49.00"].map(|text| Some(text.to_owned())));
        assert_eq!(read.currency, "EUR");
        assert_eq!(read.seller.and_then(|seller| seller.name).as_deref(), Some("Müller & Söhne <Entsorgung> \"Nord\""), "escaped and read back");
        assert_eq!(read.buyer.and_then(|buyer| buyer.name).as_deref(), Some("Demo & Co. KG"));
        assert_eq!(read.buyer_reference, None);
        assert_eq!(read.line_count, 1);
        let line = &read.lines[0];
        assert_eq!(line.name.as_deref(), Some("Abfallentsorgung 01/2026"));
        assert_eq!(
            [&line.quantity, &line.net_price, &line.tax_rate, &line.line_total].map(|amount| amount.map(|amount| amount.to_string())),
            [Some("1".to_owned()), Some("41.18".to_owned()), Some("19".to_owned()), Some("41.18".to_owned())]
        );
    }

    #[test]
    fn the_demo_xrechnung_is_recognised_as_xrechnung_with_its_leitweg_id() {
        use crate::documents::einvoice::{recognise, Container, Profile};
        let invoice = demo_invoice(Some(DEMO_LEITWEG_ID));
        let found = recognise(invoice.xml().as_bytes()).unwrap().expect("an e-invoice");
        assert_eq!(found.container, Container::Xml);
        let read = found.invoice;
        assert_eq!(read.profile, Some(Profile::XRechnung));
        assert_eq!((read.number.as_str(), read.issue_date.as_str()), ("RE-2026-1040", "2026-01-31"));
        assert_eq!(read.due_date.as_ref().map(|day| day.as_str()), Some("2026-02-14"));
        assert_eq!(read.totals.due_payable.map(|amount| amount.to_string()).as_deref(), Some("49.00"));
        assert_eq!(read.buyer_reference.as_deref(), Some(DEMO_LEITWEG_ID));
        assert_eq!(read.iban.as_deref(), Some("DE02120300000000202051"));
    }

    #[test]
    fn the_demo_pdf_is_a_pdf_with_its_text_in_win_ansi() {
        let pdf = document_pdf("Muster Entsorgung GmbH", "Rechnung RE-1", &["Betrag: 12,50 €".into(), "Grüße".into()]);
        assert!(super::super::ingest::is_pdf(&pdf));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("WinAnsiEncoding") && text.contains("Rechnung RE-1"), "{text}");
        // Text with bytes outside ASCII is written as a hex string.
        let lower = String::from_utf8_lossy(&pdf).to_lowercase();
        assert!(lower.contains("4772fcdf65"), "Grüße in WinAnsi");
        assert!(lower.contains("31322c35302080"), "12,50 € in WinAnsi");
    }
}
