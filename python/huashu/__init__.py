"""huashu (话术): checks what customer-service agents say and write against a service standard.

The same engine as the ``huashu`` command line, compiled into this package:

>>> import huashu
>>> checker = huashu.Checker.builtin()
>>> [f["rule"] for f in checker.check_message("agent", "这个我不知道")]
['forbidden.dont-know']

Reports are dicts in the shape of ``huashu check --format json``: ``id``, ``score``,
``passed``, ``findings`` (each with ``rule``, ``severity``, ``deduct``, ``turn``, ``start``,
``end``, ``text``, ``message``, ``suggest``, ``source``), ``dimensions``, ``ledger``…
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
from typing import Any, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

from . import _huashu
from ._huashu import InputError, PackError, __version__

__all__ = [
    "Checker",
    "Session",
    "PackError",
    "InputError",
    "score_frame",
    "score_arrow",
    "report",
    "FINDING_COLUMNS",
    "__version__",
]

Transcript = Union[str, bytes, Mapping[str, Any]]


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
PathLike = Union[str, "os.PathLike[str]"]


def _as_json(transcript: Transcript) -> str:
    if isinstance(transcript, str):
        return transcript
    if isinstance(transcript, bytes):
        return transcript.decode("utf-8")
    if isinstance(transcript, Mapping):
        return json.dumps(transcript, ensure_ascii=False, default=str)
    raise TypeError(
        "a transcript is a dict {'turns': [...]} or its JSON text, not "
        + type(transcript).__name__
    )


class Checker:
    """A compiled rule pack. Immutable and safe to share between threads; build it once."""

    __slots__ = ("_native",)

    def __init__(self, native: "_huashu.Checker") -> None:
        self._native = native

    @classmethod
    def builtin(cls) -> "Checker":
        """The built-in zh-CN pack."""
        return cls(_huashu.Checker.builtin())

    @classmethod
    def from_path(cls, path: Union[PathLike, Sequence[PathLike]]) -> "Checker":
        """A pack from a TOML file or a directory of them; several are layered in order, as
        the command line's repeated ``--rules`` layers them. Raises :class:`PackError`."""
        paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
        return cls(_huashu.Checker.from_paths([os.fspath(p) for p in paths]))

    @classmethod
    def from_toml(cls, text: str, name: str = "pack.toml") -> "Checker":
        """A pack from TOML text, read as ``huashu check --rules FILE`` reads a file: with its
        ``[pack]`` table, and ``extends = "zh-CN"`` to build on the built-in pack. ``name``
        is the file name that errors report. Raises :class:`PackError`."""
        return cls(_huashu.Checker.from_toml(text, name))

    @staticmethod
    def builtin_names() -> List[str]:
        """The names of the built-in packs, which a pack may ``extends``."""
        return list(_huashu.Checker.builtin_names())

    @classmethod
    def from_texts(cls, packs: Sequence[tuple]) -> "Checker":
        """Packs given as ``(name, text)`` pairs of TOML, layered in order as
        :meth:`from_path` layers files: how a pack travels where there is no shared file
        system (Spark executors). Raises :class:`PackError`."""
        return cls(_huashu.Checker.from_texts([(str(n), str(t)) for n, t in packs]))

    def check(self, transcript: Transcript, turns: bool = False) -> dict:
        """Checks one transcript (a dict with ``turns``, a speech-recognition result, or
        the JSON text of either) and returns its report; with ``turns``, the report carries
        the transcript's turns too, as ``huashu check --turns`` writes them, for
        :func:`report`. Raises :class:`InputError`."""
        return json.loads(self._native.check_json(_as_json(transcript), turns))

    def check_message(self, role: str, text: str) -> List[dict]:
        """Checks one message before it is sent; returns its findings."""
        return json.loads(self._native.check_message_json(role, text))

    def check_many(
        self,
        transcripts: Iterable[Transcript],
        threads: Optional[int] = None,
        turns: bool = False,
    ) -> List[dict]:
        """Checks many transcripts on every core (or ``threads``), without holding the GIL.
        Returns one dict per transcript, in order: its report, or for one that cannot be
        read ``{"index": i, "error": "line 1, column …: …"}``. With ``turns``, as
        :meth:`check`."""
        texts = [_as_json(t) for t in transcripts]
        reports = self._native.check_many_json(texts, threads, turns)
        # Reports are trees, never cycles: the cycle collector has nothing to find in them,
        # and running it while millions of objects are made halves the speed.
        with _no_cycle_collection():
            return [json.loads(r) for r in reports]

    def session(
        self, id: str = "live", channel: Optional[str] = None, agent: Optional[str] = None
    ) -> "Session":
        """A live session for one conversation (a chat in progress): push each turn as it
        is said, and get the findings it made certain and what the agent still owes."""
        return Session(self._native.session(id, channel, agent))

    def rules(self) -> List[dict]:
        """The pack's rules: ``id``, ``kind``, ``severity``, ``dimension``, ``message``,
        ``source``."""
        return json.loads(self._native.rules_json())

    def __repr__(self) -> str:
        return f"<huashu.Checker with {len(self.rules())} rules>"


