//! The GitHub REST client: octocrab with the base URI from `GITHUB_API_URL`, and one retry policy of our
//! own (octocrab's is off).
//!
//! Reads and updates are retried on 5xx and transport errors with exponential backoff. Rate limits
//! (403/429 with `retry-after`, or `x-ratelimit-remaining: 0` and `x-ratelimit-reset`, or a message about
//! a secondary rate limit) are waited out, up to a cap, for every method: GitHub did not process such a
//! request. A create (POST) that fails with a 5xx or a transport error may have been processed anyway, so
//! [`Api::create`] never resends it blindly: it first asks the caller to look for what the POST would have
//! created. Errors name the endpoint and the permission the token needs — never the token.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use anyhow::{Context as _, Result};
use octocrab::service::middleware::retry::RetryConfig;
use octocrab::Octocrab;
use serde::Serialize;
use serde_json::Value;

use crate::redact::Redactor;

/// Environment variable: the backoff unit in milliseconds (default 1000). Waits asked for in seconds by
/// GitHub (`retry-after`, `x-ratelimit-reset`) are counted in this unit too, so tests can run fast.
pub const RETRY_UNIT_ENV: &str = "REVIEW_GATE_GITHUB_RETRY_BASE_MS";

/// How often and how long to retry.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// The backoff unit (one second by default).
    pub unit: Duration,
    /// The longest wait, in units, for a rate limit; a longer one fails the request instead.
    pub max_wait_units: u64,
}

impl RetryPolicy {
    /// Four attempts, a one-second unit (or [`RETRY_UNIT_ENV`]), rate-limit waits up to two minutes.
    pub fn from_env() -> RetryPolicy {
        let unit_ms = std::env::var(RETRY_UNIT_ENV)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(1000);
        RetryPolicy {
            attempts: 4,
            unit: Duration::from_millis(unit_ms),
            max_wait_units: 120,
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.unit * 2u32.pow(attempt.saturating_sub(1).min(6))
    }
}

/// A request that failed, with what to do about it.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// `METHOD /path` (no host, no query secrets: there are none).
    pub endpoint: String,
    /// The HTTP status, when there was a response.
    pub status: Option<u16>,
    /// GitHub's message, or the transport error.
    pub detail: String,
    /// The permission the endpoint needs, e.g. `checks: write`.
    pub permission: &'static str,
    /// The environment variable the token came from.
    pub token_env: String,
    /// A create may have been processed despite the error (5xx or transport error).
    pub uncertain: bool,
    /// GitHub answered with a rate limit that was too long to wait out (or outlasted the attempts).
    pub rate_limited: bool,
}

impl ApiError {
    /// Whether GitHub refused the token's rights (403 that is not a rate limit): the read-only token of
    /// a fork's pull request, or a job without the permission.
    pub fn is_forbidden(&self) -> bool {
        self.status == Some(403) && !self.rate_limited
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (endpoint, detail, permission, env) = (
            &self.endpoint,
            &self.detail,
            self.permission,
            &self.token_env,
        );
        match self.status {
            None => write!(f, "{endpoint} failed: {detail}"),
            Some(status) if self.rate_limited => write!(f, "{endpoint} answered {status}: {detail}"),
            Some(401) => write!(
                f,
                "{endpoint} answered 401 ({detail}): the token in {env} was rejected (expired, revoked or not a GitHub token)"
            ),
            Some(403) => write!(
                f,
                "{endpoint} answered 403 ({detail}): the token in {env} lacks `{permission}`; add `permissions: {permission}` \
                 to the job (pull requests from forks only get a read-only token)"
            ),
            Some(404) => write!(
                f,
                "{endpoint} answered 404 ({detail}): the repository, pull request or object does not exist, or the token in \
                 {env} cannot see it (it needs `contents: read` and `{permission}`)"
            ),
            Some(422) => write!(f, "{endpoint} answered 422: GitHub rejected the request: {detail}"),
            Some(status) => write!(f, "{endpoint} answered {status}: {detail}"),
        }
    }
}

