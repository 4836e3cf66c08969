//! The SARIF 2.1.0 report, as GitHub code scanning (`github/codeql-action/upload-sarif`) reads it: one run,
//! one rule per check that found something (with its help), one result per finding with a physical
//! location and the finding's fingerprint in `partialFingerprints`.

use std::collections::HashMap;

use serde::Serialize;

use super::Review;
use crate::checks::Check;
use crate::model::{Finding, Severity};

/// The schema URI written into `$schema`.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The `partialFingerprints` key holding a finding's fingerprint.
pub const FINGERPRINT_KEY: &str = "reviewGateFingerprint/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    results: Results<'a>,
    column_kind: &'static str,
    original_uri_base_ids: HashMap<&'static str, UriBase>,
    /// One invocation whose notifications name every file not reviewed as text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invocations: Vec<Invocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    locations: [NotificationLocation; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationLocation {
    physical_location: ArtifactOnly,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactOnly {
    artifact_location: ArtifactLocation,
}

#[derive(Serialize)]
struct UriBase {
    description: Text,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: String,
    short_description: Text,
    full_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Help>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    precision: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    /// The parts of an attack chain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation>,
    partial_fingerprints: HashMap<&'static str, &'a str>,
    /// For a finding an inline marker the change adds silenced: that marker (`inSource`) and its reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    /// The role of the file the finding is in and the severity its role lowered; whether the file gains
    /// the capability (`novelty`) and the severity before the policy lowered it.
    properties: ResultProperties,
}

/// A result's properties: the file's role (`production`, `test`, ...), the finding's novelty, and the
/// severities it had before its role or the policy lowered it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    role_lowered_from: Option<&'static str>,
    novelty: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_severity: Option<&'static str>,
    /// `removed` for a finding on a line the change removes (its region is on the old file: SARIF has
    /// no location in a pull request's base version).
    #[serde(skip_serializing_if = "Option::is_none")]
    side: Option<&'static str>,
    /// For a finding of one commit of the range the net change does not show: that commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<crate::model::CommitRef>,
    /// With `commit`: whether the range's tip still holds what was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    still_present: Option<bool>,
}

#[derive(Serialize)]
struct SarifSuppression {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation {
    id: usize,
    physical_location: PhysicalLocation,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    /// The last line of a finding that covers a region.
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

/// The SARIF `level` of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// GitHub's `security-severity` score of a severity (above 7 is high, 4 to 7 medium, below 4 low).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Note => "2.0",
    }
}

/// Renders the review as a SARIF 2.1.0 log (pretty-printed, trailing newline); see [`write`].
pub fn render(review: &Review, checks: &[Check]) -> String {
    let mut out = Vec::new();
    write(review, checks, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// The results of a run, made one at a time as they are written (a large change can have a hundred
/// thousand): the findings, then those inline markers the change adds silenced.
struct Results<'a> {
    review: &'a Review,
    silenced: &'a [(Finding, Option<String>)],
    rule_index: &'a HashMap<&'a str, usize>,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let raw_paths = &self.review.raw_paths;
        let index = |f: &Finding| self.rule_index[f.check.as_str()];
        let mut seq =
            serializer.serialize_seq(Some(self.review.findings.len() + self.silenced.len()))?;
        for finding in &self.review.findings {
            let mut result = result(finding, index(finding), raw_paths);
            if let Some(history) = self.review.history.get(&finding.fingerprint) {
                result.properties.commit = Some(history.commit.clone());
                result.properties.still_present = Some(history.still_present);
            }
            seq.serialize_element(&result)?;
        }
        for (finding, reason) in self.silenced {
            let mut result = result(finding, index(finding), raw_paths);
            result.suppressions = vec![SarifSuppression {
                kind: "inSource",
                justification: reason.clone(),
            }];
            seq.serialize_element(&result)?;
        }
        seq.end()
    }
}

