"""A one-page brief of the comparison as a self-contained HTML file a policy team can circulate:
what was compared (every setting and the link that restores it), what the runs show, the figures
(embedded, with alt text) and what the model is not. It prints on one A4 page.
"""

from __future__ import annotations

import base64
import datetime as dt
from html import escape

from sim.app.describe import (
    live_rows,
    organisations_alt,
    replicate_rows,
    replicates_alt,
    series_alt,
)
from sim.app.figures import png
from sim.app.settings import PRESET_LABELS, PRINCIPLE_LABELS, SIDES, system_labels
from sim.app.share_url import carries_everything, to_query
from sim.app.snapshot import PANEL_KEYS, Snapshot

BRIEF_DPI = 110  # sharp on screen and on paper, small enough to e-mail

CSS = """
@page { size: A4; margin: 12mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 9pt; color: #111; max-width: 190mm;
       margin: auto; line-height: 1.3; }
h1 { font-size: 15pt; margin: 0 0 4px; } h2 { font-size: 11pt; margin: 10px 0 3px; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; margin-bottom: 4px; }
th, td { border-bottom: 1px solid #bbb; padding: 1px 4px; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.figs { display: flex; gap: 6px; align-items: flex-start; }
img { width: 50%; height: auto; object-fit: contain; }
.small { font-size: 8pt; color: #333; } code { font-size: 7.5pt; word-break: break-all; }
"""


def _n(value: float) -> str:
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _img(fig, alt: str) -> str:
    data = base64.b64encode(png(fig, BRIEF_DPI)).decode()
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def _settings(snapshot: Snapshot) -> str:
    sc = snapshot.scenario
    data = snapshot.to_dict()
    items = [
        ("System", system_labels(sc.uploaded)[sc.system]),
        ("Funding gap", f"{100 * sc.funding_gap:+.1f} points a year"),
        ("Budget growth", f"{100 * sc.budget_growth:+.1f}% a year"),
        ("Need growth / ageing", f"{100 * sc.need_growth:+.1f}% / {100 * sc.ageing:+.1f}% a year"),
        ("Places", str(sc.n_places) if sc.system == "generic" else "from the place file"),
        ("Seed", str(sc.seed)),
    ]
    for side, key in PANEL_KEYS.items():
        panel = data[key]
        text = PRESET_LABELS[panel["rules"]]
        for word, names in (("on", panel["switched_on"]), ("off", panel["switched_off"])):
            if names:
                text += f"; switched {word}: " + ", ".join(PRINCIPLE_LABELS[n] for n in names)
        if panel["levers"]:
            text += "; levers set: " + ", ".join(f"{k} {v}" for k, v in panel["levers"].items())
        if panel["adopt_in_year"] > 1:
            text += f"; adopted in year {panel['adopt_in_year']} (fortress before)"
        items.append((f"Panel {'A' if side == 'left' else 'B'}", text))
    cells = [f"<th scope='row'>{escape(k)}</th><td>{escape(v)}</td>" for k, v in items[:-2]]
    rows = [
        cells[i] + (cells[i + 1] if i + 1 < len(cells) else "") for i in range(0, len(cells), 2)
    ]
    rows += [
        f"<th scope='row'>{escape(k)}</th><td colspan='3'>{escape(v)}</td>" for k, v in items[-2:]
    ]
    return "<table>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"


def _table(rows: list[dict], caption: str, interval: str | None = None) -> str:
    if not rows:
        return ""
    extra = f"<th scope='col'>{escape(interval)}</th>" if interval else ""
    head = (
        "<tr><th scope='col'>measure</th><th scope='col'>unit</th><th scope='col'>A</th>"
        f"<th scope='col'>B</th><th scope='col'>B - A</th>{extra}</tr>"
    )
    body = ""
    for r in rows:
        cells = "".join(f"<td class='n'>{_n(r[k])}</td>" for k in ("A", "B", "B - A"))
        if interval:
            low, high = r["interval"]
            cells += f"<td class='n'>{_n(low)} to {_n(high)}</td>"
        body += f"<tr><td>{escape(r['measure'])}</td><td>{escape(r['unit'])}</td>{cells}</tr>"
    return f"<table><caption>{escape(caption)}</caption>{head}{body}</table>"


def build_brief(snapshot: Snapshot, view, result=None, verdict: str = "", link: str = "") -> str:
    """The brief's HTML. `view` is the live `LiveView`, `result` the replicates (or None),
    `verdict` a sentence in plain words to lead with, `link` the page's address (the query
    string is added)."""
    title = "Care commons: " + " vs ".join(view.labels[s] for s in SIDES)
    query = to_query(snapshot)
    month = view.pair.month
    parts = [
        f"<h1>{escape(title)}</h1>",
        f"<p class='small'>Made {dt.date.today():%d %B %Y} with the care-commons app: an "
        "agent-based model of competition and collaboration over one common pool. Both panels "
        "run the same place with the same random numbers; only their rules differ.</p>",
    ]
    if verdict:
        parts.append(f"<p><strong>{escape(verdict)}</strong></p>")
    parts += ["<h2>What was compared</h2>", _settings(snapshot)]
    parts.append(_table(live_rows(view), f"One run each, month {month} ({month / 12:.1f} years)"))
    if result is not None:
        level = f"{100 * result.level:.0f}% interval"
        caption = f"{result.replicates} paired replicates, end of {result.months} months"
        parts.append(_table(replicate_rows(result), caption, level))
    figures = [_img(view.series_fig, series_alt(view))]
    if result is not None:
        from sim.app.replicates import difference_figure

        figures.append(_img(difference_figure(result), replicates_alt(result, "difference")))
    else:
        figures.append(_img(view.org_fig, organisations_alt(view)))
    parts.append("<h2>Figures</h2><div class='figs'>" + "".join(figures) + "</div>")
    note = "" if carries_everything(snapshot) else " (the place file is in the scenario file)"
    where = "this address" if link else "the app's address (make app) followed by"
    parts.append(
        f"<h2>To reproduce</h2><p class='small'>Open {where}{escape(note)}: "
        f"<code>{escape(link)}?{escape(query)}</code>. A model, not a forecast: "
        "it shows how the rules change what the same organisations do, under stated "
        "assumptions (docs/ODD.md); one run can be lucky, the replicates show the spread.</p>"
    )
    body = "\n".join(p for p in parts if p)
    return (
        '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>\n"
        f"<body><main>{body}</main></body>\n</html>\n"
    )
