//! Record operations on the engine: authorization first, then the generic record layer.

use super::layout::{self, Layout};
use super::portal_user;
use super::query::{self, Condition, ListQuery, Page};
use super::read::Record;
use super::relations::{self, Relationship};
use super::write::{self, NewRecord};
use crate::Engine;
use crate::audit::AuditAction;
use crate::audit::{self, Actor, AuditEvent};
use crate::db::Exec;
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};
use crate::metadata::{Audience, EntityKind};
use crate::portal::{self, SendInvitation};
use crate::state::{self, Counter};
use serde_json::{Map, Value, json};

fn object(entity: EntityKind) -> Object {
    match entity {
        EntityKind::Contact => Object::Contact,
        EntityKind::Case => Object::Case,
        EntityKind::Deal => Object::Deal,
        EntityKind::Document => Object::Case,
    }
}

pub(crate) fn layout_of(entity: EntityKind) -> Result<&'static Layout> {
    layout::of(entity).ok_or_else(|| {
        EngineError::validation(
            "entity",
            format!("{} has no records of its own", entity.as_str()),
        )
    })
}

pub(crate) fn actor(p: &Principal) -> Actor {
    match p {
        Principal::Staff(s) => Actor {
            id: Some(s.user_id),
            name: s.name.clone(),
        },
        Principal::Portal(c) => Actor {
            id: None,
            name: format!("{} (portal)", c.name),
        },
        Principal::Anonymous | Principal::System => Actor::system(),
    }
}

impl Engine {
    pub(crate) async fn list(
        &self,
        p: &Principal,
        entity: EntityKind,
        q: &ListQuery,
    ) -> Result<Page> {
        self.authorize(p, object(entity), Action::Read)?;
        let catalog = self.catalog();
        query::list(
            &self.reader(),
            layout_of(entity)?,
            catalog.entity(entity),
            q,
            None,
        )
        .await
    }

    pub(crate) async fn count(
        &self,
        p: &Principal,
        entity: EntityKind,
        conditions: &[Condition],
    ) -> Result<i64> {
        self.authorize(p, object(entity), Action::Read)?;
        let catalog = self.catalog();
        query::count(
            &self.reader(),
            layout_of(entity)?,
            catalog.entity(entity),
            conditions,
            None,
        )
        .await
    }

    pub(crate) async fn get(&self, p: &Principal, entity: EntityKind, id: i64) -> Result<Record> {
        self.authorize(p, object(entity), Action::Read)?;
        self.load_record(entity, id).await
    }

    /// Several records by id, in no particular order; missing ids are left out.
    pub(crate) async fn get_many(
        &self,
        p: &Principal,
        entity: EntityKind,
        ids: &[i64],
    ) -> Result<Vec<Record>> {
        self.authorize(p, object(entity), Action::Read)?;
        self.load_records(entity, ids).await
    }

    /// A record without an authorization check, for flows that decided access themselves.
    pub(crate) async fn load_record(&self, entity: EntityKind, id: i64) -> Result<Record> {
        let catalog = self.catalog();
        write::load(
            &self.reader(),
            layout_of(entity)?,
            catalog.entity(entity),
            id,
        )
        .await
    }

    /// Records by id without an authorization check; missing ids are left out.
    pub(crate) async fn load_records(
        &self,
        entity: EntityKind,
        ids: &[i64],
    ) -> Result<Vec<Record>> {
        let catalog = self.catalog();
        let layout = layout_of(entity)?;
        let mut out = Vec::new();
        for chunk in ids.chunks(query::MAX_PAGE as usize) {
            let q = ListQuery {
                conditions: vec![Condition {
                    key: "id".into(),
                    op: query::Op::In,
                    value: json!(chunk),
                }],
                first: Some(query::MAX_PAGE),
                ..ListQuery::default()
            };
            let page =
                query::list(&self.reader(), layout, catalog.entity(entity), &q, None).await?;
            out.extend(page.records);
        }
        Ok(out)
    }

