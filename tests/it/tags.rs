//! Tags agents add and remove: through the API (`add_tags` / `remove_tags`), on the ticket
//! page's Tags card, as ticket commands (audited, versioned), and as a filter of queues, the
//! ticket list API and search.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp, csrf_from, login};
use serde_json::{Value, json};

async fn patch(app: &TestApp, id: i64, body: Value) -> (u16, Value) {
    let r = app
        .api()
        .patch(app.at(&format!("/api/v1/tickets/{id}")))
        .bearer_auth(&app.agent_token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().or(t["ticket_id"].as_i64()).unwrap())
        .collect()
}

both_backends!(tags_through_the_api, |app| async move {
    let a = app
        .create_ticket("t1@example.com", "Invoice wrong", "Charged twice")
        .await["id"]
        .as_i64()
        .unwrap();
    let b = app
        .create_ticket("t2@example.com", "Login fails", "Cannot log in")
        .await["id"]
        .as_i64()
        .unwrap();
    let version = app.get_json(&format!("/api/v1/tickets/{a}")).await["ticket"]["version"]
        .as_i64()
        .unwrap();
    let (s, t) = patch(
        &app,
        a,
        json!({"add_tags": ["Billing", " vip ", "결제", "billing"]}),
    )
    .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["tags"], json!(["billing", "vip", "결제"]));
    assert!(
        t["ticket"]["version"].as_i64().unwrap() > version,
        "a tag change is a change"
    );
    // Audited like every other change.
    let shown = app.get_json(&format!("/api/v1/tickets/{a}")).await;
    let kinds: Vec<&str> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "tag_added").count(), 3);
    assert_eq!(shown["tags"], json!(["billing", "vip", "결제"]));

    // The list filters by tag.
    let tagged = app.get_json("/api/v1/tickets?queue=all&tag=Billing").await;
    assert_eq!(ids(&tagged), vec![a]);
    let tagged = app
        .get_json("/api/v1/tickets?queue=all&tag=%EA%B2%B0%EC%A0%9C")
        .await;
    assert_eq!(ids(&tagged), vec![a]);
    assert!(ids(&app.get_json("/api/v1/tickets?queue=all&tag=nothing").await).is_empty());
    let all = ids(&app.get_json("/api/v1/tickets?queue=all").await);
    assert!(all.contains(&a) && all.contains(&b));

    // Search filters by tag, with the tags as they are now.
    app.drain_outbox().await;
    let found = app.get_json("/api/v1/search?tag=vip").await;
    let hits: Vec<i64> = found["results"]
        .as_array()
        .unwrap_or_else(|| panic!("{found}"))
        .iter()
        .map(|h| h["ticket_id"].as_i64().unwrap())
        .collect();
    assert_eq!(hits, vec![a], "{found}");
    let found = app.get_json("/api/v1/search?q=invoice&tag=billing").await;
    assert_eq!(found["results"].as_array().unwrap().len(), 1, "{found}");

    // Removing: a tag the ticket lacks is ignored.
    let (s, t) = patch(&app, a, json!({"remove_tags": ["VIP", "never-there"]})).await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["tags"], json!(["billing", "결제"]));
    let found = app.get_json("/api/v1/search?tag=vip").await;
    assert!(found["results"].as_array().unwrap().is_empty(), "{found}");

    // Bad input names the field; nothing changes.
    let long = "x".repeat(51);
    let (s, e) = patch(&app, a, json!({"add_tags": ["ok", long]})).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "add_tags", "{e}");
    let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
    let (s, e) = patch(&app, a, json!({"add_tags": many})).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "add_tags", "{e}");
    let (s, e) = patch(&app, a, json!({"remove_tags": "billing"})).await;
    assert_eq!(s, 422, "{e}");
    let r = app
        .api()
        .get(app.at(&format!("/api/v1/tickets?tag={long}")))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "tag", "{e}");
    assert_eq!(
        app.get_json(&format!("/api/v1/tickets/{a}")).await["tags"],
        json!(["billing", "결제"])
    );
});

