//! Email HTML: sanitizing it for display (ammonia) and turning it into plain text for HTML-only
//! mail, keeping quotes (`<blockquote>` becomes `> ` lines) so reply trimming still works.

use std::borrow::Cow;
use std::collections::HashSet;

/// Sanitizes email HTML for display inside the agent UI: ammonia's default allow-list (no
/// scripts, styles, forms, event handlers or `javascript:` URLs), links get
/// `rel="noopener noreferrer"`, relative URLs are dropped, and images only keep a `src` that
/// points into the message itself (`cid:`). Remote images are how senders track opens, so their
/// `src` is removed; the tag and its `alt` text stay.
pub fn sanitize_html(html: &str) -> String {
    if too_deep(html) {
        return format!("<pre>{}</pre>", ammonia::clean_text(&flat_text(html)));
    }
    ammonia::Builder::default()
        .add_url_schemes(["cid"])
        .url_relative(ammonia::UrlRelative::Deny)
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" && !is_cid(value) {
                None
            } else {
                Some(Cow::Borrowed(value))
            }
        })
        .clean(html)
        .to_string()
}

fn is_cid(url: &str) -> bool {
    url.trim()
        .get(..4)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("cid:"))
}

/// Elements that start a new line in the text rendering; all other markup is dropped and its text
/// kept.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "br",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Turns email HTML into readable plain text: block elements become lines, `<br>` a line break,
/// paragraphs and headings are separated by a blank line, list items start with `- `, `<hr>`
/// becomes a `---` line, and text inside `<blockquote>` is prefixed with `> ` per level (the way
/// a plain-text client quotes). Scripts, styles and the document head are dropped.
pub fn html_to_text(html: &str) -> String {
    if too_deep(html) {
        return flat_text(html);
    }
    // ammonia does the hard part, parsing real-world tag soup the way browsers do; with only
    // attribute-less block tags allowed, its output is simple enough to walk by hand.
    let tags: HashSet<&str> = BLOCK_TAGS.iter().copied().collect();
    let skeleton = ammonia::Builder::empty()
        .tags(tags)
        .clean_content_tags(["script", "style", "title", "head"].into_iter().collect())
        .clean(html)
        .to_string();
    render(&skeleton)
}

/// Browser-grade HTML parsing costs time quadratic in how deeply elements nest. Real mail stays
/// far below this; a message nested deeper is an attack on the intake and gets the flat,
/// linear-time treatment instead (text without quote markers; shown as preformatted text).
const MAX_NESTING: usize = 1000;

fn too_deep(html: &str) -> bool {
    // Elements the parser closes by itself when a sibling starts do not deepen the tree.
    const NO_NESTING: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup",
        "thead", "tbody", "tfoot", "colgroup", "caption",
    ];
    let bytes = html.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
        i += offset + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = i + usize::from(closing);
        let len = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if len == 0 || !bytes[start].is_ascii_alphabetic() {
            continue;
        }
        let name = html[start..start + len].to_ascii_lowercase();
        if NO_NESTING.contains(&name.as_str()) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest > MAX_NESTING
}

/// mail-parser's linear HTML-to-text, for HTML too deep to parse properly.
fn flat_text(html: &str) -> String {
    mail_parser::decoders::html::html_to_text(html)
}

/// Walks ammonia's serialization: `<tag>`, `</tag>` and escaped text (`&amp; &lt; &gt; &nbsp;`).
fn render(skeleton: &str) -> String {
    let mut out = TextOut::default();
    let mut rest = skeleton;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            let end = after.find('>').unwrap_or(after.len());
            let tag = &after[..end];
            rest = after.get(end + 1..).unwrap_or("");
            let (closing, name) = match tag.strip_prefix('/') {
                Some(name) => (true, name),
                None => (false, tag),
            };
            let name = name.split_whitespace().next().unwrap_or("");
            out.tag(name, closing);
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            out.text(&unescape(&rest[..end]));
            rest = &rest[end..];
        }
    }
    out.finish()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[derive(Default)]
struct TextOut {
    lines: Vec<String>,
    line: String,
    /// Blockquote nesting of the line being built.
    depth: usize,
    pre: usize,
    /// The line being built has content (prefixes aside).
    dirty: bool,
}

impl TextOut {
    fn tag(&mut self, name: &str, closing: bool) {
        match (name, closing) {
            ("br", _) => self.newline(true),
            ("p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6", _) => {
                self.newline(false);
                self.blank_line();
            }
            ("blockquote", false) => {
                self.newline(false);
                self.depth += 1;
            }
            ("blockquote", true) => {
                self.newline(false);
                self.depth = self.depth.saturating_sub(1);
            }
            ("pre", false) => {
                self.newline(false);
                self.pre += 1;
            }
            ("pre", true) => {
                self.newline(false);
                self.pre = self.pre.saturating_sub(1);
            }
            ("hr", _) => {
                self.newline(false);
                self.text("---");
                self.newline(false);
            }
            ("li", false) => {
                self.newline(false);
                self.text("- ");
            }
            ("td" | "th", false) => {}
            ("td" | "th", true) => self.text(" "),
            _ => self.newline(false),
        }
    }

