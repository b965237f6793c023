//! The report queries. Counts and sums are computed by the database. Durations (calendar and
//! business time) come from the report facts (`facts`), which a report refreshes once before it
//! reads them. Medians and 90th percentiles of all tickets, per team and per agent come from the
//! day counts of `report_duration` plus one indexed read at the wanted rank ([`period_counts`],
//! [`value_at`]); other breakdowns are computed by the database, or on SQLite ranked here.

use super::facts::{MEASURES, SLA_METRICS};
use super::stats::{self, Summary, hours, percent};
use super::{Cell, Dimension, Params, Table};
use crate::customers::crm::{Currency, format_amount};
use crate::db::{Backend, Db, Sql};
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashMap, HashSet};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;
const ALL: &str = "(all)";

/// Runs `sql` with the parameters bound in `binds`.
async fn rows(db: &Db, sql: String, binds: &Sql) -> AppResult<Vec<AnyRow>> {
    Ok(binds.query_text(sql).fetch_all(&db.pool).await?)
}

/// ` AND alias.team_id = $n` when the report is filtered to a team; pushes the parameter.
fn team(p: &Params, alias: &str, binds: &mut Sql) -> String {
    match p.team {
        Some(t) => format!(" AND {alias}.team_id = {}", binds.param(t)),
        None => String::new(),
    }
}

/// The SQL expression (over ticket `t`) and joins a breakdown groups by.
fn dimension_sql(backend: Backend, d: Dimension) -> (String, &'static str) {
    match d {
        Dimension::All => (format!("'{ALL}'"), ""),
        Dimension::Team => (
            "COALESCE(tm.name, '(no team)')".into(),
            " LEFT JOIN team tm ON tm.team_id = t.team_id",
        ),
        Dimension::Agent => (
            "COALESCE(ag.name, '(unassigned)')".into(),
            " LEFT JOIN agent ag ON ag.agent_id = t.assignee_id",
        ),
        Dimension::Channel => ("t.channel".into(), ""),
        Dimension::Priority => ("t.priority".into(), ""),
        Dimension::Segment => {
            // The customer's latest `segment` attribute, else their current plan (as
            // `crm::attributes` reads them).
            let seg = backend.json_text("e.attributes", "segment");
            let plan = backend.json_text("e.attributes", "plan");
            (
                format!(
                    "COALESCE((SELECT LOWER({seg}) FROM crm_event e WHERE e.customer_id = t.customer_id AND {seg} IS NOT NULL
                        ORDER BY e.occurred_at DESC, e.crm_event_id DESC LIMIT 1),
                     (SELECT LOWER({plan}) FROM crm_event e WHERE e.customer_id = t.customer_id AND e.kind = 'subscription'
                        ORDER BY e.occurred_at DESC, e.crm_event_id DESC LIMIT 1), '(none)')"
                ),
                "",
            )
        }
    }
}

/// Which duration a report measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duration {
    /// Created → first public agent reply, for tickets created in the period.
    FirstResponse,
    /// Created → (last) solve, for tickets solved in the period.
    Resolution,
}

impl Duration {
    fn as_str(self) -> &'static str {
        match self {
            Duration::FirstResponse => "first_response",
            Duration::Resolution => "resolution",
        }
    }

    /// Its calendar-time measure of `report_duration`; the business-time one follows it.
    fn measure(self) -> i64 {
        match self {
            Duration::FirstResponse => 0,
            Duration::Resolution => 2,
        }
    }

    /// The report-fact columns of the duration: (period column, calendar ms, business ms).
    fn fact_columns(self) -> (&'static str, &'static str, &'static str) {
        let [(calendar, period), (business, _)] =
            [0, 1].map(|i| MEASURES[self.measure() as usize + i]);
        (period, calendar, business)
    }
}

/// Calendar and business-hours summaries of one duration, for all tickets (`(all)`) and per group.
#[derive(Debug, Clone, Copy, Default)]
struct Stats {
    calendar: Summary,
    business: Summary,
}

/// Summaries of a duration from the report facts (refreshed by the caller): `(all)` and, unless
/// `dimension` is `All`, each of its groups. All tickets and teams come from the duration counts;
/// other breakdowns from one pass over the period's facts.
async fn duration_stats(
    db: &Db,
    p: &Params,
    what: Duration,
    dimension: Dimension,
) -> AppResult<BTreeMap<String, Stats>> {
    if matches!(dimension, Dimension::All | Dimension::Team)
        && let Some(out) = counted_stats(db, p, what, dimension == Dimension::Team).await?
    {
        return Ok(out);
    }
    let (key, joins) = dimension_sql(db.backend, dimension);
    let by = (dimension != Dimension::All).then_some((key.as_str(), joins));
    group_stats(db, p, what, by, true).await
}

/// Whole days `[from, to)` as day numbers, if any, and the instants `[lo, hi)` outside them.
type DaySpan = (Option<(i64, i64)>, Vec<(Millis, Millis)>);

/// The period cut at local midnights of the report time zone (in which the facts' days are
/// counted): the whole days inside it as day numbers `[from, to)`, if any, and the parts before
/// the first and after the last midnight.
fn day_span(p: &Params) -> DaySpan {
    let tz = p.calendar.time_zone();
    let date = stats::local_date(tz, p.from);
    let first = match stats::local_start(tz, date) {
        start if start == p.from => start,
        _ => date
            .succ_opt()
            .map_or(p.to, |next| stats::local_start(tz, next)),
    };
    let last = stats::local_start(tz, stats::local_date(tz, p.to));
    if first >= last {
        return (None, vec![(p.from, p.to)]);
    }
    let edges = [(p.from, first), (last, p.to)]
        .into_iter()
        .filter(|(lo, hi)| lo < hi)
        .collect();
    let days = (
        super::facts::day_number(tz, first),
        super::facts::day_number(tz, last),
    );
    (Some(days), edges)
}

/// Counts of `measures` (of `report_duration`) over the period, as (group, measure, bucket) →
/// (count, sum): the day counts for its whole days, and the facts themselves for the parts of a
/// day at either end. The group is the team (0 for none), or the assignee for
/// [`RESOLUTION_BY_ASSIGNEE`](super::facts::RESOLUTION_BY_ASSIGNEE); the team filter applies to
/// team groups.
async fn period_counts(
    db: &Db,
    p: &Params,
    measures: &[i64],
) -> AppResult<HashMap<(i64, i64, i64), (i64, i64)>> {
    use super::facts::{CREATED, RESOLUTION_BY_ASSIGNEE, SOLVED, bucket};
    let mut out: HashMap<(i64, i64, i64), (i64, i64)> = HashMap::new();
    let (days, edges) = day_span(p);
    let list = measures
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if let Some((from_day, to_day)) = days {
        let mut binds = Sql::with_values([from_day, to_day]);
        let team = match p.team {
            Some(t) => format!(" AND group_id = {}", binds.param(t)),
            None => String::new(),
        };
        let sql = format!(
            "SELECT group_id, measure, bucket, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(total) AS BIGINT) AS total
             FROM report_duration WHERE measure IN ({list}) AND day >= $1 AND day < $2{team}
             GROUP BY group_id, measure, bucket"
        );
        for r in rows(db, sql, &binds).await? {
            let key = (
                r.try_get("group_id")?,
                r.try_get("measure")?,
                r.try_get("bucket")?,
            );
            let e = out.entry(key).or_default();
            e.0 += r.try_get::<i64, _>("n")?;
            e.1 += r.try_get::<i64, _>("total")?;
        }
    }
    for (lo, hi) in edges {
        for &measure in measures {
            // (period column, value, bucket) of the measure's facts; a duration's bucket is
            // computed here from its value.
            let (period, value, flags) = match measure {
                CREATED => ("created_at", "0", "0"),
                SOLVED => ("solved_at", "0", "2 * f.reopened + f.one_touch"),
                RESOLUTION_BY_ASSIGNEE => ("solved_at", "resolution_ms", "0"),
                m => (MEASURES[m as usize].1, MEASURES[m as usize].0, "0"),
            };
            let group = if measure == RESOLUTION_BY_ASSIGNEE {
                "f.assignee_id"
            } else {
                "f.team_id"
            };
            let mut binds = Sql::with_values([lo, hi]);
            let team = team(p, "f", &mut binds);
            let sql = format!(
                "SELECT COALESCE({group}, 0) AS g, CAST({value} AS BIGINT) AS v, CAST({flags} AS BIGINT) AS b
                 FROM report_ticket f WHERE f.{period} >= $1 AND f.{period} < $2
                    AND {value} IS NOT NULL{team}"
            );
            let durations = value != "0";
            for r in rows(db, sql, &binds).await? {
                let (g, v, b): (i64, i64, i64) =
                    (r.try_get("g")?, r.try_get("v")?, r.try_get("b")?);
                let bucket = if durations { bucket(v) } else { b };
                let e = out.entry((g, measure, bucket)).or_default();
                e.0 += 1;
                e.1 += v;
            }
        }
    }
    Ok(out)
}

