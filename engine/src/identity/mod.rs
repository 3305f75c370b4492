//! Who is asking: staff users and their groups, sessions, API tokens, passwords and the login
//! throttle.

mod password;
mod principal;
mod sessions;
mod staff;
mod throttle;
mod tokens;

pub(crate) use password::{check_strength, decoy_hash, hash_password, verify_password};
pub use principal::{Action, Object, Principal, StaffPrincipal};
pub use service::Bootstrap;
pub use sessions::{Session, SessionCache};
pub use staff::{
    ApiToken, NewPermissionGroup, NewStaffUser, PermissionGroup, StaffUser, StaffUserChange,
};
pub use tokens::{hex, unhex};

pub(crate) use throttle::Throttle;
pub(crate) use tokens::{hash_token, new_token, random_hex};
mod service;
