//! Reporters: turn a finished review into text for people or JSON for tools.

pub mod json;
pub mod sarif;
pub mod text;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Category, Finding, Skipped};

/// Counts that describe what was reviewed and found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Files with added lines that were reviewed.
    pub files: usize,
    /// Added lines reviewed.
    pub added_lines: usize,
    /// Findings per category (only categories with findings).
    pub by_category: BTreeMap<String, usize>,
    /// Findings per severity (all three, zero included).
    pub by_severity: BTreeMap<String, usize>,
    /// What could not be reviewed.
    pub skipped: Skipped,
}

/// A finished review: sorted findings and the summary.
#[derive(Debug, Clone, Default)]
pub struct Review {
    /// Findings sorted by path, line, column and check id, attack chains first.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: Summary,
    /// Dependencies the change adds or changes.
    pub dependencies: Vec<crate::engine::deps::Dependency>,
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
        findings.sort_by(|a, b| {
            (
                chain_rank(a),
                a.path.as_str(),
                a.line,
                a.column,
                a.check.as_str(),
            )
                .cmp(&(
                    chain_rank(b),
                    b.path.as_str(),
                    b.line,
                    b.column,
                    b.check.as_str(),
                ))
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
            dependencies: Vec::new(),
            findings,
            summary: Summary {
                files,
                added_lines,
                by_category,
                by_severity,
                skipped,
            },
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
