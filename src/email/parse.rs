//! Raw RFC 5322 bytes to a [`ParsedEmail`] with mail-parser, tolerating the malformed mail
//! real senders produce: odd bytes before the headers, raw 8-bit or ISO-2022-JP headers, broken
//! MIME, oversized attachments.

use super::classify::{MailFacts, classify};
use super::html::{html_to_text, sanitize_html};
use super::reply::visible_reply;
use super::{Limits, ParseError, ParsedAttachment, ParsedEmail};
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::parsers::MessageStream;
use mail_parser::{
    Address, HeaderName, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};
use sha2::{Digest, Sha256};

/// Parses one raw message.
///
/// Errors only for input that is not mail at all: [`ParseError::TooLarge`] above
/// `limits.max_message_bytes`, [`ParseError::Empty`] for empty or blank input, and
/// [`ParseError::NotAMessage`] for binary data without a header block. Everything else parses:
/// input without a header block is taken as a message body (with a warning), a message without
/// a usable body has empty text, and an attachment over `limits.max_attachment_bytes` keeps its
/// name, type and size but not its content (with a warning). Never panics.
pub fn parse(raw: &[u8], limits: &Limits) -> Result<ParsedEmail, ParseError> {
    if raw.len() > limits.max_message_bytes {
        return Err(ParseError::TooLarge {
            size: raw.len(),
            limit: limits.max_message_bytes,
        });
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    let unix = classic_mac_newlines(raw);
    let bytes = unix.as_deref().unwrap_or(raw);
    let mut email = match header_block_start(bytes) {
        Some(start) => from_mime(&bytes[start..], limits)?,
        None => body_only(bytes)?,
    };
    email.content_hash = hex::encode(Sha256::digest(raw));
    email.raw_size = raw.len();
    Ok(email)
}

fn from_mime(raw: &[u8], limits: &Limits) -> Result<ParsedEmail, ParseError> {
    // mail-parser is written not to panic, but it is a large parser fed hostile bytes (and has
    // debug assertions); a bug there must quarantine one message, not stop the mailbox loop.
    let parsed = std::panic::catch_unwind(|| MessageParser::default().parse(raw))
        .map_err(|_| ParseError::NotAMessage("the MIME parser failed on this message".into()))?;
    let Some(message) = parsed else {
        return body_only(raw);
    };
    let mut warnings = Vec::new();
    let charset = declared_charset(&message);

    let (from_address, from_name) = from(&message, raw, charset.as_deref());
    let subject = subject(&message, raw, charset.as_deref());
    let text = body_text(&message);
    let html = body_html(&message);
    let attachments = attachments(&message, limits, &mut warnings);

    let mut facts = mail_facts(&message);
    let auth_results = facts
        .headers
        .iter()
        .filter(|(name, _)| name == "authentication-results")
        .map(|(_, value)| value.clone())
        .collect();
    facts.from_address = from_address.clone().or_else(|| bare_from(&message));
    facts.from_name = from_name.clone();
    facts.subject = subject.clone();
    facts.in_reply_to = ids(message.in_reply_to());
    facts.body = text.clone();
    let kind = classify(&facts);

    Ok(ParsedEmail {
        message_id: message
            .message_id()
            .map(strip_brackets)
            .filter(|id| !id.is_empty()),
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        from_address,
        from_name,
        reply_to: message
            .reply_to()
            .and_then(|a| addresses(a).into_iter().next()),
        to: address_list(message.all_to()),
        cc: address_list(message.all_cc()),
        subject,
        date_ms: message
            .date()
            .filter(|d| d.is_valid())
            .map(|d| d.to_timestamp().saturating_mul(1000)),
        visible_text: visible_reply(&text),
        text,
        html,
        attachments,
        kind,
        content_hash: String::new(),
        raw_size: 0,
        auth_results,
        warnings,
    })
}

/// Input without a header block: if it reads as text, it is the body of a message with no
/// headers (someone pasted a message, or a gateway stripped the headers).
fn body_only(raw: &[u8]) -> Result<ParsedEmail, ParseError> {
    if !is_probably_text(raw) {
        return Err(ParseError::NotAMessage(
            "no header block, and the content is not text".into(),
        ));
    }
    let text = match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => decode(raw, "windows-1252"),
    };
    let text = normalize_newlines(&text);
    Ok(ParsedEmail {
        message_id: None,
        in_reply_to: Vec::new(),
        references: Vec::new(),
        from_address: None,
        from_name: None,
        reply_to: None,
        to: Vec::new(),
        cc: Vec::new(),
        subject: String::new(),
        date_ms: None,
        visible_text: visible_reply(&text),
        text,
        html: None,
        attachments: Vec::new(),
        kind: super::MailKind::Normal,
        content_hash: String::new(),
        raw_size: 0,
        auth_results: Vec::new(),
        warnings: vec!["no header block: the whole input was taken as the message text".into()],
    })
}

