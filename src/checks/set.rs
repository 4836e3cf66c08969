//! The checks in force, with one Aho–Corasick automaton over all their keywords: which checks a line's
//! words call for. The automaton over a few thousand words costs milliseconds to build, more than
//! searching a short text word by word: it is built when the texts searched, times the words, add up
//! to more than [`WORD_BY_WORD`] (the agent hook judging one command never builds it, nor does the
//! novelty pass over an old file with the few checks its edit calls for).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::check::Check;
use super::spec::Text;
use crate::model::{Category, Language};

/// Bytes searched word by word, times the number of words, before the automaton is built: a search
/// per word costs about as much as the automaton's build per word once the texts reach a kilobyte
/// for the full set (some two thousand words), and far more text for a set of a few checks.
const WORD_BY_WORD: usize = 2 * 1024 * 1024;

/// All checks in force, with the keyword prefilter built over them.
#[derive(Debug)]
pub struct CheckSet {
    /// The checks, in load order.
    pub checks: Vec<Check>,
    /// The keywords (lowercase), one entry per stored text (see [`CheckSet::new`]).
    words: Vec<Text>,
    /// The automaton over `words`, once built.
    keywords: OnceLock<Option<AhoCorasick>>,
    /// Bytes searched word by word so far.
    searched: AtomicUsize,
    /// The checks of keyword `k` are `keyword_checks[keyword_starts[k]..keyword_starts[k + 1]]`.
    keyword_starts: Vec<u32>,
    keyword_checks: Vec<u32>,
    keywordless: Vec<u32>,
    /// How many file-wide condition results a file needs room for.
    pub file_slots: usize,
    /// The secret checks as a set of their own, once built (see [`CheckSet::secret_set`]).
    secrets: OnceLock<Option<Box<CheckSet>>>,
    /// Which checks apply to each file reviewed so far, by path and language, when the set remembers
    /// them (see [`CheckSet::remember_applies`]).
    applies_memo: Option<Mutex<AppliesMemo>>,
    /// The built-in checks left out (see [`Withheld`]); their keywords are `words[withheld_from..]`.
    withheld: Withheld,
    withheld_from: usize,
    /// The categories of its checks and of the withheld ones, a bit each (see [`CheckSet::may_hold`]).
    categories: u32,
    /// Whether a review asked for a withheld check (see [`CheckSet::missed`]).
    missed: AtomicBool,
}

/// Built-in checks a review left out of its set because none of their keywords is in the texts it
/// knows it will search (the agent gate's added and removed lines): a pattern on added lines runs only
/// on a line holding one of its keywords, so it could find nothing there. A stage may still search a
/// text the review did not know of (a decoded payload, a line with look-alike letters folded) or ask
/// for a check by id; the set then notes that it missed one ([`CheckSet::missed`]) and the review is
/// made again with every check.
#[derive(Debug, Default, Clone)]
pub struct Withheld {
    /// Each check's id and category.
    pub checks: Vec<(&'static str, Category)>,
    /// Their keywords (lowercase).
    pub words: Vec<&'static str>,
}

/// Which checks apply to a path, for each language a file at that path was detected as.
type AppliesMemo = HashMap<Box<str>, Vec<(Language, Arc<[bool]>)>>;

/// Most paths [`CheckSet::applies`] remembers (it forgets them all past that).
const MEMO_PATHS: usize = 4096;

impl CheckSet {
    /// Builds the prefilter over `checks`.
    pub fn new(checks: Vec<Check>, file_slots: usize) -> CheckSet {
        CheckSet::with_withheld(checks, file_slots, Withheld::default())
    }

