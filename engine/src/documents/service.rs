//! Document operations for staff and portal users. Staff need the right to read (list,
//! download) or update (everything else) cases; portal users act only on cases within their
//! grants, see only what is shared with them, and download only where "can download" is on.

use super::blob::{BlobReader, BlobStore};
use super::model::{self, Document, DocumentQuery, Folder, Origin, PORTAL_TYPE, STAFF_TYPE};
use super::sharing;
use super::storage::Upload;
use crate::Engine;
use crate::audit;
use crate::audit::AuditAction;
use crate::db::tables::{Cases, DocumentVersions, Documents, Folders};
use crate::db::{Exec, now_micros};
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};
use crate::metadata::EntityKind;
use crate::notifications::{Activity, CaseRef};
use crate::records::actor;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde_json::json;
use std::sync::Arc;

/// What a download needs: the document and its bytes.
pub struct Download {
    pub document: Document,
    blobs: Arc<dyn BlobStore>,
}

impl Download {
    pub(crate) fn new(document: Document, blobs: &Arc<dyn BlobStore>) -> Download {
        Download {
            document,
            blobs: blobs.clone(),
        }
    }

    /// The document's bytes, or the `range` of them (within its size), as the store streams
    /// them: a range is asked of the store, not read and skipped.
    pub async fn open(&self, range: Option<std::ops::Range<u64>>) -> Result<BlobReader> {
        self.blobs.open(&self.document.blob, range).await
    }
}

/// Where an upload's files would go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadTarget {
    /// A new document on a case.
    Case(i64),
    /// A new version of a document.
    Document(i64),
    /// The firm's logo (admins).
    BrandingLogo,
    /// A PDF to check for this Portico's signatures (anyone signed in); stored nowhere.
    SignatureCheck,
}

pub(crate) async fn case_exists(db: &impl Exec, case_id: i64) -> Result<()> {
    let q = Query::select()
        .column(Cases::Id)
        .from(Cases::Table)
        .and_where(Expr::col(Cases::Id).eq(case_id))
        .to_owned();
    match db.query_one(&q).await? {
        Some(_) => Ok(()),
        None => Err(EngineError::not_found("Case", case_id)),
    }
}

/// Adds a folder to a case (the name already checked); its id.
pub(crate) async fn insert_folder(
    db: &impl Exec,
    case_id: i64,
    parent_id: Option<i64>,
    name: &str,
    created_by: Option<i64>,
) -> Result<i64> {
    let q = Query::insert()
        .into_table(Folders::Table)
        .columns([
            Folders::CaseId,
            Folders::ParentId,
            Folders::Name,
            Folders::CreatedBy,
            Folders::CreatedAt,
        ])
        .values_panic([
            case_id.into(),
            parent_id.into(),
            name.into(),
            created_by.into(),
            now_micros().into(),
        ])
        .returning_col(Folders::Id)
        .to_owned();
    crate::db::insert_id(db, &q).await
}

/// A folder of another case is answered as a missing one: a portal user guessing ids must
/// not learn which exist elsewhere (a second security review read that from the message).
pub(crate) async fn check_folder(
    db: &impl Exec,
    case_id: i64,
    folder_id: Option<i64>,
) -> Result<()> {
    if let Some(f) = folder_id {
        let folder = model::folder(db, f).await?;
        if folder.case_id != case_id {
            return Err(EngineError::not_found("Folder", f));
        }
    }
    Ok(())
}

/// Who uploads, as the document records it.
struct Uploader {
    origin: Origin,
    created_by: Option<i64>,
    /// A client's upload: who, and the case as the staff notifications describe it.
    client: Option<ClientUpload>,
}

struct ClientUpload {
    contact_id: i64,
    name: String,
    case: CaseRef,
}

/// Where a stored file is recorded, and who brought it.
pub(crate) struct NewDocumentRow {
    pub case_id: i64,
    pub folder_id: Option<i64>,
    pub origin: Origin,
    pub created_by: Option<i64>,
    /// The contact who uploaded it, for a client's file.
    pub uploaded_by: Option<i64>,
}

