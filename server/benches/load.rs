//! `make bench`, second part: the portal as browsers, proxies and the
//! billing system meet it — real `kundenportal serve` processes, real TCP
//! with keep-alive, figures rather than pass or fail.
//!
//! 1. Keep-alive pages: the login page and the favicon over 20 kept-alive
//!    connections (a response written in pieces must not wait for the
//!    client's delayed ACK: `TCP_NODELAY`).
//! 2. Load: 200 signed-in users at once for `BENCH_LOAD_SECONDS` (60) —
//!    start page, Dokumente with filters and paging, PDF downloads, each
//!    user one request after the other with a second's pause between (a
//!    heavy crowd: people read a page for longer) — while the billing system
//!    delivers 10 documents a second; against one instance and against two,
//!    on SQLite and on PostgreSQL: requests per second, p50/p99, errors, and
//!    each instance's peak memory. Then once without the pauses: what one
//!    instance serves when it can do no more.
//! 3. Uploads: 20 uploads of 20 MB at once, and the instance's peak memory.

#[path = "../tests/api/common/mod.rs"]
mod common;

use app::server::db;
use common::*;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "Last-Probe-2026";
const USERS: usize = 200;
const INGEST_PER_SECOND: u64 = 10;
/// How long each user pauses between two requests.
const THINK: Duration = Duration::from_secs(1);

fn load_seconds() -> u64 {
    std::env::var("BENCH_LOAD_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60)
}

/// A `kundenportal serve` process, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(env: &[(String, String)]) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_kundenportal"))
            .arg("serve")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("KP_LOG", std::env::var("BENCH_SERVER_LOG").unwrap_or_else(|_| "error".to_owned()))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("kundenportal serve starts");
        Self { child, base: format!("http://127.0.0.1:{port}") }
    }

    async fn ready(&self, client: &reqwest::Client) {
        for _ in 0..600 {
            if client.get(format!("{}/readyz", self.base)).send().await.is_ok_and(|r| r.status() == 200) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{} did not get ready", self.base);
    }

    /// One line of `/proc/PID/status` in KiB (`VmHWM` is the peak).
    fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{field}:")))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0)
    }

    /// Starts counting the peak afresh (Linux: `5` into `clear_refs`).
    fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5");
    }
}

fn client(connections: usize) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(connections)
        .tcp_nodelay(true)
        .build()
        .unwrap()
}

#[derive(Default)]
struct Samples {
    latencies: Vec<Duration>,
    errors: usize,
    /// How many errors had each status (0: no answer at all).
    error_statuses: std::collections::BTreeMap<u16, usize>,
}

impl Samples {
    fn record(&mut self, started: Instant, status: Option<u16>) {
        match status {
            Some(200..=299) => self.latencies.push(started.elapsed()),
            other => {
                self.errors += 1;
                *self.error_statuses.entry(other.unwrap_or(0)).or_insert(0) += 1;
            }
        }
    }

    fn line(&self, seconds: f64) -> String {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let at = |q: f64| sorted.get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1))).copied().unwrap_or_default();
        format!(
            "{:>7} requests, {:>7.0} req/s, p50 {:>6.1} ms, p99 {:>7.1} ms, errors {}{}",
            sorted.len() + self.errors,
            (sorted.len() + self.errors) as f64 / seconds,
            at(0.50).as_secs_f64() * 1000.0,
            at(0.99).as_secs_f64() * 1000.0,
            self.errors,
            if self.errors == 0 { String::new() } else { format!(" (status: count {:?})", self.error_statuses) }
        )
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let site = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site").display().to_string();
        let profile = if cfg!(debug_assertions) { "dev profile" } else { "release profile" };
        println!("\n== Over real TCP with keep-alive ({profile}, the load generator on the same 2 cores)");
        let sqlite = Installation::prepare("SQLite", None, &site).await;
        keep_alive_pages(&sqlite).await;
        for instances in [1, 2] {
            sqlite.load(instances, THINK).await;
        }
        sqlite.load(1, Duration::ZERO).await;
        sqlite.uploads().await;
        match fresh_postgres_database().await {
            Some(url) => {
                let postgres = Installation::prepare("PostgreSQL", Some(url), &site).await;
                for instances in [1, 2] {
                    postgres.load(instances, THINK).await;
                }
            }
            None => println!("\nPostgreSQL: no server (KP_TEST_POSTGRES_URL unset); `make bench` starts one"),
        }
    });
}

