//! One finding per change of one dependency, what each change is called in messages, and whether an
//! unbounded version matters where it is written.
//!
//! The same bump is often written in many places: `actions/checkout@v3 → @v4` in seven workflow lines, a
//! package in its manifest and its lockfile. Each is collected as a [`Pending`] finding with a key (the
//! check, the ecosystem, the package and, for actions and images, the change itself; for packages, the
//! manifest's directory), and [`merge`] keeps the first of each key — a manifest before a lockfile — with
//! the others as its related parts.

use std::collections::{HashMap, HashSet};

use crate::manifest::{normalize, shorten, DeclKind, Declared, Manifest};
use crate::model::DependencyFinding as Id;
use crate::model::{ChainPart, Change, ChangedFile, Finding};

/// The role of a related place in a merged finding.
pub const SAME_CHANGE: &str = "same change";

/// A finding waiting to be merged with the others of the same change.
pub struct Pending {
    key: Option<(Id, &'static str, String, String)>,
    locked: bool,
    finding: Finding,
}

impl Pending {
    /// The finding `id` gives to `decl` of `ecosystem` in the manifest at `path` (a lockfile when `locked`).
    pub fn new(
        id: Id,
        ecosystem: &'static str,
        decl: &Declared,
        path: &str,
        locked: bool,
        finding: Finding,
    ) -> Pending {
        let scope = match decl.kind {
            // The same bump anywhere in the repository (the message holds the name and from → to).
            DeclKind::Image | DeclKind::Action => finding.message.clone(),
            DeclKind::Package if ecosystem == "pre-commit" => finding.message.clone(),
            // A package, its lockfile entry and its other manifests in one directory.
            DeclKind::Package => directory(path).to_string(),
            // Scripts and indexes are about the file they are in.
            DeclKind::InstallScript | DeclKind::Index => format!("{path}\n{}", finding.line),
        };
        Pending {
            key: Some((id, ecosystem, normalize(&decl.name), scope)),
            locked,
            finding,
        }
    }

