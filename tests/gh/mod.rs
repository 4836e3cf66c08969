//! Shared by the `review-gate github` tests: a fake GitHub API (wiremock) that keeps check runs, comments
//! and reviews and can inject faults; pull-request repositories; running the binary as Actions would.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common::{binary, Repo, Run};

/// The token the tests hand to the binary.
pub const TOKEN: &str = "ghs_TestInstallationToken4f9a2c7e1b3d5";
/// The repository of the fake API.
pub const OWNER_REPO: &str = "acme/app";
/// The pull request number.
pub const PR: u64 = 7;

// ---------------------------------------------------------------------------------------------------
// A fake GitHub: keeps check runs, comments and reviews, answers lists from what was created, and can
// inject faults (a status with headers, before or after processing the request).

pub struct Fault {
    pub method: &'static str,
    pub path_suffix: &'static str,
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub message: &'static str,
    /// Process the request first (the object is created) and then answer with the fault.
    pub after_processing: bool,
    pub times: usize,
}

#[derive(Default)]
pub struct State {
    pub next_id: u64,
    pub check_runs: Vec<Value>,
    pub issue_comments: Vec<Value>,
    pub reviews: Vec<Value>,
    pub review_comments: Vec<Value>,
    pub faults: Vec<Fault>,
}

#[derive(Clone, Default)]
pub struct FakeGithub(Arc<Mutex<State>>);

impl FakeGithub {
    pub fn fault(&self, fault: Fault) {
        self.0.lock().unwrap().faults.push(fault);
    }

    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap()
    }
}

fn bot() -> Value {
    json!({"login":"github-actions[bot]","id":41898282,"node_id":"MDM6Qm90NDE4OTgyODI=",
           "avatar_url":"https://avatars.githubusercontent.com/in/15368?v=4","type":"Bot","site_admin":false,
           "url":"https://api.github.com/users/github-actions%5Bbot%5D","html_url":"https://github.com/apps/github-actions"})
}

fn check_run_json(
    id: u64,
    head_sha: &str,
    status: &str,
    conclusion: Value,
    output: &Value,
) -> Value {
    json!({
        "id": id, "name": "review-gate", "node_id": format!("CR_kwDO{id}"), "head_sha": head_sha,
        "external_id": output.get("external_id").cloned().unwrap_or(Value::Null),
        "url": format!("https://api.github.com/repos/{OWNER_REPO}/check-runs/{id}"),
        "html_url": format!("https://github.com/{OWNER_REPO}/runs/{id}"),
        "details_url": format!("https://github.com/{OWNER_REPO}/runs/{id}"),
        "status": status, "conclusion": conclusion,
        "started_at": "2026-11-25T10:00:00Z", "completed_at": if status == "completed" { json!("2026-11-25T10:00:05Z") } else { Value::Null },
        "output": {"title": null, "summary": null, "text": null, "annotations_count": 0,
                   "annotations_url": format!("https://api.github.com/repos/{OWNER_REPO}/check-runs/{id}/annotations")},
        "check_suite": {"id": 5000},
        "app": {"id": 15368, "slug": "github-actions", "node_id": "MDM6QXBwMTUzNjg=", "owner": bot(), "name": "GitHub Actions",
                "description": "Automate your workflow from idea to production", "external_url": "https://help.github.com/en/actions",
                "html_url": "https://github.com/apps/github-actions", "created_at": "2018-07-30T09:30:17Z",
                "updated_at": "2024-04-10T20:33:16Z", "permissions": {"checks": "write"}, "events": []},
        "pull_requests": []
    })
}

