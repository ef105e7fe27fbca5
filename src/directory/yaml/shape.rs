//! The shape of a schema type (which fields a mapping takes, which of them
//! are required, what each holds), read from the type's own `Deserialize`
//! implementation by a probing deserializer, so it cannot drift from
//! `schema.rs`. Computed once per type.

use std::any::TypeId;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};

use crate::directory::span::AT_NEWTYPE;

/// What a value must look like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Anything (no check).
    Any,
    Bool,
    Unsigned {
        ty: &'static str,
        max: u64,
    },
    Signed {
        ty: &'static str,
        min: i64,
        max: i64,
    },
    Float,
    /// A text (any scalar but null is read as text).
    Str,
    /// Null, or the inner shape.
    Option(Box<Shape>),
    Seq(Box<Shape>),
    /// A mapping of texts to values of the inner shape.
    Map(Box<Shape>),
    Struct(Struct),
}

/// A mapping with fixed keys (a struct of the schema).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Struct {
    pub name: &'static str,
    /// In declaration order.
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// As written in YAML (after serde renames).
    pub name: &'static str,
    pub shape: Shape,
    pub required: bool,
}

/// The shape of `T` (cached).
pub fn of<T: DeserializeOwned + 'static>() -> Arc<Shape> {
    static CACHE: OnceLock<Mutex<HashMap<TypeId, Arc<Shape>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let id = TypeId::of::<T>();
    if let Some(s) = cache.lock().ok().and_then(|c| c.get(&id).cloned()) {
        return s;
    }
    let shape = Arc::new(probe::<T>());
    if let Ok(mut c) = cache.lock() {
        c.insert(id, shape.clone());
    }
    shape
}

fn probe<T: DeserializeOwned>() -> Shape {
    let mut shape = Shape::Any;
    let first = T::deserialize(Probe {
        slot: Some(&mut shape),
        omit: None,
    });
    if first.is_err() {
        // A type the probe cannot follow is not checked by the walk (the
        // typed parse still is).
        return Shape::Any;
    }
    let mut fields = Vec::new();
    let mut seen = BTreeSet::new();
    collect_fields(&shape, &mut seen, &mut fields);
    let mut required = BTreeSet::new();
    for (s, f) in fields {
        if let Err(ProbeError::Missing(m)) = T::deserialize(Probe {
            slot: None,
            omit: Some((s, f)),
        }) && m == f
        {
            required.insert((s, f));
        }
    }
    mark_required(&mut shape, &required);
    shape
}

fn collect_fields(
    shape: &Shape,
    seen: &mut BTreeSet<&'static str>,
    out: &mut Vec<(&'static str, &'static str)>,
) {
    match shape {
        Shape::Option(s) | Shape::Seq(s) | Shape::Map(s) => collect_fields(s, seen, out),
        Shape::Struct(st) if seen.insert(st.name) => {
            for f in &st.fields {
                out.push((st.name, f.name));
                collect_fields(&f.shape, seen, out);
            }
        }
        _ => {}
    }
}

fn mark_required(shape: &mut Shape, required: &BTreeSet<(&'static str, &'static str)>) {
    match shape {
        Shape::Option(s) | Shape::Seq(s) | Shape::Map(s) => mark_required(s, required),
        Shape::Struct(st) => {
            for f in &mut st.fields {
                f.required = required.contains(&(st.name, f.name));
                mark_required(&mut f.shape, required);
            }
        }
        _ => {}
    }
}

#[derive(Debug)]
enum ProbeError {
    Missing(&'static str),
    Other(String),
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbeError::Missing(m) => write!(f, "missing field `{m}`"),
            ProbeError::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ProbeError {}

impl de::Error for ProbeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ProbeError::Other(msg.to_string())
    }
    fn missing_field(field: &'static str) -> Self {
        ProbeError::Missing(field)
    }
}

/// A deserializer that gives every type a minimal value and records the
/// shape asked for in `slot`; `omit` leaves one field of one struct out.
struct Probe<'a> {
    slot: Option<&'a mut Shape>,
    omit: Option<(&'static str, &'static str)>,
}

impl Probe<'_> {
    fn set(&mut self, shape: Shape) {
        if let Some(slot) = self.slot.as_deref_mut() {
            *slot = shape;
        }
    }
}

