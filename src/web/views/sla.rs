//! SLA pages and page parts: the admin page of calendars and policies, the SLA card of the ticket
//! page, the leads' stale-and-breaching queue, the SLA cell of queues.

use super::layout::{Frame, ago, badge, field_error, page, time};
use crate::auth::AgentRef;
use crate::domain::Priority;
use crate::sla::SlaState;
use crate::sla::admin::Overview;
use crate::sla::leads::{StaleTicket, StaleView};
use crate::sla::plan::Metric;
use crate::sla::store::{ClockView, DAYS, TicketSla};
use maud::{Markup, html};

/// "2 h 05 min", "-40 min" (overdue) of business time.
pub fn business_duration(ms: i64) -> String {
    let sign = if ms < 0 { "−" } else { "" };
    let mins = ms.abs() / 60_000;
    match mins {
        m if m < 60 => format!("{sign}{m} min"),
        m if m < 60 * 48 => format!("{sign}{} h {:02} min", m / 60, m % 60),
        m => format!("{sign}{} d {} h", m / (60 * 24), (m / 60) % 24),
    }
}

fn state_label(s: SlaState) -> &'static str {
    match s {
        SlaState::OnTrack => "on track",
        SlaState::Warning => "warning",
        SlaState::Breached => "breached",
        SlaState::Met => "met",
        SlaState::Paused => "paused",
    }
}

/// The SLA card of the ticket page: each clock, and the Escalate form for leads.
pub fn ticket_panel(
    agent: &AgentRef,
    csrf: &str,
    ticket_id: i64,
    agents: &[AgentRef],
    sla: &TicketSla,
) -> Markup {
    // Older met next-response cycles are history; show the latest cycle only.
    let last_cycle = sla
        .clocks
        .iter()
        .filter(|c| c.metric == Metric::NextResponse)
        .map(|c| c.cycle)
        .max();
    let shown: Vec<&ClockView> = sla
        .clocks
        .iter()
        .filter(|c| c.metric != Metric::NextResponse || Some(c.cycle) == last_cycle)
        .collect();
    html! {
        section.card.sla aria-label="SLA" {
            h2 { "SLA" }
            @match &sla.policy {
                None => p.muted { "No SLA policy applies to this ticket." },
                Some(p) => p.muted.small { "Policy " (p["name"].as_str().unwrap_or("")) " · " "calendar " (p["calendar"].as_str().unwrap_or("")) },
            }
            @if !shown.is_empty() {
                ul.plain.sla-clocks {
                    @for c in &shown {
                        li data-sla-state=(c.state.as_str()) {
                            strong { (c.metric.label()) }
                            @if c.metric == Metric::NextResponse { " #" (c.cycle) }
                            " " span class={"badge sla-" (c.state.as_str())} { (state_label(c.state)) }
                            br;
                            @match (c.state, c.met_at, c.due_at) {
                                (SlaState::Met, Some(m), _) => { span.small { "met " (time(m)) } },
                                (SlaState::Breached, Some(m), Some(d)) => { span.small { "met late " (time(m)) " (due " (time(d)) ")" } },
                                (SlaState::Paused, _, _) => { span.small { (business_duration(c.remaining_business_ms)) " left · waiting on the customer" } },
                                (_, _, Some(d)) => {
                                    span.small {
                                        "due " (time(d)) " · "
                                        @if c.remaining_business_ms >= 0 { (business_duration(c.remaining_business_ms)) " business time left" }
                                        @else { (business_duration(-c.remaining_business_ms)) " overdue" }
                                    }
                                },
                                _ => {},
                            }
                        }
                    }
                }
            }
            @if agent.role.is_lead_or_admin() {
                details.escalate {
                    summary { "Escalate" }
                    form method="post" action={"/tickets/" (ticket_id) "/escalate"} {
                        input type="hidden" name="csrf" value=(csrf);
                        label for="esc-reason" { "Reason" }
                        textarea #esc-reason name="reason" rows="2" required {}
                        label for="esc-assignee" { "Hand to" }
                        select #esc-assignee name="assignee_id" {
                            option value="" { "(keep assignee; notify the team lead)" }
                            @for a in agents { option value=(a.id) { (a.name) } }
                        }
                        label { input type="checkbox" name="raise_priority" value="1" checked; " Raise priority one step" }
                        button type="submit" { "Escalate" }
                    }
                }
            }
        }
    }
}

