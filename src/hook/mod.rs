//! Gates that run before a change exists: the git pre-commit hook and the agent hooks (Claude Code,
//! Codex, Cursor, Gemini) that judge a shell command or a file write before it happens.

pub mod agent;
pub mod command;
pub mod init;
mod init_json;
pub mod install;
pub mod shell;

use serde::{Deserialize, Serialize};

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