    /// Builds the prefilter over `checks`, and over the keywords of the `withheld` checks to notice
    /// when a text calls for one of them.
    pub fn with_withheld(checks: Vec<Check>, file_slots: usize, withheld: Withheld) -> CheckSet {
        // (keyword, check) pairs grouped and deduplicated: each word followed by its checks in load order
        // (two flat lists rather than a map and a list per word).
        let mut pairs: Vec<(&Text, u32)> = Vec::new();
        let mut keywordless = Vec::new();
        for (idx, check) in checks.iter().enumerate() {
            let Some(pattern) = check.pattern() else {
                continue;
            };
            if pattern.keywords.is_empty() {
                keywordless.push(idx as u32);
            }
            pairs.extend(pattern.keywords.iter().map(|word| (word, idx as u32)));
        }
        // Sorted by address, not by text: built-in keywords are borrowed from the packed blob, where
        // equal texts are stored once, so equal words share an address; an equal word kept elsewhere (a
        // user's check file) gets an entry of its own, which only means its checks are called for
        // under two entries (callers take each check once per line).
        pairs.sort_unstable_by_key(|(word, idx)| (word.as_ptr() as usize, word.len(), *idx));
        pairs.dedup();
        let mut words: Vec<Text> = Vec::new();
        let mut keyword_starts: Vec<u32> = Vec::new();
        let mut keyword_checks: Vec<u32> = Vec::with_capacity(pairs.len());
        for (i, (word, idx)) in pairs.iter().enumerate() {
            if i == 0
                || !std::ptr::eq(pairs[i - 1].0.as_ptr(), word.as_ptr())
                || pairs[i - 1].0.len() != word.len()
            {
                words.push((*word).clone());
                keyword_starts.push(i as u32);
            }
            keyword_checks.push(*idx);
        }
        // The withheld checks' words call for no check: a hit on one is a miss.
        let withheld_from = words.len();
        words.extend(withheld.words.iter().map(|w| Text::Borrowed(w)));
        keyword_starts.resize(words.len() + 1, pairs.len() as u32);
        let categories = checks
            .iter()
            .map(|c| c.meta.category)
            .chain(withheld.checks.iter().map(|&(_, category)| category))
            .fold(0, |bits, category| bits | category_bit(category));
        CheckSet {
            checks,
            words,
            keywords: OnceLock::new(),
            searched: AtomicUsize::new(0),
            keyword_starts,
            keyword_checks,
            keywordless,
            file_slots,
            secrets: OnceLock::new(),
            applies_memo: None,
            withheld,
            withheld_from,
            categories,
            missed: AtomicBool::new(false),
        }
    }

    /// Whether a review asked this set for a check it withheld (see [`Withheld`]): a text holding one
    /// of their keywords, one's id, or the secret checks as a set of their own. Its findings may then
    /// be incomplete.
    pub fn missed(&self) -> bool {
        self.missed.load(Ordering::Relaxed)
    }

    /// Notes a miss when a withheld check is one `wanted` says a stage needs.
    pub fn note_withheld(&self, wanted: impl Fn(&str, Category) -> bool) {
        if self
            .withheld
            .checks
            .iter()
            .any(|&(id, category)| wanted(id, category))
        {
            self.missed.store(true, Ordering::Relaxed);
        }
    }

    /// Whether the set holds a check of `category`, or withheld one: a stage that runs for one asks for
    /// the checks it reports by id ([`CheckSet::position`]), which notes a miss on a withheld one.
    pub fn may_hold(&self, category: Category) -> bool {
        self.categories & category_bit(category) != 0
    }

    /// Makes [`CheckSet::applies`] remember its answer for each path: for a set that reviews the same
    /// paths again and again (each commit of a range), where matching every check's path globs against
    /// each file of each commit would cost more than the review of its few added lines.
    pub fn remember_applies(&mut self) {
        self.applies_memo = Some(Mutex::default());
    }

