//! Bounds on what request bodies may cost: a time limit for sending a body (a slow sender cannot
//! hold a connection and its buffers forever), and one budget of body bytes in flight across all
//! requests, so many large posts at once wait their turn instead of growing memory without end.
//! Per-request size limits are `DefaultBodyLimit` (the router and the public form).

use crate::error::AppError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::time::Duration;

/// Bodies smaller than this are not counted against the budget (forms, JSON commands).
const SMALL_BODY: usize = 64 * 1024;
/// How long a large post waits for room in the budget before it is answered 503.
const BUDGET_WAIT: Duration = Duration::from_secs(15);
/// A body that sends nothing for this long (within its overall time limit) is cut off.
const BODY_STALL: Duration = Duration::from_secs(30);

/// Middleware: a large body first reserves its size from the budget (its `Content-Length`, or
/// the largest body accepted when the length is not said) and holds it until the answer is
/// ready; every body gets the overall time limit.
pub async fn bound_body(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let chunked = req.headers().contains_key(header::TRANSFER_ENCODING);
    let size = match declared {
        Some(n) => n,
        None if chunked => state.config.max_body_bytes,
        None => 0,
    };
    // A form with files is held about three times over while it is handled (the body, the
    // files read from it, the copy the database driver binds), so it reserves that much.
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        });
    let _reserved = if size >= SMALL_BODY {
        let budget = &state.upload_budget;
        let kib = size.div_ceil(1024) * if multipart { 3 } else { 1 };
        match tokio::time::timeout(BUDGET_WAIT, budget.reserve_kib(kib)).await {
            Ok(Ok(permit)) => Some(permit),
            _ => {
                tracing::warn!(size, "upload budget full; large post refused for now");
                return AppError::Unavailable {
                    retry_after_secs: 10,
                }
                .into_response();
            }
        }
    } else {
        None
    };
    let total = Duration::from_secs(state.config.body_timeout_secs.max(1));
    let req = req.map(|body| with_deadline(body, total));
    next.run(req).await
}

/// `body`, failing when it is not complete within `total` or stalls for [`BODY_STALL`].
fn with_deadline(body: Body, total: Duration) -> Body {
    let deadline = tokio::time::Instant::now() + total;
    let frames = futures_util::stream::unfold(
        (body.into_data_stream(), false),
        move |(mut frames, failed)| async move {
            if failed {
                return None;
            }
            let stall_until = (tokio::time::Instant::now() + BODY_STALL).min(deadline);
            match tokio::time::timeout_at(stall_until, frames.next()).await {
                Ok(Some(Ok(bytes))) => Some((Ok(bytes), (frames, false))),
                Ok(Some(Err(err))) => Some((Err(err.into_inner()), (frames, true))),
                Ok(None) => None,
                Err(_) => Some((
                    Err(Box::new(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body was not sent in time",
                    )) as axum::BoxError),
                    (frames, true),
                )),
            }
        },
    );
    Body::from_stream(frames)
}
