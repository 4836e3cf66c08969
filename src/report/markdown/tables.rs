//! The digest's tables: findings, suppressions and dependencies, every cell escaped.

use std::fmt::Write as _;

use super::escape::{md_code, md_message, md_text};
use super::Links;
use crate::model::{Change, Dependency, Finding, Source};

/// Dependency rows shown at most.
const MAX_DEPENDENCY_ROWS: usize = 200;

pub(super) fn finding_table(out: &mut String, findings: &[&Finding], links: &dyn Links) {
    out.push_str("| Severity | Where | Check | Finding |\n| --- | --- | --- | --- |\n");
    for f in findings {
        if !f.side.is_added() {
            // A removed line is in the old file, which the links do not point to.
            let _ = write!(
                out,
                "| {} | {}:{} (removed line, old file) | {} | {}",
                f.severity,
                md_text(&f.path),
                f.line,
                md_code(&f.check),
                md_message(&f.message)
            );
            if !f.snippet.is_empty() {
                out.push_str("<br>");
                out.push_str(&md_code(&f.snippet));
            }
            out.push_str(" |\n");
            continue;
        }
        let _ = write!(
            out,
            "| {} | [{}:{}]({}) | {} | {}",
            f.severity,
            md_text(&f.path),
            f.line,
            links.line(&f.path, f.line.max(1)),
            md_code(&f.check),
            md_message(&f.message)
        );
        // An attack chain lists its parts, each linked to its line.
        for part in &f.parts {
            let _ = write!(
                out,
                "<br>• {}: {} at [{}:{}]({})",
                md_message(&part.role),
                md_code(&part.check),
                md_text(&part.path),
                part.line,
                links.line(&part.path, part.line.max(1))
            );
        }
        if !f.snippet.is_empty() {
            out.push_str("<br>");
            out.push_str(&md_code(&f.snippet));
        }
        out.push_str(" |\n");
    }
}

/// Suppression rows shown at most.
const MAX_SUPPRESSION_ROWS: usize = 100;

/// "Suppressions this change adds": every inline marker the change adds, what it silenced and why.
pub(super) fn suppression_table(
    out: &mut String,
    suppressions: &[crate::model::Suppression],
    links: &dyn Links,
) {
    if suppressions.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n#### Suppressions this change adds ({})\n\n| Where | Marker | Silences | Reason |\n| --- | --- | --- | --- |",
        suppressions.len()
    );
    for s in suppressions.iter().take(MAX_SUPPRESSION_ROWS) {
        let silenced: Vec<String> = s
            .silenced
            .iter()
            .map(|x| format!("{} (line {})", md_code(&x.check), x.line))
            .collect();
        let _ = writeln!(
            out,
            "| [{}:{}]({}) | {} | {} | {} |",
            md_text(&s.path),
            s.line,
            links.line(&s.path, s.line.max(1)),
            md_code(&s.marker),
            silenced.join("<br>"),
            s.reason
                .as_deref()
                .map_or_else(|| "_no reason given_".to_string(), md_text)
        );
    }
    if suppressions.len() > MAX_SUPPRESSION_ROWS {
        let _ = writeln!(
            out,
            "\n_and {} more suppressions (see `review-gate diff --format json`)._",
            suppressions.len() - MAX_SUPPRESSION_ROWS
        );
    }
}

pub(super) fn dependency_table(out: &mut String, dependencies: &[Dependency], links: &dyn Links) {
    out.push_str("| Package | Ecosystem | Version | Source | Change | Where |\n| --- | --- | --- | --- | --- | --- |\n");
    for d in dependencies.iter().take(MAX_DEPENDENCY_ROWS) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | [{}:{}]({}) |",
            md_code(&d.name),
            d.ecosystem,
            match (&d.from, d.change) {
                (Some(from), change) if change != Change::Added && change != Change::Removed => {
                    format!("{} → {}", md_code(from), md_code(&d.version))
                }
                _ => md_code(&d.version),
            },
            source_name(d.source),
            change_name(d.change),
            md_text(&d.manifest),
            d.line,
            links.line(&d.manifest, d.line.max(1))
        );
    }
    if dependencies.len() > MAX_DEPENDENCY_ROWS {
        let _ = writeln!(
            out,
            "\n_and {} more dependencies (see `review-gate diff --format json`)._",
            dependencies.len() - MAX_DEPENDENCY_ROWS
        );
    }
}

fn source_name(source: Source) -> &'static str {
    match source {
        Source::Registry => "registry",
        Source::Git => "git",
        Source::Url => "url",
        Source::Path => "path",
    }
}

fn change_name(change: Change) -> &'static str {
    change.as_str()
}
