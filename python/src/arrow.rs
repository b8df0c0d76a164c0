//! The Arrow path: a turn-per-row Arrow table (pyarrow, Polars, pandas through pyarrow, a
//! Spark partition) is read column by column in Rust, grouped into transcripts exactly as
//! `huashu check` groups the rows of a CSV export, checked on every core without the GIL, and
//! returned as Arrow tables built in Rust. No value crosses as a Python object.

use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, BooleanBuilder, Int32Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    DurationMicrosecondType, DurationMillisecondType, DurationNanosecondType, DurationSecondType,
};
use arrow_array::{Array, ArrayRef, ListArray, RecordBatch, RecordBatchReader, StructArray};
use arrow_buffer::{OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Fields, Schema, TimeUnit};
use huashu::read::table::{Grouper, Row};
use huashu::read::{ReadOptions, Record};
use huashu::{Checker, Report};
use rayon::prelude::*;

/// Which columns of the input hold each field of a turn.
pub(crate) struct Columns {
    pub(crate) id: String,
    pub(crate) role: String,
    pub(crate) text: String,
    pub(crate) time: Option<String>,
    pub(crate) agent: Option<String>,
    pub(crate) channel: Option<String>,
}

/// One column of text, whatever string type the producer chose.
enum Strings {
    Utf8(arrow_array::StringArray),
    Large(arrow_array::LargeStringArray),
    View(arrow_array::StringViewArray),
}

