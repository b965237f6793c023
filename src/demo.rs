//! Sample data for `casebook serve --demo`: agents, customers and tickets in every state, created
//! through the same intake and ticket services as real traffic.

use crate::auth::{self, AgentRef, NewAgent};
use crate::db::Db;
use crate::domain::clock::Millis;
use crate::domain::{Channel, EmailAddress, Priority, Role, Status, Visibility};
use crate::intake::{self, NewInbound};
use crate::tickets::{self, AgentMessage, TicketPatch};
use anyhow::Result;

/// Password of every demo agent (shown in the README).
pub const DEMO_PASSWORD: &str = "casebook demo desk";

pub const DEMO_AGENTS: [(&str, &str, Role); 4] = [
    ("admin@demo.casebook.test", "Alex Admin", Role::Admin),
    ("lead@demo.casebook.test", "Lee Lead", Role::Lead),
    ("dana@demo.casebook.test", "Dana Agent", Role::Agent),
    ("sam@demo.casebook.test", "Sam Agent", Role::Agent),
];

const CUSTOMERS: [(&str, &str); 10] = [
    ("Maria Garcia", "maria@example.com"),
    ("Kenji Tanaka", "kenji@example.jp"),
    ("김민준", "minjun@example.kr"),
    ("Fatima Al-Sayed", "fatima@example.ae"),
    ("Olivia Smith", "olivia@acme.example"),
    ("Noah Johnson", "noah@acme.example"),
    ("Emma Müller", "emma@example.de"),
    ("Lucas Martin", "lucas@example.fr"),
    ("Priya Patel", "priya@example.in"),
    ("Chen Wei", "chen@example.cn"),
];

const ISSUES: [(&str, &str, &str); 10] = [
    (
        "Cannot log in after password reset",
        "I reset my password this morning and now the login page says my password is wrong.",
        "The reset link had expired; I sent a new one and confirmed you can log in now.",
    ),
    (
        "Invoice shows the wrong VAT number",
        "Our latest invoice has our old VAT number. Can you correct it?",
        "I updated the VAT number on your account and re-issued the invoice.",
    ),
    (
        "Export to CSV is empty",
        "When I export my reports to CSV the file only has the header row.",
        "The export used the wrong date range; choose 'last 30 days' and it includes all rows.",
    ),
    (
        "Charged twice this month",
        "My card was charged twice for the March subscription.",
        "The second charge was a pre-authorisation; it was released and will vanish within 5 days.",
    ),
    (
        "How do I add a team member?",
        "We hired someone new. How do I give them access?",
        "Go to Settings → Team → Invite and enter their email; they get a link to join.",
    ),
    (
        "App crashes when uploading photos",
        "The mobile app closes whenever I attach a photo larger than a few MB.",
        "Fixed in version 4.2.1 of the app; please update from the store.",
    ),
    (
        "Refund for cancelled order",
        "I cancelled order 4471 within the trial and would like a refund.",
        "Refund issued to the original payment method.",
    ),
    (
        "비밀번호를 잊어버렸어요",
        "로그인 비밀번호를 잊어버렸습니다. 재설정 링크가 오지 않아요.",
        "스팸 폴더를 확인해 주세요. 새 재설정 링크를 보내드렸습니다.",
    ),
    (
        "لا أستطيع تغيير لغة الواجهة",
        "أريد تغيير لغة الواجهة إلى العربية لكن الخيار غير موجود.",
        "اختر الإعدادات ثم اللغة، وقد أضفنا العربية في آخر تحديث.",
    ),
    (
        "Delivery tracking not updating",
        "My parcel tracking has shown 'in transit' for a week.",
        "The carrier confirmed delivery for tomorrow; tracking updates overnight.",
    ),
];

