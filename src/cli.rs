//! Command-line definitions (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::policy::FailOn;
use crate::report::Format;

/// Finds what a change adds that a reviewer must look at: processes started, network calls, code
/// evaluated, environment read, paths escaped, secrets and dependencies.
#[derive(Debug, Parser)]
#[command(name = "review-gate", version, about, max_term_width = 100)]
pub struct Cli {
    /// Run as if started in this directory.
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub directory: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Review staged changes: the index against HEAD (the pre-commit case).
    Staged {
        /// Review options.
        #[command(flatten)]
        review: ReviewArgs,
    },
    /// Review what a pull request would show: merge-base(BASE, HEAD)..HEAD. Also `A..B` (tree A to
    /// tree B) and `A...B` (merge-base of A and B to B). Without a range, BASE is the remote's default
    /// branch (`origin/HEAD`), else `main` or `master`.
    Diff {
        /// `BASE`, `A..B` or `A...B` [default: origin/HEAD, else main or master].
        #[arg(value_name = "RANGE")]
        range: Option<String>,
        /// Compare with the working tree (staged, unstaged and untracked files) instead of HEAD.
        #[arg(long)]
        worktree: bool,
        /// Also review each commit of the range on its own: `secrets` (secret and error-level attack
        /// checks: a key added in one commit and deleted in a later one is still in history), `all`
        /// (every check) or `none` (the net change only).
        #[arg(long, value_enum, value_name = "WHICH", default_value = "secrets")]
        commits: crate::report::CommitsMode,
        /// Review options.
        #[command(flatten)]
        review: ReviewArgs,
    },
    /// Review a unified diff read from a file or standard input (`-`).
    Patch {
        /// The patch file; `-` or nothing reads standard input.
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        /// Fail (exit 2) on an empty patch instead of passing with "nothing reviewed": for pipelines
        /// where an empty patch means the producer failed.
        #[arg(long)]
        require_changes: bool,
        /// Review options.
        #[command(flatten)]
        review: ReviewArgs,
    },
    /// Review every line of every file under the paths (honoring .gitignore), as if all were added.
    Scan {
        /// Files or directories (default: the current directory).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Review options.
        #[command(flatten)]
        review: ReviewArgs,
    },
    /// Install the git pre-commit hook that runs `review-gate staged` (an existing hook is chained).
    Install {
        /// The hook to install.
        #[arg(long, value_enum, default_value = "pre-commit")]
        hook: crate::setup::install::GitHook,
        /// Install even when the hook cannot be chained (the replaced hook is kept as a backup) or
        /// core.hooksPath belongs to a hook manager.
        #[arg(long)]
        force: bool,
    },
    /// Remove the hook `review-gate install` wrote and restore the one it chained.
    Uninstall {
        /// The hook to remove.
        #[arg(long, value_enum, default_value = "pre-commit")]
        hook: crate::setup::install::GitHook,
    },
    /// Add the agent gate (`review-gate agent-hook`) to a coding agent's hook settings.
    Init {
        /// The agent to configure.
        #[arg(value_enum)]
        agent: crate::setup::init::Agent,
        /// Write the user's settings under the home directory instead of the project's.
        #[arg(long)]
        global: bool,
        /// Remove review-gate's hook entries (and the deny rules `init` added) instead.
        #[arg(long)]
        remove: bool,
        /// Show whether the agent gate is in the project's and the user's hook settings; change nothing.
        #[arg(long, conflicts_with_all = ["remove", "global"])]
        status: bool,
    },
    /// Review a pull request (or push) inside GitHub Actions and report on GitHub: a check run with
    /// annotations, review comments, a summary comment, workflow commands and SARIF.
    Github(GithubArgs),
    /// List every check: id, category, severity, languages.
    Checks {
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
        /// Configuration file, for its extra check files (default: .review-gate.yml at the root).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Explain a check: what it finds, why it matters, an example and the fix.
    Explain {
        /// The check id (see `review-gate checks`).
        id: String,
        /// Configuration file, for its extra check files.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Judge an agent's proposed tool call (a pre-tool hook: JSON on standard input, the agent's
    /// answer on standard output, always exit status 0).
    AgentHook(crate::gate::agent::AgentHookArgs),
    /// Review the commits `git push` is about to send (the git pre-push hook's entry: the refs on
    /// standard input, one `<local ref> <local sha> <remote ref> <remote sha>` a line).
    #[command(hide = true)]
    PrePush {
        /// The remote's name (git passes it). Without it, the pre-commit framework's pre-push stage
        /// variables are read (`PRE_COMMIT_FROM_REF`, `PRE_COMMIT_TO_REF`, `PRE_COMMIT_REMOTE_NAME`).
        remote: Option<String>,
        /// The remote's URL (git passes it; not used).
        url: Option<String>,
        /// Which checks review each commit on its own (besides the net change of each ref).
        #[arg(long, value_enum, value_name = "WHICH", default_value = "secrets")]
        commits: crate::report::CommitsMode,
        /// Review options.
        #[command(flatten)]
        review: ReviewArgs,
    },
    /// Verify annotated check fixtures (for people writing checks).
    #[command(hide = true)]
    VerifyFixtures {
        /// The fixture directory.
        #[arg(default_value = "fixtures/checks")]
        dir: PathBuf,
        /// Only fixtures of this category.
        #[arg(long)]
        category: Option<String>,
    },
}

/// Formats for `review-gate checks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// An aligned table.
    Text,
    /// A JSON array.
    Json,
    /// A Markdown table.
    Markdown,
}

/// Options shared by every review command.
#[derive(Debug, Args, Clone)]
pub struct ReviewArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a finding is at least this severe: error, warning, note or never
    /// [default: error, or `fail_on` from the configuration].
    #[arg(long, value_name = "LEVEL", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    /// Only run checks of these categories (repeat or separate with commas).
    #[arg(long, value_name = "CATEGORY", value_delimiter = ',')]
    pub category: Vec<String>,
    /// Only run these checks (ids or id prefixes; repeat or separate with commas).
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub check: Vec<String>,
    /// Do not report the findings this earlier report holds: review-gate's JSON report (by
    /// fingerprint) or gitleaks' JSON report (secrets by file, line and value).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Configuration file [default: .review-gate.yml at the repository root].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// List every note one by one (text report; by default notes are counted per capability).
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// List these findings one by one too: `notes` (text report; same as -v).
    #[arg(long, value_enum, value_name = "WHAT", value_delimiter = ',')]
    pub show: Vec<Show>,
    /// Print only the findings at or above the fail level, and one summary line (text report).
    #[arg(short = 'q', long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Count the findings by check id, most first (text report).
    #[arg(long)]
    pub statistics: bool,
    /// Color the text report: `auto` (on a terminal, unless `NO_COLOR` is set), `always` or `never`.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
    /// Print nothing at all when no finding is a warning or an error (text report on standard output;
    /// the git pre-commit hook passes it).
    #[arg(long)]
    pub silent_if_clean: bool,
}

