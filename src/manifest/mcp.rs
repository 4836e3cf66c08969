//! MCP server configurations: which files configure the MCP servers a coding agent starts
//! ([`McpFormat::of`]), and each server they declare ([`Server`]) with how it is started ([`Launcher`]),
//! the package, image, script or host it runs, and the version it pins. The formats, from each agent's
//! documentation, are listed in `docs/mcp.md`. A leaf: it knows formats, not checks or findings.

use serde_json::Value;

/// A file that configures MCP servers, by format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum McpFormat {
    /// A top-level `mcpServers` object: Claude Code's `.mcp.json`, Claude Desktop's
    /// `claude_desktop_config.json`, `.cursor/mcp.json`, Windsurf's `mcp_config.json`, JSON files in
    /// `.continue/mcpServers/`, Claude Code's and Gemini CLI's `settings.json`.
    McpServers,
    /// VS Code's `.vscode/mcp.json`: a `servers` object (and `inputs`).
    VsCode,
    /// Codex's `.codex/config.toml`: `[mcp_servers.<name>]` tables.
    Codex,
    /// Continue's YAML blocks (`.continue/mcpServers/*.yaml`, `.continue/config.yaml`): an `mcpServers`
    /// list of entries with a `name`.
    ContinueYaml,
}

impl McpFormat {
    /// The format of the file at `path`, if it configures MCP servers.
    pub fn of(path: &str) -> Option<McpFormat> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let parent = parent_dir(path);
        let in_continue_servers = path.contains(".continue/mcpServers/");
        match name {
            ".mcp.json" | "claude_desktop_config.json" | "mcp_config.json" => {
                Some(McpFormat::McpServers)
            }
            "mcp.json" if matches!(parent, ".cursor" | ".roo" | ".amazonq") => {
                Some(McpFormat::McpServers)
            }
            "mcp.json" if parent == ".vscode" => Some(McpFormat::VsCode),
            "mcp.json" if path.ends_with(".kiro/settings/mcp.json") => Some(McpFormat::McpServers),
            "settings.json" | "settings.local.json" if matches!(parent, ".claude" | ".gemini") => {
                Some(McpFormat::McpServers)
            }
            "config.toml" if parent == ".codex" => Some(McpFormat::Codex),
            "config.yaml" | "config.yml" if parent == ".continue" => Some(McpFormat::ContinueYaml),
            _ if in_continue_servers && name.ends_with(".json") => Some(McpFormat::McpServers),
            _ if in_continue_servers && (name.ends_with(".yaml") || name.ends_with(".yml")) => {
                Some(McpFormat::ContinueYaml)
            }
            _ => None,
        }
    }
}

/// The name of the directory a path is in (`.cursor` for `app/.cursor/mcp.json`; empty at the root).
fn parent_dir(path: &str) -> &str {
    let mut parts = path.rsplit('/');
    parts.next();
    parts.next().unwrap_or("")
}

/// How a server is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Launcher {
    /// `npx [-y] pkg`, `npm exec pkg`.
    Npx,
    /// `bunx pkg`.
    Bunx,
    /// `pnpm dlx pkg`.
    PnpmDlx,
    /// `yarn dlx pkg`.
    YarnDlx,
    /// `uvx pkg`, `uv tool run pkg`.
    Uvx,
    /// `pipx run pkg`.
    PipxRun,
    /// `docker run image` (or podman).
    Docker,
    /// `node path`, `deno run path`, `bun path`.
    Node,
    /// `python path`, `python -m module`.
    Python,
    /// `sh -c …`, `bash -c …`, `cmd /c …`, `powershell -Command …`.
    Shell,
    /// A remote server (`url`, `serverUrl`, `httpUrl`).
    Remote,
    /// Any other program, run as written.
    Program,
}

impl Launcher {
    /// The name used in reports (`npx`, `docker run`, `remote`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Launcher::Npx => "npx",
            Launcher::Bunx => "bunx",
            Launcher::PnpmDlx => "pnpm dlx",
            Launcher::YarnDlx => "yarn dlx",
            Launcher::Uvx => "uvx",
            Launcher::PipxRun => "pipx run",
            Launcher::Docker => "docker run",
            Launcher::Node => "node",
            Launcher::Python => "python",
            Launcher::Shell => "shell",
            Launcher::Remote => "remote",
            Launcher::Program => "program",
        }
    }

    /// The registry the launcher downloads the package from (`npm`, `pypi`, `docker`), if any.
    pub fn registry(self) -> Option<&'static str> {
        match self {
            Launcher::Npx | Launcher::Bunx | Launcher::PnpmDlx | Launcher::YarnDlx => Some("npm"),
            Launcher::Uvx | Launcher::PipxRun => Some("pypi"),
            Launcher::Docker => Some("docker"),
            _ => None,
        }
    }
}

