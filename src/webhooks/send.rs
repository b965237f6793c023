//! Sending one webhook delivery over HTTP: the target rules (http/https, no credentials in the
//! URL, no loopback, private, link-local or otherwise internal addresses unless the subscription
//! allows them), the signed request with a timeout, no redirects followed, and the first KiB of
//! the answer kept for the delivery log.
//!
//! The address rule holds where the connection is made: the client that sends to subscriptions
//! without `allow_private` resolves names through [`PublicOnly`], which drops internal addresses,
//! so a name that resolved to a public address when it was saved and to `127.0.0.1` now (DNS
//! rebinding) still reaches nothing inside. Literal IP addresses never go through a resolver and
//! are checked before sending.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How much of a receiver's answer is kept.
pub const SNIPPET_BYTES: usize = 1024;

/// Longest target URL accepted.
pub const MAX_URL_CHARS: usize = 2000;

/// Why a target URL is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    Invalid(String),
    Scheme,
    Credentials,
    TooLong,
    /// The host is, or resolves to, an internal address (the address and its kind).
    Internal {
        host: String,
        ip: IpAddr,
        kind: &'static str,
    },
    /// The host name does not resolve.
    Unresolvable {
        host: String,
    },
}

/// The kind of internal address `ip` is, or None for a public one. Covers IPv4 and IPv6,
/// including IPv4 addresses carried inside IPv6 ones (mapped, compatible, NAT64, 6to4).
pub fn internal_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_kind(v4),
        IpAddr::V6(v6) => v6_kind(v6),
    }
}

fn v4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (carrier-grade NAT)")
    } else if ip.is_multicast()
        || ip.is_broadcast()
        || a >= 240
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
    {
        Some("reserved")
    } else if (a == 192 && b == 0 && c == 2)
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
    {
        Some("documentation")
    } else {
        None
    }
}

fn v6_kind(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    // IPv4-mapped (::ffff:a.b.c.d) and the old IPv4-compatible form (::a.b.c.d).
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_kind(v4);
    }
    if s[..6] == [0, 0, 0, 0, 0, 0] {
        return v4_kind(Ipv4Addr::from(((s[6] as u32) << 16) | s[7] as u32)).or(Some("reserved"));
    }
    // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return v4_kind(Ipv4Addr::from(((s[6] as u32) << 16) | s[7] as u32));
    }
    // 6to4 (2002::/16) carries an IPv4 address in bits 16..48.
    if s[0] == 0x2002 {
        return v4_kind(Ipv4Addr::from(((s[1] as u32) << 16) | s[2] as u32));
    }
    match s[0] {
        x if x & 0xfe00 == 0xfc00 => Some("unique-local"),
        x if x & 0xffc0 == 0xfe80 => Some("link-local"),
        x if x & 0xffc0 == 0xfec0 => Some("site-local"),
        x if x & 0xff00 == 0xff00 => Some("multicast"),
        // Teredo tunnels (2001::/32) hide the address they reach; documentation (2001:db8::/32).
        0x2001 if s[1] == 0 || s[1] == 0xdb8 => Some("reserved"),
        _ => None,
    }
}

/// Parses and checks a target URL's form (not where it points).
pub fn parse_url(raw: &str) -> Result<url::Url, TargetError> {
    let raw = raw.trim();
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(TargetError::TooLong);
    }
    let url = url::Url::parse(raw).map_err(|e| TargetError::Invalid(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetError::Scheme);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::Credentials);
    }
    if url.host().is_none() {
        return Err(TargetError::Invalid("the URL has no host".into()));
    }
    Ok(url)
}

/// The address of a URL whose host is a literal IP address.
fn literal_ip(url: &url::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    }
}

