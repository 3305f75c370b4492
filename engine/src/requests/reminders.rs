//! Reminders for what a client has not done: an email some days before the due date, one on
//! the day, then one every few days while it is late (an admin sets the three numbers; the
//! defaults are 2 days before, on the day, every 3 days). None once the client has sent it or
//! staff cancelled it.
//!
//! Each server process runs [`Engine::send_request_reminders`] every minute with the time of
//! its clock. A reminder is recorded under (request, contact, step) in the transaction that
//! queues its email, with `ON CONFLICT DO NOTHING`: a restart, or another process on the same
//! database at the same moment, finds the row and sends nothing. Only the latest step due is
//! sent, so a scheduler that was down for a week sends one reminder, not a backlog.

use super::{ClientRequest, store};
use crate::Engine;
use crate::db::tables::{ClientRequestReminders, RequestReminderSettings};
use crate::db::{Exec, now_micros};
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};
use crate::mail::EmailKind;
use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use serde_json::json;

/// When reminders go out (admins change it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderSettings {
    /// Days before the due date for the first reminder; 0: none before.
    pub days_before: i32,
    /// Whether to remind on the due date itself.
    pub on_due_date: bool,
    /// Days between reminders once late; 0: none after the due date.
    pub every_days: i32,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings {
            days_before: 2,
            on_due_date: true,
            every_days: 3,
        }
    }
}

/// The reminder due on `today` for a request made on `made` and due on `due`: its step's name
/// (the row key that makes it once only) and whether it is late. A reminder that would
/// repeat the email the request was just made with is skipped.
pub fn step_due(
    s: ReminderSettings,
    made: NaiveDate,
    due: NaiveDate,
    today: NaiveDate,
) -> Option<(String, bool)> {
    let until = (due - today).num_days();
    if until > 0 {
        let before = i64::from(s.days_before);
        let window_opened_after_made = (due - made).num_days() > before;
        return (before > 0 && until <= before && window_opened_after_made)
            .then(|| ("before".to_owned(), false));
    }
    let late = -until;
    let every = i64::from(s.every_days);
    if every > 0 && late >= every {
        return Some((format!("late-{}", late / every), true));
    }
    (s.on_due_date && made < due).then(|| ("due".to_owned(), late > 0))
}

async fn load(db: &impl Exec) -> Result<ReminderSettings> {
    let q = Query::select()
        .columns([
            RequestReminderSettings::DaysBefore,
            RequestReminderSettings::OnDueDate,
            RequestReminderSettings::EveryDays,
        ])
        .from(RequestReminderSettings::Table)
        .and_where(Expr::col(RequestReminderSettings::Id).eq(1))
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => Ok(ReminderSettings {
            days_before: row.get(0)?,
            on_due_date: row.get(1)?,
            every_days: row.get(2)?,
        }),
        None => Ok(ReminderSettings::default()),
    }
}

/// The (request, contact, step) reminders already recorded for `requests`.
async fn sent_steps(
    db: &impl Exec,
    requests: &[i64],
) -> Result<std::collections::HashSet<(i64, i64, String)>> {
    let mut out = std::collections::HashSet::new();
    for chunk in requests.chunks(500) {
        let q = Query::select()
            .columns([
                ClientRequestReminders::RequestId,
                ClientRequestReminders::ContactId,
                ClientRequestReminders::Step,
            ])
            .from(ClientRequestReminders::Table)
            .and_where(Expr::col(ClientRequestReminders::RequestId).is_in(chunk.iter().copied()))
            .to_owned();
        for row in db.query_all(&q).await? {
            out.insert((row.get(0)?, row.get(1)?, row.get(2)?));
        }
    }
    Ok(out)
}

fn day_of(micros: i64) -> NaiveDate {
    DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .date_naive()
}

impl Engine {
    pub(crate) async fn reminder_settings(&self, p: &Principal) -> Result<ReminderSettings> {
        self.authorize(p, Object::EmailTemplate, Action::Read)?;
        load(&self.reader()).await
    }

    pub(crate) async fn set_reminder_settings(
        &self,
        p: &Principal,
        s: ReminderSettings,
    ) -> Result<ReminderSettings> {
        self.authorize(p, Object::EmailTemplate, Action::Update)?;
        if !(0..=60).contains(&s.days_before) {
            return Err(EngineError::validation(
                "daysBefore",
                "between 0 (no reminder before) and 60 days",
            ));
        }
        if !(0..=60).contains(&s.every_days) {
            return Err(EngineError::validation(
                "everyDays",
                "between 0 (no reminders once late) and 60 days",
            ));
        }
        let q = Query::update()
            .table(RequestReminderSettings::Table)
            .values([
                (RequestReminderSettings::DaysBefore, s.days_before.into()),
                (RequestReminderSettings::OnDueDate, s.on_due_date.into()),
                (RequestReminderSettings::EveryDays, s.every_days.into()),
                (RequestReminderSettings::UpdatedAt, now_micros().into()),
            ])
            .and_where(Expr::col(RequestReminderSettings::Id).eq(1))
            .to_owned();
        let txn = self.begin_write().await?;
        txn.execute(&q).await?;
        let saved = load(&txn).await?;
        txn.commit().await?;
        Ok(saved)
    }

