//! huashu (话术, "service script") checks what customer-service agents say and write against a
//! company's service standard: required greetings and closings, forbidden phrases (服务忌语),
//! courtesy forms, and the disclosure of customer data.
//!
//! The few types that matter:
//!
//! - [`RulePack`]: rules loaded from TOML, validated, with every problem reported with its
//!   file, line and column. [`RulePack::builtin`] is the pack compiled into the library.
//! - [`Checker`]: a compiled pack. All phrases of all rules live in one automaton; it is
//!   immutable, `Send + Sync` and cheap to clone.
//! - [`Transcript`] and [`Turn`]: what was said, by which [`Role`], on which [`Channel`].
//!   [`read`] parses JSON Lines and plain-text transcripts.
//! - [`Report`] and [`Finding`]: the score, whether it passes, and every finding with its span
//!   in the original text.
//!
//! ```
//! use huashu::{Checker, Role, Transcript, Turn};
//!
//! let checker = Checker::builtin()?;
//!
//! // Live: check one message before it is sent.
//! let findings = checker.check_message(Role::Agent, "这个我不知道，你找领导去呀！");
//! assert!(findings.iter().any(|f| &*f.rule == "forbidden.go-to-manager"));
//!
//! // Batch: score a whole conversation.
//! let transcript = Transcript::new("c1", vec![
//!     Turn::new(Role::Agent, "您好，我是1024号客服人员，很高兴为您服务。"),
//!     Turn::new(Role::Customer, "我想查一下订单。"),
//!     Turn::new(Role::Agent, "好的，请您稍等，我查一下。"),
//!     Turn::new(Role::Agent, "让您久等了，订单明天送达，谢谢您的耐心。"),
//!     Turn::new(Role::Customer, "好的，谢谢。"),
//!     Turn::new(Role::Agent, "不客气，请问还有什么可以帮助您？感谢您的来电，再见！"),
//! ]);
//! let report = checker.check(&transcript);
//! assert_eq!(report.score, Some(100));
//! assert!(report.passed == Some(true));
//! # Ok::<(), huashu::PackError>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

// The layers, bottom first: text → transcript → pack → engine → finding → judge → score →
// checker → session → eval. Each module imports only from the layers below it.
mod checker;
mod engine;
pub mod eval;
mod finding;
mod judge;
mod pack;
#[cfg(test)]
mod reference;
mod score;
mod session;
pub mod text;
mod transcript;
// On top: reading reply libraries (which uses only `text`) and linting them with a checker.
#[cfg(feature = "replies")]
pub mod lint;
#[cfg(feature = "replies")]
pub mod replies;
// On top, apart: the HTML QA report, made from the JSON records that checking writes.
#[cfg(feature = "html")]
pub mod html;

pub use transcript::read;

pub use checker::{Checker, ExampleFailure, Stats};
pub use finding::{
    DimensionScore, Due, Evidence, Finding, Fix, LedgerEntry, Match, NotApplicable, Obligation,
    Report, TolerantMatch,
};
pub use pack::RulePack;
pub use pack::audit::{IssueLevel, PackIssue};
pub use pack::error::{PackError, Problem};
pub use pack::rule::{
    Asr, AsrMode, Boundary, ChannelSet, Condition, ContextTest, ContextWords, Dimension,
    Eligibility, Examples, Expect, Feature, FeatureSet, FixSafety, Leaf, Measure, Origin, Per,
    RoleSet, Rule, RuleKind, Scoring, Severity, Tolerance, Unless, Verify, Window, Within,
};
pub use session::{Session, Update};
pub use text::normalize::Normalization;
pub use transcript::{Channel, Role, Source, Transcript, Turn};

/// The slots a phrase may contain (`{number}`, `{name}`…), each with a description.
pub fn slots() -> impl Iterator<Item = (&'static str, &'static str)> {
    text::pattern::SLOTS
        .iter()
        .map(|(name, _, about)| (*name, *about))
}

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
