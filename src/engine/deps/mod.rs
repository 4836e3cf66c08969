//! Dependency changes: each changed manifest is parsed in its new (and, when the source knows it, old)
//! version, and every dependency the change adds, or whose version or source it changes, is reported at its
//! line — with typosquats, non-registry sources, unbounded versions and install scripts raised. The checks
//! are data (`checks/dependency.yml`, `produced_by: dependencies`) that give the findings their ids,
//! severities, messages and help; this module decides which of them apply.

mod actions;
mod cargo;
mod composer;
mod docker;
mod gomod;
mod java;
mod json_lines;
mod lockfiles;
mod manifest;
mod npm;
mod pyproject;
mod python;
mod ruby;
mod text;
pub mod typosquat;

use manifest::Manifest;

use std::collections::HashMap;

use serde::Serialize;

use crate::checks::{Check, CheckSet};
use crate::model::{fnv1a64, ChangedFile, Finding, TextExtent};

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
    fn as_str(self) -> &'static str {
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
    Manifest::of(path).is_some()
}

/// Reviews the dependency manifests among `files`: findings for the checks in `set` that the
/// dependency analysis produces, and the list of added or changed dependencies.
pub fn review(set: &CheckSet, files: &[ChangedFile]) -> (Vec<Finding>, Vec<Dependency>) {
    let mut findings = Vec::new();
    let mut dependencies = Vec::new();
    for file in files {
        let Some(kind) = Manifest::of(&file.path) else {
            continue;
        };
        // A bare patch holds only pieces of the manifest: line-based formats are read from those pieces
        // put back at their line numbers; structured ones (JSON, TOML, XML) cannot be read from pieces.
        let sparse;
        // For pieces: each line of `text`'s number in the new file (0 for a gap between pieces).
        let mut numbers: Option<Vec<u32>> = None;
        let text: &str = match &file.extent {
            TextExtent::Whole => &file.text,
            TextExtent::Pieces(pieces) if kind.is_line_based() => {
                let (joined, lines) = sparse_text(file, pieces);
                sparse = joined;
                numbers = Some(lines);
                &sparse
            }
            TextExtent::Pieces(_) => continue,
        };
        // A line of `text` as a line number of the new file.
        let real = |line: u32| -> u32 {
            match &numbers {
                None => line,
                Some(numbers) => (line as usize)
                    .checked_sub(1)
                    .and_then(|i| numbers.get(i))
                    .copied()
                    .unwrap_or(line),
            }
        };
        let emit =
            |id: &str, line: u32, name: &str, detail: String, findings: &mut Vec<Finding>| {
                if let Some(check) = set.get(id).filter(|c| c.is_produced()) {
                    let mut found = finding(check, &file.path, text, line, name, detail);
                    found.line = real(line);
                    findings.push(found);
                }
            };
        let new = match kind.parse(text) {
            Ok(decls) => decls,
            Err(error) => {
                emit(
                    "dependency.manifest-unparseable",
                    1,
                    "",
                    format!("{}: {error}", file.path),
                    &mut findings,
                );
                continue;
            }
        };
        // A name can be declared more than once (an image in two stages, an action in two jobs): keep all.
        let old: Option<HashMap<(DeclKind, String), Vec<Declared>>> =
            file.old_text.as_deref().map(|old| {
                let mut map: HashMap<(DeclKind, String), Vec<Declared>> = HashMap::new();
                for d in kind.parse(old).unwrap_or_default() {
                    map.entry((d.kind, normalize(&d.name))).or_default().push(d);
                }
                map
            });
        let added_lines: std::collections::HashSet<u32> =
            file.added.iter().map(|l| l.number).collect();
        let ecosystem = kind.ecosystem();
        for decl in new {
            let change = match &old {
                Some(old) => match old.get(&(decl.kind, normalize(&decl.name))) {
                    None => Change::Added,
                    Some(before)
                        if before
                            .iter()
                            .any(|b| b.spec == decl.spec && b.source == decl.source) =>
                    {
                        continue
                    }
                    Some(_) => Change::Changed,
                },
                // Without the old version, what sits on an added line is what the change adds.
                None if added_lines.contains(&real(decl.line)) => Change::Added,
                None => continue,
            };
            let verb = if change == Change::Added {
                "adds"
            } else {
                "changes"
            };
            match decl.kind {
                DeclKind::InstallScript => {
                    let detail = format!(
                        "{verb} {ecosystem} install script `{}`: {}",
                        decl.name,
                        shorten(&decl.spec)
                    );
                    emit(
                        "dependency.install-script",
                        decl.line,
                        &decl.name,
                        detail,
                        &mut findings,
                    );
                }
                DeclKind::Index => {
                    let detail =
                        format!("{verb} {ecosystem} package index `{}`", shorten(&decl.spec));
                    emit(
                        "dependency.index",
                        decl.line,
                        &decl.name,
                        detail,
                        &mut findings,
                    );
                }
                DeclKind::Image | DeclKind::Action => {
                    if let Some(popular) = typosquat::resembles(ecosystem, &decl.name) {
                        let detail = format!(
                            "`{}` resembles the popular {ecosystem} `{popular}`",
                            decl.name
                        );
                        emit(
                            "dependency.typosquat",
                            decl.line,
                            &decl.name,
                            detail,
                            &mut findings,
                        );
                    }
                    let (pinned, id, what) = if decl.kind == DeclKind::Image {
                        (
                            decl.spec.contains("@sha256:"),
                            "dependency.unpinned-image",
                            "image",
                        )
                    } else {
                        (
                            is_full_sha(&decl.spec),
                            "dependency.unpinned-action",
                            "action",
                        )
                    };
                    let detail = format!("{verb} {what} `{}` {}", decl.name, shorten(&decl.spec));
                    emit(
                        if pinned { "dependency.new" } else { id },
                        decl.line,
                        &decl.name,
                        detail,
                        &mut findings,
                    );
                }
                DeclKind::Package => {
                    dependencies.push(Dependency {
                        ecosystem,
                        name: decl.name.clone(),
                        version: decl.spec.clone(),
                        source: decl.source,
                        manifest: file.path.clone(),
                        line: real(decl.line),
                        change,
                    });
                    let what = format!(
                        "{verb} {ecosystem} package `{}` {}",
                        decl.name,
                        shorten(&decl.spec)
                    );
                    // Packages a Dockerfile installs belong to pip, npm, gem…, not to the image list.
                    let squat = (ecosystem != "docker")
                        .then(|| typosquat::resembles(ecosystem, &decl.name))
                        .flatten();
                    if let Some(popular) = squat {
                        let detail =
                            format!("`{}` resembles the popular package `{popular}`", decl.name);
                        emit(
                            "dependency.typosquat",
                            decl.line,
                            &decl.name,
                            detail,
                            &mut findings,
                        );
                    }
                    let id = if decl.source != Source::Registry {
                        "dependency.non-registry"
                    } else if is_unbounded(ecosystem, &decl.spec) {
                        "dependency.unbounded"
                    } else if ecosystem == "crates" && is_proc_macro_crate(&decl.name) {
                        "dependency.proc-macro"
                    } else {
                        "dependency.new"
                    };
                    let detail = if decl.source == Source::Registry {
                        what
                    } else {
                        format!("{what} (from {})", decl.source.as_str())
                    };
                    emit(id, decl.line, &decl.name, detail, &mut findings);
                }
            }
        }
    }
    dependencies
        .sort_by(|a, b| (&a.manifest, a.line, &a.name).cmp(&(&b.manifest, b.line, &b.name)));
    (findings, dependencies)
}

