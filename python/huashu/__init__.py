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

__all__ = ["Checker", "PackError", "InputError", "__version__"]

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

    def rules(self) -> List[dict]:
        """The pack's rules: ``id``, ``kind``, ``severity``, ``dimension``, ``message``,
        ``source``."""
        return json.loads(self._native.rules_json())

    def __repr__(self) -> str:
        return f"<huashu.Checker with {len(self.rules())} rules>"
