//! Evaluating a check's conditions (`requires`, `unless`, `adjust`) around a match: the text before and
//! after it, the line, the call's arguments followed across lines, or the whole file.

use super::FileContext;
use crate::checks::compile::LazyRegex;
use crate::checks::{Condition, Target};
use crate::model::AddedLine;

/// How far past a match the `after` condition target may look, in bytes.
const AFTER_LIMIT: usize = 1024;
/// How far past a match the `args` condition target may look, in bytes.
const ARGS_LIMIT: usize = 4096;
/// How many lines past a match the `kept_after` target looks for the line it asks about.
const KEPT_LINES: u32 = 12;
/// How many bytes past a match the `kept_after` target reads at most.
const KEPT_LIMIT: usize = 4096;
/// How far from a match the `before` and `rest` targets look on a long line, in bytes. Conditions on a
/// line that is no longer than this see it whole, as written; on a longer (minified, generated) line
/// each match sees this much on each side, so that the work per match is bounded and a megabyte line
/// costs a megabyte of work, not a megabyte per match.
pub(super) const WINDOW: usize = 1024;

/// What a condition says when it could only look at part of its target: `requires` then holds (the
/// finding stays), `unless` and `adjust` do not (nothing is silenced or changed on a guess).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OnDoubt {
    /// Holds unless the part seen proves it false.
    Holds,
    /// Fails unless the part seen proves it true.
    Fails,
}

/// Evaluates a condition for the match at `start..end` of `text` (an added line).
pub(super) fn holds(
    cond: &Condition,
    ctx: &mut FileContext<'_>,
    line: &AddedLine,
    text: &str,
    (start, end): (usize, usize),
    doubt: OnDoubt,
) -> bool {
    let regex = &cond.regex;
    match cond.target {
        Target::Match => regex.is_match(&text.as_bytes()[start..end]),
        Target::Rest if text.len() - start <= WINDOW => {
            ctx.stats.condition_bytes += text.len() - start;
            regex.is_match(&text.as_bytes()[start..])
        }
        Target::Rest => {
            let window = &text[start..floor_char(text, start + WINDOW)];
            ctx.stats.condition_bytes += window.len();
            proven_ahead(regex, window).unwrap_or(doubt == OnDoubt::Holds)
        }
        Target::Before if start <= WINDOW => {
            ctx.stats.condition_bytes += start;
            regex.is_match(&text.as_bytes()[..start])
        }
        Target::Before => {
            let from = floor_char(text, start - WINDOW);
            let window = &text[from..start];
            ctx.stats.condition_bytes += window.len();
            // The window's first character is context only: a match that starts after it is a match in
            // the whole text (its look-behind sees what the whole text has there).
            let first = window.chars().next().map_or(0, char::len_utf8);
            if regex.is_match_at(window.as_bytes(), first) {
                true
            } else {
                doubt == OnDoubt::Holds
            }
        }
        Target::Line if text.len() <= WINDOW => {
            ctx.stats.condition_bytes += text.len();
            regex.is_match(text.as_bytes())
        }
        Target::Line => {
            // Independent of the match: worked out once per line and condition.
            let key = std::ptr::from_ref(cond) as usize;
            if let Some(&(_, known)) = ctx.line_conditions.iter().find(|(k, _)| *k == key) {
                return known;
            }
            ctx.stats.condition_bytes += text.len();
            let result = regex.is_match(text.as_bytes());
            ctx.line_conditions.push((key, result));
            result
        }
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
            ctx.stats.condition_bytes += to - from;
            regex.is_match(&text.as_bytes()[from..to])
        }
        Target::Args => {
            let (args, cut) = call_args(
                &ctx.file.text,
                line.start + start,
                line.start + end,
                line.end,
                ctx.known_end(line.start),
            );
            ctx.stats.condition_bytes += args.len();
            if cut {
                proven_ahead(regex, args).unwrap_or(doubt == OnDoubt::Holds)
            } else {
                regex.is_match(args.as_bytes())
            }
        }
        Target::KeptAfter => kept_after(regex, ctx, line).unwrap_or(doubt == OnDoubt::Holds),
        Target::NewFile(slot) => {
            if let Some(known) = ctx.file_conditions[slot] {
                return known;
            }
            let text = ctx.new_text.unwrap_or(&ctx.file.text);
            let result = regex.is_match(text.as_bytes());
            ctx.file_conditions[slot] = Some(result);
            result
        }
        Target::File(slot) => {
            if let Some(known) = ctx.file_conditions[slot] {
                return known;
            }
            let result = regex.is_match(ctx.file.text.as_bytes());
            ctx.file_conditions[slot] = Some(result);
            result
        }
    }
}

