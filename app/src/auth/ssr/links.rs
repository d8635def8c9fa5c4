//! The mailed links that set a password: "Passwort vergessen" (a reset
//! link, 1 hour) and the invitation (72 hours by default). Tokens are
//! single-use, stored only as hashes and consumed atomically.

use super::passwords::{
    audit_entry, parse_new_password, queue_change_notice, replace_password, replace_password_keeping_this_browser, rules_for,
};
use super::{hashing, lockout, AuthError};
use crate::auth::{LinkKind, PasswordRules};
use crate::domain::{EmailAddress, InputError, Refusal, Username};
use crate::server::audit::{self, AuditDetail};
use crate::server::crypto;
use crate::server::db;
use crate::server::mail::{addressed_as, language_of_user, unique_key, MailExtras, MailTemplate, OutgoingMail};
use crate::server::state::AppState;
use crate::domain::UnixTime;

/// What a mailed token is for; stored as a word (the schema's `CHECK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenPurpose {
    Invitation,
    PasswordReset,
    EmailChange,
}

crate::stored_as_words!(TokenPurpose { Invitation => "invitation", PasswordReset => "password_reset", EmailChange => "email_change" });

/// Creates a single-use token for one user and purpose; earlier unused tokens
/// of the same purpose stop working. Returns the row id and the secret, of
/// which only a hash is stored.
pub(crate) async fn issue_token(
    tx: &mut db::Transaction<'_>,
    user_id: i64,
    purpose: TokenPurpose,
    now: UnixTime,
    expires_at: UnixTime,
) -> Result<(i64, String), sqlx::Error> {
    db::query("UPDATE tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL")
        .bind(now)
        .bind(user_id)
        .bind(purpose)
        .execute(&mut **tx)
        .await?;
    let token = crypto::new_token();
    // Good only under the user's security stamp of now: a change of credentials voids it.
    let id: i64 = db::query_scalar(
        "INSERT INTO tokens (user_id, purpose, token_hash, created_at, expires_at, security_stamp) \
         SELECT $1, $2, $3, $4, $5, security_stamp FROM users WHERE id = $1 RETURNING id",
    )
    .bind(user_id)
    .bind(purpose)
    .bind(crypto::token_hash(&token))
    .bind(now)
    .bind(expires_at)
    .fetch_one(&mut **tx)
    .await?;
    Ok((id, token))
}

fn link_purpose(kind: LinkKind) -> TokenPurpose {
    match kind {
        LinkKind::Invitation => TokenPurpose::Invitation,
        LinkKind::PasswordReset => TokenPurpose::PasswordReset,
    }
}

/// The username or address a reset was asked for; only emptiness is refused,
/// so that the answer says nothing about what exists.
pub fn reset_identifier(raw: &str) -> Result<&str, AuthError> {
    let identifier = raw.trim();
    if identifier.is_empty() {
        return Err(InputError::new(Refusal::IdentifierMissing).at("identifier").into());
    }
    Ok(identifier)
}

