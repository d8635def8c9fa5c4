//! E-invoices in the app's API: each document says whether its file is a
//! PDF or an XML and carries the e-invoice's key fields (the shape the
//! ingest answers with), `/api/v1/documents/{id}/xml` serves the XML byte
//! for byte and only the customer's own; the OpenAPI document describes it
//! all — through the real router, a real database and real files.

use crate::common::*;
use app::documents::ssr::demo::{document_pdf, document_pdf_with};
use app::documents::ssr::ingest::{ingest, Ingester, NewDocument};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "App-Rechnung-42";
/// Invoice 471102 of 15 November 2024, due 15 December, 529.87 EUR, EN 16931.
const CII_EN16931: &[u8] = include_bytes!("../../../app/src/documents/einvoice/fixtures/cii_en16931.xml");
/// XRechnung 3.0 in UBL: RE-2024-0042 of 30 June 2024, due 30 July, 238.00 EUR.
const UBL_XRECHNUNG: &[u8] = include_bytes!("../../../app/src/documents/einvoice/fixtures/ubl_xrechnung_invoice.xml");

fn json_of(response: &TestResponse) -> Value {
    serde_json::from_str(&response.body).unwrap_or_else(|_| panic!("not JSON: {} {}", response.status, response.body))
}

/// A real PDF without an invoice XML.
fn plain_pdf(number: &str) -> Vec<u8> {
    document_pdf("Muster Entsorgung GmbH", &format!("Rechnung {number}"), &["Betrag: 12,50 €".to_owned()])
}

async fn provide(app: &TestApp, customer: &str, number: &str, created: &str, bytes: Vec<u8>) -> i64 {
    let new = NewDocument::parse(customer, number, "rechnung", created, None).unwrap();
    let id = ingest(&app.state, &Ingester::Operator, new, bytes.into()).await.unwrap().id();
    app.state.clock.advance(60);
    id
}

async fn bytes_of(app: &TestApp, path: &str, access: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let request = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {access}")).body(Body::empty()).unwrap();
    let (status, headers, bytes) = app.request_bytes(request).await;
    (status, headers, bytes.to_vec())
}

