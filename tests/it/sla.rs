//! SLA: time travel (the test clock moves, the sweeper runs), escalations that fire once — also
//! after a restart and with two real `serve` processes on one PostgreSQL database — pauses while
//! pending, and 422s for impossible policies.

use crate::both_backends;
use crate::crash::{Server, free_port, setup};
use crate::harness::{Backend, PASSWORD, TestApp, csrf_from, login};
use casebook::domain::clock::OffsetClock;
use casebook::domain::{Channel, EmailAddress};
use casebook::intake::NewInbound;
use casebook::sla::sweep::SweepReport;
use serde_json::{Value, json};
use std::time::Duration;

const MIN: i64 = 60_000;

pub fn every_day() -> Value {
    let days = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    Value::Object(
        days.iter()
            .map(|d| (d.to_string(), json!(["00:00-24:00"])))
            .collect(),
    )
}

/// The same targets (minutes) for every priority, so a raised priority keeps the clocks.
pub fn targets(first: i64, next: i64, resolution: i64) -> Value {
    let t = json!({"first_response_minutes": first, "next_response_minutes": next, "resolution_minutes": resolution});
    json!({"low": t, "normal": t, "high": t, "urgent": t})
}

/// A 24/7 calendar and one policy for every ticket, warning at 50 %.
pub(crate) async fn around_the_clock_policy(
    app: &TestApp,
    first: i64,
    next: i64,
    resolution: i64,
) -> i64 {
    let (s, cal) = app
        .send(
            "POST",
            "/api/v1/sla/calendars",
            &app.admin_token,
            &json!({"name": "24/7", "time_zone": "UTC", "hours": every_day()}),
        )
        .await;
    assert_eq!(s, 201, "{cal}");
    let (s, pol) = app
        .send(
            "POST",
            "/api/v1/sla/policies",
            &app.admin_token,
            &json!({"name": "Everyone", "calendar_id": cal["calendar"]["id"], "warning_percent": 50,
                "targets": targets(first, next, resolution)}),
        )
        .await;
    assert_eq!(s, 201, "{pol}");
    pol["policy"]["id"].as_i64().unwrap()
}

async fn agent_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("SELECT agent_id FROM agent WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

/// A team led by the admin, holding `ticket`. It is the default team, so auto-assignment (which
/// runs from the ticket's outbox job, possibly after this) keeps the ticket there.
async fn team_led_by_admin(app: &TestApp, ticket: i64) {
    let admin = agent_id(app, &app.admin_email).await;
    let now = app.running.state.now();
    sqlx::query("INSERT INTO team (name, lead_agent_id, is_default, created_at, updated_at) VALUES ('Support', $1, 1, $2, $2)")
        .bind(admin)
        .bind(now)
        .execute(&app.db().pool)
        .await
        .unwrap();
    sqlx::query("UPDATE ticket SET team_id = (SELECT team_id FROM team WHERE name = 'Support') WHERE ticket_id = $1")
        .bind(ticket)
        .execute(&app.db().pool)
        .await
        .unwrap();
}

async fn count(db: &casebook::db::Db, sql: &str, ticket: i64) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(ticket)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

async fn events(db: &casebook::db::Db, ticket: i64, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM ticket_event WHERE ticket_id = $1 AND kind = $2")
        .bind(ticket)
        .bind(kind)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

async fn sweep(state: &casebook::state::AppState) -> SweepReport {
    casebook::sla::sweep_once(state).await.unwrap()
}

async fn clocks(app: &TestApp, ticket: i64) -> Vec<Value> {
    let v = app.get_json(&format!("/api/v1/tickets/{ticket}/sla")).await;
    v["sla"]["clocks"].as_array().cloned().unwrap_or_default()
}

fn clock<'a>(clocks: &'a [Value], metric: &str) -> &'a Value {
    clocks
        .iter()
        .rfind(|c| c["metric"] == metric)
        .unwrap_or_else(|| panic!("no {metric} clock in {clocks:?}"))
}

