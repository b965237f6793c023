//! Reply drafts through real HTTP: saved, shown again and deleted per agent and ticket; bad input
//! named; kept across the sidebar update and the saved-reply search; deleted when the reply is
//! sent, kept when a stale reply is refused.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp, csrf_from, extract_attr, login};
use serde_json::{Value, json};

/// A logged-in browser and the CSRF token of its pages.
async fn agent_browser(app: &TestApp, email: &str) -> (reqwest::Client, String) {
    let client = app.browser();
    assert_eq!(login(app, &client, email, PASSWORD).await, 303);
    let (csrf, _) = csrf_from(&client, &app.at("/tickets")).await;
    (client, csrf)
}

async fn new_ticket(app: &TestApp) -> i64 {
    let id = app
        .create_ticket(
            "nora@example.com",
            "Invoice shows the wrong VAT",
            "Please fix.",
        )
        .await["id"]
        .as_i64()
        .unwrap();
    app.drain_outbox().await;
    id
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client.get(app.at(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {path}");
    r.text().await.unwrap()
}

/// The reply box's text on a ticket page, unescaped.
fn reply_box(html: &str) -> String {
    let at = html.find("<textarea id=\"body\"").expect("reply box");
    let open = at + html[at..].find('>').unwrap() + 1;
    let close = open + html[open..].find("</textarea>").unwrap();
    html[open..close]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn internal_checked(html: &str) -> bool {
    html.contains("value=\"internal\" checked")
}

/// `PUT /tickets/{id}/draft` as a form, the way drafts.js sends it.
async fn put_form(
    app: &TestApp,
    client: &reqwest::Client,
    id: i64,
    csrf: &str,
    body: &str,
    visibility: &str,
) -> (u16, String) {
    let r = client
        .put(app.at(&format!("/tickets/{id}/draft")))
        .header("x-csrf-token", csrf)
        .form(&[("body", body), ("visibility", visibility)])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn stored(app: &TestApp, client: &reqwest::Client, id: i64) -> Value {
    let r = client
        .get(app.at(&format!("/tickets/{id}/draft")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["draft"].clone()
}

/// (version, csrf) of the ticket page's reply form.
fn reply_form(html: &str) -> (String, String) {
    let form = &html[html.find("<form class=\"reply\"").expect("reply form")..];
    (
        extract_attr(form, "name=\"version\" value=\"").unwrap(),
        extract_attr(form, "name=\"csrf\" value=\"").unwrap(),
    )
}

async fn send_reply(
    app: &TestApp,
    client: &reqwest::Client,
    id: i64,
    csrf: &str,
    version: &str,
    body: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("version", version.to_string())
        .text("body", body.to_string())
        .text("visibility", "internal");
    client
        .post(app.at(&format!("/tickets/{id}/messages")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

both_backends!(saved_shown_and_deleted, |app| async move {
    let id = new_ticket(&app).await;
    let (gus, csrf) = agent_browser(&app, &app.agent_email).await;
    let path = format!("/tickets/{id}");
    assert_eq!(reply_box(&page(&app, &gus, &path).await), "");
    assert!(stored(&app, &gus, id).await.is_null());

    let text = "Hello Nora,\n\nthe VAT rate <19%> & the \"reverse charge\" note are fixed.\n";
    assert_eq!(put_form(&app, &gus, id, &csrf, text, "public").await.0, 204);
    let html = page(&app, &gus, &path).await;
    assert_eq!(reply_box(&html), text);
    assert!(!internal_checked(&html));
    assert!(
        !html.contains("data-draft-unsaved"),
        "the box shows the stored draft"
    );

    // JSON works too, and the visibility comes back.
    let r = gus
        .put(app.at(&format!("/tickets/{id}/draft")))
        .header("x-csrf-token", &csrf)
        .json(&json!({"body": "Check the invoice template", "visibility": "internal"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let html = page(&app, &gus, &path).await;
    assert_eq!(reply_box(&html), "Check the invoice template");
    assert!(internal_checked(&html), "an internal draft stays internal");
    let d = stored(&app, &gus, id).await;
    assert_eq!(
        (d["body"].as_str(), d["visibility"].as_str()),
        (Some("Check the invoice template"), Some("internal"))
    );

    // An empty body deletes the draft; so does DELETE.
    assert_eq!(
        put_form(&app, &gus, id, &csrf, "  \n", "public").await.0,
        204
    );
    assert!(stored(&app, &gus, id).await.is_null());
    assert_eq!(
        put_form(&app, &gus, id, &csrf, "again", "public").await.0,
        204
    );
    let r = gus
        .delete(app.at(&format!("/tickets/{id}/draft")))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(stored(&app, &gus, id).await.is_null());
    assert_eq!(reply_box(&page(&app, &gus, &path).await), "");

    // The CSRF token may also come in the form body.
    let r = gus
        .put(app.at(&format!("/tickets/{id}/draft")))
        .form(&[("body", "from a form"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(stored(&app, &gus, id).await["body"], "from a form");
});

both_backends!(bad_drafts_are_refused, |app| async move {
    let id = new_ticket(&app).await;
    let (gus, csrf) = agent_browser(&app, &app.agent_email).await;
    assert_eq!(
        put_form(&app, &gus, id, &csrf, "kept", "public").await.0,
        204
    );

    let field = |text: &str| serde_json::from_str::<Value>(text).unwrap()["error"]["field"].clone();
    let (s, t) = put_form(&app, &gus, id, &csrf, "hi", "secret").await;
    assert_eq!((s, field(&t)), (422, json!("visibility")), "{t}");
    let (s, t) = put_form(&app, &gus, id, &csrf, "a\0b", "public").await;
    assert_eq!((s, field(&t)), (422, json!("body")), "{t}");
    let long = "x".repeat(100_001);
    let (s, t) = put_form(&app, &gus, id, &csrf, &long, "public").await;
    assert_eq!((s, field(&t)), (422, json!("body")), "{t}");
    let r = gus
        .put(app.at(&format!("/tickets/{id}/draft")))
        .header("x-csrf-token", &csrf)
        .json(&json!({"body": 42}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "body");
    assert_eq!(
        stored(&app, &gus, id).await["body"],
        "kept",
        "a refused save changes nothing"
    );

    // No or a wrong CSRF token, no session, no such ticket.
    let r = gus
        .put(app.at(&format!("/tickets/{id}/draft")))
        .form(&[("body", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (s, _) = put_form(&app, &gus, id, "not-the-token", "forged", "public").await;
    assert_eq!(s, 403);
    let r = gus
        .delete(app.at(&format!("/tickets/{id}/draft")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let anonymous = app.browser();
    let r = anonymous
        .put(app.at(&format!("/tickets/{id}/draft")))
        .header("x-csrf-token", &csrf)
        .form(&[("body", "who am I")])
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 204);
    let (s, _) = put_form(&app, &gus, id + 1000, &csrf, "nowhere", "public").await;
    assert_eq!(s, 404);
    assert_eq!(stored(&app, &gus, id).await["body"], "kept");
});

both_backends!(drafts_belong_to_their_agent, |app| async move {
    let id = new_ticket(&app).await;
    let path = format!("/tickets/{id}");
    let (gus, gus_csrf) = agent_browser(&app, &app.agent_email).await;
    let (ada, ada_csrf) = agent_browser(&app, &app.admin_email).await;
    let secret = "Gus's half-written answer about the VAT";
    assert_eq!(
        put_form(&app, &gus, id, &gus_csrf, secret, "public")
            .await
            .0,
        204
    );
    let html = page(&app, &ada, &path).await;
    assert_eq!(reply_box(&html), "", "Ada never sees Gus's draft");
    assert!(!html.contains(secret));
    assert!(stored(&app, &ada, id).await.is_null());

    // Ada's own draft on the same ticket is hers alone; deleting it leaves Gus's.
    assert_eq!(
        put_form(&app, &ada, id, &ada_csrf, "Ada's note", "internal")
            .await
            .0,
        204
    );
    assert_eq!(reply_box(&page(&app, &gus, &path).await), secret);
    let r = ada
        .delete(app.at(&format!("/tickets/{id}/draft")))
        .header("x-csrf-token", &ada_csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(stored(&app, &gus, id).await["body"], secret);

    // Gus on another device (a new session) finds his draft.
    let (laptop, _) = agent_browser(&app, &app.agent_email).await;
    assert_eq!(reply_box(&page(&app, &laptop, &path).await), secret);
});

both_backends!(drafts_survive_navigation, |app| async move {
    let id = new_ticket(&app).await;
    let path = format!("/tickets/{id}");
    let (gus, csrf) = agent_browser(&app, &app.agent_email).await;
    let typed = "Dear Nora, I checked your invoice";
    assert_eq!(
        put_form(&app, &gus, id, &csrf, typed, "public").await.0,
        204
    );

    // The sidebar Update redirects back to the page: the draft is there.
    let html = page(&app, &gus, &path).await;
    let side = &html[html.find("id=\"ticket-update\"").unwrap()..];
    let version = extract_attr(side, "name=\"version\" value=\"").unwrap();
    let status = extract_attr(side, "name=\"status_was\" value=\"").unwrap();
    let r = gus
        .post(app.at(&format!("/tickets/{id}/update")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", &version),
            ("status_was", &status),
            ("status", &status),
            ("priority_was", "normal"),
            ("priority", "high"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = page(&app, &gus, &path).await;
    assert!(
        html.contains("value=\"high\" selected"),
        "the update applied"
    );
    assert_eq!(reply_box(&html), typed);

    // The saved-reply search reloads the page: the draft is there.
    let r = app
        .api()
        .post(app.at("/api/v1/saved-replies"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"title": "VAT fixed", "body": "The VAT on ticket #{{ticket.number}} is corrected."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let sid = r.json::<Value>().await.unwrap()["saved_reply"]["id"]
        .as_i64()
        .unwrap();
    let html = page(&app, &gus, &format!("{path}?reply_q=VAT")).await;
    assert!(html.contains(&format!("?saved_reply={sid}")), "{html}");
    assert_eq!(reply_box(&html), typed);

    // Inserting it (without JavaScript) adds it after the draft instead of replacing it.
    let inserted = format!("The VAT on ticket #{id} is corrected.");
    let html = page(&app, &gus, &format!("{path}?saved_reply={sid}")).await;
    assert_eq!(reply_box(&html), format!("{typed}\n\n{inserted}"));
    assert!(
        html.contains("data-draft-unsaved"),
        "drafts.js saves what the server added"
    );
    // The script asks for the same text to insert at the cursor.
    let r = gus
        .get(app.at(&format!("{path}/draft/insert?saved_reply={sid}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["text"], inserted.as_str());
    let r = gus
        .get(app.at(&format!("{path}/draft/insert")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(stored(&app, &gus, id).await["body"], typed);
});

both_backends!(
    sending_deletes_the_draft_and_a_stale_send_keeps_it,
    |app| async move {
        let id = new_ticket(&app).await;
        let path = format!("/tickets/{id}");
        let (gus, csrf) = agent_browser(&app, &app.agent_email).await;
        let reply = "The corrected invoice is attached to your account.";
        assert_eq!(
            put_form(&app, &gus, id, &csrf, reply, "internal").await.0,
            204
        );
        let (version, form_csrf) = reply_form(&page(&app, &gus, &path).await);

        // An empty send is refused and the draft stays.
        let r = send_reply(&app, &gus, id, &form_csrf, &version, "   ").await;
        assert_eq!(r.status(), 422);
        assert_eq!(reply_box(&r.text().await.unwrap()), reply);

        // Someone else changes the ticket; Gus's send from the older page is refused, reply kept.
        let r = app
            .api()
            .post(app.at(&format!("/api/v1/tickets/{id}/messages")))
            .bearer_auth(&app.admin_token)
            .json(&json!({"body": "Customer called", "visibility": "internal"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let edited = format!("{reply} Sorry for the trouble.");
        let r = send_reply(&app, &gus, id, &form_csrf, &version, &edited).await;
        assert_eq!(r.status(), 409);
        let html = r.text().await.unwrap();
        assert_eq!(reply_box(&html), edited);
        assert!(internal_checked(&html));
        let d = stored(&app, &gus, id).await;
        assert_eq!(d["body"], edited.as_str(), "the refused reply is the draft");
        assert_eq!(reply_box(&page(&app, &gus, &path).await), edited);

        // Sent: the draft is gone and the box is empty.
        let (version, form_csrf) = reply_form(&page(&app, &gus, &path).await);
        let r = send_reply(&app, &gus, id, &form_csrf, &version, &edited).await;
        assert_eq!(r.status(), 303);
        assert!(stored(&app, &gus, id).await.is_null());
        let html = page(&app, &gus, &path).await;
        assert_eq!(reply_box(&html), "");
        assert!(
            html.contains("Sorry for the trouble."),
            "the reply was sent"
        );
    }
);
