//! Report views: the `/reports` dashboard (headline cards, server-side SVG charts, tables with
//! CSV links), one report as a table, and the customer's rating page.

use super::layout::{Frame, page};
use crate::auth::AgentRef;
use crate::reports::csat::{Given, Rating};
use crate::reports::metrics::iso;
use crate::reports::svg::{bar_chart, line_chart};
use crate::reports::{Cell, Params, RawParams, Table, stats};
use crate::tickets::Ticket;
use maud::{Markup, html};

pub struct Dashboard {
    pub summary: Table,
    pub volume: Table,
    pub distribution: Table,
    pub backlog: Table,
    pub tags: Table,
    pub terms: Table,
    pub sla_trend: Table,
    pub agents: Table,
    pub teams: Vec<(i64, String)>,
}

/// The query string that reproduces the current period and team.
fn query(p: &Params) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut q = format!("from={}&to={}", enc(&iso(p.from)), enc(&iso(p.to)));
    if let Some(t) = p.team {
        q.push_str(&format!("&team={t}"));
    }
    q
}

/// The period as local dates for the date inputs (`to` shown inclusive).
fn dates(p: &Params) -> (String, String) {
    (
        stats::local_date(p.tz, p.from)
            .format("%Y-%m-%d")
            .to_string(),
        stats::local_date(p.tz, p.to - 1)
            .format("%Y-%m-%d")
            .to_string(),
    )
}

fn picker(action: &str, p: &Params, raw: &RawParams, teams: &[(i64, String)]) -> Markup {
    let (from, to) = dates(p);
    html! {
        form.filters method="get" action=(action) {
            label { "From " input type="date" name="from" value=(from); }
            label { "To " input type="date" name="to" value=(to); }
            label { "Team "
                select name="team" {
                    option value="" { "All teams" }
                    @for (id, name) in teams {
                        option value=(id) selected[p.team == Some(*id)] { (name) }
                    }
                }
            }
            @if let Some(by) = raw.by.as_deref() { input type="hidden" name="by" value=(by); }
            @if let Some(tag) = p.tag.as_deref() { input type="hidden" name="tag" value=(tag); }
            @if let Some(term) = p.term.as_deref() { input type="hidden" name="term" value=(term); }
            button type="submit" { "Show" }
        }
    }
}

fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Null => "no data".into(),
        other => other.display(),
    }
}

