//! The sticky summary: one pull-request comment that starts with a hidden marker, created on the first run
//! and edited in place on every later one; and the job's step summary (`GITHUB_STEP_SUMMARY`).

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result};
use serde::Serialize;
use serde_json::Value;

use super::client::{Api, ApiError};

/// The hidden marker the summary comment starts with.
pub const MARKER: &str = "<!-- review-gate:summary -->";
const PERMISSION: &str = "pull-requests: write";

#[derive(Serialize)]
struct CommentBody<'a> {
    body: &'a str,
}

/// What happened to the summary comment.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new comment with this id.
    Created(u64),
    /// The earlier comment with this id was edited.
    Updated(u64),
}

/// Whether a comment or review was written by a bot (the Actions token).
pub fn by_bot(item: &Value) -> bool {
    item.pointer("/user/type").and_then(Value::as_str) == Some("Bot")
}

/// Whether a comment or review was written by the repository's owner, a member or a collaborator.
pub fn by_member(item: &Value) -> bool {
    matches!(
        item.get("author_association").and_then(Value::as_str),
        Some("OWNER" | "MEMBER" | "COLLABORATOR")
    )
}

/// Picks the earlier summary comment among a pull request's comments: one that starts with the marker,
/// written by a bot (the Actions token) or, failing that, by a member of the repository (a personal
/// token) — never one a stranger planted.
pub fn find_sticky(comments: &[Value]) -> Option<&Value> {
    let marked = || {
        comments.iter().filter(|c| {
            c.get("body")
                .and_then(Value::as_str)
                .is_some_and(|b| b.trim_start().starts_with(MARKER))
        })
    };
    marked()
        .find(|c| by_bot(c))
        .or_else(|| marked().find(|c| by_member(c)))
}

/// Creates or updates the summary comment on pull request `number`. `body` starts with [`MARKER`].
pub async fn publish(api: &Api, number: u64, body: &str) -> Result<Outcome, ApiError> {
    let list_path = api.repo_path(&format!("/issues/{number}/comments"));
    let comments = api.get_all(&list_path, PERMISSION).await?;
    let payload = CommentBody { body };
    if let Some(id) = find_sticky(&comments).and_then(|c| c.get("id")?.as_u64()) {
        let path = api.repo_path(&format!("/issues/comments/{id}"));
        api.patch(&path, &payload, PERMISSION).await?;
        return Ok(Outcome::Updated(id));
    }
    let list_ref = &list_path;
    let created = api
        .create(&list_path, &payload, PERMISSION, || async move {
            let comments = api.get_all(list_ref, PERMISSION).await?;
            Ok(find_sticky(&comments).cloned())
        })
        .await?;
    Ok(Outcome::Created(
        created.get("id").and_then(Value::as_u64).unwrap_or(0),
    ))
}

/// Appends `markdown` to the step summary file.
pub fn write_step_summary(path: &Path, markdown: &str) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| {
            format!(
                "cannot open the step summary {} (GITHUB_STEP_SUMMARY)",
                path.display()
            )
        })?;
    file.write_all(markdown.as_bytes())
        .and_then(|_| file.write_all(b"\n"))
        .with_context(|| format!("cannot write the step summary {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sticky_comment_is_ours_not_a_strangers() {
        let comments = vec![
            json!({"id":1,"body":format!("{MARKER}\nplanted"),"user":{"type":"User"},"author_association":"NONE"}),
            json!({"id":2,"body":"unrelated","user":{"type":"Bot"}}),
            json!({"id":3,"body":format!("{MARKER}\nours"),"user":{"type":"Bot"},"author_association":"NONE"}),
        ];
        assert_eq!(find_sticky(&comments).unwrap()["id"], 3);
        let only_stranger = &comments[..2];
        assert!(find_sticky(only_stranger).is_none());
        let member = vec![
            json!({"id":4,"body":format!("{MARKER}\nby a PAT"),"user":{"type":"User"},"author_association":"MEMBER"}),
        ];
        assert_eq!(find_sticky(&member).unwrap()["id"], 4);
    }
}
