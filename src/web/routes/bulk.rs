//! Bulk changes over HTTP: `POST /tickets/bulk` from the bar on every queue and on the leads'
//! stale view (a confirmation with the count first, then the result, or the progress of a large
//! change at `/tickets/bulk/{id}`), and `POST /api/v1/tickets/bulk` (`GET …/bulk/{id}` for a
//! large one's progress).

use super::api::parse_enum;
use crate::auth::{self, AgentRef};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tickets::bulk::{self, BulkChange, Target};
use crate::tickets::{ListFilter, Queue};
use crate::web::PageResult;
use crate::web::extract::{ApiAgent, ApiJson, CsrfToken, CurrentAgent, verify_csrf};
use crate::web::form::RepeatedFields;
use crate::web::openapi::ApiRouter;
use crate::web::views::bulk as views;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

pub fn ui_routes() -> Router<AppState> {
    Router::new()
        .route("/tickets/bulk", post(ui_bulk))
        .route("/tickets/bulk/{id}", get(ui_progress))
}

/// Merged into /api/v1.
pub fn api_routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(api_bulk))
        .routes(routes!(api_progress))
}

#[derive(Serialize, ToSchema)]
struct RunOut {
    bulk_run: bulk::Run,
}

/// A large change started in the background (202).
#[derive(Serialize, ToSchema)]
struct Started {
    bulk_run: bulk::Run,
    /// Where to follow its progress (also the `Location` header).
    status_url: String,
}

/// A choice left empty ("(no change)") is no choice.
fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// The form's fields, repeated `ticket_id`s included (`12` or `12:3`, the version seen).
struct BulkForm(RepeatedFields);

impl BulkForm {
    fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k)
    }

    fn change(&self) -> AppResult<BulkChange> {
        let assignee_id = match self.get("assignee_id").map(str::trim) {
            Some("none") => Some(None),
            _ => self
                .0
                .number("assignee_id", "assignee_id", &t!("bulk-error-not-agent"))?
                .map(Some),
        };
        let macro_id = self
            .0
            .number("macro_id", "macro_id", &t!("bulk-error-not-macro"))?;
        let team_id = self
            .0
            .number("team_id", "team_id", &t!("bulk-error-not-team"))?;
        Ok(BulkChange {
            status: parse_enum("status", given(self.get("status")))?,
            priority: parse_enum("priority", given(self.get("priority")))?,
            assignee_id,
            team_id,
            add_tags: super::comma_list(self.get("add_tags")),
            remove_tags: super::comma_list(self.get("remove_tags")),
            macro_id,
            macro_title: None,
        })
    }

    fn selected(&self) -> AppResult<Vec<Target>> {
        let mut out: Vec<Target> = Vec::new();
        for v in self.0.all("ticket_id") {
            let bad = || AppError::field("ticket_id", t!("bulk-error-not-ticket"));
            let (id, version) = match v.split_once(':') {
                Some((id, ver)) => (id, Some(ver.parse::<i64>().map_err(|_| bad())?)),
                None => (v, None),
            };
            let id = id.trim().parse::<i64>().map_err(|_| bad())?;
            if !out.iter().any(|t| t.id == id) {
                out.push(Target { id, version });
            }
        }
        Ok(out)
    }

    /// Where to go back to: a ticket list of ours, else the agent's queue.
    fn back(&self) -> String {
        self.get("back")
            .filter(|b| b.starts_with("/tickets") && !b.starts_with("//"))
            .unwrap_or("/tickets")
            .to_string()
    }

    async fn targets(&self, state: &AppState, agent: &AgentRef) -> AppResult<Vec<Target>> {
        let targets = if self.get("scope") == Some("all") {
            let queue = match self.get("queue").map(str::trim) {
                None | Some("") => Queue::Mine,
                Some(k) => Queue::parse(k)
                    .ok_or_else(|| AppError::field("queue", t!("bulk-error-unknown-queue")))?,
            };
            let filter = ListFilter {
                queue: Some(queue),
                team_id: self.0.number("team", "team", &t!("bulk-error-team-id"))?,
                tag: super::api::tag_filter(self.get("tag"))?,
                ..Default::default()
            };
            bulk::matching(&state.db, agent.id, &filter).await?
        } else {
            self.selected()?
        };
        if targets.is_empty() {
            return Err(AppError::field("ticket_id", t!("bulk-error-select-one")));
        }
        Ok(targets)
    }
}

