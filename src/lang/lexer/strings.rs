//! String literals for the [`Lexer`]: which quote opens which literal (prefixes, raw strings, heredoc
//! and Perl quote forms), and where each closes.

use super::{utf8_len, Close, Escape, Frame, Lexer, Region, StrKind};
use crate::lang::syntax::{Backtick, Hash, Interp, Single};

impl Lexer<'_, '_> {
    /// Decides whether a quote at `i` opens a literal, and which; returns where its body starts.
    pub(super) fn string_start(&self, i: usize) -> Option<(usize, StrKind)> {
        let bytes = self.bytes;
        let s = self.syntax;
        let q = bytes[i];
        let plain = StrKind {
            close: Close::Byte(q),
            escape: Escape::Backslash,
            multiline: s.multiline,
            interp: Interp::None,
            brace_interp: false,
        };
        let prefix = prefix_before(bytes, i);
        if s.triple && q != b'`' && bytes[i..].starts_with(&[q, q, q]) {
            let raw = prefix.contains(&b'r') || prefix.contains(&b'R');
            let f = prefix.contains(&b'f') || prefix.contains(&b'F');
            return Some((
                i + 3,
                StrKind {
                    close: Close::Triple(q),
                    escape: if raw { Escape::None } else { Escape::Backslash },
                    multiline: true,
                    interp: s.interp,
                    brace_interp: f,
                },
            ));
        }
        match q {
            b'`' => match s.backtick {
                Backtick::Code => None,
                Backtick::Template => Some((
                    i + 1,
                    StrKind {
                        multiline: true,
                        interp: Interp::DollarBrace,
                        ..plain
                    },
                )),
                Backtick::Raw => Some((
                    i + 1,
                    StrKind {
                        multiline: true,
                        escape: Escape::None,
                        ..plain
                    },
                )),
            },
            b'\'' => match s.single {
                Single::Raw => Some((
                    i + 1,
                    StrKind {
                        escape: Escape::None,
                        multiline: true,
                        ..plain
                    },
                )),
                Single::Str => {
                    let raw = s.prefixes && (prefix.contains(&b'r') || prefix.contains(&b'R'));
                    let f = s.prefixes && (prefix.contains(&b'f') || prefix.contains(&b'F'));
                    let escape = if raw { Escape::None } else { Escape::Backslash };
                    Some((
                        i + 1,
                        StrKind {
                            escape,
                            brace_interp: f,
                            ..plain
                        },
                    ))
                }
                Single::Char => {
                    let next = bytes.get(i + 1).copied()?;
                    if next == b'\\' {
                        return Some((
                            i + 1,
                            StrKind {
                                multiline: false,
                                ..plain
                            },
                        ));
                    }
                    let char_len = utf8_len(next);
                    (bytes.get(i + 1 + char_len) == Some(&b'\'')).then_some((
                        i + 1,
                        StrKind {
                            multiline: false,
                            ..plain
                        },
                    ))
                }
            },
            _ => {
                if s.prefixes {
                    if let Some(kind) = self.prefixed_double(i, prefix, plain) {
                        return Some(kind);
                    }
                }
                let escape = if s.interp == Interp::PowerShell {
                    Escape::Backtick
                } else {
                    Escape::Backslash
                };
                Some((
                    i + 1,
                    StrKind {
                        interp: s.interp,
                        escape,
                        ..plain
                    },
                ))
            }
        }
    }

