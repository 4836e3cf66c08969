//! Inline suppressions: review-gate's own `review-gate: allow <check|category> -- <reason>` and the
//! markers teams already have from other tools.

use crate::model::{
    target_covers, Category, Finding, LiteralSearcher, Severity, Silenced, Suppression,
};

/// The categories that markers from code scanners (`nosec`, `nosemgrep`) cover.
const CODE_CATEGORIES: [Category; 5] = [
    Category::Network,
    Category::Exec,
    Category::Eval,
    Category::Env,
    Category::PathTraversal,
];

/// A suppression marker found in a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker<'a> {
    /// `review-gate: allow <targets> -- <reason>`.
    Allow {
        /// Check ids, id prefixes (`exec.python`), categories, or `all`.
        targets: Vec<&'a str>,
        /// The reason after `--`, if given.
        reason: Option<&'a str>,
    },
    /// A marker of another tool (its literal), covering these categories.
    Foreign(&'static str, &'static [Category]),
}

impl<'a> Marker<'a> {
    /// Whether this marker silences a finding of `check` in `category`. An attack finding is silenced only
    /// by its exact id: never by `all`, the `attack` category, a prefix or a wildcard.
    pub fn covers(&self, check: &str, category: Category) -> bool {
        match self {
            Marker::Allow { targets, .. } if category == Category::Attack => {
                targets.contains(&check)
            }
            Marker::Allow { targets, .. } => {
                targets.iter().any(|t| target_covers(t, check, category))
            }
            Marker::Foreign(_, categories) => categories.contains(&category),
        }
    }

    /// The marker's literal as people write it (`review-gate: allow`, `gitleaks:allow`, `nosec`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Marker::Allow { .. } => "review-gate: allow",
            Marker::Foreign(kind, _) => kind,
        }
    }

    /// The reason given after `--` (only review-gate's own marker has one).
    pub fn reason(&self) -> Option<&'a str> {
        match self {
            Marker::Allow { reason, .. } => *reason,
            Marker::Foreign(..) => None,
        }
    }
}

const SECRET_MARKERS: [&str; 4] = [
    "gitleaks:allow",
    "pragma: allowlist",
    "trufflehog:ignore",
    "detect-secrets:allow",
];
const CODE_MARKERS: [&str; 2] = ["nosec", "nosemgrep"];

/// Every literal that starts a marker (none holds another, so the leftmost match is the only one).
fn marker_literals() -> impl Iterator<Item = &'static str> + Clone {
    std::iter::once(ALLOW_MARKER)
        .chain(SECRET_MARKERS)
        .chain(CODE_MARKERS)
}

/// The searcher of [`marker_literals`]: one search finds them all, and most lines have none.
fn marker_finder() -> &'static LiteralSearcher {
    static FINDER: std::sync::OnceLock<LiteralSearcher> = std::sync::OnceLock::new();
    FINDER.get_or_init(|| LiteralSearcher::new(marker_literals(), false))
}

const ALLOW_MARKER: &str = "review-gate:";

