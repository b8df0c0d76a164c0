//! Scoring a stream of transcripts on every core, with output in input order.
//!
//! Three stages joined by bounded channels, so that memory stays flat however large the
//! input is: one thread reads records (lines of JSON Lines, or whole text files) into
//! batches; a pool of scoring threads parses, checks and renders the batches, several side
//! by side, so that no thread waits for another to finish a batch; one thread writes the
//! rendered batches back in input order and keeps the totals. Only a few batches are in
//! flight at any time.

use std::any::Any;
use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::mem;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Mutex, PoisonError};
use std::thread;

use huashu::read::ReadOptions;
use huashu::{Checker, Source};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use super::input::{self, Item, Raw};
use super::tally::{RecordOutcome, Tally};
use crate::cli::{CheckArgs, Format};
use crate::render;

/// The largest batch: it is sent on when it holds this many records…
const BATCH_RECORDS: usize = 512;
/// …or this many bytes of input. The first batches are smaller: see `Batcher`.
const BATCH_BYTES: usize = 1 << 20;
/// The first batch is sent on with this many records…
const FIRST_BATCH_RECORDS: usize = 16;
/// …or this many bytes.
const FIRST_BATCH_BYTES: usize = 32 << 10;
/// Batches waiting between two stages.
const IN_FLIGHT: usize = 2;
/// The most scoring threads per core that `--threads` starts.
const MAX_THREADS_PER_CORE: usize = 8;

/// Records scored side by side within a batch come in runs of at most this many, and fewer
/// when a batch is too small to give every thread a run.
const RUN_RECORDS: usize = 32;

/// A run of records, scored and rendered: their output in one buffer, which the writer hands
/// to the kernel as it is, rather than a buffer per record that it copies.
struct Done {
    output: Vec<u8>,
    records: Vec<Scored>,
}

/// One record of a run.
struct Scored {
    /// Where the record's output ends in the run's buffer.
    end: usize,
    /// What goes to standard error: why a record could not be read.
    errors: Vec<u8>,
    outcome: RecordOutcome,
    input_len: usize,
}

/// Gathers the records read into batches for the scoring threads. The first batches are
/// small, so that scoring starts soon after reading does rather than once a megabyte is in,
/// and the first results come out sooner: the limits start at `FIRST_BATCH_RECORDS` and
/// `FIRST_BATCH_BYTES` and double with every batch sent, however it was sent (full, or
/// because standard input had nothing more), up to `BATCH_RECORDS` and `BATCH_BYTES`.
struct Batcher {
    batch: Vec<Raw>,
    bytes: usize,
    most_records: usize,
    most_bytes: usize,
}

impl Batcher {
    fn new() -> Batcher {
        Batcher {
            batch: Vec::new(),
            bytes: 0,
            most_records: FIRST_BATCH_RECORDS,
            most_bytes: FIRST_BATCH_BYTES,
        }
    }

    /// Adds a record; returns the batch to send when it is full, or when `idle` says that
    /// standard input has nothing more for now.
    fn push(&mut self, raw: Raw, idle: bool) -> Option<Vec<Raw>> {
        self.bytes += raw.len();
        self.batch.push(raw);
        if !idle && self.batch.len() < self.most_records && self.bytes < self.most_bytes {
            return None;
        }
        self.bytes = 0;
        self.most_records = (self.most_records * 2).min(BATCH_RECORDS);
        self.most_bytes = (self.most_bytes * 2).min(BATCH_BYTES);
        Some(mem::take(&mut self.batch))
    }

    /// What is left once the input ends.
    fn rest(self) -> Option<Vec<Raw>> {
        (!self.batch.is_empty()).then_some(self.batch)
    }
}

/// How the output looks.
#[derive(Clone, Copy)]
struct Style {
    format: Format,
    color: bool,
    detailed: bool,
    /// `--asr`: every transcript is a speech-recognition transcript.
    asr: bool,
    /// Colour on standard error.
    error_color: bool,
    /// `--table`, `--keep-fields` and `--quiet`.
    table: crate::cli::Table,
    fields: bool,
    /// `--turns`.
    turns: bool,
    /// `--compact`, `--ledger` and `--not-applicable`.
    compact: render::check_json::Compact,
    quiet: bool,
}

