//! Profil and Benutzer: Profil (name, e-mail change, sign-ins), re-authentication,
//! Benutzer and the Aktivitätsprotokoll — through the real router, a real
//! SQLite file (or PostgreSQL), a fixed clock and a real SMTP server.

use app::error::{AppError, Refusal};
use app::server::db;
use axum::body::Body;
use axum::http::{header, StatusCode};
use crate::common::*;
use serde_json::Value;

const PASSWORD: &str = "Team-Leitung-8";
const FIREFOX: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
const PHONE: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

/// Refused for `refusal`, about the form field named `field` (or the form as a whole).
fn refused_with(response: &TestResponse, refusal: Refusal, field: Option<&str>) {
    let expected = AppError::Invalid { refusal, field: field.map(str::to_owned) };
    assert_eq!((response.status, error_of(response)), (StatusCode::UNPROCESSABLE_ENTITY, expected), "{}", response.body);
}

async fn deliver(app: &TestApp) {
    app.state.outbox_worker().deliver_due().await.unwrap();
}

/// Signs in from a browser with this User-Agent.
async fn sign_in_with(app: &TestApp, username: &str, user_agent: &str) -> String {
    let request = server_fn_request("auth/login", None)
        .header(header::USER_AGENT, user_agent)
        .body(Body::from(form_body(&[("username", username), ("password", PASSWORD)])))
        .unwrap();
    app.request(request).await.session_cookie().expect("signed in")
}

/// A sub-user with [`PASSWORD`] who finished the first sign-in.
async fn sub_user(app: &TestApp, customer_id: i64, username: &str, manage_users: bool, manage_forwardings: bool) -> i64 {
    sub_user_with_password(app, customer_id, username, PASSWORD, manage_users, manage_forwardings).await
}

async fn customer_of(app: &TestApp, user_id: i64) -> i64 {
    db::query_scalar("SELECT customer_id FROM users WHERE id = $1").bind(user_id).fetch_one(&app.state.pool).await.unwrap()
}

fn json(response: &TestResponse) -> Value {
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    serde_json::from_str(&response.body).unwrap()
}

/// Keeps a session alive (idle timeout 30 min) while the clock moves on.
async fn advance_keeping(app: &TestApp, minutes: i64, cookies: &[&str]) {
    for _ in 0..minutes / 20 {
        app.state.clock.advance(20 * 60);
        for cookie in cookies {
            assert_eq!(app.call("auth/current_user", &[], Some(cookie)).await.status, StatusCode::OK);
        }
    }
    app.state.clock.advance((minutes % 20) * 60);
}

fn header_of<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    mail.lines().find_map(|line| line.strip_prefix(&format!("{name}: ")))
}

// ---- Profil: name and e-mail -----------------------------------------------

#[tokio::test]
async fn a_new_name_is_shown_at_once_and_audited() {
    let app = spawn_app().await;
    customer_with_password(&app, "81001", "namen", PASSWORD).await;
    let cookie = app.sign_in("namen", PASSWORD).await;
    let form = [("salutation", "frau"), ("first_name", " Erika "), ("last_name", "Muster")];
    assert_eq!(app.call("profile/set_name", &form, Some(&cookie)).await.status, StatusCode::OK);
    let me = json(&app.call("auth/current_user", &[], Some(&cookie)).await);
    assert_eq!(me["full_name"], "Frau Erika Muster");
    let details = json(&app.call("profile/details", &[], Some(&cookie)).await);
    assert_eq!((details["salutation"].as_str(), details["first_name"].as_str()), (Some("Ms"), Some("Erika")));

    let bad = app.call("profile/set_name", &[("salutation", "dr"), ("first_name", "A"), ("last_name", "B")], Some(&cookie)).await;
    refused_with(&bad, Refusal::SalutationUnknown, Some("salutation"));
    let long = "x".repeat(101);
    let too_long = app.call("profile/set_name", &[("salutation", "keine"), ("first_name", &long), ("last_name", "B")], Some(&cookie)).await;
    refused_with(&too_long, Refusal::NameTooLong, Some("first_name"));
    let detail = audit_details(&app, "name_changed").await;
    assert_eq!(detail, ["Frau Erika Muster"], "refused input changed nothing");
}

