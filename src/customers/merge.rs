//! Merging duplicate customers: one transaction moves identities, tickets (with their private
//! links), customer messages and CRM events onto the surviving customer, records exactly what
//! moved, and can move exactly that back within the undo window. Also finds likely duplicates.

use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use serde::Serialize;
use sqlx::Row;

/// What a merge moves, by the table and id column of each kind of row.
const ITEMS: &[(&str, &str, &str)] = &[
    ("identity", "customer_identity", "customer_identity_id"),
    ("ticket", "ticket", "ticket_id"),
    ("message", "message", "message_id"),
    ("crm_event", "crm_event", "crm_event_id"),
];

/// How many rows of each kind a merge moved.
#[derive(utoipa::ToSchema, Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Moved {
    pub identities: i64,
    pub tickets: i64,
    pub messages: i64,
    pub crm_events: i64,
}

impl Moved {
    fn set(&mut self, kind: &str, n: i64) {
        match kind {
            "identity" => self.identities = n,
            "ticket" => self.tickets = n,
            "message" => self.messages = n,
            _ => self.crm_events = n,
        }
    }
}

/// One merge, as the customer page and the API show it.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct MergeRecord {
    pub id: i64,
    pub into_customer_id: i64,
    pub from_customer_id: i64,
    pub from_name: String,
    pub into_name: String,
    pub agent_id: Option<i64>,
    pub moved: Moved,
    pub created_at: Millis,
    pub undo_until: Millis,
    pub undone_at: Option<Millis>,
    /// Undo is still possible (within the window, not undone, survivor not merged away since).
    pub can_undo: bool,
}

/// Merges customer `from` into `into` on behalf of `agent_id`. Undo is possible until
/// `now + undo_window_ms`.
#[tracing::instrument(skip_all, fields(into, from))]
pub async fn merge(
    db: &Db,
    into: i64,
    from: i64,
    agent_id: Option<i64>,
    undo_window_ms: i64,
    now: Millis,
) -> AppResult<MergeRecord> {
    if into == from {
        return Err(AppError::field("from", t!("crm-err-merge-self")));
    }
    let mut tx = db.begin().await?;
    super::identity::require_active(&mut tx, into).await?;
    match super::identity::require_active(&mut tx, from).await {
        Err(AppError::NotFound(_)) => {
            return Err(AppError::field("from", t!("crm-err-no-such-customer")));
        }
        Err(AppError::Conflict(m)) => return Err(AppError::field("from", m)),
        other => other?,
    }
    let merge_id: i64 = sqlx::query_scalar(
        "INSERT INTO customer_merge (into_customer_id, from_customer_id, agent_id, moved, created_at, undo_until)
         VALUES ($1, $2, $3, '{}', $4, $5) RETURNING customer_merge_id",
    )
    .bind(into)
    .bind(from)
    .bind(agent_id)
    .bind(now)
    .bind(now.saturating_add(undo_window_ms.max(0)))
    .fetch_one(&mut *tx)
    .await?;
    let moved = move_items(&mut tx, merge_id, from, into, true, agent_id, now).await?;
    sqlx::query("UPDATE customer_merge SET moved = $1 WHERE customer_merge_id = $2")
        .bind(serde_json::to_string(&moved).map_err(anyhow::Error::from)?)
        .bind(merge_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE customer SET merged_into_id = $1, updated_at = $2 WHERE customer_id = $3")
        .bind(into)
        .bind(now)
        .bind(from)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE customer SET updated_at = $1 WHERE customer_id = $2")
        .bind(now)
        .bind(into)
        .execute(&mut *tx)
        .await?;
    super::attrs::mark_dirty(&mut tx, into).await?;
    super::attrs::mark_dirty(&mut tx, from).await?;
    let event = crate::webhooks::MergeData {
        merge_id,
        into_customer_id: into,
        from_customer_id: from,
        agent_id,
        moved: &moved,
    };
    crate::webhooks::on_customer_merged(&mut tx, event, now).await?;
    tx.commit().await?;
    tracing::info!(merge_id, ?moved, "merged customers");
    get(db, merge_id, now).await
}

/// Records the moved rows of each kind and moves them (`forward`), or moves back exactly the
/// recorded rows that still sit on the surviving customer.
async fn move_items(
    tx: &mut Tx,
    merge_id: i64,
    from: i64,
    into: i64,
    forward: bool,
    agent_id: Option<i64>,
    now: Millis,
) -> AppResult<Moved> {
    let mut moved = Moved::default();
    for (kind, table, id_col) in ITEMS {
        if forward {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO customer_merge_item (customer_merge_id, item_kind, item_id)
                 SELECT $1, '{kind}', {id_col} FROM {table} WHERE customer_id = $2"
            )))
            .bind(merge_id)
            .bind(from)
            .execute(&mut **tx)
            .await?;
        }
        let (src, dst) = if forward { (from, into) } else { (into, from) };
        if *kind == "ticket" {
            // Tickets change through their one door: version, audit entry, change event and
            // search document for each.
            let n = crate::tickets::commands::move_merged_tickets(
                tx,
                &crate::tickets::commands::MergeMove {
                    merge_id,
                    from: src,
                    into: dst,
                    agent_id,
                    audit_kind: if forward {
                        "customer_merged"
                    } else {
                        "customer_merge_undone"
                    },
                },
                now,
            )
            .await?;
            moved.set(kind, n);
            continue;
        }
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET customer_id = $1
             WHERE customer_id = $2 AND {id_col} IN
               (SELECT item_id FROM customer_merge_item WHERE customer_merge_id = $3 AND item_kind = '{kind}')"
        )))
        .bind(dst)
        .bind(src)
        .bind(merge_id)
        .execute(&mut **tx)
        .await?;
        moved.set(kind, done.rows_affected() as i64);
    }
    Ok(moved)
}

