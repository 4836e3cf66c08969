//! npm's package.json: dependency tables, overrides and install-time lifecycle scripts.

use super::{DeclKind, Declared, Source};

/// Tables whose entries are `name: version-or-source`.
const TABLES: [&str; 6] = [
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
    "overrides",
    "resolutions",
];

/// Scripts npm runs when the package is installed (or packed from git).
const INSTALL_SCRIPTS: [&str; 5] = [
    "preinstall",
    "install",
    "postinstall",
    "prepare",
    "prepublish",
];

/// Parses package.json; a syntax error says where it is.
pub fn parse(text: &str) -> Result<Vec<Declared>, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "invalid JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        )
    })?;
    // Where each top-level table's keys sit (only two levels deep: a lockfile-sized file stays cheap).
    let lines = super::json_lines::key_lines(text, |path, _, index| !index && path.len() <= 1);
    let line = |table: &str, name: &str| {
        lines
            .get(&[table.to_string(), name.to_string()][..])
            .copied()
            .unwrap_or(1)
    };
    check_types(&value)?;
    let mut out = Vec::new();
    for table in TABLES {
        let Some(entries) = value.get(table).and_then(|v| v.as_object()) else {
            continue;
        };
        for (name, spec) in entries {
            let Some(spec) = spec.as_str() else { continue };
            out.push(super::package(
                name,
                spec,
                source_of(spec),
                line(table, name),
            ));
        }
    }
    if let Some(scripts) = value.get("scripts").and_then(|v| v.as_object()) {
        for name in INSTALL_SCRIPTS {
            if let Some(command) = scripts.get(name).and_then(|v| v.as_str()) {
                out.push(Declared {
                    kind: DeclKind::InstallScript,
                    name: name.to_string(),
                    spec: command.to_string(),
                    source: Source::Registry,
                    line: line("scripts", name),
                });
            }
        }
    }
    Ok(out)
}

/// The JSON type of a value, for messages.
fn type_name(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Valid JSON that npm cannot use as a package.json: the top level, a dependency table or `scripts` not
/// an object, or a dependency's version not a string (`overrides` may nest objects). Such a manifest
/// is reported as broken rather than read as if it declared nothing.
fn check_types(value: &serde_json::Value) -> Result<(), String> {
    let Some(top) = value.as_object() else {
        return Err(format!(
            "the top level is {}, not an object",
            type_name(value)
        ));
    };
    for table in TABLES.iter().copied().chain(["scripts"]) {
        let Some(entries) = top.get(table) else {
            continue;
        };
        let Some(entries) = entries.as_object() else {
            return Err(format!(
                "`{table}` is {}, not an object",
                type_name(entries)
            ));
        };
        if matches!(table, "overrides" | "scripts") {
            continue;
        }
        for (name, spec) in entries {
            if !spec.is_string() {
                return Err(format!(
                    "the version of `{}` in `{table}` is {}, not a string",
                    super::shorten(name),
                    type_name(spec)
                ));
            }
        }
    }
    Ok(())
}

/// Where a version specifier points: git (`git+…`, `github:user/repo`, `user/repo`), a URL or tarball, a
/// local path (`file:`, `link:`, `workspace:`), or the registry.
fn source_of(spec: &str) -> Source {
    let spec = spec.trim();
    let lower = spec.to_ascii_lowercase();
    if lower.starts_with("git+")
        || lower.starts_with("git:")
        || lower.starts_with("git@")
        || ["github:", "gitlab:", "bitbucket:", "gist:"]
            .iter()
            .any(|p| lower.starts_with(p))
    {
        return Source::Git;
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return if lower.contains(".git")
            || lower.contains("github.com/") && !lower.contains("/tarball/")
        {
            Source::Git
        } else {
            Source::Url
        };
    }
    if ["file:", "link:", "portal:", "workspace:"]
        .iter()
        .any(|p| lower.starts_with(p))
        || spec.starts_with("./")
        || spec.starts_with("../")
        || spec.starts_with('/')
        || spec.starts_with("~/")
    {
        return Source::Path;
    }
    // `user/repo` or `user/repo#ref` is GitHub shorthand.
    let first = spec.split('#').next().unwrap_or(spec);
    if !spec.starts_with('@')
        && !spec.starts_with("npm:")
        && first.matches('/').count() == 1
        && !first.contains(' ')
    {
        return Source::Git;
    }
    Source::Registry
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 11: valid JSON of the wrong shape is a broken manifest, not one that declares nothing.
    #[test]
    fn wrongly_typed_package_json_is_an_error() {
        for (text, want) in [
            (
                r#"{"dependencies": ["lodash"]}"#,
                "`dependencies` is an array",
            ),
            (
                r#"{"devDependencies": "lodash"}"#,
                "`devDependencies` is a string",
            ),
            (
                r#"{"dependencies": {"lodash": 4}}"#,
                "`lodash` in `dependencies` is a number",
            ),
            (r#"{"scripts": "node x.js"}"#, "`scripts` is a string"),
            (r#"["lodash"]"#, "the top level is an array"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
        }
        assert!(parse(r#"{"overrides": {"a": {"b": "1.0.0"}}}"#).is_ok());
    }

    #[test]
    fn reads_tables_scripts_sources_and_lines() {
        let text = r#"{
  "name": "app",
  "scripts": { "test": "jest", "postinstall": "node setup.js" },
  "dependencies": {
    "lodash": "^4.17.21",
    "left-pad": "github:stevemao/left-pad",
    "local": "file:../local"
  },
  "devDependencies": { "lodash": "4.17.21", "tool": "https://example.com/tool.tgz" }
}"#;
        let decls = parse(text).unwrap();
        let find = |name: &str, spec: &str| {
            decls
                .iter()
                .find(|d| d.name == name && d.spec == spec)
                .unwrap()
                .clone()
        };
        assert_eq!(find("lodash", "^4.17.21").line, 5);
        assert_eq!(find("lodash", "4.17.21").line, 9);
        assert_eq!(
            find("left-pad", "github:stevemao/left-pad").source,
            Source::Git
        );
        assert_eq!(find("local", "file:../local").source, Source::Path);
        assert_eq!(
            find("tool", "https://example.com/tool.tgz").source,
            Source::Url
        );
        let script = decls
            .iter()
            .find(|d| d.kind == DeclKind::InstallScript)
            .unwrap();
        assert_eq!((script.name.as_str(), script.line), ("postinstall", 3));
    }

    #[test]
    fn broken_json_says_where() {
        let err = parse("{\n  \"dependencies\": {\n    \"a\": \"1\",\n  }\n}").unwrap_err();
        assert!(err.contains("line 4"), "{err}");
    }

    #[test]
    fn github_shorthand_and_aliases() {
        assert_eq!(source_of("user/repo#v1"), Source::Git);
        assert_eq!(source_of("npm:lodash@^4"), Source::Registry);
        assert_eq!(source_of("^1.0.0"), Source::Registry);
        assert_eq!(source_of("git+ssh://git@github.com/a/b.git"), Source::Git);
    }
}
