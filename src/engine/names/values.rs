//! Folding helpers over values: indexing, reversal, joins, character codes and bounded decoders.

use super::eval::Val;
use super::tokens::MAX_LITERAL;

pub(super) fn index<T>(mut items: Vec<T>, n: i64) -> Option<T> {
    let len = items.len() as i64;
    let k = if n < 0 { len + n } else { n };
    (0..len).contains(&k).then(|| items.swap_remove(k as usize))
}

pub(super) fn reverse(v: Val) -> Val {
    match v {
        Val::Str(s, _) => Val::Str(s.chars().rev().collect(), true),
        Val::List(mut items, _) => {
            items.reverse();
            Val::List(items, true)
        }
        _ => Val::Unknown,
    }
}

pub(super) fn join(list: Val, sep: &str) -> Val {
    let Val::List(items, hidden) = list else {
        return Val::Unknown;
    };
    let mut out = String::new();
    for (k, item) in items.iter().enumerate() {
        let Val::Str(s, _) = item else {
            return Val::Unknown;
        };
        if k > 0 {
            out.push_str(sep);
        }
        out.push_str(s);
        if out.len() > MAX_LITERAL {
            return Val::Unknown;
        }
    }
    Val::Str(out, hidden || items.len() > 1)
}

/// Characters of integer codes (`chr`, `fromCharCode`, `bytes([...])`).
pub(super) fn chars(args: &[Val]) -> Val {
    let mut out = String::new();
    for a in args.iter().take(MAX_LITERAL) {
        match a {
            Val::Int(n) => match u32::try_from(*n).ok().and_then(char::from_u32) {
                Some(c) => out.push(c),
                None => return Val::Unknown,
            },
            Val::List(items, _) => match chars(items) {
                Val::Str(s, _) => out.push_str(&s),
                _ => return Val::Unknown,
            },
            _ => return Val::Unknown,
        }
    }
    Val::Str(out, true)
}

pub(super) fn decode_str(v: &Val, decode: fn(&str) -> Option<Vec<u8>>) -> Val {
    let Val::Str(s, _) = v else {
        return Val::Unknown;
    };
    match decode(s).and_then(|bytes| String::from_utf8(bytes).ok()) {
        Some(text) if text.len() <= MAX_LITERAL => Val::Str(text, true),
        _ => Val::Unknown,
    }
}

pub(super) fn hex(s: &str) -> Option<Vec<u8>> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !s.len().is_multiple_of(2) || s.len() > MAX_LITERAL * 2 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|k| u8::from_str_radix(s.get(k..k + 2)?, 16).ok())
        .collect()
}

pub(super) fn b64(s: &str) -> Option<Vec<u8>> {
    if s.len() > MAX_LITERAL * 2 {
        return None;
    }
    crate::engine::decode::codec::base64(s.trim().as_bytes())
}

pub(super) fn rot13(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' => (((c as u8 - b'a') + 13) % 26 + b'a') as char,
            'A'..='Z' => (((c as u8 - b'A') + 13) % 26 + b'A') as char,
            _ => c,
        })
        .collect()
}
