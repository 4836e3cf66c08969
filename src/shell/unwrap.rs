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
    let mut nested = Vec::new();
    for _ in 0..16 {
        let Some(first) = cmd.argv.first() else {
            break;
        };
        if SHELL_VARIABLES.contains(&first.as_str()) {
            // `$SHELL -c …` runs a shell.
            cmd.wrappers.push(first.clone());
            cmd.argv[0] = "sh".to_string();
            continue;
        }
        let program = basename(first).to_ascii_lowercase();
        let argv = &cmd.argv;
        let start = match program.as_str() {
            "sudo" if sudo_runs_shell(argv) => {
                // `sudo -s CMD` and `sudo -i CMD` hand the words to a shell.
                if let Some(start) = options_end(argv, SUDO_VALUES) {
                    nested.push(Nested::Script(argv[start..].join(" ")));
                }
                None
            }
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
            "chroot" => {
                options_end(argv, &["--userspec", "--groups", "--skip-chdir"]).map(|i| i + 1)
            }
            "taskset" if !argv.iter().any(|a| a == "-p" || a == "--pid") => {
                options_end(argv, &[]).map(|i| i + 1)
            }
            "flock" => {
                match options_end(argv, &["-w", "--timeout", "-E", "--conflict-exit-code"]) {
                    Some(file) => match argv.get(file + 1).map(String::as_str) {
                        Some("-c" | "--command") => {
                            nested.extend(argv.get(file + 2).cloned().map(Nested::Script));
                            None
                        }
                        _ => Some(file + 1),
                    },
                    None => None,
                }
            }
            "unshare" | "setpriv" | "firejail" | "proxychains" | "proxychains4" | "torsocks"
            | "fakeroot" | "pkexec" | "run0" | "dbus-run-session" | "xvfb-run" | "catchsegv" => {
                options_end(
                    argv,
                    &["-S", "--setuid", "-G", "--setgid", "-f", "-u", "--user"],
                )
            }
            "strace" | "ltrace" => options_end(
                argv,
                &[
                    "-e", "-o", "-p", "-s", "-u", "-E", "-a", "-b", "-I", "-O", "-P", "-S", "-X",
                ],
            ),
            "prlimit" | "systemd-run" => options_end(argv, &["-p", "--pid", "-u", "--unit"]),
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
    nested.extend(nested_commands(cmd));
    nested
}

/// Variables that name the user's shell: `$SHELL -c …` runs shell code.
const SHELL_VARIABLES: [&str; 4] = ["$SHELL", "${SHELL}", "$BASH", "${BASH}"];

/// Whether `sudo`'s options before the command include `-s`/`-i` (run the words in a shell).
fn sudo_runs_shell(argv: &[String]) -> bool {
    let end = options_end(argv, SUDO_VALUES).unwrap_or(argv.len());
    argv[1..end].iter().any(|arg| {
        matches!(arg.as_str(), "--shell" | "--login")
            || (arg.starts_with('-')
                && !arg.starts_with("--")
                && arg[1..].contains(['s', 'i'])
                && !arg.contains('='))
    })
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
    if program == "source" || program == "." {
        return match cmd.args().first().map(String::as_str) {
            Some("/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0") => ShellInput::Stdin,
            _ => ShellInput::File,
        };
    }
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
    for assignment in &cmd.assignments {
        if let Some((name, value)) = assignment.split_once('=') {
            if COMMAND_VARIABLES.contains(&name) {
                nested.push(Nested::Script(value.to_string()));
            }
        }
    }
    let argv = &cmd.argv;
    let joined_from = |i: usize| argv.get(i..).map(|rest| rest.join(" "));
    match cmd.program().as_str() {
        "eval" => nested.extend(joined_from(1).map(Nested::Script)),
        "alias" => {
            // An alias defined on the line may run on the line: its text is judged as commands.
            for arg in &argv[1..] {
                if let Some((_, text)) = arg.split_once('=') {
                    nested.push(Nested::Script(text.to_string()));
                }
            }
        }
        "git" => nested.extend(git_config_commands(argv).map(Nested::Script)),
        "parallel" => parallel_commands(argv, &mut nested),
        "script" => {
            let mut i = 1;
            while i < argv.len() {
                let arg = argv[i].as_str();
                if arg == "-c"
                    || arg == "--command"
                    || (is_short_cluster(arg) && arg.ends_with('c'))
                {
                    nested.extend(argv.get(i + 1).cloned().map(Nested::Script));
                    i += 1;
                } else if let Some(text) = arg.strip_prefix("--command=") {
                    nested.push(Nested::Script(text.to_string()));
                }
                i += 1;
            }
        }
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

/// Environment variables whose value git, ssh and others run as a command.
const COMMAND_VARIABLES: [&str; 7] = [
    "GIT_SSH_COMMAND",
    "GIT_PAGER",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_EXTERNAL_DIFF",
    "GIT_PROXY_COMMAND",
    "GIT_ASKPASS",
];

/// git settings whose value git runs as a command.
const GIT_COMMAND_SETTINGS: [&str; 9] = [
    "core.sshcommand",
    "core.pager",
    "core.editor",
    "core.fsmonitor",
    "core.askpass",
    "sequence.editor",
    "diff.external",
    "gpg.program",
    "core.gitproxy",
];

/// `-rq`-like clusters of short options.
fn is_short_cluster(arg: &str) -> bool {
    arg.len() > 1 && arg.starts_with('-') && !arg.starts_with("--")
}

/// The commands `git -c key=value` makes git run: command settings, `!` aliases and helpers.
fn git_config_commands(argv: &[String]) -> impl Iterator<Item = String> + '_ {
    argv.windows(2)
        .filter(|pair| pair[0] == "-c")
        .filter_map(|pair| {
            let (key, value) = pair[1].split_once('=')?;
            let key = key.to_ascii_lowercase();
            if GIT_COMMAND_SETTINGS.contains(&key.as_str()) {
                Some(value.to_string())
            } else if key.starts_with("alias.") || key.starts_with("credential.") {
                value.strip_prefix('!').map(str::to_string)
            } else {
                None
            }
        })
}

/// GNU parallel runs its command words through a shell, once per argument after `:::`.
fn parallel_commands(argv: &[String], nested: &mut Vec<Nested>) {
    const VALUES: &[&str] = &[
        "-j",
        "--jobs",
        "-S",
        "--sshlogin",
        "-a",
        "--arg-file",
        "-d",
        "--delimiter",
        "-n",
        "-N",
        "-I",
        "--colsep",
        "-C",
        "-P",
        "--max-procs",
        "--joblog",
        "--results",
    ];
    let Some(start) = options_end(argv, VALUES) else {
        return;
    };
    let is_separator = |a: &String| a.starts_with(":::");
    let end = argv[start..]
        .iter()
        .position(is_separator)
        .map_or(argv.len(), |i| start + i);
    if end == start {
        return;
    }
    let command = argv[start..end].join(" ");
    let inputs: Vec<&String> = argv[end..]
        .iter()
        .filter(|a| !is_separator(a))
        .take(16)
        .collect();
    if inputs.is_empty() {
        nested.push(Nested::Script(command));
        return;
    }
    for input in inputs {
        let text = if command.contains("{}") {
            command.replace("{}", input)
        } else {
            format!("{command} {input}")
        };
        nested.push(Nested::Script(text));
    }
}
