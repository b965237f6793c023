//! Search over tickets: `/search` and `GET /api/v1/search`, the solution marker, the ticket
//! page's search panels, and saved replies (UI for leads/admins and `/api/v1/saved-replies`).

use crate::auth::AgentRef;
use crate::domain::Status;
use crate::error::{AppError, AppResult};
use crate::search::{self, SearchQuery, Sort};
use crate::state::AppState;
use crate::web::PageResult;
use crate::web::extract::{
    ApiAgent, ApiJson, CsrfOnly, CsrfToken, CurrentAgent, path_id, verify_csrf,
};
use crate::web::openapi::ApiRouter;
use crate::web::views::search as views;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use utoipa_axum::routes;

pub fn ui_routes() -> Router<AppState> {
    Router::new()
        .route("/search", get(search_page))
        .route("/tickets/{id}/resolution", post(mark_resolution_form))
        .route(
            "/admin/saved-replies",
            get(saved_replies_page).post(create_saved_reply_form),
        )
        .route("/admin/macros", get(saved_replies_page))
        .route("/admin/saved-replies/{id}", post(update_saved_reply_form))
        .route(
            "/admin/saved-replies/{id}/delete",
            post(delete_saved_reply_form),
        )
        .route(
            "/tickets/{id}/macros/{macro_id}/apply",
            post(apply_macro_form),
        )
}

pub fn api_routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(api_search))
        .routes(routes!(api_mark_resolution))
        .routes(routes!(api_list_saved, api_create_saved))
        .routes(routes!(api_get_saved, api_update_saved, api_delete_saved))
        // Macros are saved replies with actions: the same resource under its other name.
        .routes(routes!(api_list_macros, api_create_macro))
        .routes(routes!(api_get_macro, api_update_macro, api_delete_macro))
        .routes(routes!(api_apply_macro))
}

/// The index is catching up with many tickets: results may be incomplete.
#[derive(Serialize, ToSchema)]
struct Rebuilding {
    tickets_left: u64,
}

#[derive(Serialize, ToSchema)]
struct SearchOut {
    /// `null`, or how far the index has to go while it catches up.
    index_rebuilding: Option<Rebuilding>,
    total: i64,
    results: Vec<search::ResultItem>,
    sort: Sort,
    /// `database` or `meilisearch`.
    index: &'static str,
}

pub const MAX_QUERY_CHARS: usize = 500;

/// A calendar date `YYYY-MM-DD`, an RFC 3339 instant, or milliseconds; `end` makes a date
/// include its whole day.
pub(crate) fn parse_time(field: &str, raw: &str, end: bool) -> AppResult<i64> {
    let raw = raw.trim();
    if let Ok(ms) = raw.parse::<i64>() {
        return Ok(ms);
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let d = if end { d.succ_opt().unwrap_or(d) } else { d };
        return Ok(d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis())
            .unwrap_or_default());
    }
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|t| t.timestamp_millis())
        .map_err(|_| AppError::field(field, t!("search-error-date")))
}