/// `/tickets?view=stale`: the leads' queue, with the form for bulk changes to selected tickets.
pub fn stale_page(
    agent: &AgentRef,
    csrf: &str,
    now: i64,
    view: &StaleView,
    agents: &[AgentRef],
    macros: &[crate::search::replies::SavedReply],
    teams: &[(i64, String)],
) -> Markup {
    let (idle_hours, unassigned_minutes) = (view.idle_hours, view.unassigned_minutes);
    let table = |rows: &[StaleTicket], caption: &str| -> Markup {
        html! {
            h2 { (caption) " " span.count { (rows.len()) } }
            @if rows.is_empty() { p.empty { "Nothing here." } } @else {
                table.tickets {
                    thead { tr { th { span.visually-hidden { "Select" } } th { "#" } th { "Subject" } th { "Status" } th { "Priority" } th { "Assignee" } th { "SLA due" } th { "Last agent activity" } } }
                    tbody {
                        @for t in rows {
                            tr {
                                td { input type="checkbox" name="ticket_id" value=(t.id) form="bulk" aria-label={"Select #" (t.id)}; }
                                td { a href={"/tickets/" (t.id)} { (t.id) } }
                                td.subject dir="auto" { a href={"/tickets/" (t.id)} { (t.subject) } }
                                td { (badge("status", t.status.as_str())) }
                                td { (badge("priority", t.priority.as_str())) }
                                td { (t.assignee_name.as_deref().unwrap_or("—")) }
                                td { (due_cell(now, t.due_at)) }
                                td { (ago(now, t.last_agent_at)) }
                            }
                        }
                    }
                }
            }
        }
    };
    let body = html! {
        section {
            h1 { "Stale & breaching" }
            form.row method="get" action="/tickets" {
                input type="hidden" name="view" value="stale";
                label for="idle_hours" { "No agent activity for (business hours)" }
                input #idle_hours type="number" min="1" name="idle_hours" value=(idle_hours);
                label for="unassigned_minutes" { "Unassigned for (business minutes)" }
                input #unassigned_minutes type="number" min="1" name="unassigned_minutes" value=(unassigned_minutes);
                button type="submit" { "Apply" }
            }
            (super::bulk::bar(
                csrf,
                agents,
                macros,
                teams,
                &format!("/tickets?view=stale&idle_hours={idle_hours}&unassigned_minutes={unassigned_minutes}"),
                None,
            ))
            (table(&view.by_breach, "By breach time"))
            (table(&view.idle, &format!("No agent activity for {idle_hours} business hours")))
            (table(&view.unassigned, &format!("Unassigned for {unassigned_minutes} business minutes")))
        }
    };
    page(
        &Frame {
            title: "Stale & breaching",
            agent: Some(agent),
            csrf,
        },
        body,
    )
}

