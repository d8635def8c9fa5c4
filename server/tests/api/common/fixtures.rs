//! Fixtures: a customer with its users and documents, written for a test
//! as the product would have left them — each kind of row written here
//! once. Signing in still goes through the real login.
//!
//! ```ignore
//! let created = TestCustomer::new("90001")
//!     .with_user(TestUser::main("liste").password(PASSWORD))
//!     .with_user(TestUser::sub("zweite").password(PASSWORD).rights(false, true))
//!     .with_documents(&[("RE-1", "rechnung", "2026-11-01")])
//!     .create(&app)
//!     .await;
//! ```

use super::{accept_current_privacy_notice, TestApp, START};
use app::server::db;

/// A user of a [`TestCustomer`] (or of an existing customer, [`TestUser::create`]).
pub struct TestUser {
    username: String,
    email: Option<String>,
    role: &'static str,
    password: Option<String>,
    manage_users: bool,
    manage_forwardings: bool,
    notify_mode: Option<String>,
    privacy_accepted: bool,
}

impl TestUser {
    /// The customer's main user.
    pub fn main(username: &str) -> Self {
        Self::new(username, "main")
    }

    /// A further user, without rights until [`TestUser::rights`].
    pub fn sub(username: &str) -> Self {
        Self::new(username, "sub")
    }

    fn new(username: &str, role: &'static str) -> Self {
        Self {
            username: username.to_owned(),
            email: None,
            role,
            password: None,
            manage_users: false,
            manage_forwardings: false,
            notify_mode: None,
            privacy_accepted: true,
        }
    }

    /// A password the user can sign in with (a real Argon2id hash; the
    /// product's own rules apply, so a test cannot use one it would refuse).
    /// Without one the user is invited and has not set a password yet.
    pub fn password(mut self, password: &str) -> Self {
        use app::domain::{Password, PasswordContext, PasswordPolicy};
        Password::parse(password, &PasswordPolicy::default(), PasswordContext::default()).expect("test password meets the policy");
        self.password = Some(password.to_owned());
        self
    }

    /// Default: `{username, lower-cased}@kunden.example`.
    pub fn email(mut self, email: &str) -> Self {
        self.email = Some(email.to_owned());
        self
    }

    pub fn rights(mut self, manage_users: bool, manage_forwardings: bool) -> Self {
        self.manage_users = manage_users;
        self.manage_forwardings = manage_forwardings;
        self
    }

    /// Profil → E-Mail-Benachrichtigung as stored ("none", "notify", "attachment").
    pub fn notify(mut self, mode: &str) -> Self {
        self.notify_mode = Some(mode.to_owned());
        self
    }

    /// The first sign-in not finished yet: the current privacy notice not accepted.
    pub fn privacy_pending(mut self) -> Self {
        self.privacy_accepted = false;
        self
    }

    /// Writes the user for the customer `customer_id`; returns their id.
    pub async fn create(self, app: &TestApp, customer_id: i64) -> i64 {
        let username = app::domain::Username::parse(&self.username).expect("valid test username");
        let email = self.email.unwrap_or_else(|| format!("{}@kunden.example", self.username.to_lowercase()));
        let hash = self.password.map(|password| app::server::crypto::hash_password(&password).as_database_value().to_owned());
        let id: i64 = db::query_scalar(
            "INSERT INTO users (customer_id, username, email, role, can_manage_users, can_manage_forwardings, password_hash, \
             password_changed_at, security_stamp, notify_mode, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($10, 'notify'), $8) RETURNING id",
        )
        .bind(customer_id)
        .bind(username.as_str())
        .bind(email)
        .bind(self.role)
        .bind(self.manage_users)
        .bind(self.manage_forwardings)
        .bind(hash)
        .bind(START)
        .bind(app::server::crypto::new_token())
        .bind(self.notify_mode)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
        if self.privacy_accepted {
            accept_current_privacy_notice(app, id).await;
        }
        id
    }
}

/// A customer, named "Kunde {number}", with its users and documents.
pub struct TestCustomer {
    number: String,
    users: Vec<TestUser>,
    documents: Vec<(String, String, String)>,
}

/// What [`TestCustomer::create`] wrote: ids in the order they were added.
pub struct CreatedCustomer {
    pub customer_id: i64,
    pub user_ids: Vec<i64>,
    pub document_ids: Vec<i64>,
}

impl TestCustomer {
    pub fn new(number: &str) -> Self {
        Self { number: number.to_owned(), users: Vec::new(), documents: Vec::new() }
    }

    pub fn with_user(mut self, user: TestUser) -> Self {
        self.users.push(user);
        self
    }

    /// Documents as the operator provides them (number, type key, created
    /// `YYYY-MM-DD`), each a small PDF of its own.
    pub fn with_documents(mut self, documents: &[(&str, &str, &str)]) -> Self {
        self.documents.extend(documents.iter().map(|(number, kind, created)| (number.to_string(), kind.to_string(), created.to_string())));
        self
    }

    pub async fn create(self, app: &TestApp) -> CreatedCustomer {
        use app::documents::ssr::ingest::{ingest, Ingester, NewDocument};
        let number = app::domain::CustomerNumber::parse(&self.number).expect("valid test customer number");
        let customer_id: i64 = db::query_scalar("INSERT INTO customers (number, name, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(number.as_str())
            .bind(format!("Kunde {}", number.as_str()))
            .bind(START)
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
        let mut user_ids = Vec::new();
        for user in self.users {
            user_ids.push(user.create(app, customer_id).await);
        }
        let mut document_ids = Vec::new();
        for (document, kind, created) in self.documents {
            let new = NewDocument::parse(number.as_str(), &document, &kind, &created, None).expect("valid test document");
            let pdf = format!("%PDF-1.4\n% {} {document}\n%%EOF\n", number.as_str()).into_bytes();
            document_ids.push(ingest(&app.state, &Ingester::Operator, new, pdf.into()).await.unwrap().id());
        }
        CreatedCustomer { customer_id, user_ids, document_ids }
    }
}