/// One MCP server a configuration declares.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Server {
    /// The server's name (its key in the configuration).
    pub name: String,
    /// 1-based line of the server's entry.
    pub line: u32,
    /// How it is started.
    pub launcher: Option<Launcher>,
    /// The package, image, script path, module, program or URL it runs.
    pub package: String,
    /// The version, tag or digest the package is pinned to, as written (empty when none).
    pub version: String,
    /// The program (`command`) as written.
    pub command: String,
    /// The arguments as written.
    pub args: Vec<String>,
    /// The remote server's URL.
    pub url: Option<String>,
    /// Environment variables given to the server (name, value as written).
    pub env: Vec<(String, String)>,
    /// Headers sent to a remote server (name, value as written).
    pub headers: Vec<(String, String)>,
    /// Docker's `--network`/`--net` value (`None`: not given); only for [`Launcher::Docker`].
    pub docker_network: Option<String>,
    /// The command string a shell is given (`sh -c "<this>"`).
    pub shell_script: Option<String>,
    /// Gemini's `trust: true`: every tool call of the server runs without confirmation.
    pub trusted: bool,
    /// The server is disabled (`"disabled": true`).
    pub disabled: bool,
}

impl Server {
    /// The command line as one string, for shell analysis and messages.
    pub fn command_line(&self) -> String {
        let mut line = self.command.clone();
        for arg in &self.args {
            line.push(' ');
            if arg.is_empty() || arg.contains([' ', '\t', '|', ';', '&', '"']) {
                line.push('\'');
                line.push_str(&arg.replace('\'', r"'\''"));
                line.push('\'');
            } else {
                line.push_str(arg);
            }
        }
        line
    }

    /// What the dependency list shows as the version: the pin, the URL of a remote server, or "".
    pub fn spec(&self) -> String {
        match &self.url {
            Some(url) if self.launcher == Some(Launcher::Remote) => url.clone(),
            _ => self.version.clone(),
        }
    }
}

/// Reads a JSON document that may hold comments and trailing commas (VS Code's and Gemini's settings
/// are JSONC): both are blanked out with spaces, so line numbers stay.
pub fn parse_jsonc(text: &str) -> Result<Value, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match serde_json::from_str(text) {
        Ok(value) => Ok(value),
        Err(first) => {
            let cleaned = strip_jsonc(text);
            serde_json::from_str(&cleaned).map_err(|_| {
                format!(
                    "{} at line {} column {}",
                    first.classify_message(),
                    first.line(),
                    first.column()
                )
            })
        }
    }
}

trait Classify {
    fn classify_message(&self) -> String;
}

impl Classify for serde_json::Error {
    fn classify_message(&self) -> String {
        let text = self.to_string();
        text.split(" at line ").next().unwrap_or(&text).to_string()
    }
}

/// `//` and `/* */` comments and commas before `}`/`]` blanked out (newlines kept), strings untouched.
fn strip_jsonc(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    // The position of the last comma outside strings not yet followed by a value.
    let mut comma: Option<usize> = None;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                comma = None;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
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
            }
            b',' => {
                comma = Some(i);
                i += 1;
            }
            b'}' | b']' => {
                if let Some(at) = comma.take() {
                    out[at] = b' ';
                }
                i += 1;
            }
            b if b.is_ascii_whitespace() => i += 1,
            _ => {
                comma = None;
                i += 1;
            }
        }
    }
    // Only ASCII bytes were replaced by spaces, so the text stays UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// The servers a configuration of `format` declares; an error says where the file is broken.
pub fn servers(format: McpFormat, text: &str) -> Result<Vec<Server>, String> {
    match format {
        McpFormat::McpServers => json_servers(text, "mcpServers"),
        McpFormat::VsCode => json_servers(text, "servers"),
        McpFormat::Codex => codex_servers(text),
        McpFormat::ContinueYaml => continue_servers(text),
    }
}

