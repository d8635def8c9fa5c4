//! Server-only infrastructure: configuration, state, database, mail, secrets.

pub mod allowance;
pub mod audit;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod csv;
pub mod dates;
pub mod db;
pub mod headers;
pub mod language;
pub mod jobs;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod plain_page;
pub mod redact;
pub mod serve;
pub mod state;
pub mod storage;
