//! Writes that would weaken the gate itself: `.review-gate.yml` (and the check files it loads) and the
//! agent's own hook settings. An agent never loosens the rules that judge it: such a write is denied
//! with the list of what it weakens, and a person makes the change instead.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::input::{resolve, Action};
use super::verdict::Item;
use crate::model::Decision;
use crate::model::Severity;
use crate::policy::{self, ConfigTree, Policy};
use crate::source::proposed::patch::{self, FileOp};
use crate::source::proposed::{display_path, Proposed};

/// The check id of a denied write that weakens the configuration.
const CONFIG_WEAKENED: &str = "policy.config-weakened";
/// The check id of a denied write that removes or loosens the agent's review-gate hook.
const HOOK_WEAKENED: &str = "policy.agent-hook-weakened";

/// The agents' hook settings files (relative to the project or the home directory) that `init` writes
/// or that can turn hooks off.
const HOOK_SETTINGS: [&str; 6] = [
    ".claude/settings.json",
    ".claude/settings.local.json",
    ".gemini/settings.json",
    ".codex/hooks.json",
    ".codex/config.toml",
    ".cursor/hooks.json",
];

/// A file an action changes: its path, and its text after the action (None: deleted or moved away;
/// `exact` false: only a fragment of the new text is known).
struct Write {
    path: PathBuf,
    new: Option<String>,
    exact: bool,
}

/// Denials for the writes of an action that weaken the configuration (`config`: the file `--config`
/// names, else `.review-gate.yml` under `root`; `before`: that configuration as it is, already read)
/// or the agent's hook settings.
pub fn judge(
    action: &Action,
    proposals: &[Proposed],
    cwd: &Path,
    root: &Path,
    config: Option<&Path>,
    before: &Policy,
) -> Vec<Item> {
    // A deletion is judged below, from the patch itself (as a write that leaves nothing).
    let mut writes: Vec<Write> = proposals
        .iter()
        .filter(|p| !p.deleted)
        .map(|p| Write {
            path: p.path.clone(),
            new: Some(p.new.clone()),
            exact: p.exact,
        })
        .collect();
    if let Action::ApplyPatch { patch } = action {
        for op in patch::parse(patch).unwrap_or_default() {
            let gone = match &op {
                FileOp::Delete { path } => Some(path),
                FileOp::Update {
                    path,
                    move_to: Some(to),
                    ..
                } if to != path => Some(path),
                _ => None,
            };
            if let Some(path) = gone {
                writes.push(Write {
                    path: resolve(cwd, path),
                    new: None,
                    exact: true,
                });
            }
        }
    }
    let mut items = config_items(&writes, root, config, before);
    items.extend(hook_items(&writes, root));
    items
}

fn deny(check: &str, location: String, message: String) -> Item {
    Item {
        check: check.to_string(),
        location: Some(location),
        message,
        decision: Decision::Deny,
    }
}

