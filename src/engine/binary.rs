//! The stages over binary files: checks that name a binary file's path, and secrets in the printable
//! runs of binary content.

use super::lines::run_files;
use super::suppress;
use crate::checks::{Check, CheckSet};
use crate::lang;
use crate::model::{fnv1a64, BinaryText, Category, ChangedFile, Finding};

/// Findings for binary files whose path a check names (`binary: true`): one at line 1 per file and check.
pub(super) fn run_binary(checks: &CheckSet, paths: &[String]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for path in paths {
        let language = lang::Language::detect(path, "");
        for check in checks
            .checks
            .iter()
            .filter(|c| c.on_binary() && c.applies_to(language, path))
        {
            findings.push(Finding {
                path: path.clone(),
                line: 1,
                column: 1,
                end_column: 1,
                snippet: String::from("(binary file)"),
                snippet_width: 13,
                fingerprint: format!(
                    "{:016x}",
                    fnv1a64(&[check.meta.id.as_bytes(), path.as_bytes(), b"binary"])
                ),
                ..Finding::of(
                    check.meta.id.to_string(),
                    check.meta.category,
                    check.meta.severity,
                    format!("{} (binary file)", check.meta.message),
                )
            });
        }
    }
    findings
}

/// Secret findings in the printable runs of binary files (see [`BinaryText`]): git, GitHub and a
/// reviewer do not show their content, so a key in an image's metadata or a compiled file would
/// otherwise pass unseen. Inline markers in binary content silence nothing. Each finding is at line 1
/// and says at which byte offset the run holding it starts.
pub(super) fn secrets_in_binaries(checks: &CheckSet, binaries: &[BinaryText]) -> Vec<Finding> {
    if binaries.iter().all(|b| b.text.is_empty()) {
        return Vec::new();
    }
    let secret: Vec<Check> = checks
        .checks
        .iter()
        .filter(|c| c.meta.category == Category::Secret && c.pattern().is_some())
        .cloned()
        .collect();
    if secret.is_empty() {
        return Vec::new();
    }
    let set = crate::checks::into_set(secret);
    let files: Vec<ChangedFile> = binaries
        .iter()
        .map(|b| {
            crate::source::whole_file(
                b.path.clone(),
                suppress::defuse_markers(&b.text),
                crate::source::AddedLines::All,
            )
        })
        .collect();
    let run = run_files(&set, &files, false);
    let mut findings = run.findings;
    findings.extend(run.silenced);
    for finding in &mut findings {
        let offset = binaries
            .iter()
            .find(|b| b.path == finding.path)
            .and_then(|b| b.offsets.get(finding.line as usize - 1))
            .copied()
            .unwrap_or(0);
        finding.message = format!(
            "{} (in binary content, byte offset {offset})",
            finding.message
        );
        finding.line = 1;
        finding.column = 1;
        finding.end_column = 1;
    }
    findings
}
