//! Notifications over HTTP: the agent's /notifications page (list, mark read, preferences), its
//! API, following a ticket (form and API) and the Follow card of the ticket page.

use crate::auth::AgentRef;
use crate::error::AppResult;
use crate::notify::inbox::{self, Pref};
use crate::state::AppState;
use crate::web::PageResult;
use crate::web::extract::{
    ApiAgent, ApiJson, CsrfOnly, CsrfToken, CurrentAgent, path_id, verify_csrf,
};
use crate::web::openapi::ApiRouter;
use crate::web::views::notifications as views;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use maud::Markup;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

/// How many notifications the page and the API list.
const LIST_LIMIT: i64 = 200;

// ---------------------------------------------------------------------------------------------
// API (merged into /api/v1)

pub fn api_routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(api_list))
        .routes(routes!(api_read_all))
        .routes(routes!(api_read_one))
        .routes(routes!(api_prefs, api_set_prefs))
        .routes(routes!(api_follow, api_unfollow))
}

#[derive(Serialize, ToSchema)]
struct NotificationList {
    /// Newest first, up to 200.
    items: Vec<inbox::Notification>,
    unread: i64,
}

#[derive(Serialize, ToSchema)]
struct Unread {
    unread: i64,
}

#[derive(Serialize, ToSchema)]
struct Prefs {
    preferences: Vec<Pref>,
}

#[derive(Serialize, ToSchema)]
struct Following {
    ticket_id: i64,
    following: bool,
}

#[utoipa::path(get, path = "/notifications", tag = "notifications",
    responses((status = 200, description = "The caller's notifications and unread count", body = NotificationList)))]
async fn api_list(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
) -> AppResult<Json<NotificationList>> {
    let items = inbox::notifications(&state.db, agent.id, LIST_LIMIT).await?;
    let unread = inbox::unread_count(&state.db, agent.id).await?;
    Ok(Json(NotificationList { items, unread }))
}

#[utoipa::path(post, path = "/notifications/read", tag = "notifications",
    responses((status = 200, description = "All marked read", body = Unread)))]
async fn api_read_all(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
) -> AppResult<Json<Unread>> {
    inbox::mark_all_read(&state.db, agent.id, state.now()).await?;
    Ok(Json(Unread { unread: 0 }))
}

#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications",
    params(("id" = i64, Path, description = "Notification id")),
    responses((status = 200, description = "Marked read; the unread count", body = Unread)))]
async fn api_read_one(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<Unread>> {
    let id = path_id(&raw, "notification")?;
    inbox::mark_read(&state.db, agent.id, id, state.now()).await?;
    let unread = inbox::unread_count(&state.db, agent.id).await?;
    Ok(Json(Unread { unread }))
}

#[utoipa::path(get, path = "/notifications/preferences", tag = "notifications",
    responses((status = 200, description = "In-app and email choice per kind", body = Prefs)))]
async fn api_prefs(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
) -> AppResult<Json<Prefs>> {
    let preferences = inbox::prefs(&state.db, agent.id).await?;
    Ok(Json(Prefs { preferences }))
}

/// The kinds to change (`assigned`, `customer_reply`, `mention`, `following`, `sla_warning`,
/// `sla_breach`, `escalated`); kinds not listed stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PrefsIn {
    preferences: Vec<Pref>,
}

#[utoipa::path(put, path = "/notifications/preferences", tag = "notifications", request_body = PrefsIn,
    responses((status = 200, description = "Saved; every preference", body = Prefs)))]
async fn api_set_prefs(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(body): ApiJson<PrefsIn>,
) -> AppResult<Json<Prefs>> {
    inbox::set_prefs(&state.db, agent.id, &body.preferences, state.now()).await?;
    api_prefs(State(state), ApiAgent(agent)).await
}

#[utoipa::path(put, path = "/tickets/{id}/follow", tag = "notifications",
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, description = "Following", body = Following)))]
async fn api_follow(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<Following>> {
    let id = path_id(&raw, "ticket")?;
    inbox::follow(&state.db, id, agent.id, state.now()).await?;
    Ok(Json(Following {
        ticket_id: id,
        following: true,
    }))
}

#[utoipa::path(delete, path = "/tickets/{id}/follow", tag = "notifications",
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, description = "Not following", body = Following)))]
async fn api_unfollow(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<Following>> {
    let id = path_id(&raw, "ticket")?;
    inbox::unfollow(&state.db, id, agent.id).await?;
    Ok(Json(Following {
        ticket_id: id,
        following: false,
    }))
}

// ---------------------------------------------------------------------------------------------
// Web UI

pub fn ui_routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(page))
        .route("/notifications/read", post(read_all))
        .route("/notifications/{id}/read", post(read_one))
        .route("/notifications/preferences", post(save_prefs))
        .route("/tickets/{id}/follow", post(follow))
        .route("/tickets/{id}/unfollow", post(unfollow))
}

/// The Follow card of the ticket page.
pub async fn follow_panel(
    state: &AppState,
    agent: &AgentRef,
    csrf: &str,
    ticket_id: i64,
) -> AppResult<Markup> {
    let following = inbox::is_following(&state.db, ticket_id, agent.id).await?;
    Ok(views::follow_panel(csrf, ticket_id, following))
}

async fn page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
) -> PageResult<Response> {
    let items = inbox::notifications(&state.db, agent.id, LIST_LIMIT).await?;
    let prefs = inbox::prefs(&state.db, agent.id).await?;
    let digest = views::DigestInfo {
        available: state.mailer.is_some(),
        minutes: state.config.notification_digest_minutes,
    };
    Ok(
        views::notifications_page(&agent, &csrf, state.now(), &items, &prefs, &digest)
            .into_response(),
    )
}

async fn read_all(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    inbox::mark_all_read(&state.db, agent.id, state.now()).await?;
    Ok(Redirect::to("/notifications").into_response())
}

async fn read_one(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let id = path_id(&raw, "notification")?;
    inbox::mark_read(&state.db, agent.id, id, state.now()).await?;
    Ok(Redirect::to("/notifications").into_response())
}

/// The preferences form: a checkbox `<kind>.in_app` and `<kind>.email` per kind; an unchecked
/// box is absent, so every kind is saved.
async fn save_prefs(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let has = |k: &str| f.iter().any(|(name, _)| name == k);
    let csrf = f.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str());
    verify_csrf(&headers, csrf)?;
    let prefs: Vec<Pref> = inbox::KINDS
        .iter()
        .map(|(kind, _)| Pref {
            kind: kind.to_string(),
            in_app: has(&format!("{kind}.in_app")),
            email: has(&format!("{kind}.email")),
        })
        .collect();
    inbox::set_prefs(&state.db, agent.id, &prefs, state.now()).await?;
    Ok(Redirect::to("/notifications").into_response())
}

async fn follow(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let id = path_id(&raw, "ticket")?;
    inbox::follow(&state.db, id, agent.id, state.now()).await?;
    Ok(Redirect::to(&format!("/tickets/{id}")).into_response())
}

async fn unfollow(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let id = path_id(&raw, "ticket")?;
    inbox::unfollow(&state.db, id, agent.id).await?;
    Ok(Redirect::to(&format!("/tickets/{id}")).into_response())
}
