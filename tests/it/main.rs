//! Casebook's integration tests: one binary, the real app, real databases (SQLite and PostgreSQL).

pub mod harness;

mod api;
mod auth;
mod bad_input;
mod browser;
pub mod crash;
mod crm;
mod email_corpus;
mod email_intake;
mod mail_e2e;
mod reports;
mod web_flow;
