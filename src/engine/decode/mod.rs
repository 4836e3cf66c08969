//! The decode stage: encoded payloads in added lines (base64, hex, percent-encoding, `\x`/`\u`/octal
//! escapes, char-code lists; see [`codec`]) are decoded, bounded — two levels deep, each span at most
//! [`codec::MAX_DECODED`] bytes, only spans that decode to mostly printable text — and the decoded text
//! is reviewed by the secret, attack, exec, network and eval checks as lines of the file's language (and
//! of shell, when a decoded line reads as a command line). Each finding sits at the encoded span and says
//! what it decodes to (secrets masked). The stage also produces the `produced_by: decode` findings of
//! `checks/attack/obfuscation.yml`: an escape- or char-code-encoded string that spells a dangerous name,
//! and a long base64 blob in source code.

mod arrays;
pub mod codec;
mod compressed;
#[cfg(test)]
mod tests;
mod words;

use rayon::prelude::*;

use super::conditions::{ceil_char, floor_char};
use super::{file_regions, snippet, WorkStats, MAX_HITS_PER_LINE};
use crate::checks::CheckSet;
use crate::lang::Region;
use crate::model::{AddedLine, Category, ChangedFile, Finding, Fnv64, Language, Role, TextExtent};
use arrays::{arrays_finding, host_port, with_part};
use codec::{Codec, Span};
use words::{DANGEROUS_NAMES, SHELL_PROGRAMS};

/// Id of the finding for an escape- or char-code-encoded string that spells a dangerous name.
pub const ENCODED_NAME: &str = "attack.obfuscation.encoded-name";
/// Id of the finding for a long base64 blob in a source file.
pub const BASE64_BLOB: &str = "attack.obfuscation.base64-blob";
/// Id of the finding for an integer list XOR-decoded with a constant key into text.
pub const XOR_STRING: &str = "attack.obfuscation.xor-string";
/// Id of the finding for a string assembled from a single-character table by index.
pub const CHAR_TABLE: &str = "attack.obfuscation.char-table";
/// Fewest characters of a base64 string literal in source code reported as a blob.
const BLOB_CHARS: usize = 1024;
/// Most characters of decoded text quoted in a message.
const QUOTE_CHARS: usize = 120;

/// Attack checks about the raw characters of a file (what an editor shows), which decoded text does not
/// have: bidirectional controls or a NUL byte spelled `%E2%80%AE` or `\x00` reorder or hide nothing.
const RAW_TEXT_CHECKS: &[&str] = &[
    "attack.trojan-source",
    "attack.nul-byte",
    "attack.hidden-diff",
];