/// Turns query-string parameters into a search, naming the parameter when one is wrong.
pub async fn parse_params(
    state: &AppState,
    params: &HashMap<String, String>,
) -> AppResult<SearchQuery> {
    let get = |k: &str| params.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    let text = get("q").unwrap_or("");
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::field(
            "q",
            t!("search-error-too-long", max = MAX_QUERY_CHARS),
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\t') {
        return Err(AppError::field("q", t!("search-error-single-line")));
    }
    let mut q = SearchQuery::new(text);
    q.include_internal = true;
    if let Some(s) = get("status") {
        let status: Status = s.parse().map_err(|_: String| {
            let choices = Status::ALL
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            AppError::field("status", t!("search-error-status", choices = choices))
        })?;
        q.status = Some(status.as_str().to_string());
    }
    if let Some(c) = get("customer") {
        q.customer_id = Some(match c.parse::<i64>() {
            Ok(id) if id > 0 => id,
            Ok(_) => {
                return Err(AppError::field("customer", t!("search-error-customer")));
            }
            Err(_) if c.contains('@') => crate::customers::id_by_email(&state.db, c)
                .await?
                .unwrap_or(-1),
            Err(_) => {
                return Err(AppError::field("customer", t!("search-error-customer")));
            }
        });
    }
    if let Some(t) = get("team") {
        q.team_id = Some(match t.parse::<i64>() {
            Ok(id) if id > 0 => id,
            Ok(_) => return Err(AppError::field("team", t!("search-error-team"))),
            Err(_) => crate::assign::admin::team_id_by_name(&state.db, t)
                .await?
                .unwrap_or(-1),
        });
    }
    if let Some(tag) = get("tag") {
        q.tag = super::api::tag_filter(Some(tag))?;
    }
    if let Some(f) = get("from") {
        q.from = Some(parse_time("from", f, false)?);
    }
    if let Some(t) = get("to") {
        q.to = Some(parse_time("to", t, true)?);
    }
    if let (Some(f), Some(t)) = (q.from, q.to)
        && t <= f
    {
        return Err(AppError::field("to", t!("search-error-to-after-from")));
    }
    if let Some(s) = get("solved") {
        q.solved_only = match s.to_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => true,
            "0" | "false" | "no" | "off" => false,
            _ => return Err(AppError::field("solved", t!("search-error-solved"))),
        };
    }
    q.sort = match get("sort") {
        None if q.text.is_empty() => Sort::Date,
        None | Some("relevance") => Sort::Relevance,
        Some("date") => Sort::Date,
        Some(_) => return Err(AppError::field("sort", t!("search-error-sort"))),
    };
    if let Some(l) = get("limit") {
        q.limit = l
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                AppError::field("limit", t!("search-error-limit", min = 1, max = 100))
            })?;
    }
    if let Some(o) = get("offset") {
        q.offset = o
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=10_000).contains(n))
            .ok_or_else(|| {
                AppError::field("offset", t!("search-error-offset", min = 0, max = 10000))
            })?;
    }
    Ok(q)
}

#[utoipa::path(get, path = "/search", tag = "search",
    params(
        ("q" = Option<String>, Query, description = "Words to find (500 characters at most)"),
        ("status" = Option<Status>, Query, description = "Only tickets in this status"),
        ("customer" = Option<String>, Query, description = "A customer id or email address"),
        ("team" = Option<String>, Query, description = "A team id or name"),
        ("tag" = Option<String>, Query),
        ("from" = Option<String>, Query, description = "`YYYY-MM-DD` or RFC 3339"),
        ("to" = Option<String>, Query, description = "`YYYY-MM-DD` (the whole day) or RFC 3339"),
        ("solved" = Option<bool>, Query, description = "Only solved tickets"),
        ("sort" = Option<Sort>, Query, description = "`relevance` (the default with words) or `date`"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 100),
        ("offset" = Option<i64>, Query, minimum = 0, maximum = 10000),
    ),
    responses((status = 200, description = "Matching tickets with the matches marked", body = SearchOut)))]