impl std::error::Error for ApiError {}

/// The methods the gate uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
    Patch,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
        }
    }
}

/// What one attempt produced.
enum Attempt {
    Response {
        status: u16,
        headers: RateHeaders,
        body: String,
    },
    Transport(String),
}

/// The rate-limit headers of an answer.
#[derive(Debug, Clone, Copy, Default)]
struct RateHeaders {
    retry_after: Option<u64>,
    remaining: Option<u64>,
    reset: Option<u64>,
}

/// A client for one repository.
pub struct Api {
    octo: Octocrab,
    retry: RetryPolicy,
    token_env: String,
    repo_path: String,
    /// Every request body passes through it before it is sent.
    redactor: Redactor,
}

/// Items per page when listing.
const PER_PAGE: usize = 100;
/// Pages read at most when listing (10,000 items).
const MAX_PAGES: usize = 100;

impl Api {
    /// Builds the client; must run inside a Tokio runtime (octocrab spawns a worker).
    pub fn new(
        api_url: &str,
        owner: &str,
        repo: &str,
        token: &str,
        token_env: &str,
        retry: RetryPolicy,
    ) -> Result<Api> {
        let octo = Octocrab::builder()
            .personal_token(token.to_string())
            .base_uri(api_url)
            .with_context(|| format!("GITHUB_API_URL `{api_url}` is not a URL"))?
            .add_retry_config(RetryConfig::None)
            .set_connect_timeout(Some(Duration::from_secs(15)))
            .set_read_timeout(Some(Duration::from_secs(60)))
            .set_write_timeout(Some(Duration::from_secs(60)))
            .build()
            .context("cannot build the GitHub client")?;
        Ok(Api {
            octo,
            retry,
            token_env: token_env.to_string(),
            repo_path: format!("/repos/{owner}/{repo}"),
            redactor: Redactor::default(),
        })
    }

    /// The client with a redactor that knows the review's secrets: every body it sends is masked by it
    /// (URL userinfo and token shapes are masked even without one).
    pub fn with_redactor(mut self, redactor: Redactor) -> Api {
        self.redactor = redactor;
        self
    }

    /// A request body as JSON, with every string in it redacted: the one way a body is made.
    fn body(&self, body: &impl Serialize) -> Value {
        let mut value = serde_json::to_value(body).expect("a request body serializes");
        self.redactor.redact_json(&mut value);
        value
    }

    /// `/repos/{owner}/{repo}{rest}`.
    pub fn repo_path(&self, rest: &str) -> String {
        format!("{}{rest}", self.repo_path)
    }

    /// GET one resource.
    pub async fn get(&self, path: &str, permission: &'static str) -> Result<Value, ApiError> {
        self.send(Method::Get, path, None, permission, true).await
    }

