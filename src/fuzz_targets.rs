//! Entry points of the fuzz targets (`fuzz/`) and of the stable replay of their corpora
//! (`tests/fuzz_corpus.rs`): one function per target, each taking raw bytes, so that the fuzzers and the
//! replay test cannot drift apart. Each must return (never panic, abort or hang) on any input; what the
//! parsers answer is not judged here. Nothing here touches the file system beyond what the code under
//! test reads on its own, and file-changing agent actions are judged only when every path they name
//! stays inside a directory that does not exist.

use std::path::Path;
use std::sync::OnceLock;

use crate::checks::{self, Check, CheckSet};
use crate::gate::agent::input::Agent;
use crate::gate::agent::{input, judge};
use crate::lang;
use crate::model::{ChangedFile, Language};
use crate::policy::Policy;
use crate::source::proposed as files;
use crate::source::{self, AddedLines};

/// The target names, as `fuzz/fuzz_targets/<name>.rs` and `fuzz/corpus/<name>/` spell them.
pub const TARGETS: &[&str] = &[
    "patch",
    "shell",
    "hook_input",
    "config",
    "checks_yaml",
    "manifests",
    "lexer",
];

/// A working directory that does not exist, so that judging reads no project files.
const NOWHERE: &str = "/nonexistent/review-gate-fuzz";

/// The manifest file names the `manifests` target chooses from by its first byte (one per format).
pub const MANIFEST_PATHS: &[&str] = &[
    "package.json",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "requirements.txt",
    "pyproject.toml",
    "Pipfile",
    "setup.cfg",
    "Cargo.toml",
    "go.mod",
    "Gemfile",
    "x.gemspec",
    "composer.json",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "Dockerfile",
    ".github/workflows/ci.yml",
    ".github/actions/setup/action.yml",
];

/// The agents the `hook_input` target chooses from by its first byte.
pub const AGENTS: &[Agent] = &[Agent::Claude, Agent::Codex, Agent::Cursor, Agent::Gemini];

/// Every built-in check, loaded once, and the set compiled from them.
fn builtin() -> &'static (Vec<Check>, CheckSet) {
    static BUILTIN: OnceLock<(Vec<Check>, CheckSet)> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let checks = checks::load(&[]).expect("the built-in checks load");
        let set = checks::into_set(checks.clone());
        (checks, set)
    })
}

/// Runs the engine and the dependency review over changed files, as the pipeline does.
fn review(files: &[ChangedFile]) {
    let (_, set) = builtin();
    let changes = crate::model::ChangeSet {
        files: files.to_vec(),
        ..Default::default()
    };
    let _ = crate::engine::review(set, &changes, &crate::engine::Options::default());
}

/// Splits off the selector byte: (first byte, rest); None for empty input.
fn split(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(first, rest)| (*first, rest))
}

/// `patch`: the unified-diff parser, then the engine over what it yields.
pub fn patch(data: &[u8]) {
    if let Ok(set) = source::patch::parse(data) {
        review(&set.files);
    }
}

/// `shell`: the shell parser and the command judge of the agent hook.
pub fn shell(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::shell::parse(&text);
    let (checks, _) = builtin();
    let _ = judge::judge_command(&text, Path::new(NOWHERE), &Policy::default(), checks);
}