async fn api_search(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    params: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Response> {
    let Query(params) = params.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let q = parse_params(&state, &params).await?;
    let results = search::search(&state, &q).await?;
    let left = state
        .search_rebuild
        .load(std::sync::atomic::Ordering::Relaxed);
    Ok(Json(SearchOut {
        index_rebuilding: (left > 0).then_some(Rebuilding {
            tickets_left: left as u64,
        }),
        total: results.total,
        results: results.items,
        sort: q.sort,
        index: state.search.kind(),
    })
    .into_response())
}

async fn search_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Query(params): Query<HashMap<String, String>>,
) -> PageResult<Response> {
    let v = |k: &str| params.get(k).cloned().unwrap_or_default();
    let form = views::SearchForm {
        q: v("q"),
        status: v("status"),
        customer: v("customer"),
        team: v("team"),
        tag: v("tag"),
        from: v("from"),
        to: v("to"),
        solved: matches!(v("solved").as_str(), "true" | "1" | "on" | "yes"),
        sort: v("sort"),
    };
    let searched = params.values().any(|v| !v.trim().is_empty());
    let outcome = if searched {
        match parse_params(&state, &params).await {
            Ok(q) => search::search(&state, &q).await.map(Some),
            Err(e) => Err(e),
        }
    } else {
        Ok(None)
    };
    let (results, errors, status) = match outcome {
        Ok(r) => (r, Vec::new(), StatusCode::OK),
        Err(err) => match crate::web::routes::field_errors(&err) {
            Some(errors) => (None, errors, StatusCode::UNPROCESSABLE_ENTITY),
            None => return Err(err.into()),
        },
    };
    Ok((
        status,
        views::search_page(&views::SearchPage {
            agent: &agent,
            csrf: &csrf,
            form: &form,
            results: results.as_ref(),
            errors: &errors,
            index_kind: state.search.kind(),
            rebuilding: state
                .search_rebuild
                .load(std::sync::atomic::Ordering::Relaxed),
        }),
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// The ticket page

/// What the ticket page's URL may ask for: a draft from a solved ticket's answer or from a
/// saved reply, and a saved-reply search.
#[derive(Debug, Default, Deserialize)]
pub struct TicketPageQuery {
    pub answer_from: Option<String>,
    pub saved_reply: Option<String>,
    pub reply_q: Option<String>,
}

/// The draft reply the URL asks for ("" when none).
pub async fn draft_for(
    state: &AppState,
    agent: &AgentRef,
    ticket: &crate::tickets::Ticket,
    q: &TicketPageQuery,
) -> AppResult<String> {
    if let Some(id) = q.answer_from.as_deref().and_then(|s| s.parse::<i64>().ok()) {
        return Ok(search::resolution_text(&state.db, id)
            .await?
            .unwrap_or_default());
    }
    if let Some(id) = q.saved_reply.as_deref().and_then(|s| s.parse::<i64>().ok()) {
        return search::replies::render_for(&state.db, id, ticket, agent).await;
    }
    Ok(String::new())
}

/// The ticket page's search panels: (similar solved tickets with the solution marker, saved
/// replies under the reply box).
pub async fn ticket_panels(
    state: &AppState,
    agent_id: i64,
    csrf: &str,
    ticket_id: i64,
    messages: &[crate::tickets::Message],
    reply_q: &str,
) -> AppResult<(maud::Markup, maud::Markup)> {
    let similar = search::similar_solved(state, ticket_id, 5).await;
    let marked = search::marked_resolution(&state.db, ticket_id).await?;
    let replies: Vec<&crate::tickets::Message> = messages
        .iter()
        .filter(|m| {
            m.visibility == crate::domain::Visibility::Public
                && m.author_kind == crate::domain::AuthorKind::Agent
        })
        .collect();
    let saved = if reply_q.trim().is_empty() {
        Vec::new()
    } else {
        search::replies::list(&state.db, agent_id, reply_q).await?
    };
    let p = views::TicketPanels {
        ticket_id,
        csrf,
        similar: &similar,
        replies: &replies,
        marked,
        reply_q,
        saved: &saved,
    };
    Ok((views::similar_panel(&p), views::saved_replies_panel(&p)))
}

#[derive(Deserialize)]
struct ResolutionForm {
    csrf: Option<String>,
    message_id: Option<String>,
}

fn parse_message_id(raw: Option<&str>) -> AppResult<Option<i64>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::field("message_id", t!("search-error-message-id"))),
    }
}

