//! Per-case portal access ("Client Connect"): which of a case's contacts may see it on the
//! portal and download its shared documents, who gave or took that access, and the query scope
//! that makes a portal user's case list exactly their grants.

use super::accounts;
use super::contacts::PortalContact;
use crate::Engine;
use crate::audit::AuditAction;
use crate::audit::{self, Actor};
use crate::db::tables::{CasePortalAccess, Cases, Contacts, Relationships};
use crate::db::{Exec, micros_to_rfc3339, now_micros};
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, PortalPrincipal, Principal};
use crate::mail::outbox::{self, NewMail};
use crate::metadata::EntityKind;
use crate::records::query::Scope;
use crate::records::{Record, actor, portal_user};
use crate::state::{self, Counter};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Query};
use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalAccess {
    pub case_id: i64,
    pub contact_id: i64,
    pub enabled: bool,
    pub can_download: bool,
}

/// A contact of a case who could be given portal access: linked to the case, with an email.
#[derive(Debug, Clone)]
pub struct PortalCandidate {
    pub contact: Record,
    pub access: PortalAccess,
    /// Documents shared with or uploaded by the contact on this case.
    pub shared_document_count: i64,
}

/// A contact's grant on a case, if one was ever given.
pub(crate) async fn access_row(
    db: &impl Exec,
    case_id: i64,
    contact_id: i64,
) -> Result<Option<PortalAccess>> {
    let q = Query::select()
        .columns([CasePortalAccess::Enabled, CasePortalAccess::CanDownload])
        .from(CasePortalAccess::Table)
        .and_where(Expr::col(CasePortalAccess::CaseId).eq(case_id))
        .and_where(Expr::col(CasePortalAccess::ContactId).eq(contact_id))
        .to_owned();
    Ok(match db.query_one(&q).await? {
        Some(row) => Some(PortalAccess {
            case_id,
            contact_id,
            enabled: row.get(0)?,
            can_download: row.get(1)?,
        }),
        None => None,
    })
}

/// The contacts linked to a case: its client and its case contacts.
async fn linked_contacts(db: &impl Exec, case_id: i64) -> Result<Vec<i64>> {
    let mut ids = crate::records::relations::case_contact_ids(db, case_id).await?;
    let q = Query::select()
        .column(Cases::ClientId)
        .from(Cases::Table)
        .and_where(Expr::col(Cases::Id).eq(case_id))
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => {
            if let Some(client) = row.get::<Option<i64>>(0)?
                && !ids.contains(&client)
            {
                ids.insert(0, client);
            }
        }
        None => return Err(EngineError::not_found("Case", case_id)),
    }
    Ok(ids)
}

/// The contacts holding an enabled grant on a case.
pub(crate) async fn granted_contacts(db: &impl Exec, case_id: i64) -> Result<Vec<i64>> {
    let q = Query::select()
        .column(CasePortalAccess::ContactId)
        .from(CasePortalAccess::Table)
        .and_where(Expr::col(CasePortalAccess::CaseId).eq(case_id))
        .and_where(Expr::col(CasePortalAccess::Enabled).eq(true))
        .to_owned();
    crate::db::ids(db, &q).await
}

/// Grants follow the case: ends the grants of contacts that are no longer linked to it (taken
/// off its contacts, or no longer its client), inside the transaction of the change that
/// unlinked them, each audited like a revocation by staff. Answers how many it ended.
pub(crate) async fn follow_links(db: &impl Exec, case_id: i64, actor: &Actor) -> Result<usize> {
    let linked = linked_contacts(db, case_id).await?;
    let mut ended = 0;
    for contact_id in granted_contacts(db, case_id).await? {
        if linked.contains(&contact_id) {
            continue;
        }
        revoke(db, case_id, contact_id, false).await?;
        let contact = PortalContact::load(db, contact_id).await?;
        audit::record(
            db,
            EntityKind::Case,
            case_id,
            actor,
            AuditAction::PortalAccessRevoked,
            &json!({
                "contactId": contact_id,
                "contactName": contact.name,
                "canDownload": false,
                "reason": "the contact is no longer linked to the case",
            }),
        )
        .await?;
        ended += 1;
    }
    Ok(ended)
}

