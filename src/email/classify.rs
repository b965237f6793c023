//! Bounce, auto-reply and feedback-report detection: which inbound mail was sent by a machine,
//! so it never gets an automatic acknowledgement (mail loops) and bounces can be tied back to
//! the message that failed.
//!
//! Order of the checks: an ARF feedback report; a standard delivery status report (RFC 3464),
//! read field by field; a non-standard bounce (mailer-daemon sender, `X-Failed-Recipients`, a
//! bounce subject, or an automated sender whose text says the mail could not be delivered); then
//! auto-replies (RFC 3834 `Auto-Submitted`, `X-Autoreply`/`X-Autorespond`,
//! `X-Auto-Response-Suppress`, `Precedence: bulk|junk`, out-of-office subjects). A person writing
//! through a mailing list (`List-Id`, `Precedence: list`) is a customer, not an auto-reply; a
//! read receipt (RFC 8098) is its own kind.

use super::MailKind;
use regex::Regex;
use std::sync::LazyLock;

/// What [`classify`] looks at, gathered by `parse` from the MIME structure. Plain data so the
/// rules can be tested without building messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailFacts {
    /// Top-level header fields: lower-case name, unfolded value.
    pub headers: Vec<(String, String)>,
    /// Lower-case From address, or the bare From text when it has no `@`.
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub subject: String,
    pub in_reply_to: Vec<String>,
    /// The `report-type` parameter of a multipart/report, lower-case.
    pub report_type: Option<String>,
    /// The text of the message/delivery-status part(s).
    pub delivery_status: Option<String>,
    /// The text of a message/feedback-report part.
    pub feedback_report: Option<String>,
    /// The text of a message/disposition-notification part (a read receipt).
    pub disposition: Option<String>,
    /// Message-ID of an attached message/rfc822 or text/rfc822-headers part (the original).
    pub attached_message_id: Option<String>,
    /// First To address of that attached original.
    pub attached_to: Option<String>,
    /// The plain-text body (only its start is read).
    pub body: String,
}

impl MailFacts {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
    }
}

/// Decides what kind of mail this is (see the module docs for the order of the rules).
pub fn classify(facts: &MailFacts) -> MailKind {
    if let Some(kind) = feedback_report(facts) {
        return kind;
    }
    if let Some(kind) = delivery_status_report(facts) {
        return kind;
    }
    if let Some(kind) = read_receipt(facts) {
        return kind;
    }
    if let Some(kind) = informal_bounce(facts) {
        return kind;
    }
    match auto_reply_reason(facts) {
        Some(reason) => MailKind::AutoReply { reason },
        None if through_a_list(facts) => MailKind::ListMessage {
            list_id: facts.header("list-id").map(|v| {
                v.rsplit_once('<')
                    .map(|(_, id)| id.trim_end_matches('>').trim().to_string())
                    .unwrap_or_else(|| v.to_string())
            }),
        },
        None => MailKind::Normal,
    }
}

/// A person's mail that came through a mailing list or group (Mailman, Google Groups, …).
fn through_a_list(facts: &MailFacts) -> bool {
    facts.header("list-id").is_some()
        || facts.header("list-post").is_some()
        || facts
            .header("precedence")
            .is_some_and(|v| v.eq_ignore_ascii_case("list") || v.eq_ignore_ascii_case("bulk"))
}

