//! `make bench`: figures, not pass/fail.
//!
//! - How long sign-in and "Passwort vergessen" (whose work runs after the
//!   answer) take for an existing, an unknown, an inactive and a locked
//!   account. They should be about equal, so that the time does not tell
//!   whether an account exists.
//! - The Dokumente page over 1,000,000 documents: requests per second and
//!   p50/p99 for page 1 and page 200 of a customer with 10,000, beside a
//!   minimal axum handler that runs the same query and renders the same
//!   rows with a plain template; and documents ingested per second.
//! - What a browser downloads for the app's WASM, JS and CSS.
//!
//! A bench target without the test harness: `cargo bench --bench figures`.

#[path = "../tests/api/common/mod.rs"]
mod common;

use app::server::db;
use common::*;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Grün-Tonne-7";
const ROUNDS: usize = 25;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

async fn time_calls(app: &TestApp, endpoint: &str, form: &[(&str, &str)], before_each: Option<&str>) -> Duration {
    let mut samples = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        if let Some(sql) = before_each {
            db::query(sql).execute(&app.state.pool).await.unwrap();
        }
        let started = Instant::now();
        let _ = app.call(endpoint, form, None).await;
        samples.push(started.elapsed());
    }
    median(samples)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(sign_in_and_reset_timings());
    // The same figures on each database: the embedded default, then a
    // PostgreSQL server when scripts/bench.sh started one.
    let sqlite_dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}?mode=rwc", sqlite_dir.path().join("bench.db").display());
    runtime.block_on(document_list_figures("SQLite", &sqlite_url));
    match runtime.block_on(fresh_postgres_database()) {
        Some(postgres_url) => runtime.block_on(document_list_figures("PostgreSQL", &postgres_url)),
        None => println!("
PostgreSQL: no server (KP_TEST_POSTGRES_URL unset); `make bench` starts one"),
    }
    runtime.block_on(bytes_a_browser_downloads_for_the_app());
}

async fn sign_in_and_reset_timings() {
    let app = spawn_app_with(&[
        ("KP_LIMIT_LOGIN_PER_MINUTE", "100000"),
        ("KP_LIMIT_RESET_PER_MINUTE", "100000"),
    ])
    .await;
    customer_with_password(&app, "90001", "vorhanden", PASSWORD).await;
    let inactive = customer_with_password(&app, "90002", "inaktiv", PASSWORD).await;
    db::query("UPDATE users SET active = FALSE WHERE id = $1").bind(inactive).execute(&app.state.pool).await.unwrap();
    customer_with_password(&app, "90003", "gesperrt", PASSWORD).await;
    for _ in 0..5 {
        app.call("auth/login", &[("username", "gesperrt"), ("password", "Falsch-Wort-1")], None).await;
    }
    // Warm up the pool and the code paths.
    time_calls(&app, "auth/login", &[("username", "niemand"), ("password", "Falsch-Wort-1")], None).await;

    let clear_failures = Some("DELETE FROM login_failures WHERE identifier_key = 'vorhanden'");
    let rows = [
        // Every row types a password with an umlaut: such input is checked in NFC and NFD alike.
        ("login, existing, wrong password", time_calls(&app, "auth/login", &[("username", "vorhanden"), ("password", "Falsch-Grün-1")], clear_failures).await),
        ("login, unknown name", time_calls(&app, "auth/login", &[("username", "niemand"), ("password", PASSWORD)], Some("DELETE FROM login_failures")).await),
        ("login, inactive account", time_calls(&app, "auth/login", &[("username", "inaktiv"), ("password", PASSWORD)], Some("DELETE FROM login_failures WHERE identifier_key = 'inaktiv'")).await),
        ("login, locked, right password", time_calls(&app, "auth/login", &[("username", "gesperrt"), ("password", PASSWORD)], None).await),
        ("reset, existing account", time_calls(&app, "auth/request_reset", &[("identifier", "vorhanden")], None).await),
        ("reset, unknown name", time_calls(&app, "auth/request_reset", &[("identifier", "niemand")], None).await),
        ("reset, inactive account", time_calls(&app, "auth/request_reset", &[("identifier", "inaktiv")], None).await),
    ];
    let profile = if cfg!(debug_assertions) { "dev profile, Argon2 at opt-level 3" } else { "release profile" };
    println!("\nmedian of {ROUNDS} calls through the in-process router ({profile}):");
    for (name, took) in rows {
        println!("  {name:<34} {:>8.1} ms", took.as_secs_f64() * 1000.0);
    }
}