/// What a portal user's every case query carries: a join with their enabled grants (the list
/// starts from them). With a current organisation, the cases of their *other* organisations
/// step aside; cases of other clients granted to them directly stay.
pub(crate) fn case_scope(me: &PortalPrincipal) -> Scope {
    let on = Cond::all().add(
        Expr::col((CasePortalAccess::Table, CasePortalAccess::CaseId))
            .equals((Cases::Table, Cases::Id)),
    );
    let mut cond = Cond::all()
        .add(Expr::col((CasePortalAccess::Table, CasePortalAccess::ContactId)).eq(me.contact_id))
        .add(Expr::col((CasePortalAccess::Table, CasePortalAccess::Enabled)).eq(true));
    if let Some(org) = me.organisation_id {
        let others = Query::select()
            .column(Relationships::OrganisationId)
            .from(Relationships::Table)
            .and_where(Expr::col(Relationships::IndividualId).eq(me.contact_id))
            .and_where(Expr::col(Relationships::OrganisationId).ne(org))
            .to_owned();
        cond = cond.add(
            Cond::any()
                .add(Expr::col((Cases::Table, Cases::ClientId)).is_null())
                .add(Expr::col((Cases::Table, Cases::ClientId)).not_in_subquery(others)),
        );
    }
    Scope {
        cond,
        drive: Some(("case_portal_access", on)),
        creation_order: Some(("case_created_at", "case_id")),
    }
}

/// Grants access, or re-enables it, inside a write transaction.
async fn grant(db: &impl Exec, case_id: i64, contact_id: i64, can_download: bool) -> Result<()> {
    let now = now_micros();
    if access_row(db, case_id, contact_id).await?.is_some() {
        db.execute(
            &Query::update()
                .table(CasePortalAccess::Table)
                .values([
                    (CasePortalAccess::Enabled, true.into()),
                    (CasePortalAccess::CanDownload, can_download.into()),
                    (CasePortalAccess::UpdatedAt, now.into()),
                ])
                .and_where(Expr::col(CasePortalAccess::CaseId).eq(case_id))
                .and_where(Expr::col(CasePortalAccess::ContactId).eq(contact_id))
                .to_owned(),
        )
        .await?;
    } else {
        insert_grant(db, case_id, contact_id, can_download, now).await?;
    }
    Ok(())
}

/// A new grant, with its case's creation time copied from the case (the portal list's order,
/// see `case_scope`). A case that does not exist is not found.
async fn insert_grant(
    db: &impl Exec,
    case_id: i64,
    contact_id: i64,
    can_download: bool,
    now: i64,
) -> Result<()> {
    let from_case = Query::select()
        .column(Cases::Id)
        .expr(Expr::val(contact_id))
        .expr(Expr::val(true))
        .expr(Expr::val(can_download))
        .expr(Expr::val(now))
        .column(Cases::CreatedAt)
        .from(Cases::Table)
        .and_where(Expr::col(Cases::Id).eq(case_id))
        .to_owned();
    let mut q = Query::insert();
    q.into_table(CasePortalAccess::Table).columns([
        CasePortalAccess::CaseId,
        CasePortalAccess::ContactId,
        CasePortalAccess::Enabled,
        CasePortalAccess::CanDownload,
        CasePortalAccess::UpdatedAt,
        CasePortalAccess::CaseCreatedAt,
    ]);
    q.select_from(from_case)?;
    if db.execute(&q).await? == 0 {
        return Err(EngineError::not_found("Case", case_id));
    }
    Ok(())
}

/// The grant of a case just opened on the portal: no earlier row can exist.
pub(crate) async fn grant_new(db: &impl Exec, case_id: i64, contact_id: i64) -> Result<()> {
    insert_grant(db, case_id, contact_id, true, now_micros()).await
}

