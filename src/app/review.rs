//! Reviewing a range, the staged changes or a patch: the review arguments, the governed pipeline, the
//! baseline, the report written and the exit code.

use std::path::Path;

use anyhow::Result;

#[cfg(feature = "github")]
use crate::checks::Check;
use crate::cli::ReviewArgs;
use crate::model::ChangeSet;
use crate::pipeline::{self, Governance, PhaseTimer, Selection};
use crate::policy::{ConfigTree, Policy};
use crate::report;
use crate::report::text::TextOptions;
use crate::report::write::write_stdout;
use crate::source;

use super::{EXIT_CLEAN, EXIT_FINDINGS};

impl ReviewArgs {
    /// What the text report shows; `fail_level` is the level in force (`Some(None)`: never fails), or
    /// `None` when not known here (then the command line's `--fail-on`, else errors).
    pub fn text_options(&self, fail_level: Option<Option<crate::model::Severity>>) -> TextOptions {
        let from_args = match self.fail_on {
            Some(crate::policy::FailOn::Severity(level)) => Some(level),
            Some(crate::policy::FailOn::Never) => None,
            None => Some(crate::model::Severity::Error),
        };
        TextOptions {
            show_notes: self.verbose || self.show.contains(&crate::cli::Show::Notes),
            quiet: self.quiet,
            fail_level: fail_level.unwrap_or(from_args),
            statistics: self.statistics,
            color: self.color.forced(),
        }
    }

    /// The check selection these options describe.
    pub fn selection(&self) -> Selection {
        Selection {
            config: self.config.clone(),
            categories: self.category.clone(),
            checks: self.check.clone(),
            fail_on: self.fail_on,
        }
    }
}

/// The shared pipeline of every review command: analyze, write the report, choose the exit code.
pub(super) fn review_changes(
    root: &Path,
    args: &ReviewArgs,
    source: impl FnOnce(&Policy) -> Result<ChangeSet>,
) -> Result<u8> {
    let mut analysis = pipeline::analyze(root, &args.selection(), source)?;
    apply_baseline(&mut analysis, args)?;
    finish(&analysis, args)
}

/// [`review_changes`] for a change between two trees: see [`pipeline::analyze_governed`].
pub(super) fn review_governed(
    root: &Path,
    args: &ReviewArgs,
    governance: &Governance<'_>,
    source: impl FnOnce(&Policy) -> Result<ChangeSet>,
) -> Result<u8> {
    let mut analysis = pipeline::analyze_governed(root, &args.selection(), governance, source)?;
    apply_baseline(&mut analysis, args)?;
    finish(&analysis, args)
}

/// The base `review-gate diff` uses without a range: the remote's default branch, else `main` or
/// `master` (said on standard error). None, after saying so, on the base branch itself.
pub(super) fn default_range(repo: &git2::Repository) -> Result<Option<String>> {
    let Some((name, base)) = source::commits::default_base(repo, "origin") else {
        anyhow::bail!(
            "no base to compare with: no origin/HEAD, origin/main, origin/master, main or master. Name one: `review-gate diff BASE`"
        );
    };
    let head = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .map(|c| c.id());
    if head == Some(base) {
        let branch = repo
            .head()
            .ok()
            .map(|h| String::from_utf8_lossy(h.shorthand_bytes()).into_owned())
            .unwrap_or_else(|| "HEAD".into());
        write_stdout(&format!(
            "On {branch}, which is the base branch {name} itself: nothing to review. Name a base (`review-gate diff BASE`) or check out a branch.\n"
        ))?;
        return Ok(None);
    }
    eprintln!("review-gate: comparing with {name} (merge-base({name}, HEAD) → HEAD)");
    Ok(Some(name))
}

/// `review-gate diff RANGE`: the net change of the range, governed by the old side's configuration,
/// then (unless `commits` is none) each commit of the range on its own.
pub(crate) fn review_range(
    repo: &git2::Repository,
    range: &str,
    worktree: bool,
    commits: crate::model::CommitsMode,
    review: &ReviewArgs,
) -> Result<u8> {
    let list = match commits {
        crate::model::CommitsMode::None => None,
        _ => source::commits::range_commits(repo, range)?,
    };
    let mut analysis = analyze_range(repo, range, worktree, commits, list.as_ref(), review)?;
    apply_baseline(&mut analysis, review)?;
    finish(&analysis, review)
}