/// Undoes merge `merge_id`: moves exactly the recorded rows back and revives the merged-away
/// customer. Refused after the window, twice, or when the survivor was merged away since.
#[tracing::instrument(skip_all, fields(merge_id))]
pub async fn undo(
    db: &Db,
    merge_id: i64,
    agent_id: Option<i64>,
    now: Millis,
) -> AppResult<MergeRecord> {
    let mut tx = db.begin().await?;
    let row = sqlx::query(
        "SELECT into_customer_id, from_customer_id, undo_until, undone_at FROM customer_merge
         WHERE customer_merge_id = $1",
    )
    .bind(merge_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound("merge"))?;
    let into: i64 = row.try_get("into_customer_id")?;
    let from: i64 = row.try_get("from_customer_id")?;
    let undo_until: i64 = row.try_get("undo_until")?;
    let undone_at: Option<i64> = row.try_get("undone_at")?;
    if undone_at.is_some() {
        return Err(AppError::Conflict(t!("crm-err-merge-undone")));
    }
    if now > undo_until {
        return Err(AppError::Conflict(t!("crm-err-undo-window")));
    }
    super::identity::require_active(&mut tx, into)
        .await
        .map_err(|_| AppError::Conflict(t!("crm-err-merged-away", into = into)))?;
    move_items(&mut tx, merge_id, from, into, false, agent_id, now).await?;
    super::attrs::mark_dirty(&mut tx, into).await?;
    super::attrs::mark_dirty(&mut tx, from).await?;
    sqlx::query(
        "UPDATE customer SET merged_into_id = NULL, updated_at = $1 WHERE customer_id = $2",
    )
    .bind(now)
    .bind(from)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE customer_merge SET undone_at = $1, undone_by = $2 WHERE customer_merge_id = $3",
    )
    .bind(now)
    .bind(agent_id)
    .bind(merge_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(merge_id, "undid customer merge");
    get(db, merge_id, now).await
}

const MERGE_SELECT: &str = "SELECT m.customer_merge_id, m.into_customer_id, m.from_customer_id, m.agent_id,
        m.moved, m.created_at, m.undo_until, m.undone_at, ci.name AS into_name, cf.name AS from_name,
        ci.merged_into_id AS into_merged
     FROM customer_merge m
     JOIN customer ci ON ci.customer_id = m.into_customer_id
     JOIN customer cf ON cf.customer_id = m.from_customer_id";

fn record_from_row(r: &sqlx::any::AnyRow, now: Millis) -> AppResult<MergeRecord> {
    let moved: String = r.try_get("moved")?;
    let undo_until: i64 = r.try_get("undo_until")?;
    let undone_at: Option<i64> = r.try_get("undone_at")?;
    let into_merged: Option<i64> = r.try_get("into_merged")?;
    Ok(MergeRecord {
        id: r.try_get("customer_merge_id")?,
        into_customer_id: r.try_get("into_customer_id")?,
        from_customer_id: r.try_get("from_customer_id")?,
        from_name: r.try_get("from_name")?,
        into_name: r.try_get("into_name")?,
        agent_id: r.try_get("agent_id")?,
        moved: serde_json::from_str(&moved).unwrap_or_default(),
        created_at: r.try_get("created_at")?,
        undo_until,
        undone_at,
        can_undo: undone_at.is_none() && now <= undo_until && into_merged.is_none(),
    })
}