both_backends!(tags_on_the_ticket_page, |app| async move {
    let id = app
        .create_ticket("t3@example.com", "Refund", "Please refund")
        .await["id"]
        .as_i64()
        .unwrap();
    let browser = app.browser();
    assert!(
        login(&app, &browser, &app.agent_email, PASSWORD)
            .await
            .is_redirection()
    );
    let page = app.at(&format!("/tickets/{id}"));
    let (csrf, html) = csrf_from(&browser, &page).await;
    assert!(
        html.contains("No tags yet."),
        "the Tags card is on the page"
    );
    let action = app.at(&format!("/tickets/{id}/tags"));
    let r = browser
        .post(&action)
        .form(&[("csrf", csrf.as_str()), ("add", "refund, 환불 ,Urgent")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let html = browser
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for tag in ["refund", "환불", "urgent"] {
        assert!(
            html.contains(&format!("aria-label=\"Remove tag {tag}\"")),
            "{tag} shown with its remove button"
        );
    }
    assert!(
        html.contains("tagged it refund"),
        "the history names the change"
    );
    // The tag links to the tickets that carry it.
    let queue = browser
        .get(app.at("/tickets?queue=all&tag=urgent"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains(&format!("id=\"ticket-{id}\"")));
    assert!(queue.contains("tagged"));
    let other = browser
        .get(app.at("/tickets?queue=all&tag=nothing-like-it"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!other.contains(&format!("id=\"ticket-{id}\"")));
    // Remove one.
    let r = browser
        .post(&action)
        .form(&[("csrf", csrf.as_str()), ("remove", "urgent")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let html = browser
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("Remove tag urgent"));
    assert!(html.contains("removed the tag urgent"));
    // A tag too long: the page again with the error, 422.
    let r = browser
        .post(&action)
        .form(&[("csrf", csrf.as_str()), ("add", &"y".repeat(60))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("too long"));
    // Without the form's token nothing changes.
    let r = browser
        .post(&action)
        .form(&[("add", "sneaky")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let tags = app.get_json(&format!("/api/v1/tickets/{id}")).await["tags"].clone();
    assert_eq!(tags, json!(["refund", "환불"]));
});

both_backends!(admins_rename_merge_and_delete_tags, |app| async move {
    let mut ids = Vec::new();
    for (i, tags) in [
        json!(["billing", "vip"]),
        json!(["invoices"]),
        json!(["billing", "invoices"]),
    ]
    .into_iter()
    .enumerate()
    {
        let id = app
            .create_ticket(&format!("r{i}@example.com"), "Question", "Hello")
            .await["id"]
            .as_i64()
            .unwrap();
        let (s, _) = patch(&app, id, json!({ "add_tags": tags })).await;
        assert_eq!(s, 200);
        ids.push(id);
    }
    let api = app.api();
    let list = app.get_json("/api/v1/tags").await;
    assert_eq!(
        list["items"],
        json!([
            {"tag": "billing", "tickets": 2},
            {"tag": "invoices", "tickets": 2},
            {"tag": "vip", "tickets": 1}
        ])
    );
    // Agents may not; admins may.
    let rename = |token: String, body: Value| {
        let api = api.clone();
        let url = app.at("/api/v1/tags/rename");
        async move {
            let r = api
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (s, _) = rename(
        app.agent_token.clone(),
        json!({"from": "invoices", "to": "billing"}),
    )
    .await;
    assert_eq!(s, 403);
    // Merge: "invoices" into "billing"; the ticket that had both keeps one.
    let (s, r) = rename(
        app.admin_token.clone(),
        json!({"from": "Invoices", "to": "billing"}),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["changed"], 2);
    for (id, want) in ids.iter().zip([
        json!(["billing", "vip"]),
        json!(["billing"]),
        json!(["billing"]),
    ]) {
        assert_eq!(
            app.get_json(&format!("/api/v1/tickets/{id}")).await["tags"],
            want
        );
    }
    let (s, e) = rename(
        app.admin_token.clone(),
        json!({"from": "nothing", "to": "x"}),
    )
    .await;
    assert_eq!(s, 404, "{e}");
    let (s, e) = rename(
        app.admin_token.clone(),
        json!({"from": "billing", "to": "BILLING"}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "to");
    let (s, e) = rename(
        app.admin_token.clone(),
        json!({"from": "billing", "to": ""}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    // Delete.
    let r = api
        .delete(app.at("/api/v1/tags/vip"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.get_json(&format!("/api/v1/tickets/{}", ids[0])).await["tags"],
        json!(["billing"])
    );
    let events = app.get_json(&format!("/api/v1/tickets/{}", ids[0])).await["events"].clone();
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "tag_removed" && e["old_value"] == "vip"),
        "{events}"
    );

    // The admin page renames through a form.
    let browser = app.browser();
    assert!(
        login(&app, &browser, &app.admin_email, PASSWORD)
            .await
            .is_redirection()
    );
    let (csrf, html) = csrf_from(&browser, &app.at("/admin/tags")).await;
    assert!(html.contains("billing"));
    let r = browser
        .post(app.at("/admin/tags"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("tag", "billing"),
            ("to", "payments"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let list = app.get_json("/api/v1/tags").await;
    assert_eq!(list["items"], json!([{"tag": "payments", "tickets": 3}]));
});
