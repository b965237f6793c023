//! Pure text helpers for search: splitting a query into terms, choosing the distinctive words of
//! a ticket for "similar tickets", and cutting snippets with their matches marked.

use serde::Serialize;

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

/// Every pair of adjacent characters of each word of `text` that has a non-ASCII character,
/// lowercased and separated by spaces ("환불을 요청" gives "환불 불을 요청"): what SQLite's pair
/// index holds, so a two-character word in Korean, Chinese, Japanese or Arabic is one lookup.
pub fn pairs(text: &str) -> String {
    let mut out = String::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_ascii() {
            continue;
        }
        let chars: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
        for pair in chars.windows(2) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(pair);
        }
    }
    out
}

/// Whether SQLite's pair index can answer a term: exactly two characters, not all ASCII.
pub fn pairable(term: &Term) -> bool {
    !term.phrase
        && !term.text.is_ascii()
        && term.text.chars().count() == 2
        && term.text.chars().all(char::is_alphanumeric)
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

/// How many of `words` (from [`key_words`]) occur in `text`, each by its root: "refunded"
/// counts for "refund", and a Korean word without its particle ("결제가" → "결제").
pub fn shared_words(words: &[String], text: &str) -> usize {
    let text = text.to_lowercase();
    words
        .iter()
        .filter(|w| {
            let r = root(w);
            if text.contains(r) {
                return true;
            }
            let hangul = w.chars().all(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
            let n = w.chars().count();
            hangul && n >= 3 && text.contains(&w.chars().take(n - 1).collect::<String>())
        })
        .count()
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

/// Byte ranges in `text` where any of `needles` occurs (case-insensitive), on character
/// boundaries of `text`, merged and sorted.
fn find_all(text: &str, needles: &[String]) -> Vec<(usize, usize)> {
    // Lower-case one character at a time, remembering which character of `text` each byte of the
    // lower-cased text came from: lower-casing changes the length of some characters (Ⱥ grows,
    // the Kelvin sign K shrinks), so positions in one are not positions in the other.
    let mut lower = String::with_capacity(text.len());
    let mut origin: Vec<usize> = Vec::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        for l in c.to_lowercase() {
            lower.push(l);
        }
        origin.resize(lower.len(), at);
    }
    let spans = find_in(&lower, needles).into_iter().map(|(s, e)| {
        let last = origin[e - 1];
        let end = last + text[last..].chars().next().map_or(0, char::len_utf8);
        (origin[s], end)
    });
    merge(spans.collect())
}

/// Where each of `needles` occurs in `hay` (byte ranges, unmerged).
fn find_in(hay: &str, needles: &[String]) -> Vec<(usize, usize)> {
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
    spans
}

/// Sorts ranges and joins those that touch or overlap.
fn merge(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
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

/// One run of a highlighted text: a match (`mark`) or the text between matches.
#[derive(utoipa::ToSchema, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub text: String,
    pub mark: bool,
}

/// A text cut to a window around its matches, in runs; the view escapes each run and marks the
/// matches. Leading and trailing `…` say the text goes on.
#[derive(utoipa::ToSchema, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Highlight(pub Vec<Piece>);

impl Highlight {
    fn push(&mut self, text: &str, mark: bool) {
        if !text.is_empty() {
            self.0.push(Piece {
                text: text.to_string(),
                mark,
            });
        }
    }

    /// The text without marks.
    pub fn plain(&self) -> String {
        self.0.iter().map(|p| p.text.as_str()).collect()
    }

    /// As HTML: every run escaped, the matches wrapped in `<mark>`.
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        for p in &self.0 {
            if p.mark {
                out.push_str("<mark>");
            }
            escape_into(&mut out, &p.text);
            if p.mark {
                out.push_str("</mark>");
            }
        }
        out
    }
}

fn escape_into(out: &mut String, s: &str) {
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
}

/// Whether any term occurs in `text` (as the highlighter sees it).
pub fn mentions(text: &str, terms: &[Term]) -> bool {
    !find_all(text, &needles(terms)).is_empty()
}

/// A window of about `width` characters of `text` around the first match, with the matches
/// marked. Without a match, the start of the text.
pub fn snippet(text: &str, terms: &[Term], width: usize) -> Highlight {
    let text = text.trim();
    let spans = find_all(text, &needles(terms));
    let first = spans.first().map(|s| s.0).unwrap_or(0);
    // Start a little before the first match, and end `width` characters later.
    let lead = width / 4;
    let start = match lead {
        0 => first,
        _ => text[..first]
            .char_indices()
            .rev()
            .nth(lead - 1)
            .map_or(0, |(i, _)| i),
    };
    let end = text[start..]
        .char_indices()
        .nth(width)
        .map_or(text.len(), |(i, _)| start + i);
    let mut out = Highlight::default();
    if start > 0 {
        out.push("…", false);
    }
    let mut at = start;
    for (s, e) in spans.into_iter().filter(|(s, e)| *e > start && *s < end) {
        let s = s.max(start);
        let e = e.min(end);
        out.push(&text[at..s], false);
        out.push(&text[s..e], true);
        at = e;
    }
    out.push(&text[at..end], false);
    if end < text.len() {
        out.push("…", false);
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

    #[test]
    fn pairs_of_non_ascii_words() {
        assert_eq!(pairs("환불을 요청 refund"), "환불 불을 요청");
        assert_eq!(pairs("ÉTÉ, 결"), "ét té");
        assert_eq!(pairs("plain ascii only"), "");
        assert!(pairable(&terms("결제")[0]));
        assert!(!pairable(&terms("결제가")[0]));
        assert!(!pairable(&terms("ok")[0]));
    }

    #[test]
    fn shared_words_count_roots() {
        let words = key_words("Refunded order never arrived; 결제가 실패했어요", 12);
        assert_eq!(
            shared_words(&words, "How to refund an order that never arrived"),
            4
        );
        assert_eq!(shared_words(&words, "결제 오류"), 1);
        assert_eq!(shared_words(&words, "Password reset"), 0);
    }

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
        let s = snippet("<b>We</b> refunded the order & closed it", &t, 200).to_html();
        assert_eq!(
            s,
            "&lt;b&gt;We&lt;/b&gt; <mark>refund</mark>ed the order &amp; closed it"
        );
        let s = snippet(
            "스팸 폴더를 확인해 주세요. 새 재설정 링크",
            &terms("재설정"),
            200,
        )
        .to_html();
        assert!(s.contains("<mark>재설정</mark>"), "{s}");
        let long = format!("{} needle {}", "x ".repeat(200), "y ".repeat(200));
        let s = snippet(&long, &terms("needle"), 40).to_html();
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("<mark>needle</mark>"));
    }

    #[test]
    fn characters_that_change_length_when_lower_cased_are_marked_whole() {
        // Ⱥ grows and the Kelvin sign shrinks when lower-cased: equal lengths by coincidence.
        let text = "ȺȺ\u{212A} k zebra";
        let s = snippet(text, &terms("k"), 200);
        assert_eq!(s.plain(), text);
        let marked: Vec<&str> =
            s.0.iter()
                .filter(|p| p.mark)
                .map(|p| p.text.as_str())
                .collect();
        assert_eq!(marked, vec!["\u{212A}", "k"]);
        let s = snippet(
            "ȺȺ\u{212A} giraffe printer",
            &terms("Ⱥ giraffe printer"),
            200,
        );
        assert!(s.to_html().starts_with("<mark>ȺȺ</mark>"), "{s:?}");
        assert!(mentions("İstanbul office", &terms("İstanbul")));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]
        #[test]
        fn snippets_never_panic_and_keep_the_text(
            text in "(\\PC|[ȺȾİẞΣς\u{212A}\u{2126} ]){0,60}",
            query in "(\\PC|[ȺȾİẞΣς\u{212A}\u{2126} ]){0,12}",
            width in 0usize..80,
        ) {
            let s = snippet(&text, &terms(&query), width);
            let plain = s.plain();
            let inner = plain.trim_start_matches('…').trim_end_matches('…');
            proptest::prop_assert!(text.trim().contains(inner));
            let _ = mentions(&text, &terms(&query));
            let _ = s.to_html();
        }
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
