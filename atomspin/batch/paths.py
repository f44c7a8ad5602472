"""File names made from user text (study, variant and step names) and paths kept inside a folder."""
from __future__ import annotations

import re
from pathlib import Path

__all__ = ["safe_filename", "inside"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def safe_filename(text, fallback: str = "study", max_len: int = 80) -> str:
    """A file-name component made from ``text``: letters, digits, ``-`` and ``_`` only (every other run of
    characters, path separators and dots included, becomes one ``_``), no leading ``-`` or ``_``, at most
    ``max_len`` characters; ``fallback`` when nothing is left.

    >>> safe_filename("../../../outside/pwn")
    'outside_pwn'
    """
    s = _UNSAFE.sub("_", str(text)).strip("_-")[:max_len].strip("_-")
    return s or fallback


def inside(folder, path) -> Path:
    """``path`` (relative to ``folder`` unless absolute) resolved, symbolic links followed; a
    ``ValueError`` when it lies outside ``folder``."""
    base = Path(folder).resolve()
    p = Path(path)
    full = (p if p.is_absolute() else base / p).resolve()
    if full != base and base not in full.parents:
        raise ValueError(f"{str(path)!r} lies outside {str(base)!r}")
    return full
