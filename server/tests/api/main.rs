//! Every integration test of the server in one binary: the app is linked
//! once, not once per file, and `common` is compiled once. nextest still
//! runs each test in a process of its own (Leptos' SSR executor is
//! process-wide). A file per area; `cargo nextest run -E 'test(/^users::/)'`
//! runs one.

mod common;

mod app_api;
mod cli;
mod document_list;
mod documents;
mod einvoice_app_api;
mod einvoice_export;
mod einvoice_list;
mod einvoice_mail;
mod einvoices;
mod hardening;
mod languages;
mod mail;
mod notifications;
mod passkeys;
mod password_expiry;
mod scale_out;
mod second_factor;
mod second_step;
mod sign_in;
mod structure;
mod users;
mod web;
