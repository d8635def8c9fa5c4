//! The outbox against a real SMTP server (mailin-embedded on loopback).


use app::server::db;
use app::customers::{add_customer, NewCustomer};
use app::domain::PasswordPolicy;
use app::server::audit::Actor;
use app::server::mail::outbox_summary;
use crate::common::*;

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

/// The `To:` of a message as the test server kept it.
fn recipient_of(message: &str) -> &str {
    message.lines().find_map(|line| line.strip_prefix("To: ")).unwrap_or_default()
}

/// A slow SMTP server whose every accepted message moves the portal's clock
/// on; the test holds the answer to one recipient's message until it lets go.
struct HeldAnswer {
    holding: std::sync::mpsc::Receiver<()>,
    release: std::sync::mpsc::Sender<bool>,
}

fn hold_answer_for(recipient: &'static str, clock: app::server::clock::Clock, seconds_per_message: i64) -> (SmtpAnswer, HeldAnswer) {
    let (holding_tx, holding) = std::sync::mpsc::channel();
    let (release, release_rx) = std::sync::mpsc::channel::<bool>();
    let release_rx = std::sync::Mutex::new(release_rx);
    let held_once = std::sync::atomic::AtomicBool::new(false);
    let answer: SmtpAnswer = std::sync::Arc::new(move |message: &str| {
        if recipient_of(message) == recipient && !held_once.swap(true, std::sync::atomic::Ordering::SeqCst) {
            holding_tx.send(()).unwrap();
            return release_rx.lock().unwrap().recv().unwrap();
        }
        clock.advance(seconds_per_message);
        true
    });
    (answer, HeldAnswer { holding, release })
}

/// Waits (off the runtime's threads) until the server holds the message.
async fn held(answer: &HeldAnswer) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while answer.holding.try_recv().is_err() {
        assert!(std::time::Instant::now() < deadline, "the held message never arrived");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_claimed_late_in_a_long_round_is_not_taken_and_sent_again_by_a_second_worker() {
    let port = free_port();
    let app = spawn_app_with(&[("KP_SMTP_URL", &format!("smtp://127.0.0.1:{port}"))]).await;
    let (answer, second) = hold_answer_for("zweite@kunden.example", app.state.clock.clone(), 100);
    let mailbox = start_smtp_server_answering(port, answer);
    invited_customer(&app, "20010", "erste", "erste@kunden.example").await;
    invited_customer(&app, "20011", "zweite", "zweite@kunden.example").await;

    // Worker A: the first mail takes 100 s, so the second is claimed 100 s into the round.
    let first = app.state.outbox_worker();
    let round = tokio::spawn(async move { first.deliver_due().await.unwrap() });
    held(&second).await;
    // 130 s after the round began, 30 s after the second row was claimed.
    app.state.clock.advance(30);
    let other = app.state.outbox_worker().deliver_due().await.unwrap();
    second.release.send(true).unwrap();
    assert_eq!(round.await.unwrap(), 2);
    assert_eq!(other, 0, "the second worker finds nothing it may take");
    let recipients: Vec<String> = mailbox.all().iter().map(|m| recipient_of(m).to_owned()).collect();
    assert_eq!(recipients, ["erste@kunden.example", "zweite@kunden.example"], "each mail once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_whose_lease_ran_out_does_not_turn_a_sent_mail_into_a_dead_one() {
    let port = free_port();
    let app = spawn_app_with(&[("KP_SMTP_URL", &format!("smtp://127.0.0.1:{port}"))]).await;
    let (answer, stalled) = hold_answer_for("langsam@kunden.example", app.state.clock.clone(), 0);
    let mailbox = start_smtp_server_answering(port, answer);
    invited_customer(&app, "20012", "langsam", "langsam@kunden.example").await;

    let first = app.state.outbox_worker();
    let round = tokio::spawn(async move { first.deliver_due().await.unwrap() });
    held(&stalled).await;
    // Worker A's conversation outlives its lease; worker B takes the row over and sends it.
    app.state.clock.advance(600);
    assert_eq!(app.state.outbox_worker().deliver_due().await.unwrap(), 1);
    // Then A's server refuses the message for good.
    stalled.release.send(false).unwrap();
    assert_eq!(round.await.unwrap(), 0);
    let (status, attempts, _, _) = outbox_row(&app).await;
    assert_eq!((status.as_str(), attempts), ("sent", 1), "the row stays as its lease holder left it");
    assert_eq!(mailbox.len(), 1);
}

#[tokio::test]
async fn a_mail_server_that_accepts_and_never_answers_is_given_up_on_and_the_mail_tried_again() {
    let port = free_port();
    let mailbox = start_stalling_smtp_server(port, 1);
    let app = spawn_app_with(&[("KP_SMTP_URL", &format!("smtp://127.0.0.1:{port}")), ("KP_SMTP_TIMEOUT_SECONDS", "1")]).await;
    add_customer(&app.state, invitation_for("20020", "haenger"), Actor::Operator).await.unwrap();
    let worker = app.state.outbox_worker();
    let round = tokio::time::timeout(std::time::Duration::from_secs(30), worker.deliver_due()).await;
    assert_eq!(round.expect("the round ends: the hung server is given up on").unwrap(), 0);
    let (status, attempts, last_error): (String, i64, Option<String>) =
        db::query_as("SELECT status, attempts, last_error FROM mail_outbox").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!((status.as_str(), attempts), ("queued", 1), "tried again later");
    assert!(last_error.as_deref().unwrap_or_default().contains("Zeitüberschreitung"), "{last_error:?}");
    app.state.clock.advance(60);
    assert_eq!(worker.deliver_due().await.unwrap(), 1, "the next connection is answered");
    assert_eq!(mailbox.wait_for(1).await.len(), 1);
}
