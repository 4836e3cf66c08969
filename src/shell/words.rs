//! Reading one word the way a shell does: quotes removed, escapes resolved (`$'\x72'` included),
//! `$VAR` and `${…}` kept as written, `$(…)` and backticks parsed as commands (and kept as written), and
//! one level of brace expansion (`{rm,-rf,/}` is three words).

use super::parser::{ends_word, parse_in_function, Parser, Term};
use super::{Script, MAX_DEPTH};

/// A word being read: its bytes, and a brace expansion (`{rm,-rf,/}`) seen outside quotes.
#[derive(Default)]
pub(super) struct Word {
    pub(super) text: Vec<u8>,
    /// No quotes, escapes or expansions: a reserved word or `}` can only be plain.
    pub(super) plain: bool,
    /// A `$` in the text is quoted (`'$HOME'`, `\$x`, `"\$x"`, `$'\x24'`): literal, not an expansion.
    pub(super) literal_dollar: bool,
    /// The word holds an expansion (`$x`, `${x}`, `$(…)`, a backtick) outside single quotes.
    pub(super) expands: bool,
    brace_open: Option<usize>,
    brace_commas: Vec<usize>,
    brace_close: Option<usize>,
    brace_broken: bool,
}

impl Word {
    pub(super) fn into_words(self) -> Vec<String> {
        let lossy = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        match (self.brace_open, self.brace_close) {
            (Some(open), Some(close))
                if !self.brace_broken && !self.brace_commas.is_empty() && close > open =>
            {
                let prefix = &self.text[..open];
                let suffix = &self.text[close + 1..];
                let mut bounds = vec![open];
                bounds.extend(&self.brace_commas);
                bounds.push(close);
                bounds
                    .windows(2)
                    .map(|w| {
                        let mut word = prefix.to_vec();
                        word.extend_from_slice(&self.text[w[0] + 1..w[1]]);
                        word.extend_from_slice(suffix);
                        lossy(&word)
                    })
                    .collect()
            }
            _ => vec![lossy(&self.text)],
        }
    }

    pub(super) fn is_assignment(&self) -> bool {
        let text = &self.text;
        let name_end = text
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
            .unwrap_or(text.len());
        name_end > 0
            && !text[0].is_ascii_digit()
            && (text[name_end..].starts_with(b"=") || text[name_end..].starts_with(b"+="))
    }
}

