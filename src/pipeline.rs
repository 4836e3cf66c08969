//! The pipeline every gate shares: configuration and checks → changes → engine → policy → review.
//!
//! `staged`, `diff`, `patch`, `scan`, the GitHub gate and the agent hooks all call [`analyze`] with
//! their own source of changes, so one configuration and one set of checks judge every gate.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, bail, Result};

use crate::checks::{self, Check, CheckSet, Needed};
use crate::model::{Category, ChangeSet, Finding};
use crate::policy::{self, FailOn, Policy};
use crate::redact::Redactor;
use crate::report::Review;

pub mod baseline;
mod governed;
pub mod history;

pub use governed::{analyze_governed, Governance, CONFIG_INVALID, CONFIG_WEAKENED};

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

/// A finished analysis: the review, the configuration and checks that shaped it, and the changes it read.
#[derive(Debug)]
pub struct Analysis {
    /// Findings (after the policy) and counts.
    pub review: Review,
    /// The configuration in force.
    pub policy: Policy,
    /// The checks that ran (and those that describe the findings on the configuration itself): what
    /// SARIF rules, `explain` and the PR digest describe, never loaded again.
    pub checks: Arc<CheckSet>,
    /// The fail level in force (command line, else configuration).
    pub fail_on: FailOn,
    /// The changed files reviewed (excluded paths removed), with their added lines.
    pub changes: ChangeSet,
    /// Ids of the checks that ran only to feed attack chains (not reported).
    pub support: std::collections::HashSet<String>,
}

impl Analysis {
    /// Whether a finding reaches the fail level (exit code 1).
    pub fn fails(&self) -> bool {
        policy::fails(&self.review.findings, self.fail_on)
    }

    /// Whether the review asked for a check its pipeline withheld ([`Pipeline::withholding`]): its
    /// findings may be incomplete, and the review must be made again with every check.
    pub fn missed(&self) -> bool {
        self.checks.missed()
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
#[derive(Debug)]
pub struct Selected {
    /// Every check to run.
    pub set: Arc<CheckSet>,
    /// Ids of the checks run only to feed chains: their findings are not reported.
    pub support: std::collections::HashSet<String>,
}

/// Chooses the checks to run: drops those the configuration disables, keeps those the filters name, and
/// keeps (unreported) the checks a chosen chain is made of, so `--category attack` or disabling noisy
/// network notes does not blind the chains.
pub fn select(checks: Vec<Check>, policy: &Policy, selection: &Selection) -> Result<Selected> {
    select_withheld(checks, checks::set::Withheld::default(), policy, selection)
}

/// [`select`], with the built-in checks the loading left out (see [`checks::set::Withheld`]).
fn select_withheld(
    checks: Vec<Check>,
    withheld: checks::set::Withheld,
    policy: &Policy,
    selection: &Selection,
) -> Result<Selected> {
    for category in &selection.categories {
        category
            .parse::<Category>()
            .map_err(|e| anyhow!("--category: {e}"))?;
    }
    let covers = |id: &str, c: &Check| crate::model::target_covers(id, &c.meta.id, c.meta.category);
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
                    .any(|cat| cat == c.meta.category.as_str()))
            && (selection.checks.is_empty() || selection.checks.iter().any(|id| covers(id, c)))
    };
    // Most reviews filter nothing out: the checks are then kept where they are, not copied.
    let (mut chosen, rest): (Vec<Check>, Vec<Check>) = if checks.iter().all(chosen_by_filters) {
        (checks, Vec::new())
    } else {
        checks.into_iter().partition(|c| chosen_by_filters(c))
    };
    let feeds_a_chain = |c: &Check| {
        chosen
            .iter()
            .filter_map(|ch| ch.chain())
            .any(|chain| chain.targets.iter().any(|(target, _)| covers(target, c)))
    };
    let support: Vec<Check> = rest
        .into_iter()
        .filter(|c| c.chain().is_none() && feeds_a_chain(c))
        .collect();
    let support_ids = support.iter().map(|c| c.meta.id.to_string()).collect();
    chosen.extend(support);
    Ok(Selected {
        set: Arc::new(checks::into_set_withheld(chosen, withheld)),
        support: support_ids,
    })
}