async fn mark_resolution_form(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<ResolutionForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let message_id = parse_message_id(f.message_id.as_deref())?;
    search::mark_resolution(&state.db, &agent, id, message_id, state.now()).await?;
    Ok(Redirect::to(&format!("/tickets/{id}")).into_response())
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct ResolutionIn {
    /// The message that solved the ticket; `null` goes back to the default.
    message_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
struct ResolutionOut {
    ticket_id: i64,
    resolution_message_id: Option<i64>,
}

#[utoipa::path(put, path = "/tickets/{id}/resolution", tag = "search", request_body = ResolutionIn,
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, description = "Marked", body = ResolutionOut)))]
async fn api_mark_resolution(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ResolutionIn>,
) -> AppResult<Response> {
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(AppError::NotFound("ticket"))?;
    search::mark_resolution(&state.db, &agent, id, body.message_id, state.now()).await?;
    Ok(Json(ResolutionOut {
        ticket_id: id,
        resolution_message_id: body.message_id,
    })
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// Saved replies

/// Every agent's macros page: the shared macros (leads and admins edit them) and the agent's own.
async fn saved_replies_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
) -> PageResult<Response> {
    let replies = search::replies::list(&state.db, agent.id, "").await?;
    let teams = crate::assign::admin::list_teams(&state.db).await?;
    Ok(views::saved_replies_admin(&agent, &csrf, &replies, &teams, &[]).into_response())
}

#[derive(Deserialize)]
struct SavedReplyForm {
    csrf: Option<String>,
    title: Option<String>,
    body: Option<String>,
    set_status: Option<String>,
    set_priority: Option<String>,
    assign: Option<String>,
    add_tags: Option<String>,
    remove_tags: Option<String>,
    note: Option<String>,
    team_id: Option<String>,
    follow: Option<String>,
    personal: Option<String>,
}

impl SavedReplyForm {
    fn personal(&self) -> bool {
        self.personal.as_deref().is_some_and(|p| !p.is_empty())
    }

    fn team_id(&self) -> AppResult<Option<i64>> {
        match self.team_id.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => t
                .parse::<i64>()
                .map(Some)
                .map_err(|_| AppError::field("actions.team_id", t!("search-error-not-a-team"))),
        }
    }

    fn actions(&self) -> AppResult<search::replies::Actions> {
        Ok(search::replies::Actions {
            status: self.set_status.clone(),
            priority: self.set_priority.clone(),
            assign: self.assign.clone(),
            add_tags: super::comma_list(self.add_tags.as_deref()),
            remove_tags: super::comma_list(self.remove_tags.as_deref()),
            team_id: self.team_id()?,
            note: self.note.clone(),
            follow: self.follow.as_deref().is_some_and(|f| !f.is_empty()),
        })
    }

    fn macro_in(&self) -> AppResult<search::replies::MacroIn<'_>> {
        Ok(search::replies::MacroIn {
            title: self.title.as_deref().unwrap_or(""),
            body: self.body.as_deref().unwrap_or(""),
            actions: self.actions()?,
            personal: self.personal(),
        })
    }
}

/// Applies a macro from the ticket page: its actions now, then the page with its reply text
/// added to the agent's draft.
async fn apply_macro_form(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path((ticket_id, macro_id)): Path<(i64, i64)>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let any = crate::tickets::Expect::Any;
    let result =
        search::replies::apply(&state.db, &agent, macro_id, ticket_id, any, state.now()).await;
    // The page's script asks for JSON: it puts the text at the cursor in the reply box itself.
    let wants_json = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        let text = result?;
        return Ok(Json(ReplyText { reply_text: text }).into_response());
    }
    match result {
        Ok(text) if text.is_empty() => {
            Ok(Redirect::to(&format!("/tickets/{ticket_id}")).into_response())
        }
        Ok(_) => Ok(
            Redirect::to(&format!("/tickets/{ticket_id}?saved_reply={macro_id}#body"))
                .into_response(),
        ),
        Err(err) => super::ui::invalid(&state, &agent, &csrf, ticket_id, err).await,
    }
}

/// `POST /api/v1/tickets/{id}/macros/{macro_id}/apply`: the actions applied; the reply text is
/// returned for the caller to send or edit.
#[derive(Serialize)]
struct ReplyText {
    reply_text: String,
}

#[derive(Serialize, ToSchema)]
struct MacroApplied {
    ticket: crate::tickets::Ticket,
    /// The macro's reply, filled in for this ticket; not sent (the caller sends or edits it).
    reply_text: String,
}

