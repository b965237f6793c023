//! Outbound webhooks against a real HTTP receiver on 127.0.0.1: events in order and signed
//! (checked here with our own HMAC), retries with backoff, per-subscription ordering, timeouts,
//! redirects, the address rules, bad API input, automatic disabling with a notice to admins,
//! manual redelivery, and exactly-once (after dedupe by delivery id) across a kill -9.

use crate::harness::{Backend, Options, TestApp};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// The receiver

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub delivery: String,
    pub event: String,
    pub signature: String,
    pub content_type: String,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Ok,
    Status(u16),
    Redirect,
    /// Never answers.
    Hang,
}

#[derive(Default)]
struct Inner {
    got: Mutex<Vec<Received>>,
    default: Mutex<Option<Reply>>,
}

pub struct Receiver {
    pub url: String,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn hook(
    State(inner): State<Arc<Inner>>,
    _uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    inner.got.lock().unwrap().push(Received {
        delivery: header("casebook-delivery"),
        event: header("casebook-event"),
        signature: header("casebook-signature"),
        content_type: header("content-type"),
        body: String::from_utf8(body.to_vec()).expect("a UTF-8 body"),
    });
    let reply = inner.default.lock().unwrap().unwrap_or(Reply::Ok);
    match reply {
        Reply::Ok => (StatusCode::OK, "ok").into_response(),
        Reply::Status(code) => {
            (StatusCode::from_u16(code).unwrap(), "boom: try later").into_response()
        }
        Reply::Redirect => (
            StatusCode::FOUND,
            [("location", "http://example.com/elsewhere")],
            "moved",
        )
            .into_response(),
        Reply::Hang => {
            std::future::pending::<()>().await;
            unreachable!()
        }
    }
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inner = Arc::new(Inner::default());
        let app = axum::Router::new().fallback(hook).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver { url, inner, task }
    }

    /// Answers every request so from now on.
    pub fn answer(&self, reply: Reply) {
        *self.inner.default.lock().unwrap() = Some(reply);
    }

    pub fn got(&self) -> Vec<Received> {
        self.inner.got.lock().unwrap().clone()
    }

