//! Documents: ingest over HTTP, storage, the PDF route and how long a
//! document stays — through the real router, a real SQLite file, real files
//! on disk and a fixed clock.


use app::server::db;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use crate::common::*;
use serde_json::Value;

const PASSWORD: &str = "Akten-Wort-42";

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n").into_bytes()
}


async fn api_key(app: &TestApp, name: &str) -> String {
    app::documents::ssr::api_keys::create(&app.state.pool, name, app.state.clock.now()).await.unwrap()
}

const INVOICE: [(&str, &str); 4] = [("customer", "80001"), ("number", "RE-2026-0001"), ("type", "rechnung"), ("created", "2026-11-20")];

async fn send(app: &TestApp, key: &str, fields: &[(&str, &str)], file: &[u8]) -> (StatusCode, Value) {
    let response = app.request(ingest_upload(Some(key), multipart_body(fields, Some(file)))).await;
    (response.status, serde_json::from_str(&response.body).unwrap_or(Value::Null))
}

fn with(overrides: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    INVOICE.iter().map(|(name, value)| (*name, overrides.iter().find(|(n, _)| n == name).map_or(*value, |(_, v)| v))).collect()
}

#[tokio::test]
async fn the_ingest_api_answers_every_case_with_its_status() {
    let app = spawn_app_with(&[("KP_DOCUMENT_MAX_MB", "1")]).await;
    customer_with_password(&app, "80001", "akten", PASSWORD).await;
    let key = api_key(&app, "faktura").await;
    let file = pdf("Rechnung 1");

    let (status, body) = send(&app, &key, &INVOICE, &file).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().unwrap();
    assert_eq!(
        send(&app, &key, &INVOICE, &file).await,
        (StatusCode::OK, serde_json::json!({ "id": id, "einvoice": null, "warnings": [] })),
        "a retry is safe"
    );
    let (status, body) = send(&app, &key, &INVOICE, &pdf("anderer Inhalt")).await;
    assert_eq!((status, body["id"].as_i64()), (StatusCode::CONFLICT, Some(id)), "{body}");
    assert_eq!(app.count("documents").await, 1);

    let unknown = send(&app, &key, &with(&[("customer", "99999")]), &file).await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND, "{}", unknown.1);
    for (overrides, field) in [
        (&[("created", "20.11.2026x")][..], "created"),
        (&[("type", "unbekannt")][..], "type"),
        (&[("number", "RE;1")][..], "number"),
    ] {
        let (status, body) = send(&app, &key, &with(overrides), &file).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{body}");
        assert!(body["error"].as_str().unwrap().len() > 10, "a German message: {body}");
    }
    let (status, body) = send(&app, &key, &INVOICE[..3], &file).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("created")));
    let no_file = app.request(ingest_upload(Some(&key), multipart_body(&INVOICE, None))).await;
    assert_eq!(no_file.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", no_file.body);

    let (status, _) = send(&app, &key, &with(&[("number", "RE-2")]), b"<html>kein PDF</html>").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let mut big = pdf("gross");
    big.splice(10..10, vec![b' '; 1024 * 1024]);
    let (status, _) = send(&app, &key, &with(&[("number", "RE-3")]), &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("documents").await, 1, "nothing else was stored");
}

