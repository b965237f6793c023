//! Customers and their identities (email addresses for now): matching on intake and the customer page.

pub mod crm;

use crate::db::{Db, Tx};
use crate::domain::EmailAddress;
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub emails: Vec<String>,
    pub created_at: Millis,
    pub open_tickets: i64,
    pub total_tickets: i64,
}

/// Finds the customer owning `email`, or creates one. A better name replaces an empty one.
pub async fn match_or_create(
    tx: &mut Tx,
    email: &EmailAddress,
    name: Option<&str>,
    now: Millis,
) -> AppResult<i64> {
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT customer_id FROM customer_identity WHERE kind = 'email' AND value = $1",
    )
    .bind(email.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let name = name
        .map(crate::domain::single_line)
        .filter(|n| !n.is_empty());
    let name = name.as_deref();
    if let Some(id) = existing {
        if let Some(name) = name {
            sqlx::query("UPDATE customer SET name = $1, updated_at = $2 WHERE customer_id = $3 AND name = ''")
                .bind(name)
                .bind(now)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        return Ok(id);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO customer (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING customer_id",
    )
    .bind(name.unwrap_or(""))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO customer_identity (customer_id, kind, value, created_at) VALUES ($1, 'email', $2, $3)")
        .bind(id)
        .bind(email.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

pub async fn get(db: &Db, id: i64) -> AppResult<Customer> {
    let row = sqlx::query(
        "SELECT c.customer_id, c.name, c.created_at,
            (SELECT COUNT(*) FROM ticket t WHERE t.customer_id = c.customer_id AND t.status IN ('new','open','pending')) AS open_tickets,
            (SELECT COUNT(*) FROM ticket t WHERE t.customer_id = c.customer_id) AS total_tickets
         FROM customer c WHERE c.customer_id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound("customer"))?;
    let emails: Vec<String> = sqlx::query_scalar(
        "SELECT value FROM customer_identity WHERE customer_id = $1 AND kind = 'email' ORDER BY customer_identity_id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    Ok(Customer {
        id,
        name: row.try_get("name")?,
        emails,
        created_at: row.try_get("created_at")?,
        open_tickets: row.try_get("open_tickets")?,
        total_tickets: row.try_get("total_tickets")?,
    })
}