    /// Rust `r#"…"#`, C# `@"…"`/`$"…"`, C++ `R"d(…)d"`, Python `r"…"`/`f"…"`.
    pub(super) fn prefixed_double(
        &self,
        i: usize,
        prefix: &[u8],
        plain: StrKind,
    ) -> Option<(usize, StrKind)> {
        let bytes = self.bytes;
        let hashes = bytes[..i].iter().rev().take_while(|&&b| b == b'#').count();
        let before_hashes = &bytes[..i - hashes];
        let rust_prefix = prefix_before(before_hashes, before_hashes.len());
        if rust_prefix.ends_with(b"r")
            && (rust_prefix.len() == 1 || rust_prefix == b"br" || rust_prefix == b"cr")
        {
            return Some((
                i + 1,
                StrKind {
                    close: Close::RustRaw(hashes),
                    escape: Escape::None,
                    multiline: true,
                    ..plain
                },
            ));
        }
        if prefix.ends_with(b"R") && !self.syntax.hash.eq(&Hash::Anywhere) {
            let open = memchr::memchr(b'(', &bytes[i + 1..(i + 18).min(bytes.len())])?;
            return Some((
                i + 2 + open,
                StrKind {
                    close: Close::CppRaw(i + 1, open),
                    escape: Escape::None,
                    multiline: true,
                    ..plain
                },
            ));
        }
        let verbatim = prefix.contains(&b'@');
        let dollar = prefix.contains(&b'$');
        let python_raw = self.syntax.hash == Hash::Anywhere
            && (prefix.contains(&b'r') || prefix.contains(&b'R'));
        let python_f = self.syntax.hash == Hash::Anywhere
            && (prefix.contains(&b'f') || prefix.contains(&b'F'));
        if verbatim || dollar || python_raw || python_f {
            let escape = if verbatim {
                Escape::Doubled
            } else if python_raw {
                Escape::None
            } else {
                Escape::Backslash
            };
            return Some((
                i + 1,
                StrKind {
                    escape,
                    multiline: verbatim,
                    brace_interp: dollar || python_f,
                    ..plain
                },
            ));
        }
        None
    }

    /// Lexes a string whose span starts at `span_start` and whose body starts at `body`; returns where
    /// lexing continues (after the string, or inside an interpolation, with a frame pushed).
    pub(super) fn string(
        &mut self,
        mut span_start: usize,
        body: usize,
        kind: StrKind,
        stack: &mut Vec<Frame>,
    ) -> usize {
        let bytes = self.bytes;
        let len = bytes.len();
        let mut i = body;
        while i < len {
            let b = bytes[i];
            if kind.interp == Interp::BackslashParen
                && b == b'\\'
                && bytes.get(i + 1) == Some(&b'(')
            {
                self.mark(span_start, i, Region::String);
                stack.push(Frame {
                    closer: b')',
                    opener: b'(',
                    depth: 0,
                    resume: kind,
                });
                return i + 2;
            }
            if (kind.escape == Escape::Backslash && b == b'\\')
                || (kind.escape == Escape::Backtick && b == b'`')
            {
                i += 2;
                continue;
            }
            if b == b'\n' && !kind.multiline {
                self.mark(span_start, i, Region::String);
                return i;
            }
            if let Some(end) = self.closes_at(i, kind) {
                self.mark(span_start, end, Region::String);
                return end;
            }
            let next = bytes.get(i + 1).copied().unwrap_or(0);
            let frame = match kind.interp {
                Interp::DollarBrace | Interp::Shell | Interp::Dollar | Interp::PowerShell
                    if b == b'$' && next == b'{' =>
                {
                    Some((2, b'{', b'}'))
                }
                Interp::Shell | Interp::PowerShell if b == b'$' && next == b'(' => {
                    Some((2, b'(', b')'))
                }
                Interp::Shell if b == b'`' => Some((1, b'`', b'`')),
                Interp::HashBrace if b == b'#' && next == b'{' => Some((2, b'{', b'}')),
                _ if kind.brace_interp && b == b'{' && next != b'{' => Some((1, b'{', b'}')),
                _ => None,
            };
            if let Some((skip, opener, closer)) = frame {
                self.mark(span_start, i, Region::String);
                stack.push(Frame {
                    closer,
                    opener,
                    depth: 0,
                    resume: kind,
                });
                return i + skip;
            }
            if matches!(
                kind.interp,
                Interp::Shell | Interp::Dollar | Interp::PowerShell
            ) && b == b'$'
                && (next.is_ascii_alphabetic() || next == b'_')
            {
                // `$NAME` inside a string is a variable read: code.
                self.mark(span_start, i, Region::String);
                let mut j = i + 1;
                let scoped = kind.interp == Interp::PowerShell;
                while j < len
                    && (bytes[j].is_ascii_alphanumeric()
                        || bytes[j] == b'_'
                        || (scoped && bytes[j] == b':'))
                {
                    j += 1;
                }
                span_start = j;
                i = j;
                continue;
            }
            if kind.brace_interp && b == b'{' && next == b'{' {
                i += 2;
                continue;
            }
            i += 1;
        }
        self.mark(span_start, len, Region::String);
        len
    }

