//! Saved views over HTTP: saving a list as a view and deleting one (the queue page's forms), and
//! `GET/POST /api/v1/views`, `DELETE /api/v1/views/{id}`, `GET /api/v1/views/{id}/tickets`.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tickets::views::{self, ViewFilters};
use crate::web::PageResult;
use crate::web::extract::{ApiAgent, ApiJson, CsrfOnly, CurrentAgent, path_id, verify_csrf};
use crate::web::form::RepeatedFields;
use crate::web::openapi::ApiRouter;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

pub fn ui_routes() -> Router<AppState> {
    Router::new()
        .route("/views", post(ui_create))
        .route("/views/{id}/delete", post(ui_delete))
}

/// Merged into /api/v1.
pub fn api_routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_delete))
        .routes(routes!(api_tickets))
}

#[derive(Serialize, ToSchema)]
struct ViewCount {
    view: views::SavedView,
    /// Tickets in it (up to 200); `null` when counting took over 10 s (the next call has it).
    count: Option<i64>,
    /// More than `count`.
    count_is_lower_bound: bool,
}

#[derive(Serialize, ToSchema)]
struct ViewList {
    items: Vec<ViewCount>,
}

#[derive(Serialize, ToSchema)]
struct ViewOut {
    view: views::SavedView,
}

#[derive(Serialize, ToSchema)]
struct ViewTickets {
    view: views::SavedView,
    items: Vec<crate::tickets::Ticket>,
    next_cursor: Option<String>,
}

/// The "Save as a view" form's fields (`columns` repeats, one per ticked column).
struct ViewForm(RepeatedFields);

impl ViewForm {
    fn get(&self, k: &str) -> Option<String> {
        self.0.get(k).map(str::to_string)
    }

    fn number(&self, field: &str, key: &str) -> AppResult<Option<i64>> {
        self.0
            .number(key, &format!("filters.{field}"), &t!("views-error-number"))
    }

    fn filters(&self) -> AppResult<ViewFilters> {
        let vip = match self.get("vip").as_deref().map(str::trim) {
            None | Some("") => None,
            Some("yes") => Some(true),
            Some("no") => Some(false),
            Some(_) => return Err(AppError::field("filters.vip", t!("views-error-yes-no"))),
        };
        Ok(ViewFilters {
            queue: self.get("queue"),
            status: self.get("status"),
            priority: self.get("priority"),
            assignee: self.get("assignee"),
            team_id: self.number("team_id", "team")?,
            tag: self.get("tag"),
            channel: self.get("channel"),
            idle_hours: self.number("idle_hours", "idle_hours")?,
            waiting_hours: self.number("waiting_hours", "waiting_hours")?,
            plan: self.get("plan"),
            segment: self.get("segment"),
            vip,
            sla: self.get("sla"),
            sort: self.get("sort"),
            columns: self.0.all("columns").map(str::to_string).collect(),
        })
    }
}

async fn ui_create(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> PageResult<Response> {
    let f = ViewForm(RepeatedFields::parse(&body));
    verify_csrf(&headers, f.get("csrf").as_deref())?;
    let filters = f.filters()?;
    // "shared": "" (own), "all" (everyone) or a team id (its members).
    let (shared, team_id) = match f.get("shared").as_deref().map(str::trim) {
        None | Some("") => (false, None),
        Some("all" | "1") => (true, None),
        Some(_) => (
            true,
            Some(f.number("team_id", "shared")?.unwrap_or_default()),
        ),
    };
    let name = f.get("name").unwrap_or_default();
    let view = views::create(
        &state.db,
        &agent,
        &name,
        filters,
        shared,
        team_id,
        state.now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/tickets?saved_view={}", view.id)).into_response())
}

async fn ui_delete(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    views::delete(&state.db, &agent, id).await?;
    Ok(Redirect::to("/tickets").into_response())
}

#[utoipa::path(get, path = "/views", tag = "views",
    responses((status = 200, description = "The caller's views and the shared ones, with counts", body = ViewList)))]
async fn api_list(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
) -> AppResult<Json<ViewList>> {
    let now = state.now();
    let list = views::list_for(&state.db, &agent).await?;
    // Counted at most every few seconds; a count that takes longer than 10 s is `null` (counting
    // goes on, and the next call has it).
    let wait = std::time::Duration::from_secs(10);
    let counts = state
        .view_counts
        .counts(&state.db, &agent, &list, now, wait)
        .await;
    let mut items = Vec::new();
    for (v, count) in list.into_iter().zip(counts) {
        let (n, more) = match count {
            Some((n, more)) => (Some(n), more),
            None => (None, false),
        };
        items.push(ViewCount {
            view: v,
            count: n,
            count_is_lower_bound: more,
        });
    }
    Ok(Json(ViewList { items }))
}

/// A new saved view (`name` is required).
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct NewView {
    name: Option<String>,
    /// Shared with others (leads and admins).
    #[serde(default)]
    shared: bool,
    /// Shared with this team's members only.
    team_id: Option<i64>,
    filters: Option<ViewFilters>,
}

#[utoipa::path(post, path = "/views", tag = "views", request_body = NewView,
    responses((status = 201, description = "Created", body = ViewOut),
        (status = 403, description = "Only leads and admins share views")))]
async fn api_create(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(body): ApiJson<NewView>,
) -> AppResult<Response> {
    let v = views::create(
        &state.db,
        &agent,
        body.name.as_deref().unwrap_or(""),
        body.filters.unwrap_or_default(),
        body.shared,
        body.team_id,
        state.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ViewOut { view: v })).into_response())
}

#[utoipa::path(delete, path = "/views/{id}", tag = "views",
    params(("id" = i64, Path, description = "View id")),
    responses((status = 204, description = "Deleted"),
        (status = 403, description = "A shared view only its owner or an admin deletes")))]
async fn api_delete(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    views::delete(&state.db, &agent, path_id(&raw, "view")?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Page {
    /// `next_cursor` of the previous page.
    #[param(value_type = Option<i64>)]
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/views/{id}/tickets", tag = "views",
    params(("id" = i64, Path, description = "View id"), Page),
    responses((status = 200, description = "The view's tickets, paged like `GET /tickets`", body = ViewTickets)))]
async fn api_tickets(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    p: Result<Query<Page>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<ViewTickets>> {
    let Query(p) = p.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let v = views::get(&state.db, &agent, path_id(&raw, "view")?).await?;
    let mut f = v.filters.list_filter(&agent, state.now());
    f.before_id = super::page_cursor(p.cursor.as_deref())?;
    let (items, next) = crate::tickets::list_tickets(&state.db, agent.id, &f).await?;
    Ok(Json(ViewTickets {
        view: v,
        items,
        next_cursor: next.map(|n| n.to_string()),
    }))
}
