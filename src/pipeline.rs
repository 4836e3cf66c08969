//! The pipeline every gate shares: configuration and checks → changes → engine → policy → review.
//!
//! `staged`, `diff`, `patch`, `scan`, the GitHub gate and the agent hooks all call [`analyze`] with
//! their own source of changes, so one configuration and one set of checks judge every gate.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};

use crate::checks::{self, Check, CheckSet};
use crate::model::{Category, ChangeSet};
use crate::policy::{self, FailOn, Policy};
use crate::report::Review;

/// Which configuration and which checks a review uses: the options every gate shares.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Configuration file (default: `.review-gate.yml` at the root).
    pub config: Option<PathBuf>,
    /// Only checks of these categories (empty: all).
    pub categories: Vec<String>,
    /// Only these check ids or id prefixes (empty: all).
    pub checks: Vec<String>,
    /// Fail level given on the command line (overrides the configuration's `fail_on`).
    pub fail_on: Option<FailOn>,
}

/// A finished analysis: the review, the configuration that shaped it, and the changes it read.
#[derive(Debug)]
pub struct Analysis {
    /// Findings (after the policy) and counts.
    pub review: Review,
    /// The configuration in force.
    pub policy: Policy,
    /// The fail level in force (command line, else configuration).
    pub fail_on: FailOn,
    /// The changed files reviewed (excluded paths removed), with their added lines.
    pub changes: ChangeSet,
}

impl Analysis {
    /// Whether a finding reaches the fail level (exit code 1).
    pub fn fails(&self) -> bool {
        policy::fails(&self.review.findings, self.fail_on)
    }
}

/// Loads the configuration and every check it brings, validating names the configuration uses.
pub fn load_checks(config: Option<&Path>, root: &Path) -> Result<(Policy, Vec<Check>)> {
    let policy = Policy::discover(config, root)?;
    let checks = checks::load(&policy.extra_checks)?;
    policy.validate(&checks)?;
    Ok((policy, checks))
}

/// The checks to run: those chosen, plus those only run because a chosen attack chain is made of them.
pub struct Selected {
    /// Every check to run.
    pub set: CheckSet,
    /// Ids of the checks run only to feed chains: their findings are not reported.
    pub support: std::collections::HashSet<String>,
}

/// Chooses the checks to run: drops those the configuration disables, keeps those the filters name, and
/// keeps (unreported) the checks a chosen chain is made of, so `--category attack` or disabling noisy
/// network notes does not blind the chains.
pub fn select(checks: Vec<Check>, policy: &Policy, selection: &Selection) -> Result<Selected> {
    for category in &selection.categories {
        category
            .parse::<Category>()
            .map_err(|e| anyhow!("--category: {e}"))?;
    }
    let covers =
        |id: &str, c: &Check| crate::engine::suppress::target_covers(id, &c.id, c.category);
    for id in &selection.checks {
        if !checks.iter().any(|c| covers(id, c)) {
            bail!("--check: no check with id `{id}` (see `review-gate checks`)");
        }
    }
    let chosen_by_filters = |c: &Check| {
        !policy.is_disabled(c)
            && (selection.categories.is_empty()
                || selection
                    .categories
                    .iter()
                    .any(|cat| cat == c.category.as_str()))
            && (selection.checks.is_empty() || selection.checks.iter().any(|id| covers(id, c)))
    };
    let (mut chosen, rest): (Vec<Check>, Vec<Check>) =
        checks.into_iter().partition(|c| chosen_by_filters(c));
    let feeds_a_chain = |c: &Check| {
        chosen
            .iter()
            .filter_map(|ch| ch.chain.as_ref())
            .any(|chain| chain.targets.iter().any(|(target, _)| covers(target, c)))
    };
    let support: Vec<Check> = rest
        .into_iter()
        .filter(|c| c.chain.is_none() && feeds_a_chain(c))
        .collect();
    let support_ids = support.iter().map(|c| c.id.clone()).collect();
    chosen.extend(support);
    Ok(Selected {
        set: checks::into_set(chosen),
        support: support_ids,
    })
}

/// Runs the whole pipeline on the changes `source` yields (it receives the policy, e.g. to skip
/// excluded paths while walking a tree).
pub fn analyze(
    root: &Path,
    selection: &Selection,
    source: impl FnOnce(&Policy) -> Result<ChangeSet>,
) -> Result<Analysis> {
    let mut timer = PhaseTimer::from_env();
    let (policy, checks) = load_checks(selection.config.as_deref(), root)?;
    let selected = select(checks, &policy, selection)?;
    timer.phase("load checks");
    let changes = source(&policy)?;
    timer.phase("read changes");
    review(policy, &selected, selection, changes, timer)
}

