//! The one-off commands an operator runs beside (or instead of) the server.

pub mod backup;
pub mod copy_blobs;
