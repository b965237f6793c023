//! Saved views: a named list over the queue filters (status, priority, assignee, team, tag,
//! channel, time without change), an agent's own or shared, with counts in the sidebar.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp, csrf_from, login};
use serde_json::{Value, json};

async fn post(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    let r = app
        .api()
        .post(app.at("/api/v1/views"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn ids(v: &Value) -> Vec<i64> {
    let mut out: Vec<i64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    out.sort();
    out
}

both_backends!(saved_views_filter_count_and_share, |app| async move {
    let mut ids_made = Vec::new();
    for (i, (priority, tags)) in [
        ("urgent", json!(["billing"])),
        ("urgent", json!([])),
        ("low", json!(["billing"])),
    ]
    .into_iter()
    .enumerate()
    {
        let id = app
            .create_ticket(&format!("v{i}@example.com"), &format!("View {i}"), "x")
            .await["id"]
            .as_i64()
            .unwrap();
        let r = app
            .api()
            .patch(app.at(&format!("/api/v1/tickets/{id}")))
            .bearer_auth(&app.agent_token)
            .json(&json!({"priority": priority, "add_tags": tags}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        ids_made.push(id);
    }
    let (s, v) = post(
        &app,
        &app.agent_token,
        json!({"name": "Urgent billing", "filters": {"queue": "open", "priority": "urgent", "tag": "Billing", "channel": "api"}}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let vid = v["view"]["id"].as_i64().unwrap();
    let tickets = app.get_json(&format!("/api/v1/views/{vid}/tickets")).await;
    assert_eq!(ids(&tickets), vec![ids_made[0]]);
    let list = app.get_json("/api/v1/views").await;
    assert_eq!(list["items"][0]["count"], 1);
    assert_eq!(list["items"][0]["view"]["shared"], false);

    // Nobody changed them for an hour? Not yet.
    let (s, idle) = post(
        &app,
        &app.agent_token,
        json!({"name": "Waiting", "filters": {"idle_hours": 1}}),
    )
    .await;
    assert_eq!(s, 201);
    let tickets = app
        .get_json(&format!("/api/v1/views/{}/tickets", idle["view"]["id"]))
        .await;
    assert!(ids(&tickets).is_empty());
    app.clock.advance_ms(2 * 3_600_000);
    let tickets = app
        .get_json(&format!("/api/v1/views/{}/tickets", idle["view"]["id"]))
        .await;
    assert_eq!(ids(&tickets), ids_made);

    // Bad filters name the field; agents cannot share; a view is its owner's.
    for (filters, field) in [
        (json!({"priority": "asap"}), "filters.priority"),
        (json!({"queue": "later"}), "filters.queue"),
        (json!({"assignee": "9999"}), "filters.assignee"),
        (json!({"team_id": 9999}), "filters.team_id"),
        (json!({"idle_hours": 0}), "filters.idle_hours"),
    ] {
        let (s, e) = post(
            &app,
            &app.agent_token,
            json!({"name": "Bad", "filters": filters}),
        )
        .await;
        assert_eq!((s, e["error"]["field"].as_str()), (422, Some(field)), "{e}");
    }
    let (s, _) = post(
        &app,
        &app.agent_token,
        json!({"name": "Shared", "shared": true}),
    )
    .await;
    assert_eq!(s, 403);
    let (s, shared) = post(
        &app,
        &app.admin_token,
        json!({"name": "Everyone's urgent", "shared": true, "filters": {"priority": "urgent"}}),
    )
    .await;
    assert_eq!(s, 201);
    let r = app
        .api()
        .get(app.at(&format!("/api/v1/views/{vid}/tickets")))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "another agent's view is not visible");
    let names: Vec<String> = app.get_json("/api/v1/views").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["view"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        vec!["Everyone's urgent", "Urgent billing", "Waiting"]
    );

    // The queue page lists the views with counts and shows one.
    let browser = app.browser();
    assert!(
        login(&app, &browser, &app.agent_email, PASSWORD)
            .await
            .is_redirection()
    );
    let (csrf, html) = csrf_from(&browser, &app.at("/tickets?queue=open")).await;
    assert!(
        html.contains(&format!("href=\"/tickets?saved_view={vid}\"")),
        "{html}"
    );
    assert!(html.contains("Save as a view"));
    let page = browser
        .get(app.at(&format!("/tickets?saved_view={}", shared["view"]["id"])))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("id=\"ticket-{}\"", ids_made[0]))
            && page.contains(&format!("id=\"ticket-{}\"", ids_made[1]))
    );
    assert!(!page.contains(&format!("id=\"ticket-{}\"", ids_made[2])));
    // Saved from the queue page's form.
    let r = browser
        .post(app.at("/views"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Low ones"),
            ("queue", "all"),
            ("priority", "low"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let page = browser
        .get(app.at(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("id=\"ticket-{}\"", ids_made[2])),
        "{page}"
    );
    // Deleting one's own view.
    let r = app
        .api()
        .delete(app.at(&format!("/api/v1/views/{vid}")))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = app
        .api()
        .delete(app.at(&format!("/api/v1/views/{}", shared["view"]["id"])))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "agents do not delete shared views");
});
