//! The database seam: one `Db` over SQLite (embedded default) or PostgreSQL, embedded migrations,
//! and the few places where the two dialects differ.

pub mod builder;
pub mod dialect;

pub use builder::Sql;

use anyhow::{Context, Result};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Transaction};
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, Notify, OwnedMutexGuard};

/// Wakes every job worker of this process: each one sees that something changed since it last
/// looked, even if it was busy at the moment of the wake-up (nothing is lost between its claim
/// and its wait).
pub struct Wakeup([tokio::sync::watch::Sender<u64>; WAKE_SLOTS]);

/// How many separately woken groups of waiters a [`Wakeup`] has (the job lanes).
pub const WAKE_SLOTS: usize = 8;

impl Default for Wakeup {
    fn default() -> Self {
        Wakeup(std::array::from_fn(|_| tokio::sync::watch::channel(0).0))
    }
}

impl Wakeup {
    /// Wakes every slot's waiters.
    pub fn notify(&self) {
        for slot in 0..WAKE_SLOTS {
            self.notify_slot(slot);
        }
    }

    /// Wakes the waiters of one slot.
    pub fn notify_slot(&self, slot: usize) {
        self.0[slot % WAKE_SLOTS].send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Waits for a wake-up of `slot` (or of all).
    pub fn subscribe(&self, slot: usize) -> tokio::sync::watch::Receiver<u64> {
        self.0[slot % WAKE_SLOTS].subscribe()
    }
}

/// A write transaction. On SQLite it also holds this process's writer turn, so writers queue
/// fairly here instead of sleeping in SQLite's busy handler (which gives long latency tails).
pub struct Tx {
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
    /// The job workers' wake-up, poked after a commit when this transaction wrote jobs.
    jobs_wakeup: Arc<Wakeup>,
    /// The wake-up slots (lanes) this transaction wrote jobs for, one bit each.
    wrote_jobs: u8,
    /// The live stream's wake-up, poked after a commit when this transaction changed tickets.
    live_wakeup: Arc<Notify>,
    wrote_changes: bool,
    /// PostgreSQL notifications to send with the commit (channel, payload), all in one statement.
    notices: Vec<(&'static str, String)>,
    /// (agent, ticket) of every agent notification written in this transaction.
    notified: Vec<(i64, i64)>,
    storage: Arc<Storage>,
}

impl Tx {
    /// Commits; when the transaction wrote outbox jobs, this process's workers wake at once.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        if !self.notices.is_empty() && self.backend() == Backend::Postgres {
            // Delivered when (and only if) the transaction commits; one round trip for all.
            let mut sql = Sql::new("SELECT ");
            for (i, (channel, payload)) in self.notices.iter().enumerate() {
                let (c, p) = (sql.param(*channel), sql.param(payload));
                if i > 0 {
                    sql.push(", ");
                }
                sql.push(&format!("pg_notify({c}, {p})"));
            }
            sql.query().execute(&mut *self.tx).await?;
        }
        let committed = self.tx.commit().await;
        self.storage.note(&committed);
        committed?;
        for slot in 0..WAKE_SLOTS {
            if self.wrote_jobs & (1 << slot) != 0 {
                self.jobs_wakeup.notify_slot(slot);
            }
        }
        if self.wrote_changes {
            self.live_wakeup.notify_one();
        }
        Ok(())
    }

    /// On PostgreSQL, sends `payload` on `channel` to every listening node when (and only if)
    /// this transaction commits. The same notice twice is sent once.
    pub fn notify_on_commit(&mut self, channel: &'static str, payload: String) {
        if self.backend() == Backend::Postgres
            && !self
                .notices
                .iter()
                .any(|(c, p)| *c == channel && *p == payload)
        {
            self.notices.push((channel, payload));
        }
    }

    /// Records that this transaction told `agent_id` about `ticket_id` (the agents' inbox calls
    /// it), so one change tells each agent once.
    pub fn note_notified(&mut self, agent_id: i64, ticket_id: i64) {
        self.notified.push((agent_id, ticket_id));
    }

