//! Test helpers: a fresh data directory and SQLite file per test, the real
//! router called in-process, a fixed clock, a real SMTP server, and the
//! fixtures ([`fixtures`]).
#![allow(dead_code)]

mod app_client;
mod fixtures;
pub use app_client::*;
pub use fixtures::{TestCustomer, TestUser};

use app::server::clock::Clock;
use app::server::config::Config;
use app::server::db;
use app::server::state::AppState;
use axum::body::Body;
use axum::extract::ConnectInfo;
use std::net::SocketAddr;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// 2026-11-23 09:00 UTC; tests move it forward with `state.clock.advance`.
pub const START: app::domain::UnixTime = app::domain::UnixTime::from_seconds(1_795_424_400);

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub dir: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut map: HashMap<String, String> =
        vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    map.insert("KP_DATA_DIR".into(), dir.path().display().to_string());
    if !map.contains_key("KP_DATABASE_URL") {
        if let Some(url) = fresh_postgres_database().await {
            map.insert("KP_DATABASE_URL".into(), url);
        }
    }
    if !map.contains_key("KP_STORAGE_URL") {
        if let Some(url) = fresh_s3_prefix() {
            map.insert("KP_STORAGE_URL".into(), url);
        }
    }
    let config = Config::from_lookup(|name| map.get(name).cloned()).expect("test configuration is valid");
    let pool = db::connect_and_migrate(&config.database_url, config.pool_settings()).await.expect("database opens");
    let state = AppState::new(pool, config, Clock::fixed(START)).expect("state builds");
    app::jobs().run_at_start(&state).await.unwrap();
    let router = server::startup::build(state.clone());
    TestApp { state, router, dir }
}

/// The PostgreSQL server the suite runs against, as an administrator's URL
/// (set by scripts/test.sh for the suite's second run); unset: SQLite.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("KP_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty())
}

/// A new, empty database on the test server, when the suite runs on
/// PostgreSQL: each test gets its own, as each gets its own SQLite file.
pub async fn fresh_postgres_database() -> Option<String> {
    let admin = postgres_admin_url()?;
    let name = format!("kp_test_{}", app::server::crypto::new_token().to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), ""));
    let name = &name[..name.len().min(40)];
    let pool = sqlx::PgPool::connect(&admin).await.expect("the test PostgreSQL server answers");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await.expect("test database created");
    pool.close().await;
    let (server, _) = admin.rsplit_once('/').expect("KP_TEST_POSTGRES_URL ends in /DATABASE");
    Some(format!("{server}/{name}"))
}

/// With `KP_TEST_S3_BUCKET` (set by scripts/test.sh with the `AWS_*`
/// variables of a local S3-compatible server), each test stores its
/// documents under its own prefix in that bucket; unset: in its directory.
pub fn fresh_s3_prefix() -> Option<String> {
    let bucket = std::env::var("KP_TEST_S3_BUCKET").ok().filter(|bucket| !bucket.is_empty())?;
    let prefix: String = app::server::crypto::new_token().chars().filter(char::is_ascii_alphanumeric).take(16).collect();
    Some(format!("s3://{bucket}/test-{prefix}"))
}

/// A data directory and a database of its own, for tests that run the
/// binary: `env()` is what the binary needs to find both.
/// The app's state on the same database and store as a running instance,
/// with a clock of its own: to look at what the instance left and to run a
/// job as if time had passed.
pub async fn state_beside(dir: &DataDir, extra: &[(&str, String)], clock: app::server::clock::Clock) -> app::server::state::AppState {
    let mut env: std::collections::HashMap<String, String> = dir.env().iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let config = app::server::config::Config::from_lookup(|name| env.get(name).cloned()).unwrap();
    let pool = db::connect_and_migrate(&config.database_url, config.pool_settings()).await.unwrap();
    app::server::state::AppState::new(pool, config, clock).unwrap()
}

pub struct DataDir {
    pub dir: tempfile::TempDir,
    pub database_url: String,
    pub storage_url: String,
}

