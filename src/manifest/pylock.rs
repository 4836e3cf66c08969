//! Python lockfiles: uv.lock, poetry.lock and pdm.lock (TOML, `[[package]]` entries) and Pipfile.lock
//! (JSON, `default` and `develop` maps). Every locked package is returned with its version and where it
//! was resolved from: the default index (a registry package, spec = version), or — what a reviewer must
//! see — a git repository, a direct URL or file, a local path, or another index (`Url`, spec =
//! `version from <index>`). The project itself (uv's `editable`/`virtual` root) is skipped.

use serde_json::Value;
use toml::de::{DeTable, DeValue};

use super::pyproject::is_pypi;
use super::{package, Declared, Source};

/// Reads a Python lockfile of any of the four formats (told apart by their first character).
pub fn parse(text: &str) -> Result<Vec<Declared>, String> {
    if text.trim_start().starts_with('{') {
        return pipfile_lock(text);
    }
    let doc = super::text::parse_toml(text)?;
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |pos: usize| starts.partition_point(|&s| s <= pos) as u32;
    let mut out = Vec::new();
    let Some(DeValue::Array(packages)) = doc.get_ref().get("package").map(|v| v.get_ref()) else {
        return Ok(out);
    };
    for entry in packages.iter() {
        let DeValue::Table(entry) = entry.get_ref() else {
            continue;
        };
        let Some((key, name)) = entry.get_key_value("name") else {
            continue;
        };
        let DeValue::String(name) = name.get_ref() else {
            continue;
        };
        let version = str_of(entry, "version").unwrap_or("");
        let line = line_of(key.span().start);
        let Some((spec, source)) = resolution(entry, version) else {
            continue;
        };
        out.push(package(name, spec, source, line));
    }
    Ok(out)
}

fn str_of<'a>(t: &'a DeTable<'_>, key: &str) -> Option<&'a str> {
    match t.get(key)?.get_ref() {
        DeValue::String(s) => Some(s.as_ref()),
        _ => None,
    }
}

/// Where an entry was resolved from; `None` for the project itself.
fn resolution(entry: &DeTable<'_>, version: &str) -> Option<(String, Source)> {
    // uv: `source = { registry | git | url | path | directory | editable | virtual = "…" }`.
    // poetry: `[package.source] type = "git" | "url" | "file" | "directory" | "legacy", url = "…"`.
    if let Some(DeValue::Table(source)) = entry.get("source").map(|v| v.get_ref()) {
        if let Some(kind) = str_of(source, "type") {
            let url = str_of(source, "url").unwrap_or("");
            let reference = str_of(source, "resolved_reference")
                .or_else(|| str_of(source, "reference"))
                .unwrap_or("");
            return Some(match kind {
                "git" if reference.is_empty() => (url.to_string(), Source::Git),
                "git" => (format!("{url}@{reference}"), Source::Git),
                "url" | "file" => (url.to_string(), Source::Url),
                "directory" => (url.to_string(), Source::Path),
                _ if url.is_empty() || is_pypi(url) => (version.to_string(), Source::Registry),
                _ => (format!("{version} from {url}"), Source::Url),
            });
        }
        if str_of(source, "editable").is_some() || str_of(source, "virtual").is_some() {
            return None;
        }
        if let Some(url) = str_of(source, "registry") {
            return Some(if is_pypi(url) {
                (version.to_string(), Source::Registry)
            } else {
                (format!("{version} from {url}"), Source::Url)
            });
        }
        if let Some(url) = str_of(source, "git") {
            return Some((url.to_string(), Source::Git));
        }
        if let Some(url) = str_of(source, "url") {
            return Some((url.to_string(), Source::Url));
        }
        if let Some(path) = str_of(source, "path").or_else(|| str_of(source, "directory")) {
            return Some((path.to_string(), Source::Path));
        }
    }
    // pdm: `git = "…"` with `revision`, `url = "…"`, `path = "…"` on the entry itself.
    if let Some(url) = str_of(entry, "git") {
        let spec = match str_of(entry, "revision").or_else(|| str_of(entry, "ref")) {
            Some(rev) => format!("{url}@{rev}"),
            None => url.to_string(),
        };
        return Some((spec, Source::Git));
    }
    if let Some(url) = str_of(entry, "url") {
        return Some((url.to_string(), Source::Url));
    }
    if let Some(path) = str_of(entry, "path") {
        return Some((path.to_string(), Source::Path));
    }
    Some((version.to_string(), Source::Registry))
}