fn route(st: &mut State, method: &str, path: &str, page: u64, body: &Value) -> ResponseTemplate {
    // GitHub Enterprise Server serves the API under /api/v3.
    let path = path.strip_prefix("/api/v3").unwrap_or(path);
    let prefix = format!("/repos/{OWNER_REPO}");
    let Some(rest) = path.strip_prefix(&prefix) else {
        return not_found();
    };
    let list = |items: &[Value]| {
        ResponseTemplate::new(200).set_body_json(if page <= 1 { json!(items) } else { json!([]) })
    };
    let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    st.next_id += 1;
    let id = 1000 + st.next_id;
    match (method, parts.as_slice()) {
        ("POST", ["check-runs"]) => {
            let mut run = check_run_json(
                id,
                body["head_sha"].as_str().unwrap_or(""),
                "in_progress",
                Value::Null,
                &json!({}),
            );
            run["external_id"] = body["external_id"].clone();
            st.check_runs.push(run.clone());
            ResponseTemplate::new(201).set_body_json(run)
        }
        ("PATCH", ["check-runs", run_id]) => {
            let Some(run) = st
                .check_runs
                .iter_mut()
                .find(|r| r["id"].as_u64().is_some_and(|id| id.to_string() == *run_id))
            else {
                return not_found();
            };
            if let Some(status) = body.get("status") {
                run["status"] = status.clone();
            }
            if let Some(conclusion) = body.get("conclusion") {
                run["conclusion"] = conclusion.clone();
                run["status"] = json!("completed");
            }
            ResponseTemplate::new(200).set_body_json(run.clone())
        }
        ("GET", ["commits", sha, "check-runs"]) => {
            let runs: Vec<Value> = st
                .check_runs
                .iter()
                .filter(|r| r["head_sha"] == *sha)
                .cloned()
                .collect();
            ResponseTemplate::new(200)
                .set_body_json(json!({"total_count": runs.len(), "check_runs": runs}))
        }
        ("GET", ["issues", _, "comments"]) => list(&st.issue_comments),
        ("POST", ["issues", number, "comments"]) => {
            let comment = json!({
                "id": id, "node_id": format!("IC_kwDO{id}"),
                "url": format!("https://api.github.com/repos/{OWNER_REPO}/issues/comments/{id}"),
                "html_url": format!("https://github.com/{OWNER_REPO}/pull/{number}#issuecomment-{id}"),
                "issue_url": format!("https://api.github.com/repos/{OWNER_REPO}/issues/{number}"),
                "body": body["body"], "user": bot(), "author_association": "NONE",
                "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z"
            });
            st.issue_comments.push(comment.clone());
            ResponseTemplate::new(201).set_body_json(comment)
        }
        ("PATCH", ["issues", "comments", comment_id]) => {
            let Some(comment) = st.issue_comments.iter_mut().find(|c| {
                c["id"]
                    .as_u64()
                    .is_some_and(|id| id.to_string() == *comment_id)
            }) else {
                return not_found();
            };
            comment["body"] = body["body"].clone();
            comment["updated_at"] = json!("2026-11-25T11:00:00Z");
            ResponseTemplate::new(200).set_body_json(comment.clone())
        }
        ("GET", ["pulls", _, "comments"]) => list(&st.review_comments),
        ("GET", ["pulls", _, "reviews"]) => list(&st.reviews),
        ("POST", ["pulls", number, "reviews"]) => {
            let review = json!({
                "id": id, "node_id": format!("PRR_kwDO{id}"), "user": bot(), "body": body["body"],
                "state": "COMMENTED", "commit_id": body["commit_id"], "author_association": "NONE",
                "html_url": format!("https://github.com/{OWNER_REPO}/pull/{number}#pullrequestreview-{id}"),
                "pull_request_url": format!("https://api.github.com/repos/{OWNER_REPO}/pulls/{number}"),
                "submitted_at": "2026-11-25T10:00:00Z"
            });
            for (i, c) in body["comments"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .enumerate()
            {
                st.review_comments.push(json!({
                    "id": id * 100 + i as u64, "pull_request_review_id": id, "path": c["path"], "line": c["line"],
                    "original_line": c["line"], "side": c["side"], "body": c["body"], "commit_id": body["commit_id"],
                    "original_commit_id": body["commit_id"], "user": bot(), "diff_hunk": "@@ -1,2 +1,3 @@",
                    "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z"
                }));
            }
            st.reviews.push(review.clone());
            ResponseTemplate::new(200).set_body_json(review)
        }
        _ => not_found(),
    }
}

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({"message":"Not Found",
        "documentation_url":"https://docs.github.com/rest","status":"404"}))
}