impl Selected {
    /// The selection with `described` added where missing: checks no stage runs (produced by the
    /// policy comparison) whose findings the reports still describe.
    fn describing(self, described: &[Check]) -> Selected {
        let missing: Vec<&Check> = described
            .iter()
            .filter(|d| !self.set.checks.iter().any(|c| c.meta.id == d.meta.id))
            .collect();
        if missing.is_empty() {
            return self;
        }
        let mut all = self.set.checks.clone();
        all.extend(missing.into_iter().cloned());
        Selected {
            set: Arc::new(checks::into_set(all)),
            support: self.support,
        }
    }
}

/// One process's way through the engine: the configuration and the checks, loaded and selected once,
/// then one review of the changes a source yields. Every gate builds one (`staged`, `diff`, `patch`,
/// `scan`, the GitHub gate and the agent hook) and reads everything it reports from the [`Analysis`].
pub struct Pipeline {
    policy: Policy,
    selected: Selected,
    fail_on: FailOn,
    /// Findings on the change to the configuration, judged by the configuration before it.
    extra: Vec<Finding>,
    timer: PhaseTimer,
}

impl Pipeline {
    /// The configuration found for `root` (or named by the selection) and every check it brings.
    pub fn load(root: &Path, selection: &Selection) -> Result<Pipeline> {
        let timer = PhaseTimer::from_env();
        let (policy, checks) = load_checks(selection.config.as_deref(), root)?;
        Pipeline::new(policy, checks, selection, timer)
    }

    /// A pipeline for a configuration already read, with the checks it brings.
    pub fn new(
        policy: Policy,
        checks: Vec<Check>,
        selection: &Selection,
        timer: PhaseTimer,
    ) -> Result<Pipeline> {
        Pipeline::new_withheld(policy, checks, Default::default(), selection, timer)
    }

    /// [`Pipeline::new`], with the built-in checks the loading left out ([`checks_withholding`]).
    pub fn new_withheld(
        policy: Policy,
        checks: Vec<Check>,
        withheld: checks::set::Withheld,
        selection: &Selection,
        mut timer: PhaseTimer,
    ) -> Result<Pipeline> {
        let selected = select_withheld(checks, withheld, &policy, selection)?;
        timer.phase("load checks");
        Ok(Pipeline {
            fail_on: selection.fail_on.unwrap_or(policy.fail_on),
            policy,
            selected,
            extra: Vec::new(),
            timer,
        })
    }

    /// The configuration in force (a source uses it to skip excluded paths while it reads).
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The checks the review runs.
    pub fn checks(&self) -> &Arc<CheckSet> {
        &self.selected.set
    }

    /// Reviews the changes: excludes, the engine, the configuration's allows and overrides, and the
    /// review every report is made from.
    pub fn review(self, changes: ChangeSet) -> Result<Analysis> {
        let Pipeline {
            policy,
            selected,
            fail_on,
            extra,
            mut timer,
        } = self;
        timer.phase("read changes");
        review(policy, selected, fail_on, changes, timer, extra)
    }
}

/// Runs the whole pipeline on the changes `source` yields (it receives the policy, e.g. to skip
/// excluded paths while walking a tree).
pub fn analyze(
    root: &Path,
    selection: &Selection,
    source: impl FnOnce(&Policy) -> Result<ChangeSet>,
) -> Result<Analysis> {
    let pipeline = Pipeline::load(root, selection)?;
    let changes = source(pipeline.policy())?;
    pipeline.review(changes)
}

