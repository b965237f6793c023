//! JSON API for assignment: `/teams`, `/rules` and `PATCH /agents/{id}` (capacity, availability,
//! skills, active). Admins change them; leads may read.

use crate::assign::admin::{self, AgentPatch, RulePatch, TeamPatch};
use crate::assign::decide::Conditions;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiAgent, ApiJson, path_id};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/teams", get(list_teams).post(create_team))
        .route("/teams/{id}", get(show_team).patch(patch_team))
        .route("/rules", get(list_rules).post(create_rule))
        .route(
            "/rules/{id}",
            get(show_rule).patch(patch_rule).delete(delete_rule),
        )
        .route("/agents/{id}", patch(patch_agent).get(show_agent))
}

/// Tells "absent" (leave as is) from `null` (clear).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamIn {
    name: Option<String>,
    active: Option<bool>,
    is_default: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    lead_agent_id: Option<Option<i64>>,
    members: Option<Vec<i64>>,
}

impl From<TeamIn> for TeamPatch {
    fn from(t: TeamIn) -> Self {
        TeamPatch {
            name: t.name,
            active: t.active,
            is_default: t.is_default,
            lead_agent_id: t.lead_agent_id,
            members: t.members,
        }
    }
}

async fn list_teams(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
) -> AppResult<Json<Value>> {
    agent.require_lead()?;
    Ok(Json(json!({"items": admin::list_teams(&state.db).await?})))
}

async fn show_team(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<Value>> {
    agent.require_lead()?;
    let id = path_id(&raw, "team")?;
    Ok(Json(json!({"team": admin::get_team(&state.db, id).await?})))
}

async fn create_team(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(body): ApiJson<TeamIn>,
) -> AppResult<Response> {
    agent.require_admin()?;
    let id = admin::create_team(&state.db, body.into(), state.now()).await?;
    let team = admin::get_team(&state.db, id).await?;
    Ok((StatusCode::CREATED, Json(json!({"team": team}))).into_response())
}

async fn patch_team(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<TeamIn>,
) -> AppResult<Json<Value>> {
    agent.require_admin()?;
    let id = path_id(&raw, "team")?;
    admin::update_team(&state.db, id, body.into(), state.now()).await?;
    Ok(Json(json!({"team": admin::get_team(&state.db, id).await?})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleIn {
    name: Option<String>,
    active: Option<bool>,
    conditions: Option<Conditions>,
    #[serde(default, deserialize_with = "present")]
    team_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    set_priority: Option<Option<String>>,
    tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    required_skill: Option<Option<String>>,
    position: Option<i64>,
}

impl From<RuleIn> for RulePatch {
    fn from(r: RuleIn) -> Self {
        RulePatch {
            name: r.name,
            active: r.active,
            conditions: r.conditions,
            team_id: r.team_id,
            set_priority: r.set_priority,
            tags: r.tags,
            required_skill: r.required_skill,
            position: r.position,
        }
    }
}

async fn list_rules(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
) -> AppResult<Json<Value>> {
    agent.require_lead()?;
    Ok(Json(json!({"items": admin::list_rules(&state.db).await?})))
}

async fn show_rule(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<Value>> {
    agent.require_lead()?;
    let id = path_id(&raw, "rule")?;
    Ok(Json(json!({"rule": admin::get_rule(&state.db, id).await?})))
}

async fn create_rule(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(body): ApiJson<RuleIn>,
) -> AppResult<Response> {
    agent.require_admin()?;
    let id = admin::create_rule(&state.db, body.into(), state.now()).await?;
    let rule = admin::get_rule(&state.db, id).await?;
    Ok((StatusCode::CREATED, Json(json!({"rule": rule}))).into_response())
}

async fn patch_rule(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<RuleIn>,
) -> AppResult<Json<Value>> {
    agent.require_admin()?;
    let id = path_id(&raw, "rule")?;
    admin::update_rule(&state.db, id, body.into(), state.now()).await?;
    Ok(Json(json!({"rule": admin::get_rule(&state.db, id).await?})))
}

async fn delete_rule(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<StatusCode> {
    agent.require_admin()?;
    let id = path_id(&raw, "rule")?;
    admin::delete_rule(&state.db, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentIn {
    capacity: Option<i64>,
    availability: Option<String>,
    skills: Option<Vec<String>>,
    active: Option<bool>,
    /// Absent: unchanged; `null`: always available; an id: that SLA calendar's hours.
    #[serde(default, deserialize_with = "present")]
    working_calendar_id: Option<Option<i64>>,
}

async fn show_agent(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<Value>> {
    let id = path_id(&raw, "agent")?;
    if agent.id != id {
        agent.require_lead()?;
    }
    Ok(Json(
        json!({"agent": admin::agent_setting(&state.db, id).await?}),
    ))
}

async fn patch_agent(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<AgentIn>,
) -> AppResult<Json<Value>> {
    let id = path_id(&raw, "agent")?;
    let p = AgentPatch {
        capacity: body.capacity,
        availability: body.availability,
        skills: body.skills,
        active: body.active,
        working_calendar_id: body.working_calendar_id,
    };
    admin::patch_agent(&state.db, &agent, id, p, state.now()).await?;
    Ok(Json(
        json!({"agent": admin::agent_setting(&state.db, id).await?}),
    ))
}