/// A report table; `link` columns become links on the first column; empty tables say "no data".
pub fn table(t: &Table) -> Markup {
    let link_col = t.columns.iter().position(|c| *c == "link");
    html! {
        @if let Some(note) = &t.note { p.muted.note { (note) } }
        @if t.rows.is_empty() {
            p.no-data { "no data" }
        } @else {
            div.table-wrap {
                table.report {
                    thead { tr { @for (i, c) in t.columns.iter().enumerate() { @if Some(i) != link_col { th scope="col" { (c.replace('_', " ")) } } } } }
                    tbody {
                        @for row in &t.rows {
                            tr {
                                @for (i, c) in row.iter().enumerate() {
                                    @if Some(i) != link_col {
                                        td {
                                            @match (i, link_col.and_then(|l| row.get(l))) {
                                                (0, Some(Cell::Text(href))) => a href=(href) { (cell_text(c)) },
                                                _ => (cell_text(c)),
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn csv_link(name: &str, p: &Params) -> Markup {
    html! { a.csv href={"/reports/" (name) "/csv?" (query(p))} download { "CSV" } }
}

fn card(t: &Table, metric: &str, label: &str, unit: &str) -> Markup {
    let row = t
        .rows
        .iter()
        .find(|r| matches!(r.first(), Some(Cell::Text(m)) if m == metric));
    let value = row.and_then(|r| r.get(1)).cloned().unwrap_or(Cell::Null);
    let change = row.and_then(|r| r.get(3)).cloned().unwrap_or(Cell::Null);
    html! {
        div.stat-card {
            div.stat-label { (label) }
            div.stat-value {
                @match &value { Cell::Null => span.muted { "no data" }, v => { (v.display()) (unit) } }
            }
            div.stat-change {
                @match &change {
                    Cell::Num(c) => { (if *c > 0.0 { "▲ " } else if *c < 0.0 { "▼ " } else { "" }) (format!("{:+}", c)) "% vs previous period" },
                    _ => span.muted { "no previous data" },
                }
            }
        }
    }
}

fn ints(t: &Table, column: &str) -> Vec<Option<f64>> {
    (0..t.rows.len())
        .map(|i| match t.get(i, column) {
            Some(Cell::Int(n)) => Some(*n as f64),
            Some(Cell::Num(n)) => Some(*n),
            _ => None,
        })
        .collect()
}

fn texts(t: &Table, column: &str) -> Vec<String> {
    (0..t.rows.len())
        .map(|i| t.get(i, column).map(Cell::display).unwrap_or_default())
        .collect()
}

pub fn dashboard(
    agent: &AgentRef,
    csrf: &str,
    p: &Params,
    raw: &RawParams,
    d: &Dashboard,
) -> Markup {
    let labels = texts(&d.volume, "bucket");
    let volume_chart = line_chart(
        "Created vs solved",
        &labels,
        &[
            ("created", ints(&d.volume, "created")),
            ("solved", ints(&d.volume, "solved")),
        ],
    );
    let backlog_chart = line_chart(
        "Open backlog at the end of each period",
        &labels,
        &[("open", ints(&d.volume, "open_at_end"))],
    );
    let distribution = bar_chart(
        "Resolution time distribution (tickets solved)",
        &texts(&d.distribution, "bucket")
            .into_iter()
            .zip(ints(&d.distribution, "tickets"))
            .map(|(l, v)| (l, v.unwrap_or(0.0), None))
            .collect::<Vec<_>>(),
    );
    let mut ages: Vec<(String, f64, Option<String>)> = crate::reports::metrics::AGE_BUCKETS
        .iter()
        .map(|a| (a.to_string(), 0.0, None))
        .collect();
    for i in 0..d.backlog.rows.len() {
        if let (Some(Cell::Text(age)), Some(Cell::Int(n))) =
            (d.backlog.get(i, "age"), d.backlog.get(i, "tickets"))
            && let Some(slot) = ages.iter_mut().find(|a| &a.0 == age)
        {
            slot.1 += *n as f64;
        }
    }
    let backlog_age = bar_chart("Open tickets by age (now)", &ages);
    let top = |t: &Table, col: &str| -> Vec<(String, f64, Option<String>)> {
        (0..t.rows.len().min(10))
            .map(|i| {
                (
                    t.get(i, col).map(Cell::display).unwrap_or_default(),
                    match t.get(i, "tickets") {
                        Some(Cell::Int(n)) => *n as f64,
                        _ => 0.0,
                    },
                    t.get(i, "link").map(Cell::display),
                )
            })
            .collect()
    };
    let (top_title, top_bars) = if d.tags.rows.is_empty() {
        ("Top subject terms", top(&d.terms, "term"))
    } else {
        ("Top tags", top(&d.tags, "tag"))
    };
    let sla_chart = if d.sla_trend.note.is_some() && d.sla_trend.rows.is_empty() {
        html! { figure.chart { figcaption { "SLA compliance" } p.no-data { (d.sla_trend.note.clone().unwrap_or_default()) } } }
    } else {
        let buckets = stats::buckets(p.from, p.to, p.interval, p.tz);
        let labels: Vec<String> = buckets
            .iter()
            .map(|b| stats::local_date(p.tz, *b).format("%Y-%m-%d").to_string())
            .collect();
        let mut series: Vec<(String, Vec<Option<f64>>)> = Vec::new();
        for i in 0..d.sla_trend.rows.len() {
            let (Some(b), Some(m)) = (d.sla_trend.get(i, "bucket"), d.sla_trend.get(i, "metric"))
            else {
                continue;
            };
            let Some(pos) = labels.iter().position(|l| *l == b.display()) else {
                continue;
            };
            let idx = match series.iter().position(|s| s.0 == m.display()) {
                Some(idx) => idx,
                None => {
                    series.push((m.display(), vec![None; labels.len()]));
                    series.len() - 1
                }
            };
            if let Some(Cell::Num(v)) = d.sla_trend.get(i, "compliance_pct") {
                series[idx].1[pos] = Some(*v);
            }
        }
        let series: Vec<(&str, Vec<Option<f64>>)> = series
            .iter()
            .map(|(n, v)| (n.as_str(), v.clone()))
            .collect();
        line_chart("SLA compliance % (by due date)", &labels, &series)
    };
    let q = query(p);
    page(
        &Frame {
            title: "Reports",
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card {
                h1 { "Reports" }
                (picker("/reports", p, raw, &d.teams))
                div.stat-cards {
                    (card(&d.summary, "tickets_created", "Tickets created", ""))
                    (card(&d.summary, "tickets_solved", "Tickets solved", ""))
                    (card(&d.summary, "median_first_response_h", "Median first response", " h"))
                    (card(&d.summary, "median_resolution_h", "Median resolution", " h"))
                    (card(&d.summary, "median_resolution_business_h", "Median resolution (business)", " h"))
                    (card(&d.summary, "reopen_rate_pct", "Reopen rate", " %"))
                    (card(&d.summary, "one_touch_rate_pct", "One-touch resolution", " %"))
                    (card(&d.summary, "csat_pct", "CSAT", " %"))
                    (card(&d.summary, "sla_compliance_pct", "SLA compliance", " %"))
                }
                p { "Headline numbers " (csv_link("summary", p)) }
            }
            section.card.charts {
                (volume_chart)
                (backlog_chart)
                (distribution)
                (backlog_age)
                (bar_chart(top_title, &top_bars))
                (sla_chart)
            }
            section.card {
                h2 { "Agent performance " (csv_link("agents", p)) }
                (table(&d.agents))
            }
            section.card {
                h2 { "All reports" }
                ul.report-list {
                    @for (name, title) in crate::reports::REPORTS {
                        @if *name != "tickets" {
                            li { a href={"/reports/" (name) "?" (q)} { (title) } " · " (csv_link(name, p)) }
                        }
                    }
                }
            }
        },
    )
}

#[allow(clippy::too_many_arguments)]
pub fn report_page(
    agent: &AgentRef,
    csrf: &str,
    name: &str,
    title: &str,
    p: &Params,
    raw: &RawParams,
    teams: &[(i64, String)],
    t: &Table,
) -> Markup {
    let mut csv_query = query(p);
    for (k, v) in [
        ("by", raw.by.as_deref()),
        ("tag", p.tag.as_deref()),
        ("term", p.term.as_deref()),
    ] {
        if let Some(v) = v {
            csv_query.push_str(&format!(
                "&{k}={}",
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            ));
        }
    }
    page(
        &Frame {
            title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card {
                p { a href={"/reports?" (query(p))} { "← Reports" } }
                h1 { (title) }
                @if let Some(tag) = &p.tag { p { "Tag: " strong { (tag) } } }
                @if let Some(term) = &p.term { p { "Subject term: " strong { (term) } } }
                (picker(&format!("/reports/{name}"), p, raw, teams))
                p { a.csv href={"/reports/" (name) "/csv?" (csv_query)} download { "Download CSV" } }
                (table(t))
            }
        },
    )
}

/// The customer's rating page: the two choices, and a comment box once they have chosen.
/// Where the customer is on the rating page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateStep {
    /// Choosing; the link they followed may have proposed a rating.
    Choosing(Option<Rating>),
    /// Their rating was just saved.
    Saved,
}

pub fn rate_page(
    csrf: &str,
    token: &str,
    ticket: &Ticket,
    given: Option<&Given>,
    step: RateStep,
) -> Markup {
    let title = format!("Rate request #{}", ticket.id);
    let proposed = match step {
        RateStep::Choosing(p) => p,
        RateStep::Saved => None,
    };
    let chosen = proposed.or(given.map(|g| g.rating));
    page(
        &Frame {
            title: &title,
            agent: None,
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { "How did we do with request #" (ticket.id) "?" }
                p.muted { (ticket.subject) }
                @if step == RateStep::Saved && given.is_some() {
                    div.flash role="status" { p { "Thank you — your rating is saved. You can change it or add a comment below." } }
                }
                @if let Some(r) = proposed {
                    p role="status" { "You chose " strong { (r.as_str()) } ". Press “Save rating” to send it, with a comment if you like." }
                }
                @if !matches!(ticket.status.as_str(), "solved" | "closed") {
                    p { "You can rate this request once it is solved." }
                } @else {
                    form method="post" action={"/t/" (token) "/rate"} {
                        input type="hidden" name="csrf" value=(csrf);
                        fieldset {
                            legend { "Your rating" }
                            label { input type="radio" name="rating" value="good" checked[chosen == Some(Rating::Good)]; " 👍 Good" }
                            label { input type="radio" name="rating" value="bad" checked[chosen == Some(Rating::Bad)]; " 👎 Bad" }
                        }
                        label for="comment" { "Comment (optional)" }
                        textarea id="comment" name="comment" rows="4" maxlength="2000" {
                            (given.and_then(|g| g.comment.clone()).unwrap_or_default())
                        }
                        button type="submit" { "Save rating" }
                    }
                }
                p { a href={"/t/" (token)} { "Back to your request" } }
            }
        },
    )
}

/// The rating panel on the customer's ticket page (only for solved and closed tickets).
pub fn csat_panel(token: &str, ticket: &Ticket, given: Option<&Given>) -> Markup {
    html! {
        @if matches!(ticket.status.as_str(), "solved" | "closed") {
            section.csat aria-label="Rate this request" {
                p {
                    @match given.map(|g| g.rating) {
                        Some(r) => { "You rated this request " strong { (r.as_str()) } ". Change it: " },
                        None => "How did we do? ",
                    }
                    a href={"/t/" (token) "/rate?r=good"} { "👍 Good" } " · "
                    a href={"/t/" (token) "/rate?r=bad"} { "👎 Bad" }
                }
            }
        }
    }
}
