//! Each contact's choice, per kind of news, of how they are told; no row is the default.

use super::{Delivery, NewsKind};
use crate::Engine;
use crate::db::tables::ContactNotificationSettings;
use crate::db::{Exec, now_micros};
use crate::error::{EngineError, Result};
use crate::identity::Principal;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};

/// How one kind of news reaches the contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewsSetting {
    pub kind: NewsKind,
    pub delivery: Delivery,
}

pub(super) async fn delivery(db: &impl Exec, contact_id: i64, kind: NewsKind) -> Result<Delivery> {
    let q = Query::select()
        .column(ContactNotificationSettings::Mode)
        .from(ContactNotificationSettings::Table)
        .and_where(Expr::col(ContactNotificationSettings::ContactId).eq(contact_id))
        .and_where(Expr::col(ContactNotificationSettings::Kind).eq(kind.key()))
        .to_owned();
    Ok(match db.query_one(&q).await? {
        Some(row) => Delivery::from_key(&row.get::<String>(0)?).unwrap_or(kind.default_delivery()),
        None => kind.default_delivery(),
    })
}

/// Every kind, as the contact has it.
async fn all(db: &impl Exec, contact_id: i64) -> Result<Vec<NewsSetting>> {
    let q = Query::select()
        .columns([
            ContactNotificationSettings::Kind,
            ContactNotificationSettings::Mode,
        ])
        .from(ContactNotificationSettings::Table)
        .and_where(Expr::col(ContactNotificationSettings::ContactId).eq(contact_id))
        .to_owned();
    let mut chosen = Vec::new();
    for row in db.query_all(&q).await? {
        let (kind, mode): (String, String) = (row.get(0)?, row.get(1)?);
        if let (Some(k), Some(d)) = (NewsKind::from_key(&kind), Delivery::from_key(&mode)) {
            chosen.push((k, d));
        }
    }
    Ok(NewsKind::ALL
        .iter()
        .map(|k| NewsSetting {
            kind: *k,
            delivery: chosen
                .iter()
                .find(|(c, _)| c == k)
                .map_or(k.default_delivery(), |(_, d)| *d),
        })
        .collect())
}

fn me(p: &Principal) -> Result<i64> {
    match p {
        Principal::Portal(c) => Ok(c.contact_id),
        _ => Err(EngineError::Unauthenticated),
    }
}

impl Engine {
    /// How the signed-in portal user is told each kind of news.
    pub(crate) async fn news_settings(&self, p: &Principal) -> Result<Vec<NewsSetting>> {
        all(&self.reader(), me(p)?).await
    }

    /// Changes how the signed-in portal user is told some kinds of news; the others stay.
    pub(crate) async fn set_news_settings(
        &self,
        p: &Principal,
        wanted: &[NewsSetting],
    ) -> Result<Vec<NewsSetting>> {
        let contact_id = me(p)?;
        let txn = self.begin_write().await?;
        for s in wanted {
            txn.execute(
                &Query::insert()
                    .into_table(ContactNotificationSettings::Table)
                    .columns([
                        ContactNotificationSettings::ContactId,
                        ContactNotificationSettings::Kind,
                        ContactNotificationSettings::Mode,
                        ContactNotificationSettings::UpdatedAt,
                    ])
                    .values_panic([
                        contact_id.into(),
                        s.kind.key().into(),
                        s.delivery.key().into(),
                        now_micros().into(),
                    ])
                    .on_conflict(
                        OnConflict::columns([
                            ContactNotificationSettings::ContactId,
                            ContactNotificationSettings::Kind,
                        ])
                        .update_columns([
                            ContactNotificationSettings::Mode,
                            ContactNotificationSettings::UpdatedAt,
                        ])
                        .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        }
        txn.commit().await?;
        all(&self.reader(), contact_id).await
    }
}