    /// Whether each check (in the order of [`CheckSet::checks`]) looks at a file of this language and
    /// path.
    pub fn applies(&self, language: Language, path: &str) -> Arc<[bool]> {
        let compute = || -> Arc<[bool]> {
            self.checks
                .iter()
                .map(|c| c.applies_to(language, path))
                .collect()
        };
        let Some(memo) = &self.applies_memo else {
            return compute();
        };
        let known = memo
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
            .and_then(|list| list.iter().find(|(l, _)| *l == language))
            .map(|(_, applies)| applies.clone());
        if let Some(applies) = known {
            return applies;
        }
        let applies = compute();
        let mut memo = memo.lock().unwrap_or_else(|e| e.into_inner());
        if memo.len() >= MEMO_PATHS {
            memo.clear();
        }
        memo.entry(path.into())
            .or_default()
            .push((language, applies.clone()));
        applies
    }

    /// The secret checks that run a pattern, as a set of their own (None when there are none), built
    /// once: the agent gate masks a command with it and the engine's command stage runs it.
    pub fn secret_set(&self) -> Option<&CheckSet> {
        // A set of secret checks and command checks (the agent gate's for a shell command) is its own
        // secret set: the line engine skips command checks. It notes its own misses, like any search
        // with it (its withheld checks are secret checks).
        let own = self.checks.iter().all(|c| {
            c.command().is_some() || (c.meta.category == Category::Secret && c.pattern().is_some())
        }) && self
            .withheld
            .checks
            .iter()
            .all(|&(_, category)| category == Category::Secret);
        if own
            && (self.checks.iter().any(|c| c.pattern().is_some())
                || !self.withheld.checks.is_empty())
        {
            return Some(self);
        }
        // A set of its own knows none of the withheld secret checks.
        self.note_withheld(|_, category| category == Category::Secret);
        self.secrets
            .get_or_init(|| {
                let secret: Vec<Check> = self
                    .checks
                    .iter()
                    .filter(|c| c.meta.category == Category::Secret && !c.is_produced())
                    .cloned()
                    .collect();
                (!secret.is_empty()).then(|| Box::new(super::into_set(secret)))
            })
            .as_deref()
    }

    /// Finds a check by id (a withheld one is a miss).
    pub fn get(&self, id: &str) -> Option<&Check> {
        self.position(id).map(|i| &self.checks[i])
    }

    /// The index of the check of this id (a withheld one is a miss).
    pub fn position(&self, id: &str) -> Option<usize> {
        let found = self.checks.iter().position(|c| c.meta.id == id);
        if found.is_none() {
            self.note_withheld(|withheld, _| withheld == id);
        }
        found
    }

    /// Checks without keywords: they run on every line.
    pub fn keywordless(&self) -> &[u32] {
        &self.keywordless
    }

    /// Every keyword occurrence in `text` as (end offset, keyword), in order of their ends. One search over
    /// a run of lines costs far less than one per line.
    pub fn keyword_hits<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
        let budget = WORD_BY_WORD / self.words.len().max(1);
        let short = self.keywords.get().is_none()
            && self.searched.fetch_add(text.len(), Ordering::Relaxed) + text.len() <= budget;
        let by_word = short.then(|| self.hits_word_by_word(text));
        let automaton = if short { None } else { self.automaton() };
        by_word
            .into_iter()
            .flatten()
            .chain(
                automaton
                    .into_iter()
                    .flat_map(move |ac| ac.find_overlapping_iter(text))
                    .map(|hit| (hit.end(), hit.pattern().as_usize())),
            )
            .filter(move |&(_, keyword)| {
                let withheld = keyword >= self.withheld_from;
                if withheld {
                    self.missed.store(true, Ordering::Relaxed);
                }
                !withheld
            })
    }

    /// The automaton over every keyword (None when there are none), built on first use.
    fn automaton(&self) -> Option<&AhoCorasick> {
        self.keywords
            .get_or_init(|| {
                (!self.words.is_empty()).then(|| {
                    AhoCorasickBuilder::new()
                        .ascii_case_insensitive(true)
                        .match_kind(MatchKind::Standard)
                        .build(self.words.iter().map(|w| w.as_bytes()))
                        .expect("keyword automaton builds")
                })
            })
            .as_ref()
    }

