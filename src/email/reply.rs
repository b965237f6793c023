//! Reply trimming: the part of a plain-text email its sender newly wrote, without the quoted
//! history, forwarded headers and signature below it. Explainable line rules, no statistics.
//!
//! Each line is classified (empty, text, `>` quote, signature delimiter, "Sent from my …" line,
//! decorative separator), and three multi-line markers are recognised: a quote header ("On …,
//! X wrote:" in many languages, also when wrapped over several lines), a forward/original-message
//! banner, and a block of mail headers ("From: … Sent: … To: … Subject: …"). Then, from the top:
//!
//! 1. Before any new text, a marker is history the sender left on top: it is dropped, and so is
//!    the quote it introduces when new text follows the quote (bottom-posting; a quote that opens
//!    with its own "On … wrote:" counts the same). A marker over unquoted content (a forwarded
//!    message) only loses the marker: the content is what was sent.
//! 2. After new text, a marker ends the reply — unless it introduces a quote that is followed by
//!    more new text: that is an interleaved answer, so only the marker line goes and the quote
//!    stays as context for the answers.
//! 3. A signature delimiter (`-- `) or a "Sent from my iPhone"-style line ends the reply. A
//!    separator line (`_____`, `=====`, …) ends it when nothing but history or a short footer
//!    follows.
//! 4. Trailing quotes go when there is new text above them; a message that is only a quote
//!    keeps it (we cannot tell what is new).
//!
//! Code between ``` fences is never trimmed, and the tail of a long quoted line that the
//! client re-wrapped without its `>` stays part of the quote.

use regex::{Regex, RegexSet};
use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The forwarded message under a sender's own words ("FYI" over "---------- Forwarded message
/// ----------"), banner included: not part of the reply, but its content, to be shown with it
/// (marked as forwarded) rather than hidden with the quoted history. None when nothing was
/// forwarded below new text.
pub fn forwarded_part(text: &str) -> Option<String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.split('\n').take(MAX_LINES).collect();
    let mut seen_text = false;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('>') {
            continue;
        }
        if is_forward(line) {
            if !seen_text {
                return None;
            }
            let part = trim_lines(&lines[i..]);
            return (!part.is_empty()).then_some(part);
        }
        if is_quote_header(line) || is_mobile_signature(trimmed) || trimmed == "--" {
            return None;
        }
        seen_text = true;
    }
    None
}

/// Returns the newly written part of a plain-text reply (see the module docs for the rules).
/// Lines keep their indentation; trailing spaces and leading/trailing blank lines are removed.
pub fn visible_reply(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let lines: Vec<&str> = text.split('\n').collect();
    if lines.len() > MAX_LINES {
        // Only the top of a huge text is examined; when it holds no history, nothing is cut.
        let (visible, cut) = Doc::new(&lines[..MAX_LINES]).visible();
        if !cut {
            return trim_lines(&lines);
        }
        return visible;
    }
    Doc::new(&lines).visible().0
}

/// Texts longer than this are trimmed only when their history starts within these lines;
/// it bounds the work one message can cause.
const MAX_LINES: usize = 20_000;

fn trim_lines(lines: &[&str]) -> String {
    let trimmed: Vec<&str> = lines.iter().map(|l| l.trim_end()).collect();
    let start = trimmed.iter().position(|l| !l.is_empty()).unwrap_or(0);
    let end = trimmed
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(start, |e| e + 1);
    trimmed[start..end].join("\n")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Empty,
    Text,
    Quote,
    SigDelimiter,
    MobileSignature,
    Separator,
}

/// A run of lines that introduces history; `end` is exclusive.
#[derive(Clone, Copy, Debug)]
struct Marker {
    end: usize,
}

struct Doc<'a> {
    lines: &'a [&'a str],
    kinds: Vec<Kind>,
    in_fence: Vec<bool>,
    /// `text_from[i]`: number of text lines at `i` or later.
    text_from: Vec<usize>,
    /// `filled_from[i]`: number of non-empty lines at `i` or later.
    filled_from: Vec<usize>,
    /// The marker starting at each line, worked out when first asked: most messages are cut
    /// near the top, and the history below is never examined.
    markers: Vec<OnceCell<Option<Marker>>>,
    fields: Vec<OnceCell<Option<Field>>>,
}

