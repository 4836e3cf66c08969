//! The folder: a small evaluator over one line's tokens that folds constant names (concatenation, char
//! codes, escapes, hex/base64 literals, reversal, joins) and follows dynamic lookups (`getattr`,
//! `__import__`, `obj[…]`, `require(…)`, `send`, `const_get`) to the path they reach. Bounded: a token
//! budget per expression, a nesting depth and a size for every value; what it cannot fold is unknown,
//! never guessed.

use super::tokens::{literal, Kind, Lang, Token, MAX_LITERAL};
use super::values::{b64, chars, decode_str, hex, index, join, reverse, rot13};

/// Most tokens one expression may read.
const BUDGET: usize = 256;
/// Deepest nesting followed.
const MAX_DEPTH: usize = 24;
/// Most elements of a folded list.
const MAX_LIST: usize = 256;

/// A folded value.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val {
    /// Not foldable.
    Unknown,
    /// An integer.
    Int(i64),
    /// A string (or bytes); `true` when it was built, encoded or escaped rather than written plainly.
    Str(String, bool),
    /// A list or tuple of values; `true` when built.
    List(Vec<Val>, bool),
    /// A module, an object or one of its members, by path (`os`, `os.system`, `fn:getattr`); `true`
    /// when a name on the way was hidden.
    Obj(String, bool),
}

/// How a lookup was written.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Resolved {
    /// The name folded: the path it reaches and whether the name was hidden.
    Name { path: String, hidden: bool },
    /// The name could not be folded: a member of `base` chosen at run time.
    Dynamic { base: String },
    /// A built string spelling a dangerous name, not used by a lookup here.
    HiddenString { text: String },
}

/// One lookup the folder followed.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Event {
    /// What it reached.
    pub(super) resolved: Resolved,
    /// How it was written (`getattr(os, …)`).
    pub(super) form: String,
    /// Byte span in the line.
    pub(super) start: usize,
    /// End of the span.
    pub(super) end: usize,
}

/// The folder over one line.
pub(super) struct Folder<'a> {
    pub(super) lang: Lang,
    pub(super) line: &'a str,
    pub(super) toks: &'a [Token],
    pub(super) close: &'a [usize],
    /// Names bound to modules on earlier added lines of the file (`cp` → `child_process`).
    pub(super) aliases: &'a [(String, String)],
    pub(super) events: Vec<Event>,
    pub(super) budget: usize,
    depth: usize,
}

pub(super) fn hidden_of(v: &Val) -> bool {
    match v {
        Val::Str(_, h) | Val::List(_, h) | Val::Obj(_, h) => *h,
        _ => false,
    }
}

impl<'a> Folder<'a> {
    /// A folder over the tokens of `line`.
    pub(super) fn new(
        lang: Lang,
        line: &'a str,
        toks: &'a [Token],
        close: &'a [usize],
        aliases: &'a [(String, String)],
    ) -> Self {
        Folder {
            lang,
            line,
            toks,
            close,
            aliases,
            events: Vec::new(),
            budget: BUDGET,
            depth: 0,
        }
    }

    fn punct(&self, i: usize) -> Option<u8> {
        match self.toks.get(i)?.kind {
            Kind::Punct(c) => Some(c),
            _ => None,
        }
    }

