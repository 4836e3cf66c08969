//! Each agent's answer format. What review-gate prints on standard output is only this JSON (or nothing),
//! always with exit status 0.
//!
//! | agent | deny | ask | no objection |
//! |---|---|---|---|
//! | Claude Code | `hookSpecificOutput.permissionDecision: "deny"` + reason | `"ask"` + reason | nothing (the normal permission flow runs) |
//! | Codex | as Claude Code | deny (Codex does not support `ask` and would run the tool) | nothing |
//! | Cursor | `{"permission":"deny","user_message","agent_message"}` | `"ask"` (deny on `preToolUse`, which does not enforce ask) | `{}` |
//! | Gemini CLI | `{"decision":"deny","reason"}` | `{"decision":"ask","reason","systemMessage"}` | `{}` |
//!
//! With `hook.approve_clean: true` a clean judgement answers an explicit allow instead of no objection
//! (Codex still answers nothing).

use serde_json::json;

use super::input::Agent;
use super::verdict::Verdict;
use crate::model::Decision;

/// The decision an agent can act on: `ask` becomes `deny` where the agent would otherwise run the tool
/// (Codex; Cursor's `preToolUse`; Gemini CLI, whose hook reference knows only allow and deny).
pub fn effective_decision(agent: Agent, event: &str, decision: Decision) -> Decision {
    match (agent, decision) {
        (Agent::Codex | Agent::Gemini, Decision::Ask) => Decision::Deny,
        (Agent::Cursor, Decision::Ask) if event == "preToolUse" => Decision::Deny,
        _ => decision,
    }
}

/// A refusal that needs nothing but the agent: for when even answering a failure failed.
pub fn last_resort_refusal(agent: Agent) -> String {
    refusal(agent, "review-gate: internal error; refused (fail closed)")
}

/// A refusal with `reason`, in the agent's format, that needs nothing but the agent (no input, no
/// configuration): the last resort and the deadline answer.
pub fn refusal(agent: Agent, reason: &str) -> String {
    match agent {
        Agent::Claude | Agent::Codex => json!({"hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": reason,
        }}),
        Agent::Cursor => {
            json!({"permission": "deny", "user_message": reason, "agent_message": reason})
        }
        Agent::Gemini => json!({"decision": "deny", "reason": reason}),
    }
    .to_string()
}

/// The text to print on standard output (None: print nothing).
pub fn render(agent: Agent, event: &str, verdict: &Verdict, approve_clean: bool) -> Option<String> {
    let decision = effective_decision(agent, event, verdict.decision);
    let judged = verdict.failure.is_none();
    let reason = verdict.reason();
    let reason = if decision != verdict.decision {
        format!(
            "{reason}\n(approval is needed, and this agent cannot ask for it from a hook: refused)"
        )
    } else {
        reason
    };
    let explicit_allow = decision == Decision::Allow && approve_clean && judged;
    let allow_reason = "review-gate: no findings".to_string();
    let value = match agent {
        Agent::Claude | Agent::Codex => match decision {
            Decision::Allow if !explicit_allow || agent == Agent::Codex => return None,
            Decision::Allow => json!({"hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": "allow",
                "permissionDecisionReason": allow_reason,
            }}),
            _ => json!({"hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": decision.as_str(),
                "permissionDecisionReason": reason,
            }}),
        },
        Agent::Cursor => match decision {
            Decision::Allow if explicit_allow => json!({"permission": "allow"}),
            Decision::Allow => json!({}),
            _ => json!({
                "permission": decision.as_str(),
                "user_message": reason,
                "agent_message": reason,
            }),
        },
        Agent::Gemini => match decision {
            Decision::Allow if explicit_allow => json!({"decision": "allow"}),
            Decision::Allow => json!({}),
            // `ask` was turned into `deny` above.
            Decision::Ask | Decision::Deny => json!({"decision": "deny", "reason": reason}),
        },
    };
    Some(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::agent::verdict::Item;

    fn verdict(decision: Decision) -> Verdict {
        Verdict::from_items(
            vec![Item {
                check: "c".into(),
                location: None,
                message: "m".into(),
                decision,
            }],
            None,
        )
    }

    #[test]
    fn claude_shapes() {
        let out = render(Agent::Claude, "PreToolUse", &verdict(Decision::Ask), false).unwrap();
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["hookSpecificOutput"]["permissionDecision"], "ask");
        assert_eq!(value["hookSpecificOutput"]["hookEventName"], "PreToolUse");
        assert_eq!(
            render(Agent::Claude, "PreToolUse", &Verdict::allow(), false),
            None
        );
        assert!(render(Agent::Claude, "PreToolUse", &Verdict::allow(), true)
            .unwrap()
            .contains("\"allow\""));
    }

    #[test]
    fn ask_becomes_deny_where_unsupported() {
        let out = render(Agent::Codex, "PreToolUse", &verdict(Decision::Ask), false).unwrap();
        assert!(out.contains("\"deny\""), "{out}");
        let out = render(Agent::Cursor, "preToolUse", &verdict(Decision::Ask), false).unwrap();
        assert!(out.contains("\"permission\":\"deny\""), "{out}");
        let out = render(
            Agent::Cursor,
            "beforeShellExecution",
            &verdict(Decision::Ask),
            false,
        )
        .unwrap();
        assert!(out.contains("\"permission\":\"ask\""), "{out}");
        assert_eq!(
            render(Agent::Codex, "PreToolUse", &Verdict::allow(), true),
            None
        );
    }

    #[test]
    fn the_last_resort_refuses_in_every_agents_format() {
        for (agent, path) in [
            (Agent::Claude, "/hookSpecificOutput/permissionDecision"),
            (Agent::Codex, "/hookSpecificOutput/permissionDecision"),
            (Agent::Cursor, "/permission"),
            (Agent::Gemini, "/decision"),
        ] {
            let value: serde_json::Value =
                serde_json::from_str(&last_resort_refusal(agent)).unwrap();
            assert_eq!(value.pointer(path).and_then(|v| v.as_str()), Some("deny"));
        }
    }
}
