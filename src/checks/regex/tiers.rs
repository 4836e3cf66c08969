//! The engines a check's regex is compiled to, and searches through whichever one a text calls for.
//!
//! Every tier finds the same matches with the same groups: the meta tiers are `regex-automata` meta
//! regexes of the same pattern and match semantics as `regex::bytes::Regex` with Unicode off
//! (leftmost-first, ASCII classes and case folding); `regex-lite` has ASCII-only classes and case folding
//! and is used on ASCII texts only, where it matches byte for byte what the byte regexes match. A test
//! walks every built-in regex over the fixtures to hold this.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind};

/// The ways a regex is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    /// `regex-lite`: a backtracker and a PikeVM over a small program, compiled about ten times faster
    /// than the full tier; for short ASCII texts.
    Lite,
    /// The meta regex with its NFA engines only (bounded backtracker, PikeVM): no lazy DFA (which needs
    /// a reverse NFA too) and no literal prefilter (whose extraction costs most of a compilation).
    /// Three times cheaper to build than the full tier; for short texts.
    Light,
    /// What `regex::bytes::Regex` builds: lazy DFA, one-pass DFA, literal prefilters.
    Full,
}

/// One compiled engine with the text it searches.
pub(super) enum Engine<'r, 'h> {
    /// A meta tier over bytes.
    Meta(&'r Regex, &'h [u8]),
    /// `regex-lite` over an ASCII text.
    Lite(&'r regex_lite::Regex, &'h str),
    /// None: the text holds none of the literals every match holds (nothing compiled to say so).
    Nothing,
}

impl<'r, 'h> Engine<'r, 'h> {
    /// Whether the regex matches at or after `start`.
    pub(super) fn is_match_at(&self, start: usize) -> bool {
        match *self {
            Engine::Meta(regex, haystack) => regex.is_match(Input::new(haystack).range(start..)),
            Engine::Lite(regex, text) => regex.is_match_at(text, start),
            Engine::Nothing => false,
        }
    }

    /// The successive matches.
    pub(super) fn find_iter(self) -> Matches<'r, 'h> {
        match self {
            Engine::Meta(regex, haystack) => Matches::Meta(regex.find_iter(haystack)),
            Engine::Lite(regex, text) => Matches::Lite(regex.find_iter(text)),
            Engine::Nothing => Matches::Nothing,
        }
    }

    /// The successive matches with their groups.
    pub(super) fn captures_iter(self) -> CapturesIter<'r, 'h> {
        match self {
            Engine::Meta(regex, haystack) => CapturesIter::Meta(regex.captures_iter(haystack)),
            Engine::Lite(regex, text) => CapturesIter::Lite(regex.captures_iter(text)),
            Engine::Nothing => CapturesIter::Nothing,
        }
    }
}

/// The matches of a regex in a text, as (start, end).
pub enum Matches<'r, 'h> {
    /// Of a meta tier.
    Meta(meta::FindMatches<'r, 'h>),
    /// Of `regex-lite`.
    Lite(regex_lite::Matches<'r, 'h>),
    /// Of a text that cannot match.
    Nothing,
}

impl Iterator for Matches<'_, '_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        match self {
            Matches::Meta(it) => it.next().map(|m| (m.start(), m.end())),
            Matches::Lite(it) => it.next().map(|m| (m.start(), m.end())),
            Matches::Nothing => None,
        }
    }
}

/// The matches of a regex in a text, with their groups.
pub enum CapturesIter<'r, 'h> {
    /// Of a meta tier.
    Meta(meta::CapturesMatches<'r, 'h>),
    /// Of `regex-lite`.
    Lite(regex_lite::CaptureMatches<'r, 'h>),
    /// Of a text that cannot match.
    Nothing,
}

impl Iterator for CapturesIter<'_, '_> {
    type Item = Groups;

    fn next(&mut self) -> Option<Groups> {
        let spans = match self {
            CapturesIter::Meta(it) => {
                let caps = it.next()?;
                (0..caps.group_len())
                    .map(|g| caps.get_group(g).map(|s| (s.start, s.end)))
                    .collect()
            }
            CapturesIter::Nothing => return None,
            CapturesIter::Lite(it) => {
                let caps = it.next()?;
                (0..caps.len())
                    .map(|g| caps.get(g).map(|m| (m.start(), m.end())))
                    .collect()
            }
        };
        Some(Groups { spans })
    }
}

/// The groups of one match: each group's (start, end) by index, None for a group that took no part
/// (group 0 is the whole match). Names give indexes through `LazyRegex::group_index`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Groups {
    spans: Vec<Option<(usize, usize)>>,
}

impl Groups {
    /// The span of group `index`.
    pub fn get(&self, index: usize) -> Option<(usize, usize)> {
        self.spans.get(index).copied().flatten()
    }
}

