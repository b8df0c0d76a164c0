//! Sets of roles and of channels, as bits: which turns a rule judges and where it applies.

use crate::transcript::{Channel, Role};

/// A set of roles, stored as bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct RoleSet(u8);

impl RoleSet {
    /// Only the agent: the default for every rule.
    pub const AGENT: RoleSet = RoleSet(1 << Role::Agent as u8);

    /// Whether `role` is in the set.
    pub fn contains(self, role: Role) -> bool {
        self.0 & (1 << role.index()) != 0
    }

    pub(crate) fn insert(&mut self, role: Role) {
        self.0 |= 1 << role.index();
    }

    pub(crate) fn union(self, other: RoleSet) -> RoleSet {
        RoleSet(self.0 | other.0)
    }

    /// The set as a number below 16, to index tables by.
    pub(crate) fn bits(self) -> usize {
        usize::from(self.0 & 0xf)
    }

    /// The roles in the set, in [`Role::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.contains(*r))
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        let mut set = RoleSet::default();
        for role in iter {
            set.insert(role);
        }
        set
    }
}

/// A set of channels, stored as bits. A rule with every channel applies everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChannelSet(u8);

impl ChannelSet {
    /// Every channel: the default.
    pub const ALL: ChannelSet = ChannelSet(0b111);
    /// No channel.
    pub const NONE: ChannelSet = ChannelSet(0);

    /// Whether a rule limited to this set applies to a transcript on `channel`. A transcript
    /// whose channel is unknown is taken for a conversation (a call or a chat): rules for
    /// phone or chat check it, rules only for e-mail do not.
    pub fn applies_to(self, channel: Option<Channel>) -> bool {
        match channel {
            Some(c) => self.contains(c),
            None => self.contains(Channel::Phone) || self.contains(Channel::Chat),
        }
    }

    /// Whether `channel` is in the set.
    pub fn contains(self, channel: Channel) -> bool {
        self.0 & (1 << channel.index()) != 0
    }

    pub(crate) fn union(self, other: ChannelSet) -> ChannelSet {
        ChannelSet(self.0 | other.0)
    }

    /// The channels in the set, in [`Channel::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Channel> {
        Channel::ALL.into_iter().filter(move |c| self.contains(*c))
    }
}

impl FromIterator<Channel> for ChannelSet {
    fn from_iter<I: IntoIterator<Item = Channel>>(iter: I) -> Self {
        ChannelSet(iter.into_iter().fold(0, |bits, c| bits | 1 << c.index()))
    }
}
