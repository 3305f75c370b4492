//! Signing in to the portal: accepting an invitation, logging in and out, and resetting a
//! forgotten password. Every failure is counted by the same throttle as staff logins, under
//! audiences of its own.

use super::accounts::{self, Purpose};
use super::contacts::PortalContact;
use super::sessions::{self, AUDIENCE, PREFIX};
use crate::Engine;
use crate::db::tables::PortalAccounts;
use crate::db::{Exec, now_micros};
use crate::error::{EngineError, Result};
use crate::identity::{
    Principal, STAFF_SESSION_MICROS, Session, check_strength, decoy_hash, delete_session,
    hash_off_thread, hash_token, insert_session, new_token, verify_off_thread,
};
use crate::mail::outbox::{self, NewMail};
use crate::state::{self, Counter};
use serde_json::json;

/// The links emails carry to the portal's password pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalLink {
    Invitation,
    Reset,
}

/// Where a link from an email takes its reader. No link we sent is a dead end while its
/// account exists: once the account is set up, every invitation leads to sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// It sets the password of the portal account for `email`.
    ChoosePassword { email: String },
    /// The account it was for is set up (with this link or another): sign in as `email`.
    SignIn { email: String },
    /// Unknown, expired before the account was set up, a reset link already used, or for a
    /// contact who is no longer a portal user.
    Invalid,
}

/// Throttle audiences: wrong passwords, bad links, and reset requests are counted apart.
const LOGIN: &str = "portal";
const LINK: &str = "portal-link";
const RESET: &str = "portal-reset";

/// The least time a reset request takes to answer; far above what the work takes when the
/// database is healthy, so both answers take exactly this long.
pub const RESET_ANSWER_FLOOR: std::time::Duration = std::time::Duration::from_millis(60);

fn bad_link() -> EngineError {
    EngineError::validation(
        "token",
        "this link is not valid any more: it was used, replaced by a newer one, or it expired",
    )
}

fn purpose_of(link: PortalLink) -> Purpose {
    match link {
        PortalLink::Invitation => Purpose::Invitation,
        PortalLink::Reset => Purpose::Reset,
    }
}

async fn link_state(db: &impl Exec, link: PortalLink, token: &str) -> Result<LinkState> {
    let Some(found) = accounts::find_token(db, purpose_of(link), token).await? else {
        return Ok(LinkState::Invalid);
    };
    let contact = match PortalContact::load(db, found.contact_id).await {
        Ok(c) if c.portal_user => c,
        Ok(_) | Err(EngineError::NotFound { .. }) => return Ok(LinkState::Invalid),
        Err(e) => return Err(e),
    };
    if found.is_live() {
        return Ok(LinkState::ChoosePassword {
            email: contact.email,
        });
    }
    let set_up = accounts::find(db, contact.id)
        .await?
        .is_some_and(|a| a.password_hash.is_some());
    Ok(match link {
        PortalLink::Invitation if set_up => LinkState::SignIn {
            email: contact.email,
        },
        _ => LinkState::Invalid,
    })
}

/// Opens a session inside `db` and answers its token.
async fn open_session(db: &impl Exec, contact_id: i64) -> Result<Session> {
    let (token, hash) = new_token(PREFIX);
    let expires_at = now_micros() + STAFF_SESSION_MICROS;
    insert_session(db, AUDIENCE, contact_id, &hash, expires_at).await?;
    Ok(Session { token, expires_at })
}

impl Engine {
    /// What a link from an email does now, for the page that opens it. A link that leads
    /// nowhere counts against the address like a failed use, so guessing stays rate-limited.
    pub async fn portal_link(
        &self,
        link: PortalLink,
        token: &str,
        address: Option<&str>,
    ) -> Result<LinkState> {
        let who = address.unwrap_or("unknown");
        self.throttle
            .check_address(&self.reader(), LINK, who)
            .await?;
        let state = link_state(&self.reader(), link, token).await?;
        if state == LinkState::Invalid {
            let txn = self.begin_write().await?;
            self.throttle.failed_address(&txn, LINK, who).await?;
            txn.commit().await?;
        }
        Ok(state)
    }

