//! JSON API for assignment: `/teams`, `/rules` and `PATCH /agents/{id}` (capacity, availability,
//! skills, active). Admins change them; leads may read.

use crate::assign::admin::{self, AgentPatch, RulePatch, TeamPatch};
use crate::assign::admin::{AgentSettings, RuleView, TeamView};
use crate::assign::decide::Conditions;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiAgent, ApiJson, path_id};
use crate::web::openapi::ApiRouter;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list_teams, create_team))
        .routes(routes!(show_team, patch_team))
        .routes(routes!(list_rules, create_rule))
        .routes(routes!(show_rule, patch_rule, delete_rule))
        .routes(routes!(patch_agent, show_agent))
}

#[derive(Serialize, ToSchema)]
struct TeamList {
    items: Vec<TeamView>,
}

#[derive(Serialize, ToSchema)]
struct TeamOut {
    team: TeamView,
}

#[derive(Serialize, ToSchema)]
struct RuleList {
    items: Vec<RuleView>,
}

#[derive(Serialize, ToSchema)]
struct RuleOut {
    rule: RuleView,
}

#[derive(Serialize, ToSchema)]
struct AgentSettingsOut {
    agent: AgentSettings,
}

/// Tells "absent" (leave as is) from `null` (clear).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A team's fields; absent ones stay as they are (`name` is required to create one).
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct TeamIn {
    name: Option<String>,
    active: Option<bool>,
    /// New tickets no rule routes go to the default team.
    is_default: Option<bool>,
    /// An agent id; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    lead_agent_id: Option<Option<i64>>,
    /// The whole list of member agent ids.
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

#[utoipa::path(get, path = "/teams", tag = "assignment",
    responses((status = 200, description = "Teams with members and waiting count", body = TeamList), (status = 403, description = "Leads and admins only")))]
async fn list_teams(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
) -> AppResult<Json<TeamList>> {
    agent.require_lead()?;
    let items = admin::list_teams(&state.db).await?;
    Ok(Json(TeamList { items }))
}

#[utoipa::path(get, path = "/teams/{id}", tag = "assignment",
    params(("id" = i64, Path, description = "Team id")),
    responses((status = 200, description = "The team", body = TeamOut), (status = 403, description = "Leads and admins only")))]
async fn show_team(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<TeamOut>> {
    agent.require_lead()?;
    let id = path_id(&raw, "team")?;
    let team = admin::get_team(&state.db, id).await?;
    Ok(Json(TeamOut { team }))
}

#[utoipa::path(post, path = "/teams", tag = "assignment", request_body = TeamIn,
    responses((status = 201, description = "Created", body = TeamOut), (status = 403, description = "Admins only"),
        (status = 409, description = "A team with that name exists")))]
async fn create_team(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(body): ApiJson<TeamIn>,
) -> AppResult<Response> {
    agent.require_admin()?;
    let id = admin::create_team(&state.db, body.into(), state.now()).await?;
    let team = admin::get_team(&state.db, id).await?;
    Ok((StatusCode::CREATED, Json(TeamOut { team })).into_response())
}

#[utoipa::path(patch, path = "/teams/{id}", tag = "assignment", request_body = TeamIn,
    params(("id" = i64, Path, description = "Team id")),
    responses((status = 200, description = "Changed", body = TeamOut), (status = 403, description = "Admins only"),
        (status = 409, description = "A team with that name exists")))]
async fn patch_team(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<TeamIn>,
) -> AppResult<Json<TeamOut>> {
    agent.require_admin()?;
    let id = path_id(&raw, "team")?;
    admin::update_team(&state.db, id, body.into(), state.now()).await?;
    let team = admin::get_team(&state.db, id).await?;
    Ok(Json(TeamOut { team }))
}

/// A routing rule's fields; absent ones stay as they are (`name` is required to create one).
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct RuleIn {
    name: Option<String>,
    active: Option<bool>,
    conditions: Option<Conditions>,
    /// The team matching tickets go to; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    team_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<crate::domain::Priority>)]
    set_priority: Option<Option<String>>,
    tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
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

#[utoipa::path(get, path = "/rules", tag = "assignment",
    responses((status = 200, description = "Routing rules in order", body = RuleList), (status = 403, description = "Leads and admins only")))]
