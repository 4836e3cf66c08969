//! Validating the `chain:` section of an attack chain.

use std::borrow::Cow;

use super::{line_of, located, Fault};
use crate::checks::schema::{ChainDef, Within};
use crate::checks::spec::{ChainSpec, RoleSpec};

/// Validates a chain: two parts at least (an install hook alone is one), each naming a check.
pub fn chain(def: &ChainDef) -> Result<ChainSpec, Fault> {
    let line = line_of(&def.within);
    if def.parts.len() < 2 && def.within.value != Within::Hook {
        return Err((line, "a chain needs at least two parts".into()));
    }
    let mut parts = Vec::new();
    for part in &def.parts {
        if part.any.is_empty() {
            return Err((
                line,
                format!("part `{}` names no check in `any`", part.role),
            ));
        }
        parts.push(RoleSpec {
            role: Cow::Owned(part.role.clone()),
            any: Cow::Owned(part.any.iter().map(located).collect()),
        });
    }
    Ok(ChainSpec {
        within: def.within.value,
        lines: def.lines,
        ordered: def.ordered,
        parts: Cow::Owned(parts),
        unless: Cow::Owned(def.unless.iter().map(located).collect()),
    })
}
