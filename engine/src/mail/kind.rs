//! Every email Portico sends, named once. The outbox stores the key, the theme holds a
//! template per kind and language (matched exhaustively, so a kind without templates does
//! not compile), and the admin API's `EmailKind` enum is made from [`EmailKind::ALL`].

/// The emails Portico sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmailKind {
    /// Portal access was switched on: choose a password.
    Invitation,
    /// Access to one case was granted.
    CaseAccess,
    /// A portal user asked to reset their password.
    PasswordReset,
    /// To staff: a client did something on a case's portal (uploaded, opened a case).
    PortalActivity,
    /// To a portal user's old address: their login email was changed.
    LoginEmailChanged,
}

impl EmailKind {
    pub const ALL: [EmailKind; 5] = [
        EmailKind::Invitation,
        EmailKind::CaseAccess,
        EmailKind::PasswordReset,
        EmailKind::PortalActivity,
        EmailKind::LoginEmailChanged,
    ];

    /// The stored key and template name (`case_access`).
    pub fn key(self) -> &'static str {
        match self {
            EmailKind::Invitation => "invitation",
            EmailKind::CaseAccess => "case_access",
            EmailKind::PasswordReset => "password_reset",
            EmailKind::PortalActivity => "portal_activity",
            EmailKind::LoginEmailChanged => "login_email_changed",
        }
    }

    pub fn from_key(key: &str) -> Option<EmailKind> {
        EmailKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The value in GraphQL's `EmailKind` enum (`CASE_ACCESS`).
    pub fn graphql_name(self) -> String {
        self.key().to_ascii_uppercase()
    }

    pub fn from_graphql_name(name: &str) -> Option<EmailKind> {
        EmailKind::ALL
            .into_iter()
            .find(|k| k.key().eq_ignore_ascii_case(name))
    }
}
