//! Saved replies (macros): a reply text agents insert into the reply box, with placeholders
//! filled in, and actions applied to the ticket in one step — status, priority, assignee, tags
//! to add and remove, a team, an internal note, following the ticket. A macro is shared (leads and
//! admins manage those; every agent uses them) or an agent's own (only they see, use and edit
//! it). Each use is counted.

use crate::auth::AgentRef;
use crate::db::{Db, Tx, is_unique_violation};
use crate::domain::Role;
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};

#[derive(utoipa::ToSchema, Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SavedReply {
    #[sqlx(rename = "saved_reply_id")]
    pub id: i64,
    pub title: String,
    /// The reply text (may be empty when the macro only acts).
    pub body: String,
    pub updated_at: Millis,
    /// How often agents applied or inserted it.
    pub uses: i64,
    /// The agent whose own macro it is; `None` for a shared one.
    pub owner_id: Option<i64>,
    /// Only its owner sees it.
    #[sqlx(skip)]
    pub personal: bool,
    #[serde(skip)]
    #[sqlx(rename = "actions")]
    pub actions_json: String,
    #[sqlx(skip)]
    pub actions: Actions,
}

/// What a macro does to the ticket besides its reply text.
#[derive(utoipa::ToSchema, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// Moves the ticket to this team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<i64>,
    /// An internal note added to the ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Whoever applies it follows the ticket (and is told of its changes).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub follow: bool,
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
            return Err(AppError::field("actions.assign", t!("search-error-assign")));
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
                t!("search-error-at-most-chars", max = MAX_BODY_CHARS),
            ));
        }
        Ok(self)
    }

    /// "status → solved, add tags vip, internal note" for the reply panel and the preview.
    pub fn describe(&self) -> String {
        self.describe_with(|t| t.to_string())
    }

    /// [`Actions::describe`] with the team named by `team_name` (its id by default).
    pub fn describe_with(&self, team_name: impl Fn(i64) -> String) -> String {
        let mut parts = Vec::new();
        let separator = t!("search-action-separator");
        if let Some(s) = &self.status {
            let status = crate::i18n::status_name(s);
            parts.push(t!("search-action-status", status = status));
        }
        if let Some(p) = &self.priority {
            let priority = crate::i18n::priority_name(p);
            parts.push(t!("search-action-priority", priority = priority));
        }
        match self.assign.as_deref() {
            Some("me") => parts.push(t!("search-action-assign-me")),
            Some("none") => parts.push(t!("search-action-unassign")),
            Some(id) => parts.push(t!("search-action-assign-agent", agent = id)),
            None => {}
        }
        if !self.add_tags.is_empty() {
            parts.push(t!(
                "search-action-add-tags",
                tags = self.add_tags.join(&separator)
            ));
        }
        if !self.remove_tags.is_empty() {
            parts.push(t!(
                "search-action-remove-tags",
                tags = self.remove_tags.join(&separator)
            ));
        }
        if let Some(t) = self.team_id {
            parts.push(t!("search-action-team", team = team_name(t)));
        }
        if self.note.is_some() {
            parts.push(t!("search-action-note"));
        }
        if self.follow {
            parts.push(t!("search-action-follow"));
        }
        parts.join(&separator)
    }
}

fn with_actions(mut r: SavedReply) -> SavedReply {
    r.actions = serde_json::from_str(&r.actions_json).unwrap_or_default();
    r.personal = r.owner_id.is_some();
    r
}

/// Checks what [`Actions::clean`] cannot alone: that the team exists.
async fn check_team(db: &Db, actions: &Actions) -> AppResult<()> {
    if let Some(t) = actions.team_id
        && crate::assign::admin::team_name_by_id(db, t)
            .await?
            .is_none()
    {
        return Err(AppError::field(
            "actions.team_id",
            t!("search-error-not-a-team"),
        ));
    }
    Ok(())
}

pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_BODY_CHARS: usize = 20_000;

pub fn may_manage(agent: &AgentRef) -> bool {
    matches!(agent.role, Role::Lead | Role::Admin)
}

/// Whether `agent` may change macro `r`: their own, or a shared one when they manage macros.
fn check_may_edit(agent: &AgentRef, owner_id: Option<i64>) -> AppResult<()> {
    match owner_id {
        Some(o) if o == agent.id => Ok(()),
        Some(_) => Err(AppError::NotFound("saved reply")),
        None if may_manage(agent) => Ok(()),
        None => Err(AppError::Forbidden(
            "only leads and admins manage shared macros; make it personal".into(),
        )),
    }
}

