//! `review-gate agent-hook`: the agent gate. An agent's pre-tool hook sends the proposed action as JSON
//! on standard input; review-gate judges it with the same configuration and checks as every other gate
//! and answers in the agent's format on standard output, always with exit status 0.
//!
//! Nothing may escape as another exit status: Claude Code runs the tool anyway on any status but 0 and
//! 2. Bad input, a broken configuration, an internal error or a panic all become the decision of the
//! configured failure mode (`hook.fail`, closed by default), with the cause on standard error.

pub mod audit;
pub mod deadline;
pub mod guard;
pub mod input;
pub mod judge;
pub mod mcp;
pub mod output;
pub mod powershell;
pub mod read;
pub mod verdict;

use std::io::{Read, Write};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use anyhow::Result;

use self::input::{Action, Agent, HookInput};
use self::verdict::Verdict;
use crate::checks;
use crate::model::{Category, Decision};
use crate::pipeline::{self, Pipeline, Selection};
use crate::policy::hook::{FailMode, HookSettings};
use crate::policy::Policy;

/// The options of `review-gate agent-hook`.
#[derive(Debug, Clone, clap::Args)]
pub struct AgentHookArgs {
    /// The agent whose hook calls review-gate (its input and answer formats).
    #[arg(long, value_enum, default_value = "claude")]
    pub agent: Agent,
    /// Append decisions to this file instead of the configured audit log.
    #[arg(long, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
    /// Do not write the audit log.
    #[arg(long, conflicts_with = "audit_log")]
    pub no_audit: bool,
    /// Configuration file [default: .review-gate.yml in the project directory].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Everything one hook call decided, for the answer and the audit log.
struct Outcome {
    input: Option<HookInput>,
    verdict: Verdict,
    /// The command as logged (secrets masked).
    command: Option<String>,
    paths: Vec<String>,
    settings: HookSettings,
    root: PathBuf,
}

/// Runs the hook. Its exit status is always success: every failure is answered on standard output with
/// the failure mode's decision. `before_review` runs once the action is known to need the engine (a
/// command or a file edit, not a read): the binary turns on its allocator for a review there.
pub fn main(args: &AgentHookArgs, before_review: &dyn Fn()) {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("review-gate: internal error{location} (a bug: please report it)");
    }));
    deadline::start(args.agent, deadline::deadline());
    let mut stdin = Vec::new();
    let read = std::io::stdin()
        .read_to_end(&mut stdin)
        .map_err(|e| format!("cannot read the hook input: {e}"));
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let answered = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let outcome = match std::panic::catch_unwind(AssertUnwindSafe(|| {
            evaluate(args, read.map(|_| stdin.as_slice()), &cwd, before_review)
        })) {
            Ok(outcome) => outcome,
            Err(_) => failure(args, None, &cwd, "internal error".into()),
        };
        answer(args, &outcome);
    }));
    if answered.is_err() {
        // Even the failure path failed: refuse, in the agent's own format, rather than exit with a
        // status the agent would take as "run the tool anyway".
        deadline::answer_once(|| {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{}", output::last_resort_refusal(args.agent));
        });
    }
}