    pub(crate) async fn create(
        &self,
        p: &Principal,
        entity: EntityKind,
        values: Map<String, Value>,
    ) -> Result<Record> {
        self.create_with(p, entity, values, SendInvitation::Now)
            .await
    }

    /// `send`: for a contact created as a portal user, whether the invitation goes out now.
    pub(crate) async fn create_with(
        &self,
        p: &Principal,
        entity: EntityKind,
        values: Map<String, Value>,
        send: SendInvitation,
    ) -> Result<Record> {
        self.authorize(p, object(entity), Action::Create)?;
        let catalog = self.catalog();
        let layout = layout_of(entity)?;
        let meta = catalog.entity(entity);
        let mut values = values;
        // A case or deal staff create without an owner is theirs, as in every CRM; an API
        // token acts as the user who made it, so an integrator's records get that user.
        if let Principal::Staff(me) = p
            && matches!(entity, EntityKind::Case | EntityKind::Deal)
            && !values.contains_key("owner")
            && meta
                .field("owner")
                .is_some_and(|f| f.editable_by(Audience::Staff))
        {
            values.insert("owner".into(), json!(me.user_id));
        }
        // The defaults the write fills in, filled in now: the portal-user rules judge the
        // contact as it will be stored.
        let values = write::with_defaults(meta, values);
        // A contact's portal rules read and write around it; a case or deal alone is one
        // statement on PostgreSQL (the record, its event and its search words).
        let txn = if entity == EntityKind::Contact {
            let txn = self.begin_write().await?;
            let allowed = self.allows(p, Object::Portal, Action::Manage);
            portal_user::check(&txn, allowed, None, &values).await?;
            txn
        } else {
            self.begin_one_statement().await?
        };
        let new = NewRecord {
            id: None,
            created_at: None,
            values: values.clone(),
        };
        let record = match write::insert(&txn, layout, meta, Audience::Staff, new, &actor(p)).await
        {
            Ok(r) => r,
            Err(e) if e.is_unique_violation() && entity == EntityKind::Contact => {
                txn.rollback().await?;
                let email = values.get("email").and_then(Value::as_str);
                return Err(
                    portal_user::explain_unique_violation(&self.reader(), e, email, None).await,
                );
            }
            Err(e) => {
                return Err(write::explain_failed_insert(
                    txn,
                    &self.reader(),
                    layout,
                    meta,
                    &values,
                    e,
                )
                .await);
            }
        };
        let portal_changed = entity == EntityKind::Contact
            && portal::after_contact_write(self, &txn, None, &record, send).await?;
        txn.commit().await?;
        if portal_changed {
            self.changed().await?;
        }
        Ok(record)
    }

