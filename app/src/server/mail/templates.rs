use super::MailError;
use minijinja::{Environment, Value};

/// Every mail the portal sends. Each has a subject, a text and an HTML
/// template under `templates/mail/`, compiled into the binary.
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

macro_rules! mail_sources {
    ($($name:literal),*) => {
        &[$(
            (concat!($name, ".subject.txt"), include_str!(concat!("../../../../templates/mail/", $name, ".subject.txt"))),
            (concat!($name, ".txt"), include_str!(concat!("../../../../templates/mail/", $name, ".txt"))),
            (concat!($name, ".html"), include_str!(concat!("../../../../templates/mail/", $name, ".html"))),
        )*]
    };
}

const SOURCES: &[(&str, &str)] = mail_sources!(
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
);
const LAYOUT: &str = include_str!("../../../../templates/mail/layout.html");

pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The compiled templates. HTML templates escape their values; text and
/// subject templates do not (they never become markup).
pub struct MailTemplates {
    env: Environment<'static>,
}

impl Default for MailTemplates {
    fn default() -> Self {
        Self::new()
    }
}

impl MailTemplates {
    pub fn new() -> Self {
        let mut env = Environment::new();
        // A variable the caller forgot is an error, not an empty gap in a mail.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_template("layout.html", LAYOUT).expect("layout template parses");
        for (name, source) in SOURCES {
            env.add_template(name, source).expect("mail template parses");
        }
        Self { env }
    }

    pub fn render(&self, template: MailTemplate, context: &Value) -> Result<RenderedMail, MailError> {
        let part = |suffix: &str| -> Result<String, MailError> {
            self.env
                .get_template(&format!("{}{suffix}", template.name()))
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

#[cfg(test)]
mod tests {
    use super::*;

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
            when => "in 14 Tagen",
            accounts => vec![minijinja::context! { username => "max", link => "http://127.0.0.1:3000/passwort-neu?token=abc" }],
            customer_name => "Max <script> GmbH",
            document => minijinja::context! { id => 1, type_name => "Rechnung", number => "max-1", created_on => "31.01.2026" },
            documents => vec![minijinja::context! { id => 1, type_name => "Rechnung", number => "max-1", created_on => "31.01.2026" }],
            count => 1,
            attached => true,
            size_mb => "1,0",
            limit_mb => "10,0",
            file_name => "Rechnung_max-1.pdf",
            unsubscribe_link => "http://127.0.0.1:3000/weiterleitung-beenden?token=abc",
            email => "max@example.com",
            types_label => "alle Typen",
            valid_days => 7,
            declined => false,
            by_operator => false,
            codes_left => 9,
        }
    }

    #[test]
    fn every_template_renders_and_html_escapes_user_data() {
        let templates = MailTemplates::new();
        let context = full_context();
        for template in MailTemplate::ALL {
            let mail = templates.render(template, &context).unwrap();
            assert!(!mail.subject.is_empty());
            assert!(mail.text.contains("max"));
            assert!(mail.html.contains("Max &lt;script&gt;"), "{}", template.name());
            assert!(!mail.html.contains("<script>"));
        }
    }

    #[test]
    fn subjects_cannot_carry_a_line_break() {
        let templates = MailTemplates::new();
        let context = minijinja::context! { ..full_context(), ..minijinja::context! { operator_name => "A\r\nBcc: evil@example.com" } };
        let mail = templates.render(MailTemplate::Invitation, &context).unwrap();
        assert!(!mail.subject.contains('\n') && !mail.subject.contains('\r'));
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
        assert!(templates.render(MailTemplate::Invitation, &full).is_ok());
        let error = templates.render(MailTemplate::Invitation, &Value::from_serialize(&context));
        assert!(matches!(error, Err(MailError::Render("invitation", _))));
    }
}
