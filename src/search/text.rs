//! Pure text helpers for search: splitting a query into terms, choosing the distinctive words of
//! a ticket for "similar tickets", and cutting highlighted snippets (escaped first, then marked).

/// Words too common to say anything about a ticket (English; other languages pass through).
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
    "been", "but", "by", "can", "cannot", "could", "did", "do", "does", "for", "from", "get",
    "got", "had", "has", "have", "hello", "hi", "how", "i", "if", "in", "into", "is", "it", "its",
    "just", "me", "my", "no", "not", "now", "of", "on", "or", "our", "please", "so", "some",
    "thanks", "that", "the", "their", "them", "then", "there", "this", "to", "up", "us", "was",
    "we", "were", "what", "when", "which", "who", "why", "will", "with", "would", "you", "your",
];

/// One search term: a word, or a quoted phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub phrase: bool,
}

/// Splits a query into terms: `"quoted phrases"` stay together, other words split on whitespace
/// and lose surrounding punctuation. Lowercased.
pub fn terms(query: &str) -> Vec<Term> {
    let mut out = Vec::new();
    let mut rest = query;
    while let Some(start) = rest.find('"') {
        words_into(&rest[..start], &mut out);
        let after = &rest[start + 1..];
        match after.find('"') {
            Some(end) => {
                let phrase = clean(&after[..end]);
                if phrase.contains(' ') {
                    out.push(Term {
                        text: phrase,
                        phrase: true,
                    });
                } else {
                    words_into(&phrase, &mut out);
                }
                rest = &after[end + 1..];
            }
            None => {
                rest = after;
            }
        }
    }
    words_into(rest, &mut out);
    out.dedup();
    out.truncate(32);
    out
}

fn clean(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn words_into(s: &str, out: &mut Vec<Term>) {
    for w in s.split_whitespace() {
        let w = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        if !w.is_empty() && !out.iter().any(|t| t.text == w) {
            out.push(Term {
                text: w,
                phrase: false,
            });
        }
    }
}

/// The distinctive words of a text (subject and first message), for a "more like this" query:
/// stop words and very short Latin words dropped, longest first, at most `max`.
pub fn key_words(text: &str, max: usize) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        let w = w.to_lowercase();
        let latin = w.is_ascii();
        if w.is_empty()
            || (latin && w.chars().count() < 3)
            || STOP_WORDS.contains(&w.as_str())
            || w.chars().all(|c| c.is_ascii_digit())
            || words.contains(&w)
        {
            continue;
        }
        words.push(w);
    }
    words.truncate(max * 2);
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    words.truncate(max);
    words
}

/// The root of an English word for highlighting ("refunded" → "refund"), so a stemmed match is
/// marked too. Other scripts are matched as written.
fn root(word: &str) -> &str {
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(r) = word.strip_suffix(suffix)
            && r.chars().count() >= 4
            && r.is_ascii()
        {
            return r;
        }
    }
    word
}

/// Byte ranges in `text` where any of `needles` occurs (case-insensitive), merged and sorted.
fn find_all(text: &str, needles: &[String]) -> Vec<(usize, usize)> {
    let lower = text.to_lowercase();
    // Lowercasing can change byte lengths outside ASCII; only use positions when it did not.
    if lower.len() != text.len() {
        return find_exact(text, needles);
    }
    find_exact_in(&lower, needles)
}

fn find_exact(text: &str, needles: &[String]) -> Vec<(usize, usize)> {
    find_exact_in(text, needles)
}

fn find_exact_in(hay: &str, needles: &[String]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for n in needles.iter().filter(|n| !n.is_empty()) {
        let mut from = 0;
        while let Some(i) = hay[from..].find(n.as_str()) {
            let start = from + i;
            let end = start + n.len();
            spans.push((start, end));
            from = end;
        }
    }
    spans.sort();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

fn needles(terms: &[Term]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in terms {
        if t.phrase {
            out.push(t.text.clone());
        } else {
            out.push(root(&t.text).to_string());
        }
    }
    out
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether any term occurs in `text` (as the highlighter sees it).
pub fn mentions(text: &str, terms: &[Term]) -> bool {
    !find_all(text, &needles(terms)).is_empty()
}

/// A window of about `width` characters of `text` around the first match, as HTML: the text is
/// escaped first, then matches are wrapped in `<mark>`. Without a match, the start of the text.
pub fn snippet(text: &str, terms: &[Term], width: usize) -> String {
    let text = text.trim();
    let spans = find_all(text, &needles(terms));
    let first = spans.first().map(|s| s.0).unwrap_or(0);
    // Start a little before the first match, on a character boundary.
    let lead = width / 4;
    let mut start = first;
    let mut back = 0;
    while start > 0 && back < lead {
        start -= 1;
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        back += 1;
    }
    let mut end = start;
    let mut taken = 0;
    while end < text.len() && taken < width {
        end += 1;
        while !text.is_char_boundary(end) {
            end += 1;
        }
        taken += 1;
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    for (s, e) in spans.into_iter().filter(|(s, e)| *e > start && *s < end) {
        let s = s.max(start);
        let e = e.min(end);
        out.push_str(&escape(&text[at..s]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[s..e]));
        out.push_str("</mark>");
        at = e;
    }
    out.push_str(&escape(&text[at..end]));
    if end < text.len() {
        out.push('…');
    }
    out
}

/// Fills a saved reply's placeholders.
pub fn fill_placeholders(body: &str, customer: &str, ticket: i64, agent: &str) -> String {
    body.replace("{{customer.name}}", customer)
        .replace("{{ticket.number}}", &ticket.to_string())
        .replace("{{agent.name}}", agent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_split_into_words_and_phrases() {
        let t = terms(r#"Refund "credit card" 결제가, a"#);
        let texts: Vec<_> = t.iter().map(|t| (t.text.as_str(), t.phrase)).collect();
        assert_eq!(
            texts,
            vec![
                ("refund", false),
                ("credit card", true),
                ("결제가", false),
                ("a", false)
            ]
        );
        assert!(terms("  ").is_empty());
        assert_eq!(terms("\"unclosed phrase").len(), 2);
    }

    #[test]
    fn snippets_escape_then_mark() {
        let t = terms("refund");
        let s = snippet("<b>We</b> refunded the order & closed it", &t, 200);
        assert_eq!(
            s,
            "&lt;b&gt;We&lt;/b&gt; <mark>refund</mark>ed the order &amp; closed it"
        );
        let s = snippet(
            "스팸 폴더를 확인해 주세요. 새 재설정 링크",
            &terms("재설정"),
            200,
        );
        assert!(s.contains("<mark>재설정</mark>"), "{s}");
        let long = format!("{} needle {}", "x ".repeat(200), "y ".repeat(200));
        let s = snippet(&long, &terms("needle"), 40);
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("<mark>needle</mark>"));
    }

    #[test]
    fn key_words_skip_stop_words() {
        let k = key_words("How do I add a team member? We hired someone new.", 4);
        assert!(k.contains(&"member".to_string()));
        assert!(!k.iter().any(|w| w == "how" || w == "do" || w == "a"));
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill_placeholders(
                "Hi {{customer.name}}, about #{{ticket.number}} — {{agent.name}}",
                "Maria",
                42,
                "Dana"
            ),
            "Hi Maria, about #42 — Dana"
        );
    }
}
