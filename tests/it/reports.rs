//! Leadership reports on small hand-computed fixtures (tickets, messages and events inserted with
//! fixed timestamps): metric definitions, business hours, reopened tickets, tickets spanning the
//! period edge, time zones, CSAT ratings through the customer's link, empty periods, permissions,
//! CSV and the SLA data that may be missing.

use crate::both_backends;
use crate::harness::{PASSWORD, TestApp, csrf_from, login};
use crate::without_workers;
use casebook::reports::{self, RawParams};
use serde_json::{Value, json};

/// UTC milliseconds of an RFC 3339 time.
fn at(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .timestamp_millis()
}

const H: f64 = 1.0;

async fn exec(app: &TestApp, sql: &str, binds: &[Option<i64>]) {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
    for b in binds {
        q = q.bind(*b);
    }
    q.execute(&app.db().pool).await.unwrap();
}

async fn id_of(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

async fn customer(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO customer (name, created_at, updated_at) VALUES ($1, 0, 0) RETURNING customer_id",
    )
    .bind(name)
    .fetch_one(&app.db().pool)
    .await
    .unwrap()
}

async fn team(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO team (name, created_at, updated_at) VALUES ($1, 0, 0) RETURNING team_id",
    )
    .bind(name)
    .fetch_one(&app.db().pool)
    .await
    .unwrap()
}

struct T<'a> {
    subject: &'a str,
    status: &'a str,
    customer: i64,
    assignee: Option<i64>,
    team: Option<i64>,
    created: &'a str,
    first_response: Option<&'a str>,
    solved: Option<&'a str>,
}

async fn ticket(app: &TestApp, t: T<'_>) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO ticket (subject, status, priority, channel, customer_id, assignee_id, team_id, created_at,
            updated_at, first_response_at, solved_at)
         VALUES ($1, $2, 'normal', 'web', $3, $4, $5, $6, $6, $7, $8) RETURNING ticket_id",
    )
    .bind(t.subject)
    .bind(t.status)
    .bind(t.customer)
    .bind(t.assignee)
    .bind(t.team)
    .bind(at(t.created))
    .bind(t.first_response.map(at))
    .bind(t.solved.map(at))
    .fetch_one(&app.db().pool)
    .await
    .unwrap()
}

async fn message(app: &TestApp, ticket: i64, agent: i64, visibility: &str, when: &str) {
    sqlx::query(
        "INSERT INTO message (ticket_id, author_kind, agent_id, visibility, body_text, created_at)
         VALUES ($1, 'agent', $2, $3, 'text', $4)",
    )
    .bind(ticket)
    .bind(agent)
    .bind(visibility)
    .bind(at(when))
    .execute(&app.db().pool)
    .await
    .unwrap();
}

async fn tag(app: &TestApp, ticket: i64, tag: &str) {
    sqlx::query("INSERT INTO ticket_tag (ticket_id, tag, created_at) VALUES ($1, $2, 0)")
        .bind(ticket)
        .bind(tag)
        .execute(&app.db().pool)
        .await
        .unwrap();
}

