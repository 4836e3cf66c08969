//! Severity from novelty, in one place: a warning about a capability the file's old version already had
//! (the fortieth `requests.get` in a module that talks HTTP through `requests`) becomes a note, unless
//! it is risky in itself. What "risky in itself" means comes from the checks, not from a list here:
//!
//! - the finding's severity is above its check's base severity (an `adjust` condition raised it: a shell
//!   string built from variables, eval of input, a secret-looking variable name);
//! - its check is marked `novelty: always-report` (TLS verification off, a known exfiltration host);
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
    let by_id: HashMap<&str, &crate::checks::Check> = checks
        .checks
        .iter()
        .map(|c| (&*c.meta.id, c))
        .collect();
    for f in findings {
        if f.novelty != Novelty::Existing || f.severity != Severity::Warning {
            continue;
        }
        let Some(check) = by_id.get(f.check.as_str()) else {
            continue;
        };
        let raised = f.severity > check.meta.severity;
        if raised || check.meta.always_report || policy.overrides_severity(f) {
            continue;
        }
        f.original_severity.get_or_insert(f.severity);
        f.severity = Severity::Note;
    }
}
