//! The findings the engine produces itself, by id: their checks are data (`produced_by: dependencies`),
//! and the check loader refuses a set that lacks one.

/// A finding of the dependency analysis; each names the check (`checks/dependency.yml`) that gives it
/// its severity, message and help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DependencyFinding {
    /// A manifest that does not parse.
    ManifestUnparseable,
    /// A lifecycle script run at install time.
    InstallScript,
    /// A package index the installer reads from.
    Index,
    /// A name one slip away from a popular package.
    Typosquat,
    /// A container image without a digest.
    UnpinnedImage,
    /// A GitHub Action not pinned to a full commit SHA.
    UnpinnedAction,
    /// A new or changed dependency with nothing else to say.
    New,
    /// A package from git, a URL or a path.
    NonRegistry,
    /// A version constraint that accepts any future release.
    Unbounded,
    /// A procedural-macro crate (runs inside the compiler).
    ProcMacro,
    /// A pre-commit hook repository added, or at a branch rather than a tag or commit.
    PreCommitRepo,
    /// A version constraint loosened: it accepts releases the old one refused.
    Loosened,
}

impl DependencyFinding {
    /// Every dependency finding.
    pub const ALL: [DependencyFinding; 12] = [
        DependencyFinding::ManifestUnparseable,
        DependencyFinding::InstallScript,
        DependencyFinding::Index,
        DependencyFinding::Typosquat,
        DependencyFinding::UnpinnedImage,
        DependencyFinding::UnpinnedAction,
        DependencyFinding::New,
        DependencyFinding::NonRegistry,
        DependencyFinding::Unbounded,
        DependencyFinding::ProcMacro,
        DependencyFinding::PreCommitRepo,
        DependencyFinding::Loosened,
    ];

    /// The id of the check that describes it.
    pub fn id(self) -> &'static str {
        match self {
            DependencyFinding::ManifestUnparseable => "dependency.manifest-unparseable",
            DependencyFinding::InstallScript => "dependency.install-script",
            DependencyFinding::Index => "dependency.index",
            DependencyFinding::Typosquat => "dependency.typosquat",
            DependencyFinding::UnpinnedImage => "dependency.unpinned-image",
            DependencyFinding::UnpinnedAction => "dependency.unpinned-action",
            DependencyFinding::New => "dependency.new",
            DependencyFinding::NonRegistry => "dependency.non-registry",
            DependencyFinding::Unbounded => "dependency.unbounded",
            DependencyFinding::ProcMacro => "dependency.proc-macro",
            DependencyFinding::PreCommitRepo => "dependency.pre-commit-repo",
            DependencyFinding::Loosened => "dependency.loosened",
        }
    }
}

/// A finding of the agent configuration review (`engine::agent`): MCP servers a change adds or changes,
/// and the permissions and hooks it widens in agent settings. Each names the check (`checks/agent/*.yml`,
/// `produced_by: agent`) that gives it its severity, message and help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgentFinding {
    /// An MCP server added or changed, with nothing else to say.
    McpServer,
    /// An MCP configuration or agent settings file that does not parse.
    ConfigUnparseable,
    /// A server package without an exact version (`npx -y pkg`, `@latest`).
    McpUnpinned,
    /// A server's container image without a digest.
    McpUnpinnedImage,
    /// A remote server on a host outside the allowlist.
    McpRemoteHost,
    /// A local server program or script outside the repository.
    McpLocalPath,
    /// A container server on the host's network.
    McpDockerHostNetwork,
    /// A container server without a network restriction.
    McpDockerNetwork,
    /// Many secrets handed to a server through its environment.
    McpEnvSecrets,
    /// A server started through a shell (`sh -c`).
    McpShell,
    /// A server package one slip away from a well-known MCP server.
    McpTyposquat,
    /// A server command that downloads and pipes to a shell.
    McpPipeToShell,
    /// A server command that reads credential files.
    McpCredentialRead,
    /// A server whose tool calls run without confirmation (Gemini `trust: true`).
    McpTrusted,
    /// A permission rule that lets the agent run or fetch without asking.
    PermissionAllow,
    /// A default mode or approval policy that approves on the agent's behalf.
    PermissionMode,
    /// Permission checks turned off (`bypassPermissions`, YOLO, no approvals and no sandbox).
    PermissionBypass,
    /// A deny rule removed.
    DenyRemoved,
    /// The sandbox turned off.
    SandboxOff,
    /// Directories outside the repository opened to the agent.
    ExtraDirectories,
    /// Every project MCP server approved at once.
    McpAutoApprove,
    /// Every hook turned off.
    HooksDisabled,
    /// A pre-tool hook removed.
    HookRemoved,
    /// review-gate's own agent hook removed.
    GateRemoved,
}

