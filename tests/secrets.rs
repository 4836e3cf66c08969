//! End-to-end: secrets are found in a change, and no output ever holds one in full.

mod common;

use common::{github_token, Repo};

const AWS_SECRET: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYq8Zr3LmX0vT9";
const GENERIC: &str = "q8Zr3LmX0vT9kP2wYt6uBn4sHj7cVd1e";

fn repo_with_secrets() -> (Repo, Vec<String>) {
    let repo = Repo::new();
    let token = github_token("Zx8qLmP4rT7vW2yB9cD1eF3gH5jK6n");
    let files = [
        ("deploy.sh", format!("#!/bin/sh\ncurl -H \"Authorization: token {token}\" https://api.github.com/user\n")),
        ("config/aws.ini", format!("[default]\naws_access_key_id = AKIAQ3EGRZ7XK2MNB5TW\naws_secret_access_key = {AWS_SECRET}\n")),
        ("src/settings.py", format!("CLIENT_SECRET = \"{GENERIC}\"\nsubprocess.run(['deploy', '--token', '{GENERIC}'])\n")),
    ];
    for (path, content) in &files {
        repo.write(path, content);
    }
    repo.git(&["add", "-A"]);
    (
        repo,
        vec![token, AWS_SECRET.to_string(), GENERIC.to_string()],
    )
}

#[test]
fn secrets_are_found_and_never_printed_in_full() {
    let (repo, secrets) = repo_with_secrets();
    let text = repo.run(&["staged"]);
    assert_eq!(text.code, 1, "{}{}", text.stdout, text.stderr);
    let json = repo.run(&["staged", "--format", "json"]);
    let checks: Vec<String> = json.findings().into_iter().map(|f| f.2).collect();
    for expected in [
        "secret.github.pat",
        "secret.aws.access-key-id",
        "secret.generic.assignment",
    ] {
        assert!(
            checks.iter().any(|c| c == expected),
            "{expected} not in {checks:?}"
        );
    }
    let report = repo.path().join("report.json");
    repo.run(&[
        "staged",
        "--format",
        "json",
        "--output",
        report.to_str().unwrap(),
    ]);
    let written = std::fs::read_to_string(report).unwrap();
    for output in [
        &text.stdout,
        &text.stderr,
        &json.stdout,
        &json.stderr,
        &written,
    ] {
        for secret in &secrets {
            assert!(
                !output.contains(secret.as_str()),
                "a secret leaked:\n{output}"
            );
            assert!(
                !output.contains(&secret[..12]),
                "too much of a secret shows:\n{output}"
            );
        }
    }
    // The exec finding on the line that also holds a secret shows the line with the secret masked.
    let exec = json.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"].as_str().unwrap().starts_with("exec."))
        .cloned()
        .expect("an exec finding");
    assert!(
        exec["snippet"].as_str().unwrap().contains("*****"),
        "{exec}"
    );
}

#[test]
fn github_checksums_raise_or_lower_confidence() {
    let repo = Repo::new();
    let valid = github_token("Zx8qLmP4rT7vW2yB9cD1eF3gH5jK6n");
    let mut invalid = valid.clone();
    invalid.replace_range(36..37, if &valid[36..37] == "A" { "B" } else { "A" });
    repo.write("a.txt", format!("token one {valid}\ntoken two {invalid}\n"));
    repo.git(&["add", "-A"]);
    let json = repo.run(&["staged", "--format", "json"]).json();
    let findings: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "secret.github.pat")
        .cloned()
        .collect();
    assert_eq!(findings.len(), 2, "{json}");
    assert_eq!(findings[0]["severity"], "error");
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("checksum valid"));
    assert_eq!(findings[1]["severity"], "warning");
    assert!(findings[1]["message"]
        .as_str()
        .unwrap()
        .contains("checksum does not match"));
}