impl Style {
    /// Whether the output shows the ledger: human output does, and JSON does unless it is
    /// compact without `--ledger`.
    fn ledger(self) -> bool {
        match self.format {
            _ if self.quiet => false,
            Format::Human => true,
            Format::Json => !self.compact.on || self.compact.ledger,
            Format::Csv => false,
        }
    }
}

/// The threads that score: `--threads` of them, or one per core. The pack is compiled on
/// them too.
/// With the pool, a warning for `--threads` past the cap, for the caller to print once the
/// pack has compiled.
pub(crate) fn pool(args: &CheckArgs) -> io::Result<(rayon::ThreadPool, Option<String>)> {
    let cores = thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1);
    let mut warning = None;
    let threads = match args.threads {
        Some(n) if n > cores * MAX_THREADS_PER_CORE => {
            let cap = cores * MAX_THREADS_PER_CORE;
            warning = Some(format!(
                "warning: --threads {n} is more than {MAX_THREADS_PER_CORE} per core on this \
                 machine's {cores} cores; using {cap}"
            ));
            cap
        }
        Some(n) => n,
        None => cores,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("huashu-score-{i}"))
        .build()
        .map_err(io::Error::other)?;
    Ok((pool, warning))
}

/// Why a run stopped early.
pub(crate) enum Stopped {
    /// The reading or the writing thread could not start.
    Start(io::Error),
    /// The output could not be written (a closed pipe, a full disk).
    Write(io::Error),
}

/// Checks every input record on `pool` and writes the results to standard output, in input
/// order. Returns the totals, or why it stopped.
pub(crate) fn run(
    checker: &Checker,
    args: &CheckArgs,
    pool: &rayon::ThreadPool,
) -> Result<Tally, Stopped> {
    let stdout = io::stdout();
    let style = Style {
        format: args.format,
        color: args.color.enabled(&stdout),
        detailed: args.summary,
        asr: args.asr,
        error_color: args.color.enabled(&io::stderr()),
        table: args.table,
        fields: args.keep_fields,
        turns: args.turns,
        compact: render::check_json::Compact {
            on: args.compact,
            ledger: args.ledger,
            not_applicable: args.not_applicable,
        },
        quiet: args.quiet,
    };
    let options = args.read_options();
    let options = &options;
    let progress = progress_bar(args);

    let (raw_tx, raw_rx) = sync_channel::<Vec<Raw>>(IN_FLIGHT);
    // Batches are scored side by side, each as soon as a thread is free, and the writer puts
    // them back in order. A batch in flight holds a token until it is written, so that no
    // more than `in_flight` batches are read ahead of the output.
    let threads = pool.current_num_threads();
    let in_flight = threads + IN_FLIGHT;
    // A batch whose scoring panicked comes as `None`: the writer stops there, and the panic
    // is raised again on this thread once the others have stopped, as it would have been
    // had the batch been scored here.
    let (done_tx, done_rx) = sync_channel::<(usize, Option<Vec<Done>>)>(in_flight);
    let panicked: Mutex<Option<Box<dyn Any + Send>>> = Mutex::new(None);
    let panicked = &panicked;
    let (token_tx, token_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        let _ = token_tx.send(());
    }
    thread::scope(|s| {
        // Named, as the scoring threads are, for whoever profiles a run.
        thread::Builder::new()
            .name("huashu-read".into())
            .spawn_scoped(s, move || {
                let mut batcher = Batcher::new();
                input::read(&args.files, args.input, options, |raw, idle| {
                    let Some(batch) = batcher.push(raw, idle) else {
                        return true;
                    };
                    raw_tx.send(batch).is_ok()
                });
                if let Some(batch) = batcher.rest() {
                    let _ = raw_tx.send(batch);
                }
            })
            .map_err(Stopped::Start)?;
        let writer = {
            let progress = progress.clone();
            thread::Builder::new()
                .name("huashu-write".into())
                .spawn_scoped(s, move || {
                    write(checker, done_rx, token_tx, style, args, &progress)
                })
                .map_err(Stopped::Start)?
        };
        pool.in_place_scope(|scope| {
            for (seq, batch) in raw_rx.into_iter().enumerate() {
                if token_rx.recv().is_err() {
                    // The writer has stopped: dropping `raw_rx` stops the reader too.
                    break;
                }
                let done_tx = done_tx.clone();
                scope.spawn(move |_| {
                    let scored = panic::catch_unwind(AssertUnwindSafe(|| {
                        // Small batches (the first ones, and standard input flushed as
                        // records come) still go to every thread.
                        let run = batch.len().div_ceil(threads).clamp(1, RUN_RECORDS);
                        batch
                            .into_par_iter()
                            .chunks(run)
                            .map(|run| {
                                let mut output = Vec::new();
                                let records = run
                                    .into_iter()
                                    .map(|raw| process(checker, raw, options, style, &mut output))
                                    .collect();
                                Done { output, records }
                            })
                            .collect::<Vec<Done>>()
                    }));
                    let done = scored
                        .map_err(|payload| {
                            let mut first = panicked.lock().unwrap_or_else(PoisonError::into_inner);
                            first.get_or_insert(payload);
                        })
                        .ok();
                    // If the writer has stopped, the batch has nowhere to go.
                    let _ = done_tx.send((seq, done));
                });
            }
        });
        drop(done_tx);
        let result = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the output thread panicked")));
        let payload = panicked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(payload) = payload {
            progress.finish_and_clear();
            panic::resume_unwind(payload);
        }
        progress.finish_and_clear();
        result.map_err(Stopped::Write)
    })
}

