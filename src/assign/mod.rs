//! Auto-assignment: routing rules pick a team, the skill match and load-aware round-robin pick an
//! agent, and the reason is written to the ticket's audit log. Runs from outbox jobs in the job's
//! transaction: `ticket.created`, `ticket.assign` (reopen, unassign, escalation, a deactivated
//! agent's tickets) and `team.assign_waiting` (capacity freed or someone became available).

pub mod admin;
pub mod decide;

use crate::db::Tx;
use crate::domain::clock::Millis;
use crate::domain::{Priority, Status};
use crate::error::{AppError, AppResult};
use crate::i18n::{Note, Part};
use crate::outbox;
use crate::tickets::{self, Actor, EventRecord};
use decide::{Candidate, Conditions, Routing, Rule, Team, TicketFacts};
use sqlx::{AssertSqlSafe, Row};

/// (Re)run auto-assignment for one ticket within its current team.
pub const JOB_ASSIGN: &str = "ticket.assign";
/// Assign a team's waiting tickets, oldest first, while someone has room.
pub const JOB_WAITING: &str = "team.assign_waiting";
/// Waiting tickets handled by one `team.assign_waiting` job; the rest go to a follow-up job.
const WAITING_BATCH: i64 = 200;

const ACTIVE: &str = "('new','open','pending')";

/// The row lock of team and agent rows (PostgreSQL; SQLite's single writer already serialises
/// the transaction). `NO KEY UPDATE`: assigning a ticket takes a key-share lock on its team and
/// agent rows (the foreign keys), which a plain `FOR UPDATE` would conflict with — two
/// transactions would then deadlock. This lock still excludes every other assignment to the same
/// team or agent.
fn for_update(tx: &Tx) -> &'static str {
    tx.backend().for_no_key_update()
}

/// What started an assignment run.
#[derive(Debug, Clone)]
pub enum Trigger {
    /// A new ticket: route it by the rules, then assign it (unless someone already took it).
    Created,
    /// A `ticket.assign` job: assign within the ticket's team (routing only when it has none).
    Job {
        reason: String,
        exclude_agent_id: Option<i64>,
    },
}

/// What an assignment run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Assigned { agent_id: i64, why: String },
    Waiting { why: String },
    Skipped { why: String },
}

async fn load_rules(tx: &mut Tx) -> AppResult<Vec<Rule>> {
    let rows = sqlx::query(
        "SELECT routing_rule_id, name, conditions, team_id, set_priority, tags, required_skill
         FROM routing_rule WHERE active = 1 ORDER BY position, routing_rule_id",
    )
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            let conditions: String = r.try_get("conditions")?;
            let tags: String = r.try_get("tags")?;
            let set_priority: Option<String> = r.try_get("set_priority")?;
            Ok(Rule {
                id: r.try_get("routing_rule_id")?,
                name: r.try_get("name")?,
                // A rule stored by an older or newer version that cannot be read never matches.
                conditions: serde_json::from_str(&conditions).unwrap_or_else(|_| Conditions {
                    channel: vec!["(unreadable)".into()],
                    ..Default::default()
                }),
                team_id: r.try_get("team_id")?,
                set_priority: set_priority.and_then(|p| p.parse::<Priority>().ok()),
                tags: serde_json::from_str(&tags).unwrap_or_default(),
                required_skill: r.try_get("required_skill")?,
            })
        })
        .collect()
}

async fn load_teams(tx: &mut Tx) -> AppResult<Vec<Team>> {
    let rows = sqlx::query("SELECT team_id, name, active, is_default FROM team ORDER BY team_id")
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Team {
                id: r.try_get("team_id")?,
                name: r.try_get("name")?,
                active: r.try_get::<i64, _>("active")? == 1,
                is_default: r.try_get::<i64, _>("is_default")? == 1,
            })
        })
        .collect()
}

/// What an "online" agent outside their working hours counts as.
pub const OFF_HOURS: &str = "off hours";

