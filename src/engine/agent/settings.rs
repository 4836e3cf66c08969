//! Agent permissions and hooks are policy: the old and new version of each agent settings file are
//! compared, and each widening of what the agent may do without asking is reported with the exact
//! widening — Claude Code's `permissions`, `defaultMode`, hooks and sandbox; Codex's `approval_policy`
//! and `sandbox_mode`; Gemini CLI's auto-accept, approval mode and allowed tools; Cursor's CLI
//! allowlist. Removing or bypassing the gate itself is an error.

use serde_json::Value;

mod rules;

use super::{line_of, outside_repository, Output};
use crate::manifest::mcp::parse_jsonc;
use crate::manifest::shorten;
use crate::model::{AgentFinding as Id, ChangedFile, Severity};
use rules::{wide_claude_rule, wide_cursor_rule, wide_gemini_rule};

/// Which agent a settings file configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Agent {
    /// `.claude/settings.json` (shared, committed).
    Claude,
    /// `.claude/settings.local.json` (personal; normally git-ignored).
    ClaudeLocal,
    /// `.gemini/settings.json`.
    Gemini,
    /// `.codex/config.toml`.
    Codex,
    /// `.cursor/cli.json`, `.cursor/hooks.json`.
    Cursor,
}

fn agent_of(path: &str) -> Option<Agent> {
    let tail = |suffix: &str| path == suffix || path.ends_with(&format!("/{suffix}"));
    if tail(".claude/settings.json") {
        Some(Agent::Claude)
    } else if tail(".claude/settings.local.json") {
        Some(Agent::ClaudeLocal)
    } else if tail(".gemini/settings.json") {
        Some(Agent::Gemini)
    } else if tail(".codex/config.toml") {
        Some(Agent::Codex)
    } else if tail(".cursor/cli.json") || tail(".cursor/hooks.json") {
        Some(Agent::Cursor)
    } else {
        None
    }
}

/// Reviews one changed agent settings file for widenings.
pub(super) fn review_file(out: &mut Output<'_>, file: &ChangedFile) {
    let Some(agent) = agent_of(&file.path) else {
        return;
    };
    // A deleted settings file is an empty one: everything it set is gone.
    let parsed = if file.deleted {
        Ok(Value::Object(Default::default()))
    } else {
        parse(agent, &file.text)
    };
    let new = match parsed {
        Ok(new) => new,
        Err(error) => {
            // MCP configurations report their own parse errors.
            if crate::manifest::mcp::McpFormat::of(&file.path).is_none() {
                out.report(
                    Id::ConfigUnparseable,
                    file,
                    1,
                    format!("{}: {error}", file.path),
                    None,
                );
            }
            return;
        }
    };
    let old = file
        .old_text
        .as_deref()
        .and_then(|t| parse(agent, t).ok())
        .unwrap_or(Value::Null);
    let mut review = Review {
        out,
        file,
        old: &old,
        new: &new,
        agent,
    };
    review.gate_hook();
    match agent {
        Agent::Claude | Agent::ClaudeLocal => review.claude(),
        Agent::Gemini => review.gemini(),
        Agent::Codex => review.codex(),
        Agent::Cursor => review.cursor(),
    }
}

fn parse(agent: Agent, text: &str) -> Result<Value, String> {
    match agent {
        Agent::Codex => {
            let table: toml::Table = text
                .parse()
                .map_err(|e: toml::de::Error| e.message().to_string())?;
            serde_json::to_value(table).map_err(|e| e.to_string())
        }
        _ => parse_jsonc(text),
    }
}

struct Review<'r, 'a> {
    out: &'r mut Output<'a>,
    file: &'r ChangedFile,
    old: &'r Value,
    new: &'r Value,
    agent: Agent,
}

/// The value at a `/`-separated path of keys.
fn at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('/').try_fold(value, |v, key| v.get(key))
}

