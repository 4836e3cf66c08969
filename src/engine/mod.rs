//! The engine: one entry, [`review`], runs a [`CheckSet`] over a [`ChangeSet`] in stages — the pattern
//! checks over added lines ([`lines`], in parallel across files, then [`emit`] with inline markers),
//! the agent instruction files ([`instructions`]), the checks on binary files ([`binary`]), the dependency diff ([`deps`]) and the attack chains
//! ([`chains`]), the shell commands an agent proposes ([`commands`]) — and returns everything found as
//! one [`EngineOutput`]. Policy, reports and gates come
//! after it and never call a stage themselves.

pub mod agent;
mod binary;
pub mod chains;
pub mod commands;
mod conditions;
pub mod decode;
pub mod deps;
mod emit;
mod fold;
pub mod instructions;
mod lines;
pub(crate) mod names;
pub mod novelty;
mod obfuscator;
pub mod removals;
pub mod secrets;
pub mod snippet;
pub mod suppress;

use std::collections::HashSet;

use crate::checks::CheckSet;
use crate::model::{ChangeSet, Finding};

pub(crate) use emit::{file_regions, is_added, marker_counts};
use lines::FileContext;

/// Most findings one check reports on one line; further matches are counted in the last one's message.
/// A minified megabyte can hold thousands of matches of one check on its single line: listing each adds
/// nothing for a reviewer, and makes every later stage (snippets, chains, reports) grow with them.
pub const MAX_HITS_PER_LINE: usize = 50;

/// How much work a run did, for tests that bound work by input size rather than by time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkStats {
    /// Bytes the checks' regexes ran over (each line once per check that ran on it).
    pub regex_bytes: usize,
    /// Bytes condition regexes ran over on long lines (bounded windows) and whole-line conditions.
    pub condition_bytes: usize,
    /// Bytes of lines copied to render snippets.
    pub snippet_bytes: usize,
    /// Matches examined.
    pub matches: usize,
    /// Bytes of lines the names stage tokenized and folded (`engine::names`).
    pub names_bytes: usize,
}

impl WorkStats {
    fn add(&mut self, other: &WorkStats) {
        self.regex_bytes += other.regex_bytes;
        self.condition_bytes += other.condition_bytes;
        self.snippet_bytes += other.snippet_bytes;
        self.matches += other.matches;
        self.names_bytes += other.names_bytes;
    }

    /// Every byte counted, all stages together.
    pub fn total_bytes(&self) -> usize {
        self.regex_bytes + self.condition_bytes + self.snippet_bytes + self.names_bytes
    }
}

/// Id of the check about a `review-gate: allow` marker that names no known check or category; the engine
/// keeps its matches only when that is so (it needs the whole check list, which a pattern cannot see).
pub const ALLOW_UNKNOWN_TARGET: &str = "policy.allow-unknown-check";

/// How one review treats what the checks find.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// Ids of checks run only to feed attack chains (a chain chosen, its parts not): their findings
    /// make chains but are neither reported nor listed as suppressed.
    pub support: Option<&'a HashSet<String>>,
    /// Only the pattern stage, signals kept and no chain made of them: what the check fixtures and the
    /// tests that bound the line engine's work look at.
    pub patterns_only: bool,
    /// Hosts of remote MCP servers the configuration accepts besides the built-in list (`mcp_hosts:`).
    pub mcp_hosts: &'a [String],
}

/// Everything one review found, before the configuration's allows and overrides.
#[derive(Debug, Default)]
pub struct EngineOutput {
    /// Findings to report (unsorted): pattern checks, binary files, dependencies, attack chains and
    /// proposed commands. Signals and support checks are left out.
    pub findings: Vec<Finding>,
    /// Findings inline markers silenced (secrets among them are kept only to be masked).
    pub silenced: Vec<Finding>,
    /// What each marker the change adds silences (every marker, for a change without a base), for
    /// the list of suppressions a reviewer is shown; signals and support checks are left out.
    pub suppressions: Vec<suppress::Silence>,
    /// The dependencies the changed manifests add or change.
    pub dependencies: Vec<crate::model::Dependency>,
    /// How much work the pattern stage did.
    pub stats: WorkStats,
}