/// An agent's active tickets, counted up to one past `capacity`: past it the agent takes no
/// more, so an agent holding thousands costs no more to check than one at the limit.
async fn open_tickets(tx: &mut Tx, agent_id: i64, capacity: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM ticket WHERE assignee_id = $1 AND status IN {ACTIVE} LIMIT $2) x"
    )))
    .bind(agent_id)
    .bind(capacity.max(0) + 1)
    .fetch_one(&mut **tx)
    .await?)
}

/// The active members of a team with their load, for the round-robin. An online member whose
/// working hours (a calendar) are closed at `now` counts as [`OFF_HOURS`].
async fn load_members(tx: &mut Tx, team_id: i64, now: Millis) -> AppResult<Vec<Candidate>> {
    // Each member's active tickets, counted up to one past the team's largest capacity (one
    // statement; the limit cannot name the member's own capacity in SQLite): see
    // [`open_tickets`].
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT a.agent_id, a.name, a.availability, a.capacity, a.last_assigned_at, a.working_calendar_id,
            (SELECT COUNT(*) FROM (SELECT 1 FROM ticket t WHERE t.assignee_id = a.agent_id AND t.status IN {ACTIVE}
                LIMIT (SELECT MAX(b.capacity) + 1 FROM team_member n JOIN agent b ON b.agent_id = n.agent_id
                       WHERE n.team_id = $1 AND b.active = 1)) x) AS open_count
         FROM team_member m JOIN agent a ON a.agent_id = m.agent_id
         WHERE m.team_id = $1 AND a.active = 1 ORDER BY a.agent_id"
    )))
    .bind(team_id)
    .fetch_all(&mut **tx)
    .await?;
    let skills = sqlx::query(
        "SELECT s.agent_id, s.skill FROM agent_skill s JOIN team_member m ON m.agent_id = s.agent_id
         WHERE m.team_id = $1 ORDER BY s.skill",
    )
    .bind(team_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut open_now: std::collections::HashMap<i64, bool> = std::collections::HashMap::new();
    for r in &rows {
        let id: i64 = r.try_get("agent_id")?;
        let mut availability: String = r.try_get("availability")?;
        if let Some(cal) = r.try_get::<Option<i64>, _>("working_calendar_id")?
            && availability == "online"
        {
            let open = match open_now.get(&cal) {
                Some(open) => *open,
                None => {
                    // A calendar that cannot be read does not keep anyone from work.
                    let open = match crate::sla::store::get_calendar(tx, cal).await {
                        Ok(c) => c
                            .business()
                            .map(|b| crate::sla::is_open(&b, now))
                            .unwrap_or(true),
                        Err(_) => true,
                    };
                    open_now.insert(cal, open);
                    open
                }
            };
            if !open {
                availability = OFF_HOURS.into();
            }
        }
        let mut agent_skills = Vec::new();
        for s in &skills {
            if s.try_get::<i64, _>("agent_id")? == id {
                agent_skills.push(s.try_get("skill")?);
            }
        }
        let capacity: i64 = r.try_get("capacity")?;
        out.push(Candidate {
            agent_id: id,
            name: r.try_get("name")?,
            availability,
            capacity,
            open: r.try_get::<i64, _>("open_count")?.min(capacity.max(0) + 1),
            last_assigned_at: r.try_get("last_assigned_at")?,
            skills: agent_skills,
        });
    }
    Ok(out)
}

struct TicketRow {
    status: Status,
    priority: Priority,
    channel: String,
    subject: String,
    customer_id: i64,
    team_id: Option<i64>,
    assignee_active: Option<bool>,
    required_skill: Option<String>,
}

