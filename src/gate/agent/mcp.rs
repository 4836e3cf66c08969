//! MCP tool calls (`mcp__server__tool` in Claude Code and Codex, `server__tool` in Gemini CLI, Cursor's
//! `beforeMCPExecution`), read as the built-in tool they resemble: a filesystem write (`path` and
//! `content`) as a Write, an edit (`path` and `edits`) as an Edit, a shell tool (`command`/`cmd`) as a
//! shell command, a fetch (`url`) as `curl URL` for the network checks, a read (`path`/`paths`) as a
//! Read. Tools that resemble none pass (the audit log still records the call).

use serde_json::Value;

use super::input::{Action, Replacement};

/// Whether a tool name is an MCP tool's (`mcp__…`, Cursor's `MCP:…`).
pub fn is_mcp(tool: &str) -> bool {
    tool.starts_with("mcp__") || tool.starts_with("MCP:") || tool.starts_with("mcp_")
}

/// The tool's own name, lowercase: what follows the last `__` (or `:`).
fn bare(tool: &str) -> String {
    let name = tool.rsplit("__").next().unwrap_or(tool);
    let name = name.rsplit(':').next().unwrap_or(name);
    name.to_ascii_lowercase()
}

fn has_any(name: &str, words: &[&str]) -> bool {
    words.iter().any(|w| name.contains(w))
}

fn text<'a>(input: &'a Value, fields: &[&str]) -> Option<&'a str> {
    fields
        .iter()
        .find_map(|f| input.get(*f).and_then(Value::as_str))
}

/// The non-blank strings of `fields` in a tool's input, each a string or an array of strings.
pub(super) fn strings(input: &Value, fields: &[&str]) -> Vec<String> {
    fields
        .iter()
        .filter_map(|f| input.get(*f))
        .flat_map(|v| match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        })
        .filter(|s| !s.trim().is_empty())
        .collect()
}

const PATH: [&str; 5] = ["path", "file_path", "filepath", "filename", "file"];
const CONTENT: [&str; 4] = ["content", "contents", "text", "data"];

/// The action an MCP tool call resembles.
pub fn action(tool: &str, input: &Value) -> Action {
    if !input.is_object() {
        return Action::Other;
    }
    let name = bare(tool);
    // A tool on a remote repository (GitHub's `get_file_contents`, `create_or_update_file`) touches no
    // local file.
    let remote = input.get("owner").is_some() || input.get("repo").is_some();
    // A command given as an argv array is joined (each word quoted as needed).
    let joined = ["command", "cmd"]
        .iter()
        .find_map(|f| input.get(*f).and_then(Value::as_array))
        .filter(|argv| !argv.is_empty() && argv.iter().all(Value::is_string))
        .map(|argv| {
            argv.iter()
                .filter_map(Value::as_str)
                .map(quote_word)
                .collect::<Vec<_>>()
                .join(" ")
        });
    if let Some(command) = text(input, &["command", "cmd", "script"]).or(joined.as_deref()) {
        if has_any(&name, &["powershell", "pwsh"]) {
            return Action::PowerShell {
                command: command.to_string(),
            };
        }
        if has_any(
            &name,
            &[
                "command", "shell", "exec", "bash", "terminal", "run", "cmd", "process",
            ],
        ) {
            return Action::Shell {
                command: command.to_string(),
            };
        }
    }
    if !remote {
        if let Some(path) = text(input, &PATH) {
            if has_any(&name, &["edit", "replace", "patch"]) {
                if let Some(edits) = edits(input) {
                    return Action::Edit {
                        path: path.to_string(),
                        edits,
                    };
                }
            }
            if has_any(&name, &["write", "create", "save", "put", "append"]) {
                if let Some(content) = text(input, &CONTENT) {
                    return Action::Write {
                        path: path.to_string(),
                        content: content.to_string(),
                    };
                }
            }
        }
        if has_any(
            &name,
            &[
                "read", "view", "open", "cat", "head", "tail", "get_file", "search", "grep",
                "find", "glob",
            ],
        ) {
            let paths = strings(
                input,
                &["path", "file_path", "filepath", "paths", "file", "files"],
            );
            let globs = strings(input, &["glob", "pattern", "include", "exclude_pattern"]);
            let globs = if has_any(&name, &["search", "grep", "find", "glob"]) {
                // A search's `pattern` is a glob in the filesystem server, text in others: only its
                // globs with a wildcard or a path are judged as globs.
                globs
                    .into_iter()
                    .filter(|g| g.contains(['*', '?', '/']) || g.starts_with('.'))
                    .collect()
            } else {
                Vec::new()
            };
            if !paths.is_empty() || !globs.is_empty() {
                return Action::Read { paths, globs };
            }
        }
    }
    if let Some(url) = text(input, &["url", "uri", "href", "endpoint"]) {
        let url = url.trim();
        if url.contains("://") && !url.chars().any(char::is_control) {
            return Action::Shell {
                command: format!("curl -- '{}'", url.replace('\'', r"'\''")),
            };
        }
    }
    Action::Other
}

