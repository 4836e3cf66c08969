//! The JSON report, schema version 1: `{"version":1,"findings":[...],"capabilities":[...],"summary":{...}}`.

use serde::Serialize;

use super::Review;
#[cfg(test)]
use super::Summary;
use crate::model::Finding;

/// The JSON schema version this reporter writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole document, as `serde` would write it (the renderer's reference in tests).
#[cfg(test)]
#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    capabilities: &'a [super::digest::Capability],
    dependencies: &'a [crate::model::Dependency],
    suppressions: &'a [crate::model::Suppression],
    summary: &'a Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    check: &'a str,
    category: &'a str,
    severity: &'a str,
    path: &'a str,
    /// `added` (the line is in the new file) or `removed` (a line the change takes away: `line` counts in
    /// the old file).
    side: &'static str,
    line: u32,
    /// The last line of a finding that covers a region.
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    column: u32,
    end_column: u32,
    message: &'a str,
    snippet: &'a str,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    parts: &'a [crate::model::ChainPart],
    role: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    role_lowered_from: Option<&'a str>,
    novelty: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_severity: Option<&'static str>,
    /// For a dependency finding: the dependency it is about and what changed (from the dependency list).
    #[serde(skip_serializing_if = "Option::is_none")]
    dependency: Option<DependencyRef<'a>>,
    /// For a finding on encoded text: what it decodes to (shortened, secrets masked, redacted on output).
    #[serde(skip_serializing_if = "Option::is_none")]
    decoded: Option<&'a str>,
    /// For a finding of one commit of the range that the net change does not show: that commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a crate::model::CommitRef>,
    /// With `commit`: whether the range's tip still holds what was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    still_present: Option<bool>,
}

/// What a dependency finding is about: the entry of the dependency list at its manifest line.
#[derive(Serialize)]
struct DependencyRef<'a> {
    ecosystem: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<&'a str>,
    change: &'a str,
}

/// The dependency list's entries by (manifest, line), for [`DependencyRef`]s.
type DependencyIndex<'a> = std::collections::HashMap<(&'a str, u32), &'a crate::model::Dependency>;

fn dependency_index(review: &Review) -> DependencyIndex<'_> {
    review
        .dependencies
        .iter()
        .filter(|d| d.change != crate::model::Change::Removed)
        .map(|d| ((d.manifest.as_str(), d.line), d))
        .collect()
}

impl<'a> JsonFinding<'a> {
    /// The finding, with the dependency it is about when it is a dependency finding.
    fn with(f: &'a Finding, index: &DependencyIndex<'a>) -> Self {
        let mut json = JsonFinding::from(f);
        use crate::model::Category;
        if matches!(f.category, Category::Dependency | Category::Agent) {
            json.dependency = index
                .get(&(f.path.as_str(), f.line))
                .map(|d| DependencyRef {
                    ecosystem: d.ecosystem,
                    name: &d.name,
                    from: d.from.as_deref(),
                    to: d.to.as_deref(),
                    change: d.change.as_str(),
                });
        }
        json
    }
}

impl<'a> JsonFinding<'a> {
    /// [`JsonFinding::with`], with the commit a finding of the range's history comes from.
    fn in_review(f: &'a Finding, index: &DependencyIndex<'a>, review: &'a Review) -> Self {
        let mut json = JsonFinding::with(f, index);
        if let Some(history) = review.history.get(&f.fingerprint) {
            json.commit = Some(&history.commit);
            json.still_present = Some(history.still_present);
        }
        json
    }
}

impl<'a> From<&'a Finding> for JsonFinding<'a> {
    fn from(f: &'a Finding) -> Self {
        JsonFinding {
            check: &f.check,
            category: f.category.as_str(),
            severity: f.severity.as_str(),
            path: &f.path,
            side: f.side.as_str(),
            line: f.line,
            end_line: f.end_line,
            column: f.column,
            end_column: f.end_column,
            message: &f.message,
            snippet: &f.snippet,
            fingerprint: &f.fingerprint,
            parts: &f.parts,
            role: f.role.as_str(),
            role_lowered_from: f.role_lowered_from.map(|s| s.as_str()),
            novelty: f.novelty.as_str(),
            original_severity: f.original_severity.map(|s| s.as_str()),
            dependency: None,
            decoded: f.decoded(),
            commit: None,
            still_present: None,
        }
    }
}

