//! SLA over HTTP: the API for calendars, policies, a ticket's clocks and escalation; the admin
//! page; the SLA panel of the ticket page; the leads' stale view with bulk actions.

use crate::auth::AgentRef;
use crate::domain::Priority;
use crate::error::{AppError, AppResult};
use crate::sla::admin;
use crate::sla::leads::{self, Escalation};
use crate::sla::store::{self, CalendarInput, DAYS, PolicyInput, TargetMinutes};
use crate::state::AppState;
use crate::tickets;
use crate::web::PageResult;
use crate::web::extract::{
    ApiAgent, ApiJson, CsrfOnly, CsrfToken, CurrentAgent, path_id, verify_csrf,
};
use crate::web::openapi::ApiRouter;
use crate::web::views::sla as views;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use maud::Markup;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use utoipa_axum::routes;

// ---------------------------------------------------------------------------------------------
// API (merged into /api/v1)

pub fn api_routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(api_calendars, api_create_calendar))
        .routes(routes!(api_calendar, api_update_calendar))
        .routes(routes!(api_policies, api_create_policy))
        .routes(routes!(api_policy, api_update_policy))
        .routes(routes!(api_ticket_sla))
        .routes(routes!(api_escalate))
}

#[derive(Serialize, ToSchema)]
struct CalendarList {
    items: Vec<store::Calendar>,
}

#[derive(Serialize, ToSchema)]
struct CalendarOut {
    calendar: store::Calendar,
}

#[derive(Serialize, ToSchema)]
struct PolicyList {
    items: Vec<store::Policy>,
}

#[derive(Serialize, ToSchema)]
struct PolicyOut {
    policy: store::Policy,
}

#[derive(Serialize, ToSchema)]
struct TicketSlaOut {
    sla: store::TicketSla,
}

#[derive(Serialize, ToSchema)]
struct EscalatedOut {
    ticket: tickets::Ticket,
}

#[utoipa::path(get, path = "/sla/calendars", tag = "sla",
    responses((status = 200, description = "Business calendars", body = CalendarList)))]
async fn api_calendars(
    State(state): State<AppState>,
    ApiAgent(_a): ApiAgent,
) -> AppResult<Json<CalendarList>> {
    let mut conn = state.db.pool.acquire().await?;
    let items = store::list_calendars(&mut conn).await?;
    Ok(Json(CalendarList { items }))
}

#[utoipa::path(get, path = "/sla/calendars/{id}", tag = "sla",
    params(("id" = i64, Path, description = "Calendar id")),
    responses((status = 200, description = "The calendar", body = CalendarOut)))]
async fn api_calendar(
    State(state): State<AppState>,
    ApiAgent(_a): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<CalendarOut>> {
    let id = path_id(&raw, "calendar")?;
    let mut conn = state.db.pool.acquire().await?;
    let calendar = store::get_calendar(&mut conn, id).await?;
    Ok(Json(CalendarOut { calendar }))
}

#[utoipa::path(post, path = "/sla/calendars", tag = "sla", request_body = CalendarInput,
    responses((status = 201, description = "Created", body = CalendarOut), (status = 403, description = "Admins only"),
        (status = 409, description = "A calendar with that name exists")))]
async fn api_create_calendar(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(input): ApiJson<CalendarInput>,
) -> AppResult<Response> {
    agent.require_admin()?;
    let calendar = admin::save_calendar(&state.db, None, &input, state.now()).await?;
    Ok((StatusCode::CREATED, Json(CalendarOut { calendar })).into_response())
}

#[utoipa::path(put, path = "/sla/calendars/{id}", tag = "sla", request_body = CalendarInput,
    params(("id" = i64, Path, description = "Calendar id")),
    responses((status = 200, description = "Saved", body = CalendarOut), (status = 403, description = "Admins only"),
        (status = 409, description = "A calendar with that name exists")))]
