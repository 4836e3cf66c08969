//! `review-gate github`: the pull-request gate that GitHub Actions runs.
//!
//! It reads the Actions context ([`event`]), reviews `merge-base(base, head)..head` through the shared
//! [`crate::pipeline`], prints the normal report, writes SARIF and the step summary, and then reports on
//! GitHub ([`checks`], [`review`], [`summary`]) through one client with one retry policy ([`client`]).
//! When the token may not write (a fork's pull request), the findings become workflow commands
//! ([`crate::report::annotations`]). Posting comes last and never loses the findings: they are printed first, and the
//! exit code still reflects them.

pub mod checks;
pub mod client;
pub mod event;
pub mod review;
pub mod summary;

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _, Result};

use crate::checks::Check;
use crate::cli::{GithubArgs, GithubReport};
use crate::pipeline::{self, Analysis};
use crate::policy::ConfigTree;
use crate::report::markdown::{self, Subject};
use crate::report::{annotations, Review};
use crate::source;
use client::{Api, ApiError, RetryPolicy};
use event::{Context, Trigger};

/// SARIF file written for `--report sarif` without `--sarif`.
pub const DEFAULT_SARIF_FILE: &str = "review-gate.sarif";

/// Which reports a run makes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The check run.
    pub check: bool,
    /// The pull-request review.
    pub review: bool,
    /// The sticky summary comment.
    pub summary: bool,
    /// Workflow commands on standard output (also the fallback for a read-only token).
    pub annotations: bool,
    /// The SARIF file, if any.
    pub sarif: Option<PathBuf>,
}

impl Plan {
    /// The plan for the command-line options: `--report` as given, or check and summary by default;
    /// `--sarif FILE` implies the SARIF report.
    pub fn new(args: &GithubArgs) -> Plan {
        let chosen = |r: GithubReport| args.reports.contains(&r);
        let default = args.reports.is_empty();
        let sarif = args
            .sarif
            .clone()
            .or_else(|| chosen(GithubReport::Sarif).then(|| PathBuf::from(DEFAULT_SARIF_FILE)));
        Plan {
            check: default || chosen(GithubReport::Check),
            review: chosen(GithubReport::Review),
            summary: default || chosen(GithubReport::Summary),
            annotations: chosen(GithubReport::Annotations),
            sarif,
        }
    }

    /// Whether a report needs the API (and so a token).
    pub fn uses_api(&self) -> bool {
        self.check || self.review || self.summary
    }
}

/// How a run of the gate ended; `app` maps it to the exit code (0, 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing reaches the fail level and every report was made.
    Clean,
    /// Findings reach the fail level (whatever happened to the reports).
    Findings,
    /// A report could not be made (other than for a read-only token, which falls back to workflow
    /// commands).
    ReportFailed,
}

