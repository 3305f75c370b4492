//! The daily digest: news a contact wants gathered waits in `client_digest_items` until the
//! time an admin set (08:00 in the zone they choose, by default); then each contact with
//! news gets one email, in their language, with everything since their last digest.
//!
//! Every process runs [`Engine::send_client_digests`] each minute with its clock's time. The
//! items are taken with one `UPDATE ... RETURNING` per contact, so two processes at the same
//! moment take disjoint sets (none twice), and the email is queued in that same transaction.
//! An item about a case the contact can no longer see is dropped when the digest is made.

use super::{News, NewsKind};
use crate::Engine;
use crate::db::tables::{ClientDigestItems, ClientDigestSettings};
use crate::db::{Exec, now_micros};
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};
use crate::mail::{EmailKind, NewMail, outbox};
use crate::portal::PortalContact;
use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde_json::{Value, json};

/// When the digest goes out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestSettings {
    /// `HH:MM`, 24-hour.
    pub send_at: String,
    /// An IANA zone; `None`: UTC.
    pub time_zone: Option<String>,
}

impl Default for DigestSettings {
    fn default() -> Self {
        DigestSettings {
            send_at: "08:00".into(),
            time_zone: None,
        }
    }
}

impl DigestSettings {
    /// The latest moment at or before `now` the digest was due.
    fn last_slot(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let at = NaiveTime::parse_from_str(&self.send_at, "%H:%M").unwrap_or_default();
        let zone: chrono_tz::Tz = self
            .time_zone
            .as_deref()
            .and_then(|z| z.parse().ok())
            .unwrap_or(chrono_tz::UTC);
        let local_today = now.with_timezone(&zone).date_naive();
        for days_back in 0..3 {
            let day = local_today - chrono::Days::new(days_back);
            // A time skipped by a clock change is taken as the hour after.
            let slot = zone
                .from_local_datetime(&day.and_time(at))
                .earliest()
                .or_else(|| {
                    zone.from_local_datetime(&(day.and_time(at) + chrono::Duration::hours(1)))
                        .earliest()
                })
                .map(|t| t.with_timezone(&Utc));
            if let Some(slot) = slot.filter(|s| *s <= now) {
                return slot;
            }
        }
        now - chrono::Duration::days(1)
    }
}

async fn load(db: &impl Exec) -> Result<DigestSettings> {
    let q = Query::select()
        .columns([ClientDigestSettings::SendAt, ClientDigestSettings::TimeZone])
        .from(ClientDigestSettings::Table)
        .and_where(Expr::col(ClientDigestSettings::Id).eq(1))
        .to_owned();
    Ok(match db.query_one(&q).await? {
        Some(row) => DigestSettings {
            send_at: row.get(0)?,
            time_zone: row.get(1)?,
        },
        None => DigestSettings::default(),
    })
}

