"""Markdown tables and number formatting shared by the report and the validation figures."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

# Line breaks and other control characters: each becomes a space in a cell.
_BREAKS = re.compile(r"\r\n|[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A '|' and the backslashes before it. GitHub reads a backslash pair as one escaped backslash,
# so a backslash before an escaped '|' would free it to end the cell: each backslash before a
# '|' is doubled, then the '|' is escaped.
_PIPE = re.compile(r"(\\*)\|")


def _cell(value) -> str:
    """One cell: str(value) with '|' escaped and line breaks (and any control character) turned
    into spaces, so no text can end the cell or the row."""
    text = _BREAKS.sub(" ", str(value))
    return _PIPE.sub(lambda m: m.group(1) * 2 + "\\|", text)


def md_table(header: Sequence, rows: Iterable[Sequence]) -> str:
    """A GitHub-flavoured Markdown table.

    Args:
        header: Column titles.
        rows: Rows of cells (any values; each is shown as str(value)). '|' in a cell is escaped
            and a line break becomes a space, so a cell never breaks the table.

    Returns:
        The table, without a trailing newline.
    """
    header = [_cell(h) for h in header]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def fmt(v: float) -> str:
    """A number to 6 significant digits ('n/a' for None or NaN)."""
    return "n/a" if _missing(v) else f"{v:.6g}"


def fmt_p(p: float) -> str:
    """A p value to 3 significant digits, '<1e-300' below that ('n/a' for None or NaN)."""
    if _missing(p):
        return "n/a"
    return f"{p:.3g}" if p >= 1e-300 else "<1e-300"


def fmt_ci(m: float, lo: float, hi: float, digits: int = 3) -> str:
    """A mean and its interval: 'm [lo, hi]' with `digits` decimals."""
    return f"{m:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def fmt_level(level: float) -> str:
    """A confidence level as a percentage: 0.95 -> '95%', 0.975 -> '97.5%'."""
    return f"{100 * level:.10g}%"


def text_grid(rows: Sequence[str], columns: Sequence[str], cells: dict) -> str:
    """A plain-text table for a terminal: one line per row label, one column per column label,
    cells[(row, column)] (blank where missing), every column as wide as its widest entry."""
    widths = [max(len(c), *(len(cells.get((r, c), "")) for r in rows)) for c in columns]
    first = max(len("rule set"), *(len(r) for r in rows))
    pairs = list(zip(columns, widths, strict=True))
    lines = ["  ".join(["rule set".ljust(first)] + [c.ljust(w) for c, w in pairs])]
    for r in rows:
        row = [cells.get((r, c), "").ljust(w) for c, w in pairs]
        lines.append("  ".join([r.ljust(first), *row]).rstrip())
    return "\n".join(line.rstrip() for line in lines)


def shown_path(path: Path, root: Path) -> str:
    """`path` relative to `root` (the repository) when it lies inside it, for a generated page."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
