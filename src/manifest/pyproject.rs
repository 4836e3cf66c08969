//! Python project files: pyproject.toml (PEP 621, build-system, PEP 735 groups, Poetry, PDM, uv sources),
//! Pipfile and setup.cfg.

use std::collections::HashMap;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{Declared, Source};

/// Reads pyproject.toml: PEP 508 strings in `[project]`, `[project.optional-dependencies]`,
/// `[build-system] requires`, `[dependency-groups]`, PDM and uv dev dependencies (with `[tool.uv.sources]`
/// applied), Poetry dependency tables, and the extra package indexes of Poetry, PDM and uv.
pub fn pyproject(text: &str) -> Result<Vec<Declared>, String> {
    let doc = super::text::parse_toml(text)?;
    let lines = Lines::new(text);
    let root = doc.get_ref();
    let mut pep508_decls = Vec::new();
    let mut out = Vec::new();

    if let Some(project) = table(root, &["project"]) {
        requirement_array(&lines, get(project, "dependencies"), &mut pep508_decls);
        if let Some(optional) = table(project, &["optional-dependencies"]) {
            for (_, group) in optional.iter() {
                requirement_array(&lines, Some(group), &mut pep508_decls);
            }
        }
    }
    requirement_array(
        &lines,
        table(root, &["build-system"]).and_then(|t| get(t, "requires")),
        &mut pep508_decls,
    );
    // PEP 735 groups, PDM's and uv's development dependencies.
    for groups in [
        table(root, &["dependency-groups"]),
        table(root, &["tool", "pdm", "dev-dependencies"]),
    ]
    .into_iter()
    .flatten()
    {
        for (_, group) in groups.iter() {
            requirement_array(&lines, Some(group), &mut pep508_decls);
        }
    }
    if let Some(uv) = table(root, &["tool", "uv"]) {
        requirement_array(&lines, get(uv, "dev-dependencies"), &mut pep508_decls);
        apply_uv_sources(uv, &mut pep508_decls);
    }
    out.append(&mut pep508_decls);

    // Poetry: `name = "constraint"` or `name = { version | git | path | url = … }`.
    if let Some(poetry) = table(root, &["tool", "poetry"]) {
        let mut tables: Vec<&DeTable> = Vec::new();
        tables.extend(table(poetry, &["dependencies"]));
        tables.extend(table(poetry, &["dev-dependencies"]));
        if let Some(groups) = table(poetry, &["group"]) {
            for (_, group) in groups.iter() {
                if let DeValue::Table(group) = group.get_ref() {
                    tables.extend(table(group, &["dependencies"]));
                }
            }
        }
        for deps in tables {
            for (key, value) in deps.iter() {
                let name = key.get_ref().as_ref();
                if name.eq_ignore_ascii_case("python") {
                    continue;
                }
                if let Some((spec, source)) = poetry_spec(value.get_ref()) {
                    out.push(super::package(
                        name,
                        spec,
                        source,
                        lines.of(key.span().start),
                    ));
                }
            }
        }
    }

    // Package indexes.
    for (path, declarer) in [
        (&["tool", "poetry", "source"][..], "tool.poetry.source"),
        (&["tool", "pdm", "source"][..], "tool.pdm.source"),
        (&["tool", "uv", "index"][..], "tool.uv.index"),
    ] {
        let Some(DeValue::Array(sources)) = value_at(root, path).map(Spanned::get_ref) else {
            continue;
        };
        for source in sources.iter() {
            let DeValue::Table(source) = source.get_ref() else {
                continue;
            };
            if let Some((url, line)) = string_with_line(&lines, source, "url") {
                push_index(declarer, url, line, &mut out);
            }
        }
    }
    if let Some(uv) = table(root, &["tool", "uv"]) {
        for key in ["index-url", "extra-index-url", "find-links"] {
            let Some(value) = get(uv, key) else { continue };
            let declarer = format!("tool.uv.{key}");
            match value.get_ref() {
                DeValue::String(url) => {
                    push_index(&declarer, url, lines.of(value.span().start), &mut out)
                }
                DeValue::Array(urls) => {
                    for url in urls.iter() {
                        if let DeValue::String(s) = url.get_ref() {
                            push_index(&declarer, s, lines.of(url.span().start), &mut out);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out.sort_by_key(|d| d.line);
    Ok(out)
}

/// Reads a Pipfile: `[packages]` and `[dev-packages]` (strings or tables with `version`, `git`, `path`,
/// `file`), and `[[source]]` indexes other than PyPI.
pub fn pipfile(text: &str) -> Result<Vec<Declared>, String> {
    let doc = super::text::parse_toml(text)?;
    let lines = Lines::new(text);
    let root = doc.get_ref();
    let mut out = Vec::new();
    for section in ["packages", "dev-packages"] {
        let Some(deps) = table(root, &[section]) else {
            continue;
        };
        for (key, value) in deps.iter() {
            let spec = match value.get_ref() {
                DeValue::String(s) => Some((s.to_string(), Source::Registry)),
                DeValue::Table(t) => match location(t, &["git"], &["path"], &["file"]) {
                    Some(found) => Some(found).filter(|(spec, _)| !is_project_itself(spec)),
                    None => Some((
                        string(t, "version").unwrap_or("").to_string(),
                        Source::Registry,
                    )),
                },
                _ => None,
            };
            if let Some((spec, source)) = spec {
                out.push(super::package(
                    key.get_ref(),
                    spec,
                    source,
                    lines.of(key.span().start),
                ));
            }
        }
    }
    if let Some(DeValue::Array(sources)) = get(root, "source").map(Spanned::get_ref) {
        for source in sources.iter() {
            if let DeValue::Table(source) = source.get_ref() {
                if let Some((url, line)) = string_with_line(&lines, source, "url") {
                    push_index("source", url, line, &mut out);
                }
            }
        }
    }
    out.sort_by_key(|d| d.line);
    Ok(out)
}

/// Reads setup.cfg: `[options] install_requires`, `setup_requires` and `tests_require`, and every entry of
/// `[options.extras_require]`; each requirement at its own line. Never fails.
pub fn setup_cfg(text: &str) -> Result<Vec<Declared>, String> {
    let mut out = Vec::new();
    let mut section = String::new();
    // The option being read: whether its requirements count, and its (line, value) pieces.
    let mut current: Option<Vec<(u32, String)>> = None;
    let flush = |pieces: Option<Vec<(u32, String)>>, out: &mut Vec<Declared>| {
        let Some(pieces) = pieces else { return };
        let multi_line = pieces.iter().skip(1).any(|(_, v)| !v.is_empty());
        for (line, value) in pieces {
            if value.starts_with("file:") || value.starts_with("attr:") {
                continue;
            }
            // setuptools splits a one-line value at `;`, a multi-line value at line ends.
            let items: Vec<&str> = if multi_line {
                vec![value.as_str()]
            } else {
                value.split(';').collect()
            };
            for item in items {
                if let Some(decl) = super::python::pep508(item.trim(), line) {
                    out.push(decl);
                }
            }
        }
    };
    for (idx, raw) in text.lines().enumerate() {
        let line = idx as u32 + 1;
        let trimmed = raw.trim();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indented = raw.starts_with([' ', '\t']);
        if indented || trimmed.is_empty() {
            if let Some(pieces) = current.as_mut() {
                let value = strip_inline_comment(trimmed).trim();
                if !value.is_empty() {
                    pieces.push((line, value.to_string()));
                }
            }
            continue;
        }
        flush(current.take(), &mut out);
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = name.trim().to_ascii_lowercase();
            continue;
        }
        let Some(pos) = trimmed.find(['=', ':']) else {
            continue;
        };
        let key = trimmed[..pos].trim().to_ascii_lowercase().replace('-', "_");
        let wanted = match section.as_str() {
            "options" => matches!(
                key.as_str(),
                "install_requires" | "setup_requires" | "tests_require"
            ),
            "options.extras_require" => true,
            _ => false,
        };
        if wanted {
            let value = strip_inline_comment(trimmed[pos + 1..].trim()).trim();
            current = Some(vec![(line, value.to_string())]);
        }
    }
    flush(current.take(), &mut out);
    Ok(out)
}

/// Byte offsets to 1-based lines.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    fn of(&self, pos: usize) -> u32 {
        self.starts.partition_point(|&s| s <= pos) as u32
    }
}

fn get<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    t.get(key)
}

fn value_at<'a, 'i>(t: &'a DeTable<'i>, path: &[&str]) -> Option<&'a Spanned<DeValue<'i>>> {
    let (last, init) = path.split_last()?;
    get(table(t, init)?, last)
}

/// The table at a key path (the empty path is `t` itself).
fn table<'a, 'i>(t: &'a DeTable<'i>, path: &[&str]) -> Option<&'a DeTable<'i>> {
    let mut current = t;
    for key in path {
        match get(current, key)?.get_ref() {
            DeValue::Table(next) => current = next,
            _ => return None,
        }
    }
    Some(current)
}

fn string<'a>(t: &'a DeTable<'_>, key: &str) -> Option<&'a str> {
    match get(t, key)?.get_ref() {
        DeValue::String(s) => Some(s.as_ref()),
        _ => None,
    }
}

fn string_with_line<'a>(lines: &Lines, t: &'a DeTable<'_>, key: &str) -> Option<(&'a str, u32)> {
    let (k, v) = t.get_key_value(key)?;
    match v.get_ref() {
        DeValue::String(s) => Some((s.as_ref(), lines.of(k.span().start))),
        _ => None,
    }
}

/// Adds an index declaration unless it is the default public index.
fn push_index(declarer: &str, url: &str, line: u32, out: &mut Vec<Declared>) {
    if !is_pypi(url) {
        out.push(super::index(declarer, url, line));
    }
}

/// The default public index (pypi.org and its file host).
pub(super) fn is_pypi(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let host = super::url_host(&lower);
    matches!(
        host,
        "pypi.org" | "pypi.python.org" | "files.pythonhosted.org" | "upload.pypi.org"
    )
}

/// The PEP 508 strings of an array value, each at the line of its element.
fn requirement_array(lines: &Lines, value: Option<&Spanned<DeValue<'_>>>, out: &mut Vec<Declared>) {
    let Some(DeValue::Array(items)) = value.map(Spanned::get_ref) else {
        return;
    };
    for item in items.iter() {
        if let DeValue::String(s) = item.get_ref() {
            if let Some(decl) = super::python::pep508(s, lines.of(item.span().start)) {
                out.push(decl);
            }
        }
    }
}

/// A git, path or file/URL location in a dependency table, if it has one. The git URL carries its
/// `rev`/`tag`/`branch`/`ref` after `@`.
fn location(
    t: &DeTable<'_>,
    git_keys: &[&str],
    path_keys: &[&str],
    url_keys: &[&str],
) -> Option<(String, Source)> {
    for key in git_keys {
        if let Some(url) = string(t, key) {
            let reference = ["rev", "tag", "branch", "ref"]
                .iter()
                .find_map(|k| string(t, k));
            let spec = match reference {
                Some(r) => format!("{url}@{r}"),
                None => url.to_string(),
            };
            return Some((spec, Source::Git));
        }
    }
    for key in path_keys {
        if let Some(path) = string(t, key) {
            return Some((path.to_string(), Source::Path));
        }
    }
    for key in url_keys {
        if let Some(url) = string(t, key) {
            let lower = url.to_ascii_lowercase();
            let source = if lower.starts_with("http://") || lower.starts_with("https://") {
                Source::Url
            } else {
                Source::Path
            };
            return Some((url.to_string(), source));
        }
    }
    None
}

fn is_project_itself(spec: &str) -> bool {
    matches!(spec.trim_end_matches('/'), "." | "" | "./")
}

/// Poetry's constraint: a string, a table with `version`, `git`, `path` or `url`, or an array of such
/// tables (several constraints, by markers).
fn poetry_spec(value: &DeValue<'_>) -> Option<(String, Source)> {
    match value {
        DeValue::String(s) => Some((s.to_string(), Source::Registry)),
        DeValue::Table(t) => match location(t, &["git"], &["path"], &["url"]) {
            Some(found) => Some(found).filter(|(spec, _)| !is_project_itself(spec)),
            None => Some((
                string(t, "version").unwrap_or("").to_string(),
                Source::Registry,
            )),
        },
        DeValue::Array(items) => {
            let specs: Vec<(String, Source)> = items
                .iter()
                .filter_map(|i| poetry_spec(i.get_ref()))
                .collect();
            if let Some(other) = specs.iter().find(|(_, s)| *s != Source::Registry) {
                return Some(other.clone());
            }
            let joined: Vec<&str> = specs.iter().map(|(s, _)| s.as_str()).collect();
            Some((joined.join("; "), Source::Registry))
        }
        _ => None,
    }
}

/// Applies `[tool.uv.sources]` to the PEP 508 declarations: a git, path or URL source replaces the
/// registry; a workspace member is the project's own and is dropped.
fn apply_uv_sources(uv: &DeTable<'_>, decls: &mut Vec<Declared>) {
    let Some(sources) = table(uv, &["sources"]) else {
        return;
    };
    let mut by_name: HashMap<String, Option<(String, Source)>> = HashMap::new();
    for (key, value) in sources.iter() {
        let entries: Vec<&DeTable> = match value.get_ref() {
            DeValue::Table(t) => vec![t],
            DeValue::Array(items) => items
                .iter()
                .filter_map(|i| match i.get_ref() {
                    DeValue::Table(t) => Some(t),
                    _ => None,
                })
                .collect(),
            _ => continue,
        };
        let mut resolved = None;
        for entry in entries {
            if matches!(
                get(entry, "workspace").map(Spanned::get_ref),
                Some(DeValue::Boolean(true))
            ) {
                resolved = Some(None);
                break;
            }
            if let Some(found) = location(entry, &["git"], &["path"], &["url"]) {
                resolved = Some(Some(found));
                break;
            }
        }
        if let Some(resolved) = resolved {
            by_name.insert(super::normalize(key.get_ref()), resolved);
        }
    }
    decls.retain_mut(|decl| match by_name.get(&super::normalize(&decl.name)) {
        None => true,
        Some(None) => false,
        Some(Some((spec, source))) => {
            decl.spec = spec.clone();
            decl.source = *source;
            true
        }
    });
}

/// Drops a ` # comment` or ` ; comment` at the end of a setup.cfg value line.
fn strip_inline_comment(text: &str) -> &str {
    match text.find(" #").or_else(|| text.find("\t#")) {
        Some(pos) => &text[..pos],
        None => text,
    }
}

#[cfg(test)]
#[path = "pyproject_tests.rs"]
mod tests;