fn json_servers(text: &str, key: &str) -> Result<Vec<Server>, String> {
    let value = parse_jsonc(text)?;
    let Some(entries) = value.get(key).and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    // Comments and trailing commas blanked out (line numbers kept), so the key scanner reads JSONC too.
    let clean = strip_jsonc(text);
    let lines = super::json_lines::key_lines(&clean, |path, k, _| {
        (path.is_empty() && k == key) || path.len() == 1
    });
    let mut out = Vec::new();
    for (name, entry) in entries {
        let line = lines
            .get(&vec![key.to_string(), name.clone()])
            .copied()
            .unwrap_or(1);
        out.push(server_of(name, entry, line));
    }
    Ok(out)
}

/// A server from its JSON (or TOML/YAML turned JSON) entry.
fn server_of(name: &str, entry: &Value, line: u32) -> Server {
    let text = |k: &str| entry.get(k).and_then(Value::as_str).map(str::to_string);
    let pairs = |k: &str| -> Vec<(String, String)> {
        entry
            .get(k)
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map_or(v.to_string(), str::to_string)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let args: Vec<String> = entry
        .get("args")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().map_or(v.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut server = Server {
        name: name.to_string(),
        line,
        command: text("command").unwrap_or_default(),
        args,
        url: text("url")
            .or_else(|| text("serverUrl"))
            .or_else(|| text("httpUrl")),
        env: pairs("env"),
        headers: pairs("headers"),
        trusted: entry.get("trust").and_then(Value::as_bool) == Some(true),
        disabled: entry.get("disabled").and_then(Value::as_bool) == Some(true)
            || entry.get("enabled").and_then(Value::as_bool) == Some(false),
        ..Server::default()
    };
    // `command` may hold a whole command line (`"command": "npx -y pkg"`): split it like a shell.
    if server.args.is_empty() && server.command.contains(' ') {
        let words = split_words(&server.command);
        if let Some((first, rest)) = words.split_first() {
            server.command = first.clone();
            server.args = rest.to_vec();
        }
    }
    classify(&mut server);
    server
}

/// Words of a command line, split at blanks outside single and double quotes, quotes removed.
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            (None, c) => word.push(c),
        }
    }
    if started || !word.is_empty() {
        words.push(word);
    }
    words
}

fn codex_servers(text: &str) -> Result<Vec<Server>, String> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| e.message().to_string())?;
    let Some(servers) = table.get("mcp_servers").and_then(toml::Value::as_table) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (name, entry) in servers {
        let json = serde_json::to_value(entry).unwrap_or(Value::Null);
        let line = line_of_any(
            text,
            &[
                &format!("[mcp_servers.{name}]"),
                &format!("[mcp_servers.\"{name}\"]"),
                &format!("mcp_servers.{name}"),
                name,
            ],
        );
        out.push(server_of(name, &json, line));
    }
    Ok(out)
}

fn continue_servers(text: &str) -> Result<Vec<Server>, String> {
    let value: Value = serde_saphyr::from_str(text).map_err(|e| {
        let text = e.to_string();
        text.lines().next().unwrap_or("invalid YAML").to_string()
    })?;
    let Some(list) = value.get("mcpServers").and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let name = entry
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("#{}", i + 1), str::to_string);
        let line = line_of_any(text, &[&format!("name: {name}"), &name]);
        out.push(server_of(&name, entry, line));
    }
    Ok(out)
}

/// The 1-based line of the first of `needles` found in `text` (1 when none is).
fn line_of_any(text: &str, needles: &[&str]) -> u32 {
    for needle in needles {
        if needle.is_empty() {
            continue;
        }
        if let Some(at) = text.find(needle) {
            return text[..at].matches('\n').count() as u32 + 1;
        }
    }
    1
}

/// The program's name without directory and Windows suffix, lowercase.
fn program(command: &str) -> String {
    let base = command.rsplit(['/', '\\']).next().unwrap_or(command);
    let lower = base.to_ascii_lowercase();
    for suffix in [".exe", ".cmd", ".bat", ".ps1"] {
        if let Some(stem) = lower.strip_suffix(suffix) {
            return stem.to_string();
        }
    }
    lower
}