    /// The agents this transaction told about `ticket_id` so far.
    pub fn notified_about(&self, ticket_id: i64) -> impl Iterator<Item = i64> + '_ {
        self.notified
            .iter()
            .filter(move |(_, t)| *t == ticket_id)
            .map(|(a, _)| *a)
    }

    /// Marks that this transaction wrote ticket change events (the ticket commands call it).
    pub fn wake_live_on_commit(&mut self) {
        self.wrote_changes = true;
    }

    /// Marks that this transaction wrote jobs for the workers waiting on `slot` (the outbox
    /// calls it with the job's lane), so only they wake after the commit.
    pub fn wake_workers_on_commit(&mut self, slot: usize) {
        self.wrote_jobs |= 1 << (slot % WAKE_SLOTS);
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }

    /// The backend this transaction runs on.
    pub fn backend(&self) -> Backend {
        Backend::of(&self.tx)
    }
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a connection talks to.
    pub fn of(conn: &AnyConnection) -> Backend {
        if conn.backend_name() == "PostgreSQL" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// A connection pool and the backend it talks to. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// SQLite has one writer at a time; this queue hands out the turns within the process.
    writer: Arc<Mutex<()>>,
    /// Poked after a transaction that wrote outbox jobs commits.
    jobs_wakeup: Arc<Wakeup>,
    /// Poked after a transaction that changed tickets commits.
    live_wakeup: Arc<Notify>,
    /// Whether writes reach the disk (SQLite): see [`Db::check_writable`].
    storage: Arc<Storage>,
}

/// What the last writes said about the storage under an SQLite database.
struct Storage {
    /// The folder holding the database file (None: PostgreSQL or an in-memory database).
    dir: Option<PathBuf>,
    /// Milliseconds since the epoch of the last write that failed for lack of storage, and of
    /// the last write that succeeded.
    failed_at: AtomicI64,
    ok_at: AtomicI64,
}

/// Below this much free space the database counts as unwritable: SQLite's next checkpoint or
/// page allocation would fail.
const MIN_FREE_BYTES: u64 = 1 << 20;