/// Where the header block starts: after a byte-order mark, leading blank lines or indentation,
/// and an mbox `From ` line. `None` when the first line is not a header field.
fn header_block_start(raw: &[u8]) -> Option<usize> {
    let bom = if raw.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    let mut start = bom + raw[bom..].iter().position(|b| !b.is_ascii_whitespace())?;
    if raw[start..].starts_with(b"From ") {
        let eol = raw[start..].iter().position(|&b| b == b'\n')?;
        start += eol + 1;
    }
    let line = &raw[start..];
    let name_len = line
        .iter()
        .take_while(|&&b| (0x21..=0x7e).contains(&b) && b != b':')
        .count();
    let rest = &line[name_len..];
    let colon = rest.iter().position(|&b| b != b' ' && b != b'\t')?;
    (name_len > 0 && rest[colon] == b':').then_some(start)
}

/// Mail stored with bare CR line ends (classic Mac OS) has no line feeds at all; MIME parsers
/// see one endless header line. Such input gets LF line ends.
fn classic_mac_newlines(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.contains(&b'\n') || !raw.contains(&b'\r') {
        return None;
    }
    Some(
        raw.iter()
            .map(|&b| if b == b'\r' { b'\n' } else { b })
            .collect(),
    )
}

fn is_probably_text(raw: &[u8]) -> bool {
    if raw.contains(&0) {
        return false;
    }
    let control = raw
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    control * 20 <= raw.len()
}

fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// The charset a message declares for itself, used for header bytes that are not UTF-8.
fn declared_charset(message: &Message<'_>) -> Option<String> {
    message
        .parts
        .iter()
        .find_map(|p| p.content_type()?.attribute("charset"))
        .map(str::to_string)
}