impl Strings {
    fn get(&self, i: usize) -> Option<&str> {
        match self {
            Strings::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// What a column holds, for how its values are written as text.
#[derive(Clone, Copy)]
enum Kind {
    /// Text as it is: the role and what was said.
    Text,
    /// A name (id, agent, channel): a whole number held as a float (pandas turns an integer
    /// column with a blank cell into floats) is written as the integer it is, `1024`, not
    /// `1024.0`.
    Label,
    /// The time, read afterwards in this unit when it is a bare number.
    Time(huashu::read::TimeUnit),
}

/// A column as text, as a CSV export would have it: strings as they are, numbers in decimal,
/// timestamps in RFC 3339 (in UTC when the column has a time zone; without an offset, to be
/// read at the reader's time zone, when it has none), durations in the time unit the reader
/// expects. Times are then read by the same rules as a CSV export's time column, and a value
/// that cannot be a time fails its own row, not the table.
fn strings(name: &str, array: &ArrayRef, kind: Kind) -> Result<Strings, String> {
    let cast = |array: &dyn Array| {
        arrow_cast::cast(array, &DataType::Utf8).map_err(|e| {
            format!(
                "column `{name}` has the type {}, which cannot be read as text: {e}",
                array.data_type()
            )
        })
    };
    Ok(match array.data_type() {
        DataType::Utf8 => Strings::Utf8(array.as_string::<i32>().clone()),
        DataType::LargeUtf8 => Strings::Large(array.as_string::<i64>().clone()),
        DataType::Utf8View => Strings::View(array.as_string_view().clone()),
        DataType::Duration(unit) => {
            // A duration carries its unit: write it in the one the reader expects.
            let per_second = match kind {
                Kind::Time(huashu::read::TimeUnit::Milliseconds) => 1e3,
                _ => 1.0,
            };
            let values: Vec<Option<String>> = match unit {
                TimeUnit::Second => durations::<DurationSecondType>(array, 1.0 / per_second),
                TimeUnit::Millisecond => {
                    durations::<DurationMillisecondType>(array, 1e3 / per_second)
                }
                TimeUnit::Microsecond => {
                    durations::<DurationMicrosecondType>(array, 1e6 / per_second)
                }
                TimeUnit::Nanosecond => {
                    durations::<DurationNanosecondType>(array, 1e9 / per_second)
                }
            };
            Strings::Utf8(values.into_iter().collect())
        }
        DataType::Timestamp(unit, zone) => {
            let raw = arrow_cast::cast(array.as_ref(), &DataType::Int64)
                .map_err(|e| format!("column `{name}` has timestamps that cannot be read: {e}"))?;
            let raw = raw.as_primitive::<arrow_array::types::Int64Type>();
            Strings::Utf8(
                raw.iter()
                    .map(|v| v.map(|v| timestamp(v, *unit, zone.is_some())))
                    .collect(),
            )
        }
        DataType::Float16 | DataType::Float32 | DataType::Float64
            if matches!(kind, Kind::Label) =>
        {
            let floats = arrow_cast::cast(array.as_ref(), &DataType::Float64)
                .map_err(|e| format!("column `{name}` cannot be read: {e}"))?;
            let floats = floats.as_primitive::<arrow_array::types::Float64Type>();
            Strings::Utf8(
                floats
                    .iter()
                    .map(|v| {
                        v.map(|v| {
                            if v.fract() == 0.0 && v.abs() < 9.0e15 {
                                format!("{}", v as i64)
                            } else {
                                v.to_string()
                            }
                        })
                    })
                    .collect(),
            )
        }
        _ => Strings::Utf8(cast(array.as_ref())?.as_string::<i32>().clone()),
    })
}

/// One timestamp as RFC 3339: with `Z` for a column with a time zone (an instant), without
/// an offset for one without (a wall-clock time). One out of range says so, in words the
/// time reader then reports for its row.
fn timestamp(value: i64, unit: TimeUnit, zoned: bool) -> String {
    let at = match unit {
        TimeUnit::Second => jiff::Timestamp::from_second(value),
        TimeUnit::Millisecond => jiff::Timestamp::from_millisecond(value),
        TimeUnit::Microsecond => jiff::Timestamp::from_microsecond(value),
        TimeUnit::Nanosecond => Ok(jiff::Timestamp::from_nanosecond(i128::from(value))
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)),
    };
    let unit_name = match unit {
        TimeUnit::Second => "s",
        TimeUnit::Millisecond => "ms",
        TimeUnit::Microsecond => "µs",
        TimeUnit::Nanosecond => "ns",
    };
    match at {
        Ok(at) if zoned => at.to_string(),
        Ok(at) => at.to_zoned(jiff::tz::TimeZone::UTC).datetime().to_string(),
        Err(_) => format!("timestamp {value} {unit_name}, out of range"),
    }
}

fn durations<T: arrow_array::ArrowPrimitiveType<Native = i64>>(
    array: &ArrayRef,
    per_unit: f64,
) -> Vec<Option<String>> {
    array
        .as_primitive::<T>()
        .iter()
        .map(|v| v.map(|v| (v as f64 / per_unit).to_string()))
        .collect()
}

fn position(schema: &Schema, name: &str, what: &str) -> Result<usize, String> {
    schema.index_of(name).map_err(|_| {
        let names: Vec<String> = schema
            .fields()
            .iter()
            .map(|f| format!("`{}`", f.name()))
            .collect();
        format!(
            "the table has no column `{name}` for the {what}; it has {}",
            if names.is_empty() {
                "no columns".to_string()
            } else {
                names.join(", ")
            }
        )
    })
}

/// One transcript read from the rows: its record, and its id (kept for an error record,
/// whose transcript is gone).
pub(crate) struct Read {
    pub(crate) id: Option<String>,
    pub(crate) record: Record,
}

/// Reads every batch into transcripts, grouped by id in the order each first appears.
pub(crate) fn read(
    reader: Box<dyn RecordBatchReader + Send>,
    columns: &Columns,
    options: &ReadOptions,
) -> Result<Vec<Read>, String> {
    let schema = reader.schema();
    let id_at = position(&schema, &columns.id, "conversation id")?;
    let role_at = position(&schema, &columns.role, "role")?;
    let text_at = position(&schema, &columns.text, "text")?;
    let optional = |name: &Option<String>, what: &str| {
        name.as_deref()
            .map(|n| position(&schema, n, what))
            .transpose()
    };
    let time_at = optional(&columns.time, "time")?;
    let agent_at = optional(&columns.agent, "agent")?;
    let channel_at = optional(&columns.channel, "channel")?;

    let mut grouper = Grouper::new(options, "");
    let mut records = Vec::new();
    // Each batch's ids and first row number: an error record holds a row number, not an id.
    let mut id_columns: Vec<(usize, Strings)> = Vec::new();
    let mut rows = 0usize;
    for batch in reader {
        let batch = batch.map_err(|e| format!("the table cannot be read: {e}"))?;
        let column = |at: usize, kind| strings(schema.field(at).name(), batch.column(at), kind);
        let ids = column(id_at, Kind::Label)?;
        let roles = column(role_at, Kind::Text)?;
        let texts = column(text_at, Kind::Text)?;
        let times = time_at
            .map(|at| column(at, Kind::Time(options.time_unit)))
            .transpose()?;
        let agents = agent_at.map(|at| column(at, Kind::Label)).transpose()?;
        let channels = channel_at.map(|at| column(at, Kind::Label)).transpose()?;
        for i in 0..batch.num_rows() {
            let row = Row {
                line: rows + i + 1,
                id: Some(ids.get(i).unwrap_or("")),
                role: roles.get(i).unwrap_or(""),
                text: texts.get(i).unwrap_or(""),
                time: times.as_ref().and_then(|t| t.get(i)),
                agent: agents.as_ref().and_then(|a| a.get(i)),
                channel: channels.as_ref().and_then(|c| c.get(i)),
                extra: Vec::new(),
            };
            records.extend(grouper.push(row));
        }
        id_columns.push((rows, ids));
        rows += batch.num_rows();
    }
    records.extend(grouper.finish());
    let id_of_row = |line: usize| {
        let batch = id_columns.partition_point(|(first, _)| *first < line) - 1;
        let (first, ids) = &id_columns[batch];
        ids.get(line - 1 - first)
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_string)
    };
    Ok(records
        .into_iter()
        .map(|record| Read {
            id: match &record.transcript {
                Ok(t) => Some(t.id.clone()),
                Err(_) => id_of_row(record.line),
            },
            record,
        })
        .collect())
}

/// Checks every transcript on the current rayon pool. An error names its row counted from
/// 0, as pandas and pyarrow count them; with `rows` false (a Spark partition, whose row
/// numbers mean nothing to its user) it names none.
pub(crate) fn check(checker: &Checker, reads: &[Read], rows: bool) -> Vec<Result<Report, String>> {
    reads
        .par_iter()
        .map(|read| match &read.record.transcript {
            Ok(t) => Ok(checker.check(t)),
            Err(e) if rows => Err(format!("row {} (from 0): {}", e.line() - 1, e.message())),
            Err(e) => Err(e.message().to_string()),
        })
        .collect()
}

fn utf8(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

fn int32(name: &str) -> Field {
    Field::new(name, DataType::Int32, true)
}

fn as_i32(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The fields of a finding row, after its transcript's id.
fn finding_fields() -> Fields {
    Fields::from(vec![
        utf8("rule"),
        utf8("severity"),
        int32("deduct"),
        int32("turn"),
        int32("start"),
        int32("end"),
        utf8("text"),
        utf8("message"),
        utf8("suggest"),
        utf8("source"),
        utf8("detail"),
    ])
}

fn dimension_fields() -> Fields {
    Fields::from(vec![
        utf8("name"),
        int32("max"),
        int32("deducted"),
        int32("subtotal"),
    ])
}

/// Column builders for findings, one row per finding.
#[derive(Default)]
struct FindingColumns {
    id: StringBuilder,
    rule: StringBuilder,
    severity: StringBuilder,
    deduct: Int32Builder,
    turn: Int32Builder,
    start: Int32Builder,
    end: Int32Builder,
    text: StringBuilder,
    message: StringBuilder,
    suggest: StringBuilder,
    source: StringBuilder,
    detail: StringBuilder,
    /// Where each transcript's findings start, for the nested form.
    offsets: Vec<i32>,
}

impl FindingColumns {
    fn push(&mut self, id: &str, report: &Report) {
        for f in &report.findings {
            self.id.append_value(id);
            self.rule.append_value(&*f.rule);
            self.severity.append_value(f.severity.to_string());
            self.deduct.append_value(as_i32(f.deduct as usize));
            self.turn.append_option(f.turn.map(as_i32));
            self.start.append_option(f.start.map(as_i32));
            self.end.append_option(f.end.map(as_i32));
            self.text.append_option(f.text.as_deref());
            self.message.append_value(&*f.message);
            self.suggest.append_option(f.suggest.as_deref());
            self.source.append_option(f.source.as_deref());
            self.detail
                .append_option(f.evidence.as_ref().map(|e| e.detail.as_str()));
        }
    }

    /// The finding columns without the id, in the order of [`finding_fields`].
    fn arrays(&mut self) -> Vec<ArrayRef> {
        vec![
            Arc::new(self.rule.finish()),
            Arc::new(self.severity.finish()),
            Arc::new(self.deduct.finish()),
            Arc::new(self.turn.finish()),
            Arc::new(self.start.finish()),
            Arc::new(self.end.finish()),
            Arc::new(self.text.finish()),
            Arc::new(self.message.finish()),
            Arc::new(self.suggest.finish()),
            Arc::new(self.source.finish()),
            Arc::new(self.detail.finish()),
        ]
    }
}

/// Rows per transcript in `reads`, and its findings: either two flat tables (transcripts with
/// a column per scorecard dimension, findings with the transcript's id), or, `nested`, one
/// table whose `dimensions` and `findings` columns are lists of structs, as the JSON report
/// has them.
pub(crate) fn tables(
    checker: &Checker,
    reads: &[Read],
    results: &[Result<Report, String>],
    nested: bool,
) -> Result<(RecordBatch, Option<RecordBatch>), String> {
    let dimensions: Vec<String> = checker
        .scoring()
        .dimensions()
        .iter()
        .map(|d| d.name().to_string())
        .collect();
    let mut id = StringBuilder::new();
    let mut agent = StringBuilder::new();
    let mut channel = StringBuilder::new();
    let mut turns = Int32Builder::new();
    let mut score = Int32Builder::new();
    let mut passed = BooleanBuilder::new();
    let mut finding_count = Int32Builder::new();
    let mut deducted = Int32Builder::new();
    let mut subtotals: Vec<Int32Builder> = dimensions.iter().map(|_| Int32Builder::new()).collect();
    let mut dim = (
        StringBuilder::new(),
        Int32Builder::new(),
        Int32Builder::new(),
        Int32Builder::new(),
    );
    let mut dim_offsets = vec![0i32];
    let mut not_scored = StringBuilder::new();
    let mut error = StringBuilder::new();
    let mut findings = FindingColumns {
        offsets: vec![0],
        ..FindingColumns::default()
    };

    for (read, result) in reads.iter().zip(results) {
        let key = read.id.as_deref();
        id.append_option(key);
        match result {
            Ok(report) => {
                let t = read.record.transcript.as_ref().map_err(|e| e.to_string())?;
                agent.append_option(report.agent.as_deref());
                channel.append_option(report.channel.map(|c| c.as_str()));
                turns.append_value(as_i32(t.turns.len()));
                score.append_option(report.score.map(|s| as_i32(s as usize)));
                passed.append_option(report.passed);
                finding_count.append_value(as_i32(report.findings.len()));
                deducted.append_value(as_i32(
                    report.findings.iter().map(|f| f.deduct as usize).sum(),
                ));
                for (name, column) in dimensions.iter().zip(&mut subtotals) {
                    let d = report.dimensions.iter().find(|d| &d.name == name);
                    column.append_option(d.map(|d| as_i32(d.subtotal as usize)));
                }
                for d in &report.dimensions {
                    dim.0.append_value(&d.name);
                    dim.1.append_value(as_i32(d.max as usize));
                    dim.2.append_value(as_i32(d.deducted as usize));
                    dim.3.append_value(as_i32(d.subtotal as usize));
                }
                not_scored.append_option(report.not_scored.as_deref());
                error.append_null();
                findings.push(key.unwrap_or(""), report);
            }
            Err(message) => {
                agent.append_null();
                channel.append_null();
                turns.append_null();
                score.append_null();
                passed.append_null();
                finding_count.append_null();
                deducted.append_null();
                for column in &mut subtotals {
                    column.append_null();
                }
                not_scored.append_null();
                error.append_value(message);
            }
        }
        dim_offsets.push(as_i32(dim.0.len()));
        findings.offsets.push(as_i32(findings.rule.len()));
    }

    let mut fields = vec![
        utf8("id"),
        utf8("agent"),
        utf8("channel"),
        int32("turns"),
        int32("score"),
        Field::new("passed", DataType::Boolean, true),
    ];
    let mut arrays: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(agent.finish()),
        Arc::new(channel.finish()),
        Arc::new(turns.finish()),
        Arc::new(score.finish()),
        Arc::new(passed.finish()),
    ];
    if nested {
        fields.push(int32("deducted"));
        arrays.push(Arc::new(deducted.finish()));
        fields.push(utf8("not_scored"));
        arrays.push(Arc::new(not_scored.finish()));
        fields.push(utf8("error"));
        arrays.push(Arc::new(error.finish()));
        let dim_struct = StructArray::try_new(
            dimension_fields(),
            vec![
                Arc::new(dim.0.finish()),
                Arc::new(dim.1.finish()),
                Arc::new(dim.2.finish()),
                Arc::new(dim.3.finish()),
            ],
            None,
        )
        .map_err(|e| e.to_string())?;
        let (list, field) = list_of(dim_struct, dim_offsets, "dimensions")?;
        fields.push(field);
        arrays.push(list);
        let finding_struct = StructArray::try_new(finding_fields(), findings.arrays(), None)
            .map_err(|e| e.to_string())?;
        let offsets = std::mem::take(&mut findings.offsets);
        let (list, field) = list_of(finding_struct, offsets, "findings")?;
        fields.push(field);
        arrays.push(list);
    } else {
        fields.push(int32("findings"));
        arrays.push(Arc::new(finding_count.finish()));
        fields.push(int32("deducted"));
        arrays.push(Arc::new(deducted.finish()));
        for (name, mut column) in dimensions.iter().zip(subtotals) {
            fields.push(int32(name));
            arrays.push(Arc::new(column.finish()));
        }
        fields.push(utf8("not_scored"));
        arrays.push(Arc::new(not_scored.finish()));
        fields.push(utf8("error"));
        arrays.push(Arc::new(error.finish()));
    }
    let transcripts =
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| e.to_string())?;
    if nested {
        return Ok((transcripts, None));
    }
    let mut finding_schema = vec![utf8("id")];
    finding_schema.extend(finding_fields().iter().map(|f| f.as_ref().clone()));
    let mut finding_arrays: Vec<ArrayRef> = vec![Arc::new(findings.id.finish())];
    finding_arrays.extend(findings.arrays());
    let findings = RecordBatch::try_new(Arc::new(Schema::new(finding_schema)), finding_arrays)
        .map_err(|e| e.to_string())?;
    Ok((transcripts, Some(findings)))
}

fn list_of(
    values: StructArray,
    offsets: Vec<i32>,
    name: &str,
) -> Result<(ArrayRef, Field), String> {
    let item = Arc::new(Field::new("element", values.data_type().clone(), false));
    let list = ListArray::try_new(
        item.clone(),
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        Arc::new(values),
        None,
    )
    .map_err(|e| e.to_string())?;
    Ok((Arc::new(list), Field::new(name, DataType::List(item), true)))
}