#[tokio::test]
async fn an_email_change_takes_effect_only_through_the_link_tells_the_old_address_and_ends_other_sessions() {
    let (app, mailbox) = smtp_app(&[]).await;
    let id = customer_with_password(&app, "81002", "umzug", PASSWORD).await;
    let old: String = db::query_scalar("SELECT email FROM users WHERE id = $1").bind(id).fetch_one(&app.state.pool).await.unwrap();
    let here = app.sign_in("umzug", PASSWORD).await;
    let elsewhere = app.sign_in("umzug", PASSWORD).await;

    let wrong = app.call("profile/request_email_change", &[("email", "neu@umzug.example"), ("password", "Falsch-Wort-1")], Some(&here)).await;
    refused_with(&wrong, Refusal::CurrentWrong, Some("password"));
    let same = app.call("profile/request_email_change", &[("email", &old.to_uppercase()), ("password", PASSWORD)], Some(&here)).await;
    refused_with(&same, Refusal::EmailUnchanged, Some("email"));
    let asked = app.call("profile/request_email_change", &[("email", "neu@Umzug.EXAMPLE"), ("password", PASSWORD)], Some(&here)).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    deliver(&app).await;
    let mails = mailbox.wait_for(1).await;
    assert_eq!(header_of(&mails[0], "To"), Some("neu@umzug.example"), "the domain is lower-cased");
    let (_, token) = link_in(&mails[0], "/email-bestaetigen");

    let details = json(&app.call("profile/details", &[], Some(&here)).await);
    assert_eq!((details["email"].as_str(), details["pending_email"].as_str()), (Some(old.as_str()), Some("neu@umzug.example")));
    let page = app.get(&format!("/email-bestaetigen?token={token}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("neu@umzug.example"));
    let email: String = db::query_scalar("SELECT email FROM users WHERE id = $1").bind(id).fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(email, old, "opening the link changes nothing");

    app.state.clock.advance(10 * 60);
    let confirmed = app.call("profile/confirm_email_change", &[("token", &token)], Some(&here)).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let renewed = confirmed.session_cookie().expect("this browser goes on under a new id");
    let signed_in: Vec<app::domain::UnixTime> = db::query_scalar("SELECT authenticated_at FROM sessions").fetch_all(&app.state.pool).await.unwrap();
    assert_eq!(signed_in, [START], "one session left, its sign-in time unchanged: a mailed link is no password");
    let email: String = db::query_scalar("SELECT email FROM users WHERE id = $1").bind(id).fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(email, "neu@umzug.example");
    assert_eq!(app.call("auth/sign_ins", &[], Some(&elsewhere)).await.status, StatusCode::UNAUTHORIZED, "other sessions end");
    assert_eq!(app.call("auth/sign_ins", &[], Some(&here)).await.status, StatusCode::UNAUTHORIZED, "the old id is gone");
    assert_eq!(app.call("auth/sign_ins", &[], Some(&renewed)).await.status, StatusCode::OK);

    deliver(&app).await;
    let mails = mailbox.wait_for(2).await;
    let notice = &mails[1];
    assert_eq!(header_of(notice, "To"), Some(old.as_str()), "the old address is told");
    let text = unfold_quoted_printable(notice);
    assert!(text.contains(&app.state.config.branding.hotline), "with the hotline");
    assert!(text.contains("neu@umzug.example"));

    let twice = app.call("profile/confirm_email_change", &[("token", &token)], None).await;
    assert_eq!((twice.status, error_of(&twice)), (StatusCode::GONE, AppError::EmailLinkInvalid));
}

#[tokio::test]
async fn an_email_link_expires_after_24_hours_and_a_newer_one_replaces_it() {
    let (app, mailbox) = smtp_app(&[]).await;
    customer_with_password(&app, "81003", "spaet", PASSWORD).await;
    let cookie = app.sign_in("spaet", PASSWORD).await;
    for address in ["erst@spaet.example", "dann@spaet.example"] {
        let asked = app.call("profile/request_email_change", &[("email", address), ("password", PASSWORD)], Some(&cookie)).await;
        assert_eq!(asked.status, StatusCode::OK);
    }
    deliver(&app).await;
    let mails = mailbox.wait_for(2).await;
    let first = link_in(&mails.iter().find(|m| header_of(m, "To") == Some("erst@spaet.example")).unwrap(), "/email-bestaetigen").1;
    let second = link_in(&mails.iter().find(|m| header_of(m, "To") == Some("dann@spaet.example")).unwrap(), "/email-bestaetigen").1;
    assert_eq!(app.call("profile/confirm_email_change", &[("token", &first)], None).await.status, StatusCode::GONE, "replaced");
    app.state.clock.advance(24 * 3600 + 1);
    assert_eq!(app.call("profile/confirm_email_change", &[("token", &second)], None).await.status, StatusCode::GONE, "expired");
    assert_eq!(app.get(&format!("/email-bestaetigen?token={second}"), None).await.status, StatusCode::GONE);
}

#[tokio::test]
async fn an_address_another_user_has_is_allowed_and_the_answer_says_nothing_about_it() {
    let app = spawn_app().await;
    let main = customer_with_password(&app, "81004", "teilen", PASSWORD).await;
    let customer = customer_of(&app, main).await;
    sub_user(&app, customer, "Teilhaber", false, false).await;
    let cookie = app.sign_in("teilen", PASSWORD).await;
    let known = app.call("profile/request_email_change", &[("email", "teilhaber@kunden.example"), ("password", PASSWORD)], Some(&cookie)).await;
    let unknown = app.call("profile/request_email_change", &[("email", "niemand@kunden.example"), ("password", PASSWORD)], Some(&cookie)).await;
    // The same answer either way: the address as it will be stored, nothing about who else has it.
    assert_eq!((known.status, known.body.as_str()), (StatusCode::OK, "\"teilhaber@kunden.example\""));
    assert_eq!((unknown.status, unknown.body.as_str()), (StatusCode::OK, "\"niemand@kunden.example\""));
    assert_eq!(known.headers.len(), unknown.headers.len());
}

// ---- Profil → Anmeldungen ----------------------------------------------------

#[tokio::test]
async fn the_sign_ins_list_names_browser_and_network_and_each_can_be_ended() {
    let app = spawn_app().await;
    customer_with_password(&app, "81010", "geraete", PASSWORD).await;
    let desk = sign_in_with(&app, "geraete", FIREFOX).await;
    app.state.clock.advance(60);
    let phone = sign_in_with(&app, "geraete", PHONE).await;

    let list = json(&app.call("auth/sign_ins", &[], Some(&desk)).await);
    let entries = list.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let browsers: Vec<&str> = entries.iter().map(|e| e["browser"].as_str().unwrap()).collect();
    assert!(browsers.iter().any(|b| b.starts_with("Firefox 128") && b.contains("Windows")), "{browsers:?}");
    assert!(browsers.iter().any(|b| b.starts_with("Chrome 131") && b.contains("Android")), "{browsers:?}");
    for entry in entries {
        assert_eq!(entry["place"], "192.0.2.x", "only the network is kept");
        assert!(!entry["id"].as_str().unwrap().is_empty());
    }
    let this: Vec<bool> = entries.iter().map(|e| e["this_device"].as_bool().unwrap()).collect();
    assert_eq!(this.iter().filter(|&&t| t).count(), 1);
    let stored: Vec<String> = db::query_scalar("SELECT id_hash FROM sessions").fetch_all(&app.state.pool).await.unwrap();
    assert!(entries.iter().all(|e| !stored.contains(&e["id"].as_str().unwrap().to_owned())), "the page never sees a session's key");

    let phone_entry = entries.iter().find(|e| e["browser"].as_str().unwrap().starts_with("Chrome")).unwrap();
    let ended = app.call("auth/end_sign_in", &[("id", phone_entry["id"].as_str().unwrap())], Some(&desk)).await;
    assert_eq!((ended.status, ended.body.as_str()), (StatusCode::OK, "false"), "not this device");
    assert_eq!(app.call("auth/sign_ins", &[], Some(&phone)).await.status, StatusCode::UNAUTHORIZED);

    // Another user cannot end this user's session with its handle.
    let other = customer_with_password(&app, "81011", "fremd", PASSWORD).await;
    let _ = other;
    let stranger = app.sign_in("fremd", PASSWORD).await;
    let desk_entry = json(&app.call("auth/sign_ins", &[], Some(&desk)).await)[0]["id"].as_str().unwrap().to_owned();
    let refused = app.call("auth/end_sign_in", &[("id", &desk_entry)], Some(&stranger)).await;
    assert_eq!(refused.status, StatusCode::OK, "nothing happens, nothing is told");
    assert_eq!(app.call("auth/sign_ins", &[], Some(&desk)).await.status, StatusCode::OK);

    let own = app.call("auth/end_sign_in", &[("id", &desk_entry)], Some(&desk)).await;
    assert_eq!(own.body, "true");
    assert_eq!(app.call("auth/sign_ins", &[], Some(&desk)).await.status, StatusCode::UNAUTHORIZED);
}

// ---- re-authentication ---------------------------------------------------------

#[tokio::test]
async fn changes_need_a_sign_in_within_the_last_hour_or_the_password_again() {
    let app = spawn_app().await;
    customer_with_password(&app, "81020", "stunde", PASSWORD).await;
    let cookie = app.sign_in("stunde", PASSWORD).await;
    let add_user = [("username", "Neuling"), ("email", "neuling@kunden.example")];
    let add_forwarding = [("email", "buchhaltung@kunden.example"), ("confirm", "buchhaltung@kunden.example"), ("type_key", "")];

    advance_keeping(&app, 59, &[&cookie]).await;
    assert_eq!(json(&app.call("auth/current_user", &[], Some(&cookie)).await)["recently_authenticated"], true);
    advance_keeping(&app, 2, &[&cookie]).await;
    assert_eq!(json(&app.call("auth/current_user", &[], Some(&cookie)).await)["recently_authenticated"], false);
    for (endpoint, form) in [("users/add", &add_user[..]), ("forwardings/add", &add_forwarding[..]), ("users/set_active", &[("id", "1"), ("active", "false")][..])] {
        let refused = app.call(endpoint, form, Some(&cookie)).await;
        assert_eq!((refused.status, error_of(&refused)), (StatusCode::FORBIDDEN, AppError::ReauthRequired), "{endpoint}");
    }
    assert_eq!(app.call("users/list", &[], Some(&cookie)).await.status, StatusCode::OK, "reading needs no new password");
    assert_eq!(app.count("forwardings").await, 0);

    let wrong = app.call("auth/confirm_password", &[("password", "Falsch-Wort-1"), ("return_to", "/benutzer")], Some(&cookie)).await;
    refused_with(&wrong, Refusal::CurrentWrong, Some("password"));
    let failures: i64 = db::query_scalar("SELECT failures FROM login_failures").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(failures, 1, "the same lockout counter as the login");

    let confirmed = app.call("auth/confirm_password", &[("password", PASSWORD), ("return_to", "/benutzer")], Some(&cookie)).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let renewed = confirmed.session_cookie().expect("a new session id at re-authentication");
    assert_ne!(renewed, cookie);
    assert_eq!(app.call("auth/current_user", &[], Some(&cookie)).await.body, "null", "the old id is gone");
    assert_eq!(app.call("users/add", &add_user, Some(&renewed)).await.status, StatusCode::OK);
    assert_eq!(app.call("forwardings/add", &add_forwarding, Some(&renewed)).await.status, StatusCode::OK);

    // Without JavaScript the browser goes back to where it was — never to another site.
    let plain = app.request(plain_form_post("auth/confirm_password", &[("password", PASSWORD), ("return_to", "/weiterleitungen")], &renewed)).await;
    assert_eq!(plain.location(), Some("/weiterleitungen"));
    let renewed = plain.session_cookie().unwrap();
    let foreign = app.request(plain_form_post("auth/confirm_password", &[("password", PASSWORD), ("return_to", "//evil.example/x")], &renewed)).await;
    assert_eq!(foreign.location(), Some("/"));
}

// ---- Benutzer ------------------------------------------------------------------

#[tokio::test]
async fn the_main_user_invites_a_colleague_who_sets_a_password_and_a_new_invitation_voids_the_old_link() {
    let (app, mailbox) = smtp_app(&[]).await;
    customer_with_password(&app, "81030", "chefin", PASSWORD).await;
    let cookie = app.sign_in("chefin", PASSWORD).await;
    let added = app.call("users/add", &[("username", "Azubi"), ("email", "azubi@kunden.example"), ("manage_forwardings", "on")], Some(&cookie)).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let list = json(&app.call("users/list", &[], Some(&cookie)).await);
    let row = list["rows"].as_array().unwrap().iter().find(|r| r["username"] == "Azubi").unwrap().clone();
    assert_eq!((row["status"].as_str(), row["can_manage_forwardings"].as_bool()), (Some("Invited"), Some(true)));
    assert_eq!(list["rows"][0]["is_main"], true, "the main user comes first");

    deliver(&app).await;
    let first = link_in(&mailbox.wait_for(1).await[0], "/einladung").1;
    let id = row["id"].as_i64().unwrap().to_string();
    assert_eq!(app.call("users/resend_invitation", &[("id", &id)], Some(&cookie)).await.status, StatusCode::OK);
    deliver(&app).await;
    let second = link_in(&mailbox.wait_for(2).await[1], "/einladung").1;
    let form = |token: &str| vec![("token", token.to_owned()), ("password", "Eigen-Wort-77".to_owned()), ("confirm", "Eigen-Wort-77".to_owned())];
    let old = form(&first);
    let old: Vec<(&str, &str)> = old.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.call("auth/accept_invitation", &old, None).await.status, StatusCode::GONE, "the old link no longer works");
    let new = form(&second);
    let new: Vec<(&str, &str)> = new.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.call("auth/accept_invitation", &new, None).await.status, StatusCode::OK);
    let list = json(&app.call("users/list", &[], Some(&cookie)).await);
    let row = list["rows"].as_array().unwrap().iter().find(|r| r["username"] == "Azubi").unwrap().clone();
    assert_eq!(row["status"], "Active");
    let again = app.call("users/resend_invitation", &[("id", &id)], Some(&cookie)).await;
    refused_with(&again, Refusal::AlreadySetUp, None);
}