/// RFC 8098: a `multipart/report; report-type=disposition-notification`, or its
/// `message/disposition-notification` part alone.
fn read_receipt(facts: &MailFacts) -> Option<MailKind> {
    let declared = facts.report_type.as_deref() == Some("disposition-notification");
    if !declared && facts.disposition.is_none() {
        return None;
    }
    let fields = facts
        .disposition
        .as_deref()
        .map(report_fields)
        .unwrap_or_default();
    let original = field(&fields, "original-message-id")
        .map(|v| {
            v.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
        .filter(|v| !v.is_empty())
        .or_else(|| facts.attached_message_id.clone())
        .or_else(|| facts.in_reply_to.first().cloned());
    let disposition = field(&fields, "disposition").map(|v| {
        let v = v.rsplit_once(';').map(|(_, d)| d).unwrap_or(v);
        v.split('/').next().unwrap_or(v).trim().to_lowercase()
    });
    Some(MailKind::Receipt {
        original_message_id: original,
        disposition,
    })
}

fn feedback_report(facts: &MailFacts) -> Option<MailKind> {
    let is_arf =
        facts.report_type.as_deref() == Some("feedback-report") || facts.feedback_report.is_some();
    if !is_arf {
        return None;
    }
    let fields = facts
        .feedback_report
        .as_deref()
        .map(report_fields)
        .unwrap_or_default();
    Some(MailKind::FeedbackReport {
        feedback_type: field(&fields, "feedback-type").map(str::to_lowercase),
        original_message_id: facts.attached_message_id.clone(),
    })
}

/// RFC 3464: per-recipient `Action`, `Status` and `Final-Recipient` fields. A report in which no
/// recipient failed (only `delayed`, `delivered`, `relayed`, `expanded`) is not a bounce: the
/// mail is still on its way or arrived.
fn delivery_status_report(facts: &MailFacts) -> Option<MailKind> {
    // A report whose MIME boundaries are broken still carries its fields in the text.
    let declared = facts.report_type.as_deref() == Some("delivery-status");
    let text = facts
        .delivery_status
        .as_deref()
        .or_else(|| declared.then_some(facts.body.as_str()))?;
    let fields = report_fields(text);
    let recipients = recipient_groups(&fields);
    let failed: Vec<&[(String, String)]> = recipients
        .iter()
        .copied()
        .filter(
            |group| match field(group, "action").map(str::to_lowercase) {
                Some(action) => action.starts_with("fail"),
                None => field(group, "status").is_none_or(|s| s.trim_start().starts_with('5')),
            },
        )
        .collect();
    if failed.is_empty() && !recipients.is_empty() {
        let action = recipients
            .iter()
            .find_map(|g| field(g, "action"))
            .unwrap_or("delayed")
            .to_lowercase();
        return Some(MailKind::AutoReply {
            reason: format!("delivery-status: {action}"),
        });
    }
    // No readable recipient at all: a report a mailer sent in the delivery-status format is
    // still a failure report.
    let first = failed.first().copied().unwrap_or(&[]);
    let recipient = field(first, "final-recipient")
        .or_else(|| field(first, "original-recipient"))
        .and_then(address_of)
        .or_else(|| failed_recipients_header(facts))
        .or_else(|| facts.attached_to.clone());
    let status = field(first, "status")
        .and_then(status_code)
        .or_else(|| body_status(&facts.body));
    let original_message_id = field(&fields, "original-message-id")
        .or_else(|| field(&fields, "x-original-message-id"))
        .map(strip_id)
        .or_else(|| original_message_id(facts));
    Some(MailKind::Bounce {
        original_message_id,
        recipient,
        status,
    })
}

fn informal_bounce(facts: &MailFacts) -> Option<MailKind> {
    let failed_header = facts.header("x-failed-recipients").is_some();
    let sender = system_sender(facts);
    let subject = facts.subject.trim();
    let bounce_subject = BOUNCE_SUBJECT.is_match(subject);
    let delay_subject = DELAY_SUBJECT.is_match(subject);
    // The text alone proves nothing ("my mail could not be delivered to …" is a fine support
    // question); from a machine it is a failure notice.
    let automated = sender.is_some() || looks_automated(facts);
    let body_says_failed = automated && BOUNCE_BODY.is_match(body_start(&facts.body));
    let daemon = sender == Some(SystemSender::MailerDaemon);
    if !(failed_header || daemon || bounce_subject || body_says_failed) {
        return None;
    }
    if delay_subject && !failed_header {
        return Some(MailKind::AutoReply {
            reason: "delivery-status: delayed".into(),
        });
    }
    Some(MailKind::Bounce {
        original_message_id: original_message_id(facts),
        recipient: failed_recipients_header(facts)
            .or_else(|| body_recipient(&facts.body))
            .or_else(|| facts.attached_to.clone()),
        status: body_status(&facts.body),
    })
}

/// Why this message is an automatic reply, if it is one.
fn auto_reply_reason(facts: &MailFacts) -> Option<String> {
    if let Some(value) = facts.header("auto-submitted") {
        let value = value
            .split(['(', ';'])
            .next()
            .unwrap_or("")
            .trim()
            .to_lowercase();
        if !value.is_empty() && value != "no" {
            return Some(format!("auto-submitted: {value}"));
        }
    }
    for name in ["x-autoreply", "x-autorespond", "x-autoresponder"] {
        if facts
            .header(name)
            .is_some_and(|v| !v.eq_ignore_ascii_case("no"))
        {
            return Some(name.to_string());
        }
    }
    if facts
        .header("x-auto-response-suppress")
        .is_some_and(|v| !v.is_empty() && !v.eq_ignore_ascii_case("none"))
    {
        return Some("x-auto-response-suppress".into());
    }
    if let Some(value) = facts.header("precedence") {
        let value = value.to_lowercase();
        match value.as_str() {
            "junk" | "auto_reply" => return Some(format!("precedence: {value}")),
            // Bulk mail one cannot answer on a list is a sender's mass mailing (newsletters,
            // notifications); on a discussion list (List-Post) it is a person writing.
            "bulk" if facts.header("list-post").is_none() => {
                return Some("precedence: bulk".into());
            }
            // `list` is a person writing through a list: a customer message (see `classify`).
            _ => {}
        }
    }
    if AUTO_REPLY_SUBJECT.is_match(facts.subject.trim()) {
        return Some("subject".into());
    }
    None
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SystemSender {
    /// Only ever sends failure notices.
    MailerDaemon,
    /// A mail administrator: usually failure notices, occasionally a person.
    Postmaster,
}

fn system_sender(facts: &MailFacts) -> Option<SystemSender> {
    let local = facts
        .from_address
        .as_deref()
        .map(|a| a.split('@').next().unwrap_or(a).to_lowercase())
        .unwrap_or_default();
    let name = facts.from_name.as_deref().unwrap_or("").to_lowercase();
    if matches!(
        local.as_str(),
        "mailer-daemon" | "mailer_daemon" | "mailerdaemon"
    ) || local.starts_with("mail.delivery")
        || name.contains("mailer-daemon")
        || name.contains("mail delivery s")
    {
        return Some(SystemSender::MailerDaemon);
    }
    matches!(local.as_str(), "postmaster" | "post_master").then_some(SystemSender::Postmaster)
}

/// Signs that nobody typed this message: a null return path, RFC 3834 headers, a no-reply or
/// list-manager sender.
fn looks_automated(facts: &MailFacts) -> bool {
    let null_return = facts
        .header("return-path")
        .is_some_and(|v| v.trim_matches(['<', '>', ' ']).is_empty());
    let local = facts
        .from_address
        .as_deref()
        .and_then(|a| a.split('@').next())
        .unwrap_or("")
        .to_lowercase();
    null_return
        || facts.header("auto-submitted").is_some()
        || facts.header("x-mlserver").is_some()
        || facts.header("mailing-list").is_some()
        || local.contains("no-reply")
        || local.contains("noreply")
        || local.ends_with("-admin")
        || local.ends_with("-bounces")
}

fn body_start(body: &str) -> &str {
    let mut end = body.len().min(4000);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

/// Subjects MTAs use for failure notices. Anchored at the start: a customer forwarding a bounce
/// ("Fwd: Undelivered Mail …") is asking for help, not bouncing.
static BOUNCE_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(?:undeliver(?:ed|able)|delivery (?:status notification \((?:failure|delay)\)|notification: delivery has failed|failure|failed|has failed)|mail delivery (?:failed|failure|system)|message delivery has failed|returned mail|failure notice|mail system error|non[- ]?delivery|nondeliverable|could not send message|there was an error sending your mail|message (?:not delivered|you sent blocked)|\*+\s*message you sent blocked|warning: could not send message|delivery status notification$|delivery status notification:|delivery report$|delivery status$|unzustellbar|nicht zustellbar|non remis|impossible de remettre|no se puede entregar|no entregado|onbestelbaar|olevererbart|non recapitabile|mancata consegna|não é possível entregar|não entregue|недоставленное сообщение|не доставлено|nie dostarczono|配信不能|配送エラー|メールエラー通知|邮件退信|退信|无法投递|傳遞失敗|전송 실패|배달 실패)",
    )
});

static DELAY_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:\(delay\)|delayed mail|delivery delayed|warning: could not send message for past|still being retried|will continue trying)",
    )
});

