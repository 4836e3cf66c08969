//! Maven's pom.xml, read through a real XML parser (roxmltree): dependencies (also managed ones and
//! plugin dependencies), build plugins and extensions, the parent POM, and repositories.
//!
//! A document that is not well-formed XML, or that carries a DOCTYPE (whose entities could expand or
//! fetch content), is refused with the reason: Maven itself refuses such a POM ("Non-parseable POM"),
//! and reading it as if it declared nothing would hide what it adds.

use roxmltree::{Document, Node, ParsingOptions};

use super::super::{DeclKind, Declared, Source};
use super::{dedupe, is_default_repository};

/// Deepest nesting of elements a pom.xml may have (real ones stay under 20): deeper, the file is
/// reported as unreadable rather than walked at a cost that grows with its depth.
const MAX_POM_DEPTH: usize = 256;

/// Reads pom.xml (see the module documentation); `Err` says why the document cannot be read.
pub fn pom(text: &str) -> Result<Vec<Declared>, String> {
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options).map_err(describe)?;
    let lines = LineIndex::new(text);
    let mut out = Vec::new();
    // A walk in document order that handles each element when it closes (its children read), with the
    // open elements on a stack of our own (no recursion) and counts of open `<build>` and
    // `<distributionManagement>` elements.
    let mut open: Vec<Node<'_, '_>> = Vec::new();
    let mut in_build = 0usize;
    let mut in_distribution = 0usize;
    let mut next = Some(doc.root_element());
    loop {
        if let Some(node) = next {
            if !node.is_element() {
                next = node.next_sibling();
                continue;
            }
            if open.len() >= MAX_POM_DEPTH {
                return Err(format!(
                    "elements nested deeper than {MAX_POM_DEPTH} levels (line {}): not read",
                    lines.line_of(node.range().start)
                ));
            }
            let name = node.tag_name().name();
            in_build += usize::from(name == "build");
            in_distribution += usize::from(name == "distributionManagement");
            open.push(node);
            next = node.first_child();
            continue;
        }
        let Some(node) = open.pop() else {
            break;
        };
        let name = node.tag_name().name();
        in_build -= usize::from(name == "build");
        in_distribution -= usize::from(name == "distributionManagement");
        let ancestors = Ancestors {
            parent: open.last().map_or("", |p| p.tag_name().name()),
            in_build: in_build > 0,
            in_distribution: in_distribution > 0,
        };
        out.extend(declaration(
            &Element {
                node,
                lines: &lines,
            },
            &ancestors,
        ));
        next = node.next_sibling();
    }
    Ok(dedupe(out))
}

/// The reader's complaint as the reason a POM is not read.
fn describe(error: roxmltree::Error) -> String {
    match error {
        roxmltree::Error::DtdDetected => {
            "a DOCTYPE is not read (its entities could expand or fetch content; Maven POMs have none)"
                .to_string()
        }
        roxmltree::Error::NoRootNode => "not well-formed XML: no XML element found".to_string(),
        roxmltree::Error::UnexpectedCloseTag(expected, actual, pos) => format!(
            "not well-formed XML: element `<{}>` is not closed before `</{}>` at line {}",
            super::super::shorten(&expected),
            super::super::shorten(&actual),
            pos.row
        ),
        other => format!("not well-formed XML: {other}"),
    }
}

/// A closed element, with the lines of the text it came from.
struct Element<'a, 'input> {
    node: Node<'a, 'input>,
    lines: &'a LineIndex,
}

impl Element<'_, '_> {
    /// The first child element of that (local) name: its text, trimmed, and the line of its start tag.
    fn child(&self, name: &str) -> Option<(String, u32)> {
        let child = self
            .node
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == name)?;
        // Its own text (CDATA and references included, as the reader decoded them), not its children's.
        let text: String = child
            .children()
            .filter(Node::is_text)
            .filter_map(|t| t.text())
            .collect();
        Some((
            text.trim().to_string(),
            self.lines.line_of(child.range().start),
        ))
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
fn declaration(element: &Element<'_, '_>, ancestors: &Ancestors<'_>) -> Option<Declared> {
    let parent = ancestors.parent;
    let in_build = ancestors.in_build;
    let name = element.node.tag_name().name();
    match name {
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
            if url.is_empty() || is_default_repository(&url) {
                return None;
            }
            Some(Declared {
                kind: DeclKind::Index,
                name: format!("{name} {url}"),
                spec: url,
                source: Source::Url,
                line,
            })
        }
        _ => None,
    }
}

/// `groupId:artifactId` with its version (or `systemPath`), at the line of `<artifactId>`.
fn maven_package(element: &Element<'_, '_>, default_group: Option<&str>) -> Option<Declared> {
    let (artifact, line) = element.child("artifactId")?;
    let group = element
        .child("groupId")
        .map(|(g, _)| g)
        .or_else(|| default_group.map(str::to_string))?;
    let version = element.child("version").map_or(String::new(), |(v, _)| v);
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
        spec,
        source,
        line,
    })
}

/// Byte offsets of the newlines of the text, for the line of a node.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        LineIndex(memchr::memchr_iter(b'\n', text.as_bytes()).collect())
    }

    /// The 1-based line of a byte offset.
    fn line_of(&self, offset: usize) -> u32 {
        (self.0.partition_point(|&newline| newline < offset) + 1) as u32
    }
}