#[tokio::test]
async fn usernames_are_unique_whatever_their_case_and_the_limit_holds() {
    let app = spawn_app_with(&[("KP_USERS_MAX", "3")]).await;
    customer_with_password(&app, "81040", "leitung", PASSWORD).await;
    customer_with_password(&app, "81041", "Anderswo", PASSWORD).await;
    let cookie = app.sign_in("leitung", PASSWORD).await;
    let add = |name: &'static str| {
        let cookie = cookie.clone();
        let app = &app;
        async move { app.call("users/add", &[("username", name), ("email", "team@kunden.example")], Some(&cookie)).await }
    };
    assert_eq!(add("Kollege").await.status, StatusCode::OK);
    refused_with(&add("kollege").await, Refusal::UsernameTaken, Some("username"));
    refused_with(&add("LEITUNG").await, Refusal::UsernameTaken, Some("username"));
    refused_with(&add("anderswo").await, Refusal::UsernameTaken, Some("username"));
    refused_with(&add("a").await, Refusal::UsernameLength, Some("username"));
    refused_with(&add("Jörg").await, Refusal::UsernameCharacters, Some("username"));
    // Without JavaScript: the section, the code and the field come back in the address; the
    // page says it at the field (its hint stays tied to it) or, for the limit, above the form.
    let plain = |name: &'static str| plain_form_post("users/add", &[("username", name), ("email", "team@kunden.example")], &cookie);
    let taken = app.request(plain("kollege")).await;
    assert_eq!(taken.location(), Some("/benutzer?bereich=hinzufuegen&fehler=benutzername-vergeben&feld=username"));
    let page = app.get(taken.location().unwrap(), Some(&cookie)).await;
    refused_at_field(&page.body, "new-username", &Refusal::UsernameTaken.to_string(), &["new-email"]);
    assert!(tag_with_id(&page.body, "new-username").contains("aria-describedby=\"new-username-hint new-username-fehler\""));
    assert_eq!(add("Kollegin").await.status, StatusCode::OK);
    refused_with(&add("Dritte").await, Refusal::UsersFull, None);
    assert_eq!(app.count("users").await, 4, "two customers' main users and two colleagues");
    let full = app.request(plain("Vierte")).await;
    assert_eq!(full.location(), Some("/benutzer?bereich=hinzufuegen&fehler=benutzer-hoechstzahl"));
    let page = app.get(full.location().unwrap(), Some(&cookie)).await;
    assert!(page.body.contains(&format!("role=\"alert\" class=\"alert\">{}", Refusal::UsersFull)), "{}", page.body);
    assert!(!page.body.contains("aria-invalid"));
}