#[tokio::test]
async fn missing_wrong_and_revoked_keys_get_the_same_401() {
    let app = spawn_app().await;
    customer_with_password(&app, "80001", "akten", PASSWORD).await;
    let key = api_key(&app, "alt").await;
    app::documents::ssr::api_keys::revoke(&app.state.pool, "alt", START).await.unwrap();
    let body = multipart_body(&INVOICE, Some(&pdf("x")));
    let mut answers = Vec::new();
    for presented in [None, Some("kp_falsch"), Some(key.as_str())] {
        let response = app.request(ingest_upload(presented, body.clone())).await;
        answers.push((response.status, response.body));
    }
    assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED);
    assert!(answers.iter().all(|answer| *answer == answers[0]), "{answers:?}");
    assert_eq!(app.count("documents").await, 0);
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_before_it_is_read() {
    let app = spawn_app_with(&[("KP_DOCUMENT_MAX_MB", "1")]).await;
    let key = api_key(&app, "faktura").await;
    let request = Request::post("/api/v1/documents")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}"))
        .header(header::CONTENT_LENGTH, 50 << 20)
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .body(Body::from_stream(futures_util::stream::iter([Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"--"))])))
        .unwrap();
    assert_eq!(app.request(request).await.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_identical_uploads_at_once_make_one_document() {
    let app = std::sync::Arc::new(spawn_app().await);
    customer_with_password(&app, "80001", "akten", PASSWORD).await;
    let key = api_key(&app, "faktura").await;
    let file = pdf("gleichzeitig");
    let calls: Vec<_> = (0..2)
        .map(|_| {
            let (app, key, file) = (app.clone(), key.clone(), file.clone());
            tokio::spawn(async move { send(&app, &key, &INVOICE, &file).await })
        })
        .collect();
    let mut statuses = Vec::new();
    let mut ids = Vec::new();
    for call in calls {
        let (status, body) = call.await.unwrap();
        statuses.push(status);
        ids.push(body["id"].as_i64().unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CREATED]);
    assert_eq!(ids[0], ids[1]);
    assert_eq!(app.count("documents").await, 1);
}

async fn stored_files(app: &TestApp) -> usize {
    app.state.documents.list().await.unwrap().len()
}

#[tokio::test]
async fn a_failed_transaction_after_the_file_leaves_no_row_and_the_sweep_removes_the_file() {
    let app = spawn_app().await;
    customer_with_password(&app, "80001", "akten", PASSWORD).await;
    let key = api_key(&app, "faktura").await;
    crate::common::execute_per_backend(
        &app.state.pool,
        &["CREATE TRIGGER no_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'kaputt'); END"],
        &[
            "CREATE FUNCTION kaputt() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'kaputt'; END $$",
            "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION kaputt()",
        ],
    )
    .await;
    let (status, body) = send(&app, &key, &INVOICE, &pdf("halb")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!body.to_string().contains("kaputt"), "the database's words stay on the server: {body}");
    assert_eq!(app.count("documents").await, 0);
    assert_eq!(stored_files(&app).await, 1, "the file was written first");

    let sweep = || app::documents::ssr::retention::sweep_orphans(&app.state);
    // The file carries the real time of its writing; the test clock stands
    // before it (START): first nothing is old enough, then the clock moves
    // to three days after the real now, whatever day the suite runs on.
    assert_eq!(sweep().await.unwrap(), 0);
    let real_now = app::server::clock::Clock::system().now();
    app.state.clock.advance(real_now.max(app.state.clock.now()) - app.state.clock.now() + 3 * 24 * 3600);
    assert_eq!(sweep().await.unwrap(), 1);
    assert_eq!(stored_files(&app).await, 0);
}

async fn ingest(app: &TestApp, customer: &str, number: &str, provided: Option<&str>) -> i64 {
    use app::documents::ssr::ingest::{ingest, Ingester, NewDocument};
    let new = NewDocument::parse(customer, number, "rechnung", "2026-01-15", provided).unwrap();
    ingest(&app.state, &Ingester::Operator, new, pdf(number).into()).await.unwrap().id()
}

fn get_pdf(path: &str, cookie: &str, range: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path).header(header::COOKIE, cookie).header(header::ACCEPT, "application/pdf");
    if let Some(range) = range {
        request = request.header(header::RANGE, range);
    }
    request.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn the_pdf_route_shows_only_the_own_customers_documents_and_answers_ranges() {
    let app = spawn_app().await;
    customer_with_password(&app, "80001", "anna", PASSWORD).await;
    customer_with_password(&app, "80002", "bert", PASSWORD).await;
    let own = ingest(&app, "80001", "RE-A-1", None).await;
    let foreign = ingest(&app, "80002", "RE-B-1", None).await;
    let anna = app.sign_in("anna", PASSWORD).await;

    let (status, headers, bytes) = app.request_bytes(get_pdf(&app::routes::document_pdf(own, false), &anna, None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes.as_ref(), pdf("RE-A-1").as_slice());
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::CONTENT_LENGTH], bytes.len().to_string());
    assert_eq!(headers[header::CONTENT_DISPOSITION], "inline; filename=\"Rechnung_RE-A-1.pdf\"; filename*=UTF-8''Rechnung_RE-A-1.pdf");
    let (_, headers, _) = app.request_bytes(get_pdf(&app::routes::document_pdf(own, true), &anna, None)).await;
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment; filename=\"Rechnung_RE-A-1.pdf\""));

    let (status, headers, bytes) = app.request_bytes(get_pdf(&app::routes::document_pdf(own, false), &anna, Some("bytes=1-3"))).await;
    assert_eq!((status, bytes.as_ref()), (StatusCode::PARTIAL_CONTENT, &b"PDF"[..]));
    assert_eq!(headers[header::CONTENT_RANGE], format!("bytes 1-3/{}", pdf("RE-A-1").len()));
    let (status, ..) = app.request_bytes(get_pdf(&app::routes::document_pdf(own, false), &anna, Some("bytes=9999-"))).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);

    // Another customer's document, one that never was, and nonsense: the same 404.
    let mut answers = Vec::new();
    for path in [app::routes::document_pdf(foreign, false), app::routes::document_pdf(foreign + 1000, true), "/dokumente/abc/pdf".into()] {
        let (status, headers, bytes) = app.request_bytes(get_pdf(&path, &anna, None)).await;
        answers.push((status, headers.get(header::CONTENT_TYPE).cloned(), bytes));
    }
    assert_eq!(answers[0].0, StatusCode::NOT_FOUND);
    assert!(answers.iter().all(|answer| *answer == answers[0]), "{answers:?}");

    let audited: Vec<String> = db::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'document_%' AND actor_kind = 'user' ORDER BY id")
        .fetch_all(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(audited, ["document_viewed", "document_downloaded"], "a range after the first byte is not another view");
}

