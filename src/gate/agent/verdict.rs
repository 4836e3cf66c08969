//! A gate's verdict on one action: the decision, the findings behind it, and the reason text agents show.

use crate::model::Decision;

/// The most an agent is sent as a reason (Claude Code caps injected text at 10,000 characters).
pub const REASON_LIMIT: usize = 9_500;

/// One finding that moves the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The check id.
    pub check: String,
    /// `path:line`, for findings in files.
    pub location: Option<String>,
    /// What was found (already redacted by the engine or the command judge).
    pub message: String,
    /// What this finding asks for.
    pub decision: Decision,
}

/// What the gate answers and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The strongest decision of the items (allow when there are none).
    pub decision: Decision,
    /// Findings that ask or deny, strongest first.
    pub items: Vec<Item>,
    /// A remark on how the action was judged (e.g. an edit that did not apply).
    pub remark: Option<String>,
    /// Set when the verdict comes from a failure (bad input, internal error), not from checks.
    pub failure: Option<String>,
    /// Inline suppression markers the action adds (`path:line marker silences checks -- reason`): they
    /// work, but the reply names each one, even when the action is allowed.
    pub suppressions: Vec<String>,
}

impl Verdict {
    /// The verdict with every message, location, remark and failure passed through `redactor`.
    pub fn redacted(mut self, redactor: &crate::redact::Redactor) -> Verdict {
        let fix = |s: &mut String| {
            if let std::borrow::Cow::Owned(masked) = redactor.redact(s) {
                *s = masked;
            }
        };
        for item in &mut self.items {
            fix(&mut item.message);
            if let Some(location) = &mut item.location {
                fix(location);
            }
        }
        if let Some(remark) = &mut self.remark {
            fix(remark);
        }
        if let Some(failure) = &mut self.failure {
            fix(failure);
        }
        self
    }

    /// A verdict from the items that ask or deny (allow items are dropped).
    pub fn from_items(mut items: Vec<Item>, remark: Option<String>) -> Verdict {
        items.retain(|i| i.decision > Decision::Allow);
        // Strongest first; otherwise keep the order findings came in (path, line).
        items.sort_by_key(|i| std::cmp::Reverse(i.decision));
        let decision = items.first().map_or(Decision::Allow, |i| i.decision);
        Verdict {
            decision,
            items,
            remark,
            failure: None,
            suppressions: Vec::new(),
        }
    }

    /// Nothing to say.
    pub fn allow() -> Verdict {
        Verdict::from_items(Vec::new(), None)
    }

    /// The verdict of a failure under the configured failure mode.
    pub fn failed(decision: Decision, message: String) -> Verdict {
        Verdict {
            decision,
            items: Vec::new(),
            remark: None,
            failure: Some(message),
            suppressions: Vec::new(),
        }
    }

    /// The check ids behind the decision, without repeats, in order.
    pub fn checks(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for item in &self.items {
            if !ids.contains(&item.check.as_str()) {
                ids.push(&item.check);
            }
        }
        ids
    }

    /// The reason agents show: one line per finding (`check path:line message`), capped.
    pub fn reason(&self) -> String {
        if let Some(failure) = &self.failure {
            return format!(
                "review-gate could not judge this action ({failure}); it is {} by the `hook.fail` setting",
                match self.decision {
                    Decision::Deny => "refused",
                    _ => "let through",
                }
            );
        }
        let count = self.items.len();
        if count == 0 && !self.suppressions.is_empty() {
            let mut out =
                "review-gate: this action adds inline suppression markers (needs approval):"
                    .to_string();
            out.push_str(&self.suppression_text());
            return out;
        }
        let mut out = format!(
            "review-gate: {count} finding{} ({}):",
            if count == 1 { "" } else { "s" },
            match self.decision {
                Decision::Deny => "refused",
                Decision::Ask => "needs approval",
                Decision::Allow => "allowed",
            }
        );
        for (shown, item) in self.items.iter().enumerate() {
            let line = match &item.location {
                Some(location) => format!("\n- {} {} {}", item.check, location, item.message),
                None => format!("\n- {} {}", item.check, item.message),
            };
            if out.len() + line.len() > REASON_LIMIT {
                out.push_str(&format!("\n… and {} more", count - shown));
                break;
            }
            out.push_str(&line);
        }
        if let Some(remark) = &self.remark {
            out.push_str(&format!("\n({remark})"));
        }
        out.push_str(&self.suppression_text());
        out
    }

    /// "Suppressions this action adds:" and one line per marker (empty when there are none).
    pub fn suppression_text(&self) -> String {
        if self.suppressions.is_empty() {
            return String::new();
        }
        let mut out = format!(
            "\nSuppressions this action adds ({}):",
            self.suppressions.len()
        );
        for (shown, line) in self.suppressions.iter().enumerate() {
            if out.len() + line.len() > REASON_LIMIT {
                out.push_str(&format!("\n… and {} more", self.suppressions.len() - shown));
                break;
            }
            out.push_str("\n- ");
            out.push_str(line);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(check: &str, decision: Decision) -> Item {
        Item {
            check: check.into(),
            location: Some("a.py:3".into()),
            message: "found".into(),
            decision,
        }
    }

    #[test]
    fn strongest_decision_wins_and_allows_are_dropped() {
        let verdict = Verdict::from_items(
            vec![
                item("x", Decision::Ask),
                item("y", Decision::Allow),
                item("z", Decision::Deny),
            ],
            None,
        );
        assert_eq!(verdict.decision, Decision::Deny);
        assert_eq!(verdict.checks(), vec!["z", "x"]);
        assert_eq!(
            verdict.reason(),
            "review-gate: 2 findings (refused):\n- z a.py:3 found\n- x a.py:3 found"
        );
    }

    #[test]
    fn the_reason_is_capped() {
        let items = (0..2000)
            .map(|i| item(&format!("check.{i}"), Decision::Ask))
            .collect();
        let reason = Verdict::from_items(items, None).reason();
        assert!(reason.len() <= REASON_LIMIT + 40, "{}", reason.len());
        assert!(reason.ends_with("more"));
    }
}
