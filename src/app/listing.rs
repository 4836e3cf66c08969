//! The `checks` listing and `explain`.

use crate::checks::Check;
use crate::cli::ListFormat;

/// The `checks` listing.
pub fn list_checks(checks: &[Check], format: ListFormat) -> String {
    match format {
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = checks
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.meta.id, "category": c.meta.category.as_str(), "severity": c.meta.severity.as_str(),
                        "languages": c.meta.languages.as_ref().map(|l| l.iter().map(|l| l.name()).collect::<Vec<_>>()),
                        "message": c.meta.message, "cwe": c.meta.cwe,
                        "action": c.action().map(|a| a.as_str()),
                    })
                })
                .collect();
            let mut out = serde_json::to_string_pretty(&rows).expect("serializes");
            out.push('\n');
            out
        }
        ListFormat::Markdown => {
            let mut out = String::from(
                "| id | category | severity | languages | finds |\n|---|---|---|---|---|\n",
            );
            for c in checks {
                let message = c.meta.message.replace('|', "\\|");
                out.push_str(&format!(
                    "| `{}` | {} | {} | {} | {} |\n",
                    c.meta.id,
                    c.meta.category,
                    c.meta.severity,
                    applies_to(c),
                    message
                ));
            }
            out
        }
        ListFormat::Text => {
            let width = checks.iter().map(|c| c.meta.id.len()).max().unwrap_or(2);
            let mut out = String::new();
            for c in checks {
                out.push_str(&format!(
                    "{:<width$}  {:<14}  {:<7}  {}\n",
                    c.meta.id,
                    c.meta.category.as_str(),
                    c.meta.severity.as_str(),
                    applies_to(c)
                ));
            }
            out.push_str(&format!("{} checks\n", checks.len()));
            out
        }
    }
}

/// The languages a check applies to; for command checks, the action the agent gate takes.
fn applies_to(check: &Check) -> String {
    match check.action() {
        Some(action) => format!("commands: {}", action.as_str()),
        None => check.language_names(),
    }
}

/// How `adjust` conditions change a check's severity, for `explain`: "error when <reason>" for each
/// condition with a reason (each once), and "note in 2 other contexts" for those without one — never an
/// empty reason.
fn adjustments(check: &Check) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut unexplained: std::collections::BTreeMap<
        std::cmp::Reverse<crate::model::Severity>,
        usize,
    > = Default::default();
    for a in check.pattern().map_or(&[][..], |p| p.adjust()) {
        let Some(severity) = a.severity else {
            continue;
        };
        match a.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(reason) => {
                let line = format!("{severity} when {reason}");
                if !out.contains(&line) {
                    out.push(line);
                }
            }
            None => *unexplained.entry(std::cmp::Reverse(severity)).or_insert(0) += 1,
        }
    }
    let other = if out.is_empty() { "" } else { "other " };
    for (std::cmp::Reverse(severity), n) in unexplained {
        let contexts = if n == 1 { "context" } else { "contexts" };
        out.push(format!("{severity} in {n} {other}{contexts}"));
    }
    out
}

/// The `explain` text of a check.
pub fn explain(check: &Check) -> String {
    let mut out = format!("{}\n\n", check.meta.id);
    out.push_str(&format!("  category:  {}\n", check.meta.category));
    out.push_str(&format!("  severity:  {}", check.meta.severity));
    let adjusted = adjustments(check);
    if !adjusted.is_empty() {
        out.push_str(&format!(
            " (raised or lowered by context: {})",
            adjusted.join("; ")
        ));
    }
    out.push('\n');
    if let Some(chain) = check.chain() {
        out.push_str(&format!(
            "  found by:  findings of other checks together within one {}{}:\n",
            chain.within.as_str(),
            chain
                .lines
                .map(|n| format!(" and {n} lines"))
                .unwrap_or_default()
        ));
        for part in &chain.parts {
            out.push_str(&format!("    - {}: {}\n", part.role, part.any.join(", ")));
        }
        if !chain.unless.is_empty() {
            out.push_str(&format!("    unless: {}\n", chain.unless.join(", ")));
        }
    } else if check.is_signal() {
        out.push_str(&format!(
            "  languages: {}\n  signal:    feeds attack chains; not reported on its own\n",
            check.language_names()
        ));
    } else if let Some(action) = check.action() {
        out.push_str(&format!("  action:    {} (agent gate)\n", action.as_str()));
        out.push_str("  looks at:  each simple command of a shell command an agent proposes\n");
    } else if matches!(
        check.kind,
        crate::checks::CheckKind::Produced(crate::checks::schema::ProducedBy::Agent)
    ) {
        out.push_str(
            "  found by:  the agent configuration review (old and new version of each MCP configuration and agent settings file)\n",
        );
    } else if let crate::checks::CheckKind::Produced(producer) = check.kind {
        out.push_str(&format!("  found by:  {}\n", producer.described()));
    } else {
        out.push_str(&format!("  languages: {}\n", check.language_names()));
        let scope = check
            .pattern()
            .map_or(crate::checks::Scope::Code, |p| p.scope);
        out.push_str(&format!("  looks in:  {}\n", scope.as_str()));
    }
    if check.meta.always_report {
        out.push_str(
            "  novelty:   always reported, even where the file already had the capability\n",
        );
    }
    if let Some(cwe) = &check.meta.cwe {
        out.push_str(&format!("  cwe:       {cwe}\n"));
    }
    out.push_str(&format!("  message:   {}\n", check.meta.message));
    out.push_str(&format!("  defined in {}\n\n", check.meta.source));
    out.push_str(&check.meta.help.to_text());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_never_prints_an_empty_reason() {
        let checks = crate::checks::load_checked(&[]).expect("checks load");
        let mut adjusted = 0;
        for check in &checks {
            let text = explain(check);
            let line = text.lines().find(|l| l.contains("severity:")).unwrap();
            assert!(
                !line.contains(" ;") && !line.contains("; ;") && !line.ends_with("; )"),
                "{line}"
            );
            assert!(
                !line.contains("when )") && !line.contains("when ;"),
                "{line}"
            );
            if line.contains("by context") {
                adjusted += 1;
            }
        }
        assert!(adjusted > 0);
        // A check with adjust conditions without reasons says how many.
        let check = checks
            .iter()
            .find(|c| c.meta.id.as_ref() == "env.python.environ-get")
            .unwrap();
        let text = explain(check);
        assert!(text.contains("context"), "{text}");
    }
}
