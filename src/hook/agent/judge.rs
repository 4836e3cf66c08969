//! Judging one action: file changes through the full engine ([`pipeline::analyze`]), shell commands
//! through [`command::judge`], and the masking of secrets in a command before it is logged.

use std::path::Path;

use anyhow::Result;

use super::files;
use super::input::Action;
use super::verdict::{Item, Verdict};
use crate::checks::{self, Check};
use crate::hook::command::{self, CommandContext};
use crate::hook::Decision;
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
    // Writes that weaken the gate itself are refused whatever else they hold.
    let guarded = super::guard::judge(action, &proposals, cwd, root, selection.config.as_deref());
    if !guarded.is_empty() {
        return Ok((Verdict::from_items(guarded, None), paths));
    }
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
    let mut verdict = Verdict::from_items(items, remark);
    verdict.suppressions = analysis
        .review
        .suppressions
        .iter()
        .map(|s| {
            format!(
                "{}:{} {} silences {} -- {}",
                s.path,
                s.line,
                s.marker,
                crate::report::text::silenced_list(s),
                s.reason.as_deref().unwrap_or("no reason given")
            )
        })
        .collect();
    if verdict.decision == Decision::Allow && !verdict.suppressions.is_empty() {
        // A marker the agent adds silences review: a person approves it (an agent that cannot ask
        // refuses), never an allow that would skip the agent's own permission prompt.
        verdict.decision = Decision::Ask;
    }
    Ok((verdict, paths))
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
            let category = checks
                .iter()
                .find(|c| c.meta.id == f.check)
                .map(|c| c.meta.category);
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
    mask_command_secrets(command_line, checks).0
}

/// [`mask_command`], and a redactor that knows each secret it masked (for the reply to the agent).
pub fn mask_command_secrets(
    command_line: &str,
    checks: &[Check],
) -> (String, crate::redact::Redactor) {
    let mut redactor = crate::redact::Redactor::default();
    let masked = mask_command_into(command_line, checks, &mut redactor);
    (masked, redactor)
}

fn mask_command_into(
    command_line: &str,
    checks: &[Check],
    redactor: &mut crate::redact::Redactor,
) -> String {
    let secret_checks: Vec<Check> = checks
        .iter()
        .filter(|c| c.meta.category == Category::Secret && c.pattern().is_some())
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
    let findings = crate::engine::run_ignoring_markers(&set, std::slice::from_ref(&file));
    if findings.is_empty() {
        return command_line.to_string();
    }
    mask_spans(command_line, &findings, redactor)
}

/// Replaces each finding's match (line, 1-based character columns) with its masked form. A private
/// key's finding marks only its `BEGIN` header, so its span runs on through the key's `END` line (to the
/// end of the text when there is none): the body is the secret.
fn mask_spans(text: &str, findings: &[Finding], redactor: &mut crate::redact::Redactor) -> String {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut spans: Vec<(usize, usize)> = findings
        .iter()
        .filter_map(|f| {
            let line_start = *line_starts.get((f.line as usize).checked_sub(1)?)?;
            let line_end = text[line_start..]
                .find('\n')
                .map_or(text.len(), |i| line_start + i);
            let line = &text[line_start..line_end];
            let start = line_start + byte_offset(line, f.column.saturating_sub(1) as usize)?;
            let mut end = line_start
                + byte_offset(line, f.end_column.saturating_sub(1) as usize).unwrap_or(line.len());
            if f.check.starts_with("secret.private-key.") {
                end = private_key_end(text, end);
            }
            (start < end).then_some((start, end))
        })
        .collect();
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (start, end) in spans {
        if end <= pos {
            continue;
        }
        let start = start.max(pos);
        out.push_str(&text[pos..start]);
        redactor.add_secret(&text[start..end]);
        out.push_str(&crate::engine::snippet::mask_secret(&text[start..end]));
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Where the private key whose header ends at `header_end` ends: after the dashes that close its `END`
/// line (`-----END RSA PRIVATE KEY-----`, `---- END SSH2 ENCRYPTED PRIVATE KEY ----`), else the end of
/// the text. Base64 has no spaces, so `END ` cannot occur inside the key.
fn private_key_end(text: &str, header_end: usize) -> usize {
    let rest = &text[header_end..];
    let Some(marker) = rest.find("END ") else {
        return text.len();
    };
    let Some(dashes) = rest[marker..].find("----") else {
        return text.len();
    };
    let closing = header_end + marker + dashes;
    closing + text[closing..].len() - text[closing..].trim_start_matches('-').len()
}

fn byte_offset(line: &str, chars: usize) -> Option<usize> {
    if chars == line.chars().count() {
        return Some(line.len());
    }
    line.char_indices().nth(chars).map(|(i, _)| i)
}
