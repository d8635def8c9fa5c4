//! E-invoices in the Dokumente list and on their readable page: the row's
//! mark, amount and due date in the reader's language, "Nur E-Rechnungen",
//! the page's parties, lines and totals — and nothing of it for another
//! customer. Through the real router, a real database and real files.

use crate::common::*;
use app::documents::ssr::demo::document_pdf_with;
use app::documents::ssr::ingest::{ingest, Ingester, NewDocument};
use app::documents::{DocumentPage, EInvoiceSummary, ListShown};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

const PASSWORD: &str = "Rechnung-Wort-42";
/// Invoice 471102 of 15 November 2024, due 15 December, 529.87 EUR, EN 16931.
const CII_EN16931: &[u8] = include_bytes!("../../../app/src/documents/einvoice/fixtures/cii_en16931.xml");
/// XRechnung 3.0 in UBL: RE-2024-0042 of 30 June 2024, due 30 July, 238.00 EUR.
const UBL_XRECHNUNG: &[u8] = include_bytes!("../../../app/src/documents/einvoice/fixtures/ubl_xrechnung_invoice.xml");

fn plain_pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes()
}

async fn provide(app: &TestApp, customer: &str, number: &str, created: &str, bytes: Vec<u8>) -> i64 {
    let new = NewDocument::parse(customer, number, "rechnung", created, None).unwrap();
    ingest(&app.state, &Ingester::Operator, new, bytes.into()).await.unwrap().id()
}

fn factur_x() -> Vec<u8> {
    document_pdf_with("Lieferant GmbH", "Rechnung 471102", &["Betrag: 529,87 €".to_owned()], Some(CII_EN16931))
}

/// A page as a browser asking for `lang` gets it.
async fn page_in(app: &TestApp, path: &str, cookie: &str, lang: &str) -> TestResponse {
    let request = Request::get(path)
        .header(header::ACCEPT, "text/html")
        .header(header::ACCEPT_LANGUAGE, lang)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    app.request(request).await
}

/// `documents/list` as the page calls it, with "Nur E-Rechnungen" on or off.
async fn listed(app: &TestApp, cookie: &str, einvoices_only: bool) -> DocumentPage {
    list_page(app, cookie, &app::documents::ListQuery { einvoices_only, ..Default::default() }).await
}

