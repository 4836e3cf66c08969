//! The built-in check specs in a packed form: `build.rs` writes every validated [`CheckSpec`] as a
//! stream of 32-bit words, with every text an (offset, length) pair into one string blob; the binary
//! unpacks them once when first needed. Statics made of `&'static str`s would each need a relocation
//! when the process starts (some forty thousand of them, paid by every agent-hook call); one blob of
//! words and one of text need none, and the texts are still borrowed from the binary, not copied.
//! Unpacking is meant for specs kept to the end of the process: their lists are leaked, not owned.
//!
//! `build.rs` includes this file as it is, so packing and unpacking are written once, side by side:
//! a field or variant added to a spec type fails to compile here until it is packed too.

use std::borrow::Cow;
use std::collections::HashMap;

use super::help::{CheckHelp, Help};
use super::schema::{Action, Checksum, Ecosystem, Judge, On, Per, ProducedBy, Scope, Within};
use super::spec::{
    ChainSpec, CheckSpec, CommandCheckSpec, CommandSpec, ConditionSpec, KindSpec, List, Located,
    PatternSpec, Relation, RoleSpec, TargetSpec,
};
use crate::model::{Category, Language, Severity};

/// Packs values: the word stream and the string blob, with equal texts stored once.
#[derive(Debug, Default)]
pub struct Packer {
    /// The words, in order.
    pub words: Vec<u32>,
    /// Every text, end to end (once [`Packer::finish`] has run).
    pub strings: String,
    interned: HashMap<String, u32>,
    /// The texts packed by [`Packer::cold`]: helps and conditions, read only when a check runs or is
    /// explained. They go after all others (see [`Packer::finish`]), so that the texts every load reads
    /// (ids, messages, patterns, keywords) lie together in a few pages of the binary.
    cold: String,
    cold_interned: HashMap<String, u32>,
    /// The words that hold an offset into `cold`, made offsets into `strings` by [`Packer::finish`].
    cold_words: Vec<usize>,
    in_cold: bool,
    /// Where each cold text went, once finished.
    cold_final: HashMap<String, u32>,
}

impl Packer {
    /// Appends one word.
    pub fn word(&mut self, word: u32) {
        self.words.push(word);
    }

    /// Appends a count or small number, which must fit in a word.
    pub fn count(&mut self, n: usize) {
        self.word(u32::try_from(n).expect("a packed number fits in 32 bits"));
    }

    /// Appends a text as (offset, length) in the blob.
    pub fn text(&mut self, text: &str) {
        let offset = if self.in_cold {
            self.cold_words.push(self.words.len());
            intern_in(&mut self.cold, &mut self.cold_interned, text)
        } else {
            self.intern(text)
        };
        self.word(offset);
        self.count(text.len());
    }

    /// Packs with `pack` texts that only running or explaining a check reads (see `cold`).
    pub fn cold(&mut self, pack: impl FnOnce(&mut Packer)) {
        let was = std::mem::replace(&mut self.in_cold, true);
        pack(self);
        self.in_cold = was;
    }

    /// Puts the cold texts after the others and points their words there. Call it once, when every
    /// spec is packed.
    pub fn finish(&mut self) {
        let base = u32::try_from(self.strings.len()).expect("the string blob fits in 4 GB");
        self.strings.push_str(&std::mem::take(&mut self.cold));
        for &at in &self.cold_words {
            self.words[at] += base;
        }
        self.cold_words.clear();
        self.cold_final = std::mem::take(&mut self.cold_interned)
            .into_iter()
            .map(|(text, offset)| (text, offset + base))
            .collect();
    }

    /// The offset of a text in the blob, where it is added unless it is there already.
    pub fn intern(&mut self, text: &str) -> u32 {
        intern_in(&mut self.strings, &mut self.interned, text)
    }

