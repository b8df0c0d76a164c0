//! Whether loading and compiling run side by side on the current rayon pool: set by
//! `RulePack::compile_in_parallel` (in `layer`), and read where a file's rules are read, where
//! rules are settled, and where a checker builds its two sets of matchers.

#[cfg(feature = "parallel")]
thread_local! {
    /// Set on this thread while `RulePack::compile_in_parallel` runs.
    static PARALLEL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether `RulePack::compile_in_parallel` is running on this thread.
#[cfg(feature = "parallel")]
pub(crate) fn enabled() -> bool {
    PARALLEL.get()
}

/// Runs `f` with loading in parallel on this thread, then puts back what was there before.
#[cfg(feature = "parallel")]
pub(crate) fn with<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            PARALLEL.set(self.0);
        }
    }
    let _reset = Reset(PARALLEL.replace(true));
    f()
}

/// Runs `a` and `b`, side by side when `RulePack::compile_in_parallel` is running on this
/// thread, one after the other otherwise.
pub(crate) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(feature = "parallel")]
    if enabled() {
        return rayon::join(a, b);
    }
    (a(), b())
}