#[utoipa::path(post, path = "/tickets/{id}/macros/{macro_id}/apply", tag = "saved replies",
    params(("id" = i64, Path, description = "Ticket id"), ("macro_id" = i64, Path, description = "Macro (saved reply) id")),
    responses((status = 200, description = "The actions applied (one change); the reply text", body = MacroApplied),
        (status = 409, description = "The ticket does not take this change now")))]
async fn api_apply_macro(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path((ticket, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let ticket_id = path_id(&ticket, "ticket")?;
    let macro_id = path_id(&id, "macro")?;
    let any = crate::tickets::Expect::Any;
    let text =
        search::replies::apply(&state.db, &agent, macro_id, ticket_id, any, state.now()).await?;
    let ticket = crate::tickets::get_ticket(&state.db, ticket_id).await?;
    Ok(Json(MacroApplied {
        ticket,
        reply_text: text,
    })
    .into_response())
}

async fn saved_reply_result(
    state: &AppState,
    agent: &AgentRef,
    csrf: &str,
    result: AppResult<()>,
) -> PageResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to("/admin/saved-replies").into_response()),
        Err(err) => match crate::web::routes::field_errors(&err) {
            Some(errors) => {
                let replies = search::replies::list(&state.db, agent.id, "").await?;
                let teams = crate::assign::admin::list_teams(&state.db).await?;
                Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    views::saved_replies_admin(agent, csrf, &replies, &teams, &errors),
                )
                    .into_response())
            }
            None => Err(err.into()),
        },
    }
}

