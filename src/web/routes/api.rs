//! JSON API under `/api/v1`, authenticated with `Authorization: Bearer <token>`.

use crate::auth::{self, NewAgent};
use crate::customers::crm;
use crate::domain::{Channel, EmailAddress, Priority, Role, Status, Visibility};
use crate::error::{AppError, AppResult};
use crate::intake::{self, IdempotencyKey, NewInbound};
use crate::state::AppState;
use crate::tickets::{self, AgentMessage, ListFilter, Queue, TicketPatch};
use crate::web::extract::{ApiAgent, ApiJson, path_id};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

/// The API; CRM event posts are limited to `crm_body_bytes` (see
/// [`crm::MAX_BATCH_BODY_BYTES`]).
pub fn routes(crm_body_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/tickets", get(list).post(create))
        .route("/tickets/{id}", get(show).patch(patch))
        .route(
            "/tickets/{id}/messages",
            get(list_messages).post(add_message),
        )
        .route("/customers/{id}", get(customer))
        .route(
            "/customers/{id}/events",
            get(customer_events)
                .post(add_customer_events.layer(DefaultBodyLimit::max(crm_body_bytes))),
        )
        .route(
            "/crm/events",
            axum::routing::post(add_crm_events.layer(DefaultBodyLimit::max(crm_body_bytes))),
        )
        .route("/agents", get(list_agents).post(create_agent))
        .route("/quarantine", get(list_quarantine))
        .route("/reports/{name}", get(super::reports::api_report))
        .route(
            "/quarantine/{id}/{action}",
            axum::routing::post(quarantine_action),
        )
        .merge(super::assign_api::routes())
        .merge(super::sla::api_routes())
        .merge(super::notifications::api_routes())
        .merge(super::tags::api_routes())
        .merge(super::bulk::api_routes())
        .merge(super::merge::api_routes())
        .merge(super::views::api_routes())
        .merge(super::links::api_routes())
        .merge(super::crm_api::routes(crm_body_bytes))
        .merge(super::search::api_routes())
        .merge(super::events::api_routes())
        .merge(super::webhooks::api_routes())
        .fallback(|| async { AppError::NotFound("endpoint") })
}

/// Path ids are parsed here so a bad id is a 404 with a JSON body, not a plain-text rejection.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerIn {
    email: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateTicket {
    customer: Option<CustomerIn>,
    subject: Option<String>,
    body: Option<String>,
    priority: Option<String>,
}

/// An enum field (status, priority); absent is none.
pub(super) fn parse_enum<T: std::str::FromStr<Err = String>>(
    field: &str,
    v: Option<&str>,
) -> AppResult<Option<T>> {
    v.map(|s| s.parse::<T>().map_err(|e| AppError::field(field, e)))
        .transpose()
}

