//! Severity from novelty, in one place: a warning about a capability the file's old version already had
//! at that severity (the fortieth `requests.get` of a computed URL in a module that already fetched
//! computed URLs through `requests`) becomes a note, unless it is risky in itself. What "risky in itself"
//! means comes from the checks, not from a list here:
//!
//! - context that raises a severity (an `adjust` condition: a shell string built from variables, eval of
//!   input, a secret-looking variable name) is part of novelty already: a finding is existing only when
//!   the old version had the capability at the same severity or above;
//! - a check marked `novelty: always-report` keeps its severity (TLS verification off, a known
//!   exfiltration host, SSH host keys not checked);
//! - the configuration sets the check's severity (`overrides:`): what a person chose stays.
//!
//! Errors are never lowered, and a lowered finding keeps its severity before in
//! [`Finding::original_severity`].

use std::collections::HashMap;

use crate::checks::CheckSet;
use crate::model::{Finding, Novelty, Severity};

use super::Policy;

/// Lowers the existing-capability warnings of `findings` to notes (see the module's documentation).
pub fn lower(findings: &mut [Finding], checks: &CheckSet, policy: &Policy) {
    if !findings
        .iter()
        .any(|f| f.novelty == Novelty::Existing && f.severity == Severity::Warning)
    {
        return;
    }
    let by_id: HashMap<&str, &crate::checks::Check> =
        checks.checks.iter().map(|c| (&*c.meta.id, c)).collect();
    for f in findings {
        if f.novelty != Novelty::Existing || f.severity != Severity::Warning {
            continue;
        }
        let Some(check) = by_id.get(f.check.as_str()) else {
            continue;
        };
        if check.meta.always_report || policy.overrides_severity(f) {
            continue;
        }
        f.original_severity.get_or_insert(f.severity);
        f.severity = Severity::Note;
    }
}

/// Raises the first finding of each network or process-start capability a production file gains (a new
/// file, or one whose old version had none of it) from a note to a warning: that is the headline a
/// reviewer wants ("`pkg/upload` starts making HTTP requests"), however routine the call looks. Later
/// findings of the same capability in the file stay notes, and nothing is raised where the old version
/// is unknown (a scan, a bare patch), in tests, docs or generated files, where the configuration set
/// the check's severity, or for what a change removes (no capability is gained). Runs after the roles,
/// so a role's cap holds.
pub fn raise_first(findings: &mut [Finding], policy: &Policy) {
    use crate::model::{capability_key, Category, Role};
    let mut seen: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
    // Every capability a file already shows at warning or above needs no headline.
    for f in findings.iter() {
        if f.severity >= Severity::Warning && f.side.is_added() {
            seen.insert((f.path.clone(), capability_key(&f.check).to_string()));
        }
    }
    for f in findings.iter_mut() {
        // A removed line takes a capability away: never a headline.
        let headline = matches!(f.category, Category::Network | Category::Exec)
            && f.side.is_added()
            && f.novelty == Novelty::New
            && f.side == crate::model::Side::Added
            && f.role == Role::Production
            && f.severity == Severity::Note
            && f.original_severity.is_none()
            && f.role_lowered_from.is_none()
            && !policy.overrides_severity(f);
        if !headline || !seen.insert((f.path.clone(), capability_key(&f.check).to_string())) {
            continue;
        }
        f.original_severity = Some(f.severity);
        f.severity = Severity::Warning;
        f.message.push_str(" (first in this file)");
    }
}
