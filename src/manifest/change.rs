//! What a change did to one dependency's version constraint: nothing (the same constraint written
//! another way), an upgrade or downgrade of its (lower-bound) version, a loosened or tightened pin, or
//! another source.
//!
//! Constraints are compared by their comparators (`>=1.9`, `<2`, `^1.2`), read leniently across
//! ecosystems: whitespace, quotes and a `v` prefix do not matter, nor do trailing `.0` components where
//! the ecosystem gives them no meaning (`>=1.9` is `>=1.9.0`, `^1.2` is `^1.2.0`, Cargo's `1.2` is
//! `^1.2.0`; npm's bare `1.2` — a range — and PEP 440's `~=1.2` are kept as written).

use crate::model::{Change, Source};

/// How much a constraint accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Width {
    /// One version.
    Exact,
    /// A range with an upper bound (explicit or implied by `^`, `~`, `~=`, `~>`, a wildcard).
    Bounded,
    /// Any future release.
    Open,
}

/// A constraint read for comparison.
#[derive(Debug, PartialEq, Eq)]
struct Reading {
    /// The comparators, canonical and sorted.
    canonical: Vec<String>,
    /// The lowest version it names with a lower-bound (or exact) operator.
    lower: Option<Vec<u64>>,
    /// The explicit upper bound (`<`, `<=`), if any.
    upper: Option<Vec<u64>>,
    width: Width,
}

/// Whether two constraints of `ecosystem` say the same thing (`>=1.9` and `>= 1.9.0`, `'^1.2'` and
/// `^1.2.0`).
pub fn same_spec(ecosystem: &str, a: &str, b: &str) -> bool {
    a == b || read(ecosystem, a).canonical == read(ecosystem, b).canonical
}

/// What changed from the constraint `from` (at `from_source`) to `to` (at `to_source`), both as written;
/// `None` when they say the same thing.
pub fn classify(
    ecosystem: &str,
    (from, from_source): (&str, Source),
    (to, to_source): (&str, Source),
) -> Option<Change> {
    if from_source != to_source {
        return Some(Change::SourceChanged);
    }
    if same_spec(ecosystem, from, to) {
        return None;
    }
    // A git or URL spec names its repository; an action's or hook repository's ref (`v4`) does not.
    let location = |s: &str| s.contains('/') || s.contains(':');
    if from_source != Source::Registry
        && (location(from) || location(to))
        && strip_ref(from) != strip_ref(to)
    {
        return Some(Change::SourceChanged);
    }
    // A tag or branch becoming a full commit or digest (an action, a pre-commit rev, an image) pins it;
    // the reverse loosens.
    let pinned = |s: &str| super::is_full_sha(s.trim()) || s.contains("sha256:");
    let (old_sha, new_sha) = (pinned(from), pinned(to));
    if old_sha != new_sha {
        return Some(if new_sha {
            Change::Tightened
        } else {
            Change::Loosened
        });
    }
    let (old, new) = (read(ecosystem, from), read(ecosystem, to));
    if let (Some(a), Some(b)) = (&old.lower, &new.lower) {
        match compare(a, b) {
            std::cmp::Ordering::Less => return Some(Change::Upgraded),
            std::cmp::Ordering::Greater => return Some(Change::Downgraded),
            std::cmp::Ordering::Equal => {}
        }
    }
    if old.width != new.width {
        return Some(if new.width > old.width {
            Change::Loosened
        } else {
            Change::Tightened
        });
    }
    if let (Some(a), Some(b)) = (&old.upper, &new.upper) {
        match compare(a, b) {
            std::cmp::Ordering::Less => return Some(Change::Loosened),
            std::cmp::Ordering::Greater => return Some(Change::Tightened),
            std::cmp::Ordering::Equal => {}
        }
    }
    Some(Change::Changed)
}

/// A git or URL spec without its `#ref`/`@ref`, to tell another repository from another revision.
fn strip_ref(spec: &str) -> &str {
    let spec = spec.trim();
    let spec = spec.split('#').next().unwrap_or(spec);
    match spec.rfind('@') {
        Some(at) if spec[at..].contains('/') => spec,
        Some(at) if spec.contains("://") || spec.starts_with("git") => &spec[..at],
        _ => spec,
    }
}

