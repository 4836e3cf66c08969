//! Look-alike identifiers folded before the ordinary checks (issue 14). Python reads every identifier
//! through NFKC, so `𝚎𝚡𝚎𝚌(…)`, `ｅｖａｌ(…)` and `𝘀𝘂𝗯𝗽𝗿𝗼𝗰𝗲𝘀𝘀.run(…)` *are* exec, eval and subprocess
//! calls; in other languages a Cyrillic or Greek look-alike of a dangerous name is folded to that name
//! (the names stage also reports it as an attack signal). The pattern stage runs the ordinary checks a
//! second time over the folded line and keeps what they find at the original line.
//!
//! Only lines with a non-ASCII byte are looked at (ASCII lines cost one `is_ascii`), in one pass; only
//! identifiers in code are folded, and the folded text keeps every byte offset of the original: a folded name is padded
//! with spaces to the original identifier's length, so lexical regions, columns and conditions line up.

use unicode_normalization::UnicodeNormalization;

use super::names;

/// Longest identifier folded, in bytes.
const MAX_IDENT: usize = 128;

/// A line whose look-alike identifiers read as ASCII names.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Folded {
    /// The line with each folded identifier replaced, padded to its original byte length.
    pub(super) text: String,
    /// The byte spans (in the line) of the identifiers folded.
    pub(super) spans: Vec<(usize, usize)>,
}

impl Folded {
    /// Widens a span of the folded text to cover whole original identifiers it touches.
    pub(super) fn widen(&self, start: usize, end: usize) -> (usize, usize) {
        let mut out = (start, end);
        for &(a, b) in &self.spans {
            if start < b && start >= a {
                out.0 = a;
            }
            if end > a && end <= b {
                out.1 = b;
            }
        }
        out
    }
}

/// Folds the non-ASCII identifiers of `text` that lie in code (`in_code` takes a byte offset in the line):
/// NFKC to an ASCII identifier in Python, a listed dangerous name (NFKC or confusable letters) elsewhere.
/// `None` when the line is ASCII, too long, or nothing folds.
pub(super) fn fold_line(
    text: &str,
    python: bool,
    mut in_code: impl FnMut(usize) -> bool,
) -> Option<Folded> {
    if text.is_ascii() {
        return None;
    }
    // Built in one pass: the text up to `copied` is already in `out`.
    let mut out = String::new();
    let mut spans = Vec::new();
    let mut copied = 0;
    let mut chars = text.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((start, c)) = chars.next() {
        if !is_ident_start(c) || prev.is_some_and(is_ident_char) {
            prev = Some(c);
            continue;
        }
        let mut end = start + c.len_utf8();
        let mut last = c;
        while let Some(&(i, n)) = chars.peek() {
            if !is_ident_char(n) {
                break;
            }
            end = i + n.len_utf8();
            last = n;
            chars.next();
        }
        let ident = &text[start..end];
        let before = prev;
        prev = Some(last);
        if ident.is_ascii() || ident.len() > MAX_IDENT || !in_code(start) {
            continue;
        }
        let Some(name) = fold_ident(ident, python) else {
            continue;
        };
        if name.len() > ident.len() {
            continue;
        }
        if out.is_empty() {
            out.reserve(text.len());
        }
        out.push_str(&text[copied..start]);
        // Pad after an attribute name (`os.𝚜𝚢𝚜𝚝𝚎𝚖(` → `os.system   (`), before anything else
        // (`𝚘𝚜.system` → `   os.system`), so the dotted path stays joined.
        let pad = ident.len() - name.len();
        if before == Some('.') {
            out.push_str(&name);
            out.extend(std::iter::repeat_n(' ', pad));
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&name);
        }
        copied = end;
        spans.push((start, end));
    }
    if spans.is_empty() {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(Folded { text: out, spans })
}

/// What one non-ASCII identifier reads as, if it is an ASCII name.
fn fold_ident(ident: &str, python: bool) -> Option<String> {
    if python {
        let nfkc: String = ident.nfkc().collect();
        let ok = nfkc.is_ascii()
            && nfkc
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && nfkc.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        return ok.then_some(nfkc);
    }
    names::lookalike_name(ident)
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c == '$' || c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(text: &str, python: bool) -> Option<String> {
        fold_line(text, python, |_| true).map(|f| f.text)
    }

    #[test]
    fn python_identifiers_fold_to_what_python_runs() {
        let f = fold("𝚎𝚡𝚎𝚌(payload)", true).unwrap();
        assert_eq!(f.trim_start(), "exec(payload)");
        assert_eq!(f.len(), "𝚎𝚡𝚎𝚌(payload)".len());
        assert_eq!(
            fold("x = ｅｖａｌ(s)", true)
                .unwrap()
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["x", "=", "eval(s)"]
        );
        let f = fold("𝘀𝘂𝗯𝗽𝗿𝗼𝗰𝗲𝘀𝘀.run(cmd, shell=True)", true).unwrap();
        assert!(f.ends_with(" subprocess.run(cmd, shell=True)"), "{f}");
        let f = fold("os.𝚜𝚢𝚜𝚝𝚎𝚖(c)", true).unwrap();
        assert!(f.starts_with("os.system "), "{f}");
    }

    #[test]
    fn strings_comments_and_ordinary_names_stay() {
        assert_eq!(fold("größe = café + 1", true), None);
        assert!(fold_line("print('ｅｖａｌ')", true, |i| i < 6).is_none());
        assert_eq!(fold("x = 1", true), None);
        assert_eq!(fold("const сумма = 1;", false), None);
    }

    #[test]
    fn other_languages_fold_only_dangerous_look_alikes() {
        let f = fold("rеquire('child_process')", false).unwrap();
        assert!(f.contains("require('child_process')"), "{f}");
        assert_eq!(fold("const ｘ = 1;", false), None);
    }

    #[test]
    fn widening_covers_the_original_identifier() {
        let f = fold_line("𝚎𝚡𝚎𝚌(p)", true, |_| true).unwrap();
        assert_eq!(f.spans, vec![(0, 16)]);
        assert_eq!(f.widen(12, 18), (0, 18));
    }
}
