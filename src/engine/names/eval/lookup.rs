//! The folder's lookups: what a bare name is, and where `getattr`, `__import__`, `obj[…]`, a call
//! (`require(…)`, `send`, decoders, joins) and `const_get` lead, each recorded as an [`Event`].

use super::{Event, Folder, Resolved, Val};
use crate::engine::names::tokens::{Kind, Lang};
use crate::engine::names::values::{b64, chars, decode_str, hex, index, join, reverse, rot13};

impl<'a> Folder<'a> {
    /// What a bare identifier is.
    pub(super) fn name(&self, n: &str) -> Val {
        if let Some((_, target)) = self.aliases.iter().rev().find(|(a, _)| a == n) {
            return Val::Obj(target.clone(), false);
        }
        let path = match (self.lang, n) {
            (Lang::Python, "__builtins__" | "builtins") => "builtins",
            (
                Lang::Python,
                "os" | "subprocess" | "pty" | "posix" | "commands" | "marshal" | "sys",
            ) => n,
            (
                Lang::Python,
                "importlib" | "base64" | "codecs" | "binascii" | "bytes" | "bytearray",
            ) => n,
            (
                Lang::Python,
                "getattr" | "__import__" | "chr" | "vars" | "globals" | "locals" | "reversed"
                | "map" | "str" | "import_module" | "b64decode" | "eval" | "exec" | "compile",
            ) => return Val::Obj(format!("builtins.{n}"), false),
            (Lang::Js, "global" | "globalThis" | "window" | "self") => "global",
            (
                Lang::Js,
                "process" | "String" | "Buffer" | "Reflect" | "require" | "atob" | "module",
            ) => n,
            (Lang::Js, "import") => "require",
            (Lang::Js, "child_process" | "childProcess") => "child_process",
            (
                Lang::Ruby,
                "Kernel" | "Object" | "Module" | "Base64" | "IO" | "Open3" | "Process",
            ) => n,
            (Lang::Ruby, "send" | "public_send" | "__send__" | "method") => {
                return Val::Obj(format!("self.{n}"), false)
            }
            (Lang::Ruby, "const_get") => return Val::Obj("Kernel.const_get".into(), false),
            (Lang::Php, _) if !n.starts_with('$') => return Val::Obj(format!("php.{n}"), false),
            _ => return Val::Unknown,
        };
        Val::Obj(path.to_string(), false)
    }

    /// Records what a lookup reached (at most 64 per line).
    pub(in crate::engine::names) fn event(
        &mut self,
        resolved: Resolved,
        form: String,
        start: usize,
        end: usize,
    ) {
        if self.events.len() < 64 {
            self.events.push(Event {
                resolved,
                form,
                start,
                end,
            });
        }
    }

    /// A lookup of `name` on `base` written as `form`.
    pub(in crate::engine::names) fn lookup(
        &mut self,
        base: &Val,
        name: &Val,
        form: &str,
        start: usize,
        end: usize,
    ) -> Val {
        let (base_path, base_hidden) = match base {
            Val::Obj(p, h) => (p.as_str(), *h),
            _ => {
                if let Val::Str(s, true) = name {
                    if crate::engine::names::table::hidden_name_worthy(s) {
                        let text = s.clone();
                        self.event(
                            Resolved::HiddenString { text },
                            form.replace('@', "…"),
                            start,
                            end,
                        );
                    }
                }
                return Val::Unknown;
            }
        };
        let shown_base = match base_path {
            "builtins" => "__builtins__",
            "global" => "global",
            p => p,
        }
        .to_string();
        let form = form.replace('@', &shown_base);
        let Val::Str(member, hidden) = name else {
            if crate::engine::names::table::dangerous_module(base_path) {
                self.event(Resolved::Dynamic { base: shown_base }, form, start, end);
            }
            return Val::Unknown;
        };
        let hidden = *hidden || base_hidden;
        let path = match base_path {
            "sys.modules" => {
                let module = Val::Str(member.clone(), hidden);
                return self.import(&module, "sys.modules[…]", start, end);
            }
            "globals" => match self.name(member) {
                Val::Obj(p, _) => p,
                _ => return Val::Unknown,
            },
            "builtins" | "global" if matches!(self.lang, Lang::Python | Lang::Js) => {
                match self.name(member) {
                    Val::Obj(p, _) if p.starts_with("builtins.") || p == "require" => p,
                    _ => format!("{base_path}.{member}"),
                }
            }
            "self" => format!("Kernel.{member}"),
            _ => format!("{base_path}.{member}"),
        };
        self.event(
            Resolved::Name {
                path: path.clone(),
                hidden,
            },
            form,
            start,
            end,
        );
        Val::Obj(path, hidden)
    }