/// Whether a path an agent names stays inside [`NOWHERE`] (relative, no `..`, no root).
fn stays_inside(path: &str) -> bool {
    let path = Path::new(path);
    path.is_relative()
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Whether judging the action reads only paths inside [`NOWHERE`].
fn reads_nowhere_else(action: &input::Action) -> bool {
    use input::Action;
    match action {
        Action::Write { path, .. }
        | Action::Edit { path, .. }
        | Action::NotebookEdit { path, .. } => stays_inside(path),
        Action::ApplyPatch { patch } => match crate::source::proposed::patch::parse(patch) {
            Ok(ops) => ops.iter().all(|op| match op {
                crate::source::proposed::patch::FileOp::Update { path, move_to, .. } => {
                    stays_inside(path) && move_to.as_deref().is_none_or(stays_inside)
                }
                other => stays_inside(other.target()),
            }),
            Err(_) => true,
        },
        Action::Shell { .. } | Action::PowerShell { .. } | Action::Read { .. } | Action::Other => {
            true
        }
    }
}

/// `hook_input`: an agent's hook JSON (the first byte picks Claude, Codex, Cursor or Gemini), then the
/// judgement of the action it proposes.
pub fn hook_input(data: &[u8]) {
    let Some((selector, json)) = split(data) else {
        return;
    };
    let agent = AGENTS[usize::from(selector) % AGENTS.len()];
    let Ok(hook) = input::parse(agent, json, None, Path::new(NOWHERE)) else {
        return;
    };
    let (checks, _) = builtin();
    if let input::Action::Shell { command } = &hook.action {
        let _ = judge::judge_command(command, Path::new(NOWHERE), &Policy::default(), checks);
        let _ = judge::mask_command(command, checks);
        return;
    }
    let cwd = Path::new(NOWHERE);
    if !reads_nowhere_else(&hook.action) {
        return;
    }
    let proposals = files::proposed(&hook.action, cwd);
    let changes = files::change_set(proposals, cwd);
    review(&changes.files);
}

/// `config`: a `.review-gate.yml` (in a directory that does not exist, so relative `checks:` files are
/// not found), validated against the built-in checks.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let path = Path::new(NOWHERE).join(".review-gate.yml");
    if let Ok(policy) = Policy::parse(&path, &text) {
        let (checks, _) = builtin();
        let _ = policy.validate(checks);
    }
}

/// `checks_yaml`: a user's check file, compiled (regexes included) and run over a small file.
pub fn checks_yaml(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut slots = 0;
    let Ok(user) = checks::parse_file("fuzz-checks.yml", &text, &mut slots, true) else {
        return;
    };
    let set = checks::into_set(user);
    let sample =
        "import os\nos.system(\"curl https://example.com | sh\")  # review-gate: allow exec\n";
    let file = source::whole_file("sample.py".to_string(), sample.to_string(), AddedLines::All);
    let changes = crate::model::ChangeSet {
        files: vec![file],
        ..Default::default()
    };
    let _ = crate::engine::review(&set, &changes, &crate::engine::Options::default());
}

/// `manifests`: every dependency manifest parser (the first byte picks the format), through the
/// dependency review as the pipeline runs it.
pub fn manifests(data: &[u8]) {
    let Some((selector, rest)) = split(data) else {
        return;
    };
    let path = MANIFEST_PATHS[usize::from(selector) % MANIFEST_PATHS.len()];
    let text = String::from_utf8_lossy(rest).into_owned();
    let _ = crate::manifest::declared_packages(path, &text);
    let file = source::whole_file(path.to_string(), text, AddedLines::All);
    let (_, set) = builtin();
    let _ = crate::engine::deps::review(set, std::slice::from_ref(&file));
}

/// `lexer`: the lexer of every language family (the first byte picks the language), whole and in
/// line-sized pieces as a patch's hunks are lexed.
pub fn lexer(data: &[u8]) {
    let Some((selector, rest)) = split(data) else {
        return;
    };
    let language = Language::ALL[usize::from(selector) % Language::ALL.len()];
    let text = String::from_utf8_lossy(rest);
    let regions = lang::lex(language, &text);
    for pos in [0, text.len() / 2, text.len()] {
        let _ = regions.at(pos);
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        if byte == b'\n' {
            pieces.push(start..i + 1);
            start = i + 1;
        }
    }
    // Every other line, as hunks separated by unchanged lines.
    let odd: Vec<_> = pieces.iter().step_by(2).cloned().collect();
    let _ = lang::lex_pieces(language, &text, &odd);
}

/// Runs the target named `name` on `data`; false when no target has that name.
pub fn run(name: &str, data: &[u8]) -> bool {
    let target: fn(&[u8]) = match name {
        "patch" => patch,
        "shell" => shell,
        "hook_input" => hook_input,
        "config" => config,
        "checks_yaml" => checks_yaml,
        "manifests" => manifests,
        "lexer" => lexer,
        _ => return false,
    };
    target(data);
    true
}