    /// Sets the password of an invited contact and signs them in.
    pub async fn accept_invitation(
        &self,
        token: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<Session> {
        self.set_password_with(Purpose::Invitation, token, password, address)
            .await
    }

    /// Sets a new password from a reset link and signs in; other sessions of the user end.
    pub async fn reset_password(
        &self,
        token: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<Session> {
        self.set_password_with(Purpose::Reset, token, password, address)
            .await
    }

    async fn set_password_with(
        &self,
        purpose: Purpose,
        token: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<Session> {
        let who = address.unwrap_or("unknown");
        self.throttle
            .check_address(&self.reader(), LINK, who)
            .await?;
        check_strength(password, "password")?;
        // A link that cannot work costs no password hash (and counts against the address).
        let live = accounts::find_token(&self.reader(), purpose, token).await?;
        if !live.is_some_and(|t| t.is_live()) {
            let txn = self.begin_write().await?;
            self.throttle.failed_address(&txn, LINK, who).await?;
            txn.commit().await?;
            return Err(bad_link());
        }
        let hash = hash_off_thread(password.to_owned()).await?;
        let txn = self.begin_write().await?;
        let contact = match accounts::take_token(&txn, purpose, token).await? {
            Some(id) => Some(PortalContact::load(&txn, id).await?),
            None => None,
        };
        let Some(contact) = contact.filter(|c| c.portal_user) else {
            self.throttle.failed_address(&txn, LINK, who).await?;
            txn.commit().await?;
            return Err(bad_link());
        };
        let now = now_micros();
        let account = accounts::find(&txn, contact.id).await?.unwrap_or_default();
        let mut values = vec![(PortalAccounts::PasswordHash, hash.into())];
        if purpose == Purpose::Invitation || account.accepted_at.is_none() {
            values.push((PortalAccounts::AcceptedAt, now.into()));
        }
        accounts::set(&txn, contact.id, values).await?;
        // A mailed link proves the address: it lifts a lock-out from wrong passwords.
        self.throttle.cleared(&txn, LOGIN, &contact.email).await?;
        // A new password ends the sessions opened with the old one.
        sessions::end_all(&txn, contact.id).await?;
        accounts::void_tokens(&txn, contact.id, Some(Purpose::Reset)).await?;
        let session = open_session(&txn, contact.id).await?;
        state::bump(&txn, Counter::Auth).await?;
        txn.commit().await?;
        self.changed().await?;
        Ok(session)
    }

    pub async fn portal_login(
        &self,
        email: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<Session> {
        let email = email.trim().to_lowercase();
        let txn = self.begin_write().await?;
        self.throttle.attempt(&txn, LOGIN, &email, address).await?;
        txn.commit().await?;
        let found = accounts::credentials(&self.reader(), &email).await?;
        let hash = found
            .as_ref()
            .map_or_else(|| decoy_hash().to_owned(), |(_, h)| h.clone());
        let ok = verify_off_thread(password.to_owned(), hash).await?;
        let txn = self.begin_write().await?;
        let contact_id = match found {
            Some((id, _)) if ok => id,
            _ => {
                let refusal = self.throttle.failed(&txn, LOGIN, address).await?;
                txn.commit().await?;
                return Err(refusal);
            }
        };
        self.throttle
            .succeeded(&txn, LOGIN, &email, address)
            .await?;
        let session = open_session(&txn, contact_id).await?;
        txn.commit().await?;
        Ok(session)
    }

    /// A portal user's own password change: the current password proves it is them, and their
    /// other sessions end (the one they are using stays).
    /// Stores a portal user's time zone on their account.
    pub(crate) async fn portal_set_time_zone(&self, p: &Principal, zone: &str) -> Result<String> {
        let Principal::Portal(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        let zone = crate::identity::check_time_zone(zone)?;
        use crate::db::tables::PortalAccounts;
        use sea_orm::sea_query::{Expr, ExprTrait, Query};
        let txn = self.begin_write().await?;
        txn.execute(
            &Query::update()
                .table(PortalAccounts::Table)
                .value(PortalAccounts::TimeZone, zone.clone())
                .and_where(Expr::col(PortalAccounts::ContactId).eq(me.contact_id))
                .to_owned(),
        )
        .await?;
        txn.commit().await?;
        Ok(zone)
    }

    /// Whether `password` is the signed-in user's (asked again before a signature); each try
    /// counts against the address as a sign-in does.
    pub(crate) async fn portal_password_is(&self, p: &Principal, password: &str) -> Result<bool> {
        let Principal::Portal(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        let contact = PortalContact::load(&self.reader(), me.contact_id).await?;
        let email = contact.email.trim().to_lowercase();
        let txn = self.begin_write().await?;
        self.throttle.attempt(&txn, LOGIN, &email, None).await?;
        txn.commit().await?;
        let hash = accounts::credentials(&self.reader(), &email)
            .await?
            .filter(|(id, _)| *id == me.contact_id)
            .map(|(_, h)| h)
            .unwrap_or_else(|| decoy_hash().to_owned());
        let ok = verify_off_thread(password.to_owned(), hash).await?;
        if ok {
            let txn = self.begin_write().await?;
            self.throttle.cleared(&txn, LOGIN, &email).await?;
            txn.commit().await?;
        }
        Ok(ok)
    }

    pub(crate) async fn portal_change_password(
        &self,
        p: &Principal,
        current: &str,
        new: &str,
    ) -> Result<bool> {
        let Principal::Portal(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        check_strength(new, "newPassword")?;
        let contact = PortalContact::load(&self.reader(), me.contact_id).await?;
        let email = contact.email.trim().to_lowercase();
        let txn = self.begin_write().await?;
        // Signed in already: only someone holding the session can fail here.
        self.throttle.attempt(&txn, LOGIN, &email, None).await?;
        txn.commit().await?;
        let hash = accounts::credentials(&self.reader(), &email)
            .await?
            .filter(|(id, _)| *id == me.contact_id)
            .map(|(_, h)| h)
            .unwrap_or_else(|| decoy_hash().to_owned());
        if !verify_off_thread(current.to_owned(), hash).await? {
            return Err(EngineError::validation(
                "currentPassword",
                "is not your current password",
            ));
        }
        let hash = hash_off_thread(new.to_owned()).await?;
        let txn = self.begin_write().await?;
        self.throttle.cleared(&txn, LOGIN, &email).await?;
        accounts::set(
            &txn,
            me.contact_id,
            vec![(PortalAccounts::PasswordHash, hash.into())],
        )
        .await?;
        sessions::end_others(&txn, me.contact_id, me.session_id).await?;
        state::bump(&txn, Counter::Auth).await?;
        txn.commit().await?;
        self.changed().await?;
        Ok(true)
    }

    pub(crate) async fn portal_logout(&self, p: &Principal) -> Result<bool> {
        let Principal::Portal(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        let txn = self.begin_write().await?;
        delete_session(&txn, me.session_id).await?;
        state::bump(&txn, Counter::Auth).await?;
        txn.commit().await?;
        self.changed().await?;
        Ok(true)
    }

    /// Emails a reset link when `email` belongs to a portal user. Answers `true` either way,
    /// so the answer tells nobody whether an account exists; every request counts against the
    /// email's and the address's limits, existing account or not. The answer also takes the
    /// same time either way (at least [`RESET_ANSWER_FLOOR`]): issuing a link and queueing the
    /// mail cost a few milliseconds that would otherwise tell a known address from an unknown.
    pub async fn request_password_reset(&self, email: &str, address: Option<&str>) -> Result<bool> {
        let started = std::time::Instant::now();
        let answer = self.request_password_reset_now(email, address).await;
        if let Some(rest) = RESET_ANSWER_FLOOR.checked_sub(started.elapsed()) {
            tokio::time::sleep(rest).await;
        }
        answer
    }

    async fn request_password_reset_now(&self, email: &str, address: Option<&str>) -> Result<bool> {
        let email = email.trim().to_lowercase();
        let txn = self.begin_write().await?;
        self.throttle.hit(&txn, RESET, &email, address).await?;
        let found = accounts::portal_user_by_email(&txn, &email).await?;
        if let Some(id) = found {
            let contact = PortalContact::load(&txn, id).await?;
            let (token, expires_at) = accounts::issue_token(&txn, id, Purpose::Reset).await?;
            outbox::enqueue(
                &txn,
                &NewMail {
                    to_address: contact.email.clone(),
                    to_name: Some(contact.name.clone()),
                    time_zone: contact.time_zone.clone(),
                    kind: crate::mail::EmailKind::PasswordReset,
                    language: contact.language.clone(),
                    context: json!({
                        "contact_name": contact.name,
                        "email": contact.email,
                        "link": self.links.password_reset(&token),
                        "expires_at": crate::db::micros_to_rfc3339(expires_at),
                    }),
                },
            )
            .await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    /// The portal handle behind a session token; `None` for anything else (staff tokens
    /// included).
    pub async fn authenticate_portal(
        self: &std::sync::Arc<Self>,
        token: &str,
    ) -> Result<Option<crate::access::PortalHandle>> {
        Ok(match self.authenticate_portal_principal(token).await? {
            Principal::Portal(me) => Some(crate::access::PortalHandle::new(
                std::sync::Arc::clone(self),
                me,
            )),
            _ => None,
        })
    }

    /// The portal principal behind a session token; anything else is anonymous here.
    pub(crate) async fn authenticate_portal_principal(&self, token: &str) -> Result<Principal> {
        if !token.starts_with(PREFIX) {
            return Ok(Principal::Anonymous);
        }
        let hash = hash_token(token);
        if let Some(p) = self.sessions.get(&hash) {
            return Ok(p);
        }
        match sessions::lookup(&self.reader(), &hash).await? {
            Some((principal, expires_at)) => {
                self.sessions.put(hash, principal.clone(), Some(expires_at));
                Ok(principal)
            }
            None => Ok(Principal::Anonymous),
        }
    }
}
