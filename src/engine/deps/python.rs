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
    let vcs = ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|p| lower.starts_with(p));
    if vcs
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("file:")
    {
        let name = body
            .split("#egg=")
            .nth(1)
            .map(|n| n.split('&').next().unwrap_or(n))
            .unwrap_or(body);
        let source = if vcs {
            Source::Git
        } else if lower.starts_with("file:") {
            Source::Path
        } else {
            Source::Url
        };
        return Some(Declared {
            kind: DeclKind::Package,
            name: name.to_string(),
            spec: body.to_string(),
            source,
            line,
        });
    }
    if editable || body.starts_with('.') || body.starts_with('/') {
        return Some(Declared {
            kind: DeclKind::Package,
            name: body.to_string(),
            spec: body.to_string(),
            source: Source::Path,
            line,
        });
    }
    // name[extras] (specifiers) ; markers   or   name @ url
    let without_marker = body.split(';').next().unwrap_or(body).trim();
    if let Some((name, url)) = without_marker.split_once(" @ ").or_else(|| {
        without_marker
            .split_once('@')
            .filter(|(n, _)| !n.contains(['<', '>', '=']))
    }) {
        let url = url.trim();
        let source = if url.starts_with("git+") {
            Source::Git
        } else if url.starts_with("file:") {
            Source::Path
        } else {
            Source::Url
        };
        return Some(Declared {
            kind: DeclKind::Package,
            name: base_name(name).to_string(),
            spec: url.to_string(),
            source,
            line,
        });
    }
    let end = without_marker
        .find(['<', '>', '=', '!', '~', ' ', '[', '('])
        .unwrap_or(without_marker.len());
    let name = &without_marker[..end];
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return None;
    }
    let spec = without_marker[end..].trim();
    let spec = if spec.starts_with('[') {
        spec.split_once(']').map_or("", |(_, s)| s).trim()
    } else {
        spec
    };
    Some(Declared {
        kind: DeclKind::Package,
        name: name.to_string(),
        spec: spec.to_string(),
        source: Source::Registry,
        line,
    })
}

fn base_name(name: &str) -> &str {
    name.split('[').next().unwrap_or(name).trim()
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