/// Records a file already in the blob store as a new document (its first version, and the
/// upload in the case's audit log) inside the caller's transaction; answers its id. Sharing
/// and telling anyone about it are the caller's.
pub(crate) async fn insert_stored(
    db: &impl Exec,
    p: &Principal,
    row: &NewDocumentRow,
    stored: &super::storage::Stored,
) -> Result<i64> {
    let now = now_micros();
    let doc_type = match row.origin {
        Origin::Staff => STAFF_TYPE,
        Origin::ClientPortal => PORTAL_TYPE,
    };
    let q = Query::insert()
        .into_table(Documents::Table)
        .columns(model::COLUMNS[1..].iter().copied())
        .values_panic([
            row.case_id.into(),
            row.folder_id.into(),
            stored.name.clone().into(),
            doc_type.into(),
            row.origin.as_str().into(),
            row.created_by.into(),
            row.uploaded_by.into(),
            stored.blob.hash.clone().into(),
            (stored.blob.size as i64).into(),
            stored.content_type.clone().into(),
            1.into(),
            now.into(),
            now.into(),
        ])
        .returning_col(Documents::Id)
        .to_owned();
    let id = crate::db::insert_id(db, &q).await?;
    record_version(
        db,
        id,
        1,
        &stored.blob.hash,
        stored.blob.size,
        &stored.content_type,
    )
    .await?;
    audit::record(
        db,
        EntityKind::Case,
        row.case_id,
        &actor(p),
        AuditAction::DocumentUploaded,
        &json!({"documentId": id, "name": stored.name, "origin": row.origin.as_str()}),
    )
    .await?;
    Ok(id)
}

impl Engine {
    async fn insert_document(
        &self,
        p: &Principal,
        case_id: i64,
        folder_id: Option<i64>,
        upload: Upload<'_>,
        who: Uploader,
    ) -> Result<Document> {
        check_folder(&self.reader(), case_id, folder_id).await?;
        let stored = self.storage.accept(upload).await?;
        let insert = async {
            let txn = self.begin_write().await?;
            let row = NewDocumentRow {
                case_id,
                folder_id,
                origin: who.origin,
                created_by: who.created_by,
                uploaded_by: who.client.as_ref().map(|c| c.contact_id),
            };
            let id = insert_stored(&txn, p, &row, &stored).await?;
            let mut woken = Vec::new();
            if let Some(client) = &who.client {
                // A client's upload is on their shared list until someone removes it from there.
                sharing::share(&txn, case_id, client.contact_id, id).await?;
                let activity = Activity::Uploaded {
                    contact: client.name.clone(),
                    document: stored.name.clone(),
                };
                woken = crate::notifications::record(self, &txn, &client.case, &activity).await?;
            }
            let doc = model::find(&txn, id).await?;
            txn.commit().await?;
            for user in woken {
                self.notification_signal.wake(user);
            }
            Ok(doc)
        };
        // A client's upload counts against their hour's uploads.
        match who.client.as_ref().map(|c| c.contact_id) {
            Some(contact) => {
                self.spending(contact, &[crate::portal::Spend::Upload], insert)
                    .await
            }
            None => insert.await,
        }
    }

    /// Whether `p` may send files to `target`, asked before the files are read: an upload
    /// spools its files to disk as they arrive, so a request that would be refused anyway must
    /// be refused before it costs any.
    pub(crate) async fn check_upload(&self, p: &Principal, target: UploadTarget) -> Result<()> {
        match (p, target) {
            (Principal::Portal(_), UploadTarget::Case(id)) => {
                self.portal_case(p, id).await.map(|_| ())
            }
            (Principal::Portal(_), UploadTarget::Document(id)) => {
                Err(EngineError::not_found("Document", id))
            }
            (_, UploadTarget::Case(id)) => {
                self.authorize(p, Object::Case, Action::Update)?;
                case_exists(&self.reader(), id).await
            }
            (_, UploadTarget::Document(id)) => {
                self.authorize(p, Object::Case, Action::Update)?;
                model::find(&self.reader(), id).await.map(|_| ())
            }
            (_, UploadTarget::BrandingLogo) => self.authorize(p, Object::Branding, Action::Update),
            (Principal::Portal(_), UploadTarget::SignatureCheck) => Ok(()),
            (_, UploadTarget::SignatureCheck) => self.authorize(p, Object::Case, Action::Read),
        }
    }

    /// A staff upload to a case, optionally into one of its folders.
    pub(crate) async fn upload_document(
        &self,
        p: &Principal,
        case_id: i64,
        folder_id: Option<i64>,
        upload: Upload<'_>,
    ) -> Result<Document> {
        self.authorize(p, Object::Case, Action::Update)?;
        case_exists(&self.reader(), case_id).await?;
        let created_by = match p {
            Principal::Staff(s) => Some(s.user_id),
            _ => None,
        };
        let who = Uploader {
            origin: Origin::Staff,
            created_by,
            client: None,
        };
        self.insert_document(p, case_id, folder_id, upload, who)
            .await
    }

