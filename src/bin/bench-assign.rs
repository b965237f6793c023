//! bench-assign: assignment throughput — routing rules, skill match and load-aware round-robin for
//! new tickets — against a fresh SQLite file and a fresh PostgreSQL database.
//!
//! Setup per backend: `--agents` agents in `--teams` teams (the first is the default team),
//! `--rules` routing rules (keywords → team, tags, some with a priority or a required skill, and
//! one VIP rule first, so every ticket also reads the customer's CRM attributes), then per
//! concurrency level `--tickets` new tickets created through the intake path. The measured part
//! is the assignment of those tickets exactly as the `ticket.created` job does it (one
//! transaction per ticket: rules → team → skill → round-robin → the why in the audit log), by
//! `concurrency` tasks at once. Afterwards it checks that no ticket was assigned twice and no
//! agent is over capacity. It also times the pure decision function alone.
//!
//! It prints figures; it never asserts a speed.

use anyhow::{Result, bail};
use casebook::assign::admin::{self, AgentPatch, RulePatch, TeamPatch};
use casebook::assign::decide::{self, Candidate, Conditions, Rule, Team, TicketFacts};
use casebook::assign::{Outcome, Trigger, assign_ticket};
use casebook::auth::AgentRef;
use casebook::bench_support;
use casebook::db::Db;
use casebook::domain::clock::{Clock, SystemClock};
use casebook::domain::{Channel, EmailAddress, Priority, Role};
use casebook::intake::{self, NewInbound};
use clap::{Parser, ValueEnum};
use hdrhistogram::Histogram;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendChoice {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Parser, Debug)]
#[command(
    name = "bench-assign",
    about = "Measures auto-assignment throughput on SQLite and PostgreSQL"
)]
struct Args {
    #[arg(long, value_enum, default_value = "both")]
    backend: BackendChoice,
    /// New tickets assigned per concurrency level.
    #[arg(long, default_value_t = 5_000)]
    tickets: usize,
    #[arg(long, default_value_t = 50)]
    agents: usize,
    #[arg(long, default_value_t = 20)]
    rules: usize,
    #[arg(long, default_value_t = 5)]
    teams: usize,
    /// Assignment tasks running at once (comma-separated levels).
    #[arg(long, value_delimiter = ',', default_value = "1,4")]
    concurrency: Vec<usize>,
    /// Iterations of the pure decision function.
    #[arg(long, default_value_t = 200_000)]
    decisions: usize,
    /// Leave out the VIP rule, so routing never reads CRM attributes.
    #[arg(long)]
    no_crm_rule: bool,
    /// Keep the databases afterwards instead of deleting them.
    #[arg(long)]
    keep: bool,
}

const KEYWORDS: [&str; 24] = [
    "invoice", "refund", "charged", "vat", "password", "login", "crash", "upload", "export", "csv",
    "webhook", "delivery", "tracking", "cancel", "upgrade", "discount", "sso", "gdpr", "billing",
    "mobile", "printer", "latency", "backup", "import",
];

