//! Changing the SLA settings: saving business calendars and policies and switching a policy on or
//! off, each followed by recomputing the clocks of open tickets; and what the settings page lists.

use super::store::{self, Calendar, CalendarInput, Policy, PolicyInput};
use crate::db::Db;
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use sqlx::Row;

/// Creates (`id` None) or replaces a calendar, recomputes open tickets' clocks, and returns the
/// calendar as stored.
pub async fn save_calendar(
    db: &Db,
    id: Option<i64>,
    input: &CalendarInput,
    now: Millis,
) -> AppResult<Calendar> {
    let id = {
        let mut tx = db.begin().await?;
        let id = store::save_calendar(&mut tx, id, input, now).await?;
        tx.commit().await?;
        id
    };
    store::refresh_active(db, now).await?;
    let mut conn = db.pool.acquire().await?;
    store::get_calendar(&mut conn, id).await
}

/// Creates (`id` None) or replaces a policy, recomputes open tickets' clocks, and returns the
/// policy as stored.
pub async fn save_policy(
    db: &Db,
    id: Option<i64>,
    input: &PolicyInput,
    now: Millis,
) -> AppResult<Policy> {
    let id = {
        let mut tx = db.begin().await?;
        let id = store::save_policy(&mut tx, id, input, now).await?;
        tx.commit().await?;
        id
    };
    // A changed policy applies to open tickets at once: their clocks are recomputed.
    store::refresh_active(db, now).await?;
    let mut conn = db.pool.acquire().await?;
    store::get_policy(&mut conn, id).await
}

/// Switches a policy on or off and recomputes open tickets' clocks.
pub async fn toggle_policy(db: &Db, id: i64, now: Millis) -> AppResult<()> {
    let changed = sqlx::query(
        "UPDATE sla_policy SET active = 1 - active, updated_at = $1 WHERE sla_policy_id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(&db.pool)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound("policy"));
    }
    store::refresh_active(db, now).await?;
    Ok(())
}

/// Everything the SLA settings page lists.
pub struct Overview {
    pub calendars: Vec<Calendar>,
    /// In the order they are tried.
    pub policies: Vec<Policy>,
    /// (id, name) of every team, by name, for the conditions and the escalation target.
    pub teams: Vec<(i64, String)>,
}

/// Reads the calendars, the policies and the teams for the settings page.
pub async fn overview(db: &Db) -> AppResult<Overview> {
    let mut conn = db.pool.acquire().await?;
    let calendars = store::list_calendars(&mut conn).await?;
    let policies = store::list_policies(&mut conn).await?;
    drop(conn);
    let teams = sqlx::query("SELECT team_id, name FROM team ORDER BY name")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("team_id")?, r.try_get("name")?)))
        .collect::<AppResult<_>>()?;
    Ok(Overview {
        calendars,
        policies,
        teams,
    })
}
