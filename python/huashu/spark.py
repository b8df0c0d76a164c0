"""Scoring Spark DataFrames with huashu, on the executors, with the same engine and the same
numbers as the command line.

>>> from huashu import spark as hs
>>> results = hs.score(turns, id="call_id", role="speaker", text="utterance", time="ts")
>>> results.select("id", "score", "passed").show()
>>> findings = results.select("id", F.explode("findings").alias("f")).select("id", "f.*")

How it runs: the turns are shuffled so that each conversation's rows sit together in one
partition, in order (by ``order`` when given, else in the order the DataFrame had them), and
``mapInArrow`` hands each partition's Arrow batches to the Rust engine. A conversation never
straddles two calls: the rows of the last conversation of a batch wait for the next batch.
The checker is compiled once per Python worker process and reused for every batch it
scores. A custom pack crosses to the executors as TOML text, not as a path, so it needs no
shared file system.

The executors need the ``huashu`` wheel: install it on each node (the cluster's image,
bootstrap script or library settings), or ship a packed virtual environment with
``spark-submit --archives env.tar.gz#environment`` and ``PYSPARK_PYTHON=./environment/bin/python``.
``--py-files`` does not work for a compiled wheel. See ``examples/spark/README.md``.
"""

from __future__ import annotations

import os
import re
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from . import Checker, _builtin

#: The schema of :func:`score`'s result, in Spark's DDL: one row per conversation, with its
#: scorecard dimensions and findings as arrays of structs, as the JSON report has them.
SCHEMA = (
    "id string, agent string, channel string, turns int, score int, passed boolean, "
    "deducted int, not_scored string, error string, "
    "dimensions array<struct<name: string, max: int, deducted: int, subtotal: int>>, "
    "findings array<struct<rule: string, severity: string, deduct: int, turn: int, "
    "start: int, end: int, text: string, message: string, suggest: string, source: string, "
    "detail: string>>"
)

#: The column that keeps the DataFrame's own order of turns through the shuffle.
ROW = "__huashu_row"
#: The conversation key the rows are partitioned, sorted and cut by: the id as text, trimmed,
#: as the engine groups rows (`" c1"` and `"c1"` are one conversation).
KEY = "__huashu_key"

PackText = Tuple[str, str]

_CHECKERS: Dict[Tuple[PackText, ...], Checker] = {}


def pack_texts(packs: Union[None, str, "os.PathLike[str]", Sequence[Any]]) -> List[PackText]:
    """Reads pack files into ``(name, text)`` pairs, to cross to the executors as text. Each
    item is a path to a TOML file, or already a ``(name, text)`` pair."""
    if packs is None:
        return []
    if isinstance(packs, (str, os.PathLike)):
        packs = [packs]
    out: List[PackText] = []
    for pack in packs:
        if isinstance(pack, tuple):
            out.append((str(pack[0]), str(pack[1])))
            continue
        path = os.fspath(pack)
        if os.path.isdir(path):
            raise ValueError(
                f"{path} is a pack directory; a pack crosses to the executors as one TOML "
                "file: merge its files into one, or layer them as several files"
            )
        with open(path, encoding="utf-8") as f:
            text = f.read()
        extends = _EXTENDS.search(text)
        if extends and extends.group(1) not in Checker.builtin_names():
            raise ValueError(
                f"{path} extends {extends.group(1)!r}, a file, which the executors do not "
                "have: a pack shipped as text may extend only a built-in pack; leave out its "
                f"`extends` and pass packs=[{extends.group(1)!r}, {path!r}] to layer them"
            )
        out.append((os.path.basename(path), text))
    return out


# `extends = "…"` in a pack's [pack] table.
_EXTENDS = re.compile(r'^\s*extends\s*=\s*["\']([^"\']+)["\']', re.M)


def checker_for(packs: Sequence[PackText]) -> Checker:
    """The checker of these packs in this process, compiled on first use: on an executor,
    once per Python worker."""
    key = tuple(packs)
    checker = _CHECKERS.get(key)
    if checker is None:
        checker = Checker.from_texts(list(key)) if key else _builtin()
        _CHECKERS[key] = checker
    return checker