/// Phrases a failure notice's text uses; only trusted together with `looks_automated`.
static BOUNCE_BODY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:could not be delivered|couldn't be delivered|was not delivered|undeliverable|delivery (?:to the following recipients? )?(?:has )?failed|permanent (?:error|failure)|user unknown|unknown user|no such user|mailbox (?:is )?(?:full|unavailable|not found)|recipient address rejected|(?:^|\s)55\d[ -]\d?|you are not a member)",
    )
});

static AUTO_REPLY_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(?:auto(?:matic|matische|matisch|matiskt|matico|matique)?[ -]?(?:reply|response|answer|antwort|antwoord|svar|réponse|respuesta|risposta|resposta|responder)|autoreply|autoresponse|out of (?:the )?office|ooo\b|on vacation|vacation (?:reply|notice|response)|away from (?:the )?office|abwesenheitsnotiz|abwesend|réponse automatique|absence du bureau|absent(?:e)? du bureau|respuesta automática|fuera de la oficina|risposta automatica|fuori sede|automatisch antwoord|afwezig|automatiskt svar|frånvaro|resposta automática|ausente|自動応答|自動返信|自动回复|不在通知|자동 응답|부재중|автоответ|автоматический ответ|нет на месте|odpowiedź automatyczna|poza biurem|رد تلقائي)|\bis out of (?:the )?office\b",
    )
});