/// The pieces of a patched file put together in order, each at its line number relative to the others:
/// consecutive pieces stay adjacent, and a gap between two pieces becomes one empty line (so that no
/// block or continuation runs across it). Returns the text and, for each of its lines, the line's number
/// in the new file. Sized by the pieces' own lines, never by the line numbers a patch claims.
fn sparse_text(file: &ChangedFile, pieces: &[std::ops::Range<usize>]) -> (String, Vec<u32>) {
    let mut text = String::new();
    let mut numbers: Vec<u32> = Vec::new();
    let mut added = file.added.iter().peekable();
    for piece in pieces {
        // Pieces and added lines are both in text order: skip the added lines of earlier pieces.
        while added.peek().is_some_and(|l| l.start < piece.start) {
            added.next();
        }
        let Some(anchor) = added.peek().filter(|l| piece.contains(&l.start)) else {
            continue;
        };
        let before = file.text[piece.start..anchor.start].matches('\n').count() as u32;
        let Some(first) = anchor.number.checked_sub(before).filter(|&n| n >= 1) else {
            continue;
        };
        match numbers.last() {
            Some(&last) if first <= last => continue,
            Some(&last) if first > last + 1 => {
                text.push('\n');
                numbers.push(0);
            }
            None if first > 1 => {
                text.push('\n');
                numbers.push(0);
            }
            _ => {}
        }
        for (i, line) in file.text[piece.clone()].lines().enumerate() {
            text.push_str(line.trim_end_matches('\r'));
            text.push('\n');
            numbers.push(first.saturating_add(i as u32));
        }
    }
    (text, numbers)
}

