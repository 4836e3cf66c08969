//! What remains of the hook module: judging a shell command an agent proposes to run ([`command`]).
//! The agent gate lives in `crate::gate::agent`, the installers in `crate::setup`.

pub mod command;

/// Temporary re-export for code written before `Decision` moved to `model`.
pub use crate::model::Decision;
