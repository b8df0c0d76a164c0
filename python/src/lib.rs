//! The native part of the Python package `huashu`: a compiled checker, shared by every
//! thread, that checks transcripts and messages. Reports cross the boundary as JSON text in
//! the same shape as `huashu check --format json`; the Python layer (`huashu/__init__.py`)
//! turns them into dicts. `check_many` releases the GIL and checks on every core.

mod arrow;

use std::path::PathBuf;

use huashu::read::ReadOptions;
use huashu::{
    Channel, Checker as Engine, PackError as EnginePackError, Role, RulePack,
    Session as EngineSession, Turn,
};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use pyo3_arrow::input::AnyRecordBatch;
use rayon::prelude::*;

create_exception!(
    huashu,
    PackError,
    PyException,
    "A rule pack that cannot be used: every problem, each with its file, line and column."
);
create_exception!(
    huashu,
    InputError,
    PyException,
    "A transcript that cannot be read: what is wrong, and where."
);

fn pack_error(e: EnginePackError) -> PyErr {
    PackError::new_err(e.to_string())
}

/// A compiled rule pack: immutable, shared by threads, cheap to clone.
#[pyclass(frozen, module = "huashu._huashu")]
struct Checker {
    engine: Engine,
    options: ReadOptions,
}

#[pymethods]
impl Checker {
    /// The built-in zh-CN pack.
    #[staticmethod]
    fn builtin() -> PyResult<Checker> {
        let engine = Engine::builtin().map_err(pack_error)?;
        Ok(Checker {
            engine,
            options: ReadOptions::default(),
        })
    }

    /// Packs from files or directories, each layered on the one before, as the CLI's
    /// `--rules` layers them.
    #[staticmethod]
    fn from_paths(paths: Vec<PathBuf>) -> PyResult<Checker> {
        let mut iter = paths.iter();
        let mut pack = match iter.next() {
            Some(path) => RulePack::from_path(path).map_err(pack_error)?,
            None => RulePack::builtin().map_err(pack_error)?,
        };
        for path in iter {
            pack = pack.layer_path(path).map_err(pack_error)?;
        }
        let engine = Engine::new(&pack).map_err(pack_error)?;
        Ok(Checker {
            engine,
            options: ReadOptions::default(),
        })
    }

    /// A pack from TOML text, read as the CLI reads `--rules FILE`: with its `[pack]` table,
    /// and `extends = "zh-CN"` to build on the built-in pack. `name` is the file name its
    /// errors report.
    #[staticmethod]
    #[pyo3(signature = (text, name = "pack.toml"))]
    fn from_toml(text: &str, name: &str) -> PyResult<Checker> {
        let pack = RulePack::from_toml(name, text).map_err(pack_error)?;
        let engine = Engine::new(&pack).map_err(pack_error)?;
        Ok(Checker {
            engine,
            options: ReadOptions::default(),
        })
    }

    /// Packs from TOML texts, `(name, text)` each, layered in order as `from_paths` layers
    /// files: the first is read as `from_toml` reads it, each later one applied on top.
    #[staticmethod]
    fn from_texts(packs: Vec<(String, String)>) -> PyResult<Checker> {
        let mut iter = packs.iter();
        let mut pack = match iter.next() {
            Some((name, text)) => RulePack::from_toml(name, text).map_err(pack_error)?,
            None => RulePack::builtin().map_err(pack_error)?,
        };
        for (name, text) in iter {
            pack = pack.layer_toml(name, text).map_err(pack_error)?;
        }
        let engine = Engine::new(&pack).map_err(pack_error)?;
        Ok(Checker {
            engine,
            options: ReadOptions::default(),
        })
    }

