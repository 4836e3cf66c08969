//! The `hook:` section of `.review-gate.yml`: what the agent gate does on failure, where it logs, and
//! which findings make it ask or refuse.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::model::target_covers;
use crate::model::Decision;
use crate::model::{Category, Severity};

/// The `hook:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookDef {
    #[serde(default)]
    fail: Option<Spanned<String>>,
    #[serde(default)]
    audit: Option<bool>,
    #[serde(default)]
    audit_log: Option<Spanned<String>>,
    #[serde(default)]
    ask_at: Option<Spanned<String>>,
    #[serde(default)]
    approve_clean: Option<bool>,
    #[serde(default)]
    actions: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    read: Option<ReadDef>,
}

/// The `hook.read` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadDef {
    #[serde(default)]
    deny: Vec<Spanned<String>>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
}

/// The `hook.read` settings: globs of files the agent gate also refuses to let an agent read, and
/// globs let through its built-in credential-file rules (a `deny` glob beats an `allow` glob). A glob
/// without `/` matches a file name anywhere; with one, a path from the project root; `~/…` from the
/// home directory; `/…` an absolute path. Matching ignores letter case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadRules {
    /// Paths also refused.
    pub deny: Vec<String>,
    /// Paths let through the built-in rules.
    pub allow: Vec<String>,
}

/// What the gate answers when it cannot judge (bad input, broken configuration, internal error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailMode {
    /// Refuse the action.
    Closed,
    /// Let the agent's own permission flow decide.
    Open,
}

/// The agent gate's settings, validated.
#[derive(Debug, Clone)]
pub struct HookSettings {
    /// What a failure answers.
    pub fail: FailMode,
    /// Whether decisions are logged at all.
    pub audit: bool,
    /// The audit log as configured (relative paths are under the project directory); None: the
    /// default place, out of the work tree (`$GIT_DIR/review-gate/audit.jsonl`, or the user's state
    /// directory outside a repository).
    pub audit_log: Option<PathBuf>,
    /// Findings at least this severe ask (None: only secrets and explicit actions count).
    pub ask_at: Option<Severity>,
    /// Answer an explicit "allow" when nothing is found (default: say nothing, so the agent's own
    /// permission prompt still applies).
    pub approve_clean: bool,
    /// Per-check, per-prefix or per-category actions: (target, action, line), most specific first.
    actions: Vec<(String, Decision, u64)>,
    /// Which files an agent may read (`hook.read`).
    pub read: ReadRules,
}

/// The audit log's file name, in the git directory's `review-gate/` (or the user's state directory).
pub const DEFAULT_AUDIT_LOG: &str = "audit.jsonl";

impl Default for HookSettings {
    fn default() -> Self {
        HookSettings {
            fail: FailMode::Closed,
            audit: true,
            audit_log: None,
            ask_at: Some(Severity::Warning),
            approve_clean: false,
            actions: Vec::new(),
            read: ReadRules::default(),
        }
    }
}

impl HookSettings {
    /// The per-check, per-prefix and per-category actions: (target, action, line), most specific first.
    pub fn actions(&self) -> impl Iterator<Item = (&str, Decision, u64)> {
        self.actions.iter().map(|(t, d, l)| (t.as_str(), *d, *l))
    }

    /// Validates the section; an error is (line, message).
    pub fn from_def(def: &HookDef) -> Result<HookSettings, (u64, String)> {
        let mut settings = HookSettings::default();
        if let Some(fail) = &def.fail {
            settings.fail = match fail.value.as_str() {
                "closed" => FailMode::Closed,
                "open" => FailMode::Open,
                other => {
                    return Err((
                        fail.referenced.line(),
                        format!("hook.fail: unknown mode `{other}` (expected closed or open)"),
                    ))
                }
            };
        }
        if let Some(audit) = def.audit {
            settings.audit = audit;
        }
        if let Some(path) = &def.audit_log {
            if path.value.trim().is_empty() {
                return Err((
                    path.referenced.line(),
                    "hook.audit_log: empty path (use `audit: false` to turn the log off)".into(),
                ));
            }
            settings.audit_log = Some(PathBuf::from(&path.value));
        }
        if let Some(level) = &def.ask_at {
            settings.ask_at = match level.value.as_str() {
                "never" => None,
                other => Some(other.parse::<Severity>().map_err(|_| {
                    (
                        level.referenced.line(),
                        format!(
                            "hook.ask_at: unknown level `{other}` (expected error, warning, note or never)"
                        ),
                    )
                })?),
            };
        }
        if let Some(approve) = def.approve_clean {
            settings.approve_clean = approve;
        }
        for (target, action) in &def.actions {
            let decision = match action.value.as_str() {
                "allow" => Decision::Allow,
                "ask" => Decision::Ask,
                "deny" => Decision::Deny,
                other => {
                    return Err((
                        action.referenced.line(),
                        format!(
                            "hook.actions.{target}: unknown action `{other}` (expected allow, ask or deny)"
                        ),
                    ))
                }
            };
            settings
                .actions
                .push((target.clone(), decision, action.referenced.line()));
        }
        if let Some(read) = &def.read {
            for (list, into) in [
                (&read.deny, &mut settings.read.deny),
                (&read.allow, &mut settings.read.allow),
            ] {
                for glob in list {
                    if glob.value.trim().is_empty() {
                        return Err((glob.referenced.line(), "hook.read: empty glob".into()));
                    }
                    into.push(glob.value.trim().to_string());
                }
            }
        }
        // A check id beats its prefix, a prefix beats its category: most specific (longest) first.
        settings
            .actions
            .sort_by_key(|(target, _, _)| std::cmp::Reverse(target.len()));
        Ok(settings)
    }

    /// The targets the actions name, with their lines (for checking that they exist).
    pub fn action_targets(&self) -> impl Iterator<Item = (&str, u64)> {
        self.actions.iter().map(|(t, _, line)| (t.as_str(), *line))
    }

    /// The action the configuration names for a check, if any.
    pub fn action_for(&self, check: &str, category: Option<Category>) -> Option<Decision> {
        self.actions
            .iter()
            .find(|(target, _, _)| match category {
                Some(category) => target_covers(target, check, category),
                None => {
                    target == "all"
                        || target == check
                        || (check.starts_with(target.as_str())
                            && check.as_bytes().get(target.len()) == Some(&b'.'))
                }
            })
            .map(|(_, decision, _)| *decision)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<HookSettings, (u64, String)> {
        let def: HookDef = serde_saphyr::from_str(text).expect("parses");
        HookSettings::from_def(&def)
    }

    #[test]
    fn defaults_and_overrides() {
        let settings = parse("fail: open\nask_at: error\nactions:\n  network: allow\n  exec.python.subprocess: deny\n").unwrap();
        assert_eq!(settings.fail, FailMode::Open);
        assert_eq!(settings.ask_at, Some(Severity::Error));
        assert_eq!(
            settings.action_for("network.python.requests", Some(Category::Network)),
            Some(Decision::Allow)
        );
        assert_eq!(
            settings.action_for("exec.python.subprocess", Some(Category::Exec)),
            Some(Decision::Deny)
        );
        assert_eq!(
            settings.action_for("exec.python.os-system", Some(Category::Exec)),
            None
        );
    }

    #[test]
    fn bad_values_name_their_line() {
        let (line, message) = parse("ask_at: warning\nfail: ajar\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(message.contains("ajar"), "{message}");
        let (line, message) = parse("actions:\n  network: maybe\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(message.contains("maybe"), "{message}");
    }
}
