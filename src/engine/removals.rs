//! The removal stage: what a change takes away. The `on: removed` checks run over each file's removed
//! lines, lexed in the old file's context ([`lines::Pass::Removed`]); a check fires for a file only for
//! the surplus of its matches among the removed lines over its matches among the same file's added
//! lines (a moved, re-indented or re-ordered line, or a lockfile bump that swaps one integrity hash for
//! another, is not a removal). The `on: deleted` checks fire once per deleted file whose path they name.
//! Inline markers never silence a removal: the marker is removed with the line.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::lines::{self, Pass};
use super::WorkStats;
use crate::checks::compile::On;
use crate::checks::{Check, CheckSet};
use crate::model::{AddedLine, ChangedFile, Finding, Fnv64, Side};

/// What the removal stage found.
#[derive(Debug, Default)]
pub struct RemovalRun {
    /// Removed-side findings (unsorted).
    pub findings: Vec<Finding>,
    /// The work the pattern runs did.
    pub stats: WorkStats,
}

/// Whether `set` holds a removal or deletion check.
pub fn has_removal_checks(set: &CheckSet) -> bool {
    set.checks.iter().any(|c| c.on() != On::Added)
}

/// Whether a removal check of `set` may match one of `file`'s removed lines (it applies to the file, and
/// one of its keywords is on a removed line): the old text must be kept for it.
pub fn wants_old_text(set: &CheckSet, file: &ChangedFile) -> bool {
    !file.removed.is_empty() && may_match(set, file)
}

/// Runs the removal and deletion checks of `set` over every file of `files`.
pub fn run(set: &CheckSet, files: &[ChangedFile]) -> RemovalRun {
    if !has_removal_checks(set) {
        return RemovalRun::default();
    }
    let per_file: Vec<RemovalRun> = if files.len() <= 1 {
        files.iter().map(|f| review_file(set, f)).collect()
    } else {
        files.par_iter().map(|f| review_file(set, f)).collect()
    };
    let mut all = RemovalRun::default();
    for run in per_file {
        all.findings.extend(run.findings);
        all.stats.regex_bytes += run.stats.regex_bytes;
        all.stats.condition_bytes += run.stats.condition_bytes;
        all.stats.snippet_bytes += run.stats.snippet_bytes;
        all.stats.matches += run.stats.matches;
    }
    all
}

fn review_file(set: &CheckSet, file: &ChangedFile) -> RemovalRun {
    let mut out = RemovalRun::default();
    if file.deleted {
        for check in set
            .checks
            .iter()
            .filter(|c| c.on() == On::Deleted && c.applies_to(file.language, &file.path))
            .filter(|c| !still_applies(c, file))
        {
            out.findings.push(deleted_finding(check, file));
        }
    }
    if file.removed.is_empty() || !may_match(set, file) {
        return out;
    }
    let Some((old_text, extent)) = file.old_side() else {
        return out;
    };
    // The old version as a file whose "added" lines are the removed ones.
    let old = ChangedFile {
        path: file.path.clone(),
        language: file.language,
        text: old_text.to_string(),
        extent,
        added: file
            .removed
            .iter()
            .map(|l| AddedLine {
                number: l.number,
                start: l.start,
                end: l.end,
            })
            .collect(),
        old_text: None,
        role: file.role,
        base: file.base,
        removed: Vec::new(),
        old_pieces: None,
        deleted: false,
        renamed_to: file.renamed_to.clone(),
    };
    let removed = lines::check_file_pass(
        set,
        &old,
        false,
        Pass::Removed {
            new_text: &file.text,
        },
    );
    drop(old);
    out.stats = removed.stats;
    if removed.findings.is_empty() {
        return out;
    }
    let back = if file.added.is_empty() {
        Vec::new()
    } else {
        let run = lines::check_file_pass(set, file, false, Pass::AddedBack);
        out.stats.regex_bytes += run.stats.regex_bytes;
        out.stats.condition_bytes += run.stats.condition_bytes;
        out.stats.matches += run.stats.matches;
        run.findings
    };
    let added_lines: HashSet<&str> = if back.is_empty() {
        HashSet::new()
    } else {
        file.added
            .iter()
            .map(|l| file.line_text(l).trim())
            .collect()
    };
    out.findings.extend(net(removed.findings, &back, |f| {
        file.removed
            .binary_search_by_key(&f.line, |l| l.number)
            .ok()
            .is_some_and(|i| added_lines.contains(file.removed_text(&file.removed[i]).trim()))
    }));
    out
}

