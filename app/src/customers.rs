//! The operator's side of customers: creating a customer with its main user
//! (CLI `customer add`) and seeding the demo customer. The main user's
//! account and first access are the users feature's
//! ([`crate::users::ssr::accounts`]), as every further user's.

use crate::domain::{
    CustomerName, CustomerNumber, EmailAddress, InputError, Password, PasswordContext, PasswordPolicy, Role, Username,
};
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::crypto;
use crate::server::db::{self, is_unique_violation};
use crate::server::state::AppState;
use crate::users::ssr::accounts::{first_password_hash, queue_first_access, Account, DemoPassword, FirstAccess, UserError};

pub struct NewCustomer {
    pub number: CustomerNumber,
    pub name: CustomerName,
    pub username: Username,
    pub email: EmailAddress,
    pub access: FirstAccess,
}

impl NewCustomer {
    /// Parses the operator's input; the first problem found is returned.
    pub fn parse(
        number: &str,
        name: &str,
        username: &str,
        email: &str,
        initial_password: Option<&str>,
        policy: &PasswordPolicy,
    ) -> Result<Self, InputError> {
        let number = CustomerNumber::parse(number)?;
        let name = CustomerName::parse(name)?;
        let username = Username::parse(username)?;
        let email = EmailAddress::parse(email)?;
        let context = PasswordContext { username: Some(username.as_str()), customer_name: Some(name.as_str()) };
        let access = FirstAccess::from_initial_password(initial_password, policy, context)?;
        Ok(Self { number, name, username, email, access })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CustomerError {
    #[error("Die Kundennummer {0} ist bereits vergeben.")]
    DuplicateNumber(String),
    #[error("Der Benutzername {0} ist bereits vergeben.")]
    DuplicateUsername(String),
    /// The main user's first access (its mail).
    #[error(transparent)]
    Account(#[from] UserError),
    #[error("Datenbankfehler")]
    Database(#[from] sqlx::Error),
    #[error("für das Demo-Passwort: {0}")]
    Policy(InputError),
    #[error("Passwort-Hashing fehlgeschlagen")]
    Hashing(#[from] tokio::task::JoinError),
}

pub struct CreatedCustomer {
    pub customer_id: i64,
    pub user_id: i64,
    pub invitation_queued: bool,
}

/// Creates the customer and its main user in one transaction, with the
/// invitation (or notice) mail in the outbox and an audit entry. On any
/// error nothing is written.
pub async fn add_customer(state: &AppState, new: NewCustomer, actor: Actor) -> Result<CreatedCustomer, CustomerError> {
    let password_hash = first_password_hash(&new.access).await?;
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;

    let customer_id: i64 = match db::query_scalar(
        "INSERT INTO customers (number, name, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(new.number.as_str())
    .bind(new.name.as_str())
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Err(CustomerError::DuplicateNumber(new.number.as_str().into())),
        Err(e) => return Err(e.into()),
    };

    let must_change = matches!(new.access, FirstAccess::InitialPassword(_));
    let user_id: i64 = match db::query_scalar(
        "INSERT INTO users (customer_id, username, email, role, password_hash, must_change_password, \
         password_changed_at, security_stamp, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(customer_id)
    .bind(new.username.as_str())
    .bind(new.email.as_str())
    .bind(Role::Main)
    .bind(password_hash.as_ref().map(|h| h.as_database_value().to_owned()))
    .bind(must_change)
    .bind(password_hash.as_ref().map(|_| now))
    .bind(crypto::new_token())
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Err(CustomerError::DuplicateUsername(new.username.as_str().into())),
        Err(e) => return Err(e.into()),
    };

    let account = Account { username: &new.username, customer: &new.number, email: &new.email };
    let invitation_queued = queue_first_access(state, &mut tx, user_id, &account, &new.access, now).await?;

    audit::record(
        &mut tx,
        AuditEntry {
            actor,
            customer_id: Some(customer_id),
            action: "customer_created",
            detail: AuditDetail::CustomerCreated { number: new.number.as_str().to_owned(), username: new.username.as_str().to_owned() },
            ip: None,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedCustomer { customer_id, user_id, invitation_queued })
}

pub const DEMO_CUSTOMER_NUMBER: &str = "10001";
pub const DEMO_USERNAME: &str = "demo";
pub const DEMO_CUSTOMER_NAME: &str = "Muster Gastronomie GmbH";
/// The demo password when the policy allows it.
const PREFERRED_DEMO_PASSWORD: &str = "Demo-Portal-26";

/// A demo password the operator's policy accepts: the preferred one, or one
/// of the length the policy wants made from the same letters and digits.
pub fn demo_password(policy: &PasswordPolicy) -> Result<Password, InputError> {
    let context = PasswordContext::default();
    if let Ok(password) = Password::parse(PREFERRED_DEMO_PASSWORD, policy, context) {
        return Ok(password);
    }
    const LETTERS: &str = "DemoPortalKundenportalMusterzugangDemoPortalKundenportalMusterzugang";
    let length = PREFERRED_DEMO_PASSWORD.len().clamp(policy.min_len, policy.max_len);
    let letters: String = LETTERS.chars().cycle().take(length.saturating_sub(2)).collect();
    let digits = &"26"[..length.min(2)];
    Password::parse(&format!("{letters}{digits}"), policy, context)
}

#[derive(Debug)]
pub struct DemoSeed {
    pub created: bool,
    pub password: String,
}

/// Creates the demo customer unless it exists, and says its password.
pub async fn seed_demo(state: &AppState) -> Result<DemoSeed, CustomerError> {
    let policy = &state.config.password_policy;
    let password = demo_password(policy).map_err(CustomerError::Policy)?;
    let shown = password.expose().to_owned();
    let exists: Option<i64> = db::query_scalar("SELECT id FROM customers WHERE number = $1")
        .bind(DEMO_CUSTOMER_NUMBER)
        .fetch_optional(&state.pool)
        .await?;
    if exists.is_some() {
        return Ok(DemoSeed { created: false, password: shown });
    }
    let new = NewCustomer {
        number: CustomerNumber::parse(DEMO_CUSTOMER_NUMBER).expect("valid demo number"),
        name: CustomerName::parse(DEMO_CUSTOMER_NAME).expect("valid demo name"),
        username: Username::parse(DEMO_USERNAME).expect("valid demo username"),
        email: EmailAddress::parse("demo@kundenportal.example").expect("valid demo address"),
        access: FirstAccess::DemoPassword(DemoPassword::new(password)),
    };
    let created = add_customer(state, new, Actor::Operator).await?;
    db::query("UPDATE users SET first_name = 'Max', last_name = 'Mustermann' WHERE id = $1")
        .bind(created.user_id)
        .execute(&state.pool)
        .await?;
    Ok(DemoSeed { created: true, password: shown })
}
