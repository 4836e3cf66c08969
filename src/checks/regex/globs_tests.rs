//! The glob fast paths against the glob sets they stand in for.

use super::*;

/// A glob said to need a character never matches the empty path (a command's) in its glob set,
/// for every glob of the built-in checks and a few edge shapes.
#[test]
fn globs_that_need_a_character_never_match_the_empty_path() {
    let mut globs: Vec<String> = [
        "*", "**", "**/", "**/*", "/", "{,a}", "?", "[a]", "**/?*", "a/**",
    ]
    .map(String::from)
    .to_vec();
    for spec in crate::checks::builtin_specs().unwrap().iter() {
        globs.extend(
            spec.paths
                .iter()
                .chain(spec.exclude_paths.iter())
                .map(|g| g.text.to_string()),
        );
    }
    let mut needing = 0;
    for glob in &globs {
        let set = build_globset(std::iter::once((glob.as_str(), 1))).unwrap();
        if needs_a_character(glob) {
            needing += 1;
            assert!(!set.is_match(""), "{glob}");
            let lazy = LazyGlobs::new(
                &[Located {
                    text: glob.clone().into(),
                    line: 1,
                }],
                false,
            )
            .unwrap()
            .unwrap();
            assert!(!lazy.is_match(""), "{glob}");
        }
    }
    assert!(needing > 100, "{needing}");
    assert!(!needs_a_character("**/") && !needs_a_character("{,a}"));
}

#[test]
fn literal_globs_match_as_their_glob_set_does() {
    let globs = [
        ".npmrc",
        "id_rsa",
        "docs/dev",
        "/etc/passwd",
        "a/b/",
        "Dockerfile",
    ];
    let paths = [
        ".npmrc",
        "x/.npmrc",
        "x/.npmrc.bak",
        ".npmrc/y",
        "id_rsa",
        "home/id_rsa/key",
        "id_rsa.pub",
        "docs/dev",
        "docs/dev/x.md",
        "docs/devel",
        "x/docs/dev",
        "etc/passwd",
        "etc/passwd/x",
        "a/b",
        "a/b/c",
        "a/bc",
        "Dockerfile",
        "sub/Dockerfile",
        "dockerfile",
        "",
        "/",
    ];
    for glob in globs {
        assert!(is_literal(glob));
        let set = build_globset(std::iter::once((glob, 1))).unwrap();
        for path in paths {
            assert_eq!(
                literal_matches(glob, path),
                set.is_match(path),
                "{glob} {path}"
            );
        }
    }
    assert!(!is_literal("*.pem") && !is_literal("id_[rd]sa"));
    let shaped = [
        "**/setup.py",
        "**/*_test.py",
        "*.lock",
        "**/*.config.js",
        "**/.claude/settings.json",
        "**/tests/**",
        "**/*.test.*",
        "gulpfile*",
        "*",
        "**/*",
        "/**/x.py",
        "**/test_*.py",
        "**/Gruntfile*",
        "a/**",
        "**/a/**/b",
        "src/*.py",
        "**/*.st*.js",
    ];
    let paths = [
        "setup.py",
        "/setup.py",
        "a/setup.py",
        "a/bsetup.py",
        "setup.py/x",
        "a/setup.pyc",
        "x_test.py",
        "a/b/x_test.py",
        "_test.py",
        "a/_test.py",
        "a_test.py/b",
        "Cargo.lock",
        "a/.lock",
        ".lock",
        "a.lock/b",
        "a\nb.lock",
        "web.config.js",
        "src/web.config.js",
        ".claude/settings.json",
        "a/.claude/settings.json",
        "tests/a.py",
        "x.test.ts",
        "gulpfile.js",
        "x.py",
        "a/x.py",
        "",
        "/",
        "test_.py",
        "test.py",
        "a/test_x.py",
        "a/btest_x.py",
        "test_a/b.py",
        "tests/",
        "a/tests",
        "x/tests/y",
        "xtests/y",
        "/tests/y",
        "Gruntfile.js",
        "a/Gruntfile",
        "a/b/c/Gruntfile/x",
        "a/Gruntfil",
        "src/x.py",
        "a/x.st.js",
    ];
    let mut fast = 0;
    for glob in shaped {
        let set = build_globset(std::iter::once((glob, 1))).unwrap();
        for path in paths {
            if let Some(matched) = simple_matches(glob, path) {
                fast += 1;
                assert_eq!(matched, set.is_match(path), "{glob} {path}");
            }
        }
    }
    assert_eq!(fast, 9 * paths.len());
}