impl Storage {
    fn note(&self, result: &Result<(), sqlx::Error>) {
        match result {
            Ok(()) => self
                .ok_at
                .store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed),
            Err(err) => self.note_failure(err),
        }
    }

    /// Remembers `err` when it says the disk is full or failing.
    fn note_failure(&self, err: &sqlx::Error) {
        if is_storage_failure(err) {
            self.failed_at
                .store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed);
        }
    }

    fn last_write_failed(&self) -> bool {
        let failed_at = self.failed_at.load(Ordering::Relaxed);
        failed_at > 0 && failed_at >= self.ok_at.load(Ordering::Relaxed)
    }
}

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// Migrations are embedded so the binary runs from any directory.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "core",
        sqlite: include_str!("../../migrations/sqlite/0001_core.sql"),
        postgres: include_str!("../../migrations/postgres/0001_core.sql"),
    },
    Migration {
        version: 2,
        name: "email",
        sqlite: include_str!("../../migrations/sqlite/0002_email.sql"),
        postgres: include_str!("../../migrations/postgres/0002_email.sql"),
    },
    Migration {
        version: 3,
        name: "queue_indexes",
        sqlite: include_str!("../../migrations/sqlite/0003_queue_indexes.sql"),
        postgres: include_str!("../../migrations/postgres/0003_queue_indexes.sql"),
    },
    Migration {
        version: 4,
        name: "message_customer_index",
        sqlite: include_str!("../../migrations/sqlite/0004_message_customer_index.sql"),
        postgres: include_str!("../../migrations/postgres/0004_message_customer_index.sql"),
    },
    Migration {
        version: 5,
        name: "crm",
        sqlite: include_str!("../../migrations/sqlite/0005_crm.sql"),
        postgres: include_str!("../../migrations/postgres/0005_crm.sql"),
    },
    Migration {
        version: 6,
        name: "teams",
        sqlite: include_str!("../../migrations/sqlite/0006_teams.sql"),
        postgres: include_str!("../../migrations/postgres/0006_teams.sql"),
    },
    Migration {
        version: 7,
        name: "routing",
        sqlite: include_str!("../../migrations/sqlite/0007_routing.sql"),
        postgres: include_str!("../../migrations/postgres/0007_routing.sql"),
    },
    Migration {
        version: 8,
        name: "sla",
        sqlite: include_str!("../../migrations/sqlite/0008_sla.sql"),
        postgres: include_str!("../../migrations/postgres/0008_sla.sql"),
    },
    Migration {
        version: 9,
        name: "crm_identity_merge",
        sqlite: include_str!("../../migrations/sqlite/0009_crm_identity_merge.sql"),
        postgres: include_str!("../../migrations/postgres/0009_crm_identity_merge.sql"),
    },
    Migration {
        version: 10,
        name: "search",
        sqlite: include_str!("../../migrations/sqlite/0010_search.sql"),
        postgres: include_str!("../../migrations/postgres/0010_search.sql"),
    },
    Migration {
        version: 11,
        name: "reports",
        sqlite: include_str!("../../migrations/sqlite/0011_reports.sql"),
        postgres: include_str!("../../migrations/postgres/0011_reports.sql"),
    },
    Migration {
        version: 12,
        name: "working_hours",
        sqlite: include_str!("../../migrations/sqlite/0012_working_hours.sql"),
        postgres: include_str!("../../migrations/postgres/0012_working_hours.sql"),
    },
    Migration {
        version: 13,
        name: "report_facts",
        sqlite: include_str!("../../migrations/sqlite/0013_report_facts.sql"),
        postgres: include_str!("../../migrations/postgres/0013_report_facts.sql"),
    },
    Migration {
        version: 14,
        name: "search_candidates",
        sqlite: include_str!("../../migrations/sqlite/0014_search_candidates.sql"),
        postgres: include_str!("../../migrations/postgres/0014_search_candidates.sql"),
    },
    Migration {
        version: 15,
        name: "ticket_versions",
        sqlite: include_str!("../../migrations/sqlite/0015_ticket_versions.sql"),
        postgres: include_str!("../../migrations/postgres/0015_ticket_versions.sql"),
    },
    Migration {
        version: 16,
        name: "retention",
        sqlite: include_str!("../../migrations/sqlite/0016_retention.sql"),
        postgres: include_str!("../../migrations/postgres/0016_retention.sql"),
    },
    Migration {
        version: 17,
        name: "drafts",
        sqlite: include_str!("../../migrations/sqlite/0017_drafts.sql"),
        postgres: include_str!("../../migrations/postgres/0017_drafts.sql"),
    },
    Migration {
        version: 18,
        name: "notifications",
        sqlite: include_str!("../../migrations/sqlite/0018_notifications.sql"),
        postgres: include_str!("../../migrations/postgres/0018_notifications.sql"),
    },
    Migration {
        version: 19,
        name: "hardening",
        sqlite: include_str!("../../migrations/sqlite/0019_hardening.sql"),
        postgres: include_str!("../../migrations/postgres/0019_hardening.sql"),
    },
    Migration {
        version: 20,
        name: "sender_clock",
        sqlite: include_str!("../../migrations/sqlite/0020_sender_clock.sql"),
        postgres: include_str!("../../migrations/postgres/0020_sender_clock.sql"),
    },
    Migration {
        version: 21,
        name: "ticket_merge",
        sqlite: include_str!("../../migrations/sqlite/0021_ticket_merge.sql"),
        postgres: include_str!("../../migrations/postgres/0021_ticket_merge.sql"),
    },
    Migration {
        version: 22,
        name: "ticket_cc",
        sqlite: include_str!("../../migrations/sqlite/0022_ticket_cc.sql"),
        postgres: include_str!("../../migrations/postgres/0022_ticket_cc.sql"),
    },
    Migration {
        version: 23,
        name: "macros",
        sqlite: include_str!("../../migrations/sqlite/0023_macros.sql"),
        postgres: include_str!("../../migrations/postgres/0023_macros.sql"),
    },
    Migration {
        version: 24,
        name: "saved_views",
        sqlite: include_str!("../../migrations/sqlite/0024_saved_views.sql"),
        postgres: include_str!("../../migrations/postgres/0024_saved_views.sql"),
    },
    Migration {
        version: 25,
        name: "personal_macros_bulk_runs",
        sqlite: include_str!("../../migrations/sqlite/0025_personal_macros_bulk_runs.sql"),
        postgres: include_str!("../../migrations/postgres/0025_personal_macros_bulk_runs.sql"),
    },
    Migration {
        version: 26,
        name: "customer_attributes",
        sqlite: include_str!("../../migrations/sqlite/0026_customer_attributes.sql"),
        postgres: include_str!("../../migrations/postgres/0026_customer_attributes.sql"),
    },
    Migration {
        version: 27,
        name: "job_lanes",
        sqlite: include_str!("../../migrations/sqlite/0027_job_lanes.sql"),
        postgres: include_str!("../../migrations/postgres/0027_job_lanes.sql"),
    },
    Migration {
        version: 28,
        name: "team_views",
        sqlite: include_str!("../../migrations/sqlite/0028_team_views.sql"),
        postgres: include_str!("../../migrations/postgres/0028_team_views.sql"),
    },
    Migration {
        version: 29,
        name: "waiting_since",
        sqlite: include_str!("../../migrations/sqlite/0029_waiting_since.sql"),
        postgres: include_str!("../../migrations/postgres/0029_waiting_since.sql"),
    },
    Migration {
        version: 30,
        name: "customer_open_tickets",
        sqlite: include_str!("../../migrations/sqlite/0030_customer_open_tickets.sql"),
        postgres: include_str!("../../migrations/postgres/0030_customer_open_tickets.sql"),
    },
    Migration {
        version: 31,
        name: "search_pairs",
        sqlite: include_str!("../../migrations/sqlite/0031_search_pairs.sql"),
        postgres: include_str!("../../migrations/postgres/0031_search_pairs.sql"),
    },
    Migration {
        version: 32,
        name: "report_sla",
        sqlite: include_str!("../../migrations/sqlite/0032_report_sla.sql"),
        postgres: include_str!("../../migrations/postgres/0032_report_sla.sql"),
    },
    Migration {
        version: 33,
        name: "locale",
        sqlite: include_str!("../../migrations/sqlite/0033_locale.sql"),
        postgres: include_str!("../../migrations/postgres/0033_locale.sql"),
    },
    Migration {
        version: 34,
        name: "notes",
        sqlite: include_str!("../../migrations/sqlite/0034_notes.sql"),
        postgres: include_str!("../../migrations/postgres/0034_notes.sql"),
    },
    Migration {
        version: 35,
        name: "webhooks",
        sqlite: include_str!("../../migrations/sqlite/0035_webhooks.sql"),
        postgres: include_str!("../../migrations/postgres/0035_webhooks.sql"),
    },
    Migration {
        version: 36,
        name: "channels",
        sqlite: include_str!("../../migrations/sqlite/0036_channels.sql"),
        postgres: include_str!("../../migrations/postgres/0036_channels.sql"),
    },
    Migration {
        version: 37,
        name: "webhook_retention",
        sqlite: include_str!("../../migrations/sqlite/0037_webhook_retention.sql"),
        postgres: include_str!("../../migrations/postgres/0037_webhook_retention.sql"),
    },
];

