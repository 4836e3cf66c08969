//! Wiring: one pipeline per command (source → engine → policy → report) and the exit code.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};

use crate::checks;
use crate::cli::{Cli, Command};
use crate::pipeline::{load_checks, Governance};
use crate::policy::ConfigTree;
use crate::report;
use crate::report::write::write_stdout;
use crate::source;

pub mod arena;
mod listing;
mod push;
mod review;

pub use listing::{explain, list_checks};
use push::{pre_commit_push, review_push};
#[cfg(feature = "github")]
use review::write_report;
use review::{default_range, review_changes, review_governed, review_range};

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
/// `allocator` is the binary's global allocator, which the agent hook turns on (see [`arena`]).
pub fn main(allocator: &arena::Arena) -> ExitCode {
    let cli = match crate::cli::parse() {
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
        // A review in a process of a few milliseconds: its heap from one huge page rather than page
        // by page (a read, judged by hand, allocates too little to pay for the page).
        crate::gate::agent::main(args, &|| {
            allocator.enable();
        });
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
            // Answered by `main` before `run` (a hook never fails with a status of its own).
            crate::gate::agent::main(&args, &|| {});
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
