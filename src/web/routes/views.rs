//! Saved views over HTTP: saving a list as a view and deleting one (the queue page's forms), and
//! `GET/POST /api/v1/views`, `DELETE /api/v1/views/{id}`, `GET /api/v1/views/{id}/tickets`.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tickets::views::{self, ViewFilters};
use crate::web::PageResult;
use crate::web::extract::{ApiAgent, ApiJson, CsrfOnly, CurrentAgent, path_id, verify_csrf};
use crate::web::form::RepeatedFields;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn ui_routes() -> Router<AppState> {
    Router::new()
        .route("/views", post(ui_create))
        .route("/views/{id}/delete", post(ui_delete))
}

/// Merged into /api/v1.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/views", get(api_list).post(api_create))
        .route("/views/{id}", axum::routing::delete(api_delete))
        .route("/views/{id}/tickets", get(api_tickets))
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

async fn api_list(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
) -> AppResult<Json<Value>> {
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
        items.push(json!({"view": v, "count": n, "count_is_lower_bound": more}));
    }
    Ok(Json(json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewView {
    name: Option<String>,
    #[serde(default)]
    shared: bool,
    /// Shared with this team's members only.
    team_id: Option<i64>,
    filters: Option<ViewFilters>,
}

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
    Ok((StatusCode::CREATED, Json(json!({ "view": v }))).into_response())
}

async fn api_delete(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    views::delete(&state.db, &agent, path_id(&raw, "view")?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct Page {
    cursor: Option<String>,
}

async fn api_tickets(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    Query(p): Query<Page>,
) -> AppResult<Json<Value>> {
    let v = views::get(&state.db, &agent, path_id(&raw, "view")?).await?;
    let mut f = v.filters.list_filter(&agent, state.now());
    f.before_id = super::page_cursor(p.cursor.as_deref())?;
    let (items, next) = crate::tickets::list_tickets(&state.db, agent.id, &f).await?;
    Ok(Json(
        json!({"view": v, "items": items, "next_cursor": next.map(|n| n.to_string())}),
    ))
}
