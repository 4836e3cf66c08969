use super::*;

fn denied(paths: &[&str], globs: &[&str], cwd: &Path, home: &Path, rules: &ReadRules) -> bool {
    let home_key = Some(home);
    let any_path = paths
        .iter()
        .any(|p| path_verdict(p, cwd, cwd, home_key, rules).is_some());
    let any_glob = globs
        .iter()
        .any(|g| glob_verdict(g, cwd, cwd, home_key, rules).is_some());
    any_path || any_glob
}

#[test]
fn globs_match_by_hand() {
    assert!(glob_match("*.pem", "server.pem"));
    assert!(!glob_match("*.pem", "server.pem.txt"));
    assert!(glob_match("**/.env", "a/b/.env"));
    assert!(glob_match("**/.env", ".env"));
    assert!(glob_match("config/*.{yml,yaml}", "config/a.yaml"));
    assert!(glob_match("id_[er]*", "id_rsa"));
    assert!(!glob_match("id_[!er]*", "id_rsa"));
    assert!(glob_match("a?c", "abc"));
    assert!(!glob_match("src/*", "src/a/b"));
    // Many stars do not explode.
    let long = "a".repeat(5000);
    assert!(!glob_match("*a*a*a*a*a*a*a*a*a*b", &long));
}

#[test]
fn credential_files_are_refused_and_templates_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    let rules = ReadRules::default();
    for bad in [
        ".env",
        "./.env",
        "sub/../.env",
        ".ENV",
        ".env.local",
        ".env.production",
        "config/app.secret.yaml",
        "deploy/server.key",
        "~/.ssh/id_ed25519",
        "$HOME/.ssh/config",
        "${HOME}/.aws/credentials",
        "~/.config/gcloud/application_default_credentials.json",
        "~/.kube/config",
        ".git-credentials",
        "/etc/shadow",
        "keys/id_rsa",
        ".env::$DATA",
        ".env. ",
        "/proc/self/environ",
        "file:///home/u/.ssh/id_rsa",
    ] {
        assert!(denied(&[bad], &[], &root, &home, &rules), "{bad}");
    }
    for good in [
        ".env.example",
        ".env.sample",
        ".env.template",
        ".env.dist",
        "src/main.rs",
        "README.md",
        "~/.ssh/id_ed25519.pub",
        ".",
        "environment.py",
        // A registry file that does not exist, or holds no credential.
        ".npmrc",
    ] {
        assert!(!denied(&[good], &[], &root, &home, &rules), "{good}");
    }
    std::fs::write(
        root.join(".npmrc"),
        "registry=https://registry.npmjs.org/\n",
    )
    .unwrap();
    assert!(!denied(&[".npmrc"], &[], &root, &home, &rules));
    std::fs::write(
        root.join(".npmrc"),
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
    )
    .unwrap();
    assert!(denied(&[".npmrc"], &[], &root, &home, &rules));
    // A certificate is public; a private key in a .pem is not.
    std::fs::write(root.join("ca.pem"), "-----BEGIN CERTIFICATE-----\n").unwrap();
    assert!(!denied(&["ca.pem"], &[], &root, &home, &rules));
    std::fs::write(root.join("tls.pem"), "-----BEGIN PRIVATE KEY-----\n").unwrap();
    assert!(denied(&["tls.pem"], &[], &root, &home, &rules));
}

#[cfg(unix)]
#[test]
fn a_symlink_into_the_home_credentials_is_followed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::write(home.join(".ssh/deploy"), "key").unwrap();
    std::os::unix::fs::symlink(home.join(".ssh/deploy"), root.join("notes.txt")).unwrap();
    assert!(denied(
        &["notes.txt"],
        &[],
        &root,
        &home,
        &ReadRules::default()
    ));
}

#[test]
fn globs_aimed_at_credentials_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let home = dir.path().join("home");
    let rules = ReadRules::default();
    for bad in [
        "**/.env*",
        ".env*",
        "**/*.pem",
        "*.key",
        "~/.ssh/*",
        "**/id_rsa*",
    ] {
        assert!(denied(&[], &[bad], &root, &home, &rules), "{bad}");
    }
    for good in [
        "*",
        "**/*",
        ".*",
        "**/*.ts",
        "src/**/*.rs",
        "*.json",
        "**/*config*",
        "**/.env.example",
    ] {
        assert!(!denied(&[], &[good], &root, &home, &rules), "{good}");
    }
}

#[test]
fn configured_globs_refuse_more_and_let_through() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let home = dir.path().join("home");
    let rules = ReadRules {
        deny: vec!["secrets/**".into(), "*.sqlite".into()],
        allow: vec!["test/fixtures/.env".into(), "~/.ssh/config".into()],
    };
    assert!(denied(&["secrets/prod/db.txt"], &[], &root, &home, &rules));
    assert!(denied(&["data/app.SQLITE"], &[], &root, &home, &rules));
    assert!(!denied(&["test/fixtures/.env"], &[], &root, &home, &rules));
    assert!(denied(&[".env"], &[], &root, &home, &rules));
    assert!(!denied(&["~/.ssh/config"], &[], &root, &home, &rules));
    assert!(denied(&["~/.ssh/id_rsa"], &[], &root, &home, &rules));
}
