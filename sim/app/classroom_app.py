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

import solara

from sim.app.accessible import PageSetup
from sim.app.classroom import resume
from sim.app.classroom import ui_state as ui
from sim.app.classroom.student_view import StudentView
from sim.app.classroom.teacher_view import Messages, TeacherView

TITLE = "Care commons: the classroom"
CSS = """
.cc-room-code { font-size: 4.5rem; font-weight: 700; letter-spacing: 0.3rem; color: #1b3a8c;
  margin: 0; }
.cc-me h1 { font-size: 1.6rem; }
.cc-help { font-size: 0.85rem; color: #444; }
.cc-seat { padding: 2px 8px; margin: 2px; border-radius: 10px; border: 1px solid #999; }
.cc-seat-done { background: #d8ecd8; }
.cc-seat-agent { font-style: italic; color: #555; }
.cc-plot img { width: 100%; max-width: 900px; height: auto; }
.cc-status { font-size: 1.1rem; }
"""


def room_from_query(search: str | None) -> str:
    """The code in `?room=CODE` (empty when there is none)."""
    return resume.query(search).get("room", "").upper()


def open_room(router) -> None:
    """The teacher opens a room with the default settings (changed before the start); the
    address then names the room and the teacher's key, so a reload finds it again."""
    room = ui.rooms().open()
    ui.code.set(room.code)
    ui.message.set("")
    ui.role.set("teacher")
    router.push(resume.address(room=room.code, teacher=resume.teacher_key(room.code)))


def join(code: str, router) -> None:
    """A student joins room `code`; an unknown code or a full room is said on the page. The
    address then holds the seat's token, so a reload keeps the seat."""
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
    router.push(resume.address(room=code, seat=seat))


def come_back(search: str | None) -> None:
    """After a reload: back in the room as its teacher, or in the student's seat, when the
    address says so and the room agrees (otherwise the landing page)."""
    params = resume.query(search)
    code = params.get("room", "").upper()
    try:
        room = ui.rooms().get(code)
    except ui.room_error():
        return
    if resume.is_teacher(room.code, params.get("teacher")):
        ui.code.set(room.code)
        ui.role.set("teacher")
        return
    seat = params.get("seat")
    if seat:
        try:
            room.player_view(seat)
        except ui.room_error():
            return  # the seat was given up or the room reset its players: join again
        ui.code.set(room.code)
        ui.token.set(seat)
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
            solara.Button("Open a room", on_click=lambda: open_room(router), color="primary")
        with solara.Card("I am a student"):
            solara.InputText(
                "Room code", value=typed, continuous_update=True, classes=["cc-code-input"]
            )
            solara.Button("Join", on_click=lambda: join(typed.value, router), color="primary")


@solara.component
def Page():
    solara.Title(TITLE)
    solara.Style(CSS)
    PageSetup()
    router = solara.use_router()
    solara.use_effect(lambda: come_back(router.search), [])  # once, after a reload
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
