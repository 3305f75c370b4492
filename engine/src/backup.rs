//! Backups: the database and the document blobs it refers to, copied while Portico serves, and
//! put back into a new place.
//!
//! On SQLite the copy is consistent: the blobs are copied first (everything the store has), then
//! the database is copied as one read transaction (`VACUUM INTO`), then any blob the copy refers
//! to that the first pass missed (uploaded meanwhile) is fetched. If such a blob is gone by then
//! (its document was deleted after the copy was taken), a new copy of the database is taken, so
//! a restored document never points at bytes the backup lacks. On PostgreSQL the database is
//! backed up with `pg_dump` (see the README) and this copies the blobs.
//!
//! A backup directory holds `portico.db` (SQLite) and `files/` (the blobs, as the directory
//! store keeps them). Running a backup into the same directory again copies only new blobs.

use crate::documents::{BlobStore, LocalBlobStore, copy_blob, copy_blobs};
use crate::error::{EngineError, Result};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The database file in a backup directory.
pub const DATABASE_FILE: &str = "portico.db";
/// The blobs' directory in a backup directory.
pub const FILES_DIR: &str = "files";

/// Tries before giving up on a database copy whose blobs keep being deleted under it.
const ATTEMPTS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The database file written, or `None` on PostgreSQL (pg_dump's part).
    pub database: Option<PathBuf>,
    pub blobs_copied: usize,
    pub blobs_already_there: usize,
}

/// The SQLite file a database URL names; `None` for PostgreSQL (or an in-memory database).
pub fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    use sea_orm::sqlx::sqlite::SqliteConnectOptions;
    use std::str::FromStr;
    if !database_url.starts_with("sqlite:") || database_url.contains(":memory:") {
        return None;
    }
    SqliteConnectOptions::from_str(database_url)
        .ok()
        .map(|o| o.get_filename().to_path_buf())
}

/// Backs up what `database_url` and `blobs` hold into `dest` (made if missing).
pub async fn backup(database_url: &str, blobs: &dyn BlobStore, dest: &Path) -> Result<Report> {
    tokio::fs::create_dir_all(dest).await?;
    let copy = LocalBlobStore::new(dest.join(FILES_DIR));
    let quiet = |_: &str| {};
    let (mut copied, already) = copy_blobs(blobs, &copy, &quiet).await?;
    let Some(source) = sqlite_file(database_url) else {
        return Ok(Report {
            database: None,
            blobs_copied: copied,
            blobs_already_there: already,
        });
    };
    if !source.exists() {
        return Err(EngineError::Internal(format!(
            "there is no database at {}",
            source.display()
        )));
    }
    let partial = dest.join(format!("{DATABASE_FILE}.partial"));
    for _ in 0..ATTEMPTS {
        snapshot(&source, &partial).await?;
        let wanted = referenced_blobs(&partial).await?;
        let have: HashSet<String> = copy.names().await?.into_iter().collect();
        let mut complete = true;
        for hash in wanted.difference(&have) {
            match copy_blob(blobs, &copy, hash).await {
                Ok(()) => copied += 1,
                Err(EngineError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                    complete = false;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        if complete {
            let database = dest.join(DATABASE_FILE);
            tokio::fs::rename(&partial, &database).await?;
            return Ok(Report {
                database: Some(database),
                blobs_copied: copied,
                blobs_already_there: already,
            });
        }
    }
    let _ = tokio::fs::remove_file(&partial).await;
    Err(EngineError::Internal(format!(
        "documents kept being deleted while the database was copied; {ATTEMPTS} copies were tried"
    )))
}

/// A consistent copy of the SQLite database at `source`, in one read transaction, while other
/// connections (the server's) go on reading and writing.
async fn snapshot(source: &Path, into: &Path) -> Result<()> {
    let (source, into) = (source.to_owned(), into.to_owned());
    tokio::task::spawn_blocking(move || -> Result<()> {
        match std::fs::remove_file(&into) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        let conn = rusqlite::Connection::open_with_flags(
            &source,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        let target = into
            .to_str()
            .ok_or_else(|| EngineError::Internal("the backup path is not UTF-8".into()))?;
        conn.execute("VACUUM INTO ?1", [target])?;
        Ok(())
    })
    .await
    .map_err(|e| EngineError::Internal(e.to_string()))?
}

/// Every blob a database (file) refers to: documents and their earlier versions.
async fn referenced_blobs(database: &Path) -> Result<HashSet<String>> {
    let database = database.to_owned();
    tokio::task::spawn_blocking(move || -> Result<HashSet<String>> {
        let conn = rusqlite::Connection::open_with_flags(
            &database,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let mut stmt =
            conn.prepare("SELECT blob FROM documents UNION SELECT blob FROM document_versions")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<std::result::Result<HashSet<_>, _>>()?)
    })
    .await
    .map_err(|e| EngineError::Internal(e.to_string()))?
}

/// Puts a backup from `src` into a new place: the SQLite database `database_url` names (which
/// must not exist yet: nothing in use is overwritten) and the blob store given. On PostgreSQL
/// only the blobs are put back (`pg_restore` does the database).
pub async fn restore(database_url: &str, blobs: &dyn BlobStore, src: &Path) -> Result<Report> {
    let files = src.join(FILES_DIR);
    if !tokio::fs::try_exists(&files).await? {
        return Err(EngineError::Internal(format!(
            "{} is not a Portico backup (it has no {FILES_DIR}/ directory)",
            src.display()
        )));
    }
    // Checked before anything is written.
    let target = match sqlite_file(database_url) {
        None => None,
        Some(target) => {
            let backup = src.join(DATABASE_FILE);
            if !tokio::fs::try_exists(&backup).await? {
                return Err(EngineError::Internal(format!(
                    "{} has no {DATABASE_FILE} (a PostgreSQL backup is restored with pg_restore)",
                    src.display()
                )));
            }
            if tokio::fs::try_exists(&target).await? {
                return Err(EngineError::Internal(format!(
                    "a database is already at {}: restore into a new data directory",
                    target.display()
                )));
            }
            Some((backup, target))
        }
    };
    // The blobs before the database: a restore cut short leaves no document without its bytes.
    let quiet = |_: &str| {};
    let (copied, already) = copy_blobs(&LocalBlobStore::new(files), blobs, &quiet).await?;
    let database = match target {
        None => None,
        Some((backup, target)) => {
            if let Some(dir) = target.parent() {
                tokio::fs::create_dir_all(dir).await?;
            }
            let partial = target.with_extension("restoring");
            tokio::fs::copy(&backup, &partial).await?;
            tokio::fs::File::open(&partial).await?.sync_all().await?;
            tokio::fs::rename(&partial, &target).await?;
            Some(target)
        }
    };
    Ok(Report {
        database,
        blobs_copied: copied,
        blobs_already_there: already,
    })
}
