//! One write path for tickets: every command bumps the version once and leaves one audit entry,
//! one change event, a search job and fresh SLA clocks; `If-Match` on the API; stale forms in
//! the UI never overwrite silently; no `UPDATE ticket` outside the commands module.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp, csrf_from, extract_attr, login};
use casebook::auth::AgentRef;
use casebook::domain::{Priority, Role, Status, Visibility};
use casebook::tickets::{self, AgentMessage, Expect, TicketPatch};
use serde_json::{Value, json};

type Step = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// What one command left behind on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Marks {
    version: i64,
    audit: i64,
    changes: i64,
    search_jobs: i64,
    updated_at: i64,
    sla_rows: i64,
}

async fn marks(app: &TestApp, id: i64) -> Marks {
    let pool = &app.db().pool;
    let one = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let search_jobs: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = $1 AND payload = $2")
            .bind(casebook::search::INDEX_JOB)
            .bind(json!({"ticket_id": id}).to_string())
            .fetch_one(pool)
            .await
            .unwrap();
    Marks {
        version: one("SELECT version FROM ticket WHERE ticket_id = $1").await,
        audit: one("SELECT COUNT(*) FROM ticket_event WHERE ticket_id = $1").await,
        changes: one("SELECT COUNT(*) FROM ticket_change WHERE ticket_id = $1").await,
        search_jobs,
        updated_at: one("SELECT updated_at FROM ticket WHERE ticket_id = $1").await,
        sla_rows: one("SELECT COUNT(*) FROM ticket_sla WHERE ticket_id = $1").await,
    }
}

async fn agent(app: &TestApp, email: &str) -> AgentRef {
    let (id, name): (i64, String) =
        sqlx::query_as("SELECT agent_id, name FROM agent WHERE email = $1")
            .bind(email)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
    AgentRef {
        id,
        email: email.into(),
        name,
        role: Role::Agent,
        unread_notifications: 0,
        locale: None,
    }
}