/// What a browser downloads for the app itself, per page: the files each
/// page links (module preload, WASM preload, stylesheet), fetched through the
/// router as a browser would — raw, gzip and brotli (the build's own
/// compressed copies). The hydrate bundle is the JS and the WASM; the budget
/// is 150 KB brotli. Last build in `target/site` (release after `make run`
/// or `make build-release`, debug after `make test`).
async fn bytes_a_browser_downloads_for_the_app() {
    let site = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site");
    if !site.join("hash.txt").exists() {
        println!("\nno build in {} — run `make run` (release) or `make build` first", site.display());
        return;
    }
    let app = spawn_app_with(&[("LEPTOS_SITE_ROOT", &site.display().to_string())]).await;
    customer_with_password(&app, "96000", "bundle", PASSWORD).await;
    let cookie = app.sign_in("bundle", PASSWORD).await;
    let pages: [(&str, &str, Option<&str>); 6] = [
        ("Login", app::routes::LOGIN, None),
        ("Hauptansicht", app::routes::HOME, Some(cookie.as_str())),
        ("Dokumente", app::routes::DOCUMENTS, Some(cookie.as_str())),
        ("Profil", app::routes::PROFILE, Some(cookie.as_str())),
        ("Benutzer", app::routes::USERS, Some(cookie.as_str())),
        ("Aktivitätsprotokoll", app::routes::ACTIVITY, Some(cookie.as_str())),
    ];
    println!("\nbytes sent for each page's files ({}), JS + WASM is the hydrate bundle:", site.display());
    println!("  {:<22} {:>24} {:>24} {:>24}", "page", "JS+WASM raw/gzip/br", "CSS raw/gzip/br", "HTML raw");
    for (name, path, cookie) in pages {
        let page = app.get(path, cookie).await;
        assert_eq!(page.status, axum::http::StatusCode::OK, "{path}");
        let linked = linked_files(&page.body);
        let (mut bundle, mut css) = ([0usize; 3], [0usize; 3]);
        for file in &linked {
            let sizes = sizes_sent(&app, file).await;
            let sum = if file.ends_with(".css") { &mut css } else { &mut bundle };
            for (total, size) in sum.iter_mut().zip(sizes) {
                *total += size;
            }
        }
        let kb = |sizes: [usize; 3]| format!("{:.1}/{:.1}/{:.1} KB", sizes[0] as f64 / 1000.0, sizes[1] as f64 / 1000.0, sizes[2] as f64 / 1000.0);
        println!("  {name:<22} {:>24} {:>24} {:>21} KB", kb(bundle), kb(css), format!("{:.1}", page.body.len() as f64 / 1000.0));
    }
}

/// The build's files a page links or loads: `/pkg/…` in `href="…"` or `src="…"`.
fn linked_files(html: &str) -> Vec<String> {
    let mut files: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .chain(html.split("src=\"").skip(1))
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with("/pkg/"))
        .map(str::to_owned)
        .collect();
    files.sort();
    files.dedup();
    files
}

/// Bytes the router sends for `path` with no compression, gzip and brotli.
async fn sizes_sent(app: &TestApp, path: &str) -> [usize; 3] {
    let mut sizes = [0; 3];
    for (size, encoding) in sizes.iter_mut().zip(["identity", "gzip", "br"]) {
        let request = axum::http::Request::get(path)
            .header(axum::http::header::ACCEPT_ENCODING, encoding)
            .body(axum::body::Body::empty())
            .unwrap();
        let (status, _, body) = app.request_bytes(request).await;
        assert_eq!(status, axum::http::StatusCode::OK, "{path}");
        *size = body.len();
    }
    sizes
}

