//! Claude Code's and Codex's `PreToolUse` tools (Codex sends shell commands as `Bash`, patches as
//! `apply_patch`), read into an [`Action`].

use serde_json::Value;

use super::{missing, needs_input, replacement, required, search, shell_command, text, text_any};
use super::{Action, InputError, NotebookMode};
use crate::gate::agent::mcp;

/// Claude Code's (and Codex's) tools; Cursor's names too (Cursor runs Claude Code's hooks and names
/// its tools its own way: `Shell`, `StrReplace`).
pub(super) fn action(tool: &str, input: Value) -> Result<Action, InputError> {
    if mcp::is_mcp(tool) {
        return Ok(mcp::action(tool, &input));
    }
    if matches!(tool, "Shell" | "StrReplace" | "Delete") {
        return super::cursor::action(tool, input);
    }
    let judged = matches!(
        tool,
        "Bash"
            | "Monitor"
            | "PowerShell"
            | "Write"
            | "Edit"
            | "MultiEdit"
            | "NotebookEdit"
            | "apply_patch"
            | "Read"
            | "NotebookRead"
            | "Grep"
            | "Glob"
    );
    if !judged {
        return Ok(Action::Other);
    }
    needs_input(tool, &input)?;
    Ok(match tool {
        // Monitor runs its command in the background: a shell command all the same.
        "Bash" | "Monitor" => Action::Shell {
            command: shell_command(&input)?,
        },
        "PowerShell" => Action::PowerShell {
            command: shell_command(&input)?,
        },
        "Read" => Action::Read {
            paths: vec![required(&input, &["file_path", "path"])?.to_string()],
            globs: Vec::new(),
        },
        "NotebookRead" => Action::Read {
            paths: vec![required(&input, &["notebook_path", "file_path"])?.to_string()],
            globs: Vec::new(),
        },
        "Grep" => search(&input, &["path"], &["glob"]),
        "Glob" => search(&input, &["path"], &["pattern"]),
        "Write" => Action::Write {
            path: required(&input, &["file_path"])?.to_string(),
            content: required(&input, &["content"])?.to_string(),
        },
        "Edit" => Action::Edit {
            path: required(&input, &["file_path"])?.to_string(),
            edits: vec![replacement(&input, "replace_all")?],
        },
        "MultiEdit" => {
            let edits = input
                .get("edits")
                .and_then(Value::as_array)
                .ok_or_else(|| missing("edits"))?
                .iter()
                .map(|e| replacement(e, "replace_all"))
                .collect::<Result<Vec<_>, _>>()?;
            Action::Edit {
                path: required(&input, &["file_path"])?.to_string(),
                edits,
            }
        }
        "NotebookEdit" => {
            let mode = match text(&input, "edit_mode").unwrap_or("replace") {
                "insert" => NotebookMode::Insert,
                "delete" => NotebookMode::Delete,
                "replace" => NotebookMode::Replace,
                other => {
                    return Err(InputError(format!(
                        "unknown NotebookEdit `edit_mode` `{other}`"
                    )))
                }
            };
            let source = match mode {
                NotebookMode::Delete => text(&input, "new_source").unwrap_or(""),
                _ => required(&input, &["new_source"])?,
            };
            Action::NotebookEdit {
                path: required(&input, &["notebook_path"])?.to_string(),
                source: source.to_string(),
                cell_type: text(&input, "cell_type").map(str::to_string),
                mode,
            }
        }
        _ => Action::ApplyPatch {
            patch: patch_text(&input)?,
        },
    })
}

/// The patch of an `apply_patch` call: `tool_input.command` (a string, or an argv whose last word
/// holds the patch), or `input`/`patch`.
fn patch_text(input: &Value) -> Result<String, InputError> {
    if let Some(text) = text_any(input, &["command", "patch", "input"]) {
        return Ok(text.to_string());
    }
    if let Some(argv) = input.get("command").and_then(Value::as_array) {
        if let Some(patch) = argv
            .iter()
            .filter_map(Value::as_str)
            .find(|w| w.contains("*** Begin Patch"))
        {
            return Ok(patch.to_string());
        }
    }
    Err(missing("command"))
}
