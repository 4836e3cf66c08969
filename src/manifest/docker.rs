//! Dockerfiles: base images (`FROM`) with their tags and digests, and language packages that `RUN`
//! installs (`pip install`, `npm install`, `yarn add`, `gem install`, `go install`, `cargo install`).
//!
//! Skipped: `FROM scratch` and `FROM <earlier stage>`; requirement files (`pip install -r`), lockfile
//! installs (`npm ci`, bare `npm install`), local paths (`pip install .`, `go install ./...`,
//! `cargo install --path`), and system packages (`apt-get`, `apk`, `yum`, `dnf`).

use super::{DeclKind, Declared, Source};

/// Reads the declarations of a Dockerfile. Line-based: never fails.
pub fn parse(text: &str) -> Result<Vec<Declared>, String> {
    let mut out = Vec::new();
    let mut stages: Vec<String> = Vec::new();
    for (line, instruction) in instructions(text) {
        let (keyword, rest) = instruction
            .split_once(char::is_whitespace)
            .unwrap_or((instruction.as_str(), ""));
        match keyword.to_ascii_uppercase().as_str() {
            "FROM" => {
                let mut words = rest.split_whitespace().filter(|w| !w.starts_with("--"));
                let Some(image) = words.next() else { continue };
                let lower = image.to_ascii_lowercase();
                let earlier_stage = lower == "scratch" || stages.contains(&lower);
                if let (Some(r#as), Some(stage)) = (words.next(), words.next()) {
                    if r#as.eq_ignore_ascii_case("as") {
                        stages.push(stage.to_ascii_lowercase());
                    }
                }
                if earlier_stage {
                    continue;
                }
                let (name, spec) = split_image(image);
                out.push(Declared {
                    kind: DeclKind::Image,
                    name,
                    spec,
                    source: Source::Registry,
                    line,
                });
            }
            "RUN" => out.extend(run_installs(rest, line)),
            _ => {}
        }
    }
    Ok(out)
}

/// Logical instructions with the line they start on: continuation lines (`\`) joined, comments and
/// blank lines dropped.
fn instructions(text: &str) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = Vec::new();
    let mut current: Option<(u32, String)> = None;
    for (idx, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_none()) {
            continue; // comments (also inside a continued instruction), blank lines
        }
        let (body, continues) = match trimmed.strip_suffix('\\') {
            Some(body) => (body, true),
            None => (trimmed, false),
        };
        let entry = current.get_or_insert_with(|| (idx as u32 + 1, String::new()));
        if !entry.1.is_empty() {
            entry.1.push(' ');
        }
        entry.1.push_str(body.trim());
        if !continues {
            out.extend(current.take());
        }
    }
    out.extend(current);
    out
}

/// `registry/name:tag@digest` → (`registry/name`, `tag@digest`); without a tag the spec keeps the `@`
/// (`@sha256:…`). `${VAR}` references are kept as written.
pub(super) fn split_image(image: &str) -> (String, String) {
    let (base, digest) = match image.split_once('@') {
        Some((base, digest)) => (base, Some(digest)),
        None => (image, None),
    };
    // The tag's `:` is the last one after the last `/`, outside `${…}`.
    let mut depth = 0;
    let mut slash = 0;
    let mut colon = None;
    let bytes = base.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            b'/' if depth == 0 => {
                slash = i;
                colon = None;
            }
            b':' if depth == 0 && i >= slash => colon = Some(i),
            _ => {}
        }
    }
    let (name, tag) = match colon {
        Some(i) => (&base[..i], &base[i + 1..]),
        None => (base, ""),
    };
    let spec = match digest {
        Some(digest) => format!("{tag}@{digest}"),
        None => tag.to_string(),
    };
    (name.to_string(), spec)
}

