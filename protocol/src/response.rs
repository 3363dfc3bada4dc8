//! What the widget posts: `POST /v1/sites/{key}/responses`.

use crate::locale::Locale;
use crate::pairs::Pairs;
use crate::slug::Slug;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use uuid::Uuid;

/// The response's id, made in the browser (UUIDv7). It is the idempotency
/// key: posting the same id again is answered as a success and stored once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ResponseId(Uuid);

impl ResponseId {
    /// Accepts only version-7 UUIDs, whose time prefix keeps ids in arrival order.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let id = Uuid::try_parse(raw).map_err(|_| format!("'{raw}' is not a UUID"))?;
        if id.get_version_num() == 7 {
            Ok(Self(id))
        } else {
            Err(format!("'{raw}' must be a version 7 UUID"))
        }
    }

    /// The time the browser made the id, in Unix milliseconds.
    pub fn unix_millis(&self) -> u64 {
        self.0
            .get_timestamp()
            .map(|t| {
                let (secs, nanos) = t.to_unix();
                secs * 1000 + u64::from(nanos) / 1_000_000
            })
            .unwrap_or(0)
    }

    /// A new id from a Unix time in milliseconds and ten random bytes; the
    /// caller supplies both, so this works in the browser and on the server.
    pub fn from_parts(unix_millis: u64, random: [u8; 10]) -> Self {
        Self(uuid::Builder::from_unix_timestamp_millis(unix_millis, &random).into_uuid())
    }
}

impl fmt::Display for ResponseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl<'de> Deserialize<'de> for ResponseId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        ResponseId::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// Coarse device class from the viewport, for breakdowns; never a fingerprint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceClass {
    Desktop,
    Tablet,
    Mobile,
    #[default]
    Unknown,
}

impl DeviceClass {
    pub fn name(self) -> &'static str {
        match self {
            DeviceClass::Desktop => "desktop",
            DeviceClass::Tablet => "tablet",
            DeviceClass::Mobile => "mobile",
            DeviceClass::Unknown => "unknown",
        }
    }

    /// The class [`DeviceClass::name`] names, as stored and on the wire.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            DeviceClass::Desktop,
            DeviceClass::Tablet,
            DeviceClass::Mobile,
            DeviceClass::Unknown,
        ]
        .into_iter()
        .find(|d| d.name() == name)
    }

    /// Classifies by viewport width in CSS pixels.
    pub fn from_width(width: f64) -> Self {
        if width <= 0.0 {
            DeviceClass::Unknown
        } else if width < 600.0 {
            DeviceClass::Mobile
        } else if width < 1024.0 {
            DeviceClass::Tablet
        } else {
            DeviceClass::Desktop
        }
    }
}

impl<'de> Deserialize<'de> for DeviceClass {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::locale::deserialize_code(
            d,
            DeviceClass::from_name,
            "\"desktop\", \"tablet\", \"mobile\" or \"unknown\"",
        )
    }
}

/// A response as posted; [`crate::validate_submission`] turns it into a
/// [`crate::ValidResponse`] against the survey it answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub id: ResponseId,
    pub survey: Slug,
    pub survey_version: u32,
    pub answers: Vec<Answer>,
    #[serde(default = "yes")]
    pub finished: bool,
    pub locale: Locale,
    /// `location.pathname` of the host page; query and fragment are dropped.
    #[serde(default)]
    pub page_path: String,
    #[serde(default)]
    pub device: DeviceClass,
    /// Random id kept in the respondent's localStorage; not a person.
    #[serde(default)]
    pub respondent: Option<Uuid>,
    /// Counts the saves of one response: each answered step is posted with
    /// the next number, and a save older than the stored one is ignored, so
    /// a late retry never rolls answers back.
    #[serde(default)]
    pub seq: u32,
    /// The id the host gave with `sori('identify', id, …)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The attributes the host gave with `sori('identify', id, {…})`.
    #[serde(default, skip_serializing_if = "Pairs::is_empty")]
    pub attributes: Pairs<String, String>,
    /// The help article the respondent came from ("Still need help?").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faq_article: Option<Slug>,
    /// What they had searched the help for before asking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faq_query: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub question: Slug,
    pub value: AnswerValue,
    /// The text of a multi-choice "Other".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
}