/// Parses, checks and renders one record, appending its output to `output`.
fn process(
    checker: &Checker,
    raw: Raw,
    options: &ReadOptions,
    style: Style,
    output: &mut Vec<u8>,
) -> Scored {
    let input_len = raw.len();
    let mut item = raw.parse(options);
    if let (true, Item::Transcript { transcript, .. }) = (style.asr, &mut item) {
        transcript.source = Source::Asr;
    }
    let mut errors = Vec::new();
    // Writing to a Vec cannot fail.
    let outcome = match &item {
        Item::Transcript { transcript, .. } => {
            let report = if style.ledger() {
                checker.check(transcript)
            } else {
                checker.check_without_ledger(transcript)
            };
            let _ = match style.format {
                _ if style.quiet => Ok(()),
                Format::Json => {
                    render::check_json::report(output, &item, &report, style.turns, style.compact)
                }
                Format::Csv => render::check_csv::report(
                    output,
                    style.table,
                    checker,
                    &item,
                    &report,
                    style.fields,
                ),
                Format::Human => {
                    render::check_human::report(output, checker, &item, &report, style.color)
                }
            };
            RecordOutcome::of(transcript, &report, style.detailed)
        }
        Item::Error { .. } => {
            // Every error goes to standard error; JSON and the transcripts table also keep a
            // record of it in place, so that the output still has one entry per input record.
            let _ = render::check_human::error(&mut errors, &item, style.error_color);
            let _ = match style.format {
                _ if style.quiet => Ok(()),
                Format::Json => render::check_json::error(output, &item),
                Format::Csv => {
                    render::check_csv::error(output, style.table, checker, &item, style.fields)
                }
                Format::Human => Ok(()),
            };
            RecordOutcome::Error
        }
    };
    Scored {
        end: output.len(),
        errors,
        outcome,
        input_len,
    }
}

