//! The ZIP export with e-invoices: each XML beside its PDF (a bare XML as
//! the document's own file), the key fields in `index.csv` in the reader's
//! language, and a `Content-Length` that counts the XML too — through the
//! real router, a real database and real files.

use crate::common::*;
use crate::documents::unzip;
use app::documents::ssr::demo::{document_pdf, document_pdf_with};
use app::documents::ssr::ingest::{ingest, Ingester, NewDocument};
use app::i18n::Lang;
use app::server::dates::date_in;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

const PASSWORD: &str = "Export-Wort-42";
/// Invoice 471102 of 15 November 2024, due 15 December, 529.87 EUR, EN 16931.
const CII_EN16931: &[u8] = include_bytes!("../../../app/src/documents/einvoice/fixtures/cii_en16931.xml");
/// XRechnung 3.0 in UBL: RE-2024-0042 of 30 June 2024, due 30 July, 238.00 EUR.
const UBL_XRECHNUNG: &[u8] = include_bytes!("../../../app/src/documents/einvoice/fixtures/ubl_xrechnung_invoice.xml");

/// A real PDF without an invoice XML.
fn plain_pdf(number: &str) -> Vec<u8> {
    document_pdf("Muster Entsorgung GmbH", &format!("Rechnung {number}"), &["Betrag: 12,50 €".to_owned()])
}

async fn provide(app: &TestApp, customer: &str, number: &str, created: &str, bytes: Vec<u8>) {
    let new = NewDocument::parse(customer, number, "rechnung", created, None).unwrap();
    let report = ingest(&app.state, &Ingester::Operator, new, bytes.into()).await.unwrap();
    assert!(report.warnings().is_empty(), "{number}: {:?}", report.warnings());
}

fn export(cookie: &str, lang: &str) -> Request<Body> {
    Request::get("/dokumente/export.zip?sortierung=nummer&richtung=auf")
        .header(header::COOKIE, cookie)
        .header(header::ACCEPT_LANGUAGE, lang)
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn the_zip_export_puts_each_invoice_xml_beside_its_pdf_and_its_key_fields_into_the_index() {
    let app = spawn_app().await;
    customer_with_password(&app, "82001", "erna", PASSWORD).await;
    customer_with_password(&app, "82002", "fritz", PASSWORD).await;
    let factur_x = document_pdf_with("Muster Entsorgung GmbH", "Rechnung 471102", &["Betrag: 529,87 €".to_owned()], Some(CII_EN16931));
    provide(&app, "82001", "471102", "2024-11-15", factur_x.clone()).await;
    provide(&app, "82001", "RE-2024-0042", "2024-06-30", UBL_XRECHNUNG.to_vec()).await;
    provide(&app, "82001", "RE-9", "2026-01-15", plain_pdf("RE-9")).await;
    // Another customer's e-invoice stays out, its XML too.
    provide(&app, "82002", "RE-2024-0042", "2024-06-30", UBL_XRECHNUNG.to_vec()).await;
    let erna = app.sign_in("erna", PASSWORD).await;

    let (status, headers, body) = app.request_bytes(export(&erna, "de")).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(headers[header::CONTENT_LENGTH], body.len().to_string(), "Content-Length counts the XML entries too");
    let entries = unzip(&body);
    let names: Vec<&str> = entries.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["index.csv", "Rechnung_471102.pdf", "Rechnung_471102.xml", "Rechnung_RE-2024-0042.xml", "Rechnung_RE-9.pdf"]);
    assert_eq!(entries[1].1, factur_x, "the Factur-X PDF as delivered");
    assert_eq!(entries[2].1, CII_EN16931, "its XML byte for byte");
    assert_eq!(entries[3].1, UBL_XRECHNUNG, "the bare XRechnung is the document's own file");
    assert_eq!(entries[4].1, plain_pdf("RE-9"));

    let provided = date_in(Lang::De, app.state.clock.now(), &app.state.config.time_zone);
    let csv = String::from_utf8(entries[0].1.clone()).unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(
        lines,
        [
            "Nummer;Typ;Erstellung;Bereitstellung;Datei;E-Rechnung (Profil);Rechnungsdatum;Fälligkeit;Zahlbetrag;Währung;XML-Datei",
            &format!("471102;Rechnung;15.11.2024;{provided};Rechnung_471102.pdf;EN 16931;15.11.2024;15.12.2024;529,87;EUR;Rechnung_471102.xml"),
            &format!("RE-2024-0042;Rechnung;30.06.2024;{provided};Rechnung_RE-2024-0042.xml;XRECHNUNG;30.06.2024;30.07.2024;238,00;EUR;Rechnung_RE-2024-0042.xml"),
            &format!("RE-9;Rechnung;15.01.2026;{provided};Rechnung_RE-9.pdf;;;;;;"),
            "",
        ]
    );

    // In English: the header, dates and decimal point as an English reader writes them.
    let (status, headers, body) = app.request_bytes(export(&erna, "en")).await;
    assert_eq!((status, headers[header::CONTENT_LENGTH].to_str().unwrap()), (StatusCode::OK, body.len().to_string().as_str()));
    let entries = unzip(&body);
    let csv = String::from_utf8(entries[0].1.clone()).unwrap();
    let provided = date_in(Lang::En, app.state.clock.now(), &app.state.config.time_zone);
    assert!(csv.starts_with("\u{feff}Number;Type;Created;Provided;File;E-invoice profile;Invoice date;Due date;Amount due;Currency;XML file\r\n"), "{csv}");
    assert!(
        csv.contains(&format!("471102;Invoice;15/11/2024;{provided};Invoice_471102.pdf;EN 16931;15/11/2024;15/12/2024;529.87;EUR;Invoice_471102.xml\r\n")),
        "{csv}"
    );
    assert!(csv.contains(";XRECHNUNG;30/06/2024;30/07/2024;238.00;EUR;Invoice_RE-2024-0042.xml\r\n"), "{csv}");
    assert_eq!(entries.iter().map(|(name, _)| name.as_str()).filter(|name| name.ends_with(".xml")).count(), 2);
}