async fn api_update_calendar(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<CalendarInput>,
) -> AppResult<Json<CalendarOut>> {
    agent.require_admin()?;
    let id = path_id(&raw, "calendar")?;
    let calendar = admin::save_calendar(&state.db, Some(id), &input, state.now()).await?;
    Ok(Json(CalendarOut { calendar }))
}

#[utoipa::path(get, path = "/sla/policies", tag = "sla",
    responses((status = 200, description = "SLA policies in order", body = PolicyList)))]
async fn api_policies(
    State(state): State<AppState>,
    ApiAgent(_a): ApiAgent,
) -> AppResult<Json<PolicyList>> {
    let mut conn = state.db.pool.acquire().await?;
    let items = store::list_policies(&mut conn).await?;
    Ok(Json(PolicyList { items }))
}

#[utoipa::path(get, path = "/sla/policies/{id}", tag = "sla",
    params(("id" = i64, Path, description = "Policy id")),
    responses((status = 200, description = "The policy", body = PolicyOut)))]
async fn api_policy(
    State(state): State<AppState>,
    ApiAgent(_a): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<PolicyOut>> {
    let id = path_id(&raw, "policy")?;
    let mut conn = state.db.pool.acquire().await?;
    let policy = store::get_policy(&mut conn, id).await?;
    Ok(Json(PolicyOut { policy }))
}

#[utoipa::path(post, path = "/sla/policies", tag = "sla", request_body = PolicyInput,
    responses((status = 201, description = "Created", body = PolicyOut), (status = 403, description = "Admins only"),
        (status = 409, description = "A policy with that name exists")))]
async fn api_create_policy(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(input): ApiJson<PolicyInput>,
) -> AppResult<Response> {
    agent.require_admin()?;
    let policy = admin::save_policy(&state.db, None, &input, state.now()).await?;
    Ok((StatusCode::CREATED, Json(PolicyOut { policy })).into_response())
}

#[utoipa::path(put, path = "/sla/policies/{id}", tag = "sla", request_body = PolicyInput,
    params(("id" = i64, Path, description = "Policy id")),
    responses((status = 200, description = "Saved", body = PolicyOut), (status = 403, description = "Admins only"),
        (status = 409, description = "A policy with that name exists")))]
async fn api_update_policy(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<PolicyInput>,
) -> AppResult<Json<PolicyOut>> {
    agent.require_admin()?;
    let id = path_id(&raw, "policy")?;
    let policy = admin::save_policy(&state.db, Some(id), &input, state.now()).await?;
    Ok(Json(PolicyOut { policy }))
}

#[utoipa::path(get, path = "/tickets/{id}/sla", tag = "sla",
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, description = "The policy and each clock read now; the escalation steps that fired", body = TicketSlaOut)))]
async fn api_ticket_sla(
    State(state): State<AppState>,
    ApiAgent(_a): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<TicketSlaOut>> {
    let id = path_id(&raw, "ticket")?;
    let sla = store::ticket_sla(&state.db, id, state.now()).await?;
    Ok(Json(TicketSlaOut { sla }))
}

/// A manual escalation (`reason` is required).
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct EscalateIn {
    reason: Option<String>,
    /// Hand the ticket to this agent.
    assignee_id: Option<i64>,
    raise_priority: Option<bool>,
}

#[utoipa::path(post, path = "/tickets/{id}/escalate", tag = "sla", request_body = EscalateIn,
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, description = "Escalated", body = EscalatedOut),
        (status = 403, description = "Leads and admins only"),
        (status = 409, description = "The ticket cannot be escalated now")))]
async fn api_escalate(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<EscalateIn>,
) -> AppResult<Json<EscalatedOut>> {
    agent.require_lead()?;
    let id = path_id(&raw, "ticket")?;
    let e = Escalation {
        reason: body.reason.unwrap_or_default(),
        assignee_id: body.assignee_id,
        raise_priority: body.raise_priority.unwrap_or(false),
    };
    leads::escalate(&state.db, &agent, id, &e, state.now()).await?;
    let ticket = tickets::get_ticket(&state.db, id).await?;
    Ok(Json(EscalatedOut { ticket }))
}

