//! A short list of key–value pairs that is a JSON object on the wire:
//! `#[serde(with = "crate::pairs")]` on a `Vec<(K, V)>`. A key given twice
//! keeps its last value; the order is the order first given.
//!
//! The widget holds a handful of such pairs (a browser's seen surveys, a
//! person's attributes), and a map type would add its code to every page
//! view's download; looking through a few entries costs nothing.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

pub fn serialize<K, V, S>(pairs: &[(K, V)], s: S) -> Result<S::Ok, S::Error>
where
    K: Serialize,
    V: Serialize,
    S: Serializer,
{
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

pub fn deserialize<'de, K, V, D>(d: D) -> Result<Vec<(K, V)>, D::Error>
where
    K: Deserialize<'de> + PartialEq,
    V: Deserialize<'de>,
    D: Deserializer<'de>,
{
    d.deserialize_map(Pairs(PhantomData))
}

/// The value for `key`, if `pairs` has one.
pub fn get<'a, K: PartialEq, V>(pairs: &'a [(K, V)], key: &K) -> Option<&'a V> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Sets `key` to `value`, in place if `pairs` has the key, else at the end.
pub fn set<K: PartialEq, V>(pairs: &mut Vec<(K, V)>, key: K, value: V) {
    match pairs.iter_mut().find(|(k, _)| *k == key) {
        Some((_, v)) => *v = value,
        None => pairs.push((key, value)),
    }
}

struct Pairs<K, V>(PhantomData<(K, V)>);

impl<'de, K, V> Visitor<'de> for Pairs<K, V>
where
    K: Deserialize<'de> + PartialEq,
    V: Deserialize<'de>,
{
    type Value = Vec<(K, V)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut pairs = Vec::new();
        while let Some((k, v)) = map.next_entry()? {
            set(&mut pairs, k, v);
        }
        Ok(pairs)
    }
}

#[cfg(test)]
mod tests {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Holder {
        #[serde(with = "super")]
        pairs: Vec<(String, u32)>,
    }

    #[test]
    fn pairs_are_an_object_and_a_repeated_key_keeps_its_last_value() {
        let read: Holder = serde_json::from_str(r#"{"pairs":{"b":1,"a":2,"b":3}}"#).unwrap();
        assert_eq!(read.pairs, [("b".to_owned(), 3), ("a".to_owned(), 2)]);
        assert_eq!(
            serde_json::to_string(&read).unwrap(),
            r#"{"pairs":{"b":3,"a":2}}"#
        );
        assert!(serde_json::from_str::<Holder>(r#"{"pairs":[["a",1]]}"#).is_err());
    }
}