#[tokio::test]
async fn nobody_locks_themself_out_or_raises_their_own_rights() {
    let app = spawn_app().await;
    let main = customer_with_password(&app, "81050", "haupt", PASSWORD).await;
    let customer = customer_of(&app, main).await;
    let manager = sub_user(&app, customer, "verwalter", true, false).await;
    let plain = sub_user(&app, customer, "einfach", false, false).await;
    let main_cookie = app.sign_in("haupt", PASSWORD).await;
    let manager_cookie = app.sign_in("verwalter", PASSWORD).await;
    let (main_id, manager_id, plain_id) = (main.to_string(), manager.to_string(), plain.to_string());

    for (cookie, own) in [(&main_cookie, &main_id), (&manager_cookie, &manager_id)] {
        refused_with(&app.call("users/set_active", &[("id", own), ("active", "false")], Some(cookie)).await, Refusal::NotYourself, None);
        refused_with(&app.call("users/remove", &[("id", own)], Some(cookie)).await, Refusal::NotYourself, None);
    }
    let granted = app.call("users/set_rights", &[("id", &plain_id), ("manage_users", "on")], Some(&main_cookie)).await;
    assert_eq!(granted.status, StatusCode::OK, "the main user grants rights");
    for (endpoint, form) in [
        ("users/set_rights", vec![("id", manager_id.as_str()), ("manage_forwardings", "on")]),
        ("users/set_rights", vec![("id", plain_id.as_str()), ("manage_users", "on")]),
        ("users/set_active", vec![("id", main_id.as_str()), ("active", "false")]),
        ("users/remove", vec![("id", main_id.as_str())]),
        ("users/add", vec![("username", "Heimlich"), ("email", "h@kunden.example"), ("manage_users", "on")]),
    ] {
        let refused = app.call(endpoint, &form, Some(&manager_cookie)).await;
        assert_eq!((refused.status, error_of(&refused)), (StatusCode::FORBIDDEN, AppError::Forbidden), "{endpoint} {form:?}");
    }
    let rights: (bool, bool) = db::query_as("SELECT can_manage_users, can_manage_forwardings FROM users WHERE id = $1")
        .bind(manager)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(rights, (true, false), "a user manager cannot raise their own rights");
    assert_eq!(app.call("users/add", &[("username", "Offen"), ("email", "o@kunden.example")], Some(&manager_cookie)).await.status, StatusCode::OK);
    assert_eq!(app.call("users/set_active", &[("id", &plain_id), ("active", "false")], Some(&manager_cookie)).await.status, StatusCode::OK);

    // Another customer's users answer like missing ones.
    let other = customer_with_password(&app, "81051", "nachbar", PASSWORD).await;
    let other_cookie = app.sign_in("nachbar", PASSWORD).await;
    for (endpoint, form) in [
        ("users/set_active", vec![("id", plain_id.as_str()), ("active", "true")]),
        ("users/set_rights", vec![("id", plain_id.as_str())]),
        ("users/remove", vec![("id", plain_id.as_str())]),
        ("users/resend_invitation", vec![("id", plain_id.as_str())]),
    ] {
        let refused = app.call(endpoint, &form, Some(&other_cookie)).await;
        assert_eq!((refused.status, error_of(&refused)), (StatusCode::NOT_FOUND, AppError::NotFound), "{endpoint}");
    }
    let listed = json(&app.call("users/list", &[], Some(&other_cookie)).await);
    assert_eq!(listed["rows"].as_array().unwrap().len(), 1, "only their own");
    let _ = other;
}

