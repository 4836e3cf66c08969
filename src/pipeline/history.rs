//! Every commit of a range, one by one: what only history holds.
//!
//! The net change of a range cannot show a secret added in one commit and deleted in a later one, yet
//! the key stays in every clone and in the pull request's refs. After the net review, each commit of
//! the range is reviewed against its first parent (in parallel, one repository handle per thread) with
//! the secret checks and the attack checks (`--commits secrets`) or every check (`--commits all`). A
//! finding the net review already reports is left alone; any other is reported once, by fingerprint, at
//! the first commit that adds it, with whether the tip still holds it.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, Result};
use rayon::prelude::*;

use super::{assign_roles, select, Analysis, Selection};
use crate::checks::CheckSet;
use crate::model::{Category, CommitRef, CommitsMode, Finding, HistoryFinding, Severity};
use crate::policy::{self, Policy};
use crate::source::commits::{self, RangeCommits};

/// What the per-commit review says when it could not look at some commits.
pub const SHALLOW_NOTE: &str = "commits whose parents were not fetched (a shallow clone) were not reviewed one by one: fetch the history (`git fetch --unshallow`, or `fetch-depth: 0` for actions/checkout)";

/// One commit's findings the net review does not have, with the matched text of each.
struct CommitFindings {
    commit: CommitRef,
    found: Vec<(Finding, String)>,
}