/// The project directory the environment names for this agent.
fn env_project(agent: Agent) -> Option<PathBuf> {
    let name = match agent {
        Agent::Claude => "CLAUDE_PROJECT_DIR",
        Agent::Gemini => "GEMINI_PROJECT_DIR",
        Agent::Codex | Agent::Cursor => return None,
    };
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The project root: what the agent names, else the git work tree around `cwd`, else `cwd`.
fn project_root(named: Option<&Path>, cwd: &Path) -> PathBuf {
    if let Some(dir) = named {
        return dir.to_path_buf();
    }
    git2::Repository::discover(cwd)
        .ok()
        .and_then(|r| r.workdir().map(Path::to_path_buf))
        .unwrap_or_else(|| cwd.to_path_buf())
}

fn evaluate(
    args: &AgentHookArgs,
    stdin: Result<&[u8], String>,
    cwd: &Path,
    before_review: &dyn Fn(),
) -> Outcome {
    let parsed = stdin.and_then(|bytes| {
        input::parse(args.agent, bytes, env_project(args.agent), cwd).map_err(|e| e.to_string())
    });
    let input = match parsed {
        Ok(input) => input,
        Err(message) => return failure(args, None, cwd, message),
    };
    let root = project_root(input.project_dir.as_deref(), &input.cwd);
    let policy = match Policy::discover(args.config.as_deref(), &root) {
        Ok(policy) => policy,
        Err(e) => return failure(args, Some(input), &root, format!("configuration: {e}")),
    };
    // The configuration is read once per action: the judge takes it, the answer keeps its settings.
    let settings = policy.hook.clone();
    if !matches!(input.action, Action::Other | Action::Read { .. }) {
        before_review();
    }
    match judge_action(args, &input, &root, policy) {
        Ok((verdict, command, paths)) => Outcome {
            input: Some(input),
            verdict,
            command,
            paths,
            settings,
            root,
        },
        Err(e) => {
            let mut outcome = failure(args, Some(input), &root, format!("{e:#}"));
            outcome.settings = settings;
            outcome.verdict.decision = fail_decision(outcome.settings.fail);
            outcome
        }
    }
}

type Judged = (Verdict, Option<String>, Vec<String>);

fn judge_action(
    args: &AgentHookArgs,
    input: &HookInput,
    root: &Path,
    policy: Policy,
) -> Result<Judged> {
    let selection = Selection {
        config: args.config.clone(),
        ..Selection::default()
    };
    match &input.action {
        Action::Other => Ok((Verdict::allow(), None, Vec::new())),
        Action::Read { paths, globs } => {
            // No check is loaded and no regex compiled: the read rules match by hand.
            let verdict = read::judge(paths, globs, &input.cwd, root, &policy.hook.read);
            let mut shown: Vec<String> = paths.clone();
            shown.extend(globs.iter().cloned());
            let shown = shown
                .iter()
                .map(|p| source_path(p, &input.cwd, root))
                .collect();
            Ok((verdict, None, shown))
        }
        Action::Shell { command } => {
            let (verdict, masked) = judge_shell(&selection, policy, command, &input.cwd)?;
            Ok((verdict, Some(masked), Vec::new()))
        }
        Action::PowerShell { command } => {
            let (mut items, decoded) =
                powershell::judge(command, &input.cwd, root, &policy.hook.read);
            powershell::apply_actions(&mut items, &policy.hook);
            // What PowerShell shares with a POSIX shell (programs, arguments, secrets) goes through
            // the command checks too; the POSIX parser's own complaints about PowerShell syntax do not.
            let mut text = command.clone();
            for script in &decoded {
                text.push('\n');
                text.push_str(script);
            }
            let (verdict, masked) = judge_shell(&selection, policy, &text, &input.cwd)?;
            items.extend(
                verdict
                    .items
                    .into_iter()
                    .filter(|i| !i.check.starts_with("command.shell.")),
            );
            let mut merged = Verdict::from_items(items, verdict.remark);
            merged.suppressions = verdict.suppressions;
            let lines = command.lines().count().max(1);
            let masked = masked.lines().take(lines).collect::<Vec<_>>().join("\n");
            Ok((merged, Some(masked), Vec::new()))
        }
        action => {
            let (verdict, paths) =
                judge::judge_files(action, &input.cwd, root, policy, &selection)?;
            Ok((verdict, None, paths))
        }
    }
}

/// A path as the audit log shows it: relative to the project when inside it.
fn source_path(raw: &str, cwd: &Path, root: &Path) -> String {
    crate::source::proposed::display_path(&input::resolve(cwd, raw), root)
}

/// The verdict on a shell command, and the command with its secrets masked (for the log). The secret
/// checks none of whose keywords the command holds are withheld (they could find nothing in it); when
/// the review still asks for one (a payload the command decodes), it is made again with them all.
fn judge_shell(
    selection: &Selection,
    policy: Policy,
    command: &str,
    cwd: &Path,
) -> Result<(Verdict, String)> {
    // (A selection naming checks is validated against every check: none is withheld then.)
    if selection.checks.is_empty() && command.len() <= checks::PROBE_BUDGET {
        let text = command.to_ascii_lowercase();
        let judged = judge_shell_with(selection, policy.clone(), command, cwd, Some(&text))?;
        if let Some(judged) = judged {
            return Ok(judged);
        }
    }
    judge_shell_with(selection, policy, command, cwd, None)?
        .ok_or_else(|| anyhow::anyhow!("a review with every check missed a check (a bug)"))
}

/// [`judge_shell`], withholding the checks none of whose keywords `text` holds when there is one. None
/// when the review needed a withheld check: the command must be judged again with every check.
fn judge_shell_with(
    selection: &Selection,
    policy: Policy,
    command: &str,
    cwd: &Path,
    text: Option<&str>,
) -> Result<Option<(Verdict, String)>> {
    let mut timer = pipeline::PhaseTimer::from_env();
    let (checks, withheld) =
        pipeline::checks_withholding(&policy, &checks::Needed::Commands, text)?;
    timer.phase("load checks");
    // Masking uses every loaded secret check, even one the configuration disables. When none
    // is disabled, the pipeline runs them all in the same order, and its set of secret checks
    // (built once) serves both the masking and the engine's command stage.
    let none_disabled = !checks
        .iter()
        .any(|c| c.meta.category == Category::Secret && policy.is_disabled(c));
    let (masked, secrets, pipeline) = if none_disabled {
        // A withheld secret check has no keyword in the command, so it could mask nothing there; a
        // search with the pipeline's set that calls for one notes a miss.
        let pipeline = Pipeline::new_withheld(policy, checks, withheld, selection, timer)?;
        let (masked, secrets) = judge::mask_with(command, pipeline.checks().secret_set());
        (masked, secrets, pipeline)
    } else if withheld.checks.is_empty() {
        let (masked, secrets) = judge::mask_command_secrets(command, &checks);
        timer.phase("mask command");
        (
            masked,
            secrets,
            Pipeline::new(policy, checks, selection, timer)?,
        )
    } else {
        // A masking set of its own would not notice a withheld check it needs.
        return Ok(None);
    };
    let (verdict, missed) = judge::review_command_then_exit(pipeline, command, cwd)?;
    Ok((!missed).then(|| (verdict.redacted(&secrets), masked)))
}

fn fail_decision(mode: FailMode) -> Decision {
    match mode {
        FailMode::Closed => Decision::Deny,
        FailMode::Open => Decision::Allow,
    }
}

/// The outcome of a failure: the configuration is looked for around `dir` to learn the failure mode
/// (closed when it cannot be read).
fn failure(args: &AgentHookArgs, input: Option<HookInput>, dir: &Path, message: String) -> Outcome {
    let root = match &input {
        Some(input) => project_root(input.project_dir.as_deref(), &input.cwd),
        None => project_root(env_project(args.agent).as_deref(), dir),
    };
    let settings = Policy::discover(args.config.as_deref(), &root)
        .map(|p| p.hook)
        .unwrap_or_default();
    eprintln!("review-gate: {}", crate::redact::redact(&message));
    Outcome {
        input,
        verdict: Verdict::failed(fail_decision(settings.fail), message),
        command: None,
        paths: Vec::new(),
        settings,
        root,
    }
}

/// Prints the answer and appends the audit record.
fn answer(args: &AgentHookArgs, outcome: &Outcome) {
    let event = outcome.input.as_ref().map_or("", |i| i.event.as_str());
    // The agent whose format the input came in (Cursor also runs Claude Code's hooks).
    let agent = outcome.input.as_ref().map_or(args.agent, |i| i.agent);
    let decision = output::effective_decision(agent, event, outcome.verdict.decision);
    // A failure that fails open must not become an explicit allow.
    let text = output::render(
        agent,
        event,
        &outcome.verdict,
        outcome.settings.approve_clean,
    );
    // No output, or an empty object: the gate raised no objection (it did not approve).
    let text_was_silent = text.as_deref().is_none_or(|t| t == "{}");
    let answered = deadline::answer_once(|| {
        if let Some(text) = text {
            // The last net: URL userinfo and token shapes, whatever the reason quotes.
            let text = crate::redact::redact(&text);
            let mut stdout = std::io::stdout().lock();
            let _ = stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.write_all(b"\n"))
                .and_then(|()| stdout.flush());
        }
    });
    if !answered {
        // The deadline's refusal went out first; this decision was never given.
        return;
    }
    if args.no_audit || !outcome.settings.audit {
        return;
    }
    let path = match &args.audit_log {
        Some(path) => path.clone(),
        None => {
            let (path, warning) =
                audit::location(&outcome.root, outcome.settings.audit_log.as_deref());
            if let Some(warning) = warning {
                eprintln!("review-gate: {}", crate::redact::redact(&warning));
            }
            path
        }
    };
    // Allowing by saying nothing is not an approval: the log says so.
    let logged = if decision == crate::model::Decision::Allow && text_was_silent {
        "no-objection"
    } else {
        decision.as_str()
    };
    let record = audit::Record {
        time: audit::now_rfc3339(),
        session: outcome.input.as_ref().and_then(|i| i.session.as_deref()),
        agent: agent.as_str(),
        event: outcome.input.as_ref().map(|i| i.event.as_str()),
        tool: outcome.input.as_ref().map(|i| i.tool.as_str()),
        command: outcome.command.as_deref(),
        paths: outcome.paths.clone(),
        decision: logged,
        checks: outcome.verdict.checks(),
        error: outcome.verdict.failure.as_deref(),
    };
    if let Err(e) = audit::append(&path, &record) {
        eprintln!("review-gate: audit log: {e}");
    }
}
