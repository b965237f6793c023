//! Customer identities (email addresses, phone numbers, external ids from a CRM, shop or billing
//! system) and the optional organization. A changed contact is retired, never overwritten: a
//! retired identity is shown as "former" and still matches on intake.

use crate::db::{Db, Tx};
use crate::domain::EmailAddress;
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use serde::Serialize;
use sqlx::Row;

const MAX_VALUE: usize = 200;

#[derive(utoipa::ToSchema, Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    Email,
    Phone,
    External,
}

impl IdentityKind {
    pub fn parse(s: &str) -> Option<IdentityKind> {
        match s.trim() {
            "email" => Some(IdentityKind::Email),
            "phone" => Some(IdentityKind::Phone),
            "external" => Some(IdentityKind::External),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::Email => "email",
            IdentityKind::Phone => "phone",
            IdentityKind::External => "external",
        }
    }
}

/// One identity of a customer, current or former.
#[derive(utoipa::ToSchema, Debug, Clone, PartialEq, Serialize)]
pub struct Identity {
    pub id: i64,
    pub kind: IdentityKind,
    pub value: String,
    pub created_at: Millis,
    /// When it stopped being current; it still matches on intake.
    pub retired_at: Option<Millis>,
}

/// Normalizes a phone number to `+` (when given) and digits: separators (space, `-`, `.`,
/// parentheses, `/`) are dropped; 6 to 15 digits (E.164 allows 15).
pub fn normalize_phone(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let (plus, rest) = match s.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let mut digits = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            _ => return Err(t!("crm-err-phone")),
        }
    }
    if !(6..=15).contains(&digits.len()) {
        return Err(t!("crm-err-phone-digits"));
    }
    Ok(if plus { format!("+{digits}") } else { digits })
}

/// Checks and normalizes an identity value of `kind`; errors name `field`.
pub fn normalize(kind: IdentityKind, raw: &str, field: &str) -> AppResult<String> {
    match kind {
        IdentityKind::Email => EmailAddress::parse(raw)
            .map(|e| e.as_str().to_string())
            .map_err(|m| AppError::field(field, m)),
        IdentityKind::Phone => normalize_phone(raw).map_err(|m| AppError::field(field, m)),
        IdentityKind::External => {
            let v = raw.trim();
            if v.is_empty() || v.chars().count() > MAX_VALUE || v.chars().any(char::is_control) {
                return Err(AppError::field(
                    field,
                    t!("crm-err-single-line", max = MAX_VALUE),
                ));
            }
            Ok(v.to_string())
        }
    }
}

fn identity_from_row(r: &sqlx::any::AnyRow) -> AppResult<Identity> {
    let kind: String = r.try_get("kind")?;
    Ok(Identity {
        id: r.try_get("customer_identity_id")?,
        kind: IdentityKind::parse(&kind).unwrap_or(IdentityKind::External),
        value: r.try_get("value")?,
        created_at: r.try_get("created_at")?,
        retired_at: r.try_get("retired_at")?,
    })
}

/// A customer's identities: current ones first, then former ones, oldest first within each.
pub async fn list(conn: &mut sqlx::AnyConnection, customer_id: i64) -> AppResult<Vec<Identity>> {
    let rows = sqlx::query(
        "SELECT customer_identity_id, kind, value, created_at, retired_at FROM customer_identity
         WHERE customer_id = $1
         ORDER BY (CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END), customer_identity_id",
    )
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(identity_from_row).collect()
}

/// Follows merges: the customer that `id` now lives on (itself when never merged away).
pub async fn surviving(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<Option<i64>> {
    let mut current = id;
    // A chain is short (each merge adds one link); the bound guards against a corrupt cycle.
    for _ in 0..32 {
        let next: Option<Option<i64>> =
            sqlx::query_scalar("SELECT merged_into_id FROM customer WHERE customer_id = $1")
                .bind(current)
                .fetch_optional(&mut *conn)
                .await?;
        match next {
            None => return Ok(None),
            Some(None) => return Ok(Some(current)),
            Some(Some(n)) => current = n,
        }
    }
    Ok(Some(current))
}

/// The customer an identity (current or former) belongs to. Phones and external ids may be
/// shared; the oldest customer wins.
pub async fn find(
    conn: &mut sqlx::AnyConnection,
    kind: IdentityKind,
    value: &str,
) -> AppResult<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT customer_id FROM customer_identity WHERE kind = $1 AND value = $2
         ORDER BY customer_id LIMIT 1",
    )
    .bind(kind.as_str())
    .bind(value)
    .fetch_optional(&mut *conn)
    .await?;
    match id {
        Some(id) => surviving(conn, id).await,
        None => Ok(None),
    }
}

/// Finds the customer with external id `value`, or creates one with it.
pub async fn match_or_create_external(
    tx: &mut Tx,
    value: &str,
    name: Option<&str>,
    now: Millis,
) -> AppResult<i64> {
    if let Some(id) = find(tx, IdentityKind::External, value).await? {
        return Ok(id);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO customer (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING customer_id",
    )
    .bind(name.unwrap_or(""))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    insert(tx, id, IdentityKind::External, value, now).await?;
    Ok(id)
}

pub(crate) async fn insert(
    tx: &mut Tx,
    customer_id: i64,
    kind: IdentityKind,
    value: &str,
    now: Millis,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO customer_identity (customer_id, kind, value, created_at) VALUES ($1, $2, $3, $4)
         RETURNING customer_identity_id",
    )
    .bind(customer_id)
    .bind(kind.as_str())
    .bind(value)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?)
}

