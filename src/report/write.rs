//! Writing a rendered report: to a file or standard output, through the review's redactor, in color on
//! a terminal.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{anyhow, Context, Result};

use super::{Format, Review};
use crate::checks::Check;

/// Writes text that holds no input (check listings, explanations, install messages) to standard output.
/// A closed pipe (`review-gate checks | head`) ends the output quietly, as in git and ripgrep: the reader
/// has all it wanted. A report reaches it only through [`write_report`], after its redactor.
pub fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(anyhow!("cannot write to standard output: {e}")),
    }
}

/// Writes the report of a review in `format` to `output` (standard output when None). SARIF describes
/// its rules with `checks`, those the review ran with (never loaded again).
pub fn write_report(
    review: &Review,
    format: Format,
    output: Option<&Path>,
    checks: &[Check],
) -> Result<()> {
    match output {
        Some(path) => {
            let text = redacted(review, format, &render(review, format, checks, false));
            std::fs::write(path, text.as_bytes())
                .with_context(|| format!("cannot write the report to {}", path.display()))
        }
        None => {
            let color = format == Format::Text && use_color();
            let text = render(review, format, checks, color);
            write_stdout(&redacted(review, format, &text))
        }
    }
}

/// A rendered report through the review's redactor: JSON and SARIF in their string literals only, so a
/// masked secret never breaks the document.
pub fn redacted(review: &Review, format: Format, text: &str) -> String {
    match format {
        Format::Text => review.redactor.redact(text).into_owned(),
        Format::Json | Format::Sarif => review.redactor.redact_json_text(text),
    }
}

fn render(review: &Review, format: Format, checks: &[Check], color: bool) -> String {
    match format {
        Format::Text => super::text::render(review, color),
        Format::Json => super::json::render(review),
        Format::Sarif => super::sarif::render(review, checks),
    }
}

/// Color on a terminal unless `NO_COLOR` is set (and always with `CLICOLOR_FORCE`).
fn use_color() -> bool {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    std::io::stdout().is_terminal()
}
