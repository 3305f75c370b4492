//! Documents and folders as rows: reading, ordering and searching them.

use crate::db::tables::{DocumentVersions, Documents, Folders};
use crate::db::{Exec, Row};
use crate::error::{EngineError, Result};
use sea_orm::sea_query::{
    Expr, ExprTrait, Func, IntoIden, LikeExpr, Order, Query, SelectStatement,
};

/// Who put a document on the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Staff,
    ClientPortal,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Staff => "STAFF",
            Origin::ClientPortal => "CLIENT_PORTAL",
        }
    }

    fn parse(s: &str) -> Origin {
        if s == "CLIENT_PORTAL" {
            Origin::ClientPortal
        } else {
            Origin::Staff
        }
    }
}

/// The type staff documents get, and the type of client uploads.
pub const STAFF_TYPE: &str = "Document";
pub const PORTAL_TYPE: &str = "Document (Portal)";

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: i64,
    pub case_id: i64,
    pub folder_id: Option<i64>,
    pub name: String,
    pub doc_type: String,
    pub origin: Origin,
    /// The staff user shown as its creator (the case owner for client uploads).
    pub created_by: Option<i64>,
    /// The contact who uploaded it on the portal.
    pub uploaded_by: Option<i64>,
    pub blob: String,
    pub size: i64,
    pub content_type: String,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Folder {
    pub id: i64,
    pub case_id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DocumentOrder {
    Name,
    /// Last change (upload, new version, rename).
    Activity,
    #[default]
    Created,
}

/// How a document list is sorted and narrowed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DocumentQuery {
    pub order: DocumentOrder,
    pub descending: bool,
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
}

/// Every column of a document, the id first; an insert writes all but the id.
pub(crate) const COLUMNS: [Documents; 14] = [
    Documents::Id,
    Documents::CaseId,
    Documents::FolderId,
    Documents::Name,
    Documents::DocType,
    Documents::Origin,
    Documents::CreatedBy,
    Documents::UploadedBy,
    Documents::Blob,
    Documents::Size,
    Documents::ContentType,
    Documents::Version,
    Documents::CreatedAt,
    Documents::UpdatedAt,
];

pub(crate) fn select() -> SelectStatement {
    let mut q = Query::select();
    for c in COLUMNS {
        q.column((Documents::Table, c));
    }
    q.from(Documents::Table);
    q
}

pub(crate) fn decode(r: &Row) -> Result<Document> {
    let origin: String = r.get(5)?;
    Ok(Document {
        id: r.get(0)?,
        case_id: r.get(1)?,
        folder_id: r.get(2)?,
        name: r.get(3)?,
        doc_type: r.get(4)?,
        origin: Origin::parse(&origin),
        created_by: r.get(6)?,
        uploaded_by: r.get(7)?,
        blob: r.get(8)?,
        size: r.get(9)?,
        content_type: r.get(10)?,
        version: r.get(11)?,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
    })
}

pub(crate) async fn find(db: &impl Exec, id: i64) -> Result<Document> {
    let mut q = select();
    q.and_where(Expr::col((Documents::Table, Documents::Id)).eq(id));
    match db.query_one(&q).await? {
        Some(r) => decode(&r),
        None => Err(EngineError::not_found("Document", id)),
    }
}

/// Adds the order and the name search to a document query.
pub(crate) fn arrange(q: &mut SelectStatement, how: &DocumentQuery) {
    if let Some(s) = how
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let escaped = s
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q.and_where(
            Expr::expr(Func::lower(Expr::col((Documents::Table, Documents::Name))))
                .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    let order = if how.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let col = match how.order {
        DocumentOrder::Name => "name",
        DocumentOrder::Activity => "updated_at",
        DocumentOrder::Created => "created_at",
    };
    q.order_by(("documents", col), order.clone())
        .order_by((Documents::Table, Documents::Id), order);
}

pub(crate) async fn list(db: &impl Exec, q: &SelectStatement) -> Result<Vec<Document>> {
    db.query_all(q).await?.iter().map(decode).collect()
}

/// A select of folders, every column in the order [`decode_folder`] reads them.
fn select_folders() -> SelectStatement {
    Query::select()
        .columns([
            Folders::Id,
            Folders::CaseId,
            Folders::ParentId,
            Folders::Name,
            Folders::CreatedAt,
        ])
        .from(Folders::Table)
        .to_owned()
}

fn decode_folder(r: &Row) -> Result<Folder> {
    Ok(Folder {
        id: r.get(0)?,
        case_id: r.get(1)?,
        parent_id: r.get(2)?,
        name: r.get(3)?,
        created_at: r.get(4)?,
    })
}

pub(crate) async fn folder(db: &impl Exec, id: i64) -> Result<Folder> {
    let mut q = select_folders();
    q.and_where(Expr::col(Folders::Id).eq(id));
    match db.query_one(&q).await? {
        Some(r) => decode_folder(&r),
        None => Err(EngineError::not_found("Folder", id)),
    }
}

pub(crate) async fn folders(db: &impl Exec, case_id: i64) -> Result<Vec<Folder>> {
    folders_of(db, &[case_id]).await
}

/// The folders of several cases, by name.
pub(crate) async fn folders_of(db: &impl Exec, case_ids: &[i64]) -> Result<Vec<Folder>> {
    let mut q = select_folders();
    q.and_where(Expr::col(Folders::CaseId).is_in(case_ids.iter().copied()))
        .order_by(Folders::Name, Order::Asc)
        .order_by(Folders::Id, Order::Asc);
    db.query_all(&q).await?.iter().map(decode_folder).collect()
}

/// Whether any document or earlier version still names a blob.
pub(crate) async fn blob_in_use(db: &impl Exec, hash: &str) -> Result<bool> {
    let holders = [
        (Documents::Table.into_iden(), Documents::Blob.into_iden()),
        (
            DocumentVersions::Table.into_iden(),
            DocumentVersions::Blob.into_iden(),
        ),
    ];
    for (table, blob) in holders {
        let q = Query::select()
            .expr(Expr::val(1))
            .from(table)
            .and_where(Expr::col(blob).eq(hash))
            .limit(1)
            .to_owned();
        if db.query_one(&q).await?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}
