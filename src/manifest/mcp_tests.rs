use super::*;

fn one(format: McpFormat, text: &str) -> Server {
    let mut servers = servers(format, text).expect("parses");
    assert_eq!(servers.len(), 1, "{servers:?}");
    servers.remove(0)
}

#[test]
fn formats_are_recognized_by_path() {
    let cases = [
        (".mcp.json", Some(McpFormat::McpServers)),
        ("app/.mcp.json", Some(McpFormat::McpServers)),
        (".cursor/mcp.json", Some(McpFormat::McpServers)),
        (".vscode/mcp.json", Some(McpFormat::VsCode)),
        (".claude/settings.json", Some(McpFormat::McpServers)),
        (".claude/settings.local.json", Some(McpFormat::McpServers)),
        (".gemini/settings.json", Some(McpFormat::McpServers)),
        (".codex/config.toml", Some(McpFormat::Codex)),
        (".windsurf/mcp_config.json", Some(McpFormat::McpServers)),
        (
            ".continue/mcpServers/playwright.yaml",
            Some(McpFormat::ContinueYaml),
        ),
        (
            ".continue/mcpServers/claude.json",
            Some(McpFormat::McpServers),
        ),
        (".continue/config.yaml", Some(McpFormat::ContinueYaml)),
        ("mcp.json", None),
        ("src/settings.json", None),
        ("config.toml", None),
    ];
    for (path, expected) in cases {
        assert_eq!(McpFormat::of(path), expected, "{path}");
    }
}

#[test]
fn npx_servers_give_package_and_version() {
    let text = r#"{
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem@2025.8.21", "/tmp"]
    }
  }
}"#;
    let s = one(McpFormat::McpServers, text);
    assert_eq!(s.name, "filesystem");
    assert_eq!(s.line, 3);
    assert_eq!(s.launcher, Some(Launcher::Npx));
    assert_eq!(s.package, "@modelcontextprotocol/server-filesystem");
    assert_eq!(s.version, "2025.8.21");
}

#[test]
fn launchers_are_read() {
    let cases: [(&str, &[&str], Launcher, &str, &str); 10] = [
        (
            "npx",
            &["-y", "postmark-mcp"],
            Launcher::Npx,
            "postmark-mcp",
            "",
        ),
        (
            "npx",
            &["-p", "a@1.0.0", "bin"],
            Launcher::Npx,
            "a",
            "1.0.0",
        ),
        (
            "pnpm",
            &["dlx", "x@latest"],
            Launcher::PnpmDlx,
            "x",
            "latest",
        ),
        (
            "uvx",
            &["mcp-server-git==0.6.2", "--repository", "."],
            Launcher::Uvx,
            "mcp-server-git",
            "==0.6.2",
        ),
        (
            "uvx",
            &["--from", "mcp-server-fetch@1.2", "mcp-server-fetch"],
            Launcher::Uvx,
            "mcp-server-fetch",
            "==1.2",
        ),
        (
            "pipx",
            &["run", "mcp-server-time"],
            Launcher::PipxRun,
            "mcp-server-time",
            "",
        ),
        (
            "docker",
            &[
                "run",
                "-i",
                "--rm",
                "-e",
                "GITHUB_PERSONAL_ACCESS_TOKEN",
                "ghcr.io/github/github-mcp-server",
            ],
            Launcher::Docker,
            "ghcr.io/github/github-mcp-server",
            "",
        ),
        (
            "docker",
            &["run", "-i", "mcp/fetch:1.0@sha256:abc"],
            Launcher::Docker,
            "mcp/fetch",
            "1.0@sha256:abc",
        ),
        (
            "node",
            &["./build/index.js"],
            Launcher::Node,
            "./build/index.js",
            "",
        ),
        (
            "python3",
            &["-m", "my_server"],
            Launcher::Python,
            "my_server",
            "",
        ),
    ];
    for (command, args, launcher, package, version) in cases {
        let mut s = Server {
            command: command.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            ..Server::default()
        };
        classify(&mut s);
        assert_eq!(s.launcher, Some(launcher), "{command} {args:?}");
        assert_eq!(s.package, package, "{command} {args:?}");
        assert_eq!(s.version, version, "{command} {args:?}");
    }
}

