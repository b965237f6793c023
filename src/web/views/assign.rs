//! Pages for assignment: teams, routing rules, agents' routing settings, one's own availability,
//! and the "why" shown beside a ticket's assignee.

use super::layout::{Frame, page};
use crate::assign::admin::{AgentSettings, RuleView, TeamView};
use crate::auth::AgentRef;
use crate::domain::{Channel, Priority, Role};
use crate::tickets::Event;
use maud::{Markup, html};

/// Where a message puts a link or other markup (`{ $link }` in the message): the sentence's word
/// order stays each language's own, and the markup goes where the translation placed it.
pub const LINK: &str = crate::i18n::SLOT[0];

/// `text` (a message rendered with `link = LINK`) with `part` in the placeholder's place.
pub fn splice(text: &str, part: Markup) -> Markup {
    crate::i18n::markup(text, &[part])
}

/// A second placeholder, for messages with two pieces of markup.
pub const LINK2: &str = crate::i18n::SLOT[1];

/// `text` (a message rendered with `LINK` and `LINK2`) with `first` and `second` in their places,
/// in whichever order the translation put them.
pub fn splice_two(text: &str, first: Markup, second: Markup) -> Markup {
    crate::i18n::markup(text, &[first, second])
}

/// `text` (a message rendered with `link = LINK`) with a link to `href` in its place.
pub fn with_link(text: &str, href: &str, link_text: &str) -> Markup {
    splice(text, html! { a href=(href) { (link_text) } })
}

/// A priority's name in the current language.
pub fn priority_name(p: Priority) -> String {
    crate::i18n::priority_name(p.as_str())
}

/// A stored priority value's name; an unknown value is shown as it is.
pub fn priority_text(v: &str) -> String {
    v.parse::<Priority>()
        .map(priority_name)
        .unwrap_or_else(|_| v.to_string())
}

/// A channel's name in the current language.
pub fn channel_name(c: Channel) -> String {
    crate::i18n::channel_name(c.as_str())
}