/// Requests per second and p50/p99 of `count` requests in a row.
struct Figures {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

async fn measure(app: &TestApp, router: &axum::Router, path: &str, cookie: &str, count: usize) -> Figures {
    use tower::ServiceExt;
    let request = || {
        let mut request = axum::http::Request::get(path)
            .header(axum::http::header::COOKIE, cookie)
            .header(axum::http::header::ACCEPT, "text/html")
            .body(axum::body::Body::empty())
            .unwrap();
        request.extensions_mut().insert(axum::extract::ConnectInfo(CLIENT.parse::<std::net::SocketAddr>().unwrap()));
        request
    };
    for _ in 0..10 {
        let response = router.clone().oneshot(request()).await.unwrap();
        assert_eq!(response.status(), axum::http::StatusCode::OK, "{path}");
        axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    }
    let _ = app;
    let mut samples = Vec::with_capacity(count);
    let started = Instant::now();
    for _ in 0..count {
        let one = Instant::now();
        let response = router.clone().oneshot(request()).await.unwrap();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        assert!(body.len() > 1000);
        samples.push(one.elapsed());
    }
    let total = started.elapsed();
    samples.sort();
    Figures { per_second: count as f64 / total.as_secs_f64(), p50: samples[count / 2], p99: samples[count * 99 / 100] }
}

/// The comparison: the same query through `documents::ssr::list`, the same
/// rows, rendered with `format!` instead of Leptos.
async fn plain_list(
    axum::extract::State(state): axum::extract::State<app::server::state::AppState>,
    axum::extract::Query(params): axum::extract::Query<std::collections::HashMap<String, String>>,
    request: axum::extract::Request,
) -> axum::response::Html<String> {
    let (parts, _) = request.into_parts();
    let user = app::auth::ssr::guard::authenticate(&parts, &state).await.unwrap().unwrap();
    let query = app::documents::ListQuery::from_params(|name| params.get(name).cloned());
    let scope = app::documents::ssr::CustomerScope::of(&user);
    let page = app::documents::ssr::list::list(&state, scope, user.user_id, &query, app::i18n::Lang::De).await.unwrap();
    let mut html = String::from("<!DOCTYPE html><html lang=\"de\"><head><title>Dokumente</title></head><body><table><tbody>");
    for row in page.rows {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href=\"{}\">Ansehen</a> <a href=\"{}\">Herunterladen</a></td></tr>",
            row.number, row.created_on, row.type_name, row.provided_on, row.visible_until,
            app::routes::document_pdf(row.id, false), app::routes::document_pdf(row.id, true)
        ));
    }
    html.push_str(&format!("</tbody></table><p>{} Dokumente</p></body></html>", page.total));
    axum::response::Html(html)
}