impl DataDir {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let database_url = match fresh_postgres_database().await {
            Some(url) => url,
            None => format!("sqlite://{}?mode=rwc", dir.path().join("kundenportal.db").display()),
        };
        let storage_url = fresh_s3_prefix().unwrap_or_else(|| format!("file://{}", dir.path().join("documents").display()));
        Self { dir, database_url, storage_url }
    }

    pub fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub fn env(&self) -> [(&'static str, String); 3] {
        [
            ("KP_DATA_DIR", self.path().display().to_string()),
            ("KP_DATABASE_URL", self.database_url.clone()),
            ("KP_STORAGE_URL", self.storage_url.clone()),
        ]
    }

    /// Opens the database as it is now, without migrating it.
    pub async fn pool(&self) -> db::Pool {
        db::connect(&self.database_url, db::PoolSettings::default()).await.expect("test database opens")
    }
}

/// The details of the audit entries of `action`, oldest first, as the
/// German activity log words them.
pub async fn audit_details(app: &TestApp, action: &str) -> Vec<String> {
    db::query_scalar::<String>("SELECT detail FROM audit_log WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(&app.state.pool)
        .await
        .unwrap()
        .into_iter()
        .map(|stored| app::server::audit::AuditDetail::shown(&stored, app::i18n::Lang::De, &app.state.config.time_zone))
        .collect()
}

/// Every row of every table of the portal, as text the database formats,
/// sorted: what "unchanged" means for a database.
pub async fn table_rows(pool: &db::Pool) -> Vec<(String, Vec<String>)> {
    let mut content = Vec::new();
    for table in pool.table_names().await.unwrap() {
        let select_row = match pool.backend() {
            db::Backend::Postgres => format!("SELECT t::text FROM \"{table}\" t"),
            db::Backend::Sqlite => {
                let columns: Vec<String> = db::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                    .bind(&table)
                    .fetch_all(pool)
                    .await
                    .unwrap();
                let row = columns.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || '|' || ");
                format!("SELECT {row} FROM \"{table}\"")
            }
        };
        let mut rows: Vec<String> = db::query_scalar(&select_row).fetch_all(pool).await.unwrap();
        rows.sort();
        content.push((table, rows));
    }
    content
}

/// Runs the statements written for the database the test runs on (tests
/// that break the schema on purpose need each database's trigger syntax).
pub async fn execute_per_backend(pool: &db::Pool, sqlite: &[&str], postgres: &[&str]) {
    let statements = match pool.backend() {
        db::Backend::Sqlite => sqlite,
        db::Backend::Postgres => postgres,
    };
    for statement in statements {
        db::query(statement).execute(pool).await.unwrap_or_else(|error| panic!("{statement}: {error}"));
    }
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

/// The typed error a server function or API route answered with. Panics
/// when the answer is no `AppError`.
pub fn error_of(response: &TestResponse) -> app::error::AppError {
    serde_json::from_str(&response.body).unwrap_or_else(|_| panic!("no AppError: {} {}", response.status, response.body))
}

impl TestResponse {
    /// What the page shows for a server function's refusal: the German text
    /// of the typed error the browser decodes.
    pub fn refusal_text(&self) -> String {
        error_of(self).to_string()
    }

    /// The `name=value` of the session cookie this response sets, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("kp_session=") || v.starts_with("__Host-kp_session="))
            .map(|v| v.split(';').next().unwrap().to_owned())
    }

    pub fn location(&self) -> Option<&str> {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok())
    }
}

/// The peer address in-process requests come from unless a test says otherwise.
pub const CLIENT: &str = "192.0.2.10:40000";

impl TestApp {
    /// Sends a request through the real router. Like `axum::serve`, it gets
    /// the peer address (default [`CLIENT`]) as `ConnectInfo`.
    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        let (status, headers, bytes) = self.request_bytes(request).await;
        TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// [`TestApp::request`] with the body as it came, for binary or
    /// compressed answers.
    pub async fn request_bytes(&self, mut request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, axum::body::Bytes) {
        if request.extensions().get::<ConnectInfo<SocketAddr>>().is_none() {
            request.extensions_mut().insert(ConnectInfo(CLIENT.parse::<SocketAddr>().unwrap()));
        }
        let response: Response<Body> = self.router.clone().oneshot(request).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        (status, headers, axum::body::to_bytes(response.into_body(), 1 << 28).await.unwrap())
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> TestResponse {
        let mut builder = Request::get(path).header(header::ACCEPT, "text/html,application/xhtml+xml");
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        self.request(builder.body(Body::empty()).unwrap()).await
    }

    /// Calls a server function the way the hydrated page does (a browser
    /// marks it `Sec-Fetch-Site: same-origin`).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)], cookie: Option<&str>) -> TestResponse {
        self.request(server_fn_request(endpoint, cookie).body(Body::from(form_body(form))).unwrap()).await
    }