async fn agent_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("SELECT agent_id FROM agent WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

struct Fixture {
    team_a: i64,
    t1: i64,
    t2: i64,
}

/// The week of Monday 2024-05-06 (UTC), business hours Mon–Fri 09:00–17:00:
/// - T1 team A: created Mon 10:00, first reply 11:00, solved 15:00 (5 h; 5 business h), one reply;
/// - T2 team B: created Fri 16:00, first reply 16:30, solved Sat 12:00 (20 h; 1 business h),
///   two replies, reopened once;
/// - T3 no team: created Thu 2024-05-02 09:00 (previous week), solved Tue 09:00 (120 h;
///   24 business h), one reply and one internal note;
/// - T4 team A: created Wed 12:00, open, no reply; T5: created after the week.
async fn fixture(app: &TestApp) -> Fixture {
    let agent = agent_id(app, &app.agent_email).await;
    let c = customer(app, "Cora").await;
    let team_a = team(app, "Alpha").await;
    let team_b = team(app, "Beta").await;
    let t1 = ticket(
        app,
        T {
            subject: "Invoice missing",
            status: "solved",
            customer: c,
            assignee: Some(agent),
            team: Some(team_a),
            created: "2024-05-06T10:00:00Z",
            first_response: Some("2024-05-06T11:00:00Z"),
            solved: Some("2024-05-06T15:00:00Z"),
        },
    )
    .await;
    message(app, t1, agent, "public", "2024-05-06T11:00:00Z").await;
    let t2 = ticket(
        app,
        T {
            subject: "Invoice has the wrong amount",
            status: "closed",
            customer: c,
            assignee: Some(agent),
            team: Some(team_b),
            created: "2024-05-10T16:00:00Z",
            first_response: Some("2024-05-10T16:30:00Z"),
            solved: Some("2024-05-11T12:00:00Z"),
        },
    )
    .await;
    message(app, t2, agent, "public", "2024-05-10T16:30:00Z").await;
    message(app, t2, agent, "public", "2024-05-11T11:00:00Z").await;
    exec(app, "INSERT INTO ticket_event (ticket_id, actor_kind, kind, old_value, new_value, created_at) VALUES ($1, 'customer', 'status', 'solved', 'open', $2)",
        &[Some(t2), Some(at("2024-05-10T18:00:00Z"))]).await;
    let t3 = ticket(
        app,
        T {
            subject: "Invoice question",
            status: "solved",
            customer: c,
            assignee: None,
            team: None,
            created: "2024-05-02T09:00:00Z",
            first_response: Some("2024-05-02T10:00:00Z"),
            solved: Some("2024-05-07T09:00:00Z"),
        },
    )
    .await;
    message(app, t3, agent, "public", "2024-05-02T10:00:00Z").await;
    message(app, t3, agent, "internal", "2024-05-02T10:05:00Z").await;
    let t4 = ticket(
        app,
        T {
            subject: "Cannot login",
            status: "open",
            customer: c,
            assignee: Some(agent),
            team: Some(team_a),
            created: "2024-05-08T12:00:00Z",
            first_response: None,
            solved: None,
        },
    )
    .await;
    ticket(
        app,
        T {
            subject: "Later",
            status: "new",
            customer: c,
            assignee: None,
            team: None,
            created: "2024-05-14T12:00:00Z",
            first_response: None,
            solved: None,
        },
    )
    .await;
    tag(app, t1, "billing").await;
    tag(app, t2, "billing").await;
    tag(app, t3, "billing").await;
    tag(app, t4, "login").await;
    Fixture { team_a, t1, t2 }
}

const WEEK: &str = "from=2024-05-06&to=2024-05-12";

async fn report(app: &TestApp, token: &str, name: &str, query: &str) -> (u16, Value) {
    let r = app
        .api()
        .get(app.at(&format!("/api/v1/reports/{name}?{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

/// The row of `rows` whose `key` column equals `value`.
fn row<'a>(report: &'a Value, key: &str, value: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("no row {key}={value} in {report}"))
}

fn close(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!((got - want).abs() < 0.006, "got {got}, want {want}");
}

both_backends!(
    metric_definitions_on_a_hand_computed_week,
    |app| async move {
        let f = fixture(&app).await;
        let token = app.admin_token.clone();
        let (s, summary) = report(&app, &token, "summary", WEEK).await;
        assert_eq!(s, 200, "{summary}");
        let value = |m: &str| row(&summary, "metric", m)["value"].clone();
        assert_eq!(value("tickets_created"), 3);
        assert_eq!(
            value("tickets_solved"),
            3,
            "T3 was created before the week and counts where it was solved"
        );
        close(&value("median_resolution_h"), 20.0 * H);
        close(&value("p90_resolution_h"), 120.0);
        close(&value("median_resolution_business_h"), 5.0);
        close(&value("median_first_response_h"), 0.5);
        close(&value("reopen_rate_pct"), 33.3);
        close(&value("one_touch_rate_pct"), 66.7);
        assert_eq!(value("csat_pct"), Value::Null);
        assert_eq!(value("sla_compliance_pct"), Value::Null);
        // The previous week saw T3 created; nothing solved.
        assert_eq!(row(&summary, "metric", "tickets_created")["previous"], 1);

        let (s, times) = report(&app, &token, "response-times", &format!("{WEEK}&by=team")).await;
        assert_eq!(s, 200, "{times}");
        let rows = times["rows"].as_array().unwrap();
        let find = |metric: &str, group: &str| {
            rows.iter()
                .find(|r| r["metric"] == metric && r["group"] == group)
                .unwrap_or_else(|| panic!("no {metric}/{group} in {times}"))
        };
        let all = find("resolution", "(all)");
        assert_eq!(all["tickets"], 3);
        close(&all["median_h"], 20.0);
        close(&all["p90_h"], 120.0);
        close(&all["mean_h"], 145.0 / 3.0);
        close(&all["business_median_h"], 5.0);
        close(&all["business_p90_h"], 24.0);
        close(&all["business_mean_h"], 10.0);
        close(&find("resolution", "Alpha")["median_h"], 5.0);
        close(&find("resolution", "Beta")["business_median_h"], 1.0);
        close(&find("resolution", "(no team)")["business_median_h"], 24.0);
        let frt = find("first_response", "(all)");
        assert_eq!(
            frt["tickets"], 2,
            "T3's first response belongs to the week it was created"
        );
        close(&frt["median_h"], 0.5);
        close(&frt["p90_h"], 1.0);
        close(&frt["mean_h"], 0.75);

        // Created vs solved per day, and the open backlog carried in from before the week (T3).
        let (_, volume) = report(&app, &token, "volume", WEEK).await;
        let days: Vec<(i64, i64, i64)> = volume["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["created"].as_i64().unwrap(),
                    r["solved"].as_i64().unwrap(),
                    r["open_at_end"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            days,
            vec![
                (1, 1, 1),
                (0, 1, 0),
                (1, 0, 1),
                (0, 0, 1),
                (1, 0, 2),
                (0, 1, 1),
                (0, 0, 1)
            ]
        );
        assert_eq!(volume["rows"][0]["bucket"], "2024-05-06");

        // The team filter applies to every metric.
        let (_, alpha) = report(
            &app,
            &token,
            "summary",
            &format!("{WEEK}&team={}", f.team_a),
        )
        .await;
        assert_eq!(row(&alpha, "metric", "tickets_created")["value"], 2);
        assert_eq!(row(&alpha, "metric", "tickets_solved")["value"], 1);

        // Top issues with the trend against the previous week, linking to the tickets.
        let (_, tags) = report(&app, &token, "top-tags", WEEK).await;
        let billing = row(&tags, "tag", "billing");
        assert_eq!(
            (billing["tickets"].clone(), billing["previous"].clone()),
            (json!(2), json!(1))
        );
        close(&billing["change_pct"], 100.0);
        let (_, terms) = report(&app, &token, "top-terms", WEEK).await;
        assert_eq!(terms["rows"][0]["term"], "invoice");
        assert_eq!(terms["rows"][0]["tickets"], 2);
        let (_, behind) = report(&app, &token, "tickets", &format!("{WEEK}&tag=billing")).await;
        let ids: Vec<i64> = behind["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["ticket_id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![f.t2, f.t1]);
        let (_, behind) = report(&app, &token, "tickets", &format!("{WEEK}&term=invoice")).await;
        assert_eq!(behind["rows"].as_array().unwrap().len(), 2);

        // Backlog now: T4 open (and T5 new).
        let (_, age) = report(&app, &token, "backlog-age", WEEK).await;
        let open: i64 = age["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == "open")
            .map(|r| r["tickets"].as_i64().unwrap())
            .sum();
        assert_eq!(open, 1);
        let (_, dist) = report(&app, &token, "resolution-distribution", WEEK).await;
        assert_eq!(row(&dist, "bucket", "4–8 h")["tickets"], 1);
        assert_eq!(row(&dist, "bucket", "8–24 h")["tickets"], 1);
        assert_eq!(row(&dist, "bucket", "3–7 days")["tickets"], 1);
    }
);

// The reports below measure in two calendars in turn; the app's background refresh (in its own
// calendar) would measure the facts again in between, so the app runs without it. (Aborting its
// task is not enough: a refresh cut off mid-transaction keeps its rows locked until its
// connection is closed, and a refresh meanwhile skips them.)
without_workers!(time_zones_move_days_and_business_hours, |app| async move {
    let c = customer(&app, "Zed").await;
    // 09:00–17:00 in New York (EDT, UTC−4) on Monday 2024-05-06; created late Sunday evening there.
    ticket(
        &app,
        T {
            subject: "Zone",
            status: "solved",
            customer: c,
            assignee: None,
            team: None,
            created: "2024-05-06T13:00:00Z",
            first_response: None,
            solved: Some("2024-05-06T21:00:00Z"),
        },
    )
    .await;
    ticket(
        &app,
        T {
            subject: "Late",
            status: "open",
            customer: c,
            assignee: None,
            team: None,
            created: "2024-05-07T02:00:00Z",
            first_response: None,
            solved: None,
        },
    )
    .await;
    let params = |zone: &str| {
        reports::parse_params(
            &RawParams {
                from: Some("2024-05-06".into()),
                to: Some("2024-05-07".into()),
                ..RawParams::default()
            },
            zone,
            at("2024-06-01T00:00:00Z"),
        )
        .unwrap()
    };
    let db = app.db();
    let ny = reports::metrics::response_times(db, &params("America/New_York"))
        .await
        .unwrap();
    let utc = reports::metrics::response_times(db, &params("UTC"))
        .await
        .unwrap();
    let business = |t: &reports::Table| match t.get(
        t.rows
            .iter()
            .position(|r| r[0] == reports::Cell::text("resolution"))
            .unwrap(),
        "business_median_h",
    ) {
        Some(reports::Cell::Num(n)) => *n,
        other => panic!("{other:?}"),
    };
    assert_eq!(business(&ny), 8.0, "the whole New York working day");
    assert_eq!(business(&utc), 4.0, "13:00–17:00 UTC");
    // The late ticket is Monday in New York, Tuesday in UTC.
    let ny = reports::metrics::volume(db, &params("America/New_York"))
        .await
        .unwrap();
    let created: Vec<String> = ny
        .rows
        .iter()
        .map(|r| format!("{}:{}", r[0].display(), r[1].display()))
        .collect();
    assert_eq!(created, vec!["2024-05-06:2", "2024-05-07:0"]);
    let utc = reports::metrics::volume(db, &params("UTC")).await.unwrap();
    let created: Vec<String> = utc
        .rows
        .iter()
        .map(|r| format!("{}:{}", r[0].display(), r[1].display()))
        .collect();
    assert_eq!(created, vec!["2024-05-06:1", "2024-05-07:1"]);
});

both_backends!(
    csat_one_rating_per_ticket_through_the_link,
    |app| async move {
        let t = app
            .create_ticket("rater@example.com", "Broken export", "It fails")
            .await;
        let id = t["id"].as_i64().unwrap();
        let token = "rating-link-token-for-tests";
        exec(
            &app,
            &format!(
                "INSERT INTO ticket_link (ticket_id, token_hash, created_at) VALUES ($1, '{}', 0)",
                casebook::auth::digest(token)
            ),
            &[Some(id)],
        )
        .await;
        let browser = app.browser();
        // Not solved yet: no rating.
        let r = browser
            .get(app.at(&format!("/t/{token}/rate?r=good")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409);
        let r = app
            .api()
            .patch(app.at(&format!("/api/v1/tickets/{id}")))
            .bearer_auth(&app.agent_token)
            .json(&json!({"status": "solved"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        // The ticket page offers the two links once it is solved.
        let page = browser
            .get(app.at(&format!("/t/{token}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(&format!("/t/{token}/rate?r=good")), "{page}");
        // Following a link (as a mail scanner does) records nothing: it shows the choice with
        // its button; pressing it records the rating.
        for (choice, want) in [("good", "good"), ("bad", "bad")] {
            let (csrf, page) =
                csrf_from(&browser, &app.at(&format!("/t/{token}/rate?r={choice}"))).await;
            assert!(
                page.contains(&format!("value=\"{choice}\" checked")),
                "{page}"
            );
            let before: Vec<(String, i64)> =
                sqlx::query_as("SELECT rating, ticket_id FROM csat_rating")
                    .fetch_all(&app.db().pool)
                    .await
                    .unwrap();
            assert!(
                before.iter().all(|(r, _)| r != want),
                "a GET recorded a rating: {before:?}"
            );
            let r = browser
                .post(app.at(&format!("/t/{token}/rate")))
                .form(&[("csrf", csrf.as_str()), ("rating", choice)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let rows: Vec<(String, i64)> =
                sqlx::query_as("SELECT rating, ticket_id FROM csat_rating")
                    .fetch_all(&app.db().pool)
                    .await
                    .unwrap();
            assert_eq!(
                rows,
                vec![(want.to_string(), id)],
                "one rating per ticket; rating again changes it"
            );
        }
        // A comment through the form, with the CSRF token of the page.
        let (csrf, _) = csrf_from(&browser, &app.at(&format!("/t/{token}/rate"))).await;
        let r = browser
            .post(app.at(&format!("/t/{token}/rate")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("rating", "bad"),
                ("comment", "Took three days"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("Took three days"));
        // The rating is one CRM event on the customer, updated in place.
        let events: Vec<(String, String)> =
            sqlx::query_as("SELECT external_id, attributes FROM crm_event WHERE kind = 'csat'")
                .fetch_all(&app.db().pool)
                .await
                .unwrap();
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].0, format!("csat-ticket-{id}"));
        let attrs: Value = serde_json::from_str(&events[0].1).unwrap();
        assert_eq!(
            (
                attrs["rating"].clone(),
                attrs["score"].clone(),
                attrs["comment"].clone()
            ),
            (json!("bad"), json!(1), json!("Took three days"))
        );
        // CSAT report: one bad rating today.
        let (_, csat) = report(&app, &app.admin_token, "csat", "").await;
        assert_eq!(row(&csat, "group", "(all)")["csat_pct"], 0.0);
        // Invalid and expired links get a clear page, not a rating.
        for bad in ["not-a-real-token", "expired-link-token"] {
            if bad == "expired-link-token" {
                exec(&app, &format!("INSERT INTO ticket_link (ticket_id, token_hash, created_at, expires_at) VALUES ($1, '{}', 0, 1)", casebook::auth::digest(bad)), &[Some(id)]).await;
            }
            let r = browser
                .get(app.at(&format!("/t/{bad}/rate?r=good")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 404);
            let body = r.text().await.unwrap();
            assert!(body.contains("not valid or has expired"), "{body}");
        }
        assert_eq!(id_of(&app, "SELECT COUNT(*) FROM csat_rating").await, 1);
    }
);

both_backends!(empty_periods_say_no_data, |app| async move {
    let q = "from=2001-01-01&to=2001-01-31";
    for (name, _) in reports::REPORTS {
        let query = if *name == "tickets" {
            format!("{q}&tag=x")
        } else {
            q.to_string()
        };
        let (s, body) = report(&app, &app.admin_token, name, &query).await;
        assert_eq!(s, 200, "{name}: {body}");
        assert!(!body.to_string().contains("NaN"), "{name}: {body}");
    }
    let (_, summary) = report(&app, &app.admin_token, "summary", q).await;
    assert_eq!(
        row(&summary, "metric", "median_resolution_h")["value"],
        Value::Null
    );
    let browser = app.browser();
    assert_eq!(login(&app, &browser, &app.admin_email, PASSWORD).await, 303);
    let page = browser
        .get(app.at(&format!("/reports?{q}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("no data"), "{html}");
    assert!(!html.contains("NaN"));
});

both_backends!(permissions_csv_and_bad_parameters, |app| async move {
    fixture(&app).await;
    // Agents see only their own performance row; admins see everyone.
    let (s, mine) = report(&app, &app.agent_token, "agents", WEEK).await;
    assert_eq!(s, 200, "{mine}");
    let rows = mine["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{mine}");
    assert_eq!(rows[0]["agent"], "Gus Agent");
    assert_eq!(rows[0]["solved"], 2);
    assert_eq!(rows[0]["open_load"], 1);
    let (_, all) = report(&app, &app.admin_token, "agents", WEEK).await;
    assert_eq!(all["rows"].as_array().unwrap().len(), 2);
    // Dashboard and report pages are for leads and admins.
    let agent = app.browser();
    assert_eq!(login(&app, &agent, &app.agent_email, PASSWORD).await, 303);
    assert_eq!(
        agent.get(app.at("/reports")).send().await.unwrap().status(),
        403
    );
    assert_eq!(
        agent
            .get(app.at("/reports/agents/csv"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let admin = app.browser();
    assert_eq!(login(&app, &admin, &app.admin_email, PASSWORD).await, 303);
    let page = admin
        .get(app.at(&format!("/reports?{WEEK}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<svg"), "charts are drawn on the server");
    assert!(
        !page.contains("SLA data not available"),
        "SLA timers exist, so compliance is reported"
    );
    assert!(
        page.contains("href=\"/reports\""),
        "the nav links the dashboard"
    );
    let csv = admin
        .get(app.at(&format!("/reports/top-tags/csv?{WEEK}")))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with("tag,tickets,previous,change_pct,link\r\nbilling,2,1,100,"),
        "{text}"
    );
    // The API answers CSV when asked.
    let r = app
        .api()
        .get(app.at(&format!("/api/v1/reports/summary?{WEEK}")))
        .bearer_auth(&app.admin_token)
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .starts_with("metric,value,previous,change_pct\r\ntickets_created,3,1,200")
    );
    // Bad parameters are 422s naming the field; an unknown report is a 404.
    for (query, field) in [
        ("from=soon", "from"),
        ("from=2024-05-06&to=2024-05-01", "to"),
        ("team=abc", "team"),
        ("by=colour", "by"),
    ] {
        let (s, e) = report(&app, &app.admin_token, "summary", query).await;
        assert_eq!(s, 422, "{query}: {e}");
        assert_eq!(e["error"]["field"], field);
    }
    let (s, _) = report(&app, &app.admin_token, "nonsense", WEEK).await;
    assert_eq!(s, 404);
    let (s, e) = report(&app, &app.admin_token, "tickets", WEEK).await;
    assert_eq!((s, e["error"]["field"].clone()), (422, json!("tag")));
});

both_backends!(sla_compliance_when_timers_exist, |app| async move {
    let f = fixture(&app).await;
    // SLA timers written directly (the fixture's tickets have no policy of their own).
    let ins = "INSERT INTO ticket_sla (ticket_id, metric, due_at, met_at, breached_at, target_ms, started_at, state, updated_at)
               VALUES ($1, $2, $3, $4, $5, 3600000, $3 - 3600000, 'met', $3)";
    for (t, metric, due, met, breached) in [
        (
            f.t1,
            "first_response",
            "2024-05-06T12:00:00Z",
            Some("2024-05-06T11:00:00Z"),
            None,
        ),
        (
            f.t2,
            "first_response",
            "2024-05-10T17:00:00Z",
            Some("2024-05-10T16:30:00Z"),
            None,
        ),
        (
            f.t1,
            "resolution",
            "2024-05-06T14:00:00Z",
            Some("2024-05-06T15:00:00Z"),
            Some("2024-05-06T14:00:00Z"),
        ),
        (
            f.t2,
            "resolution",
            "2024-05-13T17:00:00Z",
            Some("2024-05-11T12:00:00Z"),
            None,
        ),
    ] {
        sqlx::query(ins)
            .bind(t)
            .bind(metric)
            .bind(at(due))
            .bind(met.map(at))
            .bind(breached.map(at))
            .execute(&app.db().pool)
            .await
            .unwrap();
    }
    let (_, sla) = report(&app, &app.admin_token, "sla", WEEK).await;
    assert_eq!(sla["note"], Value::Null);
    let fr = row(&sla, "metric", "first_response");
    assert_eq!(
        (fr["met"].clone(), fr["breached"].clone()),
        (json!(2), json!(0))
    );
    close(&fr["compliance_pct"], 100.0);
    let res = row(&sla, "metric", "resolution");
    assert_eq!(
        res["due"], 1,
        "the other resolution target falls due after the week"
    );
    close(&res["compliance_pct"], 0.0);
    let (_, breaches) = report(&app, &app.admin_token, "sla-breaches", WEEK).await;
    assert_eq!(breaches["rows"].as_array().unwrap().len(), 1);
    assert_eq!(breaches["rows"][0]["ticket_id"], f.t1);
    let (_, summary) = report(&app, &app.admin_token, "summary", WEEK).await;
    close(
        &row(&summary, "metric", "sla_compliance_pct")["value"],
        66.7,
    );
    // With SLA data the churn split reads breaches too.
    let (s, churn) = report(&app, &app.admin_token, "churn-customers", WEEK).await;
    assert_eq!(s, 200, "{churn}");
});

both_backends!(
    churn_and_retention_by_support_experience,
    |app| async move {
        let stay = customer(&app, "Stays").await;
        let leave = customer(&app, "Leaves").await;
        let late = customer(&app, "Joins later").await;
        let ev = "INSERT INTO crm_event (customer_id, kind, occurred_at, source, external_id, amount_minor, currency, attributes, created_at, updated_at)
              VALUES ($1, $2, $3, 'shop', $4, $5, $6, $7, 0, 0)";
        for (c, kind, when, ext, amount, attrs) in [
            (
                stay,
                "subscription",
                "2024-01-01T00:00:00Z",
                "s1",
                None,
                r#"{"status":"active","plan":"pro"}"#,
            ),
            (
                leave,
                "subscription",
                "2024-01-01T00:00:00Z",
                "s2",
                None,
                r#"{"status":"active","plan":"pro"}"#,
            ),
            (
                leave,
                "subscription",
                "2024-05-09T00:00:00Z",
                "s3",
                None,
                r#"{"status":"cancelled","plan":"pro"}"#,
            ),
            (
                late,
                "subscription",
                "2024-05-08T00:00:00Z",
                "s4",
                None,
                r#"{"status":"active"}"#,
            ),
            (
                stay,
                "order",
                "2024-02-01T00:00:00Z",
                "o1",
                Some(5000i64),
                "{}",
            ),
            (
                leave,
                "order",
                "2024-02-01T00:00:00Z",
                "o2",
                Some(10000),
                "{}",
            ),
        ] {
            sqlx::query(ev)
                .bind(c)
                .bind(kind)
                .bind(at(when))
                .bind(ext)
                .bind(amount)
                .bind(amount.map(|_| "EUR"))
                .bind(attrs)
                .execute(&app.db().pool)
                .await
                .unwrap();
        }
        // The leaving customer rated a solved ticket badly during the week.
        let t = ticket(
            &app,
            T {
                subject: "Slow",
                status: "solved",
                customer: leave,
                assignee: None,
                team: None,
                created: "2024-05-06T09:00:00Z",
                first_response: None,
                solved: Some("2024-05-06T10:00:00Z"),
            },
        )
        .await;
        exec(&app, "INSERT INTO csat_rating (ticket_id, customer_id, rating, created_at, rated_at) VALUES ($1, $2, 'bad', $3, $3)",
        &[Some(t), Some(leave), Some(at("2024-05-07T00:00:00Z"))]).await;
        let (s, churn) = report(&app, &app.admin_token, "churn", WEEK).await;
        assert_eq!(s, 200, "{churn}");
        let all = row(&churn, "group", "all");
        assert_eq!(
            (all["customers"].clone(), all["churned"].clone()),
            (json!(2), json!(1))
        );
        close(&all["churn_rate_pct"], 50.0);
        close(&all["retention_rate_pct"], 50.0);
        close(
            &row(&churn, "group", "gave a bad CSAT rating")["churn_rate_pct"],
            100.0,
        );
        close(
            &row(&churn, "group", "no bad CSAT rating")["churn_rate_pct"],
            0.0,
        );
        // Nobody had an SLA breach: the whole cohort is in the "no breached ticket" group.
        assert_eq!(
            row(&churn, "group", "had a breached ticket")["customers"],
            json!(0)
        );
        close(
            &row(&churn, "group", "no breached ticket")["churn_rate_pct"],
            50.0,
        );
        let (_, ltv) = report(&app, &app.admin_token, "churn-ltv", WEEK).await;
        assert_eq!(row(&ltv, "outcome", "churned")["average_ltv"], "100.00");
        assert_eq!(row(&ltv, "outcome", "retained")["average_ltv"], "50.00");
        let (_, people) = report(&app, &app.admin_token, "churn-customers", WEEK).await;
        assert_eq!(row(&people, "customer", "Leaves")["outcome"], "churned");
        assert_eq!(row(&people, "customer", "Leaves")["bad_csat"], "yes");
        assert_eq!(
            people["rows"].as_array().unwrap().len(),
            2,
            "customers who joined during the period are not in the cohort"
        );
        // Segment breakdown reads the customer's plan.
        let (_, by_segment) = report(
            &app,
            &app.admin_token,
            "response-times",
            &format!("{WEEK}&by=segment"),
        )
        .await;
        assert_eq!(row(&by_segment, "group", "pro")["tickets"], 1);
    }
);

fn parsed(raw: &[u8]) -> casebook::email::ParsedEmail {
    casebook::email::parse(raw, &casebook::email::Limits::default()).expect("our own mail parses")
}

/// The solve notification: the customer gets one mail with the two rating links, and one click
/// on a link records the rating.
async fn rating_request_mail(backend: crate::harness::Backend) {
    let Some(env) = crate::mail_e2e::MailEnv::get() else {
        return;
    };
    let support = env.fresh_address("helpdesk.test", "sup");
    let customer = env.fresh_address("customer.test", "cus");
    let Some(app) = TestApp::spawn_with(
        backend,
        crate::harness::Options {
            smtp_url: Some(env.smtp_url.clone()),
            support_address: Some(format!("Casebook Support <{support}>")),
            ..crate::harness::Options::default()
        },
    )
    .await
    else {
        return;
    };
    let t = app
        .create_ticket(&customer, "Export broken", "Please fix")
        .await;
    let id = t["id"].as_i64().unwrap();
    let r = app
        .api()
        .patch(app.at(&format!("/api/v1/tickets/{id}")))
        .bearer_auth(&app.agent_token)
        .json(&json!({"status": "solved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    app.drain_outbox().await;
    let mut mails = Vec::new();
    for _ in 0..100 {
        mails = env.read_all(&customer).await;
        if mails.iter().any(|m| parsed(m).text.contains("/rate?r=")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let rating: Vec<&Vec<u8>> = mails
        .iter()
        .filter(|m| parsed(m).text.contains("/rate?r=good"))
        .collect();
    assert_eq!(
        rating.len(),
        1,
        "one rating request among {} mails",
        mails.len()
    );
    assert!(String::from_utf8_lossy(rating[0]).contains("Auto-Submitted: auto-generated"));
    let mail = parsed(rating[0]).text;
    let start = mail.find("/t/").unwrap();
    let path: String = mail[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
        .collect();
    assert!(path.ends_with("?r=good"), "{path}");
    let bad_path = path.replace("?r=good", "?r=bad");
    let browser = app.browser();
    let (csrf, _) = csrf_from(&browser, &app.at(&bad_path)).await;
    let form_path = bad_path.trim_end_matches("?r=bad").to_string();
    let r = browser
        .post(app.at(&form_path))
        .form(&[("csrf", csrf.as_str()), ("rating", "bad")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let rating: String = sqlx::query_scalar("SELECT rating FROM csat_rating WHERE ticket_id = $1")
        .bind(id)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(rating, "bad");
    // Solving again (after a reopen) does not ask twice.
    for status in ["open", "solved"] {
        app.api()
            .patch(app.at(&format!("/api/v1/tickets/{id}")))
            .bearer_auth(&app.agent_token)
            .json(&json!({"status": status}))
            .send()
            .await
            .unwrap();
    }
    app.drain_outbox().await;
    assert_eq!(id_of(&app, "SELECT COUNT(*) FROM csat_request").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rating_request_mail_sqlite() {
    rating_request_mail(crate::harness::Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rating_request_mail_postgres() {
    rating_request_mail(crate::harness::Backend::Postgres).await
}

both_backends!(report_facts_follow_every_change, |app| async move {
    let f = fixture(&app).await;
    let token = app.admin_token.clone();
    let (_, before) = report(&app, &token, "summary", WEEK).await;
    let value = |s: &Value, m: &str| row(s, "metric", m)["value"].clone();
    close(&value(&before, "one_touch_rate_pct"), 66.7);
    // A second public reply on T1, a reopen of T1, T1 solved a day later, T2 deleted: each
    // change queues its ticket through the database's triggers.
    let agent = agent_id(&app, &app.agent_email).await;
    message(&app, f.t1, agent, "public", "2024-05-06T12:00:00Z").await;
    exec(&app, "INSERT INTO ticket_event (ticket_id, actor_kind, kind, old_value, new_value, created_at) VALUES ($1, 'customer', 'status', 'solved', 'open', $2)",
        &[Some(f.t1), Some(at("2024-05-06T16:00:00Z"))]).await;
    exec(
        &app,
        "UPDATE ticket SET solved_at = $1 WHERE ticket_id = $2",
        &[Some(at("2024-05-07T10:00:00Z")), Some(f.t1)],
    )
    .await;
    exec(
        &app,
        "DELETE FROM ticket WHERE ticket_id = $1",
        &[Some(f.t2)],
    )
    .await;
    let (s, after) = report(&app, &token, "summary", WEEK).await;
    assert_eq!(s, 200, "{after}");
    assert_eq!(value(&after, "tickets_solved"), 2);
    // Resolutions T1 24 h (8 business h), T3 120 h (24 business h).
    close(&value(&after, "median_resolution_h"), 24.0);
    close(&value(&after, "p90_resolution_h"), 120.0);
    close(&value(&after, "median_resolution_business_h"), 8.0);
    close(&value(&after, "reopen_rate_pct"), 50.0);
    close(&value(&after, "one_touch_rate_pct"), 50.0);
    let queued: i64 = id_of(&app, "SELECT COUNT(*) FROM report_dirty").await;
    assert_eq!(queued, 0, "the report measured every queued ticket first");
    let facts: i64 = id_of(&app, "SELECT COUNT(*) FROM report_ticket").await;
    let tickets: i64 = id_of(&app, "SELECT COUNT(*) FROM ticket").await;
    assert_eq!(facts, tickets, "a deleted ticket's facts go with it");
});

/// A refresh takes no lock on a ticket row. A change holds its ticket and then queues it, which
/// waits for the queue row a running refresh holds; a refresh that then waited for the ticket
/// (as a foreign-key check on the fact tables would) deadlocked with the change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facts_refresh_never_waits_for_a_ticket_a_change_holds() {
    let Some(app) = TestApp::spawn(crate::harness::Backend::Postgres).await else {
        return;
    };
    let f = fixture(&app).await;
    let cal = reports::calendar(&app.running.state);
    reports::facts::refresh(app.db(), &cal).await.unwrap();
    // T1 as a ticket not measured yet: its facts are inserted, not updated.
    exec(
        &app,
        "DELETE FROM report_ticket WHERE ticket_id = $1",
        &[Some(f.t1)],
    )
    .await;
    exec(
        &app,
        "INSERT INTO report_dirty (ticket_id) VALUES ($1)",
        &[Some(f.t1)],
    )
    .await;
    // The strongest row lock a change takes on a ticket (a delete takes the same).
    let mut change = app.db().pool.begin().await.unwrap();
    sqlx::query("SELECT status FROM ticket WHERE ticket_id = $1 FOR UPDATE")
        .bind(f.t1)
        .fetch_one(&mut *change)
        .await
        .unwrap();
    let (db, c) = (app.db().clone(), cal.clone());
    let refresh = tokio::spawn(async move { reports::facts::refresh(&db, &c).await });
    // Let the refresh run until it is done or waits for a lock.
    for _ in 0..100 {
        let waiting: i64 = id_of(
            &app,
            "SELECT COUNT(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .await;
        if refresh.is_finished() || waiting > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    sqlx::query("UPDATE ticket SET priority = 'urgent' WHERE ticket_id = $1")
        .bind(f.t1)
        .execute(&mut *change)
        .await
        .expect("the change is not a deadlock victim");
    change.commit().await.unwrap();
    refresh
        .await
        .unwrap()
        .expect("the refresh is not a deadlock victim");
    reports::facts::refresh(app.db(), &cal).await.unwrap();
    let priority: String =
        sqlx::query_scalar("SELECT priority FROM report_ticket WHERE ticket_id = $1")
            .bind(f.t1)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
    assert_eq!(priority, "urgent", "the change queued its ticket again");
}

/// Tickets created over 20 days from 2024-05-01 for the `teams` in turn, with durations on a
/// 10-minute grid (so a wrong rank shows in hours rounded to 0.01), with ties.
async fn many_tickets(app: &TestApp, teams: [Option<i64>; 3], seed: u64, n: usize) {
    let c = customer(app, "Many").await;
    let mut seed = seed;
    let mut next = |m: i64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as i64) % m
    };
    let grid = 600_000;
    let base = at("2024-05-01T00:00:00Z");
    let agent = agent_id(app, &app.agent_email).await;
    let agents = [
        Some(agent),
        Some(agent_id(app, &app.admin_email).await),
        None,
    ];
    for i in 0..n {
        let created = base + next(20 * 144) * grid;
        let first = (next(5) > 0).then(|| created + next(if i % 2 == 0 { 12 } else { 400 }) * grid);
        let solved = (next(3) > 0).then(|| created + next(2_000) * grid);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO ticket (subject, status, priority, channel, customer_id, team_id, created_at,
                updated_at, first_response_at, solved_at, assignee_id)
             VALUES ('Many', $1, 'normal', 'web', $2, $3, $4, $4, $5, $6, $7) RETURNING ticket_id",
        )
        .bind(if solved.is_some() { "solved" } else { "open" })
        .bind(c)
        .bind(teams[i % 3])
        .bind(created)
        .bind(first)
        .bind(solved)
        .bind(agents[(i / 3) % 3])
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        // Some reopened, some with one public reply (one-touch when solved), some with two.
        if next(4) == 0 {
            exec(app, "INSERT INTO ticket_event (ticket_id, actor_kind, kind, old_value, new_value, created_at) VALUES ($1, 'customer', 'status', 'solved', 'open', $2)",
                &[Some(id), Some(created)]).await;
        }
        for _ in 0..next(3) {
            exec(app, "INSERT INTO message (ticket_id, author_kind, agent_id, visibility, body_text, created_at) VALUES ($1, 'agent', $2, 'public', 'text', $3)",
                &[Some(id), Some(agent), Some(created)]).await;
        }
    }
}

/// Checks every duration row of `response-times` by team against the nearest-rank percentiles
/// and means of the facts themselves.
async fn check_against_facts(app: &TestApp, from: &str, to: &str, team: Option<i64>) {
    let params = reports::parse_params(
        &RawParams {
            from: Some(from.into()),
            to: Some(to.into()),
            by: Some("team".into()),
            team: team.map(|t| t.to_string()),
            ..RawParams::default()
        },
        "UTC",
        at("2024-07-01T00:00:00Z"),
    )
    .unwrap();
    let table = reports::metrics::response_times(app.db(), &params)
        .await
        .unwrap();
    let names: std::collections::HashMap<i64, String> =
        sqlx::query_as::<_, (i64, String)>("SELECT team_id, name FROM team")
            .fetch_all(&app.db().pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    // (team, created, solved, (reopened, one-touch)) of every ticket.
    type Quality = (Option<i64>, i64, Option<i64>, (i64, i64));
    let quality: Vec<Quality> = sqlx::query_as::<_, (Option<i64>, i64, Option<i64>, i64, i64)>(
        "SELECT team_id, created_at, solved_at, reopened, one_touch FROM report_ticket",
    )
    .fetch_all(&app.db().pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(t, c, s, r, o)| (t, c, s, (r, o)))
    .collect();
    // (team, created, solved, the four durations)
    type Fact = (Option<i64>, i64, Option<i64>, [Option<i64>; 4]);
    let facts: Vec<Fact> = sqlx::query_as::<
        _,
        (
            Option<i64>,
            i64,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        ),
    >(
        "SELECT team_id, created_at, solved_at, first_response_ms, first_response_business_ms,
            resolution_ms, resolution_business_ms FROM report_ticket",
    )
    .fetch_all(&app.db().pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(t, c, s, a, b, r, q)| (t, c, s, [a, b, r, q]))
    .collect();
    // Per agent: tickets solved and their median resolution.
    if team.is_none() {
        let agents = reports::metrics::agents(app.db(), &params, None)
            .await
            .unwrap();
        let solved: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT assignee_id, resolution_ms FROM report_ticket
             WHERE solved_at >= $1 AND solved_at < $2 AND assignee_id IS NOT NULL",
        )
        .bind(params.from)
        .bind(params.to)
        .fetch_all(&app.db().pool)
        .await
        .unwrap();
        for i in 0..agents.rows.len() {
            let id = match agents.get(i, "agent_id") {
                Some(reports::Cell::Int(id)) => *id,
                other => panic!("{other:?}"),
            };
            let mut mine: Vec<i64> = solved.iter().filter(|s| s.0 == id).map(|s| s.1).collect();
            mine.sort_unstable();
            let n = mine.len() as i64;
            assert_eq!(
                agents.get(i, "solved"),
                Some(&reports::Cell::Int(n)),
                "agent {id}"
            );
            let median = agents.get(i, "median_resolution_h");
            if n == 0 {
                assert_eq!(median, Some(&reports::Cell::Null));
                continue;
            }
            let want = mine[(mine.len() * 50).div_ceil(100) - 1] as f64 / 3_600_000.0;
            match median {
                Some(reports::Cell::Num(got)) => {
                    assert!((got - want).abs() < 0.006, "agent {id}: {got} != {want}")
                }
                other => panic!("agent {id}: {other:?}"),
            }
        }
    }
    // The headline counts.
    let summary = reports::metrics::summary(app.db(), &params).await.unwrap();
    let headline = |metric: &str| {
        let i = summary
            .rows
            .iter()
            .position(|r| r[0] == reports::Cell::text(metric))
            .unwrap();
        summary.rows[i][1].clone()
    };
    let (mut created, mut solved, mut reopened, mut one_touch) = (0, 0, 0, 0);
    for (t, c, s, f) in &quality {
        if team.is_some_and(|want| Some(want) != *t) {
            continue;
        }
        created += i64::from(*c >= params.from && *c < params.to);
        if s.is_some_and(|s| s >= params.from && s < params.to) {
            solved += 1;
            reopened += f.0;
            one_touch += f.1;
        }
    }
    assert_eq!(
        headline("tickets_created"),
        reports::Cell::Int(created),
        "{from}..{to}"
    );
    assert_eq!(
        headline("tickets_solved"),
        reports::Cell::Int(solved),
        "{from}..{to}"
    );
    let pct = |part: i64| reports::Cell::Num((part as f64 * 1000.0 / solved as f64).round() / 10.0);
    assert_eq!(headline("reopen_rate_pct"), pct(reopened), "{from}..{to}");
    assert_eq!(
        headline("one_touch_rate_pct"),
        pct(one_touch),
        "{from}..{to}"
    );
    let mut checked = 0;
    for (what, measures) in [("first_response", [0, 1]), ("resolution", [2, 3])] {
        let mut groups: std::collections::BTreeMap<String, [Vec<i64>; 2]> = Default::default();
        for (t, created, solved, d) in &facts {
            let at = if what == "first_response" {
                Some(*created)
            } else {
                *solved
            };
            let in_period = at.is_some_and(|a| a >= params.from && a < params.to);
            if !in_period || team.is_some_and(|f| Some(f) != *t) {
                continue;
            }
            let (Some(c), Some(b)) = (d[measures[0]], d[measures[1]]) else {
                continue;
            };
            let name = t.map_or("(no team)".to_string(), |t| names[&t].clone());
            for g in ["(all)".to_string(), name] {
                let e = groups.entry(g).or_default();
                e[0].push(c);
                e[1].push(b);
            }
        }
        for (group, mut values) in groups {
            let i = table
                .rows
                .iter()
                .position(|r| {
                    r[0] == reports::Cell::text(what) && r[2] == reports::Cell::text(&group)
                })
                .unwrap_or_else(|| panic!("{what} {group} in {table:?}"));
            assert_eq!(
                table.get(i, "tickets"),
                Some(&reports::Cell::Int(values[0].len() as i64))
            );
            for (k, prefix) in [(0, ""), (1, "business_")] {
                let v = &mut values[k];
                v.sort_unstable();
                let rank =
                    |pct: usize| v[(pct * v.len()).div_ceil(100).max(1) - 1] as f64 / 3_600_000.0;
                let mean = v.iter().sum::<i64>() as f64 / v.len() as f64 / 3_600_000.0;
                for (column, want) in [
                    ("median_h", rank(50)),
                    ("p90_h", rank(90)),
                    ("mean_h", mean),
                ] {
                    let column = format!("{prefix}{column}");
                    match table.get(i, &column) {
                        Some(reports::Cell::Num(got)) => assert!(
                            (got - want).abs() < 0.006,
                            "{what} {group} {column}: {got} != {want} ({from}..{to})"
                        ),
                        other => panic!("{what} {group} {column}: {other:?}"),
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 4, "{checked} groups checked");
}

both_backends!(
    percentiles_from_duration_counts_match_the_facts,
    |app| async move {
        let (a, b) = (team(&app, "Alpha").await, team(&app, "Beta").await);
        many_tickets(&app, [Some(a), Some(b), None], 7, 600).await;
        // Whole days (read from the day counts) and a period that is not (its whole days from the
        // day counts, the hours at either end from the facts), with and without a team filter.
        for (from, to) in [
            ("2024-05-03", "2024-05-15"),
            ("2024-05-01", "2024-06-30"),
            ("2024-05-03T05:00:00Z", "2024-05-15T07:10:00Z"),
        ] {
            check_against_facts(&app, from, to, None).await;
            check_against_facts(&app, from, to, Some(a)).await;
        }
        // Changes move counts: solves later, a team change, deleted tickets.
        exec(&app, "UPDATE ticket SET solved_at = solved_at + 86400000 WHERE ticket_id % 5 = 0 AND solved_at IS NOT NULL", &[]).await;
        exec(
            &app,
            "UPDATE ticket SET team_id = $1 WHERE ticket_id % 7 = 0",
            &[Some(b)],
        )
        .await;
        exec(&app, "DELETE FROM ticket WHERE ticket_id % 11 = 0", &[]).await;
        exec(
            &app,
            "UPDATE ticket SET assignee_id = NULL WHERE ticket_id % 4 = 0",
            &[],
        )
        .await;
        check_against_facts(&app, "2024-05-03", "2024-05-15", None).await;
        check_against_facts(&app, "2024-05-01", "2024-06-30", Some(b)).await;
        let counted: i64 = id_of(
            &app,
            "SELECT CAST(SUM(n) AS BIGINT) FROM report_duration WHERE measure = 2",
        )
        .await;
        let solved: i64 = id_of(
            &app,
            "SELECT COUNT(*) FROM report_ticket WHERE resolution_ms IS NOT NULL",
        )
        .await;
        assert_eq!(counted, solved, "the counts follow the facts");
    }
);

both_backends!(three_years_by_day_is_one_query, |app| async move {
    // 1,096 daily buckets: more than SQLite allows as a chain of UNION ALL (500).
    app.create_ticket("years@example.com", "Old question", "Still there?")
        .await;
    for name in ["volume", "sla"] {
        let (status, body) = report(
            &app,
            &app.admin_token,
            name,
            "from=2024-01-01&to=2026-12-31&interval=day",
        )
        .await;
        assert_eq!(status, 200, "{name}: {body}");
    }
});

// SLA compliance read from the day counts of the facts (whole past days) and from the targets
// themselves (today, and before the counts exist) agree, also after targets change, per team
// and for the period ending today.
both_backends!(sla_day_counts_agree_with_the_targets, |app| async move {
    let f = fixture(&app).await;
    let db = app.db().pool.clone();
    let now = chrono::Utc::now().timestamp_millis();
    let hour = 3_600_000i64;
    let ins = "INSERT INTO ticket_sla (ticket_id, metric, cycle, due_at, met_at, breached_at, target_ms, started_at, state, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, 3600000, $4 - 3600000, 'on_track', $4)";
    let metrics = ["first_response", "next_response", "resolution"];
    for i in 0..240i64 {
        // Due from nine days ago to two days ahead; met early, late or not yet; some breached.
        let due = now - 9 * 24 * hour + i * hour + (i * 7919 % 3_600) * 1000;
        let met = match i % 4 {
            0 => Some(due - hour),
            1 => Some(due + hour).filter(|m| *m < now),
            2 => None,
            _ => Some(due - 60_000),
        };
        let breached = (i % 9 == 0 && due < now).then_some(due);
        let ticket = if i % 3 == 0 { f.t2 } else { f.t1 };
        sqlx::query(ins)
            .bind(ticket)
            .bind(metrics[(i % 3) as usize])
            .bind(i)
            .bind(due)
            .bind(met)
            .bind(breached)
            .execute(&db)
            .await
            .unwrap();
    }
    let state = &app.running.state;
    let cal = reports::calendar(state);
    let day = |at: i64| {
        chrono::DateTime::from_timestamp_millis(at)
            .unwrap()
            .format("%Y-%m-%d")
            .to_string()
    };
    let periods = [
        format!("from={}&to={}", day(now - 8 * 24 * hour), day(now)),
        format!(
            "from={}&to={}",
            day(now - 8 * 24 * hour),
            day(now + 24 * hour)
        ),
        format!(
            "from={}&to={}&team={}",
            day(now - 6 * 24 * hour),
            day(now),
            f.team_a
        ),
    ];
    let both_ways = |round: &'static str| {
        let (app, db, cal, periods) = (&app, &db, &cal, &periods);
        async move {
            for query in periods {
                sqlx::query("UPDATE report_sla_backfill SET done = 0")
                    .execute(db)
                    .await
                    .unwrap();
                let (s, live) = report(app, &app.admin_token, "sla", query).await;
                assert_eq!(s, 200, "{live}");
                sqlx::query("UPDATE report_sla_backfill SET next_ticket_id = 0")
                    .execute(db)
                    .await
                    .unwrap();
                reports::facts::backfill_sla(&app.running.state.db, cal)
                    .await
                    .unwrap();
                let (s, counted) = report(app, &app.admin_token, "sla", query).await;
                assert_eq!(s, 200, "{counted}");
                assert!(
                    !live["rows"].as_array().unwrap().is_empty(),
                    "{round} {query}: targets in the period"
                );
                assert_eq!(live["rows"], counted["rows"], "{round} {query}");
            }
        }
    };
    both_ways("as inserted").await;
    // The second reading of each pair came from the day counts.
    let counted: i64 =
        sqlx::query_scalar("SELECT CAST(SUM(n) AS BIGINT) FROM report_duration WHERE measure = 7")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(counted, 240, "every target with a due time is counted once");
    assert!(
        reports::facts::sla_counted(&app.running.state.db)
            .await
            .unwrap()
    );
    // Targets change after they were counted: met late, breached, moved to another day.
    sqlx::query("UPDATE ticket_sla SET met_at = due_at + 1000 WHERE cycle % 5 = 0 AND due_at < $1")
        .bind(now)
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE ticket_sla SET breached_at = due_at WHERE cycle % 11 = 1 AND due_at < $1")
        .bind(now)
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE ticket_sla SET due_at = due_at - 86400000 WHERE cycle % 13 = 2")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE ticket SET team_id = $1 WHERE ticket_id = $2")
        .bind(f.team_a)
        .bind(f.t2)
        .execute(&db)
        .await
        .unwrap();
    // Counted as changed, without the backfill: the refresh before each report measures again.
    let query = &periods[2];
    let (_, counted) = report(&app, &app.admin_token, "sla", query).await;
    sqlx::query("UPDATE report_sla_backfill SET done = 0")
        .execute(&db)
        .await
        .unwrap();
    let (_, live) = report(&app, &app.admin_token, "sla", query).await;
    assert_eq!(live["rows"], counted["rows"], "after changes, {query}");
    both_ways("after changes").await;
});