fn decode(bytes: &[u8], charset: &str) -> String {
    match charset_decoder(charset.as_bytes()).or_else(|| charset_decoder(b"windows-1252")) {
        Some(decoder) => decoder(bytes),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Header bytes that mail-parser would mangle (raw 8-bit in a legacy charset, or raw
/// ISO-2022-JP escape sequences) decoded to UTF-8; `None` when the bytes are fine as they are.
fn redecoded_header(
    message: &Message<'_>,
    raw: &[u8],
    name: HeaderName<'static>,
    charset: Option<&str>,
) -> Option<String> {
    let header = message
        .parts
        .first()?
        .headers
        .iter()
        .find(|h| h.name == name)?;
    let bytes = raw.get(header.offset_start as usize..header.offset_end as usize)?;
    let escaped = bytes.contains(&0x1b);
    if std::str::from_utf8(bytes).is_ok() && !escaped {
        return None;
    }
    let charset = if escaped {
        "iso-2022-jp"
    } else {
        charset.unwrap_or("windows-1252")
    };
    let mut decoded = decode(bytes, charset);
    decoded.push('\n');
    Some(decoded)
}

fn subject(message: &Message<'_>, raw: &[u8], charset: Option<&str>) -> String {
    let subject = match redecoded_header(message, raw, HeaderName::Subject, charset) {
        Some(decoded) => match MessageStream::new(decoded.as_bytes()).parse_unstructured() {
            HeaderValue::Text(text) => text.into_owned(),
            _ => String::new(),
        },
        None => message.subject().unwrap_or("").to_string(),
    };
    subject.trim().to_string()
}

fn from(
    message: &Message<'_>,
    raw: &[u8],
    charset: Option<&str>,
) -> (Option<String>, Option<String>) {
    let redecoded = redecoded_header(message, raw, HeaderName::From, charset).map(|decoded| {
        MessageStream::new(decoded.as_bytes())
            .parse_address()
            .into_owned()
    });
    let address = match &redecoded {
        Some(HeaderValue::Address(address)) => Some(address),
        Some(_) => None,
        None => message.from(),
    };
    let Some(first) = address.and_then(|a| a.iter().next()) else {
        return (None, None);
    };
    let email = first
        .address()
        .map(|a| a.trim().to_lowercase())
        .filter(|a| a.contains('@'));
    let name = first
        .name()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    (email, name)
}

/// "From: mailer-daemon" (no domain) still tells who sent it.
fn bare_from(message: &Message<'_>) -> Option<String> {
    let first = message.from()?.iter().next()?;
    first
        .address()
        .or(first.name())
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty() && !s.contains(' '))
}

fn addresses(address: &Address<'_>) -> Vec<String> {
    address
        .iter()
        .filter_map(|a| a.address())
        .map(|a| a.trim().to_lowercase())
        .filter(|a| a.contains('@'))
        .collect()
}

fn address_list<'a, 'x: 'a>(headers: impl Iterator<Item = &'a Address<'x>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for address in headers.flat_map(addresses) {
        if !out.contains(&address) {
            out.push(address);
        }
    }
    out
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let raw: Vec<&str> = match value {
        HeaderValue::Text(id) => vec![id.as_ref()],
        HeaderValue::TextList(list) => list.iter().map(|id| id.as_ref()).collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = Vec::new();
    for id in raw.into_iter().map(strip_brackets) {
        if !id.is_empty() && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

fn strip_brackets(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

/// The text/plain body parts, or the HTML ones as text when there is no non-blank text part,
/// or what can be read from a broken multipart.
fn body_text(message: &Message<'_>) -> String {
    let mut plain = Vec::new();
    let mut from_html = Vec::new();
    for id in &message.text_body {
        match message.parts.get(*id as usize).map(|p| &p.body) {
            Some(PartType::Text(text)) => plain.push(normalize_newlines(text)),
            Some(PartType::Html(html)) => from_html.push(html_to_text(html)),
            _ => {}
        }
    }
    if plain.iter().all(|t| t.trim().is_empty()) && from_html.is_empty() {
        for id in &message.html_body {
            if let Some(PartType::Html(html)) = message.parts.get(*id as usize).map(|p| &p.body) {
                from_html.push(html_to_text(html));
            }
        }
    }
    let parts = if plain.iter().any(|t| !t.trim().is_empty()) {
        plain
    } else {
        from_html
    };
    if parts.is_empty()
        && let Some(text) = broken_multipart_text(message)
    {
        return text;
    }
    parts.join("\n\n")
}

/// A multipart whose boundary parameter got lost (written on an unindented line, say) or never
/// appears is read as one opaque text part. If its content opens with a `--boundary` line, the
/// boundary is taken from there and the part parsed again; otherwise its raw text is still
/// better than nothing.
fn broken_multipart_text(message: &Message<'_>) -> Option<String> {
    let text = message.parts.iter().find_map(|part| {
        let multipart = part
            .content_type()
            .is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("multipart"));
        match &part.body {
            PartType::Text(text) if multipart => Some(text.to_string()),
            PartType::Binary(bytes) if multipart => {
                Some(String::from_utf8_lossy(bytes).into_owned())
            }
            _ => None,
        }
    })?;
    let boundary = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| l.trim_end().strip_prefix("--"))
        .filter(|b| !b.is_empty() && !b.contains('"'));
    if let Some(boundary) = boundary {
        let repaired = format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\n\n{text}");
        let reparsed =
            std::panic::catch_unwind(|| MessageParser::default().parse(repaired.as_bytes()));
        if let Ok(Some(inner)) = reparsed {
            let inner_text: Vec<String> = inner
                .text_body
                .iter()
                .filter_map(|id| match inner.parts.get(*id as usize).map(|p| &p.body) {
                    Some(PartType::Text(t)) => Some(normalize_newlines(t)),
                    Some(PartType::Html(h)) => Some(html_to_text(h)),
                    _ => None,
                })
                .collect();
            if inner_text.iter().any(|t| !t.trim().is_empty()) {
                return Some(inner_text.join("\n\n"));
            }
        }
    }
    Some(normalize_newlines(&text))
}

fn body_html(message: &Message<'_>) -> Option<String> {
    let html: Vec<String> = message
        .html_body
        .iter()
        .filter_map(
            |id| match message.parts.get(*id as usize).map(|p| &p.body) {
                Some(PartType::Html(html)) => Some(sanitize_html(html)),
                _ => None,
            },
        )
        .collect();
    (!html.is_empty()).then(|| html.join("\n"))
}

fn attachments(
    message: &Message<'_>,
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> Vec<ParsedAttachment> {
    let mut out = Vec::new();
    for id in &message.attachments {
        let Some(part) = message.parts.get(*id as usize) else {
            continue;
        };
        let broken_multipart = part
            .content_type()
            .is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("multipart"));
        if matches!(part.body, PartType::Multipart(_)) || broken_multipart {
            continue;
        }
        let content = part.contents();
        let filename = part.attachment_name().and_then(sanitize_filename);
        let content_omitted = content.len() > limits.max_attachment_bytes;
        if content_omitted {
            warnings.push(format!(
                "attachment {} ({} bytes) is over the {}-byte limit; its content was not kept",
                filename.as_deref().unwrap_or("without a name"),
                content.len(),
                limits.max_attachment_bytes
            ));
        }
        out.push(ParsedAttachment {
            content_type: content_type_of(part),
            content: if content_omitted {
                Vec::new()
            } else {
                content.to_vec()
            },
            size: content.len(),
            content_omitted,
            inline: matches!(part.body, PartType::InlineBinary(_))
                || part.content_disposition().is_some_and(|d| d.is_inline()),
            content_id: part
                .content_id()
                .map(strip_brackets)
                .filter(|id| !id.is_empty()),
            filename,
        });
    }
    out
}

fn content_type_of(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) if !ct.ctype().trim().is_empty() => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_lowercase(),
            None => ct.ctype().to_lowercase(),
        },
        _ => match part.body {
            PartType::Text(_) => "text/plain".into(),
            PartType::Html(_) => "text/html".into(),
            PartType::Message(_) => "message/rfc822".into(),
            _ => "application/octet-stream".into(),
        },
    }
}

