//! Merging a ticket into another (and undoing it) and splitting a message off: what moves, where
//! the customer's old link and mail replies land, and the refusals.

use crate::both_backends;
use crate::email_intake::mail;
use crate::harness::{PASSWORD, TestApp, csrf_from, login};
use casebook::intake::email::{Ingested, Mode, Source, ingest};
use serde_json::{Value, json};

async fn call(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let r = app
        .api()
        .post(app.at(path))
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

fn message_ids(t: &Value) -> Vec<i64> {
    t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

both_backends!(merge_undo_and_split, |app| async move {
    let email = "merge@example.com";
    let source = app
        .create_ticket(email, "Printer broken", "It prints nothing")
        .await["id"]
        .as_i64()
        .unwrap();
    let target = app
        .create_ticket(email, "Printer still broken", "Any news?")
        .await["id"]
        .as_i64()
        .unwrap();
    let other = app
        .create_ticket("someone.else@example.com", "Other", "Hi")
        .await["id"]
        .as_i64()
        .unwrap();
    let (s, _) = call(
        &app,
        &format!("/api/v1/tickets/{source}/messages"),
        json!({"body": "We are on it", "visibility": "public"}),
    )
    .await;
    assert_eq!(s, 201);
    let r = app
        .api()
        .patch(app.at(&format!("/api/v1/tickets/{source}")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"add_tags": ["printer"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The customer's private link to the source.
    let token = {
        let mut conn = app.db().pool.acquire().await.unwrap();
        casebook::tickets::links::issue(&mut conn, source, app.running.state.now())
            .await
            .unwrap()
    };
    let source_messages = message_ids(&ticket(&app, source).await);
    assert_eq!(source_messages.len(), 2);

    // Refusals first.
    for (path, body, status) in [
        (
            format!("/api/v1/tickets/{source}/merge"),
            json!({"into": source}),
            409,
        ),
        (
            format!("/api/v1/tickets/{source}/merge"),
            json!({"into": other}),
            409,
        ),
        (
            format!("/api/v1/tickets/{source}/merge"),
            json!({"into": 999999}),
            404,
        ),
        (format!("/api/v1/tickets/{source}/merge"), json!({}), 422),
        (
            format!("/api/v1/tickets/{source}/merge"),
            json!({"into": "x"}),
            422,
        ),
    ] {
        let (s, e) = call(&app, &path, body.clone()).await;
        assert_eq!(s, status, "{body} → {e}");
    }

    let (s, m) = call(
        &app,
        &format!("/api/v1/tickets/{source}/merge"),
        json!({"into": target}),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(m["messages_moved"], 2);
    let src = ticket(&app, source).await;
    assert_eq!(src["ticket"]["status"], "closed");
    assert_eq!(src["ticket"]["merged_into_id"], target);
    assert!(message_ids(&src).is_empty());
    let dst = ticket(&app, target).await;
    let moved = message_ids(&dst);
    assert!(
        source_messages.iter().all(|id| moved.contains(id)),
        "{moved:?}"
    );
    assert_eq!(dst["tags"], json!(["printer"]));
    assert!(
        dst["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "merged_from")
    );
    // Merging it again, or into it, is refused.
    let (s, _) = call(
        &app,
        &format!("/api/v1/tickets/{source}/merge"),
        json!({"into": target}),
    )
    .await;
    assert_eq!(s, 409);
    let (s, _) = call(
        &app,
        &format!("/api/v1/tickets/{target}/merge"),
        json!({"into": source}),
    )
    .await;
    assert_eq!(s, 409);

    // The customer's old link opens the target.
    let page = app
        .api()
        .get(app.at(&format!("/t/{token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Printer still broken"), "{page}");
    assert!(page.contains("We are on it"));
    // Mail that names the source (its subject tag) lands in the target.
    let secret: String = sqlx::query_scalar("SELECT reply_token FROM ticket WHERE ticket_id = $1")
        .bind(source)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    let tag = casebook::email::ticket_tag(source, Some(&secret));
    let raw = mail(
        email,
        &format!("Re: Printer broken [{tag}]"),
        Some("merge-reply@example.com"),
        "",
        "Still nothing",
    );
    let src_ref = Source {
        mailbox: "test@imap/INBOX".into(),
        uidvalidity: Some(1),
        uid: Some(9001),
    };
    let outcome = ingest(&app.running.state, &src_ref, &raw, Mode::Normal)
        .await
        .unwrap();
    match outcome {
        Ingested::Ticket { ticket_id, .. } => assert_eq!(ticket_id, target),
        other => panic!("{other:?}"),
    }

    // Undo: exactly what moved goes back; the reply that arrived since stays on the target.
    let merge_id = m["merge_id"].as_i64().unwrap();
    let (s, u) = call(&app, &format!("/api/v1/merges/{merge_id}/undo"), json!({})).await;
    assert_eq!(s, 200, "{u}");
    let src = ticket(&app, source).await;
    assert_eq!(src["ticket"]["status"], "open");
    assert!(src["ticket"]["merged_into_id"].is_null());
    assert_eq!(message_ids(&src), source_messages);
    let dst = ticket(&app, target).await;
    assert_eq!(dst["tags"], json!([]));
    assert!(
        dst["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["body_text"] == "Still nothing")
    );
    let page = app
        .api()
        .get(app.at(&format!("/t/{token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Printer broken") && !page.contains("Printer still broken"));
    let (s, _) = call(&app, &format!("/api/v1/merges/{merge_id}/undo"), json!({})).await;
    assert_eq!(s, 409, "undone once");

    // Split: the agent's reply on the source becomes a ticket of its own, routed like a new
    // one (here to the default team); the first message cannot be split off.
    let team = app
        .create_team(json!({"name": "Front desk", "is_default": true}))
        .await;
    let (s, e) = call(
        &app,
        &format!("/api/v1/messages/{}/split", source_messages[0]),
        json!({}),
    )
    .await;
    assert_eq!(s, 409, "{e}");
    let (s, n) = call(
        &app,
        &format!("/api/v1/messages/{}/split", source_messages[1]),
        json!({}),
    )
    .await;
    assert_eq!(s, 201, "{n}");
    let new = n["ticket_id"].as_i64().unwrap();
    let t = ticket(&app, new).await;
    assert_eq!(
        t["ticket"]["subject"],
        "Split from #".to_string() + &source.to_string() + ": Printer broken"
    );
    assert_eq!(message_ids(&t), vec![source_messages[1]]);
    app.drain_outbox().await;
    assert_eq!(ticket(&app, new).await["ticket"]["team_id"], team);
    assert_eq!(
        message_ids(&ticket(&app, source).await),
        vec![source_messages[0]]
    );
    let (s, _) = call(&app, "/api/v1/messages/999999/split", json!({})).await;
    assert_eq!(s, 404);
});

both_backends!(merge_from_the_ticket_page, |app| async move {
    let email = "page-merge@example.com";
    let source = app
        .create_ticket(email, "Login fails", "Cannot log in")
        .await["id"]
        .as_i64()
        .unwrap();
    let target = app.create_ticket(email, "Login still fails", "Help").await["id"]
        .as_i64()
        .unwrap();
    let browser = app.browser();
    assert!(
        login(&app, &browser, &app.agent_email, PASSWORD)
            .await
            .is_redirection()
    );
    let (csrf, html) = csrf_from(&browser, &app.at(&format!("/tickets/{source}"))).await;
    assert!(html.contains("Merge this ticket into"));
    // A bad number: the page again with the reason.
    let r = browser
        .post(app.at(&format!("/tickets/{source}/merge")))
        .form(&[("csrf", csrf.as_str()), ("into", &source.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("cannot be merged into itself")
    );
    let r = browser
        .post(app.at(&format!("/tickets/{source}/merge")))
        .form(&[("csrf", csrf.as_str()), ("into", &format!("#{target}"))])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    assert_eq!(r.headers()["location"], format!("/tickets/{target}"));
    let html = browser
        .get(app.at(&format!("/tickets/{source}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!(
            "Merged into <a href=\"/tickets/{target}\">#{target}</a>"
        )),
        "{html}"
    );
    assert!(html.contains("Undo the merge"));
    let r = browser
        .post(app.at(&format!("/tickets/{source}/unmerge")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    assert!(ticket(&app, source).await["ticket"]["merged_into_id"].is_null());
});
