//! Report facts: one `report_ticket` row per ticket with what the reports measure — calendar and
//! business-hours first response and resolution, reopened, one-touch — so a report over a year
//! reads one narrow table through a covering index. Database triggers queue a ticket in
//! `report_dirty` in the same transaction as any change a fact depends on; [`refresh`] measures
//! queued tickets again. It runs in the background ([`run`]) and before every report, so a
//! report never reads a stale fact.
//!
//! The refresh also keeps `report_duration`: per measure, local day, team and value bucket, how
//! many durations and their sum. It adds each ticket's new durations and takes away the ones its
//! old facts had counted, so the counts always match the facts.

use super::business::BusinessClock;
use crate::db::builder::Value;
use crate::db::{Backend, Db, Sql};
use crate::domain::clock::Millis;
use crate::error::AppResult;
use crate::sla::BusinessCalendar;
use chrono::NaiveDate;
use chrono_tz::Tz;
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashMap;

/// Tickets measured per transaction (on SQLite a batch holds the write lock: keep it short).
const BATCH: i64 = 250;

/// Advisory lock key that makes report-fact refreshes on PostgreSQL take turns.
const REFRESH_LOCK: i64 = 0x0CA5_EB00_0002;

/// Starts a transaction that changes the facts; on PostgreSQL, changes of the facts take turns
/// (an advisory lock held until the transaction ends).
async fn begin_turn(db: &Db) -> AppResult<crate::db::Tx> {
    let mut tx = db.begin().await?;
    if db.backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(REFRESH_LOCK)
            .execute(&mut *tx)
            .await?;
    }
    Ok(tx)
}

/// What identifies the business calendar facts were measured in.
fn calendar_key(cal: &BusinessCalendar) -> String {
    format!("{cal:?}")
}

