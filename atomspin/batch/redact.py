"""Masking secrets in database URLs and in any text that may quote one (messages, reports).

A server URL may carry a password in three places: ``scheme://user:PASSWORD@host/db``, a ``?password=``
query parameter (libpq also reads ``sslpassword``), and, for URLs typed by hand, a password holding
``/``, ``#``, ``?`` or ``@`` that a strict URL parser would read as path, fragment or host. The masker
therefore takes the *last* ``@`` before the host as the end of the user part (everything after the first
``:`` of it is masked) and masks every password-like query parameter; when psycopg2 is installed, the
password that libpq itself would use (``psycopg2.extensions.parse_dsn``) is masked too wherever it still
appears. Masking may hide more than the password of an odd URL, never less.
"""
from __future__ import annotations

import re

__all__ = ["mask_url", "mask_secrets", "database_name"]

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_QUERY_SECRET = re.compile(r"(?i)(\b(?:password|passwd|pwd|sslpassword|pass)\s*=\s*)('[^']*'|[^&#\s]+)")
_MASK = "***"


def _libpq_password(url: str):
    """The password libpq would take from ``url`` (None without psycopg2 or when there is none)."""
    try:
        from psycopg2.extensions import parse_dsn
    except Exception:  # noqa: BLE001 - psycopg2 not installed: the textual masking stands alone
        return None
    try:
        return parse_dsn(url).get("password") or None
    except Exception:  # noqa: BLE001 - libpq refuses the URL: nothing more to learn from it
        return None


def mask_url(url) -> str:
    """``url`` with every password replaced by ``***``; a file path is returned unchanged.

    Examples
    --------
    >>> mask_url("postgresql://me:s/e#c@r%40t@db.example:5432/sweeps?sslmode=require")
    'postgresql://me:***@db.example:5432/sweeps?sslmode=require'
    >>> mask_url("postgresql://me@db/sweeps?password=secret")
    'postgresql://me@db/sweeps?password=***'
    """
    s = str(url)
    if "://" not in s:
        return s
    scheme, rest = s.split("://", 1)
    host_start = 0
    if "@" in rest:
        userinfo, hostpart = rest.rsplit("@", 1)
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":" + _MASK
        rest = f"{userinfo}@{hostpart}"
        host_start = len(userinfo) + 1
    rest = rest[:host_start] + _QUERY_SECRET.sub(lambda m: m.group(1) + _MASK, rest[host_start:])
    out = f"{scheme}://{rest}"
    pw = _libpq_password(s)
    if pw and len(pw) >= 3 and pw in out:  # a libpq-only spelling (very short ones would mask random text)
        out = out.replace(pw, _MASK)
    return out


def mask_secrets(text) -> str:
    """``text`` with the password of every URL in it, and every ``password=...``, masked."""
    s = _URL.sub(lambda m: mask_url(m.group(0)), str(text))
    return _QUERY_SECRET.sub(lambda m: m.group(1) + _MASK, s)


def database_name(url: str) -> str:
    """The database name of a server URL (the path after the host, without query), '' if none."""
    s = str(url)
    if "://" not in s:
        return ""
    rest = s.split("://", 1)[1]
    if "@" in rest:
        rest = rest.rsplit("@", 1)[1]
    rest = rest.split("?", 1)[0].split("#", 1)[0]
    return rest.split("/", 1)[1] if "/" in rest else ""