fn validate(title: &str, body: &str, acts: &Actions) -> AppResult<(String, String)> {
    let title = title.trim();
    if title.is_empty() {
        return Err(AppError::field("title", t!("search-error-required")));
    }
    if title.chars().count() > MAX_TITLE_CHARS || title.chars().any(char::is_control) {
        return Err(AppError::field(
            "title",
            t!("search-error-title-one-line", max = MAX_TITLE_CHARS),
        ));
    }
    let body = body.trim();
    if body.is_empty() && acts.is_empty() {
        return Err(AppError::field("body", t!("search-error-body-required")));
    }
    if body.chars().count() > MAX_BODY_CHARS || body.contains('\0') {
        return Err(AppError::field(
            "body",
            t!("search-error-at-most-chars", max = MAX_BODY_CHARS),
        ));
    }
    Ok((title.to_string(), body.to_string()))
}

const COLUMNS: &str = "saved_reply_id, title, body, updated_at, uses, actions, owner_id";

/// The saved replies `viewer_id` may use (the shared ones and their own) whose title or text
/// contains every word of `query` (all of them for an empty query), by title.
pub async fn list(db: &Db, viewer_id: i64, query: &str) -> AppResult<Vec<SavedReply>> {
    let replies: Vec<SavedReply> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM saved_reply WHERE owner_id IS NULL OR owner_id = $1
         ORDER BY title, saved_reply_id LIMIT 500"
    )))
    .bind(viewer_id)
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

/// Macro `id`, when `viewer_id` may use it (another agent's own is not found).
pub async fn get(db: &Db, viewer_id: i64, id: i64) -> AppResult<SavedReply> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM saved_reply WHERE saved_reply_id = $1
           AND (owner_id IS NULL OR owner_id = $2)"
    )))
    .bind(id)
    .bind(viewer_id)
    .fetch_optional(&db.pool)
    .await?
    .map(with_actions)
    .ok_or(AppError::NotFound("saved reply"))
}

fn conflict(err: sqlx::Error) -> AppError {
    if is_unique_violation(&err) {
        AppError::field("title", t!("search-error-title-used"))
    } else {
        err.into()
    }
}

/// A macro as written in a form or the API.
pub struct MacroIn<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub actions: Actions,
    /// Only its author sees it. Agents who do not manage macros may only write their own.
    pub personal: bool,
}

pub async fn create(
    db: &Db,
    agent: &AgentRef,
    m: MacroIn<'_>,
    now: Millis,
) -> AppResult<SavedReply> {
    let owner_id = m.personal.then_some(agent.id);
    check_may_edit(agent, owner_id)?;
    let actions = m.actions.clean()?;
    let (title, body) = validate(m.title, m.body, &actions)?;
    check_team(db, &actions).await?;
    let actions_json = serde_json::to_string(&actions).unwrap_or_else(|_| "{}".into());
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO saved_reply (title, body, created_by, created_at, updated_at, actions, owner_id)
         VALUES ($1, $2, $3, $4, $4, $5, $6) RETURNING saved_reply_id",
    )
    .bind(&title)
    .bind(&body)
    .bind(agent.id)
    .bind(now)
    .bind(&actions_json)
    .bind(owner_id)
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
        owner_id,
        personal: owner_id.is_some(),
        actions_json,
        actions,
    })
}

/// Rewrites macro `id`. A shared macro stays shared and a personal one personal (`m.personal`
/// is ignored).
pub async fn update(
    db: &Db,
    agent: &AgentRef,
    id: i64,
    m: MacroIn<'_>,
    now: Millis,
) -> AppResult<SavedReply> {
    let existing = get(db, agent.id, id).await?;
    check_may_edit(agent, existing.owner_id)?;
    let actions = m.actions.clean()?;
    let (title, body) = validate(m.title, m.body, &actions)?;
    check_team(db, &actions).await?;
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
    get(db, agent.id, id).await
}

pub async fn delete(db: &Db, agent: &AgentRef, id: i64) -> AppResult<()> {
    let existing = get(db, agent.id, id).await?;
    check_may_edit(agent, existing.owner_id)?;
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
    let reply = get(db, agent.id, id).await?;
    Ok(fill(&reply.body, ticket, agent))
}

/// A macro read and checked once, ready to apply to one ticket or many.
pub struct Ready {
    pub reply: SavedReply,
    patch: crate::tickets::TicketPatch,
}