/// The configuration as it is and as the writes would leave it, compared.
fn config_items(
    writes: &[Write],
    root: &Path,
    config: Option<&Path>,
    before: &Policy,
) -> Vec<Item> {
    // The configuration in force names its file by absolute path (it was found under `root`) or as
    // `--config` gave it; its check files lie in the same directory.
    let rel_of = config.is_none().then_some(root);
    let config_file = before
        .source
        .as_ref()
        .map(|s| rel_of.map_or_else(|| s.clone(), |r| r.join(s)));
    let check_files: Vec<PathBuf> = before
        .check_files()
        .map(|f| match (&config_file, rel_of) {
            (_, Some(r)) => r.join(f),
            (Some(c), None) => c.parent().unwrap_or(Path::new(".")).join(f),
            (None, None) => PathBuf::from(f),
        })
        .collect();
    let governs = |p: &Path| {
        let names_config = match (config, &config_file) {
            (Some(explicit), _) => same_file(p, explicit),
            (None, _) => policy::CONFIG_NAMES
                .iter()
                .any(|n| same_file(p, &root.join(n))),
        };
        names_config || check_files.iter().any(|c| same_file(p, c))
    };
    let touched: Vec<&Write> = writes.iter().filter(|w| governs(&w.path)).collect();
    if touched.is_empty() {
        return Vec::new();
    }
    let shown = |w: &Write| display_path(&w.path, root);
    if let Some(w) = touched.iter().find(|w| !w.exact) {
        return vec![deny(
            CONFIG_WEAKENED,
            format!("{}:1", shown(w)),
            "the edit does not apply to the current file, so what it does to review-gate's configuration cannot be judged; a person should make this change".into(),
        )];
    }
    let after = match config {
        Some(explicit) => {
            let mut read_from: Vec<(PathBuf, Option<String>)> = Vec::new();
            for w in &touched {
                read_from.push((w.path.clone(), w.new.clone()));
            }
            let text = match read_from.iter().find(|(p, _)| same_file(p, explicit)) {
                Some((_, text)) => text.clone(),
                None => std::fs::read_to_string(explicit).ok(),
            };
            let dir = explicit.parent().unwrap_or(Path::new(".")).to_path_buf();
            match text {
                None => Ok(Policy::default()),
                Some(text) => Policy::parse_with(explicit, &text, &|rel| {
                    let full = dir.join(rel);
                    match read_from.iter().find(|(p, _)| same_file(p, &full)) {
                        Some((_, text)) => Ok(text.clone()),
                        None => Ok(std::fs::read_to_string(&full).ok()),
                    }
                }),
            }
        }
        None => {
            let mut tree = ConfigTree::working(root);
            for w in &touched {
                let rel = display_path(&w.path, root);
                tree = match &w.new {
                    Some(text) => tree.with_file(&rel, text),
                    None => tree.without_file(&rel),
                };
            }
            Policy::load_from(&tree)
        }
    };
    let location = touched
        .iter()
        .find(|w| config_file.as_ref().is_some_and(|c| same_file(&w.path, c)))
        .or(touched.first())
        .map(|w| shown(w))
        .unwrap_or_default();
    let after = match after {
        Ok(after) => after,
        Err(e) => {
            return vec![deny(
                CONFIG_WEAKENED,
                format!("{location}:{}", e.line.max(1)),
                format!(
                "the write leaves review-gate's configuration broken ({}), which stops the gate",
                e.message
            ),
            )]
        }
    };
    // Loading every check is needed only to judge a severity override: load them then.
    let checks = std::cell::OnceCell::new();
    let default_severity = |target: &str| {
        checks
            .get_or_init(|| crate::checks::load(&before.extra_checks).unwrap_or_default())
            .iter()
            .filter(|c| crate::model::target_covers(target, &c.meta.id, c.meta.category))
            .map(|c| c.meta.severity)
            .max()
            .unwrap_or(Severity::Error)
    };
    policy::change::weakenings(before, &after, &default_severity)
        .into_iter()
        .map(|w| {
            deny(
                CONFIG_WEAKENED,
                format!("{location}:{}", w.line),
                format!(
                    "an agent may not weaken the review that judges it: this write {}; a person should make this change",
                    w.what
                ),
            )
        })
        .collect()
}

/// Whether two paths name the same file (lexically; the file may not exist yet).
fn same_file(a: &Path, b: &Path) -> bool {
    let clean = |p: &Path| display_path(p, Path::new("/"));
    clean(a) == clean(b)
}

/// Writes that remove or loosen the review-gate hook in an agent's settings.
fn hook_items(writes: &[Write], root: &Path) -> Vec<Item> {
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    let bases: Vec<&Path> = std::iter::once(root).chain(home.as_deref()).collect();
    let mut items = Vec::new();
    for w in writes {
        let Some(name) = HOOK_SETTINGS
            .iter()
            .find(|n| bases.iter().any(|b| same_file(&w.path, &b.join(n))))
        else {
            continue;
        };
        // A file that does not exist yet counts as empty: a new `settings.local.json` can turn hooks off.
        let old = std::fs::read_to_string(&w.path).ok();
        let what = if name.ends_with(".toml") {
            toml_weakening(old.as_deref().unwrap_or(""), w.new.as_deref())
        } else {
            json_weakening(old.as_deref().unwrap_or("{}"), w.new.as_deref())
        };
        let what = match what {
            Some(what) if !w.exact => Some(format!(
                "{what} (the edit does not apply to the current file)"
            )),
            other => other,
        };
        if let Some(what) = what {
            items.push(deny(
                HOOK_WEAKENED,
                format!("{}:1", display_path(&w.path, root)),
                format!(
                    "an agent may not turn off the gate that judges it: this write {what}; a person should make this change"
                ),
            ));
        }
    }
    items
}

/// The hook entries that run review-gate, per event (`hooks.<Event>[]` in every agent's JSON).
fn gate_entries(settings: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if let Some(hooks) = settings.get("hooks").and_then(Value::as_object) {
        for (event, entries) in hooks {
            for entry in entries.as_array().into_iter().flatten() {
                if entry.to_string().contains("review-gate") {
                    out.push((event.clone(), entry.clone()));
                }
            }
        }
    }
    out
}

