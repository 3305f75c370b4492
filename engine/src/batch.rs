//! What a page of records needs for its nested lists, loaded for the whole page at once.
//!
//! A page of 100 cases that shows each case's contacts and documents would otherwise ask the
//! database 200 times; these ask once per list, whatever the page size, and the GraphQL layer
//! gathers a page's keys (a data loader) before calling them. Each checks the same rights as
//! its one-row counterpart.

use crate::Engine;
use crate::db::Exec;
use crate::db::tables::{CaseContacts, DocumentShares, Documents, Relationships};
use crate::documents::{Document, DocumentQuery, Folder};
use crate::error::Result;
use crate::identity::{Action, Object, Principal, StaffUser};
use crate::metadata::EntityKind;
use crate::records::Record;
use crate::records::Relationship;
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Order, Query};
use std::collections::HashMap;

/// Most ids in one `IN (...)`: far under every backend's limit on bound parameters.
const CHUNK: usize = 500;

impl Engine {
    /// Loads the contacts of `(key, contact id)` pairs in one read and groups them by key, in
    /// the pairs' order.
    async fn contacts_by_key(&self, pairs: Vec<(i64, i64)>) -> Result<HashMap<i64, Vec<Record>>> {
        let mut ids: Vec<i64> = pairs.iter().map(|(_, c)| *c).collect();
        ids.sort_unstable();
        ids.dedup();
        let contacts: HashMap<i64, Record> = self
            .load_records(EntityKind::Contact, &ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let mut out: HashMap<i64, Vec<Record>> = HashMap::new();
        for (key, contact_id) in pairs {
            if let Some(c) = contacts.get(&contact_id) {
                out.entry(key).or_default().push(c.clone());
            }
        }
        Ok(out)
    }

    /// The contacts linked to each case, in the order they were linked.
    pub(crate) async fn case_contacts_for(
        &self,
        p: &Principal,
        case_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<Record>>> {
        self.authorize(p, Object::Contact, Action::Read)?;
        let reader = self.reader();
        let mut links: Vec<(i64, i64)> = Vec::new();
        for chunk in case_ids.chunks(CHUNK) {
            let q = Query::select()
                .columns([CaseContacts::CaseId, CaseContacts::ContactId])
                .from(CaseContacts::Table)
                .and_where(Expr::col(CaseContacts::CaseId).is_in(chunk.iter().copied()))
                .order_by(CaseContacts::CreatedAt, Order::Asc)
                .order_by(CaseContacts::ContactId, Order::Asc)
                .to_owned();
            for row in reader.query_all(&q).await? {
                links.push((row.get(0)?, row.get(1)?));
            }
        }
        self.contacts_by_key(links).await
    }

    /// Each case's documents, sorted and narrowed alike.
    pub(crate) async fn case_documents_for(
        &self,
        p: &Principal,
        case_ids: &[i64],
        how: &DocumentQuery,
    ) -> Result<HashMap<i64, Vec<Document>>> {
        self.authorize(p, Object::Case, Action::Read)?;
        let mut out: HashMap<i64, Vec<Document>> = HashMap::new();
        for chunk in case_ids.chunks(CHUNK) {
            let mut q = crate::documents::select_documents();
            q.and_where(
                Expr::col((Documents::Table, Documents::CaseId)).is_in(chunk.iter().copied()),
            );
            crate::documents::arrange_documents(&mut q, how);
            for doc in crate::documents::list_documents(&self.reader(), &q).await? {
                out.entry(doc.case_id).or_default().push(doc);
            }
        }
        Ok(out)
    }

    /// Each case's folders, by name.
    pub(crate) async fn case_folders_for(
        &self,
        p: &Principal,
        case_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<Folder>>> {
        self.authorize(p, Object::Case, Action::Read)?;
        let mut out: HashMap<i64, Vec<Folder>> = HashMap::new();
        for chunk in case_ids.chunks(CHUNK) {
            for f in crate::documents::folders_of(&self.reader(), chunk).await? {
                out.entry(f.case_id).or_default().push(f);
            }
        }
        Ok(out)
    }

    /// The contacts each document is shared with.
    pub(crate) async fn document_shared_with_for(
        &self,
        p: &Principal,
        document_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<Record>>> {
        self.authorize(p, Object::Case, Action::Read)?;
        self.authorize(p, Object::Contact, Action::Read)?;
        let reader = self.reader();
        let mut pairs: Vec<(i64, i64)> = Vec::new();
        for chunk in document_ids.chunks(CHUNK) {
            let q = Query::select()
                .columns([DocumentShares::DocumentId, DocumentShares::ContactId])
                .from(DocumentShares::Table)
                .and_where(Expr::col(DocumentShares::DocumentId).is_in(chunk.iter().copied()))
                .order_by(DocumentShares::ContactId, Order::Asc)
                .to_owned();
            for row in reader.query_all(&q).await? {
                pairs.push((row.get(0)?, row.get(1)?));
            }
        }
        self.contacts_by_key(pairs).await
    }

    /// The relationships each contact takes part in, from either side.
    pub(crate) async fn relationships_for(
        &self,
        p: &Principal,
        contact_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<Relationship>>> {
        self.authorize(p, Object::Relationship, Action::Read)?;
        let reader = self.reader();
        let mut out: HashMap<i64, Vec<Relationship>> = HashMap::new();
        for chunk in contact_ids.chunks(CHUNK) {
            let q = Query::select()
                .columns(crate::records::relations::REL_COLUMNS)
                .from(Relationships::Table)
                .cond_where(
                    Cond::any()
                        .add(Expr::col(Relationships::IndividualId).is_in(chunk.iter().copied()))
                        .add(Expr::col(Relationships::OrganisationId).is_in(chunk.iter().copied())),
                )
                .order_by(Relationships::Id, Order::Asc)
                .to_owned();
            for row in reader.query_all(&q).await? {
                let rel = crate::records::relations::relationship(&row)?;
                for side in [rel.individual_id, rel.organisation_id] {
                    if chunk.contains(&side) {
                        out.entry(side).or_default().push(rel.clone());
                    }
                }
            }
        }
        Ok(out)
    }

    /// Staff users by id: from this process's cache, the rest in one read of the (small)
    /// staff table.
    pub(crate) async fn staff_users_for(
        &self,
        p: &Principal,
        ids: &[i64],
    ) -> Result<HashMap<i64, StaffUser>> {
        self.authorize(p, Object::StaffUser, Action::Read)?;
        let mut out = HashMap::new();
        let mut missing = false;
        for id in ids {
            match self.sessions.user(*id) {
                Some(u) => {
                    out.insert(*id, u);
                }
                None => missing = true,
            }
        }
        if missing {
            for user in crate::identity::staff::all_users(&self.reader()).await? {
                if ids.contains(&user.id) && !out.contains_key(&user.id) {
                    self.sessions.put_user(user.clone());
                    out.insert(user.id, user);
                }
            }
        }
        Ok(out)
    }
}
