//! Cases as a portal user reads and opens them: always within their grants.

use super::access::{case_scope, grant_new};
use super::organisations::portal;
use crate::Engine;
use crate::db::Exec;
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};
use crate::metadata::{Audience, EntityKind};
use crate::records::query::{self, Condition, ListQuery, Op, Page};
use crate::records::write::{self, NewRecord};
use crate::records::{Record, actor, layout_of};
use serde_json::{Map, Value, json};

/// The owner of cases clients open on the portal: the first active administrator.
pub(crate) async fn default_owner(db: &impl Exec) -> Result<Option<i64>> {
    Ok(crate::identity::staff::active_admins(db)
        .await?
        .first()
        .copied())
}

impl Engine {
    /// A page of the portal user's cases; `q` may only filter on portal-visible fields.
    pub(crate) async fn portal_cases(&self, p: &Principal, q: &ListQuery) -> Result<Page> {
        self.authorize(p, Object::PortalCase, Action::Read)?;
        let me = portal(p)?;
        let catalog = self.catalog();
        let meta = catalog.entity(EntityKind::Case);
        check_visible(meta, &q.conditions)?;
        query::list(
            &self.reader(),
            layout_of(EntityKind::Case)?,
            meta,
            q,
            Some(&case_scope(me)),
        )
        .await
    }

    /// Those of `ids` the portal user can see now, scoped as every portal list is (their
    /// grants, the organisation they look at), in pages of the most a list returns.
    pub(crate) async fn portal_visible_cases(
        &self,
        p: &Principal,
        ids: &[i64],
    ) -> Result<Vec<crate::records::Record>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::new();
        for chunk in ids.chunks(query::MAX_PAGE as usize) {
            let q = ListQuery {
                conditions: vec![Condition {
                    key: "id".into(),
                    op: crate::records::Op::In,
                    value: serde_json::json!(chunk),
                }],
                first: Some(query::MAX_PAGE),
                without_custom: true,
                ..ListQuery::default()
            };
            out.extend(self.portal_cases(p, &q).await?.records);
        }
        Ok(out)
    }

    pub(crate) async fn portal_case_count(
        &self,
        p: &Principal,
        conditions: &[Condition],
    ) -> Result<i64> {
        self.authorize(p, Object::PortalCase, Action::Read)?;
        let me = portal(p)?;
        let catalog = self.catalog();
        let meta = catalog.entity(EntityKind::Case);
        check_visible(meta, conditions)?;
        query::count(
            &self.reader(),
            layout_of(EntityKind::Case)?,
            meta,
            conditions,
            Some(&case_scope(me)),
        )
        .await
    }

    /// One of the portal user's cases. A case outside their grants is "not found", whether or
    /// not it exists, so ids cannot be probed.
    pub(crate) async fn portal_case(&self, p: &Principal, id: i64) -> Result<Record> {
        let q = ListQuery {
            conditions: vec![Condition {
                key: "id".into(),
                op: Op::Eq,
                value: json!(id),
            }],
            first: Some(1),
            ..ListQuery::default()
        };
        self.portal_cases(p, &q)
            .await?
            .records
            .pop()
            .ok_or_else(|| EngineError::not_found("Case", id))
    }

    /// Opens a case from the portal: only portal-editable fields; the client is the current
    /// organisation (or the user), the owner the default owner, and the user gets access.
    pub(crate) async fn portal_create_case(
        &self,
        p: &Principal,
        values: Map<String, Value>,
    ) -> Result<Record> {
        self.authorize(p, Object::PortalCase, Action::Create)?;
        let me = portal(p)?;
        let catalog = self.catalog();
        let meta = catalog.entity(EntityKind::Case);
        let layout = layout_of(EntityKind::Case)?;
        let owner = self.default_owner().await?;
        self.spending(me.contact_id, &[super::Spend::Case], async {
            let txn = self.begin_write().await?;
            let mut preset = Map::new();
            preset.insert(
                "client".into(),
                json!(me.organisation_id.unwrap_or(me.contact_id)),
            );
            if let Some(owner) = owner {
                preset.insert("owner".into(), json!(owner));
            }
            let new = NewRecord {
                id: None,
                created_at: None,
                values,
            };
            // The "created" audit event, by "<name> (portal)", also says who holds the grant.
            let record =
                write::insert_with(&txn, layout, meta, Audience::Portal, new, preset, &actor(p))
                    .await?;
            // The opener is linked to the case like any contact staff add, so their grant follows
            // the link: staff see them among the candidates and can take either away.
            if me.organisation_id.is_some() {
                crate::records::relations::link_new_case(&txn, record.id, me.contact_id).await?;
            }
            grant_new(&txn, record.id, me.contact_id).await?;
            let activity = crate::notifications::Activity::OpenedCase {
                contact: me.name.clone(),
            };
            let case = crate::notifications::CaseRef {
                id: record.id,
                subject: record
                    .get("subject")
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                new_with_owner: Some(owner),
            };
            let woken = crate::notifications::record(self, &txn, &case, &activity).await?;
            txn.commit().await?;
            for user in woken {
                self.notification_signal.wake(user);
            }
            Ok(record)
        })
        .await
    }

    /// The default owner, remembered until staff users or groups change (the auth version).
    async fn default_owner(&self) -> Result<Option<i64>> {
        if let Some(owner) = self.sessions.default_owner() {
            return Ok(owner);
        }
        let owner = default_owner(&self.reader()).await?;
        self.sessions.put_default_owner(owner);
        Ok(owner)
    }
}

/// Filters name portal-visible fields only: a hidden field must not leak through a filter.
fn check_visible(meta: &crate::metadata::EntityMeta, conditions: &[Condition]) -> Result<()> {
    let portal_field = |key: &str| {
        meta.field(key)
            .is_some_and(|f| f.visible_to(Audience::Portal))
    };
    for c in conditions {
        // A search reads the subject and the number, which a client sees on every case.
        if c.op == query::Op::Search && portal_field("subject") {
            continue;
        }
        let visible =
            c.key == "id" || c.key == "createdAt" || c.key == "updatedAt" || portal_field(&c.key);
        if !visible {
            return Err(EngineError::validation(&c.key, "is not a portal field"));
        }
    }
    Ok(())
}
