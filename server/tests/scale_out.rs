//! One binary on either database and store, several instances: the job
//! lease, the probes, moving an installation, bad settings at start, and two
//! real `kundenportal serve` processes sharing one database and one store.

mod common;

use app::server::db;
use axum::http::StatusCode;
use common::*;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

fn kundenportal(env: &[(&str, String)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kundenportal"))
        .args(args)
        .envs(env.iter().map(|(name, value)| (*name, value.as_str())))
        .env("KP_LOG", "error")
        .output()
        .expect("the binary runs")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[tokio::test]
async fn every_table_of_the_schema_is_in_the_copy_order() {
    let app = spawn_app().await;
    let mut known: Vec<&str> = db::TABLES.to_vec();
    known.sort_unstable();
    assert_eq!(app.state.pool.table_names().await.unwrap(), known, "a new table needs its place in db::TABLES");
}

#[tokio::test]
async fn a_period_of_a_job_is_claimed_by_one_instance_and_taken_over_only_after_its_lease() {
    use app::server::jobs::claim_period;
    let app = spawn_app().await;
    let pool = &app.state.pool;
    assert!(claim_period(pool, "purge", 20_000, "a", START).await.unwrap());
    assert!(!claim_period(pool, "purge", 20_000, "b", START + 1).await.unwrap(), "taken while a runs");
    assert!(claim_period(pool, "purge", 20_001, "b", START + 1).await.unwrap(), "the next period is free");
    assert!(claim_period(pool, "sweep", 20_000, "b", START + 1).await.unwrap(), "another job is free");
    assert!(claim_period(pool, "purge", 20_000, "c", START + 3601).await.unwrap(), "a died: its lease ran out");
    db::query("UPDATE job_runs SET finished_at = $1 WHERE job = 'purge' AND slot = 20000").bind(START).execute(pool).await.unwrap();
    assert!(!claim_period(pool, "purge", 20_000, "d", START + 99_999).await.unwrap(), "a finished period never runs again");
}

#[tokio::test]
async fn the_probes_tell_the_load_balancer_whether_this_instance_can_serve() {
    let app = spawn_app().await;
    let health = app.get("/healthz", None).await;
    assert_eq!((health.status, health.body.as_str()), (StatusCode::OK, "ok\n"));
    let ready = app.get("/readyz", None).await;
    assert_eq!((ready.status, ready.body.as_str()), (StatusCode::OK, "ready\n"));

    // A schema older than the binary: not ready.
    db::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
        .execute(&app.state.pool)
        .await
        .unwrap();
    let behind = app.get("/readyz", None).await;
    assert_eq!((behind.status, behind.body.as_str()), (StatusCode::SERVICE_UNAVAILABLE, "database not ready\n"));

    app.state.pool.close().await;
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK, "the process still runs");
}

#[tokio::test]
async fn bad_or_unreachable_settings_stop_the_start_with_one_line_naming_them_and_no_password() {
    let dir = DataDir::new().await;
    let base: Vec<(&str, String)> = dir.env().to_vec();
    let with = |name: &'static str, value: &str| {
        let mut env = base.clone();
        env.retain(|(key, _)| *key != name);
        env.push((name, value.to_owned()));
        env.push(("AWS_SECRET_ACCESS_KEY", "geheim-s3".to_owned()));
        env
    };
    let cases = [
        (with("KP_DATABASE_URL", "mysql://kp:geheim@127.0.0.1/kp"), 2, "KP_DATABASE_URL"),
        (with("KP_DATABASE_URL", "postgres://kp:geheim@127.0.0.1:1/kp"), 3, "KP_DATABASE_URL"),
        (with("KP_STORAGE_URL", "ftp://kp:geheim@files.example/docs"), 2, "KP_STORAGE_URL"),
        (
            {
                let mut env = with("KP_STORAGE_URL", "s3://belege/kp");
                env.retain(|(key, _)| !key.starts_with("AWS_ENDPOINT"));
                env.push(("AWS_ENDPOINT", "http://127.0.0.1:1".into()));
                env.push(("AWS_ALLOW_HTTP", "true".into()));
                env.push(("AWS_ACCESS_KEY_ID", "kp".into()));
                env
            },
            3,
            "KP_STORAGE_URL",
        ),
    ];
    for (env, code, setting) in cases {
        let output = kundenportal(&env, &["serve"]);
        let all = text(&output);
        assert_eq!(output.status.code(), Some(code), "{setting}: {all}");
        let lines: Vec<&str> = all.lines().collect();
        assert_eq!(lines.len(), 1, "{all}");
        assert!(lines[0].contains(&format!("{setting}: ")), "{all}");
        assert!(!all.contains("geheim"), "no password in the message: {all}");
    }
}