#[tokio::test]
async fn opening_a_document_clears_its_new_mark_for_that_user_only() {
    let app = spawn_app().await;
    let main = customer_with_password(&app, "80001", "haupt", PASSWORD).await;
    let document = ingest(&app, "80001", "RE-1", None).await;
    let cookie = app.sign_in("haupt", PASSWORD).await;
    app.request_bytes(get_pdf(&app::routes::document_pdf(document, false), &cookie, None)).await;
    let reads: Vec<(i64, i64)> = db::query_as("SELECT user_id, document_id FROM document_reads").fetch_all(&app.state.pool).await.unwrap();
    assert_eq!(reads, [(main, document)]);
}

#[tokio::test]
async fn a_document_stays_13_calendar_months_then_the_purge_deletes_it_and_its_file() {
    let app = spawn_app().await;
    customer_with_password(&app, "80001", "anna", PASSWORD).await;
    // Provided on 31 January 2026 (Berlin): visible through 28 February 2027.
    let january = ingest(&app, "80001", "RE-JAN", Some("2026-01-31")).await;
    let later = ingest(&app, "80001", "RE-NOV", None).await;
    let status_on = |day: &'static str| {
        let app = &app;
        async move {
            let at = app::domain::UnixTime::from_seconds(format!("{day}T12:00[Europe/Berlin]").parse::<jiff::Zoned>().unwrap().timestamp().as_second());
            app.state.clock.advance(at - app.state.clock.now());
            // A fresh session each time: a day apart, the last one has timed out.
            let fresh = app.sign_in("anna", PASSWORD).await;
            app.request_bytes(get_pdf(&app::routes::document_pdf(january, false), &fresh, None)).await.0
        }
    };
    assert_eq!(status_on("2027-02-28").await, StatusCode::OK, "13 months minus a day");
    assert_eq!(status_on("2027-03-01").await, StatusCode::NOT_FOUND, "13 months plus a day");

    assert_eq!(app::documents::ssr::retention::purge_expired(&app.state).await.unwrap(), 1);
    let left: Vec<i64> = db::query_scalar("SELECT id FROM documents").fetch_all(&app.state.pool).await.unwrap();
    assert_eq!(left, [later]);
    assert_eq!(stored_files(&app).await, 1, "the purged document's file is gone, the other stays");
    let purged: i64 = db::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'document_purged'").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(purged, 1);
}

