//! Pages for assignment: teams, routing rules, agents' routing settings, one's own availability,
//! and the "why" shown beside a ticket's assignee.

use super::layout::{Frame, page};
use crate::assign::admin::{AgentSettings, RuleView, TeamView};
use crate::auth::AgentRef;
use crate::domain::{Channel, Priority, Role};
use crate::tickets::Event;
use maud::{Markup, html};

fn errors_box(errors: &[(String, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.flash role="alert" {
                @for (f, m) in errors { p.field-error { strong { (f) } " " (m) } }
            }
        }
    }
}

/// The latest automatic routing/assignment reason, unless an agent changed the assignee since.
pub fn assignment_note(events: &[Event]) -> Markup {
    let last = events
        .iter()
        .rev()
        .find(|e| matches!(e.kind.as_str(), "assigned" | "routed" | "assignee"));
    html! {
        @if let Some(e) = last.filter(|e| e.kind != "assignee") {
            @if let Some(d) = &e.detail { p.muted.small.why title="Why this ticket is where it is" { (d) } }
        }
    }
}

pub fn teams_page(
    agent: &AgentRef,
    csrf: &str,
    teams: &[TeamView],
    agents: &[AgentSettings],
    errors: &[(String, String)],
) -> Markup {
    let admin = agent.role == Role::Admin;
    let active_agents: Vec<&AgentSettings> = agents.iter().filter(|a| a.active).collect();
    page(
        &Frame {
            title: "Teams",
            agent: Some(agent),
            csrf,
        },
        html! {
            h1 { "Teams" }
            p.muted { "New tickets go to a team by the " a href="/admin/rules" { "routing rules" } "; tickets no rule matches go to the default team. Within a team, the online member with the fewest open tickets gets the next one." }
            (errors_box(errors))
            @for t in teams {
                section.card {
                    h2 {
                        (t.name)
                        @if t.is_default { " " span.badge { "default" } }
                        @if !t.active { " " span.badge { "inactive" } }
                    }
                    p.muted {
                        (t.members.len()) " members · "
                        a href={"/tickets?queue=unassigned&team=" (t.id)} { (t.waiting) " waiting for an agent" }
                    }
                    @if admin {
                        form method="post" action={"/admin/teams/" (t.id)} {
                            input type="hidden" name="csrf" value=(csrf);
                            label for={"name-" (t.id)} { "Name" }
                            input id={"name-" (t.id)} name="name" value=(t.name) required;
                            div.row {
                                label { input type="checkbox" name="active" value="1" checked[t.active]; " Active" }
                                label { input type="checkbox" name="is_default" value="1" checked[t.is_default]; " Default team" }
                            }
                            label for={"lead-" (t.id)} { "Lead" }
                            select id={"lead-" (t.id)} name="lead_agent_id" {
                                option value="" { "(none)" }
                                @for a in &active_agents { option value=(a.id) selected[Some(a.id) == t.lead_agent_id] { (a.name) } }
                            }
                            fieldset {
                                legend { "Members" }
                                @for a in &active_agents {
                                    label { input type="checkbox" name="members" value=(a.id) checked[t.members.iter().any(|m| m.id == a.id)]; " " (a.name) } " "
                                }
                            }
                            button type="submit" { "Save team" }
                        }
                    } @else {
                        p { @for (i, m) in t.members.iter().enumerate() { @if i > 0 { ", " } (m.name) } }
                    }
                }
            }
            @if admin {
                section.card.narrow {
                    h2 { "New team" }
                    form method="post" action="/admin/teams" {
                        input type="hidden" name="csrf" value=(csrf);
                        label for="new-team" { "Name" } input #new-team name="name" required;
                        button type="submit" { "Create team" }
                    }
                }
            }
        },
    )
}

fn list(v: &[String]) -> String {
    v.join(", ")
}

pub fn describe_conditions(r: &RuleView) -> String {
    let c = &r.conditions;
    let mut parts = Vec::new();
    let mut add = |label: &str, v: &[String]| {
        if !v.is_empty() {
            parts.push(format!("{label} {}", v.join(" or ")));
        }
    };
    add("channel", &c.channel);
    add("mailbox", &c.mailbox);
    add("plan", &c.plan);
    add("segment", &c.segment);
    add("words", &c.keywords);
    add("priority", &c.priority);
    if let Some(v) = c.vip {
        parts.push(if v { "VIP".into() } else { "not VIP".into() });
    }
    if let Some(v) = c.at_risk {
        parts.push(if v {
            "at risk".into()
        } else {
            "not at risk".into()
        });
    }
    if parts.is_empty() {
        "every ticket".into()
    } else {
        parts.join(" and ")
    }
}