async fn load_ticket(tx: &mut Tx, ticket_id: i64, lock: bool) -> AppResult<TicketRow> {
    let lock = if lock { for_update(tx) } else { "" };
    let r = sqlx::query(AssertSqlSafe(format!(
        "SELECT t.status, t.priority, t.channel, t.subject, t.customer_id, t.team_id, t.required_skill,
            (SELECT a.active FROM agent a WHERE a.agent_id = t.assignee_id) AS assignee_active
         FROM ticket t WHERE t.ticket_id = $1 {lock}"
    )))
    .bind(ticket_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound("ticket"))?;
    let parse = |col: &str| -> AppResult<String> { Ok(r.try_get::<String, _>(col)?) };
    Ok(TicketRow {
        status: parse("status")?
            .parse()
            .map_err(|e: String| AppError::Internal(anyhow::anyhow!(e)))?,
        priority: parse("priority")?
            .parse()
            .map_err(|e: String| AppError::Internal(anyhow::anyhow!(e)))?,
        channel: parse("channel")?,
        subject: parse("subject")?,
        customer_id: r.try_get("customer_id")?,
        team_id: r.try_get("team_id")?,
        assignee_active: r
            .try_get::<Option<i64>, _>("assignee_active")?
            .map(|a| a == 1),
        required_skill: r.try_get("required_skill")?,
    })
}

/// Routes a ticket by the rules and stores the result: team, rule, required skill, tags and
/// priority (the priority change is logged like any other).
async fn apply_routing(
    tx: &mut Tx,
    edit: &mut tickets::commands::Edit,
    t: &TicketRow,
    now: Millis,
) -> AppResult<Routing> {
    let ticket_id = edit.ticket_id;
    let rules = load_rules(tx).await?;
    let teams = load_teams(tx).await?;
    let first = sqlx::query(
        "SELECT m.body_text, r.mailbox FROM message m LEFT JOIN raw_email r ON r.raw_email_id = m.raw_email_id
         WHERE m.ticket_id = $1 AND m.author_kind = 'customer' ORDER BY m.message_id LIMIT 1",
    )
    .bind(ticket_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (body, mailbox) = match &first {
        Some(r) => (r.try_get("body_text")?, r.try_get("mailbox")?),
        None => (String::new(), None),
    };
    let customer = if rules.iter().any(|r| r.conditions.uses_customer()) {
        Some(crate::customers::crm::attributes(tx, t.customer_id, now).await?)
    } else {
        None
    };
    let facts = TicketFacts {
        channel: t.channel.clone(),
        mailbox,
        subject: t.subject.clone(),
        body,
        priority: t.priority,
        customer,
    };
    let routing = decide::route(&facts, &rules, &teams);
    edit.set_routing(
        tx,
        routing.team.as_ref().map(|t| t.id),
        routing.rule.as_ref().map(|r| r.0),
        routing.required_skill.as_deref(),
    )
    .await?;
    edit.add_tags(tx, &routing.tags).await?;
    if let Some(p) = routing.set_priority {
        let detail = routing.rule.as_ref().map(|r| format!("rule '{}'", r.1));
        edit.set_priority(tx, p, detail.as_deref()).await?;
    }
    Ok(routing)
}

async fn event(tx: &mut Tx, ticket_id: i64, kind: &str, why: &Note, now: Millis) -> AppResult<()> {
    let detail = why.english();
    tickets::record_event(
        tx,
        Actor::System,
        EventRecord {
            ticket_id,
            kind,
            old: None,
            new: None,
            detail: Some(&detail),
            note: Some(why),
        },
        now,
    )
    .await
}

/// Why assignment ran, as recorded in a job ("reopened", "ticket #12 was solved"), in words each
/// reader's language has.
fn reason_part(reason: &str) -> Part {
    let id = match reason {
        "new ticket" => "assign-reason-new",
        "requested" => "assign-reason-requested",
        "someone became available" => "assign-reason-available",
        "an agent became available" => "assign-reason-agent-available",
        "reopened" => "assign-reason-reopened",
        "unassigned by an agent" => "assign-reason-unassigned",
        "its team was deactivated" => "assign-reason-team-deactivated",
        "the previous assignee was deactivated" => "assign-reason-assignee-deactivated",
        "working hours may have begun" => "assign-reason-hours",
        "an agent joined the team" => "assign-reason-joined",
        "the team was activated" => "assign-reason-team-activated",
        other => {
            if let Some(label) = other.strip_prefix("SLA breach: ") {
                let clock = match label {
                    "First response" => note!("sla-metric-first-response"),
                    "Next response" => note!("sla-metric-next-response"),
                    "Resolution" => note!("sla-metric-resolution"),
                    _ => return Part::from(other),
                };
                return note!("assign-reason-sla-breach", clock = clock).into();
            }
            let ticket = other
                .strip_prefix("ticket #")
                .and_then(|rest| rest.split_once(" was "));
            return match ticket {
                Some((id, "reassigned")) => note!("assign-reason-reassigned", ticket = id).into(),
                Some((id, status)) if status.parse::<Status>().is_ok() => note!(
                    "assign-reason-ticket-status",
                    ticket = id,
                    status = Note::new(&format!("status-{status}"))
                )
                .into(),
                _ => Part::from(other),
            };
        }
    };
    Note::new(id).into()
}

/// How [`lock_team`] holds the team row (PostgreSQL).
#[derive(Clone, Copy, PartialEq, Eq)]
enum TeamLock {
    /// One ticket's assignment: shared with the team's other assignments, which run side by
    /// side (each agent's free slots are guarded by the agent's own row lock, see
    /// [`choose_and_take`]). It keeps the team from being changed or deactivated meanwhile, and
    /// waits for a run over the team's waiting tickets.
    Shared,
    /// A run over the team's waiting tickets: alone, so the oldest waiting tickets are given
    /// the free slots before a newer ticket can take one.
    Exclusive,
}

/// Locks the team row (PostgreSQL) for an assignment, see [`TeamLock`].
async fn lock_team(tx: &mut Tx, team_id: i64, mode: TeamLock) -> AppResult<Option<Team>> {
    let lock = match mode {
        TeamLock::Shared => tx.backend().for_share(),
        TeamLock::Exclusive => for_update(tx),
    };
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT team_id, name, active, is_default FROM team WHERE team_id = $1 {lock}"
    )))
    .bind(team_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        Ok(Team {
            id: r.try_get("team_id")?,
            name: r.try_get("name")?,
            active: r.try_get::<i64, _>("active")? == 1,
            is_default: r.try_get::<i64, _>("is_default")? == 1,
        })
    })
    .transpose()
}