#[tokio::test]
async fn the_same_pdf_for_two_documents_is_stored_once_and_kept_while_one_uses_it() {
    use app::documents::ssr::ingest::{ingest, Ingester, NewDocument};
    let app = spawn_app().await;
    customer_with_password(&app, "80001", "anna", PASSWORD).await;
    let same = pdf("Sammelrechnung");
    for (number, provided) in [("RE-1", Some("2025-01-10")), ("RE-2", None)] {
        let new = NewDocument::parse("80001", number, "rechnung", "2025-01-10", provided).unwrap();
        ingest(&app.state, &Ingester::Operator, new, same.clone().into()).await.unwrap();
    }
    assert_eq!(stored_files(&app).await, 1);
    assert_eq!(app::documents::ssr::retention::purge_expired(&app.state).await.unwrap(), 1);
    assert_eq!(stored_files(&app).await, 1, "still used by RE-2");
}

/// The entries of a ZIP (stored, as the export writes them): name and bytes,
/// read through its central directory.
pub(crate) fn unzip(archive: &[u8]) -> Vec<(String, Vec<u8>)> {
    let u16_at = |at: usize| u16::from_le_bytes([archive[at], archive[at + 1]]) as usize;
    let u32_at = |at: usize| u32::from_le_bytes(archive[at..at + 4].try_into().unwrap()) as usize;
    let end = archive.len() - 22;
    assert_eq!(u32_at(end), 0x06054b50, "end of central directory");
    let (count, mut at) = (u16_at(end + 10), u32_at(end + 16));
    let mut entries = Vec::new();
    for _ in 0..count {
        assert_eq!(u32_at(at), 0x02014b50);
        let (method, size, name_len, extra, comment, offset) =
            (u16_at(at + 10), u32_at(at + 24), u16_at(at + 28), u16_at(at + 30), u16_at(at + 32), u32_at(at + 42));
        assert_eq!(method, 0, "stored, not compressed");
        let name = String::from_utf8(archive[at + 46..at + 46 + name_len].to_vec()).unwrap();
        let data = offset + 30 + u16_at(offset + 26) + u16_at(offset + 28);
        entries.push((name, archive[data..data + size].to_vec()));
        at += 46 + name_len + extra + comment;
    }
    entries
}

#[tokio::test]
async fn the_zip_export_holds_exactly_the_filtered_documents_byte_for_byte() {
    let app = spawn_app_with(&[("KP_EXPORT_MAX_DOCUMENTS", "3")]).await;
    customer_with_password(&app, "80001", "anna", PASSWORD).await;
    customer_with_password(&app, "80002", "bert", PASSWORD).await;
    for number in ["RE-1", "RE-2", "RE-3", "RE-4"] {
        ingest(&app, "80001", number, None).await;
    }
    ingest(&app, "80002", "RE-1", None).await;
    let anna = app.sign_in("anna", PASSWORD).await;
    let export = |query: &str| Request::get(format!("/dokumente/export.zip{query}")).header(header::COOKIE, &anna).body(Body::empty()).unwrap();

    let (status, _, body) = app.request_bytes(export("")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "four are more than three");
    assert!(String::from_utf8_lossy(&body).contains("höchstens 3 Dokumente"));

    // Paging does not narrow an export: it takes the filter's documents on every page.
    let (status, ..) = app.request_bytes(export("?suche=RE-&seite=2&anzahl=25")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // One of anna's gets another number: the search "RE-" finds three.
    db::query("UPDATE documents SET number = 'GS-1' WHERE number = 'RE-1' AND customer_id = (SELECT id FROM customers WHERE number = '80001')")
        .execute(&app.state.pool)
        .await
        .unwrap();
    let (status, headers, body) = app.request_bytes(export("?suche=RE-&sortierung=nummer&richtung=auf")).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
    assert_eq!(headers[header::CONTENT_LENGTH], body.len().to_string(), "Content-Length is the bytes sent");
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment; filename=\"Dokumente_"));
    let entries = unzip(&body);
    let names: Vec<&str> = entries.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["index.csv", "Rechnung_RE-2.pdf", "Rechnung_RE-3.pdf", "Rechnung_RE-4.pdf"]);
    for (name, bytes) in &entries[1..] {
        let number = name.trim_start_matches("Rechnung_").trim_end_matches(".pdf");
        assert_eq!(bytes, &pdf(number), "{name} byte for byte");
    }
    let csv = String::from_utf8(entries[0].1.clone()).unwrap();
    assert!(csv.starts_with("\u{feff}Nummer;Typ;Erstellung;Bereitstellung;Datei;"), "{csv}");
    assert!(csv.contains("RE-2;Rechnung;15.01.2026;23.11.2026;Rechnung_RE-2.pdf;;;;;;\r\n"), "no e-invoice, empty cells: {csv}");
    assert_eq!(csv.lines().count(), 4);
    let exported: i64 = db::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'documents_exported'").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(exported, 1);
}