    /// The names of the built-in packs (`zh-CN`).
    #[staticmethod]
    fn builtin_names() -> Vec<&'static str> {
        RulePack::builtin_names().collect()
    }

    /// Checks one transcript, given as JSON text (an object with `turns`, or a
    /// speech-recognition result); returns the report as JSON text.
    #[pyo3(signature = (text, turns = false))]
    fn check_json(&self, text: &str, turns: bool) -> PyResult<String> {
        check_one(&self.engine, &self.options, text, turns).map_err(InputError::new_err)
    }

    /// Checks one message of `role` (`agent`, 客服…); returns its findings as JSON text.
    fn check_message_json(&self, role: &str, text: &str) -> PyResult<String> {
        let role = Role::from_alias(role)
            .ok_or_else(|| PyValueError::new_err(format!("unknown role `{role}`")))?;
        let findings = self.engine.check_message(role, text);
        serde_json::to_string(&findings).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Checks many transcripts (JSON texts) on `threads` threads (every core by default),
    /// without the GIL; returns, in order, each report as JSON text, or for a record that
    /// cannot be read a JSON error record `{"index", "line", "column", "error"}`.
    #[pyo3(signature = (texts, threads = None, turns = false))]
    fn check_many_json(
        &self,
        py: Python<'_>,
        texts: Vec<String>,
        threads: Option<usize>,
        turns: bool,
    ) -> PyResult<Vec<String>> {
        let run = || {
            texts
                .par_iter()
                .enumerate()
                .map(|(i, text)| {
                    check_one(&self.engine, &self.options, text, turns)
                        .unwrap_or_else(|e| serde_json::json!({"index": i, "error": e}).to_string())
                })
                .collect::<Vec<String>>()
        };
        py.detach(|| on_threads(threads, run))
    }

    /// Scores a turn-per-row Arrow table (anything with `__arrow_c_stream__` or
    /// `__arrow_c_array__`): rows are grouped into transcripts by `id`, in the order each
    /// first appears, as `huashu check` groups a CSV export's rows. Returns the transcripts
    /// table and the findings table, or with `nested` one table whose `dimensions` and
    /// `findings` are lists of structs.
    #[pyo3(signature = (data, id, role, text, time = None, agent = None, channel = None,
                        timezone = None, time_unit = None, threads = None, nested = false))]
    #[allow(clippy::too_many_arguments)]
    fn score_arrow(
        &self,
        py: Python<'_>,
        data: AnyRecordBatch,
        id: String,
        role: String,
        text: String,
        time: Option<String>,
        agent: Option<String>,
        channel: Option<String>,
        timezone: Option<&str>,
        time_unit: Option<&str>,
        threads: Option<usize>,
        nested: bool,
    ) -> PyResult<(PyTable, Option<PyTable>)> {
        let mut options = self.options.clone();
        if let Some(tz) = timezone {
            options.timezone = huashu::read::parse_offset(tz).map_err(PyValueError::new_err)?;
        }
        if let Some(unit) = time_unit {
            options.time_unit = unit.parse().map_err(PyValueError::new_err)?;
        }
        let columns = arrow::Columns {
            id,
            role,
            text,
            time,
            agent,
            channel,
        };
        let reader = data.into_reader()?;
        let engine = &self.engine;
        let (transcripts, findings) = py.detach(|| {
            let reads = arrow::read(reader, &columns, &options).map_err(InputError::new_err)?;
            let results = on_threads(threads, || arrow::check(engine, &reads, !nested))?;
            arrow::tables(engine, &reads, &results, nested).map_err(PyValueError::new_err)
        })?;
        let table = |batch: arrow_array::RecordBatch| {
            let schema = batch.schema();
            PyTable::try_new(vec![batch], schema)
        };
        Ok((table(transcripts)?, findings.map(table).transpose()?))
    }

    /// A live session for one conversation: push each turn as it is said.
    #[pyo3(signature = (id = "live", channel = None, agent = None))]
    fn session(&self, id: &str, channel: Option<&str>, agent: Option<&str>) -> PyResult<Session> {
        let channel = channel
            .map(|c| c.parse::<Channel>().map_err(PyValueError::new_err))
            .transpose()?;
        let mut session = self.engine.session(id, channel);
        if let Some(agent) = agent {
            session.set_agent(agent);
        }
        Ok(Session {
            inner: Some(session),
        })
    }

    /// The rules of the pack, as JSON text: id, kind, severity, message and source.
    fn rules_json(&self) -> String {
        let rules: Vec<serde_json::Value> = self
            .engine
            .rules()
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id(),
                    "kind": r.kind().to_string(),
                    "severity": r.severity().to_string(),
                    "dimension": r.dimension(),
                    "message": r.message(),
                    "source": r.source(),
                })
            })
            .collect();
        serde_json::Value::Array(rules).to_string()
    }
}

/// A conversation in progress (see `Checker.session`).
#[pyclass(module = "huashu._huashu")]
struct Session {
    inner: Option<EngineSession>,
}

fn turn(role: &str, text: &str, time: Option<f64>) -> PyResult<Turn> {
    let role = Role::from_alias(role)
        .ok_or_else(|| PyValueError::new_err(format!("unknown role `{role}`")))?;
    Ok(Turn {
        role,
        text: text.to_string(),
        time,
    })
}

/// Runs `run` on every core, or on a pool of `threads`.
fn on_threads<T: Send>(threads: Option<usize>, run: impl FnOnce() -> T + Send) -> PyResult<T> {
    match threads {
        None => Ok(run()),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map(|pool| pool.install(run))
            .map_err(|e| PyValueError::new_err(e.to_string())),
    }
}

fn to_json(value: &impl serde::Serialize) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))
}

impl Session {
    fn live(&mut self) -> PyResult<&mut EngineSession> {
        self.inner
            .as_mut()
            .ok_or_else(|| PyValueError::new_err("the session is finished"))
    }
}

#[pymethods]
impl Session {
    /// Adds a turn; returns, as JSON text, the findings it made certain and what the agent
    /// still owes (`{"findings": […], "pending": […]}`).
    #[pyo3(signature = (role, text, time = None))]
    fn push_json(&mut self, role: &str, text: &str, time: Option<f64>) -> PyResult<String> {
        let turn = turn(role, text, time)?;
        to_json(&self.live()?.push(turn))
    }

    /// What pushing this turn would give, without pushing it: for checking a draft.
    #[pyo3(signature = (role, text, time = None))]
    fn preview_json(&mut self, role: &str, text: &str, time: Option<f64>) -> PyResult<String> {
        let turn = turn(role, text, time)?;
        to_json(&self.live()?.preview(turn))
    }

