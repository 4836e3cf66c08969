//! The GitHub Actions context: which repository, which change (pull request or push), which API.
//!
//! Read from the environment Actions sets and the event payload at `GITHUB_EVENT_PATH`. On
//! `pull_request` events `GITHUB_SHA` is the test merge commit, so the head and base come from the
//! payload (`pull_request.head.sha`, `pull_request.base.sha`); on `push` the change is `before...after`.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _, Result};
use serde_json::Value;

/// Default API root when `GITHUB_API_URL` is not set.
pub const DEFAULT_API_URL: &str = "https://api.github.com";
/// Default web root when `GITHUB_SERVER_URL` is not set.
pub const DEFAULT_SERVER_URL: &str = "https://github.com";

/// What triggered the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// A pull request (`pull_request` or `pull_request_target`).
    PullRequest {
        /// Its number.
        number: u64,
        /// Whether the head branch lives in another repository (its token is read-only).
        from_fork: bool,
    },
    /// A push of `before..after`.
    Push,
}

/// Everything the gate needs to know about where it runs.
#[derive(Debug, Clone)]
pub struct Context {
    /// Repository owner.
    pub owner: String,
    /// Repository name.
    pub repo: String,
    /// The event.
    pub trigger: Trigger,
    /// The commit the change starts from (pull request base, push `before`), or a revision from `--base`.
    pub base: String,
    /// The commit reviewed (pull request head, push `after`).
    pub head: String,
    /// REST API root, without a trailing `/`.
    pub api_url: String,
    /// Web root, without a trailing `/` (for links to lines).
    pub server_url: String,
    /// The step summary file, when Actions provides one.
    pub step_summary: Option<PathBuf>,
}

impl Context {
    /// `owner/name`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }

    /// The pull request number, when the trigger is a pull request.
    pub fn pull_number(&self) -> Option<u64> {
        match self.trigger {
            Trigger::PullRequest { number, .. } => Some(number),
            Trigger::Push => None,
        }
    }

    /// A link to a line of the reviewed commit.
    pub fn line_url(&self, path: &str, line: u32) -> String {
        format!(
            "{}/{}/{}/blob/{}/{}#L{line}",
            self.server_url,
            self.owner,
            self.repo,
            self.head,
            crate::report::sarif::path_to_uri(path)
        )
    }

