//! Who is asking: staff users and their groups, sessions, API tokens, passwords and the login
//! throttle.

mod api_tokens;
mod invitations;
mod password;
mod principal;
mod sessions;
pub(crate) mod staff;
mod throttle;
mod tokens;

pub use invitations::StaffLink;
pub(crate) use password::{check_strength, decoy_hash, hash_password, verify_password};
pub use principal::{Action, Object};
pub(crate) use principal::{PortalPrincipal, Principal};
pub use service::Bootstrap;
pub(crate) use sessions::{STAFF_SESSION_MICROS, delete_session, insert_session};
pub use sessions::{Session, SessionCache};
pub use staff::{
    ApiToken, NewPermissionGroup, NewStaffUser, PermissionGroup, StaffUser, StaffUserChange,
};
pub use tokens::{hex, random_token, unhex};

pub(crate) use throttle::{Throttle, count_in_window, uncount};
pub(crate) use tokens::{hash_token, new_token, random_hex};
mod service;
pub(crate) use service::{hash_off_thread, verify_off_thread};

/// An IANA time zone name (`Europe/Madrid`), as stored; a refusal names `timeZone`.
pub(crate) fn check_time_zone(zone: &str) -> crate::error::Result<String> {
    let zone = zone.trim();
    zone.parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| {
            crate::error::EngineError::validation(
                "timeZone",
                format!("`{zone}` is not a time zone name (like Europe/Madrid)"),
            )
        })
}