/// Tickets created, and (solved, reopened, one-touch) of those solved, in the period, from the
/// day counts (refreshed by the caller).
async fn volume_and_quality(db: &Db, p: &Params) -> AppResult<(i64, (i64, i64, i64))> {
    use super::facts::{CREATED, SOLVED};
    let (mut created, mut solved, mut reopened, mut one_touch) = (0, 0, 0, 0);
    for ((_, measure, bucket), (n, _)) in period_counts(db, p, &[CREATED, SOLVED]).await? {
        if measure == CREATED {
            created += n;
        } else {
            solved += n;
            reopened += if bucket & 2 != 0 { n } else { 0 };
            one_touch += if bucket & 1 != 0 { n } else { 0 };
        }
    }
    Ok((created, (solved, reopened, one_touch)))
}

/// Per assignee (keyed by id, `""` for none): tickets solved in the period, their median and
/// mean resolution time, from the duration counts kept per assignee; `None` with a team filter
/// (the counts per assignee are not split by team). The 90th percentile is not read (the agents
/// report shows the median).
async fn counted_by_assignee(db: &Db, p: &Params) -> AppResult<Option<HashMap<String, Summary>>> {
    use super::facts::RESOLUTION_BY_ASSIGNEE;
    if p.team.is_some() {
        return Ok(None);
    }
    let mut counts: BTreeMap<i64, BTreeMap<i64, (i64, i64)>> = BTreeMap::new();
    for ((agent, _, bucket), (n, total)) in period_counts(db, p, &[RESOLUTION_BY_ASSIGNEE]).await? {
        let e = counts.entry(agent).or_default().entry(bucket).or_default();
        e.0 += n;
        e.1 += total;
    }
    let mut pending = Vec::new();
    for (agent, buckets) in counts {
        let n: i64 = buckets.values().map(|c| c.0).sum();
        if n == 0 {
            continue;
        }
        let total: i64 = buckets.values().map(|c| c.1).sum();
        pending.push((agent, n, total, rank_place(&buckets, n, 50)));
    }
    let medians = futures_util::future::try_join_all(pending.iter().map(|(agent, _, _, place)| {
        let by = Some(("assignee_id", *agent));
        value_at(db, p, by, "resolution_ms", "solved_at", *place)
    }))
    .await?;
    Ok(Some(
        pending
            .into_iter()
            .zip(medians)
            .map(|((agent, n, total, _), median)| {
                let key = if agent == 0 {
                    String::new()
                } else {
                    agent.to_string()
                };
                let summary = Summary {
                    count: n,
                    median_ms: median,
                    p90_ms: None,
                    mean_ms: Some(total as f64 / n as f64),
                };
                (key, summary)
            })
            .collect(),
    ))
}

/// The same summaries as [`group_stats`] (all tickets, and per team when `by_team`) from
/// the duration counts ([`period_counts`]), or `None` when a ticket's team is gone or shares its
/// name (which the team breakdown merges). Per group and measure, the counts per value bucket
/// give the count, the mean and the bucket holding each percentile's rank; that rank is then read
/// from the bucket's facts through the value index.
async fn counted_stats(
    db: &Db,
    p: &Params,
    what: Duration,
    by_team: bool,
) -> AppResult<Option<BTreeMap<String, Stats>>> {
    let first = what.measure();
    // (team or None for all tickets, measure) → bucket → (count, sum).
    type Buckets = BTreeMap<i64, (i64, i64)>;
    let mut counts: BTreeMap<(Option<i64>, i64), Buckets> = BTreeMap::new();
    for ((team, measure, bucket), (n, total)) in period_counts(db, p, &[first, first + 1]).await? {
        let groups = if by_team {
            vec![None, Some(team)]
        } else {
            vec![None]
        };
        for g in groups {
            let e = counts
                .entry((g, measure))
                .or_default()
                .entry(bucket)
                .or_default();
            e.0 += n;
            e.1 += total;
        }
    }
    let mut names: HashMap<i64, String> = HashMap::from([(0, "(no team)".to_string())]);
    if by_team {
        for r in rows(db, "SELECT team_id, name FROM team".into(), &Sql::default()).await? {
            names.insert(r.try_get("team_id")?, r.try_get("name")?);
        }
        let teams: HashSet<i64> = counts.keys().filter_map(|(g, _)| *g).collect();
        let named: HashSet<&String> = teams.iter().filter_map(|t| names.get(t)).collect();
        if named.len() < teams.len() {
            return Ok(None);
        }
    }
    // Per group and measure: count, sum and where its median and 90th percentile lie.
    let mut pending = Vec::new();
    for ((group, measure), buckets) in counts {
        let n: i64 = buckets.values().map(|c| c.0).sum();
        if n == 0 {
            continue;
        }
        let total: i64 = buckets.values().map(|c| c.1).sum();
        let places = [rank_place(&buckets, n, 50), rank_place(&buckets, n, 90)];
        pending.push((group, measure, n, total, places));
    }
    // The values at those ranks, read side by side.
    let reads = pending.iter().flat_map(|(group, measure, _, _, places)| {
        let (column, period) = MEASURES[*measure as usize];
        places.iter().map(move |place| {
            let group = group.map(|t| ("team_id", t));
            value_at(db, p, group, column, period, *place)
        })
    });
    let values = futures_util::future::try_join_all(reads).await?;
    let mut out: BTreeMap<String, Stats> = BTreeMap::new();
    for ((group, measure, n, total, _), v) in pending.into_iter().zip(values.chunks(2)) {
        let summary = Summary {
            count: n,
            median_ms: v[0],
            p90_ms: v[1],
            mean_ms: Some(total as f64 / n as f64),
        };
        let key = match group {
            None => ALL.to_string(),
            Some(t) => names.get(&t).cloned().unwrap_or_default(),
        };
        let stats = out.entry(key).or_default();
        if measure == first {
            stats.calendar = summary;
        } else {
            stats.business = summary;
        }
    }
    Ok(Some(out))
}

/// Where the nearest-rank `pct` percentile of `n` counted durations lies: (bucket, offset of the
/// value among the bucket's values, ascending).
fn rank_place(buckets: &BTreeMap<i64, (i64, i64)>, n: i64, pct: i64) -> Option<(i64, i64)> {
    let rank = (n * pct + 99) / 100;
    let mut below = 0;
    for (b, (count, _)) in buckets {
        if below + count >= rank {
            return Some((*b, rank - below - 1));
        }
        below += count;
    }
    None
}

/// The value at `place` (bucket, offset in it) of a duration `column` over the period (by its
/// `period` column) for a group — (`team_id` or `assignee_id`, its id; 0: none) — or for every
/// ticket (`None`, within the team filter): one read through the duration's index.
async fn value_at(
    db: &Db,
    p: &Params,
    group: Option<(&str, i64)>,
    column: &str,
    period: &str,
    place: Option<(i64, i64)>,
) -> AppResult<Option<i64>> {
    let Some((bucket, offset)) = place else {
        return Ok(None);
    };
    let (lo, hi) = super::facts::bucket_range(bucket);
    let mut binds = Sql::with_values([lo, hi, p.from, p.to]);
    let team = match group.or(p.team.map(|t| ("team_id", t))) {
        Some((by, 0)) => format!(" AND {by} IS NULL"),
        Some((by, id)) => format!(" AND {by} = {}", binds.param(id)),
        None => String::new(),
    };
    let sql = format!(
        "SELECT {column} AS v FROM report_ticket
         WHERE {column} >= $1 AND {column} < $2 AND {period} >= $3 AND {period} < $4{team}
         ORDER BY {column} LIMIT 1 OFFSET {offset}"
    );
    Ok(rows(db, sql, &binds)
        .await?
        .first()
        .map(|r| r.try_get("v"))
        .transpose()?)
}

