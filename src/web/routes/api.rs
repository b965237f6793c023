//! JSON API under `/api/v1`, authenticated with `Authorization: Bearer <token>`.

use crate::auth::{self, NewAgent};
use crate::customers::crm;
use crate::domain::{Channel, EmailAddress, Priority, Role, Status, Visibility};
use crate::error::{AppError, AppResult};
use crate::intake::{self, IdempotencyKey, NewInbound};
use crate::state::AppState;
use crate::tickets::{self, AgentMessage, ListFilter, Queue, TicketPatch};
use crate::web::extract::{ApiAgent, ApiJson, path_id};
use crate::web::openapi::{ApiDocument, ApiRouter};
use crate::web::openapi::{StaleBody, StaleDetail};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

/// The API and its OpenAPI document; CRM event posts are limited to `crm_body_bytes` (see
/// [`crm::MAX_BATCH_BODY_BYTES`]).
pub fn routes(crm_body_bytes: usize) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let limit = DefaultBodyLimit::max(crm_body_bytes);
    let (router, api) = ApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, patch))
        .routes(routes!(list_messages, add_message))
        .routes(routes!(customer))
        .routes(routes!(customer_events))
        .routes(routes!(add_customer_events).layer(limit))
        .routes(routes!(add_crm_events).layer(limit))
        .routes(routes!(list_agents, create_agent))
        .routes(routes!(list_quarantine))
        .routes(routes!(quarantine_action))
        .routes(routes!(openapi_json))
        .merge(super::reports::api_routes())
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
        .merge(super::channels::api_routes())
        .split();
    let doc = ApiDocument::new(&api);
    let router = router
        .fallback(|| async { AppError::NotFound("endpoint") })
        .layer(axum::Extension(doc));
    (router, api)
}

/// `GET /openapi.json`: this document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = Object)))]
async fn openapi_json(axum::Extension(doc): axum::Extension<ApiDocument>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        doc.0.to_string(),
    )
        .into_response()
}

/// Path ids are parsed here so a bad id is a 404 with a JSON body, not a plain-text rejection.
#[derive(Serialize, Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct CustomerIn {
    /// Required.
    email: Option<String>,
    name: Option<String>,
}

/// A new ticket (`customer`, `subject` and `body` are required; a missing one is a 422 naming it).
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct CreateTicket {
    customer: Option<CustomerIn>,
    subject: Option<String>,
    body: Option<String>,
    #[schema(value_type = Option<Priority>)]
    priority: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct CreatedTicket {
    ticket: tickets::Ticket,
    /// The `Idempotency-Key` was seen before: this is the ticket it made (status 200).
    duplicate: bool,
}

/// An enum field (status, priority); absent is none.
pub(super) fn parse_enum<T: std::str::FromStr<Err = String>>(
    field: &str,
    v: Option<&str>,
) -> AppResult<Option<T>> {
    v.map(|s| s.parse::<T>().map_err(|e| AppError::field(field, e)))
        .transpose()
}

#[utoipa::path(post, path = "/tickets", tag = "tickets", request_body = CreateTicket,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: a repeat answers 200 with the same ticket (1-200 visible characters)")),
    responses(
        (status = 201, description = "Created", body = CreatedTicket),
        (status = 200, description = "A repeat of an `Idempotency-Key`: the ticket it made", body = CreatedTicket),
    ))]
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
        from: crate::intake::Sender::Email(from_email),
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
        gateway: None,
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
        Json(CreatedTicket {
            ticket,
            duplicate: outcome.duplicate,
        }),
    )
        .into_response())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    #[param(value_type = Option<Status>)]
    status: Option<String>,
    /// `mine`, `unassigned`, `open`, `pending`, `solved` or `all`.
    #[param(value_type = Option<String>, pattern = "^(mine|unassigned|open|pending|solved|all)$")]
    queue: Option<String>,
    #[param(value_type = Option<i64>)]
    assignee_id: Option<String>,
    #[param(value_type = Option<i64>)]
    customer_id: Option<String>,
    #[param(value_type = Option<i64>)]
    team_id: Option<String>,
    /// Only tickets with this tag.
    tag: Option<String>,
    /// `next_cursor` of the previous page.
    #[param(value_type = Option<i64>)]
    cursor: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    limit: Option<String>,
}

/// A page of tickets, newest first.
#[derive(Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<tickets::Ticket>,
    /// The `cursor` of the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

fn opt_i64(field: &str, v: Option<&str>) -> AppResult<Option<i64>> {
    v.filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| AppError::field(field, "must be an integer"))
        })
        .transpose()
}

#[utoipa::path(get, path = "/tickets", tag = "tickets", params(ListQuery),
    responses((status = 200, description = "Tickets", body = TicketPage)))]
