//! Messaging channels end to end, on both databases: a generic gateway's signed messages become
//! tickets (customer matched by phone, one ticket per conversation, one message per gateway id),
//! bad input answers 401/409/404/413/422/400, agents' replies reach a real receiver signed (checked
//! here with our own HMAC) with the right conversation and recipient, are retried until the
//! receiver takes them, and Twilio's format works both ways against a local fake of its API.
//! Also: migration 0036 widens SQLite's `ticket.channel` CHECK and keeps rows, indexes, triggers.

use crate::harness::{Backend, PASSWORD, TestApp};
use crate::webhooks::{Receiver, Reply, signature_ok};
use axum::extract::State;
use axum::http::HeaderMap;
use base64::Engine;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BOUND: Duration = Duration::from_secs(30);

/// `Casebook-Signature` computed here with our own HMAC-SHA256.
fn sign(secret: &str, t: i64, body: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body.as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

fn app_secs(app: &TestApp) -> i64 {
    app.running.state.now().div_euclid(1000)
}

/// Connects a generic SMS channel replying to `reply_url`; its inbound secret.
async fn generic_channel(app: &TestApp, slug: &str, reply_url: &str) -> (String, String) {
    let (s, v) = app
        .send(
            "POST",
            "/api/v1/channels",
            &app.admin_token,
            json!({"slug": slug, "name": "Main line", "kind": "sms", "reply_url": reply_url, "allow_private": true}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(
        v["channel"]["inbound_path"],
        format!("/api/v1/channels/{slug}/inbound")
    );
    (
        v["secrets"]["inbound_secret"].as_str().unwrap().to_string(),
        v["secrets"]["reply_secret"].as_str().unwrap().to_string(),
    )
}

/// Posts `body` to a channel's inbound URL with `signature`; the status and JSON answer.
async fn post_inbound(app: &TestApp, slug: &str, signature: &str, body: &str) -> (u16, Value) {
    let r = app
        .api()
        .post(app.at(&format!("/api/v1/channels/{slug}/inbound")))
        .header("content-type", "application/json")
        .header("casebook-signature", signature)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn signed_inbound(app: &TestApp, slug: &str, secret: &str, body: &Value) -> (u16, Value) {
    let body = body.to_string();
    let sig = sign(secret, app_secs(app), &body);
    post_inbound(app, slug, &sig, &body).await
}

async fn messages(app: &TestApp, ticket: i64) -> Vec<Value> {
    let v = app
        .get_json(&format!("/api/v1/tickets/{ticket}/messages"))
        .await;
    v["messages"]
        .as_array()
        .or_else(|| v["items"].as_array())
        .or_else(|| v.as_array())
        .unwrap_or_else(|| panic!("messages of {ticket}: {v}"))
        .clone()
}

async fn wait_for_status(app: &TestApp, ticket: i64, message: i64, want: &str) -> Value {
    let until = Instant::now() + BOUND;
    loop {
        let all = messages(app, ticket).await;
        let m = all
            .iter()
            .find(|m| m["id"].as_i64() == Some(message))
            .cloned()
            .unwrap_or(Value::Null);
        if m["delivery_status"] == want {
            return m;
        }
        assert!(
            Instant::now() < until,
            "message {message} never became {want}: {m}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn agent_reply(app: &TestApp, ticket: i64, text: &str) -> i64 {
    let (s, v) = app
        .send(
            "POST",
            &format!("/api/v1/tickets/{ticket}/messages"),
            &app.agent_token,
            json!({"body": text, "visibility": "public"}),
        )
        .await;
    assert!(s == 200 || s == 201, "{s} {v}");
    v["message_id"]
        .as_i64()
        .or_else(|| v["message"]["id"].as_i64())
        .or_else(|| v["id"].as_i64())
        .unwrap_or_else(|| panic!("no message id in {v}"))
}

crate::both_backends!(generic_gateway_end_to_end, |app| async move {
    let rx = Receiver::start().await;
    let (secret, reply_secret) = generic_channel(&app, "sms-main", &rx.url).await;

    // A known customer, by email and phone.
    let first = app
        .create_ticket("ana@example.com", "Earlier", "Hello")
        .await;
    let ana = first["customer_id"].as_i64().unwrap();
    let (s, v) = app
        .send(
            "POST",
            &format!("/api/v1/customers/{ana}/identities"),
            &app.agent_token,
            json!({"kind": "phone", "value": "+49 30 1234567"}),
        )
        .await;
    assert!(s == 200 || s == 201, "{v}");

    // A message from her phone (written differently), with a field Casebook does not know.
    let m1 = json!({"from": {"phone": "+49 (30) 123-4567", "name": "Ana"}, "text": "My parcel is late again",
        "external_id": "m-1", "thread_id": "conv-9", "gateway_extra": {"x": 1}});
    let (s, out) = signed_inbound(&app, "sms-main", &secret, &m1).await;
    assert_eq!(s, 200, "{out}");
    assert_eq!(out["created_ticket"], true);
    assert_eq!(out["duplicate"], false);
    let ticket = out["ticket_id"].as_i64().unwrap();
    let t = app.get_json(&format!("/api/v1/tickets/{ticket}")).await;
    let t = if t["ticket"].is_object() {
        t["ticket"].clone()
    } else {
        t
    };
    assert_eq!(t["customer_id"].as_i64(), Some(ana), "{t}");
    assert_eq!(t["channel"], "sms");
    assert_eq!(t["subject"], "My parcel is late again");

    // The same conversation: the same ticket.
    let m2 = json!({"from": {"phone": "+49301234567"}, "text": "Any news?", "external_id": "m-2", "thread_id": "conv-9"});
    let m2_body = m2.to_string();
    let m2_sig = sign(&secret, app_secs(&app), &m2_body);
    let (s, out2) = post_inbound(&app, "sms-main", &m2_sig, &m2_body).await;
    assert_eq!(s, 200, "{out2}");
    assert_eq!(out2["ticket_id"].as_i64(), Some(ticket));
    assert_eq!(out2["created_ticket"], false);

    // The same gateway message again (signed afresh, a second later): one message, answered as
    // before.
    app.clock.advance_ms(1_000);
    let (s, again) = signed_inbound(&app, "sms-main", &secret, &m1).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["message_id"], out["message_id"]);
    let msgs = messages(&app, ticket).await;
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert_eq!(msgs[0]["channel"], "sms");
    assert_eq!(msgs[0]["gateway_name"], "Main line");
    assert_eq!(msgs[0]["external_id"], "m-1");

    // The same signed delivery again is a replay.
    let (s, v) = post_inbound(&app, "sms-main", &m2_sig, &m2_body).await;
    assert_eq!(s, 409, "{v}");
    // A bad signature, an unknown channel.
    let (s, v) = post_inbound(
        &app,
        "sms-main",
        &sign("wrong-secret-000000", app_secs(&app), &m2_body),
        &m2_body,
    )
    .await;
    assert_eq!(s, 401, "{v}");
    assert_eq!(v["error"]["code"], "bad_signature");
    let (s, v) = post_inbound(&app, "sms-main", "t=1,v1=00", &m2_body).await;
    assert_eq!(s, 401, "{v}");
    let (s, v) = signed_inbound(&app, "no-such-channel", &secret, &m2).await;
    assert_eq!(s, 404, "{v}");
    // An attachment over the limit.
    let big = base64::engine::general_purpose::STANDARD.encode(vec![b'x'; 1024 * 1024 + 10]);
    let huge = json!({"from": {"phone": "+49301234567"}, "text": "photo", "external_id": "m-3",
        "attachments": [{"filename": "a.jpg", "content_type": "image/jpeg", "data": big}]});
    let (s, v) = signed_inbound(&app, "sms-main", &secret, &huge).await;
    assert_eq!(s, 413, "{v}");
    // Missing sender, bad phone, malformed JSON: named, never a 500.
    let (s, v) = signed_inbound(
        &app,
        "sms-main",
        &secret,
        &json!({"from": {}, "text": "hi"}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (422, Some("from")),
        "{v}"
    );
    let (s, v) = signed_inbound(
        &app,
        "sms-main",
        &secret,
        &json!({"from": {"phone": "call me"}, "text": "hi"}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (422, Some("from.phone")),
        "{v}"
    );
    let (s, v) = signed_inbound(&app, "sms-main", &secret, &json!({"text": "hi"})).await;
    assert_eq!(s, 422, "{v}");
    let bad = "{\"from\": ";
    let (s, v) = post_inbound(&app, "sms-main", &sign(&secret, app_secs(&app), bad), bad).await;
    assert_eq!(s, 400, "{v}");
    // A small attachment is stored with the message.
    let small = json!({"from": {"phone": "+49301234567"}, "text": "", "external_id": "m-4", "thread_id": "conv-9",
        "attachments": [{"filename": "receipt.txt", "content_type": "text/plain", "data": "aGVsbG8="}]});
    let (s, v) = signed_inbound(&app, "sms-main", &secret, &small).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["ticket_id"].as_i64(), Some(ticket));

    // An agent's reply goes to the gateway, signed, with the conversation and the number.
    let reply_id = agent_reply(&app, ticket, "It ships tomorrow").await;
    rx.wait_for("the reply", BOUND, |got| !got.is_empty()).await;
    let got = rx.got();
    assert_eq!(got.len(), 1, "{got:?}");
    let r = &got[0];
    assert!(signature_ok(&reply_secret, &r.signature, &r.body), "{r:?}");
    assert_eq!(r.delivery, format!("reply-{reply_id}"));
    let body = r.json();
    assert_eq!(body["thread_id"], "conv-9");
    assert_eq!(body["to"]["phone"], "+49301234567");
    assert_eq!(body["text"], "It ships tomorrow");
    assert_eq!(body["ticket_id"].as_i64(), Some(ticket));
    assert_eq!(body["message_id"].as_i64(), Some(reply_id));
    assert_eq!(body["channel"], "sms-main");
    wait_for_status(&app, ticket, reply_id, "sent").await;

    // The ticket page says which channel each message came through.
    let browser = app.browser();
    crate::harness::login(&app, &browser, &app.agent_email, PASSWORD).await;
    let html = browser
        .get(app.at(&format!("/tickets/{ticket}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("via SMS (Main line)"), "{html}");
    assert!(html.contains("Sent through the channel"));

    // The customer (no email of their own would be needed) shows their phone.
    let c = app.get_json(&format!("/api/v1/customers/{ana}")).await;
    assert!(c.to_string().contains("+49301234567"), "{c}");
});

crate::both_backends!(customer_without_email_and_recent_ticket, |app| async move {
    let rx = Receiver::start().await;
    let (secret, _) = generic_channel(&app, "chat-web", &rx.url).await;
    // A handle only, no conversation id: a new customer without email.
    let (s, a) = signed_inbound(&app, "chat-web", &secret,
        &json!({"from": {"handle": "u-77", "name": "Bo"}, "text": "Hi, I need help", "external_id": "c-1"})).await;
    assert_eq!(s, 200, "{a}");
    let ticket = a["ticket_id"].as_i64().unwrap();
    // Without a conversation id, the customer's open ticket on this channel continues.
    let (s, b) = signed_inbound(
        &app,
        "chat-web",
        &secret,
        &json!({"from": {"handle": "u-77"}, "text": "Still there?", "external_id": "c-2"}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["ticket_id"].as_i64(), Some(ticket));
    let t = app.get_json(&format!("/api/v1/tickets/{ticket}")).await;
    let t = if t["ticket"].is_object() {
        t["ticket"].clone()
    } else {
        t
    };
    let customer = t["customer_id"].as_i64().unwrap();
    let c = app.get_json(&format!("/api/v1/customers/{customer}")).await;
    assert!(c.to_string().contains("chat-web:u-77"), "{c}");
    // The customer pages render for a customer without email.
    let browser = app.browser();
    crate::harness::login(&app, &browser, &app.agent_email, PASSWORD).await;
    for path in [
        format!("/customers/{customer}"),
        format!("/tickets/{ticket}"),
    ] {
        let r = browser.get(app.at(&path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    app.drain_outbox().await;
    // No acknowledgement was attempted (no system message).
    let msgs = messages(&app, ticket).await;
    assert!(
        msgs.iter().all(|m| m["author_kind"] != "system"),
        "{msgs:?}"
    );
});

crate::both_backends!(reply_retried_until_the_gateway_takes_it, |app| async move {
    let rx = Receiver::start().await;
    rx.answer(Reply::Status(503));
    let (secret, _) = generic_channel(&app, "sms-flaky", &rx.url).await;
    let (s, out) = signed_inbound(&app, "sms-flaky", &secret,
        &json!({"from": {"phone": "+15550001234"}, "text": "Hello", "external_id": "x-1", "thread_id": "t-1"})).await;
    assert_eq!(s, 200, "{out}");
    let ticket = out["ticket_id"].as_i64().unwrap();
    let reply_id = agent_reply(&app, ticket, "On it").await;
    rx.wait_for("the first attempt", BOUND, |got| !got.is_empty())
        .await;
    let m = wait_for_status(&app, ticket, reply_id, "queued").await;
    rx.answer(Reply::Ok);
    // The retry waits its backoff on the app's clock.
    let until = Instant::now() + BOUND;
    while rx.got().len() < 2 {
        assert!(Instant::now() < until, "no retry: {m}");
        app.clock.advance_ms(5_000);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_for_status(&app, ticket, reply_id, "sent").await;
    app.drain_outbox().await;
    let got = rx.got();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].delivery, got[1].delivery);
    assert_eq!(got[1].json()["thread_id"], "t-1");
});

// ---------------------------------------------------------------------------------------------
// Twilio

/// A request the fake got: its path, its `Authorization` header and its form fields.
type TwilioRequest = (String, String, Vec<(String, String)>);

#[derive(Default)]
struct FakeTwilio {
    got: Mutex<Vec<TwilioRequest>>,
}

async fn fake_messages(
    State(inner): State<Arc<FakeTwilio>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> impl axum::response::IntoResponse {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    inner
        .got
        .lock()
        .unwrap()
        .push((uri.path().to_string(), auth, form));
    (
        axum::http::StatusCode::CREATED,
        [("content-type", "application/json")],
        json!({"account_sid": "AC0001", "body": "x".repeat(1500), "status": "queued", "sid": "SM0042"}).to_string(),
    )
}

/// Twilio's signature computed here: base64 HMAC-SHA1 over the URL and the sorted fields.
fn twilio_sign(token: &str, url: &str, params: &[(&str, &str)]) -> String {
    use hmac::{Hmac, Mac};
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut data = url.to_string();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

crate::both_backends!(twilio_both_ways, |app| async move {
    let fake = Arc::new(FakeTwilio::default());
    let router = axum::Router::new()
        .route(
            "/2010-04-01/Accounts/{sid}/Messages.json",
            axum::routing::post(fake_messages),
        )
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let token = "twilio-auth-token-123";
    let (s, v) = app
        .send(
            "POST",
            "/api/v1/channels",
            &app.admin_token,
            json!({"slug": "tw", "name": "Twilio SMS", "kind": "sms",
            "adapter": "twilio", "twilio_account_sid": "AC0001", "twilio_auth_token": token,
            "twilio_from": "+15550009999", "twilio_api_base": base, "allow_private": true}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["channel"]["inbound_path"], "/api/v1/channels/tw/twilio");
    assert_eq!(v["channel"]["twilio_auth_token_hint"], "…-123");
    assert!(!v.to_string().contains(token), "{v}");

    let url = app.at("/api/v1/channels/tw/twilio");
    let params = [
        ("From", "+15551234567"),
        ("To", "+15550009999"),
        ("Body", "Is my order on its way?"),
        ("MessageSid", "SMin0001"),
        ("AccountSid", "AC0001"),
        ("NumMedia", "1"),
        (
            "MediaUrl0",
            "https://api.twilio.com/2010-04-01/Accounts/AC0001/Messages/SMin0001/Media/ME1",
        ),
        ("MediaContentType0", "image/jpeg"),
    ];
    let post = |sig: String| {
        app.api()
            .post(&url)
            .header("x-twilio-signature", sig)
            .form(&params)
            .send()
    };
    let r = post(twilio_sign(token, &url, &params)).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml")
    );
    assert!(r.text().await.unwrap().contains("<Response/>"));
    // Twilio retrying the same message: still one message.
    let r = post(twilio_sign(token, &url, &params)).await.unwrap();
    assert_eq!(r.status(), 200);
    let r = post(twilio_sign("not-the-token", &url, &params))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let (s, list) = app
        .send(
            "GET",
            "/api/v1/tickets?queue=all",
            &app.agent_token,
            Value::Null,
        )
        .await;
    assert_eq!(s, 200, "{list}");
    let items = list["items"]
        .as_array()
        .or_else(|| list["tickets"].as_array())
        .unwrap()
        .clone();
    let t = items
        .iter()
        .find(|t| t["channel"] == "sms")
        .unwrap_or_else(|| panic!("{list}"));
    let ticket = t["id"].as_i64().unwrap();
    let msgs = messages(&app, ticket).await;
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    let text = msgs[0]["body_text"].as_str().unwrap();
    assert!(
        text.contains("Is my order on its way?") && text.contains("Media/ME1"),
        "{text}"
    );

    let reply_id = agent_reply(&app, ticket, "Yes, it arrives Friday").await;
    let m = wait_for_status(&app, ticket, reply_id, "sent").await;
    assert_eq!(m["external_id"], "SM0042");
    let got = fake.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let (path, auth, form) = &got[0];
    assert_eq!(path, "/2010-04-01/Accounts/AC0001/Messages.json");
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("AC0001:{token}"))
    );
    assert_eq!(auth, &expected);
    let field = |n: &str| form.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    assert_eq!(field("To"), Some("+15551234567"));
    assert_eq!(field("From"), Some("+15550009999"));
    assert_eq!(field("Body"), Some("Yes, it arrives Friday"));
    server.abort();
});

// ---------------------------------------------------------------------------------------------
// The SQLite migration

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_channel_check_widens_and_keeps_everything() {
    let url = crate::harness::fresh_database(Backend::Sqlite)
        .await
        .unwrap();
    let db = casebook::db::Db::connect_with(&url, Duration::from_secs(5))
        .await
        .unwrap();
    db.migrate_through(35).await.unwrap();
    let schema = |db: casebook::db::Db| async move {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = 'ticket' ORDER BY type, name",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap();
        rows
    };
    let before = schema(db.clone()).await;
    assert!(before.iter().any(|(t, _)| t == "trigger"), "{before:?}");
    sqlx::query(
        "INSERT INTO customer (customer_id, name, created_at, updated_at) VALUES (1, 'Ana', 0, 0)",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO ticket (ticket_id, subject, status, priority, channel, customer_id, created_at, updated_at)
                 VALUES (7, 'Old', 'open', 'normal', 'email', 1, 0, 0)")
        .execute(&db.pool)
        .await
        .unwrap();
    let refused = sqlx::query("INSERT INTO ticket (subject, status, priority, channel, customer_id, created_at, updated_at)
                 VALUES ('New', 'open', 'normal', 'sms', 1, 0, 0)")
        .execute(&db.pool)
        .await;
    assert!(refused.is_err());
    db.migrate().await.unwrap();
    assert_eq!(schema(db.clone()).await, before);
    let old: (String, String) =
        sqlx::query_as("SELECT subject, channel FROM ticket WHERE ticket_id = 7")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(old, ("Old".to_string(), "email".to_string()));
    // Every connection of the pool sees the wider CHECK; anything else is still refused.
    for channel in ["sms", "chat", "social"] {
        sqlx::query("INSERT INTO ticket (subject, status, priority, channel, customer_id, created_at, updated_at)
                     VALUES ('New', 'open', 'normal', $1, 1, 0, 0)")
            .bind(channel)
            .execute(&db.pool)
            .await
            .unwrap();
    }
    let refused = sqlx::query("INSERT INTO ticket (subject, status, priority, channel, customer_id, created_at, updated_at)
                 VALUES ('New', 'open', 'normal', 'fax', 1, 0, 0)")
        .execute(&db.pool)
        .await;
    assert!(refused.is_err());
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let fk = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert!(fk.is_empty());
}
