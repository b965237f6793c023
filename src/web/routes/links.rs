//! Customers' private links, from the agents' side: how many work and until when (the ticket
//! page's card and the API), revoke them all, or revoke and mail the customer a fresh one.

use crate::auth::AgentRef;
use crate::error::AppResult;
use crate::state::AppState;
use crate::tickets::{self, links};
use crate::web::PageResult;
use crate::web::extract::{ApiAgent, CsrfOnly, CurrentAgent, path_id, verify_csrf};
use crate::web::openapi::ApiRouter;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use maud::Markup;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

/// Merged into /api/v1.
pub fn api_routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(api_summary))
        .routes(routes!(api_action))
}

#[derive(Serialize, ToSchema)]
struct LinksOut {
    ticket_id: i64,
    links: links::LinkSummary,
}

#[derive(Serialize, ToSchema)]
struct LinksChanged {
    ticket_id: i64,
    /// How many working links were withdrawn.
    revoked: u64,
    /// A fresh link is on its way to the customer (`reissue`).
    fresh_link_queued: bool,
}

pub fn ui_routes() -> Router<AppState> {
    Router::new().route("/tickets/{id}/links/{action}", post(ui_action))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Withdraw every working link.
    Revoke,
    /// Withdraw them and mail the customer a fresh one.
    Reissue,
}

fn parse_action(raw: &str) -> AppResult<Action> {
    match raw {
        "revoke" => Ok(Action::Revoke),
        "reissue" => Ok(Action::Reissue),
        _ => Err(crate::error::AppError::NotFound("link action")),
    }
}

/// Revokes the ticket's links (and queues a fresh one for `Reissue`); returns how many.
async fn apply(state: &AppState, agent: &AgentRef, id: i64, action: Action) -> AppResult<u64> {
    tickets::get_ticket(&state.db, id).await?;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let revoked = links::revoke_all(&mut tx, id, now).await?;
    if action == Action::Reissue {
        links::queue_fresh_link(&mut tx, id, now).await?;
    }
    tx.commit().await?;
    tracing::info!(
        ticket_id = id,
        agent_id = agent.id,
        revoked,
        reissued = action == Action::Reissue,
        "customer links revoked"
    );
    Ok(revoked)
}

#[utoipa::path(get, path = "/tickets/{id}/links", tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, description = "The customer's private links: how many work and until when", body = LinksOut)))]
async fn api_summary(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<LinksOut>> {
    let id = path_id(&raw, "ticket")?;
    tickets::get_ticket(&state.db, id).await?;
    let summary = links::summary(&state.db, id, state.now()).await?;
    Ok(Json(LinksOut {
        ticket_id: id,
        links: summary,
    }))
}

#[utoipa::path(post, path = "/tickets/{id}/links/{action}", tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id"),
        ("action" = String, Path, description = "`revoke` (withdraw every working link) or `reissue` (and mail the customer a fresh one)",
            pattern = "^(revoke|reissue)$")),
    responses((status = 200, description = "Done", body = LinksChanged)))]
async fn api_action(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path((raw, action)): Path<(String, String)>,
) -> AppResult<Json<LinksChanged>> {
    let id = path_id(&raw, "ticket")?;
    let action = parse_action(&action)?;
    let revoked = apply(&state, &agent, id, action).await?;
    Ok(Json(LinksChanged {
        ticket_id: id,
        revoked,
        fresh_link_queued: action == Action::Reissue,
    }))
}

async fn ui_action(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path((raw, action)): Path<(String, String)>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let id = path_id(&raw, "ticket")?;
    apply(&state, &agent, id, parse_action(&action)?).await?;
    Ok(Redirect::to(&format!("/tickets/{id}")).into_response())
}

/// The ticket page's card.
pub async fn panel(state: &AppState, csrf: &str, id: i64) -> AppResult<Markup> {
    let now = state.now();
    let summary = links::summary(&state.db, id, now).await?;
    Ok(crate::web::views::agent::links_panel(
        csrf, id, &summary, now,
    ))
}
