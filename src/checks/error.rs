//! The error of a check definition, naming the file, the line and the check.

use std::fmt;

/// An error in a check definition, naming the file, the line and the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    /// The check file.
    pub file: String,
    /// 1-based line of the offending key (0 when unknown).
    pub line: u64,
    /// The check's id, when known.
    pub check: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(check) = &self.check {
            write!(f, ": check `{check}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for DefinitionError {}
