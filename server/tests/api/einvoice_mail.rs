//! E-invoices passed on by mail: a forwarding that sends the PDF, only the
//! invoice XML, or both, and "mit Anhang" with the XML — through the real
//! outbox to a real SMTP server on loopback, the attachments compared byte
//! for byte with what was ingested. Also the forwarding form's choice and
//! Profil's checkbox, stored and refused as the forms send them.

use crate::common::*;
use app::documents::ssr::demo::document_pdf_with;
use app::documents::ssr::ingest::{ingest, Ingester, NewDocument};
use app::domain::{InputError, Refusal};
use app::forwarding::ssr::ForwardingError;
use app::server::db;
use axum::http::StatusCode;
use base64::Engine;

const PASSWORD: &str = "Anhang-Wahl-42";
/// Invoice 471102 of 15 November 2024: the number its document must have.
const CII_EN16931: &[u8] = include_bytes!("../../../app/src/documents/einvoice/fixtures/cii_en16931.xml");

fn factur_x() -> Vec<u8> {
    document_pdf_with("Muster Entsorgung GmbH", "Rechnung 471102", &["Betrag: 529,87 €".to_owned()], Some(CII_EN16931))
}

/// A PDF without an e-invoice, with bytes of every value (base64 must carry them intact).
fn plain_pdf(text: &str) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    bytes.extend(format!("% {text}\n").as_bytes());
    bytes.extend(0..=255u8);
    bytes.extend(b"\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");
    bytes
}

async fn provide(app: &TestApp, customer: &str, number: &str, created: &str, bytes: Vec<u8>) -> i64 {
    let new = NewDocument::parse(customer, number, "rechnung", created, None).unwrap();
    ingest(&app.state, &Ingester::Operator, new, bytes.into()).await.unwrap().id()
}

/// Lets the notices' batch window pass and hands every due mail to the server.
async fn deliver(app: &TestApp) -> usize {
    app.state.clock.advance(121);
    app.state.outbox_worker().deliver_due().await.unwrap()
}

fn header_of<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    mail.lines().find_map(|line| line.strip_prefix(&format!("{name}: ")))
}

fn to_of(mail: &str) -> &str {
    header_of(mail, "To").unwrap_or_default()
}

/// One attachment of a mail: its file name, content type and bytes.
#[derive(Debug, PartialEq, Eq)]
struct Attached {
    name: String,
    content_type: String,
    bytes: Vec<u8>,
}

