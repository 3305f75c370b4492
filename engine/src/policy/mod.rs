//! Authorization: Casbin decides whether a subject may perform an action on a kind of object.
//!
//! Policies live in `casbin_rule`. Changes are written as rows inside the transaction of the
//! change that causes them (a new user's groups, a group's settings) and bump the policy
//! version; every process then reloads its enforcer on its next request. Row-level scoping
//! (which records a portal user sees) is not here: it is part of the engine's queries.

mod adapter;

use crate::db::Exec;
use crate::db::tables::CasbinRule;
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};
use adapter::RuleTable;
use arc_swap::ArcSwap;
use casbin::prelude::*;
use sea_orm::DatabaseConnection;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const MODEL: &str = r#"
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && (p.obj == "*" || r.obj == p.obj) && (p.act == "*" || r.act == p.act)
"#;

/// What every staff user may do, and what admins may do. A permission group adds to these.
const DEFAULT_POLICIES: &[[&str; 3]] = &[
    ["role:admin", "*", "*"],
    ["role:staff", "contact", "*"],
    ["role:staff", "case", "*"],
    ["role:staff", "deal", "*"],
    ["role:staff", "relationship", "*"],
    ["role:staff", "audit_log", "read"],
    ["role:staff", "field_definition", "read"],
    ["role:staff", "staff_user", "read"],
    ["role:staff", "permission_group", "read"],
    ["role:staff", "api_token", "create"],
    ["role:portal", "portal_case", "read"],
    ["role:portal", "portal_case", "create"],
];

pub struct Policy {
    db: DatabaseConnection,
    enforcer: ArcSwap<Decider>,
}

/// An enforcer and the answers it gave. Casbin's `enforce` walks the matcher for every check
/// (a tenth of a portal page's instructions, at several checks per page); its answer depends
/// only on the request and the rules, and the rules of one enforcer never change, so each
/// answer is kept until a reload replaces the whole.
struct Decider {
    enforcer: Enforcer,
    decisions: Mutex<HashMap<(String, Object, Action), bool>>,
}

/// Answers kept at most (subjects × objects × actions); past it the memo starts again.
const MAX_DECISIONS: usize = 10_000;

impl Decider {
    /// The answers so far; a panic elsewhere while holding them leaves them valid.
    fn memo(&self) -> std::sync::MutexGuard<'_, HashMap<(String, Object, Action), bool>> {
        self.decisions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn allows(&self, subject: String, object: Object, action: Action) -> Result<bool> {
        let key = (subject, object, action);
        if let Some(known) = self.memo().get(&key) {
            return Ok(*known);
        }
        let allowed = self
            .enforcer
            .enforce((key.0.as_str(), object.as_str(), action.as_str()))?;
        let mut decisions = self.memo();
        if decisions.len() >= MAX_DECISIONS {
            decisions.clear();
        }
        decisions.insert(key, allowed);
        Ok(allowed)
    }
}

async fn build(db: &DatabaseConnection) -> Result<Decider> {
    let model = DefaultModel::from_str(MODEL).await?;
    Ok(Decider {
        enforcer: Enforcer::new(model, RuleTable::new(db.clone())).await?,
        decisions: Mutex::new(HashMap::new()),
    })
}

impl Policy {
    pub(crate) async fn load(db: &DatabaseConnection) -> Result<Self> {
        Ok(Policy {
            db: db.clone(),
            enforcer: ArcSwap::from_pointee(build(db).await?),
        })
    }

    /// Builds a fresh enforcer from the table and swaps it in; checks in flight finish on the
    /// old one.
    pub(crate) async fn reload(&self) -> Result<()> {
        self.enforcer.store(Arc::new(build(&self.db).await?));
        Ok(())
    }

    pub fn allows(&self, principal: &Principal, object: Object, action: Action) -> Result<bool> {
        let Some(subject) = principal.subject() else {
            return Ok(false);
        };
        self.enforcer.load().allows(subject, object, action)
    }

    /// `Ok` when allowed; `Unauthenticated` for anonymous requests, `Forbidden` otherwise.
    pub fn check(&self, principal: &Principal, object: Object, action: Action) -> Result<()> {
        if matches!(principal, Principal::Anonymous) {
            return Err(EngineError::Unauthenticated);
        }
        if self.allows(principal, object, action)? {
            Ok(())
        } else {
            Err(EngineError::Forbidden(format!(
                "you may not {} {}",
                action.as_str(),
                object.as_str().replace('_', " ")
            )))
        }
    }
}

/// Inserts the default policies the table lacks: all of them on a new installation, the ones a
/// new version added on an upgrade. Answers whether it inserted any.
pub(crate) async fn seed(db: &impl Exec) -> Result<bool> {
    let mut inserted = false;
    for rule in DEFAULT_POLICIES {
        let q = Query::select()
            .column(CasbinRule::Id)
            .from(CasbinRule::Table)
            .and_where(Expr::col(CasbinRule::Ptype).eq("p"))
            .and_where(Expr::col(CasbinRule::V0).eq(rule[0]))
            .and_where(Expr::col(CasbinRule::V1).eq(rule[1]))
            .and_where(Expr::col(CasbinRule::V2).eq(rule[2]))
            .limit(1)
            .to_owned();
        if db.query_one(&q).await?.is_none() {
            add_rule(db, "p", rule).await?;
            inserted = true;
        }
    }
    Ok(inserted)
}

pub(crate) async fn add_rule(db: &impl Exec, ptype: &str, values: &[&str]) -> Result<()> {
    db.execute(&adapter::insert_rule(ptype, values)).await?;
    Ok(())
}

/// Removes every rule of `ptype` whose first value is `subject`.
pub(crate) async fn remove_rules(db: &impl Exec, ptype: &str, subject: &str) -> Result<()> {
    db.execute(
        &Query::delete()
            .from_table(CasbinRule::Table)
            .and_where(Expr::col(CasbinRule::Ptype).eq(ptype))
            .and_where(Expr::col(CasbinRule::V0).eq(subject))
            .to_owned(),
    )
    .await?;
    Ok(())
}