async fn revoke(db: &impl Exec, case_id: i64, contact_id: i64, can_download: bool) -> Result<()> {
    db.execute(
        &Query::update()
            .table(CasePortalAccess::Table)
            .values([
                (CasePortalAccess::Enabled, false.into()),
                (CasePortalAccess::CanDownload, can_download.into()),
                (CasePortalAccess::UpdatedAt, now_micros().into()),
            ])
            .and_where(Expr::col(CasePortalAccess::CaseId).eq(case_id))
            .and_where(Expr::col(CasePortalAccess::ContactId).eq(contact_id))
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Makes a contact a portal user on their first grant, held to the same rules as the switch.
async fn ensure_portal_user(db: &impl Exec, engine: &Engine, contact_id: i64) -> Result<bool> {
    let contact = engine.load_record(EntityKind::Contact, contact_id).await?;
    if contact.get(portal_user::KEY).as_bool() == Some(true) {
        return Ok(false);
    }
    let mut on = Map::new();
    on.insert(portal_user::KEY.into(), Value::Bool(true));
    portal_user::check(db, true, Some(&contact), &on).await?;
    db.execute(
        &Query::update()
            .table(Contacts::Table)
            .value(Contacts::PortalUser, true)
            .and_where(Expr::col(Contacts::Id).eq(contact_id))
            .to_owned(),
    )
    .await?;
    Ok(true)
}

impl Engine {
    /// The case's linked contacts that have an email, with their portal access, and anyone
    /// else holding a grant on it: staff must be able to see and end every grant a case has.
    pub(crate) async fn portal_candidates(
        &self,
        p: &Principal,
        case_id: i64,
    ) -> Result<Vec<PortalCandidate>> {
        self.authorize(p, Object::Case, Action::Read)?;
        self.authorize(p, Object::Contact, Action::Read)?;
        let reader = self.reader();
        let mut ids = linked_contacts(&reader, case_id).await?;
        for granted in granted_contacts(&reader, case_id).await? {
            if !ids.contains(&granted) {
                ids.push(granted);
            }
        }
        let mut contacts = self.load_records(EntityKind::Contact, &ids).await?;
        contacts.sort_by_key(|c| ids.iter().position(|i| *i == c.id));
        let mut out = Vec::new();
        for contact in contacts {
            let has_email = contact
                .get("email")
                .as_str()
                .is_some_and(|e| !e.trim().is_empty());
            if !has_email {
                continue;
            }
            let access = access_row(&reader, case_id, contact.id)
                .await?
                .unwrap_or(PortalAccess {
                    case_id,
                    contact_id: contact.id,
                    enabled: false,
                    can_download: false,
                });
            let shared_document_count =
                crate::documents::shared_count(&reader, case_id, contact.id).await?;
            out.push(PortalCandidate {
                contact,
                access,
                shared_document_count,
            });
        }
        Ok(out)
    }

    /// Grants or revokes a contact's access to a case and sets whether they may download.
    /// A first grant makes the contact a portal user (same rules as the switch) and emails
    /// them a link to the case, with an invitation link when they have no password yet.
    pub(crate) async fn set_portal_access(
        &self,
        p: &Principal,
        case_id: i64,
        contact_id: i64,
        enabled: bool,
        can_download: bool,
    ) -> Result<PortalAccess> {
        self.authorize(p, Object::Portal, Action::Manage)?;
        self.authorize(p, Object::Case, Action::Update)?;
        let case = self.load_record(EntityKind::Case, case_id).await?;
        let txn = self.begin_write().await?;
        let linked = linked_contacts(&txn, case_id).await?.contains(&contact_id);
        // A grant can always be ended, linked or not; only a linked contact can get one.
        let revoking_a_grant = !enabled && access_row(&txn, case_id, contact_id).await?.is_some();
        if !linked && !revoking_a_grant {
            return Err(EngineError::validation(
                "contactId",
                "is not a contact of this case; link the contact to the case first",
            ));
        }
        let contact = PortalContact::load(&txn, contact_id).await?;
        if contact.email.trim().is_empty() {
            return Err(EngineError::NotQualified(
                "the contact has no email address to sign in with".into(),
            ));
        }
        let before = access_row(&txn, case_id, contact_id).await?;
        let was_enabled = before.is_some_and(|a| a.enabled);
        let mut auth_changed = false;
        let action = if enabled {
            auth_changed = ensure_portal_user(&txn, self, contact_id).await?;
            grant(&txn, case_id, contact_id, can_download).await?;
            if !was_enabled {
                self.mail_case_access(&txn, &contact, &case).await?;
                AuditAction::PortalAccessGranted
            } else {
                AuditAction::PortalAccessChanged
            }
        } else {
            if before.is_some() {
                revoke(&txn, case_id, contact_id, can_download).await?;
            }
            AuditAction::PortalAccessRevoked
        };
        let changed = before.is_none_or(|a| a.enabled != enabled || a.can_download != can_download);
        if changed && (enabled || was_enabled) {
            audit::record(
                &txn,
                EntityKind::Case,
                case_id,
                &actor(p),
                action,
                &json!({
                    "contactId": contact_id,
                    "contactName": contact.name,
                    "canDownload": can_download,
                }),
            )
            .await?;
        }
        if auth_changed {
            state::bump(&txn, Counter::Auth).await?;
        }
        txn.commit().await?;
        if auth_changed {
            self.changed().await?;
        }
        Ok(PortalAccess {
            case_id,
            contact_id,
            enabled,
            can_download,
        })
    }

    /// The email of a new grant; it carries an invitation link too while the contact has no
    /// password (the link to the case alone would lead to a sign-in they cannot pass).
    async fn mail_case_access(
        &self,
        db: &impl Exec,
        contact: &PortalContact,
        case: &Record,
    ) -> Result<()> {
        accounts::ensure(db, contact.id).await?;
        let account = accounts::find(db, contact.id).await?.unwrap_or_default();
        let (invitation_link, expires_at) = if account.password_hash.is_none() {
            let (token, expires_at) = super::invitations::issue(db, contact.id).await?;
            (self.links.invitation(&token), micros_to_rfc3339(expires_at))
        } else {
            // Someone who can sign in already is told as they chose (the day's digest by
            // default); the link that lets someone in for the first time goes at once.
            let mut facts = Map::new();
            facts.insert("invitation_link".into(), json!(""));
            facts.insert("expires_at".into(), json!(""));
            let news = crate::client_news::News {
                kind: crate::client_news::NewsKind::CaseAccess,
                case_id: case.id,
                facts,
                link: None,
                reply_to: None,
            };
            self.tell_client(db, contact.id, news).await?;
            return Ok(());
        };
        outbox::enqueue(
            db,
            &NewMail {
                to_address: contact.email.clone(),
                to_name: Some(contact.name.clone()),
                time_zone: contact.time_zone.clone(),
                kind: crate::mail::EmailKind::CaseAccess,
                language: contact.language.clone(),
                context: json!({
                    "contact_name": contact.name,
                    "email": contact.email,
                    "link": self.links.portal_case(case.id),
                    "case_number": case.get("number"),
                    "case_subject": case.get("subject"),
                    "invitation_link": invitation_link,
                    "expires_at": expires_at,
                }),
            },
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::Catalog;
    use crate::records::query::{Condition, ListQuery, Op, sqlite_plan};

    fn carla() -> PortalPrincipal {
        PortalPrincipal {
            contact_id: 42,
            name: "Carla".into(),
            session_id: 1,
            organisation_id: Some(7),
        }
    }

    /// The portal's case lists: newest first, open ones newest first, and the next page of
    /// either (after a cursor).
    fn portal_lists() -> Vec<ListQuery> {
        let open = ListQuery {
            conditions: vec![Condition {
                key: "status".into(),
                op: Op::In,
                value: json!(["Open"]),
            }],
            first: Some(20),
            ..ListQuery::default()
        };
        let all = ListQuery {
            first: Some(20),
            ..ListQuery::default()
        };
        let mut lists = vec![open.clone(), all.clone()];
        let cursor = crate::records::Cursor(vec![1_700_000_000_000_000_i64.into(), 5.into()]);
        for q in [open, all] {
            lists.push(ListQuery {
                after: Some(cursor.encode()),
                ..q
            });
        }
        lists
    }

    /// Issue 23: a portal user's list is read from their grants in the order shown (an index
    /// range over the user's grants by their cases' creation time), each case then looked up
    /// by id: no sort of all the user's grants, so a page costs the same for ten grants or
    /// ten thousand; nor a walk of the index of every open case.
    #[tokio::test]
    async fn a_portal_list_reads_the_users_grants_in_the_order_shown() {
        let db = crate::db::connect("sqlite::memory:").await.unwrap();
        crate::metadata::seed_system_fields(&db).await.unwrap();
        let catalog = Catalog::build(1, crate::metadata::load_all(&db).await.unwrap()).unwrap();
        for q in portal_lists() {
            let plan = sqlite_plan(&db, &catalog, &q, Some(&case_scope(&carla()))).await;
            let steps: Vec<&str> = plan.split(" / ").collect();
            assert!(
                steps[0]
                    .contains("case_portal_access USING COVERING INDEX case_portal_access_newest"),
                "{plan}"
            );
            assert!(steps[1].contains("INTEGER PRIMARY KEY"), "{plan}");
            assert!(!plan.contains("TEMP B-TREE"), "sorts the grants: {plan}");
            assert!(!plan.contains("cases_status_created"), "{plan}");
        }
    }

    /// The same on PostgreSQL, when a server is configured for the tests: the grants' index,
    /// walked backwards (newest first), joined to the cases by primary key, and no sort. The
    /// planner is given data to judge by: 5,000 cases, 2,000 of them granted to the user.
    #[tokio::test]
    async fn on_postgresql_a_portal_list_reads_the_users_grants_in_the_order_shown() {
        for q in portal_lists() {
            let Some(plan) = crate::records::query::postgres_plan_scoped(
                crate::metadata::EntityKind::Case,
                &q,
                Some(&case_scope(&carla())),
                "INSERT INTO contacts (id, kind, name, portal_user, custom, created_at, updated_at) \
                 VALUES (42, 'Individual', 'Carla', true, '{}', 0, 0); \
                 INSERT INTO cases (id, subject, status, custom, created_at, updated_at) \
                 SELECT g, 'Case ' || g, CASE WHEN g % 3 = 0 THEN 'Closed' ELSE 'Open' END, \
                 '{}', g * 1000, g * 1000 FROM generate_series(1, 5000) g; \
                 INSERT INTO case_portal_access \
                 (case_id, contact_id, enabled, can_download, updated_at, case_created_at) \
                 SELECT id, 42, true, true, 0, created_at FROM cases WHERE id % 5 < 2",
            )
            .await
            else {
                return;
            };
            assert!(
                plan.contains("Index Only Scan Backward using case_portal_access_newest"),
                "{plan}"
            );
            assert!(plan.contains("cases_pkey"), "{plan}");
            assert!(!plan.contains("Sort"), "sorts the grants: {plan}");
        }
    }
}
