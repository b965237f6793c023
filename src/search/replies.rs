//! Saved replies (macros): a reply text agents insert into the reply box, with placeholders
//! filled in, and actions applied to the ticket in one step — status, priority, assignee, tags
//! to add and remove, an internal note. Leads and admins manage them; every agent can search and
//! use them; each use is counted.

use crate::auth::AgentRef;
use crate::db::{Db, is_unique_violation};
use crate::domain::Role;
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SavedReply {
    #[sqlx(rename = "saved_reply_id")]
    pub id: i64,
    pub title: String,
    /// The reply text (may be empty when the macro only acts).
    pub body: String,
    pub updated_at: Millis,
    /// How often agents applied or inserted it.
    pub uses: i64,
    #[serde(skip)]
    #[sqlx(rename = "actions")]
    pub actions_json: String,
    #[sqlx(skip)]
    pub actions: Actions,
}

/// What a macro does to the ticket besides its reply text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// `me` (whoever applies it), `none` (unassign) or an agent id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_tags: Vec<String>,
    /// An internal note added to the ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Actions {
    pub fn is_empty(&self) -> bool {
        *self == Actions::default()
    }

    /// Checks and cleans the actions; a bad one is a 422 naming `actions.<field>`.
    pub fn clean(mut self) -> AppResult<Actions> {
        let blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        self.status = blank(&self.status);
        self.priority = blank(&self.priority);
        self.assign = blank(&self.assign).map(|a| a.to_lowercase());
        self.note = blank(&self.note);
        if let Some(s) = &self.status {
            s.parse::<crate::domain::Status>()
                .map_err(|e| AppError::field("actions.status", e))?;
        }
        if let Some(p) = &self.priority {
            p.parse::<crate::domain::Priority>()
                .map_err(|e| AppError::field("actions.priority", e))?;
        }
        if let Some(a) = &self.assign
            && a != "me"
            && a != "none"
            && a.parse::<i64>().is_err()
        {
            return Err(AppError::field(
                "actions.assign",
                "must be me, none or an agent id",
            ));
        }
        self.add_tags = crate::tickets::clean_tags("actions.add_tags", &self.add_tags)?;
        self.remove_tags = crate::tickets::clean_tags("actions.remove_tags", &self.remove_tags)?;
        if self
            .note
            .as_deref()
            .is_some_and(|n| n.chars().count() > MAX_BODY_CHARS)
        {
            return Err(AppError::field(
                "actions.note",
                format!("must be at most {MAX_BODY_CHARS} characters"),
            ));
        }
        Ok(self)
    }

    /// "status → solved, add tags vip, internal note" for the reply panel and the preview.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = &self.status {
            parts.push(format!("status → {s}"));
        }
        if let Some(p) = &self.priority {
            parts.push(format!("priority → {p}"));
        }
        match self.assign.as_deref() {
            Some("me") => parts.push("assign to me".into()),
            Some("none") => parts.push("unassign".into()),
            Some(id) => parts.push(format!("assign to agent {id}")),
            None => {}
        }
        if !self.add_tags.is_empty() {
            parts.push(format!("add tags {}", self.add_tags.join(", ")));
        }
        if !self.remove_tags.is_empty() {
            parts.push(format!("remove tags {}", self.remove_tags.join(", ")));
        }
        if self.note.is_some() {
            parts.push("add an internal note".into());
        }
        parts.join(", ")
    }
}

fn with_actions(mut r: SavedReply) -> SavedReply {
    r.actions = serde_json::from_str(&r.actions_json).unwrap_or_default();
    r
}

pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_BODY_CHARS: usize = 20_000;

pub fn may_manage(agent: &AgentRef) -> bool {
    matches!(agent.role, Role::Lead | Role::Admin)
}

fn check_manager(agent: &AgentRef) -> AppResult<()> {
    if may_manage(agent) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only leads and admins manage saved replies".into(),
        ))
    }
}

fn validate(title: &str, body: &str, acts: &Actions) -> AppResult<(String, String)> {
    let title = title.trim();
    if title.is_empty() {
        return Err(AppError::field("title", "is required"));
    }
    if title.chars().count() > MAX_TITLE_CHARS || title.chars().any(char::is_control) {
        return Err(AppError::field(
            "title",
            format!("must be one line of at most {MAX_TITLE_CHARS} characters"),
        ));
    }
    let body = body.trim();
    if body.is_empty() && acts.is_empty() {
        return Err(AppError::field(
            "body",
            "is required (or give the macro actions)",
        ));
    }
    if body.chars().count() > MAX_BODY_CHARS || body.contains('\0') {
        return Err(AppError::field(
            "body",
            format!("must be at most {MAX_BODY_CHARS} characters"),
        ));
    }
    Ok((title.to_string(), body.to_string()))
}

