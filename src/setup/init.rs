//! `review-gate init <agent>`: adds the agent gate (`review-gate agent-hook --agent <agent>`) to a coding
//! agent's hook settings, creating the file or merging into it. Every other setting and every other hook
//! stays as it was (key order included); running it again changes nothing.
//!
//! | agent  | file (project; `--global`: under the home directory) | entries |
//! |--------|------------------------------------------------------|---------|
//! | claude | `.claude/settings.json`  | `hooks.PreToolUse`: `Bash`, `Write\|Edit\|MultiEdit\|NotebookEdit` |
//! | codex  | `.codex/hooks.json`      | `hooks.PreToolUse`: `Bash\|apply_patch\|Edit\|Write` |
//! | cursor | `.cursor/hooks.json`     | `hooks.beforeShellExecution`, `hooks.preToolUse` (`Write\|StrReplace\|Edit`, `Delete`) |
//! | gemini | `.gemini/settings.json`  | `hooks.BeforeTool`: `run_shell_command\|write_file\|replace` |
//!
//! The command names `review-gate` without a path: the settings of a project are shared, and an absolute
//! path would only work on the machine that ran `init`. The agent must find review-gate on its PATH.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};

use super::init_json::{object, Json};

pub use super::init_entries::CLAUDE_DENY_READS;
pub use crate::gate::agent::input::Agent;

use super::init_entries::{Wanted, GEMINI_TIMEOUT_MS};
use super::init_notes::{codex_inline_hook, notes};

/// Whether a hook command runs review-gate's agent gate (with or without a path to the binary).
fn is_ours(handler: &Json) -> bool {
    handler
        .get("command")
        .and_then(Json::as_str)
        .is_some_and(|c| c.contains("review-gate") && c.contains("agent-hook"))
}

/// The value under `key` of an object, to change it in place.
fn get_mut<'a>(value: &'a mut Json, key: &str) -> Option<&'a mut Json> {
    match value {
        Json::Object(pairs) => pairs.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn matcher_of(entry: &Json) -> Option<&str> {
    entry.get("matcher").and_then(Json::as_str)
}

/// The home directory, where `--global` writes the user's agent settings.
pub fn home_dir() -> Result<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| anyhow!("--global: HOME is not set, so the user settings cannot be found"))
}

/// Adds the agent's hook entries under `base` and returns what was done, one line each.
pub fn init(agent: Agent, base: &Path) -> Result<Vec<String>> {
    let path = base.join(agent.settings_file());
    let mut report = Vec::new();
    if agent == Agent::Codex {
        if let Some(line) = codex_inline_hook(&base.join(".codex/config.toml"))? {
            report.push(line);
            report.extend(notes(agent));
            return Ok(report);
        }
    }
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => bail!("cannot read {}: {e}", path.display()),
    };
    let mut root = match existing.as_deref() {
        None => Json::object(),
        Some(text) if text.trim().is_empty() => Json::object(),
        Some(text) => parse(&path, text)?,
    };
    let added = merge(agent, &mut root, &path)?;
    let mut more = Vec::new();
    if agent == Agent::Gemini {
        more.extend(fix_gemini_timeouts(&mut root));
    }
    if agent == Agent::Claude {
        more.extend(add_deny_rules(&mut root, &path)?);
    }
    if added.is_empty() && more.is_empty() {
        report.push(format!(
            "{} already runs review-gate's agent gate: nothing changed",
            path.display()
        ));
    } else {
        write_file(&path, &root.to_pretty())?;
        let verb = if existing.is_some() {
            "updated"
        } else {
            "created"
        };
        report.push(format!("{verb} {}:", path.display()));
        for wanted in &added {
            report.push(format!(
                "  added {} → {}",
                wanted.describe(),
                agent.hook_command()
            ));
        }
        report.extend(more);
    }
    report.extend(notes(agent));
    Ok(report)
}

/// Gemini CLI counts hook timeouts in milliseconds: a review-gate handler with a timeout under a
/// second (a Claude Code timeout of `30` carried over, say) would time out at once, and the tool run.
fn fix_gemini_timeouts(root: &mut Json) -> Vec<String> {
    let mut fixed = Vec::new();
    let Some(Json::Object(events)) = get_mut(root, "hooks") else {
        return fixed;
    };
    for (event, groups) in events.iter_mut() {
        let Json::Array(groups) = groups else {
            continue;
        };
        for group in groups.iter_mut() {
            let Some(Json::Array(handlers)) = get_mut(group, "hooks") else {
                continue;
            };
            for handler in handlers.iter_mut().filter(|h| is_ours(h)) {
                let short = match handler.get("timeout") {
                    Some(Json::Number(n)) => n.as_f64().is_some_and(|t| t < 1000.0),
                    _ => false,
                };
                if short {
                    if let Some(t) = get_mut(handler, "timeout") {
                        *t = Json::Number(GEMINI_TIMEOUT_MS.into());
                    }
                    fixed.push(format!(
                        "  set the timeout of review-gate's hooks.{event} handler to {GEMINI_TIMEOUT_MS} (Gemini CLI counts milliseconds)"
                    ));
                }
            }
        }
    }
    fixed
}

