//! E-invoices at ingest: a Factur-X / ZUGFeRD PDF and a bare XRechnung
//! (CII and UBL) delivered over the API, recognised, checked against the
//! billing system's data, stored (the XML beside the PDF) and served; broken
//! and hostile files refused or kept as plain PDFs; the XML outlives neither
//! its document nor the sweep's mistakes — through the real router, a real
//! database and real files.

use crate::common::*;
use app::documents::ssr::demo::document_pdf_with;
use app::server::db;
use app::server::storage::ContentHash;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::Value;

const PASSWORD: &str = "Akten-Wort-42";
/// Invoice 471102 of 15 November 2024, due 15 December, 529.87 EUR.
const CII_EN16931: &[u8] = include_bytes!("../../../app/src/documents/einvoice/fixtures/cii_en16931.xml");
/// XRechnung 3.0 in UBL: RE-2024-0042 of 30 June 2024, 238.00 EUR.
const UBL_XRECHNUNG: &[u8] = include_bytes!("../../../app/src/documents/einvoice/fixtures/ubl_xrechnung_invoice.xml");
/// XRechnung 3.0 in CII: XR-2024-17.
const CII_XRECHNUNG: &[u8] = include_bytes!("../../../app/src/documents/einvoice/fixtures/cii_xrechnung.xml");

fn factur_x(xml: &[u8]) -> Vec<u8> {
    document_pdf_with("Muster Entsorgung GmbH", "Rechnung 471102", &["Betrag: 529,87 €".to_owned()], Some(xml))
}

async fn api_key(app: &TestApp) -> String {
    app::documents::ssr::api_keys::create(&app.state.pool, "faktura", app.state.clock.now()).await.unwrap()
}

async fn deliver(app: &TestApp, key: &str, number: &str, kind: &str, created: &str, file: &[u8]) -> (StatusCode, Value) {
    let fields = [("customer", "81001"), ("number", number), ("type", kind), ("created", created)];
    let response = app.request(ingest_upload(Some(key), multipart_body(&fields, Some(file)))).await;
    (response.status, serde_json::from_str(&response.body).unwrap_or(Value::Null))
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()
}

async fn stored(app: &TestApp, bytes: &[u8]) -> Option<Vec<u8>> {
    app.state.documents.read_all(&ContentHash::of(bytes)).await.ok().map(|bytes| bytes.to_vec())
}

#[tokio::test]
async fn a_factur_x_pdf_is_recognised_its_xml_kept_beside_it_and_its_number_checked() {
    let app = spawn_app().await;
    customer_with_password(&app, "81001", "rita", PASSWORD).await;
    let key = api_key(&app).await;
    let pdf = factur_x(CII_EN16931);

    let (status, body) = deliver(&app, &key, "471102", "rechnung", "2024-11-15", &pdf).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let einvoice = &body["einvoice"];
    assert_eq!(einvoice["profile"], "EN 16931", "{body}");
    assert_eq!(einvoice["invoice_number"], "471102");
    assert_eq!((einvoice["issue_date"].as_str(), einvoice["due_date"].as_str()), (Some("2024-11-15"), Some("2024-12-15")));
    assert_eq!((einvoice["grand_total"].as_str(), einvoice["due_payable"].as_str()), (Some("529.87"), Some("529.87")));
    assert_eq!((einvoice["currency"].as_str(), einvoice["seller"].as_str()), (Some("EUR"), Some("Lieferant GmbH")));
    assert_eq!(body["warnings"], serde_json::json!([]));
    let id = body["id"].as_i64().unwrap();
    assert_eq!(stored(&app, &pdf).await.as_deref(), Some(pdf.as_slice()), "the PDF under its hash");
    assert_eq!(stored(&app, CII_EN16931).await.as_deref(), Some(CII_EN16931), "the XML beside it, under its own hash");
    let kind: String = db::query_scalar("SELECT file_kind FROM documents WHERE id = $1").bind(id).fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(kind, "pdf");

    // A retry answers what was stored.
    let (status, again) = deliver(&app, &key, "471102", "rechnung", "2024-11-15", &pdf).await;
    assert_eq!((status, &again), (StatusCode::OK, &body), "a retry is safe and says the same");

    // The billing system's number is not the invoice's: refused, naming the field, nothing kept.
    let (status, body) = deliver(&app, &key, "RE-9", "gutschrift", "2024-11-15", &pdf).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("number")), "{body}");
    let message = body["error"].as_str().unwrap();
    assert!(message.contains("471102") && message.contains("RE-9"), "{message}");

    // Another date than the invoice's: provided, with a warning in the answer and the activity log.
    let (status, body) = deliver(&app, &key, "471102", "sonstiges", "2024-11-20", &pdf).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let warnings = body["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{body}");
    assert!(warnings[0].as_str().unwrap().contains("15.11.2024") && warnings[0].as_str().unwrap().contains("20.11.2024"), "{body}");
    let audited = audit_details(&app, "document_added").await;
    assert_eq!(audited.len(), 2, "{audited:?}");
    assert!(audited[0].contains("E-Rechnung EN 16931") && !audited[0].contains("weicht"), "{audited:?}");
    assert!(audited[1].contains("Rechnungsdatum 15.11.2024 weicht vom Erstellungsdatum 20.11.2024 ab"), "{audited:?}");

    assert_eq!((app.count("documents").await, app.count("einvoices").await), (2, 2));
}