async fn sla_policy(app: &TestApp, escalation_team_id: Option<i64>) {
    use crate::sla::{every_day, targets};
    let r: Value = app
        .api()
        .post(app.at("/api/v1/sla/calendars"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"name": "24/7", "time_zone": "UTC", "hours": every_day()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = app
        .api()
        .post(app.at("/api/v1/sla/policies"))
        .bearer_auth(&app.admin_token)
        .json(
            &json!({"name": "All", "calendar_id": r["calendar"]["id"], "warning_percent": 50,
            "escalation_team_id": escalation_team_id, "targets": targets(60, 60, 600)}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

both_backends!(every_command_is_one_versioned_change, |app| async move {
    sla_policy(&app, None).await;
    let gus = agent(&app, &app.agent_email).await;
    let ada = agent(&app, &app.admin_email).await;
    let id = app
        .create_ticket(
            "writes@example.com",
            "Invoice wrong",
            "The invoice is wrong",
        )
        .await["id"]
        .as_i64()
        .unwrap();
    app.drain_outbox().await;
    // A first public reply (opens the ticket and stamps the first response), so each command
    // below writes exactly one audit entry of its own.
    let db = app.db().clone();
    let state = app.running.state.clone();
    let now = || app.running.state.now();
    tickets::add_agent_message(
        &db,
        &gus,
        id,
        AgentMessage {
            body: "Looking into it".into(),
            visibility: Visibility::Public,
            status: None,
            attachments: vec![],
        },
        Expect::Any,
        now(),
    )
    .await
    .unwrap();
    app.drain_outbox().await;

    let patch = |p: TicketPatch| {
        let db = db.clone();
        let gus = gus.clone();
        let state = state.clone();
        async move {
            tickets::update_ticket(&db, &gus, id, p, Expect::Any, state.now())
                .await
                .unwrap();
        }
    };
    let steps: Vec<(&str, Step)> = vec![
        (
            "set status",
            Box::pin(patch(TicketPatch {
                status: Some(Status::Pending),
                ..Default::default()
            })),
        ),
        (
            "set priority",
            Box::pin(patch(TicketPatch {
                priority: Some(Priority::Urgent),
                ..Default::default()
            })),
        ),
        (
            "assign",
            Box::pin(patch(TicketPatch {
                assignee_id: Some(Some(ada.id)),
                ..Default::default()
            })),
        ),
        (
            "set subject",
            Box::pin(patch(TicketPatch {
                subject: Some("Invoice total wrong".into()),
                ..Default::default()
            })),
        ),
        ("internal note", {
            let (db, gus, state) = (db.clone(), gus.clone(), state.clone());
            Box::pin(async move {
                tickets::add_agent_message(
                    &db,
                    &gus,
                    id,
                    AgentMessage {
                        body: "Checked billing".into(),
                        visibility: Visibility::Internal,
                        status: None,
                        attachments: vec![],
                    },
                    Expect::Any,
                    state.now(),
                )
                .await
                .unwrap();
            })
        }),
        ("escalate", {
            let (db, gus, state) = (db.clone(), gus.clone(), state.clone());
            Box::pin(async move {
                casebook::sla::leads::escalate(
                    &db,
                    &gus,
                    id,
                    &casebook::sla::leads::Escalation {
                        reason: "Customer is a big account".into(),
                        ..Default::default()
                    },
                    state.now(),
                )
                .await
                .unwrap();
            })
        }),
        ("mark resolution", {
            let (db, gus, state) = (db.clone(), gus.clone(), state.clone());
            Box::pin(async move {
                let mid: i64 = sqlx::query_scalar(
                    "SELECT MIN(message_id) FROM message WHERE ticket_id = $1 AND author_kind = 'agent'",
                )
                .bind(id)
                .fetch_one(&db.pool)
                .await
                .unwrap();
                casebook::search::mark_resolution(&db, &gus, id, Some(mid), state.now())
                    .await
                    .unwrap();
            })
        }),
    ];
    for (name, step) in steps {
        app.clock.advance_ms(1_000);
        // Nothing waits to be indexed, so the change needs a search job of its own (a change
        // while one waits is taken in by that one).
        app.drain_outbox().await;
        let before = marks(&app, id).await;
        step.await;
        let after = marks(&app, id).await;
        assert_eq!(after.version, before.version + 1, "{name}: version");
        assert_eq!(after.audit, before.audit + 1, "{name}: one audit entry");
        assert_eq!(
            after.changes,
            before.changes + 1,
            "{name}: one change event"
        );
        assert_eq!(
            after.search_jobs,
            before.search_jobs + 1,
            "{name}: search job"
        );
        assert!(after.updated_at > before.updated_at, "{name}: updated_at");
        assert!(after.sla_rows > 0, "{name}: SLA clocks");
        let (kind, v): (String, i64) = sqlx::query_as(
            "SELECT kind, version FROM ticket_change WHERE ticket_id = $1 ORDER BY change_id DESC LIMIT 1",
        )
        .bind(id)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        assert_eq!(
            v, after.version,
            "{name}: the change event names the version"
        );
        assert!(!kind.is_empty());
    }

    // A change that changes nothing is no change: no version, no events.
    let before = marks(&app, id).await;
    tickets::update_ticket(
        &db,
        &gus,
        id,
        TicketPatch {
            priority: Some(Priority::Urgent),
            ..Default::default()
        },
        Expect::Any,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(marks(&app, id).await, before);

    // The SLA recompute follows the status: pending pauses the clocks, a reopen runs them.
    let fr: Value = app.get_json(&format!("/api/v1/tickets/{id}/sla")).await;
    assert!(fr["sla"]["clocks"].is_array(), "{fr}");

    // Change events say who changed which field, old → new.
    let changes = tickets::commands::changes_since(&db, id, 0).await.unwrap();
    let prio = changes
        .iter()
        .flat_map(|c| c.fields.iter().map(move |f| (c, f)))
        .find(|(_, f)| f.field == "priority")
        .expect("a priority change");
    assert_eq!(prio.1.old.as_deref(), Some("normal"));
    assert_eq!(prio.1.new.as_deref(), Some("urgent"));
    assert_eq!(prio.0.agent_id, Some(gus.id));
    let versions: Vec<i64> = changes.iter().map(|c| c.version).collect();
    let mut sorted = versions.clone();
    sorted.dedup();
    assert_eq!(versions, sorted, "one change event per version");
});

async fn get_ticket(app: &TestApp, id: i64) -> (String, Value) {
    let r = app
        .api()
        .get(app.at(&format!("/api/v1/tickets/{id}")))
        .bearer_auth(&app.agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    (etag, r.json().await.unwrap())
}

async fn patch_if(
    app: &TestApp,
    id: i64,
    etag: Option<&str>,
    body: Value,
) -> (u16, Option<String>, Value) {
    let mut req = app
        .api()
        .patch(app.at(&format!("/api/v1/tickets/{id}")))
        .bearer_auth(&app.agent_token)
        .json(&body);
    if let Some(e) = etag {
        req = req.header("If-Match", e);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let etag = r
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_string());
    (status, etag, r.json().await.unwrap_or(Value::Null))
}

both_backends!(if_match_guards_api_writes, |app| async move {
    let id = app
        .create_ticket("etag@example.com", "Login fails", "Cannot log in")
        .await["id"]
        .as_i64()
        .unwrap();
    app.drain_outbox().await;
    let (etag, t) = get_ticket(&app, id).await;
    assert_eq!(etag, format!("\"{}\"", t["ticket"]["version"]));

    // Matching: 200 and a new ETag.
    let (s, new_etag, body) = patch_if(&app, id, Some(&etag), json!({"priority": "high"})).await;
    assert_eq!(s, 200, "{body}");
    let new_etag = new_etag.expect("ETag on PATCH");
    assert_ne!(new_etag, etag);
    assert_eq!(new_etag, format!("\"{}\"", body["ticket"]["version"]));

    // The old ETag again: 412 with the current version and ticket; nothing written.
    let (s, _, body) = patch_if(&app, id, Some(&etag), json!({"priority": "low"})).await;
    assert_eq!(s, 412, "{body}");
    assert_eq!(body["error"]["code"], "stale_version");
    assert_eq!(
        format!("\"{}\"", body["error"]["current_version"]),
        new_etag
    );
    assert_eq!(body["ticket"]["priority"], "high");

    // Replies honour If-Match too.
    let note = |etag: String| {
        app.api()
            .post(app.at(&format!("/api/v1/tickets/{id}/messages")))
            .bearer_auth(&app.agent_token)
            .header("If-Match", etag)
            .json(&json!({"body": "Try again", "visibility": "internal"}))
            .send()
    };
    assert_eq!(note(etag.clone()).await.unwrap().status(), 412);
    let r = note(new_etag.clone()).await.unwrap();
    assert_eq!(r.status(), 201);
    let after_reply = r.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(after_reply, new_etag);

    // A malformed If-Match names the header; no header keeps the old behaviour; `*` matches.
    let (s, _, body) = patch_if(&app, id, Some("yesterday"), json!({"priority": "low"})).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["error"]["field"], "If-Match");
    let (s, _, _) = patch_if(&app, id, None, json!({"priority": "low"})).await;
    assert_eq!(s, 200);
    let (s, _, _) = patch_if(&app, id, Some("*"), json!({"priority": "normal"})).await;
    assert_eq!(s, 200);

    // Twenty PATCHes of the same version at once: exactly one wins.
    let (etag, t) = get_ticket(&app, id).await;
    let version = t["ticket"]["version"].as_i64().unwrap();
    let priorities = ["low", "high", "urgent", "normal"];
    let tries = (0..20).map(|i| {
        let app = &app;
        let etag = etag.clone();
        async move {
            patch_if(
                app,
                id,
                Some(&etag),
                json!({"priority": priorities[i % 4], "subject": format!("Login fails {i}")}),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(tries).await;
    let won: Vec<_> = results.iter().filter(|r| r.0 == 200).collect();
    let lost = results.iter().filter(|r| r.0 == 412).count();
    assert_eq!(
        won.len(),
        1,
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    assert_eq!(lost, 19);
    let (_, t) = get_ticket(&app, id).await;
    assert_eq!(t["ticket"]["version"].as_i64(), Some(version + 1));
    assert_eq!(t["ticket"]["subject"], won[0].2["ticket"]["subject"]);
});

both_backends!(sla_breach_is_searchable_at_once, |app| async move {
    // An escalation team the breach moves the ticket to.
    let team: Value = app
        .api()
        .post(app.at("/api/v1/teams"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"name": "Escalations", "members": []}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let team_id = team["team"]["id"].as_i64().expect("team");
    sla_policy(&app, Some(team_id)).await;
    let id = app
        .create_ticket(
            "late@example.com",
            "Quarterly export broken",
            "Export fails",
        )
        .await["id"]
        .as_i64()
        .unwrap();
    app.drain_outbox().await;
    app.clock.advance_ms(61 * 60_000);
    let report = casebook::sla::sweep_once(&app.running.state).await.unwrap();
    assert!(report.breaches >= 1, "{report:?}");
    app.drain_outbox().await;
    // The search document follows the breach's changes without waiting for the reconcile.
    let doc: (String, Option<i64>) =
        sqlx::query_as("SELECT priority, team_id FROM search_doc WHERE ticket_id = $1")
            .bind(id)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
    assert_eq!(doc, ("high".to_string(), Some(team_id)));
    let found: Value = app
        .get_json(&format!("/api/v1/search?q=export&team={team_id}"))
        .await;
    let ids: Vec<i64> = found["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ticket_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![id], "{found}");
});

/// The version and rendered values of the ticket page's sidebar form.
fn sidebar(html: &str) -> (String, String) {
    let form = &html[html.find("id=\"ticket-update\"").expect("sidebar form")..];
    let version = extract_attr(form, "name=\"version\" value=\"").unwrap();
    let csrf = extract_attr(form, "name=\"csrf\" value=\"").unwrap();
    (version, csrf)
}

/// Posts the ticket page's reply form as a browser would.
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
        .text("visibility", "public");
    client
        .post(app.at(&format!("/tickets/{id}/messages")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

both_backends!(stale_forms_never_overwrite, |app| async move {
    let id = app
        .create_ticket("race@example.com", "Two agents", "Who wins?")
        .await["id"]
        .as_i64()
        .unwrap();
    app.drain_outbox().await;
    let page = app.at(&format!("/tickets/{id}"));
    let update = app.at(&format!("/tickets/{id}/update"));
    let a = app.browser();
    let b = app.browser();
    assert_eq!(login(&app, &a, &app.admin_email, PASSWORD).await, 303);
    assert_eq!(login(&app, &b, &app.agent_email, PASSWORD).await, 303);
    let (_, html_a) = csrf_from(&a, &page).await;
    let (_, html_b) = csrf_from(&b, &page).await;
    let (va, csrf_a) = sidebar(&html_a);
    let (vb, csrf_b) = sidebar(&html_b);
    assert_eq!(va, vb);
    let t = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    let status = t["ticket"]["status"].as_str().unwrap().to_string();
    let assignee = t["ticket"]["assignee_id"]
        .as_i64()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let form = |csrf: &str, v: &str, status_to: &str, priority_to: &str| {
        vec![
            ("csrf", csrf.to_string()),
            ("version", v.to_string()),
            ("status_was", status.clone()),
            ("priority_was", "normal".to_string()),
            ("assignee_was", assignee.clone()),
            ("status", status_to.to_string()),
            ("priority", priority_to.to_string()),
            ("assignee_id", assignee.clone()),
        ]
    };

    // A raises the priority to urgent.
    let r = a
        .post(&update)
        .form(&form(&csrf_a, &va, &status, "urgent"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // B, from the page drawn before, changes the status only: refused with what changed.
    let r = b
        .post(&update)
        .form(&form(&csrf_b, &vb, "pending", "normal"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("This ticket changed since you opened it"),
        "{html}"
    );
    assert!(html.contains("Ada Admin"), "who changed it: {html}");
    assert!(html.contains("urgent"), "old → new: {html}");
    let t = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(t["ticket"]["priority"], "urgent", "A's change survives");
    assert_eq!(t["ticket"]["status"], status.as_str(), "B's change waits");

    // "Apply my change": the banner's form re-applies the status only, on the new version.
    let banner = &html[html.find("id=\"conflict\"").unwrap()..];
    let fields = [
        "csrf",
        "version",
        "status_was",
        "priority_was",
        "assignee_was",
        "status",
        "priority",
        "assignee_id",
    ];
    let reapply: Vec<(&str, String)> = fields
        .iter()
        .map(|f| {
            (
                *f,
                extract_attr(banner, &format!("name=\"{f}\" value=\"")).unwrap_or_default(),
            )
        })
        .collect();
    let r = b.post(&update).form(&reapply).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let t = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(t["ticket"]["status"], "pending");
    assert_eq!(t["ticket"]["priority"], "urgent", "never written back");

    // A stale reply is kept and offered again; sending it then works.
    let stale_version = vb.clone();
    let reply = "Here is how to fix the export — 고맙습니다";
    let r = send_reply(&app, &b, id, &csrf_b, &stale_version, reply).await;
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(html.contains("not sent"), "{html}");
    let reply_box = &html[html.find("name=\"body\"").unwrap()..];
    assert!(reply_box.contains(reply), "the reply is kept: {html}");
    let msgs: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM message WHERE ticket_id = $1 AND author_kind = 'agent'",
    )
    .bind(id)
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    assert_eq!(msgs, 0);
    let reply_form = &html[html.find("action=\"/tickets/").unwrap()..];
    let current = extract_attr(reply_form, "name=\"version\" value=\"").unwrap();
    let r = send_reply(&app, &b, id, &csrf_b, &current, reply).await;
    assert_eq!(r.status(), 303);
    let body: String = sqlx::query_scalar(
        "SELECT body_text FROM message WHERE ticket_id = $1 AND author_kind = 'agent'",
    )
    .bind(id)
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    assert_eq!(body, reply);

    // An untouched field is never written back, even from a current page.
    let (_, html) = csrf_from(&b, &page).await;
    let (v, csrf) = sidebar(&html);
    let t = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    let st = t["ticket"]["status"].as_str().unwrap().to_string();
    let r = b
        .post(&update)
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", v.as_str()),
            ("status_was", st.as_str()),
            ("priority_was", "urgent"),
            ("assignee_was", ""),
            ("status", st.as_str()),
            ("priority", "urgent"),
            ("assignee_id", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let after = app.get_json(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(
        after["ticket"]["version"], t["ticket"]["version"],
        "nothing changed, nothing written"
    );
});

/// The one door: no `UPDATE ticket` statement in the application outside the commands module.
/// (Benchmark seeders under `src/bin` load fixtures in bulk and are not part of the application.)
#[test]
fn no_ticket_updates_outside_the_commands_module() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let pattern = regex::Regex::new(r"(?i)\bUPDATE\s+ticket\b").unwrap();
    let mut offenders = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path != root.join("bin") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs")
                || path == root.join("tickets").join("commands.rs")
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                if pattern.is_match(line) {
                    offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "ticket rows change only through tickets::commands:\n{}",
        offenders.join("\n")
    );
    // The check itself sees what it looks for.
    assert!(pattern.is_match("sqlx::query(\"UPDATE ticket SET priority = $1\")"));
    assert!(!pattern.is_match("UPDATE ticket_sla SET met_at = $1"));
}
