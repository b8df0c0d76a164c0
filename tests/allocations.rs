//! The live paths do not allocate in proportion to the pack: checking a message, or pushing a
//! turn into a session, allocates as often with the built-in pack as with the built-in pack
//! plus two thousand more rules. Counted by a global allocator that counts this thread's
//! allocations (this file is its own test binary, so the allocator is its own too).

// A global allocator cannot be written without `unsafe`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use huashu::{Channel, Checker, Role, RulePack, Turn};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the thread-local may already be gone while a thread shuts down.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every call is passed on to the system allocator unchanged; counting touches only a
// const-initialized thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// The built-in pack, and the same with `extra` more forbidden rules whose phrases the test
/// texts never contain.
fn checkers(extra: usize) -> (Checker, Checker) {
    let small = Checker::builtin().expect("compiles");
    let mut layer = String::from("[pack]\nname = \"bigger\"\n");
    for n in 0..extra {
        layer.push_str(&format!(
            "[[rule]]\nid = \"forbidden.extra-{n}\"\nkind = \"forbidden\"\nseverity = \"minor\"\n\
             message = \"m\"\nphrases = [\"甲乙丙{n}号\", \"戊己庚{n}\"]\n"
        ));
    }
    let big = RulePack::builtin()
        .and_then(|p| p.layer_toml("bigger.toml", &layer))
        .and_then(|p| p.compile())
        .expect("compiles");
    assert_eq!(big.rules().len(), small.rules().len() + extra);
    (small, big)
}

const MESSAGES: &[&str] = &[
    "您好，王先生，您的订单已经从上海仓库发出，预计明天下午三点前送达，请您保持电话畅通。",
    "这个我不知道，你找领导去呀！",
    "您的手机号是13812345678对吗？请稍等。",
    "",
];

#[test]
fn checking_a_message_allocates_the_same_with_a_bigger_pack() {
    let (small, big) = checkers(2000);
    for message in MESSAGES {
        // The first check on a thread makes its scratch space.
        small.check_message(Role::Agent, message);
        big.check_message(Role::Agent, message);
        let a = allocations(|| {
            small.check_message(Role::Agent, message);
        });
        let b = allocations(|| {
            big.check_message(Role::Agent, message);
        });
        assert_eq!(a, b, "{message}");
    }
    // And a clean message allocates nothing at all.
    let clean = allocations(|| {
        small.check_message(Role::Agent, "好的，马上为您处理。");
    });
    assert_eq!(clean, 0);
}

#[test]
fn pushing_a_turn_allocates_the_same_with_a_bigger_pack() {
    let (small, big) = checkers(2000);
    let turns = [
        Turn::at(Role::Customer, "你好，我的快递三天了还没到。", 0.0),
        Turn::at(
            Role::Agent,
            "您好，很高兴为您服务，请您稍等，我帮您查一下。",
            5.0,
        ),
        Turn::at(Role::Customer, "好的，谢谢。", 8.0),
        Turn::at(Role::Agent, "不客气。让您久等了，您的快递明天送达。", 40.0),
        Turn::at(Role::Customer, "这个我不知道怎么查。", 45.0),
    ];
    // The first check on a thread makes its scratch space.
    for checker in [&small, &big] {
        checker.session("warm", None).push(turns[1].clone());
    }
    let mut a = small.session("a", Some(Channel::Chat));
    let mut b = big.session("b", Some(Channel::Chat));
    for turn in &turns {
        let x = allocations(|| {
            a.push(turn.clone());
        });
        let y = allocations(|| {
            b.push(turn.clone());
        });
        assert_eq!(x, y, "{}", turn.text);
        assert!(x < 200, "{x} allocations for {}", turn.text);
    }
}
