//! Merging a ticket into another, undoing it, and splitting a message out into a ticket of its
//! own.
//!
//! A merge moves the source's messages (with their files) and the customer's private links to
//! the target, adds the source's tags to the target, and closes the source with a pointer to the
//! target (`merged_into_id`). Mail that answers the source — by Message-ID, since the messages
//! moved, or by the source's subject tag — lands in the target, and the customer's old link
//! opens the target. Both tickets record it in their history. What moved is written down, so an
//! undo within the window (`merge_undo_days`, as for customers) moves exactly that back.
//! Tickets of different customers are not merged: the source customer's link would show the
//! other customer's conversation.

use super::{Actor, Expect, commands, repo};
use crate::auth::AgentRef;
use crate::db::{Db, Tx};
use crate::domain::Status;
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use sqlx::Row;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Moved {
    messages: Vec<i64>,
    links: Vec<i64>,
    /// Tags the target did not have before.
    tags: Vec<String>,
}

#[derive(utoipa::ToSchema, Debug, Serialize)]
pub struct Merged {
    pub merge_id: i64,
    pub source_id: i64,
    pub target_id: i64,
    pub messages_moved: usize,
    pub undo_until: Millis,
}

/// Merges ticket `source` into `target`. 409 for a ticket into itself, a source already merged,
/// a target that was merged away, or tickets of different customers.
pub async fn merge(
    db: &Db,
    agent: &AgentRef,
    source: i64,
    target: i64,
    undo_window_ms: i64,
    now: Millis,
) -> AppResult<Merged> {
    if source == target {
        return Err(AppError::Conflict(
            "a ticket cannot be merged into itself".into(),
        ));
    }
    let mut tx = db.begin().await?;
    // Both rows locked, always in id order, so two merges of the same pair cannot deadlock.
    let (first, second) = (source.min(target), source.max(target));
    let a = repo::get_ticket_tx(&mut tx, first).await?;
    let b = repo::get_ticket_tx(&mut tx, second).await?;
    let (src, dst) = if a.id == source { (a, b) } else { (b, a) };
    if let Some(into) = src.merged_into_id {
        return Err(AppError::Conflict(format!(
            "ticket #{source} is already merged into #{into}"
        )));
    }
    if let Some(into) = dst.merged_into_id {
        return Err(AppError::Conflict(format!(
            "ticket #{target} was merged into #{into}; merge into that one"
        )));
    }
    if src.customer_id != dst.customer_id {
        return Err(AppError::Conflict(
            "the tickets belong to different customers".into(),
        ));
    }
    let messages: Vec<i64> = sqlx::query_scalar(
        "SELECT message_id FROM message WHERE ticket_id = $1 ORDER BY message_id",
    )
    .bind(source)
    .fetch_all(&mut *tx)
    .await?;
    let links: Vec<i64> = sqlx::query_scalar(
        "SELECT ticket_link_id FROM ticket_link WHERE ticket_id = $1 ORDER BY ticket_link_id",
    )
    .bind(source)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query("UPDATE message SET ticket_id = $1 WHERE ticket_id = $2")
        .bind(target)
        .bind(source)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE ticket_link SET ticket_id = $1 WHERE ticket_id = $2")
        .bind(target)
        .bind(source)
        .execute(&mut *tx)
        .await?;
    let source_tags: Vec<String> =
        sqlx::query_scalar("SELECT tag FROM ticket_tag WHERE ticket_id = $1 ORDER BY tag")
            .bind(source)
            .fetch_all(&mut *tx)
            .await?;
    let target_tags: Vec<String> =
        sqlx::query_scalar("SELECT tag FROM ticket_tag WHERE ticket_id = $1")
            .bind(target)
            .fetch_all(&mut *tx)
            .await?;
    let new_tags: Vec<String> = source_tags
        .into_iter()
        .filter(|t| !target_tags.contains(t))
        .collect();

    let mut s = commands::open(&mut tx, source, Actor::Agent(agent), Expect::Any, now).await?;
    s.close_as_merged(&mut tx, target).await?;
    s.save(&mut tx).await?;
    let mut t = commands::open(&mut tx, target, Actor::Agent(agent), Expect::Any, now).await?;
    let detail = format!("#{source} “{}”: {} messages", src.subject, messages.len());
    t.record(&mut tx, "merged_from", &detail).await?;
    t.add_tags(&mut tx, &new_tags).await?;
    t.save(&mut tx).await?;

    let moved = Moved {
        messages,
        links,
        tags: new_tags,
    };
    let undo_until = now.saturating_add(undo_window_ms.max(0));
    let merge_id: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_merge (source_id, target_id, agent_id, source_status, moved, created_at, undo_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ticket_merge_id",
    )
    .bind(source)
    .bind(target)
    .bind(agent.id)
    .bind(src.status.as_str())
    .bind(serde_json::to_string(&moved).unwrap_or_else(|_| "{}".into()))
    .bind(now)
    .bind(undo_until)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Merged {
        merge_id,
        source_id: source,
        target_id: target,
        messages_moved: moved.messages.len(),
        undo_until,
    })
}

/// The merge that closed `source`, if it can still be undone: (merge id, target, undo until).
pub async fn undoable(db: &Db, source: i64, now: Millis) -> AppResult<Option<(i64, i64, Millis)>> {
    let row = sqlx::query(
        "SELECT ticket_merge_id, target_id, undo_until FROM ticket_merge
         WHERE source_id = $1 AND undone_at IS NULL AND undo_until > $2
         ORDER BY ticket_merge_id DESC LIMIT 1",
    )
    .bind(source)
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok((
            r.try_get("ticket_merge_id")?,
            r.try_get("target_id")?,
            r.try_get("undo_until")?,
        ))
    })
    .transpose()
}