both_backends!(
    warning_and_breach_fire_once_at_the_right_time,
    |app| async move {
        around_the_clock_policy(&app, 60, 60, 600).await;
        let t = app
            .create_ticket("sla@example.com", "Printer on fire", "Help")
            .await;
        let id = t["id"].as_i64().unwrap();
        let created = t["created_at"].as_i64().unwrap();
        // Routing (the ticket's outbox job) sets the team too: let it finish first, so the team
        // set here is not overwritten by a routing decision taken before the team existed.
        app.drain_outbox().await;
        team_led_by_admin(&app, id).await;
        let agent = agent_id(&app, &app.agent_email).await;
        let (s, _) = app
            .send(
                "PATCH",
                &format!("/api/v1/tickets/{id}"),
                &app.agent_token,
                &json!({"assignee_id": agent}),
            )
            .await;
        assert_eq!(s, 200);
        let c = clocks(&app, id).await;
        let fr = clock(&c, "first_response");
        assert_eq!(fr["state"], "on_track");
        assert_eq!(fr["due_at"].as_i64(), Some(created + 60 * MIN));
        assert_eq!(fr["warn_at"].as_i64(), Some(created + 30 * MIN));
        let db = app.db().clone();
        let state = app.running.state.clone();

        // Before the warning threshold nothing fires.
        app.clock.advance_ms(29 * MIN);
        assert_eq!(sweep(&state).await, SweepReport::default());
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM sla_escalation WHERE ticket_id = $1",
                id
            )
            .await,
            0
        );

        // Past it: the warning, once, scheduled at exactly 30 minutes; the assignee is told.
        app.clock.advance_ms(2 * MIN);
        sweep(&state).await;
        sweep(&state).await;
        let scheduled: i64 = sqlx::query_scalar("SELECT scheduled_at FROM sla_escalation WHERE ticket_id = $1 AND stage = 'warning' AND metric = 'first_response'")
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(scheduled, created + 30 * MIN);
        assert_eq!(events(&db, id, "sla_warning").await, 1);
        assert_eq!(events(&db, id, "sla_breach").await, 0);
        let notes: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM agent_notification WHERE agent_id = $1 AND kind = 'sla_warning'",
        )
        .bind(agent)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(notes, 1);
        let n = app.get_json("/api/v1/notifications").await;
        assert_eq!(n["unread"], 1, "{n}");
        assert_eq!(
            clock(&clocks(&app, id).await, "first_response")["state"],
            "warning"
        );

        // Past the target: the breach, once. Priority one step up; the team lead is told.
        app.clock.advance_ms(30 * MIN);
        sweep(&state).await;
        sweep(&state).await;
        assert_eq!(events(&db, id, "sla_breach").await, 1);
        let ticket = app.get_json(&format!("/api/v1/tickets/{id}")).await;
        assert_eq!(ticket["ticket"]["priority"], "high");
        let admin = agent_id(&app, &app.admin_email).await;
        let lead_notes: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM agent_notification WHERE agent_id = $1 AND kind = 'sla_breach'",
        )
        .bind(admin)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(lead_notes, 1);
        let breached_at: Option<i64> = sqlx::query_scalar(
            "SELECT breached_at FROM ticket_sla WHERE ticket_id = $1 AND metric = 'first_response'",
        )
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(breached_at, Some(created + 60 * MIN));
        assert_eq!(
            clock(&clocks(&app, id).await, "first_response")["state"],
            "breached"
        );

        // Restart mid-way: a new app on the same database with the same (moved) clock fires nothing
        // again; the old one is gone.
        app.running.stop();
        let offset = app.running.state.now() - chrono::Utc::now().timestamp_millis();
        let clock2 = OffsetClock::new();
        clock2.advance_ms(offset);
        let config = casebook::config::Config {
            database_url: casebook::config::Secret::new(app.database_url.clone()),
            bind: "127.0.0.1:0".into(),
            base_url: "http://127.0.0.1:0".into(),
            workers: true,
            ..Default::default()
        };
        let second = casebook::start(config, clock2.clone()).await.unwrap();
        assert_eq!(sweep(&second.state).await, SweepReport::default());
        assert_eq!(events(&second.state.db, id, "sla_breach").await, 1);
        assert_eq!(events(&second.state.db, id, "sla_warning").await, 1);

        // The resolution clock keeps going in the new process: warning at 300 minutes, once.
        clock2.advance_ms(250 * MIN);
        sweep(&second.state).await;
        sweep(&second.state).await;
        let res: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sla_escalation WHERE ticket_id = $1 AND metric = 'resolution'",
        )
        .bind(id)
        .fetch_one(&second.state.db.pool)
        .await
        .unwrap();
        assert_eq!(res, 1);
        assert_eq!(events(&second.state.db, id, "sla_warning").await, 2);
        second.stop();
    }
);

