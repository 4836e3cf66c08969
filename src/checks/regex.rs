//! Regexes of checks, compiled when first used, and the glob sets of their paths.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;

use super::spec::Located;

/// A regex compiled when first used: loading hundreds of checks stays cheap, and a commit that touches a
/// few lines compiles only the regexes those lines call for. User check files are compiled at load, so
/// their mistakes are reported up front; the built-in ones are compiled by the test suite.
///
/// A regex is compiled once per process whatever the number of checks that hold it and of copies made
/// of them ([`compiled`]): many conditions share one source (`@literal`), and the agent hook's novelty
/// stage runs a copy of the checks its edit calls for over the old file.
#[derive(Debug, Clone)]
pub struct LazyRegex {
    source: Cow<'static, str>,
    compiled: OnceLock<Arc<Regex>>,
}

impl LazyRegex {
    /// A regex from a check file (a shorthand such as `@literal` expanded), compiled now when `eager`.
    pub fn new(pattern: &str, eager: bool) -> Result<LazyRegex, String> {
        LazyRegex::from_text(Cow::Owned(pattern.to_string()), eager)
    }

    /// [`LazyRegex::new`] of text that may be borrowed from the binary (then kept borrowed).
    fn from_text(pattern: Cow<'static, str>, eager: bool) -> Result<LazyRegex, String> {
        let source = match expand_shorthand(&pattern) {
            Some(expanded) => Cow::Owned(expanded),
            None => pattern,
        };
        let compiled = OnceLock::new();
        if eager {
            let _ = compiled.set(compiled_once(&source)?);
        }
        Ok(LazyRegex { source, compiled })
    }

    /// A regex written on a line of a check file; an error carries that line.
    pub fn located(pattern: &Located, eager: bool) -> Result<LazyRegex, (u64, String)> {
        LazyRegex::from_text(pattern.text.clone(), eager).map_err(|e| (u64::from(pattern.line), e))
    }

    /// The compiled regex.
    pub fn get(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            compiled_once(&self.source)
                .unwrap_or_else(|e| panic!("built-in regex `{}`: {e}", self.source))
        })
    }

    /// The names of the capture groups.
    pub fn capture_names(&self) -> impl Iterator<Item = Option<&str>> {
        self.get().capture_names()
    }
}

/// Regex shorthands usable in conditions: `@literal` and friends describe string literals without
/// interpolation, which is what "not if the argument is a literal" needs in most languages.
const LITERAL: &str = r##"(?:[rRbBuU]{0,2}"""(?s:[^"\\]|\\.|"[^"]|""[^"])*"""|[rRbBuU]{0,2}'''(?s:[^'\\]|\\.|'[^']|''[^'])*'''|(?:[rRbBuU]{0,2}|@)"(?:[^"\\$`#\n]|#[^{"\n]|\\.)*#?"|[rRbBuU]{0,2}'(?:[^'\\\n]|\\.)*'|`[^`$\\\n]*`)"##;

fn expand_shorthand(pattern: &str) -> Option<String> {
    Some(match pattern {
        "@literal" => format!(r"^\s*{LITERAL}\s*$"),
        "@literal-first" => format!(r"^\s*{LITERAL}\s*(?:,|$)"),
        "@literals" => format!(r"^\s*[\[(]?\s*{LITERAL}(?:\s*,\s*{LITERAL})*\s*,?\s*[\])]?\s*$"),
        "@empty" => r"^\s*$".to_string(),
        _ => return None,
    })
}

