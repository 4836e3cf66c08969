//! Judging one action: file changes through the full engine ([`pipeline::analyze`]), shell commands
//! through [`command::judge`], and the masking of secrets in a command before it is logged.

use std::path::Path;

use anyhow::Result;

use super::files;
use super::input::Action;
use super::verdict::{Item, Verdict};
use crate::checks::{self, Check};
use crate::hook::command::{self, CommandContext};
use crate::lang::Language;
use crate::model::{Category, Finding};
use crate::pipeline::{self, Selection};
use crate::policy::Policy;
use crate::source::{self, AddedLines};

/// The verdict on a file-changing action and the paths it touches (relative to `root`).
pub fn judge_files(
    action: &Action,
    cwd: &Path,
    root: &Path,
    selection: &Selection,
) -> Result<(Verdict, Vec<String>)> {
    let proposals = files::proposed(action, cwd);
    let paths: Vec<String> = proposals
        .iter()
        .map(|p| files::display_path(&p.path, root))
        .collect();
    if proposals.is_empty() {
        return Ok((Verdict::allow(), paths));
    }
    let remark = proposals.iter().any(|p| !p.exact).then(|| {
        "the edit does not apply to the current file, so its new text was judged alone: line numbers count from the start of that text".to_string()
    });
    let changes = files::change_set(proposals, root);
    if changes.files.is_empty() && changes.skipped.binary_paths.is_empty() {
        return Ok((Verdict::allow(), paths));
    }
    let analysis = pipeline::analyze_gated(root, selection, |_| Ok(changes))?;
    let settings = &analysis.policy.hook;
    let items = analysis
        .review
        .findings
        .iter()
        .map(|f| Item {
            check: f.check.clone(),
            location: Some(format!("{}:{}", f.path, f.line)),
            message: f.message_with_parts(),
            decision: settings.decision_for(&f.check, f.category, f.severity),
        })
        .collect();
    Ok((Verdict::from_items(items, remark), paths))
}

/// The verdict on a shell command.
pub fn judge_command(
    command_line: &str,
    cwd: &Path,
    policy: &Policy,
    checks: &[Check],
) -> Result<Verdict> {
    let context = CommandContext {
        cwd,
        policy,
        checks,
    };
    let findings = command::judge(command_line, &context)?;
    let items = findings
        .into_iter()
        .map(|f| {
            let category = checks.iter().find(|c| c.id == f.check).map(|c| c.category);
            let decision = policy
                .hook
                .action_for(&f.check, category)
                .unwrap_or(f.decision);
            Item {
                check: f.check,
                location: None,
                message: f.message,
                decision,
            }
        })
        .collect();
    Ok(Verdict::from_items(items, None))
}

/// The command with every secret the secret checks find masked, for the audit log.
pub fn mask_command(command_line: &str, checks: &[Check]) -> String {
    let secret_checks: Vec<Check> = checks
        .iter()
        .filter(|c| c.category == Category::Secret && !c.produced_by_engine)
        .cloned()
        .collect();
    if secret_checks.is_empty() {
        return command_line.to_string();
    }
    let set = checks::into_set(secret_checks);
    let mut file = source::whole_file(
        "command.sh".to_string(),
        command_line.to_string(),
        AddedLines::All,
    );
    file.language = Language::Shell;
    let findings = crate::engine::run(&set, std::slice::from_ref(&file));
    if findings.is_empty() {
        return command_line.to_string();
    }
    mask_spans(command_line, &findings)
}

/// Replaces each finding's match (line, 1-based character columns) with its masked form.
fn mask_spans(text: &str, findings: &[Finding]) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let number = index as u32 + 1;
        let mut spans: Vec<(usize, usize)> = findings
            .iter()
            .filter(|f| f.line == number)
            .filter_map(|f| {
                let start = byte_offset(line, f.column.saturating_sub(1) as usize)?;
                let end = byte_offset(line, f.end_column.saturating_sub(1) as usize)
                    .unwrap_or(line.len());
                (start < end).then_some((start, end))
            })
            .collect();
        spans.sort_unstable();
        let mut pos = 0;
        for (start, end) in spans {
            if start < pos {
                continue;
            }
            out.push_str(&line[pos..start]);
            out.push_str(&crate::engine::snippet::mask_secret(&line[start..end]));
            pos = end;
        }
        out.push_str(&line[pos..]);
    }
    out
}

fn byte_offset(line: &str, chars: usize) -> Option<usize> {
    if chars == line.chars().count() {
        return Some(line.len());
    }
    line.char_indices().nth(chars).map(|(i, _)| i)
}