/// The median and 90th percentile (nearest rank: the smallest value with at least that share of
/// values at or below it), count and mean of a duration per group of `by` (a key expression and
/// its joins), and of every ticket as `(all)` when `by` is `None` or `with_all` is set.
/// PostgreSQL's `percentile_disc` is nearest rank (both at once through grouping sets); SQLite's
/// picks index floor(P·(n−1)), so the all-tickets query gets the fraction that lands on the
/// nearest rank, and SQLite's groups are ranked here from one streamed pass.
async fn group_stats(
    db: &Db,
    p: &Params,
    what: Duration,
    by: Option<(&str, &str)>,
    with_all: bool,
) -> AppResult<BTreeMap<String, Stats>> {
    let all_key = format!("CAST('{ALL}' AS TEXT)");
    let (key, joins) = by.unwrap_or((&all_key, ""));
    let (period, cal, biz) = what.fact_columns();
    let mut binds = Sql::with_values([p.from, p.to]);
    let team = team(p, "t", &mut binds);
    let durations = format!(
        "SELECT {key} AS k, t.{cal} AS c, t.{biz} AS b FROM report_ticket t{joins}
         WHERE t.{period} >= $1 AND t.{period} < $2 AND t.{cal} IS NOT NULL{team}"
    );
    let summary = |n: i64, sum: i64, p50: Option<i64>, p90: Option<i64>| Summary {
        count: n,
        median_ms: p50,
        p90_ms: p90,
        mean_ms: (n > 0).then(|| sum as f64 / n as f64),
    };
    let mut out = BTreeMap::new();
    match db.backend {
        Backend::Postgres => {
            // The all-tickets row of a grouped query is the grand total (NULL key).
            let grouping = if by.is_some() && with_all {
                "GROUPING SETS ((k), ())"
            } else {
                "k"
            };
            let sql = format!(
                "SELECT k, COUNT(*) AS n, CAST(SUM(c) AS BIGINT) AS cs, CAST(SUM(b) AS BIGINT) AS bs,
                    percentile_disc(0.5) WITHIN GROUP (ORDER BY c) AS c50,
                    percentile_disc(0.9) WITHIN GROUP (ORDER BY c) AS c90,
                    percentile_disc(0.5) WITHIN GROUP (ORDER BY b) AS b50,
                    percentile_disc(0.9) WITHIN GROUP (ORDER BY b) AS b90
                 FROM ({durations}) d GROUP BY {grouping}"
            );
            let mut tx = db.pool.begin().await?;
            // The sorts stay in memory.
            sqlx::query("SET LOCAL work_mem = '64MB'")
                .execute(&mut *tx)
                .await?;
            let q = binds.query_text(sql);
            for r in q.fetch_all(&mut *tx).await? {
                let n: i64 = r.try_get("n")?;
                if n == 0 {
                    continue;
                }
                let k: Option<String> = r.try_get("k")?;
                out.insert(
                    k.unwrap_or_else(|| ALL.to_string()),
                    Stats {
                        calendar: summary(
                            n,
                            r.try_get("cs")?,
                            r.try_get("c50")?,
                            r.try_get("c90")?,
                        ),
                        business: summary(
                            n,
                            r.try_get("bs")?,
                            r.try_get("b50")?,
                            r.try_get("b90")?,
                        ),
                    },
                );
            }
            tx.commit().await?;
        }
        Backend::Sqlite if by.is_some() => {
            // Grouped on SQLite: the rows sorted by group and then a percentile pass per group cost
            // more than ranking the (key, duration) pairs here.
            // The rows are streamed, not collected first.
            type Pair = (Vec<i64>, Vec<i64>);
            let mut groups: HashMap<String, Pair> = HashMap::new();
            let q = binds.query_text(durations);
            let mut stream = q.fetch(&db.pool);
            while let Some(r) = stream.try_next().await? {
                // By position: half a million rows here.
                let k: String = r.try_get(0)?;
                let (c, b): (i64, i64) = (r.try_get(1)?, r.try_get(2)?);
                let g = match groups.get_mut(&k) {
                    Some(g) => g,
                    None => groups.entry(k).or_default(),
                };
                g.0.push(c);
                g.1.push(b);
            }
            drop(stream);
            if with_all && !groups.is_empty() {
                let all = groups.values().fold(Pair::default(), |mut all, g| {
                    all.0.extend_from_slice(&g.0);
                    all.1.extend_from_slice(&g.1);
                    all
                });
                groups.insert(ALL.to_string(), all);
            }
            for (k, (c, b)) in groups {
                out.insert(
                    k,
                    Stats {
                        calendar: stats::summarize(c),
                        business: stats::summarize(b),
                    },
                );
            }
        }
        Backend::Sqlite => {
            // Every ticket in one group: the count first, then the fraction whose
            // floor(P·(n−1)) is the nearest rank's index, ceil(P·n) − 1.
            let sql =
                format!("SELECT k, COUNT(*) AS n, SUM(c) AS cs, SUM(b) AS bs FROM ({durations}) d");
            let r = &rows(db, sql, &binds).await?[0];
            let n: i64 = r.try_get("n")?;
            if n == 0 {
                return Ok(out);
            }
            let fraction = |pct: i64| {
                let index = (n * pct + 99) / 100 - 1;
                ((index as f64 + 0.5) / (n - 1).max(1) as f64).min(1.0)
            };
            let (k, cs, bs): (String, i64, i64) =
                (r.try_get("k")?, r.try_get("cs")?, r.try_get("bs")?);
            let mut binds = binds.clone();
            let (p50, p90) = (binds.param(fraction(50)), binds.param(fraction(90)));
            let sql = format!(
                "SELECT CAST(percentile_disc(d.c, {p50}) AS INTEGER) AS c50,
                    CAST(percentile_disc(d.c, {p90}) AS INTEGER) AS c90,
                    CAST(percentile_disc(d.b, {p50}) AS INTEGER) AS b50,
                    CAST(percentile_disc(d.b, {p90}) AS INTEGER) AS b90
                 FROM ({durations}) d"
            );
            let r = binds.query_text(sql).fetch_one(&db.pool).await?;
            out.insert(
                k,
                Stats {
                    calendar: summary(n, cs, r.try_get("c50")?, r.try_get("c90")?),
                    business: summary(n, bs, r.try_get("b50")?, r.try_get("b90")?),
                },
            );
        }
    }
    Ok(out)
}

fn h(ms: Option<i64>) -> Cell {
    Cell::num(ms.map(|m| hours(m as f64)))
}

fn hf(ms: Option<f64>) -> Cell {
    Cell::num(ms.map(hours))
}

/// First response and resolution: count, median, p90 and mean in calendar and business hours,
/// for all tickets and per group of `by`.
pub async fn response_times(db: &Db, p: &Params) -> AppResult<Table> {
    let mut t = Table::new(&[
        "metric",
        "by",
        "group",
        "tickets",
        "median_h",
        "p90_h",
        "mean_h",
        "business_median_h",
        "business_p90_h",
        "business_mean_h",
    ]);
    super::facts::refresh(db, &p.calendar).await?;
    let (first, resolution) = tokio::try_join!(
        duration_stats(db, p, Duration::FirstResponse, p.by),
        duration_stats(db, p, Duration::Resolution, p.by),
    )?;
    for (what, mut groups) in [
        (Duration::FirstResponse, first),
        (Duration::Resolution, resolution),
    ] {
        // "(all)" first, then the groups in order; with `by=all` there is only "(all)".
        let all = groups.remove(ALL).unwrap_or_default();
        let rest = if p.by == Dimension::All {
            Vec::new()
        } else {
            groups.into_iter().collect()
        };
        for (group, st) in std::iter::once((ALL.to_string(), all)).chain(rest) {
            let (c, b) = (st.calendar, st.business);
            if c.count == 0 {
                continue;
            }
            let by = if group == ALL { "all" } else { p.by.as_str() };
            t.rows.push(vec![
                Cell::text(what.as_str()),
                Cell::text(by),
                Cell::text(group),
                Cell::Int(c.count),
                h(c.median_ms),
                h(c.p90_ms),
                hf(c.mean_ms),
                h(b.median_ms),
                h(b.p90_ms),
                hf(b.mean_ms),
            ]);
        }
    }
    Ok(t)
}