    /// Reads the context from the environment (`var` looks a variable up), the event payload at
    /// `event_path` (default `GITHUB_EVENT_PATH`) and an optional base override.
    pub fn load(
        var: &dyn Fn(&str) -> Option<String>,
        event_path: Option<&Path>,
        base_override: Option<&str>,
    ) -> Result<Context> {
        let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let repository = get("GITHUB_REPOSITORY").ok_or_else(|| {
            anyhow!("GITHUB_REPOSITORY is not set: run `review-gate github` inside GitHub Actions, or set it to `owner/name`")
        })?;
        let (owner, repo) = repository
            .split_once('/')
            .filter(|(o, r)| !o.is_empty() && !r.is_empty() && !r.contains('/'))
            .ok_or_else(|| anyhow!("GITHUB_REPOSITORY is `{repository}`, expected `owner/name`"))?;
        let event_file = match event_path {
            Some(path) => path.to_path_buf(),
            None => PathBuf::from(get("GITHUB_EVENT_PATH").ok_or_else(|| {
                anyhow!("GITHUB_EVENT_PATH is not set: it names the event payload Actions writes (or pass `--event FILE`)")
            })?),
        };
        let text = std::fs::read_to_string(&event_file)
            .with_context(|| format!("cannot read the event payload {}", event_file.display()))?;
        let payload: Value = serde_json::from_str(&text).map_err(|e| {
            anyhow!(
                "the event payload {} is not JSON: {e}",
                event_file.display()
            )
        })?;
        let event_name = get("GITHUB_EVENT_NAME").unwrap_or_else(|| {
            if payload.get("pull_request").is_some() {
                "pull_request".to_string()
            } else {
                "push".to_string()
            }
        });
        if let Some(full) = payload
            .pointer("/repository/full_name")
            .and_then(Value::as_str)
        {
            if !full.eq_ignore_ascii_case(&repository) {
                bail!(
                    "inconsistent context: GITHUB_REPOSITORY is `{repository}` but the event payload {} is about `{full}`",
                    event_file.display()
                );
            }
        }
        let at = |pointer: &str| -> Result<String> {
            payload
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| {
                    anyhow!(
                        "the {event_name} event payload {} has no `{}`",
                        event_file.display(),
                        pointer.trim_start_matches('/').replace('/', ".")
                    )
                })
        };
        let (trigger, base, head) = match event_name.as_str() {
            "pull_request" | "pull_request_target" => {
                let number = payload
                    .pointer("/pull_request/number")
                    .or_else(|| payload.get("number"))
                    .and_then(Value::as_u64)
                    .ok_or_else(|| {
                        anyhow!(
                            "the {event_name} event payload {} has no `pull_request.number`",
                            event_file.display()
                        )
                    })?;
                let head_repo = payload
                    .pointer("/pull_request/head/repo/full_name")
                    .and_then(Value::as_str);
                let from_fork = head_repo.is_some_and(|r| !r.eq_ignore_ascii_case(&repository));
                let base = at("/pull_request/base/sha")?;
                let head = at("/pull_request/head/sha")?;
                (Trigger::PullRequest { number, from_fork }, base, head)
            }
            "push" => {
                let before = at("/before")?;
                let after = at("/after")?;
                (Trigger::Push, before, after)
            }
            other => bail!(
                "GITHUB_EVENT_NAME is `{other}`: `review-gate github` reviews pull_request, pull_request_target and \
                 push events (use `review-gate diff BASE` for others)"
            ),
        };
        check_sha("head", &head, &event_file)?;
        let base = match base_override {
            Some(rev) => rev.to_string(),
            None => {
                check_sha("base", &base, &event_file)?;
                if base.bytes().all(|b| b == b'0') {
                    new_branch_base(&payload).ok_or_else(|| {
                        anyhow!(
                            "the push creates a new branch (`before` is all zeros) and the payload names no default \
                             branch to compare with: pass `--base REV` (the action's `base-ref` input)"
                        )
                    })?
                } else {
                    base
                }
            }
        };
        Ok(Context {
            owner: owner.to_string(),
            repo: repo.to_string(),
            trigger,
            base,
            head,
            api_url: trim_url(get("GITHUB_API_URL").as_deref().unwrap_or(DEFAULT_API_URL)),
            server_url: trim_url(
                get("GITHUB_SERVER_URL")
                    .as_deref()
                    .unwrap_or(DEFAULT_SERVER_URL),
            ),
            step_summary: get("GITHUB_STEP_SUMMARY").map(PathBuf::from),
        })
    }
}

/// For a push that creates a branch: the remote-tracking default branch to compare with.
fn new_branch_base(payload: &Value) -> Option<String> {
    let branch = payload
        .pointer("/repository/default_branch")
        .and_then(Value::as_str)?;
    Some(format!("origin/{branch}"))
}

fn check_sha(which: &str, sha: &str, event_file: &Path) -> Result<()> {
    let ok = matches!(sha.len(), 40 | 64) && sha.bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(())
    } else {
        bail!(
            "the {which} commit `{sha}` in the event payload {} is not a commit id",
            event_file.display()
        )
    }
}

fn trim_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}

