//! The quarantine: email that could not become a ticket on its own, held with a reason until an
//! admin retries it, releases it as a ticket anyway, or dismisses it. Nothing is ever dropped.

use super::email::{Ingested, Mode, ingest_stored};
use super::{NewInbound, receive};
use crate::auth::AgentRef;
use crate::domain::clock::Millis;
use crate::domain::{Channel, EmailAddress};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::Serialize;
use sqlx::Row;

#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct Held {
    pub id: i64,
    pub reason: String,
    pub detail: String,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub status: String,
    pub ticket_id: Option<i64>,
    pub size_bytes: i64,
    pub created_at: Millis,
}

/// Which held mail to list: newest first, a page at a time.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Also messages already released or dismissed.
    pub include_resolved: bool,
    pub reason: Option<String>,
    /// The mailbox the mail came from (as configured, `user@host/folder`).
    pub mailbox: Option<String>,
    /// Held at or after / before these times.
    pub from: Option<Millis>,
    pub to: Option<Millis>,
    /// Entries older than this one (the previous page's `next_cursor`).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// One page of held mail and the cursor of the next page (None on the last).
pub async fn list(state: &AppState, f: &Filter) -> AppResult<(Vec<Held>, Option<i64>)> {
    let mut sql = crate::db::Sql::new(
        "SELECT q.quarantine_id, q.reason, q.detail, q.sender, q.subject, q.status, q.ticket_id, q.created_at, r.size_bytes
         FROM quarantine q JOIN raw_email r ON r.raw_email_id = q.raw_email_id WHERE 1 = 1",
    );
    if !f.include_resolved {
        sql.push(" AND q.status = 'held'");
    }
    if let Some(reason) = &f.reason {
        sql.push(" AND q.reason = ").push_param(reason.clone());
    }
    if let Some(mailbox) = &f.mailbox {
        sql.push(" AND r.mailbox = ").push_param(mailbox.clone());
    }
    if let Some(from) = f.from {
        sql.push(" AND q.created_at >= ").push_param(from);
    }
    if let Some(to) = f.to {
        sql.push(" AND q.created_at < ").push_param(to);
    }
    if let Some(before) = f.before_id {
        sql.push(" AND q.quarantine_id < ").push_param(before);
    }
    let limit = f.limit.clamp(1, 500);
    sql.push(" ORDER BY q.quarantine_id DESC LIMIT ")
        .push_param(limit + 1);
    let mut rows = sql.query().fetch_all(&state.db.pool).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let items = rows
        .iter()
        .map(|r| {
            Ok(Held {
                id: r.try_get("quarantine_id")?,
                reason: r.try_get("reason")?,
                detail: r.try_get("detail")?,
                sender: r.try_get("sender")?,
                subject: r.try_get("subject")?,
                status: r.try_get("status")?,
                ticket_id: r.try_get("ticket_id")?,
                size_bytes: r.try_get("size_bytes")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect::<AppResult<Vec<Held>>>()?;
    let next = if more {
        items.last().map(|h| h.id)
    } else {
        None
    };
    Ok((items, next))
}

async fn load(state: &AppState, id: i64) -> AppResult<(i64, Vec<u8>, String, String)> {
    let r = sqlx::query(
        "SELECT q.raw_email_id, q.status, r.content, r.content_hash FROM quarantine q
         JOIN raw_email r ON r.raw_email_id = q.raw_email_id WHERE q.quarantine_id = $1",
    )
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or(AppError::NotFound("quarantined message"))?;
    let status: String = r.try_get("status")?;
    if status != "held" {
        return Err(AppError::Conflict(format!(
            "this message was already {status}"
        )));
    }
    Ok((
        r.try_get("raw_email_id")?,
        r.try_get("content")?,
        r.try_get("content_hash")?,
        status,
    ))
}

async fn resolve(
    state: &AppState,
    id: i64,
    status: &str,
    ticket_id: Option<i64>,
    by: &AgentRef,
) -> AppResult<()> {
    sqlx::query("UPDATE quarantine SET status = $1, ticket_id = $2, resolved_at = $3, resolved_by = $4 WHERE quarantine_id = $5 AND status = 'held'")
        .bind(status)
        .bind(ticket_id)
        .bind(state.now())
        .bind(by.id)
        .bind(id)
        .execute(&state.db.pool)
        .await?;
    Ok(())
}

/// What a retry or release did.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
#[schema(as = QuarantineOutcome)]
pub struct Outcome {
    pub status: &'static str,
    pub ticket_id: Option<i64>,
    pub reason: Option<&'static str>,
}

/// Runs the message through intake again with every check (e.g. after a parser fix).
pub async fn retry(state: &AppState, id: i64, by: &AgentRef) -> AppResult<Outcome> {
    let (raw_id, raw, hash, _) = load(state, id).await?;
    match ingest_stored(state, raw_id, &raw, &hash, Mode::Normal).await? {
        Ingested::Ticket { ticket_id, .. } | Ingested::Bounce { ticket_id } => {
            resolve(state, id, "released", Some(ticket_id), by).await?;
            Ok(Outcome {
                status: "released",
                ticket_id: Some(ticket_id),
                reason: None,
            })
        }
        Ingested::Duplicate => {
            resolve(state, id, "dismissed", None, by).await?;
            Ok(Outcome {
                status: "dismissed",
                ticket_id: None,
                reason: Some("duplicate"),
            })
        }
        Ingested::Quarantined {
            quarantine_id,
            reason,
        } => {
            // Still held: keep the original entry with the new reason, not a second one.
            let mut tx = state.db.begin().await?;
            sqlx::query("DELETE FROM quarantine WHERE quarantine_id = $1")
                .bind(quarantine_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE quarantine SET reason = $1 WHERE quarantine_id = $2")
                .bind(reason)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Outcome {
                status: "held",
                ticket_id: None,
                reason: Some(reason),
            })
        }
    }
}

/// Makes a ticket of the message whatever the checks say; unparseable mail becomes a ticket
/// with its raw text from an unknown sender.
pub async fn release(state: &AppState, id: i64, by: &AgentRef) -> AppResult<Outcome> {
    let (raw_id, raw, hash, _) = load(state, id).await?;
    let ticket_id = match ingest_stored(state, raw_id, &raw, &hash, Mode::Release).await? {
        Ingested::Ticket { ticket_id, .. } | Ingested::Bounce { ticket_id } => ticket_id,
        Ingested::Duplicate => {
            resolve(state, id, "dismissed", None, by).await?;
            return Ok(Outcome {
                status: "dismissed",
                ticket_id: None,
                reason: Some("duplicate"),
            });
        }
        Ingested::Quarantined { quarantine_id, .. } => {
            sqlx::query("DELETE FROM quarantine WHERE quarantine_id = $1")
                .bind(quarantine_id)
                .execute(&state.db.pool)
                .await?;
            let text = crate::domain::without_nul(&String::from_utf8_lossy(&raw));
            let sender = sender_from_raw(&text).unwrap_or_else(|| {
                EmailAddress::parse("unknown-sender@casebook.invalid").expect("valid")
            });
            let inbound = NewInbound {
                channel: Channel::Email,
                from: crate::intake::Sender::Email(sender),
                from_name: None,
                subject: "(message that could not be read)".into(),
                body_text: if text.trim().is_empty() {
                    "(the message was empty)".into()
                } else {
                    text.chars()
                        .take(crate::tickets::MAX_BODY_CHARS - 100)
                        .collect()
                },
                body_html: None,
                attachments: vec![],
                idempotency: Some(super::IdempotencyKey {
                    scope: "quarantine".into(),
                    key: format!("raw:{raw_id}"),
                }),
                ticket_id: None,
                priority: None,
                issue_link: false,
                language: Default::default(),
                email: None,
                gateway: None,
            };
            receive(&state.db, &inbound, state.now()).await?.ticket_id
        }
    };
    resolve(state, id, "released", Some(ticket_id), by).await?;
    Ok(Outcome {
        status: "released",
        ticket_id: Some(ticket_id),
        reason: None,
    })
}

pub async fn dismiss(state: &AppState, id: i64, by: &AgentRef) -> AppResult<Outcome> {
    load(state, id).await?;
    resolve(state, id, "dismissed", None, by).await?;
    Ok(Outcome {
        status: "dismissed",
        ticket_id: None,
        reason: None,
    })
}

/// Runs `retry`, `release` or `dismiss` by name (from a URL).
/// Two admins (or a double click) acting on one entry: the first takes it, the second gets a 409.
pub async fn act(state: &AppState, id: i64, action: &str, by: &AgentRef) -> AppResult<Outcome> {
    if !matches!(action, "retry" | "release" | "dismiss") {
        return Err(AppError::NotFound("action"));
    }
    let now = state.now();
    // `resolved_at` on a held entry marks it as being worked on; a claim older than five
    // minutes (its worker died) may be taken again.
    let claimed = sqlx::query(
        "UPDATE quarantine SET resolved_at = $1 WHERE quarantine_id = $2 AND status = 'held'
         AND (resolved_at IS NULL OR resolved_at < $3)",
    )
    .bind(now)
    .bind(id)
    .bind(now - 300_000)
    .execute(&state.db.pool)
    .await?;
    if claimed.rows_affected() == 0 {
        load(state, id).await?;
        return Err(AppError::Conflict(
            "someone else is handling this message right now".into(),
        ));
    }
    let result = match action {
        "retry" => retry(state, id, by).await,
        "release" => release(state, id, by).await,
        _ => dismiss(state, id, by).await,
    };
    if !matches!(&result, Ok(o) if o.status != "held") {
        sqlx::query(
            "UPDATE quarantine SET resolved_at = NULL WHERE quarantine_id = $1 AND status = 'held'",
        )
        .bind(id)
        .execute(&state.db.pool)
        .await?;
    }
    result
}

/// The address in a raw `From:` header line, if one can be read.
fn sender_from_raw(text: &str) -> Option<EmailAddress> {
    let line = text
        .lines()
        .take_while(|l| !l.is_empty())
        .find(|l| l.to_ascii_lowercase().starts_with("from:"))?;
    let candidate = match (line.find('<'), line.rfind('>')) {
        (Some(a), Some(b)) if a < b => &line[a + 1..b],
        _ => line[5..].trim(),
    };
    EmailAddress::parse(candidate).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_is_read_from_raw_headers() {
        assert_eq!(
            sender_from_raw("From: Ana <ana@example.com>\nSubject: x\n\nbody")
                .unwrap()
                .as_str(),
            "ana@example.com"
        );
        assert_eq!(
            sender_from_raw("from: bob@example.com\n\n")
                .unwrap()
                .as_str(),
            "bob@example.com"
        );
        assert!(sender_from_raw("Subject: x\n\nFrom: in@body.com").is_none());
    }
}
