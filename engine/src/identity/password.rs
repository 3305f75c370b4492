//! Password hashing with argon2id and its default (OWASP-recommended) parameters.

use crate::error::{EngineError, Result};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand_core::OsRng;

pub const MIN_PASSWORD_CHARS: usize = 10;

pub(crate) fn check_strength(password: &str, field: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(EngineError::validation(
            field,
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if password.len() > 1024 {
        return Err(EngineError::validation(field, "must be at most 1024 bytes"));
    }
    Ok(())
}

/// Hashing is CPU-bound (tens of milliseconds); callers run it off the async threads.
pub(crate) fn hash_password(password: &str) -> Result<String> {
    check_strength(password, "password")?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| EngineError::Internal(format!("hashing: {e}")))
}

pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash that matches no password: verified against when the account does not exist, so a
/// login takes as long for an unknown email as for a wrong password.
pub(crate) fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let (random, _) = super::new_token("");
        hash_password(&random).unwrap_or_default()
    })
}
