//! The checks in force, with one Aho–Corasick automaton over all their keywords: which checks a line's
//! words call for.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::check::Check;

/// All checks in force, with the keyword prefilter built over them.
#[derive(Debug, Clone)]
pub struct CheckSet {
    /// The checks, in load order.
    pub checks: Vec<Check>,
    keywords: Option<AhoCorasick>,
    keyword_checks: Vec<Vec<u32>>,
    keywordless: Vec<u32>,
    /// How many file-wide condition results a file needs room for.
    pub file_slots: usize,
}

impl CheckSet {
    /// Builds the prefilter over `checks`.
    pub fn new(checks: Vec<Check>, file_slots: usize) -> CheckSet {
        let mut words: Vec<&str> = Vec::new();
        let mut slots: HashMap<&str, usize> = HashMap::new();
        let mut keyword_checks: Vec<Vec<u32>> = Vec::new();
        let mut keywordless = Vec::new();
        for (idx, check) in checks.iter().enumerate() {
            let Some(pattern) = check.pattern() else {
                continue;
            };
            if pattern.keywords.is_empty() {
                keywordless.push(idx as u32);
            }
            for word in &pattern.keywords {
                let slot = *slots.entry(word.as_str()).or_insert_with(|| {
                    words.push(word);
                    keyword_checks.push(Vec::new());
                    words.len() - 1
                });
                if !keyword_checks[slot].contains(&(idx as u32)) {
                    keyword_checks[slot].push(idx as u32);
                }
            }
        }
        let keywords = (!words.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&words)
                .expect("keyword automaton builds")
        });
        CheckSet {
            checks,
            keywords,
            keyword_checks,
            keywordless,
            file_slots,
        }
    }

    /// Finds a check by id.
    pub fn get(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.meta.id == id)
    }

    /// Checks without keywords: they run on every line.
    pub fn keywordless(&self) -> &[u32] {
        &self.keywordless
    }

    /// Every keyword occurrence in `text` as (end offset, keyword), in order of their ends. One search over
    /// a run of lines costs far less than one per line.
    pub fn keyword_hits<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.keywords
            .iter()
            .flat_map(move |ac| ac.find_overlapping_iter(text))
            .map(|hit| (hit.end(), hit.pattern().as_usize()))
    }

    /// The checks a keyword (from [`CheckSet::keyword_hits`]) calls for.
    pub fn checks_for_keyword(&self, keyword: usize) -> &[u32] {
        &self.keyword_checks[keyword]
    }
}