/// Chooses among `members` and takes the chosen agent: their row is locked and their open
/// tickets counted again, so two transactions never both fill an agent's last free slot. An agent
/// who turns out to be full (or no longer online) is set aside and the choice is made again.
///
/// Assignments within a team run side by side, so each look at an agent is a savepoint: an agent
/// set aside is let go at once (rolling back to the savepoint releases the row lock on
/// PostgreSQL). A transaction thus holds at most the one agent it keeps, and two assignments
/// never wait for each other's agents in a circle.
async fn choose_and_take(
    tx: &mut Tx,
    members: &mut [Candidate],
    skill: Option<&str>,
    exclude: Option<i64>,
) -> AppResult<decide::Choice> {
    let mut choice = decide::choose(members, skill, exclude);
    for tries in 0..=members.len() * 2 {
        let Some(chosen_id) = choice.chosen.as_ref().map(|c| c.agent_id) else {
            return Ok(choice);
        };
        sqlx::query("SAVEPOINT assign_agent")
            .execute(&mut **tx)
            .await?;
        let lock = for_update(tx);
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT active, availability, capacity, last_assigned_at FROM agent WHERE agent_id = $1 {lock}"
        )))
        .bind(chosen_id)
        .fetch_one(&mut **tx)
        .await?;
        let capacity: i64 = row.try_get("capacity")?;
        let open = open_tickets(tx, chosen_id, capacity).await?;
        if let Some(m) = members.iter_mut().find(|m| m.agent_id == chosen_id) {
            m.open = open;
            m.capacity = capacity;
            // Another assignment in the team may have just given them a ticket: the choice
            // made again spreads the team's tickets by their latest assignment.
            m.last_assigned_at = row.try_get("last_assigned_at")?;
            let now_availability: String = row.try_get("availability")?;
            m.availability = if row.try_get::<i64, _>("active")? != 1 {
                "off".into()
            } else if now_availability == "online" && m.availability == OFF_HOURS {
                OFF_HOURS.into()
            } else {
                now_availability
            };
        }
        let mut again = decide::choose(members, skill, exclude);
        // While the team's other assignments run, each fresh look at an agent can make another
        // one (seen earlier) look better. After a few such turns, an agent who still has room
        // keeps the ticket, so a busy team always makes progress.
        let eligible = again.available.iter().position(|c| c.agent_id == chosen_id);
        if tries >= 2
            && let Some(at) = eligible.filter(|at| *at > 0)
        {
            let kept = again.available.remove(at);
            again.tie = again.available.first().is_some_and(|o| o.open == kept.open);
            again.available.insert(0, kept.clone());
            again.chosen = Some(kept);
        }
        if again.chosen.as_ref().map(|c| c.agent_id) == Some(chosen_id) {
            sqlx::query("RELEASE SAVEPOINT assign_agent")
                .execute(&mut **tx)
                .await?;
            return Ok(again);
        }
        sqlx::query("ROLLBACK TO SAVEPOINT assign_agent")
            .execute(&mut **tx)
            .await?;
        sqlx::query("RELEASE SAVEPOINT assign_agent")
            .execute(&mut **tx)
            .await?;
        choice = again;
    }
    // Loads kept changing under us: wait for the next run rather than guess.
    choice.chosen = None;
    Ok(choice)
}

