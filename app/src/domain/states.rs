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