both_backends!(
    pending_pauses_and_customer_reply_resumes,
    |app| async move {
        around_the_clock_policy(&app, 60, 30, 120).await;
        let t = app
            .create_ticket("pause@example.com", "Question", "Hi")
            .await;
        let id = t["id"].as_i64().unwrap();
        let state = app.running.state.clone();
        let db = app.db().clone();
        // First response after 10 minutes, waiting on the customer.
        app.clock.advance_ms(10 * MIN);
        let (s, body) = app
            .send(
                "POST",
                &format!("/api/v1/tickets/{id}/messages"),
                &app.agent_token,
                &json!({"body": "Which model?", "status": "pending"}),
            )
            .await;
        assert_eq!(s, 201, "{body}");
        let replied =
            app.get_json(&format!("/api/v1/tickets/{id}")).await["ticket"]["first_response_at"]
                .as_i64()
                .unwrap();
        let left = 120 * MIN - (replied - t["created_at"].as_i64().unwrap());
        let c = clocks(&app, id).await;
        assert_eq!(clock(&c, "first_response")["state"], "met");
        assert_eq!(clock(&c, "resolution")["state"], "paused");
        assert_eq!(clock(&c, "resolution")["due_at"], Value::Null);

        // A day passes while pending: nothing fires.
        app.clock.advance_ms(24 * 60 * MIN);
        assert_eq!(sweep(&state).await, SweepReport::default());
        let c = clocks(&app, id).await;
        assert_eq!(clock(&c, "resolution")["state"], "paused");
        assert_eq!(
            clock(&c, "resolution")["remaining_business_ms"].as_i64(),
            Some(left)
        );

        // The customer answers: the ticket reopens, resolution resumes, a next-response cycle starts.
        let now = state.now();
        let inbound = NewInbound {
            channel: Channel::Web,
            from: casebook::intake::Sender::Email(
                EmailAddress::parse("pause@example.com").unwrap(),
            ),
            from_name: None,
            subject: "Question".into(),
            body_text: "Model X".into(),
            body_html: None,
            attachments: vec![],
            idempotency: None,
            ticket_id: Some(id),
            priority: None,
            issue_link: false,
            language: Default::default(),
            email: None,
            gateway: None,
        };
        casebook::intake::receive(&db, &inbound, now).await.unwrap();
        let c = clocks(&app, id).await;
        let res = clock(&c, "resolution");
        assert_eq!(res["state"], "on_track");
        assert_eq!(res["due_at"].as_i64(), Some(now + left));
        let next = clock(&c, "next_response");
        assert_eq!(
            (next["cycle"].as_i64(), next["due_at"].as_i64()),
            (Some(1), Some(now + 30 * MIN))
        );

        // Past the next-response target: its warning and breach fire once; resolution only warns
        // (at 60 of 120 minutes, 50 of them after the reply).
        app.clock.advance_ms(55 * MIN);
        sweep(&state).await;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT metric, stage FROM sla_escalation WHERE ticket_id = $1 ORDER BY metric, stage",
        )
        .bind(id)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        let rows: Vec<(&str, &str)> = rows.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(
            rows,
            vec![
                ("next_response", "breach"),
                ("next_response", "warning"),
                ("resolution", "warning")
            ]
        );
        // Solving meets the resolution clock: nothing more fires.
        let (s, _) = app
            .send(
                "PATCH",
                &format!("/api/v1/tickets/{id}"),
                &app.agent_token,
                &json!({"status": "solved"}),
            )
            .await;
        assert_eq!(s, 200);
        app.clock.advance_ms(24 * 60 * MIN);
        sweep(&state).await;
        assert_eq!(events(&db, id, "sla_breach").await, 1);
        assert_eq!(clock(&clocks(&app, id).await, "resolution")["state"], "met");
    }
);