#[test]
fn shells_and_whole_command_lines() {
    let text = r#"{"mcpServers": {"x": {"command": "bash", "args": ["-c", "curl -s https://x.sh | sh"]}}}"#;
    let s = one(McpFormat::McpServers, text);
    assert_eq!(s.launcher, Some(Launcher::Shell));
    assert_eq!(s.shell_script.as_deref(), Some("curl -s https://x.sh | sh"));
    let text = r#"{"mcpServers": {"x": {"command": "npx -y 'some-server'"}}}"#;
    let s = one(McpFormat::McpServers, text);
    assert_eq!(s.launcher, Some(Launcher::Npx));
    assert_eq!(s.package, "some-server");
}

#[test]
fn docker_network() {
    let mut s = Server {
        command: "docker".into(),
        args: ["run", "--network=host", "img:1"]
            .map(String::from)
            .to_vec(),
        ..Server::default()
    };
    classify(&mut s);
    assert_eq!(s.docker_network.as_deref(), Some("host"));
    assert_eq!((s.package.as_str(), s.version.as_str()), ("img", "1"));
}

#[test]
fn vscode_jsonc_with_remote_servers() {
    let text = r#"{
  // Inputs are prompted on first server start
  "inputs": [
    {"type": "promptString", "id": "perplexity-key", "description": "Perplexity API Key", "password": true},
  ],
  "servers": {
    "Perplexity": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "server-perplexity-ask"],
      "env": {"PERPLEXITY_API_KEY": "${input:perplexity-key}"}
    },
    "github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"},
  }
}"#;
    let servers = servers(McpFormat::VsCode, text).expect("JSONC parses");
    assert_eq!(servers.len(), 2);
    let github = servers.iter().find(|s| s.name == "github").unwrap();
    assert_eq!(github.launcher, Some(Launcher::Remote));
    assert_eq!(github.line, 13);
    assert_eq!(
        host_of(github.url.as_deref().unwrap()).as_deref(),
        Some("api.githubcopilot.com")
    );
    let perplexity = servers.iter().find(|s| s.name == "Perplexity").unwrap();
    assert_eq!(perplexity.line, 7);
    assert_eq!(perplexity.env[0].0, "PERPLEXITY_API_KEY");
}

#[test]
fn gemini_windsurf_codex_continue() {
    let gemini =
        r#"{"mcpServers": {"remote": {"httpUrl": "https://mcp.example.com/mcp", "trust": true}}}"#;
    let s = one(McpFormat::McpServers, gemini);
    assert!(s.trusted);
    assert_eq!(s.launcher, Some(Launcher::Remote));
    let windsurf = r#"{"mcpServers": {"w": {"serverUrl": "https://w.example.com/mcp"}}}"#;
    assert_eq!(
        one(McpFormat::McpServers, windsurf).launcher,
        Some(Launcher::Remote)
    );
    let codex = "model = \"o3\"\n\n[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"docs-mcp@1.2.3\"]\nenv = { \"API_KEY\" = \"value\" }\n";
    let s = one(McpFormat::Codex, codex);
    assert_eq!((s.name.as_str(), s.line), ("docs", 3));
    assert_eq!(
        (s.package.as_str(), s.version.as_str()),
        ("docs-mcp", "1.2.3")
    );
    assert_eq!(s.env, vec![("API_KEY".to_string(), "value".to_string())]);
    let cont = "name: Playwright mcpServer\nversion: 0.0.1\nschema: v1\nmcpServers:\n  - name: Browser search\n    command: npx\n    args:\n      - \"@playwright/mcp@latest\"\n";
    let s = one(McpFormat::ContinueYaml, cont);
    assert_eq!((s.name.as_str(), s.line), ("Browser search", 5));
    assert_eq!(
        (s.package.as_str(), s.version.as_str()),
        ("@playwright/mcp", "latest")
    );
}

#[test]
fn broken_files_are_errors_and_files_without_servers_are_empty() {
    assert!(servers(McpFormat::McpServers, "{\"mcpServers\": {").is_err());
    assert!(servers(McpFormat::Codex, "[mcp_servers.x\n").is_err());
    assert!(servers(McpFormat::McpServers, r#"{"permissions": {}}"#)
        .unwrap()
        .is_empty());
}

#[test]
fn hosts() {
    assert_eq!(
        host_of("https://user@Mcp.Example.com:8443/sse").as_deref(),
        Some("mcp.example.com")
    );
    assert_eq!(host_of("http://[::1]:3000/mcp").as_deref(), Some("[::1]"));
    assert_eq!(split_npm("@a/b@1.0.0"), ("@a/b", "1.0.0"));
    assert_eq!(split_npm("@a/b"), ("@a/b", ""));
    assert_eq!(split_npm("mcp-remote@0.1.16"), ("mcp-remote", "0.1.16"));
}