// ---- Reliability ------------------------------------------------------------------

#[tokio::test]
async fn a_malformed_address_or_body_is_answered_by_the_portal_in_german_never_by_the_framework() {
    let app = spawn_app().await;
    customer_with_password(&app, "80001", "anna", PASSWORD).await;
    let own = ingest(&app, "80001", "RE-1", None).await;
    let anna = app.sign_in("anna", PASSWORD).await;
    let framework_words = ["Failed to deserialize", "duplicate field", "Invalid", "boundary", "Expected", "request", "Content-Type"];
    let german = |body: &str| framework_words.iter().all(|word| !body.contains(word)) && !body.trim().is_empty();

    let page = Request::get(format!("/dokumente/{own}/pdf?download=1&download=1"))
        .header(header::COOKIE, &anna)
        .header(header::ACCEPT, "text/html")
        .body(Body::empty())
        .unwrap();
    let answer = app.request(page).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(german(&answer.body), "{}", answer.body);
    assert!(answer.body.contains("Die Anfrage konnte nicht verarbeitet werden"), "{}", answer.body);

    let key = api_key(&app, "faktura").await;
    for (content_type, body) in [("application/json", "{\"customer\":\"80001\"}"), ("multipart/form-data", "--x--"), ("multipart/form-data; boundary=b", "kein multipart")] {
        let request = Request::post("/api/v1/documents")
            .header(header::CONTENT_TYPE, content_type)
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .body(Body::from(body))
            .unwrap();
        let answer = app.request(request).await;
        assert!(answer.status.is_client_error(), "{content_type}: {}", answer.status);
        let json: Value = serde_json::from_str(&answer.body).unwrap_or_else(|_| panic!("{content_type}: not JSON: {}", answer.body));
        assert!(german(json["error"].as_str().unwrap()), "{content_type}: {json}");
    }
}

/// Holds the lock that a writer of `documents` waits for (the write lock on
/// SQLite, a table lock on PostgreSQL), while reads go on.
async fn hold_documents_write_lock(app: &TestApp) -> db::Transaction<'static> {
    let mut tx = db::begin(&app.state.pool).await.unwrap();
    let statement = match app.state.pool.backend() {
        db::Backend::Sqlite => "UPDATE customers SET name = name",
        db::Backend::Postgres => "LOCK TABLE documents IN SHARE ROW EXCLUSIVE MODE",
    };
    db::query(statement).execute(&mut *tx).await.unwrap();
    tx
}

/// Moves the clock to three days after the real now, so that files written
/// by this test (stamped with the real time) are old for the sweep.
fn move_clock_past_real_time(app: &TestApp) {
    let real_now = app::server::clock::Clock::system().now();
    app.state.clock.advance(real_now.max(app.state.clock.now()) - app.state.clock.now() + 3 * 24 * 3600);
}

