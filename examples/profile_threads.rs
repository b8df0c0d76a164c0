//! Checks one message on one and on two threads sharing a checker, for profiling scaling:
//! `cargo run --release --example profile_threads`.

use std::hint::black_box;
use std::time::Instant;

use huashu::{Checker, Role};

const MESSAGE: &str = "您好，王先生，您的订单已经从上海仓库发出，预计明天下午三点前送达，请您保持电话畅通；如果有任何问题，随时联系我们，感谢您的耐心等待。";

fn run(checker: &Checker, threads: usize, calls: usize) -> std::time::Duration {
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let checker = checker.clone();
            s.spawn(move || {
                for _ in 0..calls {
                    black_box(checker.check_message(Role::Agent, black_box(MESSAGE)));
                }
            });
        }
    });
    start.elapsed()
}

fn main() {
    let checker = Checker::builtin().expect("the built-in pack compiles");
    run(&checker, 1, 10_000);
    let one = run(&checker, 1, 200_000);
    let two = run(&checker, 2, 200_000);
    println!(
        "1 thread: {one:?}; 2 threads, twice the work: {two:?}; scaling {:.2}×",
        2.0 * one.as_secs_f64() / two.as_secs_f64()
    );
}
