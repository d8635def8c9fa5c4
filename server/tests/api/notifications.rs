//! New-document mails, Weiterleitungen and the delivery log, against a
//! real SMTP server on loopback, a real database and a fixed clock.


use app::documents::ssr::ingest::{ingest, Ingester, NewDocument};
use app::server::db;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use base64::Engine;
use crate::common::*;
use serde_json::Value;

const PASSWORD: &str = "Post-Fach-42";
/// The batch window's default, and a bit.
const AFTER_BATCH: i64 = 121;

/// A PDF as writers make them: a binary comment after the header, and
/// bytes of every value (so the attachment must survive base64 intact).
fn pdf(text: &str) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    bytes.extend(format!("% {text}\n").as_bytes());
    bytes.extend((0..=255u8).chain([b'\r', b'\n', 0, b'.']));
    bytes.extend(b"\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");
    bytes
}

/// A sub-user of `customer_id`. `password: None` is a user invited but
/// without a password yet.
async fn sub_user(app: &TestApp, customer_id: i64, username: &str, password: Option<&str>, notify: &str, forwarding_right: bool) -> i64 {
    let user = TestUser::sub(username).email(&format!("{username}@kunden.example")).notify(notify).rights(false, forwarding_right);
    let user = match password {
        Some(password) => user.password(password),
        None => user,
    };
    user.create(app, customer_id).await
}

async fn set_notify(app: &TestApp, user_id: i64, mode: &str) {
    db::query("UPDATE users SET notify_mode = $1 WHERE id = $2").bind(mode).bind(user_id).execute(&app.state.pool).await.unwrap();
}

async fn provide(app: &TestApp, customer: &str, number: &str, kind: &str, bytes: Vec<u8>) -> i64 {
    provide_on(app, customer, number, kind, None, bytes).await
}

async fn provide_on(app: &TestApp, customer: &str, number: &str, kind: &str, provided: Option<&str>, bytes: Vec<u8>) -> i64 {
    let new = NewDocument::parse(customer, number, kind, "2026-11-20", provided).unwrap();
    ingest(&app.state, &Ingester::Operator, new, bytes.into()).await.unwrap().id()
}

/// Lets the batch window pass and hands every due mail to the server.
async fn deliver(app: &TestApp) -> usize {
    app.state.clock.advance(AFTER_BATCH);
    app.state.outbox_worker().deliver_due().await.unwrap()
}

fn header_of<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    mail.lines().find_map(|line| line.strip_prefix(&format!("{name}: ")))
}

fn to_of(mail: &str) -> String {
    header_of(mail, "To").unwrap_or_default().to_owned()
}

fn mails_to<'a>(mails: &'a [String], address: &str) -> Vec<&'a String> {
    mails.iter().filter(|mail| to_of(mail) == address).collect()
}

/// The decoded body of every part with this content type (quoted-printable
/// or base64), joined.
fn parts(mail: &str, content_type: &str) -> String {
    let boundaries = boundaries_of(mail);
    let mut out = String::new();
    let mut rest = mail;
    while let Some(start) = rest.find(&format!("Content-Type: {content_type}")) {
        let part = &rest[start..];
        let Some(header_end) = part.find("\r\n\r\n") else { break };
        let headers = &part[..header_end];
        let body_start = header_end + 4;
        let body_end = end_of_part(part, body_start, &boundaries);
        let body = &part[body_start..body_end];
        if headers.contains("Content-Transfer-Encoding: base64") {
            let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            out.push_str(&String::from_utf8_lossy(&base64::engine::general_purpose::STANDARD.decode(clean).unwrap()));
        } else if headers.contains("Content-Transfer-Encoding: quoted-printable") {
            out.push_str(&decode_quoted_printable(body));
        } else {
            // 7bit: a `=` is itself (`token=ab…` must not turn into a byte 0xAB).
            out.push_str(body);
        }
        rest = &part[body_end..];
    }
    out
}