#[tokio::test]
async fn a_bare_xrechnung_in_ubl_or_cii_is_a_document_of_its_own_and_downloads_as_xml() {
    let app = spawn_app().await;
    customer_with_password(&app, "81001", "rita", PASSWORD).await;
    customer_with_password(&app, "81002", "otto", PASSWORD).await;
    let key = api_key(&app).await;

    let (status, body) = deliver(&app, &key, "RE-2024-0042", "rechnung", "2024-06-30", UBL_XRECHNUNG).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!((body["einvoice"]["profile"].as_str(), body["einvoice"]["syntax"].as_str()), (Some("XRECHNUNG"), Some("ubl_invoice")));
    assert_eq!(body["einvoice"]["due_payable"], "238.00");
    let ubl = body["id"].as_i64().unwrap();
    let (status, body) = deliver(&app, &key, "XR-2024-17", "rechnung", "2024-05-02", CII_XRECHNUNG).await;
    assert_eq!((status, body["einvoice"]["syntax"].as_str()), (StatusCode::CREATED, Some("cii")), "{body}");
    let kinds: Vec<String> = db::query_scalar("SELECT file_kind FROM documents ORDER BY id").fetch_all(&app.state.pool).await.unwrap();
    assert_eq!(kinds, ["xml", "xml"]);
    assert_eq!(app.state.documents.list().await.unwrap().len(), 2, "a bare XML is stored once: it is the document's file");

    let rita = app.sign_in("rita", PASSWORD).await;
    // Both addresses give the XML, always as a download and sandboxed should a browser show it.
    for path in [app::routes::document_xml(ubl), app::routes::document_pdf(ubl, false)] {
        let (status, headers, bytes) = app.request_bytes(get(&path, &rita)).await;
        assert_eq!((status, bytes.as_ref()), (StatusCode::OK, UBL_XRECHNUNG), "{path}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/xml", "{path}");
        let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(disposition.starts_with("attachment; filename=\"Rechnung_RE-2024-0042.xml\""), "{disposition}");
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], "sandbox; default-src 'none'");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }

    // Another customer's e-invoice is not there for otto, as is one that never was.
    let otto = app.sign_in("otto", PASSWORD).await;
    let foreign = app.request_bytes(get(&app::routes::document_xml(ubl), &otto)).await;
    let missing = app.request_bytes(get(&app::routes::document_xml(ubl + 100), &otto)).await;
    assert_eq!(foreign.0, StatusCode::NOT_FOUND);
    assert_eq!((foreign.0, foreign.2), (missing.0, missing.2));
}