async fn list(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<TicketPage>> {
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
    Ok(Json(TicketPage {
        items,
        next_cursor: next.map(|n| n.to_string()),
    }))
}

/// A ticket with everything on it.
#[derive(Serialize, ToSchema)]
struct TicketDetail {
    ticket: tickets::Ticket,
    tags: Vec<String>,
    /// People copied on public replies.
    cc: Vec<String>,
    /// Every message, internal notes too.
    messages: Vec<tickets::Message>,
    /// The audit history.
    events: Vec<tickets::Event>,
}

/// The ticket after a change.
#[derive(Serialize, ToSchema)]
struct TicketChanged {
    ticket: tickets::Ticket,
    tags: Vec<String>,
    cc: Vec<String>,
}

#[utoipa::path(get, path = "/tickets/{id}", tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, description = "The ticket", body = TicketDetail,
        headers(("ETag" = String, description = "The ticket's version, quoted")))))]
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
        Json(TicketDetail {
            ticket,
            tags,
            cc,
            messages,
            events,
        }),
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
    let etag = etag(ticket.version);
    let body = StaleBody {
        error: StaleDetail {
            code: "stale_version".into(),
            message: format!(
                "the ticket changed since version you sent; it is now at version {current_version}"
            ),
            field: "If-Match".into(),
            current_version,
        },
        ticket,
    };
    Ok((
        StatusCode::PRECONDITION_FAILED,
        [(header::ETAG, etag)],
        Json(body),
    )
        .into_response())
}

/// `assignee_id` distinguishes "absent" (leave as is) from `null` (unassign).
/// Any of the fields; absent ones stay as they are.
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct PatchTicket {
    #[schema(value_type = Option<Status>)]
    status: Option<String>,
    #[schema(value_type = Option<Priority>)]
    priority: Option<String>,
    /// An agent id; `null` unassigns.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
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

#[utoipa::path(patch, path = "/tickets/{id}", tag = "tickets", request_body = PatchTicket,
    params(("id" = i64, Path, description = "Ticket id"), IfMatch),
    responses(
        (status = 200, description = "Changed", body = TicketChanged,
            headers(("ETag" = String, description = "The ticket's new version"))),
        (status = 409, description = "The change is not allowed now"),
        (status = 412, description = "The ticket changed since the `If-Match` version", body = StaleBody),
    ))]
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
        Json(TicketChanged { ticket, tags, cc }),
    )
        .into_response())
}

/// `If-Match: "<version>"`: the change applies only to that version of the ticket.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
struct IfMatch {
    /// The ticket's `ETag` (`"7"`, `W/"7"` or `7`); `*` or absent means whatever is current.
    #[param(rename = "If-Match")]
    if_match: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct MessageList {
    /// Each message's visible text, full text, how it was threaded and why, delivery state.
    items: Vec<tickets::Message>,
}

#[utoipa::path(get, path = "/tickets/{id}/messages", tag = "tickets",
    params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, description = "The ticket's messages", body = MessageList)))]
async fn list_messages(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<MessageList>> {
    let id = path_id(&raw, "ticket")?;
    tickets::get_ticket(&state.db, id).await?;
    Ok(Json(MessageList {
        items: tickets::messages(&state.db, id, false).await?,
    }))
}

/// A reply or an internal note (`body` is required).
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct NewMessage {
    body: Option<String>,
    /// `public` (the default; emailed to the customer) or `internal`.
    #[schema(value_type = Option<Visibility>)]
    visibility: Option<String>,
    /// The ticket's status after the message.
    #[schema(value_type = Option<Status>)]
    status: Option<String>,
    attachments: Option<Vec<AttachmentIn>>,
}

#[derive(Serialize, Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
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

#[derive(Serialize, ToSchema)]
struct MessageAdded {
    message: Option<tickets::Message>,
}

#[utoipa::path(post, path = "/tickets/{id}/messages", tag = "tickets", request_body = NewMessage,
    params(("id" = i64, Path, description = "Ticket id"), IfMatch),
    responses(
        (status = 201, description = "Added", body = MessageAdded,
            headers(("ETag" = String, description = "The ticket's new version"))),
        (status = 409, description = "The ticket does not take messages now"),
        (status = 412, description = "The ticket changed since the `If-Match` version", body = StaleBody),
    ))]
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
        Json(MessageAdded { message }),
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
struct CustomerDetail {
    customer: crate::customers::Customer,
    profile: crm::Profile,
}

#[utoipa::path(get, path = "/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, description = "The customer and their profile", body = CustomerDetail)))]
async fn customer(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<CustomerDetail>> {
    let id = path_id(&raw, "customer")?;
    let customer = crate::customers::get(&state.db, id).await?;
    let profile = crm::profile(&state.db, id, state.now()).await?;
    Ok(Json(CustomerDetail { customer, profile }))
}

/// `POST /crm/events`: one event or `{"events": [..]}`; each names its customer.
#[utoipa::path(post, path = "/crm/events", tag = "customers", request_body = crm::EventsIn,
    responses((status = 200, description = "How many events were created and updated (upsert on `source` + `external_id`)", body = crm::UpsertOutcome)))]
async fn add_crm_events(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    ApiJson(body): ApiJson<Value>,
) -> AppResult<Json<crm::UpsertOutcome>> {
    let events = crm::parse_body(&body)?;
    let batch = body.get("events").is_some();
    let outcome = crm::upsert_events(&state.db, &events, None, batch, state.now()).await?;
    Ok(Json(outcome))
}

