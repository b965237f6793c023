//! Admin pages for assignment (teams, routing rules, agents' routing settings) and the agent's
//! own availability. Forms post and redirect; a validation error re-renders the page with 422.

use super::field_errors;
use crate::assign::admin::{self, AgentPatch, RulePatch, TeamPatch};
use crate::assign::decide::Conditions;
use crate::auth::AgentRef;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::PageResult;
use crate::web::extract::{CsrfToken, CurrentAgent, verify_csrf};
use crate::web::views::assign as views;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/teams", get(teams_page).post(create_team))
        .route("/admin/teams/{id}", post(update_team))
        .route("/admin/rules", get(rules_page).post(create_rule))
        .route("/admin/rules/{id}", get(rule_page).post(update_rule))
        .route("/admin/rules/{id}/move", post(move_rule))
        .route("/admin/rules/{id}/delete", post(delete_rule))
        .route("/admin/agents/{id}/routing", post(agent_routing))
        .route(
            "/account/availability",
            get(availability_page).post(set_availability),
        )
}

/// Form fields as pairs, so repeated fields (checkbox lists) keep every value.
type Fields = Vec<(String, String)>;

fn one<'a>(f: &'a Fields, k: &str) -> Option<&'a str> {
    f.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

fn all(f: &Fields, k: &str) -> Vec<String> {
    f.iter()
        .filter(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .collect()
}

/// "a, b ,c" → ["a", "b", "c"].
fn comma_list(f: &Fields, k: &str) -> Vec<String> {
    one(f, k)
        .unwrap_or("")
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn opt_id(field: &str, v: Option<&str>) -> Result<Option<i64>, AppError> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::field(field, t!("assign-error-id"))),
    }
}

async fn render_teams(
    state: &AppState,
    agent: &AgentRef,
    csrf: &str,
    errors: &[(String, String)],
) -> PageResult<maud::Markup> {
    let teams = admin::list_teams(&state.db).await?;
    let agents = admin::agent_settings(&state.db).await?;
    Ok(views::teams_page(agent, csrf, &teams, &agents, errors))
}

async fn teams_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
) -> PageResult<Response> {
    agent.require_lead()?;
    Ok(render_teams(&state, &agent, &csrf, &[])
        .await?
        .into_response())
}

/// Redirects on success; re-renders `page` with the field error on a validation error.
async fn done_or_422<F, Fut>(
    result: Result<(), AppError>,
    to: &str,
    page: F,
) -> PageResult<Response>
where
    F: FnOnce(Vec<(String, String)>) -> Fut,
    Fut: std::future::Future<Output = PageResult<maud::Markup>>,
{
    match result {
        Ok(()) => Ok(Redirect::to(to).into_response()),
        Err(err) => match field_errors(&err) {
            Some(errors) => {
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page(errors).await?).into_response())
            }
            None => Err(err.into()),
        },
    }
}

