//! What rows record about a user and a forwarding, read by several
//! features: stored as words, bound and decoded as these enums
//! (`server::db::Words`).

/// A user's place in their customer: the main user, created with the
/// customer, who alone grants rights and touches the main user; or a further
/// user with the rights granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Role {
    Main,
    Sub,
}

impl Role {
    /// As the operator's user list names it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Main => "Hauptbenutzer",
            Role::Sub => "Benutzer",
        }
    }
}

/// A forwarding as stored: waiting for its recipient's confirmation, or
/// confirmed (only then does it forward). An unconfirmed one past its time
/// is still `Pending` in the row; the list calls it expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ForwardingState {
    Pending,
    Confirmed,
}

/// What a mail attaches of a document that carries an e-invoice: its PDF,
/// only the invoice XML, or both — a forwarding's choice
/// (`forwardings.sends`), and what a queued mail keeps
/// (`mail_outbox.attachment_parts`). A document without an e-invoice always
/// goes as its file, whatever was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum AttachmentParts {
    /// "PDF": what every forwarding sent before e-invoices.
    #[default]
    File,
    /// "nur die E-Rechnung (XML)": for an inbox that reads the XML.
    Xml,
    /// "PDF und E-Rechnung (XML)".
    Both,
}

impl AttachmentParts {
    pub const ALL: [AttachmentParts; 3] = [AttachmentParts::File, AttachmentParts::Xml, AttachmentParts::Both];

    /// As stored (`forwardings.sends`) and as the form sends it: the words
    /// of the mail's attachment parts (`file`, `xml`, `both`).
    pub fn key(self) -> &'static str {
        match self {
            AttachmentParts::File => "file",
            AttachmentParts::Xml => "xml",
            AttachmentParts::Both => "both",
        }
    }

    /// As the form and the list name it, in `lang`.
    pub fn label(self, lang: crate::i18n::Lang) -> String {
        match self {
            AttachmentParts::File => crate::t!(lang, "forwarding-sends-file"),
            AttachmentParts::Xml => crate::t!(lang, "forwarding-sends-xml"),
            AttachmentParts::Both => crate::t!(lang, "forwarding-sends-both"),
        }
    }

    /// The form's value; only the three it offers.
    pub fn parse(key: &str) -> Result<Self, super::InputError> {
        Self::ALL
            .into_iter()
            .find(|sends| sends.key() == key.trim())
            .ok_or_else(|| super::InputError::new(super::Refusal::AttachmentPartsUnknown).at("sends"))
    }
}

#[cfg(test)]
mod tests {
    use super::AttachmentParts;
    use crate::domain::{InputError, Refusal};

    #[test]
    fn what_a_forwarding_sends_is_one_of_the_three_offered() {
        for sends in AttachmentParts::ALL {
            assert_eq!(AttachmentParts::parse(sends.key()), Ok(sends));
        }
        assert_eq!(AttachmentParts::parse(" xml "), Ok(AttachmentParts::Xml));
        assert_eq!(AttachmentParts::default(), AttachmentParts::File, "the column's default");
        for refused in ["", "pdf", "XML", "both,xml"] {
            assert_eq!(AttachmentParts::parse(refused), Err(InputError::new(Refusal::AttachmentPartsUnknown).at("sends")), "{refused}");
        }
    }
}