/// `text` with every marker literal broken (one byte replaced by `_`, so offsets hold), found by the
/// same search [`markers`] uses: no marker of any kind survives in text where none may count.
pub fn defuse_markers(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for hit in marker_finder().find_iter(text) {
        // Marker literals are ASCII: replacing their second byte keeps the text UTF-8.
        bytes[hit.start() + 1] = b'_';
    }
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

/// Every marker in `line`, with its byte offset.
pub fn markers(line: &str) -> Vec<(usize, Marker<'_>)> {
    let mut found = Vec::new();
    for hit in marker_finder().find_iter(line) {
        let pos = hit.start();
        let marker = &line[pos..hit.end()];
        if marker == ALLOW_MARKER {
            let rest = line[hit.end()..].trim_start();
            if let Some(body) = rest.strip_prefix("allow") {
                found.push((pos, parse_allow(body)));
            }
        } else if SECRET_MARKERS.contains(&marker) {
            let kind = if marker == "pragma: allowlist" {
                "pragma: allowlist secret"
            } else {
                SECRET_MARKERS[SECRET_MARKERS
                    .iter()
                    .position(|m| *m == marker)
                    .unwrap_or(0)]
            };
            found.push((pos, Marker::Foreign(kind, &[Category::Secret])));
        } else {
            let before_ok = pos == 0 || !line.as_bytes()[pos - 1].is_ascii_alphanumeric();
            let after = line.as_bytes().get(hit.end()).copied().unwrap_or(b' ');
            if before_ok && !after.is_ascii_alphabetic() {
                let kind = if marker == "nosec" {
                    "nosec"
                } else {
                    "nosemgrep"
                };
                found.push((pos, Marker::Foreign(kind, &CODE_CATEGORIES)));
            }
        }
    }
    found
}

fn parse_allow(body: &str) -> Marker<'_> {
    let body = body
        .trim_end()
        .trim_end_matches("*/")
        .trim_end_matches("-->")
        .trim_end();
    let (targets, reason) = match body.split_once("--") {
        Some((targets, reason)) => (targets, Some(reason.trim()).filter(|r| !r.is_empty())),
        None => (body, None),
    };
    let targets = targets
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|t| t.trim_start_matches(':'))
        .filter(|t| !t.is_empty())
        .collect();
    Marker::Allow { targets, reason }
}

/// Whether a line holds nothing but a comment (so a marker on it speaks for the next line).
pub fn is_comment_only(line: &str) -> bool {
    let t = line.trim_start();
    ["#", "//", "/*", "*", "--", "<!--", ";", "'", "REM ", "rem "]
        .iter()
        .any(|p| t.starts_with(p))
}

/// Whether `before` (the text of a line before a marker) opens a comment, for formats without a lexer
/// (plain text, `.env` files): a `#`, `//`, `/*`, `--`, `;`, `<!--` or `REM` at the start of the line or
/// after a space. A marker in a value (`KEY="review-gate: allow all"`) opens nothing and counts for nothing.
pub fn comment_opened_before(before: &str) -> bool {
    const OPENERS: [&str; 7] = ["#", "//", "/*", "--", ";", "<!--", "REM "];
    let bytes = before.as_bytes();
    OPENERS.iter().any(|opener| {
        before
            .match_indices(opener)
            .any(|(at, _)| at == 0 || bytes[at - 1].is_ascii_whitespace())
            || before.trim_start().to_ascii_uppercase().starts_with(opener)
    })
}

/// A finding silenced by an inline marker the change adds (in a `scan`, by any marker): the record a
/// reviewer is shown.
#[derive(Debug, Clone)]
pub struct Silence {
    /// 1-based line of the marker.
    pub marker_line: u32,
    /// The marker's literal ([`Marker::kind`]).
    pub kind: &'static str,
    /// The reason given with the marker, redacted ([`redact_reason`]).
    pub reason: Option<String>,
    /// The finding it silenced.
    pub finding: Finding,
}

/// Longest reason kept, in characters.
const MAX_REASON_CHARS: usize = 200;

/// A marker's reason as it may be printed: every word that looks like a credential (long, mixed letters
/// and digits, high entropy) masked, and cut to [`MAX_REASON_CHARS`].
pub fn redact_reason(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len().min(MAX_REASON_CHARS * 4));
    for (i, word) in reason.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let has_digit = word.bytes().any(|b| b.is_ascii_digit());
        let has_alpha = word.bytes().any(|b| b.is_ascii_alphabetic());
        if word.len() >= 12
            && has_digit
            && has_alpha
            && super::secrets::shannon_entropy(word) >= 3.0
        {
            out.push_str(&super::snippet::mask_secret(word));
        } else {
            out.push_str(word);
        }
    }
    if out.chars().count() > MAX_REASON_CHARS {
        out = out
            .chars()
            .take(MAX_REASON_CHARS)
            .chain("…".chars())
            .collect();
    }
    out
}