async fn create_team(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> PageResult<Response> {
    verify_csrf(&headers, one(&f, "csrf"))?;
    agent.require_admin()?;
    let patch = TeamPatch {
        name: Some(one(&f, "name").unwrap_or("").to_string()),
        ..Default::default()
    };
    let result = admin::create_team(&state.db, patch, state.now())
        .await
        .map(|_| ());
    done_or_422(result, "/admin/teams", |e| async move {
        render_teams(&state, &agent, &csrf, &e).await
    })
    .await
}

async fn update_team(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult<Response> {
    verify_csrf(&headers, one(&f, "csrf"))?;
    agent.require_admin()?;
    let result = async {
        let members = all(&f, "members")
            .iter()
            .map(|m| opt_id("members", Some(m)).map(|x| x.unwrap_or(0)))
            .collect::<Result<Vec<i64>, _>>()?;
        let patch = TeamPatch {
            name: one(&f, "name").map(String::from),
            active: Some(one(&f, "active").is_some()),
            is_default: Some(one(&f, "is_default").is_some()),
            lead_agent_id: Some(opt_id("lead_agent_id", one(&f, "lead_agent_id"))?),
            members: Some(members),
        };
        admin::update_team(&state.db, id, patch, state.now()).await
    }
    .await;
    done_or_422(result, "/admin/teams", |e| async move {
        render_teams(&state, &agent, &csrf, &e).await
    })
    .await
}

async fn render_rules(
    state: &AppState,
    agent: &AgentRef,
    csrf: &str,
    errors: &[(String, String)],
) -> PageResult<maud::Markup> {
    let rules = admin::list_rules(&state.db).await?;
    let teams = admin::list_teams(&state.db).await?;
    Ok(views::rules_page(agent, csrf, &rules, &teams, errors))
}

async fn rules_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
) -> PageResult<Response> {
    agent.require_lead()?;
    Ok(render_rules(&state, &agent, &csrf, &[])
        .await?
        .into_response())
}

fn tri(field: &str, v: Option<&str>) -> Result<Option<bool>, AppError> {
    match v.unwrap_or("") {
        "" => Ok(None),
        "yes" => Ok(Some(true)),
        "no" => Ok(Some(false)),
        _ => Err(AppError::field(field, t!("assign-error-yes-no"))),
    }
}

fn rule_patch(f: &Fields) -> Result<RulePatch, AppError> {
    let conditions = Conditions {
        channel: all(f, "channel"),
        mailbox: comma_list(f, "mailbox"),
        plan: comma_list(f, "plan"),
        segment: comma_list(f, "segment"),
        vip: tri("conditions.vip", one(f, "vip"))?,
        at_risk: tri("conditions.at_risk", one(f, "at_risk"))?,
        keywords: comma_list(f, "keywords"),
        priority: all(f, "priority"),
    };
    Ok(RulePatch {
        name: Some(one(f, "name").unwrap_or("").to_string()),
        active: Some(one(f, "active").is_some()),
        conditions: Some(conditions),
        team_id: Some(opt_id("team_id", one(f, "team_id"))?),
        set_priority: Some(
            one(f, "set_priority")
                .filter(|s| !s.is_empty())
                .map(String::from),
        ),
        tags: Some(comma_list(f, "tags")),
        required_skill: Some(
            one(f, "required_skill")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
        ),
        position: None,
    })
}

async fn create_rule(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> PageResult<Response> {
    verify_csrf(&headers, one(&f, "csrf"))?;
    agent.require_admin()?;
    let result = async {
        admin::create_rule(&state.db, rule_patch(&f)?, state.now())
            .await
            .map(|_| ())
    }
    .await;
    done_or_422(result, "/admin/rules", |e| async move {
        render_rules(&state, &agent, &csrf, &e).await
    })
    .await
}

async fn rule_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    agent.require_admin()?;
    let rule = admin::get_rule(&state.db, id).await?;
    let teams = admin::list_teams(&state.db).await?;
    Ok(views::rule_edit_page(&agent, &csrf, &rule, &teams, &[]).into_response())
}

async fn update_rule(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult<Response> {
    verify_csrf(&headers, one(&f, "csrf"))?;
    agent.require_admin()?;
    let result =
        async { admin::update_rule(&state.db, id, rule_patch(&f)?, state.now()).await }.await;
    done_or_422(result, "/admin/rules", |e| async move {
        let rule = admin::get_rule(&state.db, id).await?;
        let teams = admin::list_teams(&state.db).await?;
        Ok(views::rule_edit_page(&agent, &csrf, &rule, &teams, &e))
    })
    .await
}

async fn move_rule(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult<Response> {
    verify_csrf(&headers, one(&f, "csrf"))?;
    agent.require_admin()?;
    let delta = if one(&f, "direction") == Some("up") {
        -1
    } else {
        1
    };
    admin::nudge_rule(&state.db, id, delta).await?;
    Ok(Redirect::to("/admin/rules").into_response())
}

async fn delete_rule(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult<Response> {
    verify_csrf(&headers, one(&f, "csrf"))?;
    agent.require_admin()?;
    admin::delete_rule(&state.db, id).await?;
    Ok(Redirect::to("/admin/rules").into_response())
}

async fn agent_routing(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult<Response> {
    verify_csrf(&headers, one(&f, "csrf"))?;
    agent.require_admin()?;
    let capacity = match one(&f, "capacity").map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(
            s.parse::<i64>()
                .map_err(|_| AppError::field("capacity", t!("assign-error-whole-number")))?,
        ),
    };
    let patch = AgentPatch {
        capacity,
        availability: one(&f, "availability").map(String::from),
        skills: Some(comma_list(&f, "skills")),
        active: Some(one(&f, "active").is_some()),
        working_calendar_id: match one(&f, "working_calendar").map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(s) => Some(Some(s.parse::<i64>().map_err(|_| {
                AppError::field("working_calendar_id", t!("assign-error-calendar-id"))
            })?)),
        },
    };
    admin::patch_agent(&state.db, &agent, id, patch, state.now()).await?;
    Ok(Redirect::to("/admin/agents").into_response())
}

async fn availability_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
) -> PageResult<Response> {
    let current = admin::availability(&state.db, agent.id).await?;
    Ok(views::availability_page(&agent, &csrf, &current).into_response())
}

async fn set_availability(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> PageResult<Response> {
    verify_csrf(&headers, one(&f, "csrf"))?;
    let patch = AgentPatch {
        availability: Some(one(&f, "availability").unwrap_or("").to_string()),
        ..Default::default()
    };
    admin::patch_agent(&state.db, &agent, agent.id, patch, state.now()).await?;
    Ok(Redirect::to("/account/availability").into_response())
}
