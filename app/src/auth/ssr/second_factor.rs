//! The second factor's rules (issue 23, its TOTP part): a secret per user
//! for an authenticator app (RFC 6238: six digits, 30-second steps, SHA-1 —
//! what every app reads from the QR code), confirmed with one code before it
//! counts; codes of the step before and after are accepted (clock drift),
//! none twice (the last accepted step is stored, RFC 6238 §5.2); ten
//! recovery codes, stored only as hashes, each usable once. The sign-in
//! step ([`super::second_step`]) and Profil's set-up
//! ([`super::second_factor_setup`]) build on these.

use crate::domain::UnixTime;
use crate::server::crypto;
use crate::server::db::{self, Pool};
use totp_rs::{Builder, Secret, Totp};

/// Seconds per code.
pub const STEP_SECONDS: i64 = 30;
/// The field every form that asks for a code names it by.
pub const CODE_FIELD: &str = "code";

/// A code field left empty is refused at the field before anything is counted.
pub fn require_code(code: &str) -> Result<(), crate::domain::InputError> {
    if code.trim().is_empty() {
        return Err(crate::domain::InputError::new(crate::domain::Refusal::CodeMissing).at(CODE_FIELD));
    }
    Ok(())
}
pub const RECOVERY_CODES: usize = 10;

/// A user's shared secret with their authenticator app (160 bits, RFC 4226 §4).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret([u8; 20]);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

impl TotpSecret {
    pub fn generate() -> Self {
        Self(crypto::random_bytes::<20>())
    }

    /// As stored: base32 without padding.
    pub fn from_base32(stored: &str) -> Option<Self> {
        let secret = Secret::try_from_base32(stored).ok()?;
        Some(Self(secret.as_bytes().try_into().ok()?))
    }

    pub fn base32(&self) -> String {
        Secret::from(self.0).to_base32()
    }

    /// The secret for typing it in by hand: groups of four.
    pub fn for_typing(&self) -> String {
        let base32 = self.base32();
        base32.as_bytes().chunks(4).map(|group| String::from_utf8_lossy(group).into_owned()).collect::<Vec<_>>().join(" ")
    }

    fn totp(&self, issuer: &str, account: &str) -> Option<Totp> {
        Builder::new()
            .with_secret(self.0)
            .with_skew(1)
            .with_step_duration(STEP_SECONDS as u64)
            .with_issuer(Some(issuer))
            .with_account_name(account)
            .build()
            .ok()
    }

    /// The `otpauth://` address an authenticator app reads from the QR code.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> Option<String> {
        // An issuer or account with ':' is refused by the format; the portal's never has one.
        self.totp(&issuer.replace(':', " "), &account.replace(':', " "))?.to_url().ok()
    }

    /// That address as a QR code in inline SVG: no image request, no script.
    pub fn qr_svg(&self, issuer: &str, account: &str) -> Option<String> {
        let code = qrcode::QrCode::new(self.otpauth_uri(issuer, account)?.as_bytes()).ok()?;
        Some(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build())
    }

    /// The code the authenticator app shows at `at` (tests play the app with it).
    pub fn code_at(&self, at: UnixTime) -> Option<String> {
        Some(self.totp("Kundenportal", "x")?.generate(u64::try_from(at.seconds()).ok()?).to_string())
    }

    /// The step whose code `code` is, if it is the code of the step of `now`
    /// or of the one before or after; `None` otherwise.
    pub fn step_of(&self, code: &str, now: UnixTime) -> Option<i64> {
        let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let at = u64::try_from(now.seconds()).ok()?;
        let step = self.totp("Kundenportal", "x")?.check(&digits, at)?;
        i64::try_from(step).ok()
    }
}

/// Ten fresh recovery codes, shown once: 16 characters each (80 bits),
/// written `abcd-efgh-ijkm-npqr` from an alphabet without look-alikes.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let random = crypto::random_bytes::<16>();
            let chars: Vec<char> = random.iter().map(|byte| ALPHABET[usize::from(*byte) % ALPHABET.len()] as char).collect();
            chars.chunks(4).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join("-")
        })
        .collect()
}

/// A recovery code as typed (any case, with or without dashes and spaces)
/// in the form its hash was taken of.
pub fn normalized_recovery_code(typed: &str) -> String {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// The user's confirmed secret, if the second factor is on.
pub async fn enabled_secret<'e>(executor: impl Into<db::Executor<'e>>, user_id: i64) -> Result<Option<TotpSecret>, sqlx::Error> {
    let stored: Option<String> =
        db::query_scalar("SELECT totp_secret FROM users WHERE id = $1 AND totp_enabled_at IS NOT NULL").bind(user_id).fetch_optional(executor).await?.flatten();
    Ok(stored.as_deref().and_then(TotpSecret::from_base32))
}

