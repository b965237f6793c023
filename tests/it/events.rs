//! The live desk's event stream: changes arrive on open streams, a reconnect with
//! `Last-Event-ID` misses nothing (also after a kill -9 of the node), a change on one node
//! reaches a stream on another (PostgreSQL), a client that does not read is dropped without
//! holding anyone up, and nobody without a session or token sees anything.

use crate::both_backends;
use crate::crash::{Server, free_port, setup};
use crate::harness::{Backend, TestApp};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::mpsc;

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct Sse {
    pub id: Option<i64>,
    pub event: String,
    pub data: Value,
}

/// An open stream: its events arrive on a channel.
pub struct Stream {
    rx: mpsc::UnboundedReceiver<Sse>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Stream {
    /// Opens `GET {base}/api/v1/events` with `token`, resuming after `last` if given.
    pub async fn open(base: &str, token: &str, last: Option<i64>) -> Stream {
        Self::open_with(base, token, last, "").await
    }

    /// Opens `GET {base}/api/v1/events?{query}`.
    pub async fn open_query(base: &str, token: &str, query: &str) -> Stream {
        Self::open_with(base, token, None, query).await
    }

    async fn open_with(base: &str, token: &str, last: Option<i64>, query: &str) -> Stream {
        let mut req = reqwest::Client::new()
            .get(format!("{base}/api/v1/events?{query}"))
            .bearer_auth(token);
        if let Some(l) = last {
            req = req.header("Last-Event-ID", l.to_string());
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        let (tx, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            let mut body = resp.bytes_stream();
            let mut buf = String::new();
            while let Some(Ok(chunk)) = body.next().await {
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let block = buf[..end].to_string();
                    buf.drain(..end + 2);
                    let mut ev = Sse {
                        id: None,
                        event: "message".into(),
                        data: Value::Null,
                    };
                    let mut data = String::new();
                    let mut any = false;
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("id:") {
                            ev.id = v.trim().parse().ok();
                            any = true;
                        } else if let Some(v) = line.strip_prefix("event:") {
                            ev.event = v.trim().to_string();
                            any = true;
                        } else if let Some(v) = line.strip_prefix("data:") {
                            data.push_str(v.trim_start());
                            any = true;
                        }
                    }
                    if any {
                        ev.data = serde_json::from_str(&data).unwrap_or(Value::String(data));
                        if tx.send(ev).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Stream { rx, task }
    }

    /// The next event, waiting at most `secs` seconds.
    pub async fn next(&mut self, secs: u64) -> Option<Sse> {
        tokio::time::timeout(Duration::from_secs(secs), self.rx.recv())
            .await
            .ok()
            .flatten()
    }

    /// Waits (bounded) for a ticket event matching `want`; returns it.
    pub async fn until(&mut self, secs: u64, want: impl Fn(&Sse) -> bool) -> Sse {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(ev)) if want(&ev) => return ev,
                Ok(Some(_)) => continue,
                _ => panic!("no matching event within {secs} s"),
            }
        }
    }
}

fn is_ticket(ev: &Sse, ticket: i64, kind: Option<&str>) -> bool {
    ev.event == "ticket"
        && ev.data["ticket_id"].as_i64() == Some(ticket)
        && kind.is_none_or(|k| ev.data["kind"] == k)
}

async fn patch(base: &str, token: &str, id: i64, body: Value) {
    let r = reqwest::Client::new()
        .patch(format!("{base}/api/v1/tickets/{id}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

both_backends!(changes_stream_and_resume, |app| async move {
    // Nobody without a token or a session.
    let r = app
        .api()
        .get(app.at("/api/v1/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = app.browser().get(app.at("/events")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = app
        .api()
        .get(app.at("/api/v1/events"))
        .bearer_auth(&app.agent_token)
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    let mut s = Stream::open(&app.url, &app.agent_token, None).await;
    let ready = s.next(10).await.expect("ready");
    assert_eq!(ready.event, "ready");
    let start = ready.id.expect("ready carries the resume point");

    // A new ticket arrives on the open stream, with who and what.
    let id = app
        .create_ticket("live@example.com", "Live", "See me live")
        .await["id"]
        .as_i64()
        .unwrap();
    let created = s.until(10, |e| is_ticket(e, id, Some("created"))).await;
    assert_eq!(created.data["version"], 1);
    assert!(created.id.unwrap() > start);
    patch(
        &app.url,
        &app.agent_token,
        id,
        json!({"priority": "urgent"}),
    )
    .await;
    let changed = s
        .until(10, |e| {
            is_ticket(e, id, None) && e.data["kind"] == "priority"
        })
        .await;
    let f = &changed.data["fields"][0];
    assert_eq!(
        (f["field"].as_str(), f["old"].as_str(), f["new"].as_str()),
        (Some("priority"), Some("normal"), Some("urgent"))
    );
    assert_eq!(changed.data["actor_kind"], "agent");
    let last = changed.id.unwrap();
    drop(s);

    // Changes while disconnected are replayed after Last-Event-ID, in order, none missing.
    for p in ["low", "high", "normal"] {
        patch(&app.url, &app.agent_token, id, json!({"priority": p})).await;
    }
    let mut s = Stream::open(&app.url, &app.agent_token, Some(last)).await;
    assert_eq!(s.next(10).await.unwrap().event, "ready");
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let ev = s.until(10, |e| is_ticket(e, id, Some("priority"))).await;
        let v = ev.data["fields"][0]["new"].as_str().unwrap().to_string();
        if !seen.contains(&v) && ev.id.unwrap() > last {
            seen.push(v);
        }
    }
    assert_eq!(seen, vec!["low", "high", "normal"]);

    // A stream that only listens (nothing changes) stays open: heartbeats, no errors.
    let metrics = app
        .api()
        .get(app.at("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let open: i64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("casebook_live_streams "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    assert!(open >= 1, "{metrics}");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_one_node_reaches_a_stream_on_another() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let config = casebook::config::Config {
        database_url: casebook::config::Secret::new(app.database_url.clone()),
        bind: "127.0.0.1:0".into(),
        base_url: "http://127.0.0.1:0".into(),
        workers: false,
        ..casebook::config::Config::default()
    };
    let node2 = casebook::start(config, casebook::domain::clock::OffsetClock::new())
        .await
        .unwrap();
    let url2 = format!("http://{}", node2.addr);
    let mut s = Stream::open(&url2, &app.agent_token, None).await;
    assert_eq!(s.next(10).await.unwrap().event, "ready");
    // Node 2 listens before the change is made: wait for its LISTEN.
    for _ in 0..300 {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%casebook_live%'",
        )
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        if n >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let id = app
        .create_ticket("nodes@example.com", "Node one", "Made on node 1")
        .await["id"]
        .as_i64()
        .unwrap();
    s.until(10, |e| is_ticket(e, id, Some("created"))).await;
    patch(&app.url, &app.agent_token, id, json!({"status": "open"})).await;
    s.until(10, |e| is_ticket(e, id, Some("status"))).await;
    node2.stop();
}

/// kill -9 the node while a stream is open; changes made while it is down and after it is back
/// all arrive on the reconnected stream (resumed with the last id seen).
async fn resume_after_kill9(backend: Backend) {
    let Some((db_url, token)) = setup(backend).await else {
        return;
    };
    let port = free_port();
    let server = Server::start_with(&db_url, port, true, &[]).await;
    let base = server.url.clone();
    let id = {
        let r: Value = reqwest::Client::new()
            .post(format!("{base}/api/v1/tickets"))
            .bearer_auth(&token)
            .json(
                &json!({"customer": {"email": "k9@example.com"}, "subject": "Crash", "body": "x"}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["ticket"]["id"].as_i64().unwrap()
    };
    let mut s = Stream::open(&base, &token, None).await;
    let mut last = s.next(10).await.unwrap().id.unwrap();
    patch(&base, &token, id, json!({"priority": "high"})).await;
    last = s
        .until(10, |e| is_ticket(e, id, Some("priority")))
        .await
        .id
        .unwrap()
        .max(last);
    server.kill9();
    // The stream ends with the process.
    while s.next(5).await.is_some() {}
    // Changes while the node is down (written straight to the database by another process'
    // code: the commands module through a Db of its own).
    let db = casebook::db::Db::connect(&db_url).await.unwrap();
    let agent = casebook::auth::AgentRef {
        id: 1,
        email: "crash@casebook.test".into(),
        name: "Crash".into(),
        role: casebook::domain::Role::Agent,
        unread_notifications: 0,
        locale: None,
    };
    let now = chrono::Utc::now().timestamp_millis();
    casebook::tickets::update_ticket(
        &db,
        &agent,
        id,
        casebook::tickets::TicketPatch {
            priority: Some(casebook::domain::Priority::Low),
            ..Default::default()
        },
        casebook::tickets::Expect::Any,
        now,
    )
    .await
    .unwrap();
    let server = Server::start_with(&db_url, port, true, &[]).await;
    patch(&base, &token, id, json!({"priority": "urgent"})).await;
    let mut s = Stream::open(&base, &token, Some(last)).await;
    let mut got = Vec::new();
    while got.len() < 2 {
        let ev = s.until(15, |e| is_ticket(e, id, Some("priority"))).await;
        let v = ev.data["fields"][0]["new"].as_str().unwrap().to_string();
        if ev.id.unwrap() > last && !got.contains(&v) {
            got.push(v);
        }
    }
    assert_eq!(
        got,
        vec!["low", "urgent"],
        "nothing missed across the kill -9"
    );
    server.kill9();
    db.pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_kill9_sqlite() {
    resume_after_kill9(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_kill9_postgres() {
    resume_after_kill9(Backend::Postgres).await;
}

/// A client that never reads its stream is dropped once its buffer is full (counted in
/// /metrics), and a reading client is not held up by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_read_is_dropped() {
    use tokio::io::AsyncWriteExt;
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let id = app
        .create_ticket("slow@example.com", "Slow reader", "x")
        .await["id"]
        .as_i64()
        .unwrap();
    app.drain_outbox().await;
    // The slow client: asks for the stream and never reads a byte.
    let mut sock = tokio::net::TcpStream::connect(app.running.addr)
        .await
        .unwrap();
    sock.write_all(
        format!(
            "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
            app.agent_token
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut reader = Stream::open(&app.url, &app.agent_token, None).await;
    let start = reader.next(10).await.unwrap().id.unwrap();
    // Far more than the socket buffers hold: 1,500 change events of 16 KB each.
    let db = app.db();
    let fields = json!([{"field": "note", "old": null, "new": "x".repeat(16_000)}]).to_string();
    let mut tx = db.begin().await.unwrap();
    for v in 0..1500i64 {
        sqlx::query(
            "INSERT INTO ticket_change (ticket_id, version, kind, actor_kind, fields, created_at) VALUES ($1, $2, 'message', 'system', $3, $4)",
        )
        .bind(id)
        .bind(1000 + v)
        .bind(&fields)
        .bind(app.running.state.now())
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.wake_live_on_commit();
    tx.commit().await.unwrap();
    let mut dropped = 0;
    for _ in 0..300 {
        let m = app
            .api()
            .get(app.at("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        dropped = m
            .lines()
            .find_map(|l| l.strip_prefix("casebook_live_streams_dropped_total "))
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(0);
        if dropped >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        dropped >= 1,
        "the stream that does not read was not dropped"
    );
    // The reading client, resuming from where it was if it fell behind too, gets the last event.
    let last_version = 1000 + 1499;
    let mut resume = start;
    let mut got_last = false;
    for _ in 0..10 {
        while let Some(ev) = reader.next(5).await {
            if let Some(i) = ev.id {
                resume = resume.max(i);
            }
            if ev.data["version"] == last_version {
                got_last = true;
                break;
            }
        }
        if got_last {
            break;
        }
        reader = Stream::open(&app.url, &app.agent_token, Some(resume)).await;
    }
    assert!(got_last, "a reading client got every event");
    drop(sock);
}

both_backends!(streams_narrowed_to_a_ticket_or_a_queue, |app| async move {
    let a = app.create_ticket("a@example.com", "First", "x").await["id"]
        .as_i64()
        .unwrap();
    let b = app.create_ticket("b@example.com", "Second", "x").await["id"]
        .as_i64()
        .unwrap();
    app.drain_outbox().await;
    let r = app
        .api()
        .get(app.at("/api/v1/events?ticket=abc"))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = app
        .api()
        .get(app.at("/api/v1/events?ticket=999999"))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let mut one = Stream::open_query(&app.url, &app.agent_token, &format!("ticket={a}")).await;
    let mut queue = Stream::open_query(&app.url, &app.agent_token, "view=queue").await;
    assert_eq!(one.next(10).await.unwrap().event, "ready");
    assert_eq!(queue.next(10).await.unwrap().event, "ready");
    patch(&app.url, &app.agent_token, b, json!({"priority": "high"})).await;
    patch(&app.url, &app.agent_token, a, json!({"priority": "low"})).await;
    // The ticket stream hears of its ticket only.
    let ev = one.next(10).await.expect("an event");
    assert!(is_ticket(&ev, a, Some("priority")), "{ev:?}");
    // The queue stream hears which tickets changed (both, in one notice or two).
    let mut ids = Vec::new();
    while ids.len() < 2 {
        let ev = queue.until(10, |e| e.event == "tickets").await;
        for id in ev.data["ids"].as_array().unwrap() {
            let id = id.as_i64().unwrap();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids.sort();
    assert_eq!(ids, vec![a.min(b), a.max(b)]);
});