    /// Waits (at most `bound`) until `done` holds for what was received.
    pub async fn wait_for(&self, what: &str, bound: Duration, done: impl Fn(&[Received]) -> bool) {
        let until = Instant::now() + bound;
        loop {
            if done(&self.got()) {
                return;
            }
            if Instant::now() > until {
                panic!(
                    "receiver: {what} did not happen within {bound:?}; got {:#?}",
                    self.got()
                        .iter()
                        .map(|r| (&r.event, &r.delivery))
                        .collect::<Vec<_>>()
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// Checks a `Casebook-Signature` header with an HMAC computed here, not with Casebook's code.
pub fn signature_ok(secret: &str, header: &str, body: &str) -> bool {
    use hmac::{Hmac, Mac};
    let mut t = None;
    let mut given = Vec::new();
    for part in header.split(',') {
        if let Some(v) = part.trim().strip_prefix("t=") {
            t = Some(v.to_string());
        } else if let Some(v) = part.trim().strip_prefix("v1=") {
            given.push(v.to_string());
        }
    }
    let Some(t) = t else { return false };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let expected = hex::encode(mac.finalize().into_bytes());
    given.contains(&expected)
}

const BOUND: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------------
// Helpers

/// Subscribes `url` to `events` (allowing the loopback receiver); the subscription and secret.
async fn subscribe(app: &TestApp, url: &str, events: &[&str]) -> (i64, String) {
    let (s, v) = app
        .send(
            "POST",
            "/api/v1/webhooks",
            &app.admin_token,
            json!({"name": "Test receiver", "url": url, "events": events, "allow_private": true}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    (
        v["subscription"]["id"].as_i64().unwrap(),
        v["secret"].as_str().unwrap().to_string(),
    )
}

async fn deliveries(app: &TestApp, sub: i64) -> Vec<Value> {
    let (s, v) = app
        .send(
            "GET",
            &format!("/api/v1/webhooks/{sub}/deliveries"),
            &app.admin_token,
            Value::Null,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().unwrap().clone()
}

/// Waits until `done` holds for subscription `sub`'s deliveries (newest first).
async fn wait_deliveries(
    app: &TestApp,
    sub: i64,
    what: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let until = Instant::now() + BOUND;
    loop {
        let items = deliveries(app, sub).await;
        if done(&items) {
            return items;
        }
        if Instant::now() > until {
            panic!("{what} did not happen within {BOUND:?}: {items:#?}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn delivery_detail(app: &TestApp, sub: i64, id: i64) -> Value {
    let (s, v) = app
        .send(
            "GET",
            &format!("/api/v1/webhooks/{sub}/deliveries/{id}"),
            &app.admin_token,
            Value::Null,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v
}

fn events_of(got: &[Received], ticket: i64) -> Vec<String> {
    got.iter()
        .filter(|r| r.json()["data"]["ticket"]["id"] == ticket)
        .map(|r| r.event.clone())
        .collect()
}

async fn configured(
    backend: Backend,
    configure: fn(&mut casebook::config::Config),
) -> Option<TestApp> {
    TestApp::spawn_with(
        backend,
        Options {
            configure: Some(configure),
            ..Options::default()
        },
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Tests

crate::both_backends!(
    events_arrive_signed_in_order_and_can_be_sent_again,
    |app| async move {
        let rx = Receiver::start().await;
        let (sub, secret) = subscribe(
            &app,
            &rx.url,
            &["ticket.created", "message.added", "ticket.solved"],
        )
        .await;
        let ticket = app
            .create_ticket("ana@example.com", "Printer on fire", "Help, it is burning")
            .await;
        let id = ticket["id"].as_i64().unwrap();
        let (s, v) = app
            .send(
                "POST",
                &format!("/api/v1/tickets/{id}/messages"),
                &app.agent_token,
                json!({"body": "We are on our way", "visibility": "public"}),
            )
            .await;
        assert!(s == 200 || s == 201, "{s} {v}");
        let (s, v) = app
            .send(
                "PATCH",
                &format!("/api/v1/tickets/{id}"),
                &app.agent_token,
                json!({"status": "solved"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        rx.wait_for("three events", BOUND, |got| events_of(got, id).len() >= 3)
            .await;
        let got = rx.got();
        assert_eq!(
            events_of(&got, id),
            ["ticket.created", "message.added", "ticket.solved"]
        );
        let mut ids = HashSet::new();
        for r in &got {
            assert!(
                signature_ok(&secret, &r.signature, &r.body),
                "bad signature on {r:?}"
            );
            assert!(!signature_ok("some other secret!", &r.signature, &r.body));
            assert!(r.content_type.starts_with("application/json"));
            let body = r.json();
            assert_eq!(
                body["id"],
                r.delivery.as_str(),
                "the body names its delivery"
            );
            assert_eq!(body["event"], r.event.as_str());
            assert!(body["occurred_at"].as_str().unwrap().ends_with('Z'));
            assert!(ids.insert(r.delivery.clone()), "delivery ids are unique");
        }
        let created = got[0].json();
        assert_eq!(created["data"]["ticket"]["subject"], "Printer on fire");
        assert_eq!(
            created["data"]["message"]["body_text"],
            "Help, it is burning"
        );
        let added = got[1].json();
        assert_eq!(added["data"]["message"]["body_text"], "We are on our way");
        assert_eq!(added["data"]["message"]["author_kind"], "agent");
        assert_eq!(got[2].json()["data"]["ticket"]["status"], "solved");

        // The log: each delivered at the first attempt, with its answer.
        let items = wait_deliveries(&app, sub, "three delivered", |items| {
            items.len() == 3 && items.iter().all(|d| d["status"] == "delivered")
        })
        .await;
        for d in &items {
            assert_eq!(d["attempts"], 1);
            assert_eq!(d["last_status_code"], 200);
            assert_eq!(d["response_snippet"], "ok");
            assert!(d["last_latency_ms"].as_i64().unwrap() >= 0);
        }
        // Filtered and paged, newest first.
        let page = |q: String| {
            let app = &app;
            async move {
                let (s, v) = app
                    .send(
                        "GET",
                        &format!("/api/v1/webhooks/{sub}/deliveries?{q}"),
                        &app.admin_token,
                        Value::Null,
                    )
                    .await;
                assert_eq!(s, 200, "{v}");
                v
            }
        };
        let v = page("status=delivered&limit=2".into()).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 2);
        assert_eq!(v["items"][0]["event"], "ticket.solved");
        let cursor = v["next_cursor"].as_str().unwrap().to_string();
        let v = page(format!("status=delivered&limit=2&cursor={cursor}")).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 1);
        assert_eq!(v["items"][0]["event"], "ticket.created");
        assert!(v["next_cursor"].is_null());
        assert!(
            page("status=failed".into()).await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        // Sent again by hand: the same delivery id and the same body, a second attempt in the log.
        let first = items
            .iter()
            .find(|d| d["event"] == "ticket.created")
            .unwrap();
        let did = first["id"].as_i64().unwrap();
        let (s, v) = app
            .send(
                "POST",
                &format!("/api/v1/webhooks/{sub}/deliveries/{did}/redeliver"),
                &app.admin_token,
                Value::Null,
            )
            .await;
        assert_eq!(s, 202, "{v}");
        rx.wait_for("the redelivery", BOUND, |got| got.len() >= 4)
            .await;
        let again = rx.got()[3].clone();
        assert_eq!(again.delivery, got[0].delivery);
        assert_eq!(again.body, got[0].body, "a redelivery sends the same body");
        assert!(signature_ok(&secret, &again.signature, &again.body));
        let until = Instant::now() + BOUND;
        loop {
            let v = delivery_detail(&app, sub, did).await;
            let attempts = v["attempts"].as_array().unwrap();
            // The delivery and its attempts are read one after the other.
            if attempts.len() == 2 && v["delivery"]["status"] == "delivered" {
                assert_eq!(attempts[1]["manual"], true);
                assert_eq!(attempts[0]["manual"], false);
                assert_eq!(v["body"], got[0].body.as_str());
                break;
            }
            assert!(Instant::now() < until, "the redelivery was not logged: {v}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        // The admin pages show the subscription and its log.
        let client = app.browser();
        crate::harness::login(&app, &client, &app.admin_email, crate::harness::PASSWORD).await;
        let html = client
            .get(app.at(&format!("/admin/webhooks/{sub}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&got[0].event) && html.contains("Test receiver"),
            "{html}"
        );
        let page = client
            .get(app.at(&format!("/admin/webhooks/{sub}/deliveries/{did}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains(&got[0].delivery));
    }
);

crate::both_backends!(
    a_failing_receiver_is_retried_in_order_without_holding_up_others,
    |app| async move {
        let flaky = Receiver::start().await;
        flaky.answer(Reply::Status(500));
        let healthy = Receiver::start().await;
        // Not `ticket.updated`: routing changes the new ticket on its own schedule.
        let events = ["ticket.created", "message.added"];
        let (flaky_sub, _) = subscribe(&app, &flaky.url, &events).await;
        let (healthy_sub, _) = subscribe(&app, &healthy.url, &events).await;
        let id = app
            .create_ticket("bo@example.com", "Slow receiver", "x")
            .await["id"]
            .as_i64()
            .unwrap();
        flaky
            .wait_for("the first attempt", BOUND, |got| !got.is_empty())
            .await;
        let (s, v) = app
            .send(
                "POST",
                &format!("/api/v1/tickets/{id}/messages"),
                &app.agent_token,
                json!({"body": "Looking into it", "visibility": "internal"}),
            )
            .await;
        assert!(s == 200 || s == 201, "{s} {v}");
        // The healthy receiver gets both events while the flaky one is still retrying the first.
        healthy
            .wait_for("both events", BOUND, |got| {
                let e = events_of(got, id);
                e.contains(&"ticket.created".to_string())
                    && e.contains(&"message.added".to_string())
            })
            .await;
        let items = wait_deliveries(&app, flaky_sub, "a retry scheduled", |items| {
            items
                .iter()
                .any(|d| d["event"] == "ticket.created" && d["status"] == "retrying")
        })
        .await;
        let created = items
            .iter()
            .find(|d| d["event"] == "ticket.created")
            .unwrap()
            .clone();
        assert_eq!(created["last_status_code"], 500);
        assert_eq!(created["response_snippet"], "boom: try later");
        // The first retry comes 2 s after the first failure.
        assert_eq!(
            created["next_attempt_at"].as_i64().unwrap() - created["updated_at"].as_i64().unwrap(),
            2_000
        );
        assert!(
            !flaky.got().iter().any(|r| r.event == "message.added"),
            "a later event of the ticket overtook one still being retried"
        );

        // The receiver heals; the retry (brought forward) delivers, then the next event follows.
        flaky.answer(Reply::Ok);
        app.clock.advance_ms(60_000);
        flaky
            .wait_for("the note", BOUND, |got| {
                got.iter().any(|r| r.event == "message.added")
            })
            .await;
        let got = flaky.got();
        let order: Vec<&str> = got.iter().map(|r| r.event.as_str()).collect();
        let first_ok = order.iter().rposition(|e| *e == "ticket.created").unwrap();
        assert!(first_ok >= 1, "the created event was retried: {order:?}");
        assert!(
            order[..=first_ok].iter().all(|e| *e == "ticket.created"),
            "{order:?}"
        );
        assert_eq!(&order[first_ok + 1..], ["message.added"], "{order:?}");
        let created_ids: HashSet<&str> = got
            .iter()
            .filter(|r| r.event == "ticket.created")
            .map(|r| r.delivery.as_str())
            .collect();
        assert_eq!(
            created_ids.len(),
            1,
            "every attempt carries the same delivery id"
        );
        let items = wait_deliveries(&app, flaky_sub, "both delivered", |items| {
            items.len() == 2 && items.iter().all(|d| d["status"] == "delivered")
        })
        .await;
        let created = items
            .iter()
            .find(|d| d["event"] == "ticket.created")
            .unwrap();
        let detail = delivery_detail(&app, flaky_sub, created["id"].as_i64().unwrap()).await;
        let attempts = detail["attempts"].as_array().unwrap();
        assert_eq!(attempts.len() as i64, created["attempts"].as_i64().unwrap());
        assert!(attempts.len() >= 2, "{detail}");
        assert_eq!(attempts[0]["ok"], false);
        assert_eq!(attempts[0]["status_code"], 500);
        assert_eq!(attempts.last().unwrap()["ok"], true);
        // The healthy subscription's log: each at the first attempt.
        for d in deliveries(&app, healthy_sub).await {
            assert_eq!(d["status"], "delivered");
            assert_eq!(d["attempts"], 1);
        }
        // Successes reset the failure count.
        let (_, v) = app
            .send(
                "GET",
                &format!("/api/v1/webhooks/{flaky_sub}"),
                &app.admin_token,
                Value::Null,
            )
            .await;
        assert_eq!(v["subscription"]["consecutive_failures"], 0);
    }
);

fn short_timeout(c: &mut casebook::config::Config) {
    c.webhook_timeout_ms = 1_500;
}

async fn hung_receiver(backend: Backend) {
    let Some(app) = configured(backend, short_timeout).await else {
        return;
    };
    let rx = Receiver::start().await;
    rx.answer(Reply::Hang);
    let (sub, _) = subscribe(&app, &rx.url, &["ticket.created"]).await;
    let started = Instant::now();
    let id = app.create_ticket("cy@example.com", "Hanging", "x").await["id"]
        .as_i64()
        .unwrap();
    rx.wait_for("the request", BOUND, |got| !got.is_empty())
        .await;
    // Routing and indexing (other lanes) finish while the webhook hangs.
    let db = app.db();
    loop {
        let other: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE lane <> 'webhook' AND done_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap();
        if other == 0 {
            break;
        }
        assert!(started.elapsed() < BOUND, "other lanes were held up");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let routed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ticket_event WHERE ticket_id = $1 AND kind = 'routed'",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(routed, 1);
    let items = wait_deliveries(&app, sub, "a timeout", |items| {
        items.first().is_some_and(|d| d["status"] == "retrying")
    })
    .await;
    let d = &items[0];
    assert_eq!(d["last_error"], "timed out after 1500 ms", "{d}");
    assert!(d["last_latency_ms"].as_i64().unwrap() >= 1_400, "{d}");
    assert!(d["last_status_code"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_receiver_times_out_and_delays_no_other_lane_sqlite() {
    hung_receiver(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_receiver_times_out_and_delays_no_other_lane_postgres() {
    hung_receiver(Backend::Postgres).await
}

crate::both_backends!(redirects_are_failures_and_not_followed, |app| async move {
    let rx = Receiver::start().await;
    rx.answer(Reply::Redirect);
    let (sub, _) = subscribe(&app, &rx.url, &["ticket.created"]).await;
    app.create_ticket("di@example.com", "Moved", "x").await;
    let items = wait_deliveries(&app, sub, "a failed attempt", |items| {
        items.first().is_some_and(|d| d["status"] == "retrying")
    })
    .await;
    assert_eq!(items[0]["last_status_code"], 302);
    let error = items[0]["last_error"].as_str().unwrap();
    assert!(error.contains("redirects are not followed"), "{error}");
    // Only the one request: the redirect's target was never asked.
    assert_eq!(rx.got().len(), 1);
});

crate::both_backends!(
    bad_subscriptions_are_refused_naming_the_field,
    |app| async move {
        let post = |body: Value| {
            let app = &app;
            async move {
                app.send("POST", "/api/v1/webhooks", &app.admin_token, body)
                    .await
            }
        };
        let field = |v: &Value| v["error"]["field"].as_str().unwrap_or_default().to_string();
        // Internal addresses need the admin's explicit allow flag.
        for url in [
            "http://127.0.0.1:9/hook",
            "http://localhost:8080/hook",
            "http://[::1]/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://10.0.0.8/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://0.0.0.0/",
            "http://2130706433/",
        ] {
            let (s, v) = post(json!({"url": url, "events": ["ticket.created"]})).await;
            assert_eq!((s, field(&v)), (422, "url".to_string()), "{url}: {v}");
            let message = v["error"]["message"].as_str().unwrap();
            assert!(message.contains("allow_private"), "{message}");
        }
        let cases = [
            (json!({"events": ["ticket.created"]}), "url"),
            (
                json!({"url": "ftp://example.com/x", "events": ["ticket.created"]}),
                "url",
            ),
            (
                json!({"url": "not a url", "events": ["ticket.created"]}),
                "url",
            ),
            (
                json!({"url": "https://u:p@example.com/x", "events": ["ticket.created"]}),
                "url",
            ),
            (
                json!({"url": "http://127.0.0.1:9/x", "allow_private": true, "events": ["ticket.created", "ticket.exploded"]}),
                "events[1]",
            ),
            (
                json!({"url": "http://127.0.0.1:9/x", "allow_private": true, "events": []}),
                "events",
            ),
            (
                json!({"url": "http://127.0.0.1:9/x", "allow_private": true}),
                "events",
            ),
            (
                json!({"url": "http://127.0.0.1:9/x", "allow_private": true, "events": ["ticket.created"], "secret": "short"}),
                "secret",
            ),
            (
                json!({"url": "http://127.0.0.1:9/x", "allow_private": true, "events": "ticket.created"}),
                "events",
            ),
            (
                json!({"url": "http://127.0.0.1:9/x", "allow_private": true, "events": ["ticket.created"], "colour": "red"}),
                "colour",
            ),
            (json!({"url": 42, "events": ["ticket.created"]}), "url"),
        ];
        for (body, want) in cases {
            let (s, v) = post(body.clone()).await;
            assert_eq!((s, field(&v)), (422, want.to_string()), "{body}: {v}");
        }
        // Malformed JSON is a 400.
        let r = app
            .api()
            .post(app.at("/api/v1/webhooks"))
            .bearer_auth(&app.admin_token)
            .header("content-type", "application/json")
            .body("{\"url\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "bad_request");
        // Agents may not manage webhooks; unknown ones are 404s.
        let (s, _) = app
            .send(
                "POST",
                "/api/v1/webhooks",
                &app.agent_token,
                json!({"url": "http://127.0.0.1:9/x"}),
            )
            .await;
        assert_eq!(s, 403);
        let (s, _) = app
            .send("GET", "/api/v1/webhooks", &app.agent_token, Value::Null)
            .await;
        assert_eq!(s, 403);
        for path in [
            "/api/v1/webhooks/999",
            "/api/v1/webhooks/abc",
            "/api/v1/webhooks/999/deliveries",
        ] {
            let (s, v) = app.send("GET", path, &app.admin_token, Value::Null).await;
            assert_eq!(s, 404, "{path}: {v}");
        }
        // Allowed explicitly, the loopback receiver is accepted; taking the flag away re-checks it.
        let (s, v) = post(json!({"url": "http://127.0.0.1:9/x", "allow_private": true, "events": ["ticket.created"]})).await;
        assert_eq!(s, 201, "{v}");
        assert!(v["secret"].as_str().unwrap().len() >= 16);
        let id = v["subscription"]["id"].as_i64().unwrap();
        let (s, v) = app
            .send(
                "PATCH",
                &format!("/api/v1/webhooks/{id}"),
                &app.admin_token,
                json!({"allow_private": false}),
            )
            .await;
        assert_eq!((s, field(&v)), (422, "url".to_string()), "{v}");
        let (s, v) = app
            .send(
                "GET",
                &format!("/api/v1/webhooks/{id}/deliveries?status=lost"),
                &app.admin_token,
                Value::Null,
            )
            .await;
        assert_eq!((s, field(&v)), (422, "status".to_string()), "{v}");
        let (s, v) = app
            .send(
                "GET",
                &format!("/api/v1/webhooks/{id}/deliveries?limit=0"),
                &app.admin_token,
                Value::Null,
            )
            .await;
        assert_eq!((s, field(&v)), (422, "limit".to_string()), "{v}");
        // The admin form shows the same error beside the field.
        let client = app.browser();
        crate::harness::login(&app, &client, &app.admin_email, crate::harness::PASSWORD).await;
        let (csrf, _) = crate::harness::csrf_from(&client, &app.at("/admin/webhooks")).await;
        let r = client
            .post(app.at("/admin/webhooks"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("url", "http://127.0.0.1:9/x"),
                ("events", "ticket.created"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("allow_private"));
    }
);

crate::both_backends!(the_address_rule_holds_when_sending_too, |app| async move {
    let rx = Receiver::start().await;
    let (sub, _) = subscribe(&app, &rx.url, &["ticket.created"]).await;
    // As if the flag were taken away behind the API's back (or a name now resolved inside).
    sqlx::query(
        "UPDATE webhook_subscription SET allow_private = 0 WHERE webhook_subscription_id = $1",
    )
    .bind(sub)
    .execute(&app.db().pool)
    .await
    .unwrap();
    app.create_ticket("ed@example.com", "Rebound", "x").await;
    let items = wait_deliveries(&app, sub, "a refused attempt", |items| {
        items.first().is_some_and(|d| d["status"] == "retrying")
    })
    .await;
    let error = items[0]["last_error"].as_str().unwrap();
    assert!(
        error.starts_with("refused: 127.0.0.1 is a loopback address"),
        "{error}"
    );
    assert!(rx.got().is_empty(), "nothing reached the receiver");
});

fn disable_after_three(c: &mut casebook::config::Config) {
    c.webhook_disable_after_failures = 3;
    c.webhook_disable_after_ms = 0;
}

async fn auto_disable(backend: Backend) {
    let Some(app) = configured(backend, disable_after_three).await else {
        return;
    };
    let rx = Receiver::start().await;
    rx.answer(Reply::Status(503));
    let (sub, _) = subscribe(&app, &rx.url, &["ticket.created"]).await;
    let mut tickets = Vec::new();
    for i in 0..3 {
        let t = app
            .create_ticket(&format!("f{i}@example.com"), "Down", "x")
            .await;
        tickets.push(t["id"].as_i64().unwrap());
    }
    // Three failed attempts in a row disable it.
    let until = Instant::now() + BOUND;
    let sub_now = loop {
        let (_, v) = app
            .send(
                "GET",
                &format!("/api/v1/webhooks/{sub}"),
                &app.admin_token,
                Value::Null,
            )
            .await;
        if v["subscription"]["active"] == false {
            break v["subscription"].clone();
        }
        assert!(Instant::now() < until, "not disabled: {v}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert_eq!(sub_now["disabled_reason"], "failing");
    assert!(sub_now["consecutive_failures"].as_i64().unwrap() >= 3);
    // Admins are told, in the inbox.
    let (_, v) = app
        .send(
            "GET",
            "/api/v1/notifications",
            &app.admin_token,
            Value::Null,
        )
        .await;
    let notices: Vec<&Value> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "webhook_disabled")
        .collect();
    assert_eq!(notices.len(), 1, "{v}");
    assert!(
        notices[0]["body"]
            .as_str()
            .unwrap()
            .contains("Test receiver")
    );
    // Agents are not.
    let (_, v) = app
        .send(
            "GET",
            "/api/v1/notifications",
            &app.agent_token,
            Value::Null,
        )
        .await;
    assert!(
        !v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "webhook_disabled")
    );
    // New events are kept, not sent and not lost.
    let requests_before = rx.got().len();
    let t = app
        .create_ticket("f9@example.com", "While disabled", "x")
        .await;
    tickets.push(t["id"].as_i64().unwrap());
    let items = wait_deliveries(&app, sub, "everything kept", |items| {
        items.len() == 4 && items.iter().all(|d| d["status"] == "paused")
    })
    .await;
    assert_eq!(items.len(), 4);
    app.drain_outbox().await;
    assert_eq!(
        rx.got().len(),
        requests_before,
        "a disabled subscription sent something"
    );
    // Fixed and enabled again: the count starts afresh and what was kept is sent, once each.
    rx.answer(Reply::Ok);
    let (s, v) = app
        .send(
            "PATCH",
            &format!("/api/v1/webhooks/{sub}"),
            &app.admin_token,
            json!({"active": true}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["subscription"]["consecutive_failures"], 0);
    assert_eq!(v["subscription"]["disabled_reason"], Value::Null);
    wait_deliveries(&app, sub, "all delivered", |items| {
        items.len() == 4 && items.iter().all(|d| d["status"] == "delivered")
    })
    .await;
    let got = rx.got();
    let delivered: HashMap<i64, usize> =
        got[requests_before..]
            .iter()
            .fold(HashMap::new(), |mut m, r| {
                *m.entry(r.json()["data"]["ticket"]["id"].as_i64().unwrap())
                    .or_default() += 1;
                m
            });
    for t in &tickets {
        assert_eq!(delivered.get(t), Some(&1), "ticket {t}: {delivered:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_disable_the_subscription_and_tell_admins_sqlite() {
    auto_disable(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_disable_the_subscription_and_tell_admins_postgres() {
    auto_disable(Backend::Postgres).await
}

// ---------------------------------------------------------------------------------------------
// kill -9 between the commit and the delivery

async fn kill9_exactly_once(backend: Backend) {
    use crate::crash::{Server, free_port, setup};
    let Some((url, token)) = setup(backend).await else {
        return;
    };
    let rx = Receiver::start().await;
    {
        let db = casebook::db::Db::connect(&url).await.unwrap();
        let input = casebook::webhooks::SubscriptionInput {
            url: Some(rx.url.clone()),
            events: Some(vec!["ticket.created".into()]),
            secret: Some("a secret of the crash test".into()),
            allow_private: Some(true),
            ..Default::default()
        };
        casebook::webhooks::create(&db, &input, None, chrono::Utc::now().timestamp_millis())
            .await
            .unwrap();
        db.pool.close().await;
    }
    // Long enough that no request times out before the kill.
    let env = [("CASEBOOK_WEBHOOK_TIMEOUT_MS", "5000".to_string())];
    let port = free_port();
    let client = reqwest::Client::new();
    // Committed with its deliveries, then killed before any worker ran.
    let server = Server::start_with(&url, port, false, &env).await;
    let total = 5;
    for i in 0..total {
        let r = client
            .post(format!("{}/api/v1/tickets", server.url))
            .bearer_auth(&token)
            .json(&json!({"customer": {"email": format!("k{i}@example.com")}, "subject": format!("Crash {i}"), "body": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    server.kill9();
    assert!(rx.got().is_empty());
    // Restarted, killed again while deliveries are on the wire (their answers never come).
    rx.answer(Reply::Hang);
    let server = Server::start_with(&url, port, true, &env).await;
    rx.wait_for("the first request", BOUND, |got| !got.is_empty())
        .await;
    server.kill9();
    // A request whose bytes were on their way when the process died may still be read.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let in_flight: HashSet<String> = rx.got().into_iter().map(|r| r.delivery).collect();
    // Restarted for good: everything arrives.
    rx.answer(Reply::Ok);
    let server = Server::start_with(&url, port, true, &env).await;
    let db = casebook::db::Db::connect(&url).await.unwrap();
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let delivered: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM webhook_delivery WHERE status = 'delivered'")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        if delivered == total && casebook::outbox::depth(&db).await.unwrap() == 0 {
            break;
        }
        assert!(Instant::now() < until, "not all delivered: {delivered}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // One more restart sends nothing again.
    server.kill9();
    let server = Server::start_with(&url, port, true, &env).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.kill9();
    let got = rx.got();
    let distinct: HashSet<&str> = got.iter().map(|r| r.delivery.as_str()).collect();
    let tickets: HashSet<i64> = got
        .iter()
        .map(|r| r.json()["data"]["ticket"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(distinct.len() as i64, total, "each event once after dedupe");
    assert_eq!(tickets.len() as i64, total);
    // At least once: the deliveries cut off by the kill came again; nothing else did.
    for id in &distinct {
        let times = got.iter().filter(|r| r.delivery == *id).count();
        let want = if in_flight.contains(*id) { 2 } else { 1 };
        assert_eq!(times, want, "delivery {id}");
    }
    for r in &got {
        assert!(signature_ok(
            "a secret of the crash test",
            &r.signature,
            &r.body
        ));
    }
    let attempts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_attempt")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        attempts, total,
        "the attempt cut off by the kill left no record"
    );
    db.pool.close().await;
    eprintln!(
        "webhooks kill -9 ({backend:?}): {} requests for {} deliveries before dedupe",
        got.len(),
        distinct.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill9_between_commit_and_delivery_delivers_once_after_dedupe_sqlite() {
    kill9_exactly_once(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill9_between_commit_and_delivery_delivers_once_after_dedupe_postgres() {
    kill9_exactly_once(Backend::Postgres).await
}

crate::both_backends!(
    sla_rating_reopen_and_merge_events_are_sent,
    |app| async move {
        let rx = Receiver::start().await;
        let (_, secret) = subscribe(
            &app,
            &rx.url,
            &[
                "sla.warning",
                "sla.breach",
                "csat.received",
                "ticket.reopened",
                "customer.merged",
            ],
        )
        .await;
        crate::sla::around_the_clock_policy(&app, 60, 60, 600).await;
        let t = app.create_ticket("sla-hook@example.com", "Slow", "x").await;
        let id = t["id"].as_i64().unwrap();
        app.drain_outbox().await;
        let state = app.running.state.clone();
        // The warning at 50 % of the first-response target, then the breach.
        app.clock.advance_ms(31 * 60_000);
        casebook::sla::sweep_once(&state).await.unwrap();
        // The warning is delivered before the clock jumps again: a jump of half an hour while it
        // is being sent would expire its lease (leases follow the app's clock) and send it twice.
        rx.wait_for("the warning", BOUND, |got| !events_of(got, id).is_empty())
            .await;
        app.drain_outbox().await;
        app.clock.advance_ms(30 * 60_000);
        casebook::sla::sweep_once(&state).await.unwrap();
        rx.wait_for("warning and breach", BOUND, |got| {
            events_of(got, id).len() >= 2
        })
        .await;
        let got = rx.got();
        assert_eq!(events_of(&got, id), ["sla.warning", "sla.breach"]);
        for r in &got {
            assert_eq!(r.json()["data"]["sla"]["metric"], "first_response");
        }
        // A rating, then the customer is back: reopened.
        let (s, v) = app
            .send(
                "PATCH",
                &format!("/api/v1/tickets/{id}"),
                &app.agent_token,
                json!({"status": "solved"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        casebook::reports::csat::rate(
            app.db(),
            id,
            casebook::reports::csat::Rating::Good,
            Some("Quick, thanks"),
            state.now(),
        )
        .await
        .unwrap();
        let (s, v) = app
            .send(
                "PATCH",
                &format!("/api/v1/tickets/{id}"),
                &app.agent_token,
                json!({"status": "open"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        rx.wait_for("rating and reopening", BOUND, |got| {
            events_of(got, id).len() >= 4
        })
        .await;
        let got = rx.got();
        assert_eq!(
            events_of(&got, id)[2..],
            ["csat.received", "ticket.reopened"]
        );
        let rating = got
            .iter()
            .find(|r| r.event == "csat.received")
            .unwrap()
            .json();
        assert_eq!(rating["data"]["csat"]["rating"], "good");
        assert_eq!(rating["data"]["csat"]["comment"], "Quick, thanks");
        // Two customers merged.
        let other = app
            .create_ticket("sla-hook-2@example.com", "Also me", "x")
            .await;
        let (into, from) = (
            t["customer_id"].as_i64().unwrap(),
            other["customer_id"].as_i64().unwrap(),
        );
        let (s, v) = app
            .send(
                "POST",
                &format!("/api/v1/customers/{into}/merge"),
                &app.admin_token,
                json!({"from": from}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        rx.wait_for("the merge", BOUND, |got| {
            got.iter().any(|r| r.event == "customer.merged")
        })
        .await;
        let merged = rx
            .got()
            .into_iter()
            .find(|r| r.event == "customer.merged")
            .unwrap();
        let body = merged.json();
        assert_eq!(body["data"]["merge"]["into_customer_id"], into);
        assert_eq!(body["data"]["merge"]["from_customer_id"], from);
        assert_eq!(body["data"]["merge"]["moved"]["tickets"], 1);
        for r in rx.got() {
            assert!(signature_ok(&secret, &r.signature, &r.body));
        }
    }
);