#[tokio::test]
async fn deactivation_ends_a_live_session_at_its_next_request_voids_links_and_stops_notifications() {
    let app = spawn_app().await;
    let main = customer_with_password(&app, "81060", "betrieb", PASSWORD).await;
    let customer = customer_of(&app, main).await;
    let leaver = sub_user(&app, customer, "geht", false, false).await;
    let leaver_cookie = app.sign_in("geht", PASSWORD).await;
    let main_cookie = app.sign_in("betrieb", PASSWORD).await;
    // An open reset link and a queued notification of the leaving user.
    let now = app.state.clock.now();
    db::query("INSERT INTO tokens (user_id, purpose, token_hash, created_at, expires_at) VALUES ($1, 'password_reset', 'h-geht', $2, $3)")
        .bind(leaver)
        .bind(now)
        .bind(now + 3600)
        .execute(&app.state.pool)
        .await
        .unwrap();
    db::query(
        "INSERT INTO mail_outbox (idempotency_key, kind, recipient, subject, body_text, body_html, next_attempt_at, created_at, user_id) \
         VALUES ('newdoc:geht', 'new_documents', 'geht@kunden.example', 'Neue Dokumente', 'x', 'x', $1, $1, $2)",
    )
    .bind(now + 120)
    .bind(leaver)
    .execute(&app.state.pool)
    .await
    .unwrap();
    assert_eq!(app.get("/dokumente", Some(&leaver_cookie)).await.status, StatusCode::OK);

    let id = leaver.to_string();
    assert_eq!(app.call("users/set_active", &[("id", &id), ("active", "false")], Some(&main_cookie)).await.status, StatusCode::OK);
    let next = app.get("/dokumente", Some(&leaver_cookie)).await;
    assert_eq!((next.status, next.location()), (StatusCode::FOUND, Some("/login")), "the next click lands on the login page");
    assert_eq!(app.call("documents/types", &[], Some(&leaver_cookie)).await.status, StatusCode::UNAUTHORIZED);
    let open: i64 = db::query_scalar("SELECT COUNT(*) FROM tokens WHERE user_id = $1 AND used_at IS NULL").bind(leaver).fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(open, 0, "no open link works");
    let status: String = db::query_scalar("SELECT status FROM mail_outbox WHERE idempotency_key = 'newdoc:geht'").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(status, "expired", "their notification mail is not sent");
    let refused = app.call("auth/login", &[("username", "geht"), ("password", PASSWORD)], None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

    assert_eq!(app.call("users/set_active", &[("id", &id), ("active", "true")], Some(&main_cookie)).await.status, StatusCode::OK);
    assert!(app.call("auth/login", &[("username", "geht"), ("password", PASSWORD)], None).await.session_cookie().is_some());
    let actions: Vec<String> = db::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'user_%' ORDER BY id").fetch_all(&app.state.pool).await.unwrap();
    assert_eq!(actions, ["user_deactivated", "user_activated"]);
}

#[tokio::test]
async fn a_removed_user_is_gone_but_the_activity_log_keeps_the_name() {
    let app = spawn_app().await;
    let main = customer_with_password(&app, "81070", "aufraeumer", PASSWORD).await;
    let customer = customer_of(&app, main).await;
    let gone = sub_user(&app, customer, "Ehemalig", false, false).await;
    app.sign_in("Ehemalig", PASSWORD).await;
    let cookie = app.sign_in("aufraeumer", PASSWORD).await;
    assert_eq!(app.call("users/remove", &[("id", &gone.to_string())], Some(&cookie)).await.status, StatusCode::OK);
    assert_eq!(db::query_scalar::<i64>("SELECT COUNT(*) FROM users WHERE id = $1").bind(gone).fetch_one(&app.state.pool).await.unwrap(), 0);

    let list = json(&app.call("activity/list", &[("query[user]", ""), ("query[from]", ""), ("query[to]", ""), ("query[page]", "1")], Some(&cookie)).await);
    let entries = list["entries"].as_array().unwrap();
    let whats: Vec<(&str, &str)> = entries.iter().map(|e| (e["who"].as_str().unwrap(), e["what"].as_str().unwrap())).collect();
    assert_eq!(whats[0], ("aufraeumer", "Benutzer entfernt"), "newest first");
    assert!(whats.contains(&("Ehemalig", "Anmeldung")), "{whats:?}");
    assert_eq!(entries[0]["detail"], "Benutzer Ehemalig");
}

// ---- Aktivitätsprotokoll --------------------------------------------------------

#[tokio::test]
async fn the_activity_log_filters_pages_exports_and_stays_within_the_customer() {
    let app = spawn_app().await;
    let main = customer_with_password(&app, "81080", "protokoll", PASSWORD).await;
    let customer = customer_of(&app, main).await;
    let colleague = sub_user(&app, customer, "kollegin", false, false).await;
    customer_with_password(&app, "81081", "fremdfirma", PASSWORD).await;
    app.sign_in("fremdfirma", PASSWORD).await;
    for _ in 0..3 {
        app.call("auth/login", &[("username", "kollegin"), ("password", "Falsch-Wort-1")], None).await;
    }
    app.state.clock.advance(2 * 86_400);
    let colleague_cookie = app.sign_in("kollegin", PASSWORD).await;
    let cookie = app.sign_in("protokoll", PASSWORD).await;
    let query = |user: &str, from: &str, to: &str, page: &str| {
        vec![("query[user]", user.to_owned()), ("query[from]", from.to_owned()), ("query[to]", to.to_owned()), ("query[page]", page.to_owned())]
    };
    let call = |form: Vec<(&'static str, String)>| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call("activity/list", &form, Some(&cookie)).await
        }
    };
    let all = json(&call(query("", "", "", "1")).await);
    let whos: Vec<&str> = all["entries"].as_array().unwrap().iter().map(|e| e["who"].as_str().unwrap()).collect();
    assert!(!whos.contains(&"fremdfirma"), "another customer's entries never show");
    let failed = all["entries"].as_array().unwrap().iter().filter(|e| e["what"] == "Fehlgeschlagene Anmeldung").count();
    assert_eq!(failed, 3);

    let hers = json(&call(query(&colleague.to_string(), "", "", "1")).await);
    assert!(hers["entries"].as_array().unwrap().iter().all(|e| e["who"] == "kollegin"));
    assert_eq!(hers["total"], 4);
    // 2026-11-23 is START's day; two days later only the last sign-ins remain.
    let today = json(&call(query("", "2026-11-25", "2026-11-25", "1")).await);
    assert_eq!(today["total"], 2, "{today}");
    let bad = call(query("", "gestern", "", "1")).await;
    refused_with(&bad, Refusal::DateInvalid, Some("von"));

    let csv = app.get("/aktivitaet/export.csv?benutzer=&von=2026-11-23&bis=2026-11-23", Some(&cookie)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], "\u{feff}Zeit;Benutzer;Aktion;Details;Adresse");
    assert_eq!(lines.len(), 1 + 3, "the three failed sign-ins of that day: {lines:?}");
    assert!(lines[1].contains(";kollegin;Fehlgeschlagene Anmeldung;"));

    for path in ["/aktivitaet", "/aktivitaet/export.csv"] {
        assert_eq!(app.get(path, Some(&colleague_cookie)).await.status, StatusCode::FORBIDDEN, "{path} without the right");
    }
    let refused = app.call("activity/list", &[("query[user]", ""), ("query[from]", ""), ("query[to]", ""), ("query[page]", "1")], Some(&colleague_cookie)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let exported: i64 = db::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'activity_exported'").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(exported, 1);
}