async fn create(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateTicket>,
) -> AppResult<Response> {
    let customer = body
        .customer
        .ok_or_else(|| AppError::field("customer", "is required"))?;
    let email = customer
        .email
        .ok_or_else(|| AppError::field("customer.email", "is required"))?;
    let from_email =
        EmailAddress::parse(&email).map_err(|m| AppError::field("customer.email", m))?;
    if customer
        .name
        .as_deref()
        .is_some_and(|n| n.chars().any(char::is_control))
    {
        return Err(AppError::field("customer.name", "must be a single line"));
    }
    if customer
        .name
        .as_deref()
        .is_some_and(|n| n.chars().count() > 200)
    {
        return Err(AppError::field(
            "customer.name",
            "is too long (200 characters at most)",
        ));
    }
    let subject = body
        .subject
        .ok_or_else(|| AppError::field("subject", "is required"))?;
    let text = body
        .body
        .ok_or_else(|| AppError::field("body", "is required"))?;
    tickets::validate_body("body", &text)?;
    let priority = parse_enum::<Priority>("priority", body.priority.as_deref())?;
    let idempotency = match headers.get("idempotency-key") {
        None => None,
        Some(v) => {
            let key = v
                .to_str()
                .ok()
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .ok_or_else(|| {
                    AppError::field("Idempotency-Key", "must be 1-200 visible characters")
                })?;
            Some(IdempotencyKey {
                scope: intake::api_scope(agent.id),
                key: key.to_string(),
            })
        }
    };
    let inbound = NewInbound {
        channel: Channel::Api,
        from_email,
        from_name: customer.name,
        subject,
        body_text: text,
        body_html: None,
        attachments: vec![],
        idempotency,
        ticket_id: None,
        priority,
        issue_link: false,
        language: Default::default(),
        email: None,
    };
    let outcome = intake::receive(&state.db, &inbound, state.now()).await?;
    if outcome.created_ticket {
        state.metrics.ticket_created(Channel::Api);
    }
    let ticket = tickets::get_ticket(&state.db, outcome.ticket_id).await?;
    let status = if outcome.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(json!({"ticket": ticket, "duplicate": outcome.duplicate})),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    status: Option<String>,
    queue: Option<String>,
    assignee_id: Option<String>,
    customer_id: Option<String>,
    team_id: Option<String>,
    /// Only tickets with this tag.
    tag: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

fn opt_i64(field: &str, v: Option<&str>) -> AppResult<Option<i64>> {
    v.filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| AppError::field(field, "must be an integer"))
        })
        .transpose()
}

async fn list(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<Value>> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let queue = match q.queue.as_deref() {
        None | Some("") => None,
        Some(k) => Some(Queue::parse(k).ok_or_else(|| {
            AppError::field(
                "queue",
                "must be one of: mine, unassigned, open, pending, solved, all",
            )
        })?),
    };
    let limit = opt_i64("limit", q.limit.as_deref())?.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::field("limit", "must be between 1 and 200"));
    }
    let filter = ListFilter {
        queue,
        status: parse_enum::<Status>("status", q.status.as_deref().filter(|s| !s.is_empty()))?,
        assignee_id: opt_i64("assignee_id", q.assignee_id.as_deref())?,
        customer_id: opt_i64("customer_id", q.customer_id.as_deref())?,
        before_id: opt_i64("cursor", q.cursor.as_deref())?,
        team_id: opt_i64("team_id", q.team_id.as_deref())?,
        tag: tag_filter(q.tag.as_deref())?,
        limit,
        ..Default::default()
    };
    let (items, next) = tickets::list_tickets(&state.db, agent.id, &filter).await?;
    Ok(Json(
        json!({"items": items, "next_cursor": next.map(|n| n.to_string())}),
    ))
}

async fn show(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let id = path_id(&raw, "ticket")?;
    let ticket = tickets::get_ticket(&state.db, id).await?;
    let messages = tickets::messages(&state.db, id, false).await?;
    let events = tickets::events(&state.db, id).await?;
    let tags = tickets::tags(&state.db, id).await?;
    let cc = tickets::cc(&state.db, id).await?;
    let etag = etag(ticket.version);
    Ok((
        [(header::ETAG, etag)],
        Json(
            json!({"ticket": ticket, "tags": tags, "cc": cc, "messages": messages, "events": events}),
        ),
    )
        .into_response())
}

/// `?tag=`: one tag, cleaned like tags are stored; empty means no filter.
pub fn tag_filter(raw: Option<&str>) -> AppResult<Option<String>> {
    let raw: Vec<String> = raw.into_iter().map(str::to_string).collect();
    Ok(tickets::clean_tags("tag", &raw)?.into_iter().next())
}