/// Whether some removal check can match a removed line of `file`: one without keywords applies to it,
/// or a keyword of one that applies is on a removed line (one search per line, no allocation).
fn may_match(set: &CheckSet, file: &ChangedFile) -> bool {
    let applies = |idx: u32| {
        let check = &set.checks[idx as usize];
        check.on() == On::Removed && check.applies_to(file.language, &file.path)
    };
    if set.keywordless().iter().any(|&i| applies(i)) {
        return true;
    }
    file.removed.iter().any(|line| {
        set.keyword_hits(file.removed_text(line))
            .any(|(_, keyword)| set.checks_for_keyword(keyword).iter().any(|&i| applies(i)))
    })
}

/// The removed-side findings that outnumber the same check's findings on the added lines (`back`):
/// for each check, its surplus, preferring removed lines that `re_added` does not find among the
/// added lines; the kept findings come back in their order.
pub(super) fn net(
    removed: Vec<Finding>,
    back: &[Finding],
    re_added: impl Fn(&Finding) -> bool,
) -> Vec<Finding> {
    if back.is_empty() {
        return removed;
    }
    let mut added: HashMap<&str, usize> = HashMap::new();
    for f in back {
        *added.entry(f.check.as_str()).or_default() += 1;
    }
    let mut by_check: HashMap<String, Vec<(usize, Finding)>> = HashMap::new();
    for (i, f) in removed.into_iter().enumerate() {
        by_check.entry(f.check.clone()).or_default().push((i, f));
    }
    let mut kept: Vec<(usize, Finding)> = Vec::new();
    for (check, mut found) in by_check {
        let back = added.get(check.as_str()).copied().unwrap_or(0);
        let surplus = found.len().saturating_sub(back);
        if surplus == 0 {
            continue;
        }
        // Lines not added back first (a stable sort keeps their order).
        found.sort_by_key(|(_, f)| re_added(f));
        kept.extend(found.into_iter().take(surplus));
    }
    kept.sort_by_key(|(i, _)| *i);
    kept.into_iter().map(|(_, f)| f).collect()
}

/// The finding of an `on: deleted` check on a deleted file: on its first old line.
/// Whether `check` also looks at the path a deleted file is renamed to: what it reads there lives on,
/// so the rename takes nothing of it away.
pub(super) fn still_applies(check: &Check, file: &ChangedFile) -> bool {
    file.renamed_to.as_deref().is_some_and(|new| {
        // The language the new path is read as (a workflow moved out of `.github/workflows/` is plain
        // YAML there).
        let first = file
            .old_text
            .as_deref()
            .and_then(|t| t.lines().next())
            .unwrap_or("");
        check.applies_to(crate::model::Language::detect(new, first), new)
    })
}

fn deleted_finding(check: &Check, file: &ChangedFile) -> Finding {
    let first = file
        .old_text
        .as_deref()
        .and_then(|t| t.lines().next())
        .unwrap_or("");
    let mut finding = super::deps::policy_finding(
        check,
        &file.path,
        file.old_text.as_deref().unwrap_or(""),
        1,
        String::new(),
    );
    finding.side = Side::Removed;
    finding.message = match &file.renamed_to {
        Some(new) => format!(
            "moves {} to {new}: {}",
            file.path,
            check.meta.message.trim()
        ),
        None => format!("deletes {}: {}", file.path, check.meta.message.trim()),
    };
    if first.trim().is_empty() {
        finding.snippet = format!("(deleted file {})", file.path);
    }
    finding.fingerprint = format!(
        "{:016x}",
        Fnv64::new()
            .part(check.meta.id.as_bytes())
            .part(file.path.as_bytes())
            .part(b"side:removed")
            .finish()
    );
    finding
}

#[cfg(test)]
#[path = "removals_tests.rs"]
mod tests;