both_backends!(
    impossible_policies_are_422_naming_the_field,
    |app| async move {
        let cal = |body: Value| {
            let app = &app;
            async move {
                app.send("POST", "/api/v1/sla/calendars", &app.admin_token, &body)
                    .await
            }
        };
        let (s, e) =
            cal(json!({"name": "x", "time_zone": "Mars/Olympus", "hours": every_day()})).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some("time_zone")),
            "{e}"
        );
        let (s, e) = cal(json!({"name": "x", "time_zone": "UTC", "hours": {}})).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some("hours")),
            "{e}"
        );
        let (s, e) =
            cal(json!({"name": "x", "time_zone": "UTC", "hours": {"monday": ["17:00-09:00"]}}))
                .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some("hours.monday")),
            "{e}"
        );
        let (s, e) =
            cal(json!({"name": "x", "time_zone": "UTC", "hours": {"monday": ["09:00-09:00"]}}))
                .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some("hours.monday")),
            "{e}"
        );
        let (s, e) = cal(json!({"name": "x", "time_zone": "UTC", "hours": every_day(), "holidays": ["tomorrow"]})).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some("holidays")),
            "{e}"
        );
        // Agents cannot change SLA settings.
        let (s, _) = app
            .send(
                "POST",
                "/api/v1/sla/calendars",
                &app.agent_token,
                &json!({"name": "x", "time_zone": "UTC", "hours": every_day()}),
            )
            .await;
        assert_eq!(s, 403);
        let (s, good) = cal(json!({"name": "ok", "time_zone": "Europe/Berlin", "hours": {"monday": [["09:00", "17:00"]]}})).await;
        assert_eq!(s, 201, "{good}");
        let cal_id = good["calendar"]["id"].clone();

        let pol = |body: Value| {
            let app = &app;
            async move {
                app.send("POST", "/api/v1/sla/policies", &app.admin_token, &body)
                    .await
            }
        };
        for (minutes, field) in [
            (-5, "targets.normal.first_response_minutes"),
            (0, "targets.normal.first_response_minutes"),
        ] {
            let (s, e) = pol(json!({"name": "p", "calendar_id": cal_id, "targets": {"normal": {"first_response_minutes": minutes}}})).await;
            assert_eq!((s, e["error"]["field"].as_str()), (422, Some(field)), "{e}");
        }
        let (s, e) = pol(json!({"name": "p", "calendar_id": cal_id, "targets": {"normal": {"resolution_minutes": 10_000_000}}})).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some("targets.normal.resolution_minutes")),
            "{e}"
        );
        let (s, e) = pol(json!({"name": "p", "calendar_id": 999, "targets": {"normal": {"first_response_minutes": 5}}})).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some("calendar_id")),
            "{e}"
        );
        let (s, e) = pol(json!({"name": "p", "calendar_id": cal_id, "warning_percent": 0, "targets": {"normal": {"first_response_minutes": 5}}})).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some("warning_percent")),
            "{e}"
        );
        let (s, e) = pol(json!({"name": "p", "calendar_id": cal_id, "targets": {}})).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some("targets")),
            "{e}"
        );
        let (s, e) = pol(json!({"name": "p", "calendar_id": cal_id, "targets": {"normal": {"first_response_minutes": 5}}, "escalation_team_id": 77})).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some("escalation_team_id")),
            "{e}"
        );
        let (s, e) = pol(json!({"name": "p", "calendar_id": cal_id, "targets": {"normal": {"first_response_minutes": 5}}})).await;
        assert_eq!(s, 201, "{e}");
        // A policy edited to a shorter target applies to open tickets at once.
        let list = app.get_json("/api/v1/sla/policies").await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
    }
);