/// Writes the batches in order, then the totals.
fn write(
    checker: &Checker,
    batches: Receiver<(usize, Option<Vec<Done>>)>,
    tokens: SyncSender<()>,
    style: Style,
    args: &CheckArgs,
    progress: &ProgressBar,
) -> io::Result<Tally> {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut tally = Tally::default();
    if style.format == Format::Csv && !style.quiet {
        render::check_csv::header(&mut out, style.table, checker, style.fields, args.bom)?;
    }
    let stderr = io::stderr();
    // Batches that came before the one due next.
    let mut early = BTreeMap::new();
    let mut next = 0;
    for (seq, batch) in batches {
        early.insert(seq, batch);
        while let Some(batch) = early.remove(&next) {
            let Some(batch) = batch else {
                // Its scoring panicked: what follows it is not written.
                out.flush()?;
                return Err(io::Error::other("a scoring thread panicked"));
            };
            next += 1;
            for run in batch {
                // The run's output up to `written` is out; the record after `start` is next.
                let (mut written, mut start) = (0, 0);
                for record in run.records {
                    if !record.errors.is_empty() {
                        // Reports before the error reach the reader first.
                        out.write_all(&run.output[written..start])?;
                        written = start;
                        out.flush()?;
                        progress.suspend(|| stderr.lock().write_all(&record.errors))?;
                    }
                    start = record.end;
                    progress.inc(record.input_len as u64);
                    tally.add(record.outcome);
                }
                out.write_all(&run.output[written..])?;
            }
            // Whoever reads the output sees each batch as soon as it is scored.
            out.flush()?;
            progress.set_message(format!(
                "{} transcripts, {} errors",
                tally.transcripts, tally.errors
            ));
            // The batch is out: another may be read.
            let _ = tokens.send(());
        }
    }
    let scoring = checker.scoring();
    match style.format {
        Format::Human => {
            if args.summary {
                let summary = tally.summary(scoring.full_marks(), scoring.pass_mark());
                render::check_human::detailed_summary(&mut out, &summary, args.top, style.color)?;
            }
            render::check_human::summary(&mut out, &tally, scoring, style.color)?;
        }
        Format::Json => {
            if args.summary {
                let summary = tally.summary(scoring.full_marks(), scoring.pass_mark());
                render::check_json::summary(&mut out, &summary)?;
            }
        }
        // A table holds rows only; the totals go to standard error.
        Format::Csv => {
            let mut err = stderr.lock();
            if args.summary {
                let summary = tally.summary(scoring.full_marks(), scoring.pass_mark());
                render::check_human::detailed_summary(
                    &mut err,
                    &summary,
                    args.top,
                    style.error_color,
                )?;
            }
            render::check_human::summary(&mut err, &tally, scoring, style.error_color)?;
        }
    }
    out.flush()?;
    Ok(tally)
}

/// A bar over the input's bytes on standard error when it is a terminal; hidden otherwise.
fn progress_bar(args: &CheckArgs) -> ProgressBar {
    use std::io::IsTerminal;
    if args.no_progress || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match input::total_size(&args.files) {
        Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
            .with_style(
                ProgressStyle::with_template(
                    "{spinner} {elapsed_precise} [{bar:30}] {bytes}/{total_bytes} \
                     {bytes_per_sec} eta {eta} · {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            ),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template(
                "{spinner} {elapsed_precise} {bytes} {bytes_per_sec} · {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record of `len` bytes, as the reader hands it on.
    fn record(len: usize) -> Raw {
        let item = Item::Error {
            file: "in.jsonl".to_string(),
            line: None,
            column: None,
            message: String::new(),
        };
        Raw::Ready(item, len)
    }

    /// The sizes, in records, of the batches sent for `records` records of `len` bytes each,
    /// with standard input drained after the records whose index is in `idle`.
    fn sizes(records: usize, len: usize, idle: &[usize]) -> Vec<usize> {
        let mut batcher = Batcher::new();
        let mut sizes: Vec<usize> = (0..records)
            .filter_map(|i| batcher.push(record(len), idle.contains(&i)))
            .map(|batch| batch.len())
            .collect();
        sizes.extend(batcher.rest().map(|batch| batch.len()));
        sizes
    }

    #[test]
    fn batches_start_small_and_double_up_to_the_full_size() {
        // Small records: the record limit sends each batch on.
        assert_eq!(sizes(2000, 100, &[]), [16, 32, 64, 128, 256, 512, 512, 480]);
        // Records of 4 KiB: the byte limit does, from 8 records (32 KiB) up to 256 (1 MiB).
        assert_eq!(
            sizes(1000, 4 << 10, &[]),
            [8, 16, 32, 64, 128, 256, 256, 240]
        );
        // Every record is in exactly one batch, in order, whatever the sizes.
        assert_eq!(sizes(5, 100, &[]), [5]);
        assert_eq!(sizes(0, 100, &[]), Vec::<usize>::new());
    }

    #[test]
    fn drained_standard_input_sends_a_batch_at_once_and_the_limits_still_double() {
        // Input drained after the 3rd and 10th records: those batches go at once. Each batch
        // sent doubles the limits, however it was sent.
        assert_eq!(sizes(200, 100, &[2, 9]), [3, 7, 64, 126]);
    }
}
