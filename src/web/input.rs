//! One check on the text of every request before a handler reads it: no NUL characters. Nobody
//! types one, PostgreSQL cannot store one in text, and a NUL cut into a name or a filter is how
//! probes look for crashes. Query parameters, urlencoded forms and JSON bodies are checked here;
//! the text fields of multipart forms where they are read (`web::form`). A NUL is a 422 naming
//! the field: a page for a browser navigating, JSON otherwise.

use super::page_error::PageError;
use crate::error::AppError;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The middleware: passes the request on unchanged unless a field holds a NUL.
pub async fn reject_nul(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // The API and the pages' own scripts (drafts, presence) get JSON; a browser navigating
    // (a form post, a link) gets a page.
    let page = !req.uri().path().starts_with("/api/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    let refuse = |err: AppError| {
        if !page {
            err.into_response()
        } else {
            PageError(err).into_response()
        }
    };
    if let Some(field) = req
        .uri()
        .query()
        .and_then(|q| nul_in_urlencoded(q.as_bytes()))
    {
        return refuse(AppError::nul(field));
    }
    let kind = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = kind.starts_with("application/x-www-form-urlencoded");
    let json = kind.starts_with("application/json") || kind.contains("+json");
    if !form && !json {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, state.config.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => return refuse(AppError::PayloadTooLarge),
    };
    let field = if form {
        nul_in_urlencoded(&bytes)
    } else {
        nul_in_json(&bytes)
    };
    if let Some(field) = field {
        return refuse(AppError::nul(field));
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The first field of an urlencoded text whose name or value holds a NUL.
fn nul_in_urlencoded(text: &[u8]) -> Option<String> {
    // Cheap test first: a NUL is written `%00` (or sent raw).
    if memchr::memchr(0, text).is_none() && memchr::memmem::find(text, b"%00").is_none() {
        return None;
    }
    url::form_urlencoded::parse(text)
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| printable(&k))
}

/// The path (`customer.email`, `tags[2]`) of the first JSON string holding a NUL.
fn nul_in_json(text: &[u8]) -> Option<String> {
    // In valid JSON a NUL can only be written as the escape `\u0000`.
    memchr::memmem::find(text, b"\\u0000")?;
    let value: Value = serde_json::from_slice(text).ok()?;
    find_in_value(&value, String::new())
}

fn find_in_value(value: &Value, path: String) -> Option<String> {
    match value {
        Value::String(s) if s.contains('\0') => {
            Some(if path.is_empty() { "body".into() } else { path })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_in_value(v, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(k, v)| {
            let here = if path.is_empty() {
                printable(k)
            } else {
                format!("{path}.{}", printable(k))
            };
            if k.contains('\0') {
                Some(here)
            } else {
                find_in_value(v, here)
            }
        }),
        _ => None,
    }
}

/// A field name as it can be shown back: its NULs as `\0`.
pub fn printable(name: &str) -> String {
    name.replace('\0', "\\0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_field_holding_a_nul() {
        assert_eq!(nul_in_urlencoded(b"team=%00&x=1"), Some("team".into()));
        assert_eq!(nul_in_urlencoded(b"team=a&tag=b%00c"), Some("tag".into()));
        assert_eq!(nul_in_urlencoded(b"team=a&tag=b"), None);
        assert_eq!(nul_in_urlencoded(b"a%00b=1"), Some("a\\0b".into()));
        assert_eq!(
            nul_in_json(br#"{"customer":{"email":"a@b.c","name":"x\u0000"}}"#),
            Some("customer.name".into())
        );
        assert_eq!(
            nul_in_json(br#"{"tags":["ok","b\u0000d"]}"#),
            Some("tags[1]".into())
        );
        assert_eq!(
            nul_in_json(br#"{"name":"x\\u0000"}"#),
            None,
            "an escaped backslash"
        );
        assert_eq!(nul_in_json(br#"{"name":"plain"}"#), None);
        assert_eq!(nul_in_json(br#""\u0000""#), Some("body".into()));
    }
}
