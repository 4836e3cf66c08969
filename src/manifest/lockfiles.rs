//! npm lockfiles (package-lock.json, yarn.lock, pnpm-lock.yaml): only entries resolved from outside the registry.
//!
//! A lockfile lists every transitive package; what a reviewer must see is the few that do not come from the
//! npm registry: git repositories, tarball URLs on other hosts, and local paths. Each is returned as a
//! `Package` named by its package name, with the resolved URL or reference as its spec, at the line of its
//! entry's key or header.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

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

/// Reads pnpm-lock.yaml line by line: `packages:` entries with a tarball, git or directory resolution,
/// and importer dependencies linked (`link:`) to a folder that is not a workspace package.
pub fn pnpm_lock(text: &str) -> Result<Vec<Declared>, String> {
    let mut out = Vec::new();
    let mut section = String::new();
    // packages: the entry being read (key, line, name, resolution fields).
    let mut entry: Option<PnpmEntry> = None;
    let mut in_block_resolution = false;
    // Elsewhere: the keys enclosing the current line, by indentation.
    let mut stack: Vec<(usize, String, u32)> = Vec::new();
    let mut links: Vec<PnpmLink> = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = idx as u32 + 1;
        let content = strip_yaml_comment(raw);
        let trimmed = content.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = content.len() - content.trim_start().len();
        let (key, value) = yaml_pair(trimmed);
        if indent == 0 {
            if let Some(done) = entry.take() {
                out.extend(done.finish());
            }
            section = key.to_string();
            stack.clear();
            continue;
        }
        if section == "packages" {
            if indent == 2 {
                if let Some(done) = entry.take() {
                    out.extend(done.finish());
                }
                entry = Some(PnpmEntry {
                    key: key.to_string(),
                    line,
                    ..PnpmEntry::default()
                });
                in_block_resolution = false;
            } else if let Some(current) = entry.as_mut() {
                if indent == 4 {
                    in_block_resolution = key == "resolution" && value.is_empty();
                    match key {
                        "resolution" if !value.is_empty() => {
                            current.resolution = flow_map(value);
                        }
                        "name" => current.name = Some(unquote(value).to_string()),
                        _ => {}
                    }
                } else if in_block_resolution {
                    current
                        .resolution
                        .push((key.to_string(), unquote(value).to_string()));
                }
            }
            continue;
        }
        if section == "snapshots" {
            continue;
        }
        while stack.last().is_some_and(|(i, _, _)| *i >= indent) {
            stack.pop();
        }
        let parent = stack.last().map(|(_, k, _)| k.as_str()).unwrap_or(&section);
        let in_dependencies = |k: &str| {
            matches!(
                k,
                "dependencies" | "devDependencies" | "optionalDependencies"
            )
        };
        if (key == "version" || key == "specifier") && !value.is_empty() {
            let grandparent = if stack.len() >= 2 {
                stack[stack.len() - 2].1.as_str()
            } else {
                section.as_str()
            };
            if let Some((_, name, dep_line)) = stack.last() {
                if in_dependencies(grandparent) {
                    let link = match links.last_mut() {
                        Some(l) if l.line == *dep_line => l,
                        _ => {
                            links.push(PnpmLink {
                                name: name.clone(),
                                line: *dep_line,
                                ..PnpmLink::default()
                            });
                            links.last_mut().expect("just pushed")
                        }
                    };
                    if key == "version" {
                        link.version = unquote(value).to_string();
                    } else {
                        link.specifier = unquote(value).to_string();
                    }
                }
            }
        } else if !value.is_empty() && in_dependencies(parent) {
            // lockfile v5: `name: version` inline.
            links.push(PnpmLink {
                name: unquote(key).to_string(),
                line,
                version: unquote(value).to_string(),
                specifier: String::new(),
            });
        }
        if value.is_empty() {
            stack.push((indent, unquote(key).to_string(), line));
        }
    }
    if let Some(done) = entry.take() {
        out.extend(done.finish());
    }
    for link in links {
        if link.version.starts_with("link:") && !link.specifier.starts_with("workspace:") {
            out.push(super::package(
                &link.name,
                &link.version,
                Source::Path,
                link.line,
            ));
        }
    }
    out.sort_by_key(|d| d.line);
    Ok(dedupe(out))
}

#[derive(Default)]
struct PnpmEntry {
    key: String,
    line: u32,
    name: Option<String>,
    resolution: Vec<(String, String)>,
}

impl PnpmEntry {
    fn finish(self) -> Option<Declared> {
        let field = |k: &str| {
            self.resolution
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let (spec, source) = if let (Some(repo), Some(commit)) = (field("repo"), field("commit")) {
            (format!("{repo}#{commit}"), Source::Git)
        } else if let Some(tarball) = field("tarball") {
            (tarball.to_string(), classify(tarball)?)
        } else if let Some(directory) = field("directory") {
            (directory.to_string(), Source::Path)
        } else {
            return None;
        };
        let key = unquote(&self.key);
        let key = key.strip_prefix('/').unwrap_or(key);
        let name = match &self.name {
            Some(name) => name.clone(),
            None => split_descriptor(key).0.to_string(),
        };
        Some(super::package(&name, &spec, source, self.line))
    }
}

#[derive(Default)]
struct PnpmLink {
    name: String,
    line: u32,
    version: String,
    specifier: String,
}

/// `key: value` of a YAML line (the value may be empty); the key is unquoted.
fn yaml_pair(trimmed: &str) -> (&str, &str) {
    let trimmed = trimmed.strip_prefix("- ").unwrap_or(trimmed);
    // A quoted key may hold `: ` itself.
    if let Some(quote) = trimmed.chars().next().filter(|c| *c == '\'' || *c == '"') {
        if let Some(end) = trimmed[1..].find(quote) {
            let key = &trimmed[1..end + 1];
            let rest = trimmed[end + 2..].trim_start();
            let value = rest.strip_prefix(':').unwrap_or(rest).trim();
            return (key, value);
        }
    }
    match trimmed.find(": ") {
        Some(pos) => (trimmed[..pos].trim(), trimmed[pos + 2..].trim()),
        None => (trimmed.trim_end_matches(':').trim(), ""),
    }
}

/// `{tarball: https://…, integrity: sha512-…}` as key/value pairs.
fn flow_map(value: &str) -> Vec<(String, String)> {
    let inner = value.trim().trim_start_matches('{').trim_end_matches('}');
    inner
        .split(", ")
        .filter_map(|pair| {
            let (k, v) = pair.split_once(':')?;
            Some((unquote(k.trim()).to_string(), unquote(v.trim()).to_string()))
        })
        .collect()
}

/// A YAML line without a trailing ` #` comment (outside quotes).
fn strip_yaml_comment(raw: &str) -> &str {
    let mut quote = None;
    let bytes = raw.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'\'' | b'"') => quote = Some(b),
            (Some(q), c) if c == q => quote = None,
            (None, b'#') if i == 0 || bytes[i - 1] == b' ' => return &raw[..i],
            _ => {}
        }
    }
    raw
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
