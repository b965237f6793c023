//! CRM events through the API: idempotent batches, all-or-nothing validation, currencies kept
//! apart, churn reasons on the customer profile, event pagination.

use crate::both_backends;
use crate::harness::TestApp;
use serde_json::{Value, json};

async fn post(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let r = app
        .api()
        .post(app.at(path))
        .bearer_auth(&app.agent_token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

async fn count_events(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM crm_event")
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

fn order(i: usize, email: &str) -> Value {
    json!({"customer_email": email, "kind": "order", "occurred_at": format!("2024-05-{:02}T10:00:00Z", i % 28 + 1),
        "source": "shop", "external_id": format!("o-{i}"), "amount": "10.00", "currency": "EUR",
        "attributes": {"items": ["mug"]}})
}

both_backends!(same_batch_twice_makes_no_duplicates, |app| async move {
    let batch =
        json!({"events": (0..20).map(|i| order(i, "buyer@example.com")).collect::<Vec<_>>()});
    let (s, first) = post(&app, "/api/v1/crm/events", &batch).await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(first, json!({"created": 20, "updated": 0}));
    let (s, second) = post(&app, "/api/v1/crm/events", &batch).await;
    assert_eq!(s, 200, "{second}");
    assert_eq!(second, json!({"created": 0, "updated": 20}));
    assert_eq!(count_events(&app).await, 20);
    // One customer was created for the address, and an update changes the stored event.
    let customers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customer")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(customers, 1);
    let mut changed = order(0, "buyer@example.com");
    changed["amount"] = json!("12.50");
    let (s, one) = post(&app, "/api/v1/crm/events", &changed).await;
    assert_eq!((s, one), (200, json!({"created": 0, "updated": 1})));
    let amount: i64 =
        sqlx::query_scalar("SELECT amount_minor FROM crm_event WHERE external_id = 'o-0'")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
    assert_eq!(amount, 1250);
});

both_backends!(a_bad_row_rejects_the_whole_batch, |app| async move {
    for (field, value, at) in [
        ("occurred_at", json!("31/12/2024"), 3),
        ("amount", json!("ten"), 7),
        ("currency", json!("EU"), 0),
        ("kind", json!("refund"), 19),
    ] {
        let mut events: Vec<Value> = (0..20).map(|i| order(i, "bad@example.com")).collect();
        events[at][field] = value;
        let (s, e) = post(&app, "/api/v1/crm/events", &json!({"events": events})).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["error"]["field"], format!("events[{at}].{field}"));
    }
    // An unknown customer id is found inside the transaction; earlier rows are rolled back.
    let mut events: Vec<Value> = (0..5).map(|i| order(i, "bad@example.com")).collect();
    let obj = events[4].as_object_mut().unwrap();
    obj.remove("customer_email");
    obj.insert("customer_id".into(), json!(987654));
    let (s, e) = post(&app, "/api/v1/crm/events", &json!({"events": events})).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "events[4].customer_id");
    // Amount without currency names the currency; a single event names the bare field.
    let mut single = order(0, "bad@example.com");
    single.as_object_mut().unwrap().remove("currency");
    let (s, e) = post(&app, "/api/v1/crm/events", &single).await;
    assert_eq!((s, e["error"]["field"].clone()), (422, json!("currency")));
    assert_eq!(count_events(&app).await, 0);
    let customers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customer")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(customers, 0, "nothing half-stored, not even the customer");
});

both_backends!(mixed_currencies_and_churn_on_profile, |app| async move {
    let t = app
        .create_ticket("risky@example.com", "Broken", "It broke")
        .await;
    let cid = t["customer_id"].as_i64().unwrap();
    let now = chrono::Utc::now();
    let ago = |d: i64| (now - chrono::Duration::days(d)).to_rfc3339();
    let events = json!({"events": [
        {"kind": "signup", "occurred_at": ago(400), "source": "app", "external_id": "s-1"},
        {"kind": "campaign_touch", "occurred_at": ago(410), "source": "ads", "external_id": "c-1",
            "attributes": {"utm_source": "newsletter", "campaign": "spring"}},
        {"kind": "order", "occurred_at": ago(300), "source": "shop", "external_id": "o-1", "amount": "19.99", "currency": "EUR"},
        {"kind": "order", "occurred_at": ago(200), "source": "shop", "external_id": "o-2", "amount": 5, "currency": "usd"},
        {"kind": "purchase", "occurred_at": ago(100), "source": "shop", "external_id": "o-3", "amount": "0.01", "currency": "EUR"},
        {"kind": "subscription", "occurred_at": ago(30), "source": "billing", "external_id": "b-1",
            "amount": "49", "currency": "EUR", "attributes": {"plan": "pro", "mrr": "49.00", "status": "downgraded"}},
        {"kind": "subscription", "occurred_at": ago(2), "source": "billing", "external_id": "b-2",
            "attributes": {"plan": "pro", "status": "cancelled"}},
        {"kind": "csat", "occurred_at": ago(1), "source": "survey", "external_id": "q-1", "attributes": {"score": 1}}
    ]});
    let (s, r) = post(&app, &format!("/api/v1/customers/{cid}/events"), &events).await;
    assert_eq!((s, r), (200, json!({"created": 8, "updated": 0})));
    let c = app.get_json(&format!("/api/v1/customers/{cid}")).await;
    let p = &c["profile"];
    assert_eq!(p["lifetime_value"], json!({"EUR": "20.00", "USD": "5.00"}));
    assert_eq!(p["plan"], "pro");
    assert_eq!(p["subscription_status"], "cancelled");
    assert_eq!(p["acquisition"]["source"], "newsletter");
    assert_eq!(p["acquisition"]["campaign"], "spring");
    assert_eq!(p["last_csat"], 1);
    assert_eq!(p["open_tickets"], 1);
    assert_eq!(p["total_tickets"], 1);
    assert_eq!(
        p["customer_since"].as_i64().unwrap(),
        chrono::DateTime::parse_from_rfc3339(&ago(400))
            .unwrap()
            .timestamp_millis()
    );
    let codes: Vec<&str> = p["churn_risk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["subscription_cancelled", "downgraded_recently", "bad_csat"]
    );
    assert!(
        p["churn_risk"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["text"].as_str().is_some_and(|t| !t.is_empty()))
    );
    // The path names the customer; the body may not name another.
    let (s, e) = post(
        &app,
        &format!("/api/v1/customers/{cid}/events"),
        &json!({"kind": "note", "occurred_at": ago(0), "source": "x", "external_id": "1", "customer_id": 1}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["field"].clone()),
        (422, json!("customer_id"))
    );
    let r = app
        .api()
        .get(app.at("/api/v1/customers/999999/events"))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
});

both_backends!(events_paginate_newest_first, |app| async move {
    let events: Vec<Value> = (0..25)
        .map(|i| {
            json!({"customer_email": "pages@example.com", "kind": if i % 5 == 0 { "note" } else { "call" },
                // Pairs share a time, so the id breaks ties.
                "occurred_at": format!("2024-06-{:02}T09:00:00Z", i / 2 + 1),
                "source": "crm", "external_id": format!("e-{i}")})
        })
        .collect();
    let (s, r) = post(&app, "/api/v1/crm/events", &json!({"events": events})).await;
    assert_eq!(s, 200, "{r}");
    let cid: i64 = sqlx::query_scalar(
        "SELECT customer_id FROM customer_identity WHERE value = 'pages@example.com'",
    )
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    let mut seen: Vec<(i64, i64)> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path = format!("/api/v1/customers/{cid}/events?limit=10");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = app.get_json(&path).await;
        pages += 1;
        for e in page["items"].as_array().unwrap() {
            seen.push((
                e["occurred_at"].as_i64().unwrap(),
                e["id"].as_i64().unwrap(),
            ));
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 25);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(seen, sorted, "newest first, each once");
    let notes = app
        .get_json(&format!("/api/v1/customers/{cid}/events?kind=note"))
        .await;
    let notes = notes["items"].as_array().unwrap();
    assert_eq!(notes.len(), 5);
    assert!(notes.iter().all(|e| e["kind"] == "note"));
    let bad = app
        .api()
        .get(app.at(&format!("/api/v1/customers/{cid}/events?kind=refund")))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
});

both_backends!(odd_values_never_cause_a_server_error, |app| async move {
    let odd = [
        json!(null),
        json!(""),
        json!("\u{0}"),
        json!("x\u{0}y"),
        json!(-1),
        json!(0),
        json!(1.5),
        json!(1e300),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(true),
        json!([]),
        json!({}),
        json!({"a": "\u{0}"}),
        json!("9999-12-31T23:59:59Z"),
        json!("0000-01-01T00:00:00Z"),
        json!("x".repeat(5000)),
        json!("한국어 العربية"),
    ];
    let fields = [
        "customer_id",
        "customer_email",
        "customer_name",
        "kind",
        "occurred_at",
        "source",
        "external_id",
        "amount",
        "currency",
        "attributes",
    ];
    for (n, field) in fields.iter().enumerate() {
        for (m, value) in odd.iter().enumerate() {
            let mut event = order(n * 100 + m, "odd@example.com");
            if *field == "customer_id" {
                event.as_object_mut().unwrap().remove("customer_email");
            }
            event[*field] = value.clone();
            let (s, body) = post(&app, "/api/v1/crm/events", &event).await;
            assert!(
                s == 200 || s == 400 || s == 422,
                "{field} = {value}: {s} {body}"
            );
            if s != 200 {
                assert!(body["error"]["code"].is_string(), "{body}");
            }
        }
    }
    // The largest batch is accepted; one more is refused with the field named.
    let full: Vec<Value> = (0..1000)
        .map(|i| order(10_000 + i, "bulk@example.com"))
        .collect();
    let (s, r) = post(&app, "/api/v1/crm/events", &json!({"events": full})).await;
    assert_eq!((s, r), (200, json!({"created": 1000, "updated": 0})));
    let over: Vec<Value> = (0..1001)
        .map(|i| order(20_000 + i, "bulk@example.com"))
        .collect();
    let (s, e) = post(&app, "/api/v1/crm/events", &json!({"events": over})).await;
    assert_eq!((s, e["error"]["field"].clone()), (422, json!("events")));
});

/// An event post larger than the batch limit (4 MiB) is a 413 before any of it is parsed, even
/// where file uploads may be larger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_event_posts_are_413() {
    let Some(app) = crate::harness::TestApp::spawn_with(
        crate::harness::Backend::Sqlite,
        crate::harness::Options {
            max_body_bytes: 26 * 1024 * 1024,
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    let events: Vec<serde_json::Value> = (0..1000)
        .map(|i| {
            serde_json::json!({"customer_email": "big@example.com", "kind": "order",
                "occurred_at": "2026-01-01T00:00:00Z", "source": "shop", "external_id": format!("o{i}"),
                "attributes": {"note": "x".repeat(5000)}})
        })
        .collect();
    let r = app
        .api()
        .post(app.at("/api/v1/crm/events"))
        .bearer_auth(&app.admin_token)
        .json(&serde_json::json!({ "events": events }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large", "{body}");
}
