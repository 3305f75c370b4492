//! Reading and changing `field_definitions`. Every change bumps the metadata version in the
//! same transaction, which is how every process learns to rebuild its schemas.

use super::system_fields::{self, SYSTEM_FIELDS};
use super::{EntityKind, FieldDefinition, FieldKey, FieldType, Translations, enum_value_name};
use crate::db::now_micros;
use crate::db::tables::FieldDefinitions;
use crate::error::{EngineError, Result};
use crate::state::{self, Counter};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait};
use std::collections::HashSet;

const COLUMNS: [FieldDefinitions; 20] = [
    FieldDefinitions::Id,
    FieldDefinitions::Entity,
    FieldDefinitions::Key,
    FieldDefinitions::Label,
    FieldDefinitions::FieldType,
    FieldDefinitions::Options,
    FieldDefinitions::Required,
    FieldDefinitions::Active,
    FieldDefinitions::PortalVisible,
    FieldDefinitions::PortalEditable,
    FieldDefinitions::Block,
    FieldDefinitions::Position,
    FieldDefinitions::Help,
    FieldDefinitions::System,
    FieldDefinitions::UpdatedAt,
    FieldDefinitions::DefaultOption,
    FieldDefinitions::ClosedOptions,
    FieldDefinitions::Labels,
    FieldDefinitions::Helps,
    FieldDefinitions::OptionLabels,
];

fn to_json(list: &[String]) -> Result<String> {
    serde_json::to_string(list).map_err(|e| EngineError::Internal(e.to_string()))
}

fn translations(row: &QueryResult, column: &str) -> Result<Translations> {
    let text: String = row.try_get("", column)?;
    serde_json::from_str(&text)
        .map_err(|e| EngineError::Internal(format!("{column} of a field: {e}")))
}

fn option_labels_json(labels: &std::collections::BTreeMap<String, Translations>) -> Result<String> {
    serde_json::to_string(labels).map_err(|e| EngineError::Internal(e.to_string()))
}

/// Merges option labels into `current`: each option named must be one of `options`; a label
/// with both languages empty drops the entry. Options no longer there lose theirs.
fn merge_option_labels(
    current: &mut std::collections::BTreeMap<String, Translations>,
    change: Vec<(String, Translations)>,
    options: &[String],
) -> Result<()> {
    for (option, texts) in change {
        if !options.contains(&option) {
            return Err(EngineError::validation(
                "optionLabels",
                format!("`{option}` is not an option of this field"),
            ));
        }
        let mut merged = current.get(&option).cloned().unwrap_or_default();
        merged.merge(texts);
        let merged = check_translations(merged, "optionLabels", true)?;
        if merged.es.is_none() && merged.en.is_none() {
            current.remove(&option);
        } else {
            current.insert(option, merged);
        }
    }
    current.retain(|o, _| options.contains(o));
    Ok(())
}

fn translations_json(t: &Translations) -> Result<String> {
    serde_json::to_string(t).map_err(|e| EngineError::Internal(e.to_string()))
}

/// Each language's label obeys the label's rule; a help text is at most 1,000 characters.
fn check_translations(t: Translations, field: &str, label: bool) -> Result<Translations> {
    let mut out = Translations::default();
    out.merge(t);
    for (lang, text) in [("es", &out.es), ("en", &out.en)] {
        if let Some(text) = text {
            let too_long = text.chars().count() > if label { 200 } else { 1000 };
            if too_long {
                return Err(EngineError::validation(
                    format!("{field}.{lang}"),
                    format!(
                        "must be at most {} characters",
                        if label { 200 } else { 1000 }
                    ),
                ));
            }
        }
    }
    Ok(out)
}

