//! Durable jobs. A change and the jobs it causes are written in one transaction; workers claim due
//! jobs with a lease, run them, and mark them done. A crash before "done" means the job runs again
//! after its lease expires; jobs whose effect is in the database commit that effect together with
//! "done", so they take effect exactly once.

use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::error::AppResult;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};

/// After this many failed attempts a job is parked as failed and shown to admins.
pub const MAX_ATTEMPTS: i64 = 12;

/// How often the worker parks jobs that used up their attempts.
pub const PARK_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// The PostgreSQL channel a committed job is announced on (the payload names its lane), so
/// that lane's workers wake on every node.
pub const WAKE_CHANNEL: &str = "casebook_jobs";

/// A unit of background work. Stored as its `kind` and the remaining fields as a JSON payload;
/// the `jobs` module runs each kind with its feature's handler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Job {
    /// A ticket was created: route, assign and acknowledge it.
    #[serde(rename = "ticket.created")]
    TicketCreated {
        ticket_id: i64,
        message_id: i64,
        /// Automatic mail is recorded but never answered.
        #[serde(default)]
        auto_reply: bool,
    },
    /// A customer wrote on an existing ticket (for subscribers; nothing else to do).
    #[serde(rename = "message.received")]
    MessageReceived {
        ticket_id: i64,
        message_id: i64,
        #[serde(default)]
        auto_reply: bool,
    },
    /// Email a public message to the customer.
    #[serde(rename = "message.sent")]
    MessageSent {
        ticket_id: i64,
        message_id: i64,
        /// An automatic message (acknowledgement): marked `Auto-Submitted`.
        #[serde(default)]
        automatic: bool,
    },
    /// A ticket was solved: ask for a rating.
    #[serde(rename = "ticket.solved")]
    TicketSolved { ticket_id: i64 },
    /// Assign a ticket within its team (routing it first when it has none).
    #[serde(rename = "ticket.assign")]
    Assign {
        ticket_id: i64,
        #[serde(default = "requested")]
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exclude_agent_id: Option<i64>,
    },
    /// Assign a team's waiting tickets, oldest first, while someone has room.
    #[serde(rename = "team.assign_waiting")]
    AssignWaiting {
        team_id: i64,
        #[serde(default = "someone_available")]
        reason: String,
    },
    /// Bring a ticket's search document up to date.
    #[serde(rename = "search.index")]
    SearchIndex { ticket_id: i64 },
    /// Mail the ticket's customer a fresh private link.
    #[serde(rename = "link.sent")]
    LinkSent { ticket_id: i64 },
    /// Apply the next chunk of a bulk change.
    #[serde(rename = "bulk.chunk")]
    BulkChunk { bulk_run_id: i64 },
    /// Send one webhook delivery (one event to one subscription). Deliveries of one ticket to
    /// one subscription run in order (see [`Job::order_key`]).
    #[serde(rename = "webhook.deliver")]
    WebhookDeliver {
        delivery_id: i64,
        subscription_id: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ticket_id: Option<i64>,
        /// A person asked for it again.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        manual: bool,
    },
    /// Send an agent's public reply on a messaging gateway's ticket (SMS, chat, social) to the
    /// gateway instead of by email. Replies of one ticket go out in order.
    #[serde(rename = "channel.reply")]
    ChannelReply { ticket_id: i64, message_id: i64 },
}

fn requested() -> String {
    "requested".into()
}

fn someone_available() -> String {
    "someone became available".into()
}

