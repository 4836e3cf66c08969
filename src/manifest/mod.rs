//! Dependency manifests and lockfiles: which files they are ([`Manifest`]), what each declares
//! ([`Declared`]: packages, install scripts, package indexes, images, actions), facts about a declared
//! version (unbounded, a proc-macro crate, a pinned action), and the typosquat matcher
//! ([`typosquat::PopularLists`]). A leaf: it knows formats, not checks or findings; the engine diffs
//! the declarations of a change's old and new manifests (`engine::deps`).

mod actions;
mod cargo;
pub mod change;
mod composer;
mod docker;
mod format;
mod gomod;
mod java;
mod json_lines;
mod lockfiles;
pub mod mcp;
mod npm;
mod precommit;
mod pylock;
mod pyproject;
mod python;
mod ruby;
mod text;
pub mod typosquat;

pub use crate::model::Source;
pub use format::Manifest;
pub use precommit::is_pinned_rev;

/// A dependency a manifest declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// What kind of declaration it is.
    pub kind: DeclKind,
    /// Package name (for scripts: the script's name; for indexes: the option).
    pub name: String,
    /// Version constraint, URL, or script text, as written.
    pub spec: String,
    /// Where the package comes from.
    pub source: Source,
    /// 1-based line in the manifest.
    pub line: u32,
}

/// Kinds of declarations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeclKind {
    /// A package.
    Package,
    /// A lifecycle script run at install time.
    InstallScript,
    /// A package index the installer reads from.
    Index,
    /// A container image (`FROM`); `spec` is the tag and digest as written.
    Image,
    /// A GitHub Action (`uses:`); `spec` is the ref after `@`.
    Action,
}

/// The ecosystem and the (normalized) names of the packages a manifest declares directly, for the agent
/// gate's "is this package new to the project" question. Lockfiles, Dockerfiles and workflows are not
/// package manifests in that sense; a manifest that does not parse declares nothing.
pub fn declared_packages(path: &str, text: &str) -> Option<(&'static str, Vec<String>)> {
    let kind = Manifest::of(path)?;
    if matches!(
        kind,
        Manifest::PackageLock
            | Manifest::YarnLock
            | Manifest::PnpmLock
            | Manifest::Dockerfile
            | Manifest::Workflow
            | Manifest::PreCommit
            | Manifest::PythonLock
    ) {
        return None;
    }
    let names = kind
        .parse(text)
        .ok()?
        .into_iter()
        .filter(|d| d.kind == DeclKind::Package)
        .map(|d| normalize(&d.name))
        .collect();
    Some((kind.ecosystem(), names))
}

/// Whether a path is a dependency manifest whose old version the sources should load.
pub fn is_manifest(path: &str) -> bool {
    Manifest::of(path).is_some() || is_agent_config(path)
}

/// Whether a path configures a coding agent: its MCP servers ([`mcp::McpFormat`]) or its permissions and
/// hooks (`.claude/settings*.json`, `.gemini/settings.json`, `.codex/config.toml`, `.cursor/cli.json`,
/// `.cursor/hooks.json`).
/// Their old version is compared with the new one, as a manifest's is.
pub fn is_agent_config(path: &str) -> bool {
    let tail = |suffix: &str| path == suffix || path.ends_with(&format!("/{suffix}"));
    mcp::McpFormat::of(path).is_some() || tail(".cursor/cli.json") || tail(".cursor/hooks.json")
}

