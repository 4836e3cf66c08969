//! Which check files a text needs: those whose keywords (from [`super::index`]) occur in it.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::index::FileIndex;

/// Texts up to this many bytes are searched keyword by keyword rather than with an automaton.
const SHORT_TEXT: usize = 2048;

/// Which of the indexed files a text needs: those always needed and those with a keyword in the text
/// (ASCII case-insensitively, as the engine matches keywords).
pub fn needed(indexes: &[FileIndex], text: &str) -> Vec<bool> {
    let mut words: Vec<&str> = Vec::new();
    let mut owners: Vec<Vec<usize>> = Vec::new();
    let mut slot: HashMap<&str, usize> = HashMap::new();
    let mut need: Vec<bool> = indexes.iter().map(|i| i.keywords.is_none()).collect();
    for (file, index) in indexes.iter().enumerate() {
        for word in index.keywords.iter().flatten() {
            let id = *slot.entry(word.as_str()).or_insert_with(|| {
                words.push(word);
                owners.push(Vec::new());
                words.len() - 1
            });
            owners[id].push(file);
        }
    }
    if words.is_empty() || text.is_empty() {
        return need;
    }
    // Building an automaton over every keyword costs milliseconds: for a short text (a command) one
    // search per keyword is cheaper.
    if text.len() <= SHORT_TEXT {
        let lower = text.to_ascii_lowercase();
        for (id, word) in words.iter().enumerate() {
            if memchr::memmem::find(lower.as_bytes(), word.as_bytes()).is_some() {
                for &file in &owners[id] {
                    need[file] = true;
                }
            }
        }
        return need;
    }
    let automaton: AhoCorasick = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(&words)
        .expect("keyword automaton builds");
    let mut seen = vec![false; words.len()];
    for hit in automaton.find_overlapping_iter(text) {
        let id = hit.pattern().as_usize();
        if !seen[id] {
            seen[id] = true;
            for &file in &owners[id] {
                need[file] = true;
            }
        }
    }
    need
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::index::index_file;

    #[test]
    fn files_are_needed_when_their_keywords_occur() {
        let text =
            "- id: a.one\n  keywords: [Foo, 'bar baz']\n- id: a.two\n  keywords:\n    - qux\n";
        let indexes = [index_file(text), index_file("- id: b\n  pattern: x\n")];
        assert_eq!(needed(&indexes, "no match"), vec![false, true]);
        assert_eq!(needed(&indexes, "a BAR BAZ"), vec![true, true]);
        let long = format!("{}QUX", " ".repeat(SHORT_TEXT));
        assert_eq!(needed(&indexes, &long), vec![true, true]);
        assert_eq!(
            needed(&indexes, &" ".repeat(SHORT_TEXT + 1)),
            vec![false, true]
        );
    }
}
