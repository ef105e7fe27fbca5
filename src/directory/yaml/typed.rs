//! The typed schema read from an already parsed (and walked) tree, so a
//! file is parsed once. It follows serde-saphyr's rules (any non-null
//! scalar as text, as written; `"30"` as a number; `"true"` as a boolean;
//! positions through `At<T>`); anything it does not follow is an error,
//! and the caller then falls back to serde-saphyr's typed parse, which
//! stays the authority.

use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};

use crate::directory::span::{AT_NEWTYPE, At};

use super::tree::{Located, Node};
use super::walk::parse_int;

/// Why the tree could not be read as the type (the typed parse then
/// decides).
#[derive(Debug)]
pub struct Unfollowed(String);

impl fmt::Display for Unfollowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unfollowed {}

impl de::Error for Unfollowed {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Unfollowed(msg.to_string())
    }
}

/// A located node of `text` as a deserializer.
#[derive(Clone, Copy)]
pub struct NodeDe<'a> {
    pub node: &'a Located,
    pub text: &'a str,
}

impl<'a> NodeDe<'a> {
    fn with(self, node: &'a Located) -> NodeDe<'a> {
        NodeDe {
            node,
            text: self.text,
        }
    }

    fn unfollowed(self, what: &str) -> Unfollowed {
        Unfollowed(format!(
            "{} at {}:{} is not {what}",
            self.node.value.kind(),
            self.node.pos.line,
            self.node.pos.column
        ))
    }

    /// A plain scalar's text as written.
    fn raw(self) -> Result<&'a str, Unfollowed> {
        self.node
            .raw(self.text)
            .ok_or_else(|| self.unfollowed("readable"))
    }

    fn integer(self) -> Result<i128, Unfollowed> {
        match &self.node.value {
            Node::Int(i) => Ok(*i),
            Node::Str(s) => parse_int(s).ok_or_else(|| self.unfollowed("an integer")),
            _ => Err(self.unfollowed("an integer")),
        }
    }
}

macro_rules! integers {
    ($($method:ident $visit:ident $t:ty;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
                let n = <$t>::try_from(self.integer()?).map_err(|_| self.unfollowed(stringify!($t)))?;
                v.$visit(n)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for NodeDe<'_> {
    type Error = Unfollowed;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
        match &self.node.value {
            Node::Null => v.visit_unit(),
            Node::Bool(b) => v.visit_bool(*b),
            Node::Int(i) => match (u64::try_from(*i), i64::try_from(*i)) {
                (Ok(u), _) => v.visit_u64(u),
                (_, Ok(s)) => v.visit_i64(s),
                _ => v.visit_i128(*i),
            },
            Node::Float(f) => v.visit_f64(*f),
            Node::Str(s) => v.visit_str(s),
            Node::Seq(_) => self.deserialize_seq(v),
            Node::Map(_) => self.deserialize_map(v),
        }
    }
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
        match &self.node.value {
            Node::Bool(b) => v.visit_bool(*b),
            Node::Str(s) if s.eq_ignore_ascii_case("true") => v.visit_bool(true),
            Node::Str(s) if s.eq_ignore_ascii_case("false") => v.visit_bool(false),
            _ => Err(self.unfollowed("a boolean")),
        }
    }
    integers! {
        deserialize_u8 visit_u8 u8;
        deserialize_u16 visit_u16 u16;
        deserialize_u32 visit_u32 u32;
        deserialize_u64 visit_u64 u64;
        deserialize_i8 visit_i8 i8;
        deserialize_i16 visit_i16 i16;
        deserialize_i32 visit_i32 i32;
        deserialize_i64 visit_i64 i64;
    }
    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
        self.deserialize_f64(v)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
        match &self.node.value {
            Node::Float(f) => v.visit_f64(*f),
            Node::Int(i) => v.visit_f64(*i as f64),
            _ => Err(self.unfollowed("a number")),
        }
    }
    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
        self.deserialize_str(v)
    }
    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
        match &self.node.value {
            Node::Str(s) => v.visit_str(s),
            // serde-saphyr gives a plain scalar read as a string its text
            // as written (`0x1F`, `True`, `1e3`).
            Node::Bool(_) | Node::Int(_) | Node::Float(_) => v.visit_str(self.raw()?),
            _ => Err(self.unfollowed("a text")),
        }
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
        self.deserialize_str(v)
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
        self.deserialize_str(v)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Unfollowed> {
        Err(self.unfollowed("bytes"))
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Unfollowed> {
        Err(self.unfollowed("bytes"))
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
        match &self.node.value {
            Node::Null => v.visit_none(),
            _ => v.visit_some(self),
        }
    }
    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
        match &self.node.value {
            Node::Null => v.visit_unit(),
            _ => Err(self.unfollowed("empty")),
        }
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, Unfollowed> {
        self.deserialize_unit(v)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, Unfollowed> {
        if name == AT_NEWTYPE {
            v.visit_seq(AtSeq { de: self, next: 0 })
        } else {
            v.visit_newtype_struct(self)
        }
    }
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
        match &self.node.value {
            Node::Seq(items) => v.visit_seq(Items {
                de: self,
                items: items.iter(),
            }),
            _ => Err(self.unfollowed("a list")),
        }
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, v: V) -> Result<V::Value, Unfollowed> {
        self.deserialize_seq(v)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        v: V,
    ) -> Result<V::Value, Unfollowed> {
        self.deserialize_seq(v)
    }
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
        match &self.node.value {
            Node::Map(entries) => v.visit_map(Entries {
                de: self,
                entries: entries.iter(),
                value: None,
            }),
            _ => Err(self.unfollowed("a mapping")),
        }
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Unfollowed> {
        self.deserialize_map(v)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Unfollowed> {
        Err(self.unfollowed("an enum"))
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
        v.visit_unit()
    }
}

/// `At<T>`'s answer: the value, then its line and column.
struct AtSeq<'a> {
    de: NodeDe<'a>,
    next: u8,
}

