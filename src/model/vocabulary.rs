//! The vocabulary of findings: how serious ([`Severity`]) and about what ([`Category`]). A leaf with no
//! imports of ours, so that `build.rs` can read the check schema that names it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How serious a finding is. Ordered so that `Error > Warning > Note`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look when reviewing the change.
    Note,
    /// Needs a reviewer's attention.
    Warning,
    /// Blocks by default.
    Error,
}

impl Severity {
    /// All severities, most severe first.
    pub const ALL: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Note];

    /// One step less severe (a note stays a note).
    pub fn lowered(self) -> Severity {
        match self {
            Severity::Error => Severity::Warning,
            _ => Severity::Note,
        }
    }

    /// The lowercase name used in configuration and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "note" => Ok(Severity::Note),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}` (expected error, warning or note)"
            )),
        }
    }
}

/// What kind of capability a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// A combination of findings that real supply-chain attacks leave (exfiltration, download and
    /// execute, install-time execution, obfuscated execution, CI secret exposure, agent abuse).
    Attack,
    /// A hard-coded credential.
    Secret,
    /// A new or changed dependency.
    Dependency,
    /// Talking to the network.
    Network,
    /// Starting processes or shell commands.
    Exec,
    /// Evaluating code or deserializing untrusted data.
    Eval,
    /// Reading environment variables.
    Env,
    /// Touching files outside where it should.
    PathTraversal,
    /// About review-gate itself (a suppression without a reason, one that names no known check), and the
    /// protections a change removes (ignore entries, workflow permissions, lockfiles, auth guards).
    Policy,
    /// A shell command an agent proposes to run (judged by the agent hook, not found in files).
    Command,
    /// What changes the coding agents themselves: MCP servers they start, permissions and hooks in their
    /// settings, instruction and skill files they obey.
    Agent,
}

impl Category {
    /// Every category, in reporting order.
    pub const ALL: [Category; 11] = [
        Category::Attack,
        Category::Secret,
        Category::Dependency,
        Category::Network,
        Category::Exec,
        Category::Eval,
        Category::Env,
        Category::PathTraversal,
        Category::Policy,
        Category::Command,
        Category::Agent,
    ];

    /// The kebab-case name used in configuration and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Attack => "attack",
            Category::Secret => "secret",
            Category::Dependency => "dependency",
            Category::Network => "network",
            Category::Exec => "exec",
            Category::Eval => "eval",
            Category::Env => "env",
            Category::PathTraversal => "path-traversal",
            Category::Policy => "policy",
            Category::Command => "command",
            Category::Agent => "agent",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown category `{s}` (expected one of: {})",
                    Category::ALL.map(Category::as_str).join(", ")
                )
            })
    }
}
