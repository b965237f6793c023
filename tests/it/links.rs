//! Customers' private links: they expire (and the customer can have a fresh one mailed), and
//! agents can revoke them, or revoke and mail a fresh one, from the ticket page or the API.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp, csrf_from, login};

async fn issue(app: &TestApp, ticket_id: i64) -> String {
    let mut tx = app.db().begin().await.unwrap();
    let token = casebook::tickets::links::issue(&mut tx, ticket_id, app.running.state.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    token
}

async fn fresh_link_jobs(app: &TestApp, ticket_id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'link.sent' AND payload LIKE $1")
        .bind(format!("%\"ticket_id\":{ticket_id}%"))
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

both_backends!(links_expire_and_can_be_renewed_by_mail, |app| async move {
    let id = app
        .create_ticket(
            "lina@example.com",
            "Where is my parcel",
            "Ordered a week ago.",
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let token = issue(&app, id).await;
    let customer = app.browser();
    let link = app.at(&format!("/t/{token}"));
    assert_eq!(customer.get(&link).send().await.unwrap().status(), 200);

    app.clock.advance_ms(91 * 24 * 3_600_000);
    let r = customer.get(&link).send().await.unwrap();
    assert_eq!(r.status(), 410);
    let html = r.text().await.unwrap();
    assert!(html.contains("This link has expired"), "{html}");
    assert!(
        !html.contains("Where is my parcel"),
        "an expired link shows nothing of the ticket"
    );
    let (csrf, _) = csrf_from(&customer, &link).await;
    for _ in 0..2 {
        let r = customer
            .post(app.at(&format!("/t/{token}/renew")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("on its way"));
    }
    // One fresh link per ten minutes, however often it is asked for.
    assert_eq!(fresh_link_jobs(&app, id).await, 1);
    // A made-up token is not a ticket.
    let r = customer
        .get(app.at("/t/not-a-real-token-at-all"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
});

both_backends!(agents_revoke_and_reissue_links, |app| async move {
    let id = app
        .create_ticket(
            "omar@example.com",
            "Refund request",
            "Please refund order 7.",
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let (first, second) = (issue(&app, id).await, issue(&app, id).await);
    let summary = app.get_json(&format!("/api/v1/tickets/{id}/links")).await;
    assert_eq!(summary["links"]["active"], 2, "{summary}");

    // Through the API: revoke all.
    let r = app
        .api()
        .post(app.at(&format!("/api/v1/tickets/{id}/links/revoke")))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["revoked"], 2, "{body}");
    let customer = app.browser();
    for token in [&first, &second] {
        let r = customer
            .get(app.at(&format!("/t/{token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 410);
        assert!(r.text().await.unwrap().contains("withdrawn"));
    }
    // A revoked link cannot ask for a fresh one; only the customer's address gets one.
    let (csrf, _) = csrf_from(&customer, &app.at("/support")).await;
    let r = customer
        .post(app.at(&format!("/t/{first}/renew")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // From the ticket page: the card, then revoke and mail a fresh one.
    let third = issue(&app, id).await;
    let agent = app.browser();
    assert_eq!(login(&app, &agent, &app.agent_email, PASSWORD).await, 303);
    let (csrf, html) = csrf_from(&agent, &app.at(&format!("/tickets/{id}"))).await;
    assert!(
        html.contains("Customer link") && html.contains("1 working link"),
        "{html}"
    );
    let r = agent
        .post(app.at(&format!("/tickets/{id}/links/reissue")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(fresh_link_jobs(&app, id).await, 1);
    let r = customer
        .get(app.at(&format!("/t/{third}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 410);
    // An unknown action or ticket is a 404, not a 500.
    let r = app
        .api()
        .post(app.at(&format!("/api/v1/tickets/{id}/links/explode")))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = app
        .api()
        .post(app.at("/api/v1/tickets/999999/links/revoke"))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
});
