//! The command stage: a shell command an agent proposes to run, parsed like a shell
//! ([`crate::shell`]), then judged by the command checks (`checks/commands/`, `category: command`)
//! on every simple command, and by the secret checks on its raw text. Its findings are located at the
//! command ([`Location::Command`]); the configuration and the gate's decision come after, as for every
//! other finding ([`crate::policy::decide`]).

mod matching;
mod project;

use crate::checks::{Check, CheckSet};
use crate::engine::snippet::mask_secret;
use crate::lang::Language;
use crate::model::Decision;
use crate::model::{Category, Finding, Location, ProposedCommand, Severity};
use crate::shell;
use crate::source::{whole_file, AddedLines};

use matching::Hit;
use project::Project;

/// A command check that matched.
struct Matched<'c> {
    check: &'c Check,
    action: Decision,
    hit: Hit,
    command: Option<usize>,
}

/// The findings on each proposed command: for each command check (the first simple command it
/// matches), then every secret in the command's text. A command check whose action is `allow` lifts
/// the `ask` findings of the simple command it matches (never a `deny`) and produces no finding itself.
/// A command finding's severity states what its check asks: error to deny, warning to ask.
pub(super) fn review(checks: &CheckSet, commands: &[ProposedCommand]) -> Vec<Finding> {
    let mut findings = Vec::new();
    if commands.is_empty() {
        return findings;
    }
    let command_checks: Vec<&Check> = checks
        .checks
        .iter()
        .filter(|c| c.command().is_some())
        .collect();
    let secret_set = checks.secret_set();
    for command in commands {
        let secrets = secret_set
            .map(|set| secrets_in(set, &command.text))
            .unwrap_or_default();
        let values = secret_values(&command.text, &secrets);
        judge(&command_checks, command, &values, &mut findings);
        findings.extend(secrets.into_iter().map(|mut f| {
            f.message = format!("{} in the command", f.message);
            f
        }));
    }
    findings
}

/// The command-check findings on one command, one per check, in the order the checks load.
fn judge(
    command_checks: &[&Check],
    command: &ProposedCommand,
    secret_values: &[String],
    out: &mut Vec<Finding>,
) {
    let project = Project::new(&command.cwd);
    judge_in(command_checks, &command.text, &project, secret_values, out);
}

/// The command-check findings on a script that no agent proposed — a shell block of a file under
/// review — judged as the agent gate judges a command, but with no project around it (no manifest
/// read, no branch known). Located at the command: the caller moves them to the file.
pub(crate) fn judge_script(checks: &CheckSet, text: &str) -> Vec<Finding> {
    let command_checks: Vec<&Check> = checks
        .checks
        .iter()
        .filter(|c| c.command().is_some())
        .collect();
    let mut out = Vec::new();
    judge_in(&command_checks, text, &Project::none(), &[], &mut out);
    out
}

/// [`judge`] on `text` in `project`.
fn judge_in(
    command_checks: &[&Check],
    text: &str,
    project: &Project<'_>,
    secret_values: &[String],
    out: &mut Vec<Finding>,
) {
    let script = shell::parse(text);
    let mut matched: Vec<Matched<'_>> = Vec::new();
    let mut allowed: Vec<usize> = Vec::new();
    for &check in command_checks {
        let Some(crate::checks::CommandCheck { matcher, action }) = check.command() else {
            continue;
        };
        let action = *action;
        if matcher.opaque {
            if script.opaque {
                matched.push(Matched {
                    check,
                    action,
                    hit: Hit::default(),
                    command: None,
                });
            }
            continue;
        }
        for idx in 0..script.commands.len() {
            let Some(hit) = matching::matches(matcher, &script, idx, project) else {
                continue;
            };
            if action == Decision::Allow {
                allowed.push(idx);
            } else {
                matched.push(Matched {
                    check,
                    action,
                    hit,
                    command: Some(idx),
                });
            }
        }
    }
    let first = out.len();
    for m in matched {
        let lifted = m.action == Decision::Ask && m.command.is_some_and(|c| allowed.contains(&c));
        if lifted || out[first..].iter().any(|f| f.check == m.check.meta.id) {
            continue;
        }
        let message = redact(&fill_message(&m.check.meta.message, &m.hit), secret_values);
        out.push(command_finding(m.check, m.action, message));
    }
}

/// The severity that states a command check's action: error to deny, warning to ask.
fn severity_of(action: Decision) -> Severity {
    match action {
        Decision::Deny => Severity::Error,
        Decision::Ask => Severity::Warning,
        Decision::Allow => Severity::Note,
    }
}

/// A command check's finding, located at the command.
fn command_finding(check: &Check, action: Decision, message: String) -> Finding {
    Finding {
        location: Location::Command,
        line: 1,
        column: 1,
        end_column: 1,
        ..Finding::of(
            check.meta.id.to_string(),
            Category::Command,
            severity_of(action),
            message,
        )
    }
}

/// The secret checks of `checks` that search text, as a set of their own (None when there are none).
/// Every secret the secret checks of `checks` find in a command's text, located at the command (line
/// and columns in its text). No inline marker silences anything there: a marker in a command is only
/// its author's say-so, and a secret it silenced would go unmasked.
pub fn secrets(checks: &CheckSet, text: &str) -> Vec<Finding> {
    match checks.secret_set() {
        Some(set) => secrets_in(set, text),
        None => Vec::new(),
    }
}

/// What [`secrets`] finds, with `set` holding only the secret checks.
pub fn secrets_in(set: &CheckSet, text: &str) -> Vec<Finding> {
    // The text is searched as a shell script; its findings are then moved to the command.
    let mut file = whole_file(String::new(), text.to_string(), AddedLines::All);
    file.language = Language::Shell;
    let mut findings = super::lines::run_ignoring_markers(set, std::slice::from_ref(&file));
    for finding in &mut findings {
        finding.location = Location::Command;
    }
    findings
}

/// The secret values the secret findings point at, longest first, to mask them in other messages.
fn secret_values(command: &str, secrets: &[Finding]) -> Vec<String> {
    let lines: Vec<&str> = command.lines().collect();
    let mut values: Vec<String> = secrets
        .iter()
        .filter_map(|f| {
            let line = lines.get(f.line as usize - 1)?;
            let value: String = line
                .chars()
                .skip(f.column as usize - 1)
                .take((f.end_column - f.column) as usize)
                .collect();
            (value.len() >= 4).then_some(value)
        })
        .collect();
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    values.dedup();
    values
}

fn redact(message: &str, secrets: &[String]) -> String {
    secrets.iter().fold(message.to_string(), |text, secret| {
        text.replace(secret.as_str(), &mask_secret(secret))
    })
}

/// Fills `{program}`, `{operand}`, `{package}` and `{popular}`.
fn fill_message(template: &str, hit: &Hit) -> String {
    let filled = template
        .replace("{program}", &hit.program)
        .replace("{operand}", hit.operand.as_deref().unwrap_or(""))
        .replace("{package}", hit.package.as_deref().unwrap_or(""))
        .replace("{popular}", hit.popular.as_deref().unwrap_or(""));
    filled
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace("``", "")
}