impl<'a> Doc<'a> {
    fn new(lines: &'a [&'a str]) -> Self {
        let mut kinds = Vec::with_capacity(lines.len());
        let mut in_fence = Vec::with_capacity(lines.len());
        let mut fenced = false;
        for line in lines {
            let is_fence = line.trim_start().starts_with("```");
            // Code keeps its `#`, `--` and `>` lines: inside a fence everything is text.
            if fenced || is_fence {
                kinds.push(if line.trim().is_empty() {
                    Kind::Empty
                } else {
                    Kind::Text
                });
                in_fence.push(true);
            } else {
                kinds.push(classify_line(line));
                in_fence.push(false);
            }
            if is_fence {
                fenced = !fenced;
            }
        }
        // A quoted line the sender's client re-wrapped leaves its tail without the `>`:
        // "> … Nullam pharetra d" / "ignissim odio?" / "> …". Such a line, sandwiched between
        // quote lines and continuing a long one, is part of the quote, not an answer.
        for i in 1..lines.len().saturating_sub(1) {
            if kinds[i] == Kind::Text
                && !in_fence[i]
                && kinds[i - 1] == Kind::Quote
                && kinds[i + 1] == Kind::Quote
                && continues_wrapped_quote(strip_quote(lines[i - 1]), lines[i].trim_start())
            {
                kinds[i] = Kind::Quote;
            }
        }
        let mut text_from = vec![0; lines.len() + 1];
        let mut filled_from = vec![0; lines.len() + 1];
        for i in (0..lines.len()).rev() {
            text_from[i] = text_from[i + 1] + usize::from(kinds[i] == Kind::Text);
            filled_from[i] = filled_from[i + 1] + usize::from(kinds[i] != Kind::Empty);
        }
        Doc {
            markers: vec![OnceCell::new(); lines.len()],
            fields: vec![OnceCell::new(); lines.len()],
            lines,
            kinds,
            in_fence,
            text_from,
            filled_from,
        }
    }

    fn len(&self) -> usize {
        self.lines.len()
    }

    /// The kept text, and whether anything below it was cut off.
    fn visible(&self) -> (String, bool) {
        let mut keep: Vec<usize> = Vec::new();
        // The sender's last words when a quote header follows them on the same line.
        let mut tail: Option<&str> = None;
        let mut seen_text = false;
        let mut i = 0;
        let cut = loop {
            if i >= self.len() {
                break false;
            }
            let kind = self.kinds[i];
            if kind == Kind::Empty {
                keep.push(i);
                i += 1;
                continue;
            }
            if !seen_text && kind == Kind::Quote && self.starts_quoted_history(i) {
                // A reply whose quote opens with its own "On … wrote:" is history on top.
                let end = self.quote_block_end(i);
                if self.text_follows(end) {
                    i = end;
                    continue;
                }
                break true;
            }
            if let Some(marker) = self.marker_at(i) {
                let after = self.skip_empty(marker.end);
                let quoted = after < self.len() && self.kinds[after] == Kind::Quote;
                let quote_end = if quoted {
                    self.quote_block_end(after)
                } else {
                    after
                };
                if !seen_text {
                    if !quoted {
                        // A forwarded message with nothing above it: keep what was forwarded.
                        i = marker.end;
                        continue;
                    }
                    if self.text_follows(quote_end) {
                        i = quote_end;
                        continue;
                    }
                    tail = words_before_header(self.lines[i]);
                    break true;
                }
                if quoted && self.text_follows(quote_end) && !self.only_sign_off_at(quote_end) {
                    // Interleaved answers: the quote is their context. A short sign-off under
                    // the quote ("Regards, Roman") answers nothing: the reply ends here.
                    i = marker.end;
                    continue;
                }
                tail = words_before_header(self.lines[i]);
                break true;
            }
            match kind {
                Kind::SigDelimiter | Kind::MobileSignature => break true,
                Kind::Separator if self.separator_ends_reply(i) => break true,
                Kind::Text => {
                    seen_text = true;
                    keep.push(i);
                }
                _ => keep.push(i),
            }
            i += 1;
        };

        let has_text = keep.iter().any(|&k| self.kinds[k] == Kind::Text);
        self.drop_trailing_history(&mut keep, has_text);
        if tail.is_none()
            && let Some(at) = self.sign_off_block(&keep)
        {
            keep.truncate(at);
            self.drop_trailing_history(&mut keep, has_text);
        }
        let first = keep
            .iter()
            .position(|&k| self.kinds[k] != Kind::Empty)
            .unwrap_or(keep.len());
        let mut text = keep[first..]
            .iter()
            .map(|&k| self.lines[k].trim_end())
            .collect::<Vec<_>>()
            .join("\n");
        if let Some(words) = tail {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(words);
        }
        (text, cut)
    }

    /// Blank lines, separators and (under new text) quotes at the end are not part of the reply.
    fn drop_trailing_history(&self, keep: &mut Vec<usize>, has_text: bool) {
        while let Some(&last) = keep.last() {
            match self.kinds[last] {
                Kind::Empty | Kind::Separator => {}
                Kind::Quote if has_text && !self.in_fence[last] => {}
                _ => break,
            }
            keep.pop();
        }
    }

    /// Where a signature written without a `-- ` delimiter begins among the kept lines (a
    /// position in `keep`), if the reply ends with one:
    /// - a contact block: a closing phrase on a line of its own ("Best regards,", "Regards,
    ///   Roman", "감사합니다.") or a name after a blank line, then short lines of which at least
    ///   one is a phone number, web address or mail address (name, title, phone, URL);
    /// - a dash glued to a name ("-Lev.", "-Abhishek Kona").
    ///
    /// A closing phrase and a name alone ("Thanks,\nAnn") stay: they are the sender's words.
    /// Only the last few short lines are looked at, never the reply's first line, and never
    /// quotes or code: a phone number inside the reply's own sentences stays.
    fn sign_off_block(&self, keep: &[usize]) -> Option<usize> {
        let filled: Vec<usize> = (0..keep.len())
            .filter(|&p| self.kinds[keep[p]] != Kind::Empty)
            .collect();
        let mut from = filled.len();
        while from > 1 && filled.len() - from < SIGNATURE_MAX_LINES {
            let k = keep[filled[from - 1]];
            if self.kinds[k] != Kind::Text
                || self.in_fence[k]
                || self.lines[k].trim().chars().count() > SIGNATURE_LINE_MAX
            {
                break;
            }
            from -= 1;
        }
        let line = |f: usize| self.lines[keep[filled[f]]].trim();
        // What follows an opener is a name, a title, an address: short, no questions.
        let signature_like = |f: usize| {
            (f..filled.len()).all(|g| {
                let l = line(g);
                l.split_whitespace().count() <= 8 && !l.ends_with(['?', '？'])
            })
        };
        let has_contact = |f: usize| (f + 1..filled.len()).any(|g| is_contact_line(line(g)));
        for f in from..filled.len() {
            if !signature_like(f + 1) {
                continue;
            }
            let p = filled[f];
            let dash_name = is_dash_name(line(f)) && !line(f - 1).starts_with('-');
            let sign_off = is_sign_off_line(line(f)) && has_contact(f);
            let after_blank = self.kinds[keep[p - 1]] == Kind::Empty;
            let contact_block = after_blank
                && (2..=6).contains(&(filled.len() - f))
                && is_name_line(line(f))
                && has_contact(f);
            if dash_name || sign_off || contact_block {
                return Some(p);
            }
        }
        None
    }

    fn skip_empty(&self, mut i: usize) -> usize {
        while i < self.len() && self.kinds[i] == Kind::Empty {
            i += 1;
        }
        i
    }

    /// First line after the quote block starting at `i` (quotes and blank lines between them).
    fn quote_block_end(&self, mut i: usize) -> usize {
        while i < self.len() && matches!(self.kinds[i], Kind::Quote | Kind::Empty) {
            i += 1;
        }
        i
    }

    /// Whether new text comes at `i` once blank lines and quotes are skipped.
    fn text_follows(&self, i: usize) -> bool {
        let j = self.quote_block_end(i);
        j < self.len() && self.kinds[j] == Kind::Text && self.marker_at(j).is_none()
    }

    /// Whether what starts at `i` (after blank lines) is only a short sign-off to the end of the
    /// message: a closing phrase or a name, no more than four short lines, nothing quoted after.
    fn only_sign_off_at(&self, i: usize) -> bool {
        let start = self.skip_empty(i);
        let mut lines = Vec::new();
        for j in start..self.len() {
            match self.kinds[j] {
                Kind::Empty => {}
                Kind::Text if self.marker_at(j).is_none() && !self.in_fence[j] => {
                    lines.push(self.lines[j].trim());
                }
                Kind::SigDelimiter | Kind::MobileSignature => break,
                _ => return false,
            }
            if lines.len() > 4 {
                return false;
            }
        }
        let Some(first) = lines.first() else {
            return false;
        };
        if lines.iter().any(|l| l.chars().count() > 60) {
            return false;
        }
        let short_name = |l: &&str| {
            l.chars().count() <= 30
                && !l.contains(['?', '!', ':'])
                && l.split_whitespace().count() <= 4
                && !l.ends_with('.')
        };
        SIGN_OFF.is_match(first) || (lines.len() <= 2 && lines.iter().all(short_name))
    }

    fn starts_quoted_history(&self, i: usize) -> bool {
        let previous = (0..i).rev().find(|&j| self.kinds[j] != Kind::Empty);
        if previous.is_some_and(|j| self.kinds[j] == Kind::Quote) {
            return false;
        }
        let content = strip_quote(self.lines[i]);
        is_quote_header(content) || is_forward_banner(content)
    }

    fn separator_ends_reply(&self, i: usize) -> bool {
        let next = self.skip_empty(i + 1);
        if next >= self.len() || self.text_from[next] == 0 || self.marker_at(next).is_some() {
            return true;
        }
        // Outlook and mailing-list footers hang below a line of underscores.
        let underscores = self.lines[i].trim().starts_with("__");
        underscores && self.filled_from[next] <= FOOTER_MAX_LINES
    }

    /// A quote header, forward banner or header block starting at line `i`.
    fn marker_at(&self, i: usize) -> Option<Marker> {
        let cell = self.markers.get(i)?;
        *cell.get_or_init(|| self.find_marker(i))
    }

    fn find_marker(&self, i: usize) -> Option<Marker> {
        if self.in_fence[i] || self.kinds[i] != Kind::Text {
            return None;
        }
        let line = self.lines[i];
        if line.len() > MAX_MARKER_LINE {
            return None;
        }
        if is_forward_banner(line) || is_quote_header(line) {
            return Some(Marker { end: i + 1 });
        }
        if let Some(end) = self.wrapped_quote_header(i) {
            return Some(Marker { end });
        }
        // A header block is only measured from the first line of a run of header lines, so
        // ten thousand "From:" lines cost ten thousand checks, not a hundred million.
        let inside_run = i > 0
            && (self.field(i - 1).is_some()
                || (i > 1 && self.kinds[i - 1] == Kind::Text && self.field(i - 2).is_some()));
        if inside_run {
            return None;
        }
        self.header_block(i).map(|end| Marker { end })
    }

    fn field(&self, i: usize) -> Option<Field> {
        let cell = self.fields.get(i)?;
        *cell.get_or_init(|| {
            if self.in_fence[i] {
                None
            } else {
                header_field(self.lines[i])
            }
        })
    }

    /// "On Mon, 1 Feb 2016 at 18:32, Jeff <jeff@example.com>\nwrote:" and other quote headers
    /// that a client wrapped over up to five lines.
    fn wrapped_quote_header(&self, i: usize) -> Option<usize> {
        let first = clean(self.lines[i]);
        if first.chars().count() > 250 || !could_start_quote_header(&first) {
            return None;
        }
        let mut joined = first;
        for j in i + 1..(i + WRAP_WINDOW).min(self.len()) {
            if self.in_fence[j] {
                return None;
            }
            let part = clean(self.lines[j]);
            if part.is_empty() {
                continue;
            }
            let raw = self.lines[j].trim_start();
            if part.chars().count() > 200
                || (raw.starts_with('>') && part.chars().count() > 40)
                || ends_sentence(&joined)
                || (starts_quote_header(&part) && is_quote_header(&part))
            {
                // Running text, or a header of its own: "On this day / I wrote something /
                // which was very interesting. / On 28 Jan 2016, Ann wrote:" is not one header.
                return None;
            }
            joined.push(' ');
            joined.push_str(part.trim_start_matches(['>', ' ']));
            if is_quote_header(&joined) {
                return Some(j + 1);
            }
        }
        None
    }

    /// "From: … / Sent: … / To: … / Subject: …" (any of the languages in `HEADER_NAMES`)
    /// starting at line `i`; returns where it ends.
    fn header_block(&self, i: usize) -> Option<usize> {
        self.field(i)?;
        let mut found = Vec::new();
        let mut j = i;
        while j < self.len() && !self.in_fence[j] {
            if let Some(field) = self.field(j) {
                found.push(field);
                j += 1;
            } else if !found.is_empty()
                && self.kinds[j] == Kind::Text
                && self.field(j + 1).is_some()
            {
                // A long subject wrapped onto its own line.
                j += 1;
            } else {
                break;
            }
        }
        let has = |f: Field| found.contains(&f);
        let enough = found.len() >= 3 || (found.len() == 2 && has(Field::Date));
        let shaped =
            has(Field::From) && (has(Field::Date) || has(Field::To) || has(Field::Subject));
        (enough && shaped).then_some(j)
    }
}