fn from_row(row: &QueryResult) -> Result<FieldDefinition> {
    let entity: String = row.try_get("", "entity")?;
    let field_type: String = row.try_get("", "field_type")?;
    let options: String = row.try_get("", "options")?;
    let closed: String = row.try_get("", "closed_options")?;
    Ok(FieldDefinition {
        id: row.try_get("", "id")?,
        entity: EntityKind::parse(&entity)
            .ok_or_else(|| EngineError::Internal(format!("unknown entity {entity}")))?,
        key: row.try_get("", "key")?,
        label: row.try_get("", "label")?,
        field_type: FieldType::parse(&field_type)
            .ok_or_else(|| EngineError::Internal(format!("unknown field type {field_type}")))?,
        options: serde_json::from_str(&options)
            .map_err(|e| EngineError::Internal(format!("options of a field: {e}")))?,
        required: row.try_get("", "required")?,
        active: row.try_get("", "active")?,
        portal_visible: row.try_get("", "portal_visible")?,
        portal_editable: row.try_get("", "portal_editable")?,
        block: row.try_get("", "block")?,
        position: row.try_get("", "position")?,
        help: row.try_get("", "help")?,
        system: row.try_get("", "system")?,
        default_option: row.try_get("", "default_option")?,
        closed_options: serde_json::from_str(&closed)
            .map_err(|e| EngineError::Internal(format!("closed options of a field: {e}")))?,
        labels: translations(row, "labels")?,
        helps: translations(row, "helps")?,
        option_labels: {
            let text: String = row.try_get("", "option_labels")?;
            serde_json::from_str(&text)
                .map_err(|e| EngineError::Internal(format!("option labels of a field: {e}")))?
        },
    })
}

pub(crate) async fn load_all(db: &impl ConnectionTrait) -> Result<Vec<FieldDefinition>> {
    let q = Query::select()
        .columns(COLUMNS)
        .from(FieldDefinitions::Table)
        .order_by(FieldDefinitions::Entity, Order::Asc)
        .order_by(FieldDefinitions::Block, Order::Asc)
        .order_by(FieldDefinitions::Position, Order::Asc)
        .order_by(FieldDefinitions::Id, Order::Asc)
        .to_owned();
    db.query_all(&q).await?.iter().map(from_row).collect()
}

async fn load_one(
    db: &impl ConnectionTrait,
    entity: EntityKind,
    key: &str,
) -> Result<FieldDefinition> {
    let q = Query::select()
        .columns(COLUMNS)
        .from(FieldDefinitions::Table)
        .and_where(Expr::col(FieldDefinitions::Entity).eq(entity.as_str()))
        .and_where(Expr::col(FieldDefinitions::Key).eq(key))
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => from_row(&row),
        None => Err(EngineError::not_found("field definition", key)),
    }
}