/// Measures every queued ticket again (and every ticket, when the business calendar changed).
/// Returns how many tickets were measured.
pub async fn refresh(db: &Db, cal: &BusinessCalendar) -> AppResult<u64> {
    let key = calendar_key(cal);
    let current: Option<String> =
        sqlx::query_scalar("SELECT calendar FROM report_fact_state WHERE id = 1")
            .fetch_optional(&db.pool)
            .await?;
    if current.as_deref() != Some(key.as_str()) {
        // Takes turns with the refresh and SLA backfill batches, which read what this clears:
        // one running beside it would take its old counts away from cleared days.
        let mut tx = begin_turn(db).await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT calendar FROM report_fact_state WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?;
        if current.as_deref() != Some(key.as_str()) {
            if current.is_some() {
                // Business times and local days change with the calendar: measure afresh.
                for sql in [
                    "DELETE FROM report_duration",
                    "DELETE FROM report_ticket",
                    "DELETE FROM report_sla",
                    "INSERT INTO report_dirty (ticket_id) SELECT ticket_id FROM ticket WHERE 1 = 1
                     ON CONFLICT (ticket_id) DO NOTHING",
                ] {
                    sqlx::query(sql).execute(&mut *tx).await?;
                }
            }
            sqlx::query(
                "INSERT INTO report_fact_state (id, calendar) VALUES (1, $1)
                 ON CONFLICT (id) DO UPDATE SET calendar = excluded.calendar",
            )
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    let mut measured = 0;
    loop {
        let n = refresh_batch(db, cal).await?;
        measured += n;
        if n < BATCH as u64 {
            return Ok(measured);
        }
    }
}

/// Measures up to [`BATCH`] queued tickets in one transaction. The queue rows are taken (locked
/// and deleted) before the tickets are read: a change committed meanwhile queues its ticket again
/// (the trigger's upsert waits for this transaction), so no change is missed. On PostgreSQL,
/// refreshes take turns (an advisory lock), and a queue row a change in progress holds is left
/// for the next refresh: that change is not committed, so no report could see it yet.
async fn refresh_batch(db: &Db, cal: &BusinessCalendar) -> AppResult<u64> {
    let mut tx = begin_turn(db).await?;
    let lock = db.backend.for_update_skip_locked();
    let ids: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT ticket_id FROM report_dirty ORDER BY ticket_id LIMIT {BATCH} {lock}"
    )))
    .fetch_all(&mut *tx)
    .await?;
    if ids.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM report_dirty WHERE ticket_id IN ({list})"
    )))
    .execute(&mut *tx)
    .await?;
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT t.ticket_id, t.created_at, t.first_response_at, t.solved_at, t.team_id, t.assignee_id,
            t.customer_id, t.channel, t.priority,
            CAST(CASE WHEN EXISTS (SELECT 1 FROM ticket_event e WHERE e.ticket_id = t.ticket_id
                AND e.kind = 'status' AND e.old_value = 'solved') THEN 1 ELSE 0 END AS BIGINT) AS reopened,
            (SELECT COUNT(*) FROM message m WHERE m.ticket_id = t.ticket_id
                AND m.author_kind = 'agent' AND m.visibility = 'public') AS replies,
            (SELECT MIN(s.breached_at) FROM ticket_sla s WHERE s.ticket_id = t.ticket_id) AS sla_breached_at
         FROM ticket t WHERE t.ticket_id IN ({list})"
    )))
    .fetch_all(&mut *tx)
    .await?;
    // What the old facts counted in report_duration, taken away below.
    let mut counts = Counts::default();
    let old = sqlx::query(AssertSqlSafe(format!(
        "SELECT created_at, solved_at, team_id, first_response_ms, first_response_business_ms,
            resolution_ms, resolution_business_ms, reopened, one_touch, assignee_id
         FROM report_ticket WHERE ticket_id IN ({list})"
    )))
    .fetch_all(&mut *tx)
    .await?;
    let tz = cal.time_zone();
    for r in &old {
        let durations = [
            r.try_get("first_response_ms")?,
            r.try_get("first_response_business_ms")?,
            r.try_get("resolution_ms")?,
            r.try_get("resolution_business_ms")?,
        ];
        let counted = Counted {
            created_at: r.try_get("created_at")?,
            solved_at: r.try_get("solved_at")?,
            team_id: r.try_get("team_id")?,
            assignee_id: r.try_get("assignee_id")?,
            durations,
            reopened: r.try_get("reopened")?,
            one_touch: r.try_get("one_touch")?,
        };
        counts.add(tz, &counted, -1);
    }
    let mut facts = Vec::with_capacity(rows.len());
    for r in &rows {
        facts.push(Fact {
            ticket_id: r.try_get("ticket_id")?,
            created_at: r.try_get("created_at")?,
            first_response_at: r.try_get("first_response_at")?,
            solved_at: r.try_get("solved_at")?,
            team_id: r.try_get("team_id")?,
            assignee_id: r.try_get("assignee_id")?,
            customer_id: r.try_get("customer_id")?,
            channel: r.try_get("channel")?,
            priority: r.try_get("priority")?,
            reopened: r.try_get("reopened")?,
            one_touch: i64::from(r.try_get::<i64, _>("replies")? == 1),
            sla_breached_at: r.try_get("sla_breached_at")?,
        });
    }
    if !facts.is_empty() {
        write(&mut tx, cal, &facts, &mut counts).await?;
    }
    measure_sla(&mut tx, tz, &list, &mut counts).await?;
    counts.write(&mut tx).await?;
    // Facts of tickets gone since they were queued (the fact tables have no foreign keys, so
    // that writing them never locks a ticket row).
    sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM report_ticket WHERE ticket_id IN ({list})
            AND NOT EXISTS (SELECT 1 FROM ticket t WHERE t.ticket_id = report_ticket.ticket_id)"
    )))
    .execute(&mut *tx)
    .await?;
    sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM report_tag WHERE ticket_id IN ({list})"
    )))
    .execute(&mut *tx)
    .await?;
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO report_tag (ticket_id, tag, created_at, team_id)
         SELECT g.ticket_id, g.tag, t.created_at, t.team_id FROM ticket_tag g
            JOIN ticket t ON t.ticket_id = g.ticket_id WHERE g.ticket_id IN ({list})"
    )))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ids.len() as u64)
}

