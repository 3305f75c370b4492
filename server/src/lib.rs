//! The `portico` binary's library: configuration, the command line, and the HTTP wiring of the
//! engine, the GraphQL schemas and the web UIs. Only HTTP concerns live here.

pub mod cli;
pub mod config;
pub mod http;
mod serve;

pub use config::Config;
pub use serve::{run, serve};