/// CSAT ratings given in the period per group of `by` (a key expression over ticket `t` and its
/// joins), or as `(all)` when `by` is `None`: (group, ratings, good). The ticket is joined only
/// for a key or a team filter (a rating goes with its ticket).
async fn csat_counts(
    db: &Db,
    p: &Params,
    by: Option<(&str, &str)>,
) -> AppResult<Vec<(String, i64, i64)>> {
    let mut binds = Sql::with_values([p.from, p.to]);
    let team = team(p, "t", &mut binds);
    let all = format!("CAST('{ALL}' AS TEXT)");
    let (key, joins) = by.unwrap_or((&all, ""));
    let ticket = if by.is_some() || p.team.is_some() {
        " JOIN ticket t ON t.ticket_id = r.ticket_id"
    } else {
        ""
    };
    let sql = format!(
        "SELECT k, COUNT(*) AS n, SUM(CASE WHEN rating = 'good' THEN 1 ELSE 0 END) AS good FROM
           (SELECT {key} AS k, r.rating FROM csat_rating r{ticket}{joins}
            WHERE r.rated_at >= $1 AND r.rated_at < $2{team}) x
         GROUP BY k ORDER BY k"
    );
    rows(db, sql, &binds)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("k")?,
                r.try_get("n")?,
                r.try_get::<Option<i64>, _>("good")?.unwrap_or(0),
            ))
        })
        .collect()
}

/// Whether the SLA timers table exists in this database.
pub async fn sla_available(db: &Db) -> AppResult<bool> {
    let sql = match db.backend {
        Backend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'ticket_sla'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = 'ticket_sla' AND table_schema = current_schema()"
        }
    };
    let n: i64 = rows(db, sql.into(), &Sql::default()).await?[0].try_get("n")?;
    Ok(n > 0)
}

pub const SLA_MISSING: &str = "SLA data not available";

/// An SLA target (row of `ticket_sla`) was met on time: met by its due time and never breached.
const SLA_MET: &str = "s.breached_at IS NULL AND s.met_at IS NOT NULL AND s.met_at <= s.due_at";
/// ... or breached: marked breached, met late, or still unmet after its due time ($3 = now).
const SLA_BREACHED: &str =
    "(s.breached_at IS NOT NULL OR s.met_at > s.due_at OR (s.met_at IS NULL AND s.due_at < $3))";

/// SLA rows need their ticket only to filter by team.
fn ticket_join(p: &Params) -> &'static str {
    if p.team.is_some() {
        " JOIN ticket t ON t.ticket_id = s.ticket_id"
    } else {
        ""
    }
}

/// Per SLA metric with targets due in the period: (metric, due, met, breached). Whole local days
/// that have passed come from the day counts of the facts (a target due then was met on time or
/// breached); the rest of the period from `ticket_sla`, one query per metric and range (side by
/// side), each an index range scan (metric, due time).
async fn sla_counts(db: &Db, p: &Params) -> AppResult<Vec<(String, i64, i64, i64)>> {
    use super::facts::{SLA, day_number, day_start};
    let mut totals: BTreeMap<usize, (i64, i64, i64)> = BTreeMap::new();
    let mut live = vec![(p.from, p.to)];
    let (days, edges) = day_span(p);
    if let Some((from_day, to_day)) = days
        && super::facts::sla_counted(db).await?
    {
        let tz = p.calendar.time_zone();
        let today = day_number(tz, p.now);
        let past_end = to_day.min(today);
        live = edges;
        if from_day < past_end {
            let mut binds = Sql::with_values([SLA, from_day, past_end]);
            let team = match p.team {
                Some(t) => format!(" AND group_id = {}", binds.param(t)),
                None => String::new(),
            };
            let sql = format!(
                "SELECT bucket, CAST(SUM(n) AS BIGINT) AS n FROM report_duration
                 WHERE measure = $1 AND day >= $2 AND day < $3{team} GROUP BY bucket"
            );
            for r in rows(db, sql, &binds).await? {
                let bucket: i64 = r.try_get("bucket")?;
                let n: i64 = r.try_get("n")?;
                let e = totals.entry((bucket / 2) as usize).or_default();
                e.0 += n;
                if bucket % 2 == 1 {
                    e.1 += n;
                } else {
                    e.2 += n;
                }
            }
        }
        if past_end.max(from_day) < to_day {
            // Today (and any later day of the period) is read as it stands.
            live.push((day_start(tz, past_end.max(from_day)), day_start(tz, to_day)));
        }
    }
    let live_counts = live
        .iter()
        .flat_map(|&(lo, hi)| (0..SLA_METRICS.len()).map(move |m| (m, lo, hi)))
        .map(|(m, lo, hi)| async move {
            let mut binds = Sql::with_values([lo, hi, p.now]);
            let team = team(p, "t", &mut binds);
            let sql = format!(
                "SELECT COUNT(*) AS due,
                    CAST(SUM(CASE WHEN {SLA_MET} THEN 1 ELSE 0 END) AS BIGINT) AS met,
                    CAST(SUM(CASE WHEN {SLA_BREACHED} THEN 1 ELSE 0 END) AS BIGINT) AS breached
                 FROM ticket_sla s{}
                 WHERE s.metric = '{}' AND s.due_at >= $1 AND s.due_at < $2{team}",
                ticket_join(p),
                SLA_METRICS[m]
            );
            let r = &rows(db, sql, &binds).await?[0];
            AppResult::Ok((
                m,
                r.try_get::<i64, _>("due")?,
                r.try_get::<Option<i64>, _>("met")?.unwrap_or(0),
                r.try_get::<Option<i64>, _>("breached")?.unwrap_or(0),
            ))
        });
    for (m, due, met, breached) in futures_util::future::try_join_all(live_counts).await? {
        let e = totals.entry(m).or_default();
        e.0 += due;
        e.1 += met;
        e.2 += breached;
    }
    Ok(totals
        .into_iter()
        .filter(|(m, t)| *m < SLA_METRICS.len() && t.0 > 0)
        .map(|(m, (due, met, breached))| (SLA_METRICS[m].to_string(), due, met, breached))
        .collect())
}