/// Renders the review as pretty-printed JSON with a trailing newline (see [`write`]).
pub fn render(review: &Review) -> String {
    let mut out = Vec::new();
    write(review, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Findings rendered in parallel at a time before they are written: bounds the memory a large report
/// holds (a change can have a hundred thousand findings) while keeping every core busy.
const FINDINGS_PER_BATCH: usize = 8 * 512;

/// Writes the review as pretty-printed JSON with a trailing newline. Findings are serialized in
/// parallel, a batch at a time; the text is what `serde_json`'s pretty printer would write for the
/// whole document.
pub fn write(review: &Review, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use rayon::prelude::*;
    write!(
        out,
        "{{\n  \"version\": {SCHEMA_VERSION},\n  \"findings\": "
    )?;
    let index = dependency_index(review);
    if review.findings.is_empty() {
        out.write_all(b"[],\n")?;
    } else {
        out.write_all(b"[\n")?;
        for (b, batch) in review.findings.chunks(FINDINGS_PER_BATCH).enumerate() {
            // Chunks of findings, each rendered into one buffer: few allocations, and parallel.
            let parts: Vec<String> = batch
                .par_chunks(512)
                .map(|chunk| {
                    let mut buf = String::with_capacity(chunk.len() * 384);
                    for f in chunk {
                        if !buf.is_empty() {
                            buf.push_str(",\n");
                        }
                        let json = serde_json::to_string_pretty(&JsonFinding::in_review(
                            f, &index, review,
                        ))
                        .expect("a finding serializes");
                        push_indented(&mut buf, &json, "    ");
                    }
                    buf
                })
                .collect();
            for (i, part) in parts.iter().enumerate() {
                if b > 0 || i > 0 {
                    out.write_all(b",\n")?;
                }
                out.write_all(part.as_bytes())?;
            }
        }
        out.write_all(b"\n  ],\n")?;
    }
    let capabilities =
        serde_json::to_string_pretty(&review.capabilities).expect("capabilities serialize");
    out.write_all(b"  \"capabilities\": ")?;
    out.write_all(&indent(&capabilities, "  ").as_bytes()[2..])?;
    out.write_all(b",\n")?;
    let dependencies =
        serde_json::to_string_pretty(&review.dependencies).expect("dependencies serialize");
    out.write_all(b"  \"dependencies\": ")?;
    out.write_all(&indent(&dependencies, "  ").as_bytes()[2..])?;
    out.write_all(b",\n")?;
    let suppressions =
        serde_json::to_string_pretty(&review.suppressions).expect("suppressions serialize");
    out.write_all(b"  \"suppressions\": ")?;
    out.write_all(&indent(&suppressions, "  ").as_bytes()[2..])?;
    out.write_all(b",\n")?;
    let summary = serde_json::to_string_pretty(&review.summary).expect("the summary serializes");
    out.write_all(b"  \"summary\": ")?;
    out.write_all(&indent(&summary, "  ").as_bytes()[2..])?;
    out.write_all(b"\n}\n")
}

/// Indents every line of `text` by `prefix`.
fn indent(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len() + prefix.len() * (text.len() / 16 + 1));
    push_indented(&mut out, text, prefix);
    out
}

/// Appends `text` to `out` with every line indented by `prefix`.
fn push_indented(out: &mut String, text: &str, prefix: &str) {
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(prefix);
        out.push_str(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Severity, Skipped};

    #[test]
    fn parallel_rendering_matches_serde_pretty_printing() {
        let finding = Finding {
            path: "a \"b\".py".into(),
            line: 3,
            column: 1,
            end_column: 5,
            snippet: "x".into(),
            snippet_width: 1,
            fingerprint: "00ff".into(),
            parts: vec![crate::model::ChainPart {
                role: "a role".into(),
                check: "env.x".into(),
                path: "p".into(),
                line: 2,
            }],
            role: crate::model::Role::Test,
            role_lowered_from: Some(crate::model::Severity::Warning),
            ..Finding::of(
                "exec.python.subprocess",
                Category::Exec,
                Severity::Error,
                "starts a process\nwith a newline",
            )
        };
        // Past one batch of findings too, with a partial chunk: the batches join as one array.
        let many = vec![finding.clone(); FINDINGS_PER_BATCH + 513];
        for findings in [vec![], vec![finding.clone(), finding], many] {
            let review = Review::new(findings, 1, 2, Skipped::default());
            let index = dependency_index(&review);
            let doc = Document {
                version: SCHEMA_VERSION,
                findings: review
                    .findings
                    .iter()
                    .map(|f| JsonFinding::with(f, &index))
                    .collect(),
                capabilities: &review.capabilities,
                dependencies: &review.dependencies,
                suppressions: &review.suppressions,
                summary: &review.summary,
            };
            let expected = serde_json::to_string_pretty(&doc).unwrap() + "\n";
            assert_eq!(render(&review), expected);
        }
    }
}