async fn take(
    tx: &mut Tx,
    edit: &mut tickets::commands::Edit,
    agent_id: i64,
    why: &Note,
    now: Millis,
) -> AppResult<()> {
    sqlx::query("UPDATE agent SET last_assigned_at = $1 WHERE agent_id = $2")
        .bind(now)
        .bind(agent_id)
        .execute(&mut **tx)
        .await?;
    edit.assign_automatically(tx, agent_id, why).await?;
    Ok(())
}

/// Runs assignment for one ticket in the caller's transaction (an outbox job's).
#[tracing::instrument(skip_all, fields(ticket_id))]
pub async fn assign_ticket(
    tx: &mut Tx,
    ticket_id: i64,
    trigger: &Trigger,
    now: Millis,
) -> AppResult<Outcome> {
    let mut edit: Option<tickets::commands::Edit> = None;
    let outcome = assign_within(tx, &mut edit, ticket_id, trigger, now).await?;
    if let Some(edit) = edit {
        edit.save(tx).await?;
    }
    Ok(outcome)
}

/// [`assign_ticket`] within an edit the caller saves (the new-ticket job also acknowledges the
/// ticket in the same change). `slot` holds the edit once the ticket was opened for writing.
pub async fn assign_within(
    tx: &mut Tx,
    slot: &mut Option<tickets::commands::Edit>,
    ticket_id: i64,
    trigger: &Trigger,
    now: Millis,
) -> AppResult<Outcome> {
    let created = matches!(trigger, Trigger::Created);
    let (reason, exclude) = match trigger {
        Trigger::Created => ("new ticket", None),
        Trigger::Job {
            reason,
            exclude_agent_id,
        } => (reason.as_str(), *exclude_agent_id),
    };
    let t = load_ticket(tx, ticket_id, false).await?;
    if !created && (!t.status.is_active() || t.assignee_active == Some(true)) {
        // Nothing to do: solved meanwhile, or someone has it (the job's contract).
        return Ok(Outcome::Skipped {
            why: format!("{reason}: already assigned or not open"),
        });
    }
    let edit = slot.insert(
        tickets::commands::open(tx, ticket_id, Actor::System, tickets::Expect::Any, now).await?,
    );
    let current_team = match t.team_id {
        Some(id) if !created => load_teams(tx)
            .await?
            .into_iter()
            .find(|x| x.id == id && x.active),
        _ => None,
    };
    let mut routed = false;
    let (team, skill, routing_text) = match current_team {
        Some(team) if !created => {
            let text = note!(
                "assign-route-kept",
                team = &team.name,
                reason = reason_part(reason)
            );
            (Some(team), t.required_skill.clone(), text)
        }
        _ => {
            routed = true;
            let r = apply_routing(tx, edit, &t, now).await?;
            let mut text = r.note();
            if !created {
                text = note!(
                    "assign-route-because",
                    routing = text,
                    reason = reason_part(reason)
                );
            }
            (r.team, r.required_skill, text)
        }
    };
    let skip = if !t.status.is_active() {
        Some(note!(
            "assign-skip-status",
            routing = routing_text.clone(),
            status = Note::new(&format!("status-{}", t.status))
        ))
    } else if t.assignee_active == Some(true) {
        Some(note!(
            "assign-skip-assigned",
            routing = routing_text.clone()
        ))
    } else {
        None
    };
    if let Some(why) = skip {
        if routed {
            event(tx, ticket_id, "routed", &why, now).await?;
        }
        return Ok(Outcome::Skipped { why: why.english() });
    }
    let Some(team) = team else {
        let why = decide::explain(routing_text, None, None);
        event(tx, ticket_id, "routed", &why, now).await?;
        return Ok(Outcome::Waiting { why: why.english() });
    };
    // The job holds its ticket; then the team (shared), then the chosen agent. A run over the
    // team's waiting tickets holds the team alone and skips tickets held by jobs, so the two
    // never wait on each other in a circle.
    let team = lock_team(tx, team.id, TeamLock::Shared)
        .await?
        .filter(|t| t.active);
    let Some(team) = team else {
        let why = decide::explain(
            note!("assign-route-deactivated", routing = routing_text),
            None,
            None,
        );
        event(tx, ticket_id, "routed", &why, now).await?;
        return Ok(Outcome::Waiting { why: why.english() });
    };
    let locked = load_ticket(tx, ticket_id, true).await?;
    if locked.assignee_active == Some(true) || !locked.status.is_active() {
        let why = note!("assign-skip-meanwhile", routing = routing_text);
        if routed {
            event(tx, ticket_id, "routed", &why, now).await?;
        }
        return Ok(Outcome::Skipped { why: why.english() });
    }
    let mut members = load_members(tx, team.id, now).await?;
    let choice = choose_and_take(tx, &mut members, skill.as_deref(), exclude).await?;
    let why = decide::explain(routing_text.clone(), Some(&team.name), Some(&choice));
    match &choice.chosen {
        Some(agent) => {
            if created {
                event(tx, ticket_id, "routed", &routing_text, now).await?;
            }
            take(tx, edit, agent.agent_id, &why, now).await?;
            Ok(Outcome::Assigned {
                agent_id: agent.agent_id,
                why: why.english(),
            })
        }
        None => {
            if locked.assignee_active == Some(false) {
                // Assigned to someone who has left: the ticket waits in the team's queue.
                edit.clear_departed_assignee(tx).await?;
            }
            event(tx, ticket_id, "routed", &why, now).await?;
            Ok(Outcome::Waiting { why: why.english() })
        }
    }
}

