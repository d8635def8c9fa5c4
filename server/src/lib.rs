//! The `kundenportal` binary's library: the command line and the startup.

pub mod cli;
mod cli_documents;
mod cli_exit;
mod cli_move;
mod cli_progress;
mod cli_users;
pub mod startup;