/// Adds the credential-file rules ([`CLAUDE_DENY_READS`]) missing from `permissions.deny`.
fn add_deny_rules(root: &mut Json, path: &Path) -> Result<Vec<String>> {
    let file = path.display();
    let Some(permissions) = root.entry("permissions", Json::object) else {
        bail!("{file}: the top level is not a JSON object; nothing was changed");
    };
    let Some(deny) = permissions.entry("deny", || Json::Array(Vec::new())) else {
        bail!("{file}: `permissions` is not an object; nothing was changed");
    };
    let Json::Array(rules) = deny else {
        bail!("{file}: `permissions.deny` is not an array; nothing was changed");
    };
    let mut added = Vec::new();
    for rule in CLAUDE_DENY_READS {
        if !rules.iter().any(|r| r.as_str() == Some(rule)) {
            rules.push(Json::string(rule));
            added.push(rule);
        }
    }
    Ok(if added.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "  added to permissions.deny (Claude Code refuses these reads even where the hook does not run): {}",
            added.join(", ")
        )]
    })
}

/// `review-gate init <agent> --remove`: takes review-gate's hook entries (and, for Claude Code, the
/// deny rules `init` added) out of the agent's settings, leaving everything else as it was.
pub fn remove(agent: Agent, base: &Path) -> Result<Vec<String>> {
    let path = base.join(agent.settings_file());
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(vec![format!(
                "{} does not exist: nothing to remove",
                path.display()
            )])
        }
        Err(e) => bail!("cannot read {}: {e}", path.display()),
    };
    let mut root = parse(&path, &text)?;
    let mut report = Vec::new();
    if let Some(Json::Object(events)) = get_mut(&mut root, "hooks") {
        for (event, entries) in events.iter_mut() {
            let Json::Array(entries) = entries else {
                continue;
            };
            let mut changed = false;
            for entry in entries.iter_mut() {
                if let Some(Json::Array(handlers)) = get_mut(entry, "hooks") {
                    let n = handlers.len();
                    handlers.retain(|h| !is_ours(h));
                    changed |= handlers.len() < n;
                }
            }
            // A flat handler of ours goes, and so does a group left without handlers.
            let n = entries.len();
            entries.retain(|e| {
                !is_ours(e) && !matches!(e.get("hooks"), Some(Json::Array(h)) if h.is_empty())
            });
            changed |= entries.len() < n;
            if changed {
                report.push(format!("  removed review-gate from hooks.{event}"));
            }
        }
    }
    if agent == Agent::Claude {
        let deny = get_mut(&mut root, "permissions").and_then(|p| get_mut(p, "deny"));
        if let Some(Json::Array(rules)) = deny {
            let n = rules.len();
            rules.retain(|r| !r.as_str().is_some_and(|r| CLAUDE_DENY_READS.contains(&r)));
            if rules.len() < n {
                report.push(format!(
                    "  removed {} credential-file rules from permissions.deny",
                    n - rules.len()
                ));
            }
        }
    }
    if report.is_empty() {
        return Ok(vec![format!(
            "{} does not run review-gate: nothing to remove",
            path.display()
        )]);
    }
    write_file(&path, &root.to_pretty())?;
    report.insert(0, format!("updated {}:", path.display()));
    Ok(report)
}

