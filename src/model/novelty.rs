//! Novelty: whether a finding is a capability the changed file gains ([`Novelty::New`]) or one its old
//! version already had ([`Novelty::Existing`]), and what a source knows of a file's old version
//! ([`Base`]).

use serde::Serialize;

use super::Category;

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

/// Whether findings of `category` are about a capability (something the code does).
pub fn has_capability(category: Category) -> bool {
    matches!(
        category,
        Category::Network
            | Category::Exec
            | Category::Eval
            | Category::Env
            | Category::PathTraversal
    )
}

/// The capability key of a check id: its first three dot-parts, the third cut at its first `-`
/// (`exec.python.subprocess-alias` → `exec.python.subprocess`). An id of fewer parts is its own key.
pub fn capability_key(check: &str) -> &str {
    let mut dots = check.match_indices('.').map(|(i, _)| i);
    let (Some(_), Some(second)) = (dots.next(), dots.next()) else {
        return check;
    };
    let family = &check[second + 1..];
    let end = family
        .find(['.', '-'])
        .map_or(check.len(), |i| second + 1 + i);
    &check[..end]
}

/// The family part of a capability key, for people (`network.python.requests` → `requests`).
pub fn family(check: &str) -> &str {
    let key = capability_key(check);
    key.rsplit('.').next().unwrap_or(key)
}
