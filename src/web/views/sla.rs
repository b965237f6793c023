//! SLA pages and page parts: the admin page of calendars and policies, the SLA card of the ticket
//! page, the leads' stale-and-breaching queue, the SLA cell of queues.

use super::assign::{LINK, LINK2, priority_name, priority_text, splice, splice_two};
use super::layout::{Frame, ago, field_error, page, time};
use crate::auth::AgentRef;
use crate::domain::{Priority, Status};
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
    let two = |n: i64| format!("{n:02}");
    let text = match mins {
        m if m < 60 => t!("sla-duration-minutes", minutes = m),
        m if m < 60 * 48 => t!("sla-duration-hours", hours = m / 60, minutes = two(m % 60)),
        m => t!(
            "sla-duration-days",
            days = m / (60 * 24),
            hours = (m / 60) % 24
        ),
    };
    format!("{sign}{text}")
}

fn state_label(s: SlaState) -> String {
    match s {
        SlaState::OnTrack => t!("sla-state-on-track"),
        SlaState::Warning => t!("sla-state-warning"),
        SlaState::Breached => t!("sla-state-breached"),
        SlaState::Met => t!("sla-state-met"),
        SlaState::Paused => t!("sla-state-paused"),
    }
}

/// A clock's name: first response, next response, resolution.
pub fn metric_name(m: Metric) -> String {
    match m {
        Metric::FirstResponse => t!("sla-metric-first-response"),
        Metric::NextResponse => t!("sla-metric-next-response"),
        Metric::Resolution => t!("sla-metric-resolution"),
    }
}

/// A ticket status's name in the current language.
pub fn status_name(s: Status) -> String {
    crate::i18n::status_name(s.as_str())
}

/// A day of the week (`monday`…, as stored) in the current language.
pub fn day_name(day: &str) -> String {
    match day {
        "monday" => t!("sla-day-monday"),
        "tuesday" => t!("sla-day-tuesday"),
        "wednesday" => t!("sla-day-wednesday"),
        "thursday" => t!("sla-day-thursday"),
        "friday" => t!("sla-day-friday"),
        "saturday" => t!("sla-day-saturday"),
        "sunday" => t!("sla-day-sunday"),
        other => other.to_string(),
    }
}

