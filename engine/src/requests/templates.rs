//! Questionnaires saved to reuse: a name and its questions, checked as a request's are. Staff
//! pick one when making a questions request; saving under a name already used replaces that
//! questionnaire (the form says so), so a firm keeps one "Annual tax return" and improves it.

use super::{Question, check_questions};
use crate::Engine;
use crate::db::tables::QuestionnaireTemplates;
use crate::db::{Exec, Row, now_micros};
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query};

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionnaireTemplate {
    pub id: i64,
    pub name: String,
    pub questions: Vec<Question>,
    pub updated_at: i64,
}

fn from_row(row: &Row) -> Result<QuestionnaireTemplate> {
    let questions: String = row.get(2)?;
    Ok(QuestionnaireTemplate {
        id: row.get(0)?,
        name: row.get(1)?,
        questions: serde_json::from_str(&questions)
            .map_err(|_| EngineError::Internal("a questionnaire's questions".into()))?,
        updated_at: row.get(3)?,
    })
}

async fn select(db: &impl Exec, by_name: Option<&str>) -> Result<Vec<QuestionnaireTemplate>> {
    let mut q = Query::select()
        .columns([
            QuestionnaireTemplates::Id,
            QuestionnaireTemplates::Name,
            QuestionnaireTemplates::Questions,
            QuestionnaireTemplates::UpdatedAt,
        ])
        .from(QuestionnaireTemplates::Table)
        .order_by(QuestionnaireTemplates::Name, Order::Asc)
        .to_owned();
    if let Some(name) = by_name {
        q.and_where(Expr::col(QuestionnaireTemplates::Name).eq(name));
    }
    db.query_all(&q).await?.iter().map(from_row).collect()
}

impl Engine {
    pub(crate) async fn questionnaire_templates(
        &self,
        p: &Principal,
    ) -> Result<Vec<QuestionnaireTemplate>> {
        self.authorize(p, Object::Case, Action::Read)?;
        select(&self.reader(), None).await
    }

    /// Saves `questions` under `name`, replacing a questionnaire of that name.
    pub(crate) async fn save_questionnaire_template(
        &self,
        p: &Principal,
        name: &str,
        questions: Vec<Question>,
    ) -> Result<QuestionnaireTemplate> {
        self.authorize(p, Object::Case, Action::Update)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(EngineError::missing(
                "name",
                "a questionnaire needs a name (at most 200 characters)",
            ));
        }
        let questions = check_questions(questions)?;
        let text =
            serde_json::to_string(&questions).map_err(|e| EngineError::Internal(e.to_string()))?;
        let created_by = match p {
            Principal::Staff(s) => Some(s.user_id),
            _ => None,
        };
        let q = Query::insert()
            .into_table(QuestionnaireTemplates::Table)
            .columns([
                QuestionnaireTemplates::Name,
                QuestionnaireTemplates::Questions,
                QuestionnaireTemplates::CreatedBy,
                QuestionnaireTemplates::UpdatedAt,
            ])
            .values_panic([
                name.into(),
                text.into(),
                created_by.into(),
                now_micros().into(),
            ])
            .on_conflict(
                OnConflict::column(QuestionnaireTemplates::Name)
                    .update_columns([
                        QuestionnaireTemplates::Questions,
                        QuestionnaireTemplates::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .to_owned();
        let txn = self.begin_write().await?;
        txn.execute(&q).await?;
        let saved = select(&txn, Some(name)).await?.into_iter().next();
        txn.commit().await?;
        saved.ok_or_else(|| EngineError::Internal("a saved questionnaire is missing".into()))
    }

    pub(crate) async fn delete_questionnaire_template(
        &self,
        p: &Principal,
        id: i64,
    ) -> Result<bool> {
        self.authorize(p, Object::Case, Action::Update)?;
        let q = Query::delete()
            .from_table(QuestionnaireTemplates::Table)
            .and_where(Expr::col(QuestionnaireTemplates::Id).eq(id))
            .to_owned();
        let txn = self.begin_write().await?;
        let gone = txn.execute(&q).await?;
        txn.commit().await?;
        if gone == 0 {
            return Err(EngineError::not_found("QuestionnaireTemplate", id));
        }
        Ok(true)
    }
}
