//! Helpers shared by the benchmark binaries.

use std::time::{Duration, Instant};

/// Runs `f` once to warm caches, then `runs` times, and returns the median duration.
pub fn median_time(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

/// A number from the environment variable `name`, or `default`.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A template with `{n}` replaced by `n` and `{{`/`}}` by single braces.
pub fn expand(template: &str, n: usize) -> String {
    template
        .replace("{n}", &n.to_string())
        .replace("{{", "{")
        .replace("}}", "}")
}

/// Writes a generated file, creating its directory.
pub fn write_file(path: &std::path::Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}
