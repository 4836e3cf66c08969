//! The agent configuration review: what a change does to the coding agents themselves. Each changed MCP
//! configuration ([`crate::manifest::mcp`]) is diffed server by server — every added or changed server
//! is a dependency (`ecosystem: mcp`) and its risks are findings ([`mcp`]) — and each changed agent
//! settings file is diffed for widenings of what the agent may do without asking ([`settings`]). The
//! checks are data (`checks/agent/*.yml`, `produced_by: agent`); [`AgentFinding`] names them.

mod mcp;
mod settings;

use crate::checks::{Check, CheckSet};
use crate::model::{AgentFinding, ChangedFile, Dependency, Finding, Severity, TextExtent};

/// Reviews the agent configurations among `files`: findings for the agent checks in `set`, and the MCP
/// servers added, removed or changed as dependencies. `hosts` are the remote MCP hosts the configuration
/// accepts besides the built-in list.
pub fn review(
    set: &CheckSet,
    files: &[ChangedFile],
    hosts: &[String],
) -> (Vec<Finding>, Vec<Dependency>) {
    let mut out = Output {
        set,
        findings: Vec::new(),
        dependencies: Vec::new(),
    };
    for file in files {
        if !crate::manifest::is_agent_config(&file.path) {
            continue;
        }
        // An agent configuration moved to another agent configuration is reviewed there, against its
        // old text; moved anywhere else, the old path's hooks and permissions are taken away.
        if file
            .renamed_to
            .as_deref()
            .is_some_and(crate::manifest::is_agent_config)
        {
            continue;
        }
        // Structured files cannot be read from the pieces of a bare patch.
        if !matches!(file.extent, TextExtent::Whole) {
            continue;
        }
        mcp::review_file(&mut out, file, hosts);
        settings::review_file(&mut out, file);
    }
    (out.findings, out.dependencies)
}

/// What the review collects, with the checks it reports for.
struct Output<'a> {
    set: &'a CheckSet,
    findings: Vec<Finding>,
    dependencies: Vec<Dependency>,
}

impl Output<'_> {
    /// The check of `id`, when it is loaded (selected, not disabled) and produced by the engine.
    fn check(&self, id: AgentFinding) -> Option<&Check> {
        self.set.get(id.id()).filter(|c| c.is_produced())
    }

    /// Reports `id` on `line` of `file` with `detail` after the check's message; `severity` overrides the
    /// check's own when given.
    fn report(
        &mut self,
        id: AgentFinding,
        file: &ChangedFile,
        line: u32,
        detail: String,
        severity: Option<Severity>,
    ) {
        let Some(check) = self.check(id) else {
            return;
        };
        // A deleted file's findings are about what it held: on the removed side, in its old text.
        let text = if file.deleted {
            file.old_text.as_deref().unwrap_or("")
        } else {
            &file.text
        };
        let mut finding =
            crate::engine::deps::policy_finding(check, &file.path, text, line.max(1), detail);
        if file.deleted {
            finding.side = crate::model::Side::Removed;
            match &file.renamed_to {
                Some(new) => finding
                    .message
                    .push_str(&format!(" (the change moves the file to {new})")),
                None => finding.message.push_str(" (the change deletes the file)"),
            }
        }
        if let Some(severity) = severity {
            finding.severity = severity;
        }
        self.findings.push(finding);
    }
}

/// The 1-based line of the first occurrence of `needle` in `text` (1 when absent).
fn line_of(text: &str, needle: &str) -> u32 {
    if needle.is_empty() {
        return 1;
    }
    text.find(needle)
        .map_or(1, |at| text[..at].matches('\n').count() as u32 + 1)
}

/// Whether a path given to an agent or a server lies outside the repository: absolute, in the home
/// directory, or climbing above the root. Workspace variables (`${workspaceFolder}`,
/// `${CLAUDE_PROJECT_DIR}`) stay inside.
fn outside_repository(path: &str) -> bool {
    let path = path.trim().trim_matches('"');
    if path.is_empty() {
        return false;
    }
    let inside_vars = [
        "${workspaceFolder}",
        "${workspaceRoot}",
        "${CLAUDE_PROJECT_DIR}",
        "$CLAUDE_PROJECT_DIR",
        "${PWD}",
        "$PWD",
        "${GEMINI_PROJECT_DIR}",
    ];
    if inside_vars.iter().any(|v| path.starts_with(v)) {
        return false;
    }
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if path.starts_with('/')
        || path.starts_with('~')
        || path.starts_with('\\')
        || path.starts_with("$HOME")
        || path.starts_with("${HOME}")
        || path.starts_with("%USERPROFILE%")
        || path.starts_with("%APPDATA%")
        || drive
    {
        return true;
    }
    let mut depth: i32 = 0;
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_the_repository() {
        for path in [
            "/usr/local/bin/x",
            "~/servers/x.js",
            "../other/x.py",
            "C:\\tools\\x.exe",
            "$HOME/x",
        ] {
            assert!(outside_repository(path), "{path}");
        }
        for path in [
            "./build/index.js",
            "server/main.py",
            "a/../b.js",
            "${workspaceFolder}/x.js",
            "",
        ] {
            assert!(!outside_repository(path), "{path}");
        }
    }
}