async fn ui_bulk(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> PageResult<Response> {
    let form = BulkForm(RepeatedFields::parse(&body));
    verify_csrf(&headers, form.get("csrf"))?;
    let back = form.back();
    let attempt = async {
        let mut change = form.change()?;
        let prepared = change.validate(&state.db, &agent).await?;
        let targets = form.targets(&state, &agent).await?;
        Ok::<_, AppError>((change, prepared, targets))
    };
    let (change, prepared, targets) = match attempt.await {
        Ok(ok) => ok,
        Err(err) => return refused(&agent, &csrf, err, &back),
    };
    let agents = auth::list_agents(&state.db).await?;
    let name = |id: i64| {
        agents
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| t!("bulk-unknown-agent", id = id.to_string()))
    };
    let teams = crate::assign::admin::team_names(&state.db).await?;
    let team = |id: i64| {
        teams
            .iter()
            .find(|(t, _)| *t == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| t!("bulk-unknown-team", id = id.to_string()))
    };
    let what = change.describe(name, team);
    if form.get("confirm") != Some("1") {
        let page = views::confirm(&agent, &csrf, &form.0.0, targets.len(), &what, &back);
        return Ok(page.into_response());
    }
    if targets.len() > bulk::INLINE_MAX {
        let now = state.now();
        let id = bulk::start(&state.db, &agent, &targets, &change, &what, &back, now).await?;
        return Ok(Redirect::to(&format!("/tickets/bulk/{id}")).into_response());
    }
    let out = bulk::apply(&state.db, &agent, &targets, &prepared, state.now()).await?;
    Ok(views::result(&agent, &csrf, &out, &what, &back).into_response())
}

/// A large bulk change's progress; the page reloads itself every second until it is done.
async fn ui_progress(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let id = crate::web::extract::path_id(&id, "bulk change")?;
    let run = bulk::run(&state.db, &agent, id).await?;
    if run.finished {
        return Ok(
            views::result(&agent, &csrf, &run.outcome, &run.summary, &run.back).into_response(),
        );
    }
    Ok((
        [(header::REFRESH, "1")],
        views::progress(&agent, &csrf, &run),
    )
        .into_response())
}

#[utoipa::path(get, path = "/tickets/bulk/{id}", tag = "tickets",
    params(("id" = i64, Path, description = "Bulk run id")),
    responses((status = 200, description = "How far the change has come (the starter's own, or any for admins)", body = RunOut)))]
async fn api_progress(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(id): Path<String>,
) -> AppResult<Json<RunOut>> {
    let id = crate::web::extract::path_id(&id, "bulk change")?;
    let bulk_run = bulk::run(&state.db, &agent, id).await?;
    Ok(Json(RunOut { bulk_run }))
}

