//! Dokumente: the customer's invoices, credit notes and other PDFs — ingest
//! (CLI and API), storage, view and download, and how long they stay.
//!
//! Every query that reads or changes documents takes a
//! [`ssr::CustomerScope`], which only a signed-in session or a checked
//! ingest caller can make: a document query without a customer cannot be
//! written.

#[cfg(feature = "ssr")]
pub mod ssr;