    /// GET every page of a list (`per_page=100`), up to 10,000 items.
    pub async fn get_all(
        &self,
        path: &str,
        permission: &'static str,
    ) -> Result<Vec<Value>, ApiError> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        for page in 1..=MAX_PAGES {
            let url = format!("{path}{separator}per_page={PER_PAGE}&page={page}");
            let value = self.get(&url, permission).await?;
            let Value::Array(batch) = value else {
                return Err(self.error(
                    Method::Get,
                    path,
                    None,
                    "the answer is not a list".into(),
                    permission,
                ));
            };
            let full = batch.len() >= PER_PAGE;
            items.extend(batch);
            if !full {
                break;
            }
        }
        Ok(items)
    }

    /// PATCH a resource (idempotent: retried like a read).
    pub async fn patch(
        &self,
        path: &str,
        body: &impl Serialize,
        permission: &'static str,
    ) -> Result<Value, ApiError> {
        let body = self.body(body);
        self.send(Method::Patch, path, Some(&body), permission, true)
            .await
    }

    /// POST a create. When the POST fails in a way that may still have created the object (5xx, transport
    /// error), `find_existing` is asked first; only when it finds nothing is the POST sent again.
    pub async fn create<F, Fut>(
        &self,
        path: &str,
        body: &impl Serialize,
        permission: &'static str,
        mut find_existing: F,
    ) -> Result<Value, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<Value>, ApiError>>,
    {
        let body = self.body(body);
        let mut attempt = 1;
        loop {
            match self
                .send(Method::Post, path, Some(&body), permission, false)
                .await
            {
                Err(e) if e.uncertain && attempt < self.retry.attempts => {
                    tokio::time::sleep(self.retry.backoff(attempt)).await;
                    attempt += 1;
                    if let Some(existing) = find_existing().await? {
                        return Ok(existing);
                    }
                }
                other => return other,
            }
        }
    }

    /// Sends a request with the retry policy. `retry_uncertain`: whether 5xx and transport errors may be
    /// retried (reads and updates), or returned as uncertain (creates).
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        permission: &'static str,
        retry_uncertain: bool,
    ) -> Result<Value, ApiError> {
        let mut attempt = 1;
        loop {
            let last = attempt >= self.retry.attempts;
            let wait = match self.attempt(method, path, body).await {
                Attempt::Transport(detail) => {
                    let mut e = self.error(method, path, None, detail, permission);
                    e.uncertain = true;
                    if !retry_uncertain || last {
                        return Err(e);
                    }
                    self.retry.backoff(attempt)
                }
                Attempt::Response {
                    status,
                    headers,
                    body,
                } => {
                    if (200..300).contains(&status) {
                        return Ok(if body.trim().is_empty() {
                            Value::Null
                        } else {
                            serde_json::from_str(&body).map_err(|e| {
                                self.error(
                                    method,
                                    path,
                                    Some(status),
                                    format!("the answer is not JSON: {e}"),
                                    permission,
                                )
                            })?
                        });
                    }
                    let detail = error_detail(&body);
                    if let Some(units) = rate_limit_wait(status, &headers, &body) {
                        if units > self.retry.max_wait_units || last {
                            let mut e = self.error(
                                method,
                                path,
                                Some(status),
                                format!("rate limited ({detail}); GitHub asks to wait {units} s"),
                                permission,
                            );
                            e.rate_limited = true;
                            return Err(e);
                        }
                        self.retry.unit * units.max(1) as u32
                    } else if status >= 500 {
                        let mut e = self.error(method, path, Some(status), detail, permission);
                        e.uncertain = true;
                        if !retry_uncertain || last {
                            return Err(e);
                        }
                        self.retry.backoff(attempt)
                    } else {
                        return Err(self.error(method, path, Some(status), detail, permission));
                    }
                }
            };
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, method: Method, path: &str, body: Option<&Value>) -> Attempt {
        let sent = match method {
            Method::Get => self.octo._get(path).await,
            Method::Post => self.octo._post(path, body).await,
            Method::Patch => self.octo._patch(path, body).await,
        };
        match sent {
            Ok(response) => {
                let status = response.status().as_u16();
                let header = |name: &str| -> Option<u64> {
                    response
                        .headers()
                        .get(name)?
                        .to_str()
                        .ok()?
                        .trim()
                        .parse()
                        .ok()
                };
                let headers = RateHeaders {
                    retry_after: header("retry-after"),
                    remaining: header("x-ratelimit-remaining"),
                    reset: header("x-ratelimit-reset"),
                };
                match self.octo.body_to_string(response).await {
                    Ok(body) => Attempt::Response {
                        status,
                        headers,
                        body,
                    },
                    Err(e) => Attempt::Transport(format!("cannot read the answer: {e}")),
                }
            }
            Err(e) => Attempt::Transport(transport_detail(&e)),
        }
    }

    fn error(
        &self,
        method: Method,
        path: &str,
        status: Option<u16>,
        detail: String,
        permission: &'static str,
    ) -> ApiError {
        let path = path.split('?').next().unwrap_or(path);
        ApiError {
            endpoint: format!("{} {path}", method.as_str()),
            status,
            detail,
            permission,
            token_env: self.token_env.clone(),
            uncertain: false,
            rate_limited: false,
        }
    }
}