/// The regex of `source`, compiled the first time the process asks for it and shared after that (a
/// compilation costs a few hundred microseconds; a look-up, a hash of the source). The regexes of the
/// checks in force are few thousand at most, so they are kept for the life of the process.
#[allow(clippy::ptr_arg)] // the Cow is cloned into the cache: a source borrowed from the binary stays so
fn compiled_once(source: &Cow<'static, str>) -> Result<Arc<Regex>, String> {
    static COMPILED: OnceLock<Mutex<HashMap<Cow<'static, str>, Arc<Regex>>>> = OnceLock::new();
    let cache = COMPILED.get_or_init(Mutex::default);
    let known = |cache: &Mutex<HashMap<_, Arc<Regex>>>| {
        cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(source.as_ref())
            .cloned()
    };
    if let Some(regex) = known(cache) {
        return Ok(regex);
    }
    // Compiled outside the lock: two threads may compile the same regex once each, never wait on it.
    let regex = Arc::new(build_regex(source)?);
    let mut map = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok(Arc::clone(map.entry(source.clone()).or_insert(regex)))
}

fn build_regex(source: &str) -> Result<Regex, String> {
    let started = trace_compiles().then(std::time::Instant::now);
    // Byte regexes with Unicode off: `\w`, `\b` and `(?i)` are ASCII, which is what source code needs,
    // and it keeps compiling hundreds of checks cheap and matching on the fast DFA path.
    let built = regex::bytes::RegexBuilder::new(source)
        .unicode(false)
        .size_limit(1 << 24)
        .build()
        .map_err(|e| format!("the regex does not compile: {e}"));
    if let Some(started) = started {
        let head: String = source.chars().take(60).collect();
        eprintln!(
            "review-gate: regex {:.3} ms: {head}",
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    built
}

/// Whether each regex compilation is timed on standard error (`REVIEW_GATE_TIMINGS=regex`).
fn trace_compiles() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| {
        std::env::var_os("REVIEW_GATE_TIMINGS").is_some_and(|v| v == "regex" || v == "all")
    })
}

/// Path globs of a check, built into a glob set when first used (building one compiles regexes: most of
/// what loading every check would cost). User check files are built at load, so their mistakes are
/// reported up front; the built-in ones are built by the test suite.
#[derive(Debug, Clone)]
pub struct LazyGlobs {
    globs: Vec<(String, u64)>,
    built: OnceLock<GlobSet>,
}

impl LazyGlobs {
    /// The globs written on lines of a check file (None when there are none), built now when `eager`.
    pub fn new(globs: &[Located], eager: bool) -> Result<Option<LazyGlobs>, (u64, String)> {
        if globs.is_empty() {
            return Ok(None);
        }
        let globs: Vec<(String, u64)> = globs
            .iter()
            .map(|g| (g.text.to_string(), u64::from(g.line)))
            .collect();
        let built = OnceLock::new();
        if eager {
            let _ = built.set(build_globset(globs.iter().map(|(g, l)| (g.as_str(), *l)))?);
        }
        Ok(Some(LazyGlobs { globs, built }))
    }

    /// Whether a path matches one of the globs. Globs that are plain names or paths are compared as
    /// such (what their glob set would match), so most checks never build one.
    pub fn is_match(&self, path: &str) -> bool {
        if path.is_empty() && self.globs.iter().all(|(g, _)| needs_a_character(g)) {
            // A shell command is reviewed as a file without a path: no glob set is built for it.
            return false;
        }
        if self.built.get().is_none() {
            // Each glob compared on its own while no set is built: one that matches decides; the set
            // is built only when a glob of a shape compared neither way might.
            let mut undecided = false;
            for (glob, _) in &self.globs {
                match simple_matches(glob, path).or_else(|| wildcard_matches(glob, path)) {
                    Some(true) => return true,
                    Some(false) => {}
                    None => undecided = true,
                }
            }
            if !undecided {
                return false;
            }
        }
        self.built
            .get_or_init(|| {
                build_globset(self.globs.iter().map(|(g, l)| (g.as_str(), *l)))
                    .unwrap_or_else(|(_, e)| panic!("built-in globs: {e}"))
            })
            .is_match(path)
    }
}

/// Whether a glob can only match a path of at least one character: it names a character (a literal,
/// `?` or a class), and has no alternation (`{a,}` may be empty). Only `*` and `**/` match nothing.
fn needs_a_character(glob: &str) -> bool {
    !glob.contains('{') && glob.chars().any(|c| c != '*' && c != '/')
}