/// Package names compare case-insensitively, and PyPI treats `-`, `_` and `.` alike.
pub fn normalize(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

/// Whether a version constraint accepts any future release: empty, `*`, `latest`, `x`, `+`, a branch, or
/// a lower bound with no upper bound.
pub fn is_unbounded(ecosystem: &str, spec: &str) -> bool {
    let spec = spec.trim();
    if spec.is_empty() && ecosystem == "maven" {
        // A version that a parent POM or a BOM manages.
        return false;
    }
    if spec.is_empty()
        || matches!(
            spec,
            "*" | "latest" | "LATEST" | "RELEASE" | "x" | "X" | "next" | "+"
        )
    {
        return true;
    }
    match ecosystem {
        "npm" => spec.split("||").any(|range| {
            let range = range.trim();
            (range.starts_with(">=") || range.starts_with('>')) && !range.contains('<')
        }),
        "go" => false,
        "maven" => spec.ends_with(",)") || spec.ends_with(".+") || spec.contains("latest."),
        "packagist" => spec.starts_with("dev-") || (spec.starts_with(">=") && !spec.contains('<')),
        _ => {
            let has_lower = spec.contains(">=") || spec.contains('>');
            let bounded = spec.contains("==")
                || spec.contains("~=")
                || spec.contains('<')
                || spec.contains("~>");
            has_lower && !bounded
        }
    }
}

/// Whether a version constraint names exactly one release: `1.2.3`, `=1.2.3`, `==1.2.3` (npm, PyPI, gems,
/// Cargo's `=`), a single version in a gemspec or Gemfile (`= 1.2.3`).
pub fn is_exact(ecosystem: &str, spec: &str) -> bool {
    let spec = spec.trim();
    let version = match ecosystem {
        "pypi" => spec.strip_prefix("===").or_else(|| spec.strip_prefix("==")),
        "crates" => spec.strip_prefix('='),
        _ => Some(
            spec.strip_prefix("==")
                .or_else(|| spec.strip_prefix('='))
                .unwrap_or(spec),
        ),
    };
    version.is_some_and(|v| {
        let v = v.trim();
        v.starts_with(|c: char| c.is_ascii_digit())
            && !v.contains('*')
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
            && !v.ends_with(".x")
    })
}

/// Crates that are procedural macros, which run inside the compiler: by name (`*-derive`, `*_macros`,
/// `*-impl`, …) or from a list of popular ones whose names do not say so.
pub fn is_proc_macro_crate(name: &str) -> bool {
    const KNOWN: [&str; 16] = [
        "async-trait",
        "pin-project",
        "ctor",
        "paste",
        "tokio-macros",
        "rocket_codegen",
        "pyo3-macros",
        "wasm-bindgen-macro",
        "derive_more",
        "derive_builder",
        "strum_macros",
        "darling",
        "napi-derive",
        "sqlx-macros",
        "tracing-attributes",
        "clap_derive",
    ];
    let lower = name.to_ascii_lowercase().replace('_', "-");
    KNOWN.iter().any(|k| k.replace('_', "-") == lower)
        || [
            "-derive",
            "-macros",
            "-macro",
            "-codegen",
            "-attributes",
            "-proc-macro",
        ]
        .iter()
        .any(|s| lower.ends_with(s))
}

/// A package declaration.
pub fn package(name: &str, spec: impl Into<String>, source: Source, line: u32) -> Declared {
    Declared {
        kind: DeclKind::Package,
        name: name.to_string(),
        spec: spec.into(),
        source,
        line,
    }
}

/// A package index declaration.
pub fn index(declarer: &str, url: &str, line: u32) -> Declared {
    Declared {
        kind: DeclKind::Index,
        name: declarer.to_string(),
        spec: url.to_string(),
        source: Source::Url,
        line,
    }
}

/// The host of a URL (`https://user@host:port/path` → `host`), or the text up to the first `/` or `:`.
pub fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or(authority);
    host.split(':').next().unwrap_or("")
}

/// A full 40-character commit SHA (what pins an action).
pub fn is_full_sha(reference: &str) -> bool {
    reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The text trimmed and cut at 80 characters (with `…`), for messages.
pub fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() > 80 {
        text.chars().take(80).chain("…".chars()).collect()
    } else {
        text.to_string()
    }
}

/// Helpers for the parsers' unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{DeclKind, Declared, Source};

    /// A declaration as a comparable tuple: (line, kind, name, spec, source).
    pub type Row = (u32, DeclKind, String, String, Source);

    /// The declarations as rows.
    pub fn summary(decls: &[Declared]) -> Vec<Row> {
        decls
            .iter()
            .map(|d| (d.line, d.kind, d.name.clone(), d.spec.clone(), d.source))
            .collect()
    }

    /// The row of a package.
    pub fn pkg(line: u32, name: &str, spec: &str, source: Source) -> Row {
        (line, DeclKind::Package, name.into(), spec.into(), source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_hosts() {
        assert_eq!(url_host("https://user:pw@pypi.org:443/simple"), "pypi.org");
        assert_eq!(url_host("rubygems.org/gems"), "rubygems.org");
    }

    #[test]
    fn proc_macro_crates() {
        for name in [
            "serde_derive",
            "thiserror-impl-macros",
            "async-trait",
            "tokio-macros",
            "clap_derive",
        ] {
            assert!(is_proc_macro_crate(name), "{name}");
        }
        for name in ["serde", "syn", "quote", "proc-macro2", "tokio"] {
            assert!(!is_proc_macro_crate(name), "{name}");
        }
    }

    #[test]
    fn exact_versions() {
        for (ecosystem, spec) in [
            ("npm", "0.7.1"),
            ("npm", "=1.2.3"),
            ("pypi", "==2.0.0"),
            ("crates", "=1.0.5"),
            ("rubygems", "= 1.6.0"),
            ("maven", "5.1.0-rc1"),
        ] {
            assert!(is_exact(ecosystem, spec), "{ecosystem} {spec}");
        }
        for (ecosystem, spec) in [
            ("npm", "^0.7.1"),
            ("npm", "~0.7.1"),
            ("npm", "1.x"),
            ("pypi", ">=2.0"),
            ("pypi", "==2.*"),
            ("crates", "1.0.5"),
            ("rubygems", ">= 1.6"),
            ("npm", ""),
        ] {
            assert!(!is_exact(ecosystem, spec), "{ecosystem} {spec}");
        }
    }

    #[test]
    fn unbounded_versions() {
        for spec in ["*", "latest", "", ">=1.2.0", "^1 || >=3"] {
            assert!(is_unbounded("npm", spec), "{spec}");
        }
        for spec in ["^4.17.21", "~1.2.3", "1.2.3", ">=1 <2"] {
            assert!(!is_unbounded("npm", spec), "{spec}");
        }
        assert!(is_unbounded("pypi", ">=2.0"));
        assert!(!is_unbounded("pypi", ">=2.0,<3"));
        assert!(!is_unbounded("pypi", "==2.31.0"));
        assert!(is_unbounded("pypi", ""));
    }
}
