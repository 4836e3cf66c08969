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
mod tests {
    use super::*;

    fn find<'a>(decls: &'a [Declared], name: &str) -> &'a Declared {
        decls
            .iter()
            .find(|d| d.name == name)
            .unwrap_or_else(|| panic!("{name} not in {decls:?}"))
    }

    #[test]
    fn package_lock_v3_returns_only_non_registry_entries() {
        let text = r#"{
  "name": "shop",
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "shop", "workspaces": ["packages/*"],
      "dependencies": { "left-pad": "github:stevemao/left-pad" } },
    "node_modules/lodash": {
      "version": "4.17.21",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz"
    },
    "node_modules/left-pad": {
      "version": "1.3.0",
      "resolved": "git+ssh://git@github.com/stevemao/left-pad.git#5d2b6a8"
    },
    "node_modules/a/node_modules/@corp/tool": {
      "version": "2.0.0",
      "resolved": "https://npm.corp.example/@corp/tool/-/tool-2.0.0.tgz"
    },
    "node_modules/local-lib": { "resolved": "../local-lib", "link": true },
    "node_modules/web": { "resolved": "packages/web", "link": true },
    "packages/web": { "name": "web", "version": "1.0.0" },
    "node_modules/alias": { "name": "real-pkg", "resolved": "file:vendor/real-pkg-1.0.0.tgz" }
  }
}"#;
        let decls = package_lock(text).unwrap();
        assert_eq!(decls.len(), 4, "{decls:?}");
        let git = find(&decls, "left-pad");
        assert_eq!((git.source, git.line), (Source::Git, 11));
        assert_eq!(
            git.spec,
            "git+ssh://git@github.com/stevemao/left-pad.git#5d2b6a8"
        );
        let url = find(&decls, "@corp/tool");
        assert_eq!((url.source, url.line), (Source::Url, 15));
        let link = find(&decls, "local-lib");
        assert_eq!(
            (link.source, link.spec.as_str()),
            (Source::Path, "../local-lib")
        );
        assert_eq!(find(&decls, "real-pkg").source, Source::Path);
        assert!(decls.iter().all(|d| d.name != "web" && d.name != "lodash"));
    }

    #[test]
    fn package_lock_v1_tree_with_nested_entries() {
        let text = r#"{
  "lockfileVersion": 1,
  "dependencies": {
    "express": {
      "version": "4.18.2",
      "resolved": "https://registry.npmjs.org/express/-/express-4.18.2.tgz",
      "dependencies": {
        "debug": {
          "version": "github:visionmedia/debug#2.6.9"
        }
      }
    },
    "utils": { "version": "file:../utils" },
    "tar-thing": { "version": "https://example.com/tar-thing-1.0.0.tgz" }
  }
}"#;
        let decls = package_lock(text).unwrap();
        assert_eq!(decls.len(), 3, "{decls:?}");
        assert_eq!(
            (find(&decls, "debug").source, find(&decls, "debug").line),
            (Source::Git, 8)
        );
        assert_eq!(find(&decls, "utils").line, 13);
        assert_eq!(find(&decls, "tar-thing").source, Source::Url);
    }

    #[test]
    fn broken_package_lock_says_where() {
        let err = package_lock("{\n  \"packages\": {\n    \"a\": 1,\n  }\n}").unwrap_err();
        assert!(err.starts_with("invalid JSON at line 4"), "{err}");
    }

    #[test]
    fn yarn_classic_entries() {
        let text = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826b"
  dependencies:
    "@babel/highlight" "^7.12.13"

left-pad@github:stevemao/left-pad:
  version "1.3.0"
  resolved "https://codeload.github.com/stevemao/left-pad/tar.gz/5d2b6a8"

"shared@file:../shared":
  version "1.0.0"

tool@https://downloads.example.com/tool-1.2.0.tgz:
  version "1.2.0"
  resolved "https://downloads.example.com/tool-1.2.0.tgz#0f3c"
"#;
        let decls = yarn_lock(text).unwrap();
        assert_eq!(decls.len(), 3, "{decls:?}");
        let git = find(&decls, "left-pad");
        assert_eq!((git.source, git.line), (Source::Git, 11));
        let path = find(&decls, "shared");
        assert_eq!(
            (path.source, path.spec.as_str(), path.line),
            (Source::Path, "file:../shared", 15)
        );
        assert_eq!(find(&decls, "tool").source, Source::Url);
    }

    #[test]
    fn yarn_berry_resolutions() {
        let text = r#"__metadata:
  version: 6
  cacheKey: 8

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."

"lodash@npm:^4.17.21":
  version: 4.17.21
  resolution: "lodash@npm:4.17.21"

"left-pad@https://github.com/stevemao/left-pad.git#v1.3.0":
  version: 1.3.0
  resolution: "left-pad@https://github.com/stevemao/left-pad.git#commit=5d2b6a8"

"resolve@patch:resolve@npm%3A^1.22.1#~builtin<compat/resolve>":
  resolution: "resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::version=1.22.1&hash=c3c19d"

"@corp/ui@portal:../ui::locator=app%40workspace%3A.":
  resolution: "@corp/ui@portal:../ui::locator=app%40workspace%3A."
"#;
        let decls = yarn_lock(text).unwrap();
        assert_eq!(decls.len(), 2, "{decls:?}");
        assert_eq!(
            (
                find(&decls, "left-pad").source,
                find(&decls, "left-pad").line
            ),
            (Source::Git, 13)
        );
        assert_eq!(find(&decls, "@corp/ui").source, Source::Path);
    }

    #[test]
    fn pnpm_packages_and_links() {
        let text = r#"lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      lodash:
        specifier: ^4.17.21
        version: 4.17.21
      local-lib:
        specifier: link:../local-lib
        version: link:../local-lib
      web:
        specifier: workspace:*
        version: link:packages/web

packages:

  '@corp/tool@https://npm.corp.example/tool-2.0.0.tgz':
    resolution: {tarball: https://npm.corp.example/tool-2.0.0.tgz}
    version: 2.0.0

  left-pad@git+https://github.com/stevemao/left-pad.git#5d2b6a8:  # pinned
    resolution: {type: git, repo: https://github.com/stevemao/left-pad.git, commit: 5d2b6a8}
    version: 1.3.0

  lodash@4.17.21:
    resolution: {integrity: sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg==}

  shared@file:../shared:
    resolution:
      directory: ../shared
      type: directory
    version: 1.0.0

snapshots:

  lodash@4.17.21: {}
"#;
        let decls = pnpm_lock(text).unwrap();
        assert_eq!(decls.len(), 4, "{decls:?}");
        let link = find(&decls, "local-lib");
        assert_eq!(
            (link.source, link.spec.as_str(), link.line),
            (Source::Path, "link:../local-lib", 10)
        );
        let tool = find(&decls, "@corp/tool");
        assert_eq!((tool.source, tool.line), (Source::Url, 19));
        let git = find(&decls, "left-pad");
        assert_eq!(
            (git.source, git.spec.as_str(), git.line),
            (
                Source::Git,
                "https://github.com/stevemao/left-pad.git#5d2b6a8",
                23
            )
        );
        assert_eq!(find(&decls, "shared").source, Source::Path);
    }

    #[test]
    fn pnpm_v6_named_entries() {
        let text = "lockfileVersion: '6.0'\n\ndependencies:\n  left-pad:\n    specifier: github:stevemao/left-pad\n    version: github.com/stevemao/left-pad/5d2b6a8\n\npackages:\n\n  github.com/stevemao/left-pad/5d2b6a8:\n    resolution: {tarball: https://codeload.github.com/stevemao/left-pad/tar.gz/5d2b6a8}\n    name: left-pad\n    version: 1.3.0\n\n  /lodash@4.17.21:\n    resolution: {integrity: sha512-abc}\n";
        let decls = pnpm_lock(text).unwrap();
        assert_eq!(decls.len(), 1, "{decls:?}");
        assert_eq!(
            (decls[0].name.as_str(), decls[0].source, decls[0].line),
            ("left-pad", Source::Git, 10)
        );
    }

    #[test]
    fn sources_of_resolved_urls() {
        assert_eq!(classify("https://registry.npmjs.org/a/-/a-1.0.0.tgz"), None);
        assert_eq!(classify("1.2.3"), None);
        assert_eq!(classify("npm:lodash@4.17.21"), None);
        assert_eq!(
            classify("https://github.com/a/b/archive/v1.tar.gz"),
            Some(Source::Git)
        );
        assert_eq!(
            classify("https://user@git.example.com/a/b.git#abc"),
            Some(Source::Git)
        );
        assert_eq!(classify("http://10.0.0.5:8080/x.tgz"), Some(Source::Url));
        assert_eq!(classify("file:../x"), Some(Source::Path));
        assert!(is_workspace(&["packages/*".to_string()], "packages/web"));
        assert!(!is_workspace(&["packages/*".to_string()], "../outside"));
        assert!(is_workspace(&["apps/site".to_string()], "apps/site"));
    }
}