class Session:
    """A conversation in progress, from :meth:`Checker.session`."""

    __slots__ = ("_native",)

    def __init__(self, native: "_huashu.Session") -> None:
        self._native = native

    def push(self, role: str, text: str, time: Optional[float] = None) -> dict:
        """Adds a turn. Returns ``{"findings": [...], "pending": [...]}``: the findings this
        turn made certain (each reported once), and what the agent still owes, with
        deadlines."""
        return json.loads(self._native.push_json(role, text, time))

    def preview(self, role: str, text: str, time: Optional[float] = None) -> dict:
        """What :meth:`push` would return for this turn, without adding it: for a draft."""
        return json.loads(self._native.preview_json(role, text, time))

    def pending(self) -> List[dict]:
        """What the agent still owes."""
        return json.loads(self._native.pending_json())

    def finish(self) -> dict:
        """Ends the conversation and returns its report, as :meth:`Checker.check` would."""
        return json.loads(self._native.finish_json())


FINDING_COLUMNS = [
    "id", "rule", "severity", "deduct", "turn", "start", "end", "text", "message",
    "suggest", "source", "detail",
]


def _pyarrow(native: Any) -> Any:
    """A pyarrow.Table of an Arrow table made in Rust, without a copy; the Rust object itself
    (which any Arrow library reads through ``__arrow_c_stream__``) when pyarrow is not
    installed."""
    try:
        import pyarrow as pa
    except ImportError:
        return native
    return pa.table(native)


def score_arrow(
    data: Any,
    id: str = "id",
    role: str = "role",
    text: str = "text",
    time: Optional[str] = None,
    agent: Optional[str] = None,
    channel: Optional[str] = None,
    *,
    checker: Optional[Checker] = None,
    timezone: Optional[str] = None,
    time_unit: Optional[str] = None,
    threads: Optional[int] = None,
) -> tuple:
    """Scores an Arrow table with one row per turn: a ``pyarrow.Table``, ``RecordBatch`` or
    ``RecordBatchReader``, or anything else that exports Arrow data (``__arrow_c_stream__``
    or ``__arrow_c_array__``: Polars, DuckDB, nanoarrow…).

    The columns are read in Rust, without a Python object per value. Rows are grouped into
    transcripts by ``id`` in the order each first appears, and each row is read as
    ``huashu check`` reads a row of a CSV export: roles by name or alias (客服, 用户…), times
    as seconds, epoch seconds or milliseconds, timestamps, or ``2024-05-21 10:00:00`` text at
    ``timezone`` (default ``+08:00``). A timestamp column with a time zone keeps it.

    Returns two ``pyarrow.Table``: one row per transcript (``id, agent, channel, turns,
    score, passed, findings, deducted``, a column per scorecard dimension, ``not_scored``,
    ``error``) and one row per finding (:data:`FINDING_COLUMNS`). A transcript that cannot
    be read has its reason in ``error``, with the row it is on. Raises :class:`InputError`
    for a column that is not there."""
    checker = checker or _builtin()
    if type(data).__module__.split(".")[0] == "polars":
        data = _polars_columns(data, [id, role, text, time, agent, channel])
    transcripts, findings = checker._native.score_arrow(
        data, id, role, text, time, agent, channel, timezone, time_unit, threads, False
    )
    return _pyarrow(transcripts), _pyarrow(findings)


def _polars_columns(frame: Any, columns: Sequence[Optional[str]]) -> Any:
    """The columns a Polars frame is scored by: a column of nulls alone (Polars' ``Null``
    type, which does not cross the Arrow C interface) as empty text."""
    import polars as pl

    wanted = [c for c in dict.fromkeys(columns) if c is not None and c in frame.columns]
    return frame.select(
        [pl.col(c).cast(pl.Utf8) if frame.schema[c] == pl.Null else pl.col(c) for c in wanted]
    )


_BUILTIN: Optional[Checker] = None