/// Loads the demo data when the database has no tickets yet; otherwise leaves everything alone.
pub async fn load_if_empty(db: &Db, now: Millis) -> Result<()> {
    let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket")
        .fetch_one(&db.pool)
        .await?;
    if tickets > 0 {
        tracing::info!("demo: database already has tickets; not loading sample data");
        return Ok(());
    }
    let mut agents: Vec<AgentRef> = Vec::new();
    for (email, name, role) in DEMO_AGENTS {
        let agent = match auth::find_agent_by_email(db, email)
            .await
            .map_err(anyhow_err)?
        {
            Some((a, _)) => a,
            None => auth::create_agent(
                db,
                NewAgent {
                    email,
                    name,
                    role,
                    password: DEMO_PASSWORD,
                },
                now,
            )
            .await
            .map_err(anyhow_err)?,
        };
        agents.push(agent);
    }
    load_teams(db, &agents, now).await?;
    crate::sla::store::load_demo(db, now)
        .await
        .map_err(anyhow_err)?;
    let day = 86_400_000;
    let statuses = [
        Status::New,
        Status::Open,
        Status::Pending,
        Status::Solved,
        Status::Closed,
    ];
    for i in 0..40usize {
        let (cname, cemail) = CUSTOMERS[i % CUSTOMERS.len()];
        // Korean and Arabic issues go to the customers who write in those languages; everyone
        // else rotates through the English ones.
        let issue = match i % CUSTOMERS.len() {
            2 => 7,
            3 => 8,
            c => [0, 1, 2, 3, 4, 5, 6, 9][(c + i / CUSTOMERS.len() * 3) % 8],
        };
        let (subject, body, answer) = ISSUES[issue];
        let status = statuses[(i + i / CUSTOMERS.len()) % statuses.len()];
        let created = now - ((40 - i as i64) * day / 3);
        let inbound = NewInbound {
            channel: if i % 3 == 0 {
                Channel::Email
            } else {
                Channel::Web
            },
            from: crate::intake::Sender::Email(
                EmailAddress::parse(cemail).map_err(|e| anyhow::anyhow!(e))?,
            ),
            from_name: Some(cname.to_string()),
            subject: subject.to_string(),
            body_text: body.to_string(),
            body_html: None,
            attachments: vec![],
            idempotency: None,
            ticket_id: None,
            priority: Some(Priority::ALL[(i * 7) % 4]),
            issue_link: false,
            language: Default::default(),
            email: None,
            gateway: None,
        };
        let out = intake::receive(db, &inbound, created)
            .await
            .map_err(anyhow_err)?;
        let agent = &agents[2 + i % 2];
        if status == Status::New {
            continue;
        }
        let t = out.ticket_id;
        let at = |h: i64| created + h * 3_600_000;
        tickets::update_ticket(
            db,
            agent,
            t,
            TicketPatch {
                assignee_id: Some(Some(agent.id)),
                ..Default::default()
            },
            tickets::Expect::Any,
            at(1),
        )
        .await
        .map_err(anyhow_err)?;
        let first = if status == Status::Open {
            "Thanks for writing in — I'm looking into this now and will update you shortly."
        } else {
            answer
        };
        let after_reply = match status {
            Status::Pending => Some(Status::Pending),
            Status::Solved | Status::Closed => Some(Status::Solved),
            _ => None,
        };
        tickets::add_agent_message(
            db,
            agent,
            t,
            AgentMessage {
                body: first.into(),
                visibility: Visibility::Public,
                status: after_reply,
                attachments: vec![],
            },
            tickets::Expect::Any,
            at(2),
        )
        .await
        .map_err(anyhow_err)?;
        if i % 4 == 1 {
            tickets::add_agent_message(db, agent, t, AgentMessage { body: "Checked the account history; this customer had the same problem last quarter.".into(), visibility: Visibility::Internal, status: None, attachments: vec![] }, tickets::Expect::Any, at(3)).await.map_err(anyhow_err)?;
        }
        if status == Status::Closed {
            tickets::update_ticket(
                db,
                agent,
                t,
                TicketPatch {
                    status: Some(Status::Closed),
                    ..Default::default()
                },
                tickets::Expect::Any,
                at(72),
            )
            .await
            .map_err(anyhow_err)?;
        }
    }
    load_crm_history(db, now).await?;
    tracing::info!(
        "demo: loaded 4 agents, 10 customers with CRM history and 40 tickets (password for every demo agent: {DEMO_PASSWORD})"
    );
    Ok(())
}