#[tokio::test]
async fn the_apps_documents_carry_the_einvoice_and_its_xml_only_for_their_own_customer() {
    let app = spawn_app().await;
    customer_with_password(&app, "92001", "app-rita", PASSWORD).await;
    customer_with_password(&app, "92002", "app-sven", PASSWORD).await;
    let factur_x = document_pdf_with("Muster Entsorgung GmbH", "Rechnung 471102", &["Betrag: 529,87 €".to_owned()], Some(CII_EN16931));
    let plain = provide(&app, "92001", "RE-1", "2026-01-15", plain_pdf("RE-1")).await;
    let bare = provide(&app, "92001", "RE-2024-0042", "2024-06-30", UBL_XRECHNUNG.to_vec()).await;
    let pdf = provide(&app, "92001", "471102", "2024-11-15", factur_x.clone()).await;
    let foreign = provide(&app, "92002", "471102", "2024-11-15", factur_x).await;
    let access = app.app_sign_in("app-rita", PASSWORD).await.access;

    let list = json_of(&app.api_get("/api/v1/documents", &access).await);
    let items = list["items"].as_array().unwrap();
    let ids: Vec<i64> = items.iter().map(|item| item["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [pdf, bare, plain], "newest first, only the own");
    let expected_pdf = json!({
        "profile": "EN 16931",
        "syntax": "cii",
        "invoice_number": "471102",
        "type_code": "380",
        "issue_date": "2024-11-15",
        "due_date": "2024-12-15",
        "currency": "EUR",
        "grand_total": "529.87",
        "due_payable": "529.87",
        "seller": "Lieferant GmbH",
        "xml": format!("/api/v1/documents/{pdf}/xml"),
    });
    assert_eq!((&items[0]["file_type"], &items[0]["einvoice"]), (&json!("pdf"), &expected_pdf));
    let xrechnung = &items[1]["einvoice"];
    assert_eq!(items[1]["file_type"], "xml", "delivered as bare XML");
    assert_eq!(
        [&xrechnung["profile"], &xrechnung["syntax"], &xrechnung["invoice_number"], &xrechnung["due_date"], &xrechnung["due_payable"], &xrechnung["seller"]],
        [&json!("XRECHNUNG"), &json!("ubl_invoice"), &json!("RE-2024-0042"), &json!("2024-07-30"), &json!("238.00"), &json!("ACME GmbH")]
    );
    assert_eq!(xrechnung["xml"], format!("/api/v1/documents/{bare}/xml"));
    assert_eq!((&items[2]["file_type"], &items[2]["einvoice"]), (&json!("pdf"), &Value::Null), "a plain PDF");

    let one = json_of(&app.api_get(&format!("/api/v1/documents/{pdf}"), &access).await);
    assert_eq!((&one["number"], &one["file_type"], &one["einvoice"]), (&json!("471102"), &json!("pdf"), &expected_pdf));
    let one_plain = json_of(&app.api_get(&format!("/api/v1/documents/{plain}"), &access).await);
    assert_eq!((&one_plain["file_type"], &one_plain["einvoice"]), (&json!("pdf"), &Value::Null));

    // The XML where the document says it is, byte for byte, the PDF itself unchanged.
    for (id, xml) in [(pdf, CII_EN16931), (bare, UBL_XRECHNUNG)] {
        let (status, headers, bytes) = bytes_of(&app, &format!("/api/v1/documents/{id}/xml"), &access).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/xml"), "{headers:?}");
        assert_eq!(bytes, xml, "document {id}");
    }

    // A plain PDF has no XML; another customer's e-invoice is not there: both as a missing document.
    let missing = app.api_get("/api/v1/documents/999999/xml", &access).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    for path in [format!("/api/v1/documents/{plain}/xml"), format!("/api/v1/documents/{foreign}/xml"), format!("/api/v1/documents/{foreign}")] {
        let refused = app.api_get(&path, &access).await;
        assert_eq!((refused.status, refused.body.as_str()), (missing.status, missing.body.as_str()), "{path}");
    }
}

#[tokio::test]
async fn the_ingest_answer_and_the_app_give_an_einvoice_in_one_shape_and_the_openapi_document_describes_it() {
    let app = spawn_app().await;
    customer_with_password(&app, "92011", "app-udo", PASSWORD).await;
    let key = app::documents::ssr::api_keys::create(&app.state.pool, "faktura", app.state.clock.now()).await.unwrap();
    let fields = [("customer", "92011"), ("number", "RE-2024-0042"), ("type", "rechnung"), ("created", "2024-06-30")];
    let delivered = app.request(ingest_upload(Some(&key), multipart_body(&fields, Some(UBL_XRECHNUNG)))).await;
    assert_eq!(delivered.status, StatusCode::CREATED, "{}", delivered.body);
    let delivered = json_of(&delivered);

    let access = app.app_sign_in("app-udo", PASSWORD).await.access;
    let listed = json_of(&app.api_get("/api/v1/documents", &access).await);
    assert_eq!(listed["items"][0]["id"], delivered["id"]);
    assert!(delivered["einvoice"].is_object());
    assert_eq!(listed["items"][0]["einvoice"], delivered["einvoice"], "one shape for both APIs");

    let document = json_of(&app.get("/api/v1/openapi.json", None).await);
    let schemas = &document["components"]["schemas"];
    let einvoice = schemas["EInvoice"]["properties"].as_object().expect("the EInvoice schema");
    let mut described: Vec<&str> = einvoice.keys().map(String::as_str).collect();
    described.sort_unstable();
    let mut served: Vec<&str> = delivered["einvoice"].as_object().unwrap().keys().map(String::as_str).collect();
    served.sort_unstable();
    assert_eq!(described, served, "every field the APIs give is described, and nothing more");
    let properties = &schemas["Document"]["properties"];
    assert!(properties["file_type"].is_object() && properties["einvoice"].is_object(), "{properties}");
    assert!(properties["einvoice"].to_string().contains("#/components/schemas/EInvoice"), "{}", properties["einvoice"]);
    let answer = &schemas["IngestAnswer"]["properties"]["einvoice"];
    assert!(answer.to_string().contains("#/components/schemas/EInvoice"), "the ingest answer names the same schema: {answer}");
    assert!(document["paths"]["/api/v1/documents/{id}/xml"]["get"].is_object());
}
