//! The composite action (`action.yml`): its review step, run with a stub binary, passes the inputs as
//! arguments and writes its outputs.

use serde_json::Value;

#[cfg(unix)]
#[test]
fn the_action_passes_its_inputs_and_outputs_an_absolute_sarif_path() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    let action: Value = serde_saphyr::from_str(&text).unwrap();
    let step = action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "review")
        .expect("the review step");
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("sub");
    std::fs::create_dir(&work).unwrap();
    let stub = dir.path().join("review-gate");
    let args_file = dir.path().join("args");
    std::fs::write(
        &stub,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n",
            args_file.display()
        ),
    )
    .unwrap();
    let mut perms = std::fs::metadata(&stub).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&stub, perms).unwrap();
    let output = dir.path().join("output");
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(step["run"].as_str().unwrap())
        .current_dir(&work)
        .env("GITHUB_OUTPUT", &output)
        .env("REVIEW_GATE_BIN", &stub)
        .env("INPUT_BASE_REF", "")
        .env("INPUT_FAIL_ON", "warning")
        .env("INPUT_REPORTS", "check,review")
        .env("INPUT_CONFIG", "")
        .env("INPUT_SARIF_FILE", "out.sarif")
        .status()
        .unwrap();
    assert!(status.success());
    let args = std::fs::read_to_string(&args_file).unwrap();
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        [
            "github",
            "--token-env",
            "REVIEW_GATE_TOKEN",
            "--fail-on",
            "warning",
            "--report",
            "check,review",
            "--sarif",
            "out.sarif"
        ]
    );
    let output = std::fs::read_to_string(&output).unwrap();
    assert_eq!(
        output.trim(),
        format!("sarif-file={}", work.join("out.sarif").display())
    );
    // Every input the step reads is mapped into its environment, never interpolated into the script.
    assert!(!step["run"].as_str().unwrap().contains("${{"));
    for name in [
        "INPUT_BASE_REF",
        "INPUT_FAIL_ON",
        "INPUT_REPORTS",
        "INPUT_CONFIG",
        "INPUT_SARIF_FILE",
    ] {
        assert!(step["env"][name].is_string(), "{name}");
    }
}
