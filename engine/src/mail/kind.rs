//! Every email Portico sends, named once. The outbox stores the key, the theme holds a
//! template per kind and language (a theme test renders every kind in both languages, so a
//! kind without templates fails it), and the admin API's `EmailKind` enum is made from
//! [`EmailKind::ALL`].

crate::vocabulary::vocabulary! {
    /// The emails Portico sends.
    pub enum EmailKind {
        /// Portal access was switched on: choose a password.
        Invitation = "invitation",
        /// Access to one case was granted.
        CaseAccess = "case_access",
        /// A portal user asked to reset their password.
        PasswordReset = "password_reset",
        /// To staff: a client did something on a case's portal (uploaded, opened a case).
        PortalActivity = "portal_activity",
        /// To a portal user's old address: their login email was changed.
        LoginEmailChanged = "login_email_changed",
        /// To a new staff user: choose your password.
        StaffInvitation = "staff_invitation",
        /// To a client: the firm asks for documents, answers or a signature.
        ClientRequest = "client_request",
        /// To a client: staff returned what they sent, saying what to do again.
        ClientRequestReturned = "client_request_returned",
        /// To a client: a request is due soon, due today, or late.
        ClientRequestReminder = "client_request_reminder",
        /// To a client: staff wrote to them on a case (answerable by email).
        CaseMessage = "case_message",
        /// To a client: staff shared documents with them.
        DocumentsShared = "documents_shared",
        /// To a client: a case of theirs changed status.
        CaseStatusChanged = "case_status_changed",
        /// To a client: the day's news on their cases, in one email.
        ClientDigest = "client_digest",
    }
}

/// What every email may also use: the firm's brand as it is when the email is sent.
pub const BRAND_VARIABLES: [&str; 3] = ["brand.name", "brand.color", "brand.logo_url"];

impl EmailKind {
    /// The values this email is sent with, as a template names them: what the template editor
    /// lists and its preview offers (besides [`BRAND_VARIABLES`]). Each is set where the email
    /// is queued; a name here that the queueing code does not set fails the theme's tests.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            EmailKind::Invitation | EmailKind::PasswordReset => {
                &["contact_name", "email", "link", "expires_at"]
            }
            EmailKind::CaseAccess => &[
                "contact_name",
                "email",
                "link",
                "case_number",
                "case_subject",
                "invitation_link",
                "expires_at",
            ],
            EmailKind::PortalActivity => &[
                "contact_name",
                "email",
                "link",
                "case_number",
                "case_subject",
                "activity",
                "activities",
            ],
            EmailKind::LoginEmailChanged => {
                &["contact_name", "old_email", "new_email", "changed_by"]
            }
            EmailKind::StaffInvitation => {
                &["contact_name", "email", "invited_by", "link", "expires_at"]
            }
            EmailKind::ClientRequest => &[
                "contact_name",
                "email",
                "link",
                "case_number",
                "case_subject",
                "request_title",
                "instructions",
                "due_date",
                "asked_by",
            ],
            EmailKind::ClientRequestReturned => &[
                "contact_name",
                "email",
                "link",
                "case_number",
                "case_subject",
                "request_title",
                "comment",
                "due_date",
            ],
            EmailKind::ClientRequestReminder => &[
                "contact_name",
                "email",
                "link",
                "case_number",
                "case_subject",
                "request_title",
                "due_date",
                "overdue",
            ],
            EmailKind::CaseMessage => &[
                "contact_name",
                "email",
                "link",
                "case_number",
                "case_subject",
                "messages",
                "reply_to",
            ],
            EmailKind::DocumentsShared => &[
                "contact_name",
                "email",
                "link",
                "case_number",
                "case_subject",
                "documents",
                "shared_by",
            ],
            EmailKind::CaseStatusChanged => &[
                "contact_name",
                "email",
                "link",
                "case_number",
                "case_subject",
                "status",
                "previous_status",
            ],
            EmailKind::ClientDigest => &["contact_name", "email", "link", "cases"],
        }
    }

    /// The value in GraphQL's `EmailKind` enum (`CASE_ACCESS`).
    pub fn graphql_name(self) -> String {
        self.key().to_ascii_uppercase()
    }

    pub fn from_graphql_name(name: &str) -> Option<EmailKind> {
        EmailKind::ALL
            .iter()
            .copied()
            .find(|k| k.key().eq_ignore_ascii_case(name))
    }
}
