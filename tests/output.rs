//! What review-gate writes is safe for where it goes: a closed pipe ends the output quietly, file names
//! and snippets cannot inject GitHub workflow commands or terminal escape sequences.

mod common;
#[cfg(feature = "github")]
mod gh;

use std::process::{Command, Stdio};

use common::{binary, Repo};
#[cfg(feature = "github")]
use gh::{actions_env, fake_github, run_github, PullRequest};

/// Runs the binary in `dir` with its standard output closed before it writes anything (the reader of
/// `review-gate … | head` gone): (exit code, standard error).
fn run_with_closed_stdout(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let mut child = Command::new(binary())
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let repo = Repo::new();
    for format in ["text", "json", "markdown"] {
        let (code, stderr) = run_with_closed_stdout(repo.path(), &["checks", "--format", format]);
        assert_eq!((code, stderr.as_str()), (0, ""), "checks --format {format}");
    }
    let (code, stderr) =
        run_with_closed_stdout(repo.path(), &["explain", "exec.python.subprocess"]);
    assert_eq!((code, stderr.as_str()), (0, ""), "explain");
    repo.write("app.py", "import os\nos.system(cmd)\n");
    repo.git(&["add", "-A"]);
    for format in ["text", "json", "sarif"] {
        let (code, stderr) = run_with_closed_stdout(repo.path(), &["staged", "--format", format]);
        // The exit code already decided (a finding at the fail level) stands.
        assert_eq!((code, stderr.as_str()), (1, ""), "staged --format {format}");
    }
}

#[cfg(feature = "github")]
const INJECTING_NAME: &str = "a\n::stop-commands::pwned\n.py";

#[cfg(feature = "github")]
#[tokio::test]
async fn file_names_cannot_inject_workflow_commands() {
    let (server, _fake) = fake_github().await;
    let pr = PullRequest::new(&[], &[(INJECTING_NAME, b"import os\nos.system(cmd)\n")]);
    let run = run_github(
        pr.repo.path(),
        actions_env(&pr, &server.uri()),
        &["--report", "annotations"],
    )
    .await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for output in [&run.stdout, &run.stderr] {
        for line in output.lines() {
            let command = line.trim_start();
            assert!(
                !command.starts_with("::")
                    || command.starts_with("::error ")
                    || command.starts_with("::warning ")
                    || command.starts_with("::notice "),
                "a line the runner would take as a command: {line:?}\n{output}"
            );
        }
    }
    assert!(
        run.stdout
            .contains("::error file=a%0A%3A%3Astop-commands%3A%3Apwned%0A.py,line=2"),
        "{}",
        run.stdout
    );
    // The text report shows the name on one line, its line feeds visible.
    assert!(
        run.stdout
            .contains("a\u{240A}::stop-commands::pwned\u{240A}.py:2:1: error["),
        "{}",
        run.stdout
    );
}

#[test]
fn escape_bytes_never_reach_the_terminal() {
    let repo = Repo::new();
    repo.write(
        "e\u{1b}[2J.py",
        "import os\nos.system(\"\u{1b}]0;owned\u{7}\" + cmd)\n",
    );
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        !run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{7}'),
        "{:?}",
        run.stdout
    );
    assert!(run.stdout.contains("e\u{241B}[2J.py:2:1"), "{}", run.stdout);
    assert!(
        run.stdout.contains("\u{241B}]0;owned\u{2407}"),
        "{}",
        run.stdout
    );
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_keeps_its_bytes_in_sarif() {
    use std::os::unix::ffi::OsStrExt;
    let repo = Repo::new();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9 x.py");
    std::fs::write(repo.path().join(name), "import os\nos.system(cmd)\n").unwrap();
    repo.git(&["add", "-A"]);
    for args in [&["staged"][..], &["scan"][..]] {
        let mut args = args.to_vec();
        args.extend(["--format", "sarif"]);
        let run = repo.run(&args);
        assert_eq!(run.code, 1, "{args:?}: {}{}", run.stdout, run.stderr);
        let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
            ["artifactLocation"]["uri"];
        assert_eq!(uri, "caf%E9%20x.py", "{args:?}");
    }
    // The same change as a patch: git quotes the name (`"b/caf\351 x.py"`) and its bytes come back.
    let diff = repo.git(&["diff", "--cached"]);
    assert!(diff.contains("\\351"), "{diff}");
    let run = repo.run_stdin(&["patch", "-", "--format", "sarif"], diff.as_bytes());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        ["artifactLocation"]["uri"];
    assert_eq!(uri, "caf%E9%20x.py");
}