    /// The table of [`RequiredLiterals`] for regexes packed already (after [`Packer::finish`]): for each
    /// (source, groups of literals; one or two groups), with the literals added to the blob, as
    /// little-endian words of their own. A source packed both among the cold texts and the others has
    /// an entry for each place.
    pub fn literal_table(&mut self, table: &[(&str, Vec<Vec<String>>)]) -> Vec<u8> {
        let mut entries: Vec<(u32, &str, &Vec<Vec<String>>)> = Vec::new();
        for (source, literals) in table {
            let places = [self.interned.get(*source), self.cold_final.get(*source)];
            let places: Vec<u32> = places.into_iter().flatten().copied().collect();
            if places.is_empty() {
                entries.push((self.intern(source), source, literals));
            }
            entries.extend(places.into_iter().map(|offset| (offset, *source, literals)));
        }
        entries.sort_by_key(|(offset, _, _)| *offset);
        entries.dedup_by_key(|(offset, _, _)| *offset);
        let mut words = vec![entries.len() as u32];
        let mut lists = Vec::new();
        let lists_start = 1 + ENTRY_LITERAL_WORDS * entries.len();
        for (offset, source, groups) in entries {
            assert!(
                groups.len() <= 2,
                "at most two groups of literals per regex"
            );
            let first = groups.first().map_or(0, Vec::len);
            let all: Vec<&String> = groups.iter().flatten().collect();
            words.extend([
                offset,
                source.len() as u32,
                (lists_start + lists.len()) as u32,
                all.len() as u32,
                first as u32,
            ]);
            for literal in all {
                let at = self.intern(literal);
                lists.extend([at, literal.len() as u32]);
            }
        }
        words.extend(lists);
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    /// The word stream as little-endian bytes (what `build.rs` writes to a file).
    pub fn word_bytes(&self) -> Vec<u8> {
        self.words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }
}

/// The offset of `text` in `blob`, where it is added unless `interned` knows it already.
fn intern_in(blob: &mut String, interned: &mut HashMap<String, u32>, text: &str) -> u32 {
    if let Some(&offset) = interned.get(text) {
        return offset;
    }
    let offset = u32::try_from(blob.len()).expect("the string blob fits in 4 GB");
    blob.push_str(text);
    interned.insert(text.to_string(), offset);
    offset
}

/// Reads values back from a packed word stream and its string blob.
#[derive(Debug)]
pub struct Unpacker {
    words: &'static [u8],
    strings: &'static str,
    at: usize,
}

impl Unpacker {
    /// A reader at the start of `words` (little-endian 32-bit words) over `strings`.
    pub fn new(words: &'static [u8], strings: &'static str) -> Unpacker {
        Unpacker {
            words,
            strings,
            at: 0,
        }
    }

    /// Whether every word has been read.
    pub fn is_done(&self) -> bool {
        self.at >= self.words.len()
    }

    /// The next word. The stream is the build's own output: running past its end is a bug of the build.
    pub fn word(&mut self) -> u32 {
        let bytes = self
            .words
            .get(self.at..self.at + 4)
            .expect("the packed checks end early (a bug of the build)");
        self.at += 4;
        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
    }

    /// A reader at word `word` of `words`.
    fn at_word(words: &'static [u8], strings: &'static str, word: usize) -> Unpacker {
        Unpacker {
            words,
            strings,
            at: 4 * word,
        }
    }

    /// The next text, borrowed from the blob.
    pub fn text(&mut self) -> &'static str {
        let offset = self.word();
        text_at(self.strings, offset, self.word())
    }
}

/// The text at (offset, length) in the blob.
fn text_at(strings: &'static str, offset: u32, len: u32) -> &'static str {
    let (offset, len) = (offset as usize, len as usize);
    strings
        .get(offset..offset + len)
        .expect("a packed text lies in the string blob (a bug of the build)")
}

/// A value that packs into words and unpacks from them.
pub trait Pack: Sized {
    /// Appends the value.
    fn pack(&self, out: &mut Packer);
    /// Reads the value back.
    fn unpack(input: &mut Unpacker) -> Self;
}

impl Pack for Cow<'static, str> {
    fn pack(&self, out: &mut Packer) {
        out.text(self);
    }
    fn unpack(input: &mut Unpacker) -> Self {
        Cow::Borrowed(input.text())
    }
}

impl<T: Pack + Clone> Pack for Cow<'static, [T]> {
    fn pack(&self, out: &mut Packer) {
        out.count(self.len());
        for item in self.iter() {
            item.pack(out);
        }
    }
    fn unpack(input: &mut Unpacker) -> Self {
        let len = input.word() as usize;
        if len == 0 {
            return Cow::Borrowed(&[]);
        }
        let mut items = Vec::with_capacity(len);
        for _ in 0..len {
            items.push(T::unpack(input));
        }
        // Unpacked once per process and kept to its end: borrowed, a list costs nothing to clone when
        // a check is compiled from its spec (as the static lists did).
        Cow::Borrowed(items.leak())
    }
}