/// Pipfile.lock: `{"_meta": {"sources": [{name, url}]}, "default": {name: {version, index | git, ref |
/// file | path}}, "develop": {…}}`.
fn pipfile_lock(text: &str) -> Result<Vec<Declared>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "invalid JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        )
    })?;
    let indexes: Vec<(&str, &str)> = value["_meta"]["sources"]
        .as_array()
        .map(|sources| {
            sources
                .iter()
                .filter_map(|s| Some((s["name"].as_str()?, s["url"].as_str()?)))
                .collect()
        })
        .unwrap_or_default();
    let lines = super::json_lines::key_lines(text, |path, key, index| {
        !index && (path.is_empty() && (key == "default" || key == "develop") || path.len() == 1)
    });
    let mut out = Vec::new();
    for section in ["default", "develop"] {
        let Some(entries) = value[section].as_object() else {
            continue;
        };
        for (name, entry) in entries {
            let line = lines
                .get(&vec![section.to_string(), name.clone()])
                .copied()
                .unwrap_or(1);
            let version = entry["version"].as_str().unwrap_or("");
            let (spec, source) = if let Some(url) = entry["git"].as_str() {
                match entry["ref"].as_str() {
                    Some(rev) => (format!("{url}@{rev}"), Source::Git),
                    None => (url.to_string(), Source::Git),
                }
            } else if let Some(url) = entry["file"].as_str() {
                (url.to_string(), Source::Url)
            } else if let Some(path) = entry["path"].as_str() {
                (path.to_string(), Source::Path)
            } else {
                let index = entry["index"].as_str().and_then(|name| {
                    indexes
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, url)| *url)
                });
                match index {
                    Some(url) if !is_pypi(url) => (format!("{version} from {url}"), Source::Url),
                    _ => (version.to_string(), Source::Registry),
                }
            };
            out.push(package(name, spec, source, line));
        }
    }
    out.sort_by_key(|d| d.line);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_support::{pkg, summary};

    #[test]
    fn uv_lock_packages_and_their_sources() {
        let text = r#"version = 1

[[package]]
name = "anyio"
version = "4.4.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "tool"
version = "1.0"
source = { git = "https://github.com/acme/tool?rev=main#0123abc" }

[[package]]
name = "internal"
version = "2.0"
source = { registry = "https://pkgs.acme.example/simple" }
"#;
        assert_eq!(
            summary(&parse(text).unwrap()),
            vec![
                pkg(4, "anyio", "4.4.0", Source::Registry),
                pkg(
                    14,
                    "tool",
                    "https://github.com/acme/tool?rev=main#0123abc",
                    Source::Git
                ),
                pkg(
                    19,
                    "internal",
                    "2.0 from https://pkgs.acme.example/simple",
                    Source::Url
                ),
            ]
        );
    }

    #[test]
    fn poetry_and_pdm_lock_sources() {
        let poetry = r#"[[package]]
name = "certifi"
version = "2024.2.2"
optional = false

[[package]]
name = "lib"
version = "0.3.0"

[package.source]
type = "git"
url = "https://github.com/acme/lib.git"
reference = "main"
resolved_reference = "4f2c1e0"
"#;
        assert_eq!(
            summary(&parse(poetry).unwrap()),
            vec![
                pkg(2, "certifi", "2024.2.2", Source::Registry),
                pkg(
                    7,
                    "lib",
                    "https://github.com/acme/lib.git@4f2c1e0",
                    Source::Git
                ),
            ]
        );
        let pdm = "[[package]]\nname = \"x\"\nversion = \"1.0\"\ngit = \"https://g.example/x.git\"\nrevision = \"abc1234\"\n";
        assert_eq!(
            summary(&parse(pdm).unwrap()),
            vec![pkg(2, "x", "https://g.example/x.git@abc1234", Source::Git)]
        );
    }

    #[test]
    fn pipfile_lock_entries() {
        let text = r#"{
    "_meta": {"sources": [{"name": "pypi", "url": "https://pypi.org/simple"}, {"name": "corp", "url": "https://corp.example/simple"}]},
    "default": {
        "requests": {"index": "pypi", "version": "==2.31.0"},
        "secret-sauce": {"index": "corp", "version": "==1.0"}
    },
    "develop": {
        "tool": {"git": "https://github.com/acme/tool.git", "ref": "abc1234"}
    }
}
"#;
        assert_eq!(
            summary(&parse(text).unwrap()),
            vec![
                pkg(4, "requests", "==2.31.0", Source::Registry),
                pkg(
                    5,
                    "secret-sauce",
                    "==1.0 from https://corp.example/simple",
                    Source::Url
                ),
                pkg(
                    8,
                    "tool",
                    "https://github.com/acme/tool.git@abc1234",
                    Source::Git
                ),
            ]
        );
    }
}