/// Waits until the spawned `tasks` have got as far as they can while the
/// test holds the lock of [`hold_documents_write_lock`]: each has finished
/// or waits for that lock. PostgreSQL lists the sessions waiting for a lock
/// (each test has a database of its own); on SQLite a waiting writer holds
/// a connection of the pool beside the test's own until the lock is free.
async fn until_waiting_for_the_lock(app: &TestApp, tasks: &[tokio::task::AbortHandle]) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let waiting = match app.state.pool.backend() {
            db::Backend::Postgres => db::query_scalar(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            .fetch_one(&app.state.pool)
            .await
            .unwrap(),
            db::Backend::Sqlite => i64::from(app.state.pool.connections_in_use()) - 1,
        };
        let finished = tasks.iter().filter(|task| task.is_finished()).count() as i64;
        if waiting + finished >= tasks.len() as i64 {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "of {} tasks, {finished} finished, {waiting} wait for the lock", tasks.len());
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_never_deletes_a_file_that_an_ingest_of_the_same_bytes_is_about_to_use() {
    let app = std::sync::Arc::new(spawn_app().await);
    customer_with_password(&app, "80001", "akten", PASSWORD).await;
    let bytes = pdf("schon einmal da");
    // A failed ingest left this file behind long ago.
    let hash = app::server::storage::ContentHash::of(&bytes);
    app.state.documents.put(&hash, bytes.clone().into()).await.unwrap();
    move_clock_past_real_time(&app);

    let lock = hold_documents_write_lock(&app).await;
    // The operator's ingest (no API key to check first): it writes the file, then waits for the lock.
    let ingesting = {
        let (app, bytes) = (app.clone(), bytes.clone());
        tokio::spawn(async move {
            use app::documents::ssr::ingest::{ingest, Ingester, NewDocument};
            let new = NewDocument::parse("80001", "RE-WIEDER", "rechnung", "2026-11-20", None).unwrap();
            ingest(&app.state, &Ingester::Operator, new, bytes.into()).await
        })
    };
    until_waiting_for_the_lock(&app, &[ingesting.abort_handle()]).await;
    let sweeping = {
        let app = app.clone();
        tokio::spawn(async move { app::documents::ssr::retention::sweep_orphans(&app.state).await })
    };
    until_waiting_for_the_lock(&app, &[ingesting.abort_handle(), sweeping.abort_handle()]).await;
    drop(lock);
    let id = ingesting.await.unwrap().unwrap().id();
    sweeping.await.unwrap().unwrap();
    assert_eq!(app.state.documents.size(&hash).await.unwrap(), bytes.len() as u64, "the document's file is there");
    let (status, _, served) = app.request_bytes(get_pdf(&app::routes::document_pdf(id, false), &app.sign_in("akten", PASSWORD).await, None)).await;
    assert_eq!((status, served.as_ref()), (StatusCode::OK, bytes.as_slice()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_purges_at_once_delete_and_audit_each_document_once() {
    let app = std::sync::Arc::new(spawn_app().await);
    customer_with_password(&app, "80001", "anna", PASSWORD).await;
    for number in ["RE-1", "RE-2", "RE-3", "RE-4"] {
        ingest(&app, "80001", number, None).await;
    }
    db::query("UPDATE documents SET hidden_from = $1").bind(app.state.clock.now()).execute(&app.state.pool).await.unwrap();
    let lock = hold_documents_write_lock(&app).await;
    let purges: Vec<_> = (0..2)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { app::documents::ssr::retention::purge_expired(&app.state).await.unwrap() })
        })
        .collect();
    until_waiting_for_the_lock(&app, &purges.iter().map(|purge| purge.abort_handle()).collect::<Vec<_>>()).await;
    drop(lock);
    let mut purged = 0;
    for purge in purges {
        purged += purge.await.unwrap();
    }
    assert_eq!(purged, 4, "each document counted by the purge that deleted it");
    let audited: i64 = db::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'document_purged'").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(audited, 4, "one audit row per document that was deleted");
    assert_eq!(stored_files(&app).await, 0);
}

#[tokio::test]
async fn zip_entry_names_are_flat_safe_on_windows_and_macos_and_unique() {
    let app = spawn_app().await;
    customer_with_password(&app, "80001", "anna", PASSWORD).await;
    for (key, name) in [("storno", "Storno/Rechnung"), ("pfad", "..\\..\\Windows"), ("zeichen", "Was? \"Wer\"*:<>|"), ("punkt", ".versteckt")] {
        db::query("INSERT INTO document_types (key, name) VALUES ($1, $2)").bind(key).bind(name).execute(&app.state.pool).await.unwrap();
    }
    use app::documents::ssr::ingest::{ingest, Ingester, NewDocument};
    let documents = [("storno", "1"), ("pfad", "2"), ("zeichen", "3"), ("punkt", "4"), ("rechnung", "RE 1"), ("rechnung", "RE_1"), ("rechnung", "re_1"), ("rechnung", "..")];
    for (kind, number) in documents {
        let new = NewDocument::parse("80001", number, kind, "2026-01-15", None).unwrap();
        ingest(&app.state, &Ingester::Operator, new, pdf(&format!("{kind} {number}")).into()).await.unwrap();
    }
    let anna = app.sign_in("anna", PASSWORD).await;
    let request = Request::get("/dokumente/export.zip").header(header::COOKIE, &anna).body(Body::empty()).unwrap();
    let (status, _, body) = app.request_bytes(request).await;
    assert_eq!(status, StatusCode::OK);
    let entries = unzip(&body);
    assert_eq!(entries.len(), documents.len() + 1);
    let names: Vec<&str> = entries[1..].iter().map(|(name, _)| name.as_str()).collect();
    let mut folded: Vec<String> = names.iter().map(|name| name.to_lowercase()).collect();
    folded.sort();
    folded.dedup();
    assert_eq!(folded.len(), names.len(), "unique even where case does not count: {names:?}");
    for name in &names {
        assert!(!name.chars().any(|c| c.is_control() || "/\\:*?\"<>|".contains(c)), "{name}");
        assert!(!name.starts_with('.') && !name.starts_with(' '), "{name}");
        assert!(name.ends_with(".pdf") && !name.ends_with(" .pdf") && !name.ends_with("..pdf"), "{name}");
    }
    let index = String::from_utf8(entries[0].1.clone()).unwrap();
    for name in &names {
        assert!(index.contains(name), "index.csv names {name}: {index}");
    }
    // Each entry holds its own document.
    for (kind, number) in documents {
        let expected = pdf(&format!("{kind} {number}"));
        assert_eq!(entries.iter().filter(|(_, bytes)| *bytes == expected).count(), 1, "{kind} {number}");
    }
}

/// A multipart upload whose file part stops halfway until `rest` is sent.
fn stalled_upload(key: &str, number: &str, file: &[u8]) -> (Request<Body>, tokio::sync::oneshot::Sender<()>) {
    use futures_util::StreamExt;
    let fields = [("customer", "80001"), ("number", number), ("type", "rechnung"), ("created", "2026-11-20")];
    let body = multipart_body(&fields, Some(file));
    let (first, second) = body.split_at(body.len() - 40);
    let (first, second) = (axum::body::Bytes::copy_from_slice(first), axum::body::Bytes::copy_from_slice(second));
    let (rest, wait) = tokio::sync::oneshot::channel::<()>();
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) })
        .chain(futures_util::stream::once(async move {
            let _ = wait.await;
            Ok::<_, std::io::Error>(second)
        }));
    let request = Request::post("/api/v1/documents")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}"))
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .body(Body::from_stream(stream))
        .unwrap();
    (request, rest)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_beyond_the_allowed_number_at_once_are_told_to_come_back_later() {
    let app = std::sync::Arc::new(spawn_app_with(&[("KP_INGEST_MAX_CONCURRENT", "1"), ("KP_INGEST_MAX_WAITING", "0")]).await);
    customer_with_password(&app, "80001", "akten", PASSWORD).await;
    let key = api_key(&app, "faktura").await;
    let (slow, rest) = stalled_upload(&key, "RE-LANGSAM", &pdf("langsam"));
    let first = {
        let app = app.clone();
        tokio::spawn(async move { app.request(slow).await })
    };
    // The slow upload has the one slot and reads its body.
    while app.state.ingest_slots.available_permits() > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let second = app.request(ingest_upload(Some(&key), multipart_body(&with(&[("number", "RE-EILIG")]), Some(&pdf("eilig"))))).await;
    assert_eq!(second.status, StatusCode::SERVICE_UNAVAILABLE, "{}", second.body);
    assert!(second.headers.contains_key(header::RETRY_AFTER));
    let json: Value = serde_json::from_str(&second.body).unwrap();
    assert!(json["error"].as_str().unwrap().contains("später"), "{json}");
    rest.send(()).unwrap();
    assert_eq!(first.await.unwrap().status, StatusCode::CREATED);
    let again = app.request(ingest_upload(Some(&key), multipart_body(&with(&[("number", "RE-EILIG")]), Some(&pdf("eilig"))))).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
}

