//! Where keys sit in a JSON document: serde_json reads the values but forgets positions, so manifests
//! that must point at a line (composer.json, package-lock.json) scan the text once more for them.

use std::collections::HashMap;

/// The 1-based line of every object key and array element whose path `keep` accepts; `keep` gets the path
/// so far, the key (or the element's index) and whether it is an array index. A key or element that is not
/// kept is skipped with everything below it. The text must be valid JSON (parse it with serde_json first).
pub fn key_lines(
    text: &str,
    keep: impl Fn(&[String], &str, bool) -> bool,
) -> HashMap<Vec<String>, u32> {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
        lines: HashMap::new(),
        keep,
    };
    scanner.value(&mut Vec::new(), true);
    scanner.lines
}

struct Scanner<'t, F> {
    bytes: &'t [u8],
    pos: usize,
    line: u32,
    lines: HashMap<Vec<String>, u32>,
    keep: F,
}

impl<F: Fn(&[String], &str, bool) -> bool> Scanner<'_, F> {
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return Some(b),
            }
            self.pos += 1;
        }
        None
    }

    /// Reads a string literal (at `"`), decoded.
    fn string(&mut self) -> String {
        let start = self.pos;
        self.pos += 1;
        while let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'"' => break,
                _ => {}
            }
        }
        let raw = &self.bytes[start..self.pos.min(self.bytes.len())];
        serde_json::from_slice(raw).unwrap_or_default()
    }

    /// Records `key` (at `line`) under `path` when kept, and reads its value.
    fn member(&mut self, path: &mut Vec<String>, key: String, line: u32, index: bool, track: bool) {
        if track && (self.keep)(path, &key, index) {
            path.push(key);
            self.lines.entry(path.clone()).or_insert(line);
            self.value(path, true);
            path.pop();
        } else {
            self.value(path, false);
        }
    }

    fn value(&mut self, path: &mut Vec<String>, track: bool) {
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                loop {
                    match self.peek() {
                        Some(b'"') => {}
                        Some(b',') => {
                            self.pos += 1;
                            continue;
                        }
                        _ => {
                            self.pos += 1; // `}` (or the end)
                            return;
                        }
                    }
                    let line = self.line;
                    let key = self.string();
                    if self.peek() == Some(b':') {
                        self.pos += 1;
                    }
                    self.member(path, key, line, false, track);
                }
            }
            Some(b'[') => {
                self.pos += 1;
                let mut index = 0;
                loop {
                    match self.peek() {
                        Some(b']') | None => {
                            self.pos += 1;
                            return;
                        }
                        Some(b',') => {
                            self.pos += 1;
                            continue;
                        }
                        _ => {}
                    }
                    let line = self.line;
                    self.member(path, index.to_string(), line, true, track);
                    index += 1;
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while let Some(&b) = self.bytes.get(self.pos) {
                    if matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace() {
                        break;
                    }
                    self.pos += 1;
                }
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_keys_and_elements() {
        let text = "{\n  \"a\": {\n    \"b\\u0021\": 1,\n    \"c\": [\n      \"x\",\n      {\"d\": 2}\n    ]\n  }\n}";
        let lines = key_lines(text, |_, _, _| true);
        let at = |path: &[&str]| {
            lines
                .get(&path.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .copied()
        };
        assert_eq!(at(&["a"]), Some(2));
        assert_eq!(at(&["a", "b!"]), Some(3));
        assert_eq!(at(&["a", "c", "0"]), Some(5));
        assert_eq!(at(&["a", "c", "1", "d"]), Some(6));
        let only_a = key_lines(text, |path, key, _| path.is_empty() && key == "a");
        assert_eq!(only_a.len(), 1);
    }
}