/// An availability (`online`, `away`, `off`) in the current language.
pub fn availability_name(v: &str) -> String {
    match v {
        "online" => t!("assign-availability-online"),
        "away" => t!("assign-availability-away"),
        "off" => t!("assign-availability-off"),
        other => other.to_string(),
    }
}

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
            @if let Some(d) = e.detail_text() { p.muted.small.why dir="auto" title=(t!("assign-why-title")) { (d) } }
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
    let title = t!("assign-teams-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            h1 { (title) }
            p.muted { (with_link(&t!("assign-teams-intro", link = LINK), "/admin/rules", &t!("assign-teams-intro-link"))) }
            (errors_box(errors))
            @for t in teams {
                section.card {
                    h2 {
                        bdi { (t.name) }
                        @if t.is_default { " " span.badge { (t!("assign-badge-default")) } }
                        @if !t.active { " " span.badge { (t!("assign-badge-inactive")) } }
                    }
                    p.muted {
                        (t!("assign-team-members", count = t.members.len())) " · "
                        a href={"/tickets?queue=unassigned&team=" (t.id)} { (t!("assign-team-waiting", count = t.waiting)) }
                    }
                    @if admin {
                        form method="post" action={"/admin/teams/" (t.id)} {
                            input type="hidden" name="csrf" value=(csrf);
                            label for={"name-" (t.id)} { (t!("assign-name")) }
                            input id={"name-" (t.id)} name="name" value=(t.name) dir="auto" required;
                            div.row {
                                label { input type="checkbox" name="active" value="1" checked[t.active]; " " (t!("assign-active")) }
                                label { input type="checkbox" name="is_default" value="1" checked[t.is_default]; " " (t!("assign-default-team")) }
                            }
                            label for={"lead-" (t.id)} { (t!("assign-lead")) }
                            select id={"lead-" (t.id)} name="lead_agent_id" {
                                option value="" { (t!("assign-none-option")) }
                                @for a in &active_agents { option value=(a.id) selected[Some(a.id) == t.lead_agent_id] dir="auto" { (a.name) } }
                            }
                            fieldset {
                                legend { (t!("assign-members")) }
                                @for a in &active_agents {
                                    label { input type="checkbox" name="members" value=(a.id) checked[t.members.iter().any(|m| m.id == a.id)]; " " bdi { (a.name) } } " "
                                }
                            }
                            button type="submit" { (t!("assign-save-team")) }
                        }
                    } @else {
                        p { @for (i, m) in t.members.iter().enumerate() { @if i > 0 { (t!("list-separator")) } bdi { (m.name) } } }
                    }
                }
            }
            @if admin {
                section.card.narrow {
                    h2 { (t!("assign-new-team")) }
                    form method="post" action="/admin/teams" {
                        input type="hidden" name="csrf" value=(csrf);
                        label for="new-team" { (t!("assign-name")) } input #new-team name="name" dir="auto" required;
                        button type="submit" { (t!("assign-create-team")) }
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
    let or = t!("assign-cond-or");
    let values = |v: &[String], name: &dyn Fn(&str) -> String| {
        v.iter().map(|x| name(x)).collect::<Vec<_>>().join(&or)
    };
    let same = |x: &str| x.to_string();
    let channel = |x: &str| {
        x.parse::<Channel>()
            .map(channel_name)
            .unwrap_or_else(|_| x.to_string())
    };
    let mut parts = Vec::new();
    if !c.channel.is_empty() {
        parts.push(t!(
            "assign-cond-channel",
            values = values(&c.channel, &channel)
        ));
    }
    if !c.mailbox.is_empty() {
        parts.push(t!(
            "assign-cond-mailbox",
            values = values(&c.mailbox, &same)
        ));
    }
    if !c.plan.is_empty() {
        parts.push(t!("assign-cond-plan", values = values(&c.plan, &same)));
    }
    if !c.segment.is_empty() {
        parts.push(t!(
            "assign-cond-segment",
            values = values(&c.segment, &same)
        ));
    }
    if !c.keywords.is_empty() {
        parts.push(t!("assign-cond-words", values = values(&c.keywords, &same)));
    }
    if !c.priority.is_empty() {
        parts.push(t!(
            "assign-cond-priority",
            values = values(&c.priority, &priority_text)
        ));
    }
    if let Some(v) = c.vip {
        parts.push(if v {
            t!("assign-cond-vip")
        } else {
            t!("assign-cond-not-vip")
        });
    }
    if let Some(v) = c.at_risk {
        parts.push(if v {
            t!("assign-cond-at-risk")
        } else {
            t!("assign-cond-not-at-risk")
        });
    }
    if parts.is_empty() {
        t!("assign-cond-every-ticket")
    } else {
        parts.join(&t!("assign-cond-and"))
    }
}

/// What a rule does: "team Billing; priority high; tags vip, refund; skill german".
fn describe_outcome(r: &RuleView) -> String {
    let mut parts = vec![match (&r.team_name, r.team_id) {
        (Some(n), _) => t!("assign-then-team", team = n),
        (None, Some(id)) => t!("assign-then-deleted-team", id = id.to_string()),
        (None, None) => t!("assign-then-default-team"),
    }];
    if let Some(p) = &r.set_priority {
        parts.push(t!("assign-then-priority", priority = priority_text(p)));
    }
    if !r.tags.is_empty() {
        parts.push(t!("assign-then-tags", tags = list(&r.tags)));
    }
    if let Some(s) = &r.required_skill {
        parts.push(t!("assign-then-skill", skill = s));
    }
    parts.join(&t!("assign-then-separator"))
}

pub fn rules_page(
    agent: &AgentRef,
    csrf: &str,
    rules: &[RuleView],
    teams: &[TeamView],
    errors: &[(String, String)],
) -> Markup {
    let admin = agent.role == Role::Admin;
    let title = t!("assign-rules-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            h1 { (title) }
            p.muted { (t!("assign-rules-intro")) }
            (errors_box(errors))
            table.tickets {
                thead { tr { th { "#" } th { (t!("assign-rules-rule")) } th { (t!("assign-rules-when")) } th { (t!("assign-rules-then")) } @if admin { th { span.visually-hidden { (t!("assign-rules-actions")) } } } } }
                tbody {
                    @for r in rules {
                        tr {
                            td { (r.position) }
                            td { bdi { (r.name) } @if !r.active { " " span.badge { (t!("assign-badge-off")) } } }
                            td dir="auto" { (describe_conditions(r)) }
                            td dir="auto" { (describe_outcome(r)) }
                            @if admin {
                                td {
                                    div.row {
                                        a href={"/admin/rules/" (r.id)} { (t!("assign-edit")) }
                                        form method="post" action={"/admin/rules/" (r.id) "/move"} {
                                            input type="hidden" name="csrf" value=(csrf);
                                            button.link type="submit" name="direction" value="up" aria-label=(t!("assign-move-up", name = &r.name)) { "↑" }
                                            button.link type="submit" name="direction" value="down" aria-label=(t!("assign-move-down", name = &r.name)) { "↓" }
                                        }
                                        form method="post" action={"/admin/rules/" (r.id) "/delete"} {
                                            input type="hidden" name="csrf" value=(csrf);
                                            button.link type="submit" { (t!("button-delete")) }
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
                    h2 { (t!("assign-new-rule")) }
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
    let title = t!("assign-rule-title", name = &rule.name);
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            p { a href="/admin/rules" { (t!("assign-back-to-rules")) } }
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
    let choices = [
        ("", t!("assign-either")),
        ("yes", t!("yes")),
        ("no", t!("no")),
    ];
    html! {
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(csrf);
            label for="rule-name" { (t!("assign-name")) }
            input #rule-name name="name" dir="auto" required value=(r.map(|r| r.name.as_str()).unwrap_or(""));
            label { input type="checkbox" name="active" value="1" checked[r.is_none_or(|r| r.active)]; " " (t!("assign-active")) }
            fieldset {
                legend { (t!("assign-rule-when")) }
                p.muted.small { (t!("assign-rule-lists-help")) }
                div.row {
                    (t!("assign-rule-channel"))
                    @for ch in Channel::ALL { label { input type="checkbox" name="channel" value=(ch.as_str()) checked[c.channel.iter().any(|x| x == ch.as_str())]; " " (channel_name(*ch)) } }
                }
                div.row {
                    (t!("assign-rule-priority"))
                    @for p in Priority::ALL { label { input type="checkbox" name="priority" value=(p.as_str()) checked[c.priority.iter().any(|x| x == p.as_str())]; " " (priority_name(*p)) } }
                }
                label for="rule-keywords" { (t!("assign-rule-keywords")) }
                input #rule-keywords name="keywords" dir="auto" value=(list(&c.keywords));
                label for="rule-mailbox" { (t!("assign-rule-mailbox")) }
                input #rule-mailbox name="mailbox" dir="auto" value=(list(&c.mailbox));
                label for="rule-plan" { (t!("assign-rule-plan")) }
                input #rule-plan name="plan" dir="auto" value=(list(&c.plan));
                label for="rule-segment" { (t!("assign-rule-segment")) }
                input #rule-segment name="segment" dir="auto" value=(list(&c.segment));
                div.row {
                    label for="rule-vip" { (t!("assign-rule-vip")) }
                    select #rule-vip name="vip" {
                        @for (v, l) in &choices { option value=(v) selected[tri(c.vip) == *v] { (l) } }
                    }
                    label for="rule-risk" { (t!("assign-rule-at-risk")) }
                    select #rule-risk name="at_risk" {
                        @for (v, l) in &choices { option value=(v) selected[tri(c.at_risk) == *v] { (l) } }
                    }
                }
            }
            fieldset {
                legend { (t!("assign-rules-then")) }
                label for="rule-team" { (t!("assign-rule-team")) }
                select #rule-team name="team_id" {
                    option value="" { (t!("assign-rule-default-team-option")) }
                    @for t in teams { option value=(t.id) selected[r.and_then(|r| r.team_id) == Some(t.id)] { @if t.active { (t.name) } @else { (t!("assign-team-inactive-option", team = &t.name)) } } }
                }
                label for="rule-priority" { (t!("assign-rule-set-priority")) }
                select #rule-priority name="set_priority" {
                    option value="" { (t!("assign-rule-keep-option")) }
                    @for p in Priority::ALL { option value=(p.as_str()) selected[r.and_then(|r| r.set_priority.as_deref()) == Some(p.as_str())] { (priority_name(*p)) } }
                }
                label for="rule-tags" { (t!("assign-rule-tags")) }
                input #rule-tags name="tags" dir="auto" value=(r.map(|r| list(&r.tags)).unwrap_or_default());
                label for="rule-skill" { (t!("assign-rule-skill")) }
                input #rule-skill name="required_skill" dir="auto" value=(r.and_then(|r| r.required_skill.as_deref()).unwrap_or(""));
            }
            button type="submit" { (if r.is_some() { t!("assign-save-rule") } else { t!("assign-add-rule") }) }
        }
    }
}

/// The routing part of the admin agents page: capacity, availability, skills, active.
pub fn agent_routing(csrf: &str, agents: &[AgentSettings], calendars: &[(i64, String)]) -> Markup {
    html! {
        section {
            h2 { (t!("assign-routing-title")) }
            p.muted { (t!("assign-routing-intro")) }
            table.tickets {
                thead { tr { th { (t!("assign-routing-agent")) } th { (t!("assign-routing-teams")) } th { (t!("assign-routing-open")) } th { (t!("assign-routing-settings")) } } }
                tbody {
                    @for a in agents {
                        tr {
                            td { bdi { (a.name) } @if !a.active { " " span.badge { (t!("assign-badge-inactive")) } } }
                            td dir="auto" { (a.teams.join(&t!("list-separator"))) }
                            td { (crate::i18n::number(a.open)) }
                            td {
                                form.row method="post" action={"/admin/agents/" (a.id) "/routing"} {
                                    input type="hidden" name="csrf" value=(csrf);
                                    input type="number" name="capacity" min="0" value=(a.capacity) aria-label=(t!("assign-routing-capacity-of", name = &a.name)) size="4";
                                    select name="availability" aria-label=(t!("assign-routing-availability-of", name = &a.name)) {
                                        @for v in ["online", "away", "off"] { option value=(v) selected[a.availability == v] { (availability_name(v)) } }
                                    }
                                    input name="skills" dir="auto" value=(a.skills.join(", ")) aria-label=(t!("assign-routing-skills-of", name = &a.name)) placeholder=(t!("assign-routing-skills-placeholder"));
                                    select name="working_calendar" aria-label=(t!("assign-routing-hours-of", name = &a.name)) {
                                        option value="" selected[a.working_calendar_id.is_none()] { (t!("assign-routing-always")) }
                                        @for (id, name) in calendars {
                                            option value=(id) selected[a.working_calendar_id == Some(*id)] { (name) }
                                        }
                                    }
                                    label { input type="checkbox" name="active" value="1" checked[a.active]; " " (t!("assign-routing-active")) }
                                    button type="submit" { (t!("button-save")) }
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
    let title = t!("assign-availability-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { (title) }
                p { (splice(&t!("assign-availability-current", state = LINK), html! { strong { (availability_name(current)) } })) }
                form method="post" action="/account/availability" {
                    input type="hidden" name="csrf" value=(csrf);
                    div.row {
                        @for v in ["online", "away", "off"] {
                            label { input type="radio" name="availability" value=(v) checked[current == v]; " " (availability_name(v)) }
                        }
                        button type="submit" { (t!("assign-availability-set")) }
                    }
                }
            }
        },
    )
}