/// Writes the review as a SARIF 2.1.0 log (pretty-printed, trailing newline). `checks` supplies the
/// rules' descriptions and help; a finding whose check is not among them still gets a rule.
pub fn write(
    review: &Review,
    checks: &[Check],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let by_id: HashMap<&str, &Check> = checks.iter().map(|c| (&*c.meta.id, c)).collect();
    let mut rule_index: HashMap<&str, usize> = HashMap::new();
    let mut rules: Vec<Rule<'_>> = Vec::new();
    let silenced = silenced_findings(review);
    for finding in review
        .findings
        .iter()
        .chain(silenced.iter().map(|(f, _)| f))
    {
        rule_index.entry(finding.check.as_str()).or_insert_with(|| {
            rules.push(rule(finding, by_id.get(finding.check.as_str()).copied()));
            rules.len() - 1
        });
    }
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "review-gate",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            results: Results {
                review,
                silenced: &silenced,
                rule_index: &rule_index,
            },
            column_kind: "unicodeCodePoints",
            invocations: skipped_notifications(review),
            original_uri_base_ids: HashMap::from([(
                "%SRCROOT%",
                UriBase {
                    description: Text {
                        text: "The root of the repository.".to_string(),
                    },
                },
            )]),
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

/// A `toolExecutionNotifications` entry per file not reviewed as text (none: no invocation).
fn skipped_notifications(review: &Review) -> Vec<Invocation> {
    let skipped = &review.summary.skipped;
    let notice = |path: &String, text: String| Notification {
        level: "note",
        message: Text { text },
        locations: [NotificationLocation {
            physical_location: ArtifactOnly {
                artifact_location: ArtifactLocation {
                    uri: path_to_uri(path),
                    uri_base_id: "%SRCROOT%",
                },
            },
        }],
    };
    let mut notes: Vec<Notification> = Vec::new();
    for path in &skipped.binary_paths {
        let partly = skipped.partly_searched.contains(path);
        notes.push(notice(
            path,
            format!(
                "{path}: binary, not reviewed line by line ({} searched for secrets)",
                if partly {
                    "only its start"
                } else {
                    "its printable text"
                }
            ),
        ));
    }
    for path in &skipped.non_text_paths {
        notes.push(notice(
            path,
            format!("{path}: submodule or symlink, not reviewed"),
        ));
    }
    if notes.is_empty() {
        return Vec::new();
    }
    vec![Invocation {
        execution_successful: true,
        tool_execution_notifications: notes,
    }]
}

fn rule<'a>(finding: &'a Finding, check: Option<&Check>) -> Rule<'a> {
    let (short, full, help, severity, cwe) = match check {
        Some(c) => (
            plain_message(&c.meta.message),
            c.meta
                .help
                .summary()
                .unwrap_or_else(|| plain_message(&c.meta.message)),
            c.meta.help.empty_sections().is_empty().then(|| Help {
                text: c.meta.help.to_text(),
                markdown: c.meta.help.to_markdown(),
            }),
            c.meta.severity,
            c.meta.cwe.clone(),
        ),
        None => (
            finding.check.clone(),
            finding.check.clone(),
            None,
            finding.severity,
            None,
        ),
    };
    let mut tags = vec![
        "security".to_string(),
        finding.category.as_str().to_string(),
    ];
    if let Some(cwe) = cwe {
        let number = cwe.trim_start_matches("CWE-").trim_start_matches("cwe-");
        tags.push(format!("external/cwe/cwe-{number}"));
    }
    Rule {
        id: &finding.check,
        name: rule_name(&finding.check),
        short_description: Text { text: short },
        full_description: Text { text: full },
        help,
        default_configuration: Configuration {
            level: level(severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: security_severity(severity),
            precision: "medium",
        },
    }
}

