//! Reading parsed JSON (a JavaScript value) into serde types, with errors
//! that carry no text.
//!
//! Every caller in the widget only asks *whether* a value reads (`Option`):
//! a config, a stored outbox or an answer from the other module that does
//! not fit is dropped, never shown. serde's usual error path formats a
//! message for each failure ("invalid type: floating point `2.5`, expected
//! u8"), and that formatting code (float printing, `Debug` for strings and
//! their Unicode tables) was a fifth of the engine, downloaded on every page
//! view. [`Unreadable`] ignores the message, so none of it is linked.
//!
//! The value model is JSON's: `null` and `undefined`, booleans, numbers,
//! strings, arrays and plain objects. A whole number within JavaScript's
//! safe integer range is offered as an integer, anything else as `f64`.
//! Enums read as serde writes them to JSON: a unit variant as its name, any
//! other as an object with one key.
//!
//! When the type says what it expects (a struct, a string, a list), only
//! that kind of value is offered to it: a struct reads from an object and
//! never from an array, so the array-reading half of each derived struct
//! reader is never linked either. `deserialize_any`, which offers whatever
//! the value is, is left for types that look before they choose (tagged and
//! untagged enums).
//!
//! A struct reads only its own fields, looked up by name: properties it does
//! not know are never seen. A collector newer than a cached widget may add
//! fields to what it sends (even to types it reads with
//! `deny_unknown_fields`) without that widget refusing the whole value.

use js_sys::{Array, Object, Reflect};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};

/// The one error: the value does not have the shape asked for.
#[derive(Debug)]
pub struct Unreadable;

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the value does not have the expected shape")
    }
}

impl std::error::Error for Unreadable {}

impl de::Error for Unreadable {
    fn custom<T: fmt::Display>(_message: T) -> Self {
        Unreadable
    }
}

type Result<T> = std::result::Result<T, Unreadable>;

/// Reads `value` into `T`.
pub fn from_value<T: de::DeserializeOwned>(value: JsValue) -> Result<T> {
    T::deserialize(Deserializer(value))
}

/// Largest integer a JavaScript number holds exactly (2⁵³ − 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// One JavaScript value being read.
pub struct Deserializer(JsValue);

impl Deserializer {
    fn is_nullish(&self) -> bool {
        self.0.is_null() || self.0.is_undefined()
    }

    /// The value as a plain object (not an array, not `null`).
    fn object(&self) -> Option<&Object> {
        (self.0.is_object() && !Array::is_array(&self.0)).then(|| self.0.unchecked_ref())
    }

    fn items(self) -> Result<Items> {
        if !Array::is_array(&self.0) {
            return Err(Unreadable);
        }
        Ok(Items {
            array: self.0.unchecked_into(),
            next: 0,
        })
    }

    fn entries(&self) -> Result<Entries> {
        let object = self.object().ok_or(Unreadable)?;
        Ok(Entries {
            entries: Object::entries(object),
            next: 0,
            value: None,
        })
    }

    /// A number, as an integer when it is a whole one JavaScript holds
    /// exactly.
    fn number<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value> {
        let n = self.0.as_f64().ok_or(Unreadable)?;
        if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER {
            if n >= 0.0 {
                visitor.visit_u64(n as u64)
            } else {
                visitor.visit_i64(n as i64)
            }
        } else {
            visitor.visit_f64(n)
        }
    }

    fn float<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value> {
        visitor.visit_f64(self.0.as_f64().ok_or(Unreadable)?)
    }

    fn string<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value> {
        visitor.visit_string(self.0.as_string().ok_or(Unreadable)?)
    }
}

/// `deserialize_*` methods that each hand the visitor to one reader.
macro_rules! typed {
    ($($reader:ident: $($method:ident)*;)*) => {
        $($(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
                self.$reader(visitor)
            }
        )*)*
    };
}