fn parse(path: &Path, text: &str) -> Result<Json> {
    serde_json::from_str(text).map_err(|e| {
        anyhow!(
            "{} is not valid JSON (line {}, column {}: {e}); fix it or move it aside (comments and \
             trailing commas are not supported); nothing was changed",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

/// Adds what is missing to `root`; returns the entries added.
fn merge(agent: Agent, root: &mut Json, path: &Path) -> Result<Vec<Wanted>> {
    let file = path.display();
    if !matches!(root, Json::Object(_)) {
        bail!("{file}: the top level is not a JSON object; nothing was changed");
    }
    let mut added = Vec::new();
    let wanted = agent.wanted();
    let missing_version = agent == Agent::Cursor && root.get("version").is_none();
    let hooks = root
        .entry("hooks", Json::object)
        .expect("root is an object");
    if !matches!(hooks, Json::Object(_)) {
        bail!("{file}: `hooks` is not an object; nothing was changed");
    }
    for w in wanted {
        let list = hooks
            .entry(w.event, || Json::Array(Vec::new()))
            .expect("hooks is an object");
        let Json::Array(entries) = list else {
            bail!(
                "{file}: `hooks.{}` is not an array; nothing was changed",
                w.event
            );
        };
        if add_entry(entries, &w, &file.to_string())? {
            added.push(w);
        }
    }
    if missing_version && !added.is_empty() {
        if let Json::Object(pairs) = root {
            pairs.insert(0, ("version".to_string(), Json::Number(1u64.into())));
        }
    }
    Ok(added)
}

/// Adds `w` to the entries of its event unless it is there; whether it was added.
fn add_entry(entries: &mut Vec<Json>, w: &Wanted, file: &str) -> Result<bool> {
    if !w.grouped {
        if entries
            .iter()
            .any(|e| is_ours(e) && matcher_of(e) == w.matcher)
        {
            return Ok(false);
        }
        entries.push(w.handler.clone());
        return Ok(true);
    }
    let same_matcher = entries.iter_mut().find(|g| matcher_of(g) == w.matcher);
    match same_matcher {
        Some(group) => {
            let handlers = group.entry("hooks", || Json::Array(Vec::new()));
            let Some(Json::Array(handlers)) = handlers else {
                bail!(
                    "{file}: the `hooks` of the `{}` group under `hooks.{}` is not an array; nothing \
                     was changed",
                    w.matcher.unwrap_or_default(),
                    w.event
                );
            };
            if handlers.iter().any(is_ours) {
                return Ok(false);
            }
            handlers.push(w.handler.clone());
        }
        None => entries.push(object([
            ("matcher", Json::string(w.matcher.unwrap_or_default())),
            ("hooks", Json::Array(vec![w.handler.clone()])),
        ])),
    }
    Ok(true)
}

/// Writes through a temporary file next to `path`, so a crash never leaves half a settings file.
fn write_file(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut temp = path.as_os_str().to_owned();
    temp.push(".review-gate-tmp");
    let temp = PathBuf::from(temp);
    std::fs::write(&temp, text).with_context(|| format!("cannot write {}", temp.display()))?;
    std::fs::rename(&temp, path).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(agent: Agent, text: &str) -> (Json, usize) {
        let mut root: Json = serde_json::from_str(text).unwrap();
        let added = merge(agent, &mut root, Path::new("settings.json")).unwrap();
        (root, added.len())
    }

    #[test]
    fn adds_a_handler_to_an_existing_group_with_the_same_matcher() {
        let (root, added) = merged(
            Agent::Claude,
            r#"{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"lint"}]}]}}"#,
        );
        assert_eq!(added, 4);
        let groups = root.get("hooks").unwrap().get("PreToolUse").unwrap();
        let Json::Array(groups) = groups else {
            panic!()
        };
        assert_eq!(groups.len(), 4);
        let Some(Json::Array(bash)) = groups[0].get("hooks") else {
            panic!()
        };
        assert_eq!(bash.len(), 2, "the user's handler stays, ours is added");
        assert_eq!(bash[0].get("command").unwrap().as_str(), Some("lint"));
    }

    #[test]
    fn recognizes_its_handler_with_an_absolute_path() {
        let (_, added) = merged(
            Agent::Gemini,
            r#"{"hooks":{"BeforeTool":[{"matcher":"run_shell_command|write_file|replace","hooks":[{"command":"/opt/bin/review-gate agent-hook --agent gemini"}]}]}}"#,
        );
        // The reads and MCP tools are added next to it.
        assert_eq!(added, 2);
    }

    #[test]
    fn cursor_gets_a_version() {
        let (root, added) = merged(Agent::Cursor, "{}");
        assert_eq!(added, 6);
        assert_eq!(
            serde_json::to_string(root.get("version").unwrap()).unwrap(),
            "1"
        );
    }

    #[test]
    fn gemini_timeouts_in_seconds_become_milliseconds() {
        let mut root: Json = serde_json::from_str(
            r#"{"hooks":{"BeforeTool":[{"matcher":"x","hooks":[{"command":"review-gate agent-hook --agent gemini","timeout":30}]}]}}"#,
        )
        .unwrap();
        assert_eq!(fix_gemini_timeouts(&mut root).len(), 1);
        assert!(serde_json::to_string(&root)
            .unwrap()
            .contains("\"timeout\":30000"));
        assert!(fix_gemini_timeouts(&mut root).is_empty());
    }

    #[test]
    fn refuses_a_hooks_value_of_the_wrong_type() {
        let mut root: Json = serde_json::from_str(r#"{"hooks":{"PreToolUse":{}}}"#).unwrap();
        let err = merge(Agent::Claude, &mut root, Path::new("s.json"))
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains("`hooks.PreToolUse` is not an array"),
            "{err}"
        );
    }
}
