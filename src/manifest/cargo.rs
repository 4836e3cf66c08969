//! Cargo.toml: every dependency table (also target-specific and workspace ones), with registry, git and path
//! sources, and the `[patch.*]` and `[replace]` overrides.
//!
//! The manifest is read with the `toml` crate's spanned document parser, so every declaration carries the
//! line of its key (the header line for the `[dependencies.foo]` table form). A crate declared in several
//! tables (`[dependencies]` and `[dev-dependencies]`, or a dependency and its `[patch]`) is returned once: the
//! engine keys declarations by name, and two entries of one name would otherwise compare against each other.

use std::borrow::Cow;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{DeclKind, Declared, Source};

/// Tables whose entries are dependencies.
const DEPENDENCY_TABLES: [&str; 5] = [
    "dependencies",
    "dev-dependencies",
    "build-dependencies",
    "dev_dependencies",
    "build_dependencies",
];

/// Reads the declarations of a Cargo.toml; a syntax error says where it is.
pub fn parse(text: &str) -> Result<Vec<Declared>, String> {
    let root = super::text::parse_toml(text)?;
    let root = root.get_ref();
    let mut found: Vec<Declared> = Vec::new();
    for (key, value) in root.iter() {
        let key = key.get_ref().as_ref();
        if DEPENDENCY_TABLES.contains(&key) {
            dependency_table(text, value.get_ref(), &mut found);
        }
    }
    if let Some(DeValue::Table(targets)) = get(root, "target") {
        for (_, target) in targets.iter() {
            let DeValue::Table(target) = target.get_ref() else {
                continue;
            };
            for (key, value) in target.iter() {
                if DEPENDENCY_TABLES.contains(&key.get_ref().as_ref()) {
                    dependency_table(text, value.get_ref(), &mut found);
                }
            }
        }
    }
    if let Some(DeValue::Table(workspace)) = get(root, "workspace") {
        if let Some(value) = get(workspace, "dependencies") {
            dependency_table(text, value, &mut found);
        }
    }
    // [patch.crates-io], [patch."https://github.com/org/repo"]: overrides, always from elsewhere.
    if let Some(DeValue::Table(patches)) = get(root, "patch") {
        for (_, patch) in patches.iter() {
            dependency_table(text, patch.get_ref(), &mut found);
        }
    }
    // [replace] "name:version" = { git = ... }
    if let Some(DeValue::Table(replace)) = get(root, "replace") {
        for (key, value) in replace.iter() {
            let spec_key = key.get_ref().as_ref();
            let name = spec_key.split(':').next().unwrap_or(spec_key);
            if let Some(mut decl) = dependency(text, name, key.span(), value.get_ref()) {
                if decl.source == Source::Registry {
                    decl.source = Source::Url;
                }
                found.push(decl);
            }
        }
    }
    Ok(merge(found))
}

fn get<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a DeValue<'i>> {
    table.get(key).map(Spanned::get_ref)
}

fn string<'a>(table: &'a DeTable<'_>, key: &str) -> Option<&'a str> {
    match get(table, key) {
        Some(DeValue::String(s)) => Some(s.as_ref()),
        _ => None,
    }
}

/// Every entry of a `[dependencies]`-like table.
fn dependency_table(text: &str, table: &DeValue<'_>, found: &mut Vec<Declared>) {
    let DeValue::Table(table) = table else { return };
    for (key, value) in table.iter() {
        let name: &Cow<'_, str> = key.get_ref();
        if let Some(decl) = dependency(text, name, key.span(), value.get_ref()) {
            found.push(decl);
        }
    }
}

/// One dependency: `name = "1.2"` or `name = { version, git (+ branch/tag/rev), path, registry, package }`.
fn dependency(
    text: &str,
    key: &str,
    span: std::ops::Range<usize>,
    value: &DeValue<'_>,
) -> Option<Declared> {
    let line = super::text::line_at(text, span.start);
    let package = |name: &str, spec: String, source: Source| Declared {
        kind: DeclKind::Package,
        name: name.to_string(),
        spec,
        source,
        line,
    };
    let table = match value {
        DeValue::String(version) => {
            return Some(package(key, version.to_string(), Source::Registry))
        }
        DeValue::Table(table) => table,
        _ => return None,
    };
    if matches!(get(table, "workspace"), Some(DeValue::Boolean(true))) {
        return None; // the version and source are the workspace's, declared there
    }
    let name = string(table, "package").unwrap_or(key);
    let version = string(table, "version").unwrap_or("");
    if let Some(git) = string(table, "git") {
        let reference = ["rev", "tag", "branch"]
            .into_iter()
            .find_map(|k| string(table, k).map(|v| format!("?{k}={v}")))
            .unwrap_or_default();
        return Some(package(name, format!("{git}{reference}"), Source::Git));
    }
    if let Some(path) = string(table, "path") {
        return Some(package(name, path.to_string(), Source::Path));
    }
    if let Some(index) = string(table, "registry-index") {
        return Some(package(name, format!("{version} ({index})"), Source::Url));
    }
    if let Some(registry) = string(table, "registry") {
        if registry != "crates-io" {
            return Some(package(
                name,
                format!("{version} (registry {registry})"),
                Source::Url,
            ));
        }
    }
    Some(package(name, version.to_string(), Source::Registry))
}