    /// An import of the module named by `name`.
    pub(in crate::engine::names) fn import(
        &mut self,
        name: &Val,
        form: &str,
        start: usize,
        end: usize,
    ) -> Val {
        let Val::Str(module, hidden) = name else {
            return Val::Unknown;
        };
        let module = module.strip_prefix("node:").unwrap_or(module).to_string();
        self.event(
            Resolved::Name {
                path: format!("import:{module}"),
                hidden: *hidden,
            },
            form.to_string(),
            start,
            end,
        );
        Val::Obj(module, *hidden)
    }

    /// `v[…]`: an index or key (a lookup when `v` is an object), or a slice that reverses.
    pub(super) fn subscript(&mut self, v: Val, open: usize, close: usize) -> Val {
        // Python's `[::-1]`.
        if close == open + 5
            && (open + 1..open + 4)
                .map(|k| self.punct(k))
                .eq([Some(b':'), Some(b':'), Some(b'-')])
            && matches!(self.toks[close - 1].kind, Kind::Int(1))
        {
            return reverse(v);
        }
        let mut key = self.items(open + 1, close);
        let key = if key.len() == 1 {
            key.pop().unwrap_or(Val::Unknown)
        } else {
            Val::Unknown
        };
        let (start, end) = (
            self.toks[open].start as usize,
            self.toks[close].end as usize,
        );
        match (v, key) {
            (Val::Str(s, h), Val::Int(n)) => index(s.chars().map(|c| c.to_string()).collect(), n)
                .map_or(Val::Unknown, |c| Val::Str(c, h)),
            (Val::List(items, h), Val::Int(n)) => match index(items, n) {
                Some(Val::Str(s, inner)) => Val::Str(s, h || inner),
                Some(other) => other,
                None => Val::Unknown,
            },
            (base @ Val::Obj(..), key) => self.lookup(&base, &key, "@[…]", start, end),
            (_, key @ Val::Str(_, true)) => self.lookup(&Val::Unknown, &key, "[…]", start, end),
            _ => Val::Unknown,
        }
    }