impl Job {
    /// The stored kind (`ticket.created`, …).
    pub fn kind(&self) -> String {
        self.to_value()["kind"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The stored payload: the job's fields without its kind.
    pub fn payload(&self) -> Value {
        let mut v = self.to_value();
        if let Some(map) = v.as_object_mut() {
            map.remove("kind");
        }
        v
    }

    /// Reads a stored job back; an unknown kind or a payload missing a field is an error.
    pub fn parse(kind: &str, payload: &Value) -> anyhow::Result<Job> {
        let mut v = match payload {
            Value::Object(m) => Value::Object(m.clone()),
            _ => Value::Object(Default::default()),
        };
        v["kind"] = Value::String(kind.to_string());
        serde_json::from_value(v).with_context(|| format!("job {kind:?} with payload {payload}"))
    }

    /// The lane the job runs in (see [`Lane`]).
    pub fn lane(&self) -> Lane {
        match self {
            Job::MessageSent { .. } | Job::LinkSent { .. } | Job::TicketSolved { .. } => Lane::Mail,
            Job::SearchIndex { .. } => Lane::Search,
            Job::BulkChunk { .. } => Lane::Bulk,
            Job::WebhookDeliver { .. } | Job::ChannelReply { .. } => Lane::Webhook,
            Job::TicketCreated { .. }
            | Job::MessageReceived { .. }
            | Job::Assign { .. }
            | Job::AssignWaiting { .. } => Lane::Work,
        }
    }

    /// The ticket the job is about, if any.
    pub fn ticket_id(&self) -> Option<i64> {
        match self {
            Job::TicketCreated { ticket_id, .. }
            | Job::MessageReceived { ticket_id, .. }
            | Job::MessageSent { ticket_id, .. }
            | Job::TicketSolved { ticket_id }
            | Job::Assign { ticket_id, .. }
            | Job::SearchIndex { ticket_id }
            | Job::LinkSent { ticket_id }
            | Job::ChannelReply { ticket_id, .. } => Some(*ticket_id),
            Job::WebhookDeliver { ticket_id, .. } => *ticket_id,
            Job::AssignWaiting { .. } | Job::BulkChunk { .. } => None,
        }
    }

    /// Which of its ticket's jobs in its lane a job waits for: only those with the same key.
    /// Empty for most jobs (all of the ticket's jobs in the lane, in order); a webhook delivery's
    /// is its subscription, so a receiver that keeps failing holds back only its own deliveries.
    pub fn order_key(&self) -> String {
        match self {
            Job::WebhookDeliver {
                subscription_id, ..
            } => format!("webhook:{subscription_id}"),
            Job::ChannelReply { .. } => "channel".into(),
            _ => String::new(),
        }
    }
}

/// Where a job runs. Each lane has workers of its own, so a slow or hung dependency of one lane
/// (the search backend, the SMTP relay) never holds up another (routing and assignment). Jobs of
/// one ticket run one at a time and in order within their lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Routing, assignment, intake follow-ups: what makes a new ticket land with someone.
    Work,
    /// Outgoing mail (replies, acknowledgements, rating requests, fresh links).
    Mail,
    /// Search documents, in batches; a later change of a ticket waiting to be indexed adds nothing.
    Search,
    /// Chunks of large bulk changes.
    Bulk,
    /// Outbound webhook deliveries and replies through messaging gateways: a receiver that
    /// hangs or fails delays nothing else.
    Webhook,
}

impl Lane {
    pub const ALL: [Lane; 5] = [
        Lane::Work,
        Lane::Mail,
        Lane::Search,
        Lane::Bulk,
        Lane::Webhook,
    ];

    /// The lane's wake-up slot: a committed job wakes only its own lane's workers.
    pub fn slot(self) -> usize {
        Lane::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }

    /// The lane named `name` (a job notice's payload).
    pub fn named(name: &str) -> Option<Lane> {
        Lane::ALL.into_iter().find(|l| l.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lane::Work => "work",
            Lane::Mail => "mail",
            Lane::Search => "search",
            Lane::Bulk => "bulk",
            Lane::Webhook => "webhook",
        }
    }
}

/// Writes `job` in the caller's transaction. Committing that transaction wakes the workers: this
/// process's at once, and on PostgreSQL every node's through `NOTIFY`. A search-index job for a
/// ticket that already has one waiting (not yet claimed, due) is not added: that one will read the
/// ticket as it is when it runs.
pub async fn enqueue(tx: &mut Tx, job: &Job, now: Millis) -> AppResult<()> {
    let lane = job.lane();
    let ticket_id = job.ticket_id();
    let query = if lane == Lane::Search {
        sqlx::query(
            "INSERT INTO outbox (kind, payload, run_at, attempts, created_at, lane, ticket_id, order_key)
             SELECT $1, $2, $3, 0, $3, $4, $5, $6 WHERE NOT EXISTS (
               SELECT 1 FROM outbox w WHERE w.ticket_id = $5 AND w.lane = $4 AND w.done_at IS NULL
                 AND w.failed_at IS NULL AND w.locked_until IS NULL AND w.run_at <= $3)",
        )
    } else {
        sqlx::query(
            "INSERT INTO outbox (kind, payload, run_at, attempts, created_at, lane, ticket_id, order_key)
             VALUES ($1, $2, $3, 0, $3, $4, $5, $6)",
        )
    };
    let inserted = query
        .bind(job.kind())
        .bind(job.payload().to_string())
        .bind(now)
        .bind(lane.as_str())
        .bind(ticket_id)
        .bind(job.order_key())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if inserted > 0 {
        tx.notify_on_commit(WAKE_CHANNEL, lane.as_str().to_string());
        tx.wake_workers_on_commit(lane.slot());
    }
    Ok(())
}

/// A claimed outbox row.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub payload: Value,
    pub attempts: i64,
}

impl Claimed {
    pub fn job(&self) -> anyhow::Result<Job> {
        Job::parse(&self.kind, &self.payload)
    }
}

/// Claims up to `limit` due jobs of any lane for `worker` (tools and tests; the workers claim
/// per lane with [`claim_lane`]).
pub async fn claim(
    db: &Db,
    worker: &str,
    limit: i64,
    now: Millis,
    lease_ms: i64,
) -> anyhow::Result<Vec<Claimed>> {
    claim_in(db, None, worker, limit, now, lease_ms).await
}

/// Claims up to `limit` due jobs of `lane` for `worker`.
/// A job stays reserved for `lease_ms`; after that (its worker died) another worker may take it,
/// unless it used up its attempts: then it waits for [`park_exhausted`]. Outside the search lane
/// a job whose ticket has an earlier unfinished job in the same lane (with the same
/// [`Job::order_key`]) waits for it, so one ticket's jobs run one at a time and in order,
/// whatever the number of workers.
pub async fn claim_lane(
    db: &Db,
    lane: Lane,
    worker: &str,
    limit: i64,
    now: Millis,
    lease_ms: i64,
) -> anyhow::Result<Vec<Claimed>> {
    claim_in(db, Some(lane), worker, limit, now, lease_ms).await
}

