//! Whom a mail speaks to, and in which words: the recipient's language, and
//! what a caller puts into a mail's context ready-made — a name with its
//! salutation, a size — written as that language writes it (days:
//! `crate::server::dates::{date_in, day_in}`). Every other word of a mail
//! is in its template (`templates/mail/{de,en}/`).

use crate::i18n::Lang;
use crate::server::db::{self, Executor};

/// The language a stored code names (`users.language`, `forwardings.language`),
/// else `default`: the operator's (`KP_DEFAULT_LANGUAGE`).
pub fn language_or(stored: Option<&str>, default: Lang) -> Lang {
    stored.and_then(Lang::parse).unwrap_or(default)
}

/// The language a user chose (Profil → Sprache); `None` while they chose
/// none, or when the user is not there.
pub async fn chosen_language_of_user<'c>(executor: impl Into<Executor<'c>>, user_id: i64) -> Result<Option<Lang>, sqlx::Error> {
    let stored: Option<String> =
        db::query_scalar("SELECT language FROM users WHERE id = $1").bind(user_id).fetch_optional(executor).await?.flatten();
    Ok(stored.as_deref().and_then(Lang::parse))
}

/// The language of a user's mails: their setting (Profil → Sprache), else
/// `default`, the operator's (`state.config.default_language`). A user
/// that is not there gets `default` too.
pub async fn language_of_user<'c>(executor: impl Into<Executor<'c>>, user_id: i64, default: Lang) -> Result<Lang, sqlx::Error> {
    Ok(chosen_language_of_user(executor, user_id).await?.unwrap_or(default))
}

/// A user as their mails address them: in their language, by their name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressee {
    pub lang: Lang,
    /// [`addressed_as`]: "Herr Max Muster" / "Mr Max Muster", or the username.
    pub display_name: String,
}

/// [`language_of_user`] and the user's name as the mail greets them, for a
/// caller that has neither at hand. `None` when the user is not there.
pub async fn addressee_of_user<'c>(executor: impl Into<Executor<'c>>, user_id: i64, default: Lang) -> Result<Option<Addressee>, sqlx::Error> {
    let row: Option<(Option<String>, String, String, String, String)> =
        db::query_as("SELECT language, salutation, first_name, last_name, username FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(executor)
            .await?;
    Ok(row.map(|(stored, salutation, first, last, username)| {
        let lang = language_or(stored.as_deref(), default);
        Addressee { lang, display_name: addressed_as(lang, &salutation, &first, &last, &username) }
    }))
}

/// The name a mail in `lang` greets a person by: salutation (as stored:
/// `herr`, `frau`, `keine`), first and last name — "Herr Max Muster",
/// "Mr Max Muster" — or `without_name` when they gave none.
pub fn addressed_as(lang: Lang, salutation: &str, first: &str, last: &str, without_name: &str) -> String {
    let name = format!("{first} {last}").trim().to_owned();
    if name.is_empty() {
        return without_name.to_owned();
    }
    crate::t!(lang, "mail-addressed-as", salutation = salutation, name = name.as_str())
}

/// A size in megabytes with one decimal, as a mail in `lang` writes it: `1,5`, `1.5`.
pub fn megabytes_in(lang: Lang, bytes: u64) -> String {
    let written = format!("{:.1}", bytes as f64 / (1024.0 * 1024.0));
    match lang {
        Lang::De => written.replace('.', ","),
        Lang::En => written,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sizes_are_written_as_the_mails_language_writes_them() {
        assert_eq!(addressed_as(Lang::De, "herr", "Max", "Muster", "max"), "Herr Max Muster");
        assert_eq!(addressed_as(Lang::En, "herr", "Max", "Muster", "max"), "Mr Max Muster");
        assert_eq!(addressed_as(Lang::De, "frau", "", "Muster", "max"), "Frau Muster");
        assert_eq!(addressed_as(Lang::En, "frau", "", "Muster", "max"), "Ms Muster");
        assert_eq!(addressed_as(Lang::En, "keine", "Max", "Muster", "max"), "Max Muster");
        assert_eq!(addressed_as(Lang::En, "herr", "", "", "max"), "max");
        assert_eq!(addressed_as(Lang::De, "herr", " ", "", ""), "");

        assert_eq!(megabytes_in(Lang::De, 10 * 1024 * 1024), "10,0");
        assert_eq!(megabytes_in(Lang::En, 3 * 512 * 1024), "1.5");

        assert_eq!(language_or(Some("en"), Lang::De), Lang::En);
        assert_eq!(language_or(None, Lang::En), Lang::En);
        assert_eq!(language_or(Some("fr"), Lang::De), Lang::De);
    }
}
