//! The digest of a change in GitHub-flavoured Markdown, by capability — the one renderer behind the sticky
//! summary comment, the check run's summary and the job's step summary.
//!
//! Everything that comes from the change (messages, snippets, paths, package names) is escaped, so a
//! pull request cannot put links, images, mentions or HTML into the comment. Secrets appear only as the
//! engine redacted them. When the digest would exceed the body limit, findings are dropped from the least
//! severe up and the digest says how many of each severity were cut.

use std::fmt::Write as _;

use super::Review;
use crate::model::{Finding, Severity};
use tables::{dependency_table, finding_table, suppression_table};

mod escape;
mod tables;

pub use escape::{md_code, md_message, md_text, plural};

/// Largest issue comment GitHub accepts (characters; the digest counts bytes, which is never fewer).
pub const COMMENT_LIMIT: usize = 65_536;
/// Largest check-run `output.summary`.
pub const CHECK_SUMMARY_LIMIT: usize = 65_535;
/// Room kept for the step summary (GitHub's limit is 1 MiB per step).
pub const STEP_SUMMARY_LIMIT: usize = 1_000_000;

/// Where the digest's links point.
pub trait Links {
    /// A link to a line of the reviewed version of a file.
    fn line(&self, path: &str, line: u32) -> String;
}

/// What a digest shows: the review and the gate's verdict on it.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The finished review.
    pub review: &'a Review,
    /// Whether a finding reaches the fail level.
    pub fails: bool,
    /// The fail level in force, as configured (`error`, `warning`, `note` or `never`).
    pub fail_on: &'static str,
}

/// Order of the capability sections: attack chains first, unknown categories last.
pub fn category_rank(category: &str) -> usize {
    const ORDER: [&str; 10] = [
        "attack",
        "secret",
        "dependency",
        "agent",
        "network",
        "exec",
        "eval",
        "env",
        "path-traversal",
        "policy",
    ];
    ORDER
        .iter()
        .position(|c| *c == category)
        .unwrap_or(ORDER.len())
}

/// The heading of a capability section.
fn section_title(category: &str) -> String {
    match category {
        "attack" => "Attack chains".into(),
        "secret" => "Secrets (redacted)".into(),
        "dependency" => "New dependencies".into(),
        "agent" => "Agent configuration".into(),
        "network" => "Network endpoints".into(),
        "exec" => "Processes executed".into(),
        "eval" => "Code evaluated".into(),
        "env" => "Environment variables read".into(),
        "path-traversal" => "File paths touched".into(),
        "policy" => "Policy".into(),
        other => md_text(other),
    }
}

