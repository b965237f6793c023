//! Agents' notifications: who is told about a ticket change (assigned, customer reply, mention,
//! following) and never the agent who made it; preferences; following by form and API; which
//! notifications go into the next email digest (none twice); the unread count in the menu.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp, csrf_from, login};
use casebook::auth::{self, NewAgent};
use casebook::domain::{Channel, EmailAddress, Role};
use casebook::intake::NewInbound;
use casebook::notify::inbox;
use serde_json::{Value, json};

const MIN: i64 = 60_000;

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

/// An agent with an API token.
struct Who {
    id: i64,
    token: String,
}

async fn agent(app: &TestApp, email: &str, name: &str) -> Who {
    let db = app.db();
    let now = app.running.state.now();
    let a = auth::create_agent(
        db,
        NewAgent {
            email,
            name,
            role: Role::Agent,
            password: PASSWORD,
        },
        now,
    )
    .await
    .unwrap();
    let token = auth::create_api_token(db, email, "test", None, now)
        .await
        .unwrap();
    Who { id: a.id, token }
}

async fn agent_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("SELECT agent_id FROM agent WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

/// How many notifications of `kind` agent `agent` has.
async fn count(app: &TestApp, agent: i64, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM agent_notification WHERE agent_id = $1 AND kind = $2")
        .bind(agent)
        .bind(kind)
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

async fn total(app: &TestApp, agent: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM agent_notification WHERE agent_id = $1")
        .bind(agent)
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

/// A new ticket, with its intake jobs (routing, assignment) done.
async fn ticket(app: &TestApp, subject: &str) -> i64 {
    let t = app
        .create_ticket("customer@example.com", subject, "Help please")
        .await;
    app.drain_outbox().await;
    t["id"].as_i64().unwrap()
}

async fn assign(app: &TestApp, token: &str, ticket: i64, to: Option<i64>) {
    let (s, v) = send(
        app,
        reqwest::Method::PATCH,
        &format!("/api/v1/tickets/{ticket}"),
        token,
        Some(&json!({ "assignee_id": to })),
    )
    .await;
    assert_eq!(s, 200, "{v}");
}

async fn write(app: &TestApp, token: &str, ticket: i64, body: &str, visibility: &str) {
    let (s, v) = send(
        app,
        reqwest::Method::POST,
        &format!("/api/v1/tickets/{ticket}/messages"),
        token,
        Some(&json!({ "body": body, "visibility": visibility })),
    )
    .await;
    assert!(s == 200 || s == 201, "{s} {v}");
}

async fn customer_writes(app: &TestApp, ticket: i64, body: &str) {
    let inbound = NewInbound {
        channel: Channel::Web,
        from: casebook::intake::Sender::Email(EmailAddress::parse("customer@example.com").unwrap()),
        from_name: None,
        subject: "More".into(),
        body_text: body.into(),
        body_html: None,
        attachments: vec![],
        idempotency: None,
        ticket_id: Some(ticket),
        priority: None,
        issue_link: false,
        language: Default::default(),
        email: None,
        gateway: None,
    };
    casebook::intake::receive(app.db(), &inbound, app.running.state.now())
        .await
        .unwrap();
}

both_backends!(assigned_and_customer_reply, |app| async move {
    let gus = agent_id(&app, &app.agent_email).await;
    let dana = agent(&app, "dana@casebook.test", "Dana White").await;
    let eve = agent(&app, "eve@casebook.test", "Eve Stone").await;
    let t = ticket(&app, "Printer on fire").await;
    assert_eq!(total(&app, dana.id).await, 0);

    // Gus assigns Dana: Dana is told, Gus is not.
    assign(&app, &app.agent_token, t, Some(dana.id)).await;
    assert_eq!(count(&app, dana.id, "assigned").await, 1);
    let items = app
        .api()
        .get(app.at("/api/v1/notifications"))
        .bearer_auth(&dana.token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(items["unread"], 1, "{items}");
    let body = items["items"][0]["body"].as_str().unwrap();
    assert!(
        body.contains(&format!("#{t}")) && body.contains("by Gus Agent"),
        "{body}"
    );
    assert_eq!(total(&app, gus).await, 0);

    // Dana hands it to Eve (Eve is told), then takes it back herself (nobody is told).
    assign(&app, &dana.token, t, Some(eve.id)).await;
    assert_eq!(count(&app, eve.id, "assigned").await, 1);
    assign(&app, &dana.token, t, Some(dana.id)).await;
    assert_eq!(count(&app, dana.id, "assigned").await, 1);
    assert_eq!(total(&app, eve.id).await, 1);

    // The customer writes: the assignee is told, nobody else.
    customer_writes(&app, t, "Still burning").await;
    assert_eq!(count(&app, dana.id, "customer_reply").await, 1);
    assert_eq!(count(&app, eve.id, "customer_reply").await, 0);
    assert_eq!(total(&app, gus).await, 0);

    // Agents' own messages are no customer replies.
    write(&app, &dana.token, t, "On it", "public").await;
    write(&app, &app.agent_token, t, "FYI", "public").await;
    assert_eq!(count(&app, dana.id, "customer_reply").await, 1);

    // An escalation to Eve tells her once (escalated), not again as an assignment.
    let (s, v) = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/tickets/{t}/escalate"),
        &app.admin_token,
        Some(&json!({"reason": "VIP", "assignee_id": eve.id})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(count(&app, eve.id, "escalated").await, 1);
    assert_eq!(count(&app, eve.id, "assigned").await, 1);
});

both_backends!(auto_assignment_tells_the_assignee, |app| async move {
    let (s, v) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/agents",
        &app.admin_token,
        Some(&json!({"email": "sam@casebook.test", "name": "Sam", "role": "agent", "password": PASSWORD})),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let sam = v["agent"]["id"].as_i64().unwrap();
    let (s, v) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/teams",
        &app.admin_token,
        Some(&json!({"name": "General", "members": [sam], "is_default": true})),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let t = ticket(&app, "Locked out").await;
    let assignee: Option<i64> =
        sqlx::query_scalar("SELECT assignee_id FROM ticket WHERE ticket_id = $1")
            .bind(t)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
    assert_eq!(assignee, Some(sam));
    assert_eq!(count(&app, sam, "assigned").await, 1);
    let body: String =
        sqlx::query_scalar("SELECT body FROM agent_notification WHERE agent_id = $1")
            .bind(sam)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
    assert!(body.contains("automatically"), "{body}");
});

both_backends!(mentions_by_handle_and_by_name, |app| async move {
    let gus = agent_id(&app, &app.agent_email).await;
    let admin = agent_id(&app, &app.admin_email).await;
    let dana = agent(&app, "dana@casebook.test", "Dana White").await;
    let eve = agent(&app, "eve.s@casebook.test", "Eve Stone").await;
    let t = ticket(&app, "Refund").await;

    // By the part of the email before @, by the name without spaces (any case); an email
    // address is no mention; the author mentioning themself is not told.
    write(
        &app,
        &app.agent_token,
        t,
        "@dana and @EVESTONE, please check. Mail bob@example.com. cc @agent",
        "internal",
    )
    .await;
    assert_eq!(count(&app, dana.id, "mention").await, 1);
    assert_eq!(count(&app, eve.id, "mention").await, 1);
    assert_eq!(total(&app, gus).await, 0);
    assert_eq!(total(&app, admin).await, 0);

    // The email handle with a dot, followed by punctuation.
    write(&app, &dana.token, t, "Thanks @eve.s.", "internal").await;
    assert_eq!(count(&app, eve.id, "mention").await, 2);
    assert_eq!(total(&app, dana.id).await, 1);

    // Public replies mention nobody.
    write(
        &app,
        &app.agent_token,
        t,
        "Dear customer, @dana will call",
        "public",
    )
    .await;
    assert_eq!(count(&app, dana.id, "mention").await, 1);
});

both_backends!(following_by_api_and_form, |app| async move {
    let gus = agent_id(&app, &app.agent_email).await;
    let eve = agent(&app, "eve@casebook.test", "Eve Stone").await;
    let t = ticket(&app, "Slow site").await;
    let follow = format!("/api/v1/tickets/{t}/follow");
    let (s, v) = send(&app, reqwest::Method::PUT, &follow, &eve.token, None).await;
    assert_eq!((s, &v["following"]), (200, &json!(true)), "{v}");
    let (s, _) = send(&app, reqwest::Method::PUT, &follow, &eve.token, None).await;
    assert_eq!(s, 200, "following twice is fine");
    let (s, _) = send(
        &app,
        reqwest::Method::PUT,
        "/api/v1/tickets/999999/follow",
        &eve.token,
        None,
    )
    .await;
    assert_eq!(s, 404);

    // Someone else's change: Eve is told what changed.
    let (s, v) = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/tickets/{t}"),
        &app.agent_token,
        Some(&json!({"priority": "high"})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(count(&app, eve.id, "following").await, 1);
    let body: String = sqlx::query_scalar(
        "SELECT body FROM agent_notification WHERE agent_id = $1 AND kind = 'following'",
    )
    .bind(eve.id)
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    assert!(
        body.contains("priority normal → high") && body.contains("Gus Agent"),
        "{body}"
    );

    // Her own change: not told. A note and a customer message by others: told.
    let (s, _) = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/tickets/{t}"),
        &eve.token,
        Some(&json!({"status": "pending"})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(count(&app, eve.id, "following").await, 1);
    write(&app, &app.agent_token, t, "Looking into it", "internal").await;
    customer_writes(&app, t, "Any news?").await;
    assert_eq!(count(&app, eve.id, "following").await, 3);

    // One notification per change: mentioned (or assigned) beats following.
    write(
        &app,
        &app.agent_token,
        t,
        "@eve can you take it?",
        "internal",
    )
    .await;
    assign(&app, &app.agent_token, t, Some(eve.id)).await;
    assert_eq!(count(&app, eve.id, "following").await, 3);
    assert_eq!(count(&app, eve.id, "mention").await, 1);
    assert_eq!(count(&app, eve.id, "assigned").await, 1);
    assert_eq!(total(&app, gus).await, 0);

    // Unfollowed: quiet again.
    let (s, v) = send(&app, reqwest::Method::DELETE, &follow, &eve.token, None).await;
    assert_eq!((s, &v["following"]), (200, &json!(false)));
    write(&app, &app.agent_token, t, "Another note", "internal").await;
    assert_eq!(count(&app, eve.id, "following").await, 3);

    // The ticket page's Follow button (a CSRF-checked form).
    let browser = app.browser();
    assert!(
        login(&app, &browser, &app.agent_email, PASSWORD)
            .await
            .is_redirection()
    );
    let page = app.at(&format!("/tickets/{t}"));
    let (csrf, html) = csrf_from(&browser, &page).await;
    assert!(
        html.contains(&format!("action=\"/tickets/{t}/follow\"")),
        "Follow button"
    );
    let r = browser
        .post(app.at(&format!("/tickets/{t}/follow")))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = browser
        .post(app.at(&format!("/tickets/{t}/follow")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    assert!(inbox::is_following(app.db(), t, gus).await.unwrap());
    let html = browser
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("action=\"/tickets/{t}/unfollow\"")),
        "Unfollow button"
    );
    let r = browser
        .post(app.at(&format!("/tickets/{t}/unfollow")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    assert!(!inbox::is_following(app.db(), t, gus).await.unwrap());
});

both_backends!(preferences_turn_kinds_off, |app| async move {
    let dana = agent(&app, "dana@casebook.test", "Dana White").await;
    let path = "/api/v1/notifications/preferences";
    let (s, v) = send(&app, reqwest::Method::GET, path, &dana.token, None).await;
    assert_eq!(s, 200);
    let prefs = v["preferences"].as_array().unwrap();
    assert!(prefs.iter().any(|p| p["kind"] == "mention"));
    assert!(
        prefs
            .iter()
            .all(|p| p["in_app"] == true && p["email"] == false),
        "{v}"
    );

    let (s, v) = send(
        &app,
        reqwest::Method::PUT,
        path,
        &dana.token,
        Some(&json!({"preferences": [{"kind": "mention", "in_app": false, "email": false}]})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let mention = v["preferences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "mention")
        .unwrap()
        .clone();
    assert_eq!(mention["in_app"], false);
    let (s, _) = send(
        &app,
        reqwest::Method::PUT,
        path,
        &dana.token,
        Some(&json!({"preferences": [{"kind": "gossip", "in_app": false, "email": false}]})),
    )
    .await;
    assert_eq!(s, 422);

    // Mentions are off: nothing is recorded. Assignments still are.
    let t = ticket(&app, "Refund").await;
    write(&app, &app.agent_token, t, "@dana please", "internal").await;
    assert_eq!(count(&app, dana.id, "mention").await, 0);
    assign(&app, &app.agent_token, t, Some(dana.id)).await;
    assert_eq!(count(&app, dana.id, "assigned").await, 1);

    // The page's form saves every kind (an unchecked box is off).
    let browser = app.browser();
    assert!(
        login(&app, &browser, "dana@casebook.test", PASSWORD)
            .await
            .is_redirection()
    );
    let (csrf, html) = csrf_from(&browser, &app.at("/notifications")).await;
    assert!(html.contains("name=\"assigned.email\""), "preferences form");
    let r = browser
        .post(app.at("/notifications/preferences"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("assigned.in_app", "on"),
            ("assigned.email", "on"),
            ("mention.in_app", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let prefs = inbox::prefs(app.db(), dana.id).await.unwrap();
    let get = |k: &str| prefs.iter().find(|p| p.kind == k).unwrap().clone();
    assert!(get("assigned").in_app && get("assigned").email);
    assert!(get("mention").in_app && !get("mention").email);
    assert!(!get("following").in_app && !get("following").email);
});

both_backends!(
    digest_selection_mails_each_notification_once,
    |app| async move {
        let db = app.db().clone();
        let state = app.running.state.clone();
        let dana = agent(&app, "dana@casebook.test", "Dana White").await;
        let every = 60 * MIN;
        inbox::set_prefs(
            &db,
            dana.id,
            &[inbox::Pref {
                kind: "assigned".into(),
                in_app: true,
                email: true,
            }],
            state.now(),
        )
        .await
        .unwrap();

        // Nothing by email for kinds left off (mentions), nor before an hour unread.
        let t1 = ticket(&app, "One").await;
        assign(&app, &app.agent_token, t1, Some(dana.id)).await;
        write(&app, &app.agent_token, t1, "@dana", "internal").await;
        assert!(
            inbox::due_digests(&db, state.now(), every)
                .await
                .unwrap()
                .is_empty()
        );
        app.clock.advance_ms(61 * MIN);
        let due = inbox::due_digests(&db, state.now(), every).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(
            (due[0].agent_id, due[0].email.as_str()),
            (dana.id, "dana@casebook.test")
        );
        assert_eq!(
            due[0].items.len(),
            1,
            "only the assignment: {:?}",
            due[0].items
        );
        assert_eq!(due[0].items[0].kind, "assigned");
        let (subject, text, _html) = inbox::digest_mail(&due[0], "https://desk.example");
        assert_eq!(subject, "Casebook: 1 unread notification");
        assert!(
            text.contains(&format!("https://desk.example/tickets/{t1}")),
            "{text}"
        );

        // Claimed once; a second claim of the same digest fails and nothing is due again.
        assert!(
            inbox::claim_digest(&db, &due[0], state.now())
                .await
                .unwrap()
        );
        assert!(
            !inbox::claim_digest(&db, &due[0], state.now())
                .await
                .unwrap()
        );
        assert!(
            inbox::due_digests(&db, state.now(), every)
                .await
                .unwrap()
                .is_empty()
        );

        // A new assignment waits for its hour and for the hour since the last digest; a read one
        // is never mailed.
        let t2 = ticket(&app, "Two").await;
        let t3 = ticket(&app, "Three").await;
        assign(&app, &app.agent_token, t2, Some(dana.id)).await;
        assign(&app, &app.agent_token, t3, Some(dana.id)).await;
        let read_id: i64 = sqlx::query_scalar(
            "SELECT agent_notification_id FROM agent_notification WHERE ticket_id = $1",
        )
        .bind(t3)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        inbox::mark_read(&db, dana.id, read_id, state.now())
            .await
            .unwrap();
        app.clock.advance_ms(30 * MIN);
        assert!(
            inbox::due_digests(&db, state.now(), every)
                .await
                .unwrap()
                .is_empty()
        );
        app.clock.advance_ms(31 * MIN);
        let due = inbox::due_digests(&db, state.now(), every).await.unwrap();
        assert_eq!(due.len(), 1);
        let tickets: Vec<Option<i64>> = due[0].items.iter().map(|n| n.ticket_id).collect();
        assert_eq!(tickets, vec![Some(t2)]);

        // A send that failed for now is released and goes into the next digest.
        let stamp = state.now();
        assert!(inbox::claim_digest(&db, &due[0], stamp).await.unwrap());
        inbox::release_digest(&db, &due[0], stamp).await.unwrap();
        let again = inbox::due_digests(&db, state.now(), every).await.unwrap();
        assert_eq!(again[0].items.len(), 1);
    }
);

both_backends!(unread_count_in_the_menu, |app| async move {
    let gus = agent_id(&app, &app.agent_email).await;
    for s in ["A", "B", "C"] {
        let t = ticket(&app, s).await;
        assign(&app, &app.admin_token, t, Some(gus)).await;
    }
    let browser = app.browser();
    assert!(
        login(&app, &browser, &app.agent_email, PASSWORD)
            .await
            .is_redirection()
    );
    let html = browser
        .get(app.at("/tickets"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"<span class="count" id="unread-count" data-count="3">(3)</span>"#),
        "{html}"
    );
    assert!(html.contains("/static/notifications.js"));

    // Mark one read through the API, then all through the page's form.
    let list = app.get_json("/api/v1/notifications").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let (s, v) = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/notifications/{id}/read"),
        &app.agent_token,
        None,
    )
    .await;
    assert_eq!((s, &v["unread"]), (200, &json!(2)), "{v}");
    let (s, _) = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/notifications/{id}/read"),
        &app.admin_token,
        None,
    )
    .await;
    assert_eq!(s, 404, "someone else's notification");
    let (csrf, html) = csrf_from(&browser, &app.at("/notifications")).await;
    assert!(html.contains("data-count=\"2\">(2)</span>"));
    assert!(html.contains("Show desktop notifications"));
    let r = browser
        .post(app.at("/notifications/read"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let html = browser
        .get(app.at("/tickets"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"id="unread-count" data-count="0" hidden"#),
        "{html}"
    );
    let js = browser
        .get(app.at("/static/notifications.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
    assert!(js.text().await.unwrap().contains("window.casebookNotify"));
});

/// The digest through real servers (Postfix into Dovecot, `.ci/mail-servers.sh`): one mail with
/// the unread notification, and nothing the second time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_is_mailed_once_through_smtp() {
    let Some(env) = crate::mail_e2e::MailEnv::get() else {
        return;
    };
    let support = env.fresh_address("helpdesk.test", "sup");
    let Some(app) = TestApp::spawn_with(
        crate::harness::Backend::Sqlite,
        crate::harness::Options {
            smtp_url: Some(env.smtp_url.clone()),
            support_address: Some(format!("Casebook Support <{support}>")),
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    let address = env.fresh_address("customer.test", "agt");
    let dana = agent(&app, &address, "Dana White").await;
    let state = app.running.state.clone();
    inbox::set_prefs(
        app.db(),
        dana.id,
        &[inbox::Pref {
            kind: "assigned".into(),
            in_app: true,
            email: true,
        }],
        state.now(),
    )
    .await
    .unwrap();
    let t = ticket(&app, "Printer on fire").await;
    assign(&app, &app.agent_token, t, Some(dana.id)).await;
    app.clock.advance_ms(61 * MIN);
    let mailer = state.mailer.clone().expect("mailer configured");
    assert_eq!(
        inbox::send_digests(&state, &mailer, state.now())
            .await
            .unwrap(),
        1
    );
    let mails = env.wait_for_mail(&address, 1).await;
    assert_eq!(mails.len(), 1);
    let raw = String::from_utf8_lossy(&mails[0]);
    assert!(raw.contains("Casebook: 1 unread notification"), "{raw}");
    assert!(raw.contains("Auto-Submitted: auto-generated"), "{raw}");
    app.clock.advance_ms(61 * MIN);
    assert_eq!(
        inbox::send_digests(&state, &mailer, state.now())
            .await
            .unwrap(),
        0
    );
}
