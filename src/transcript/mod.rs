//! Transcripts: who said what, when, on which channel; `read` parses them from JSON Lines and
//! plain text.

pub mod read;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Who speaks a turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The customer-service agent (客服, 坐席).
    Agent,
    /// The customer (客户, 用户).
    Customer,
    /// A system message: queue notices, transfers, "the customer left".
    System,
    /// An automated reply from a chat bot.
    Bot,
}

impl Role {
    /// Every role, in a fixed order.
    pub const ALL: [Role; 4] = [Role::Agent, Role::Customer, Role::System, Role::Bot];

    /// The canonical name used in rule packs and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Customer => "customer",
            Role::System => "system",
            Role::Bot => "bot",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Recognizes a role name as exported by real contact-centre and chat systems.
    ///
    /// Matching ignores ASCII case and surrounding whitespace. Returns `None` for a name that
    /// is not a known role or alias.
    pub fn from_alias(name: &str) -> Option<Role> {
        // The canonical names, as most exports write them, without the search.
        match name {
            "agent" => return Some(Role::Agent),
            "customer" => return Some(Role::Customer),
            _ => {}
        }
        let name = name.trim();
        ROLE_ALIASES
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
            .map(|&(_, role)| role)
    }
}

/// Names for each role found in real exports. The first entry of each role is its canonical
/// name.
const ROLE_ALIASES: &[(&str, Role)] = &[
    ("agent", Role::Agent),
    ("客服", Role::Agent),
    ("坐席", Role::Agent),
    ("座席", Role::Agent),
    ("客服代表", Role::Agent),
    ("客服人员", Role::Agent),
    ("人工客服", Role::Agent),
    ("staff", Role::Agent),
    ("b2c", Role::Agent),
    ("seat", Role::Agent),
    ("service", Role::Agent),
    ("customer", Role::Customer),
    ("客户", Role::Customer),
    ("用户", Role::Customer),
    ("顾客", Role::Customer),
    ("访客", Role::Customer),
    ("买家", Role::Customer),
    ("user", Role::Customer),
    ("c2b", Role::Customer),
    ("client", Role::Customer),
    ("visitor", Role::Customer),
    ("system", Role::System),
    ("系统", Role::System),
    ("bot", Role::Bot),
    ("robot", Role::Bot),
    ("机器人", Role::Bot),
    ("智能客服", Role::Bot),
];

/// Error message listing the accepted role names.
pub(crate) const ROLE_EXPECTED: &str = "expected agent, customer, system or bot \
     (or an alias: 客服, 坐席, staff, b2c; 客户, 用户, user, c2b; 系统; robot, 机器人)";

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RoleVisitor;
        impl serde::de::Visitor<'_> for RoleVisitor {
            type Value = Role;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a role name")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Role, E> {
                Role::from_alias(v)
                    .ok_or_else(|| E::custom(format!("unknown role `{v}`; {ROLE_EXPECTED}")))
            }
        }
        deserializer.deserialize_str(RoleVisitor)
    }
}

/// Where a transcript's text came from: typed by the agent, or heard by speech recognition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Typed or written text: chat, e-mail, tickets, or a transcript made by a person.
    #[default]
    Text,
    /// A speech-recognition (ASR) transcript of a call, with its fillers and mishearings.
    Asr,
}

impl std::str::FromStr for Source {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(Source::Text),
            "asr" => Ok(Source::Asr),
            other => Err(format!(
                "unknown source `{other}`; expected `text` or `asr`"
            )),
        }
    }
}

/// The channel a conversation took place on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// A phone call (usually a speech-to-text transcript).
    Phone,
    /// Instant messaging: web chat, app chat, QQ, WeChat.
    Chat,
    /// E-mail.
    Email,
}

impl Channel {
    /// Every channel, in a fixed order.
    pub const ALL: [Channel; 3] = [Channel::Phone, Channel::Chat, Channel::Email];

    /// The canonical name used in rule packs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Chat => "chat",
            Channel::Email => "email",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "phone" | "call" | "voice" | "电话" => Ok(Channel::Phone),
            "chat" | "im" | "online" | "在线" => Ok(Channel::Chat),
            "email" | "e-mail" | "mail" | "邮件" => Ok(Channel::Email),
            _ => Err(format!(
                "unknown channel `{s}`; expected phone, chat or email"
            )),
        }
    }
}

