//! Reply drafts from the ticket page: `PUT` and `DELETE /tickets/{id}/draft` (saved by
//! drafts.js while the agent types), `GET` of the same for the agent's own draft, and
//! `GET /tickets/{id}/draft/insert` for the text of a saved reply or a solved ticket's answer.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tickets::{self, drafts};
use crate::web::extract::{CurrentAgent, parse_json, verify_csrf};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

/// The header scripts send the page's CSRF token in (forms send the `csrf` field).
const CSRF_HEADER: &str = "x-csrf-token";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/tickets/{id}/draft",
            get(get_draft).put(put_draft).delete(delete_draft),
        )
        .route("/tickets/{id}/draft/insert", get(insert_text))
}

/// A draft as sent by the page: a form (`body`, `visibility`, `csrf`) or JSON.
#[derive(Debug, Default, Deserialize)]
struct DraftIn {
    body: Option<String>,
    visibility: Option<String>,
    csrf: Option<String>,
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

fn read_body(headers: &HeaderMap, bytes: &[u8]) -> AppResult<DraftIn> {
    if bytes.is_empty() {
        Ok(DraftIn::default())
    } else if is_json(headers) {
        parse_json(bytes)
    } else {
        form_fields(bytes)
    }
}

fn form_fields(bytes: &[u8]) -> AppResult<DraftIn> {
    let mut d = DraftIn::default();
    for (k, v) in url::form_urlencoded::parse(bytes) {
        match k.as_ref() {
            "body" => d.body = Some(v.into_owned()),
            "visibility" => d.visibility = Some(v.into_owned()),
            "csrf" => d.csrf = Some(v.into_owned()),
            _ => {}
        }
    }
    Ok(d)
}

/// The CSRF check of the ticket page's forms, with the token from the body or the header.
fn check_csrf(headers: &HeaderMap, d: &DraftIn) -> AppResult<()> {
    let header = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    verify_csrf(headers, d.csrf.as_deref().or(header))
}

async fn get_draft(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let draft = drafts::get(&state.db, agent.id, id).await?;
    Ok(Json(json!({ "draft": draft })).into_response())
}

async fn put_draft(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Response> {
    let d = read_body(&headers, &bytes)?;
    check_csrf(&headers, &d)?;
    let visibility = drafts::parse_visibility(d.visibility.as_deref())?;
    let body = d.body.as_deref().unwrap_or("");
    drafts::save(&state.db, agent.id, id, body, visibility, state.now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn delete_draft(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Response> {
    let d = read_body(&headers, &bytes)?;
    check_csrf(&headers, &d)?;
    drafts::clear(&state.db, agent.id, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The text "Insert" puts into the reply box (`saved_reply` or `answer_from`, as in the
/// ticket page's URL), filled in for this ticket and agent.
async fn insert_text(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    Path(id): Path<i64>,
    Query(q): Query<super::search::TicketPageQuery>,
) -> AppResult<Response> {
    let ticket = tickets::get_ticket(&state.db, id).await?;
    let text = super::search::draft_for(&state, &agent, &ticket, &q).await?;
    if text.is_empty() {
        return Err(AppError::NotFound("text to insert"));
    }
    Ok(Json(json!({ "text": text })).into_response())
}