#[tokio::test]
async fn the_demo_customers_invoices_are_partly_factur_x_and_one_is_an_xrechnung_and_all_export() {
    let app = spawn_app().await;
    customer_with_password(&app, "10001", "demo", PASSWORD).await;
    let seeded = app::documents::ssr::demo::seed_demo_documents(&app.state, "10001", "Demo & Söhne <GmbH>").await.unwrap();
    assert_eq!(seeded, 40);
    let profiles: Vec<(String, String, i64)> = app::server::db::query_as(
        "SELECT e.profile, d.file_kind, COUNT(*) FROM einvoices e JOIN documents d ON d.id = e.document_id \
         WHERE e.invoice_number = d.number AND e.issue_date = d.created_on AND e.seller_name = $1 GROUP BY e.profile, d.file_kind ORDER BY e.profile",
    )
    .bind(&app.state.config.branding.operator_name)
    .fetch_all(&app.state.pool)
    .await
    .unwrap();
    assert_eq!(profiles, [("en16931".to_owned(), "pdf".to_owned(), 14), ("xrechnung".to_owned(), "xml".to_owned(), 1)], "every second invoice, and one bare XRechnung");
    let added: Vec<String> = app::server::db::query_scalar("SELECT detail FROM audit_log WHERE action = 'document_added'")
        .fetch_all(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(added.len(), 40);
    assert_eq!(added.iter().filter(|detail| detail.contains("issue_date_differs") || detail.contains("embedded_unreadable")).count(), 0, "{added:?}");
    assert_eq!(added.iter().filter(|detail| detail.contains("\"profile\"")).count(), 15, "{added:?}");

    let demo = app.sign_in("demo", PASSWORD).await;
    let (status, headers, body) = app.request_bytes(export(&demo, "de")).await;
    assert_eq!((status, headers[header::CONTENT_LENGTH].to_str().unwrap()), (StatusCode::OK, body.len().to_string().as_str()));
    let entries = unzip(&body);
    assert_eq!(entries.len(), 1 + 40 + 14, "index, the documents' files and the Factur-X invoices' XML");
    let index = String::from_utf8(entries[0].1.clone()).unwrap();
    assert_eq!(index.lines().filter(|line| line.ends_with(".xml")).count(), 15, "{index}");
}
