import os
from typing import Any, Iterator, List, Optional, Sequence, Tuple, Union

from . import Checker

SCHEMA: str
ROW: str
KEY: str
PackText = Tuple[str, str]

def pack_texts(packs: Union[None, str, os.PathLike[str], Sequence[Any]]) -> List[PackText]: ...
def checker_for(packs: Sequence[PackText]) -> Checker: ...
def score_batches(
    batches: Iterator[Any],
    packs: Sequence[PackText] = ...,
    *,
    id: str = "id",
    role: str = "role",
    text: str = "text",
    time: Optional[str] = None,
    agent: Optional[str] = None,
    channel: Optional[str] = None,
    timezone: Optional[str] = None,
    time_unit: Optional[str] = None,
) -> Iterator[Any]: ...
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
    packs: Union[None, str, os.PathLike[str], Sequence[Any]] = None,
    timezone: Optional[str] = None,
    time_unit: Optional[str] = None,
    partitions: Optional[int] = None,
) -> Any: ...