/// The operators, longest first.
const OPERATORS: [&str; 13] = [
    "===", "==", ">=", "<=", "~=", "!=", "~>", "^", "~", ">", "<", "=", "",
];

fn read(ecosystem: &str, spec: &str) -> Reading {
    let cleaned: String = spec
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .to_ascii_lowercase();
    let mut canonical = Vec::new();
    let mut lower: Option<Vec<u64>> = None;
    let mut upper: Option<Vec<u64>> = None;
    let mut width = if cleaned.is_empty() || matches!(cleaned.as_str(), "*" | "latest" | "x") {
        Width::Open
    } else {
        Width::Exact
    };
    let mut has_upper = false;
    let mut has_lower_only = false;
    let any_of = cleaned.contains("||");
    // Comparators are separated by commas, `||` or whitespace; an operator may stand apart from its
    // version (`>= 1.9`), so whitespace right after an operator is joined first.
    let mut joined = String::with_capacity(cleaned.len());
    let mut after_operator = false;
    for c in cleaned.chars() {
        if c.is_whitespace() && after_operator {
            continue;
        }
        after_operator = matches!(c, '<' | '>' | '=' | '~' | '^' | '!');
        joined.push(c);
    }
    for part in joined
        .split([',', ' ', '\t', '|'])
        .filter(|p| !p.is_empty())
    {
        let op = OPERATORS
            .iter()
            .find(|op| part.starts_with(**op))
            .copied()
            .unwrap_or("");
        let version = part[op.len()..].trim_start_matches('v');
        let numbers = numeric(version);
        let wildcard = version.contains(['*', 'x']) || version.is_empty();
        // Trailing `.0` components mean nothing for these operators (in Cargo, a bare version is `^`).
        let bare_caret = op.is_empty() && ecosystem == "crates";
        let trim_zeros = matches!(op, ">=" | ">" | "<" | "==" | "===")
            || (op == "^" && numbers.first().is_some_and(|&n| n > 0))
            || (bare_caret && numbers.first().is_some_and(|&n| n > 0));
        let op_name = if bare_caret { "^" } else { op };
        let shown = if trim_zeros
            && !numbers.is_empty()
            && version.chars().all(|c| c.is_ascii_digit() || c == '.')
        {
            let mut n = numbers.clone();
            while n.len() > 1 && n.last() == Some(&0) {
                n.pop();
            }
            n.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
        } else {
            version.to_string()
        };
        canonical.push(format!("{op_name}{shown}"));
        match op_name {
            "<" | "<=" => {
                has_upper = true;
                upper = Some(numbers);
            }
            ">=" | ">" => {
                has_lower_only = true;
                lower = bound(lower, numbers, any_of);
            }
            "!=" => {}
            "^" | "~" | "~=" | "~>" => {
                has_upper = true;
                lower = bound(lower, numbers, any_of);
            }
            _ => {
                if wildcard || (ecosystem == "npm" && numbers.len() < 3) {
                    has_upper = true;
                } else if !numbers.is_empty() {
                    width = width.max(Width::Exact);
                }
                lower = bound(lower, numbers, any_of);
            }
        }
    }
    if width != Width::Open {
        if has_lower_only && !has_upper {
            width = Width::Open;
        } else if has_upper {
            width = Width::Bounded;
        }
    }
    canonical.sort();
    Reading {
        canonical,
        lower,
        upper,
        width,
    }
}

/// The numeric components of a version (`1.2.3-rc1` → [1, 2, 3]); stops at the first that is not a number.
fn numeric(version: &str) -> Vec<u64> {
    version
        .split('.')
        .map_while(|c| {
            let digits: &str = &c[..c.find(|ch: char| !ch.is_ascii_digit()).unwrap_or(c.len())];
            digits.parse().ok()
        })
        .collect()
}