/// Keeps a piece of news for the contact's next digest.
pub(super) async fn hold(db: &impl Exec, contact_id: i64, news: &News) -> Result<()> {
    db.execute(
        &Query::insert()
            .into_table(ClientDigestItems::Table)
            .columns([
                ClientDigestItems::ContactId,
                ClientDigestItems::CaseId,
                ClientDigestItems::Kind,
                ClientDigestItems::Detail,
                ClientDigestItems::CreatedAt,
            ])
            .values_panic([
                contact_id.into(),
                news.case_id.into(),
                news.kind.key().into(),
                Value::Object(news.facts.clone()).to_string().into(),
                now_micros().into(),
            ])
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// The contacts with news waiting from before `until`.
async fn waiting_contacts(db: &impl Exec, until: i64) -> Result<Vec<i64>> {
    let q = Query::select()
        .distinct()
        .column(ClientDigestItems::ContactId)
        .from(ClientDigestItems::Table)
        .and_where(Expr::col(ClientDigestItems::SentAt).is_null())
        .and_where(Expr::col(ClientDigestItems::CreatedAt).lte(until))
        .order_by(ClientDigestItems::ContactId, Order::Asc)
        .to_owned();
    crate::db::ids(db, &q).await
}

impl Engine {
    pub(crate) async fn digest_settings(&self, p: &Principal) -> Result<DigestSettings> {
        self.authorize(p, Object::EmailTemplate, Action::Read)?;
        load(&self.reader()).await
    }

    pub(crate) async fn set_digest_settings(
        &self,
        p: &Principal,
        wanted: DigestSettings,
    ) -> Result<DigestSettings> {
        self.authorize(p, Object::EmailTemplate, Action::Update)?;
        let at = NaiveTime::parse_from_str(wanted.send_at.trim(), "%H:%M").map_err(|_| {
            EngineError::validation("sendAt", "a time of day written HH:MM, such as 08:00")
        })?;
        let zone = match wanted.time_zone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(z) => Some(crate::identity::check_time_zone(z)?),
        };
        let send_at = at.format("%H:%M").to_string();
        let txn = self.begin_write().await?;
        txn.execute(
            &Query::insert()
                .into_table(ClientDigestSettings::Table)
                .columns([
                    ClientDigestSettings::Id,
                    ClientDigestSettings::SendAt,
                    ClientDigestSettings::TimeZone,
                    ClientDigestSettings::UpdatedAt,
                ])
                .values_panic([1.into(), send_at.into(), zone.into(), now_micros().into()])
                .on_conflict(
                    OnConflict::column(ClientDigestSettings::Id)
                        .update_columns([
                            ClientDigestSettings::SendAt,
                            ClientDigestSettings::TimeZone,
                            ClientDigestSettings::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
        let saved = load(&txn).await?;
        txn.commit().await?;
        Ok(saved)
    }

    /// Sends the digests due at `now`: one email per contact with news from before the last
    /// digest time; answers how many were queued.
    pub async fn send_client_digests(&self, now: DateTime<Utc>) -> Result<usize> {
        let settings = load(&self.reader()).await?;
        let until = settings.last_slot(now).timestamp_micros();
        let mut sent = 0;
        for contact_id in waiting_contacts(&self.reader(), until).await? {
            if self.send_digest(contact_id, until).await? {
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// Takes the contact's waiting news (no other process can take the same) and queues its
    /// email in the same transaction; false when nothing was left to tell.
    async fn send_digest(&self, contact_id: i64, until: i64) -> Result<bool> {
        let txn = self.begin_write().await?;
        let taken = txn
            .query_all(
                &Query::update()
                    .table(ClientDigestItems::Table)
                    .value(ClientDigestItems::SentAt, now_micros())
                    .and_where(Expr::col(ClientDigestItems::ContactId).eq(contact_id))
                    .and_where(Expr::col(ClientDigestItems::SentAt).is_null())
                    .and_where(Expr::col(ClientDigestItems::CreatedAt).lte(until))
                    .returning(Query::returning().columns([
                        ClientDigestItems::Id,
                        ClientDigestItems::CaseId,
                        ClientDigestItems::Kind,
                        ClientDigestItems::Detail,
                    ]))
                    .to_owned(),
            )
            .await?;
        let mut items: Vec<(i64, i64, NewsKind, Value)> = Vec::new();
        for row in &taken {
            let kind: String = row.get(2)?;
            let detail: String = row.get(3)?;
            if let Some(kind) = NewsKind::from_key(&kind) {
                items.push((
                    row.get(0)?,
                    row.get(1)?,
                    kind,
                    serde_json::from_str(&detail).unwrap_or(Value::Null),
                ));
            }
        }
        items.sort_by_key(|(id, ..)| *id);
        // By case, in the order their first news came; only cases the contact still sees.
        let mut cases: Vec<(i64, Vec<Value>)> = Vec::new();
        for (_, case_id, kind, detail) in items {
            let access = crate::portal::access_row(&txn, case_id, contact_id).await?;
            if !access.is_some_and(|a| a.enabled) {
                continue;
            }
            let mut item = detail;
            if let Value::Object(map) = &mut item {
                map.insert("kind".into(), json!(kind.key()));
            }
            match cases.iter_mut().find(|(c, _)| *c == case_id) {
                Some((_, list)) => list.push(item),
                None => cases.push((case_id, vec![item])),
            }
        }
        let contact = PortalContact::load(&txn, contact_id).await?;
        if cases.is_empty() || contact.email.trim().is_empty() {
            txn.commit().await?;
            return Ok(false);
        }
        let mut listed = Vec::new();
        for (case_id, news) in cases {
            let (number, subject) = super::case_names(&txn, case_id).await?;
            listed.push(json!({
                "case_number": number,
                "case_subject": subject,
                "link": self.links.portal_case(case_id),
                "news": news,
            }));
        }
        outbox::enqueue(
            &txn,
            &NewMail {
                to_address: contact.email.clone(),
                to_name: Some(contact.name.clone()),
                time_zone: contact.time_zone.clone(),
                kind: EmailKind::ClientDigest,
                language: contact.language.clone(),
                context: json!({
                    "contact_name": contact.name,
                    "email": contact.email,
                    "link": self.links.portal_home(),
                    "cases": listed,
                }),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_digest_time_is_today_once_past_else_yesterday() {
        let s = DigestSettings {
            send_at: "08:00".into(),
            time_zone: Some("Europe/Madrid".into()),
        };
        // 06:59 UTC is 07:59 in Madrid in winter: yesterday's slot.
        let before = Utc.with_ymd_and_hms(2026, 12, 7, 6, 59, 0).unwrap();
        assert_eq!(
            s.last_slot(before),
            Utc.with_ymd_and_hms(2026, 12, 6, 7, 0, 0).unwrap()
        );
        let after = Utc.with_ymd_and_hms(2026, 12, 7, 7, 1, 0).unwrap();
        assert_eq!(
            s.last_slot(after),
            Utc.with_ymd_and_hms(2026, 12, 7, 7, 0, 0).unwrap()
        );
    }
}