pub async fn get(db: &Db, merge_id: i64, now: Millis) -> AppResult<MergeRecord> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{MERGE_SELECT} WHERE m.customer_merge_id = $1"
    )))
    .bind(merge_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound("merge"))?;
    record_from_row(&row, now)
}

/// Merges into or out of a customer, newest first.
pub async fn history(db: &Db, customer_id: i64, now: Millis) -> AppResult<Vec<MergeRecord>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{MERGE_SELECT} WHERE m.into_customer_id = $1 OR m.from_customer_id = $1
         ORDER BY m.customer_merge_id DESC LIMIT 100"
    )))
    .bind(customer_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(|r| record_from_row(r, now)).collect()
}

/// Why two customers look like the same person.
#[derive(utoipa::ToSchema, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    SameExternalId,
    SamePhone,
    SameNameAndDomain,
}

impl DuplicateReason {
    pub fn text(self) -> &'static str {
        match self {
            DuplicateReason::SameExternalId => "same external id",
            DuplicateReason::SamePhone => "same phone number",
            DuplicateReason::SameNameAndDomain => "same name and email domain",
        }
    }
}

/// Two customers that are probably one person; `a` is the older one.
#[derive(utoipa::ToSchema, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicatePair {
    pub a: i64,
    pub a_name: String,
    pub b: i64,
    pub b_name: String,
    pub reasons: Vec<DuplicateReason>,
    /// The shared value (phone, external id or email domain) for the first reason.
    pub shared: String,
}