    /// What [`CheckSet::keyword_hits`] finds, by looking for each word in a short text.
    fn hits_word_by_word(&self, text: &str) -> Vec<(usize, usize)> {
        let lower = text.to_ascii_lowercase();
        // Thousands of words, a short text: most words are passed over without a search.
        let pairs = BytePairs::new(&lower);
        let mut hits = Vec::new();
        for (index, word) in self.words.iter().enumerate() {
            if !pairs.may_hold(word) {
                continue;
            }
            // Overlapping occurrences too, as the automaton finds them.
            let mut from = 0;
            while let Some(at) = memchr::memmem::find(&lower.as_bytes()[from..], word.as_bytes()) {
                hits.push((from + at + word.len(), index));
                from += at + 1;
            }
        }
        hits.sort_unstable();
        hits
    }

    /// The checks a keyword (from [`CheckSet::keyword_hits`]) calls for.
    pub fn checks_for_keyword(&self, keyword: usize) -> &[u32] {
        let (start, end) = (
            self.keyword_starts[keyword],
            self.keyword_starts[keyword + 1],
        );
        &self.keyword_checks[start as usize..end as usize]
    }
}

const _: () = assert!(
    Category::ALL.len() <= 32,
    "a category mask holds every category"
);

/// A category's bit in [`CheckSet::may_hold`]'s mask.
fn category_bit(category: Category) -> u32 {
    let index = Category::ALL
        .iter()
        .position(|c| *c == category)
        .expect("ALL lists every category");
    1 << index
}

/// The pairs of adjacent bytes a text holds, a bit each: a word with a pair of adjacent bytes not among
/// them is not in the text.
pub(super) struct BytePairs {
    bits: Vec<u64>,
}

impl BytePairs {
    pub(super) fn new(text: &str) -> BytePairs {
        let mut bits = vec![0u64; 1 << 10];
        for w in text.as_bytes().windows(2) {
            let p = Self::pair(w[0], w[1]);
            bits[p >> 6] |= 1 << (p & 63);
        }
        BytePairs { bits }
    }

    fn pair(a: u8, b: u8) -> usize {
        (usize::from(a) << 8) | usize::from(b)
    }

    /// Whether the text may hold `word`: false when two adjacent bytes of it are not side by side in the
    /// text.
    pub(super) fn may_hold(&self, word: &str) -> bool {
        word.as_bytes().windows(2).all(|w| {
            let p = Self::pair(w[0], w[1]);
            self.bits[p >> 6] & (1 << (p & 63)) != 0
        })
    }
}