impl<T: Pack> Pack for Option<T> {
    fn pack(&self, out: &mut Packer) {
        match self {
            None => out.word(0),
            Some(value) => {
                out.word(1);
                value.pack(out);
            }
        }
    }
    fn unpack(input: &mut Unpacker) -> Self {
        (input.word() != 0).then(|| T::unpack(input))
    }
}

impl<A: Pack, B: Pack> Pack for (A, B) {
    fn pack(&self, out: &mut Packer) {
        self.0.pack(out);
        self.1.pack(out);
    }
    fn unpack(input: &mut Unpacker) -> Self {
        let a = A::unpack(input);
        (a, B::unpack(input))
    }
}

impl Pack for bool {
    fn pack(&self, out: &mut Packer) {
        out.word(u32::from(*self));
    }
    fn unpack(input: &mut Unpacker) -> Self {
        input.word() != 0
    }
}

impl Pack for u32 {
    fn pack(&self, out: &mut Packer) {
        out.word(*self);
    }
    fn unpack(input: &mut Unpacker) -> Self {
        input.word()
    }
}

impl Pack for usize {
    fn pack(&self, out: &mut Packer) {
        out.count(*self);
    }
    fn unpack(input: &mut Unpacker) -> Self {
        input.word() as usize
    }
}

impl Pack for f64 {
    fn pack(&self, out: &mut Packer) {
        let bits = self.to_bits();
        out.word(bits as u32);
        out.word((bits >> 32) as u32);
    }
    fn unpack(input: &mut Unpacker) -> Self {
        let low = u64::from(input.word());
        f64::from_bits(low | (u64::from(input.word()) << 32))
    }
}

/// Fieldless enums pack as the index of their variant in the list given here; the list must name
/// every variant (the `match` fails to compile otherwise).
macro_rules! enums {
    ($($ty:ident { $($variant:ident),* $(,)? })*) => {$(
        impl Pack for $ty {
            fn pack(&self, out: &mut Packer) {
                match self {
                    $($ty::$variant)|* => {}
                }
                const ALL: &[$ty] = &[$($ty::$variant),*];
                out.count(ALL.iter().position(|v| v == self).unwrap_or(0));
            }
            fn unpack(input: &mut Unpacker) -> Self {
                const ALL: &[$ty] = &[$($ty::$variant),*];
                *ALL
                    .get(input.word() as usize)
                    .expect(concat!("a packed ", stringify!($ty), " is one of its variants"))
            }
        }
    )*};
}
enums! {
    Action { Deny, Ask, Allow }
    Checksum { Github, Npm }
    Ecosystem { Npm, Pypi, Crates, Rubygems, Go }
    Judge { Generic }
    On { Added, Removed, Deleted }
    Per { Line, File }
    ProducedBy { Dependencies, Policy, Instructions, Agent, Decode, Names }
    Scope { Code, Strings, Comments, Any }
    Within { File, Step, Hook }
    Relation { InputFrom, ArgsFrom, PipedInto, NotPipedInto, FollowedBy }
    TargetSpec { Match, Rest, Before, Line, After, Args, File, NewFile, KeptAfter }
}

/// The vocabulary's enums pack as their index in their `ALL` list.
macro_rules! vocabulary {
    ($($ty:ident),*) => {$(
        impl Pack for $ty {
            fn pack(&self, out: &mut Packer) {
                out.count($ty::ALL.iter().position(|v| v == self).expect("ALL lists every variant"));
            }
            fn unpack(input: &mut Unpacker) -> Self {
                *$ty::ALL
                    .get(input.word() as usize)
                    .expect(concat!("a packed ", stringify!($ty), " is one of its variants"))
            }
        }
    )*};
}
vocabulary!(Category, Severity);

/// Structs pack field by field, in the order given here; the unpacking literal names every field, so
/// a field left out of the list fails to compile. The help and the conditions come last (in their
/// spec and in the pattern): [`Index::unpack_deferred`] reads a spec up to them and leaves them packed.
macro_rules! structs {
    ($($ty:ident { $($field:ident),* $(,)? })*) => {$(
        impl Pack for $ty {
            fn pack(&self, out: &mut Packer) {
                $(self.$field.pack(out);)*
            }
            fn unpack(input: &mut Unpacker) -> Self {
                $ty { $($field: Pack::unpack(input)),* }
            }
        }
    )*};
}
structs! {
    Help { finds, why, example, fix }
    Located { text, line }
    CheckSpec { id, line, source, category, severity, languages, paths, exclude_paths, message, cwe, always_report, help, kind }
    PatternSpec { pattern, keywords, scope, redact, entropy, validate, judge, binary, per, signal, on, requires, unless, adjust }
    ChainSpec { within, lines, ordered, parts, unless }
    RoleSpec { role, any }
    CommandCheckSpec { action, matcher }
    CommandSpec { programs, subcommands, value_flags, flags, without_flags, operands, args, max_operands, max_args, redirect_to, related, new_package, typosquat, on_default_branch, recursive, computed_program, opaque }
}

