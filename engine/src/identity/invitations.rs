//! A new staff user's invitation: an emailed link with which they choose their own password.
//!
//! An admin used to invent the password and pass it on (by chat, by voice), which is how
//! passwords leak. Now a user made without one gets a link, valid for a week; every link sent
//! keeps working until one sets the password, and after that each leads to the sign-in screen,
//! like a client's first link. Until then the account has a hash no password matches.

use super::sessions::{STAFF_SESSION_MICROS, insert_session};
use super::staff;
use super::{Action, Object, Principal, Session, StaffUser, check_strength, hash_token, new_token};
use crate::Engine;
use crate::db::tables::{StaffInvitations, StaffUsers};
use crate::db::{Exec, micros_to_rfc3339, now_micros};
use crate::error::{EngineError, Result};
use crate::mail::EmailKind;
use crate::mail::outbox::{self, NewMail};
use crate::state::{self, Counter};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde_json::json;

/// The stored hash of an account whose owner has not chosen a password: no password verifies
/// against it (it is not a hash at all), and it marks the invitation as pending.
pub(crate) const PENDING_PASSWORD: &str = "!invited";

const VALID_MICROS: i64 = 7 * 24 * 3600 * 1_000_000;

/// The throttle's audience for links that name no account.
const LINK: &str = "staff-link";

/// Where a staff invitation link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffLink {
    /// Still to be used: choose a password for this account.
    ChoosePassword { name: String, email: String },
    /// The account is set up: sign in with this email.
    SignIn { email: String },
    /// Unknown, expired, or the account is deactivated.
    Invalid,
}

/// Issues a link for `user` and queues the email, inside the caller's transaction.
async fn invite(engine: &Engine, db: &impl Exec, user: &StaffUser, inviter: &str) -> Result<()> {
    let (token, hash) = new_token("sin_");
    let now = now_micros();
    let expires_at = now + VALID_MICROS;
    db.execute(
        &Query::insert()
            .into_table(StaffInvitations::Table)
            .columns([
                StaffInvitations::UserId,
                StaffInvitations::TokenHash,
                StaffInvitations::ExpiresAt,
                StaffInvitations::CreatedAt,
            ])
            .values_panic([user.id.into(), hash.into(), expires_at.into(), now.into()])
            .to_owned(),
    )
    .await?;
    outbox::enqueue(
        db,
        &NewMail {
            to_address: user.email.clone(),
            to_name: Some(user.name.clone()),
            time_zone: user.time_zone.clone(),
            kind: EmailKind::StaffInvitation,
            language: user.language.clone().unwrap_or_else(|| "es".into()),
            context: json!({
                "contact_name": user.name,
                "email": user.email,
                "invited_by": inviter,
                "link": engine.links.staff_invitation(&token),
                "expires_at": micros_to_rfc3339(expires_at),
            }),
        },
    )
    .await?;
    Ok(())
}

/// The link's row: (user id, expires at, used at).
async fn find(db: &impl Exec, token: &str) -> Result<Option<(i64, i64, Option<i64>)>> {
    let q = Query::select()
        .columns([
            StaffInvitations::UserId,
            StaffInvitations::ExpiresAt,
            StaffInvitations::UsedAt,
        ])
        .from(StaffInvitations::Table)
        .and_where(Expr::col(StaffInvitations::TokenHash).eq(hash_token(token)))
        .to_owned();
    Ok(match db.query_one(&q).await? {
        Some(row) => Some((row.get(0)?, row.get(1)?, row.get(2)?)),
        None => None,
    })
}

impl Engine {
    /// Makes a user who chooses their own password: the email goes out with the user.
    pub(crate) async fn invite_new_staff_user(
        &self,
        p: &Principal,
        db: &impl Exec,
        user_id: i64,
    ) -> Result<()> {
        let inviter = self.inviter(p, db).await?;
        // The new user reads the email (and, until they choose, the UI) in the inviter's
        // language: the best guess of the firm's.
        if let Some(language) = &inviter.1 {
            db.execute(
                &Query::update()
                    .table(StaffUsers::Table)
                    .value(StaffUsers::Language, language.clone())
                    .and_where(Expr::col(StaffUsers::Id).eq(user_id))
                    .to_owned(),
            )
            .await?;
        }
        let user = staff::find_user(db, user_id)
            .await?
            .ok_or_else(|| EngineError::not_found("StaffUser", user_id))?;
        invite(self, db, &user, &inviter.0).await
    }

