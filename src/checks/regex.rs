//! Regexes of checks, compiled when first used, and the glob sets of their paths.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Input, Match, MatchKind, PatternID};

use super::spec::Located;

mod globs;

pub use globs::{build_globset, LazyGlobs};
/// A match's capture groups, as [`LazyRegex::captures_iter`] gives them.
pub use regex_automata::util::captures::Captures;

/// A regex compiled when first used: loading hundreds of checks stays cheap, and a commit that touches a
/// few lines compiles only the regexes those lines call for. User check files are compiled at load, so
/// their mistakes are reported up front; the built-in ones are compiled by the test suite.
///
/// A regex is compiled once per process whatever the number of checks that hold it and of copies made
/// of them ([`compiled_once`]): many conditions share one source (`@literal`), and the agent hook's
/// novelty stage runs a copy of the checks its edit calls for over the old file.
///
/// It is compiled in two tiers that find the same matches ([`Tier`]): a light one, three times cheaper
/// to build, for the few short texts the agent hook's review gives a regex, and the full one (lazy DFA
/// and literal prefilter) once the regex is asked to search a long text or many bytes.
#[derive(Debug)]
pub struct LazyRegex {
    source: Cow<'static, str>,
    light: OnceLock<Arc<Regex>>,
    full: OnceLock<Arc<Regex>>,
    /// Bytes searched with the light tier so far.
    searched: AtomicUsize,
}

impl Clone for LazyRegex {
    fn clone(&self) -> LazyRegex {
        LazyRegex {
            source: self.source.clone(),
            light: self.light.clone(),
            full: self.full.clone(),
            searched: AtomicUsize::new(self.searched.load(Ordering::Relaxed)),
        }
    }
}

/// The two ways a regex is compiled. Both are `regex-automata` meta regexes of the same pattern, syntax
/// and match semantics (leftmost-first, bytes, Unicode off), so they find the same matches and groups;
/// they differ only in the engines built behind them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    /// The NFA with the bounded backtracker and the PikeVM: no lazy DFA (which needs a reverse NFA too)
    /// and no literal prefilter (whose extraction costs most of a compilation). Fast to build; slow on
    /// long texts.
    Light,
    /// What `regex::bytes::Regex` builds: lazy DFA, one-pass DFA, literal prefilters.
    Full,
}

/// A text longer than this is searched with the full tier.
const LONG_TEXT: usize = 2048;

