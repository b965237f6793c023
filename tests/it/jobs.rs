//! The job worker wakes when a transaction that wrote jobs commits: at once in its own process,
//! and on PostgreSQL in every process on the database (LISTEN/NOTIFY) — not only at its poll.

use crate::harness::{Backend, Options, TestApp};
use crate::without_workers;
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
        from: casebook::intake::Sender::Email(
            casebook::domain::EmailAddress::parse("wake@example.com").unwrap(),
        ),
        from_name: None,
        subject: "Wake up".into(),
        body_text: "The worker should start at once".into(),
        body_html: None,
        attachments: vec![],
        idempotency: None,
        ticket_id: None,
        priority: None,
        issue_link: false,
        language: Default::default(),
        email: None,
        gateway: None,
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

/// Inserts a `message.received` job (its handler only marks it done) for `ticket` in the work lane.
async fn received_job(db: &casebook::db::Db, ticket: i64, now: i64) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let job = casebook::outbox::Job::MessageReceived {
        ticket_id: ticket,
        message_id: 1,
        auto_reply: false,
    };
    casebook::outbox::enqueue(&mut tx, &job, now).await.unwrap();
    tx.commit().await.unwrap();
    sqlx::query_scalar("SELECT MAX(outbox_id) FROM outbox")
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

without_workers!(
    parallel_workers_keep_each_tickets_jobs_in_order,
    |app| async move {
        let db = app.db();
        let now = app.running.state.now();
        // 120 jobs over 6 tickets, in a shuffled order (a small deterministic generator).
        let mut seed: u64 = 0x5eed;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut ticket_of = std::collections::HashMap::new();
        for _ in 0..120 {
            let ticket = 9_000 + (next() % 6) as i64;
            let id = received_job(db, ticket, now).await;
            ticket_of.insert(id, ticket);
        }
        // Four workers claim random batch sizes and finish their jobs in random order; a claim
        // never takes a job whose ticket has an earlier unfinished job in the lane.
        let mut running: Vec<(i64, i64)> = Vec::new();
        let mut finished: Vec<(i64, i64)> = Vec::new();
        let lane = casebook::outbox::Lane::Work;
        for round in 0..10_000 {
            if finished.len() == 120 {
                break;
            }
            let worker = format!("w{}", round % 4);
            let limit = 1 + (next() % 5) as i64;
            let claimed = casebook::outbox::claim_lane(db, lane, &worker, limit, now, 600_000)
                .await
                .unwrap();
            for c in &claimed {
                let t = ticket_of[&c.id];
                assert!(
                    !running.iter().any(|(_, rt)| *rt == t),
                    "two jobs of ticket {t} ran at once"
                );
                running.push((c.id, t));
            }
            // Finish some running jobs, in any order.
            let k = (next() as usize) % (running.len() + 1);
            for _ in 0..k {
                let i = (next() as usize) % running.len();
                let (id, t) = running.swap_remove(i);
                let tx = db.begin().await.unwrap();
                casebook::outbox::finish(tx, id, now).await.unwrap();
                finished.push((id, t));
            }
        }
        assert_eq!(finished.len(), 120, "every job ran");
        for t in 9_000..9_006 {
            let order: Vec<i64> = finished
                .iter()
                .filter(|(_, ft)| *ft == t)
                .map(|(id, _)| *id)
                .collect();
            let mut sorted = order.clone();
            sorted.sort();
            assert_eq!(order, sorted, "ticket {t}'s jobs ran out of order");
        }
    }
);

without_workers!(
    a_waiting_index_job_takes_later_changes_in,
    |app| async move {
        let db = app.db();
        let now = app.running.state.now();
        let count = || async {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM outbox WHERE kind = 'search.index' AND ticket_id = 77 AND done_at IS NULL",
            )
            .fetch_one(&db.pool)
            .await
            .unwrap()
        };
        let index = || async {
            let mut tx = db.begin().await.unwrap();
            let job = casebook::outbox::Job::SearchIndex { ticket_id: 77 };
            casebook::outbox::enqueue(&mut tx, &job, now).await.unwrap();
            tx.commit().await.unwrap();
        };
        for _ in 0..100 {
            index().await;
        }
        assert_eq!(count().await, 1, "100 changes, one waiting index job");
        // Once a worker holds it, the next change needs a job of its own (the running one may
        // have read the ticket before the change), and only one.
        let lane = casebook::outbox::Lane::Search;
        let claimed = casebook::outbox::claim_lane(db, lane, "w", 10, now, 600_000)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        for _ in 0..50 {
            index().await;
        }
        assert_eq!(count().await, 2);
    }
);

/// An SMTP server that accepts connections and never answers.
async fn silent_smtp() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (format!("smtp://{addr}"), task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_mail_server_does_not_hold_up_routing() {
    let (smtp, server) = silent_smtp().await;
    let Some(app) = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            smtp_url: Some(smtp),
            support_address: Some("support@casebook.test".into()),
            ..Options::default()
        },
    )
    .await
    else {
        return;
    };
    // Each new ticket's acknowledgement goes to the silent server and hangs in the mail lane;
    // every ticket is still routed (its `ticket.created` job done) within moments.
    for i in 0..12 {
        let inbound = casebook::intake::NewInbound {
            channel: casebook::domain::Channel::Web,
            from: casebook::intake::Sender::Email(
                casebook::domain::EmailAddress::parse(&format!("hung{i}@example.com")).unwrap(),
            ),
            from_name: None,
            subject: "Routing must go on".into(),
            body_text: "x".into(),
            body_html: None,
            attachments: vec![],
            idempotency: None,
            ticket_id: None,
            priority: None,
            issue_link: false,
            language: Default::default(),
            email: None,
            gateway: None,
        };
        casebook::intake::receive(app.db(), &inbound, app.running.state.now())
            .await
            .unwrap();
    }
    let started = Instant::now();
    let routed = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'ticket.created' AND done_at IS NOT NULL",
        )
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
    };
    while routed().await < 12 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "routing waited behind the hung mail server"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let waiting_mail: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'message.sent' AND done_at IS NULL",
    )
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    assert!(waiting_mail > 0, "the acknowledgements are still stuck");
    server.abort();
}

without_workers!(
    outbox_statistics_follow_a_burst_on_postgres,
    |app| async move {
        let db = app.db();
        let now = app.running.state.now();
        let postgres = db.backend == casebook::db::Backend::Postgres;
        let mut analyzed_at = None;
        assert_eq!(
            casebook::outbox::keep_statistics(db, &mut analyzed_at)
                .await
                .unwrap(),
            postgres,
            "the first look analyzes (PostgreSQL only)"
        );
        assert!(
            !casebook::outbox::keep_statistics(db, &mut analyzed_at)
                .await
                .unwrap(),
            "nothing changed"
        );
        // A burst: 1,200 jobs in one transaction.
        let mut tx = db.begin().await.unwrap();
        for i in 0..1200 {
            let job = casebook::outbox::Job::SearchIndex {
                ticket_id: 50_000 + i,
            };
            casebook::outbox::enqueue(&mut tx, &job, now).await.unwrap();
        }
        tx.commit().await.unwrap();
        assert_eq!(
            casebook::outbox::keep_statistics(db, &mut analyzed_at)
                .await
                .unwrap(),
            postgres,
            "a burst of 1,200 jobs is analyzed again"
        );
        if postgres {
            let counted: Option<f32> =
                sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE relname = 'outbox'")
                    .fetch_one(&db.pool)
                    .await
                    .unwrap();
            assert!(counted.unwrap_or(0.0) >= 1000.0, "{counted:?}");
        }
    }
);
