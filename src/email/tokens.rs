//! Ticket tokens carried by replies: `[#1234]` in the subject and `support+t1234@…` in the
//! address, so a reply threads onto its ticket even when the client drops In-Reply-To.

/// The ticket id from a `[#1234]` token in a subject. With several tokens the last one wins:
/// our outgoing subjects end with the token, and a forwarded thread may carry an older one in
/// front of it.
pub fn ticket_token_from_subject(subject: &str) -> Option<i64> {
    let mut found = None;
    let mut rest = subject;
    while let Some(start) = rest.find("[#") {
        let after = &rest[start + 2..];
        let digits_len = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits_len > 0
            && after[digits_len..].starts_with(']')
            && let Some(id) = positive_id(&after[..digits_len])
        {
            found = Some(id);
        }
        rest = after;
    }
    found
}

/// The ticket id from plus-addressing, `support+t1234@helpdesk.test` (case-insensitive, with or
/// without angle brackets around the address).
pub fn ticket_token_from_address(addr: &str) -> Option<i64> {
    let addr = addr.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, domain) = addr.rsplit_once('@')?;
    if domain.is_empty() {
        return None;
    }
    let (_, tag) = local.split_once('+')?;
    let digits = tag.strip_prefix('t').or_else(|| tag.strip_prefix('T'))?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    positive_id(digits)
}

/// Ticket ids start at 1; anything that overflows i64 is not ours.
fn positive_id(digits: &str) -> Option<i64> {
    digits.parse::<i64>().ok().filter(|id| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_token() {
        assert_eq!(
            ticket_token_from_subject("Re: Printer on fire [#1234]"),
            Some(1234)
        );
        assert_eq!(ticket_token_from_subject("[#7] hello"), Some(7));
        assert_eq!(
            ticket_token_from_subject("Fwd: [#12] old one [#34]"),
            Some(34)
        );
        assert_eq!(ticket_token_from_subject("Re: no token"), None);
        assert_eq!(ticket_token_from_subject("[#] [#abc] [# 12]"), None);
        assert_eq!(ticket_token_from_subject("[#0]"), None);
        assert_eq!(
            ticket_token_from_subject("[#99999999999999999999999]"),
            None
        );
        assert_eq!(ticket_token_from_subject("[#12"), None);
        assert_eq!(ticket_token_from_subject("Ärger [#5] ünd"), Some(5));
    }

    #[test]
    fn address_token() {
        assert_eq!(
            ticket_token_from_address("support+t1234@helpdesk.test"),
            Some(1234)
        );
        assert_eq!(
            ticket_token_from_address("<Support+T42@Helpdesk.Test>"),
            Some(42)
        );
        assert_eq!(ticket_token_from_address("support@helpdesk.test"), None);
        assert_eq!(ticket_token_from_address("support+x12@helpdesk.test"), None);
        assert_eq!(
            ticket_token_from_address("support+t12a@helpdesk.test"),
            None
        );
        assert_eq!(ticket_token_from_address("support+t@helpdesk.test"), None);
        assert_eq!(ticket_token_from_address("support+t12@"), None);
        assert_eq!(ticket_token_from_address("support+t12"), None);
        assert_eq!(ticket_token_from_address(""), None);
    }
}
