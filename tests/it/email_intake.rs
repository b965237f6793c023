//! Email through the one intake path, on both backends: dedupe, threading rules, quarantine,
//! auto-replies, bounces and the per-sender cap. (The real IMAP/SMTP loop is in `mail_e2e`.)

use crate::both_backends;
use crate::harness::TestApp;
use casebook::intake::email::{Ingested, Mode, Source, ingest};
use serde_json::Value;

fn src(uid: i64) -> Source {
    Source {
        mailbox: "test@imap/INBOX".into(),
        uidvalidity: Some(1),
        uid: Some(uid),
    }
}

pub fn mail(
    from: &str,
    subject: &str,
    message_id: Option<&str>,
    extra_headers: &str,
    body: &str,
) -> Vec<u8> {
    let mid = message_id
        .map(|m| format!("Message-ID: <{m}>\r\n"))
        .unwrap_or_default();
    format!(
        "From: Test Sender <{from}>\r\nTo: support@helpdesk.test\r\nSubject: {subject}\r\n{mid}{extra_headers}Date: Thu, 26 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

async fn ticket_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

async fn messages(app: &TestApp, ticket: i64) -> Value {
    app.get_json(&format!("/api/v1/tickets/{ticket}/messages"))
        .await
}

both_backends!(duplicates_and_reused_message_ids, |app| async move {
    let state = &app.running.state;
    let raw = mail(
        "ana@example.com",
        "Broken login",
        Some("abc@mail.example.com"),
        "",
        "I cannot log in.",
    );
    let Ingested::Ticket {
        ticket_id,
        created: true,
        ..
    } = ingest(state, &src(1), &raw, Mode::Normal).await.unwrap()
    else {
        panic!("ticket")
    };
    // The very same bytes again (a re-fetch after a crash): nothing new.
    assert_eq!(
        ingest(state, &src(1), &raw, Mode::Normal).await.unwrap(),
        Ingested::Duplicate
    );
    // The same message delivered again with another Received header: same Message-ID and sender.
    let mut copy = b"Received: from relay2.example.com by mx\r\n".to_vec();
    copy.extend_from_slice(&raw);
    assert_eq!(
        ingest(state, &src(2), &copy, Mode::Normal).await.unwrap(),
        Ingested::Duplicate
    );
    // Another sender reusing that Message-ID is a different message.
    let other = mail(
        "bob@example.org",
        "My own problem",
        Some("abc@mail.example.com"),
        "",
        "Unrelated.",
    );
    let Ingested::Ticket {
        ticket_id: t2,
        created: true,
        ..
    } = ingest(state, &src(3), &other, Mode::Normal).await.unwrap()
    else {
        panic!("ticket")
    };
    assert_ne!(t2, ticket_id);
    // The same sender sending different text under the old Message-ID (a broken client) is a new
    // message, threaded as usual and saying so — never silently absorbed; sent twice, it is one.
    let reused = mail(
        "ana@example.com",
        "Broken login",
        Some("abc@mail.example.com"),
        "",
        "Now the password reset fails too.",
    );
    let Ingested::Ticket { ticket_id: t3, .. } =
        ingest(state, &src(6), &reused, Mode::Normal).await.unwrap()
    else {
        panic!("the reused Message-ID swallowed a new message")
    };
    let m = messages(&app, t3).await;
    let last = m["items"].as_array().unwrap().last().unwrap().clone();
    assert!(
        last["body_text"]
            .as_str()
            .unwrap()
            .contains("password reset"),
        "{m}"
    );
    assert!(
        last["thread_reason"]
            .as_str()
            .unwrap()
            .contains("Message-ID was used before"),
        "{m}"
    );
    assert_eq!(
        ingest(state, &src(7), &reused, Mode::Normal).await.unwrap(),
        Ingested::Duplicate
    );
    // No Message-ID at all: deduped by content.
    let anon = mail("carol@example.net", "No id", None, "", "Hello");
    assert!(matches!(
        ingest(state, &src(4), &anon, Mode::Normal).await.unwrap(),
        Ingested::Ticket { created: true, .. }
    ));
    assert_eq!(
        ingest(state, &src(5), &anon, Mode::Normal).await.unwrap(),
        Ingested::Duplicate
    );
    // Ana's two tickets (the second from the reused Message-ID), Bob's and Carol's.
    assert_eq!(ticket_count(&app).await, 4);
    let raw_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM raw_email")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert!(raw_rows >= 3, "raw bytes kept");
    // Every stored email is a message, a duplicate or held: none absorbed without a trace.
    app.clock.advance_ms(120_000);
    let now = app.running.state.now();
    assert_eq!(
        casebook::intake::email::unaccounted(app.db(), now)
            .await
            .unwrap(),
        0
    );
    sqlx::query(
        "INSERT INTO raw_email (mailbox, content_hash, size_bytes, content, received_at)
         VALUES ('test', 'lost', 1, $1, $2)",
    )
    .bind(b"x".to_vec())
    .bind(now - 300_000)
    .execute(&app.db().pool)
    .await
    .unwrap();
    assert_eq!(
        casebook::intake::email::unaccounted(app.db(), now)
            .await
            .unwrap(),
        1
    );
});

both_backends!(threading_rules, |app| async move {
    let state = &app.running.state;
    let first = mail(
        "dana@example.com",
        "Invoice wrong",
        Some("first@example.com"),
        "",
        "The VAT is wrong.",
    );
    let Ingested::Ticket { ticket_id, .. } =
        ingest(state, &src(1), &first, Mode::Normal).await.unwrap()
    else {
        panic!()
    };
    // In-Reply-To a message we received.
    let reply = mail(
        "dana@example.com",
        "Re: Invoice wrong",
        Some("second@example.com"),
        "In-Reply-To: <first@example.com>\r\nReferences: <first@example.com>\r\n",
        "Any news?\r\n\r\nOn Thu, 26 Nov 2026 at 10:00, Support <support@helpdesk.test> wrote:\r\n> old text",
    );
    let Ingested::Ticket {
        ticket_id: t,
        created: false,
        ..
    } = ingest(state, &src(2), &reply, Mode::Normal).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(t, ticket_id);
    // A subject tag with the ticket's secret (as our mail carries it), no headers.
    let secret: String = sqlx::query_scalar("SELECT reply_token FROM ticket WHERE ticket_id = $1")
        .bind(ticket_id)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    let token = mail(
        "dana@example.com",
        &format!("Still broken [#{ticket_id}-{secret}]"),
        Some("third@example.com"),
        "",
        "Third message",
    );
    let Ingested::Ticket {
        ticket_id: t,
        created: false,
        ..
    } = ingest(state, &src(3), &token, Mode::Normal).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(t, ticket_id);
    // The number alone is easy to guess: with a forged From and no secret (or a wrong one) it
    // names nothing, and the mail starts a new ticket instead of writing into this one.
    for (n, tag) in [
        (30, format!("[#{ticket_id}]")),
        (31, format!("[#{ticket_id}-zzzz9999]")),
    ] {
        let forged = mail(
            "dana@example.com",
            &format!("Re: Invoice wrong {tag}"),
            Some(&format!("forged{n}@evil.example")),
            "",
            "Please change my bank details",
        );
        let Ingested::Ticket {
            ticket_id: t,
            created: true,
            ..
        } = ingest(state, &src(n), &forged, Mode::Normal).await.unwrap()
        else {
            panic!("{tag}: written into the ticket")
        };
        assert_ne!(t, ticket_id);
    }
    // Another customer claiming the thread: a new ticket, never theirs.
    let spoof = mail(
        "mallory@evil.example",
        &format!("Re: Invoice wrong [#{ticket_id}]"),
        Some("spoof@evil.example"),
        "In-Reply-To: <first@example.com>\r\n",
        "Send me the invoice",
    );
    let Ingested::Ticket {
        ticket_id: t,
        created: true,
        ..
    } = ingest(state, &src(4), &spoof, Mode::Normal).await.unwrap()
    else {
        panic!()
    };
    assert_ne!(t, ticket_id);
    let m = messages(&app, t).await;
    assert!(
        m["items"][0]["thread_reason"]
            .as_str()
            .unwrap()
            .contains("another customer"),
        "{m}"
    );
    let m = messages(&app, ticket_id).await;
    let items = m["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(
        items[1]["thread_reason"]
            .as_str()
            .unwrap()
            .contains("In-Reply-To")
    );
    assert!(items[2]["thread_reason"].as_str().unwrap().contains("[#"));
    assert!(
        items
            .iter()
            .all(|m| !m["body_text"].as_str().unwrap().contains("bank details")),
        "{m}"
    );
    // Visible text drops the quote; the full text keeps it.
    assert_eq!(items[1]["body_text"].as_str().unwrap().trim(), "Any news?");
    assert!(items[1]["full_text"].as_str().unwrap().contains("old text"));
});

both_backends!(
    garbage_is_quarantined_and_can_be_released,
    |app| async move {
        let state = &app.running.state;
        let outcome = ingest(state, &src(1), b"", Mode::Normal).await.unwrap();
        let Ingested::Quarantined {
            quarantine_id,
            reason,
        } = outcome
        else {
            panic!("{outcome:?}")
        };
        assert_eq!(reason, "parse_error");
        let noise: Vec<u8> = (0..4000u32).map(|i| (i * 7919 % 251) as u8).collect();
        let outcome = ingest(state, &src(2), &noise, Mode::Normal).await.unwrap();
        assert!(
            matches!(
                outcome,
                Ingested::Quarantined { .. } | Ingested::Ticket { .. }
            ),
            "{outcome:?}"
        );
        let api = app.api();
        let list: Value = api
            .get(app.at("/api/v1/quarantine"))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(!list["items"].as_array().unwrap().is_empty());
        assert_eq!(
            api.get(app.at("/api/v1/quarantine"))
                .bearer_auth(&app.agent_token)
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
        // Retry keeps it held (same reason, no second entry); release makes a ticket anyway.
        let r: Value = api
            .post(app.at(&format!("/api/v1/quarantine/{quarantine_id}/retry")))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r["result"]["status"], "held");
        let r = api
            .post(app.at(&format!("/api/v1/quarantine/{quarantine_id}/release")))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r: Value = r.json().await.unwrap();
        assert_eq!(r["result"]["status"], "released");
        assert!(r["result"]["ticket_id"].is_i64());
        let again = api
            .post(app.at(&format!("/api/v1/quarantine/{quarantine_id}/release")))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 409);
        let nope = api
            .post(app.at("/api/v1/quarantine/999999/retry"))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(nope.status(), 404);
    }
);

both_backends!(auto_replies_bounces_and_sender_cap, |app| async move {
    let state = &app.running.state;
    // An out-of-office that answers nothing we know: held, not a ticket.
    let ooo = mail(
        "away@example.com",
        "Out of office",
        Some("ooo1@example.com"),
        "Auto-Submitted: auto-replied\r\n",
        "I am away until Monday.",
    );
    assert!(matches!(
        ingest(state, &src(1), &ooo, Mode::Normal).await.unwrap(),
        Ingested::Quarantined {
            reason: "auto_reply",
            ..
        }
    ));
    // A real ticket, solved; an auto-reply in its thread is recorded but does not reopen it.
    let first = mail(
        "away@example.com",
        "Question",
        Some("q1@example.com"),
        "",
        "How do I export?",
    );
    let Ingested::Ticket { ticket_id, .. } =
        ingest(state, &src(2), &first, Mode::Normal).await.unwrap()
    else {
        panic!()
    };
    let api = app.api();
    api.patch(app.at(&format!("/api/v1/tickets/{ticket_id}")))
        .bearer_auth(&app.agent_token)
        .json(&serde_json::json!({"status": "solved"}))
        .send()
        .await
        .unwrap();
    let ooo2 = mail(
        "away@example.com",
        "Auto: Re: Question",
        Some("ooo2@example.com"),
        "Auto-Submitted: auto-replied\r\nIn-Reply-To: <q1@example.com>\r\n",
        "I am away.",
    );
    assert!(matches!(
        ingest(state, &src(3), &ooo2, Mode::Normal).await.unwrap(),
        Ingested::Ticket { created: false, .. }
    ));
    let t: Value = app.get_json(&format!("/api/v1/tickets/{ticket_id}")).await;
    assert_eq!(t["ticket"]["status"], "solved", "auto-replies never reopen");
    assert_eq!(t["messages"][1]["mail_kind"], "auto_reply");
    // A bounce of a message we sent marks it failed and shows on the ticket.
    let out: Value = api
        .post(app.at(&format!("/api/v1/tickets/{ticket_id}/messages")))
        .bearer_auth(&app.agent_token)
        .json(&serde_json::json!({"body": "Here is how"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let out_id = out["message"]["id"].as_i64().unwrap();
    sqlx::query("UPDATE message SET email_message_id = 'casebook.sent.1@helpdesk.test' WHERE message_id = $1").bind(out_id).execute(&app.db().pool).await.unwrap();
    let bounce = format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\nTo: support@helpdesk.test\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce1@mx.example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; away@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <casebook.sent.1@helpdesk.test>\r\nSubject: Re: Question [#{ticket_id}]\r\n\r\n--b1--\r\n"
    );
    let outcome = ingest(state, &src(4), bounce.as_bytes(), Mode::Normal)
        .await
        .unwrap();
    assert_eq!(outcome, Ingested::Bounce { ticket_id });
    let t: Value = app.get_json(&format!("/api/v1/tickets/{ticket_id}")).await;
    let sent = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == out_id)
        .unwrap();
    assert_eq!(sent["delivery_status"], "failed");
    assert!(
        t["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "delivery_failed")
    );
    // A bounce without any From header (some MTAs send them so) is still a bounce, matched to
    // the message it reports, not held as `no_sender`.
    sqlx::query("UPDATE message SET email_message_id = 'casebook.sent.2@helpdesk.test', delivery_status = 'sent' WHERE message_id = $1").bind(out_id).execute(&app.db().pool).await.unwrap();
    let no_from = bounce
        .replacen(
            "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n",
            "Return-Path: <>\r\n",
            1,
        )
        .replace("bounce1@mx.example.com", "bounce2@mx.example.com")
        .replace("casebook.sent.1@", "casebook.sent.2@");
    assert!(!no_from.contains("From: Mail"));
    let outcome = ingest(state, &src(5), no_from.as_bytes(), Mode::Normal)
        .await
        .unwrap();
    assert_eq!(outcome, Ingested::Bounce { ticket_id });
    // One sender flooding: the 21st message in an hour is held as rate_limited.
    let mut held = 0;
    for i in 0..25 {
        let m = mail(
            "flood@example.com",
            &format!("Flood {i}"),
            Some(&format!("flood{i}@example.com")),
            "",
            "again",
        );
        if let Ingested::Quarantined {
            reason: "rate_limited",
            ..
        } = ingest(state, &src(100 + i), &m, Mode::Normal)
            .await
            .unwrap()
        {
            held += 1;
        }
    }
    assert_eq!(held, 5);
});

// The per-sender cap counts by the messages' own dates: a mailbox read after two days of
// downtime (one sender, a message every ten minutes) is all tickets, while the same sender
// looping in real time is still held after the limit.
both_backends!(sender_cap_counts_by_the_senders_clock, |app| async move {
    let state = &app.running.state;
    let now = chrono::DateTime::from_timestamp_millis(state.now()).unwrap();
    let dated = |i: i64, at: chrono::DateTime<chrono::Utc>, kind: &str| {
        let m = mail(
            "busy@example.com",
            &format!("{kind} {i}"),
            Some(&format!("{kind}-{i}@example.com")),
            "",
            "again",
        );
        String::from_utf8(m)
            .unwrap()
            .replace("Thu, 26 Nov 2026 10:00:00 +0000", &at.to_rfc2822())
            .into_bytes()
    };
    let mut held = 0;
    let start = now - chrono::Duration::days(2);
    for i in 0..150 {
        let m = dated(i, start + chrono::Duration::minutes(10 * i), "Backlog");
        if let Ingested::Quarantined { reason, .. } = ingest(state, &src(300 + i), &m, Mode::Normal)
            .await
            .unwrap()
        {
            assert_eq!(reason, "rate_limited");
            held += 1;
        }
    }
    assert_eq!(
        held, 0,
        "a backlog of 150 messages over 25 hours is not a flood"
    );
    for i in 0..25 {
        let m = dated(i, now, "Loop");
        if let Ingested::Quarantined { reason, .. } = ingest(state, &src(500 + i), &m, Mode::Normal)
            .await
            .unwrap()
        {
            assert_eq!(reason, "rate_limited");
            held += 1;
        }
    }
    // The loop writes in real time: the 21st message within the hour is held.
    assert_eq!(held, 5);
    // A Date in the future counts as now, so it cannot dodge the count.
    let m = dated(99, now + chrono::Duration::days(400), "Future");
    assert!(matches!(
        ingest(state, &src(600), &m, Mode::Normal).await.unwrap(),
        Ingested::Quarantined {
            reason: "rate_limited",
            ..
        }
    ));
});

// Random threading headers, tokens and senders through the real intake: every message ends as a
// ticket, a duplicate or a quarantine row — never an error — and never lands on a ticket of
// another customer.
both_backends!(random_threading_input_is_handled, |app| async move {
    use rand::{Rng, SeedableRng};
    let state = &app.running.state;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x7_4EAD);
    let senders = [
        "a@example.com",
        "b@example.com",
        "c@example.org",
        "not an address",
        "",
        "<>",
        "d@例え.jp",
    ];
    let mut known_ids: Vec<String> = vec!["none@x".into()];
    for i in 0..150i64 {
        let from = senders[rng.gen_range(0..senders.len())];
        let pick = |rng: &mut rand::rngs::StdRng, ids: &Vec<String>| {
            ids[rng.gen_range(0..ids.len())].clone()
        };
        let mut headers = String::new();
        if rng.gen_bool(0.5) {
            headers.push_str(&format!(
                "In-Reply-To: <{}>\r\n",
                pick(&mut rng, &known_ids)
            ));
        }
        if rng.gen_bool(0.4) {
            headers.push_str(&format!(
                "References: <{}> <{}> garbage <<>>\r\n",
                pick(&mut rng, &known_ids),
                pick(&mut rng, &known_ids)
            ));
        }
        if rng.gen_bool(0.2) {
            headers.push_str("Auto-Submitted: auto-replied\r\n");
        }
        let token = match rng.gen_range(0..4) {
            0 => format!(" [#{}]", rng.gen_range(1..12)),
            1 => " [#99999999999999999999]".into(),
            2 => " [#-3]".into(),
            _ => String::new(),
        };
        let mid = format!("fz{i}@example.com");
        let raw = mail(
            from,
            &format!("Subject {i}{token}"),
            rng.gen_bool(0.9).then_some(mid.as_str()),
            &headers,
            "text\r\n> quoted",
        );
        let outcome = ingest(state, &src(1000 + i), &raw, Mode::Normal)
            .await
            .expect("no storage error");
        if let Ingested::Ticket { message_id, .. } = outcome {
            known_ids.push(mid);
            // The message's ticket belongs to the message's sender.
            let owner_ok: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM message m JOIN ticket t ON t.ticket_id = m.ticket_id WHERE m.message_id = $1 AND t.customer_id = m.customer_id",
            )
            .bind(message_id)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
            assert_eq!(
                owner_ok, 1,
                "message {i} threaded onto another customer's ticket"
            );
        }
    }
});

/// An SMTP server that never answers: the reply is retried with backoff, then shown as failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_smtp_is_retried_then_shown_as_failed() {
    let closed = crate::crash::free_port();
    let app = TestApp::spawn_with(
        crate::harness::Backend::Sqlite,
        crate::harness::Options {
            workers: false,
            smtp_url: Some(format!("smtp://127.0.0.1:{closed}")),
            support_address: Some("Support <support@helpdesk.test>".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let id = app
        .create_ticket("far@customer.test", "Hello", "Are you there?")
        .await["id"]
        .as_i64()
        .unwrap();
    let r = app
        .api()
        .post(app.at(&format!("/api/v1/tickets/{id}/messages")))
        .bearer_auth(&app.agent_token)
        .json(&serde_json::json!({"body": "Yes"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let state = &app.running.state;
    let mut attempts = 0;
    // Every attempt sends the mail rendered at the first one: same bytes, one private link.
    let rendered = || async {
        sqlx::query_scalar::<_, Option<Vec<u8>>>(
            "SELECT outbound_mime FROM message WHERE ticket_id = $1 AND author_kind = 'agent'",
        )
        .bind(id)
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
    };
    let links = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM ticket_link WHERE ticket_id = $1")
            .bind(id)
            .fetch_one(&app.db().pool)
            .await
            .unwrap()
    };
    let mut first: Option<Vec<u8>> = None;
    for _ in 0..20 {
        casebook::jobs::drain_once(state, "t").await.unwrap();
        attempts += 1;
        if let Some(now) = rendered().await {
            match &first {
                None => first = Some(now),
                Some(f) => assert!(*f == now, "attempt {attempts} rendered the mail anew"),
            }
            assert_eq!(links().await, 1, "attempt {attempts} issued another link");
        }
        let failed: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL")
                .fetch_one(&app.db().pool)
                .await
                .unwrap();
        if failed > 0 {
            break;
        }
        app.clock.advance_ms(2 * 3_600_000);
    }
    assert!(attempts >= 12, "retried {attempts} times before giving up");
    let first = first.expect("the mail was rendered");
    let text = String::from_utf8_lossy(&first);
    assert!(
        text.contains("/t/") && text.contains("Message-ID: <casebook.m"),
        "{text}"
    );
    assert_eq!(
        rendered().await,
        None,
        "the rendered copy goes once the mail is settled"
    );
    let m = messages(&app, id).await;
    let reply = m["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["author_kind"] == "agent")
        .unwrap()
        .clone();
    assert_eq!(reply["delivery_status"], "failed", "{reply}");
    let t: Value = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert!(
        t["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "delivery_failed")
    );
}

// A NUL byte in the body and a line break in the sender's name (both legal in encoded mail) are
// stored safely on both databases, and the acknowledgement to that sender can still be built.
both_backends!(hostile_encodings_are_stored_safely, |app| async move {
    let state = &app.running.state;
    let raw = b"From: =?utf-8?q?Ann=0ASmith?= <nl@example.com>\r\nTo: support@helpdesk.test\r\nSubject: =?utf-8?q?Line=0Abreak=00subject?=\r\nMessage-ID: <nul1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nBefore=00after\r\n";
    let Ingested::Ticket { ticket_id, .. } =
        ingest(state, &src(1), raw, Mode::Normal).await.unwrap()
    else {
        panic!("ticket")
    };
    let t: Value = app.get_json(&format!("/api/v1/tickets/{ticket_id}")).await;
    assert_eq!(t["ticket"]["customer_name"], "Ann Smith");
    assert!(!t["ticket"]["subject"].as_str().unwrap().contains('\n'));
    assert!(
        t["messages"][0]["body_text"]
            .as_str()
            .unwrap()
            .contains("Before\u{FFFD}after")
    );
});

// Two admins releasing the same held message at once: one ticket, one winner.
both_backends!(concurrent_release_makes_one_ticket, |app| async move {
    let state = &app.running.state;
    let Ingested::Quarantined { quarantine_id, .. } =
        ingest(state, &src(1), b"\x00\x01 not mail", Mode::Normal)
            .await
            .unwrap()
    else {
        panic!()
    };
    let url = app.at(&format!("/api/v1/quarantine/{quarantine_id}/release"));
    let calls = (0..4).map(|_| {
        let (url, token) = (url.clone(), app.admin_token.clone());
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    });
    let mut statuses = Vec::new();
    for c in calls.collect::<Vec<_>>() {
        statuses.push(c.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    assert_eq!(ticket_count(&app).await, 1);
});

both_backends!(forged_senders_are_held_as_spoofed, |app| async move {
    let state = &app.running.state;
    let first = mail(
        "erin@shop.example",
        "Refund",
        Some("refund1@shop.example"),
        "Authentication-Results: mx.helpdesk.test; dkim=pass header.d=shop.example; spf=pass smtp.mailfrom=shop.example; dmarc=pass header.from=shop.example\r\n",
        "Please refund order 12.",
    );
    let Ingested::Ticket { ticket_id, .. } =
        ingest(state, &src(1), &first, Mode::Normal).await.unwrap()
    else {
        panic!("a passing sender makes a ticket")
    };
    // Our receiving server says the From domain fails DMARC: held, not written anywhere. A
    // "pass" the sender planted further down does not count.
    let forged = mail(
        "erin@shop.example",
        "Re: Refund",
        Some("forged@evil.example"),
        "Authentication-Results: mx.helpdesk.test; spf=fail smtp.mailfrom=shop.example; dkim=none; dmarc=fail (p=reject) header.from=shop.example\r\n\
         Authentication-Results: mx.helpdesk.test; dmarc=pass header.from=shop.example\r\n\
         In-Reply-To: <refund1@shop.example>\r\n",
        "New bank details for the refund: ...",
    );
    let Ingested::Quarantined {
        reason,
        quarantine_id,
    } = ingest(state, &src(2), &forged, Mode::Normal).await.unwrap()
    else {
        panic!("forged mail was not held")
    };
    assert_eq!(reason, "spoofed");
    let m = messages(&app, ticket_id).await;
    assert_eq!(m["items"].as_array().unwrap().len(), 1, "{m}");
    let r = app
        .api()
        .get(app.at("/api/v1/quarantine"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    let q: serde_json::Value = r.json().await.unwrap();
    let held = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == quarantine_id)
        .cloned()
        .unwrap_or_default();
    assert_eq!(held["reason"], "spoofed", "{q}");
    assert!(
        held["detail"].as_str().unwrap().contains("dmarc=fail"),
        "{q}"
    );
    // An admin who knows better can release it: then it threads as usual.
    let Ingested::Ticket { ticket_id: t, .. } = ingest(state, &src(2), &forged, Mode::Release)
        .await
        .unwrap()
    else {
        panic!("released mail makes a message")
    };
    assert_eq!(t, ticket_id);
});

both_backends!(large_mail_is_parsed_whole, |app| async move {
    // Large enough to be parsed on the blocking pool: a 900 KiB attachment, base64-encoded.
    use base64::Engine;
    let file: Vec<u8> = (0..900 * 1024).map(|i| (i % 251) as u8).collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&file);
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let raw = format!(
        "From: Big Sender <big@example.com>\r\nTo: support@helpdesk.test\r\nSubject: Scan attached\r\n\
         Message-ID: <big1@example.com>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n\
         Here is the scan.\r\n--b1\r\nContent-Type: application/octet-stream; name=\"scan.bin\"\r\n\
         Content-Disposition: attachment; filename=\"scan.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         {}\r\n--b1--\r\n",
        lines.join("\r\n")
    );
    let Ingested::Ticket { ticket_id, .. } =
        ingest(&app.running.state, &src(1), raw.as_bytes(), Mode::Normal)
            .await
            .unwrap()
    else {
        panic!("a ticket")
    };
    let (size, sha): (i64, String) = sqlx::query_as(
        "SELECT a.size_bytes, a.sha256 FROM attachment a JOIN message m ON m.message_id = a.message_id
         WHERE m.ticket_id = $1",
    )
    .bind(ticket_id)
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    assert_eq!(size, file.len() as i64);
    use sha2::Digest;
    assert_eq!(sha, hex::encode(sha2::Sha256::digest(&file)));
});

both_backends!(list_mail_and_read_receipts, |app| async move {
    let state = &app.running.state;
    // The support address behind a Google Group: every message carries list headers.
    let group = mail(
        "kim@customer.example",
        "Cannot export invoices",
        Some("group1@customer.example"),
        "Precedence: list\r\nList-Id: <support.acme.example>\r\nList-Post: <mailto:support@acme.example>\r\nMailing-list: list support@acme.example; contact support+owners@acme.example\r\n",
        "The export button does nothing.",
    );
    let Ingested::Ticket {
        ticket_id,
        created: true,
        ..
    } = ingest(state, &src(1), &group, Mode::Normal).await.unwrap()
    else {
        panic!("a person writing through a list is a customer")
    };
    let m = messages(&app, ticket_id).await;
    assert_eq!(m["items"][0]["mail_kind"], "list", "{m}");
    // ...whose ticket is not acknowledged (the list would get it).
    let payload: String = sqlx::query_scalar(
        "SELECT payload FROM outbox WHERE kind = 'ticket.created' ORDER BY outbox_id DESC LIMIT 1",
    )
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    let payload: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(payload["auto_reply"], true, "{payload}");

    // A read receipt for that ticket's mail: held as a receipt, never a ticket or a message.
    let before = ticket_count(&app).await;
    let receipt = "From: Kim <kim@customer.example>\r\nTo: support@helpdesk.test\r\nSubject: Read: Cannot export invoices\r\n\
         Message-ID: <mdn1@customer.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=disposition-notification; boundary=\"r\"\r\n\r\n\
         --r\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n\
         --r\r\nContent-Type: message/disposition-notification\r\n\r\n\
         Reporting-UA: customer.example; Mail\r\nFinal-Recipient: rfc822;kim@customer.example\r\n\
         Original-Message-ID: <group1@customer.example>\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n\
         --r--\r\n";
    let Ingested::Quarantined { reason, .. } =
        ingest(state, &src(2), receipt.as_bytes(), Mode::Normal)
            .await
            .unwrap()
    else {
        panic!("a read receipt made a ticket")
    };
    assert_eq!(reason, "receipt");
    assert_eq!(ticket_count(&app).await, before);
    assert_eq!(
        messages(&app, ticket_id).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
});

both_backends!(quarantine_pages_and_filters, |app| async move {
    let state = &app.running.state;
    // Five held messages: three without a sender, two automatic replies to nothing.
    for i in 0..3 {
        let raw =
            format!("Subject: nobody {i}\r\nMessage-ID: <ns{i}@x.example>\r\n\r\nwho am I\r\n");
        ingest(state, &src(10 + i), raw.as_bytes(), Mode::Normal)
            .await
            .unwrap();
    }
    for i in 0..2 {
        let raw = mail(
            &format!("away{i}@example.com"),
            "Out of office",
            Some(&format!("ooo{i}@example.com")),
            "Auto-Submitted: auto-replied\r\n",
            "I am away.",
        );
        ingest(state, &src(20 + i), &raw, Mode::Normal)
            .await
            .unwrap();
    }
    let get = |q: &'static str| {
        let app = &app;
        async move {
            let r = app
                .api()
                .get(app.at(&format!("/api/v1/quarantine{q}")))
                .bearer_auth(&app.admin_token)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    // Page by page, newest first, until the cursor runs out.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/api/v1/quarantine?limit=2{cursor}");
        let r = app
            .api()
            .get(app.at(&path))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let page: Value = r.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|i| i["id"].as_i64().unwrap()));
        match page["next_cursor"].as_i64() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first: {seen:?}"
    );
    let (s, v) = get("?reason=no_sender").await;
    assert_eq!(s, 200);
    assert_eq!(v["items"].as_array().unwrap().len(), 3, "{v}");
    let (_, v) = get("?reason=auto_reply&mailbox=test@imap/INBOX").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2, "{v}");
    let (_, v) = get("?from=2999-01-01").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 0, "{v}");
    for (q, field) in [
        ("?limit=0", "limit"),
        ("?cursor=abc", "cursor"),
        ("?to=yesterday", "to"),
    ] {
        let (s, v) = get(q).await;
        assert_eq!(s, 422, "{q}: {v}");
        assert_eq!(v["error"]["field"], field, "{q}: {v}");
    }
});

both_backends!(a_forward_under_new_text_is_shown, |app| async move {
    let raw = mail(
        "fwd@customer.example",
        "Fwd: Your order",
        Some("fwd1@customer.example"),
        "",
        "FYI, the shop cancelled it.\r\n\r\n---------- Forwarded message ---------\r\nFrom: Shop <orders@shop.example>\r\nDate: Mon, 3 Feb 2025 at 10:00\r\nSubject: Your order\r\nTo: <fwd@customer.example>\r\n\r\nOrder 7 was cancelled.",
    );
    let Ingested::Ticket { ticket_id, .. } =
        ingest(&app.running.state, &src(1), &raw, Mode::Normal)
            .await
            .unwrap()
    else {
        panic!("a ticket")
    };
    let c = app.browser();
    assert_eq!(
        crate::harness::login(&app, &c, &app.agent_email, crate::harness::PASSWORD).await,
        303
    );
    let html = c
        .get(app.at(&format!("/tickets/{ticket_id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let shown = html
        .split("<figure class=\"forwarded\">")
        .nth(1)
        .expect("the forwarded message is shown, not only behind Show full message");
    assert!(shown.contains("Order 7 was cancelled."), "{shown}");
});