/// One decoded span of an added line.
struct Decoded {
    /// The line it is on.
    line: AddedLine,
    /// The span, in the line.
    span: Span,
    /// The codecs it went through, outermost first.
    codecs: Vec<Codec>,
    /// Another line the decoding needs (the XOR key, the character table): its role and line.
    part: Option<(&'static str, u32)>,
}

/// What the stage found, and the work it did.
#[derive(Default)]
pub(super) struct DecodeRun {
    /// Findings at encoded spans (unsorted), signals among them (chains use them).
    pub(super) findings: Vec<Finding>,
    /// The work done: spans scanned, decoded text reviewed.
    pub(super) stats: WorkStats,
}

/// Runs the stage over every changed file (in parallel across files).
pub(super) fn run(checks: &CheckSet, files: &[ChangedFile]) -> DecodeRun {
    let per_file: Vec<DecodeRun> = if files.len() <= 1 {
        files.iter().map(|f| run_file(checks, f)).collect()
    } else {
        files.par_iter().map(|f| run_file(checks, f)).collect()
    };
    let mut all = DecodeRun::default();
    for run in per_file {
        all.findings.extend(run.findings);
        all.stats.add(&run.stats);
    }
    all
}

/// Whether a codec's spans must lie in a string literal (in languages whose strings the lexer knows).
fn in_strings(codec: Codec) -> bool {
    !matches!(codec, Codec::CharCodes | Codec::Xor | Codec::CharTable)
}

/// Whether `span` of `line` is the payload of a data URI of an image, font, audio or video.
fn media_data_uri(line: &str, span: Span) -> bool {
    let head = &line[floor_char(line, span.start.saturating_sub(80))..span.start];
    let Some(head) = head.strip_suffix(";base64,") else {
        return false;
    };
    head.rfind("data:").is_some_and(|at| {
        let mime = &head[at + 5..];
        [
            "image/",
            "font/",
            "audio/",
            "video/",
            "application/font",
            "application/x-font",
        ]
        .iter()
        .any(|m| mime.starts_with(m))
    })
}

fn run_file(checks: &CheckSet, file: &ChangedFile) -> DecodeRun {
    let mut out = DecodeRun::default();
    let mut regions = None;
    let lexed = crate::lang::has_syntax(file.language);
    let mut spans: Vec<Span> = Vec::new();
    let mut nested: Vec<Span> = Vec::new();
    // Decoded spans, and the decoded text of each (lines of it reviewed below).
    let mut decoded: Vec<(Decoded, String)> = Vec::new();
    let source = is_source(file.language);
    // Constant XOR keys of the file, found once (only files that XOR at all).
    let keys = if source && file.text.contains('^') {
        let regions = lexed.then(|| regions.get_or_insert_with(|| file_regions(file)) as &_);
        arrays::keys(file, regions)
    } else {
        Vec::new()
    };
    let mut tables: Vec<arrays::Table> = Vec::new();
    for line in &file.added {
        let text = file.line_text(line);
        if source {
            arrays::table_of(&mut tables, line, text);
            if let Some((span, table, plain)) = arrays::joined(&tables, text) {
                let at = Decoded {
                    line: *line,
                    span,
                    codecs: vec![Codec::CharTable],
                    part: Some(("character table", table.line)),
                };
                decoded.push((at, plain));
            }
        }
        spans.clear();
        codec::find_spans(text, &mut spans);
        out.stats.condition_bytes += text.len();
        for &span in &spans {
            if lexed {
                let regions = regions.get_or_insert_with(|| file_regions(file));
                let region = regions.at(line.start + span.start);
                let wanted = if in_strings(span.codec) {
                    region == Region::String
                } else {
                    region == Region::Code
                };
                if !wanted {
                    continue;
                }
            }
            if span.codec == Codec::Base64 && media_data_uri(text, span) {
                continue;
            }
            if let Some(blob) = blob_finding(checks, file, line, text, span) {
                out.findings.push(blob);
            }
            if span.codec == Codec::CharCodes {
                for key in &keys {
                    if let Some(plain) = arrays::xor_text(text, span, key.value)
                        .filter(|plain| arrays::worth_hiding(plain))
                    {
                        let at = Decoded {
                            line: *line,
                            span,
                            codecs: vec![Codec::Xor],
                            part: Some(("XOR key", key.line)),
                        };
                        decoded.push((at, plain));
                    }
                }
            }
            let Some(plain) = codec::decode(text, span) else {
                // Not text: perhaps compressed text (depth 2, the inflated text is not decoded further).
                let bytes = match span.codec {
                    Codec::Base64 => codec::base64(&text.as_bytes()[span.start..span.end]),
                    Codec::Hex => codec::hex(&text.as_bytes()[span.start..span.end]),
                    _ => None,
                };
                if let Some((inner, plain)) = bytes.as_deref().and_then(compressed::inflate) {
                    let at = Decoded {
                        line: *line,
                        span,
                        codecs: vec![span.codec, inner],
                        part: None,
                    };
                    decoded.push((at, plain));
                }
                continue;
            };
            // Depth 2: what the decoded text itself encodes.
            nested.clear();
            codec::find_spans(&plain, &mut nested);
            for &inner in &nested {
                if let Some(deeper) = codec::decode(&plain, inner) {
                    let at = Decoded {
                        line: *line,
                        span,
                        codecs: vec![span.codec, inner.codec],
                        part: None,
                    };
                    decoded.push((at, deeper));
                }
            }
            let at = Decoded {
                line: *line,
                span,
                codecs: vec![span.codec],
                part: None,
            };
            decoded.push((at, plain));
        }
    }
    if decoded.is_empty() {
        return out;
    }
    // As for plain matches, at most MAX_HITS_PER_LINE findings of one check on one line.
    let mut per_line: std::collections::HashMap<(&'static str, u32), usize> = Default::default();
    for (at, plain) in &decoded {
        // A name the XOR hides is said by the name finding; a character table by its own.
        let named = match at.codecs[0] {
            Codec::CharTable => None,
            _ => name_finding(checks, file, at, plain),
        };
        let found = if named.is_some() {
            named
        } else {
            arrays_finding(checks, file, at, plain)
        };
        if let Some(f) = found {
            let id = match f.check.as_str() {
                ENCODED_NAME => ENCODED_NAME,
                XOR_STRING => XOR_STRING,
                _ => CHAR_TABLE,
            };
            let count = per_line.entry((id, f.line)).or_insert(0);
            *count += 1;
            if *count <= MAX_HITS_PER_LINE {
                out.findings.push(f);
            }
        }
    }
    review_decoded(checks, file, &decoded, &mut out);
    out
}

/// Reviews the decoded text: one synthetic file of the file's language (and one of shell for the lines
/// that read as command lines), every line added, its findings moved to the encoded spans.
fn review_decoded(
    checks: &CheckSet,
    file: &ChangedFile,
    decoded: &[(Decoded, String)],
    out: &mut DecodeRun,
) {
    let mut own = Synthetic::new(file, file.language);
    let mut shell = Synthetic::new(file, Language::Shell);
    for (index, (_, plain)) in decoded.iter().enumerate() {
        for line in plain.split('\n') {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            own.push(line, index);
            if file.language != Language::Shell && is_command_line(line) {
                shell.push(line, index);
            }
        }
    }
    out.stats.condition_bytes += own.file.text.len() + shell.file.text.len();
    let mut seen = std::collections::HashSet::new();
    let mut per_line = std::collections::HashMap::new();
    for synthetic in [own, shell] {
        if synthetic.file.added.is_empty() {
            continue;
        }
        // Markers in decoded text are the payload's own say-so: every finding counts, silenced or not.
        let run = super::lines::run_files(checks, std::slice::from_ref(&synthetic.file), false);
        out.stats.add(&run.stats);
        let found = run
            .findings
            .into_iter()
            .chain(run.added_markers.into_iter().map(|s| s.finding))
            .chain(run.silenced);
        for f in found {
            if !matches!(
                f.category,
                Category::Secret
                    | Category::Attack
                    | Category::Exec
                    | Category::Network
                    | Category::Eval
            ) || f.check == ENCODED_NAME
                || f.check == BASE64_BLOB
                || RAW_TEXT_CHECKS.contains(&f.check.as_str())
            {
                continue;
            }
            let Some(&index) = synthetic.origin.get(f.line as usize - 1) else {
                continue;
            };
            let at = &decoded[index].0;
            if !seen.insert((
                f.check.clone(),
                at.line.number,
                at.span.start,
                f.snippet.clone(),
            )) {
                continue;
            }
            // As for plain matches, at most MAX_HITS_PER_LINE findings of one check on one line.
            let count = per_line
                .entry((f.check.clone(), at.line.number))
                .or_insert(0usize);
            *count += 1;
            if *count > MAX_HITS_PER_LINE {
                continue;
            }
            out.findings.push(relocate(file, at, f));
        }
    }
}

/// Decoded lines gathered as the text of a file to review.
struct Synthetic {
    file: ChangedFile,
    /// For each line, the index of the decoded span it comes from.
    origin: Vec<usize>,
}

impl Synthetic {
    fn new(file: &ChangedFile, language: Language) -> Synthetic {
        Synthetic {
            file: ChangedFile {
                path: file.path.clone(),
                language,
                text: String::new(),
                extent: TextExtent::Whole,
                added: Vec::new(),
                old_text: None,
                role: file.role,
                base: crate::model::Base::Added,
                removed: Vec::new(),
                old_pieces: None,
                deleted: false,
                renamed_to: None,
            },
            origin: Vec::new(),
        }
    }

    fn push(&mut self, line: &str, index: usize) {
        let start = self.file.text.len();
        self.file.text.push_str(line);
        self.file.added.push(AddedLine {
            number: self.origin.len() as u32 + 1,
            start,
            end: self.file.text.len(),
        });
        self.file.text.push('\n');
        self.origin.push(index);
    }
}

/// Whether a decoded line reads as a shell command line: a known program first, or a pipe into a shell.
fn is_command_line(line: &str) -> bool {
    let line = line.trim_start();
    let first = line.split_whitespace().next().unwrap_or("");
    let program = first.rsplit('/').next().unwrap_or(first);
    SHELL_PROGRAMS.contains(&program)
        || ["| sh", "|sh", "| bash", "|bash", "/dev/tcp/"]
            .iter()
            .any(|p| line.contains(p))
}

/// 1-based character columns of `start..end` in `text`.
fn columns(text: &str, start: usize, end: usize) -> (u32, u32) {
    let column = text[..start].chars().count() as u32 + 1;
    (
        column,
        column + text[start..end].chars().count().max(1) as u32,
    )
}

/// A decoded text's excerpt for a message: one line, at most [`QUOTE_CHARS`] characters.
fn quote(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= QUOTE_CHARS {
        return text.replace(['\n', '\r'], " ");
    }
    let cut: String = text.chars().take(QUOTE_CHARS).collect();
    format!("{}…", cut.replace(['\n', '\r'], " "))
}

/// What the codecs were, for a message: `base64`, `base64 inside hex`.
fn codec_names(codecs: &[Codec]) -> String {
    codecs
        .iter()
        .rev()
        .map(|c| c.name())
        .collect::<Vec<_>>()
        .join(" inside ")
}

/// Moves a finding on decoded text to the encoded span it comes from.
fn relocate(file: &ChangedFile, at: &Decoded, mut f: Finding) -> Finding {
    let text = file.line_text(&at.line);
    let (start, end) = (
        floor_char(text, at.span.start),
        ceil_char(text, at.span.end),
    );
    // The encoded form of a secret is the secret: mask it in the snippet too.
    let masks: &[(usize, usize)] = if f.category == Category::Secret {
        &[(start, end)]
    } else {
        &[]
    };
    let (shown, _) = snippet::render_around(text, masks, start, end);
    let (column, end_column) = columns(text, start, end);
    f.message = format!(
        "{} ({}{}{}`)",
        f.message,
        codec_names(&at.codecs),
        crate::model::DECODES_TO,
        quote(&f.snippet)
    );
    f.line = at.line.number;
    f.column = column;
    f.end_column = end_column;
    f.snippet = shown.text;
    f.snippet_column = shown.column as u32;
    f.snippet_width = shown.width as u32;
    f.fingerprint = {
        let mut hash = Fnv64::new();
        hash.part(b"decoded").part(f.fingerprint.as_bytes());
        format!("{:016x}", hash.finish())
    };
    f
}

/// A finding of a `produced_by: decode` check at `start..end` of an added line.
fn produced(
    checks: &CheckSet,
    id: &str,
    file: &ChangedFile,
    line: &AddedLine,
    (start, end): (usize, usize),
    detail: String,
) -> Option<Finding> {
    let check = checks.get(id)?;
    let text = file.line_text(line);
    let (start, end) = (floor_char(text, start), ceil_char(text, end));
    let (shown, _) = snippet::render_around(text, &[], start, end);
    let (column, end_column) = columns(text, start, end);
    let mut hash = Fnv64::new();
    hash.part(id.as_bytes())
        .part(file.path.as_bytes())
        .part(detail.as_bytes());
    Some(Finding {
        path: file.path.clone(),
        line: line.number,
        column,
        end_column,
        snippet: shown.text,
        snippet_column: shown.column as u32,
        snippet_width: shown.width as u32,
        fingerprint: format!("{:016x}", hash.finish()),
        ..Finding::of(
            id.to_string(),
            check.meta.category,
            check.meta.severity,
            format!("{}{detail}", check.meta.message),
        )
    })
}

/// An escape- or char-code-encoded string that decodes to a dangerous name or a URL.
fn name_finding(
    checks: &CheckSet,
    file: &ChangedFile,
    at: &Decoded,
    plain: &str,
) -> Option<Finding> {
    if !matches!(
        at.codecs[0],
        Codec::Escapes | Codec::CharCodes | Codec::Hex | Codec::Xor | Codec::CharTable
    ) {
        return None;
    }
    let name = plain.trim();
    let dangerous = DANGEROUS_NAMES.contains(&name)
        || name.starts_with("http://")
        || name.starts_with("https://")
        || name.starts_with("require(")
        || name.starts_with("import ")
        || host_port(name);
    if !dangerous {
        return None;
    }
    with_part(
        file,
        at,
        produced(
            checks,
            ENCODED_NAME,
            file,
            &at.line,
            (at.span.start, at.span.end),
            format!(
                " ({}{}{}`)",
                codec_names(&at.codecs),
                crate::model::DECODES_TO,
                quote(name)
            ),
        ),
    )
}

/// A base64 string of [`BLOB_CHARS`] or more on one line of a source file: what it decodes to, or that it
/// is no text.
fn blob_finding(
    checks: &CheckSet,
    file: &ChangedFile,
    line: &AddedLine,
    text: &str,
    span: Span,
) -> Option<Finding> {
    if span.codec != Codec::Base64
        || span.end - span.start < BLOB_CHARS
        || !is_source(file.language)
        || file.role != Role::Production
    {
        return None;
    }
    let detail = match codec::decode(text, span) {
        Some(plain) => format!(" (base64{}{}`)", crate::model::DECODES_TO, quote(&plain)),
        None => format!(
            " ({} characters, not text once decoded)",
            span.end - span.start
        ),
    };
    produced(
        checks,
        BASE64_BLOB,
        file,
        line,
        (span.start, span.end),
        detail,
    )
}

/// Languages whose files are programs (not data, markup or configuration).
fn is_source(language: Language) -> bool {
    use Language::*;
    matches!(
        language,
        JavaScript
            | TypeScript
            | Python
            | Go
            | Rust
            | Java
            | Kotlin
            | Scala
            | Groovy
            | Ruby
            | Php
            | CSharp
            | C
            | Cpp
            | Swift
            | Shell
            | PowerShell
            | Perl
            | Lua
    )
}