/// Runs [`request_reset`] after the answer has gone out: the answer then
/// takes the same time whether or not an account matched.
pub fn request_reset_in_background(state: &AppState, identifier: &str, ip: Option<String>) -> Result<(), AuthError> {
    let identifier = reset_identifier(identifier)?.to_owned();
    let task_state = state.clone();
    state.background.spawn(async move {
        let state = task_state;
        if let Err(error) = request_reset(&state, &identifier, ip).await {
            tracing::error!(?error, "a password reset request could not be processed");
        }
    });
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ResetCandidate {
    id: i64,
    customer_id: i64,
    username: String,
    email: String,
    salutation: String,
    first_name: String,
    last_name: String,
}

/// One reset mail per account in this many seconds…
pub const RESET_COOLDOWN_SECONDS: i64 = 5 * 60;
/// …at most this many in a day per account and requesting address…
pub const RESETS_PER_DAY: i64 = 5;
/// …and this many per account from all addresses: nobody can flood a
/// mailbox, and a stranger's requests cannot use up the owner's.
pub const RESETS_PER_DAY_PER_ACCOUNT: i64 = 20;

/// "Passwort vergessen" for a username or an e-mail address. Every active
/// account that matches gets a fresh 1-hour link (older ones stop working);
/// accounts sharing an address get one mail listing each username with its
/// own link. Unknown and inactive accounts get nothing, and neither does an
/// account that got a link less than 5 minutes ago or 5 links today — and
/// the caller cannot tell the difference: the answer is the same.
pub async fn request_reset(state: &AppState, identifier: &str, ip: Option<String>) -> Result<(), AuthError> {
    let identifier = reset_identifier(identifier)?;
    // Input that is neither a valid name nor a valid address finds nobody
    // (no Unicode folding that could make it meet a real one).
    let username_key = Username::parse(identifier).map(|u| u.key()).ok();
    let email_key = EmailAddress::parse(identifier).ok().map(|email| email.as_str().to_ascii_lowercase());
    if username_key.is_none() && email_key.is_none() {
        return Ok(());
    }
    let candidates: Vec<ResetCandidate> = db::query_as(
        "SELECT id, customer_id, username, email, salutation, first_name, last_name FROM users \
         WHERE active = TRUE AND (lower(username) = $1 OR lower(email) = $2) ORDER BY lower(email), id",
    )
    .bind(username_key.unwrap_or_default())
    .bind(email_key.unwrap_or_default())
    .fetch_all(&state.pool)
    .await?;

    let now = state.clock.now();
    // Counted per address as the request limits count it (IPv6 per /64).
    let client_key = ip
        .as_deref()
        .and_then(|ip| ip.parse::<std::net::IpAddr>().ok())
        .map(|ip| crate::server::limits::limit_key(ip).to_string())
        .unwrap_or_default();
    let ttl = state.config.reset_ttl.as_secs() as i64;
    let mut tx = db::begin(&state.pool).await?;
    for group in candidates.chunk_by(|a, b| a.email.eq_ignore_ascii_case(&b.email)) {
        let Ok(recipient) = EmailAddress::parse(&group[0].email) else {
            tracing::warn!(user_id = group[0].id, "no valid address for the reset link");
            continue;
        };
        let mut accounts = Vec::new();
        let mut first_token_id = None;
        for user in group {
            if !claim_reset_mail(&mut tx, user.id, &client_key, now).await? {
                tracing::info!(user_id = user.id, "reset link not sent again so soon");
                continue;
            }
            let (token_id, token) = issue_token(&mut tx, user.id, TokenPurpose::PasswordReset, now, now + ttl).await?;
            first_token_id.get_or_insert(token_id);
            accounts.push(minijinja::context! {
                username => user.username.clone(),
                link => format!("{}/passwort-neu?token={token}", state.config.base_url),
            });
            audit::record(
                &mut tx,
                audit_entry(user.id, user.customer_id, "password_reset_requested", AuditDetail::None, ip.clone()),
                now,
            )
            .await?;
        }
        if accounts.is_empty() {
            continue;
        }
        // Several users of one address: in the language of the first.
        let lang = language_of_user(&mut tx, group[0].id, state.config.default_language).await?;
        let display_name = match group {
            [only] => addressed_as(lang, &only.salutation, &only.first_name, &only.last_name, &only.username),
            _ => String::new(),
        };
        let context = minijinja::context! {
            ..state.mail_base_context(),
            ..minijinja::context! {
                accounts => accounts,
                display_name => display_name,
                valid_minutes => ttl / 60,
            },
        };
        let mail = OutgoingMail {
            template: MailTemplate::PasswordReset,
            idempotency_key: unique_key("reset", first_token_id.unwrap_or_default()),
            recipient,
            lang,
            context,
            expires_at: Some(now + ttl),
        };
        state.outbox.enqueue_new(&mut tx, mail, MailExtras { user_id: (group.len() == 1).then_some(group[0].id), ..MailExtras::default() }, now).await?;
    }
    tx.commit().await?;
    tracing::info!(accounts = candidates.len(), "password reset requested");
    Ok(())
}

/// Takes one reset mail from the budget of the account and the requesting
/// address, or `false` when the account had one less than 5 minutes ago, or
/// the address its 5 of the day, or the account its 20. The address's count
/// is claimed in one statement, so that requests sent at once from it cannot
/// all pass before one is counted.
async fn claim_reset_mail(tx: &mut db::Transaction<'_>, user_id: i64, client_key: &str, now: UnixTime) -> Result<bool, sqlx::Error> {
    // Requests from several addresses at once take turns per account (a row
    // lock on PostgreSQL, the write lock on SQLite), so the account's own
    // limits below are read after the previous request has counted.
    db::query("UPDATE users SET security_stamp = security_stamp WHERE id = $1").bind(user_id).execute(&mut **tx).await?;
    let (last, today): (Option<UnixTime>, Option<i64>) = db::query_as(
        "SELECT MAX(last_mail_at), CAST(SUM(CASE WHEN window_start > $2 THEN mails ELSE 0 END) AS BIGINT) FROM reset_mail_budget WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(now - 24 * 3600)
    .fetch_one(&mut **tx)
    .await?;
    if last.is_some_and(|at| at > now - RESET_COOLDOWN_SECONDS) || today.unwrap_or(0) >= RESETS_PER_DAY_PER_ACCOUNT {
        return Ok(false);
    }
    let claimed: Option<i64> = db::query_scalar(
        "INSERT INTO reset_mail_budget (user_id, client_key, window_start, mails, last_mail_at) VALUES ($1, $6, $2, 1, $2) \
         ON CONFLICT (user_id, client_key) DO UPDATE SET \
           window_start = CASE WHEN reset_mail_budget.window_start <= $3 THEN $2 ELSE reset_mail_budget.window_start END, \
           mails = CASE WHEN reset_mail_budget.window_start <= $3 THEN 1 ELSE reset_mail_budget.mails + 1 END, \
           last_mail_at = $2 \
         WHERE reset_mail_budget.last_mail_at <= $4 \
           AND (reset_mail_budget.window_start <= $3 OR reset_mail_budget.mails < $5) \
         RETURNING user_id",
    )
    .bind(user_id)
    .bind(now)
    .bind(now - 24 * 3600)
    .bind(now - RESET_COOLDOWN_SECONDS)
    .bind(RESETS_PER_DAY)
    .bind(client_key)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(claimed.is_some())
}

#[derive(sqlx::FromRow)]
struct LinkOwner {
    token_id: i64,
    user_id: i64,
    customer_id: i64,
    customer_name: String,
    username: String,
    email: String,
}

/// The owner of a link that still works: unused, unexpired, active user.
async fn find_link(state: &AppState, kind: LinkKind, token: &str) -> Result<LinkOwner, AuthError> {
    // A real token is 43 characters; anything else need not reach the database.
    if token.is_empty() || token.len() > 128 {
        return Err(AuthError::LinkInvalid);
    }
    let owner: Option<LinkOwner> = db::query_as(
        "SELECT t.id AS token_id, t.user_id, u.customer_id, c.name AS customer_name, u.username, u.email \
         FROM tokens t JOIN users u ON u.id = t.user_id JOIN customers c ON c.id = u.customer_id \
         WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > $3 AND u.active = TRUE \
           AND t.security_stamp = u.security_stamp",
    )
    .bind(crypto::token_hash(token))
    .bind(link_purpose(kind))
    .bind(state.clock.now())
    .fetch_optional(&state.pool)
    .await?;
    owner.ok_or(AuthError::LinkInvalid)
}

/// Whether a link works, and the rules for the password it sets.
pub async fn link_info(state: &AppState, kind: LinkKind, token: &str) -> Result<PasswordRules, AuthError> {
    let owner = find_link(state, kind, token).await?;
    Ok(rules_for(state, &owner.username, &owner.customer_name))
}

/// Sets a password through a mailed link. The link is consumed atomically:
/// of two concurrent uses exactly one wins. Every session of the user ends,
/// their other password links stop working and their sign-in wait is lifted.
/// An invitation signs the user in (the cookie value is returned); a reset
/// tells the user by mail instead.
pub async fn use_link(
    state: &AppState,
    kind: LinkKind,
    token: &str,
    password: &str,
    confirm: &str,
    ip: Option<String>,
) -> Result<Option<String>, AuthError> {
    let owner = find_link(state, kind, token).await?;
    let rules = rules_for(state, &owner.username, &owner.customer_name);
    let password = parse_new_password(&rules, password, confirm)?;
    let hash = hashing::hash(state, password.expose()).await?;

    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let consumed: Option<i64> = db::query_scalar(
        "UPDATE tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
           AND security_stamp = (SELECT u.security_stamp FROM users u WHERE u.id = tokens.user_id AND u.active = TRUE) \
         RETURNING user_id",
    )
    .bind(now)
    .bind(crypto::token_hash(token))
    .bind(link_purpose(kind))
    .fetch_optional(&mut *tx)
    .await?;
    if consumed != Some(owner.user_id) {
        return Err(AuthError::LinkInvalid);
    }
    // Setting the password rotates the security stamp, which voids every other link of the user.
    // With a second factor the counter also holds wrong codes: only a right code clears it.
    let second_factor: bool = db::query_scalar("SELECT totp_enabled_at IS NOT NULL FROM users WHERE id = $1")
        .bind(owner.user_id)
        .fetch_one(&mut *tx)
        .await?;
    if !second_factor {
        lockout::clear(&mut *tx, &lockout::name_key(&owner.username)).await?;
    }

    let session = match kind {
        LinkKind::PasswordReset => {
            replace_password(&mut tx, owner.user_id, &hash, now).await?.ok_or(AuthError::LinkInvalid)?;
            queue_change_notice(state, &mut tx, owner.user_id, &owner.email, &owner.username, now).await?;
            audit::record(&mut tx, audit_entry(owner.user_id, owner.customer_id, "password_reset", AuditDetail::None, ip), now)
                .await?;
            None
        }
        LinkKind::Invitation => {
            // A user who has a second factor signs in with it: the link sets the password only.
            let session = if second_factor {
                replace_password(&mut tx, owner.user_id, &hash, now).await?.ok_or(AuthError::LinkInvalid)?;
                None
            } else {
                Some(replace_password_keeping_this_browser(&mut tx, owner.user_id, &hash, now).await?.ok_or(AuthError::LinkInvalid)?)
            };
            audit::record(
                &mut tx,
                audit_entry(owner.user_id, owner.customer_id, "invitation_accepted", AuditDetail::None, ip),
                now,
            )
            .await?;
            session
        }
    };
    tx.commit().await?;
    tracing::info!(token_id = owner.token_id, ?kind, "password set through a link");
    Ok(session)
}