/// A figure of this process's memory (the server runs in it) in KiB:
/// `VmRSS` resident now, `VmHWM` the peak since [`reset_peak_memory`].
fn memory_kib(field: &str) -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|line| line.starts_with(&format!("{field}:"))).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Linux: the peak (`VmHWM`) starts again from what is resident now.
fn reset_peak_memory() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

#[tokio::test]
async fn a_large_upload_goes_to_storage_without_being_held_in_memory() {
    let app = spawn_app_with(&[("KP_DOCUMENT_MAX_MB", "40")]).await;
    customer_with_password(&app, "80001", "akten", PASSWORD).await;
    let key = api_key(&app, "faktura").await;
    // Warm up: the first upload opens files and fills caches.
    assert_eq!(send(&app, &key, &with(&[("number", "RE-KLEIN")]), &pdf("klein")).await.0, StatusCode::CREATED);
    let mut large = pdf("gross");
    large.splice(10..10, (0..32 << 20).map(|i: u32| (i % 251) as u8));
    let body = multipart_body(&with(&[("number", "RE-GROSS")]), Some(&large));
    // The request body is produced in pieces as the server reads it, so only the server's copies count.
    let chunks: Vec<axum::body::Bytes> = body.chunks(64 * 1024).map(axum::body::Bytes::copy_from_slice).collect();
    let hash = app::server::storage::ContentHash::of(&large);
    drop((large, body));
    let request = Request::post("/api/v1/documents")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}"))
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .body(Body::from_stream(futures_util::stream::iter(chunks.into_iter().map(Ok::<_, std::io::Error>))))
        .unwrap();
    let before = memory_kib("VmRSS");
    reset_peak_memory();
    let answer = app.request(request).await;
    let grown = memory_kib("VmHWM") - before;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(app.state.documents.size(&hash).await.unwrap(), 32 * 1024 * 1024 + pdf("gross").len() as u64);
    assert!(grown < 12 * 1024, "resident memory peaked {grown} KiB above where it was, for a 32 MB upload");
}

