//! Judging a shell command an agent proposes to run: parse it like a shell ([`crate::hook::shell`]),
//! then run the command checks (`checks/commands/`, `category: command`) on every simple command, and
//! the secret checks on the raw text. The configuration applies as everywhere: `disable`, `severity`
//! overrides and `allow` entries.

mod matching;
mod project;

use std::path::Path;

use crate::checks::{self, Check};
use crate::engine::snippet::mask_secret;
use crate::hook::shell;
use crate::hook::Decision;
use crate::model::{Category, Finding, Severity};
use crate::policy::Policy;
use crate::source::{whole_file, AddedLines};

use matching::Hit;
use project::Project;

/// The name the raw command text has when the secret checks look at it.
const COMMAND_PATH: &str = "command.sh";

/// What the command is judged against.
pub struct CommandContext<'a> {
    /// The directory the command would run in (the agent's `cwd`).
    pub cwd: &'a Path,
    /// The configuration in force.
    pub policy: &'a Policy,
    /// Every loaded check (the judge picks the command checks and whatever else it uses).
    pub checks: &'a [Check],
}

/// One reason to stop or question a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandFinding {
    /// The check that found it.
    pub check: String,
    /// What the check asks the gate to do.
    pub decision: Decision,
    /// Its severity.
    pub severity: Severity,
    /// What was found, with any secret redacted.
    pub message: String,
}

/// A command check that matched, before the configuration has its say.
struct Matched<'c> {
    check: &'c Check,
    action: Decision,
    hit: Hit,
    command: Option<usize>,
}

/// Judges a command line; an empty list means nothing to say. Findings come strongest first (deny,
/// then ask), one per check. A command check whose action is `allow` lifts the `ask` findings of the
/// simple command it matches (never a `deny`); it produces no finding itself.
pub fn judge(command: &str, context: &CommandContext<'_>) -> anyhow::Result<Vec<CommandFinding>> {
    let script = shell::parse(command);
    let project = Project::new(context.cwd);
    let policy = context.policy;
    let mut matched: Vec<Matched<'_>> = Vec::new();
    let mut allowed: Vec<usize> = Vec::new();
    for check in context.checks.iter().filter(|c| !policy.is_disabled(c)) {
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
            let Some(hit) = matching::matches(matcher, &script, idx, &project) else {
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
    let secrets = secret_findings(command, context);
    let secret_values = secret_values(command, &secrets);
    let mut findings: Vec<CommandFinding> = Vec::new();
    for m in matched {
        let lifted = m.action == Decision::Ask && m.command.is_some_and(|c| allowed.contains(&c));
        if lifted || findings.iter().any(|f| f.check == m.check.meta.id) {
            continue;
        }
        let message = redact(&fill_message(&m.check.meta.message, &m.hit), &secret_values);
        let finding = as_finding(&m.check.meta.id, m.check.meta.severity, message);
        let Some(finding) = policy.apply(vec![finding]).pop() else {
            continue;
        };
        let decision = if finding.severity == m.check.meta.severity {
            m.action
        } else {
            decision_for(finding.severity)
        };
        if decision != Decision::Allow {
            findings.push(CommandFinding {
                check: finding.check,
                decision,
                severity: finding.severity,
                message: finding.message,
            });
        }
    }
    for secret in policy.apply(secrets) {
        if secret.severity == Severity::Note || findings.iter().any(|f| f.check == secret.check) {
            continue;
        }
        findings.push(CommandFinding {
            check: secret.check,
            decision: Decision::Ask,
            severity: secret.severity,
            message: format!("{} in the command", secret.message),
        });
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.decision));
    Ok(findings)
}

/// The decision a severity set by the configuration stands for.
fn decision_for(severity: Severity) -> Decision {
    match severity {
        Severity::Error => Decision::Deny,
        Severity::Warning => Decision::Ask,
        Severity::Note => Decision::Allow,
    }
}

/// A command finding in the engine's shape, so the configuration's allows and overrides apply to it.
fn as_finding(check: &str, severity: Severity, message: String) -> Finding {
    Finding {
        check: check.to_string(),
        category: Category::Command,
        severity,
        path: String::new(),
        line: 1,
        column: 1,
        end_column: 1,
        message,
        snippet: String::new(),
        snippet_column: 0,
        snippet_width: 0,
        fingerprint: String::new(),
        parts: Vec::new(),
    }
}

/// The secret checks (not disabled) run over the raw command text by the engine, which redacts them.
fn secret_findings(command: &str, context: &CommandContext<'_>) -> Vec<Finding> {
    let secret_checks: Vec<Check> = context
        .checks
        .iter()
        .filter(|c| c.meta.category == Category::Secret && !context.policy.is_disabled(c))
        .cloned()
        .collect();
    if secret_checks.is_empty() {
        return Vec::new();
    }
    let set = checks::into_set(secret_checks);
    let file = whole_file(
        COMMAND_PATH.to_string(),
        command.to_string(),
        AddedLines::All,
    );
    crate::engine::run_ignoring_markers(&set, std::slice::from_ref(&file))
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
