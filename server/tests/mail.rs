//! The outbox against a real SMTP server (mailin-embedded on loopback).

mod common;

use app::server::db;
use app::customers::{add_customer, NewCustomer};
use app::domain::PasswordPolicy;
use app::server::audit::Actor;
use app::server::mail::outbox_summary;
use common::*;

fn invitation_for(number: &str, username: &str) -> NewCustomer {
    NewCustomer::parse(number, "Muster Bau GmbH", username, &format!("{username}@kunden.example"), None, &PasswordPolicy::default())
        .unwrap()
}

async fn outbox_row(app: &TestApp) -> (String, i64, String, String) {
    db::query_as("SELECT status, attempts, body_text, body_html FROM mail_outbox ORDER BY id DESC LIMIT 1")
        .fetch_one(&app.state.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_invitation_arrives_over_smtp_with_a_single_use_link() {
    let port = free_port();
    let mailbox = start_smtp_server(port, false);
    let app = spawn_app_with(&[
        ("KP_SMTP_URL", &format!("smtp://127.0.0.1:{port}")),
        ("KP_BASE_URL", "https://portal.example.com"),
    ])
    .await;

    add_customer(&app.state, invitation_for("20001", "anna"), Actor::Operator).await.unwrap();
    let delivered = app.state.outbox_worker().deliver_due().await.unwrap();
    assert_eq!(delivered, 1);

    let messages = mailbox.wait_for(1).await;
    assert_eq!(messages.len(), 1);
    let message = unfold_quoted_printable(&messages[0]);
    assert!(message.contains("To: anna@kunden.example"), "{message}");
    assert!(message.contains("Message-ID: <outbox-"), "{message}");
    assert!(message.contains("multipart/alternative"));
    let link_start = message.find("https://portal.example.com/einladung?token=").expect("link built from KP_BASE_URL");
    let token: String = message[link_start + "https://portal.example.com/einladung?token=".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(token.len(), 43, "256-bit token");

    // Only the hash of the token is kept; the sent mail's bodies are scrubbed.
    let stored: Vec<String> = db::query_scalar("SELECT token_hash FROM tokens").fetch_all(&app.state.pool).await.unwrap();
    assert_eq!(stored, vec![app::server::crypto::token_hash(&token)]);
    let (status, attempts, text, html) = outbox_row(&app).await;
    assert_eq!((status.as_str(), attempts, text.as_str(), html.as_str()), ("sent", 1, "", ""));

    // Nothing more to send: the row is never sent twice.
    assert_eq!(app.state.outbox_worker().deliver_due().await.unwrap(), 0);
    assert_eq!(mailbox.len(), 1);
}

#[tokio::test]
async fn with_the_server_down_the_mail_waits_and_arrives_exactly_once_when_it_is_back() {
    let port = free_port();
    let app = spawn_app_with(&[("KP_SMTP_URL", &format!("smtp://127.0.0.1:{port}"))]).await;
    add_customer(&app.state, invitation_for("20002", "bernd"), Actor::Operator).await.unwrap();

    let worker = app.state.outbox_worker();
    assert_eq!(worker.deliver_due().await.unwrap(), 0);
    let (status, attempts, text, _) = outbox_row(&app).await;
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    assert!(text.contains("/einladung?token="), "body kept until sent");

    // Before the backoff has passed nothing is tried again.
    assert_eq!(worker.deliver_due().await.unwrap(), 0);
    assert_eq!(outbox_row(&app).await.1, 1);

    let mailbox = start_smtp_server(port, false);
    app.state.clock.advance(60);
    assert_eq!(worker.deliver_due().await.unwrap(), 1);
    assert_eq!(worker.deliver_due().await.unwrap(), 0);
    app.state.clock.advance(3600);
    assert_eq!(worker.deliver_due().await.unwrap(), 0);

    // Delivery returns once the SMTP server has accepted the message.
    let messages = mailbox.all();
    assert_eq!(mailbox.len(), 1, "exactly one mail");
    assert!(messages[0].contains("To: bernd@kunden.example"));
    assert_eq!(outbox_row(&app).await.0, "sent");
}

#[tokio::test]
async fn a_permanent_refusal_marks_the_mail_dead_at_once() {
    let port = free_port();
    let _mailbox = start_smtp_server(port, true);
    let app = spawn_app_with(&[("KP_SMTP_URL", &format!("smtp://127.0.0.1:{port}"))]).await;
    add_customer(&app.state, invitation_for("20003", "carla"), Actor::Operator).await.unwrap();

    assert_eq!(app.state.outbox_worker().deliver_due().await.unwrap(), 0);
    let (status, attempts, text, _) = outbox_row(&app).await;
    assert_eq!((status.as_str(), attempts, text.as_str()), ("dead", 1, ""));
    let summary = outbox_summary(&app.state.pool).await.unwrap();
    assert_eq!(summary.dead, 1);
    assert_eq!(summary.dead_rows[0].recipient, "carla@kunden.example");
    assert!(summary.dead_rows[0].last_error.as_deref().unwrap().contains("550"));
}

#[tokio::test]
async fn after_the_last_try_a_mail_is_dead_and_an_expired_link_is_not_sent() {
    let port = free_port();
    let app = spawn_app_with(&[
        ("KP_SMTP_URL", &format!("smtp://127.0.0.1:{port}")),
        ("KP_MAIL_MAX_ATTEMPTS", "2"),
    ])
    .await;
    add_customer(&app.state, invitation_for("20004", "dora"), Actor::Operator).await.unwrap();
    let worker = app.state.outbox_worker();
    worker.deliver_due().await.unwrap();
    app.state.clock.advance(120);
    worker.deliver_due().await.unwrap();
    assert_eq!(outbox_row(&app).await.0, "dead");

    // A second invitation whose 72 h run out while the server is down.
    add_customer(&app.state, invitation_for("20005", "emil"), Actor::Operator).await.unwrap();
    app.state.clock.advance(73 * 3600);
    let mailbox = start_smtp_server(port, false);
    assert_eq!(worker.deliver_due().await.unwrap(), 0);
    let (status, _, text, html) = outbox_row(&app).await;
    assert_eq!((status.as_str(), text.as_str(), html.as_str()), ("expired", "", ""));
    assert_eq!(mailbox.len(), 0);
}

#[tokio::test]
async fn without_smtp_mails_are_written_as_eml_files() {
    let app = spawn_app().await;
    add_customer(&app.state, invitation_for("20006", "fritz"), Actor::Operator).await.unwrap();
    assert_eq!(app.state.outbox_worker().deliver_due().await.unwrap(), 1);
    let files: Vec<_> = std::fs::read_dir(app.dir.path().join("mail")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].extension().unwrap() == "eml");
    let message = unfold_quoted_printable(&std::fs::read_to_string(&files[0]).unwrap());
    assert!(message.contains("To: fritz@kunden.example"));
    assert!(message.contains("http://127.0.0.1:3000/einladung?token="));
}