impl<'de> de::Deserializer<'de> for Deserializer {
    type Error = Unreadable;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.is_nullish() {
            visitor.visit_unit()
        } else if let Some(b) = self.0.as_bool() {
            visitor.visit_bool(b)
        } else if self.0.as_f64().is_some() {
            self.number(visitor)
        } else if self.0.is_string() {
            self.string(visitor)
        } else if Array::is_array(&self.0) {
            visitor.visit_seq(self.items()?)
        } else {
            visitor.visit_map(self.entries()?)
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_bool(self.0.as_bool().ok_or(Unreadable)?)
    }

    typed! {
        number: deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
            deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64;
        float: deserialize_f32 deserialize_f64;
        string: deserialize_char deserialize_str deserialize_string deserialize_identifier;
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.is_nullish() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.is_nullish() {
            visitor.visit_unit()
        } else {
            Err(Unreadable)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(self.items()?)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(self.items()?)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_seq(self.items()?)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_map(self.entries()?)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let object = self.object().ok_or(Unreadable)?.clone();
        visitor.visit_map(Fields {
            object,
            fields: fields.iter(),
            value: None,
        })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        if let Some(name) = self.0.as_string() {
            return visitor.visit_enum(name.into_deserializer());
        }
        let entries = self.object().map(Object::entries).ok_or(Unreadable)?;
        if entries.length() != 1 {
            return Err(Unreadable);
        }
        let entry: Array = entries.get(0).unchecked_into();
        visitor.visit_enum(Variant {
            name: entry.get(0),
            content: entry.get(1),
        })
    }

    /// Skipped fields are not walked.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! { i128 u128 bytes byte_buf }
}

/// An array's items, in order.
struct Items {
    array: Array,
    next: u32,
}

impl<'de> de::SeqAccess<'de> for Items {
    type Error = Unreadable;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.next >= self.array.length() {
            return Ok(None);
        }
        let item = self.array.get(self.next);
        self.next += 1;
        seed.deserialize(Deserializer(item)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.array.length() - self.next) as usize)
    }
}

/// An object's own enumerable entries, from `Object.entries`.
struct Entries {
    entries: Array,
    next: u32,
    value: Option<JsValue>,
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = Unreadable;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.next >= self.entries.length() {
            return Ok(None);
        }
        let entry: Array = self.entries.get(self.next).unchecked_into();
        self.next += 1;
        self.value = Some(entry.get(1));
        seed.deserialize(Deserializer(entry.get(0))).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        next_value(&mut self.value, seed)
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.entries.length() - self.next) as usize)
    }
}

/// A struct's own fields that the object has (a property that is
/// `undefined` counts as absent), in the struct's order.
struct Fields {
    object: Object,
    fields: std::slice::Iter<'static, &'static str>,
    value: Option<JsValue>,
}

impl<'de> de::MapAccess<'de> for Fields {
    type Error = Unreadable;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        for &name in self.fields.by_ref() {
            let value =
                Reflect::get(&self.object, &JsValue::from_str(name)).map_err(|_| Unreadable)?;
            if value.is_undefined() {
                continue;
            }
            self.value = Some(value);
            return seed.deserialize(name.into_deserializer()).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        next_value(&mut self.value, seed)
    }
}

/// The value of the key just read, for either kind of map.
fn next_value<'de, V: DeserializeSeed<'de>>(
    value: &mut Option<JsValue>,
    seed: V,
) -> Result<V::Value> {
    seed.deserialize(Deserializer(value.take().ok_or(Unreadable)?))
}

/// A variant written as `{"name": content}`.
struct Variant {
    name: JsValue,
    content: JsValue,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = Unreadable;
    type Variant = Deserializer;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Deserializer)> {
        let name = seed.deserialize(Deserializer(self.name))?;
        Ok((name, Deserializer(self.content)))
    }
}

impl<'de> de::VariantAccess<'de> for Deserializer {
    type Error = Unreadable;

    fn unit_variant(self) -> Result<()> {
        if self.is_nullish() {
            Ok(())
        } else {
            Err(Unreadable)
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(self.items()?)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}