/// The MIME boundaries a mail declares.
fn boundaries_of(mail: &str) -> Vec<String> {
    mail.split("boundary=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(|boundary| format!("\r\n--{boundary}")).collect()
}

/// Where the part's body that starts at `body_start` ends: at the next
/// boundary line — not at any line that starts with `--` (a token split by a
/// quoted-printable soft break can put `--` at the start of a line).
fn end_of_part(part: &str, body_start: usize, boundaries: &[String]) -> usize {
    boundaries.iter().filter_map(|boundary| part[body_start..].find(boundary.as_str())).min().map_or(part.len(), |end| body_start + end)
}

fn decode_quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() && u8::from_str_radix(&joined[i + 1..i + 3], 16).is_ok() {
            out.push(u8::from_str_radix(&joined[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn text_of(mail: &str) -> String {
    parts(mail, "text/plain")
}

/// The attachment's file name and bytes, if the mail has one.
fn attachment_of(mail: &str) -> Option<(String, Vec<u8>)> {
    let start = mail.find("Content-Disposition: attachment")?;
    let part = &mail[start..];
    let name_start = part.find("filename=\"")? + "filename=\"".len();
    let name: String = part[name_start..].chars().take_while(|c| *c != '"').collect();
    let body_start = part.find("\r\n\r\n")? + 4;
    let body_end = end_of_part(part, body_start, &boundaries_of(mail));
    let clean: String = part[body_start..body_end].chars().filter(|c| !c.is_whitespace()).collect();
    Some((name, base64::engine::general_purpose::STANDARD.decode(clean).unwrap()))
}

fn json(response: &TestResponse) -> Value {
    serde_json::from_str(&response.body).unwrap_or(Value::Null)
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    db::query_scalar("SELECT action FROM audit_log ORDER BY id").fetch_all(&app.state.pool).await.unwrap()
}

/// The parser above once cut a text part at a soft break followed by `--`
/// inside a token (1 token in 4,096), and the link then looked refused.
#[test]
fn a_token_split_before_two_dashes_is_read_whole() {
    let mail = "To: a@b.example\r\nContent-Type: multipart/alternative;\r\n boundary=\"Bnd0\"\r\n\r\n--Bnd0\r\n\
                Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
                https://portal.example.com/weiterleitung-bestaetigen?token=3DabcdefghijklM=\r\n--nopqrst\r\n\
                --Bnd0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p></p>\r\n--Bnd0--\r\n";
    assert_eq!(link_in(&text_of(mail), "/weiterleitung-bestaetigen").1, "abcdefghijklM--nopqrst");
}

#[tokio::test]
async fn each_user_gets_what_they_chose_and_only_active_users_with_a_password_get_anything() {
    let (app, mailbox) = smtp_app(&[]).await;
    let main = customer_with_password(&app, "61001", "haupt", PASSWORD).await;
    let customer = customer_id_of(&app, main).await;
    sub_user(&app, customer, "anhang", Some(PASSWORD), "attachment", false).await;
    sub_user(&app, customer, "keine", Some(PASSWORD), "none", false).await;
    sub_user(&app, customer, "eingeladen", None, "attachment", false).await;
    let inactive = sub_user(&app, customer, "inaktiv", Some(PASSWORD), "attachment", false).await;
    db::query("UPDATE users SET active = FALSE WHERE id = $1").bind(inactive).execute(&app.state.pool).await.unwrap();
    customer_with_password(&app, "61002", "fremd", PASSWORD).await;

    let bytes = pdf("Rechnung für den Anhang");
    provide(&app, "61001", "RE-100", "rechnung", bytes.clone()).await;
    // The notice waits for the rest of a batch run; the attachment mail does not.
    assert_eq!(app.state.outbox_worker().deliver_due().await.unwrap(), 1);
    assert_eq!(deliver(&app).await, 1);
    let mails = mailbox.wait_for(2).await;
    assert_eq!(mails.len(), 2, "exactly the two users who chose a mail");

    let notice = mails_to(&mails, "haupt@kunden.example");
    assert_eq!(notice.len(), 1);
    assert_eq!(header_of(notice[0], "Subject"), Some("Neues Dokument im Kundenportal: Rechnung RE-100"));
    let text = text_of(notice[0]);
    assert!(text.contains("Rechnung RE-100 vom 20.11.2026"), "{text}");
    assert!(text.contains("https://portal.example.com/dokumente"), "{text}");
    assert!(attachment_of(notice[0]).is_none(), "nur Benachrichtigung carries no PDF");

    let attached = mails_to(&mails, "anhang@kunden.example");
    assert_eq!(attached.len(), 1);
    let (name, content) = attachment_of(attached[0]).expect("mit Anhang carries the PDF");
    assert_eq!(name, "Rechnung_RE-100.pdf");
    assert_eq!(content, bytes, "the attachment is the ingested file, byte for byte");
    assert!(mails.iter().all(|mail| !to_of(mail).starts_with("fremd")));
}

#[tokio::test]
async fn above_the_size_limit_the_mail_carries_the_link_and_says_why() {
    let (app, mailbox) = smtp_app(&[("KP_MAIL_ATTACHMENT_MAX_MB", "1")]).await;
    let main = customer_with_password(&app, "61011", "gross", PASSWORD).await;
    set_notify(&app, main, "attachment").await;
    let mut bytes = pdf("groß");
    bytes.splice(10..10, std::iter::repeat_n(b' ', 1024 * 1024 + 1));
    provide(&app, "61011", "RE-GROSS", "rechnung", bytes).await;
    assert_eq!(deliver(&app).await, 1);
    let mail = &mailbox.wait_for(1).await[0];
    assert!(attachment_of(mail).is_none());
    let text = text_of(mail);
    assert!(text.contains("größer als die 1,0 MB"), "{text}");
    assert!(text.contains("https://portal.example.com/dokumente"), "{text}");
}

#[tokio::test]
async fn a_batch_of_ten_is_one_notice_per_user_and_ten_attachment_mails() {
    let (app, mailbox) = smtp_app(&[]).await;
    let main = customer_with_password(&app, "61021", "stapel", PASSWORD).await;
    let customer = customer_id_of(&app, main).await;
    sub_user(&app, customer, "stapelanhang", Some(PASSWORD), "attachment", false).await;
    sub_user(&app, customer, "stapelnotiz", Some(PASSWORD), "notify", false).await;
    for n in 1..=10 {
        provide(&app, "61021", &format!("RE-{n:03}"), "rechnung", pdf(&format!("Nummer {n}"))).await;
        app.state.clock.advance(3);
    }
    assert_eq!(deliver(&app).await, 12);
    let mails = mailbox.wait_for(12).await;
    assert_eq!(mails.len(), 12);
    for user in ["stapel", "stapelnotiz"] {
        let notices = mails_to(&mails, &format!("{user}@kunden.example"));
        assert_eq!(notices.len(), 1, "{user}: one notice for the batch");
        assert_eq!(header_of(notices[0], "Subject"), Some("10 neue Dokumente im Kundenportal"));
        let text = text_of(notices[0]);
        for n in 1..=10 {
            assert!(text.contains(&format!("Rechnung RE-{n:03} vom")), "{user} lists RE-{n:03}: {text}");
        }
    }
    let attached = mails_to(&mails, "stapelanhang@kunden.example");
    assert_eq!(attached.len(), 10);
    let mut names: Vec<String> = attached.iter().map(|mail| attachment_of(mail).unwrap().0).collect();
    names.sort();
    assert_eq!(names, (1..=10).map(|n| format!("Rechnung_RE-{n:03}.pdf")).collect::<Vec<_>>());

    // A document after the window starts the next notice.
    provide(&app, "61021", "RE-011", "rechnung", pdf("später")).await;
    assert_eq!(deliver(&app).await, 3);
}

#[tokio::test]
async fn a_document_already_past_its_time_in_the_list_sends_nothing() {
    let (app, mailbox) = smtp_app(&[]).await;
    let main = customer_with_password(&app, "61031", "alt", PASSWORD).await;
    set_notify(&app, main, "attachment").await;
    provide_on(&app, "61031", "RE-ALT", "rechnung", Some("2024-01-10"), pdf("alt")).await;
    assert_eq!(deliver(&app).await, 0);
    assert_eq!(app.count("mail_outbox").await, 0);
    assert_eq!(mailbox.len(), 0);
}

/// Adds a forwarding as the signed-in user and returns the response.
async fn add_forwarding(app: &TestApp, cookie: &str, email: &str, confirm: &str, kind: &str) -> TestResponse {
    app.call("forwardings/add", &[("email", email), ("confirm", confirm), ("type_key", kind)], Some(cookie)).await
}

/// The confirmation link's token from the newest mail to `address`.
fn optin_token(mails: &[String], address: &str) -> String {
    let mail = mails_to(mails, address).into_iter().rev().find(|mail| text_of(mail).contains("/weiterleitung-bestaetigen?token=")).unwrap();
    link_in(&text_of(mail), "/weiterleitung-bestaetigen").1
}

#[tokio::test]
async fn a_forwarding_forwards_matching_types_only_after_its_confirmation_until_it_is_removed() {
    let (app, mailbox) = smtp_app(&[]).await;
    let main = customer_with_password(&app, "61041", "weiter", PASSWORD).await;
    set_notify(&app, main, "none").await;
    let cookie = app.sign_in("weiter", PASSWORD).await;

    let added = add_forwarding(&app, &cookie, "buchhaltung@steuer.example", "buchhaltung@steuer.example", "rechnung").await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let list = json(&app.call("forwardings/list", &[], Some(&cookie)).await);
    assert_eq!(list["rows"][0]["status"], "Pending");
    assert_eq!(list["rows"][0]["types_label"], "Rechnung");
    assert_eq!(deliver(&app).await, 1);
    let mails = mailbox.wait_for(1).await;
    let optin = text_of(&mails[0]);
    assert!(optin.contains("Kunde 61041 (Kundennummer 61041)"), "{optin}");
    assert!(optin.contains("Dokumententypen: Rechnung"), "{optin}");
    let token = optin_token(&mails, "buchhaltung@steuer.example");

    // Unconfirmed, it forwards nothing.
    provide(&app, "61041", "RE-1", "rechnung", pdf("vorher")).await;
    assert_eq!(deliver(&app).await, 0);

    // Opening the page changes nothing; the button does.
    let page = app.get(&format!("/weiterleitung-bestaetigen?token={token}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("buchhaltung@steuer.example"));
    assert_eq!(page.headers.get(header::REFERRER_POLICY).unwrap(), "no-referrer");
    let confirmed = app.call("forwardings/confirm", &[("token", &token)], None).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let again = app.call("forwardings/confirm", &[("token", &token)], None).await;
    assert_eq!(again.status, StatusCode::GONE, "a link works once");
    assert_eq!(json(&app.call("forwardings/list", &[], Some(&cookie)).await)["rows"][0]["status"], "Confirmed");

    let invoice = pdf("Rechnung zum Weiterleiten");
    provide(&app, "61041", "RE-2", "rechnung", invoice.clone()).await;
    provide(&app, "61041", "GS-1", "gutschrift", pdf("Gutschrift")).await;
    assert_eq!(deliver(&app).await, 1, "the invoice only");
    let mails = mailbox.wait_for(2).await;
    let forwarded = mails.last().unwrap();
    assert_eq!(to_of(forwarded), "buchhaltung@steuer.example");
    assert_eq!(header_of(forwarded, "Subject"), Some("Rechnung RE-2"));
    assert_eq!(attachment_of(forwarded), Some(("Rechnung_RE-2.pdf".to_owned(), invoice)));
    let unsubscribe = header_of(forwarded, "List-Unsubscribe").unwrap();
    assert!(unsubscribe.starts_with("<https://portal.example.com/weiterleitung/abbestellen?token="), "{unsubscribe}");
    assert_eq!(header_of(forwarded, "List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
    assert!(text_of(forwarded).contains("https://portal.example.com/weiterleitung-beenden?token="));

    let id = list["rows"][0]["id"].as_i64().unwrap().to_string();
    let removed = app.call("forwardings/remove", &[("id", &id)], Some(&cookie)).await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    provide(&app, "61041", "RE-3", "rechnung", pdf("danach")).await;
    assert_eq!(deliver(&app).await, 0, "nothing after Entfernen");
    let actions = audit_actions(&app).await;
    for action in ["forwarding_added", "forwarding_confirmed", "forwarding_removed"] {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn one_click_unsubscribe_ends_the_forwarding_and_tells_the_main_user() {
    let (app, mailbox) = smtp_app(&[]).await;
    let main = customer_with_password(&app, "61051", "abbestellt", PASSWORD).await;
    set_notify(&app, main, "none").await;
    let cookie = app.sign_in("abbestellt", PASSWORD).await;
    add_forwarding(&app, &cookie, "rechnungen@eingang.example", "rechnungen@eingang.example", "").await;
    deliver(&app).await;
    let token = optin_token(&mailbox.wait_for(1).await, "rechnungen@eingang.example");
    assert_eq!(app.call("forwardings/confirm", &[("token", &token)], None).await.status, StatusCode::OK);
    provide(&app, "61051", "GS-9", "gutschrift", pdf("alle Typen")).await;
    assert_eq!(deliver(&app).await, 1, "alle Typen forwards a Gutschrift");
    let mails = mailbox.wait_for(2).await;
    let address = header_of(&mails[1], "List-Unsubscribe").unwrap().trim_matches(['<', '>']);
    let path = address.strip_prefix("https://portal.example.com").unwrap();

    // As a mail program sends it: no cookie, no Origin, no Sec-Fetch-Site.
    let one_click = |path: &str| {
        Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("List-Unsubscribe=One-Click"))
            .unwrap()
    };
    assert_eq!(app.request(one_click(path)).await.status, StatusCode::OK);
    assert_eq!(app.request(one_click(path)).await.status, StatusCode::GONE, "ended already");
    assert_eq!(json(&app.call("forwardings/list", &[], Some(&cookie)).await)["rows"], Value::Array(vec![]));

    provide(&app, "61051", "RE-9", "rechnung", pdf("danach")).await;
    assert_eq!(deliver(&app).await, 1, "only the notice to the main user");
    let mails = mailbox.wait_for(3).await;
    let notice = mails.iter().find(|mail| to_of(mail) == "abbestellt@kunden.example").expect("the main user is told");
    assert!(text_of(notice).contains("rechnungen@eingang.example hat die Weiterleitung (alle Typen) beendet"), "{}", text_of(notice));
    assert!(mails.iter().filter(|mail| to_of(mail) == "rechnungen@eingang.example").count() == 2);
    assert!(audit_actions(&app).await.iter().any(|a| a == "forwarding_unsubscribed"));
}

#[tokio::test]
async fn the_link_in_the_text_ends_it_too_and_a_declined_or_late_confirmation_forwards_nothing() {
    let (app, mailbox) = smtp_app(&[]).await;
    let main = customer_with_password(&app, "61061", "links", PASSWORD).await;
    set_notify(&app, main, "none").await;
    let cookie = app.sign_in("links", PASSWORD).await;

    add_forwarding(&app, &cookie, "nein@empfang.example", "nein@empfang.example", "").await;
    add_forwarding(&app, &cookie, "spaet@empfang.example", "spaet@empfang.example", "").await;
    add_forwarding(&app, &cookie, "text@empfang.example", "text@empfang.example", "").await;
    deliver(&app).await;
    let mails = mailbox.wait_for(3).await;
    let (declined, late, by_text) =
        (optin_token(&mails, "nein@empfang.example"), optin_token(&mails, "spaet@empfang.example"), optin_token(&mails, "text@empfang.example"));

    assert_eq!(app.call("forwardings/decline", &[("token", &declined)], None).await.status, StatusCode::OK);
    assert_eq!(app.call("forwardings/confirm", &[("token", &declined)], None).await.status, StatusCode::GONE);
    let answered = app.call("forwardings/confirm", &[("token", &by_text)], None).await;
    // Names the token and the text it was read from, should a link ever be refused here.
    let text_mail = mails_to(&mails, "text@empfang.example").iter().map(|mail| text_of(mail)).collect::<Vec<_>>();
    assert_eq!(answered.status, StatusCode::OK, "token {by_text:?} from {text_mail:#?}: {}", answered.body);

    app.state.clock.advance(7 * 24 * 3600);
    let expired = app.call("forwardings/confirm", &[("token", &late)], None).await;
    assert_eq!(expired.status, StatusCode::GONE, "after 7 days the link is dead");
    assert!(expired.body.contains("ForwardingLinkInvalid"), "{}", expired.body);
    let cookie = app.sign_in("links", PASSWORD).await;
    let list = json(&app.call("forwardings/list", &[], Some(&cookie)).await);
    let statuses: Vec<(&str, &str)> =
        list["rows"].as_array().unwrap().iter().map(|row| (row["email"].as_str().unwrap(), row["status"].as_str().unwrap())).collect();
    assert_eq!(statuses, [("spaet@empfang.example", "Expired"), ("text@empfang.example", "Confirmed")]);

    provide(&app, "61061", "RE-1", "rechnung", pdf("eins")).await;
    deliver(&app).await;
    let mails = mailbox.wait_for(5).await;
    let forwarded = mails.iter().find(|mail| to_of(mail) == "text@empfang.example" && attachment_of(mail).is_some()).unwrap();
    assert!(mails.iter().all(|mail| to_of(mail) != "nein@empfang.example" || attachment_of(mail).is_none()));
    assert_eq!(mails.iter().filter(|mail| to_of(mail) == "spaet@empfang.example").count(), 1, "only its confirmation request");
    let (_, token) = link_in(&text_of(forwarded), "/weiterleitung-beenden");
    let page = app.get(&format!("/weiterleitung-beenden?token={token}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("text@empfang.example"));
    assert_eq!(app.call("forwardings/end", &[("token", &token)], None).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/weiterleitung-beenden?token={token}"), None).await.status, StatusCode::GONE);

    // An expired request gives way to a new one for the same address.
    let again = add_forwarding(&app, &cookie, "spaet@empfang.example", "spaet@empfang.example", "").await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let actions = audit_actions(&app).await;
    for action in ["forwarding_declined", "forwarding_confirmed", "forwarding_unsubscribed"] {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn mismatched_duplicate_and_over_the_limit_are_refused_in_german() {
    let app = spawn_app_with(&[("KP_FORWARDINGS_MAX", "2")]).await;
    customer_with_password(&app, "61071", "grenze", PASSWORD).await;
    let cookie = app.sign_in("grenze", PASSWORD).await;
    let refused = |response: TestResponse, message: &str| {
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
        assert!(response.refusal_text().contains(message), "{} should say {message}", response.body);
    };
    refused(add_forwarding(&app, &cookie, "a@x.example", "b@x.example", "").await, "Die beiden E-Mail-Adressen stimmen nicht überein.");
    refused(add_forwarding(&app, &cookie, "kein-at", "kein-at", "").await, "Bitte geben Sie eine gültige E-Mail-Adresse ein.");
    refused(add_forwarding(&app, &cookie, "a@x.example", "a@x.example", "gibtsnicht").await, "Bitte wählen Sie einen Dokumententyp");
    let added = add_forwarding(&app, &cookie, "a@x.example", "A@X.example", "rechnung").await;
    assert_eq!(added.status, StatusCode::OK);
    // The app is told the page a plain post would be sent to, and shows it in place.
    assert_eq!(added.location(), Some("/weiterleitungen?hinzugefuegt=1"));
    assert!(added.headers.contains_key("serverfnredirect"), "{:?}", added.headers);
    refused(add_forwarding(&app, &cookie, "A@x.example", "a@x.example", "rechnung").await, "Diese Weiterleitung gibt es bereits");
    // Without JavaScript the duplicate comes back with the field it is about.
    let taken = app.request(plain_form_post("forwardings/add", &[("email", "a@x.example"), ("confirm", "a@x.example"), ("type_key", "rechnung")], &cookie)).await;
    assert_eq!(taken.location(), Some("/weiterleitungen?fehler=doppelt&feld=email"));
    assert_eq!(add_forwarding(&app, &cookie, "a@x.example", "a@x.example", "").await.status, StatusCode::OK, "another type");
    refused(add_forwarding(&app, &cookie, "c@x.example", "c@x.example", "").await, "Die Höchstzahl an Weiterleitungen ist erreicht");
    assert_eq!(app.count("forwardings").await, 2, "nothing half-written");
    assert_eq!(app.count("mail_outbox").await, 2);

    // Without JavaScript the form comes back with the message's code and the field it is about.
    let plain = app.request(plain_form_post("forwardings/add", &[("email", "a@x.example"), ("confirm", "b@x.example"), ("type_key", "")], &cookie)).await;
    assert_eq!(plain.location(), Some("/weiterleitungen?fehler=email-gleich&feld=confirm"));
    let page = app.get("/weiterleitungen?fehler=email-gleich&feld=confirm", Some(&cookie)).await;
    let message = "Die beiden E-Mail-Adressen stimmen nicht überein.";
    refused_at_field(&page.body, "forwarding-confirm", message, &["forwarding-email", "forwarding-type"]);
    // A field the form does not have: the message is said above the form.
    let crafted = app.get("/weiterleitungen?fehler=email-gleich&feld=onclick", Some(&cookie)).await;
    assert!(crafted.body.contains(&format!("role=\"alert\" class=\"alert\">{message}")), "{}", crafted.body);
    assert!(!crafted.body.contains("aria-invalid"));
}

#[tokio::test]
async fn with_the_smtp_server_down_nothing_is_lost_and_every_mail_arrives_exactly_once() {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(&[("KP_SMTP_URL", &url), ("KP_BASE_URL", "https://portal.example.com")]).await;
    let main = customer_with_password(&app, "61081", "ausfall", PASSWORD).await;
    let customer = customer_id_of(&app, main).await;
    sub_user(&app, customer, "ausfallanhang", Some(PASSWORD), "attachment", false).await;
    let cookie = app.sign_in("ausfall", PASSWORD).await;
    add_forwarding(&app, &cookie, "fibu@ausfall.example", "fibu@ausfall.example", "").await;
    // The confirmation mail cannot go out; its link is still in the outbox.
    let body: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'forwarding_optin'").fetch_one(&app.state.pool).await.unwrap();
    let (_, token) = link_in(&body, "/weiterleitung-bestaetigen");
    assert_eq!(app.call("forwardings/confirm", &[("token", &token)], None).await.status, StatusCode::OK);

    for n in 1..=20 {
        provide(&app, "61081", &format!("RE-{n:02}"), "rechnung", pdf(&format!("Ausfall {n}"))).await;
    }
    assert_eq!(deliver(&app).await, 0, "the server is down");
    let queued: i64 = db::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE status = 'queued'").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(queued, 1 + 1 + 20 + 20, "confirmation, one notice, 20 attachment mails, 20 forwards");

    let mailbox = start_smtp_server(port, false);
    app.state.clock.advance(3600);
    let worker = app.state.outbox_worker();
    assert_eq!(worker.deliver_due().await.unwrap(), 42);
    assert_eq!(worker.deliver_due().await.unwrap(), 0);
    let mails = mailbox.wait_for(42).await;
    assert_eq!(mails.len(), 42);
    let mut ids: Vec<&str> = mails.iter().map(|mail| header_of(mail, "Message-ID").unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 42, "no mail twice");
    assert_eq!(mails_to(&mails, "fibu@ausfall.example").len(), 21);
    assert_eq!(mails_to(&mails, "ausfallanhang@kunden.example").len(), 20);
    let notice = mails_to(&mails, "ausfall@kunden.example");
    assert_eq!((notice.len(), header_of(notice[0], "Subject")), (1, Some("20 neue Dokumente im Kundenportal")));
}

#[tokio::test]
async fn the_delivery_log_shows_each_mail_and_a_refused_one_in_german() {
    let port = free_port();
    let mailbox = start_smtp_server(port, true);
    let app = spawn_app_with(&[("KP_SMTP_URL", &format!("smtp://127.0.0.1:{port}"))]).await;
    let main = customer_with_password(&app, "61091", "protokoll", PASSWORD).await;
    set_notify(&app, main, "attachment").await;
    let cookie = app.sign_in("protokoll", PASSWORD).await;
    let document = provide(&app, "61091", "RE-LOG", "rechnung", pdf("Protokoll")).await;
    let before = json(&app.call("forwardings/delivery_log", &[("document_id", &document.to_string())], Some(&cookie)).await);
    assert_eq!(before["entries"][0]["status"], "in Warteschlange");
    assert_eq!(deliver(&app).await, 0);
    assert_eq!(mailbox.len(), 0);

    let log = app.call("forwardings/delivery_log", &[("document_id", &document.to_string())], Some(&cookie)).await;
    assert_eq!(log.status, StatusCode::OK);
    let log = json(&log);
    assert_eq!(log["document"], "Rechnung RE-LOG vom 20.11.2026");
    let entry = &log["entries"][0];
    assert_eq!(entry["recipient"], "protokoll@kunden.example");
    assert_eq!(entry["kind"], "Benachrichtigung mit Anhang");
    assert_eq!(entry["status"], "fehlgeschlagen");
    assert_eq!(entry["reason"], "Der Mailserver des Empfängers hat die E-Mail abgelehnt. Bitte prüfen Sie die Adresse.");
    let raw = serde_json::to_string(&log).unwrap();
    assert!(!raw.contains("SMTP") && !raw.contains("550"), "no server text: {raw}");

    // The page shows it, and the Dokumente list links there.
    let page = app.get(&format!("/versandprotokoll?dokument={document}"), Some(&cookie)).await;
    assert!(page.body.contains("fehlgeschlagen") && page.body.contains("protokoll@kunden.example"));
    let list = app.get("/dokumente", Some(&cookie)).await;
    assert!(list.body.contains(&format!("/versandprotokoll?dokument={document}")));
}

#[tokio::test]
async fn only_users_with_the_right_reach_forwardings_and_never_another_customers() {
    let app = spawn_app().await;
    let main = customer_with_password(&app, "61101", "recht", PASSWORD).await;
    let customer = customer_id_of(&app, main).await;
    sub_user(&app, customer, "ohnerecht", Some(PASSWORD), "notify", false).await;
    sub_user(&app, customer, "mitrecht", Some(PASSWORD), "notify", true).await;
    customer_with_password(&app, "61102", "andere", PASSWORD).await;
    let owner = app.sign_in("recht", PASSWORD).await;
    let without = app.sign_in("ohnerecht", PASSWORD).await;
    let with_right = app.sign_in("mitrecht", PASSWORD).await;
    let other = app.sign_in("andere", PASSWORD).await;

    assert_eq!(add_forwarding(&app, &owner, "f@x.example", "f@x.example", "").await.status, StatusCode::OK);
    let id = json(&app.call("forwardings/list", &[], Some(&owner)).await)["rows"][0]["id"].as_i64().unwrap().to_string();
    let document = provide(&app, "61101", "RE-R", "rechnung", pdf("recht")).await.to_string();

    let calls: [(&str, Vec<(&str, &str)>); 4] = [
        ("forwardings/list", vec![]),
        ("forwardings/add", vec![("email", "g@x.example"), ("confirm", "g@x.example"), ("type_key", "")]),
        ("forwardings/remove", vec![("id", &id)]),
        ("forwardings/delivery_log", vec![("document_id", &document)]),
    ];
    for (endpoint, form) in &calls {
        assert_eq!(app.call(endpoint, form, Some(&without)).await.status, StatusCode::FORBIDDEN, "{endpoint} without the right");
        assert_eq!(app.call(endpoint, form, None).await.status, StatusCode::UNAUTHORIZED, "{endpoint} signed out");
    }
    // Another customer's main user has the right, but not to this customer's rows.
    assert_eq!(app.call("forwardings/remove", &[("id", &id)], Some(&other)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.call("forwardings/delivery_log", &[("document_id", &document)], Some(&other)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(json(&app.call("forwardings/list", &[], Some(&other)).await)["rows"], Value::Array(vec![]));
    assert_eq!(app.count("forwardings").await, 1);

    // A sub-user with the right manages them like the main user.
    assert_eq!(json(&app.call("forwardings/list", &[], Some(&with_right)).await)["rows"][0]["email"], "f@x.example");
    assert_eq!(app.call("forwardings/delivery_log", &[("document_id", &document)], Some(&with_right)).await.status, StatusCode::OK);

    // The page: 403 without the right, no entry in the navigation, no link in the list.
    assert_eq!(app.get("/weiterleitungen", Some(&without)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/versandprotokoll?dokument={document}"), Some(&without)).await.status, StatusCode::FORBIDDEN);
    let home = app.get("/", Some(&without)).await;
    assert!(!home.body.contains("href=\"/weiterleitungen\""));
    assert!(!app.get("/dokumente", Some(&without)).await.body.contains("href=\"/versandprotokoll"), "no Versand link");
    assert!(app.get("/", Some(&with_right)).await.body.contains("href=\"/weiterleitungen\""));
}

#[tokio::test]
async fn the_notification_choice_is_saved_with_and_without_javascript_and_audited() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "61111", "wahl", PASSWORD).await;
    let cookie = app.sign_in("wahl", PASSWORD).await;
    assert_eq!(json(&app.call("profile/notification", &[], Some(&cookie)).await)["mode"], "Notify", "the default");
    assert_eq!(app.call("profile/set_notification", &[("mode", "attachment")], Some(&cookie)).await.status, StatusCode::OK);
    assert_eq!(json(&app.call("profile/notification", &[], Some(&cookie)).await)["mode"], "Attachment");
    let refused = app.call("profile/set_notification", &[("mode", "fax")], Some(&cookie)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.refusal_text().contains("Bitte wählen Sie eine der drei Möglichkeiten."), "{}", refused.body);
    assert_eq!(app.call("profile/set_notification", &[("mode", "none")], None).await.status, StatusCode::UNAUTHORIZED);

    let plain = app.request(plain_form_post("profile/set_notification", &[("mode", "none")], &cookie)).await;
    assert_eq!(plain.location(), Some("/profil?bereich=benachrichtigung&gespeichert=1"));
    let stored: String = db::query_scalar("SELECT notify_mode FROM users WHERE id = $1").bind(user).fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(stored, "none");
    let page = app.get("/profil?bereich=benachrichtigung&gespeichert=1", Some(&cookie)).await;
    assert!(page.body.contains("Ihre Auswahl ist gespeichert."));
    // Another section's "saved" is not this one's.
    let other = app.get("/profil?bereich=name&gespeichert=1", Some(&cookie)).await;
    assert!(!other.body.contains("Ihre Auswahl ist gespeichert."));
    assert!(page.body.contains("value=\"none\" checked") || page.body.contains("checked value=\"none\""), "the choice is shown");
    let details = audit_details(&app, "notification_changed").await;
    assert_eq!(
        details,
        ["Bereitstellung von Dokumenten: nur Benachrichtigung → mit Anhang", "Bereitstellung von Dokumenten: mit Anhang → keine"]
    );
}

// ---- Reliability: mails that must not vanish or outlive their reason ---------------

/// The link token in the queued (not yet sent) mail to `address` that holds `page`.
async fn queued_link(app: &TestApp, address: &str, page: &str) -> String {
    let bodies: Vec<String> = db::query_scalar("SELECT body_text FROM mail_outbox WHERE recipient = $1 AND status = 'queued' ORDER BY id")
        .bind(address)
        .fetch_all(&app.state.pool)
        .await
        .unwrap();
    let body = bodies.iter().find(|body| body.contains(&format!("{page}?token="))).unwrap_or_else(|| panic!("no {page} mail to {address}"));
    link_in(body, page).1
}

#[tokio::test]
async fn a_forwarding_added_after_another_was_removed_or_ended_gets_every_mail_of_its_own() {
    let (app, mailbox) = smtp_app(&[]).await;
    let main = customer_with_password(&app, "61091", "wieder", PASSWORD).await;
    set_notify(&app, main, "none").await;
    let cookie = app.sign_in("wieder", PASSWORD).await;
    for (round, address) in ["erst@ziel.example", "dann@ziel.example", "zuletzt@ziel.example"].into_iter().enumerate() {
        let added = add_forwarding(&app, &cookie, address, address, "").await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        deliver(&app).await;
        let mails = mailbox.all();
        assert_eq!(mails_to(&mails, address).len(), 1, "{address} gets its own confirmation request");
        let token = optin_token(&mails, address);
        assert_eq!(app.call("forwardings/confirm", &[("token", &token)], None).await.status, StatusCode::OK);
        // Each round ends its forwarding one way or the other: removed in the portal, or by its recipient.
        if round % 2 == 0 {
            let id = json(&app.call("forwardings/list", &[], Some(&cookie)).await)["rows"][0]["id"].as_i64().unwrap().to_string();
            assert_eq!(app.call("forwardings/remove", &[("id", &id)], Some(&cookie)).await.status, StatusCode::OK);
        } else {
            provide(&app, "61091", &format!("RE-{round}"), "rechnung", pdf("beenden")).await;
            deliver(&app).await;
            let forwarded = mailbox.all().into_iter().find(|mail| to_of(mail) == address && attachment_of(mail).is_some()).unwrap();
            let (_, token) = link_in(&text_of(&forwarded), "/weiterleitung-beenden");
            assert_eq!(app.call("forwardings/end", &[("token", &token)], None).await.status, StatusCode::OK);
            deliver(&app).await;
            assert_eq!(mails_to(&mailbox.all(), "wieder@kunden.example").len(), round / 2 + 1, "the main user hears of it");
        }
    }
}

#[tokio::test]
async fn an_outbox_key_that_meets_a_different_mail_is_an_error_not_silence() {
    use app::domain::EmailAddress;
    use app::server::mail::{MailTemplate, OutgoingMail};
    let app = spawn_app().await;
    let mail = |to: &str| OutgoingMail {
        template: MailTemplate::PasswordChanged,
        idempotency_key: "schluessel:1".to_owned(),
        recipient: EmailAddress::parse(to).unwrap(),
        lang: app::i18n::Lang::De,
        context: minijinja::context! { ..app.state.mail_base_context(), ..minijinja::context! { username => "x", display_name => "X" } },
        expires_at: None,
    };
    let now = app.state.clock.now();
    let mut tx = db::begin(&app.state.pool).await.unwrap();
    assert!(app.state.outbox.enqueue(&mut tx, mail("eins@kunden.example"), now).await.unwrap(), "queued");
    assert!(!app.state.outbox.enqueue(&mut tx, mail("eins@kunden.example"), now).await.unwrap(), "the same mail again is no second row");
    assert!(app.state.outbox.enqueue(&mut tx, mail("zwei@kunden.example"), now).await.is_err(), "another mail under the same key");
}

#[tokio::test]
async fn mails_of_a_removed_or_ended_forwarding_that_wait_for_the_server_are_never_sent() {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(&[("KP_SMTP_URL", &url), ("KP_BASE_URL", "https://portal.example.com")]).await;
    let main = customer_with_password(&app, "61095", "ende", PASSWORD).await;
    set_notify(&app, main, "none").await;
    let cookie = app.sign_in("ende", PASSWORD).await;
    for address in ["entfernt@ziel.example", "beendet@ziel.example", "bleibt@ziel.example"] {
        add_forwarding(&app, &cookie, address, address, "").await;
        let token = queued_link(&app, address, "/weiterleitung-bestaetigen").await;
        assert_eq!(app.call("forwardings/confirm", &[("token", &token)], None).await.status, StatusCode::OK);
    }
    provide(&app, "61095", "RE-1", "rechnung", pdf("eins")).await;
    provide(&app, "61095", "RE-2", "rechnung", pdf("zwei")).await;
    assert_eq!(deliver(&app).await, 0, "the server is down");

    // During the outage one forwarding is removed, another ended by its recipient.
    let list = json(&app.call("forwardings/list", &[], Some(&cookie)).await);
    let removed = list["rows"].as_array().unwrap().iter().find(|row| row["email"] == "entfernt@ziel.example").unwrap()["id"].as_i64().unwrap();
    assert_eq!(app.call("forwardings/remove", &[("id", &removed.to_string())], Some(&cookie)).await.status, StatusCode::OK);
    let token = queued_link(&app, "beendet@ziel.example", "/weiterleitung-beenden").await;
    assert_eq!(app.call("forwardings/end", &[("token", &token)], None).await.status, StatusCode::OK);

    let mailbox = start_smtp_server(port, false);
    app.state.clock.advance(3600);
    app.state.outbox_worker().deliver_due().await.unwrap();
    let mails = mailbox.all();
    assert_eq!(mails_to(&mails, "entfernt@ziel.example").len(), 0, "nothing reaches a removed forwarding's address");
    assert_eq!(mails_to(&mails, "beendet@ziel.example").len(), 0, "nothing reaches an ended one's");
    assert_eq!(mails_to(&mails, "bleibt@ziel.example").len(), 3, "its confirmation request and both documents");
    assert_eq!(mails_to(&mails, "ende@kunden.example").len(), 1, "the main user hears of the ended one");
}

#[tokio::test]
async fn adding_and_removing_forwardings_is_limited_per_user_and_per_customer_and_day() {
    let (app, mailbox) = smtp_app(&[("KP_LIMIT_ADDS_PER_USER_AND_DAY", "3"), ("KP_LIMIT_ADDS_PER_CUSTOMER_AND_DAY", "5")]).await;
    let main = customer_with_password(&app, "61097", "kreis", PASSWORD).await;
    set_notify(&app, main, "none").await;
    let customer = customer_id_of(&app, main).await;
    sub_user(&app, customer, "kreishelfer", Some(PASSWORD), "none", true).await;
    sub_user(&app, customer, "kreisdritter", Some(PASSWORD), "none", true).await;
    let cookie = app.sign_in("kreis", PASSWORD).await;
    // Add and remove, again and again: every add would mail a stranger's address.
    for n in 0..3 {
        let address = format!("opfer{n}@fremd.example");
        assert_eq!(add_forwarding(&app, &cookie, &address, &address, "").await.status, StatusCode::OK);
        deliver(&app).await;
        let id = json(&app.call("forwardings/list", &[], Some(&cookie)).await)["rows"][0]["id"].as_i64().unwrap().to_string();
        assert_eq!(app.call("forwardings/remove", &[("id", &id)], Some(&cookie)).await.status, StatusCode::OK);
    }
    let refused = add_forwarding(&app, &cookie, "opfer9@fremd.example", "opfer9@fremd.example", "").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "removed ones count: {}", refused.body);
    assert!(refused.refusal_text().contains("heute"), "{}", refused.body);
    // A colleague has an allowance of their own, until the customer's is used up.
    let helper = app.sign_in("kreishelfer", PASSWORD).await;
    for address in ["a@fremd.example", "b@fremd.example"] {
        assert_eq!(add_forwarding(&app, &helper, address, address, "").await.status, StatusCode::OK);
        deliver(&app).await;
    }
    let third = app.sign_in("kreisdritter", PASSWORD).await;
    assert_eq!(add_forwarding(&app, &third, "c@fremd.example", "c@fremd.example", "").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refusals: i64 = db::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'forwarding_add_refused'").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(refusals, 2, "each refusal is audited");
    // The next day the allowance is back.
    app.state.clock.advance(24 * 3600);
    let cookie = app.sign_in("kreis", PASSWORD).await;
    assert_eq!(add_forwarding(&app, &cookie, "morgen@fremd.example", "morgen@fremd.example", "").await.status, StatusCode::OK);
    deliver(&app).await;
    assert_eq!(mailbox.wait_for(6).await.len(), 6, "one confirmation request per add that was let through");
    assert_eq!(mailbox.all().iter().filter(|mail| to_of(mail) == "c@fremd.example" || to_of(mail) == "opfer9@fremd.example").count(), 0);
}
