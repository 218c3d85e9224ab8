"""What one browser session owns besides its `solara.reactive` values: its lock, its play loop and
its replicate worker, and the play loop's clock. Shared by every session: only the slots that
bound how many replicate runs compute at once (`REPLICATE_SLOTS`).

Solara keeps a module-level `solara.reactive` value per browser session (per virtual kernel), but
a plain attribute of a module-level object is one value for the whole server. Everything a
session counts or locks therefore lives in a `SessionRuntime`, one per kernel through
`solara.toestand.Singleton` (outside a server, one per process, as in tests and benchmarks).
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
import weakref

import reacton.core
from solara.toestand import Singleton

# Replicate runs computing at once across all sessions; the others wait their turn (first come,
# first served). `run_many` already uses every core, so more at once only slows all of them.
REPLICATE_SLOTS = threading.BoundedSemaphore(2)
# A frame that comes late steps the months due meanwhile (so the speed holds when many sessions
# play at once), but never more than this many seconds' worth at once.
MAX_CATCH_UP_SECONDS = 8
# Frames a second over all the sessions playing at once, and the fewest one session draws. The
# frames share one Python interpreter (matplotlib draws holding its lock), the months need no
# frame: with many sessions playing each draws fewer frames and steps more months in each, so
# every one keeps its speed (`PlayingSessions.frame_rate`).
FRAME_BUDGET = 8.0
MIN_FRAMES_PER_SECOND = 0.5


def current_context():
    """The solara kernel context of this thread, or None outside a server."""
    try:
        from solara.server import kernel_context

        if kernel_context.has_current_context():
            return kernel_context.get_current_context()
    except ImportError:  # pragma: no cover - solara without its server
        pass
    return None


class SessionRuntime:
    """One browser session's lock, play loop and replicate worker (never shared).

    Attributes:
        lock: serialises this session's actions (step, rebuild, reset, pause and the play
            loop's frames), so a click never interleaves with a frame being drawn. Actions
            take it through `action`, which counts them in `pending`; the play loop waits
            while `pending` is positive before each frame, so clicks go first.
        loop: the thread running the play loop, or None. Set and cleared under `lock` only, so
            Play either finds the running loop or starts one, never neither.
        wake: set by Pause, Reset and Play to cut the play loop's wait short.
        rep_done: the replicate requests already taken up by the worker.
        rep_thread: the thread running replicates, or None (under `lock`).
        context: the session's solara kernel context (None outside a server).
    """

    def __init__(self):
        self.lock = threading.RLock()
        self.loop: threading.Thread | None = None
        self.wake = threading.Event()
        self.rep_done = 0
        self.rep_thread: threading.Thread | None = None
        self.context = current_context()
        self.pending = 0  # actions waiting for or holding `lock` (clicks, control changes)
        # `playing`, `actions` and `loop` change under this small lock, never held for a frame:
        # Pause takes only this one, so it answers at once even while a frame is being drawn.
        self.control = threading.RLock()
        self.render_context = None  # weak reference to the page's render context (batching)
        self._count = threading.Lock()

    def count(self, change: int) -> None:
        with self._count:
            self.pending += change

    @property
    def action(self) -> _ActionLock:
        """The lock a click takes: the play loop lets waiting clicks go first."""
        return _ActionLock(self)

    def yield_to_actions(self, limit: float = 2.0) -> None:
        """Wait (at most `limit` seconds) while clicks wait for the lock, so a play loop whose
        frames follow each other without a pause cannot starve them (a lock is not fair)."""
        deadline = time.monotonic() + limit
        while self.pending > 0 and time.monotonic() < deadline:
            time.sleep(0.005)

    def batch(self):
        """A context in which reactive changes re-render the page once, at its end."""
        rc = self.render_context() if self.render_context is not None else None
        return rc if rc is not None else contextlib.nullcontext()

    def remember_render_context(self) -> None:
        """Called while the page renders: keep its render context for `batch`."""
        rc = reacton.core.get_render_context(required=False)
        if rc is not None:
            self.render_context = weakref.ref(rc)

    def open(self) -> bool:
        """False once the browser session has closed (its threads then stop)."""
        return self.context is None or not self.context.closed_event.is_set()

    def start(self, target, name: str) -> threading.Thread:
        """Start a daemon thread in this session (solara hands it the kernel context)."""
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        return thread


class _ActionLock:
    """`with runtime.action:` takes the session's lock, counted as waiting meanwhile."""

    def __init__(self, runtime: SessionRuntime):
        self.runtime = runtime

    def __enter__(self):
        self.runtime.count(+1)
        self.runtime.lock.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.runtime.lock.release()
        self.runtime.count(-1)