/// `POST /customers/{id}/events`: like `/crm/events`, for the customer in the path.
#[utoipa::path(post, path = "/customers/{id}/events", tag = "customers", request_body = crm::EventsIn,
    description = "Like `POST /crm/events`, for the customer in the path (the events must not name one).",
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, description = "How many events were created and updated", body = crm::UpsertOutcome)))]
async fn add_customer_events(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> AppResult<Json<crm::UpsertOutcome>> {
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
    Ok(Json(outcome))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct EventsQuery {
    #[param(value_type = Option<crm::EventKind>)]
    kind: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct CrmEventPage {
    items: Vec<crm::CrmEvent>,
    next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/customers/{id}/events", tag = "customers",
    params(("id" = i64, Path, description = "Customer id"), EventsQuery),
    responses((status = 200, description = "The customer's CRM events, newest first", body = CrmEventPage)))]
async fn customer_events(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
    q: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<CrmEventPage>> {
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
    Ok(Json(CrmEventPage {
        items,
        next_cursor: next.map(|c| c.render()),
    }))
}

#[derive(Serialize, ToSchema)]
struct AgentOut {
    id: i64,
    email: String,
    name: String,
    role: Role,
}

impl From<&auth::AgentRef> for AgentOut {
    fn from(a: &auth::AgentRef) -> Self {
        AgentOut {
            id: a.id,
            email: a.email.clone(),
            name: a.name.clone(),
            role: a.role,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct AgentList {
    items: Vec<AgentOut>,
}

#[derive(Serialize, ToSchema)]
struct AgentCreated {
    agent: AgentOut,
}

#[utoipa::path(get, path = "/agents", tag = "agents",
    responses((status = 200, description = "Every agent", body = AgentList),
        (status = 403, description = "Leads and admins only")))]
async fn list_agents(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
) -> AppResult<Json<AgentList>> {
    agent.require_lead()?;
    let agents = auth::list_agents(&state.db).await?;
    Ok(Json(AgentList {
        items: agents.iter().map(AgentOut::from).collect(),
    }))
}

/// A new agent (every field is required).
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct CreateAgent {
    email: Option<String>,
    name: Option<String>,
    #[schema(value_type = Option<Role>)]
    role: Option<String>,
    /// At least 12 characters and not easily guessed.
    password: Option<String>,
}

#[utoipa::path(post, path = "/agents", tag = "agents", request_body = CreateAgent,
    responses((status = 201, description = "Created", body = AgentCreated),
        (status = 403, description = "Admins only"),
        (status = 409, description = "An agent with that email address exists")))]
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
    let agent = AgentOut::from(&created);
    Ok((StatusCode::CREATED, Json(AgentCreated { agent })).into_response())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct QuarantineQuery {
    /// `true` lists resolved entries too.
    #[param(value_type = Option<bool>)]
    all: Option<String>,
    /// A reason code.
    reason: Option<String>,
    mailbox: Option<String>,
    /// `YYYY-MM-DD` or RFC 3339.
    from: Option<String>,
    /// `YYYY-MM-DD` (the whole day) or RFC 3339.
    to: Option<String>,
    #[param(value_type = Option<i64>)]
    cursor: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct QuarantinePage {
    items: Vec<crate::intake::quarantine::Held>,
    next_cursor: Option<i64>,
    /// Stored emails that became neither a message, a duplicate nor a quarantine entry (0 unless
    /// something is wrong).
    unaccounted_raw_mail: i64,
}

#[utoipa::path(get, path = "/quarantine", tag = "quarantine", params(QuarantineQuery),
    responses((status = 200, description = "Held email, newest first", body = QuarantinePage),
        (status = 403, description = "Admins only")))]
async fn list_quarantine(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    q: Result<Query<QuarantineQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<QuarantinePage>> {
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
    Ok(Json(QuarantinePage {
        items,
        next_cursor,
        unaccounted_raw_mail: unaccounted,
    }))
}

#[derive(Serialize, ToSchema)]
struct QuarantineActed {
    result: crate::intake::quarantine::Outcome,
}

#[utoipa::path(post, path = "/quarantine/{id}/{action}", tag = "quarantine",
    params(("id" = i64, Path, description = "Quarantine entry id"),
        ("action" = String, Path, description = "`retry` (run intake again), `release` (make a ticket as it is) or `dismiss`",
            pattern = "^(retry|release|dismiss)$")),
    responses((status = 200, description = "What happened", body = QuarantineActed),
        (status = 403, description = "Admins only"),
        (status = 409, description = "The entry was already resolved")))]
async fn quarantine_action(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path((raw, action)): Path<(String, String)>,
) -> AppResult<Json<QuarantineActed>> {
    agent.require_admin()?;
    let id = raw
        .parse::<i64>()
        .map_err(|_| AppError::NotFound("quarantined message"))?;
    let outcome = crate::intake::quarantine::act(&state, id, &action, &agent).await?;
    Ok(Json(QuarantineActed { result: outcome }))
}
