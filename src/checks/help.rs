//! A check's long help: four fixed sections (what it finds, why it matters, an example, the fix),
//! rendered one way for `review-gate explain`, SARIF `help.text`/`help.markdown` and the generated
//! reference in `docs/checks/`.
//!
//! Built-in checks give all four sections. A user check file may still give one plain string (the
//! older form), which is rendered as written.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// The four sections of a check's help, as written under `help:` in a check file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Help {
    /// What the check finds: one or a few sentences.
    pub finds: Cow<'static, str>,
    /// Why a finding matters.
    pub why: Cow<'static, str>,
    /// A real-looking line the check fires on.
    pub example: Cow<'static, str>,
    /// What the author or reviewer should do instead, or how to make it safe.
    pub fix: Cow<'static, str>,
}

/// The `help` of a check: the four sections, or (user check files only) one plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum CheckHelp {
    /// The four fixed sections.
    Sections(Help),
    /// The older form: one prose text, rendered as written.
    Text(Cow<'static, str>),
}

/// The section headings, in order, with the field each one shows.
const HEADINGS: [&str; 4] = ["What it finds", "Why it matters", "Example", "Fix"];

impl Help {
    /// The sections as (heading, text) pairs, in their fixed order.
    pub fn sections(&self) -> [(&'static str, &str); 4] {
        [
            (HEADINGS[0], self.finds.trim()),
            (HEADINGS[1], self.why.trim()),
            (HEADINGS[2], self.example.trim()),
            (HEADINGS[3], self.fix.trim()),
        ]
    }
}

impl CheckHelp {
    /// The four sections, when the help has them.
    pub fn sections(&self) -> Option<&Help> {
        match self {
            CheckHelp::Sections(help) => Some(help),
            CheckHelp::Text(_) => None,
        }
    }

    /// The headings of the sections that are empty (for a plain text: `["help"]` when it is empty).
    pub fn empty_sections(&self) -> Vec<&'static str> {
        match self {
            CheckHelp::Sections(help) => help
                .sections()
                .into_iter()
                .filter(|(_, text)| text.is_empty())
                .map(|(heading, _)| heading)
                .collect(),
            CheckHelp::Text(text) if text.trim().is_empty() => vec!["help"],
            CheckHelp::Text(_) => Vec::new(),
        }
    }

    /// A one-paragraph summary: what it finds (for a plain text, its first paragraph).
    pub fn summary(&self) -> Option<String> {
        match self {
            CheckHelp::Sections(help) => Some(one_line(&help.finds)),
            CheckHelp::Text(text) => {
                let paragraph: Vec<&str> = text
                    .lines()
                    .map(str::trim)
                    .skip_while(|l| l.is_empty())
                    .take_while(|l| !l.is_empty() && !l.starts_with("Why it matters"))
                    .collect();
                (!paragraph.is_empty()).then(|| paragraph.join(" "))
            }
        }
    }

    /// Plain text: each section under its heading, its text indented two spaces.
    pub fn to_text(&self) -> String {
        let help = match self {
            CheckHelp::Sections(help) => help,
            CheckHelp::Text(text) => return text.trim_end().to_string(),
        };
        let mut out = String::new();
        for (heading, text) in help.sections() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(heading);
            out.push('\n');
            for line in text.lines() {
                if line.trim().is_empty() {
                    out.push('\n');
                } else if heading == HEADINGS[2] || line.starts_with(' ') {
                    // Code keeps its lines.
                    out.push_str("  ");
                    out.push_str(line);
                    out.push('\n');
                } else {
                    wrap_into(&mut out, line, TEXT_WIDTH);
                }
            }
        }
        out.truncate(out.trim_end().len());
        out
    }

    /// Markdown: each section as a bold label; the example as a fenced code block.
    pub fn to_markdown(&self) -> String {
        let help = match self {
            CheckHelp::Sections(help) => help,
            CheckHelp::Text(text) => return text.trim_end().to_string(),
        };
        let mut out = String::new();
        for (heading, text) in help.sections() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            if heading == HEADINGS[2] {
                let fence = fence_for(text);
                out.push_str(&format!("**{heading}:**\n\n{fence}text\n{text}\n{fence}"));
            } else {
                out.push_str(&format!("**{heading}:** {}", markdown_prose(text)));
            }
        }
        out
    }
}

/// Where [`CheckHelp::to_text`] wraps prose (the two-space indent included).
const TEXT_WIDTH: usize = 100;

/// Appends `line` word-wrapped at `width` columns, each output line indented two spaces. A word longer
/// than the width stays whole on its own line.
fn wrap_into(out: &mut String, line: &str, width: usize) {
    let mut column = 0;
    for word in line.split(' ').filter(|w| !w.is_empty()) {
        let length = word.chars().count();
        if column > 0 && column + 1 + length > width {
            out.push('\n');
            column = 0;
        }
        if column == 0 {
            out.push_str("  ");
            column = 2;
        } else {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += length;
    }
    out.push('\n');
}

/// Text folded onto one line (runs of whitespace become one space).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Prose for Markdown: lines indented past the first are kept as their own lines (hard breaks), the
/// rest folds as Markdown folds it anyway.
fn markdown_prose(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            if line.starts_with(' ') {
                out.push_str("<br>\n");
            } else {
                out.push('\n');
            }
        }
        out.push_str(line.trim_end());
    }
    out
}

