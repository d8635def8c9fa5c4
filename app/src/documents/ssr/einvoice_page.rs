//! The readable page of an e-invoice (`/dokumente/{id}/e-rechnung`): the
//! stored invoice XML read again and written out for the reader — parties,
//! dates, lines and totals in their language. The XML is parsed anew rather
//! than kept parsed: `einvoices` holds the key fields only, and the reader
//! is the one that checked the file at ingest.

use super::{einvoices, pdf, CustomerScope, DocumentError, FileKind};
use crate::auth::ssr::SessionUser;
use crate::documents::einvoice::{self, Amount, EInvoice, Line, Party};
use crate::documents::{EInvoiceView, LineView, PartyView, TotalsView};
use crate::i18n::Lang;
use crate::server::dates::day_in;
use crate::server::state::AppState;
use crate::server::storage::ContentHash;
use crate::t;

/// Document `id`'s e-invoice for `user`, written for a reader in `lang`;
/// reading it marks the document as opened (and the audit log says so), as
/// viewing its PDF does. Another customer's, a purged and a missing id, and
/// a document without an e-invoice are alike [`DocumentError::NotFound`].
pub async fn einvoice_view(
    state: &AppState,
    user: &SessionUser,
    scope: CustomerScope,
    id: i64,
    lang: Lang,
    ip: Option<String>,
) -> Result<EInvoiceView, DocumentError> {
    let document = pdf::visible_document(state, scope, id, lang).await?.ok_or(DocumentError::NotFound)?;
    // A plain PDF has no e-invoice to read.
    let Some(stored) = document.xml_sha256.as_deref() else { return Err(DocumentError::NotFound) };
    let Some(hash) = ContentHash::parse(stored) else {
        tracing::error!(document_id = id, "stored e-invoice hash is malformed");
        return Err(DocumentError::NotFound);
    };
    let xml = match state.documents.read_all(&hash).await {
        Ok(xml) => xml,
        Err(error) => {
            // A row whose file is gone: the same 404 as for the PDF, the cause for the operator.
            tracing::error!(document_id = id, %error, "e-invoice XML cannot be read");
            return Err(DocumentError::NotFound);
        }
    };
    // Parsing is CPU work with its own bounds; it was read once at ingest.
    let invoice = match tokio::task::spawn_blocking(move || einvoice::parse_xml(&xml)).await {
        Ok(Ok(invoice)) => invoice,
        Ok(Err(error)) => return Err(DocumentError::UnreadableInvoice(einvoices::unreadable_reason(&error))),
        Err(panicked) => return Err(DocumentError::UnreadableInvoice(format!("der Leser brach ab ({panicked})"))),
    };
    pdf::record_opened(state, user, id, false, ip).await?;
    let title = format!("{} {}", document.type_name, document.number);
    Ok(view_of(id, title, &invoice, FileKind::from_column(&document.file_kind) == FileKind::Pdf, lang))
}

/// The page's view of `invoice`, everything written for a reader in `lang`.
fn view_of(document_id: i64, title: String, invoice: &EInvoice, has_pdf: bool, lang: Lang) -> EInvoiceView {
    let currency = invoice.currency.as_str();
    let money = |amount: &Option<Amount>| amount.as_ref().map(|amount| money_in(lang, amount, currency));
    let totals = &invoice.totals;
    EInvoiceView {
        document_id,
        title,
        profile: invoice.profile.as_ref().map_or_else(|| "—".to_owned(), |profile| profile.label().to_owned()),
        invoice_number: invoice.number.clone(),
        issue_date: day_in(lang, invoice.issue_date.as_str()),
        due_date: invoice.due_date.as_ref().map(|day| day_in(lang, day.as_str())),
        buyer_reference: invoice.buyer_reference.clone(),
        iban: invoice.iban.as_deref().map(grouped),
        currency: invoice.currency.clone(),
        seller: invoice.seller.as_ref().map(party),
        buyer: invoice.buyer.as_ref().map(party),
        lines: invoice.lines.iter().map(|line| line_view(line, currency, lang)).collect(),
        lines_not_shown: invoice.line_count.saturating_sub(invoice.lines.len()),
        totals: TotalsView {
            net: money(&totals.tax_basis).or_else(|| money(&totals.line_total)),
            tax: money(&totals.tax_total),
            gross: money(&totals.grand_total),
            due: money(&totals.due_payable),
        },
        has_pdf,
    }
}

