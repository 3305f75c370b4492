//! Switching a contact's "Portal user" field: who may, which contacts qualify, and that a
//! portal user's email belongs to no other contact (it is their login).
//!
//! Checked inside the write's transaction, against the contact as it will be after the write, so
//! that changing the email or the kind of a portal user is held to the same rules.

use super::read::Record;
use crate::db::Exec;
use crate::db::tables::Contacts;
use crate::error::{EngineError, RecordRef, Result};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use serde_json::{Map, Value};

pub(crate) const KEY: &str = "portalUser";

/// Whether a contact may be made a portal user: an individual with an email. Forms show the
/// "Portal user" switch only for those.
pub fn qualifies(contact: &Record) -> bool {
    contact.get("kind").as_str() == Some("Individual")
        && contact
            .get("email")
            .as_str()
            .is_some_and(|e| !e.trim().is_empty())
}

/// `allowed`: whether the acting principal has the portal permission. `current`: the contact
/// before an update (`None` on create).
pub(crate) async fn check(
    db: &impl Exec,
    allowed: bool,
    current: Option<&Record>,
    values: &Map<String, Value>,
) -> Result<()> {
    if values.contains_key(KEY) && !allowed {
        return Err(EngineError::Forbidden(
            "switching portal access needs a permission group with the portal setting".into(),
        ));
    }
    // What the contact will hold: the input, else what it holds now (a create's input comes
    // with the defaults the write fills in).
    let after = |key: &str| -> Value {
        values
            .get(key)
            .cloned()
            .or_else(|| current.map(|c| c.get(key).clone()))
            .unwrap_or(Value::Null)
    };
    let touched = [KEY, "kind", "email"]
        .iter()
        .any(|k| values.contains_key(*k));
    if !touched || after(KEY) != Value::Bool(true) {
        return Ok(());
    }
    if after("kind").as_str() != Some("Individual") {
        return Err(EngineError::NotQualified(
            "only an individual contact can be a portal user; an organisation gets portal users through its individual relationships".into(),
        ));
    }
    let email = after("email");
    let email = email.as_str().map(str::trim).unwrap_or_default();
    if email.is_empty() {
        return Err(EngineError::NotQualified(
            "a portal user needs an email address: it is their login".into(),
        ));
    }
    let others = others_with_email(db, email, current.map(|c| c.id)).await?;
    if others.is_empty() {
        Ok(())
    } else {
        Err(EngineError::PortalEmailConflict { contacts: others })
    }
}

/// A portal user's email is their login: changing it is a change of credentials. It needs the
/// portal permission (else anyone who may edit contacts could move a client's login to an
/// address they read, ask for a reset there, and take the account over). Answers the old
/// address when the login moves, for the caller to end the old credentials and tell it.
pub(crate) fn login_change(
    allowed: bool,
    current: &Record,
    values: &Map<String, Value>,
) -> Result<Option<String>> {
    let Some(new) = values.get("email") else {
        return Ok(None);
    };
    if current.get(KEY).as_bool() != Some(true) {
        return Ok(None);
    }
    let old = current
        .get("email")
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let new = new.as_str().unwrap_or_default().trim();
    if old.eq_ignore_ascii_case(new) {
        return Ok(None);
    }
    if !allowed {
        return Err(EngineError::Forbidden(
            "changing a portal user's email changes their login and needs a permission group with the portal setting".into(),
        ));
    }
    Ok(Some(old))
}

/// The contacts other than `except` whose email is `email`, compared without case.
pub(crate) async fn others_with_email(
    db: &impl Exec,
    email: &str,
    except: Option<i64>,
) -> Result<Vec<RecordRef>> {
    let mut q = Query::select();
    q.columns([Contacts::Id, Contacts::Name])
        .from(Contacts::Table)
        .and_where(
            Expr::expr(Func::lower(Expr::col(Contacts::Email))).eq(email.trim().to_lowercase()),
        )
        .limit(20);
    if let Some(id) = except {
        q.and_where(Expr::col(Contacts::Id).ne(id));
    }
    db.query_all(&q)
        .await?
        .iter()
        .map(|r| {
            Ok(RecordRef {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        })
        .collect()
}

/// A write that broke the database's guarantee (two portal users switched on with one email at
/// the same moment, each before the other committed) reads as the conflict the check reports.
pub(crate) async fn explain_unique_violation(
    db: &impl Exec,
    e: EngineError,
    email: Option<&str>,
    except: Option<i64>,
) -> EngineError {
    let Some(email) = email.filter(|_| e.is_unique_violation()) else {
        return e;
    };
    match others_with_email(db, email, except).await {
        Ok(contacts) if !contacts.is_empty() => EngineError::PortalEmailConflict { contacts },
        Ok(_) => e,
        Err(other) => other,
    }
}