/// The regex of `source` in a meta `tier`, compiled the first time the process asks for it and shared
/// after that (a compilation costs tens to hundreds of microseconds; a look-up, a hash of the source).
/// The regexes of the checks in force are a few thousand at most, so they are kept for the life of the
/// process.
#[allow(clippy::ptr_arg)] // the Cow is cloned into the cache: a source borrowed from the binary stays so
pub(super) fn compiled_once(source: &Cow<'static, str>, tier: Tier) -> Result<Arc<Regex>, String> {
    type Cache = Mutex<HashMap<(Cow<'static, str>, Tier), Arc<Regex>>>;
    static COMPILED: OnceLock<Cache> = OnceLock::new();
    cached(&COMPILED, (source.clone(), tier), || {
        build_meta(source, tier)
    })
}

/// The `regex-lite` regex of `source` (None when that crate does not compile it), once per process.
#[allow(clippy::ptr_arg)] // as in `compiled_once`
pub(super) fn lite_once(source: &Cow<'static, str>) -> Option<Arc<regex_lite::Regex>> {
    type Cache = Mutex<HashMap<Cow<'static, str>, Option<Arc<regex_lite::Regex>>>>;
    static COMPILED: OnceLock<Cache> = OnceLock::new();
    let built = cached(&COMPILED, source.clone(), || {
        let started = trace_compiles().then(std::time::Instant::now);
        let built = regex_lite::RegexBuilder::new(source)
            .size_limit(1 << 24)
            .build()
            .ok()
            .map(Arc::new);
        trace(started, "lite", source);
        Ok::<_, String>(built)
    });
    built.ok().flatten()
}

/// The value for `key` in `cache`, built outside the lock the first time (two threads may build the
/// same one once each, never wait on each other).
fn cached<K: std::hash::Hash + Eq, V: Clone, E>(
    cache: &OnceLock<Mutex<HashMap<K, V>>>,
    key: K,
    build: impl FnOnce() -> Result<V, E>,
) -> Result<V, E> {
    let cache = cache.get_or_init(Mutex::default);
    let lock = || {
        cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    if let Some(known) = lock().get(&key) {
        return Ok(known.clone());
    }
    let value = build()?;
    Ok(lock().entry(key).or_insert(value).clone())
}

/// Compiles `source` as `regex::bytes::RegexBuilder::new(source).unicode(false)` does, with the engines
/// of `tier`.
fn build_meta(source: &str, tier: Tier) -> Result<Arc<Regex>, String> {
    let started = trace_compiles().then(std::time::Instant::now);
    // Byte regexes with Unicode off: `\w`, `\b` and `(?i)` are ASCII, which is what source code needs,
    // and it keeps compiling hundreds of checks cheap and matching on the fast DFA path.
    let mut config = meta::Config::new()
        .match_kind(MatchKind::LeftmostFirst)
        .utf8_empty(false)
        .nfa_size_limit(Some(1 << 24))
        .hybrid_cache_capacity(2 * (1 << 20));
    if tier != Tier::Full {
        config = config.hybrid(false).dfa(false).auto_prefilter(false);
    }
    let built = meta::Builder::new()
        .configure(config)
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .build(source)
        .map(Arc::new)
        .map_err(|e| format!("the regex does not compile: {}", describe(&e)));
    trace(
        started,
        if tier == Tier::Full { "full" } else { "light" },
        source,
    );
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

/// Prints how long a compilation took when [`trace_compiles`].
fn trace(started: Option<std::time::Instant>, tier: &str, source: &str) {
    if let Some(started) = started {
        let head: String = source.chars().take(60).collect();
        eprintln!(
            "review-gate: regex {tier} {:.3} ms: {head}",
            started.elapsed().as_secs_f64() * 1e3
        );
    }
}

/// Whether each regex compilation is timed on standard error (`REVIEW_GATE_TIMINGS=regex`).
fn trace_compiles() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| {
        std::env::var_os("REVIEW_GATE_TIMINGS").is_some_and(|v| v == "regex" || v == "all")
    })
}

/// Every match's group spans in `line` with `tier` (for the tests comparing tiers).
#[cfg(test)]
pub(super) fn spans(
    regex: &super::LazyRegex,
    tier: Tier,
    line: &str,
) -> Vec<Vec<Option<(usize, usize)>>> {
    let engine = match tier {
        Tier::Lite => Engine::Lite(regex.lite().expect("regex-lite compiles it"), line),
        Tier::Light | Tier::Full => Engine::Meta(regex.meta(tier), line.as_bytes()),
    };
    engine.captures_iter().map(|g| g.spans).collect()
}

/// Whether the regex matches at or after `start` of `line` with `tier` (for the tests comparing tiers).
#[cfg(test)]
pub(super) fn matches_at(regex: &super::LazyRegex, tier: Tier, line: &str, start: usize) -> bool {
    match tier {
        Tier::Lite => Engine::Lite(regex.lite().expect("regex-lite compiles it"), line),
        Tier::Light | Tier::Full => Engine::Meta(regex.meta(tier), line.as_bytes()),
    }
    .is_match_at(start)
}
