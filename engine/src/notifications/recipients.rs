//! Who is notified of a case's portal activity. A case with no list notifies its owner in the
//! app and by email; the first change writes the owner's row, so the default stays visible.

use crate::Engine;
use crate::db::tables::{CaseNotificationRecipients, Cases};
use crate::db::{Exec, now_micros};
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub case_id: i64,
    pub user_id: i64,
    pub in_app: bool,
    pub email: bool,
}

async fn owner(db: &impl Exec, case_id: i64) -> Result<Option<i64>> {
    let q = Query::select()
        .column(Cases::OwnerId)
        .from(Cases::Table)
        .and_where(Expr::col(Cases::Id).eq(case_id))
        .to_owned();
    match db.query_one(&q).await? {
        Some(r) => r.get(0),
        None => Err(EngineError::not_found("Case", case_id)),
    }
}

async fn stored(db: &impl Exec, case_id: i64) -> Result<Vec<Recipient>> {
    let q = Query::select()
        .columns([
            CaseNotificationRecipients::UserId,
            CaseNotificationRecipients::InApp,
            CaseNotificationRecipients::Email,
        ])
        .from(CaseNotificationRecipients::Table)
        .and_where(Expr::col(CaseNotificationRecipients::CaseId).eq(case_id))
        .order_by(CaseNotificationRecipients::CreatedAt, Order::Asc)
        .order_by(CaseNotificationRecipients::UserId, Order::Asc)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|r| {
            Ok(Recipient {
                case_id,
                user_id: r.get(0)?,
                in_app: r.get(1)?,
                email: r.get(2)?,
            })
        })
        .collect()
}

/// The case's recipients, the default (its owner, both ways) when nobody changed the list.
pub(crate) async fn of_case(db: &impl Exec, case_id: i64) -> Result<Vec<Recipient>> {
    let list = stored(db, case_id).await?;
    if !list.is_empty() {
        return Ok(list);
    }
    Ok(owner(db, case_id)
        .await?
        .map(|user_id| Recipient {
            case_id,
            user_id,
            in_app: true,
            email: true,
        })
        .into_iter()
        .collect())
}

async fn write(db: &impl Exec, r: &Recipient) -> Result<()> {
    db.execute(
        &Query::delete()
            .from_table(CaseNotificationRecipients::Table)
            .and_where(Expr::col(CaseNotificationRecipients::CaseId).eq(r.case_id))
            .and_where(Expr::col(CaseNotificationRecipients::UserId).eq(r.user_id))
            .to_owned(),
    )
    .await?;
    db.execute(
        &Query::insert()
            .into_table(CaseNotificationRecipients::Table)
            .columns([
                CaseNotificationRecipients::CaseId,
                CaseNotificationRecipients::UserId,
                CaseNotificationRecipients::InApp,
                CaseNotificationRecipients::Email,
                CaseNotificationRecipients::CreatedAt,
            ])
            .values_panic([
                r.case_id.into(),
                r.user_id.into(),
                r.in_app.into(),
                r.email.into(),
                now_micros().into(),
            ])
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// The owner may stop hearing about the case only while someone else still does.
fn check_owner_rule(list: &[Recipient], owner: Option<i64>) -> Result<()> {
    let Some(owner) = owner else {
        return Ok(());
    };
    let owner_hears = list
        .iter()
        .any(|r| r.user_id == owner && (r.in_app || r.email));
    let others_hear = list
        .iter()
        .any(|r| r.user_id != owner && (r.in_app || r.email));
    if owner_hears || others_hear {
        Ok(())
    } else {
        Err(EngineError::validation(
            "userId",
            "the case owner's notifications can be switched off only once another user is on the list",
        ))
    }
}

impl Engine {
    pub(crate) async fn case_notification_recipients(
        &self,
        p: &Principal,
        case_id: i64,
    ) -> Result<Vec<Recipient>> {
        self.authorize(p, Object::Case, Action::Read)?;
        of_case(&self.reader(), case_id).await
    }

    /// Adds a staff user to the case's list, or changes how they are notified.
    pub(crate) async fn set_case_notification_recipient(
        &self,
        p: &Principal,
        case_id: i64,
        user_id: i64,
        in_app: bool,
        email: bool,
    ) -> Result<Recipient> {
        self.authorize(p, Object::Case, Action::Update)?;
        let txn = self.begin_write().await?;
        if crate::identity::staff::find_user(&txn, user_id)
            .await?
            .is_none()
        {
            return Err(EngineError::validation("userId", "is not a staff user"));
        }
        let mut list = of_case(&txn, case_id).await?;
        let changed = Recipient {
            case_id,
            user_id,
            in_app,
            email,
        };
        match list.iter_mut().find(|r| r.user_id == user_id) {
            Some(r) => *r = changed.clone(),
            None => list.push(changed.clone()),
        }
        check_owner_rule(&list, owner(&txn, case_id).await?)?;
        for r in &list {
            write(&txn, r).await?;
        }
        txn.commit().await?;
        Ok(changed)
    }

    pub(crate) async fn remove_case_notification_recipient(
        &self,
        p: &Principal,
        case_id: i64,
        user_id: i64,
    ) -> Result<bool> {
        self.authorize(p, Object::Case, Action::Update)?;
        let txn = self.begin_write().await?;
        let mut list = of_case(&txn, case_id).await?;
        let before = list.len();
        list.retain(|r| r.user_id != user_id);
        if list.len() == before {
            return Ok(false);
        }
        let owner_id = owner(&txn, case_id).await?;
        check_owner_rule(&list, owner_id)?;
        // Written out in full: an empty table would mean "the owner" again.
        if list.is_empty() {
            return Err(EngineError::validation(
                "userId",
                "a case's list cannot be empty",
            ));
        }
        txn.execute(
            &Query::delete()
                .from_table(CaseNotificationRecipients::Table)
                .and_where(Expr::col(CaseNotificationRecipients::CaseId).eq(case_id))
                .to_owned(),
        )
        .await?;
        for r in &list {
            write(&txn, r).await?;
        }
        txn.commit().await?;
        Ok(true)
    }
}
