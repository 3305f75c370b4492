//! Case documents: bytes in a blob store, metadata in the database; folders staff make per
//! case; sharing with portal contacts; client uploads; downloads checked per principal.

mod blob;
mod model;
mod opens;
mod service;
mod sharing;
mod sniff;
mod storage;

pub use blob::{
    Blob, BlobLocation, BlobReader, BlobStore, GRACE, LocalBlobStore, S3BlobStore, S3Settings,
    copy_all as copy_blobs, copy_one as copy_blob,
};
pub use model::{Document, DocumentOrder, DocumentQuery, Folder, Origin, PORTAL_TYPE, STAFF_TYPE};
pub use opens::DocumentOpen;
pub use service::{Download, UploadTarget};
pub use sharing::CaseView;
pub use sniff::executable;
pub(crate) use storage::Storage;
pub use storage::Upload;

pub(crate) use model::{
    arrange as arrange_documents, find, folders_of, list as list_documents,
    select as select_documents,
};

pub(crate) use service::{
    NewDocumentRow, add_version, case_exists, check_folder, insert_folder, insert_stored,
};
pub(crate) use sharing::share;
pub(crate) use sharing::shared_count;
pub(crate) use storage::Stored;
