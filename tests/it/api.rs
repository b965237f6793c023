//! The JSON API: create, read, update, messages, pagination, idempotency, the state machine.

use crate::both_backends;
use serde_json::{Value, json};

both_backends!(ticket_lifecycle_through_api, |app| async move {
    let api = app.api();
    let t = app
        .create_ticket("api@example.com", "Billing question", "Why was I charged?")
        .await;
    let id = t["id"].as_i64().unwrap();
    assert_eq!(t["status"], "new");
    assert_eq!(t["priority"], "normal");
    assert_eq!(t["channel"], "api");

    // Allowed: new → open → pending → solved → open (reopen) → solved → closed.
    for status in ["open", "pending", "solved", "open", "solved", "closed"] {
        let r = api
            .patch(app.at(&format!("/api/v1/tickets/{id}")))
            .bearer_auth(&app.agent_token)
            .json(&json!({"status": status}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "→ {status}: {}", r.text().await.unwrap());
    }
    // Not allowed: closed is final.
    let r = api
        .patch(app.at(&format!("/api/v1/tickets/{id}")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"status": "open"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "status");

    let full: Value = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    let changes: Vec<(String, String)> = full["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "status")
        .map(|e| {
            (
                e["old_value"].as_str().unwrap().to_string(),
                e["new_value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        changes.len(),
        6,
        "every change is in the audit log: {changes:?}"
    );
    assert_eq!(changes[3], ("solved".into(), "open".into()));
    assert!(full["ticket"]["closed_at"].is_i64());
});

both_backends!(priority_assignee_and_messages, |app| async move {
    let api = app.api();
    let id = app
        .create_ticket("p@example.com", "Slow", "It is slow")
        .await["id"]
        .as_i64()
        .unwrap();
    let agents: Value = api
        .get(app.at("/api/v1/agents"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let gus = agents["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Gus Agent")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = api
        .patch(app.at(&format!("/api/v1/tickets/{id}")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"priority": "urgent", "assignee_id": gus}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let t: Value = r.json().await.unwrap();
    assert_eq!(t["ticket"]["priority"], "urgent");
    assert_eq!(t["ticket"]["assignee_name"], "Gus Agent");
    // null unassigns; absent leaves alone.
    let t: Value = api
        .patch(app.at(&format!("/api/v1/tickets/{id}")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"assignee_id": null}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(t["ticket"]["assignee_id"].is_null());
    let r = api
        .patch(app.at(&format!("/api/v1/tickets/{id}")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"assignee_id": 999999}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    let r = api
        .post(app.at(&format!("/api/v1/tickets/{id}/messages")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"body": "Looking", "visibility": "internal"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = api
        .post(app.at(&format!("/api/v1/tickets/{id}/messages")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"body": "Fixed it"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let m: Value = r.json().await.unwrap();
    assert_eq!(m["message"]["visibility"], "public");
    let msgs: Value = app
        .get_json(&format!("/api/v1/tickets/{id}/messages"))
        .await;
    assert_eq!(msgs["items"].as_array().unwrap().len(), 3);
    let t: Value = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(
        t["ticket"]["status"], "open",
        "a public reply opens a new ticket"
    );

    let cust = t["ticket"]["customer_id"].as_i64().unwrap();
    let c: Value = app.get_json(&format!("/api/v1/customers/{cust}")).await;
    assert_eq!(c["customer"]["emails"][0], "p@example.com");
    assert_eq!(c["customer"]["total_tickets"], 1);
});

both_backends!(
    cursor_pagination_visits_every_ticket_once,
    |app| async move {
        for i in 0..23 {
            app.create_ticket(
                &format!("page{}@example.com", i % 4),
                &format!("Ticket {i}"),
                "x",
            )
            .await;
        }
        let api = app.api();
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = app.at("/api/v1/tickets?limit=10");
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={c}"));
            }
            let page: Value = api
                .get(url)
                .bearer_auth(&app.agent_token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            for t in page["items"].as_array().unwrap() {
                seen.push(t["id"].as_i64().unwrap());
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 23);
        let mut sorted = seen.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        sorted.dedup();
        assert_eq!(sorted, seen, "newest first, no repeats");
        let q: Value = app
            .get_json("/api/v1/tickets?queue=unassigned&status=new&limit=200")
            .await;
        assert_eq!(q["items"].as_array().unwrap().len(), 23);
    }
);

both_backends!(idempotency_key_makes_one_ticket, |app| async move {
    let api = app.api();
    let body =
        json!({"customer": {"email": "idem@example.com"}, "subject": "Once", "body": "only once"});
    let mut ids = Vec::new();
    // Sequential retries and a concurrent burst with the same key.
    let first = api
        .post(app.at("/api/v1/tickets"))
        .bearer_auth(&app.agent_token)
        .header("Idempotency-Key", "k-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let burst = (0..6).map(|_| {
        api.post(app.at("/api/v1/tickets"))
            .bearer_auth(&app.agent_token)
            .header("Idempotency-Key", "k-2")
            .json(&body)
            .send()
    });
    for r in futures_join(burst).await {
        let r = r.unwrap();
        assert!(r.status() == 201 || r.status() == 200, "{}", r.status());
        let v: Value = r.json().await.unwrap();
        ids.push(v["ticket"]["id"].as_i64().unwrap());
    }
    let again = api
        .post(app.at("/api/v1/tickets"))
        .bearer_auth(&app.agent_token)
        .header("Idempotency-Key", "k-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let v: Value = again.json().await.unwrap();
    assert_eq!(v["duplicate"], true);
    ids.dedup();
    assert_eq!(ids.len(), 1, "one ticket for the burst");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(n, 2);
    // The same key from another caller is a different submission.
    let other = api
        .post(app.at("/api/v1/tickets"))
        .bearer_auth(&app.admin_token)
        .header("Idempotency-Key", "k-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 201);
});

async fn futures_join<F>(futs: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

both_backends!(health_and_metrics, |app| async move {
    let r = reqwest::get(app.at("/healthz")).await.unwrap();
    assert_eq!(r.status(), 200);
    app.create_ticket("m@example.com", "Metrics", "count me")
        .await;
    let m = reqwest::get(app.at("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        m.contains("casebook_tickets_created_total{channel=\"api\"} 1"),
        "{m}"
    );
    assert!(m.contains("casebook_http_request_duration_seconds_count"));
    assert!(m.contains("casebook_outbox_depth"));
});
