//! Records of the core entities (contacts, cases, deals): one generic layer over their tables,
//! driven by the metadata, so a new custom field needs no code.

mod indexes;
pub(crate) mod layout;
mod options;
pub(crate) mod portal_user;

pub use portal_user::qualifies as qualifies_for_portal;
pub(crate) mod query;
mod read;
mod references;
pub(crate) mod relations;
mod service;
pub(crate) use service::{actor, layout_of};
mod search;
pub(crate) use search::backfill as search_backfill;
mod sql;
pub(crate) mod write;

pub(crate) use indexes::ensure as ensure_index;
pub use layout::{case_number, stored_in_custom};
pub(crate) use options::rename as rename_option;
pub(crate) use query::option_count;
pub use query::{Condition, Cursor, CursorKeys, Direction, ListQuery, Op, Page, Sort};
pub use read::Record;
pub use relations::Relationship;
pub use write::NewRecord;
