//! Secrets: random tokens, their stored hashes, and Argon2id password hashes.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use blake2::{Blake2b, Digest};
use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization as _;

/// A password hash in PHC form. Deliberately neither `Serialize` nor `Display`:
/// it can reach the database and nothing else.
#[derive(Clone)]
pub struct PasswordHashString {
    phc: String,
    /// Made from the password in Unicode NFC. Hashes stored before
    /// passwords were normalised are of the characters as typed.
    normalized: bool,
}

impl PasswordHashString {
    /// `normalized` is the row's `password_normalized`.
    pub fn from_database(phc: String, normalized: bool) -> Self {
        Self { phc, normalized }
    }

    pub fn as_database_value(&self) -> &str {
        &self.phc
    }
}

impl std::fmt::Debug for PasswordHashString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHashString(***)")
    }
}

/// OWASP's minimum for Argon2id: m=19 MiB, t=2, p=1.
pub fn current_params() -> Params {
    Params::new(19_456, 2, 1, None).expect("valid Argon2 parameters")
}

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, current_params())
}

/// Fills a buffer from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    bytes
}

/// The password in Unicode NFC (NIST SP 800-63B 5.1.1.2): "ä" typed as one
/// character on one keyboard and as "a" plus a combining mark on another is
/// the same password.
fn normalized(password: &str) -> Cow<'_, str> {
    match unicode_normalization::is_nfc_quick(password.chars()) {
        unicode_normalization::IsNormalized::Yes => Cow::Borrowed(password),
        _ => Cow::Owned(password.nfc().collect()),
    }
}

/// How many characters the password has in NFC (what the length rule counts at sign-in).
pub fn normalized_len(password: &str) -> usize {
    normalized(password).chars().count()
}

/// Hashes a password, in NFC, with a fresh salt. CPU-heavy: call it on a
/// blocking thread.
pub fn hash_password(password: &str) -> PasswordHashString {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes make a valid salt");
    let phc = hasher()
        .hash_password(normalized(password).as_bytes(), &salt)
        .expect("hashing with valid parameters succeeds")
        .to_string();
    PasswordHashString { phc, normalized: true }
}

pub enum Verification {
    Invalid,
    Valid { needs_rehash: bool },
}

/// Checks a password against a stored hash, and whether the hash should be
/// made again: with weaker parameters than today's, or before passwords were
/// normalised. Such an old hash is of the characters as they were typed
/// then, so it is also tried with the form this input was not typed in.
/// CPU-heavy: call it on a blocking thread.
pub fn verify_password(password: &str, stored: &PasswordHashString) -> Verification {
    let Ok(parsed) = PasswordHash::new(&stored.phc) else {
        return Verification::Invalid;
    };
    let nfc = normalized(password);
    let mut matched = hasher().verify_password(nfc.as_bytes(), &parsed).is_ok();
    // The second check runs whenever the input has another form, whatever
    // the hash: its time must not tell which accounts still have an old one.
    let typed_otherwise: Cow<'_, str> = if nfc != password { Cow::Borrowed(password) } else { Cow::Owned(password.nfd().collect()) };
    if typed_otherwise != nfc {
        let other_form_matches = hasher().verify_password(typed_otherwise.as_bytes(), &parsed).is_ok();
        matched = matched || (other_form_matches && !stored.normalized);
    }
    if !matched {
        return Verification::Invalid;
    }
    let needs_rehash = !stored.normalized
        || parsed.algorithm != argon2::ARGON2ID_IDENT
        || Params::try_from(&parsed).map_or(true, |p| {
            let current = current_params();
            p.m_cost() < current.m_cost() || p.t_cost() < current.t_cost() || p.p_cost() < current.p_cost()
        });
    Verification::Valid { needs_rehash }
}

/// Bytes as lower-case hex digits.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new secret for a link or cookie: 256 bits, URL-safe.
pub fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// What the database stores of a token or session id: BLAKE2b-256, hex.
pub fn token_hash(token: &str) -> String {
    let digest = Blake2b::<blake2::digest::consts::U32>::digest(token.as_bytes());
    hex(&digest)
}

/// Whether two secrets are equal, in time that says nothing about where
/// they differ (both are hashed first, so their lengths do not show either).
pub fn secrets_equal(presented: &str, expected: &str) -> bool {
    token_hash(presented).as_bytes().iter().zip(token_hash(expected).as_bytes()).fold(0u8, |differ, (a, b)| differ | (a ^ b)) == 0
}

/// A short id that ties a user-visible error to its server log line.
pub fn correlation_id() -> String {
    hex(&random_bytes::<6>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let hash = hash_password("Grün-Tonne-7");
        let phc = hash.as_database_value();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(matches!(verify_password("Grün-Tonne-7", &hash), Verification::Valid { needs_rehash: false }));
        assert!(matches!(verify_password("grün-tonne-7", &hash), Verification::Invalid));
        assert_ne!(hash_password("Grün-Tonne-7").as_database_value(), phc, "salts differ");
    }

    #[test]
    fn weaker_parameters_ask_for_a_rehash() {
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8_192, 1, 1, None).unwrap());
        let salt = SaltString::encode_b64(&random_bytes::<16>()).unwrap();
        let phc = weak.hash_password("Grün-Tonne-7".as_bytes(), &salt).unwrap().to_string();
        let stored = PasswordHashString::from_database(phc, true);
        assert!(matches!(verify_password("Grün-Tonne-7", &stored), Verification::Valid { needs_rehash: true }));
    }

    #[test]
    fn nfc_and_nfd_are_one_password_and_old_hashes_of_either_still_verify() {
        let nfc: String = "Bär-Öl-7".nfc().collect();
        let nfd: String = "Bär-Öl-7".nfd().collect();
        let hash = hash_password(&nfd);
        assert!(matches!(verify_password(&nfc, &hash), Verification::Valid { needs_rehash: false }));
        for (stored_form, typed) in [(&nfd, &nfd), (&nfd, &nfc), (&nfc, &nfd), (&nfc, &nfc)] {
            let salt = SaltString::encode_b64(&random_bytes::<16>()).unwrap();
            let phc = hasher().hash_password(stored_form.as_bytes(), &salt).unwrap().to_string();
            let legacy = PasswordHashString::from_database(phc, false);
            assert!(matches!(verify_password(typed, &legacy), Verification::Valid { needs_rehash: true }));
            assert!(matches!(verify_password("Bar-Ol-7", &legacy), Verification::Invalid));
        }
    }

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let a = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_token());
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn debug_hides_the_hash() {
        assert_eq!(format!("{:?}", hash_password("x")), "PasswordHashString(***)");
    }
}
