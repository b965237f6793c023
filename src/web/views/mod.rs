//! maud views: plain functions from view data to markup.

pub mod account;
pub mod agent;
pub mod api_docs;
pub mod assign;
pub mod bulk;
pub mod channels;
pub mod crm;
pub mod layout;
pub mod notifications;
pub mod public;
pub mod reports;
pub mod search;
pub mod sla;
pub mod webhooks;
