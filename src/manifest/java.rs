//! Java and Kotlin builds: pom.xml and build.gradle(.kts) dependencies and repositories.
//!
//! Neither is read with a full parser: pom.xml by a small tag scanner (comments, attributes and elements
//! spread over several lines are fine), Gradle scripts by splitting the script into statements and
//! blocks and reading the dependency notations in `dependencies { }`, `plugins { }` and
//! `repositories { }`.

use std::collections::HashMap;

use regex::Regex;
use std::sync::OnceLock;

use super::{DeclKind, Declared, Source};

/// URLs of Maven Central (and the Gradle defaults), which are not reported as added indexes.
const DEFAULT_REPOSITORIES: [&str; 6] = [
    "repo.maven.apache.org",
    "repo1.maven.org",
    "central.maven.org",
    "plugins.gradle.org/m2",
    "maven.google.com",
    "dl.google.com/dl/android/maven2",
];

/// Deepest nesting of elements a pom.xml may have (real ones stay under 20): deeper, the file is
/// reported as unreadable rather than read at a cost that grows with its depth.
const MAX_POM_DEPTH: usize = 256;

/// Reads pom.xml: dependencies (also managed ones and plugin dependencies), build plugins and
/// extensions, the parent POM, and repositories.
pub fn pom(text: &str) -> Result<Vec<Declared>, String> {
    let clean = blank_xml_comments(text);
    let mut out = Vec::new();
    // Open elements: name, children read so far (name, text, line).
    let mut stack: Vec<Element> = Vec::new();
    // How many open elements have each name, so that a closing tag that matches none costs nothing.
    let mut open: HashMap<String, usize> = HashMap::new();
    let bytes = clean.as_bytes();
    let mut pos = 0;
    let mut line = 1u32;
    // The first way the document is not well-formed XML (Maven refuses such a POM: "Non-parseable POM").
    let mut broken: Option<String> = None;
    let mut elements = 0usize;
    while pos < bytes.len() {
        let Some(offset) = clean[pos..].find('<') else {
            break;
        };
        let text_part = &clean[pos..pos + offset];
        if let Some(top) = stack.last_mut() {
            top.text.push_str(text_part);
        }
        line += count_newlines(text_part);
        pos += offset;
        let tag_line = line;
        let rest = &clean[pos..];
        if rest.starts_with("<![CDATA[") {
            let end = rest.find("]]>").map_or(rest.len(), |e| e + 3);
            if end == rest.len() && !rest.ends_with("]]>") {
                broken.get_or_insert(format!("unterminated CDATA section at line {tag_line}"));
            }
            if let Some(top) = stack.last_mut() {
                top.text.push_str(&rest[9..end.saturating_sub(3).max(9)]);
            }
            line += count_newlines(&rest[..end]);
            pos += end;
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            let end = rest.find('>').map_or_else(
                || {
                    broken.get_or_insert(format!("unterminated declaration at line {tag_line}"));
                    rest.len()
                },
                |e| e + 1,
            );
            line += count_newlines(&rest[..end]);
            pos += end;
            continue;
        }
        let end = tag_end(rest);
        let tag = &rest[..end];
        if !tag.ends_with('>') {
            broken.get_or_insert(format!("unterminated tag at line {tag_line}"));
        }
        line += count_newlines(tag);
        pos += end;
        let inner = tag
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim_end_matches('/');
        let closing = inner.starts_with('/');
        let name_part = inner.trim_start_matches('/');
        let raw_name = name_part
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("");
        let name = raw_name.rsplit(':').next().unwrap_or(raw_name).to_string();
        if closing {
            // Close up to the matching element (tolerating unclosed ones).
            if open.get(&name).is_none_or(|&n| n == 0) {
                broken.get_or_insert(format!(
                    "closing tag `</{}>` at line {tag_line} has no opening tag",
                    super::shorten(&name)
                ));
                continue;
            }
            if let Some(top) = stack.last().filter(|e| e.name != name) {
                broken.get_or_insert(format!(
                    "element `<{}>` opened at line {} is not closed before `</{}>` at line {tag_line}",
                    super::shorten(&top.name),
                    top.line,
                    super::shorten(&name)
                ));
            }
            let element = loop {
                let element = stack.pop().expect("an open element of that name");
                if let Some(n) = open.get_mut(&element.name) {
                    *n -= 1;
                }
                if element.name == name {
                    break element;
                }
            };
            let ancestors = Ancestors {
                parent: stack.last().map_or("", |e| e.name.as_str()),
                in_build: open.get("build").is_some_and(|&n| n > 0),
                in_distribution: open.get("distributionManagement").is_some_and(|&n| n > 0),
            };
            out.extend(pom_declaration(&element, &ancestors));
            if let Some(parent) = stack.last_mut() {
                parent.children.push((
                    element.name.clone(),
                    decode_entities(element.text.trim()),
                    element.line,
                ));
            }
        } else if tag.ends_with("/>") {
            elements += 1;
            if let Some(parent) = stack.last_mut() {
                parent.children.push((name, String::new(), tag_line));
            }
        } else {
            if stack.len() >= MAX_POM_DEPTH {
                return Err(format!(
                    "elements nested deeper than {MAX_POM_DEPTH} levels (line {tag_line}): not read"
                ));
            }
            elements += 1;
            *open.entry(name.clone()).or_default() += 1;
            stack.push(Element {
                name,
                line: tag_line,
                text: String::new(),
                children: Vec::new(),
            });
        }
    }
    if let Some(open) = stack.first() {
        broken.get_or_insert(format!(
            "element `<{}>` opened at line {} is never closed",
            super::shorten(&open.name),
            open.line
        ));
    }
    if elements == 0 {
        broken.get_or_insert("no XML element found".to_string());
    }
    match broken {
        Some(problem) => Err(format!("not well-formed XML: {problem}")),
        None => Ok(dedupe(out)),
    }
}

