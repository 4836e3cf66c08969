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
fn is_pypi(url: &str) -> bool {
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
mod tests {
    use super::*;
    use crate::engine::deps::test_support::{pkg, summary};
    use crate::engine::deps::DeclKind;

    fn index(line: u32, name: &str, url: &str) -> (u32, DeclKind, String, String, Source) {
        (line, DeclKind::Index, name.into(), url.into(), Source::Url)
    }

    #[test]
    fn reads_pep621_build_system_and_groups() {
        let text = r#"[build-system]
requires = ["setuptools>=61", "wheel"]

[project]
name = "app"
dependencies = [
    "requests[socks] >=2.31,<3",   # http
    "attrs (>=22.1)",
    "mylib @ git+https://github.com/me/mylib.git@v1.0 ; python_version >= '3.9'",
    "tomli; python_version < '3.11'",
]

[project.optional-dependencies]
docs = ["sphinx==7.2.6"]

[dependency-groups]
test = ["pytest>=8", { include-group = "docs" }]
"#;
        assert_eq!(
            summary(&pyproject(text).unwrap()),
            vec![
                pkg(2, "setuptools", ">=61", Source::Registry),
                pkg(2, "wheel", "", Source::Registry),
                pkg(7, "requests", ">=2.31,<3", Source::Registry),
                pkg(8, "attrs", ">=22.1", Source::Registry),
                pkg(
                    9,
                    "mylib",
                    "git+https://github.com/me/mylib.git@v1.0",
                    Source::Git
                ),
                pkg(10, "tomli", "", Source::Registry),
                pkg(14, "sphinx", "==7.2.6", Source::Registry),
                pkg(17, "pytest", ">=8", Source::Registry),
            ]
        );
    }

    #[test]
    fn reads_poetry_tables_and_sources() {
        let text = r#"[tool.poetry.dependencies]
python = "^3.10"
requests = "^2.31"
httpx = { version = "^0.27", extras = ["http2"] }
internal = { git = "https://git.example.com/internal.git", tag = "v2" }
shared = { path = "../shared", develop = true }
wheelpkg = { url = "https://example.com/wheelpkg-1.0-py3-none-any.whl" }
numpy = [
    { version = "<1.25", python = "<3.9" },
    { version = "^1.26", python = ">=3.9" },
]

[tool.poetry.group.dev.dependencies]
pytest = "*"

[tool.poetry.dev-dependencies]
black = "^24.1"

[[tool.poetry.source]]
name = "private"
url = "https://pypi.example.com/simple/"
priority = "supplemental"

[[tool.poetry.source]]
name = "mirror"
url = "https://pypi.org/simple/"
"#;
        assert_eq!(
            summary(&pyproject(text).unwrap()),
            vec![
                pkg(3, "requests", "^2.31", Source::Registry),
                pkg(4, "httpx", "^0.27", Source::Registry),
                pkg(
                    5,
                    "internal",
                    "https://git.example.com/internal.git@v2",
                    Source::Git
                ),
                pkg(6, "shared", "../shared", Source::Path),
                pkg(
                    7,
                    "wheelpkg",
                    "https://example.com/wheelpkg-1.0-py3-none-any.whl",
                    Source::Url
                ),
                pkg(8, "numpy", "<1.25; ^1.26", Source::Registry),
                pkg(14, "pytest", "*", Source::Registry),
                pkg(17, "black", "^24.1", Source::Registry),
                index(21, "tool.poetry.source", "https://pypi.example.com/simple/"),
            ]
        );
    }

    #[test]
    fn applies_uv_sources_and_reads_pdm_and_uv_indexes() {
        let text = r#"[project]
name = "svc"
dependencies = ["fastapi>=0.110,<1", "corelib", "member", "torch==2.3.0", "tools>=1"]

[tool.uv.sources]
corelib = { git = "https://github.com/acme/corelib", rev = "abc123" }
member = { workspace = true }
torch = { index = "pytorch" }
Tools = { path = "../tools", editable = true }

[[tool.uv.index]]
name = "pytorch"
url = "https://download.pytorch.org/whl/cpu"

[[tool.uv.index]]
name = "internal"
url = "https://pkgs.example.com/simple"

[tool.pdm.dev-dependencies]
lint = ["ruff>=0.4,<1", "-e file:///${PROJECT_ROOT}/plugins/x"]

[[tool.pdm.source]]
name = "corp"
url = "https://pypi.corp.example/simple"
"#;
        assert_eq!(
            summary(&pyproject(text).unwrap()),
            vec![
                pkg(3, "fastapi", ">=0.110,<1", Source::Registry),
                pkg(
                    3,
                    "corelib",
                    "https://github.com/acme/corelib@abc123",
                    Source::Git
                ),
                pkg(3, "torch", "==2.3.0", Source::Registry),
                pkg(3, "tools", "../tools", Source::Path),
                index(13, "tool.uv.index", "https://download.pytorch.org/whl/cpu"),
                index(17, "tool.uv.index", "https://pkgs.example.com/simple"),
                pkg(20, "ruff", ">=0.4,<1", Source::Registry),
                pkg(
                    20,
                    "file:///${PROJECT_ROOT}/plugins/x",
                    "file:///${PROJECT_ROOT}/plugins/x",
                    Source::Path
                ),
                index(24, "tool.pdm.source", "https://pypi.corp.example/simple"),
            ]
        );
    }

    #[test]
    fn broken_toml_says_where() {
        let err = pyproject("[project]\nname = \"x\"\ndependencies = [\"a\",\n  \"b\" \"c\"]\n")
            .unwrap_err();
        assert!(err.starts_with("invalid TOML at line 4, column "), "{err}");
        let err = pipfile("[packages]\nrequests = \n").unwrap_err();
        assert!(err.starts_with("invalid TOML at line 2, column "), "{err}");
    }

    #[test]
    fn reads_pipfile() {
        let text = r#"[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[[source]]
url = "https://pypi.internal.example/simple"
name = "internal"

[packages]
requests = "*"
django = {version = ">=4.2,<5", extras = ["bcrypt"]}
"private-lib" = {git = "https://github.com/acme/private-lib.git", ref = "main", editable = true}
local = {path = "./libs/local", editable = true}
me = {path = ".", editable = true}
wheel-pkg = {file = "https://example.com/wheel_pkg-1.0.tar.gz"}

[dev-packages]
pytest = "==8.1.1"

[requires]
python_version = "3.12"
"#;
        assert_eq!(
            summary(&pipfile(text).unwrap()),
            vec![
                index(7, "source", "https://pypi.internal.example/simple"),
                pkg(11, "requests", "*", Source::Registry),
                pkg(12, "django", ">=4.2,<5", Source::Registry),
                pkg(
                    13,
                    "private-lib",
                    "https://github.com/acme/private-lib.git@main",
                    Source::Git
                ),
                pkg(14, "local", "./libs/local", Source::Path),
                pkg(
                    16,
                    "wheel-pkg",
                    "https://example.com/wheel_pkg-1.0.tar.gz",
                    Source::Url
                ),
                pkg(19, "pytest", "==8.1.1", Source::Registry),
            ]
        );
    }

    #[test]
    fn reads_setup_cfg() {
        let text = "[metadata]\nname = app\n\n[options]\npackages = find:\ninstall_requires =\n    requests>=2.31,<3\n    # pinned for py3.8\n    click==8.1.7  # cli\n\n    importlib-metadata; python_version<\"3.10\"\nsetup_requires = setuptools_scm>=8; wheel\npython_requires = >=3.8\n\n[options.extras_require]\ndocs =\n    sphinx>=7\ntest = pytest==8.1.1\n\n[flake8]\nmax-line-length = 100\n";
        assert_eq!(
            summary(&setup_cfg(text).unwrap()),
            vec![
                pkg(7, "requests", ">=2.31,<3", Source::Registry),
                pkg(9, "click", "==8.1.7", Source::Registry),
                pkg(11, "importlib-metadata", "", Source::Registry),
                pkg(12, "setuptools_scm", ">=8", Source::Registry),
                pkg(12, "wheel", "", Source::Registry),
                pkg(17, "sphinx", ">=7", Source::Registry),
                pkg(18, "pytest", "==8.1.1", Source::Registry),
            ]
        );
    }

    #[test]
    fn pep508_forms() {
        let r = |s: &str| super::super::python::pep508(s, 1).map(|d| (d.name, d.spec, d.source));
        assert_eq!(
            r("pkg @ file:///tmp/pkg"),
            Some(("pkg".into(), "file:///tmp/pkg".into(), Source::Path))
        );
        assert_eq!(
            r("Pkg[a,b]@https://x.example/pkg.zip"),
            Some((
                "Pkg".into(),
                "https://x.example/pkg.zip".into(),
                Source::Url
            ))
        );
        assert_eq!(r("# not a requirement"), None);
        assert_eq!(r("python_version < \"3.11\""), None);
        assert_eq!(r(""), None);
    }
}