/// A refused bulk change: the reason, naming the field, and the way back (422).
fn refused(agent: &AgentRef, csrf: &str, err: AppError, back: &str) -> PageResult<Response> {
    let Some(errors) = super::field_errors(&err) else {
        return Err(err.into());
    };
    let out = bulk::Outcome::default();
    let what = errors
        .iter()
        .map(|(f, m)| format!("{f} {m}"))
        .collect::<Vec<_>>()
        .join("; ");
    let page = views::result(
        agent,
        csrf,
        &out,
        &t!("bulk-nothing-changed", reason = what),
        back,
    );
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// One change to many tickets: `tickets` or `filter` (one of them), and `changes`.
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct ApiBulk {
    /// Tickets to change, each with the version the caller saw (optional).
    tickets: Option<Vec<ApiTarget>>,
    /// Or every ticket of a list.
    filter: Option<ApiFilter>,
    changes: Option<ApiChanges>,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ApiTarget {
    id: i64,
    /// The version the caller saw; a ticket changed since is left alone (`stale`).
    #[serde(default)]
    version: Option<i64>,
}

#[derive(Serialize, Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct ApiFilter {
    /// `mine`, `unassigned`, `open`, `pending`, `solved` or `all` (the default).
    queue: Option<String>,
    team_id: Option<i64>,
    tag: Option<String>,
}

#[derive(Serialize, Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct ApiChanges {
    #[schema(value_type = Option<crate::domain::Status>)]
    status: Option<String>,
    #[schema(value_type = Option<crate::domain::Priority>)]
    priority: Option<String>,
    /// An agent id; `null` unassigns.
    #[serde(default, deserialize_with = "super::api::present")]
    #[schema(value_type = Option<i64>)]
    assignee_id: Option<Option<i64>>,
    team_id: Option<i64>,
    add_tags: Option<Vec<String>>,
    remove_tags: Option<Vec<String>>,
    /// A macro whose actions are applied to each ticket (its reply text is not sent).
    macro_id: Option<i64>,
}

#[utoipa::path(post, path = "/tickets/bulk", tag = "tickets", request_body = ApiBulk,
    responses(
        (status = 200, description = "Up to 200 tickets: what changed, what was stale, what failed", body = bulk::Outcome),
        (status = 202, description = "More: started in the background", body = Started,
            headers(("Location" = String, description = "The run's status URL"))),
        (status = 403, description = "The macro or change is not the caller's to use"),
    ))]
async fn api_bulk(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(body): ApiJson<ApiBulk>,
) -> AppResult<Response> {
    let c = body.changes.unwrap_or_default();
    let mut change = BulkChange {
        status: parse_enum("status", given(c.status.as_deref()))?,
        priority: parse_enum("priority", given(c.priority.as_deref()))?,
        assignee_id: c.assignee_id,
        team_id: c.team_id,
        add_tags: c.add_tags.unwrap_or_default(),
        remove_tags: c.remove_tags.unwrap_or_default(),
        macro_id: c.macro_id,
        macro_title: None,
    };
    let prepared = change.validate(&state.db, &agent).await?;
    let targets = match (body.tickets, body.filter) {
        (Some(list), None) => {
            if list.len() > bulk::MAX_TICKETS {
                return Err(AppError::field(
                    "tickets",
                    format!("at most {} tickets at once", bulk::MAX_TICKETS),
                ));
            }
            list.into_iter()
                .map(|t| Target {
                    id: t.id,
                    version: t.version,
                })
                .collect::<Vec<_>>()
        }
        (None, Some(f)) => {
            let queue = match f.queue.as_deref() {
                None | Some("") => Queue::All,
                Some(k) => Queue::parse(k)
                    .ok_or_else(|| AppError::field("filter.queue", "is not a known queue"))?,
            };
            let filter = ListFilter {
                queue: Some(queue),
                team_id: f.team_id,
                tag: super::api::tag_filter(f.tag.as_deref())?,
                ..Default::default()
            };
            bulk::matching(&state.db, agent.id, &filter).await?
        }
        _ => {
            return Err(AppError::field(
                "tickets",
                "give either tickets or filter (not both)",
            ));
        }
    };
    if targets.is_empty() {
        return Err(AppError::field("tickets", "is empty"));
    }
    if targets.len() > bulk::INLINE_MAX {
        // Too many for one request: 202 and where to follow the progress.
        let now = state.now();
        let what = change.describe(|id| format!("agent {id}"), |id| format!("team {id}"));
        let id = bulk::start(&state.db, &agent, &targets, &change, &what, "/tickets", now).await?;
        let run = bulk::run(&state.db, &agent, id).await?;
        let url = format!("/api/v1/tickets/bulk/{id}");
        let body = Json(Started {
            bulk_run: run,
            status_url: url.clone(),
        });
        return Ok((StatusCode::ACCEPTED, [(header::LOCATION, url)], body).into_response());
    }
    let out = bulk::apply(&state.db, &agent, &targets, &prepared, state.now()).await?;
    Ok(Json(out).into_response())
}