fn main() -> Result<()> {
    let args = Args::parse();
    if args.teams == 0 || args.agents < args.teams || args.rules == 0 || args.tickets == 0 {
        bail!("need at least one team, one agent per team, one rule and one ticket");
    }
    if args.concurrency.is_empty() || args.concurrency.contains(&0) {
        bail!("--concurrency needs levels above zero");
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(args: Args) -> Result<()> {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!("bench-assign {}", env!("CARGO_PKG_VERSION"));
    println!(
        "machine: {cores} cores ({} {})",
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    println!(
        "build:   {}",
        if cfg!(debug_assertions) {
            "debug (figures are not representative; use --release)"
        } else {
            "release"
        }
    );
    println!(
        "plan:    {} agents in {} teams, {} rules{}, {} tickets per level, concurrency {:?}",
        args.agents,
        args.teams,
        args.rules,
        if args.no_crm_rule {
            ""
        } else {
            " (+1 VIP rule first, reading CRM attributes)"
        },
        args.tickets,
        args.concurrency
    );
    pure_decisions(&args);
    let backends = match args.backend {
        BackendChoice::Sqlite => vec!["sqlite"],
        BackendChoice::Postgres => vec!["postgres"],
        BackendChoice::Both => vec!["sqlite", "postgres"],
    };
    for backend in backends {
        println!();
        println!("== {backend} ==");
        let Some(scratch) = bench_support::create(backend == "postgres", "cbassign").await? else {
            continue;
        };
        let result = bench_backend(&scratch.url, &args).await;
        scratch.finish(args.keep).await;
        result?;
    }
    Ok(())
}

/// The decision alone: 20 rules, a team of ten, no database.
fn pure_decisions(args: &Args) {
    let teams: Vec<Team> = (0..args.teams as i64)
        .map(|i| Team {
            id: i + 1,
            name: format!("Team {i}"),
            active: true,
            is_default: i == 0,
        })
        .collect();
    let rules: Vec<Rule> = (0..args.rules)
        .map(|i| Rule {
            id: i as i64 + 1,
            name: format!("Rule {i}"),
            conditions: Conditions {
                keywords: vec![KEYWORDS[i % KEYWORDS.len()].into()],
                ..Default::default()
            },
            team_id: Some((i % args.teams) as i64 + 1),
            set_priority: None,
            tags: vec![KEYWORDS[i % KEYWORDS.len()].into()],
            required_skill: (i % 4 == 3).then(|| format!("skill{}", i % 3)),
        })
        .collect();
    let members: Vec<Candidate> = (0..10)
        .map(|i| Candidate {
            agent_id: i,
            name: format!("Agent {i}"),
            availability: if i % 5 == 4 {
                "away".into()
            } else {
                "online".into()
            },
            capacity: 40,
            open: (i * 7) % 30,
            last_assigned_at: Some(i * 1000),
            skills: vec![format!("skill{}", i % 3)],
        })
        .collect();
    let started = Instant::now();
    let mut assigned = 0usize;
    for n in 0..args.decisions {
        let kw = KEYWORDS[n % KEYWORDS.len()];
        let facts = TicketFacts {
            channel: "email".into(),
            mailbox: None,
            subject: format!("Question about {kw} #{n}"),
            body: "Hello, I have a question about my account and would like some help please."
                .into(),
            priority: Priority::Normal,
            customer: None,
        };
        let routing = decide::route(&facts, &rules, &teams);
        let choice = decide::choose(&members, routing.required_skill.as_deref(), None);
        let why = decide::explain(
            routing.note(),
            routing.team.as_ref().map(|t| t.name.as_str()),
            Some(&choice),
        );
        assigned += usize::from(choice.chosen.is_some() && !why.english().is_empty());
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "pure decision (route + choose + explain, {} rules, team of 10): {} in {:.2} s = {:.0} decisions/s ({} assigned)",
        args.rules,
        args.decisions,
        secs,
        args.decisions as f64 / secs,
        assigned
    );
}

async fn bench_backend(url: &str, args: &Args) -> Result<()> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let now = SystemClock.now_ms();
    let setup = Instant::now();
    let admin_agent = AgentRef {
        id: 0,
        email: "bench".into(),
        name: "bench".into(),
        role: Role::Admin,
        unread_notifications: 0,
        locale: None,
    };
    // Agents are inserted directly: password hashing is not what is measured here.
    let per_level_capacity = (args.tickets * 3 / 2).div_ceil(args.agents) as i64;
    let mut agent_ids = Vec::new();
    for i in 0..args.agents {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO agent (email, name, role, password_hash, active, created_at, updated_at)
             VALUES ($1, $2, 'agent', 'x', 1, $3, $3) RETURNING agent_id",
        )
        .bind(format!("agent{i}@bench.test"))
        .bind(format!("Agent {i}"))
        .bind(now)
        .fetch_one(&db.pool)
        .await?;
        let patch = AgentPatch {
            capacity: Some(per_level_capacity),
            availability: Some(if i % 10 == 9 { "away" } else { "online" }.into()),
            skills: Some(vec![format!("skill{}", i % 3)]),
            ..Default::default()
        };
        admin::patch_agent(&db, &admin_agent, id, patch, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        agent_ids.push(id);
    }
    let mut team_ids = Vec::new();
    for t in 0..args.teams {
        let members: Vec<i64> = agent_ids
            .iter()
            .copied()
            .skip(t)
            .step_by(args.teams)
            .collect();
        let patch = TeamPatch {
            name: Some(format!("Team {t}")),
            is_default: Some(t == 0),
            members: Some(members),
            ..Default::default()
        };
        team_ids.push(
            admin::create_team(&db, patch, now)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
    }
    let vip = RulePatch {
        name: Some("VIP customers".into()),
        conditions: Some(Conditions {
            vip: Some(true),
            ..Default::default()
        }),
        team_id: Some(Some(team_ids[0])),
        set_priority: Some(Some("high".into())),
        ..Default::default()
    };
    admin::create_rule(&db, vip, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for i in 0..args.rules {
        let kw = KEYWORDS[i % KEYWORDS.len()];
        let patch = RulePatch {
            name: Some(format!("Rule {i}: {kw}")),
            conditions: Some(Conditions {
                keywords: vec![kw.into()],
                ..Default::default()
            }),
            team_id: Some(Some(team_ids[i % args.teams])),
            set_priority: Some((i % 5 == 0).then(|| "high".to_string())),
            tags: Some(vec![kw.into()]),
            required_skill: Some((i % 4 == 3).then(|| format!("skill{}", i % 3))),
            ..Default::default()
        };
        admin::create_rule(&db, patch, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    // The outbox is not run here: the ticket.created jobs the intake writes are left alone.
    println!(
        "setup: {} agents, {} teams, {} rules in {:.1} s",
        args.agents,
        args.teams,
        args.rules + usize::from(!args.no_crm_rule),
        setup.elapsed().as_secs_f64()
    );

    for &concurrency in &args.concurrency {
        let created = Instant::now();
        let ids = create_tickets(&db, args.tickets, 8).await?;
        println!(
            "level {concurrency}: created {} tickets through intake in {:.1} s (not measured)",
            ids.len(),
            created.elapsed().as_secs_f64()
        );
        let ids = Arc::new(ids);
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (db, ids, next) = (db.clone(), ids.clone(), next.clone());
            tasks.push(tokio::spawn(async move {
                let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
                let (mut assigned, mut waiting) = (0usize, 0usize);
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&id) = ids.get(i) else { break };
                    let t0 = Instant::now();
                    let mut tx = db.begin().await?;
                    let outcome =
                        assign_ticket(&mut tx, id, &Trigger::Created, SystemClock.now_ms())
                            .await
                            .map_err(|e| anyhow::anyhow!("{e}"))?;
                    tx.commit().await?;
                    hist.record(t0.elapsed().as_micros().max(1) as u64).ok();
                    match outcome {
                        Outcome::Assigned { .. } => assigned += 1,
                        _ => waiting += 1,
                    }
                }
                anyhow::Ok((hist, assigned, waiting))
            }));
        }
        let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
        let (mut assigned, mut waiting) = (0, 0);
        for t in tasks {
            let (h, a, w) = t.await??;
            hist.add(h).ok();
            assigned += a;
            waiting += w;
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "level {concurrency}: assigned {assigned}, waiting {waiting} in {secs:.2} s = {:.0} tickets/s; per ticket p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
            ids.len() as f64 / secs,
            hist.value_at_quantile(0.50) as f64 / 1000.0,
            hist.value_at_quantile(0.95) as f64 / 1000.0,
            hist.value_at_quantile(0.99) as f64 / 1000.0,
        );
        let doubled: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ticket t WHERE (SELECT COUNT(*) FROM ticket_event e WHERE e.ticket_id = t.ticket_id AND e.kind = 'assigned') > 1",
        )
        .fetch_one(&db.pool)
        .await?;
        let over: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM agent a WHERE (SELECT COUNT(*) FROM ticket t WHERE t.assignee_id = a.agent_id AND t.status IN ('new','open','pending')) > a.capacity",
        )
        .fetch_one(&db.pool)
        .await?;
        println!(
            "level {concurrency}: check: {doubled} tickets assigned twice, {over} agents over capacity"
        );
        // Next level starts from empty queues.
        sqlx::query("UPDATE ticket SET status = 'solved' WHERE status IN ('new','open','pending')")
            .execute(&db.pool)
            .await?;
    }
    db.pool.close().await;
    Ok(())
}

async fn create_tickets(db: &Db, n: usize, tasks: usize) -> Result<Vec<i64>> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let (db, next) = (db.clone(), next.clone());
        handles.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= n {
                    break;
                }
                let kw = KEYWORDS[(i * 7) % KEYWORDS.len()];
                let subject = if i % 10 == 0 {
                    format!("Hello #{i}")
                } else {
                    format!("Question about {kw} #{i}")
                };
                let inbound = NewInbound {
                    channel: Channel::Email,
                    from: casebook::intake::Sender::Email(
                        EmailAddress::parse(&format!("c{}@bench.example", i % 300))
                            .map_err(|e| anyhow::anyhow!(e))?,
                    ),
                    from_name: None,
                    subject,
                    body_text:
                        "Hello, I have a question about my account and would like some help please."
                            .into(),
                    body_html: None,
                    attachments: vec![],
                    idempotency: None,
                    ticket_id: None,
                    priority: Some(Priority::Normal),
                    issue_link: false,
                    language: Default::default(),
                    email: None,
                    gateway: None,
                };
                let out = intake::receive(&db, &inbound, SystemClock.now_ms())
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                ids.push(out.ticket_id);
            }
            anyhow::Ok(ids)
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await??);
    }
    all.sort();
    Ok(all)
}