/// The digest links to lines of the reviewed commit.
impl crate::report::markdown::Links for Context {
    fn line(&self, path: &str, line: u32) -> String {
        self.line_url(path, line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const BASE: &str = "1111111111111111111111111111111111111111";
    const HEAD: &str = "2222222222222222222222222222222222222222";

    fn load(vars: &[(&str, &str)], payload: &str) -> Result<Context> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("event.json");
        std::fs::write(&path, payload).unwrap();
        let mut map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        map.insert("GITHUB_EVENT_PATH".into(), path.display().to_string());
        Context::load(&|name| map.get(name).cloned(), None, None)
    }

    fn pr_payload(repo: &str) -> String {
        format!(
            r#"{{"number":7,"pull_request":{{"number":7,"base":{{"sha":"{BASE}"}},"head":{{"sha":"{HEAD}","repo":{{"full_name":"{repo}"}}}}}},
               "repository":{{"full_name":"acme/app"}}}}"#
        )
    }

    #[test]
    fn pull_request_uses_payload_shas_not_github_sha() {
        let ctx = load(
            &[
                ("GITHUB_REPOSITORY", "acme/app"),
                ("GITHUB_EVENT_NAME", "pull_request"),
                ("GITHUB_SHA", "3333333333333333333333333333333333333333"),
                ("GITHUB_API_URL", "https://ghe.example.com/api/v3/"),
            ],
            &pr_payload("acme/app"),
        )
        .unwrap();
        assert_eq!((ctx.base.as_str(), ctx.head.as_str()), (BASE, HEAD));
        assert_eq!(
            ctx.trigger,
            Trigger::PullRequest {
                number: 7,
                from_fork: false
            }
        );
        assert_eq!(ctx.api_url, "https://ghe.example.com/api/v3");
        assert_eq!(
            ctx.line_url("a b.rs", 3),
            format!("https://github.com/acme/app/blob/{HEAD}/a%20b.rs#L3")
        );
    }

    #[test]
    fn fork_and_inconsistent_repository() {
        let ctx = load(
            &[("GITHUB_REPOSITORY", "acme/app")],
            &pr_payload("mallory/app"),
        )
        .unwrap();
        assert!(matches!(
            ctx.trigger,
            Trigger::PullRequest {
                from_fork: true,
                ..
            }
        ));
        let err = load(
            &[("GITHUB_REPOSITORY", "other/repo")],
            &pr_payload("acme/app"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("GITHUB_REPOSITORY is `other/repo`") && err.contains("acme/app"),
            "{err}"
        );
    }

    #[test]
    fn missing_and_malformed_values_are_named() {
        let err = load(&[], &pr_payload("acme/app")).unwrap_err().to_string();
        assert!(err.contains("GITHUB_REPOSITORY is not set"), "{err}");
        let err = load(&[("GITHUB_REPOSITORY", "acme")], "{}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected `owner/name`"), "{err}");
        let err = load(
            &[
                ("GITHUB_REPOSITORY", "acme/app"),
                ("GITHUB_EVENT_NAME", "pull_request"),
            ],
            r#"{"pull_request":{"number":1,"base":{"sha":"x"},"head":{}}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("has no `pull_request.head.sha`"), "{err}");
        let err = load(
            &[
                ("GITHUB_REPOSITORY", "acme/app"),
                ("GITHUB_EVENT_NAME", "issues"),
            ],
            "{}",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("GITHUB_EVENT_NAME is `issues`"), "{err}");
    }

    #[test]
    fn push_reviews_before_after_and_new_branches_use_the_default_branch() {
        let payload = format!(r#"{{"before":"{BASE}","after":"{HEAD}"}}"#);
        let ctx = load(
            &[
                ("GITHUB_REPOSITORY", "acme/app"),
                ("GITHUB_EVENT_NAME", "push"),
            ],
            &payload,
        )
        .unwrap();
        assert_eq!(ctx.trigger, Trigger::Push);
        assert_eq!((ctx.base.as_str(), ctx.head.as_str()), (BASE, HEAD));
        let zeros = "0".repeat(40);
        let payload = format!(
            r#"{{"before":"{zeros}","after":"{HEAD}","repository":{{"full_name":"acme/app","default_branch":"main"}}}}"#
        );
        let ctx = load(
            &[
                ("GITHUB_REPOSITORY", "acme/app"),
                ("GITHUB_EVENT_NAME", "push"),
            ],
            &payload,
        )
        .unwrap();
        assert_eq!(ctx.base, "origin/main");
    }
}
