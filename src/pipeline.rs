//! The pipeline every gate shares: configuration and checks → changes → engine → policy → review.
//!
//! `staged`, `diff`, `patch`, `scan`, the GitHub gate and the agent hooks all call [`analyze`] with
//! their own source of changes, so one configuration and one set of checks judge every gate.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};

use crate::checks::{self, Check, CheckSet};
use crate::model::{Category, ChangeSet, Finding};
use crate::policy::{self, ConfigTree, FailOn, Policy};
use crate::redact::Redactor;
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
    let covers = |id: &str, c: &Check| {
        crate::engine::suppress::target_covers(id, &c.meta.id, c.meta.category)
    };
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
    let (mut chosen, rest): (Vec<Check>, Vec<Check>) =
        checks.into_iter().partition(|c| chosen_by_filters(c));
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
    let support_ids = support.iter().map(|c| c.meta.id.clone()).collect();
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
    review(policy, &selected, selection, changes, timer, Vec::new())
}

/// The two versions of the configuration a change compares, and which of them governs the review.
pub struct Governance<'a> {
    /// The tree before the change (the base commit, HEAD).
    pub before: ConfigTree<'a>,
    /// The tree after the change (the head commit, the index, the working tree).
    pub after: ConfigTree<'a>,
    /// Whether the configuration before the change governs (`diff`, `github`); otherwise the working
    /// file does (`staged`). `--config FILE` always wins.
    pub before_governs: bool,
}

/// Like [`analyze`] for a change between two trees: the policy that governs comes from `governance`
/// (a change never judges itself by its own rules), and every way the change weakens the configuration
/// is a `policy` finding, judged by the configuration before the change only.
pub fn analyze_governed(
    root: &Path,
    selection: &Selection,
    governance: &Governance<'_>,
    source: impl FnOnce(&Policy) -> Result<ChangeSet>,
) -> Result<Analysis> {
    let mut timer = PhaseTimer::from_env();
    // `--config` naming a file of the repository names it in each tree: the change may have edited it.
    let in_tree = selection
        .config
        .as_deref()
        .and_then(|c| inside_root(root, c));
    let load = |tree: &ConfigTree<'_>| match &in_tree {
        Some(rel) => Policy::load_file(tree, rel),
        None => Policy::load_from(tree),
    };
    let before = load(&governance.before);
    let governing = match (
        &selection.config,
        &in_tree,
        governance.before_governs,
        &before,
    ) {
        // A file outside the repository: the user's own choice, which the change cannot edit.
        (Some(explicit), None, _, _) => Policy::discover(Some(explicit), root)?,
        (_, _, true, Ok(before)) => before.clone(),
        (_, _, true, Err(e)) => bail!(
            "the configuration of {} (which governs this review) does not load: {e}",
            governance.before.label
        ),
        (_, _, false, _) => Policy::discover(selection.config.as_deref(), root)?,
    };
    // A broken configuration before the change (it does not govern here) is compared as the defaults.
    let before = before.unwrap_or_default();
    let checks = checks::load(&governing.extra_checks)?;
    governing.validate(&checks)?;
    let change_checks: Vec<Check> = checks
        .iter()
        .filter(|c| c.meta.id == CONFIG_WEAKENED || c.meta.id == CONFIG_INVALID)
        .filter(|c| !before.is_disabled(c) && selection.chooses(c))
        .cloned()
        .collect();
    // The change's configuration as it would govern the next review: its check files compiled and every
    // name it uses known, so a config that breaks the gate is reported as such, not as a weakening.
    let after = load(&governance.after).and_then(|p| {
        p.validate(&checks::load(&p.extra_checks)?)?;
        Ok(p)
    });
    let policy_findings =
        policy_change_findings(&before, after, &governance.after, &checks, &change_checks);
    let policy_findings = before.apply(policy_findings);
    let selected = select(checks, &governing, selection)?;
    timer.phase("load checks");
    let changes = source(&governing)?;
    timer.phase("read changes");
    review(
        governing,
        &selected,
        selection,
        changes,
        timer,
        policy_findings,
    )
}

/// `path` relative to `root` (`/`-separated) when it lies inside it.
fn inside_root(root: &Path, path: &Path) -> Option<String> {
    let absolute = std::env::current_dir().ok()?.join(path);
    let absolute = absolute.canonicalize().unwrap_or(absolute);
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let rel = absolute.strip_prefix(&root).ok()?;
    Some(crate::source::slash_path(rel))
}

/// The check reporting a change that weakens the configuration.
pub const CONFIG_WEAKENED: &str = "policy.config-weakened";
/// The check reporting a changed configuration that does not load.
pub const CONFIG_INVALID: &str = "policy.config-invalid";

impl Selection {
    /// Whether the command line's `--category` and `--check` filters choose a check.
    pub fn chooses(&self, c: &Check) -> bool {
        let covers = crate::engine::suppress::target_covers;
        (self.categories.is_empty()
            || self
                .categories
                .iter()
                .any(|cat| cat == c.meta.category.as_str()))
            && (self.checks.is_empty()
                || self
                    .checks
                    .iter()
                    .any(|id| covers(id, &c.meta.id, c.meta.category)))
    }
}

