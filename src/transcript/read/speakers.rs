//! Which role each speaker stands for, when the input numbers its speakers or channels
//! (speech recognition: `0`, `1`, `spk_0`, `SPEAKER_01`) instead of naming roles.

use std::fmt;
use std::str::FromStr;

use crate::transcript::{ROLE_EXPECTED, Role};

/// A mapping from speaker or channel labels to roles, as `--speakers 0=agent,1=customer`
/// gives it.
///
/// Without a mapping, the first speaker heard in a conversation is the agent and every other
/// speaker the customer: agents open calls and chats. With one, every speaker must be in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Speakers {
    map: Vec<(String, Role)>,
}

impl Speakers {
    /// No mapping: the first speaker is the agent.
    pub fn first_is_agent() -> Speakers {
        Speakers::default()
    }

    /// Whether there is no mapping.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The mapping's entries, in the order given.
    pub fn entries(&self) -> impl Iterator<Item = (&str, Role)> {
        self.map.iter().map(|(label, role)| (label.as_str(), *role))
    }

    /// Adds `label` as `role`.
    pub fn with(mut self, label: impl Into<String>, role: Role) -> Speakers {
        self.map.push((label.into(), role));
        self
    }
}

impl FromStr for Speakers {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut speakers = Speakers::default();
        for entry in s.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let Some((label, role)) = entry.split_once('=') else {
                return Err(format!(
                    "`{entry}` is not SPEAKER=ROLE; write the mapping as 0=agent,1=customer"
                ));
            };
            let role = Role::from_alias(role)
                .ok_or_else(|| format!("unknown role `{}`; {ROLE_EXPECTED}", role.trim()))?;
            speakers = speakers.with(label.trim(), role);
        }
        if speakers.is_empty() {
            return Err("the speaker mapping is empty; write it as 0=agent,1=customer".into());
        }
        Ok(speakers)
    }
}

impl fmt::Display for Speakers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (label, role)) in self.map.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{label}={role}")?;
        }
        Ok(())
    }
}

/// Whether `label` names a speaker by number (`0`, `spk_1`, `SPEAKER_00`, `说话人2`) rather
/// than by role.
pub(crate) fn is_numbered(label: &str) -> bool {
    label
        .trim()
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_digit())
}

/// The roles of one conversation's speakers.
pub(crate) struct SpeakerRoles<'a> {
    speakers: &'a Speakers,
    first: Option<String>,
}

impl<'a> SpeakerRoles<'a> {
    pub(crate) fn new(speakers: &'a Speakers) -> SpeakerRoles<'a> {
        SpeakerRoles {
            speakers,
            first: None,
        }
    }

    /// The role of the speaker labelled `label`.
    pub(crate) fn role(&mut self, label: &str) -> Result<Role, String> {
        let label = label.trim();
        if self.speakers.is_empty() {
            let first = self.first.get_or_insert_with(|| label.to_string());
            return Ok(if same_label(first, label) {
                Role::Agent
            } else {
                Role::Customer
            });
        }
        self.speakers
            .map
            .iter()
            .find(|(l, _)| same_label(l, label))
            .map(|&(_, role)| role)
            .ok_or_else(|| {
                format!(
                    "speaker `{label}` is not in the speaker mapping ({}); add it to \
                     --speakers",
                    self.speakers
                )
            })
    }
}

/// Labels are the same when equal ignoring ASCII case, or when both are the same number
/// (`1` and `01`).
fn same_label(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
        || matches!((a.parse::<u64>(), b.parse::<u64>()), (Ok(x), Ok(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_speaker_is_the_agent_by_default() {
        let speakers = Speakers::default();
        let mut roles = SpeakerRoles::new(&speakers);
        let heard: Vec<Role> = ["1", "0", "01", "2"]
            .iter()
            .map(|l| roles.role(l).expect("any speaker"))
            .collect();
        assert_eq!(
            heard,
            [Role::Agent, Role::Customer, Role::Agent, Role::Customer]
        );
    }

    #[test]
    fn a_mapping_names_every_speaker() {
        let speakers: Speakers = "0=customer, 1=客服".parse().expect("parses");
        assert_eq!(speakers.to_string(), "0=customer,1=agent");
        let mut roles = SpeakerRoles::new(&speakers);
        assert_eq!(roles.role("1"), Ok(Role::Agent));
        assert_eq!(roles.role("0"), Ok(Role::Customer));
        let e = roles.role("spk_2").expect_err("not mapped");
        assert!(
            e.contains("speaker `spk_2` is not in the speaker mapping"),
            "{e}"
        );
        assert!("0".parse::<Speakers>().is_err());
        assert!("0=boss".parse::<Speakers>().is_err());
        assert!(is_numbered("spk_0") && is_numbered("说话人1") && !is_numbered("客服"));
    }
}
