//! [`Pairs`]: a short list of key–value pairs, each key once, that is a JSON
//! object on the wire and in storage.
//!
//! The widget holds a handful of such pairs (a browser's seen surveys, a
//! person's attributes, a text's languages), and a map type would add its
//! code to every page view's download; looking through a few entries costs
//! nothing.

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// Most entries a JSON object may have to be read as [`Pairs`]. Keeping each
/// key once costs a look through the list per entry, so a hostile body of
/// thousands of keys is refused before that adds up.
pub const MAX_PAIRS: usize = 256;

/// Key–value pairs in the order first given, each key once. Two lists with
/// the same pairs in another order are equal.
#[derive(Clone, Debug)]
pub struct Pairs<K, V>(Vec<(K, V)>);

impl<K, V> Default for Pairs<K, V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<K: PartialEq, V> Pairs<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    /// The value for `key`, if there is one.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets `key` to `value`: in place if the key is there, else at the end.
    pub fn set(&mut self, key: K, value: V) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.0.push((key, value)),
        }
    }

    /// `key`'s value, added as `value` at the end if the key is not there.
    pub fn get_or_insert(&mut self, key: K, value: V) -> &mut V {
        let at = match self.0.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                self.0.push((key, value));
                self.0.len() - 1
            }
        };
        &mut self.0[at].1
    }
}

impl<K, V> Pairs<K, V> {
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: PartialEq, V: PartialEq> PartialEq for Pairs<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<K: Eq, V: Eq> Eq for Pairs<K, V> {}

/// A key given twice keeps its last value.
impl<K: PartialEq, V> FromIterator<(K, V)> for Pairs<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut pairs = Self::new();
        for (k, v) in iter {
            pairs.set(k, v);
        }
        pairs
    }
}

impl<K, V> IntoIterator for Pairs<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<K: Serialize, V: Serialize> Serialize for Pairs<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de, K, V> Deserialize<'de> for Pairs<K, V>
where
    K: Deserialize<'de> + PartialEq,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(PairsVisitor(PhantomData))
    }
}

struct PairsVisitor<K, V>(PhantomData<(K, V)>);

impl<'de, K, V> Visitor<'de> for PairsVisitor<K, V>
where
    K: Deserialize<'de> + PartialEq,
    V: Deserialize<'de>,
{
    type Value = Pairs<K, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    /// A key given twice keeps its last value, as a map would.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut pairs = Pairs::new();
        let mut read = 0;
        while let Some((k, v)) = map.next_entry()? {
            read += 1;
            if read > MAX_PAIRS {
                return Err(de::Error::invalid_length(read, &"at most 256 entries"));
            }
            pairs.set(k, v);
        }
        Ok(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_an_object_and_a_repeated_key_keeps_its_last_value() {
        let read: Pairs<String, u32> = serde_json::from_str(r#"{"b":1,"a":2,"b":3}"#).unwrap();
        assert_eq!(
            read.iter().collect::<Vec<_>>(),
            [(&"b".to_owned(), &3), (&"a".to_owned(), &2)]
        );
        assert_eq!(serde_json::to_string(&read).unwrap(), r#"{"b":3,"a":2}"#);
        assert!(serde_json::from_str::<Pairs<String, u32>>(r#"[["a",1]]"#).is_err());
    }

    #[test]
    fn the_same_pairs_in_another_order_are_equal() {
        let ab: Pairs<&str, u32> = [("a", 1), ("b", 2)].into_iter().collect();
        let ba: Pairs<&str, u32> = [("b", 2), ("a", 1)].into_iter().collect();
        let a: Pairs<&str, u32> = [("a", 1)].into_iter().collect();
        let ab3: Pairs<&str, u32> = [("a", 1), ("b", 3)].into_iter().collect();
        assert_eq!(ab, ba);
        assert_ne!(ab, a);
        assert_ne!(a, ab);
        assert_ne!(ab, ab3);
    }

    #[test]
    fn an_object_of_too_many_entries_is_refused() {
        let object = |n: usize| {
            let entries: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{i}")).collect();
            format!("{{{}}}", entries.join(","))
        };
        assert!(serde_json::from_str::<Pairs<String, usize>>(&object(MAX_PAIRS)).is_ok());
        let err = serde_json::from_str::<Pairs<String, usize>>(&object(MAX_PAIRS + 1)).unwrap_err();
        assert!(err.to_string().contains("at most 256 entries"), "{err}");
    }
}
