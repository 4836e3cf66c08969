//! Regexes of checks, compiled when first used, and the glob sets of their paths.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex::bytes::Regex;

use super::spec::Located;

mod globs;

pub use globs::{build_globset, LazyGlobs};

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

#[cfg(test)]
mod tests {
    use super::*;

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
