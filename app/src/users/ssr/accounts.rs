//! Accounts: a new user with their first access — an invitation link to set
//! their own password, or a password the operator chose (to be changed at
//! the first sign-in) — in one transaction with its mail and audit entry.
//! Used for the main user of a new customer ([`crate::customers`]) and for
//! every further user (the Benutzer page, the CLI's `user add`).

use crate::auth::ssr::links::{issue_token, TokenPurpose};
use crate::domain::{CustomerNumber, EmailAddress, InputError, Password, PasswordContext, PasswordPolicy, Role, Username};
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::crypto;
use crate::server::db::{self, is_unique_violation, Transaction};
use crate::server::mail::{language_of_user, unique_key, MailError, MailExtras, MailTemplate, OutgoingMail};
use crate::server::state::AppState;
use crate::domain::UnixTime;

/// How the main user gets their first password.
pub enum FirstAccess {
    /// A mail with a link to set their own password.
    Invitation,
    /// A password the operator chose; it must be changed at first sign-in.
    InitialPassword(Password),
    /// The demo user's known password, usable as is. Only
    /// [`crate::customers::seed_demo`] makes one: no other caller gets a
    /// ready-to-use password.
    DemoPassword(DemoPassword),
}

pub struct DemoPassword(Password);

impl FirstAccess {
    /// The operator's choice: no password is an invitation, a password is
    /// checked against the policy (with what is known of the user).
    pub fn from_initial_password(initial_password: Option<&str>, policy: &PasswordPolicy, context: PasswordContext) -> Result<Self, InputError> {
        match initial_password {
            None => Ok(FirstAccess::Invitation),
            Some(raw) => Ok(FirstAccess::InitialPassword(Password::parse(raw, policy, context)?)),
        }
    }
}

impl DemoPassword {
    /// For the demo customer's seed only.
    pub(crate) fn new(password: Password) -> Self {
        Self(password)
    }
}


#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("Der Benutzername {0} ist bereits vergeben.")]
    DuplicateUsername(String),
    #[error("Den Kunden {0} gibt es nicht.")]
    UnknownCustomer(String),
    #[error("Der Kunde hat bereits die Höchstzahl an Benutzern (KP_USERS_MAX).")]
    TooManyUsers,
    /// An initial password that breaks a rule only the customer's name shows (it may not contain it).
    #[error("{0}")]
    WeakPassword(InputError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error("Datenbankfehler")]
    Database(#[from] sqlx::Error),
    #[error("Passwort-Hashing fehlgeschlagen")]
    Hashing(#[from] tokio::task::JoinError),
}

/// The Argon2id hash of a password the operator chose (off the executor);
/// `None` for an invitation.
pub(crate) async fn first_password_hash(access: &FirstAccess) -> Result<Option<crypto::PasswordHashString>, tokio::task::JoinError> {
    match access {
        FirstAccess::Invitation => Ok(None),
        FirstAccess::InitialPassword(password) | FirstAccess::DemoPassword(DemoPassword(password)) => {
            let password = password.clone();
            Ok(Some(tokio::task::spawn_blocking(move || crypto::hash_password(password.expose())).await?))
        }
    }
}

/// Who a first-access mail is for.
pub(crate) struct Account<'a> {
    pub username: &'a Username,
    pub customer: &'a CustomerNumber,
    pub email: &'a EmailAddress,
}

/// A further user of an existing customer: from the Benutzer page or the
/// CLI (`user add`).
pub struct NewUser {
    pub customer: CustomerNumber,
    pub username: Username,
    pub email: EmailAddress,
    pub access: FirstAccess,
    pub can_manage_forwardings: bool,
    pub can_manage_users: bool,
    /// Their language until they choose one (Profil → Sprache): from the
    /// Benutzer page the language of the user who adds them, so that the
    /// invitation reads as the page did; `None` (the CLI): the operator's default.
    pub language: Option<crate::i18n::Lang>,
}

impl NewUser {
    pub fn parse(
        customer: &str,
        username: &str,
        email: &str,
        initial_password: Option<&str>,
        policy: &PasswordPolicy,
    ) -> Result<Self, InputError> {
        let customer = CustomerNumber::parse(customer)?;
        let username = Username::parse(username)?;
        let email = EmailAddress::parse(email)?;
        let context = PasswordContext { username: Some(username.as_str()), customer_name: None };
        let access = FirstAccess::from_initial_password(initial_password, policy, context)?;
        Ok(Self { customer, username, email, access, can_manage_forwardings: false, can_manage_users: false, language: None })
    }
}

