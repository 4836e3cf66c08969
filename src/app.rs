//! Wiring: one pipeline per command (source → engine → policy → report) and the exit code.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use clap::Parser;

use crate::checks::{self, Check};
use crate::cli::{Cli, Command, ListFormat, ReviewArgs};
use crate::model::ChangeSet;
use crate::pipeline::{self, load_checks, Governance, PhaseTimer, Selection};
use crate::policy::{ConfigTree, Policy};
use crate::report;
use crate::report::text::TextOptions;
use crate::report::write::write_stdout;
use crate::source;

/// Exit code when nothing reaches the fail level.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code when findings reach the fail level.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code for usage and runtime errors.
pub const EXIT_ERROR: u8 = 2;

/// What `review-gate github` says in a build without the `github` feature (the GitHub API client).
#[cfg(not(feature = "github"))]
pub const NO_GITHUB: &str =
    "this build has no GitHub support; rebuild with the default features (`cargo install --locked --path .`)";

/// Entry point of the binary: parses arguments, runs, prints errors, never panics out with 101.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            });
        }
    };
    if let Command::AgentHook(args) = &cli.command {
        // The agent gate never fails with a status of its own: it answers every failure itself.
        if let Some(dir) = &cli.directory {
            if let Err(e) = std::env::set_current_dir(dir) {
                eprintln!(
                    "review-gate: cannot change to directory {}: {e}",
                    dir.display()
                );
            }
        }
        crate::gate::agent::main(args);
        return ExitCode::from(EXIT_CLEAN);
    }
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(e)) => {
            // Error messages may quote input (a malformed hunk header, a manifest line): redacted too.
            let message = format!("{e:#}");
            let _ = writeln!(
                std::io::stderr(),
                "review-gate: error: {}",
                report::text::visible_controls(&crate::redact::redact(&message))
            );
            ExitCode::from(EXIT_ERROR)
        }
        Err(_) => {
            eprintln!("review-gate: internal error (a bug: please report it with the command that caused it)");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Runs one command and returns its exit code.
pub fn run(cli: Cli) -> Result<u8> {
    if let Some(dir) = &cli.directory {
        std::env::set_current_dir(dir)
            .with_context(|| format!("cannot change to directory {}", dir.display()))?;
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    match cli.command {
        Command::Staged { review } => {
            let repo = source::git::open(&cwd)?;
            let root = source::git::workdir(&repo)?;
            // The working configuration governs a developer's own commit; what the commit does to the
            // configuration (HEAD against the index) is reported.
            let before = match source::git::head_tree_id(&repo)? {
                Some(tree) => ConfigTree::commit(&repo, tree, "HEAD".to_string()),
                None => ConfigTree::new("HEAD", |_| Ok(None)),
            };
            let governance = Governance {
                before,
                after: ConfigTree::new("the index", |rel| {
                    source::git::read_index_file(&repo, rel).map_err(|e| format!("{e:#}"))
                }),
                before_governs: false,
            };
            review_governed(&root, &review, &governance, |_| source::git::staged(&repo))
        }
        Command::Diff {
            range,
            worktree,
            commits,
            review,
        } => {
            let repo = source::git::open(&cwd)?;
            let range = match range {
                Some(range) => range,
                None => match default_range(&repo)? {
                    Some(range) => range,
                    None => return Ok(EXIT_CLEAN),
                },
            };
            review_range(&repo, &range, worktree, commits, &review)
        }
        Command::Patch {
            file,
            require_changes,
            review,
        } => {
            let input = read_patch(file.as_deref())?;
            if source::patch::is_blank(&input) {
                if require_changes {
                    anyhow::bail!("empty patch: nothing reviewed (--require-changes)");
                }
                eprintln!("review-gate: empty patch: nothing reviewed");
            }
            let root = repo_root_or(&cwd);
            review_changes(&root, &review, |_| {
                let mut changes = source::patch::parse(&input)?;
                source::patch::complete_from_worktree(&mut changes, &root);
                source::rejudge_binaries(&mut changes, &root);
                Ok(changes)
            })
        }
        Command::Scan { paths, review } => {
            let root = repo_root_or(&cwd);
            let paths = if paths.is_empty() {
                vec![cwd.clone()]
            } else {
                paths
            };
            review_changes(&root, &review, |policy| {
                source::tree::scan(&root, &paths, &|p| policy.includes_path(p))
            })
        }
        Command::Install { hook, force } => {
            let binary = crate::setup::install::current_binary()?;
            print_lines(&crate::setup::install::install(&cwd, hook, &binary, force)?)?;
            Ok(EXIT_CLEAN)
        }
        Command::Uninstall { hook } => {
            print_lines(&crate::setup::install::uninstall(&cwd, hook)?)?;
            Ok(EXIT_CLEAN)
        }
        Command::Init {
            agent,
            global,
            remove,
            status,
        } => {
            if status {
                let home = crate::setup::init::home_dir().ok();
                let lines =
                    crate::setup::init_status::status(agent, &repo_root_or(&cwd), home.as_deref());
                print_lines(&lines)?;
                return Ok(EXIT_CLEAN);
            }
            let base = if global {
                crate::setup::init::home_dir()?
            } else {
                repo_root_or(&cwd)
            };
            if remove {
                print_lines(&crate::setup::init::remove(agent, &base)?)?;
            } else {
                print_lines(&crate::setup::init::init(agent, &base)?)?;
            }
            Ok(EXIT_CLEAN)
        }
        #[cfg(feature = "github")]
        Command::Github(args) => {
            let outcome = crate::gate::github::run(&cwd, &args, |review, checks| {
                write_report(review, checks, &args.review)
            })?;
            Ok(match outcome {
                crate::gate::github::Outcome::Clean => EXIT_CLEAN,
                crate::gate::github::Outcome::Findings => EXIT_FINDINGS,
                crate::gate::github::Outcome::ReportFailed => EXIT_ERROR,
            })
        }
        #[cfg(not(feature = "github"))]
        Command::Github(_) => Err(anyhow!(NO_GITHUB)),
        Command::Checks { format, config } => {
            let (_, checks) = load_checks(config.as_deref(), &repo_root_or(&cwd))?;
            write_stdout(&list_checks(&checks, format))?;
            Ok(EXIT_CLEAN)
        }
        Command::Explain { id, config } => {
            let (_, checks) = load_checks(config.as_deref(), &repo_root_or(&cwd))?;
            let check = checks.iter().find(|c| c.meta.id == id).ok_or_else(|| {
                let close: Vec<&str> = checks
                    .iter()
                    .map(|c| &*c.meta.id)
                    .filter(|c| c.contains(id.as_str()))
                    .take(5)
                    .collect();
                if close.is_empty() {
                    anyhow!("no check with id `{id}` (see `review-gate checks`)")
                } else {
                    anyhow!(
                        "no check with id `{id}`; did you mean: {}?",
                        close.join(", ")
                    )
                }
            })?;
            write_stdout(&explain(check))?;
            Ok(EXIT_CLEAN)
        }
        Command::AgentHook(args) => {
            crate::gate::agent::main(&args);
            Ok(EXIT_CLEAN)
        }
        Command::PrePush {
            remote,
            url: _,
            commits,
            review,
        } => {
            let repo = source::git::open(&cwd)?;
            let (remote, input) = match remote {
                Some(remote) => {
                    let mut input = String::new();
                    std::io::stdin()
                        .read_to_string(&mut input)
                        .context("cannot read the refs git pushes from standard input")?;
                    (remote, input)
                }
                None => pre_commit_push(&repo)?,
            };
            review_push(&repo, &remote, &input, commits, &review)
        }
        Command::VerifyFixtures { dir, category } => {
            let checks = checks::into_set(checks::load_checked(&[])?);
            // `fixtures/removals` holds removal fixtures; the default `fixtures/checks` is verified with
            // its sibling `removals` directory.
            let is_removals = dir.file_name().is_some_and(|n| n == "removals");
            let mut failures = if is_removals {
                crate::checks::fixtures::verify_removals(&dir, &checks, category.as_deref())?
            } else {
                crate::checks::fixtures::verify(&dir, &checks, category.as_deref())?
            };
            let sibling = dir.parent().map(|p| p.join("removals"));
            if let Some(sibling) = sibling.filter(|s| !is_removals && s.is_dir()) {
                failures.extend(crate::checks::fixtures::verify_removals(
                    &sibling,
                    &checks,
                    category.as_deref(),
                )?);
            }
            let mut out: String = failures.iter().map(|f| format!("{f}\n")).collect();
            if failures.is_empty() {
                out.push_str("fixtures ok\n");
            } else {
                out.push_str(&format!("{} fixture failures\n", failures.len()));
            }
            write_stdout(&out)?;
            Ok(if failures.is_empty() {
                EXIT_CLEAN
            } else {
                EXIT_FINDINGS
            })
        }
    }
}

fn print_lines(lines: &[String]) -> Result<()> {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    write_stdout(&text)
}

/// The repository root when `dir` is inside a git repository, else `dir`.
fn repo_root_or(dir: &Path) -> PathBuf {
    git2::Repository::discover(dir)
        .ok()
        .and_then(|r| r.workdir().map(Path::to_path_buf))
        .unwrap_or_else(|| dir.to_path_buf())
}

fn read_patch(file: Option<&Path>) -> Result<Vec<u8>> {
    match file {
        None => read_stdin(),
        Some(p) if p == Path::new("-") => read_stdin(),
        Some(p) => std::fs::read(p).with_context(|| format!("cannot read patch {}", p.display())),
    }
}

fn read_stdin() -> Result<Vec<u8>> {
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .context("cannot read the patch from standard input")?;
    Ok(input)
}

impl ReviewArgs {
    /// What the text report shows; `fail_level` is the level in force (`Some(None)`: never fails), or
    /// `None` when not known here (then the command line's `--fail-on`, else errors).
    pub fn text_options(&self, fail_level: Option<Option<crate::model::Severity>>) -> TextOptions {
        let from_args = match self.fail_on {
            Some(crate::policy::FailOn::Severity(level)) => Some(level),
            Some(crate::policy::FailOn::Never) => None,
            None => Some(crate::model::Severity::Error),
        };
        TextOptions {
            show_notes: self.verbose || self.show.contains(&crate::cli::Show::Notes),
            quiet: self.quiet,
            fail_level: fail_level.unwrap_or(from_args),
            statistics: self.statistics,
            color: self.color.forced(),
        }
    }

    /// The check selection these options describe.
    pub fn selection(&self) -> Selection {
        Selection {
            config: self.config.clone(),
            categories: self.category.clone(),
            checks: self.check.clone(),
            fail_on: self.fail_on,
        }
    }
}

/// The shared pipeline of every review command: analyze, write the report, choose the exit code.
fn review_changes(
    root: &Path,
    args: &ReviewArgs,
    source: impl FnOnce(&Policy) -> Result<ChangeSet>,
) -> Result<u8> {
    let mut analysis = pipeline::analyze(root, &args.selection(), source)?;
    apply_baseline(&mut analysis, args)?;
    let mut timer = PhaseTimer::from_env();
    write_analysis(&analysis, args)?;
    timer.phase("report");
    Ok(if analysis.fails() {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// [`review_changes`] for a change between two trees: see [`pipeline::analyze_governed`].
fn review_governed(
    root: &Path,
    args: &ReviewArgs,
    governance: &Governance<'_>,
    source: impl FnOnce(&Policy) -> Result<ChangeSet>,
) -> Result<u8> {
    let mut analysis = pipeline::analyze_governed(root, &args.selection(), governance, source)?;
    apply_baseline(&mut analysis, args)?;
    let mut timer = PhaseTimer::from_env();
    write_analysis(&analysis, args)?;
    timer.phase("report");
    Ok(if analysis.fails() {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// The base `review-gate diff` uses without a range: the remote's default branch, else `main` or
/// `master` (said on standard error). None, after saying so, on the base branch itself.
fn default_range(repo: &git2::Repository) -> Result<Option<String>> {
    let Some((name, base)) = source::commits::default_base(repo, "origin") else {
        anyhow::bail!(
            "no base to compare with: no origin/HEAD, origin/main, origin/master, main or master. Name one: `review-gate diff BASE`"
        );
    };
    let head = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .map(|c| c.id());
    if head == Some(base) {
        let branch = repo
            .head()
            .ok()
            .map(|h| String::from_utf8_lossy(h.shorthand_bytes()).into_owned())
            .unwrap_or_else(|| "HEAD".into());
        write_stdout(&format!(
            "On {branch}, which is the base branch {name} itself: nothing to review. Name a base (`review-gate diff BASE`) or check out a branch.\n"
        ))?;
        return Ok(None);
    }
    eprintln!("review-gate: comparing with {name} (merge-base({name}, HEAD) → HEAD)");
    Ok(Some(name))
}

/// `review-gate diff RANGE`: the net change of the range, governed by the old side's configuration,
/// then (unless `commits` is none) each commit of the range on its own.
pub(crate) fn review_range(
    repo: &git2::Repository,
    range: &str,
    worktree: bool,
    commits: crate::model::CommitsMode,
    review: &ReviewArgs,
) -> Result<u8> {
    let list = match commits {
        crate::model::CommitsMode::None => None,
        _ => source::commits::range_commits(repo, range)?,
    };
    let mut analysis = analyze_range(repo, range, worktree, commits, list.as_ref(), review)?;
    apply_baseline(&mut analysis, review)?;
    finish(&analysis, review)
}

/// Drops the findings `--baseline` holds, saying how many on standard error.
pub(crate) fn apply_baseline(analysis: &mut pipeline::Analysis, args: &ReviewArgs) -> Result<()> {
    let Some(path) = &args.baseline else {
        return Ok(());
    };
    let baseline = pipeline::baseline::Baseline::load(path)?;
    let n = pipeline::baseline::apply(analysis, &baseline);
    eprintln!(
        "review-gate: {n} finding{} in the baseline {} not reported",
        if n == 1 { "" } else { "s" },
        path.display()
    );
    Ok(())
}

/// Writes the report of an analysis and returns the exit code.
fn finish(analysis: &pipeline::Analysis, review: &ReviewArgs) -> Result<u8> {
    let mut timer = PhaseTimer::from_env();
    write_analysis(analysis, review)?;
    timer.phase("report");
    Ok(if analysis.fails() {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// The net change of `range` (governed by the old side's configuration), then each commit of `list`
/// on its own.
fn analyze_range(
    repo: &git2::Repository,
    range: &str,
    worktree: bool,
    commits: crate::model::CommitsMode,
    list: Option<&source::commits::RangeCommits>,
    review: &ReviewArgs,
) -> Result<pipeline::Analysis> {
    let root = source::git::review_root(repo, worktree)?;
    // The old side's configuration governs: a change never judges itself by its own rules.
    let (old, new) = source::git::range_trees(repo, range, worktree)?;
    let governance = Governance {
        before: ConfigTree::commit(repo, old, format!("the base of `{range}`")),
        after: match new {
            Some(tree) => ConfigTree::commit(repo, tree, format!("the new side of `{range}`")),
            None => ConfigTree::working(&root),
        },
        before_governs: true,
    };
    let mut analysis = pipeline::analyze_governed(&root, &review.selection(), &governance, |_| {
        source::git::range(repo, range, worktree)
    })?;
    if let Some(list) = list.filter(|_| commits != crate::model::CommitsMode::None) {
        let tip = |path: &str| match new {
            Some(tree) => source::git::read_tree_file(repo, tree, path).ok().flatten(),
            None => std::fs::read(root.join(path)).ok(),
        };
        pipeline::history::review_commits(&mut analysis, repo.path(), list, commits, &tip)?;
        if list.shallow > 0 {
            eprintln!("review-gate: warning: {}", pipeline::history::SHALLOW_NOTE);
        }
    }
    Ok(analysis)
}

/// The push the pre-commit framework's pre-push stage describes in its environment, as the line git
/// would pass on standard input, and the remote's name.
fn pre_commit_push(repo: &git2::Repository) -> Result<(String, String)> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let to = var("PRE_COMMIT_TO_REF").ok_or_else(|| {
        anyhow!("pre-push: no remote given and no PRE_COMMIT_TO_REF: run as the git pre-push hook (`review-gate install --hook pre-push`) or from the pre-commit framework's pre-push stage")
    })?;
    let id = |rev: &str| -> Result<String> {
        let commit = repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| anyhow!("pre-push: cannot resolve `{rev}`: {}", e.message()))?;
        Ok(commit.id().to_string())
    };
    let from = match var("PRE_COMMIT_FROM_REF") {
        Some(from) => id(&from)?,
        None => "0".repeat(40),
    };
    let remote = var("PRE_COMMIT_REMOTE_NAME").unwrap_or_else(|| "origin".to_string());
    let branch = var("PRE_COMMIT_REMOTE_BRANCH").unwrap_or_else(|| "HEAD".to_string());
    let local = var("PRE_COMMIT_LOCAL_BRANCH").unwrap_or_else(|| "HEAD".to_string());
    Ok((remote, format!("{local} {} {branch} {from}\n", id(&to)?)))
}

/// `review-gate pre-push REMOTE`: each ref `git push` sends (read from standard input), its net change
/// against what the remote has (a new branch: against the remote's default branch) and each commit
/// not yet on the remote on its own. The push is blocked (exit 1) when any ref has findings at the fail
/// level.
fn review_push(
    repo: &git2::Repository,
    remote: &str,
    input: &str,
    commits: crate::model::CommitsMode,
    review: &ReviewArgs,
) -> Result<u8> {
    let pushed = source::commits::parse_push(input)?;
    let known = source::commits::remote_tips(repo, remote)?;
    let mut code = EXIT_CLEAN;
    for push in pushed {
        let Ok(local) = repo
            .find_object(push.local, None)
            .and_then(|o| o.peel_to_commit())
        else {
            eprintln!(
                "review-gate: pre-push: {} is not a commit: not reviewed",
                push.local_ref
            );
            continue;
        };
        let local = local.id();
        let remote_has = push.remote.filter(|id| repo.find_commit(*id).is_ok());
        let (base, base_name) = match remote_has {
            Some(id) => (Some(id), format!("{remote}'s {}", push.remote_ref)),
            None => match source::commits::default_base(repo, remote) {
                Some((name, id)) => (Some(id), name),
                None => (None, String::new()),
            },
        };
        let mut hide = known.clone();
        hide.extend(base);
        let list = source::commits::commits_between(repo, &hide, local)?;
        if list.ids.is_empty() && list.shallow == 0 {
            continue;
        }
        let n = list.ids.len();
        let what = if n == 1 { "commit" } else { "commits" };
        let mut analysis = match base {
            Some(base) => {
                eprintln!(
                    "review-gate: pre-push: {} ({n} new {what}) against {base_name}",
                    push.local_ref
                );
                let range = format!("{base}...{local}");
                analyze_range(repo, &range, false, commits, Some(&list), review)?
            }
            None => {
                // Nothing to compare with (no remote branch, no main or master): every commit on its
                // own, with every check.
                eprintln!(
                    "review-gate: pre-push: {} ({n} new {what}), each on its own: the remote has no default branch to compare with",
                    push.local_ref
                );
                let root = source::git::review_root(repo, false)?;
                let mut analysis =
                    pipeline::analyze(&root, &review.selection(), |_| Ok(ChangeSet::default()))?;
                let tip = |path: &str| {
                    repo.find_commit(local)
                        .ok()
                        .and_then(|c| source::git::read_tree_file(repo, c.tree_id(), path).ok())
                        .flatten()
                };
                pipeline::history::review_commits(
                    &mut analysis,
                    repo.path(),
                    &list,
                    crate::model::CommitsMode::All,
                    &tip,
                )?;
                analysis
            }
        };
        apply_baseline(&mut analysis, review)?;
        code = code.max(finish(&analysis, review)?);
    }
    Ok(code)
}

/// Writes the report of a review in the format and to the place the options choose; `checks` (those of
/// the review, never loaded again) describe the SARIF rules. (The GitHub gate's; other commands write
/// through [`write_analysis`].)
#[cfg(feature = "github")]
pub(crate) fn write_report(
    review: &report::Review,
    checks: &[Check],
    args: &ReviewArgs,
) -> Result<()> {
    report::write::write_report_with(
        review,
        args.format,
        args.output.as_deref(),
        checks,
        &args.text_options(None),
    )
}

/// Writes the report of an analysis (see [`write_report`]), with the fail level in force for
/// `--quiet`; with `--silent-if-clean`, a text report on standard output with no warning, no error and
/// nothing at the fail level is not written at all.
fn write_analysis(analysis: &pipeline::Analysis, args: &ReviewArgs) -> Result<()> {
    let review = &analysis.review;
    if args.silent_if_clean
        && args.format == report::Format::Text
        && args.output.is_none()
        && !analysis.fails()
        && !review
            .findings
            .iter()
            .any(|f| f.severity >= crate::model::Severity::Warning)
    {
        return Ok(());
    }
    let fail_level = match analysis.fail_on {
        crate::policy::FailOn::Severity(level) => Some(level),
        crate::policy::FailOn::Never => None,
    };
    report::write::write_report_with(
        review,
        args.format,
        args.output.as_deref(),
        &analysis.checks.checks,
        &args.text_options(Some(fail_level)),
    )
}

/// The `checks` listing.
pub fn list_checks(checks: &[Check], format: ListFormat) -> String {
    match format {
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = checks
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.meta.id, "category": c.meta.category.as_str(), "severity": c.meta.severity.as_str(),
                        "languages": c.meta.languages.as_ref().map(|l| l.iter().map(|l| l.name()).collect::<Vec<_>>()),
                        "message": c.meta.message, "cwe": c.meta.cwe,
                        "action": c.action().map(|a| a.as_str()),
                    })
                })
                .collect();
            let mut out = serde_json::to_string_pretty(&rows).expect("serializes");
            out.push('\n');
            out
        }
        ListFormat::Markdown => {
            let mut out = String::from(
                "| id | category | severity | languages | finds |\n|---|---|---|---|---|\n",
            );
            for c in checks {
                let message = c.meta.message.replace('|', "\\|");
                out.push_str(&format!(
                    "| `{}` | {} | {} | {} | {} |\n",
                    c.meta.id,
                    c.meta.category,
                    c.meta.severity,
                    applies_to(c),
                    message
                ));
            }
            out
        }
        ListFormat::Text => {
            let width = checks.iter().map(|c| c.meta.id.len()).max().unwrap_or(2);
            let mut out = String::new();
            for c in checks {
                out.push_str(&format!(
                    "{:<width$}  {:<14}  {:<7}  {}\n",
                    c.meta.id,
                    c.meta.category.as_str(),
                    c.meta.severity.as_str(),
                    applies_to(c)
                ));
            }
            out.push_str(&format!("{} checks\n", checks.len()));
            out
        }
    }
}

/// The languages a check applies to; for command checks, the action the agent gate takes.
fn applies_to(check: &Check) -> String {
    match check.action() {
        Some(action) => format!("commands: {}", action.as_str()),
        None => check.language_names(),
    }
}

/// How `adjust` conditions change a check's severity, for `explain`: "error when <reason>" for each
/// condition with a reason (each once), and "note in 2 other contexts" for those without one — never an
/// empty reason.
fn adjustments(check: &Check) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut unexplained: std::collections::BTreeMap<
        std::cmp::Reverse<crate::model::Severity>,
        usize,
    > = Default::default();
    for a in check.pattern().map_or(&[][..], |p| &p.adjust) {
        let Some(severity) = a.severity else {
            continue;
        };
        match a.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(reason) => {
                let line = format!("{severity} when {reason}");
                if !out.contains(&line) {
                    out.push(line);
                }
            }
            None => *unexplained.entry(std::cmp::Reverse(severity)).or_insert(0) += 1,
        }
    }
    let other = if out.is_empty() { "" } else { "other " };
    for (std::cmp::Reverse(severity), n) in unexplained {
        let contexts = if n == 1 { "context" } else { "contexts" };
        out.push(format!("{severity} in {n} {other}{contexts}"));
    }
    out
}

/// The `explain` text of a check.
pub fn explain(check: &Check) -> String {
    let mut out = format!("{}\n\n", check.meta.id);
    out.push_str(&format!("  category:  {}\n", check.meta.category));
    out.push_str(&format!("  severity:  {}", check.meta.severity));
    let adjusted = adjustments(check);
    if !adjusted.is_empty() {
        out.push_str(&format!(
            " (raised or lowered by context: {})",
            adjusted.join("; ")
        ));
    }
    out.push('\n');
    if let Some(chain) = check.chain() {
        out.push_str(&format!(
            "  found by:  findings of other checks together within one {}{}:\n",
            chain.within.as_str(),
            chain
                .lines
                .map(|n| format!(" and {n} lines"))
                .unwrap_or_default()
        ));
        for part in &chain.parts {
            out.push_str(&format!("    - {}: {}\n", part.role, part.any.join(", ")));
        }
        if !chain.unless.is_empty() {
            out.push_str(&format!("    unless: {}\n", chain.unless.join(", ")));
        }
    } else if check.is_signal() {
        out.push_str(&format!(
            "  languages: {}\n  signal:    feeds attack chains; not reported on its own\n",
            check.language_names()
        ));
    } else if let Some(action) = check.action() {
        out.push_str(&format!("  action:    {} (agent gate)\n", action.as_str()));
        out.push_str("  looks at:  each simple command of a shell command an agent proposes\n");
    } else if matches!(
        check.kind,
        crate::checks::CheckKind::Produced(crate::checks::schema::ProducedBy::Agent)
    ) {
        out.push_str(
            "  found by:  the agent configuration review (old and new version of each MCP configuration and agent settings file)\n",
        );
    } else if let crate::checks::CheckKind::Produced(producer) = check.kind {
        use crate::checks::schema::ProducedBy;
        let by = match producer {
            ProducedBy::Dependencies => {
                "the dependency analysis (old and new version of each changed manifest)"
            }
            ProducedBy::Policy => {
                "review-gate itself: the configuration's review and the agent gate's own rules (reads, hook settings, PowerShell)"
            }
            ProducedBy::Instructions => "the review of agent instruction files",
            ProducedBy::Agent => "the agent configuration review",
            ProducedBy::Decode => "the decode stage (encoded strings, decoded and reviewed)",
            ProducedBy::Names => {
                "the names stage (API names built or looked up at run time, look-alike identifiers)"
            }
        };
        out.push_str(&format!("  found by:  {by}\n"));
    } else {
        out.push_str(&format!("  languages: {}\n", check.language_names()));
        let scope = check
            .pattern()
            .map_or(crate::checks::Scope::Code, |p| p.scope);
        out.push_str(&format!("  looks in:  {}\n", scope.as_str()));
    }
    if check.meta.always_report {
        out.push_str(
            "  novelty:   always reported, even where the file already had the capability\n",
        );
    }
    if let Some(cwe) = &check.meta.cwe {
        out.push_str(&format!("  cwe:       {cwe}\n"));
    }
    out.push_str(&format!("  message:   {}\n", check.meta.message));
    out.push_str(&format!("  defined in {}\n\n", check.meta.source));
    out.push_str(&check.meta.help.to_text());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_never_prints_an_empty_reason() {
        let checks = crate::checks::load_checked(&[]).expect("checks load");
        let mut adjusted = 0;
        for check in &checks {
            let text = explain(check);
            let line = text.lines().find(|l| l.contains("severity:")).unwrap();
            assert!(
                !line.contains(" ;") && !line.contains("; ;") && !line.ends_with("; )"),
                "{line}"
            );
            assert!(
                !line.contains("when )") && !line.contains("when ;"),
                "{line}"
            );
            if line.contains("by context") {
                adjusted += 1;
            }
        }
        assert!(adjusted > 0);
        // A check with adjust conditions without reasons says how many.
        let check = checks
            .iter()
            .find(|c| c.meta.id.as_ref() == "env.python.environ-get")
            .unwrap();
        let text = explain(check);
        assert!(text.contains("context"), "{text}");
    }
}
