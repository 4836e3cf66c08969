//! The JSON report, schema version 1: `{"version":1,"findings":[...],"summary":{...}}`.

use serde::Serialize;

use super::{Review, Summary};
use crate::model::Finding;

/// The JSON schema version this reporter writes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: &'a Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    check: &'a str,
    category: &'a str,
    severity: &'a str,
    path: &'a str,
    line: u32,
    column: u32,
    end_column: u32,
    message: &'a str,
    snippet: &'a str,
    fingerprint: &'a str,
}

impl<'a> From<&'a Finding> for JsonFinding<'a> {
    fn from(f: &'a Finding) -> Self {
        JsonFinding {
            check: &f.check,
            category: f.category.as_str(),
            severity: f.severity.as_str(),
            path: &f.path,
            line: f.line,
            column: f.column,
            end_column: f.end_column,
            message: &f.message,
            snippet: &f.snippet,
            fingerprint: &f.fingerprint,
        }
    }
}

/// Renders the review as pretty-printed JSON with a trailing newline.
pub fn render(review: &Review) -> String {
    let doc = Document {
        version: SCHEMA_VERSION,
        findings: review.findings.iter().map(JsonFinding::from).collect(),
        summary: &review.summary,
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("the report serializes");
    out.push('\n');
    out
}
