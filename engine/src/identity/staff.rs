//! Staff users, permission groups and API tokens as stored, and the Casbin rules that a user's
//! groups translate into.

use crate::db::now_micros;
use crate::db::tables::{PermissionGroups, StaffUserGroups, StaffUsers};
use crate::db::{Exec, Row};
use crate::error::{EngineError, Result};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order, Query};

#[derive(Debug, Clone, PartialEq)]
pub struct StaffUser {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub group_ids: Vec<i64>,
    pub created_at: i64,
    /// The UI language they chose (`es`, `en`); `None` until they choose.
    pub language: Option<String>,
    /// Invited by email and not yet signed up: no password works until they choose one.
    pub invitation_pending: bool,
    /// For the dates in their emails; `None` until their browser tells it.
    pub time_zone: Option<String>,
}

/// The languages the staff UI and staff emails are written in.
pub const STAFF_LANGUAGES: &[&str] = &["es", "en"];

#[derive(Debug, Clone, PartialEq)]
pub struct PermissionGroup {
    pub id: i64,
    pub name: String,
    pub admin: bool,
    pub portal_access: bool,
}

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// Present only in the answer to its creation.
    pub token: Option<String>,
    pub user_id: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct NewStaffUser {
    pub name: String,
    pub email: String,
    /// `None`: the user chooses their own from an emailed link.
    pub password: Option<String>,
    pub groups: Vec<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct StaffUserChange {
    pub name: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub active: Option<bool>,
    pub groups: Option<Vec<i64>>,
}

#[derive(Debug, Clone, Default)]
pub struct NewPermissionGroup {
    pub name: String,
    pub admin: bool,
    pub portal_access: bool,
}

pub(crate) fn check_name(name: &str, field: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(EngineError::validation(
            field,
            "must be between 1 and 200 characters",
        ));
    }
    Ok(name.to_owned())
}

/// A deliberately simple check: one `@`, something on both sides, a dot in the domain. The
/// real proof of an address is the mail that reaches it.
pub(crate) fn check_email(email: &str, field: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        });
    if !valid {
        return Err(EngineError::validation(field, "must be an email address"));
    }
    Ok(email)
}

pub(crate) async fn user_groups(db: &impl Exec, user_id: i64) -> Result<Vec<i64>> {
    let q = Query::select()
        .column(StaffUserGroups::GroupId)
        .from(StaffUserGroups::Table)
        .and_where(Expr::col(StaffUserGroups::UserId).eq(user_id))
        .order_by(StaffUserGroups::GroupId, Order::Asc)
        .to_owned();
    crate::db::ids(db, &q).await
}

fn user_from_row(row: &Row) -> Result<StaffUser> {
    Ok(StaffUser {
        id: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        active: row.get(3)?,
        group_ids: Vec::new(),
        created_at: row.get(4)?,
        language: row.get(5)?,
        time_zone: row.get(6)?,
        invitation_pending: row.get(7)?,
    })
}

const USER_COLUMNS: [StaffUsers; 7] = [
    StaffUsers::Id,
    StaffUsers::Name,
    StaffUsers::Email,
    StaffUsers::Active,
    StaffUsers::CreatedAt,
    StaffUsers::Language,
    StaffUsers::TimeZone,
];

/// Whether the account still waits for its owner's password (read after [`USER_COLUMNS`]).
fn pending() -> sea_orm::sea_query::SimpleExpr {
    Expr::col(StaffUsers::PasswordHash).eq(super::invitations::PENDING_PASSWORD)
}