    fn text(&self, i: usize) -> &'a str {
        let t = &self.toks[i];
        &self.line[t.start as usize..t.end as usize]
    }

    fn ident(&self, i: usize) -> Option<&'a str> {
        matches!(self.toks.get(i)?.kind, Kind::Ident).then(|| self.text(i))
    }

    fn span_end(&self, i: usize) -> usize {
        self.toks
            .get(i.saturating_sub(1))
            .map_or(0, |t| t.end as usize)
    }

    /// Folds the expression starting at token `i`; returns its value and the next token.
    pub(super) fn expr(&mut self, i: usize) -> (Val, usize) {
        if self.depth >= MAX_DEPTH || self.budget == 0 {
            return (Val::Unknown, i + 1);
        }
        self.depth += 1;
        let (mut v, mut i) = self.term(i);
        loop {
            let concat = match self.toks.get(i).map(|t| t.kind) {
                Some(Kind::Punct(b'+')) => true,
                Some(Kind::Punct(b'.')) if self.lang == Lang::Php => true,
                Some(Kind::Str { .. }) => {
                    matches!(self.lang, Lang::Python | Lang::Ruby)
                        && matches!(v, Val::Str(..))
                        && i > 0
                        && matches!(self.toks[i - 1].kind, Kind::Str { .. })
                }
                _ => false,
            };
            if !concat {
                break;
            }
            let next = if matches!(self.toks[i].kind, Kind::Str { .. }) {
                i
            } else {
                i + 1
            };
            let (r, after) = self.term(next);
            v = match (v, r) {
                (Val::Str(a, _), Val::Str(b, _)) if a.len() + b.len() <= MAX_LITERAL => {
                    Val::Str(a + &b, true)
                }
                (Val::List(mut a, _), Val::List(b, _)) if a.len() + b.len() <= MAX_LIST => {
                    a.extend(b);
                    Val::List(a, true)
                }
                (Val::Int(a), Val::Int(b)) => Val::Int(a.wrapping_add(b)),
                _ => Val::Unknown,
            };
            i = after;
        }
        self.depth -= 1;
        (v, i)
    }

    fn term(&mut self, i: usize) -> (Val, usize) {
        let (mut v, mut i) = self.primary(i);
        // Whether `v` came from a dynamic lookup or import (then a plain member of it is reported too).
        let mut dynamic = false;
        while self.budget > 0 {
            self.budget -= 1;
            match self.punct(i) {
                Some(b'.') => {
                    if let (Val::Obj(p, h), Some(name)) = (&v, self.ident(i + 1)) {
                        let path = format!("{p}.{name}");
                        if (dynamic || *h) && super::table::danger(&path).is_some() {
                            let resolved = Resolved::Name { path, hidden: *h };
                            let (start, end) =
                                (self.toks[i].start as usize, self.toks[i + 1].end as usize);
                            self.event(resolved, format!("{p}….{name}"), start, end);
                        }
                    }
                    dynamic = false;
                    let Some(name) = self.ident(i + 1) else {
                        break;
                    };
                    let call = self.punct(i + 2) == Some(b'(');
                    let (args, next) = if call {
                        self.args(i + 2)
                    } else {
                        (Vec::new(), i + 2)
                    };
                    let start = self.toks[i].start as usize;
                    v = self.method(v, name, args, call, start, self.span_end(next));
                    i = next;
                }
                Some(b'[') => {
                    let close = self.close[i];
                    if close == usize::MAX {
                        return (Val::Unknown, i + 1);
                    }
                    v = self.subscript(v, i, close);
                    dynamic = matches!(v, Val::Obj(..));
                    i = close + 1;
                }
                Some(b'(') => {
                    let (args, next) = self.args(i);
                    v = self.call(v, args, self.toks[i].start as usize, self.span_end(next));
                    dynamic = matches!(v, Val::Obj(..));
                    i = next;
                }
                _ => break,
            }
        }
        (v, i)
    }

    /// Arguments of the call whose `(` is at `i`, and the token after its `)`.
    fn args(&mut self, i: usize) -> (Vec<Val>, usize) {
        let close = self.close[i];
        if close == usize::MAX {
            return (vec![Val::Unknown], self.toks.len());
        }
        (self.items(i + 1, close), close + 1)
    }

    /// Comma-separated values from `i` up to the token `end`; one that does not end at a comma is unknown.
    fn items(&mut self, mut i: usize, end: usize) -> Vec<Val> {
        let mut out = Vec::new();
        while i < end && out.len() < MAX_LIST {
            if let Some(v) = self.chr_comprehension(i, end) {
                out.push(v);
                return out;
            }
            let (v, mut next) = self.expr(i);
            let v = if next == end || self.punct(next) == Some(b',') {
                v
            } else {
                Val::Unknown
            };
            // Skip what was not understood to the next comma at this level (within the budget).
            while next < end && self.punct(next) != Some(b',') {
                if self.budget == 0 {
                    out.push(Val::Unknown);
                    return out;
                }
                self.budget -= 1;
                next = match self.close.get(next) {
                    Some(&c) if c != usize::MAX && c < end => c + 1,
                    _ => next + 1,
                };
            }
            out.push(v);
            i = next + 1;
        }
        out
    }

    /// Python's `chr(x) for x in <list>` (in a list, a generator or a call's parentheses) filling the
    /// whole of `i..end`: the characters of the list's codes.
    fn chr_comprehension(&mut self, i: usize, end: usize) -> Option<Val> {
        if self.lang != Lang::Python || end < i + 8 {
            return None;
        }
        let var = self.ident(i + 2)?;
        let shape = self.ident(i)? == "chr"
            && self.punct(i + 1) == Some(b'(')
            && self.punct(i + 3) == Some(b')')
            && self.ident(i + 4)? == "for"
            && self.ident(i + 5)? == var
            && self.ident(i + 6)? == "in";
        if !shape {
            return None;
        }
        let (list, next) = self.expr(i + 7);
        if next != end {
            return None;
        }
        match list {
            Val::List(items, _) => match chars(&items) {
                Val::Str(s, _) => Some(Val::List(
                    s.chars().map(|c| Val::Str(c.to_string(), true)).collect(),
                    true,
                )),
                _ => None,
            },
            _ => None,
        }
    }

    fn primary(&mut self, i: usize) -> (Val, usize) {
        self.budget = self.budget.saturating_sub(1);
        let Some(t) = self.toks.get(i).copied() else {
            return (Val::Unknown, i + 1);
        };
        match t.kind {
            Kind::Str { .. } => match literal(self.lang, self.line, t.kind) {
                Some((s, hidden)) => (Val::Str(s, hidden), i + 1),
                None => (Val::Unknown, i + 1),
            },
            Kind::Int(n) => (Val::Int(n), i + 1),
            Kind::Symbol => (Val::Str(self.text(i)[1..].to_string(), false), i + 1),
            Kind::Punct(b'[') => {
                let close = self.close[i];
                if close == usize::MAX {
                    return (Val::Unknown, i + 1);
                }
                if let Some(list) = self.chr_comprehension(i + 1, close) {
                    return (list, close + 1);
                }
                let items = self.items(i + 1, close);
                (Val::List(items, false), close + 1)
            }
            Kind::Punct(b'(') => {
                let close = self.close[i];
                if close == usize::MAX {
                    return (Val::Unknown, i + 1);
                }
                let mut items = self.items(i + 1, close);
                let v = if items.len() > 1 {
                    Val::List(items, false)
                } else {
                    items.pop().unwrap_or(Val::Unknown)
                };
                (v, close + 1)
            }
            Kind::Punct(b'-') => match self.toks.get(i + 1).map(|t| t.kind) {
                Some(Kind::Int(n)) => (Val::Int(-n), i + 2),
                _ => (Val::Unknown, i + 1),
            },
            Kind::Ident => (self.name(self.text(i)), i + 1),
            // Ruby's `&:chr` block argument.
            Kind::Punct(b'&')
                if matches!(self.toks.get(i + 1).map(|t| t.kind), Some(Kind::Symbol)) =>
            {
                (Val::Str(self.text(i + 1)[1..].to_string(), false), i + 2)
            }
            _ => (Val::Unknown, i + 1),
        }
    }

    /// What a bare identifier is.
    fn name(&self, n: &str) -> Val {
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

    pub(super) fn event(&mut self, resolved: Resolved, form: String, start: usize, end: usize) {
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
    pub(super) fn lookup(
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
                    if super::table::hidden_name_worthy(s) {
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
            if super::table::dangerous_module(base_path) {
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
    pub(super) fn import(&mut self, name: &Val, form: &str, start: usize, end: usize) -> Val {
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

    fn subscript(&mut self, v: Val, open: usize, close: usize) -> Val {
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
    pub(super) fn call(&mut self, f: Val, args: Vec<Val>, start: usize, end: usize) -> Val {
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

    pub(super) fn constant(&mut self, name: &Val, start: usize, end: usize) -> Val {
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