def score_batches(
    batches: Iterator[Any],
    packs: Sequence[PackText] = (),
    *,
    id: str = "id",
    role: str = "role",
    text: str = "text",
    time: Optional[str] = None,
    agent: Optional[str] = None,
    channel: Optional[str] = None,
    timezone: Optional[str] = None,
    time_unit: Optional[str] = None,
) -> Iterator[Any]:
    """Scores a stream of ``pyarrow.RecordBatch`` whose rows come grouped by conversation
    (each conversation's rows together, in order), as ``mapInArrow`` gives one partition of
    :func:`score`. Yields record batches of :data:`SCHEMA`. The rows of the last conversation
    of a batch are held back until the next batch, or the end, so that every conversation is
    scored whole."""
    import pyarrow as pa
    import pyarrow.compute as pc

    checker = checker_for(packs)

    def scored(table: "pa.Table") -> Iterator["pa.RecordBatch"]:
        # One thread: Spark runs a task per core already.
        native, _ = checker._native.score_arrow(
            table, id, role, text, time, agent, channel, timezone, time_unit, 1, True
        )
        yield from pa.table(native).to_batches()

    carry = None
    for batch in batches:
        table = pa.Table.from_batches([batch])
        if carry is not None:
            table = pa.concat_tables([carry, table])
        if table.num_rows == 0:
            continue
        # The rows of the last conversation wait for the next batch. Rows come sorted by the
        # key (the trimmed id as text, `KEY` when `score` made it), nulls first.
        keys = table.column(KEY) if KEY in table.column_names else table.column(id)
        last = keys[table.num_rows - 1]
        cut = pc.index(keys, last).as_py() if last.is_valid else 0
        cut = max(cut, 0)
        head, carry = table.slice(0, cut), table.slice(cut)
        if head.num_rows:
            yield from scored(head)
    if carry is not None and carry.num_rows:
        yield from scored(carry)


def score(
    turns: Any,
    id: str = "id",
    role: str = "role",
    text: str = "text",
    time: Optional[str] = None,
    agent: Optional[str] = None,
    channel: Optional[str] = None,
    *,
    order: Union[None, str, Sequence[str]] = None,
    packs: Union[None, str, "os.PathLike[str]", Sequence[Any]] = None,
    timezone: Optional[str] = None,
    time_unit: Optional[str] = None,
    partitions: Optional[int] = None,
) -> Any:
    """Scores a Spark DataFrame with one row per turn; returns a DataFrame of :data:`SCHEMA`,
    one row per conversation.

    ``order`` names the column(s) that put a conversation's turns in order (a turn number,
    or a time); without it, turns keep the order the DataFrame had them in. ``packs`` are
    TOML pack files (or ``(name, text)`` pairs), layered as ``--rules`` layers them (the
    first one's ``extends = "zh-CN"`` builds on the built-in pack); default: the built-in
    pack. They are read here, on the driver, and reach the executors as text.
    ``partitions`` sets how many partitions the conversations are spread over (default: the
    input's)."""
    from pyspark.sql import functions as F

    texts = pack_texts(packs)
    # Fail on the driver, with the pack's own located message, not in every task.
    checker_for(texts)
    columns = [c for c in (id, role, text, time, agent, channel) if c is not None]
    missing = [c for c in columns if c not in turns.columns]
    if missing:
        raise KeyError(
            f"the DataFrame has no column {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(repr, turns.columns))}"
        )
    keys = [] if order is None else [order] if isinstance(order, str) else list(order)
    rows = (
        turns.select(*dict.fromkeys(columns + keys))
        .withColumn(ROW, F.monotonically_increasing_id())
        .withColumn(KEY, F.trim(F.col(id).cast("string")))
    )
    count = partitions or turns.rdd.getNumPartitions()
    grouped = rows.repartition(count, KEY).sortWithinPartitions(KEY, *keys, ROW).drop(ROW)
    settings = dict(
        id=id,
        role=role,
        text=text,
        time=time,
        agent=agent,
        channel=channel,
        timezone=timezone,
        time_unit=time_unit,
    )

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        return score_batches(batches, texts, **settings)

    return grouped.mapInArrow(run, SCHEMA)
