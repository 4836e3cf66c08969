//! `review-gate init <agent> --status`: whether the agent gate is in the agent's hook settings, the
//! project's and the user's. Only a report: the gates themselves never read user-level configuration
//! (see docs/agent-gate.md, "Project files and user-level files").

use std::path::Path;

use serde_json::Value;

use super::init::Agent;

/// The hook settings files of `agent` that can run (or turn off) the gate, relative to a base.
fn files(agent: Agent) -> Vec<&'static str> {
    let mut files = vec![agent.settings_file()];
    match agent {
        Agent::Claude => files.push(".claude/settings.local.json"),
        Agent::Codex => files.push(".codex/config.toml"),
        Agent::Cursor | Agent::Gemini => {}
    }
    files
}

/// One line per settings file, project first, then the user's (`home`, when known): its path and
/// whether it runs the agent gate.
pub fn status(agent: Agent, project: &Path, home: Option<&Path>) -> Vec<String> {
    let mut lines = Vec::new();
    for (level, base) in [("project", Some(project)), ("user", home)] {
        let Some(base) = base else {
            lines.push(format!(
                "{level:<8} HOME is not set: the user's settings cannot be found"
            ));
            continue;
        };
        for file in files(agent) {
            let path = base.join(file);
            lines.push(format!(
                "{level:<8} {}: {}",
                path.display(),
                describe(agent, &path)
            ));
        }
    }
    lines
}

/// What one settings file says about the gate.
fn describe(agent: Agent, path: &Path) -> String {
    let Ok(text) = std::fs::read_to_string(path) else {
        return "absent".into();
    };
    let mut notes = Vec::new();
    if text.contains(&agent.hook_command()) {
        notes.push("runs the agent gate".to_string());
    } else if text.contains("review-gate agent-hook") {
        notes.push("runs the agent gate with another agent's `--agent`".to_string());
    } else {
        notes.push("no review-gate hook".to_string());
    }
    let json: Option<Value> = serde_json::from_str(&text).ok();
    if json
        .as_ref()
        .and_then(|v| v.get("disableAllHooks"))
        .and_then(Value::as_bool)
        == Some(true)
    {
        notes.push("but `disableAllHooks` turns every hook off".to_string());
    }
    if json.is_none() && path.extension().is_some_and(|e| e == "json") {
        notes.push("(not valid JSON)".to_string());
    }
    notes.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_each_level() {
        let project = tempfile::tempdir().unwrap();
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(project.path().join(".claude")).unwrap();
        std::fs::write(
            project.path().join(".claude/settings.json"),
            r#"{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"review-gate agent-hook --agent claude"}]}]}}"#,
        )
        .unwrap();
        std::fs::create_dir_all(home.path().join(".claude")).unwrap();
        std::fs::write(
            home.path().join(".claude/settings.json"),
            r#"{"disableAllHooks": true}"#,
        )
        .unwrap();
        let lines = status(Agent::Claude, project.path(), Some(home.path()));
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert!(lines[0].starts_with("project") && lines[0].ends_with("runs the agent gate"));
        assert!(lines[1].ends_with("absent"), "{}", lines[1]);
        assert!(lines[2].starts_with("user") && lines[2].contains("no review-gate hook"));
        assert!(lines[2].contains("disableAllHooks"), "{}", lines[2]);
        let none = status(Agent::Gemini, project.path(), None);
        assert!(none[1].contains("HOME is not set"), "{none:?}");
    }
}