/// Whether a glob holds no glob syntax.
fn is_literal(glob: &str) -> bool {
    !glob.contains(['*', '?', '[', ']', '{', '}', '\\'])
}

/// What [`build_globset`] matches for a glob of a shape compared without building one (None for other
/// shapes): a literal name or path ([`literal_matches`]); `**/name` or `**/dir/name`, that file (the
/// path is `name` or ends with `/name`); `**/prefix*suffix` (either part may be empty, and a glob
/// without `/` counts as under `**/`) or `**/dir/**` (`dir/` then anything): a path whose component
/// starts with `prefix` and that ends with `suffix` after it (a glob set's `*` crosses `/`).
fn simple_matches(glob: &str, path: &str) -> Option<bool> {
    if is_literal(glob) {
        return Some(literal_matches(glob, path));
    }
    let (rest, recursive) = match glob.strip_prefix("**/") {
        Some(rest) => (rest, true),
        None if !glob.contains('/') => (glob, false),
        None => return None,
    };
    let path_like = |s: &str| is_literal(s) && !s.starts_with('/');
    if recursive && !rest.is_empty() && path_like(rest) {
        return Some(
            path.strip_suffix(rest)
                .is_some_and(|head| head.is_empty() || head.ends_with('/')),
        );
    }
    let (prefix, suffix) = match rest.strip_suffix("**") {
        Some(dir) if dir.ends_with('/') => (dir, ""),
        _ => rest.split_once('*')?,
    };
    let shaped =
        path_like(prefix) && is_literal(suffix) && !(prefix.is_empty() && suffix.is_empty());
    shaped.then(|| starts_component_then_ends(path, prefix, suffix))
}

/// What [`build_globset`] matches for a glob made of literal text, `*` and `**` components only (None
/// for other globs, and for a glob whose `**` components could make more than [`MAX_SHAPES`] shapes),
/// without compiling it. A glob set's `*` crosses `/`, so `**/` at the start is nothing or `*/`, `/**/`
/// within is `/` or `/*/`, `/**` at the end is `/*`: the glob is a few wildcard shapes, each compared
/// with [`wildcard`] (`**/*.test.*` is `*.test.*` or `*/*.test.*`).
fn wildcard_matches(glob: &str, path: &str) -> Option<bool> {
    if glob.contains(['?', '[', ']', '{', '}', '\\']) || !glob.contains('*') {
        return None;
    }
    let pattern = if glob.contains('/') {
        glob.trim_start_matches('/')
    } else {
        // build_globset puts a glob without `/` under `**/`.
        return wildcard_matches(&format!("/**/{glob}"), path);
    };
    let components: Vec<&str> = pattern.split('/').collect();
    let last = components.len() - 1;
    if last == 0 || components.iter().all(|c| *c == "**") {
        return (!pattern.contains("**")).then(|| wildcard(pattern, path));
    }
    let mut shapes: Vec<String> = vec![String::new()];
    for (i, component) in components.iter().enumerate() {
        let after_prefix = i == 1 && components[0] == "**";
        let separator = if i == 0 || after_prefix { "" } else { "/" };
        if *component == "**" {
            if i > 0 && components[i - 1] == "**" {
                return None;
            }
            if i == 0 {
                shapes = vec![String::new(), "*/".to_string()];
            } else if i == last {
                shapes.iter_mut().for_each(|s| s.push_str("/*"));
            } else {
                let deeper: Vec<String> = shapes.iter().map(|s| format!("{s}/*")).collect();
                shapes.extend(deeper);
            }
            if shapes.len() > MAX_SHAPES {
                return None;
            }
        } else if component.contains("**") {
            return None;
        } else {
            shapes.iter_mut().for_each(|s| {
                s.push_str(separator);
                s.push_str(component);
            });
        }
    }
    Some(shapes.iter().any(|shape| wildcard(shape, path)))
}

