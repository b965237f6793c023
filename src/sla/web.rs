//! SLA over HTTP: the API for calendars, policies, a ticket's clocks, escalation and
//! notifications; the admin page; the SLA panel of the ticket page; the leads' stale view with
//! bulk actions; the agent's notifications.

use super::SlaState;
use super::leads::{self, Escalation, StaleTicket};
use super::plan::Metric;
use super::store::{self, CalendarInput, DAYS, PolicyInput, TargetMinutes};
use crate::auth::AgentRef;
use crate::domain::Priority;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tickets::{self, TicketPatch};
use crate::web::PageResult;
use crate::web::extract::{ApiAgent, ApiJson, CsrfToken, CurrentAgent, path_id, verify_csrf};
use crate::web::views::layout::{Frame, ago, badge, field_error, page, time};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

// ---------------------------------------------------------------------------------------------
// API (merged into /api/v1)

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/sla/calendars",
            get(api_calendars).post(api_create_calendar),
        )
        .route(
            "/sla/calendars/{id}",
            get(api_calendar).put(api_update_calendar),
        )
        .route("/sla/policies", get(api_policies).post(api_create_policy))
        .route("/sla/policies/{id}", get(api_policy).put(api_update_policy))
        .route("/tickets/{id}/sla", get(api_ticket_sla))
        .route("/tickets/{id}/escalate", post(api_escalate))
        .route("/notifications", get(api_notifications))
}

async fn api_calendars(
    State(state): State<AppState>,
    ApiAgent(_a): ApiAgent,
) -> AppResult<Json<Value>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(
        json!({"items": store::list_calendars(&mut conn).await?}),
    ))
}

async fn api_calendar(
    State(state): State<AppState>,
    ApiAgent(_a): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<Value>> {
    let id = path_id(&raw, "calendar")?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(
        json!({"calendar": store::get_calendar(&mut conn, id).await?}),
    ))
}

async fn save_calendar(
    state: &AppState,
    id: Option<i64>,
    input: &CalendarInput,
) -> AppResult<store::Calendar> {
    let now = state.now();
    let id = {
        let mut tx = state.db.begin().await?;
        let id = store::save_calendar(&mut tx, id, input, now).await?;
        tx.commit().await?;
        id
    };
    store::refresh_active(&state.db, now).await?;
    let mut conn = state.db.pool.acquire().await?;
    store::get_calendar(&mut conn, id).await
}

async fn api_create_calendar(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(input): ApiJson<CalendarInput>,
) -> AppResult<Response> {
    agent.require_admin()?;
    let cal = save_calendar(&state, None, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({"calendar": cal}))).into_response())
}

async fn api_update_calendar(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<CalendarInput>,
) -> AppResult<Json<Value>> {
    agent.require_admin()?;
    let id = path_id(&raw, "calendar")?;
    let cal = save_calendar(&state, Some(id), &input).await?;
    Ok(Json(json!({"calendar": cal})))
}

async fn api_policies(
    State(state): State<AppState>,
    ApiAgent(_a): ApiAgent,
) -> AppResult<Json<Value>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(
        json!({"items": store::list_policies(&mut conn).await?}),
    ))
}

async fn api_policy(
    State(state): State<AppState>,
    ApiAgent(_a): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<Value>> {
    let id = path_id(&raw, "policy")?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(
        json!({"policy": store::get_policy(&mut conn, id).await?}),
    ))
}

async fn save_policy(
    state: &AppState,
    id: Option<i64>,
    input: &PolicyInput,
) -> AppResult<store::Policy> {
    let now = state.now();
    let id = {
        let mut tx = state.db.begin().await?;
        let id = store::save_policy(&mut tx, id, input, now).await?;
        tx.commit().await?;
        id
    };
    // A changed policy applies to open tickets at once: their clocks are recomputed.
    store::refresh_active(&state.db, now).await?;
    let mut conn = state.db.pool.acquire().await?;
    store::get_policy(&mut conn, id).await
}

