//! Bad input gets a clear 4xx naming the problem — never a 500, never a panic.

use crate::both_backends;
use crate::harness::{Backend, Options, TestApp, csrf_from, extract_attr};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

async fn post_ticket(app: &TestApp, body: &Value) -> (u16, Value) {
    let r = app
        .api()
        .post(app.at("/api/v1/tickets"))
        .bearer_auth(&app.agent_token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

both_backends!(api_validation_names_the_field, |app| async move {
    let ok = json!({"customer": {"email": "v@example.com"}, "subject": "s", "body": "b"});
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"customer": {"email": "v@example.com"}, "body": "b"}),
            "subject",
        ),
        (
            json!({"customer": {"email": "v@example.com"}, "subject": "   ", "body": "b"}),
            "subject",
        ),
        (
            json!({"customer": {"email": "v@example.com"}, "subject": "x".repeat(251), "body": "b"}),
            "subject",
        ),
        (
            json!({"customer": {"email": "v@example.com"}, "subject": "line\nbreak", "body": "b"}),
            "subject",
        ),
        (
            json!({"customer": {"email": "v@example.com"}, "subject": "s"}),
            "body",
        ),
        (
            json!({"customer": {"email": "v@example.com"}, "subject": "s", "body": ""}),
            "body",
        ),
        (json!({"subject": "s", "body": "b"}), "customer"),
        (
            json!({"customer": {}, "subject": "s", "body": "b"}),
            "customer.email",
        ),
        (
            json!({"customer": {"email": "not-an-address"}, "subject": "s", "body": "b"}),
            "customer.email",
        ),
        (
            json!({"customer": {"email": "v@example.com", "name": "n".repeat(201)}, "subject": "s", "body": "b"}),
            "customer.name",
        ),
        (
            json!({"customer": {"email": "v@example.com"}, "subject": "s", "body": "b", "priority": "asap"}),
            "priority",
        ),
        (
            json!({"customer": {"email": "v@example.com"}, "subject": 42, "body": "b"}),
            "subject",
        ),
        (
            json!({"customer": {"email": "v@example.com"}, "subject": "s", "body": "b", "sneaky": 1}),
            "sneaky",
        ),
        (
            json!({"customer": {"email": "v@example.com"}, "subject": "s", "body": "nul \u{0} inside"}),
            "body",
        ),
        (
            json!({"customer": {"email": "v@example.com", "name": "Ann\nSmith"}, "subject": "s", "body": "b"}),
            "customer.name",
        ),
    ];
    let id = app.create_ticket("v@example.com", "For replies", "b").await["id"]
        .as_i64()
        .unwrap();
    for (files, field) in [
        (
            json!([{"filename": "a.txt", "content_base64": "not base64!"}]),
            "attachments[0].content_base64",
        ),
        (
            json!([{"content_base64": "aGk="}]),
            "attachments[0].filename",
        ),
        (
            json!([{"filename": "ok.txt", "content_base64": "aGk="}, {"filename": "", "content_base64": "aGk="}]),
            "attachments[1].filename",
        ),
    ] {
        let r = app
            .api()
            .post(app.at(&format!("/api/v1/tickets/{id}/messages")))
            .bearer_auth(&app.agent_token)
            .json(&json!({"body": "x", "attachments": files}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["field"], field);
    }
    for (body, field) in cases {
        let (status, err) = post_ticket(&app, &body).await;
        assert_eq!(status, 422, "{body} → {err}");
        assert_eq!(err["error"]["code"], "validation_failed");
        assert_eq!(err["error"]["field"], field, "{body} → {err}");
        assert!(err["error"]["message"].as_str().unwrap().len() > 3);
    }
    assert_eq!(post_ticket(&app, &ok).await.0, 201);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(
        n, 2,
        "no invalid input created anything (one ticket for replies, one valid create)"
    );
});

