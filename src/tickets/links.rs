//! Customers' private ticket links (`/t/{token}`): issued with every mail and web-form receipt,
//! valid for [`LINK_DAYS`], revocable by agents (all of a ticket's links at once), and renewable
//! by mail when one has expired. Only the SHA-256 digest of a token is stored.

use crate::auth::{digest, new_secret};
use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::error::AppResult;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

/// How long a link stays valid after it is issued.
pub const LINK_DAYS: i64 = 90;
const DAY_MS: Millis = 24 * 3_600_000;
/// A ticket gets at most one fresh link by mail per this many milliseconds (asked for from an
/// expired link, or re-issued by an agent).
pub const RENEW_EVERY_MS: Millis = 10 * 60_000;

/// Creates a link for a ticket, valid for [`LINK_DAYS`]; returns its token.
pub async fn issue(conn: &mut AnyConnection, ticket_id: i64, now: Millis) -> AppResult<String> {
    let token = new_secret();
    sqlx::query(
        "INSERT INTO ticket_link (ticket_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(ticket_id)
    .bind(digest(&token))
    .bind(now)
    .bind(now + LINK_DAYS * DAY_MS)
    .execute(conn)
    .await?;
    Ok(token)
}

/// What a token is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Valid(i64),
    /// Past its expiry: the customer can ask for a fresh one by mail.
    Expired(i64),
    /// Withdrawn by an agent.
    Revoked(i64),
    Unknown,
}

pub async fn state(db: &Db, token: &str, now: Millis) -> AppResult<LinkState> {
    let row = sqlx::query(
        "SELECT ticket_id, expires_at, revoked_at FROM ticket_link WHERE token_hash = $1",
    )
    .bind(digest(token))
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(LinkState::Unknown);
    };
    let ticket_id: i64 = row.try_get("ticket_id")?;
    let expires_at: Option<Millis> = row.try_get("expires_at")?;
    let revoked_at: Option<Millis> = row.try_get("revoked_at")?;
    Ok(if revoked_at.is_some() {
        LinkState::Revoked(ticket_id)
    } else if expires_at.is_some_and(|e| e <= now) {
        LinkState::Expired(ticket_id)
    } else {
        LinkState::Valid(ticket_id)
    })
}

/// Withdraws every link of a ticket that still works; returns how many.
pub async fn revoke_all(tx: &mut Tx, ticket_id: i64, now: Millis) -> AppResult<u64> {
    let done = sqlx::query(
        "UPDATE ticket_link SET revoked_at = $2
         WHERE ticket_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(ticket_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// A ticket's links, for its page.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct LinkSummary {
    /// Links that work now.
    pub active: i64,
    /// When the newest working link expires (None: no working link, or one without expiry).
    pub expires_at: Option<Millis>,
    /// When a link was last issued.
    pub last_issued_at: Option<Millis>,
}

pub async fn summary(db: &Db, ticket_id: i64, now: Millis) -> AppResult<LinkSummary> {
    let row = sqlx::query(
        "SELECT
           SUM(CASE WHEN revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2) THEN 1 ELSE 0 END) AS active,
           MAX(CASE WHEN revoked_at IS NULL AND expires_at > $2 THEN expires_at END) AS expires_at,
           MAX(created_at) AS last_issued_at
         FROM ticket_link WHERE ticket_id = $1",
    )
    .bind(ticket_id)
    .bind(now)
    .fetch_one(&db.pool)
    .await?;
    Ok(LinkSummary {
        active: row.try_get::<Option<i64>, _>("active")?.unwrap_or(0),
        expires_at: row.try_get("expires_at")?,
        last_issued_at: row.try_get("last_issued_at")?,
    })
}

/// Records that the customer asked for a fresh link from an expired one; true when a mail may
/// go out now (no link issued or asked for in the last [`RENEW_EVERY_MS`]).
pub async fn ask_renewal(tx: &mut Tx, token: &str, ticket_id: i64, now: Millis) -> AppResult<bool> {
    let recent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ticket_link WHERE ticket_id = $1 AND (created_at > $2 OR renew_asked_at > $2)",
    )
    .bind(ticket_id)
    .bind(now - RENEW_EVERY_MS)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE ticket_link SET renew_asked_at = $2 WHERE token_hash = $1")
        .bind(digest(token))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(recent == 0)
}

/// Queues a mail with a fresh link to the ticket's customer (the `link.sent` job).
pub async fn queue_fresh_link(tx: &mut Tx, ticket_id: i64, now: Millis) -> AppResult<()> {
    crate::outbox::enqueue(tx, &crate::outbox::Job::LinkSent { ticket_id }, now).await
}
