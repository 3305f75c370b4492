//! The principal a request acts as, and the vocabulary of authorization checks.

/// The identity behind a request. Anonymous requests may still log in and introspect.
#[derive(Debug, Clone)]
pub enum Principal {
    Anonymous,
    Staff(StaffPrincipal),
    /// A contact signed in to the client portal. Only the portal endpoint resolves these.
    Portal(PortalPrincipal),
    /// Portico itself, for start-up tasks such as loading demo data; it holds the admin role.
    System,
}

#[derive(Debug, Clone)]
pub struct StaffPrincipal {
    pub user_id: i64,
    pub name: String,
    /// The session this principal came from, so `logout` can end exactly it.
    pub session_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct PortalPrincipal {
    pub contact_id: i64,
    pub name: String,
    pub session_id: i64,
    /// The organisation the user works for now: one of those they are related to, or `None`
    /// when they are related to none.
    pub organisation_id: Option<i64>,
}

impl Principal {
    /// The Casbin subject of a principal.
    pub fn subject(&self) -> Option<String> {
        match self {
            Principal::Anonymous => None,
            Principal::Staff(s) => Some(format!("user:{}", s.user_id)),
            Principal::Portal(_) => Some("role:portal".to_owned()),
            Principal::System => Some("role:admin".to_owned()),
        }
    }
}

/// The kinds of object a policy speaks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Object {
    Contact,
    Case,
    Deal,
    Relationship,
    FieldDefinition,
    StaffUser,
    PermissionGroup,
    ApiToken,
    AuditLog,
    /// Granting clients portal access (the "portal" setting of a permission group).
    Portal,
    /// Cases as a portal user sees them: only through an access grant.
    PortalCase,
    /// The emails' templates; admins only.
    EmailTemplate,
    /// The firm's name, colour, logo; admins only.
    Branding,
}

impl Object {
    pub fn as_str(self) -> &'static str {
        match self {
            Object::Contact => "contact",
            Object::Case => "case",
            Object::Deal => "deal",
            Object::Relationship => "relationship",
            Object::FieldDefinition => "field_definition",
            Object::StaffUser => "staff_user",
            Object::PermissionGroup => "permission_group",
            Object::ApiToken => "api_token",
            Object::AuditLog => "audit_log",
            Object::Portal => "portal",
            Object::PortalCase => "portal_case",
            Object::EmailTemplate => "email_template",
            Object::Branding => "branding",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Read,
    Create,
    Update,
    Delete,
    Manage,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Manage => "manage",
        }
    }
}
