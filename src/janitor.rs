//! The janitor: deletes finished rows past their retention, in short batches, on a timer.

use crate::config::Config;
use crate::db::Db;
use crate::domain::clock::Millis;
use crate::error::AppResult;
use crate::state::AppState;
use std::time::Duration;

/// Rows deleted per transaction. On SQLite a batch holds the single writer's turn, so batches
/// stay small and other writers get their turns in between.
pub const BATCH: i64 = 1_000;

const DAY_MS: i64 = 86_400_000;

/// The first sweep waits this long after start, so it does not compete with startup work.
const FIRST_SWEEP_AFTER: Duration = Duration::from_secs(60);

/// A sweep still running after this is abandoned. The batches it committed stay deleted, and the
/// next run carries on where it stopped.
const SWEEP_TIMEOUT: Duration = Duration::from_secs(600);

/// How long finished rows are kept, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Outbox jobs that are done.
    pub outbox_days: i64,
    /// Outbox jobs that gave up; admins look at these, so they stay longer.
    pub failed_job_days: i64,
    /// Idempotency keys of the web form and the API.
    pub idempotency_days: i64,
    /// Ticket change events.
    pub change_event_days: i64,
}

impl Retention {
    pub fn from_config(config: &Config) -> Self {
        Retention {
            outbox_days: config.outbox_retention_days,
            failed_job_days: config.failed_job_retention_days,
            idempotency_days: config.idempotency_retention_days,
            change_event_days: config.change_event_retention_days,
        }
    }
}

/// How many rows one sweep deleted, per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JanitorReport {
    pub outbox_done: u64,
    pub outbox_failed: u64,
    /// Expired sessions and stale sign-in throttles.
    pub sessions: u64,
    pub inbound_keys: u64,
    pub ticket_changes: u64,
    /// Finished webhook deliveries (with their attempt log) and the events left without one.
    pub webhook_deliveries: u64,
    pub webhook_events: u64,
}

impl JanitorReport {
    pub fn total(&self) -> u64 {
        self.outbox_done
            + self.outbox_failed
            + self.sessions
            + self.inbound_keys
            + self.ticket_changes
            + self.webhook_deliveries
            + self.webhook_events
    }
}

