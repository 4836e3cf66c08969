//! Finding the program a simple command really runs (`sudo -u x env A=1 nohup /bin/rm …` runs `rm`),
//! and the commands it runs in turn (`bash -c STRING`, `eval`, `su -c`, `watch`, `ssh host CMD`,
//! `find -exec CMD ;`).

use super::{basename, Command};

/// A command that a command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Nested {
    /// Shell text to parse.
    Script(String),
    /// A ready argv.
    Argv(Vec<String>),
}

/// What a shell reads its commands from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ShellInput {
    /// Not a shell.
    NotAShell,
    /// `-c STRING`.
    String(String),
    /// A script file named by an operand.
    File,
    /// Standard input (no `-c`, no script operand, or `-s`).
    Stdin,
}

/// Programs that run shell code.
const SHELLS: [&str; 12] = [
    "sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "yash", "fish", "tcsh", "csh", "busybox",
];

const SUDO_VALUES: &[&str] = &[
    "-u",
    "-g",
    "-C",
    "-D",
    "-p",
    "-r",
    "-t",
    "-T",
    "-U",
    "-h",
    "--user",
    "--group",
    "--chdir",
    "--prompt",
    "--role",
    "--type",
    "--close-from",
    "--command-timeout",
    "--other-user",
    "--host",
];
const XARGS_VALUES: &[&str] = &[
    "-a",
    "-d",
    "-E",
    "-I",
    "-L",
    "-n",
    "-P",
    "-s",
    "--arg-file",
    "--delimiter",
    "--eof",
    "--replace",
    "--max-lines",
    "--max-args",
    "--max-procs",
    "--max-chars",
    "--process-slot-var",
];
const SSH_VALUES: &[&str] = &[
    "-B", "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p",
    "-Q", "-R", "-S", "-W", "-w",
];

/// Strips wrappers from `cmd.argv` (recording them in `cmd.wrappers`) and returns what the command runs
/// in turn.
pub(super) fn unwrap(cmd: &mut Command) -> Vec<Nested> {
    for _ in 0..16 {
        let Some(first) = cmd.argv.first() else {
            break;
        };
        let program = basename(first).to_ascii_lowercase();
        let argv = &cmd.argv;
        let start = match program.as_str() {
            "sudo" => options_end(argv, SUDO_VALUES),
            "doas" => options_end(argv, &["-u", "-C"]),
            "env" => env_command(cmd),
            "command" if !matches!(argv.get(1).map(String::as_str), Some("-v" | "-V")) => {
                options_end(argv, &[])
            }
            "builtin" | "nohup" | "setsid" | "unbuffer" | "caffeinate" => options_end(argv, &[]),
            "exec" => options_end(argv, &["-a"]),
            "time" => options_end(argv, &["-f", "-o", "--format", "--output"]),
            "nice" => options_end(argv, &["-n", "--adjustment"]),
            "ionice" => options_end(
                argv,
                &["-c", "-n", "-p", "-P", "-u", "--class", "--classdata"],
            ),
            "timeout" => {
                options_end(argv, &["-s", "-k", "--signal", "--kill-after"]).map(|i| i + 1)
            }
            "stdbuf" => options_end(argv, &["-i", "-o", "-e", "--input", "--output", "--error"]),
            "xargs" => options_end(argv, XARGS_VALUES),
            "busybox" | "toybox" if argv.get(1).is_some_and(|a| !a.starts_with('-')) => Some(1),
            _ => None,
        };
        match start {
            Some(start) if start > 0 && start < cmd.argv.len() => {
                cmd.wrappers.push(program);
                cmd.argv.drain(..start);
            }
            _ => break,
        }
    }
    nested_commands(cmd)
}

/// Where the wrapped command starts: after the options (and their values) that follow `argv[0]`.
fn options_end(argv: &[String], with_value: &[&str]) -> Option<usize> {
    let mut i = 1;
    while i < argv.len() {
        let arg = argv[i].as_str();
        if arg == "--" {
            return Some(i + 1);
        }
        if arg.len() < 2 || !arg.starts_with('-') {
            return Some(i);
        }
        let takes_value = with_value.contains(&arg)
            || (!arg.starts_with("--")
                && arg.len() > 2
                && arg
                    .get(arg.len() - 1..)
                    .is_some_and(|last| with_value.contains(&format!("-{last}").as_str())));
        i += if takes_value { 2 } else { 1 };
    }
    None
}