#[test]
fn a_private_key_block_is_found_across_lines() {
    let repo = Repo::new();
    let body = "MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\naFDrBz9vFqU4yPJPq4bh2q8Zr3LmX0vT9kP2wYt6uBn4sHj7cVd1eQ3EGRZ7XK2M\n";
    repo.write(
        "deploy/key.pem",
        format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\n"),
    );
    repo.write(
        "docs/keys.md",
        "Paste the block that starts with `-----BEGIN RSA PRIVATE KEY-----` here.\n",
    );
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    let found = run.findings();
    assert!(
        found
            .iter()
            .any(|f| f.0 == "deploy/key.pem" && f.1 == 1 && f.2 == "secret.private-key.rsa"),
        "{found:?}"
    );
    assert!(!found.iter().any(|f| f.0 == "docs/keys.md"), "{found:?}");
    assert!(!run.stdout.contains("MIIEpAIBAAKCAQEA0Z3VS5"));
}

#[test]
fn a_fingerprint_in_the_configuration_silences_one_secret() {
    let (repo, _) = repo_with_secrets();
    let json = repo.run(&["staged", "--format", "json"]).json();
    let aws = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "secret.aws.access-key-id")
        .cloned()
        .expect("aws finding");
    let fingerprint = aws["fingerprint"].as_str().unwrap();
    repo.write(
        ".review-gate.yml",
        format!("allow:\n  - fingerprint: {fingerprint}\n    reason: documented test credential\n"),
    );
    // The fingerprint does not depend on the line: moving the secret down keeps it silenced.
    let ini = std::fs::read_to_string(repo.path().join("config/aws.ini")).unwrap();
    repo.write("config/aws.ini", format!("; moved\n\n{ini}"));
    repo.git(&["add", "-A"]);
    let after = repo.run(&["staged", "--format", "json"]);
    let checks: Vec<String> = after.findings().into_iter().map(|f| f.2).collect();
    assert!(
        !checks.iter().any(|c| c == "secret.aws.access-key-id"),
        "{checks:?}"
    );
    assert!(
        checks.iter().any(|c| c == "secret.generic.assignment"),
        "{checks:?}"
    );
    assert!(
        !std::fs::read_to_string(repo.path().join(".review-gate.yml"))
            .unwrap()
            .contains(AWS_SECRET)
    );
}

#[test]
fn binary_key_stores_are_reported_by_path() {
    let repo = Repo::new();
    repo.write(
        "android/release.keystore",
        b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01binary",
    );
    repo.write("assets/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        run.findings(),
        vec![(
            "android/release.keystore".to_string(),
            1,
            "secret.file.keystore".to_string()
        )]
    );
    assert_eq!(run.json()["summary"]["skipped"]["binary"], 2);
}

/// Standard base64, for writing encoded fixtures.
fn base64(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        out.extend(std::iter::repeat_n('=', 3 - chunk.len()));
    }
    out
}

#[test]
fn an_encoded_secret_is_decoded_reported_and_never_printed() {
    let repo = Repo::new();
    let token = github_token("Qw7eR9tY2uI4oP6aS8dF1gH3jK5lZx");
    let encoded = base64(&format!("ci-bot:{token}"));
    repo.write(
        "src/publish.js",
        format!("const auth = Buffer.from(\"{encoded}\", \"base64\").toString();\n"),
    );
    repo.git(&["add", "-A"]);
    let text = repo.run(&["staged"]);
    assert_eq!(text.code, 1, "{}{}", text.stdout, text.stderr);
    let json = repo.run(&["staged", "--format", "json"]);
    for out in [&text.stdout, &json.stdout] {
        assert!(!out.contains(&token), "the token leaked: {out}");
        assert!(!out.contains(&encoded), "the encoded token leaked: {out}");
    }
    let value = json.json();
    let finding = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "secret.github.pat")
        .unwrap_or_else(|| panic!("{}", json.stdout));
    assert_eq!(finding["severity"], "error", "a valid token stays an error");
    assert_eq!(finding["line"], 1);
    let decoded = finding["decoded"].as_str().expect("the decoded text");
    assert!(decoded.starts_with("ci-bot:"), "{decoded}");
    assert!(
        text.stdout.contains("base64 text decodes to"),
        "{}",
        text.stdout
    );
}
