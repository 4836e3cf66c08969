//! Attack chains as data: a chain names the checks whose findings, found together within a scope, make
//! the shape of an attack (`checks/attack/`). [`crate::engine::chains`] finds them.

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::compile::Check;

/// The `chain:` section of a check definition, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainDef {
    /// Where the parts must lie together: `file`, `step` (a workflow step, a Dockerfile instruction, a
    /// Makefile rule; elsewhere the file) or `hook` (an install hook: the line declaring it, the file it
    /// sits in when that is code, and the files its command names).
    pub within: Spanned<String>,
    /// The parts must also lie within this many lines of the last part.
    #[serde(default)]
    pub lines: Option<u32>,
    /// The other parts must come before the last one (or on its line): a download before what runs it.
    #[serde(default)]
    pub ordered: bool,
    /// The parts, each a role and the checks (ids, id prefixes or categories) that can play it. The
    /// chain's finding sits on the last part.
    pub parts: Vec<ChainPartDef>,
    /// Checks whose finding within the same scope means there is no chain (a checksum verified, ...).
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
}

/// One part of a chain, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainPartDef {
    /// What the part does in the attack: `secret read`, `network send`, ...
    pub role: String,
    /// Checks that can play it: ids, id prefixes or category names.
    pub any: Vec<Spanned<String>>,
}

/// Where the parts of a chain must lie together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Within {
    /// The same file.
    File,
    /// The same workflow step, Dockerfile instruction or Makefile rule (the file elsewhere).
    Step,
    /// An install hook and the code it runs.
    Hook,
}

impl Within {
    /// The name used in check files.
    pub fn as_str(self) -> &'static str {
        match self {
            Within::File => "file",
            Within::Step => "step",
            Within::Hook => "hook",
        }
    }
}

/// A compiled chain.
#[derive(Debug, Clone)]
pub struct Chain {
    /// The scope.
    pub within: Within,
    /// Line window around the last part, if any.
    pub lines: Option<u32>,
    /// The other parts come before the last one.
    pub ordered: bool,
    /// The roles, in order.
    pub parts: Vec<ChainRole>,
    /// Targets whose presence cancels the chain.
    pub unless: Vec<String>,
    /// Every target with its line in the check file, to validate once all checks are loaded.
    pub targets: Vec<(String, u64)>,
}

/// One compiled role of a chain.
#[derive(Debug, Clone)]
pub struct ChainRole {
    /// What the part does.
    pub role: String,
    /// Ids, id prefixes or categories of the checks that can play it.
    pub any: Vec<String>,
}

/// Compiles a chain definition; errors carry the line of the offending key.
pub fn compile(def: ChainDef) -> Result<Chain, (u64, String)> {
    let within = match def.within.value.as_str() {
        "file" => Within::File,
        "step" => Within::Step,
        "hook" => Within::Hook,
        other => {
            return Err((
                def.within.referenced.line(),
                format!("unknown `within` value `{other}` (expected file, step or hook)"),
            ))
        }
    };
    if def.parts.len() < 2 && def.within.value != "hook" {
        return Err((
            def.within.referenced.line(),
            "a chain needs at least two parts".into(),
        ));
    }
    let mut targets = Vec::new();
    let mut parts = Vec::new();
    for part in def.parts {
        if part.any.is_empty() {
            return Err((
                def.within.referenced.line(),
                format!("part `{}` names no check in `any`", part.role),
            ));
        }
        targets.extend(
            part.any
                .iter()
                .map(|t| (t.value.clone(), t.referenced.line())),
        );
        parts.push(ChainRole {
            role: part.role,
            any: part.any.into_iter().map(|t| t.value).collect(),
        });
    }
    targets.extend(
        def.unless
            .iter()
            .map(|t| (t.value.clone(), t.referenced.line())),
    );
    Ok(Chain {
        within,
        lines: def.lines,
        ordered: def.ordered,
        parts,
        unless: def.unless.into_iter().map(|t| t.value).collect(),
        targets,
    })
}

/// Whether a finding of `check` can play a role named by `targets`.
pub fn plays(targets: &[String], check: &Check) -> bool {
    targets
        .iter()
        .any(|t| crate::model::target_covers(t, &check.id, check.category))
}

/// The first target of a chain that names no loaded check, with its line.
pub fn unknown_target<'a>(chain: &'a Chain, checks: &[Check]) -> Option<&'a (String, u64)> {
    chain.targets.iter().find(|(target, _)| {
        !checks
            .iter()
            .filter(|c| c.chain.is_none())
            .any(|c| crate::model::target_covers(target, &c.id, c.category))
    })
}
