//! `AppError` rendered as an HTML page, for the web UI (the API renders it as JSON).

use crate::error::AppError;
use crate::web::views::layout::error_page;
use axum::response::{IntoResponse, Redirect, Response};

/// The same error rendered as an HTML page, for the web UI.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let err = self.0;
        if let AppError::Unauthorized = err {
            return Redirect::to("/login").into_response();
        }
        let status = err.status();
        let message = match &err {
            AppError::NotFound(what) => not_found(what),
            other => other.public_message(),
        };
        let page = error_page(status, &message);
        let mut resp = (status, page).into_response();
        err.extra_headers(&mut resp);
        resp
    }
}

pub type PageResult<T> = Result<T, PageError>;

/// "ticket not found" as a sentence of the page's language (`NotFound` holds an English noun).
fn not_found(what: &str) -> String {
    match what {
        "action" => t!("error-not-found-action"),
        "agent" => t!("error-not-found-agent"),
        "attachment" => t!("error-not-found-attachment"),
        "bulk change" => t!("error-not-found-bulk-change"),
        "calendar" => t!("error-not-found-calendar"),
        "current identity" => t!("error-not-found-current-identity"),
        "customer" => t!("error-not-found-customer"),
        "endpoint" => t!("error-not-found-endpoint"),
        "identity" => t!("error-not-found-identity"),
        "link action" => t!("error-not-found-link-action"),
        "macro" => t!("error-not-found-macro"),
        "merge" => t!("error-not-found-merge"),
        "message" => t!("error-not-found-message"),
        "notification" => t!("error-not-found-notification"),
        "page" => t!("error-not-found-page"),
        "policy" => t!("error-not-found-policy"),
        "quarantined message" => t!("error-not-found-quarantined-message"),
        "report" => t!("error-not-found-report"),
        "rule" => t!("error-not-found-rule"),
        "saved reply" => t!("error-not-found-saved-reply"),
        "tag" => t!("error-not-found-tag"),
        "team" => t!("error-not-found-team"),
        "text to insert" => t!("error-not-found-text-to-insert"),
        "ticket" => t!("error-not-found-ticket"),
        "this link is not valid or has expired; ticket link" => t!("error-not-found-ticket-link"),
        "this rating link is not valid or has expired; ticket link" => {
            t!("error-not-found-rating-link")
        }
        "view" => t!("error-not-found-view"),
        other => t!("error-not-found", what = other),
    }
}
