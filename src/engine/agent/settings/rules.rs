//! Which allow rules of an agent's settings are wide: what each agent's rule syntax lets run or read
//! without asking.

/// Programs whose blanket approval lets an agent fetch, run or send anything.
const RISKY_PROGRAMS: [&str; 30] = [
    "curl",
    "wget",
    "nc",
    "ncat",
    "netcat",
    "ssh",
    "scp",
    "rsync",
    "sftp",
    "ftp",
    "bash",
    "sh",
    "zsh",
    "eval",
    "sudo",
    "python",
    "python3",
    "node",
    "deno",
    "perl",
    "ruby",
    "npx",
    "bunx",
    "docker",
    "powershell",
    "pwsh",
    "env",
    "xargs",
    "rm",
    "chmod",
];

/// Why a Claude Code allow rule is wide, if it is: any command, a risky program, any fetch, reads or
/// edits outside the project.
pub(super) fn wide_claude_rule(rule: &str) -> Option<String> {
    let rule = rule.trim();
    let (tool, spec) = match rule.split_once('(') {
        Some((tool, rest)) => (tool.trim(), Some(rest.trim_end_matches(')').trim())),
        None => (rule, None),
    };
    match (tool, spec) {
        ("Bash" | "PowerShell", None | Some("" | "*" | ":*" | "*:*" | "* *")) => {
            Some("any command runs without asking".into())
        }
        ("Bash" | "PowerShell", Some(spec)) => {
            let program = spec
                .split([':', ' ', '*'])
                .next()
                .unwrap_or("")
                .rsplit('/')
                .next()
                .unwrap_or("");
            let open_ended = spec.ends_with('*');
            (open_ended && RISKY_PROGRAMS.contains(&program))
                .then(|| format!("`{program}` with any arguments runs without asking"))
        }
        ("WebFetch", None | Some("" | "*" | "domain:*")) => {
            Some("any URL is fetched without asking".into())
        }
        ("Read" | "Edit" | "Write" | "MultiEdit" | "Glob" | "Grep", Some(path)) => {
            let path = path.trim();
            (path.starts_with('~')
                || path.starts_with("//")
                || path == "/**"
                || path.starts_with("/etc"))
            .then(|| "files outside the project are open to the agent".into())
        }
        ("mcp__*" | "*", _) => Some("every tool runs without asking".into()),
        _ => None,
    }
}

/// Gemini CLI's allowed tools: `run_shell_command` without a command, or with a risky program.
pub(super) fn wide_gemini_rule(rule: &str) -> Option<String> {
    let (tool, spec) = match rule.split_once('(') {
        Some((tool, rest)) => (tool.trim(), Some(rest.trim_end_matches(')').trim())),
        None => (rule.trim(), None),
    };
    match (tool, spec) {
        ("run_shell_command" | "ShellTool", None | Some("" | "*")) => {
            Some("any command runs without asking".into())
        }
        ("run_shell_command" | "ShellTool", Some(spec)) => {
            let program = spec.split_whitespace().next().unwrap_or("");
            RISKY_PROGRAMS
                .contains(&program)
                .then(|| format!("`{program}` runs without asking"))
        }
        ("web_fetch" | "WebFetchTool", None) => Some("any URL is fetched without asking".into()),
        _ => None,
    }
}

/// Cursor CLI's allow rules: `Shell(*)`, a risky program, reads or writes of everything.
pub(super) fn wide_cursor_rule(rule: &str) -> Option<String> {
    let (tool, spec) = rule.split_once('(')?;
    let spec = spec.trim_end_matches(')').trim();
    match tool.trim() {
        "Shell" if matches!(spec, "*" | "" | "**") => {
            Some("any command runs without asking".into())
        }
        "Shell" => {
            let program = spec.split([' ', ':', '*']).next().unwrap_or("");
            RISKY_PROGRAMS
                .contains(&program)
                .then(|| format!("`{program}` runs without asking"))
        }
        "Read" | "Write" => (spec.starts_with('~') || spec.starts_with('/'))
            .then(|| "files outside the project are open to the agent".into()),
        _ => None,
    }
}
