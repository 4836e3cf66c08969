//! Helpers for end-to-end tests: temporary git repositories and running the built binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A temporary git repository.
pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    /// `git init` with `main` as the first branch.
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// The repository's path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git in the repository and returns its stdout; panics when git fails.
    pub fn git(&self, args: &[&str]) -> String {
        let out = git_command(self.path())
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Writes a file (creating directories).
    pub fn write(&self, path: &str, content: impl AsRef<[u8]>) {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }

    /// Stages everything and commits.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// Runs review-gate in the repository.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.path(), args, None)
    }

    /// Runs review-gate with standard input.
    pub fn run_stdin(&self, args: &[&str], stdin: &[u8]) -> Run {
        run_in(self.path(), args, Some(stdin))
    }
}

/// A git command with a fixed identity and no user or system configuration.
pub fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args([
            "-c",
            "protocol.file.allow=always",
            "-c",
            "core.autocrlf=false",
        ]);
    cmd
}

/// The outcome of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Parses stdout as the JSON report.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.stdout, self.stderr))
    }

    /// (path, line, check) of every finding in the JSON report.
    pub fn findings(&self) -> Vec<(String, u64, String)> {
        self.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                    f["check"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

/// The built binary.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_review-gate"))
}

/// Runs the binary in `dir` with `args`, without color and without a developer's checks override.
pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    use std::io::Write;
    let mut cmd = Command::new(binary());
    cmd.current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("REVIEW_GATE_BUILTIN_CHECKS")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("binary runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// A GitHub classic token (`ghp_`) with a valid CRC32 checksum, from 30 random characters: a test
/// secret that the checksum validation accepts.
pub fn github_token(random: &str) -> String {
    assert_eq!(random.len(), 30);
    let mut crc = !0u32;
    for &byte in random.as_bytes() {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    let mut n = u64::from(!crc);
    let digits = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut check = Vec::new();
    while n > 0 {
        check.push(digits[(n % 62) as usize]);
        n /= 62;
    }
    while check.len() < 6 {
        check.push(b'0');
    }
    check.reverse();
    format!("ghp_{random}{}", String::from_utf8(check).unwrap())
}

/// A user check, so that source tests depend on the sources and the pipeline, not on the wording of
/// built-in checks: `danger(` in Python is an error.
pub const TEST_CHECKS: &str = r#"
- id: test.python.danger
  category: exec
  severity: error
  languages: [python]
  keywords: [danger]
  pattern: '\bdanger\('
  message: calls danger
  help: |
    What it finds: calls to danger().
    Why it matters: it is a test.
    Example: danger()
"#;

/// A repository whose configuration loads [`TEST_CHECKS`] (committed by the caller, if at all).
pub fn repo_with_test_check() -> Repo {
    let repo = Repo::new();
    repo.write(".review-gate.yml", "checks: [test-checks.yml]\n");
    repo.write("test-checks.yml", TEST_CHECKS);
    repo
}

/// The (path, line) of each `test.python.danger` finding of a run.
pub fn only_test(run: &Run) -> Vec<(String, u64)> {
    run.findings()
        .into_iter()
        .filter(|f| f.2 == "test.python.danger")
        .map(|f| (f.0, f.1))
        .collect()
}