/// Checks where a URL points, resolving its host name: every address must be public unless
/// `allow_private`. Used when a subscription is saved (deliveries check again as they connect).
pub async fn check_target(url: &url::Url, allow_private: bool) -> Result<(), TargetError> {
    let host = url.host_str().unwrap_or_default().to_string();
    let addrs: Vec<IpAddr> = match literal_ip(url) {
        Some(ip) => vec![ip],
        None => {
            let port = url.port_or_known_default().unwrap_or(443);
            match resolve(host.clone(), port).await {
                Some(ips) => ips,
                None => return Err(TargetError::Unresolvable { host }),
            }
        }
    };
    if addrs.is_empty() {
        return Err(TargetError::Unresolvable { host });
    }
    if allow_private {
        return Ok(());
    }
    for ip in addrs {
        if let Some(kind) = internal_kind(ip) {
            return Err(TargetError::Internal { host, ip, kind });
        }
    }
    Ok(())
}

/// The addresses of `host`, or None when it does not resolve within 5 seconds.
async fn resolve(host: String, port: u16) -> Option<Vec<IpAddr>> {
    let lookup = tokio::net::lookup_host((host.as_str(), port));
    match tokio::time::timeout(Duration::from_secs(5), lookup).await {
        Ok(Ok(addrs)) => Some(addrs.map(|a| a.ip()).collect()),
        _ => None,
    }
}

/// A resolver that keeps only public addresses (see the module documentation).
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            // The port is replaced by the URL's when connecting.
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = all
                .iter()
                .copied()
                .filter(|a| internal_kind(a.ip()).is_none())
                .collect();
            if public.is_empty() {
                let shown = all.first().map(|a| a.ip().to_string()).unwrap_or_default();
                return Err(format!(
                    "refused: {host} resolves only to internal addresses ({shown}); the subscription does not allow private addresses"
                )
                .into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// One delivery to send.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub url: &'a str,
    pub allow_private: bool,
    pub secret: &'a str,
    /// The delivery's id (`Casebook-Delivery`).
    pub uid: &'a str,
    /// The event kind (`Casebook-Event`).
    pub event: &'a str,
    pub body: &'a str,
}

/// A form posted to an API with HTTP basic authentication.
#[derive(Debug, Clone)]
pub struct FormPost<'a> {
    pub url: &'a str,
    pub allow_private: bool,
    pub user: &'a str,
    pub password: &'a str,
    pub fields: &'a [(&'a str, &'a str)],
}

/// How much of an API's answer [`Sender::post_form`] reads.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// What one attempt got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The receiver answered 2xx.
    pub ok: bool,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    /// Why it failed (none when it succeeded).
    pub error: Option<String>,
    /// The first KiB of the answer, cut at a character boundary.
    pub snippet: Option<String>,
}

/// The HTTP clients deliveries go out through: one that reaches public addresses only, and one
/// for subscriptions an admin allowed to reach private ones. Neither follows redirects or uses
/// a proxy from the environment (a proxy would resolve the name where no rule applies).
pub struct Sender {
    public: reqwest::Client,
    any: reqwest::Client,
    timeout: Duration,
}

impl Sender {
    pub fn new(timeout: Duration) -> anyhow::Result<Sender> {
        let build = |public: bool| {
            let b = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .connect_timeout(timeout)
                .timeout(timeout)
                .pool_idle_timeout(Duration::from_secs(30))
                .user_agent(concat!("Casebook-Webhooks/", env!("CARGO_PKG_VERSION")));
            let b = if public {
                b.dns_resolver(Arc::new(PublicOnly))
            } else {
                b
            };
            b.build()
        };
        Ok(Sender {
            public: build(true)?,
            any: build(false)?,
            timeout,
        })
    }

    /// Sends `o`, signed at `unix_secs`. Never fails: a refusal, a timeout or an error answer is
    /// an unsuccessful [`Outcome`] saying why.
    pub async fn send(&self, o: &Outgoing<'_>, unix_secs: i64) -> Outcome {
        let start = Instant::now();
        let (url, client) = match self.client_for(
            o.url,
            o.allow_private,
            "the subscription does not allow private addresses",
        ) {
            Ok(target) => target,
            Err(refusal) => return refusal,
        };
        let signature = crate::customers::webhook::sign(o.secret, unix_secs, o.body.as_bytes());
        let request = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("Casebook-Signature", signature)
            .header("Casebook-Delivery", o.uid)
            .header("Casebook-Event", o.event)
            .body(o.body.to_string());
        self.exchange(request, start, SNIPPET_BYTES).await.0
    }

