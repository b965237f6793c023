//! The job worker wakes when a transaction that wrote jobs commits: at once in its own process,
//! and on PostgreSQL in every process on the database (LISTEN/NOTIFY) — not only at its poll.

use crate::harness::{Backend, Options, TestApp};
use casebook::config::{Config, Secret};
use casebook::domain::clock::OffsetClock;
use std::time::{Duration, Instant};

/// Longer than any test waits: a job done within the test was woken, not polled.
const NEVER_POLL_MS: u64 = 600_000;

async fn wait_until_drained(db: &casebook::db::Db, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if casebook::outbox::depth(db).await.unwrap() == 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// A second Casebook process-alike on `database_url` whose worker polls only every ten minutes.
async fn slow_polling_node(database_url: &str) -> casebook::Running {
    let config = Config {
        database_url: Secret::new(database_url.to_string()),
        bind: "127.0.0.1:0".into(),
        base_url: "http://127.0.0.1:0".into(),
        workers: true,
        outbox_poll_ms: NEVER_POLL_MS,
        ..Config::default()
    };
    casebook::start(config, OffsetClock::new())
        .await
        .expect("start the second node")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_wakes_this_nodes_worker() {
    // Node with a worker that would poll only every ten minutes.
    let Some(app) = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            workers: false,
            ..Options::default()
        },
    )
    .await
    else {
        return;
    };
    let node = slow_polling_node(&app.database_url).await;
    // Its first look at the outbox at start is done once nothing is left.
    assert!(wait_until_drained(&node.state.db, Duration::from_secs(10)).await);
    // A write through this node's own database handle: the commit wakes its worker.
    let inbound = casebook::intake::NewInbound {
        channel: casebook::domain::Channel::Api,
        from_email: casebook::domain::EmailAddress::parse("wake@example.com").unwrap(),
        from_name: None,
        subject: "Wake up".into(),
        body_text: "The worker should start at once".into(),
        body_html: None,
        attachments: vec![],
        idempotency: None,
        ticket_id: None,
        priority: None,
        issue_link: false,
        email: None,
    };
    casebook::intake::receive(&node.state.db, &inbound, node.state.now())
        .await
        .unwrap();
    assert!(
        wait_until_drained(&node.state.db, Duration::from_secs(10)).await,
        "the job waited for the poll instead of running when its transaction committed"
    );
    node.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_on_one_node_wakes_the_others_on_postgres() {
    // Node 1 serves the API and runs no workers; node 2's worker polls only every ten minutes.
    let Some(app) = TestApp::spawn_with(
        Backend::Postgres,
        Options {
            workers: false,
            ..Options::default()
        },
    )
    .await
    else {
        return;
    };
    let node = slow_polling_node(&app.database_url).await;
    // Wait until node 2 listens (its LISTEN is the connection's last statement).
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let listening: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%casebook_jobs%'",
        )
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        if listening > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "node 2 never listened for jobs");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(wait_until_drained(app.db(), Duration::from_secs(10)).await);
    for i in 0..3 {
        app.create_ticket(
            "nodes@example.com",
            &format!("Written on node 1, run on node 2 ({i})"),
            "Hello",
        )
        .await;
        assert!(
            wait_until_drained(app.db(), Duration::from_secs(10)).await,
            "node 2 was not woken by node 1's commit"
        );
    }
    // Node 2 did the work: the tickets were routed and indexed there.
    let indexed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM search_doc")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(indexed, 3);
    node.stop();
}

crate::both_backends!(
    a_job_that_used_up_its_attempts_is_parked_not_run,
    |app| async move {
        let db = app.db();
        let now = app.running.state.now();
        // A job whose worker died on its last attempt: unfinished, its lease long gone.
        let id: i64 = sqlx::query_scalar(
        "INSERT INTO outbox (kind, payload, run_at, attempts, created_at, locked_until, locked_by)
         VALUES ('message.received', '{\"ticket_id\":1,\"message_id\":1,\"auto_reply\":false}', $1, $2, $1, $3, 'gone')
         RETURNING outbox_id",
    )
    .bind(now - 60_000)
    .bind(casebook::outbox::MAX_ATTEMPTS)
    .bind(now - 30_000)
    .fetch_one(&db.pool)
    .await
    .unwrap();
        let claimed = casebook::outbox::claim(db, "test", 50, now, 60_000)
            .await
            .unwrap();
        assert!(
            claimed.iter().all(|j| j.id != id),
            "a job out of attempts was claimed again"
        );
        casebook::outbox::park_exhausted(db, now).await.unwrap();
        let (failed_at, error): (Option<i64>, Option<String>) =
            sqlx::query_as("SELECT failed_at, last_error FROM outbox WHERE outbox_id = $1")
                .bind(id)
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert!(failed_at.is_some(), "the job was not parked");
        assert!(error.unwrap_or_default().contains("attempts"));
    }
);
