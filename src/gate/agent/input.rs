//! Reading what an agent sends on standard input and normalizing it into one [`Action`] type.
//!
//! - Claude Code and Codex: `PreToolUse` with `tool_name` and `tool_input` (Codex sends shell commands
//!   as `Bash` and patches as `apply_patch` with the patch text in `tool_input.command`).
//! - Cursor: `beforeShellExecution` (`command`, `cwd`) and `preToolUse` (`tool_name`: `Shell`,
//!   `Write`, `StrReplace`, `Edit`, …; `tool_input`).
//! - Gemini CLI: `BeforeTool` with `run_shell_command`, `write_file`, `replace`, and the reads
//!   (`read_file`, `read_many_files`, `glob`, `search_file_content`).
//! - Reads (Claude Code's `Read`, `Grep`, `Glob`, `NotebookRead`; Cursor's `beforeReadFile`) become
//!   [`Action::Read`]; MCP tool calls are read by [`super::mcp`] as the built-in tool they resemble.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

mod claude;
mod cursor;
mod gemini;

/// The coding agents whose pre-tool hooks review-gate answers and whose settings `init` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Agent {
    /// Claude Code (`PreToolUse`; `.claude/settings.json`).
    Claude,
    /// OpenAI Codex CLI (`PreToolUse`, Claude-compatible; `.codex/hooks.json`).
    Codex,
    /// Cursor (`beforeShellExecution`, `preToolUse`; `.cursor/hooks.json`).
    Cursor,
    /// Gemini CLI (`BeforeTool`; `.gemini/settings.json`).
    Gemini,
}

impl Agent {
    /// The lowercase name used on the command line, in settings and in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Agent::Claude => "claude",
            Agent::Codex => "codex",
            Agent::Cursor => "cursor",
            Agent::Gemini => "gemini",
        }
    }
}

pub use crate::source::proposed::{resolve, Action, NotebookMode, Replacement};

/// A normalized hook call.
#[derive(Debug, Clone)]
pub struct HookInput {
    /// The event the agent fired.
    pub event: String,
    /// The session (or conversation) id.
    pub session: Option<String>,
    /// The tool's name as the agent spells it.
    pub tool: String,
    /// Where the agent runs the tool.
    pub cwd: PathBuf,
    /// The project directory the agent names (workspace root, `CLAUDE_PROJECT_DIR`), if any.
    pub project_dir: Option<PathBuf>,
    /// What it proposes.
    pub action: Action,
    /// The agent whose format the input came in (and the answer goes out in): the `--agent` given,
    /// except a Cursor event arriving at another agent's entry (Cursor also runs Claude Code's hooks).
    pub agent: Agent,
}

/// Input that cannot be judged: not JSON, a missing field, an unknown event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError(pub String);

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

fn missing(field: &str) -> InputError {
    InputError(format!(
        "missing or non-string field `{field}` in the hook input"
    ))
}

/// A string field of an object.
fn text<'a>(object: &'a Value, field: &str) -> Option<&'a str> {
    object.get(field).and_then(Value::as_str)
}

/// The first of several spellings of a string field.
fn text_any<'a>(object: &'a Value, fields: &[&str]) -> Option<&'a str> {
    fields.iter().find_map(|f| text(object, f))
}

fn required<'a>(object: &'a Value, fields: &[&str]) -> Result<&'a str, InputError> {
    text_any(object, fields).ok_or_else(|| missing(&fields.join("` or `")))
}

/// Parses a hook's standard input for `agent`. `env_project` is the project directory the
/// environment names (`CLAUDE_PROJECT_DIR`, `GEMINI_PROJECT_DIR`), `fallback_cwd` the process's
/// directory (for input without `cwd`).
pub fn parse(
    agent: Agent,
    stdin: &[u8],
    env_project: Option<PathBuf>,
    fallback_cwd: &Path,
) -> Result<HookInput, InputError> {
    let value: Value = serde_json::from_slice(stdin)
        .map_err(|e| InputError(format!("the hook input is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(InputError("the hook input is not a JSON object".into()));
    }
    let event = required(&value, &["hook_event_name"])?.to_string();
    // Cursor runs the hooks of `.claude/settings.json` too: its own events are read as Cursor's.
    let agent = if agent != Agent::Cursor && cursor::EVENTS.contains(&event.as_str()) {
        Agent::Cursor
    } else {
        agent
    };
    let cwd = text(&value, "cwd").map_or_else(|| fallback_cwd.to_path_buf(), PathBuf::from);
    let (tool, action, session, project_dir) = match agent {
        Agent::Claude | Agent::Codex => {
            expect_event(agent, &event, &["PreToolUse"])?;
            let tool = required(&value, &["tool_name"])?.to_string();
            let action = claude::action(&tool, tool_input(&value)?)?;
            (tool, action, text(&value, "session_id"), env_project)
        }
        Agent::Gemini => {
            expect_event(agent, &event, &["BeforeTool"])?;
            let tool = required(&value, &["tool_name"])?.to_string();
            let action = gemini::action(&tool, tool_input(&value)?)?;
            (tool, action, text(&value, "session_id"), env_project)
        }
        Agent::Cursor => {
            expect_event(agent, &event, &cursor::EVENTS)?;
            cursor::read(&value, &event, env_project)?
        }
    };
    Ok(HookInput {
        event,
        session: session.map(str::to_string),
        tool,
        cwd,
        project_dir,
        action,
        agent,
    })
}

fn expect_event(agent: Agent, event: &str, known: &[&str]) -> Result<(), InputError> {
    if known.contains(&event) {
        Ok(())
    } else {
        Err(InputError(format!(
            "unexpected hook event `{event}` for --agent {} (expected {})",
            agent.as_str(),
            known.join(" or ")
        )))
    }
}

/// `tool_input`; Cursor's MCP events send it as a JSON string, which is decoded.
fn tool_input(value: &Value) -> Result<Value, InputError> {
    match value.get("tool_input") {
        Some(Value::String(s)) => Ok(serde_json::from_str(s).unwrap_or(Value::Null)),
        Some(v @ Value::Object(_)) => Ok(v.clone()),
        Some(Value::Null) | None => Ok(Value::Null),
        Some(_) => Err(InputError("`tool_input` is not a JSON object".into())),
    }
}

fn needs_input(tool: &str, input: &Value) -> Result<(), InputError> {
    if input.is_object() {
        Ok(())
    } else {
        Err(InputError(format!(
            "missing `tool_input` for the {tool} tool"
        )))
    }
}

fn replacement(edit: &Value, all_field: &str) -> Result<Replacement, InputError> {
    Ok(Replacement {
        old: required(edit, &["old_string"])?.to_string(),
        new: required(edit, &["new_string"])?.to_string(),
        all: edit
            .get(all_field)
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

/// A search (Grep, Glob and their kin): the directory or file it runs in (`path_fields`) and the glob
/// patterns that pick files (`glob_fields`, strings or arrays of strings).
fn search(input: &Value, path_fields: &[&str], glob_fields: &[&str]) -> Action {
    Action::Read {
        paths: super::mcp::strings(input, path_fields),
        globs: super::mcp::strings(input, glob_fields),
    }
}

/// A shell command: a string, or (older Codex) an argv array.
fn shell_command(input: &Value) -> Result<String, InputError> {
    match input.get("command") {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(argv)) if argv.iter().all(Value::is_string) => Ok(argv
            .iter()
            .filter_map(Value::as_str)
            .map(quote_word)
            .collect::<Vec<_>>()
            .join(" ")),
        _ => Err(missing("command")),
    }
}

/// Quotes one argv word for a shell command line (single quotes when it needs any).
fn quote_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests;