    /// Posts a form with HTTP basic authentication to `url` (an API such as an SMS gateway's),
    /// under the same address rules, timeout and no-redirect policy as deliveries. Never fails:
    /// the outcome says why; the answer's body (its first [`MAX_ANSWER_BYTES`]) comes along.
    pub async fn post_form(&self, f: &FormPost<'_>) -> (Outcome, Vec<u8>) {
        let start = Instant::now();
        let (url, client) =
            match self.client_for(f.url, f.allow_private, "private addresses are not allowed") {
                Ok(target) => target,
                Err(refusal) => return (refusal, Vec::new()),
            };
        let request = client
            .post(url)
            .basic_auth(f.user, Some(f.password))
            .form(f.fields);
        self.exchange(request, start, MAX_ANSWER_BYTES).await
    }

    /// The URL and the client that may reach it, or the refusal (`not_allowed` says why a
    /// private address is refused here). A name is checked when it is resolved
    /// ([`PublicOnly`]); an address written in the URL, here.
    fn client_for(
        &self,
        raw: &str,
        allow_private: bool,
        not_allowed: &str,
    ) -> Result<(url::Url, &reqwest::Client), Outcome> {
        let refused = |error: String| Outcome {
            ok: false,
            status_code: None,
            latency_ms: 0,
            error: Some(error),
            snippet: None,
        };
        let url = parse_url(raw).map_err(|e| refused(format!("refused: {}", describe(&e))))?;
        if !allow_private
            && let Some(ip) = literal_ip(&url)
            && let Some(kind) = internal_kind(ip)
        {
            return Err(refused(format!(
                "refused: {ip} is a {kind} address; {not_allowed}"
            )));
        }
        let client = if allow_private {
            &self.any
        } else {
            &self.public
        };
        Ok((url, client))
    }

    /// Sends `request` and reads up to `limit` bytes of the answer (the outcome's snippet is
    /// the first [`SNIPPET_BYTES`] of them); the latency runs from `start` to the last byte read.
    async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
        start: Instant,
        limit: usize,
    ) -> (Outcome, Vec<u8>) {
        let mut resp = match request.send().await {
            Ok(r) => r,
            Err(err) => {
                let outcome = Outcome {
                    ok: false,
                    status_code: None,
                    latency_ms: elapsed_ms(start),
                    error: Some(self.error_text(&err)),
                    snippet: None,
                };
                return (outcome, Vec::new());
            }
        };
        let status = resp.status();
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|l| l.chars().take(300).collect::<String>());
        let mut body = Vec::new();
        let mut read_error = None;
        while body.len() < limit {
            match resp.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(err) => {
                    read_error = Some(self.error_text(&err));
                    break;
                }
            }
        }
        let code = i64::from(status.as_u16());
        let error = if status.is_success() {
            read_error.map(|e| format!("answered {code} but the body failed: {e}"))
        } else if status.is_redirection() {
            Some(format!(
                "HTTP {code}: redirects are not followed{}",
                location.map(|l| format!(" (to {l})")).unwrap_or_default()
            ))
        } else {
            Some(format!("HTTP {code}"))
        };
        let outcome = Outcome {
            ok: error.is_none(),
            status_code: Some(code),
            latency_ms: elapsed_ms(start),
            error,
            snippet: (!body.is_empty()).then(|| snippet(&body)),
        };
        (outcome, body)
    }

    fn error_text(&self, err: &reqwest::Error) -> String {
        if err.is_timeout() {
            return format!("timed out after {} ms", self.timeout.as_millis());
        }
        // reqwest's own message is generic ("error sending request"); the cause says what.
        let mut parts = vec![err.to_string()];
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            let text = s.to_string();
            if !parts.iter().any(|p| p.contains(&text)) {
                parts.push(text);
            }
            source = s.source();
        }
        let text = parts.join(": ");
        if text.contains("timed out") || text.contains("deadline") {
            return format!("timed out after {} ms", self.timeout.as_millis());
        }
        clean(&text, 500)
    }
}

