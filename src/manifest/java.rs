//! Java and Kotlin builds: pom.xml ([`maven`], through an XML parser) and build.gradle(.kts)
//! dependencies and repositories.
//!
//! Gradle scripts are not read with a full parser: the script is split into statements and blocks and
//! the dependency notations in `dependencies { }`, `plugins { }` and `repositories { }` are read.

use std::collections::HashMap;

use regex::Regex;
use std::sync::OnceLock;

use super::{DeclKind, Declared, Source};

mod maven;

pub use maven::pom;

/// URLs of Maven Central (and the Gradle defaults), which are not reported as added indexes.
const DEFAULT_REPOSITORIES: [&str; 6] = [
    "repo.maven.apache.org",
    "repo1.maven.org",
    "central.maven.org",
    "plugins.gradle.org/m2",
    "maven.google.com",
    "dl.google.com/dl/android/maven2",
];

fn is_default_repository(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    DEFAULT_REPOSITORIES.iter().any(|d| lower.contains(d))
}

/// Calls in a dependencies block that are not dependency declarations.
const NOT_CONFIGURATIONS: [&str; 16] = [
    "exclude",
    "because",
    "version",
    "strictly",
    "require",
    "prefer",
    "reject",
    "force",
    "isTransitive",
    "transitive",
    "attributes",
    "capabilities",
    "requireCapability",
    "constraints",
    "components",
    "modules",
];