/// The migration whose SQLite script expects `ticket.channel`'s CHECK widened first.
const WIDEN_TICKET_CHANNEL: i64 = 36;

/// SQLite cannot alter a CHECK constraint. Loosening one changes nothing stored, which is the
/// case SQLite documents for editing the table's schema text (`PRAGMA writable_schema`, in the
/// migration's transaction, with the schema version bumped so every connection re-reads it) —
/// instead of rebuilding `ticket` with its many indexes, triggers and foreign keys. Refuses
/// (and the migration fails, changing nothing) unless the CHECK is exactly as created.
async fn widen_sqlite_ticket_channel(conn: &mut sqlx::AnyConnection) -> Result<()> {
    const OLD: &str = "CHECK (channel IN ('web', 'email', 'api'))";
    const NEW: &str = "CHECK (channel IN ('web', 'email', 'api', 'sms', 'chat', 'social'))";
    let version: i64 = sqlx::query_scalar("PRAGMA schema_version")
        .fetch_one(&mut *conn)
        .await?;
    conn.execute("PRAGMA writable_schema = ON").await?;
    let changed = sqlx::query(
        "UPDATE sqlite_master SET sql = replace(sql, $1, $2)
         WHERE type = 'table' AND name = 'ticket' AND instr(sql, $1) > 0",
    )
    .bind(OLD)
    .bind(NEW)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    conn.execute(sqlx::AssertSqlSafe(format!(
        "PRAGMA schema_version = {}",
        version + 1
    )))
    .await?;
    conn.execute("PRAGMA writable_schema = OFF").await?;
    if changed != 1 {
        anyhow::bail!("ticket.channel's CHECK is not the one migration 1 created; not changed");
    }
    let check: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut *conn)
        .await?;
    if check != "ok" {
        anyhow::bail!("the database failed its check after widening ticket.channel: {check}");
    }
    Ok(())
}