    /// A portal user's upload to one of their cases: type "Document (Portal)", created by the
    /// case owner, origin CLIENT_PORTAL, the uploader recorded.
    pub(crate) async fn portal_upload_document(
        &self,
        p: &Principal,
        case_id: i64,
        folder_id: Option<i64>,
        upload: Upload<'_>,
    ) -> Result<Document> {
        let case = self.portal_case(p, case_id).await?;
        let Principal::Portal(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        let who = Uploader {
            origin: Origin::ClientPortal,
            created_by: case.reference("owner"),
            client: Some(ClientUpload {
                contact_id: me.contact_id,
                name: me.name.clone(),
                case: CaseRef {
                    id: case.id,
                    subject: case.get("subject").as_str().unwrap_or_default().to_owned(),
                    new_with_owner: None,
                },
            }),
        };
        self.insert_document(p, case.id, folder_id, upload, who)
            .await
    }

    pub(crate) async fn document(&self, p: &Principal, id: i64) -> Result<Document> {
        self.authorize(p, Object::Case, Action::Read)?;
        model::find(&self.reader(), id).await
    }

    pub(crate) async fn case_documents(
        &self,
        p: &Principal,
        case_id: i64,
        how: &DocumentQuery,
    ) -> Result<Vec<Document>> {
        self.authorize(p, Object::Case, Action::Read)?;
        let mut q = model::select();
        q.and_where(Expr::col((Documents::Table, Documents::CaseId)).eq(case_id));
        model::arrange(&mut q, how);
        model::list(&self.reader(), &q).await
    }

    pub(crate) async fn rename_document(
        &self,
        p: &Principal,
        id: i64,
        name: &str,
    ) -> Result<Document> {
        self.authorize(p, Object::Case, Action::Update)?;
        let name = super::sniff::clean_name(name)?;
        let txn = self.begin_write().await?;
        let doc = model::find(&txn, id).await?;
        txn.execute(
            &Query::update()
                .table(Documents::Table)
                .values([
                    (Documents::Name, name.clone().into()),
                    (Documents::UpdatedAt, now_micros().into()),
                ])
                .and_where(Expr::col(Documents::Id).eq(id))
                .to_owned(),
        )
        .await?;
        audit::record(
            &txn,
            EntityKind::Case,
            doc.case_id,
            &actor(p),
            AuditAction::DocumentRenamed,
            &json!({"documentId": id, "from": doc.name, "to": name}),
        )
        .await?;
        let doc = model::find(&txn, id).await?;
        txn.commit().await?;
        Ok(doc)
    }

    /// New content for a document: a new version; the earlier ones are kept.
    pub(crate) async fn replace_document_content(
        &self,
        p: &Principal,
        id: i64,
        upload: Upload<'_>,
    ) -> Result<Document> {
        self.authorize(p, Object::Case, Action::Update)?;
        let current = model::find(&self.reader(), id).await?;
        // The new bytes keep the document's name, so they are checked against that name: an
        // executable cannot slip in under a document's name as a "new version".
        let upload = Upload {
            filename: current.name.clone(),
            ..upload
        };
        let stored = self.storage.accept(upload).await?;
        let txn = self.begin_write().await?;
        let version = add_version(&txn, id, &stored).await?;
        audit::record(
            &txn,
            EntityKind::Case,
            current.case_id,
            &actor(p),
            AuditAction::DocumentReplaced,
            &json!({"documentId": id, "version": version}),
        )
        .await?;
        let doc = model::find(&txn, id).await?;
        txn.commit().await?;
        Ok(doc)
    }

    /// Deletes a document from the case (and so from every portal); its bytes go once nothing
    /// refers to them.
    pub(crate) async fn delete_document(&self, p: &Principal, id: i64) -> Result<()> {
        self.authorize(p, Object::Case, Action::Update)?;
        let txn = self.begin_write().await?;
        let doc = model::find(&txn, id).await?;
        let q = Query::select()
            .column(DocumentVersions::Blob)
            .from(DocumentVersions::Table)
            .and_where(Expr::col(DocumentVersions::DocumentId).eq(id))
            .to_owned();
        let mut blobs = Vec::new();
        for r in txn.query_all(&q).await? {
            blobs.push(r.get::<String>(0)?);
        }
        txn.execute(
            &Query::delete()
                .from_table(Documents::Table)
                .and_where(Expr::col(Documents::Id).eq(id))
                .to_owned(),
        )
        .await?;
        audit::record(
            &txn,
            EntityKind::Case,
            doc.case_id,
            &actor(p),
            AuditAction::DocumentDeleted,
            &json!({"documentId": id, "name": doc.name}),
        )
        .await?;
        txn.commit().await?;
        self.storage.collect(&self.reader(), &blobs).await
    }

    pub(crate) async fn create_folder(
        &self,
        p: &Principal,
        case_id: i64,
        name: &str,
        parent_id: Option<i64>,
    ) -> Result<Folder> {
        self.authorize(p, Object::Case, Action::Update)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 255 {
            return Err(EngineError::validation(
                "name",
                "must be 1 to 255 characters",
            ));
        }
        let txn = self.begin_write().await?;
        case_exists(&txn, case_id).await?;
        if let Some(parent) = parent_id
            && model::folder(&txn, parent).await?.case_id != case_id
        {
            return Err(EngineError::not_found("Folder", parent));
        }
        let created_by = match p {
            Principal::Staff(s) => Some(s.user_id),
            _ => None,
        };
        let id = insert_folder(&txn, case_id, parent_id, name, created_by).await?;
        let folder = model::folder(&txn, id).await?;
        txn.commit().await?;
        Ok(folder)
    }

    pub(crate) async fn folders(&self, p: &Principal, case_id: i64) -> Result<Vec<Folder>> {
        self.authorize(p, Object::Case, Action::Read)?;
        model::folders(&self.reader(), case_id).await
    }

    /// The folders of one of the portal user's cases (to upload into).
    pub(crate) async fn portal_folders(&self, p: &Principal, case_id: i64) -> Result<Vec<Folder>> {
        let case = self.portal_case(p, case_id).await?;
        model::folders(&self.reader(), case.id).await
    }

    /// Removes the bytes no document or version refers to any more; the server runs it every
    /// hour. Answers how many blobs went.
    pub async fn sweep_blobs(&self) -> Result<usize> {
        self.storage.sweep(&self.reader()).await
    }

    /// A staff download.
    pub(crate) async fn download(&self, p: &Principal, id: i64) -> Result<Download> {
        self.authorize(p, Object::Case, Action::Read)?;
        let document = model::find(&self.reader(), id).await?;
        Ok(Download::new(document, self.storage.store()))
    }

    /// A portal download: only a document shared with the user (or theirs), on a case within
    /// their grants, and only with "can download" on. Anything else is not found, except a
    /// visible document without the right to download, which is forbidden.
    pub(crate) async fn portal_download(&self, p: &Principal, id: i64) -> Result<Download> {
        let Principal::Portal(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        let reader = self.reader();
        let document = model::find(&reader, id).await?;
        self.portal_case(p, document.case_id)
            .await
            .map_err(|_| EngineError::not_found("Document", id))?;
        if !sharing::is_shared(&reader, document.id, me.contact_id).await? {
            return Err(EngineError::not_found("Document", id));
        }
        if !sharing::can_download(&reader, document.case_id, me.contact_id).await? {
            return Err(EngineError::Forbidden(
                "downloads of this case's documents are not enabled for you".into(),
            ));
        }
        // Staff see that the client opened it.
        let txn = self.begin_write().await?;
        super::opens::record(&txn, document.id, me.contact_id).await?;
        txn.commit().await?;
        Ok(Download::new(document, self.storage.store()))
    }
}

/// Makes stored bytes a document's newest version (in the caller's transaction); answers the
/// version's number. The earlier versions are kept.
pub(crate) async fn add_version(
    db: &impl Exec,
    id: i64,
    stored: &super::storage::Stored,
) -> Result<i32> {
    let doc = model::find(db, id).await?;
    let version = doc.version + 1;
    db.execute(
        &Query::update()
            .table(Documents::Table)
            .values([
                (Documents::Blob, stored.blob.hash.clone().into()),
                (Documents::Size, (stored.blob.size as i64).into()),
                (Documents::ContentType, stored.content_type.clone().into()),
                (Documents::Version, version.into()),
                (Documents::UpdatedAt, now_micros().into()),
            ])
            .and_where(Expr::col(Documents::Id).eq(id))
            .to_owned(),
    )
    .await?;
    record_version(
        db,
        id,
        version,
        &stored.blob.hash,
        stored.blob.size,
        &stored.content_type,
    )
    .await?;
    Ok(version)
}

async fn record_version(
    db: &impl Exec,
    id: i64,
    version: i32,
    blob: &str,
    size: u64,
    content_type: &str,
) -> Result<()> {
    db.execute(
        &Query::insert()
            .into_table(DocumentVersions::Table)
            .columns([
                DocumentVersions::DocumentId,
                DocumentVersions::Version,
                DocumentVersions::Blob,
                DocumentVersions::Size,
                DocumentVersions::ContentType,
                DocumentVersions::CreatedAt,
            ])
            .values_panic([
                id.into(),
                version.into(),
                blob.into(),
                (size as i64).into(),
                content_type.into(),
                now_micros().into(),
            ])
            .to_owned(),
    )
    .await?;
    Ok(())
}