/// Fills in the launcher, package and version from the command and arguments (or the URL).
fn classify(server: &mut Server) {
    let args = server.args.clone();
    let prog = program(&server.command);
    if server.command.is_empty() {
        if let Some(url) = &server.url {
            server.launcher = Some(Launcher::Remote);
            server.package = url.clone();
        }
        return;
    }
    let rest = |n: usize| args.get(n..).unwrap_or(&[]);
    match prog.as_str() {
        "npx" => npm_package(server, Launcher::Npx, &args),
        "bunx" => npm_package(server, Launcher::Bunx, &args),
        "npm" if matches!(args.first().map(String::as_str), Some("exec" | "x")) => {
            npm_package(server, Launcher::Npx, rest(1))
        }
        "bun" if args.first().map(String::as_str) == Some("x") => {
            npm_package(server, Launcher::Bunx, rest(1))
        }
        "pnpm" if matches!(args.first().map(String::as_str), Some("dlx")) => {
            npm_package(server, Launcher::PnpmDlx, rest(1))
        }
        "pnpx" => npm_package(server, Launcher::PnpmDlx, &args),
        "yarn" if args.first().map(String::as_str) == Some("dlx") => {
            npm_package(server, Launcher::YarnDlx, rest(1))
        }
        "uvx" => python_package(server, Launcher::Uvx, &args, "--from"),
        "uv" if args.len() >= 2 && args[0] == "tool" && args[1] == "run" => {
            python_package(server, Launcher::Uvx, rest(2), "--from")
        }
        "pipx" if args.first().map(String::as_str) == Some("run") => {
            python_package(server, Launcher::PipxRun, rest(1), "--spec")
        }
        "docker" | "podman" | "nerdctl" => docker(server, &args),
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "fish" | "cmd" | "powershell" | "pwsh" => {
            let flag = args.iter().position(|a| {
                matches!(
                    a.to_ascii_lowercase().as_str(),
                    "-c" | "-lc" | "-ic" | "/c" | "/k" | "-command" | "-c:" | "-encodedcommand"
                ) || (a.starts_with('-') && !a.starts_with("--") && a.ends_with('c'))
            });
            server.launcher = Some(Launcher::Shell);
            server.package = prog.clone();
            server.shell_script = flag.and_then(|i| args.get(i + 1)).cloned().or_else(|| {
                // `bash script.sh`: the script is what runs.
                args.iter().find(|a| !a.starts_with('-')).cloned()
            });
        }
        "node" | "deno" | "bun" | "tsx" | "ts-node" => {
            server.launcher = Some(Launcher::Node);
            server.package = args
                .iter()
                .filter(|a| !a.starts_with('-') && *a != "run")
                .find(|a| !a.is_empty())
                .cloned()
                .unwrap_or_default();
        }
        p if p.starts_with("python") || p == "py" => {
            server.launcher = Some(Launcher::Python);
            server.package = match args.iter().position(|a| a == "-m") {
                Some(i) => args.get(i + 1).cloned().unwrap_or_default(),
                None => args
                    .iter()
                    .find(|a| !a.starts_with('-'))
                    .cloned()
                    .unwrap_or_default(),
            };
        }
        _ => {
            server.launcher = Some(Launcher::Program);
            server.package = server.command.clone();
        }
    }
}

/// `npx [-y] [--package=pkg | -p pkg] pkg[@version] args…`.
fn npm_package(server: &mut Server, launcher: Launcher, args: &[String]) {
    server.launcher = Some(launcher);
    let mut explicit: Option<String> = None;
    let mut first: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" {
            i += 1;
            continue;
        }
        if let Some(p) = arg.strip_prefix("--package=") {
            explicit.get_or_insert(p.to_string());
        } else if arg == "-p" || arg == "--package" {
            if let Some(p) = args.get(i + 1) {
                explicit.get_or_insert(p.clone());
            }
            i += 1;
        } else if arg.starts_with('-') {
            // -y, --yes, --quiet, --silent, --no-install, --prefer-offline …
        } else {
            first = Some(arg.clone());
            break;
        }
        i += 1;
    }
    let spec = explicit.or(first).unwrap_or_default();
    let (name, version) = split_npm(&spec);
    server.package = name.to_string();
    server.version = version.to_string();
}