/// Advisory lock key that serialises migrations across `casebook` processes on PostgreSQL.
const MIGRATION_LOCK: i64 = 0x0CA5_EB00_0001;

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), creating the SQLite file and folder if
    /// needed; a caller waits up to 30 s for a connection (tools and benchmarks).
    pub async fn connect(url: &str) -> Result<Db> {
        Db::connect_with(url, Duration::from_secs(30)).await
    }

    /// [`Db::connect`] where a caller waits at most `acquire_timeout` for a connection: the
    /// server's requests fail fast (503) while the database is down, instead of queueing.
    pub async fn connect_with(url: &str, acquire_timeout: Duration) -> Result<Db> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            anyhow::bail!("CASEBOOK_DATABASE_URL must start with sqlite:// or postgres://");
        };
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        let options = AnyPoolOptions::new()
            .acquire_timeout(acquire_timeout)
            // A connection whose transaction could not be closed (a COMMIT that failed on a full
            // disk, a ROLLBACK after the database already rolled back) is closed, not handed to
            // the next caller inside a dead transaction.
            .after_release(|conn, _meta| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .before_acquire(|conn, _meta| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            });
        let options = match backend {
            Backend::Sqlite => options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; \
                         PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
                    )
                    .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => options,
        };
        if backend == Backend::Sqlite {
            // Before the pool's connections load the schema (each keeps the statistics it
            // loaded): they then plan the full-text tables' statements with sound estimates.
            let mut conn = sqlx::AnyConnection::connect(&url)
                .await
                .with_context(|| format!("cannot open the {backend:?} database"))?;
            // Another process may be writing: wait for it as the pool's connections do.
            conn.execute("PRAGMA busy_timeout=10000").await?;
            forget_fts_statistics(&mut conn).await?;
            conn.close().await?;
        }
        let pool = options
            .connect(&url)
            .await
            .with_context(|| format!("cannot open the {backend:?} database"))?;
        let dir = match backend {
            Backend::Sqlite => sqlite_dir(&url),
            Backend::Postgres => None,
        };
        Ok(Db {
            pool,
            backend,
            writer: Arc::new(Mutex::new(())),
            jobs_wakeup: Arc::new(Wakeup::default()),
            live_wakeup: Arc::new(Notify::new()),
            storage: Arc::new(Storage {
                dir,
                failed_at: AtomicI64::new(0),
                ok_at: AtomicI64::new(0),
            }),
        })
    }

    /// Starts a write transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`),
    /// so a transaction that reads before it writes never fails to upgrade.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let (tx, turn) = match self.backend {
            Backend::Sqlite => {
                let turn = self.writer.clone().lock_owned().await;
                let tx = self
                    .pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .inspect_err(|e| self.storage.note_failure(e))?;
                (tx, Some(turn))
            }
            Backend::Postgres => (self.pool.begin().await?, None),
        };
        Ok(Tx {
            tx,
            _turn: turn,
            jobs_wakeup: self.jobs_wakeup.clone(),
            wrote_jobs: 0,
            live_wakeup: self.live_wakeup.clone(),
            wrote_changes: false,
            notices: Vec::new(),
            notified: Vec::new(),
            storage: self.storage.clone(),
        })
    }

    /// Applies pending migrations. Safe to run from several processes at once.
    pub async fn migrate(&self) -> Result<()> {
        self.migrate_through(i64::MAX).await
    }

    /// Applies migrations up to version `last` (tests of a migration start from the schema
    /// before it).
    #[doc(hidden)]
    pub async fn migrate_through(&self, last: i64) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *conn)
                .await?;
        }
        let result = self.migrate_locked(&mut conn, last).await;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *conn)
                .await?;
        }
        result
    }

    async fn migrate_locked(&self, conn: &mut sqlx::AnyConnection, last: i64) -> Result<()> {
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migration (
                version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .await?;
        for m in MIGRATIONS.iter().filter(|m| m.version <= last) {
            let done: Option<i64> =
                sqlx::query_scalar("SELECT version FROM schema_migration WHERE version = $1")
                    .bind(m.version)
                    .fetch_optional(&mut *conn)
                    .await?;
            if done.is_some() {
                continue;
            }
            let sql = match self.backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            if self.backend == Backend::Sqlite && m.version == WIDEN_TICKET_CHANNEL {
                widen_sqlite_ticket_channel(&mut tx).await?;
            }
            tx.execute(sql)
                .await
                .with_context(|| format!("migration {} ({}) failed", m.version, m.name))?;
            sqlx::query(
                "INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(chrono::Utc::now().timestamp_millis())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            tracing::info!(version = m.version, name = m.name, "applied migration");
        }
        Ok(())
    }

    /// Refreshes SQLite's query-planner statistics where they are missing or stale, so queue
    /// pages walk an index in id order instead of sorting a whole queue. PostgreSQL's autovacuum
    /// does this by itself.
    pub async fn optimize(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA optimize=0x10002")
                .execute(&self.pool)
                .await?;
            forget_fts_statistics(&mut *self.pool.acquire().await?).await?;
        }
        Ok(())
    }

    /// `FOR UPDATE SKIP LOCKED` where the backend has it (see [`Backend::for_update_skip_locked`]).
    pub fn skip_locked(&self) -> &'static str {
        self.backend.for_update_skip_locked()
    }

    /// The job workers' wake-up signal: notified when a transaction that wrote jobs commits.
    pub fn jobs_wakeup(&self) -> Arc<Wakeup> {
        self.jobs_wakeup.clone()
    }

    /// The live stream's wake-up signal: notified when a transaction that changed tickets commits.
    pub fn live_wakeup(&self) -> Arc<Notify> {
        self.live_wakeup.clone()
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        // A health check answers at once: a database that does not answer within a second is
        // as good as down to a load balancer.
        tokio::time::timeout(Duration::from_secs(1), self.ping_inner())
            .await
            .unwrap_or(Err(sqlx::Error::PoolTimedOut))
    }

    /// Whether writes can reach the disk now. PostgreSQL answers for itself ([`Db::ping`]);
    /// on SQLite the folder must have free space, and after a write failed for lack of it a
    /// small probe write must go through before writes count as possible again.
    pub async fn check_writable(&self) -> Result<(), String> {
        let Some(dir) = &self.storage.dir else {
            return Ok(());
        };
        match rustix::fs::statvfs(dir) {
            Ok(st) => {
                let free = st.f_bavail.saturating_mul(st.f_frsize);
                if free < MIN_FREE_BYTES {
                    return Err(format!(
                        "the database disk is full ({free} bytes free in {})",
                        dir.display()
                    ));
                }
            }
            Err(err) => tracing::debug!(error = %err, "cannot read the database disk's free space"),
        }
        if self.storage.last_write_failed() {
            let probe = async {
                let mut tx = self.begin().await?;
                sqlx::query(
                    "INSERT INTO health_probe (id, at) VALUES (1, $1) \
                     ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                )
                .bind(chrono::Utc::now().timestamp_millis())
                .execute(&mut *tx)
                .await?;
                tx.commit().await
            };
            match tokio::time::timeout(Duration::from_secs(2), probe).await {
                Ok(Ok(())) => {}
                Ok(Err(err)) => return Err(format!("the database cannot be written: {err}")),
                Err(_) => return Err("a probe write did not finish within 2 s".into()),
            }
        }
        Ok(())
    }

    async fn ping_inner(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}

/// The folder holding an SQLite database file (None for an in-memory database).
fn sqlite_dir(url: &str) -> Option<PathBuf> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()?;
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    let parent = std::path::Path::new(path).parent()?;
    Some(if parent.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        parent.to_path_buf()
    })
}