/// Saved replies whose title or text contains every word of `query` (all of them for an empty
/// query), by title.
pub async fn list(db: &Db, query: &str) -> AppResult<Vec<SavedReply>> {
    let replies: Vec<SavedReply> = sqlx::query_as(
        "SELECT saved_reply_id, title, body, updated_at, uses, actions FROM saved_reply ORDER BY title LIMIT 500",
    )
    .fetch_all(&db.pool)
    .await?;
    let words: Vec<String> = query.split_whitespace().map(|w| w.to_lowercase()).collect();
    Ok(replies
        .into_iter()
        .map(with_actions)
        .filter(|r| {
            let hay = format!("{} {}", r.title, r.body).to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect())
}

pub async fn get(db: &Db, id: i64) -> AppResult<SavedReply> {
    sqlx::query_as(
        "SELECT saved_reply_id, title, body, updated_at, uses, actions FROM saved_reply WHERE saved_reply_id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .map(with_actions)
    .ok_or(AppError::NotFound("saved reply"))
}

fn conflict(err: sqlx::Error) -> AppError {
    if is_unique_violation(&err) {
        AppError::field("title", "is already used by another saved reply")
    } else {
        err.into()
    }
}

pub async fn create(
    db: &Db,
    agent: &AgentRef,
    title: &str,
    body: &str,
    actions: Actions,
    now: Millis,
) -> AppResult<SavedReply> {
    check_manager(agent)?;
    let actions = actions.clean()?;
    let (title, body) = validate(title, body, &actions)?;
    let actions_json = serde_json::to_string(&actions).unwrap_or_else(|_| "{}".into());
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO saved_reply (title, body, created_by, created_at, updated_at, actions) VALUES ($1, $2, $3, $4, $4, $5)
         RETURNING saved_reply_id",
    )
    .bind(&title)
    .bind(&body)
    .bind(agent.id)
    .bind(now)
    .bind(&actions_json)
    .fetch_one(&mut *tx)
    .await
    .map_err(conflict)?;
    tx.commit().await?;
    Ok(SavedReply {
        id,
        title,
        body,
        updated_at: now,
        uses: 0,
        actions_json,
        actions,
    })
}

pub async fn update(
    db: &Db,
    agent: &AgentRef,
    id: i64,
    title: &str,
    body: &str,
    actions: Actions,
    now: Millis,
) -> AppResult<SavedReply> {
    check_manager(agent)?;
    let actions = actions.clean()?;
    let (title, body) = validate(title, body, &actions)?;
    let actions_json = serde_json::to_string(&actions).unwrap_or_else(|_| "{}".into());
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE saved_reply SET title = $1, body = $2, updated_at = $3, actions = $5 WHERE saved_reply_id = $4",
    )
    .bind(&title)
    .bind(&body)
    .bind(now)
    .bind(id)
    .bind(&actions_json)
    .execute(&mut *tx)
    .await
    .map_err(conflict)?
    .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound("saved reply"));
    }
    tx.commit().await?;
    get(db, id).await
}

pub async fn delete(db: &Db, agent: &AgentRef, id: i64) -> AppResult<()> {
    check_manager(agent)?;
    let mut tx = db.begin().await?;
    let n = sqlx::query("DELETE FROM saved_reply WHERE saved_reply_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound("saved reply"));
    }
    tx.commit().await?;
    Ok(())
}

/// A saved reply's text for one ticket, placeholders filled in.
pub async fn render_for(
    db: &Db,
    id: i64,
    ticket: &crate::tickets::Ticket,
    agent: &AgentRef,
) -> AppResult<String> {
    let reply = get(db, id).await?;
    Ok(fill(&reply.body, ticket, agent))
}

/// Applies macro `id` to a ticket: its actions through the ticket commands (one change), its
/// note as an internal note, and one more use counted. Returns the reply text for the reply box
/// (placeholders filled; empty when the macro has none) — it is never sent by itself, so the
/// agent's draft is kept and the text goes into it.
pub async fn apply(
    db: &Db,
    agent: &AgentRef,
    id: i64,
    ticket_id: i64,
    expect: crate::tickets::Expect,
    now: Millis,
) -> AppResult<String> {
    let m = get(db, id).await?;
    let a = &m.actions;
    let assignee_id = match a.assign.as_deref() {
        None => None,
        Some("me") => Some(Some(agent.id)),
        Some("none") => Some(None),
        Some(n) => Some(Some(n.parse::<i64>().map_err(|_| {
            AppError::field("actions.assign", "must be me, none or an agent id")
        })?)),
    };
    let patch = crate::tickets::TicketPatch {
        status: a
            .status
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e: String| AppError::field("actions.status", e))?,
        priority: a
            .priority
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e: String| AppError::field("actions.priority", e))?,
        assignee_id,
        add_tags: a.add_tags.clone(),
        remove_tags: a.remove_tags.clone(),
        ..Default::default()
    };
    crate::tickets::update_ticket(db, agent, ticket_id, patch, expect, now)
        .await
        .map_err(|e| match e {
            AppError::Validation { field, message } if field == "assignee_id" => {
                AppError::field("actions.assign", message)
            }
            other => other,
        })?;
    let ticket = crate::tickets::get_ticket(db, ticket_id).await?;
    if let Some(note) = &a.note {
        let text = fill(note, &ticket, agent);
        let msg = crate::tickets::AgentMessage {
            body: text,
            visibility: crate::domain::Visibility::Internal,
            status: None,
            attachments: Vec::new(),
        };
        let any = crate::tickets::Expect::Any;
        crate::tickets::add_agent_message(db, agent, ticket_id, msg, any, now).await?;
    }
    sqlx::query("UPDATE saved_reply SET uses = uses + 1 WHERE saved_reply_id = $1")
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(if m.body.is_empty() {
        String::new()
    } else {
        fill(&m.body, &ticket, agent)
    })
}

fn fill(text: &str, ticket: &crate::tickets::Ticket, agent: &AgentRef) -> String {
    let customer = if ticket.customer_name.is_empty() {
        ticket.customer_email.clone().unwrap_or_default()
    } else {
        ticket.customer_name.clone()
    };
    super::text::fill_placeholders(text, &customer, ticket.id, &agent.name)
}

/// The macros that act (for the bulk bar), by title.
pub async fn with_actions_only(db: &Db) -> AppResult<Vec<SavedReply>> {
    Ok(list(db, "")
        .await?
        .into_iter()
        .filter(|r| !r.actions.is_empty())
        .collect())
}
