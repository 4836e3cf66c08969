//! MCP server configurations: which files configure the MCP servers a coding agent starts
//! ([`McpFormat::of`]), and each server they declare ([`Server`]) with how it is started ([`Launcher`]),
//! the package, image, script or host it runs, and the version it pins. The formats, from each agent's
//! documentation, are listed in `docs/mcp.md`. A leaf: it knows formats, not checks or findings.

mod launch;
mod read;

#[cfg(test)]
use launch::classify;
pub use launch::{host_of, split_npm};
pub use read::parse_jsonc;

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
/// The servers a configuration of `format` declares; an error says where the file is broken.
pub fn servers(format: McpFormat, text: &str) -> Result<Vec<Server>, String> {
    match format {
        McpFormat::McpServers => read::json_servers(text, "mcpServers"),
        McpFormat::VsCode => read::json_servers(text, "servers"),
        McpFormat::Codex => read::codex_servers(text),
        McpFormat::ContinueYaml => read::continue_servers(text),
    }
}

#[cfg(test)]
#[path = "mcp_tests.rs"]
mod tests;
