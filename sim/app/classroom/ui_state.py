"""What one browser session of the classroom app holds, and how it follows its room.

Solara keeps a module-level `solara.reactive` per browser session, so each tab has its own role
(teacher or student), room code, seat token and last message. The room itself lives on the
server (`sim.app.classroom.rooms.ROOMS`), shared by every session in it; a session follows it by
polling `room.version` (an integer that grows on every change) a few times a second and
re-renders only when it changed (`use_room`). The UI holds no game logic: every action is a
call on the room, and a refusal (`RoomError`) becomes a one-line message on the page (`act`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import solara

from sim.app.classroom.room import RoomError
from sim.app.classroom.rooms import ROOMS, Rooms
from sim.app.session import current_context

POLL_SECONDS = 0.25  # how often a session looks at its room's version

role = solara.reactive("")  # "", "teacher" or "student"
code = solara.reactive("")  # the room's code (student: as typed; teacher: the room opened)
token = solara.reactive(None)  # the student's seat token
message = solara.reactive("")  # the last refusal or notice, shown on the page
message_kind = solara.reactive("error")  # "error" or "info"


def room_error() -> type[RoomError]:
    """The room layer's refusal type (its message is one line for the page)."""
    return RoomError


def rooms() -> Rooms:
    """The server's room registry."""
    return ROOMS


def say(text: str, kind: str = "info") -> None:
    message_kind.set(kind)
    message.set(text)


def act(action: Callable[[], Any], done: str = "") -> bool:
    """Run one call on the room; a `RoomError` becomes the page's message (and the room has
    changed nothing). True if the room took it."""
    try:
        action()
    except room_error() as exc:
        say(str(exc), "error")
        return False
    if done:
        say(done, "info")
    else:
        message.set("")
    return True


def leave_room() -> None:
    """Back to the landing page (the seat or room itself is left by the caller)."""
    token.set(None)
    role.set("")
    message.set("")


def get(obj: Any, key: str, default: Any = None) -> Any:
    """A field of a snapshot or view, whether the room gives a mapping or an object."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def use_room(room) -> Any:
    """The room's snapshot, re-read when the room changes and once a second while a round's
    timer runs (for the time left).

    Polls `room.version` every `POLL_SECONDS` in a thread of this session (cheap: one integer
    read); the page re-renders only when the version (or, while a round is open, the second)
    has changed.
    """
    state, set_state = solara.use_state((room.version if room is not None else -1, 0))
    ticking = solara.use_ref(False)

    def poll(cancel) -> None:
        last = state
        session = current_context()  # the browser session this thread serves (None in tests)
        while room is not None and not cancel.wait(POLL_SECONDS):
            if session is not None and session.closed_event.is_set():
                return  # the browser has gone
            tick = int(time.monotonic()) if ticking.current else 0
            now = (room.version, tick)
            if now != last:
                last = now
                set_state(now)

    solara.use_thread(poll, dependencies=[room], intrusive_cancel=False)
    snap = solara.use_memo(lambda: room.snapshot() if room is not None else None, [room, state])
    ticking.current = get(snap, "status") == "open"
    return snap


@solara.component
def Md(text: str, classes: list[str] | None = None):
    """Markdown in a div carrying `classes` (solara's Markdown takes no classes)."""
    if not classes:
        solara.Markdown(text)
        return
    with solara.Div(classes=classes):
        solara.Markdown(text)
