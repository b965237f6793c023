//! Route handlers: thin functions that parse input, call one service, and render.

pub mod account;
pub mod api;
pub mod assign_api;
pub mod assign_ui;
pub mod bulk;
pub mod channels;
pub mod crm_api;
pub mod crm_ui;
pub mod drafts;
pub mod events;
pub mod links;
pub mod merge;
pub mod notifications;
pub mod public;
pub mod reports;
pub mod search;
pub mod sla;
pub mod tags;
pub mod ui;
pub mod views;
pub mod webhooks;

/// Collects the form validation error (if any) as `(field, message)` pairs for re-rendering.
pub fn field_errors(err: &crate::error::AppError) -> Option<Vec<(String, String)>> {
    match err {
        crate::error::AppError::Validation { field, message } => {
            Some(vec![(field.clone(), message.clone())])
        }
        _ => None,
    }
}

/// A form field holding several values (tags, addresses) separated by commas (`,`, `，`, `،`).
pub fn comma_list(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or("")
        .split([',', '，', '،'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// A listing page's `?cursor=` (the id to list before); absent or empty is the first page.
pub fn page_cursor(raw: Option<&str>) -> Result<Option<i64>, crate::error::AppError> {
    match raw {
        None | Some("") => Ok(None),
        Some(c) => c
            .parse::<i64>()
            .map(Some)
            .map_err(|_| crate::error::AppError::field("cursor", "is not valid")),
    }
}
