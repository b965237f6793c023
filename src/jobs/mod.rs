//! The background workers: per lane (see [`outbox::Lane`]), workers claim due outbox jobs and
//! hand each to its feature's handler; the search lane indexes its jobs in batches. This sits at
//! the top of the crate; the outbox below it only stores, claims, leases and retries jobs, and the
//! features below it only enqueue them.

use crate::outbox::{self, Claimed, Job, Lane, MAX_ATTEMPTS};
use crate::state::AppState;
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

/// Runs one job with its handler. Every handler commits its database effect together with the
/// job's "done" mark, so a job takes effect exactly once.
/// `leased_until`: when the claim's lease runs out, if the job was claimed just before.
async fn run(
    state: &AppState,
    claimed: &Claimed,
    worker: &str,
    leased_until: Option<i64>,
) -> anyhow::Result<()> {
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
        Job::WebhookDeliver {
            delivery_id,
            manual,
            ..
        } => {
            let job = crate::webhooks::DeliveryJob {
                job_id: id,
                attempts: claimed.attempts,
                worker,
                delivery_id,
                manual,
                leased_until,
            };
            crate::webhooks::run_delivery_job(state, &job).await
        }
        Job::ChannelReply { message_id, .. } => {
            crate::channels::run_reply_job(state, id, worker, claimed.attempts, message_id).await
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
    if let Ok(Job::ChannelReply {
        ticket_id,
        message_id,
    }) = claimed.job()
    {
        let detail = format!("gave up after {} attempts: {error}", claimed.attempts);
        crate::notify::give_up_delivery(state, ticket_id, message_id, &detail).await?;
    }
    if let Ok(Job::WebhookDeliver { delivery_id, .. }) = claimed.job() {
        crate::webhooks::give_up(&state.db, delivery_id, error, state.now()).await?;
    }
    Ok(())
}

/// Runs one claimed job, recording a failure for a retry.
async fn run_one(
    state: &AppState,
    job: &Claimed,
    worker: &str,
    leased_until: Option<i64>,
) -> anyhow::Result<()> {
    let outcome = AssertUnwindSafe(run(state, job, worker, leased_until))
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
    Ok(())
}

/// Runs claimed jobs one after the other, recording each failure for a retry.
async fn run_claimed(state: &AppState, jobs: &[Claimed], worker: &str) -> anyhow::Result<()> {
    for job in jobs {
        run_one(state, job, worker, None).await?;
    }
    Ok(())
}

/// Sends claimed webhook deliveries side by side: a claim never holds two of one ticket for one
/// subscription, so their order holds, and one slow receiver does not hold up the others of the
/// batch. They were claimed at `claimed_at`, so their lease covers the sending.
async fn run_webhook_batch(
    state: &AppState,
    jobs: &[Claimed],
    worker: &str,
    claimed_at: i64,
) -> anyhow::Result<()> {
    let leased_until = claimed_at + state.config.outbox_lease_ms;
    let runs = jobs
        .iter()
        .map(|job| run_one(state, job, worker, Some(leased_until)));
    futures_util::future::join_all(runs)
        .await
        .into_iter()
        .collect()
}

/// Indexes claimed search jobs together: one write to the index for all their tickets. When the
/// batch fails, each job is retried on its own (so one bad ticket cannot hold up the rest).
async fn run_search_batch(state: &AppState, jobs: &[Claimed], worker: &str) -> anyhow::Result<()> {
    // (job id, ticket id) of the index jobs, the same jobs as claimed, and the rest.
    let (mut batch, mut indexing, mut others) = (Vec::new(), Vec::new(), Vec::new());
    for job in jobs {
        match job.job() {
            Ok(Job::SearchIndex { ticket_id }) => {
                batch.push((job.id, ticket_id));
                indexing.push(job.clone());
            }
            _ => others.push(job.clone()),
        }
    }
    if !batch.is_empty()
        && let Err(err) = crate::search::run_index_batch(state, &batch).await
    {
        tracing::warn!(jobs = batch.len(), error = %err, "search batch failed; indexing one by one");
        let ids: Vec<i64> = indexing.iter().map(|j| j.id).collect();
        outbox::note_error(&state.db, &ids, &format!("{err:#}")).await?;
        run_claimed(state, &indexing, worker).await?;
    }
    run_claimed(state, &others, worker).await
}

/// Claims and runs due jobs of every lane until none are left. Returns how many ran.
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
        run_claimed(state, &jobs, worker).await?;
        total += jobs.len();
    }
}

