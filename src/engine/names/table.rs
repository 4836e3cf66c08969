//! What a resolved name is: the dangerous APIs (what they do, the check that reports them when written
//! plainly), the modules whose members are all worth a look, and the names that only obfuscation builds.

/// A dangerous API a lookup can resolve to.
#[derive(Debug, Clone, Copy)]
pub(super) struct Danger {
    /// What it does, for the message.
    pub(super) what: &'static str,
    /// The check that reports the plain call.
    pub(super) check: &'static str,
}

const fn d(what: &'static str, check: &'static str) -> Option<Danger> {
    Some(Danger { what, check })
}

/// The dangerous API at a resolved path (`os.system`, `child_process.exec`, `Kernel.system`,
/// `builtins.eval`, `php.system`).
pub(super) fn danger(path: &str) -> Option<Danger> {
    let (base, member) = path.rsplit_once('.')?;
    match (base, member) {
        ("os" | "posix" | "nt", "system" | "popen") => {
            d("starts a shell command", "exec.python.os-system")
        }
        ("commands", "getoutput" | "getstatusoutput") => {
            d("starts a shell command", "exec.python.os-system")
        }
        ("os" | "posix" | "nt", m)
            if m.starts_with("exec") || m.starts_with("spawn") || m.starts_with("posix_spawn") =>
        {
            d("starts a process", "exec.python.os-exec")
        }
        ("pty", "spawn") => d("starts a process", "exec.python.os-exec"),
        (
            "subprocess",
            "Popen" | "run" | "call" | "check_call" | "check_output" | "getoutput"
            | "getstatusoutput",
        ) => d("runs a program", "exec.python.subprocess"),
        ("builtins", "eval" | "exec") => d("runs code from a string", "eval.python.eval"),
        ("builtins", "compile") => d("compiles code from a string", "eval.python.compile"),
        ("marshal", "loads") => d("loads code objects", "eval.python.marshal"),
        (
            "child_process",
            "exec" | "execSync" | "spawn" | "spawnSync" | "execFile" | "execFileSync" | "fork",
        ) => d("runs a command", "exec.javascript.child-process"),
        ("global", "eval") => d("runs code from a string", "eval.javascript.eval"),
        ("global", "Function") => d(
            "compiles code from a string",
            "eval.javascript.new-function",
        ),
        (
            "vm",
            "runInThisContext" | "runInNewContext" | "runInContext" | "Script" | "compileFunction",
        ) => d("runs code from a string", "eval.javascript.vm"),
        ("process", "binding" | "dlopen") => d("reaches native process internals", ""),
        ("Kernel", "system" | "exec" | "spawn" | "`") | ("Process", "spawn" | "exec") => {
            d("runs a command", "exec.ruby.system")
        }
        ("Kernel" | "IO", "popen") => d("runs a command", "exec.ruby.popen"),
        ("Kernel", "eval") => d("runs code from a string", "eval.ruby.eval"),
        ("Kernel", "instance_eval" | "class_eval" | "module_eval") => {
            d("runs code from a string", "eval.ruby.instance-eval")
        }
        ("Open3", _) => d("runs a command", "exec.ruby.open3"),
        (
            "php",
            "system" | "exec" | "shell_exec" | "passthru" | "popen" | "proc_open" | "pcntl_exec",
        ) => d("runs a command", "exec.php.shell-exec"),
        ("php", "eval") => d("runs code from a string", "eval.php.eval"),
        ("php", "assert") => d("runs code from a string", "eval.php.assert-string"),
        ("php", "create_function") => d("compiles code from a string", "eval.php.create-function"),
        _ => None,
    }
}

/// Modules whose every member is worth a look: a member of one chosen at run time is reported.
pub(super) fn dangerous_module(path: &str) -> bool {
    matches!(
        path,
        "os" | "posix"
            | "nt"
            | "subprocess"
            | "pty"
            | "commands"
            | "builtins"
            | "marshal"
            | "child_process"
            | "vm"
            | "Kernel"
            | "Open3"
            | "php"
    )
}

/// Modules whose import through a built or encoded name is reported.
pub(super) fn hidden_import_worthy(module: &str) -> bool {
    dangerous_module(module)
        || matches!(
            module,
            "socket"
                | "ctypes"
                | "base64"
                | "zlib"
                | "urllib"
                | "urllib.request"
                | "requests"
                | "http"
                | "https"
                | "net"
                | "fs"
                | "http.client"
                | "open-uri"
                | "net/http"
        )
}

/// Names that only obfuscation builds from pieces, escapes or encodings: a built string spelling one
/// is reported even where no lookup uses it in the same expression.
pub(super) fn hidden_name_worthy(name: &str) -> bool {
    matches!(
        name,
        "system"
            | "popen"
            | "exec"
            | "execSync"
            | "execFile"
            | "execFileSync"
            | "spawn"
            | "spawnSync"
            | "eval"
            | "Popen"
            | "check_output"
            | "getoutput"
            | "child_process"
            | "node:child_process"
            | "subprocess"
            | "__import__"
            | "__builtins__"
            | "builtins"
            | "shell_exec"
            | "passthru"
            | "proc_open"
            | "pcntl_exec"
            | "require"
            | "os.system"
            | "os.popen"
            | "instance_eval"
            | "class_eval"
            | "mainModule"
    )
}

/// Python builtins and the dangerous APIs of every language that a look-alike identifier is reported
/// for when it folds to one of them.
pub(super) fn lookalike_target(name: &str) -> bool {
    matches!(
        name,
        "exec"
            | "eval"
            | "compile"
            | "open"
            | "getattr"
            | "setattr"
            | "__import__"
            | "input"
            | "print"
            | "globals"
            | "locals"
            | "vars"
            | "chr"
            | "ord"
            | "bytes"
            | "str"
            | "breakpoint"
            | "__builtins__"
            | "builtins"
            | "os"
            | "sys"
            | "system"
            | "popen"
            | "subprocess"
            | "Popen"
            | "run"
            | "call"
            | "check_output"
            | "import_module"
            | "importlib"
            | "base64"
            | "b64decode"
            | "marshal"
            | "loads"
            | "socket"
            | "requests"
            | "urllib"
            | "urlopen"
            | "environ"
            | "getenv"
            | "require"
            | "child_process"
            | "spawn"
            | "execSync"
            | "process"
            | "Function"
            | "atob"
            | "Buffer"
            | "fetch"
            | "http"
            | "https"
            | "request"
            | "Kernel"
            | "send"
            | "public_send"
            | "instance_eval"
            | "shell_exec"
            | "passthru"
            | "proc_open"
            | "assert"
            | "setup"
            | "cmdclass"
    )
}
