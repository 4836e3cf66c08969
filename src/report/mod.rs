//! Reporters: turn a finished review into text for people, JSON and SARIF for tools, the Markdown
//! digest and workflow commands for GitHub. They read the model only.

pub mod annotations;
pub mod digest;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;
pub mod write;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Category, Finding, Skipped};

/// Which commits of a range are reviewed one by one (the command line's `--commits`).
pub use crate::model::CommitsMode;

/// Counts that describe what was reviewed and found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Files with added or removed lines (or deleted) that were reviewed.
    pub files: usize,
    /// Added lines reviewed.
    pub added_lines: usize,
    /// Removed lines the change takes away (absent when none), deleted files' lines included.
    #[serde(skip_serializing_if = "is_zero")]
    pub removed_lines: usize,
    /// Files the change deletes (absent when none).
    #[serde(skip_serializing_if = "is_zero")]
    pub deleted_files: usize,
    /// Findings per category (only categories with findings).
    pub by_category: BTreeMap<String, usize>,
    /// Findings per severity (all three, zero included).
    pub by_severity: BTreeMap<String, usize>,
    /// What could not be reviewed.
    pub skipped: Skipped,
    /// What file roles did (absent when every file is production code).
    #[serde(skip_serializing_if = "RoleSummary::is_empty")]
    pub roles: RoleSummary,
    /// Commits of the range reviewed one by one (absent when none was).
    #[serde(skip_serializing_if = "is_zero")]
    pub commits: usize,
    /// Findings not reported because the baseline (`--baseline`) holds them (absent when none).
    #[serde(skip_serializing_if = "is_zero")]
    pub baselined: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What file roles did to the review: how many files had each role, and what was lowered or left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoleSummary {
    /// Reviewed files per role other than production (only roles with files).
    pub files: BTreeMap<String, usize>,
    /// Findings lowered to notes by their file's role.
    pub lowered: usize,
    /// Findings not reported because their file is generated or vendored (only secrets, attacks and
    /// policy findings are).
    pub not_reported: usize,
}

impl RoleSummary {
    /// Whether every file was production code.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.lowered == 0 && self.not_reported == 0
    }
}

/// A finished review: sorted findings and the summary.
#[derive(Debug, Clone, Default)]
pub struct Review {
    /// Findings sorted by path, line, severity (most severe first), column and check id, attack chains
    /// first.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: Summary,
    /// Dependencies the change adds or changes.
    pub dependencies: Vec<crate::model::Dependency>,
    /// Masks every secret found in the change (and URL userinfo, token shapes) in whatever is written
    /// from this review: every writer of a report passes its output through it.
    pub redactor: crate::redact::Redactor,
    /// The original bytes of paths that are not valid UTF-8 (see [`crate::model::ChangeSet::raw_paths`]).
    pub raw_paths: BTreeMap<String, Vec<u8>>,
    /// Inline suppression markers the change adds, with what each silenced (in a scan: every marker).
    pub suppressions: Vec<crate::model::Suppression>,
    /// The capability digest: what the change makes the code do, by directory, new first.
    pub capabilities: Vec<digest::Capability>,
    /// Findings of single commits of the range that the net change does not show, by fingerprint: the
    /// commit that adds each and whether the tip still holds it.
    pub history: BTreeMap<String, crate::model::HistoryFinding>,
}