/// Workers and claim size of each lane.
fn lanes(state: &AppState) -> [(Lane, usize, i64); 5] {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    // A job spends most of its time waiting on the database. PostgreSQL runs several jobs'
    // transactions side by side, so twice as many workers as cores keep it busy; SQLite has one
    // writer at a time, where more workers would only queue for it.
    let work = match (state.config.job_workers, state.db.backend) {
        (0, crate::db::Backend::Postgres) => (cores * 2).max(4),
        (0, crate::db::Backend::Sqlite) => cores.max(2),
        (n, _) => n,
    };
    [
        (Lane::Work, work, 10),
        (Lane::Mail, 2, 5),
        (Lane::Search, 1, 200),
        (Lane::Bulk, 1, 1),
        // A worker sends its claimed deliveries side by side (see `run_webhook_batch`).
        (Lane::Webhook, state.config.webhook_workers.max(1), 8),
    ]
}

/// One worker of a lane: claims and runs its jobs; when there are none, waits until a transaction
/// that wrote jobs of its lane commits (on this node, or on any node through PostgreSQL's
/// `LISTEN`), and at least every poll interval. Other lanes' jobs do not wake it: during a burst
/// of new tickets the mail and search workers would otherwise look for work at every commit.
async fn run_lane(state: AppState, lane: Lane, claim: i64, worker: String) {
    let poll = Duration::from_millis(state.config.outbox_poll_ms.max(10));
    let mut wakeup = state.db.jobs_wakeup().subscribe(lane.slot());
    loop {
        wakeup.mark_unchanged();
        let now = state.clock.now_ms();
        let lease = state.config.outbox_lease_ms;
        let ran = match outbox::claim_lane(&state.db, lane, &worker, claim, now, lease).await {
            Ok(jobs) if jobs.is_empty() => false,
            Ok(jobs) => {
                let done = match lane {
                    Lane::Search => run_search_batch(&state, &jobs, &worker).await,
                    Lane::Webhook => run_webhook_batch(&state, &jobs, &worker, now).await,
                    _ => run_claimed(&state, &jobs, &worker).await,
                };
                if let Err(err) = done {
                    tracing::warn!(lane = lane.as_str(), error = %err, "job worker error");
                }
                true
            }
            Err(err) => {
                tracing::warn!(lane = lane.as_str(), error = %err, "job worker error");
                false
            }
        };
        if ran {
            continue;
        }
        tokio::select! {
            _ = wakeup.changed() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

/// The job workers of this process, every lane's, and the parking of jobs that keep failing.
pub async fn run_worker(state: AppState) {
    match outbox::release_stale_leases(&state.db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(jobs = n, "released jobs claimed before a restart"),
        Err(err) => tracing::warn!(error = %err, "could not release stale outbox leases"),
    }
    let node = format!("{}-{}", std::process::id(), crate::auth::random_token(4));
    // Dropped (and so stopped) with this task.
    let mut workers = tokio::task::JoinSet::new();
    for (lane, count, claim) in lanes(&state) {
        for i in 0..count {
            let name = format!("{node}-{}{i}", lane.as_str());
            workers.spawn(run_lane(state.clone(), lane, claim, name));
        }
    }
    let mut analyzed_at = None;
    loop {
        // Jobs that keep failing (or crashing the worker) are parked where admins can see them.
        if let Err(err) = outbox::park_exhausted(&state.db, state.clock.now_ms()).await {
            tracing::warn!(error = %err, "could not park exhausted jobs");
        }
        if let Err(err) = outbox::keep_statistics(&state.db, &mut analyzed_at).await {
            tracing::warn!(error = %err, "could not refresh the outbox statistics");
        }
        tokio::time::sleep(outbox::PARK_EVERY).await;
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
        wakeup.notify();
        loop {
            match listener.recv().await {
                Ok(notice) => match Lane::named(notice.payload()) {
                    Some(lane) => wakeup.notify_slot(lane.slot()),
                    // A node of an earlier version announces jobs without their lane.
                    None => wakeup.notify(),
                },
                Err(err) => {
                    tracing::warn!(error = %err, "job notifications interrupted; reconnecting");
                    break;
                }
            }
        }
    }
}
