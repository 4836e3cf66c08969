//! `.pre-commit-config.yaml`: each `repo:` with its `rev:` is third-party code that runs on every
//! developer machine that installs the hooks. `local` and `meta` repositories are the project's own and
//! skipped.
//!
//! Line-based: a `- repo:` item opens a repository, a `rev:` in it gives its revision; the declaration is
//! the repository (named by its URL without the scheme and `.git`) with its revision as the spec, at the
//! `rev:` line (the line a bump changes), or the `repo:` line when there is no `rev:`.

use super::actions::{strip_comment, unquote};
use super::{DeclKind, Declared, Source};

/// Reads the hook repositories of a pre-commit configuration. Never fails.
pub fn parse(text: &str) -> Result<Vec<Declared>, String> {
    let mut out: Vec<Declared> = Vec::new();
    // The repository being read: its index in `out` and whether a `rev:` was seen.
    let mut open: Option<usize> = None;
    for (idx, raw) in text.lines().enumerate() {
        let line = idx as u32 + 1;
        let trimmed = strip_comment(raw).trim();
        let item = trimmed.strip_prefix("- ").map_or(trimmed, str::trim_start);
        if let Some(value) = item.strip_prefix("repo:") {
            let url = unquote(value.trim());
            open = None;
            if url.is_empty() || matches!(url, "local" | "meta") {
                continue;
            }
            open = Some(out.len());
            out.push(Declared {
                kind: DeclKind::Package,
                name: repo_name(url).to_string(),
                spec: String::new(),
                source: Source::Git,
                line,
            });
        } else if let Some(value) = item.strip_prefix("rev:") {
            if let Some(at) = open {
                out[at].spec = unquote(value.trim()).to_string();
                out[at].line = line;
            }
        }
    }
    Ok(out)
}

/// `https://github.com/psf/black.git` → `github.com/psf/black`.
fn repo_name(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.trim_end_matches('/');
    rest.strip_suffix(".git").unwrap_or(rest)
}

/// Whether a pre-commit `rev` is a tag or commit (it names a release: a full or short SHA, or holds a
/// digit, as `v4.5.0`, `23.1.0` and `release-2` do) rather than a branch (`main`, `master`, `stable`).
pub fn is_pinned_rev(rev: &str) -> bool {
    let rev = rev.trim();
    !rev.is_empty()
        && (rev.bytes().any(|b| b.is_ascii_digit())
            || (rev.len() >= 7 && rev.bytes().all(|b| b.is_ascii_hexdigit())))
        && !matches!(rev, "HEAD")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_support::{pkg, summary};

    #[test]
    fn repos_with_their_revs() {
        let text = "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.5.0  # pinned\n    hooks:\n      - id: trailing-whitespace\n  - repo: local\n    hooks:\n      - id: lint\n        rev: nope\n  - repo: 'https://github.com/psf/black.git'\n    rev: \"stable\"\n";
        assert_eq!(
            summary(&parse(text).unwrap()),
            vec![
                pkg(
                    3,
                    "github.com/pre-commit/pre-commit-hooks",
                    "v4.5.0",
                    Source::Git
                ),
                pkg(11, "github.com/psf/black", "stable", Source::Git),
            ]
        );
    }

    #[test]
    fn tags_and_commits_are_pinned_and_branches_are_not() {
        for rev in [
            "v4.5.0",
            "23.1.0",
            "e3a5f6c",
            "11bd71901bbe5b1630ceea73d27597364c9af683",
        ] {
            assert!(is_pinned_rev(rev), "{rev}");
        }
        for rev in ["main", "master", "stable", "HEAD", ""] {
            assert!(!is_pinned_rev(rev), "{rev}");
        }
    }
}
