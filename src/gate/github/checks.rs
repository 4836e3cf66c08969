//! The check run `review-gate` on the head commit: created in progress, given its annotations in batches of
//! at most 50 (each update appends), and completed with a conclusion — failure when a finding reaches the
//! fail level, neutral when there are only lesser findings, success when there are none.

use octocrab::params::checks::{
    CheckRunConclusion, CheckRunOutput, CheckRunOutputAnnotation, CheckRunOutputAnnotationLevel,
    CheckRunStatus,
};
use serde::Serialize;
use serde_json::Value;

use super::client::{Api, ApiError};
use crate::model::{Finding, Severity};
use crate::pipeline::Analysis;
use crate::report::markdown::plural;

/// The check run's name.
pub const CHECK_NAME: &str = "review-gate";
/// Annotations GitHub accepts per request.
pub const BATCH: usize = 50;
/// Annotations sent at most (the most severe); the summary says when more were found.
pub const MAX_ANNOTATIONS: usize = 1000;
const PERMISSION: &str = "checks: write";

#[derive(Serialize)]
struct CreateRun<'a> {
    name: &'a str,
    head_sha: &'a str,
    status: CheckRunStatus,
    external_id: &'a str,
}

#[derive(Serialize)]
struct UpdateRun {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<CheckRunStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conclusion: Option<CheckRunConclusion>,
    output: CheckRunOutput,
}

/// What the check run ended as.
#[derive(Debug)]
pub struct Published {
    /// The check run's id.
    pub id: u64,
    /// `failure`, `neutral` or `success`.
    pub conclusion: &'static str,
    /// Annotations sent.
    pub annotations: usize,
}

/// The conclusion for an analysis.
pub fn conclusion(analysis: &Analysis) -> (CheckRunConclusion, &'static str) {
    if analysis.fails() {
        (CheckRunConclusion::Failure, "failure")
    } else if !analysis.review.findings.is_empty() {
        (CheckRunConclusion::Neutral, "neutral")
    } else {
        (CheckRunConclusion::Success, "success")
    }
}

/// The check run's title: the counts by severity.
pub fn title(analysis: &Analysis) -> String {
    let findings = &analysis.review.findings;
    if findings.is_empty() {
        return "No findings".into();
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    format!(
        "{}, {}, {}",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Note), "note")
    )
}

/// The annotations for the findings, most severe first, at most [`MAX_ANNOTATIONS`].
pub fn annotations(findings: &[Finding]) -> Vec<CheckRunOutputAnnotation> {
    let mut ranked: Vec<&Finding> = findings.iter().collect();
    ranked.sort_by_key(|f| std::cmp::Reverse(f.severity));
    ranked
        .into_iter()
        .take(MAX_ANNOTATIONS)
        .map(|f| {
            let line = f.line.max(1);
            let end_line = f.end_line.filter(|end| *end > line);
            // Columns are for one line: a region has none.
            let start_column = (f.column > 0 && end_line.is_none()).then_some(f.column);
            let end_column = start_column.map(|start| f.end_column.saturating_sub(1).max(start));
            CheckRunOutputAnnotation {
                path: f.path.clone(),
                start_line: line,
                end_line: end_line.unwrap_or(line),
                start_column,
                end_column,
                annotation_level: match f.severity {
                    Severity::Error => CheckRunOutputAnnotationLevel::Failure,
                    Severity::Warning => CheckRunOutputAnnotationLevel::Warning,
                    Severity::Note => CheckRunOutputAnnotationLevel::Notice,
                },
                message: f.message_with_parts(),
                title: Some(f.check.clone()),
                raw_details: (!f.snippet.is_empty()).then(|| f.snippet.clone()),
            }
        })
        .collect()
}

/// Creates, annotates and completes the check run. `summary` is the digest (at most 65,535 characters);
/// `run_key` identifies this run (the `external_id`, so a create that may have failed can be found).
pub async fn publish(
    api: &Api,
    head_sha: &str,
    analysis: &Analysis,
    summary: &str,
    run_key: &str,
) -> Result<Published, ApiError> {
    let path = api.repo_path("/check-runs");
    let create = CreateRun {
        name: CHECK_NAME,
        head_sha,
        status: CheckRunStatus::InProgress,
        external_id: run_key,
    };
    let lookup = api.repo_path(&format!(
        "/commits/{head_sha}/check-runs?check_name={CHECK_NAME}&filter=latest"
    ));
    let lookup = &lookup;
    let created = api
        .create(&path, &create, PERMISSION, || async move {
            let listed = api.get(lookup, PERMISSION).await?;
            Ok(listed
                .get("check_runs")
                .and_then(Value::as_array)
                .and_then(|runs| {
                    runs.iter()
                        .find(|r| r.get("external_id").and_then(Value::as_str) == Some(run_key))
                        .cloned()
                }))
        })
        .await?;
    let id = created
        .get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| ApiError {
            endpoint: format!("POST {path}"),
            status: None,
            detail: "the answer has no check run `id`".into(),
            permission: PERMISSION,
            token_env: String::new(),
            uncertain: false,
            rate_limited: false,
        })?;
    let run_path = api.repo_path(&format!("/check-runs/{id}"));
    let title = title(analysis);
    let mut batches: Vec<Vec<CheckRunOutputAnnotation>> = Vec::new();
    let mut all = annotations(&analysis.review.findings);
    let sent = all.len();
    while !all.is_empty() {
        let rest = all.split_off(all.len().min(BATCH));
        batches.push(std::mem::replace(&mut all, rest));
    }
    let last = batches.pop().unwrap_or_default();
    let (conclusion, name) = conclusion(analysis);
    let complete = |annotations: Vec<CheckRunOutputAnnotation>, summary: String| UpdateRun {
        status: Some(CheckRunStatus::Completed),
        conclusion: Some(conclusion),
        output: CheckRunOutput {
            title: title.clone(),
            summary,
            text: None,
            annotations,
            images: Vec::new(),
        },
    };
    let annotated = async {
        for (i, batch) in batches.into_iter().enumerate() {
            let update = UpdateRun {
                status: None,
                conclusion: None,
                output: CheckRunOutput {
                    title: title.clone(),
                    summary: format!("Adding annotations (batch {})…", i + 1),
                    text: None,
                    annotations: batch,
                    images: Vec::new(),
                },
            };
            api.patch(&run_path, &update, PERMISSION).await?;
        }
        api.patch(&run_path, &complete(last, summary.to_string()), PERMISSION)
            .await
    };
    if let Err(e) = annotated.await {
        // Never leave the run in progress: complete it with its conclusion, without the annotations
        // GitHub refused (best effort; the error is what the caller reports).
        let note = format!(
            "{summary}\n\n_Annotations could not be added ({})._\n",
            e.endpoint
        );
        let _ = api
            .patch(&run_path, &complete(Vec::new(), note), PERMISSION)
            .await;
        return Err(e);
    }
    Ok(Published {
        id,
        conclusion: name,
        annotations: sent,
    })
}
