//! The signed inbound CRM webhook: `Casebook-Signature: t=<unix seconds>,v1=<hex>` where `v1` is
//! HMAC-SHA256 over `"<t>." + body` with the shared secret. A timestamp outside the replay window
//! is refused, and so is a signature already accepted (its digest is stored with the events, in
//! the same transaction).

use crate::db::Db;
use crate::domain::clock::Millis;
use crate::error::{AppError, AppResult};
use sha2::{Digest, Sha256};

/// Header carrying the signature.
pub const SIGNATURE_HEADER: &str = "casebook-signature";
/// A signature is accepted this long either side of our clock.
pub const REPLAY_WINDOW_SECS: i64 = 5 * 60;

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[&[u8]]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    // HMAC accepts keys of any length (longer ones are hashed), so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for part in message {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Compares in time independent of where the first difference is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// The signature header a sender computes for `body` at `unix_secs`.
pub fn sign(secret: &str, unix_secs: i64, body: &[u8]) -> String {
    let mac = hmac_sha256(
        secret.as_bytes(),
        &[unix_secs.to_string().as_bytes(), b".", body],
    );
    format!("t={unix_secs},v1={}", hex::encode(mac))
}

/// Why a delivery was refused (all are 401s except a replay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    MissingHeader,
    Malformed,
    OutsideWindow,
    BadSignature,
}

impl Rejection {
    pub fn message(&self) -> String {
        match self {
            Rejection::MissingHeader => "the Casebook-Signature header is missing".into(),
            Rejection::Malformed => {
                "the Casebook-Signature header must look like t=<unix seconds>,v1=<hex HMAC-SHA256>"
                    .into()
            }
            Rejection::OutsideWindow => format!(
                "the signature timestamp is more than {} minutes away from the server's clock",
                REPLAY_WINDOW_SECS / 60
            ),
            Rejection::BadSignature => "the signature does not match the body".into(),
        }
    }
}

/// A verified delivery: its timestamp and the digest that identifies it for replay checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub signed_at: i64,
    pub digest: String,
}

/// Checks a signature header against `body`. Pure: `now` is the server's clock in ms. Several
/// `v1=` values may be given (a sender rotating secrets); one must match.
pub fn verify(
    secret: &str,
    header: Option<&str>,
    body: &[u8],
    now: Millis,
) -> Result<Verified, Rejection> {
    let header = header.ok_or(Rejection::MissingHeader)?;
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.trim().parse::<i64>().map_err(|_| Rejection::Malformed)?),
            Some(("v1", v)) => sigs.push(hex::decode(v.trim()).map_err(|_| Rejection::Malformed)?),
            Some(_) => {}
            None => return Err(Rejection::Malformed),
        }
    }
    let t = t.ok_or(Rejection::Malformed)?;
    if sigs.is_empty() {
        return Err(Rejection::Malformed);
    }
    if (now.div_euclid(1000) - t).abs() > REPLAY_WINDOW_SECS {
        return Err(Rejection::OutsideWindow);
    }
    let expected = hmac_sha256(secret.as_bytes(), &[t.to_string().as_bytes(), b".", body]);
    let good = sigs
        .iter()
        .fold(false, |ok, s| constant_time_eq(s, &expected) | ok);
    if !good {
        return Err(Rejection::BadSignature);
    }
    Ok(Verified {
        signed_at: t,
        digest: hex::encode(Sha256::digest(expected)),
    })
}

/// Stores a verified delivery's events exactly once: the delivery digest and the events commit
/// together; a digest already stored is a replay (409).
pub async fn store(
    db: &Db,
    delivery: &Verified,
    events: &[super::crm::NewEvent],
    batch: bool,
    now: Millis,
) -> AppResult<super::crm::UpsertOutcome> {
    let mut tx = db.begin().await?;
    let fresh = sqlx::query(
        "INSERT INTO crm_webhook_delivery (digest, signed_at, received_at, events)
         VALUES ($1, $2, $3, $4) ON CONFLICT (digest) DO NOTHING",
    )
    .bind(&delivery.digest)
    .bind(delivery.signed_at)
    .bind(now)
    .bind(events.len() as i64)
    .execute(&mut *tx)
    .await?;
    if fresh.rows_affected() == 0 {
        return Err(AppError::Conflict(
            "this delivery was already received (replayed signature); sign each delivery anew"
                .into(),
        ));
    }
    let out = super::crm::upsert_events_in(&mut tx, events, None, batch, now).await?;
    // Digests older than the replay window can no longer verify, so they need not be kept.
    sqlx::query("DELETE FROM crm_webhook_delivery WHERE signed_at < $1")
        .bind(now.div_euclid(1000) - 2 * REPLAY_WINDOW_SECS)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test cases 1, 2 and 6 (a key longer than the block).
        let cases: [(&[u8], &[u8], &str); 3] = [
            (
                &[0x0b; 20],
                b"Hi There",
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe",
                b"what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
        ];
        for (key, msg, want) in cases {
            assert_eq!(hex::encode(hmac_sha256(key, &[msg])), want);
        }
    }

    #[test]
    fn signatures_verify_within_the_window_only() {
        let secret = "s3cret";
        let body = br#"{"kind":"note"}"#;
        let t = 1_700_000_000;
        let now = t * 1000;
        let header = sign(secret, t, body);
        let ok = verify(secret, Some(&header), body, now).unwrap();
        assert_eq!(ok.signed_at, t);
        // The same delivery always has the same digest; another timestamp gives another one.
        assert_eq!(
            verify(secret, Some(&header), body, now + 1000)
                .unwrap()
                .digest,
            ok.digest
        );
        assert_ne!(
            verify(secret, Some(&sign(secret, t + 1, body)), body, now)
                .unwrap()
                .digest,
            ok.digest
        );
        let cases: Vec<(Option<String>, &[u8], i64, Rejection)> = vec![
            (None, body, now, Rejection::MissingHeader),
            (Some("v1=abcd".into()), body, now, Rejection::Malformed),
            (Some(format!("t={t}")), body, now, Rejection::Malformed),
            (
                Some(format!("t={t},v1=zz")),
                body,
                now,
                Rejection::Malformed,
            ),
            (Some("garbage".into()), body, now, Rejection::Malformed),
            (
                Some(header.clone()),
                br#"{"kind":"deal"}"#,
                now,
                Rejection::BadSignature,
            ),
            (
                Some(sign("other", t, body)),
                body,
                now,
                Rejection::BadSignature,
            ),
            (
                Some(header.clone()),
                body,
                now + 301_000,
                Rejection::OutsideWindow,
            ),
            (
                Some(header.clone()),
                body,
                now - 301_000,
                Rejection::OutsideWindow,
            ),
        ];
        for (h, b, at, want) in cases {
            assert_eq!(verify(secret, h.as_deref(), b, at), Err(want), "{h:?}");
        }
        // Exactly at the edge of the window still verifies; a rotated secret may sign too.
        assert!(verify(secret, Some(&header), body, now + 300_000).is_ok());
        let two = format!(
            "{},v1={}",
            sign("old", t, body),
            &header[header.find("v1=").unwrap() + 3..]
        );
        assert!(verify(secret, Some(&two), body, now).is_ok());
    }

    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