async fn claim_in(
    db: &Db,
    lane: Option<Lane>,
    worker: &str,
    limit: i64,
    now: Millis,
    lease_ms: i64,
) -> anyhow::Result<Vec<Claimed>> {
    let lane_clause = if lane.is_some() {
        "o.lane = $5 AND"
    } else {
        "($5 IS NULL OR 1 = 1) AND"
    };
    let sql = format!(
        "UPDATE outbox SET locked_until = $1, locked_by = $2, attempts = attempts + 1
         WHERE outbox_id IN (
            SELECT o.outbox_id FROM outbox o
            WHERE {lane_clause} o.done_at IS NULL AND o.failed_at IS NULL AND o.run_at <= $3
              AND (o.locked_until IS NULL OR o.locked_until < $3) AND o.attempts < {MAX_ATTEMPTS}
              AND (o.lane = 'search' OR o.ticket_id IS NULL OR NOT EXISTS (
                SELECT 1 FROM outbox p WHERE p.ticket_id = o.ticket_id AND p.lane = o.lane
                  AND p.order_key = o.order_key AND p.done_at IS NULL AND p.failed_at IS NULL AND p.outbox_id < o.outbox_id))
            ORDER BY o.outbox_id LIMIT $4 {})
         RETURNING outbox_id, kind, payload, attempts",
        db.skip_locked()
    );
    // In a transaction of its own so that on SQLite the claim waits its turn among the writers
    // instead of in SQLite's busy handler, where a run of other writers could starve it.
    let mut tx = db.begin().await?;
    if db.backend == crate::db::Backend::Postgres {
        // The claim must walk its lane's pending jobs in id order and stop after `limit`. With
        // statistics taken while the outbox was empty, PostgreSQL instead reads every due job
        // of the burst through the due-time index and sorts them (measured: 37 ms a claim at
        // 30,000 waiting, growing with the backlog, until the next ANALYZE; in a 10,000-ticket
        // burst every new ticket waited ~21 s for its routing). Without sorts, the pending
        // index's order is the only plan left.
        sqlx::query("SET LOCAL enable_sort = off")
            .execute(&mut *tx)
            .await?;
    }
    // Planned afresh at every claim, not once per connection: a plan cached while the outbox
    // was nearly empty (a new installation, a quiet night) reads the whole table for each
    // pending job once a burst has queued tens of thousands (measured on PostgreSQL: claims
    // running for over ten minutes with 50,000 jobs waiting, until the next ANALYZE).
    // Statistics taken while little was pending mislead even a fresh plan (every due job read
    // through the due-time index and sorted: 200 ms a claim at 30,000 waiting);
    // [`keep_statistics`] re-analyzes the table when the backlog has changed a lot.
    let rows = sqlx::query(AssertSqlSafe(sql))
        .persistent(false)
        .bind(now + lease_ms)
        .bind(worker)
        .bind(now)
        .bind(limit)
        .bind(lane.map(Lane::as_str))
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    let mut jobs = rows
        .iter()
        .map(|r| {
            let payload: String = r.try_get("payload")?;
            Ok(Claimed {
                id: r.try_get("outbox_id")?,
                kind: r.try_get("kind")?,
                payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
                attempts: r.try_get("attempts")?,
            })
        })
        .collect::<anyhow::Result<Vec<Claimed>>>()?;
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

/// How long a job waits after failing its `attempts`-th attempt: 2 s after the first, doubling
/// each time, at most an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    1_000i64
        .saturating_mul(1 << attempts.clamp(0, 12))
        .min(3_600_000)
}

/// Records a failure; retries later with exponential backoff, or parks the job after `MAX_ATTEMPTS`.
pub async fn mark_failed(db: &Db, job: &Claimed, error: &str, now: Millis) -> anyhow::Result<()> {
    let backoff = backoff_ms(job.attempts);
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

/// Records `error` on jobs that failed as part of a batch and are retried on their own at once.
pub async fn note_error(db: &Db, job_ids: &[i64], error: &str) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    for id in job_ids {
        sqlx::query("UPDATE outbox SET last_error = $1 WHERE outbox_id = $2")
            .bind(error.chars().take(2000).collect::<String>())
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
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

/// PostgreSQL: takes fresh statistics of the outbox when its backlog has changed a lot since the
/// last ones (and once at start). Plans made from statistics taken while little was pending
/// read every due job for each claim once tens of thousands wait; autovacuum's own ANALYZE
/// comes late for a sudden burst, or never where autovacuum is off. Returns whether it analyzed.
pub async fn keep_statistics(db: &Db, analyzed_at: &mut Option<i64>) -> anyhow::Result<bool> {
    if db.backend != crate::db::Backend::Postgres {
        return Ok(false);
    }
    let now = depth(db).await?;
    let stale = match *analyzed_at {
        None => true,
        Some(before) => (now - before).abs() > 1000.max(before / 2),
    };
    if stale {
        sqlx::query("ANALYZE outbox").execute(&db.pool).await?;
        *analyzed_at = Some(now);
    }
    Ok(stale)
}

/// Marks the job done in `tx` and commits it with the job's effect (or rolls back when another
/// worker finished the job meanwhile).
pub async fn finish(mut tx: Tx, job_id: i64, now: Millis) -> anyhow::Result<()> {
    if mark_done(&mut tx, job_id, now).await? {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
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

/// Parks jobs that used up their attempts without being parked (e.g. the worker died running them),
/// so admins see them. The worker calls it every [`PARK_EVERY`]; claims never take such jobs.
pub async fn park_exhausted(db: &Db, now: Millis) -> anyhow::Result<()> {
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