/// Two stages can see one hidden name: the decode stage says an escaped string spells a dangerous name
/// (`attack.obfuscation.encoded-name`), the names stage says what call it reaches
/// (`attack.obfuscation.hidden-call`/`hidden-name`). Where the names stage spoke on a line, the decode
/// stage's finding says less and is dropped.
fn drop_names_said_better(findings: &mut Vec<Finding>) {
    let named: HashSet<(String, u32)> = findings
        .iter()
        .filter(|f| f.check == names::HIDDEN_CALL || f.check == names::HIDDEN_NAME)
        .map(|f| (f.path.clone(), f.line))
        .collect();
    if named.is_empty() {
        return;
    }
    findings
        .retain(|f| f.check != decode::ENCODED_NAME || !named.contains(&(f.path.clone(), f.line)));
}

/// Reviews a change: every stage of the engine over every changed file, binary file and proposed
/// command of `changes`, with the checks of `checks`. A marker on an added line is the change's own:
/// it never silences an error-level attack finding, and what it silences is recorded; with
/// `changes.baseless` (a scan) every line counts as already present.
pub fn review(checks: &CheckSet, changes: &ChangeSet, options: &Options<'_>) -> EngineOutput {
    let mut run = lines::run_files(checks, &changes.files, changes.baseless);
    obfuscator::widen(&changes.files, &mut run.findings);
    let decoded = decode::run(checks, &changes.files);
    run.findings.extend(decoded.findings);
    run.stats.add(&decoded.stats);
    drop_names_said_better(&mut run.findings);
    let (mut findings, silenced, mut suppressions) =
        (run.findings, run.silenced, run.added_markers);
    findings.extend(instructions::review(checks, &changes.files));
    if options.patterns_only {
        let removed = removals::run(checks, &changes.files);
        findings.extend(removed.findings);
        run.stats.add(&removed.stats);
        return EngineOutput {
            findings,
            silenced,
            suppressions,
            dependencies: Vec::new(),
            stats: run.stats,
        };
    }
    findings.extend(binary::run_binary(checks, &changes.skipped.binary_paths));
    findings.extend(binary::secrets_in_binaries(
        checks,
        &changes.skipped.binary_text,
    ));
    let (dependency_findings, mut dependencies) = deps::review(checks, &changes.files);
    findings.extend(dependency_findings);
    let (agent_findings, agent_dependencies) =
        agent::review(checks, &changes.files, options.mcp_hosts);
    findings.extend(agent_findings);
    dependencies.extend(agent_dependencies);
    let (chains, accepted) = chains::detect_marked(
        checks,
        &changes.files,
        &findings,
        &silenced,
        changes.baseless,
    );
    suppressions.extend(accepted);
    chains::drop_signals(checks, &mut findings);
    let support = options.support.filter(|s| !s.is_empty());
    if let Some(support) = support {
        findings.retain(|f| !support.contains(&f.check));
    }
    findings.extend(chains);
    // What the change takes away: after the chains (a removed line is no part of one).
    let removed = removals::run(checks, &changes.files);
    findings.extend(removed.findings);
    run.stats.add(&removed.stats);
    findings.extend(commands::review(checks, &changes.commands));
    let signal = |id: &str| {
        checks
            .checks
            .iter()
            .any(|c| c.is_signal() && c.meta.id == id)
    };
    suppressions.retain(|s| {
        !signal(&s.finding.check) && !support.is_some_and(|ids| ids.contains(&s.finding.check))
    });
    EngineOutput {
        findings,
        silenced,
        suppressions,
        dependencies,
        stats: run.stats,
    }
}