fn elapsed_ms(start: Instant) -> i64 {
    i64::try_from(start.elapsed().as_millis()).unwrap_or(i64::MAX)
}

/// Text for the database: no NUL characters (PostgreSQL text cannot hold them), at most `max`
/// characters.
pub fn clean(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .map(|c| if c == '\0' { '\u{FFFD}' } else { c })
        .collect()
}

/// The first [`SNIPPET_BYTES`] of an answer as text, cut before a character the cut would split.
pub fn snippet(body: &[u8]) -> String {
    let cut = &body[..body.len().min(SNIPPET_BYTES)];
    let text = match std::str::from_utf8(cut) {
        Ok(s) => s.to_string(),
        // Only the last character is incomplete: drop it.
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(&cut[..e.valid_up_to()]).into_owned()
        }
        Err(_) => String::from_utf8_lossy(cut).into_owned(),
    };
    clean(&text, SNIPPET_BYTES)
}

/// A refusal in English (logs and attempt records).
pub fn describe(e: &TargetError) -> String {
    match e {
        TargetError::Invalid(why) => format!("not a valid URL ({why})"),
        TargetError::Scheme => "only http and https URLs can receive webhooks".into(),
        TargetError::Credentials => "the URL must not carry a user name or password".into(),
        TargetError::TooLong => format!("the URL is longer than {MAX_URL_CHARS} characters"),
        TargetError::Internal { host, ip, kind } => {
            format!("{host} is a {kind} address ({ip})")
        }
        TargetError::Unresolvable { host } => format!("{host} does not resolve"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Option<&'static str> {
        internal_kind(s.parse().unwrap())
    }

    #[test]
    fn internal_addresses_are_recognised() {
        for internal in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
            "2001:db8::1",
        ] {
            assert!(kind(internal).is_some(), "{internal} should be internal");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert_eq!(kind(public), None, "{public} should be public");
        }
        assert_eq!(kind("::ffff:127.0.0.1"), Some("loopback"));
        assert_eq!(kind("fd00::1"), Some("unique-local"));
    }

    #[test]
    fn urls_must_be_http_without_credentials() {
        assert!(parse_url("https://hooks.example.com/casebook").is_ok());
        assert!(parse_url("  http://example.com:8080/x?y=1  ").is_ok());
        assert_eq!(parse_url("ftp://example.com/"), Err(TargetError::Scheme));
        assert_eq!(parse_url("file:///etc/passwd"), Err(TargetError::Scheme));
        assert_eq!(
            parse_url("https://user:pw@example.com/"),
            Err(TargetError::Credentials)
        );
        assert!(matches!(
            parse_url("not a url"),
            Err(TargetError::Invalid(_))
        ));
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_CHARS));
        assert_eq!(parse_url(&long), Err(TargetError::TooLong));
    }

    #[tokio::test]
    async fn literal_and_resolved_internal_targets_are_refused_unless_allowed() {
        for raw in [
            "http://127.0.0.1:9/x",
            "http://[::1]/",
            "http://[::ffff:7f00:1]/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://localhost/",
        ] {
            let url = parse_url(raw).unwrap();
            assert!(
                matches!(
                    check_target(&url, false).await,
                    Err(TargetError::Internal { .. })
                ),
                "{raw}"
            );
            assert_eq!(check_target(&url, true).await, Ok(()), "{raw}");
        }
    }

    #[test]
    fn snippets_stop_at_a_character_boundary() {
        let mut body = "a".repeat(SNIPPET_BYTES - 1).into_bytes();
        body.extend_from_slice("한".as_bytes());
        let s = snippet(&body);
        assert_eq!(s.len(), SNIPPET_BYTES - 1);
        assert!(s.chars().all(|c| c == 'a'));
        assert_eq!(snippet(b"ok\0"), "ok\u{FFFD}");
        assert_eq!(snippet("안녕".as_bytes()), "안녕");
    }
}
