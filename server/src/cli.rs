//! The command line: `portico [--demo]` serves; `portico schema print [--portal]` writes the SDL.

use crate::config::Config;
use std::process::ExitCode;

const USAGE: &str = "usage:
  portico [--demo]        start the server (--demo loads sample data on first start)
  portico schema print    write the staff GraphQL schema (SDL) to standard output
  portico schema print --portal
                          write the portal GraphQL schema (SDL) to standard output

configuration: PORTICO_LISTEN, PORTICO_DATA_DIR, PORTICO_DATABASE_URL, PORTICO_PUBLIC_URL,
PORTICO_SMTP_URL, PORTICO_ADMIN_EMAIL, PORTICO_ADMIN_PASSWORD, or portico.toml (see README)";

enum Command {
    Serve { demo: bool },
    PrintSchema { portal: bool },
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
    let result = runtime.block_on(async {
        match command {
            Command::Serve { demo } => crate::run_with(config, demo, timing).await,
            Command::PrintSchema { portal } => crate::serve::print_schema(config, portal).await,
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