/// The SLA metrics in the order of `report_sla.metric` (and of the SLA measure's buckets).
pub const SLA_METRICS: [&str; 3] = ["first_response", "next_response", "resolution"];

/// The measure of `report_duration` counting SLA targets per local due day and team; its bucket
/// is 2 × metric (see [`SLA_METRICS`]) + 1 when the target was met on time.
pub const SLA: i64 = 7;

/// Measures the SLA targets of the tickets in `list` (ids, comma-separated) again: takes away
/// what `report_sla` counted for them and counts their targets as they are now. A target counts
/// on the local day of its due time; it is met when it was met by then and never marked
/// breached (the reports' definition). Targets standing still (no due time) count nowhere.
async fn measure_sla(
    tx: &mut crate::db::Tx,
    tz: Tz,
    list: &str,
    counts: &mut Counts,
) -> AppResult<()> {
    let old = sqlx::query(AssertSqlSafe(format!(
        "SELECT metric, day, team_id, met FROM report_sla WHERE ticket_id IN ({list})"
    )))
    .fetch_all(&mut **tx)
    .await?;
    for r in &old {
        let team: Option<i64> = r.try_get("team_id")?;
        let bucket = 2 * r.try_get::<i64, _>("metric")? + r.try_get::<i64, _>("met")?;
        counts.count(SLA, r.try_get("day")?, team.unwrap_or(0), bucket, 0, -1);
    }
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT s.ticket_sla_id, s.ticket_id, s.metric, s.due_at, s.met_at, s.breached_at, t.team_id
         FROM ticket_sla s JOIN ticket t ON t.ticket_id = s.ticket_id
         WHERE s.ticket_id IN ({list}) AND s.due_at IS NOT NULL"
    )))
    .fetch_all(&mut **tx)
    .await?;
    let mut mirror: Vec<[Value; 6]> = Vec::with_capacity(rows.len());
    for r in &rows {
        let metric: String = r.try_get("metric")?;
        let Some(metric) = SLA_METRICS.iter().position(|m| *m == metric) else {
            continue;
        };
        let due: Millis = r.try_get("due_at")?;
        let met_at: Option<Millis> = r.try_get("met_at")?;
        let breached: Option<Millis> = r.try_get("breached_at")?;
        let met = i64::from(breached.is_none() && met_at.is_some_and(|m| m <= due));
        let team: Option<i64> = r.try_get("team_id")?;
        let day = day_number(tz, due);
        counts.count(SLA, day, team.unwrap_or(0), 2 * metric as i64 + met, 0, 1);
        mirror.push([
            r.try_get::<i64, _>("ticket_sla_id")?.into(),
            r.try_get::<i64, _>("ticket_id")?.into(),
            (metric as i64).into(),
            day.into(),
            team.into(),
            met.into(),
        ]);
    }
    sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM report_sla WHERE ticket_id IN ({list})"
    )))
    .execute(&mut **tx)
    .await?;
    for chunk in mirror.chunks(1000) {
        let mut sql = Sql::default();
        let values = sql.tuples(chunk.iter().cloned());
        sql.push(&format!(
            "INSERT INTO report_sla (ticket_sla_id, ticket_id, metric, day, team_id, met) VALUES {values}"
        ));
        sql.query().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Whether every SLA target is counted in the facts (see [`backfill_sla`]).
pub async fn sla_counted(db: &Db) -> AppResult<bool> {
    let done: Option<i64> = sqlx::query_scalar("SELECT done FROM report_sla_backfill WHERE id = 1")
        .fetch_optional(&db.pool)
        .await?;
    Ok(done == Some(1))
}

/// Counts the SLA targets of tickets that existed before the SLA facts, [`BATCH`] tickets per
/// transaction in id order, until all are counted. Tickets changed meanwhile are measured by
/// the refresh as well; measuring a ticket twice counts it once. Returns the tickets measured.
pub async fn backfill_sla(db: &Db, cal: &BusinessCalendar) -> AppResult<u64> {
    let mut measured = 0;
    let mut batch = 0u64;
    loop {
        batch += 1;
        if db.backend == Backend::Postgres && batch % 200 == 2 {
            // The table fills from empty: without fresh statistics PostgreSQL reads all of it
            // for each batch's targets (measured: 140 ms a batch at 1,300,000 rows, not 1 ms).
            sqlx::query("ANALYZE report_sla").execute(&db.pool).await?;
        }
        let mut tx = begin_turn(db).await?;
        let state: Option<(i64, i64)> =
            sqlx::query_as("SELECT next_ticket_id, done FROM report_sla_backfill WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?;
        let Some((next, 0)) = state else {
            tx.commit().await?;
            return Ok(measured);
        };
        let ids: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT ticket_id FROM ticket WHERE ticket_id >= $1 ORDER BY ticket_id LIMIT {BATCH}"
        )))
        .bind(next)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = ids.last().copied() else {
            sqlx::query("UPDATE report_sla_backfill SET done = 1 WHERE id = 1")
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(measured);
        };
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let mut counts = Counts::default();
        measure_sla(&mut tx, cal.time_zone(), &list, &mut counts).await?;
        counts.write(&mut tx).await?;
        sqlx::query("UPDATE report_sla_backfill SET next_ticket_id = $1 WHERE id = 1")
            .bind(last + 1)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        measured += ids.len() as u64;
    }
}

