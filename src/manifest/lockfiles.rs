//! npm lockfiles (package-lock.json, yarn.lock, pnpm-lock.yaml): only entries resolved from outside the registry.
//!
//! A lockfile lists every transitive package; what a reviewer must see is the few that do not come from the
//! npm registry: git repositories, tarball URLs on other hosts, and local paths. Each is returned as a
//! `Package` named by its package name, with the resolved URL or reference as its spec, at the line of its
//! entry's key or header.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::{Declared, Source};

/// Hosts of the public npm registry: tarballs from them are registry packages.
const REGISTRY_HOSTS: [&str; 2] = ["registry.npmjs.org", "registry.yarnpkg.com"];

/// Reads package-lock.json or npm-shrinkwrap.json (v1 `dependencies` tree, v2/v3 `packages` map).
pub fn package_lock(text: &str) -> Result<Vec<Declared>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "invalid JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        )
    })?;
    let lines = json_key_lines(text);
    let line_of = |path: &[&str]| -> u32 {
        let key: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        lines.get(&key).copied().unwrap_or(1)
    };
    let mut out = Vec::new();
    if let Some(packages) = value.get("packages").and_then(Value::as_object) {
        let workspaces = workspace_patterns(packages.get(""));
        for (key, entry) in packages {
            // The root ("") and the workspace folders themselves are the project, not dependencies.
            let Some(pos) = key.rfind("node_modules/") else {
                continue;
            };
            let key_name = &key[pos + "node_modules/".len()..];
            let name = entry
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(key_name);
            let resolved = entry.get("resolved").and_then(Value::as_str).unwrap_or("");
            let source = if entry.get("link").and_then(Value::as_bool) == Some(true) {
                if is_workspace(&workspaces, resolved) {
                    continue;
                }
                Some(Source::Path)
            } else {
                classify(resolved)
            };
            if let Some(source) = source {
                out.push(super::package(
                    name,
                    resolved,
                    source,
                    line_of(&["packages", key.as_str()]),
                ));
            }
        }
    } else if let Some(dependencies) = value.get("dependencies").and_then(Value::as_object) {
        let mut path = vec!["dependencies".to_string()];
        walk_v1(dependencies, &mut path, &lines, &mut out);
    }
    Ok(dedupe(out))
}

/// The v1 tree: `dependencies: { name: { version, resolved, dependencies: { … } } }`.
fn walk_v1(
    dependencies: &serde_json::Map<String, Value>,
    path: &mut Vec<String>,
    lines: &HashMap<Vec<String>, u32>,
    out: &mut Vec<Declared>,
) {
    for (name, entry) in dependencies {
        path.push(name.clone());
        let resolved = entry.get("resolved").and_then(Value::as_str).unwrap_or("");
        let version = entry.get("version").and_then(Value::as_str).unwrap_or("");
        // Git and local dependencies carry their source in `version` and may lack `resolved`.
        let found = classify(resolved)
            .map(|s| (resolved, s))
            .or_else(|| classify(version).map(|s| (version, s)));
        if let Some((spec, source)) = found {
            let line = lines.get(path.as_slice()).copied().unwrap_or(1);
            out.push(super::package(name, spec, source, line));
        }
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            path.push("dependencies".to_string());
            walk_v1(nested, path, lines, out);
            path.pop();
        }
        path.pop();
    }
}

/// The root package's `workspaces` globs (`packages/*`, `apps/web`).
fn workspace_patterns(root: Option<&Value>) -> Vec<String> {
    let Some(workspaces) = root.and_then(|r| r.get("workspaces")) else {
        return Vec::new();
    };
    let list = workspaces
        .as_array()
        .or_else(|| workspaces.get("packages").and_then(Value::as_array));
    list.into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|p| p.trim_start_matches("./").trim_end_matches('/').to_string())
        .collect()
}