impl Pack for CheckHelp {
    fn pack(&self, out: &mut Packer) {
        out.cold(|out| match self {
            CheckHelp::Sections(help) => {
                out.word(0);
                help.pack(out);
            }
            CheckHelp::Text(text) => {
                out.word(1);
                text.pack(out);
            }
        });
    }
    fn unpack(input: &mut Unpacker) -> Self {
        match input.word() {
            0 => CheckHelp::Sections(Help::unpack(input)),
            _ => CheckHelp::Text(Pack::unpack(input)),
        }
    }
}

/// A condition's texts are cold (see [`Packer::cold`]): read when its check runs.
impl Pack for ConditionSpec {
    fn pack(&self, out: &mut Packer) {
        out.cold(|out| {
            self.target.pack(out);
            self.pattern.pack(out);
            self.severity.pack(out);
            self.reason.pack(out);
        });
    }
    fn unpack(input: &mut Unpacker) -> Self {
        let target = Pack::unpack(input);
        let pattern = Pack::unpack(input);
        let severity = Pack::unpack(input);
        ConditionSpec {
            target,
            pattern,
            severity,
            reason: Pack::unpack(input),
        }
    }
}

impl Pack for KindSpec {
    fn pack(&self, out: &mut Packer) {
        match self {
            KindSpec::Pattern(p) => {
                out.word(0);
                p.pack(out);
            }
            KindSpec::Produced(p) => {
                out.word(1);
                p.pack(out);
            }
            KindSpec::Chain(c) => {
                out.word(2);
                c.pack(out);
            }
            KindSpec::Command(c) => {
                out.word(3);
                c.pack(out);
            }
        }
    }
    fn unpack(input: &mut Unpacker) -> Self {
        match input.word() {
            0 => KindSpec::Pattern(Pack::unpack(input)),
            1 => KindSpec::Produced(Pack::unpack(input)),
            2 => KindSpec::Chain(Pack::unpack(input)),
            3 => KindSpec::Command(Pack::unpack(input)),
            other => panic!("a packed check kind is 0 to 3, not {other} (a bug of the build)"),
        }
    }
}

/// Words per entry of the index [`pack_specs`] writes before the specs: where the spec starts, its
/// kind, its category, its id (offset and length in the blob), its languages as a mask (see
/// [`Entry::languages`]), its number of file-wide conditions (see [`Entry::file_slots`]) and where its
/// keywords lie when a review may leave it out (see [`Index::keywords`]).
const ENTRY_WORDS: usize = 8;

/// In a language mask, the bit of a spec for every language (its list is empty or names one that is
/// not a language, such as `any`); the bits below it are those of [`Language::ALL`].
pub const ANY_LANGUAGE: u32 = 1 << 31;

const _: () = assert!(
    Language::ALL.len() < 31,
    "a language mask holds every language"
);

/// The language mask of a spec's language list.
fn language_mask(spec: &CheckSpec) -> u32 {
    let mut mask = 0;
    for name in spec.languages.iter() {
        match Language::from_name(&name.text) {
            Some(language) => mask |= language_bit(language),
            None => return ANY_LANGUAGE,
        }
    }
    if mask == 0 {
        ANY_LANGUAGE
    } else {
        mask
    }
}

/// A language's bit in a language mask.
pub fn language_bit(language: Language) -> u32 {
    let index = Language::ALL
        .iter()
        .position(|l| *l == language)
        .expect("ALL lists every language");
    1 << index
}

/// Packs a list of specs: their count, an index with an entry per spec (see [`Entry`]), then each spec.
pub fn pack_specs(specs: &[CheckSpec], out: &mut Packer) {
    out.count(specs.len());
    let index = out.words.len();
    out.words.resize(index + ENTRY_WORDS * specs.len(), 0);
    for (i, spec) in specs.iter().enumerate() {
        let start = out.words.len();
        spec.pack(out);
        let kind = match spec.kind {
            KindSpec::Pattern(_) => 0,
            KindSpec::Produced(_) => 1,
            KindSpec::Chain(_) => 2,
            KindSpec::Command(_) => 3,
        };
        let category = Category::ALL
            .iter()
            .position(|c| *c == spec.category)
            .expect("ALL lists every category");
        let entry = [
            start as u32,
            kind,
            category as u32,
            out.words[start],
            out.words[start + 1],
            language_mask(spec),
            file_slots(spec) as u32,
            withholdable_keywords(spec, out.words.len()),
        ];
        out.words[index + i * ENTRY_WORDS..][..ENTRY_WORDS].copy_from_slice(&entry);
    }
}

