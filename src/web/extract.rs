//! Request extractors: the logged-in agent (session cookie), the API caller (bearer token), the
//! CSRF token (double-submit cookie), the client's address, and JSON bodies with field-named errors.

use crate::auth::{self, AgentRef};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::PageError;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "cb_session";
pub const CSRF_COOKIE: &str = "cb_csrf";

/// The value of the request's cookie `name` (every `Cookie` header is read).
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|c| c.value().to_string())
}

/// A `Set-Cookie` header for one of Casebook's own cookies: the whole site, not readable by
/// scripts, sent on top-level navigation from other sites (`SameSite=Lax`), `Secure` over HTTPS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let c = Cookie::build((name.to_string(), value.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .secure(secure)
        .build();
    HeaderValue::from_str(&c.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A form that carries nothing but its CSRF token (a button: log out, follow, revoke …).
#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    pub csrf: Option<String>,
}

/// The CSRF token for this browser, set by `csrf_cookie` when the browser had none.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// Makes sure every browser has a CSRF cookie; forms echo it in a hidden `csrf` field.
pub async fn csrf_cookie(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let existing = cookie(req.headers(), CSRF_COOKIE).filter(|v| v.len() >= 32);
    let (token, fresh) = match existing {
        Some(t) => (t, false),
        None => (auth::random_token(32), true),
    };
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut resp = next.run(req).await;
    if fresh && !resp.headers().contains_key(header::SET_COOKIE) {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                CSRF_COOKIE,
                &token,
                60 * 60 * 24 * 30,
                state.config.secure_cookies(),
            ),
        );
    }
    resp
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<CsrfToken>().cloned().ok_or_else(|| {
            PageError(AppError::Internal(anyhow::anyhow!(
                "csrf middleware missing"
            )))
        })
    }
}

/// Checks a submitted form's `csrf` field against the browser's cookie.
pub fn verify_csrf(headers: &HeaderMap, submitted: Option<&str>) -> Result<(), AppError> {
    let cookie = cookie(headers, CSRF_COOKIE);
    match (cookie, submitted) {
        (Some(c), Some(s))
            if !c.is_empty()
                && crate::customers::webhook::constant_time_eq(c.as_bytes(), s.as_bytes()) =>
        {
            Ok(())
        }
        _ => Err(AppError::Forbidden(t!("error-csrf"))),
    }
}

/// The agent logged in through the session cookie (web UI). Anonymous visitors go to /login.
#[derive(Clone, Debug)]
pub struct CurrentAgent(pub AgentRef);

impl<S> FromRequestParts<S> for CurrentAgent
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = axum::response::Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let state = AppState::from_ref(state);
        let agent = match cookie(&parts.headers, SESSION_COOKIE) {
            Some(secret) => auth::session_agent(&state.db, &secret, state.now())
                .await
                .map_err(|e| PageError(e).into_response())?,
            None => None,
        };
        match agent {
            Some(mut agent) => {
                if let Some(locale) = agent.locale {
                    crate::i18n::set_current(locale);
                }
                agent.unread_notifications =
                    crate::notify::inbox::unread_count(&state.db, agent.id)
                        .await
                        .map_err(|e| PageError(e).into_response())?;
                Ok(CurrentAgent(agent))
            }
            // A page asked for without a session: log in, then come back to it.
            None if parts.method == axum::http::Method::GET => {
                let here = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                if here == "/" || here == "/tickets" {
                    return Err(axum::response::Redirect::to("/login").into_response());
                }
                let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
                Err(axum::response::Redirect::to(&format!("/login?next={next}")).into_response())
            }
            None => Err(PageError(AppError::Unauthorized).into_response()),
        }
    }
}

/// Where to go after logging in: a path on this site (`/tickets/41?tab=sla`), never another
/// origin (`//evil.example`, `https://…`, `/\evil`); anything else is the queue.
pub fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.len() <= 2000
                && !n.chars().any(|c| c.is_control() || c == '\\')
                && n != "/login"
                && !n.starts_with("/login?") =>
        {
            n.to_string()
        }
        _ => "/tickets".to_string(),
    }
}

/// The agent behind an API bearer token.
#[derive(Clone, Debug)]
pub struct ApiAgent(pub AgentRef);

impl<S> FromRequestParts<S> for ApiAgent
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() < 200)
            .ok_or(AppError::Unauthorized)?;
        auth::token_agent(&state.db, token, state.now())
            .await?
            .map(ApiAgent)
            .ok_or(AppError::Unauthorized)
    }
}

/// The client's IP address (the socket peer).
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientIp(ip))
    }
}

/// A JSON body. Malformed JSON is a 400; a wrong or missing field is a 422 that names the field;
/// a body over the limit is a 413.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(AppError::BadRequest(
                "expected Content-Type: application/json".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rej| {
                if rej.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest("could not read the request body".into())
                }
            })?;
        parse_json(&bytes).map(ApiJson)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            match inner.classify() {
                serde_json::error::Category::Syntax
                | serde_json::error::Category::Eof
                | serde_json::error::Category::Io => {
                    Err(AppError::BadRequest(format!("malformed JSON: {inner}")))
                }
                serde_json::error::Category::Data => {
                    let msg = inner.to_string();
                    let field = missing_field(&msg).map(str::to_string).unwrap_or_else(|| {
                        if path == "." {
                            "body".to_string()
                        } else {
                            path
                        }
                    });
                    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                    Err(AppError::field(field, msg))
                }
            }
        }
    }
}

fn missing_field(msg: &str) -> Option<&str> {
    let rest = msg
        .strip_prefix("missing field `")
        .or_else(|| msg.strip_prefix("unknown field `"))?;
    rest.split('`').next()
}

/// An id taken from a URL path: a positive integer, or else 404 naming `what` ("ticket", "rule").
pub fn path_id(raw: &str, what: &'static str) -> crate::error::AppResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(AppError::NotFound(what))
}