/// Every attachment of `mail`, in order.
fn attachments_of(mail: &str) -> Vec<Attached> {
    let boundaries: Vec<String> =
        mail.split("boundary=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(|b| format!("\r\n--{b}")).collect();
    let mut found = Vec::new();
    let mut parts = vec![mail];
    for boundary in &boundaries {
        parts = parts.into_iter().flat_map(|part| part.split(boundary.as_str())).collect();
    }
    for part in parts {
        let Some(header_end) = part.find("\r\n\r\n") else { continue };
        let headers = part[..header_end].replace("\r\n ", " ").replace("\r\n\t", " ");
        if !headers.contains("Content-Disposition: attachment") {
            continue;
        }
        let name = headers.split("filename=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_owned();
        let content_type = headers
            .lines()
            .find_map(|line| line.strip_prefix("Content-Type: "))
            .map(|value| value.split(';').next().unwrap_or_default().trim().to_owned())
            .unwrap_or_default();
        assert!(headers.contains("Content-Transfer-Encoding: base64"), "{headers}");
        let clean: String = part[header_end + 4..].chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = base64::engine::general_purpose::STANDARD.decode(clean).unwrap();
        found.push(Attached { name, content_type, bytes });
    }
    found
}

fn attached(name: &str, content_type: &str, bytes: &[u8]) -> Attached {
    Attached { name: name.to_owned(), content_type: content_type.to_owned(), bytes: bytes.to_vec() }
}

/// The decoded text part of `mail` (base64 or quoted-printable).
fn text_of(mail: &str) -> String {
    let start = mail.find("Content-Type: text/plain").expect("a text part");
    let part = &mail[start..];
    let header_end = part.find("\r\n\r\n").unwrap();
    let body_start = header_end + 4;
    let end = part[body_start..].find("\r\n--").map_or(part.len(), |end| body_start + end);
    if part[..header_end].contains("Content-Transfer-Encoding: base64") {
        let clean: String = part[body_start..end].chars().filter(|c| !c.is_whitespace()).collect();
        return String::from_utf8(base64::engine::general_purpose::STANDARD.decode(clean).unwrap()).unwrap();
    }
    let body = part[body_start..end].replace("=\r\n", "");
    let mut out = Vec::new();
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i] == b'=').then(|| body.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok())).flatten() {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// Adds a forwarding through the form's server function and confirms it
/// through the link its address was mailed (from the outbox, unsent).
async fn confirmed_forwarding(app: &TestApp, cookie: &str, email: &str, sends: &str) {
    let form = [("email", email), ("confirm", email), ("type_key", "rechnung"), ("sends", sends)];
    let added = app.call("forwardings/add", &form, Some(cookie)).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let optin: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'forwarding_optin' AND recipient = $1")
        .bind(email)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    let (_, token) = link_in(&optin, app::routes::FORWARDING_CONFIRM);
    let confirmed = app.call("forwardings/confirm", &[("token", &token)], None).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
}

/// The one mail that reached `address` and names `number` in its subject.
fn mail_to<'a>(mails: &'a [String], address: &str, number: &str) -> &'a str {
    let found: Vec<&String> =
        mails.iter().filter(|mail| to_of(mail) == address && header_of(mail, "Subject").is_some_and(|s| s.contains(number))).collect();
    assert_eq!(found.len(), 1, "one mail about {number} to {address}");
    found[0]
}

#[tokio::test]
async fn a_forwarding_sends_the_pdf_the_xml_or_both_as_chosen_and_a_plain_pdf_always_as_the_pdf() {
    let (app, mailbox) = smtp_app(&[]).await;
    let main = customer_with_password(&app, "82001", "xmlweiter", PASSWORD).await;
    db::query("UPDATE users SET notify_mode = 'none' WHERE id = $1").bind(main).execute(&app.state.pool).await.unwrap();
    let cookie = app.sign_in("xmlweiter", PASSWORD).await;
    confirmed_forwarding(&app, &cookie, "xml@fibu.example", "xml").await;
    confirmed_forwarding(&app, &cookie, "beides@fibu.example", "both").await;
    confirmed_forwarding(&app, &cookie, "pdf@fibu.example", "file").await;
    assert_eq!(deliver(&app).await, 3, "the three confirmation mails");

    let invoice = factur_x();
    provide(&app, "82001", "471102", "2024-11-15", invoice.clone()).await;
    let plain = plain_pdf("Rechnung ohne E-Rechnung");
    provide(&app, "82001", "RE-OHNE-1", "2024-11-16", plain.clone()).await;
    assert_eq!(deliver(&app).await, 6, "each document to each forwarding");
    let mails = mailbox.wait_for(9).await;

    let only_xml = mail_to(&mails, "xml@fibu.example", "471102");
    assert_eq!(
        attachments_of(only_xml),
        [attached("Rechnung_471102.xml", "application/xml", CII_EN16931)],
        "exactly the invoice XML, byte for byte"
    );
    let text = text_of(only_xml);
    assert!(text.contains("Anbei die E-Rechnung als XML: Rechnung_471102.xml"), "{text}");
    assert!(!text.contains("als PDF"), "{text}");

    let both = mail_to(&mails, "beides@fibu.example", "471102");
    assert_eq!(
        attachments_of(both),
        [attached("Rechnung_471102.pdf", "application/pdf", &invoice), attached("Rechnung_471102.xml", "application/xml", CII_EN16931)]
    );
    let text = text_of(both);
    assert!(text.contains("als PDF (Rechnung_471102.pdf) und als E-Rechnung im XML-Format (Rechnung_471102.xml)"), "{text}");

    let pdf = mail_to(&mails, "pdf@fibu.example", "471102");
    assert_eq!(attachments_of(pdf), [attached("Rechnung_471102.pdf", "application/pdf", &invoice)], "as before e-invoices");
    assert!(text_of(pdf).contains("Das Dokument ist als PDF angehängt (Rechnung_471102.pdf)."));

    // Without an e-invoice every forwarding sends the PDF, and says so.
    for address in ["xml@fibu.example", "beides@fibu.example", "pdf@fibu.example"] {
        let mail = mail_to(&mails, address, "RE-OHNE-1");
        assert_eq!(attachments_of(mail), [attached("Rechnung_RE-OHNE-1.pdf", "application/pdf", &plain)], "{address}");
        assert!(text_of(mail).contains("Das Dokument ist als PDF angehängt (Rechnung_RE-OHNE-1.pdf)."), "{address}");
    }
}