def _builtin() -> Checker:
    """The built-in pack, compiled once per process."""
    global _BUILTIN
    if _BUILTIN is None:
        _BUILTIN = Checker.builtin()
    return _BUILTIN


def score_frame(
    frame: Any,
    id: str = "id",
    role: str = "role",
    text: str = "text",
    time: Optional[str] = None,
    agent: Optional[str] = None,
    channel: Optional[str] = None,
    *,
    checker: Optional[Checker] = None,
    timezone: Optional[str] = None,
    time_unit: Optional[str] = None,
    threads: Optional[int] = None,
) -> tuple:
    """Scores a pandas or Polars frame with one row per turn, through :func:`score_arrow`,
    and returns its two tables as frames of the same library: one row per transcript and
    one row per finding. A pandas frame needs pyarrow to cross to Arrow."""
    wanted = [c for c in (id, role, text, time, agent, channel) if c is not None]
    missing = [c for c in wanted if c not in list(frame.columns)]
    if missing:
        raise KeyError(
            f"the frame has no column {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(repr, frame.columns))}"
        )
    module = type(frame).__module__.split(".")[0]
    if module == "polars":
        data = _polars_columns(frame, wanted)
    else:
        import pyarrow as pa

        data = pa.Table.from_pandas(frame[wanted], preserve_index=False)
    checker = checker or _builtin()
    transcripts, findings = checker._native.score_arrow(
        data, id, role, text, time, agent, channel, timezone, time_unit, threads, False
    )
    if module == "polars":
        import polars as pl

        return pl.DataFrame(transcripts), pl.DataFrame(findings)
    import pyarrow as pa

    return pa.table(transcripts).to_pandas(), pa.table(findings).to_pandas()


def report(
    results: Union[Iterable[Any], Mapping[str, Any], PathLike],
    path: Optional[PathLike] = None,
    *,
    title: Optional[str] = None,
    max_transcripts: int = 10_000,
    timezone: Optional[str] = None,
) -> str:
    """Writes the HTML QA report of ``huashu report`` to ``path``: one page that works
    offline, with the score distribution, pass rates per agent, findings per rule and per
    dimension, the trend over time, and a table of transcripts that open to their turns with
    every finding marked.

    ``results`` are reports of :meth:`Checker.check` or :meth:`Checker.check_many` (dicts,
    or their JSON text; one report or many), or JSON Lines files of ``huashu check --format
    json`` (paths, or directories of ``*.jsonl`` files), or a mix. Pass ``turns=True`` to
    ``check``/``check_many`` (``--turns`` on the command line) for the page to show each
    finding in its sentence. ``max_transcripts`` bounds the table (the charts count every
    transcript); ``timezone`` is the offset in which days begin (default ``+08:00``).

    Returns ``path``; without a ``path``, returns the page itself as text (for
    ``IPython.display.HTML``). Raises :class:`InputError` for an item that is not a result,
    or when there are no results at all."""
    native = _huashu.HtmlReport(title, max_transcripts, timezone)
    if isinstance(results, (Mapping, bytes)) or (
        isinstance(results, str) and results.lstrip().startswith("{")
    ):
        results = [results]
    elif isinstance(results, (str, os.PathLike)):
        results = [results]
    for n, item in enumerate(results, start=1):
        if isinstance(item, os.PathLike) or (
            isinstance(item, str) and not item.lstrip().startswith("{")
        ):
            for file in _result_files(os.fspath(item)):
                native.add_file(file)
        elif isinstance(item, (Mapping, bytes, str)):
            native.add_json("results", n, _as_json(item))
        else:
            raise TypeError(
                "a result is a report dict, its JSON text, or a path to JSON Lines, not "
                + type(item).__name__
            )
    if native.records() == 0:
        raise InputError("no results of `huashu check` to report on")
    if path is None:
        return native.html()
    if os.fspath(path) == "-":
        raise ValueError("report() writes to a file; leave out the path to get the page as text")
    native.write(os.fspath(path))
    return os.fspath(path)


def _result_files(path: str) -> List[str]:
    """A results file, or a directory's ``*.jsonl`` and ``*.ndjson`` files in path order."""
    if not os.path.isdir(path):
        return [path]
    found = sorted(
        os.path.join(root, name)
        for root, _, names in os.walk(path)
        for name in names
        if name.lower().endswith((".jsonl", ".ndjson"))
    )
    if not found:
        raise InputError(f"{path} holds no *.jsonl or *.ndjson file of `huashu check` results")
    return found