/// Keeps the last path component and drops control characters: a name is a label, never a
/// path on our disk.
fn sanitize_filename(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base.chars().filter(|c| !c.is_control()).take(255).collect();
    let clean = clean.trim().trim_start_matches('.').trim();
    (!clean.is_empty()).then(|| clean.to_string())
}

/// What the classifier needs from the MIME structure: the report parts of a DSN or ARF report,
/// and the attached original message.
fn mail_facts(message: &Message<'_>) -> MailFacts {
    let mut facts = MailFacts {
        headers: message
            .headers_raw()
            .map(|(name, value)| {
                let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
                (name.to_lowercase(), value)
            })
            .collect(),
        ..MailFacts::default()
    };
    let mut delivery_status = Vec::new();
    for part in &message.parts {
        let (ctype, subtype) = match part.content_type() {
            Some(ct) => (
                ct.ctype().to_lowercase(),
                ct.subtype().unwrap_or("").to_lowercase(),
            ),
            None => (String::new(), String::new()),
        };
        match (ctype.as_str(), subtype.as_str()) {
            ("multipart", "report") => {
                if facts.report_type.is_none() {
                    facts.report_type = part
                        .content_type()
                        .and_then(|ct| ct.attribute("report-type"))
                        .map(|t| t.trim().to_lowercase());
                }
            }
            ("message" | "text", "delivery-status" | "global-delivery-status") => {
                delivery_status.push(String::from_utf8_lossy(part.contents()).into_owned());
            }
            ("message" | "text", "disposition-notification") => {
                facts.disposition = Some(String::from_utf8_lossy(part.contents()).into_owned());
            }
            ("message", "feedback-report") => {
                facts.feedback_report = Some(String::from_utf8_lossy(part.contents()).into_owned());
            }
            ("message" | "text", "rfc822-headers") | ("message", "rfc822" | "global") => {
                if facts.attached_message_id.is_none() {
                    attached_original(part, &mut facts);
                }
            }
            _ => {
                if let PartType::Message(_) = part.body
                    && facts.attached_message_id.is_none()
                {
                    attached_original(part, &mut facts);
                }
            }
        }
    }
    if !delivery_status.is_empty() {
        facts.delivery_status = Some(delivery_status.join("\n\n"));
    }
    facts
}