/// The transport error and its causes, on one line.
fn transport_detail(error: &octocrab::Error) -> String {
    let mut detail = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !detail.contains(&text) {
            detail.push_str(": ");
            detail.push_str(&text);
        }
        source = cause.source();
    }
    detail
}

/// GitHub's error message and the messages of its `errors` entries.
fn error_detail(body: &str) -> String {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        let text: String = body.trim().chars().take(200).collect();
        return if text.is_empty() {
            "no message".into()
        } else {
            text
        };
    };
    let mut detail = value
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("no message")
        .to_string();
    if let Some(errors) = value.get("errors").and_then(Value::as_array) {
        let parts: Vec<String> = errors
            .iter()
            .map(|e| match e {
                Value::String(s) => s.clone(),
                other => other
                    .get("message")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| other.to_string()),
            })
            .collect();
        if !parts.is_empty() {
            detail.push_str(": ");
            detail.push_str(&parts.join("; "));
        }
    }
    detail
}

/// Seconds to wait when the answer is a rate limit, or `None` when it is not one.
fn rate_limit_wait(status: u16, headers: &RateHeaders, body: &str) -> Option<u64> {
    if status != 403 && status != 429 {
        return None;
    }
    if let Some(seconds) = headers.retry_after {
        return Some(seconds);
    }
    if headers.remaining == Some(0) {
        if let Some(reset) = headers.reset {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            return Some(reset.saturating_sub(now) + 1);
        }
        return Some(60);
    }
    let lower = body.to_ascii_lowercase();
    if lower.contains("secondary rate limit") || lower.contains("abuse detection") {
        return Some(60);
    }
    (status == 429).then_some(60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> RateHeaders {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.parse().unwrap())
        };
        RateHeaders {
            retry_after: get("retry-after"),
            remaining: get("x-ratelimit-remaining"),
            reset: get("x-ratelimit-reset"),
        }
    }

    #[test]
    fn rate_limits_are_told_from_permission_errors() {
        let forbidden = 403;
        assert_eq!(
            rate_limit_wait(forbidden, &headers(&[("retry-after", "30")]), "{}"),
            Some(30)
        );
        assert_eq!(
            rate_limit_wait(
                forbidden,
                &headers(&[]),
                r#"{"message":"You have exceeded a secondary rate limit."}"#
            ),
            Some(60)
        );
        let reset = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 10;
        let wait = rate_limit_wait(
            forbidden,
            &headers(&[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", &reset.to_string()),
            ]),
            "{}",
        )
        .unwrap();
        assert!((9..=12).contains(&wait), "{wait}");
        assert_eq!(
            rate_limit_wait(
                forbidden,
                &headers(&[("x-ratelimit-remaining", "4999")]),
                r#"{"message":"Resource not accessible by integration"}"#
            ),
            None
        );
        assert_eq!(rate_limit_wait(502, &headers(&[]), ""), None);
    }

    #[test]
    fn errors_name_endpoint_and_permission() {
        let e = ApiError {
            endpoint: "POST /repos/acme/app/check-runs".into(),
            status: Some(403),
            detail: error_detail(r#"{"message":"Resource not accessible by integration"}"#),
            permission: "checks: write",
            token_env: "GITHUB_TOKEN".into(),
            uncertain: false,
            rate_limited: false,
        };
        let text = e.to_string();
        assert!(text.contains(
            "POST /repos/acme/app/check-runs answered 403 (Resource not accessible by integration)"
        ));
        assert!(text.contains("`checks: write`"));
        assert_eq!(
            error_detail(
                r#"{"message":"Validation Failed","errors":[{"message":"line must be part of the diff"}]}"#
            ),
            "Validation Failed: line must be part of the diff"
        );
    }
}
