//! Identity operations on the engine: logging in and out, resolving tokens, and the
//! administration of staff users, permission groups and API tokens.

use super::sessions::{
    STAFF_SESSION_MICROS, delete_session, end_sessions, insert_session, lookup_staff,
};
use super::staff::{self, check_email, check_name};
use super::{
    Action, NewPermissionGroup, NewStaffUser, Object, PermissionGroup, Principal, Session,
    StaffUser, StaffUserChange, check_strength, decoy_hash, hash_password, hash_token, new_token,
    verify_password,
};
use crate::Engine;
use crate::access::StaffHandle;
use crate::db::Exec;
use crate::db::now_micros;
use crate::db::tables::{PermissionGroups, StaffUsers};
use crate::error::{EngineError, Result};
use crate::state::{self, Counter};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use std::sync::Arc;

/// What the first start did about the first admin.
#[derive(Debug, Clone)]
pub enum Bootstrap {
    /// Staff users already existed.
    Existing,
    /// The admin was created with the configured password.
    Created { email: String },
    /// The admin was created with this generated password, to be shown once.
    Generated { email: String, password: String },
}

pub(crate) async fn hash_off_thread(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| EngineError::Internal(e.to_string()))?
}

pub(crate) async fn verify_off_thread(password: String, hash: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| EngineError::Internal(e.to_string()))
}

impl Engine {
    /// Creates the Administrators group and the first admin when there are no staff users.
    /// When another process starting at the same time got there first, there is nothing to do.
    pub(crate) async fn bootstrap_admin(
        &self,
        email: Option<&str>,
        password: Option<&str>,
    ) -> Result<Bootstrap> {
        match self.create_first_admin(email, password).await {
            Err(e) if e.is_unique_violation() => Ok(Bootstrap::Existing),
            other => other,
        }
    }

    async fn create_first_admin(
        &self,
        email: Option<&str>,
        password: Option<&str>,
    ) -> Result<Bootstrap> {
        let any = Query::select()
            .column(StaffUsers::Id)
            .from(StaffUsers::Table)
            .limit(1)
            .to_owned();
        if self.reader().query_one(&any).await?.is_some() {
            return Ok(Bootstrap::Existing);
        }
        let email = check_email(
            email.unwrap_or("admin@localhost.localdomain"),
            "PORTICO_ADMIN_EMAIL",
        )?;
        let (password, generated) = match password {
            Some(p) => {
                check_strength(p, "PORTICO_ADMIN_PASSWORD")?;
                (p.to_owned(), false)
            }
            None => (new_token("").0[..24].to_owned(), true),
        };
        let hash = hash_off_thread(password.clone()).await?;
        let txn = self.begin_write().await?;
        let groups = staff::all_groups(&txn).await?;
        let admin_group = match groups.iter().find(|g| g.admin) {
            Some(g) => g.clone(),
            None => {
                staff::insert_group(
                    &txn,
                    &NewPermissionGroup {
                        name: "Administrators".into(),
                        admin: true,
                        portal_access: true,
                    },
                )
                .await?
            }
        };
        let id = staff::insert_user(&txn, "Administrator", &email, &hash).await?;
        staff::add_user_to_groups(&txn, id, &[admin_group.id]).await?;
        state::bump(&txn, Counter::Policy).await?;
        txn.commit().await?;
        self.changed().await?;
        Ok(if generated {
            Bootstrap::Generated { email, password }
        } else {
            Bootstrap::Created { email }
        })
    }