    /// A finding not about one dependency, never merged.
    pub fn alone(finding: Finding) -> Pending {
        Pending {
            key: None,
            locked: false,
            finding,
        }
    }
}

/// The findings, one per key: the first in (manifest before lockfile, path, line) order, with the
/// places of the others as its parts.
pub fn merge(mut pending: Vec<Pending>) -> Vec<Finding> {
    pending.sort_by(|a, b| {
        (a.locked, &a.finding.path, a.finding.line).cmp(&(
            b.locked,
            &b.finding.path,
            b.finding.line,
        ))
    });
    let mut out: Vec<Finding> = Vec::with_capacity(pending.len());
    let mut first: HashMap<(Id, &'static str, String, String), usize> = HashMap::new();
    for p in pending {
        let Some(key) = p.key else {
            out.push(p.finding);
            continue;
        };
        match first.get(&key) {
            Some(&at) => {
                let primary = &mut out[at];
                if primary.path == p.finding.path && primary.line == p.finding.line {
                    continue;
                }
                primary.parts.push(ChainPart {
                    role: SAME_CHANGE.to_string(),
                    check: p.finding.check,
                    path: p.finding.path,
                    line: p.finding.line,
                });
            }
            None => {
                first.insert(key, out.len());
                out.push(p.finding);
            }
        }
    }
    out.sort_by(|a, b| (&a.path, a.line, &a.check).cmp(&(&b.path, b.line, &b.check)));
    out
}

/// The directory of a path (`""` at the root).
fn directory(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Whether a path dependency `spec` of the manifest at `manifest` (relative to the repository root) stays
/// inside the repository: not absolute, not `~`, and with no more leading `..` than the manifest is deep
/// (`crates/core` from `Cargo.toml`, `file:../shared` from `web/package.json`).
///
/// A built archive (`.jar`, `.whl`, `.tgz`, `.gem`, …) is not the project's source, wherever it lies.
pub fn inside_repo(manifest: &str, spec: &str) -> bool {
    let lower = spec.trim().to_ascii_lowercase();
    if [
        ".jar", ".whl", ".tgz", ".tar.gz", ".zip", ".gem", ".egg", ".aar", ".nupkg",
    ]
    .iter()
    .any(|ext| {
        lower.ends_with(ext)
            || lower.contains(&format!("{ext},"))
            || lower.contains(&format!("*{ext}"))
    }) {
        return false;
    }
    let mut path = spec.trim();
    for prefix in ["file:", "link:", "portal:"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            path = rest;
        }
    }
    if path.starts_with("workspace:") {
        return true;
    }
    if path.is_empty()
        || path.starts_with(['/', '\\', '~'])
        || path.contains("://")
        || path.as_bytes().get(1) == Some(&b':')
    {
        return false;
    }
    let depth = manifest.matches('/').count();
    let mut ups = 0;
    for part in path.split(['/', '\\']) {
        match part {
            "." | "" => {}
            ".." => ups += 1,
            _ => break,
        }
    }
    ups <= depth
}

/// Whether an action belongs to GitHub's own organizations (`actions/checkout`, `github/codeql-action/…`).
pub fn is_github_owned(action: &str) -> bool {
    let owner = action.split('/').next().unwrap_or("");
    owner.eq_ignore_ascii_case("actions") || owner.eq_ignore_ascii_case("github")
}

/// What a change did to a dependency, for messages: `adds npm package `dayjs` ^1.11.10`, `npm package
/// `cookie` 0.7.1 → ^0.7.1 (loosened pin)`.
pub fn describe(change: Change, what: &str, name: &str, from: Option<&str>, to: &str) -> String {
    let spec = |s: &str| {
        if s.trim().is_empty() {
            "(any version)".to_string()
        } else {
            shorten(s)
        }
    };
    match (change, from) {
        (Change::Added, _) | (_, None) => {
            if to.trim().is_empty() {
                format!("adds {what} `{name}` (any version)")
            } else {
                format!("adds {what} `{name}` {}", shorten(to))
            }
        }
        (change, Some(from)) => {
            let phrase = match change {
                Change::Loosened => "loosened pin",
                Change::Tightened => "tightened pin",
                Change::SourceChanged => "source changed",
                other => other.as_str(),
            };
            format!("{what} `{name}` {} → {} ({phrase})", spec(from), spec(to))
        }
    }
}

/// The ecosystem a lockfile pins, by its file name.
fn lockfile_ecosystem(name: &str) -> Option<&'static str> {
    Some(match name {
        "package-lock.json"
        | "npm-shrinkwrap.json"
        | "yarn.lock"
        | "pnpm-lock.yaml"
        | "bun.lockb"
        | "bun.lock" => "npm",
        "uv.lock" | "poetry.lock" | "Pipfile.lock" | "pdm.lock" | "pylock.toml" => "pypi",
        "Cargo.lock" => "crates",
        "Gemfile.lock" | "gems.locked" => "rubygems",
        "composer.lock" => "packagist",
        "go.sum" => "go",
        _ => return None,
    })
}

/// The (ecosystem, directory) pairs whose lockfile is among the changed files.
pub fn locked_dirs(files: &[ChangedFile]) -> HashSet<(&'static str, String)> {
    files
        .iter()
        .filter_map(|f| {
            let (dir, name) = f.path.rsplit_once('/').unwrap_or(("", &f.path));
            lockfile_ecosystem(name).map(|eco| (eco, dir.to_string()))
        })
        .collect()
}

/// What a manifest is, for whether an unbounded version in it matters.
pub struct Context {
    matters: bool,
}

impl Context {
    /// The context of the manifest `kind` at `path` with `text`, given the lockfiles the change touches.
    ///
    /// An unbounded version matters in an application installed without a lockfile. It does not in a
    /// library's metadata (its users' lockfiles pin it): a gemspec, setup.cfg, a pyproject.toml with a
    /// `[build-system]`, a Cargo.toml with `[lib]` or without `[[bin]]` and `publish = false`, a
    /// package.json that is published (not `"private": true`, with `main`, `exports`, `module`, `types`
    /// or `files`), a composer.json of `"type": "library"`; nor in a manifest whose lockfile (same
    /// directory or the root) the change updates, nor in a pyproject.toml managed by Poetry, PDM or uv,
    /// whose lockfiles pin every group.
    pub fn of(
        kind: Manifest,
        path: &str,
        text: &str,
        locked: &HashSet<(&'static str, String)>,
    ) -> Context {
        let ecosystem = kind.ecosystem();
        let dir = directory(path);
        if locked.contains(&(ecosystem, dir.to_string()))
            || locked.contains(&(ecosystem, String::new()))
        {
            return Context { matters: false };
        }
        let has_line = |header: &str| text.lines().any(|l| l.trim_start().starts_with(header));
        let library = match kind {
            Manifest::Gemspec | Manifest::SetupCfg => true,
            // pip-tools' input (`requirements.in`): the compiled requirements.txt is its lockfile.
            Manifest::Requirements => path.ends_with(".in"),
            Manifest::Pyproject => {
                has_line("[build-system]")
                    || has_line("[tool.poetry")
                    || has_line("[tool.pdm")
                    || has_line("[tool.uv")
            }
            Manifest::CargoToml => {
                has_line("[lib]")
                    || (has_line("[package]")
                        && !has_line("[[bin]]")
                        && !text.lines().any(|l| key_value(l, "publish", "false")))
            }
            Manifest::PackageJson => {
                !json_flag(text, "private")
                    && ["main", "exports", "module", "types", "files"]
                        .iter()
                        .any(|k| text.contains(&format!("\"{k}\"")))
            }
            Manifest::ComposerJson => text
                .lines()
                .any(|l| key_value(l, "\"type\"", "\"library\"")),
            _ => false,
        };
        Context { matters: !library }
    }

    /// Whether an unbounded version is worth a warning here.
    pub fn unbounded_matters(&self) -> bool {
        self.matters
    }
}

/// Whether `line` holds `key` followed by `:` or `=` and `value` (whitespace aside), without allocating.
fn key_value(line: &str, key: &str, value: &str) -> bool {
    line.match_indices(key).any(|(at, _)| {
        let rest = line[at + key.len()..].trim_start();
        rest.strip_prefix([':', '='])
            .is_some_and(|rest| rest.trim_start().starts_with(value))
    })
}

/// Whether a JSON text sets `"key": true` (key and value on one line, as package.json files do).
fn json_flag(text: &str, key: &str) -> bool {
    let quoted = format!("\"{key}\"");
    text.lines().any(|l| key_value(l, &quoted, "true"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matters(path: &str, text: &str, locked: &[(&'static str, &str)]) -> bool {
        let locked = locked.iter().map(|(e, d)| (*e, d.to_string())).collect();
        Context::of(Manifest::of(path).unwrap(), path, text, &locked).unbounded_matters()
    }

    #[test]
    fn unbounded_matters_in_applications_without_a_lockfile_only() {
        // Applications.
        assert!(matters("requirements.txt", "flask\n", &[]));
        assert!(matters("Gemfile", "gem 'rails'\n", &[]));
        assert!(matters(
            "package.json",
            "{ \"private\": true, \"main\": \"server.js\" }",
            &[]
        ));
        assert!(matters(
            "pyproject.toml",
            "[project]\nname = \"app\"\n",
            &[]
        ));
        assert!(matters(
            "Cargo.toml",
            "[package]\nname = \"tool\"\npublish = false\n",
            &[]
        ));
        // Libraries.
        assert!(!matters("x.gemspec", "s.add_dependency 'a'\n", &[]));
        assert!(!matters("setup.cfg", "[options]\n", &[]));
        assert!(!matters("requirements-dev.in", "django>=4.2\n", &[]));
        assert!(!matters(
            "pyproject.toml",
            "[build-system]\nrequires = []\n[project]\nname = \"lib\"\n",
            &[]
        ));
        assert!(!matters(
            "pyproject.toml",
            "[tool.poetry]\nname = \"app\"\n",
            &[]
        ));
        assert!(!matters("Cargo.toml", "[package]\nname = \"lib\"\n", &[]));
        assert!(!matters(
            "package.json",
            "{\n  \"name\": \"lib\",\n  \"exports\": \"./index.js\"\n}\n",
            &[]
        ));
        assert!(!matters("composer.json", "{\"type\": \"library\"}", &[]));
        // A lockfile the change updates, in the same directory or at the root.
        assert!(!matters(
            "web/package.json",
            "{\"private\": true}",
            &[("npm", "web")]
        ));
        assert!(!matters("web/requirements.txt", "flask\n", &[("pypi", "")]));
        assert!(matters("web/requirements.txt", "flask\n", &[("npm", "")]));
    }

    #[test]
    fn paths_inside_the_repository_are_told_from_paths_outside() {
        assert!(inside_repo("Cargo.toml", "crates/core"));
        assert!(inside_repo("web/package.json", "file:../shared"));
        assert!(inside_repo("a/b/pyproject.toml", "../../libs/x"));
        assert!(inside_repo("package.json", "workspace:*"));
        assert!(!inside_repo("Cargo.toml", "../shared-model"));
        assert!(!inside_repo("web/package.json", "file:../../elsewhere"));
        assert!(!inside_repo("requirements.txt", "/opt/wheels/x.whl"));
        assert!(!inside_repo("Gemfile", "~/gems/x"));
        assert!(!inside_repo("package.json", "file:///tmp/x.tgz"));
        assert!(!inside_repo("build.gradle", "libs/acme-sdk-1.2.jar"));
        assert!(!inside_repo("build.gradle", "libs, *.jar"));
        assert!(!inside_repo(
            "package.json",
            "file:vendor/real-pkg-1.0.0.tgz"
        ));
    }

    #[test]
    fn changes_are_described_with_from_and_to() {
        assert_eq!(
            describe(
                Change::Loosened,
                "npm package",
                "cookie",
                Some("0.7.1"),
                "^0.7.1"
            ),
            "npm package `cookie` 0.7.1 → ^0.7.1 (loosened pin)"
        );
        assert_eq!(
            describe(Change::Added, "pypi package", "flask", None, ""),
            "adds pypi package `flask` (any version)"
        );
        assert_eq!(
            describe(
                Change::SourceChanged,
                "npm package",
                "u",
                Some("^1"),
                "github:a/u"
            ),
            "npm package `u` ^1 → github:a/u (source changed)"
        );
    }
}