    /// Like [`TestApp::call`], from another peer address.
    pub async fn call_from(&self, peer: &str, endpoint: &str, form: &[(&str, &str)]) -> TestResponse {
        let mut request = server_fn_request(endpoint, None).body(Body::from(form_body(form))).unwrap();
        request.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        self.request(request).await
    }

    /// Signs in and returns the session cookie.
    pub async fn sign_in(&self, username: &str, password: &str) -> String {
        let response = self.call("auth/login", &[("username", username), ("password", password)], None).await;
        response.session_cookie().unwrap_or_else(|| panic!("sign-in failed: {} {}", response.status, response.body))
    }

    /// Waits until the work that requests left running after their answer
    /// (e.g. "Passwort vergessen") has finished.
    pub async fn background_work_done(&self) {
        self.state.background.close();
        self.state.background.wait().await;
        self.state.background.reopen();
    }

    pub async fn count(&self, table: &str) -> i64 {
        db::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&self.state.pool).await.unwrap()
    }
}

/// The boundary of [`multipart_body`].
pub const MULTIPART_BOUNDARY: &str = "----kundenportal-test";

/// A `multipart/form-data` body as the billing system sends one to the
/// ingest API: the text fields, then the PDF as `file`.
pub fn multipart_body(fields: &[(&str, &str)], file: Option<&[u8]>) -> Vec<u8> {
    let mut body = Vec::with_capacity(file.map_or(0, <[u8]>::len) + 1024);
    for (name, value) in fields {
        body.extend(format!("--{MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    if let Some(file) = file {
        body.extend(
            format!("--{MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{MULTIPART_BOUNDARY}--\r\n").as_bytes());
    body
}

pub fn form_body(form: &[(&str, &str)]) -> String {
    form.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&")
}

/// A server-function POST as the hydrated page sends it, without body.
pub fn server_fn_request(endpoint: &str, cookie: Option<&str>) -> axum::http::request::Builder {
    let mut builder = Request::post(format!("/api/{endpoint}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder
}

/// A form the browser posts itself, before the WASM runs: it asks for HTML
/// and is answered with redirects.
pub fn plain_form_post(endpoint: &str, form: &[(&str, &str)], cookie: &str) -> Request<Body> {
    Request::post(format!("/api/{endpoint}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, cookie)
        .body(Body::from(form_body(form)))
        .unwrap()
}

pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A sub-user of `customer_id` who can sign in with `password` (a real
/// Argon2id hash) and has accepted the current privacy notice, with the
/// rights named; their address is `{username}@kunden.example`, lower-cased.
pub async fn sub_user_with_password(
    app: &TestApp,
    customer_id: i64,
    username: &str,
    password: &str,
    manage_users: bool,
    manage_forwardings: bool,
) -> i64 {
    TestUser::sub(username).password(password).rights(manage_users, manage_forwardings).create(app, customer_id).await
}

/// The customer of the user `user_id`.
pub async fn customer_id_of(app: &TestApp, user_id: i64) -> i64 {
    db::query_scalar("SELECT customer_id FROM users WHERE id = $1").bind(user_id).fetch_one(&app.state.pool).await.unwrap()
}

/// Records that `user_id` accepted the current privacy notice.
pub async fn accept_current_privacy_notice(app: &TestApp, user_id: i64) {
    db::query("INSERT INTO privacy_acceptances (user_id, version, accepted_at) SELECT $1, MAX(version), $2 FROM privacy_notices")
        .bind(user_id)
        .bind(START)
        .execute(&app.state.pool)
        .await
        .unwrap();
}

/// Creates a customer whose main user can sign in with `password` and has
/// finished the first sign-in (accepted the current privacy notice).
pub async fn customer_with_password(app: &TestApp, number: &str, username: &str, password: &str) -> i64 {
    let main = TestUser::main(username).password(password).email(&format!("{username}@kunden.example"));
    TestCustomer::new(number).with_user(main).create(app).await.user_ids[0]
}

/// A customer whose main user can sign in with `password`, as if set
/// through their invitation link, but has not accepted the privacy notice
/// yet. Returns the user id.
pub async fn customer_in_setup(app: &TestApp, number: &str, username: &str, password: &str) -> i64 {
    let main = TestUser::main(username).password(password).email(&format!("{username}@kunden.example")).privacy_pending();
    TestCustomer::new(number).with_user(main).create(app).await.user_ids[0]
}

/// Creates a customer the way `customer add --initial-password` does: the
/// main user must set their own password at the first sign-in.
pub async fn customer_with_initial_password(app: &TestApp, number: &str, username: &str, password: &str) -> i64 {
    use app::customers::{add_customer, NewCustomer};
    let new = NewCustomer::parse(
        number,
        &format!("Kunde {number}"),
        username,
        &format!("{username}@kunden.example"),
        Some(password),
        &app.state.config.password_policy,
    )
    .unwrap();
    add_customer(&app.state, new, app::server::audit::Actor::Operator).await.unwrap().user_id
}

/// Creates a customer whose main user was invited; returns the user id.
pub async fn invited_customer(app: &TestApp, number: &str, username: &str, email: &str) -> i64 {
    use app::customers::{add_customer, NewCustomer};
    let new = NewCustomer::parse(number, &format!("Kunde {number}"), username, email, None, &app.state.config.password_policy)
        .unwrap();
    add_customer(&app.state, new, app::server::audit::Actor::Operator).await.unwrap().user_id
}

/// The first link in a mail (to `page`, e.g. "/passwort-neu") and its token.
/// A whole mail as sent is quoted-printable; a body as stored or decoded is
/// taken as it is (unfolding it would turn a token that starts with `3D`
/// into another one).
pub fn link_in(mail: &str, page: &str) -> (String, String) {
    let text = if mail.contains("Content-Transfer-Encoding: quoted-printable") { unfold_quoted_printable(mail) } else { mail.to_owned() };
    let start = text.find(&format!("{page}?token=")).unwrap_or_else(|| panic!("no {page} link in {text}"));
    let begin = text[..start].rfind("http").unwrap();
    let link: String = text[begin..].chars().take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<').collect();
    let token = link.split("token=").nth(1).unwrap().to_owned();
    (link, token)
}

/// A real SMTP server on loopback that keeps every message it accepts.
#[derive(Clone, Default)]
pub struct Mailbox {
    pub messages: Arc<Mutex<Vec<String>>>,
}

impl Mailbox {
    pub fn len(&self) -> usize {
        self.messages.lock().unwrap().len()
    }

    pub fn all(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }

    /// Waits up to five seconds for `n` messages.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        self.wait_for_within(n, std::time::Duration::from_secs(5)).await
    }

    /// Waits up to `limit` for `n` messages.
    pub async fn wait_for_within(&self, n: usize, limit: std::time::Duration) -> Vec<String> {
        let deadline = std::time::Instant::now() + limit;
        while self.len() < n && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.all()
    }
}

/// How the test SMTP server answers a whole message: `true` accepts it,
/// `false` refuses it for good (554). It may take its time first, as a slow
/// server does; messages it refuses are not kept.
pub type SmtpAnswer = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// How the test SMTP server answers `DATA` for these recipients, before a
/// byte of the message is sent: `true` goes on, `false` refuses (554). It
/// may take its time first.
pub type SmtpGate = Arc<dyn Fn(&[String]) -> bool + Send + Sync>;

#[derive(Clone)]
struct SmtpHandler {
    mailbox: Mailbox,
    reject_recipients: bool,
    answer: Option<SmtpAnswer>,
    gate: Option<SmtpGate>,
    current: Vec<u8>,
}

impl mailin::Handler for SmtpHandler {
    fn rcpt(&mut self, _to: &str) -> mailin::Response {
        if self.reject_recipients {
            mailin::response::NO_MAILBOX
        } else {
            mailin::response::OK
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> mailin::Response {
        self.current.clear();
        match &self.gate {
            Some(gate) if !gate(to) => mailin::response::TRANSACTION_FAILED,
            _ => mailin::response::OK,
        }
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin::Response {
        let message = String::from_utf8_lossy(&self.current).into_owned();
        if let Some(answer) = &self.answer {
            if !answer(&message) {
                return mailin::response::TRANSACTION_FAILED;
            }
        }
        self.mailbox.messages.lock().unwrap().push(message);
        mailin::response::OK
    }
}

/// An app that sends its mail to a real SMTP server on loopback, and that
/// server's mailbox. Links in mails start with https://portal.example.com.
pub async fn smtp_app(extra: &[(&str, &str)]) -> (TestApp, Mailbox) {
    let port = free_port();
    let mailbox = start_smtp_server(port, false);
    let url = format!("smtp://127.0.0.1:{port}");
    let mut vars = vec![("KP_SMTP_URL", url.as_str()), ("KP_BASE_URL", "https://portal.example.com")];
    vars.extend_from_slice(extra);
    (spawn_app_with(&vars).await, mailbox)
}

/// What the session behind `cookie` must still do (`pending` of `current_user`).
pub async fn pending_of(app: &TestApp, cookie: &str) -> serde_json::Value {
    let user: serde_json::Value = serde_json::from_str(&app.call("auth/current_user", &[], Some(cookie)).await.body).unwrap();
    user["pending"].clone()
}

/// A free loopback port with nothing listening on it (yet).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts a real SMTP server on `port` in a background thread. It runs until
/// the test process ends. The protocol is the `mailin` crate's; this loop only
/// carries its lines over plain TCP (no STARTTLS, as the portal's test config).
pub fn start_smtp_server(port: u16, reject_recipients: bool) -> Mailbox {
    serve_smtp(port, reject_recipients, None)
}

/// [`start_smtp_server`] whose answer to each whole message is `answer`'s.
pub fn start_smtp_server_answering(port: u16, answer: SmtpAnswer) -> Mailbox {
    serve_smtp(port, false, Some(answer))
}

/// [`start_smtp_server`] that asks `gate` before each message is sent.
pub fn start_smtp_server_gated(port: u16, gate: SmtpGate) -> Mailbox {
    serve_smtp_after(port, false, None, Some(gate), 0)
}

/// [`start_smtp_server`] whose first `stalled` connections are accepted and
/// never answered — what a hung mail server looks like to the portal.
pub fn start_stalling_smtp_server(port: u16, stalled: usize) -> Mailbox {
    serve_smtp_after(port, false, None, None, stalled)
}

fn serve_smtp(port: u16, reject_recipients: bool, answer: Option<SmtpAnswer>) -> Mailbox {
    serve_smtp_after(port, reject_recipients, answer, None, 0)
}

fn serve_smtp_after(port: u16, reject_recipients: bool, answer: Option<SmtpAnswer>, gate: Option<SmtpGate>, stalled: usize) -> Mailbox {
    let mailbox = Mailbox::default();
    let handler = SmtpHandler { mailbox: mailbox.clone(), reject_recipients, answer, gate, current: Vec::new() };
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("SMTP port is free");
    let sessions = mailin::SessionBuilder::new("smtp.test.localhost");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            if held.len() < stalled {
                held.push(stream);
                continue;
            }
            let (sessions, handler) = (sessions.clone(), handler.clone());
            std::thread::spawn(move || {
                let _ = serve_smtp_connection(stream, &sessions, handler);
            });
        }
    });
    mailbox
}

fn serve_smtp_connection(
    stream: std::net::TcpStream,
    sessions: &mailin::SessionBuilder,
    handler: SmtpHandler,
) -> std::io::Result<()> {
    use std::io::{BufRead, Write};
    let remote = stream.peer_addr()?.ip();
    // An idle pooled connection must not hold its thread for the whole run.
    stream.set_read_timeout(Some(std::time::Duration::from_secs(60)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = std::io::BufReader::new(stream);
    let mut session = sessions.build(remote, handler);
    session.greeting().write_to(&mut writer)?;
    let mut line = Vec::with_capacity(128);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            mailin::Action::NoReply => {}
            mailin::Action::Reply => response.write_to(&mut writer)?,
            // STARTTLS is never offered; a client asking anyway gets closed on.
            mailin::Action::UpgradeTls => return Ok(()),
            mailin::Action::Close => {
                response.write_to(&mut writer)?;
                return writer.flush();
            }
        }
        writer.flush()?;
    }
}

/// Undoes quoted-printable soft line breaks and `=3D` so a test can find a link in a mail.
pub fn unfold_quoted_printable(message: &str) -> String {
    message.replace("=\r\n", "").replace("=3D", "=")
}

/// The start tag of the element with `id="{id}"` in a page (`<input …>`).
pub fn tag_with_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no element #{id} in the page"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap() + 1;
    &html[start..end]
}

/// Asserts that the page shows `message` at the input `#{id}` — marked
/// invalid, the message under it and tied to it — and nowhere as an alert,
/// while every other input of `others` is unmarked.
pub fn refused_at_field(html: &str, id: &str, message: &str, others: &[&str]) {
    let input = tag_with_id(html, id);
    assert!(input.contains("aria-invalid=\"true\""), "{input}");
    assert!(input.contains(&format!("{id}-fehler")), "described by its message: {input}");
    assert!(input.contains("autofocus"), "focus on it after a page load: {input}");
    let shown = tag_with_id(html, &format!("{id}-fehler"));
    assert!(shown.contains("class=\"field-error\""), "{shown}");
    let after = &html[html.find(&format!("id=\"{id}-fehler\"")).unwrap()..];
    assert!(after[after.find('>').unwrap() + 1..].starts_with(message), "the message under the field");
    // Counted as element text: an island's props may carry it too.
    assert_eq!(html.matches(&format!(">{message}")).count(), 1, "said once, at the field, not also above the form");
    assert!(!html.contains("class=\"alert\">"), "no alert above the form");
    for other in others {
        assert!(!tag_with_id(html, other).contains("aria-invalid"), "#{other} is not marked");
    }
}

/// The session user behind `user_id`, as a server function sees a main
/// user with every right: for calling a feature's plain async fn directly.
pub async fn session_user(app: &TestApp, user_id: i64) -> app::auth::ssr::SessionUser {
    let (customer_id, username): (i64, String) =
        db::query_as("SELECT customer_id, username FROM users WHERE id = $1").bind(user_id).fetch_one(&app.state.pool).await.unwrap();
    app::auth::ssr::SessionUser {
        session_hash: String::new(),
        user_id,
        customer_id,
        customer_number: String::new(),
        customer_name: String::new(),
        username: username.clone(),
        email: String::new(),
        full_name: username,
        name: Default::default(),
        is_main_user: true,
        can_manage_users: true,
        can_manage_forwardings: true,
        pending: None,
        authenticated_at: app::domain::UnixTime::from_seconds(0),
        recently_authenticated: true,
        second_factor: false,
        second_factor_required: false,
    }
}

/// `POST /api/v1/documents` with a multipart `body` ([`multipart_body`]),
/// with `Authorization: Bearer KEY` when a key is given.
pub fn ingest_upload(key: Option<&str>, body: Vec<u8>) -> Request<Body> {
    let mut request = Request::post("/api/v1/documents")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}"))
        .header(header::CONTENT_LENGTH, body.len());
    if let Some(key) = key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    request.body(Body::from(body)).unwrap()
}

/// `documents/list`'s form for `query`, as the page sends it.
pub fn list_form(query: &app::documents::ListQuery) -> Vec<(String, String)> {
    let mut fields = vec![
        ("query[search]".into(), query.search.clone()),
        ("query[type_key]".into(), query.type_key.clone()),
        ("query[from]".into(), query.from.clone()),
        ("query[to]".into(), query.to.clone()),
        ("query[sort]".into(), format!("{:?}", query.sort)),
        ("query[descending]".into(), query.descending.to_string()),
        ("query[per_page]".into(), query.per_page.to_string()),
        ("query[page]".into(), query.page.to_string()),
        ("query[einvoices_only]".into(), query.einvoices_only.to_string()),
    ];
    for (name, cursor) in [("after", query.after), ("before", query.before)] {
        if let Some(app::documents::Cursor { provided_at, id }) = cursor {
            fields.push((format!("query[{name}][provided_at]"), provided_at.to_string()));
            fields.push((format!("query[{name}][id]"), id.to_string()));
        }
    }
    fields
}

/// One page of the signed-in user's list, through `documents/list`.
pub async fn list_page(app: &TestApp, cookie: &str, query: &app::documents::ListQuery) -> app::documents::DocumentPage {
    let fields = list_form(query);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app.call("documents/list", &pairs, Some(cookie)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    serde_json::from_str(&response.body).unwrap()
}