/// Like [`analyze`], but loads only the built-in check files that can find something in the changes
/// (see [`load_checks_for_text`]): the same findings, for a fraction of the start-up time.
pub fn analyze_gated(
    root: &Path,
    selection: &Selection,
    source: impl FnOnce(&Policy) -> Result<ChangeSet>,
) -> Result<Analysis> {
    let policy = Policy::discover(selection.config.as_deref(), root)?;
    let changes = source(&policy)?;
    Pipeline::gated(policy, selection)?.review(changes)
}

impl Pipeline {
    /// A pipeline for a configuration already parsed (the agent gate parses it once per action), with
    /// every check it puts in force (see [`checks_for`]).
    pub fn gated(policy: Policy, selection: &Selection) -> Result<Pipeline> {
        Pipeline::gated_for(policy, selection, &Needed::Everything)
    }

    /// [`Pipeline::gated`] with only the built-in checks `needed` (see [`checks::load_for`]).
    pub fn gated_for(policy: Policy, selection: &Selection, needed: &Needed) -> Result<Pipeline> {
        let timer = PhaseTimer::from_env();
        let checks = checks_needed(&policy, needed)?;
        Pipeline::new(policy, checks, selection, timer)
    }

    /// [`Pipeline::gated_for`], leaving out the built-in checks none of whose keywords is in `text`
    /// (lowercase: the added and removed lines of the change) where a stage would notice that it needed
    /// one (see [`checks::set::Withheld`]). When [`Analysis::missed`] says one did, the review must be
    /// made again with [`Pipeline::gated_for`].
    pub fn withholding(
        policy: Policy,
        selection: &Selection,
        needed: &Needed,
        text: &str,
    ) -> Result<Pipeline> {
        let timer = PhaseTimer::from_env();
        let (checks, withheld) = checks_withholding(&policy, needed, Some(text))?;
        Pipeline::new_withheld(policy, checks, withheld, selection, timer)
    }
}

/// Every check a configuration puts in force: the built-in ones (embedded at build time, so loading them
/// all costs less than choosing some) and the configuration's extra files, with the configuration's
/// names validated against them.
pub fn checks_for(policy: &Policy) -> Result<Vec<Check>> {
    checks_needed(policy, &Needed::Everything)
}

/// [`checks_for`], keeping of the built-in checks only those `needed`; the configuration's names are
/// validated against every check all the same.
pub fn checks_needed(policy: &Policy, needed: &Needed) -> Result<Vec<Check>> {
    Ok(checks_withholding(policy, needed, None)?.0)
}

/// [`checks_needed`], leaving out (when there is a `text`) the checks [`checks::load_withholding`]
/// does.
pub fn checks_withholding(
    policy: &Policy,
    needed: &Needed,
    text: Option<&str>,
) -> Result<(Vec<Check>, checks::set::Withheld)> {
    let mut timer = PhaseTimer::from_env();
    let (checks, withheld) = match text {
        Some(text) => checks::load_withholding(&policy.extra_checks, needed, text)?,
        None => (
            checks::load_for(&policy.extra_checks, needed)?,
            Default::default(),
        ),
    };
    if timer.is_on() {
        timer.phase(&format!(
            "load checks ({} unpacked, {} withheld)",
            checks.len(),
            withheld.checks.len()
        ));
    }
    if *needed == Needed::Everything {
        policy.validate(&checks)?;
    } else {
        // Every built-in id is known without unpacking the checks left out (read only when the
        // configuration names a check).
        let builtin = std::cell::OnceCell::new();
        policy.validate_names(|target| {
            let Ok(names) = builtin.get_or_init(checks::builtin_names) else {
                return true;
            };
            names
                .iter()
                .map(|(id, category, _)| (id.as_ref(), *category))
                .chain(checks.iter().map(|c| (c.meta.id.as_ref(), c.meta.category)))
                .any(|(id, category)| crate::model::target_covers(target, id, category))
        })?;
        if let Some(Err(error)) = builtin.into_inner() {
            return Err(error.into());
        }
    }
    timer.phase("validate names");
    Ok((checks, withheld))
}