/// Whether `err` says the disk under an SQLite database is full or failing (SQLITE_FULL,
/// SQLITE_IOERR and its extended codes): the write may succeed later, once there is space.
pub fn is_storage_failure(err: &sqlx::Error) -> bool {
    let sqlx::Error::Database(e) = err else {
        return false;
    };
    if e.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_none() {
        return false;
    }
    e.code()
        .and_then(|c| c.parse::<i32>().ok())
        .is_some_and(|c| matches!(c & 0xff, 10 | 13))
}

/// Adds `mode=rwc` and creates the parent folder so a fresh checkout just works.
/// Drops SQLite's planner statistics of the full-text index's row-keyed storage tables
/// (`<name>_data`, `_content`, `_docsize` of every FTS5 table). FTS5 reads and deletes their
/// rows by key only, and a row count taken while the index was small (by `PRAGMA optimize` on a
/// young install, by an `ANALYZE` before a reindex or a bulk import) makes the planner read the
/// whole table for FTS5's key-range deletes instead. At a million tickets every segment FTS5
/// merged away then cost a 300 MB scan (~65 ms), and an insert of five documents that merged
/// sixteen small segments held the writer for over a second. Each connection keeps the
/// statistics it loaded (the pool replaces connections within half an hour), so fresh ones
/// only help connections opened after them; without statistics the planner assumes a large
/// table and always goes by the key.
async fn forget_fts_statistics(conn: &mut sqlx::AnyConnection) -> Result<()> {
    let has_stats: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat1'",
    )
    .fetch_optional(&mut *conn)
    .await?;
    if has_stats.is_none() {
        return Ok(());
    }
    let dropped = sqlx::query(
        "DELETE FROM sqlite_stat1 WHERE EXISTS (
             SELECT 1 FROM sqlite_schema v
             WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'
               AND sqlite_stat1.tbl IN (v.name || '_data', v.name || '_content', v.name || '_docsize'))",
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if dropped > 0 {
        tracing::info!(
            tables = dropped,
            "dropped stale planner statistics of the full-text index"
        );
    }
    Ok(())
}