/// A day of the week, short ("mon", "월", …), for lists of opening hours.
fn day_short(day: &str) -> String {
    match day {
        "monday" => t!("sla-day-short-monday"),
        "tuesday" => t!("sla-day-short-tuesday"),
        "wednesday" => t!("sla-day-short-wednesday"),
        "thursday" => t!("sla-day-short-thursday"),
        "friday" => t!("sla-day-short-friday"),
        "saturday" => t!("sla-day-short-saturday"),
        "sunday" => t!("sla-day-short-sunday"),
        other => other.to_string(),
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
        section.card.sla aria-label=(t!("sla-panel-title")) {
            h2 { (t!("sla-panel-title")) }
            @match &sla.policy {
                None => p.muted { (t!("sla-panel-no-policy")) },
                Some(p) => p.muted.small dir="auto" { (t!("sla-panel-policy", policy = p["name"].as_str().unwrap_or(""), calendar = p["calendar"].as_str().unwrap_or(""))) },
            }
            @if !shown.is_empty() {
                ul.plain.sla-clocks {
                    @for c in &shown {
                        li data-sla-state=(c.state.as_str()) {
                            strong { (metric_name(c.metric)) }
                            @if c.metric == Metric::NextResponse { " #" (crate::i18n::number(c.cycle)) }
                            " " span class={"badge sla-" (c.state.as_str())} { (state_label(c.state)) }
                            br;
                            @match (c.state, c.met_at, c.due_at) {
                                (SlaState::Met, Some(m), _) => { span.small { (splice(&t!("sla-clock-met", time = LINK), time(m))) } },
                                (SlaState::Breached, Some(m), Some(d)) => { span.small { (splice_two(&t!("sla-clock-met-late", time = LINK, due = LINK2), time(m), time(d))) } },
                                (SlaState::Paused, _, _) => { span.small { (t!("sla-clock-paused", left = business_duration(c.remaining_business_ms))) } },
                                (_, _, Some(d)) => {
                                    span.small {
                                        (splice(&t!("sla-clock-due", time = LINK), time(d))) " · "
                                        @if c.remaining_business_ms >= 0 { (t!("sla-clock-left", left = business_duration(c.remaining_business_ms))) }
                                        @else { (t!("sla-clock-overdue", overdue = business_duration(-c.remaining_business_ms))) }
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
                    summary { (t!("sla-escalate")) }
                    form method="post" action={"/tickets/" (ticket_id) "/escalate"} {
                        input type="hidden" name="csrf" value=(csrf);
                        label for="esc-reason" { (t!("sla-escalate-reason")) }
                        textarea #esc-reason name="reason" rows="2" dir="auto" required {}
                        label for="esc-assignee" { (t!("sla-escalate-hand-to")) }
                        select #esc-assignee name="assignee_id" {
                            option value="" { (t!("sla-escalate-keep-assignee")) }
                            @for a in agents { option value=(a.id) dir="auto" { (a.name) } }
                        }
                        label { input type="checkbox" name="raise_priority" value="1" checked; " " (t!("sla-escalate-raise-priority")) }
                        button type="submit" { (t!("sla-escalate")) }
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
            h2 { (caption) " " span.count { (crate::i18n::number(rows.len() as i64)) } }
            @if rows.is_empty() { p.empty { (t!("sla-stale-empty")) } } @else {
                table.tickets {
                    thead { tr { th { span.visually-hidden { (t!("sla-stale-select")) } } th { "#" } th { (t!("sla-stale-subject")) } th { (t!("sla-stale-status")) } th { (t!("sla-stale-priority")) } th { (t!("sla-stale-assignee")) } th { (t!("sla-stale-due")) } th { (t!("sla-stale-last-activity")) } } }
                    tbody {
                        @for t in rows {
                            tr {
                                td { input type="checkbox" name="ticket_id" value=(t.id) form="bulk" aria-label=(t!("sla-stale-select-ticket", id = t.id.to_string())); }
                                td { a href={"/tickets/" (t.id)} { (t.id) } }
                                td.subject dir="auto" { a href={"/tickets/" (t.id)} { (t.subject) } }
                                td { span class={"badge status-" (t.status.as_str())} { (status_name(t.status)) } }
                                td { span class={"badge priority-" (t.priority.as_str())} { (priority_name(t.priority)) } }
                                td dir="auto" { (t.assignee_name.as_deref().unwrap_or("—")) }
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
            h1 { (t!("sla-stale-title")) }
            form.row method="get" action="/tickets" {
                input type="hidden" name="view" value="stale";
                label for="idle_hours" { (t!("sla-stale-idle-label")) }
                input #idle_hours type="number" min="1" name="idle_hours" value=(idle_hours);
                label for="unassigned_minutes" { (t!("sla-stale-unassigned-label")) }
                input #unassigned_minutes type="number" min="1" name="unassigned_minutes" value=(unassigned_minutes);
                button type="submit" { (t!("button-apply")) }
            }
            (super::bulk::bar(
                csrf,
                agents,
                macros,
                teams,
                &format!("/tickets?view=stale&idle_hours={idle_hours}&unassigned_minutes={unassigned_minutes}"),
                None,
            ))
            (table(&view.by_breach, &t!("sla-stale-by-breach")))
            (table(&view.idle, &t!("sla-stale-idle", hours = idle_hours)))
            (table(&view.unassigned, &t!("sla-stale-unassigned", minutes = unassigned_minutes)))
        }
    };
    let title = t!("sla-stale-title");
    page(
        &Frame {
            title: &title,
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
    let title = t!("sla-admin-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section {
                h1 { (t!("sla-admin-policies")) }
                p.muted { (t!("sla-admin-intro")) }
                @if errors.iter().any(|(f, _)| !f.starts_with("cal")) {
                    @for (f, m) in errors { p.flash.error role="alert" { (f) " " (m) } }
                }
                table.tickets {
                    thead { tr { th { (t!("sla-admin-order")) } th { (t!("sla-admin-name")) } th { (t!("sla-admin-applies-to")) } th { (t!("sla-admin-targets")) } th { (t!("sla-admin-escalation")) } th { (t!("sla-admin-active")) } th { span.visually-hidden { (t!("sla-admin-actions")) } } } }
                    tbody {
                        @for p in policies {
                            tr {
                                td { (p.position) }
                                td { bdi { (p.name) } br; span.muted.small dir="auto" { (t!("sla-admin-policy-hours", calendar = cal_name(p.calendar_id), percent = p.warning_percent)) } }
                                td dir="auto" {
                                    @let conds: Vec<String> = [
                                        p.match_priority.map(|x| t!("sla-admin-cond-priority", priority = priority_name(x))),
                                        p.match_segment.as_ref().map(|x| t!("sla-admin-cond-segment", segment = x)),
                                        p.match_plan.as_ref().map(|x| t!("sla-admin-cond-plan", plan = x)),
                                        team_name(p.match_team_id).map(|x| t!("sla-admin-cond-team", team = x)),
                                    ].into_iter().flatten().collect();
                                    @if conds.is_empty() { (t!("sla-admin-every-ticket")) } @else { (conds.join(&t!("list-separator"))) }
                                }
                                td.small {
                                    @for (prio, t) in &p.targets {
                                        (priority_text(prio)) ": " (mins(t.first_response_ms)) " / " (mins(t.next_response_ms)) " / " (mins(t.resolution_ms)) br;
                                    }
                                }
                                td.small {
                                    @if p.notify_assignee_on_warning { (t!("sla-admin-esc-warning-assignee")) br; }
                                    @if p.raise_priority_on_breach { (t!("sla-admin-esc-breach-priority")) br; }
                                    @if p.notify_lead_on_breach { (t!("sla-admin-esc-breach-lead")) br; }
                                    @if let Some(t) = team_name(p.escalation_team_id) { span dir="auto" { (t!("sla-admin-esc-breach-team", team = t)) } }
                                }
                                td { (if p.active { t!("yes") } else { t!("no") }) }
                                td {
                                    form method="post" action={"/admin/sla/policies/" (p.id) "/toggle"} {
                                        input type="hidden" name="csrf" value=(csrf);
                                        button.small type="submit" { (if p.active { t!("sla-admin-deactivate") } else { t!("sla-admin-activate") }) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { (t!("sla-admin-add-policy")) }
                form method="post" action="/admin/sla/policies" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="p-name" { (t!("sla-admin-name")) } input #p-name name="name" dir="auto" required;
                    (field_error(errors, "name"))
                    label for="p-cal" { (t!("sla-admin-calendar")) }
                    select #p-cal name="calendar_id" { @for c in calendars { option value=(c.id) dir="auto" { (c.name) } } }
                    (field_error(errors, "calendar_id"))
                    label for="p-pos" { (t!("sla-admin-order-help")) } input #p-pos type="number" name="position" value="100";
                    label for="p-prio" { (t!("sla-admin-only-priority")) }
                    select #p-prio name="match_priority" { option value="" { (t!("sla-admin-any")) } @for pr in Priority::ALL { option value=(pr.as_str()) { (priority_name(*pr)) } } }
                    label for="p-seg" { (t!("sla-admin-only-segment")) } input #p-seg name="match_segment" dir="auto" placeholder=(t!("sla-admin-segment-placeholder"));
                    label for="p-plan" { (t!("sla-admin-only-plan")) } input #p-plan name="match_plan" dir="auto" placeholder=(t!("sla-admin-plan-placeholder"));
                    label for="p-team" { (t!("sla-admin-only-team")) }
                    select #p-team name="match_team_id" { option value="" { (t!("sla-admin-any")) } @for (id, n) in teams { option value=(id) dir="auto" { (n) } } }
                    (field_error(errors, "match_team_id"))
                    table {
                        thead { tr { th { (t!("sla-admin-priority")) } th { (t!("sla-admin-first-response-min")) } th { (t!("sla-admin-next-response-min")) } th { (t!("sla-admin-resolution-min")) } } }
                        tbody {
                            @for pr in Priority::ALL {
                                tr {
                                    td { (priority_name(*pr)) }
                                    @for m in Metric::ALL {
                                        td { input type="number" name={(pr.as_str()) "." (m.as_str())} aria-label=(t!("sla-admin-target-label", priority = priority_name(*pr), metric = metric_name(m))); }
                                    }
                                }
                            }
                        }
                    }
                    @for (f, m) in errors.iter().filter(|(f, _)| f.starts_with("targets")) { p.field-error role="alert" { (f) " " (m) } }
                    label for="p-warn" { (t!("sla-admin-warn-at")) } input #p-warn type="number" name="warning_percent" value="75";
                    (field_error(errors, "warning_percent"))
                    label { input type="checkbox" name="notify_assignee_on_warning" value="1" checked; " " (t!("sla-admin-notify-assignee")) }
                    label { input type="checkbox" name="raise_priority_on_breach" value="1" checked; " " (t!("sla-admin-raise-priority")) }
                    label { input type="checkbox" name="notify_lead_on_breach" value="1" checked; " " (t!("sla-admin-notify-lead")) }
                    label for="p-esc" { (t!("sla-admin-move-to-team")) }
                    select #p-esc name="escalation_team_id" { option value="" { (t!("sla-admin-stay")) } @for (id, n) in teams { option value=(id) dir="auto" { (n) } } }
                    (field_error(errors, "escalation_team_id"))
                    button type="submit" { (t!("sla-admin-add-policy-button")) }
                }
            }
            section.card {
                h2 { (t!("sla-admin-calendars")) }
                ul.plain {
                    @for c in calendars {
                        li {
                            strong dir="auto" { (c.name) } " · " (c.time_zone) " · "
                            // In week order, not alphabetical.
                            @for (day, ws) in crate::sla::store::DAYS.iter().filter_map(|d| c.hours.get(*d).map(|ws| (d, ws))) {
                                (day_short(day)) " " @for w in ws { (w[0]) "–" (w[1]) " " }
                            }
                            @if !c.holidays.is_empty() { " · " (t!("sla-admin-closed-on", dates = c.holidays.join(", "))) }
                        }
                    }
                }
                h3 { (t!("sla-admin-add-calendar")) }
                form method="post" action="/admin/sla/calendars" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="c-name" { (t!("sla-admin-name")) } input #c-name name="cal_name" dir="auto" required;
                    (field_error(errors, "cal.name"))
                    label for="c-tz" { (t!("sla-admin-time-zone")) } input #c-tz name="time_zone" required value="UTC";
                    (field_error(errors, "cal.time_zone"))
                    @for day in DAYS {
                        label for={"c-" (day)} { (t!("sla-admin-day-hours", day = day_name(day))) }
                        input id={"c-" (day)} name=(day) value=(if day == "saturday" || day == "sunday" { "" } else { "09:00-17:00" });
                        (field_error(errors, &format!("cal.hours.{day}")))
                    }
                    (field_error(errors, "cal.hours"))
                    label for="c-hol" { (t!("sla-admin-holidays")) } input #c-hol name="holidays" placeholder="2026-12-25, 2026-12-26";
                    (field_error(errors, "cal.holidays"))
                    button type="submit" { (t!("sla-admin-add-calendar-button")) }
                }
            }
        },
    )
}

/// A queue cell: when the most urgent SLA clock falls due, or how long ago it breached.
pub fn due_cell(now: i64, due: Option<i64>) -> Markup {
    html! {
        @match due {
            Some(d) if d <= now => { span.badge.sla-breached { (t!("sla-state-breached")) } " " (ago(now, d)) },
            Some(d) => (time(d)),
            None => "—",
        }
    }
}