#[tokio::test]
async fn mit_anhang_adds_the_xml_only_for_a_user_who_ticked_it() {
    let (app, mailbox) = smtp_app(&[]).await;
    let main = customer_with_password(&app, "82002", "mitxml", PASSWORD).await;
    let customer = customer_id_of(&app, main).await;
    TestUser::sub("ohnexml").email("ohnexml@kunden.example").password(PASSWORD).notify("attachment").create(&app, customer).await;
    let cookie = app.sign_in("mitxml", PASSWORD).await;
    let saved = app.call("profile/set_notification", &[("mode", "attachment"), ("with_xml", "on")], Some(&cookie)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);

    let invoice = factur_x();
    provide(&app, "82002", "471102", "2024-11-15", invoice.clone()).await;
    assert_eq!(deliver(&app).await, 2);
    let mails = mailbox.wait_for(2).await;

    let with_xml = mail_to(&mails, "mitxml@kunden.example", "471102");
    assert_eq!(
        attachments_of(with_xml),
        [attached("Rechnung_471102.pdf", "application/pdf", &invoice), attached("Rechnung_471102.xml", "application/xml", CII_EN16931)]
    );
    let text = text_of(with_xml);
    assert!(text.contains("als PDF (Rechnung_471102.pdf) und als E-Rechnung im XML-Format (Rechnung_471102.xml)"), "{text}");
    let without = mail_to(&mails, "ohnexml@kunden.example", "471102");
    assert_eq!(attachments_of(without), [attached("Rechnung_471102.pdf", "application/pdf", &invoice)]);
    assert!(text_of(without).contains("Sie finden es als PDF im Anhang dieser E-Mail (Rechnung_471102.pdf)."));
}

async fn stored_sends(app: &TestApp) -> Vec<(String, String)> {
    db::query_as("SELECT email, sends FROM forwardings ORDER BY id").fetch_all(&app.state.pool).await.unwrap()
}

