//! Ticket tags carried by replies: `[#1234-k7q2m9xd]` in the subject and
//! `support+t1234-k7q2m9xd@…` in the address, so a reply threads onto its ticket even when the
//! client drops In-Reply-To. The secret after the number keeps strangers from naming a ticket.

/// A ticket named by a reply: its number and, for tickets that have one, the secret that proves
/// the sender saw our mail (numbers are sequential and easy to guess).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRef {
    pub id: i64,
    pub secret: Option<String>,
}

/// The tag for a ticket: `#1234-k7q2m9xd`, or `#1234` for a ticket without a secret.
pub fn ticket_tag(ticket_id: i64, secret: Option<&str>) -> String {
    match secret {
        Some(s) => format!("#{ticket_id}-{s}"),
        None => format!("#{ticket_id}"),
    }
}

/// A new reply secret: 8 characters of `a-z0-9` (about 41 bits).
pub fn new_reply_secret() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rngs::OsRng;
    (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// `1234` or `1234-k7q2m9xd` (what follows `[#` or `+t`): the ticket and its secret. The rest
/// of the input after the tag is returned too.
fn tag_at(s: &str) -> Option<(TicketRef, &str)> {
    let digits_len = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits_len == 0 {
        return None;
    }
    let id = positive_id(&s[..digits_len])?;
    let rest = &s[digits_len..];
    if let Some(after) = rest.strip_prefix('-') {
        let len = after
            .bytes()
            .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            .count();
        if (4..=32).contains(&len) {
            let secret = after[..len].to_string();
            return Some((
                TicketRef {
                    id,
                    secret: Some(secret),
                },
                &after[len..],
            ));
        }
        return None;
    }
    Some((TicketRef { id, secret: None }, rest))
}

/// The ticket from a `[#1234-k7q2m9xd]` (or `[#1234]`) tag in a subject. With several tags the
/// last one wins: our outgoing subjects end with the tag, and a forwarded thread may carry an
/// older one in front of it.
pub fn ticket_token_from_subject(subject: &str) -> Option<TicketRef> {
    let mut found = None;
    let mut rest = subject;
    while let Some(start) = rest.find("[#") {
        let after = &rest[start + 2..];
        if let Some((tag, tail)) = tag_at(after)
            && tail.starts_with(']')
        {
            found = Some(tag);
        }
        rest = after;
    }
    found
}

/// The ticket from plus-addressing, `support+t1234-k7q2m9xd@helpdesk.test` (or `+t1234`;
/// case-insensitive, with or without angle brackets around the address).
pub fn ticket_token_from_address(addr: &str) -> Option<TicketRef> {
    let addr = addr.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, domain) = addr.rsplit_once('@')?;
    if domain.is_empty() {
        return None;
    }
    let (_, tag) = local.split_once('+')?;
    let tag = tag.to_ascii_lowercase();
    let digits = tag.strip_prefix('t')?;
    match tag_at(digits)? {
        (found, "") => Some(found),
        _ => None,
    }
}

/// Ticket ids start at 1; anything that overflows i64 is not ours.
fn positive_id(digits: &str) -> Option<i64> {
    digits.parse::<i64>().ok().filter(|id| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id_s(s: &str) -> Option<i64> {
        ticket_token_from_subject(s).map(|t| t.id)
    }

    fn id_a(s: &str) -> Option<i64> {
        ticket_token_from_address(s).map(|t| t.id)
    }

    #[test]
    fn tags_carry_the_secret() {
        let tag = ticket_tag(1234, Some("k7q2m9xd"));
        assert_eq!(tag, "#1234-k7q2m9xd");
        let want = Some(TicketRef {
            id: 1234,
            secret: Some("k7q2m9xd".into()),
        });
        assert_eq!(
            ticket_token_from_subject(&format!("Re: Printer [{tag}]")),
            want
        );
        assert_eq!(
            ticket_token_from_address("<Support+T1234-K7Q2M9XD@Helpdesk.Test>"),
            want
        );
        assert_eq!(
            ticket_token_from_subject("[#12]").unwrap().secret,
            None,
            "a tag from before secrets"
        );
        // Malformed secrets are no tag at all.
        for bad in [
            "[#12-]",
            "[#12-ab]",
            "[#12-ABCDEFGH]",
            "[#12-abcd efgh]",
            "[#12-ä]",
        ] {
            assert_eq!(ticket_token_from_subject(bad), None, "{bad}");
        }
        assert_eq!(
            ticket_token_from_address("s+t12-abcd1234x@h.test")
                .unwrap()
                .id,
            12
        );
        assert_eq!(ticket_token_from_address("s+t12-ab@h.test"), None);
        let secret = new_reply_secret();
        assert_eq!(secret.len(), 8);
        assert!(
            secret
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        assert_ne!(secret, new_reply_secret());
    }

    #[test]
    fn subject_token() {
        assert_eq!(id_s("Re: Printer on fire [#1234]"), Some(1234));
        assert_eq!(id_s("[#7] hello"), Some(7));
        assert_eq!(id_s("Fwd: [#12] old one [#34]"), Some(34));
        assert_eq!(id_s("Re: no token"), None);
        assert_eq!(id_s("[#] [#abc] [# 12]"), None);
        assert_eq!(id_s("[#0]"), None);
        assert_eq!(id_s("[#99999999999999999999999]"), None);
        assert_eq!(id_s("[#12"), None);
        assert_eq!(id_s("Ärger [#5] ünd"), Some(5));
    }

    #[test]
    fn address_token() {
        assert_eq!(id_a("support+t1234@helpdesk.test"), Some(1234));
        assert_eq!(id_a("<Support+T42@Helpdesk.Test>"), Some(42));
        assert_eq!(id_a("support@helpdesk.test"), None);
        assert_eq!(id_a("support+x12@helpdesk.test"), None);
        assert_eq!(id_a("support+t12a@helpdesk.test"), None);
        assert_eq!(id_a("support+t@helpdesk.test"), None);
        assert_eq!(id_a("support+t12@"), None);
        assert_eq!(id_a("support+t12"), None);
        assert_eq!(id_a(""), None);
    }
}