/// Reads build.gradle, build.gradle.kts and settings.gradle(.kts).
pub fn gradle(text: &str) -> Result<Vec<Declared>, String> {
    let clean = blank_code_comments(text);
    let mut out = Vec::new();
    for statement in statements(&clean) {
        let block = statement.blocks.last().map(String::as_str).unwrap_or("");
        let in_repositories = statement.blocks.iter().any(|b| b == "repositories");
        match block {
            "dependencies" | "constraints" => {
                gradle_dependency(&clean, &statement, &mut out);
            }
            "plugins" => out.extend(gradle_plugin(&clean, &statement)),
            "repositories" => {
                // `maven("https://…")`, `maven(url = "…")`, `maven(url: '…')`
                let re = regex(
                    r#"^(maven|ivy)\s*\(\s*(?:url\s*[=:]\s*)?(?:uri\s*\(\s*)?["']([^"']+)["']"#,
                );
                if let Some(c) = re.captures(statement.text.trim_start()) {
                    let offset = statement.start + leading_ws(&statement.text);
                    out.extend(index(
                        &clean,
                        &c[1],
                        &c[2],
                        offset + c.get(2).unwrap().start(),
                    ));
                }
            }
            "maven" | "ivy" if in_repositories => {
                // `url = uri("…")`, `url '…'`, `url "…"`, `setUrl("…")`
                let re = regex(r#"^(?:url|setUrl)\b\s*[=(]?\s*(?:uri\s*\(\s*)?["']([^"']+)["']"#);
                if let Some(c) = re.captures(statement.text.trim_start()) {
                    let offset = statement.start + leading_ws(&statement.text);
                    out.extend(index(
                        &clean,
                        block,
                        &c[1],
                        offset + c.get(1).unwrap().start(),
                    ));
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|d| d.line);
    Ok(dedupe(out))
}

fn index(text: &str, declarer: &str, url: &str, offset: usize) -> Option<Declared> {
    if is_default_repository(url) {
        return None;
    }
    Some(Declared {
        kind: DeclKind::Index,
        name: format!("{declarer} {url}"),
        spec: url.to_string(),
        source: Source::Url,
        line: super::text::line_at(text, offset),
    })
}

/// `implementation("g:a:v")`, `api 'g:a:v'`, `compileOnly group: 'g', name: 'a', version: 'v'`,
/// `implementation(group = "g", name = "a", version = "v")`, `implementation(platform("g:a:v"))`,
/// `implementation files('libs/x.jar')`.
fn gradle_dependency(text: &str, statement: &Statement, out: &mut Vec<Declared>) {
    let re = regex(r#"^["'`]?([A-Za-z_][\w]*)["'`]?\s*(\(|\s|$)"#);
    let trimmed = statement.text.trim_start();
    let base = statement.start + leading_ws(&statement.text);
    let Some(c) = re.captures(trimmed) else {
        return;
    };
    let configuration = &c[1];
    if NOT_CONFIGURATIONS.contains(&configuration) || configuration == "add" {
        return;
    }
    let args_start = c.get(2).map_or(trimmed.len(), |m| m.start());
    let mut args = trimmed[args_start..].trim_start();
    let mut args_offset = base + (trimmed.len() - args.len());
    // Unwrap the call's parentheses and `platform(…)`-like wrappers.
    loop {
        let stripped = args
            .strip_prefix('(')
            .or_else(|| {
                ["platform", "enforcedPlatform", "testFixtures"]
                    .iter()
                    .find_map(|w| args.strip_prefix(w))
                    .and_then(|r| r.trim_start().strip_prefix('('))
            })
            .map(str::trim_start);
        match stripped {
            Some(inner) => {
                args_offset += args.len() - inner.len();
                args = inner;
            }
            None => break,
        }
    }
    if args.starts_with("project")
        || args.starts_with("libs.")
        || args.starts_with("gradleApi")
        || args.starts_with("localGroovy")
        || args.starts_with("kotlin(")
    {
        return;
    }
    if ["files", "fileTree"].iter().any(|f| {
        args.strip_prefix(f)
            .is_some_and(|r| r.trim_start().starts_with('('))
    }) {
        let close = matching_paren(args, args.find('(').unwrap_or(0));
        let whole = &args[..close];
        let paths: Vec<&str> = string_literals(whole).map(|(s, _)| s).collect();
        out.push(Declared {
            kind: DeclKind::Package,
            name: whole.split_whitespace().collect::<Vec<_>>().join(" "),
            spec: paths.join(", "),
            source: Source::Path,
            line: super::text::line_at(text, args_offset),
        });
        return;
    }
    let map = regex(r#"\b(group|name|version)\s*[:=]\s*["']([^"']*)["']"#);
    let fields: HashMap<&str, (&str, usize)> = map
        .captures_iter(args)
        .map(|c| {
            let key = c.get(1).unwrap().as_str();
            let value = c.get(2).unwrap();
            (key, (value.as_str(), value.start()))
        })
        .collect();
    if let (Some((group, _)), Some((name, at))) = (fields.get("group"), fields.get("name")) {
        let version = fields.get("version").map_or("", |(v, _)| v);
        out.push(Declared {
            kind: DeclKind::Package,
            name: format!("{group}:{name}"),
            spec: version.to_string(),
            source: Source::Registry,
            line: super::text::line_at(text, args_offset + at),
        });
        return;
    }
    for (literal, at) in string_literals(args) {
        if literal.contains(char::is_whitespace) {
            continue;
        }
        let coordinate = literal.split('@').next().unwrap_or(literal);
        let parts: Vec<&str> = coordinate.split(':').collect();
        if parts.len() < 2 || parts[0].is_empty() || parts[1].is_empty() {
            continue;
        }
        out.push(Declared {
            kind: DeclKind::Package,
            name: format!("{}:{}", parts[0], parts[1]),
            spec: parts.get(2).copied().unwrap_or("").to_string(),
            source: Source::Registry,
            line: super::text::line_at(text, args_offset + at),
        });
    }
}

/// `id("x") version "1"`, `id 'x' version '1' apply false`, `kotlin("jvm") version "1.9.0"`. Plugins
/// without a version here (core plugins, or ones whose version is set elsewhere) are skipped.
fn gradle_plugin(text: &str, statement: &Statement) -> Option<Declared> {
    let re = regex(
        r#"^(id|kotlin)\s*\(?\s*["']([^"']+)["']\s*\)?\s*\.?\s*version\s*\(?\s*(?:["']([^"']*)["']|([\w.]+))"#,
    );
    let trimmed = statement.text.trim_start();
    let c = re.captures(trimmed)?;
    let id = &c[2];
    let name = if &c[1] == "kotlin" {
        format!("org.jetbrains.kotlin.{id}")
    } else {
        id.to_string()
    };
    let spec = c.get(3).or(c.get(4)).map_or("", |m| m.as_str());
    let offset = statement.start + leading_ws(&statement.text) + c.get(2).unwrap().start();
    Some(Declared {
        kind: DeclKind::Package,
        name,
        spec: spec.to_string(),
        source: Source::Registry,
        line: super::text::line_at(text, offset),
    })
}

/// A statement of a Gradle script, with the names of the blocks it sits in (outermost first).
struct Statement {
    text: String,
    start: usize,
    blocks: Vec<String>,
}

/// Splits a script (comments blanked) into statements at newlines, `;`, `{` and `}` — but not at a
/// newline inside parentheses or after a trailing comma. The statement before a `{` names the block.
fn statements(text: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut blocks: Vec<String> = Vec::new();
    let mut start = 0;
    let mut parens = 0i32;
    let bytes = text.as_bytes();
    let mut i = 0;
    let push = |out: &mut Vec<Statement>, blocks: &[String], from: usize, to: usize| {
        let piece = &text[from..to];
        if !piece.trim().is_empty() {
            out.push(Statement {
                text: piece.to_string(),
                start: from,
                blocks: blocks.to_vec(),
            });
        }
    };
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                i = string_end(text, i);
                continue;
            }
            b'(' | b'[' => parens += 1,
            b')' | b']' => parens = (parens - 1).max(0),
            b'\n' if parens > 0 || text[start..i].trim_end().ends_with(',') => {}
            b'\n' | b';' => {
                push(&mut out, &blocks, start, i);
                start = i + 1;
            }
            b'{' => {
                push(&mut out, &blocks, start, i);
                blocks.push(block_name(&text[start..i]));
                start = i + 1;
                parens = 0;
            }
            b'}' => {
                push(&mut out, &blocks, start, i);
                blocks.pop();
                start = i + 1;
                parens = 0;
            }
            _ => {}
        }
        i += 1;
    }
    push(&mut out, &blocks, start, bytes.len());
    out
}

/// `dependencies` for `dependencies {`, `commonMain.dependencies {` and `buildscript.dependencies {`;
/// `maven` for `maven {`; the call's name for `implementation("g:a:v") {`.
fn block_name(statement: &str) -> String {
    let re = regex(r"^[A-Za-z_][\w.]*");
    re.find(statement.trim())
        .map(|m| m.as_str().rsplit('.').next().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// The index just past the string literal opening at `open` (triple quotes included).
fn string_end(text: &str, open: usize) -> usize {
    let bytes = text.as_bytes();
    let quote = bytes[open];
    if text[open..].starts_with("\"\"\"") || text[open..].starts_with("'''") {
        let delimiter = &text[open..open + 3];
        return text[open + 3..]
            .find(delimiter)
            .map_or(text.len(), |e| open + 3 + e + 3);
    }
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'\n' => return i,
            b if b == quote => return i + 1,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// The single-line string literals of `text`, with their contents' byte offsets.
fn string_literals(text: &str) -> impl Iterator<Item = (&str, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if bytes[i] == b'"' || bytes[i] == b'\'' {
                let end = string_end(text, i);
                let from = i + 1;
                i = end;
                let to = end.saturating_sub(1).max(from);
                return Some((&text[from..to], from));
            }
            i += 1;
        }
        None
    })
}

/// The index just past the `)` matching the `(` at `open`.
fn matching_paren(text: &str, open: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                i = string_end(text, i);
                continue;
            }
            b'(' => depth += 1,
            b')' => {
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

/// The script with `//` and `/* */` comments replaced by spaces (strings left alone, lines kept).
fn blank_code_comments(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                i = string_end(text, i);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |e| i + 2 + e + 2);
                for b in &mut out[i..end] {
                    if *b != b'\n' {
                        *b = b' ';
                    }
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // Only ASCII bytes were replaced (whole comments, multi-byte characters included), so this is UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn leading_ws(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

fn regex(pattern: &'static str) -> &'static Regex {
    static CACHE: OnceLock<std::sync::Mutex<HashMap<&'static str, &'static Regex>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    map.entry(pattern)
        .or_insert_with(|| Box::leak(Box::new(Regex::new(pattern).expect("valid regex"))))
}

/// One declaration per kind and name: the first that gives a version (a managed or constrained version),
/// else the first — so that the engine's name-keyed comparison with the old build does not pit one copy
/// against another.
fn dedupe(decls: Vec<Declared>) -> Vec<Declared> {
    let mut chosen: Vec<Declared> = Vec::new();
    let mut by_key: HashMap<(DeclKind, String), usize> = HashMap::new();
    for decl in decls {
        let key = (decl.kind, super::normalize(&decl.name));
        match by_key.get(&key) {
            Some(&i) => {
                if chosen[i].spec.is_empty() && !decl.spec.is_empty() {
                    chosen[i] = decl;
                }
            }
            None => {
                by_key.insert(key, chosen.len());
                chosen.push(decl);
            }
        }
    }
    chosen
}

#[cfg(test)]
#[path = "java_tests.rs"]
mod tests;