async fn list_rules(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
) -> AppResult<Json<RuleList>> {
    agent.require_lead()?;
    let items = admin::list_rules(&state.db).await?;
    Ok(Json(RuleList { items }))
}

#[utoipa::path(get, path = "/rules/{id}", tag = "assignment",
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 200, description = "The rule", body = RuleOut), (status = 403, description = "Leads and admins only")))]
async fn show_rule(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<RuleOut>> {
    agent.require_lead()?;
    let id = path_id(&raw, "rule")?;
    let rule = admin::get_rule(&state.db, id).await?;
    Ok(Json(RuleOut { rule }))
}

#[utoipa::path(post, path = "/rules", tag = "assignment", request_body = RuleIn,
    responses((status = 201, description = "Created", body = RuleOut), (status = 403, description = "Admins only")))]
async fn create_rule(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(body): ApiJson<RuleIn>,
) -> AppResult<Response> {
    agent.require_admin()?;
    let id = admin::create_rule(&state.db, body.into(), state.now()).await?;
    let rule = admin::get_rule(&state.db, id).await?;
    Ok((StatusCode::CREATED, Json(RuleOut { rule })).into_response())
}

#[utoipa::path(patch, path = "/rules/{id}", tag = "assignment", request_body = RuleIn,
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 200, description = "Changed", body = RuleOut), (status = 403, description = "Admins only")))]
async fn patch_rule(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<RuleIn>,
) -> AppResult<Json<RuleOut>> {
    agent.require_admin()?;
    let id = path_id(&raw, "rule")?;
    admin::update_rule(&state.db, id, body.into(), state.now()).await?;
    let rule = admin::get_rule(&state.db, id).await?;
    Ok(Json(RuleOut { rule }))
}

#[utoipa::path(delete, path = "/rules/{id}", tag = "assignment",
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 204, description = "Deleted"), (status = 403, description = "Admins only")))]
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

/// An agent's assignment settings; absent fields stay as they are.
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct AgentIn {
    /// 0-10000 open tickets.
    capacity: Option<i64>,
    /// `online`, `away` or `off` (an agent may set their own).
    #[schema(pattern = "^(online|away|off)$")]
    availability: Option<String>,
    skills: Option<Vec<String>>,
    active: Option<bool>,
    /// Absent: unchanged; `null`: always available; an id: that SLA calendar's hours.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    working_calendar_id: Option<Option<i64>>,
}

#[utoipa::path(get, path = "/agents/{id}", tag = "agents",
    params(("id" = i64, Path, description = "Agent id")),
    responses((status = 200, description = "The agent with their open-ticket count and teams", body = AgentSettingsOut),
        (status = 403, description = "Leads and admins only (an agent may read their own)")))]
async fn show_agent(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<AgentSettingsOut>> {
    let id = path_id(&raw, "agent")?;
    if agent.id != id {
        agent.require_lead()?;
    }
    let agent = admin::agent_setting(&state.db, id).await?;
    Ok(Json(AgentSettingsOut { agent }))
}

#[utoipa::path(patch, path = "/agents/{id}", tag = "agents", request_body = AgentIn,
    params(("id" = i64, Path, description = "Agent id")),
    responses((status = 200, description = "Changed", body = AgentSettingsOut),
        (status = 403, description = "Admins only (an agent may set their own `availability`)")))]
async fn patch_agent(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<AgentIn>,
) -> AppResult<Json<AgentSettingsOut>> {
    let id = path_id(&raw, "agent")?;
    let p = AgentPatch {
        capacity: body.capacity,
        availability: body.availability,
        skills: body.skills,
        active: body.active,
        working_calendar_id: body.working_calendar_id,
    };
    admin::patch_agent(&state.db, &agent, id, p, state.now()).await?;
    let agent = admin::agent_setting(&state.db, id).await?;
    Ok(Json(AgentSettingsOut { agent }))
}