/// Inserts the system fields that are missing, so a new release can add one to an existing
/// installation. Existing rows are left as the admin configured them.
pub(crate) async fn seed_system_fields(db: &sea_orm::DatabaseConnection) -> Result<()> {
    let txn = db.begin().await?;
    let stored = load_all(&txn).await?;
    let mut changed = false;
    // A status or stage from before options had a meaning (or whose shipped default was
    // renamed) gets one: its shipped default where still an option, else its first.
    for d in &stored {
        let Some(f) = system_fields::find(d.entity, &d.key) else {
            continue;
        };
        if d.default_option.is_some() || !system_fields::needs_default(d.entity, &d.key) {
            continue;
        }
        let default = f
            .default_option
            .filter(|o| d.options.iter().any(|x| x == o))
            .map(str::to_owned)
            .or_else(|| d.options.first().cloned());
        let q = Query::update()
            .table(FieldDefinitions::Table)
            .value(FieldDefinitions::DefaultOption, default)
            .and_where(Expr::col(FieldDefinitions::Id).eq(d.id))
            .to_owned();
        txn.execute(&q).await?;
        changed = true;
    }
    let existing: HashSet<(EntityKind, String)> =
        stored.into_iter().map(|d| (d.entity, d.key)).collect();
    for (position, f) in SYSTEM_FIELDS.iter().enumerate() {
        if existing.contains(&(f.entity, f.key.to_owned())) {
            continue;
        }
        let options: Vec<String> = f.options.iter().map(|o| (*o).to_owned()).collect();
        insert(
            &txn,
            &FieldDefinition {
                id: 0,
                entity: f.entity,
                key: f.key.to_owned(),
                label: f.label.to_owned(),
                field_type: f.field_type,
                options,
                required: f.required,
                active: f.active,
                system: true,
                block: f.block.to_owned(),
                position: position as i32,
                help: None,
                portal_visible: f.portal_visible,
                portal_editable: f.portal_editable,
                default_option: f.default_option.map(str::to_owned),
                closed_options: f.closed.iter().map(|o| (*o).to_owned()).collect(),
                labels: Translations::default(),
                helps: Translations::default(),
                option_labels: Default::default(),
            },
        )
        .await?;
        changed = true;
    }
    if changed {
        state::bump(&txn, Counter::Metadata).await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn insert(db: &impl ConnectionTrait, d: &FieldDefinition) -> Result<()> {
    let now = now_micros();
    let q = Query::insert()
        .into_table(FieldDefinitions::Table)
        .columns([
            FieldDefinitions::Entity,
            FieldDefinitions::Key,
            FieldDefinitions::Label,
            FieldDefinitions::FieldType,
            FieldDefinitions::Options,
            FieldDefinitions::Required,
            FieldDefinitions::Active,
            FieldDefinitions::PortalVisible,
            FieldDefinitions::PortalEditable,
            FieldDefinitions::Block,
            FieldDefinitions::Position,
            FieldDefinitions::Help,
            FieldDefinitions::System,
            FieldDefinitions::DefaultOption,
            FieldDefinitions::ClosedOptions,
            FieldDefinitions::Labels,
            FieldDefinitions::Helps,
            FieldDefinitions::OptionLabels,
            FieldDefinitions::CreatedAt,
            FieldDefinitions::UpdatedAt,
        ])
        .values_panic([
            d.entity.as_str().into(),
            d.key.clone().into(),
            d.label.clone().into(),
            d.field_type.as_str().into(),
            to_json(&d.options)?.into(),
            d.required.into(),
            d.active.into(),
            d.portal_visible.into(),
            d.portal_editable.into(),
            d.block.clone().into(),
            d.position.into(),
            d.help.clone().into(),
            d.system.into(),
            d.default_option.clone().into(),
            to_json(&d.closed_options)?.into(),
            translations_json(&d.labels)?.into(),
            translations_json(&d.helps)?.into(),
            option_labels_json(&d.option_labels)?.into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    db.execute(&q).await?;
    Ok(())
}

/// What an admin supplies to create a custom field.
#[derive(Debug, Clone, Default)]
pub struct NewDefinition {
    pub entity: Option<EntityKind>,
    pub key: String,
    pub label: String,
    pub field_type: Option<FieldType>,
    pub options: Vec<String>,
    pub required: bool,
    pub block: Option<String>,
    pub position: Option<i32>,
    pub help: Option<String>,
    pub portal_visible: bool,
    pub portal_editable: bool,
    pub default_option: Option<String>,
    pub labels: Translations,
    pub helps: Translations,
    /// Option labels per language, by option.
    pub option_labels: Vec<(String, Translations)>,
}

/// A partial change; `None` leaves a property as it is.
#[derive(Debug, Clone, Default)]
pub struct DefinitionChange {
    pub label: Option<String>,
    pub options: Option<Vec<String>>,
    pub required: Option<bool>,
    pub active: Option<bool>,
    pub block: Option<String>,
    pub position: Option<i32>,
    pub help: Option<Option<String>>,
    pub portal_visible: Option<bool>,
    pub portal_editable: Option<bool>,
    /// `Some(None)` clears the default.
    pub default_option: Option<Option<String>>,
    pub closed_options: Option<Vec<String>>,
    /// The languages given are set (an empty text clears one); the others stay.
    pub labels: Option<Translations>,
    pub helps: Option<Translations>,
    /// Each option named gets the languages given (an empty text clears one).
    pub option_labels: Option<Vec<(String, Translations)>>,
}

fn check_label(label: &str, field: &str) -> Result<String> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 200 {
        return Err(EngineError::validation(
            field,
            "must be between 1 and 200 characters",
        ));
    }
    Ok(label.to_owned())
}

/// Options must be non-empty, distinct, and map to distinct enum values.
fn check_options(field_type: FieldType, options: &[String]) -> Result<Vec<String>> {
    if !field_type.has_options() {
        if options.is_empty() {
            return Ok(Vec::new());
        }
        return Err(EngineError::validation(
            "options",
            "only SELECT and MULTISELECT fields have options",
        ));
    }
    if options.is_empty() {
        return Err(EngineError::validation(
            "options",
            "a SELECT or MULTISELECT field needs at least one option",
        ));
    }
    let mut names = HashSet::new();
    let mut out = Vec::with_capacity(options.len());
    for o in options {
        let o = o.trim();
        if o.is_empty() || o.chars().count() > 200 {
            return Err(EngineError::validation(
                "options",
                "each option must be between 1 and 200 characters",
            ));
        }
        if !names.insert(enum_value_name(o)) {
            return Err(EngineError::validation(
                "options",
                format!(
                    "option `{o}` is the same as another one once written as {}",
                    enum_value_name(o)
                ),
            ));
        }
        out.push(o.to_owned());
    }
    Ok(out)
}

/// The default option and the closed ones must be among the options; only a case's status
/// and a deal's stage have closed options, and the system selects that ship with a default
/// keep one (a new case must get a status even when no form sends it).
fn check_meaning(d: &FieldDefinition) -> Result<()> {
    if let Some(default) = &d.default_option {
        if d.field_type != FieldType::Select {
            return Err(EngineError::validation(
                "defaultOption",
                "only a SELECT field has a default option",
            ));
        }
        if !d.options.contains(default) {
            return Err(EngineError::validation(
                "defaultOption",
                format!("`{default}` is not an option of `{}`", d.key),
            ));
        }
    } else if system_fields::needs_default(d.entity, &d.key) {
        return Err(EngineError::validation(
            "defaultOption",
            format!("`{}` needs a default option for new records", d.key),
        ));
    }
    if !d.closed_options.is_empty() && !system_fields::has_closed_options(d.entity, &d.key) {
        return Err(EngineError::validation(
            "closedOptions",
            "only a case's status and a deal's stage have closed options",
        ));
    }
    if let Some(o) = d.closed_options.iter().find(|o| !d.options.contains(o)) {
        return Err(EngineError::validation(
            "closedOptions",
            format!("`{o}` is not an option of `{}`", d.key),
        ));
    }
    if !d.options.is_empty() && d.open_options().next().is_none() {
        return Err(EngineError::validation(
            "closedOptions",
            "at least one option must stay open",
        ));
    }
    Ok(())
}

fn refuse_fixed_options(d: &FieldDefinition) -> Result<()> {
    if system_fields::options_fixed(d.entity, &d.key) {
        return Err(EngineError::validation(
            "options",
            format!(
                "the options of `{}` are fixed: Portico's rules and the API name them",
                d.key
            ),
        ));
    }
    Ok(())
}

pub(crate) async fn create(
    db: &sea_orm::DatabaseConnection,
    new: NewDefinition,
) -> Result<FieldDefinition> {
    let entity = new
        .entity
        .ok_or_else(|| EngineError::missing("entity", "is required"))?;
    let key = FieldKey::parse(&new.key)?;
    if system_fields::find(entity, key.as_str()).is_some() {
        return Err(EngineError::conflict(format!(
            "`{}` is a system field of {}",
            key.as_str(),
            entity.as_str()
        )));
    }
    let field_type = new
        .field_type
        .ok_or_else(|| EngineError::missing("type", "is required"))?;
    let label = check_label(&new.label, "label")?;
    let options = check_options(field_type, &new.options)?;
    let block = match new.block {
        Some(b) => check_label(&b, "block")?,
        None => "Custom fields".to_owned(),
    };
    let txn = db.begin().await?;
    if load_one(&txn, entity, key.as_str()).await.is_ok() {
        return Err(EngineError::Conflict {
            message: format!("{} already has a field `{}`", entity.as_str(), key.as_str()),
            related: Vec::new(),
        });
    }
    let position = match new.position {
        Some(p) => p,
        None => next_position(&txn, entity).await?,
    };
    let mut definition = FieldDefinition {
        id: 0,
        entity,
        key: key.as_str().to_owned(),
        label,
        field_type,
        options,
        required: new.required,
        active: true,
        system: false,
        block,
        position,
        help: new.help.filter(|h| !h.trim().is_empty()),
        portal_visible: new.portal_visible || new.portal_editable,
        portal_editable: new.portal_editable,
        default_option: new
            .default_option
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty()),
        closed_options: Vec::new(),
        labels: check_translations(new.labels, "labels", true)?,
        helps: check_translations(new.helps, "helps", false)?,
        option_labels: Default::default(),
    };
    merge_option_labels(
        &mut definition.option_labels,
        new.option_labels,
        &definition.options,
    )?;
    check_meaning(&definition)?;
    insert(&txn, &definition).await?;
    state::bump(&txn, Counter::Metadata).await?;
    let stored = load_one(&txn, entity, key.as_str()).await?;
    txn.commit().await?;
    Ok(stored)
}

async fn next_position(db: &impl ConnectionTrait, entity: EntityKind) -> Result<i32> {
    let q = Query::select()
        .expr(Expr::col(FieldDefinitions::Position).max())
        .from(FieldDefinitions::Table)
        .and_where(Expr::col(FieldDefinitions::Entity).eq(entity.as_str()))
        .to_owned();
    let max: Option<i32> = match db.query_one(&q).await? {
        Some(row) => row.try_get_by_index(0)?,
        None => None,
    };
    Ok(max.map_or(0, |m| m + 1))
}

/// Renames one option of a SELECT or MULTISELECT field, in place (its order kept). The
/// caller rewrites the stored values in the same transaction.
pub(crate) async fn rename_option(
    txn: &sea_orm::DatabaseTransaction,
    entity: EntityKind,
    key: &str,
    from: &str,
    to: &str,
) -> Result<FieldDefinition> {
    let mut d = load_one(txn, entity, key).await?;
    refuse_fixed_options(&d)?;
    let Some(at) = d.options.iter().position(|o| o == from) else {
        return Err(EngineError::validation(
            "from",
            format!("`{from}` is not an option of `{key}`"),
        ));
    };
    let to = to.trim();
    if to.is_empty() || to.chars().count() > 200 {
        return Err(EngineError::validation(
            "to",
            "must be between 1 and 200 characters",
        ));
    }
    if d.options
        .iter()
        .enumerate()
        .any(|(i, o)| i != at && enum_value_name(o) == enum_value_name(to))
    {
        return Err(EngineError::validation(
            "to",
            format!(
                "`{to}` is the same as another option once written as {}",
                enum_value_name(to)
            ),
        ));
    }
    d.options[at] = to.to_owned();
    // So do its labels in each language.
    if let Some(labels) = d.option_labels.remove(from) {
        d.option_labels.insert(to.to_owned(), labels);
    }
    // The meaning follows the option: a renamed "Closed" still closes.
    if d.default_option.as_deref() == Some(from) {
        d.default_option = Some(to.to_owned());
    }
    for o in d.closed_options.iter_mut().filter(|o| *o == from) {
        *o = to.to_owned();
    }
    let q = Query::update()
        .table(FieldDefinitions::Table)
        .values([
            (FieldDefinitions::Options, to_json(&d.options)?.into()),
            (
                FieldDefinitions::DefaultOption,
                d.default_option.clone().into(),
            ),
            (
                FieldDefinitions::ClosedOptions,
                to_json(&d.closed_options)?.into(),
            ),
            (
                FieldDefinitions::OptionLabels,
                option_labels_json(&d.option_labels)?.into(),
            ),
            (FieldDefinitions::UpdatedAt, now_micros().into()),
        ])
        .and_where(Expr::col(FieldDefinitions::Id).eq(d.id))
        .to_owned();
    txn.execute(&q).await?;
    state::bump(txn, Counter::Metadata).await?;
    Ok(d)
}

/// Applies a change. `removed_option_in_use` is asked about each option the change drops, so
/// stored records never hold a value their field no longer knows.
pub(crate) async fn update<F, Fut>(
    db: &sea_orm::DatabaseConnection,
    entity: EntityKind,
    key: &str,
    change: DefinitionChange,
    removed_option_in_use: F,
) -> Result<FieldDefinition>
where
    F: Fn(FieldDefinition, String) -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let txn = db.begin().await?;
    let mut d = load_one(&txn, entity, key).await?;
    let mut sets: Vec<(FieldDefinitions, SimpleExpr)> = Vec::new();
    if let Some(label) = change.label {
        d.label = check_label(&label, "label")?;
        sets.push((FieldDefinitions::Label, d.label.clone().into()));
    }
    if let Some(options) = change.options {
        let options = check_options(d.field_type, &options)?;
        if options != d.options {
            refuse_fixed_options(&d)?;
        }
        for old in &d.options {
            if !options.contains(old) && removed_option_in_use(d.clone(), old.clone()).await? {
                return Err(EngineError::validation(
                    "options",
                    format!("option `{old}` is still used by stored records and cannot be removed"),
                ));
            }
        }
        // An option dropped takes its meaning with it; a dropped default falls to the
        // first option where the field must keep one.
        d.closed_options.retain(|o| options.contains(o));
        if d.default_option
            .as_ref()
            .is_some_and(|o| !options.contains(o))
        {
            d.default_option = system_fields::needs_default(entity, key)
                .then(|| options.first().cloned())
                .flatten();
        }
        d.options = options;
        sets.push((FieldDefinitions::Options, to_json(&d.options)?.into()));
    }
    if let Some(default) = change.default_option {
        d.default_option = default
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty());
    }
    if let Some(closed) = change.closed_options {
        let mut unique: Vec<String> = Vec::with_capacity(closed.len());
        for o in closed.into_iter().map(|o| o.trim().to_owned()) {
            if !unique.contains(&o) {
                unique.push(o);
            }
        }
        d.closed_options = unique;
    }
    check_meaning(&d)?;
    sets.push((
        FieldDefinitions::DefaultOption,
        d.default_option.clone().into(),
    ));
    sets.push((
        FieldDefinitions::ClosedOptions,
        to_json(&d.closed_options)?.into(),
    ));
    if let Some(required) = change.required {
        if d.system && required != d.required {
            return Err(EngineError::validation(
                "required",
                "whether a system field is required cannot be changed",
            ));
        }
        d.required = required;
        sets.push((FieldDefinitions::Required, required.into()));
    }
    if let Some(active) = change.active {
        d.active = active;
        sets.push((FieldDefinitions::Active, active.into()));
    }
    if let Some(block) = change.block {
        d.block = check_label(&block, "block")?;
        sets.push((FieldDefinitions::Block, d.block.clone().into()));
    }
    if let Some(position) = change.position {
        d.position = position;
        sets.push((FieldDefinitions::Position, position.into()));
    }
    if let Some(help) = change.help {
        d.help = help.filter(|h| !h.trim().is_empty());
        sets.push((FieldDefinitions::Help, d.help.clone().into()));
    }
    if let Some(labels) = change.labels {
        let mut merged = d.labels.clone();
        merged.merge(labels);
        d.labels = check_translations(merged, "labels", true)?;
        sets.push((
            FieldDefinitions::Labels,
            translations_json(&d.labels)?.into(),
        ));
    }
    if let Some(helps) = change.helps {
        let mut merged = d.helps.clone();
        merged.merge(helps);
        d.helps = check_translations(merged, "helps", false)?;
        sets.push((FieldDefinitions::Helps, translations_json(&d.helps)?.into()));
    }
    // Applied after the options changed, so a label may be given for a new option and an
    // option removed loses its labels.
    let labels_before = d.option_labels.clone();
    merge_option_labels(
        &mut d.option_labels,
        change.option_labels.unwrap_or_default(),
        &d.options,
    )?;
    if d.option_labels != labels_before {
        sets.push((
            FieldDefinitions::OptionLabels,
            option_labels_json(&d.option_labels)?.into(),
        ));
    }
    if let Some(visible) = change.portal_visible {
        d.portal_visible = visible;
        if !visible {
            d.portal_editable = false;
        }
    }
    if let Some(editable) = change.portal_editable {
        d.portal_editable = editable;
        if editable {
            d.portal_visible = true;
        }
    }
    if d.portal_editable && crate::records::layout::is_read_only(entity, key) {
        return Err(EngineError::validation(
            "portalEditable",
            format!("`{key}` is computed and cannot be edited"),
        ));
    }
    sets.push((FieldDefinitions::PortalVisible, d.portal_visible.into()));
    sets.push((FieldDefinitions::PortalEditable, d.portal_editable.into()));
    sets.push((FieldDefinitions::UpdatedAt, now_micros().into()));
    let q = Query::update()
        .table(FieldDefinitions::Table)
        .values(sets)
        .and_where(Expr::col(FieldDefinitions::Id).eq(d.id))
        .to_owned();
    txn.execute(&q).await?;
    state::bump(&txn, Counter::Metadata).await?;
    txn.commit().await?;
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An installation from before options had a meaning, whose admin had renamed "Open":
    /// at start the status gets its first option as the default (its shipped one where that
    /// is still an option), so new cases keep getting a status.
    #[tokio::test]
    async fn a_status_or_stage_without_a_default_gets_one_at_start() {
        let db = crate::db::connect("sqlite::memory:").await.unwrap();
        seed_system_fields(&db).await.unwrap();
        db.execute_unprepared(
            r#"UPDATE field_definitions SET options = '["Abierto","Cerrado"]', default_option = NULL WHERE entity = 'CASE' AND "key" = 'status'"#,
        )
        .await
        .unwrap();
        db.execute_unprepared(
            r#"UPDATE field_definitions SET default_option = NULL WHERE entity = 'DEAL' AND "key" = 'stage'"#,
        )
        .await
        .unwrap();
        seed_system_fields(&db).await.unwrap();
        let status = load_one(&db, EntityKind::Case, "status").await.unwrap();
        assert_eq!(status.default_option.as_deref(), Some("Abierto"));
        let stage = load_one(&db, EntityKind::Deal, "stage").await.unwrap();
        assert_eq!(stage.default_option.as_deref(), Some("Prospecting"));
        assert_eq!(stage.closed_options, ["Won", "Lost"]);
        // A select that ships without a default (a contact's language) stays without one.
        let kind = load_one(&db, EntityKind::Contact, "language")
            .await
            .unwrap();
        assert_eq!(kind.default_option, None);
    }
}