both_backends!(api_protocol_errors, |app| async move {
    let api = app.api();
    let url = app.at("/api/v1/tickets");
    // Malformed JSON → 400.
    let r = api
        .post(&url)
        .bearer_auth(&app.agent_token)
        .header("content-type", "application/json")
        .body("{\"subject\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "bad_request");
    // Not JSON at all → 400.
    let r = api
        .post(&url)
        .bearer_auth(&app.agent_token)
        .body("subject=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Over the body limit → 413 with the JSON error.
    let big = json!({"customer": {"email": "big@example.com"}, "subject": "s", "body": "x".repeat(3 * 1024 * 1024)});
    let r = api
        .post(&url)
        .bearer_auth(&app.agent_token)
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "payload_too_large");
    // A body under the limit but over the field's own limit → 422 naming it.
    let long = json!({"customer": {"email": "big@example.com"}, "subject": "s", "body": "x".repeat(100_001)});
    assert_eq!(post_ticket(&app, &long).await.0, 422);
    // Unknown ticket and nonsense ids → 404 JSON.
    for path in [
        "/api/v1/tickets/999999",
        "/api/v1/tickets/abc",
        "/api/v1/tickets/-1",
        "/api/v1/customers/999999",
        "/api/v1/nope",
    ] {
        let r = api
            .get(app.at(path))
            .bearer_auth(&app.agent_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "not_found");
    }
    let r = api
        .patch(app.at("/api/v1/tickets/999999"))
        .bearer_auth(&app.agent_token)
        .json(&json!({"status": "open"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // No token, bad token, wrong scheme → 401.
    assert_eq!(api.get(&url).send().await.unwrap().status(), 401);
    assert_eq!(
        api.get(&url)
            .bearer_auth("cbk_nope")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        api.get(&url)
            .basic_auth("a", Some("b"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // Bad query parameters → 422 naming them.
    for (q, field) in [
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("status=zzz", "status"),
        ("cursor=abc", "cursor"),
        ("queue=x", "queue"),
    ] {
        let r = api
            .get(format!("{url}?{q}"))
            .bearer_auth(&app.agent_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{q}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["field"], field);
    }
});

both_backends!(web_form_validation, |app| async move {
    let c = app.browser();
    let (csrf, html) = csrf_from(&c, &app.at("/support")).await;
    let key = extract_attr(&html, "name=\"form_key\" value=\"").unwrap();
    let cases: [(&str, &str, &str, &str); 4] = [
        ("", "Subject", "Message", "email"),
        ("nope", "Subject", "Message", "email"),
        ("a@example.com", "", "Message", "subject"),
        ("a@example.com", "Subject", "   ", "message"),
    ];
    for (email, subject, message, field) in cases {
        let r = c
            .post(app.at("/support"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("form_key", key.as_str()),
                ("email", email),
                ("subject", subject),
                ("message", message),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{field}");
        let page = r.text().await.unwrap();
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "the page names {field}"
        );
        assert!(
            page.contains(&format!("value=\"{subject}\"")) || subject.is_empty(),
            "values are kept"
        );
    }
    // An attachment over its own limit is named; a body over the request limit is a 413.
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("email", "a@example.com")
        .text("subject", "Big file")
        .text("message", "see attached")
        .part(
            "attachment",
            reqwest::multipart::Part::bytes(vec![b'x'; 1_200_000]).file_name("big.bin"),
        );
    let r = c
        .post(app.at("/support"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"attachment-error\""));
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("email", "a@example.com")
        .text("subject", "Huge")
        .text("message", "see attached")
        .part(
            "attachment",
            reqwest::multipart::Part::bytes(vec![b'x'; 3_000_000]).file_name("huge.bin"),
        );
    let r = c
        .post(app.at("/support"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
    // Unknown pages and bad links (on a new connection: the server closes the one whose
    // oversized body it refused to read).
    let c = app.browser();
    assert_eq!(
        c.get(app.at("/t/not-a-real-token"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        c.get(app.at("/no/such/page"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_form_is_rate_limited_per_ip() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            form_rate_per_hour: 3,
            ..Options::default()
        },
    )
    .await
    .unwrap();
    let c = app.browser();
    let (csrf, _) = csrf_from(&c, &app.at("/support")).await;
    let mut statuses = Vec::new();
    for i in 0..5 {
        let email = format!("r{i}@example.com");
        let r = c
            .post(app.at("/support"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email.as_str()),
                ("subject", "Hi"),
                ("message", "m"),
            ])
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            assert!(r.headers().contains_key("retry-after"));
        }
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, vec![303, 303, 303, 429, 429]);
    // Over the limit, the answer comes before the body is read: a request that announces an
    // upload larger than the body limit and sends none of it gets 429 at once, not 413 (nor a
    // wait for the body).
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.url.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    conn.write_all(
        format!(
            "POST /support HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 3000000\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut head = [0u8; 12];
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        conn.read_exact(&mut head),
    )
    .await
    .expect("answered without waiting for the body")
    .unwrap();
    assert_eq!(&head, b"HTTP/1.1 429");
}

/// Random JSON, shaped and unshaped, thrown at every write endpoint: never a 5xx.
fn random_value(rng: &mut rand::rngs::StdRng, depth: u32) -> Value {
    let strings = [
        "",
        " ",
        "open",
        "closed",
        "urgent",
        "x@y.z",
        "not-an-email",
        "日本語の件名",
        "\u{0}",
        "a\nb",
        "9999999999999999999999",
        "-1",
        "null",
    ];
    match rng.gen_range(0..if depth > 2 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.r#gen()),
        2 => json!(rng.gen_range(-1_000_000_000_000i64..1_000_000_000_000)),
        3 => json!(rng.r#gen::<f64>() * 1e300),
        4 => Value::String(strings[rng.gen_range(0..strings.len())].to_string()),
        5 => Value::Array(
            (0..rng.gen_range(0..4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "customer",
                "email",
                "name",
                "subject",
                "body",
                "priority",
                "status",
                "assignee_id",
                "visibility",
                "zzz",
            ];
            let mut m = serde_json::Map::new();
            for _ in 0..rng.gen_range(0..6) {
                m.insert(
                    keys[rng.gen_range(0..keys.len())].to_string(),
                    random_value(rng, depth + 1),
                );
            }
            Value::Object(m)
        }
    }
}

both_backends!(fuzzed_json_never_causes_a_server_error, |app| async move {
    let id = app
        .create_ticket("fuzz@example.com", "Fuzz target", "b")
        .await["id"]
        .as_i64()
        .unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xCA5E_B00C);
    let api = app.api();
    for i in 0..300 {
        let body = random_value(&mut rng, 0);
        let (method, path) = match i % 3 {
            0 => (reqwest::Method::POST, "/api/v1/tickets".to_string()),
            1 => (reqwest::Method::PATCH, format!("/api/v1/tickets/{id}")),
            _ => (
                reqwest::Method::POST,
                format!("/api/v1/tickets/{id}/messages"),
            ),
        };
        let r = api
            .request(method, app.at(&path))
            .bearer_auth(&app.agent_token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert!(
            status < 500,
            "{path} {body} → {status}: {}",
            r.text().await.unwrap()
        );
        if status >= 400 {
            let e: Value = r.json().await.unwrap();
            assert!(e["error"]["code"].is_string() && e["error"]["message"].is_string());
        }
    }
    // Raw bytes that are not JSON at all.
    for raw in [
        &b"\xff\xfe\x00"[..],
        b"[",
        b"{\"customer\":",
        b"null",
        b"[]",
        b"\"str\"",
    ] {
        let r = api
            .post(app.at("/api/v1/tickets"))
            .bearer_auth(&app.agent_token)
            .header("content-type", "application/json")
            .body(raw.to_vec())
            .send()
            .await
            .unwrap();
        assert!(
            matches!(r.status().as_u16(), 400 | 422),
            "{:?} → {}",
            raw,
            r.status()
        );
    }
    assert!(
        reqwest::get(app.at("/healthz"))
            .await
            .unwrap()
            .status()
            .is_success()
    );
});

both_backends!(
    nul_characters_are_refused_naming_the_field,
    |app| async move {
        // Query parameters, JSON and form fields: a 422 naming the field, never a 500.
        for (path, field) in [
            ("/api/v1/tickets?tag=%00", "tag"),
            ("/api/v1/tickets?team=a%00b", "team"),
            ("/api/v1/search?q=x&team=%00", "team"),
        ] {
            let r = app
                .api()
                .get(app.at(path))
                .bearer_auth(&app.agent_token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "{path}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"]["field"], json!(field), "{path}: {body}");
        }
        let r = app
        .api()
        .post(app.at("/api/v1/tickets"))
        .bearer_auth(&app.agent_token)
        .json(&json!({"customer": {"email": "z@example.com", "name": "Z\u{0}"}, "subject": "s", "body": "b"}))
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], json!("customer.name"), "{body}");

        let browser = app.browser();
        assert_eq!(
            crate::harness::login(&app, &browser, &app.admin_email, crate::harness::PASSWORD).await,
            303
        );
        let (csrf, _) = crate::harness::csrf_from(&browser, &app.at("/admin/agents")).await;
        let r = browser
            .post(app.at("/admin/agents"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Eve\u{0}"),
                ("email", "eve@casebook.test"),
                ("role", "agent"),
                ("password", "a long enough password"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("name"));
        let r = browser
            .get(app.at("/tickets?tag=%00"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);

        // Mail is never refused for it: each NUL becomes U+FFFD, the raw message keeps them.
        let raw = b"From: Nul Sender <nul@example.com>\r\nTo: support@helpdesk.test\r\nSubject: Broken\0 printer\r\nMessage-ID: <nul@example.com>\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIt prints\0 nothing.\r\n";
        let src = casebook::intake::email::Source {
            mailbox: "test@imap/INBOX".into(),
            uidvalidity: Some(1),
            uid: Some(1),
        };
        let outcome = casebook::intake::email::ingest(
            &app.running.state,
            &src,
            raw,
            casebook::intake::email::Mode::Normal,
        )
        .await
        .unwrap();
        let casebook::intake::email::Ingested::Ticket { ticket_id, .. } = outcome else {
            panic!("{outcome:?}")
        };
        let t = app.get_json(&format!("/api/v1/tickets/{ticket_id}")).await;
        let subject = t["ticket"]["subject"]
            .as_str()
            .unwrap_or_else(|| panic!("{t}"));
        assert!(
            subject.contains("Broken") && subject.contains("printer") && !subject.contains('\0')
        );
        let m = app
            .get_json(&format!("/api/v1/tickets/{ticket_id}/messages"))
            .await;
        let body = m["items"][0]["body_text"]
            .as_str()
            .unwrap_or_else(|| panic!("{m}"));
        assert_eq!(body.trim(), "It prints\u{FFFD} nothing.");
    }
);

both_backends!(every_api_error_is_json, |app| async move {
    let api = app.api();
    for (method, path, status, code) in [
        (
            reqwest::Method::DELETE,
            "/api/v1/search?q=x",
            405,
            "method_not_allowed",
        ),
        (
            reqwest::Method::GET,
            "/api/v1/tickets/%FF",
            400,
            "bad_request",
        ),
        (
            reqwest::Method::GET,
            "/api/v1/tickets/abc",
            404,
            "not_found",
        ),
        (
            reqwest::Method::GET,
            "/api/v1/no-such-thing",
            404,
            "not_found",
        ),
    ] {
        let r = api
            .request(method.clone(), app.at(path))
            .bearer_auth(&app.agent_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{method} {path}");
        if status == 405 {
            assert!(r.headers().contains_key("allow"), "{method} {path}: Allow");
        }
        let kind = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(
            kind.starts_with("application/json"),
            "{method} {path}: {kind}"
        );
        let body: Value = r.json().await.unwrap();
        assert_eq!(
            body["error"]["code"],
            json!(code),
            "{method} {path}: {body}"
        );
        assert!(body["error"]["message"].is_string(), "{body}");
    }
});

both_backends!(a_reply_form_takes_at_most_50_files, |app| async move {
    let id = app.create_ticket("files@example.com", "Files", "b").await["id"]
        .as_i64()
        .unwrap();
    let browser = app.browser();
    assert_eq!(
        crate::harness::login(&app, &browser, &app.agent_email, crate::harness::PASSWORD).await,
        303
    );
    let (csrf, _) = csrf_from(&browser, &app.at(&format!("/tickets/{id}"))).await;
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("body", "Here are the logs")
        .text("visibility", "public");
    for i in 0..51 {
        form = form.part(
            "attachment",
            reqwest::multipart::Part::bytes(b"log line".to_vec()).file_name(format!("log{i}.txt")),
        );
    }
    let r = browser
        .post(app.at(&format!("/tickets/{id}/messages")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("at most 50 files"), "{page}");
    let files: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachment")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(files, 0, "nothing of the refused reply is stored");
});
