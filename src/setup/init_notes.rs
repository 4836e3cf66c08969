//! What `init` tells the user beyond the entries it wrote: whether review-gate is on PATH, each agent's
//! next step, and a Codex hook already declared inline in `.codex/config.toml`.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};

use crate::gate::agent::input::Agent;

/// Codex also reads hooks from inline `[hooks]` tables of `.codex/config.toml`: when review-gate is
/// already there, writing hooks.json too would run it twice.
pub(super) fn codex_inline_hook(config: &Path) -> Result<Option<String>> {
    let text = match std::fs::read_to_string(config) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => bail!("cannot read {}: {e}", config.display()),
    };
    let value: toml::Table = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
            .unwrap_or(1);
        anyhow!(
            "{} is not valid TOML (line {line}: {}); fix it first; nothing was changed",
            config.display(),
            e.message()
        )
    })?;
    let found = value.get("hooks").is_some_and(mentions_agent_hook);
    Ok(found.then(|| {
        format!(
            "{} already runs review-gate's agent gate in its [hooks] tables: nothing changed",
            config.display()
        )
    }))
}

fn mentions_agent_hook(value: &toml::Value) -> bool {
    match value {
        toml::Value::String(s) => s.contains("review-gate") && s.contains("agent-hook"),
        toml::Value::Array(items) => items.iter().any(mentions_agent_hook),
        toml::Value::Table(table) => table.values().any(mentions_agent_hook),
        _ => false,
    }
}

/// What the user must know after `init`: the binary must be on PATH, and agent-specific steps.
pub(super) fn notes(agent: Agent) -> Vec<String> {
    let mut notes = Vec::new();
    match find_on_path("review-gate") {
        Some(found) => notes.push(format!(
            "the agent runs `review-gate` from its PATH (found: {})",
            found.display()
        )),
        None => notes.push(
            "warning: review-gate is not on PATH; the agent runs `review-gate agent-hook` from its PATH, \
             so install it there (`cargo install --locked --path .`)"
                .to_string(),
        ),
    }
    match agent {
        Agent::Codex => notes.push(
            "Codex runs a project's hooks only in a trusted project, after you review them in `/hooks`"
                .to_string(),
        ),
        Agent::Claude => notes.push(
            "Claude Code picks the hooks up in new sessions; `/hooks` lists them".to_string(),
        ),
        Agent::Gemini => notes.push(
            "Gemini CLI releases that do not run hooks by default need `\"hooksConfig\": {\"enabled\": true}` \
             in settings.json (before that: `\"tools\": {\"enableHooks\": true}`)"
                .to_string(),
        ),
        Agent::Cursor => {}
    }
    notes
}

/// The first executable named `name` in the directories of PATH.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}