/// Whether a link target is one of the project's own workspaces (a local project reference).
fn is_workspace(patterns: &[String], target: &str) -> bool {
    let target = target.trim_start_matches("./").trim_end_matches('/');
    patterns.iter().any(|pattern| {
        if let Some(dir) = pattern.strip_suffix("/**").or(pattern.strip_suffix("/*")) {
            target
                .strip_prefix(dir)
                .is_some_and(|rest| rest.starts_with('/') && !rest[1..].is_empty())
                && (pattern.ends_with("/**") || !target[dir.len() + 1..].contains('/'))
        } else {
            target == pattern
        }
    })
}

/// Reads yarn.lock: classic (v1) entries with `resolved`, and berry entries with `resolution:`.
pub fn yarn_lock(text: &str) -> Result<Vec<Declared>, String> {
    let berry = text.lines().any(|l| l.trim_end() == "__metadata:");
    let mut out = Vec::new();
    let mut entry: Option<YarnEntry> = None;
    for (idx, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        if indent == 0 {
            if let Some(done) = entry.take() {
                out.extend(done.finish(berry));
            }
            let Some(header) = trimmed.strip_suffix(':') else {
                continue;
            };
            if header == "__metadata" {
                continue;
            }
            entry = Some(YarnEntry {
                line: idx as u32 + 1,
                descriptors: header
                    .split(',')
                    .map(|d| d.trim().trim_matches('"').trim().to_string())
                    .filter(|d| !d.is_empty())
                    .collect(),
                resolved: None,
                resolution: None,
            });
        } else if let Some(current) = entry.as_mut() {
            if let Some(value) = trimmed.strip_prefix("resolved ") {
                current.resolved = Some(unquote(value).to_string());
            } else if let Some(value) = trimmed.strip_prefix("resolution:") {
                current.resolution = Some(unquote(value).to_string());
            }
        }
    }
    if let Some(done) = entry.take() {
        out.extend(done.finish(berry));
    }
    Ok(dedupe(out))
}

struct YarnEntry {
    line: u32,
    descriptors: Vec<String>,
    resolved: Option<String>,
    resolution: Option<String>,
}

impl YarnEntry {
    fn finish(self, berry: bool) -> Option<Declared> {
        if berry {
            // `resolution: "name@protocol:…"`: npm:, workspace: and patch: (of a registry package) are fine.
            let resolution = self.resolution?;
            let (name, reference) = split_descriptor(&resolution);
            let lower = reference.to_ascii_lowercase();
            if ["npm:", "workspace:", "patch:", "virtual:"]
                .iter()
                .any(|p| lower.starts_with(p))
            {
                return None;
            }
            let source = if ["portal:", "link:", "exec:"]
                .iter()
                .any(|p| lower.starts_with(p))
            {
                Source::Path
            } else if lower.contains("#commit=") {
                Source::Git
            } else {
                classify(reference)?
            };
            return Some(super::package(name, reference, source, self.line));
        }
        let first = self.descriptors.first()?;
        let (name, _) = split_descriptor(first);
        if let Some(resolved) = &self.resolved {
            let source = classify(resolved)?;
            return Some(super::package(name, resolved, source, self.line));
        }
        // No `resolved`: local folders (`file:`, `link:`) and some git checkouts.
        self.descriptors.iter().find_map(|descriptor| {
            let (_, range) = split_descriptor(descriptor);
            let lower = range.to_ascii_lowercase();
            let source = if lower.starts_with("link:") {
                Source::Path
            } else {
                classify(range)?
            };
            Some(super::package(name, range, source, self.line))
        })
    }
}

/// `name@range` (the name may be scoped: `@scope/name@range`).
fn split_descriptor(descriptor: &str) -> (&str, &str) {
    match descriptor
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c == '@')
        .map(|(i, _)| i)
    {
        Some(at) => (&descriptor[..at], &descriptor[at + 1..]),
        None => (descriptor, ""),
    }
}

