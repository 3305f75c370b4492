//! Secret tokens: random, shown to their owner once, stored only as a SHA-256 hash so a leaked
//! database cannot be replayed.

use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// `N` random bytes from the operating system, hex-encoded.
pub(crate) fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// 32 random bytes in hex, from the operating system: for tokens the edge makes itself (a
/// form's CSRF token).
pub fn random_token() -> String {
    random_hex::<32>()
}

/// A new token with a prefix that says what it is (`pst_` staff session, `pat_` API token).
pub(crate) fn new_token(prefix: &str) -> (String, String) {
    let token = format!("{prefix}{}", random_hex::<32>());
    let hash = hash_token(&token);
    (token, hash)
}

pub(crate) fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_tokens_differ() {
        assert_eq!(
            unhex(&hex(b"\x00\xffab")).as_deref(),
            Some(&b"\x00\xffab"[..])
        );
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
        let (a, ha) = new_token("pst_");
        let (b, _) = new_token("pst_");
        assert_ne!(a, b);
        assert!(a.starts_with("pst_") && a.len() == 68);
        assert_eq!(hash_token(&a), ha);
    }
}
