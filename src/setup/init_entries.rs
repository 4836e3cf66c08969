//! The hook entries `init` adds for each agent (events, matchers, handler, timeout), its settings file,
//! and the credential-file rules added to Claude Code's own deny list.

use super::init_json::{object, Json};
use crate::gate::agent::input::Agent;

/// Seconds an agent waits for the hook (Claude, Codex and Cursor count seconds). Three times the hook's
/// own deadline: the hook refuses at its deadline, and the margin covers starting the process and a
/// loaded machine, so the agent's timeout (on which Claude Code runs the tool anyway) is never reached.
const TIMEOUT_SECONDS: u64 = 3 * crate::gate::agent::deadline::DEFAULT_DEADLINE.as_secs();
const _: () = assert!(
    TIMEOUT_SECONDS >= crate::gate::agent::deadline::DEFAULT_DEADLINE.as_secs() + 15,
    "the agent's timeout must leave a margin over the hook's deadline"
);

/// Claude Code's other tools the gate judges: PowerShell and Monitor run commands; the reads.
const CLAUDE_MORE: &str = "PowerShell|Monitor|Read|Grep|Glob|NotebookRead";
/// MCP tools (a regex: Claude Code and Codex name them `mcp__server__tool`).
const MCP_TOOLS: &str = "mcp__.*";
/// Gemini CLI's reads.
const GEMINI_READS: &str = "read_file|read_many_files|glob|search_file_content|grep_search";
/// Gemini CLI's MCP tools (`server__tool` where the bare name is taken, `mcp__…` in newer releases).
const GEMINI_MCP: &str = "mcp__.*|.*__.*";
/// Gemini CLI's hook timeout, in milliseconds.
pub(super) const GEMINI_TIMEOUT_MS: u64 = TIMEOUT_SECONDS * 1000;

/// The credential files `init claude` also denies in Claude Code's own permission settings, so they
/// stay unread where the hook does not run. Templates (`.env.example`) and certificates (`*.pem`)
/// stay readable, since a deny rule there has no exception.
pub const CLAUDE_DENY_READS: [&str; 18] = [
    "Read(./.env)",
    "Read(./.env.local)",
    "Read(./.env.development)",
    "Read(./.env.production)",
    "Read(./.env.staging)",
    "Read(./.env.test)",
    "Read(./**/.env)",
    "Read(./**/*.key)",
    "Read(./**/id_rsa*)",
    "Read(./**/id_ed25519*)",
    "Read(./.git-credentials)",
    "Read(~/.ssh/**)",
    "Read(~/.aws/credentials)",
    "Read(~/.config/gcloud/**)",
    "Read(~/.kube/config)",
    "Read(~/.gnupg/**)",
    "Read(~/.docker/config.json)",
    "Read(~/.git-credentials)",
];

impl Agent {
    /// The settings file, relative to the project root (or the home directory with `--global`).
    pub fn settings_file(self) -> &'static str {
        match self {
            Agent::Claude => ".claude/settings.json",
            Agent::Codex => ".codex/hooks.json",
            Agent::Cursor => ".cursor/hooks.json",
            Agent::Gemini => ".gemini/settings.json",
        }
    }

    /// The command the agent runs before a tool call.
    pub fn hook_command(self) -> String {
        format!("review-gate agent-hook --agent {}", self.as_str())
    }

    /// The hook entries this agent needs.
    pub(super) fn wanted(self) -> Vec<Wanted> {
        let command = Json::string(&self.hook_command());
        let timeout = Json::Number(TIMEOUT_SECONDS.into());
        let handler = || {
            object([
                ("type", Json::string("command")),
                ("command", command.clone()),
                ("timeout", timeout.clone()),
            ])
        };
        match self {
            Agent::Claude => vec![
                Wanted::grouped("PreToolUse", "Bash", handler()),
                Wanted::grouped("PreToolUse", "Write|Edit|MultiEdit|NotebookEdit", handler()),
                Wanted::grouped("PreToolUse", CLAUDE_MORE, handler()),
                Wanted::grouped("PreToolUse", MCP_TOOLS, handler()),
            ],
            Agent::Codex => vec![
                Wanted::grouped("PreToolUse", "Bash|apply_patch|Edit|Write", handler()),
                Wanted::grouped("PreToolUse", "Read|Grep|Glob", handler()),
                Wanted::grouped("PreToolUse", MCP_TOOLS, handler()),
            ],
            Agent::Gemini => {
                // Gemini CLI counts the timeout in milliseconds.
                let handler = object([
                    ("name", Json::string("review-gate")),
                    ("type", Json::string("command")),
                    ("command", command.clone()),
                    ("timeout", Json::Number(GEMINI_TIMEOUT_MS.into())),
                ]);
                vec![
                    Wanted::grouped(
                        "BeforeTool",
                        "run_shell_command|write_file|replace",
                        handler.clone(),
                    ),
                    Wanted::grouped("BeforeTool", GEMINI_READS, handler.clone()),
                    Wanted::grouped("BeforeTool", GEMINI_MCP, handler),
                ]
            }
            Agent::Cursor => {
                const EDITS: &str = "Write|StrReplace|Edit";
                let flat = |matcher: Option<&str>| {
                    let mut pairs = vec![("command".to_string(), command.clone())];
                    if let Some(m) = matcher {
                        pairs.push(("matcher".to_string(), Json::string(m)));
                    }
                    pairs.push(("timeout".to_string(), timeout.clone()));
                    pairs.push(("failClosed".to_string(), Json::Bool(true)));
                    Json::Object(pairs)
                };
                const READS: &str = "Read|Grep|Glob";
                vec![
                    Wanted::flat("beforeShellExecution", None, flat(None)),
                    Wanted::flat("preToolUse", Some(EDITS), flat(Some(EDITS))),
                    Wanted::flat("preToolUse", Some(READS), flat(Some(READS))),
                    // Deleting the gate's own settings is refused like writing them.
                    Wanted::flat("preToolUse", Some("Delete"), flat(Some("Delete"))),
                    Wanted::flat("beforeReadFile", None, flat(None)),
                    Wanted::flat("beforeMCPExecution", None, flat(None)),
                ]
            }
        }
    }
}

/// One hook entry an agent needs: under `hooks.<event>`, either a matcher group holding `handler`
/// (Claude, Codex, Gemini) or `handler` itself carrying its matcher (Cursor).
pub(super) struct Wanted {
    /// The event it goes under.
    pub(super) event: &'static str,
    /// The tools it matches (None: every tool).
    pub(super) matcher: Option<&'static str>,
    /// Whether it is a matcher group holding the handler (else the handler itself).
    pub(super) grouped: bool,
    /// The handler: the command that runs the gate.
    pub(super) handler: Json,
}

impl Wanted {
    fn grouped(event: &'static str, matcher: &'static str, handler: Json) -> Wanted {
        Wanted {
            event,
            matcher: Some(matcher),
            grouped: true,
            handler,
        }
    }

    fn flat(event: &'static str, matcher: Option<&'static str>, handler: Json) -> Wanted {
        Wanted {
            event,
            matcher,
            grouped: false,
            handler,
        }
    }

    /// Where the entry goes, as the report of `init` names it.
    pub(super) fn describe(&self) -> String {
        match self.matcher {
            Some(m) => format!("hooks.{} (matcher `{m}`)", self.event),
            None => format!("hooks.{}", self.event),
        }
    }
}
