"""The page's sharing components: the address that restores every setting (`UrlSync`), the
user's own place file (`PlaceUpload`), scenario files, exports with every setting, print-
resolution plots and the one-page brief (`SharePanel`, `LiveExports`, `ReplicateExports`).

The logic is in `snapshot.py`, `scenario_file.py`, `share_url.py`, `export.py` and `brief.py`.
"""

from __future__ import annotations

import time

import solara

from sim.app import scenario_file
from sim.app.accessible import Anchor
from sim.app.brief import build_brief
from sim.app.export import print_png, replicates_csv, runs_csv
from sim.app.file_picker import FilePicker
from sim.app.share_url import carries_everything, from_query, to_query
from sim.app.snapshot import Snapshot
from sim.core.params import ParameterError

EXAMPLE_PLACE_FILE = "illustrative_ics.toml"


def one_line(text: str) -> str:
    """A message on one line (errors are shown in one line on the page)."""
    return " ".join(str(text).split())


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


# --------------------------------------------------------------------------- the address
@solara.component
def UrlSync(state):
    """Applies the settings in the page's address once, then writes each change back to it."""
    router = solara.use_router()
    ready, set_ready = solara.use_state(False)
    error = solara.use_reactive("")

    def read_once():
        if router.search:
            try:
                from_query(router.search).apply(state)
            except ParameterError as exc:
                error.set(one_line(f"The link's settings were not applied: {exc}"))
        set_ready(True)

    solara.use_effect(read_once, [])
    query = to_query(Snapshot.of(state))

    def write_back():
        # No address to write to outside a browser (solara.render in tests has no router).
        if ready and router.set_path is not None and query != (router.search or ""):
            router.push(f"{router.path}?{query}")

    solara.use_effect(write_back, [ready, query])
    if error.value:
        solara.Warning(error.value, classes=["cc-link-error"])


# --------------------------------------------------------------------------- place file
@solara.component
def PlaceUpload(state):
    """The user's own system: a place file (docs/place_files.md) run in both panels."""
    error = solara.use_reactive("")
    sc = state.scenario.value

    def on_file(name: str, data: bytes):
        try:
            system = place_from_upload(name, data)
        except ParameterError as exc:
            error.set(one_line(exc))
            return
        error.set("")
        state.set_scenario(system="uploaded", uploaded=system)

    with solara.Column(gap="2px", classes=["cc-own-place"]):
        heading = "Your own place: upload a place file"
        solara.HTML(tag="h2", unsafe_innerHTML=heading, style={"font-size": "1rem"})
        solara.Markdown(
            "A place file (TOML) describes one integrated care system: its places and "
            "organisations (format: docs/place_files.md). It replaces the drawn places in both "
            "panels and in the replicates. Start from the example and change its figures.",
            style={"font-size": "0.85rem"},
        )
        FilePicker("Choose or drop a place file (.toml)", on_file, accept=".toml,text/plain")
        solara.FileDownload(
            _example_place_file,
            filename=EXAMPLE_PLACE_FILE,
            label="Download the example place file",
            mime_type="text/plain",
        )
        if error.value:
            solara.Error(f"Place file not used: {error.value}", classes=["cc-place-error"])
        elif sc.uploaded is not None:
            up = sc.uploaded
            solara.Success(
                f"{up.name}: {len(up.places)} place(s), {len(up.organisations)} organisations"
                + (" (running in both panels)." if sc.system == "uploaded" else "."),
                classes=["cc-place-ok"],
            )


def place_from_upload(name: str, data: bytes):
    """A checked `PlaceSystem` from an uploaded file (`sim.load_place_file`'s checks); a
    problem is one `PlaceFileError` line naming the file, the line and the field."""
    from sim.engine.placefile import PlaceFileError, parse_place_file

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PlaceFileError(f"{name}: line {line}: not UTF-8; allowed: UTF-8 text") from None
    return parse_place_file(text, where=name)


def _example_place_file() -> bytes:
    from sim.experiment.shipped import shipped_place_file

    with open(shipped_place_file(EXAMPLE_PLACE_FILE), "rb") as fh:
        return fh.read()


