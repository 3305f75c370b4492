//! The portal's indicators: counts for the current organisation (or the user when they work for
//! none): its cases by status, its deals by stage and by owner.

use super::access::case_scope;
use super::organisations::portal;
use crate::Engine;
use crate::db::Exec;
use crate::db::tables::{Cases, Deals, StaffUsers};
use crate::error::Result;
use crate::identity::{Action, Object, Principal};
use crate::metadata::{EntityKind, FieldDefinition};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order, Query};

#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub label: String,
    pub count: i64,
    /// The sum of the amounts, for deals.
    pub amount: Option<f64>,
    /// Whether the option means "finished" (a closed case, a won or lost deal), as the admin
    /// marked it: readers tell open from closed by this, never by the label.
    pub closed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub key: &'static str,
    pub title: &'static str,
    pub buckets: Vec<Bucket>,
}

/// Buckets in the order of the field's options, every option present (charts keep their axis).
fn by_options(field: Option<&FieldDefinition>, found: Vec<Bucket>) -> Vec<Bucket> {
    let (options, closed) = field.map_or((&[][..], &[][..]), |f| {
        (f.options.as_slice(), f.closed_options.as_slice())
    });
    let mut out: Vec<Bucket> = options
        .iter()
        .map(|o| {
            let mut b = found
                .iter()
                .find(|b| &b.label == o)
                .cloned()
                .unwrap_or(Bucket {
                    label: o.clone(),
                    count: 0,
                    amount: None,
                    closed: false,
                });
            b.closed = closed.contains(o);
            b
        })
        .collect();
    // Values no longer among the options still count.
    out.extend(found.into_iter().filter(|b| !options.contains(&b.label)));
    out
}

impl Engine {
    pub(crate) async fn portal_indicators(&self, p: &Principal) -> Result<Vec<Indicator>> {
        self.authorize(p, Object::PortalCase, Action::Read)?;
        let me = portal(p)?;
        let client = me.organisation_id.unwrap_or(me.contact_id);
        let reader = self.reader();
        let catalog = self.catalog();

        let scope = case_scope(me);
        let mut q = Query::select();
        q.column((Cases::Table, Cases::Status))
            .expr(Expr::col((Cases::Table, Cases::Id)).count());
        scope.add_tables(reader.backend(), &mut q, "cases");
        q.cond_where(scope.cond.clone())
            .group_by_col((Cases::Table, Cases::Status));
        let mut cases = Vec::new();
        for row in reader.query_all(&q).await? {
            cases.push(Bucket {
                label: row.get(0)?,
                count: row.get(1)?,
                amount: None,
                closed: false,
            });
        }

        let q = Query::select()
            .column(Deals::Stage)
            .expr(Expr::col(Deals::Id).count())
            .expr(Expr::col(Deals::Amount).sum())
            .from(Deals::Table)
            .and_where(Expr::col(Deals::ClientId).eq(client))
            .group_by_col(Deals::Stage)
            .to_owned();
        let stages = buckets_with_amount(&reader, &q).await?;

        let q = Query::select()
            .expr(Expr::col(("u", StaffUsers::Name)))
            .expr(Expr::col(("d", Deals::Id)).count())
            .expr(Expr::col(("d", Deals::Amount)).sum())
            .from_as(Deals::Table, "d")
            .join_as(
                JoinType::LeftJoin,
                StaffUsers::Table,
                "u",
                Expr::col(("u", StaffUsers::Id)).equals(("d", Deals::OwnerId)),
            )
            .and_where(Expr::col(("d", Deals::ClientId)).eq(client))
            .group_by_col(("u", StaffUsers::Name))
            .order_by(("u", StaffUsers::Name), Order::Asc)
            .to_owned();
        let owners = buckets_with_amount(&reader, &q).await?;

        Ok(vec![
            Indicator {
                key: "casesByStatus",
                title: "Cases by status",
                buckets: by_options(catalog.entity(EntityKind::Case).field("status"), cases),
            },
            Indicator {
                key: "dealsByStage",
                title: "Deals by stage",
                buckets: by_options(catalog.entity(EntityKind::Deal).field("stage"), stages),
            },
            Indicator {
                key: "dealsByOwner",
                title: "Deals by owner",
                buckets: owners,
            },
        ])
    }
}

async fn buckets_with_amount(
    db: &impl Exec,
    q: &sea_orm::sea_query::SelectStatement,
) -> Result<Vec<Bucket>> {
    let mut out = Vec::new();
    for row in db.query_all(q).await? {
        let label: Option<String> = row.get(0)?;
        out.push(Bucket {
            label: label.unwrap_or_else(|| "Unassigned".into()),
            count: row.get(1)?,
            amount: Some(row.get::<Option<f64>>(2)?.unwrap_or(0.0)),
            closed: false,
        });
    }
    Ok(out)
}
