//! One pull-request review per run: inline comments on the added lines, everything else in its body.
//!
//! GitHub rejects a whole review (422) when one comment sits outside the diff, so each finding's line is
//! checked against the lines the change adds (the same `base...head` diff GitHub shows). Every comment and
//! body entry carries a hidden marker with the finding's location key and fingerprint; existing review
//! comments and review bodies are read first, and what an earlier run already posted is not posted again.
//! A run with nothing new posts no review.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value;

use super::client::{Api, ApiError};
use super::summary::{by_bot, by_member};
use crate::model::{fnv1a64, Finding};
use crate::pipeline::Analysis;
use crate::report::markdown::{md_code, md_message, md_text};

const PERMISSION: &str = "pull-requests: write";
const MARKER: &str = "<!-- review-gate:finding key=";
const REVIEW_MARKER: &str = "<!-- review-gate:review run=";
/// Inline comments per review at most (the most severe); the rest go to the body.
pub const MAX_COMMENTS: usize = 100;
/// Largest review body.
const BODY_LIMIT: usize = 65_000;

#[derive(Serialize)]
struct NewReview<'a> {
    commit_id: &'a str,
    event: &'static str,
    body: String,
    comments: Vec<NewComment>,
}

#[derive(Serialize)]
struct NewComment {
    path: String,
    /// For a finding over a region: its first line (GitHub's multi-line comment), `line` its last.
    #[serde(skip_serializing_if = "Option::is_none")]
    start_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_side: Option<&'static str>,
    line: u32,
    side: &'static str,
    body: String,
}

/// What the review step did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A review was posted with this many inline comments and body entries.
    Posted {
        /// Inline comments.
        comments: usize,
        /// Findings listed in the body.
        in_body: usize,
    },
    /// Nothing new to say: every finding was posted by an earlier run (or there are none).
    NothingNew,
}

/// The key that identifies a posted finding: check, path and line (and the side, for a removed line).
pub fn location_key(finding: &Finding) -> String {
    let line = finding.line.to_string();
    let mut parts: Vec<&[u8]> = vec![
        finding.check.as_bytes(),
        finding.path.as_bytes(),
        line.as_bytes(),
    ];
    if !finding.side.is_added() {
        parts.push(b"removed");
    }
    format!("{:016x}", fnv1a64(&parts))
}

fn marker(finding: &Finding) -> String {
    format!(
        "{MARKER}{} fingerprint={} -->",
        location_key(finding),
        finding.fingerprint
    )
}

/// The location keys in the markers of a text.
fn keys_in(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices(MARKER).filter_map(|(at, _)| {
        let rest = &text[at + MARKER.len()..];
        let end = rest
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end])
    })
}