#[tokio::test]
async fn the_activity_log_pages_by_fifty() {
    let app = spawn_app().await;
    let main = customer_with_password(&app, "81090", "viel", PASSWORD).await;
    let customer = customer_of(&app, main).await;
    for minute in 0..60 {
        db::query("INSERT INTO audit_log (at, actor_kind, actor_user_id, customer_id, action, detail) VALUES ($1, 'user', $2, $3, 'document_viewed', 'RE-1')")
            .bind(START - 3600 + minute * 60)
            .bind(main)
            .bind(customer)
            .execute(&app.state.pool)
            .await
            .unwrap();
    }
    let cookie = app.sign_in("viel", PASSWORD).await;
    let page = |n: &'static str| {
        let cookie = cookie.clone();
        let app = &app;
        async move { json(&app.call("activity/list", &[("query[user]", ""), ("query[from]", ""), ("query[to]", ""), ("query[page]", n)], Some(&cookie)).await) }
    };
    let first = page("1").await;
    assert_eq!((first["total"].as_u64(), first["pages"].as_u64(), first["entries"].as_array().unwrap().len()), (Some(61), Some(2), 50));
    let second = page("2").await;
    assert_eq!(second["entries"].as_array().unwrap().len(), 11);
    assert_eq!(page("9").await["page"], 2, "a page past the end shows the last");
}

