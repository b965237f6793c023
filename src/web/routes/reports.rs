//! Reports: the `/reports` dashboard and report pages with CSV downloads (leads and admins), the
//! JSON/CSV API `GET /api/v1/reports/{name}`, and the customer's CSAT rating page
//! `/t/{token}/rate`.

use crate::error::{AppError, AppResult};
use crate::reports::{self, RawParams, Table, csat};
use crate::state::AppState;
use crate::tickets;
use crate::web::extract::{ApiAgent, CsrfToken, CurrentAgent, verify_csrf};
use crate::web::openapi::ApiRouter;
use crate::web::views::reports as views;
use crate::web::{PageError, PageResult};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use utoipa_axum::routes;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(dashboard))
        .route("/reports/{name}", get(report_page))
        .route("/reports/{name}/csv", get(report_csv))
        .route("/t/{token}/rate", get(rate_link).post(rate_form))
}

fn params(state: &AppState, raw: &RawParams) -> AppResult<reports::Params> {
    reports::parse_params(raw, &state.config.report_time_zone, state.now())
}

async fn dashboard(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Query(raw): Query<RawParams>,
) -> PageResult<Response> {
    agent.require_lead()?;
    let p = params(&state, &raw)?;
    let run = |name: &'static str| reports::run(&state, name, &p, &agent);
    // The dashboard's reports are independent: run them side by side.
    let (summary, volume, distribution, backlog, tags, terms, sla_trend, agents) = tokio::try_join!(
        run("summary"),
        run("volume"),
        run("resolution-distribution"),
        run("backlog-age"),
        run("top-tags"),
        run("top-terms"),
        run("sla-trend"),
        run("agents"),
    )?;
    let data = views::Dashboard {
        summary,
        volume,
        distribution,
        backlog,
        tags,
        terms,
        sla_trend,
        agents,
        teams: reports::teams(&state.db).await?,
    };
    Ok(views::dashboard(&agent, &csrf, &p, &raw, &data).into_response())
}

async fn report_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Path(name): Path<String>,
    Query(raw): Query<RawParams>,
) -> PageResult<Response> {
    agent.require_lead()?;
    reports::title(&name).ok_or(AppError::NotFound("report"))?;
    let p = params(&state, &raw)?;
    let table = reports::run(&state, &name, &p, &agent).await?;
    let teams = reports::teams(&state.db).await?;
    let title = reports::title_text(&name);
    Ok(views::report_page(&agent, &csrf, &name, &title, &p, &raw, &teams, &table).into_response())
}

fn csv_response(name: &str, table: &Table) -> Response {
    let mut resp = table.to_csv().into_response();
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.csv\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

async fn report_csv(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    Path(name): Path<String>,
    Query(raw): Query<RawParams>,
) -> PageResult<Response> {
    agent.require_lead()?;
    reports::title(&name).ok_or(AppError::NotFound("report"))?;
    let p = params(&state, &raw)?;
    let table = reports::run(&state, &name, &p, &agent).await?;
    Ok(csv_response(&name, &table))
}

/// `GET /api/v1/reports/{name}?from=&to=&team=`: JSON, or CSV with `Accept: text/csv`.
/// Merged into /api/v1.
pub fn api_routes() -> ApiRouter {
    ApiRouter::new().routes(routes!(api_report))
}

#[utoipa::path(get, path = "/reports/{name}", tag = "reports",
    params(("name" = String, Path, description = "The report",
            pattern = "^(summary|response-times|volume|backlog-age|resolution-distribution|top-tags|top-terms|csat|agents|churn|churn-ltv|churn-customers|sla|sla-trend|sla-breaches|tickets)$"),
        RawParams,
        ("Accept" = Option<String>, Header, description = "`text/csv` for CSV")),
    responses((status = 200, description = "The report: JSON, or CSV with `Accept: text/csv`",
        content(
            (reports::ReportJson = "application/json"),
            (String = "text/csv"),
        )),
        (status = 403, description = "Leads and admins only (some reports)")))]
pub async fn api_report(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(raw): Query<RawParams>,
) -> AppResult<Response> {
    reports::title(&name).ok_or(AppError::NotFound("report"))?;
    let p = params(&state, &raw)?;
    let table = reports::run(&state, &name, &p, &agent).await?;
    let wants_csv = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"));
    Ok(if wants_csv {
        csv_response(&name, &table)
    } else {
        axum::Json(table.to_json(&name, &p)).into_response()
    })
}

fn link_error(err: AppError) -> PageError {
    match err {
        AppError::NotFound(_) => PageError(AppError::NotFound(
            "this rating link is not valid or has expired; ticket link",
        )),
        other => PageError(other),
    }
}

#[derive(Deserialize)]
struct RateQuery {
    r: Option<String>,
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// The link from the solve email and the ticket page: `?r=good|bad` shows that choice ready to
/// save with one click (and a comment box); without `r`, the two choices. A GET never records a
/// rating: mail scanners follow links, people press buttons.
async fn rate_link(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
    Query(q): Query<RateQuery>,
) -> PageResult<Response> {
    let now = state.now();
    let ticket_id = tickets::repo::ticket_for_link(&state.db, &token, now)
        .await
        .map_err(link_error)?;
    let proposed = match q.r.as_deref() {
        Some(r) => Some(
            csat::Rating::parse(r)
                .ok_or_else(|| AppError::field("r", t!("reports-rate-error-choice")))?,
        ),
        None => None,
    };
    let ticket = tickets::get_ticket(&state.db, ticket_id).await?;
    if proposed.is_some() && !matches!(ticket.status.as_str(), "solved" | "closed") {
        return Err(AppError::Conflict(t!("reports-rate-error-not-solved")).into());
    }
    let given = csat::current(&state.db, ticket_id).await?;
    Ok(no_store(
        views::rate_page(
            &csrf,
            &token,
            &ticket,
            given.as_ref(),
            views::RateStep::Choosing(proposed),
        )
        .into_response(),
    ))
}

#[derive(Deserialize)]
struct RateForm {
    csrf: Option<String>,
    rating: Option<String>,
    comment: Option<String>,
}

async fn rate_form(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(f): Form<RateForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let now = state.now();
    let ticket_id = tickets::repo::ticket_for_link(&state.db, &token, now)
        .await
        .map_err(link_error)?;
    let rating = f
        .rating
        .as_deref()
        .and_then(csat::Rating::parse)
        .ok_or_else(|| AppError::field("rating", t!("reports-rate-error-choice")))?;
    csat::rate(
        &state.db,
        ticket_id,
        rating,
        Some(f.comment.as_deref().unwrap_or("")),
        now,
    )
    .await?;
    let ticket = tickets::get_ticket(&state.db, ticket_id).await?;
    let given = csat::current(&state.db, ticket_id).await?;
    Ok(no_store(
        (
            StatusCode::OK,
            views::rate_page(
                &csrf,
                &token,
                &ticket,
                given.as_ref(),
                views::RateStep::Saved,
            ),
        )
            .into_response(),
    ))
}
