//! The `kundenportal` binary's library: the command line and the startup.

pub mod cli;
mod cli_documents;
pub mod startup;