/// Assigns a team's waiting tickets, oldest first, while someone is available. Tickets that
/// another transaction holds are left for the next run. Returns how many were assigned.
#[tracing::instrument(skip_all, fields(team_id))]
pub async fn assign_waiting(
    tx: &mut Tx,
    team_id: i64,
    reason: &str,
    now: Millis,
) -> AppResult<usize> {
    let Some(team) = lock_team(tx, team_id, TeamLock::Exclusive)
        .await?
        .filter(|t| t.active)
    else {
        return Ok(0);
    };
    let skip_locked = tx.backend().for_no_key_update_skip_locked();
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT ticket_id, required_skill FROM ticket
         WHERE team_id = $1 AND assignee_id IS NULL AND status IN {ACTIVE}
         ORDER BY created_at, ticket_id LIMIT $2 {skip_locked}"
    )))
    .bind(team_id)
    .bind(WAITING_BATCH)
    .fetch_all(&mut **tx)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut members = load_members(tx, team_id, now).await?;
    let mut assigned = 0;
    for r in &rows {
        let ticket_id: i64 = r.try_get("ticket_id")?;
        let skill: Option<String> = r.try_get("required_skill")?;
        if decide::choose(&members, None, None).chosen.is_none() {
            break;
        }
        let choice = choose_and_take(tx, &mut members, skill.as_deref(), None).await?;
        let Some(agent) = choice.chosen.clone() else {
            continue;
        };
        let routing = note!(
            "assign-route-waited",
            team = &team.name,
            reason = reason_part(reason)
        );
        let why = decide::explain(routing, Some(&team.name), Some(&choice));
        let mut edit =
            tickets::commands::open(tx, ticket_id, Actor::System, tickets::Expect::Any, now)
                .await?;
        take(tx, &mut edit, agent.agent_id, &why, now).await?;
        edit.save(tx).await?;
        if let Some(m) = members.iter_mut().find(|m| m.agent_id == agent.agent_id) {
            m.open += 1;
            m.last_assigned_at = Some(now);
        }
        assigned += 1;
    }
    if rows.len() as i64 == WAITING_BATCH && assigned > 0 {
        enqueue_waiting(tx, team_id, reason, now).await?;
    }
    Ok(assigned)
}

