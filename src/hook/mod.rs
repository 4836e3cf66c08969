//! Gates that run before a change exists: the git pre-commit hook and the agent hooks (Claude Code,
//! Codex, Cursor, Gemini) that judge a shell command or a file write before it happens.

pub mod agent;
pub mod init;
mod init_json;
pub mod install;
pub mod shell;

use serde::{Deserialize, Serialize};

/// The coding agents whose pre-tool hooks review-gate answers and whose settings `init` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Agent {
    /// Claude Code (`PreToolUse`; `.claude/settings.json`).
    Claude,
    /// OpenAI Codex CLI (`PreToolUse`, Claude-compatible; `.codex/hooks.json`).
    Codex,
    /// Cursor (`beforeShellExecution`, `preToolUse`; `.cursor/hooks.json`).
    Cursor,
    /// Gemini CLI (`BeforeTool`; `.gemini/settings.json`).
    Gemini,
}

impl Agent {
    /// The lowercase name used on the command line, in settings and in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Agent::Claude => "claude",
            Agent::Codex => "codex",
            Agent::Cursor => "cursor",
            Agent::Gemini => "gemini",
        }
    }
}

/// What a gate answers for a proposed action, ordered from weakest to strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Let it happen.
    Allow,
    /// Ask the user.
    Ask,
    /// Refuse it.
    Deny,
}

impl Decision {
    /// The lowercase name agents use (`allow`, `ask`, `deny`).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Ask => "ask",
            Decision::Deny => "deny",
        }
    }
}