/// `kept_after` (removed lines only: `ctx.file` is the old version and its "added" lines are the removed
/// ones): whether the first of the next [`KEPT_LINES`] lines after `line` that `regex` matches is kept by
/// the change (not among the removed lines) — the view a removed decorator applied to still exists.
/// `None` when no such line lies within reach.
fn kept_after(regex: &LazyRegex, ctx: &mut FileContext<'_>, line: &AddedLine) -> Option<bool> {
    let text = ctx.file.text.as_bytes();
    let limit = text.len().min(line.end.saturating_add(KEPT_LIMIT));
    let mut at = line.end;
    let mut number = line.number;
    for _ in 0..KEPT_LINES {
        // Past the terminator of the line at `at`.
        let next = at + memchr::memchr(b'\n', text.get(at..limit)?)? + 1;
        let end = next + memchr::memchr(b'\n', &text[next..limit]).unwrap_or(limit - next);
        number += 1;
        ctx.stats.condition_bytes += end - next;
        let candidate = text[next..end]
            .strip_suffix(b"\r")
            .unwrap_or(&text[next..end]);
        if regex.is_match(candidate) {
            let removed = ctx
                .file
                .added
                .binary_search_by_key(&number, |l| l.number)
                .is_ok();
            return Some(!removed);
        }
        at = end;
    }
    None
}

/// Runs `regex` on `window`, the first part of a longer text: `Some(true)` when a match ends before the
/// window does (its look-ahead saw real text, so the whole text matches too), `None` when that cannot
/// be told from the window.
fn proven_ahead(regex: &LazyRegex, window: &str) -> Option<bool> {
    regex
        .find_iter(window.as_bytes())
        .any(|(_, end)| end < window.len())
        .then_some(true)
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
) -> (&str, bool) {
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
            return (&text[open..close], false);
        } else {
            // The rest of the line, as far as the limit.
            let from = match_end.min(line_end);
            let to = floor_char(text, line_end.min(from + ARGS_LIMIT));
            return (&text[from..to], to < line_end);
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
                        return (&text[open..i], false);
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
    // Cut short only when the limit, not the known text, stopped the search.
    (&text[open..end], limit < known_end.min(text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_args_follows_parentheses_across_lines() {
        let text = "run(\n  [\"a\", x],\n  shell=True)\nnext";
        assert_eq!(
            call_args(text, 0, 4, 4, text.len()).0,
            "\n  [\"a\", x],\n  shell=True"
        );
        let text = "system \"ls #{x}\"";
        assert_eq!(
            call_args(text, 0, 6, text.len(), text.len()).0,
            " \"ls #{x}\""
        );
        let text = "f (a, \")\", b) c";
        assert_eq!(
            call_args(text, 0, 1, text.len(), text.len()).0,
            "a, \")\", b"
        );
        let text = "danger(root) + 1";
        assert_eq!(call_args(text, 0, 12, text.len(), text.len()).0, "root");
        let text = "require('child_process').exec(cmd)";
        assert_eq!(call_args(text, 0, 30, text.len(), text.len()).0, "cmd");
    }
}
