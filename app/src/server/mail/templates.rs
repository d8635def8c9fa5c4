use super::MailError;
use crate::i18n::Lang;
use minijinja::{Environment, Value};

/// Every mail the portal sends. Each has a subject, a text and an HTML
/// template in each language under `templates/mail/{de,en}/`, compiled
/// into the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailTemplate {
    Invitation,
    InitialPassword,
    PasswordReset,
    PasswordChanged,
    PasswordExpiry,
    /// "nur Benachrichtigung": the documents of one batch run, with a link.
    NewDocuments,
    /// "mit Anhang": one document, its PDF attached (or the link, when too large).
    NewDocumentAttached,
    /// To a confirmed forwarding: one document with its PDF.
    ForwardedDocument,
    /// To a new forwarding's address: confirm or decline.
    ForwardingOptin,
    /// To the customer's main user: a recipient ended or declined a forwarding.
    ForwardingEnded,
    /// To a new address from the profile: the link that makes it the user's.
    EmailChange,
    /// To the old address once the change took effect: in case it was not them.
    EmailChanged,
    /// The second factor was turned on.
    SecondFactorOn,
    /// The second factor was turned off, by the user or reset by the operator.
    SecondFactorOff,
    /// A sign-in used up one of the recovery codes.
    RecoveryCodeUsed,
}

impl MailTemplate {
    pub const ALL: [MailTemplate; 15] = [
        MailTemplate::Invitation,
        MailTemplate::InitialPassword,
        MailTemplate::PasswordReset,
        MailTemplate::PasswordChanged,
        MailTemplate::PasswordExpiry,
        MailTemplate::NewDocuments,
        MailTemplate::NewDocumentAttached,
        MailTemplate::ForwardedDocument,
        MailTemplate::ForwardingOptin,
        MailTemplate::ForwardingEnded,
        MailTemplate::EmailChange,
        MailTemplate::EmailChanged,
        MailTemplate::SecondFactorOn,
        MailTemplate::SecondFactorOff,
        MailTemplate::RecoveryCodeUsed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MailTemplate::Invitation => "invitation",
            MailTemplate::InitialPassword => "initial_password",
            MailTemplate::PasswordReset => "password_reset",
            MailTemplate::PasswordChanged => "password_changed",
            MailTemplate::PasswordExpiry => "password_expiry",
            MailTemplate::NewDocuments => "new_documents",
            MailTemplate::NewDocumentAttached => "new_document",
            MailTemplate::ForwardedDocument => "forwarded_document",
            MailTemplate::ForwardingOptin => "forwarding_optin",
            MailTemplate::ForwardingEnded => "forwarding_ended",
            MailTemplate::EmailChange => "email_change",
            MailTemplate::EmailChanged => "email_changed",
            MailTemplate::SecondFactorOn => "second_factor_on",
            MailTemplate::SecondFactorOff => "second_factor_off",
            MailTemplate::RecoveryCodeUsed => "recovery_code_used",
        }
    }
}

/// Every mail's files in one language, `templates/mail/{de,en}/`: the
/// layout, then subject, text and HTML of each mail. These files are the
/// mails' translations; a file missing in a language fails the build.
macro_rules! mail_sources {
    ($lang:literal) => {
        mail_sources!(@each $lang:
            "invitation",
            "initial_password",
            "password_reset",
            "password_changed",
            "password_expiry",
            "new_documents",
            "new_document",
            "forwarded_document",
            "forwarding_optin",
            "forwarding_ended",
            "email_change",
            "email_changed",
            "second_factor_on",
            "second_factor_off",
            "recovery_code_used"
        )
    };
    (@each $lang:literal: $($name:literal),*) => {
        &[
            ("layout.html", include_str!(concat!("../../../../templates/mail/", $lang, "/layout.html"))),
            $(
                (concat!($name, ".subject.txt"), include_str!(concat!("../../../../templates/mail/", $lang, "/", $name, ".subject.txt"))),
                (concat!($name, ".txt"), include_str!(concat!("../../../../templates/mail/", $lang, "/", $name, ".txt"))),
                (concat!($name, ".html"), include_str!(concat!("../../../../templates/mail/", $lang, "/", $name, ".html"))),
            )*
        ]
    };
}

