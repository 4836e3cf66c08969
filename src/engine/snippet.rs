//! Turning a matched line into what people see: the line trimmed, shortened around the match, with every
//! secret on it masked, and where the match sits in that shortened text.

/// Longest snippet, in characters, before it is cut around the match.
const MAX_SNIPPET_CHARS: usize = 200;
/// Characters kept before the match when a long line is cut.
const LEAD_CHARS: usize = 60;

/// The visible part of a secret: at most 4 characters, fewer for short values, then a fixed mask.
pub fn mask_secret(secret: &str) -> String {
    let visible = (secret.chars().count() / 4).min(4);
    let prefix: String = secret.chars().take(visible).collect();
    format!("{prefix}*****")
}

/// A snippet and where the match is in it (0-based character column and width).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The text to show.
    pub text: String,
    /// Character offset of the match in `text`.
    pub column: usize,
    /// Width of the match in characters (at least 1).
    pub width: usize,
}

/// Replaces characters that would reorder or hide text on a reader's screen (bidirectional controls,
/// zero-width characters) with U+FFFD, one for one, so columns stay right and the snippet shows what is
/// there rather than what it pretends.
fn visible(text: String) -> String {
    let hidden = |c: char| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}');
    if !text.chars().any(hidden) {
        return text;
    }
    text.chars()
        .map(|c| if hidden(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// Renders `line` with the byte ranges in `masks` replaced by [`mask_secret`] of their text, trimmed and
/// cut to [`MAX_SNIPPET_CHARS`] around the match at `start..end` (byte offsets in `line`).
pub fn render(line: &str, masks: &[(usize, usize)], start: usize, end: usize) -> Snippet {
    let mut text = String::with_capacity(line.len().min(1024));
    let mut new_start = None;
    let mut new_end = None;
    let mut pos = 0;
    let mut sorted: Vec<(usize, usize)> = Vec::new();
    if masks.len() > 1 {
        sorted.extend_from_slice(masks);
        sorted.sort_unstable();
    }
    let ordered = if masks.len() > 1 { &sorted[..] } else { masks };
    for &(mask_start, mask_end) in ordered {
        if mask_start < pos || mask_end > line.len() {
            continue;
        }
        copy_mapping(
            line,
            pos,
            mask_start,
            start,
            end,
            &mut text,
            &mut new_start,
            &mut new_end,
        );
        if new_start.is_none() && start < mask_end {
            new_start = Some(text.len());
        }
        text.push_str(&mask_secret(&line[mask_start..mask_end]));
        if new_end.is_none() && end <= mask_end {
            new_end = Some(text.len());
        }
        pos = mask_end;
    }
    copy_mapping(
        line,
        pos,
        line.len(),
        start,
        end,
        &mut text,
        &mut new_start,
        &mut new_end,
    );
    let new_start = new_start.unwrap_or(text.len());
    let new_end = new_end.unwrap_or(text.len()).max(new_start);

    let trimmed_start = text.len() - text.trim_start().len();
    let trimmed_end = text.trim_end().len().max(trimmed_start);
    let body = &text[trimmed_start..trimmed_end];
    let match_start = new_start.saturating_sub(trimmed_start).min(body.len());
    let match_end = new_end
        .saturating_sub(trimmed_start)
        .min(body.len())
        .max(match_start);
    let start_col = body[..match_start].chars().count();
    let width = body[match_start..match_end].chars().count().max(1);
    let total = body.chars().count();
    if total <= MAX_SNIPPET_CHARS {
        return Snippet {
            text: visible(body.to_string()),
            column: start_col,
            width,
        };
    }
    let first = start_col.saturating_sub(LEAD_CHARS);
    let last = (first + MAX_SNIPPET_CHARS).min(total);
    let mut out = String::new();
    let mut column = start_col - first;
    if first > 0 {
        out.push('…');
        column += 1;
    }
    out.extend(body.chars().skip(first).take(last - first));
    if last < total {
        out.push('…');
    }
    let width = width.min(last - start_col.min(last)).max(1);
    Snippet {
        text: visible(out),
        column,
        width,
    }
}

/// Lines up to this many bytes are rendered whole; longer ones from a window around the match.
const WHOLE_LINE_LIMIT: usize = 4096;
/// Bytes kept on each side of the match when rendering from a window (enough for the characters a
/// snippet shows, at four bytes each).
const WINDOW_MARGIN: usize = 1024;

/// Like [`render`], but on a long line only a window around the match is read, so that the work per
/// match does not grow with the line. Returns the snippet and how many bytes of the line it read.
/// Secrets that reach into the window are masked whole (the window widens to take them in).
pub fn render_around(
    line: &str,
    masks: &[(usize, usize)],
    start: usize,
    end: usize,
) -> (Snippet, usize) {
    if line.len() <= WHOLE_LINE_LIMIT {
        return (render(line, masks, start, end), line.len());
    }
    let mut from = start.saturating_sub(WINDOW_MARGIN);
    let mut to = end.saturating_add(WINDOW_MARGIN).min(line.len());
    for &(mask_start, mask_end) in masks {
        if mask_start < to && mask_end > from {
            from = from.min(mask_start);
            to = to.max(mask_end).min(line.len());
        }
    }
    while !line.is_char_boundary(from) {
        from -= 1;
    }
    while !line.is_char_boundary(to) {
        to += 1;
    }
    let shifted: Vec<(usize, usize)> = masks
        .iter()
        .filter(|&&(s, e)| s >= from && e <= to)
        .map(|&(s, e)| (s - from, e - from))
        .collect();
    let mut snippet = render(&line[from..to], &shifted, start - from, end - from);
    // The window cut the line: say so where the snippet does not already.
    if from > 0 && !snippet.text.starts_with('…') {
        snippet.text.insert(0, '…');
        snippet.column += 1;
    }
    if to < line.len() && !snippet.text.ends_with('…') {
        snippet.text.push('…');
    }
    (snippet, to - from)
}

#[allow(clippy::too_many_arguments)]
fn copy_mapping(
    line: &str,
    from: usize,
    to: usize,
    start: usize,
    end: usize,
    text: &mut String,
    new_start: &mut Option<usize>,
    new_end: &mut Option<usize>,
) {
    if from >= to {
        return;
    }
    if new_start.is_none() && (from..to).contains(&start) {
        *new_start = Some(text.len() + (start - from));
    }
    if new_end.is_none() && (from..=to).contains(&end) && end >= start {
        *new_end = Some(text.len() + (end - from));
    }
    text.push_str(&line[from..to]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_keeps_the_match_position() {
        let line = "  key = \"ghp_abcdefghijklmnopqrstuvwxyz0123456789\"; call(x)";
        let secret_start = line.find("ghp_").unwrap();
        let secret_end = secret_start + 40;
        let call = line.find("call").unwrap();
        let s = render(line, &[(secret_start, secret_end)], call, call + 4);
        assert_eq!(s.text, "key = \"ghp_*****\"; call(x)");
        assert_eq!(&s.text[s.column..s.column + s.width], "call");
        let s = render(
            line,
            &[(secret_start, secret_end)],
            secret_start,
            secret_end,
        );
        assert_eq!(&s.text[s.column..s.column + s.width], "ghp_*****");
        assert!(!s.text.contains("abcdefgh"));
    }

    #[test]
    fn cuts_long_lines_around_the_match() {
        let line = format!("{}eval(x){}", "a".repeat(5000), "b".repeat(5000));
        let at = line.find("eval").unwrap();
        let s = render(&line, &[], at, at + 4);
        assert!(s.text.chars().count() <= MAX_SNIPPET_CHARS + 2);
        let chars: Vec<char> = s.text.chars().collect();
        let shown: String = chars[s.column..s.column + s.width].iter().collect();
        assert_eq!(shown, "eval");
    }

    #[test]
    fn long_lines_are_rendered_from_a_window_around_the_match() {
        let secret = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        let line = format!(
            "{}key=\"{secret}\";eval(x){}",
            "a".repeat(200_000),
            "b".repeat(200_000)
        );
        let at = line.find("eval").unwrap();
        let s_at = line.find(secret).unwrap();
        let (s, read) = render_around(&line, &[(s_at, s_at + secret.len())], at, at + 4);
        assert!(read < 4 * WINDOW_MARGIN, "{read}");
        let chars: Vec<char> = s.text.chars().collect();
        let shown: String = chars[s.column..s.column + s.width].iter().collect();
        assert_eq!(shown, "eval");
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert!(s.text.contains("ghp_*****") && !s.text.contains("abcdefgh"));
        // A secret (a long one: a private key) that starts before the window is still masked whole.
        let long = (s_at - 3000, s_at + secret.len());
        let (s, _) = render_around(&line, &[long], long.1 - 2, long.1 - 1);
        assert!(
            !s.text.contains("0123456789") && s.text.contains("*****"),
            "{}",
            s.text
        );
    }

    #[test]
    fn short_secrets_show_little() {
        assert_eq!(mask_secret("hunter2"), "h*****");
        assert_eq!(mask_secret("abc"), "*****");
    }

    #[test]
    fn bidirectional_and_invisible_characters_are_shown_as_replacement_characters() {
        let line = "let a = \"x\u{202E}y\u{2066}z\u{200B}\";";
        let snippet = render(line, &[], 0, line.len());
        assert_eq!(snippet.text, "let a = \"x\u{FFFD}y\u{FFFD}z\u{FFFD}\";");
        assert_eq!(snippet.width, line.chars().count());
    }
}