/// The SLA admin page; `errors` are `(field, message)` pairs, calendar fields prefixed `cal.`.
pub fn admin_page(
    agent: &AgentRef,
    csrf: &str,
    settings: &Overview,
    errors: &[(String, String)],
) -> Markup {
    let Overview {
        calendars,
        policies,
        teams,
    } = settings;
    let team_name =
        |id: Option<i64>| id.and_then(|id| teams.iter().find(|t| t.0 == id).map(|t| t.1.clone()));
    let cal_name = |id: i64| {
        calendars
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let mins = |ms: Option<i64>| ms.map(business_duration).unwrap_or_else(|| "—".into());
    page(
        &Frame {
            title: "SLA",
            agent: Some(agent),
            csrf,
        },
        html! {
            section {
                h1 { "SLA policies" }
                p.muted { "Policies are tried top to bottom; the first whose conditions all hold applies. Targets count business time of the policy's calendar; a ticket pending on the customer pauses its clocks." }
                @if errors.iter().any(|(f, _)| !f.starts_with("cal")) {
                    @for (f, m) in errors { p.flash.error role="alert" { (f) " " (m) } }
                }
                table.tickets {
                    thead { tr { th { "Order" } th { "Name" } th { "Applies to" } th { "Targets (first / next / resolution)" } th { "Escalation" } th { "Active" } th { span.visually-hidden { "Actions" } } } }
                    tbody {
                        @for p in policies {
                            tr {
                                td { (p.position) }
                                td { (p.name) br; span.muted.small { (cal_name(p.calendar_id)) " hours · warn at " (p.warning_percent) "%" } }
                                td {
                                    @let conds: Vec<String> = [
                                        p.match_priority.map(|x| format!("priority {x}")),
                                        p.match_segment.as_ref().map(|x| format!("segment {x}")),
                                        p.match_plan.as_ref().map(|x| format!("plan {x}")),
                                        team_name(p.match_team_id).map(|x| format!("team {x}")),
                                    ].into_iter().flatten().collect();
                                    @if conds.is_empty() { "every ticket" } @else { (conds.join(", ")) }
                                }
                                td.small {
                                    @for (prio, t) in &p.targets {
                                        (prio) ": " (mins(t.first_response_ms)) " / " (mins(t.next_response_ms)) " / " (mins(t.resolution_ms)) br;
                                    }
                                }
                                td.small {
                                    @if p.notify_assignee_on_warning { "warning → assignee" br; }
                                    @if p.raise_priority_on_breach { "breach → priority +1" br; }
                                    @if p.notify_lead_on_breach { "breach → team lead" br; }
                                    @if let Some(t) = team_name(p.escalation_team_id) { "breach → team " (t) }
                                }
                                td { (if p.active { "yes" } else { "no" }) }
                                td {
                                    form method="post" action={"/admin/sla/policies/" (p.id) "/toggle"} {
                                        input type="hidden" name="csrf" value=(csrf);
                                        button.small type="submit" { (if p.active { "Deactivate" } else { "Activate" }) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { "Add a policy" }
                form method="post" action="/admin/sla/policies" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="p-name" { "Name" } input #p-name name="name" required;
                    (field_error(errors, "name"))
                    label for="p-cal" { "Calendar" }
                    select #p-cal name="calendar_id" { @for c in calendars { option value=(c.id) { (c.name) } } }
                    (field_error(errors, "calendar_id"))
                    label for="p-pos" { "Order (lower first)" } input #p-pos type="number" name="position" value="100";
                    label for="p-prio" { "Only priority" }
                    select #p-prio name="match_priority" { option value="" { "(any)" } @for pr in Priority::ALL { option value=(pr.as_str()) { (pr.as_str()) } } }
                    label for="p-seg" { "Only customer segment" } input #p-seg name="match_segment" placeholder="e.g. enterprise";
                    label for="p-plan" { "Only customer plan" } input #p-plan name="match_plan" placeholder="e.g. pro";
                    label for="p-team" { "Only team" }
                    select #p-team name="match_team_id" { option value="" { "(any)" } @for (id, n) in teams { option value=(id) { (n) } } }
                    (field_error(errors, "match_team_id"))
                    table {
                        thead { tr { th { "Priority" } th { "First response (min)" } th { "Next response (min)" } th { "Resolution (min)" } } }
                        tbody {
                            @for pr in Priority::ALL {
                                tr {
                                    td { (pr.as_str()) }
                                    @for m in ["first_response", "next_response", "resolution"] {
                                        td { input type="number" name={(pr.as_str()) "." (m)} aria-label={(pr.as_str()) " " (m)}; }
                                    }
                                }
                            }
                        }
                    }
                    @for (f, m) in errors.iter().filter(|(f, _)| f.starts_with("targets")) { p.field-error role="alert" { (f) " " (m) } }
                    label for="p-warn" { "Warn at (% of the target)" } input #p-warn type="number" name="warning_percent" value="75";
                    (field_error(errors, "warning_percent"))
                    label { input type="checkbox" name="notify_assignee_on_warning" value="1" checked; " At warning, notify the assignee" }
                    label { input type="checkbox" name="raise_priority_on_breach" value="1" checked; " At breach, raise the priority one step" }
                    label { input type="checkbox" name="notify_lead_on_breach" value="1" checked; " At breach, notify the team lead" }
                    label for="p-esc" { "At breach, move to team" }
                    select #p-esc name="escalation_team_id" { option value="" { "(stay)" } @for (id, n) in teams { option value=(id) { (n) } } }
                    (field_error(errors, "escalation_team_id"))
                    button type="submit" { "Add policy" }
                }
            }
            section.card {
                h2 { "Business calendars" }
                ul.plain {
                    @for c in calendars {
                        li {
                            strong { (c.name) } " · " (c.time_zone) " · "
                            // In week order, not alphabetical.
                            @for (day, ws) in crate::sla::store::DAYS.iter().filter_map(|d| c.hours.get(*d).map(|ws| (d, ws))) {
                                (day[..3].to_string()) " " @for w in ws { (w[0]) "–" (w[1]) " " }
                            }
                            @if !c.holidays.is_empty() { " · closed " (c.holidays.join(", ")) }
                        }
                    }
                }
                h3 { "Add a calendar" }
                form method="post" action="/admin/sla/calendars" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="c-name" { "Name" } input #c-name name="cal_name" required;
                    (field_error(errors, "cal.name"))
                    label for="c-tz" { "Time zone (IANA, e.g. Europe/Berlin)" } input #c-tz name="time_zone" required value="UTC";
                    (field_error(errors, "cal.time_zone"))
                    @for day in DAYS {
                        label for={"c-" (day)} { (day) " (e.g. 09:00-17:00, or 09:00-12:00, 13:00-17:00; empty = closed)" }
                        input id={"c-" (day)} name=(day) value=(if day == "saturday" || day == "sunday" { "" } else { "09:00-17:00" });
                        (field_error(errors, &format!("cal.hours.{day}")))
                    }
                    (field_error(errors, "cal.hours"))
                    label for="c-hol" { "Holidays (dates, comma separated)" } input #c-hol name="holidays" placeholder="2026-12-25, 2026-12-26";
                    (field_error(errors, "cal.holidays"))
                    button type="submit" { "Add calendar" }
                }
            }
        },
    )
}

/// A queue cell: when the most urgent SLA clock falls due, or how long ago it breached.
pub fn due_cell(now: i64, due: Option<i64>) -> Markup {
    html! {
        @match due {
            Some(d) if d <= now => { span.badge.sla-breached { "breached" } " " (ago(now, d)) },
            Some(d) => (time(d)),
            None => "—",
        }
    }
}