#[tokio::test]
async fn the_forwarding_form_stores_what_it_sends_and_refuses_anything_else() {
    let app = spawn_app().await;
    let main = customer_with_password(&app, "82003", "formwahl", PASSWORD).await;
    let user = session_user(&app, main).await;
    let add = |email: &'static str, sends: &'static str| {
        let (app, user) = (&app, &user);
        async move { app::forwarding::ssr::add(&app.state, user, email, email, "", sends, None).await }
    };
    add("beides@form.example", "both").await.unwrap();
    add("xml@form.example", "xml").await.unwrap();
    let refused = add("fax@form.example", "fax").await.unwrap_err();
    assert!(
        matches!(&refused, ForwardingError::Input(input) if *input == InputError::new(Refusal::AttachmentPartsUnknown).at("sends")),
        "{refused:?}"
    );
    assert!(matches!(add("leer@form.example", "").await, Err(ForwardingError::Input(_))), "a radio group always sends one");
    assert_eq!(stored_sends(&app).await, [("beides@form.example".into(), "both".into()), ("xml@form.example".into(), "xml".into())]);

    // The list says what each sends; a call without the field (an older page) sends the PDF.
    let cookie = app.sign_in("formwahl", PASSWORD).await;
    let old = [("email", "alt@form.example"), ("confirm", "alt@form.example"), ("type_key", "")];
    assert_eq!(app.call("forwardings/add", &old, Some(&cookie)).await.status, StatusCode::OK);
    let list: serde_json::Value = serde_json::from_str(&app.call("forwardings/list", &[], Some(&cookie)).await.body).unwrap();
    let sends: Vec<(&str, &str)> =
        list["rows"].as_array().unwrap().iter().map(|row| (row["email"].as_str().unwrap(), row["sends"].as_str().unwrap())).collect();
    assert_eq!(sends, [("alt@form.example", "File"), ("beides@form.example", "Both"), ("xml@form.example", "Xml")]);
    let page = app.get("/weiterleitungen", Some(&cookie)).await;
    assert!(page.body.contains("<legend>Anhang"), "the radio group");
    for shown in ["PDF", "nur die E-Rechnung (XML)", "PDF und E-Rechnung (XML)"] {
        assert!(page.body.contains(&format!("<td data-label=\"Anhang\">{shown}")), "the list says {shown}");
    }
    assert!(page.body.contains("Dokumente ohne E-Rechnung werden immer als PDF gesendet."));

    // Refused over the wire: 422 naming the field, nothing stored.
    let form = [("email", "neu@form.example"), ("confirm", "neu@form.example"), ("type_key", ""), ("sends", "pdf")];
    let refused = app.call("forwardings/add", &form, Some(&cookie)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&refused).field(), Some("sends"));
    assert!(refused.refusal_text().contains("Bitte wählen Sie, was angehängt werden soll"), "{}", refused.body);
    assert_eq!(stored_sends(&app).await.len(), 3);
}

