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
            label { (t!("reports-filter-from")) " " input type="date" name="from" value=(from); }
            label { (t!("reports-filter-to")) " " input type="date" name="to" value=(to); }
            label { (t!("reports-filter-team")) " "
                select name="team" {
                    option value="" { (t!("reports-filter-all-teams")) }
                    @for (id, name) in teams {
                        option value=(id) selected[p.team == Some(*id)] dir="auto" { (name) }
                    }
                }
            }
            @if let Some(by) = raw.by.as_deref() { input type="hidden" name="by" value=(by); }
            @if let Some(tag) = p.tag.as_deref() { input type="hidden" name="tag" value=(tag); }
            @if let Some(term) = p.term.as_deref() { input type="hidden" name="term" value=(term); }
            button type="submit" { (t!("reports-filter-show")) }
        }
    }
}

/// A report column's heading, in the current language.
fn column_heading(column: &str) -> String {
    // The English headings are the column names with spaces; other languages have no
    // underscores in theirs.
    crate::reports::column_label(column).replace('_', " ")
}

/// A value Casebook itself wrote into a report (a metric, a bucket, a group), in the current
/// language; `None` for data (names, tags, subjects, dates).
fn known_value(column: &str, value: &str) -> Option<String> {
    let text = match (column, value) {
        ("metric", m) => metric_name(m)?,
        ("age" | "bucket", b) => bucket_name(b)?,
        ("group", "(all)") => t!("reports-group-all"),
        ("group", "(no team)") => t!("reports-group-no-team"),
        ("group", "all") => t!("reports-churn-all"),
        ("group", "had a breached ticket") => t!("reports-churn-breached"),
        ("group", "no breached ticket") => t!("reports-churn-not-breached"),
        ("group", "had a slow resolution") => t!("reports-churn-slow"),
        ("group", "no slow resolution") => t!("reports-churn-not-slow"),
        ("group", "gave a bad CSAT rating") => t!("reports-churn-bad-csat"),
        ("group", "no bad CSAT rating") => t!("reports-churn-no-bad-csat"),
        ("outcome", "churned") => t!("reports-outcome-churned"),
        ("outcome", "retained") => t!("reports-outcome-retained"),
        ("breached_ticket" | "slow_resolution" | "bad_csat", "yes") => t!("yes"),
        ("breached_ticket" | "slow_resolution" | "bad_csat", "no") => t!("no"),
        ("status", s) => status_name(s)?,
        ("by", b) => dimension_name(b)?,
        _ => return None,
    };
    Some(text)
}

/// A ticket status's name in the current language.
fn status_name(status: &str) -> Option<String> {
    status
        .parse::<crate::domain::Status>()
        .ok()
        .map(|s| crate::i18n::status_name(s.as_str()))
}

fn dimension_name(by: &str) -> Option<String> {
    Some(match by {
        "all" => t!("reports-by-all"),
        "team" => t!("reports-by-team"),
        "agent" => t!("reports-by-agent"),
        "channel" => t!("reports-by-channel"),
        "priority" => t!("reports-by-priority"),
        "segment" => t!("reports-by-segment"),
        _ => return None,
    })
}

/// A metric's name (summary metrics, durations and SLA targets) in the current language.
fn metric_name(metric: &str) -> Option<String> {
    Some(match metric {
        "tickets_created" => t!("reports-metric-tickets-created"),
        "tickets_solved" => t!("reports-metric-tickets-solved"),
        "median_first_response_h" => t!("reports-metric-median-first-response-h"),
        "median_first_response_business_h" => {
            t!("reports-metric-median-first-response-business-h")
        }
        "median_resolution_h" => t!("reports-metric-median-resolution-h"),
        "median_resolution_business_h" => t!("reports-metric-median-resolution-business-h"),
        "p90_resolution_h" => t!("reports-metric-p90-resolution-h"),
        "reopen_rate_pct" => t!("reports-metric-reopen-rate-pct"),
        "one_touch_rate_pct" => t!("reports-metric-one-touch-rate-pct"),
        "csat_pct" => t!("reports-metric-csat-pct"),
        "csat_ratings" => t!("reports-metric-csat-ratings"),
        "sla_compliance_pct" => t!("reports-metric-sla-compliance-pct"),
        "first_response" => t!("reports-metric-first-response"),
        "next_response" => t!("reports-metric-next-response"),
        "resolution" => t!("reports-metric-resolution"),
        _ => return None,
    })
}

/// An age or duration bucket's label in the current language.
fn bucket_name(bucket: &str) -> Option<String> {
    Some(match bucket {
        "< 1 day" => t!("reports-bucket-under-1-day"),
        "1–3 days" => t!("reports-bucket-1-3-days"),
        "3–7 days" => t!("reports-bucket-3-7-days"),
        "7–30 days" => t!("reports-bucket-7-30-days"),
        "> 30 days" => t!("reports-bucket-over-30-days"),
        "< 1 h" => t!("reports-bucket-under-1-h"),
        "1–4 h" => t!("reports-bucket-1-4-h"),
        "4–8 h" => t!("reports-bucket-4-8-h"),
        "8–24 h" => t!("reports-bucket-8-24-h"),
        "> 7 days" => t!("reports-bucket-over-7-days"),
        _ => return None,
    })
}