async fn create_saved_reply_form(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Form(f): Form<SavedReplyForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let result = match f.macro_in() {
        Ok(m) => search::replies::create(&state.db, &agent, m, state.now())
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    saved_reply_result(&state, &agent, &csrf, result).await
}

async fn update_saved_reply_form(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<SavedReplyForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let result = match f.macro_in() {
        Ok(m) => search::replies::update(&state.db, &agent, id, m, state.now())
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    saved_reply_result(&state, &agent, &csrf, result).await
}

async fn delete_saved_reply_form(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<SavedReplyForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    search::replies::delete(&state.db, &agent, id).await?;
    Ok(Redirect::to("/admin/saved-replies").into_response())
}

/// A saved reply or macro (`title` and a body, actions or both).
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct SavedReplyIn {
    title: Option<String>,
    body: Option<String>,
    /// What the macro does to the ticket: `{"status"?, "priority"?, "assign"? ("me", "none" or
    /// an agent id), "add_tags"?, "remove_tags"?, "team_id"?, "note"?, "follow"?}`.
    actions: Option<search::replies::Actions>,
    /// Only its author sees and uses it (agents who are not leads or admins must say so).
    personal: Option<bool>,
}

impl SavedReplyIn {
    fn macro_in(&self) -> search::replies::MacroIn<'_> {
        search::replies::MacroIn {
            title: self.title.as_deref().unwrap_or(""),
            body: self.body.as_deref().unwrap_or(""),
            actions: self.actions.clone().unwrap_or_default(),
            personal: self.personal.unwrap_or(false),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct SavedReplyList {
    saved_replies: Vec<search::replies::SavedReply>,
}

#[derive(Serialize, ToSchema)]
struct SavedReplyOut {
    saved_reply: search::replies::SavedReply,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SavedQuery {
    /// Words in the title or body.
    q: Option<String>,
}

async fn list_saved(
    state: AppState,
    agent: AgentRef,
    q: Result<Query<SavedQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<SavedReplyList>> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let saved_replies =
        search::replies::list(&state.db, agent.id, q.q.as_deref().unwrap_or("")).await?;
    Ok(Json(SavedReplyList { saved_replies }))
}

async fn get_saved(state: AppState, agent: AgentRef, id: &str) -> AppResult<Json<SavedReplyOut>> {
    let saved_reply =
        search::replies::get(&state.db, agent.id, path_id(id, "saved reply")?).await?;
    Ok(Json(SavedReplyOut { saved_reply }))
}

async fn create_saved(state: AppState, agent: AgentRef, body: SavedReplyIn) -> AppResult<Response> {
    let saved_reply =
        search::replies::create(&state.db, &agent, body.macro_in(), state.now()).await?;
    Ok((StatusCode::CREATED, Json(SavedReplyOut { saved_reply })).into_response())
}

async fn update_saved(
    state: AppState,
    agent: AgentRef,
    id: &str,
    body: SavedReplyIn,
) -> AppResult<Json<SavedReplyOut>> {
    let id = path_id(id, "saved reply")?;
    let saved_reply =
        search::replies::update(&state.db, &agent, id, body.macro_in(), state.now()).await?;
    Ok(Json(SavedReplyOut { saved_reply }))
}

async fn delete_saved(state: AppState, agent: AgentRef, id: &str) -> AppResult<StatusCode> {
    search::replies::delete(&state.db, &agent, path_id(id, "saved reply")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Declares the five handlers of one name of the resource (`/saved-replies` or `/macros`), each
/// with its operation.
macro_rules! saved_reply_api {
    ($base:literal, $one:literal, $tag:literal, $list:ident, $create:ident, $get:ident, $update:ident, $delete:ident) => {
        #[utoipa::path(get, path = $base, tag = $tag, params(SavedQuery),
            responses((status = 200, description = "Saved replies and macros the caller may use", body = SavedReplyList)))]
        async fn $list(
            State(state): State<AppState>,
            ApiAgent(agent): ApiAgent,
            q: Result<Query<SavedQuery>, axum::extract::rejection::QueryRejection>,
        ) -> AppResult<Json<SavedReplyList>> {
            list_saved(state, agent, q).await
        }

        #[utoipa::path(post, path = $base, tag = $tag, request_body = SavedReplyIn,
            responses((status = 201, description = "Created", body = SavedReplyOut),
                (status = 403, description = "Leads and admins make shared ones")))]
        async fn $create(
            State(state): State<AppState>,
            ApiAgent(agent): ApiAgent,
            ApiJson(body): ApiJson<SavedReplyIn>,
        ) -> AppResult<Response> {
            create_saved(state, agent, body).await
        }

        #[utoipa::path(get, path = $one, tag = $tag,
            params(("id" = i64, Path, description = "Saved reply id")),
            responses((status = 200, description = "The saved reply", body = SavedReplyOut)))]
        async fn $get(
            State(state): State<AppState>,
            ApiAgent(agent): ApiAgent,
            Path(id): Path<String>,
        ) -> AppResult<Json<SavedReplyOut>> {
            get_saved(state, agent, &id).await
        }

        #[utoipa::path(put, path = $one, tag = $tag, request_body = SavedReplyIn,
            params(("id" = i64, Path, description = "Saved reply id")),
            responses((status = 200, description = "Saved", body = SavedReplyOut),
                (status = 403, description = "Leads and admins change the shared ones")))]
        async fn $update(
            State(state): State<AppState>,
            ApiAgent(agent): ApiAgent,
            Path(id): Path<String>,
            ApiJson(body): ApiJson<SavedReplyIn>,
        ) -> AppResult<Json<SavedReplyOut>> {
            update_saved(state, agent, &id, body).await
        }

        #[utoipa::path(delete, path = $one, tag = $tag,
            params(("id" = i64, Path, description = "Saved reply id")),
            responses((status = 204, description = "Deleted"),
                (status = 403, description = "Leads and admins delete the shared ones")))]
        async fn $delete(
            State(state): State<AppState>,
            ApiAgent(agent): ApiAgent,
            Path(id): Path<String>,
        ) -> AppResult<StatusCode> {
            delete_saved(state, agent, &id).await
        }
    };
}

saved_reply_api!(
    "/saved-replies",
    "/saved-replies/{id}",
    "saved replies",
    api_list_saved,
    api_create_saved,
    api_get_saved,
    api_update_saved,
    api_delete_saved
);
saved_reply_api!(
    "/macros",
    "/macros/{id}",
    "saved replies",
    api_list_macros,
    api_create_macro,
    api_get_macro,
    api_update_macro,
    api_delete_macro
);