/// A separator followed by at most this many lines is a footer, not part of the reply.
const FOOTER_MAX_LINES: usize = 10;
/// Quote headers and header fields are short; longer lines are never markers.
const MAX_MARKER_LINE: usize = 1000;
/// Lines a wrapped quote header may span.
const WRAP_WINDOW: usize = 6;

fn classify_line(line: &str) -> Kind {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return Kind::Empty;
    }
    if is_quote(line) {
        return Kind::Quote;
    }
    if trimmed == "--" {
        return Kind::SigDelimiter;
    }
    if is_mobile_signature(trimmed) {
        return Kind::MobileSignature;
    }
    if is_separator(trimmed) {
        return Kind::Separator;
    }
    Kind::Text
}

/// `> quoted`, and Supercite's `Name> quoted`.
fn is_quote(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with('>') {
        return true;
    }
    let letters = t.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    (1..=10).contains(&letters)
        && t[letters..].starts_with('>')
        && t[letters + 1..].chars().next().is_none_or(|c| c == ' ')
}

fn strip_quote(line: &str) -> &str {
    let t = line.trim_start();
    let letters = t.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    let t = if !t.starts_with('>') && t[letters..].starts_with('>') {
        &t[letters..]
    } else {
        t
    };
    t.trim_start_matches(['>', ' ', '\t'])
}

/// A line drawn with `-_=+~#*` and friends (`ᐧ` is the invisible character Gmail's tracking
/// extensions leave on a line of its own).
fn is_separator(trimmed: &str) -> bool {
    const DRAWING: &[char] = &['-', '_', '=', '+', '~', '#', '*', 'ᐧ', '—', '–', '•'];
    let mut count = 0;
    for c in trimmed.chars() {
        if DRAWING.contains(&c) {
            count += 1;
        } else if c != ' ' && c != '\t' {
            return false;
        }
    }
    count >= 2 || trimmed == "ᐧ" || trimmed == "—"
}

/// Removes invisible formatting characters (zero-width spaces, direction marks) and turns
/// non-breaking spaces into spaces, so patterns see what a reader sees.
fn clean(line: &str) -> String {
    line.chars()
        .filter(|c| !is_format_char(*c))
        .map(|c| if c == '\u{a0}' { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

fn is_format_char(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{061c}')
}

// The patterns are compiled once; they are constants, not state.
fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("reply pattern compiles")
}

/// "wrote" in the languages our customers write in. Order matters where one is a prefix of
/// another (`napisał(a)` before `napisał`).
const WROTE: &str = r"(?:wrote|writes|a\s+écrit|écrit|schrieb|geschrieben|het\s+volgende\s+geschreven|geschreven|schreef|đã\s+viết|escribió|escreveu|ha\s+scritto|scrisse|skrev|kirjoitti|napisał\(a\)|napisała|napisał|napsal\(a\)|napsala|napsal|написал\(а\)|написала|написал|написав|пише|írta|yazdı|έγραψε|a\s+scris|كتب)";
/// The same for scripts without word boundaries (Chinese, Japanese, Korean).
const WROTE_CJK: &str = r"(?:写道|寫道|のメッセージ|님이\s*작성|님이\s*씀|が書きました)";

/// "… wrote:" at the end of the line.
static WROTE_AT_END: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?i)(?:\b{WROTE}|{WROTE_CJK})\s*[:：]?\s*-*\s*$")));
/// "… skrev Name <addr>:" — verb, then the author, then a colon (Nordic, Dutch, German).
static WROTE_THEN_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?i)\b{WROTE}\s+\S.{{0,150}}[:：]\s*$")));
/// Gmail in many languages: a date, the author's address, a colon; no verb.
static DATE_THEN_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^(?:\p{L}{1,12}\.?,?\s+)?\d.{0,150}<\s*[^<>\s@]+@[^<>\s]+\s*>\s*[:：]?\s*$")
});
/// Old Gmail: "2016-03-03 17:21 GMT+01:00 Some One".
static ISO_GMT_NAME: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}\s+GMT[+-]\d{1,2}:?\d{2}\s+\S.{0,100}$")
});
/// "---- Ann Example wrote ----" (the dashes stand in for the date).
static DASHED_WROTE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)^-{{2,}}\s*\S.{{0,100}}\s(?:{WROTE})\s*[:：]?\s*-{{2,}}$"
    ))
});
/// "On <date>, <name> <address> sent:".
static SENT_HEADER: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^(?:on|am|le|el|em|op)\s.{0,300}\bsent\s*[:：]\s*$"));
static POSTED_BY: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^Posted by .{1,80} on \d{1,2}/\d{1,2}/\d{2,4}$"));
/// Closing phrases that open a sign-off ("Regards,", "Thanks, Ann", "Mit freundlichen Grüßen").
const SIGN_OFF_PHRASES: &str = r"(?:best|kind|warm|many)?\s*(?:regards|wishes)|best|cheers|thanks|thank you|thx|ta|sincerely|yours(?: truly| sincerely)?|greetings|take care|all the best|br|mfg|(?:mit )?(?:freundlichen|besten|vielen)?\s*(?:grüßen|grüssen|gruß|gruss|dank)|viele grüße|lg|cordialement|bien à vous|merci|salutations|saludos|atentamente|gracias|un saludo|cumprimentos|obrigad[oa]|atenciosamente|cordiali saluti|saluti|grazie|met vriendelijke groet(?:en)?|groet(?:en|jes)?|bedankt|hälsningar|mvh|med vänlig hälsning|tack|pozdrawiam|dziękuję|с уважением|спасибо|saygılarımla|teşekkürler|감사합니다|고맙습니다|수고하세요|よろしくお願いします|よろしくお願いいたします|ありがとうございます|谢谢|謝謝|此致|شكرا|مع تحياتي|تحياتي";
static SIGN_OFF: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?i)^(?:{SIGN_OFF_PHRASES})\b[\s,.!]*")));

