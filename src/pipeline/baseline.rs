//! `--baseline FILE`: findings an earlier run already reported are not reported again (for adopting
//! review-gate on a repository with known findings).
//!
//! Two formats are read: review-gate's JSON report (findings matched by `fingerprint`) and gitleaks'
//! JSON report (an array of objects with `File`, `StartLine`, `RuleID`, `Secret`, `Fingerprint`):
//! a secret finding matches an entry at the same file and line whose `Secret` is the text it matched.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{bail, Context, Result};

use super::Analysis;
use crate::model::{Category, Finding};

/// What a baseline file holds.
#[derive(Debug, Default)]
pub struct Baseline {
    /// review-gate fingerprints.
    fingerprints: HashSet<String>,
    /// gitleaks entries: (file, line, hash of the secret).
    secrets: HashSet<(String, u32, u64)>,
}

impl Baseline {
    /// Reads a baseline: review-gate's JSON report or gitleaks' JSON report.
    pub fn load(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the baseline {}", path.display()))?;
        Baseline::parse(&text).with_context(|| format!("baseline {}", path.display()))
    }

    /// Parses a baseline's text.
    pub fn parse(text: &str) -> Result<Baseline> {
        let value: serde_json::Value = serde_json::from_str(text)
            .context("not JSON (want a review-gate or gitleaks JSON report)")?;
        let mut out = Baseline::default();
        if let Some(findings) = value.get("findings").and_then(|f| f.as_array()) {
            for f in findings {
                if let Some(fp) = f.get("fingerprint").and_then(|f| f.as_str()) {
                    out.fingerprints.insert(fp.to_string());
                }
            }
            return Ok(out);
        }
        let Some(entries) = value.as_array() else {
            bail!("neither a review-gate report (an object with `findings`) nor a gitleaks report (an array)");
        };
        for e in entries {
            let file = e.get("File").and_then(|v| v.as_str());
            let line = e.get("StartLine").and_then(|v| v.as_u64());
            let secret = e.get("Secret").and_then(|v| v.as_str());
            match (file, line, secret) {
                (Some(file), Some(line), Some(secret)) if !secret.is_empty() => {
                    let file = file.trim_start_matches("./").replace('\\', "/");
                    out.secrets.insert((file, line as u32, hash(secret)));
                }
                _ => bail!("a gitleaks entry without `File`, `StartLine` or `Secret`"),
            }
        }
        Ok(out)
    }

    /// How many entries the baseline holds.
    pub fn len(&self) -> usize {
        self.fingerprints.len() + self.secrets.len()
    }

    /// Whether the baseline is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn hash(secret: &str) -> u64 {
    crate::model::fnv1a64(&[secret.as_bytes()])
}

/// Drops the findings the baseline holds and returns how many.
pub fn apply(analysis: &mut Analysis, baseline: &Baseline) -> usize {
    if baseline.is_empty() {
        return 0;
    }
    let files: std::collections::HashMap<&str, &crate::model::ChangedFile> = analysis
        .changes
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();
    let known = |f: &Finding| {
        if baseline.fingerprints.contains(&f.fingerprint) {
            return true;
        }
        if f.category != Category::Secret || baseline.secrets.is_empty() {
            return false;
        }
        let matched = super::history::matched_text(files.get(f.path.as_str()).copied(), f);
        !matched.is_empty()
            && baseline
                .secrets
                .contains(&(f.path.clone(), f.line, hash(&matched)))
    };
    let (dropped, kept): (Vec<Finding>, Vec<Finding>) =
        std::mem::take(&mut analysis.review.findings)
            .into_iter()
            .partition(|f| known(f));
    analysis.review.findings = Vec::new();
    analysis.review.add_findings(kept);
    analysis.review.summary.baselined += dropped.len();
    dropped.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_formats() {
        let ours = Baseline::parse(r#"{"version":1,"findings":[{"fingerprint":"00aa"}]}"#).unwrap();
        assert!(ours.fingerprints.contains("00aa"));
        let gitleaks = Baseline::parse(
            r#"[{"RuleID":"aws-access-token","File":"./a/b.ini","StartLine":3,"Secret":"AKIA","Fingerprint":"a/b.ini:aws-access-token:3"}]"#,
        )
        .unwrap();
        assert!(gitleaks
            .secrets
            .contains(&("a/b.ini".into(), 3, hash("AKIA"))));
        assert!(Baseline::parse("{}").is_err());
        assert!(Baseline::parse("[{}]").is_err());
        assert!(Baseline::parse("nope").is_err());
    }
}