/// Reviews each commit of `range` (in the repository whose git directory is `git_dir`) on its own and
/// adds to `analysis` the findings the net review does not show. `tip` reads a file of the range's
/// new side (None: no such file), to tell whether a finding is still there.
pub fn review_commits(
    analysis: &mut Analysis,
    git_dir: &Path,
    range: &RangeCommits,
    mode: CommitsMode,
    tip: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Result<()> {
    if mode == CommitsMode::None || range.ids.is_empty() {
        return Ok(());
    }
    let (mut set, support) = match mode {
        CommitsMode::All => (
            Arc::new((*analysis.checks).clone()),
            analysis.support.clone(),
        ),
        _ => {
            let selection = Selection {
                categories: vec!["secret".into(), "attack".into()],
                ..Default::default()
            };
            let chosen: Vec<_> = analysis
                .checks
                .checks
                .iter()
                .filter(|c| !analysis.support.contains(c.meta.id.as_ref()))
                .cloned()
                .collect();
            let selected = select(chosen, &analysis.policy, &selection)?;
            (selected.set, selected.support)
        }
    };
    if set.checks.is_empty() {
        return Ok(());
    }
    // Each commit reviews the same paths again: which checks apply to each is worked out once.
    if let Some(set) = Arc::get_mut(&mut set) {
        set.remember_applies();
    }
    let policy = &analysis.policy;
    // Runs of consecutive commits, a few per thread: each run opens the repository once and reads
    // each blob once (a file's new version in one commit is its old version in the next).
    let runs = rayon::current_num_threads().max(1) * 4;
    let per_run = range.ids.len().div_ceil(runs).max(1);
    let results: Vec<Result<CommitFindings>> = range
        .ids
        .par_chunks(per_run)
        .flat_map_iter(|chunk| {
            let repo = commits::reopen(git_dir);
            let mut cache = commits::BlobCache::default();
            chunk
                .iter()
                .map(|id| {
                    let repo = repo.as_ref().map_err(|e| anyhow!("{e:#}"))?;
                    review_one(repo, *id, &mut cache, &set, &support, policy, mode)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let net: HashSet<&str> = analysis
        .review
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    // A secret the net change reports (at whatever path it ended up, e.g. after a rename) is reported
    // there already.
    let net_files: HashMap<&str, &crate::model::ChangedFile> = analysis
        .changes
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();
    let net_secrets: HashSet<(String, String)> = analysis
        .review
        .findings
        .iter()
        .filter(|f| f.category == Category::Secret)
        .map(|f| {
            let file = net_files.get(f.path.as_str()).copied();
            (f.check.clone(), matched_text(file, f))
        })
        .filter(|(_, value)| !value.is_empty())
        .collect();
    let mut seen: HashMap<String, HistoryFinding> = HashMap::new();
    let mut added = Vec::new();
    let mut secrets = Vec::new();
    for result in results {
        let CommitFindings { commit, found } = result?;
        for (mut finding, matched) in found {
            if net.contains(finding.fingerprint.as_str())
                || seen.contains_key(&finding.fingerprint)
                || (finding.category == Category::Secret
                    && net_secrets.contains(&(finding.check.clone(), matched.clone())))
            {
                continue;
            }
            let still_present = !matched.is_empty()
                && tip(&finding.path).is_some_and(|bytes| contains(&bytes, matched.as_bytes()));
            if finding.category == Category::Secret {
                secrets.push(matched);
            }
            describe(&mut finding, &commit, still_present);
            seen.insert(
                finding.fingerprint.clone(),
                HistoryFinding {
                    commit: commit.clone(),
                    still_present,
                },
            );
            added.push(finding);
        }
    }
    let review = &mut analysis.review;
    for secret in &secrets {
        review.redactor.add_secret(secret);
    }
    review.summary.commits = range.ids.len();
    review.history.extend(seen);
    review.add_findings(added);
    review.redact_in_place();
    Ok(())
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// Says where the finding comes from; a secret the tip no longer holds (at warning or error) becomes an
/// error: deleting it did not take it out of the history every clone keeps.
fn describe(finding: &mut Finding, commit: &CommitRef, still_present: bool) {
    let at = format!(
        "in commit {} ({}, \"{}\")",
        commit.sha, commit.date, commit.subject
    );
    if still_present {
        finding.message = format!("{} — {at}; still present at the tip", finding.message);
        return;
    }
    finding.message = if finding.category == Category::Secret {
        format!(
            "{} — added {at}, removed in a later commit: still in history — rotate it and rewrite the branch",
            finding.message
        )
    } else {
        format!(
            "{} — added {at}, gone from the tip but still in history",
            finding.message
        )
    };
    if finding.category == Category::Secret
        && finding.severity >= Severity::Warning
        && finding.severity < Severity::Error
        && finding.role_lowered_from.is_none()
    {
        finding.original_severity.get_or_insert(finding.severity);
        finding.severity = Severity::Error;
    }
}

/// One commit against its first parent: the findings `mode` keeps, after the configuration's excludes,
/// allows, overrides and file roles.
fn review_one(
    repo: &git2::Repository,
    id: git2::Oid,
    cache: &mut commits::BlobCache,
    set: &CheckSet,
    support: &HashSet<String>,
    policy: &Policy,
    mode: CommitsMode,
) -> Result<CommitFindings> {
    let commit = commits::commit_ref(repo, id)?;
    let mut changes = commits::commit_changes(repo, id, cache)?;
    changes.files.retain(|f| policy.includes_path(&f.path));
    if changes.files.is_empty() && changes.skipped.binary_text.is_empty() {
        return Ok(CommitFindings {
            commit,
            found: Vec::new(),
        });
    }
    let roles = assign_roles(policy, &mut changes);
    let output = crate::engine::review(
        set,
        &changes,
        &crate::engine::Options {
            support: Some(support),
            ..Default::default()
        },
    );
    let kept = |f: &Finding| match mode {
        CommitsMode::All => true,
        _ => {
            f.category == Category::Secret
                || (f.category == Category::Attack && f.severity == Severity::Error)
        }
    };
    let findings: Vec<Finding> = output.findings.into_iter().filter(kept).collect();
    if findings.is_empty() {
        return Ok(CommitFindings {
            commit,
            found: Vec::new(),
        });
    }
    let findings = policy.apply(findings);
    let role_of = |path: &str| {
        roles
            .get(path)
            .copied()
            .unwrap_or_else(|| policy.role_for(path, crate::model::Role::from_path(path)))
    };
    let (findings, _) = policy::roles::apply(findings, role_of);
    let files: HashMap<&str, &crate::model::ChangedFile> =
        changes.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let found = findings
        .into_iter()
        .filter(kept)
        .map(|f| {
            let matched = matched_text(files.get(f.path.as_str()).copied(), &f);
            (f, matched)
        })
        .collect();
    Ok(CommitFindings { commit, found })
}

/// The text a finding matched on its line (empty when the line is not an added line of a file).
pub(super) fn matched_text(file: Option<&crate::model::ChangedFile>, finding: &Finding) -> String {
    let Some(file) = file else {
        return String::new();
    };
    let Ok(at) = file.added.binary_search_by_key(&finding.line, |l| l.number) else {
        return String::new();
    };
    let text = file.line_text(&file.added[at]);
    let from = finding.column.saturating_sub(1) as usize;
    let to = finding.end_column.saturating_sub(1) as usize;
    text.chars()
        .skip(from)
        .take(to.saturating_sub(from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(category: Category, severity: Severity) -> Finding {
        Finding {
            path: "a".into(),
            line: 1,
            column: 1,
            end_column: 2,
            snippet_width: 1,
            fingerprint: "f".into(),
            ..Finding::of("secret.x", category, severity, "found")
        }
    }

    #[test]
    fn a_secret_gone_from_the_tip_is_an_error_that_says_so() {
        let commit = CommitRef::new("0123456789abcdef", 0, "add key");
        let mut f = finding(Category::Secret, Severity::Warning);
        describe(&mut f, &commit, false);
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.original_severity, Some(Severity::Warning));
        assert!(f.message.contains("0123456789ab (1970-01-01, \"add key\")"));
        assert!(f.message.contains("rotate it and rewrite the branch"));
        // A note stays a note; one still at the tip keeps its severity; other findings are not raised.
        for (category, severity, still) in [
            (Category::Secret, Severity::Note, false),
            (Category::Secret, Severity::Warning, true),
            (Category::Exec, Severity::Warning, false),
        ] {
            let mut f = finding(category, severity);
            describe(&mut f, &commit, still);
            assert_eq!(f.severity, severity);
        }
        let mut f = finding(Category::Exec, Severity::Warning);
        describe(&mut f, &commit, false);
        assert!(!f.message.contains("rotate"), "{}", f.message);
    }
}