/// A ticket's entity tag: its version, quoted.
fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version an `If-Match` header names: `"7"` (as sent in `ETag`), `W/"7"` or `7`; `*` or no
/// header means whatever is current.
fn if_match(headers: &HeaderMap) -> AppResult<tickets::Expect> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return Ok(tickets::Expect::Any);
    };
    let bad = || AppError::field("If-Match", "must be the ticket's ETag, such as \"3\"");
    let text = raw.to_str().map_err(|_| bad())?.trim();
    if text == "*" {
        return Ok(tickets::Expect::Any);
    }
    let text = text.strip_prefix("W/").unwrap_or(text);
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    text.parse::<i64>()
        .ok()
        .filter(|v| *v >= 0)
        .map(tickets::Expect::Version)
        .ok_or_else(bad)
}

/// 412 with the ticket as it is now, so the caller can show what changed and try again.
async fn stale(state: &AppState, id: i64, err: AppError) -> AppResult<Response> {
    let AppError::Stale { current_version } = err else {
        return Err(err);
    };
    let ticket = tickets::get_ticket(&state.db, id).await?;
    let body = json!({
        "error": {
            "code": "stale_version",
            "message": format!("the ticket changed since version you sent; it is now at version {current_version}"),
            "field": "If-Match",
            "current_version": current_version,
        },
        "ticket": ticket,
    });
    Ok((
        StatusCode::PRECONDITION_FAILED,
        [(header::ETAG, etag(ticket.version))],
        Json(body),
    )
        .into_response())
}

/// `assignee_id` distinguishes "absent" (leave as is) from `null` (unassign).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchTicket {
    status: Option<String>,
    priority: Option<String>,
    #[serde(default, deserialize_with = "present")]
    assignee_id: Option<Option<i64>>,
    subject: Option<String>,
    /// Tags to add (lower-cased; at most 20, 50 characters each).
    add_tags: Option<Vec<String>>,
    /// Tags to remove; ones the ticket does not have are ignored.
    remove_tags: Option<Vec<String>>,
    /// People to copy on public replies (email addresses; at most 20 on a ticket).
    add_cc: Option<Vec<String>>,
    remove_cc: Option<Vec<String>>,
}

pub(super) fn present<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

async fn patch(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PatchTicket>,
) -> AppResult<Response> {
    let id = path_id(&raw, "ticket")?;
    let expect = if_match(&headers)?;
    let patch = TicketPatch {
        status: parse_enum("status", body.status.as_deref())?,
        priority: parse_enum("priority", body.priority.as_deref())?,
        assignee_id: body.assignee_id,
        subject: body.subject,
        add_tags: body.add_tags.unwrap_or_default(),
        remove_tags: body.remove_tags.unwrap_or_default(),
        add_cc: body.add_cc.unwrap_or_default(),
        remove_cc: body.remove_cc.unwrap_or_default(),
    };
    if let Err(err) =
        tickets::update_ticket(&state.db, &agent, id, patch, expect, state.now()).await
    {
        return stale(&state, id, err).await;
    }
    let ticket = tickets::get_ticket(&state.db, id).await?;
    let tags = tickets::tags(&state.db, id).await?;
    let cc = tickets::cc(&state.db, id).await?;
    Ok((
        [(header::ETAG, etag(ticket.version))],
        Json(json!({"ticket": ticket, "tags": tags, "cc": cc})),
    )
        .into_response())
}

