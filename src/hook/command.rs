//! Judging a shell command an agent proposes to run: parse it like a shell, then run the command
//! checks (`checks/commands/`) on the argv of every simple command.
//!
//! INTERFACE STUB: the agent-hook protocol calls [`judge`]; the shell parser and the command checks
//! replace the body.

use std::path::Path;

use crate::checks::Check;
use crate::hook::Decision;
use crate::model::Severity;
use crate::policy::Policy;

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

/// Judges a command line; an empty list means nothing to say.
pub fn judge(command: &str, context: &CommandContext<'_>) -> anyhow::Result<Vec<CommandFinding>> {
    let _ = (command, context);
    Ok(Vec::new())
}