impl AgentFinding {
    /// Every agent finding.
    pub const ALL: [AgentFinding; 24] = [
        AgentFinding::McpServer,
        AgentFinding::ConfigUnparseable,
        AgentFinding::McpUnpinned,
        AgentFinding::McpUnpinnedImage,
        AgentFinding::McpRemoteHost,
        AgentFinding::McpLocalPath,
        AgentFinding::McpDockerHostNetwork,
        AgentFinding::McpDockerNetwork,
        AgentFinding::McpEnvSecrets,
        AgentFinding::McpShell,
        AgentFinding::McpTyposquat,
        AgentFinding::McpPipeToShell,
        AgentFinding::McpCredentialRead,
        AgentFinding::McpTrusted,
        AgentFinding::PermissionAllow,
        AgentFinding::PermissionMode,
        AgentFinding::PermissionBypass,
        AgentFinding::DenyRemoved,
        AgentFinding::SandboxOff,
        AgentFinding::ExtraDirectories,
        AgentFinding::McpAutoApprove,
        AgentFinding::HooksDisabled,
        AgentFinding::HookRemoved,
        AgentFinding::GateRemoved,
    ];

    /// The id of the check that describes it.
    pub fn id(self) -> &'static str {
        match self {
            AgentFinding::McpServer => "agent.mcp.server",
            AgentFinding::ConfigUnparseable => "agent.config-unparseable",
            AgentFinding::McpUnpinned => "agent.mcp.unpinned",
            AgentFinding::McpUnpinnedImage => "agent.mcp.unpinned-image",
            AgentFinding::McpRemoteHost => "agent.mcp.remote-host",
            AgentFinding::McpLocalPath => "agent.mcp.local-path",
            AgentFinding::McpDockerHostNetwork => "agent.mcp.docker-host-network",
            AgentFinding::McpDockerNetwork => "agent.mcp.docker-network",
            AgentFinding::McpEnvSecrets => "agent.mcp.env-secrets",
            AgentFinding::McpShell => "agent.mcp.shell",
            AgentFinding::McpTyposquat => "agent.mcp.typosquat",
            AgentFinding::McpPipeToShell => "agent.mcp.pipe-to-shell",
            AgentFinding::McpCredentialRead => "agent.mcp.credential-read",
            AgentFinding::McpTrusted => "agent.mcp.trusted",
            AgentFinding::PermissionAllow => "agent.permissions.allow",
            AgentFinding::PermissionMode => "agent.permissions.mode",
            AgentFinding::PermissionBypass => "agent.permissions.bypass",
            AgentFinding::DenyRemoved => "agent.permissions.deny-removed",
            AgentFinding::SandboxOff => "agent.permissions.sandbox-off",
            AgentFinding::ExtraDirectories => "agent.permissions.directories",
            AgentFinding::McpAutoApprove => "agent.permissions.mcp-auto-approve",
            AgentFinding::HooksDisabled => "agent.hooks.disabled",
            AgentFinding::HookRemoved => "agent.hooks.removed",
            AgentFinding::GateRemoved => "agent.hooks.gate-removed",
        }
    }
}