async fn list_messages(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<Value>> {
    let id = path_id(&raw, "ticket")?;
    tickets::get_ticket(&state.db, id).await?;
    Ok(Json(
        json!({"items": tickets::messages(&state.db, id, false).await?}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewMessage {
    body: Option<String>,
    visibility: Option<String>,
    status: Option<String>,
    attachments: Option<Vec<AttachmentIn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentIn {
    filename: Option<String>,
    content_type: Option<String>,
    /// The file's bytes, standard base64.
    content_base64: Option<String>,
}

fn decode_attachments(
    list: Vec<AttachmentIn>,
    max_bytes: usize,
) -> AppResult<Vec<crate::intake::NewAttachment>> {
    use base64::Engine;
    crate::tickets::check_file_count("attachments", list.len())?;
    list.into_iter()
        .enumerate()
        .map(|(i, a)| {
            let filename = a
                .filename
                .map(|f| crate::domain::single_line(&f).replace(['/', '\\'], "_"))
                .filter(|f| !f.is_empty() && f.chars().count() <= 200)
                .ok_or_else(|| {
                    AppError::field(
                        format!("attachments[{i}].filename"),
                        "is required (200 characters at most)",
                    )
                })?;
            let content = base64::engine::general_purpose::STANDARD
                .decode(a.content_base64.as_deref().unwrap_or("").trim())
                .map_err(|_| {
                    AppError::field(
                        format!("attachments[{i}].content_base64"),
                        "is not valid base64",
                    )
                })?;
            if content.len() > max_bytes {
                return Err(AppError::field(
                    format!("attachments[{i}].content_base64"),
                    format!("is too large ({} KB at most)", max_bytes / 1024),
                ));
            }
            let content_type = a
                .content_type
                .map(|c| crate::domain::single_line(&c))
                .filter(|c| c.contains('/') && c.len() <= 100)
                .unwrap_or_else(|| "application/octet-stream".into());
            Ok(crate::intake::NewAttachment {
                filename,
                content_type,
                content,
            })
        })
        .collect()
}

async fn add_message(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewMessage>,
) -> AppResult<Response> {
    let id = path_id(&raw, "ticket")?;
    let expect = if_match(&headers)?;
    let msg = AgentMessage {
        body: body
            .body
            .ok_or_else(|| AppError::field("body", "is required"))?,
        visibility: parse_enum::<Visibility>("visibility", body.visibility.as_deref())?
            .unwrap_or(Visibility::Public),
        status: parse_enum("status", body.status.as_deref())?,
        attachments: decode_attachments(
            body.attachments.unwrap_or_default(),
            state.config.max_attachment_bytes,
        )?,
    };
    let (message_id, saved) =
        match tickets::add_agent_message(&state.db, &agent, id, msg, expect, state.now()).await {
            Ok(done) => done,
            Err(err) => return stale(&state, id, err).await,
        };
    let messages = tickets::messages(&state.db, id, false).await?;
    let message = messages.into_iter().find(|m| m.id == message_id);
    Ok((
        StatusCode::CREATED,
        [(header::ETAG, etag(saved.version))],
        Json(json!({"message": message})),
    )
        .into_response())
}

async fn customer(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<Value>> {
    let id = path_id(&raw, "customer")?;
    let customer = crate::customers::get(&state.db, id).await?;
    let profile = crm::profile(&state.db, id, state.now()).await?;
    Ok(Json(json!({"customer": customer, "profile": profile})))
}

/// `POST /crm/events`: one event or `{"events": [..]}`; each names its customer.
async fn add_crm_events(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    ApiJson(body): ApiJson<Value>,
) -> AppResult<Json<Value>> {
    let events = crm::parse_body(&body)?;
    let batch = body.get("events").is_some();
    let outcome = crm::upsert_events(&state.db, &events, None, batch, state.now()).await?;
    Ok(Json(json!(outcome)))
}

/// `POST /customers/{id}/events`: like `/crm/events`, for the customer in the path.
async fn add_customer_events(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> AppResult<Json<Value>> {
    let id = path_id(&raw, "customer")?;
    crate::customers::get(&state.db, id).await?;
    let events = crm::parse_body(&body)?;
    let batch = body.get("events").is_some();
    for (i, ev) in events.iter().enumerate() {
        if ev.customer.is_some() {
            let field = if batch {
                format!("events[{i}].customer_id")
            } else {
                "customer_id".into()
            };
            return Err(AppError::field(field, "is given by the path"));
        }
    }
    let outcome = crm::upsert_events(&state.db, &events, Some(id), batch, state.now()).await?;
    Ok(Json(json!(outcome)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsQuery {
    kind: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

async fn customer_events(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
    q: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<Value>> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let id = path_id(&raw, "customer")?;
    crate::customers::get(&state.db, id).await?;
    let kind = match q.kind.as_deref() {
        None | Some("") => None,
        Some(k) => Some(
            crm::EventKind::parse(k)
                .ok_or_else(|| AppError::field("kind", "is not a known event kind"))?,
        ),
    };
    let after = match q.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => Some(
            crm::EventCursor::parse(c)
                .ok_or_else(|| AppError::field("cursor", "is not a cursor from a previous page"))?,
        ),
    };
    let limit = opt_i64("limit", q.limit.as_deref())?.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::field("limit", "must be between 1 and 200"));
    }
    let filter = crm::EventFilter { kind, after, limit };
    let (items, next) = crm::list_events(&state.db, id, &filter).await?;
    Ok(Json(
        json!({"items": items, "next_cursor": next.map(|c| c.render())}),
    ))
}

async fn list_agents(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
) -> AppResult<Json<Value>> {
    agent.require_lead()?;
    let agents = auth::list_agents(&state.db).await?;
    let items: Vec<Value> = agents
        .iter()
        .map(|a| json!({"id": a.id, "email": a.email, "name": a.name, "role": a.role}))
        .collect();
    Ok(Json(json!({"items": items})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateAgent {
    email: Option<String>,
    name: Option<String>,
    role: Option<String>,
    password: Option<String>,
}

async fn create_agent(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(body): ApiJson<CreateAgent>,
) -> AppResult<Response> {
    agent.require_admin()?;
    let role = parse_enum::<Role>("role", body.role.as_deref())?
        .ok_or_else(|| AppError::field("role", "is required"))?;
    let created = auth::create_agent(
        &state.db,
        NewAgent {
            email: body.email.as_deref().unwrap_or(""),
            name: body.name.as_deref().unwrap_or(""),
            role,
            password: body.password.as_deref().unwrap_or(""),
        },
        state.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({"agent": {"id": created.id, "email": created.email, "name": created.name, "role": created.role}}))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuarantineQuery {
    all: Option<String>,
    reason: Option<String>,
    mailbox: Option<String>,
    from: Option<String>,
    to: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

async fn list_quarantine(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    q: Result<Query<QuarantineQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<Value>> {
    agent.require_admin()?;
    let Query(q) = q.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let text = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let time = |field: &str, v: Option<String>, end: bool| -> AppResult<Option<i64>> {
        text(v)
            .map(|s| super::search::parse_time(field, &s, end))
            .transpose()
    };
    let filter = crate::intake::quarantine::Filter {
        include_resolved: matches!(q.all.as_deref(), Some("1") | Some("true")),
        reason: text(q.reason),
        mailbox: text(q.mailbox),
        from: time("from", q.from, false)?,
        to: time("to", q.to, true)?,
        before_id: opt_i64("cursor", q.cursor.as_deref().map(str::trim))?,
        limit: match opt_i64("limit", q.limit.as_deref().map(str::trim))? {
            None => 100,
            Some(n) if (1..=500).contains(&n) => n,
            Some(_) => return Err(AppError::field("limit", "must be between 1 and 500")),
        },
    };
    let (items, next_cursor) = crate::intake::quarantine::list(&state, &filter).await?;
    let unaccounted = crate::intake::email::unaccounted(&state.db, state.now()).await?;
    Ok(Json(json!({
        "items": items,
        "next_cursor": next_cursor,
        "unaccounted_raw_mail": unaccounted,
    })))
}

async fn quarantine_action(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path((raw, action)): Path<(String, String)>,
) -> AppResult<Json<Value>> {
    agent.require_admin()?;
    let id = raw
        .parse::<i64>()
        .map_err(|_| AppError::NotFound("quarantined message"))?;
    let outcome = crate::intake::quarantine::act(&state, id, &action, &agent).await?;
    Ok(Json(json!({"result": outcome})))
}
