//! `portico backup DEST` and `portico restore SRC`, with the configured database and blob
//! store (see `portico_engine::backup` for what is copied and in which order).

use crate::config::Config;
use portico_engine::backup::{self, Report};
use std::path::Path;

fn say(report: &Report, verb: &str, dir: &Path) {
    match &report.database {
        Some(db) => println!("portico {verb} the database {}", db.display()),
        None => println!(
            "portico {verb} no database: on PostgreSQL use pg_dump and pg_restore (see the README)"
        ),
    }
    println!(
        "portico {verb} {} document blobs ({} were already there) with {}",
        report.blobs_copied,
        report.blobs_already_there,
        dir.display()
    );
}

pub async fn backup(config: &Config, dest: &Path) -> Result<(), portico_engine::EngineError> {
    let blobs = config.blobs.open(&config.s3)?;
    let report = backup::backup(&config.database_url, blobs.as_ref(), dest).await?;
    say(&report, "backed up", dest);
    Ok(())
}

pub async fn restore(config: &Config, src: &Path) -> Result<(), portico_engine::EngineError> {
    let blobs = config.blobs.open(&config.s3)?;
    let report = backup::restore(&config.database_url, blobs.as_ref(), src).await?;
    say(&report, "restored", src);
    Ok(())
}
