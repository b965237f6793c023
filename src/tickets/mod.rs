//! Tickets: reading them (queues, pages, API) and the agent's operations on them — reply, note,
//! status, priority, assignee — each recorded in the audit log and the outbox in one transaction.

pub mod bulk;
pub mod commands;
pub mod drafts;
pub mod links;
pub mod merge;
pub mod repo;
pub mod views;

use crate::auth::AgentRef;
use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::domain::{AuthorKind, Priority, Status, Visibility};
use crate::error::{AppError, AppResult};
use crate::outbox;
use serde::Serialize;
use sqlx::Row;

pub use commands::{Expect, NewMessage, Saved, record_event};
pub use repo::{ListFilter, Queue, events, get_ticket, known_tags, list_tickets, messages, tags};

#[derive(utoipa::ToSchema, Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Ticket {
    #[sqlx(rename = "ticket_id")]
    pub id: i64,
    pub subject: String,
    #[sqlx(try_from = "String")]
    pub status: Status,
    #[sqlx(try_from = "String")]
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
    /// Bumped by every change; the API's `ETag` and the forms' `version` field.
    pub version: i64,
    /// The ticket this one was merged into (it is then closed).
    pub merged_into_id: Option<i64>,
    /// The team the ticket is routed to.
    pub team_id: Option<i64>,
}

#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct Attachment {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
}

#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
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
    /// How an inbound message was threaded onto this ticket, and why (in English).
    pub thread_reason: Option<String>,
    /// The same in each reader's language.
    #[serde(skip)]
    pub thread_reason_note: Option<crate::i18n::Note>,
    /// `normal` or `auto_reply` for inbound email.
    pub mail_kind: Option<String>,
    /// Outbound email: `queued`, `sent` or `failed`.
    pub delivery_status: Option<String>,
    pub delivery_error: Option<String>,
    pub email_message_id: Option<String>,
    /// The channel it came through or went out on (`email`, `web`, `api`, `sms`, `chat`,
    /// `social`); none when unknown (messages from before channels were recorded).
    pub channel: Option<String>,
    /// The connected gateway's name, for a message through one.
    pub gateway_name: Option<String>,
    /// The gateway's id for the message (inbound: the one it sent; a reply: the one it answered).
    pub external_id: Option<String>,
    pub created_at: Millis,
    pub attachments: Vec<Attachment>,
}

#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct Event {
    pub id: i64,
    pub actor: String,
    pub kind: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub detail: Option<String>,
    /// The detail in each reader's language, where it was recorded as a message.
    #[serde(skip)]
    pub detail_note: Option<crate::i18n::Note>,
    pub created_at: Millis,
}

impl Event {
    /// The detail in the current language (or as recorded).
    pub fn detail_text(&self) -> Option<String> {
        crate::i18n::Note::render_stored(self.detail_note.as_ref(), self.detail.as_deref())
    }
}

/// Who caused a change, for the audit log.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    Agent(&'a AgentRef),
    Customer,
    System,
}

pub struct EventRecord<'a> {
    pub ticket_id: i64,
    pub kind: &'a str,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
    pub detail: Option<&'a str>,
    /// The detail as a message rendered in each reader's language (`detail` is its English).
    pub note: Option<&'a crate::i18n::Note>,
}

/// A file arriving with a message (a customer's email or form, an agent's reply).
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// An agent's reply (public) or internal note.
#[derive(Debug, Clone)]
pub struct AgentMessage {
    pub body: String,
    pub visibility: Visibility,
    /// Status to set along with the message; a public reply to a new ticket opens it by default.
    pub status: Option<Status>,
    /// Files sent with the reply (and attached to its email).
    pub attachments: Vec<NewAttachment>,
}

pub const MAX_BODY_CHARS: usize = 100_000;

/// Files one message may carry, whichever way it comes.
pub const MAX_ATTACHMENTS: usize = 50;

/// What is said of a message with more than [`MAX_ATTACHMENTS`] files.
pub fn too_many_files() -> String {
    t!("error-too-many-files", max = MAX_ATTACHMENTS)
}

/// Refuses more than [`MAX_ATTACHMENTS`] files on one message, naming `field`.
pub fn check_file_count(field: &str, files: usize) -> AppResult<()> {
    if files > MAX_ATTACHMENTS {
        return Err(AppError::field(field, too_many_files()));
    }
    Ok(())
}

