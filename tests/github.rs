//! End-to-end tests of `review-gate github` against a fake GitHub API on 127.0.0.1 (wiremock): the
//! binary runs as a child process while the test's runtime serves the mock.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use common::{binary, git_command, Repo, Run};
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "ghs_TestInstallationToken4f9a2c7e1b3d5";
const OWNER_REPO: &str = "acme/app";
const PR: u64 = 7;

// ---------------------------------------------------------------------------------------------------
// A fake GitHub: keeps check runs, comments and reviews, answers lists from what was created, and can
// inject faults (a status with headers, before or after processing the request).

struct Fault {
    method: &'static str,
    path_suffix: &'static str,
    status: u16,
    headers: Vec<(&'static str, String)>,
    message: &'static str,
    /// Process the request first (the object is created) and then answer with the fault.
    after_processing: bool,
    times: usize,
}

#[derive(Default)]
struct State {
    next_id: u64,
    check_runs: Vec<Value>,
    issue_comments: Vec<Value>,
    reviews: Vec<Value>,
    review_comments: Vec<Value>,
    faults: Vec<Fault>,
}

#[derive(Clone, Default)]
struct FakeGithub(Arc<Mutex<State>>);

impl FakeGithub {
    fn fault(&self, fault: Fault) {
        self.0.lock().unwrap().faults.push(fault);
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
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
                .find(|r| r["id"].to_string() == *run_id)
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
            let Some(comment) = st
                .issue_comments
                .iter_mut()
                .find(|c| c["id"].to_string() == *comment_id)
            else {
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
                    "original_line": c["line"], "side": "RIGHT", "body": c["body"], "commit_id": body["commit_id"],
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

async fn fake_github() -> (MockServer, FakeGithub) {
    let server = MockServer::start().await;
    let fake = FakeGithub::default();
    Mock::given(any())
        .respond_with(fake.clone())
        .mount(&server)
        .await;
    (server, fake)
}

/// (method, path, body) of every request the server received.
async fn requests(server: &MockServer) -> Vec<(String, String, Value)> {
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

fn count(requests: &[(String, String, Value)], method: &str, suffix: &str) -> usize {
    requests
        .iter()
        .filter(|(m, p, _)| m == method && p.ends_with(suffix))
        .count()
}

// ---------------------------------------------------------------------------------------------------
// Repositories and runs.

/// A repository with `main` (the base) and a feature branch (the head) that changes `files`.
struct PullRequest {
    repo: Repo,
    base: String,
    head: String,
    dir: tempfile::TempDir,
}

impl PullRequest {
    fn new(base_files: &[(&str, &[u8])], head_files: &[(&str, &[u8])]) -> PullRequest {
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

    fn pull_request_event(&self) -> Value {
        json!({
            "action": "synchronize", "number": PR,
            "pull_request": {"number": PR, "state": "open",
                "base": {"ref": "main", "sha": self.base, "repo": {"full_name": OWNER_REPO}},
                "head": {"ref": "feature", "sha": self.head, "repo": {"full_name": OWNER_REPO}}},
            "repository": {"full_name": OWNER_REPO, "default_branch": "main"}
        })
    }

    fn write_event(&self, event: &Value) {
        std::fs::write(self.event_path(), event.to_string()).unwrap();
    }

    fn event_path(&self) -> PathBuf {
        self.dir.path().join("event.json")
    }

    fn step_summary(&self) -> PathBuf {
        self.dir.path().join("step_summary.md")
    }
}

/// The environment of an Actions job for the pull request, pointed at the fake API.
fn actions_env(pr: &PullRequest, api: &str) -> Vec<(String, String)> {
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
async fn run_github(dir: &Path, env: Vec<(String, String)>, args: &[&str]) -> Run {
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

fn python(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("import os, subprocess\n");
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text.into_bytes()
}

// ---------------------------------------------------------------------------------------------------
// Check runs.

#[tokio::test]
async fn check_run_is_created_in_progress_then_completed_with_the_conclusion() {
    let (server, fake) = fake_github().await;
    let pr = PullRequest::new(
        &[],
        &[(
            "app.py",
            &python(&["os.system(cmd)", "subprocess.run([\"ls\"])"]),
        )],
    );
    let run = run_github(pr.repo.path(), actions_env(&pr, &server.uri()), &[]).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // The normal report is printed.
    assert!(
        run.stdout
            .contains("app.py:2:1: error[exec.python.os-system]"),
        "{}",
        run.stdout
    );
    let reqs = requests(&server).await;
    let create = reqs
        .iter()
        .find(|(m, p, _)| m == "POST" && p.ends_with("/repos/acme/app/check-runs"))
        .expect("check run created");
    assert_eq!(create.2["name"], "review-gate");
    assert_eq!(
        create.2["head_sha"],
        pr.head.as_str(),
        "the head, not GITHUB_SHA"
    );
    assert_eq!(create.2["status"], "in_progress");
    let updates: Vec<&Value> = reqs
        .iter()
        .filter(|(m, p, _)| m == "PATCH" && p.contains("/check-runs/"))
        .map(|(_, _, b)| b)
        .collect();
    let last = updates.last().expect("check run completed");
    assert_eq!(last["status"], "completed");
    assert_eq!(last["conclusion"], "failure");
    let annotations = last["output"]["annotations"].as_array().unwrap();
    assert_eq!(annotations.len(), 2);
    assert_eq!(annotations[0]["annotation_level"], "failure");
    assert_eq!(annotations[0]["path"], "app.py");
    assert_eq!(annotations[0]["start_line"], 2);
    assert_eq!(annotations[0]["title"], "exec.python.os-system");
    assert_eq!(annotations[1]["annotation_level"], "warning");
    assert!(last["output"]["summary"]
        .as_str()
        .unwrap()
        .contains("Processes executed"));
    assert_eq!(fake.state().check_runs[0]["conclusion"], "failure");
    // Default reports: the summary comment too, and the step summary.
    assert_eq!(count(&reqs, "POST", "/issues/7/comments"), 1);
    let step = std::fs::read_to_string(pr.step_summary()).unwrap();
    assert!(step.contains("exec.python.os-system"), "{step}");

    // Only lesser findings: neutral; none: success.
    for (content, conclusion, code) in [
        (python(&["subprocess.run([\"ls\"])"]), "neutral", 0),
        (b"print('hello')\n".to_vec(), "success", 0),
    ] {
        let (server, _) = fake_github().await;
        let pr = PullRequest::new(&[], &[("app.py", &content)]);
        let run = run_github(
            pr.repo.path(),
            actions_env(&pr, &server.uri()),
            &["--report", "check"],
        )
        .await;
        assert_eq!(run.code, code, "{}{}", run.stdout, run.stderr);
        let reqs = requests(&server).await;
        let last = reqs.iter().rev().find(|(m, _, _)| m == "PATCH").unwrap();
        assert_eq!(last.2["conclusion"], conclusion);
        assert_eq!(
            count(&reqs, "POST", "/issues/7/comments"),
            0,
            "--report check only"
        );
    }
}

#[tokio::test]
async fn annotations_are_sent_in_batches_of_at_most_50() {
    let (server, _) = fake_github().await;
    let lines: Vec<String> = (0..120).map(|i| format!("os.system(cmd{i})")).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let pr = PullRequest::new(&[], &[("app.py", &python(&lines))]);
    let run = run_github(
        pr.repo.path(),
        actions_env(&pr, &server.uri()),
        &["--report", "check", "--format", "json"],
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = run.findings().len();
    assert!(findings >= 120, "{findings}");
    let reqs = requests(&server).await;
    let batches: Vec<usize> = reqs
        .iter()
        .filter(|(m, p, _)| m == "PATCH" && p.contains("/check-runs/"))
        .map(|(_, _, b)| b["output"]["annotations"].as_array().map_or(0, Vec::len))
        .collect();
    assert!(batches.iter().all(|n| *n <= 50), "{batches:?}");
    assert_eq!(batches.iter().sum::<usize>(), findings, "{batches:?}");
    assert_eq!(batches.len(), findings.div_ceil(50), "{batches:?}");
    // Only the last update completes the run.
    let completes: Vec<bool> = reqs
        .iter()
        .filter(|(m, p, _)| m == "PATCH" && p.contains("/check-runs/"))
        .map(|(_, _, b)| b.get("conclusion").is_some())
        .collect();
    assert_eq!(completes.iter().filter(|c| **c).count(), 1);
    assert!(completes.last().unwrap());
}

// ---------------------------------------------------------------------------------------------------
// Reviews and the summary comment.

#[tokio::test]
async fn review_comments_sit_on_added_lines_and_are_not_reposted() {
    let (server, fake) = fake_github().await;
    let base = python(&["os.system(old)", "print(1)"]);
    let head = python(&["os.system(old)", "print(1)", "os.system(new)"]);
    let pr = PullRequest::new(
        &[("app.py", &base)],
        &[
            ("app.py", &head),
            ("release.jks", b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00binary"),
        ],
    );
    let env = actions_env(&pr, &server.uri());
    let run = run_github(pr.repo.path(), env.clone(), &["--report", "review,summary"]).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let reqs = requests(&server).await;
    let reviews: Vec<&Value> = reqs
        .iter()
        .filter(|(m, p, _)| m == "POST" && p.ends_with("/pulls/7/reviews"))
        .map(|(_, _, b)| b)
        .collect();
    assert_eq!(reviews.len(), 1);
    let review = reviews[0];
    assert_eq!(review["event"], "COMMENT");
    assert_eq!(review["commit_id"], pr.head.as_str());
    let comments = review["comments"].as_array().unwrap();
    // Only the added line 4 of app.py; the old os.system on line 2 is not part of the change.
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert_eq!(comments[0]["path"], "app.py");
    assert_eq!(comments[0]["line"], 4);
    assert_eq!(comments[0]["side"], "RIGHT");
    // The key store is a binary file: no line in the diff, so it is in the body.
    let body = review["body"].as_str().unwrap();
    assert!(body.contains("release.jks"), "{body}");
    assert!(!comments.iter().any(|c| c["path"] == "release.jks"));
    assert_eq!(count(&reqs, "POST", "/issues/7/comments"), 1);

    // Second run: the existing comments are read, nothing is reposted, the summary is edited in place.
    let run = run_github(pr.repo.path(), env, &["--report", "review,summary"]).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("nothing new"), "{}", run.stderr);
    let reqs = requests(&server).await;
    assert_eq!(
        count(&reqs, "POST", "/pulls/7/reviews"),
        1,
        "no second review"
    );
    assert_eq!(
        count(&reqs, "POST", "/issues/7/comments"),
        1,
        "no second summary comment"
    );
    let patched: Vec<&(String, String, Value)> = reqs
        .iter()
        .filter(|(m, p, _)| m == "PATCH" && p.contains("/issues/comments/"))
        .collect();
    assert_eq!(patched.len(), 1);
    let state = fake.state();
    assert_eq!(state.issue_comments.len(), 1);
    assert!(patched[0]
        .1
        .ends_with(&state.issue_comments[0]["id"].to_string()));
    assert!(state.issue_comments[0]["body"]
        .as_str()
        .unwrap()
        .starts_with("<!-- review-gate:summary -->"));
}

#[tokio::test]
async fn summary_digest_lists_capabilities_with_links_and_redacted_secrets() {
    let (server, fake) = fake_github().await;
    let secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYq8Zr3LmX0vT9";
    let aws = format!(
        "[default]\naws_access_key_id = AKIAQ3EGRZ7XK2MNB5TW\naws_secret_access_key = {secret}\n"
    );
    let pr = PullRequest::new(
        &[("package.json", br#"{"name":"app","dependencies":{}}"#)],
        &[
            (
                "app.py",
                &python(&["os.system(cmd)", "x = os.environ['AWS_SECRET_ACCESS_KEY']"]),
            ),
            ("config/aws.ini", aws.as_bytes()),
            (
                "package.json",
                br#"{"name":"app","dependencies":{"left-pad":"^1.3.0"}}"#,
            ),
        ],
    );
    let run = run_github(
        pr.repo.path(),
        actions_env(&pr, &server.uri()),
        &["--report", "summary"],
    )
    .await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let body = fake.state().issue_comments[0]["body"]
        .as_str()
        .unwrap()
        .to_string();
    let positions: Vec<usize> = [
        "Secrets (redacted)",
        "New dependencies",
        "Processes executed",
        "Environment variables read",
    ]
    .iter()
    .map(|h| {
        body.find(h)
            .unwrap_or_else(|| panic!("{h} missing:\n{body}"))
    })
    .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "section order:\n{body}"
    );
    assert!(body.contains("`left-pad`"), "{body}");
    assert!(
        body.contains(&format!(
            "https://github.com/acme/app/blob/{}/app.py#L2",
            pr.head
        )),
        "{body}"
    );
    assert!(!body.contains(secret), "{body}");
    let step = std::fs::read_to_string(pr.step_summary()).unwrap();
    assert!(step.contains("Processes executed") && !step.contains(secret));
}

// ---------------------------------------------------------------------------------------------------
// Network behavior.

#[tokio::test]
async fn retries_after_a_502_and_a_secondary_rate_limit_without_duplicates() {
    let (server, fake) = fake_github().await;
    // The check run is created, but the gateway answers 502: the run must be found, not created again.
    fake.fault(Fault {
        method: "POST",
        path_suffix: "/check-runs",
        status: 502,
        headers: vec![],
        message: "Server Error",
        after_processing: true,
        times: 1,
    });
    // A secondary rate limit on listing the comments, with retry-after.
    fake.fault(Fault {
        method: "GET",
        path_suffix: "/issues/7/comments",
        status: 403,
        headers: vec![("retry-after", "1".into())],
        message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        after_processing: false,
        times: 1,
    });
    // A plain 502 on creating the comment (not processed): it is looked for, then sent again.
    fake.fault(Fault {
        method: "POST",
        path_suffix: "/issues/7/comments",
        status: 502,
        headers: vec![],
        message: "Server Error",
        after_processing: false,
        times: 1,
    });
    // And a 502 on an update, retried as it is.
    fake.fault(Fault {
        method: "PATCH",
        path_suffix: "",
        status: 502,
        headers: vec![],
        message: "Server Error",
        after_processing: false,
        times: 1,
    });
    let pr = PullRequest::new(&[], &[("app.py", &python(&["os.system(cmd)"]))]);
    let run = run_github(pr.repo.path(), actions_env(&pr, &server.uri()), &[]).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("error:"), "{}", run.stderr);
    let reqs = requests(&server).await;
    assert_eq!(count(&reqs, "POST", "/check-runs"), 1, "not created twice");
    assert_eq!(
        count(&reqs, "GET", "/check-runs"),
        1,
        "looked up after the 502"
    );
    assert_eq!(
        count(&reqs, "GET", "/issues/7/comments"),
        3,
        "rate limit retried, then looked up after the 502"
    );
    assert_eq!(count(&reqs, "POST", "/issues/7/comments"), 2);
    let state = fake.state();
    assert_eq!(state.check_runs.len(), 1);
    assert_eq!(state.check_runs[0]["conclusion"], "failure");
    assert_eq!(state.issue_comments.len(), 1);
}

#[tokio::test]
async fn forbidden_check_run_falls_back_to_workflow_commands() {
    let (server, fake) = fake_github().await;
    for suffix in ["/check-runs", "/issues/7/comments"] {
        fake.fault(Fault {
            method: "POST",
            path_suffix: suffix,
            status: 403,
            headers: vec![("x-ratelimit-remaining", "998".into())],
            message: "Resource not accessible by integration",
            after_processing: false,
            times: 1,
        });
    }
    let pr = PullRequest::new(
        &[],
        &[(
            "src/a,b:c.py",
            &python(&["os.system(cmd)", "subprocess.run([\"ls\"])"]),
        )],
    );
    let run = run_github(pr.repo.path(), actions_env(&pr, &server.uri()), &[]).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "::error file=src/a%2Cb%3Ac.py,line=2,col=1,endColumn=10,title=exec.python.os-system::runs a shell command\n"
        ),
        "{}",
        run.stdout
    );
    let error_at = run.stdout.find("::error ").unwrap();
    let warning_at = run.stdout.find("::warning ").unwrap();
    assert!(error_at < warning_at, "most severe first");
    assert_eq!(
        run.stdout.matches("::error ").count(),
        1,
        "printed once despite two 403s"
    );
    assert!(
        run.stderr
            .contains("POST /repos/acme/app/check-runs answered 403"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`checks: write`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("`pull-requests: write`"),
        "{}",
        run.stderr
    );

    // A 404 is not a fallback: it is an error, and without failing findings the exit code is 2.
    let (server, fake) = fake_github().await;
    fake.fault(Fault {
        method: "POST",
        path_suffix: "/check-runs",
        status: 404,
        headers: vec![],
        message: "Not Found",
        after_processing: false,
        times: 1,
    });
    let pr = PullRequest::new(&[], &[("app.py", b"print(1)\n")]);
    let run = run_github(
        pr.repo.path(),
        actions_env(&pr, &server.uri()),
        &["--report", "check"],
    )
    .await;
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("answered 404"), "{}", run.stderr);
    assert!(!run.stdout.contains("::"), "{}", run.stdout);
}

#[tokio::test]
async fn neither_the_token_nor_a_secret_leaves_in_requests_or_output() {
    let (server, fake) = fake_github().await;
    // A failing endpoint too, so error messages are covered.
    fake.fault(Fault {
        method: "POST",
        path_suffix: "/pulls/7/reviews",
        status: 422,
        headers: vec![],
        message: "Unprocessable Entity",
        after_processing: false,
        times: 2,
    });
    let secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYq8Zr3LmX0vT9";
    let aws =
        format!("aws_access_key_id = AKIAQ3EGRZ7XK2MNB5TW\naws_secret_access_key = {secret}\n");
    let pr = PullRequest::new(
        &[],
        &[
            ("config/aws.ini", aws.as_bytes()),
            ("app.py", &python(&["os.system(cmd)"])),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let run = run_github(
        pr.repo.path(),
        actions_env(&pr, &server.uri()),
        &[
            "--report",
            "check,review,summary,annotations",
            "--sarif",
            sarif.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let received = server.received_requests().await.unwrap();
    assert!(!received.is_empty());
    for request in &received {
        let authorization = request
            .headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(
            authorization.as_deref(),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        for (name, value) in &request.headers {
            if name.as_str() != "authorization" {
                assert!(
                    !value.to_str().unwrap_or("").contains(TOKEN),
                    "header {name}"
                );
            }
        }
        let url = request.url.as_str();
        let body = String::from_utf8_lossy(&request.body);
        for needle in [TOKEN, secret] {
            assert!(!url.contains(needle), "{url}");
            assert!(!body.contains(needle), "{} {url}: {body}", request.method);
        }
    }
    let files = [
        std::fs::read_to_string(&sarif).unwrap(),
        std::fs::read_to_string(pr.step_summary()).unwrap(),
    ];
    for text in [&run.stdout, &run.stderr, &files[0], &files[1]] {
        assert!(!text.contains(TOKEN));
        assert!(!text.contains(secret), "{text}");
    }
    assert!(run.stdout.contains("wJal*****"), "{}", run.stdout);
    assert!(run.stderr.contains("answered 422"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------------
// Context and repository errors.

#[tokio::test]
async fn push_event_reviews_before_to_after_on_the_check_run_only() {
    let (server, _) = fake_github().await;
    let pr = PullRequest::new(
        &[("app.py", &python(&["print(1)"]))],
        &[("app.py", &python(&["print(1)", "os.system(cmd)"]))],
    );
    pr.write_event(
        &json!({"ref": "refs/heads/feature", "before": pr.base, "after": pr.head,
                           "repository": {"full_name": OWNER_REPO, "default_branch": "main"}}),
    );
    let mut env = actions_env(&pr, &server.uri());
    env.retain(|(k, _)| k != "GITHUB_EVENT_NAME");
    env.push(("GITHUB_EVENT_NAME".into(), "push".into()));
    let run = run_github(pr.repo.path(), env, &["--report", "check,review,summary"]).await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("app.py:3:1: error[exec.python.os-system]"),
        "{}",
        run.stdout
    );
    let reqs = requests(&server).await;
    let create = reqs
        .iter()
        .find(|(m, p, _)| m == "POST" && p.ends_with("/check-runs"))
        .unwrap();
    assert_eq!(create.2["head_sha"], pr.head.as_str());
    assert!(
        !reqs
            .iter()
            .any(|(_, p, _)| p.contains("/pulls/") || p.contains("/issues/")),
        "{reqs:?}"
    );
    assert!(
        run.stderr.contains("a push has no pull request"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn missing_or_inconsistent_context_is_named() {
    let pr = PullRequest::new(&[], &[("app.py", b"print(1)\n")]);
    let api = "http://127.0.0.1:9"; // never reached
    let cases: [(&str, Option<(&str, &str)>, &str); 4] = [
        ("GITHUB_REPOSITORY", None, "GITHUB_REPOSITORY is not set"),
        ("GITHUB_EVENT_PATH", None, "GITHUB_EVENT_PATH is not set"),
        ("GITHUB_TOKEN", None, "GITHUB_TOKEN is not set"),
        (
            "GITHUB_REPOSITORY",
            Some(("GITHUB_REPOSITORY", "acme/other")),
            "GITHUB_REPOSITORY is `acme/other`",
        ),
    ];
    for (removed, added, expected) in cases {
        let mut env = actions_env(&pr, api);
        env.retain(|(k, _)| k != removed);
        if let Some((k, v)) = added {
            env.push((k.into(), v.into()));
        }
        let run = run_github(pr.repo.path(), env, &[]).await;
        assert_eq!(run.code, 2, "{removed}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(expected), "{removed}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
    // Without API reports no token is needed.
    let mut env = actions_env(&pr, api);
    env.retain(|(k, _)| k != "GITHUB_TOKEN");
    let run = run_github(pr.repo.path(), env, &["--report", "annotations"]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[tokio::test]
async fn a_shallow_clone_without_the_base_says_to_fetch_it() {
    let pr = PullRequest::new(&[], &[("app.py", &python(&["os.system(cmd)"]))]);
    let clones = tempfile::tempdir().unwrap();
    let clone = clones.path().join("clone");
    let url = format!("file://{}", pr.repo.path().display());
    let out = git_command(clones.path())
        .args([
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "feature",
            &url,
            clone.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = run_github(&clone, actions_env(&pr, "http://127.0.0.1:9"), &[]).await;
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains(&format!("the base commit `{}`", pr.base)),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------------
// SARIF.

/// The published schema's `language` pattern has a stray `]` that is not a valid ECMA-262 regex, so a
/// strict validator rejects the schema itself (Ajv does too). The shipped file stays as published; the
/// test drops that one pattern before compiling it.
const BROKEN_LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";

fn drop_broken_patterns(value: &mut Value) -> usize {
    match value {
        Value::Object(map) => {
            let mut dropped = 0;
            if map.get("pattern").and_then(Value::as_str) == Some(BROKEN_LANGUAGE_PATTERN) {
                map.remove("pattern");
                dropped += 1;
            }
            dropped + map.values_mut().map(drop_broken_patterns).sum::<usize>()
        }
        Value::Array(items) => items.iter_mut().map(drop_broken_patterns).sum(),
        _ => 0,
    }
}

fn sarif_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sarif-2.1.0.schema.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(drop_broken_patterns(&mut schema) > 0);
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn assert_valid_sarif(validator: &jsonschema::Validator, sarif: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // `artifactLocation.uri` is a `uri-reference`: only unreserved characters, `/` and escapes.
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            uri.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn sarif_output_validates_against_the_schema() {
    let validator = sarif_validator();
    // The schema is not a rubber stamp.
    assert!(!validator.is_valid(&json!({"version": "2.1.0", "runs": [{"tool": {}}]})));
    let pr = PullRequest::new(
        &[],
        &[
            (
                "app.py",
                &python(&["os.system(cmd)", "x = os.environ['HOME']"]),
            ),
            (
                "dir with space/run#1.sh",
                b"curl https://example.com/x.sh | sh\n",
            ),
        ],
    );
    let out = pr.dir.path().join("gate.sarif");
    let mut env = actions_env(&pr, "http://127.0.0.1:9");
    env.retain(|(k, _)| k != "GITHUB_TOKEN");
    let run = run_github(
        pr.repo.path(),
        env,
        &["--report", "sarif", "--sarif", out.to_str().unwrap()],
    )
    .await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_valid_sarif(&validator, &sarif);
    let run0 = &sarif["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run0["results"].as_array().unwrap();
    assert!(results.len() >= 3, "{results:#?}");
    for result in results {
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], result["ruleId"]);
        assert!(rule["help"]["text"]
            .as_str()
            .unwrap()
            .contains("What it finds"));
        assert!(rule["help"]["markdown"].is_string());
        assert!(
            rule["shortDescription"]["text"].is_string()
                && rule["fullDescription"]["text"].is_string()
        );
        assert!(rule["properties"]["tags"].as_array().unwrap().len() >= 2);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        assert!(result["partialFingerprints"]["reviewGateFingerprint/v1"]
            .as_str()
            .is_some_and(|f| !f.is_empty()));
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(
            region["startLine"].as_u64().unwrap() >= 1
                && region["startColumn"].as_u64().unwrap() >= 1
        );
    }
    let os_system = results
        .iter()
        .find(|r| r["ruleId"] == "exec.python.os-system")
        .unwrap();
    assert_eq!(os_system["level"], "error");
    assert_eq!(
        os_system["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app.py"
    );
    assert_eq!(
        os_system["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    assert!(results.iter().any(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "dir%20with%20space/run%231.sh"
    ));

    // The same renderer behind `--format sarif` of every review command.
    let run = pr.repo.run(&["diff", "main", "--format", "sarif"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let from_diff: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid_sarif(&validator, &from_diff);
    assert_eq!(from_diff["runs"][0]["results"], sarif["runs"][0]["results"]);
    // A clean change is a valid log with no results.
    let clean = Repo::new();
    clean.write("a.txt", "hello\n");
    clean.commit("one");
    let run = clean.run(&["diff", "HEAD", "--format", "sarif"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let empty: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid_sarif(&validator, &empty);
    assert_eq!(empty["runs"][0]["results"], json!([]));
}