const GERMAN: &[(&str, &str)] = mail_sources!("de");
const ENGLISH: &[(&str, &str)] = mail_sources!("en");

pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The compiled templates, one set per language under the same names. HTML
/// templates escape their values; text and subject templates do not (they
/// never become markup).
pub struct MailTemplates {
    german: Environment<'static>,
    english: Environment<'static>,
}

impl Default for MailTemplates {
    fn default() -> Self {
        Self::new()
    }
}

impl MailTemplates {
    pub fn new() -> Self {
        Self { german: environment(GERMAN), english: environment(ENGLISH) }
    }

    fn environment(&self, lang: Lang) -> &Environment<'static> {
        match lang {
            Lang::De => &self.german,
            Lang::En => &self.english,
        }
    }

    /// The mail `template` in `lang`, from the same `context` in either language.
    pub fn render(&self, template: MailTemplate, lang: Lang, context: &Value) -> Result<RenderedMail, MailError> {
        let env = self.environment(lang);
        let part = |suffix: &str| -> Result<String, MailError> {
            env.get_template(&format!("{}{suffix}", template.name()))
                .and_then(|t| t.render(context))
                .map_err(|e| MailError::Render(template.name(), e))
        };
        // A subject is one line; user data in it must not start a new header.
        let subject: String = part(".subject.txt")?
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .trim()
            .to_owned();
        Ok(RenderedMail { subject, text: part(".txt")?, html: part(".html")? })
    }
}