pub fn validate_body(field: &str, body: &str) -> AppResult<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::field(field, t!("error-required")));
    }
    if body.contains('\0') {
        return Err(AppError::nul(field));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(AppError::field(
            field,
            t!("error-too-long-chars", max = MAX_BODY_CHARS),
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
    expect: Expect,
    now: Millis,
) -> AppResult<(i64, Saved)> {
    let body = validate_body("body", &msg.body)?;
    let mut tx = db.begin().await?;
    let mut edit = commands::open(&mut tx, ticket_id, Actor::Agent(agent), expect, now).await?;
    let message_id = edit
        .add_message(
            &mut tx,
            &NewMessage {
                author_kind: "agent",
                agent_id: Some(agent.id),
                visibility: Some(msg.visibility),
                body_text: &body,
                attachments: &msg.attachments,
                ..Default::default()
            },
        )
        .await?;
    let public = msg.visibility == Visibility::Public;
    let target = msg
        .status
        .or((public && edit.current.status == Status::New).then_some(Status::Open));
    if let Some(to) = target {
        edit.set_status(&mut tx, to, None).await?;
    }
    // A messaging gateway's ticket is answered through its gateway, never by email.
    if public && !crate::channels::queue_reply(&mut tx, ticket_id, message_id, now).await? {
        let job = outbox::Job::MessageSent {
            ticket_id,
            message_id,
            automatic: false,
        };
        outbox::enqueue(&mut tx, &job, now).await?;
    }
    let saved = edit.save(&mut tx).await?;
    tx.commit().await?;
    Ok((message_id, saved))
}

/// A partial update from the UI or `PATCH /api/v1/tickets/{id}`.
#[derive(Debug, Clone, Default)]
pub struct TicketPatch {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    /// `Some(None)` unassigns.
    pub assignee_id: Option<Option<i64>>,
    pub subject: Option<String>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub add_cc: Vec<String>,
    pub remove_cc: Vec<String>,
}

/// The most people copied on one ticket.
pub const MAX_CC: usize = 20;

/// Addresses to copy, as typed: each must be one valid address; lower-cased, deduplicated.
pub fn clean_cc(field: &str, raw: &[String]) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for (i, a) in raw.iter().enumerate() {
        let a = a.trim();
        if a.is_empty() {
            continue;
        }
        let parsed = crate::domain::EmailAddress::parse(a)
            .map_err(|_| AppError::field(format!("{field}[{i}]"), t!("error-not-email")))?;
        let a = parsed.as_str().to_string();
        if !out.contains(&a) {
            out.push(a);
        }
    }
    if out.len() > MAX_CC {
        return Err(AppError::field(
            field,
            t!("error-too-many-cc", max = MAX_CC),
        ));
    }
    Ok(out)
}

/// The customer copies someone on their ticket (from the private link page).
pub async fn customer_adds_cc(
    db: &Db,
    ticket_id: i64,
    address: &str,
    now: Millis,
) -> AppResult<()> {
    let add = clean_cc("address", &[address.to_string()])?;
    if add.is_empty() {
        return Err(AppError::field("address", t!("error-required")));
    }
    let mut tx = db.begin().await?;
    let mut edit = commands::open(&mut tx, ticket_id, Actor::Customer, Expect::Any, now).await?;
    edit.add_cc(&mut tx, &add, "customer")
        .await
        .map_err(|e| match e {
            AppError::Validation { message, .. } => AppError::field("address", message),
            other => other,
        })?;
    edit.save(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The people copied on a ticket, in the order they were added.
pub async fn cc(db: &Db, ticket_id: i64) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT address FROM ticket_cc WHERE ticket_id = $1 ORDER BY created_at, address",
    )
    .bind(ticket_id)
    .fetch_all(&db.pool)
    .await?)
}

/// At most this many tags are added or removed in one change.
pub const MAX_TAGS_PER_CHANGE: usize = 20;

/// Tags as agents type them: one line each, lower case, at most 50 characters, no duplicates;
/// an empty one is skipped.
pub fn clean_tags(field: &str, raw: &[String]) -> AppResult<Vec<String>> {
    crate::assign::admin::clean_list(field, raw, MAX_TAGS_PER_CHANGE)
}

/// Every tag in use with how many tickets carry it, alphabetically (the first 1,000).
pub async fn tag_counts(db: &Db) -> AppResult<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT tag, COUNT(*) AS tickets FROM ticket_tag GROUP BY tag ORDER BY tag LIMIT 1000",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("tag")?, r.try_get("tickets")?)))
        .collect()
}