/// Groups silenced findings into one record per marker (path, line and kind), keeping only the findings
/// `reported` says would have been reported (a signal silenced is nothing a reviewer would have seen).
/// Sorted by path and line.
pub fn gather(silences: Vec<Silence>, reported: impl Fn(&Finding) -> bool) -> Vec<Suppression> {
    let mut out: Vec<Suppression> = Vec::new();
    let mut silences: Vec<Silence> = silences
        .into_iter()
        .filter(|s| reported(&s.finding))
        .collect();
    silences.sort_by(|a, b| {
        (
            a.finding.path.as_str(),
            a.marker_line,
            a.kind,
            a.finding.line,
            a.finding.column,
        )
            .cmp(&(
                b.finding.path.as_str(),
                b.marker_line,
                b.kind,
                b.finding.line,
                b.finding.column,
            ))
    });
    for s in silences {
        let silenced = Silenced {
            check: s.finding.check,
            category: s.finding.category,
            severity: s.finding.severity,
            line: s.finding.line,
            column: s.finding.column,
            message: s.finding.message,
            fingerprint: s.finding.fingerprint,
        };
        match out.last_mut() {
            Some(last)
                if last.path == s.finding.path
                    && last.line == s.marker_line
                    && last.marker == s.kind =>
            {
                if !last
                    .silenced
                    .iter()
                    .any(|x| x.check == silenced.check && x.line == silenced.line)
                {
                    last.silenced.push(silenced);
                }
            }
            _ => out.push(Suppression {
                path: s.finding.path,
                line: s.marker_line,
                marker: s.kind.to_string(),
                reason: s.reason,
                silenced: vec![silenced],
            }),
        }
    }
    out
}

