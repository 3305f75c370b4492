//! The organisations a portal user works for: those they are related to as an individual. One
//! of them is current; the case list, new cases and the indicators follow it.

use super::accounts;
use crate::Engine;
use crate::db::Exec;
use crate::db::tables::{Contacts, PortalAccounts, Relationships};
use crate::error::{EngineError, Result};
use crate::identity::{PortalPrincipal, Principal};
use crate::metadata::EntityKind;
use crate::records::Record;
use crate::state::{self, Counter};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order, Query};

/// What the portal shows about the signed-in user.
#[derive(Debug, Clone)]
pub struct Me {
    pub contact: Record,
    pub organisations: Vec<Record>,
    pub current_organisation: Option<Record>,
}

/// The ids of the organisations a contact is related to, by name.
pub(crate) async fn related(db: &impl Exec, contact_id: i64) -> Result<Vec<i64>> {
    let q = Query::select()
        .column(("o", Contacts::Id))
        .from_as(Relationships::Table, "r")
        .join_as(
            JoinType::InnerJoin,
            Contacts::Table,
            "o",
            Expr::col(("o", Contacts::Id)).equals(("r", Relationships::OrganisationId)),
        )
        .and_where(Expr::col(("r", Relationships::IndividualId)).eq(contact_id))
        .order_by(("o", Contacts::Name), Order::Asc)
        .order_by(("o", Contacts::Id), Order::Asc)
        .limit(200)
        .to_owned();
    crate::db::ids(db, &q).await
}

/// The current organisation: the one the user chose while they are still related to it, else
/// the first of their organisations, else none.
pub(crate) async fn current(db: &impl Exec, contact_id: i64) -> Result<Option<i64>> {
    let orgs = related(db, contact_id).await?;
    let chosen = accounts::find(db, contact_id)
        .await?
        .and_then(|a| a.organisation_id);
    Ok(match chosen {
        Some(id) if orgs.contains(&id) => Some(id),
        _ => orgs.first().copied(),
    })
}

pub(crate) fn portal(p: &Principal) -> Result<&PortalPrincipal> {
    match p {
        Principal::Portal(me) => Ok(me),
        _ => Err(EngineError::Unauthenticated),
    }
}

impl Engine {
    pub(crate) async fn portal_me(&self, p: &Principal) -> Result<Me> {
        let me = portal(p)?;
        let reader = self.reader();
        let contact = self.load_record(EntityKind::Contact, me.contact_id).await?;
        let ids = related(&reader, me.contact_id).await?;
        let mut organisations = self.load_records(EntityKind::Contact, &ids).await?;
        organisations.sort_by_key(|r| ids.iter().position(|i| *i == r.id));
        let current_organisation = me
            .organisation_id
            .and_then(|id| organisations.iter().find(|o| o.id == id).cloned());
        Ok(Me {
            contact,
            organisations,
            current_organisation,
        })
    }

    /// Makes `organisation_id` the current organisation; it must be one the user is related to.
    pub(crate) async fn switch_organisation(
        &self,
        p: &Principal,
        organisation_id: i64,
    ) -> Result<Me> {
        let me = portal(p)?;
        let txn = self.begin_write().await?;
        if !related(&txn, me.contact_id)
            .await?
            .contains(&organisation_id)
        {
            return Err(EngineError::not_found("Organisation", organisation_id));
        }
        accounts::set(
            &txn,
            me.contact_id,
            vec![(PortalAccounts::OrganisationId, organisation_id.into())],
        )
        .await?;
        // Sessions carry the current organisation; every process must drop its cached copy.
        state::bump(&txn, Counter::Auth).await?;
        txn.commit().await?;
        self.changed().await?;
        let mut me = me.clone();
        me.organisation_id = Some(organisation_id);
        self.portal_me(&Principal::Portal(me)).await
    }
}