/// The lower bound so far and another comparator's: the lowest for alternatives (`||`), else the highest
/// (comparators that must all hold: `~> 7.1.3, >= 7.1.3.4` accepts 7.1.3.4 and up).
fn bound(current: Option<Vec<u64>>, candidate: Vec<u64>, any_of: bool) -> Option<Vec<u64>> {
    if candidate.is_empty() {
        return current;
    }
    match current {
        Some(c) if compare(&c, &candidate).is_le() == any_of => Some(c),
        _ => Some(candidate),
    }
}

/// Versions compared component by component, missing components as 0.
fn compare(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| {
            a.get(i)
                .copied()
                .unwrap_or(0)
                .cmp(&b.get(i).copied().unwrap_or(0))
        })
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(ecosystem: &str, from: &str, to: &str) -> Option<Change> {
        classify(ecosystem, (from, Source::Registry), (to, Source::Registry))
    }

    #[test]
    fn the_same_constraint_written_another_way_is_no_change() {
        for (eco, a, b) in [
            ("pypi", ">=1.9", ">=1.9.0"),
            ("pypi", ">=1.9,<2", "<2.0, >=1.9"),
            ("pypi", ">= 1.9", ">=1.9"),
            ("pypi", "==2.31", "==2.31.0"),
            ("npm", "^1.2", "^1.2.0"),
            ("npm", "'^1.2.0'", "\"^1.2.0\""),
            ("crates", "1.2", "1.2.0"),
            ("crates", "1.2", "^1.2"),
            ("actions", "v4", "v4"),
        ] {
            assert_eq!(kind(eco, a, b), None, "{eco} {a} {b}");
        }
        for (eco, a, b) in [
            ("pypi", "~=1.2", "~=1.2.0"),
            ("npm", "1.2", "1.2.0"),
            ("npm", "^0.0", "^0.0.0"),
        ] {
            assert!(kind(eco, a, b).is_some(), "{eco} {a} {b}");
        }
    }

    #[test]
    fn changes_are_named_by_kind() {
        let cases = [
            ("npm", "0.7.1", "^0.7.1", Change::Loosened),
            ("npm", "^0.7.1", "0.7.1", Change::Tightened),
            ("npm", "^4.17.20", "^4.17.21", Change::Upgraded),
            ("npm", "^5.0.0", "^4.17.21", Change::Downgraded),
            ("npm", "^1.2.0", "*", Change::Loosened),
            ("pypi", "==2.31.0", "==2.32.3", Change::Upgraded),
            ("pypi", ">=1.9,<2", ">=1.9", Change::Loosened),
            ("pypi", ">=1.9,<2", ">=1.9,<3", Change::Loosened),
            ("actions", "v3", "v4", Change::Upgraded),
            ("actions", "v4", "v3", Change::Downgraded),
            (
                "actions",
                "v4",
                "11bd71901bbe5b1630ceea73d27597364c9af683",
                Change::Tightened,
            ),
            ("pre-commit", "v4.5.0", "v4.6.0", Change::Upgraded),
            (
                "docker",
                "20-alpine",
                "20-alpine@sha256:2d07db07a2df",
                Change::Tightened,
            ),
            ("crates", "1.0", "1.1", Change::Upgraded),
            (
                "rubygems",
                "~> 7.1.3",
                "~> 7.1.3, >= 7.1.3.4",
                Change::Upgraded,
            ),
            (
                "npm",
                "^1.0.0 || ^2.0.0",
                "^1.2.0 || ^2.0.0",
                Change::Upgraded,
            ),
        ];
        for (eco, from, to, expected) in cases {
            assert_eq!(kind(eco, from, to), Some(expected), "{eco} {from} → {to}");
        }
    }

    #[test]
    fn another_source_is_a_source_change() {
        assert_eq!(
            classify(
                "npm",
                ("^1.0.0", Source::Registry),
                ("github:a/b", Source::Git)
            ),
            Some(Change::SourceChanged)
        );
        assert_eq!(
            classify(
                "npm",
                ("github:a/b#v1", Source::Git),
                ("github:c/b#v1", Source::Git)
            ),
            Some(Change::SourceChanged)
        );
    }
}