async fn document_list_figures(database: &str, database_url: &str) {
    const CUSTOMERS: i64 = 100;
    const DOCUMENTS: i64 = 1_000_000;
    const OWN: i64 = 10_000;
    const REQUESTS: usize = 200;
    let app = spawn_app_with(&[("KP_LIMIT_LOGIN_PER_MINUTE", "100000"), ("KP_DATABASE_URL", database_url)]).await;
    let own = customer_with_password(&app, "95000", "viele", PASSWORD).await;
    let own_customer: i64 = db::query_scalar("SELECT customer_id FROM users WHERE id = $1").bind(own).fetch_one(&app.state.pool).await.unwrap();
    for i in 1..CUSTOMERS {
        db::query("INSERT INTO customers (number, name, created_at) VALUES ($1, $2, $3)")
            .bind(format!("{}", 95000 + i))
            .bind(format!("Kunde {i}"))
            .bind(START)
            .execute(&app.state.pool)
            .await
            .unwrap();
    }
    let started = Instant::now();
    // One statement: the customer's 10,000, then 990,000 over the other 99.
    db::query(
        "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $1) \
         INSERT INTO documents (customer_id, number, type_key, created_on, provided_at, hidden_from, sha256, size_bytes, ingested_at) \
         SELECT CASE WHEN n <= $2 THEN $3 ELSE (SELECT id FROM customers WHERE number = CAST(95001 + (n % 99) AS TEXT)) END, \
                'RE-' || n, CASE n % 3 WHEN 0 THEN 'rechnung' WHEN 1 THEN 'gutschrift' ELSE 'mahnung' END, \
                '2026-01-01', $4 - n * 30, $4 + 300 * 86400, \
                '000000000000000000000000000000000000000000000000000000000000' || CAST(1000 + n % 1000 AS TEXT), 50000, $4 FROM seq",
    )
    .bind(DOCUMENTS)
    .bind(OWN)
    .bind(own_customer)
    .bind(START)
    .execute(&app.state.pool)
    .await
    .unwrap();
    // The state a live database is in after its background maintenance
    // (PostgreSQL's autovacuum also sets the visibility map that lets
    // COUNT(*) read the index alone); SQLite's statistics only.
    let maintenance = match app.state.pool.backend() {
        db::Backend::Postgres => "VACUUM ANALYZE",
        db::Backend::Sqlite => "ANALYZE",
    };
    db::query(maintenance).execute(&app.state.pool).await.unwrap();
    println!("\n{database}: {DOCUMENTS} documents over {CUSTOMERS} customers written in {:.1} s", started.elapsed().as_secs_f64());

    let cookie = app.sign_in("viele", PASSWORD).await;
    let (provided_at, id): (i64, i64) = db::query_as(
        "SELECT provided_at, id FROM documents WHERE customer_id = $1 ORDER BY provided_at DESC, id DESC LIMIT 1 OFFSET 9949",
    )
    .bind(own_customer)
    .fetch_one(&app.state.pool)
    .await
    .unwrap();
    let first = "anzahl=50".to_owned();
    let last = format!("anzahl=50&seite=200&nach={provided_at}.{id}");
    let plain = axum::Router::new().route("/plain", axum::routing::get(plain_list)).with_state(app.state.clone());

    let profile = if cfg!(debug_assertions) { "dev" } else { "release" };
    println!("{database}: Dokumente page of a customer with {OWN} documents, 50 rows, {REQUESTS} requests in a row each ({profile} profile):");
    println!("  {:<34} {:>9} {:>9} {:>9}", "", "req/s", "p50 ms", "p99 ms");
    let mut portal_pages = Vec::new();
    for (name, query) in [("page 1", &first), ("page 200", &last)] {
        let portal = measure(&app, &app.router, &format!("/dokumente?{query}"), &cookie, REQUESTS).await;
        let baseline = measure(&app, &plain, &format!("/plain?{query}"), &cookie, REQUESTS).await;
        for (who, figures) in [("portal (Leptos SSR)", &portal), ("minimal axum + format!", &baseline)] {
            println!(
                "  {:<34} {:>9.0} {:>9.1} {:>9.1}",
                format!("{name}, {who}"),
                figures.per_second,
                figures.p50.as_secs_f64() * 1000.0,
                figures.p99.as_secs_f64() * 1000.0
            );
        }
        println!("  {:<34} {:>9.2}x (goal: at least 0.5x)", format!("{name}, portal / minimal"), portal.per_second / baseline.per_second);
        portal_pages.push(portal.per_second);
    }
    println!("  {:<34} {:>9.2}x (goal: at most 1.2x)", "page 200 time / page 1 time", portal_pages[0] / portal_pages[1]);

    // Ingest through the API: distinct small PDFs, one after the other, by
    // one instance; then by two instances (each its own state and pool, as
    // two processes would have) on the same database at once.
    let key = app::documents::ssr::api_keys::create(&app.state.pool, "bench", START).await.unwrap();
    let count = 200;
    let started = Instant::now();
    ingest(&app.router, &key, "ONE", 0..count).await;
    let one = count as f64 / started.elapsed().as_secs_f64();
    let second = spawn_app_with(&[("KP_DATABASE_URL", database_url), ("KP_STORAGE_URL", &app.state.config.documents.storage_url)]).await;
    let started = Instant::now();
    tokio::join!(ingest(&app.router, &key, "TWO", 0..count / 2), ingest(&second.router, &key, "TWO", count / 2..count));
    let two = count as f64 / started.elapsed().as_secs_f64();
    println!("{database}: ingest API, 40 KB PDFs one after the other into 1,000,000: one instance {one:.0} documents/s, two instances at once {two:.0} documents/s together");
}

async fn ingest(router: &axum::Router, key: &str, prefix: &str, numbers: std::ops::Range<usize>) {
    use tower::ServiceExt;
    for i in numbers {
        let boundary = "bench-boundary";
        let mut body = Vec::new();
        for (name, value) in [("customer", "95000"), ("number", &format!("BENCH-{prefix}-{i}")), ("type", "rechnung"), ("created", "2026-11-20")] {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
        }
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.pdf\"\r\n\r\n").as_bytes());
        body.extend(format!("%PDF-1.4\n% bench {prefix} {i}\n{}\n%%EOF\n", "x".repeat(40_000)).as_bytes());
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut request = axum::http::Request::post("/api/v1/documents")
            .header(axum::http::header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header(axum::http::header::AUTHORIZATION, format!("Bearer {key}"))
            .body(axum::body::Body::from(body))
            .unwrap();
        request.extensions_mut().insert(axum::extract::ConnectInfo(CLIENT.parse::<std::net::SocketAddr>().unwrap()));
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), axum::http::StatusCode::CREATED);
    }
}
