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

import json
import os
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Union

from . import _huashu
from ._huashu import InputError, PackError, __version__

__all__ = ["Checker", "Session", "PackError", "InputError", "score_frame", "__version__"]

Transcript = Union[str, bytes, Mapping[str, Any]]
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

    def check(self, transcript: Transcript) -> dict:
        """Checks one transcript (a dict with ``turns``, a speech-recognition result, or
        the JSON text of either) and returns its report. Raises :class:`InputError`."""
        return json.loads(self._native.check_json(_as_json(transcript)))

    def check_message(self, role: str, text: str) -> List[dict]:
        """Checks one message before it is sent; returns its findings."""
        return json.loads(self._native.check_message_json(role, text))

    def check_many(
        self, transcripts: Iterable[Transcript], threads: Optional[int] = None
    ) -> List[dict]:
        """Checks many transcripts on every core (or ``threads``), without holding the GIL.
        Returns one dict per transcript, in order: its report, or for one that cannot be
        read ``{"index": i, "error": "line 1, column …: …"}``."""
        texts = [_as_json(t) for t in transcripts]
        return [json.loads(r) for r in self._native.check_many_json(texts, threads)]

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


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _rows(frame: Any, columns: Sequence[Optional[str]]) -> List[tuple]:
    """The values of ``columns`` of a pandas or Polars frame, row by row."""
    wanted = [c for c in columns if c is not None]
    missing = [c for c in wanted if c not in list(frame.columns)]
    if missing:
        raise KeyError(
            f"the frame has no column {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(repr, frame.columns))}"
        )
    if hasattr(frame, "iter_rows"):  # Polars
        picked = frame.select(wanted).iter_rows()
    else:  # pandas
        picked = frame[wanted].itertuples(index=False, name=None)
    return [dict(zip(wanted, row)) for row in picked]


def _frame_like(frame: Any, records: List[dict], columns: List[str]) -> Any:
    """A frame of the same library as ``frame`` (pandas or Polars) with these columns."""
    module = type(frame).__module__.split(".")[0]
    if module == "polars":
        import polars as pl

        return pl.DataFrame(
            {c: [r.get(c) for r in records] for c in columns}, strict=False
        )
    import pandas as pd

    return pd.DataFrame.from_records(records, columns=columns)


def score_frame(
    frame: Any,
    id: str = "id",
    role: str = "role",
    text: str = "text",
    time: Optional[str] = None,
    checker: Optional[Checker] = None,
    threads: Optional[int] = None,
) -> tuple:
    """Scores a pandas or Polars frame with one row per turn: rows are grouped into
    transcripts by ``id``, in the order each first appears. Returns two frames of the same
    library: one row per transcript (``id, turns, score, passed, findings, deducted``, one
    column per scorecard dimension, ``not_scored``, ``error``) and one row per finding
    (``id, rule, severity, deduct, turn, start, end, text, message, suggest, source,
    detail``). Times may be seconds, timestamps, or ``2024-05-21 10:00:00`` strings."""
    checker = checker or Checker.builtin()
    groups: dict = {}
    for row in _rows(frame, [id, role, text, time]):
        key = row[id]
        if _is_missing(key):
            raise ValueError(f"a row has no {id!r}")
        turn = {"role": str(row[role]), "text": "" if _is_missing(row[text]) else str(row[text])}
        if time is not None and not _is_missing(row[time]):
            value = row[time]
            turn["time"] = value if isinstance(value, (int, float)) else str(value)
        groups.setdefault(str(key), []).append(turn)
    transcripts = [{"id": key, "turns": turns} for key, turns in groups.items()]
    reports = checker.check_many(transcripts, threads)
    dimensions: List[str] = []
    for report in reports:
        for d in report.get("dimensions", []):
            if d["name"] not in dimensions:
                dimensions.append(d["name"])
    scores, findings = [], []
    for transcript, report in zip(transcripts, reports):
        row = {"id": transcript["id"], "turns": len(transcript["turns"])}
        if "error" in report:
            row["error"] = report["error"]
            scores.append(row)
            continue
        row.update(
            score=report["score"],
            passed=report["passed"],
            findings=len(report["findings"]),
            deducted=sum(f["deduct"] for f in report["findings"]),
            not_scored=report["not_scored"],
        )
        for d in report["dimensions"]:
            row[d["name"]] = d["subtotal"]
        scores.append(row)
        for f in report["findings"]:
            evidence = f.get("evidence") or {}
            findings.append(
                {**{c: f.get(c) for c in FINDING_COLUMNS}, "id": transcript["id"],
                 "detail": evidence.get("detail")}
            )
    transcript_columns = (
        ["id", "turns", "score", "passed", "findings", "deducted"]
        + dimensions
        + ["not_scored", "error"]
    )
    return (
        _frame_like(frame, scores, transcript_columns),
        _frame_like(frame, findings, FINDING_COLUMNS),
    )
