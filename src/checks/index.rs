//! A cheap index of check files, read without parsing their YAML: each file's check ids and keywords.
//! A check only runs on a line holding one of its keywords, so a file none of whose keywords occur in a
//! text cannot find anything there and need not be loaded (the agent hook's latency depends on it).
//! `build.rs` includes this file to index the built-in files once; [`super::keyword_files`] searches.
//!
//! The scan is conservative: a file with a check whose keywords it cannot read (none, or written in a
//! form it does not know) is always needed. A test compares the index with the parsed checks.

use std::collections::HashMap;

/// What the index knows of one check file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileIndex {
    /// The ids of its checks.
    pub ids: Vec<String>,
    /// The keywords of all its checks (lowercase); None when the file must always be loaded.
    pub keywords: Option<Vec<String>>,
}

/// Indexes one check file's text.
pub fn index_file(text: &str) -> FileIndex {
    let mut index = FileIndex {
        ids: Vec::new(),
        keywords: Some(Vec::new()),
    };
    let mut anchors: HashMap<&str, Vec<String>> = HashMap::new();
    // Whether the current check (top-level item) has shown its keywords.
    let mut in_check = false;
    let mut check_has_keywords = false;
    let mut check_has_id = false;
    let mut block_list = false;
    let mut always = false;
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(item) = line.strip_prefix("- ") {
            if in_check && !check_has_keywords {
                always = true;
            }
            in_check = true;
            check_has_keywords = false;
            check_has_id = false;
            block_list = false;
            if let Some(id) = item.trim().strip_prefix("id:") {
                index.ids.push(unquote(id).to_string());
                check_has_id = true;
            }
            continue;
        }
        let trimmed = line.trim_start();
        if block_list {
            if let Some(word) = trimmed.strip_prefix("- ") {
                push_keyword(&mut index, unquote(word));
                continue;
            }
            block_list = false;
        }
        let own_key = line.starts_with("  ") && !line.starts_with("   ");
        if let Some(id) = trimmed.strip_prefix("id:").filter(|_| own_key) {
            if in_check && !check_has_id {
                index.ids.push(unquote(id).to_string());
                check_has_id = true;
            }
        }
        let Some(value) = trimmed.strip_prefix("keywords:") else {
            continue;
        };
        if !own_key {
            // A `keywords:` that is not a check's own key (nested in something else).
            always = true;
            continue;
        }
        check_has_keywords = true;
        let value = value.trim();
        if value.is_empty() {
            block_list = true;
            continue;
        }
        if let Some(alias) = value.strip_prefix('*') {
            match anchors.get(alias.trim()) {
                Some(words) => {
                    for word in words.clone() {
                        push_keyword(&mut index, &word);
                    }
                }
                None => always = true,
            }
            continue;
        }
        let (anchor, list) = match value.strip_prefix('&') {
            Some(rest) => match rest.split_once(char::is_whitespace) {
                Some((name, list)) => (Some(name), list.trim()),
                None => (None, ""),
            },
            None => (None, value),
        };
        match flow_list(list) {
            Some(words) if !words.is_empty() => {
                for word in &words {
                    push_keyword(&mut index, word);
                }
                if let Some(name) = anchor {
                    anchors.insert(name, words);
                }
            }
            _ => always = true,
        }
    }
    if in_check && !check_has_keywords {
        always = true;
    }
    if always {
        index.keywords = None;
    }
    index
}

fn push_keyword(index: &mut FileIndex, word: &str) {
    if let Some(keywords) = index.keywords.as_mut() {
        let word = word.to_ascii_lowercase();
        if !word.is_empty() && !keywords.contains(&word) {
            keywords.push(word);
        }
    }
}

/// A one-line flow sequence (`[a, 'b, c', "d"]`); None for anything else (a nested list, an escape
/// it does not know), so that the file is always loaded.
fn flow_list(text: &str) -> Option<Vec<String>> {
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    let mut words = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else {
            return Some(words);
        };
        let mut word = String::new();
        match first {
            '\'' => {
                chars.next();
                loop {
                    match chars.next()? {
                        '\'' if chars.next_if_eq(&'\'').is_some() => word.push('\''),
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                chars.next();
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => return None,
                        c => word.push(c),
                    }
                }
            }
            '[' | ']' | '{' | '}' => return None,
            _ => {
                while let Some(c) = chars.next_if(|&c| c != ',') {
                    word.push(c);
                }
                word = word.trim_end().to_string();
            }
        }
        words.push(word);
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.next() {
            Some(',') | None => {}
            Some(_) => return None,
        }
    }
}

fn unquote(text: &str) -> &str {
    let text = text.trim();
    let text = text.split(" #").next().unwrap_or(text).trim();
    for quote in ['\'', '"'] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote)) {
            return inner;
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_flow_block_anchor_and_alias_keywords() {
        let text = "# c\n- id: a.one\n  keywords: &k [Foo, 'bar baz']\n- id: a.two\n  keywords: *k\n- id: a.three\n  keywords:\n    - qux\n";
        let index = index_file(text);
        assert_eq!(index.ids, vec!["a.one", "a.two", "a.three"]);
        assert_eq!(
            index.keywords,
            Some(vec!["foo".into(), "bar baz".into(), "qux".into()])
        );
    }

    #[test]
    fn unknown_forms_make_a_file_always_needed() {
        assert_eq!(
            index_file("- id: a\n  keywords: [\"a\\tb\"]\n").keywords,
            None
        );
        assert_eq!(
            index_file("- id: a\n  keywords: ['a, b', 'it''s', \"[x]\"]\n").keywords,
            Some(vec!["a, b".into(), "it's".into(), "[x]".into()])
        );
        assert_eq!(index_file("- id: a\n  keywords: *nowhere\n").keywords, None);
    }

    #[test]
    fn the_index_agrees_with_the_parsed_builtin_checks() {
        let files = crate::checks::builtin_files().unwrap();
        let mut slots = 0;
        for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".yml")) {
            let index = index_file(text);
            let checks = crate::checks::parse_file(name, text, &mut slots, false).unwrap();
            let ids: Vec<&str> = checks.iter().map(|c| c.id.as_str()).collect();
            assert_eq!(index.ids, ids, "{name}");
            if let Some(keywords) = &index.keywords {
                for check in &checks {
                    assert!(
                        !check.keywords.is_empty(),
                        "{name}: {} has no keywords",
                        check.id
                    );
                    for word in &check.keywords {
                        assert!(
                            keywords.contains(&word.to_ascii_lowercase()),
                            "{name}: keyword `{word}` of {} missing from the index",
                            check.id
                        );
                    }
                }
            }
        }
    }
}