/// Renames tag `from` to `to` on every ticket that carries it — a merge when some already carry
/// `to` — or removes it everywhere when `to` is None. Each ticket changes through the ticket
/// commands (audited, versioned, reindexed), one short transaction each, so a large tag never
/// holds the database. Returns how many tickets changed; 404 when no ticket has the tag.
pub async fn retag(
    db: &Db,
    agent: &AgentRef,
    from: &str,
    to: Option<&str>,
    now: Millis,
) -> AppResult<u64> {
    let from = one_tag("tag", from)?;
    let to = to.map(|t| one_tag("to", t)).transpose()?;
    if to.as_deref() == Some(from.as_str()) {
        return Err(AppError::field("to", t!("error-tag-same-name")));
    }
    let mut changed = 0u64;
    loop {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT ticket_id FROM ticket_tag WHERE tag = $1 ORDER BY ticket_id LIMIT 200",
        )
        .bind(&from)
        .fetch_all(&db.pool)
        .await?;
        if ids.is_empty() {
            break;
        }
        for id in ids {
            let mut tx = db.begin().await?;
            let mut edit =
                commands::open(&mut tx, id, Actor::Agent(agent), Expect::Any, now).await?;
            edit.remove_tags(&mut tx, std::slice::from_ref(&from))
                .await?;
            if let Some(to) = &to {
                edit.add_tags(&mut tx, std::slice::from_ref(to)).await?;
            }
            edit.save(&mut tx).await?;
            tx.commit().await?;
            changed += 1;
        }
    }
    if changed == 0 {
        return Err(AppError::NotFound("tag"));
    }
    Ok(changed)
}

/// One tag, cleaned like stored tags; an empty one is refused.
fn one_tag(field: &str, raw: &str) -> AppResult<String> {
    clean_tags(field, &[raw.to_string()])?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::field(field, t!("error-required")))
}

#[tracing::instrument(skip_all, fields(ticket_id))]
pub async fn update_ticket(
    db: &Db,
    agent: &AgentRef,
    ticket_id: i64,
    patch: TicketPatch,
    expect: Expect,
    now: Millis,
) -> AppResult<Saved> {
    let patch = check_patch(db, patch).await?;
    let mut tx = db.begin().await?;
    let mut edit = commands::open(&mut tx, ticket_id, Actor::Agent(agent), expect, now).await?;
    apply_patch(&mut tx, &mut edit, &patch).await?;
    let saved = edit.save(&mut tx).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Checks a patch before any ticket is opened: a bad subject, tag, address or agent is a 422
/// naming the field. Returns it with tags and addresses cleaned.
pub async fn check_patch(db: &Db, mut patch: TicketPatch) -> AppResult<TicketPatch> {
    if let Some(subject) = &patch.subject {
        validate_subject(subject)?;
    }
    patch.add_tags = clean_tags("add_tags", &patch.add_tags)?;
    patch.remove_tags = clean_tags("remove_tags", &patch.remove_tags)?;
    patch.add_cc = clean_cc("add_cc", &patch.add_cc)?;
    patch.remove_cc = clean_cc("remove_cc", &patch.remove_cc)?;
    if let Some(Some(assignee)) = patch.assignee_id
        && !crate::auth::agent_exists(db, assignee).await?
    {
        return Err(AppError::field("assignee_id", t!("error-not-active-agent")));
    }
    Ok(patch)
}

/// Makes a patch checked by [`check_patch`] on an open edit (the caller saves it).
pub async fn apply_patch(
    tx: &mut Tx,
    edit: &mut commands::Edit,
    patch: &TicketPatch,
) -> AppResult<()> {
    if let Some(to) = patch.status {
        edit.set_status(tx, to, None).await?;
    }
    if let Some(p) = patch.priority {
        edit.set_priority(tx, p, None).await?;
    }
    if let Some(a) = patch.assignee_id {
        edit.reassign(tx, a).await?;
    }
    if let Some(s) = &patch.subject {
        edit.set_subject(tx, s).await?;
    }
    edit.remove_tags(tx, &patch.remove_tags).await?;
    edit.add_tags(tx, &patch.add_tags).await?;
    edit.remove_cc(tx, &patch.remove_cc).await?;
    edit.add_cc(tx, &patch.add_cc, "agent").await?;
    Ok(())
}

pub const MAX_SUBJECT_CHARS: usize = 250;

pub fn validate_subject(subject: &str) -> AppResult<String> {
    let s = subject.trim();
    if s.is_empty() {
        return Err(AppError::field("subject", t!("error-required")));
    }
    if s.chars().count() > MAX_SUBJECT_CHARS {
        return Err(AppError::field(
            "subject",
            t!("error-too-long-chars", max = MAX_SUBJECT_CHARS),
        ));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(AppError::field("subject", t!("error-single-line")));
    }
    Ok(s.to_string())
}