/// Package names compare case-insensitively, and PyPI treats `-`, `_` and `.` alike.
pub(crate) fn normalize(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

/// Whether a version constraint accepts any future release: empty, `*`, `latest`, `x`, `+`, a branch, or
/// a lower bound with no upper bound.
fn is_unbounded(ecosystem: &str, spec: &str) -> bool {
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

/// Crates that are procedural macros, which run inside the compiler: by name (`*-derive`, `*_macros`,
/// `*-impl`, …) or from a list of popular ones whose names do not say so.
fn is_proc_macro_crate(name: &str) -> bool {
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
pub(crate) fn package(name: &str, spec: impl Into<String>, source: Source, line: u32) -> Declared {
    Declared {
        kind: DeclKind::Package,
        name: name.to_string(),
        spec: spec.into(),
        source,
        line,
    }
}

/// A package index declaration.
pub(crate) fn index(declarer: &str, url: &str, line: u32) -> Declared {
    Declared {
        kind: DeclKind::Index,
        name: declarer.to_string(),
        spec: url.to_string(),
        source: Source::Url,
        line,
    }
}

/// The host of a URL (`https://user@host:port/path` → `host`), or the text up to the first `/` or `:`.
pub(crate) fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or(authority);
    host.split(':').next().unwrap_or("")
}

/// A full 40-character commit SHA (what pins an action).
fn is_full_sha(reference: &str) -> bool {
    reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() > 80 {
        text.chars().take(80).chain("…".chars()).collect()
    } else {
        text.to_string()
    }
}

/// A finding at `line` of the manifest `text`, marking `name` in it when the line holds it.
fn finding(
    check: &Check,
    path: &str,
    text: &str,
    line: u32,
    name: &str,
    message: String,
) -> Finding {
    let line_text = text
        .split('\n')
        .nth(line.saturating_sub(1) as usize)
        .unwrap_or("")
        .trim_end_matches('\r');
    let (start, end) = match line_text.find(name).filter(|_| !name.is_empty()) {
        Some(at) => (at, at + name.len()),
        None => (0, line_text.len()),
    };
    let snippet = crate::engine::snippet::render(line_text, &[], start, end);
    let column = line_text[..start].chars().count() as u32 + 1;
    Finding {
        check: check.meta.id.clone(),
        category: check.meta.category,
        severity: check.meta.severity,
        path: path.to_string(),
        line,
        column,
        end_column: column + line_text[start..end].chars().count() as u32,
        message: format!("{}: {message}", check.meta.message),
        fingerprint: format!(
            "{:016x}",
            fnv1a64(&[
                check.meta.id.as_bytes(),
                path.as_bytes(),
                message.as_bytes()
            ])
        ),
        snippet_column: snippet.column as u32,
        snippet_width: snippet.width as u32,
        snippet: snippet.text,
        parts: Vec::new(),
    }
}

/// A finding of an engine-produced check on line `line` of `path` (whose text is `text`), with `message`
/// after the check's own; the whole line is the match. Used for findings on the configuration.
pub fn policy_finding(
    check: &Check,
    path: &str,
    text: &str,
    line: u32,
    message: String,
) -> Finding {
    finding(check, path, text, line, "", message)
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

    /// Issue 11 item 11: a bare patch's hunk far down a line-based manifest made the reader lay the
    /// pieces out in a table as long as the line number (32 GiB, then SIGABRT). The pieces are now
    /// joined compactly and their lines mapped back, so findings keep their real line numbers.
    #[test]
    fn patch_pieces_far_down_a_manifest_are_read_without_a_table_of_that_size() {
        let set = crate::checks::into_set(crate::checks::load_checked(&[]).unwrap());
        for (manifest, added) in [
            ("requirements.txt", "reqeusts==2.31.0"),
            ("go.mod", "require github.com/x/y v1.0.0"),
            ("Gemfile", "gem 'rails'"),
            ("Dockerfile", "FROM ubuntu:latest"),
            (
                ".github/workflows/ci.yml",
                "      - uses: actions/checkout@v4",
            ),
        ] {
            let patch = format!(
                "--- a/{manifest}\n+++ b/{manifest}\n@@ -9,0 +10 @@\n+{added}\n@@ -2147482990,0 +2147483000,1 @@\n+{added}\n"
            );
            let changes = crate::source::patch::parse(patch.as_bytes()).unwrap();
            let (findings, dependencies) = review(&set, &changes.files);
            let lines: Vec<u32> = findings
                .iter()
                .map(|f| f.line)
                .chain(dependencies.iter().map(|d| d.line))
                .collect();
            assert!(
                lines.iter().all(|&l| l == 10 || l == 2_147_483_000),
                "{manifest}: {lines:?}"
            );
            if manifest == "requirements.txt" {
                assert!(
                    lines.contains(&10) && lines.contains(&2_147_483_000),
                    "{lines:?}"
                );
                let typo = findings.iter().find(|f| f.line == 2_147_483_000).unwrap();
                assert_eq!(typo.snippet, "reqeusts==2.31.0");
            }
        }
    }

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
