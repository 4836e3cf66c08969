//! The checks whose findings the engine produces itself must exist: the dependency analysis names its
//! findings by [`DependencyFinding`], and a set without one of them is refused at load.

use super::{Check, DefinitionError};
use crate::model::{AgentFinding, DependencyFinding};

/// An error naming the first [`AgentFinding`] that no `produced_by` check of `checks` describes.
pub fn missing_agent_check(checks: &[Check]) -> Option<DefinitionError> {
    let missing = AgentFinding::ALL.into_iter().find(|finding| {
        !checks
            .iter()
            .any(|c| c.meta.id == finding.id() && c.is_produced())
    })?;
    Some(DefinitionError {
        file: "checks/agent".to_string(),
        line: 0,
        check: Some(missing.id().to_string()),
        message: format!(
            "the agent configuration review reports `{}`, but no check with that id and \
             `produced_by: agent` is loaded",
            missing.id()
        ),
    })
}

/// An error naming the first [`DependencyFinding`] that no `produced_by` check of `checks` describes.
pub fn missing_dependency_check(checks: &[Check]) -> Option<DefinitionError> {
    let missing = DependencyFinding::ALL.into_iter().find(|finding| {
        !checks
            .iter()
            .any(|c| c.meta.id == finding.id() && c.is_produced())
    })?;
    Some(DefinitionError {
        file: "checks/dependency.yml".to_string(),
        line: 0,
        check: Some(missing.id().to_string()),
        message: format!(
            "the dependency analysis reports `{}`, but no check with that id and \
             `produced_by: dependencies` is loaded",
            missing.id()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_checks_describe_every_dependency_finding() {
        let checks = crate::checks::load(&[]).unwrap();
        assert!(missing_dependency_check(&checks).is_none());
    }

    #[test]
    fn the_built_in_checks_describe_every_agent_finding() {
        let checks = crate::checks::load(&[]).unwrap();
        assert!(missing_agent_check(&checks).is_none());
    }

    #[test]
    fn a_missing_dependency_check_is_named() {
        let mut checks = crate::checks::load(&[]).unwrap();
        checks.retain(|c| c.meta.id != "dependency.index");
        let error = missing_dependency_check(&checks).expect("dependency.index is missing");
        assert_eq!(error.check.as_deref(), Some("dependency.index"));
        assert!(
            error.message.contains("produced_by: dependencies"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_pattern_check_with_the_id_does_not_count() {
        let mut checks = crate::checks::load(&[]).unwrap();
        let pattern = checks
            .iter()
            .find(|c| c.pattern().is_some())
            .map(|c| c.kind.clone())
            .unwrap();
        for check in &mut checks {
            if check.meta.id == "dependency.proc-macro" {
                check.kind = pattern.clone();
            }
        }
        let error = missing_dependency_check(&checks).expect("not produced by the engine");
        assert_eq!(error.check.as_deref(), Some("dependency.proc-macro"));
    }
}