/// Likely duplicates among customers that were not merged away: the same external id, the same
/// phone number, or the same (non-empty) name with an email address at the same domain. With
/// `customer_id`, only pairs that include that customer. At most `limit` pairs.
pub async fn duplicates(
    db: &Db,
    customer_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<DuplicatePair>> {
    let limit = limit.clamp(1, 1000);
    let da = db.backend.email_domain("ia.value");
    let db_ = db.backend.email_domain("ib.value");
    // Each query yields (a, b, why, kind, shared) with a < b.
    let rows = match customer_id {
        Some(id) => duplicates_of(db, id, limit).await?,
        None => {
            let sql = format!(
                "SELECT a.customer_id AS a, b.customer_id AS b, 'same_identity' AS why, a.kind AS kind, a.value AS shared
                   FROM customer_identity a
                   JOIN customer_identity b ON b.kind = a.kind AND b.value = a.value AND b.customer_id > a.customer_id
                   JOIN customer ca ON ca.customer_id = a.customer_id AND ca.merged_into_id IS NULL
                   JOIN customer cb ON cb.customer_id = b.customer_id AND cb.merged_into_id IS NULL
                  WHERE a.kind IN ('phone', 'external')
                 UNION
                 SELECT a.customer_id AS a, b.customer_id AS b, 'same_name' AS why, 'email' AS kind, {da} AS shared
                   FROM customer a
                   JOIN customer b ON lower(b.name) = lower(a.name) AND b.customer_id > a.customer_id
                   JOIN customer_identity ia ON ia.customer_id = a.customer_id AND ia.kind = 'email'
                   JOIN customer_identity ib ON ib.customer_id = b.customer_id AND ib.kind = 'email'
                  WHERE a.name <> '' AND a.merged_into_id IS NULL AND b.merged_into_id IS NULL
                    AND {da} = {db_}
                 ORDER BY a, b LIMIT $1"
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(limit * 3)
                .fetch_all(&db.pool)
                .await?;
            rows.iter()
                .map(|r| -> AppResult<DupRow> {
                    Ok(DupRow {
                        a: r.try_get("a")?,
                        b: r.try_get("b")?,
                        same_name: r.try_get::<String, _>("why")? == "same_name",
                        kind: r.try_get("kind")?,
                        shared: r.try_get("shared")?,
                    })
                })
                .collect::<AppResult<Vec<_>>>()?
        }
    };
    let mut pairs: Vec<DuplicatePair> = Vec::new();
    for r in rows {
        let (a, b, shared) = (r.a, r.b, r.shared);
        let reason = match (r.same_name, r.kind.as_str()) {
            (true, _) => DuplicateReason::SameNameAndDomain,
            (false, "phone") => DuplicateReason::SamePhone,
            (false, _) => DuplicateReason::SameExternalId,
        };
        match pairs.iter_mut().find(|p| p.a == a && p.b == b) {
            Some(p) => {
                if !p.reasons.contains(&reason) {
                    p.reasons.push(reason);
                    p.reasons.sort();
                }
            }
            None => pairs.push(DuplicatePair {
                a,
                a_name: String::new(),
                b,
                b_name: String::new(),
                reasons: vec![reason],
                shared,
            }),
        }
    }
    pairs.truncate(limit as usize);
    for p in &mut pairs {
        p.a_name = name_of(db, p.a).await?;
        p.b_name = name_of(db, p.b).await?;
    }
    Ok(pairs)
}

/// One candidate pair, `a < b`.
struct DupRow {
    a: i64,
    b: i64,
    same_name: bool,
    kind: String,
    shared: String,
}

/// Duplicates of one customer, looked up from its own identities and name (bound as values, so
/// each lookup is an index probe whatever the number of customers).
async fn duplicates_of(db: &Db, id: i64, limit: i64) -> AppResult<Vec<DupRow>> {
    let mut out = Vec::new();
    let order = |x: i64| if x < id { (x, id) } else { (id, x) };
    let same = sqlx::query(
        "SELECT b.customer_id, a.kind, a.value
           FROM customer_identity a
           JOIN customer_identity b ON b.kind = a.kind AND b.value = a.value AND b.customer_id <> a.customer_id
           JOIN customer cb ON cb.customer_id = b.customer_id AND cb.merged_into_id IS NULL
          WHERE a.customer_id = $1 AND a.kind IN ('phone', 'external')
          LIMIT $2",
    )
    .bind(id)
    .bind(limit * 3)
    .fetch_all(&db.pool)
    .await?;
    for r in &same {
        let (a, b) = order(r.try_get("customer_id")?);
        out.push(DupRow {
            a,
            b,
            same_name: false,
            kind: r.try_get("kind")?,
            shared: r.try_get("value")?,
        });
    }
    let name: Option<String> =
        sqlx::query_scalar("SELECT lower(name) FROM customer WHERE customer_id = $1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
    let domains: Vec<String> = sqlx::query_scalar(
        "SELECT value FROM customer_identity WHERE customer_id = $1 AND kind = 'email'",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let domains: Vec<String> = domains
        .iter()
        .filter_map(|e| e.rsplit_once('@').map(|(_, d)| d.to_string()))
        .collect();
    if let Some(name) = name.filter(|n| !n.is_empty())
        && !domains.is_empty()
    {
        let rows = sqlx::query(
            "SELECT c.customer_id, ib.value FROM customer c
               JOIN customer_identity ib ON ib.customer_id = c.customer_id AND ib.kind = 'email'
              WHERE lower(c.name) = $1 AND c.customer_id <> $2 AND c.merged_into_id IS NULL
              LIMIT $3",
        )
        .bind(&name)
        .bind(id)
        .bind(limit * 10)
        .fetch_all(&db.pool)
        .await?;
        for r in &rows {
            let email: String = r.try_get("value")?;
            let Some((_, domain)) = email.rsplit_once('@') else {
                continue;
            };
            if domains.iter().any(|d| d == domain) {
                let (a, b) = order(r.try_get("customer_id")?);
                out.push(DupRow {
                    a,
                    b,
                    same_name: true,
                    kind: "email".into(),
                    shared: domain.to_string(),
                });
            }
        }
    }
    out.sort_by_key(|r| (r.a, r.b, r.same_name));
    Ok(out)
}

async fn name_of(db: &Db, id: i64) -> AppResult<String> {
    Ok(
        sqlx::query_scalar("SELECT name FROM customer WHERE customer_id = $1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moved_counts_land_in_their_field() {
        let mut m = Moved::default();
        for (k, n) in [
            ("identity", 2),
            ("ticket", 3),
            ("message", 5),
            ("crm_event", 7),
        ] {
            m.set(k, n);
        }
        assert_eq!(
            m,
            Moved {
                identities: 2,
                tickets: 3,
                messages: 5,
                crm_events: 7
            }
        );
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<Moved>(&json).unwrap(), m);
    }

    #[test]
    fn reasons_read_as_text() {
        assert_eq!(DuplicateReason::SamePhone.text(), "same phone number");
        assert!(DuplicateReason::SameExternalId < DuplicateReason::SameNameAndDomain);
    }
}