    /// Inserts records keeping their source ids and creation times, in one transaction:
    /// for imports and the benchmark loader. Admins only. On PostgreSQL the id sequence is
    /// moved past the ids kept, so the next record created gets a free one.
    pub(crate) async fn import(
        &self,
        p: &Principal,
        entity: EntityKind,
        records: Vec<NewRecord>,
    ) -> Result<usize> {
        self.authorize(p, Object::FieldDefinition, Action::Manage)?;
        let catalog = self.catalog();
        let layout = layout_of(entity)?;
        let txn = self.begin_write().await?;
        let n = records.len();
        let explicit_ids = records.iter().any(|r| r.id.is_some());
        for r in records {
            write::insert(
                &txn,
                layout,
                catalog.entity(entity),
                Audience::Staff,
                r,
                &actor(p),
            )
            .await?;
        }
        if explicit_ids && txn.backend() == sea_orm::DbBackend::Postgres {
            txn.query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {t}), 1))",
                    t = layout.table
                ),
            ))
            .await?;
        }
        txn.commit().await?;
        Ok(n)
    }

    pub(crate) async fn update(
        &self,
        p: &Principal,
        entity: EntityKind,
        id: i64,
        patch: Map<String, Value>,
    ) -> Result<Record> {
        self.update_with(p, entity, id, patch, SendInvitation::Now)
            .await
    }

    /// `send`: when the change makes a contact a portal user, whether the invitation goes out
    /// now.
    pub(crate) async fn update_with(
        &self,
        p: &Principal,
        entity: EntityKind,
        id: i64,
        patch: Map<String, Value>,
        send: SendInvitation,
    ) -> Result<Record> {
        self.authorize(p, object(entity), Action::Update)?;
        let catalog = self.catalog();
        let layout = layout_of(entity)?;
        let meta = catalog.entity(entity);
        let txn = self.begin_write().await?;
        let mut login_moved_from = None;
        let (was_portal_user, email) = if entity == EntityKind::Contact {
            let allowed = self.allows(p, Object::Portal, Action::Manage);
            let current = write::load(&txn, layout, meta, id).await?;
            portal_user::check(&txn, allowed, Some(&current), &patch).await?;
            login_moved_from = portal_user::login_change(allowed, &current, &patch)?;
            let email = patch.get("email").unwrap_or(current.get("email")).clone();
            (
                Some(current.get(portal_user::KEY).as_bool().unwrap_or(false)),
                email,
            )
        } else {
            (None, Value::Null)
        };
        let client_changed = entity == EntityKind::Case && patch.contains_key("client");
        // The status before, when this may change it: the case's clients are told.
        let status_before = if entity == EntityKind::Case && patch.contains_key("status") {
            Some(
                write::load(&txn, layout, meta, id)
                    .await?
                    .get("status")
                    .clone(),
            )
        } else {
            None
        };
        let written =
            write::update_in(&txn, layout, meta, Audience::Staff, id, patch, &actor(p)).await;
        let record = match written {
            Ok(r) => r,
            Err(e) => {
                txn.rollback().await?;
                let email = email.as_str();
                return Err(portal_user::explain_unique_violation(
                    &self.reader(),
                    e,
                    email,
                    Some(id),
                )
                .await);
            }
        };
        let mut portal_changed = match was_portal_user {
            Some(was) => portal::after_contact_write(self, &txn, Some(was), &record, send).await?,
            None => false,
        };
        if let Some(old_email) = login_moved_from {
            portal::login_email_changed(&txn, &record, &old_email, &actor(p)).await?;
            portal_changed = true;
        }
        if client_changed {
            portal::follow_links(&txn, id, &actor(p)).await?;
        }
        if let Some(before) = status_before.filter(|b| b != record.get("status")) {
            self.tell_status_changed(&txn, id, &before, record.get("status"))
                .await?;
        }
        txn.commit().await?;
        if portal_changed {
            self.changed().await?;
        }
        Ok(record)
    }

    pub(crate) async fn delete(&self, p: &Principal, entity: EntityKind, id: i64) -> Result<()> {
        self.authorize(p, object(entity), Action::Delete)?;
        write::delete(self.begin_write().await?, layout_of(entity)?, id, &actor(p)).await?;
        if entity == EntityKind::Contact {
            // The contact's sessions went with it: this process drops its cached copies now,
            // not when its own notification comes back from PostgreSQL (the deleted client's
            // next request was answered in that window, seen as a flaky test).
            self.changed().await?;
        }
        Ok(())
    }

    pub(crate) async fn add_case_contact(
        &self,
        p: &Principal,
        case_id: i64,
        contact_id: i64,
    ) -> Result<Record> {
        self.authorize(p, Object::Case, Action::Update)?;
        let case = self.get(p, EntityKind::Case, case_id).await?;
        let txn = self.begin_write().await?;
        if relations::add_case_contact(&txn, case_id, contact_id).await? {
            audit::record(
                &txn,
                EntityKind::Case,
                case_id,
                &actor(p),
                AuditAction::ContactAdded,
                &json!({"contactId": contact_id}),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(case)
    }

    pub(crate) async fn remove_case_contact(
        &self,
        p: &Principal,
        case_id: i64,
        contact_id: i64,
    ) -> Result<()> {
        self.authorize(p, Object::Case, Action::Update)?;
        let txn = self.begin_write().await?;
        relations::remove_case_contact(&txn, case_id, contact_id).await?;
        audit::record(
            &txn,
            EntityKind::Case,
            case_id,
            &actor(p),
            AuditAction::ContactRemoved,
            &json!({"contactId": contact_id}),
        )
        .await?;
        portal::follow_links(&txn, case_id, &actor(p)).await?;
        txn.commit().await?;
        Ok(())
    }

    pub(crate) async fn case_contacts(&self, p: &Principal, case_id: i64) -> Result<Vec<Record>> {
        self.authorize(p, Object::Contact, Action::Read)?;
        let ids = relations::case_contact_ids(&self.reader(), case_id).await?;
        let mut records = self.get_many(p, EntityKind::Contact, &ids).await?;
        records.sort_by_key(|r| ids.iter().position(|i| *i == r.id));
        Ok(records)
    }

    pub(crate) async fn add_relationship(
        &self,
        p: &Principal,
        individual_id: i64,
        organisation_id: i64,
        role: Option<String>,
    ) -> Result<Relationship> {
        self.authorize(p, Object::Relationship, Action::Create)?;
        let txn = self.begin_write().await?;
        self.may_change_portal_reach(&txn, p, individual_id).await?;
        let rel = relations::add_relationship(&txn, individual_id, organisation_id, role).await?;
        let detail = json!({"individualId": individual_id, "organisationId": organisation_id, "role": rel.role});
        audit::record(
            &txn,
            EntityKind::Contact,
            individual_id,
            &actor(p),
            AuditAction::RelationshipAdded,
            &detail,
        )
        .await?;
        audit::record(
            &txn,
            EntityKind::Contact,
            organisation_id,
            &actor(p),
            AuditAction::RelationshipAdded,
            &detail,
        )
        .await?;
        // A portal user's organisations ride in their cached session.
        state::bump(&txn, Counter::Auth).await?;
        txn.commit().await?;
        self.changed().await?;
        Ok(rel)
    }

    pub(crate) async fn remove_relationship(&self, p: &Principal, id: i64) -> Result<()> {
        self.authorize(p, Object::Relationship, Action::Delete)?;
        let txn = self.begin_write().await?;
        let rel = relations::find_relationship(&txn, id).await?;
        self.may_change_portal_reach(&txn, p, rel.individual_id)
            .await?;
        relations::remove_relationship(&txn, id).await?;
        state::bump(&txn, Counter::Auth).await?;
        txn.commit().await?;
        self.changed().await
    }

    /// A portal user's relationships are what they see on the portal (the organisations they
    /// switch to, their cases and indicators): changing them is giving or taking portal
    /// access, which needs the portal setting. A second security review had staff without it
    /// widen a client's reach by adding one.
    async fn may_change_portal_reach(
        &self,
        db: &impl crate::db::Exec,
        p: &Principal,
        individual_id: i64,
    ) -> Result<()> {
        if !self.allows(p, Object::Portal, Action::Manage)
            && relations::reaches_portal(db, individual_id).await?
        {
            return Err(EngineError::Forbidden(
                "this person uses the client portal: changing their organisations changes what they see there, which needs the portal setting".into(),
            ));
        }
        Ok(())
    }

    pub(crate) async fn relationships(
        &self,
        p: &Principal,
        contact_id: i64,
    ) -> Result<Vec<Relationship>> {
        self.authorize(p, Object::Relationship, Action::Read)?;
        relations::relationships_of(&self.reader(), contact_id).await
    }

    pub(crate) async fn audit_log(
        &self,
        p: &Principal,
        entity: EntityKind,
        id: i64,
    ) -> Result<Vec<AuditEvent>> {
        self.authorize(p, Object::AuditLog, Action::Read)?;
        self.authorize(p, object(entity), Action::Read)?;
        audit::events(&self.reader(), entity, id).await
    }
}
