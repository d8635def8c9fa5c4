//! The operator CLI, run as the real binary against a fresh data directory.


use app::server::db;
use crate::common::DataDir;
use std::process::{Command, Output};

fn kundenportal(data_dir: &DataDir, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kundenportal"));
    command.args(args).envs(data_dir.env()).env("KP_LOG", "error");
    for (name, value) in extra_env {
        command.env(name, value);
    }
    command.output().expect("the binary runs")
}

fn stderr_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr).lines().map(str::to_owned).collect()
}

/// Every row of every table and every mail file's name and text: what
/// "unchanged" means here.
async fn snapshot(data_dir: &DataDir) -> Vec<(String, Vec<String>)> {
    let pool = data_dir.pool().await;
    let mut content = crate::common::table_rows(&pool).await;
    pool.close().await;
    let mut mails: Vec<String> = std::fs::read_dir(data_dir.path().join("mail"))
        .map(|dir| {
            dir.map(|entry| {
                let path = entry.unwrap().path();
                format!("{}\n{}", path.display(), std::fs::read_to_string(&path).unwrap())
            })
            .collect()
        })
        .unwrap_or_default();
    mails.sort();
    content.push(("mail files".into(), mails));
    content
}

/// True when a row of [`snapshot`] holds the text `value` in one of its columns.
fn row_has(row: &str, value: &str) -> bool {
    row.contains(&format!("'{value}'")) || row.split([',', '(', ')']).any(|column| column == value)
}

fn rows_of<'a>(snapshot: &'a [(String, Vec<String>)], table: &str) -> &'a [String] {
    &snapshot.iter().find(|(name, _)| name == table).unwrap_or_else(|| panic!("no table {table}")).1
}

const GOOD: [&str; 8] = [
    "--number", "30001", "--name", "Muster Bau GmbH", "--username", "MaxBau", "--email", "max@bau.example",
];

