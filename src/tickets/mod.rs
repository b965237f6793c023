//! Tickets: reading them (queues, pages, API) and the agent's operations on them — reply, note,
//! status, priority, assignee — each recorded in the audit log and the outbox in one transaction.

pub mod repo;

use crate::auth::AgentRef;
use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::domain::{AuthorKind, Priority, Status, Visibility};
use crate::error::{AppError, AppResult};
use crate::outbox;
use serde::Serialize;
use serde_json::json;

pub use repo::{ListFilter, Queue, events, get_ticket, list_tickets, messages};

#[derive(Debug, Clone, Serialize)]
pub struct Ticket {
    pub id: i64,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub channel: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub customer_email: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub follow_up_of_id: Option<i64>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub first_response_at: Option<Millis>,
    pub solved_at: Option<Millis>,
    pub closed_at: Option<Millis>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub id: i64,
    pub ticket_id: i64,
    pub author_kind: AuthorKind,
    pub author_name: String,
    pub visibility: Visibility,
    /// What is shown: for email, the new part without quoted history and signature.
    pub body_text: String,
    /// The whole text as received (email only), behind "show full message".
    pub full_text: Option<String>,
    /// How an inbound message was threaded onto this ticket, and why.
    pub thread_reason: Option<String>,
    /// `normal` or `auto_reply` for inbound email.
    pub mail_kind: Option<String>,
    /// Outbound email: `queued`, `sent` or `failed`.
    pub delivery_status: Option<String>,
    pub delivery_error: Option<String>,
    pub email_message_id: Option<String>,
    pub created_at: Millis,
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: i64,
    pub actor: String,
    pub kind: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub detail: Option<String>,
    pub created_at: Millis,
}

/// Who caused a change, for the audit log.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    Agent(&'a AgentRef),
    Customer,
    System,
}

impl Actor<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Actor::Agent(_) => "agent",
            Actor::Customer => "customer",
            Actor::System => "system",
        }
    }
    fn agent_id(&self) -> Option<i64> {
        match self {
            Actor::Agent(a) => Some(a.id),
            _ => None,
        }
    }
}

pub struct EventRecord<'a> {
    pub ticket_id: i64,
    pub kind: &'a str,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
    pub detail: Option<&'a str>,
}

pub async fn record_event(
    tx: &mut Tx,
    actor: Actor<'_>,
    ev: EventRecord<'_>,
    now: Millis,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO ticket_event (ticket_id, actor_kind, agent_id, kind, old_value, new_value, detail, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(ev.ticket_id)
    .bind(actor.kind())
    .bind(actor.agent_id())
    .bind(ev.kind)
    .bind(ev.old)
    .bind(ev.new)
    .bind(ev.detail)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves a ticket to `to` (checking the lifecycle), stamping solved/closed times and logging it.
pub async fn set_status(
    tx: &mut Tx,
    actor: Actor<'_>,
    ticket_id: i64,
    from: Status,
    to: Status,
    now: Millis,
) -> AppResult<()> {
    if from == to {
        return Ok(());
    }
    if !from.can_move_to(to) {
        return Err(AppError::field(
            "status",
            format!("cannot change from {from} to {to}"),
        ));
    }
    sqlx::query(
        "UPDATE ticket SET status = $1, updated_at = $2,
            solved_at = CASE WHEN $1 = 'solved' THEN $2 WHEN $1 IN ('open','pending','new') THEN NULL ELSE solved_at END,
            closed_at = CASE WHEN $1 = 'closed' THEN $2 ELSE closed_at END
         WHERE ticket_id = $3",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(ticket_id)
    .execute(&mut **tx)
    .await?;
    record_event(
        tx,
        actor,
        EventRecord {
            ticket_id,
            kind: "status",
            old: Some(from.as_str()),
            new: Some(to.as_str()),
            detail: None,
        },
        now,
    )
    .await?;
    if to == Status::Solved {
        outbox::enqueue(tx, "ticket.solved", &json!({"ticket_id": ticket_id}), now).await?;
    }
    crate::assign::on_status_change(tx, ticket_id, from, to, now).await?;
    Ok(())
}

/// An agent's reply (public) or internal note.
#[derive(Debug, Clone)]
pub struct AgentMessage {
    pub body: String,
    pub visibility: Visibility,
    /// Status to set along with the message; a public reply to a new ticket opens it by default.
    pub status: Option<Status>,
    /// Files sent with the reply (and attached to its email).
    pub attachments: Vec<crate::intake::NewAttachment>,
}

pub const MAX_BODY_CHARS: usize = 100_000;

pub fn validate_body(field: &str, body: &str) -> AppResult<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::field(field, "is required"));
    }
    if body.contains('\0') {
        return Err(AppError::field(field, "must not contain NUL characters"));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(AppError::field(
            field,
            format!("is too long ({MAX_BODY_CHARS} characters at most)"),
        ));
    }
    Ok(body.to_string())
}