#[tokio::test]
async fn without_javascript_a_refused_form_keeps_its_choice_and_a_sub_user_without_the_right_is_refused() {
    let app = spawn_app().await;
    let main = customer_with_password(&app, "82004", "ohnejs", PASSWORD).await;
    let cookie = app.sign_in("ohnejs", PASSWORD).await;

    let differ = [("email", "a@nojs.example"), ("confirm", "b@nojs.example"), ("type_key", ""), ("sends", "xml")];
    let back = app.request(plain_form_post("forwardings/add", &differ, &cookie)).await;
    let location = back.location().unwrap().to_owned();
    assert_eq!(location, "/weiterleitungen?versand=xml&fehler=email-gleich&feld=confirm");
    let page = app.get(&location, Some(&cookie)).await;
    assert!(page.body.contains("Die beiden E-Mail-Adressen stimmen nicht überein."));
    let radio = |key: &str| {
        let start = page.body.find(&format!("id=\"forwarding-sends-{key}\"")).unwrap();
        let open = page.body[..start].rfind('<').unwrap();
        page.body[open..start + page.body[start..].find('>').unwrap()].to_owned()
    };
    assert!(radio("xml").contains("checked"), "the choice stays: {}", radio("xml"));
    assert!(!radio("file").contains("checked"), "{}", radio("file"));

    let crafted = [("email", "a@nojs.example"), ("confirm", "a@nojs.example"), ("type_key", ""), ("sends", "fax")];
    let back = app.request(plain_form_post("forwardings/add", &crafted, &cookie)).await;
    let location = back.location().unwrap().to_owned();
    assert_eq!(location, "/weiterleitungen?fehler=versand&feld=sends");
    let page = app.get(&location, Some(&cookie)).await;
    assert!(page.body.contains("id=\"forwarding-sends-fehler\""), "the message at the group");
    assert!(page.body.contains("Bitte wählen Sie, was angehängt werden soll"));

    let fine = [("email", "a@nojs.example"), ("confirm", "a@nojs.example"), ("type_key", ""), ("sends", "both")];
    let done = app.request(plain_form_post("forwardings/add", &fine, &cookie)).await;
    assert_eq!(done.location(), Some("/weiterleitungen?hinzugefuegt=1"));
    assert_eq!(stored_sends(&app).await, [("a@nojs.example".into(), "both".into())]);

    // Only a user with the right "Weiterleitungen verwalten" reaches the form's server function.
    let customer = customer_id_of(&app, main).await;
    TestUser::sub("ohnerecht").password(PASSWORD).rights(false, false).create(&app, customer).await;
    let other = app.sign_in("ohnerecht", PASSWORD).await;
    let form = [("email", "c@nojs.example"), ("confirm", "c@nojs.example"), ("type_key", ""), ("sends", "xml")];
    assert_eq!(app.call("forwardings/add", &form, Some(&other)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(stored_sends(&app).await.len(), 1);
}

#[tokio::test]
async fn the_xml_checkbox_is_saved_with_the_mode_with_and_without_javascript() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "82005", "haekchen", PASSWORD).await;
    let cookie = app.sign_in("haekchen", PASSWORD).await;
    let choice = |app: &TestApp| {
        let pool = app.state.pool.clone();
        async move {
            db::query_as::<(String, bool)>("SELECT notify_mode, notify_with_xml FROM users WHERE id = $1")
                .bind(user)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(choice(&app).await, ("notify".into(), false));
    let read: serde_json::Value = serde_json::from_str(&app.call("profile/notification", &[], Some(&cookie)).await.body).unwrap();
    assert_eq!(read, serde_json::json!({ "mode": "Notify", "with_xml": false }));

    let ticked = app.request(plain_form_post("profile/set_notification", &[("mode", "attachment"), ("with_xml", "on")], &cookie)).await;
    assert_eq!(ticked.location(), Some("/profil?bereich=benachrichtigung&gespeichert=1"));
    assert_eq!(choice(&app).await, ("attachment".into(), true));
    let page = app.get("/profil?bereich=benachrichtigung&gespeichert=1", Some(&cookie)).await;
    let checkbox_start = page.body.find("id=\"notify-with-xml\"").expect("the checkbox");
    let open = page.body[..checkbox_start].rfind('<').unwrap();
    let checkbox = &page.body[open..checkbox_start + page.body[checkbox_start..].find('>').unwrap()];
    assert!(checkbox.contains("checked"), "{checkbox}");
    assert!(page.body.contains("E-Rechnung (XML) mitsenden"));

    // Unticked, a form sends no field: that is "no", the mode as chosen.
    let unticked = app.call("profile/set_notification", &[("mode", "attachment")], Some(&cookie)).await;
    assert_eq!(unticked.status, StatusCode::OK, "{}", unticked.body);
    assert_eq!(choice(&app).await, ("attachment".into(), false));
    // Each change is in the activity log, the XML choice's too.
    assert_eq!(
        audit_details(&app, "notification_changed").await,
        [
            "Bereitstellung von Dokumenten: nur Benachrichtigung → mit Anhang; E-Rechnung (XML) mitsenden: an",
            "E-Rechnung (XML) mitsenden: aus",
        ]
    );
    // A refused mode stores nothing, not even the checkbox.
    let refused = app.call("profile/set_notification", &[("mode", "fax"), ("with_xml", "on")], Some(&cookie)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(choice(&app).await, ("attachment".into(), false));
    // The app's API sets the mode and leaves the XML choice as it is.
    app::profile::ssr::set_notification(
        &app.state,
        &session_user(&app, user).await,
        app::profile::NotificationChoice { mode: app::profile::NotifyMode::Attachment, with_xml: true },
        None,
    )
    .await
    .unwrap();
    app::profile::ssr::set_notify_mode(&app.state, &session_user(&app, user).await, app::profile::NotifyMode::Notify, None).await.unwrap();
    assert_eq!(choice(&app).await, ("notify".into(), true), "kept for when \"mit Anhang\" is chosen again");
}