/// Most wildcard shapes [`wildcard_matches`] makes of one glob.
const MAX_SHAPES: usize = 8;

/// Whether `text` matches `pattern`, where `*` stands for any text (`/` included) and every other
/// character for itself. The pieces between stars are found leftmost first: linear in the text.
fn wildcard(pattern: &str, text: &str) -> bool {
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or("");
    let Some(rest) = text.strip_prefix(first) else {
        return false;
    };
    let mut pieces: Vec<&str> = pieces.collect();
    let Some(last) = pieces.pop() else {
        return rest.is_empty();
    };
    let Some(mut rest) = rest.strip_suffix(last) else {
        return false;
    };
    for piece in pieces {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// Whether some component of `path` starts with `prefix` and the path ends with `suffix` after it.
fn starts_component_then_ends(path: &str, prefix: &str, suffix: &str) -> bool {
    let Some(limit) = path.strip_suffix(suffix).map(str::len) else {
        return false;
    };
    // The first component that starts with the prefix leaves the most room for the suffix.
    let mut at = 0;
    loop {
        if path[at..].starts_with(prefix) {
            return at + prefix.len() <= limit;
        }
        match path[at..].find('/') {
            Some(slash) => at += slash + 1,
            None => return false,
        }
    }
}

/// What [`build_globset`] matches for a literal glob: with a `/`, that path or anything below it;
/// without, any path with a component of that name.
fn literal_matches(glob: &str, path: &str) -> bool {
    if glob.contains('/') {
        let exact = glob.trim_start_matches('/');
        let dir = exact.trim_end_matches('/');
        path == exact
            || path
                .strip_prefix(dir)
                .is_some_and(|rest| rest.len() > 1 && rest.starts_with('/'))
    } else {
        path.split('/').any(|component| component == glob)
    }
}

/// Builds a glob set from (glob, line) pairs; a bad glob is reported with its line.
pub fn build_globset<'a>(
    globs: impl Iterator<Item = (&'a str, u64)>,
) -> Result<GlobSet, (u64, String)> {
    let mut builder = GlobSetBuilder::new();
    for (glob, line) in globs {
        let pattern = if glob.contains('/') {
            glob.trim_start_matches('/').to_string()
        } else {
            format!("**/{glob}")
        };
        let compiled =
            Glob::new(&pattern).map_err(|e| (line, format!("bad glob `{glob}`: {e}")))?;
        builder.add(compiled);
        if !glob.contains('*') {
            // A directory name also covers everything below it.
            let below = Glob::new(&format!("{}/**", pattern.trim_end_matches('/')))
                .map_err(|e| (line, format!("bad glob `{glob}`: {e}")))?;
            builder.add(below);
        }
    }
    builder.build().map_err(|e| (0, format!("bad glob: {e}")))
}

#[cfg(test)]
mod tests {
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
    fn literal_shorthands() {
        let literal = Regex::new(&expand_shorthand("@literal").unwrap()).unwrap();
        let literal = |s: &str| literal.is_match(s.as_bytes());
        for yes in [
            r#""ls -l""#,
            "'x'",
            r#"r"raw\d""#,
            "`plain`",
            r#""""multi
line""""#,
            "'''a'b'''",
            r#"@"C:\path""#,
        ] {
            assert!(literal(yes), "{yes}");
        }
        for no in [
            r#"f"{x}""#,
            r#""a" + b"#,
            "`a ${b}`",
            r##""#{x}""##,
            "cmd",
            r#""$HOME""#,
        ] {
            assert!(!literal(no), "{no}");
        }
        let first = Regex::new(&expand_shorthand("@literal-first").unwrap()).unwrap();
        assert!(first.is_match(br#""a.txt", "utf8""#));
        assert!(!first.is_match(b"name, 'utf8'"));
        let list = Regex::new(&expand_shorthand("@literals").unwrap()).unwrap();
        assert!(list.is_match(br#"["ls", "-l"]"#));
        assert!(!list.is_match(br#"["ls", path]"#));
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
}