/// Posts the review for pull request `number` on `head_sha`; `run_key` identifies this run.
pub async fn publish(
    api: &Api,
    number: u64,
    head_sha: &str,
    analysis: &Analysis,
    run_key: &str,
) -> Result<Outcome, ApiError> {
    let comments_path = api.repo_path(&format!("/pulls/{number}/comments"));
    let reviews_path = api.repo_path(&format!("/pulls/{number}/reviews"));
    let mut posted: HashSet<String> = HashSet::new();
    // Only markers review-gate could have written count: a stranger's comment quoting them (the author
    // of a fork's pull request, say) must not silence the findings on their lines.
    let mut earlier = api.get_all(&comments_path, PERMISSION).await?;
    earlier.extend(api.get_all(&reviews_path, PERMISSION).await?);
    for item in earlier.iter().filter(|c| by_bot(c) || by_member(c)) {
        if let Some(body) = item.get("body").and_then(Value::as_str) {
            posted.extend(keys_in(body).map(str::to_string));
        }
    }
    let added: HashSet<(&str, u32)> = analysis
        .changes
        .files
        .iter()
        .flat_map(|f| f.added.iter().map(move |l| (f.path.as_str(), l.number)))
        .collect();
    // Removed lines take comments on the diff's LEFT side, at their old line number.
    let removed: HashSet<(&str, u32)> = analysis
        .changes
        .files
        .iter()
        .flat_map(|f| f.removed.iter().map(move |l| (f.path.as_str(), l.number)))
        .collect();
    let in_diff = |f: &Finding| {
        let lines = if f.side.is_added() { &added } else { &removed };
        lines.contains(&(f.path.as_str(), f.line))
    };
    let mut ranked: Vec<&Finding> = analysis.review.findings.iter().collect();
    ranked.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut inline = Vec::new();
    let mut outside = Vec::new();
    let mut seen = HashSet::new();
    for finding in ranked {
        let key = location_key(finding);
        if posted.contains(&key) || !seen.insert(key) {
            continue;
        }
        if inline.len() < MAX_COMMENTS && in_diff(finding) {
            inline.push(finding);
        } else {
            outside.push(finding);
        }
    }
    if inline.is_empty() && outside.is_empty() {
        return Ok(Outcome::NothingNew);
    }
    let review = NewReview {
        commit_id: head_sha,
        event: "COMMENT",
        body: body(&outside, run_key),
        comments: inline
            .iter()
            .map(|f| {
                let side = if f.side.is_added() { "RIGHT" } else { "LEFT" };
                // A region is commented over its lines when the diff adds every one of them.
                let end = f.end_line.filter(|end| {
                    f.side.is_added()
                        && *end > f.line
                        && (f.line..=*end).all(|l| added.contains(&(f.path.as_str(), l)))
                });
                NewComment {
                    path: f.path.clone(),
                    start_line: end.map(|_| f.line),
                    start_side: end.map(|_| side),
                    line: end.unwrap_or(f.line),
                    side,
                    body: comment_body(f),
                }
            })
            .collect(),
    };
    let reviews_ref = &reviews_path;
    let find_existing = || async move {
        let reviews = api.get_all(reviews_ref, PERMISSION).await?;
        let mine = format!("{REVIEW_MARKER}{run_key} -->");
        Ok(reviews.into_iter().find(|r| {
            r.get("body")
                .and_then(Value::as_str)
                .is_some_and(|b| b.contains(&mine))
        }))
    };
    match api
        .create(&reviews_path, &review, PERMISSION, find_existing)
        .await
    {
        Ok(_) => Ok(Outcome::Posted {
            comments: inline.len(),
            in_body: outside.len(),
        }),
        // GitHub refused a comment position after all: post everything in the body instead.
        Err(e) if e.status == Some(422) && !inline.is_empty() => {
            let mut all = inline;
            all.extend(outside);
            let fallback = NewReview {
                commit_id: head_sha,
                event: "COMMENT",
                body: body(&all, run_key),
                comments: Vec::new(),
            };
            api.create(&reviews_path, &fallback, PERMISSION, find_existing)
                .await?;
            Ok(Outcome::Posted {
                comments: 0,
                in_body: all.len(),
            })
        }
        Err(e) => Err(e),
    }
}

/// An inline comment: severity, check, message, and the marker.
fn comment_body(finding: &Finding) -> String {
    format!(
        "**{}** {}: {}\n\n{}",
        finding.severity,
        md_code(&finding.check),
        md_message(&finding.message_with_parts()),
        marker(finding)
    )
}

/// The review body: the findings outside the diff (each with its marker), within the size limit.
fn body(outside: &[&Finding], run_key: &str) -> String {
    let mut out = String::from("**review-gate**");
    if outside.is_empty() {
        out.push_str(": findings on the added lines are commented inline.\n");
    } else {
        out.push_str(": findings on lines GitHub cannot comment on (outside the diff):\n\n");
        let mut left = outside.len();
        for f in outside {
            let entry = format!(
                "- **{}** {} {}:{}: {} {}\n",
                f.severity,
                md_code(&f.check),
                md_text(&f.path),
                f.line,
                md_message(&f.message_with_parts()),
                marker(f)
            );
            if out.len() + entry.len() > BODY_LIMIT - 200 {
                out.push_str(&format!(
                    "\n_{left} more not listed (size limit); see the summary comment._\n"
                ));
                break;
            }
            out.push_str(&entry);
            left -= 1;
        }
    }
    out.push_str(&format!("\n{REVIEW_MARKER}{run_key} -->\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Severity};

    #[test]
    fn markers_round_trip() {
        let f = Finding {
            path: "a.sh".into(),
            line: 3,
            column: 1,
            end_column: 2,
            fingerprint: "abc".into(),
            ..Finding::of("exec.shell", Category::Exec, Severity::Error, "runs `sh`")
        };
        let body = comment_body(&f);
        let keys: Vec<&str> = keys_in(&body).collect();
        assert_eq!(keys, vec![location_key(&f).as_str()]);
        let moved = Finding {
            line: 4,
            ..f.clone()
        };
        assert_ne!(location_key(&moved), location_key(&f));
        assert!(
            body.starts_with("**error** `exec.shell`: runs `sh`"),
            "{body}"
        );
    }
}