impl Review {
    /// Sorts the findings and computes the summary.
    pub fn new(
        mut findings: Vec<Finding>,
        files: usize,
        added_lines: usize,
        skipped: Skipped,
    ) -> Review {
        // Attack chains lead every output: a reviewer skimming forty findings must see them first.
        let chain_rank = |f: &Finding| if f.category == Category::Attack { 0 } else { 1 };
        // Findings on a proposed command keep the engine's order where they tie (the check order).
        fn id(f: &Finding) -> &str {
            if f.location.is_file() {
                f.check.as_str()
            } else {
                ""
            }
        }
        // On one line, errors before warnings before notes.
        findings.sort_by(|a, b| {
            (chain_rank(a), a.path.as_str(), a.line)
                .cmp(&(chain_rank(b), b.path.as_str(), b.line))
                .then(b.severity.cmp(&a.severity))
                .then((a.column, id(a)).cmp(&(b.column, id(b))))
        });
        let mut categories: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut severities: BTreeMap<&'static str, usize> = crate::model::Severity::ALL
            .iter()
            .map(|s| (s.as_str(), 0))
            .collect();
        for f in &findings {
            *categories.entry(f.category.as_str()).or_insert(0) += 1;
            *severities.entry(f.severity.as_str()).or_insert(0) += 1;
        }
        let owned = |map: BTreeMap<&'static str, usize>| {
            map.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
        };
        let (by_category, by_severity) = (owned(categories), owned(severities));
        Review {
            capabilities: digest::capabilities(&findings),
            dependencies: Vec::new(),
            redactor: crate::redact::Redactor::default(),
            raw_paths: BTreeMap::new(),
            suppressions: Vec::new(),
            history: BTreeMap::new(),
            findings,
            summary: Summary {
                files,
                added_lines,
                removed_lines: 0,
                deleted_files: 0,
                by_category,
                by_severity,
                skipped,
                roles: RoleSummary::default(),
                commits: 0,
                baselined: 0,
            },
        }
    }
}

impl Review {
    /// Adds findings (of single commits of the range) and sorts and counts them all again.
    pub fn add_findings(&mut self, more: Vec<Finding>) {
        let mut findings = std::mem::take(&mut self.findings);
        findings.extend(more);
        let fresh = Review::new(findings, 0, 0, Skipped::default());
        self.findings = fresh.findings;
        self.summary.by_category = fresh.summary.by_category;
        self.summary.by_severity = fresh.summary.by_severity;
        self.capabilities = fresh.capabilities;
    }

    /// Masks secrets in every string the review holds (finding messages, snippets, paths, chain parts,
    /// dependency names, versions and manifests), with its own redactor. Reporters also pass their whole
    /// output through [`Review::redactor`]; this keeps the review itself clean for any other reader.
    pub fn redact_in_place(&mut self) {
        let redactor = &self.redactor;
        let fix = |s: &mut String| {
            if let std::borrow::Cow::Owned(masked) = redactor.redact(s) {
                *s = masked;
            }
        };
        for f in &mut self.findings {
            fix(&mut f.message);
            let before = f.snippet.len();
            fix(&mut f.snippet);
            if f.snippet.len() != before {
                // Keep the marker inside the (shorter or longer) masked line.
                let chars = f.snippet.chars().count() as u32;
                f.snippet_column = f.snippet_column.min(chars.saturating_sub(1));
                f.snippet_width = f.snippet_width.min(chars - f.snippet_column).max(1);
            }
            fix(&mut f.path);
            for part in &mut f.parts {
                fix(&mut part.role);
                fix(&mut part.path);
            }
        }
        for s in &mut self.suppressions {
            fix(&mut s.path);
            if let Some(reason) = &mut s.reason {
                fix(reason);
            }
            for silenced in &mut s.silenced {
                fix(&mut silenced.message);
            }
        }
        for c in &mut self.capabilities {
            fix(&mut c.directory);
        }
        for d in &mut self.dependencies {
            fix(&mut d.name);
            fix(&mut d.version);
            fix(&mut d.manifest);
            for spec in [&mut d.from, &mut d.to].into_iter().flatten() {
                fix(spec);
            }
        }
    }
}

/// Output formats for a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: location, severity, check, message, the line with a marker, and a summary.
    Text,
    /// For tools: a stable JSON document (schema version 1).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

/// How many skipped paths of each kind the text and Markdown reports name.
pub const SKIPPED_SHOWN: usize = 20;

/// Paths joined by commas, at most [`SKIPPED_SHOWN`], then "and N more".
pub fn name_paths(paths: &[String]) -> String {
    let shown = paths.len().min(SKIPPED_SHOWN);
    let mut out = paths[..shown].join(", ");
    if paths.len() > shown {
        out.push_str(&format!(" and {} more", paths.len() - shown));
    }
    out
}