fn add(data_dir: &DataDir, overrides: &[(&str, &str)], password: Option<&str>) -> Output {
    let mut args: Vec<String> = vec!["customer".into(), "add".into()];
    for pair in GOOD.chunks(2) {
        let value = overrides.iter().find(|(flag, _)| *flag == pair[0]).map_or(pair[1], |(_, v)| *v);
        args.push(pair[0].into());
        args.push(value.into());
    }
    if let Some(password) = password {
        args.push("--initial-password".into());
        args.push(password.into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    kundenportal(data_dir, &args, &[])
}

#[tokio::test]
async fn bad_input_prints_one_line_exits_non_zero_and_writes_nothing() {
    let dir = DataDir::new().await;
    let created = add(&dir, &[], None);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let before = snapshot(&dir).await;
    assert_eq!(rows_of(&before, "customers").len(), 1);
    assert_eq!(rows_of(&before, "mail files").len(), 1, "{before:?}");

    let cases: [(&str, Vec<(&str, &str)>, Option<&str>, &str); 7] = [
        ("duplicate number", vec![("--username", "other")], None, "Kundennummer 30001 ist bereits vergeben"),
        ("duplicate username, other case", vec![("--number", "30002"), ("--username", "maxbau")], None, "Benutzername maxbau ist bereits vergeben"),
        ("bad address", vec![("--number", "30003"), ("--username", "x1y"), ("--email", "max@")], None, "gültige E-Mail-Adresse"),
        ("weak password", vec![("--number", "30004"), ("--username", "x2y")], Some("kurz1"), "8 bis 16 Zeichen"),
        ("common password", vec![("--number", "30005"), ("--username", "x3y")], Some("Password123"), "häufig verwendetes"),
        ("password is the username", vec![("--number", "30006"), ("--username", "Bau12345")], Some("bau12345"), "nicht der Benutzername"),
        ("bad username", vec![("--number", "30007"), ("--username", "Jürgen")], None, "Benutzername darf nur"),
    ];
    for (case, overrides, password, expected) in cases {
        let output = add(&dir, &overrides, password);
        assert_eq!(output.status.code(), Some(1), "{case}");
        let lines = stderr_lines(&output);
        assert_eq!(lines.len(), 1, "{case}: {lines:?}");
        assert!(lines[0].starts_with("Fehler: ") && lines[0].contains(expected), "{case}: {lines:?}");
        assert!(output.stdout.is_empty(), "{case}");
        assert_eq!(snapshot(&dir).await, before, "{case}: database unchanged");
    }
}

#[tokio::test]
async fn a_bad_setting_stops_with_one_line_naming_it() {
    let dir = DataDir::new().await;
    for (name, value) in [("KP_BASE_URL", "portal.example.com"), ("KP_SMTP_URL", "mail.example.com"), ("LEPTOS_SITE_ADDR", "irgendwo")] {
        let output = kundenportal(&dir, &["serve"], &[(name, value)]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        let lines = stderr_lines(&output);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with(&format!("Konfigurationsfehler: {name}: ")), "{lines:?}");
    }
    assert!(!dir.path().join("kundenportal.db").exists(), "nothing written");
}

#[tokio::test]
async fn demo_is_idempotent_and_prints_its_sign_in() {
    let dir = DataDir::new().await;
    let first = kundenportal(&dir, &["demo"], &[]);
    assert!(first.status.success());
    let text = String::from_utf8_lossy(&first.stdout);
    assert!(text.contains("angelegt") && text.contains("»demo«") && text.contains("Demo-Portal-26"), "{text}");
    let after_first = snapshot(&dir).await;
    let second = kundenportal(&dir, &["demo"], &[]);
    assert!(second.status.success());
    assert!(String::from_utf8_lossy(&second.stdout).contains("vorhanden"));
    assert_eq!(snapshot(&dir).await, after_first, "the second run writes nothing");
    assert_eq!(rows_of(&after_first, "customers").len(), 1);
    assert!(text.contains("40 Demo-Dokumente bereitgestellt"), "{text}");
    assert_eq!(rows_of(&after_first, "documents").len(), 40);
    assert_eq!(rows_of(&after_first, "document_reads").len(), 36, "the newest four are new");
    let types: std::collections::BTreeSet<&str> = rows_of(&after_first, "documents")
        .iter()
        .filter_map(|row| ["rechnung", "gutschrift", "mahnung"].into_iter().find(|kind| row_has(row, kind)))
        .collect();
    assert_eq!(types.len(), 3, "invoices, credit notes and reminders");
}

#[tokio::test]
async fn demo_fits_its_password_to_a_stricter_policy() {
    for (min, max) in [("8", "10"), ("8", "8"), ("20", "24")] {
        let dir = DataDir::new().await;
        let env = [("KP_PASSWORD_MIN_LENGTH", min), ("KP_PASSWORD_MAX_LENGTH", max)];
        let output = kundenportal(&dir, &["demo"], &env);
        assert!(output.status.success(), "{min}–{max}: {}", String::from_utf8_lossy(&output.stderr));
        let text = String::from_utf8_lossy(&output.stdout);
        let password = text.split("Passwort »").nth(1).and_then(|rest| rest.split('«').next()).unwrap();
        let (min, max): (usize, usize) = (min.parse().unwrap(), max.parse().unwrap());
        assert!((min..=max).contains(&password.chars().count()), "{password}");
        assert!(password.chars().any(|c| c.is_ascii_digit()) && password.chars().any(char::is_alphabetic));
    }
}

#[tokio::test]
async fn an_initial_password_must_be_changed_and_is_never_mailed() {
    let dir = DataDir::new().await;
    let output = add(&dir, &[], Some("Start-Passwort-1"));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let pool = dir.pool().await;
    let (must_change, hash): (bool, String) =
        db::query_as("SELECT must_change_password, password_hash FROM users").fetch_one(&pool).await.unwrap();
    assert!(must_change);
    assert!(hash.starts_with("$argon2id$"));
    let mail_dir = dir.path().join("mail");
    let mail = std::fs::read_dir(&mail_dir).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(mail).unwrap();
    assert!(text.contains("MaxBau"));
    assert!(!text.contains("Start-Passwort-1"));

    let status = kundenportal(&dir, &["mail", "status"], &[]);
    assert!(String::from_utf8_lossy(&status.stdout).contains("1 gesendet"));
}

#[tokio::test]
async fn passwords_expire_on_a_day_the_operator_gives() {
    let dir = DataDir::new().await;
    assert!(kundenportal(&dir, &["demo"], &[]).status.success());
    let before = snapshot(&dir).await;
    for (args, expected) in [
        (vec!["--on", "31.02.2027"], "kein Datum"),
        (vec!["--on", "2000-01-01", "--customer", "99999"], "Kunden 99999 gibt es nicht"),
    ] {
        let output = kundenportal(&dir, &[&["password", "expire"][..], &args].concat(), &[]);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let lines = stderr_lines(&output);
        assert!(lines.len() == 1 && lines[0].starts_with("Fehler: ") && lines[0].contains(expected), "{lines:?}");
        assert_eq!(snapshot(&dir).await, before, "{args:?}: nothing written");
    }

    let output = kundenportal(&dir, &["password", "expire", "--on", "01.01.2000"], &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("1 Benutzer betroffen") && text.contains("01.01.2000 um 00:00 Uhr (Europe/Berlin)"), "{text}");
    let pool = dir.pool().await;
    let expires_at: Option<i64> = db::query_scalar("SELECT password_expires_at FROM users").fetch_one(&pool).await.unwrap();
    assert_eq!(expires_at, Some(946_681_200), "midnight in Berlin, 23:00 UTC the day before");
}

#[tokio::test]
async fn the_initial_password_can_come_from_standard_input() {
    use std::io::Write as _;
    let dir = DataDir::new().await;
    let mut args: Vec<&str> = vec!["customer", "add"];
    args.extend(GOOD);
    args.push("--initial-password-stdin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kundenportal"))
        .args(&args)
        .envs(dir.env())
        .env("KP_LOG", "error")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"Start-Passwort-1\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(!printed.contains("Start-Passwort-1"));

    let pool = dir.pool().await;
    let (must_change, hash): (bool, String) =
        db::query_as("SELECT must_change_password, password_hash FROM users").fetch_one(&pool).await.unwrap();
    assert!(must_change && hash.starts_with("$argon2id$"));
    // The hash is of exactly the line that was piped in, without its line break.
    let parsed = argon2::PasswordHash::new(&hash).unwrap();
    use argon2::PasswordVerifier as _;
    assert!(argon2::Argon2::default().verify_password(b"Start-Passwort-1", &parsed).is_ok());

    // Both ways at once, or an empty input, are refused and write nothing.
    let empty = DataDir::new().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kundenportal"))
        .args(&args)
        .env("KP_DATA_DIR", empty.path())
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    assert!(!child.wait().unwrap().success());
    let mut both = args.clone();
    both.extend(["--initial-password", "Start-Passwort-1"]);
    assert!(!kundenportal(&empty, &both, &[]).status.success());
    assert!(!empty.path().join("kundenportal.db").exists());
}

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes()
}