/// An IBAN as it is printed, in groups of four ("DE02 1203 0000 …"): read
/// more easily, and a phone can wrap it between groups.
fn grouped(iban: &str) -> String {
    let compact: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    compact.chunks(4).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

fn party(party: &Party) -> PartyView {
    let place = [party.postcode.as_deref(), party.city.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let address = [party.street.clone(), Some(place).filter(|place| !place.is_empty()), party.country.clone()].into_iter().flatten().collect();
    PartyView { name: party.name.clone(), address, vat_id: party.vat_id.clone() }
}

fn line_view(line: &Line, currency: &str, lang: Lang) -> LineView {
    let quantity = line.quantity.as_ref().map(|quantity| quantity_in(lang, quantity, line.unit_code.as_deref()));
    LineView {
        position: line.id.clone().unwrap_or_default(),
        name: line.name.clone().unwrap_or_default(),
        quantity: quantity.unwrap_or_default(),
        net_price: line.net_price.as_ref().map(|price| money_in(lang, price, currency)).unwrap_or_default(),
        tax_rate: line.tax_rate.as_ref().map(|rate| t!(lang, "einvoice-page-rate", rate = number_in(lang, rate))).unwrap_or_default(),
        line_total: line.line_total.as_ref().map(|total| money_in(lang, total, currency)).unwrap_or_default(),
    }
}

/// `amount` as written, without zeros after the cents that say nothing
/// ("9.9000" is 9,90 €; "0.125" stays).
fn money_in(lang: Lang, amount: &Amount, currency: &str) -> String {
    einvoices::money_in(lang, &trimmed(amount, 2), currency)
}

/// `amount`'s canonical text without trailing fraction zeros beyond `keep` digits.
fn trimmed(amount: &Amount, keep: usize) -> String {
    let text = amount.to_string();
    let Some((whole, fraction)) = text.split_once('.') else { return text };
    let significant = fraction.trim_end_matches('0');
    let fraction = if significant.len() >= keep { significant } else { &fraction[..keep.min(fraction.len())] };
    if fraction.is_empty() { whole.to_owned() } else { format!("{whole}.{fraction}") }
}

/// A quantity or rate as a reader in `lang` writes a number: `1.234,5`, `1,234.5`, `20`.
fn number_in(lang: Lang, amount: &Amount) -> String {
    let text = trimmed(amount, 0);
    let (sign, digits) = text.strip_prefix('-').map_or(("", text.as_str()), |rest| ("-", rest));
    let (whole, fraction) = digits.split_once('.').map_or((digits, None), |(whole, fraction)| (whole, Some(fraction)));
    let (group, decimal) = match lang {
        Lang::De => ('.', ','),
        Lang::En => (',', '.'),
    };
    let mut written = sign.to_owned();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            written.push(group);
        }
        written.push(digit);
    }
    if let Some(fraction) = fraction {
        written.push(decimal);
        written.push_str(fraction);
    }
    written
}

