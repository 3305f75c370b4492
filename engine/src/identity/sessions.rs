//! Sessions and API tokens: issuing, resolving and ending them, with a per-process cache that
//! is dropped whenever any process changes who may log in (the auth version).

use super::principal::{Principal, StaffPrincipal};
use super::staff::StaffUser;
use crate::db::Exec;
use crate::db::now_micros;
use crate::db::tables::{Sessions, StaffUsers};
use crate::error::Result;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicI64, Ordering};

/// How long a staff session lasts.
pub const STAFF_SESSION_MICROS: i64 = 12 * 3600 * 1_000_000;

#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub expires_at: i64,
}

struct Entry {
    principal: Principal,
    expires_at: Option<i64>,
}

pub struct SessionCache {
    version: AtomicI64,
    entries: RwLock<HashMap<String, Entry>>,
    /// Staff users by id: every case and deal names its owner, and the table is small. Any
    /// change to a staff user bumps the auth version, which empties this too.
    users: RwLock<HashMap<i64, StaffUser>>,
    /// The owner of cases opened on the portal (`Some(None)`: there is none).
    default_owner: RwLock<Option<Option<i64>>>,
    /// When this process last wrote each API token's "last used" time, by token hash.
    touched: std::sync::Mutex<HashMap<String, i64>>,
}

impl SessionCache {
    pub fn new(version: i64) -> Self {
        SessionCache {
            version: AtomicI64::new(version),
            entries: RwLock::new(HashMap::new()),
            users: RwLock::new(HashMap::new()),
            default_owner: RwLock::new(None),
            touched: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// Whether a token's use at `now` should be written: not within `precision` of the last
    /// write this process made for it.
    pub(crate) fn should_touch(&self, hash: &str, now: i64, precision: i64) -> bool {
        let Ok(mut touched) = self.touched.lock() else {
            return false;
        };
        match touched.get(hash) {
            Some(at) if now - at < precision => false,
            _ => {
                if touched.len() > 10_000 {
                    touched.clear();
                }
                touched.insert(hash.to_owned(), now);
                true
            }
        }
    }

    pub fn version(&self) -> i64 {
        self.version.load(Ordering::Acquire)
    }

    /// Forgets everything when the auth version moved.
    pub fn observe(&self, version: i64) {
        if self.version.swap(version, Ordering::AcqRel) != version {
            if let Ok(mut entries) = self.entries.write() {
                entries.clear();
            }
            if let Ok(mut users) = self.users.write() {
                users.clear();
            }
            if let Ok(mut owner) = self.default_owner.write() {
                *owner = None;
            }
        }
    }

    pub(crate) fn default_owner(&self) -> Option<Option<i64>> {
        *self.default_owner.read().ok()?
    }

    pub(crate) fn put_default_owner(&self, owner: Option<i64>) {
        if let Ok(mut o) = self.default_owner.write() {
            *o = Some(owner);
        }
    }

    pub(crate) fn user(&self, id: i64) -> Option<StaffUser> {
        self.users.read().ok()?.get(&id).cloned()
    }

    pub(crate) fn put_user(&self, user: StaffUser) {
        if let Ok(mut users) = self.users.write() {
            if users.len() > 10_000 {
                users.clear();
            }
            users.insert(user.id, user);
        }
    }

    pub(crate) fn get(&self, hash: &str) -> Option<Principal> {
        let entries = self.entries.read().ok()?;
        let e = entries.get(hash)?;
        match e.expires_at {
            Some(t) if t <= now_micros() => None,
            _ => Some(e.principal.clone()),
        }
    }

    pub(crate) fn put(&self, hash: String, principal: Principal, expires_at: Option<i64>) {
        if let Ok(mut entries) = self.entries.write() {
            // A bound on memory; a full cache just starts over.
            if entries.len() > 10_000 {
                entries.clear();
            }
            entries.insert(
                hash,
                Entry {
                    principal,
                    expires_at,
                },
            );
        }
    }
}

/// Resolves a token hash to an active staff user, from a session or an API token.
pub(crate) async fn lookup_staff(
    db: &impl Exec,
    hash: &str,
    is_api_token: bool,
) -> Result<Option<(Principal, Option<i64>)>> {
    let (user_id, session_id, expires_at): (i64, Option<i64>, Option<i64>) = if is_api_token {
        match super::api_tokens::lookup(db, hash).await? {
            Some((user_id, expires_at)) => (user_id, None, expires_at),
            None => return Ok(None),
        }
    } else {
        let q = Query::select()
            .columns([Sessions::SubjectId, Sessions::Id, Sessions::ExpiresAt])
            .from(Sessions::Table)
            .and_where(Expr::col(Sessions::TokenHash).eq(hash))
            .and_where(Expr::col(Sessions::Audience).eq("staff"))
            .and_where(Expr::col(Sessions::ExpiresAt).gt(now_micros()))
            .to_owned();
        match db.query_one(&q).await? {
            Some(row) => (row.get(0)?, Some(row.get(1)?), Some(row.get(2)?)),
            None => return Ok(None),
        }
    };
    let q = Query::select()
        .columns([StaffUsers::Name, StaffUsers::Active])
        .from(StaffUsers::Table)
        .and_where(Expr::col(StaffUsers::Id).eq(user_id))
        .to_owned();
    let Some(row) = db.query_one(&q).await? else {
        return Ok(None);
    };
    let active: bool = row.get(1)?;
    if !active {
        return Ok(None);
    }
    let principal = Principal::Staff(StaffPrincipal {
        user_id,
        name: row.get(0)?,
        session_id,
    });
    Ok(Some((principal, expires_at)))
}

pub(crate) async fn insert_session(
    db: &impl Exec,
    audience: &str,
    subject_id: i64,
    hash: &str,
    expires_at: i64,
) -> Result<()> {
    let q = Query::insert()
        .into_table(Sessions::Table)
        .columns([
            Sessions::TokenHash,
            Sessions::Audience,
            Sessions::SubjectId,
            Sessions::ExpiresAt,
            Sessions::CreatedAt,
        ])
        .values_panic([
            hash.into(),
            audience.into(),
            subject_id.into(),
            expires_at.into(),
            now_micros().into(),
        ])
        .to_owned();
    db.execute(&q).await?;
    // Expired sessions are of no use to anyone.
    let q = Query::delete()
        .from_table(Sessions::Table)
        .and_where(Expr::col(Sessions::ExpiresAt).lt(now_micros()))
        .to_owned();
    db.execute(&q).await?;
    Ok(())
}

pub(crate) async fn delete_session(db: &impl Exec, id: i64) -> Result<()> {
    let q = Query::delete()
        .from_table(Sessions::Table)
        .and_where(Expr::col(Sessions::Id).eq(id))
        .to_owned();
    db.execute(&q).await?;
    Ok(())
}

/// Ends a staff user's sessions, all of them or all but `except`.
pub(crate) async fn end_sessions(db: &impl Exec, user_id: i64, except: Option<i64>) -> Result<()> {
    let mut q = Query::delete();
    q.from_table(Sessions::Table)
        .and_where(Expr::col(Sessions::Audience).eq("staff"))
        .and_where(Expr::col(Sessions::SubjectId).eq(user_id));
    if let Some(id) = except {
        q.and_where(Expr::col(Sessions::Id).ne(id));
    }
    db.execute(&q).await?;
    Ok(())
}