// ---- Links and changes of credentials ------------------------------------------

/// Asks for an e-mail change to `address` and returns the link's token.
async fn email_change_token(app: &TestApp, mailbox: &Mailbox, cookie: &str, address: &str) -> String {
    let asked = app.call("profile/request_email_change", &[("email", address), ("password", PASSWORD)], Some(cookie)).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    deliver(app).await;
    let mails = mailbox.wait_for(mailbox.len() + 1).await;
    let mail = mails.iter().rev().find(|m| header_of(m, "To") == Some(address)).expect("the confirmation mail");
    link_in(mail, "/email-bestaetigen").1
}

/// "Passwort vergessen" for `username`; returns the link's token.
async fn reset_token(app: &TestApp, mailbox: &Mailbox, username: &str) -> String {
    let before = mailbox.len();
    assert_eq!(app.call("auth/request_reset", &[("identifier", username)], None).await.status, StatusCode::OK);
    app.background_work_done().await;
    deliver(app).await;
    let mails = mailbox.wait_for(before + 1).await;
    assert_eq!(mails.len(), before + 1, "a reset mail");
    link_in(&mails[before], "/passwort-neu").1
}

#[derive(Debug, Clone, Copy)]
enum CredentialChange {
    Reset,
    PasswordChange,
    Deactivation,
    SignOutEverywhere,
    EmailChange,
}

/// Carries out `change` for the main user `username` (signed in as `cookie`).
async fn change_credentials(app: &TestApp, mailbox: &Mailbox, change: CredentialChange, username: &str, cookie: &str) {
    const NEW: &str = "Ganz-Neu-2027";
    match change {
        CredentialChange::Reset => {
            let token = reset_token(app, mailbox, username).await;
            let set = app.call("auth/reset_password", &[("token", &token), ("password", NEW), ("confirm", NEW)], None).await;
            assert_eq!(set.status, StatusCode::OK, "{}", set.body);
        }
        CredentialChange::PasswordChange => {
            let changed = app.call("auth/change_password", &[("current", PASSWORD), ("password", NEW), ("confirm", NEW)], Some(cookie)).await;
            assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        }
        CredentialChange::Deactivation => {
            for active in [false, true] {
                assert_eq!(app::users::ssr::set_active_by_operator(&app.state, username, active).await.unwrap(), Some(true));
            }
        }
        CredentialChange::SignOutEverywhere => {
            assert_eq!(app.call("auth/sign_out_elsewhere", &[], Some(cookie)).await.status, StatusCode::OK);
        }
        CredentialChange::EmailChange => {
            let token = email_change_token(app, mailbox, cookie, "zwischendurch@kunden.example").await;
            assert_eq!(app.call("profile/confirm_email_change", &[("token", &token)], None).await.status, StatusCode::OK);
        }
    }
}

#[tokio::test]
async fn an_open_email_change_link_dies_with_every_change_of_credentials() {
    use CredentialChange::*;
    for (round, change) in [Reset, PasswordChange, Deactivation, SignOutEverywhere].into_iter().enumerate() {
        let (app, mailbox) = smtp_app(&[("KP_LIMIT_RESET_PER_MINUTE", "100")]).await;
        let username = format!("konto{round}");
        let id = customer_with_password(&app, &format!("8150{round}"), &username, PASSWORD).await;
        let cookie = app.sign_in(&username, PASSWORD).await;
        // Someone who knew the password asks to move the address to their own…
        let token = email_change_token(&app, &mailbox, &cookie, "fremd@angreifer.example").await;
        // …the owner changes their credentials…
        change_credentials(&app, &mailbox, change, &username, &cookie).await;
        // …and the old link moves nothing.
        let used = app.call("profile/confirm_email_change", &[("token", &token)], None).await;
        assert_eq!((used.status, error_of(&used)), (StatusCode::GONE, AppError::EmailLinkInvalid), "{change:?}");
        assert_eq!(app.get(&format!("/email-bestaetigen?token={token}"), None).await.status, StatusCode::GONE, "{change:?}");
        let email: String = db::query_scalar("SELECT email FROM users WHERE id = $1").bind(id).fetch_one(&app.state.pool).await.unwrap();
        assert_eq!(email, format!("{username}@kunden.example"), "{change:?}");
    }
}