    async fn inviter(&self, p: &Principal, db: &impl Exec) -> Result<(String, Option<String>)> {
        match p {
            Principal::Staff(me) => Ok(staff::find_user(db, me.user_id)
                .await?
                .map_or_else(|| (me.name.clone(), None), |u| (u.name, u.language))),
            _ => Err(EngineError::Unauthenticated),
        }
    }

    /// Sends another link to a user who has not chosen a password yet; earlier links keep
    /// working until one is used.
    pub(crate) async fn send_staff_invitation(
        &self,
        p: &Principal,
        user_id: i64,
    ) -> Result<StaffUser> {
        self.authorize(p, Object::StaffUser, Action::Update)?;
        let txn = self.begin_write().await?;
        let user = staff::find_user(&txn, user_id)
            .await?
            .ok_or_else(|| EngineError::not_found("StaffUser", user_id))?;
        if !user.invitation_pending {
            return Err(EngineError::NotQualified(format!(
                "{} has already chosen a password; they can sign in, or an admin can set a new one",
                user.name
            )));
        }
        let inviter = self.inviter(p, &txn).await?;
        invite(self, &txn, &user, &inviter.0).await?;
        txn.commit().await?;
        Ok(user)
    }

    /// Where a staff invitation link leads; open to anyone holding the link. A link that
    /// leads nowhere counts against the address, so guessing stays rate-limited.
    pub async fn staff_link(&self, token: &str, address: Option<&str>) -> Result<StaffLink> {
        let who = address.unwrap_or("unknown");
        self.throttle
            .check_address(&self.reader(), LINK, who)
            .await?;
        let state = self.staff_link_state(token).await?;
        if state == StaffLink::Invalid {
            let txn = self.begin_write().await?;
            self.throttle.failed_address(&txn, LINK, who).await?;
            txn.commit().await?;
        }
        Ok(state)
    }

    async fn staff_link_state(&self, token: &str) -> Result<StaffLink> {
        let db = self.reader();
        let Some((user_id, expires_at, used_at)) = find(&db, token).await? else {
            return Ok(StaffLink::Invalid);
        };
        let Some(user) = staff::find_user(&db, user_id).await? else {
            return Ok(StaffLink::Invalid);
        };
        Ok(match (user.active, used_at, user.invitation_pending) {
            (false, _, _) => StaffLink::Invalid,
            (true, Some(_), _) | (true, None, false) => StaffLink::SignIn { email: user.email },
            (true, None, true) if expires_at > now_micros() => StaffLink::ChoosePassword {
                name: user.name,
                email: user.email,
            },
            _ => StaffLink::Invalid,
        })
    }

    /// Sets the password with a link still to be used, marks every link of the user used, and
    /// signs them in.
    pub async fn accept_staff_invitation(
        &self,
        token: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<Session> {
        let invalid = || {
            EngineError::validation(
                "token",
                "this link no longer sets a password: sign in, or ask an admin for a new one",
            )
        };
        let StaffLink::ChoosePassword { email, .. } = self.staff_link(token, address).await? else {
            return Err(invalid());
        };
        check_strength(password, "password")?;
        let hash = super::service::hash_off_thread(password.to_owned()).await?;
        let txn = self.begin_write().await?;
        let Some((user_id, _, None)) = find(&txn, token).await? else {
            return Err(invalid());
        };
        // Only a pending account takes the password: two tabs submitting at once set it once.
        let set = txn
            .execute(
                &Query::update()
                    .table(StaffUsers::Table)
                    .value(StaffUsers::PasswordHash, hash)
                    .value(StaffUsers::UpdatedAt, now_micros())
                    .and_where(Expr::col(StaffUsers::Id).eq(user_id))
                    .and_where(Expr::col(StaffUsers::PasswordHash).eq(PENDING_PASSWORD))
                    .to_owned(),
            )
            .await?;
        if set == 0 {
            return Err(invalid());
        }
        txn.execute(
            &Query::update()
                .table(StaffInvitations::Table)
                .value(StaffInvitations::UsedAt, now_micros())
                .and_where(Expr::col(StaffInvitations::UserId).eq(user_id))
                .and_where(Expr::col(StaffInvitations::UsedAt).is_null())
                .to_owned(),
        )
        .await?;
        let (session, session_hash) = new_token("pst_");
        let expires_at = now_micros() + STAFF_SESSION_MICROS;
        insert_session(&txn, "staff", user_id, &session_hash, expires_at).await?;
        state::bump(&txn, Counter::Auth).await?;
        txn.commit().await?;
        self.changed().await?;
        tracing::info!(%email, "a staff user chose their password from an invitation");
        Ok(Session {
            token: session,
            expires_at,
        })
    }
}
