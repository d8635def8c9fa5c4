//! Text that may carry a secret, made fit for a message or a log.

/// A URL fit for a message or a log: the user and host stay, the password
/// and the parameters (which may carry keys) do not.
pub fn redact_url(url: &str) -> String {
    let without_query = url.split('?').next().unwrap_or_default();
    match (without_query.find("://"), without_query.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let user = without_query[scheme_end + 3..at].split(':').next().unwrap_or_default();
            format!("{}{user}@{}", &without_query[..scheme_end + 3], &without_query[at + 1..])
        }
        _ => without_query.to_owned(),
    }
}
