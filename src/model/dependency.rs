//! Dependencies a change adds or changes, as the reports list them.

use serde::Serialize;

/// Where a package comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The ecosystem's registry.
    Registry,
    /// A git repository.
    Git,
    /// A URL or tarball.
    Url,
    /// A local path.
    Path,
}

impl Source {
    /// The lowercase name used in reports (`registry`, `git`, `url`, `path`).
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Registry => "registry",
            Source::Git => "git",
            Source::Url => "url",
            Source::Path => "path",
        }
    }
}

/// Whether a dependency is new or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Not in the old manifest.
    Added,
    /// In the old manifest with another version constraint or source.
    Changed,
}

/// A dependency a change adds or changes, for the JSON report's `dependencies` array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// `npm` or `pypi`.
    pub ecosystem: &'static str,
    /// Package name.
    pub name: String,
    /// Version constraint (or URL) as written.
    pub version: String,
    /// registry, git, url or path.
    pub source: Source,
    /// The manifest, relative to the root.
    pub manifest: String,
    /// 1-based line in the manifest.
    pub line: u32,
    /// added or changed.
    pub change: Change,
}