/// Reads pnpm-lock.yaml (lockfile v5, v6 and v9) with a YAML parser: `packages:` entries with a tarball,
/// git or directory resolution, and importer dependencies linked (`link:`) to a folder that is not a
/// workspace package. A lockfile that is not valid YAML of that shape is an error, not read as empty.
pub fn pnpm_lock(text: &str) -> Result<Vec<Declared>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    // A lockfile is large but plain (no anchors, shallow): allow one event, node and scalar byte per
    // byte of input (the defaults stop at a million events and 250,000 nodes, less than a large
    // monorepo's lockfile has).
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = text.len().max(budget.max_events);
    budget.max_nodes = text.len().max(budget.max_nodes);
    budget.max_total_scalar_bytes = text.len().max(budget.max_total_scalar_bytes);
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    let lock: PnpmLock = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let first = e.to_string();
        let first = first.lines().next().unwrap_or("").trim().to_string();
        match e.location() {
            Some(at) => format!("invalid pnpm lockfile at line {}: {first}", at.line()),
            None => format!("invalid pnpm lockfile: {first}"),
        }
    })?;
    let mut out: Vec<Declared> = lock
        .packages
        .iter()
        .filter_map(|(key, entry)| pnpm_package(key, entry.as_ref()?))
        .collect();
    // The root project's own sections (single-project lockfiles), then every importer's.
    let root = PnpmImporter {
        dependencies: lock.root_dependencies,
        dev_dependencies: lock.root_dev_dependencies,
        optional_dependencies: lock.root_optional_dependencies,
        specifiers: lock.root_specifiers,
    };
    for importer in std::iter::once(&root).chain(lock.importers.values()) {
        pnpm_links(importer, &mut out);
    }
    out.sort_by_key(|d| d.line);
    Ok(dedupe(out))
}

/// The parts of pnpm-lock.yaml that are read.
#[derive(Deserialize)]
struct PnpmLock {
    /// The dependencies of the root project (v5 and v6 lockfiles of a single project), in the same
    /// fields as an importer's (not `flatten`ed: that would lose the keys' lines).
    #[serde(default, rename = "dependencies")]
    root_dependencies: Option<PnpmDependencies>,
    #[serde(default, rename = "devDependencies")]
    root_dev_dependencies: Option<PnpmDependencies>,
    #[serde(default, rename = "optionalDependencies")]
    root_optional_dependencies: Option<PnpmDependencies>,
    #[serde(default, rename = "specifiers")]
    root_specifiers: Option<HashMap<String, String>>,
    /// The dependencies of each project of the workspace, by folder.
    #[serde(default)]
    importers: HashMap<String, PnpmImporter>,
    /// Every resolved package, by key (`/name/1.0.0` in v5, `/name@1.0.0` in v6, `name@1.0.0` in v9).
    #[serde(default)]
    packages: HashMap<Spanned<String>, Option<PnpmPackage>>,
}

/// A project's direct dependencies.
#[derive(Deserialize, Default)]
struct PnpmImporter {
    #[serde(default)]
    dependencies: Option<PnpmDependencies>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: Option<PnpmDependencies>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Option<PnpmDependencies>,
    /// v5: the specifier of each dependency, apart from its version.
    #[serde(default)]
    specifiers: Option<HashMap<String, String>>,
}

/// A dependencies section: each name (with the line of its key) and what it resolved to.
type PnpmDependencies = HashMap<Spanned<String>, PnpmDependency>;

/// A direct dependency: `name: version` (v5) or `name: {specifier, version}` (v6, v9).
#[derive(Deserialize)]
#[serde(untagged)]
enum PnpmDependency {
    Version(String),
    Detailed {
        #[serde(default)]
        specifier: Option<String>,
        #[serde(default)]
        version: Option<String>,
    },
}

/// A `packages:` entry.
#[derive(Deserialize)]
struct PnpmPackage {
    /// The package's name, written when the key does not give it (v5 and v6 non-registry entries).
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    resolution: Option<PnpmResolution>,
}

/// Where a package was resolved from: `{integrity}` (the registry), `{tarball}`, `{type: git, repo,
/// commit}` or `{type: directory, directory}`.
#[derive(Deserialize, Default)]
struct PnpmResolution {
    #[serde(default)]
    tarball: Option<String>,
    #[serde(default)]
    repo: Option<String>,
    #[serde(default)]
    commit: Option<String>,
    #[serde(default)]
    directory: Option<String>,
}