/// Adds a sub-user to a customer, with the mail of their first access and
/// an audit entry, in one transaction; at most `KP_USERS_MAX` users per
/// customer. Returns the user's id.
pub async fn add_user(state: &AppState, new: NewUser, actor: Actor, ip: Option<String>) -> Result<i64, UserError> {
    if let FirstAccess::InitialPassword(password) = &new.access {
        // The whole policy, now that the customer's name is known.
        let name: Option<String> =
            db::query_scalar("SELECT name FROM customers WHERE number = $1").bind(new.customer.as_str()).fetch_optional(&state.pool).await?;
        if let Some(name) = name {
            let context = PasswordContext { username: Some(new.username.as_str()), customer_name: Some(&name) };
            Password::parse(password.expose(), &state.config.password_policy, context).map_err(UserError::WeakPassword)?;
        }
    }
    let password_hash = first_password_hash(&new.access).await?;
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    // The customer's row is locked while counting, so two adds at once cannot both pass the limit.
    let customer_id: i64 = db::query_scalar(&state.pool.locked("SELECT id FROM customers WHERE number = $1"))
        .bind(new.customer.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| UserError::UnknownCustomer(new.customer.as_str().into()))?;
    let users: i64 = db::query_scalar("SELECT COUNT(*) FROM users WHERE customer_id = $1").bind(customer_id).fetch_one(&mut *tx).await?;
    if users >= i64::from(state.config.users_max) {
        return Err(UserError::TooManyUsers);
    }
    let user_id: i64 = match db::query_scalar(
        "INSERT INTO users (customer_id, username, email, role, can_manage_users, can_manage_forwardings, password_hash, \
         must_change_password, password_changed_at, security_stamp, created_at, language) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(customer_id)
    .bind(new.username.as_str())
    .bind(new.email.as_str())
    .bind(Role::Sub)
    .bind(new.can_manage_users)
    .bind(new.can_manage_forwardings)
    .bind(password_hash.as_ref().map(|h| h.as_database_value().to_owned()))
    .bind(password_hash.is_some())
    .bind(password_hash.as_ref().map(|_| now))
    .bind(crypto::new_token())
    .bind(now)
    .bind(new.language.map(crate::i18n::Lang::code))
    .fetch_one(&mut *tx)
    .await
    {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Err(UserError::DuplicateUsername(new.username.as_str().into())),
        Err(e) => return Err(e.into()),
    };
    let account = Account { username: &new.username, customer: &new.customer, email: &new.email };
    queue_first_access(state, &mut tx, user_id, &account, &new.access, now).await?;
    let entry = AuditEntry {
        actor,
        customer_id: Some(customer_id),
        action: "user_created",
        detail: AuditDetail::UserCreated {
            username: new.username.as_str().to_owned(),
            manage_users: new.can_manage_users,
            manage_forwardings: new.can_manage_forwardings,
        },
        ip,
    };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(user_id)
}

fn account_context(account: &Account<'_>) -> minijinja::Value {
    minijinja::context! {
        username => account.username.as_str(),
        customer_number => account.customer.as_str(),
        display_name => "",
    }
}

/// Queues the mail that gives a new user their first access: an invitation
/// link, or the notice that the operator set a password.
pub(crate) async fn queue_first_access(
    state: &AppState,
    tx: &mut Transaction<'_>,
    user_id: i64,
    account: &Account<'_>,
    access: &FirstAccess,
    now: UnixTime,
) -> Result<bool, UserError> {
    match access {
        FirstAccess::Invitation => {
            queue_invitation(state, tx, user_id, account, now).await?;
            Ok(true)
        }
        FirstAccess::InitialPassword(_) => {
            let context = minijinja::context! { ..state.mail_base_context(), ..account_context(account) };
            let lang = language_of_user(&mut *tx, user_id, state.config.default_language).await?;
            let mail = OutgoingMail {
                template: MailTemplate::InitialPassword,
                idempotency_key: unique_key("account", user_id),
                recipient: account.email.clone(),
                lang,
                context,
                expires_at: None,
            };
            state.outbox.enqueue_new(tx, mail, MailExtras { user_id: Some(user_id), ..MailExtras::default() }, now).await?;
            Ok(true)
        }
        FirstAccess::DemoPassword(_) => Ok(false),
    }
}

/// Issues an invitation token (voiding earlier ones) and queues its mail.
pub(crate) async fn queue_invitation(
    state: &AppState,
    tx: &mut Transaction<'_>,
    user_id: i64,
    account: &Account<'_>,
    now: UnixTime,
) -> Result<(), UserError> {
    let ttl = state.config.invitation_ttl.as_secs() as i64;
    let (token_id, token) = issue_token(tx, user_id, TokenPurpose::Invitation, now, now + ttl).await?;
    let link = format!("{}/einladung?token={token}", state.config.base_url);
    let context = minijinja::context! {
        ..state.mail_base_context(),
        ..account_context(account),
        ..minijinja::context! { link => link, valid_hours => ttl / 3600 },
    };
    let lang = language_of_user(&mut *tx, user_id, state.config.default_language).await?;
    let mail = OutgoingMail {
        template: MailTemplate::Invitation,
        idempotency_key: unique_key("invitation", token_id),
        recipient: account.email.clone(),
        lang,
        context,
        expires_at: Some(now + ttl),
    };
    state.outbox.enqueue_new(tx, mail, MailExtras { user_id: Some(user_id), ..MailExtras::default() }, now).await?;
    Ok(())
}

