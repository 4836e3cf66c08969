//! The pipeline of a change between two trees (`staged`, `diff`, `github`): the configuration that
//! governs comes from the tree before the change (a change never judges itself by its own rules), and
//! every way the change weakens the configuration is a `policy` finding.

use std::path::Path;

use anyhow::{bail, Result};

use super::Analysis;
use super::{select, PhaseTimer, Pipeline, Selection};
use crate::checks::{self, Check};
use crate::model::{ChangeSet, Finding};
use crate::policy::{self, ConfigTree, Policy};

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
    let pipeline = Pipeline::governed(root, selection, governance)?;
    let changes = source(pipeline.policy())?;
    pipeline.review(changes)
}

impl Pipeline {
    /// The pipeline of a change between two trees (see [`analyze_governed`]): the governing
    /// configuration's checks, and the findings on what the change does to the configuration.
    pub fn governed(
        root: &Path,
        selection: &Selection,
        governance: &Governance<'_>,
    ) -> Result<Pipeline> {
        governed(root, selection, governance)
    }
}

fn governed(root: &Path, selection: &Selection, governance: &Governance<'_>) -> Result<Pipeline> {
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
    // Check files unchanged by the change compile to the checks already loaded: not loaded again.
    let after = load(&governance.after).and_then(|p| {
        if p.extra_checks == governing.extra_checks {
            p.validate(&checks)?;
        } else {
            p.validate(&checks::load(&p.extra_checks)?)?;
        }
        Ok(p)
    });
    let policy_findings =
        policy_change_findings(&before, after, &governance.after, &checks, &change_checks);
    let policy_findings = before.apply(policy_findings);
    let selected = select(checks, &governing, selection)?.describing(&change_checks);
    timer.phase("load checks");
    Ok(Pipeline {
        fail_on: selection.fail_on.unwrap_or(governing.fail_on),
        policy: governing,
        selected,
        extra: policy_findings,
        timer,
    })
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
        let covers = crate::model::target_covers;
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
                    .filter(|c| crate::model::target_covers(target, &c.meta.id, c.meta.category))
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