fn prepare_sqlite_url(url: &str) -> Result<String> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:"
        && !path.is_empty()
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut out = format!("sqlite://{path}");
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    if !params.iter().any(|p| p.starts_with("mode=")) {
        params.push("mode=rwc");
    }
    out.push('?');
    out.push_str(&params.join("&"));
    Ok(out)
}

/// Whether `err` says the database cannot be reached now (no connection within the acquire
/// timeout, a refused or broken connection, a server shutting down or starting up) rather than
/// that the statement was wrong: worth a retry later.
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::WorkerCrashed => true,
        // A connection closed before the server spoke (a proxy or pooler in front of a database
        // that is down) shows as a protocol error.
        sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(_) if is_storage_failure(err) => true,
        sqlx::Error::Database(e) => e.code().is_some_and(|c| {
            // PostgreSQL: 08 connection exceptions, 57P01–57P03 shutdown / cannot connect now.
            c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

/// Whether an error is a uniqueness violation (mapped to 409 rather than 500).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_gain_create_mode() {
        let dir = std::env::temp_dir().join(format!("cb-url-{}", std::process::id()));
        let url = format!("sqlite://{}/x.db", dir.display());
        assert_eq!(prepare_sqlite_url(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(dir.exists());
        assert_eq!(
            prepare_sqlite_url("sqlite::memory:?cache=shared").unwrap(),
            "sqlite://:memory:?cache=shared&mode=rwc"
        );
    }
}