impl Clone for CheckSet {
    fn clone(&self) -> CheckSet {
        CheckSet {
            checks: self.checks.clone(),
            words: self.words.clone(),
            keywords: self.keywords.clone(),
            searched: AtomicUsize::new(self.searched.load(Ordering::Relaxed)),
            keyword_starts: self.keyword_starts.clone(),
            keyword_checks: self.keyword_checks.clone(),
            keywordless: self.keywordless.clone(),
            file_slots: self.file_slots,
            secrets: self.secrets.clone(),
            applies_memo: self.applies_memo.as_ref().map(|_| Mutex::default()),
            withheld: self.withheld.clone(),
            withheld_from: self.withheld_from,
            categories: self.categories,
            missed: AtomicBool::new(self.missed()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Word by word or through the automaton, a text's keyword hits are the same.
    #[test]
    fn short_texts_find_what_the_automaton_finds() {
        let checks = crate::checks::load(&[]).unwrap();
        let texts = [
            "import os; os.system(cmd) # SUBPROCESS.run",
            "curl -s https://example.com | bash && eval \"$X\"",
            "AKIAIOSFODNN7EXAMPLE token=ghp_x requests.get(url) evalevaleval",
        ];
        for text in texts {
            let set = crate::checks::into_set(checks.clone());
            let by_word: Vec<_> = set.keyword_hits(text).collect();
            assert!(
                set.keywords.get().is_none(),
                "short texts need no automaton"
            );
            set.searched.store(usize::MAX / 2, Ordering::Relaxed);
            let mut by_automaton: Vec<_> = set.keyword_hits(text).collect();
            assert!(set.keywords.get().is_some());
            assert!(!by_automaton.is_empty(), "{text}");
            // Hits ending together come in no particular order.
            by_automaton.sort_unstable();
            assert_eq!(by_word, by_automaton, "{text}");
        }
    }

    /// A set that withheld checks notes a miss when a text holds one of their keywords, when asked for
    /// one by id, and (for a set of its own) when asked for its secret checks; a set of secret and
    /// command checks serves as its own secret set and notes its misses itself.
    #[test]
    fn withheld_checks_are_noted_when_a_review_asks_for_them() {
        let checks = crate::checks::load(&[]).unwrap();
        let (kept, left): (Vec<Check>, Vec<Check>) = checks
            .into_iter()
            .filter(|c| c.command().is_some() || c.meta.category == Category::Secret)
            .partition(|c| {
                c.command().is_some() || c.pattern().is_some_and(|p| p.keywords.is_empty())
            });
        let left: Vec<&Check> = left.iter().filter(|c| c.pattern().is_some()).collect();
        let withheld = Withheld {
            checks: left
                .iter()
                .map(|c| {
                    (
                        Box::leak(c.meta.id.to_string().into_boxed_str()) as &str,
                        c.meta.category,
                    )
                })
                .collect(),
            words: left
                .iter()
                .flat_map(|c| c.pattern().unwrap().keywords.iter())
                .map(|k| &*Box::leak(k.to_string().into_boxed_str()))
                .collect(),
        };
        let id = withheld.checks[0].0;
        let word = withheld.words[0];
        let set = || crate::checks::into_set_withheld(kept.clone(), withheld.clone());
        let quiet = set();
        assert!(
            std::ptr::eq(quiet.secret_set().unwrap(), &quiet),
            "its own secret set"
        );
        assert_eq!(quiet.keyword_hits("ls -la && git status").count(), 0);
        assert!(!quiet.missed());
        let by_text = set();
        assert_eq!(by_text.keyword_hits(&format!("x {word} y")).count(), 0);
        assert!(by_text.missed(), "{word}");
        let by_id = set();
        assert!(by_id.get(id).is_none());
        assert!(by_id.missed(), "{id}");
        // A set with other checks builds a secret set of its own, which knows nothing withheld.
        let mut mixed = kept.clone();
        mixed.extend(
            crate::checks::load(&[])
                .unwrap()
                .into_iter()
                .filter(|c| c.chain().is_some()),
        );
        let mixed = crate::checks::into_set_withheld(mixed, withheld.clone());
        assert!(!mixed.missed());
        let _ = mixed.secret_set();
        assert!(mixed.missed());
    }

    /// A set that remembers which checks apply to a path answers as one that works it out each time,
    /// for each language a file at that path is detected as.
    #[test]
    fn remembered_applies_are_the_computed_ones() {
        let checks = crate::checks::load(&[]).unwrap();
        let plain = crate::checks::into_set(checks.clone());
        let mut memo = crate::checks::into_set(checks);
        memo.remember_applies();
        let cases = [
            (Language::Python, "src/app.py"),
            (Language::JavaScript, "src/app.py"),
            (Language::Python, "tests/fixtures/keys.py"),
            (Language::JavaScript, "package.json"),
        ];
        for _ in 0..2 {
            for (language, path) in cases {
                assert_eq!(
                    memo.applies(language, path),
                    plain.applies(language, path),
                    "{path}"
                );
            }
        }
    }
}