fn result<'a>(
    finding: &'a Finding,
    rule_index: usize,
    raw_paths: &std::collections::BTreeMap<String, Vec<u8>>,
) -> SarifResult<'a> {
    let start_column = (finding.column > 0).then_some(finding.column);
    let end_line = finding.end_line.filter(|end| *end > finding.line);
    // `endColumn` is on `endLine`: a region's end column is not known.
    let end_column = start_column
        .filter(|start| finding.end_column > *start && end_line.is_none())
        .map(|_| finding.end_column);
    SarifResult {
        rule_id: &finding.check,
        rule_index,
        level: level(finding.severity),
        message: Text {
            text: finding.message_with_parts(),
        },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: review_uri(raw_paths, &finding.path),
                    uri_base_id: "%SRCROOT%",
                },
                region: Region {
                    start_line: finding.line.max(1),
                    end_line,
                    start_column,
                    end_column,
                },
            },
        }],
        related_locations: finding
            .parts
            .iter()
            .enumerate()
            .map(|(id, part)| RelatedLocation {
                id,
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: review_uri(raw_paths, &part.path),
                        uri_base_id: "%SRCROOT%",
                    },
                    region: Region {
                        start_line: part.line.max(1),
                        end_line: None,
                        start_column: None,
                        end_column: None,
                    },
                },
                message: Text {
                    text: format!("{}: {}", part.role, part.check),
                },
            })
            .collect(),
        partial_fingerprints: HashMap::from([(FINGERPRINT_KEY, finding.fingerprint.as_str())]),
        suppressions: Vec::new(),
        properties: ResultProperties {
            role: finding.role.as_str(),
            role_lowered_from: finding.role_lowered_from.map(|s| s.as_str()),
            novelty: finding.novelty.as_str(),
            original_severity: finding.original_severity.map(|s| s.as_str()),
            side: (!finding.side.is_added()).then_some("removed"),
            commit: None,
            still_present: None,
        },
    }
}

/// The findings inline markers the change adds silenced, each with the marker's reason, as findings a
/// SARIF result can be made of.
fn silenced_findings(review: &Review) -> Vec<(Finding, Option<String>)> {
    review
        .suppressions
        .iter()
        .flat_map(|s| {
            s.silenced.iter().map(move |x| {
                let finding = Finding {
                    path: s.path.clone(),
                    line: x.line,
                    column: x.column,
                    fingerprint: x.fingerprint.clone(),
                    ..Finding::of(
                        x.check.clone(),
                        x.category,
                        x.severity,
                        format!(
                            "{} (silenced by `{}` at line {})",
                            x.message, s.marker, s.line
                        ),
                    )
                };
                (finding, s.reason.clone())
            })
        })
        .collect()
}

/// A check id as a PascalCase rule name: `exec.python.subprocess` → `ExecPythonSubprocess`.
fn rule_name(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// A message template without its placeholders: `reads environment variable {var}{dyn}` → `reads
/// environment variable …`.
fn plain_message(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_placeholder = false;
    for c in template.chars() {
        match c {
            '{' => {
                in_placeholder = true;
                if !out.ends_with('…') {
                    out.push('…');
                }
            }
            '}' => in_placeholder = false,
            _ if !in_placeholder => out.push(c),
            _ => {}
        }
    }
    out
}

/// A repository-relative path as a relative URI reference: every byte outside the unreserved set and
/// `/` is percent-encoded, so spaces, `#`, `?` and `%` in file names stay part of the path.
pub fn path_to_uri(path: &str) -> String {
    bytes_to_uri(path.as_bytes())
}

/// The URI of a path of the review: from its original bytes when it is not valid UTF-8.
fn review_uri(raw_paths: &std::collections::BTreeMap<String, Vec<u8>>, path: &str) -> String {
    match raw_paths.get(path) {
        Some(raw) => bytes_to_uri(raw),
        None => path_to_uri(path),
    }
}

/// [`path_to_uri`] of raw path bytes (a file name that is not UTF-8 keeps its bytes, percent-encoded).
pub fn bytes_to_uri(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for &byte in path {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_escape_what_a_path_may_hold() {
        assert_eq!(path_to_uri("src/a b#1?%.rs"), "src/a%20b%231%3F%25.rs");
        assert_eq!(path_to_uri("dir/é.py"), "dir/%C3%A9.py");
        assert_eq!(bytes_to_uri(b"dir/caf\xe9 x.py"), "dir/caf%E9%20x.py");
    }

    #[test]
    fn rule_names_and_descriptions() {
        assert_eq!(rule_name("exec.python.subprocess"), "ExecPythonSubprocess");
        assert_eq!(rule_name("path-traversal.dotdot"), "PathTraversalDotdot");
        assert_eq!(
            plain_message("reads environment variable {var}{dyn}"),
            "reads environment variable …"
        );
    }
}
