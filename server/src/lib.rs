//! The `kundenportal` binary's library: the command line and the startup.

pub mod cli;
pub mod openapi;
pub mod startup;