    /// A call of `f` with `args`.
    pub(in crate::engine::names) fn call(
        &mut self,
        f: Val,
        args: Vec<Val>,
        start: usize,
        end: usize,
    ) -> Val {
        let Val::Obj(path, _) = &f else {
            return Val::Unknown;
        };
        let arg = |k: usize| args.get(k).cloned().unwrap_or(Val::Unknown);
        match path.as_str() {
            "builtins.getattr" | "Reflect.get" => {
                let form = if path == "Reflect.get" {
                    "Reflect.get(@, …)"
                } else {
                    "getattr(@, …)"
                };
                self.lookup(&arg(0), &arg(1), form, start, end)
            }
            "builtins.__import__" | "importlib.import_module" | "builtins.import_module" => {
                self.import(&arg(0), "__import__(…)", start, end)
            }
            "require"
            | "module.require"
            | "process.mainModule.require"
            | "module.constructor._load" => self.import(&arg(0), "require(…)", start, end),
            "builtins.vars" if !args.is_empty() => arg(0),
            "builtins.vars" | "builtins.globals" | "builtins.locals" => {
                Val::Obj("globals".into(), false)
            }
            "builtins.chr" | "php.chr" => chars(&args),
            "String.fromCharCode" => chars(&args),
            "builtins.bytes" | "builtins.bytearray" | "bytes" | "bytearray" => match arg(0) {
                Val::List(items, _) => chars(&items),
                other => other,
            },
            "bytes.fromhex" | "bytearray.fromhex" | "binascii.unhexlify" | "binascii.a2b_hex"
            | "php.hex2bin" => decode_str(&arg(0), hex),
            "base64.b64decode"
            | "builtins.b64decode"
            | "base64.standard_b64decode"
            | "base64.urlsafe_b64decode"
            | "base64.decodebytes"
            | "atob"
            | "Base64.decode64"
            | "Base64.strict_decode64"
            | "Base64.urlsafe_decode64"
            | "php.base64_decode" => decode_str(&arg(0), b64),
            "Buffer.from" => match (arg(0), arg(1)) {
                (Val::List(items, _), _) => chars(&items),
                (s @ Val::Str(..), Val::Str(enc, _)) if enc == "hex" => decode_str(&s, hex),
                (s @ Val::Str(..), Val::Str(enc, _)) if enc == "base64" || enc == "base64url" => {
                    decode_str(&s, b64)
                }
                (s @ Val::Str(..), Val::Unknown) if args.len() == 1 => s,
                _ => Val::Unknown,
            },
            "codecs.decode" => match (arg(0), arg(1)) {
                (Val::Str(s, _), Val::Str(enc, _)) if enc.starts_with("rot") => {
                    Val::Str(rot13(&s), true)
                }
                (s @ Val::Str(..), Val::Str(enc, _)) if enc == "hex" => decode_str(&s, hex),
                (s @ Val::Str(..), Val::Str(enc, _)) if enc == "base64" => decode_str(&s, b64),
                _ => Val::Unknown,
            },
            "php.str_rot13" => match arg(0) {
                Val::Str(s, _) => Val::Str(rot13(&s), true),
                _ => Val::Unknown,
            },
            "php.strrev" | "builtins.reversed" => reverse(arg(0)),
            "php.implode" | "php.join" => match (arg(0), arg(1)) {
                (Val::Str(sep, _), list @ Val::List(..)) => join(list, &sep),
                _ => Val::Unknown,
            },
            "builtins.map" => match (arg(0), arg(1)) {
                (Val::Obj(f, _), Val::List(items, _)) if f == "builtins.chr" => {
                    let mapped = items
                        .iter()
                        .map(|x| chars(std::slice::from_ref(x)))
                        .collect();
                    Val::List(mapped, true)
                }
                _ => Val::Unknown,
            },
            "builtins.str" => arg(0),
            "php.call_user_func" | "php.call_user_func_array" => match arg(0) {
                f @ Val::Str(..) => self.lookup(
                    &Val::Obj("php".into(), false),
                    &f,
                    "call_user_func(…)",
                    start,
                    end,
                ),
                _ => Val::Unknown,
            },
            "self.send" | "self.public_send" | "self.__send__" | "self.method" => {
                let form = format!("{}(…)", &path["self.".len()..]);
                self.lookup(&Val::Obj("self".into(), false), &arg(0), &form, start, end)
            }
            "Kernel.const_get" => self.constant(&arg(0), start, end),
            _ => Val::Unknown,
        }
    }

    /// Ruby's `const_get(name)`: the constant `name` names.
    pub(in crate::engine::names) fn constant(
        &mut self,
        name: &Val,
        start: usize,
        end: usize,
    ) -> Val {
        let Val::Str(c, hidden) = name else {
            return Val::Unknown;
        };
        let c = c.trim_start_matches("::").to_string();
        self.event(
            Resolved::Name {
                path: format!("import:{c}"),
                hidden: *hidden,
            },
            "const_get(…)".into(),
            start,
            end,
        );
        Val::Obj(c, *hidden)
    }
}
