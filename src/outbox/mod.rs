//! Durable jobs. A change and the jobs it causes are written in one transaction; workers claim due
//! jobs with a lease, run them, and mark them done. A crash before "done" means the job runs again
//! after its lease expires; jobs whose effect is in the database commit that effect together with
//! "done", so they take effect exactly once.

use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::error::AppResult;
use crate::state::AppState;
use anyhow::Context;
use futures_util::FutureExt;
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};
use std::panic::AssertUnwindSafe;
use std::time::Duration;

/// After this many failed attempts a job is parked as failed and shown to admins.
pub const MAX_ATTEMPTS: i64 = 12;

pub async fn enqueue(tx: &mut Tx, kind: &str, payload: &Value, now: Millis) -> AppResult<()> {
    sqlx::query("INSERT INTO outbox (kind, payload, run_at, attempts, created_at) VALUES ($1, $2, $3, 0, $3)")
        .bind(kind)
        .bind(payload.to_string())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: Value,
    pub attempts: i64,
}

/// Claims up to `limit` due jobs for `worker`.
/// A job stays reserved for `lease_ms`; after that (its worker died) another worker may take it.
pub async fn claim(
    db: &Db,
    worker: &str,
    limit: i64,
    now: Millis,
    lease_ms: i64,
) -> anyhow::Result<Vec<Job>> {
    let sql = format!(
        "UPDATE outbox SET locked_until = $1, locked_by = $2, attempts = attempts + 1
         WHERE outbox_id IN (
            SELECT outbox_id FROM outbox
            WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= $3 AND (locked_until IS NULL OR locked_until < $3)
            ORDER BY outbox_id LIMIT $4 {})
         RETURNING outbox_id, kind, payload, attempts",
        db.skip_locked()
    );
    // In a transaction of its own so that on SQLite the claim waits its turn among the writers
    // instead of in SQLite's busy handler, where a run of other writers could starve it.
    let mut tx = db.begin().await?;
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(now + lease_ms)
        .bind(worker)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    let mut jobs = rows
        .iter()
        .map(|r| {
            let payload: String = r.try_get("payload")?;
            Ok(Job {
                id: r.try_get("outbox_id")?,
                kind: r.try_get("kind")?,
                payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
                attempts: r.try_get("attempts")?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// Marks a job done inside the transaction that holds its effect. Returns false (and the caller
/// must roll back) when the job was already completed elsewhere.
pub async fn mark_done(tx: &mut Tx, job_id: i64, now: Millis) -> anyhow::Result<bool> {
    let res = sqlx::query("UPDATE outbox SET done_at = $1, locked_until = NULL WHERE outbox_id = $2 AND done_at IS NULL")
        .bind(now)
        .bind(job_id)
        .execute(&mut **tx)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Records a failure; retries later with exponential backoff, or parks the job after `MAX_ATTEMPTS`.
pub async fn mark_failed(db: &Db, job: &Job, error: &str, now: Millis) -> anyhow::Result<()> {
    let backoff = 1_000i64
        .saturating_mul(1 << job.attempts.clamp(0, 12))
        .min(3_600_000);
    let failed_at = (job.attempts >= MAX_ATTEMPTS).then_some(now);
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE outbox SET run_at = $1, locked_until = NULL, last_error = $2, failed_at = $3 WHERE outbox_id = $4")
        .bind(now + backoff)
        .bind(error.chars().take(2000).collect::<String>())
        .bind(failed_at)
        .bind(job.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Jobs not yet done (the outbox depth in /metrics).
pub async fn depth(db: &Db) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE done_at IS NULL AND failed_at IS NULL",
    )
    .fetch_one(&db.pool)
    .await?)
}

/// Runs one job. A job's database effect commits together with its "done" mark; a job that
/// sends mail records the Message-ID first and "sent" together with "done".
async fn run_job(state: &AppState, job: &Job, worker: &str) -> anyhow::Result<()> {
    let now = state.clock.now_ms();
    let ticket_id = job.payload["ticket_id"].as_i64();
    match job.kind.as_str() {
        "ticket.created" => {
            let ticket_id = ticket_id.context("payload without ticket_id")?;
            let (mut tx, now) = lock_ticket(state, ticket_id).await?;
            let mut edit = None;
            crate::assign::assign_within(
                &mut tx,
                &mut edit,
                ticket_id,
                &crate::assign::Trigger::Created,
                now,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            if state.mailer.is_some() && !job.payload["auto_reply"].as_bool().unwrap_or(false) {
                let mut ack = match edit.take() {
                    Some(edit) => edit,
                    None => crate::tickets::commands::open(
                        &mut tx,
                        ticket_id,
                        crate::tickets::Actor::System,
                        crate::tickets::Expect::Any,
                        now,
                    )
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
                };
                acknowledge(&mut tx, &mut ack, now).await?;
                edit = Some(ack);
            }
            if let Some(edit) = edit {
                edit.save(&mut tx)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            finish(tx, job.id, now).await
        }
        "message.sent" => {
            let message_id = job.payload["message_id"]
                .as_i64()
                .context("payload without message_id")?;
            let automatic = job.payload["automatic"].as_bool().unwrap_or(false);
            // Sending is an effect outside the database: make sure this worker still owns the
            // job (its lease may have run out while earlier jobs of the batch were sent).
            if !renew_lease(&state.db, job.id, worker, now, state.config.outbox_lease_ms).await? {
                return Ok(());
            }
            let delivery = match &state.mailer {
                Some(mailer) => Some(
                    crate::notify::deliver(&state.db, mailer, message_id, automatic, now).await?,
                ),
                None => None,
            };
            if let Some(crate::notify::Delivery::Sent { .. }) = delivery {
                // Recorded at once, on its own: a failure later in this job must not resend.
                record_sent(&state.db, message_id).await?;
            }
            let mut tx = state.db.begin().await?;
            match delivery {
                Some(crate::notify::Delivery::Sent { .. }) => {
                    sqlx::query("UPDATE message SET delivery_status = 'sent', delivery_error = NULL WHERE message_id = $1")
                        .bind(message_id)
                        .execute(&mut *tx)
                        .await?;
                }
                Some(crate::notify::Delivery::Failed { ticket_id, error }) => {
                    crate::notify::record_failure(&mut tx, ticket_id, message_id, &error, now)
                        .await?;
                }
                _ => {}
            }
            finish(tx, job.id, now).await
        }
        "ticket.solved" => {
            let ticket_id = ticket_id.context("payload without ticket_id")?;
            if let Some(mailer) = &state.mailer
                && renew_lease(&state.db, job.id, worker, now, state.config.outbox_lease_ms).await?
            {
                crate::reports::csat::request_rating(state, mailer, ticket_id, now).await?;
            }
            finish(state.db.begin().await?, job.id, now).await
        }
        // Recorded for consumers that subscribe to them (search, SLA); nothing else to do here.
        "message.received" => finish(state.db.begin().await?, job.id, now).await,
        crate::assign::JOB_ASSIGN | crate::assign::JOB_WAITING => {
            let (mut tx, now) = match ticket_id.filter(|_| job.kind == crate::assign::JOB_ASSIGN) {
                Some(id) => lock_ticket(state, id).await?,
                None => (state.db.begin().await?, now),
            };
            crate::assign::run_job(&mut tx, &job.kind, &job.payload, now).await?;
            finish(tx, job.id, now).await
        }
        crate::search::INDEX_JOB => crate::search::run_index_job(state, job.id, &job.payload).await,
        other => anyhow::bail!("unknown job kind {other:?}"),
    }
}

/// Starts the transaction of a job about one ticket: the ticket row is locked first and the
/// clock read after that, so a change committed meanwhile (a reply, say) is neither missed nor
/// seen as lying in the future by the SLA clocks the job recomputes.
async fn lock_ticket(state: &AppState, ticket_id: i64) -> anyhow::Result<(Tx, Millis)> {
    let mut tx = state.db.begin().await?;
    match crate::tickets::repo::lock_ticket(&mut tx, ticket_id).await {
        Ok(_) | Err(crate::error::AppError::NotFound(_)) => {}
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    }
    Ok((tx, state.clock.now_ms()))
}

async fn finish(mut tx: Tx, job_id: i64, now: Millis) -> anyhow::Result<()> {
    if mark_done(&mut tx, job_id, now).await? {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(())
}

async fn event(
    tx: &mut Tx,
    ticket_id: i64,
    kind: &str,
    detail: &str,
    now: Millis,
) -> anyhow::Result<()> {
    crate::tickets::record_event(
        tx,
        crate::tickets::Actor::System,
        crate::tickets::EventRecord {
            ticket_id,
            kind,
            old: None,
            new: None,
            detail: Some(detail),
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Writes the automatic "we received your request" message and queues its mail — unless the
/// customer already got several in the last hour (which is how mail loops start).
async fn acknowledge(
    tx: &mut Tx,
    edit: &mut crate::tickets::commands::Edit,
    now: Millis,
) -> anyhow::Result<()> {
    let ticket_id = edit.ticket_id;
    let row = sqlx::query("SELECT customer_id, channel FROM ticket WHERE ticket_id = $1")
        .bind(ticket_id)
        .fetch_one(&mut **tx)
        .await?;
    let customer_id: i64 = row.try_get("customer_id")?;
    let channel: String = row.try_get("channel")?;
    if channel == "api" {
        return Ok(());
    }
    if !crate::notify::may_acknowledge(tx, customer_id, now).await? {
        return event(
            tx,
            ticket_id,
            "ack_suppressed",
            "acknowledgement limit for this customer reached",
            now,
        )
        .await;
    }
    let body = crate::notify::acknowledgement_text(ticket_id);
    let message_id = edit
        .add_message(
            tx,
            &crate::tickets::NewMessage {
                author_kind: "system",
                body_text: &body,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    enqueue(
        tx,
        "message.sent",
        &serde_json::json!({"ticket_id": ticket_id, "message_id": message_id, "automatic": true}),
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// After the last retry, an email that could not be sent shows as failed on its ticket.
async fn give_up_delivery(
    state: &AppState,
    job: &Job,
    error: &str,
    now: Millis,
) -> anyhow::Result<()> {
    let (Some(message_id), Some(ticket_id)) = (
        job.payload["message_id"].as_i64(),
        job.payload["ticket_id"].as_i64(),
    ) else {
        return Ok(());
    };
    let detail = format!("gave up after {} attempts: {error}", job.attempts);
    let mut tx = state.db.begin().await?;
    crate::notify::record_failure(&mut tx, ticket_id, message_id, &detail, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Extends this worker's lease on a job just before an external effect; false when another
/// worker has taken the job over.
pub async fn renew_lease(
    db: &Db,
    job_id: i64,
    worker: &str,
    now: Millis,
    lease_ms: i64,
) -> anyhow::Result<bool> {
    let mut tx = db.begin().await?;
    let res = sqlx::query("UPDATE outbox SET locked_until = $1 WHERE outbox_id = $2 AND locked_by = $3 AND done_at IS NULL")
        .bind(now + lease_ms)
        .bind(job_id)
        .bind(worker)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(res.rows_affected() == 1)
}

async fn record_sent(db: &Db, message_id: i64) -> anyhow::Result<()> {
    let mut last = None;
    for _ in 0..5 {
        match sqlx::query("UPDATE message SET delivery_status = 'sent', delivery_error = NULL WHERE message_id = $1")
            .bind(message_id)
            .execute(&db.pool)
            .await
        {
            Ok(_) => return Ok(()),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    Err(last
        .map(anyhow::Error::from)
        .unwrap_or_else(|| anyhow::anyhow!("could not record delivery")))
}

/// Parks jobs that used up their attempts without being parked (e.g. the worker died running them).
async fn park_exhausted(db: &Db, now: Millis) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE outbox SET failed_at = $1, last_error = COALESCE(last_error, 'gave up: too many attempts')
         WHERE done_at IS NULL AND failed_at IS NULL AND attempts >= $2 AND (locked_until IS NULL OR locked_until < $1)",
    )
    .bind(now)
    .bind(MAX_ATTEMPTS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Claims and runs due jobs until none are left. Returns how many ran.
pub async fn drain_once(state: &AppState, worker: &str) -> anyhow::Result<usize> {
    let mut total = 0;
    loop {
        let jobs = claim(
            &state.db,
            worker,
            50,
            state.clock.now_ms(),
            state.config.outbox_lease_ms,
        )
        .await?;
        if jobs.is_empty() {
            return Ok(total);
        }
        // Jobs that keep failing (or crashing the worker) are parked where admins can see them.
        park_exhausted(&state.db, state.clock.now_ms()).await?;
        for job in &jobs {
            let outcome = AssertUnwindSafe(run_job(state, job, worker))
                .catch_unwind()
                .await;
            let outcome = outcome.unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".into());
                Err(anyhow::anyhow!("job panicked: {what}"))
            });
            if let Err(err) = outcome {
                tracing::warn!(job_id = job.id, kind = %job.kind, attempts = job.attempts, error = %err, "job failed");
                let now = state.clock.now_ms();
                mark_failed(&state.db, job, &err.to_string(), now).await?;
                if job.attempts >= MAX_ATTEMPTS && job.kind == "message.sent" {
                    give_up_delivery(state, job, &err.to_string(), now).await?;
                }
            }
        }
        total += jobs.len();
    }
}

/// Frees leases held by workers of an earlier run. Only for SQLite, whose database belongs to a
/// single process: on PostgreSQL another live node may hold them, so they simply expire.
pub async fn release_stale_leases(db: &Db) -> anyhow::Result<u64> {
    if db.backend != crate::db::Backend::Sqlite {
        return Ok(0);
    }
    let res = sqlx::query("UPDATE outbox SET locked_until = NULL, locked_by = NULL WHERE done_at IS NULL AND locked_until IS NOT NULL")
        .execute(&db.pool)
        .await?;
    Ok(res.rows_affected())
}

/// The worker loop: wakes when a job is written or every poll interval.
pub async fn run_worker(state: AppState) {
    match release_stale_leases(&state.db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(jobs = n, "released jobs claimed before a restart"),
        Err(err) => tracing::warn!(error = %err, "could not release stale outbox leases"),
    }
    let worker = format!("{}-{}", std::process::id(), crate::auth::random_token(4));
    let poll = Duration::from_millis(state.config.outbox_poll_ms.max(10));
    loop {
        if let Err(err) = drain_once(&state, &worker).await {
            tracing::warn!(error = %err, "outbox worker error");
        }
        tokio::select! {
            _ = state.outbox_wakeup.notified() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}