    fn text(&mut self, text: &str) {
        if self.pre > 0 {
            for (i, part) in text.split('\n').enumerate() {
                if i > 0 {
                    self.newline(true);
                }
                self.push(part);
            }
            return;
        }
        let mut words = text.split(|c: char| c.is_whitespace() && c != '\u{a0}');
        let starts_with_space = text.starts_with(|c: char| c.is_whitespace() && c != '\u{a0}');
        if starts_with_space && self.dirty && !self.line.ends_with(' ') {
            self.line.push(' ');
        }
        let mut first = true;
        for word in words.by_ref() {
            if word.is_empty() {
                continue;
            }
            if !first && !self.line.ends_with(' ') {
                self.line.push(' ');
            }
            self.push(word);
            first = false;
        }
        let ends_with_space = text.ends_with(|c: char| c.is_whitespace() && c != '\u{a0}');
        if ends_with_space && self.dirty && !first && !self.line.ends_with(' ') {
            self.line.push(' ');
        }
    }

    fn push(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.dirty = true;
        self.line.push_str(&s.replace('\u{a0}', " "));
    }

    /// Ends the current line; an empty line is only kept when `force` (a `<br>`).
    fn newline(&mut self, force: bool) {
        if self.dirty || force {
            let text = self.line.trim_end();
            let prefix = "> ".repeat(self.depth);
            let line = if text.is_empty() {
                prefix.trim_end().to_string()
            } else {
                format!("{prefix}{text}")
            };
            self.lines.push(line);
        }
        self.line.clear();
        self.dirty = false;
    }

    fn blank_line(&mut self) {
        if self.lines.last().is_some_and(|l| !is_blank(l)) {
            self.lines
                .push("> ".repeat(self.depth).trim_end().to_string());
        }
    }

    fn finish(mut self) -> String {
        self.newline(false);
        // Runs of empty lines (empty `<div>`s, `<br><br><br>`) collapse to one.
        let mut out: Vec<&str> = Vec::with_capacity(self.lines.len());
        for line in &self.lines {
            if is_blank(line) && out.last().is_none_or(|l| is_blank(l)) {
                continue;
            }
            out.push(line);
        }
        while out.last().is_some_and(|l| is_blank(l)) {
            out.pop();
        }
        out.join("\n")
    }
}

/// Empty apart from quote markers.
fn is_blank(line: &str) -> bool {
    line.trim_start_matches(['>', ' ']).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_drops_scripts_and_remote_images() {
        let html = r#"<p onclick="x()">Hi<script>alert(1)</script></p>
            <img src="https://track.example/p.gif" width="1" alt="pixel">
            <img src="cid:logo@x" alt="logo">
            <a href="javascript:alert(1)">bad</a> <a href="https://ok.example/">ok</a>
            <style>p{}</style><iframe src="https://x"></iframe>"#;
        let clean = sanitize_html(html);
        assert!(!clean.contains("script"), "{clean}");
        assert!(!clean.contains("onclick"), "{clean}");
        assert!(!clean.contains("track.example"), "{clean}");
        assert!(clean.contains(r#"alt="pixel""#), "{clean}");
        assert!(clean.contains(r#"src="cid:logo@x""#), "{clean}");
        assert!(!clean.contains("javascript"), "{clean}");
        assert!(clean.contains(r#"href="https://ok.example/""#), "{clean}");
        assert!(clean.contains("noopener"), "{clean}");
        assert!(!clean.contains("iframe"), "{clean}");
        assert!(!clean.contains("p{}"), "{clean}");
    }

    #[test]
    fn text_keeps_structure() {
        let html = "<html><head><title>T</title><style>x{}</style></head><body>\
            <p>Hello&nbsp;there,</p><p>line one<br>line two</p>\
            <ul><li>a</li><li>b &amp; c</li></ul><hr><div>end &lt;ok&gt;</div></body></html>";
        assert_eq!(
            html_to_text(html),
            "Hello there,\n\nline one\nline two\n\n- a\n- b & c\n---\nend <ok>"
        );
    }

    #[test]
    fn text_quotes_blockquotes() {
        let html = "<div>Thanks!</div><div class=\"gmail_quote\"><div>On Mon, Jan 1, 2024 at 10:00 AM \
            Ann &lt;ann@example.com&gt; wrote:<br></div><blockquote>Is it <b>fixed</b>?\
            <blockquote>old</blockquote></blockquote></div>";
        assert_eq!(
            html_to_text(html),
            "Thanks!\nOn Mon, Jan 1, 2024 at 10:00 AM Ann <ann@example.com> wrote:\n> Is it fixed?\n> > old"
        );
    }

    #[test]
    fn absurd_nesting_takes_the_flat_path() {
        let deep = format!(
            "{}deep text{}",
            "<blockquote><div>".repeat(50_000),
            "</div></blockquote>".repeat(50_000)
        );
        assert_eq!(html_to_text(&deep), "deep text");
        assert!(sanitize_html(&deep).contains("deep"));
        let unclosed = format!("{}x", "<span>".repeat(100_000));
        assert_eq!(html_to_text(&unclosed), "x");
        let paragraphs = "<p>para".repeat(5_000);
        assert!(!too_deep(&paragraphs));
    }

    #[test]
    fn text_inline_whitespace() {
        assert_eq!(
            html_to_text("a <b>bold</b> word\n  and\tmore"),
            "a bold word and more"
        );
        assert_eq!(html_to_text("<pre>  x\n    y</pre>"), "  x\n    y");
        assert_eq!(html_to_text(""), "");
        assert_eq!(
            html_to_text("<table><tr><td>a</td><td>b</td></tr></table>"),
            "a b"
        );
    }
}