fn attached_original(part: &MessagePart<'_>, facts: &mut MailFacts) {
    let headers_only;
    let original = match &part.body {
        PartType::Message(message) => message,
        _ => match MessageParser::default().parse_headers(part.contents()) {
            Some(message) => {
                headers_only = message;
                &headers_only
            }
            None => return,
        },
    };
    facts.attached_message_id = original
        .message_id()
        .map(strip_brackets)
        .filter(|id| !id.is_empty());
    facts.attached_to = original.to().and_then(|a| addresses(a).into_iter().next());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::MailKind;

    fn parse_ok(raw: &str) -> ParsedEmail {
        parse(raw.as_bytes(), &Limits::default()).expect("parses")
    }

    #[test]
    fn headers_and_plain_body() {
        let email = parse_ok(
            "Message-ID: <abc@Example.com>\r\nIn-Reply-To: <one@x>\r\nReferences: <zero@x> <one@x>\r\n\
             From: \"Ann Example\" <Ann@Example.COM>\r\nReply-To: help@example.com\r\n\
             To: Support <support+t123@helpdesk.test>, bob@x.org\r\nCc: Team: c@x.org, d@x.org;\r\n\
             Subject: =?UTF-8?Q?Drucker_br=C3=A4nnt?= [#123]\r\nDate: Mon, 1 Jan 2024 10:00:00 +0100\r\n\r\n\
             It is on fire.\r\n\r\nOn Sun, Dec 31, 2023 at 9:00 AM Support <support@helpdesk.test> wrote:\r\n> How can we help?\r\n",
        );
        assert_eq!(email.message_id.as_deref(), Some("abc@Example.com"));
        assert_eq!(email.in_reply_to, vec!["one@x"]);
        assert_eq!(email.references, vec!["zero@x", "one@x"]);
        assert_eq!(email.from_address.as_deref(), Some("ann@example.com"));
        assert_eq!(email.from_name.as_deref(), Some("Ann Example"));
        assert_eq!(email.reply_to.as_deref(), Some("help@example.com"));
        assert_eq!(email.to, vec!["support+t123@helpdesk.test", "bob@x.org"]);
        assert_eq!(email.cc, vec!["c@x.org", "d@x.org"]);
        assert_eq!(email.subject, "Drucker brännt [#123]");
        assert_eq!(email.date_ms, Some(1_704_099_600_000));
        assert!(email.text.starts_with("It is on fire.\n\nOn Sun"));
        assert_eq!(email.visible_text, "It is on fire.");
        assert_eq!(email.html, None);
        assert_eq!(email.kind, MailKind::Normal);
        assert_eq!(email.content_hash.len(), 64);
        assert!(email.warnings.is_empty());
    }

    #[test]
    fn html_only_mail_becomes_text_and_is_sanitized() {
        let email = parse_ok(
            "From: a@example.com\nSubject: hi\nContent-Type: text/html; charset=utf-8\n\n\
             <p>Hello <b>there</b></p><script>evil()</script><img src=\"http://t.example/p.gif\">\
             <div class=gmail_quote>On Mon, Jan 1, 2024 at 10:00 AM B &lt;b@x.org&gt; wrote:<blockquote>old</blockquote></div>",
        );
        assert_eq!(email.visible_text, "Hello there");
        assert!(email.text.contains("> old"));
        let html = email.html.expect("html kept");
        assert!(!html.contains("evil"));
        assert!(!html.contains("t.example"));
    }

    #[test]
    fn html_replies_from_common_clients_are_trimmed() {
        let outlook = "From: ann@example.com\nContent-Type: text/html\n\n\
            <div class=WordSection1><p class=MsoNormal>Thanks, that fixed it.<o:p></o:p></p>\
            <p class=MsoNormal><o:p>&nbsp;</o:p></p><div><div style='border-top:solid #E1E1E1 1.0pt'>\
            <p class=MsoNormal><b>From:</b> Support &lt;support@helpdesk.test&gt;<br><b>Sent:</b> Monday, \
            January 1, 2024 10:00 AM<br><b>To:</b> Ann &lt;ann@example.com&gt;<br><b>Subject:</b> Re: \
            Printer [#12]<o:p></o:p></p></div></div><p class=MsoNormal>Have you tried turning it off?</p></div>";
        assert_eq!(parse_ok(outlook).visible_text, "Thanks, that fixed it.");

        let owa = "From: ann@example.com\nContent-Type: text/html\n\n<div>Works now.</div>\
            <hr style=\"display:inline-block;width:98%\"><div id=\"divRplyFwdMsg\"><font><b>From:</b> \
            Support &lt;support@helpdesk.test&gt;<br><b>Sent:</b> Monday, January 1, 2024 10:00<br>\
            <b>To:</b> Ann<br><b>Subject:</b> Re: Printer</font><div>&nbsp;</div></div><div>Old text</div>";
        assert_eq!(parse_ok(owa).visible_text, "Works now.");

        let apple = "From: ann@example.com\nContent-Type: text/html\n\n<html><body>Sure, tomorrow \
            works.<br><div><br><blockquote type=\"cite\"><div>On 1 Jan 2024, at 10:00, Support \
            &lt;support@helpdesk.test&gt; wrote:</div><br><div><div>When can we call?</div></div>\
            </blockquote></div></body></html>";
        assert_eq!(parse_ok(apple).visible_text, "Sure, tomorrow works.");
    }

    #[test]
    fn lost_boundary_parameter_is_recovered() {
        let email = parse_ok(
            "From: a@example.com\nContent-Type: multipart/mixed; boundary=\"outer\"\n\n--outer\n\
             Content-Type: multipart/alternative;\nboundary=\"inner\"\n\n--inner\n\
             Content-Type: text/plain\n\nThe real text.\n--inner--\n\n--outer--\n",
        );
        assert_eq!(email.text.trim(), "The real text.");
    }

    #[test]
    fn alternative_prefers_text_part() {
        let email = parse_ok(
            "From: a@example.com\nContent-Type: multipart/alternative; boundary=b\n\n--b\n\
             Content-Type: text/plain\n\nplain version\n--b\nContent-Type: text/html\n\n<p>html version</p>\n--b--\n",
        );
        assert_eq!(email.text.trim(), "plain version");
        assert!(email.html.unwrap().contains("html version"));
    }

    #[test]
    fn attachments_and_the_size_limit() {
        let raw = "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\
             Content-Type: text/plain\n\nsee attached\n--b\nContent-Type: application/pdf; name=\"../../etc/report.pdf\"\n\
             Content-Disposition: attachment\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b\n\
             Content-Type: image/png\nContent-ID: <logo@x>\nContent-Disposition: inline\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--b--\n";
        let email = parse(raw.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(email.attachments.len(), 2);
        let pdf = &email.attachments[0];
        assert_eq!(pdf.filename.as_deref(), Some("report.pdf"));
        assert_eq!(pdf.content_type, "application/pdf");
        assert_eq!(pdf.content, b"%PDF-1.4\n");
        assert!(!pdf.inline);
        let png = &email.attachments[1];
        assert!(png.inline);
        assert_eq!(png.content_id.as_deref(), Some("logo@x"));

        let small = Limits {
            max_message_bytes: 1 << 20,
            max_attachment_bytes: 4,
        };
        let email = parse(raw.as_bytes(), &small).unwrap();
        assert!(email.attachments[0].content_omitted);
        assert!(email.attachments[0].content.is_empty());
        assert_eq!(email.attachments[0].size, 9);
        assert_eq!(email.warnings.len(), 2);
    }

    #[test]
    fn errors() {
        let limits = Limits::default();
        assert_eq!(parse(b"", &limits), Err(ParseError::Empty));
        assert_eq!(parse(b" \r\n\t", &limits), Err(ParseError::Empty));
        assert!(matches!(
            parse(b"\x00\x01\x02\x03binary", &limits),
            Err(ParseError::NotAMessage(_))
        ));
        let tiny = Limits {
            max_message_bytes: 3,
            max_attachment_bytes: 3,
        };
        let err = parse(b"Subject: x\n\nbody", &tiny).unwrap_err();
        assert_eq!(err, ParseError::TooLarge { size: 16, limit: 3 });
        assert_eq!(err.code(), "too_large");
        assert_eq!(ParseError::Empty.code(), "parse_error");
    }

    #[test]
    fn headers_without_body_and_body_without_headers() {
        let email = parse_ok("Subject: only headers\nFrom: a@example.com\n");
        assert_eq!(email.subject, "only headers");
        assert_eq!(email.text, "");
        let email = parse_ok("Hi,\nthis has no headers at all.\n");
        assert_eq!(email.text, "Hi,\nthis has no headers at all.\n");
        assert_eq!(email.subject, "");
        assert_eq!(email.warnings.len(), 1);
    }

    #[test]
    fn classic_mac_line_ends() {
        let email = parse_ok("Subject: old mac\rFrom: a@example.com\r\rbody line\rsecond\r");
        assert_eq!(email.subject, "old mac");
        assert_eq!(email.text, "body line\nsecond\n");
    }

    #[test]
    fn byte_order_mark_before_headers() {
        let email = parse_ok("\u{feff}Subject: bom\nFrom: a@example.com\n\nbody\n");
        assert_eq!(email.subject, "bom");
        assert!(email.warnings.is_empty());
    }

    #[test]
    fn leading_junk_and_mbox_line() {
        let email = parse_ok(
            "\n  From MAILER-DAEMON Sat Oct  4 08:00:09 2025\nSubject: x\nFrom: a@example.com\n\nbody\n",
        );
        assert_eq!(email.subject, "x");
        assert_eq!(email.from_address.as_deref(), Some("a@example.com"));
    }

    #[test]
    fn raw_legacy_header_bytes() {
        let mut raw = b"From: \"M\xfcller\" <m@example.de>\nSubject: Gr\xfc\xdfe\nContent-Type: text/plain; charset=iso-8859-1\n\nHallo\n".to_vec();
        let email = parse(&raw, &Limits::default()).unwrap();
        assert_eq!(email.subject, "Grüße");
        assert_eq!(email.from_name.as_deref(), Some("Müller"));
        raw = b"Subject: \x1b$B%F%9%H\x1b(B\n\nbody".to_vec();
        assert_eq!(parse(&raw, &Limits::default()).unwrap().subject, "テスト");
    }
}
