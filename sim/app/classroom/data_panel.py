"""The session's data on the teacher's page: the rounds' records as CSV or Parquet downloads,
and "save session" to a folder on the server (`room.save`)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import solara

from sim.app.classroom import ui_state as ui
from sim.app.classroom.ui_state import get


def default_folder(code: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return f"results/classroom/{code}-{stamp}"


def parquet_bytes(room) -> bytes:
    buffer = io.BytesIO()
    room.records().to_parquet(buffer, index=False)
    return buffer.getvalue()


@solara.component
def DataPanel(room, snap):
    code = get(snap, "code", room.code)
    # The default is made once per room: a default that moved with the clock would overwrite
    # the folder the teacher typed at the next render after the minute changed.
    start = solara.use_memo(lambda: default_folder(code), [code])
    folder = solara.use_reactive(start)
    with solara.Card("The session's data", classes=["cc-data"]):
        ui.Md(
            "One row per seat and round: the room's code, game, seats and seed; treatment, "
            "round, block, seat, pseudonym, who chose (student, agent, or agent (timeout) for a "
            "student whose time ran out), choice, claim and agreed share, earnings, fine, net "
            "earnings, time (seconds since the room opened); the group's total, Nash, optimum "
            "and efficiency. Pseudonyms only; the chat is never saved.",
            classes=["cc-help"],
        )
        with solara.Row():
            solara.FileDownload(
                lambda: room.records().to_csv(index=False),
                filename=f"classroom-{code}.csv",
                label="Download the data (CSV)",
                mime_type="text/csv",
            )
            solara.FileDownload(
                lambda: parquet_bytes(room),
                filename=f"classroom-{code}.parquet",
                label="Download the data (Parquet)",
            )
        with solara.Row(style={"align-items": "center"}):
            solara.InputText(
                "Folder on the server",
                value=folder,
                continuous_update=True,  # each keystroke: a Save click never finds an old value
                classes=["cc-folder"],
            )
            solara.Button("Save session", on_click=lambda: save(room, folder.value))


def save(room, folder: str) -> None:
    """Save the session's data to `folder` on the server; the page says where, or why not."""
    paths: list = []
    try:
        if ui.act(lambda: paths.extend(room.save(folder))):
            ui.say("Saved: " + " and ".join(str(p) for p in paths), "info")
    except OSError as exc:
        ui.say(f"Could not save to {folder}: {exc.strerror or exc}", "error")
