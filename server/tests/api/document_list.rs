//! The Dokumente list against a straightforward in-memory model of the same
//! documents: every sort both ways, search, type and period filters, and
//! every page — through the real server function, with a real SQLite file.


use app::server::db;
use app::documents::{ListQuery, ListShown, SortColumn};
use app::documents::ssr::ingest::{ingest, Ingester, NewDocument};
use axum::http::StatusCode;
use crate::common::*;

const PASSWORD: &str = "Listen-Wort-42";

#[derive(Debug, Clone)]
struct Model {
    id: i64,
    number: String,
    type_key: &'static str,
    type_name: &'static str,
    created_on: String,
    provided_on: String,
}

const TYPES: [(&str, &str); 3] = [("rechnung", "Rechnung"), ("gutschrift", "Gutschrift"), ("mahnung", "Mahnung")];

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes()
}

async fn add(app: &TestApp, customer: &str, number: &str, type_key: &str, created: &str, provided: Option<&str>) -> i64 {
    let new = NewDocument::parse(customer, number, type_key, created, provided).unwrap();
    ingest(&app.state, &Ingester::Operator, new, pdf(&format!("{customer}{number}{type_key}")).into()).await.unwrap().id()
}

/// 47 documents over about ten months, several on the same day, three types.
async fn seed(app: &TestApp) -> Vec<Model> {
    let mut model = Vec::new();
    for i in 0..47u32 {
        let (type_key, type_name) = TYPES[(i % 3) as usize];
        let number = format!("{}-{:04}", ["RE", "GS", "MA"][(i % 3) as usize], (i * 37) % 101);
        let created = format!("2026-{:02}-{:02}", 1 + i % 10, 1 + (i * 7) % 28);
        let provided = format!("2026-{:02}-{:02}", 1 + (i / 5) % 10, 1 + (i % 5) * 3);
        let id = add(app, "90001", &number, type_key, &created, Some(&provided)).await;
        model.push(Model { id, number, type_key, type_name, created_on: created, provided_on: provided });
    }
    model
}

/// Every page of `query`, following the pager's own links.
async fn all_pages(app: &TestApp, cookie: &str, query: &ListQuery) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut current = query.clone();
    loop {
        let page = list_page(app, cookie, &current).await;
        assert!(page.rows.len() <= current.per_page as usize);
        ids.extend(page.rows.iter().map(|row| row.id));
        if !page.has_next {
            assert_eq!(current.page, page.pages, "the last page is page {} of {}", current.page, page.pages);
            return ids;
        }
        let after = current.uses_keyset().then(|| page.rows.last().unwrap().cursor);
        current = current.with_page(current.page + 1, after, None);
    }
}

fn expected(model: &[Model], query: &ListQuery) -> Vec<i64> {
    let mut rows: Vec<&Model> = model
        .iter()
        .filter(|m| query.search.is_empty() || m.number.to_lowercase().contains(&query.search.to_lowercase()))
        .filter(|m| query.type_key.is_empty() || m.type_key == query.type_key)
        .filter(|m| query.from.is_empty() || m.provided_on >= query.from)
        .filter(|m| query.to.is_empty() || m.provided_on <= query.to)
        .collect();
    rows.sort_by(|a, b| {
        let by_column = match query.sort {
            SortColumn::Number => a.number.cmp(&b.number),
            SortColumn::Created => a.created_on.cmp(&b.created_on),
            SortColumn::Type => a.type_name.cmp(b.type_name),
            // Visible until follows from the day provided.
            SortColumn::Provided | SortColumn::VisibleUntil => a.provided_on.cmp(&b.provided_on),
        };
        let ordered = by_column.then(a.id.cmp(&b.id));
        if query.descending { ordered.reverse() } else { ordered }
    });
    rows.into_iter().map(|m| m.id).collect()
}

#[tokio::test]
async fn search_filters_sort_and_paging_agree_with_a_model() {
    let app = spawn_app().await;
    customer_with_password(&app, "90001", "liste", PASSWORD).await;
    customer_with_password(&app, "90002", "fremd", PASSWORD).await;
    let model = seed(&app).await;
    // Another customer's documents, with the same numbers: never in the list.
    add(&app, "90002", "RE-0000", "rechnung", "2026-01-01", Some("2026-03-01")).await;
    add(&app, "90002", "RE-0037", "rechnung", "2026-01-01", Some("2026-03-01")).await;
    let cookie = app.sign_in("liste", PASSWORD).await;

    let mut queries = Vec::new();
    for column in SortColumn::ALL {
        for descending in [false, true] {
            queries.push(ListQuery { sort: column, descending, per_page: 25, ..ListQuery::default() });
        }
    }
    queries.push(ListQuery { search: "re-00".into(), ..ListQuery::default() });
    queries.push(ListQuery { search: "7".into(), sort: SortColumn::Number, descending: false, ..ListQuery::default() });
    queries.push(ListQuery { search: "_".into(), ..ListQuery::default() });
    queries.push(ListQuery { type_key: "gutschrift".into(), ..ListQuery::default() });
    queries.push(ListQuery { from: "2026-03-01".into(), to: "2026-05-07".into(), per_page: 50, ..ListQuery::default() });
    queries.push(ListQuery { type_key: "mahnung".into(), from: "2026-02-01".into(), sort: SortColumn::Created, ..ListQuery::default() });

    for query in &queries {
        let want = expected(&model, query);
        let got = all_pages(&app, &cookie, query).await;
        assert_eq!(got, want, "{query:?}");
        let first = list_page(&app, &cookie, query).await;
        assert_eq!(first.total, want.len() as i64, "{query:?}");
    }
    // Offset paging for the same order gives the same pages as keyset paging.
    let page_three = list_page(&app, &cookie, &ListQuery { page: 3, per_page: 10, ..ListQuery::default() }).await;
    let want = expected(&model, &ListQuery::default());
    assert_eq!(page_three.rows.iter().map(|r| r.id).collect::<Vec<_>>(), want[20..30].to_vec());
}

