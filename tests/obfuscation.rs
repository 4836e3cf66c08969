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

    let sarif: Value = serde_json::from_str(&reviewed(&[("lib/caller.js", OBFUSCATED)], "sarif").stdout).unwrap();
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
