//! `At<T>`: a value read from a YAML file together with where it was written.
//!
//! Validation reports problems at the line and column of the offending value,
//! so every field that can be wrong is read as `At<T>`. Positions never take
//! part in equality, ordering or serialisation: two values that differ only
//! in where they were written are the same value.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A position in a source file: 1-based line and column (in characters).
/// Line 0 means "unknown" (for example a value built in code).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub const UNKNOWN: Pos = Pos { line: 0, column: 0 };

    pub fn new(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }
}

/// A value and the position it was read from.
#[derive(Clone, Default)]
pub struct At<T> {
    pub value: T,
    pub pos: Pos,
}

impl<T> At<T> {
    pub fn new(value: T, pos: Pos) -> At<T> {
        At { value, pos }
    }

    /// A value with no source position (built in code, not read from a file).
    pub fn bare(value: T) -> At<T> {
        At {
            value,
            pos: Pos::UNKNOWN,
        }
    }
}

impl<T> Deref for At<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for At<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)?;
        #[cfg(test)]
        if SHOW_POSITIONS.get() {
            write!(f, "@{}:{}", self.pos.line, self.pos.column)?;
        }
        Ok(())
    }
}

#[cfg(test)]
thread_local! {
    static SHOW_POSITIONS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `f` with `At`'s `Debug` showing positions (`value@line:column`), so
/// tests can compare them.
#[cfg(test)]
pub(crate) fn with_positions<R>(f: impl FnOnce() -> R) -> R {
    SHOW_POSITIONS.set(true);
    let r = f();
    SHOW_POSITIONS.set(false);
    r
}

impl<T: fmt::Display> fmt::Display for At<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: PartialEq> PartialEq for At<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for At<T> {}

impl<T: PartialOrd> PartialOrd for At<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

impl<T: Ord> Ord for At<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.value.cmp(&other.value)
    }
}

impl<T: std::hash::Hash> std::hash::Hash for At<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state)
    }
}

/// The newtype name `At<T>` asks its deserializer for. serde-saphyr's
/// deserializer hands itself on (the value is then read as a
/// `serde_saphyr::Spanned`, with its position); pocdir's own deserializers
/// (the schema probe) answer with a sequence `[value]` or
/// `[value, line, column]` instead.
pub(crate) const AT_NEWTYPE: &str = "__pocdir_at";

impl<'de, T: Deserialize<'de>> Deserialize<'de> for At<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(AT_NEWTYPE, AtVisitor(PhantomData))
    }
}

struct AtVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for AtVisitor<T> {
    type Value = At<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<At<T>, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        let loc = s.referenced;
        Ok(At {
            value: s.value,
            pos: Pos::new(loc.line() as usize, loc.column() as usize),
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<At<T>, A::Error> {
        let value = seq
            .next_element::<T>()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let line = seq.next_element::<usize>()?.unwrap_or(0);
        let column = seq.next_element::<usize>()?.unwrap_or(0);
        Ok(At::new(value, Pos::new(line, column)))
    }
}

impl<T: Serialize> Serialize for At<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}