// ---------------------------------------------------------------------------------------------
// Web UI

pub fn ui_routes() -> Router<AppState> {
    Router::new()
        .route("/admin/sla", get(admin_page))
        .route("/admin/sla/calendars", post(admin_add_calendar))
        .route("/admin/sla/policies", post(admin_add_policy))
        .route("/admin/sla/policies/{id}/toggle", post(admin_toggle_policy))
        .route("/tickets/{id}/escalate", post(ui_escalate))
}

/// The SLA card of the ticket page: each clock, and the Escalate form for leads.
pub async fn ticket_panel(
    state: &AppState,
    agent: &AgentRef,
    csrf: &str,
    ticket_id: i64,
    agents: &[AgentRef],
) -> AppResult<Markup> {
    let sla = store::ticket_sla(&state.db, ticket_id, state.now()).await?;
    Ok(views::ticket_panel(agent, csrf, ticket_id, agents, &sla))
}

#[derive(Deserialize)]
struct EscalateForm {
    csrf: Option<String>,
    reason: Option<String>,
    assignee_id: Option<String>,
    raise_priority: Option<String>,
}

async fn ui_escalate(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<EscalateForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    agent.require_lead()?;
    let assignee_id = match f.assignee_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(
            s.parse::<i64>()
                .map_err(|_| AppError::field("assignee_id", t!("sla-error-agent-id")))?,
        ),
    };
    let e = Escalation {
        reason: f.reason.unwrap_or_default(),
        assignee_id,
        raise_priority: f.raise_priority.is_some(),
    };
    leads::escalate(&state.db, &agent, id, &e, state.now()).await?;
    Ok(Redirect::to(&format!("/tickets/{id}")).into_response())
}

#[derive(Deserialize, Default)]
pub struct StaleQuery {
    pub idle_hours: Option<String>,
    pub unassigned_minutes: Option<String>,
}

fn positive(field: &str, v: Option<&str>, default: i64) -> AppResult<i64> {
    match v.map(str::trim) {
        None | Some("") => Ok(default),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or_else(|| {
                AppError::field(
                    field,
                    t!("sla-error-whole-number-range", min = 1, max = 10000),
                )
            }),
    }
}

/// `/tickets?view=stale`: the leads' queue.
pub async fn stale_page(
    state: &AppState,
    agent: &AgentRef,
    csrf: &str,
    q: &StaleQuery,
) -> PageResult<Response> {
    agent.require_lead()?;
    let idle_hours = positive("idle_hours", q.idle_hours.as_deref(), 8)?;
    let unassigned_minutes = positive("unassigned_minutes", q.unassigned_minutes.as_deref(), 60)?;
    let now = state.now();
    let view = leads::stale_view(&state.db, now, idle_hours, unassigned_minutes).await?;
    let agents = crate::auth::list_agents(&state.db).await?;
    let macros = crate::search::replies::with_actions_only(&state.db, agent.id).await?;
    let teams = crate::assign::admin::team_names(&state.db).await?;
    Ok(views::stale_page(agent, csrf, now, &view, &agents, &macros, &teams).into_response())
}

// --- admin page ---

async fn render_admin(
    state: &AppState,
    agent: &AgentRef,
    csrf: &str,
    errors: &[(String, String)],
) -> AppResult<Markup> {
    let settings = admin::overview(&state.db).await?;
    Ok(views::admin_page(agent, csrf, &settings, errors))
}

async fn admin_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
) -> PageResult<Response> {
    agent.require_admin()?;
    Ok(render_admin(&state, &agent, &csrf, &[])
        .await?
        .into_response())
}