/// Signs in through the login form's server function; the session cookie.
async fn sign_in_over_http(client: &reqwest::Client, base: &str, username: &str, password: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/auth/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(form_body(&[("username", username), ("password", password)]))
        .send()
        .await
        .unwrap()
}

fn session_of(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.contains("kp_session=") && !value.contains("Max-Age=0"))
        .map(|value| value.split(';').next().unwrap().to_owned())
}

async fn me(client: &reqwest::Client, base: &str, cookie: &str) -> StatusCode {
    let response = client.get(format!("{base}/api/v1/me")).header("cookie", cookie).send().await.unwrap();
    StatusCode::from_u16(response.status().as_u16()).unwrap()
}

struct Instance {
    child: Child,
    base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_instance(env: &[(&str, String)]) -> Instance {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_kundenportal"))
        .arg("serve")
        .envs(env.iter().map(|(name, value)| (*name, value.as_str())))
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("KP_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("kundenportal serve starts");
    Instance { child, base: format!("http://127.0.0.1:{port}") }
}

async fn wait_until_ready(client: &reqwest::Client, instance: &Instance) {
    for _ in 0..300 {
        if let Ok(response) = client.get(format!("{}/readyz", instance.base)).send().await {
            if response.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} did not get ready", instance.base);
}

#[tokio::test]
async fn two_instances_share_sessions_lockouts_the_outbox_and_the_daily_jobs() {
    let dir = DataDir::new().await;
    let smtp_port = free_port();
    let mailbox = start_smtp_server(smtp_port, false);
    let mut env: Vec<(&str, String)> = dir.env().to_vec();
    env.push(("KP_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}")));
    // Generous per-address limits: every request here comes from 127.0.0.1.
    env.push(("KP_LIMIT_LOGIN_PER_MINUTE", "1000".into()));

    let demo = kundenportal(&env, &["demo"]);
    assert!(demo.status.success(), "{}", text(&demo));
    let password = text(&demo).split('»').nth(2).and_then(|rest| rest.split('«').next()).unwrap().to_owned();

    // A document past its time, for the daily purge.
    let pool = dir.pool().await;
    db::query("UPDATE documents SET hidden_from = 1 WHERE id = (SELECT MIN(id) FROM documents)").execute(&pool).await.unwrap();

    let (a, b) = (start_instance(&env), start_instance(&env));
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    wait_until_ready(&client, &a).await;
    wait_until_ready(&client, &b).await;

    // Signed in on A, the session works on B; signing out on B ends it on A.
    let signed_in = sign_in_over_http(&client, &a.base, "demo", &password).await;
    let cookie = session_of(&signed_in).unwrap_or_else(|| panic!("sign-in on A: {}", signed_in.status()));
    let accepted = client
        .post(format!("{}/api/auth/accept_privacy", a.base))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .body("version=1")
        .send()
        .await
        .unwrap();
    assert!(accepted.status().is_success(), "privacy notice: {}", accepted.status());
    assert_eq!(me(&client, &b.base, &cookie).await, StatusCode::OK);
    let signed_out = client
        .post(format!("{}/api/auth/logout", b.base))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert!(signed_out.status().is_success(), "sign-out on B: {}", signed_out.status());
    assert_eq!(me(&client, &a.base, &cookie).await, StatusCode::UNAUTHORIZED);

    // Wrong passwords on A and B add up to one lockout (10 tries).
    for attempt in 0..10 {
        let instance = if attempt % 2 == 0 { &a } else { &b };
        let refused = sign_in_over_http(&client, &instance.base, "demo", "Falsch-123").await;
        assert!(session_of(&refused).is_none());
    }
    let locked = sign_in_over_http(&client, &b.base, "demo", &password).await;
    assert!(session_of(&locked).is_none(), "locked after five tries on each instance");
    let locked_until: Option<i64> = db::query_scalar("SELECT MAX(locked_until) FROM login_failures").fetch_one(&pool).await.unwrap();
    assert!(locked_until.is_some(), "one counter for both instances");

    // 200 mails queued at once, both workers running: each arrives once.
    let before = mailbox.len();
    let mut tx = db::begin(&pool).await.unwrap();
    for n in 0..200 {
        db::query(
            "INSERT INTO mail_outbox (idempotency_key, kind, recipient, subject, body_text, body_html, next_attempt_at, created_at) \
             VALUES ($1, 'test', 'empfang@example.com', $2, 'Text', '<p>Text</p>', 0, 0)",
        )
        .bind(format!("scale-out:{n}"))
        .bind(format!("Nachricht {n:03}"))
        .execute(&mut tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    for _ in 0..600 {
        let sent: i64 = db::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'test' AND status = 'sent'").fetch_one(&pool).await.unwrap();
        if sent == 200 && mailbox.len() >= before + 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut subjects: Vec<String> = mailbox
        .all()
        .iter()
        .filter_map(|message| message.lines().find_map(|line| line.strip_prefix("Subject: Nachricht ")).map(str::to_owned))
        .collect();
    subjects.sort();
    let expected: Vec<String> = (0..200).map(|n| format!("{n:03}")).collect();
    assert_eq!(subjects, expected, "every mail exactly once");

    // The daily purge ran once, on one of the two.
    let purges: i64 = db::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'document_purged'").fetch_one(&pool).await.unwrap();
    assert_eq!(purges, 1);
    let runs: Vec<(String, i64)> =
        db::query_as("SELECT owner, slot FROM job_runs WHERE job = 'documents past their time'").fetch_all(&pool).await.unwrap();
    assert_eq!(runs.len(), 1, "one claim for the day: {runs:?}");
    pool.close().await;
}

#[tokio::test]
async fn db_copy_moves_an_installation_and_the_portal_serves_the_same_documents_and_sign_ins() {
    // The source is always a SQLite file with the demo data; the target is
    // the suite's database (PostgreSQL in its second run).
    let source_dir = tempfile::tempdir().unwrap();
    let source_url = format!("sqlite://{}?mode=rwc", source_dir.path().join("quelle.db").display());
    let storage_url = format!("file://{}", source_dir.path().join("documents").display());
    let source_env: Vec<(&str, String)> = vec![
        ("KP_DATA_DIR", source_dir.path().display().to_string()),
        ("KP_DATABASE_URL", source_url.clone()),
        ("KP_STORAGE_URL", storage_url.clone()),
    ];
    let demo = kundenportal(&source_env, &["demo"]);
    assert!(demo.status.success(), "{}", text(&demo));
    let password = text(&demo).split('»').nth(2).and_then(|rest| rest.split('«').next()).unwrap().to_owned();
    let source = db::connect(&source_url, db::PoolSettings::default()).await.unwrap();
    // A purged document's id must never come back after the move.
    db::query("DELETE FROM documents WHERE id = (SELECT MAX(id) FROM documents)").execute(&source).await.unwrap();
    let high_water = source.id_high_water("documents").await.unwrap();

    let target_url = fresh_postgres_database()
        .await
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", source_dir.path().join("ziel.db").display()));
    let copied = kundenportal(&source_env, &["db", "copy", "--to", &target_url]);
    assert!(copied.status.success(), "{}", text(&copied));
    assert!(text(&copied).contains("die Zeilenzahlen stimmen überein"), "{}", text(&copied));
    let again = kundenportal(&source_env, &["db", "copy", "--to", &target_url]);
    assert_eq!(again.status.code(), Some(1), "a target with rows is refused: {}", text(&again));
    assert!(text(&again).contains("nicht leer"), "{}", text(&again));

    // Back into a new SQLite file: every row as it was, to the character.
    let round_trip_url = format!("sqlite://{}?mode=rwc", source_dir.path().join("zurueck.db").display());
    let mut target_env = source_env.clone();
    target_env[1] = ("KP_DATABASE_URL", target_url.clone());
    let back = kundenportal(&target_env, &["db", "copy", "--to", &round_trip_url]);
    assert!(back.status.success(), "{}", text(&back));
    let round_trip = db::connect(&round_trip_url, db::PoolSettings::default()).await.unwrap();
    assert_eq!(table_rows(&round_trip).await, table_rows(&source).await);

    // The portal on the copy: the same sign-in, the same documents.
    let app = spawn_app_with(&[("KP_DATABASE_URL", &target_url), ("KP_STORAGE_URL", &storage_url)]).await;
    let cookie = app.sign_in("demo", &password).await;
    let accepted = app.call("auth/accept_privacy", &[("version", "1")], Some(&cookie)).await;
    assert!(accepted.status.is_success() || accepted.status.is_redirection(), "{}", accepted.status);
    let query = [
        ("query[search]", ""),
        ("query[type_key]", ""),
        ("query[from]", ""),
        ("query[to]", ""),
        ("query[sort]", "Provided"),
        ("query[descending]", "true"),
        ("query[per_page]", "100"),
        ("query[page]", "1"),
    ];
    let list = app.call("documents/list", &query, Some(&cookie)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let page: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    assert_eq!(page["total"], 39, "{}", list.body);
    let first_id = page["rows"][0]["id"].as_i64().unwrap();
    let pdf = app.get(&format!("/dokumente/{first_id}/pdf"), Some(&cookie)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF"));

    // New rows continue after the old ids, purged ones included.
    let next: i64 = db::query_scalar(
        "INSERT INTO documents (customer_id, number, type_key, created_on, provided_at, hidden_from, sha256, size_bytes, ingested_at) \
         SELECT customer_id, 'NEU-1', type_key, created_on, provided_at, hidden_from, sha256, size_bytes, ingested_at \
         FROM documents WHERE id = $1 RETURNING id",
    )
    .bind(first_id)
    .fetch_one(&app.state.pool)
    .await
    .unwrap();
    assert_eq!(next, high_water + 1);
}

#[tokio::test]
async fn storage_copy_copies_every_file_and_checks_each_hash() {
    let dir = DataDir::new().await;
    let env = dir.env().to_vec();
    assert!(kundenportal(&env, &["demo"]).status.success());
    let target = tempfile::tempdir().unwrap();
    let target_url = format!("file://{}", target.path().display());
    let copied = kundenportal(&env, &["storage", "copy", "--to", &target_url]);
    assert!(copied.status.success(), "{}", text(&copied));

    let source = app::server::storage::DocumentStore::open(&dir.storage_url).unwrap();
    let copy = app::server::storage::DocumentStore::open(&target_url).unwrap();
    let mut files: Vec<String> = source.list().await.unwrap().into_iter().map(|file| file.hash.as_str().to_owned()).collect();
    files.sort();
    assert!(!files.is_empty());
    assert!(text(&copied).contains(&format!("{} Dateien", files.len())), "{}", text(&copied));
    for hash in &files {
        let hash = app::server::storage::ContentHash::parse(hash).unwrap();
        assert_eq!(copy.read_all(&hash).await.unwrap(), source.read_all(&hash).await.unwrap());
    }

    // A damaged file in the source is named, not copied silently.
    let damaged = app::server::storage::ContentHash::parse(&files[0]).unwrap();
    source.delete(&damaged).await.unwrap();
    source.put(&damaged, bytes::Bytes::from_static(b"%PDF-1.4 verdorben")).await.unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let refused = kundenportal(&env, &["storage", "copy", "--to", &format!("file://{}", fresh.path().display())]);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    assert!(text(&refused).contains(&files[0]), "{}", text(&refused));
}
