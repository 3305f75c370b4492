//! Casbin's storage adapter over our own `casbin_rule` table (the published sea-orm adapter is
//! unmaintained). Portico writes rules itself inside its transactions; the write methods here
//! keep Casbin's management API working against the same table.

use crate::db::tables::CasbinRule;
use async_trait::async_trait;
use casbin::{Adapter, Filter, Model, Result};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, InsertStatement, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// The insert of one rule: its type and up to six values, in Casbin's column order.
pub(crate) fn insert_rule<S: AsRef<str>>(ptype: &str, values: &[S]) -> InsertStatement {
    let mut cols = vec![CasbinRule::Ptype];
    let mut vals: Vec<sea_orm::sea_query::SimpleExpr> = vec![ptype.into()];
    for (column, v) in COLUMNS.iter().zip(values) {
        cols.push(*column);
        vals.push(v.as_ref().into());
    }
    Query::insert()
        .into_table(CasbinRule::Table)
        .columns(cols)
        .values_panic(vals)
        .to_owned()
}

pub(crate) const COLUMNS: [CasbinRule; 6] = [
    CasbinRule::V0,
    CasbinRule::V1,
    CasbinRule::V2,
    CasbinRule::V3,
    CasbinRule::V4,
    CasbinRule::V5,
];

pub struct RuleTable {
    db: DatabaseConnection,
    filtered: bool,
}

impl RuleTable {
    pub fn new(db: DatabaseConnection) -> Self {
        RuleTable {
            db,
            filtered: false,
        }
    }
}

fn io_error(e: impl std::fmt::Display) -> casbin::Error {
    casbin::Error::IoError(std::io::Error::other(e.to_string()))
}

fn rule_cond(ptype: &str, rule: &[String], offset: usize) -> Cond {
    let mut cond = Cond::all().add(Expr::col(CasbinRule::Ptype).eq(ptype));
    for (i, v) in rule.iter().enumerate() {
        if i + offset < COLUMNS.len() && !v.is_empty() {
            cond = cond.add(Expr::col(COLUMNS[i + offset]).eq(v.as_str()));
        }
    }
    cond
}

impl RuleTable {
    async fn load(&self, m: &mut dyn Model, filter: Option<&Filter<'_>>) -> Result<()> {
        let mut q = Query::select();
        q.column(CasbinRule::Ptype)
            .columns(COLUMNS)
            .from(CasbinRule::Table)
            .order_by(CasbinRule::Id, Order::Asc);
        let rows = self.db.query_all(&q).await.map_err(io_error)?;
        for row in rows {
            let ptype: String = row.try_get_by_index(0).map_err(io_error)?;
            let mut rule = Vec::new();
            for i in 0..COLUMNS.len() {
                let v: String = row.try_get_by_index(i + 1).map_err(io_error)?;
                rule.push(v);
            }
            while rule.last().is_some_and(String::is_empty) {
                rule.pop();
            }
            if let Some(f) = filter {
                let wanted = if ptype.starts_with('g') { &f.g } else { &f.p };
                let matches = wanted
                    .iter()
                    .enumerate()
                    .all(|(i, w)| w.is_empty() || rule.get(i).is_some_and(|v| v == w));
                if !matches {
                    continue;
                }
            }
            let Some(sec) = ptype.get(..1) else { continue };
            m.add_policy(sec, &ptype, rule);
        }
        Ok(())
    }

    async fn insert(&self, ptype: &str, rule: &[String]) -> Result<()> {
        self.db
            .execute(&insert_rule(ptype, rule))
            .await
            .map_err(io_error)?;
        Ok(())
    }

    async fn delete(&self, cond: Cond) -> Result<bool> {
        let q = Query::delete()
            .from_table(CasbinRule::Table)
            .cond_where(cond)
            .to_owned();
        let n = self.db.execute(&q).await.map_err(io_error)?.rows_affected();
        Ok(n > 0)
    }
}

#[async_trait]
impl Adapter for RuleTable {
    async fn load_policy(&mut self, m: &mut dyn Model) -> Result<()> {
        self.filtered = false;
        self.load(m, None).await
    }

    async fn load_filtered_policy<'a>(&mut self, m: &mut dyn Model, f: Filter<'a>) -> Result<()> {
        self.filtered = true;
        self.load(m, Some(&f)).await
    }

    async fn save_policy(&mut self, m: &mut dyn Model) -> Result<()> {
        let mut rules: Vec<(String, Vec<String>)> = Vec::new();
        for sec in ["p", "g"] {
            let Some(section) = m.get_model().get(sec) else {
                continue;
            };
            for (ptype, assertion) in section {
                for rule in assertion.get_policy() {
                    rules.push((ptype.clone(), rule.clone()));
                }
            }
        }
        self.clear_policy().await?;
        for (ptype, rule) in rules {
            self.insert(&ptype, &rule).await?;
        }
        Ok(())
    }

    async fn clear_policy(&mut self) -> Result<()> {
        self.delete(Cond::all()).await?;
        Ok(())
    }

    fn is_filtered(&self) -> bool {
        self.filtered
    }

    async fn add_policy(&mut self, _sec: &str, ptype: &str, rule: Vec<String>) -> Result<bool> {
        self.insert(ptype, &rule).await?;
        Ok(true)
    }

    async fn add_policies(
        &mut self,
        _sec: &str,
        ptype: &str,
        rules: Vec<Vec<String>>,
    ) -> Result<bool> {
        for rule in rules {
            self.insert(ptype, &rule).await?;
        }
        Ok(true)
    }

    async fn remove_policy(&mut self, _sec: &str, ptype: &str, rule: Vec<String>) -> Result<bool> {
        self.delete(rule_cond(ptype, &rule, 0)).await
    }

    async fn remove_policies(
        &mut self,
        _sec: &str,
        ptype: &str,
        rules: Vec<Vec<String>>,
    ) -> Result<bool> {
        let mut any = false;
        for rule in rules {
            any |= self.delete(rule_cond(ptype, &rule, 0)).await?;
        }
        Ok(any)
    }

    async fn remove_filtered_policy(
        &mut self,
        _sec: &str,
        ptype: &str,
        field_index: usize,
        field_values: Vec<String>,
    ) -> Result<bool> {
        self.delete(rule_cond(ptype, &field_values, field_index))
            .await
    }
}
