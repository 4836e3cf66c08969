//! Scan throughput: `review-gate scan` over a generated tree of at least 200 MB of mixed source and
//! configuration files, with every check on and with the secret checks alone, in MB/s.
//!
//! Run with `cargo bench --bench scan_throughput`. Set `BENCH_MB` to change the size.

mod common;

use std::path::Path;
use std::process::Command;

const FILES: &[(&str, &str)] = &[
    ("py", "import os\nimport json\n\n\nclass Repository{n}:\n    \"\"\"Stores records for tenant {n}.\"\"\"\n\n    def __init__(self, db, cache):\n        self.db = db\n        self.cache = cache\n        self.timeout = int(os.environ.get('REPO_TIMEOUT', '30'))\n\n    def find(self, key):\n        cached = self.cache.get(key)\n        if cached is not None:\n            return json.loads(cached)\n        row = self.db.execute('SELECT * FROM items WHERE id = %s', (key,))\n        self.cache.set(key, json.dumps(row))\n        return row\n\n"),
    ("ts", "import {{ Injectable }} from '@angular/core';\nimport {{ HttpClient }} from '@angular/common/http';\n\n@Injectable({{ providedIn: 'root' }})\nexport class ItemService{n} {{\n  private readonly base = '/api/v1/items';\n  constructor(private http: HttpClient) {{}}\n\n  list(page: number, size = 20) {{\n    return this.http.get<Item[]>(`${{this.base}}?page=${{page}}&size=${{size}}`);\n  }}\n\n  remove(id: string) {{\n    return this.http.delete(`${{this.base}}/${{id}}`);\n  }}\n}}\n\n"),
    ("go", "package store\n\nimport (\n\t\"context\"\n\t\"errors\"\n)\n\n// ErrMissing{n} is returned when a record is absent.\nvar ErrMissing{n} = errors.New(\"missing\")\n\nfunc (s *Store) Get{n}(ctx context.Context, id string) (*Record, error) {{\n\ts.mu.RLock()\n\tdefer s.mu.RUnlock()\n\trec, ok := s.items[id]\n\tif !ok {{\n\t\treturn nil, ErrMissing{n}\n\t}}\n\treturn rec, nil\n}}\n\n"),
    ("java", "package com.example.billing;\n\nimport java.math.BigDecimal;\nimport java.util.List;\n\npublic final class Invoice{n} {{\n    private final List<Line> lines;\n\n    public Invoice{n}(List<Line> lines) {{\n        this.lines = List.copyOf(lines);\n    }}\n\n    public BigDecimal total() {{\n        return lines.stream().map(Line::amount).reduce(BigDecimal.ZERO, BigDecimal::add);\n    }}\n}}\n\n"),
    ("yml", "service{n}:\n  image: registry.example.com/app:{n}.0.1\n  replicas: 3\n  env:\n    LOG_LEVEL: info\n    FEATURE_FLAGS: \"search,export\"\n  resources:\n    limits:\n      cpu: 500m\n      memory: 256Mi\n  healthcheck:\n    path: /healthz\n    interval: 10s\n\n"),
    ("json", "{{\n  \"name\": \"package-{n}\",\n  \"version\": \"1.{n}.0\",\n  \"description\": \"Utilities for working with dates and numbers\",\n  \"main\": \"dist/index.js\",\n  \"license\": \"MIT\",\n  \"keywords\": [\"date\", \"format\", \"number\"]\n}}\n"),
    ("md", "## Section {n}\n\nThis part of the guide explains how to configure the service. Set the log level in the\nconfiguration file and restart the process. The defaults are fine for most installations,\nbut large deployments should raise the cache size and the number of workers.\n\n"),
];

fn generate(root: &Path, target_bytes: usize) -> (usize, usize) {
    let mut written = 0;
    let mut files = 0;
    let mut n = 0;
    while written < target_bytes {
        let (ext, template) = FILES[files % FILES.len()];
        let mut text = String::new();
        while text.len() < 64 * 1024 {
            n += 1;
            text.push_str(&common::expand(template, n));
        }
        let path = root
            .join(format!("d{}", files / 100))
            .join(format!("f{files}.{ext}"));
        common::write_file(&path, &text);
        written += text.len();
        files += 1;
    }
    (files, written)
}

fn main() {
    let megabytes: usize = common::env_number("BENCH_MB", 200);
    let binary = env!("CARGO_BIN_EXE_review-gate");
    let dir = tempfile::tempdir().unwrap();
    let (files, bytes) = generate(dir.path(), megabytes * 1_000_000);
    let mb = bytes as f64 / 1e6;
    println!("tree: {files} files, {mb:.0} MB");
    for (label, extra) in [
        ("all checks", &[][..]),
        ("secret checks only", &["--category", "secret"][..]),
    ] {
        let elapsed = common::median_time(3, || {
            let out = Command::new(binary)
                .current_dir(dir.path())
                .args([
                    "scan",
                    ".",
                    "--format",
                    "json",
                    "--fail-on",
                    "never",
                    "--output",
                    "/dev/null",
                ])
                .args(extra)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        });
        println!(
            "{label:<20}: {:>7.0} ms, {:>6.0} MB/s (median of 3)",
            elapsed.as_secs_f64() * 1e3,
            mb / elapsed.as_secs_f64()
        );
    }
}