#[tracing::instrument(skip_all, fields(ticket_id))]
pub async fn add_agent_message(
    db: &Db,
    agent: &AgentRef,
    ticket_id: i64,
    msg: AgentMessage,
    now: Millis,
) -> AppResult<i64> {
    let body = validate_body("body", &msg.body)?;
    let mut tx = db.begin().await?;
    let (status, first_response_at) = repo::lock_ticket(&mut tx, ticket_id).await?;
    let message_id: i64 = sqlx::query_scalar(
        "INSERT INTO message (ticket_id, author_kind, agent_id, visibility, body_text, created_at)
         VALUES ($1, 'agent', $2, $3, $4, $5) RETURNING message_id",
    )
    .bind(ticket_id)
    .bind(agent.id)
    .bind(msg.visibility.as_str())
    .bind(&body)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    crate::intake::store_attachments(&mut tx, message_id, &msg.attachments, now).await?;
    let public = msg.visibility == Visibility::Public;
    let kind = if public { "reply" } else { "note" };
    record_event(
        &mut tx,
        Actor::Agent(agent),
        EventRecord {
            ticket_id,
            kind,
            old: None,
            new: None,
            detail: Some(&format!("message {message_id}")),
        },
        now,
    )
    .await?;
    sqlx::query(
        "UPDATE ticket SET updated_at = $1, first_response_at = CASE WHEN $2 = 1 AND first_response_at IS NULL THEN $1 ELSE first_response_at END
         WHERE ticket_id = $3",
    )
    .bind(now)
    .bind(i64::from(public))
    .bind(ticket_id)
    .execute(&mut *tx)
    .await?;
    if public && first_response_at.is_none() {
        record_event(
            &mut tx,
            Actor::Agent(agent),
            EventRecord {
                ticket_id,
                kind: "first_response",
                old: None,
                new: None,
                detail: None,
            },
            now,
        )
        .await?;
    }
    let target = msg
        .status
        .or((public && status == Status::New).then_some(Status::Open));
    if let Some(to) = target {
        set_status(&mut tx, Actor::Agent(agent), ticket_id, status, to, now).await?;
    }
    if public {
        outbox::enqueue(
            &mut tx,
            "message.sent",
            &json!({"ticket_id": ticket_id, "message_id": message_id}),
            now,
        )
        .await?;
    }
    crate::sla::store::refresh(&mut tx, ticket_id, now).await?;
    crate::search::enqueue_index(&mut tx, ticket_id, now).await?;
    tx.commit().await?;
    Ok(message_id)
}

/// A partial update from the UI or `PATCH /api/v1/tickets/{id}`.
#[derive(Debug, Clone, Default)]
pub struct TicketPatch {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    /// `Some(None)` unassigns.
    pub assignee_id: Option<Option<i64>>,
    pub subject: Option<String>,
}

#[tracing::instrument(skip_all, fields(ticket_id))]
pub async fn update_ticket(
    db: &Db,
    agent: &AgentRef,
    ticket_id: i64,
    patch: TicketPatch,
    now: Millis,
) -> AppResult<()> {
    if let Some(subject) = &patch.subject {
        validate_subject(subject)?;
    }
    if let Some(Some(assignee)) = patch.assignee_id
        && !crate::auth::agent_exists(db, assignee).await?
    {
        return Err(AppError::field("assignee_id", "is not an active agent"));
    }
    let mut tx = db.begin().await?;
    let current = repo::get_ticket_tx(&mut tx, ticket_id).await?;
    let actor = Actor::Agent(agent);
    if let Some(to) = patch.status {
        set_status(&mut tx, actor, ticket_id, current.status, to, now).await?;
    }
    if let Some(p) = patch.priority.filter(|p| *p != current.priority) {
        sqlx::query("UPDATE ticket SET priority = $1, updated_at = $2 WHERE ticket_id = $3")
            .bind(p.as_str())
            .bind(now)
            .bind(ticket_id)
            .execute(&mut *tx)
            .await?;
        record_event(
            &mut tx,
            actor,
            EventRecord {
                ticket_id,
                kind: "priority",
                old: Some(current.priority.as_str()),
                new: Some(p.as_str()),
                detail: None,
            },
            now,
        )
        .await?;
    }
    if let Some(a) = patch.assignee_id.filter(|a| *a != current.assignee_id) {
        sqlx::query("UPDATE ticket SET assignee_id = $1, updated_at = $2 WHERE ticket_id = $3")
            .bind(a)
            .bind(now)
            .bind(ticket_id)
            .execute(&mut *tx)
            .await?;
        let old = current.assignee_id.map(|v| v.to_string());
        let new = a.map(|v| v.to_string());
        record_event(
            &mut tx,
            actor,
            EventRecord {
                ticket_id,
                kind: "assignee",
                old: old.as_deref(),
                new: new.as_deref(),
                detail: None,
            },
            now,
        )
        .await?;
        crate::assign::on_assignee_change(&mut tx, ticket_id, current.assignee_id, a, now).await?;
    }
    if let Some(s) = patch
        .subject
        .map(|s| s.trim().to_string())
        .filter(|s| *s != current.subject)
    {
        sqlx::query("UPDATE ticket SET subject = $1, updated_at = $2 WHERE ticket_id = $3")
            .bind(&s)
            .bind(now)
            .bind(ticket_id)
            .execute(&mut *tx)
            .await?;
        record_event(
            &mut tx,
            actor,
            EventRecord {
                ticket_id,
                kind: "subject",
                old: Some(&current.subject),
                new: Some(&s),
                detail: None,
            },
            now,
        )
        .await?;
    }
    crate::sla::store::refresh(&mut tx, ticket_id, now).await?;
    crate::search::enqueue_index(&mut tx, ticket_id, now).await?;
    tx.commit().await?;
    Ok(())
}

pub const MAX_SUBJECT_CHARS: usize = 250;

pub fn validate_subject(subject: &str) -> AppResult<String> {
    let s = subject.trim();
    if s.is_empty() {
        return Err(AppError::field("subject", "is required"));
    }
    if s.chars().count() > MAX_SUBJECT_CHARS {
        return Err(AppError::field(
            "subject",
            format!("is too long ({MAX_SUBJECT_CHARS} characters at most)"),
        ));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(AppError::field("subject", "must be a single line"));
    }
    Ok(s.to_string())
}
