//! The units a chain's parts must share beyond a file: a workflow step, a Dockerfile instruction, a
//! Makefile rule; and the script files a hook command names.

use crate::model::{ChangedFile, Language, TextExtent};

/// Most files a hook's command line may name.
const MAX_REFERENCED: usize = 8;

/// Paths of script files a command line names, resolved against the directory of `from`.
pub fn referenced_paths(from: &str, text: &str) -> Vec<String> {
    const EXTENSIONS: [&str; 11] = [
        ".js", ".cjs", ".mjs", ".ts", ".py", ".sh", ".bash", ".rb", ".pl", ".ps1", ".php",
    ];
    let base = from.rsplit_once('/').map(|(dir, _)| dir).unwrap_or("");
    let mut out = Vec::new();
    let tokens = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '_' | '-' | '@')));
    for token in tokens {
        if out.len() >= MAX_REFERENCED {
            break;
        }
        if !EXTENSIONS.iter().any(|e| token.ends_with(e)) || token.len() <= 3 {
            continue;
        }
        let joined = if token.starts_with('/') || base.is_empty() {
            token.trim_start_matches('/').to_string()
        } else {
            format!("{base}/{token}")
        };
        if let Some(path) = normalize(&joined) {
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

/// Resolves `.` and `..` in a relative path; `None` when it climbs out of the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The text of a line of the new file, when the source knows it.
pub(super) fn line_text(file: &ChangedFile, number: u32) -> Option<&str> {
    // Added lines are in line order.
    let found = file
        .added
        .binary_search_by_key(&number, |l| l.number)
        .ok()
        .map(|i| &file.added[i]);
    if let Some(line) = found {
        return Some(file.line_text(line));
    }
    match file.extent {
        TextExtent::Whole => file.text.lines().nth(number.checked_sub(1)? as usize),
        TextExtent::Pieces(_) => None,
    }
}

/// For each 1-based line (index 0 unused), the scope unit it belongs to: workflow steps, Dockerfile
/// instructions and Makefile rules; empty (everything in unit 0) for other files or unknown text.
pub(super) fn step_units(file: &ChangedFile) -> Vec<u32> {
    if !matches!(file.extent, TextExtent::Whole) {
        return Vec::new();
    }
    match file.language {
        Language::GithubActions => workflow_steps(&file.text),
        Language::Dockerfile => dockerfile_instructions(&file.text),
        Language::Makefile => makefile_rules(&file.text),
        _ => Vec::new(),
    }
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Workflow steps: every `- ` item at the indentation of the first item under a `steps:` key.
fn workflow_steps(text: &str) -> Vec<u32> {
    let mut units = vec![0];
    let mut unit = 0;
    let mut steps_indent: Option<usize> = None;
    let mut item_indent: Option<usize> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indent = indentation(line);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            units.push(unit);
            continue;
        }
        if let Some(steps) = steps_indent {
            if indent <= steps && !trimmed.starts_with("- ") || indent < steps {
                steps_indent = None;
                item_indent = None;
                unit += 1;
            } else if trimmed.starts_with("- ") && item_indent.is_none_or(|i| i == indent) {
                item_indent = Some(indent);
                unit += 1;
            }
        }
        if trimmed.starts_with("steps:") {
            steps_indent = Some(indent);
            unit += 1;
        }
        units.push(unit);
    }
    units
}

/// Dockerfile instructions: a line starts a new one unless the line before ends with `\`.
fn dockerfile_instructions(text: &str) -> Vec<u32> {
    let mut units = vec![0];
    let mut unit = 0;
    let mut continued = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if !continued && !trimmed.is_empty() && !trimmed.starts_with('#') {
            unit += 1;
        }
        units.push(unit);
        if !trimmed.starts_with('#') && !trimmed.is_empty() {
            continued = trimmed.ends_with('\\');
        }
    }
    units
}

/// Makefile rules: a target line (unindented, with `:`) starts one; recipe lines follow it.
fn makefile_rules(text: &str) -> Vec<u32> {
    let mut units = vec![0];
    let mut unit = 0;
    for line in text.lines() {
        let starts_rule = !line.starts_with(['\t', ' '])
            && !line.trim_start().starts_with('#')
            && line.contains(':')
            && !line.contains(":=");
        if starts_rule {
            unit += 1;
        }
        units.push(unit);
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_commands_name_files_relative_to_the_manifest() {
        assert_eq!(
            referenced_paths(
                "pkg/package.json",
                r#""postinstall": "node ./scripts/setup.js && sh ../tools/x.sh""#
            ),
            vec!["pkg/scripts/setup.js", "tools/x.sh"]
        );
        assert_eq!(
            referenced_paths("package.json", r#""install": "node-gyp rebuild""#),
            Vec::<String>::new()
        );
        assert!(referenced_paths("package.json", "node ../../../x.js").is_empty());
    }

    #[test]
    fn workflow_steps_split_at_step_items() {
        let text = "on: push\njobs:\n  a:\n    steps:\n      - uses: x\n        with:\n          k: v\n      - run: |\n          curl x\n          - not a step\n  b:\n    runs-on: y\n";
        let units = workflow_steps(text);
        assert_eq!(units[5], units[7]);
        assert_ne!(units[7], units[8]);
        assert_eq!(units[8], units[9]);
        assert_eq!(units[9], units[10]);
        assert_ne!(units[10], units[11]);
    }

    #[test]
    fn dockerfile_instructions_follow_continuations() {
        let units = dockerfile_instructions("FROM x\nRUN a \\\n  && b\nRUN c\n");
        assert_eq!(units[2], units[3]);
        assert_ne!(units[3], units[4]);
        assert_ne!(units[1], units[2]);
    }
}
