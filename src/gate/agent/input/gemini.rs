//! Gemini CLI's `BeforeTool` tools (`run_shell_command`, `write_file`, `replace` and the reads), read
//! into an [`Action`].

use serde_json::Value;

use super::{needs_input, replacement, required, search, shell_command};
use super::{Action, InputError};
use crate::gate::agent::mcp;

/// Gemini CLI's tools.
pub(super) fn action(tool: &str, input: Value) -> Result<Action, InputError> {
    const BUILT_IN: [&str; 10] = [
        "run_shell_command",
        "write_file",
        "replace",
        "read_file",
        "read_many_files",
        "glob",
        "search_file_content",
        "grep_search",
        "list_directory",
        "web_fetch",
    ];
    if mcp::is_mcp(tool) || (!BUILT_IN.contains(&tool) && tool.contains("__")) {
        // Gemini CLI names an MCP tool `server__tool` where its bare name is taken.
        return Ok(mcp::action(tool, &input));
    }
    if !matches!(
        tool,
        "run_shell_command"
            | "write_file"
            | "replace"
            | "read_file"
            | "read_many_files"
            | "glob"
            | "search_file_content"
            | "grep_search"
    ) {
        return Ok(Action::Other);
    }
    needs_input(tool, &input)?;
    Ok(match tool {
        "read_file" => Action::Read {
            paths: vec![required(&input, &["absolute_path", "file_path", "path"])?.to_string()],
            globs: Vec::new(),
        },
        "read_many_files" => search(&input, &[], &["paths", "include"]),
        "glob" => search(&input, &["path", "dir_path"], &["pattern"]),
        "search_file_content" | "grep_search" => {
            search(&input, &["path", "dir_path"], &["include"])
        }
        "run_shell_command" => Action::Shell {
            command: shell_command(&input)?,
        },
        "write_file" => Action::Write {
            path: required(&input, &["file_path"])?.to_string(),
            content: required(&input, &["content"])?.to_string(),
        },
        _ => {
            let mut edit = replacement(&input, "allow_multiple")?;
            // Older versions say how many occurrences to replace instead.
            if input
                .get("expected_replacements")
                .and_then(Value::as_u64)
                .is_some_and(|n| n > 1)
            {
                edit.all = true;
            }
            Action::Edit {
                path: required(&input, &["file_path"])?.to_string(),
                edits: vec![edit],
            }
        }
    })
}
