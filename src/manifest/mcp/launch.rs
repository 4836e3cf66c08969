//! How a server is started: its launcher (npx, uvx, docker, a URL, …) and the package, image or host
//! it runs, with the version it pins, read from its command line.

use super::{Launcher, Server};

/// The program's name without directory and Windows suffix, lowercase.
fn program(command: &str) -> String {
    let base = command.rsplit(['/', '\\']).next().unwrap_or(command);
    let lower = base.to_ascii_lowercase();
    for suffix in [".exe", ".cmd", ".bat", ".ps1"] {
        if let Some(stem) = lower.strip_suffix(suffix) {
            return stem.to_string();
        }
    }
    lower
}

/// Fills in the launcher, package and version from the command and arguments (or the URL).
pub(super) fn classify(server: &mut Server) {
    let args = server.args.clone();
    let prog = program(&server.command);
    if server.command.is_empty() {
        if let Some(url) = &server.url {
            server.launcher = Some(Launcher::Remote);
            server.package = url.clone();
        }
        return;
    }
    let rest = |n: usize| args.get(n..).unwrap_or(&[]);
    match prog.as_str() {
        "npx" => npm_package(server, Launcher::Npx, &args),
        "bunx" => npm_package(server, Launcher::Bunx, &args),
        "npm" if matches!(args.first().map(String::as_str), Some("exec" | "x")) => {
            npm_package(server, Launcher::Npx, rest(1))
        }
        "bun" if args.first().map(String::as_str) == Some("x") => {
            npm_package(server, Launcher::Bunx, rest(1))
        }
        "pnpm" if matches!(args.first().map(String::as_str), Some("dlx")) => {
            npm_package(server, Launcher::PnpmDlx, rest(1))
        }
        "pnpx" => npm_package(server, Launcher::PnpmDlx, &args),
        "yarn" if args.first().map(String::as_str) == Some("dlx") => {
            npm_package(server, Launcher::YarnDlx, rest(1))
        }
        "uvx" => python_package(server, Launcher::Uvx, &args, "--from"),
        "uv" if args.len() >= 2 && args[0] == "tool" && args[1] == "run" => {
            python_package(server, Launcher::Uvx, rest(2), "--from")
        }
        "pipx" if args.first().map(String::as_str) == Some("run") => {
            python_package(server, Launcher::PipxRun, rest(1), "--spec")
        }
        "docker" | "podman" | "nerdctl" => docker(server, &args),
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "fish" | "cmd" | "powershell" | "pwsh" => {
            let flag = args.iter().position(|a| {
                matches!(
                    a.to_ascii_lowercase().as_str(),
                    "-c" | "-lc" | "-ic" | "/c" | "/k" | "-command" | "-c:" | "-encodedcommand"
                ) || (a.starts_with('-') && !a.starts_with("--") && a.ends_with('c'))
            });
            server.launcher = Some(Launcher::Shell);
            server.package = prog.clone();
            server.shell_script = flag.and_then(|i| args.get(i + 1)).cloned().or_else(|| {
                // `bash script.sh`: the script is what runs.
                args.iter().find(|a| !a.starts_with('-')).cloned()
            });
        }
        "node" | "deno" | "bun" | "tsx" | "ts-node" => {
            server.launcher = Some(Launcher::Node);
            server.package = args
                .iter()
                .filter(|a| !a.starts_with('-') && *a != "run")
                .find(|a| !a.is_empty())
                .cloned()
                .unwrap_or_default();
        }
        p if p.starts_with("python") || p == "py" => {
            server.launcher = Some(Launcher::Python);
            server.package = match args.iter().position(|a| a == "-m") {
                Some(i) => args.get(i + 1).cloned().unwrap_or_default(),
                None => args
                    .iter()
                    .find(|a| !a.starts_with('-'))
                    .cloned()
                    .unwrap_or_default(),
            };
        }
        _ => {
            server.launcher = Some(Launcher::Program);
            server.package = server.command.clone();
        }
    }
}

/// `npx [-y] [--package=pkg | -p pkg] pkg[@version] args…`.
fn npm_package(server: &mut Server, launcher: Launcher, args: &[String]) {
    server.launcher = Some(launcher);
    let mut explicit: Option<String> = None;
    let mut first: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" {
            i += 1;
            continue;
        }
        if let Some(p) = arg.strip_prefix("--package=") {
            explicit.get_or_insert(p.to_string());
        } else if arg == "-p" || arg == "--package" {
            if let Some(p) = args.get(i + 1) {
                explicit.get_or_insert(p.clone());
            }
            i += 1;
        } else if arg.starts_with('-') {
            // -y, --yes, --quiet, --silent, --no-install, --prefer-offline …
        } else {
            first = Some(arg.clone());
            break;
        }
        i += 1;
    }
    let spec = explicit.or(first).unwrap_or_default();
    let (name, version) = split_npm(&spec);
    server.package = name.to_string();
    server.version = version.to_string();
}

