//! Turn-per-row CSV exports are read in bounded memory: the rows of conversations still open
//! are held up to `ReadOptions::max_open_bytes`, and nothing else grows with the file but one
//! id per conversation. Measured by a global allocator that tracks the bytes live at the peak
//! (this file is its own test binary, so the allocator is its own too).

// A global allocator cannot be written without `unsafe`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};

use huashu::read::ReadOptions;

struct Peak;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(n: usize) {
    let live = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is passed on to the system allocator unchanged; the counters are atomics,
// which never allocate.
unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        grow(new_size);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Peak = Peak;

/// A CSV export generated as it is read, so that the test holds no copy of it: `rows` rows of
/// `per` turns per conversation. With `spread`, conversations interleave: row `i` belongs to
/// one of `spread` conversations open at a time.
struct Export {
    rows: usize,
    per: usize,
    spread: usize,
    next: usize,
    pending: Vec<u8>,
}

impl Export {
    fn new(rows: usize, per: usize, spread: usize) -> Export {
        Export {
            rows,
            per,
            spread,
            next: 0,
            pending: "会话ID,角色,内容,发送时间,队列\r\n".as_bytes().to_vec(),
        }
    }

    /// The bytes of the whole export.
    fn len(rows: usize, per: usize, spread: usize) -> usize {
        let mut export = Export::new(rows, per, spread);
        let mut total = 0;
        let mut buf = [0u8; 1 << 16];
        while let Ok(n) = export.read(&mut buf) {
            if n == 0 {
                break;
            }
            total += n;
        }
        total
    }
}

impl Read for Export {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pending.len() < buf.len() && self.next < self.rows {
            let i = self.next;
            // Rows of `spread` conversations alternate; each conversation has `per` turns.
            let block = i / (self.per * self.spread);
            let within = i % (self.per * self.spread);
            let conversation = block * self.spread + within % self.spread;
            let turn = within / self.spread;
            let (role, text) = if turn % 2 == 0 {
                ("客服", "您好，很高兴为您服务，请问有什么可以帮您？")
            } else {
                ("客户", "我想查一下我的订单什么时候到")
            };
            let row = format!(
                "S{conversation:07},{role},{text},2024-05-21 10:{:02}:{:02},售后\r\n",
                turn / 60 % 60,
                turn % 60
            );
            self.pending.extend_from_slice(row.as_bytes());
            self.next += 1;
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

/// Reads an export, keeping nothing of what it yields; returns the transcripts, the error
/// records, and the peak of live heap bytes while reading.
fn read(export: Export, options: &ReadOptions) -> (usize, usize, usize) {
    let (mut transcripts, mut errors) = (0, 0);
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    options.read_csv(export, b',', "export", |record| {
        match record.transcript {
            Ok(t) => {
                assert!(!t.turns.is_empty());
                transcripts += 1;
            }
            Err(_) => errors += 1,
        }
        true
    });
    let peak = PEAK.load(Ordering::Relaxed) - before;
    (transcripts, errors, peak)
}

#[test]
fn a_100000_row_export_is_read_in_bounded_memory() {
    const ROWS: usize = 100_000;
    const MIB: usize = 1 << 20;
    let size = Export::len(ROWS, 10, 1);
    assert!(size > 8 * MIB, "the export is {size} bytes");

    // Sorted by conversation, with 1 MiB of open rows allowed: every conversation is read,
    // and the peak stays a small part of the file.
    let options = ReadOptions {
        max_open_bytes: MIB,
        ..ReadOptions::default()
    };
    let (transcripts, errors, peak) = read(Export::new(ROWS, 10, 1), &options);
    assert_eq!((transcripts, errors), (ROWS / 10, 0));
    eprintln!("sorted: {size}-byte export, peak {peak} bytes");
    assert!(peak < 4 * MIB, "peak {peak} bytes for a {size}-byte export");

    // Unsorted: 50 conversations interleave at a time. They fit in the window, so each is
    // still whole, and the peak is as bounded.
    let (transcripts, errors, peak) = read(Export::new(ROWS, 10, 50), &options);
    assert_eq!((transcripts, errors), (ROWS / 10, 0));
    eprintln!("interleaved: peak {peak} bytes");
    assert!(
        peak < 4 * MIB,
        "peak {peak} bytes for an interleaved export"
    );

    // A window too small for the interleaving: conversations are scored early, and each of
    // their later rows is an error record. Nothing is merged silently or lost.
    let small = ReadOptions {
        max_open_bytes: 4 << 10,
        ..ReadOptions::default()
    };
    let (transcripts, errors, _) = read(Export::new(1000, 10, 100), &small);
    assert_eq!(transcripts, 100, "each conversation is scored once");
    assert!(errors > 0, "late rows are error records");
}
