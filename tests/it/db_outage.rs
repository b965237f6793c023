//! A PostgreSQL outage, through a TCP proxy the test controls: requests get a 503 with
//! `Retry-After` within seconds (not after 30 s), `/healthz` says 503 at once, and everything
//! works again by itself when the database is back.

use crate::harness::{Backend, TestApp};
use casebook::config::{Config, Secret};
use casebook::domain::clock::OffsetClock;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinSet;

const PASS: u8 = 0;
const REFUSE: u8 = 1;
const STALL: u8 = 2;

/// Forwards connections to PostgreSQL, or refuses them, or accepts and never answers.
struct Proxy {
    port: u16,
    mode: Arc<AtomicU8>,
    links: Arc<Mutex<JoinSet<()>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(AtomicU8::new(PASS));
        let links = Arc::new(Mutex::new(JoinSet::new()));
        let (m, l) = (mode.clone(), links.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                let upstream = upstream.clone();
                match m.load(Ordering::SeqCst) {
                    REFUSE => drop(client),
                    STALL => {
                        l.lock().await.spawn(async move {
                            let _held = client;
                            std::future::pending::<()>().await;
                        });
                    }
                    _ => {
                        l.lock().await.spawn(async move {
                            if let Ok(mut server) = TcpStream::connect(&upstream).await {
                                let _ =
                                    tokio::io::copy_bidirectional(&mut client, &mut server).await;
                            }
                        });
                    }
                }
            }
        });
        Proxy { port, mode, links }
    }

    /// Switches mode and cuts every connection open now (the database went away).
    async fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
        if mode != PASS {
            self.links.lock().await.abort_all();
        }
    }
}

/// `url` with its host and port replaced by the proxy's.
fn through(url: &str, port: u16) -> String {
    let mut u = url::Url::parse(url).unwrap();
    u.set_host(Some("127.0.0.1")).unwrap();
    u.set_port(Some(port)).unwrap();
    u.to_string()
}

async fn timed_get(
    client: &reqwest::Client,
    url: &str,
    token: &str,
) -> (u16, Duration, Value, Option<String>) {
    let t = Instant::now();
    let r = client.get(url).bearer_auth(token).send().await.unwrap();
    let took = t.elapsed();
    let status = r.status().as_u16();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let body = r.json::<Value>().await.unwrap_or(Value::Null);
    (status, took, body, retry)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_outage_fails_fast_and_heals() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let upstream = {
        let u = url::Url::parse(&app.database_url).unwrap();
        format!("{}:{}", u.host_str().unwrap(), u.port().unwrap_or(5432))
    };
    let proxy = Proxy::start(upstream).await;
    let node = casebook::start(
        Config {
            database_url: Secret::new(through(&app.database_url, proxy.port)),
            bind: "127.0.0.1:0".into(),
            base_url: "http://127.0.0.1:0".into(),
            workers: true,
            outbox_poll_ms: 100,
            db_acquire_timeout_ms: 2_000,
            ..Config::default()
        },
        OffsetClock::new(),
    )
    .await
    .expect("start the node behind the proxy");
    let base = format!("http://{}", node.addr);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let tickets = format!("{base}/api/v1/tickets");
    let (status, ..) = timed_get(&client, &tickets, &app.agent_token).await;
    assert_eq!(status, 200);

    for mode in [REFUSE, STALL] {
        proxy.set(mode).await;
        // A request answers 503 with Retry-After, in the JSON error shape, within seconds.
        let (status, took, body, retry) = timed_get(&client, &tickets, &app.agent_token).await;
        assert_eq!(status, 503, "mode {mode}: {body}");
        assert_eq!(body["error"]["code"], json!("unavailable"), "{body}");
        assert!(retry.is_some(), "Retry-After");
        assert!(
            took < Duration::from_secs(5),
            "mode {mode}: 503 after {took:?}"
        );
        let t = Instant::now();
        let r = client.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 503, "mode {mode}");
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "healthz took {:?}",
            t.elapsed()
        );

        // Back: the same node serves again without a restart, and writes go through.
        proxy.set(PASS).await;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (status, ..) = timed_get(&client, &tickets, &app.agent_token).await;
            if status == 200 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "mode {mode}: still {status} after the database came back"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let r = client
            .post(&tickets)
            .bearer_auth(&app.agent_token)
            .json(&json!({"customer": {"email": "back@example.com"}, "subject": "After the outage", "body": "Still here?"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "mode {mode}");
    }
    node.stop();
}