/// The declaration of a `packages:` entry resolved from outside the registry, at the line of its key.
fn pnpm_package(key: &Spanned<String>, entry: &PnpmPackage) -> Option<Declared> {
    let resolution = entry.resolution.as_ref()?;
    let (spec, source) = if let (Some(repo), Some(commit)) = (&resolution.repo, &resolution.commit)
    {
        (format!("{repo}#{commit}"), Source::Git)
    } else if let Some(tarball) = &resolution.tarball {
        (tarball.clone(), classify(tarball)?)
    } else if let Some(directory) = &resolution.directory {
        (directory.clone(), Source::Path)
    } else {
        return None;
    };
    let line = key.referenced.line() as u32;
    let key = key.value.as_str();
    let key = key.strip_prefix('/').unwrap_or(key);
    let name = match &entry.name {
        Some(name) => name.as_str(),
        None => split_descriptor(key).0,
    };
    Some(super::package(name, spec, source, line))
}

/// The importer's dependencies linked (`link:`) to a folder that is not one of the workspace's packages
/// (`workspace:` specifier), at the line of the dependency's key.
fn pnpm_links(importer: &PnpmImporter, out: &mut Vec<Declared>) {
    let sections = [
        &importer.dependencies,
        &importer.dev_dependencies,
        &importer.optional_dependencies,
    ];
    for (name, dependency) in sections.into_iter().flatten().flatten() {
        let (specifier, version) = match dependency {
            PnpmDependency::Version(version) => {
                // v5: the specifier is kept apart.
                let specifier = importer
                    .specifiers
                    .as_ref()
                    .and_then(|s| s.get(&name.value))
                    .map_or("", String::as_str);
                (specifier, version.as_str())
            }
            PnpmDependency::Detailed { specifier, version } => (
                specifier.as_deref().unwrap_or(""),
                version.as_deref().unwrap_or(""),
            ),
        };
        if version.starts_with("link:") && !specifier.starts_with("workspace:") {
            out.push(super::package(
                &name.value,
                version,
                Source::Path,
                name.referenced.line() as u32,
            ));
        }
    }
}

fn unquote(value: &str) -> &str {
    let value = value.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

/// Where a resolved URL or reference points; `None` for the registry (or a plain version).
fn classify(spec: &str) -> Option<Source> {
    let spec = spec.trim();
    let lower = spec.to_ascii_lowercase();
    if lower.is_empty() {
        return None;
    }
    if [
        "git+",
        "git:",
        "git@",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
    {
        return Some(Source::Git);
    }
    if ["file:", "link:"].iter().any(|p| lower.starts_with(p))
        || spec.starts_with("./")
        || spec.starts_with("../")
        || spec.starts_with('/')
    {
        return Some(Source::Path);
    }
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    if REGISTRY_HOSTS.contains(&host) {
        return None;
    }
    let path = rest.split(['?', '#']).next().unwrap_or("");
    if host == "codeload.github.com"
        || path.ends_with(".git")
        || (matches!(host, "github.com" | "gitlab.com" | "bitbucket.org")
            && !path.contains("/releases/download/"))
    {
        Some(Source::Git)
    } else {
        Some(Source::Url)
    }
}

/// One declaration per package name (the first), so that the engine's name-keyed comparison with the old
/// lockfile does not pit one copy against another.
fn dedupe(decls: Vec<Declared>) -> Vec<Declared> {
    let mut seen = HashSet::new();
    decls
        .into_iter()
        .filter(|d| seen.insert(d.name.to_ascii_lowercase()))
        .collect()
}

/// The line of every object key on the way to a lockfile entry: `["packages", "node_modules/x"]` and
/// `["dependencies", "a", "dependencies", "b"]`. The text must be valid JSON.
fn json_key_lines(text: &str) -> HashMap<Vec<String>, u32> {
    super::json_lines::key_lines(text, |path, key, index| {
        if index {
            return false;
        }
        match path.len() {
            0 => key == "packages" || key == "dependencies",
            1 => true,
            n => path[0] == "dependencies" && (n % 2 == 1 || key == "dependencies"),
        }
    })
}

#[cfg(test)]
#[path = "lockfiles_tests.rs"]
mod tests;
