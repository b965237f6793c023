//! Macros: saved replies with actions. Applying one changes the ticket through its commands,
//! adds the note, counts the use, and puts the reply text into the agent's draft (kept).

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp, csrf_from, login};
use serde_json::{Value, json};

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let r = app
        .api()
        .post(app.at(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn reply_box(html: &str) -> String {
    let at = html.find("<textarea id=\"body\"").expect("reply box");
    let open = at + html[at..].find('>').unwrap() + 1;
    let close = open + html[open..].find("</textarea>").unwrap();
    html[open..close].replace("&amp;", "&")
}

both_backends!(macros_apply_actions_and_keep_the_draft, |app| async move {
    let refund = json!({
        "title": "Refund done",
        "body": "Hi {{customer.name}}, we refunded ticket #{{ticket.number}}.",
        "actions": {"status": "pending", "priority": "high", "assign": "me",
                    "add_tags": ["Refund"], "note": "Refund issued by {{agent.name}}"}
    });
    // Only leads and admins manage them; bad actions name the field.
    let (s, _) = post(&app, &app.agent_token, "/api/v1/macros", refund.clone()).await;
    assert_eq!(s, 403);
    for (actions, field) in [
        (json!({"status": "done"}), "actions.status"),
        (json!({"priority": "asap"}), "actions.priority"),
        (json!({"assign": "bob"}), "actions.assign"),
        (json!({"add_tags": ["x".repeat(51)]}), "actions.add_tags"),
    ] {
        let (s, e) = post(
            &app,
            &app.admin_token,
            "/api/v1/macros",
            json!({"title": "Bad", "body": "x", "actions": actions}),
        )
        .await;
        assert_eq!((s, e["error"]["field"].as_str()), (422, Some(field)), "{e}");
    }
    let (s, e) = post(
        &app,
        &app.admin_token,
        "/api/v1/macros",
        json!({"title": "Empty"}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("body")),
        "{e}"
    );
    let (s, m) = post(&app, &app.admin_token, "/api/v1/macros", refund).await;
    assert_eq!(s, 201, "{m}");
    let mid = m["saved_reply"]["id"].as_i64().unwrap();
    assert_eq!(m["saved_reply"]["actions"]["add_tags"], json!(["refund"]));

    // Through the API: the changes are made, the text comes back.
    let id = app
        .create_ticket("m@example.com", "Refund please", "Charged twice")
        .await["id"]
        .as_i64()
        .unwrap();
    let (s, out) = post(
        &app,
        &app.agent_token,
        &format!("/api/v1/tickets/{id}/macros/{mid}/apply"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    assert_eq!(
        out["reply_text"],
        format!("Hi Test Customer, we refunded ticket #{id}.")
    );
    let t = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(t["ticket"]["status"], "pending");
    assert_eq!(t["ticket"]["priority"], "high");
    assert_eq!(t["ticket"]["assignee_name"], "Gus Agent");
    assert_eq!(t["tags"], json!(["refund"]));
    let note = t["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(note["visibility"], "internal");
    assert_eq!(note["body_text"], "Refund issued by Gus Agent");
    let (s, _) = post(
        &app,
        &app.agent_token,
        &format!("/api/v1/tickets/{id}/macros/99999/apply"),
        json!({}),
    )
    .await;
    assert_eq!(s, 404);

    // On the ticket page: the agent's draft stays, the text is added after it.
    let id2 = app
        .create_ticket("m2@example.com", "Refund again", "Charged twice")
        .await["id"]
        .as_i64()
        .unwrap();
    let gus = app.browser();
    assert!(
        login(&app, &gus, &app.agent_email, PASSWORD)
            .await
            .is_redirection()
    );
    let path = format!("/tickets/{id2}");
    let (csrf, _) = csrf_from(&gus, &app.at(&path)).await;
    let r = gus
        .put(app.at(&format!("{path}/draft")))
        .header("x-csrf-token", &csrf)
        .form(&[("body", "My own words."), ("visibility", "public")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let html = gus
        .get(app.at(&format!("{path}?reply_q=refund")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Apply Refund done"), "{html}");
    assert!(html.contains("status → pending"));
    let r = gus
        .post(app.at(&format!("{path}/macros/{mid}/apply")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let next = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        next.starts_with(&format!("{path}?saved_reply={mid}")),
        "{next}"
    );
    let html = gus
        .get(app.at(&next))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        reply_box(&html),
        format!("My own words.\n\nHi Test Customer, we refunded ticket #{id2}.")
    );
    assert_eq!(
        app.get_json(&format!("/api/v1/tickets/{id2}")).await["tags"],
        json!(["refund"])
    );
    // Uses are counted (the API apply and the page's).
    let m = app.get_json(&format!("/api/v1/macros/{mid}")).await;
    assert_eq!(m["saved_reply"]["uses"], 2);
});

both_backends!(personal_macros_teams_and_following, |app| async move {
    // An agent writes their own macro; a shared one stays for leads and admins.
    let mine = json!({"title": "My triage", "body": "", "personal": true,
                      "actions": {"add_tags": ["mine"], "follow": true}});
    let (s, m) = post(&app, &app.agent_token, "/api/v1/macros", mine.clone()).await;
    assert_eq!(s, 201, "{m}");
    assert_eq!(m["saved_reply"]["personal"], true);
    let mine_id = m["saved_reply"]["id"].as_i64().unwrap();
    let (s, _) = post(
        &app,
        &app.agent_token,
        "/api/v1/macros",
        json!({"title": "Shared?", "body": "x"}),
    )
    .await;
    assert_eq!(s, 403, "agents write only their own");
    // The same title is fine for someone else's own and for a shared one, not twice for one agent.
    let (s, e) = post(&app, &app.agent_token, "/api/v1/macros", mine.clone()).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("title")),
        "{e}"
    );
    let (s, _) = post(&app, &app.admin_token, "/api/v1/macros", mine.clone()).await;
    assert_eq!(s, 201);
    let (s, shared) = post(
        &app,
        &app.admin_token,
        "/api/v1/macros",
        json!({"title": "My triage", "body": "Shared text"}),
    )
    .await;
    assert_eq!(s, 201, "{shared}");
    let shared_id = shared["saved_reply"]["id"].as_i64().unwrap();
    // Nobody else sees, uses, edits or deletes it.
    let (s, list) = app
        .send("GET", "/api/v1/macros", &app.admin_token, Value::Null)
        .await;
    assert_eq!(s, 200);
    assert!(
        list["saved_replies"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != mine_id),
        "{list}"
    );
    let path = format!("/api/v1/macros/{mine_id}");
    for m in ["GET", "PUT", "DELETE"] {
        let (s, _) = app
            .send(
                m,
                &path,
                &app.admin_token,
                json!({"title": "x", "body": "y"}),
            )
            .await;
        assert_eq!(s, 404, "{m} of another agent's macro");
    }
    let id = app
        .create_ticket("p@example.com", "Personal", "Hello")
        .await["id"]
        .as_i64()
        .unwrap();
    let (s, _) = post(
        &app,
        &app.admin_token,
        &format!("/api/v1/tickets/{id}/macros/{mine_id}/apply"),
        json!({}),
    )
    .await;
    assert_eq!(s, 404);
    // Agents cannot change a shared one.
    let (s, _) = app
        .send(
            "PUT",
            &format!("/api/v1/macros/{shared_id}"),
            &app.agent_token,
            json!({"title": "x", "body": "y"}),
        )
        .await;
    assert_eq!(s, 403);
    // The owner can; a team that does not exist is named.
    let (s, e) = app
        .send(
            "PUT",
            &path,
            &app.agent_token,
            json!({"title": "My triage", "body": "", "actions": {"team_id": 424242}}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("actions.team_id")),
        "{e}"
    );
    let team = app.create_team(json!({"name": "Billing"})).await;
    let (s, e) = app.send("PUT", &path, &app.agent_token,
        json!({"title": "My triage", "body": "", "actions": {"add_tags": ["mine"], "team_id": team, "follow": true, "note": "Moved"}})).await;
    assert_eq!(s, 200, "{e}");

    // Applied: tags, team, note and following as one change.
    app.drain_outbox().await;
    let before = app.get_json(&format!("/api/v1/tickets/{id}")).await["ticket"]["version"]
        .as_i64()
        .unwrap();
    let (s, out) = post(
        &app,
        &app.agent_token,
        &format!("/api/v1/tickets/{id}/macros/{mine_id}/apply"),
        json!({}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    assert_eq!(out["ticket"]["version"], before + 1, "one change: {out}");
    let t = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(t["tags"], json!(["mine"]));
    let team_now: Option<i64> =
        sqlx::query_scalar("SELECT team_id FROM ticket WHERE ticket_id = $1")
            .bind(id)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
    assert_eq!(team_now, Some(team));
    let gus = app.browser();
    assert!(
        login(&app, &gus, &app.agent_email, PASSWORD)
            .await
            .is_redirection()
    );
    let html = gus
        .get(app.at(&format!("/tickets/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("/tickets/{id}/unfollow")),
        "the agent follows the ticket now"
    );

    // The macros page: every agent's own, editable; the shared ones to read.
    let html = gus
        .get(app.at("/admin/macros"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("action=\"/admin/saved-replies/{mine_id}\"")),
        "{html}"
    );
    assert!(
        !html.contains(&format!("action=\"/admin/saved-replies/{shared_id}\"")),
        "{html}"
    );
    assert!(html.contains("Shared text"));
    // A personal macro made from the page.
    let (csrf, _) = csrf_from(&gus, &app.at("/admin/macros")).await;
    let r = gus
        .post(app.at("/admin/saved-replies"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "From the page"),
            ("body", "Hi"),
            ("personal", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let (_, list) = app
        .send(
            "GET",
            "/api/v1/macros?q=page",
            &app.agent_token,
            Value::Null,
        )
        .await;
    assert_eq!(list["saved_replies"][0]["personal"], true, "{list}");
});
