//! The text report: one block per finding (`path:line:col: severity[check] message`, the line, a marker
//! under the match) and a closing summary. Colors only when asked (the caller decides from the terminal
//! and `NO_COLOR`).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::Review;
use crate::model::Severity;

/// `text` with every control character (C0 but tab, DEL, C1) replaced by a visible stand-in, one
/// character for one so marker columns stay right: C0 and DEL by their Unicode control pictures (ESC is
/// `␛`, a line feed `␊`), C1 by U+FFFD. A file name or snippet can then neither drive the terminal (ESC
/// sequences) nor start a line of its own (a `::workflow-command::` in a GitHub Actions log).
pub fn visible_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let is_control = |c: char| c != '\t' && c.is_control();
    if !text.chars().any(is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\t' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
            '\u{7f}' => '\u{2421}',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// What the text report shows besides errors and warnings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// List every note (`-v`, `--show notes`) rather than a grouped count per capability.
    pub show_notes: bool,
    /// `--quiet`: only the findings at or above [`TextOptions::fail_level`] and one summary line.
    pub quiet: bool,
    /// The fail level in force (`None`: never), for `--quiet`.
    pub fail_level: Option<Severity>,
    /// `--statistics`: counts of findings by check id, most first.
    pub statistics: bool,
    /// `--color`: `Some(true)` always, `Some(false)` never, `None` on a terminal without `NO_COLOR`.
    pub color: Option<bool>,
}

impl TextOptions {
    /// Whether a finding of `severity` is listed one by one.
    fn lists(&self, severity: Severity) -> bool {
        if self.quiet {
            self.fail_level.is_some_and(|level| severity >= level)
        } else {
            severity > Severity::Note || self.show_notes
        }
    }
}

/// Renders the review; `color` adds ANSI styles (see [`write`]).
pub fn render(review: &Review, color: bool) -> String {
    render_with(review, color, &TextOptions::default())
}

/// [`render`] with options.
pub fn render_with(review: &Review, color: bool, options: &TextOptions) -> String {
    let mut out = Vec::new();
    write_with(review, color, options, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("the report is UTF-8")
}

/// Writes the review with the default options; `color` adds ANSI styles (see [`write_with`]).
pub fn write(review: &Review, color: bool, sink: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_with(review, color, &TextOptions::default(), sink)
}

/// Writes the review: the capability digest, the errors and warnings (and notes when asked, else a
/// count per capability), statistics when asked, and the summary. `color` adds ANSI styles. Findings
/// are rendered into a buffer that is passed on whenever it fills, so a large report is never held
/// whole.
pub fn write_with(
    review: &Review,
    color: bool,
    options: &TextOptions,
    sink: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    const PASS_ON_AT: usize = 64 * 1024;
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
    if !options.quiet && !review.findings.is_empty() {
        out.push_str(&digest_block(review));
    }
    for f in review.findings.iter().filter(|f| options.lists(f.severity)) {
        let level_style = severity_style(f.severity);
        let _ = write!(
            out,
            "{}: {} {}",
            paint(
                bold,
                &format!("{}:{}:{}", visible_controls(&f.path), f.line, f.column)
            ),
            paint(level_style, &format!("{}[{}]", f.severity, f.check)),
            visible_controls(&f.message)
        );
        if let Some(end) = f.end_line.filter(|end| *end > f.line) {
            let _ = write!(out, " (lines {}–{end})", f.line);
        }
        if let Some(from) = f.role_lowered_from {
            let _ = write!(out, " ({} file: {from} lowered to {})", f.role, f.severity);
        }
        if !f.side.is_added() {
            out.push_str(" (removed line, old file)");
        }
        out.push('\n');
        let gutter = f.line.to_string().len();
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{} {}", pad, paint(dim, "|"));
        let _ = writeln!(
            out,
            "{} {} {}",
            paint(dim, &f.line.to_string()),
            paint(dim, "|"),
            visible_controls(&f.snippet)
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
                visible_controls(&part.role),
                part.check,
                visible_controls(&part.path),
                part.line
            );
        }
        out.push('\n');
        if out.len() >= PASS_ON_AT {
            sink.write_all(out.as_bytes())?;
            out.clear();
        }
    }
    if !options.quiet && !options.show_notes {
        out.push_str(&grouped_notes(review));
    }
    if options.statistics {
        out.push_str(&statistics(review));
    }
    out.push_str(&summary_line(review, &paint));
    if !options.quiet {
        out.push_str(&role_line(review));
        out.push_str(&dependency_line(review));
        out.push_str(&suppression_lines(review));
        out.push_str(&skipped_lines(review));
    }
    sink.write_all(out.as_bytes())
}