/// The tail of every pipeline: excludes, engine, policy, review; `extra` findings are added after the
/// policy.
fn review(
    policy: Policy,
    selected: Selected,
    fail_on: FailOn,
    mut changes: ChangeSet,
    mut timer: PhaseTimer,
    extra: Vec<Finding>,
) -> Result<Analysis> {
    let Selected { set, support } = selected;
    let before = changes.files.len();
    changes.files.retain(|f| policy.includes_path(&f.path));
    changes.skipped.excluded += before - changes.files.len();
    changes.skipped.retain_paths(|p| policy.includes_path(p));
    let role_files = assign_roles(&policy, &mut changes);
    // Old texts no stage reads go before the engine; novelty reads the rest after it.
    crate::engine::novelty::drop_unread_old_texts(&set, &mut changes.files);
    let output = crate::engine::review(
        &set,
        &changes,
        &crate::engine::Options {
            support: Some(&support),
            mcp_hosts: &policy.mcp_hosts,
            ..Default::default()
        },
    );
    // Binary content has been searched: only the paths are reported.
    drop(std::mem::take(&mut changes.skipped.binary_text));
    let crate::engine::EngineOutput {
        findings,
        silenced,
        suppressions,
        dependencies,
        ..
    } = output;
    timer.phase("run checks");
    // What the old versions already did, for the capabilities the findings name (the old texts dropped
    // as they are read).
    let base = crate::engine::novelty::base_capabilities(&set, &mut changes.files, &findings);
    timer.phase("read old versions");
    // Secrets a marker silenced are masked too: a marked test key is still a key.
    let redactor = found_secrets(&changes, findings.iter().chain(&silenced));
    let mut findings = findings;
    crate::engine::novelty::mark(&mut findings, &changes.files, &base);
    drop(base);
    let mut findings = policy.apply(findings);
    crate::policy::novelty::lower(&mut findings, &set, &policy);
    // What each file's role does to its findings (after allows, overrides and novelty: a role caps
    // them).
    let role_of = |path: &str| {
        role_files
            .get(path)
            .copied()
            .unwrap_or_else(|| policy.role_for(path, crate::model::Role::from_path(path)))
    };
    let (mut findings, role_outcome) = policy::roles::apply(findings, role_of);
    // The first network call or process start a production file gains is the headline.
    crate::policy::novelty::raise_first(&mut findings, &policy);
    // Findings the governing policy does not judge (on the change to the policy itself).
    findings.extend(extra);
    let added_lines = changes.files.iter().map(|f| f.added.len()).sum();
    let mut review = Review::new(
        findings,
        changes.files.len(),
        added_lines,
        changes.skipped.clone(),
    );
    review.dependencies = dependencies;
    // A file renamed away is not deleted: its lines live on at the new path.
    let gone = || changes.files.iter().filter(|f| f.renamed_to.is_none());
    review.summary.removed_lines = gone().map(|f| f.removed.len()).sum();
    review.summary.deleted_files = gone().filter(|f| f.deleted).count();
    review.summary.roles = crate::report::RoleSummary {
        files: role_counts(&changes),
        lowered: role_outcome.lowered,
        not_reported: role_outcome.dropped,
    };
    review.suppressions =
        crate::engine::suppress::gather(suppressions, |f| policy.includes_path(&f.path));
    review.redactor = redactor;
    review.raw_paths = changes.raw_paths.clone();
    review.redact_in_place();
    timer.phase("policy and review");
    Ok(Analysis {
        review,
        policy,
        checks: set,
        fail_on,
        changes,
        support,
    })
}

