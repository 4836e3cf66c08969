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
    let mut out = Vec::new();
    for table in TABLES {
        let Some(entries) = value.get(table).and_then(|v| v.as_object()) else {
            continue;
        };
        let range = object_range(text, table);
        for (name, spec) in entries {
            let Some(spec) = spec.as_str() else { continue };
            out.push(Declared {
                kind: DeclKind::Package,
                name: name.clone(),
                spec: spec.to_string(),
                source: source_of(spec),
                line: key_line(text, range.clone(), name),
            });
        }
    }
    if let Some(scripts) = value.get("scripts").and_then(|v| v.as_object()) {
        let range = object_range(text, "scripts");
        for name in INSTALL_SCRIPTS {
            if let Some(command) = scripts.get(name).and_then(|v| v.as_str()) {
                out.push(Declared {
                    kind: DeclKind::InstallScript,
                    name: name.to_string(),
                    spec: command.to_string(),
                    source: Source::Registry,
                    line: key_line(text, range.clone(), name),
                });
            }
        }
    }
    Ok(out)
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

/// The byte range of the object value of the first `"key": {` in the text.
fn object_range(text: &str, key: &str) -> std::ops::Range<usize> {
    let needle = format!("\"{key}\"");
    let mut from = 0;
    while let Some(pos) = text[from..].find(&needle) {
        let after = from + pos + needle.len();
        let rest = text[after..].trim_start();
        if let Some(body) = rest.strip_prefix(':') {
            if body.trim_start().starts_with('{') {
                let open = text.len() - body.trim_start().len();
                return open..matching_brace(text, open);
            }
        }
        from = after;
    }
    0..text.len()
}

fn matching_brace(text: &str, open: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0;
    let mut in_string = false;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'{' if !in_string => depth += 1,
            b'}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    text.len()
}

/// The line of `"name":` within `range` (1 when not found).
fn key_line(text: &str, range: std::ops::Range<usize>, name: &str) -> u32 {
    let escaped = serde_json::to_string(name).unwrap_or_else(|_| format!("\"{name}\""));
    let scope = &text[range.clone()];
    let mut from = 0;
    while let Some(pos) = scope[from..].find(&escaped) {
        let at = from + pos;
        if scope[at + escaped.len()..].trim_start().starts_with(':') {
            return line_at(text, range.start + at);
        }
        from = at + escaped.len();
    }
    1
}

fn line_at(text: &str, pos: usize) -> u32 {
    text.as_bytes()[..pos]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u32
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

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