/// For a spec a review may leave out when its texts hold none of its keywords (a pattern on added lines
/// with keywords; see [`Index::keywords`]), the word where its keyword list starts, given the word
/// `end` its packing ends at; 0 for any other spec. The pattern is packed last and its keywords follow
/// its regex, so the list starts where the pattern's words, less the regex's, end (a test reads every
/// list back).
fn withholdable_keywords(spec: &CheckSpec, end: usize) -> u32 {
    let KindSpec::Pattern(p) = &spec.kind else {
        return 0;
    };
    if p.keywords.is_empty() || p.on != On::Added {
        return 0;
    }
    let words = |item: &dyn Fn(&mut Packer)| {
        let mut out = Packer::default();
        item(&mut out);
        out.words.len()
    };
    let after_regex = words(&|out| p.pack(out)) - words(&|out| p.pattern.pack(out));
    (end - after_regex) as u32
}

/// How many file-wide conditions (`target: file` or `new-file`) a spec holds: each has a slot for its
/// result in a file's state.
fn file_slots(spec: &CheckSpec) -> usize {
    match &spec.kind {
        KindSpec::Pattern(p) => p
            .requires
            .iter()
            .chain(p.unless.iter())
            .chain(p.adjust.iter())
            .filter(|c| matches!(c.target, TargetSpec::File | TargetSpec::NewFile))
            .count(),
        _ => 0,
    }
}

/// Unpacks what [`pack_specs`] packed.
pub fn unpack_specs(words: &'static [u8], strings: &'static str) -> Vec<CheckSpec> {
    let count = Unpacker::new(words, strings).word() as usize;
    let mut input = Unpacker::new(words, strings);
    input.at = 4 * (1 + ENTRY_WORDS * count);
    let mut specs = Vec::with_capacity(count);
    for _ in 0..count {
        specs.push(CheckSpec::unpack(&mut input));
    }
    debug_assert!(input.is_done(), "the packed checks have words left over");
    specs
}

/// The kind of a packed spec, as its index entry tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindTag {
    /// [`KindSpec::Pattern`].
    Pattern,
    /// [`KindSpec::Produced`].
    Produced,
    /// [`KindSpec::Chain`].
    Chain,
    /// [`KindSpec::Command`].
    Command,
}

impl KindTag {
    /// The tag of a spec's kind.
    pub fn of(kind: &KindSpec) -> KindTag {
        match kind {
            KindSpec::Pattern(_) => KindTag::Pattern,
            KindSpec::Produced(_) => KindTag::Produced,
            KindSpec::Chain(_) => KindTag::Chain,
            KindSpec::Command(_) => KindTag::Command,
        }
    }
}

/// What the index says of one packed spec, read without unpacking it: enough to choose the specs a
/// review needs and to know every id.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Where the spec's id lies in the blob (read by [`Entry::id`] only: choosing specs needs no text).
    id: (u32, u32),
    strings: &'static str,
    /// Its category.
    pub category: Category,
    /// Its kind.
    pub kind: KindTag,
    /// Its languages: the bits of [`language_bit`], or [`ANY_LANGUAGE`].
    pub languages: u32,
    /// How many file-wide conditions it holds (each takes a slot in a file's state).
    pub file_slots: usize,
    start: usize,
    /// Where its keyword list lies, when a review may leave it out (see [`Index::keywords`]); 0 when not.
    keywords: u32,
}

impl Entry {
    /// The spec's id.
    pub fn id(&self) -> &'static str {
        text_at(self.strings, self.id.0, self.id.1)
    }
}

/// Where the parts of a spec that [`Index::unpack_deferred`] leaves packed start, as word positions in
/// the stream of an [`Index`]: each is unpacked when first needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deferred {
    /// The help.
    pub help: u32,
    /// A pattern's conditions: its `requires`, `unless` and `adjust` lists, in that order.
    pub conditions: Option<u32>,
}