#[test]
fn wildcard_globs_match_as_their_glob_set_does() {
    let mut globs: Vec<String> = [
        "**/*.test.*",
        "**/tests/**",
        "**/a/**/b",
        "**/a/**/*.rb",
        "**/.review-gate/**/*.jsonl",
        "**/*client*secret*.json",
        "**/lib/**/*.rb",
        "a/**",
        "/*.py",
        "src/*/x.py",
        "src/**/x*.py",
        "*a*a*",
        "**/**",
        "**",
        "a/**/**/b",
        "**/a**b",
        "**/*.{js,ts}",
        "**/x?.py",
    ]
    .iter()
    .map(|g| g.to_string())
    .collect();
    let builtin = crate::checks::builtin_specs().expect("built-in checks");
    for spec in builtin.iter() {
        for glob in spec.paths.iter().chain(spec.exclude_paths.iter()) {
            globs.push(glob.text.to_string());
        }
    }
    globs.sort();
    globs.dedup();
    let paths = [
        "",
        "/",
        "a",
        "a/b",
        "/a/b",
        "x/a/b",
        "a/x/b",
        "a/x/y/b",
        "ab",
        "a/ab",
        "a/lib/x.rb",
        "lib/x.rb",
        "lib/x/y.rb",
        "xlib/y.rb",
        "x.test.ts",
        "src/x.test.ts",
        "x.test",
        "test.x",
        "tests/x",
        "tests",
        "x/tests/y",
        "tests/",
        "a\nb/tests/c",
        "a\nb.test.c",
        ".review-gate/audit.jsonl",
        "x/.review-gate/a/b.jsonl",
        ".review-gate/a/b.jsonl",
        "my_client_secret.json",
        "x/clientsecret.json",
        "secret_client.json",
        "terraform.tfstate.backup",
        "a/x.tfstate.1",
        "x.py",
        "/x.py",
        "a/x.py",
        "src/a/x.py",
        "src/a/b/x1.py",
        "src/x.py",
        "aa",
        "aaa",
        "a/a/a",
        "app.py",
        "setup.py",
        "x/conftest.py",
        "x/FooTest.java",
        "webpack.config.js",
        "a/.env.local",
        "ünï/cödé.test.ts",
    ];
    let mut compared = 0;
    for glob in &globs {
        let Ok(set) = build_globset(std::iter::once((glob.as_str(), 1))) else {
            continue;
        };
        for path in paths {
            if let Some(matched) = wildcard_matches(glob, path) {
                compared += 1;
                assert_eq!(matched, set.is_match(path), "{glob} {path:?}");
            }
        }
        let lazy = LazyGlobs::new(
            &[Located {
                text: glob.clone().into(),
                line: 1,
            }],
            false,
        )
        .unwrap()
        .unwrap();
        for path in paths {
            assert_eq!(lazy.is_match(path), set.is_match(path), "{glob} {path:?}");
        }
    }
    assert!(compared > 20 * paths.len(), "{compared}");
    // Not compared without a set: classes, alternatives, `?`, `**` inside a component.
    for glob in ["**/*.{js,ts}", "**/x?.py", "**/a**b", "**/**", "**"] {
        assert_eq!(wildcard_matches(glob, "a/b"), None, "{glob}");
    }
}
