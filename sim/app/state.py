"""Session state of the Solara app: the two panels' rule sets, the scenario, the live runs, the
replicates, and the actions the buttons call (step, play, reset, run replicates).

The state lives in `solara.reactive` variables (one set per browser session), so the page
re-renders when they change; the actions are plain methods, so tests can call them directly.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

import solara

from sim.app.live import LivePair, LiveView
from sim.app.replicates import replicate_images, run_replicates
from sim.app.session import (
    PLAYING,
    REPLICATE_SLOTS,
    PlayClock,
    SessionRuntime,
    session_runtime,
)
from sim.app.settings import (
    DEFAULT_PRESETS,
    MAX_LIVE_MONTHS,
    SIDES,
    GameScenario,
    Scenario,
    panel_rules,
    panel_schedule,
    rules_label,
    set_principle,
)
from sim.core.params import ParameterError, defaults

REPLICATES = 100
CONFIDENCE = 0.95  # confidence level of the replicates' intervals (the page states it)
MAX_FRAMES_PER_SECOND = 4  # redraws a second while playing; faster speeds step several months
SPEEDS = (1, 2, 4, 12, 24, 60)  # months (rounds) per second

log = logging.getLogger(__name__)


class ComparisonState:
    """Everything one side-by-side comparison needs: NHS view (`kind="place_system"`) or the
    teaching view (`kind="games"`, the laboratory commons and public goods games)."""

    def __init__(self, kind: str = "place_system"):
        if kind not in ("place_system", "games"):
            raise ValueError(f"kind={kind!r}; allowed: place_system, games")
        self.kind = kind
        self.preset = {side: solara.reactive(DEFAULT_PRESETS[side]) for side in SIDES}
        self.rules = {
            side: solara.reactive(panel_rules(DEFAULT_PRESETS[side], side)) for side in SIDES
        }
        # Years each panel runs fortress before adopting its rules (0: its rules from the start).
        self.adopt_year = {side: solara.reactive(0) for side in SIDES}
        self.scenario = solara.reactive(Scenario() if kind == "place_system" else GameScenario())
        self.error = solara.reactive("")
        self.view = solara.reactive(None)  # LiveView of the current runs
        self.images = solara.reactive({})  # "series"/"organisations" -> PNG bytes
        # Their hover layers (HTML), made under the session's lock whenever the images are, and
        # empty while playing (the layer would change four times a second). Never made while
        # the page renders: a render that waited for the lock could deadlock with a frame.
        self.hover = solara.reactive({})
        self.month = solara.reactive(0)
        self.playing = solara.reactive(False)
        self.actions = solara.reactive(0)  # Play, Pause and Reset clicks handled (this session)
        self.speed = solara.reactive(4 if kind == "place_system" else 2)
        self.rep_years = solara.reactive(10)
        self.rep_rounds = solara.reactive(30)
        self.rep_result = solara.reactive(None)
        self.rep_images = solara.reactive({})
        self.rep_error = solara.reactive("")
        self.rep_running = solara.reactive(False)
        self.rep_request = solara.reactive(0)
        # The calendar year whose April starts year 1 (0: none): time axes and words then name
        # financial years (2025/26, ...). Set on the result's pickers (`set_start_year`).
        self.start_year = solara.reactive(0)
        self.level = CONFIDENCE
        # Lock, play loop and replicate counters: one per browser session, never shared.
        self._runtime = session_runtime()

    # ------------------------------------------------------------------ this session
    @property
    def runtime(self) -> SessionRuntime:
        """This browser session's lock, play loop and replicate worker."""
        return self._runtime.peek()

    @property
    def lock(self):
        """The session's lock, taken as an action (ahead of the play loop's next frame)."""
        return self.runtime.action

    @property
    def rep_done(self) -> int:
        return self.runtime.rep_done

    @property
    def loops_running(self) -> int:
        """Play loops of this session still running (0 once Pause has taken effect)."""
        return 0 if self.runtime.loop is None else 1

    # ------------------------------------------------------------------ settings
    @property
    def model_scenario(self) -> str:
        return "place_system" if self.kind == "place_system" else self.scenario.value.game

    def params(self) -> dict:
        """Model parameters of the current controls (raises ParameterError if impossible)."""
        return self.scenario.value.params()

    def labels(self) -> dict[str, str]:
        return {
            s: rules_label(self.rules[s].value, s, self.preset[s].value, self.adopt_year[s].value)
            for s in SIDES
        }

    def schedule(self, side: str, months: int | None = None):
        """The panel's rules, as a policy schedule when it adopts them after year 0 (for runs of
        `months` months, fortress throughout when they end before the adoption)."""
        return panel_schedule(self.rules[side].value, self.adopt_year[side].value, months)

    def set_adopt_year(self, side: str, years: int) -> None:
        """Run fortress for `years` years, then the panel's rules (0: its rules throughout)."""
        self.adopt_year[side].value = max(0, int(years))
        self.rebuild()

    def set_preset(self, side: str, preset: str) -> None:
        self.preset[side].value = preset
        self.rules[side].value = panel_rules(preset, side)
        self.rebuild()

    def set_principle(self, side: str, principle: str, on: bool) -> None:
        self.rules[side].value = set_principle(self.rules[side].value, principle, bool(on))
        self.rebuild()

    def set_scenario(self, **changes) -> None:
        """Change scenario controls (funding_gap, need_growth, ageing, n_places, seed, game...)."""
        if "game" in changes and "n_players" not in changes:
            # each laboratory design has its own group size (8 in the commons, 4 in public goods)
            changes["n_players"] = int(defaults(changes["game"])["n_appropriators"])
        self.scenario.value = replace(self.scenario.value, **changes)
        self.rebuild()

    # ------------------------------------------------------------------ runs
    def ensure(self) -> None:
        """Build the runs if there are none yet (first render of a session)."""
        if self.view.value is None and not self.error.value:
            self.rebuild(month=0)

    def rebuild(self, month: int | None = None) -> bool:
        """Rebuild both runs with the current controls and replay them to `month` (default: the
        current month), so a changed control shows its effect at once. Returns False (and
        sets `error`, keeping the old runs) if the controls are impossible."""
        with self.lock:
            target = self.month.value if month is None else int(month)
            try:
                params = self.params()
                pair = LivePair(
                    left=self.schedule("left"),
                    right=self.schedule("right"),
                    scenario=self.model_scenario,
                    params=params,
                    seed=self.scenario.value.seed,
                )
                pair.step(target)
                view = self.view.value
                labels = self.labels()
                start_year = self.start_year.value or None
                if view is not None and view.shows_like(pair, labels):
                    view = view.restarted(pair)  # same settings (Reset): keep the figures
                    view.set_start_year(start_year)
                else:
                    view = LiveView(pair, labels=labels, start_year=start_year)
            except ParameterError as exc:
                self.error.value = str(exc)
                self.playing.value = False
                return False
            self.error.value = ""
            self.view.value = view
            self._publish(view)
            return True

    def set_start_year(self, start_year: int) -> None:
        """Name the years as financial years from April of `start_year` (0: years 1, 2, ...) on
        every time axis: the live plots, the fan and difference charts, the words."""
        start_year = max(0, min(int(start_year or 0), 2100))
        with self.lock:
            self.start_year.value = start_year
            view = self.view.value
            if view is not None and view.set_start_year(start_year):
                self._publish(view)
        result = self.rep_result.value
        if result is not None and self.rep_images.value.get("start_year") != start_year:
            images = replicate_images(result, start_year or None)
            self.rep_images.value = {**images, "start_year": start_year}

    def _publish(self, view: LiveView) -> None:
        """The view's images, hover layers and month to the page (under the session's lock)."""
        self.images.value = view.images()
        self.hover.value = {} if self.playing.value else view.hover()
        self.month.value = view.pair.month

    def step(self, months: int = 1) -> None:
        with self.lock:
            view = self.view.value
            if view is None or self.error.value:
                return
            view.step(months)
            self._publish(view)
            if view.pair.month >= MAX_LIVE_MONTHS:
                self.playing.value = False

    def reset(self) -> None:
        """Stop playing and start fresh runs at month 0 with the current controls."""
        runtime = self.runtime
        with runtime.action, runtime.batch():  # no frame of the play loop lands after it
            with runtime.control:
                self.actions.value += 1
                self.playing.value = False
                runtime.wake.set()
            self.rebuild(month=0)

    def play(self) -> None:
        """Start playing (Play). Idempotent: a second Play keeps the one loop running."""
        runtime = self.runtime
        with runtime.control, runtime.batch():
            self.actions.value += 1
            view = self.view.value
            if self.error.value or view is None or view.pair.month >= MAX_LIVE_MONTHS:
                return
            self.playing.value = True
            runtime.wake.set()
            if runtime.loop is None:  # cleared under this lock by a loop that has stopped
                runtime.loop = runtime.start(self.play_loop, f"play-{self.kind}")

    def pause(self) -> None:
        """Stop playing (Pause): returns once a frame being drawn has landed, and no month is
        stepped after that."""
        runtime = self.runtime
        with runtime.control, runtime.batch():
            self.actions.value += 1
            self.playing.value = False
            runtime.wake.set()
        with runtime.action:  # wait for the frame in progress, if any; then the hover layers
            view = self.view.value
            if view is not None and not self.playing.value:
                self.hover.value = view.hover()

    def _keep_playing(self, me: threading.Thread) -> bool:
        """Whether the loop `me` draws another frame; if not, it is unregistered at once."""
        runtime = self.runtime
        with runtime.control:
            if self.playing.value and runtime.loop is me and not self.error.value:
                return True
            if runtime.loop is me:
                runtime.loop = None
            return False

    def play_loop(self, keep_going=lambda: True) -> None:
        """Step while `playing` is set, at `speed` months a second, redrawing at most
        `MAX_FRAMES_PER_SECOND` times a second, fewer when many sessions play at once
        (`sim.app.session.PLAYING`, which also gives the sessions' frames their turns one at
        a time): a slow or rare frame steps more months, so the speed holds. Runs in the
        session's play thread, or in the caller when called directly (tests)."""
        runtime = self.runtime
        me = threading.current_thread()
        with runtime.control:
            if runtime.loop is None:
                runtime.loop = me
        clock = PlayClock(self.speed.value, MAX_FRAMES_PER_SECOND)
        try:
            with PLAYING.playing():  # many sessions playing: each draws fewer frames
                while keep_going() and runtime.open():
                    with PLAYING.turn(lambda: self.playing.value and runtime.open()):
                        runtime.yield_to_actions()  # clicks waiting for the lock go first
                        with runtime.lock:
                            runtime.wake.clear()
                            if not self._keep_playing(me):
                                return
                            with runtime.batch():
                                self.step(clock.months_due(self.speed.value))
                    runtime.wake.wait(clock.wait(PLAYING.frame_rate(MAX_FRAMES_PER_SECOND)))
        except Exception:
            log.exception("the play loop stopped")
            self.playing.value = False
        finally:
            with runtime.control:
                if runtime.loop is me:
                    runtime.loop = None

    # ------------------------------------------------------------------ replicates
    @property
    def rep_months(self) -> int:
        if self.kind == "place_system":
            return int(self.rep_years.value) * 12
        return int(self.rep_rounds.value)

    def run_replicates(self) -> None:
        """100 replicates of each panel's rule set (numba kernel), fan and difference charts."""
        self.rep_running.value = True
        try:
            params = self.params()
            months = self.rep_months
            runs = (
                self.schedule("left", months),
                self.schedule("right", months),
                self.model_scenario,
                params,
            )
            with REPLICATE_SLOTS:  # a few runs at once over all sessions; the rest queue
                result = run_replicates(
                    *runs,
                    self.scenario.value.seed,
                    self.rep_months,
                    REPLICATES,
                    labels=self.labels(),
                    level=self.level,
                )
                start_year = self.start_year.value
                images = replicate_images(result, start_year or None)  # charts, hover layers
            self.rep_images.value = {**images, "start_year": start_year}
            self.rep_result.value = result
            self.rep_error.value = ""
        except ParameterError as exc:
            self.rep_error.value = str(exc)
        finally:
            self.rep_running.value = False

    def request_replicates(self) -> None:
        """One click of "Run replicates": counted in this session and run in its worker."""
        runtime = self.runtime
        with runtime.action:
            self.rep_request.value += 1
            self.rep_running.value = True
        self.replicates_if_requested()

    def replicates_if_requested(self) -> None:
        """Start this session's replicate worker if a request is waiting and none runs."""
        runtime = self.runtime
        with runtime.action:
            if runtime.rep_thread is None and self.rep_request.value > runtime.rep_done:
                runtime.rep_thread = runtime.start(self._replicates_worker, f"rep-{self.kind}")

    def _replicates_worker(self) -> None:
        """Run the latest request, then any made meanwhile (clicks are coalesced, never lost)."""
        runtime = self.runtime
        try:
            while runtime.open():
                with runtime.lock:
                    request = self.rep_request.value
                    if request <= runtime.rep_done:
                        break
                    runtime.rep_done = request
                self.run_replicates()
        except Exception as exc:
            log.exception("replicates failed")
            self.rep_error.value = f"The replicates failed: {exc}"
        finally:
            with runtime.lock:
                runtime.rep_thread = None
                self.rep_running.value = False
