//! go.mod: `require` and `replace` directives, single-line and in `( … )` blocks.
//!
//! Required modules come from the module proxy (registry) at an exact version. A `replace` points a module
//! at a local directory (path) or at another module (url); it stands for the module it replaces, so a
//! replaced module is returned once, at its `replace` line (the engine keys declarations by name).
//! `module`, `go`, `toolchain`, `exclude`, `retract` and `godebug` are not dependencies.

use super::{DeclKind, Declared, Source};

/// Reads the declarations of a go.mod. Line-based: never fails.
pub fn parse(text: &str) -> Result<Vec<Declared>, String> {
    let mut requires: Vec<Declared> = Vec::new();
    let mut replaces: Vec<Declared> = Vec::new();
    let mut block: Option<String> = None;
    for (idx, raw) in text.lines().enumerate() {
        let line = idx as u32 + 1;
        let content = strip_comment(raw).trim();
        if content.is_empty() {
            continue;
        }
        let (verb, rest) = match &block {
            Some(_) if content == ")" => {
                block = None;
                continue;
            }
            Some(verb) => (verb.clone(), content),
            None => {
                let (verb, rest) = content
                    .split_once(char::is_whitespace)
                    .unwrap_or((content, ""));
                let rest = rest.trim();
                if rest == "(" || rest.starts_with('(') {
                    block = Some(verb.to_string());
                    let inline = rest[1..].trim();
                    // `require ( a v1 )` on one line is legal but rare; read what is inside.
                    match inline.strip_suffix(')') {
                        Some(inner) => {
                            block = None;
                            (verb.to_string(), inner.trim())
                        }
                        None if inline.is_empty() => continue,
                        None => (verb.to_string(), inline),
                    }
                } else {
                    (verb.to_string(), rest)
                }
            }
        };
        match verb.as_str() {
            "require" => {
                let mut fields = rest.split_whitespace();
                if let (Some(module), Some(version)) = (fields.next(), fields.next()) {
                    requires.push(Declared {
                        kind: DeclKind::Package,
                        name: unquote(module).to_string(),
                        spec: version.to_string(),
                        source: Source::Registry,
                        line,
                    });
                }
            }
            "replace" => {
                if let Some(decl) = replacement(rest, line) {
                    replaces.push(decl);
                }
            }
            _ => {}
        }
    }
    requires.retain(|r| !replaces.iter().any(|p| p.name == r.name));
    requires.extend(replaces);
    requires.sort_by_key(|d| d.line);
    Ok(requires)
}

/// `old [version] => new [version]`: a directory (path) or another module (url).
fn replacement(rest: &str, line: u32) -> Option<Declared> {
    let (old, new) = rest.split_once("=>")?;
    let module = unquote(old.split_whitespace().next()?);
    let mut new_fields = new.split_whitespace();
    let target = unquote(new_fields.next()?);
    let local = target.starts_with("./")
        || target.starts_with("../")
        || target.starts_with('/')
        || target == "."
        || target == "..";
    let (spec, source) = if local {
        (target.to_string(), Source::Path)
    } else {
        let version = new_fields.next().unwrap_or("");
        (
            format!("{target} {version}").trim().to_string(),
            Source::Url,
        )
    };
    Some(Declared {
        kind: DeclKind::Package,
        name: module.to_string(),
        spec,
        source,
        line,
    })
}

fn strip_comment(line: &str) -> &str {
    match line.find("//") {
        Some(pos) => &line[..pos],
        None => line,
    }
}

fn unquote(s: &str) -> &str {
    s.trim_matches(|c| c == '"' || c == '`')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decls(text: &str) -> Vec<(u32, String, String, Source)> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|d| (d.line, d.name, d.spec, d.source))
            .collect()
    }

    fn t(line: u32, name: &str, spec: &str, source: Source) -> (u32, String, String, Source) {
        (line, name.to_string(), spec.to_string(), source)
    }

    #[test]
    fn reads_require_lines_and_blocks() {
        let text = "module example.com/app\n\ngo 1.22\n\nrequire github.com/spf13/cobra v1.8.0 // cli\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgolang.org/x/sys v0.20.0 // indirect\n\n\t// a comment\n)\n\nexclude golang.org/x/net v0.1.0\ntoolchain go1.22.3\n";
        assert_eq!(
            decls(text),
            vec![
                t(5, "github.com/spf13/cobra", "v1.8.0", Source::Registry),
                t(8, "github.com/google/uuid", "v1.6.0", Source::Registry),
                t(9, "golang.org/x/sys", "v0.20.0", Source::Registry),
            ]
        );
    }

    #[test]
    fn replace_stands_for_the_module() {
        let text = "module m\n\nrequire (\n    github.com/a/a v1.0.0\n    github.com/b/b v1.2.0\n    github.com/c/c v0.3.0\n)\n\nreplace github.com/a/a => ../a\n\nreplace (\n    github.com/b/b v1.2.0 => github.com/fork/b v1.2.1\n    github.com/d/d => ./third_party/d\n)\n";
        assert_eq!(
            decls(text),
            vec![
                t(6, "github.com/c/c", "v0.3.0", Source::Registry),
                t(9, "github.com/a/a", "../a", Source::Path),
                t(
                    12,
                    "github.com/b/b",
                    "github.com/fork/b v1.2.1",
                    Source::Url
                ),
                t(13, "github.com/d/d", "./third_party/d", Source::Path),
            ]
        );
    }

    #[test]
    fn odd_forms() {
        let text = "require ( github.com/x/y v0.1.0 )\nrequire   \"github.com/q/r\"   v2.0.0+incompatible\nrequire broken\n";
        assert_eq!(
            decls(text),
            vec![
                t(1, "github.com/x/y", "v0.1.0", Source::Registry),
                t(2, "github.com/q/r", "v2.0.0+incompatible", Source::Registry),
            ]
        );
    }
}
