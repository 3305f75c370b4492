//! Search as people type it: "lucia" finds "Lucía", "fernan" finds "Fernández", an email finds
//! its contact and "123" or "CAS-000123" its case. A record's searchable text (its title, a
//! contact's email, a case's number) is folded (lower case, accents dropped) and split into
//! words kept in `search_words`; each typed word must start one of the record's words. Every
//! typed word is one index range over `(entity, word)`, on SQLite and PostgreSQL alike.

use super::Record;
use super::layout::Layout;
use crate::db::Exec;
use crate::db::tables::{SearchWords, Shared};
use crate::error::Result;
use crate::metadata::EntityKind;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, InsertStatement, OnConflict, Query};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Longer words are cut to this many characters, stored and typed alike (the column's size).
const MAX_WORD: usize = 64;
/// Words of a search beyond these are ignored; each one costs an index range.
const MAX_TERMS: usize = 6;

/// The words of `text`: lower case, without accents, split at anything not a letter or digit.
pub(crate) fn words(text: &str) -> Vec<String> {
    let folded: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    let mut out: Vec<String> = Vec::new();
    for w in folded.split(|c: char| !c.is_alphanumeric()) {
        if w.is_empty() {
            continue;
        }
        let w: String = w.chars().take(MAX_WORD).collect();
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// The fields a record is found by (a case also by its number, which is its id).
fn searched_fields(entity: EntityKind) -> &'static [&'static str] {
    match entity {
        EntityKind::Contact => &["name", "email"],
        EntityKind::Case => &["subject"],
        EntityKind::Deal => &["name"],
        EntityKind::Document => &[],
    }
}

/// The words of the fields a record is found by.
fn field_words(record: &Record) -> Vec<String> {
    let text: Vec<&str> = searched_fields(record.entity)
        .iter()
        .filter_map(|key| record.get(key).as_str())
        .collect();
    words(&text.join(" "))
}

/// The words of a case's number: "CAS-000123" is "cas" and "000123", and "123" finds it as
/// well as "000123" does. [`number_words_sql`] is their twin in SQL.
fn number_words(id: i64) -> Vec<String> {
    let mut out = words(&super::layout::case_number(id));
    let bare = id.to_string();
    if !out.contains(&bare) {
        out.push(bare);
    }
    out
}

/// The words [`number_words`] gives that depend on the id, as SQL over the id column `id`
/// (PostgreSQL): what a statement that inserts a case, and learns its id as it runs, indexes.
/// The padding is `case_number`'s (`{:06}`): at least six digits.
fn number_words_sql(id: &str) -> String {
    let digits = format!("CAST({id} AS text)");
    format!("lpad({digits}, greatest(6, length({digits})), '0'), {digits}")
}

/// What a record is found by.
fn searchable(record: &Record) -> Vec<String> {
    let mut all = field_words(record);
    if record.entity == EntityKind::Case {
        for w in number_words(record.id) {
            if !all.contains(&w) {
                all.push(w);
            }
        }
    }
    all
}

/// Whether a change to these fields changes what the record is found by.
pub(crate) fn touches(entity: EntityKind, keys: impl IntoIterator<Item = impl AsRef<str>>) -> bool {
    let searched = searched_fields(entity);
    keys.into_iter().any(|k| searched.contains(&k.as_ref()))
}

/// Writes the words of a record; `fresh` when it has none yet (just created).
pub(crate) async fn index(db: &impl Exec, record: &Record, fresh: bool) -> Result<()> {
    let entity = record.entity.as_str();
    if !fresh {
        forget(db, record.entity, record.id).await?;
    }
    let words = searchable(record);
    if words.is_empty() {
        return Ok(());
    }
    let mut q = Query::insert();
    q.into_table(SearchWords::Table).columns([
        SearchWords::Entity,
        SearchWords::Word,
        SearchWords::RecordId,
    ]);
    for w in words {
        q.values_panic([entity.into(), w.into(), record.id.into()]);
    }
    // Two processes starting together may backfill the same record.
    q.on_conflict(
        OnConflict::columns([
            SearchWords::Entity,
            SearchWords::Word,
            SearchWords::RecordId,
        ])
        .do_nothing()
        .to_owned(),
    );
    db.execute(&q).await?;
    Ok(())
}

/// The words of `record`, whose id is the `id` column of `inserted`, a common table
/// expression of the same statement (PostgreSQL): how a record is created and indexed in one
/// statement. `record.id` is not read.
pub(crate) fn index_inserted(inserted: &str, record: &Record) -> Result<InsertStatement> {
    let mut known = field_words(record);
    let mut computed = String::new();
    if record.entity == EntityKind::Case {
        // The number's fixed words ("cas") are known; its digits come from the id. The
        // statement's DISTINCT drops a word given twice.
        let fixed = words(&super::layout::case_number(0));
        known.extend(
            fixed
                .into_iter()
                .filter(|w| !w.chars().all(|c| c.is_ascii_digit())),
        );
        computed = format!(
            " || ARRAY[{}]",
            number_words_sql(&format!("\"{inserted}\".\"id\""))
        );
    }
    let words = Expr::cust_with_values(
        format!("unnest(string_to_array($1, ' '){computed})"),
        [known.join(" ")],
    );
    let select = Query::select()
        .distinct()
        .expr(Expr::val(record.entity.as_str()))
        .expr(words)
        .column((Alias::new(inserted), Shared::Id))
        .from(Alias::new(inserted))
        .to_owned();
    let mut q = Query::insert();
    q.into_table(SearchWords::Table).columns([
        SearchWords::Entity,
        SearchWords::Word,
        SearchWords::RecordId,
    ]);
    q.select_from(select)?;
    Ok(q)
}

pub(crate) async fn forget(db: &impl Exec, entity: EntityKind, id: i64) -> Result<()> {
    db.execute(
        &Query::delete()
            .from_table(SearchWords::Table)
            .and_where(Expr::col(SearchWords::Entity).eq(entity.as_str()))
            .and_where(Expr::col(SearchWords::RecordId).eq(id))
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Gives the records written before `search_words` existed their words; run at start. Every
/// write through the engine indexes its record, so an entity that has any words is done and
/// costs one indexed probe; only a database just migrated walks its records (once, in id
/// order, inside the caller's transaction).
pub(crate) async fn backfill(db: &impl Exec) -> Result<()> {
    use sea_orm::sea_query::Order;
    for entity in [EntityKind::Contact, EntityKind::Case, EntityKind::Deal] {
        let Some(layout) = super::layout::of(entity) else {
            continue;
        };
        let indexed = Query::select()
            .expr(Expr::val(1))
            .from(SearchWords::Table)
            .and_where(Expr::col(SearchWords::Entity).eq(entity.as_str()))
            .limit(1)
            .to_owned();
        if db.query_one(&indexed).await?.is_some() {
            continue;
        }
        let fields = searched_fields(entity);
        let mut last = 0_i64;
        loop {
            let mut q = Query::select();
            q.column(Shared::Id);
            for key in fields {
                q.column(layout.column(key).unwrap_or(key));
            }
            q.from(layout.table)
                .and_where(Expr::col(Shared::Id).gt(last))
                .order_by(Shared::Id, Order::Asc)
                .limit(500);
            let rows = db.query_all(&q).await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let id: i64 = row.get(0)?;
                let mut values = serde_json::Map::new();
                for (i, key) in fields.iter().enumerate() {
                    let v: Option<String> = row.get(i + 1)?;
                    values.insert((*key).into(), v.into());
                }
                let record = Record {
                    entity,
                    id,
                    created_at: 0,
                    updated_at: 0,
                    values,
                };
                index(db, &record, true).await?;
                last = id;
            }
        }
    }
    Ok(())
}

/// The first string after every string that starts with `prefix`, in byte order: the end of
/// the prefix's range. `None` when there is none (the last character cannot be raised).
fn after_prefix(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = last as u32 + 1;
        // Skip the surrogate gap, which holds no chars.
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The condition a search adds to a list of `layout`'s records: every typed word starts a word
/// of the record. `None` when the search has no words (only spaces or punctuation).
pub(crate) fn condition(layout: &Layout, search: &str) -> Option<Cond> {
    let terms = words(search);
    if terms.is_empty() {
        return None;
    }
    let mut cond = Cond::all();
    for term in terms.into_iter().take(MAX_TERMS) {
        let mut matching = Query::select();
        matching
            .column(SearchWords::RecordId)
            .from(SearchWords::Table)
            .and_where(Expr::col(SearchWords::Entity).eq(layout.entity.as_str()))
            .and_where(Expr::col(SearchWords::Word).gte(term.as_str()));
        if let Some(end) = after_prefix(&term) {
            matching.and_where(Expr::col(SearchWords::Word).lt(end));
        }
        cond = cond.add(Expr::col((layout.table, Shared::Id)).in_subquery(matching));
    }
    Some(cond)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_and_accents_and_split_at_punctuation() {
        assert_eq!(words("Lucía Fernández"), ["lucia", "fernandez"]);
        assert_eq!(
            words("lucia.fernandez@Example.com"),
            ["lucia", "fernandez", "example", "com"]
        );
        assert_eq!(words("CAS-000123"), ["cas", "000123"]);
        assert_eq!(words("Núñez & Muñoz, S.L."), ["nunez", "munoz", "s", "l"]);
        assert_eq!(words("  -- "), Vec::<String>::new());
        assert_eq!(words("Ça va ça"), ["ca", "va"]);
    }

    #[test]
    fn a_prefix_range_ends_after_every_word_it_starts() {
        assert_eq!(after_prefix("fernan").as_deref(), Some("fernao"));
        assert_eq!(after_prefix("az").as_deref(), Some("a{"));
        let end = after_prefix("fernan").unwrap();
        for w in ["fernan", "fernandez", "fernanda"] {
            assert!(w >= "fernan" && w < end.as_str(), "{w}");
        }
        assert!("fernao" >= end.as_str());
    }
}