impl<'de> SeqAccess<'de> for AtSeq<'_> {
    type Error = Unfollowed;
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Unfollowed> {
        self.next += 1;
        let pos = self.de.node.pos;
        match self.next {
            1 => seed.deserialize(self.de).map(Some),
            2 => seed.deserialize(pos.line.into_deserializer()).map(Some),
            3 => seed.deserialize(pos.column.into_deserializer()).map(Some),
            _ => Ok(None),
        }
    }
}

struct Items<'a> {
    de: NodeDe<'a>,
    items: std::slice::Iter<'a, Located>,
}

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = Unfollowed;
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Unfollowed> {
        match self.items.next() {
            Some(item) => seed.deserialize(self.de.with(item)).map(Some),
            None => Ok(None),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'a> {
    de: NodeDe<'a>,
    entries: std::slice::Iter<'a, (At<String>, Located)>,
    value: Option<&'a Located>,
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = Unfollowed;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Unfollowed> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(KeyDe(key)).map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, Unfollowed> {
        match self.value.take() {
            Some(v) => seed.deserialize(self.de.with(v)),
            None => Err(Unfollowed("a value without its key".into())),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A mapping key: a text with its position.
struct KeyDe<'a>(&'a At<String>);

impl<'de> Deserializer<'de> for KeyDe<'_> {
    type Error = Unfollowed;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unfollowed> {
        v.visit_str(&self.0.value)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, Unfollowed> {
        if name == AT_NEWTYPE {
            v.visit_seq(KeyAtSeq {
                key: self.0,
                next: 0,
            })
        } else {
            v.visit_newtype_struct(self)
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct KeyAtSeq<'a> {
    key: &'a At<String>,
    next: u8,
}

impl<'de> SeqAccess<'de> for KeyAtSeq<'_> {
    type Error = Unfollowed;
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Unfollowed> {
        self.next += 1;
        let key = self.key;
        match self.next {
            1 => seed.deserialize(KeyDe(key)).map(Some),
            2 => seed.deserialize(key.pos.line.into_deserializer()).map(Some),
            3 => seed
                .deserialize(key.pos.column.into_deserializer())
                .map(Some),
            _ => Ok(None),
        }
    }
}
