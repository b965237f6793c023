//! Customers and their identities: matching on intake, the customer page, the customer list.

pub mod attrs;
pub mod crm;
pub mod identity;
pub mod import;
pub mod merge;
pub mod webhook;

use crate::db::{Db, Tx};
use crate::domain::EmailAddress;
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use serde::Serialize;
use sqlx::Row;

#[derive(utoipa::ToSchema, Debug, Clone, Serialize)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    /// Current email addresses (former ones are in `identities`).
    pub emails: Vec<String>,
    pub organization: Option<String>,
    /// Every identity, current and former.
    pub identities: Vec<identity::Identity>,
    /// Set when this customer was merged into another one.
    pub merged_into_id: Option<i64>,
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

/// What a messaging gateway knows about who wrote: any of an email address, a phone number
/// (normalized, see [`identity::normalize_phone`]) and a handle on the gateway (recorded as the
/// external identity `<channel slug>:<handle>`).
#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub email: Option<EmailAddress>,
    pub phone: Option<String>,
    pub handle: Option<String>,
}

impl Contact {
    /// The identities it names, most specific to the gateway first.
    fn identities(&self) -> Vec<(identity::IdentityKind, &str)> {
        use identity::IdentityKind::*;
        let mut out = Vec::new();
        if let Some(p) = &self.phone {
            out.push((Phone, p.as_str()));
        }
        if let Some(h) = &self.handle {
            out.push((External, h.as_str()));
        }
        if let Some(e) = &self.email {
            out.push((Email, e.as_str()));
        }
        out
    }
}

/// Finds the customer a gateway's sender is — by phone, then handle, then email address,
/// current or former, following merges — or creates one (who may have no email address). The
/// identities they wrote with that no customer has yet are added to them; one another customer
/// has is left there (merge the two to join them).
pub async fn match_or_create_contact(
    tx: &mut Tx,
    contact: &Contact,
    name: Option<&str>,
    now: Millis,
) -> AppResult<i64> {
    let name = name
        .map(crate::domain::single_line)
        .filter(|n| !n.is_empty());
    let mut found = None;
    for (kind, value) in contact.identities() {
        if let Some(id) = identity::find(tx, kind, value).await? {
            found = Some(id);
            break;
        }
    }
    let id = match found {
        Some(id) => {
            if let Some(name) = &name {
                sqlx::query("UPDATE customer SET name = $1, updated_at = $2 WHERE customer_id = $3 AND name = ''")
                    .bind(name)
                    .bind(now)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
            }
            id
        }
        None => sqlx::query_scalar(
            "INSERT INTO customer (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING customer_id",
        )
        .bind(name.as_deref().unwrap_or(""))
        .bind(now)
        .fetch_one(&mut **tx)
        .await?,
    };
    for (kind, value) in contact.identities() {
        let taken: Option<i64> = sqlx::query_scalar(
            "SELECT customer_id FROM customer_identity WHERE kind = $1 AND value = $2 LIMIT 1",
        )
        .bind(kind.as_str())
        .bind(value)
        .fetch_optional(&mut **tx)
        .await?;
        if taken.is_none() {
            identity::insert(tx, id, kind, value, now).await?;
        }
    }
    Ok(id)
}

/// The customer owning the email address `email` (compared in lower case), if any.
pub async fn id_by_email(db: &Db, email: &str) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT customer_id FROM customer_identity WHERE kind = 'email' AND value = $1",
    )
    .bind(email.to_lowercase())
    .fetch_optional(&db.pool)
    .await?)
}

pub async fn get(db: &Db, id: i64) -> AppResult<Customer> {
    let mut conn = db.pool.acquire().await?;
    let row = sqlx::query(
        "SELECT c.customer_id, c.name, c.created_at, c.organization, c.merged_into_id,
            (SELECT COUNT(*) FROM ticket t WHERE t.customer_id = c.customer_id AND t.status IN ('new','open','pending')) AS open_tickets,
            (SELECT COUNT(*) FROM ticket t WHERE t.customer_id = c.customer_id) AS total_tickets
         FROM customer c WHERE c.customer_id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound("customer"))?;
    let identities = identity::list(&mut conn, id).await?;
    let emails = identities
        .iter()
        .filter(|i| i.kind == identity::IdentityKind::Email && i.retired_at.is_none())
        .map(|i| i.value.clone())
        .collect();
    Ok(Customer {
        id,
        name: row.try_get("name")?,
        emails,
        organization: row.try_get("organization")?,
        identities,
        merged_into_id: row.try_get("merged_into_id")?,
        created_at: row.try_get("created_at")?,
        open_tickets: row.try_get("open_tickets")?,
        total_tickets: row.try_get("total_tickets")?,
    })
}

/// One line of the customer list.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CustomerSummary {
    #[sqlx(rename = "customer_id")]
    pub id: i64,
    pub name: String,
    pub organization: Option<String>,
    pub email: Option<String>,
    pub total_tickets: i64,
    pub created_at: Millis,
}

/// `LIKE` pattern for "contains `s`", with the wildcards in `s` escaped (`ESCAPE '\'`).
fn contains_pattern(s: &str) -> String {
    let mut p = String::from("%");
    for c in s.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Customers (never the merged-away ones), newest first, matching `q` on the name, the
/// organization or any identity (email, phone, external id; current or former). A phone number is
/// matched in its normalized form too. Returns the page and the cursor of the next one.
pub async fn search(
    db: &Db,
    q: &str,
    before_id: Option<i64>,
    limit: i64,
) -> AppResult<(Vec<CustomerSummary>, Option<i64>)> {
    let q = crate::domain::single_line(q);
    let limit = limit.clamp(1, 200);
    let pattern = contains_pattern(&q);
    let phone = identity::normalize_phone(&q).ok();
    let mut items: Vec<CustomerSummary> = sqlx::query_as(
        "SELECT c.customer_id, c.name, c.organization, c.created_at,
            (SELECT ci.value FROM customer_identity ci WHERE ci.customer_id = c.customer_id AND ci.kind = 'email'
               ORDER BY (CASE WHEN ci.retired_at IS NULL THEN 0 ELSE 1 END), ci.customer_identity_id LIMIT 1) AS email,
            (SELECT COUNT(*) FROM ticket t WHERE t.customer_id = c.customer_id) AS total_tickets
         FROM customer c
         WHERE c.merged_into_id IS NULL AND c.customer_id < $1
           AND ($2 = '%%' OR lower(c.name) LIKE $2 ESCAPE '\\' OR lower(c.organization) LIKE $2 ESCAPE '\\'
                OR EXISTS (SELECT 1 FROM customer_identity ci WHERE ci.customer_id = c.customer_id
                           AND (lower(ci.value) LIKE $2 ESCAPE '\\' OR ci.value = $3)))
         ORDER BY c.customer_id DESC LIMIT $4",
    )
    .bind(before_id.unwrap_or(i64::MAX))
    .bind(&pattern)
    .bind(phone.unwrap_or_default())
    .bind(limit + 1)
    .fetch_all(&db.pool)
    .await?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|c| c.id)
    } else {
        None
    };
    Ok((items, next))
}

#[cfg(test)]
mod search_tests {
    #[test]
    fn like_wildcards_are_escaped() {
        for (q, want) in [
            ("Ann", "%ann%"),
            ("50%", "%50\\%%"),
            ("a_b", "%a\\_b%"),
            ("back\\slash", "%back\\\\slash%"),
            ("", "%%"),
        ] {
            assert_eq!(super::contains_pattern(q), want, "{q}");
        }
    }
}