#[tokio::test]
async fn keyset_pages_neither_skip_nor_repeat_when_documents_arrive_between_two_pages() {
    let app = spawn_app().await;
    customer_with_password(&app, "90001", "liste", PASSWORD).await;
    let model = seed(&app).await;
    let cookie = app.sign_in("liste", PASSWORD).await;
    let query = ListQuery { per_page: 25, ..ListQuery::default() };
    let first = list_page(&app, &cookie, &query).await;
    // New documents arrive (provided now, so they sort first) and one on a day of page 1.
    add(&app, "90001", "NEU-1", "rechnung", "2026-11-20", None).await;
    add(&app, "90001", "NEU-2", "rechnung", "2026-11-20", Some("2026-10-13")).await;
    let second = list_page(&app, &cookie, &query.with_page(2, first.rows.last().map(|r| r.cursor), None)).await;
    let seen: Vec<i64> = first.rows.iter().chain(&second.rows).map(|r| r.id).collect();
    assert_eq!(seen, expected(&model, &query), "page 2 goes on exactly after page 1");
    // Back from page 2 gives page 1 as it now stands before page 2's first row.
    let back = list_page(&app, &cookie, &query.with_page(1, None, second.rows.first().map(|r| r.cursor))).await;
    let back_ids: Vec<i64> = back.rows.iter().map(|r| r.id).collect();
    assert_eq!(back_ids.last(), first.rows.last().map(|r| &r.id));
    assert!(back.has_next);
}

#[tokio::test]
async fn new_documents_are_marked_for_each_user_until_they_open_them() {
    let app = spawn_app().await;
    customer_with_password(&app, "90001", "liste", PASSWORD).await;
    let one = add(&app, "90001", "RE-1", "rechnung", "2026-11-01", None).await;
    add(&app, "90001", "RE-2", "rechnung", "2026-11-02", None).await;
    let cookie = app.sign_in("liste", PASSWORD).await;
    let count = app.call("documents/new_count", &[], Some(&cookie)).await;
    assert_eq!(count.body, "2");
    app.request_bytes(axum::http::Request::get(app::routes::document_pdf(one, false)).header("cookie", &cookie).body(axum::body::Body::empty()).unwrap()).await;
    let page = list_page(&app, &cookie, &ListQuery::default()).await;
    let marks: Vec<(String, bool)> = page.rows.iter().map(|r| (r.number.clone(), r.is_new)).collect();
    assert_eq!(marks, [("RE-2".to_owned(), true), ("RE-1".to_owned(), false)]);
    assert_eq!(app.call("documents/new_count", &[], Some(&cookie)).await.body, "1");
}