/// A pattern's conditions, unpacked.
pub type ConditionLists = (
    List<ConditionSpec>,
    List<ConditionSpec>,
    List<ConditionSpec>,
);

/// The index of packed specs: their entries, and each spec unpacked on its own.
#[derive(Debug, Clone, Copy)]
pub struct Index {
    words: &'static [u8],
    strings: &'static str,
}

impl Index {
    /// The index of what [`pack_specs`] packed.
    pub fn new(words: &'static [u8], strings: &'static str) -> Index {
        Index { words, strings }
    }

    fn reader_at(&self, word: usize) -> Unpacker {
        Unpacker::at_word(self.words, self.strings, word)
    }

    /// Every spec's entry, in packing order.
    pub fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        let mut input = self.reader_at(0);
        let count = input.word() as usize;
        (0..count).map(move |_| {
            let start = input.word() as usize;
            let kind = match input.word() {
                0 => KindTag::Pattern,
                1 => KindTag::Produced,
                2 => KindTag::Chain,
                3 => KindTag::Command,
                other => panic!("a packed check kind is 0 to 3, not {other} (a bug of the build)"),
            };
            let category = *Category::ALL
                .get(input.word() as usize)
                .expect("a packed Category is one of its variants");
            let id = (input.word(), input.word());
            let languages = input.word();
            let file_slots = input.word() as usize;
            let keywords = input.word();
            Entry {
                id,
                strings: self.strings,
                category,
                kind,
                languages,
                file_slots,
                start,
                keywords,
            }
        })
    }

    /// The keywords of a spec that a review may leave out when its texts hold none of them — a pattern
    /// on added lines with keywords, which runs only on a line holding one — read without unpacking the
    /// spec; None for any other spec (it is always loaded).
    pub fn keywords(&self, entry: &Entry) -> Option<impl Iterator<Item = &'static str>> {
        if entry.keywords == 0 {
            return None;
        }
        let mut input = self.reader_at(entry.keywords as usize);
        let count = input.word();
        Some((0..count).map(move |_| input.text()))
    }

    /// The spec of an entry, unpacked.
    pub fn unpack(&self, entry: &Entry) -> CheckSpec {
        CheckSpec::unpack(&mut self.reader_at(entry.start))
    }

    /// The spec of an entry without its help and, for a pattern, its conditions (left empty): where
    /// they are is returned with it, for [`Index::unpack_help`] and [`Index::unpack_conditions`] to read
    /// when a review needs them. Most checks loaded by a short review never run a condition nor show
    /// their help, and these are most of a spec's words and texts.
    pub fn unpack_deferred(&self, entry: &Entry) -> (CheckSpec, Deferred) {
        let mut input = self.reader_at(entry.start);
        // The fields in the order of `structs!` above (the test below compares with a full unpack).
        let id = Pack::unpack(&mut input);
        let line = Pack::unpack(&mut input);
        let source = Pack::unpack(&mut input);
        let category = Pack::unpack(&mut input);
        let severity = Pack::unpack(&mut input);
        let languages = Pack::unpack(&mut input);
        let paths = Pack::unpack(&mut input);
        let exclude_paths = Pack::unpack(&mut input);
        let message = Pack::unpack(&mut input);
        let cwe = Pack::unpack(&mut input);
        let always_report = Pack::unpack(&mut input);
        let help = (input.at / 4) as u32;
        // Passed over without reading its texts: a tag, then four texts or one, two words each.
        let texts = if input.word() == 0 { 4 } else { 1 };
        input.at += 4 * 2 * texts;
        let mut conditions = None;
        let kind = match input.word() {
            0 => {
                let pattern = Pack::unpack(&mut input);
                let keywords = Pack::unpack(&mut input);
                let scope = Pack::unpack(&mut input);
                let redact = Pack::unpack(&mut input);
                let entropy = Pack::unpack(&mut input);
                let validate = Pack::unpack(&mut input);
                let judge = Pack::unpack(&mut input);
                let binary = Pack::unpack(&mut input);
                let per = Pack::unpack(&mut input);
                let signal = Pack::unpack(&mut input);
                let on = Pack::unpack(&mut input);
                conditions = Some((input.at / 4) as u32);
                KindSpec::Pattern(PatternSpec {
                    pattern,
                    keywords,
                    scope,
                    requires: Cow::Borrowed(&[]),
                    unless: Cow::Borrowed(&[]),
                    adjust: Cow::Borrowed(&[]),
                    redact,
                    entropy,
                    validate,
                    judge,
                    binary,
                    per,
                    signal,
                    on,
                })
            }
            1 => KindSpec::Produced(Pack::unpack(&mut input)),
            2 => KindSpec::Chain(Pack::unpack(&mut input)),
            3 => KindSpec::Command(Pack::unpack(&mut input)),
            other => panic!("a packed check kind is 0 to 3, not {other} (a bug of the build)"),
        };
        let spec = CheckSpec {
            id,
            line,
            source,
            category,
            severity,
            languages,
            paths,
            exclude_paths,
            message,
            cwe,
            help: CheckHelp::Text(Cow::Borrowed("")),
            kind,
            always_report,
        };
        (spec, Deferred { help, conditions })
    }

    /// The help [`Index::unpack_deferred`] left packed at word `at`.
    pub fn unpack_help(&self, at: u32) -> CheckHelp {
        CheckHelp::unpack(&mut self.reader_at(at as usize))
    }

    /// The conditions [`Index::unpack_deferred`] left packed at word `at`.
    pub fn unpack_conditions(&self, at: u32) -> ConditionLists {
        let mut input = self.reader_at(at as usize);
        let requires = Pack::unpack(&mut input);
        let unless = Pack::unpack(&mut input);
        (requires, unless, Pack::unpack(&mut input))
    }
}

