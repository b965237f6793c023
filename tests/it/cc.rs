//! People copied on a ticket: from the Cc of the customer's mail, added by an agent (API and
//! ticket page) or by the customer on their private link page; never our own addresses.

use crate::both_backends;
use crate::email_intake::mail;
use crate::harness::{PASSWORD, csrf_from, login};
use casebook::intake::email::{Ingested, Mode, Source, ingest};
use serde_json::{Value, json};

both_backends!(copied_people_on_a_ticket, |app| async move {
    let raw = mail(
        "rosa@customer.example",
        "Two invoices",
        Some("cc-1@customer.example"),
        "Cc: Max <MAX@customer.example>, rosa@customer.example, not an address\r\n",
        "Why two?",
    );
    let src = Source {
        mailbox: "test@imap/INBOX".into(),
        uidvalidity: Some(1),
        uid: Some(1),
    };
    let id = match ingest(&app.running.state, &src, &raw, Mode::Normal)
        .await
        .unwrap()
    {
        Ingested::Ticket { ticket_id, .. } => ticket_id,
        other => panic!("{other:?}"),
    };
    let t = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(
        t["cc"],
        json!(["max@customer.example"]),
        "the sender is not copied on their own ticket"
    );
    assert!(
        t["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "cc_added")
    );

    let patch = |body: Value| {
        let (api, url, token) = (
            app.api(),
            app.at(&format!("/api/v1/tickets/{id}")),
            app.agent_token.clone(),
        );
        async move {
            let r = api
                .patch(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (s, t) =
        patch(json!({"add_cc": ["Lena@Customer.example"], "remove_cc": ["max@customer.example"]}))
            .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["cc"], json!(["lena@customer.example"]));
    let (s, e) = patch(json!({"add_cc": ["ok@example.com", "nope"]})).await;
    assert_eq!(s, 422);
    assert_eq!(e["error"]["field"], "add_cc[1]");
    let many: Vec<String> = (0..21).map(|i| format!("p{i}@example.com")).collect();
    let (s, e) = patch(json!({ "add_cc": many })).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("add_cc")));

    // The ticket page's Cc card.
    let browser = app.browser();
    assert!(
        login(&app, &browser, &app.agent_email, PASSWORD)
            .await
            .is_redirection()
    );
    let (csrf, html) = csrf_from(&browser, &app.at(&format!("/tickets/{id}"))).await;
    assert!(html.contains("lena@customer.example"));
    let r = browser
        .post(app.at(&format!("/tickets/{id}/cc")))
        .form(&[("csrf", csrf.as_str()), ("add", "ben@customer.example")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let r = browser
        .post(app.at(&format!("/tickets/{id}/cc")))
        .form(&[("csrf", csrf.as_str()), ("add", "not-an-address")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    // The customer's private link page: they copy someone too.
    let token = {
        let mut conn = app.db().pool.acquire().await.unwrap();
        casebook::tickets::links::issue(&mut conn, id, app.running.state.now())
            .await
            .unwrap()
    };
    let visitor = app.browser();
    let (csrf, page) = csrf_from(&visitor, &app.at(&format!("/t/{token}"))).await;
    assert!(page.contains("Copied on replies") && page.contains("ben@customer.example"));
    let r = visitor
        .post(app.at(&format!("/t/{token}/cc")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("address", "boss@customer.example"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let r = visitor
        .post(app.at(&format!("/t/{token}/cc")))
        .form(&[("csrf", csrf.as_str()), ("address", "boss at example")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let t = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(
        t["cc"],
        json!([
            "lena@customer.example",
            "ben@customer.example",
            "boss@customer.example"
        ])
    );
});