async fn admin_error(
    state: &AppState,
    agent: &AgentRef,
    csrf: &str,
    err: AppError,
    prefix: &str,
) -> PageResult<Response> {
    match err {
        AppError::Validation { field, message } => {
            let errors = vec![(format!("{prefix}{field}"), message)];
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render_admin(state, agent, csrf, &errors).await?,
            )
                .into_response())
        }
        other => Err(other.into()),
    }
}

async fn admin_add_calendar(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.get("csrf").map(String::as_str))?;
    agent.require_admin()?;
    let mut hours = BTreeMap::new();
    for day in DAYS {
        let text = f.get(day).map(|s| s.trim()).unwrap_or("");
        if text.is_empty() {
            continue;
        }
        hours.insert(
            day.to_string(),
            text.split(',')
                .map(|w| Value::String(w.trim().to_string()))
                .collect(),
        );
    }
    let input = CalendarInput {
        name: f.get("cal_name").cloned(),
        time_zone: f.get("time_zone").cloned(),
        hours: Some(hours),
        holidays: Some(
            f.get("holidays")
                .map(|h| h.split([',', ' ']).map(str::to_string).collect())
                .unwrap_or_default(),
        ),
    };
    match admin::save_calendar(&state.db, None, &input, state.now()).await {
        Ok(_) => Ok(Redirect::to("/admin/sla").into_response()),
        Err(err) => admin_error(&state, &agent, &csrf, err, "cal.").await,
    }
}

fn form_policy(f: &HashMap<String, String>) -> AppResult<PolicyInput> {
    let text = |k: &str| {
        f.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let number = |k: &str| -> AppResult<Option<i64>> {
        text(k)
            .map(|s| {
                s.parse::<i64>()
                    .map_err(|_| AppError::field(k, t!("sla-error-whole-number")))
            })
            .transpose()
    };
    let mut targets = BTreeMap::new();
    for p in Priority::ALL {
        let t = TargetMinutes {
            first_response_minutes: number(&format!("{p}.first_response")).map_err(|_| {
                AppError::field(
                    format!("targets.{p}.first_response_minutes"),
                    t!("sla-error-whole-number"),
                )
            })?,
            next_response_minutes: number(&format!("{p}.next_response")).map_err(|_| {
                AppError::field(
                    format!("targets.{p}.next_response_minutes"),
                    t!("sla-error-whole-number"),
                )
            })?,
            resolution_minutes: number(&format!("{p}.resolution")).map_err(|_| {
                AppError::field(
                    format!("targets.{p}.resolution_minutes"),
                    t!("sla-error-whole-number"),
                )
            })?,
        };
        targets.insert(p.as_str().to_string(), t);
    }
    Ok(PolicyInput {
        name: text("name"),
        calendar_id: number("calendar_id")?,
        position: number("position")?,
        match_priority: text("match_priority"),
        match_segment: text("match_segment"),
        match_plan: text("match_plan"),
        match_team_id: number("match_team_id")?,
        targets: Some(targets),
        warning_percent: number("warning_percent")?,
        notify_assignee_on_warning: Some(f.contains_key("notify_assignee_on_warning")),
        raise_priority_on_breach: Some(f.contains_key("raise_priority_on_breach")),
        notify_lead_on_breach: Some(f.contains_key("notify_lead_on_breach")),
        escalation_team_id: number("escalation_team_id")?,
        active: Some(true),
    })
}

async fn admin_add_policy(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.get("csrf").map(String::as_str))?;
    agent.require_admin()?;
    let result = match form_policy(&f) {
        Ok(input) => admin::save_policy(&state.db, None, &input, state.now())
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/sla").into_response()),
        Err(err) => admin_error(&state, &agent, &csrf, err, "").await,
    }
}

async fn admin_toggle_policy(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    agent.require_admin()?;
    admin::toggle_policy(&state.db, id, state.now()).await?;
    Ok(Redirect::to("/admin/sla").into_response())
}
