"""The building blocks of the recipe schema: :class:`Field` (one recipe key) and :class:`RecipeError`.

Kept apart from :mod:`atomspin.batch.schema` so that the study steps (:mod:`atomspin.batch.steps`) can declare
their schema fragments without importing the schema they are part of.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

__all__ = ["Field", "RecipeError", "RecipeWarning"]


class RecipeWarning(UserWarning):
    """A legal but implausible recipe value (likely a unit slip): ``'<key.path>: <what looks wrong>'``."""


class RecipeError(ValueError):
    """Bad recipe: ``str(err)`` is one line, ``'<key.path>: <what is wrong>'``."""

    def __init__(self, path: str, message: str):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


@dataclass(frozen=True)
class Field:
    """One recipe key.

    kind: ``"float"``, ``"int"``, ``"bool"``, ``"str"``, ``"list[int]"``, ``"list[float]"``, ``"list[str]"``.
    lo/hi: inclusive bounds unless ``lo_open``/``hi_open``; ``lo_text``/``hi_text`` print them (``1/3``).
    choices: allowed values (for ``str`` and ``list[str]`` items). length: exact list length;
    min_len: minimum list length. usual: ``(lo, hi)`` of the values studies normally use; a value outside
    is accepted with a :class:`RecipeWarning` naming the key, the usual range and ``usual_hint`` (the unit
    slip it suggests). hash_neutral: a key added after databases were stored — left out of the task hash while
    it holds its default (:func:`atomspin.batch.tasks.task_hash`), so the stored tasks keep their identity.
    """

    kind: str
    default: Any
    doc: str
    lo: Optional[float] = None
    hi: Optional[float] = None
    lo_open: bool = False
    hi_open: bool = False
    choices: Optional[tuple] = None
    length: Optional[int] = None
    min_len: int = 0
    lo_text: Optional[str] = None
    hi_text: Optional[str] = None
    usual: Optional[tuple] = None
    usual_hint: str = ""
    hash_neutral: bool = False

    def range_text(self) -> str:
        lo = self.lo_text or _num(self.lo) if self.lo is not None else "-inf"
        hi = self.hi_text or _num(self.hi) if self.hi is not None else "inf"
        return f"{'(' if self.lo_open else '['}{lo}, {hi}{')' if self.hi_open else ']'}"


def _num(x) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x) if isinstance(x, float) else str(x)
