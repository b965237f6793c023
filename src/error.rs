//! One error type for the whole application, rendered as JSON for the API; the web UI renders the
//! same error as a page (`PageError` in the web module).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A field of the input is missing or wrong; names the field.
    #[error("{field} {message}")]
    Validation { field: String, message: String },
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// The caller's change was made against an older version of the ticket.
    #[error("the ticket changed since you loaded it (now at version {current_version})")]
    Stale { current_version: i64 },
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("too many requests; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The database cannot be reached now; the caller should retry.
    #[error(
        "the database cannot take this now (down, overloaded or out of disk space); try again in {retry_after_secs} s"
    )]
    Unavailable { retry_after_secs: u64 },
    /// The search index (Meilisearch) did not answer in time or failed; the caller should retry.
    #[error("search is not answering; try again in {retry_after_secs} s")]
    SearchUnavailable { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(anyhow::Error),
}

/// How long a caller is asked to wait while the database is not answering.
const UNAVAILABLE_RETRY_SECS: u64 = 5;

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        let unavailable = err.chain().any(|c| {
            c.downcast_ref::<sqlx::Error>()
                .is_some_and(crate::db::is_unavailable)
        });
        if unavailable {
            tracing::warn!(error = %err, "database unavailable");
            return AppError::Unavailable {
                retry_after_secs: UNAVAILABLE_RETRY_SECS,
            };
        }
        AppError::Internal(err)
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// What a caught panic said (its message, when it was a string).
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

impl AppError {
    /// A field that holds a NUL character (no text column can store one).
    pub fn nul(field: impl Into<String>) -> Self {
        AppError::field(field, t!("error-nul"))
    }

    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Stale { .. } => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable { .. } | AppError::SearchUnavailable { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "validation_failed",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Stale { .. } => "stale_version",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Unavailable { .. } | AppError::SearchUnavailable { .. } => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The message shown to the caller, in the request's language (the API's is English).
    /// Internal errors are logged with a reference and never shown.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(err) => {
                let reference = format!("{:012x}", rand::random::<u64>() & 0xFFFF_FFFF_FFFF);
                tracing::error!(error = ?err, reference, "internal error");
                t!("error-internal", reference = reference)
            }
            AppError::Validation { field, message } => {
                t!("error-validation", field = field, message = message)
            }
            AppError::BadRequest(m) | AppError::Forbidden(m) | AppError::Conflict(m) => m.clone(),
            AppError::Unauthorized => t!("error-unauthorized"),
            AppError::NotFound(what) => t!("error-not-found", what = *what),
            AppError::Stale { current_version } => t!("error-stale", version = *current_version),
            AppError::PayloadTooLarge => t!("error-too-large"),
            AppError::RateLimited { retry_after_secs } => {
                t!("error-rate-limited", secs = *retry_after_secs)
            }
            AppError::Unavailable { retry_after_secs } => {
                t!("error-unavailable", secs = *retry_after_secs)
            }
            AppError::SearchUnavailable { retry_after_secs } => {
                t!("error-search-unavailable", secs = *retry_after_secs)
            }
        }
    }

    /// Adds the headers an error response carries besides its body (`Retry-After`,
    /// `WWW-Authenticate`), whichever way the body is rendered.
    pub fn extra_headers(&self, resp: &mut Response) {
        if let AppError::RateLimited { retry_after_secs }
        | AppError::Unavailable { retry_after_secs }
        | AppError::SearchUnavailable { retry_after_secs } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if let AppError::Unauthorized = self {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        if crate::db::is_unique_violation(&err) {
            return AppError::Conflict(t!("error-already-exists"));
        }
        AppError::from(anyhow::Error::from(err))
    }
}

/// The API's one error shape: `{"error": {"code", "message", "field"?}}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code: `bad_request`, `unauthorized`, `bad_signature`,
    /// `forbidden`, `not_found`, `method_not_allowed`, `conflict`, `stale_version`,
    /// `payload_too_large`, `validation_failed`, `rate_limited`, `unavailable`,
    /// `not_configured`, `internal`.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// What went wrong, for people (English under `/api`).
    pub message: String,
    /// The field at fault (a body path such as `events[2].occurred_at`, a query parameter or a
    /// header name); with `validation_failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorBody {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
                field: None,
            },
        }
    }
}

/// JSON rendering: [`ErrorBody`].
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut body = ErrorBody::new(self.code(), self.public_message());
        if let AppError::Validation { field, .. } = &self {
            body.error.field = Some(field.to_string());
        }
        let mut resp = (self.status(), axum::Json(body)).into_response();
        self.extra_headers(&mut resp);
        resp
    }
}
