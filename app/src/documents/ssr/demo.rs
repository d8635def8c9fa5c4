//! The demo customer's documents: about 40 real, readable PDFs (invoices,
//! credit notes, reminders) with the operator's name, a number, a date and
//! an amount on the page, spread over the last 13 months so that some are
//! about to leave the list; the newest few are not opened yet.

use crate::server::db;
use super::ingest::{ingest, Ingester, NewDocument};
use super::DocumentError;
use crate::server::state::AppState;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

const DEMO_DOCUMENTS: u32 = 40;
/// The newest documents stay unopened ("neu").
const UNOPENED: u32 = 4;

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
    let (catalog, pages, page, font, content_id) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5));
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
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
        let amount = format!("{},{:02} €", cents / 100, cents % 100);
        let lines = vec![
            format!("{title}snummer: {number}"),
            format!("Datum: {}", created.strftime("%d.%m.%Y")),
            format!("Kunde: {customer_number} {customer_name}"),
            format!("Leistung: Abfallentsorgung {}", created.strftime("%m/%Y")),
            format!("Betrag: {amount}"),
            "Vielen Dank für Ihr Vertrauen.".to_owned(),
        ];
        let bytes = document_pdf(&operator, &format!("{title} {number}"), &lines);
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