both_backends!(policy_change_mid_ticket_recomputes, |app| async move {
    let policy = around_the_clock_policy(&app, 120, 60, 600).await;
    let t = app.create_ticket("change@example.com", "Slow", "Hi").await;
    let id = t["id"].as_i64().unwrap();
    let created = t["created_at"].as_i64().unwrap();
    app.clock.advance_ms(45 * MIN);
    assert_eq!(sweep(&app.running.state).await, SweepReport::default());
    // Shorten the first-response target to 30 minutes: already breached, at created + 30.
    let cals = app.get_json("/api/v1/sla/calendars").await;
    let (s, e) = app.send("PUT", &format!("/api/v1/sla/policies/{policy}"), &app.admin_token,
        &json!({"name": "Everyone", "calendar_id": cals["items"][0]["id"], "warning_percent": 50, "targets": targets(30, 60, 600)})).await;
    assert_eq!(s, 200, "{e}");
    let c = clocks(&app, id).await;
    assert_eq!(clock(&c, "first_response")["state"], "breached");
    assert_eq!(
        clock(&c, "first_response")["due_at"].as_i64(),
        Some(created + 30 * MIN)
    );
    let r = sweep(&app.running.state).await;
    assert_eq!((r.warnings, r.breaches), (1, 1));
    assert_eq!(sweep(&app.running.state).await, SweepReport::default());
});