/// The buckets `[starts[i], starts[i + 1])` (the last ends at `to`) as rows `(i, lo, hi)`, for
/// a count per bucket through an index range each — no sort of the rows counted. One `VALUES`
/// list: a chain of `UNION ALL` stops at SQLite's 500 compound terms (a period of years by day).
fn bucket_rows(starts: &[Millis], to: Millis) -> String {
    let values = starts
        .iter()
        .enumerate()
        .map(|(i, lo)| {
            let hi = starts.get(i + 1).copied().unwrap_or(to);
            format!("(CAST({i} AS BIGINT), CAST({lo} AS BIGINT), CAST({hi} AS BIGINT))")
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("SELECT column1 AS i, column2 AS lo, column3 AS hi FROM (VALUES {values}) AS v")
}

/// The headline numbers of a period, each with the previous period's value.
struct Headline {
    created: i64,
    solved: i64,
    first_response: Summary,
    resolution: Summary,
    business_first_response: Summary,
    business_resolution: Summary,
    reopen_pct: Option<f64>,
    one_touch_pct: Option<f64>,
    csat_pct: Option<f64>,
    ratings: i64,
    sla_pct: Option<f64>,
}

async fn sla_pct(db: &Db, p: &Params, sla: bool) -> AppResult<Option<f64>> {
    if !sla {
        return Ok(None);
    }
    let c = sla_counts(db, p).await?;
    let met: i64 = c.iter().map(|x| x.2).sum();
    let breached: i64 = c.iter().map(|x| x.3).sum();
    Ok(percent(met, met + breached))
}

/// The queries of a headline run side by side (each on its own pooled connection).
async fn headline(db: &Db, p: &Params, sla: bool) -> AppResult<Headline> {
    let ((created, quality), csat, sla_pct, frt, res) = tokio::try_join!(
        volume_and_quality(db, p),
        csat_counts(db, p, None),
        sla_pct(db, p, sla),
        duration_stats(db, p, Duration::FirstResponse, Dimension::All),
        duration_stats(db, p, Duration::Resolution, Dimension::All),
    )?;
    let (solved, reopened, one_touch) = quality;
    let (ratings, good) = csat.first().map(|c| (c.1, c.2)).unwrap_or((0, 0));
    let frt = frt.get(ALL).copied().unwrap_or_default();
    let res = res.get(ALL).copied().unwrap_or_default();
    Ok(Headline {
        created,
        solved,
        first_response: frt.calendar,
        resolution: res.calendar,
        business_first_response: frt.business,
        business_resolution: res.business,
        reopen_pct: percent(reopened, solved),
        one_touch_pct: percent(one_touch, solved),
        csat_pct: percent(good, ratings),
        ratings,
        sla_pct,
    })
}

/// Headline numbers with the previous period and the change between them.
pub async fn summary(db: &Db, p: &Params) -> AppResult<Table> {
    super::facts::refresh(db, &p.calendar).await?;
    let sla = sla_available(db).await?;
    let previous = p.previous();
    let (cur, prev) = tokio::try_join!(headline(db, p, sla), headline(db, &previous, sla))?;
    let mut t = Table::new(&["metric", "value", "previous", "change_pct"]);
    let hours_of = |s: &Summary| s.median_ms.map(|m| hours(m as f64));
    let items: Vec<(&str, Option<f64>, Option<f64>)> = vec![
        (
            "tickets_created",
            Some(cur.created as f64),
            Some(prev.created as f64),
        ),
        (
            "tickets_solved",
            Some(cur.solved as f64),
            Some(prev.solved as f64),
        ),
        (
            "median_first_response_h",
            hours_of(&cur.first_response),
            hours_of(&prev.first_response),
        ),
        (
            "median_first_response_business_h",
            hours_of(&cur.business_first_response),
            hours_of(&prev.business_first_response),
        ),
        (
            "median_resolution_h",
            hours_of(&cur.resolution),
            hours_of(&prev.resolution),
        ),
        (
            "median_resolution_business_h",
            hours_of(&cur.business_resolution),
            hours_of(&prev.business_resolution),
        ),
        (
            "p90_resolution_h",
            cur.resolution.p90_ms.map(|m| hours(m as f64)),
            prev.resolution.p90_ms.map(|m| hours(m as f64)),
        ),
        ("reopen_rate_pct", cur.reopen_pct, prev.reopen_pct),
        ("one_touch_rate_pct", cur.one_touch_pct, prev.one_touch_pct),
        ("csat_pct", cur.csat_pct, prev.csat_pct),
        (
            "csat_ratings",
            Some(cur.ratings as f64),
            Some(prev.ratings as f64),
        ),
        ("sla_compliance_pct", cur.sla_pct, prev.sla_pct),
    ];
    for (name, v, before) in items {
        let int = |x: Option<f64>| match x {
            Some(x) if name.starts_with("tickets_") || name == "csat_ratings" => {
                Cell::Int(x as i64)
            }
            other => Cell::num(other),
        };
        t.rows.push(vec![
            Cell::text(name),
            int(v),
            int(before),
            Cell::num(stats::change(v, before)),
        ]);
    }
    if !sla {
        t.note = Some(t!("reports-note-sla-missing-summary"));
    }
    Ok(t)
}

/// Tickets per bucket by `column` (created_at or solved_at), through the report indexes.
async fn per_bucket(db: &Db, p: &Params, starts: &[Millis], column: &str) -> AppResult<Vec<i64>> {
    let mut binds = Sql::default();
    let team = team(p, "t", &mut binds);
    let sql = format!(
        "SELECT b.i, (SELECT COUNT(*) FROM ticket t WHERE t.{column} >= b.lo AND t.{column} < b.hi{team}) AS n
         FROM ({}) b ORDER BY b.i",
        bucket_rows(starts, p.to)
    );
    rows(db, sql, &binds)
        .await?
        .iter()
        .map(|r| Ok(r.try_get("n")?))
        .collect()
}

fn bucket_label(p: &Params, start: Millis) -> String {
    stats::local_date(p.tz, start)
        .format("%Y-%m-%d")
        .to_string()
}

/// Per day or week: tickets created, tickets solved, and tickets open (unsolved) at its end.
pub async fn volume(db: &Db, p: &Params) -> AppResult<Table> {
    let starts = stats::buckets(p.from, p.to, p.interval, p.tz);
    let (created, solved) = tokio::try_join!(
        per_bucket(db, p, &starts, "created_at"),
        per_bucket(db, p, &starts, "solved_at")
    )?;
    let mut binds = Sql::with_values([p.from]);
    let team = team(p, "t", &mut binds);
    let sql = format!(
        "SELECT COUNT(*) AS n FROM ticket t WHERE t.created_at < $1 AND (t.solved_at IS NULL OR t.solved_at >= $1){team}"
    );
    let mut open: i64 = rows(db, sql, &binds).await?[0].try_get("n")?;
    let mut t = Table::new(&["bucket", "created", "solved", "open_at_end"]);
    if created.iter().chain(&solved).all(|n| *n == 0) && open == 0 {
        return Ok(t);
    }
    for (i, start) in starts.iter().enumerate() {
        open += created[i] - solved[i];
        t.rows.push(vec![
            Cell::text(bucket_label(p, *start)),
            Cell::Int(created[i]),
            Cell::Int(solved[i]),
            Cell::Int(open),
        ]);
    }
    Ok(t)
}

pub const AGE_BUCKETS: [&str; 5] = ["< 1 day", "1–3 days", "3–7 days", "7–30 days", "> 30 days"];

/// Open tickets now, by status and age.
pub async fn backlog_age(db: &Db, p: &Params) -> AppResult<Table> {
    let mut binds = Sql::with_values([p.now]);
    let team = team(p, "t", &mut binds);
    let sql = format!(
        "SELECT t.status, CASE WHEN $1 - t.created_at < {DAY_MS} THEN 0 WHEN $1 - t.created_at < {} THEN 1
            WHEN $1 - t.created_at < {} THEN 2 WHEN $1 - t.created_at < {} THEN 3 ELSE 4 END AS b, COUNT(*) AS n
         FROM ticket t WHERE t.status IN ('new', 'open', 'pending'){team} GROUP BY 1, 2",
        3 * DAY_MS,
        7 * DAY_MS,
        30 * DAY_MS
    );
    let mut counts: BTreeMap<String, [i64; 5]> = BTreeMap::new();
    for r in rows(db, sql, &binds).await? {
        let b: i64 = r.try_get("b")?;
        counts.entry(r.try_get("status")?).or_default()[b as usize] += r.try_get::<i64, _>("n")?;
    }
    let mut t = Table::new(&["status", "age", "tickets"]);
    for status in ["new", "open", "pending"] {
        if let Some(c) = counts.get(status) {
            for (i, label) in AGE_BUCKETS.iter().enumerate() {
                t.rows.push(vec![
                    Cell::text(status),
                    Cell::text(*label),
                    Cell::Int(c[i]),
                ]);
            }
        }
    }
    Ok(t)
}

pub const RESOLUTION_BUCKETS: [&str; 7] = [
    "< 1 h",
    "1–4 h",
    "4–8 h",
    "8–24 h",
    "1–3 days",
    "3–7 days",
    "> 7 days",
];

/// Tickets solved in the period by how long they took (calendar time).
pub async fn resolution_distribution(db: &Db, p: &Params) -> AppResult<Table> {
    let mut binds = Sql::with_values([p.from, p.to]);
    let team = team(p, "t", &mut binds);
    // One pass, a sum per bucket: no grouping, so nothing to sort.
    let bounds = [
        HOUR_MS,
        4 * HOUR_MS,
        8 * HOUR_MS,
        DAY_MS,
        3 * DAY_MS,
        7 * DAY_MS,
    ];
    let mut lower = 0;
    let mut sums = Vec::new();
    for (i, upper) in bounds.iter().chain([&i64::MAX]).enumerate() {
        sums.push(format!(
            "CAST(SUM(CASE WHEN d >= {lower} AND d < {upper} THEN 1 ELSE 0 END) AS BIGINT) AS b{i}"
        ));
        lower = *upper;
    }
    let sql = format!(
        "SELECT {} FROM (SELECT t.solved_at - t.created_at AS d FROM ticket t
               WHERE t.solved_at >= $1 AND t.solved_at < $2{team}) x",
        sums.join(", ")
    );
    let r = &rows(db, sql, &binds).await?[0];
    let mut counts = [0i64; 7];
    for (i, c) in counts.iter_mut().enumerate() {
        *c = r
            .try_get::<Option<i64>, _>(format!("b{i}").as_str())?
            .unwrap_or(0);
    }
    let mut t = Table::new(&["bucket", "tickets"]);
    if counts.iter().any(|n| *n > 0) {
        for (label, n) in RESOLUTION_BUCKETS.iter().zip(counts) {
            t.rows.push(vec![Cell::text(*label), Cell::Int(n)]);
        }
    }
    Ok(t)
}

fn link(p: &Params, key: &str, value: &str) -> String {
    let mut s = format!(
        "/reports/tickets?{key}={}&from={}&to={}",
        urlencode(value),
        urlencode(&iso(p.from)),
        urlencode(&iso(p.to))
    );
    if let Some(team) = p.team {
        s.push_str(&format!("&team={team}"));
    }
    s
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub fn iso(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

const TOP: usize = 20;

fn ranked(
    p: &Params,
    key: &str,
    counts: HashMap<String, (i64, i64)>,
    column: &'static str,
) -> Table {
    let mut items: Vec<(String, (i64, i64))> = counts
        .into_iter()
        .filter(|(_, (cur, _))| *cur > 0)
        .collect();
    items.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    let mut t = Table::new(&[column, "tickets", "previous", "change_pct", "link"]);
    for (name, (cur, prev)) in items.into_iter().take(TOP) {
        t.rows.push(vec![
            Cell::text(name.clone()),
            Cell::Int(cur),
            Cell::Int(prev),
            Cell::num(stats::change(Some(cur as f64), Some(prev as f64))),
            Cell::text(link(p, key, &name)),
        ]);
    }
    t
}

/// Tags of tickets created in the period, with the previous period's count.
pub async fn top_tags(db: &Db, p: &Params) -> AppResult<Table> {
    super::facts::refresh(db, &p.calendar).await?;
    let mut binds = Sql::with_values([p.previous().from, p.from, p.to]);
    let team = team(p, "r", &mut binds);
    let count = |lo: &str, hi: &str| {
        format!(
            "(SELECT COUNT(*) FROM report_tag r WHERE r.tag = x.tag AND r.created_at >= {lo}
                AND r.created_at < {hi}{team})"
        )
    };
    // Each tag (walked through the index, one seek per tag) with two index range counts.
    let sql = format!(
        "WITH RECURSIVE x(tag) AS (
            SELECT MIN(tag) FROM report_tag
            UNION ALL SELECT (SELECT MIN(r.tag) FROM report_tag r WHERE r.tag > x.tag) FROM x WHERE x.tag IS NOT NULL)
         SELECT x.tag, {} AS cur, {} AS prev FROM x WHERE x.tag IS NOT NULL",
        count("$2", "$3"),
        count("$1", "$2")
    );
    let counts = rows(db, sql, &binds)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("tag")?,
                (
                    r.try_get::<Option<i64>, _>("cur")?.unwrap_or(0),
                    r.try_get::<Option<i64>, _>("prev")?.unwrap_or(0),
                ),
            ))
        })
        .collect::<AppResult<_>>()?;
    Ok(ranked(p, "tag", counts, "tag"))
}