/// Lines a signature without a delimiter may span, and how long each may be.
const SIGNATURE_MAX_LINES: usize = 8;
const SIGNATURE_LINE_MAX: usize = 60;

/// A closing phrase alone on its line, or followed by a name: "Thanks!", "Best regards,",
/// "Regards, Roman". "Thanks for the help" is a sentence, not a sign-off.
fn is_sign_off_line(line: &str) -> bool {
    let line = clean(line);
    let Some(m) = SIGN_OFF.find(line.trim()) else {
        return false;
    };
    let rest = line.trim()[m.end()..].trim();
    rest.is_empty() || (m.as_str().contains(',') && is_name_line(rest))
}

/// "-Lev.", "-Abhishek Kona": a dash glued to a capitalised name (a list item has a space).
fn is_dash_name(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("--").or_else(|| line.strip_prefix('-')) else {
        return false;
    };
    rest.starts_with(|c: char| c.is_uppercase()) && is_name_line(rest)
}

/// A person's name: one to four words, each capitalised (or in a script without case), no
/// digits, nothing that ends a sentence or a question.
fn is_name_line(line: &str) -> bool {
    let line = line.trim().trim_end_matches('.');
    let words: Vec<&str> = line.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 4
        && line.chars().count() <= 40
        && !line.contains(|c: char| c.is_numeric() || "?!:;@/()<>\"".contains(c))
        && words.iter().all(|w| {
            w.chars()
                .find(|c| c.is_alphabetic())
                .is_some_and(|c| c.is_uppercase() || !c.is_lowercase())
        })
}

/// A line of contact details: a phone number (with or without a "Tel:" label), a web address
/// or a mail address.
fn is_contact_line(line: &str) -> bool {
    static PHONE: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)^(?:(?:tel|phone|mobile|mob|cell|fax|direct|office|m|t|p|f|d|o)\.?\s*[:.]?\s*)?\+?[\d\s().\-/]{7,24}$",
        )
    });
    static WEB: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(?:^|\s|\|)(?:https?://|www\.)\S+$"));
    let line = clean(line);
    let line = line.trim();
    let digits = line.chars().filter(char::is_ascii_digit).count();
    (PHONE.is_match(line) && digits >= 7)
        || WEB.is_match(line)
        || (EMAIL.is_match(line) && line.split_whitespace().count() <= 3)
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| re(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"));
static TIME: LazyLock<Regex> = LazyLock::new(|| re(r"\b\d{1,2}[:.h]\d{2}\b"));
static YEAR: LazyLock<Regex> = LazyLock::new(|| re(r"(?:^|\D)\d{4}(?:\D|$)"));
static DATE: LazyLock<Regex> = LazyLock::new(|| re(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}"));
/// Words quote headers start with: On, Am, Le, El, Em, Op, Il, Den, W dniu, 在 …
static INTRO: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^(?:on|at|am|le|el|em|op|il|den|på|dnia|w dniu|dňa|dne|in message|в|在)\s")
});
static STARTS_WITH_DATE: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:\p{L}{1,12}\.?,?\s+)?\d"));
static HAS_WROTE: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"(?i)\b{WROTE}|{WROTE_CJK}")));

/// "On <date>, <name> wrote:" and its relatives. Needs a "wrote" verb (or one of the two
/// verb-less Gmail shapes) *and* a date, time or address, so "Something wrote:" in running
/// text is not a header.
fn is_quote_header(line: &str) -> bool {
    let line = clean(line);
    if DASHED_WROTE.is_match(line.trim()) {
        return true;
    }
    let line = line
        .trim_start_matches(['*', '-', '–', '—', ' '])
        .trim_end_matches(['*', ' ']);
    if line.is_empty() || line.len() > 400 {
        return false;
    }
    if ISO_GMT_NAME.is_match(line) || POSTED_BY.is_match(line) {
        return true;
    }
    // "On <date>, Ann <ann@example.com> sent:": "sent" only with an intro and an address.
    if SENT_HEADER.is_match(line) && EMAIL.is_match(line) {
        return true;
    }
    let dated = TIME.is_match(line) || YEAR.is_match(line) || DATE.is_match(line);
    let evidence = dated || EMAIL.is_match(line);
    if !evidence {
        return false;
    }
    if WROTE_AT_END.is_match(line) || WROTE_THEN_NAME.is_match(line) {
        return true;
    }
    (YEAR.is_match(line) || DATE.is_match(line)) && DATE_THEN_ADDRESS.is_match(line)
}

/// Only lines that can begin a quote header may have the next lines joined to them: an intro
/// word ("On", "Am", "Le" …), a leading date, or a "wrote" verb ("Max <m@x> schrieb am …").
fn could_start_quote_header(line: &str) -> bool {
    starts_quote_header(line) || HAS_WROTE.is_match(line)
}

/// Opens like a quote header: an intro word or a leading date.
fn starts_quote_header(line: &str) -> bool {
    let line = line.trim_start_matches(['*', '-', '–', '—', ' ']);
    let dated = TIME.is_match(line) || YEAR.is_match(line) || DATE.is_match(line);
    INTRO.is_match(line) || (STARTS_WITH_DATE.is_match(line) && dated)
}

/// Ends like a sentence ("…interesting.", "…?"), which a wrapped header line never does; an
/// abbreviation ("Apr.", "28.") does not count.
fn ends_sentence(text: &str) -> bool {
    let text = text.trim_end();
    if text.ends_with(['!', '?']) {
        return true;
    }
    let Some(rest) = text.strip_suffix('.') else {
        return false;
    };
    let word = rest
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    word.chars().count() >= 5
}

/// `next` carries on a long quoted line that the client wrapped: it starts in lower case, or
/// the quoted line stops mid-sentence.
fn continues_wrapped_quote(quoted: &str, next: &str) -> bool {
    quoted.chars().count() >= 50
        && (next.starts_with(|c: char| c.is_lowercase())
            || !quoted.trim_end().ends_with(['.', '?', '!', ':']))
}

/// "---------- Forwarded message ---------", "-----Original Message-----", "Begin forwarded
/// message:" and their translations.
fn is_forward_banner(line: &str) -> bool {
    static DASHED: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)^[\s*>]*-{2,}\s*(?:forwarded message|original message|reply message|antwort nachricht|antwort-nachricht|message d'origine|message transféré|message original|ursprüngliche nachricht|weitergeleitete nachricht|originalnachricht|mensaje original|mensaje reenviado|messaggio originale|messaggio inoltrato|oorspronkelijk bericht|origineel bericht|doorgestuurd bericht|originalmeddelande|vidarebefordrat meddelande|opprinnelig melding|videresendt melding|oprindelig meddelelse|videresendt meddelelse|mensagem original|mensagem encaminhada|исходное сообщение|пересылаемое сообщение|пересланное сообщение|wiadomość oryginalna|oryginalna wiadomość|przekazana wiadomość|původní zpráva|alkuperäinen viesti|原始邮件|原始郵件|转发邮件|転送メッセージ|元のメッセージ|원본 메시지|전달된 메시지|الرسالة الأصلية|رسالة محولة)\s*-*[\s*]*$",
        )
    });
    static BEGIN: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)^[\s*>]*(?:begin forwarded message|début du message (?:transféré|réexpédié)|anfang der weitergeleiteten nachricht|inizio messaggio inoltrato|comienzo del mensaje reenviado|inicio del mensaje reenviado|início da mensagem (?:reencaminhada|encaminhada)|doorgestuurd bericht)\s*[:：]\s*$",
        )
    });
    let line = clean(line);
    DASHED.is_match(&line) || BEGIN.is_match(&line)
}