#[tokio::test]
async fn documents_types_and_api_keys_from_the_command_line() {
    let dir = DataDir::new().await;
    let path = |args: &[&str]| kundenportal(&dir, args, &[]);
    let text = |output: &Output| String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(add(&dir, &[], None).status.success());

    let types = path(&["doctype", "list"]);
    assert!(text(&types).contains("rechnung\tRechnung\tInvoice") && text(&types).contains("sonstiges\tSonstiges\tOther"), "{}", text(&types));
    assert!(path(&["doctype", "add", "abschlag", "Abschlagsrechnung"]).status.success());
    assert!(text(&path(&["doctype", "list"])).contains("abschlag\tAbschlagsrechnung\t\n"));
    assert!(path(&["doctype", "englisch", "abschlag", "Instalment invoice"]).status.success());
    assert!(text(&path(&["doctype", "list"])).contains("abschlag\tAbschlagsrechnung\tInstalment invoice\n"));
    assert!(path(&["doctype", "add", "zins", "Zinsrechnung", "--englisch", "Interest invoice"]).status.success());
    let listed: serde_json::Value = serde_json::from_slice(&path(&["doctype", "list", "--json"]).stdout).unwrap();
    assert!(listed.as_array().unwrap().iter().any(|kind| kind["key"] == "zins" && kind["name_en"] == "Interest invoice"), "{listed}");
    assert_eq!(path(&["doctype", "englisch", "gibt-es-nicht", "Nothing"]).status.code(), Some(1));
    let twice = path(&["doctype", "add", "abschlag", "Noch einmal"]);
    assert_eq!(twice.status.code(), Some(1));
    assert_eq!(stderr_lines(&twice).len(), 1);

    std::fs::write(dir.path().join("re1.pdf"), pdf("eins")).unwrap();
    let file = dir.path().join("re1.pdf");
    let added = path(&["document", "add", "--customer", "30001", "--number", "RE-1", "--type", "rechnung", "--created", "2026-11-01", file.to_str().unwrap()]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let id: i64 = text(&added).trim().parse().expect("prints the new document's id");
    assert!(id > 0);
    let refused = path(&["document", "add", "--customer", "30001", "--number", "RE-9", "--type", "quittung", "--created", "2026-11-01", file.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr_lines(&refused)[0].contains("quittung"), "{:?}", stderr_lines(&refused));

    std::fs::create_dir(dir.path().join("stapel")).unwrap();
    std::fs::write(dir.path().join("stapel/a.pdf"), pdf("a")).unwrap();
    std::fs::write(dir.path().join("stapel/b.pdf"), pdf("b")).unwrap();
    std::fs::write(dir.path().join("stapel/kaputt.pdf"), b"kein pdf").unwrap();
    let manifest = dir.path().join("stapel/liste.csv");
    std::fs::write(
        &manifest,
        "customer;number;type;created;file\n\
         30001;RE-10;rechnung;2026-10-01;a.pdf\n\
         30001;GS-1;gutschrift;2026-10-02;b.pdf\n\
         30001;RE-11;rechnung;01.13.2026;a.pdf\n\
         99999;RE-12;rechnung;2026-10-01;a.pdf\n\
         30001;RE-13;rechnung;2026-10-01;kaputt.pdf\n\
         30001;RE-14;rechnung;2026-10-01;fehlt.pdf\n\
         30001;RE-10;rechnung;2026-10-01;a.pdf\n",
    )
    .unwrap();
    let imported = path(&["document", "import", manifest.to_str().unwrap()]);
    assert_eq!(imported.status.code(), Some(1), "some lines were refused");
    assert!(text(&imported).contains("2 importiert, 1 schon vorhanden, 4 abgelehnt"), "{}", text(&imported));
    let refused_lines: Vec<String> = stderr_lines(&imported);
    for line in ["Zeile 4:", "Zeile 5:", "Zeile 6:", "Zeile 7:"] {
        assert!(refused_lines.iter().any(|l| l.starts_with(line)), "{line} in {refused_lines:?}");
    }

    let key = path(&["apikey", "create", "--name", "faktura"]);
    assert!(key.status.success());
    assert!(text(&key).trim().starts_with("kp_") && text(&key).trim().len() > 40);
    let listed = text(&path(&["apikey", "list"]));
    assert!(listed.contains("faktura") && listed.contains("aktiv") && !listed.contains(text(&key).trim()), "{listed}");
    assert!(path(&["apikey", "revoke", "faktura"]).status.success());
    assert!(text(&path(&["apikey", "list"])).contains("gesperrt"));
    let keys: serde_json::Value = serde_json::from_slice(&path(&["apikey", "list", "--json"]).stdout).unwrap();
    assert_eq!(keys[0]["name"], "faktura");
    assert!(keys[0]["revoked_at"].as_str().is_some() && keys[0]["last_used_at"].is_null(), "{keys}");
    let kinds: serde_json::Value = serde_json::from_slice(&path(&["doctype", "list", "--json"]).stdout).unwrap();
    assert!(kinds.as_array().unwrap().iter().any(|kind| kind["key"] == "abschlag" && kind["name"] == "Abschlagsrechnung"), "{kinds}");
    assert_eq!(path(&["apikey", "revoke", "faktura"]).status.code(), Some(1));

    let pool = dir.pool().await;
    let numbers: Vec<String> = db::query_scalar("SELECT number FROM documents ORDER BY number").fetch_all(&pool).await.unwrap();
    assert_eq!(numbers, ["GS-1", "RE-1", "RE-10"]);
}

#[tokio::test]
async fn document_add_takes_e_invoices_and_says_what_it_found() {
    let dir = DataDir::new().await;
    let path = |args: &[&str]| kundenportal(&dir, args, &[]);
    assert!(add(&dir, &[], None).status.success());
    let xml = include_bytes!("../../../app/src/documents/einvoice/fixtures/cii_en16931.xml");
    let hybrid = app::documents::ssr::demo::document_pdf_with("Muster Entsorgung GmbH", "Rechnung 471102", &[], Some(xml));
    std::fs::write(dir.path().join("471102.pdf"), hybrid).unwrap();
    std::fs::write(dir.path().join("xrechnung.xml"), include_bytes!("../../../app/src/documents/einvoice/fixtures/ubl_xrechnung_invoice.xml")).unwrap();
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();

    let added = path(&["document", "add", "--customer", "30001", "--number", "471102", "--type", "rechnung", "--created", "2024-11-16", &file("471102.pdf")]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    assert_eq!(
        stderr_lines(&added),
        ["E-Rechnung EN 16931 erkannt.", "Warnung: Rechnungsdatum 15.11.2024 weicht vom Erstellungsdatum 16.11.2024 ab"]
    );
    let xrechnung = path(&["document", "add", "--customer", "30001", "--number", "RE-2024-0042", "--type", "rechnung", "--created", "2024-06-30", &file("xrechnung.xml")]);
    assert!(xrechnung.status.success(), "{}", String::from_utf8_lossy(&xrechnung.stderr));
    assert_eq!(stderr_lines(&xrechnung), ["E-Rechnung XRECHNUNG erkannt."]);
    let mismatch = path(&["document", "add", "--customer", "30001", "--number", "RE-1", "--type", "rechnung", "--created", "2024-11-15", &file("471102.pdf")]);
    assert_eq!(mismatch.status.code(), Some(1));
    assert_eq!(stderr_lines(&mismatch), ["Fehler: Die Rechnungsnummer in der E-Rechnung (471102) ist nicht die Nummer des Dokuments (RE-1)."]);

    let pool = dir.pool().await;
    let stored: Vec<(String, String, String)> = db::query_as(
        "SELECT d.number, d.file_kind, e.profile FROM documents d JOIN einvoices e ON e.document_id = d.id ORDER BY d.number",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(stored, [("471102".into(), "pdf".into(), "en16931".into()), ("RE-2024-0042".into(), "xml".into(), "xrechnung".into())]);
}

#[tokio::test]
async fn user_add_gives_a_customer_a_sub_user_with_the_rights_named() {
    let data_dir = DataDir::new().await;
    assert!(add(&data_dir, &[], Some("Anfang-Wort-1")).status.success());
    let user = ["user", "add", "--customer", "30001", "--username", "Kollegin", "--email", "k@bau.example"];

    let unknown = kundenportal(&data_dir, &["user", "add", "--customer", "39999", "--username", "x-y", "--email", "k@bau.example"], &[]);
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(stderr_lines(&unknown), ["Fehler: Den Kunden 39999 gibt es nicht."]);

    let args: Vec<&str> = user.iter().copied().chain(["--initial-password", "Anfang-Wort-2", "--manage-forwardings"]).collect();
    let added = kundenportal(&data_dir, &args, &[]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let taken = kundenportal(&data_dir, &["user", "add", "--customer", "30001", "--username", "kollegin", "--email", "k@bau.example"], &[]);
    assert_eq!(stderr_lines(&taken), ["Fehler: Der Benutzername kollegin ist bereits vergeben."]);

    let pool = data_dir.pool().await;
    let (role, forwardings, users, must_change): (String, bool, bool, bool) = db::query_as(
        "SELECT role, can_manage_forwardings, can_manage_users, must_change_password FROM users WHERE username = 'Kollegin'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((role.as_str(), forwardings, users, must_change), ("sub", true, false, true));
    let audit: Vec<String> = db::query_scalar::<String>("SELECT detail FROM audit_log WHERE action = 'user_created'")
        .fetch_all(&pool)
        .await
        .unwrap()
        .into_iter()
        .map(|stored| app::server::audit::AuditDetail::shown(&stored, app::i18n::Lang::De, &jiff::tz::TimeZone::UTC))
        .collect();
    assert_eq!(audit, ["Benutzer Kollegin (Weiterleitungen verwalten)"]);
    let mails = std::fs::read_dir(data_dir.path().join("mail")).unwrap().count();
    assert_eq!(mails, 2, "the main user's and the colleague's first-access mail");
    pool.close().await;
}

fn stdout_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect()
}

#[tokio::test]
async fn operators_list_customers_and_users_turn_users_off_and_on_and_read_the_audit_log() {
    let data_dir = DataDir::new().await;
    assert!(add(&data_dir, &[], Some("Anfang-Wort-1")).status.success());
    let colleague = ["user", "add", "--customer", "30001", "--username", "Kollegin", "--email", "k@bau.example", "--manage-users"];
    assert!(kundenportal(&data_dir, &colleague, &[]).status.success());

    let customers = stdout_lines(&kundenportal(&data_dir, &["customer", "list"], &[]));
    assert_eq!(customers.len(), 2, "{customers:?}");
    assert!(customers[1].starts_with("30001\tMuster Bau GmbH\t2/2\t"), "{customers:?}");
    // For scripts: --json, a list of objects, instants in RFC 3339.
    let json = |args: &[&str]| -> serde_json::Value {
        let output = kundenportal(&data_dir, args, &[]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice(&output.stdout).expect("JSON on stdout")
    };
    let listed = json(&["customer", "list", "--json"]);
    let bau = listed.as_array().unwrap().iter().find(|row| row["number"] == "30001").expect("the customer");
    assert_eq!((bau["name"].as_str(), bau["active_users"].as_i64(), bau["users"].as_i64()), (Some("Muster Bau GmbH"), Some(2), Some(2)));
    assert!(bau["created_at"].as_str().unwrap().ends_with('Z'), "{bau}");
    let team = json(&["user", "list", "--customer", "30001", "--json"]);
    assert_eq!(team[1]["username"], "Kollegin");
    assert_eq!((team[1]["status"].as_str(), team[1]["last_sign_in_at"].is_null()), (Some("eingeladen"), true));

    let users = || stdout_lines(&kundenportal(&data_dir, &["user", "list", "--customer", "30001"], &[]));
    assert_eq!(
        users()[1..],
        [
            "MaxBau\tmax@bau.example\tHauptbenutzer\taktiv\tnoch nie\talle\taus".to_owned(),
            "Kollegin\tk@bau.example\tBenutzer\teingeladen\tnoch nie\tBenutzer verwalten\taus".to_owned(),
        ]
    );

    let off = kundenportal(&data_dir, &["user", "deactivate", "kollegin"], &[]);
    assert!(off.status.success(), "names are found whatever their case");
    assert_eq!(stdout_lines(&off), ["Benutzer kollegin ist jetzt deaktiviert; seine Anmeldungen sind beendet."]);
    assert!(users()[2].contains("\tdeaktiviert\t"), "{:?}", users());
    let again = kundenportal(&data_dir, &["user", "deactivate", "Kollegin"], &[]);
    assert_eq!(stdout_lines(&again), ["Benutzer Kollegin war bereits deaktiviert."]);
    assert!(kundenportal(&data_dir, &["user", "activate", "Kollegin"], &[]).status.success());
    assert!(users()[2].contains("\tEinladung abgelaufen\t"), "deactivation voided the invitation: {:?}", users());

    let unknown = kundenportal(&data_dir, &["user", "deactivate", "niemand"], &[]);
    assert_eq!((unknown.status.code(), stderr_lines(&unknown)), (Some(1), vec!["Fehler: Den Benutzer niemand gibt es nicht.".to_owned()]));
    let no_customer = kundenportal(&data_dir, &["user", "list", "--customer", "39999"], &[]);
    assert_eq!(no_customer.status.code(), Some(1));
    // reset-2fa (its effect on a user who has it: tests/api/second_step.rs).
    let without = kundenportal(&data_dir, &["user", "reset-2fa", "maxbau"], &[]);
    assert!(without.status.success());
    assert_eq!(stdout_lines(&without), ["maxbau hatte keine Zwei-Faktor-Anmeldung eingerichtet; nichts geändert."]);
    let nobody = kundenportal(&data_dir, &["user", "reset-2fa", "niemand"], &[]);
    assert_eq!((nobody.status.code(), stderr_lines(&nobody)), (Some(1), vec!["Fehler: Den Benutzer niemand gibt es nicht.".to_owned()]));

    let audit = stdout_lines(&kundenportal(&data_dir, &["audit", "--customer", "30001"], &[]));
    let actions: Vec<&str> = audit.iter().map(|line| line.split('\t').nth(2).unwrap()).collect();
    assert_eq!(actions, ["customer_created", "user_created", "user_deactivated", "user_activated"], "{audit:?}");
    assert!(audit[2].contains("\tBetreiber\t") && audit[2].contains("Benutzer Kollegin"), "{audit:?}");
    let later = kundenportal(&data_dir, &["audit", "--customer", "30001", "--since", "2099-01-01"], &[]);
    assert!(later.status.success() && later.stdout.is_empty());
    let bad_day = kundenportal(&data_dir, &["audit", "--customer", "30001", "--since", "gestern"], &[]);
    assert_eq!(bad_day.status.code(), Some(1));
}

#[tokio::test]
async fn user_add_applies_the_whole_password_policy_the_customers_name_included() {
    let data_dir = DataDir::new().await;
    assert!(add(&data_dir, &[("--number", "30002"), ("--name", "Bau 2000")], None).status.success());
    let before = snapshot(&data_dir).await;
    let refused = kundenportal(
        &data_dir,
        &["user", "add", "--customer", "30002", "--username", "neuling", "--email", "n@bau.example", "--initial-password", "BAU 2000"],
        &[],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", String::from_utf8_lossy(&refused.stderr));
    let lines = stderr_lines(&refused);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("Fehler: ") && lines[0].contains("nicht der Kundenname"), "{lines:?}");
    assert_eq!(snapshot(&data_dir).await, before, "nothing was written");
}