/// The active staff users in an administrators' group, oldest first: the portal's default
/// case owner is the first, and all are told when an email template fails.
pub(crate) async fn active_admins(db: &impl Exec) -> Result<Vec<i64>> {
    let q = Query::select()
        .distinct()
        .column(("u", StaffUsers::Id))
        .from_as(StaffUsers::Table, "u")
        .join_as(
            JoinType::InnerJoin,
            StaffUserGroups::Table,
            "m",
            Expr::col(("m", StaffUserGroups::UserId)).equals(("u", StaffUsers::Id)),
        )
        .join_as(
            JoinType::InnerJoin,
            PermissionGroups::Table,
            "g",
            Expr::col(("g", PermissionGroups::Id)).equals(("m", StaffUserGroups::GroupId)),
        )
        .and_where(Expr::col(("g", PermissionGroups::Admin)).eq(true))
        .and_where(Expr::col(("u", StaffUsers::Active)).eq(true))
        .order_by(("u", StaffUsers::Id), Order::Asc)
        .to_owned();
    crate::db::ids(db, &q).await
}

pub(crate) async fn find_user(db: &impl Exec, id: i64) -> Result<Option<StaffUser>> {
    let q = Query::select()
        .columns(USER_COLUMNS)
        .expr(pending())
        .from(StaffUsers::Table)
        .and_where(Expr::col(StaffUsers::Id).eq(id))
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => {
            let mut user = user_from_row(&row)?;
            user.group_ids = user_groups(db, id).await?;
            Ok(Some(user))
        }
        None => Ok(None),
    }
}

pub(crate) async fn all_users(db: &impl Exec) -> Result<Vec<StaffUser>> {
    let q = Query::select()
        .columns(USER_COLUMNS)
        .expr(pending())
        .from(StaffUsers::Table)
        .order_by(StaffUsers::Name, Order::Asc)
        .order_by(StaffUsers::Id, Order::Asc)
        .to_owned();
    let mut users = db
        .query_all(&q)
        .await?
        .iter()
        .map(user_from_row)
        .collect::<Result<Vec<_>>>()?;
    let links = Query::select()
        .columns([StaffUserGroups::UserId, StaffUserGroups::GroupId])
        .from(StaffUserGroups::Table)
        .order_by(StaffUserGroups::GroupId, Order::Asc)
        .to_owned();
    for row in db.query_all(&links).await? {
        let user_id: i64 = row.get(0)?;
        let group_id: i64 = row.get(1)?;
        if let Some(u) = users.iter_mut().find(|u| u.id == user_id) {
            u.group_ids.push(group_id);
        }
    }
    Ok(users)
}

/// (id, password hash, active) of the account with this email.
pub(crate) async fn credentials(
    db: &impl Exec,
    email: &str,
) -> Result<Option<(i64, String, bool)>> {
    let q = Query::select()
        .columns([StaffUsers::Id, StaffUsers::PasswordHash, StaffUsers::Active])
        .from(StaffUsers::Table)
        .and_where(Expr::col(StaffUsers::Email).eq(email.trim().to_lowercase()))
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => Ok(Some((row.get(0)?, row.get(1)?, row.get(2)?))),
        None => Ok(None),
    }
}

pub(crate) async fn email_taken(db: &impl Exec, email: &str, except: Option<i64>) -> Result<bool> {
    let mut q = Query::select();
    q.column(StaffUsers::Id)
        .from(StaffUsers::Table)
        .and_where(Expr::col(StaffUsers::Email).eq(email));
    if let Some(id) = except {
        q.and_where(Expr::col(StaffUsers::Id).ne(id));
    }
    Ok(db.query_one(&q).await?.is_some())
}

pub(crate) async fn insert_user(
    db: &impl Exec,
    name: &str,
    email: &str,
    password_hash: &str,
) -> Result<i64> {
    let now = now_micros();
    let q = Query::insert()
        .into_table(StaffUsers::Table)
        .columns([
            StaffUsers::Name,
            StaffUsers::Email,
            StaffUsers::PasswordHash,
            StaffUsers::Active,
            StaffUsers::CreatedAt,
            StaffUsers::UpdatedAt,
        ])
        .values_panic([
            name.into(),
            email.into(),
            password_hash.into(),
            true.into(),
            now.into(),
            now.into(),
        ])
        .returning_col(StaffUsers::Id)
        .to_owned();
    crate::db::insert_id(db, &q).await
}