    /// What the agent still owes, as JSON text.
    fn pending_json(&mut self) -> PyResult<String> {
        to_json(&self.live()?.pending())
    }

    /// Ends the conversation; returns its report as JSON text.
    fn finish_json(&mut self) -> PyResult<String> {
        let session = self
            .inner
            .take()
            .ok_or_else(|| PyValueError::new_err("the session is finished"))?;
        to_json(&session.finish())
    }
}

/// A report with the input's own fields, serialized in one pass.
#[derive(serde::Serialize)]
struct WithFields<'a> {
    #[serde(flatten)]
    report: &'a huashu::Report,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    fields: &'a serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    turns: Option<&'a [Turn]>,
}

fn check_one(
    engine: &Engine,
    options: &ReadOptions,
    text: &str,
    turns: bool,
) -> Result<String, String> {
    let transcript = options
        .parse_json_record(text, 1, None)
        .map_err(|e| e.to_string())?;
    let report = engine.check(&transcript);
    serde_json::to_string(&WithFields {
        report: &report,
        fields: &transcript.metadata,
        turns: turns.then_some(transcript.turns.as_slice()),
    })
    .map_err(|e| e.to_string())
}

/// An HTML QA report being made (see `huashu.report`).
#[pyclass(module = "huashu._huashu")]
struct HtmlReport {
    inner: huashu::html::HtmlReport,
}

#[pymethods]
impl HtmlReport {
    #[new]
    #[pyo3(signature = (title = None, max_transcripts = huashu::html::DEFAULT_MAX_TRANSCRIPTS, timezone = None))]
    fn new(
        title: Option<String>,
        max_transcripts: usize,
        timezone: Option<&str>,
    ) -> PyResult<Self> {
        let defaults = huashu::html::Options::default();
        let timezone = match timezone {
            Some(tz) => huashu::read::parse_offset(tz).map_err(PyValueError::new_err)?,
            None => defaults.timezone,
        };
        Ok(HtmlReport {
            inner: huashu::html::HtmlReport::new(huashu::html::Options {
                title: title.unwrap_or(defaults.title),
                max_transcripts,
                timezone,
                generated: Some(jiff::Timestamp::now()),
                rules: std::collections::HashMap::new(),
            }),
        })
    }

    /// Adds one result (JSON text) from `name` at `line`; raises InputError for one that is
    /// not a result of `check`.
    fn add_json(&mut self, name: &str, line: usize, text: &str) -> PyResult<()> {
        self.inner
            .add_json(name, line, text)
            .map_err(|e| InputError::new_err(e.to_string()))
    }

    /// Adds every line of a JSON Lines file of results; raises InputError at the first line
    /// that is not one, or that is longer than `max_line` bytes.
    #[pyo3(signature = (path, max_line = 64 << 20))]
    fn add_file(&mut self, path: PathBuf, max_line: usize) -> PyResult<()> {
        use huashu::read::{RecordRead, read_record};
        let name = path.display().to_string();
        let file = std::fs::File::open(&path)
            .map_err(|e| InputError::new_err(format!("cannot read {name}: {e}")))?;
        let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
        let mut buf = Vec::new();
        let mut line = 0usize;
        loop {
            line += 1;
            let read = read_record(&mut reader, &mut buf, max_line)
                .map_err(|e| InputError::new_err(format!("cannot read {name}: {e}")))?;
            let problem = match read {
                RecordRead::End => return Ok(()),
                RecordRead::Line => match std::str::from_utf8(&buf) {
                    Ok(text) => {
                        self.add_json(&name, line, text)?;
                        continue;
                    }
                    Err(e) => format!("not UTF-8 (at byte {})", e.valid_up_to() + 1),
                },
                RecordRead::TooLong { len } => {
                    format!("the line is {len} bytes long, more than {max_line}")
                }
                RecordRead::Binary => "binary data, not JSON Lines".to_string(),
            };
            return Err(InputError::new_err(format!("{name}:{line}: {problem}")));
        }
    }

    /// How many transcripts were added, and how many of them carry their turns.
    fn counts(&self) -> (u64, u64) {
        (self.inner.transcripts(), self.inner.with_turns())
    }

    /// How many results (transcripts and unreadable records) were added.
    fn records(&self) -> u64 {
        self.inner.records()
    }

    /// The page, as text.
    fn html(&self) -> PyResult<String> {
        let mut out = Vec::new();
        self.inner
            .write(&mut out)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        String::from_utf8(out).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Writes the page to `path`.
    fn write(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| {
            let file = std::fs::File::create(&path)?;
            let mut out = std::io::BufWriter::new(file);
            self.inner.write(&mut out)?;
            std::io::Write::flush(&mut out)
        })
        .map_err(|e| {
            pyo3::exceptions::PyOSError::new_err(format!("cannot write {}: {e}", path.display()))
        })
    }
}

#[pymodule]
fn _huashu(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Checker>()?;
    m.add_class::<HtmlReport>()?;
    m.add_class::<Session>()?;
    m.add("PackError", m.py().get_type::<PackError>())?;
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
