//! The audit log: one JSON line per decision, appended under an exclusive lock with a single write, so
//! agents running side by side never interleave lines. It never holds file content: a command is
//! logged with its secrets masked, a file change by its path.
//!
//! It lives out of the work tree, where `git add -A` cannot commit it: `review-gate/audit.jsonl` in the
//! repository's common git directory, or the user's state directory outside a repository. A configured
//! path inside the work tree that git does not ignore is not used (the default place is, with a
//! warning). At 10 MiB the log moves to `audit.jsonl.1` and a new one starts.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// One logged decision.
#[derive(Debug, Serialize)]
pub struct Record<'a> {
    /// When, RFC 3339 in UTC.
    pub time: String,
    /// The agent's session (or conversation) id.
    pub session: Option<&'a str>,
    /// `claude`, `codex`, `cursor` or `gemini`.
    pub agent: &'a str,
    /// The hook event.
    pub event: Option<&'a str>,
    /// The tool.
    pub tool: Option<&'a str>,
    /// The command, secrets masked (shell actions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<&'a str>,
    /// The files changed (file actions), relative to the project.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// `allow`, `ask` or `deny` as answered to the agent, or `no-objection` when the gate answered
    /// nothing to object to and left the agent's own permission flow to decide.
    pub decision: &'a str,
    /// The checks behind it.
    pub checks: Vec<&'a str>,
    /// Why the gate could not judge, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
}

/// The size at which the log is rotated.
pub const ROTATE_AT: u64 = 10 * 1024 * 1024;

/// Where the log goes for the project at `root`: `configured` (relative to `root`) when it lies outside
/// the work tree or git ignores it, else the default place. The second value is a warning to print.
pub fn location(root: &Path, configured: Option<&Path>) -> (PathBuf, Option<String>) {
    let repo = git2::Repository::discover(root).ok();
    let default = || default_location(repo.as_ref());
    let Some(configured) = configured else {
        return (default(), None);
    };
    let path = if configured.is_absolute() {
        configured.to_path_buf()
    } else {
        root.join(configured)
    };
    let Some(repo) = &repo else {
        return (path, None);
    };
    let Some(workdir) = repo.workdir() else {
        return (path, None);
    };
    let clean = |p: &Path| crate::source::proposed::display_path(p, Path::new("/"));
    let (work, full) = (clean(workdir), clean(&path));
    let inside = full == work || full.starts_with(&format!("{}/", work.trim_end_matches('/')));
    if !inside {
        return (path, None);
    }
    let rel = &full[work.trim_end_matches('/').len()..].trim_start_matches('/');
    if repo.is_path_ignored(Path::new(rel)).unwrap_or(false) {
        return (path, None);
    }
    let fallback = default_location(Some(repo));
    let warning = format!(
        "hook.audit_log {} is inside the work tree and not ignored by git, so it could be committed \
         with every command the agent ran; logging to {} instead (ignore the file, or move it out)",
        configured.display(),
        fallback.display()
    );
    (fallback, Some(warning))
}

/// `review-gate/audit.jsonl` in the common git directory (shared by every worktree), or in the user's
/// state directory (`$XDG_STATE_HOME`, `~/.local/state`, `%LOCALAPPDATA%`) outside a repository.
fn default_location(repo: Option<&git2::Repository>) -> PathBuf {
    let name = crate::policy::hook::DEFAULT_AUDIT_LOG;
    if let Some(repo) = repo {
        return repo.commondir().join("review-gate").join(name);
    }
    let var = |n: &str| {
        std::env::var_os(n)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let state = var("XDG_STATE_HOME")
        .or_else(|| var("HOME").map(|h| h.join(".local").join("state")))
        .or_else(|| var("LOCALAPPDATA"))
        .unwrap_or_else(std::env::temp_dir);
    state.join("review-gate").join(name)
}

/// Appends one record; the error says which file could not be written.
pub fn append(path: &Path, record: &Record<'_>) -> Result<(), String> {
    let mut value = serde_json::to_value(record).map_err(|e| e.to_string())?;
    // Commands are masked by the secret checks already; this catches URL userinfo and token shapes in
    // anything else (paths, error messages).
    crate::redact::Redactor::default().redact_json(&mut value);
    let mut line = serde_json::to_vec(&value).map_err(|e| e.to_string())?;
    line.push(b'\n');
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    file.lock()
        .map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
    // Rotation under the lock: a writer that opened the old file first appends to the rotated one.
    if file.metadata().is_ok_and(|m| m.len() >= ROTATE_AT) {
        let mut rotated = path.as_os_str().to_owned();
        rotated.push(".1");
        if std::fs::rename(path, &rotated).is_ok() {
            let _ = file.unlock();
            file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
            file.lock()
                .map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
        }
    }
    let written = file
        .write_all(&line)
        .map_err(|e| format!("cannot write {}: {e}", path.display()));
    let _ = file.unlock();
    written
}

/// The current time as RFC 3339 in UTC, to the second (`2026-11-25T14:03:07Z`).
pub fn now_rfc3339() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(seconds)
}

/// Formats seconds since the Unix epoch as RFC 3339 in UTC.
pub fn rfc3339(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_rotates_at_its_size_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, vec![b'x'; ROTATE_AT as usize]).unwrap();
        let record = Record {
            time: "t".into(),
            session: None,
            agent: "claude",
            event: None,
            tool: None,
            command: None,
            paths: Vec::new(),
            decision: "no-objection",
            checks: Vec::new(),
            error: None,
        };
        append(&path, &record).unwrap();
        let rotated = dir.path().join("audit.jsonl.1");
        assert_eq!(std::fs::metadata(&rotated).unwrap().len(), ROTATE_AT);
        let fresh = std::fs::read_to_string(&path).unwrap();
        assert_eq!(fresh.lines().count(), 1, "{fresh}");
    }

    #[test]
    fn the_default_log_is_in_the_git_directory() {
        let dir = tempfile::tempdir().unwrap();
        git2::Repository::init(dir.path()).unwrap();
        let (path, warning) = location(dir.path(), None);
        assert!(warning.is_none());
        assert!(
            path.ends_with(".git/review-gate/audit.jsonl"),
            "{}",
            path.display()
        );
        let (path, warning) = location(dir.path(), Some(Path::new("logs/gate.jsonl")));
        assert!(
            path.ends_with(".git/review-gate/audit.jsonl"),
            "{}",
            path.display()
        );
        assert!(warning.unwrap().contains("not ignored"));
        std::fs::write(dir.path().join(".gitignore"), "logs/\n").unwrap();
        let (path, warning) = location(dir.path(), Some(Path::new("logs/gate.jsonl")));
        assert!(path.ends_with("logs/gate.jsonl") && warning.is_none());
    }

    #[test]
    fn formats_utc_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_615_387), "2026-11-25T14:03:07Z");
    }
}