/// Replaces a user's memberships, in the table and as Casbin grouping rules.
pub(crate) async fn add_user_to_groups(db: &impl Exec, user_id: i64, groups: &[i64]) -> Result<()> {
    let known: Vec<i64> = all_groups(db).await?.iter().map(|g| g.id).collect();
    for g in groups {
        if !known.contains(g) {
            return Err(EngineError::validation(
                "groups",
                format!("there is no permission group {g}"),
            ));
        }
    }
    db.execute(
        &Query::delete()
            .from_table(StaffUserGroups::Table)
            .and_where(Expr::col(StaffUserGroups::UserId).eq(user_id))
            .to_owned(),
    )
    .await?;
    let subject = format!("user:{user_id}");
    crate::policy::remove_rules(db, "g", &subject).await?;
    crate::policy::add_rule(db, "g", &[&subject, "role:staff"]).await?;
    for g in groups {
        db.execute(
            &Query::insert()
                .into_table(StaffUserGroups::Table)
                .columns([StaffUserGroups::UserId, StaffUserGroups::GroupId])
                .values_panic([user_id.into(), (*g).into()])
                .to_owned(),
        )
        .await?;
        crate::policy::add_rule(db, "g", &[&subject, &format!("group:{g}")]).await?;
    }
    Ok(())
}

fn group_from_row(row: &Row) -> Result<PermissionGroup> {
    Ok(PermissionGroup {
        id: row.get(0)?,
        name: row.get(1)?,
        admin: row.get(2)?,
        portal_access: row.get(3)?,
    })
}

pub(crate) async fn all_groups(db: &impl Exec) -> Result<Vec<PermissionGroup>> {
    let q = Query::select()
        .columns([
            PermissionGroups::Id,
            PermissionGroups::Name,
            PermissionGroups::Admin,
            PermissionGroups::PortalAccess,
        ])
        .from(PermissionGroups::Table)
        .order_by(PermissionGroups::Id, Order::Asc)
        .to_owned();
    db.query_all(&q).await?.iter().map(group_from_row).collect()
}

/// The Casbin rules that give a group its settings.
pub(crate) async fn group_rules(db: &impl Exec, group: &PermissionGroup) -> Result<()> {
    let subject = format!("group:{}", group.id);
    crate::policy::remove_rules(db, "p", &subject).await?;
    crate::policy::remove_rules(db, "g", &subject).await?;
    if group.admin {
        crate::policy::add_rule(db, "g", &[&subject, "role:admin"]).await?;
    }
    if group.portal_access {
        crate::policy::add_rule(db, "p", &[&subject, "portal", "manage"]).await?;
    }
    Ok(())
}

pub(crate) async fn insert_group(
    db: &impl Exec,
    new: &NewPermissionGroup,
) -> Result<PermissionGroup> {
    let name = check_name(&new.name, "name")?;
    let exists = Query::select()
        .column(PermissionGroups::Id)
        .from(PermissionGroups::Table)
        .and_where(Expr::col(PermissionGroups::Name).eq(name.clone()))
        .to_owned();
    if db.query_one(&exists).await?.is_some() {
        return Err(EngineError::conflict(format!(
            "a permission group named `{name}` exists"
        )));
    }
    let q = Query::insert()
        .into_table(PermissionGroups::Table)
        .columns([
            PermissionGroups::Name,
            PermissionGroups::Admin,
            PermissionGroups::PortalAccess,
            PermissionGroups::CreatedAt,
        ])
        .values_panic([
            name.clone().into(),
            new.admin.into(),
            new.portal_access.into(),
            now_micros().into(),
        ])
        .returning_col(PermissionGroups::Id)
        .to_owned();
    let id = crate::db::insert_id(db, &q).await?;
    let group = PermissionGroup {
        id,
        name,
        admin: new.admin,
        portal_access: new.portal_access,
    };
    group_rules(db, &group).await?;
    Ok(group)
}
