//! Judging one action through the pipeline every gate shares ([`Pipeline`]): the files a Write, Edit or
//! patch would leave ([`crate::source::proposed`]) or the shell command it would run (the engine's
//! command stage), then [`policy::decide`] for each finding; and the masking of secrets in a command
//! before it is logged.

use std::path::Path;

use anyhow::Result;

use super::input::Action;
use super::verdict::{Item, Verdict};
use crate::checks::{self, Check, CheckSet};
use crate::engine::commands as command;
use crate::model::{Category, Decision, Finding, Location};
use crate::pipeline::{Analysis, PhaseTimer, Pipeline, Selection};
use crate::policy::{self, Policy};
use crate::source::proposed as files;

/// The verdict on a file-changing action and the paths it touches (relative to `root`), under `policy`
/// (the configuration in force, read once for the action).
pub fn judge_files(
    action: &Action,
    cwd: &Path,
    root: &Path,
    policy: Policy,
    selection: &Selection,
) -> Result<(Verdict, Vec<String>)> {
    let proposals = files::proposed(action, cwd);
    let paths: Vec<String> = proposals
        .iter()
        .map(|p| files::display_path(&p.path, root))
        .collect();
    // Writes that weaken the gate itself are refused whatever else they hold.
    let guarded = super::guard::judge(
        action,
        &proposals,
        cwd,
        root,
        selection.config.as_deref(),
        &policy,
    );
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
    // Only the checks these files can use are compiled: the hook runs before every tool call.
    let needed =
        if changes.skipped.binary_paths.is_empty() && changes.skipped.binary_text.is_empty() {
            let mut languages: Vec<_> = changes.files.iter().map(|f| f.language).collect();
            // A decoded payload that reads as a command line is reviewed as shell too.
            languages.push(crate::model::Language::Shell);
            languages.dedup();
            checks::Needed::Languages(languages)
        } else {
            checks::Needed::Everything
        };
    let analysis = match needed {
        // The checks none of whose keywords the change holds are left out; when a stage still asks for
        // one (a decoded payload, a folded look-alike, a lookup by id), the review is made again whole.
        checks::Needed::Languages(_)
            if selection.checks.is_empty() && keyword_bytes(&changes) <= checks::PROBE_BUDGET =>
        {
            let text = keyword_text(&changes);
            let first = Pipeline::withholding(policy.clone(), selection, &needed, &text)?
                .review(changes.clone())?;
            if first.missed() {
                std::mem::forget(first);
                Pipeline::gated_for(policy, selection, &needed)?.review(changes)?
            } else {
                first
            }
        }
        _ => Pipeline::gated_for(policy, selection, &needed)?.review(changes)?,
    };
    let verdict = verdict(&analysis, remark);
    // The hook's process ends with this answer: freeing some eight hundred checks would only delay it.
    std::mem::forget(analysis);
    Ok((verdict, paths))
}

/// How long [`keyword_text`] is.
fn keyword_bytes(changes: &crate::model::ChangeSet) -> usize {
    let lines = |f: &crate::model::ChangedFile| {
        let added: usize = f.added.iter().map(|l| l.end - l.start + 1).sum();
        let removed: usize = f.removed.iter().map(|l| l.end - l.start + 1).sum();
        added + removed
    };
    changes.files.iter().map(lines).sum()
}

/// Every added and removed line of `changes`, in lowercase: the texts the review knows it will search
/// for keywords.
fn keyword_text(changes: &crate::model::ChangeSet) -> String {
    let mut text = String::new();
    for file in &changes.files {
        for line in &file.added {
            text.push_str(file.line_text(line));
            text.push('\n');
        }
        for line in &file.removed {
            text.push_str(file.removed_text(line));
            text.push('\n');
        }
    }
    text.make_ascii_lowercase();
    text
}

/// The gate's verdict on an analysis: each finding's decision ([`policy::decide`]); in a command, one
/// item per check (the first of its findings that asks something). Inline markers the action adds
/// are named, and make an action that would be allowed ask.
fn verdict(analysis: &Analysis, remark: Option<String>) -> Verdict {
    let settings = &analysis.policy.hook;
    let mut items: Vec<Item> = Vec::new();
    for finding in &analysis.review.findings {
        let decision = policy::decide(settings, finding);
        let location = match finding.location {
            Location::File => Some(format!("{}:{}", finding.path, finding.line)),
            Location::Command => {
                let seen = || {
                    items
                        .iter()
                        .any(|i| i.location.is_none() && i.check == finding.check)
                };
                if decision == Decision::Allow || seen() {
                    continue;
                }
                None
            }
        };
        items.push(Item {
            check: finding.check.clone(),
            location,
            message: finding.message_with_parts(),
            decision,
        });
    }
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
    verdict
}

/// The verdict on a shell command, under `policy` with `checks` (those loaded for it): the same
/// pipeline as every gate — the engine's command stage, the configuration, then [`policy::decide`].
pub fn judge_command(
    command_line: &str,
    cwd: &Path,
    policy: &Policy,
    checks: &[Check],
) -> Result<Verdict> {
    let pipeline = Pipeline::new(
        policy.clone(),
        checks.to_vec(),
        &Selection::default(),
        PhaseTimer::from_env(),
    )?;
    review_command(pipeline, command_line, cwd)
}

/// The verdict of `pipeline` on a shell command run in `cwd`.
pub fn review_command(pipeline: Pipeline, command_line: &str, cwd: &Path) -> Result<Verdict> {
    let changes = files::command_change(command_line, cwd);
    let analysis = pipeline.review(changes)?;
    Ok(verdict(&analysis, None))
}

/// [`review_command`] in the hook's own process, which ends with this answer: the analysis and its
/// checks are left to the exit rather than freed one by one.
pub fn review_command_then_exit(
    pipeline: Pipeline,
    command_line: &str,
    cwd: &Path,
) -> Result<(Verdict, bool)> {
    let analysis = pipeline.review(files::command_change(command_line, cwd))?;
    let verdict = verdict(&analysis, None);
    let missed = analysis.missed();
    std::mem::forget(analysis);
    Ok((verdict, missed))
}

/// The command with every secret the secret checks find masked, for the audit log.
pub fn mask_command(command_line: &str, checks: &[Check]) -> String {
    mask_command_secrets(command_line, checks).0
}

/// [`mask_command`], and a redactor that knows each secret it masked (for the reply to the agent).
/// Every loaded secret check masks, even one the configuration disables.
pub fn mask_command_secrets(
    command_line: &str,
    checks: &[Check],
) -> (String, crate::redact::Redactor) {
    // The set of secret checks is built once here (produced checks run no pattern).
    let secret: Vec<Check> = checks
        .iter()
        .filter(|c| c.meta.category == Category::Secret && !c.is_produced())
        .cloned()
        .collect();
    let set = (!secret.is_empty()).then(|| checks::into_set(secret));
    mask_with(command_line, set.as_ref())
}

/// [`mask_command_secrets`] with the set of secret checks already built (None: there are none).
pub fn mask_with(
    command_line: &str,
    secret_set: Option<&CheckSet>,
) -> (String, crate::redact::Redactor) {
    let mut redactor = crate::redact::Redactor::default();
    let Some(set) = secret_set else {
        return (command_line.to_string(), redactor);
    };
    let findings = command::secrets_in(set, command_line);
    if findings.is_empty() {
        return (command_line.to_string(), redactor);
    }
    let masked = mask_spans(command_line, &findings, &mut redactor);
    (masked, redactor)
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
