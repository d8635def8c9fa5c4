//! Password expiry. Off by default: forced periodic changes make people pick weaker passwords. The
//! operator can set a maximum age (`KP_PASSWORD_MAX_AGE_DAYS`) or expire
//! passwords on a date (`kundenportal password expire --on`); whichever comes
//! first counts. Users are warned by mail before (`KP_PASSWORD_EXPIRY_WARNING_DAYS`).
//! An expired password still signs in, but that session may only set a new
//! one; a session that was signed in before the moment of expiry ends then.

use crate::domain::EmailAddress;
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::dates::{self, date_in, german_time, start_of_day};
use crate::server::db::{self, Pool};
use crate::server::mail::{addressed_as, language_of_user, unique_key, MailError, MailExtras, MailTemplate, OutgoingMail};
use crate::server::jobs::Jobs;
use crate::server::state::AppState;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use crate::domain::UnixTime;

const DAY_SECONDS: i64 = 24 * 60 * 60;
/// The row in `portal_settings` that holds when the maximum age was turned on.
pub(super) const MAX_AGE_SINCE: &str = "password_max_age_since";

#[derive(Debug, thiserror::Error)]
pub enum ExpiryError {
    #[error("»{0}« ist kein Datum wie 2027-01-31 oder 31.01.2027")]
    NotADate(String),
    #[error("den Kunden {0} gibt es nicht")]
    UnknownCustomer(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// The maximum age as it applies: from the setting, and from when it was
/// turned on — passwords that were already old then get the warning period
/// before they expire, instead of expiring on the spot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxAge {
    pub days: u32,
    /// No password expires by age before this moment.
    pub not_before: UnixTime,
}

impl MaxAge {
    /// The maximum age from the configuration and the `since` recorded by
    /// [`record_max_age_start`]; `None` while it is off.
    pub fn from_setting(days: Option<u32>, since: Option<UnixTime>, warning_days: u32) -> Option<Self> {
        let days = days?;
        Some(Self { days, not_before: since.unwrap_or(UnixTime::MIN) + i64::from(warning_days) * DAY_SECONDS })
    }
}

/// When a password expires: the operator's date for it, or its age reaching
/// the maximum, whichever comes first; `None` when neither applies.
pub fn expires_at(changed_at: UnixTime, operator_date: Option<UnixTime>, max_age: Option<MaxAge>) -> Option<UnixTime> {
    let by_age = max_age.map(|max| (changed_at + i64::from(max.days) * DAY_SECONDS).max(max.not_before));
    match (operator_date, by_age) {
        (Some(date), Some(age)) => Some(date.min(age)),
        (date, age) => date.or(age),
    }
}

/// Notes when the maximum age was turned on (kept while it stays on, so
/// every instance and restart counts from the same moment); forgets it when
/// it is off, so turning it on again grants the warning period again.
pub async fn record_max_age_start(pool: &Pool, max_age_days: Option<u32>, now: UnixTime) -> Result<(), sqlx::Error> {
    if max_age_days.is_some() {
        db::query("INSERT INTO portal_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(MAX_AGE_SINCE)
            .bind(now)
            .execute(pool)
            .await?;
    } else {
        db::query("DELETE FROM portal_settings WHERE key = $1").bind(MAX_AGE_SINCE).execute(pool).await?;
    }
    Ok(())
}

/// The maximum age in force, read from the configuration and the database.
pub async fn max_age(state: &AppState) -> Result<Option<MaxAge>, sqlx::Error> {
    let config = &state.config;
    if config.password_max_age_days.is_none() {
        return Ok(None);
    }
    let since: Option<UnixTime> = db::query_scalar("SELECT value FROM portal_settings WHERE key = $1")
        .bind(MAX_AGE_SINCE)
        .fetch_optional(&state.pool)
        .await?;
    Ok(MaxAge::from_setting(config.password_max_age_days, since, config.password_expiry_warning_days))
}

/// Calendar days in the operator's time zone from `now` to `at`: 0 for
/// today, 1 for tomorrow. The warning mail says it in words ("heute",
/// "morgen", "in 5 Tagen"; its template, `days_left`).
pub fn days_until(now: UnixTime, at: UnixTime, time_zone: &TimeZone) -> i64 {
    let day = |at: UnixTime| crate::server::dates::day_of(at, time_zone);
    let days = match (day(now), day(at)) {
        (Some(today), Some(then)) => today.until(then).map(|span| i64::from(span.get_days())).unwrap_or_default(),
        _ => 0,
    };
    days.max(0)
}

/// A day as operators write it: `2027-01-31` or `31.01.2027`.
pub fn parse_day(raw: &str) -> Result<Date, ExpiryError> {
    dates::parse_day(raw).ok_or_else(|| ExpiryError::NotADate(raw.trim().to_owned()))
}

/// Sets the expiry date of every active user's password — of one customer,
/// or of all — to the start of `day`. A date in the past expires them at
/// once. Returns how many users it applies to.
pub async fn expire_passwords_on(
    state: &AppState,
    day: Date,
    customer_number: Option<&str>,
) -> Result<u64, ExpiryError> {
    let at = start_of_day(day, &state.config.time_zone);
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let customer_id = match customer_number {
        Some(number) => Some(
            db::query_scalar::<i64>("SELECT id FROM customers WHERE number = $1")
                .bind(number)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| ExpiryError::UnknownCustomer(number.to_owned()))?,
        ),
        None => None,
    };
    let updated = db::query(
        "UPDATE users SET password_expires_at = $1 \
         WHERE active = TRUE AND password_hash IS NOT NULL AND ($2 = 0 OR customer_id = $3)",
    )
    .bind(at)
    .bind(i64::from(customer_id.is_some()))
    .bind(customer_id.unwrap_or_default())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    audit::record(
        &mut tx,
        AuditEntry {
            actor: Actor::Operator,
            customer_id,
            action: "passwords_expire_on",
            detail: AuditDetail::PasswordsExpire { at, users: updated },
            ip: None,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

#[derive(sqlx::FromRow)]
struct Candidate {
    id: i64,
    username: String,
    email: String,
    salutation: String,
    first_name: String,
    last_name: String,
    changed_at: UnixTime,
    password_expires_at: Option<UnixTime>,
}

/// Queues one warning mail per user whose password expires within the
/// warning period and who was not yet warned of that moment. Safe to run from
/// several instances at once: the user's row records the moment warned of,
/// and only the run that changes it queues the mail. Returns how many mails
/// were queued.
pub async fn queue_expiry_warnings(state: &AppState) -> Result<usize, ExpiryError> {
    let config = &state.config;
    let now = state.clock.now();
    let horizon = now + i64::from(config.password_expiry_warning_days) * DAY_SECONDS;
    let max_age = max_age(state).await?;
    // Bounds on the change time for expiry by age within (now, horizon]; with
    // the maximum age off, or still in its first warning period, none apply.
    let (changed_after, changed_by) = match max_age {
        Some(max) if max.not_before <= now => {
            let age = i64::from(max.days) * DAY_SECONDS;
            (now - age, horizon - age)
        }
        Some(_) => (UnixTime::MIN, UnixTime::MAX),
        None => (UnixTime::MIN, UnixTime::MIN),
    };
    let candidates: Vec<Candidate> = db::query_as(
        "SELECT id, username, email, salutation, first_name, last_name, \
                COALESCE(password_changed_at, created_at) AS changed_at, password_expires_at \
         FROM users \
         WHERE active = TRUE AND password_hash IS NOT NULL AND must_change_password = FALSE \
           AND (password_expires_at IS NULL OR password_expires_at > $1) \
           AND (password_expires_at <= $2 \
                OR (COALESCE(password_changed_at, created_at) > $3 AND COALESCE(password_changed_at, created_at) <= $4))",
    )
    .bind(now)
    .bind(horizon)
    .bind(changed_after)
    .bind(changed_by)
    .fetch_all(&state.pool)
    .await?;

    let mut queued = 0;
    for user in candidates {
        let Some(expiry) = expires_at(user.changed_at, user.password_expires_at, max_age) else {
            continue;
        };
        // Already expired: the next sign-in asks for a new password anyway.
        if expiry <= now || expiry > horizon {
            continue;
        }
        let Ok(recipient) = EmailAddress::parse(&user.email) else {
            tracing::warn!(user_id = user.id, "no valid address for the password expiry warning");
            continue;
        };
        let lang = language_of_user(&state.pool, user.id, config.default_language).await?;
        let context = minijinja::context! {
            ..state.mail_base_context(),
            ..minijinja::context! {
                display_name => addressed_as(lang, &user.salutation, &user.first_name, &user.last_name, &user.username),
                username => user.username,
                expiry_date => date_in(lang, expiry, &config.time_zone),
                expiry_time => german_time(expiry, &config.time_zone),
                days_left => days_until(now, expiry, &config.time_zone),
            },
        };
        let mut tx = db::begin(&state.pool).await?;
        let claimed = db::query(
            "UPDATE users SET expiry_warned_for = $1 WHERE id = $2 AND (expiry_warned_for IS NULL OR expiry_warned_for <> $1)",
        )
        .bind(expiry)
        .bind(user.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            continue;
        }
        let mail = OutgoingMail {
            template: MailTemplate::PasswordExpiry,
            idempotency_key: unique_key("password_expiry", format_args!("{}:{expiry}", user.id)),
            recipient,
            lang,
            context,
            expires_at: Some(expiry),
        };
        state.outbox.enqueue_new(&mut tx, mail, MailExtras { user_id: Some(user.id), ..MailExtras::default() }, now).await?;
        tx.commit().await?;
        queued += 1;
    }
    if queued > 0 {
        tracing::info!(queued, "password expiry warnings queued");
    }
    Ok(queued)
}

/// At start: when the maximum age was turned on. Every hour: warnings for
/// passwords about to expire.
pub fn register_jobs(jobs: &mut Jobs) {
    jobs.at_start("password max age", |state: AppState| async move {
        record_max_age_start(&state.pool, state.config.password_max_age_days, state.clock.now()).await
    });
    jobs.every("password expiry warnings", std::time::Duration::from_secs(60 * 60), |state: AppState| async move {
        queue_expiry_warnings(&state).await.map(|_| ())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earlier_of_operator_date_and_maximum_age_counts() {
        let at = UnixTime::from_seconds;
        let ninety = Some(MaxAge { days: 90, not_before: UnixTime::MIN });
        assert_eq!(expires_at(at(1_000), None, None), None, "off by default");
        assert_eq!(expires_at(at(0), None, ninety), Some(at(90 * DAY_SECONDS)));
        assert_eq!(expires_at(at(0), Some(at(5)), None), Some(at(5)));
        assert_eq!(expires_at(at(0), Some(at(5)), ninety), Some(at(5)));
        assert_eq!(expires_at(at(0), Some(at(100 * DAY_SECONDS)), ninety), Some(at(90 * DAY_SECONDS)));
    }

    #[test]
    fn passwords_already_old_when_the_maximum_age_is_turned_on_get_the_warning_period() {
        let turned_on = UnixTime::from_seconds(1_000 * DAY_SECONDS);
        let max_age = MaxAge::from_setting(Some(90), Some(turned_on), 14);
        assert_eq!(expires_at(UnixTime::from_seconds(0), None, max_age), Some(turned_on + 14 * DAY_SECONDS));
        assert_eq!(expires_at(turned_on, None, max_age), Some(turned_on + 90 * DAY_SECONDS), "a young one ages normally");
        assert_eq!(MaxAge::from_setting(None, Some(turned_on), 14), None);
    }

    #[test]
    fn days_are_read_in_both_spellings_or_refused_naming_the_input() {
        assert_eq!(parse_day("31.01.2027").unwrap(), parse_day("2027-01-31").unwrap());
        assert!(matches!(parse_day(" morgen "), Err(ExpiryError::NotADate(raw)) if raw == "morgen"));
    }

    #[test]
    fn the_warning_counts_calendar_days_in_the_operators_zone() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let midnight = UnixTime::from_seconds(1_801_350_000); // 31.01.2027 00:00 in Berlin
        let hour = 3600;
        assert_eq!(days_until(midnight + 8 * hour, midnight + 20 * hour, &berlin), 0, "today");
        assert_eq!(days_until(midnight + 20 * hour, midnight + DAY_SECONDS + hour, &berlin), 1, "5 hours, but tomorrow");
        assert_eq!(days_until(midnight + hour, midnight + DAY_SECONDS + 2 * hour, &berlin), 1, "25 hours");
        assert_eq!(days_until(midnight, midnight + 14 * DAY_SECONDS, &berlin), 14);
    }
}