pub async fn enqueue_assign(
    tx: &mut Tx,
    ticket_id: i64,
    reason: &str,
    exclude_agent_id: Option<i64>,
    now: Millis,
) -> AppResult<()> {
    let job = outbox::Job::Assign {
        ticket_id,
        reason: reason.to_string(),
        exclude_agent_id,
    };
    outbox::enqueue(tx, &job, now).await
}

pub async fn enqueue_waiting(
    tx: &mut Tx,
    team_id: i64,
    reason: &str,
    now: Millis,
) -> AppResult<()> {
    let job = outbox::Job::AssignWaiting {
        team_id,
        reason: reason.to_string(),
    };
    outbox::enqueue(tx, &job, now).await
}

/// Working hours begin without anyone changing anything: queue a run for every team with
/// tickets waiting and a member who keeps working hours (unless one is already queued); every
/// other way someone becomes available queues its own run. Runs every minute in `serve`.
pub async fn wake_waiting(db: &crate::db::Db, now: Millis) -> AppResult<usize> {
    let teams: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT tm.team_id FROM team tm WHERE tm.active = 1 AND EXISTS (
            SELECT 1 FROM ticket t WHERE t.team_id = tm.team_id AND t.assignee_id IS NULL AND t.status IN {ACTIVE})
           AND EXISTS (SELECT 1 FROM team_member m JOIN agent a ON a.agent_id = m.agent_id
            WHERE m.team_id = tm.team_id AND a.active = 1 AND a.working_calendar_id IS NOT NULL)
         ORDER BY tm.team_id"
    )))
    .fetch_all(&db.pool)
    .await?;
    let mut queued = 0;
    for team_id in teams {
        let mut tx = db.begin().await?;
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE kind = $1 AND done_at IS NULL AND failed_at IS NULL
               AND (payload LIKE $2 OR payload LIKE $3)",
        )
        .bind(JOB_WAITING)
        .bind(format!("%\"team_id\":{team_id},%"))
        .bind(format!("%\"team_id\":{team_id}}}%"))
        .fetch_one(&mut *tx)
        .await?;
        if pending == 0 {
            enqueue_waiting(&mut tx, team_id, "working hours may have begun", now).await?;
            queued += 1;
        }
        tx.commit().await?;
    }
    Ok(queued)
}

/// Every minute, [`wake_waiting`]: tickets left waiting because everyone was outside their
/// working hours are assigned soon after someone's hours begin.
pub async fn run_waker(state: crate::state::AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        match wake_waiting(&state.db, state.clock.now_ms()).await {
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "waking waiting teams failed"),
        }
    }
}

