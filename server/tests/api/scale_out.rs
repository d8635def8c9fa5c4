//! One binary on either database and store, several instances: the job
//! lease, the probes, moving an installation, bad settings at start, and two
//! real `kundenportal serve` processes sharing one database and one store.


use app::server::db;
use axum::http::StatusCode;
use crate::common::*;
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

/// The first sign-in's last step: the privacy notice accepted.
async fn accept_privacy_over_http(client: &reqwest::Client, base: &str, cookie: &str) {
    let accepted = client
        .post(format!("{base}/api/auth/accept_privacy"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .body("version=1")
        .send()
        .await
        .unwrap();
    assert!(accepted.status().is_success(), "privacy notice: {}", accepted.status());
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

/// Profil for this cookie: 200 signed in, 302 to the login signed out.
async fn profile_page(client: &reqwest::Client, base: &str, cookie: &str) -> StatusCode {
    let response = client.get(format!("{base}/profil")).header("cookie", cookie).send().await.unwrap();
    StatusCode::from_u16(response.status().as_u16()).unwrap()
}

/// The app signs in with the browser's session over HTTP (PKCE, consent,
/// code for tokens) and gets its access token.
async fn app_token_over_http(client: &reqwest::Client, base: &str, cookie: &str) -> String {
    let authorize = format!(
        "{base}/oauth/authorize?response_type=code&client_id={CLIENT_ID}&redirect_uri={}&code_challenge={CHALLENGE}&code_challenge_method=S256&state=x",
        urlencode(REDIRECT_URI)
    );
    let consent = client.get(authorize).header("cookie", cookie).send().await.unwrap();
    let consent = consent.headers()["location"].to_str().unwrap().to_owned();
    let form = consent.split_once('?').unwrap().1.to_owned() + "&decision=allow";
    let allowed = client
        .post(format!("{base}/oauth/authorize"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(form)
        .send()
        .await
        .unwrap();
    let code = param(allowed.headers()["location"].to_str().unwrap(), "code").expect("a code");
    let tokens = client
        .post(format!("{base}/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", VERIFIER),
        ]))
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&tokens.text().await.unwrap()).unwrap();
    json["access_token"].as_str().expect("an access token").to_owned()
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
    accept_privacy_over_http(&client, &a.base, &cookie).await;
    assert_eq!(profile_page(&client, &b.base, &cookie).await, StatusCode::OK);
    // The app signs in on B and reads on A.
    let access = app_token_over_http(&client, &b.base, &cookie).await;
    let on_a = client.get(format!("{}/api/v1/me", a.base)).bearer_auth(&access).send().await.unwrap();
    assert_eq!(on_a.status().as_u16(), 200);
    let signed_out = client
        .post(format!("{}/api/auth/logout", b.base))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert!(signed_out.status().is_success(), "sign-out on B: {}", signed_out.status());
    assert_eq!(profile_page(&client, &a.base, &cookie).await, StatusCode::FOUND);

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
    // Both instances stopped (and waited for): no worker is left that could
    // still send a duplicate, so what the mailbox holds now is final.
    drop((a, b));
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

// ---- Faults: an instance killed, the database gone for a while --------------------

fn kill_hard(instance: &mut Instance) {
    // SIGKILL: no shutdown, no finishing of anything under way.
    instance.child.kill().unwrap();
    instance.child.wait().unwrap();
}

/// A PDF of about `size` bytes that differs with `n`.
fn big_pdf(n: usize, size: usize) -> Vec<u8> {
    let mut bytes = format!("%PDF-1.4\n% Dokument {n}\n").into_bytes();
    bytes.extend((0..size).map(|i| ((i * 7 + n) % 251) as u8));
    bytes.extend(b"\n%%EOF\n");
    bytes
}

async fn upload_over_http(client: &reqwest::Client, base: &str, key: &str, n: usize) -> Option<u16> {
    let number = format!("ABBRUCH-{n}");
    let fields = [("customer", "10001"), ("number", number.as_str()), ("type", "rechnung"), ("created", "2026-11-20")];
    let response = client
        .post(format!("{base}/api/v1/documents"))
        .bearer_auth(key)
        .header("content-type", format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}"))
        .body(multipart_body(&fields, Some(&big_pdf(n, 512 * 1024))))
        .send()
        .await
        .ok()?;
    Some(response.status().as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_killed_during_ingest_leaves_no_row_without_its_file_and_the_sweep_leaves_no_file_without_a_row() {
    let dir = DataDir::new().await;
    let env: Vec<(&str, String)> = dir.env().to_vec();
    assert!(kundenportal(&env, &["demo"]).status.success());
    let created = kundenportal(&env, &["apikey", "create", "--name", "faktura"]);
    let key = text(&created).split_whitespace().find(|word| word.starts_with("kp_")).expect("the key is printed").to_owned();
    let mut instance = start_instance(&env);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    wait_until_ready(&client, &instance).await;

    // Uploads four at a time; the process is killed once a few went through.
    let uploads: Vec<_> = (0..40)
        .map(|n| {
            let (client, base, key) = (client.clone(), instance.base.clone(), key.clone());
            tokio::spawn(async move { upload_over_http(&client, &base, &key, n).await })
        })
        .collect();
    let state = state_beside(&dir, &[], app::server::clock::Clock::system()).await;
    for _ in 0..600 {
        let done: i64 = db::query_scalar("SELECT COUNT(*) FROM documents WHERE number LIKE 'ABBRUCH-%'").fetch_one(&state.pool).await.unwrap();
        if done >= 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    kill_hard(&mut instance);
    let answered: Vec<Option<u16>> = futures_util::future::join_all(uploads).await.into_iter().map(Result::unwrap).collect();
    assert!(answered.iter().any(Option::is_none), "some uploads were cut off by the kill: {answered:?}");

    // Every row has its file, whatever the kill cut off.
    let rows: Vec<String> = db::query_scalar("SELECT sha256 FROM documents").fetch_all(&state.pool).await.unwrap();
    for hash in &rows {
        let hash = app::server::storage::ContentHash::parse(hash).unwrap();
        assert!(state.documents.size(&hash).await.is_ok(), "a row without its file");
    }
    // After the daily sweep (run as if a day had passed), no file without a row.
    let real_now = app::server::clock::Clock::system().now();
    let later = state_beside(&dir, &[], app::server::clock::Clock::fixed(real_now + 24 * 3600)).await;
    app::documents::ssr::retention::sweep_orphans(&later).await.unwrap();
    let mut stored: Vec<String> = later.documents.list().await.unwrap().into_iter().map(|file| file.hash.as_str().to_owned()).collect();
    // The demo's e-invoices keep their XML beside the PDF: those files are rows' files too.
    let invoice_files: Vec<String> = db::query_scalar("SELECT xml_sha256 FROM einvoices").fetch_all(&state.pool).await.unwrap();
    let mut expected: Vec<String> = rows.iter().chain(&invoice_files).cloned().collect();
    stored.sort();
    expected.sort();
    expected.dedup();
    assert_eq!(stored, expected, "the files are exactly the rows' files");
    // A restarted instance serves the documents that made it.
    let restarted = start_instance(&env);
    wait_until_ready(&client, &restarted).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_killed_while_it_delivers_mail_leaves_each_mail_to_arrive_exactly_once_after_a_restart() {
    let dir = DataDir::new().await;
    let smtp_port = free_port();
    // The third message's DATA is held until the test lets go; then refused,
    // as a server refuses a message whose sender vanished before sending it.
    let (held_tx, held_rx) = std::sync::mpsc::channel::<()>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let release_rx = std::sync::Mutex::new(release_rx);
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let gate: SmtpGate = std::sync::Arc::new(move |_to: &[String]| {
        if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 2 {
            held_tx.send(()).unwrap();
            let _ = release_rx.lock().unwrap().recv();
            return false;
        }
        true
    });
    let mailbox = start_smtp_server_gated(smtp_port, gate);
    let mut env: Vec<(&str, String)> = dir.env().to_vec();
    env.push(("KP_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}")));
    // A short lease, so the restarted instance takes the held row over soon.
    env.push(("KP_SMTP_TIMEOUT_SECONDS", "1".into()));
    {
        // Five invitations wait in the outbox before any instance runs.
        let state = state_beside(&dir, &[], app::server::clock::Clock::system()).await;
        for n in 0..5 {
            invited_customer_in(&state, &format!("3050{n}"), &format!("post{n}"), &format!("post{n}@kunden.example")).await;
        }
    }
    let mut first = start_instance(&env);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while held_rx.try_recv().is_err() {
        assert!(std::time::Instant::now() < deadline, "the third mail never reached the server");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    kill_hard(&mut first);
    release_tx.send(()).unwrap();
    assert_eq!(mailbox.len(), 2, "two mails went out before the kill");

    let second = start_instance(&env);
    mailbox.wait_for_within(5, Duration::from_secs(30)).await;
    // Stopped: no worker is left that could still send a late duplicate.
    drop(second);
    let mut recipients: Vec<String> =
        mailbox.all().iter().map(|m| m.lines().find_map(|l| l.strip_prefix("To: ")).unwrap_or_default().to_owned()).collect();
    recipients.sort();
    let expected: Vec<String> = (0..5).map(|n| format!("post{n}@kunden.example")).collect();
    assert_eq!(recipients, expected, "each mail exactly once");
}

/// [`invited_customer`] on a state of its own.
async fn invited_customer_in(state: &app::server::state::AppState, number: &str, username: &str, email: &str) {
    use app::customers::{add_customer, NewCustomer};
    let new = NewCustomer::parse(number, &format!("Kunde {number}"), username, email, None, &state.config.password_policy).unwrap();
    add_customer(state, new, app::server::audit::Actor::Operator).await.unwrap();
}

/// A PostgreSQL server of this test's own, to stop and start again.
struct OwnPostgres {
    dir: String,
    url: String,
}

impl OwnPostgres {
    fn script(args: &[&str]) -> Output {
        Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/postgres-server.sh")).args(args).output().expect("the script runs")
    }

    fn start() -> Self {
        let started = Self::script(&["start"]);
        assert!(started.status.success(), "{}", text(&started));
        let exports = String::from_utf8_lossy(&started.stdout).to_string();
        let value = |name: &str| {
            exports.lines().find_map(|line| line.strip_prefix(&format!("export {name}="))).unwrap_or_else(|| panic!("{name} in {exports}")).to_owned()
        };
        Self { dir: value("KP_TEST_POSTGRES_DIR"), url: value("KP_TEST_POSTGRES_URL") }
    }

    fn pause(&self) {
        let output = Self::script(&["pause", &self.dir]);
        assert!(output.status.success(), "{}", text(&output));
    }

    fn resume(&self) {
        let output = Self::script(&["resume", &self.dir]);
        assert!(output.status.success(), "{}", text(&output));
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        Self::script(&["stop", &self.dir]);
    }
}

/// Words of a database driver or library that must never reach a client.
const INTERNAL_TEXT: [&str; 8] = ["sqlx", "PoolTimedOut", "pool timed out", "Connection refused", "io error", "postgres", "error returned", "Fehlernummer"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_postgresql_restarts_requests_get_503_without_internal_text_and_the_portal_recovers_by_itself() {
    if Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/postgres-server.sh")).arg("available").status().map_or(true, |s| !s.success()) {
        panic!("PostgreSQL's binaries are missing: run scripts/setup.sh");
    }
    let postgres = OwnPostgres::start();
    let storage = tempfile::tempdir().unwrap();
    let env: Vec<(&str, String)> = vec![
        ("KP_DATA_DIR", storage.path().display().to_string()),
        ("KP_DATABASE_URL", postgres.url.clone()),
        ("KP_STORAGE_URL", format!("file://{}", storage.path().join("documents").display())),
        ("KP_LIMIT_LOGIN_PER_MINUTE", "10000".into()),
    ];
    let demo = kundenportal(&env, &["demo"]);
    assert!(demo.status.success(), "{}", text(&demo));
    let password = text(&demo).split('»').nth(2).and_then(|rest| rest.split('«').next()).unwrap().to_owned();
    let instance = start_instance(&env);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    wait_until_ready(&client, &instance).await;
    let cookie = session_of(&sign_in_over_http(&client, &instance.base, "demo", &password).await).expect("signed in");
    accept_privacy_over_http(&client, &instance.base, &cookie).await;

    // Requests as a browser and as the app's API make them, over and over.
    let access = app_token_over_http(&client, &instance.base, &cookie).await;
    let get = |path: &'static str, accept: &'static str| {
        let (client, base, cookie, access) = (client.clone(), instance.base.clone(), cookie.clone(), access.clone());
        async move {
            let request = client.get(format!("{base}{path}")).header("accept", accept);
            let request = if path.starts_with("/api/v1/") { request.bearer_auth(access) } else { request.header("cookie", cookie) };
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap_or_default())
        }
    };
    assert_eq!(get("/api/v1/me", "application/json").await.0, 200);

    postgres.pause();
    // At once: each waits for a connection until the pool gives up.
    let during = futures_util::future::join_all([
        get("/api/v1/me", "application/json"),
        get("/dokumente", "text/html"),
        get("/api/v1/me", "application/json"),
        get("/dokumente", "text/html"),
        get("/readyz", "text/plain"),
    ])
    .await;
    for (status, body) in &during {
        assert_eq!(*status, 503, "{body}");
        for word in INTERNAL_TEXT {
            assert!(!body.contains(word), "»{word}« reached the client: {body}");
        }
    }
    assert_eq!(get("/healthz", "text/plain").await.0, 200, "the process still runs");

    postgres.resume();
    let mut back = 0;
    for _ in 0..100 {
        if get("/api/v1/me", "application/json").await.0 == 200 {
            back += 1;
            if back == 3 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(back, 3, "the same process serves again once the database is back");
    assert_eq!(get("/dokumente", "text/html").await.0, 200);
}
