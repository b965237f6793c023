//! Casebook's integration tests: one binary, the real app, real databases (SQLite and PostgreSQL).

pub mod harness;

mod api;
mod assign;
mod auth;
mod bad_input;
mod browser;
mod browser_desk;
mod bulk;
mod cc;
mod connections;
pub mod crash;
mod crm;
mod crm_360;
mod db_outage;
mod disk_full;
mod drafts;
mod email_corpus;
pub mod email_intake;
mod events;
pub mod fake_meili;
mod janitor;
mod jobs;
mod layering;
mod links;
mod macros;
mod mail_e2e;
mod merge;
mod notifications;
mod previews;
mod reports;
mod search;
pub mod sla;
mod tags;
mod ticket_writes;
mod views;
mod web_flow;
