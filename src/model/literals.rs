//! A search for a few fixed literals that every process makes (the names stage's keywords, inline
//! markers, token shapes to redact): a packed (SIMD) searcher, built in microseconds, where an
//! Aho–Corasick automaton took a tenth of a millisecond of each agent-hook call; the automaton only
//! where a packed searcher cannot be built (too many literals).

use aho_corasick::{packed, AhoCorasick, AhoCorasickKind, Match, MatchKind};

/// Leftmost-first or leftmost-longest matches of a fixed set of literals, each with its index.
#[derive(Debug)]
pub enum LiteralSearcher {
    /// A packed (Teddy or Rabin–Karp) searcher.
    Packed(packed::Searcher),
    /// A contiguous automaton (a DFA costs several times more to build, for no gain on short texts).
    Automaton(AhoCorasick),
}

impl LiteralSearcher {
    /// A searcher of `literals` (their indexes are the matches' patterns), reporting the longest of
    /// those that start at the leftmost place when `longest`, else the first of them in order.
    pub fn new<I, P>(literals: I, longest: bool) -> LiteralSearcher
    where
        I: IntoIterator<Item = P> + Clone,
        P: AsRef<[u8]>,
    {
        let kind = if longest {
            packed::MatchKind::LeftmostLongest
        } else {
            packed::MatchKind::LeftmostFirst
        };
        let packed = packed::Config::new()
            .match_kind(kind)
            .builder()
            .extend(literals.clone())
            .build();
        match packed {
            Some(searcher) => LiteralSearcher::Packed(searcher),
            None => LiteralSearcher::Automaton(
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .match_kind(if longest {
                        MatchKind::LeftmostLongest
                    } else {
                        MatchKind::LeftmostFirst
                    })
                    .build(literals)
                    .expect("fixed literals build an automaton"),
            ),
        }
    }

    /// The successive non-overlapping matches in `haystack`.
    pub fn find_iter<'a, B: AsRef<[u8]> + ?Sized>(
        &'a self,
        haystack: &'a B,
    ) -> impl Iterator<Item = Match> + 'a {
        let (packed, automaton) = match self {
            LiteralSearcher::Packed(searcher) => (Some(searcher.find_iter(haystack)), None),
            LiteralSearcher::Automaton(automaton) => (None, Some(automaton.find_iter(haystack))),
        };
        packed
            .into_iter()
            .flatten()
            .chain(automaton.into_iter().flatten())
    }

    /// Whether `haystack` holds one of the literals.
    pub fn is_match<B: AsRef<[u8]> + ?Sized>(&self, haystack: &B) -> bool {
        match self {
            LiteralSearcher::Packed(searcher) => searcher.find(haystack).is_some(),
            LiteralSearcher::Automaton(automaton) => automaton.is_match(haystack.as_ref()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both kinds of searcher find what an automaton of the same match kind finds, with the same
    /// pattern indexes, on literals that overlap, repeat and touch; more literals than a packed searcher
    /// takes go to the automaton.
    #[test]
    fn packed_and_automaton_find_the_same_matches() {
        let literals = ["sk-", "sk-proj-", "xox", "xoxb-", "nosec", "nosemgrep", "a"];
        let texts = [
            "",
            "sk-proj-xoxb-1 sk-sk-proj-",
            "nosemgrepnosec a xoxoxb-",
            "no literal here but a",
        ];
        for longest in [false, true] {
            let searcher = LiteralSearcher::new(literals, longest);
            assert!(matches!(searcher, LiteralSearcher::Packed(_)));
            let automaton = AhoCorasick::builder()
                .match_kind(if longest {
                    MatchKind::LeftmostLongest
                } else {
                    MatchKind::LeftmostFirst
                })
                .build(literals)
                .unwrap();
            for text in texts {
                let spans = |it: &mut dyn Iterator<Item = Match>| -> Vec<(usize, usize, usize)> {
                    it.map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                        .collect()
                };
                assert_eq!(
                    spans(&mut searcher.find_iter(text)),
                    spans(&mut automaton.find_iter(text)),
                    "{text:?}, longest {longest}"
                );
                assert_eq!(searcher.is_match(text), automaton.is_match(text));
            }
        }
        let many: Vec<String> = (0..1000).map(|i| format!("word{i}x")).collect();
        let searcher = LiteralSearcher::new(&many, false);
        assert!(matches!(searcher, LiteralSearcher::Automaton(_)));
        assert!(searcher.is_match("a word517x here") && !searcher.is_match("word"));
    }
}