#[tokio::test]
async fn the_xml_of_a_factur_x_pdf_downloads_byte_for_byte_and_a_plain_pdf_has_none() {
    let app = spawn_app().await;
    customer_with_password(&app, "81001", "rita", PASSWORD).await;
    let key = api_key(&app).await;
    let (_, body) = deliver(&app, &key, "471102", "rechnung", "2024-11-15", &factur_x(CII_EN16931)).await;
    let hybrid = body["id"].as_i64().unwrap();
    let plain = document_pdf_with("Muster Entsorgung GmbH", "Rechnung RE-1", &[], None);
    let (status, body) = deliver(&app, &key, "RE-1", "rechnung", "2024-11-15", &plain).await;
    assert_eq!((status, &body["einvoice"], &body["warnings"]), (StatusCode::CREATED, &Value::Null, &serde_json::json!([])));
    let plain_id = body["id"].as_i64().unwrap();

    let rita = app.sign_in("rita", PASSWORD).await;
    let (status, headers, bytes) = app.request_bytes(get(&app::routes::document_xml(hybrid), &rita)).await;
    assert_eq!((status, bytes.as_ref()), (StatusCode::OK, CII_EN16931));
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("Rechnung_471102.xml"));
    let (status, headers, _) = app.request_bytes(get(&app::routes::document_pdf(hybrid, false), &rita)).await;
    assert_eq!((status, headers[header::CONTENT_TYPE].to_str().unwrap()), (StatusCode::OK, "application/pdf"), "the PDF stays the PDF");
    assert_eq!(app.request_bytes(get(&app::routes::document_xml(plain_id), &rita)).await.0, StatusCode::NOT_FOUND);

    let audited: Vec<String> = db::query_scalar("SELECT action FROM audit_log WHERE actor_kind = 'user' AND action LIKE 'document_%' ORDER BY id")
        .fetch_all(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(audited, ["document_downloaded", "document_viewed"], "the XML's download is in the activity log");
}

#[tokio::test]
async fn broken_and_hostile_files_are_refused_or_provided_as_plain_pdfs() {
    let app = spawn_app().await;
    customer_with_password(&app, "81001", "rita", PASSWORD).await;
    let key = api_key(&app).await;

    // Well-formed XML that is no invoice: not a file the portal takes.
    let (status, _) = deliver(&app, &key, "RE-1", "rechnung", "2024-11-15", b"<html><body>kein PDF</body></html>").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // An invoice XML cut off, one without its number, and entity expansion: refused, naming the file.
    let cut = &CII_EN16931[..CII_EN16931.len() / 2];
    let unnumbered = String::from_utf8_lossy(UBL_XRECHNUNG).replace("<cbc:ID>RE-2024-0042</cbc:ID>", "");
    let laughs = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&lol2;</ID></Invoice>"#;
    for (what, file) in [("cut", cut), ("unnumbered", unnumbered.as_bytes()), ("laughs", &laughs[..])] {
        let (status, body) = deliver(&app, &key, "RE-2024-0042", "rechnung", "2024-06-30", file).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file")), "{what}: {body}");
        assert!(body["error"].as_str().unwrap().starts_with("Die Datei ist keine lesbare E-Rechnung"), "{what}: {body}");
    }
    // 10,000 nested elements inside a PDF's invoice XML: the PDF is provided, the XML noted as unreadable.
    let deep = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
    let (status, body) = deliver(&app, &key, "RE-2", "rechnung", "2024-11-15", &factur_x(deep.as_bytes())).await;
    assert_eq!((status, &body["einvoice"]), (StatusCode::CREATED, &Value::Null), "{body}");
    let warnings = body["warnings"].as_array().unwrap();
    assert!(warnings.len() == 1 && warnings[0].as_str().unwrap().contains("nicht lesbar"), "{body}");

    assert_eq!((app.count("documents").await, app.count("einvoices").await), (1, 0));
    assert_eq!(app.state.documents.list().await.unwrap().len(), 1, "nothing of the refused files was stored");
}

#[tokio::test]
async fn the_invoice_xml_goes_with_its_document_and_never_before() {
    let app = spawn_app().await;
    customer_with_password(&app, "81001", "rita", PASSWORD).await;
    let key = api_key(&app).await;
    let pdf = factur_x(CII_EN16931);
    let (status, _) = deliver(&app, &key, "471102", "rechnung", "2024-11-15", &pdf).await;
    assert_eq!(status, StatusCode::CREATED);

    // Days later (past the real time the files were written): the sweep leaves the XML of a listed document alone.
    let real_now = app::server::clock::Clock::system().now();
    app.state.clock.advance(real_now.max(app.state.clock.now()) - app.state.clock.now() + 3 * 24 * 3600);
    assert_eq!(app::documents::ssr::retention::sweep_orphans(&app.state).await.unwrap(), 0);
    assert!(stored(&app, CII_EN16931).await.is_some());

    // Past its time the document goes, and its XML with it.
    app.state.clock.advance(400 * 24 * 3600);
    assert_eq!(app::documents::ssr::retention::purge_expired(&app.state).await.unwrap(), 1);
    assert_eq!((app.count("documents").await, app.count("einvoices").await), (0, 0));
    assert!(stored(&app, &pdf).await.is_none() && stored(&app, CII_EN16931).await.is_none(), "both files are gone");
}