/// Drops the findings `--baseline` holds, saying how many on standard error.
pub(crate) fn apply_baseline(analysis: &mut pipeline::Analysis, args: &ReviewArgs) -> Result<()> {
    let Some(path) = &args.baseline else {
        return Ok(());
    };
    let baseline = pipeline::baseline::Baseline::load(path)?;
    let n = pipeline::baseline::apply(analysis, &baseline);
    eprintln!(
        "review-gate: {n} finding{} in the baseline {} not reported",
        if n == 1 { "" } else { "s" },
        path.display()
    );
    Ok(())
}

/// Writes the report of an analysis and returns the exit code.
pub(super) fn finish(analysis: &pipeline::Analysis, review: &ReviewArgs) -> Result<u8> {
    let mut timer = PhaseTimer::from_env();
    write_analysis(analysis, review)?;
    timer.phase("report");
    Ok(if analysis.fails() {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// The net change of `range` (governed by the old side's configuration), then each commit of `list`
/// on its own.
pub(super) fn analyze_range(
    repo: &git2::Repository,
    range: &str,
    worktree: bool,
    commits: crate::model::CommitsMode,
    list: Option<&source::commits::RangeCommits>,
    review: &ReviewArgs,
) -> Result<pipeline::Analysis> {
    let root = source::git::review_root(repo, worktree)?;
    // The old side's configuration governs: a change never judges itself by its own rules.
    let (old, new) = source::git::range_trees(repo, range, worktree)?;
    let governance = Governance {
        before: ConfigTree::commit(repo, old, format!("the base of `{range}`")),
        after: match new {
            Some(tree) => ConfigTree::commit(repo, tree, format!("the new side of `{range}`")),
            None => ConfigTree::working(&root),
        },
        before_governs: true,
    };
    let mut analysis = pipeline::analyze_governed(&root, &review.selection(), &governance, |_| {
        source::git::range(repo, range, worktree)
    })?;
    if let Some(list) = list.filter(|_| commits != crate::model::CommitsMode::None) {
        let tip = |path: &str| match new {
            Some(tree) => source::git::read_tree_file(repo, tree, path).ok().flatten(),
            None => std::fs::read(root.join(path)).ok(),
        };
        pipeline::history::review_commits(&mut analysis, repo.path(), list, commits, &tip)?;
        if list.shallow > 0 {
            eprintln!("review-gate: warning: {}", pipeline::history::SHALLOW_NOTE);
        }
    }
    Ok(analysis)
}

/// Writes the report of a review in the format and to the place the options choose; `checks` (those of
/// the review, never loaded again) describe the SARIF rules. (The GitHub gate's; other commands write
/// through [`write_analysis`].)
#[cfg(feature = "github")]
pub(crate) fn write_report(
    review: &report::Review,
    checks: &[Check],
    args: &ReviewArgs,
) -> Result<()> {
    report::write::write_report_with(
        review,
        args.format,
        args.output.as_deref(),
        checks,
        &args.text_options(None),
    )
}

/// Writes the report of an analysis (see [`write_report`]), with the fail level in force for
/// `--quiet`; with `--silent-if-clean`, a text report on standard output with no warning, no error and
/// nothing at the fail level is not written at all.
pub(super) fn write_analysis(analysis: &pipeline::Analysis, args: &ReviewArgs) -> Result<()> {
    let review = &analysis.review;
    if args.silent_if_clean
        && args.format == report::Format::Text
        && args.output.is_none()
        && !analysis.fails()
        && !review
            .findings
            .iter()
            .any(|f| f.severity >= crate::model::Severity::Warning)
    {
        return Ok(());
    }
    let fail_level = match analysis.fail_on {
        crate::policy::FailOn::Severity(level) => Some(level),
        crate::policy::FailOn::Never => None,
    };
    report::write::write_report_with(
        review,
        args.format,
        args.output.as_deref(),
        &analysis.checks.checks,
        &args.text_options(Some(fail_level)),
    )
}