/// One declaration per crate: the first, with the others' different versions or sources folded in (a
/// non-registry source, such as a `[patch]`, wins, with its line: it is where the crate really comes from).
fn merge(found: Vec<Declared>) -> Vec<Declared> {
    let mut out: Vec<Declared> = Vec::new();
    // Where each normalized name is in `out`: a manifest with many crates is merged in one pass.
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut sorted = found;
    sorted.sort_by_key(|d| d.line);
    for decl in sorted {
        let key = decl.name.to_ascii_lowercase().replace('_', "-");
        match index.get(&key) {
            None => {
                index.insert(key, out.len());
                out.push(decl);
            }
            Some(&at) => {
                let first = &mut out[at];
                if !first.spec.split(" | ").any(|s| s == decl.spec) {
                    first.spec = format!("{} | {}", first.spec, decl.spec);
                }
                if first.source == Source::Registry && decl.source != Source::Registry {
                    first.source = decl.source;
                    first.line = decl.line;
                }
            }
        }
    }
    out.sort_by_key(|d| d.line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decls(text: &str) -> Vec<(u32, String, String, Source)> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|d| {
                assert_eq!(d.kind, DeclKind::Package);
                (d.line, d.name, d.spec, d.source)
            })
            .collect()
    }

    fn t(line: u32, name: &str, spec: &str, source: Source) -> (u32, String, String, Source) {
        (line, name.to_string(), spec.to_string(), source)
    }

    #[test]
    fn reads_every_table_form() {
        let text = r#"[package]
name = "app"
version = "0.1.0"

[dependencies]
serde = { version = "1.0", features = ["derive"] }   # inline table
regex="1.10"
tokio.version = "1.38"
tokio.features = ["full"]
mine = { package = "real-name", version = "0.3" }
inner = { workspace = true }

[dependencies.clap]
version = "4.5"
features = ["derive"]

[dev-dependencies]
tempfile = "3"

[build-dependencies]
cc = "1.0"

[target.'cfg(windows)'.dependencies]
winapi = { version = "0.3", features = ["winuser"] }

[target.'cfg(unix)'.dev-dependencies]
nix = "0.29"

[workspace.dependencies]
anyhow = "1"
"#;
        assert_eq!(
            decls(text),
            vec![
                t(6, "serde", "1.0", Source::Registry),
                t(7, "regex", "1.10", Source::Registry),
                t(8, "tokio", "1.38", Source::Registry),
                t(10, "real-name", "0.3", Source::Registry),
                t(13, "clap", "4.5", Source::Registry),
                t(18, "tempfile", "3", Source::Registry),
                t(21, "cc", "1.0", Source::Registry),
                t(24, "winapi", "0.3", Source::Registry),
                t(27, "nix", "0.29", Source::Registry),
                t(30, "anyhow", "1", Source::Registry),
            ]
        );
    }

    #[test]
    fn sources() {
        let text = r#"[dependencies]
a = { git = "https://github.com/org/a", branch = "main" }
b = { git = "https://github.com/org/b.git", rev = "0123abc" }
c = { git = "https://github.com/org/c" }
d = { path = "../d", version = "0.1" }
e = { version = "2", registry = "internal" }
f = "*"
"#;
        assert_eq!(
            decls(text),
            vec![
                t(2, "a", "https://github.com/org/a?branch=main", Source::Git),
                t(
                    3,
                    "b",
                    "https://github.com/org/b.git?rev=0123abc",
                    Source::Git
                ),
                t(4, "c", "https://github.com/org/c", Source::Git),
                t(5, "d", "../d", Source::Path),
                t(6, "e", "2 (registry internal)", Source::Url),
                t(7, "f", "*", Source::Registry),
            ]
        );
    }

    #[test]
    fn patch_and_replace_override_sources() {
        let text = r#"[dependencies]
rand = "0.8"
log = "0.4"

[patch.crates-io]
rand = { git = "https://github.com/me/rand", tag = "v0.8.6-fix" }

[patch."https://github.com/org/repo"]
other = { path = "vendor/other" }

[replace]
"log:0.4.22" = { git = "https://github.com/me/log" }
"#;
        assert_eq!(
            decls(text),
            vec![
                t(
                    6,
                    "rand",
                    "0.8 | https://github.com/me/rand?tag=v0.8.6-fix",
                    Source::Git
                ),
                t(9, "other", "vendor/other", Source::Path),
                t(12, "log", "0.4 | https://github.com/me/log", Source::Git),
            ]
        );
    }

    #[test]
    fn same_crate_in_two_tables_is_one_declaration() {
        let text = "[dependencies]\nserde = \"1\"\n\n[dev-dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\n";
        assert_eq!(decls(text), vec![t(2, "serde", "1", Source::Registry)]);
    }

    #[test]
    fn broken_toml_says_where() {
        let err = parse("[dependencies]\nserde = \"1\"\nregex = { version = \"1\"\n").unwrap_err();
        assert!(err.starts_with("invalid TOML at line 3, column "), "{err}");
        let err = parse("[dependencies]\na = \"1\"\na = \"2\"\n").unwrap_err();
        assert!(err.contains("line 3"), "{err}");
    }
}