pub fn rules_page(
    agent: &AgentRef,
    csrf: &str,
    rules: &[RuleView],
    teams: &[TeamView],
    errors: &[(String, String)],
) -> Markup {
    let admin = agent.role == Role::Admin;
    page(
        &Frame {
            title: "Routing rules",
            agent: Some(agent),
            csrf,
        },
        html! {
            h1 { "Routing rules" }
            p.muted { "Checked from the top; the first rule that matches a new ticket decides its team, priority, tags and required skill." }
            (errors_box(errors))
            table.tickets {
                thead { tr { th { "#" } th { "Rule" } th { "When" } th { "Then" } @if admin { th { "" } } } }
                tbody {
                    @for r in rules {
                        tr {
                            td { (r.position) }
                            td { (r.name) @if !r.active { " " span.badge { "off" } } }
                            td { (describe_conditions(r)) }
                            td {
                                @match (&r.team_name, r.team_id) {
                                    (Some(n), _) => { "team " (n) }
                                    (None, Some(id)) => { "team #" (id) " (deleted: default team)" }
                                    (None, None) => { "default team" }
                                }
                                @if let Some(p) = &r.set_priority { "; priority " (p) }
                                @if !r.tags.is_empty() { "; tags " (list(&r.tags)) }
                                @if let Some(s) = &r.required_skill { "; skill " (s) }
                            }
                            @if admin {
                                td {
                                    div.row {
                                        a href={"/admin/rules/" (r.id)} { "Edit" }
                                        form method="post" action={"/admin/rules/" (r.id) "/move"} {
                                            input type="hidden" name="csrf" value=(csrf);
                                            button.link type="submit" name="direction" value="up" aria-label={"Move " (r.name) " up"} { "↑" }
                                            button.link type="submit" name="direction" value="down" aria-label={"Move " (r.name) " down"} { "↓" }
                                        }
                                        form method="post" action={"/admin/rules/" (r.id) "/delete"} {
                                            input type="hidden" name="csrf" value=(csrf);
                                            button.link type="submit" { "Delete" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if admin {
                section.card.narrow {
                    h2 { "New rule" }
                    (rule_form(csrf, None, teams))
                }
            }
        },
    )
}

pub fn rule_edit_page(
    agent: &AgentRef,
    csrf: &str,
    rule: &RuleView,
    teams: &[TeamView],
    errors: &[(String, String)],
) -> Markup {
    let title = format!("Rule {}", rule.name);
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            p { a href="/admin/rules" { "← Routing rules" } }
            h1 { (title) }
            (errors_box(errors))
            section.card.narrow { (rule_form(csrf, Some(rule), teams)) }
        },
    )
}

fn rule_form(csrf: &str, r: Option<&RuleView>, teams: &[TeamView]) -> Markup {
    let action = match r {
        Some(r) => format!("/admin/rules/{}", r.id),
        None => "/admin/rules".into(),
    };
    let c = r.map(|r| r.conditions.clone()).unwrap_or_default();
    let tri = |v: Option<bool>| match v {
        None => "",
        Some(true) => "yes",
        Some(false) => "no",
    };
    html! {
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(csrf);
            label for="rule-name" { "Name" }
            input #rule-name name="name" required value=(r.map(|r| r.name.as_str()).unwrap_or(""));
            label { input type="checkbox" name="active" value="1" checked[r.is_none_or(|r| r.active)]; " Active" }
            fieldset {
                legend { "When (all that are filled in)" }
                p.muted.small { "Lists are comma-separated; any value matches." }
                div.row {
                    "Channel:"
                    @for ch in Channel::ALL { label { input type="checkbox" name="channel" value=(ch.as_str()) checked[c.channel.iter().any(|x| x == ch.as_str())]; " " (ch.as_str()) } }
                }
                div.row {
                    "Priority:"
                    @for p in Priority::ALL { label { input type="checkbox" name="priority" value=(p.as_str()) checked[c.priority.iter().any(|x| x == p.as_str())]; " " (p.as_str()) } }
                }
                label for="rule-keywords" { "Words in subject or message" }
                input #rule-keywords name="keywords" value=(list(&c.keywords));
                label for="rule-mailbox" { "Mailbox" }
                input #rule-mailbox name="mailbox" value=(list(&c.mailbox));
                label for="rule-plan" { "Customer plan" }
                input #rule-plan name="plan" value=(list(&c.plan));
                label for="rule-segment" { "Customer segment" }
                input #rule-segment name="segment" value=(list(&c.segment));
                div.row {
                    label for="rule-vip" { "VIP" }
                    select #rule-vip name="vip" {
                        @for (v, l) in [("", "either"), ("yes", "yes"), ("no", "no")] { option value=(v) selected[tri(c.vip) == v] { (l) } }
                    }
                    label for="rule-risk" { "At risk" }
                    select #rule-risk name="at_risk" {
                        @for (v, l) in [("", "either"), ("yes", "yes"), ("no", "no")] { option value=(v) selected[tri(c.at_risk) == v] { (l) } }
                    }
                }
            }
            fieldset {
                legend { "Then" }
                label for="rule-team" { "Team" }
                select #rule-team name="team_id" {
                    option value="" { "(default team)" }
                    @for t in teams { option value=(t.id) selected[r.and_then(|r| r.team_id) == Some(t.id)] { (t.name) @if !t.active { " (inactive)" } } }
                }
                label for="rule-priority" { "Set priority" }
                select #rule-priority name="set_priority" {
                    option value="" { "(keep)" }
                    @for p in Priority::ALL { option value=(p.as_str()) selected[r.and_then(|r| r.set_priority.as_deref()) == Some(p.as_str())] { (p.as_str()) } }
                }
                label for="rule-tags" { "Add tags" }
                input #rule-tags name="tags" value=(r.map(|r| list(&r.tags)).unwrap_or_default());
                label for="rule-skill" { "Required skill" }
                input #rule-skill name="required_skill" value=(r.and_then(|r| r.required_skill.as_deref()).unwrap_or(""));
            }
            button type="submit" { (if r.is_some() { "Save rule" } else { "Add rule" }) }
        }
    }
}

/// The routing part of the admin agents page: capacity, availability, skills, active.
pub fn agent_routing(csrf: &str, agents: &[AgentSettings], calendars: &[(i64, String)]) -> Markup {
    html! {
        section {
            h2 { "Routing" }
            p.muted { "Auto-assignment gives online agents new tickets up to their capacity (open tickets), within their working hours (an SLA calendar; none means always). Deactivating someone assigns their open tickets to others." }
            table.tickets {
                thead { tr { th { "Agent" } th { "Teams" } th { "Open" } th { "Capacity · availability · skills" } } }
                tbody {
                    @for a in agents {
                        tr {
                            td { (a.name) @if !a.active { " " span.badge { "inactive" } } }
                            td { (a.teams.join(", ")) }
                            td { (a.open) }
                            td {
                                form.row method="post" action={"/admin/agents/" (a.id) "/routing"} {
                                    input type="hidden" name="csrf" value=(csrf);
                                    input type="number" name="capacity" min="0" value=(a.capacity) aria-label={"Capacity of " (a.name)} size="4";
                                    select name="availability" aria-label={"Availability of " (a.name)} {
                                        @for v in ["online", "away", "off"] { option value=(v) selected[a.availability == v] { (v) } }
                                    }
                                    input name="skills" value=(a.skills.join(", ")) aria-label={"Skills of " (a.name)} placeholder="skills";
                                    select name="working_calendar" aria-label={"Working hours of " (a.name)} {
                                        option value="" selected[a.working_calendar_id.is_none()] { "always" }
                                        @for (id, name) in calendars {
                                            option value=(id) selected[a.working_calendar_id == Some(*id)] { (name) }
                                        }
                                    }
                                    label { input type="checkbox" name="active" value="1" checked[a.active]; " active" }
                                    button type="submit" { "Save" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn availability_page(agent: &AgentRef, csrf: &str, current: &str) -> Markup {
    page(
        &Frame {
            title: "Availability",
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { "Availability" }
                p { "You are " strong { (current) } ". Only online agents get new tickets automatically; your open tickets stay yours." }
                form method="post" action="/account/availability" {
                    input type="hidden" name="csrf" value=(csrf);
                    div.row {
                        @for v in ["online", "away", "off"] {
                            label { input type="radio" name="availability" value=(v) checked[current == v]; " " (v) }
                        }
                        button type="submit" { "Set" }
                    }
                }
            }
        },
    )
}