/// `@scope/name@1.2.3` → (`@scope/name`, `1.2.3`); `name` → (`name`, ``).
pub fn split_npm(spec: &str) -> (&str, &str) {
    match spec.get(1..).and_then(|s| s.rfind('@')) {
        Some(at) => (&spec[..at + 1], &spec[at + 2..]),
        None => (spec, ""),
    }
}

/// `uvx [--from spec] pkg[==version|@version]`, `pipx run [--spec spec] pkg`.
fn python_package(server: &mut Server, launcher: Launcher, args: &[String], from_flag: &str) {
    server.launcher = Some(launcher);
    let mut from: Option<String> = None;
    let mut first: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if let Some(value) = arg.strip_prefix(&format!("{from_flag}=")) {
            from = Some(value.to_string());
        } else if arg == from_flag {
            from = args.get(i + 1).cloned();
            i += 1;
        } else if matches!(
            arg.as_str(),
            "--with" | "--python" | "-p" | "--index" | "--index-url" | "--extra-index-url" | "-w"
        ) {
            i += 1;
        } else if !arg.starts_with('-') {
            first = Some(arg.clone());
            break;
        }
        i += 1;
    }
    let spec = from.or(first).unwrap_or_default();
    if spec.starts_with("git+") || spec.contains("://") {
        server.package = spec;
        return;
    }
    match spec.find(['=', '@', '<', '>', '~', '!', '[']) {
        Some(at) => {
            server.package = spec[..at].to_string();
            let rest = &spec[at..];
            // `pkg[extra]==1.0`: skip the extras.
            let rest = match rest.strip_prefix('[') {
                Some(r) => r.split_once(']').map_or("", |(_, v)| v),
                None => rest,
            };
            server.version = rest
                .strip_prefix('@')
                .map_or(rest.to_string(), |v| format!("=={v}"));
        }
        None => server.package = spec,
    }
}

/// `docker run [flags] image[:tag][@digest] args…`.
fn docker(server: &mut Server, args: &[String]) {
    server.launcher = Some(Launcher::Docker);
    let Some(run) = args.iter().position(|a| a == "run") else {
        server.package = args.join(" ");
        return;
    };
    const VALUED: [&str; 24] = [
        "-e",
        "--env",
        "-v",
        "--volume",
        "--network",
        "--net",
        "--name",
        "-p",
        "--publish",
        "--mount",
        "--env-file",
        "-w",
        "--workdir",
        "--entrypoint",
        "-u",
        "--user",
        "--platform",
        "--add-host",
        "--cap-add",
        "--cap-drop",
        "-l",
        "--label",
        "--memory",
        "--cpus",
    ];
    let mut i = run + 1;
    while i < args.len() {
        let arg = &args[i];
        if let Some(value) = arg
            .strip_prefix("--network=")
            .or_else(|| arg.strip_prefix("--net="))
        {
            server.docker_network = Some(value.to_string());
        } else if arg == "--network" || arg == "--net" {
            server.docker_network = args.get(i + 1).cloned();
            i += 1;
        } else if VALUED.contains(&arg.as_str()) {
            i += 1;
        } else if !arg.starts_with('-') {
            let (name, version) = split_image(arg);
            server.package = name.to_string();
            server.version = version.to_string();
            return;
        }
        i += 1;
    }
}

/// `ghcr.io/github/github-mcp-server:v1@sha256:…` → (`ghcr.io/github/github-mcp-server`, `v1@sha256:…`).
fn split_image(image: &str) -> (&str, &str) {
    let (base, digest) = match image.split_once('@') {
        Some((base, _)) => (base, Some(image.len() - base.len())),
        None => (image, None),
    };
    let tag_at = base.rfind(':').filter(|&at| !base[at..].contains('/'));
    let name_end = tag_at.unwrap_or(base.len());
    let version_start = match (tag_at, digest) {
        (Some(at), _) => at + 1,
        (None, Some(_)) => base.len(),
        (None, None) => image.len(),
    };
    (&image[..name_end], &image[version_start..])
}

/// The host of a URL (`https://user@mcp.example.com:8443/sse` → `mcp.example.com`), lowercase.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = if host.starts_with('[') {
        host.split(']').next().map(|h| format!("{h}]"))?
    } else {
        host.split(':').next()?.to_string()
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
#[path = "mcp_tests.rs"]
mod tests;
