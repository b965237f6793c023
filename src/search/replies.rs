//! Saved replies (macros): texts agents insert into the reply box, with placeholders filled in.
//! Leads and admins manage them; every agent can search and use them.

use crate::auth::AgentRef;
use crate::db::{Db, is_unique_violation};
use crate::domain::Role;
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SavedReply {
    #[sqlx(rename = "saved_reply_id")]
    pub id: i64,
    pub title: String,
    pub body: String,
    pub updated_at: Millis,
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

fn validate(title: &str, body: &str) -> AppResult<(String, String)> {
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
    if body.is_empty() {
        return Err(AppError::field("body", "is required"));
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
        "SELECT saved_reply_id, title, body, updated_at FROM saved_reply ORDER BY title LIMIT 500",
    )
    .fetch_all(&db.pool)
    .await?;
    let words: Vec<String> = query.split_whitespace().map(|w| w.to_lowercase()).collect();
    Ok(replies
        .into_iter()
        .filter(|r| {
            let hay = format!("{} {}", r.title, r.body).to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect())
}

pub async fn get(db: &Db, id: i64) -> AppResult<SavedReply> {
    sqlx::query_as(
        "SELECT saved_reply_id, title, body, updated_at FROM saved_reply WHERE saved_reply_id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
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
    now: Millis,
) -> AppResult<SavedReply> {
    check_manager(agent)?;
    let (title, body) = validate(title, body)?;
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO saved_reply (title, body, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         RETURNING saved_reply_id",
    )
    .bind(&title)
    .bind(&body)
    .bind(agent.id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(conflict)?;
    tx.commit().await?;
    Ok(SavedReply {
        id,
        title,
        body,
        updated_at: now,
    })
}

pub async fn update(
    db: &Db,
    agent: &AgentRef,
    id: i64,
    title: &str,
    body: &str,
    now: Millis,
) -> AppResult<SavedReply> {
    check_manager(agent)?;
    let (title, body) = validate(title, body)?;
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE saved_reply SET title = $1, body = $2, updated_at = $3 WHERE saved_reply_id = $4",
    )
    .bind(&title)
    .bind(&body)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(conflict)?
    .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound("saved reply"));
    }
    tx.commit().await?;
    Ok(SavedReply {
        id,
        title,
        body,
        updated_at: now,
    })
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
    let customer = if ticket.customer_name.is_empty() {
        ticket.customer_email.clone().unwrap_or_default()
    } else {
        ticket.customer_name.clone()
    };
    Ok(super::text::fill_placeholders(
        &reply.body,
        &customer,
        ticket.id,
        &agent.name,
    ))
}