/// Adds an identity to a customer (or makes a former one current again). An email address that
/// belongs to another customer is a conflict: merge the two customers instead.
#[tracing::instrument(skip_all, fields(customer_id))]
pub async fn add(
    db: &Db,
    customer_id: i64,
    kind: IdentityKind,
    value: &str,
    now: Millis,
) -> AppResult<Identity> {
    let value = normalize(kind, value, "value")?;
    let mut tx = db.begin().await?;
    require_active(&mut tx, customer_id).await?;
    let existing = sqlx::query(
        "SELECT customer_identity_id, customer_id FROM customer_identity
         WHERE kind = $1 AND value = $2 ORDER BY customer_identity_id",
    )
    .bind(kind.as_str())
    .bind(&value)
    .fetch_all(&mut *tx)
    .await?;
    let mut id = None;
    for r in &existing {
        let owner: i64 = r.try_get("customer_id")?;
        if owner == customer_id {
            id = Some(r.try_get::<i64, _>("customer_identity_id")?);
        } else if kind == IdentityKind::Email {
            return Err(AppError::Conflict(t!(
                "crm-err-address-taken",
                value = value.as_str(),
                owner = owner
            )));
        }
    }
    let id = match id {
        Some(id) => {
            sqlx::query(
                "UPDATE customer_identity SET retired_at = NULL WHERE customer_identity_id = $1",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            id
        }
        None => insert(&mut tx, customer_id, kind, &value, now).await?,
    };
    touch(&mut tx, customer_id, now).await?;
    let all = list(&mut tx, customer_id).await?;
    tx.commit().await?;
    all.into_iter()
        .find(|i| i.id == id)
        .ok_or(AppError::NotFound("identity"))
}

/// Retires an identity: it is kept as a former contact (and still matches on intake).
#[tracing::instrument(skip_all, fields(customer_id, identity_id))]
pub async fn retire(db: &Db, customer_id: i64, identity_id: i64, now: Millis) -> AppResult<()> {
    let mut tx = db.begin().await?;
    require_active(&mut tx, customer_id).await?;
    let done = sqlx::query(
        "UPDATE customer_identity SET retired_at = $1
         WHERE customer_identity_id = $2 AND customer_id = $3 AND retired_at IS NULL",
    )
    .bind(now)
    .bind(identity_id)
    .bind(customer_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound("current identity"));
    }
    touch(&mut tx, customer_id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets (or clears, with an empty value) the customer's organization.
pub async fn set_organization(
    db: &Db,
    customer_id: i64,
    organization: &str,
    now: Millis,
) -> AppResult<()> {
    let org = crate::domain::single_line(organization);
    if org.chars().count() > MAX_VALUE {
        return Err(AppError::field(
            "organization",
            t!("crm-err-too-long", max = MAX_VALUE),
        ));
    }
    let mut tx = db.begin().await?;
    require_active(&mut tx, customer_id).await?;
    sqlx::query("UPDATE customer SET organization = $1, updated_at = $2 WHERE customer_id = $3")
        .bind((!org.is_empty()).then_some(org))
        .bind(now)
        .bind(customer_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The customer exists and has not been merged away (changes go to the surviving customer).
pub(crate) async fn require_active(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<()> {
    let merged: Option<Option<i64>> =
        sqlx::query_scalar("SELECT merged_into_id FROM customer WHERE customer_id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    match merged {
        None => Err(AppError::NotFound("customer")),
        Some(Some(into)) => Err(AppError::Conflict(t!(
            "crm-err-merged-into",
            id = id,
            into = into
        ))),
        Some(None) => Ok(()),
    }
}

async fn touch(tx: &mut Tx, customer_id: i64, now: Millis) -> AppResult<()> {
    sqlx::query("UPDATE customer SET updated_at = $1 WHERE customer_id = $2")
        .bind(now)
        .bind(customer_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalized_or_refused() {
        for (raw, want) in [
            ("+49 30 1234-5678", Ok("+493012345678")),
            ("(030) 123.456", Ok("030123456")),
            ("555 0100", Ok("5550100")),
            ("+1/555/0100", Ok("+15550100")),
            ("12345", Err("must have 6 to 15 digits")),
            ("+1234567890123456", Err("must have 6 to 15 digits")),
            (
                "call me",
                Err("must be a phone number (digits, optionally starting with +)"),
            ),
            (
                "++491234567",
                Err("must be a phone number (digits, optionally starting with +)"),
            ),
        ] {
            assert_eq!(
                normalize_phone(raw).as_deref().map_err(String::as_str),
                want,
                "{raw}"
            );
        }
    }

    #[test]
    fn identity_values_name_the_field() {
        assert_eq!(
            normalize(IdentityKind::Email, " Ann@Example.COM ", "value").unwrap(),
            EmailAddress::parse("ann@example.com").unwrap().as_str()
        );
        assert_eq!(
            normalize(IdentityKind::External, "  shop:42 ", "value").unwrap(),
            "shop:42"
        );
        for (kind, raw) in [
            (IdentityKind::Email, "nope"),
            (IdentityKind::Phone, "12"),
            (IdentityKind::External, ""),
            (IdentityKind::External, "a\nb"),
        ] {
            match normalize(kind, raw, "value") {
                Err(AppError::Validation { field, .. }) => assert_eq!(field, "value"),
                other => panic!("{kind:?} {raw:?}: {other:?}"),
            }
        }
        assert_eq!(IdentityKind::parse("phone"), Some(IdentityKind::Phone));
        assert_eq!(IdentityKind::parse("fax"), None);
    }
}