macro_rules! probe_int {
    ($($method:ident $visit:ident $t:ty, $shape:expr;)*) => {
        $(
            fn $method<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, ProbeError> {
                self.set($shape);
                v.$visit(0 as $t)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for Probe<'_> {
    type Error = ProbeError;

    fn deserialize_any<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, ProbeError> {
        self.set(Shape::Any);
        v.visit_unit()
    }
    fn deserialize_bool<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, ProbeError> {
        self.set(Shape::Bool);
        v.visit_bool(false)
    }
    probe_int! {
        deserialize_u8 visit_u8 u8, Shape::Unsigned { ty: "u8", max: u8::MAX.into() };
        deserialize_u16 visit_u16 u16, Shape::Unsigned { ty: "u16", max: u16::MAX.into() };
        deserialize_u32 visit_u32 u32, Shape::Unsigned { ty: "u32", max: u32::MAX.into() };
        deserialize_u64 visit_u64 u64, Shape::Unsigned { ty: "u64", max: u64::MAX };
        deserialize_i8 visit_i8 i8, Shape::Signed { ty: "i8", min: i8::MIN.into(), max: i8::MAX.into() };
        deserialize_i16 visit_i16 i16, Shape::Signed { ty: "i16", min: i16::MIN.into(), max: i16::MAX.into() };
        deserialize_i32 visit_i32 i32, Shape::Signed { ty: "i32", min: i32::MIN.into(), max: i32::MAX.into() };
        deserialize_i64 visit_i64 i64, Shape::Signed { ty: "i64", min: i64::MIN, max: i64::MAX };
        deserialize_u128 visit_u128 u128, Shape::Any;
        deserialize_i128 visit_i128 i128, Shape::Any;
    }
    fn deserialize_f32<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, ProbeError> {
        self.set(Shape::Float);
        v.visit_f32(0.0)
    }
    fn deserialize_f64<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, ProbeError> {
        self.set(Shape::Float);
        v.visit_f64(0.0)
    }
    fn deserialize_char<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, ProbeError> {
        self.set(Shape::Str);
        v.visit_char('x')
    }
    fn deserialize_str<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, ProbeError> {
        self.set(Shape::Str);
        v.visit_str("")
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, ProbeError> {
        self.deserialize_str(v)
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, ProbeError> {
        self.deserialize_str(v)
    }
    fn deserialize_bytes<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, ProbeError> {
        self.set(Shape::Any);
        v.visit_bytes(b"")
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, ProbeError> {
        self.deserialize_bytes(v)
    }
    fn deserialize_option<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, ProbeError> {
        let mut inner = Shape::Any;
        let r = v.visit_some(Probe {
            slot: Some(&mut inner),
            omit: self.omit,
        });
        self.set(Shape::Option(Box::new(inner)));
        r
    }
    fn deserialize_unit<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, ProbeError> {
        self.set(Shape::Any);
        v.visit_unit()
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, ProbeError> {
        self.deserialize_unit(v)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, ProbeError> {
        if name == AT_NEWTYPE {
            v.visit_seq(OneSeq { item: Some(self) })
        } else {
            v.visit_newtype_struct(self)
        }
    }
    fn deserialize_seq<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, ProbeError> {
        let mut inner = Shape::Any;
        let r = v.visit_seq(OneSeq {
            item: Some(Probe {
                slot: Some(&mut inner),
                omit: self.omit,
            }),
        });
        self.set(Shape::Seq(Box::new(inner)));
        r
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        mut self,
        _: usize,
        v: V,
    ) -> Result<V::Value, ProbeError> {
        self.set(Shape::Any);
        v.visit_seq(OneSeq { item: None })
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, ProbeError> {
        self.deserialize_tuple(len, v)
    }
    fn deserialize_map<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, ProbeError> {
        let mut key = Shape::Any;
        let mut value = Shape::Any;
        let r = v.visit_map(OneMap {
            key: Some(Probe {
                slot: Some(&mut key),
                omit: self.omit,
            }),
            value: Some(Probe {
                slot: Some(&mut value),
                omit: self.omit,
            }),
        });
        self.set(Shape::Map(Box::new(value)));
        r
    }
    fn deserialize_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, ProbeError> {
        let mut shapes = vec![Shape::Any; fields.len()];
        let r = v.visit_map(StructMap {
            fields,
            skip: self.omit.filter(|(s, _)| *s == name).map(|(_, f)| f),
            next: 0,
            shapes: &mut shapes,
            omit: self.omit,
        });
        self.set(Shape::Struct(Struct {
            name,
            fields: fields
                .iter()
                .zip(shapes)
                .map(|(name, shape)| Field {
                    name,
                    shape,
                    required: false,
                })
                .collect(),
        }));
        r
    }
    fn deserialize_enum<V: Visitor<'de>>(
        mut self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, ProbeError> {
        self.set(Shape::Any);
        Err(ProbeError::Other("enums are not probed".into()))
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, ProbeError> {
        v.visit_unit()
    }
}

/// A sequence of at most one probed item.
struct OneSeq<'a> {
    item: Option<Probe<'a>>,
}

impl<'de> SeqAccess<'de> for OneSeq<'_> {
    type Error = ProbeError;
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, ProbeError> {
        match self.item.take() {
            Some(p) => seed.deserialize(p).map(Some),
            None => Ok(None),
        }
    }
}

/// A mapping of one probed entry.
struct OneMap<'a> {
    key: Option<Probe<'a>>,
    value: Option<Probe<'a>>,
}

impl<'de> MapAccess<'de> for OneMap<'_> {
    type Error = ProbeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ProbeError> {
        match self.key.take() {
            Some(p) => seed.deserialize(p).map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, ProbeError> {
        match self.value.take() {
            Some(p) => seed.deserialize(p),
            None => Err(ProbeError::Other("value without key".into())),
        }
    }
}

/// A struct's fields, each with a probed value (but the one skipped).
struct StructMap<'a> {
    fields: &'static [&'static str],
    skip: Option<&'static str>,
    next: usize,
    shapes: &'a mut [Shape],
    omit: Option<(&'static str, &'static str)>,
}

impl<'de> MapAccess<'de> for StructMap<'_> {
    type Error = ProbeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ProbeError> {
        while self
            .fields
            .get(self.next)
            .is_some_and(|f| Some(*f) == self.skip)
        {
            self.next += 1;
        }
        match self.fields.get(self.next) {
            Some(f) => seed
                .deserialize(IntoDeserializer::<ProbeError>::into_deserializer(*f))
                .map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, ProbeError> {
        let i = self.next;
        self.next += 1;
        let Some(slot) = self.shapes.get_mut(i) else {
            return Err(ProbeError::Other("value without key".into()));
        };
        seed.deserialize(Probe {
            slot: Some(slot),
            omit: self.omit,
        })
    }
}