impl Parser<'_> {
    pub(super) fn word(&mut self, script: &mut Script) -> Word {
        let mut word = Word {
            plain: true,
            ..Word::default()
        };
        while let Some(b) = self.peek() {
            if ends_word(b) {
                break;
            }
            match b {
                b'\\' => {
                    word.plain = false;
                    self.pos += 1;
                    match self.peek() {
                        Some(b'\n') => self.pos += 1,
                        Some(c) => {
                            word.literal_dollar |= c == b'$';
                            word.text.push(c);
                            self.pos += 1;
                        }
                        None => {}
                    }
                }
                b'\'' => {
                    word.plain = false;
                    self.pos += 1;
                    let end = memchr::memchr(b'\'', self.rest()).map_or_else(
                        || {
                            script.opaque = true;
                            self.src.len()
                        },
                        |i| self.pos + i,
                    );
                    let quoted = &self.src[self.pos..end];
                    word.literal_dollar |= memchr::memchr(b'$', quoted).is_some();
                    word.text.extend_from_slice(quoted);
                    self.pos = (end + 1).min(self.src.len());
                }
                b'"' => {
                    word.plain = false;
                    self.pos += 1;
                    let start = self.pos;
                    self.double_quoted(script, &mut word.text);
                    let inside = &self.src[start..self.pos.min(self.src.len())];
                    let mut escaped = false;
                    for &c in inside {
                        match c {
                            b'$' | b'`' if escaped => word.literal_dollar = true,
                            b'$' | b'`' => word.expands = true,
                            _ => {}
                        }
                        escaped = c == b'\\' && !escaped;
                    }
                }
                b'$' => {
                    word.plain = false;
                    match self.peek_at(1) {
                        Some(b'\'') => {
                            let before = word.text.len();
                            self.dollar(script, &mut word.text, false);
                            word.literal_dollar |= word.text[before..].contains(&b'$');
                        }
                        Some(b'"') => self.dollar(script, &mut word.text, false),
                        _ => {
                            word.expands = true;
                            self.dollar(script, &mut word.text, false);
                        }
                    }
                }
                b'`' => {
                    word.plain = false;
                    word.expands = true;
                    self.backtick(script, &mut word.text);
                }
                _ => {
                    match b {
                        b'{' if word.brace_open.is_some() && word.brace_close.is_none() => {
                            word.brace_broken = true
                        }
                        b'{' if word.brace_open.is_none() => {
                            word.brace_open = Some(word.text.len())
                        }
                        b',' if word.brace_open.is_some() && word.brace_close.is_none() => {
                            word.brace_commas.push(word.text.len())
                        }
                        b'}' if word.brace_open.is_some() && word.brace_close.is_none() => {
                            word.brace_close = Some(word.text.len())
                        }
                        _ => {}
                    }
                    word.text.push(b);
                    self.pos += 1;
                }
            }
        }
        word
    }

    pub(super) fn double_quoted(&mut self, script: &mut Script, out: &mut Vec<u8>) {
        while let Some(b) = self.peek() {
            match b {
                b'"' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => match self.peek_at(1) {
                    Some(b'\n') => self.pos += 2,
                    Some(c @ (b'$' | b'`' | b'"' | b'\\')) => {
                        out.push(c);
                        self.pos += 2;
                    }
                    _ => {
                        out.push(b'\\');
                        self.pos += 1;
                    }
                },
                b'$' => self.dollar(script, out, true),
                b'`' => self.backtick(script, out),
                _ => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
        // The closing quote is missing.
        script.opaque = true;
    }

    /// At `$`: an expansion. Substitutions are parsed (their commands recorded) and kept as written.
    pub(super) fn dollar(&mut self, script: &mut Script, out: &mut Vec<u8>, in_quotes: bool) {
        let start = self.pos;
        match self.peek_at(1) {
            Some(b'\'') if !in_quotes => {
                self.pos += 2;
                if !self.ansi_c(out) {
                    script.opaque = true;
                }
            }
            Some(b'"') if !in_quotes => self.pos += 1,
            Some(b'(') if self.peek_at(2) == Some(b'(') => {
                // Arithmetic runs the substitutions inside it; `$((cmd) …)` is a substitution.
                let at = self.checkpoint(script);
                self.pos += 3;
                if !self.arithmetic(script, b')') && self.restore(script, at) {
                    self.pos += 2;
                    self.nested_list(script, Term::Paren);
                }
                out.extend_from_slice(&self.src[start..self.pos.min(self.src.len())]);
            }
            Some(b'[') => {
                self.pos += 2;
                if !self.arithmetic(script, b']') {
                    script.opaque = true;
                }
                out.extend_from_slice(&self.src[start..self.pos.min(self.src.len())]);
            }
            Some(b'(') => {
                self.pos += 2;
                self.nested_list(script, Term::Paren);
                out.extend_from_slice(&self.src[start..self.pos.min(self.src.len())]);
            }
            Some(b'{') if self.depth >= MAX_DEPTH => {
                script.opaque = true;
                self.pos = self.src.len();
                out.extend_from_slice(&self.src[start..]);
            }
            Some(b'{') => {
                self.pos += 2;
                self.depth += 1;
                let mut depth = 1usize;
                let mut scratch = Vec::new();
                while let Some(b) = self.peek() {
                    match b {
                        b'}' => {
                            self.pos += 1;
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        b'{' => {
                            depth += 1;
                            self.pos += 1;
                        }
                        b'$' => self.dollar(script, &mut scratch, true),
                        b'`' => self.backtick(script, &mut scratch),
                        b'\\' => self.pos += 2,
                        _ => self.pos += 1,
                    }
                }
                self.depth -= 1;
                if depth > 0 {
                    script.opaque = true;
                }
                self.pos = self.pos.min(self.src.len());
                out.extend_from_slice(&self.src[start..self.pos]);
            }
            Some(c)
                if c.is_ascii_digit()
                    || matches!(c, b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-') =>
            {
                self.pos += 2;
                out.extend_from_slice(&self.src[start..self.pos]);
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                self.pos += 1;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
                {
                    self.pos += 1;
                }
                out.extend_from_slice(&self.src[start..self.pos]);
            }
            _ => {
                out.push(b'$');
                self.pos += 1;
            }
        }
    }

    /// The body of `$'…'` (after the opening quote), escapes resolved; false when it is not closed.
    fn ansi_c(&mut self, out: &mut Vec<u8>) -> bool {
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\'' => return true,
                b'\\' => {
                    let Some(c) = self.peek() else { return false };
                    self.pos += 1;
                    let simple = match c {
                        b'n' => Some(b'\n'),
                        b't' => Some(b'\t'),
                        b'r' => Some(b'\r'),
                        b'a' => Some(7),
                        b'b' => Some(8),
                        b'e' | b'E' => Some(27),
                        b'f' => Some(12),
                        b'v' => Some(11),
                        b'\\' | b'\'' | b'"' | b'?' => Some(c),
                        _ => None,
                    };
                    if let Some(byte) = simple {
                        out.push(byte);
                        continue;
                    }
                    let (radix, max, skip_first) = match c {
                        b'x' => (16, 2, true),
                        b'u' => (16, 4, true),
                        b'U' => (16, 8, true),
                        b'0'..=b'7' => (8, 3, false),
                        b'c' => {
                            if let Some(ctl) = self.peek() {
                                self.pos += 1;
                                out.push(ctl & 0x1f);
                            }
                            continue;
                        }
                        _ => {
                            out.extend_from_slice(&[b'\\', c]);
                            continue;
                        }
                    };
                    if !skip_first {
                        self.pos -= 1;
                    }
                    let digits = self
                        .rest()
                        .iter()
                        .take(max)
                        .take_while(|d| (**d as char).is_digit(radix))
                        .count();
                    let value = std::str::from_utf8(&self.rest()[..digits])
                        .ok()
                        .and_then(|d| u32::from_str_radix(d, radix).ok());
                    self.pos += digits;
                    match value {
                        Some(v) if c == b'x' || (b'0'..=b'7').contains(&c) => {
                            out.push((v & 0xff) as u8)
                        }
                        Some(v) => {
                            if let Some(ch) = char::from_u32(v) {
                                let mut buf = [0u8; 4];
                                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                            }
                        }
                        None => out.extend_from_slice(&[b'\\', c]),
                    }
                }
                _ => out.push(b),
            }
        }
        false
    }

    /// At a backtick: the old form of `$(…)`; its text is unescaped and parsed one level deeper.
    pub(super) fn backtick(&mut self, script: &mut Script, out: &mut Vec<u8>) {
        let start = self.pos;
        self.pos += 1;
        let mut inner = Vec::new();
        let mut closed = false;
        while let Some(b) = self.peek() {
            match b {
                b'`' => {
                    self.pos += 1;
                    closed = true;
                    break;
                }
                b'\\' if matches!(self.peek_at(1), Some(b'`' | b'\\' | b'$')) => {
                    inner.push(self.src[self.pos + 1]);
                    self.pos += 2;
                }
                _ => {
                    inner.push(b);
                    self.pos += 1;
                }
            }
        }
        if !closed {
            script.opaque = true;
        }
        out.extend_from_slice(&self.src[start..self.pos]);
        parse_in_function(
            &String::from_utf8_lossy(&inner),
            self.depth + 1,
            script,
            self.function.clone(),
        );
    }
}