const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "with", "not", "you", "your", "our", "are", "was", "can", "cannot",
    "can't", "how", "what", "why", "when", "from", "this", "that", "have", "has", "after", "into",
    "about", "again", "any", "but", "does", "don't", "doesn't", "get", "getting", "help", "issue",
    "problem", "question", "please", "need", "re", "fwd", "aw", "wg", "sv", "der", "die", "das",
    "und", "ist", "nicht", "les", "des", "pour", "est", "pas", "une",
];

/// The distinct words of a subject worth counting: lower-cased, split at anything that is not a
/// letter, digit or apostrophe, at least three characters (two for CJK), no numbers, no stop words.
pub fn subject_terms(subject: &str) -> Vec<String> {
    let lower = subject.to_lowercase();
    let mut seen = HashSet::new();
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| {
            let n = w.chars().count();
            let cjk = w.chars().any(|c| c as u32 >= 0x2E80);
            (n >= 3 || (cjk && n >= 2))
                && !w.chars().all(|c| c.is_ascii_digit())
                && !STOP_WORDS.contains(w)
        })
        .filter(|w| seen.insert(w.to_string()))
        .map(str::to_string)
        .collect()
}

/// The most frequent subject terms of tickets created in the period (tickets per term), with the
/// previous period's count. The database counts tickets per distinct subject; each subject's
/// terms then get its counts.
pub async fn top_terms(db: &Db, p: &Params) -> AppResult<Table> {
    let mut binds = Sql::with_values([p.previous().from, p.from, p.to]);
    let team = team(p, "t", &mut binds);
    let sql = format!(
        "SELECT t.subject, SUM(CASE WHEN t.created_at >= $2 THEN 1 ELSE 0 END) AS cur,
            SUM(CASE WHEN t.created_at < $2 THEN 1 ELSE 0 END) AS prev
         FROM ticket t WHERE t.created_at >= $1 AND t.created_at < $3{team} GROUP BY t.subject"
    );
    let mut counts: HashMap<String, (i64, i64)> = HashMap::new();
    for r in rows(db, sql, &binds).await? {
        let cur = r.try_get::<Option<i64>, _>("cur")?.unwrap_or(0);
        let prev = r.try_get::<Option<i64>, _>("prev")?.unwrap_or(0);
        for term in subject_terms(&r.try_get::<String, _>("subject")?) {
            let c = counts.entry(term).or_default();
            c.0 += cur;
            c.1 += prev;
        }
    }
    Ok(ranked(p, "term", counts, "term"))
}

/// The tickets behind a tag or a subject term (created in the period), newest first, at most 500.
pub async fn tickets(db: &Db, p: &Params) -> AppResult<Table> {
    let mut t = Table::new(&["ticket_id", "subject", "status", "created_at", "link"]);
    let (filter, value) = match (&p.tag, &p.term) {
        (Some(tag), _) => (
            "EXISTS (SELECT 1 FROM ticket_tag g WHERE g.ticket_id = t.ticket_id AND g.tag = $3)",
            tag.clone(),
        ),
        (None, Some(term)) => (
            "LOWER(t.subject) LIKE $3",
            format!("%{}%", term.replace(['%', '_'], "")),
        ),
        (None, None) => return Err(AppError::field("tag", t!("reports-error-tag-or-term"))),
    };
    let team = match p.team {
        Some(_) => " AND t.team_id = $5",
        None => "",
    };
    const LIMIT: usize = 500;
    const PAGE: usize = 1000;
    let sql = format!(
        "SELECT t.ticket_id, t.subject, t.status, t.created_at FROM ticket t
         WHERE t.created_at >= $1 AND t.created_at < $2 AND {filter} AND t.ticket_id < $4{team}
         ORDER BY t.ticket_id DESC LIMIT {PAGE}"
    );
    // Newest first, a page at a time, until enough tickets pass the exact term check.
    let mut before = i64::MAX;
    loop {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(p.from)
            .bind(p.to)
            .bind(value.clone())
            .bind(before);
        if let Some(team) = p.team {
            q = q.bind(team);
        }
        let page = q.fetch_all(&db.pool).await?;
        for r in &page {
            let id: i64 = r.try_get("ticket_id")?;
            before = id;
            let subject: String = r.try_get("subject")?;
            if let Some(term) = &p.term
                && p.tag.is_none()
                && !subject_terms(&subject).contains(term)
            {
                continue;
            }
            t.rows.push(vec![
                Cell::Int(id),
                Cell::text(subject),
                Cell::text(r.try_get::<String, _>("status")?),
                Cell::text(iso(r.try_get("created_at")?)),
                Cell::text(format!("/tickets/{id}")),
            ]);
            if t.rows.len() == LIMIT {
                return Ok(t);
            }
        }
        if page.len() < PAGE {
            return Ok(t);
        }
    }
}

/// CSAT: ratings given in the period, good share, overall and per group of `by`.
pub async fn csat(db: &Db, p: &Params) -> AppResult<Table> {
    let mut t = Table::new(&["by", "group", "ratings", "good", "bad", "csat_pct"]);
    let mut groups = csat_counts(db, p, None).await?;
    if p.by != Dimension::All {
        let (key, joins) = dimension_sql(db.backend, p.by);
        groups.extend(csat_counts(db, p, Some((&key, joins))).await?);
    }
    for (group, n, good) in groups {
        let by = if group == ALL { "all" } else { p.by.as_str() };
        t.rows.push(vec![
            Cell::text(by),
            Cell::text(group),
            Cell::Int(n),
            Cell::Int(good),
            Cell::Int(n - good),
            Cell::num(percent(good, n)),
        ]);
    }
    Ok(t)
}

