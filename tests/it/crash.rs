//! Crash safety: kill -9 the real `casebook` process while work is in flight, restart it, and check
//! that nothing was lost, nothing doubled, and every outbox job took effect exactly once.

use crate::harness::{Backend, fresh_database};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    async fn start(database_url: &str, port: u16, workers: bool) -> Server {
        Self::start_with(database_url, port, workers, &[]).await
    }

    pub async fn start_with(
        database_url: &str,
        port: u16,
        workers: bool,
        extra_env: &[(&str, String)],
    ) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_casebook"))
            .envs(extra_env.iter().map(|(k, v)| (*k, v.as_str())))
            .arg("serve")
            .env("CASEBOOK_DATABASE_URL", database_url)
            .env("CASEBOOK_BIND", format!("127.0.0.1:{port}"))
            .env("CASEBOOK_WORKERS", if workers { "on" } else { "off" })
            .env("CASEBOOK_OUTBOX_POLL_MS", "50")
            .env("CASEBOOK_OUTBOX_LEASE_MS", "1500")
            .env("CASEBOOK_LOG", "warn")
            .env_remove("CASEBOOK_CONFIG")
            .current_dir(std::env::temp_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn casebook");
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..200 {
            if reqwest::get(format!("{url}/healthz"))
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return Server { child, url };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("casebook did not start");
    }

    pub fn kill9(mut self) {
        // Child::kill sends SIGKILL on Unix: no shutdown code runs.
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn setup(backend: Backend) -> Option<(String, String)> {
    let url = fresh_database(backend).await?;
    let db = casebook::db::Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    casebook::auth::create_agent(
        &db,
        casebook::auth::NewAgent {
            email: "crash@casebook.test",
            name: "Crash",
            role: casebook::domain::Role::Agent,
            password: "crash test pw",
        },
        now,
    )
    .await
    .unwrap();
    let token = casebook::auth::create_api_token(&db, "crash@casebook.test", "crash", None, now)
        .await
        .unwrap();
    db.pool.close().await;
    Some((url, token))
}

async fn create(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    i: usize,
) -> Result<u16, reqwest::Error> {
    let r = client
        .post(format!("{base}/api/v1/tickets"))
        .bearer_auth(token)
        .header("Idempotency-Key", format!("crash-{i}"))
        .json(&json!({"customer": {"email": format!("c{}@example.com", i % 17)}, "subject": format!("Crash {i}"), "body": "x"}))
        .send()
        .await?;
    Ok(r.status().as_u16())
}

async fn check_exactly_once(url: &str, expected_tickets: i64) {
    let db = casebook::db::Db::connect(url).await.unwrap();
    let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(tickets, expected_tickets, "no ticket lost or doubled");
    let messages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM message")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(messages, expected_tickets);
    let jobs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'ticket.created'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(jobs, expected_tickets, "one job per ticket");
    let pending = casebook::outbox::depth(&db).await.unwrap();
    assert_eq!(pending, 0);
    let bad: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ticket t WHERE (SELECT COUNT(*) FROM ticket_event e WHERE e.ticket_id = t.ticket_id AND e.kind = 'routed') <> 1",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(bad, 0, "every ticket.created job took effect exactly once");
    db.pool.close().await;
}

async fn wait_drained(url: &str) {
    let db = casebook::db::Db::connect(url).await.unwrap();
    for _ in 0..400 {
        if casebook::outbox::depth(&db).await.unwrap() == 0 {
            db.pool.close().await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("outbox did not drain after restart");
}

async fn pending_jobs_survive_kill(backend: Backend) {
    let Some((url, token)) = setup(backend).await else {
        return;
    };
    let port = free_port();
    let client = reqwest::Client::new();
    // Workers off: every job stays pending when the process dies.
    let server = Server::start(&url, port, false).await;
    for i in 0..30 {
        assert_eq!(create(&client, &server.url, &token, i).await.unwrap(), 201);
    }
    server.kill9();
    let db = casebook::db::Db::connect(&url).await.unwrap();
    // Each ticket left its `ticket.created` job (which also indexes it, once assigned).
    assert_eq!(casebook::outbox::depth(&db).await.unwrap(), 30);
    db.pool.close().await;
    let server = Server::start(&url, port, true).await;
    wait_drained(&url).await;
    // Restart once more: nothing runs again.
    server.kill9();
    let server = Server::start(&url, port, true).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill9();
    check_exactly_once(&url, 30).await;
}

async fn kill_mid_traffic(backend: Backend) {
    let Some((url, token)) = setup(backend).await else {
        return;
    };
    let port = free_port();
    let total = 240;
    // Kill at several points; each time the client retries whatever it did not see succeed.
    let mut acked = vec![false; total];
    let mut interrupted = 0;
    for round in 0..3 {
        let server = Server::start(&url, port, true).await;
        let base = server.url.clone();
        let mut handles = Vec::new();
        for i in (0..total).filter(|i| !acked[*i]) {
            let (base, token) = (base.clone(), token.clone());
            handles.push(tokio::spawn(async move {
                let client = reqwest::Client::new();
                (i, create(&client, &base, &token, i).await)
            }));
        }
        // Kill once some, but not all, of this round's requests have been answered.
        let db = casebook::db::Db::connect(&url).await.unwrap();
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        for _ in 0..400 {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
                .fetch_one(&db.pool)
                .await
                .unwrap();
            if n >= before + 20 + 10 * round {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        db.pool.close().await;
        server.kill9();
        for h in handles {
            match h.await.unwrap() {
                (i, Ok(status)) => {
                    assert!(status == 201 || status == 200, "status {status}");
                    acked[i] = true;
                }
                (_, Err(_)) => interrupted += 1,
            }
        }
        eprintln!(
            "round {round}: {} of {total} acknowledged so far",
            acked.iter().filter(|a| **a).count()
        );
    }
    assert!(interrupted > 0, "the kills hit requests in flight");
    // Final run: retry the rest with the same idempotency keys, as a client would.
    let server = Server::start(&url, port, true).await;
    let client = reqwest::Client::new();
    for (i, was_acked) in acked.iter().enumerate() {
        let status = create(&client, &server.url, &token, i).await.unwrap();
        assert!(status == 201 || status == 200);
        if *was_acked {
            assert_eq!(
                status, 200,
                "a request acknowledged before the crash is a duplicate now"
            );
        }
    }
    wait_drained(&url).await;
    let list: Value = client
        .get(format!("{}/api/v1/tickets?limit=1", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().is_some());
    server.kill9();
    check_exactly_once(&url, total as i64).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_jobs_run_once_after_kill_sqlite() {
    pending_jobs_survive_kill(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_jobs_run_once_after_kill_postgres() {
    pending_jobs_survive_kill(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_during_traffic_loses_and_doubles_nothing_sqlite() {
    kill_mid_traffic(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_during_traffic_loses_and_doubles_nothing_postgres() {
    kill_mid_traffic(Backend::Postgres).await;
}
