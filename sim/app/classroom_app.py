"""The classroom: students play the commons game, and the NHS place game, live in their
browsers beside agents, with the teacher's view projected at the front.

Start it with `make classroom` (for a class: `make classroom HOST=0.0.0.0`), which runs
`solara run sim/app/classroom_app.py --production`; docs/classroom.md is the teacher's guide.
The page opens on a choice: the teacher opens a room, a student joins one with its code
(`?room=CODE` in the address fills it in). The rooms, their rounds, agents and data live on the
server (`sim.app.classroom.rooms.ROOMS`); this page only shows them and passes on each click
(`sim/app/classroom/`: `teacher_view.py`, `student_view.py`, `debrief_view.py`).
"""

from __future__ import annotations

from urllib.parse import parse_qs

import solara

from sim.app.accessible import PageSetup
from sim.app.classroom import ui_state as ui
from sim.app.classroom.student_view import StudentView
from sim.app.classroom.teacher_view import Messages, TeacherView

TITLE = "Care commons: the classroom"
CSS = """
.cc-room-code { font-size: 4.5rem; font-weight: 700; letter-spacing: 0.3rem; color: #1b3a8c; }
.cc-help { font-size: 0.85rem; color: #444; }
.cc-seat { padding: 2px 8px; margin: 2px; border-radius: 10px; border: 1px solid #999; }
.cc-seat-done { background: #d8ecd8; }
.cc-seat-agent { font-style: italic; color: #555; }
.cc-plot img { width: 100%; max-width: 900px; height: auto; }
.cc-status { font-size: 1.1rem; }
"""


def room_from_query(search: str | None) -> str:
    """The code in `?room=CODE` (empty when there is none)."""
    values = parse_qs((search or "").lstrip("?")).get("room", [""])
    return values[-1].strip().upper()


def open_room() -> None:
    """The teacher opens a room with the default settings (changed before the start)."""
    room = ui.rooms().open()
    ui.code.set(room.code)
    ui.message.set("")
    ui.role.set("teacher")


def join(code: str) -> None:
    """A student joins room `code`; an unknown code or a full room is said on the page."""
    code = code.strip().upper()
    try:
        room = ui.rooms().get(code)
        seat = room.join()
    except ui.room_error() as exc:
        ui.say(str(exc), "error")
        return
    ui.code.set(code)
    ui.token.set(seat)
    ui.message.set("")
    ui.role.set("student")


@solara.component
def Landing():
    router = solara.use_router()
    typed = solara.use_reactive(room_from_query(router.search))
    ui.Md(
        "# The classroom commons\n"
        "Each round every player chooses how much to take from a common pool; the group's "
        "earnings depend on what all take. Play it live, beside agents, and compare the class "
        "with the theory and the laboratory."
    )
    Messages()
    with solara.Columns([1, 1]):
        with solara.Card("I am the teacher"):
            ui.Md("Open a room, set the game, and project this page.")
            solara.Button("Open a room", on_click=open_room, color="primary")
        with solara.Card("I am a student"):
            solara.InputText(
                "Room code", value=typed, continuous_update=True, classes=["cc-code-input"]
            )
            solara.Button("Join", on_click=lambda: join(typed.value), color="primary")


@solara.component
def Page():
    solara.Title(TITLE)
    solara.Style(CSS)
    PageSetup()
    role, code = ui.role.value, ui.code.value
    room, problem = None, ""
    if role:
        try:
            room = ui.rooms().get(code)
        except ui.room_error() as exc:  # the room was closed meanwhile
            problem = str(exc)
    with solara.Column(style={"padding": "12px 20px", "max-width": "1200px", "margin": "auto"}):
        if problem:
            solara.Error(problem, classes=["cc-message"])
        if room is None:
            Landing()
        elif role == "teacher":
            TeacherView(room)
        else:
            StudentView(room, ui.token.value)


__all__ = ["Page"]