/// When the text report is colored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set (`CLICOLOR_FORCE` forces it).
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// `Some(true)` always, `Some(false)` never, `None` to decide from the terminal and environment.
    pub fn forced(self) -> Option<bool> {
        match self {
            ColorChoice::Auto => None,
            ColorChoice::Always => Some(true),
            ColorChoice::Never => Some(false),
        }
    }
}

/// What `--show` lists one by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Show {
    /// Every note (they are counted per capability by default).
    Notes,
}

/// Options of `review-gate github`.
#[derive(Debug, Args, Clone)]
pub struct GithubArgs {
    /// Where to report on GitHub (repeat or separate with commas) [default: check,summary, and
    /// annotations when the token cannot write].
    #[arg(
        long = "report",
        value_enum,
        value_name = "REPORT",
        value_delimiter = ','
    )]
    pub reports: Vec<GithubReport>,
    /// Write a SARIF 2.1.0 file here (for github/codeql-action/upload-sarif).
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,
    /// The environment variable holding the API token.
    #[arg(long, value_name = "NAME", default_value = "GITHUB_TOKEN")]
    pub token_env: String,
    /// The event payload (default: $GITHUB_EVENT_PATH).
    #[arg(long, value_name = "FILE")]
    pub event: Option<PathBuf>,
    /// Review from this base revision instead of the event's (pull request base or push `before`).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Also review each commit of the pull request on its own (from the local clone: check out with
    /// `fetch-depth: 0`): `secrets`, `all` or `none` (see `review-gate diff --help`).
    #[arg(long, value_enum, value_name = "WHICH", default_value = "secrets")]
    pub commits: crate::report::CommitsMode,
    /// Review options (the report printed on standard output).
    #[command(flatten)]
    pub review: ReviewArgs,
}

