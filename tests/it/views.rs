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

/// The ids a view lists, in its order.
async fn listed(app: &TestApp, filters: Value) -> Vec<i64> {
    let (s, v) = post(
        app,
        &app.agent_token,
        json!({"name": format!("v {filters}"), "filters": filters}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["view"]["id"].as_i64().unwrap();
    let out = app.get_json(&format!("/api/v1/views/{id}/tickets")).await;
    out["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{out}"))
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

/// The tickets of a view sorted by `sort`, as the API gives them.
async fn sorted(app: &TestApp, sort: &str) -> Vec<Value> {
    let (s, v) = post(
        app,
        &app.agent_token,
        json!({"name": format!("sorted {sort}"), "filters": {"sort": sort}}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let out = app
        .get_json(&format!("/api/v1/views/{}/tickets", v["view"]["id"]))
        .await;
    out["items"].as_array().unwrap().clone()
}

both_backends!(
    views_by_customer_sla_waiting_sort_and_columns,
    |app| async move {
        // Every ticket gets a 60-minute first-response target, warned at half time.
        crate::sla::around_the_clock_policy(&app, 60, 60, 10_000).await;

        let a = app.create_ticket("vip@example.com", "VIP", "x").await["id"]
            .as_i64()
            .unwrap();
        let b = app.create_ticket("basic@example.com", "Basic", "x").await["id"]
            .as_i64()
            .unwrap();
        let c = app
            .create_ticket("nobody@example.com", "Unknown", "x")
            .await["id"]
            .as_i64()
            .unwrap();
        let (s, _) = app
            .send(
                "POST",
                &format!("/api/v1/tickets/{b}/messages"),
                &app.agent_token,
                json!({"body": "On it"}),
            )
            .await;
        assert_eq!(s, 201);
        let (s, e) = app.send("POST", "/api/v1/crm/events", &app.admin_token, json!({"events": [
        {"customer_email": "vip@example.com", "kind": "subscription", "occurred_at": "2026-01-01T00:00:00Z",
         "source": "billing", "external_id": "s-1", "attributes": {"plan": "Pro", "segment": "Enterprise", "vip": true}},
        {"customer_email": "basic@example.com", "kind": "subscription", "occurred_at": "2026-01-01T00:00:00Z",
         "source": "billing", "external_id": "s-2", "attributes": {"plan": "basic"}}
    ]})).await;
        assert_eq!(s, 200, "{e}");
        // The refresher would do this within a second; done here at once.
        while casebook::customers::attrs::refresh_dirty(app.db(), app.running.state.now())
            .await
            .unwrap()
            > 0
        {}

        assert_eq!(listed(&app, json!({"vip": true})).await, vec![a]);
        assert_eq!(listed(&app, json!({"vip": false})).await, vec![c, b]);
        assert_eq!(listed(&app, json!({"plan": "pro"})).await, vec![a]);
        assert_eq!(listed(&app, json!({"plan": "BASIC"})).await, vec![b]);
        assert_eq!(
            listed(&app, json!({"segment": "enterprise"})).await,
            vec![a]
        );
        // A change of plan reaches the filter once the customer is recomputed.
        let (s, _) = app.send("POST", "/api/v1/crm/events", &app.admin_token, json!({"events": [
        {"customer_email": "basic@example.com", "kind": "subscription", "occurred_at": "2026-02-01T00:00:00Z",
         "source": "billing", "external_id": "s-3", "attributes": {"plan": "pro"}}]})).await;
        assert_eq!(s, 200);
        while casebook::customers::attrs::refresh_dirty(app.db(), app.running.state.now())
            .await
            .unwrap()
            > 0
        {}
        assert_eq!(listed(&app, json!({"plan": "pro"})).await, vec![b, a]);

        // SLA: b was answered; a and c wait for their first response.
        assert_eq!(
            listed(&app, json!({"sla": "attention"})).await,
            Vec::<i64>::new()
        );
        app.clock.advance_ms(40 * 60_000);
        assert_eq!(listed(&app, json!({"sla": "at_risk"})).await, vec![c, a]);
        assert_eq!(
            listed(&app, json!({"sla": "breached"})).await,
            Vec::<i64>::new()
        );
        app.clock.advance_ms(30 * 60_000);
        assert_eq!(listed(&app, json!({"sla": "breached"})).await, vec![c, a]);
        assert_eq!(
            listed(&app, json!({"sla": "at_risk"})).await,
            Vec::<i64>::new()
        );
        assert_eq!(
            listed(&app, json!({"sla": "attention", "vip": true})).await,
            vec![a]
        );

        // Waiting on us: the customer wrote last, over an hour ago.
        assert_eq!(listed(&app, json!({"waiting_hours": 1})).await, vec![c, a]);
        assert_eq!(
            listed(&app, json!({"waiting_hours": 2})).await,
            Vec::<i64>::new()
        );

        // Sort.
        assert_eq!(listed(&app, json!({"sort": "oldest"})).await, vec![a, b, c]);
        assert_eq!(listed(&app, json!({"sort": "newest"})).await, vec![c, b, a]);
        let (s, _) = app
            .send(
                "PATCH",
                &format!("/api/v1/tickets/{a}"),
                &app.agent_token,
                json!({"priority": "urgent"}),
            )
            .await;
        assert_eq!(s, 200);
        // (The SLA sweep may change tickets meanwhile: check the order, not one ticket.)
        let rank = |p: &str| {
            ["urgent", "high", "normal", "low"]
                .iter()
                .position(|x| *x == p)
                .unwrap()
        };
        let by_priority: Vec<usize> = sorted(&app, "priority")
            .await
            .iter()
            .map(|t| rank(t["priority"].as_str().unwrap()))
            .collect();
        assert!(
            by_priority.windows(2).all(|w| w[0] <= w[1]),
            "{by_priority:?}"
        );
        assert_eq!(by_priority[0], 0, "the urgent ticket comes first");
        let by_update: Vec<i64> = sorted(&app, "updated")
            .await
            .iter()
            .map(|t| t["updated_at"].as_i64().unwrap())
            .collect();
        assert!(by_update.windows(2).all(|w| w[0] >= w[1]), "{by_update:?}");

        // Bad filters name the field.
        for (filters, field) in [
            (json!({"sla": "late"}), "filters.sla"),
            (json!({"sort": "random"}), "filters.sort"),
            (json!({"waiting_hours": 0}), "filters.waiting_hours"),
            (
                json!({"columns": ["plan", "shoe size"]}),
                "filters.columns[1]",
            ),
            (json!({"plan": "x".repeat(101)}), "filters.plan"),
        ] {
            let (s, e) = post(
                &app,
                &app.agent_token,
                json!({"name": "bad", "filters": filters}),
            )
            .await;
            assert_eq!((s, e["error"]["field"].as_str()), (422, Some(field)), "{e}");
        }

        // Columns chosen per view, on the page; the count in the sidebar.
        let browser = app.browser();
        assert!(
            login(&app, &browser, &app.agent_email, PASSWORD)
                .await
                .is_redirection()
        );
        let (csrf, _) = csrf_from(&browser, &app.at("/tickets?queue=open")).await;
        let r = browser
            .post(app.at("/views"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "VIP waiting"),
                ("queue", "open"),
                ("vip", "yes"),
                ("waiting_hours", "1"),
                ("sort", "oldest"),
                ("columns", "plan"),
                ("columns", "tags"),
                ("columns", "updated"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let page = r.headers()["location"].to_str().unwrap().to_string();
        let html = browser
            .get(app.at(&page))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("<th>Plan</th><th>Tags</th><th>Last change</th></tr>"),
            "{html}"
        );
        assert!(
            !html.contains("<th>Assignee</th>"),
            "only the chosen columns"
        );
        assert!(html.contains(">pro<"), "{html}");
        assert!(
            html.contains("VIP customers · customer waiting for 1 h · oldest first"),
            "{html}"
        );
        assert!(html.contains(&format!("id=\"ticket-{a}\"")));
        assert!(!html.contains(&format!("id=\"ticket-{c}\"")));
        let (s, list) = app
            .send("GET", "/api/v1/views", &app.agent_token, Value::Null)
            .await;
        assert_eq!(s, 200);
        let item = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["view"]["name"] == "VIP waiting")
            .unwrap()
            .clone();
        assert_eq!(
            (
                item["count"].as_i64(),
                item["count_is_lower_bound"].as_bool()
            ),
            (Some(1), Some(false)),
            "{item}"
        );
    }
);

both_backends!(views_shared_with_a_team, |app| async move {
    let gus: i64 = sqlx::query_scalar("SELECT agent_id FROM agent WHERE email = $1")
        .bind(&app.agent_email)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    let billing = app
        .create_team(json!({"name": "Billing", "members": [gus]}))
        .await;
    let returns = app.create_team(json!({"name": "Returns"})).await;
    let (s, mine) = post(&app, &app.admin_token, json!({"name": "Billing urgent", "shared": true, "team_id": billing, "filters": {"priority": "urgent"}})).await;
    assert_eq!(s, 201, "{mine}");
    let (s, other) = post(
        &app,
        &app.admin_token,
        json!({"name": "Returns urgent", "shared": true, "team_id": returns}),
    )
    .await;
    assert_eq!(s, 201, "{other}");
    let names = |token: String| {
        let app = &app;
        async move {
            let (_, list) = app.send("GET", "/api/v1/views", &token, Value::Null).await;
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["view"]["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        names(app.agent_token.clone()).await,
        vec!["Billing urgent"],
        "a member sees their team's view only"
    );
    assert_eq!(
        names(app.admin_token.clone()).await.len(),
        2,
        "admins see every shared view"
    );
    let (s, _) = app
        .send(
            "GET",
            &format!("/api/v1/views/{}/tickets", other["view"]["id"]),
            &app.agent_token,
            Value::Null,
        )
        .await;
    assert_eq!(s, 404);
    // Bad input names the field.
    let (s, e) = post(
        &app,
        &app.admin_token,
        json!({"name": "x", "shared": true, "team_id": 424242}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("team_id")),
        "{e}"
    );
    let (s, e) = post(
        &app,
        &app.agent_token,
        json!({"name": "x", "team_id": billing}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("team_id")),
        "{e}"
    );
});

both_backends!(view_counts_are_kept_for_a_while, |app| async move {
    let (s, v) = post(
        &app,
        &app.agent_token,
        json!({"name": "Refunds", "filters": {"tag": "refund"}}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let tagged = |subject: &'static str| {
        let app = &app;
        async move {
            let id = app.create_ticket("c@example.com", subject, "x").await["id"]
                .as_i64()
                .unwrap();
            let (s, _) = app
                .send(
                    "PATCH",
                    &format!("/api/v1/tickets/{id}"),
                    &app.agent_token,
                    json!({"add_tags": ["refund"]}),
                )
                .await;
            assert_eq!(s, 200);
        }
    };
    let count = || {
        let app = &app;
        async move {
            let (_, list) = app
                .send("GET", "/api/v1/views", &app.agent_token, Value::Null)
                .await;
            list["items"][0]["count"].as_i64()
        }
    };
    tagged("One").await;
    assert_eq!(count().await, Some(1));
    // Counted again only after a while, not on every page: a busy desk does not recount every
    // view for every agent on every page load.
    tagged("Two").await;
    assert_eq!(count().await, Some(1));
});
