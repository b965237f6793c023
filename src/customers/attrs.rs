//! The customer facts ticket lists filter by (plan, segment, VIP), kept in `customer_attr` so a
//! view over a million tickets reads an index instead of every customer's CRM history. Writes
//! that can change them (CRM events, customer merges) mark the customer dirty in their own
//! transaction; [`run`] recomputes dirty customers in the background, so a filter follows a
//! change within about a second.

use crate::db::{Db, Tx};
use crate::domain::clock::Millis;
use crate::error::AppResult;
use crate::state::AppState;
use sqlx::Row;
use std::time::Duration;

/// Customers recomputed per transaction.
const BATCH: i64 = 200;

/// How often the refresher looks for dirty customers when it found none.
const POLL: Duration = Duration::from_secs(1);

/// Marks customer `customer_id` for recomputation (inside the transaction that changes it).
pub async fn mark_dirty(tx: &mut Tx, customer_id: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO customer_attr_dirty (customer_id, generation) VALUES ($1, 0)
         ON CONFLICT (customer_id) DO UPDATE SET generation = customer_attr_dirty.generation + 1",
    )
    .bind(customer_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Recomputes up to one batch of dirty customers. Returns how many it recomputed.
pub async fn refresh_dirty(db: &Db, now: Millis) -> AppResult<usize> {
    let rows = sqlx::query(
        "SELECT customer_id, generation FROM customer_attr_dirty ORDER BY customer_id LIMIT $1",
    )
    .bind(BATCH)
    .fetch_all(&db.pool)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut computed = Vec::with_capacity(rows.len());
    {
        let mut conn = db.pool.acquire().await?;
        for r in &rows {
            let id: i64 = r.try_get("customer_id")?;
            let generation: i64 = r.try_get("generation")?;
            let a = super::crm::attributes(&mut conn, id, now).await?;
            computed.push((id, generation, a));
        }
    }
    let mut tx = db.begin().await?;
    for (id, generation, a) in &computed {
        // A customer deleted meanwhile has nothing to describe.
        sqlx::query(
            "INSERT INTO customer_attr (customer_id, plan, segment, vip, updated_at)
             SELECT customer_id, $2, $3, $4, $5 FROM customer WHERE customer_id = $1
             ON CONFLICT (customer_id) DO UPDATE SET plan = excluded.plan,
               segment = excluded.segment, vip = excluded.vip, updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(a.plan.clone())
        .bind(a.segment.clone())
        .bind(i64::from(a.vip))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // Cleared only if nothing marked it again while it was computed.
        sqlx::query("DELETE FROM customer_attr_dirty WHERE customer_id = $1 AND generation = $2")
            .bind(id)
            .bind(generation)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(computed.len())
}

/// The refresher: recomputes dirty customers, batch after batch, then waits a moment.
pub async fn run(state: AppState) {
    loop {
        match refresh_dirty(&state.db, state.now()).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "customer attribute refresh failed"),
        }
        tokio::time::sleep(POLL).await;
    }
}
