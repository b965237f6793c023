//! Auto-assignment through the real app: routing rules to teams (with tags and priority), skill
//! match, load-aware round-robin, capacity under a concurrent burst, waiting tickets assigned when
//! someone becomes available, deactivation, rules whose team is gone, the why in the audit log,
//! 422s — and two `serve` processes on one PostgreSQL database.

use crate::harness::{Backend, PASSWORD, TestApp, login};
use crate::{both_backends, without_workers};
use serde_json::{Value, json};

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut req = app.api().request(method, app.at(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn admin_post(app: &TestApp, path: &str, body: Value) -> Value {
    let (s, v) = send(
        app,
        reqwest::Method::POST,
        path,
        &app.admin_token,
        Some(&body),
    )
    .await;
    assert_eq!(s, 201, "POST {path}: {v}");
    v
}

async fn admin_patch(app: &TestApp, path: &str, body: Value) -> Value {
    let (s, v) = send(
        app,
        reqwest::Method::PATCH,
        path,
        &app.admin_token,
        Some(&body),
    )
    .await;
    assert_eq!(s, 200, "PATCH {path}: {v}");
    v
}

async fn agent(app: &TestApp, name: &str, capacity: i64, skills: &[&str]) -> i64 {
    let email = format!("{}@casebook.test", name.to_lowercase());
    let v = admin_post(
        app,
        "/api/v1/agents",
        json!({"email": email, "name": name, "role": "agent", "password": PASSWORD}),
    )
    .await;
    let id = v["agent"]["id"].as_i64().unwrap();
    admin_patch(
        app,
        &format!("/api/v1/agents/{id}"),
        json!({"capacity": capacity, "skills": skills}),
    )
    .await;
    id
}

async fn team(app: &TestApp, name: &str, members: &[i64], default: bool) -> i64 {
    let v = admin_post(
        app,
        "/api/v1/teams",
        json!({"name": name, "members": members, "is_default": default}),
    )
    .await;
    v["team"]["id"].as_i64().unwrap()
}

async fn rule(app: &TestApp, body: Value) -> i64 {
    admin_post(app, "/api/v1/rules", body).await["rule"]["id"]
        .as_i64()
        .unwrap()
}

async fn ticket(app: &TestApp, subject: &str, body: &str) -> i64 {
    let t = app
        .create_ticket("customer@example.com", subject, body)
        .await;
    app.drain_outbox().await;
    t["id"].as_i64().unwrap()
}

async fn assignee(app: &TestApp, id: i64) -> Option<i64> {
    sqlx::query_scalar("SELECT assignee_id FROM ticket WHERE ticket_id = $1")
        .bind(id)
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

async fn details(app: &TestApp, id: i64, kind: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT detail FROM ticket_event WHERE ticket_id = $1 AND kind = $2 ORDER BY ticket_event_id")
        .bind(id)
        .bind(kind)
        .fetch_all(&app.db().pool)
        .await
        .unwrap()
}

async fn open_count(app: &TestApp, agent_id: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM ticket WHERE assignee_id = $1 AND status IN ('new','open','pending')",
    )
    .bind(agent_id)
    .fetch_one(&app.db().pool)
    .await
    .unwrap()
}

both_backends!(
    rules_route_to_team_with_tags_and_priority,
    |app| async move {
        let dana = agent(&app, "Dana", 10, &[]).await;
        let sam = agent(&app, "Sam", 10, &[]).await;
        let billing = team(&app, "Billing", &[dana], false).await;
        team(&app, "General", &[sam], true).await;
        rule(
        &app,
        json!({"name": "Billing", "conditions": {"keywords": ["invoice", "refund"]}, "team_id": billing,
               "set_priority": "high", "tags": ["Billing", "money"]}),
    )
    .await;

        let t = ticket(&app, "Invoice is wrong", "Please fix the VAT number").await;
        assert_eq!(assignee(&app, t).await, Some(dana));
        let row = sqlx::query_as::<_, (String, Option<i64>)>(
            "SELECT priority, team_id FROM ticket WHERE ticket_id = $1",
        )
        .bind(t)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        assert_eq!(row, ("high".to_string(), Some(billing)));
        let tags: Vec<String> =
            sqlx::query_scalar("SELECT tag FROM ticket_tag WHERE ticket_id = $1 ORDER BY tag")
                .bind(t)
                .fetch_all(&app.db().pool)
                .await
                .unwrap();
        assert_eq!(tags, vec!["billing", "money"]);
        let routed = details(&app, t, "routed").await;
        assert_eq!(routed.len(), 1);
        assert!(
            routed[0]
                .starts_with("rule 'Billing' (keyword “invoice”) → team Billing; priority high"),
            "{routed:?}"
        );
        let assigned = details(&app, t, "assigned").await;
        assert_eq!(assigned.len(), 1);
        assert!(
        assigned[0].starts_with("Assigned to Dana: rule 'Billing' (keyword “invoice”) → team Billing; priority high; tags billing, money; 1 available; Dana had 0 open"),
        "{assigned:?}"
    );

        // No rule matches: the default team.
        let other = ticket(&app, "Hello", "Just saying hi").await;
        assert_eq!(assignee(&app, other).await, Some(sam));
        assert!(
            details(&app, other, "assigned").await[0]
                .contains("no rule matched → default team General")
        );

        // The why in the API and on the ticket page, beside the assignee.
        let v = app.get_json(&format!("/api/v1/tickets/{t}")).await;
        let events = v["events"].as_array().unwrap();
        assert!(events.iter().any(|e| {
            e["kind"] == "assigned"
                && e["detail"]
                    .as_str()
                    .unwrap()
                    .starts_with("Assigned to Dana")
        }));
        let browser = app.browser();
        assert_eq!(login(&app, &browser, &app.admin_email, PASSWORD).await, 303);
        let html = browser
            .get(app.at(&format!("/tickets/{t}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Assigned to Dana: rule"),
            "the why is on the ticket page"
        );
        for page in [
            "/admin/teams",
            "/admin/rules",
            "/admin/agents",
            "/account/availability",
        ] {
            let r = browser.get(app.at(page)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{page}");
        }
    }
);

both_backends!(skill_match_within_team, |app| async move {
    let sam = agent(&app, "Sam", 10, &[]).await;
    let dana = agent(&app, "Dana", 10, &["German"]).await;
    let tech = team(&app, "Technical", &[sam, dana], true).await;
    rule(&app, json!({"name": "German", "conditions": {"keywords": ["hallo"]}, "team_id": tech, "required_skill": "german"})).await;
    let t = ticket(&app, "Hallo", "Mein Konto ist gesperrt").await;
    assert_eq!(assignee(&app, t).await, Some(dana), "the skilled agent");
    assert!(details(&app, t, "assigned").await[0].contains("1 of 2 with skill 'german'"));
    // Without the skill the ticket goes by load: Sam has fewer open tickets now.
    let t2 = ticket(&app, "Hello", "My account is locked").await;
    assert_eq!(assignee(&app, t2).await, Some(sam));
});

both_backends!(load_aware_round_robin, |app| async move {
    let a = agent(&app, "Avery", 10, &[]).await;
    let b = agent(&app, "Blake", 10, &[]).await;
    let c = agent(&app, "Casey", 10, &[]).await;
    team(&app, "General", &[a, b, c], true).await;
    let mut order = Vec::new();
    for i in 0..6 {
        let t = ticket(&app, &format!("Question {i}"), "?").await;
        order.push(assignee(&app, t).await.unwrap());
    }
    // Everyone gets one before anyone gets two; ties go to whoever waited longest.
    let mut first: Vec<i64> = order[..3].to_vec();
    first.sort();
    assert_eq!(first, vec![a, b, c]);
    assert_eq!(
        order[3..],
        order[..3],
        "ties by longest since the last assignment"
    );

    // A solved ticket frees room: the next ticket goes to the agent with fewest open.
    let t0: i64 = sqlx::query_scalar("SELECT MIN(ticket_id) FROM ticket")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    let first_agent = assignee(&app, t0).await.unwrap();
    admin_patch(
        &app,
        &format!("/api/v1/tickets/{t0}"),
        json!({"status": "solved"}),
    )
    .await;
    let t = ticket(&app, "Another", "?").await;
    assert_eq!(assignee(&app, t).await, Some(first_agent));
    assert!(details(&app, t, "assigned").await[0].contains("fewest"));

    // Unassigning runs assignment again, skipping the agent who let go.
    admin_patch(
        &app,
        &format!("/api/v1/tickets/{t}"),
        json!({"assignee_id": null}),
    )
    .await;
    app.drain_outbox().await;
    let now = assignee(&app, t).await;
    let v = app.get_json(&format!("/api/v1/tickets/{t}")).await;
    assert!(
        now.is_some() && now != Some(first_agent),
        "reassigned to someone else: {}",
        v["events"]
    );
});

both_backends!(
    capacity_holds_under_a_burst_and_waiting_tickets_follow,
    |app| async move {
        let dana = agent(&app, "Dana", 3, &[]).await;
        let sam = agent(&app, "Sam", 2, &[]).await;
        team(&app, "General", &[dana, sam], true).await;
        let creates = (0..10).map(|i| {
            let app = &app;
            async move {
                app.create_ticket(&format!("c{i}@example.com"), &format!("Burst {i}"), "x")
                    .await
            }
        });
        futures_util::future::join_all(creates).await;
        app.drain_outbox().await;
        assert_eq!(open_count(&app, dana).await, 3);
        assert_eq!(open_count(&app, sam).await, 2);
        let waiting: Vec<i64> = sqlx::query_scalar(
            "SELECT ticket_id FROM ticket WHERE assignee_id IS NULL ORDER BY created_at, ticket_id",
        )
        .fetch_all(&app.db().pool)
        .await
        .unwrap();
        assert_eq!(waiting.len(), 5);
        let why = details(&app, waiting[0], "routed").await;
        assert!(
            why[0].starts_with("Waiting in team General's queue"),
            "{why:?}"
        );
        assert!(why[0].contains("at capacity"), "{why:?}");
        let twice: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ticket t WHERE (SELECT COUNT(*) FROM ticket_event e WHERE e.ticket_id = t.ticket_id AND e.kind = 'assigned') > 1",
    )
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
        assert_eq!(twice, 0);

        // Dana solves one: the oldest waiting ticket becomes hers.
        let hers: i64 =
            sqlx::query_scalar("SELECT MIN(ticket_id) FROM ticket WHERE assignee_id = $1")
                .bind(dana)
                .fetch_one(&app.db().pool)
                .await
                .unwrap();
        admin_patch(
            &app,
            &format!("/api/v1/tickets/{hers}"),
            json!({"status": "solved"}),
        )
        .await;
        app.drain_outbox().await;
        assert_eq!(assignee(&app, waiting[0]).await, Some(dana));
        assert!(
            details(&app, waiting[0], "assigned").await[0]
                .contains("waited in team General's queue")
        );
        assert_eq!(assignee(&app, waiting[1]).await, None);

        // More capacity: the rest of the queue follows, oldest first, never over capacity.
        admin_patch(
            &app,
            &format!("/api/v1/agents/{sam}"),
            json!({"capacity": 4}),
        )
        .await;
        app.drain_outbox().await;
        assert_eq!(open_count(&app, sam).await, 4);
        assert_eq!(assignee(&app, waiting[1]).await, Some(sam));
        assert_eq!(assignee(&app, waiting[2]).await, Some(sam));
        assert_eq!(assignee(&app, waiting[3]).await, None);
    }
);

both_backends!(
    nobody_available_waits_until_someone_is_online,
    |app| async move {
        let dana = agent(&app, "Dana", 5, &[]).await;
        team(&app, "General", &[dana], true).await;
        admin_patch(
            &app,
            &format!("/api/v1/agents/{dana}"),
            json!({"availability": "away"}),
        )
        .await;
        let t = ticket(&app, "Anyone there?", "Hello").await;
        assert_eq!(assignee(&app, t).await, None);
        assert!(
            details(&app, t, "routed").await[0]
                .contains("nobody available (not available: Dana away)")
        );
        // Dana sets herself online with her own token.
        let token = casebook::auth::create_api_token(
            app.db(),
            "dana@casebook.test",
            "t",
            None,
            app.running.state.now(),
        )
        .await
        .unwrap();
        let (s, v) = send(
            &app,
            reqwest::Method::PATCH,
            &format!("/api/v1/agents/{dana}"),
            &token,
            Some(&json!({"availability": "online"})),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        // …but may not change her capacity or someone else.
        let (s, _) = send(
            &app,
            reqwest::Method::PATCH,
            &format!("/api/v1/agents/{dana}"),
            &token,
            Some(&json!({"capacity": 99})),
        )
        .await;
        assert_eq!(s, 403);
        app.drain_outbox().await;
        assert_eq!(assignee(&app, t).await, Some(dana));

        // A new member of a team picks up its waiting tickets too.
        admin_patch(
            &app,
            &format!("/api/v1/agents/{dana}"),
            json!({"availability": "off"}),
        )
        .await;
        let t2 = ticket(&app, "Second", "Hello").await;
        assert_eq!(assignee(&app, t2).await, None);
        let kim = agent(&app, "Kim", 5, &[]).await;
        let general: i64 = sqlx::query_scalar("SELECT team_id FROM team WHERE name = 'General'")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        admin_patch(
            &app,
            &format!("/api/v1/teams/{general}"),
            json!({"members": [dana, kim]}),
        )
        .await;
        app.drain_outbox().await;
        assert_eq!(assignee(&app, t2).await, Some(kim));
    }
);

both_backends!(
    deactivating_an_agent_reassigns_their_tickets,
    |app| async move {
        let dana = agent(&app, "Dana", 10, &[]).await;
        let sam = agent(&app, "Sam", 10, &[]).await;
        team(&app, "General", &[dana, sam], true).await;
        admin_patch(
            &app,
            &format!("/api/v1/agents/{sam}"),
            json!({"availability": "away"}),
        )
        .await;
        let t1 = ticket(&app, "One", "x").await;
        let t2 = ticket(&app, "Two", "x").await;
        assert_eq!(assignee(&app, t1).await, Some(dana));
        assert_eq!(assignee(&app, t2).await, Some(dana));
        admin_patch(
            &app,
            &format!("/api/v1/agents/{sam}"),
            json!({"availability": "online"}),
        )
        .await;
        admin_patch(
            &app,
            &format!("/api/v1/agents/{dana}"),
            json!({"active": false}),
        )
        .await;
        app.drain_outbox().await;
        assert_eq!(assignee(&app, t1).await, Some(sam));
        assert_eq!(assignee(&app, t2).await, Some(sam));
        assert_eq!(open_count(&app, dana).await, 0, "nothing orphaned");
        assert!(
            details(&app, t1, "assigned")
                .await
                .last()
                .unwrap()
                .contains("previous assignee was deactivated")
        );
    }
);

both_backends!(
    rules_with_a_deleted_or_inactive_team_fail_safe,
    |app| async move {
        let dana = agent(&app, "Dana", 10, &[]).await;
        let sam = agent(&app, "Sam", 10, &[]).await;
        let old = team(&app, "Old", &[dana], false).await;
        let spare = team(&app, "Spare", &[dana], false).await;
        team(&app, "General", &[sam], true).await;
        rule(
            &app,
            json!({"name": "Legacy", "conditions": {"keywords": ["legacy"]}, "team_id": old}),
        )
        .await;
        rule(
            &app,
            json!({"name": "Spare", "conditions": {"keywords": ["spare"]}, "team_id": spare}),
        )
        .await;
        sqlx::query("DELETE FROM team WHERE team_id = $1")
            .bind(old)
            .execute(&app.db().pool)
            .await
            .unwrap();
        let t = ticket(&app, "Legacy question", "x").await;
        assert_eq!(assignee(&app, t).await, Some(sam));
        let routed = details(&app, t, "routed").await;
        assert!(
            routed[0].contains(&format!(
                "rule 'Legacy' (keyword “legacy”) names team #{old}, which no longer exists → default team General"
            )),
            "{routed:?}"
        );

        admin_patch(
            &app,
            &format!("/api/v1/teams/{spare}"),
            json!({"active": false}),
        )
        .await;
        let t = ticket(&app, "Spare parts", "x").await;
        assert_eq!(assignee(&app, t).await, Some(sam));
        assert!(
            details(&app, t, "routed").await[0]
                .contains("names team Spare, which is inactive → default team General")
        );
    }
);

both_backends!(bad_input_is_422_naming_the_field, |app| async move {
    let t = &app.admin_token;
    let cases: Vec<(reqwest::Method, &str, Value, &str)> = vec![
        (
            reqwest::Method::POST,
            "/api/v1/rules",
            json!({"name": "X", "team_id": 999999}),
            "team_id",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/rules",
            json!({"name": ""}),
            "name",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/rules",
            json!({"name": "X", "conditions": {"channel": ["fax"]}}),
            "conditions.channel",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/rules",
            json!({"name": "X", "set_priority": "huge"}),
            "set_priority",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/rules",
            json!({"name": "X", "conditions": {"colour": ["red"]}}),
            "colour",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/teams",
            json!({"name": "  "}),
            "name",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/teams",
            json!({"name": "T", "members": [999999]}),
            "members",
        ),
        (
            reqwest::Method::PATCH,
            "/api/v1/agents/2",
            json!({"capacity": -1}),
            "capacity",
        ),
        (
            reqwest::Method::PATCH,
            "/api/v1/agents/2",
            json!({"availability": "busy"}),
            "availability",
        ),
        (
            reqwest::Method::PATCH,
            "/api/v1/agents/2",
            json!({"capacity": "many"}),
            "capacity",
        ),
    ];
    for (method, path, body, field) in cases {
        let (s, v) = send(&app, method, path, t, Some(&body)).await;
        assert_eq!(s, 422, "{path} {body}: {v}");
        assert!(
            v["error"]["field"]
                .as_str()
                .unwrap_or("")
                .starts_with(field),
            "{path} {body}: {v}"
        );
    }
    team(&app, "Billing", &[], false).await;
    let (s, v) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/teams",
        t,
        Some(&json!({"name": "billing"})),
    )
    .await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("name")));
    // Agents may not manage teams or rules.
    let (s, _) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/teams",
        &app.agent_token,
        Some(&json!({"name": "Mine"})),
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = send(
        &app,
        reqwest::Method::GET,
        "/api/v1/rules",
        &app.agent_token,
        None,
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = send(
        &app,
        reqwest::Method::PATCH,
        "/api/v1/agents/999999",
        t,
        Some(&json!({"capacity": 1})),
    )
    .await;
    assert_eq!(s, 404);
});

/// Two real `serve` processes on one PostgreSQL database take 1,000 tickets through the API:
/// each ticket is assigned exactly once and nobody goes over capacity.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_assign_each_ticket_once() {
    use crate::crash::{Server, free_port, setup};
    let Some((url, token)) = setup(Backend::Postgres).await else {
        return;
    };
    let db = casebook::db::Db::connect(&url).await.unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let admin = casebook::auth::AgentRef {
        id: 0,
        email: "setup".into(),
        name: "setup".into(),
        role: casebook::domain::Role::Admin,
        unread_notifications: 0,
        locale: None,
    };
    let mut agents = Vec::new();
    for i in 0..20 {
        let a = casebook::auth::create_agent(
            &db,
            casebook::auth::NewAgent {
                email: &format!("node{i}@casebook.test"),
                name: &format!("Node Agent {i}"),
                role: casebook::domain::Role::Agent,
                password: "node agent pw",
            },
            now,
        )
        .await
        .unwrap();
        let capacity = if i % 2 == 0 { 30 } else { 80 };
        casebook::assign::admin::patch_agent(
            &db,
            &admin,
            a.id,
            casebook::assign::admin::AgentPatch {
                capacity: Some(capacity),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
        agents.push(a.id);
    }
    casebook::assign::admin::create_team(
        &db,
        casebook::assign::admin::TeamPatch {
            name: Some("Everyone".into()),
            is_default: Some(true),
            members: Some(agents.clone()),
            ..Default::default()
        },
        now,
    )
    .await
    .unwrap();
    let a = Server::start_with(&url, free_port(), true, &[]).await;
    let b = Server::start_with(&url, free_port(), true, &[]).await;
    let client = reqwest::Client::new();
    let bases = [a.url.clone(), b.url.clone()];
    let total = 1000usize;
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for w in 0..16 {
        let (client, token, base, next) = (
            client.clone(),
            token.clone(),
            bases[w % 2].clone(),
            next.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= total {
                    break;
                }
                let r = client
                    .post(format!("{base}/api/v1/tickets"))
                    .bearer_auth(&token)
                    .json(&json!({"customer": {"email": format!("n{}@example.com", i % 97)}, "subject": format!("Node {i}"), "body": "x"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut drained = false;
    for _ in 0..3600 {
        if casebook::outbox::depth(&db).await.unwrap() == 0 {
            drained = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    if !drained {
        let rows: Vec<(String, i64, Option<String>)> = sqlx::query_as(
            "SELECT kind, COUNT(*), MAX(last_error) FROM outbox WHERE done_at IS NULL GROUP BY kind",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap();
        panic!("the nodes did not drain the outbox: {rows:?}");
    }
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&db.pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(count("SELECT COUNT(*) FROM ticket").await, total as i64);
    assert_eq!(
        count("SELECT COUNT(*) FROM ticket WHERE assignee_id IS NULL").await,
        0
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM ticket t WHERE (SELECT COUNT(*) FROM ticket_event e WHERE e.ticket_id = t.ticket_id AND e.kind = 'assigned') <> 1").await,
        0,
        "exactly one assignment per ticket"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM agent a WHERE (SELECT COUNT(*) FROM ticket t WHERE t.assignee_id = a.agent_id) > a.capacity").await,
        0,
        "nobody over capacity"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM agent a WHERE a.capacity = 30 AND (SELECT COUNT(*) FROM ticket t WHERE t.assignee_id = a.agent_id) = 30").await,
        10,
        "the small capacities filled up"
    );
    drop((a, b));
    db.pool.close().await;
}

both_backends!(
    admin_pages_manage_teams_rules_and_availability,
    |app| async move {
        use crate::harness::csrf_from;
        let dana = agent(&app, "Dana", 10, &[]).await;
        let browser = app.browser();
        assert_eq!(login(&app, &browser, &app.admin_email, PASSWORD).await, 303);
        let (csrf, _) = csrf_from(&browser, &app.at("/admin/teams")).await;
        let r = browser
            .post(app.at("/admin/teams"))
            .form(&[("csrf", csrf.as_str()), ("name", "Billing")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let billing: i64 = sqlx::query_scalar("SELECT team_id FROM team WHERE name = 'Billing'")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        let dana_s = dana.to_string();
        let r = browser
            .post(app.at(&format!("/admin/teams/{billing}")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Billing & Payments"),
                ("active", "1"),
                ("is_default", "1"),
                ("lead_agent_id", ""),
                ("members", dana_s.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let v = send(
            &app,
            reqwest::Method::GET,
            &format!("/api/v1/teams/{billing}"),
            &app.admin_token,
            None,
        )
        .await
        .1;
        assert_eq!(v["team"]["name"], "Billing & Payments");
        assert_eq!(v["team"]["is_default"], true);
        assert_eq!(v["team"]["members"][0]["id"], dana);

        let billing_s = billing.to_string();
        let r = browser
            .post(app.at("/admin/rules"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Refunds"),
                ("active", "1"),
                ("channel", "api"),
                ("channel", "email"),
                ("keywords", "refund, money back"),
                ("vip", ""),
                ("at_risk", "no"),
                ("team_id", billing_s.as_str()),
                ("set_priority", "urgent"),
                ("tags", "refund"),
                ("required_skill", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let rules = send(
            &app,
            reqwest::Method::GET,
            "/api/v1/rules",
            &app.admin_token,
            None,
        )
        .await
        .1;
        let rule = &rules["items"][0];
        assert_eq!(rule["conditions"]["channel"], json!(["api", "email"]));
        assert_eq!(
            rule["conditions"]["keywords"],
            json!(["refund", "money back"])
        );
        assert_eq!(rule["conditions"]["at_risk"], false);
        let t = ticket(&app, "I want my money back", "please").await;
        assert_eq!(assignee(&app, t).await, Some(dana));
        let html = browser
            .get(app.at("/admin/rules"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Refunds"));

        // A bad form value re-renders the page with a 422.
        let r = browser
            .post(app.at("/admin/rules"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "X"),
                ("team_id", "999999"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);

        // An agent sets themselves away from the account page.
        let agent_browser = app.browser();
        assert_eq!(
            login(&app, &agent_browser, &app.agent_email, PASSWORD).await,
            303
        );
        let (csrf, html) = csrf_from(&agent_browser, &app.at("/account/availability")).await;
        assert!(html.contains("You are <strong>online</strong>"));
        let r = agent_browser
            .post(app.at("/account/availability"))
            .form(&[("csrf", csrf.as_str()), ("availability", "away")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let html = agent_browser
            .get(app.at("/account/availability"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("You are <strong>away</strong>"));
        // Agents do not see the admin pages.
        let r = agent_browser
            .get(app.at("/admin/teams"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
);

/// Moves the test clock forward to the next `weekday` (0 = Monday) at `hour`:00 UTC.
fn advance_to(app: &TestApp, weekday: u32, hour: u32) {
    use chrono::{Datelike, TimeZone};
    let now = app.running.state.now();
    let today = chrono::Utc.timestamp_millis_opt(now).unwrap().date_naive();
    let days = (weekday + 7 - today.weekday().num_days_from_monday()) % 7;
    let mut at = (today + chrono::Days::new(u64::from(days)))
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    if at <= now {
        at += 7 * 86_400_000;
    }
    app.clock.advance_ms(at - now);
}

both_backends!(working_hours_decide_who_is_available, |app| async move {
    let dana = agent(&app, "Dana", 5, &[]).await;
    let general = team(&app, "General", &[dana], true).await;
    let other = team(&app, "Other", &[], false).await;
    let weekday = json!(["09:00", "17:00"]);
    let cal = admin_post(
        &app,
        "/api/v1/sla/calendars",
        json!({"name": "Office", "time_zone": "UTC", "hours": {
                "monday": [weekday], "tuesday": [weekday], "wednesday": [weekday],
                "thursday": [weekday], "friday": [weekday]}}),
    )
    .await;
    let cal = cal["calendar"]["id"].as_i64().unwrap();
    // An unknown calendar is a 422 naming the field.
    let (s, e) = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/agents/{dana}"),
        &app.admin_token,
        Some(&json!({"working_calendar_id": 999_999})),
    )
    .await;
    assert_eq!(
        (s, e["error"]["field"].clone()),
        (422, json!("working_calendar_id"))
    );
    let v = admin_patch(
        &app,
        &format!("/api/v1/agents/{dana}"),
        json!({"working_calendar_id": cal}),
    )
    .await;
    assert_eq!(v["agent"]["working_calendar_id"], cal);

    // Saturday noon: Dana is online but outside her hours; the ticket waits.
    advance_to(&app, 5, 12);
    let t = ticket(&app, "Weekend question", "Hello").await;
    assert_eq!(assignee(&app, t).await, None);
    let routed = details(&app, t, "routed").await;
    assert!(routed[0].contains("Dana off hours"), "{routed:?}");
    let now = app.running.state.now();
    let runs_done = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM outbox WHERE kind = $1 AND done_at IS NOT NULL",
        )
        .bind(casebook::assign::JOB_WAITING)
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
    };
    let done_before = runs_done().await;
    assert_eq!(
        casebook::assign::wake_waiting(app.db(), now).await.unwrap(),
        1
    );
    let again = casebook::assign::wake_waiting(app.db(), now).await.unwrap();
    // The app's outbox worker may have run the first one in between; then a second is right.
    assert!(
        again == 0 || runs_done().await > done_before,
        "one queued run per team is enough ({again} more queued while the first waited)"
    );
    app.drain_outbox().await;
    assert_eq!(assignee(&app, t).await, None, "still the weekend");
    // It waits in the team's unassigned queue (API and UI), not in another team's.
    let mine = app
        .get_json(&format!(
            "/api/v1/tickets?queue=unassigned&team_id={general}"
        ))
        .await;
    assert_eq!(mine["items"][0]["id"], t, "{mine}");
    let theirs = app
        .get_json(&format!("/api/v1/tickets?queue=unassigned&team_id={other}"))
        .await;
    assert_eq!(theirs["items"], json!([]));
    let lead = app.browser();
    assert_eq!(login(&app, &lead, &app.admin_email, PASSWORD).await, 303);
    let page = lead
        .get(app.at(&format!("/tickets?queue=unassigned&team={general}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Weekend question") && page.contains("General"));

    // Monday 10:00: her hours began; the next wake-up assigns the waiting ticket.
    advance_to(&app, 0, 10);
    casebook::assign::wake_waiting(app.db(), app.running.state.now())
        .await
        .unwrap();
    app.drain_outbox().await;
    assert_eq!(assignee(&app, t).await, Some(dana));

    // No calendar (null) means always available again.
    let v = admin_patch(
        &app,
        &format!("/api/v1/agents/{dana}"),
        json!({"working_calendar_id": null}),
    )
    .await;
    assert_eq!(v["agent"]["working_calendar_id"], Value::Null);
});

// Assignments within one team run side by side (each job holds the team row shared): many
// workers on a burst fill every agent exactly to capacity, never give a ticket twice, and
// leave the rest waiting in the team's queue.
without_workers!(
    parallel_workers_fill_agents_exactly_to_capacity,
    |app| async move {
        let mut agents = Vec::new();
        for name in ["Ana", "Ben", "Cy"] {
            agents.push(agent(&app, name, 4, &[]).await);
        }
        team(&app, "General", &agents, true).await;
        for i in 0..30 {
            app.create_ticket(&format!("p{i}@example.com"), &format!("Parallel {i}"), "x")
                .await;
        }
        let state = &app.running.state;
        let workers = (0..6).map(|w| async move {
            casebook::jobs::drain_once(state, &format!("test-{w}"))
                .await
                .unwrap()
        });
        let ran: usize = futures_util::future::join_all(workers)
            .await
            .into_iter()
            .sum();
        assert!(ran >= 30, "every ticket's job ran ({ran})");
        for a in &agents {
            assert_eq!(open_count(&app, *a).await, 4, "agent {a}");
        }
        let db = &app.db().pool;
        let waiting: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM ticket WHERE assignee_id IS NULL")
                .fetch_one(db)
                .await
                .unwrap();
        assert_eq!(waiting, 18);
        let twice: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ticket t WHERE (SELECT COUNT(*) FROM ticket_event e
               WHERE e.ticket_id = t.ticket_id AND e.kind = 'assigned') > 1
               OR (SELECT COUNT(*) FROM ticket_event e
               WHERE e.ticket_id = t.ticket_id AND e.kind = 'routed') <> 1",
        )
        .fetch_one(db)
        .await
        .unwrap();
        assert_eq!(
            twice, 0,
            "each ticket routed once and assigned at most once"
        );
        let team_of_all: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM ticket WHERE team_id IS NOT NULL")
                .fetch_one(db)
                .await
                .unwrap();
        assert_eq!(team_of_all, 30);
    }
);