/// What a new JSON settings text does to the review-gate hooks of the old one, when it weakens them.
fn json_weakening(old: &str, new: Option<&str>) -> Option<String> {
    let old: Value = match serde_json::from_str(old) {
        Ok(old) => old,
        // Settings that are not plain JSON (comments, a trailing comma) and run review-gate: what a
        // rewrite does to the hook cannot be judged, so it is refused rather than let through.
        Err(_) if old.contains("review-gate") => {
            return Some(
                "rewrites settings that run review-gate but are not plain JSON, so what it does to the hook cannot be judged"
                    .into(),
            )
        }
        Err(_) => Value::Null,
    };
    let before = gate_entries(&old);
    let flag = |v: &Value, pointer: &str| v.pointer(pointer).and_then(Value::as_bool);
    // Claude Code's `disableAllHooks` in any settings file turns off the hooks of every other one.
    let parsed = new.map(serde_json::from_str::<Value>);
    if let Some(Ok(new)) = &parsed {
        if flag(new, "/disableAllHooks") == Some(true)
            && flag(&old, "/disableAllHooks") != Some(true)
        {
            return Some("sets `disableAllHooks`".into());
        }
    }
    if before.is_empty() {
        return None;
    }
    let new = match parsed {
        None => return Some("deletes the settings that run review-gate".into()),
        Some(Err(_)) => {
            return Some("leaves the settings that run review-gate unreadable (not JSON)".into())
        }
        Some(Ok(new)) => new,
    };
    if flag(&old, "/tools/enableHooks") == Some(true)
        && flag(&new, "/tools/enableHooks") != Some(true)
    {
        return Some("turns `tools.enableHooks` off".into());
    }
    let after = gate_entries(&new);
    let removed: Vec<&String> = before
        .iter()
        .filter(|e| !after.contains(e))
        .map(|(event, _)| event)
        .collect();
    (!removed.is_empty()).then(|| {
        format!(
            "removes or changes the review-gate hook of {}",
            removed
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// The same for Codex's `config.toml`: every line that names review-gate must stay.
fn toml_weakening(old: &str, new: Option<&str>) -> Option<String> {
    let lines: Vec<&str> = old
        .lines()
        .map(str::trim)
        .filter(|l| l.contains("review-gate") && !l.starts_with('#'))
        .collect();
    if lines.is_empty() {
        return None;
    }
    let Some(new) = new else {
        return Some("deletes the settings that run review-gate".into());
    };
    let kept: std::collections::HashSet<&str> = new.lines().map(str::trim).collect();
    lines
        .iter()
        .any(|l| !kept.contains(l))
        .then(|| "removes or changes the review-gate hook".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removing_or_disabling_the_claude_hook_is_a_weakening() {
        let old = r#"{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"review-gate agent-hook"}]}]}}"#;
        assert!(json_weakening(old, Some(r#"{"hooks":{}}"#)).is_some());
        assert!(json_weakening(old, Some(&old.replace("Bash", "Nothing"))).is_some());
        let disabled = format!("{}, \"disableAllHooks\": true}}", &old[..old.len() - 1]);
        assert_eq!(
            json_weakening(old, Some(&disabled)).as_deref(),
            Some("sets `disableAllHooks`")
        );
        assert!(json_weakening(old, None).is_some());
        // Other changes keep the hook as it is.
        let more = format!("{}, \"model\": \"x\"}}", &old[..old.len() - 1]);
        assert_eq!(json_weakening(old, Some(&more)), None);
        assert_eq!(json_weakening(r#"{"hooks":{}}"#, Some("{}")), None);
        // A new local settings file that turns every hook off.
        assert_eq!(
            json_weakening("{}", Some(r#"{"disableAllHooks": true}"#)).as_deref(),
            Some("sets `disableAllHooks`")
        );
        // Current settings with a comment (Gemini allows them) that run review-gate: not judged, refused;
        // unreadable settings without the gate still catch a `disableAllHooks`.
        let commented =
            "// ours\n{\"hooks\": {\"BeforeTool\": [{\"command\": \"review-gate agent-hook\"}]}}";
        assert!(json_weakening(commented, Some(r#"{"hooks":{}}"#)).is_some());
        assert_eq!(
            json_weakening("// x\n{}", Some(r#"{"disableAllHooks": true}"#)).as_deref(),
            Some("sets `disableAllHooks`")
        );
    }
}
