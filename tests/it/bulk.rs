//! Bulk changes on every list: through the API and the queue's bar (confirmation, result), each
//! ticket changed through its commands; a ticket someone else changed after it was seen is
//! reported, not overwritten.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp, csrf_from, login};
use serde_json::{Value, json};

async fn post(app: &TestApp, body: Value) -> (u16, Value) {
    let r = app
        .api()
        .post(app.at("/api/v1/tickets/bulk"))
        .bearer_auth(&app.agent_token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn ticket(app: &TestApp, id: i64) -> Value {
    app.get_json(&format!("/api/v1/tickets/{id}")).await
}

async fn three(app: &TestApp) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for i in 0..3 {
        let t = app
            .create_ticket(&format!("b{i}@example.com"), &format!("Bulk {i}"), "Hello")
            .await;
        let id = t["id"].as_i64().unwrap();
        let version = ticket(app, id).await["ticket"]["version"].as_i64().unwrap();
        out.push((id, version));
    }
    out
}

both_backends!(bulk_through_the_api, |app| async move {
    let t = three(&app).await;
    let (a, b, c) = (t[0], t[1], t[2]);
    // Someone else changes b after the caller saw it.
    let r = app
        .api()
        .patch(app.at(&format!("/api/v1/tickets/{}", b.0)))
        .bearer_auth(&app.admin_token)
        .json(&json!({"priority": "low"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (s, out) = post(
        &app,
        json!({
            "tickets": [
                {"id": a.0, "version": a.1},
                {"id": b.0, "version": b.1},
                {"id": c.0},
                {"id": 987654}
            ],
            "changes": {"status": "pending", "add_tags": ["Batch"]}
        }),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    assert_eq!(out["changed"], json!([a.0, c.0]));
    assert_eq!(out["stale"][0]["id"], b.0);
    assert!(out["stale"][0]["current_version"].as_i64().unwrap() > b.1);
    assert_eq!(out["failed"][0]["id"], 987654);
    for id in [a.0, c.0] {
        let t = ticket(&app, id).await;
        assert_eq!(t["ticket"]["status"], "pending");
        assert_eq!(t["tags"], json!(["batch"]));
    }
    let t = ticket(&app, b.0).await;
    assert_eq!(
        t["ticket"]["status"], "new",
        "the stale ticket was left alone"
    );
    assert_eq!(t["tags"], json!([]));

    // Every ticket of a list.
    let (s, out) = post(
        &app,
        json!({"filter": {"queue": "all", "tag": "batch"}, "changes": {"priority": "high", "assignee_id": null}}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    let mut changed: Vec<i64> = serde_json::from_value(out["changed"].clone()).unwrap();
    changed.sort();
    assert_eq!(changed, vec![a.0, c.0]);
    assert_eq!(ticket(&app, a.0).await["ticket"]["priority"], "high");

    // A status a ticket cannot move to is reported for that ticket.
    let (s, out) = post(
        &app,
        json!({"tickets": [{"id": a.0}], "changes": {"status": "closed"}}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    let (s, out) = post(
        &app,
        json!({"tickets": [{"id": a.0}], "changes": {"status": "new"}}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    assert_eq!(out["failed"][0]["id"], a.0, "{out}");

    // Bad input names the field and changes nothing.
    for (body, field) in [
        (
            json!({"tickets": [{"id": a.0}], "changes": {"assignee_id": 424242}}),
            "assignee_id",
        ),
        (json!({"tickets": [{"id": a.0}], "changes": {}}), "changes"),
        (json!({"tickets": [{"id": a.0}]}), "changes"),
        (json!({"changes": {"priority": "low"}}), "tickets"),
        (
            json!({"tickets": [], "changes": {"priority": "low"}}),
            "tickets",
        ),
        (
            json!({"filter": {"queue": "nope"}, "changes": {"priority": "low"}}),
            "filter.queue",
        ),
        (
            json!({"tickets": [{"id": a.0}], "changes": {"priority": "highest"}}),
            "priority",
        ),
        (
            json!({"tickets": [{"id": a.0}], "changes": {"add_tags": ["x".repeat(51)]}}),
            "add_tags",
        ),
        (
            json!({"tickets": [{"id": a.0}], "changes": {"team_id": 424242}}),
            "team_id",
        ),
    ] {
        let (s, e) = post(&app, body.clone()).await;
        assert_eq!(s, 422, "{body} → {e}");
        assert_eq!(e["error"]["field"], field, "{body} → {e}");
    }
    assert_eq!(ticket(&app, b.0).await["ticket"]["priority"], "low");

    // A team for several tickets at once.
    let team = app.create_team(json!({"name": "Returns"})).await;
    let (s, out) = post(
        &app,
        json!({"tickets": [{"id": a.0}, {"id": c.0}], "changes": {"team_id": team}}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    for id in [a.0, c.0] {
        assert_eq!(ticket(&app, id).await["ticket"]["team_id"], team);
    }

    // A macro applied in bulk: its actions and note on each ticket (its reply text is not sent).
    let r = app
        .api()
        .post(app.at("/api/v1/macros"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"title": "Handled", "body": "Thanks!", "actions": {"add_tags": ["handled"], "note": "Handled in bulk"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let mid = r.json::<Value>().await.unwrap()["saved_reply"]["id"]
        .as_i64()
        .unwrap();
    let b_now = ticket(&app, b.0).await["ticket"]["version"]
        .as_i64()
        .unwrap();
    let (s, out) = post(
        &app,
        json!({"tickets": [{"id": b.0, "version": b_now}, {"id": c.0, "version": 1}], "changes": {"macro_id": mid, "priority": "normal"}}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    assert_eq!(out["changed"], json!([b.0]), "{out}");
    assert_eq!(out["stale"][0]["id"], c.0);
    let t = ticket(&app, b.0).await;
    assert_eq!(t["tags"], json!(["handled"]));
    assert_eq!(t["ticket"]["priority"], "normal");
    let last = t["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["visibility"].as_str(), last["body_text"].as_str()),
        (Some("internal"), Some("Handled in bulk"))
    );
    assert!(
        t["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["body_text"] != "Thanks!")
    );
    assert_eq!(
        ticket(&app, c.0).await["tags"],
        json!(["batch"]),
        "the stale one was left alone"
    );
    let (s, e) = post(
        &app,
        json!({"tickets": [{"id": b.0}], "changes": {"macro_id": 424242}}),
    )
    .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("macro_id")));
});

both_backends!(bulk_from_the_queue, |app| async move {
    let t = three(&app).await;
    let (a, b, c) = (t[0], t[1], t[2]);
    let browser = app.browser();
    assert!(
        login(&app, &browser, &app.agent_email, PASSWORD)
            .await
            .is_redirection()
    );
    let (csrf, html) = csrf_from(&browser, &app.at("/tickets?queue=all")).await;
    assert!(
        html.contains(&format!("value=\"{}:{}\" form=\"bulk\"", a.0, a.1)),
        "rows carry the version seen"
    );
    // b changes after the queue was drawn.
    let r = app
        .api()
        .patch(app.at(&format!("/api/v1/tickets/{}", b.0)))
        .bearer_auth(&app.admin_token)
        .json(&json!({"priority": "low"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let selected = [
        ("csrf", csrf.clone()),
        ("back", "/tickets?queue=all".to_string()),
        ("queue", "all".into()),
        ("scope", "selected".into()),
        ("ticket_id", format!("{}:{}", a.0, a.1)),
        ("ticket_id", format!("{}:{}", b.0, b.1)),
        ("status", "solved".into()),
        ("add_tags", "done, 완료".into()),
    ];
    // First the confirmation, with the count; nothing changes yet.
    let r = browser
        .post(app.at("/tickets/bulk"))
        .form(&selected)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Change 2 tickets?"), "{html}");
    assert!(html.contains("status → solved, add tags done, 완료"));
    assert_eq!(ticket(&app, a.0).await["ticket"]["status"], "new");
    // Confirmed: a changes, b is reported.
    let mut confirmed = selected.to_vec();
    confirmed.push(("confirm", "1".into()));
    let r = browser
        .post(app.at("/tickets/bulk"))
        .form(&confirmed)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Changed 1 ticket"), "{html}");
    assert!(html.contains("changed by someone else"), "{html}");
    assert!(html.contains(&format!("href=\"/tickets/{}\"", b.0)));
    assert_eq!(ticket(&app, a.0).await["ticket"]["status"], "solved");
    assert_eq!(ticket(&app, a.0).await["tags"], json!(["done", "완료"]));
    assert_eq!(ticket(&app, b.0).await["ticket"]["status"], "new");

    // Every ticket in a list: the count is the list's.
    let all = [
        ("csrf", csrf.clone()),
        ("queue", "open".to_string()),
        ("scope", "all".into()),
        ("priority", "urgent".into()),
    ];
    let r = browser
        .post(app.at("/tickets/bulk"))
        .form(&all)
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Change 2 tickets?"),
        "b and c are open: {html}"
    );
    let mut all = all.to_vec();
    all.push(("confirm", "1".into()));
    let r = browser
        .post(app.at("/tickets/bulk"))
        .form(&all)
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Changed 2 tickets"));
    assert_eq!(ticket(&app, c.0).await["ticket"]["priority"], "urgent");

    // Nothing selected, or no change: 422 with the reason; without the token: 403.
    let r = browser
        .post(app.at("/tickets/bulk"))
        .form(&[("csrf", csrf.as_str()), ("status", "open")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("select at least one ticket")
    );
    let r = browser
        .post(app.at("/tickets/bulk"))
        .form(&[("csrf", csrf.as_str()), ("ticket_id", &c.0.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = browser
        .post(app.at("/tickets/bulk"))
        .form(&[
            ("ticket_id", c.0.to_string()),
            ("status", "open".into()),
            ("confirm", "1".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
});

/// Creates `n` tickets through the API, ten at a time; their ids.
async fn many(app: &TestApp, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    let all: Vec<usize> = (0..n).collect();
    for batch in all.chunks(10) {
        let made = futures_util::future::join_all(batch.iter().map(|i| async move {
            let (email, subject) = (format!("many{i}@example.com"), format!("Many {i}"));
            app.create_ticket(&email, &subject, "Hello").await
        }))
        .await;
        ids.extend(made.iter().map(|t| t["id"].as_i64().unwrap()));
    }
    ids
}

/// Waits (bounded) until a background bulk change is finished; its last state.
async fn finished(app: &TestApp, url: &str) -> Value {
    for _ in 0..600 {
        let run = app.get_json(url).await["bulk_run"].clone();
        if run["finished"] == true {
            return run;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("bulk change {url} did not finish");
}

both_backends!(large_bulk_changes_run_in_the_background, |app| async move {
    let ids = many(&app, 230).await;
    let r = app
        .api()
        .post(app.at("/api/v1/macros"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"title": "Triage", "body": "", "actions": {"add_tags": ["triaged"], "note": "Triaged in bulk"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let mid = r.json::<Value>().await.unwrap()["saved_reply"]["id"]
        .as_i64()
        .unwrap();
    app.drain_outbox().await;
    let mut seen = std::collections::HashMap::new();
    for id in &ids {
        seen.insert(
            *id,
            ticket(&app, *id).await["ticket"]["version"]
                .as_i64()
                .unwrap(),
        );
    }
    // One of them changes after the agent saw it.
    let stale = ids[117];
    let r = app
        .api()
        .patch(app.at(&format!("/api/v1/tickets/{stale}")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"priority": "low"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut targets: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "version": seen[id]}))
        .collect();
    targets.push(json!({"id": 987654}));
    let r = app
        .api()
        .post(app.at("/api/v1/tickets/bulk"))
        .bearer_auth(&app.agent_token)
        .json(&json!({"tickets": targets, "changes": {"status": "pending", "macro_id": mid}}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        202,
        "more than one request's worth runs in the background"
    );
    let url = r.headers()["location"].to_str().unwrap().to_string();
    let started: Value = r.json().await.unwrap();
    assert_eq!(started["bulk_run"]["total"], 231);
    assert_eq!(started["status_url"], url.as_str());
    let run = finished(&app, &url).await;
    assert_eq!(run["done"], 231, "{run}");
    assert_eq!(run["changed"].as_array().unwrap().len(), 229, "{run}");
    assert_eq!(run["stale"][0]["id"], stale, "{run}");
    assert_eq!(run["failed"][0]["id"], 987654, "{run}");
    // Each ticket changed once: the fields and the macro as one change, never twice.
    for id in [ids[0], ids[49], ids[50], ids[229]] {
        let t = ticket(&app, id).await;
        assert_eq!(t["ticket"]["status"], "pending");
        assert_eq!(t["ticket"]["version"], seen[&id] + 1, "{t}");
        assert_eq!(t["tags"], json!(["triaged"]));
        let notes = t["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["body_text"] == "Triaged in bulk")
            .count();
        assert_eq!(notes, 1);
    }
    assert_eq!(ticket(&app, stale).await["tags"], json!([]));
    let m = app.get_json(&format!("/api/v1/macros/{mid}")).await;
    assert_eq!(m["saved_reply"]["uses"], 229);
    // Only the agent who started it (and admins) see it.
    let other = app
        .api()
        .get(app.at(&url))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);

    // From the queue's bar: "every ticket in this list" over 200 tickets shows the progress.
    let browser = app.browser();
    assert!(
        login(&app, &browser, &app.agent_email, PASSWORD)
            .await
            .is_redirection()
    );
    let (csrf, _) = csrf_from(&browser, &app.at("/tickets?queue=pending")).await;
    let fields = [
        ("csrf", csrf.as_str()),
        ("back", "/tickets?queue=pending"),
        ("queue", "pending"),
        ("scope", "all"),
        ("priority", "urgent"),
        ("confirm", "1"),
    ];
    let r = browser
        .post(app.at("/tickets/bulk"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = r.headers()["location"].to_str().unwrap().to_string();
    assert!(page.starts_with("/tickets/bulk/"), "{page}");
    let mut last = String::new();
    for _ in 0..600 {
        let r = browser.get(app.at(&page)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let refreshing = r.headers().contains_key("refresh");
        last = r.text().await.unwrap();
        if !refreshing {
            break;
        }
        assert!(last.contains("<progress"), "{last}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(last.contains("Changed 229 tickets"), "{last}");
    assert_eq!(ticket(&app, ids[3]).await["ticket"]["priority"], "urgent");
    // Another agent's run is not found.
    let run_id = page.trim_start_matches("/tickets/bulk/");
    let r = app
        .api()
        .get(app.at(&format!("/api/v1/tickets/bulk/{run_id}")))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app
        .api()
        .get(app.at("/api/v1/tickets/bulk/999999"))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
});
