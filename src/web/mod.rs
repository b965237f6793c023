//! HTTP: the router, middleware (security headers, metrics, CSRF cookie, body limits) and static files.

pub mod extract;
pub mod form;
pub mod input;
pub mod limits;
pub mod locale;
pub mod openapi;
pub mod page_error;
pub mod routes;
pub mod server;
pub mod views;

pub use page_error::{PageError, PageResult};

use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::time::Instant;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    let (api, doc) = routes::api::routes(crate::customers::crm::MAX_BATCH_BODY_BYTES.min(limit));
    // The reference page is the document rendered once; it needs no script, so the strict CSP
    // below holds for it too.
    let docs_page: std::sync::Arc<str> = serde_json::to_value(&doc)
        .map(|v| views::api_docs::reference(&v).into_string())
        .unwrap_or_default()
        .into();
    Router::new()
        .merge(routes::ui::routes())
        .merge(routes::account::routes())
        .merge(routes::drafts::routes())
        .merge(routes::assign_ui::routes())
        .merge(routes::public::routes(state.config.support_body_bytes()))
        .merge(routes::sla::ui_routes())
        .merge(routes::notifications::ui_routes())
        .merge(routes::tags::ui_routes())
        .merge(routes::bulk::ui_routes())
        .merge(routes::merge::ui_routes())
        .merge(routes::views::ui_routes())
        .merge(routes::links::ui_routes())
        .merge(routes::search::ui_routes())
        .merge(routes::reports::routes())
        .merge(routes::events::ui_routes())
        .merge(routes::webhooks::ui_routes())
        .merge(routes::channels::ui_routes())
        .nest("/api/v1", api)
        .route(
            "/api/docs",
            get(move || {
                let page = docs_page.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                        page.to_string(),
                    )
                }
            }),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/static/casebook.css", get(css))
        .route("/static/casebook.js", get(js))
        .route("/static/live.js", get(live_js))
        .route("/static/drafts.js", get(drafts_js))
        .route("/static/notifications.js", get(notifications_js))
        .route("/static/shortcuts.js", get(shortcuts_js))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), extract::csrf_cookie))
        .layer(middleware::from_fn_with_state(state.clone(), input::reject_nul))
        .layer(middleware::from_fn_with_state(state.clone(), limits::bound_body))
        .layer(DefaultBodyLimit::max(limit))
        // A panic in a handler is a logged 500 for that request, never a reset connection.
        .layer(CatchPanicLayer::custom(panicked))
        .layer(middleware::from_fn(error_shapes))
        .layer(middleware::from_fn_with_state(state.clone(), locale::choose))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %loggable_path(req.uri().path()), request_id = %id)
        }).on_failure(log_failure))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// A failed request in the log: a 503 (a dependency is down or busy, the caller was told to
/// retry) is a warning, so an outage does not flood the log with errors; anything else is an
/// error.
fn log_failure(
    class: tower_http::classify::ServerErrorsFailureClass,
    latency: std::time::Duration,
    _span: &tracing::Span,
) {
    use tower_http::classify::ServerErrorsFailureClass;
    let latency_ms = latency.as_millis() as u64;
    match class {
        ServerErrorsFailureClass::StatusCode(code) if code == StatusCode::SERVICE_UNAVAILABLE => {
            tracing::warn!(status = code.as_u16(), latency_ms, "request answered 503")
        }
        other => tracing::error!(classification = %other, latency_ms, "response failed"),
    }
}

/// The request path for logs, with customer link tokens (secrets) cut out.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix("/t/") {
        Some(rest) => {
            let tail = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
            format!("/t/[token]{tail}").into()
        }
        None => path.into(),
    }
}

/// Records latency and status for `/metrics`.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let resp = next.run(req).await;
    state
        .metrics
        .observe_http(start.elapsed().as_micros() as u64, resp.status().as_u16());
    resp
}

/// Marks the response [`CatchPanicLayer`] made for a handler that panicked.
#[derive(Clone, Copy)]
struct Panicked;

fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = crate::error::panic_message(panic.as_ref());
    tracing::error!(panic = %what, "request handler panicked");
    let mut resp = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    resp.extensions_mut().insert(Panicked);
    resp
}