static STATUS_CODE: LazyLock<Regex> = LazyLock::new(|| re(r"\b([245]\.\d{1,3}\.\d{1,3})\b"));

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("classification pattern compiles")
}

/// Header-style `Name: value` fields (continuation lines unfolded), with empty-line group
/// boundaries kept as `("", "")` entries.
fn report_fields(text: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if fields.last().is_some_and(|(k, _)| !k.is_empty()) {
                fields.push((String::new(), String::new()));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((k, v)) = fields.last_mut().filter(|(k, _)| !k.is_empty()) {
                let _ = k;
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            let name = name.trim();
            if !name.is_empty() && !name.contains(' ') {
                fields.push((name.to_lowercase(), value.trim().to_string()));
            }
        }
    }
    fields
}

/// The recipient blocks of a delivery status report: groups that name a recipient, an action
/// or a status.
fn recipient_groups(fields: &[(String, String)]) -> Vec<&[(String, String)]> {
    fields
        .split(|(k, _)| k.is_empty())
        .filter(|group| {
            group.iter().any(|(k, _)| {
                matches!(
                    k.as_str(),
                    "final-recipient" | "original-recipient" | "action"
                )
            })
        })
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// "rfc822; Ann@Example.com" → "ann@example.com".
fn address_of(value: &str) -> Option<String> {
    let value = value.split_once(';').map_or(value, |(_, a)| a);
    let value = value
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    value.contains('@').then(|| value.to_lowercase())
}

fn status_code(value: &str) -> Option<String> {
    STATUS_CODE
        .captures(value)
        .map(|c| c[1].to_string())
        .or_else(|| {
            let v = value.split_whitespace().next()?;
            (!v.is_empty()).then(|| v.to_string())
        })
}

fn body_status(body: &str) -> Option<String> {
    STATUS_CODE
        .captures(body_start(body))
        .map(|c| c[1].to_string())
}

fn failed_recipients_header(facts: &MailFacts) -> Option<String> {
    facts
        .header("x-failed-recipients")?
        .split(',')
        .find_map(address_of)
}

/// The address a free-text failure notice names: qmail/Postfix `<user@host>:` lines, or "could
/// not be delivered to: user@host".
fn body_recipient(body: &str) -> Option<String> {
    static ANGLE_LINE: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?m)^\s*<([^<>\s@]+@[^<>\s]+)>\s*:"));
    static DELIVERED_TO: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)(?:delivered to|following (?:address|recipient)(?:\(?e?s\)?)?|recipient|rcpt to)\s*:?\s*<?([^<>\s@:;,]+@[^<>\s:;,]+\.[a-z0-9-]+)>?",
        )
    });
    let body = body_start(body);
    ANGLE_LINE
        .captures(body)
        .or_else(|| DELIVERED_TO.captures(body))
        .map(|c| c[1].trim_end_matches('.').to_lowercase())
}