/// "Capabilities:" and the digest's lines (see [`super::digest::lines`]), then a blank line.
fn digest_block(review: &Review) -> String {
    let lines = super::digest::lines(&review.capabilities, &|dir| {
        visible_controls(dir).into_owned()
    });
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from("Capabilities:\n");
    for line in lines {
        let _ = writeln!(out, "  {line}");
    }
    out.push('\n');
    out
}

/// The notes not listed one by one, a line per category: "network: 12 notes in 4 files (requests ×9,
/// urllib ×3)".
fn grouped_notes(review: &Review) -> String {
    use std::collections::BTreeMap;
    struct Group<'a> {
        notes: usize,
        files: std::collections::BTreeSet<&'a str>,
        families: BTreeMap<&'a str, usize>,
    }
    let mut groups: BTreeMap<&str, Group<'_>> = BTreeMap::new();
    for f in review
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Note)
    {
        let g = groups.entry(f.category.as_str()).or_insert(Group {
            notes: 0,
            files: Default::default(),
            families: BTreeMap::new(),
        });
        g.notes += 1;
        g.files.insert(&f.path);
        *g.families
            .entry(crate::model::family(&f.check))
            .or_insert(0) += 1;
    }
    if groups.is_empty() {
        return String::new();
    }
    let total: usize = groups.values().map(|g| g.notes).sum();
    let mut out = format!("{}, not listed (-v lists them):\n", plural(total, "note"));
    for (category, g) in groups {
        let mut families: Vec<(&str, usize)> = g.families.into_iter().collect();
        families.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let named: Vec<String> = families
            .iter()
            .take(4)
            .map(|(family, n)| format!("{family} ×{n}"))
            .collect();
        let more = if families.len() > 4 { ", …" } else { "" };
        let _ = writeln!(
            out,
            "  {category}: {} in {} ({}{more})",
            plural(g.notes, "note"),
            plural(g.files.len(), "file"),
            named.join(", ")
        );
    }
    out.push('\n');
    out
}

