//! Attack chains as data: a chain names the checks whose findings, found together within a scope, make
//! the shape of an attack (`checks/attack/`). [`crate::engine::chains`] finds them.

use super::spec::{ChainSpec, Located};

pub use super::schema::Within;

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

/// Compiles a validated chain, keeping every target with its line to check once all checks are loaded.
pub fn compile(spec: &ChainSpec) -> Chain {
    let located = |t: &Located| (t.text.to_string(), u64::from(t.line));
    let mut targets: Vec<(String, u64)> = spec
        .parts
        .iter()
        .flat_map(|part| part.any.iter().map(located))
        .collect();
    targets.extend(spec.unless.iter().map(located));
    Chain {
        within: spec.within,
        lines: spec.lines,
        ordered: spec.ordered,
        parts: spec
            .parts
            .iter()
            .map(|part| ChainRole {
                role: part.role.to_string(),
                any: part.any.iter().map(|t| t.text.to_string()).collect(),
            })
            .collect(),
        unless: spec.unless.iter().map(|t| t.text.to_string()).collect(),
        targets,
    }
}