/// The places `review-gate github` reports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum GithubReport {
    /// A check run `review-gate` on the head commit, with annotations.
    Check,
    /// One pull-request review with comments on the added lines.
    Review,
    /// One sticky pull-request comment with the digest (and the job's step summary).
    Summary,
    /// GitHub workflow commands on standard output (no token needed).
    Annotations,
    /// A SARIF file (`--sarif`, default review-gate.sarif).
    Sarif,
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    s.parse()
}

/// The command line of the agent hook alone: `review-gate [-C DIR] agent-hook …`. The hook runs at
/// every tool call, and clap builds every subcommand's arguments for any parse (a tenth of a
/// millisecond and 150 KB for this tree); [`parse`] builds this one only when the hook is what is
/// called. The same names and texts as [`Cli`] (a test compares them).
#[derive(Debug, Parser)]
#[command(name = "review-gate", version, about, max_term_width = 100)]
struct HookCli {
    /// Run as if started in this directory.
    #[arg(short = 'C', global = true, value_name = "DIR")]
    directory: Option<PathBuf>,
    #[command(subcommand)]
    command: HookCommand,
}

#[derive(Debug, Subcommand)]
enum HookCommand {
    /// Judge an agent's proposed tool call (a pre-tool hook: JSON on standard input, the agent's
    /// answer on standard output, always exit status 0).
    AgentHook(crate::gate::agent::AgentHookArgs),
}

/// Parses the command line: the agent hook's through [`HookCli`] when it is the subcommand called and
/// parses so, everything else (its help, its errors) through [`Cli`].
pub fn parse() -> Result<Cli, clap::Error> {
    parse_from(std::env::args_os())
}

/// [`parse`] of the given arguments (the program's name first).
pub fn parse_from(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Cli, clap::Error> {
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    let words: Vec<&std::ffi::OsStr> = args.iter().skip(1).map(|a| a.as_os_str()).collect();
    let hook = match words.as_slice() {
        [first, ..] if *first == "agent-hook" => true,
        [flag, _, then, ..] if *flag == "-C" && *then == "agent-hook" => true,
        _ => false,
    };
    if hook {
        if let Ok(HookCli {
            directory,
            command: HookCommand::AgentHook(args),
        }) = HookCli::try_parse_from(&args)
        {
            return Ok(Cli {
                directory,
                command: Command::AgentHook(args),
            });
        }
    }
    Cli::try_parse_from(args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// The agent hook's own parser takes what the whole one takes, to the same values, and says the
    /// same of itself; what it does not take goes to the whole parser.
    #[test]
    fn the_hook_parser_is_the_whole_parser_for_the_hook() {
        let cases: &[&[&str]] = &[
            &["agent-hook"],
            &["agent-hook", "--agent", "gemini", "--no-audit"],
            &[
                "-C",
                "/tmp",
                "agent-hook",
                "--config",
                "x.yml",
                "--audit-log",
                "a.log",
            ],
            &["agent-hook", "-C", "/tmp", "--agent", "cursor"],
            &["agent-hook", "--no-audit", "--audit-log", "a.log"],
            &["agent-hook", "--agent", "nobody"],
            &["agent-hook", "--help"],
            &["agent-hook", "extra"],
            &["staged"],
        ];
        for case in cases {
            let argv = || {
                std::iter::once("review-gate")
                    .chain(case.iter().copied())
                    .map(std::ffi::OsString::from)
            };
            let fast = parse_from(argv()).map(|c| format!("{c:?}"));
            let whole = Cli::try_parse_from(argv()).map(|c| format!("{c:?}"));
            match (fast, whole) {
                (Ok(fast), Ok(whole)) => assert_eq!(fast, whole, "{case:?}"),
                (Err(fast), Err(whole)) => {
                    assert_eq!(fast.kind(), whole.kind(), "{case:?}");
                    assert_eq!(fast.to_string(), whole.to_string(), "{case:?}");
                }
                (fast, whole) => panic!("{case:?}: {fast:?} against {whole:?}"),
            }
        }
        // The subcommand's help and the global option read the same in both.
        let mut whole = Cli::command();
        let mut hook = HookCli::command();
        let render = |c: &mut clap::Command| c.render_long_help().to_string();
        assert_eq!(
            render(hook.find_subcommand_mut("agent-hook").unwrap()),
            render(whole.find_subcommand_mut("agent-hook").unwrap())
        );
        let global = |c: &clap::Command| {
            c.get_arguments()
                .map(|a| format!("{a:?}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(global(&hook), global(&whole));
    }
}