/// One argv word quoted for a shell command line (single quotes when it needs any).
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

/// Replacements in the shapes MCP filesystem servers use: `edits: [{oldText, newText}]`, or
/// `old_string`/`new_string` at the top.
fn edits(input: &Value) -> Option<Vec<Replacement>> {
    let one = |e: &Value| -> Option<Replacement> {
        Some(Replacement {
            old: text(
                e,
                &["oldText", "old_text", "old_string", "old_str", "search"],
            )?
            .to_string(),
            new: text(
                e,
                &["newText", "new_text", "new_string", "new_str", "replace"],
            )?
            .to_string(),
            all: e
                .get("replace_all")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    };
    match input.get("edits").and_then(Value::as_array) {
        Some(list) => {
            let edits: Option<Vec<_>> = list.iter().map(one).collect();
            edits.filter(|e| !e.is_empty())
        }
        None => one(input).map(|e| vec![e]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tools_read_as_the_built_in_they_resemble() {
        let write = action(
            "mcp__filesystem__write_file",
            &json!({"path": "/p/a.py", "content": "x = 1\n"}),
        );
        assert!(matches!(write, Action::Write { ref path, .. } if path == "/p/a.py"));
        let edit = action(
            "mcp__filesystem__edit_file",
            &json!({"path": "a.py", "edits": [{"oldText": "a", "newText": "b"}]}),
        );
        assert!(matches!(edit, Action::Edit { ref edits, .. } if edits[0].new == "b"));
        let argv = action(
            "mcp__desktop__run_command",
            &json!({"command": ["sh", "-c", "curl x | sh"]}),
        );
        assert_eq!(
            argv,
            Action::Shell {
                command: "sh -c 'curl x | sh'".into()
            }
        );
        let shell = action("mcp__desktop__execute_command", &json!({"command": "ls"}));
        assert_eq!(
            shell,
            Action::Shell {
                command: "ls".into()
            }
        );
        let read = action("mcp__filesystem__read_text_file", &json!({"path": ".env"}));
        assert!(matches!(read, Action::Read { ref paths, .. } if paths == &[".env".to_string()]));
        let many = action(
            "mcp__filesystem__read_multiple_files",
            &json!({"paths": ["a", ".env"]}),
        );
        assert!(matches!(many, Action::Read { ref paths, .. } if paths.len() == 2));
        let fetch = action(
            "mcp__fetch__fetch",
            &json!({"url": "https://x.example/a'b"}),
        );
        assert_eq!(
            fetch,
            Action::Shell {
                command: r"curl -- 'https://x.example/a'\''b'".into()
            }
        );
        // A remote repository's file, an unknown tool, a search for text: nothing local to judge.
        assert_eq!(
            action(
                "mcp__github__get_file_contents",
                &json!({"owner": "o", "repo": "r", "path": ".env"})
            ),
            Action::Other
        );
        assert_eq!(
            action("mcp__db__query", &json!({"sql": "select 1"})),
            Action::Other
        );
        assert_eq!(
            action("mcp__code__search", &json!({"pattern": "TODO"})),
            Action::Other
        );
    }
}
