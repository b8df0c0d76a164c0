import os
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Union

__version__: str
FINDING_COLUMNS: List[str]

Transcript = Union[str, bytes, Mapping[str, Any]]
PathLike = Union[str, os.PathLike[str]]

class PackError(Exception):
    """A rule pack that cannot be used: every problem, each with its file, line and column."""

class InputError(Exception):
    """A transcript that cannot be read: what is wrong, and where."""

class Checker:
    """A compiled rule pack. Immutable and safe to share between threads; build it once."""

    @classmethod
    def builtin(cls) -> Checker: ...
    @classmethod
    def from_path(cls, path: Union[PathLike, Sequence[PathLike]]) -> Checker: ...
    @classmethod
    def from_toml(cls, text: str, name: str = "pack.toml") -> Checker: ...
    @staticmethod
    def builtin_names() -> List[str]: ...
    @classmethod
    def from_texts(cls, packs: Sequence[tuple[str, str]]) -> Checker: ...
    def check(self, transcript: Transcript, turns: bool = False) -> dict[str, Any]: ...
    def check_message(self, role: str, text: str) -> List[dict[str, Any]]: ...
    def check_many(
        self,
        transcripts: Iterable[Transcript],
        threads: Optional[int] = None,
        turns: bool = False,
    ) -> List[dict[str, Any]]: ...
    def session(
        self, id: str = "live", channel: Optional[str] = None, agent: Optional[str] = None
    ) -> Session: ...
    def rules(self) -> List[dict[str, Any]]: ...

class Session:
    """A conversation in progress, from Checker.session."""

    def push(self, role: str, text: str, time: Optional[float] = None) -> dict[str, Any]: ...
    def preview(self, role: str, text: str, time: Optional[float] = None) -> dict[str, Any]: ...
    def pending(self) -> List[dict[str, Any]]: ...
    def finish(self) -> dict[str, Any]: ...

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
) -> tuple[Any, Any]: ...
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
) -> tuple[Any, Any]: ...
def report(
    results: Union[Iterable[Any], Mapping[str, Any], PathLike],
    path: Optional[PathLike] = None,
    *,
    title: Optional[str] = None,
    max_transcripts: int = 10_000,
    timezone: Optional[str] = None,
) -> str: ...