/// Bytes a regex searches with the light tier before it is compiled in full (a review of many lines).
const LIGHT_BUDGET: usize = 16 * 1024;

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
        let light = OnceLock::new();
        if eager {
            let _ = light.set(compiled_once(&source, Tier::Light)?);
        }
        Ok(LazyRegex {
            source,
            light,
            full: OnceLock::new(),
            searched: AtomicUsize::new(0),
        })
    }

    /// A regex written on a line of a check file; an error carries that line.
    pub fn located(pattern: &Located, eager: bool) -> Result<LazyRegex, (u64, String)> {
        LazyRegex::from_text(pattern.text.clone(), eager).map_err(|e| (u64::from(pattern.line), e))
    }

    /// The regex as the given tier compiles it.
    pub fn tier(&self, tier: Tier) -> &Regex {
        let cell = match tier {
            Tier::Light => &self.light,
            Tier::Full => &self.full,
        };
        cell.get_or_init(|| {
            compiled_once(&self.source, tier)
                .unwrap_or_else(|e| panic!("built-in regex `{}`: {e}", self.source))
        })
    }

    /// The compiled regex to search a text of `len` bytes with: the light tier for short texts until the
    /// regex has searched [`LIGHT_BUDGET`] bytes, the full tier after that and for long texts.
    fn for_text(&self, len: usize) -> &Regex {
        if let Some(full) = self.full.get() {
            return full;
        }
        if len > LONG_TEXT || self.searched.fetch_add(len, Ordering::Relaxed) + len > LIGHT_BUDGET {
            return self.tier(Tier::Full);
        }
        self.tier(Tier::Light)
    }

    /// Whether the regex matches somewhere in `haystack`.
    pub fn is_match(&self, haystack: &[u8]) -> bool {
        self.for_text(haystack.len()).is_match(haystack)
    }

    /// Whether the regex matches in `haystack` at or after `start` (what lies before is look-behind
    /// context only).
    pub fn is_match_at(&self, haystack: &[u8], start: usize) -> bool {
        self.for_text(haystack.len() - start)
            .is_match(Input::new(haystack).range(start..))
    }

    /// The successive non-overlapping matches in `haystack`.
    pub fn find_iter<'r, 'h>(&'r self, haystack: &'h [u8]) -> impl Iterator<Item = Match> + 'r
    where
        'h: 'r,
    {
        self.for_text(haystack.len()).find_iter(haystack)
    }

    /// The successive non-overlapping matches in `haystack`, with their groups (read them with
    /// [`Captures::get_group`] and [`Captures::get_group_by_name`]).
    pub fn captures_iter<'r, 'h>(
        &'r self,
        haystack: &'h [u8],
    ) -> impl Iterator<Item = Captures> + 'r
    where
        'h: 'r,
    {
        self.for_text(haystack.len()).captures_iter(haystack)
    }

    /// The names of the capture groups.
    pub fn capture_names(&self) -> impl Iterator<Item = Option<&str>> {
        let regex = match self.full.get() {
            Some(full) => full,
            None => self.tier(Tier::Light),
        };
        regex.group_info().pattern_names(PatternID::ZERO)
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

/// The regex of `source` in `tier`, compiled the first time the process asks for it and shared after
/// that (a compilation costs tens to hundreds of microseconds; a look-up, a hash of the source). The
/// regexes of the checks in force are a few thousand at most, so they are kept for the life of the
/// process.
#[allow(clippy::ptr_arg)] // the Cow is cloned into the cache: a source borrowed from the binary stays so
fn compiled_once(source: &Cow<'static, str>, tier: Tier) -> Result<Arc<Regex>, String> {
    type Cache = Mutex<HashMap<(Cow<'static, str>, Tier), Arc<Regex>>>;
    static COMPILED: OnceLock<Cache> = OnceLock::new();
    let cache = COMPILED.get_or_init(Mutex::default);
    let key = (source.clone(), tier);
    let known = |cache: &Cache| {
        cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
            .cloned()
    };
    if let Some(regex) = known(cache) {
        return Ok(regex);
    }
    // Compiled outside the lock: two threads may compile the same regex once each, never wait on it.
    let regex = Arc::new(build_regex(source, tier)?);
    let mut map = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok(Arc::clone(map.entry(key).or_insert(regex)))
}

/// Compiles `source` as `regex::bytes::RegexBuilder::new(source).unicode(false)` does, with the engines
/// of `tier`.
fn build_regex(source: &str, tier: Tier) -> Result<Regex, String> {
    let started = trace_compiles().then(std::time::Instant::now);
    // Byte regexes with Unicode off: `\w`, `\b` and `(?i)` are ASCII, which is what source code needs,
    // and it keeps compiling hundreds of checks cheap and matching on the fast DFA path.
    let mut config = meta::Config::new()
        .match_kind(MatchKind::LeftmostFirst)
        .utf8_empty(false)
        .nfa_size_limit(Some(1 << 24))
        .hybrid_cache_capacity(2 * (1 << 20));
    if tier == Tier::Light {
        config = config.hybrid(false).dfa(false).auto_prefilter(false);
    }
    let built = meta::Builder::new()
        .configure(config)
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .build(source)
        .map_err(|e| format!("the regex does not compile: {}", describe(&e)));
    if let Some(started) = started {
        let head: String = source.chars().take(60).collect();
        eprintln!(
            "review-gate: regex {tier:?} {:.3} ms: {head}",
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    built
}

/// A build error as `regex` words it: the syntax error with the pattern and a caret when there is one.
fn describe(error: &meta::BuildError) -> String {
    if let Some(limit) = error.size_limit() {
        return format!("Compiled regex exceeds size limit of {limit} bytes.");
    }
    match error.syntax_error() {
        Some(syntax) => syntax.to_string(),
        None => error.to_string(),
    }
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

    /// Both tiers find the same matches with the same groups: every built-in check's pattern and
    /// conditions, on the fixture lines that hold one of its keywords (what the engine would give it),
    /// and on lines that mix in bytes outside ASCII.
    #[test]
    fn both_tiers_find_the_same_matches() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut lines: Vec<String> = Vec::new();
        for entry in ignore::WalkBuilder::new(&root)
            .standard_filters(false)
            .build()
            .flatten()
        {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                lines.extend(text.lines().filter(|l| l.len() < 600).map(str::to_string));
            }
        }
        lines.extend(
            lines
                .clone()
                .iter()
                .take(2000)
                .map(|l| format!("é{l}\u{2028}ß")),
        );
        let lowered: Vec<String> = lines.iter().map(|l| l.to_ascii_lowercase()).collect();
        let same = |regex: &LazyRegex, line: &str| {
            let spans = |tier: Tier| -> Vec<Vec<Option<(usize, usize)>>> {
                regex
                    .tier(tier)
                    .captures_iter(line.as_bytes())
                    .map(|caps| {
                        (0..caps.group_len())
                            .map(|g| caps.get_group(g).map(|s| (s.start, s.end)))
                            .collect()
                    })
                    .collect()
            };
            assert_eq!(
                spans(Tier::Light),
                spans(Tier::Full),
                "{} on {line:?}",
                regex.source
            );
        };
        let mut compared = 0;
        for check in crate::checks::load(&[]).unwrap() {
            let Some(pattern) = check.pattern() else {
                continue;
            };
            let chosen = lowered
                .iter()
                .enumerate()
                .filter(|(_, l)| pattern.keywords.iter().any(|k| l.contains(k.as_ref())))
                .take(60)
                .map(|(i, _)| &lines[i]);
            for line in chosen {
                same(&pattern.regex, line);
                for condition in pattern
                    .requires
                    .iter()
                    .chain(&pattern.unless)
                    .chain(&pattern.adjust)
                {
                    same(&condition.regex, line);
                }
                compared += 1;
            }
        }
        assert!(compared > 5000, "{compared}");
    }
}