/// Undoes merge `merge_id`: the messages and links that moved go back (messages added to the
/// target since stay there), the tags it added to the target go, and the source gets its
/// status back. 409 once undone or past the window.
pub async fn undo(db: &Db, agent: &AgentRef, merge_id: i64, now: Millis) -> AppResult<i64> {
    let mut tx = db.begin().await?;
    let row = sqlx::query(
        "SELECT source_id, target_id, source_status, moved, undo_until, undone_at FROM ticket_merge
         WHERE ticket_merge_id = $1",
    )
    .bind(merge_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound("merge"))?;
    if row.try_get::<Option<i64>, _>("undone_at")?.is_some() {
        return Err(AppError::Conflict("this merge was already undone".into()));
    }
    if row.try_get::<i64, _>("undo_until")? <= now {
        return Err(AppError::Conflict(
            "this merge can no longer be undone".into(),
        ));
    }
    let source: i64 = row.try_get("source_id")?;
    let target: i64 = row.try_get("target_id")?;
    let status: Status = row
        .try_get::<String, _>("source_status")?
        .parse()
        .map_err(|e: String| AppError::Internal(anyhow::anyhow!("merge status: {e}")))?;
    let moved: Moved = serde_json::from_str(&row.try_get::<String, _>("moved")?)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("merge record: {e}")))?;
    let (first, second) = (source.min(target), source.max(target));
    repo::lock_ticket(&mut tx, first).await?;
    repo::lock_ticket(&mut tx, second).await?;
    move_back(
        &mut tx,
        "message",
        "message_id",
        &moved.messages,
        source,
        target,
    )
    .await?;
    move_back(
        &mut tx,
        "ticket_link",
        "ticket_link_id",
        &moved.links,
        source,
        target,
    )
    .await?;
    let mut t = commands::open(&mut tx, target, Actor::Agent(agent), Expect::Any, now).await?;
    t.remove_tags(&mut tx, &moved.tags).await?;
    t.record(
        &mut tx,
        "merge_undone",
        &format!("#{source} is separate again"),
    )
    .await?;
    t.save(&mut tx).await?;
    let mut s = commands::open(&mut tx, source, Actor::Agent(agent), Expect::Any, now).await?;
    s.unmerge(&mut tx, status).await?;
    s.save(&mut tx).await?;
    sqlx::query(
        "UPDATE ticket_merge SET undone_at = $1, undone_by = $2 WHERE ticket_merge_id = $3",
    )
    .bind(now)
    .bind(agent.id)
    .bind(merge_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(source)
}

/// Moves rows `ids` of `table` that are still on `target` back to `source`, in chunks.
async fn move_back(
    tx: &mut Tx,
    table: &str,
    key: &str,
    ids: &[i64],
    source: i64,
    target: i64,
) -> AppResult<()> {
    for chunk in ids.chunks(500) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        // Only integers from our own record are spliced in.
        let sql =
            format!("UPDATE {table} SET ticket_id = $1 WHERE ticket_id = $2 AND {key} IN ({list})");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(source)
            .bind(target)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Splits message `message_id` out of its ticket into a new ticket of the same customer, with
/// the same priority and channel, then routed and assigned by its own content; both tickets
/// record it. The first message of a ticket cannot
/// be split off (that would leave the ticket empty). Returns the new ticket's id.
pub async fn split(db: &Db, agent: &AgentRef, message_id: i64, now: Millis) -> AppResult<i64> {
    let mut tx = db.begin().await?;
    let row = sqlx::query("SELECT ticket_id, author_kind FROM message WHERE message_id = $1")
        .bind(message_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound("message"))?;
    let from: i64 = row.try_get("ticket_id")?;
    let ticket = repo::get_ticket_tx(&mut tx, from).await?;
    let first: i64 = sqlx::query_scalar("SELECT MIN(message_id) FROM message WHERE ticket_id = $1")
        .bind(from)
        .fetch_one(&mut *tx)
        .await?;
    if first == message_id {
        return Err(AppError::Conflict(
            "the first message is the ticket itself; split off a later one".into(),
        ));
    }
    let subject = format!("Split from #{from}: {}", ticket.subject);
    let subject: String = subject.chars().take(super::MAX_SUBJECT_CHARS).collect();
    let new = commands::NewTicket {
        subject: &subject,
        priority: ticket.priority,
        channel: &ticket.channel,
        customer_id: ticket.customer_id,
        follow_up_of_id: None,
    };
    let mut n = commands::create(&mut tx, &new, now).await?;
    let new_id = n.ticket_id;
    sqlx::query("UPDATE message SET ticket_id = $1 WHERE message_id = $2")
        .bind(new_id)
        .bind(message_id)
        .execute(&mut *tx)
        .await?;
    n.record(
        &mut tx,
        "split_from",
        &format!("#{from}, message {message_id}"),
    )
    .await?;
    n.save(&mut tx).await?;
    let mut old = commands::open(&mut tx, from, Actor::Agent(agent), Expect::Any, now).await?;
    old.record(
        &mut tx,
        "split_to",
        &format!("#{new_id}, message {message_id}"),
    )
    .await?;
    old.save(&mut tx).await?;
    // The new ticket is routed and assigned like any new ticket, by its own first message.
    let job = crate::outbox::Job::Assign {
        ticket_id: new_id,
        reason: "split off".into(),
        exclude_agent_id: None,
    };
    crate::outbox::enqueue(&mut tx, &job, now).await?;
    tx.commit().await?;
    Ok(new_id)
}