#[tokio::test]
async fn an_open_reset_link_dies_with_every_other_change_of_credentials() {
    use CredentialChange::*;
    for (round, change) in [PasswordChange, Deactivation, SignOutEverywhere, EmailChange].into_iter().enumerate() {
        let (app, mailbox) = smtp_app(&[("KP_LIMIT_RESET_PER_MINUTE", "100")]).await;
        let username = format!("ruecksetzen{round}");
        customer_with_password(&app, &format!("8151{round}"), &username, PASSWORD).await;
        let cookie = app.sign_in(&username, PASSWORD).await;
        let token = reset_token(&app, &mailbox, &username).await;
        change_credentials(&app, &mailbox, change, &username, &cookie).await;
        let used = app.call("auth/reset_password", &[("token", &token), ("password", "Uebernahme-99"), ("confirm", "Uebernahme-99")], None).await;
        assert_eq!((used.status, error_of(&used)), (StatusCode::GONE, AppError::LinkInvalid), "{change:?}");
    }
}

#[tokio::test]
async fn a_link_is_good_only_for_the_security_stamp_it_was_issued_under() {
    let (app, mailbox) = smtp_app(&[]).await;
    let id = customer_with_password(&app, "81520", "stempel", PASSWORD).await;
    let cookie = app.sign_in("stempel", PASSWORD).await;
    let email_token = email_change_token(&app, &mailbox, &cookie, "neu@stempel.example").await;
    let reset = reset_token(&app, &mailbox, "stempel").await;
    // A change of credentials that forgot to void the links still cannot reuse them.
    db::query("UPDATE users SET security_stamp = 'anderer-stempel' WHERE id = $1").bind(id).execute(&app.state.pool).await.unwrap();
    let open: i64 = db::query_scalar("SELECT COUNT(*) FROM tokens WHERE used_at IS NULL").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(open, 2, "the rows are still open");
    assert_eq!(app.call("profile/confirm_email_change", &[("token", &email_token)], None).await.status, StatusCode::GONE);
    let used = app.call("auth/reset_password", &[("token", &reset), ("password", "Uebernahme-99"), ("confirm", "Uebernahme-99")], None).await;
    assert_eq!(used.status, StatusCode::GONE);
    assert_eq!(app.get(&format!("/passwort-neu?token={reset}"), None).await.status, StatusCode::GONE);
}

#[tokio::test]
async fn probing_usernames_and_add_remove_cycles_are_limited_per_user_and_customer_and_day_and_audited() {
    let (app, mailbox) = smtp_app(&[("KP_LIMIT_ADDS_PER_USER_AND_DAY", "4"), ("KP_LIMIT_ADDS_PER_CUSTOMER_AND_DAY", "6")]).await;
    let main = customer_with_password(&app, "81600", "prober", PASSWORD).await;
    for (n, name) in ["fremd1", "fremd2", "fremd3"].into_iter().enumerate() {
        customer_with_password(&app, &format!("8161{n}"), name, PASSWORD).await;
    }
    let customer = customer_of(&app, main).await;
    sub_user(&app, customer, "Helfer", true, false).await;
    let cookie = app.sign_in("prober", PASSWORD).await;
    let add = |cookie: &str, name: &str| {
        let (cookie, name) = (cookie.to_owned(), name.to_owned());
        let app = &app;
        async move { app.call("users/add", &[("username", &name), ("email", "ziel@fremd.example")], Some(&cookie)).await }
    };
    // Names of other customers' users: "bereits vergeben" says they exist.
    for name in ["fremd1", "fremd2"] {
        refused_with(&add(&cookie, name).await, Refusal::UsernameTaken, Some("username"));
    }
    // Add and remove: every add mails an invitation to any address.
    for name in ["Eintag1", "Eintag2"] {
        assert_eq!(add(&cookie, name).await.status, StatusCode::OK);
        deliver(&app).await;
        let list = json(&app.call("users/list", &[], Some(&cookie)).await);
        let id = list["rows"].as_array().unwrap().iter().find(|r| r["username"] == name).unwrap()["id"].as_i64().unwrap().to_string();
        assert_eq!(app.call("users/remove", &[("id", &id)], Some(&cookie)).await.status, StatusCode::OK);
    }
    let spent = add(&cookie, "fremd3").await;
    assert_eq!(spent.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", spent.body);
    assert!(spent.refusal_text().contains("heute"), "the allowance is used up, and it says nothing of the name: {}", spent.body);
    assert_eq!(add(&cookie, "Frisch").await.status, StatusCode::UNPROCESSABLE_ENTITY, "a free name too");
    // The colleague's own allowance, until the customer's is used up.
    let helper = app.sign_in("Helfer", PASSWORD).await;
    assert_eq!(add(&helper, "Neuling1").await.status, StatusCode::OK);
    assert_eq!(add(&helper, "Neuling2").await.status, StatusCode::OK);
    assert_eq!(add(&helper, "Neuling3").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refusals: Vec<String> =
        db::query_scalar("SELECT detail FROM audit_log WHERE action = 'user_add_refused' ORDER BY id").fetch_all(&app.state.pool).await.unwrap();
    assert_eq!(refusals.len(), 5, "every refusal is audited: {refusals:?}");
    app.state.clock.advance(24 * 3600);
    let cookie = app.sign_in("prober", PASSWORD).await;
    assert_eq!(add(&cookie, "Morgen").await.status, StatusCode::OK, "the next day it is back");
    deliver(&app).await;
    assert_eq!(mailbox.wait_for(5).await.len(), 5, "invitations only for the adds let through");
}