/// Deletes every row past its retention as of `now`.
pub async fn sweep(db: &Db, retention: &Retention, now: Millis) -> AppResult<JanitorReport> {
    let cutoff = |days: i64| now.saturating_sub(days.saturating_mul(DAY_MS));
    // A job that failed keeps `failed_at` even if a late run of it finished, and stays for the
    // admins for the longer retention.
    let outbox_done = delete_in_batches(
        db,
        "DELETE FROM outbox WHERE outbox_id IN (
            SELECT outbox_id FROM outbox WHERE done_at < $1 AND failed_at IS NULL
            ORDER BY done_at LIMIT $2)",
        cutoff(retention.outbox_days),
        None,
    )
    .await?;
    let outbox_failed = delete_in_batches(
        db,
        "DELETE FROM outbox WHERE outbox_id IN (
            SELECT outbox_id FROM outbox WHERE failed_at < $1 ORDER BY failed_at LIMIT $2)",
        cutoff(retention.failed_job_days),
        None,
    )
    .await?;

    // An expired session never logs anyone in again.
    let sessions = delete_in_batches(
        db,
        "DELETE FROM session WHERE session_hash IN (
            SELECT session_hash FROM session WHERE expires_at < $1 ORDER BY expires_at LIMIT $2)",
        now,
        None,
    )
    .await?;
    // Sign-in throttles nobody touched for two windows, and not holding anyone back.
    let sessions = sessions
        + delete_in_batches(
            db,
            "DELETE FROM login_throttle WHERE throttle_key IN (
                SELECT throttle_key FROM login_throttle WHERE last_at < $1 AND blocked_until < $1
                ORDER BY last_at LIMIT $2)",
            now - 2 * crate::login_guard::WINDOW_MS,
            None,
        )
        .await?;

    // Only the web form's and the API clients' keys expire: they exist to absorb a retry, which
    // comes within minutes. Email keys (Message-ID and sender, or the content hash) are kept:
    // when a server renumbers a folder (a new UIDVALIDITY) the whole folder is fetched again,
    // and without an archive folder it still holds every message ever received; these keys are
    // what keeps old mail from becoming new tickets. Quarantine keys stand for a raw email,
    // which is kept too. A scope added later is kept until someone decides otherwise here.
    let agents: Vec<i64> = sqlx::query_scalar("SELECT agent_id FROM agent ORDER BY agent_id")
        .fetch_all(&db.pool)
        .await?;
    let scopes = std::iter::once(crate::intake::WEB_SCOPE.to_string())
        .chain(agents.into_iter().map(crate::intake::api_scope));
    let mut inbound_keys = 0;
    for scope in scopes {
        inbound_keys += delete_in_batches(
            db,
            "DELETE FROM inbound_key WHERE scope = $3 AND idem_key IN (
                SELECT idem_key FROM inbound_key WHERE scope = $3 AND created_at < $1
                ORDER BY created_at LIMIT $2)",
            cutoff(retention.idempotency_days),
            Some(&scope),
        )
        .await?;
    }

    let ticket_changes = delete_in_batches(
        db,
        "DELETE FROM ticket_change WHERE change_id IN (
            SELECT change_id FROM ticket_change WHERE created_at < $1 ORDER BY created_at LIMIT $2)",
        cutoff(retention.change_event_days),
        None,
    )
    .await?;
    // A webhook's delivery log: delivered ones as long as finished jobs, failed ones as long as
    // failed jobs (admins look at those). Pending, retrying and paused deliveries stay. (The
    // `status IN` repeats the partial index's condition, so SQLite knows it can use it.)
    const FINISHED_DELIVERIES: &str = "DELETE FROM webhook_delivery WHERE webhook_delivery_id IN (
            SELECT webhook_delivery_id FROM webhook_delivery
            WHERE status IN ('delivered', 'failed') AND status = $3 AND updated_at < $1
            ORDER BY updated_at LIMIT $2)";
    let webhook_deliveries = delete_in_batches(
        db,
        FINISHED_DELIVERIES,
        cutoff(retention.outbox_days),
        Some("delivered"),
    )
    .await?
        + delete_in_batches(
            db,
            FINISHED_DELIVERIES,
            cutoff(retention.failed_job_days),
            Some("failed"),
        )
        .await?;
    // Events are written with the change that causes them and get their deliveries at once; one
    // older than the outbox retention with no delivery left is done with.
    let webhook_events = delete_in_batches(
        db,
        "DELETE FROM webhook_event WHERE webhook_event_id IN (
            SELECT e.webhook_event_id FROM webhook_event e
            WHERE e.occurred_at < $1 AND NOT EXISTS
                (SELECT 1 FROM webhook_delivery d WHERE d.webhook_event_id = e.webhook_event_id)
            ORDER BY e.occurred_at LIMIT $2)",
        cutoff(retention.outbox_days),
        None,
    )
    .await?;
    Ok(JanitorReport {
        outbox_done,
        outbox_failed,
        sessions,
        inbound_keys,
        ticket_changes,
        webhook_deliveries,
        webhook_events,
    })
}

/// Runs `sql`, a `DELETE` of at most `$2` rows older than `$1` (of scope or status `$3` when
/// given), one short transaction after another until a batch comes back short. Returns the rows
/// deleted.
async fn delete_in_batches(
    db: &Db,
    sql: &'static str,
    cutoff: Millis,
    scope: Option<&str>,
) -> AppResult<u64> {
    let mut total = 0;
    loop {
        let mut tx = db.begin().await?;
        let mut query = sqlx::query(sql).bind(cutoff).bind(BATCH);
        if let Some(scope) = scope {
            query = query.bind(scope);
        }
        let deleted = query.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        total += deleted;
        if deleted < BATCH as u64 {
            return Ok(total);
        }
    }
}

/// The janitor's loop: a sweep shortly after start, then one every `janitor_interval_secs`.
/// A failed sweep is logged; the next run retries.
pub async fn run(state: AppState) {
    let every = Duration::from_secs(state.config.janitor_interval_secs.max(1) as u64);
    let retention = Retention::from_config(&state.config);
    tokio::time::sleep(FIRST_SWEEP_AFTER.min(every)).await;
    loop {
        let started = std::time::Instant::now();
        match tokio::time::timeout(SWEEP_TIMEOUT, sweep(&state.db, &retention, state.now())).await {
            Ok(Ok(r)) if r.total() > 0 => tracing::info!(
                outbox_done = r.outbox_done,
                outbox_failed = r.outbox_failed,
                sessions = r.sessions,
                inbound_keys = r.inbound_keys,
                ticket_changes = r.ticket_changes,
                webhook_deliveries = r.webhook_deliveries,
                webhook_events = r.webhook_events,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "janitor deleted rows past their retention"
            ),
            Ok(Ok(_)) => tracing::debug!("janitor found nothing past its retention"),
            Ok(Err(err)) => tracing::warn!(error = %err, "janitor sweep failed"),
            Err(_) => tracing::warn!(
                timeout_secs = SWEEP_TIMEOUT.as_secs(),
                "janitor sweep took too long and was stopped"
            ),
        }
        tokio::time::sleep(every).await;
    }
}