/// "Thanks, that works. On Mon, 3 Feb 2025, Ann <a@x.example> wrote:" — the words before a
/// quote header that shares their line (a client that did not break it).
fn words_before_header(line: &str) -> Option<&str> {
    static SPLIT: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?i)[.!?)…]\s+(?:on|am|le|el|em|op|il|den|på|w dniu)\s"));
    for m in SPLIT.find_iter(line) {
        let at = m.start() + 1;
        let (before, header) = line.split_at(at);
        if is_quote_header(header.trim()) && !before.trim().is_empty() {
            return Some(before.trim());
        }
    }
    None
}

/// A banner over a forwarded message (not over the message being answered).
fn is_forward(line: &str) -> bool {
    static FORWARD: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)(?:forwarded message|begin forwarded message|weitergeleitete nachricht|anfang der weitergeleiteten|message transféré|message réexpédié|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|vidarebefordrat meddelande|videresendt|mensagem (?:re)?encaminhada|пересылаемое сообщение|пересланное сообщение|przekazana wiadomość|转发邮件|転送メッセージ|전달된 메시지|رسالة محولة)",
        )
    });
    is_forward_banner(line) && FORWARD.is_match(&clean(line))
}

/// "Sent from my iPhone" and the lines other mail apps add, in several languages. Kept strict
/// ("Sent from my desk, is much easier …" is a sentence, not a signature) because the line
/// ends the reply.
fn is_mobile_signature(trimmed: &str) -> bool {
    static MARKDOWN_LINK: LazyLock<Regex> = LazyLock::new(|| re(r"\[([^\]]+)\]\([^)]*\)"));
    static PATTERNS: LazyLock<RegexSet> = LazyLock::new(|| {
        RegexSet::new([
            r"(?i)^[(<\s]*sent (?:from|via|with|by) my\s+[^,.<>()]{1,40}?\s*(?:<[^>]*>)?\s*(?:[.,!;-]?\s*(?:please\s+)?(?:excuse|pardon|forgive|sorry)\b.*)?[.!)>\s]*$",
            r"(?i)^[(<\s]*sent (?:from|via|with|by|using) (?:a |an |the )?(?:mobile|phone|smartphone|cell|iphone|ipad|ipod|android|blackberry|galaxy|samsung|huawei|xiaomi|pixel|nokia|htc|outlook|mail|mailbox|yahoo|gmail|aol|airmail|spark|newton|proton\s?mail|proton|tutanota|windows|superhuman|edison|bluemail|k-9|fastmail|zoho)\b.{0,60}$",
            r"(?i)^\S+ from (?:my )?(?:mobile|phone)\.?$",
            r"(?i)^from my (?:iphone|ipad|android|mobile|phone|blackberry|samsung|galaxy|smartphone)\b.{0,20}$",
            r"(?i)^get (?:outlook|the outlook app) for (?:ios|android)",
            r"(?i)^envoyé (?:depuis|de|à partir de) (?:mon|ma|yahoo mail|outlook)\b",
            r"(?i)^(?:von meinem|gesendet von meinem|gesendet mit) .{1,50}$",
            r"(?i)^diese nachricht wurde von .{1,80} gesendet\.?$",
            r"(?i)^inviato da(?:l mio)? \S.{0,40}$",
            r"(?i)^sendt fra (?:min|mi|my) ",
            r"(?i)^enviado (?:do meu|desde mi|de mi|a partir do meu|a partir de mi) ",
            r"(?i)^(?:verzonden|verstuurd) (?:met|vanaf|van) (?:mijn )?\S",
            r"(?i)^(?:skickat från|från min) ",
            r"(?i)^lähetetty \S+sta\b",
            r"(?i)^отправлено (?:с|из) ",
            r"(?i)^wysłane z ",
            r"(?i)^odesláno z ",
            r"^從我的\s?\S+\s?傳送",
            r"^发自我的\s?\S+",
            r"^\S+\s?から送信$",
            r"^(?:나의\s)?\S+에서 보냄$",
            r"^(?:أرسلت|أُرسلت|مرسل) من ",
        ])
        .expect("signature patterns compile")
    });
    if trimmed.chars().count() > 160 {
        return false;
    }
    let line = MARKDOWN_LINK.replace_all(trimmed, "$1");
    let line = clean(&line);
    PATTERNS.is_match(&line)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Field {
    From,
    Date,
    To,
    Cc,
    Subject,
    Other,
}

/// Header names of quoted header blocks, as mail clients localise them.
const HEADER_NAMES: &[(Field, &[&str])] = &[
    (
        Field::From,
        &[
            "from",
            "von",
            "de",
            "da",
            "van",
            "från",
            "fra",
            "od",
            "от",
            "expéditeur",
            "remitente",
            "mittente",
            "afzender",
            "lähettäjä",
            "feladó",
            "发件人",
            "寄件者",
            "差出人",
            "보낸 사람",
            "من",
            "kimden",
            "gönderen",
        ],
    ),
    (
        Field::Date,
        &[
            "sent",
            "date",
            "gönderildi",
            "gönderilme tarihi",
            "tarih",
            "تاريخ الإرسال",
            "gesendet",
            "datum",
            "envoyé",
            "envoyé le",
            "enviado",
            "enviado el",
            "enviada em",
            "fecha",
            "data",
            "inviato",
            "verzonden",
            "skickat",
            "sendt",
            "wysłano",
            "отправлено",
            "дата",
            "发送时间",
            "日期",
            "寄件日期",
            "送信日時",
            "日付",
            "보낸 날짜",
            "날짜",
            "التاريخ",
            "أرسلت",
            "message du",
            "elküldve",
            "dato",
            "päivämäärä",
            "lähetetty",
        ],
    ),
    (
        Field::To,
        &[
            "to",
            "an",
            "à",
            "a",
            "para",
            "aan",
            "till",
            "til",
            "do",
            "кому",
            "收件人",
            "收件者",
            "宛先",
            "받는 사람",
            "إلى",
            "címzett",
            "destinataire",
            "vastaanottaja",
            "kime",
        ],
    ),
    (
        Field::Cc,
        &[
            "cc",
            "kopie",
            "copie à",
            "cópia",
            "kopia",
            "копия",
            "抄送",
            "副本",
            "참조",
            "نسخة",
        ],
    ),
    (
        Field::Subject,
        &[
            "subject",
            "betreff",
            "objet",
            "sujet",
            "asunto",
            "assunto",
            "oggetto",
            "onderwerp",
            "ämne",
            "emne",
            "temat",
            "тема",
            "主题",
            "主旨",
            "件名",
            "제목",
            "الموضوع",
            "tárgy",
            "aihe",
            "konu",
        ],
    ),
    (
        Field::Other,
        &[
            "reply-to",
            "répondre à",
            "antwort an",
            "risposta",
            "responder a",
            "beantwoorden - aan",
            "importance",
            "priority",
            "wichtigkeit",
        ],
    ),
];

/// The field a line of a quoted header block names ("*From:* Ann" → From).
fn header_field(line: &str) -> Option<Field> {
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| re(r"^[\s*]*([^\s:：*>][^:：*]{0,24}?)[\s*]*[:：]"));
    static FIELDS: LazyLock<HashMap<&'static str, Field>> = LazyLock::new(|| {
        HEADER_NAMES
            .iter()
            .flat_map(|(field, names)| names.iter().map(move |name| (*name, *field)))
            .collect()
    });
    if line.len() > MAX_MARKER_LINE {
        return None;
    }
    let line = clean(line);
    let name = NAME.captures(&line)?.get(1)?.as_str().trim().to_lowercase();
    FIELDS.get(name.as_str()).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(visible_reply(input), expected, "input:\n{input}");
    }

    #[test]
    fn plain_text_is_kept_as_is() {
        check(
            "Hello,\n\n  indented\n- a\n- b\n",
            "Hello,\n\n  indented\n- a\n- b",
        );
        check("\n\n  \nOnly text.  \n\n", "Only text.");
        check("", "");
        check("line one\r\nline two\r\n", "line one\nline two");
    }

    #[test]
    fn on_date_wrote_cuts() {
        check(
            "Thanks!\n\nOn Mon, Feb 1, 2016 at 6:32 PM, Jeff <jeff@example.com> wrote:\n> old\n> older",
            "Thanks!",
        );
        check(
            "Thanks!\n\nOn Mon, Feb 1, 2016 at 6:32 PM, Jeff <jeff@example.com>\nwrote:\n\n> old",
            "Thanks!",
        );
        check(
            "Fine.\nOn Thu, 31 Mar 2016 at 11:16 Some One\n\n<\nmailto:Some One <one@x.org>\n> wrote:\n\nold",
            "Fine.",
        );
        check(
            "Answer.\n\nOn 8 Jan 2024, Ann wrote:\n\nUnquoted history\n",
            "Answer.",
        );
    }

    #[test]
    fn wrote_without_date_or_address_is_text() {
        check(
            "Intro\n\nSomething wrote:\nstill mine\n",
            "Intro\n\nSomething wrote:\nstill mine",
        );
        check(
            "On this day\n\nI wrote something\n",
            "On this day\n\nI wrote something",
        );
    }

    #[test]
    fn non_english_quote_headers() {
        for header in [
            "Am 18.09.2013 um 16:24 schrieb Max <max@example.de>:",
            "Max Mustermann <max@example.de> schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:",
            "Le 4 janv. 2016 19:03, \"Neil\" <neil@example.org> a écrit :",
            "El jueves, 21 de noviembre de 2013, Pablo escribió:",
            "Op 16 aug. 2014 05:13 schreef \"Ann\" <ann@example.nl>:",
            "Il giorno 8 dic 2016, alle ore 10:00, Dino <d@example.it> ha scritto:",
            "Em 2 de fevereiro de 2015 10:58, Ana <ana@example.br> escreveu:",
            "Den 15. jun. 2016 kl. 20.42 skrev Jeff <jeff@example.com>:",
            "tis 18 apr. 2017 kl. 13:09 skrev Test <test@example.se>:",
            "Dnia 14 lip 2015 o godz. 00:25 Michael <m@example.pl> napisał(a):",
            "понедельник, 6 октября 2014 г. пользователь lidel написал:",
            "30 серп. 2016 р. 20:45 \"Arpit\" <a@example.com> пише:",
            "在 2016年12月12日，下午8:45，Erlend <e@example.com> 写道：",
            "2020年4月30日(木) 10:07 someone <someone@example.com>:",
            "2020/04/30 10:07、someone <someone@example.com>のメッセージ:",
            "2020년 4월 30일 (목) 오전 10:07, someone <someone@example.com>님이 작성:",
            "في الخميس، ٣٠ أبريل ٢٠٢٠ ١٠:٠٧ ص، كتب someone <someone@example.com>:",
            "2013.02.08. 7:31 keltezéssel, \"Eszter\" írta:",
            "2016-03-03 17:21 GMT+01:00 Some One",
            "---- On Tue, 22 Dec 2015 14:17:36 +0530 Sam&lt;info@example.org&gt; wrote ----",
        ] {
            check(
                &format!("Reply text.\n\n{header}\n\n> quoted\n"),
                "Reply text.",
            );
            check(
                &format!("Reply text.\n{header}\nunquoted history\n"),
                "Reply text.",
            );
        }
    }

    #[test]
    fn quote_header_wrapped_by_client() {
        check(
            "Merci\nLe 4 janv. 2016 19:03, \"Neil Lalonde\"\n<info@example.org>\na écrit :\n\n> old",
            "Merci",
        );
        check(
            "Ok\n\nAm 21.04.2016 17:48 schrieb \"Einz Zwei\" <noreply@example.com\n>:\n\n> old",
            "Ok",
        );
        check(
            "Yes.\n\n2016-10-24 15:36 GMT+02:00 Foo bar <\ninfo@foo.bar>:\n\n> old",
            "Yes.",
        );
    }

    #[test]
    fn outlook_header_blocks() {
        check(
            "Reply above\n________________________________________\nFrom: CRM [crm@example.com]\nSent: Friday, 23 March 2012 5:08 p.m.\nTo: John\nSubject: Hello\n\nOld body\n",
            "Reply above",
        );
        check(
            "Reply\n\n-----Original Message-----\nFrom: a@example.com\nSent: today\nTo: b\nSubject: s\n\nold",
            "Reply",
        );
        check(
            "Réponse\n\n      De : Someone <someone@example.fr>\n À : company <q@example.com>\n Envoyé le : Mercredi 30 novembre 2016 10h30\n Objet : Re: question\n\nold",
            "Réponse",
        );
        check(
            "Antwort\n\nVon: Ann <ann@example.de>\nGesendet: Montag, 1. Januar 2024 10:00\nAn: Bob\nBetreff: Frage\n\nalt",
            "Antwort",
        );
        check(
            "回复\n\n发件人: Company <q@example.com>\n发送时间: 2017年8月2日 15:37\n收件人: Sylvie\n主题: Hello\n\nold",
            "回复",
        );
        check(
            "Reply\n\n*From:* Outlook user\n*Sent:* 2016-01-27\n*To:* info@example.org\n*Subject:* Hi\n\nold",
            "Reply",
        );
    }

    #[test]
    fn two_header_like_lines_are_text() {
        check(
            "Q: does it work?\nA: yes\n\nFrom: here on, all good.",
            "Q: does it work?\nA: yes\n\nFrom: here on, all good.",
        );
    }

    #[test]
    fn forwarded_message_at_top_keeps_its_content() {
        check(
            "---------- Forwarded message ----------\nFrom: Some One <foo@bar.com>\nDate: Thu, Jan 28, 2016 at 4:00 PM\nSubject: Some subject that\nspans over 2 lines\nTo: info@example.org\n\n\nThis is a forwarded email.",
            "This is a forwarded email.",
        );
        check(
            "See below.\n\n---------- Forwarded message ---------\nFrom: A <a@example.com>\nDate: Tue, Jan 01, 2019 at 12:00 PM\nSubject: x\nTo: <b@example.com>\n\nbody",
            "See below.",
        );
        check(
            "See below.\n\n> Begin forwarded message:\n>\n> From: A <a@example.com>\n> body",
            "See below.",
        );
    }

    #[test]
    fn bottom_posted_reply_drops_the_quote_above() {
        check(
            "On Mon, Aug 19, 2013 at 2:36 AM, Someone <\ninfo@example.org> wrote:\n\n> Question?\n>\n\nMy answer\nhere",
            "My answer\nhere",
        );
        check(
            "On 8 May 2017 17:34, \"Andy\" <andy@example.com> wrote:\n\n    code\n\nmore",
            "    code\n\nmore",
        );
    }

    #[test]
    fn a_sign_off_under_the_quote_is_not_an_answer() {
        for sign_off in [
            "Regards,\nRoman",
            "Thanks!",
            "Mit freundlichen Grüßen\nAnna Schmidt",
            "Roman",
            "감사합니다.\n김민수",
            "مع تحياتي\nأحمد",
        ] {
            check(
                &format!(
                    "Yes, that fixed it.\n\nOn Mon, 3 Feb 2025 at 10:00, Support <help@acme.example> wrote:\n> Did the reset work?\n> Let us know.\n\n{sign_off}\n"
                ),
                "Yes, that fixed it.",
            );
        }
        // Real answers under the quote stay interleaved, even short ones.
        check(
            "Hi,\n\nOn Mon, 3 Feb 2025 at 10:00, Support wrote:\n> Which version?\n\nVersion 4.2 on Windows 11, since the update last week.\n",
            "Hi,\n\n> Which version?\n\nVersion 4.2 on Windows 11, since the update last week.",
        );
    }

    #[test]
    fn a_forward_under_new_text_is_found_for_showing() {
        let fwd = "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Shop <orders@shop.example>\nDate: Mon, 3 Feb 2025 at 10:00\nSubject: Your order\nTo: <ann@example.com>\n\nOrder 7 was cancelled.\n";
        check(fwd, "FYI, see below.");
        assert_eq!(
            forwarded_part(fwd).as_deref(),
            Some(
                "---------- Forwarded message ---------\nFrom: Shop <orders@shop.example>\nDate: Mon, 3 Feb 2025 at 10:00\nSubject: Your order\nTo: <ann@example.com>\n\nOrder 7 was cancelled."
            )
        );
        // The message being answered is history, not a forward; a forward with nothing above
        // it is already the visible text.
        let answered = "Thanks.\n\n-----Original Message-----\nFrom: Shop <orders@shop.example>\nSubject: Your order\nDate: Mon, 3 Feb 2025\n\nOrder 7 was cancelled.\n";
        check(answered, "Thanks.");
        assert_eq!(forwarded_part(answered), None);
        assert_eq!(forwarded_part(&fwd[17..]), None);
        assert_eq!(
            forwarded_part(
                "Hi\n\nOn Mon, 3 Feb 2025, Ann <a@x.example> wrote:\n> ---------- Forwarded message ---------\n> x"
            ),
            None
        );
    }

    #[test]
    fn quote_headers_in_many_languages() {
        let mut misses = Vec::new();
        for header in [
            "2025년 3월 4일 (화) 오전 9:12, 김민수 <minsu@example.kr>님이 작성:",
            "في الثلاثاء، 4 مارس 2025 في 9:12 ص كتب أحمد <ahmed@example.com>:",
            "2025年3月4日(火) 9:12 山田太郎 <taro@example.jp>:",
            "2025年3月4日 09:12，王伟 <wei@example.cn> 写道：",
            "вт, 4 мар. 2025 г. в 09:12, Иван Петров <ivan@example.ru>:",
            "Em ter., 4 de mar. de 2025 às 09:12, João Silva <joao@example.br> escreveu:",
            "Il giorno mar 4 mar 2025 alle ore 09:12 Mario Rossi <mario@example.it> ha scritto:",
            "wt., 4 mar 2025 o 09:12 Jan Kowalski <jan@example.pl> napisał(a):",
            "4 Mar 2025 Sal, saat 09:12 tarihinde Ayşe Yılmaz <ayse@example.tr> şunu yazdı:",
            "Den tis 4 mars 2025 kl 09:12 skrev Anna Svensson <anna@example.se>:",
            "Le mar. 4 mars 2025 à 09:12, Marie Dupont <marie@example.fr> a écrit :",
            "El mar, 4 mar 2025 a las 9:12, Carlos Ruiz (<carlos@example.es>) escribió:",
            "Am Di., 4. März 2025 um 09:12 Uhr schrieb Max Müller <max@example.de>:",
        ] {
            let input = format!("Fine now.\n\n{header}\n> old text\n");
            if visible_reply(&input) != "Fine now." {
                misses.push(header);
            }
        }
        assert!(misses.is_empty(), "not recognised: {misses:#?}");
    }

    #[test]
    fn outlook_header_blocks_in_many_languages() {
        let mut misses = Vec::new();
        for block in [
            "보낸 사람: 김민수 <minsu@example.kr>\n보낸 날짜: 2025년 3월 4일 화요일 오전 9:12\n받는 사람: support@acme.example\n제목: 주문",
            "من: أحمد <ahmed@example.com>\nتاريخ الإرسال: الثلاثاء، 4 مارس 2025 9:12 ص\nإلى: support@acme.example\nالموضوع: طلب",
            "差出人: 山田太郎 <taro@example.jp>\n送信日時: 2025年3月4日 9:12\n宛先: support@acme.example\n件名: 注文",
            "发件人: 王伟 <wei@example.cn>\n发送时间: 2025年3月4日 9:12\n收件人: support@acme.example\n主题: 订单",
            "От: Иван Петров <ivan@example.ru>\nОтправлено: 4 марта 2025 г. 9:12\nКому: support@acme.example\nТема: Заказ",
            "De: João Silva <joao@example.br>\nEnviado: terça-feira, 4 de março de 2025 09:12\nPara: support@acme.example\nAssunto: Pedido",
            "Da: Mario Rossi <mario@example.it>\nInviato: martedì 4 marzo 2025 09:12\nA: support@acme.example\nOggetto: Ordine",
            "Od: Jan Kowalski <jan@example.pl>\nWysłano: wtorek, 4 marca 2025 09:12\nDo: support@acme.example\nTemat: Zamówienie",
            "Kimden: Ayşe Yılmaz <ayse@example.tr>\nGönderildi: 4 Mart 2025 Salı 09:12\nKime: support@acme.example\nKonu: Sipariş",
            "Från: Anna Svensson <anna@example.se>\nSkickat: den 4 mars 2025 09:12\nTill: support@acme.example\nÄmne: Beställning",
        ] {
            let input = format!("Fine now.\n\n{block}\n\nold text\n");
            if visible_reply(&input) != "Fine now." {
                misses.push(block.lines().next().unwrap_or(""));
            }
        }
        assert!(misses.is_empty(), "not recognised: {misses:#?}");
    }

    #[test]
    fn a_header_on_the_same_line_keeps_the_words_before_it() {
        check(
            "Hi,\nThanks, that works now. On Mon, 3 Feb 2025 at 10:00, Ann <ann@acme.example> wrote:\n> Try again?\n",
            "Hi,\nThanks, that works now.",
        );
        check(
            "Works! Am Mo., 3. Feb. 2025 um 10:00 Uhr schrieb Ann <ann@acme.example>:\n> Geht es?\n",
            "Works!",
        );
        // A header alone on its line is unchanged.
        check(
            "Fine.\nOn Mon, 3 Feb 2025 at 10:00, Ann <ann@acme.example> wrote:\n> x\n",
            "Fine.",
        );
    }

    #[test]
    fn phone_numbers_in_the_reply_stay() {
        for phone in [
            "+1 (555) 123-4567",
            "555-123-4567",
            "+49 30 1234-5678",
            "Call me: 0170 1234567",
            "Tel. 030/123 45 67",
            "010-1234-5678",
            "+82 10-1234-5678",
            "(555) 123 4567 ext. 12",
            "2025-03-04 10:30",
            "--- 555 123 4567 ---",
        ] {
            let input = format!("Please call me back.\n{phone}\nI am free after lunch.\n");
            check(&input, input.trim_end());
        }
    }

    #[test]
    fn more_quote_headers() {
        for header in [
            "On Tue, Mar 4, 2025 at 9:12 AM, Roman Petrov <roman@example.com> sent:",
            "Op di 4 mrt. 2025 om 09:12 heeft Roman Petrov <roman@example.com> het volgende geschreven:",
            "Vào 09:12 Th 3, 4 thg 3, 2025 Roman Petrov <roman@example.com> đã viết:",
            "---- Roman Petrov wrote ----",
            "-----Antwort Nachricht-----",
        ] {
            check(
                &format!("The new invoice is fine.\n\n{header}\n> Here is the invoice.\n> Roman\n"),
                "The new invoice is fine.",
            );
        }
        // "sent" in running text is not a header.
        check(
            "On Monday the parcel was sent:\nit arrived today.",
            "On Monday the parcel was sent:\nit arrived today.",
        );
    }

    #[test]
    fn interleaved_answers_keep_their_quotes() {
        check(
            "Hi,\n\nOn Tue, 2011-03-01 at 18:02 +0530, Abhishek wrote:\n> Question one?\n\nAnswer one.\n\n> Question two?\n\nAnswer two.\n\n> bye",
            "Hi,\n\n> Question one?\n\nAnswer one.\n\n> Question two?\n\nAnswer two.",
        );
    }

    #[test]
    fn quotes_alone() {
        check("> only a quote", "> only a quote");
        check(
            "> This is a quote.\n\nAnd text.",
            "> This is a quote.\n\nAnd text.",
        );
        check(
            "> On Thu, Apr 30, 2020 at 10:07 AM, \"x\" <x@example.com> wrote:\n>\n>> older",
            "",
        );
        check("Text\n\nC> supercite quote\nC>\n", "Text");
    }

    #[test]
    fn rewrapped_quote_tails_stay_in_the_quote() {
        check(
            "Mine.\n\nOn Thu, 8 Dec 2016 at 10:00, Q <q@example.com> wrote:\n> Lorem ipsum dolor sit amet, consectetur adipiscing elit. Nullam d\nignissim odio?\n>\n> bye\n",
            "Mine.",
        );
        check(
            "Hi\nOn 1 Jan 2024, at 10:00, Q <q@example.com> wrote:\n> Which version are you running?\nVersion 5.\n> Thanks\nSure.",
            "Hi\n> Which version are you running?\nVersion 5.\n> Thanks\nSure.",
        );
    }

    #[test]
    fn signatures() {
        check("Body\n\n-- \nRick\nACME", "Body");
        check("Body\n--\nRick", "Body");
        check("Body\n\nSent from my iPhone", "Body");
        check(
            "Body\n\nSent from my HTC M8 Android phone.  Please excuse typoze",
            "Body",
        );
        check(
            "Body\n\nSent from my Windows 8 PC <http://windows.example.com>",
            "Body",
        );
        check(
            "Body\n\nSent from my Wiko RIDGE FAB 4G\n\nold text below",
            "Body",
        );
        check("Body\n\nEnvoyé depuis mon iPhone", "Body");
        check("Body\n\nVon meinem iPhone gesendet", "Body");
        check(
            "Body\n\nGet [Outlook for Android](https://aka.ms/x)",
            "Body",
        );
        check("Body\n\niPhoneから送信", "Body");
        check(
            "Body\n\nSent from my desk, is much easier then my mobile phone.",
            "Body\n\nSent from my desk, is much easier then my mobile phone.",
        );
        check(
            "A fix -- not a signature.\nkthx",
            "A fix -- not a signature.\nkthx",
        );
    }

    #[test]
    fn signatures_without_a_delimiter() {
        check("Hey!\n--\nBest regards,\n\nRoman", "Hey!");
        check("Blah.\n\n-Lev.\n\nSent from my HTC smartphone!", "Blah.");
        check(
            "Hi folks\n\nWhat is the best way to clear a bucket?\n\n-Abhishek Kona\n\n",
            "Hi folks\n\nWhat is the best way to clear a bucket?",
        );
        check(
            "The export fails since Monday.\n\nBest regards, Roman\nSupport lead | Example Ltd\n+1 555 123 4567",
            "The export fails since Monday.",
        );
        check(
            "The export fails since Monday.\n\nJohn Smith\nHead of IT, Example Ltd\nTel: +1 (555) 123-4567\nwww.example.com",
            "The export fails since Monday.",
        );
        check(
            "로그인이 안 됩니다.\n\n감사합니다.\n김민수\n010-1234-5678",
            "로그인이 안 됩니다.",
        );
        check(
            "لا أستطيع تسجيل الدخول.\n\nمع تحياتي\nأحمد\nwww.example.com",
            "لا أستطيع تسجيل الدخول.",
        );
        check("Here you go.\n\nAnn Lee\nann@example.com", "Here you go.");
        check(
            "Die Rechnung fehlt.\n\nMit freundlichen Grüßen\nAnna Schmidt\nhttps://example.de",
            "Die Rechnung fehlt.",
        );
    }

    #[test]
    fn words_that_only_look_like_a_signature_stay() {
        for text in [
            // Not a sign-off: sentences that start with a closing word.
            "The printer is broken.\nThanks for looking into it.",
            "It works.\nThank you so much for the quick help!",
            // A sign-off followed by a question is still the reply.
            "My order is late.\nThanks\nCan you check order 123?",
            // The reply's own phone number, with and without a name above it.
            "Please call me back at\n+1 (555) 123-4567",
            "Please call me back.\nJohn\n+1 555 123 4567 after 5pm, or mail me.",
            // A list whose last item is capitalised.
            "Steps:\n- Open the app\n- Tap Settings\n-Reset",
            // One line only: nothing to cut.
            "Thanks!",
            // A sign-off with a name and nothing else is the sender's own words.
            "Would do it.\n\nRussell",
            "Hey!\n\nThanks!\nRoman",
            "This is the reply.\n\nThanks,\nSome One",
            "It was a pleasure.\n\nBest regards\n\nSome One",
        ] {
            check(text, text);
        }
    }

    #[test]
    fn separators() {
        check(
            "Body\n\n_______________________________________________\nriak-users mailing list\nriak-users@example.com\nhttp://lists.example.com/",
            "Body",
        );
        check("Body\n\n======\n~~~~~\n***", "Body");
        let long = format!("Intro\n\n=====\n{}", "line\n".repeat(15));
        assert_eq!(visible_reply(&long), long.trim_end());
        check(
            "Body\n---\nP.S. one more thing",
            "Body\n---\nP.S. one more thing",
        );
        check(
            "Code:\n```\n#\n####\n-- \n> x\n```\nend",
            "Code:\n```\n#\n####\n--\n> x\n```\nend",
        );
    }

    #[test]
    fn huge_texts_are_only_cut_near_the_top() {
        let body = "new line\n".repeat(MAX_LINES + 10);
        let text = format!("{body}On 1 Jan 2024, at 10:00, A <a@x.org> wrote:\n> old");
        assert_eq!(visible_reply(&text), text.trim_end());
        let text = format!(
            "Hi\nOn 1 Jan 2024, at 10:00, A <a@x.org> wrote:\n{}",
            "> old\n".repeat(MAX_LINES)
        );
        assert_eq!(visible_reply(&text), "Hi");
    }

    #[test]
    fn pathological_input_is_fast_and_safe() {
        let _ = visible_reply(&"From: a\n".repeat(50_000));
        let _ = visible_reply(&"From: a\nwrapped\n".repeat(20_000));
        let _ = visible_reply(&"> x\n_____\n".repeat(20_000));
        let _ = visible_reply(&"On 1 Jan 2020 x wrote something\n".repeat(5_000));
        let long_line = ">".repeat(800_000);
        let text = format!("Hi\n{long_line}\nOn {}", "x ".repeat(100_000));
        let _ = visible_reply(&text);
        let many = "On a\n".repeat(50_000);
        let _ = visible_reply(&many);
        let _ = visible_reply("\u{feff}\r\r\n\0>\u{200b}");
    }
}
