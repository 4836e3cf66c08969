//! The format readers: each agent's MCP configuration (JSON or JSONC `mcpServers`/`servers`, Codex's
//! TOML, Continue's YAML) read into [`Server`]s, with the line each is declared on.

use serde_json::Value;

use super::{launch, Server};

/// Reads a JSON document that may hold comments and trailing commas (VS Code's and Gemini's settings
/// are JSONC): both are blanked out with spaces, so line numbers stay.
pub fn parse_jsonc(text: &str) -> Result<Value, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match serde_json::from_str(text) {
        Ok(value) => Ok(value),
        Err(first) => {
            let cleaned = strip_jsonc(text);
            serde_json::from_str(&cleaned).map_err(|_| {
                format!(
                    "{} at line {} column {}",
                    first.classify_message(),
                    first.line(),
                    first.column()
                )
            })
        }
    }
}

trait Classify {
    fn classify_message(&self) -> String;
}

impl Classify for serde_json::Error {
    fn classify_message(&self) -> String {
        let text = self.to_string();
        text.split(" at line ").next().unwrap_or(&text).to_string()
    }
}

/// `//` and `/* */` comments and commas before `}`/`]` blanked out (newlines kept), strings untouched.
fn strip_jsonc(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    // The position of the last comma outside strings not yet followed by a value.
    let mut comma: Option<usize> = None;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                comma = None;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |e| i + 2 + e + 2);
                for b in &mut out[i..end] {
                    if *b != b'\n' {
                        *b = b' ';
                    }
                }
                i = end;
            }
            b',' => {
                comma = Some(i);
                i += 1;
            }
            b'}' | b']' => {
                if let Some(at) = comma.take() {
                    out[at] = b' ';
                }
                i += 1;
            }
            b if b.is_ascii_whitespace() => i += 1,
            _ => {
                comma = None;
                i += 1;
            }
        }
    }
    // Only ASCII bytes were replaced by spaces, so the text stays UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// The servers under the top-level `key` of a JSON or JSONC document (`mcpServers`, VS Code's `servers`).
pub(super) fn json_servers(text: &str, key: &str) -> Result<Vec<Server>, String> {
    let value = parse_jsonc(text)?;
    let Some(entries) = value.get(key).and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    // Comments and trailing commas blanked out (line numbers kept), so the key scanner reads JSONC too.
    let clean = strip_jsonc(text);
    let lines = crate::manifest::json_lines::key_lines(&clean, |path, k, _| {
        (path.is_empty() && k == key) || path.len() == 1
    });
    let mut out = Vec::new();
    for (name, entry) in entries {
        let line = lines
            .get(&vec![key.to_string(), name.clone()])
            .copied()
            .unwrap_or(1);
        out.push(server_of(name, entry, line));
    }
    Ok(out)
}

/// A server from its JSON (or TOML/YAML turned JSON) entry.
fn server_of(name: &str, entry: &Value, line: u32) -> Server {
    let text = |k: &str| entry.get(k).and_then(Value::as_str).map(str::to_string);
    let pairs = |k: &str| -> Vec<(String, String)> {
        entry
            .get(k)
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map_or(v.to_string(), str::to_string)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let args: Vec<String> = entry
        .get("args")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().map_or(v.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut server = Server {
        name: name.to_string(),
        line,
        command: text("command").unwrap_or_default(),
        args,
        url: text("url")
            .or_else(|| text("serverUrl"))
            .or_else(|| text("httpUrl")),
        env: pairs("env"),
        headers: pairs("headers"),
        trusted: entry.get("trust").and_then(Value::as_bool) == Some(true),
        disabled: entry.get("disabled").and_then(Value::as_bool) == Some(true)
            || entry.get("enabled").and_then(Value::as_bool) == Some(false),
        ..Server::default()
    };
    // `command` may hold a whole command line (`"command": "npx -y pkg"`): split it like a shell.
    if server.args.is_empty() && server.command.contains(' ') {
        let words = split_words(&server.command);
        if let Some((first, rest)) = words.split_first() {
            server.command = first.clone();
            server.args = rest.to_vec();
        }
    }
    launch::classify(&mut server);
    server
}

/// Words of a command line, split at blanks outside single and double quotes, quotes removed.
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            (None, c) => word.push(c),
        }
    }
    if started || !word.is_empty() {
        words.push(word);
    }
    words
}

/// The servers of Codex's `config.toml` (`[mcp_servers.<name>]` tables).
pub(super) fn codex_servers(text: &str) -> Result<Vec<Server>, String> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| e.message().to_string())?;
    let Some(servers) = table.get("mcp_servers").and_then(toml::Value::as_table) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (name, entry) in servers {
        let json = serde_json::to_value(entry).unwrap_or(Value::Null);
        let line = line_of_any(
            text,
            &[
                &format!("[mcp_servers.{name}]"),
                &format!("[mcp_servers.\"{name}\"]"),
                &format!("mcp_servers.{name}"),
                name,
            ],
        );
        out.push(server_of(name, &json, line));
    }
    Ok(out)
}

/// The servers of a Continue YAML configuration (`mcpServers`, a list of named entries).
pub(super) fn continue_servers(text: &str) -> Result<Vec<Server>, String> {
    let value: Value = serde_saphyr::from_str(text).map_err(|e| {
        let text = e.to_string();
        text.lines().next().unwrap_or("invalid YAML").to_string()
    })?;
    let Some(list) = value.get("mcpServers").and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let name = entry
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("#{}", i + 1), str::to_string);
        let line = line_of_any(text, &[&format!("name: {name}"), &name]);
        out.push(server_of(&name, entry, line));
    }
    Ok(out)
}

/// The 1-based line of the first of `needles` found in `text` (1 when none is).
fn line_of_any(text: &str, needles: &[&str]) -> u32 {
    for needle in needles {
        if needle.is_empty() {
            continue;
        }
        if let Some(at) = text.find(needle) {
            return text[..at].matches('\n').count() as u32 + 1;
        }
    }
    1
}
