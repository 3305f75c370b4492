//! The address a staff reply's email can be answered at: one per case and contact, carrying
//! a code only this installation can make, so nobody can guess another conversation's address
//! or forge one for a case they cannot see.
//!
//! `reply+<case>-<contact>-<until>-<code>@<domain>`: `until` is the last day (since 1970) the
//! address is taken; the code is 80 bits of an HMAC of the rest. Lower case only, since mail
//! relays may change the case of an address's local part.

use crate::Engine;

/// Days an address keeps working after the email that carried it.
const VALID_DAYS: i64 = 180;
const PURPOSE: &str = "reply-address";
const DAY_MICROS: i64 = 86_400 * 1_000_000;

/// What a valid reply address leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyTarget {
    pub case_id: i64,
    pub contact_id: i64,
}

/// Why an address is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyAddress {
    Valid(ReplyTarget),
    /// Not one of ours at all.
    Unknown,
    /// Ours in form, but the code is wrong.
    Forged,
    Expired,
}

fn code(engine: &Engine, case_id: i64, contact_id: i64, until: i64) -> String {
    let mac = engine.sign(PURPOSE, &format!("{case_id}.{contact_id}.{until}"));
    mac[..20].to_owned()
}

impl Engine {
    /// The reply address for a contact on a case, when replies by email are received.
    pub(crate) fn reply_address(&self, case_id: i64, contact_id: i64) -> Option<String> {
        let domain = self.reply_domain.as_deref()?;
        let until = crate::now_micros() / DAY_MICROS + VALID_DAYS;
        let code = code(self, case_id, contact_id, until);
        Some(format!(
            "reply+{case_id}-{contact_id}-{until}-{code}@{domain}"
        ))
    }

    /// What an address mail arrived for stands for.
    pub fn read_reply_address(&self, address: &str) -> ReplyAddress {
        let lower = address.trim().trim_matches(['<', '>']).to_ascii_lowercase();
        let Some((local, _domain)) = lower.rsplit_once('@') else {
            return ReplyAddress::Unknown;
        };
        let Some(rest) = local.strip_prefix("reply+") else {
            return ReplyAddress::Unknown;
        };
        let parts: Vec<&str> = rest.split('-').collect();
        let [case, contact, until, given] = parts.as_slice() else {
            return ReplyAddress::Unknown;
        };
        let (Ok(case_id), Ok(contact_id), Ok(until)) = (
            case.parse::<i64>(),
            contact.parse::<i64>(),
            until.parse::<i64>(),
        ) else {
            return ReplyAddress::Unknown;
        };
        let expected = code(self, case_id, contact_id, until);
        if !crate::same_secret(expected.as_bytes(), given.as_bytes()) {
            return ReplyAddress::Forged;
        }
        if crate::now_micros() / DAY_MICROS > until {
            return ReplyAddress::Expired;
        }
        ReplyAddress::Valid(ReplyTarget {
            case_id,
            contact_id,
        })
    }
}
