"""Coming back after a reload: the page's address carries who this browser is in its room, so a
student whose phone slept, or a teacher who pressed F5, finds their seat or their room again.

A student's address holds the seat's token (`?room=CODE&seat=TOKEN`, a secret only that browser
has); a teacher's holds a teacher key made here when the room is opened (`?room=CODE&teacher=KEY`),
kept for the server's lifetime beside the rooms. The room layer has no notion of a teacher, so
the key lives in this UI module, server-wide (a plain dict, not a per-session reactive).
"""

from __future__ import annotations

import secrets
import threading
from urllib.parse import parse_qs, urlencode

_TEACHER_KEYS: dict[str, str] = {}
_LOCK = threading.Lock()


def teacher_key(code: str) -> str:
    """The teacher key of room `code` (made on first use)."""
    with _LOCK:
        return _TEACHER_KEYS.setdefault(code, secrets.token_urlsafe(12))


def is_teacher(code: str, key: str | None) -> bool:
    with _LOCK:
        known = _TEACHER_KEYS.get(code)
    return bool(key) and known is not None and secrets.compare_digest(known, key)


def query(search: str | None) -> dict[str, str]:
    """The address's parameters (the last value of each)."""
    return {k: v[-1].strip() for k, v in parse_qs((search or "").lstrip("?")).items()}


def address(**params: str) -> str:
    """`?room=...&seat=...` for the page's address (empty parameters left out)."""
    kept = {k: v for k, v in params.items() if v}
    return "?" + urlencode(kept) if kept else "?"
