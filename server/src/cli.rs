//! The command line: `portico [--demo]` serves; `portico schema print [--portal]` writes the SDL.

use crate::config::Config;
use std::process::ExitCode;

const USAGE: &str = "usage:
  portico [--demo]        start the server (--demo loads sample data on first start)
  portico schema print    write the staff GraphQL schema (SDL) to standard output
  portico schema print --portal
                          write the portal GraphQL schema (SDL) to standard output
  portico backup DEST      copy the database (SQLite) and the document blobs into DEST while
                          the server runs (PostgreSQL: pg_dump the database, see README)
  portico restore SRC     put a backup into the configured (new) database and blob store
  portico blobs copy FROM TO
                          copy the document blobs between stores (a directory or
                          s3://bucket/prefix); run again to resume

configuration: PORTICO_LISTEN, PORTICO_DATA_DIR, PORTICO_DATABASE_URL, PORTICO_BLOB_URL,
PORTICO_PUBLIC_URL, PORTICO_SMTP_URL, PORTICO_ADMIN_EMAIL, PORTICO_ADMIN_PASSWORD, or portico.toml (see README)";

enum Command {
    Serve { demo: bool },
    PrintSchema { portal: bool },
    CopyBlobs { from: String, to: String },
    Backup { dest: std::path::PathBuf },
    Restore { src: std::path::PathBuf },
    Help,
}

fn parse(args: &[String]) -> Result<Command, String> {
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => Ok(Command::Serve { demo: false }),
        ["--demo"] => Ok(Command::Serve { demo: true }),
        ["schema", "print"] => Ok(Command::PrintSchema { portal: false }),
        ["schema", "print", "--portal"] => Ok(Command::PrintSchema { portal: true }),
        ["blobs", "copy", from, to] => Ok(Command::CopyBlobs {
            from: (*from).to_owned(),
            to: (*to).to_owned(),
        }),
        ["backup", dest] => Ok(Command::Backup { dest: dest.into() }),
        ["restore", src] => Ok(Command::Restore { src: src.into() }),
        ["-h" | "--help" | "help"] => Ok(Command::Help),
        other => Err(format!("unknown arguments: {}", other.join(" "))),
    }
}

pub fn main() -> ExitCode {
    main_with(crate::clock::Timing::default())
}

/// The command line with the schedulers' clock and pace given (the test binary's).
pub fn main_with(timing: crate::clock::Timing) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The email sandbox's child: nothing else of the server starts (no config, no runtime).
    if args.len() == 1 && args[0] == crate::mail::sandbox::CHILD_COMMAND {
        return crate::mail::sandbox::child_main();
    }
    let command = match parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Command::Help = command {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let filter = tracing_subscriber::EnvFilter::try_from_env("PORTICO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sea_orm_migration=warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // `PORTICO_LOG_FORMAT=json`: one JSON object a line, the request's span (with its
    // `request_id`) in each, for a log collector.
    if std::env::var("PORTICO_LOG_FORMAT").is_ok_and(|f| f.trim() == "json") {
        logs.json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        logs.init();
    }
    let config = match Config::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("portico: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("portico: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result: Result<(), String> = runtime.block_on(async {
        match command {
            Command::Serve { demo } => crate::run_with(config, demo, timing)
                .await
                .map_err(|e| e.to_string()),
            Command::PrintSchema { portal } => crate::serve::print_schema(config, portal)
                .await
                .map_err(|e| e.to_string()),
            Command::CopyBlobs { from, to } => {
                crate::commands::copy_blobs::run(&config, &from, &to)
                    .await
                    .map_err(|e| e.to_string())
            }
            Command::Backup { dest } => crate::commands::backup::backup(&config, &dest)
                .await
                .map_err(|e| e.to_string()),
            Command::Restore { src } => crate::commands::backup::restore(&config, &src)
                .await
                .map_err(|e| e.to_string()),
            Command::Help => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("portico: {e}");
            ExitCode::FAILURE
        }
    }
}