/// A number for the reader.
fn number_text(c: &Cell) -> String {
    c.display()
}

/// How a cell of `column` reads on the page: Casebook's own values translated, numbers in the
/// language's digits, data as it is; an empty cell says "no data".
fn cell_text(column: &str, c: &Cell) -> Markup {
    match c {
        Cell::Null => html! { (t!("reports-no-data")) },
        Cell::Int(_) | Cell::Num(_) => html! { (number_text(c)) },
        Cell::Text(s) => match known_value(column, s) {
            Some(text) => html! { (text) },
            None => html! { bdi { (s) } },
        },
    }
}

/// A report table; `link` columns become links on the first column; empty tables say "no data".
pub fn table(t: &Table) -> Markup {
    let link_col = t.columns.iter().position(|c| *c == "link");
    html! {
        @if let Some(note) = &t.note { p.muted.note { (note) } }
        @if t.rows.is_empty() {
            p.no-data { (t!("reports-no-data")) }
        } @else {
            div.table-wrap {
                table.report {
                    thead { tr { @for (i, c) in t.columns.iter().enumerate() { @if Some(i) != link_col { th scope="col" { (column_heading(c)) } } } } }
                    tbody {
                        @for row in &t.rows {
                            tr {
                                @for (i, c) in row.iter().enumerate() {
                                    @if Some(i) != link_col {
                                        @let column = t.columns.get(i).copied().unwrap_or_default();
                                        td {
                                            @match (i, link_col.and_then(|l| row.get(l))) {
                                                (0, Some(Cell::Text(href))) => a href=(href) { (cell_text(column, c)) },
                                                _ => (cell_text(column, c)),
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
    html! { a.csv href={"/reports/" (name) "/csv?" (query(p))} download { (t!("reports-csv")) } }
}

/// The unit a headline number is shown in.
#[derive(Clone, Copy)]
enum Unit {
    Count,
    Hours,
    Percent,
}

fn card(t: &Table, metric: &str, label: &str, unit: Unit) -> Markup {
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
                @match (&value, unit) {
                    (Cell::Null, _) => span.muted { (t!("reports-no-data")) },
                    (v, Unit::Count) => (number_text(v)),
                    (Cell::Num(h), Unit::Hours) => (t!("reports-value-hours", hours = *h)),
                    (Cell::Num(pct), Unit::Percent) => (t!("reports-value-percent", value = *pct)),
                    (v, _) => (number_text(v)),
                }
            }
            div.stat-change {
                @match &change {
                    Cell::Num(c) => {
                        span aria-hidden="true" { (if *c > 0.0 { "▲ " } else if *c < 0.0 { "▼ " } else { "" }) }
                        (t!("reports-change-vs-previous", change = format!("{:+}", c)))
                    },
                    _ => span.muted { (t!("reports-no-previous-data")) },
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
    let (created, solved, open) = (
        t!("reports-series-created"),
        t!("reports-series-solved"),
        t!("reports-series-open"),
    );
    let tickets = t!("reports-col-tickets");
    let volume_chart = line_chart(
        &t!("reports-chart-created-vs-solved"),
        &labels,
        &[
            (&created, ints(&d.volume, "created")),
            (&solved, ints(&d.volume, "solved")),
        ],
    );
    let backlog_chart = line_chart(
        &t!("reports-chart-backlog"),
        &labels,
        &[(&open, ints(&d.volume, "open_at_end"))],
    );
    let distribution = bar_chart(
        &t!("reports-chart-resolution-distribution"),
        &tickets,
        &texts(&d.distribution, "bucket")
            .into_iter()
            .zip(ints(&d.distribution, "tickets"))
            .map(|(l, v)| (bucket_name(&l).unwrap_or(l), v.unwrap_or(0.0), None))
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
    let ages: Vec<(String, f64, Option<String>)> = ages
        .into_iter()
        .map(|(a, n, l)| (bucket_name(&a).unwrap_or(a), n, l))
        .collect();
    let backlog_age = bar_chart(&t!("reports-chart-backlog-age"), &tickets, &ages);
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
        (t!("reports-chart-top-terms"), top(&d.terms, "term"))
    } else {
        (t!("reports-chart-top-tags"), top(&d.tags, "tag"))
    };
    let sla_chart = if d.sla_trend.note.is_some() && d.sla_trend.rows.is_empty() {
        html! { figure.chart { figcaption { (t!("reports-chart-sla")) } p.no-data { (d.sla_trend.note.clone().unwrap_or_default()) } } }
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
        let series: Vec<(String, Vec<Option<f64>>)> = series
            .into_iter()
            .map(|(n, v)| (metric_name(&n).unwrap_or(n), v))
            .collect();
        let series: Vec<(&str, Vec<Option<f64>>)> = series
            .iter()
            .map(|(n, v)| (n.as_str(), v.clone()))
            .collect();
        line_chart(&t!("reports-chart-sla-trend"), &labels, &series)
    };
    let q = query(p);
    let title = t!("reports-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card {
                h1 { (title) }
                (picker("/reports", p, raw, &d.teams))
                div.stat-cards {
                    (card(&d.summary, "tickets_created", &t!("reports-card-tickets-created"), Unit::Count))
                    (card(&d.summary, "tickets_solved", &t!("reports-card-tickets-solved"), Unit::Count))
                    (card(&d.summary, "median_first_response_h", &t!("reports-card-median-first-response"), Unit::Hours))
                    (card(&d.summary, "median_resolution_h", &t!("reports-card-median-resolution"), Unit::Hours))
                    (card(&d.summary, "median_resolution_business_h", &t!("reports-card-median-resolution-business"), Unit::Hours))
                    (card(&d.summary, "reopen_rate_pct", &t!("reports-card-reopen-rate"), Unit::Percent))
                    (card(&d.summary, "one_touch_rate_pct", &t!("reports-card-one-touch"), Unit::Percent))
                    (card(&d.summary, "csat_pct", &t!("reports-card-csat"), Unit::Percent))
                    (card(&d.summary, "sla_compliance_pct", &t!("reports-card-sla-compliance"), Unit::Percent))
                }
                p { (t!("reports-headline-numbers")) " " (csv_link("summary", p)) }
            }
            section.card.charts {
                (volume_chart)
                (backlog_chart)
                (distribution)
                (backlog_age)
                (bar_chart(&top_title, &tickets, &top_bars))
                (sla_chart)
            }
            section.card {
                h2 { (t!("reports-agent-performance")) " " (csv_link("agents", p)) }
                (table(&d.agents))
            }
            section.card {
                h2 { (t!("reports-all-reports")) }
                ul.report-list {
                    @for (name, _) in crate::reports::REPORTS {
                        @if *name != "tickets" {
                            li { a href={"/reports/" (name) "?" (q)} { (crate::reports::title_text(name)) } " · " (csv_link(name, p)) }
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
                p { a href={"/reports?" (query(p))} { (t!("reports-back")) } }
                h1 { (title) }
                @if let Some(tag) = &p.tag { p { (t!("reports-tag-label")) " " strong dir="auto" { (tag) } } }
                @if let Some(term) = &p.term { p { (t!("reports-term-label")) " " strong dir="auto" { (term) } } }
                (picker(&format!("/reports/{name}"), p, raw, teams))
                p { a.csv href={"/reports/" (name) "/csv?" (csv_query)} download { (t!("reports-download-csv")) } }
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
    let title = t!("reports-rate-title", id = ticket.id);
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
                h1 { (t!("reports-rate-heading", id = ticket.id)) }
                p.muted dir="auto" { (ticket.subject) }
                @if step == RateStep::Saved && given.is_some() {
                    div.flash role="status" { p { (t!("reports-rate-saved")) } }
                }
                @if let Some(r) = proposed {
                    p role="status" { (t!("reports-rate-chosen", rating = rating_name(r))) }
                }
                @if !matches!(ticket.status.as_str(), "solved" | "closed") {
                    p { (t!("reports-rate-not-solved")) }
                } @else {
                    form method="post" action={"/t/" (token) "/rate"} {
                        input type="hidden" name="csrf" value=(csrf);
                        fieldset {
                            legend { (t!("reports-rate-your-rating")) }
                            label { input type="radio" name="rating" value="good" checked[chosen == Some(Rating::Good)]; " 👍 " (t!("reports-rating-good")) }
                            label { input type="radio" name="rating" value="bad" checked[chosen == Some(Rating::Bad)]; " 👎 " (t!("reports-rating-bad")) }
                        }
                        label for="comment" { (t!("reports-rate-comment")) }
                        textarea id="comment" name="comment" rows="4" maxlength="2000" dir="auto" {
                            (given.and_then(|g| g.comment.clone()).unwrap_or_default())
                        }
                        button type="submit" { (t!("reports-rate-save")) }
                    }
                }
                p { a href={"/t/" (token)} { (t!("reports-rate-back")) } }
            }
        },
    )
}

/// The rating panel on the customer's ticket page (only for solved and closed tickets).
pub fn csat_panel(token: &str, ticket: &Ticket, given: Option<&Given>) -> Markup {
    html! {
        @if matches!(ticket.status.as_str(), "solved" | "closed") {
            section.csat aria-label=(t!("reports-rate-panel")) {
                p {
                    @match given.map(|g| g.rating) {
                        Some(r) => { (t!("reports-rate-given", rating = rating_name(r))) " " },
                        None => { (t!("reports-rate-ask")) " " },
                    }
                    a href={"/t/" (token) "/rate?r=good"} { "👍 " (t!("reports-rating-good")) } " · "
                    a href={"/t/" (token) "/rate?r=bad"} { "👎 " (t!("reports-rating-bad")) }
                }
            }
        }
    }
}

/// A rating's name as the customer reads it ("good", "bad").
fn rating_name(r: Rating) -> String {
    match r {
        Rating::Good => t!("reports-rating-good-word"),
        Rating::Bad => t!("reports-rating-bad-word"),
    }
}