/// Someone may have room or time now: queue a run for each of their teams that has tickets
/// waiting.
pub async fn agent_may_take_more(
    tx: &mut Tx,
    agent_id: i64,
    reason: &str,
    now: Millis,
) -> AppResult<()> {
    let teams: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT m.team_id FROM team_member m JOIN team tm ON tm.team_id = m.team_id
         WHERE m.agent_id = $1 AND tm.active = 1 AND EXISTS (
            SELECT 1 FROM ticket t WHERE t.team_id = m.team_id AND t.assignee_id IS NULL AND t.status IN {ACTIVE})
         ORDER BY m.team_id"
    )))
    .bind(agent_id)
    .fetch_all(&mut **tx)
    .await?;
    for team_id in teams {
        enqueue_waiting(tx, team_id, reason, now).await?;
    }
    Ok(())
}

/// Called by the ticket service when a ticket's status changes: solving frees the assignee's
/// capacity; reopening runs assignment again (a no-op while the assignee is still active).
pub async fn on_status_change(
    tx: &mut Tx,
    ticket_id: i64,
    from: Status,
    to: Status,
    now: Millis,
) -> AppResult<()> {
    if from.is_active() && !to.is_active() {
        let assignee: Option<i64> =
            sqlx::query_scalar("SELECT assignee_id FROM ticket WHERE ticket_id = $1")
                .bind(ticket_id)
                .fetch_one(&mut **tx)
                .await?;
        if let Some(agent_id) = assignee {
            agent_may_take_more(tx, agent_id, &format!("ticket #{ticket_id} was {to}"), now)
                .await?;
        }
    } else if !from.is_active() && to.is_active() {
        enqueue_assign(tx, ticket_id, "reopened", None, now).await?;
    }
    Ok(())
}

/// Called by the ticket service when an agent changes the assignee: the previous assignee has
/// room again, and an unassigned ticket is assigned again (to someone else).
pub async fn on_assignee_change(
    tx: &mut Tx,
    ticket_id: i64,
    old: Option<i64>,
    new: Option<i64>,
    now: Millis,
) -> AppResult<()> {
    // The unassigned ticket's own job comes first, so it is not handed straight back to the
    // agent who let go of it by the run for their team's waiting tickets.
    if new.is_none() {
        enqueue_assign(tx, ticket_id, "unassigned by an agent", old, now).await?;
    }
    if let Some(old) = old {
        agent_may_take_more(tx, old, &format!("ticket #{ticket_id} was reassigned"), now).await?;
    }
    Ok(())
}

/// Starts the transaction of a job about one ticket: the ticket row is locked first and the
/// clock read after that, so a change committed meanwhile (a reply, say) is neither missed nor
/// seen as lying in the future by the SLA clocks the job recomputes.
pub async fn begin_for_ticket(
    state: &crate::state::AppState,
    ticket_id: i64,
) -> anyhow::Result<(Tx, Millis)> {
    let mut tx = state.db.begin().await?;
    match tickets::repo::lock_ticket(&mut tx, ticket_id).await {
        Ok(_) | Err(AppError::NotFound(_)) => {}
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    }
    Ok((tx, state.clock.now_ms()))
}

/// The `ticket.assign` job: assign the ticket within its team (a deleted ticket is done).
pub async fn run_assign_job(
    state: &crate::state::AppState,
    job_id: i64,
    ticket_id: i64,
    reason: String,
    exclude_agent_id: Option<i64>,
) -> anyhow::Result<()> {
    let (mut tx, now) = begin_for_ticket(state, ticket_id).await?;
    let trigger = Trigger::Job {
        reason,
        exclude_agent_id,
    };
    match assign_ticket(&mut tx, ticket_id, &trigger, now).await {
        Ok(_) | Err(AppError::NotFound(_)) => {}
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    }
    outbox::finish(tx, job_id, now).await
}

/// The `team.assign_waiting` job.
pub async fn run_waiting_job(
    state: &crate::state::AppState,
    job_id: i64,
    team_id: i64,
    reason: &str,
) -> anyhow::Result<()> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin().await?;
    assign_waiting(&mut tx, team_id, reason, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    outbox::finish(tx, job_id, now).await
}