/// Gives every changed file its role, once: the configuration's `roles:` globs, else what
/// [`crate::model::Role::detect`] reads from the path, the head of the text and the added lines' lengths.
/// Returns path → role for the findings (files outside `changes.files`, binary ones, go by path).
/// A bundle, minified or marked file stands for its source only when the change holds source too.
fn assign_roles(
    policy: &Policy,
    changes: &mut ChangeSet,
) -> std::collections::HashMap<String, crate::model::Role> {
    use crate::model::{Role, TextExtent};
    let mut roles = std::collections::HashMap::with_capacity(changes.files.len());
    let mut has_source = false;
    for file in &mut changes.files {
        // The head of the file, when the text starts at its first line.
        let head = match &file.extent {
            TextExtent::Whole => file.text.as_str(),
            TextExtent::Pieces(_) => match file.added.first() {
                Some(first) if first.number == 1 => &file.text[first.start..],
                _ => "",
            },
        };
        file.role = Role::detect(&file.path, head, file.added.iter().map(|l| l.end - l.start));
        if file.role == Role::Generated && Role::from_path(&file.path) != Role::Generated {
            // The text alone says generated (a `DO NOT EDIT` header, a few very long lines): the change
            // writes that text, so one comment line would silence the rest of the file. It counts only
            // when the old version already said so (a regenerated file); otherwise the file keeps the
            // role its path gives.
            let was_generated = file.base == crate::model::Base::Modified
                && file.old_text.as_deref().is_some_and(|old| {
                    Role::detect(&file.path, old, old.lines().map(str::len)) == Role::Generated
                });
            if !was_generated {
                file.role = Role::from_path(&file.path);
            }
        }
        has_source |= file.role.is_source(&file.path, file.language);
    }
    for file in &mut changes.files {
        // A bundle stands for its source only when the change holds source: a package release or a
        // rebuilt action whose only code is its bundle is reviewed as the product it is.
        if file.role == Role::Generated && !has_source && !Role::is_vendored(&file.path) {
            file.role = Role::Production;
        }
        file.role = policy.role_for(&file.path, file.role);
        roles.insert(file.path.clone(), file.role);
    }
    roles
}

/// Reviewed files per role other than production.
fn role_counts(changes: &ChangeSet) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for file in changes.files.iter().filter(|f| !f.role.is_production()) {
        *counts.entry(file.role.as_str().to_string()).or_insert(0) += 1;
    }
    counts
}

/// A redactor that knows the value of every secret the engine found in the changes (read back from the
/// added line at the finding's columns), so no later string can carry one in clear.
fn found_secrets<'f>(
    changes: &ChangeSet,
    findings: impl Iterator<Item = &'f crate::model::Finding>,
) -> Redactor {
    let mut redactor = Redactor::default();
    // A removed-side finding is about what a change takes away (a `.gitignore` entry), never a value
    // on an added line.
    let secrets = findings.filter(|f| f.category == Category::Secret && f.side.is_added());
    let mut by_path: std::collections::HashMap<&str, &crate::model::ChangedFile> =
        std::collections::HashMap::new();
    for finding in secrets {
        if by_path.is_empty() {
            by_path = changes.files.iter().map(|f| (f.path.as_str(), f)).collect();
        }
        let Some(file) = by_path.get(finding.path.as_str()) else {
            continue;
        };
        let Ok(at) = file.added.binary_search_by_key(&finding.line, |l| l.number) else {
            continue;
        };
        let text = file.line_text(&file.added[at]);
        let from = finding.column.saturating_sub(1) as usize;
        let to = finding.end_column.saturating_sub(1) as usize;
        let value: String = text
            .chars()
            .skip(from)
            .take(to.saturating_sub(from))
            .collect();
        redactor.add_secret(&value);
    }
    redactor
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

    /// Whether the timer prints (`REVIEW_GATE_TIMINGS` is set).
    pub fn is_on(&self) -> bool {
        self.last.is_some()
    }

    /// Ends a phase: prints its name and duration.
    pub fn phase(&mut self, name: &str) {
        if let Some(last) = self.last {
            eprintln!(
                "review-gate: {name}: {:.2} ms",
                last.elapsed().as_secs_f64() * 1e3
            );
            self.last = Some(std::time::Instant::now());
        }
    }
}
