//! Inline suppressions: review-gate's own `review-gate: allow <check|category> -- <reason>` and the
//! markers teams already have from other tools.

use crate::model::Category;

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
    /// A marker of another tool, covering these categories.
    Foreign(&'static [Category]),
}

impl Marker<'_> {
    /// Whether this marker silences a finding of `check` in `category`.
    pub fn covers(&self, check: &str, category: Category) -> bool {
        match self {
            Marker::Allow { targets, .. } => {
                targets.iter().any(|t| target_covers(t, check, category))
            }
            Marker::Foreign(categories) => categories.contains(&category),
        }
    }
}

/// Whether an allow target (id, id prefix, category or `all`) covers a check.
pub fn target_covers(target: &str, check: &str, category: Category) -> bool {
    target == "all"
        || target == category.as_str()
        || target == check
        || (check.starts_with(target) && check.as_bytes().get(target.len()) == Some(&b'.'))
        || target
            .strip_suffix('*')
            .is_some_and(|prefix| check.starts_with(prefix))
}

const SECRET_MARKERS: [&str; 4] = [
    "gitleaks:allow",
    "pragma: allowlist",
    "trufflehog:ignore",
    "detect-secrets:allow",
];
const CODE_MARKERS: [&str; 2] = ["nosec", "nosemgrep"];

/// Every literal that starts a marker: one search finds them all, and most lines have none.
fn marker_finder() -> &'static aho_corasick::AhoCorasick {
    static FINDER: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    FINDER.get_or_init(|| {
        let mut literals = vec![ALLOW_MARKER];
        literals.extend(SECRET_MARKERS);
        literals.extend(CODE_MARKERS);
        aho_corasick::AhoCorasick::new(literals).expect("marker literals build")
    })
}

const ALLOW_MARKER: &str = "review-gate:";

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
            found.push((pos, Marker::Foreign(&[Category::Secret])));
        } else {
            let before_ok = pos == 0 || !line.as_bytes()[pos - 1].is_ascii_alphanumeric();
            let after = line.as_bytes().get(hit.end()).copied().unwrap_or(b' ');
            if before_ok && !after.is_ascii_alphabetic() {
                found.push((pos, Marker::Foreign(&CODE_CATEGORIES)));
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