/// One turn of a conversation: a message or utterance by one role. It serializes as a turn
/// of the JSON Lines input is written: `{"role", "text", "time"}`, without `time` when it
/// has none.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Turn {
    /// Who speaks.
    pub role: Role,
    /// What was said or written, exactly as exported.
    pub text: String,
    /// Seconds from the start of the conversation, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<f64>,
}

impl Turn {
    /// A turn without a time.
    pub fn new(role: Role, text: impl Into<String>) -> Turn {
        Turn {
            role,
            text: text.into(),
            time: None,
        }
    }

    /// A turn at `seconds` from the start of the conversation.
    pub fn at(role: Role, text: impl Into<String>, seconds: f64) -> Turn {
        Turn {
            role,
            text: text.into(),
            time: Some(seconds),
        }
    }
}

/// A whole conversation: a phone call, a chat session or an e-mail thread.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Transcript {
    /// The conversation's id in the system it came from.
    pub id: String,
    /// The channel, when known. Rules limited to a channel apply to every transcript whose
    /// channel is unknown.
    pub channel: Option<Channel>,
    /// The agent's id or name, when known.
    pub agent: Option<String>,
    /// Whether the text was typed or heard by speech recognition (`"source": "asr"`).
    pub source: Source,
    /// When the conversation started, if turn times were given as RFC 3339 timestamps; turn
    /// times are then seconds after this instant.
    pub started_at: Option<jiff::Timestamp>,
    /// The turns, in order.
    pub turns: Vec<Turn>,
    /// Fields of the input record that huashu does not interpret, kept as they were.
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

impl Transcript {
    /// A transcript with an id and turns, and nothing else.
    pub fn new(id: impl Into<String>, turns: Vec<Turn>) -> Transcript {
        Transcript {
            id: id.into(),
            turns,
            ..Transcript::default()
        }
    }

    /// Sets the channel.
    pub fn with_channel(mut self, channel: Channel) -> Transcript {
        self.channel = Some(channel);
        self
    }
}

/// Parses a time of day or duration written as `[HH:]MM:SS[.fff]` into seconds.
pub(crate) fn parse_clock(s: &str) -> Option<f64> {
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut seconds = 0.0;
    for (i, part) in parts.iter().enumerate() {
        let last = i == parts.len() - 1;
        let valid = !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_digit() || (last && c == '.'));
        if !valid {
            return None;
        }
        let value: f64 = part.parse().ok()?;
        if i > 0 && value >= 60.0 {
            return None;
        }
        seconds = seconds * 60.0 + value;
    }
    Some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_aliases_from_real_exports() {
        for (name, role) in [
            ("agent", Role::Agent),
            ("客服", Role::Agent),
            ("坐席", Role::Agent),
            ("STAFF", Role::Agent),
            ("b2c", Role::Agent),
            ("customer", Role::Customer),
            ("客户", Role::Customer),
            ("用户", Role::Customer),
            ("user", Role::Customer),
            ("C2B", Role::Customer),
            ("system", Role::System),
            ("bot", Role::Bot),
            (" 客服 ", Role::Agent),
        ] {
            assert_eq!(Role::from_alias(name), Some(role), "{name}");
        }
        assert_eq!(Role::from_alias("主管"), None);
        assert_eq!(Role::from_alias(""), None);
    }

    #[test]
    fn channel_names() {
        assert_eq!("phone".parse::<Channel>(), Ok(Channel::Phone));
        assert_eq!("Chat".parse::<Channel>(), Ok(Channel::Chat));
        assert_eq!("e-mail".parse::<Channel>(), Ok(Channel::Email));
        assert_eq!(
            "fax".parse::<Channel>(),
            Err("unknown channel `fax`; expected phone, chat or email".to_string())
        );
    }

    #[test]
    fn clock_times() {
        assert_eq!(parse_clock("00:01:05"), Some(65.0));
        assert_eq!(parse_clock("01:05"), Some(65.0));
        assert_eq!(parse_clock("1:00:00.5"), Some(3600.5));
        assert_eq!(parse_clock("00:61"), None);
        assert_eq!(parse_clock("1"), None);
        assert_eq!(parse_clock("a:b"), None);
        assert_eq!(parse_clock("::"), None);
    }
}
