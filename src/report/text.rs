//! The text report: one block per finding (`path:line:col: severity[check] message`, the line, a marker
//! under the match) and a closing summary. Colors only when asked (the caller decides from the terminal
//! and `NO_COLOR`).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::Review;
use crate::model::Severity;

/// Renders the review; `color` adds ANSI styles.
pub fn render(review: &Review, color: bool) -> String {
    let paint = |style: Style, text: &str| -> String {
        if color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    };
    let bold = Style::new().bold();
    let dim = AnsiColor::Blue.on_default().bold();
    let mut out = String::new();
    for f in &review.findings {
        let level_style = severity_style(f.severity);
        let _ = writeln!(
            out,
            "{}: {} {}",
            paint(bold, &format!("{}:{}:{}", f.path, f.line, f.column)),
            paint(level_style, &format!("{}[{}]", f.severity, f.check)),
            f.message
        );
        let gutter = f.line.to_string().len();
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{} {}", pad, paint(dim, "|"));
        let _ = writeln!(
            out,
            "{} {} {}",
            paint(dim, &f.line.to_string()),
            paint(dim, "|"),
            f.snippet
        );
        let marker = format!(
            "{}{}",
            " ".repeat(f.snippet_column as usize),
            "^".repeat(f.snippet_width.max(1) as usize)
        );
        let _ = writeln!(
            out,
            "{} {} {}",
            pad,
            paint(dim, "|"),
            paint(level_style, &marker)
        );
        for part in &f.parts {
            let _ = writeln!(
                out,
                "{} {} {}: {} at {}:{}",
                pad,
                paint(dim, "="),
                part.role,
                part.check,
                part.path,
                part.line
            );
        }
        out.push('\n');
    }
    out.push_str(&summary_line(review, &paint));
    out.push_str(&dependency_line(review));
    out.push_str(&skipped_lines(review));
    out
}

/// The paths not reviewed as text, named (at most [`super::SKIPPED_SHOWN`] of each kind here; the JSON
/// report lists all).
fn skipped_lines(review: &Review) -> String {
    let s = &review.summary.skipped;
    let mut out = String::new();
    let mut list = |what: &str, paths: &[String]| {
        if !paths.is_empty() {
            let _ = writeln!(out, "{what}: {}.", super::name_paths(paths));
        }
    };
    list(
        "Binary, not reviewed line by line (searched for secrets)",
        &s.binary_paths,
    );
    list(
        "Only partly searched for secrets (too large)",
        &s.partly_searched,
    );
    list("Submodules or symlinks, not reviewed", &s.non_text_paths);
    out
}

/// "Dependencies added or changed: …" with at most ten of them named.
fn dependency_line(review: &Review) -> String {
    const SHOWN: usize = 10;
    if review.dependencies.is_empty() {
        return String::new();
    }
    let named: Vec<String> = review
        .dependencies
        .iter()
        .take(SHOWN)
        .map(|d| {
            let version = if d.version.is_empty() {
                String::new()
            } else {
                format!(" {}", d.version)
            };
            format!(
                "{} {}{version} ({}:{})",
                d.ecosystem, d.name, d.manifest, d.line
            )
        })
        .collect();
    let more = review.dependencies.len().saturating_sub(SHOWN);
    let tail = if more > 0 {
        format!(", and {more} more")
    } else {
        String::new()
    };
    format!(
        "{} added or changed: {}{tail}.\n",
        plural(review.dependencies.len(), "dependency").replace("dependencys", "dependencies"),
        named.join(", ")
    )
}

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Error => AnsiColor::Red.on_default().bold(),
        Severity::Warning => AnsiColor::Yellow.on_default().bold(),
        Severity::Note => AnsiColor::Cyan.on_default().bold(),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn summary_line(review: &Review, paint: &dyn Fn(Style, &str) -> String) -> String {
    let s = &review.summary;
    let mut out = String::new();
    let reviewed = format!(
        "{} with {} added",
        plural(s.files, "file"),
        plural(s.added_lines, "line")
    );
    if review.findings.is_empty() {
        let _ = write!(
            out,
            "{} in {reviewed}.",
            paint(Style::new().bold(), "No findings")
        );
    } else {
        let severities: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|sev| {
                let n = s.by_severity.get(sev.as_str()).copied().unwrap_or(0);
                (n > 0).then(|| paint(severity_style(*sev), &plural(n, sev.as_str())))
            })
            .collect();
        let categories: Vec<String> = s
            .by_category
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        let _ = write!(
            out,
            "{} in {reviewed}: {} ({}).",
            paint(
                Style::new().bold(),
                &plural(review.findings.len(), "finding")
            ),
            severities.join(", "),
            categories.join(", ")
        );
    }
    let mut skipped = Vec::new();
    if s.skipped.binary > 0 {
        skipped.push(format!("{} (binary)", plural(s.skipped.binary, "file")));
    }
    if s.skipped.non_text > 0 {
        skipped.push(
            format!(
                "{} (submodule or symlink)",
                plural(s.skipped.non_text, "entry")
            )
            .replace("entrys", "entries"),
        );
    }
    if s.skipped.excluded > 0 {
        skipped.push(format!(
            "{} (excluded by configuration)",
            plural(s.skipped.excluded, "file")
        ));
    }
    if !skipped.is_empty() {
        let _ = write!(out, " Not reviewed: {}.", skipped.join(", "));
    }
    out.push('\n');
    out
}
