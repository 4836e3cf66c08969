//! Files that hold shell in only some places: the `RUN`, `CMD` and `ENTRYPOINT` instructions of a
//! Dockerfile and the `run:` steps of a GitHub workflow.

/// heredocs), after the instruction keyword.
pub(super) fn dockerfile_code_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut continuing = false;
    let mut heredoc: Option<String> = None;
    for (start, line) in line_spans(text) {
        let end = start + line.len();
        let trimmed = line.trim_end_matches('\r');
        if let Some(tag) = &heredoc {
            push_range(&mut ranges, start, end);
            if trimmed.trim() == tag {
                heredoc = None;
            }
            continue;
        }
        if continuing {
            push_range(&mut ranges, start, end);
            continuing = trimmed.ends_with('\\') || trimmed.trim_start().starts_with('#');
            continue;
        }
        let body = trimmed.trim_start();
        let upper: String = body
            .chars()
            .take(12)
            .collect::<String>()
            .to_ascii_uppercase();
        let keyword_len = instruction_keyword_len(&upper, body);
        if let Some(keyword_len) = keyword_len {
            let code_start = start + (line.len() - body.len()) + keyword_len;
            push_range(&mut ranges, code_start, end);
            continuing = trimmed.ends_with('\\');
            if let Some(pos) = body.find("<<") {
                let tag: String = body[pos + 2..]
                    .trim_start_matches('-')
                    .trim_matches(|c| c == '"' || c == '\'')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !tag.is_empty() {
                    heredoc = Some(tag);
                }
            }
        }
    }
    ranges
}

/// The length of the instruction prefix when a Dockerfile line runs a command: `RUN `, `CMD `,
/// `ENTRYPOINT `, `ONBUILD RUN `, or `HEALTHCHECK [options] CMD `.
fn instruction_keyword_len(upper: &str, body: &str) -> Option<usize> {
    const KEYWORDS: [&str; 6] = [
        "ONBUILD RUN ",
        "RUN ",
        "CMD ",
        "ENTRYPOINT ",
        "RUN\t",
        "CMD\t",
    ];
    if let Some(k) = KEYWORDS.iter().find(|k| upper.starts_with(*k)) {
        return Some(k.len());
    }
    if upper.starts_with("HEALTHCHECK") {
        let upper_body = body.to_ascii_uppercase();
        return upper_body.find(" CMD ").map(|p| p + " CMD ".len());
    }
    None
}

/// Byte ranges of a workflow that hold `run:` scripts: inline values and block scalars.
pub(super) fn workflow_run_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut block_indent: Option<usize> = None;
    for (start, line) in line_spans(text) {
        let end = start + line.len();
        let body = line.trim_start();
        let indent = line.len() - body.len();
        if let Some(parent) = block_indent {
            if body.trim().is_empty() || indent > parent {
                push_range(&mut ranges, start, end);
                continue;
            }
            block_indent = None;
        }
        let after_dash = body.strip_prefix("- ").map(str::trim_start).unwrap_or(body);
        if let Some(value) = after_dash.strip_prefix("run:") {
            let value_trimmed = value.trim();
            if value_trimmed.starts_with('|') || value_trimmed.starts_with('>') {
                block_indent = Some(indent);
            } else if !value_trimmed.is_empty() {
                let value_start = end - value.len();
                push_range(&mut ranges, value_start, end);
            } else {
                block_indent = Some(indent);
            }
        }
    }
    ranges
}

fn push_range(ranges: &mut Vec<(usize, usize)>, start: usize, end: usize) {
    match ranges.last_mut() {
        Some(last) if last.1 + 1 >= start => last.1 = end,
        _ => ranges.push((start, end)),
    }
}

/// Lines of `text` with their start offsets, without the `\n`.
fn line_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split('\n').map(move |line| {
        let start = offset;
        offset += line.len() + 1;
        (start, line)
    })
}
