//! A JSON transcript record as it is read, before its times, channel and source are
//! checked: what both readers of a record (serde's and the direct one) produce.

use std::fmt;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::transcript::Role;
use crate::transcript::read::time::TimeValue;

#[derive(Debug, PartialEq, Deserialize)]
pub(super) struct RawTranscript {
    #[serde(default)]
    pub(super) id: Option<Scalar>,
    #[serde(default)]
    pub(super) channel: Option<String>,
    #[serde(default)]
    pub(super) agent: Option<Scalar>,
    #[serde(default)]
    pub(super) source: Option<String>,
    pub(super) turns: Vec<RawTurn>,
    #[serde(flatten)]
    pub(super) metadata: Map<String, Value>,
}

/// One turn: an object `{"role", "text", "time"}` (or `speaker` and `content`, with `role`
/// and `text` winning when both are there), or a list `[role, text]` / `[role, text, time]`.
#[derive(Debug, PartialEq)]
pub(super) struct RawTurn {
    pub(super) role: Role,
    pub(super) text: String,
    pub(super) time: Option<Scalar>,
}

const TURN_EXPECTED: &str = "a turn: an object {\"role\": …, \"text\": …, \"time\": …} or a \
                             list [role, text] or [role, text, time]";

impl<'de> Deserialize<'de> for RawTurn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RawTurn, D::Error> {
        use serde::de::{Error, IgnoredAny, MapAccess, SeqAccess};
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawTurn;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(TURN_EXPECTED)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawTurn, A::Error> {
                let length = |n: usize| {
                    let s = if n == 1 { "" } else { "s" };
                    A::Error::custom(format!(
                        "a turn written as a list is [role, text] or [role, text, time]; this \
                         one has {n} element{s}"
                    ))
                };
                let role: Role = seq.next_element()?.ok_or_else(|| length(0))?;
                let text: String = seq.next_element()?.ok_or_else(|| length(1))?;
                let time: Option<Scalar> = seq.next_element()?;
                let mut n = 2 + usize::from(time.is_some());
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                if n > 3 {
                    return Err(length(n));
                }
                Ok(RawTurn { role, text, time })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawTurn, A::Error> {
                let (mut role, mut speaker, mut text, mut content, mut time) =
                    (None, None, None, None, None);
                while let Some(key) = map.next_key::<TurnKey>()? {
                    match key {
                        TurnKey::Role => role = Some(map.next_value::<Role>()?),
                        TurnKey::Speaker => speaker = Some(map.next_value::<Role>()?),
                        TurnKey::Text => text = Some(map.next_value::<String>()?),
                        TurnKey::Content => content = Some(map.next_value::<String>()?),
                        TurnKey::Time => time = map.next_value::<Option<Scalar>>()?,
                        TurnKey::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(RawTurn {
                    role: role
                        .or(speaker)
                        .ok_or_else(|| A::Error::missing_field("role"))?,
                    text: text
                        .or(content)
                        .ok_or_else(|| A::Error::missing_field("text"))?,
                    time,
                })
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// A key of a turn object, told apart as it is read: no key is copied.
enum TurnKey {
    Role,
    Speaker,
    Text,
    Content,
    Time,
    Other,
}

impl<'de> Deserialize<'de> for TurnKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TurnKey, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = TurnKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<TurnKey, E> {
                Ok(match key {
                    "role" => TurnKey::Role,
                    "speaker" => TurnKey::Speaker,
                    "text" => TurnKey::Text,
                    "content" => TurnKey::Content,
                    "time" => TurnKey::Time,
                    _ => TurnKey::Other,
                })
            }
        }
        d.deserialize_identifier(Visitor)
    }
}

/// A string or a number: ids, agent ids and times come as either.
#[derive(Debug, PartialEq)]
pub(super) enum Scalar {
    Text(String),
    Number(serde_json::Number),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Text(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v.into()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Scalar, E> {
                serde_json::Number::from_f64(v)
                    .map(Scalar::Number)
                    .ok_or_else(|| E::custom("expected a finite number"))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Scalar {
    pub(super) fn time(&self) -> TimeValue<'_> {
        match self {
            Scalar::Text(s) => TimeValue::Text(s),
            Scalar::Number(n) => TimeValue::Number(n.as_f64().unwrap_or(f64::NAN)),
        }
    }

    pub(super) fn into_string(self) -> String {
        match self {
            Scalar::Text(s) => s,
            Scalar::Number(n) => n.to_string(),
        }
    }
}
