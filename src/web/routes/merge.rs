//! Merging and splitting tickets over HTTP: the Merge card of the ticket page (merge into another
//! ticket; on a merged ticket, where it went and Undo), the Split button on messages, and the
//! API (`POST /api/v1/tickets/{id}/merge`, `POST /api/v1/merges/{id}/undo`,
//! `POST /api/v1/messages/{id}/split`).

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tickets::{self, merge};
use crate::web::PageResult;
use crate::web::extract::{
    ApiAgent, ApiJson, CsrfOnly, CsrfToken, CurrentAgent, path_id, verify_csrf,
};
use crate::web::openapi::ApiRouter;
use crate::web::views::layout::field_error;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

pub fn ui_routes() -> Router<AppState> {
    Router::new()
        .route("/tickets/{id}/merge", post(ui_merge))
        .route("/tickets/{id}/unmerge", post(ui_unmerge))
        .route("/messages/{id}/split", post(ui_split))
}

/// Merged into /api/v1.
pub fn api_routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(api_merge))
        .routes(routes!(api_undo))
        .routes(routes!(api_split))
}

fn undo_window_ms(state: &AppState) -> i64 {
    state.config.merge_undo_days.saturating_mul(86_400_000)
}

/// `#123`, `123` or a ticket's URL: the ticket number in it.
fn ticket_number(field: &str, raw: &str) -> AppResult<i64> {
    let digits: String = raw
        .trim()
        .trim_end_matches('/')
        .rsplit(['/', '#'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| AppError::field(field, t!("merge-error-ticket-number")))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct MergeBody {
    /// The ticket to merge into.
    into: Option<i64>,
}

#[utoipa::path(post, path = "/tickets/{id}/merge", tag = "tickets", request_body = MergeBody,
    params(("id" = i64, Path, description = "The ticket to merge away")),
    responses((status = 200, description = "Merged", body = merge::Merged),
        (status = 409, description = "Into itself, already merged, a target merged away, or tickets of different customers")))]
async fn api_merge(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<MergeBody>,
) -> AppResult<Json<merge::Merged>> {
    let source = path_id(&raw, "ticket")?;
    let into = body
        .into
        .ok_or_else(|| AppError::field("into", t!("merge-error-into-required")))?;
    let window = undo_window_ms(&state);
    let merged = merge::merge(&state.db, &agent, source, into, window, state.now()).await?;
    Ok(Json(merged))
}

/// The ticket the operation left (the restored source, or the new ticket of a split).
#[derive(Serialize, ToSchema)]
struct TicketRef {
    ticket_id: i64,
}

#[utoipa::path(post, path = "/merges/{id}/undo", tag = "tickets",
    params(("id" = i64, Path, description = "Merge id")),
    responses((status = 200, description = "Undone; the restored ticket", body = TicketRef),
        (status = 409, description = "Already undone, or too late")))]
async fn api_undo(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<TicketRef>> {
    let id = path_id(&raw, "merge")?;
    let source = merge::undo(&state.db, &agent, id, state.now()).await?;
    Ok(Json(TicketRef { ticket_id: source }))
}

#[utoipa::path(post, path = "/messages/{id}/split", tag = "tickets",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 201, description = "The new ticket", body = TicketRef),
        (status = 409, description = "A ticket's first message cannot be split off")))]
async fn api_split(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let id = path_id(&raw, "message")?;
    let ticket = merge::split(&state.db, &agent, id, state.now()).await?;
    Ok((StatusCode::CREATED, Json(TicketRef { ticket_id: ticket })).into_response())
}

#[derive(Deserialize)]
struct MergeForm {
    csrf: Option<String>,
    into: Option<String>,
}

async fn ui_merge(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<MergeForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let attempt = async {
        let into = ticket_number("into", f.into.as_deref().unwrap_or(""))?;
        let window = undo_window_ms(&state);
        merge::merge(&state.db, &agent, id, into, window, state.now()).await
    };
    match attempt.await {
        Ok(m) => Ok(Redirect::to(&format!("/tickets/{}", m.target_id)).into_response()),
        // A refusal the agent can act on (a number that is no ticket, the ticket itself, one of
        // another customer): the page again with the reason under the field.
        Err(AppError::Conflict(why)) => {
            super::ui::invalid(&state, &agent, &csrf, id, AppError::field("into", why)).await
        }
        Err(AppError::NotFound(_)) => {
            let err = AppError::field("into", t!("merge-error-not-a-ticket"));
            super::ui::invalid(&state, &agent, &csrf, id, err).await
        }
        Err(err) => super::ui::invalid(&state, &agent, &csrf, id, err).await,
    }
}

async fn ui_unmerge(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let Some((merge_id, _, _)) = merge::undoable(&state.db, id, state.now()).await? else {
        return Err(AppError::Conflict(t!("merge-error-undo-expired")).into());
    };
    merge::undo(&state.db, &agent, merge_id, state.now()).await?;
    Ok(Redirect::to(&format!("/tickets/{id}")).into_response())
}

async fn ui_split(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let new = merge::split(&state.db, &agent, id, state.now()).await?;
    Ok(Redirect::to(&format!("/tickets/{new}")).into_response())
}

/// The Merge card: on a merged ticket, where it went and Undo while the window lasts; on any
/// other, the field to merge it into another ticket.
pub async fn panel(
    state: &AppState,
    csrf: &str,
    ticket: &tickets::Ticket,
    errors: &[(String, String)],
) -> AppResult<Markup> {
    let now = state.now();
    let undo = match ticket.merged_into_id {
        Some(_) => merge::undoable(&state.db, ticket.id, now).await?,
        None => None,
    };
    Ok(html! {
        section.card #merge {
            h2 { (t!("merge-title")) }
            @if let Some(into) = ticket.merged_into_id {
                p { (crate::web::views::assign::with_link(&t!("merge-merged-into", link = crate::web::views::assign::LINK), &format!("/tickets/{into}"), &format!("#{into}"))) }
                @if let Some((_, _, until)) = undo {
                    form method="post" action={"/tickets/" (ticket.id) "/unmerge"} {
                        input type="hidden" name="csrf" value=(csrf);
                        button.small type="submit" { (t!("merge-undo")) }
                        " " span.muted.small { (crate::web::views::assign::splice(&t!("merge-undo-until", time = crate::web::views::assign::LINK), crate::web::views::layout::time(until))) }
                    }
                }
            } @else {
                form method="post" action={"/tickets/" (ticket.id) "/merge"} {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="merge-into" { (t!("merge-into-label")) }
                    input #merge-into name="into" inputmode="numeric" size="8" placeholder=(t!("merge-into-placeholder"));
                    (field_error(errors, "into"))
                    button.small type="submit" { (t!("merge-button")) }
                    p.muted.small { (t!("merge-help")) }
                }
            }
        }
    })
}