/// A data folder and database with the demo customer, 200 of its users who
/// can sign in, 2,000 more documents and an API key.
struct Installation {
    name: &'static str,
    _dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    key: String,
    usernames: Vec<String>,
    document_ids: Vec<i64>,
}

impl Installation {
    async fn prepare(name: &'static str, database_url: Option<String>, site: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database_url = database_url.unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.path().join("last.db").display()));
        let env: Vec<(String, String)> = [
            ("KP_DATA_DIR", dir.path().display().to_string()),
            ("KP_DATABASE_URL", database_url.clone()),
            ("KP_STORAGE_URL", format!("file://{}", dir.path().join("documents").display())),
            ("LEPTOS_SITE_ROOT", site.to_owned()),
            // Every request of the bench comes from 127.0.0.1.
            ("KP_LIMIT_LOGIN_PER_MINUTE", "100000".to_owned()),
            ("KP_DOCUMENT_MAX_MB", "25".to_owned()),
            ("KP_NOTIFY_BATCH_SECONDS", "3600".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let demo = Command::new(env!("CARGO_BIN_EXE_kundenportal"))
            .arg("demo")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("KP_LOG", "error")
            .output()
            .unwrap();
        assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));

        let pool = db::connect(&database_url, db::PoolSettings::default()).await.unwrap();
        let customer: i64 = db::query_scalar("SELECT id FROM customers WHERE number = '10001'").fetch_one(&pool).await.unwrap();
        // One Argon2 hash for all: making 200 would only time Argon2.
        let hash = app::server::crypto::hash_password(PASSWORD).as_database_value().to_owned();
        let mut usernames = Vec::with_capacity(USERS);
        let mut tx = db::begin(&pool).await.unwrap();
        for n in 0..USERS {
            let username = format!("last{n:03}");
            let id: i64 = db::query_scalar(
                "INSERT INTO users (customer_id, username, email, role, password_hash, password_changed_at, security_stamp, notify_mode, created_at) \
                 VALUES ($1, $2, $3, 'sub', $4, $5, $6, 'none', $5) RETURNING id",
            )
            .bind(customer)
            .bind(&username)
            .bind(format!("{username}@last.example"))
            .bind(&hash)
            .bind(START)
            .bind(app::server::crypto::new_token())
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            db::query("INSERT INTO privacy_acceptances (user_id, version, accepted_at) SELECT $1, MAX(version), $2 FROM privacy_notices")
                .bind(id)
                .bind(START)
                .execute(&mut *tx)
                .await
                .unwrap();
            usernames.push(username);
        }
        // 2,000 more documents of the demo's files, for paging and filters.
        let (sha256, size): (String, i64) =
            db::query_as("SELECT sha256, size_bytes FROM documents WHERE customer_id = $1 ORDER BY id LIMIT 1").bind(customer).fetch_one(&mut *tx).await.unwrap();
        let now = app::server::clock::Clock::system().now();
        for n in 0..2000 {
            let kind = ["rechnung", "gutschrift", "mahnung", "lieferschein"][n % 4];
            db::query(
                "INSERT INTO documents (customer_id, number, type_key, created_on, provided_at, hidden_from, sha256, size_bytes, ingested_at) \
                 VALUES ($1, $2, $3, '2026-10-01', $4, $5, $6, $7, $4)",
            )
            .bind(customer)
            .bind(format!("LAST-{n:05}"))
            .bind(kind)
            .bind(now - 86_400 - n as i64 * 60)
            .bind(now + 300 * 86_400)
            .bind(&sha256)
            .bind(size)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let document_ids: Vec<i64> =
            db::query_scalar("SELECT id FROM documents WHERE customer_id = $1 ORDER BY id").bind(customer).fetch_all(&pool).await.unwrap();
        let key = app::documents::ssr::api_keys::create(&pool, "last", now).await.unwrap();
        if let db::Pool::Postgres(pg) = &pool {
            sqlx::query("VACUUM ANALYZE").execute(pg).await.unwrap();
        }
        pool.close().await;
        Self { name, _dir: dir, env, key, usernames, document_ids }
    }

    /// 200 users, one request after the other each (with `think` between),
    /// for the whole run, spread over `instances` processes; 10 documents a
    /// second beside them.
    async fn load(&self, instances: usize, think: Duration) {
        let servers: Vec<Server> = (0..instances).map(|_| Server::start(&self.env)).collect();
        let http = client(USERS + 16);
        for server in &servers {
            server.ready(&http).await;
        }
        let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
        // Sign in every user (spread over the instances).
        let mut cookies = Vec::with_capacity(USERS);
        for (n, username) in self.usernames.iter().enumerate() {
            let response = http
                .post(format!("{}/api/auth/login", bases[n % bases.len()]))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .header("sec-fetch-site", "same-origin")
                .body(form_body(&[("username", username), ("password", PASSWORD)]))
                .send()
                .await
                .unwrap();
            let cookie = response
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.starts_with("kp_session="))
                .map(|v| v.split(';').next().unwrap().to_owned())
                .unwrap_or_else(|| panic!("{username} signed in: {}", response.status()));
            cookies.push(cookie);
        }
        for server in &servers {
            server.reset_peak();
        }

        let seconds = load_seconds();
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let pages = Arc::new(Mutex::new(Samples::default()));
        let ingest = Arc::new(Mutex::new(Samples::default()));
        let ids = Arc::new(self.document_ids.clone());
        let mut tasks = Vec::new();
        for (n, cookie) in cookies.into_iter().enumerate() {
            let (http, bases, pages, ids) = (http.clone(), bases.clone(), pages.clone(), ids.clone());
            tasks.push(tokio::spawn(async move {
                let base = &bases[n % bases.len()];
                let mut step = n;
                while Instant::now() < deadline {
                    step += 1;
                    let path = match step % 4 {
                        0 => "/".to_owned(),
                        1 => format!("/dokumente?sortierung=nummer&seite={}", 1 + step % 40),
                        2 => format!("/dokumente?suche=LAST-0{}&typ=rechnung&sortierung=nummer&richtung=auf", step % 10),
                        _ => app::routes::document_pdf(ids[step % ids.len()], step % 8 == 3),
                    };
                    let started = Instant::now();
                    let status = get_status(&http, &format!("{base}{path}"), Some(&cookie)).await;
                    pages.lock().unwrap().record(started, status);
                    tokio::time::sleep(think).await;
                }
            }));
        }
        {
            // The billing system is a client of its own: a refused upload's connection (closed
            // with its body unread) must not be one a browser's request was about to reuse.
            let (http, bases, ingest, key) = (client(16), bases.clone(), ingest.clone(), self.key.clone());
            let sent = Arc::new(AtomicUsize::new(0));
            tasks.push(tokio::spawn(async move {
                let mut ticker = tokio::time::interval(Duration::from_millis(1000 / INGEST_PER_SECOND));
                let mut uploads = Vec::new();
                while Instant::now() < deadline {
                    ticker.tick().await;
                    let n = sent.fetch_add(1, Ordering::SeqCst);
                    let (http, base, ingest, key) = (http.clone(), bases[n % bases.len()].clone(), ingest.clone(), key.clone());
                    uploads.push(tokio::spawn(async move {
                        let started = Instant::now();
                        let status = upload(&http, &base, &key, &format!("INGEST-{n:06}"), &pdf_of(n, 40 * 1024)).await;
                        ingest.lock().unwrap().record(started, status);
                    }));
                }
                for upload in uploads {
                    let _ = upload.await;
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let seconds = seconds as f64;
        let peaks: Vec<String> = servers.iter().map(|s| format!("{:.0} MB", s.memory_kib("VmHWM") as f64 / 1024.0)).collect();
        let pace = if think.is_zero() { "no pause".to_owned() } else { format!("{} s pause", think.as_secs_f64()) };
        println!(
            "\n{}: {USERS} signed-in users ({pace} between requests) for {seconds:.0} s against {instances} instance(s), {INGEST_PER_SECOND} documents/s beside:",
            self.name
        );
        println!("  pages and PDFs  {}", pages.lock().unwrap().line(seconds));
        println!("  ingest API      {}", ingest.lock().unwrap().line(seconds));
        println!("  peak memory     {}", peaks.join(", "));
    }

    /// 20 uploads of 20 MB at once against one instance.
    async fn uploads(&self) {
        let server = Server::start(&self.env);
        let http = client(32);
        server.ready(&http).await;
        server.reset_peak();
        let before = server.memory_kib("VmRSS");
        let started = Instant::now();
        let files: Vec<Arc<Vec<u8>>> = (0..20).map(|n| Arc::new(pdf_of(1_000_000 + n, 20 * 1024 * 1024 - 100))).collect();
        let uploads: Vec<_> = files
            .into_iter()
            .enumerate()
            .map(|(n, file)| {
                let (http, base, key) = (http.clone(), server.base.clone(), self.key.clone());
                tokio::spawn(async move { upload(&http, &base, &key, &format!("GROSS-{n:02}"), &file).await })
            })
            .collect();
        let mut statuses = std::collections::BTreeMap::new();
        for upload in uploads {
            *statuses.entry(upload.await.unwrap().unwrap_or(0)).or_insert(0) += 1;
        }
        println!(
            "\n{}: 20 uploads of 20 MB at once in {:.1} s: answers {:?}; resident memory before {:.0} MB, peak during {:.0} MB",
            self.name,
            started.elapsed().as_secs_f64(),
            statuses,
            before as f64 / 1024.0,
            server.memory_kib("VmHWM") as f64 / 1024.0
        );
    }
}

/// The login page and the favicon over kept-alive connections, one request
/// after the other on each: one connection (the latency of one page), then
/// twenty (what the instance serves).
async fn keep_alive_pages(installation: &Installation) {
    let server = Server::start(&installation.env);
    let http = client(20);
    server.ready(&http).await;
    println!("\n{}: kept-alive connections, one request after the other on each:", installation.name);
    for (connections, requests) in [(1, 500), (20, 200)] {
        for path in ["/login", "/favicon.svg"] {
            let samples = Arc::new(Mutex::new(Samples::default()));
            let started = Instant::now();
            let tasks: Vec<_> = (0..connections)
                .map(|_| {
                    let (http, url, samples) = (http.clone(), format!("{}{path}", server.base), samples.clone());
                    tokio::spawn(async move {
                        for _ in 0..requests {
                            let one = Instant::now();
                            let status = get_status(&http, &url, None).await;
                            samples.lock().unwrap().record(one, status);
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
            println!("  {path:<14} {connections:>2} connection(s) {}", samples.lock().unwrap().line(started.elapsed().as_secs_f64()));
        }
    }
}

/// The status of a GET whose whole body arrived; `None` when none did.
async fn get_status(http: &reqwest::Client, url: &str, cookie: Option<&str>) -> Option<u16> {
    let mut request = http.get(url).header("accept", "text/html");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => {
            if std::env::var("BENCH_SERVER_LOG").is_ok() {
                eprintln!("no answer: {error:?}");
            }
            return None;
        }
    };
    let status = response.status().as_u16();
    response.bytes().await.ok()?;
    Some(status)
}

/// A PDF of `size` bytes that differs with `n`.
fn pdf_of(n: usize, size: usize) -> Vec<u8> {
    let mut bytes = format!("%PDF-1.4\n% Lastprobe {n}\n").into_bytes();
    bytes.extend((0..size).map(|i| ((i * 31 + n) % 251) as u8));
    bytes.extend(b"\n%%EOF\n");
    bytes
}

async fn upload(http: &reqwest::Client, base: &str, key: &str, number: &str, file: &[u8]) -> Option<u16> {
    let fields = [("customer", "10001"), ("number", number), ("type", "rechnung"), ("created", "2026-11-20")];
    let response = http
        .post(format!("{base}/api/v1/documents"))
        .bearer_auth(key)
        .header("content-type", format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}"))
        .body(multipart_body(&fields, Some(file)))
        .send()
        .await
        .ok()?;
    Some(response.status().as_u16())
}