/// Per active agent: tickets solved in the period (as assignee), median resolution, CSAT of their
/// tickets rated in the period, and open tickets assigned now. `only` limits it to one agent.
pub async fn agents(db: &Db, p: &Params, only: Option<i64>) -> AppResult<Table> {
    let key = "COALESCE(CAST(t.assignee_id AS TEXT), '')";
    super::facts::refresh(db, &p.calendar).await?;
    let resolution = async {
        if let Some(counted) = counted_by_assignee(db, p).await? {
            return Ok(counted);
        }
        let stats = group_stats(db, p, Duration::Resolution, Some((key, "")), false).await?;
        AppResult::Ok(stats.into_iter().map(|(k, s)| (k, s.calendar)).collect())
    };
    let (solved, csat): (HashMap<String, Summary>, _) =
        tokio::try_join!(resolution, csat_counts(db, p, Some((key, ""))))?;
    let csat: HashMap<String, (i64, i64)> = csat
        .into_iter()
        .map(|(k, n, good)| (k, (n, good)))
        .collect();
    let mut binds = Sql::default();
    let mut filter = String::new();
    if let Some(team) = p.team {
        filter.push_str(&format!(" AND EXISTS (SELECT 1 FROM team_member m WHERE m.agent_id = a.agent_id AND m.team_id = {})", binds.param(team)));
    }
    if let Some(id) = only {
        filter.push_str(&format!(" AND a.agent_id = {}", binds.param(id)));
    }
    let sql = format!(
        "SELECT a.agent_id, a.name, (SELECT COUNT(*) FROM ticket t WHERE t.assignee_id = a.agent_id
            AND t.status IN ('new', 'open', 'pending')) AS open_load
         FROM agent a WHERE a.active = 1{filter} ORDER BY a.name, a.agent_id"
    );
    let mut t = Table::new(&[
        "agent_id",
        "agent",
        "solved",
        "median_resolution_h",
        "csat_ratings",
        "csat_pct",
        "open_load",
    ]);
    for r in rows(db, sql, &binds).await? {
        let id: i64 = r.try_get("agent_id")?;
        let s = solved.get(&id.to_string()).copied().unwrap_or_default();
        let (n, good) = csat.get(&id.to_string()).copied().unwrap_or((0, 0));
        t.rows.push(vec![
            Cell::Int(id),
            Cell::text(r.try_get::<String, _>("name")?),
            Cell::Int(s.count),
            h(s.median_ms),
            Cell::Int(n),
            Cell::num(percent(good, n)),
            Cell::Int(r.try_get("open_load")?),
        ]);
    }
    Ok(t)
}

/// A customer subscribed at the start of the period, and what happened to them.
#[derive(Debug, Clone)]
struct CohortMember {
    customer_id: i64,
    name: String,
    churned: bool,
    breached: bool,
    slow: bool,
    bad_csat: bool,
}

/// The customers subscribed (active or downgraded) at the start of the period, with their
/// status at its end and their support experience in it. A customer's status at a moment is
/// that of their latest subscription event before it (an event without a status reads active).
/// Set queries, not per-customer probes: one ordered pass over the subscription events gives
/// both statuses, and each experience is one index range over the period.
/// Which support experiences a cohort is split by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Experience {
    /// None (the split is not wanted).
    None,
    /// Slow resolution and bad rating.
    WithoutSla,
    /// Those and a breached ticket.
    All,
}

impl Experience {
    fn with_sla(sla: bool) -> Experience {
        if sla {
            Experience::All
        } else {
            Experience::WithoutSla
        }
    }
}

async fn cohort(db: &Db, p: &Params, experience: Experience) -> AppResult<Vec<CohortMember>> {
    super::facts::refresh(db, &p.calendar).await?;
    let status = db.backend.json_text("e.attributes", "status");
    let events = format!(
        "SELECT e.customer_id, c.name, e.occurred_at, COALESCE({status}, 'active') AS status
         FROM crm_event e JOIN customer c ON c.customer_id = e.customer_id
         WHERE e.kind = 'subscription' AND e.occurred_at < $1
         ORDER BY e.customer_id, e.occurred_at, e.crm_event_id"
    );
    let breached = "SELECT DISTINCT customer_id AS id FROM report_ticket
         WHERE sla_breached_at >= $1 AND sla_breached_at < $2 AND customer_id IS NOT NULL";
    let slow = "SELECT DISTINCT customer_id AS id FROM report_ticket
         WHERE solved_at >= $1 AND solved_at < $2 AND resolution_ms > $3 AND customer_id IS NOT NULL";
    let bad = "SELECT DISTINCT customer_id AS id FROM csat_rating
         WHERE rated_at >= $1 AND rated_at < $2 AND rating = 'bad'";
    let ids = |sql: &'static str, binds: Sql| async move {
        rows(db, sql.into(), &binds)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>("id").map_err(AppError::from))
            .collect::<AppResult<HashSet<i64>>>()
    };
    let period = Sql::with_values([p.from, p.to]);
    let wanted = |yes: bool, sql: &'static str, binds: Sql| async move {
        if yes {
            ids(sql, binds).await
        } else {
            Ok(HashSet::new())
        }
    };
    let split = experience != Experience::None;
    let until = Sql::with_values([p.to]);
    let (events, breached, slow, bad) = tokio::try_join!(
        rows(db, events, &until),
        wanted(experience == Experience::All, breached, period.clone()),
        wanted(
            split,
            slow,
            Sql::with_values([p.from, p.to, p.slow_hours * HOUR_MS])
        ),
        wanted(split, bad, period.clone()),
    )?;
    // (customer, name, status at the start, status at the end), in customer order.
    let mut statuses: Vec<(i64, String, Option<String>, String)> = Vec::new();
    for r in &events {
        let (id, at, status): (i64, Millis, String) = (
            r.try_get("customer_id")?,
            r.try_get("occurred_at")?,
            r.try_get("status")?,
        );
        if statuses.last().is_none_or(|s| s.0 != id) {
            statuses.push((id, r.try_get("name")?, None, String::new()));
        }
        if let Some(last) = statuses.last_mut() {
            if at < p.from {
                last.2 = Some(status.clone());
            }
            last.3 = status;
        }
    }
    Ok(statuses
        .into_iter()
        .filter(|s| matches!(s.2.as_deref(), Some("active" | "downgraded")))
        .map(|(customer_id, name, _, end)| CohortMember {
            customer_id,
            name,
            churned: end == "cancelled",
            breached: breached.contains(&customer_id),
            slow: slow.contains(&customer_id),
            bad_csat: bad.contains(&customer_id),
        })
        .collect())
}

/// Churn and retention of subscribed customers, overall and split by support experience.
pub async fn churn(db: &Db, p: &Params) -> AppResult<Table> {
    let sla = sla_available(db).await?;
    let members = cohort(db, p, Experience::with_sla(sla)).await?;
    let mut t = Table::new(&[
        "group",
        "customers",
        "churned",
        "retained",
        "churn_rate_pct",
        "retention_rate_pct",
    ]);
    t.note = Some(if sla {
        t!("reports-note-churn")
    } else {
        t!("reports-note-churn-sla-missing")
    });
    if members.is_empty() {
        return Ok(t);
    }
    type Pick = fn(&CohortMember) -> bool;
    let mut groups: Vec<(&str, Pick)> = vec![("all", |_| true)];
    if sla {
        groups.push(("had a breached ticket", |m| m.breached));
        groups.push(("no breached ticket", |m| !m.breached));
    }
    groups.extend([
        ("had a slow resolution", (|m: &CohortMember| m.slow) as Pick),
        ("no slow resolution", |m| !m.slow),
        ("gave a bad CSAT rating", |m| m.bad_csat),
        ("no bad CSAT rating", |m| !m.bad_csat),
    ]);
    for (name, pick) in groups {
        let n = members.iter().filter(|m| pick(m)).count() as i64;
        let churned = members.iter().filter(|m| pick(m) && m.churned).count() as i64;
        t.rows.push(vec![
            Cell::text(name),
            Cell::Int(n),
            Cell::Int(churned),
            Cell::Int(n - churned),
            Cell::num(percent(churned, n)),
            Cell::num(percent(n - churned, n)),
        ]);
    }
    Ok(t)
}

