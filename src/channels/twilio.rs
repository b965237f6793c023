//! The Twilio adapter: Twilio's inbound message webhook (a form post signed with
//! `X-Twilio-Signature` = base64 HMAC-SHA1 under the account's auth token, over the full URL and
//! every posted field sorted by name, each name followed by its value) and replies through its
//! Messages API (`POST {api base}/2010-04-01/Accounts/{AccountSid}/Messages.json`, form fields
//! `To`, `From`, `Body`, HTTP basic authentication `AccountSid:AuthToken`). Media stay with Twilio:
//! their URLs are kept as links in the message's text.

use super::{Parsed, Stored};
use crate::customers::{Contact, identity};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::webhooks::send;
use base64::Engine;

/// Header carrying Twilio's signature.
pub const SIGNATURE_HEADER: &str = "x-twilio-signature";

/// The answer Twilio expects from a messaging webhook that sends nothing back at once.
pub const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

/// At most this many media links are kept from one message (Twilio sends up to 10).
const MAX_MEDIA: usize = 10;

/// Twilio's signature of a request to `url` with form `params`.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    use hmac::{Hmac, Mac};
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(auth_token.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `header` is Twilio's signature of this request under the channel's auth token.
pub fn verify(
    channel: &Stored,
    header: Option<&str>,
    url: &str,
    params: &[(String, String)],
) -> bool {
    let (Some(token), Some(given)) = (channel.twilio_auth_token.as_deref(), header) else {
        return false;
    };
    let expected = signature(token, url, params);
    crate::customers::webhook::constant_time_eq(expected.as_bytes(), given.trim().as_bytes())
}

/// The fields of a form body, in order.
pub fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Checks a Twilio message post; errors name Twilio's field (`From`, `MessageSid`).
pub fn parse(channel: &Stored, params: &[(String, String)]) -> AppResult<Parsed> {
    let from = field(params, "From")
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .ok_or_else(|| AppError::field("From", t!("error-required")))?;
    if from.chars().count() > super::MAX_ID_CHARS || from.chars().any(char::is_control) {
        return Err(AppError::field(
            "From",
            t!("crm-err-single-line", max = super::MAX_ID_CHARS),
        ));
    }
    let sid = field(params, "MessageSid")
        .or_else(|| field(params, "SmsSid"))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AppError::field("MessageSid", t!("error-required")))?;
    let sid = super::optional_id("MessageSid", Some(sid))?;
    // `whatsapp:+1555…` and other prefixed addresses carry the number after the prefix.
    let number = from.rsplit_once(':').map_or(from, |(_, n)| n);
    let phone = identity::normalize_phone(number).ok();
    let handle = phone
        .is_none()
        .then(|| format!("{}:{from}", channel.gateway.slug));
    let media: usize = field(params, "NumMedia")
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    let mut links = Vec::new();
    for i in 0..media.min(MAX_MEDIA) {
        if let Some(url) = field(params, &format!("MediaUrl{i}"))
            && let Ok(url) = send::parse_url(url)
        {
            let kind = field(params, &format!("MediaContentType{i}"))
                .map(crate::domain::single_line)
                .unwrap_or_else(|| "application/octet-stream".into());
            links.push(format!("({kind}) {url}"));
        }
    }
    let text = super::with_links(field(params, "Body").unwrap_or_default(), &links);
    let text = crate::domain::without_nul(text.trim());
    if text.is_empty() {
        return Err(AppError::field("Body", t!("error-required")));
    }
    if text.chars().count() > crate::tickets::MAX_BODY_CHARS {
        return Err(AppError::field(
            "Body",
            t!("error-too-long-chars", max = crate::tickets::MAX_BODY_CHARS),
        ));
    }
    let name = field(params, "ProfileName")
        .map(crate::domain::single_line)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(super::MAX_NAME_CHARS).collect());
    Ok(Parsed {
        contact: Contact {
            email: None,
            phone,
            handle,
        },
        name,
        text,
        files: Vec::new(),
        external_id: sid,
        thread_id: None,
        // Replies go to the address exactly as Twilio gave it (`whatsapp:` prefix and all).
        reply_phone: Some(from.to_string()),
        reply_handle: None,
    })
}

/// Sends a reply through Twilio's Messages API; the outcome and Twilio's `sid` for the message.
pub async fn send_reply(
    state: &AppState,
    channel: &Stored,
    text: &str,
    to: Option<&str>,
) -> (send::Outcome, Option<String>) {
    let g = &channel.gateway;
    let Some(to) = to else {
        let outcome = send::Outcome {
            ok: false,
            status_code: None,
            latency_ms: 0,
            error: Some("refused: the ticket has no number to reply to".into()),
            snippet: None,
        };
        return (outcome, None);
    };
    let sid = g.twilio_account_sid.as_deref().unwrap_or_default();
    let url = format!(
        "{}/2010-04-01/Accounts/{sid}/Messages.json",
        g.twilio_api_base
            .as_deref()
            .unwrap_or(super::TWILIO_API_BASE)
            .trim_end_matches('/')
    );
    let from = g.twilio_from.as_deref().unwrap_or_default();
    let fields = [("To", to), ("From", from), ("Body", text)];
    let post = send::FormPost {
        url: &url,
        allow_private: g.allow_private,
        user: sid,
        password: channel.twilio_auth_token.as_deref().unwrap_or_default(),
        fields: &fields,
    };
    let (outcome, body) = state.webhooks.post_form(&post).await;
    let message_sid = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("sid").and_then(|s| s.as_str()).map(str::to_string))
        .map(|s| s.chars().take(super::MAX_ID_CHARS).collect());
    (outcome, message_sid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_twilios_documented_example() {
        // From Twilio's "Webhooks security" documentation.
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675310"),
            ("Digits", "1234"),
            ("From", "+14158675310"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            signature(
                "12345",
                "https://mycompany.com/myapp.php?foo=1&bar=2",
                &params
            ),
            "GvWf1cFY/Q7PnoempGyD5oXAezc="
        );
    }

    #[test]
    fn form_fields_decode() {
        let f = form_fields(b"From=%2B15551234567&Body=Hi+there&NumMedia=0");
        assert_eq!(f[0], ("From".into(), "+15551234567".into()));
        assert_eq!(f[1], ("Body".into(), "Hi there".into()));
    }
}
