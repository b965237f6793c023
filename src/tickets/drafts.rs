//! Reply drafts: the reply an agent is writing on a ticket, one per agent and ticket, kept on the
//! server so that leaving the page or switching devices never loses it. Drafts are private to
//! their agent and never touch the ticket itself.

use crate::db::Db;
use crate::domain::Visibility;
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use serde::Serialize;
use sqlx::Row;

/// The same limit as a sent message: a draft that could not be sent is not worth keeping.
pub const MAX_DRAFT_CHARS: usize = super::MAX_BODY_CHARS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub body: String,
    pub visibility: Visibility,
    pub updated_at: Millis,
}

/// A draft's text, checked: at most `MAX_DRAFT_CHARS` characters and no NUL. Unlike a message
/// it may be empty (saving an empty draft deletes it) and keeps its whitespace as typed.
pub fn validate_body(body: &str) -> AppResult<&str> {
    if body.contains('\0') {
        return Err(AppError::nul("body"));
    }
    if body.chars().count() > MAX_DRAFT_CHARS {
        return Err(AppError::field(
            "body",
            t!("error-too-long-chars", max = MAX_DRAFT_CHARS),
        ));
    }
    Ok(body)
}

/// `public` or `internal`; missing means public, like the reply form's default.
pub fn parse_visibility(raw: Option<&str>) -> AppResult<Visibility> {
    match raw.map(str::trim) {
        None | Some("") => Ok(Visibility::Public),
        Some(v) => v
            .parse()
            .map_err(|e: String| AppError::field("visibility", e)),
    }
}

/// The agent's draft on a ticket, if any.
pub async fn get(db: &Db, agent_id: i64, ticket_id: i64) -> AppResult<Option<Draft>> {
    let row = sqlx::query(
        "SELECT body, visibility, updated_at FROM reply_draft WHERE agent_id = $1 AND ticket_id = $2",
    )
    .bind(agent_id)
    .bind(ticket_id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        let visibility: String = r.try_get("visibility")?;
        Ok(Draft {
            body: r.try_get("body")?,
            visibility: visibility
                .parse()
                .map_err(|e: String| AppError::Internal(anyhow::anyhow!("reply_draft: {e}")))?,
            updated_at: r.try_get("updated_at")?,
        })
    })
    .transpose()
}

/// Saves (creates or replaces) the agent's draft on a ticket; a blank body deletes it.
#[tracing::instrument(skip(db, body))]
pub async fn save(
    db: &Db,
    agent_id: i64,
    ticket_id: i64,
    body: &str,
    visibility: Visibility,
    now: Millis,
) -> AppResult<()> {
    let body = validate_body(body)?;
    if body.trim().is_empty() {
        return clear(db, agent_id, ticket_id).await;
    }
    let mut tx = db.begin().await?;
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT ticket_id FROM ticket WHERE ticket_id = $1")
            .bind(ticket_id)
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_none() {
        return Err(AppError::NotFound("ticket"));
    }
    sqlx::query(
        "INSERT INTO reply_draft (agent_id, ticket_id, body, visibility, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (agent_id, ticket_id) DO UPDATE
         SET body = excluded.body, visibility = excluded.visibility, updated_at = excluded.updated_at",
    )
    .bind(agent_id)
    .bind(ticket_id)
    .bind(body)
    .bind(visibility.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::debug!(chars = body.chars().count(), "draft saved");
    Ok(())
}

/// Deletes the agent's draft on a ticket (nothing happens when there is none).
#[tracing::instrument(skip(db))]
pub async fn clear(db: &Db, agent_id: i64, ticket_id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM reply_draft WHERE agent_id = $1 AND ticket_id = $2")
        .bind(agent_id)
        .bind(ticket_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// `draft` with `inserted` after it, separated by a blank line (either may be empty).
pub fn append_text(draft: &str, inserted: &str) -> String {
    let head = draft.trim_end();
    match (head.is_empty(), inserted.is_empty()) {
        (_, true) => draft.to_string(),
        (true, false) => inserted.to_string(),
        (false, false) => format!("{head}\n\n{inserted}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserted_text_goes_after_the_draft_with_a_blank_line() {
        assert_eq!(
            append_text("Hello,\n", "Try a restart."),
            "Hello,\n\nTry a restart."
        );
        assert_eq!(append_text("", "Try a restart."), "Try a restart.");
        assert_eq!(append_text("  \n", "Try a restart."), "Try a restart.");
        assert_eq!(append_text("Hello,\n", ""), "Hello,\n");
    }

    #[test]
    fn draft_text_is_checked() {
        assert!(validate_body("").is_ok());
        assert!(validate_body("a\0b").is_err());
        assert!(validate_body(&"x".repeat(MAX_DRAFT_CHARS)).is_ok());
        assert!(validate_body(&"é".repeat(MAX_DRAFT_CHARS + 1)).is_err());
        assert_eq!(parse_visibility(None).unwrap(), Visibility::Public);
        assert_eq!(
            parse_visibility(Some("internal")).unwrap(),
            Visibility::Internal
        );
        assert!(parse_visibility(Some("secret")).is_err());
    }
}