/// `--statistics`: findings per check id, most first (ties by id), like `ruff --statistics`.
fn statistics(review: &Review) -> String {
    let mut counts: std::collections::BTreeMap<&str, (usize, Severity)> = Default::default();
    for f in &review.findings {
        let entry = counts.entry(&f.check).or_insert((0, f.severity));
        entry.0 += 1;
        entry.1 = entry.1.max(f.severity);
    }
    let mut rows: Vec<(&str, usize, Severity)> =
        counts.into_iter().map(|(id, (n, s))| (id, n, s)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let width = rows
        .iter()
        .map(|r| r.1.to_string().len())
        .max()
        .unwrap_or(1);
    let mut out = String::new();
    for (id, n, severity) in rows {
        let _ = writeln!(out, "{n:>width$}  {id}  ({severity})");
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// The paths not reviewed as text, named (at most [`super::SKIPPED_SHOWN`] of each kind here; the JSON
/// report lists all).
fn skipped_lines(review: &Review) -> String {
    let s = &review.summary.skipped;
    let mut out = String::new();
    let mut list = |what: &str, paths: &[String]| {
        if !paths.is_empty() {
            let _ = writeln!(
                out,
                "{what}: {}.",
                visible_controls(&super::name_paths(paths))
            );
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

/// "Suppressions this change adds:" and one line per marker: where, which marker, what it silenced, why.
pub fn suppression_lines(review: &Review) -> String {
    if review.suppressions.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "Suppressions this change adds ({}):\n",
        review.suppressions.len()
    );
    for s in &review.suppressions {
        let _ = writeln!(
            out,
            "  {}:{}: {} silences {} -- {}",
            visible_controls(&s.path),
            s.line,
            s.marker,
            silenced_list(s),
            visible_controls(s.reason.as_deref().unwrap_or("no reason given"))
        );
    }
    out
}

/// `check (line N), …` for what a marker silenced.
pub fn silenced_list(s: &crate::model::Suppression) -> String {
    s.silenced
        .iter()
        .map(|x| format!("{} (line {})", x.check, x.line))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Dependencies added or changed: …" with at most ten of them named (with from → to for a change), then
/// how many were removed and the packages new to lockfiles (transitive ones).
fn dependency_line(review: &Review) -> String {
    const SHOWN: usize = 10;
    use crate::model::Change;
    let direct: Vec<&crate::model::Dependency> = review
        .dependencies
        .iter()
        .filter(|d| !d.locked && d.change != Change::Removed)
        .collect();
    let removed = review
        .dependencies
        .iter()
        .filter(|d| d.change == Change::Removed)
        .count();
    let locked: Vec<&crate::model::Dependency> = review
        .dependencies
        .iter()
        .filter(|d| d.locked && d.change == Change::Added)
        .collect();
    if direct.is_empty() && removed == 0 && locked.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    if !direct.is_empty() {
        let named: Vec<String> = direct
            .iter()
            .take(SHOWN)
            .map(|d| {
                let version = match (&d.from, d.change) {
                    (Some(from), change) if change != Change::Added => {
                        format!(" {from} → {} ({})", d.version, change.as_str())
                    }
                    _ if d.version.is_empty() => String::new(),
                    _ => format!(" {}", d.version),
                };
                format!(
                    "{} {}{version} ({}:{})",
                    d.ecosystem, d.name, d.manifest, d.line
                )
            })
            .collect();
        let more = direct.len().saturating_sub(SHOWN);
        let tail = if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{} added or changed: {}{tail}.",
            plural(direct.len(), "dependency").replace("dependencys", "dependencies"),
            visible_controls(&named.join(", "))
        ));
    }
    if removed > 0 {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&format!(
            "{} removed.",
            plural(removed, "dependency").replace("dependencys", "dependencies")
        ));
    }
    if !locked.is_empty() {
        if !out.is_empty() {
            out.push(' ');
        }
        let named: Vec<String> = locked
            .iter()
            .take(SHOWN)
            .map(|d| format!("{} {}", d.name, d.version))
            .collect();
        let more = locked.len().saturating_sub(SHOWN);
        let tail = if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "New in lockfiles: {}{tail}.",
            visible_controls(&named.join(", "))
        ));
    }
    out.push('\n');
    out
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

/// What file roles did, when they did something: the files per role, the findings lowered, and what
/// generated files were checked for.
fn role_line(review: &Review) -> String {
    let roles = &review.summary.roles;
    let generated = roles.files.get("generated").copied().unwrap_or(0);
    if roles.lowered == 0 && roles.not_reported == 0 && generated == 0 {
        return String::new();
    }
    let files: Vec<String> = roles
        .files
        .iter()
        .map(|(role, n)| plural(*n, &format!("{role} file")))
        .collect();
    let mut out = format!("Roles: {}.", files.join(", "));
    if roles.lowered > 0 {
        let _ = write!(
            out,
            " {} in tests, docs and examples lowered to notes.",
            plural(roles.lowered, "finding")
        );
    }
    if generated > 0 {
        let _ = write!(
            out,
            " Generated or vendored files: only secrets, attacks and policy checked ({} not reported).",
            plural(roles.not_reported, "other finding")
        );
    }
    out.push('\n');
    out
}

fn summary_line(review: &Review, paint: &dyn Fn(Style, &str) -> String) -> String {
    let s = &review.summary;
    let mut out = String::new();
    let mut reviewed = format!(
        "{} with {} added",
        plural(s.files, "file"),
        plural(s.added_lines, "line")
    );
    if s.removed_lines > 0 {
        let _ = write!(reviewed, " and {} removed", s.removed_lines);
    }
    if s.deleted_files > 0 {
        let _ = write!(reviewed, " ({} deleted)", plural(s.deleted_files, "file"));
    }
    if s.commits > 0 {
        let _ = write!(
            reviewed,
            " (and {} one by one)",
            plural(s.commits, "commit")
        );
    }
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
    if s.baselined > 0 {
        let _ = write!(
            out,
            " {} in the baseline not reported.",
            plural(s.baselined, "finding")
        );
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(
            visible_controls("a\n::stop-commands::x\r\u{1b}[31m\u{7f}\u{9b}\tb"),
            "a\u{240A}::stop-commands::x\u{240D}\u{241B}[31m\u{2421}\u{FFFD}\tb"
        );
        assert!(matches!(
            visible_controls("plain é"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