async fn api_create_policy(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(input): ApiJson<PolicyInput>,
) -> AppResult<Response> {
    agent.require_admin()?;
    let policy = save_policy(&state, None, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({"policy": policy}))).into_response())
}

async fn api_update_policy(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<PolicyInput>,
) -> AppResult<Json<Value>> {
    agent.require_admin()?;
    let id = path_id(&raw, "policy")?;
    let policy = save_policy(&state, Some(id), &input).await?;
    Ok(Json(json!({"policy": policy})))
}

/// One clock as the API and the ticket page show it.
#[derive(Debug, Clone, Serialize)]
pub struct ClockView {
    pub metric: Metric,
    pub cycle: i64,
    pub state: SlaState,
    pub started_at: i64,
    pub due_at: Option<i64>,
    pub warn_at: Option<i64>,
    pub met_at: Option<i64>,
    pub breached_at: Option<i64>,
    pub remaining_business_ms: i64,
    pub elapsed_business_ms: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Escalated {
    pub metric: String,
    pub cycle: i64,
    pub stage: String,
    pub scheduled_at: i64,
    pub fired_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TicketSla {
    pub policy: Option<Value>,
    pub clocks: Vec<ClockView>,
    pub escalations: Vec<Escalated>,
}

/// A ticket's clocks read live at `now` (only the latest next-response cycle and unmet or
/// recent clocks are interesting to people; all are returned).
pub async fn ticket_sla(state: &AppState, ticket_id: i64) -> AppResult<TicketSla> {
    use sqlx::Row;
    let mut conn = state.db.pool.acquire().await?;
    let now = state.now();
    let eval = store::evaluate(&mut conn, ticket_id, now).await?;
    let rows = sqlx::query(
        "SELECT metric, cycle, stage, scheduled_at, fired_at FROM sla_escalation WHERE ticket_id = $1
         ORDER BY sla_escalation_id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut escalations = Vec::with_capacity(rows.len());
    for r in &rows {
        escalations.push(Escalated {
            metric: r.try_get("metric")?,
            cycle: r.try_get("cycle")?,
            stage: r.try_get("stage")?,
            scheduled_at: r.try_get("scheduled_at")?,
            fired_at: r.try_get("fired_at")?,
        });
    }
    let Some(eval) = eval else {
        return Ok(TicketSla {
            policy: None,
            clocks: Vec::new(),
            escalations,
        });
    };
    let clocks = eval
        .clocks
        .iter()
        .map(|c| ClockView {
            metric: c.metric,
            cycle: c.cycle,
            state: c.reading.state,
            started_at: c.started_at,
            due_at: c.reading.due_at,
            warn_at: c.reading.warning_at,
            met_at: c.met_at,
            breached_at: c.breached_at(),
            remaining_business_ms: c.reading.remaining_business_ms,
            elapsed_business_ms: c.reading.elapsed_business_ms,
        })
        .collect();
    Ok(TicketSla {
        policy: Some(
            json!({"id": eval.policy.id, "name": eval.policy.name, "calendar": eval.calendar.name}),
        ),
        clocks,
        escalations,
    })
}

async fn api_ticket_sla(
    State(state): State<AppState>,
    ApiAgent(_a): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<Value>> {
    let id = path_id(&raw, "ticket")?;
    Ok(Json(json!({"sla": ticket_sla(&state, id).await?})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EscalateIn {
    reason: Option<String>,
    assignee_id: Option<i64>,
    raise_priority: Option<bool>,
}

async fn api_escalate(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<EscalateIn>,
) -> AppResult<Json<Value>> {
    agent.require_lead()?;
    let id = path_id(&raw, "ticket")?;
    let e = Escalation {
        reason: body.reason.unwrap_or_default(),
        assignee_id: body.assignee_id,
        raise_priority: body.raise_priority.unwrap_or(false),
    };
    leads::escalate(&state.db, &agent, id, &e, state.now()).await?;
    Ok(Json(
        json!({"ticket": tickets::get_ticket(&state.db, id).await?}),
    ))
}

async fn api_notifications(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
) -> AppResult<Json<Value>> {
    let items = store::notifications(&state.db, agent.id, 200).await?;
    let unread = store::unread_count(&state.db, agent.id).await?;
    Ok(Json(json!({"items": items, "unread": unread})))
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
        .route("/tickets/bulk", post(ui_bulk))
        .route("/notifications", get(notifications_page))
        .route("/notifications/read", post(notifications_read))
}

/// "2 h 05 min", "-40 min" (overdue) of business time.
pub fn business_duration(ms: i64) -> String {
    let sign = if ms < 0 { "−" } else { "" };
    let mins = ms.abs() / 60_000;
    match mins {
        m if m < 60 => format!("{sign}{m} min"),
        m if m < 60 * 48 => format!("{sign}{} h {:02} min", m / 60, m % 60),
        m => format!("{sign}{} d {} h", m / (60 * 24), (m / 60) % 24),
    }
}

fn state_label(s: SlaState) -> &'static str {
    match s {
        SlaState::OnTrack => "on track",
        SlaState::Warning => "warning",
        SlaState::Breached => "breached",
        SlaState::Met => "met",
        SlaState::Paused => "paused",
    }
}

/// The SLA card of the ticket page: each clock, and the Escalate form for leads.
pub async fn ticket_panel(
    state: &AppState,
    agent: &AgentRef,
    csrf: &str,
    ticket_id: i64,
    agents: &[AgentRef],
) -> AppResult<Markup> {
    let sla = ticket_sla(state, ticket_id).await?;
    // Older met next-response cycles are history; show the latest cycle only.
    let last_cycle = sla
        .clocks
        .iter()
        .filter(|c| c.metric == Metric::NextResponse)
        .map(|c| c.cycle)
        .max();
    let shown: Vec<&ClockView> = sla
        .clocks
        .iter()
        .filter(|c| c.metric != Metric::NextResponse || Some(c.cycle) == last_cycle)
        .collect();
    Ok(html! {
        section.card.sla aria-label="SLA" {
            h2 { "SLA" }
            @match &sla.policy {
                None => p.muted { "No SLA policy applies to this ticket." },
                Some(p) => p.muted.small { "Policy " (p["name"].as_str().unwrap_or("")) " · " "calendar " (p["calendar"].as_str().unwrap_or("")) },
            }
            @if !shown.is_empty() {
                ul.plain.sla-clocks {
                    @for c in &shown {
                        li data-sla-state=(c.state.as_str()) {
                            strong { (c.metric.label()) }
                            @if c.metric == Metric::NextResponse { " #" (c.cycle) }
                            " " span class={"badge sla-" (c.state.as_str())} { (state_label(c.state)) }
                            br;
                            @match (c.state, c.met_at, c.due_at) {
                                (SlaState::Met, Some(m), _) => { span.small { "met " (time(m)) } },
                                (SlaState::Breached, Some(m), Some(d)) => { span.small { "met late " (time(m)) " (due " (time(d)) ")" } },
                                (SlaState::Paused, _, _) => { span.small { (business_duration(c.remaining_business_ms)) " left · waiting on the customer" } },
                                (_, _, Some(d)) => {
                                    span.small {
                                        "due " (time(d)) " · "
                                        @if c.remaining_business_ms >= 0 { (business_duration(c.remaining_business_ms)) " business time left" }
                                        @else { (business_duration(-c.remaining_business_ms)) " overdue" }
                                    }
                                },
                                _ => {},
                            }
                        }
                    }
                }
            }
            @if agent.role.is_lead_or_admin() {
                details.escalate {
                    summary { "Escalate" }
                    form method="post" action={"/tickets/" (ticket_id) "/escalate"} {
                        input type="hidden" name="csrf" value=(csrf);
                        label for="esc-reason" { "Reason" }
                        textarea #esc-reason name="reason" rows="2" required {}
                        label for="esc-assignee" { "Hand to" }
                        select #esc-assignee name="assignee_id" {
                            option value="" { "(keep assignee; notify the team lead)" }
                            @for a in agents { option value=(a.id) { (a.name) } }
                        }
                        label { input type="checkbox" name="raise_priority" value="1" checked; " Raise priority one step" }
                        button type="submit" { "Escalate" }
                    }
                }
            }
        }
    })
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
                .map_err(|_| AppError::field("assignee_id", "is not an agent id"))?,
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
            .ok_or_else(|| AppError::field(field, "must be a whole number from 1 to 10000")),
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
    let table = |rows: &[StaleTicket], caption: &str| -> Markup {
        html! {
            h2 { (caption) " " span.count { (rows.len()) } }
            @if rows.is_empty() { p.empty { "Nothing here." } } @else {
                table.tickets {
                    thead { tr { th {} th { "#" } th { "Subject" } th { "Status" } th { "Priority" } th { "Assignee" } th { "SLA due" } th { "Last agent activity" } } }
                    tbody {
                        @for t in rows {
                            tr {
                                td { input type="checkbox" name="ticket_id" value=(t.id) form="bulk" aria-label={"Select #" (t.id)}; }
                                td { a href={"/tickets/" (t.id)} { (t.id) } }
                                td.subject dir="auto" { a href={"/tickets/" (t.id)} { (t.subject) } }
                                td { (badge("status", t.status.as_str())) }
                                td { (badge("priority", t.priority.as_str())) }
                                td { (t.assignee_name.as_deref().unwrap_or("—")) }
                                td { (due_cell(now, t.due_at)) }
                                td { (ago(now, t.last_agent_at)) }
                            }
                        }
                    }
                }
            }
        }
    };
    let body = html! {
        section {
            h1 { "Stale & breaching" }
            form.row method="get" action="/tickets" {
                input type="hidden" name="view" value="stale";
                label for="idle_hours" { "No agent activity for (business hours)" }
                input #idle_hours type="number" min="1" name="idle_hours" value=(idle_hours);
                label for="unassigned_minutes" { "Unassigned for (business minutes)" }
                input #unassigned_minutes type="number" min="1" name="unassigned_minutes" value=(unassigned_minutes);
                button type="submit" { "Apply" }
            }
            form #bulk.row method="post" action="/tickets/bulk" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="back" value={"/tickets?view=stale&idle_hours=" (idle_hours) "&unassigned_minutes=" (unassigned_minutes)};
                label for="bulk-assignee" { "Selected: assign to" }
                select #bulk-assignee name="assignee_id" {
                    option value="" { "(no change)" }
                    option value="none" { "Unassigned" }
                    @for a in &agents { option value=(a.id) { (a.name) } }
                }
                label for="bulk-priority" { "priority" }
                select #bulk-priority name="priority" {
                    option value="" { "(no change)" }
                    @for p in Priority::ALL { option value=(p.as_str()) { (p.as_str()) } }
                }
                button type="submit" { "Apply to selected" }
            }
            (table(&view.by_breach, "By breach time"))
            (table(&view.idle, &format!("No agent activity for {idle_hours} business hours")))
            (table(&view.unassigned, &format!("Unassigned for {unassigned_minutes} business minutes")))
        }
    };
    Ok(page(
        &Frame {
            title: "Stale & breaching",
            agent: Some(agent),
            csrf,
        },
        body,
    )
    .into_response())
}

/// Bulk reassign / change priority from the leads' view. Repeated `ticket_id` fields.
async fn ui_bulk(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> PageResult<Response> {
    let mut fields: Vec<(String, String)> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone());
    verify_csrf(&headers, get("csrf").as_deref())?;
    agent.require_lead()?;
    let assignee_id = match get("assignee_id").as_deref().map(str::trim) {
        None | Some("") => None,
        Some("none") => Some(None),
        Some(s) => {
            Some(Some(s.parse::<i64>().map_err(|_| {
                AppError::field("assignee_id", "is not an agent id")
            })?))
        }
    };
    let priority = match get("priority").as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(
            s.parse::<Priority>()
                .map_err(|e| AppError::field("priority", e))?,
        ),
    };
    let back = get("back")
        .filter(|b| b.starts_with("/tickets"))
        .unwrap_or_else(|| "/tickets?view=stale".into());
    fields.retain(|(k, _)| k == "ticket_id");
    let now = state.now();
    for (_, v) in &fields {
        let id = v
            .parse::<i64>()
            .map_err(|_| AppError::field("ticket_id", "is not a ticket id"))?;
        let patch = TicketPatch {
            priority,
            assignee_id,
            ..Default::default()
        };
        tickets::update_ticket(&state.db, &agent, id, patch, now).await?;
    }
    state.outbox_wakeup.notify_one();
    Ok(Redirect::to(&back).into_response())
}

async fn notifications_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
) -> PageResult<Response> {
    let items = store::notifications(&state.db, agent.id, 100).await?;
    let now = state.now();
    let unread = items.iter().filter(|n| n.read_at.is_none()).count();
    Ok(page(
        &Frame {
            title: "Notifications",
            agent: Some(&agent),
            csrf: &csrf,
        },
        html! {
            section {
                h1 { "Notifications " span.count { (unread) " unread" } }
                @if unread > 0 {
                    form method="post" action="/notifications/read" {
                        input type="hidden" name="csrf" value=(csrf);
                        button.small type="submit" { "Mark all read" }
                    }
                }
                @if items.is_empty() { p.empty { "Nothing yet." } }
                ol.events {
                    @for n in &items {
                        li class=[n.read_at.is_none().then_some("unread")] {
                            span.muted { (ago(now, n.created_at)) " · " }
                            @match n.ticket_id {
                                Some(t) => a href={"/tickets/" (t)} { (n.body) },
                                None => (n.body),
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response())
}

#[derive(Deserialize)]
struct CsrfOnly {
    csrf: Option<String>,
}

async fn notifications_read(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    store::mark_read(&state.db, agent.id, state.now()).await?;
    Ok(Redirect::to("/notifications").into_response())
}

// --- admin page ---

async fn teams(state: &AppState) -> AppResult<Vec<(i64, String)>> {
    use sqlx::Row;
    let rows = sqlx::query("SELECT team_id, name FROM team ORDER BY name")
        .fetch_all(&state.db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("team_id")?, r.try_get("name")?)))
        .collect()
}

async fn render_admin(
    state: &AppState,
    agent: &AgentRef,
    csrf: &str,
    errors: &[(String, String)],
) -> AppResult<Markup> {
    let mut conn = state.db.pool.acquire().await?;
    let calendars = store::list_calendars(&mut conn).await?;
    let policies = store::list_policies(&mut conn).await?;
    drop(conn);
    let teams = teams(state).await?;
    let team_name =
        |id: Option<i64>| id.and_then(|id| teams.iter().find(|t| t.0 == id).map(|t| t.1.clone()));
    let cal_name = |id: i64| {
        calendars
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let mins = |ms: Option<i64>| ms.map(business_duration).unwrap_or_else(|| "—".into());
    Ok(page(
        &Frame {
            title: "SLA",
            agent: Some(agent),
            csrf,
        },
        html! {
            section {
                h1 { "SLA policies" }
                p.muted { "Policies are tried top to bottom; the first whose conditions all hold applies. Targets count business time of the policy's calendar; a ticket pending on the customer pauses its clocks." }
                @if errors.iter().any(|(f, _)| !f.starts_with("cal")) {
                    @for (f, m) in errors { p.flash.error role="alert" { (f) " " (m) } }
                }
                table.tickets {
                    thead { tr { th { "Order" } th { "Name" } th { "Applies to" } th { "Targets (first / next / resolution)" } th { "Escalation" } th { "Active" } th {} } }
                    tbody {
                        @for p in &policies {
                            tr {
                                td { (p.position) }
                                td { (p.name) br; span.muted.small { (cal_name(p.calendar_id)) " hours · warn at " (p.warning_percent) "%" } }
                                td {
                                    @let conds: Vec<String> = [
                                        p.match_priority.map(|x| format!("priority {x}")),
                                        p.match_segment.as_ref().map(|x| format!("segment {x}")),
                                        p.match_plan.as_ref().map(|x| format!("plan {x}")),
                                        team_name(p.match_team_id).map(|x| format!("team {x}")),
                                    ].into_iter().flatten().collect();
                                    @if conds.is_empty() { "every ticket" } @else { (conds.join(", ")) }
                                }
                                td.small {
                                    @for (prio, t) in &p.targets {
                                        (prio) ": " (mins(t.first_response_ms)) " / " (mins(t.next_response_ms)) " / " (mins(t.resolution_ms)) br;
                                    }
                                }
                                td.small {
                                    @if p.notify_assignee_on_warning { "warning → assignee" br; }
                                    @if p.raise_priority_on_breach { "breach → priority +1" br; }
                                    @if p.notify_lead_on_breach { "breach → team lead" br; }
                                    @if let Some(t) = team_name(p.escalation_team_id) { "breach → team " (t) }
                                }
                                td { (if p.active { "yes" } else { "no" }) }
                                td {
                                    form method="post" action={"/admin/sla/policies/" (p.id) "/toggle"} {
                                        input type="hidden" name="csrf" value=(csrf);
                                        button.small type="submit" { (if p.active { "Deactivate" } else { "Activate" }) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { "Add a policy" }
                form method="post" action="/admin/sla/policies" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="p-name" { "Name" } input #p-name name="name" required;
                    (field_error(errors, "name"))
                    label for="p-cal" { "Calendar" }
                    select #p-cal name="calendar_id" { @for c in &calendars { option value=(c.id) { (c.name) } } }
                    (field_error(errors, "calendar_id"))
                    label for="p-pos" { "Order (lower first)" } input #p-pos type="number" name="position" value="100";
                    label for="p-prio" { "Only priority" }
                    select #p-prio name="match_priority" { option value="" { "(any)" } @for pr in Priority::ALL { option value=(pr.as_str()) { (pr.as_str()) } } }
                    label for="p-seg" { "Only customer segment" } input #p-seg name="match_segment" placeholder="e.g. enterprise";
                    label for="p-plan" { "Only customer plan" } input #p-plan name="match_plan" placeholder="e.g. pro";
                    label for="p-team" { "Only team" }
                    select #p-team name="match_team_id" { option value="" { "(any)" } @for (id, n) in &teams { option value=(id) { (n) } } }
                    (field_error(errors, "match_team_id"))
                    table {
                        thead { tr { th { "Priority" } th { "First response (min)" } th { "Next response (min)" } th { "Resolution (min)" } } }
                        tbody {
                            @for pr in Priority::ALL {
                                tr {
                                    td { (pr.as_str()) }
                                    @for m in ["first_response", "next_response", "resolution"] {
                                        td { input type="number" name={(pr.as_str()) "." (m)} aria-label={(pr.as_str()) " " (m)}; }
                                    }
                                }
                            }
                        }
                    }
                    @for (f, m) in errors.iter().filter(|(f, _)| f.starts_with("targets")) { p.field-error role="alert" { (f) " " (m) } }
                    label for="p-warn" { "Warn at (% of the target)" } input #p-warn type="number" name="warning_percent" value="75";
                    (field_error(errors, "warning_percent"))
                    label { input type="checkbox" name="notify_assignee_on_warning" value="1" checked; " At warning, notify the assignee" }
                    label { input type="checkbox" name="raise_priority_on_breach" value="1" checked; " At breach, raise the priority one step" }
                    label { input type="checkbox" name="notify_lead_on_breach" value="1" checked; " At breach, notify the team lead" }
                    label for="p-esc" { "At breach, move to team" }
                    select #p-esc name="escalation_team_id" { option value="" { "(stay)" } @for (id, n) in &teams { option value=(id) { (n) } } }
                    (field_error(errors, "escalation_team_id"))
                    button type="submit" { "Add policy" }
                }
            }
            section.card {
                h2 { "Business calendars" }
                ul.plain {
                    @for c in &calendars {
                        li {
                            strong { (c.name) } " · " (c.time_zone) " · "
                            @for (day, ws) in &c.hours {
                                (day[..3].to_string()) " " @for w in ws { (w[0]) "–" (w[1]) " " }
                            }
                            @if !c.holidays.is_empty() { " · closed " (c.holidays.join(", ")) }
                        }
                    }
                }
                h3 { "Add a calendar" }
                form method="post" action="/admin/sla/calendars" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="c-name" { "Name" } input #c-name name="cal_name" required;
                    (field_error(errors, "cal.name"))
                    label for="c-tz" { "Time zone (IANA, e.g. Europe/Berlin)" } input #c-tz name="time_zone" required value="UTC";
                    (field_error(errors, "cal.time_zone"))
                    @for day in DAYS {
                        label for={"c-" (day)} { (day) " (e.g. 09:00-17:00, or 09:00-12:00, 13:00-17:00; empty = closed)" }
                        input id={"c-" (day)} name=(day) value=(if day == "saturday" || day == "sunday" { "" } else { "09:00-17:00" });
                        (field_error(errors, &format!("cal.hours.{day}")))
                    }
                    (field_error(errors, "cal.hours"))
                    label for="c-hol" { "Holidays (dates, comma separated)" } input #c-hol name="holidays" placeholder="2026-12-25, 2026-12-26";
                    (field_error(errors, "cal.holidays"))
                    button type="submit" { "Add calendar" }
                }
            }
        },
    ))
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
    match save_calendar(&state, None, &input).await {
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
                    .map_err(|_| AppError::field(k, "must be a whole number"))
            })
            .transpose()
    };
    let mut targets = BTreeMap::new();
    for p in Priority::ALL {
        let t = TargetMinutes {
            first_response_minutes: number(&format!("{p}.first_response")).map_err(|_| {
                AppError::field(
                    format!("targets.{p}.first_response_minutes"),
                    "must be a whole number",
                )
            })?,
            next_response_minutes: number(&format!("{p}.next_response")).map_err(|_| {
                AppError::field(
                    format!("targets.{p}.next_response_minutes"),
                    "must be a whole number",
                )
            })?,
            resolution_minutes: number(&format!("{p}.resolution")).map_err(|_| {
                AppError::field(
                    format!("targets.{p}.resolution_minutes"),
                    "must be a whole number",
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
        Ok(input) => save_policy(&state, None, &input).await.map(|_| ()),
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
    let now = state.now();
    let changed = sqlx::query(
        "UPDATE sla_policy SET active = 1 - active, updated_at = $1 WHERE sla_policy_id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(&state.db.pool)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound("policy").into());
    }
    store::refresh_active(&state.db, now).await?;
    Ok(Redirect::to("/admin/sla").into_response())
}

/// The earliest unmet SLA due time of each of `ids` (for queue pages).
pub async fn due_times(db: &crate::db::Db, ids: &[i64]) -> AppResult<HashMap<i64, i64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT ticket_id, MIN(due_at) AS due_at FROM ticket_sla
         WHERE met_at IS NULL AND due_at IS NOT NULL AND ticket_id IN ({}) GROUP BY ticket_id",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(&db.pool).await?.into_iter().collect())
}

/// A queue cell: when the most urgent SLA clock falls due, or how long ago it breached.
pub fn due_cell(now: i64, due: Option<i64>) -> Markup {
    html! {
        @match due {
            Some(d) if d <= now => { span.badge.sla-breached { "breached" } " " (ago(now, d)) },
            Some(d) => (time(d)),
            None => "—",
        }
    }
}
