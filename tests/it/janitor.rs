//! The janitor: which rows a sweep deletes and which it keeps, batches, and the background loop.

use crate::harness::{Backend, Options, TestApp};
use casebook::config::{Config, Secret};
use casebook::db::Db;
use casebook::janitor::{self, JanitorReport, Retention};
use serde_json::json;
use std::collections::BTreeSet;

const DAY: i64 = 86_400_000;

const RETENTION: Retention = Retention {
    outbox_days: 7,
    failed_job_days: 30,
    idempotency_days: 7,
    change_event_days: 30,
};

/// An app without background workers, so nothing but the test touches the outbox or sweeps.
async fn quiet_app(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(
        backend,
        Options {
            workers: false,
            ..Default::default()
        },
    )
    .await
}

/// Creates a ticket through the API with an `Idempotency-Key`; returns its ticket and message ids.
async fn ticket_with_key(app: &TestApp, token: &str, key: &str) -> (i64, i64) {
    let resp = app
        .api()
        .post(app.at("/api/v1/tickets"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&json!({"customer": {"email": "keep@example.com"}, "subject": key, "body": "hello"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    let row: (i64, i64) =
        sqlx::query_as("SELECT ticket_id, message_id FROM inbound_key WHERE idem_key = $1")
            .bind(key)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
    row
}

async fn insert_job(db: &Db, label: &str, created_at: i64, done: Option<i64>, failed: Option<i64>) {
    sqlx::query(
        "INSERT INTO outbox (kind, payload, run_at, attempts, done_at, failed_at, created_at)
         VALUES ('janitor.test', $1, $2, 1, $3, $4, $2)",
    )
    .bind(label)
    .bind(created_at)
    .bind(done)
    .bind(failed)
    .execute(&db.pool)
    .await
    .unwrap();
}

async fn insert_session(db: &Db, hash: &str, agent_id: i64, expires_at: i64) {
    sqlx::query(
        "INSERT INTO session (session_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $3)",
    )
    .bind(hash)
    .bind(agent_id)
    .bind(expires_at)
    .execute(&db.pool)
    .await
    .unwrap();
}

async fn insert_key(db: &Db, scope: &str, key: &str, ids: (i64, i64), created_at: i64) {
    sqlx::query(
        "INSERT INTO inbound_key (scope, idem_key, ticket_id, message_id, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(scope)
    .bind(key)
    .bind(ids.0)
    .bind(ids.1)
    .bind(created_at)
    .execute(&db.pool)
    .await
    .unwrap();
}

async fn insert_change(db: &Db, ticket_id: i64, version: i64, created_at: i64) {
    sqlx::query(
        "INSERT INTO ticket_change (ticket_id, version, kind, actor_kind, fields, created_at)
         VALUES ($1, $2, 'janitor.test', 'system', '{}', $3)",
    )
    .bind(ticket_id)
    .bind(version)
    .bind(created_at)
    .execute(&db.pool)
    .await
    .unwrap();
}

/// The distinct values of the first column of `sql`, as text.
/// A webhook subscription with one event per `(label, status, updated_at)`, each delivered (or
/// not) once, with an attempt in its log.
async fn insert_deliveries(db: &Db, rows: &[(&str, &str, i64)]) {
    let subscription: i64 = sqlx::query_scalar(
        "INSERT INTO webhook_subscription (name, url, secret, events, created_at, updated_at)
         VALUES ('janitor', 'https://hooks.example.com/in', 'secret', 'ticket.created', 0, 0)
         RETURNING webhook_subscription_id",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    for (label, status, at) in rows {
        let event: i64 = sqlx::query_scalar(
            "INSERT INTO webhook_event (kind, ticket_id, data, occurred_at)
             VALUES ('ticket.created', NULL, '{}', $1) RETURNING webhook_event_id",
        )
        .bind(at)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        let delivery: i64 = sqlx::query_scalar(
            "INSERT INTO webhook_delivery (delivery_uid, webhook_subscription_id, webhook_event_id,
                 status, attempts, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING webhook_delivery_id",
        )
        .bind(label)
        .bind(subscription)
        .bind(event)
        .bind(status)
        .bind(at)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO webhook_attempt (webhook_delivery_id, attempted_at, latency_ms, ok)
             VALUES ($1, $2, 5, 1)",
        )
        .bind(delivery)
        .bind(at)
        .execute(&db.pool)
        .await
        .unwrap();
    }
}

async fn set(db: &Db, sql: &'static str) -> BTreeSet<String> {
    sqlx::query_scalar::<_, String>(sql)
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

fn strings(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

async fn agent_id(db: &Db, email: &str) -> i64 {
    sqlx::query_scalar("SELECT agent_id FROM agent WHERE email = $1")
        .bind(email)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

async fn keeps_what_is_not_past_retention(backend: Backend) {
    let Some(app) = quiet_app(backend).await else {
        return;
    };
    let db = app.db();
    let now = app.running.state.now();
    let agent = agent_id(db, &app.agent_email).await;
    let admin = agent_id(db, &app.admin_email).await;

    // Idempotency keys: the API's (one scope per agent) through the real API, then backdated.
    let old_agent_key = ticket_with_key(&app, &app.agent_token, "agent-old").await;
    ticket_with_key(&app, &app.agent_token, "agent-new").await;
    ticket_with_key(&app, &app.admin_token, "admin-old").await;
    sqlx::query(
        "UPDATE inbound_key SET created_at = $1 WHERE idem_key IN ('agent-old', 'admin-old')",
    )
    .bind(now - 8 * DAY)
    .execute(&db.pool)
    .await
    .unwrap();
    let ids = old_agent_key;
    insert_key(db, "web", "web-old", ids, now - 8 * DAY).await;
    insert_key(db, "web", "web-new", ids, now - 6 * DAY).await;
    insert_key(db, "web", "web-at-cutoff", ids, now - 7 * DAY).await;
    // Email and quarantine keys stay however old they are.
    insert_key(
        db,
        "email",
        "mid:<a@example.com>|keep@example.com",
        ids,
        now - 400 * DAY,
    )
    .await;
    insert_key(db, "quarantine", "raw:1", ids, now - 400 * DAY).await;

    // Outbox: what ticket creation queued is pending (no workers) and must stay.
    let pending_before: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE kind <> 'janitor.test' AND done_at IS NULL",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(
        pending_before >= 3,
        "ticket creation queued jobs: {pending_before}"
    );
    insert_job(db, "done-old", now - 9 * DAY, Some(now - 8 * DAY), None).await;
    insert_job(db, "done-recent", now - 9 * DAY, Some(now - 6 * DAY), None).await;
    insert_job(db, "pending-ancient", now - 100 * DAY, None, None).await;
    insert_job(
        db,
        "failed-recent",
        now - 40 * DAY,
        None,
        Some(now - 20 * DAY),
    )
    .await;
    insert_job(db, "failed-old", now - 40 * DAY, None, Some(now - 31 * DAY)).await;
    // Failed, then finished by a late run: still failed as far as retention goes.
    insert_job(
        db,
        "failed-then-done",
        now - 40 * DAY,
        Some(now - 8 * DAY),
        Some(now - 20 * DAY),
    )
    .await;

    insert_session(db, "expired", agent, now - 60_000).await;
    insert_session(db, "live", agent, now + DAY).await;
    insert_session(db, "live-admin", admin, now + 60_000).await;

    insert_change(db, ids.0, 2, now - 31 * DAY).await;
    insert_change(db, ids.0, 3, now - 29 * DAY).await;

    // Webhook deliveries: finished ones go with their attempts and events; waiting ones stay.
    insert_deliveries(
        db,
        &[
            ("delivered-old", "delivered", now - 8 * DAY),
            ("delivered-recent", "delivered", now - 6 * DAY),
            ("failed-old", "failed", now - 31 * DAY),
            ("failed-recent", "failed", now - 20 * DAY),
            ("retrying-ancient", "retrying", now - 100 * DAY),
            ("paused-ancient", "paused", now - 100 * DAY),
        ],
    )
    .await;

    let report = janitor::sweep(db, &RETENTION, now).await.unwrap();
    assert_eq!(
        report,
        JanitorReport {
            outbox_done: 1,
            outbox_failed: 1,
            sessions: 1,
            inbound_keys: 3,
            ticket_changes: 1,
            webhook_deliveries: 2,
            webhook_events: 2,
        }
    );
    assert_eq!(
        set(db, "SELECT delivery_uid FROM webhook_delivery").await,
        strings(&[
            "delivered-recent",
            "failed-recent",
            "retrying-ancient",
            "paused-ancient"
        ])
    );
    let (attempts, events): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM webhook_attempt), (SELECT COUNT(*) FROM webhook_event)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((attempts, events), (4, 4));
    assert_eq!(
        set(db, "SELECT payload FROM outbox WHERE kind = 'janitor.test'").await,
        strings(&[
            "done-recent",
            "pending-ancient",
            "failed-recent",
            "failed-then-done"
        ])
    );
    let pending_after: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE kind <> 'janitor.test' AND done_at IS NULL",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(pending_after, pending_before);
    assert_eq!(
        set(db, "SELECT session_hash FROM session").await,
        strings(&["live", "live-admin"])
    );
    assert_eq!(
        set(db, "SELECT idem_key FROM inbound_key").await,
        strings(&[
            "agent-new",
            "web-new",
            "web-at-cutoff",
            "mid:<a@example.com>|keep@example.com",
            "raw:1"
        ])
    );
    let versions: Vec<i64> = sqlx::query_scalar(
        "SELECT version FROM ticket_change WHERE kind = 'janitor.test' ORDER BY version",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(versions, [3]);

    // Nothing else is due now; two days on, the rows that were young enough are.
    let again = janitor::sweep(db, &RETENTION, now).await.unwrap();
    assert_eq!(again, JanitorReport::default());
    let later = janitor::sweep(db, &RETENTION, now + 2 * DAY).await.unwrap();
    assert_eq!(
        later,
        JanitorReport {
            outbox_done: 1,
            outbox_failed: 0,
            sessions: 2,
            inbound_keys: 2,
            ticket_changes: 1,
            webhook_deliveries: 1,
            webhook_events: 1,
        }
    );
    assert_eq!(
        set(db, "SELECT payload FROM outbox WHERE kind = 'janitor.test'").await,
        strings(&["pending-ancient", "failed-recent", "failed-then-done"])
    );
    assert_eq!(
        set(db, "SELECT idem_key FROM inbound_key").await,
        strings(&["agent-new", "mid:<a@example.com>|keep@example.com", "raw:1"])
    );

    // Once its key is gone, the same API key is a new submission.
    let (ticket, _) = ticket_with_key(&app, &app.agent_token, "agent-old").await;
    assert_ne!(ticket, old_agent_key.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sweep_deletes_only_rows_past_retention_sqlite() {
    keeps_what_is_not_past_retention(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sweep_deletes_only_rows_past_retention_postgres() {
    keeps_what_is_not_past_retention(Backend::Postgres).await;
}

/// More old rows than one batch of every kind, and a few young ones.
async fn deletes_past_one_batch(backend: Backend) {
    let Some(app) = quiet_app(backend).await else {
        return;
    };
    let db = app.db();
    let now = app.running.state.now();
    let agent = agent_id(db, &app.agent_email).await;
    let ids = ticket_with_key(&app, &app.agent_token, "young").await;
    let old = janitor::BATCH * 2 + 5;
    let numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)";
    let fill = [
        "INSERT INTO outbox (kind, payload, run_at, attempts, done_at, created_at)
         SELECT 'janitor.test', 'old', $2, 1, $2 - i, $2 FROM n",
        "INSERT INTO session (session_hash, agent_id, created_at, expires_at)
         SELECT 'old' || i, $3, $2, $2 + i FROM n",
        "INSERT INTO inbound_key (scope, idem_key, ticket_id, message_id, created_at)
         SELECT 'web', 'old' || i, $4, $5, $2 FROM n",
        "INSERT INTO ticket_change (ticket_id, version, kind, actor_kind, fields, created_at)
         SELECT $4, 100 + i, 'janitor.test', 'system', '{}', $2 FROM n",
    ];
    for sql in fill {
        sqlx::query(sqlx::AssertSqlSafe(format!("{numbers} {sql}")))
            .bind(old)
            .bind(now - 40 * DAY)
            .bind(agent)
            .bind(ids.0)
            .bind(ids.1)
            .execute(&db.pool)
            .await
            .unwrap();
    }
    insert_job(db, "young", now, Some(now), None).await;
    insert_session(db, "young", agent, now + DAY).await;
    insert_change(db, ids.0, 2, now).await;

    let report = janitor::sweep(db, &RETENTION, now).await.unwrap();
    let old = old as u64;
    assert_eq!(
        report,
        JanitorReport {
            outbox_done: old,
            outbox_failed: 0,
            sessions: old,
            inbound_keys: old,
            ticket_changes: old,
            ..JanitorReport::default()
        }
    );
    assert_eq!(
        set(db, "SELECT payload FROM outbox WHERE kind = 'janitor.test'").await,
        strings(&["young"])
    );
    assert_eq!(
        set(db, "SELECT session_hash FROM session").await,
        strings(&["young"])
    );
    assert_eq!(
        set(db, "SELECT idem_key FROM inbound_key").await,
        strings(&["young"])
    );
    let changes: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ticket_change WHERE kind = 'janitor.test'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(changes, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sweep_deletes_more_than_one_batch_sqlite() {
    deletes_past_one_batch(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sweep_deletes_more_than_one_batch_postgres() {
    deletes_past_one_batch(Backend::Postgres).await;
}

/// A started app sweeps by itself, at the configured interval.
async fn sweeps_in_the_background(backend: Backend) {
    let Some(database_url) = crate::harness::fresh_database(backend).await else {
        return;
    };
    let config = Config {
        database_url: Secret::new(database_url),
        bind: "127.0.0.1:0".into(),
        base_url: "http://127.0.0.1:0".into(),
        janitor_interval_secs: 1,
        ..Config::default()
    };
    let clock = casebook::domain::clock::OffsetClock::new();
    let running = casebook::start(config, clock).await.expect("start app");
    let db = running.state.db.clone();
    let now = running.state.now();
    let agent_id = casebook::auth::create_agent(
        &db,
        casebook::auth::NewAgent {
            email: "sweep@casebook.test",
            name: "Sam Sweep",
            role: casebook::domain::Role::Agent,
            password: crate::harness::PASSWORD,
        },
        now,
    )
    .await
    .unwrap()
    .id;
    insert_session(&db, "expired", agent_id, now - 60_000).await;
    insert_session(&db, "live", agent_id, now + DAY).await;
    let mut left = BTreeSet::new();
    for _ in 0..100 {
        left = set(&db, "SELECT session_hash FROM session").await;
        if !left.contains("expired") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    running.stop();
    assert_eq!(left, strings(&["live"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn janitor_runs_in_the_background_sqlite() {
    sweeps_in_the_background(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn janitor_runs_in_the_background_postgres() {
    sweeps_in_the_background(Backend::Postgres).await;
}