/// Reads macro `id` for `agent` and checks its actions against today's agents and teams: an
/// agent or team gone since it was written is a 422 naming the action.
pub async fn prepare(db: &Db, agent: &AgentRef, id: i64) -> AppResult<Ready> {
    let m = get(db, agent.id, id).await?;
    let a = &m.actions;
    let assignee_id = match a.assign.as_deref() {
        None => None,
        Some("me") => Some(Some(agent.id)),
        Some("none") => Some(None),
        Some(n) => Some(Some(n.parse::<i64>().map_err(|_| {
            AppError::field("actions.assign", t!("search-error-assign"))
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
    let patch = crate::tickets::check_patch(db, patch)
        .await
        .map_err(|e| match e {
            AppError::Validation { field, message } if field == "assignee_id" => {
                AppError::field("actions.assign", message)
            }
            other => other,
        })?;
    check_team(db, a).await?;
    Ok(Ready { reply: m, patch })
}

/// Applies a prepared macro to a ticket inside `tx`: its actions and note as one ticket change,
/// and following when it says so. Returns the reply text for the reply box (placeholders filled;
/// empty when the macro has none): it is never sent by itself, so the agent's draft is kept and
/// the text goes into it. The use is counted by the caller ([`count_uses`]).
pub async fn apply_in(
    tx: &mut Tx,
    agent: &AgentRef,
    ready: &Ready,
    ticket_id: i64,
    expect: crate::tickets::Expect,
    now: Millis,
) -> AppResult<String> {
    let actor = crate::tickets::Actor::Agent(agent);
    let mut edit = crate::tickets::commands::open(tx, ticket_id, actor, expect, now).await?;
    let text = apply_to_edit(tx, &mut edit, agent, ready, now).await?;
    edit.save(tx).await?;
    Ok(text)
}

/// [`apply_in`] on an edit the caller opened and saves (bulk changes add their own fields to the
/// same change).
pub async fn apply_to_edit(
    tx: &mut Tx,
    edit: &mut crate::tickets::commands::Edit,
    agent: &AgentRef,
    ready: &Ready,
    now: Millis,
) -> AppResult<String> {
    let a = &ready.reply.actions;
    let ticket_id = edit.ticket_id;
    crate::tickets::apply_patch(tx, edit, &ready.patch).await?;
    if let Some(team) = a.team_id {
        edit.set_team(tx, team, false, Some("macro")).await?;
    }
    let needs_ticket = a.note.is_some() || !ready.reply.body.is_empty();
    let ticket = if needs_ticket {
        Some(crate::tickets::repo::get_ticket_tx(tx, ticket_id).await?)
    } else {
        None
    };
    if let (Some(note), Some(t)) = (&a.note, &ticket) {
        let text = fill(note, t, agent);
        let msg = crate::tickets::NewMessage {
            author_kind: "agent",
            agent_id: Some(agent.id),
            visibility: Some(crate::domain::Visibility::Internal),
            body_text: &text,
            ..Default::default()
        };
        edit.add_message(tx, &msg).await?;
    }
    if a.follow {
        crate::notify::inbox::follow_in(tx, ticket_id, agent.id, now).await?;
    }
    Ok(match &ticket {
        Some(t) if !ready.reply.body.is_empty() => fill(&ready.reply.body, t, agent),
        _ => String::new(),
    })
}

/// Counts `n` more uses of macro `id`.
pub async fn count_uses(tx: &mut Tx, id: i64, n: i64) -> AppResult<()> {
    sqlx::query("UPDATE saved_reply SET uses = uses + $1 WHERE saved_reply_id = $2")
        .bind(n)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Applies macro `id` to one ticket in its own transaction (see [`apply_in`]).
pub async fn apply(
    db: &Db,
    agent: &AgentRef,
    id: i64,
    ticket_id: i64,
    expect: crate::tickets::Expect,
    now: Millis,
) -> AppResult<String> {
    let ready = prepare(db, agent, id).await?;
    let mut tx = db.begin().await?;
    let text = apply_in(&mut tx, agent, &ready, ticket_id, expect, now).await?;
    count_uses(&mut tx, id, 1).await?;
    tx.commit().await?;
    Ok(text)
}

fn fill(text: &str, ticket: &crate::tickets::Ticket, agent: &AgentRef) -> String {
    let customer = if ticket.customer_name.is_empty() {
        ticket.customer_email.clone().unwrap_or_default()
    } else {
        ticket.customer_name.clone()
    };
    super::text::fill_placeholders(text, &customer, ticket.id, &agent.name)
}

/// The macros that act and `viewer_id` may use (for the bulk bar), by title.
pub async fn with_actions_only(db: &Db, viewer_id: i64) -> AppResult<Vec<SavedReply>> {
    Ok(list(db, viewer_id, "")
        .await?
        .into_iter()
        .filter(|r| !r.actions.is_empty())
        .collect())
}
