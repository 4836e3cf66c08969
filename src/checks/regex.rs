//! Regexes of checks, compiled when first used, and the glob sets of their paths.

use std::borrow::Cow;
use std::sync::OnceLock;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;

use super::spec::Located;

/// A regex compiled when first used: loading hundreds of checks stays cheap, and a commit that touches a
/// few lines compiles only the regexes those lines call for. User check files are compiled at load, so
/// their mistakes are reported up front; the built-in ones are compiled by the test suite.
#[derive(Debug, Clone)]
pub struct LazyRegex {
    source: Cow<'static, str>,
    compiled: OnceLock<Regex>,
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
            let _ = compiled.set(build_regex(&source)?);
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
            build_regex(&self.source)
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

fn build_regex(source: &str) -> Result<Regex, String> {
    // Byte regexes with Unicode off: `\w`, `\b` and `(?i)` are ASCII, which is what source code needs,
    // and it keeps compiling hundreds of checks cheap and matching on the fast DFA path.
    regex::bytes::RegexBuilder::new(source)
        .unicode(false)
        .size_limit(1 << 24)
        .build()
        .map_err(|e| format!("the regex does not compile: {e}"))
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
        if self
            .globs
            .iter()
            .all(|(g, _)| simple_matches(g, "").is_some())
        {
            return self
                .globs
                .iter()
                .any(|(g, _)| simple_matches(g, path) == Some(true));
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
}