/// `env [options] [NAME=value…] command`: moves the assignments to the command and splits `-S`.
fn env_command(cmd: &mut Command) -> Option<usize> {
    let mut i = 1;
    while i < cmd.argv.len() {
        let arg = cmd.argv[i].clone();
        match arg.as_str() {
            "--" => {
                i += 1;
                break;
            }
            "-u" | "--unset" | "-C" | "--chdir" => i += 2,
            "-S" | "--split-string" => {
                let words = split_whitespace(cmd.argv.get(i + 1).map_or("", String::as_str));
                cmd.argv.splice(i..(i + 2).min(cmd.argv.len()), words);
            }
            _ if arg.starts_with("--split-string=") || (arg.starts_with("-S") && arg.len() > 2) => {
                let value = arg
                    .strip_prefix("--split-string=")
                    .unwrap_or_else(|| &arg[2..]);
                let words = split_whitespace(value);
                cmd.argv.splice(i..i + 1, words);
            }
            _ if arg.starts_with('-') && arg.len() > 1 => i += 1,
            _ if is_assignment(&arg) => i += 1,
            _ => break,
        }
    }
    if i >= cmd.argv.len() {
        return None;
    }
    let assignments: Vec<String> = cmd.argv[1..i]
        .iter()
        .filter(|a| is_assignment(a))
        .cloned()
        .collect();
    cmd.assignments.extend(assignments);
    Some(i)
}

fn split_whitespace(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

/// What a shell command reads its commands from.
pub(super) fn shell_input(cmd: &Command) -> ShellInput {
    let program = cmd.program();
    if !SHELLS.contains(&program.as_str()) {
        return ShellInput::NotAShell;
    }
    let argv = &cmd.argv;
    let mut i = 1;
    let mut string = false;
    let mut stdin = false;
    while i < argv.len() {
        let arg = argv[i].as_str();
        if arg == "--" || arg == "-" {
            i += 1;
            break;
        }
        if arg.starts_with("--") {
            i += if matches!(arg, "--rcfile" | "--init-file") {
                2
            } else {
                1
            };
            continue;
        }
        if arg.len() > 1 && (arg.starts_with('-') || arg.starts_with('+')) {
            let letters = &arg[1..];
            string |= arg.starts_with('-') && letters.contains('c');
            stdin |= arg.starts_with('-') && letters.contains('s');
            i += if letters.ends_with(['o', 'O']) { 2 } else { 1 };
            continue;
        }
        break;
    }
    if string {
        return match argv.get(i) {
            Some(text) => ShellInput::String(text.clone()),
            None => ShellInput::Stdin,
        };
    }
    if stdin || i >= argv.len() {
        ShellInput::Stdin
    } else {
        ShellInput::File
    }
}

fn nested_commands(cmd: &Command) -> Vec<Nested> {
    let mut nested = Vec::new();
    match shell_input(cmd) {
        ShellInput::String(text) => nested.push(Nested::Script(text)),
        ShellInput::Stdin => {
            for redirect in cmd.redirects.iter().filter(|r| r.op == "<<<") {
                nested.push(Nested::Script(redirect.target.clone()));
            }
        }
        _ => {}
    }
    let argv = &cmd.argv;
    let joined_from = |i: usize| argv.get(i..).map(|rest| rest.join(" "));
    match cmd.program().as_str() {
        "eval" => nested.extend(joined_from(1).map(Nested::Script)),
        "su" | "runuser" => {
            for (i, arg) in argv.iter().enumerate() {
                if arg == "-c" || arg == "--command" {
                    nested.extend(argv.get(i + 1).cloned().map(Nested::Script));
                } else if let Some(text) = arg.strip_prefix("--command=") {
                    nested.push(Nested::Script(text.to_string()));
                }
            }
        }
        "watch" => {
            if let Some(start) = options_end(argv, &["-n", "--interval", "-q", "--equexit"]) {
                nested.extend(joined_from(start).map(Nested::Script));
            }
        }
        "ssh" => {
            if let Some(host) = options_end(argv, SSH_VALUES) {
                if host + 1 < argv.len() {
                    nested.extend(joined_from(host + 1).map(Nested::Script));
                }
            }
        }
        "find" => {
            let mut i = 1;
            while i < argv.len() {
                if matches!(argv[i].as_str(), "-exec" | "-execdir" | "-ok" | "-okdir") {
                    let start = i + 1;
                    let mut end = start;
                    while end < argv.len() && argv[end] != ";" && argv[end] != "+" {
                        end += 1;
                    }
                    if end > start {
                        nested.push(Nested::Argv(argv[start..end].to_vec()));
                    }
                    i = end;
                }
                i += 1;
            }
        }
        _ => {}
    }
    nested
}
