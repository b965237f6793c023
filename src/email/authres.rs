//! What the receiving mail server found about the sender (`Authentication-Results`, RFC 8601):
//! mail whose From domain fails DMARC (or SPF, without a passing DKIM signature) is likely
//! forged, and is held instead of being written into a customer's ticket.
//!
//! Only the receiving server's own header counts: the one whose authserv-id is configured, or
//! else the topmost one (added last, by the server that delivered the mail to our mailbox).
//! Headers further down were written by servers on the way, or by the sender.

/// The verdict on a message's sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SenderCheck {
    /// DMARC (or SPF with DKIM) passed.
    Pass,
    /// Forged, as far as the receiving server can tell; says why.
    Fail(String),
    /// No trusted result, or nothing conclusive.
    Unknown,
}

/// One `method=result (comment)` of a header, lower-cased.
struct MethodResult {
    method: String,
    result: String,
    comment: String,
}

/// Judges `headers` (every `Authentication-Results` value, topmost first).
pub fn sender_check(headers: &[String], authserv_id: Option<&str>) -> SenderCheck {
    let trusted: Vec<Vec<MethodResult>> = match authserv_id {
        Some(id) => headers
            .iter()
            .filter_map(|h| parse(h))
            .filter(|(server, _)| server.eq_ignore_ascii_case(id))
            .map(|(_, results)| results)
            .collect(),
        None => headers
            .first()
            .and_then(|h| parse(h))
            .map(|(_, results)| vec![results])
            .unwrap_or_default(),
    };
    let results: Vec<&MethodResult> = trusted.iter().flatten().collect();
    let result_of = |method: &str| {
        results
            .iter()
            .filter(|r| r.method == method)
            .map(|r| (r.result.as_str(), r.comment.as_str()))
            .collect::<Vec<_>>()
    };
    let dmarc = result_of("dmarc");
    if let Some((_, comment)) = dmarc.iter().find(|(r, _)| *r == "fail") {
        // A domain that publishes `p=none` asks receivers not to act on failures.
        if !comment.replace(' ', "").contains("p=none") {
            return SenderCheck::Fail("dmarc=fail".into());
        }
    }
    if dmarc.iter().any(|(r, _)| *r == "pass") {
        return SenderCheck::Pass;
    }
    let dkim_pass = result_of("dkim").iter().any(|(r, _)| *r == "pass");
    let spf = result_of("spf");
    if spf.iter().any(|(r, _)| *r == "fail") && !dkim_pass {
        return SenderCheck::Fail("spf=fail and no passing DKIM signature".into());
    }
    if dkim_pass || spf.iter().any(|(r, _)| *r == "pass") {
        return SenderCheck::Pass;
    }
    SenderCheck::Unknown
}

/// `authserv-id [version]; method=result (comment) prop=value; …` → the server's id and each
/// result as (method, result, comment), lower-cased.
fn parse(header: &str) -> Option<(String, Vec<MethodResult>)> {
    let mut parts = split_outside_comments(header).into_iter();
    let server = parts
        .next()?
        .split_whitespace()
        .next()
        .map(|s| strip_comments(s).trim().to_string())?;
    if server.is_empty() {
        return None;
    }
    let mut results = Vec::new();
    for part in parts {
        let comment = comments(&part).to_lowercase();
        let plain = strip_comments(&part);
        let Some(first) = plain.split_whitespace().next() else {
            continue;
        };
        let Some((method, result)) = first.split_once('=') else {
            continue;
        };
        // `dkim/1=pass`: a method may carry a version.
        let method = method.split('/').next().unwrap_or(method);
        results.push(MethodResult {
            method: method.to_lowercase(),
            result: result.to_lowercase(),
            comment,
        });
    }
    Some((server, results))
}

/// Splits on `;` outside parenthesised comments and quoted strings.
fn split_outside_comments(s: &str) -> Vec<String> {
    let (mut parts, mut cur, mut depth, mut quoted) = (Vec::new(), String::new(), 0u32, false);
    for c in s.chars() {
        match c {
            '"' if depth == 0 => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            ';' if depth == 0 && !quoted => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    parts.push(cur);
    parts
}

fn strip_comments(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0u32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn comments(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0u32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                out.push(' ');
            }
            _ if depth > 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn dmarc_fail_from_our_server_is_forged() {
        let headers = h(&[
            "mx.casebook.test; dkim=none; spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=bank.example; \
             dmarc=fail (p=REJECT sp=REJECT dis=REJECT) header.from=bank.example",
        ]);
        assert_eq!(
            sender_check(&headers, None),
            SenderCheck::Fail("dmarc=fail".into())
        );
    }

    #[test]
    fn a_p_none_domain_and_spf_with_dkim_pass_are_not_forged() {
        let none = h(&[
            "mx.google.com; dkim=pass header.i=@list.example; spf=pass smtp.mailfrom=list.example; \
             dmarc=fail (p=NONE sp=NONE dis=NONE) header.from=person.example",
        ]);
        assert_ne!(
            sender_check(&none, None),
            SenderCheck::Fail("dmarc=fail".into())
        );
        let forwarded = h(&[
            "mx.casebook.test; spf=fail smtp.mailfrom=a.example; dkim=pass header.d=a.example",
        ]);
        assert_eq!(sender_check(&forwarded, None), SenderCheck::Pass);
        let spf_only = h(&["mx.casebook.test; spf=fail smtp.mailfrom=a.example; dkim=none"]);
        assert!(matches!(
            sender_check(&spf_only, None),
            SenderCheck::Fail(_)
        ));
    }

    #[test]
    fn only_the_receiving_servers_header_counts() {
        // A "pass" planted further down by the sender does not outweigh our server's fail, and a
        // "fail" further down is not ours to judge.
        let headers = h(&[
            "mx.casebook.test; dmarc=fail (p=quarantine) header.from=shop.example",
            "mx.casebook.test; dmarc=pass header.from=shop.example",
        ]);
        assert!(matches!(sender_check(&headers, None), SenderCheck::Fail(_)));
        let planted = h(&[
            "mx.casebook.test; dmarc=pass header.from=shop.example",
            "evil.example; dmarc=fail header.from=shop.example",
        ]);
        assert_eq!(sender_check(&planted, None), SenderCheck::Pass);
        // With an authserv-id configured, only that server's headers count, wherever they are.
        let headers = h(&[
            "relay.example; dmarc=pass header.from=shop.example",
            "mx.casebook.test 1; dmarc=fail header.from=shop.example",
        ]);
        assert!(matches!(
            sender_check(&headers, Some("MX.casebook.test")),
            SenderCheck::Fail(_)
        ));
        assert_eq!(
            sender_check(&headers, Some("other.example")),
            SenderCheck::Unknown
        );
    }

    #[test]
    fn odd_headers_are_unknown_not_errors() {
        for odd in [
            "",
            ";;;",
            "mx; none",
            "(comment only)",
            "mx; dmarc",
            "mx; =fail",
            "mx (unclosed; dmarc=fail",
        ] {
            let _ = sender_check(&h(&[odd]), None);
        }
        assert_eq!(sender_check(&[], None), SenderCheck::Unknown);
        assert_eq!(sender_check(&h(&["mx; none"]), None), SenderCheck::Unknown);
    }
}
