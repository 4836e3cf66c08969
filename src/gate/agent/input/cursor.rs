//! Cursor's hook events (`beforeShellExecution`, `beforeReadFile`, `beforeMCPExecution`,
//! `preToolUse`) and its tool names, read into an [`Action`].

use std::path::PathBuf;

use serde_json::Value;

use super::{needs_input, replacement, required, search, shell_command, text_any, tool_input};
use super::{Action, InputError};
use crate::gate::agent::mcp;

/// The events Cursor sends to the gate.
pub(super) const EVENTS: [&str; 4] = [
    "beforeShellExecution",
    "preToolUse",
    "beforeReadFile",
    "beforeMCPExecution",
];

/// A Cursor hook call read: the tool, what it proposes, the conversation and the project directory.
type Call<'a> = (String, Action, Option<&'a str>, Option<PathBuf>);

/// One Cursor hook call (its `event` already checked): the tool, what it proposes, the conversation and
/// the first workspace root (else `env_project`).
pub(super) fn read<'a>(
    value: &'a Value,
    event: &str,
    env_project: Option<PathBuf>,
) -> Result<Call<'a>, InputError> {
    let (tool, action) = match event {
        "beforeShellExecution" => {
            let command = required(value, &["command"])?.to_string();
            ("Shell".to_string(), Action::Shell { command })
        }
        "beforeReadFile" => {
            let mut paths = vec![required(value, &["file_path"])?.to_string()];
            // The files attached to the read (`.cursorrules`, rules, a file the user dragged
            // in) go into the agent's context too: `attachments[].filePath` (`file_path` in
            // older releases).
            if let Some(attachments) = value.get("attachments").and_then(Value::as_array) {
                paths.extend(
                    attachments
                        .iter()
                        .filter_map(|a| text_any(a, &["filePath", "file_path"]))
                        .filter(|p| !p.trim().is_empty())
                        .map(str::to_string),
                );
            }
            (
                "Read".to_string(),
                Action::Read {
                    paths,
                    globs: Vec::new(),
                },
            )
        }
        "beforeMCPExecution" => {
            // `command` and `url` here name the server, not something the tool runs.
            let tool = required(value, &["tool_name"])?.to_string();
            let action = mcp::action(&tool, &tool_input(value)?);
            (tool, action)
        }
        _ => {
            let tool = required(value, &["tool_name"])?.to_string();
            let action = action(&tool, tool_input(value)?)?;
            (tool, action)
        }
    };
    let root = value
        .get("workspace_roots")
        .and_then(Value::as_array)
        .and_then(|roots| roots.first())
        .and_then(Value::as_str)
        .map(PathBuf::from);
    let session = text_any(value, &["conversation_id", "session_id"]);
    Ok((tool, action, session, root.or(env_project)))
}

/// Cursor's `preToolUse` tools. Cursor's agent calls `Write` with `path` and `contents`, `StrReplace`
/// with `path`, `old_string`, `new_string` and `replace_all` (as recorded agent transcripts show; its
/// hook documentation does not list them); Claude Code's spellings (`file_path`, `content`) and
/// `target_file` are accepted too.
pub(super) fn action(tool: &str, input: Value) -> Result<Action, InputError> {
    if mcp::is_mcp(tool) {
        return Ok(mcp::action(tool, &input));
    }
    if !matches!(
        tool,
        "Shell" | "Write" | "StrReplace" | "Edit" | "Read" | "Grep" | "Glob" | "Delete"
    ) {
        return Ok(Action::Other);
    }
    needs_input(tool, &input)?;
    const PATH: [&str; 3] = ["file_path", "path", "target_file"];
    Ok(match tool {
        "Shell" => Action::Shell {
            command: shell_command(&input)?,
        },
        "Read" => Action::Read {
            paths: vec![required(&input, &PATH)?.to_string()],
            globs: Vec::new(),
        },
        "Grep" => search(&input, &["path", "target_directory"], &["glob", "include"]),
        "Glob" => search(
            &input,
            &["path", "target_directory"],
            &["pattern", "glob_pattern", "glob"],
        ),
        // A deletion is judged as the patch that deletes the file, so deleting the gate's own
        // settings (`.review-gate.yml`, the hook settings) is refused like any other write of them.
        "Delete" => {
            let path = required(&input, &PATH)?;
            if path.contains(['\n', '\r']) || path.trim().is_empty() {
                return Err(InputError(
                    "the Delete tool names no single file path".into(),
                ));
            }
            Action::ApplyPatch {
                patch: format!("*** Begin Patch\n*** Delete File: {path}\n*** End Patch\n"),
            }
        }
        "Write" => Action::Write {
            path: required(&input, &PATH)?.to_string(),
            content: required(&input, &["content", "contents", "file_text"])?.to_string(),
        },
        _ => Action::Edit {
            path: required(&input, &PATH)?.to_string(),
            edits: vec![replacement(&input, "replace_all")?],
        },
    })
}