/// A small file system of its own (tmpfs) for the document store, to fill
/// up or make read-only; unmounted at the end. Needs root, as `make test` runs.
struct OwnFileSystem {
    dir: tempfile::TempDir,
}

impl OwnFileSystem {
    fn mount(size: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("mount runs");
        assert!(mounted.success(), "this test mounts a tmpfs for the store (it runs as root under make test)");
        Self { dir }
    }

    fn remount(&self, options: &str) {
        let status = std::process::Command::new("mount").args(["-o", &format!("remount,{options}")]).arg(self.dir.path()).status().unwrap();
        assert!(status.success());
    }

    /// Every file under the mount, staged leftovers included.
    fn files(&self) -> Vec<std::path::PathBuf> {
        fn walk(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                if entry.file_type().unwrap().is_dir() {
                    walk(&entry.path(), found);
                } else {
                    found.push(entry.path());
                }
            }
        }
        let mut found = Vec::new();
        walk(self.dir.path(), &mut found);
        found
    }
}

impl Drop for OwnFileSystem {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

#[tokio::test]
async fn a_full_or_read_only_store_refuses_the_upload_clearly_and_nothing_is_half_written() {
    let store = OwnFileSystem::mount("256k");
    let app = spawn_app_with(&[("KP_STORAGE_URL", &format!("file://{}/dokumente", store.dir.path().display()))]).await;
    customer_with_password(&app, "80001", "akten", PASSWORD).await;
    let key = api_key(&app, "faktura").await;
    assert_eq!(send(&app, &key, &with(&[("number", "RE-KLEIN")]), &pdf("passt")).await.0, StatusCode::CREATED);
    let before = store.files();
    assert_eq!(before.len(), 1);

    let mut large = pdf("zu gross fuer den Speicher");
    large.splice(10..10, vec![b'x'; 400 * 1024]);
    let read_only_pdf = pdf("schreibgeschuetzt");
    for (case, number, file) in [("full", "RE-VOLL", &large), ("read-only", "RE-NURLESEN", &read_only_pdf)] {
        if case == "read-only" {
            store.remount("ro");
        }
        let (status, body) = send(&app, &key, &with(&[("number", number)]), file).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{case}: {body}");
        let message = body["error"].as_str().unwrap();
        assert!(message.contains("voll oder schreibgeschützt") && message.contains("nichts gespeichert"), "{case}: {message}");
        assert_eq!(app.count("documents").await, 1, "{case}: no row");
        assert_eq!(store.files(), before, "{case}: no file, not even a part of one");
    }
    // Once there is room again, the same upload goes through.
    store.remount("rw");
    assert_eq!(send(&app, &key, &with(&[("number", "RE-NURLESEN")]), &read_only_pdf).await.0, StatusCode::CREATED);
}