    /// Queues the reminders due at `now` (UTC calendar days) that no process has sent yet;
    /// answers how many.
    pub async fn send_request_reminders(&self, now: DateTime<Utc>) -> Result<usize> {
        let db = self.reader();
        let settings = load(&db).await?;
        let today = now.date_naive();
        let horizon = today
            .checked_add_days(Days::new(u64::try_from(settings.days_before).unwrap_or(0)))
            .unwrap_or(today);
        let waiting = store::due_by(&db, &horizon.format("%Y-%m-%d").to_string()).await?;
        // What was sent already is read once, so a tick with nothing new writes nothing (on
        // SQLite every write waits for the one writer).
        let ids: Vec<i64> = waiting.iter().map(|r| r.id).collect();
        let done = sent_steps(&db, &ids).await?;
        let mut sent = 0;
        for request in waiting {
            let Some(due) = request
                .due_date
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            else {
                continue;
            };
            let Some((step, overdue)) = step_due(settings, day_of(request.created_at), due, today)
            else {
                continue;
            };
            for contact in &request.contacts {
                if done.contains(&(request.id, contact.id, step.clone())) {
                    continue;
                }
                if self.remind(&request, contact.id, &step, overdue).await? {
                    sent += 1;
                }
            }
        }
        Ok(sent)
    }

    /// Records and queues one reminder, unless it is recorded already.
    async fn remind(
        &self,
        request: &ClientRequest,
        contact_id: i64,
        step: &str,
        overdue: bool,
    ) -> Result<bool> {
        let q = Query::insert()
            .into_table(ClientRequestReminders::Table)
            .columns([
                ClientRequestReminders::RequestId,
                ClientRequestReminders::ContactId,
                ClientRequestReminders::Step,
                ClientRequestReminders::SentAt,
            ])
            .values_panic([
                request.id.into(),
                contact_id.into(),
                step.into(),
                now_micros().into(),
            ])
            .on_conflict(
                OnConflict::columns([
                    ClientRequestReminders::RequestId,
                    ClientRequestReminders::ContactId,
                    ClientRequestReminders::Step,
                ])
                .do_nothing()
                .to_owned(),
            )
            .to_owned();
        let txn = self.begin_write().await?;
        if txn.execute(&q).await? == 0 {
            return Ok(false);
        }
        let mut extra = serde_json::Map::new();
        extra.insert("overdue".into(), json!(overdue));
        let kind = EmailKind::ClientRequestReminder;
        let queued = super::mail::to_contact(self, &txn, request, contact_id, kind, &extra).await?;
        txn.commit().await?;
        Ok(queued)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_default_schedule_two_days_before_on_the_day_then_every_three() {
        let s = ReminderSettings::default();
        let made = d("2026-12-01");
        let due = d("2026-12-10");
        let at = |day: &str| step_due(s, made, due, d(day));
        assert_eq!(at("2026-12-07"), None);
        assert_eq!(at("2026-12-08"), Some(("before".into(), false)));
        assert_eq!(at("2026-12-09"), Some(("before".into(), false)));
        assert_eq!(at("2026-12-10"), Some(("due".into(), false)));
        assert_eq!(at("2026-12-11"), Some(("due".into(), true)));
        assert_eq!(at("2026-12-13"), Some(("late-1".into(), true)));
        assert_eq!(at("2026-12-15"), Some(("late-1".into(), true)));
        assert_eq!(at("2026-12-16"), Some(("late-2".into(), true)));
    }

    #[test]
    fn a_request_made_inside_the_window_is_not_reminded_at_once() {
        let s = ReminderSettings::default();
        let due = d("2026-12-10");
        assert_eq!(step_due(s, d("2026-12-09"), due, d("2026-12-09")), None);
        assert_eq!(step_due(s, d("2026-12-10"), due, d("2026-12-10")), None);
        let off = ReminderSettings {
            days_before: 0,
            on_due_date: false,
            every_days: 0,
        };
        for day in ["2026-12-08", "2026-12-10", "2026-12-30"] {
            assert_eq!(step_due(off, d("2026-12-01"), due, d(day)), None);
        }
    }
}
