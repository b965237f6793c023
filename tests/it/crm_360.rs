//! Customer 360 beyond events: CSV/JSONL import, identities with history, merge and undo,
//! likely duplicates, the customer list, and the signed CRM webhook.

use crate::both_backends;
use crate::harness::{self, Backend, Options, TestApp};
use casebook::customers::import::{ImportOptions, ImportSummary, import_file};
use serde_json::{Value, json};
use std::path::PathBuf;

async fn post(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let r = app
        .api()
        .post(app.at(path))
        .bearer_auth(&app.agent_token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn scalar(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

fn temp_file(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "casebook-import-{}",
        casebook::auth::random_token(6).replace(['-', '_'], "x")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

async fn import(app: &TestApp, path: &std::path::Path) -> ImportSummary {
    let opts = ImportOptions {
        batch_rows: 4,
        ..Default::default()
    };
    import_file(app.db(), path, &opts, &*app.clock)
        .await
        .unwrap()
}

const GOOD_CSV: &str = "customer_email,customer_name,kind,occurred_at,source,external_id,amount,currency,plan,title,attributes\n\
ann@example.com,Ann,signup,2024-01-01T10:00:00Z,app,s-1,,,,,\n\
ann@example.com,Ann,order,2024-02-01T10:00:00Z,shop,o-1,19.99,EUR,,,\"{\"\"items\"\": [\"\"mug\"\", \"\"tea\"\"]}\"\n\
ann@example.com,Ann,subscription,2024-03-01T10:00:00Z,billing,b-1,49,EUR,pro,,\"{\"\"status\"\": \"\"active\"\", \"\"mrr\"\": \"\"49\"\"}\"\n\
bob@example.com,\"Bob, Jr.\",order,2024-02-03T10:00:00Z,shop,o-2,5,USD,,,\n\
bob@example.com,\"Bob, Jr.\",note,2024-02-04T10:00:00Z,crm,n-1,,,,\"line one\nline \"\"two\"\"\",\n\
cy@example.com,,call,2024-02-05T10:00:00Z,crm,c-1,,,,,\n";

both_backends!(same_csv_twice_makes_no_duplicates, |app| async move {
    let path = temp_file("events.csv", GOOD_CSV);
    let first = import(&app, &path).await;
    assert_eq!(
        (first.rows, first.imported, first.updated, first.rejected),
        (6, 6, 0, 0)
    );
    let second = import(&app, &path).await;
    assert_eq!(
        (
            second.rows,
            second.imported,
            second.updated,
            second.rejected
        ),
        (6, 0, 6, 0)
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM crm_event").await, 6);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM customer").await, 3);
    // Quoted commas and line breaks, extra columns and the attributes column all arrive.
    let bob: i64 = scalar(
        &app,
        "SELECT customer_id FROM customer WHERE name = 'Bob, Jr.'",
    )
    .await;
    let c = app
        .get_json(&format!("/api/v1/customers/{bob}/events"))
        .await;
    let note = c["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "note")
        .unwrap()
        .clone();
    assert_eq!(note["attributes"]["title"], "line one\nline \"two\"");
    let ann: i64 = scalar(&app, "SELECT customer_id FROM customer WHERE name = 'Ann'").await;
    let p = app.get_json(&format!("/api/v1/customers/{ann}")).await["profile"].clone();
    assert_eq!(p["plan"], "pro");
    assert_eq!(p["lifetime_value"], json!({"EUR": "19.99"}));
    let report = std::fs::read_to_string(&first.rejected_path).unwrap();
    assert_eq!(report, "row,line,field,reason,record\n");
});

both_backends!(
    bad_rows_are_rejected_with_row_and_reason,
    |app| async move {
        let csv = "customer_email,customer_id,kind,occurred_at,source,external_id,amount,currency\n\
ok1@example.com,,order,2024-01-01T10:00:00Z,shop,r-1,1.00,EUR\n\
bad-date@example.com,,order,31/12/2024,shop,r-2,1.00,EUR\n\
ok2@example.com,,order,2024-01-02T10:00:00Z,shop,r-3,2.00,EUR\n\
bad-amount@example.com,,order,2024-01-03T10:00:00Z,shop,r-4,ten,EUR\n\
short@example.com,,order\n\
,987654,order,2024-01-04T10:00:00Z,shop,r-6,1.00,EUR\n\
ok3@example.com,,order,2024-01-05T10:00:00Z,shop,r-7,3.00,EUR\n";
        let path = temp_file("bad.csv", csv);
        let s = import(&app, &path).await;
        assert_eq!((s.rows, s.imported, s.updated, s.rejected), (7, 3, 0, 4));
        let report = std::fs::read_to_string(&s.rejected_path).unwrap();
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines[0], "row,line,field,reason,record");
        assert!(
            lines[1].starts_with("2,3,occurred_at,must be an RFC 3339 time"),
            "{report}"
        );
        assert!(
            lines[2].starts_with("4,5,amount,must be a decimal number"),
            "{report}"
        );
        assert!(
            lines[3].starts_with("5,6,row,has 3 fields where the header has 8"),
            "{report}"
        );
        // Refused by the database check (no such customer) in a batch: only that row is rejected.
        assert!(
            lines[4].starts_with("6,7,customer_id,no such customer"),
            "{report}"
        );
        assert_eq!(lines.len(), 5);
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM crm_event").await, 3);
        // Nothing half-imported: no customer was left behind for a rejected row.
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM customer").await, 3);
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT external_id FROM crm_event ORDER BY external_id")
                .fetch_all(&app.db().pool)
                .await
                .unwrap();
        assert_eq!(ids, ["r-1", "r-3", "r-7"]);
    }
);

both_backends!(jsonl_import_and_customer_by_external_id, |app| async move {
    let jsonl = r#"{"customer_email": "jay@example.com", "kind": "order", "occurred_at": "2024-04-01T09:00:00Z", "source": "shop", "external_id": "j-1", "amount": "12.50", "currency": "GBP", "attributes": {"items": ["book"]}}

{"customer_external_id": "crm:77", "customer_name": "Kim", "kind": "deal", "occurred_at": "2024-04-02T09:00:00Z", "source": "crm", "external_id": "d-1", "attributes": {"stage": "won"}}
{"kind": "order"
{"customer_email": "jay@example.com", "kind": "refund", "occurred_at": "2024-04-03T09:00:00Z", "source": "shop", "external_id": "j-2"}
{"customer_external_id": "crm:77", "kind": "call", "occurred_at": "2024-04-04T09:00:00Z", "source": "crm", "external_id": "d-2"}
"#;
    let path = temp_file("events.jsonl", jsonl);
    let s = import(&app, &path).await;
    assert_eq!((s.rows, s.imported, s.updated, s.rejected), (5, 3, 0, 2));
    let report = std::fs::read_to_string(&s.rejected_path).unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert!(
        lines[1].starts_with("3,4,row,is not valid JSON"),
        "{report}"
    );
    assert!(
        lines[2].starts_with("4,5,kind,\"must be one of"),
        "{report}"
    );
    // Both events with the external id landed on one customer, found by that identity.
    let kim: Vec<i64> = sqlx::query_scalar(
        "SELECT customer_id FROM customer_identity WHERE kind = 'external' AND value = 'crm:77'",
    )
    .fetch_all(&app.db().pool)
    .await
    .unwrap();
    assert_eq!(kim.len(), 1);
    let c = app.get_json(&format!("/api/v1/customers/{}", kim[0])).await;
    assert_eq!(c["customer"]["name"], "Kim");
    assert_eq!(c["profile"]["total_tickets"], 0);
    let events = app
        .get_json(&format!("/api/v1/customers/{}/events", kim[0]))
        .await;
    assert_eq!(events["items"].as_array().unwrap().len(), 2);
    let again = import(&app, &path).await;
    assert_eq!((again.imported, again.updated, again.rejected), (0, 3, 2));
});

async fn customer_of(app: &TestApp, email: &str, subject: &str) -> (i64, i64) {
    let t = app.create_ticket(email, subject, "Hello").await;
    (
        t["customer_id"].as_i64().unwrap(),
        t["id"].as_i64().unwrap(),
    )
}

both_backends!(
    merge_moves_everything_and_undo_moves_it_back,
    |app| async move {
        let (keep, t1) = customer_of(&app, "main@example.com", "First").await;
        let (dup, t2) = customer_of(&app, "old@other.org", "Second").await;
        let (_, t3) = customer_of(&app, "old@other.org", "Third").await;
        let (s, _) = post(
            &app,
            &format!("/api/v1/customers/{dup}/identities"),
            &json!({"kind": "phone", "value": "+49 30 1234567"}),
        )
        .await;
        assert_eq!(s, 201);
        let events = json!({"events": [
            {"kind": "order", "occurred_at": "2024-01-01T00:00:00Z", "source": "shop", "external_id": "m-1", "amount": "5", "currency": "EUR"},
            {"kind": "note", "occurred_at": "2024-01-02T00:00:00Z", "source": "crm", "external_id": "m-2"}
        ]});
        let (s, _) = post(&app, &format!("/api/v1/customers/{dup}/events"), &events).await;
        assert_eq!(s, 200);

        let (s, m) = post(
            &app,
            &format!("/api/v1/customers/{keep}/merge"),
            &json!({"from": dup}),
        )
        .await;
        assert_eq!(s, 200, "{m}");
        let merge_id = m["merge"]["id"].as_i64().unwrap();
        assert_eq!(
            m["merge"]["moved"],
            json!({"identities": 2, "tickets": 2, "messages": 2, "crm_events": 2})
        );
        assert_eq!(m["merge"]["can_undo"], true);
        for t in [t1, t2, t3] {
            let ticket = app.get_json(&format!("/api/v1/tickets/{t}")).await;
            assert_eq!(ticket["ticket"]["customer_id"], keep, "ticket {t}");
        }
        let moved = app.get_json(&format!("/api/v1/tickets/{t2}")).await;
        assert!(
            moved["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["kind"] == "customer_merged"),
            "{moved}"
        );
        let c = app.get_json(&format!("/api/v1/customers/{keep}")).await;
        assert_eq!(
            c["customer"]["emails"],
            json!(["main@example.com", "old@other.org"])
        );
        assert_eq!(c["profile"]["total_tickets"], 3);
        assert_eq!(c["profile"]["lifetime_value"], json!({"EUR": "5.00"}));
        let gone = app.get_json(&format!("/api/v1/customers/{dup}")).await;
        assert_eq!(gone["customer"]["merged_into_id"], keep);
        // The moved tickets are re-indexed: searching by the surviving customer finds all three.
        app.drain_outbox().await;
        let found = app
            .get_json(&format!("/api/v1/search?customer={keep}"))
            .await;
        assert_eq!(found["total"], 3, "{found}");
        // The audit record is on both customers.
        for id in [keep, dup] {
            let h = app
                .get_json(&format!("/api/v1/customers/{id}/merges"))
                .await;
            assert_eq!(h["items"][0]["id"], merge_id);
        }
        // Mail to the merged-away address (and events naming the old id) land on the survivor.
        let (after, t4) = customer_of(&app, "old@other.org", "After the merge").await;
        assert_eq!(after, keep);
        let (s, _) = post(
        &app,
        "/api/v1/crm/events",
        &json!({"customer_id": dup, "kind": "call", "occurred_at": "2024-02-01T00:00:00Z", "source": "crm", "external_id": "m-3"}),
    )
    .await;
        assert_eq!(s, 200);
        let owner: i64 = scalar(
            &app,
            "SELECT customer_id FROM crm_event WHERE external_id = 'm-3'",
        )
        .await;
        assert_eq!(owner, keep);
        // A merged-away customer takes no new identities or merges.
        let (s, e) = post(
            &app,
            &format!("/api/v1/customers/{dup}/identities"),
            &json!({"kind": "email", "value": "x@example.com"}),
        )
        .await;
        assert_eq!(s, 409, "{e}");

        // Undo moves exactly what moved back; what arrived after the merge stays.
        let (s, u) = post(
            &app,
            &format!("/api/v1/customers/{keep}/merges/{merge_id}/undo"),
            &json!({}),
        )
        .await;
        assert_eq!(s, 200, "{u}");
        assert!(u["merge"]["undone_at"].is_i64());
        for (t, owner) in [(t1, keep), (t2, dup), (t3, dup), (t4, keep)] {
            let ticket = app.get_json(&format!("/api/v1/tickets/{t}")).await;
            assert_eq!(ticket["ticket"]["customer_id"], owner, "ticket {t}");
        }
        let back = app.get_json(&format!("/api/v1/customers/{dup}")).await;
        assert_eq!(back["customer"]["merged_into_id"], Value::Null);
        assert_eq!(back["customer"]["emails"], json!(["old@other.org"]));
        assert_eq!(back["customer"]["identities"].as_array().unwrap().len(), 2);
        let dup_events = app
            .get_json(&format!("/api/v1/customers/{dup}/events"))
            .await;
        assert_eq!(dup_events["items"].as_array().unwrap().len(), 2);
        let (again, _) = customer_of(&app, "old@other.org", "After the undo").await;
        assert_eq!(again, dup);
        let (s, e) = post(
            &app,
            &format!("/api/v1/customers/{keep}/merges/{merge_id}/undo"),
            &json!({}),
        )
        .await;
        assert_eq!(s, 409, "{e}");

        // After the undo window (7 days by default) a merge stays; it is still in the history.
        let (s, m2) = post(
            &app,
            &format!("/api/v1/customers/{keep}/merge"),
            &json!({"from": dup.to_string()}),
        )
        .await;
        assert_eq!(s, 200, "{m2}");
        app.clock.advance_ms(8 * 86_400_000);
        let id2 = m2["merge"]["id"].as_i64().unwrap();
        let (s, e) = post(
            &app,
            &format!("/api/v1/customers/{keep}/merges/{id2}/undo"),
            &json!({}),
        )
        .await;
        assert_eq!(s, 409, "{e}");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("undo window"),
            "{e}"
        );
        let h = app
            .get_json(&format!("/api/v1/customers/{keep}/merges"))
            .await;
        assert_eq!(h["items"].as_array().unwrap().len(), 2);
        assert_eq!(h["items"][0]["can_undo"], false);
    }
);

both_backends!(merge_and_identity_422s_name_the_field, |app| async move {
    let (a, _) = customer_of(&app, "f1@example.com", "One").await;
    let (b, _) = customer_of(&app, "f2@example.com", "Two").await;
    for (path, body, field) in [
        (format!("/api/v1/customers/{a}/merge"), json!({}), "from"),
        (
            format!("/api/v1/customers/{a}/merge"),
            json!({"from": a}),
            "from",
        ),
        (
            format!("/api/v1/customers/{a}/merge"),
            json!({"from": 999_999}),
            "from",
        ),
        (
            format!("/api/v1/customers/{a}/merge"),
            json!({"from": "x"}),
            "from",
        ),
        (
            format!("/api/v1/customers/{a}/identities"),
            json!({"kind": "fax", "value": "1"}),
            "kind",
        ),
        (
            format!("/api/v1/customers/{a}/identities"),
            json!({"kind": "phone", "value": "call me"}),
            "value",
        ),
        (
            format!("/api/v1/customers/{a}/identities"),
            json!({"kind": "email", "value": "not-an-address"}),
            "value",
        ),
        (
            format!("/api/v1/customers/{a}/identities"),
            json!({"kind": "external"}),
            "value",
        ),
        (
            format!("/api/v1/customers/{a}/organization"),
            json!({"organization": "x".repeat(201)}),
            "organization",
        ),
        (
            "/api/v1/crm/events".to_string(),
            json!({"customer_email": "a@example.com", "customer_external_id": "crm:1", "kind": "note",
                "occurred_at": "2024-01-01T00:00:00Z", "source": "s", "external_id": "e"}),
            "customer_external_id",
        ),
    ] {
        let (s, e) = post(&app, &path, &body).await;
        assert_eq!(s, 422, "{path} {body}: {e}");
        assert_eq!(e["error"]["field"], field, "{path} {body}: {e}");
    }
    // Another customer's email address is a conflict that says to merge.
    let (s, e) = post(
        &app,
        &format!("/api/v1/customers/{a}/identities"),
        &json!({"kind": "email", "value": "F2@example.com"}),
    )
    .await;
    assert_eq!(s, 409, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("#{b}"))
    );
    let (s, _) = post(&app, "/api/v1/customers/999999/merge", &json!({"from": a})).await;
    assert_eq!(s, 404);
});

both_backends!(
    retired_and_secondary_identities_still_match,
    |app| async move {
        let (id, _) = customer_of(&app, "first@example.com", "Hi").await;
        let (s, added) = post(
            &app,
            &format!("/api/v1/customers/{id}/identities"),
            &json!({"kind": "email", "value": "Second@Example.com"}),
        )
        .await;
        assert_eq!(s, 201, "{added}");
        assert_eq!(added["identity"]["value"], "second@example.com");
        // Mail from the secondary address lands on the same customer.
        let (again, _) = customer_of(&app, "second@example.com", "From the other address").await;
        assert_eq!(again, id);
        // The old address is retired: kept as a former contact, still matching.
        let c = app.get_json(&format!("/api/v1/customers/{id}")).await;
        let first = c["customer"]["identities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["value"] == "first@example.com")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let (s, r) = post(
            &app,
            &format!("/api/v1/customers/{id}/identities/{first}/retire"),
            &json!({}),
        )
        .await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["customer"]["emails"], json!(["second@example.com"]));
        let former = r["customer"]["identities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == first)
            .unwrap()
            .clone();
        assert!(former["retired_at"].is_i64(), "{former}");
        let (third, t) = customer_of(&app, "first@example.com", "Writing from the old one").await;
        assert_eq!(third, id);
        // Replies go to the current address.
        let ticket = app.get_json(&format!("/api/v1/tickets/{t}")).await;
        assert_eq!(ticket["ticket"]["customer_email"], "second@example.com");
        let (s, _) = post(
            &app,
            &format!("/api/v1/customers/{id}/identities/{first}/retire"),
            &json!({}),
        )
        .await;
        assert_eq!(s, 404, "retiring twice");
        // Adding it again makes it current again, without a second row.
        let (s, _) = post(
            &app,
            &format!("/api/v1/customers/{id}/identities"),
            &json!({"kind": "email", "value": "first@example.com"}),
        )
        .await;
        assert_eq!(s, 201);
        let c = app.get_json(&format!("/api/v1/customers/{id}")).await;
        assert_eq!(c["customer"]["identities"].as_array().unwrap().len(), 2);
        assert_eq!(c["customer"]["emails"].as_array().unwrap().len(), 2);
    }
);

both_backends!(duplicates_and_customer_search, |app| async move {
    let (a, _) = customer_of(&app, "pat@acme.test", "One").await; // name "Test Customer"
    let (b, _) = customer_of(&app, "patricia@acme.test", "Two").await; // same name and domain
    let (c, _) = customer_of(&app, "sam@elsewhere.test", "Three").await;
    let (d, _) = customer_of(&app, "other@fourth.test", "Four").await;
    let (s, _) = post(
        &app,
        &format!("/api/v1/customers/{c}/organization"),
        &json!({"organization": "Globex Ltd"}),
    )
    .await;
    assert_eq!(s, 200);
    for (id, kind, value) in [
        (c, "phone", "+1 (555) 010-0200"),
        (d, "phone", "+1 555 010 0200"),
        (a, "external", "billing:42"),
        (d, "external", "billing:42"),
    ] {
        let (s, e) = post(
            &app,
            &format!("/api/v1/customers/{id}/identities"),
            &json!({"kind": kind, "value": value}),
        )
        .await;
        assert_eq!(s, 201, "{e}");
    }
    let all = app.get_json("/api/v1/customers/duplicates").await;
    let pairs: Vec<(i64, i64, Vec<String>)> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["a"].as_i64().unwrap(),
                p["b"].as_i64().unwrap(),
                p["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            (a, b, vec!["same_name_and_domain".to_string()]),
            (a, d, vec!["same_external_id".to_string()]),
            (c, d, vec!["same_phone".to_string()]),
        ]
    );
    let only_d = app
        .get_json(&format!("/api/v1/customers/duplicates?customer_id={d}"))
        .await;
    assert_eq!(only_d["items"].as_array().unwrap().len(), 2);
    // Merged customers are no longer listed as duplicates.
    let (s, _) = post(
        &app,
        &format!("/api/v1/customers/{a}/merge"),
        &json!({"from": b}),
    )
    .await;
    assert_eq!(s, 200);
    let all = app.get_json("/api/v1/customers/duplicates").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);

    let ids = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    for (q, want) in [
        ("patricia", vec![a]), // b was merged into a; its address moved with it
        ("globex", vec![c]),
        ("5550100200", vec![d, c]),
        ("+1 555-010-0200", vec![d, c]),
        ("billing:42", vec![d, a]),
        ("FOURTH.test", vec![d]),
        ("100%", vec![]),
    ] {
        let r = app
            .get_json(&format!(
                "/api/v1/customers?q={}",
                url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
            ))
            .await;
        assert_eq!(ids(&r), want, "{q}: {r}");
    }
    let everyone = app.get_json("/api/v1/customers?limit=2").await;
    assert_eq!(ids(&everyone), vec![d, c]);
    let next = everyone["next_cursor"].as_str().unwrap();
    let rest = app
        .get_json(&format!("/api/v1/customers?limit=2&cursor={next}"))
        .await;
    assert_eq!(ids(&rest), vec![a]);
});

async fn spawn_with_secret(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(
        backend,
        Options {
            crm_webhook_secret: Some("whsec-test".into()),
            ..Options::default()
        },
    )
    .await
}

async fn webhook(app: &TestApp, header: Option<String>, body: &str) -> (u16, Value) {
    let mut req = app
        .api()
        .post(app.at("/api/v1/crm/webhook"))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(h) = header {
        req = req.header("Casebook-Signature", h);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn webhook_flow(app: TestApp) {
    use casebook::customers::webhook::sign;
    let body = json!({"events": [
        {"customer_email": "hook@example.com", "kind": "order", "occurred_at": "2024-05-01T00:00:00Z",
         "source": "shop", "external_id": "w-1", "amount": "3.50", "currency": "EUR"},
        {"customer_email": "hook@example.com", "kind": "email_engagement", "occurred_at": "2024-05-02T00:00:00Z",
         "source": "mailer", "external_id": "w-2", "attributes": {"opened": true}}
    ]})
    .to_string();
    let now = app.running.state.now() / 1000;
    let count = || scalar(&app, "SELECT COUNT(*) FROM crm_event");

    let (s, e) = webhook(&app, None, &body).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (401, Some("bad_signature"))
    );
    let (s, e) = webhook(
        &app,
        Some(sign("wrong-secret", now, body.as_bytes())),
        &body,
    )
    .await;
    assert_eq!(s, 401, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not match")
    );
    let tampered = body.replace("3.50", "350.00");
    let (s, _) = webhook(
        &app,
        Some(sign("whsec-test", now, body.as_bytes())),
        &tampered,
    )
    .await;
    assert_eq!(s, 401);
    let (s, e) = webhook(
        &app,
        Some(sign("whsec-test", now - 301, body.as_bytes())),
        &body,
    )
    .await;
    assert_eq!(s, 401, "{e}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("minutes"),
        "{e}"
    );
    assert_eq!(count().await, 0);

    let signed = sign("whsec-test", now, body.as_bytes());
    let (s, r) = webhook(&app, Some(signed.clone()), &body).await;
    assert_eq!((s, r), (200, json!({"created": 2, "updated": 0})));
    let (s, e) = webhook(&app, Some(signed), &body).await;
    assert_eq!(s, 409, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already received")
    );
    assert_eq!(count().await, 2, "stored once");

    // A bad event in a well-signed delivery is a 422 naming the field, and stores nothing.
    let bad =
        json!({"kind": "order", "occurred_at": "yesterday", "source": "shop", "external_id": "w-3",
        "customer_email": "hook@example.com"})
        .to_string();
    let (s, e) = webhook(&app, Some(sign("whsec-test", now, bad.as_bytes())), &bad).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("occurred_at"))
    );
    assert_eq!(count().await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_signature_replay_and_store_once_sqlite() {
    if let Some(app) = spawn_with_secret(Backend::Sqlite).await {
        webhook_flow(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_signature_replay_and_store_once_postgres() {
    if let Some(app) = spawn_with_secret(Backend::Postgres).await {
        webhook_flow(app).await;
    }
}

both_backends!(webhook_without_a_secret_is_off, |app| async move {
    let (s, e) = webhook(&app, Some("t=1,v1=00".into()), "{}").await;
    assert_eq!(s, 503, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("crm_webhook_secret")
    );
});

both_backends!(customer_pages_merge_and_undo_in_the_ui, |app| async move {
    let (keep, _) = customer_of(&app, "ui-keep@example.com", "One").await;
    let (dup, dup_ticket) = customer_of(&app, "ui-dup@example.com", "Two").await;
    let browser = app.browser();
    harness::login(&app, &browser, &app.agent_email, harness::PASSWORD).await;
    let list = browser
        .get(app.at("/customers?q=ui-dup"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&format!("href=\"/customers/{dup}\"")));
    assert!(!list.contains(&format!("href=\"/customers/{keep}\"")));
    let dups = browser
        .get(app.at("/customers/duplicates"))
        .send()
        .await
        .unwrap();
    assert_eq!(dups.status(), 200);
    assert!(
        dups.text()
            .await
            .unwrap()
            .contains("same name and email domain")
    );
    let (csrf, page) = harness::csrf_from(&browser, &app.at(&format!("/customers/{keep}"))).await;
    assert!(page.contains("Identities") && page.contains("Likely duplicates"));
    // A bad merge shows the error beside the form.
    let r = browser
        .post(app.at(&format!("/customers/{keep}/merge")))
        .form(&[("csrf", csrf.as_str()), ("from", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("must be a customer id"));
    let r = browser
        .post(app.at(&format!("/customers/{keep}/merge")))
        .form(&[("csrf", csrf.as_str()), ("from", &dup.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = browser
        .get(app.at(&format!("/customers/{keep}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Merge history") && page.contains("ui-dup@example.com"));
    let ticket = browser
        .get(app.at(&format!("/tickets/{dup_ticket}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        ticket.contains(&format!(
            "merged the customer: customer #{dup} → customer #{keep}"
        )),
        "{ticket}"
    );
    let merge_id: i64 = scalar(&app, "SELECT MAX(customer_merge_id) FROM customer_merge").await;
    let undo = format!("/customers/{keep}/merges/{merge_id}/undo");
    assert!(page.contains(&undo));
    let r = browser
        .post(app.at(&undo))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let gone = browser
        .get(app.at(&format!("/customers/{dup}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!gone.contains("was merged into"));
    // Identity forms: add a phone, retire it, see it as former.
    let r = browser
        .post(app.at(&format!("/customers/{keep}/identities")))
        .form(&[("csrf", csrf.as_str()), ("kind", "phone"), ("value", "12")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = browser
        .post(app.at(&format!("/customers/{keep}/identities")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "phone"),
            ("value", "+44 20 7946 0000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let phone: i64 = scalar(
        &app,
        "SELECT customer_identity_id FROM customer_identity WHERE kind = 'phone'",
    )
    .await;
    let r = browser
        .post(app.at(&format!("/customers/{keep}/identities/{phone}/retire")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = browser
        .get(app.at(&format!("/customers/{keep}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("+442079460000") && page.contains("(former)"));
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_command_line_prints_a_summary() {
    let Some(url) = harness::fresh_database(Backend::Sqlite).await else {
        return;
    };
    let path = temp_file("cli.csv", GOOD_CSV);
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
            .args(["import", "crm"])
            .arg(&path)
            .arg("--quiet")
            .env("CASEBOOK_DATABASE_URL", &url)
            .env("CASEBOOK_LOG", "warn")
            .env_remove("CASEBOOK_CONFIG")
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap()
    };
    let out = run();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("6 imported, 0 updated, 0 rejected"), "{text}");
    let out = run();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("0 imported, 6 updated, 0 rejected"), "{text}");
    let bad = temp_file("cli.csv", "kind,source\nnote,x\n");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(["import", "crm"])
        .arg(&bad)
        .env("CASEBOOK_DATABASE_URL", &url)
        .env_remove("CASEBOOK_CONFIG")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("occurred_at"));
}

both_backends!(
    profile_from_sql_matches_profile_from_events,
    |app| async move {
        use casebook::customers::crm::{self, EventFilter};
        let (id, _) = customer_of(&app, "facts@example.com", "Hello").await;
        let now = chrono::Utc::now();
        let ago = |d: i64, h: i64| {
            (now - chrono::Duration::days(d) - chrono::Duration::hours(h)).to_rfc3339()
        };
        let mut events = Vec::new();
        for i in 0..60i64 {
            let kind = [
                "signup",
                "order",
                "purchase",
                "subscription",
                "campaign_touch",
                "email_engagement",
                "meeting",
                "call",
                "nps",
                "csat",
                "note",
                "deal",
            ][i as usize % 12];
            let status = ["active", "downgraded", "cancelled"][i as usize % 3];
            let mut e = json!({"kind": kind, "occurred_at": ago(400 - i * 6, i % 3), "source": "t",
            "external_id": format!("f-{i}"),
            "attributes": {"status": status,
                "plan": format!("plan-{i}"), "score": i % 5, "utm_source": format!("u-{i}"), "campaign": "c"}});
            if kind == "order" || kind == "purchase" {
                let currency = ["EUR", "USD", "JPY"][i as usize % 3];
                e["amount"] = json!(if currency == "JPY" {
                    i.to_string()
                } else {
                    format!("{i}.{:02}", i)
                });
                e["currency"] = json!(currency);
            }
            events.push(e);
        }
        // Two events at the same instant: ties go to the later id, as in the list-based rules.
        events.push(json!({"kind": "csat", "occurred_at": ago(1, 0), "source": "t", "external_id": "tie-1", "attributes": {"score": 5}}));
        events.push(json!({"kind": "csat", "occurred_at": ago(1, 0), "source": "t", "external_id": "tie-2", "attributes": {"score": 1}}));
        let (s, r) = post(
            &app,
            &format!("/api/v1/customers/{id}/events"),
            &json!({"events": events}),
        )
        .await;
        assert_eq!(s, 200, "{r}");
        let at = app.running.state.now();
        let (all, _) = crm::list_events(
            app.db(),
            id,
            &EventFilter {
                kind: None,
                after: None,
                limit: 200,
            },
        )
        .await
        .unwrap();
        assert_eq!(all.len(), 62);
        let from_sql = crm::profile(app.db(), id, at).await.unwrap();
        let tickets = [crm::TicketFact {
            created_at:
                app.get_json(&format!("/api/v1/customers/{id}")).await["profile"]["customer_since"]
                    .as_i64()
                    .unwrap()
                    .max(0),
            open: true,
        }];
        let mut from_list = crm::derive_profile(&all, &tickets, at);
        // The ticket's own time is what the database saw; compare everything else exactly.
        from_list.customer_since = from_sql.customer_since;
        from_list.last_contact_at = from_sql.last_contact_at;
        assert_eq!(from_sql, from_list);
        assert_eq!(from_sql.last_csat, Some(json!(1)));
        assert!(from_sql.lifetime_value.contains_key("JPY"));
        let mut conn = app.db().pool.acquire().await.unwrap();
        let facts = crm::facts_of(&mut conn, id, at).await.unwrap();
        assert_eq!(facts, crm::facts_from_events(&all, at));
        // Routing/SLA attributes read only the events that carry them; same answer as all.
        let cases = [
            (json!("Enterprise"), json!(false), Some("enterprise"), false),
            (json!("smb"), json!("yes"), Some("smb"), true),
        ];
        for (i, (segment, vip, want_segment, want_vip)) in cases.into_iter().enumerate() {
            let body = json!({"kind": "note", "occurred_at": ago(0, 2 - i as i64), "source": "t",
                "external_id": format!("seg-{i}"), "attributes": {"segment": segment, "vip": vip}});
            let (s, _) = post(&app, &format!("/api/v1/customers/{id}/events"), &body).await;
            assert_eq!(s, 200);
            let filter = EventFilter {
                kind: None,
                after: None,
                limit: 200,
            };
            let (all, _) = crm::list_events(app.db(), id, &filter).await.unwrap();
            let got = crm::attributes(&mut conn, id, at).await.unwrap();
            let profile = crm::profile(app.db(), id, at).await.unwrap();
            assert_eq!(got, crm::derive_attributes(&all, &profile));
            assert_eq!((got.segment.as_deref(), got.vip), (want_segment, want_vip));
        }
    }
);
