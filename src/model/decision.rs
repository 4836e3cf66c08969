//! What a gate answers for a proposed action.

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