/// `@scope/name@1.2.3` → (`@scope/name`, `1.2.3`); `name` → (`name`, ``).
pub fn split_npm(spec: &str) -> (&str, &str) {
    match spec.get(1..).and_then(|s| s.rfind('@')) {
        Some(at) => (&spec[..at + 1], &spec[at + 2..]),
        None => (spec, ""),
    }
}

/// `uvx [--from spec] pkg[==version|@version]`, `pipx run [--spec spec] pkg`.
fn python_package(server: &mut Server, launcher: Launcher, args: &[String], from_flag: &str) {
    server.launcher = Some(launcher);
    let mut from: Option<String> = None;
    let mut first: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if let Some(value) = arg.strip_prefix(&format!("{from_flag}=")) {
            from = Some(value.to_string());
        } else if arg == from_flag {
            from = args.get(i + 1).cloned();
            i += 1;
        } else if matches!(
            arg.as_str(),
            "--with" | "--python" | "-p" | "--index" | "--index-url" | "--extra-index-url" | "-w"
        ) {
            i += 1;
        } else if !arg.starts_with('-') {
            first = Some(arg.clone());
            break;
        }
        i += 1;
    }
    let spec = from.or(first).unwrap_or_default();
    if spec.starts_with("git+") || spec.contains("://") {
        server.package = spec;
        return;
    }
    match spec.find(['=', '@', '<', '>', '~', '!', '[']) {
        Some(at) => {
            server.package = spec[..at].to_string();
            let rest = &spec[at..];
            // `pkg[extra]==1.0`: skip the extras.
            let rest = match rest.strip_prefix('[') {
                Some(r) => r.split_once(']').map_or("", |(_, v)| v),
                None => rest,
            };
            server.version = rest
                .strip_prefix('@')
                .map_or(rest.to_string(), |v| format!("=={v}"));
        }
        None => server.package = spec,
    }
}

/// `docker run [flags] image[:tag][@digest] args…`.
fn docker(server: &mut Server, args: &[String]) {
    server.launcher = Some(Launcher::Docker);
    let Some(run) = args.iter().position(|a| a == "run") else {
        server.package = args.join(" ");
        return;
    };
    const VALUED: [&str; 24] = [
        "-e",
        "--env",
        "-v",
        "--volume",
        "--network",
        "--net",
        "--name",
        "-p",
        "--publish",
        "--mount",
        "--env-file",
        "-w",
        "--workdir",
        "--entrypoint",
        "-u",
        "--user",
        "--platform",
        "--add-host",
        "--cap-add",
        "--cap-drop",
        "-l",
        "--label",
        "--memory",
        "--cpus",
    ];
    let mut i = run + 1;
    while i < args.len() {
        let arg = &args[i];
        if let Some(value) = arg
            .strip_prefix("--network=")
            .or_else(|| arg.strip_prefix("--net="))
        {
            server.docker_network = Some(value.to_string());
        } else if arg == "--network" || arg == "--net" {
            server.docker_network = args.get(i + 1).cloned();
            i += 1;
        } else if VALUED.contains(&arg.as_str()) {
            i += 1;
        } else if !arg.starts_with('-') {
            let (name, version) = split_image(arg);
            server.package = name.to_string();
            server.version = version.to_string();
            return;
        }
        i += 1;
    }
}

/// `ghcr.io/github/github-mcp-server:v1@sha256:…` → (`ghcr.io/github/github-mcp-server`, `v1@sha256:…`).
fn split_image(image: &str) -> (&str, &str) {
    let (base, digest) = match image.split_once('@') {
        Some((base, _)) => (base, Some(image.len() - base.len())),
        None => (image, None),
    };
    let tag_at = base.rfind(':').filter(|&at| !base[at..].contains('/'));
    let name_end = tag_at.unwrap_or(base.len());
    let version_start = match (tag_at, digest) {
        (Some(at), _) => at + 1,
        (None, Some(_)) => base.len(),
        (None, None) => image.len(),
    };
    (&image[..name_end], &image[version_start..])
}

/// The host of a URL (`https://user@mcp.example.com:8443/sse` → `mcp.example.com`), lowercase.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = if host.starts_with('[') {
        host.split(']').next().map(|h| format!("{h}]"))?
    } else {
        host.split(':').next()?.to_string()
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}