impl Respond for FakeGithub {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut st = self.0.lock().unwrap();
        let method = request.method.as_str().to_string();
        let path = request.url.path().to_string();
        let page = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let fault = st
            .faults
            .iter_mut()
            .find(|f| f.times > 0 && f.method == method && path.ends_with(f.path_suffix))
            .map(|f| {
                f.times -= 1;
                let mut template = ResponseTemplate::new(f.status)
                    .set_body_json(json!({"message": f.message, "documentation_url": "https://docs.github.com/rest"}));
                for (name, value) in &f.headers {
                    template = template.insert_header(*name, value.as_str());
                }
                (template, f.after_processing)
            });
        match fault {
            Some((template, false)) => template,
            Some((template, true)) => {
                route(&mut st, &method, &path, page, &body);
                template
            }
            None => route(&mut st, &method, &path, page, &body),
        }
    }
}

pub async fn fake_github() -> (MockServer, FakeGithub) {
    let server = MockServer::start().await;
    let fake = FakeGithub::default();
    Mock::given(any())
        .respond_with(fake.clone())
        .mount(&server)
        .await;
    (server, fake)
}

/// (method, path, body) of every request the server received.
pub async fn requests(server: &MockServer) -> Vec<(String, String, Value)> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.method.as_str().to_string(),
                r.url.path().to_string(),
                serde_json::from_slice(&r.body).unwrap_or(Value::Null),
            )
        })
        .collect()
}

pub fn count(requests: &[(String, String, Value)], method: &str, suffix: &str) -> usize {
    requests
        .iter()
        .filter(|(m, p, _)| m == method && p.ends_with(suffix))
        .count()
}

// ---------------------------------------------------------------------------------------------------
// Repositories and runs.

/// A repository with `main` (the base) and a feature branch (the head) that changes `files`.
pub struct PullRequest {
    pub repo: Repo,
    pub base: String,
    pub head: String,
    pub dir: tempfile::TempDir,
}

impl PullRequest {
    pub fn new(base_files: &[(&str, &[u8])], head_files: &[(&str, &[u8])]) -> PullRequest {
        let repo = Repo::new();
        repo.write("README.md", "# app\n");
        for (path, content) in base_files {
            repo.write(path, content);
        }
        let base = repo.commit("base");
        repo.git(&["checkout", "-q", "-b", "feature"]);
        for (path, content) in head_files {
            repo.write(path, content);
        }
        let head = repo.commit("feature");
        let pr = PullRequest {
            repo,
            base,
            head,
            dir: tempfile::tempdir().unwrap(),
        };
        pr.write_event(&pr.pull_request_event());
        pr
    }

    pub fn pull_request_event(&self) -> Value {
        json!({
            "action": "synchronize", "number": PR,
            "pull_request": {"number": PR, "state": "open",
                "base": {"ref": "main", "sha": self.base, "repo": {"full_name": OWNER_REPO}},
                "head": {"ref": "feature", "sha": self.head, "repo": {"full_name": OWNER_REPO}}},
            "repository": {"full_name": OWNER_REPO, "default_branch": "main"}
        })
    }

    pub fn write_event(&self, event: &Value) {
        std::fs::write(self.event_path(), event.to_string()).unwrap();
    }

    pub fn event_path(&self) -> PathBuf {
        self.dir.path().join("event.json")
    }

    pub fn step_summary(&self) -> PathBuf {
        self.dir.path().join("step_summary.md")
    }
}

/// The environment of an Actions job for the pull request, pointed at the fake API.
pub fn actions_env(pr: &PullRequest, api: &str) -> Vec<(String, String)> {
    [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_REPOSITORY", OWNER_REPO),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", pr.event_path().to_str().unwrap()),
        ("GITHUB_API_URL", api),
        ("GITHUB_SERVER_URL", "https://github.com"),
        ("GITHUB_SHA", "9999999999999999999999999999999999999999"),
        ("GITHUB_STEP_SUMMARY", pr.step_summary().to_str().unwrap()),
        ("GITHUB_RUN_ID", "42"),
        ("GITHUB_TOKEN", TOKEN),
        ("REVIEW_GATE_GITHUB_RETRY_BASE_MS", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Runs the binary in `dir` with exactly `env` (plus PATH) on a blocking thread, so the test's runtime
/// keeps serving the mock.
pub async fn run_github(dir: &Path, env: Vec<(String, String)>, args: &[&str]) -> Run {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let output = Command::new(binary())
            .current_dir(&dir)
            .arg("github")
            .args(&args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .envs(env)
            .stdin(Stdio::null())
            .output()
            .expect("binary runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .unwrap()
}

pub fn python(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("import os, subprocess\n");
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text.into_bytes()
}