/// For the built-in regexes of which it is known, the literals one of which every match contains (see
/// [`Packer::literal_table`]): a text holding none of them cannot match, and the regex need not be
/// compiled to say so.
#[derive(Debug, Clone, Copy)]
pub struct RequiredLiterals {
    words: &'static [u8],
    strings: &'static str,
}

/// Words per regex in a [`RequiredLiterals`] table: its source's offset and length, where its
/// literals start, how many there are, and how many of them are its first group.
const ENTRY_LITERAL_WORDS: usize = 5;

/// The literals of one regex in a [`RequiredLiterals`] table: one or two groups, each of which has a
/// literal in every match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiteralList {
    start: u32,
    len: u32,
    first: u32,
}

impl LiteralList {
    /// How many literals the list holds, its groups together.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// How many groups it has (one or two).
    pub fn groups(&self) -> usize {
        if self.first < self.len {
            2
        } else {
            1
        }
    }

    /// Whether the list is empty (a table never holds an empty list).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl RequiredLiterals {
    /// The table written by [`Packer::literal_table`] over the blob `strings`.
    pub fn new(words: &'static [u8], strings: &'static str) -> RequiredLiterals {
        RequiredLiterals { words, strings }
    }

    fn word(&self, at: usize) -> u32 {
        Unpacker::at_word(self.words, self.strings, at).word()
    }

