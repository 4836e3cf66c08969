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

/// What a change did to a dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Not in the old manifest.
    Added,
    /// In the old manifest, not in the new one.
    Removed,
    /// A higher version (or lower bound).
    Upgraded,
    /// A lower version (or lower bound).
    Downgraded,
    /// The same lower bound, accepting more releases (a pin became a range, a range lost its upper bound).
    Loosened,
    /// The same lower bound, accepting fewer releases (a range became a pin, a tag became a commit).
    Tightened,
    /// Another source: registry to git, URL or path, or another repository or URL.
    SourceChanged,
    /// Another constraint whose versions cannot be compared.
    Changed,
}

impl Change {
    /// The kebab-case name used in reports (`added`, `source-changed`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Upgraded => "upgraded",
            Change::Downgraded => "downgraded",
            Change::Loosened => "loosened",
            Change::Tightened => "tightened",
            Change::SourceChanged => "source-changed",
            Change::Changed => "changed",
        }
    }
}

/// A dependency a change adds, removes or changes, for the JSON report's `dependencies` array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// `npm`, `pypi`, `crates`, `pre-commit`, ...
    pub ecosystem: &'static str,
    /// Package name.
    pub name: String,
    /// Version constraint (or URL) as written in the new manifest (the old one for a removal).
    pub version: String,
    /// The version constraint (or URL) before the change, as written; absent for an added dependency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The version constraint (or URL) after the change, as written; absent for a removed dependency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// registry, git, url or path.
    pub source: Source,
    /// The manifest, relative to the root.
    pub manifest: String,
    /// 1-based line in the manifest (the old manifest for a removal).
    pub line: u32,
    /// What the change did: added, removed, upgraded, downgraded, loosened, tightened, source-changed
    /// (or changed, when the versions cannot be compared).
    pub change: Change,
    /// Whether it comes from a lockfile (a transitive or resolved package) rather than a manifest.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
    /// How an MCP server is started (`npx`, `uvx`, `docker run`, `remote`, …); only for `ecosystem: mcp`,
    /// whose `name` is the server's name in its configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launcher: Option<&'static str>,
    /// The package, image, script or URL an MCP server runs; only for `ecosystem: mcp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
}