#[tokio::test]
async fn an_einvoice_row_shows_its_mark_amount_and_due_date_and_the_filter_keeps_only_einvoices() {
    let app = spawn_app().await;
    customer_with_password(&app, "92001", "erika", PASSWORD).await;
    customer_with_password(&app, "92002", "fremd", PASSWORD).await;
    let plain = provide(&app, "92001", "RE-2026-0001", "2026-11-01", plain_pdf("RE-2026-0001")).await;
    let hybrid = provide(&app, "92001", "471102", "2024-11-15", factur_x()).await;
    let bare = provide(&app, "92001", "RE-2024-0042", "2024-06-30", UBL_XRECHNUNG.to_vec()).await;
    provide(&app, "92002", "RE-2026-0001", "2026-11-01", plain_pdf("fremd")).await;
    let erika = app.sign_in("erika", PASSWORD).await;
    let fremd = app.sign_in("fremd", PASSWORD).await;

    // The list's rows carry what the row shows, in German.
    let all = listed(&app, &erika, false).await;
    let rows: Vec<(i64, Option<EInvoiceSummary>)> = all.rows.iter().map(|row| (row.id, row.einvoice.clone())).collect();
    let summary = |profile: &str, amount: &str, due: &str, bare_xml| EInvoiceSummary {
        profile: profile.to_owned(),
        amount: Some(amount.to_owned()),
        due_on: Some(due.to_owned()),
        bare_xml,
    };
    assert_eq!(
        rows,
        [
            (bare, Some(summary("XRECHNUNG", "238,00\u{a0}€", "30.07.2024", true))),
            (hybrid, Some(summary("EN 16931", "529,87\u{a0}€", "15.12.2024", false))),
            (plain, None),
        ]
    );

    // "Nur E-Rechnungen": the two e-invoices, counted and paged as such.
    let only = listed(&app, &erika, true).await;
    assert_eq!((only.total, only.rows.iter().map(|row| row.id).collect::<Vec<_>>()), (2, vec![bare, hybrid]));

    // The page renders the mark, the amount, the due date and the links without JavaScript.
    let page = page_in(&app, "/dokumente", &erika, "de").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in ["E-Rechnung", "Profil EN 16931", "529,87\u{a0}€", "fällig 15.12.2024", "238,00\u{a0}€", "fällig 30.07.2024", "Nur E-Rechnungen"] {
        assert!(page.body.contains(text), "{text} missing");
    }
    let xml = format!("href=\"{}\"", app::routes::document_xml(hybrid));
    let readable = format!("href=\"{}\"", app::routes::document_einvoice(hybrid));
    assert!(page.body.contains(&xml) && page.body.contains(&readable), "the Factur-X row links its XML and its readable page");
    assert!(page.body.contains("aria-label=\"XML von Rechnung 471102 herunterladen\""));
    assert!(!page.body.contains(&format!("href=\"{}\"", app::routes::document_xml(plain))), "a plain PDF has no XML");
    assert!(!page.body.contains(&format!("href=\"{}\"", app::routes::document_pdf(bare, false))), "a bare XML is not viewed as a PDF");
    assert!(page.body.contains(&format!("href=\"{}\"", app::routes::document_einvoice(bare))), "a bare XML is viewed as its readable page");

    // The filter in the address: the checkbox ticked, the plain PDF gone.
    let filtered = page_in(&app, "/dokumente?art=e-rechnung", &erika, "de").await;
    assert!(filtered.body.contains("2 Dokumente"), "{}", filtered.body);
    assert!(filtered.body.contains("471102") && !filtered.body.contains("RE-2026-0001"));
    let checkbox = tag_with_id(&filtered.body, "art");
    assert!(checkbox.contains("checked"), "{checkbox}");
    assert!(!tag_with_id(&page.body, "art").contains("checked"));
    // What the browser shows in place for that address: the same, and the field to tick.
    let shown = app.call("documents/show", &[("address", "/dokumente?art=e-rechnung&typ=")], Some(&erika)).await;
    let shown: ListShown = serde_json::from_str(&shown.body).unwrap();
    assert_eq!((shown.address.as_str(), shown.summary.as_str()), ("/dokumente?art=e-rechnung", "2 Dokumente, Seite 1 von 1"));
    assert!(shown.fields.contains(&("art".to_owned(), "e-rechnung".to_owned())));
    assert!(shown.html.contains("fällig 15.12.2024") && !shown.html.contains("RE-2026-0001"));

    // In English: money and dates as an English reader writes them.
    let english = page_in(&app, "/dokumente", &erika, "en").await;
    for text in ["E-invoice", "€529.87", "due 15/12/2024", "Only e-invoices", "Download the XML of Invoice 471102"] {
        assert!(english.body.contains(text), "{text} missing in English");
    }

    // Another customer: no e-invoice, none of these rows.
    let theirs = listed(&app, &fremd, true).await;
    assert_eq!((theirs.total, theirs.rows.len()), (0, 0));
    let their_page = page_in(&app, "/dokumente?art=e-rechnung", &fremd, "de").await;
    assert!(!their_page.body.contains("471102") && !their_page.body.contains("badge-einvoice"), "another customer's e-invoices");
    assert_eq!(listed(&app, &fremd, false).await.total, 1);
}