/// Lifetime value (orders and purchases up to the end of the period) of churned and retained
/// customers, per currency: the average is over every customer of the outcome.
pub async fn churn_ltv(db: &Db, p: &Params) -> AppResult<Table> {
    let sql = "SELECT e.customer_id, e.currency, CAST(SUM(e.amount_minor) AS BIGINT) AS total FROM crm_event e
         WHERE e.kind IN ('order', 'purchase') AND e.amount_minor IS NOT NULL AND e.currency IS NOT NULL
           AND e.occurred_at < $1 GROUP BY e.customer_id, e.currency";
    let until = Sql::with_values([p.to]);
    let (members, orders) = tokio::try_join!(
        cohort(db, p, Experience::None),
        rows(db, sql.into(), &until)
    )?;
    let mut t = Table::new(&[
        "outcome",
        "currency",
        "customers",
        "total_ltv",
        "average_ltv",
    ]);
    t.note = Some(t!("reports-note-churn"));
    if members.is_empty() {
        return Ok(t);
    }
    let churned: HashMap<i64, bool> = members.iter().map(|m| (m.customer_id, m.churned)).collect();
    let mut totals: BTreeMap<(bool, String), i64> = BTreeMap::new();
    for r in &orders {
        if let Some(c) = churned.get(&r.try_get::<i64, _>("customer_id")?) {
            *totals.entry((*c, r.try_get("currency")?)).or_default() +=
                r.try_get::<i64, _>("total")?;
        }
    }
    for outcome in [true, false] {
        let n = members.iter().filter(|m| m.churned == outcome).count() as i64;
        for ((o, currency), total) in &totals {
            if *o != outcome || n == 0 {
                continue;
            }
            let exp = Currency::parse(currency).map(|c| c.exponent()).unwrap_or(2);
            t.rows.push(vec![
                Cell::text(if outcome { "churned" } else { "retained" }),
                Cell::text(currency.clone()),
                Cell::Int(n),
                Cell::text(format_amount(*total, exp)),
                Cell::text(format_amount(total / n, exp)),
            ]);
        }
    }
    Ok(t)
}

/// The customers behind the churn numbers.
pub async fn churn_customers(db: &Db, p: &Params) -> AppResult<Table> {
    let sla = sla_available(db).await?;
    let mut t = Table::new(&[
        "customer_id",
        "customer",
        "outcome",
        "breached_ticket",
        "slow_resolution",
        "bad_csat",
        "link",
    ]);
    t.note = Some(t!("reports-note-churn"));
    let flag = |b: bool| Cell::text(if b { "yes" } else { "no" });
    for m in cohort(db, p, Experience::with_sla(sla)).await? {
        t.rows.push(vec![
            Cell::Int(m.customer_id),
            Cell::text(m.name),
            Cell::text(if m.churned { "churned" } else { "retained" }),
            if sla { flag(m.breached) } else { Cell::Null },
            flag(m.slow),
            flag(m.bad_csat),
            Cell::text(format!("/customers/{}", m.customer_id)),
        ]);
    }
    Ok(t)
}

fn sla_missing(columns: &[&'static str]) -> Table {
    let mut t = Table::new(columns);
    t.note = Some(t!("reports-note-sla-missing"));
    t
}

/// SLA compliance per metric, of targets due in the period: met on time / (met + breached).
pub async fn sla(db: &Db, p: &Params) -> AppResult<Table> {
    let columns = [
        "metric",
        "due",
        "met",
        "breached",
        "pending",
        "compliance_pct",
    ];
    if !sla_available(db).await? {
        return Ok(sla_missing(&columns));
    }
    // Whole past days are read from the facts' day counts.
    super::facts::refresh(db, &p.calendar).await?;
    let mut t = Table::new(&columns);
    for (metric, due, met, breached) in sla_counts(db, p).await? {
        t.rows.push(vec![
            Cell::text(metric),
            Cell::Int(due),
            Cell::Int(met),
            Cell::Int(breached),
            Cell::Int(due - met - breached),
            Cell::num(percent(met, met + breached)),
        ]);
    }
    Ok(t)
}

/// SLA compliance per day or week (by due time) and metric.
pub async fn sla_trend(db: &Db, p: &Params) -> AppResult<Table> {
    let columns = ["bucket", "metric", "met", "breached", "compliance_pct"];
    if !sla_available(db).await? {
        return Ok(sla_missing(&columns));
    }
    let starts = stats::buckets(p.from, p.to, p.interval, p.tz);
    let mut counts: BTreeMap<(usize, &str), (i64, i64)> = BTreeMap::new();
    // Per metric and bucket, met and breached counted through the (metric, due time) index.
    for metric in SLA_METRICS {
        let mut binds = Sql::with_values([p.now]);
        let team = team(p, "t", &mut binds);
        let count = |cond: &str| {
            format!(
                "(SELECT COUNT(*) FROM ticket_sla s{} WHERE s.metric = '{metric}'
                    AND s.due_at >= b.lo AND s.due_at < b.hi AND {}{team})",
                ticket_join(p),
                cond.replace("$3", "$1")
            )
        };
        let sql = format!(
            "SELECT b.i, {} AS met, {} AS breached FROM ({}) b ORDER BY b.i",
            count(SLA_MET),
            count(SLA_BREACHED),
            bucket_rows(&starts, p.to)
        );
        for r in rows(db, sql, &binds).await? {
            let (met, breached): (i64, i64) = (r.try_get("met")?, r.try_get("breached")?);
            if met + breached > 0 {
                counts.insert(
                    (r.try_get::<i64, _>("i")? as usize, metric),
                    (met, breached),
                );
            }
        }
    }
    let mut t = Table::new(&columns);
    for ((bucket, metric), (met, breached)) in counts {
        t.rows.push(vec![
            Cell::text(bucket_label(p, starts[bucket])),
            Cell::text(metric),
            Cell::Int(met),
            Cell::Int(breached),
            Cell::num(percent(met, met + breached)),
        ]);
    }
    Ok(t)
}

/// SLA targets due in the period that were breached, latest first (at most 1000).
pub async fn sla_breaches(db: &Db, p: &Params) -> AppResult<Table> {
    let columns = [
        "ticket_id",
        "subject",
        "metric",
        "due_at",
        "breached_at",
        "team",
        "assignee",
        "link",
    ];
    if !sla_available(db).await? {
        return Ok(sla_missing(&columns));
    }
    let mut binds = Sql::with_values([p.from, p.to, p.now]);
    let team = team(p, "t", &mut binds);
    let sql = format!(
        "SELECT s.ticket_id, t.subject, s.metric, s.due_at, COALESCE(s.breached_at, s.met_at, s.due_at) AS at,
            tm.name AS team, a.name AS assignee
         FROM ticket_sla s JOIN ticket t ON t.ticket_id = s.ticket_id
            LEFT JOIN team tm ON tm.team_id = t.team_id LEFT JOIN agent a ON a.agent_id = t.assignee_id
         WHERE s.due_at >= $1 AND s.due_at < $2 AND {SLA_BREACHED}{team}
         ORDER BY s.due_at DESC, s.ticket_id DESC LIMIT 1000"
    );
    let mut t = Table::new(&columns);
    for r in rows(db, sql, &binds).await? {
        let id: i64 = r.try_get("ticket_id")?;
        let opt = |v: Option<String>| v.map(Cell::Text).unwrap_or(Cell::Null);
        t.rows.push(vec![
            Cell::Int(id),
            Cell::text(r.try_get::<String, _>("subject")?),
            Cell::text(r.try_get::<String, _>("metric")?),
            Cell::text(iso(r.try_get("due_at")?)),
            Cell::text(iso(r.try_get("at")?)),
            opt(r.try_get("team")?),
            opt(r.try_get("assignee")?),
            Cell::text(format!("/tickets/{id}")),
        ]);
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::subject_terms;

    #[test]
    fn subject_terms_are_distinct_meaningful_words() {
        assert_eq!(
            subject_terms("Re: Invoice #1234 missing — invoice PDF for March"),
            vec!["invoice", "missing", "pdf", "march"]
        );
        assert_eq!(
            subject_terms("ログイン できない"),
            vec!["ログイン", "できない"]
        );
        assert!(subject_terms("the and 2024 a").is_empty());
    }
}
