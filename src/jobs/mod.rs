//! The background worker: claims due outbox jobs and hands each to its feature's handler. It sits
//! at the top of the crate; the outbox below it only stores, claims, leases and retries jobs, and
//! the features below it only enqueue them.

use crate::outbox::{self, Claimed, Job, MAX_ATTEMPTS};
use crate::state::AppState;
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

/// Runs one job with its handler. Every handler commits its database effect together with the
/// job's "done" mark, so a job takes effect exactly once.
async fn run(state: &AppState, claimed: &Claimed, worker: &str) -> anyhow::Result<()> {
    let id = claimed.id;
    match claimed.job()? {
        Job::TicketCreated {
            ticket_id,
            auto_reply,
            ..
        } => crate::intake::on_created(state, id, ticket_id, auto_reply).await,
        // Announced for subscribers; nothing else happens.
        Job::MessageReceived { .. } => {
            outbox::finish(state.db.begin().await?, id, state.now()).await
        }
        Job::MessageSent {
            message_id,
            automatic,
            ..
        } => crate::notify::send_job(state, id, worker, message_id, automatic).await,
        Job::TicketSolved { ticket_id } => {
            crate::reports::csat::on_solved(state, id, worker, ticket_id).await
        }
        Job::Assign {
            ticket_id,
            reason,
            exclude_agent_id,
        } => crate::assign::run_assign_job(state, id, ticket_id, reason, exclude_agent_id).await,
        Job::AssignWaiting { team_id, reason } => {
            crate::assign::run_waiting_job(state, id, team_id, &reason).await
        }
        Job::SearchIndex { ticket_id } => crate::search::run_index_job(state, id, ticket_id).await,
        Job::LinkSent { ticket_id } => {
            crate::notify::send_link_job(state, id, worker, ticket_id).await
        }
        Job::BulkChunk { bulk_run_id } => {
            crate::tickets::bulk::run_chunk_job(&state.db, id, bulk_run_id, state.now()).await
        }
    }
}

/// What happens when a job has failed for the last time.
async fn gave_up(state: &AppState, claimed: &Claimed, error: &str) -> anyhow::Result<()> {
    if let Ok(Job::MessageSent {
        ticket_id,
        message_id,
        ..
    }) = claimed.job()
    {
        let detail = format!("gave up after {} attempts: {error}", claimed.attempts);
        crate::notify::give_up_delivery(state, ticket_id, message_id, &detail).await?;
    }
    Ok(())
}

/// Claims and runs due jobs until none are left. Returns how many ran.
pub async fn drain_once(state: &AppState, worker: &str) -> anyhow::Result<usize> {
    let mut total = 0;
    loop {
        let jobs = outbox::claim(
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
        for job in &jobs {
            let outcome = AssertUnwindSafe(run(state, job, worker))
                .catch_unwind()
                .await;
            let outcome = outcome.unwrap_or_else(|panic| {
                let what = crate::error::panic_message(panic.as_ref());
                Err(anyhow::anyhow!("job panicked: {what}"))
            });
            if let Err(err) = outcome {
                tracing::warn!(job_id = job.id, kind = %job.kind, attempts = job.attempts, error = %err, "job failed");
                let now = state.clock.now_ms();
                outbox::mark_failed(&state.db, job, &err.to_string(), now).await?;
                if job.attempts >= MAX_ATTEMPTS {
                    gave_up(state, job, &err.to_string()).await?;
                }
            }
        }
        total += jobs.len();
    }
}

/// The worker loop: wakes when a transaction that wrote jobs commits (on this node, or on any
/// node through PostgreSQL's `LISTEN`), and at least every poll interval.
pub async fn run_worker(state: AppState) {
    match outbox::release_stale_leases(&state.db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(jobs = n, "released jobs claimed before a restart"),
        Err(err) => tracing::warn!(error = %err, "could not release stale outbox leases"),
    }
    let worker = format!("{}-{}", std::process::id(), crate::auth::random_token(4));
    let poll = Duration::from_millis(state.config.outbox_poll_ms.max(10));
    let wakeup = state.db.jobs_wakeup();
    let mut parked_at: Option<std::time::Instant> = None;
    loop {
        // Jobs that keep failing (or crashing the worker) are parked where admins can see them.
        if parked_at.is_none_or(|t| t.elapsed() >= outbox::PARK_EVERY) {
            parked_at = Some(std::time::Instant::now());
            if let Err(err) = outbox::park_exhausted(&state.db, state.clock.now_ms()).await {
                tracing::warn!(error = %err, "could not park exhausted jobs");
            }
        }
        if let Err(err) = drain_once(&state, &worker).await {
            tracing::warn!(error = %err, "outbox worker error");
        }
        tokio::select! {
            _ = wakeup.notified() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

/// PostgreSQL: wakes this node's worker when any node commits a job (`NOTIFY` on
/// [`outbox::WAKE_CHANNEL`]). Reconnects after a lost connection; the worker's poll covers the gap.
pub async fn listen_for_jobs(state: AppState) {
    let url = state.config.database_url.expose().to_string();
    let wakeup = state.db.jobs_wakeup();
    let mut backoff = Duration::from_millis(500);
    loop {
        let connected = tokio::time::timeout(
            Duration::from_secs(10),
            sqlx::postgres::PgListener::connect(&url),
        )
        .await;
        let mut listener = match connected {
            Ok(Ok(l)) => l,
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "cannot listen for jobs; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
            Err(_) => {
                tracing::warn!("listening for jobs timed out; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
        };
        if let Err(err) = listener.listen(outbox::WAKE_CHANNEL).await {
            tracing::warn!(error = %err, "cannot listen for jobs; retrying");
            tokio::time::sleep(backoff).await;
            continue;
        }
        backoff = Duration::from_millis(500);
        // A connection lost while we waited may have hidden jobs: look once after (re)connecting.
        wakeup.notify_one();
        loop {
            match listener.recv().await {
                Ok(_) => wakeup.notify_one(),
                Err(err) => {
                    tracing::warn!(error = %err, "job notifications interrupted; reconnecting");
                    break;
                }
            }
        }
    }
}