#[tokio::test]
async fn the_readable_page_shows_the_invoice_and_counts_as_opening_it() {
    let app = spawn_app().await;
    customer_with_password(&app, "92011", "leser", PASSWORD).await;
    customer_with_password(&app, "92012", "andere", PASSWORD).await;
    let hybrid = provide(&app, "92011", "471102", "2024-11-15", factur_x()).await;
    let bare = provide(&app, "92011", "RE-2024-0042", "2024-06-30", UBL_XRECHNUNG.to_vec()).await;
    let plain = provide(&app, "92011", "RE-2026-0001", "2026-11-01", plain_pdf("RE-2026-0001")).await;
    let leser = app.sign_in("leser", PASSWORD).await;
    let andere = app.sign_in("andere", PASSWORD).await;

    let page = page_in(&app, &app::routes::document_einvoice(hybrid), &leser, "de").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for text in [
        "<h1 class=\"page-title\">Rechnung 471102<",
        "Profil EN 16931",
        "Lieferant GmbH",
        "Lieferantenstraße 20",
        "80333 München",
        "USt-IdNr. DE123456789",
        "Kunden &amp; Partner AG",
        "15.11.2024",
        "15.12.2024",
        "DE02 1203 0000 0000 2020 51",
        "Trennblätter A4",
        "20 Stück",
        "9,90\u{a0}€",
        "19\u{a0}%",
        "198,00\u{a0}€",
        "473,00\u{a0}€",
        "56,87\u{a0}€",
        "529,87\u{a0}€",
        "<caption class=\"section-title\">Positionen<",
        "data-label=\"Einzelpreis netto\"",
        "Zurück zu den Dokumenten",
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    assert!(page.body.contains(&format!("href=\"{}\"", app::routes::document_xml(hybrid))), "XML herunterladen");
    assert!(page.body.contains(&format!("href=\"{}\"", app::routes::document_pdf(hybrid, false))), "PDF ansehen");
    // Reading it opens the document: no longer new, and the log says who.
    let read: i64 = app::server::db::query_scalar("SELECT COUNT(*) FROM document_reads WHERE document_id = $1")
        .bind(hybrid)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(read, 1);
    assert_eq!(audit_details(&app, "document_viewed").await.len(), 1);

    // A bare XRechnung: the buyer's Leitweg-ID, hours in words, no PDF to view.
    let xrechnung = page_in(&app, &app::routes::document_einvoice(bare), &leser, "en").await;
    assert_eq!(xrechnung.status, StatusCode::OK);
    for text in ["Invoice RE-2024-0042", "XRECHNUNG", "ACME GmbH", "Stadt Musterstadt", "991-01234-56", "10 hours", "€15.00", "30/07/2024", "€238.00"] {
        assert!(xrechnung.body.contains(text), "{text} missing");
    }
    assert!(!xrechnung.body.contains(&format!("href=\"{}\"", app::routes::document_pdf(bare, false))), "no PDF to view");

    // Another customer's document, a document without an e-invoice and one
    // that never was: the same not found. Signed out: the login first.
    for (path, cookie) in [
        (app::routes::document_einvoice(hybrid), &andere),
        (app::routes::document_einvoice(plain), &leser),
        (app::routes::document_einvoice(i64::MAX), &leser),
        ("/dokumente/x/e-rechnung".to_owned(), &leser),
    ] {
        let answer = page_in(&app, &path, cookie, "de").await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert!(answer.body.contains("Die Seite oder der Eintrag wurde nicht gefunden.") && !answer.body.contains("Lieferant"), "{path}");
    }
    let signed_out = app.get(&app::routes::document_einvoice(hybrid), None).await;
    assert_eq!((signed_out.status, signed_out.location()), (StatusCode::FOUND, Some(app::routes::LOGIN)));
    let call = app.call("documents/einvoice", &[("id", &hybrid.to_string())], Some(&andere)).await;
    assert_eq!((call.status, error_of(&call)), (StatusCode::NOT_FOUND, app::error::AppError::NotFound));
    assert_eq!(audit_details(&app, "document_viewed").await.len(), 2, "only the two pages shown were opened");
}