/// The findings on the configuration after the change: each way it weakens `before`, or that it does
/// not load. `checks` tell the default severities; `report` holds the policy checks to report with.
fn policy_change_findings(
    before: &Policy,
    after_policy: Result<Policy, checks::DefinitionError>,
    after: &ConfigTree<'_>,
    checks: &[Check],
    report: &[Check],
) -> Vec<Finding> {
    if report.is_empty() {
        return Vec::new();
    }
    let config_path = |p: &Policy| {
        p.source
            .as_ref()
            .map(|s| s.to_string_lossy().replace('\\', "/"))
    };
    match after_policy {
        Ok(after_policy) => {
            let Some(check) = report.iter().find(|c| c.meta.id == CONFIG_WEAKENED) else {
                return Vec::new();
            };
            let default_severity = |target: &str| {
                checks
                    .iter()
                    .filter(|c| {
                        crate::engine::suppress::target_covers(target, &c.meta.id, c.meta.category)
                    })
                    .map(|c| c.meta.severity)
                    .max()
                    .unwrap_or(crate::model::Severity::Error)
            };
            let path = config_path(&after_policy)
                .or_else(|| config_path(before))
                .unwrap_or_else(|| policy::CONFIG_NAMES[0].to_string());
            let text = after_policy
                .config_text()
                .or_else(|| before.config_text())
                .unwrap_or("");
            policy::change::weakenings(before, &after_policy, &default_severity)
                .into_iter()
                .map(|w| crate::engine::deps::policy_finding(check, &path, text, w.line, w.what))
                .collect()
        }
        Err(e) => {
            let Some(check) = report.iter().find(|c| c.meta.id == CONFIG_INVALID) else {
                return Vec::new();
            };
            // The file named in the error when it is one of the tree's (not `name (label)`).
            let path = if e.file.contains(' ') || e.file.is_empty() {
                policy::CONFIG_NAMES[0].to_string()
            } else {
                e.file.clone()
            };
            let text = after.read_text(&path).ok().flatten().unwrap_or_default();
            vec![crate::engine::deps::policy_finding(
                check,
                &path,
                &text,
                u32::try_from(e.line).unwrap_or(1).max(1),
                format!(
                    "{} (review-gate refuses to run where it governs)",
                    e.message
                ),
            )]
        }
    }
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
    review(policy, &selected, selection, changes, timer, Vec::new())
}

/// The checks for a text: every built-in check (embedded at build time, so loading them all costs less
/// than choosing some) and the configuration's extra files, with the configuration's names validated
/// against them. The text and the directories no longer narrow the load.
pub fn load_checks_for_text(
    policy: &Policy,
    _text: &str,
    _always: &[&str],
    _within: &[&str],
) -> Result<Vec<Check>> {
    let mut timer = PhaseTimer::from_env();
    let checks = checks::load(&policy.extra_checks)?;
    timer.phase("load checks");
    policy.validate(&checks)?;
    timer.phase("validate names");
    Ok(checks)
}

/// The shared tail of [`analyze`] and [`analyze_gated`]: excludes, engine, policy, review; `extra`
/// findings are added after the policy.
fn review(
    policy: Policy,
    selected: &Selected,
    selection: &Selection,
    mut changes: ChangeSet,
    mut timer: PhaseTimer,
    extra: Vec<Finding>,
) -> Result<Analysis> {
    let Selected { set, support } = selected;
    let before = changes.files.len();
    changes.files.retain(|f| policy.includes_path(&f.path));
    changes.skipped.excluded += before - changes.files.len();
    changes.skipped.retain_paths(|p| policy.includes_path(p));
    let run = crate::engine::run_reviewed(set, &changes.files, changes.baseless);
    let (mut findings, silenced, mut added_markers) =
        (run.findings, run.silenced, run.added_markers);
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
    let (chains, accepted) = crate::engine::chains::detect_marked(
        set,
        &changes.files,
        &findings,
        &silenced,
        changes.baseless,
    );
    added_markers.extend(accepted);
    crate::engine::chains::drop_signals(set, &mut findings);
    if !support.is_empty() {
        findings.retain(|f| !support.contains(&f.check));
    }
    findings.extend(chains);
    timer.phase("run checks");
    // Secrets a marker silenced are masked too: a marked test key is still a key.
    let redactor = found_secrets(&changes, findings.iter().chain(&silenced));
    let mut findings = policy.apply(findings);
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
    let signal = |id: &str| set.checks.iter().any(|c| c.is_signal() && c.meta.id == id);
    review.suppressions = crate::engine::suppress::gather(added_markers, |f| {
        !signal(&f.check) && !support.contains(&f.check) && policy.includes_path(&f.path)
    });
    review.redactor = redactor;
    review.raw_paths = changes.raw_paths.clone();
    review.redact_in_place();
    let fail_on = selection.fail_on.unwrap_or(policy.fail_on);
    Ok(Analysis {
        review,
        policy,
        fail_on,
        changes,
    })
}

/// A redactor that knows the value of every secret the engine found in the changes (read back from the
/// added line at the finding's columns), so no later string can carry one in clear.
fn found_secrets<'f>(
    changes: &ChangeSet,
    findings: impl Iterator<Item = &'f crate::model::Finding>,
) -> Redactor {
    let mut redactor = Redactor::default();
    let secrets = findings.filter(|f| f.category == Category::Secret);
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