struct Element {
    name: String,
    line: u32,
    text: String,
    children: Vec<(String, String, u32)>,
}

impl Element {
    fn child(&self, name: &str) -> Option<(&str, u32)> {
        self.children
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, text, line)| (text.as_str(), *line))
    }
}

/// What a closed element's declaration depends on among the elements around it.
struct Ancestors<'a> {
    /// The name of the element it is in ("" at the top).
    parent: &'a str,
    /// Whether it is inside `<build>`.
    in_build: bool,
    /// Whether it is inside `<distributionManagement>`.
    in_distribution: bool,
}

/// The declaration a closed element makes, given the elements around it.
fn pom_declaration(element: &Element, ancestors: &Ancestors<'_>) -> Option<Declared> {
    let parent = ancestors.parent;
    let in_build = ancestors.in_build;
    match element.name.as_str() {
        "dependency" if parent == "dependencies" => maven_package(element, None),
        "plugin" if parent == "plugins" && in_build => {
            maven_package(element, Some("org.apache.maven.plugins"))
        }
        "extension" if parent == "extensions" && in_build => maven_package(element, None),
        "parent" if parent == "project" => maven_package(element, None),
        "repository" | "pluginRepository"
            if matches!(parent, "repositories" | "pluginRepositories")
                && !ancestors.in_distribution =>
        {
            let (url, line) = element.child("url")?;
            if url.is_empty() || is_default_repository(url) {
                return None;
            }
            Some(Declared {
                kind: DeclKind::Index,
                name: format!("{} {url}", element.name),
                spec: url.to_string(),
                source: Source::Url,
                line,
            })
        }
        _ => None,
    }
}

/// `groupId:artifactId` with its version (or `systemPath`), at the line of `<artifactId>`.
fn maven_package(element: &Element, default_group: Option<&str>) -> Option<Declared> {
    let (artifact, line) = element.child("artifactId")?;
    let group = element.child("groupId").map(|(g, _)| g).or(default_group)?;
    let version = element.child("version").map_or("", |(v, _)| v);
    if artifact.is_empty() || group.is_empty() {
        return None;
    }
    // A module of the same build.
    if group == "${project.groupId}" || version == "${project.version}" {
        return None;
    }
    let (spec, source) = match element.child("systemPath") {
        Some((path, _)) if !path.is_empty() => (path, Source::Path),
        _ => (version, Source::Registry),
    };
    Some(Declared {
        kind: DeclKind::Package,
        name: format!("{group}:{artifact}"),
        spec: spec.to_string(),
        source,
        line,
    })
}

/// The length of the tag at the start of `rest` (through `>`, skipping quoted attribute values).
fn tag_end(rest: &str) -> usize {
    let mut quote = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    rest.len()
}

/// The text with every `<!-- … -->` replaced by spaces (newlines kept, so lines stay put).
fn blank_xml_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find("-->").map_or(after.len(), |e| e + 3);
        out.extend(
            after[..end]
                .chars()
                .map(|c| if c == '\n' { '\n' } else { ' ' }),
        );
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn count_newlines(text: &str) -> u32 {
    text.bytes().filter(|&b| b == b'\n').count() as u32
}

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