/// A line's quantity with its unit (UN/ECE Recommendation 20): the common
/// ones in words or their symbol, any other by its code as written.
fn quantity_in(lang: Lang, quantity: &Amount, unit_code: Option<&str>) -> String {
    let number = number_in(lang, quantity);
    let exactly_one = quantity.units() == 10i128.pow(u32::from(quantity.scale()));
    let plural = if exactly_one { "one" } else { "other" };
    let symbol = |symbol: &str| format!("{number}\u{a0}{symbol}");
    match unit_code.map(str::trim) {
        None | Some("") => number,
        Some("H87" | "C62" | "XPP" | "EA") => t!(lang, "einvoice-unit-piece", quantity = number.as_str(), plural = plural),
        Some("HUR") => t!(lang, "einvoice-unit-hour", quantity = number.as_str(), plural = plural),
        Some("MIN") => t!(lang, "einvoice-unit-minute", quantity = number.as_str(), plural = plural),
        Some("DAY") => t!(lang, "einvoice-unit-day", quantity = number.as_str(), plural = plural),
        Some("WEE") => t!(lang, "einvoice-unit-week", quantity = number.as_str(), plural = plural),
        Some("MON") => t!(lang, "einvoice-unit-month", quantity = number.as_str(), plural = plural),
        Some("ANN") => t!(lang, "einvoice-unit-year", quantity = number.as_str(), plural = plural),
        Some("KGM") => symbol("kg"),
        Some("GRM") => symbol("g"),
        Some("TNE") => symbol("t"),
        Some("MTR") => symbol("m"),
        Some("KMT") => symbol("km"),
        Some("MTK") => symbol("m²"),
        Some("MTQ") => symbol("m³"),
        Some("LTR") => symbol("l"),
        Some("KWH") => symbol("kWh"),
        Some(code) => format!("{number} {code}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str) -> Amount {
        text.parse().unwrap()
    }

    #[test]
    fn numbers_are_written_as_the_reader_writes_them_without_empty_decimals() {
        assert_eq!(money_in(Lang::De, &amount("9.9000"), "EUR"), "9,90\u{a0}€");
        assert_eq!(money_in(Lang::En, &amount("0.1250"), "EUR"), "€0.125");
        assert_eq!(money_in(Lang::De, &amount("1234"), "EUR"), "1.234,00\u{a0}€");
        assert_eq!(number_in(Lang::De, &amount("20.0000")), "20");
        assert_eq!(number_in(Lang::De, &amount("1234.50")), "1.234,5");
        assert_eq!(number_in(Lang::En, &amount("-1234.50")), "-1,234.5");
        assert_eq!(number_in(Lang::En, &amount("19.00")), "19");
    }

    #[test]
    fn units_are_named_in_words_symbols_or_their_code() {
        assert_eq!(quantity_in(Lang::De, &amount("20.0000"), Some("H87")), "20 Stück");
        assert_eq!(quantity_in(Lang::En, &amount("1"), Some("HUR")), "1 hour");
        assert_eq!(quantity_in(Lang::En, &amount("10"), Some("HUR")), "10 hours");
        assert_eq!(quantity_in(Lang::De, &amount("1.5"), Some("KGM")), "1,5\u{a0}kg");
        assert_eq!(quantity_in(Lang::De, &amount("3"), Some("XYZ")), "3 XYZ");
        assert_eq!(quantity_in(Lang::De, &amount("3"), None), "3");
    }

    #[test]
    fn an_iban_is_printed_in_groups_of_four() {
        assert_eq!(grouped("DE02120300000000202051"), "DE02 1203 0000 0000 2020 51");
        assert_eq!(grouped(" DE75 5121 0800 1245 1261 99"), "DE75 5121 0800 1245 1261 99");
    }

    #[test]
    fn a_party_is_its_name_address_lines_and_vat_id() {
        let seller = Party {
            name: Some("Lieferant GmbH".into()),
            street: Some("Lieferantenstraße 20".into()),
            postcode: Some("80333".into()),
            city: Some("München".into()),
            country: Some("DE".into()),
            vat_id: Some("DE123456789".into()),
        };
        let view = party(&seller);
        assert_eq!(view.address, ["Lieferantenstraße 20", "80333 München", "DE"]);
        assert_eq!(party(&Party { city: Some("Berlin".into()), ..Party::default() }).address, ["Berlin"]);
    }
}