/// A whole number (scores), a boolean (yes/no), a string (a choice id or
/// free text) or a list of strings (choice ids). Anything else is refused
/// while parsing, with a message naming what was expected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AnswerValue {
    Number(i64),
    Bool(bool),
    Text(String),
    List(Vec<String>),
}

impl<'de> Deserialize<'de> for AnswerValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnswerVisitor)
    }
}

/// Reads an answer straight from the input, without building a generic
/// JSON value first (which would also pull that machinery into the wasm).
struct AnswerVisitor;

impl<'de> Visitor<'de> for AnswerVisitor {
    type Value = AnswerValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number, a boolean, a string or a list of strings")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<AnswerValue, E> {
        Ok(AnswerValue::Number(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<AnswerValue, E> {
        i64::try_from(v)
            .map(AnswerValue::Number)
            .map_err(|_| E::custom(format!("{v} is too large")))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<AnswerValue, E> {
        // No number in the message: formatting floats would weigh on the wasm.
        Err(E::custom("a score must be a whole number"))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<AnswerValue, E> {
        Ok(AnswerValue::Bool(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<AnswerValue, E> {
        Ok(AnswerValue::Text(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<AnswerValue, E> {
        Ok(AnswerValue::Text(v))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<AnswerValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<ChoiceId>()? {
            items.push(item.0);
        }
        Ok(AnswerValue::List(items))
    }
}

/// One entry of a list answer: a string, with a message that says so.
struct ChoiceId(String);

impl<'de> Deserialize<'de> for ChoiceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ChoiceId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a choice id (a string) in the list")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ChoiceId, E> {
                Ok(ChoiceId(v.to_owned()))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_built_from_parts_are_version_7_and_parse_back() {
        let id = ResponseId::from_parts(1_763_000_000_000, [7; 10]);
        assert_eq!(ResponseId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn an_id_tells_the_time_it_was_made() {
        let id = ResponseId::from_parts(1_763_000_000_123, [7; 10]);
        assert_eq!(id.unix_millis(), 1_763_000_000_123);
    }

    #[test]
    fn a_device_of_the_wrong_type_is_a_data_error() {
        let err = serde_json::from_str::<DeviceClass>("null").unwrap_err();
        assert!(err.is_data(), "{err}");
        assert_eq!(
            serde_json::from_str::<DeviceClass>("\"mobile\"").unwrap(),
            DeviceClass::Mobile
        );
    }

    #[test]
    fn a_version_4_uuid_is_not_a_response_id() {
        let err = ResponseId::parse("9b2f6a3e-3c1d-4b8e-9f1a-2c3d4e5f6a7b").unwrap_err();
        assert!(err.contains("version 7"), "{err}");
        assert!(ResponseId::parse("not-a-uuid").is_err());
    }

    #[test]
    fn answer_values_are_numbers_or_strings_only() {
        let v: AnswerValue = serde_json::from_str("4").unwrap();
        assert_eq!(v, AnswerValue::Number(4));
        let v: AnswerValue = serde_json::from_str("\"fine\"").unwrap();
        assert_eq!(v, AnswerValue::Text("fine".into()));
        let err = serde_json::from_str::<AnswerValue>("4.5").unwrap_err();
        assert!(err.to_string().contains("whole number"), "{err}");
        let err = serde_json::from_str::<AnswerValue>(r#"{"a":1}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("a whole number, a boolean, a string or a list"),
            "{err}"
        );
        let v: AnswerValue = serde_json::from_str("true").unwrap();
        assert_eq!(v, AnswerValue::Bool(true));
        let v: AnswerValue = serde_json::from_str(r#"["a","b"]"#).unwrap();
        assert_eq!(v, AnswerValue::List(vec!["a".into(), "b".into()]));
        assert!(serde_json::from_str::<AnswerValue>("[1]").is_err());
        assert!(serde_json::from_str::<AnswerValue>("null").is_err());
    }

    #[test]
    fn device_class_follows_viewport_width() {
        assert_eq!(DeviceClass::from_width(390.0), DeviceClass::Mobile);
        assert_eq!(DeviceClass::from_width(800.0), DeviceClass::Tablet);
        assert_eq!(DeviceClass::from_width(1440.0), DeviceClass::Desktop);
        assert_eq!(DeviceClass::from_width(0.0), DeviceClass::Unknown);
    }
}
