//! The audit log: one JSON line per decision, appended under an exclusive lock with a single write, so
//! agents running side by side never interleave lines. It never holds file content: a command is
//! logged with its secrets masked, a file change by its path.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
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
    /// `allow`, `ask` or `deny` (as answered to the agent).
    pub decision: &'a str,
    /// The checks behind it.
    pub checks: Vec<&'a str>,
    /// Why the gate could not judge, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
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
    fn formats_utc_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_615_387), "2026-11-25T14:03:07Z");
    }
}
