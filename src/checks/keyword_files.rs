//! Which check files a text needs: those whose keywords (from [`super::index`]) occur in it.

use std::collections::HashMap;

use super::index::FileIndex;

/// Texts longer than this get a trigram filter before the keyword searches.
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
    // An automaton over a few thousand words costs milliseconds to build, more than the whole search:
    // instead, each word is looked for with memchr's `memmem` in the lowercased text, skipped when every
    // file owning it is already needed, and (on longer texts) when its first three bytes never occur.
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let trigrams = (bytes.len() > SHORT_TEXT).then(|| Trigrams::of(bytes));
    for (id, word) in words.iter().enumerate() {
        if owners[id].iter().all(|&file| need[file]) {
            continue;
        }
        let word = word.as_bytes();
        if let (Some(trigrams), Some(head)) = (&trigrams, word.get(..3)) {
            if !trigrams.may_contain(head) {
                continue;
            }
        }
        if memchr::memmem::find(bytes, word).is_some() {
            for &file in &owners[id] {
                need[file] = true;
            }
        }
    }
    need
}

/// A bitset of the three-byte sequences of a text (hashed; false positives only).
struct Trigrams(Vec<u64>);

impl Trigrams {
    const BITS: u32 = 20;

    fn slot(trigram: &[u8]) -> usize {
        let packed =
            u32::from(trigram[0]) << 16 | u32::from(trigram[1]) << 8 | u32::from(trigram[2]);
        (packed.wrapping_mul(0x9E37_79B1) >> (32 - Self::BITS)) as usize
    }

    fn of(text: &[u8]) -> Trigrams {
        let mut bits = vec![0u64; (1 << Self::BITS) / 64];
        for window in text.windows(3) {
            let slot = Self::slot(window);
            bits[slot / 64] |= 1 << (slot % 64);
        }
        Trigrams(bits)
    }

    fn may_contain(&self, trigram: &[u8]) -> bool {
        let slot = Self::slot(trigram);
        self.0[slot / 64] & (1 << (slot % 64)) != 0
    }
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
