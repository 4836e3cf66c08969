//! GitHub workflow commands (`::error file=…,line=…::message`): annotations that need no token, the
//! fallback when the token is read-only. GitHub shows only ten of each level per step, so the most severe
//! come first; the full list is in the step summary.

use crate::model::{Finding, Severity};

/// Annotations of one level GitHub shows per step.
pub const SHOWN_PER_LEVEL: usize = 10;

/// Escapes a command's message: `%`, CR and LF (as actions/toolkit's `escapeData`).
pub fn escape_data(text: &str) -> String {
    escape(text, false)
}

/// Escapes a command property value: as [`escape_data`], plus `:` and `,` (as `escapeProperty`).
pub fn escape_property(text: &str) -> String {
    escape(text, true)
}

fn escape(text: &str, property: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// The workflow command level of a severity.
fn command_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// One finding as a workflow command line (with its newline).
pub fn command(finding: &Finding) -> String {
    let mut line = format!(
        "::{} file={},line={}",
        command_level(finding.severity),
        escape_property(&finding.path),
        finding.line.max(1)
    );
    if let Some(end) = finding.end_line.filter(|end| *end > finding.line) {
        // A region: its lines, no columns (a column is on one line).
        line.push_str(&format!(",endLine={end}"));
    } else if finding.column > 0 {
        line.push_str(&format!(",col={}", finding.column));
        if finding.end_column > finding.column {
            line.push_str(&format!(",endColumn={}", finding.end_column - 1));
        }
    }
    line.push_str(&format!(
        ",title={}::{}\n",
        escape_property(&finding.check),
        escape_data(&finding.message_with_parts())
    ));
    line
}

/// Every finding as a workflow command, most severe first (then by path and line), followed by a plain
/// line saying how many GitHub will not show.
pub fn render(findings: &[Finding]) -> String {
    let mut ranked: Vec<&Finding> = findings.iter().collect();
    ranked.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut out = String::with_capacity(ranked.len() * 120);
    for finding in &ranked {
        out.push_str(&command(finding));
    }
    let hidden: usize = Severity::ALL
        .iter()
        .map(|s| {
            ranked
                .iter()
                .filter(|f| f.severity == *s)
                .count()
                .saturating_sub(SHOWN_PER_LEVEL)
        })
        .sum();
    if hidden > 0 {
        out.push_str(&format!(
            "review-gate: GitHub shows at most {SHOWN_PER_LEVEL} annotations of each level per step; {hidden} more are listed above and in the job summary.\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Category;

    fn finding(severity: Severity, path: &str, message: &str) -> Finding {
        Finding {
            path: path.into(),
            line: 4,
            column: 3,
            end_column: 9,
            fingerprint: "f".into(),
            ..Finding::of("exec.shell", Category::Exec, severity, message)
        }
    }

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(
            escape_data("50% done\r\nnext: a,b"),
            "50%25 done%0D%0Anext: a,b"
        );
        assert_eq!(
            escape_property("dir/a:b,c%d\ne.rs"),
            "dir/a%3Ab%2Cc%25d%0Ae.rs"
        );
        // Escaping is not applied twice.
        assert_eq!(escape_data("%25"), "%2525");
    }

    #[test]
    fn commands_carry_location_and_title() {
        let f = finding(Severity::Warning, "src/a,b.py", "runs `sh`:\nnow 100%");
        assert_eq!(
            command(&f),
            "::warning file=src/a%2Cb.py,line=4,col=3,endColumn=8,title=exec.shell::runs `sh`:%0Anow 100%25\n"
        );
        assert!(command(&finding(Severity::Note, "a", "m")).starts_with("::notice "));
    }

    #[test]
    fn a_region_is_annotated_over_its_lines_without_columns() {
        let mut f = finding(Severity::Error, "lib/a.js", "obfuscated");
        f.end_line = Some(12);
        assert_eq!(
            command(&f),
            "::error file=lib/a.js,line=4,endLine=12,title=exec.shell::obfuscated\n"
        );
    }

    #[test]
    fn most_severe_first_and_overflow_is_said() {
        let mut findings: Vec<Finding> = (0..12)
            .map(|_| finding(Severity::Note, "n.rs", "note"))
            .collect();
        findings.push(finding(Severity::Error, "e.rs", "error"));
        let out = render(&findings);
        assert!(out.starts_with("::error file=e.rs"), "{out}");
        assert_eq!(
            out.lines().filter(|l| l.starts_with("::notice")).count(),
            12
        );
        assert!(
            out.ends_with("2 more are listed above and in the job summary.\n"),
            "{out}"
        );
    }
}