/// Teams, skills and routing rules, so new demo tickets are routed and assigned with a reason.
async fn load_teams(db: &Db, agents: &[AgentRef], now: Millis) -> Result<()> {
    use crate::assign::admin::{self, AgentPatch, RulePatch, TeamPatch};
    use crate::assign::decide::Conditions;
    let (admin_agent, lead, dana, sam) = (&agents[0], &agents[1], &agents[2], &agents[3]);
    for (agent, capacity, skills) in [
        (dana, 15, vec!["billing", "german"]),
        (sam, 15, vec!["mobile"]),
        (lead, 6, vec!["billing", "mobile"]),
    ] {
        let patch = AgentPatch {
            capacity: Some(capacity),
            skills: Some(skills.into_iter().map(String::from).collect()),
            ..Default::default()
        };
        admin::patch_agent(db, admin_agent, agent.id, patch, now)
            .await
            .map_err(anyhow_err)?;
    }
    let mut team_ids = Vec::new();
    for (name, members, default) in [
        ("Billing", vec![dana.id, lead.id], false),
        ("Technical", vec![sam.id, lead.id], false),
        ("General", vec![dana.id, sam.id], true),
    ] {
        let patch = TeamPatch {
            name: Some(name.into()),
            is_default: Some(default),
            lead_agent_id: Some(Some(lead.id)),
            members: Some(members),
            ..Default::default()
        };
        team_ids.push(
            admin::create_team(db, patch, now)
                .await
                .map_err(anyhow_err)?,
        );
    }
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let rules = [
        (
            "VIP customers",
            Conditions {
                vip: Some(true),
                ..Default::default()
            },
            2,
            Some("high"),
            words(&["vip"]),
            None,
        ),
        (
            "Billing",
            Conditions {
                keywords: words(&["invoice", "charged", "refund", "vat"]),
                ..Default::default()
            },
            0,
            None,
            words(&["billing"]),
            Some("billing"),
        ),
        (
            "Mobile app",
            Conditions {
                keywords: words(&["app ", "crash", "photo"]),
                ..Default::default()
            },
            1,
            None,
            words(&["mobile"]),
            Some("mobile"),
        ),
        (
            "Log-in problems",
            Conditions {
                keywords: words(&["log in", "password", "비밀번호"]),
                ..Default::default()
            },
            1,
            Some("high"),
            words(&["login"]),
            None,
        ),
    ];
    for (name, conditions, team, priority, tags, skill) in rules {
        let patch = RulePatch {
            name: Some(name.into()),
            conditions: Some(conditions),
            team_id: Some(Some(team_ids[team])),
            set_priority: Some(priority.map(String::from)),
            tags: Some(tags),
            required_skill: Some(skill.map(String::from)),
            ..Default::default()
        };
        admin::create_rule(db, patch, now)
            .await
            .map_err(anyhow_err)?;
    }
    Ok(())
}

/// Sales and marketing history for the demo customers: how they came, what they bought, their
/// plan — and for two of them, reasons to worry (a cancellation, a bad rating).
async fn load_crm_history(db: &Db, now: Millis) -> Result<()> {
    use serde_json::json;
    let day = 86_400_000i64;
    let iso = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .to_rfc3339()
    };
    let campaigns = [
        ("google", "spring-sale"),
        ("newsletter", "product-launch"),
        ("partner", "reseller-q2"),
        ("linkedin", "b2b-webinar"),
    ];
    let currencies = [
        ("EUR", "49.00"),
        ("JPY", "5400"),
        ("KRW", "65000"),
        ("USD", "59.00"),
    ];
    let plans = [("starter", 19), ("team", 79), ("business", 249)];
    let mut events = Vec::new();
    for (i, (_, email)) in CUSTOMERS.iter().enumerate() {
        let since = now - (400 + 37 * i as i64) * day;
        let (src, campaign) = campaigns[i % campaigns.len()];
        let (cur, amount) = currencies[i % currencies.len()];
        let (plan, mrr) = plans[i % plans.len()];
        let e = |kind: &str, at: i64, n: usize, extra: serde_json::Value| {
            let mut v = json!({"customer_email": email, "kind": kind, "occurred_at": iso(at), "source": "demo-crm", "external_id": format!("{email}-{kind}-{n}")});
            if let serde_json::Value::Object(m) = extra {
                v.as_object_mut().expect("object").extend(m);
            }
            v
        };
        events.push(e(
            "campaign_touch",
            since - 3 * day,
            0,
            json!({"attributes": {"utm_source": src, "campaign": campaign, "utm_medium": "cpc"}}),
        ));
        events.push(e("signup", since, 0, json!({})));
        for n in 0..(1 + i % 3) {
            events.push(e(
                "order",
                since + (30 + 90 * n as i64) * day,
                n,
                json!({"amount": amount, "currency": cur, "attributes": {"items": n + 1}}),
            ));
        }
        let status = match i {
            4 => "cancelled",
            6 => "downgraded",
            _ => "active",
        };
        events.push(e(
            "subscription",
            now - (20 + i as i64) * day,
            0,
            json!({"attributes": {"plan": plan, "mrr": mrr, "status": status}}),
        ));
        events.push(e(
            "email_engagement",
            now - (5 + i as i64) * day,
            0,
            json!({"attributes": {"action": "opened", "campaign": "monthly-news"}}),
        ));
        let score = if i == 1 { 1 } else { 4 + i as i64 % 2 };
        events.push(e(
            "csat",
            now - (3 + i as i64) * day,
            0,
            json!({"attributes": {"score": score}}),
        ));
    }
    let parsed =
        crate::customers::crm::parse_body(&json!({ "events": events })).map_err(anyhow_err)?;
    crate::customers::crm::upsert_events(db, &parsed, None, true, now)
        .await
        .map_err(anyhow_err)?;
    Ok(())
}

fn anyhow_err(e: crate::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}