/// A backtick fence longer than any run of backticks in the text.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

impl<'de> Deserialize<'de> for CheckHelp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HelpVisitor;

        impl<'de> Visitor<'de> for HelpVisitor {
            type Value = CheckHelp;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping with `finds`, `why`, `example` and `fix`, or a plain text")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<CheckHelp, E> {
                Ok(CheckHelp::Text(Cow::Owned(text.to_string())))
            }

            fn visit_string<E: de::Error>(self, text: String) -> Result<CheckHelp, E> {
                Ok(CheckHelp::Text(Cow::Owned(text)))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CheckHelp, A::Error> {
                Help::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(CheckHelp::Sections)
            }
        }

        deserializer.deserialize_any(HelpVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Holder {
        help: CheckHelp,
    }

    fn parse(yaml: &str) -> Result<CheckHelp, String> {
        serde_saphyr::from_str::<Holder>(yaml)
            .map(|h| h.help)
            .map_err(|e| e.to_string())
    }

    const SECTIONS: &str = "help:\n  finds: a call to `run`.\n  why: it runs things.\n  example: |-\n    run(x)\n      --flag\n  fix: call `safe_run(x)`.\n";

    #[test]
    fn sections_and_plain_text_both_parse() {
        let help = parse(SECTIONS).unwrap();
        let sections = help.sections().expect("sections");
        assert_eq!(sections.finds, "a call to `run`.");
        assert_eq!(sections.example, "run(x)\n  --flag");
        assert!(help.empty_sections().is_empty());
        let legacy = parse("help: |\n  What it finds: runs.\n  Why it matters: x.\n").unwrap();
        assert_eq!(
            legacy,
            CheckHelp::Text("What it finds: runs.\nWhy it matters: x.\n".into())
        );
        assert_eq!(legacy.to_text(), "What it finds: runs.\nWhy it matters: x.");
        assert_eq!(legacy.to_markdown(), legacy.to_text());
        assert_eq!(legacy.summary().as_deref(), Some("What it finds: runs."));
    }

    #[test]
    fn unknown_or_missing_sections_are_refused() {
        let unknown = parse("help:\n  finds: a\n  why: b\n  example: c\n  fix: d\n  see: e\n");
        assert!(unknown.unwrap_err().contains("see"), "unknown key named");
        let missing = parse("help:\n  finds: a\n  why: b\n  example: c\n");
        assert!(missing.unwrap_err().contains("fix"), "missing key named");
        let empty = parse("help:\n  finds: a\n  why: ' '\n  example: c\n  fix: d\n").unwrap();
        assert_eq!(empty.empty_sections(), vec!["Why it matters"]);
        assert_eq!(CheckHelp::Text("  ".into()).empty_sections(), vec!["help"]);
    }

    #[test]
    fn text_has_headings_and_indented_sections() {
        let help = parse(SECTIONS).unwrap();
        assert_eq!(
            help.to_text(),
            "What it finds\n  a call to `run`.\n\nWhy it matters\n  it runs things.\n\nExample\n  run(x)\n    --flag\n\nFix\n  call `safe_run(x)`."
        );
        assert_eq!(help.summary().as_deref(), Some("a call to `run`."));
    }

    #[test]
    fn text_wraps_prose_but_not_code() {
        let mut out = String::new();
        wrap_into(&mut out, "aaa bbb ccc dddddddddd e", 10);
        assert_eq!(out, "  aaa bbb\n  ccc\n  dddddddddd\n  e\n");
        let long = "word ".repeat(40);
        let help = CheckHelp::Sections(Help {
            finds: long.trim().to_string().into(),
            why: "w".into(),
            example: long.trim().to_string().into(),
            fix: "f".into(),
        });
        let text = help.to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[1].len() <= TEXT_WIDTH && lines[2].starts_with("  word"),
            "{text}"
        );
        assert!(
            text.contains(&format!("Example\n  {}\n", long.trim())),
            "{text}"
        );
    }

    #[test]
    fn markdown_fences_the_example_past_its_backticks() {
        let mut help = parse(SECTIONS).unwrap();
        assert_eq!(
            help.to_markdown(),
            "**What it finds:** a call to `run`.\n\n**Why it matters:** it runs things.\n\n**Example:**\n\n```text\nrun(x)\n  --flag\n```\n\n**Fix:** call `safe_run(x)`."
        );
        if let CheckHelp::Sections(h) = &mut help {
            h.example = "a ```` b".into();
        }
        assert!(help.to_markdown().contains("`````text\na ```` b\n`````"));
    }
}