/// The Message-ID of the message that bounced: the attached original, a copy of its headers in
/// the text, or the message the notice says it replies to.
fn original_message_id(facts: &MailFacts) -> Option<String> {
    static INLINE_ID: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?im)^\s*Message-ID:\s*<([^<>\s]+)>"));
    facts
        .attached_message_id
        .clone()
        .or_else(|| INLINE_ID.captures(&facts.body).map(|c| c[1].to_string()))
        .or_else(|| facts.in_reply_to.first().cloned())
}

fn strip_id(value: &str) -> String {
    value
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> MailFacts {
        MailFacts {
            from_address: Some("ann@example.com".into()),
            subject: "Printer on fire".into(),
            body: "Help!".into(),
            ..MailFacts::default()
        }
    }

    fn with_header(name: &str, value: &str) -> MailFacts {
        let mut f = facts();
        f.headers.push((name.into(), value.into()));
        f
    }

    fn reason(kind: MailKind) -> String {
        match kind {
            MailKind::AutoReply { reason } => reason,
            other => panic!("expected an auto-reply, got {other:?}"),
        }
    }

    #[test]
    fn ordinary_mail_is_normal() {
        assert_eq!(classify(&facts()), MailKind::Normal);
        assert_eq!(
            classify(&with_header("auto-submitted", "no")),
            MailKind::Normal
        );
        let mut f = facts();
        f.subject = "Fwd: Undelivered Mail Returned to Sender".into();
        assert_eq!(
            classify(&f),
            MailKind::Normal,
            "a forwarded bounce is a question"
        );
        f.subject = "Re: vacation rental booking".into();
        assert_eq!(classify(&f), MailKind::Normal);
    }

    #[test]
    fn rfc3834_and_friends() {
        assert_eq!(
            reason(classify(&with_header(
                "auto-submitted",
                "auto-replied (vacation)"
            ))),
            "auto-submitted: auto-replied"
        );
        assert_eq!(
            reason(classify(&with_header("x-autoreply", "yes"))),
            "x-autoreply"
        );
        assert_eq!(
            reason(classify(&with_header("x-autorespond", "1"))),
            "x-autorespond"
        );
        assert_eq!(
            reason(classify(&with_header("x-auto-response-suppress", "All"))),
            "x-auto-response-suppress"
        );
        assert_eq!(
            reason(classify(&with_header("precedence", "bulk"))),
            "precedence: bulk"
        );
        assert_eq!(
            reason(classify(&with_header("precedence", "junk"))),
            "precedence: junk"
        );
    }

    #[test]
    fn people_writing_through_a_list_are_customers() {
        // Mailman, Google Groups: the support address behind a list or group.
        let mut group = facts();
        group.headers = vec![
            ("precedence".into(), "list".into()),
            ("list-id".into(), "Support <support.acme.example>".into()),
            ("list-post".into(), "<mailto:support@acme.example>".into()),
        ];
        assert_eq!(
            classify(&group),
            MailKind::ListMessage {
                list_id: Some("support.acme.example".into())
            }
        );
        assert_eq!(
            classify(&with_header("precedence", "list")),
            MailKind::ListMessage { list_id: None }
        );
        // Older Mailman says bulk, but one can post to the list.
        let mut old = with_header("precedence", "bulk");
        old.headers
            .push(("list-post".into(), "<mailto:l@x.example>".into()));
        assert!(matches!(classify(&old), MailKind::ListMessage { .. }));
        // A list's own auto-reply and a newsletter stay automatic.
        let mut vacation = group.clone();
        vacation
            .headers
            .push(("auto-submitted".into(), "auto-replied".into()));
        assert!(matches!(classify(&vacation), MailKind::AutoReply { .. }));
        let mut newsletter = with_header("precedence", "bulk");
        newsletter
            .headers
            .push(("list-unsubscribe".into(), "<https://news.example/u>".into()));
        assert!(matches!(classify(&newsletter), MailKind::AutoReply { .. }));
        assert!(MailKind::ListMessage { list_id: None }.is_automated());
        assert!(MailKind::ListMessage { list_id: None }.is_from_a_person());
    }

    #[test]
    fn read_receipts_are_receipts() {
        let mut f = facts();
        f.subject = "Read: Printer on fire [#12-abcd1234]".into();
        f.report_type = Some("disposition-notification".into());
        f.disposition = Some(
            "Reporting-UA: mail.example.com; Microsoft Outlook\r\n\
             Final-Recipient: rfc822;ann@example.com\r\n\
             Original-Message-ID: <casebook.m7.abc@helpdesk.test>\r\n\
             Disposition: manual-action/MDN-sent-manually; displayed\r\n"
                .into(),
        );
        assert_eq!(
            classify(&f),
            MailKind::Receipt {
                original_message_id: Some("casebook.m7.abc@helpdesk.test".into()),
                disposition: Some("displayed".into()),
            }
        );
        // The part alone, and a report without fields, still are receipts.
        let mut bare = facts();
        bare.report_type = Some("disposition-notification".into());
        bare.in_reply_to = vec!["casebook.m9.x@helpdesk.test".into()];
        assert_eq!(
            classify(&bare),
            MailKind::Receipt {
                original_message_id: Some("casebook.m9.x@helpdesk.test".into()),
                disposition: None,
            }
        );
    }

    #[test]
    fn out_of_office_subjects() {
        for subject in [
            "Automatic reply: Printer on fire",
            "Auto reply: Nyaan",
            "Out of Office: Printer",
            "Abwesenheitsnotiz: Drucker",
            "Automatische Antwort: Drucker",
            "Réponse automatique : imprimante",
            "Respuesta automática: impresora",
            "Risposta automatica: stampante",
            "Automatisch antwoord: printer",
            "自動応答: プリンター",
            "自动回复: 打印机",
            "Автоответ: принтер",
            "John is out of the office",
        ] {
            let mut f = facts();
            f.subject = subject.into();
            assert_eq!(reason(classify(&f)), "subject", "{subject}");
        }
    }

    #[test]
    fn standard_dsn_is_a_bounce_with_details() {
        let mut f = facts();
        f.from_address = Some("mailer-daemon@mx.example.net".into());
        f.subject = "Undelivered Mail Returned to Sender".into();
        f.report_type = Some("delivery-status".into());
        f.delivery_status = Some(
            "Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; Bob@Example.org\n\
             Original-Recipient: rfc822;bob@example.org\nAction: failed\nStatus: 5.1.1\n\
             Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>:\n  user unknown\n"
                .into(),
        );
        f.attached_message_id = Some("abc@casebook.test".into());
        assert_eq!(
            classify(&f),
            MailKind::Bounce {
                original_message_id: Some("abc@casebook.test".into()),
                recipient: Some("bob@example.org".into()),
                status: Some("5.1.1".into()),
            }
        );
    }

    #[test]
    fn delayed_dsn_is_not_a_bounce() {
        let mut f = facts();
        f.from_address = Some("mailer-daemon@mx.example.net".into());
        f.subject = "Warning: could not send message for past 8 hours".into();
        f.delivery_status = Some(
            "Reporting-MTA: dns; mx\n\nFinal-Recipient: RFC822; bob@example.org\nAction: delayed\nStatus: 4.2.2\n"
                .into(),
        );
        assert_eq!(reason(classify(&f)), "delivery-status: delayed");
    }

    #[test]
    fn dsn_original_message_id_field_wins() {
        let mut f = facts();
        f.delivery_status = Some(
            "Original-Message-ID: <orig@casebook.test>\n\nFinal-Recipient: rfc822; x@example.org\nAction: failed\nStatus: 5.0.0\n"
                .into(),
        );
        f.in_reply_to = vec!["other@x".into()];
        let MailKind::Bounce {
            original_message_id,
            ..
        } = classify(&f)
        else {
            panic!("not a bounce");
        };
        assert_eq!(original_message_id.as_deref(), Some("orig@casebook.test"));
    }

    #[test]
    fn informal_bounces() {
        let mut f = facts();
        f.from_address = Some("mailer-daemon@mx.example.net".into());
        f.subject = "failure notice".into();
        f.body =
            "Hi. This is the qmail-send program.\n\n<bob@example.org>:\n550 5.1.1 no mailbox\n\n\
                  --- Below this line is a copy of the message.\n\nMessage-ID: <m1@casebook.test>\n"
                .into();
        assert_eq!(
            classify(&f),
            MailKind::Bounce {
                original_message_id: Some("m1@casebook.test".into()),
                recipient: Some("bob@example.org".into()),
                status: Some("5.1.1".into()),
            }
        );

        let mut f = facts();
        f.subject = "Mail delivery failed: returning message to sender".into();
        assert!(matches!(classify(&f), MailKind::Bounce { .. }));

        let mut f = with_header("x-failed-recipients", "Bob@Example.org");
        f.subject = "whatever".into();
        let MailKind::Bounce { recipient, .. } = classify(&f) else {
            panic!("not a bounce")
        };
        assert_eq!(recipient.as_deref(), Some("bob@example.org"));

        let mut f = facts();
        f.from_address = Some("no-reply@isp.example".into());
        f.body = "Your mail could not be delivered to: <kiji@example.jp>".into();
        assert!(matches!(classify(&f), MailKind::Bounce { .. }));

        // The same words from a person are a question, not a bounce, even with the notice
        // attached; and a postmaster is a person unless the text says otherwise.
        let mut f = facts();
        f.body = "My mail could not be delivered to my colleague, why?".into();
        f.attached_message_id = Some("x@y".into());
        assert_eq!(classify(&f), MailKind::Normal);
        let mut f = facts();
        f.from_address = Some("postmaster@customer.example".into());
        f.body = "Hi, we changed our MX records yesterday, any news?".into();
        assert_eq!(classify(&f), MailKind::Normal);
        f.body = "Error: 550 - Requested action not taken: no such user here".into();
        assert!(matches!(classify(&f), MailKind::Bounce { .. }));
    }

    #[test]
    fn bounce_wins_over_auto_submitted() {
        let mut f = with_header("auto-submitted", "auto-replied");
        f.from_address = Some("mailer-daemon@mx.example.net".into());
        f.subject = "Undelivered Mail Returned to Sender".into();
        assert!(matches!(classify(&f), MailKind::Bounce { .. }));
    }

    #[test]
    fn feedback_report() {
        let mut f = facts();
        f.report_type = Some("feedback-report".into());
        f.feedback_report =
            Some("Feedback-Type: abuse\nUser-Agent: SomeGenerator/1.0\nVersion: 1\n".into());
        f.attached_message_id = Some("spam@casebook.test".into());
        assert_eq!(
            classify(&f),
            MailKind::FeedbackReport {
                feedback_type: Some("abuse".into()),
                original_message_id: Some("spam@casebook.test".into()),
            }
        );
    }
}
