//! pip requirements files: packages with their specifiers, editable installs, URLs and package indexes.

use super::{DeclKind, Declared, Source};

/// Parses a requirements (or constraints) file line by line.
pub fn parse_requirements(text: &str) -> Vec<Declared> {
    let mut out = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = idx as u32 + 1;
        let content = strip_comment(raw).trim();
        if content.is_empty() {
            continue;
        }
        if let Some(index) = index_option(content) {
            out.push(Declared {
                kind: DeclKind::Index,
                name: index.0.to_string(),
                spec: index.1.to_string(),
                source: Source::Url,
                line,
            });
            continue;
        }
        if content.starts_with('-')
            && !content.starts_with("-e")
            && !content.starts_with("--editable")
        {
            continue; // -r, -c, --hash, --pre and other options
        }
        let (editable, body) = match content
            .strip_prefix("--editable")
            .or_else(|| content.strip_prefix("-e"))
        {
            Some(rest) => (true, rest.trim_start_matches('=').trim()),
            None => (false, content),
        };
        if let Some(decl) = requirement(body, editable, line) {
            out.push(decl);
        }
    }
    out
}

fn strip_comment(line: &str) -> &str {
    match line
        .find(" #")
        .or_else(|| line.starts_with('#').then_some(0))
    {
        Some(pos) => &line[..pos],
        None => line,
    }
}

/// `--index-url URL`, `-i URL`, `--extra-index-url URL`, `--find-links URL`, `-f URL`.
fn index_option(content: &str) -> Option<(&str, &str)> {
    for option in [
        "--index-url",
        "--extra-index-url",
        "--find-links",
        "-i",
        "-f",
    ] {
        if let Some(rest) = content.strip_prefix(option) {
            let value = rest.trim_start_matches('=').trim();
            if !value.is_empty() && (rest.starts_with(' ') || rest.starts_with('=')) {
                return Some((option, value));
            }
        }
    }
    None
}

fn requirement(body: &str, editable: bool, line: u32) -> Option<Declared> {
    let lower = body.to_ascii_lowercase();
    let bare_url = [
        "git+", "hg+", "svn+", "bzr+", "http://", "https://", "file:",
    ]
    .iter()
    .any(|p| lower.starts_with(p));
    if bare_url {
        // `git+https://…#egg=name`: the name, when given, follows `#egg=`.
        let name = body
            .split("#egg=")
            .nth(1)
            .map_or(body, |n| n.split('&').next().unwrap_or(n));
        return Some(super::package(name, body, url_source(body), line));
    }
    if editable || body.starts_with('.') || body.starts_with('/') {
        return Some(super::package(body, body, Source::Path, line));
    }
    pep508(body, line)
}

/// A PEP 508 requirement (`name[extras] specifiers ; markers` or `name @ url`), or PDM's `-e path`.
pub(super) fn pep508(text: &str, line: u32) -> Option<Declared> {
    let text = text.trim();
    if let Some(rest) = text
        .strip_prefix("-e ")
        .or_else(|| text.strip_prefix("--editable "))
    {
        let rest = rest.trim();
        if let Some(decl) = pep508(rest, line).filter(|d| d.source != Source::Registry) {
            return Some(decl);
        }
        return Some(super::package(rest, rest.to_string(), Source::Path, line));
    }
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(text.len());
    let name = &text[..end];
    if name.is_empty()
        || !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || MARKER_VARIABLES.contains(&name.to_ascii_lowercase().as_str())
    {
        return None;
    }
    let mut rest = text[end..].trim_start();
    if rest.starts_with('[') {
        rest = rest.split_once(']').map_or("", |(_, r)| r).trim_start();
    }
    if let Some(url) = rest.strip_prefix('@') {
        let url = url.split_whitespace().next().unwrap_or("");
        let url = url.strip_suffix(';').unwrap_or(url);
        return Some(super::package(name, url.to_string(), url_source(url), line));
    }
    let spec = rest.split(';').next().unwrap_or("").trim();
    let spec = spec
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(spec)
        .trim();
    Some(super::package(
        name,
        spec.to_string(),
        Source::Registry,
        line,
    ))
}

/// Environment marker variables: what follows the `;` of a requirement split at `;` (setup.cfg) is no
/// requirement.
const MARKER_VARIABLES: [&str; 12] = [
    "python_version",
    "python_full_version",
    "os_name",
    "sys_platform",
    "platform_release",
    "platform_system",
    "platform_version",
    "platform_machine",
    "platform_python_implementation",
    "implementation_name",
    "implementation_version",
    "extra",
];

/// Where a direct URL points: a VCS (`git+…`), a local file, or a URL.
pub(super) fn url_source(url: &str) -> Source {
    let lower = url.to_ascii_lowercase();
    if ["git+", "hg+", "svn+", "bzr+", "git://", "git@"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        Source::Git
    } else if lower.starts_with("file:")
        || lower.starts_with('.')
        || lower.starts_with('/')
        || lower.starts_with("${project_root}")
    {
        Source::Path
    } else {
        Source::Url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_requirements() {
        let text = "# deps\nrequests==2.31.0\nflask>=2  # web\n\nnumpy\n-e git+https://github.com/a/b.git#egg=b\n--extra-index-url https://pypi.example.com/simple\nuvicorn[standard]>=0.20,<1\nmypkg @ https://example.com/mypkg.tar.gz\n-r other.txt\n";
        let decls = parse_requirements(text);
        let got: Vec<(u32, &str, &str, Source)> = decls
            .iter()
            .map(|d| (d.line, d.name.as_str(), d.spec.as_str(), d.source))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "requests", "==2.31.0", Source::Registry),
                (3, "flask", ">=2", Source::Registry),
                (5, "numpy", "", Source::Registry),
                (6, "b", "git+https://github.com/a/b.git#egg=b", Source::Git),
                (
                    7,
                    "--extra-index-url",
                    "https://pypi.example.com/simple",
                    Source::Url
                ),
                (8, "uvicorn", ">=0.20,<1", Source::Registry),
                (9, "mypkg", "https://example.com/mypkg.tar.gz", Source::Url),
            ]
        );
        assert_eq!(decls[4].kind, DeclKind::Index);
    }
}