    pub(super) fn closes_at(&self, i: usize, kind: StrKind) -> Option<usize> {
        let bytes = self.bytes;
        match kind.close {
            Close::Byte(q) if bytes[i] == q => {
                if kind.escape == Escape::Doubled && bytes.get(i + 1) == Some(&q) {
                    return None;
                }
                Some(i + 1)
            }
            Close::Triple(q) if bytes[i..].starts_with(&[q, q, q]) => Some(i + 3),
            Close::RustRaw(hashes) if bytes[i] == b'"' => {
                let after = &bytes[i + 1..];
                (after.len() >= hashes && after[..hashes].iter().all(|&b| b == b'#'))
                    .then_some(i + 1 + hashes)
            }
            Close::CppRaw(delim_at, delim_len) if bytes[i] == b')' => {
                let delim = &bytes[delim_at..delim_at + delim_len];
                let after = &bytes[i + 1..];
                (after.starts_with(delim) && after.get(delim_len) == Some(&b'"'))
                    .then_some(i + 2 + delim_len)
            }
            _ => None,
        }
    }
}

/// The identifier-ish letters right before a quote (`r`, `f`, `br`, `@`, `$`, `R`), if they stand alone.
fn prefix_before(bytes: &[u8], i: usize) -> &[u8] {
    let mut start = i;
    while start > 0
        && i - start < 3
        && matches!(bytes[start - 1], b'a'..=b'z' | b'A'..=b'Z' | b'@' | b'$')
    {
        start -= 1;
    }
    if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
        return &[];
    }
    &bytes[start..i]
}

/// The end of a Perl `q(…)`, `qq{…}` or `qw[…]` literal starting at `i`, if one starts there. A literal
/// that never closes marks its closing byte in `unclosed`, and later ones with that byte are not
/// searched for again: at worst one of them is lexed as code, which hides nothing from code checks.
pub(super) fn perl_quote_end(bytes: &[u8], i: usize, unclosed: &mut [bool; 256]) -> Option<usize> {
    if i > 0
        && (bytes[i - 1].is_ascii_alphanumeric()
            || matches!(bytes[i - 1], b'_' | b'$' | b'@' | b'%' | b'&' | b'>' | b':'))
    {
        return None;
    }
    let mut j = i + 1;
    if matches!(bytes.get(j), Some(b'q' | b'w')) {
        j += 1;
    }
    let open = *bytes.get(j)?;
    let close = match open {
        b'(' => b')',
        b'[' => b']',
        b'{' => b'}',
        b'<' => b'>',
        b'/' | b'|' | b'!' | b'#' | b'\'' | b'"' | b'~' | b'^' => open,
        _ => return None,
    };
    if unclosed[close as usize] {
        return None;
    }
    let mut depth = 0u32;
    let mut k = j + 1;
    while k < bytes.len() {
        let c = bytes[k];
        if c == b'\\' {
            k += 2;
            continue;
        }
        if c == open && open != close {
            depth += 1;
        } else if c == close {
            if depth == 0 {
                return Some(k + 1);
            }
            depth -= 1;
        }
        k += 1;
    }
    unclosed[close as usize] = true;
    None
}