/// Like [`analyze`], but loads only the built-in check files that can find something in the changes
/// (see [`load_checks_for_text`]): the same findings, for a fraction of the start-up time.
pub fn analyze_gated(
    root: &Path,
    selection: &Selection,
    source: impl FnOnce(&Policy) -> Result<ChangeSet>,
) -> Result<Analysis> {
    let mut timer = PhaseTimer::from_env();
    let policy = Policy::discover(selection.config.as_deref(), root)?;
    let changes = source(&policy)?;
    timer.phase("read changes");
    let checks = if changes.skipped.binary_paths.is_empty() {
        let mut text = String::new();
        for file in &changes.files {
            text.push_str(&file.path);
            text.push('\n');
            text.push_str(&file.text);
            text.push('\n');
        }
        load_checks_for_text(&policy, &text, &[], &[])?
    } else {
        // Checks about binary files look at paths only: load them all.
        let checks = checks::load(&policy.extra_checks)?;
        policy.validate(&checks)?;
        checks
    };
    let selected = select(checks, &policy, selection)?;
    timer.phase("load checks");
    review(policy, &selected, selection, changes, timer)
}

/// The checks that can find something in `text`: built-in files whose keywords occur in it (only
/// those under the `within` directories, when any are given), those under the `always` directories,
/// those that must always load, and the configuration's extra files. Names in the configuration are
/// validated against every built-in check id.
pub fn load_checks_for_text(
    policy: &Policy,
    text: &str,
    always: &[&str],
    within: &[&str],
) -> Result<Vec<Check>> {
    let mut timer = PhaseTimer::from_env();
    let builtin = checks::builtin_files()?;
    timer.phase("builtin files");
    let indexes = checks::builtin_indexes(&builtin);
    // A suppression is judged against every check id: with one in the text, load them all.
    let everything = text.contains("review-gate:");
    timer.phase("index files");
    let needed = checks::keyword_files::needed(&indexes, text);
    timer.phase("keywords");
    let checks = checks::load_builtin_where(&builtin, &policy.extra_checks, false, |i, name| {
        let inside = |dirs: &[&str]| dirs.iter().any(|dir| name.starts_with(dir));
        (everything || needed[i]) && (within.is_empty() || inside(within)) || inside(always)
    })?;
    timer.phase("parse needed files");
    let extra_ids: Vec<(String, Category)> = checks
        .iter()
        .filter(|c| {
            policy
                .extra_checks
                .iter()
                .any(|(name, _)| *name == c.source)
        })
        .map(|c| (c.id.clone(), c.category))
        .collect();
    let covers = crate::engine::suppress::target_covers;
    policy.validate_names(|target| {
        indexes
            .iter()
            .flat_map(|i| &i.ids)
            .any(|id| covers(target, id, Category::Policy))
            || extra_ids
                .iter()
                .any(|(id, category)| covers(target, id, *category))
    })?;
    Ok(checks)
}

/// The shared tail of [`analyze`] and [`analyze_gated`]: excludes, engine, policy, review.
fn review(
    policy: Policy,
    selected: &Selected,
    selection: &Selection,
    mut changes: ChangeSet,
    mut timer: PhaseTimer,
) -> Result<Analysis> {
    let Selected { set, support } = selected;
    let before = changes.files.len();
    changes.files.retain(|f| policy.includes_path(&f.path));
    changes.skipped.excluded += before - changes.files.len();
    changes.skipped.retain_paths(|p| policy.includes_path(p));
    let (mut findings, silenced) = crate::engine::run_keeping_suppressed(set, &changes.files);
    findings.extend(crate::engine::run_binary(
        set,
        &changes.skipped.binary_paths,
    ));
    findings.extend(crate::engine::secrets_in_binaries(
        set,
        &std::mem::take(&mut changes.skipped.binary_text),
    ));
    let (dependency_findings, dependencies) = crate::engine::deps::review(set, &changes.files);
    findings.extend(dependency_findings);
    let chains = crate::engine::chains::detect(set, &changes.files, &findings, &silenced);
    crate::engine::chains::drop_signals(set, &mut findings);
    if !support.is_empty() {
        findings.retain(|f| !support.contains(&f.check));
    }
    findings.extend(chains);
    timer.phase("run checks");
    let findings = policy.apply(findings);
    let added_lines = changes.files.iter().map(|f| f.added.len()).sum();
    let mut review = Review::new(
        findings,
        changes.files.len(),
        added_lines,
        changes.skipped.clone(),
    );
    review.dependencies = dependencies;
    let fail_on = selection.fail_on.unwrap_or(policy.fail_on);
    Ok(Analysis {
        review,
        policy,
        fail_on,
        changes,
    })
}

/// Prints how long each phase took to standard error when `REVIEW_GATE_TIMINGS` is set.
pub struct PhaseTimer {
    last: Option<std::time::Instant>,
}

impl PhaseTimer {
    /// A timer that prints only when `REVIEW_GATE_TIMINGS` is set.
    pub fn from_env() -> PhaseTimer {
        PhaseTimer {
            last: std::env::var_os("REVIEW_GATE_TIMINGS").map(|_| std::time::Instant::now()),
        }
    }

    /// Ends a phase: prints its name and duration.
    pub fn phase(&mut self, name: &str) {
        if let Some(last) = self.last {
            eprintln!(
                "review-gate: {name}: {:.1} ms",
                last.elapsed().as_secs_f64() * 1e3
            );
            self.last = Some(std::time::Instant::now());
        }
    }
}