/// Runs the gate: reviews the change, writes the normal report through `write_report` (given the
/// review and the checks it ran with), then makes the GitHub reports.
pub fn run(
    cwd: &Path,
    args: &GithubArgs,
    write_report: impl FnOnce(&Review, &[Check]) -> Result<()>,
) -> Result<Outcome> {
    let ctx = Context::load(
        &|name| std::env::var(name).ok(),
        args.event.as_deref(),
        args.base.as_deref(),
    )?;
    let plan = Plan::new(args);
    let token = if plan.uses_api() {
        Some(read_token(&args.token_env)?)
    } else {
        None
    };
    let repo = source::git::open(cwd)?;
    let root = source::git::workdir(&repo)?;
    require_commit(&repo, &ctx, &ctx.head, "head")?;
    require_commit(&repo, &ctx, &ctx.base, "base")?;
    let spec = format!("{}...{}", ctx.base, ctx.head);
    // The configuration of the merge base governs: a pull request never judges itself by its own rules.
    let (old, new) = source::git::range_trees(&repo, &spec, false)?;
    let new = new.ok_or_else(|| anyhow!("the head of `{spec}` has no tree"))?;
    let governance = pipeline::Governance {
        before: ConfigTree::commit(&repo, old, "the merge base with the base branch".into()),
        after: ConfigTree::commit(&repo, new, "the head commit".into()),
        before_governs: true,
    };
    let mut analysis =
        pipeline::analyze_governed(&root, &args.review.selection(), &governance, |_| {
            source::git::range(&repo, &spec, false)
        })?;
    // Each commit of the pull request, from the local clone (which holds them: the base and the head
    // were required above, and the merge base with them).
    if args.commits != crate::model::CommitsMode::None {
        if let Some(list) = source::commits::range_commits(&repo, &spec)? {
            let tip = |path: &str| source::git::read_tree_file(&repo, new, path).ok().flatten();
            pipeline::history::review_commits(
                &mut analysis,
                repo.path(),
                &list,
                args.commits,
                &tip,
            )?;
            if list.shallow > 0 {
                eprintln!("review-gate: warning: {}", pipeline::history::SHALLOW_NOTE);
            }
        }
    }
    if let Some(path) = &args.review.baseline {
        let baseline = pipeline::baseline::Baseline::load(path)?;
        let n = pipeline::baseline::apply(&mut analysis, &baseline);
        eprintln!(
            "review-gate: {n} finding(s) in the baseline {} not reported",
            path.display()
        );
    }
    write_report(&analysis.review, &analysis.checks.checks)?;

    let mut failures: Vec<String> = Vec::new();
    if let Some(path) = &plan.sarif {
        if let Err(e) = write_sarif(&analysis, path) {
            failures.push(format!("{e:#}"));
        }
    }
    if let Some(path) = &ctx.step_summary {
        let digest = markdown::render(
            &subject(&analysis),
            &ctx,
            markdown::STEP_SUMMARY_LIMIT,
            None,
        );
        let digest = analysis.review.redactor.redact(&digest);
        if let Err(e) = summary::write_step_summary(path, &digest) {
            failures.push(format!("{e:#}"));
        }
    }
    let mut fallback = false;
    if let Some(token) = &token {
        for outcome in post(&ctx, &plan, &analysis, token, &args.token_env) {
            match outcome {
                Ok(done) => eprintln!("review-gate: {done}"),
                Err(Failure::Forbidden(e)) => {
                    eprintln!(
                        "review-gate: warning: {}. Reporting with workflow commands instead.",
                        scrub(&e.to_string(), token)
                    );
                    fallback = true;
                }
                Err(Failure::Other(message)) => failures.push(scrub(&message, token)),
            }
        }
    }
    if plan.annotations || fallback {
        let commands = annotations::render(&analysis.review.findings);
        crate::report::write::write_stdout(&analysis.review.redactor.redact(&commands))?;
    }
    for failure in &failures {
        eprintln!(
            "review-gate: error: {}",
            analysis.review.redactor.redact(failure)
        );
    }
    Ok(if analysis.fails() {
        Outcome::Findings
    } else if !failures.is_empty() {
        Outcome::ReportFailed
    } else {
        Outcome::Clean
    })
}

/// Why a report was not made.
enum Failure {
    /// The token may not write (403): fall back to workflow commands.
    Forbidden(ApiError),
    /// Anything else.
    Other(String),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Failure {
        if e.is_forbidden() {
            Failure::Forbidden(e)
        } else {
            Failure::Other(e.to_string())
        }
    }
}