/// Errors made below the handlers (a body over the limit, which extractors answer in plain
/// text; a panic) in the shape of the rest: JSON under `/api`, a page elsewhere.
async fn error_shapes(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let err = if resp.status() == StatusCode::PAYLOAD_TOO_LARGE {
        crate::error::AppError::PayloadTooLarge
    } else if resp.extensions().get::<Panicked>().is_some() {
        crate::error::AppError::Internal(anyhow::anyhow!("request handler panicked"))
    } else if api && (resp.status().is_client_error() || resp.status().is_server_error()) {
        return json_error(resp).await;
    } else {
        return resp;
    };
    if api {
        err.into_response()
    } else {
        PageError(err).into_response()
    }
}

/// An error response under `/api` that is not JSON yet (the router's 405 for a method a route
/// does not take, an extractor's 400 for a path it cannot decode) in the API's error shape,
/// keeping its status and headers (`Allow`, `Retry-After`).
async fn json_error(resp: Response) -> Response {
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if is_json {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let status = parts.status;
    let message = match String::from_utf8_lossy(&text).trim() {
        "" => status.canonical_reason().unwrap_or("error").to_lowercase(),
        t => t.to_string(),
    };
    let code = match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        408 => "request_timeout",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "validation_failed",
        429 => "rate_limited",
        503 => "unavailable",
        s if s >= 500 => "internal",
        _ => "error",
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let body =
        serde_json::to_string(&crate::error::ErrorBody::new(code, message)).unwrap_or_default();
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// `/healthz` and `/readyz`: 200 when the database answers and takes writes, else 503 saying
/// why, so a load balancer sends traffic elsewhere until it heals.
async fn healthz(State(state): State<AppState>) -> Response {
    if let Err(err) = state.db.ping().await {
        tracing::warn!(error = %err, "health check: database does not answer");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response();
    }
    match state.db.check_writable().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(why) => {
            tracing::warn!(why, "health check: database unwritable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("database unwritable: {why}\n"),
            )
                .into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = &state.config.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        // Digests have one length, so the comparison says nothing about the token's.
        let ok = crate::customers::webhook::constant_time_eq(
            crate::auth::digest(given).as_bytes(),
            crate::auth::digest(token.expose()).as_bytes(),
        );
        if !ok {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "metrics need the metrics token\n",
            )
                .into_response();
        }
    }
    let depth = crate::outbox::depth(&state.db).await.unwrap_or(-1);
    let mut text = state.metrics.render(depth);
    text.push_str(&state.live.render_metrics());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/casebook.css"),
    )
        .into_response()
}

async fn js() -> Response {
    script(include_str!("../../static/casebook.js"))
}

async fn drafts_js() -> Response {
    script(include_str!("../../static/drafts.js"))
}

fn script(source: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        source,
    )
        .into_response()
}

async fn live_js() -> Response {
    script(include_str!("../../static/live.js"))
}

async fn notifications_js() -> Response {
    script(include_str!("../../static/notifications.js"))
}

async fn shortcuts_js() -> Response {
    script(include_str!("../../static/shortcuts.js"))
}

async fn not_found(req: Request) -> Response {
    let err = crate::error::AppError::NotFound("page");
    if req.uri().path().starts_with("/api/") {
        err.into_response()
    } else {
        PageError(err).into_response()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn link_tokens_stay_out_of_logs() {
        assert_eq!(super::loggable_path("/t/SECRETTOKEN"), "/t/[token]");
        assert_eq!(
            super::loggable_path("/t/SECRETTOKEN/attachments/3"),
            "/t/[token]/attachments/3"
        );
        assert_eq!(super::loggable_path("/tickets/3"), "/tickets/3");
    }

    #[tokio::test]
    async fn a_panicking_handler_is_a_500_in_the_usual_shape() {
        use axum::body::Body;
        use axum::http::Request;
        use tower::ServiceExt;
        async fn boom() -> &'static str {
            panic!("boom")
        }
        let app = axum::Router::new()
            .route("/api/v1/boom", axum::routing::get(boom))
            .route("/boom", axum::routing::get(boom))
            .layer(super::CatchPanicLayer::custom(super::panicked))
            .layer(axum::middleware::from_fn(super::error_shapes));
        for (path, shape) in [("/api/v1/boom", "application/json"), ("/boom", "text/html")] {
            let resp = app
                .clone()
                .oneshot(Request::get(path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(resp.status(), 500, "{path}");
            let kind = resp.headers()[axum::http::header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .to_string();
            assert!(kind.starts_with(shape), "{path}: {kind}");
            let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
                .await
                .unwrap();
            assert!(!String::from_utf8_lossy(&body).contains("boom"), "{path}");
        }
    }
}
