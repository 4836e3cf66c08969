//! Novelty: whether a finding is a capability the changed file gains ([`Novelty::New`]) or one its old
//! version already had ([`Novelty::Existing`]), and what a source knows of a file's old version
//! ([`Base`]).

use serde::Serialize;

/// What a source knows of a changed file's old version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Base {
    /// The old version is not known (a bare patch, a scan, an inexact proposed edit).
    #[default]
    Unknown,
    /// The change adds the file: it had no old version, so everything in it is new.
    Added,
    /// The file existed and its old text is in [`super::ChangedFile::old_text`].
    Modified,
}

/// Whether the capability a finding is about is new to its file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Novelty {
    /// The file gains it: a new file, or the old version had no finding of the same capability.
    New,
    /// The old version of the file already had a finding of the same capability.
    Existing,
    /// The old version is not known (a bare patch, a scan), or the finding is in no changed file.
    #[default]
    Unknown,
}

impl Novelty {
    /// The lowercase name used in JSON and SARIF.
    pub fn as_str(self) -> &'static str {
        match self {
            Novelty::New => "new",
            Novelty::Existing => "existing",
            Novelty::Unknown => "unknown",
        }
    }
}