# --------------------------------------------------------------------------- share and save
@solara.component
def SharePanel(state, verdict: str = ""):
    """Save and load scenario files, the shareable address, the one-page brief."""
    message = solara.use_reactive("")
    error = solara.use_reactive("")
    snapshot = Snapshot.of(state)

    def on_file(name: str, data: bytes):
        try:
            scenario_file.loads(data, where=name).apply(state)
        except ParameterError as exc:
            error.set(one_line(exc))
            message.set("")
            return
        error.set("")
        message.set(f"Loaded {name}: every setting restored.")

    def brief() -> bytes:
        if state.view.value is None:
            return b""
        link = ""  # the server does not know the address the browser used
        snap, result = Snapshot.of(state), state.rep_result.value
        return build_brief(snap, state.view.value, result, verdict, link).encode()

    Anchor("cc-share")
    with solara.Card(title="Save, share and export", classes=["cc-share"]):
        link_note = (
            "This page's address holds every setting: copy it from the address bar and send "
            "it; it opens this comparison."
        )
        if not carries_everything(snapshot):
            link_note += " Your place file is too large for an address: send the scenario file."
        solara.Text(link_note, classes=["cc-help"])
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
            solara.FileDownload(
                lambda: scenario_file.dumps(Snapshot.of(state)).encode(),
                filename=scenario_file.filename(snapshot),
                label="Save scenario (JSON)",
                mime_type="application/json",
            )
            solara.FileDownload(
                brief,
                filename=f"care-commons-brief-{_stamp()}.html",
                label="One-page brief (HTML)",
                mime_type="text/html",
            )
        label = "Load a scenario file (.json or .toml): every setting"
        FilePicker(label, on_file, accept=".json,.toml,application/json")
        if error.value:
            solara.Error(f"Scenario not loaded: {error.value}", classes=["cc-scenario-error"])
        elif message.value:
            solara.Success(message.value, classes=["cc-scenario-ok"])


# --------------------------------------------------------------------------- exports
@solara.component
def LiveExports(state):
    """Downloads of the live runs: CSV with every setting, plots at print resolution."""
    view = state.view.value
    kind, stamp = state.kind, _stamp()
    lock = getattr(state, "lock", None)

    def csv() -> bytes:
        if state.kind != "place_system":
            return view.pair.csv() if view is not None else b""
        return runs_csv(view, Snapshot.of(state))

    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.FileDownload(
            csv,
            filename=f"care-commons-{kind}-runs-{stamp}.csv",
            label="Download runs (CSV)",
            mime_type="text/csv",
        )
        for name, fig, what in (
            ("measures", "series_fig", "measures plot"),
            ("organisations", "org_fig", "organisations plot"),
        ):
            solara.FileDownload(
                (lambda attr=fig: print_png(getattr(view, attr), lock)) if view else b"",
                filename=f"care-commons-{kind}-{name}-{stamp}-300dpi.png",
                label=f"Download {what} (PNG)",
                mime_type="image/png",
            )
    solara.Text(
        "PNG downloads are drawn at 300 dpi for print; the CSV carries every setting, the seed "
        "and the address that restores them.",
        classes=["cc-help"],
    )


@solara.component
def ReplicateExports(state, result):
    """Downloads of the replicates: CSV with every setting and seed, charts at 300 dpi."""
    from sim.app.replicates import difference_figure, fan_figure

    stamp = _stamp()
    snapshot = solara.use_memo(lambda: Snapshot.of(state), [id(result)])  # as when they ran
    start_year = state.start_year.value or None  # years named as on the page

    def csv() -> bytes:
        if state.kind != "place_system":
            return result.csv()
        return replicates_csv(result, snapshot)

    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.FileDownload(
            csv,
            filename=f"care-commons-replicates-{stamp}.csv",
            label="Download replicates (CSV)",
            mime_type="text/csv",
        )
        for name, make in (("fan charts", fan_figure), ("difference", difference_figure)):
            solara.FileDownload(
                lambda make=make: print_png(make(result, start_year)),
                filename=f"care-commons-{name.split()[0]}-{stamp}-300dpi.png",
                label=f"Download {name} (PNG)",
                mime_type="image/png",
            )