    /// The list of a regex whose source is `source`, when the source is a whole text of the blob (the
    /// same address and length) that the table has.
    pub fn of(&self, source: &str) -> Option<LiteralList> {
        let base = self.strings.as_ptr() as usize;
        let at = (source.as_ptr() as usize).checked_sub(base)?;
        if at >= self.strings.len() || self.words.len() < 4 {
            return None;
        }
        let (mut low, mut high) = (0, self.word(0) as usize);
        while low < high {
            let mid = (low + high) / 2;
            let entry = 1 + ENTRY_LITERAL_WORDS * mid;
            match (self.word(entry) as usize).cmp(&at) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                // A text that starts there but is not the regex's source (a part of it) has none.
                std::cmp::Ordering::Equal => {
                    return (self.word(entry + 1) as usize == source.len()).then(|| LiteralList {
                        start: self.word(entry + 2),
                        len: self.word(entry + 3),
                        first: self.word(entry + 4),
                    });
                }
            }
        }
        None
    }

    /// The literals of a list's group (0 or 1).
    pub fn group(
        &self,
        list: LiteralList,
        group: usize,
    ) -> impl Iterator<Item = &'static [u8]> + '_ {
        let range = if group == 0 {
            0..list.first as usize
        } else {
            list.first as usize..list.len as usize
        };
        range.map(move |i| {
            let at = list.start as usize + 2 * i;
            text_at(self.strings, self.word(at), self.word(at + 1)).as_bytes()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A literal table finds each regex by the address of its source in the blob, and no other text.
    #[test]
    fn the_literal_table_finds_its_regexes_by_address() {
        let mut packer = Packer::default();
        packer.text("first regex");
        packer.cold(|packer| packer.text("second"));
        packer.text("second");
        packer.finish();
        let table = [
            ("second", vec![vec!["se".to_string(), "co".to_string()]]),
            (
                "first regex",
                vec![vec!["first".to_string()], vec!["re".to_string()]],
            ),
        ];
        let words: &'static [u8] = Box::leak(packer.literal_table(&table).into_boxed_slice());
        let strings: &'static str = Box::leak(packer.strings.clone().into_boxed_str());
        let literals = RequiredLiterals::new(words, strings);
        let at = |text: &str| &strings[strings.find(text).unwrap()..][..text.len()];
        let second = literals.of(at("second")).unwrap();
        let found: Vec<&[u8]> = literals.group(second, 0).collect();
        assert_eq!(found, [b"se".as_slice(), b"co"]);
        assert_eq!(second.groups(), 1);
        let first = literals.of(at("first regex")).unwrap();
        assert_eq!(first.groups(), 2);
        assert_eq!(literals.group(first, 0).collect::<Vec<_>>(), [b"first"]);
        assert_eq!(literals.group(first, 1).collect::<Vec<_>>(), [b"re"]);
        // Packed among the cold texts too: found at that place as well.
        let cold = &strings[strings.rfind("second").unwrap()..][..6];
        assert_ne!(cold.as_ptr(), at("second").as_ptr());
        let cold = literals.of(cold).expect("the cold place has an entry");
        assert_eq!(literals.group(cold, 0).collect::<Vec<_>>(), found);
        // The same text elsewhere, a part of a source, or another text of the blob has no entry.
        assert!(literals.of("second").is_none());
        assert!(literals.of(&at("first regex")[..5]).is_none());
        assert!(literals.of(&strings[1..4]).is_none());
    }

    /// Specs unpack to what was packed, user-file forms (plain-text help, owned lists) included, and
    /// equal texts are stored once.
    #[test]
    fn specs_unpack_to_what_was_packed() {
        let text = "- id: mine.x\n  category: exec\n  severity: note\n  languages: [python, go]\n  keywords: [run, spawn]\n  pattern: 'run\\('\n  unless:\n    - line: 'safe'\n  entropy: 3.5\n  message: run\n  help: run is run\n";
        let mut specs = super::super::validate::parse_specs("mine.yml", text).unwrap();
        specs.extend(super::super::builtin_specs().unwrap().iter().cloned());
        let mut packer = Packer::default();
        pack_specs(&specs, &mut packer);
        packer.finish();
        let words: &'static [u8] = Box::leak(packer.word_bytes().into_boxed_slice());
        let strings: &'static str = Box::leak(packer.strings.clone().into_boxed_str());
        assert_eq!(unpack_specs(words, strings), specs);
        assert_eq!(strings.matches("run is run").count(), 1);
        assert!(matches!(specs[0].help, CheckHelp::Text(_)));
        // The index tells each spec's id, category, kind and language mask, and unpacks it on its own.
        let index = Index::new(words, strings);
        let entries: Vec<Entry> = index.entries().collect();
        assert_eq!(entries.len(), specs.len());
        for (entry, spec) in entries.iter().zip(&specs) {
            assert_eq!(entry.id(), spec.id);
            assert_eq!(entry.category, spec.category);
            assert_eq!(entry.kind, KindTag::of(&spec.kind));
            assert_eq!(entry.languages, language_mask(spec), "{}", spec.id);
            assert_eq!(entry.file_slots, file_slots(spec), "{}", spec.id);
            let keywords: Option<Vec<&str>> = index.keywords(entry).map(Iterator::collect);
            match &spec.kind {
                KindSpec::Pattern(p) if p.on == On::Added && !p.keywords.is_empty() => {
                    let expected: Vec<&str> = p.keywords.iter().map(|k| k.as_ref()).collect();
                    assert_eq!(keywords, Some(expected), "{}", spec.id);
                }
                _ => assert_eq!(keywords, None, "{}", spec.id),
            }
            assert_eq!(&index.unpack(entry), spec);
            // Unpacked with its help and conditions left packed, then those read: the same spec.
            let (mut partial, deferred) = index.unpack_deferred(entry);
            partial.help = index.unpack_help(deferred.help);
            match (&mut partial.kind, deferred.conditions) {
                (KindSpec::Pattern(p), Some(at)) => {
                    (p.requires, p.unless, p.adjust) = index.unpack_conditions(at);
                }
                (KindSpec::Pattern(_), None) => panic!("a pattern's conditions are deferred"),
                (_, conditions) => assert_eq!(conditions, None),
            }
            assert_eq!(&partial, spec, "{}", spec.id);
        }
    }
}