    /// Checks the password and opens a session. Each attempt first takes its place in the
    /// account's count from its address (committed before the password is checked, so racing
    /// attempts count each other); past the limit even a right password from that address
    /// waits for the window to pass, while other addresses are not held up.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<Session> {
        let email = email.trim().to_lowercase();
        let txn = self.begin_write().await?;
        self.throttle
            .attempt(&txn, "staff", &email, address)
            .await?;
        txn.commit().await?;
        let found = staff::credentials(&self.reader(), &email).await?;
        let hash = found
            .as_ref()
            .map_or_else(|| decoy_hash().to_owned(), |(_, h, _)| h.clone());
        let ok = verify_off_thread(password.to_owned(), hash).await?;
        let user_id = match found {
            Some((id, _, true)) if ok => id,
            _ => {
                let txn = self.begin_write().await?;
                let refusal = self.throttle.failed(&txn, "staff", address).await?;
                txn.commit().await?;
                return Err(refusal);
            }
        };
        let (token, hash) = new_token("pst_");
        let expires_at = now_micros() + STAFF_SESSION_MICROS;
        let txn = self.begin_write().await?;
        self.throttle
            .succeeded(&txn, "staff", &email, address)
            .await?;
        insert_session(&txn, "staff", user_id, &hash, expires_at).await?;
        txn.commit().await?;
        Ok(Session { token, expires_at })
    }

    /// Ends the session the principal came with; API tokens have no session to end.
    pub(crate) async fn logout(&self, principal: &Principal) -> Result<bool> {
        let Principal::Staff(staff) = principal else {
            return Err(EngineError::Unauthenticated);
        };
        let Some(session_id) = staff.session_id else {
            return Ok(false);
        };
        let txn = self.begin_write().await?;
        delete_session(&txn, session_id).await?;
        state::bump(&txn, Counter::Auth).await?;
        txn.commit().await?;
        self.changed().await?;
        Ok(true)
    }

    /// The staff handle behind a bearer token or session cookie; `None` for a token that is
    /// unknown, expired, revoked, of another audience or of a deactivated user.
    pub async fn authenticate(self: &Arc<Self>, token: &str) -> Result<Option<StaffHandle>> {
        Ok(match self.authenticate_principal(token).await? {
            p @ Principal::Staff(_) => Some(StaffHandle::new(Arc::clone(self), p)),
            _ => None,
        })
    }

    /// The principal behind a token; unknown or expired tokens are anonymous.
    pub(crate) async fn authenticate_principal(&self, token: &str) -> Result<Principal> {
        let is_api = token.starts_with("pat_");
        if !is_api && !token.starts_with("pst_") {
            return Ok(Principal::Anonymous);
        }
        let hash = hash_token(token);
        let principal = match self.sessions.get(&hash) {
            Some(p) => p,
            None => match lookup_staff(&self.reader(), &hash, is_api).await? {
                Some((principal, expires_at)) => {
                    self.sessions
                        .put(hash.clone(), principal.clone(), expires_at);
                    principal
                }
                None => return Ok(Principal::Anonymous),
            },
        };
        if is_api {
            self.touch_api_token(&hash).await?;
        }
        Ok(principal)
    }

    pub(crate) async fn create_staff_user(
        &self,
        p: &Principal,
        new: NewStaffUser,
    ) -> Result<StaffUser> {
        self.authorize(p, Object::StaffUser, Action::Create)?;
        let name = check_name(&new.name, "name")?;
        let email = check_email(&new.email, "email")?;
        if let Some(password) = &new.password {
            check_strength(password, "password")?;
        }
        if staff::email_taken(&self.reader(), &email, None).await? {
            return Err(EngineError::Conflict {
                message: format!("a staff user with email {email} exists"),
                related: Vec::new(),
            });
        }
        let hash = match new.password {
            Some(password) => hash_off_thread(password).await?,
            None => super::invitations::PENDING_PASSWORD.to_owned(),
        };
        let invite = hash == super::invitations::PENDING_PASSWORD;
        let txn = self.begin_write().await?;
        // The check above answers the common case; two creates racing past it meet the
        // unique index, which must read as the same conflict, not as a failure.
        let id = staff::insert_user(&txn, &name, &email, &hash)
            .await
            .map_err(|e| email_conflict(e, &email))?;
        staff::add_user_to_groups(&txn, id, &new.groups).await?;
        if invite {
            self.invite_new_staff_user(p, &txn, id).await?;
        }
        state::bump(&txn, Counter::Policy).await?;
        state::bump(&txn, Counter::Auth).await?;
        txn.commit().await?;
        self.changed().await?;
        self.staff_user(p, id).await
    }

    pub(crate) async fn update_staff_user(
        &self,
        p: &Principal,
        id: i64,
        change: StaffUserChange,
    ) -> Result<StaffUser> {
        self.authorize(p, Object::StaffUser, Action::Update)?;
        if let (Principal::Staff(me), Some(false)) = (p, change.active)
            && me.user_id == id
        {
            return Err(EngineError::validation(
                "active",
                "you cannot deactivate yourself",
            ));
        }
        let hash = match change.password {
            Some(pw) => {
                check_strength(&pw, "password")?;
                Some(hash_off_thread(pw).await?)
            }
            None => None,
        };
        let password_changed = hash.is_some();
        let txn = self.begin_write().await?;
        let Some(existing) = staff::find_user(&txn, id).await? else {
            return Err(EngineError::not_found("StaffUser", id));
        };
        let mut sets: Vec<(StaffUsers, sea_orm::sea_query::SimpleExpr)> =
            vec![(StaffUsers::UpdatedAt, now_micros().into())];
        if let Some(name) = change.name {
            sets.push((StaffUsers::Name, check_name(&name, "name")?.into()));
        }
        let email = match change.email {
            Some(email) => Some(check_email(&email, "email")?),
            None => None,
        };
        if let Some(email) = email.clone() {
            if staff::email_taken(&txn, &email, Some(id)).await? {
                return Err(EngineError::conflict(format!(
                    "a staff user with email {email} exists"
                )));
            }
            sets.push((StaffUsers::Email, email.into()));
        }
        if let Some(h) = hash {
            sets.push((StaffUsers::PasswordHash, h.into()));
        }
        if let Some(active) = change.active {
            sets.push((StaffUsers::Active, active.into()));
        }
        txn.execute(
            &Query::update()
                .table(StaffUsers::Table)
                .values(sets)
                .and_where(Expr::col(StaffUsers::Id).eq(id))
                .to_owned(),
        )
        .await
        .map_err(|e| match &email {
            Some(email) => email_conflict(e, email),
            None => e,
        })?;
        if let Some(groups) = change.groups {
            let admin_ids: Vec<i64> = staff::all_groups(&txn)
                .await?
                .iter()
                .filter(|g| g.admin)
                .map(|g| g.id)
                .collect();
            if let Principal::Staff(me) = p
                && me.user_id == id
                && !groups.iter().any(|g| admin_ids.contains(g))
            {
                return Err(EngineError::validation(
                    "groups",
                    "you cannot remove yourself from the administrators",
                ));
            }
            staff::add_user_to_groups(&txn, id, &groups).await?;
            state::bump(&txn, Counter::Policy).await?;
        }
        if password_changed {
            // Whoever knew the old password may hold a session opened with it, and may have
            // made API tokens with it (a second security review found them surviving).
            end_sessions(&txn, id, own_session(p, id)).await?;
            super::api_tokens::revoke_all(&txn, id).await?;
            // A password an admin set is how a locked-out colleague gets back in.
            self.throttle
                .cleared(&txn, "staff", &existing.email)
                .await?;
        }
        if change.active == Some(false) {
            // For good: reactivating the user later brings none of these back.
            end_sessions(&txn, id, None).await?;
            super::api_tokens::revoke_all(&txn, id).await?;
        }
        state::bump(&txn, Counter::Auth).await?;
        txn.commit().await?;
        self.changed().await?;
        self.staff_user(p, id).await
    }

    /// The signed-in staff user's UI language: theirs to choose, on every device, and the
    /// language of the emails Portico sends them.
    pub(crate) async fn set_my_language(&self, p: &Principal, language: &str) -> Result<StaffUser> {
        let Principal::Staff(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        let language = language.trim().to_ascii_lowercase();
        if !staff::STAFF_LANGUAGES.contains(&language.as_str()) {
            return Err(EngineError::validation(
                "language",
                format!("must be one of {}", staff::STAFF_LANGUAGES.join(", ")),
            ));
        }
        let txn = self.begin_write().await?;
        txn.execute(
            &Query::update()
                .table(StaffUsers::Table)
                .values([
                    (StaffUsers::Language, language.into()),
                    (StaffUsers::UpdatedAt, now_micros().into()),
                ])
                .and_where(Expr::col(StaffUsers::Id).eq(me.user_id))
                .to_owned(),
        )
        .await?;
        state::bump(&txn, Counter::Auth).await?;
        txn.commit().await?;
        self.changed().await?;
        self.staff_user(p, me.user_id).await
    }

    /// The time zone the dates in a staff user's emails are written in (their browser's, sent
    /// by the UI when they sign in without one, or chosen on their account page).
    pub(crate) async fn set_my_time_zone(&self, p: &Principal, zone: &str) -> Result<StaffUser> {
        let Principal::Staff(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        let zone = crate::identity::check_time_zone(zone)?;
        let txn = self.begin_write().await?;
        txn.execute(
            &Query::update()
                .table(StaffUsers::Table)
                .values([
                    (StaffUsers::TimeZone, zone.into()),
                    (StaffUsers::UpdatedAt, now_micros().into()),
                ])
                .and_where(Expr::col(StaffUsers::Id).eq(me.user_id))
                .to_owned(),
        )
        .await?;
        txn.commit().await?;
        self.staff_user(p, me.user_id).await
    }

    /// A staff user's own password change: the current password proves it is them (a
    /// session left open on a shared computer is not enough), and every other session ends.
    /// Their API tokens stay unless `revoke_api_tokens`: integrations keep running through a
    /// routine change, and a change after a leak ends them too.
    pub(crate) async fn change_password(
        &self,
        p: &Principal,
        current: &str,
        new: &str,
        revoke_api_tokens: bool,
    ) -> Result<bool> {
        let Principal::Staff(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        check_strength(new, "newPassword")?;
        let user = staff::find_user(&self.reader(), me.user_id)
            .await?
            .ok_or(EngineError::Unauthenticated)?;
        let txn = self.begin_write().await?;
        // Signed in already: only someone holding the session can fail here.
        self.throttle
            .attempt(&txn, "staff", &user.email, None)
            .await?;
        txn.commit().await?;
        let hash = staff::credentials(&self.reader(), &user.email)
            .await?
            .map(|(_, h, _)| h)
            .unwrap_or_else(|| decoy_hash().to_owned());
        if !verify_off_thread(current.to_owned(), hash).await? {
            return Err(EngineError::validation(
                "currentPassword",
                "is not your current password",
            ));
        }
        let hash = hash_off_thread(new.to_owned()).await?;
        let txn = self.begin_write().await?;
        self.throttle.cleared(&txn, "staff", &user.email).await?;
        txn.execute(
            &Query::update()
                .table(StaffUsers::Table)
                .values([
                    (StaffUsers::PasswordHash, hash.into()),
                    (StaffUsers::UpdatedAt, now_micros().into()),
                ])
                .and_where(Expr::col(StaffUsers::Id).eq(me.user_id))
                .to_owned(),
        )
        .await?;
        end_sessions(&txn, me.user_id, me.session_id).await?;
        if revoke_api_tokens {
            super::api_tokens::revoke_all(&txn, me.user_id).await?;
        }
        state::bump(&txn, Counter::Auth).await?;
        txn.commit().await?;
        self.changed().await?;
        Ok(true)
    }

    /// Any staff member may look up colleagues (they appear as owners everywhere).
    pub(crate) async fn staff_user(&self, p: &Principal, id: i64) -> Result<StaffUser> {
        self.authorize(p, Object::StaffUser, Action::Read)?;
        if let Some(user) = self.sessions.user(id) {
            return Ok(user);
        }
        let user = staff::find_user(&self.reader(), id)
            .await?
            .ok_or_else(|| EngineError::not_found("StaffUser", id))?;
        self.sessions.put_user(user.clone());
        Ok(user)
    }

    pub(crate) async fn staff_users(&self, p: &Principal) -> Result<Vec<StaffUser>> {
        self.authorize(p, Object::StaffUser, Action::Read)?;
        staff::all_users(&self.reader()).await
    }

    pub(crate) async fn permission_groups(&self, p: &Principal) -> Result<Vec<PermissionGroup>> {
        self.authorize(p, Object::PermissionGroup, Action::Read)?;
        staff::all_groups(&self.reader()).await
    }

    pub(crate) async fn create_permission_group(
        &self,
        p: &Principal,
        new: NewPermissionGroup,
    ) -> Result<PermissionGroup> {
        self.authorize(p, Object::PermissionGroup, Action::Create)?;
        let txn = self.begin_write().await?;
        let group = staff::insert_group(&txn, &new).await?;
        state::bump(&txn, Counter::Policy).await?;
        txn.commit().await?;
        self.changed().await?;
        Ok(group)
    }

    pub(crate) async fn update_permission_group(
        &self,
        p: &Principal,
        id: i64,
        name: Option<String>,
        admin: Option<bool>,
        portal_access: Option<bool>,
    ) -> Result<PermissionGroup> {
        self.authorize(p, Object::PermissionGroup, Action::Update)?;
        let txn = self.begin_write().await?;
        let mut group = staff::all_groups(&txn)
            .await?
            .into_iter()
            .find(|g| g.id == id)
            .ok_or_else(|| EngineError::not_found("PermissionGroup", id))?;
        if let Some(name) = name {
            group.name = check_name(&name, "name")?;
        }
        if let Some(admin) = admin {
            if !admin
                && group.admin
                && staff::all_groups(&txn)
                    .await?
                    .iter()
                    .filter(|g| g.admin)
                    .count()
                    == 1
            {
                return Err(EngineError::validation(
                    "admin",
                    "at least one group must stay an administrators group",
                ));
            }
            group.admin = admin;
        }
        if let Some(portal) = portal_access {
            group.portal_access = portal;
        }
        txn.execute(
            &Query::update()
                .table(PermissionGroups::Table)
                .values([
                    (PermissionGroups::Name, group.name.clone().into()),
                    (PermissionGroups::Admin, group.admin.into()),
                    (PermissionGroups::PortalAccess, group.portal_access.into()),
                ])
                .and_where(Expr::col(PermissionGroups::Id).eq(id))
                .to_owned(),
        )
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                EngineError::conflict(format!("a permission group named `{}` exists", group.name))
            } else {
                e
            }
        })?;
        staff::group_rules(&txn, &group).await?;
        state::bump(&txn, Counter::Policy).await?;
        txn.commit().await?;
        self.changed().await?;
        Ok(group)
    }
}

/// A staff email taken by a concurrent write reads as the conflict the check reports.
fn email_conflict(e: EngineError, email: &str) -> EngineError {
    if e.is_unique_violation() {
        EngineError::conflict(format!("a staff user with email {email} exists"))
    } else {
        e
    }
}

/// The session to keep when a user changes their own credentials: the one they are using.
fn own_session(p: &Principal, user_id: i64) -> Option<i64> {
    match p {
        Principal::Staff(me) if me.user_id == user_id => me.session_id,
        _ => None,
    }
}