/// Makes the API reports in a current-thread runtime that exists only for this phase.
fn post(
    ctx: &Context,
    plan: &Plan,
    analysis: &Analysis,
    token: &str,
    token_env: &str,
) -> Vec<Result<String, Failure>> {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            return vec![Err(Failure::Other(format!(
                "cannot start the HTTP runtime: {e}"
            )))]
        }
    };
    let run_key = run_key();
    runtime.block_on(async {
        let api = match Api::new(
            &ctx.api_url,
            &ctx.owner,
            &ctx.repo,
            token,
            token_env,
            RetryPolicy::from_env(),
        ) {
            Ok(api) => api.with_redactor(analysis.review.redactor.clone()),
            Err(e) => return vec![Err(Failure::Other(format!("{e:#}")))],
        };
        let mut outcomes = Vec::new();
        if plan.check {
            let mut digest = markdown::render(
                &subject(analysis),
                ctx,
                markdown::CHECK_SUMMARY_LIMIT - 300,
                None,
            );
            let found = analysis.review.findings.len();
            if found > checks::MAX_ANNOTATIONS {
                digest.push_str(&format!(
                    "\n_Annotations: the {} most severe of {found} findings._\n",
                    checks::MAX_ANNOTATIONS
                ));
            }
            outcomes.push(
                checks::publish(&api, &ctx.head, analysis, &digest, &run_key)
                    .await
                    .map(|p| {
                        format!(
                            "check run {} completed: {}, {} annotations",
                            p.id, p.conclusion, p.annotations
                        )
                    })
                    .map_err(Failure::from),
            );
        }
        let number = ctx.pull_number();
        if plan.review {
            outcomes.push(match number {
                Some(number) => review::publish(&api, number, &ctx.head, analysis, &run_key)
                    .await
                    .map(|o| match o {
                        review::Outcome::Posted { comments, in_body } => format!(
                            "review posted: {} inline, {} in the review body",
                            markdown::plural(comments, "comment"),
                            markdown::plural(in_body, "finding")
                        ),
                        review::Outcome::NothingNew => {
                            "review: nothing new since the last run".to_string()
                        }
                    })
                    .map_err(Failure::from),
                None => Ok("review: skipped, a push has no pull request to review".to_string()),
            });
        }
        if plan.summary {
            outcomes.push(match number {
                Some(number) => {
                    let body = markdown::render(
                        &subject(analysis),
                        ctx,
                        markdown::COMMENT_LIMIT,
                        Some(summary::MARKER),
                    );
                    summary::publish(&api, number, &body)
                        .await
                        .map(|o| match o {
                            summary::Outcome::Created(id) => {
                                format!("summary comment {id} created")
                            }
                            summary::Outcome::Updated(id) => {
                                format!("summary comment {id} updated")
                            }
                        })
                        .map_err(Failure::from)
                }
                None => Ok(
                    "summary: a push has no pull request to comment on (see the step summary)"
                        .to_string(),
                ),
            });
        }
        outcomes
    })
}

/// Identifies this run in what it creates (check run `external_id`, review marker), so a create that
/// may have failed can be found before it is sent again.
fn run_key() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let run = std::env::var("GITHUB_RUN_ID").unwrap_or_default();
    let attempt = std::env::var("GITHUB_RUN_ATTEMPT").unwrap_or_default();
    format!("{run}-{attempt}-{}-{nanos:08x}", std::process::id())
}

fn read_token(name: &str) -> Result<String> {
    match std::env::var(name) {
        Ok(token) if !token.trim().is_empty() => Ok(token.trim().to_string()),
        _ => bail!(
            "{name} is not set: pass the token to the step (`env: {name}: ${{{{ github.token }}}}`), or report \
             without the API (`--report annotations,sarif`)"
        ),
    }
}

/// Makes sure a commit of the change is in the clone, with the fix when it is not.
fn require_commit(repo: &git2::Repository, ctx: &Context, rev: &str, which: &str) -> Result<()> {
    if repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .is_ok()
    {
        return Ok(());
    }
    let field = match (&ctx.trigger, which) {
        (Trigger::PullRequest { .. }, "base") => "pull_request.base.sha",
        (Trigger::PullRequest { .. }, _) => "pull_request.head.sha",
        (Trigger::Push, "base") => "before",
        (Trigger::Push, _) => "after",
    };
    let shallow = if repo.is_shallow() {
        " This clone is shallow:"
    } else {
        ""
    };
    Err(anyhow!(
        "the {which} commit `{rev}` (`{field}` of the event) is not in this clone.{shallow} actions/checkout fetches \
         a single commit by default; set `fetch-depth: 0` on it, or fetch the commit (`git fetch origin {rev}`), \
         so that review-gate can diff the change"
    ))
}

fn write_sarif(analysis: &Analysis, path: &Path) -> Result<()> {
    // The checks of the configuration that governed (the base's), not the change's own; streamed
    // through the redactor like every report.
    crate::report::write::write_report(
        &analysis.review,
        crate::report::Format::Sarif,
        Some(path),
        &analysis.checks.checks,
    )
    .with_context(|| format!("cannot write the SARIF file {}", path.display()))
}

/// What the digest shows of an analysis.
fn subject(analysis: &Analysis) -> Subject<'_> {
    Subject {
        review: &analysis.review,
        fails: analysis.fails(),
        fail_on: match analysis.fail_on {
            crate::policy::FailOn::Severity(s) => s.as_str(),
            crate::policy::FailOn::Never => "never",
        },
    }
}

/// Replaces the token wherever it appears (defense in depth: no message is built from it).
fn scrub(text: &str, token: &str) -> String {
    if token.len() < 4 {
        return text.to_string();
    }
    text.replace(token, "***")
}