#[tokio::test]
async fn the_page_renders_the_list_without_javascript() {
    let app = spawn_app().await;
    customer_with_password(&app, "90001", "liste", PASSWORD).await;
    add(&app, "90001", "RE-2026-0815", "rechnung", "2026-11-01", Some("2026-11-02")).await;
    add(&app, "90001", "GS-2026-0001", "gutschrift", "2026-11-01", Some("2026-11-02")).await;
    let cookie = app.sign_in("liste", PASSWORD).await;
    let page = app.get("/dokumente?suche=0815", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in ["RE-2026-0815", "01.11.2026", "02.11.2026", "Rechnung", "sichtbar bis", "02.12.2027", "1 Dokument", "neu", "Herunterladen"] {
        assert!(page.body.contains(text), "{text} missing");
    }
    assert!(!page.body.contains("GS-2026-0001"), "the search filtered it out");
    assert!(page.body.contains("sortierung=nummer&amp;richtung=auf") || page.body.contains("sortierung=nummer&richtung=auf"));
}

#[tokio::test]
async fn the_list_shown_in_place_is_what_the_page_renders_for_that_address() {
    let app = spawn_app().await;
    customer_with_password(&app, "90001", "liste", PASSWORD).await;
    customer_with_password(&app, "90002", "fremd", PASSWORD).await;
    add(&app, "90001", "RE-2026-0815", "rechnung", "2026-11-01", Some("2026-11-02")).await;
    add(&app, "90001", "GS-2026-0001", "gutschrift", "2026-11-01", Some("2026-11-02")).await;
    add(&app, "90002", "RE-2026-0815-B", "rechnung", "2026-11-01", Some("2026-11-02")).await;
    let cookie = app.sign_in("liste", PASSWORD).await;

    // The address as the browser sends it (a form's fields, a value the page ignores).
    let address = "/dokumente?suche=0815&typ=&von=&bis=&anzahl=100&sortierung=nummer&richtung=auf&seite=x";
    let answer = app.call("documents/show", &[("address", address)], Some(&cookie)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let shown: ListShown = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(shown.address, "/dokumente?suche=0815&sortierung=nummer&richtung=auf&anzahl=100");
    assert_eq!(shown.summary, "1 Dokument, Seite 1 von 1");
    let field = |name: &str| shown.fields.iter().find(|(field, _)| field == name).map(|(_, value)| value.as_str());
    assert_eq!((field("suche"), field("typ"), field("anzahl"), field("sortierung"), field("richtung")), (Some("0815"), Some(""), Some("100"), Some("nummer"), Some("auf")));
    assert!(shown.html.contains("RE-2026-0815") && shown.html.contains("1 Dokument"));
    assert!(!shown.html.contains("GS-2026-0001"), "the search filtered it out");
    assert!(!shown.html.contains("RE-2026-0815-B"), "another customer's document");

    // The page at the address it names renders the same results.
    let page = app.get(&shown.address, Some(&cookie)).await;
    assert!(page.body.contains(&shown.html), "the page holds the same results:\n{}\n{}", shown.html, page.body);

    // Signed out: the typed error, no list.
    let signed_out = app.call("documents/show", &[("address", "/dokumente")], None).await;
    assert_eq!(signed_out.status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(&signed_out), app::error::AppError::NotSignedIn);
}

/// A second user of the same customer, with the same password.
async fn second_user(app: &TestApp, customer: &str, username: &str) -> i64 {
    let customer_id: i64 = db::query_scalar("SELECT id FROM customers WHERE number = $1").bind(customer).fetch_one(&app.state.pool).await.unwrap();
    TestUser::sub(username).password(PASSWORD).email(&format!("{username}@kunden.example")).create(app, customer_id).await
}

#[tokio::test]
async fn a_user_of_one_customer_never_sees_counts_or_downloads_anothers_documents() {
    let app = spawn_app().await;
    customer_with_password(&app, "91001", "kunde-a", PASSWORD).await;
    customer_with_password(&app, "91002", "kunde-b", PASSWORD).await;
    let own = add(&app, "91001", "A-1", "rechnung", "2026-11-01", None).await;
    let foreign = add(&app, "91002", "B-1", "rechnung", "2026-11-01", None).await;
    add(&app, "91002", "B-2", "gutschrift", "2026-11-01", None).await;
    let a = app.sign_in("kunde-a", PASSWORD).await;
    let get = |path: String| {
        let (app, a) = (&app, a.clone());
        async move {
            let request = axum::http::Request::get(path).header("cookie", &a).header("accept", "application/json").body(axum::body::Body::empty()).unwrap();
            app.request_bytes(request).await
        }
    };

    // Every way to reach documents, as customer A.
    let list = list_page(&app, &a, &ListQuery { search: "-".into(), ..ListQuery::default() }).await;
    assert_eq!((list.total, list.rows.iter().map(|r| r.id).collect::<Vec<_>>()), (1, vec![own]), "the list");
    assert_eq!(app.call("documents/new_count", &[], Some(&a)).await.body, "1", "the start page's count");
    let zip = get("/dokumente/export.zip".into()).await;
    assert_eq!(zip.0, StatusCode::OK);
    assert!(!zip.2.windows(3).any(|w| w == b"B-1") && !zip.2.windows(3).any(|w| w == b"B-2"), "the export");
    let missing = get(app::routes::document_pdf(i64::MAX, false)).await;
    for path in [app::routes::document_pdf(foreign, false), app::routes::document_pdf(foreign, true)] {
        let answer = get(path.clone()).await;
        assert_eq!((answer.0, &answer.2), (missing.0, &missing.2), "{path}: the same 404 as a document that never was");
    }
    assert_eq!(missing.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_new_mark_clears_for_the_user_who_opened_the_document_only() {
    let app = spawn_app().await;
    customer_with_password(&app, "91003", "erste", PASSWORD).await;
    second_user(&app, "91003", "zweite").await;
    let document = add(&app, "91003", "RE-1", "rechnung", "2026-11-01", None).await;
    let first = app.sign_in("erste", PASSWORD).await;
    let second = app.sign_in("zweite", PASSWORD).await;
    app.request_bytes(axum::http::Request::get(app::routes::document_pdf(document, false)).header("cookie", &first).body(axum::body::Body::empty()).unwrap()).await;
    let new_for = |cookie: String| {
        let app = &app;
        async move { list_page(app, &cookie, &ListQuery::default()).await.rows[0].is_new }
    };
    assert!(!new_for(first.clone()).await, "opened by the first user");
    assert!(new_for(second.clone()).await, "still new for the second");
}
