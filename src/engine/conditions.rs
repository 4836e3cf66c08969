//! Evaluating a check's conditions (`requires`, `unless`, `adjust`) around a match: the text before and
//! after it, the line, the call's arguments followed across lines, or the whole file.

use super::FileContext;
use crate::checks::{Condition, Target};
use crate::model::AddedLine;

/// How far past a match the `after` condition target may look, in bytes.
const AFTER_LIMIT: usize = 1024;
/// How far past a match the `args` condition target may look, in bytes.
const ARGS_LIMIT: usize = 4096;
/// Evaluates a condition for the match at `start..end` of `text` (an added line).
pub(super) fn holds(
    cond: &Condition,
    ctx: &mut FileContext<'_>,
    line: &AddedLine,
    text: &str,
    start: usize,
    end: usize,
) -> bool {
    let target: &str = match cond.target {
        Target::Match => &text[start..end],
        Target::Rest => &text[start..],
        Target::Before => &text[..start],
        Target::Line => text,
        Target::After => {
            let from = line.start + end;
            let text = &ctx.file.text;
            let mut to = ctx
                .known_end(line.start)
                .min(from + AFTER_LIMIT)
                .min(text.len());
            while !text.is_char_boundary(to) {
                to -= 1;
            }
            &text[from..to]
        }
        Target::Args => call_args(
            &ctx.file.text,
            line.start + start,
            line.start + end,
            line.end,
            ctx.known_end(line.start),
        ),
        Target::File(slot) => {
            if let Some(known) = ctx.file_conditions[slot] {
                return known;
            }
            let result = cond.regex.get().is_match(ctx.file.text.as_bytes());
            ctx.file_conditions[slot] = Some(result);
            return result;
        }
    };
    cond.regex.get().is_match(target.as_bytes())
}

/// The nearest character boundary at or before `i`.
pub(super) fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The nearest character boundary at or after `i`.
pub(super) fn ceil_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The arguments of the call a match names: after the innermost `(` the match leaves open; else after a
/// `(` right behind the match; else inside the last parenthesized group the match holds; else the rest
/// of the line after the match. Followed across lines up to [`ARGS_LIMIT`] bytes of known text.
pub(super) fn call_args(
    text: &str,
    match_start: usize,
    match_end: usize,
    line_end: usize,
    known_end: usize,
) -> &str {
    let bytes = text.as_bytes();
    let mut open_stack: Vec<usize> = Vec::new();
    let mut last_group = None;
    for (i, &b) in bytes[match_start..match_end].iter().enumerate() {
        match b {
            b'(' => open_stack.push(match_start + i + 1),
            b')' => {
                if let Some(open) = open_stack.pop() {
                    if open_stack.is_empty() {
                        last_group = Some((open, match_start + i));
                    }
                }
            }
            _ => {}
        }
    }
    let open = if let Some(&open) = open_stack.last() {
        open
    } else {
        let mut i = match_end;
        while i < line_end && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        if i < line_end && bytes[i] == b'(' {
            i + 1
        } else if let Some((open, close)) = last_group {
            return &text[open..close];
        } else {
            return &text[match_end.min(line_end)..line_end];
        }
    };
    let limit = known_end.min(open + ARGS_LIMIT).min(text.len());
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let mut i = open;
    while i < limit {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 1;
            } else if b == q {
                quote = None;
            }
        } else {
            match b {
                b'"' | b'\'' | b'`' => quote = Some(b),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    if depth == 0 {
                        return &text[open..i];
                    }
                    depth -= 1;
                }
                _ => {}
            }
        }
        i += 1;
    }
    let mut end = limit.max(open);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[open..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_args_follows_parentheses_across_lines() {
        let text = "run(\n  [\"a\", x],\n  shell=True)\nnext";
        assert_eq!(
            call_args(text, 0, 4, 4, text.len()),
            "\n  [\"a\", x],\n  shell=True"
        );
        let text = "system \"ls #{x}\"";
        assert_eq!(
            call_args(text, 0, 6, text.len(), text.len()),
            " \"ls #{x}\""
        );
        let text = "f (a, \")\", b) c";
        assert_eq!(call_args(text, 0, 1, text.len(), text.len()), "a, \")\", b");
        let text = "danger(root) + 1";
        assert_eq!(call_args(text, 0, 12, text.len(), text.len()), "root");
        let text = "require('child_process').exec(cmd)";
        assert_eq!(call_args(text, 0, 30, text.len(), text.len()), "cmd");
    }
}
