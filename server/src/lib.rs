//! The `portico` binary's library: configuration, the command line, and the HTTP wiring of the
//! engine, the GraphQL schemas and the web UIs. Only HTTP concerns live here.

pub mod cidr;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
mod connections;
pub mod http;
pub mod inbound;
pub mod mail;
mod serve;
pub mod shutdown;

pub use config::Config;
pub use serve::{run, run_with, serve};

/// mimalloc instead of the system allocator: GraphQL execution allocates many small values per
/// request, and glibc's malloc took a fifth of the CPU under load (see docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
