//! The agent's desk tools end to end in headless Chromium (see `browser.rs` for how sessions start
//! and what is needed): a macro applied from the ticket page keeps the draft being written, a bulk
//! change from a queue leaves alone a ticket someone else changed after it was ticked, a merge
//! carries the customer's old private link to the target, and attachments preview inline only
//! when they are safe to.

use crate::browser::{
    Chromedriver, WAIT, browser_app, click, find, find_xpath, fit_viewport, goto, log_in,
    reply_text, screenshot, source, ticket_json, type_into, until, until_stored,
};
use crate::harness::TestApp;
use base64::Engine;
use fantoccini::Client;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A 16×12 red PNG (valid CRCs, so the browser decodes it).
const PNG_16X12: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x10\x00\x00\x00\x0c\
\x08\x02\x00\x00\x00\xe4\x85\xaa\xd6\x00\x00\x00\x15IDATx\xdac8!'G\x12b\x18\xd50\xaa\x01;\x02\x00\
\x80\xec\xc3\x01\x1a\xca\x82\x0e\x00\x00\x00\x00IEND\xaeB`\x82";

async fn agent_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("SELECT agent_id FROM agent WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

/// A JavaScript string literal holding `s`.
fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// Runs `script` (returning a boolean) until it is true, treating a failed call as "not yet":
/// the page may be between two documents while it reloads. Fails after `WAIT`.
async fn until_reloaded(c: &Client, what: &str, script: &str) {
    let started = Instant::now();
    loop {
        if let Ok(v) = c.execute(script, vec![]).await
            && v.as_bool() == Some(true)
        {
            return;
        }
        if started.elapsed() > WAIT {
            panic!(
                "{what}: not true within {WAIT:?}; page:\n{}",
                source(c).await
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An admin's macro with placeholders and actions, applied from the ticket page: its text goes in
/// where the cursor is in the agent's unsent reply (nothing of the reply is lost), its changes
/// are made, and the combined draft is stored on the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_macro_goes_in_at_the_cursor_and_keeps_the_draft_in_chromium() {
    let Some(app) = browser_app().await else {
        return;
    };
    let r = app
        .api()
        .post(app.at("/api/v1/macros"))
        .bearer_auth(&app.admin_token)
        .json(&json!({
            "title": "Refund issued",
            "body": "Hi {{customer.name}}, the refund is on its way.",
            "actions": {"status": "pending", "priority": "high", "add_tags": ["Refund"]}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let id = app
        .create_ticket("rina@example.com", "Charged twice", "I was charged twice.")
        .await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(ticket_json(&app, id).await["status"], "new");
    let gus = agent_id(&app, &app.agent_email).await;
    let driver = Chromedriver::start().await;
    let c = driver.connect().await;
    log_in(&c, &app, &app.agent_email).await;
    goto(&c, &app.at(&format!("/tickets/{id}"))).await;

    // The agent writes, then looks for the macro (a search reloads the page; the draft stays).
    let head = "Thanks for your patience.";
    let tail = "Best regards,\nGus";
    let typed = format!("{head}\n{tail}");
    type_into(&c, "#body", &typed).await;
    type_into(&c, "#reply_q", "refund").await;
    click(&c, "#saved-replies button[type=\"submit\"]").await;
    let apply = "form[data-macro-apply] button[type=\"submit\"]";
    let button = find(&c, apply).await.text().await.unwrap();
    assert!(button.contains("Refund issued"), "{button}");
    assert_eq!(reply_text(&c).await, typed, "after the macro search");

    // The cursor goes between the two lines; then Apply.
    let at = head.chars().count() + 1;
    c.execute(
        &format!(
            "const b = document.getElementById('body'); b.focus(); b.setSelectionRange({at}, {at}); \
             window.__beforeApply = true;"
        ),
        vec![],
    )
    .await
    .unwrap();
    click(&c, apply).await;
    // The script applies it, saves the draft, and reloads the page.
    until_reloaded(
        &c,
        "the page reloads after the macro",
        "return window.__beforeApply !== true && document.readyState === 'complete' \
         && !!document.getElementById('body')",
    )
    .await;
    let expected = format!("{head}\n\nHi Test Customer, the refund is on its way.\n\n{tail}");
    assert_eq!(
        reply_text(&c).await,
        expected,
        "the macro text is at the cursor, the draft around it"
    );
    screenshot(&c, "desk-macro.png").await;

    // The macro's changes were made.
    let t = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(t["ticket"]["status"], "pending", "{t}");
    assert_eq!(t["ticket"]["priority"], "high", "{t}");
    assert_eq!(t["tags"], json!(["refund"]), "{t}");
    // Nothing was sent: the text is only in the draft.
    assert!(
        t["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| !m["body_text"]
                .as_str()
                .unwrap_or("")
                .contains("refund is on")),
        "{t}"
    );

    // The draft is the server's: stored, and there after another reload (without the search).
    until_stored(&app, gus, id, Some(&expected)).await;
    goto(&c, &app.at(&format!("/tickets/{id}"))).await;
    find(&c, "#body").await;
    assert_eq!(reply_text(&c).await, expected, "after reloading the page");

    c.close().await.expect("close the browser session");
    drop(driver);
}

/// A bulk change from a queue: two of three rows ticked, one of them changed by someone else
/// before the agent submits (the live queue shows the change but keeps the version the agent
/// ticked), confirmed: the other one changes, the changed one is listed and left alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_change_leaves_a_ticket_changed_meanwhile_alone_in_chromium() {
    let Some(app) = browser_app().await else {
        return;
    };
    let mut ids = Vec::new();
    for (i, subject) in ["Bulk label jam", "Bulk toner empty", "Bulk paper tray"]
        .into_iter()
        .enumerate()
    {
        let id = app
            .create_ticket(&format!("bulk{i}@example.com"), subject, "Hello")
            .await["id"]
            .as_i64()
            .unwrap();
        ids.push(id);
    }
    let (a, b, untouched) = (ids[0], ids[1], ids[2]);
    for id in &ids {
        assert_eq!(ticket_json(&app, *id).await["priority"], "normal");
    }
    let b_seen = ticket_json(&app, b).await["version"].as_i64().unwrap();
    app.drain_outbox().await;

    let driver = Chromedriver::start().await;
    let c = driver.connect().await;
    log_in(&c, &app, &app.agent_email).await;
    goto(&c, &app.at("/tickets?queue=all")).await;
    find(&c, "#queue-list table.tickets").await;
    for id in &ids {
        find(&c, &format!("tr#ticket-{id}")).await;
    }
    let tick = |id: i64| format!("tr#ticket-{id} input[type=checkbox][form=bulk]");
    click(&c, &tick(a)).await;
    click(&c, &tick(b)).await;
    let b_box = find(&c, &tick(b)).await;
    assert_eq!(
        b_box.attr("value").await.unwrap().as_deref(),
        Some(format!("{b}:{b_seen}").as_str()),
        "the row carries the version shown"
    );

    // Meanwhile the admin lowers b's priority.
    let r = app
        .api()
        .patch(app.at(&format!("/api/v1/tickets/{b}")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"priority": "low"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // The live queue redraws b's row; it stays ticked, with the version the agent saw.
    until(
        &c,
        "the live queue shows the admin's change",
        &format!(
            "const tr = document.getElementById('ticket-{b}'); \
             return !!tr && tr.getAttribute('data-version') !== '{b_seen}' \
             && tr.textContent.includes('low')"
        ),
    )
    .await;
    let kept = c
        .execute(
            &format!(
                "const i = document.querySelector({}); return [i.checked, i.value];",
                js(&tick(b))
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        kept,
        json!([true, format!("{b}:{b_seen}")]),
        "the redrawn row keeps the selection and the version seen"
    );

    // Priority → high for the selected tickets; the count, then the result.
    find(&c, "#bulk-priority")
        .await
        .select_by_value("high")
        .await
        .unwrap();
    click(&c, "form#bulk button[type=\"submit\"]").await;
    let h1 = find(&c, "section.card h1").await.text().await.unwrap();
    assert_eq!(h1, "Change 2 tickets?", "{}", source(&c).await);
    assert!(source(&c).await.contains("priority → high"));
    assert_eq!(ticket_json(&app, a).await["priority"], "normal", "not yet");
    click(&c, "section.card form button[type=\"submit\"]").await;
    find_xpath(&c, "//h1[contains(., 'Changed')]").await;
    let page = source(&c).await;
    let h1 = find(&c, "section.card h1").await.text().await.unwrap();
    assert_eq!(h1, "Changed 1 ticket", "{page}");
    let stale = find(&c, "div.flash.error").await.text().await.unwrap();
    assert!(
        stale.contains("changed by someone else") && stale.contains(&format!("#{b}")),
        "b is listed as left alone: {stale}"
    );
    assert!(!stale.contains(&format!("#{a} ")) && !stale.ends_with(&format!("#{a}")));
    find(&c, &format!("div.flash.error a[href=\"/tickets/{b}\"]")).await;
    screenshot(&c, "desk-bulk.png").await;

    assert_eq!(ticket_json(&app, a).await["priority"], "high");
    assert_eq!(
        ticket_json(&app, b).await["priority"],
        "low",
        "the admin's change survives"
    );
    assert_eq!(
        ticket_json(&app, untouched).await["priority"],
        "normal",
        "an unticked row is not changed"
    );

    c.close().await.expect("close the browser session");
    drop(driver);
}

/// A customer writes in through the support form and keeps the private link; the agent merges
/// that ticket into the customer's other one from the ticket page; the old link now shows the
/// target with the moved conversation (and still never an internal note).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merged_tickets_old_link_shows_the_target_in_chromium() {
    let Some(app) = browser_app().await else {
        return;
    };
    let email = "kofi@example.com";
    let driver = Chromedriver::start().await;
    let customer = driver.connect_with("customer").await;
    goto(&customer, &app.at("/support")).await;
    type_into(&customer, "#name", "Kofi Mensah").await;
    type_into(&customer, "#email", email).await;
    type_into(&customer, "#subject", "Scanner shows error E-42").await;
    type_into(
        &customer,
        "#message",
        "The scanner stops with E-42 on every page.",
    )
    .await;
    click(
        &customer,
        r#"form[action="/support"] button[type="submit"]"#,
    )
    .await;
    let link = find(&customer, "code.link").await.text().await.unwrap();
    let path = link[link
        .find("/t/")
        .unwrap_or_else(|| panic!("no /t/ URL in {link:?}"))..]
        .to_string();
    let token = path.trim_start_matches("/t/").to_string();
    let source_id = match casebook::tickets::links::state(app.db(), &token, app.running.state.now())
        .await
        .unwrap()
    {
        casebook::tickets::links::LinkState::Valid(id) => id,
        other => panic!("the new link is not valid: {other:?}"),
    };

    // An agent answers on it (and notes something internal); the customer also wrote again.
    let r = app
        .api()
        .post(app.at(&format!("/api/v1/tickets/{source_id}/messages")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"body": "Please send us a photo of the display.", "visibility": "public"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let r = app
        .api()
        .post(app.at(&format!("/api/v1/tickets/{source_id}/messages")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"body": "Zorblax: firmware 3.1 suspected.", "visibility": "internal"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let target = app
        .create_ticket(email, "Scanner still broken", "Any news about my scanner?")
        .await;
    let target_id = target["id"].as_i64().unwrap();
    let src = ticket_json(&app, source_id).await;
    assert_eq!(
        src["customer_id"], target["customer_id"],
        "both tickets are the same customer's"
    );

    // The agent merges the source into the target from the ticket page.
    let c = driver.connect_with("agent").await;
    log_in(&c, &app, &app.agent_email).await;
    goto(&c, &app.at(&format!("/tickets/{source_id}"))).await;
    type_into(&c, "#merge-into", &target_id.to_string()).await;
    click(&c, "#merge button[type=\"submit\"]").await;
    until_reloaded(
        &c,
        "the merge leads to the target",
        &format!("return location.pathname === '/tickets/{target_id}'"),
    )
    .await;
    find_xpath(
        &c,
        "//ol[@id='messages']/li[contains(., 'Please send us a photo of the display.')]",
    )
    .await;
    let src = ticket_json(&app, source_id).await;
    assert_eq!(src["merged_into_id"], target_id, "{src}");
    assert_eq!(src["status"], "closed", "{src}");

    // The customer opens the old link: the target, with the whole conversation.
    goto(&customer, &app.at(&path)).await;
    let h1 = find(&customer, "section.card h1")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        h1.contains(&format!("#{target_id}")) && h1.contains("Scanner still broken"),
        "the old link shows the target: {h1}"
    );
    let conversation = find(&customer, "ol.messages").await.text().await.unwrap();
    for text in [
        "The scanner stops with E-42 on every page.",
        "Please send us a photo of the display.",
        "Any news about my scanner?",
    ] {
        assert!(
            conversation.contains(text),
            "{text:?} on the customer's page:\n{conversation}"
        );
    }
    let page = source(&customer).await;
    assert!(
        !page.contains("Zorblax"),
        "the moved internal note leaked to the customer:\n{page}"
    );
    screenshot(&customer, "desk-merged-link.png").await;

    c.close().await.expect("close the agent's session");
    customer
        .close()
        .await
        .expect("close the customer's session");
    drop(driver);
}

/// What the logged-in browser gets for `url` (fetched from the page, with its cookies).
async fn fetch_headers(c: &Client, url: &str) -> Value {
    c.execute_async(
        "const done = arguments[arguments.length - 1];
         fetch(arguments[0], {credentials: 'same-origin'}).then(
           r => done({
             status: r.status,
             type: r.headers.get('content-type') || '',
             disposition: r.headers.get('content-disposition') || '',
             csp: r.headers.get('content-security-policy') || '',
           }),
           e => done({error: String(e)}));",
        vec![json!(url)],
    )
    .await
    .unwrap_or_else(|e| panic!("fetching {url}: {e}"))
}

/// A PNG shows as a thumbnail on the ticket page; a PDF opens inline under a strict policy; an
/// SVG and an HTML file get no preview and only ever download.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_preview_only_when_safe_in_chromium() {
    let Some(app) = browser_app().await else {
        return;
    };
    let id = app
        .create_ticket("lea@example.com", "Invoice and screenshots", "See attached")
        .await["id"]
        .as_i64()
        .unwrap();
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let files = json!([
        {"filename": "screen.png", "content_type": "image/png", "content_base64": b64(PNG_16X12)},
        {"filename": "invoice.pdf", "content_type": "application/pdf",
         "content_base64": b64(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")},
        {"filename": "logo.svg", "content_type": "image/svg+xml",
         "content_base64": b64(b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>")},
        {"filename": "page.html", "content_type": "text/html",
         "content_base64": b64(b"<html><script>document.title='pwned'</script></html>")}
    ]);
    let r = app
        .api()
        .post(app.at(&format!("/api/v1/tickets/{id}/messages")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"body": "The files", "visibility": "internal", "attachments": files}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let t = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    let mut ids = std::collections::HashMap::new();
    for m in t["messages"].as_array().unwrap() {
        for a in m["attachments"].as_array().unwrap() {
            ids.insert(
                a["filename"].as_str().unwrap().to_string(),
                a["id"].as_i64().unwrap(),
            );
        }
    }
    let (png, pdf, svg, html) = (
        ids["screen.png"],
        ids["invoice.pdf"],
        ids["logo.svg"],
        ids["page.html"],
    );

    let driver = Chromedriver::start().await;
    let c = driver.connect().await;
    fit_viewport(&c).await;
    log_in(&c, &app, &app.agent_email).await;
    goto(&c, &app.at(&format!("/tickets/{id}"))).await;

    // The PNG: a thumbnail the browser actually loaded and decoded.
    let thumb = format!("img[src=\"/attachments/{png}/preview\"]");
    find(&c, &thumb).await;
    c.execute(
        &format!(
            "document.querySelector({}).scrollIntoView({{block: 'center'}})",
            js(&thumb)
        ),
        vec![],
    )
    .await
    .unwrap();
    until(
        &c,
        "the thumbnail loads",
        &format!(
            "const i = document.querySelector({}); return i.complete && i.naturalWidth > 0",
            js(&thumb)
        ),
    )
    .await;
    let size = c
        .execute(
            &format!(
                "const i = document.querySelector({}); return [i.naturalWidth, i.naturalHeight]",
                js(&thumb)
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(size, json!([16, 12]), "the PNG itself is shown");
    screenshot(&c, "desk-previews.png").await;

    // The PDF: an "open" link to its preview, shown inline under a strict policy.
    find(&c, &format!("a[href=\"/attachments/{pdf}/preview\"]")).await;
    let r = fetch_headers(&c, &format!("/attachments/{pdf}/preview")).await;
    assert_eq!(r["status"], 200, "{r}");
    assert_eq!(r["type"], "application/pdf", "{r}");
    let disposition = r["disposition"].as_str().unwrap();
    assert!(disposition.starts_with("inline;"), "{r}");
    assert!(disposition.contains("invoice.pdf"), "{r}");
    let csp = r["csp"].as_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "strict policy: {r}");
    assert!(
        !csp.contains("script-src") && !csp.contains("unsafe-eval"),
        "no scripts allowed: {r}"
    );

    // The SVG and the HTML: download links only, no thumbnail or preview link.
    for (name, file) in [("logo.svg", svg), ("page.html", html)] {
        find(&c, &format!("a[href=\"/attachments/{file}\"][download]")).await;
        let previews = c
            .execute(
                &format!(
                    "return document.querySelectorAll('[href=\"/attachments/{file}/preview\"], \
                     [src=\"/attachments/{file}/preview\"]').length"
                ),
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(previews, json!(0), "{name} has no preview on the page");
        let r = fetch_headers(&c, &format!("/attachments/{file}")).await;
        assert_eq!(r["status"], 200, "{name}: {r}");
        assert!(
            r["disposition"]
                .as_str()
                .unwrap()
                .starts_with("attachment;"),
            "{name} downloads: {r}"
        );
        assert_eq!(r["type"], "application/octet-stream", "{name}: {r}");
        let r = fetch_headers(&c, &format!("/attachments/{file}/preview")).await;
        assert_eq!(r["status"], 415, "{name} is never shown inline: {r}");
    }
    let title = c.title().await.unwrap();
    assert_ne!(title, "pwned", "no uploaded script ran");

    c.close().await.expect("close the browser session");
    drop(driver);
}
