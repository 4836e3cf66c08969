//! GitHub workflows and composite actions: `uses:` of actions and reusable workflows with their refs, and
//! `docker://` images.
//!
//! Line-based: every `uses:` key (a step's, or a job's for a reusable workflow), quoted or not, with a
//! comment after the value or not. Local actions and workflows (`./…`) are the repository's own and
//! skipped; text inside block scalars (`run: |`) is not read.

use super::{docker::split_image, DeclKind, Declared, Source};

/// Reads the declarations of a workflow or action.yml. Line-based: never fails.
pub fn parse(text: &str) -> Result<Vec<Declared>, String> {
    let mut out = Vec::new();
    // Indentation of the key that opened a block scalar: deeper lines are its text.
    let mut block_indent: Option<usize> = None;
    for (idx, raw) in text.lines().enumerate() {
        let line = idx as u32 + 1;
        let indent = raw.len() - raw.trim_start().len();
        let trimmed = raw.trim();
        if let Some(open) = block_indent {
            if trimmed.is_empty() || indent > open {
                continue;
            }
            block_indent = None;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let item = trimmed.strip_prefix("- ").map_or(trimmed, str::trim_start);
        let value = strip_comment(item.split_once(':').map_or("", |(_, v)| v)).trim();
        if value.starts_with(['|', '>']) {
            block_indent = Some(indent);
            continue;
        }
        let Some(rest) = item.strip_prefix("uses:") else {
            continue;
        };
        let value = unquote(strip_comment(rest).trim());
        if let Some(decl) = uses(value, line) {
            out.push(decl);
        }
    }
    Ok(out)
}

/// `owner/repo[/path]@ref` (an action or reusable workflow) or `docker://image:tag`.
fn uses(value: &str, line: u32) -> Option<Declared> {
    if value.is_empty() || value.starts_with("./") || value.starts_with("../") {
        return None;
    }
    if let Some(image) = value.strip_prefix("docker://") {
        let (name, spec) = split_image(image);
        return Some(Declared {
            kind: DeclKind::Image,
            name,
            spec,
            source: Source::Registry,
            line,
        });
    }
    let (name, reference) = value.split_once('@').unwrap_or((value, ""));
    Some(Declared {
        kind: DeclKind::Action,
        name: name.to_string(),
        spec: reference.to_string(),
        source: Source::Git,
        line,
    })
}

/// Drops a ` # comment` (a `#` at the start of the value or after whitespace, outside quotes).
pub(super) fn strip_comment(value: &str) -> &str {
    let mut quote = None;
    let mut previous = ' ';
    for (i, c) in value.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if previous.is_whitespace() => return &value[..i],
            _ => {}
        }
        previous = c;
    }
    value
}

pub(super) fn unquote(value: &str) -> &str {
    let value = value.trim();
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner.trim();
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decls(text: &str) -> Vec<(DeclKind, u32, String, String)> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|d| (d.kind, d.line, d.name, d.spec))
            .collect()
    }

    fn action(line: u32, name: &str, spec: &str) -> (DeclKind, u32, String, String) {
        (DeclKind::Action, line, name.to_string(), spec.to_string())
    }

    #[test]
    fn reads_uses_of_steps_and_jobs() {
        let text = r#"name: CI
on: [push]
jobs:
  call:
    uses: org/shared/.github/workflows/build.yml@v2   # reusable workflow
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - name: Setup
        uses: "actions/setup-node@v4"
        with:
          node-version: 20
      -   uses:   'docker://alpine:3.20'
      - uses: ./.github/actions/local
      - run: |
          echo "uses: fake/action@v1"
          uses: not/this@main
      - uses: aws-actions/configure-aws-credentials/subdir@main
"#;
        assert_eq!(
            decls(text),
            vec![
                action(5, "org/shared/.github/workflows/build.yml", "v2"),
                action(
                    9,
                    "actions/checkout",
                    "11bd71901bbe5b1630ceea73d27597364c9af683"
                ),
                action(11, "actions/setup-node", "v4"),
                (
                    DeclKind::Image,
                    14,
                    "alpine".to_string(),
                    "3.20".to_string()
                ),
                action(19, "aws-actions/configure-aws-credentials/subdir", "main"),
            ]
        );
    }

    #[test]
    fn composite_action_and_comments() {
        let text = "runs:\n  using: composite\n  steps:\n    # - uses: commented/out@v1\n    - uses: actions/cache@v4#not-a-comment\n    - uses: actions/upload-artifact@v4 # upload\n";
        assert_eq!(
            decls(text),
            vec![
                action(5, "actions/cache", "v4#not-a-comment"),
                action(6, "actions/upload-artifact", "v4"),
            ]
        );
    }
}