/// The strings of the array at `path`.
fn strings(value: &Value, path: &str) -> Vec<String> {
    at(value, path)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn text(value: &Value, path: &str) -> Option<String> {
    at(value, path).and_then(Value::as_str).map(str::to_string)
}

fn flag(value: &Value, path: &str) -> Option<bool> {
    at(value, path).and_then(Value::as_bool)
}

impl Review<'_, '_> {
    fn report(&mut self, id: Id, needle: &str, detail: String, severity: Option<Severity>) {
        let text = if self.file.deleted {
            self.file.old_text.as_deref().unwrap_or("")
        } else {
            &self.file.text
        };
        let line = line_of(text, needle);
        self.out.report(id, self.file, line, detail, severity);
    }

    /// A value that became `wanted` at `path` (it was something else, or absent).
    fn became(&self, path: &str, wanted: &str) -> bool {
        text(self.new, path).is_some_and(|v| v.eq_ignore_ascii_case(wanted))
            && !text(self.old, path).is_some_and(|v| v.eq_ignore_ascii_case(wanted))
    }

    /// A flag that became `wanted` at `path`.
    fn flag_became(&self, path: &str, wanted: bool) -> bool {
        flag(self.new, path) == Some(wanted) && flag(self.old, path) != Some(wanted)
    }

    /// review-gate's own hook, present in the old version and gone from the new one (whatever the
    /// format: Claude's and Gemini's `hooks`, Cursor's hooks.json, Codex's config).
    fn gate_hook(&mut self) {
        let ours = |v: &Value| commands(v).iter().any(|c| is_review_gate(c));
        if ours(self.old) && !ours(self.new) {
            self.report(
                Id::GateRemoved,
                "\"hooks\"",
                format!("{} no longer runs `review-gate agent-hook`", self.file.path),
                None,
            );
        } else if !ours(self.new) {
            // Other pre-tool hooks removed.
            let before = pre_tool_hooks(self.old);
            let after = pre_tool_hooks(self.new);
            for hook in before.iter().filter(|h| !after.contains(h)) {
                self.report(
                    Id::HookRemoved,
                    "\"hooks\"",
                    format!("the pre-tool hook `{}` is removed", shorten(hook)),
                    None,
                );
            }
        }
    }

    /// `permissions.allow` rules the change adds that `wide` calls wide, and `permissions.deny` rules it
    /// removes (Claude Code's and Cursor CLI's settings share these two lists).
    fn allow_and_deny(&mut self, wide: fn(&str) -> Option<String>) {
        for rule in strings(self.new, "permissions/allow") {
            if strings(self.old, "permissions/allow").contains(&rule) {
                continue;
            }
            if let Some(why) = wide(&rule) {
                self.report(
                    Id::PermissionAllow,
                    &format!("\"{rule}\""),
                    format!("`permissions.allow` gains `{rule}`: {why}"),
                    None,
                );
            }
        }
        for rule in strings(self.old, "permissions/deny") {
            if !strings(self.new, "permissions/deny").contains(&rule) {
                self.report(
                    Id::DenyRemoved,
                    "\"deny\"",
                    format!("`permissions.deny` loses `{rule}`"),
                    None,
                );
            }
        }
    }

    fn claude(&mut self) {
        let shared = self.agent == Agent::Claude;
        self.allow_and_deny(wide_claude_rule);
        if self.became("permissions/defaultMode", "bypassPermissions") {
            // A personal settings file that is committed anyway: a warning, not the shared default.
            let severity = (!shared).then_some(Severity::Warning);
            self.report(
                Id::PermissionBypass,
                "bypassPermissions",
                format!(
                    "`defaultMode: bypassPermissions` in {}: every tool call runs without asking",
                    self.file.path
                ),
                severity,
            );
        } else if self.became("permissions/defaultMode", "acceptEdits") {
            self.report(
                Id::PermissionMode,
                "acceptEdits",
                "`defaultMode: acceptEdits`: file edits are accepted without asking".to_string(),
                None,
            );
        }
        if self.flag_became("disableAllHooks", true) {
            self.report(
                Id::HooksDisabled,
                "disableAllHooks",
                "`disableAllHooks: true`: no hook runs, review-gate's agent gate included"
                    .to_string(),
                None,
            );
        }
        if self.flag_became("enableAllProjectMcpServers", true) {
            self.report(
                Id::McpAutoApprove,
                "enableAllProjectMcpServers",
                "`enableAllProjectMcpServers: true`: every server in .mcp.json starts without approval, \
                 those a later change adds too"
                    .to_string(),
                None,
            );
        }
        for dir in strings(self.new, "permissions/additionalDirectories") {
            if !strings(self.old, "permissions/additionalDirectories").contains(&dir)
                && outside_repository(&dir)
            {
                self.report(
                    Id::ExtraDirectories,
                    &format!("\"{dir}\""),
                    format!(
                        "`permissions.additionalDirectories` gains `{dir}`, outside the repository"
                    ),
                    None,
                );
            }
        }
        if self.flag_became("sandbox/enabled", false)
            && flag(self.old, "sandbox/enabled") == Some(true)
        {
            self.report(
                Id::SandboxOff,
                "\"enabled\"",
                "`sandbox.enabled: false`: commands run outside the sandbox".to_string(),
                None,
            );
        }
        if self.flag_became("sandbox/allowUnsandboxedCommands", true) {
            self.report(
                Id::SandboxOff,
                "allowUnsandboxedCommands",
                "`sandbox.allowUnsandboxedCommands: true`: commands may leave the sandbox"
                    .to_string(),
                None,
            );
        }
    }

    fn gemini(&mut self) {
        for path in ["tools/autoAccept", "autoAccept"] {
            if self.flag_became(path, true) {
                self.report(
                    Id::PermissionMode,
                    "autoAccept",
                    "`autoAccept: true`: tool calls Gemini CLI deems safe run without asking"
                        .to_string(),
                    None,
                );
            }
        }
        for path in [
            "general/defaultApprovalMode",
            "defaultApprovalMode",
            "approvalMode",
        ] {
            if self.became(path, "yolo") {
                self.report(
                    Id::PermissionBypass,
                    "yolo",
                    "approval mode `yolo`: every tool call runs without asking".to_string(),
                    None,
                );
            } else if self.became(path, "auto_edit") {
                self.report(
                    Id::PermissionMode,
                    "auto_edit",
                    "approval mode `auto_edit`: file edits are accepted without asking".to_string(),
                    None,
                );
            }
        }
        for path in ["tools/allowed", "allowedTools", "coreTools"] {
            for rule in strings(self.new, path) {
                if strings(self.old, path).contains(&rule) {
                    continue;
                }
                if let Some(why) = wide_gemini_rule(&rule) {
                    self.report(
                        Id::PermissionAllow,
                        &format!("\"{rule}\""),
                        format!("`{}` gains `{rule}`: {why}", path.replace('/', ".")),
                        None,
                    );
                }
            }
        }
        for path in ["tools/sandbox", "sandbox"] {
            if flag(self.old, path) == Some(true) && flag(self.new, path) == Some(false) {
                self.report(
                    Id::SandboxOff,
                    "sandbox",
                    "`sandbox: false`: tools run outside the sandbox".to_string(),
                    None,
                );
            }
        }
    }

    fn codex(&mut self) {
        let mut tables: Vec<(String, &Value, Option<&Value>)> =
            vec![(String::new(), self.new, Some(self.old))];
        if let Some(profiles) = at(self.new, "profiles").and_then(Value::as_object) {
            for (name, profile) in profiles {
                let before = at(self.old, "profiles").and_then(|p| p.get(name));
                tables.push((format!("profile `{name}`: "), profile, before));
            }
        }
        let mut found = Vec::new();
        for (label, new, old) in tables {
            let old = old.unwrap_or(&Value::Null);
            let is = |v: &Value, key: &str, want: &str| text(v, key).as_deref() == Some(want);
            let never = is(new, "approval_policy", "never") && !is(old, "approval_policy", "never");
            let full = is(new, "sandbox_mode", "danger-full-access")
                && !is(old, "sandbox_mode", "danger-full-access");
            let now_never = is(new, "approval_policy", "never");
            let now_full = is(new, "sandbox_mode", "danger-full-access");
            if (never || full) && now_never && now_full {
                found.push((
                    Id::PermissionBypass,
                    "danger-full-access",
                    format!("{label}`approval_policy = \"never\"` with `sandbox_mode = \"danger-full-access\"`: Codex runs anything, unsandboxed, without asking"),
                ));
            } else if never {
                found.push((
                    Id::PermissionMode,
                    "approval_policy",
                    format!("{label}`approval_policy = \"never\"`: Codex never asks before running a command"),
                ));
            } else if full {
                found.push((
                    Id::SandboxOff,
                    "danger-full-access",
                    format!("{label}`sandbox_mode = \"danger-full-access\"`: commands run without the sandbox"),
                ));
            }
        }
        for (id, needle, detail) in found {
            self.report(id, needle, detail, None);
        }
    }

    fn cursor(&mut self) {
        self.allow_and_deny(wide_cursor_rule);
    }
}

/// Every hook command in a settings value (any `command` string under `hooks`), for finding our own.
fn commands(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(hooks) = value.get("hooks") {
        collect_commands(hooks, &mut out, 0);
    }
    out
}

fn collect_commands(value: &Value, out: &mut Vec<String>, depth: u32) {
    if depth > 8 {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match v {
                    Value::String(s) if key == "command" => out.push(s.clone()),
                    _ => collect_commands(v, out, depth + 1),
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                collect_commands(v, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn is_review_gate(command: &str) -> bool {
    command.contains("review-gate") && command.contains("agent-hook")
}

/// The commands of the hooks that run before a tool (Claude's `PreToolUse`, Gemini's `BeforeTool`,
/// Cursor's `before*`), as `matcher: command`.
fn pre_tool_hooks(value: &Value) -> Vec<String> {
    let Some(hooks) = value.get("hooks").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (event, entries) in hooks {
        if !(event == "PreToolUse" || event == "BeforeTool" || event.starts_with("before")) {
            continue;
        }
        let mut found = Vec::new();
        collect_commands(entries, &mut found, 0);
        out.extend(found.into_iter().map(|c| format!("{event}: {c}")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_rules() {
        for rule in [
            "Bash",
            "Bash(*)",
            "Bash(curl:*)",
            "WebFetch",
            "Read(~/**)",
            "Read(//etc/**)",
            "Bash(python3 *)",
        ] {
            assert!(wide_claude_rule(rule).is_some(), "{rule}");
        }
        for rule in [
            "Bash(npm run test:*)",
            "Bash(git status)",
            "WebFetch(domain:docs.rs)",
            "Read(./src/**)",
            "Edit",
            "Bash(curl https://api.example.com/health)",
        ] {
            assert!(wide_claude_rule(rule).is_none(), "{rule}");
        }
        assert!(wide_gemini_rule("run_shell_command").is_some());
        assert!(wide_gemini_rule("run_shell_command(git status)").is_none());
        assert!(wide_cursor_rule("Shell(*)").is_some());
        assert!(wide_cursor_rule("Shell(ls)").is_none());
    }

    #[test]
    fn our_hook_is_found() {
        let v: Value = serde_json::from_str(
            r#"{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"review-gate agent-hook --agent claude"}]}]}}"#,
        )
        .unwrap();
        assert!(commands(&v).iter().any(|c| is_review_gate(c)));
        assert_eq!(pre_tool_hooks(&v).len(), 1);
    }
}
