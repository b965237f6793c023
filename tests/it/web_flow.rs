//! The public form → ticket → agent reply → customer's private link, through real HTTP.

use crate::both_backends;
use crate::harness::{PASSWORD, csrf_from, extract_attr, login};
use reqwest::multipart::{Form, Part};

async fn submit_form(
    app: &crate::harness::TestApp,
    customer: &reqwest::Client,
    subject: &str,
    message: &str,
) -> (reqwest::Response, String) {
    let (csrf, html) = csrf_from(customer, &app.at("/support")).await;
    let form_key = extract_attr(&html, "name=\"form_key\" value=\"").unwrap();
    let form = Form::new()
        .text("csrf", csrf)
        .text("form_key", form_key.clone())
        .text("name", "Rosa Díaz")
        .text("email", "Rosa@Example.com")
        .text("subject", subject.to_string())
        .text("message", message.to_string())
        .text("website", "")
        .part(
            "attachment",
            Part::bytes(b"line one\nline two\n".to_vec())
                .file_name("notes.txt")
                .mime_str("text/plain")
                .unwrap(),
        );
    (
        customer
            .post(app.at("/support"))
            .multipart(form)
            .send()
            .await
            .unwrap(),
        form_key,
    )
}

both_backends!(form_reply_and_private_link, |app| async move {
    let customer = app.browser();
    let (resp, _) = submit_form(
        &app,
        &customer,
        "Printer on fire",
        "It started smoking after the update.",
    )
    .await;
    assert_eq!(resp.status(), 303);
    let link = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(
        link.starts_with("/t/") && link.ends_with("?new=1"),
        "{link}"
    );
    let page = customer
        .get(app.at(&link))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("private link"), "confirmation shows the link");
    assert!(page.contains("Printer on fire") && page.contains("notes.txt"));

    // The agent sees it in Unassigned and answers: one public reply, one internal note.
    let agent = app.browser();
    assert_eq!(login(&app, &agent, &app.agent_email, PASSWORD).await, 303);
    let queue = agent
        .get(app.at("/tickets?queue=unassigned"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains("Printer on fire") && queue.contains("Rosa Díaz"));
    let id = extract_attr(&queue, "<td><a href=\"/tickets/").unwrap();
    let (csrf, ticket_page) = csrf_from(&agent, &app.at(&format!("/tickets/{id}"))).await;
    assert!(ticket_page.contains("It started smoking"));
    let r = agent
        .post(app.at(&format!("/tickets/{id}/messages")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("body", "Please unplug it; a technician is on the way."),
            ("visibility", "public"),
            ("status", "pending"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = agent
        .post(app.at(&format!("/tickets/{id}/messages")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("body", "SECRET: customer has had three fires already"),
            ("visibility", "internal"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // The customer sees the reply, never the note, and their answer reopens the ticket.
    let path = link.trim_end_matches("?new=1");
    let (ccsrf, view) = csrf_from(&customer, &app.at(path)).await;
    assert!(view.contains("a technician is on the way"));
    assert!(
        !view.contains("SECRET"),
        "internal notes never reach the customer"
    );
    assert!(view.contains("waiting for your reply"));
    let r = customer
        .post(app.at(&format!("{path}/messages")))
        .form(&[("csrf", ccsrf.as_str()), ("message", "Unplugged. Thanks!")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let t: serde_json::Value = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(
        t["ticket"]["status"], "open",
        "customer reply on pending reopens"
    );
    assert_eq!(t["messages"].as_array().unwrap().len(), 4);
    assert_eq!(t["ticket"]["customer_email"], "rosa@example.com");
    assert!(t["ticket"]["first_response_at"].is_i64());
    let kinds: Vec<&str> = t["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in ["created", "reply", "first_response", "status", "note"] {
        assert!(kinds.contains(&k), "event {k} recorded: {kinds:?}");
    }
    // The attachment is downloadable by the customer through the link.
    let att = extract_attr(&view, &format!("href=\"{path}/attachments/")).unwrap();
    let body = customer
        .get(app.at(&format!("{path}/attachments/{att}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        body.headers()["content-disposition"],
        "attachment; filename=\"notes.txt\"; filename*=UTF-8''notes.txt"
    );
    assert_eq!(
        body.bytes().await.unwrap().as_ref(),
        b"line one\nline two\n"
    );
});

both_backends!(
    same_form_submitted_twice_makes_one_ticket,
    |app| async move {
        let customer = app.browser();
        let (csrf, html) = csrf_from(&customer, &app.at("/support")).await;
        let form_key = extract_attr(&html, "name=\"form_key\" value=\"").unwrap();
        let fields = [
            ("csrf", csrf.as_str()),
            ("form_key", form_key.as_str()),
            ("email", "twice@example.com"),
            ("subject", "Double click"),
            ("message", "I clicked send twice"),
        ];
        let a = customer
            .post(app.at("/support"))
            .form(&fields)
            .send()
            .await
            .unwrap();
        let b = customer
            .post(app.at("/support"))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(a.status(), 303);
        assert_eq!(b.status(), 303);
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(n, 1);
        // Someone else sending from the same (cached) page gets their own ticket, not a link to this one.
        let other = [
            ("csrf", csrf.as_str()),
            ("form_key", form_key.as_str()),
            ("email", "other@example.com"),
            ("subject", "Mine"),
            ("message", "My own question"),
        ];
        let c = customer
            .post(app.at("/support"))
            .form(&other)
            .send()
            .await
            .unwrap();
        let pc = customer
            .get(app.at(c.headers()["location"].to_str().unwrap()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(pc.contains("My own question") && !pc.contains("I clicked send twice"));
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(n, 2);
        // Both redirects lead to the same ticket.
        let pa = customer
            .get(app.at(a.headers()["location"].to_str().unwrap()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let pb = customer
            .get(app.at(b.headers()["location"].to_str().unwrap()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(pa.contains("Double click") && pb.contains("Double click"));
    }
);

both_backends!(honeypot_creates_nothing, |app| async move {
    let customer = app.browser();
    let (csrf, _) = csrf_from(&customer, &app.at("/support")).await;
    let r = customer
        .post(app.at("/support"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "bot@example.com"),
            ("subject", "Buy now"),
            ("message", "spam"),
            ("website", "http://spam.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/support/received");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
});

both_backends!(closed_ticket_reply_starts_follow_up, |app| async move {
    let t = app
        .create_ticket("c@example.com", "Old problem", "first")
        .await;
    let id = t["id"].as_i64().unwrap();
    let api = app.api();
    for status in ["solved", "closed"] {
        let r = api
            .patch(app.at(&format!("/api/v1/tickets/{id}")))
            .bearer_auth(&app.agent_token)
            .json(&serde_json::json!({"status": status}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    // The customer writes through a link to the closed ticket.
    let mut tx = app.db().begin().await.unwrap();
    let token = casebook::tickets::links::issue(&mut tx, id, app.running.state.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let customer = app.browser();
    let (csrf, _) = csrf_from(&customer, &app.at(&format!("/t/{token}"))).await;
    let r = customer
        .post(app.at(&format!("/t/{token}/messages")))
        .form(&[("csrf", csrf.as_str()), ("message", "It is back!")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert_ne!(loc, format!("/t/{token}"), "a new link for the follow-up");
    let closed: serde_json::Value = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(
        closed["ticket"]["status"], "closed",
        "closed tickets stay closed"
    );
    let list: serde_json::Value = app.get_json("/api/v1/tickets").await;
    let follow = &list["items"][0];
    assert_eq!(follow["follow_up_of_id"], id);
    assert_eq!(follow["status"], "new");
});

both_backends!(demo_data_loads_once, |app| async move {
    let now = app.running.state.now();
    casebook::demo::load_if_empty(app.db(), now).await.unwrap();
    casebook::demo::load_if_empty(app.db(), now).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(n, 40);
    for status in ["new", "open", "pending", "solved", "closed"] {
        let c: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket WHERE status = $1")
            .bind(status)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        assert!(c > 0, "demo has {status} tickets");
    }
    let agent = app.browser();
    assert_eq!(
        login(
            &app,
            &agent,
            "lead@demo.casebook.test",
            casebook::demo::DEMO_PASSWORD
        )
        .await,
        303
    );
    let page = agent
        .get(app.at("/tickets?queue=open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Older tickets") || page.contains("<tbody>"));
    // The customer's history is beside the ticket and on the customer page.
    let olivia: i64 = sqlx::query_scalar(
        "SELECT customer_id FROM customer_identity WHERE value = 'olivia@acme.example'",
    )
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    let ticket: i64 =
        sqlx::query_scalar("SELECT MAX(ticket_id) FROM ticket WHERE customer_id = $1")
            .bind(olivia)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
    let page = agent
        .get(app.at(&format!("/tickets/{ticket}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Their subscription is cancelled."),
        "risk flag with its reason"
    );
    assert!(page.contains("Recent activity") && page.contains("Came from"));
    let page = agent
        .get(app.at(&format!("/customers/{olivia}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Lifetime value")
            && page.contains("campaign touch")
            && page.contains("Ticket ")
    );
    let orders = agent
        .get(app.at(&format!("/customers/{olivia}?kind=order")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        orders.contains("<strong>order</strong>")
            && !orders.contains("<strong>campaign touch</strong>")
    );
    assert_eq!(
        agent
            .get(app.at(&format!("/customers/{olivia}?kind=bogus")))
            .send()
            .await
            .unwrap()
            .status(),
        422
    );
});

both_backends!(outbox_runs_each_job_once, |app| async move {
    for i in 0..5 {
        app.create_ticket(&format!("o{i}@example.com"), "Outbox", "body")
            .await;
    }
    app.drain_outbox().await;
    // Another drain finds nothing to do and changes nothing.
    let ran = casebook::jobs::drain_once(&app.running.state, "second")
        .await
        .unwrap();
    assert_eq!(ran, 0);
    let routed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket_event WHERE kind = 'routed'")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(routed, 5);
});

both_backends!(
    admin_index_lists_what_the_viewer_may_open,
    |app| async move {
        let admin = app.browser();
        assert_eq!(login(&app, &admin, &app.admin_email, PASSWORD).await, 303);
        let page = admin
            .get(app.at("/admin"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for href in [
            "/admin/teams",
            "/admin/rules",
            "/admin/agents",
            "/admin/sla",
            "/admin/quarantine",
        ] {
            assert!(page.contains(&format!("href=\"{href}\"")), "{href}");
        }
        let agent = app.browser();
        assert_eq!(login(&app, &agent, &app.agent_email, PASSWORD).await, 303);
        let r = agent.get(app.at("/admin")).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let queue = agent
            .get(app.at("/tickets"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !queue.contains("href=\"/admin\""),
            "agents see no Admin link"
        );
    }
);