/// Keeps `secret` as the user's, not yet on: it counts once a code of it
/// was confirmed ([`confirm`]). An earlier unconfirmed one is replaced.
pub async fn propose(pool: &Pool, user_id: i64, secret: &TotpSecret) -> Result<(), sqlx::Error> {
    db::query("UPDATE users SET totp_secret = $1, totp_last_step = NULL WHERE id = $2 AND totp_enabled_at IS NULL")
        .bind(secret.base32())
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Turns the proposed secret on with one of its codes; returns the recovery
/// codes to show once, or `None` when the code does not fit (nothing changes).
pub async fn confirm(pool: &Pool, user_id: i64, code: &str, now: UnixTime) -> Result<Option<Vec<String>>, sqlx::Error> {
    let mut tx = db::begin_writing(pool).await?;
    let proposed: Option<String> = db::query_scalar(&pool.locked("SELECT totp_secret FROM users WHERE id = $1 AND totp_enabled_at IS NULL"))
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
    let Some(step) = proposed.as_deref().and_then(TotpSecret::from_base32).and_then(|secret| secret.step_of(code, now)) else {
        return Ok(None);
    };
    db::query("UPDATE users SET totp_enabled_at = $1, totp_last_step = $2 WHERE id = $3").bind(now).bind(step).bind(user_id).execute(&mut *tx).await?;
    let codes = replace_recovery_codes(&mut tx, user_id, now).await?;
    tx.commit().await?;
    Ok(Some(codes))
}

/// Ten new recovery codes in place of the user's old ones; returns them to show once.
pub async fn replace_recovery_codes(tx: &mut db::Transaction<'_>, user_id: i64, now: UnixTime) -> Result<Vec<String>, sqlx::Error> {
    db::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    let codes = new_recovery_codes();
    for code in &codes {
        db::query("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(crypto::token_hash(&normalized_recovery_code(code)))
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(codes)
}

/// What a second-factor code proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// A code of the authenticator app, of a step not used before.
    Code,
    /// One of the recovery codes, now used up; so many are left.
    RecoveryCode { left: i64 },
    /// Neither: a wrong code, a code used before, or the second factor is off.
    Refused,
}

/// Checks `code` for the user: an authenticator code (claimed in one
/// statement, so that two requests with the same code cannot both pass) or
/// a recovery code (likewise used up in one statement).
pub async fn verify(pool: &Pool, user_id: i64, code: &str, now: UnixTime) -> Result<Verified, sqlx::Error> {
    let mut tx = db::begin_writing(pool).await?;
    let verified = verify_in(&mut tx, user_id, code, now).await?;
    tx.commit().await?;
    Ok(verified)
}

/// [`verify`] inside `tx`, beside what the code is for (the sign-in's
/// second step claims its challenge in the same transaction).
pub async fn verify_in(tx: &mut db::Transaction<'_>, user_id: i64, code: &str, now: UnixTime) -> Result<Verified, sqlx::Error> {
    let Some(secret) = enabled_secret(&mut **tx, user_id).await? else { return Ok(Verified::Refused) };
    if let Some(step) = secret.step_of(code, now) {
        let claimed = db::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_enabled_at IS NOT NULL \
             AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        return Ok(if claimed == 1 { Verified::Code } else { Verified::Refused });
    }
    let used = db::query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
        .bind(now)
        .bind(user_id)
        .bind(crypto::token_hash(&normalized_recovery_code(code)))
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if used == 0 {
        return Ok(Verified::Refused);
    }
    let left: i64 = db::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Verified::RecoveryCode { left })
}

/// Turns the second factor off: secret and recovery codes go.
pub async fn turn_off(pool: &Pool, user_id: i64) -> Result<(), sqlx::Error> {
    let mut tx = db::begin(pool).await?;
    turn_off_in(&mut tx, user_id).await?;
    tx.commit().await
}

/// [`turn_off`] inside `tx`, beside its audit entry and mail. Open second
/// steps of the user end with it.
pub async fn turn_off_in(tx: &mut db::Transaction<'_>, user_id: i64) -> Result<(), sqlx::Error> {
    db::query("UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    db::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    db::query("DELETE FROM sign_in_challenges WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 key, and its codes cut to six digits.
    const RFC_KEY: &[u8; 20] = b"12345678901234567890";

    #[test]
    fn codes_are_those_of_rfc_6238_and_one_step_either_side_counts() {
        let secret = TotpSecret(*RFC_KEY);
        // RFC 6238 appendix B: T = 59 s → 94287082, T = 1111111109 s → 07081804 (the last six digits).
        assert_eq!(secret.step_of("287082", UnixTime::from_seconds(59)), Some(1));
        assert_eq!(secret.step_of("081804", UnixTime::from_seconds(1_111_111_109)), Some(37_037_036));
        let at = UnixTime::from_seconds(1_111_111_109);
        assert_eq!(secret.step_of("081 804", at + 30), Some(37_037_036), "the next step still takes the previous code");
        assert_eq!(secret.step_of("081804", at - 30), Some(37_037_036), "and the one before the next");
        assert_eq!(secret.step_of("081804", at + 60), None, "two steps later it is too old");
        for nonsense in ["", "08180", "0818044", "abcdef", "08180x"] {
            assert_eq!(secret.step_of(nonsense, at), None, "{nonsense:?}");
        }
    }

    #[test]
    fn the_secret_survives_storage_and_the_qr_code_is_inline_svg() {
        let secret = TotpSecret::generate();
        assert_eq!(TotpSecret::from_base32(&secret.base32()), Some(secret.clone()));
        assert_eq!(secret.for_typing().replace(' ', ""), secret.base32());
        let uri = secret.otpauth_uri("Muster GmbH", "demo").unwrap();
        assert!(uri.starts_with("otpauth://totp/Muster%20GmbH:demo?") && uri.contains(&format!("secret={}", secret.base32())), "{uri}");
        let svg = secret.qr_svg("Muster GmbH", "demo").unwrap();
        assert!(svg.contains("<svg") && !svg.contains("<script") && !svg.contains("href"), "{}", &svg[..200.min(svg.len())]);
        assert_eq!(format!("{secret:?}"), "TotpSecret(…)", "never in a log");
    }

    #[test]
    fn recovery_codes_are_ten_different_and_read_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        assert!(codes.iter().all(|code| code.len() == 19 && code.split('-').count() == 4), "{codes:?}");
        assert_eq!(normalized_recovery_code(" ABCD-efgh ijkm-NPQR "), "abcdefghijkmnpqr");
    }
}
