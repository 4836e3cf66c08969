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
    /// The audit log (relative paths are under the project directory).
    pub audit_log: PathBuf,
    /// Findings at least this severe ask (None: only secrets and explicit actions count).
    pub ask_at: Option<Severity>,
    /// Answer an explicit "allow" when nothing is found (default: say nothing, so the agent's own
    /// permission prompt still applies).
    pub approve_clean: bool,
    /// Per-check, per-prefix or per-category actions: (target, action, line), most specific first.
    actions: Vec<(String, Decision, u64)>,
}

/// The default audit log, under the project directory.
pub const DEFAULT_AUDIT_LOG: &str = ".review-gate/audit.jsonl";

impl Default for HookSettings {
    fn default() -> Self {
        HookSettings {
            fail: FailMode::Closed,
            audit: true,
            audit_log: PathBuf::from(DEFAULT_AUDIT_LOG),
            ask_at: Some(Severity::Warning),
            approve_clean: false,
            actions: Vec::new(),
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
            settings.audit_log = PathBuf::from(&path.value);
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