/// Renders the digest within `limit` bytes. `marker` (a hidden HTML comment) goes first when given.
pub fn render(
    subject: &Subject<'_>,
    links: &dyn Links,
    limit: usize,
    marker: Option<&str>,
) -> String {
    let mut ranked: Vec<&Finding> = subject.review.findings.iter().collect();
    ranked.sort_by_key(|f| {
        (
            std::cmp::Reverse(f.severity),
            category_rank(f.category.as_str()),
        )
    });
    let full = render_first(subject, &ranked, ranked.len(), links, marker);
    if full.len() <= limit {
        return full;
    }
    // The largest number of most severe findings that fits.
    let (mut fits, mut too_many) = (0, ranked.len());
    while too_many - fits > 1 {
        let mid = (fits + too_many) / 2;
        if render_first(subject, &ranked, mid, links, marker).len() <= limit {
            fits = mid;
        } else {
            too_many = mid;
        }
    }
    let mut text = render_first(subject, &ranked, fits, links, marker);
    if text.len() > limit {
        let mut cut = limit.saturating_sub(80);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n\n_(cut at GitHub's size limit)_\n");
    }
    text
}

/// The digest showing the first `shown` findings of `ranked` (most severe first).
fn render_first(
    subject: &Subject<'_>,
    ranked: &[&Finding],
    shown: usize,
    links: &dyn Links,
    marker: Option<&str>,
) -> String {
    let review = subject.review;
    let mut out = String::with_capacity(1024 + shown * 256);
    if let Some(marker) = marker {
        out.push_str(marker);
        out.push('\n');
    }
    let count = |s: Severity| {
        review
            .summary
            .by_severity
            .get(s.as_str())
            .copied()
            .unwrap_or(0)
    };
    let (errors, warnings, notes) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
    );
    let verdict = if subject.fails {
        "❌ fails"
    } else if review.findings.is_empty() {
        "✅ clean"
    } else {
        "⚠️ passes with findings"
    };
    let _ = writeln!(
        out,
        "### review-gate: {verdict} — {}, {}, {}\n",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(notes, "note")
    );
    let _ = writeln!(
        out,
        "Reviewed {} with {} added (fail level: {}).",
        plural(review.summary.files, "file"),
        plural(review.summary.added_lines, "line"),
        subject.fail_on
    );
    // The capability digest: what the change makes the code do, new first.
    let digest = super::digest::lines(&review.capabilities, &|dir| md_code(dir));
    if !digest.is_empty() {
        out.push_str("\n**Capabilities**\n\n");
        for line in digest {
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }
    let skipped = &review.summary.skipped;
    if skipped.binary + skipped.non_text + skipped.excluded > 0 {
        let _ = writeln!(
            out,
            "Not reviewed: {} binary, {} submodules or symlinks, {} excluded by configuration.",
            skipped.binary, skipped.non_text, skipped.excluded
        );
    }
    for (what, paths) in [
        (
            "Binary, not reviewed line by line (searched for secrets)",
            &skipped.binary_paths,
        ),
        (
            "Only partly searched for secrets (too large)",
            &skipped.partly_searched,
        ),
        ("Submodules or symlinks", &skipped.non_text_paths),
    ] {
        if !paths.is_empty() {
            let shown = paths.len().min(crate::report::SKIPPED_SHOWN);
            let named: Vec<String> = paths[..shown].iter().map(|p| md_code(p)).collect();
            let more = if paths.len() > shown {
                format!(" and {} more", paths.len() - shown)
            } else {
                String::new()
            };
            let _ = writeln!(out, "{what}: {}{more}.", named.join(", "));
        }
    }
    if review.findings.is_empty() && review.dependencies.is_empty() {
        out.push_str("\nNothing this change adds needs a reviewer's attention.\n");
        suppression_table(&mut out, &review.suppressions, links);
        return out;
    }
    let mut visible: Vec<&Finding> = ranked[..shown].to_vec();
    visible.sort_by(|a, b| {
        (
            category_rank(a.category.as_str()),
            std::cmp::Reverse(a.severity),
            &a.path,
            a.line,
        )
            .cmp(&(
                category_rank(b.category.as_str()),
                std::cmp::Reverse(b.severity),
                &b.path,
                b.line,
            ))
    });
    let mut sections: Vec<&str> = review
        .findings
        .iter()
        .map(|f| f.category.as_str())
        .collect();
    if !review.dependencies.is_empty() {
        sections.push("dependency");
    }
    sections.sort_by_key(|c| (category_rank(c), *c));
    sections.dedup();
    for category in sections {
        let in_section: Vec<&Finding> = visible
            .iter()
            .copied()
            .filter(|f| f.category.as_str() == category)
            .collect();
        // The dependency section counts packages when the change adds any, other sections findings.
        let total = if category == "dependency" && !review.dependencies.is_empty() {
            review.dependencies.len()
        } else {
            review
                .summary
                .by_category
                .get(category)
                .copied()
                .unwrap_or(0)
        };
        let _ = writeln!(out, "\n#### {} ({total})\n", section_title(category));
        if category == "dependency" && !review.dependencies.is_empty() {
            dependency_table(&mut out, &review.dependencies, links);
            if !in_section.is_empty() {
                out.push('\n');
            }
        }
        // Notes are counted by family, not listed (the JSON, SARIF and `-v` text list each).
        let (notes, listed): (Vec<&Finding>, Vec<&Finding>) = in_section
            .into_iter()
            .partition(|f| f.severity == Severity::Note);
        if !listed.is_empty() {
            finding_table(&mut out, &listed, links);
        }
        if !notes.is_empty() {
            if !listed.is_empty() {
                out.push('\n');
            }
            let _ = writeln!(out, "{}", notes_line(&notes));
        }
    }
    suppression_table(&mut out, &review.suppressions, links);
    let cut = &ranked[shown..];
    if !cut.is_empty() {
        let by = |s: Severity| cut.iter().filter(|f| f.severity == s).count();
        let _ = writeln!(
            out,
            "\n_{} not shown to stay within GitHub's size limit ({}, {}, {}); the least severe were cut first. \
             Every finding is in the job's step summary, the check run's annotations and the `review-gate` \
             output of the job._",
            plural(cut.len(), "finding"),
            plural(by(Severity::Error), "error"),
            plural(by(Severity::Warning), "warning"),
            plural(by(Severity::Note), "note"),
        );
    }
    out
}

/// "_3 notes, not listed: `requests` ×2, `urllib` ×1_" for the notes of one section.
fn notes_line(notes: &[&Finding]) -> String {
    let mut families: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in notes {
        *families.entry(crate::model::family(&f.check)).or_insert(0) += 1;
    }
    let mut families: Vec<(&str, usize)> = families.into_iter().collect();
    families.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let named: Vec<String> = families
        .iter()
        .take(6)
        .map(|(family, n)| format!("{} ×{n}", md_code(family)))
        .collect();
    let more = if families.len() > 6 { ", …" } else { "" };
    format!(
        "_{}, not listed: {}{more}._",
        plural(notes.len(), "note"),
        named.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Skipped};

    struct NoLinks;

    impl Links for NoLinks {
        fn line(&self, path: &str, line: u32) -> String {
            format!("https://example.invalid/{path}#L{line}")
        }
    }

    /// A digest subject failing at `error` (the review is leaked: a test's lifetime).
    fn analysis(findings: Vec<Finding>) -> Subject<'static> {
        let files = findings.len();
        let review = Box::leak(Box::new(Review::new(
            findings,
            files,
            files,
            Skipped::default(),
        )));
        let fails = review
            .findings
            .iter()
            .any(|f| f.severity >= Severity::Error);
        Subject {
            review,
            fails,
            fail_on: "error",
        }
    }

    fn finding(i: usize, severity: Severity, category: Category) -> Finding {
        Finding {
            path: format!("src/file{i}.py"),
            line: 1 + i as u32,
            column: 1,
            end_column: 5,
            snippet: "call(x)".into(),
            snippet_width: 4,
            fingerprint: format!("{i:016x}"),
            ..Finding::of(
                format!("{category}.check"),
                category,
                severity,
                format!("finding number {i} with some words to take up room"),
            )
        }
    }

    #[test]
    fn over_the_limit_the_least_severe_are_cut_and_counted() {
        let mut findings = Vec::new();
        for i in 0..400 {
            let severity = [Severity::Note, Severity::Warning, Severity::Error][i % 3];
            findings.push(finding(i, severity, Category::Exec));
        }
        let analysis = analysis(findings);
        let full = render(&analysis, &NoLinks, usize::MAX, Some("<!-- m -->"));
        assert!(!full.contains("not shown"));
        // Notes are counted, not listed: the errors and warnings take the room.
        let limit = full.len() * 2 / 3;
        let cut = render(&analysis, &NoLinks, limit, Some("<!-- m -->"));
        assert!(cut.len() <= limit, "{} > {limit}", cut.len());
        assert!(cut.starts_with("<!-- m -->\n"));
        assert!(
            cut.contains("not shown to stay within GitHub's size limit (0 errors,"),
            "{cut}"
        );
        // Every error is kept; notes go first.
        let errors = analysis
            .review
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error);
        for error in errors {
            assert!(
                cut.contains(&format!("src/file{}.py:", error.line - 1)),
                "error {} missing",
                error.line
            );
        }
        assert!(cut.matches("| note |").count() < 134);
    }

    #[test]
    fn the_capability_digest_leads_new_first() {
        let mut existing = finding(1, Severity::Note, Category::Env);
        existing.novelty = crate::model::Novelty::Existing;
        let mut new = finding(2, Severity::Warning, Category::Network);
        new.path = "pkg/up`load/u.go".into();
        new.novelty = crate::model::Novelty::New;
        let text = render(
            &analysis(vec![existing, new]),
            &NoLinks,
            COMMENT_LIMIT,
            None,
        );
        let digest = format!(
            "**Capabilities**\n\n- {}: gains network (check) — new\n- `src`: more env (check): 1\n",
            md_code("pkg/up`load")
        );
        assert!(text.contains(&digest), "{text}");
        assert!(text.find("**Capabilities**") < text.find("####"), "{text}");
        // The note is counted, not listed.
        assert!(text.contains("_1 note, not listed: `check` ×1._"), "{text}");
        assert!(!text.contains("| note |"), "{text}");
    }

    #[test]
    fn sections_come_in_capability_order_and_clean_changes_say_so() {
        let analysis = analysis(vec![
            finding(1, Severity::Warning, Category::Env),
            finding(2, Severity::Note, Category::Secret),
            finding(3, Severity::Error, Category::Network),
        ]);
        let text = render(&analysis, &NoLinks, COMMENT_LIMIT, None);
        let at = |h: &str| text.find(h).unwrap_or_else(|| panic!("{h}: {text}"));
        assert!(at("#### Secrets") < at("#### Network endpoints"));
        assert!(at("#### Network endpoints") < at("#### Environment variables read"));
        assert!(text.contains("❌ fails"), "{text}");
        assert!(
            text.contains("[src/file3.py:4](https://example.invalid/src/file3.py#L4)"),
            "{text}"
        );
        let clean = render(&self::analysis(Vec::new()), &NoLinks, COMMENT_LIMIT, None);
        assert!(
            clean.contains("✅ clean") && clean.contains("Nothing this change adds"),
            "{clean}"
        );
    }

    #[test]
    fn change_text_cannot_inject_markup() {
        assert_eq!(
            md_text("![x](http://e) <img> @admin | *b*"),
            "\\!\\[x\\]\\(http://e\\) &lt;img&gt; &#64;admin \\| \\*b\\*"
        );
        assert_eq!(md_code("a|b"), "`a\\|b`");
        assert_eq!(md_code("x `y` z"), "``x `y` z``");
        assert_eq!(md_code("`y`"), "`` `y` ``");
        assert_eq!(
            md_message("hard-coded credential in `api_key` (valid)"),
            "hard-coded credential in `api_key` \\(valid\\)"
        );
    }

    #[test]
    fn sections_follow_the_capability_order() {
        assert_eq!(category_rank("attack"), 0);
        assert!(category_rank("secret") < category_rank("dependency"));
        assert!(category_rank("env") < category_rank("path-traversal"));
        assert!(category_rank("dependency") < category_rank("agent"));
        assert_eq!(category_rank("something-new"), category_rank("policy") + 1);
    }

    #[test]
    fn an_attack_chain_leads_the_digest_with_its_parts_linked() {
        let mut chain = finding(9, Severity::Error, Category::Attack);
        chain.parts = vec![crate::model::ChainPart {
            role: "collects secrets".into(),
            check: "attack.signal.env-dump".into(),
            path: "src/a.js".into(),
            line: 3,
        }];
        let analysis = analysis(vec![
            finding(1, Severity::Error, Category::Secret),
            chain,
            finding(2, Severity::Error, Category::Exec),
        ]);
        let text = render(&analysis, &NoLinks, COMMENT_LIMIT, None);
        let at = |h: &str| text.find(h).unwrap_or_else(|| panic!("{h}: {text}"));
        assert!(at("#### Attack chains") < at("#### Secrets"), "{text}");
        assert!(
            text.contains("collects secrets: `attack.signal.env-dump` at [src/a.js:3](https://example.invalid/src/a.js#L3)"),
            "{text}"
        );
    }
}