both_backends!(leads_view_bulk_actions_and_escalate, |app| async move {
    around_the_clock_policy(&app, 60, 60, 600).await;
    let a = app
        .create_ticket("stale1@example.com", "Old one", "Hi")
        .await["id"]
        .as_i64()
        .unwrap();
    let b = app.create_ticket("stale2@example.com", "Older", "Hi").await["id"]
        .as_i64()
        .unwrap();
    app.clock.advance_ms(10 * 60 * MIN);
    casebook::sla::sweep_once(&app.running.state).await.unwrap();

    // Agents may not see the leads' view; the admin does.
    let agent_browser = app.browser();
    assert_eq!(
        login(&app, &agent_browser, &app.agent_email, PASSWORD).await,
        303
    );
    let r = agent_browser
        .get(app.at("/tickets?view=stale"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let admin = app.browser();
    assert_eq!(login(&app, &admin, &app.admin_email, PASSWORD).await, 303);
    let (csrf, html) = csrf_from(&admin, &app.at("/tickets?view=stale&idle_hours=2")).await;
    assert!(html.contains("Stale &amp; breaching"), "{html}");
    assert!(html.contains("Old one") && html.contains("Older"));
    assert!(html.contains("breached"));

    // Bulk: assign both to the agent and make them urgent.
    let agent = agent_id(&app, &app.agent_email).await;
    let body = format!(
        "csrf={csrf}&ticket_id={a}&ticket_id={b}&assignee_id={agent}&priority=urgent&confirm=1"
    );
    let r = admin
        .post(app.at("/tickets/bulk"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Changed 2 tickets"));
    for id in [a, b] {
        let t = app.get_json(&format!("/api/v1/tickets/{id}")).await;
        assert_eq!(t["ticket"]["priority"], "urgent");
        assert_eq!(t["ticket"]["assignee_id"], agent);
    }

    // Escalate with a reason: recorded, the new assignee is notified. A reason is required.
    let (s, e) = app
        .send(
            "POST",
            &format!("/api/v1/tickets/{a}/escalate"),
            &app.admin_token,
            &json!({"reason": " "}),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("reason")));
    let (s, _) = app
        .send(
            "POST",
            &format!("/api/v1/tickets/{a}/escalate"),
            &app.agent_token,
            &json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, 403);
    let r = admin
        .post(app.at(&format!("/tickets/{a}/escalate")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("reason", "Customer is a reseller"),
            ("assignee_id", &agent.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let t = app.get_json(&format!("/api/v1/tickets/{a}")).await;
    let escalated: Vec<&Value> = t["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "escalated")
        .collect();
    assert_eq!(escalated.len(), 1);
    assert_eq!(escalated[0]["detail"], "Customer is a reseller");
    let n = app.get_json("/api/v1/notifications").await;
    assert!(
        n["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "escalated" && i["ticket_id"] == a),
        "{n}"
    );

    // The ticket page shows the clocks; "Mine" lists the most urgent first.
    let page = agent_browser
        .get(app.at(&format!("/tickets/{a}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-sla-state=\"breached\""), "{page}");
    let mine = agent_browser
        .get(app.at("/tickets"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (pa, pb) = (mine.find("Old one").unwrap(), mine.find("Older").unwrap());
    assert!(pa < pb, "ticket {a} is due first and comes first");
    // The admin page lists the policy.
    let html = admin
        .get(app.at("/admin/sla"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Everyone") && html.contains("24/7"));
});

/// Two real `serve` processes on one PostgreSQL database, 1,000 tickets, and a clock jump past
/// every warning and breach: each step fires exactly once and takes effect exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_serve_processes_fire_every_escalation_once() {
    let Some((url, _token)) = setup(Backend::Postgres).await else {
        return;
    };
    let db = casebook::db::Db::connect(&url).await.unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    {
        use casebook::sla::store::{CalendarInput, PolicyInput, TargetMinutes};
        let mut tx = db.begin().await.unwrap();
        let hours = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ]
        .iter()
        .map(|d| (d.to_string(), vec![json!("00:00-24:00")]))
        .collect();
        let cal = casebook::sla::store::save_calendar(
            &mut tx,
            None,
            &CalendarInput {
                name: Some("24/7".into()),
                time_zone: Some("UTC".into()),
                hours: Some(hours),
                holidays: None,
            },
            now,
        )
        .await
        .unwrap();
        let t = TargetMinutes {
            first_response_minutes: Some(60),
            next_response_minutes: None,
            resolution_minutes: Some(100 * 60),
        };
        let targets = ["low", "normal", "high", "urgent"]
            .iter()
            .map(|p| (p.to_string(), t))
            .collect();
        casebook::sla::store::save_policy(
            &mut tx,
            None,
            &PolicyInput {
                name: Some("All".into()),
                calendar_id: Some(cal),
                targets: Some(targets),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
        sqlx::query("INSERT INTO team (name, lead_agent_id, is_default, created_at, updated_at) VALUES ('Support', (SELECT MIN(agent_id) FROM agent), 1, $1, $1)")
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let total = 1000;
    let mut handles = Vec::new();
    for w in 0..8 {
        let db = db.clone();
        handles.push(tokio::spawn(async move {
            for i in (w..total).step_by(8) {
                let inbound = NewInbound {
                    channel: Channel::Api,
                    from: casebook::intake::Sender::Email(
                        EmailAddress::parse(&format!("c{}@example.com", i % 50)).unwrap(),
                    ),
                    from_name: None,
                    subject: format!("Ticket {i}"),
                    body_text: "x".into(),
                    body_html: None,
                    attachments: vec![],
                    idempotency: None,
                    ticket_id: None,
                    priority: None,
                    issue_link: false,
                    language: Default::default(),
                    email: None,
                    gateway: None,
                };
                casebook::intake::receive(&db, &inbound, now).await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    sqlx::query("UPDATE ticket SET team_id = (SELECT team_id FROM team)")
        .execute(&db.pool)
        .await
        .unwrap();
    // Both processes see the clock two hours ahead: every first-response warning and breach is due.
    let env = [
        ("CASEBOOK_CLOCK_OFFSET_MS", (2 * 60 * MIN).to_string()),
        ("CASEBOOK_SLA_SWEEP_MS", "50".to_string()),
    ];
    let a = Server::start_with(&url, free_port(), true, &env).await;
    let b = Server::start_with(&url, free_port(), true, &env).await;
    let mut fired = 0i64;
    for _ in 0..600 {
        fired = sqlx::query_scalar("SELECT COUNT(*) FROM sla_escalation")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if fired >= 2 * total as i64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(fired, 2 * total as i64, "every warning and breach fired");
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(a);
    drop(b);
    let q = |sql: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&db.pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        q("SELECT COUNT(*) FROM sla_escalation").await,
        2 * total as i64
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM ticket_event WHERE kind = 'sla_warning'").await,
        total as i64
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM ticket_event WHERE kind = 'sla_breach'").await,
        total as i64
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM ticket_event WHERE kind = 'priority' AND actor_kind = 'system'")
            .await,
        total as i64
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM ticket WHERE priority = 'high'").await,
        total as i64,
        "raised exactly one step"
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM agent_notification WHERE kind = 'sla_breach'").await,
        total as i64
    );
    db.pool.close().await;
}
