"""The rooms of this server process, found by their short codes, and the ticker that ends rounds
whose time is up even when no browser is polling."""

from __future__ import annotations

import logging
import secrets
import threading
import time

from sim.app.classroom.inputs import RoomError
from sim.app.classroom.room import Room

# Codes are four letters without the ones read alike on a projector (I, L, O, with 0 and 1 absent).
CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 4
TICK_SECONDS = 0.25  # about four ticks a second: a round ends within a quarter second of its time
_log = logging.getLogger(__name__)


class Rooms:
    """A registry of open rooms, safe from many threads.

    Args:
        tick_seconds: The ticker's period; None for no ticker (tests tick rooms themselves).
    """

    def __init__(self, tick_seconds: float | None = TICK_SECONDS):
        self._rooms: dict[str, Room] = {}
        self._lock = threading.Lock()
        self._tick_seconds = tick_seconds
        self._ticker: threading.Thread | None = None

    def open(self, **config) -> Room:
        """A new room with a fresh code (settings as `Room`'s keyword arguments).

        Raises:
            RoomError: A setting out of range.
        """
        with self._lock:
            code = self._new_code()
            room = Room(code, **config)
            self._rooms[code] = room
            self._start_ticker()
            return room

    def _new_code(self) -> str:
        while True:
            code = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
            if code not in self._rooms:
                return code

    def get(self, code) -> Room:
        """The room with this code (any case).

        Raises:
            RoomError: No room has this code.
        """
        key = code.strip().upper() if isinstance(code, str) else code
        with self._lock:
            room = self._rooms.get(key)
        if room is None:
            raise RoomError(f"no room with code {code!r}; check the code on the projector")
        return room

    def close(self, code) -> None:
        """Forget a room (its players' pages then find no room)."""
        room = self.get(code)
        with self._lock:
            self._rooms.pop(room.code, None)

    def codes(self) -> list[str]:
        with self._lock:
            return sorted(self._rooms)

    def tick(self) -> int:
        """Tick every room once; returns how many rounds closed."""
        with self._lock:
            rooms = list(self._rooms.values())
        closed = 0
        for room in rooms:
            try:
                closed += room.tick()
            except Exception:  # one room's failure must not stop the others' timers
                _log.exception("classroom room %s failed to tick", room.code)
        return closed

    def _start_ticker(self) -> None:
        if self._tick_seconds is None or self._ticker is not None:
            return
        self._ticker = threading.Thread(target=self._run, name="classroom-ticker", daemon=True)
        self._ticker.start()

    def _run(self) -> None:
        while True:
            self.tick()
            time.sleep(self._tick_seconds)


ROOMS = Rooms()