fn environment(sources: &'static [(&'static str, &'static str)]) -> Environment<'static> {
    let mut env = Environment::new();
    // A variable the caller forgot is an error, not an empty gap in a mail.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, source) in sources {
        env.add_template(name, source).expect("mail template parses");
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn full_context() -> Value {
        minijinja::context! {
            operator_name => "Muster <GmbH>",
            display_name => "Max <script>",
            username => "max",
            customer_number => "10001",
            link => "http://127.0.0.1:3000/einladung?token=abc",
            valid_hours => 72,
            base_url => "http://127.0.0.1:3000",
            hotline => "0180 000",
            valid_minutes => 60,
            expiry_date => "31.01.2027",
            expiry_time => "00:00",
            days_left => 14,
            accounts => vec![minijinja::context! { username => "max", link => "http://127.0.0.1:3000/passwort-neu?token=abc" }],
            customer_name => "Max <script> GmbH",
            document => minijinja::context! { id => 1, type_name => "Rechnung", number => "max-1", created_on => "31.01.2026" },
            documents => vec![minijinja::context! { id => 1, type_name => "Rechnung", number => "max-1", created_on => "31.01.2026" }],
            count => 1,
            attached => true,
            size_mb => "1,0",
            limit_mb => "10,0",
            file_name => "Rechnung_max-1.pdf",
            xml_file_name => "Rechnung_max-1.xml",
            file_attached => true,
            unsubscribe_link => "http://127.0.0.1:3000/weiterleitung-beenden?token=abc",
            email => "max@example.com",
            types_label => "alle Typen",
            valid_days => 7,
            declined => false,
            by_operator => false,
            codes_left => 9,
        }
    }

    /// `full_context` with some values changed: the other branches of the templates.
    fn other_branches() -> Value {
        minijinja::context! {
            ..full_context(),
            ..minijinja::context! {
                display_name => "",
                days_left => 1,
                accounts => vec![
                    minijinja::context! { username => "max", link => "http://127.0.0.1:3000/passwort-neu?token=abc" },
                    minijinja::context! { username => "moritz", link => "http://127.0.0.1:3000/passwort-neu?token=def" },
                ],
                documents => vec![
                    minijinja::context! { id => 1, type_name => "Rechnung", number => "max-1", created_on => "31.01.2026" },
                    minijinja::context! { id => 2, type_name => "Gutschrift", number => "max-2", created_on => "01.02.2026" },
                ],
                count => 2,
                attached => false,
                declined => true,
                by_operator => true,
                codes_left => 1,
            },
        }
    }

    #[test]
    fn every_template_renders_in_both_languages_and_html_escapes_user_data() {
        let templates = MailTemplates::new();
        for lang in Lang::ALL {
            for context in [full_context(), other_branches()] {
                for template in MailTemplate::ALL {
                    let mail = templates.render(template, lang, &context).unwrap_or_else(|e| panic!("{} ({lang:?}): {e:?}", template.name()));
                    assert!(!mail.subject.is_empty());
                    assert!(mail.text.contains("max"));
                    assert!(mail.html.contains(&format!("<html lang=\"{}\">", lang.code())), "{} ({lang:?})", template.name());
                    assert!(!mail.html.contains("<script>"));
                }
            }
            let context = full_context();
            for template in MailTemplate::ALL {
                let mail = templates.render(template, lang, &context).unwrap();
                assert!(mail.html.contains("Max &lt;script&gt;"), "{} ({lang:?})", template.name());
            }
        }
    }

    #[test]
    fn each_language_has_every_template_with_the_variables_of_the_german_one() {
        fn names(sources: &[(&str, &str)]) -> Vec<String> {
            sources.iter().map(|(name, _)| (*name).to_owned()).collect()
        }
        assert_eq!(names(GERMAN), names(ENGLISH));
        let templates = MailTemplates::new();
        let variables = |lang: Lang, name: &str| -> BTreeSet<String> {
            let template = templates.environment(lang).get_template(name).unwrap_or_else(|e| panic!("{name} ({lang:?}): {e}"));
            template.undeclared_variables(true).into_iter().collect()
        };
        let mut differing = Vec::new();
        for (name, _) in GERMAN {
            let (german, english) = (variables(Lang::De, name), variables(Lang::En, name));
            if german != english {
                differing.push(format!("{name}: only German {:?}, only English {:?}", german.difference(&english).collect::<Vec<_>>(), english.difference(&german).collect::<Vec<_>>()));
            }
        }
        assert!(differing.is_empty(), "the languages use different variables:\n{}", differing.join("\n"));
    }

    #[test]
    fn the_english_mail_is_not_the_german_one() {
        let templates = MailTemplates::new();
        let context = full_context();
        for template in MailTemplate::ALL {
            let german = templates.render(template, Lang::De, &context).unwrap();
            let english = templates.render(template, Lang::En, &context).unwrap();
            assert_ne!(german.text, english.text, "{}", template.name());
            assert_ne!(german.html, english.html, "{}", template.name());
        }
        let english = templates.render(MailTemplate::Invitation, Lang::En, &context).unwrap();
        assert_eq!(english.subject, "Your access to the customer portal of Muster <GmbH>");
        assert!(english.html.contains("Customer portal · Muster &lt;GmbH&gt;"));
        let german = templates.render(MailTemplate::PasswordExpiry, Lang::De, &context).unwrap();
        assert!(german.text.contains("läuft in 14 Tagen ab, am 31.01.2027 um 00:00 Uhr."), "{}", german.text);
    }

    #[test]
    fn subjects_cannot_carry_a_line_break() {
        let templates = MailTemplates::new();
        // A key given before a spread context wins over the spread one.
        let context = minijinja::context! { operator_name => "A\r\nBcc: evil@example.com", ..full_context() };
        for lang in Lang::ALL {
            let mail = templates.render(MailTemplate::Invitation, lang, &context).unwrap();
            assert!(mail.subject.contains("Bcc"), "{lang:?}: the operator's name is in the subject");
            assert!(!mail.subject.contains('\n') && !mail.subject.contains('\r'));
        }
    }

    #[test]
    fn a_variable_the_caller_did_not_provide_is_an_error() {
        let templates = MailTemplates::new();
        let full = full_context();
        let context: std::collections::BTreeMap<String, Value> = full
            .try_iter()
            .unwrap()
            .filter(|key| key.as_str() != Some("username"))
            .map(|key| (key.to_string(), full.get_item(&key).unwrap()))
            .collect();
        for lang in Lang::ALL {
            assert!(templates.render(MailTemplate::Invitation, lang, &full).is_ok());
            let error = templates.render(MailTemplate::Invitation, lang, &Value::from_serialize(&context));
            assert!(matches!(error, Err(MailError::Render("invitation", _))), "{lang:?}");
        }
    }
}