class PlayingSessions:
    """How many sessions' play loops are running in this server (each counts itself in and out),
    read to share the frames out, and whose turn it is to draw one (`turn`).

    Frames are drawn one at a time, first come first served. Drawn side by side they would share
    one interpreter anyway: ten frames at once each took ten times as long, plus the cost of the
    threads swapping the interpreter's lock, and a session's months were counted from the start
    of a frame that then lasted seconds. In turn, each frame lasts what it costs and a session's
    months are counted from when its turn comes.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self.count = 0
        self._turns = threading.Condition()
        self._next_ticket = 0  # the ticket the next frame to ask takes
        self._serving = 0  # the ticket whose frame may be drawn now
        self._skipped: set[int] = set()  # tickets given up before their turn

    @contextlib.contextmanager
    def turn(self, still_wanted=lambda: True, poll: float = 0.25):
        """Within: the calling play loop's turn to draw a frame. Yields False, at once, if
        `still_wanted()` turns false while waiting (the session paused or closed); the turn
        is then given up."""
        with self._turns:
            ticket = self._next_ticket
            self._next_ticket += 1
            while ticket != self._serving:
                if not still_wanted():
                    break
                self._turns.wait(poll)
            mine = ticket == self._serving
        try:
            yield mine
        finally:
            with self._turns:
                if mine:
                    self._serving += 1
                else:  # left the queue: the turn passes over this ticket when it comes
                    self._skipped.add(ticket)
                while self._serving in self._skipped:
                    self._skipped.discard(self._serving)
                    self._serving += 1
                self._turns.notify_all()

    @contextlib.contextmanager
    def playing(self):
        """Count the calling play loop in while it runs."""
        with self._lock:
            self.count += 1
        try:
            yield
        finally:
            with self._lock:
                self.count -= 1

    def frame_rate(self, max_fps: float) -> float:
        """Frames a second each playing session draws: `max_fps` while few play, then the
        `FRAME_BUDGET` shared out, never under `MIN_FRAMES_PER_SECOND`."""
        share = FRAME_BUDGET / max(1, self.count)
        return max(MIN_FRAMES_PER_SECOND, min(float(max_fps), share))


PLAYING = PlayingSessions()


def session_runtime() -> Singleton:
    """A per-session `SessionRuntime` (read it with `.peek()` so renders do not subscribe)."""
    return Singleton(SessionRuntime)


class PlayClock:
    """How many months the play loop steps each frame, so a session keeps its chosen speed
    however long its frames take (a slow frame steps more months, up to
    `MAX_CATCH_UP_SECONDS` worth).

    Args:
        speed: months (rounds) a second.
        max_fps: the most redraws a second.
    """

    def __init__(self, speed: int, max_fps: float):
        self.max_fps = max_fps
        self.anchor(speed, time.monotonic())
        self.frame_start = 0.0

    def anchor(self, speed: int, now: float) -> None:
        self.speed = max(1, int(speed))
        self.t0 = now
        self.stepped = 0

    def months_due(self, speed: int) -> int:
        """Months to step in the frame starting now (at least 1)."""
        now = time.monotonic()
        if int(speed) != self.speed:
            self.anchor(speed, now)
        self.frame_start = now
        due = 1 + math.floor((now - self.t0) * self.speed) - self.stepped
        cap = self.speed * MAX_CATCH_UP_SECONDS
        if due > cap:  # far behind (a long stall): step the cap and forget the rest
            self.anchor(self.speed, now - (cap - 1) / self.speed)  # as if on time from now
            self.stepped = cap
            return cap
        months = max(1, due)
        self.stepped += months
        return months

    def wait(self, max_fps: float | None = None) -> float:
        """Seconds until the next frame: when its month is due, no sooner than the frame cap
        (`max_fps`, default the clock's own)."""
        now = time.monotonic()
        next_month = self.t0 + self.stepped / self.speed
        next_frame = self.frame_start + 1.0 / (max_fps or self.max_fps)
        return max(0.0, next_month - now, next_frame - now)