/// The language packages a `RUN` command line installs.
fn run_installs(command: &str, line: u32) -> Vec<Declared> {
    let mut out = Vec::new();
    let mut commands = vec![command.to_string()];
    for sep in ["&&", "||", ";", "|"] {
        commands = commands
            .iter()
            .flat_map(|c| c.split(sep).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    for command in commands {
        let words: Vec<String> = command
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_string())
            .filter(|w| !w.is_empty())
            .collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let Some(args) = installer_args(&words) else {
            continue;
        };
        let (tool, args) = args;
        let package = |name: &str, spec: &str, source: Source| Declared {
            kind: DeclKind::Package,
            name: name.to_string(),
            spec: spec.to_string(),
            source,
            line,
        };
        match tool {
            Tool::Pip => {
                for arg in positional(args, PIP_VALUE_OPTIONS) {
                    if let Some((name, spec, source)) = pip_requirement(arg) {
                        out.push(package(name, spec, source));
                    }
                }
            }
            Tool::Npm => {
                for arg in positional(args, NPM_VALUE_OPTIONS) {
                    if let Some((name, spec, source)) = npm_package(arg) {
                        out.push(package(name, spec, source));
                    }
                }
            }
            Tool::Gem => {
                let version = option_value(args, &["-v", "--version"]).unwrap_or("");
                for arg in positional(args, GEM_VALUE_OPTIONS) {
                    let (name, spec) = arg.split_once(':').unwrap_or((arg, version));
                    if !name.starts_with(['.', '/']) && !name.ends_with(".gem") {
                        out.push(package(name, spec, Source::Registry));
                    }
                }
            }
            Tool::Go => {
                for arg in positional(args, GO_VALUE_OPTIONS) {
                    if let Some((module, version)) = arg.split_once('@') {
                        if !module.starts_with('.') && !module.starts_with('/') {
                            out.push(package(module, version, Source::Registry));
                        }
                    }
                }
            }
            Tool::Cargo => {
                if option_value(args, &["--path"]).is_some() {
                    continue;
                }
                let git = option_value(args, &["--git"]);
                let version = option_value(args, &["--version", "--vers"]).unwrap_or("");
                let custom = option_value(args, &["--registry", "--index"]);
                for arg in positional(args, CARGO_VALUE_OPTIONS) {
                    let (name, spec) = arg.split_once('@').unwrap_or((arg, version));
                    match (git, custom) {
                        (Some(url), _) => out.push(package(name, url, Source::Git)),
                        (None, Some(registry)) => out.push(package(
                            name,
                            &format!("{spec} (registry {registry})"),
                            Source::Url,
                        )),
                        (None, None) => out.push(package(name, spec, Source::Registry)),
                    }
                }
            }
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Tool {
    Pip,
    Npm,
    Gem,
    Go,
    Cargo,
}

/// The installer a command runs and the words after its install subcommand.
fn installer_args<'a>(words: &'a [&'a str]) -> Option<(Tool, &'a [&'a str])> {
    // Skip `sudo`, `env X=1` and variable assignments before the command.
    let start = words
        .iter()
        .position(|w| !matches!(*w, "sudo" | "env" | "exec") && !w.contains('='))?;
    let words = &words[start..];
    let program = words.first()?.rsplit('/').next()?;
    let rest = &words[1..];
    let after = |sub: &[&str], rest: &'a [&'a str]| -> Option<&'a [&'a str]> {
        let pos = rest.iter().position(|w| !w.starts_with('-'))?;
        sub.contains(&rest[pos]).then(|| &rest[pos + 1..])
    };
    let is_python = program.starts_with("python");
    match program {
        "pip" | "pip3" | "pipx" => after(&["install"], rest).map(|a| (Tool::Pip, a)),
        _ if program.starts_with("pip3.") => after(&["install"], rest).map(|a| (Tool::Pip, a)),
        _ if is_python => {
            let m = rest.iter().position(|w| *w == "-m")?;
            if matches!(rest.get(m + 1), Some(&"pip") | Some(&"pipx")) {
                after(&["install"], &rest[m + 2..]).map(|a| (Tool::Pip, a))
            } else {
                None
            }
        }
        "uv" => match rest.first() {
            Some(&"pip") => after(&["install"], &rest[1..]).map(|a| (Tool::Pip, a)),
            Some(&"tool") => after(&["install"], &rest[1..]).map(|a| (Tool::Pip, a)),
            _ => None,
        },
        "npm" => after(&["install", "i", "add", "isntall", "in"], rest).map(|a| (Tool::Npm, a)),
        "yarn" => match rest.first() {
            Some(&"global") => after(&["add"], &rest[1..]).map(|a| (Tool::Npm, a)),
            _ => after(&["add"], rest).map(|a| (Tool::Npm, a)),
        },
        "pnpm" | "bun" => after(&["add", "install", "i"], rest).map(|a| (Tool::Npm, a)),
        "gem" => after(&["install"], rest).map(|a| (Tool::Gem, a)),
        "go" => after(&["install", "get"], rest).map(|a| (Tool::Go, a)),
        "cargo" => after(&["install", "binstall"], rest).map(|a| (Tool::Cargo, a)),
        _ => None,
    }
}

const PIP_VALUE_OPTIONS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--trusted-host",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--only-binary",
    "--no-binary",
    "--cache-dir",
    "--src",
    "--progress-bar",
    "--python",
];
const NPM_VALUE_OPTIONS: &[&str] = &["--prefix", "--registry", "--cache", "-C", "--omit"];
const GEM_VALUE_OPTIONS: &[&str] = &[
    "-v",
    "--version",
    "-i",
    "--install-dir",
    "-n",
    "--bindir",
    "--source",
    "-s",
    "--platform",
];
const GO_VALUE_OPTIONS: &[&str] = &["-ldflags", "-tags", "-gcflags", "-o", "-mod", "-C"];
const CARGO_VALUE_OPTIONS: &[&str] = &[
    "--version",
    "--vers",
    "--git",
    "--branch",
    "--tag",
    "--rev",
    "--path",
    "--root",
    "--registry",
    "--index",
    "--features",
    "-F",
    "--target",
    "--target-dir",
    "--profile",
    "-j",
    "--jobs",
    "--bin",
    "--example",
    "--config",
    "-Z",
];

/// Words that are not options nor option values (`--opt value`; `--opt=value` is one word).
fn positional<'a>(args: &'a [&'a str], value_options: &'a [&'a str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut skip = false;
    for arg in args {
        if skip {
            skip = false;
        } else if arg.starts_with('-') {
            skip = value_options.contains(arg);
        } else if !arg.starts_with('$') || arg.len() > 1 {
            out.push(*arg);
        }
    }
    out
}

/// The value of the first of `names` (`--name value` or `--name=value`).
fn option_value<'a>(args: &'a [&'a str], names: &[&str]) -> Option<&'a str> {
    for (i, arg) in args.iter().enumerate() {
        for name in names {
            if arg == name {
                return args.get(i + 1).copied();
            }
            if let Some(value) = arg
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('='))
            {
                return Some(value);
            }
        }
    }
    None
}

/// `name[extras]==1.0`, `name`, or a URL (`git+https://…#egg=name`, `https://…/x.whl`); local paths and
/// archives are the project's own.
fn pip_requirement(arg: &str) -> Option<(&str, &str, Source)> {
    if arg.contains("://") || arg.starts_with("git+") {
        let source = if arg.starts_with("git+") {
            Source::Git
        } else {
            Source::Url
        };
        let name = arg.split("#egg=").nth(1).unwrap_or(arg);
        return Some((name, arg, source));
    }
    if arg.starts_with(['.', '/', '~']) || arg.ends_with(".whl") || arg.ends_with(".tar.gz") {
        return None;
    }
    let end = arg
        .find(['<', '>', '=', '!', '~', '[', ';', '@'])
        .unwrap_or(arg.len());
    let name = &arg[..end];
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return None;
    }
    let mut spec = &arg[end..];
    if spec.starts_with('[') {
        spec = spec.split_once(']').map_or("", |(_, s)| s);
    }
    Some((
        name,
        spec.split(';').next().unwrap_or("").trim(),
        Source::Registry,
    ))
}

/// `name`, `name@version`, `@scope/name@version`, or a git/URL/path source.
fn npm_package(arg: &str) -> Option<(&str, &str, Source)> {
    let lower = arg.to_ascii_lowercase();
    if lower.starts_with("git") || lower.starts_with("github:") {
        return Some((arg, arg, Source::Git));
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some((arg, arg, Source::Url));
    }
    if arg.starts_with(['.', '/', '~']) || lower.starts_with("file:") || lower.ends_with(".tgz") {
        return None;
    }
    // The first character is skipped (a scope's `@`); it may be wider than one byte.
    let first = arg.chars().next().map_or(0, char::len_utf8);
    match arg[first..].find('@') {
        Some(at) => Some((&arg[..first + at], &arg[first + at + 1..], Source::Registry)),
        None => Some((arg, "", Source::Registry)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decls(text: &str) -> Vec<(DeclKind, u32, String, String, Source)> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|d| (d.kind, d.line, d.name, d.spec, d.source))
            .collect()
    }

    fn image(line: u32, name: &str, spec: &str) -> (DeclKind, u32, String, String, Source) {
        (
            DeclKind::Image,
            line,
            name.to_string(),
            spec.to_string(),
            Source::Registry,
        )
    }

    fn pkg(
        line: u32,
        name: &str,
        spec: &str,
        source: Source,
    ) -> (DeclKind, u32, String, String, Source) {
        (
            DeclKind::Package,
            line,
            name.to_string(),
            spec.to_string(),
            source,
        )
    }

    #[test]
    fn npm_package_starting_with_a_multibyte_character_does_not_panic() {
        // Found by the `manifests` fuzz target: the name was sliced one byte in, inside the character.
        let found = decls("FROM node:20\nRUN npm install \u{20ac}uro@1.0 \u{e9}\n");
        assert!(found
            .iter()
            .any(|(_, _, name, spec, _)| name == "\u{20ac}uro" && spec == "1.0"));
    }

    #[test]
    fn splits_images() {
        let cases = [
            ("node", ("node", "")),
            ("node:20-alpine", ("node", "20-alpine")),
            ("node:20@sha256:abc", ("node", "20@sha256:abc")),
            ("node@sha256:abc", ("node", "@sha256:abc")),
            ("ghcr.io/org/img:1.2", ("ghcr.io/org/img", "1.2")),
            ("localhost:5000/app", ("localhost:5000/app", "")),
            ("${BASE}", ("${BASE}", "")),
            (
                "${REGISTRY}/python:${TAG}",
                ("${REGISTRY}/python", "${TAG}"),
            ),
            ("${BASE:-node:20}", ("${BASE:-node:20}", "")),
        ];
        for (image, (name, spec)) in cases {
            assert_eq!(
                split_image(image),
                (name.to_string(), spec.to_string()),
                "{image}"
            );
        }
    }

    #[test]
    fn reads_from_lines_and_skips_stages() {
        let text = "# syntax=docker/dockerfile:1\nARG BASE=python:3.12\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go build ./...\n\nFROM scratch AS empty\nfrom build as test\nFROM ${BASE}\nFROM gcr.io/distroless/static@sha256:0123 AS final\nCOPY --from=build /out /out\n";
        assert_eq!(
            decls(text),
            vec![
                image(3, "golang", "1.22"),
                image(8, "${BASE}", ""),
                image(9, "gcr.io/distroless/static", "@sha256:0123"),
            ]
        );
    }

    #[test]
    fn reads_run_installs() {
        let text = r#"FROM python:3.12-slim
RUN apt-get update && apt-get install -y curl \
    && pip install --no-cache-dir -r requirements.txt \
    && pip install requests==2.32.3 'uvicorn[standard]>=0.30' flask
# comment
RUN npm ci && npm install -g typescript@5.4.5 @angular/cli pnpm
RUN python3 -m pip install --upgrade pip git+https://github.com/org/tool.git#egg=tool
RUN gem install bundler -v 2.5.10 --no-document; go install golang.org/x/tools/gopls@v0.16.0 && go install ./cmd/...
RUN cargo install ripgrep@14.1.0 && cargo install --locked cargo-audit --version 0.20.0 && cargo install --path .
RUN cargo install --git https://github.com/me/tool tool
RUN apk add --no-cache nodejs npm && npm install && pip install .
"#;
        assert_eq!(
            decls(text),
            vec![
                image(1, "python", "3.12-slim"),
                pkg(2, "requests", "==2.32.3", Source::Registry),
                pkg(2, "uvicorn", ">=0.30", Source::Registry),
                pkg(2, "flask", "", Source::Registry),
                pkg(6, "typescript", "5.4.5", Source::Registry),
                pkg(6, "@angular/cli", "", Source::Registry),
                pkg(6, "pnpm", "", Source::Registry),
                pkg(7, "pip", "", Source::Registry),
                pkg(
                    7,
                    "tool",
                    "git+https://github.com/org/tool.git#egg=tool",
                    Source::Git
                ),
                pkg(8, "bundler", "2.5.10", Source::Registry),
                pkg(8, "golang.org/x/tools/gopls", "v0.16.0", Source::Registry),
                pkg(9, "ripgrep", "14.1.0", Source::Registry),
                pkg(9, "cargo-audit", "0.20.0", Source::Registry),
                pkg(10, "tool", "https://github.com/me/tool", Source::Git),
            ]
        );
    }
}
