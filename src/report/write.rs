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

/// Writes the report of a review in `format` to `output` (standard output when None), streamed through
/// the review's redactor (see [`crate::redact::Redactor::writer`]). SARIF describes its rules with
/// `checks`, those the review ran with (never loaded again).
pub fn write_report(
    review: &Review,
    format: Format,
    output: Option<&Path>,
    checks: &[Check],
) -> Result<()> {
    write_report_with(review, format, output, checks, &Default::default())
}

/// [`write_report`] with what the text report shows (notes, `--quiet`, `--statistics`).
pub fn write_report_with(
    review: &Review,
    format: Format,
    output: Option<&Path>,
    checks: &[Check],
    text: &super::text::TextOptions,
) -> Result<()> {
    let json = format != Format::Text;
    let stream = |sink: &mut dyn Write, color: bool| -> std::io::Result<()> {
        let mut out = review.redactor.writer(sink, json);
        match format {
            Format::Text => super::text::write_with(review, color, text, &mut out)?,
            Format::Json => super::json::write(review, &mut out)?,
            Format::Sarif => super::sarif::write(review, checks, &mut out)?,
        }
        out.finish().map(|_| ())
    };
    match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot write the report to {}", path.display()))?;
            let color = format == Format::Text && text.color == Some(true);
            stream(&mut std::io::BufWriter::new(file), color)
                .with_context(|| format!("cannot write the report to {}", path.display()))
        }
        None => {
            let color = format == Format::Text && text.color.unwrap_or_else(use_color);
            match stream(&mut std::io::stdout().lock(), color) {
                Ok(()) => Ok(()),
                // A closed pipe ends the output quietly, as in `write_stdout`.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(anyhow!("cannot write to standard output: {e}")),
            }
        }
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