struct Fact {
    ticket_id: i64,
    created_at: Millis,
    first_response_at: Option<Millis>,
    solved_at: Option<Millis>,
    team_id: Option<i64>,
    assignee_id: Option<i64>,
    customer_id: Option<i64>,
    channel: String,
    priority: String,
    reopened: i64,
    one_touch: i64,
    sla_breached_at: Option<Millis>,
}

const COLUMNS: [&str; 16] = [
    "ticket_id",
    "created_at",
    "first_response_at",
    "solved_at",
    "team_id",
    "assignee_id",
    "customer_id",
    "channel",
    "priority",
    "first_response_ms",
    "first_response_business_ms",
    "resolution_ms",
    "resolution_business_ms",
    "reopened",
    "one_touch",
    "sla_breached_at",
];

async fn write(
    tx: &mut crate::db::Tx,
    cal: &BusinessCalendar,
    facts: &[Fact],
    counts: &mut Counts,
) -> AppResult<()> {
    let lo = facts.iter().map(|f| f.created_at).min().unwrap_or(0);
    let hi = facts
        .iter()
        .flat_map(|f| {
            [
                f.created_at,
                f.first_response_at.unwrap_or(0),
                f.solved_at.unwrap_or(0),
            ]
        })
        .max()
        .unwrap_or(0);
    let clock = BusinessClock::new(cal, lo, hi.max(lo));
    let span = |end: Option<Millis>, start: Millis| -> (Option<i64>, Option<i64>) {
        match end {
            Some(e) => (Some(e - start), Some(clock.between(start, e))),
            None => (None, None),
        }
    };
    let mut rows: Vec<[Value; COLUMNS.len()]> = Vec::with_capacity(facts.len());
    for f in facts {
        let (frt, frt_biz) = span(f.first_response_at, f.created_at);
        let (res, res_biz) = span(f.solved_at, f.created_at);
        let counted = Counted {
            created_at: f.created_at,
            solved_at: f.solved_at,
            team_id: f.team_id,
            assignee_id: f.assignee_id,
            durations: [frt, frt_biz, res, res_biz],
            reopened: f.reopened,
            one_touch: f.one_touch,
        };
        counts.add(cal.time_zone(), &counted, 1);
        rows.push([
            f.ticket_id.into(),
            f.created_at.into(),
            f.first_response_at.into(),
            f.solved_at.into(),
            f.team_id.into(),
            f.assignee_id.into(),
            f.customer_id.into(),
            f.channel.clone().into(),
            f.priority.clone().into(),
            frt.into(),
            frt_biz.into(),
            res.into(),
            res_biz.into(),
            f.reopened.into(),
            f.one_touch.into(),
            f.sla_breached_at.into(),
        ]);
    }
    let mut sql = Sql::default();
    let placeholders = sql.tuples(rows);
    let updates = COLUMNS[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    sql.push(&format!(
        "INSERT INTO report_ticket ({}) VALUES {placeholders}
         ON CONFLICT (ticket_id) DO UPDATE SET {updates}",
        COLUMNS.join(", ")
    ));
    sql.query().execute(&mut **tx).await?;
    Ok(())
}

/// The measures of `report_duration`: (duration column, column of the moment whose local day
/// the duration is counted on).
pub const MEASURES: [(&str, &str); 4] = [
    ("first_response_ms", "created_at"),
    ("first_response_business_ms", "created_at"),
    ("resolution_ms", "solved_at"),
    ("resolution_business_ms", "solved_at"),
];

/// A duration's value bucket: each value below 8 ms on its own, then four buckets per power of
/// two (each bucket spans at most a quarter of its lower bound). Negative values share bucket -1.
pub fn bucket(v: i64) -> i64 {
    if v < 0 {
        -1
    } else if v < 8 {
        v
    } else {
        let e = 63 - i64::from(v.leading_zeros());
        8 + (e - 3) * 4 + ((v >> (e - 2)) & 3)
    }
}

/// The values `[lo, hi)` of a bucket.
pub fn bucket_range(b: i64) -> (i64, i64) {
    if b < 0 {
        (i64::MIN, 0)
    } else if b < 8 {
        (b, b + 1)
    } else {
        let (e, m) = ((b - 8) / 4 + 3, (b - 8) % 4);
        let at = |k: i64| i64::try_from(i128::from(k) << (e - 2)).unwrap_or(i64::MAX);
        (at(4 + m), at(5 + m))
    }
}

/// Days since 1970-01-01 of the local date of `at`.
pub fn day_number(tz: Tz, at: Millis) -> i64 {
    (super::stats::local_date(tz, at) - epoch()).num_days()
}

/// The instant the local day `day` (see [`day_number`]) begins.
pub fn day_start(tz: Tz, day: i64) -> Millis {
    super::stats::local_start(tz, epoch() + chrono::Duration::days(day))
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// The measure of `report_duration` counting tickets solved per day; its bucket is
/// 2 × reopened + one-touch.
pub const SOLVED: i64 = 4;
/// The measure counting tickets created per day (bucket 0).
pub const CREATED: i64 = 5;
/// The measure counting resolution times (calendar) per day and assignee, not team.
pub const RESOLUTION_BY_ASSIGNEE: i64 = 6;

/// What one ticket's facts count in `report_duration`.
struct Counted {
    created_at: Millis,
    solved_at: Option<Millis>,
    team_id: Option<i64>,
    assignee_id: Option<i64>,
    /// In the order of [`MEASURES`].
    durations: [Option<i64>; 4],
    reopened: i64,
    one_touch: i64,
}

/// Changes to `report_duration`: (measure, day, group, bucket) → (count, sum).
#[derive(Default)]
struct Counts(HashMap<(i64, i64, i64, i64), (i64, i64)>);

impl Counts {
    /// Adds `sign` to the count (and `sign` × `value` to the sum) of one key.
    fn count(&mut self, measure: i64, day: i64, group: i64, bucket: i64, value: i64, sign: i64) {
        let e = self.0.entry((measure, day, group, bucket)).or_default();
        e.0 += sign;
        e.1 += sign * value;
    }

    /// Counts (`sign` 1) or takes away (`sign` -1) one ticket.
    fn add(&mut self, tz: Tz, t: &Counted, sign: i64) {
        let team = t.team_id.unwrap_or(0);
        let mut count = |measure: i64, at: Millis, group: i64, bucket: i64, value: i64| {
            self.count(measure, day_number(tz, at), group, bucket, value, sign)
        };
        count(CREATED, t.created_at, team, 0, 0);
        if let Some(solved) = t.solved_at {
            count(SOLVED, solved, team, 2 * t.reopened + t.one_touch, 0);
            if let Some(v) = t.durations[2] {
                let assignee = t.assignee_id.unwrap_or(0);
                count(RESOLUTION_BY_ASSIGNEE, solved, assignee, bucket(v), v);
            }
        }
        for (measure, value) in t.durations.into_iter().enumerate() {
            let at = if measure < 2 {
                Some(t.created_at)
            } else {
                t.solved_at
            };
            if let (Some(v), Some(at)) = (value, at) {
                count(measure as i64, at, team, bucket(v), v);
            }
        }
    }

    async fn write(self, tx: &mut crate::db::Tx) -> AppResult<()> {
        let changes: Vec<_> = self.0.into_iter().filter(|(_, d)| *d != (0, 0)).collect();
        for chunk in changes.chunks(1000) {
            let mut sql = Sql::default();
            let rows = sql.tuples(chunk.iter().map(
                |&((measure, day, team, bucket), (n, total))| {
                    [measure, day, team, bucket, n, total]
                },
            ));
            sql.push(&format!(
                "INSERT INTO report_duration (measure, day, group_id, bucket, n, total) VALUES {rows}
                 ON CONFLICT (measure, day, group_id, bucket) DO UPDATE
                 SET n = report_duration.n + excluded.n, total = report_duration.total + excluded.total"
            ));
            sql.query().execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// Keeps the facts current in the background, so the refresh a report does first is small.
pub async fn run(state: crate::state::AppState) {
    let cal = super::calendar(&state);
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(15));
    loop {
        tick.tick().await;
        if let Err(err) = refresh(&state.db, &cal).await {
            tracing::warn!(error = %err, "refreshing report facts failed");
        }
        if let Err(err) = backfill_sla(&state.db, &cal).await {
            tracing::warn!(error = %err, "counting earlier SLA targets failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_lies_in_its_bucket_and_buckets_are_ordered() {
        let mut values = vec![-5, 0, 1, 7, 8, 9, 15, 16, 17, 1_000, 3_600_000, i64::MAX];
        values.extend((0..62).map(|e| 1i64 << e));
        values.extend((1..62).map(|e| (1i64 << e) - 1));
        for v in values {
            let (lo, hi) = bucket_range(bucket(v));
            assert!(lo <= v && (v < hi || hi == i64::MAX), "{v} in [{lo}, {hi})");
        }
        for b in -1..240 {
            let (lo, hi) = bucket_range(b);
            assert!(lo < hi, "bucket {b}");
            assert_eq!(
                bucket_range(b + 1).0,
                hi,
                "bucket {b} ends where the next starts"
            );
            if b >= 0 {
                assert_eq!(bucket(lo), b);
                assert_eq!(bucket(hi - 1), b);
            }
        }
    }

    #[test]
    fn days_are_local() {
        let tz: Tz = "America/New_York".parse().unwrap();
        // 2024-01-02T03:00Z is still January 1st in New York.
        let at = 1_704_164_400_000;
        assert_eq!(day_number(chrono_tz::UTC, at), 19_724);
        assert_eq!(day_number(tz, at), 19_723);
    }
}