/// The note added to an attack finding that a marker added with it tried to silence.
pub fn refused_note(marker_line: u32, severity: Severity) -> String {
    format!(
        "an inline marker this change adds (line {marker_line}) tried to silence it and was refused: \
         a marker added with a change never silences an {severity}-level attack"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No marker literal holds another, and the packed search finds what the standard automaton the
    /// markers were first found with finds, markers touching and repeated.
    #[test]
    fn the_marker_search_is_the_standard_automaton() {
        let literals: Vec<&str> = marker_literals().collect();
        for a in &literals {
            for b in &literals {
                assert!(a == b || !a.contains(b), "{a} holds {b}");
            }
        }
        assert!(matches!(marker_finder(), LiteralSearcher::Packed(_)));
        let automaton = aho_corasick::AhoCorasick::new(&literals).unwrap();
        let mut texts: Vec<String> = literals
            .iter()
            .flat_map(|a| {
                literals
                    .iter()
                    .map(move |b| format!("x {a}{b} # {a} {b}nosec"))
            })
            .collect();
        texts.extend(
            [
                "",
                "no markers",
                "nosemgrepnosec",
                "# review-gate: allow exec",
            ]
            .map(String::from),
        );
        let spans = |it: &mut dyn Iterator<Item = aho_corasick::Match>| -> Vec<(usize, usize)> {
            it.map(|m| (m.start(), m.end())).collect()
        };
        for text in &texts {
            assert_eq!(
                spans(&mut marker_finder().find_iter(text)),
                spans(&mut automaton.find_iter(text)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn parses_allow_with_and_without_reason() {
        let m = markers("x() # review-gate: allow exec.python.subprocess, env -- reviewed in #12");
        assert_eq!(
            m[0].1,
            Marker::Allow {
                targets: vec!["exec.python.subprocess", "env"],
                reason: Some("reviewed in #12")
            }
        );
        let m = markers("x() /* review-gate: allow exec */");
        assert_eq!(
            m[0].1,
            Marker::Allow {
                targets: vec!["exec"],
                reason: None
            }
        );
    }

    #[test]
    fn covers_ids_prefixes_and_categories() {
        let m = Marker::Allow {
            targets: vec!["exec.python"],
            reason: None,
        };
        assert!(m.covers("exec.python.subprocess", Category::Exec));
        assert!(!m.covers("exec.pythonic", Category::Exec));
        assert!(!m.covers("eval.python.pickle", Category::Eval));
        let m = Marker::Allow {
            targets: vec!["eval"],
            reason: None,
        };
        assert!(m.covers("eval.python.pickle", Category::Eval));
    }

    #[test]
    fn foreign_markers_cover_their_categories() {
        let m = markers("password = 'x' # pragma: allowlist secret");
        assert!(m[0].1.covers("secret.generic", Category::Secret));
        assert!(!m[0].1.covers("exec.x", Category::Exec));
        let m = markers("os.system(x)  # nosec B605");
        assert!(m[0].1.covers("exec.python.os-system", Category::Exec));
        assert!(markers("nosecurity()").is_empty());
    }

    #[test]
    fn attack_findings_are_covered_only_by_their_exact_id() {
        let cases: [(&str, bool); 7] = [
            ("x # review-gate: allow attack.exfiltration -- t", true),
            ("x # review-gate: allow attack -- t", false),
            ("x # review-gate: allow all -- t", false),
            ("x # review-gate: allow attack* -- t", false),
            ("x # review-gate: allow attack.exfil -- t", false),
            ("x # nosec", false),
            ("x # gitleaks:allow", false),
        ];
        for (line, covered) in cases {
            let found = markers(line);
            assert_eq!(
                found
                    .iter()
                    .any(|(_, m)| m.covers("attack.exfiltration", Category::Attack)),
                covered,
                "{line}"
            );
        }
        // `all` still covers every other category.
        assert!(markers("x # review-gate: allow all -- t")[0]
            .1
            .covers("exec.python.subprocess", Category::Exec));
    }

    #[test]
    fn markers_know_their_kind_and_reason() {
        let cases = [
            ("k = 'v'  # gitleaks:allow", "gitleaks:allow", None),
            (
                "k = 'v'  # pragma: allowlist secret",
                "pragma: allowlist secret",
                None,
            ),
            ("k = 'v'  # trufflehog:ignore", "trufflehog:ignore", None),
            (
                "k = 'v'  # detect-secrets:allow",
                "detect-secrets:allow",
                None,
            ),
            ("run(x)  # nosemgrep", "nosemgrep", None),
            ("run(x)  # nosec B602", "nosec", None),
            (
                "run(x)  # review-gate: allow exec -- fixed argv",
                "review-gate: allow",
                Some("fixed argv"),
            ),
        ];
        for (line, kind, reason) in cases {
            let found = markers(line);
            assert_eq!(found.len(), 1, "{line}");
            assert_eq!(found[0].1.kind(), kind, "{line}");
            assert_eq!(found[0].1.reason(), reason, "{line}");
        }
    }

    #[test]
    fn text_markers_count_only_after_a_comment_opens() {
        let cases = [
            ("KEY=abc ", false),
            ("KEY=\"x ", false),
            ("KEY=abc#", false),
            ("KEY=abc # ", true),
            ("# ", true),
            ("  // ", true),
            ("x; ", false),
            ("x ; ", true),
            ("REM ", true),
            ("rem ", true),
            ("<!-- ", true),
            ("-- ", true),
        ];
        for (before, counts) in cases {
            assert_eq!(comment_opened_before(before), counts, "{before:?}");
        }
    }

    #[test]
    fn reasons_are_redacted_and_cut() {
        assert_eq!(
            redact_reason("fixed argv, see #812"),
            "fixed argv, see #812"
        );
        let token = "ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3";
        let shown = redact_reason(&format!("test key {token} from the docs"));
        assert!(!shown.contains(&token[8..]), "{shown}");
        assert!(shown.starts_with("test key ") && shown.ends_with(" from the docs"));
        assert!(redact_reason(&"word ".repeat(100)).chars().count() <= MAX_REASON_CHARS + 1);
    }
}
