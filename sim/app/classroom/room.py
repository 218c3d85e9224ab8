"""One class session: a room of seats, some held by students and the rest by the model's agents.

A round is a month of the room's model (`game_world.play_round`): the agents' choices are the
model's rules, the students' replace their seats' claims after `plan`. A round closes when every
student has chosen (inside the last `submit`) or when its timer ends (`tick`); the next one opens
at once, until the last round of the last block. Every public method takes the room's one lock,
so any number of browser sessions and the ticker may call at once.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

import pandas as pd

from sim.app.classroom import inputs
from sim.app.classroom import records as records_io
from sim.app.classroom.debrief import debrief_from_records
from sim.app.classroom.game_world import bounds, build_model, limits, play_round
from sim.app.classroom.inputs import RoomError
from sim.app.classroom.talk import Talk
from sim.app.classroom.treatments import DEFAULT_TREATMENTS, TREATMENTS, Treatment, treatment_of
from sim.app.classroom.views import player_view, snapshot

__all__ = ["TREATMENTS", "Room", "RoomError", "Treatment"]


@dataclass(frozen=True)
class Player:
    """A student in a seat: the token their browser holds and the pseudonym everyone sees."""

    token: str
    pseudonym: str


class Room:
    """A classroom session (see the module docstring and docs/architecture.md, "Classroom").

    Args:
        code: The room's code, shown on the projector.
        game: "commons" (the laboratory commons game) or "place" (the NHS place game).
        seats: Seats in the group (commons 2-100; place 2-26, organisations of one place).
        rounds_per_block: Rounds of each treatment.
        treatments: The treatments' names, one block each, in order (see `TREATMENTS`).
        round_seconds: Time a round stays open before the agents choose for absent students.
        seed: The model's random numbers (the same seed gives the same agents).
        clock: A monotonic clock in seconds (injectable for tests).

    Raises:
        RoomError: A setting out of range.
    """

    def __init__(
        self,
        code: str,
        *,
        game: str = "commons",
        seats: int = 8,
        rounds_per_block: int = 10,
        treatments=DEFAULT_TREATMENTS,
        round_seconds: float = 60.0,
        seed: int = 1,
        clock=time.monotonic,
    ):
        self.code = code
        self._clock = clock
        self._lock = threading.RLock()
        self._opened = clock()
        self._config: dict = {}
        self._set_config(game=game, seats=seats, rounds_per_block=rounds_per_block,
                         round_seconds=round_seconds, treatments=treatments, seed=seed)  # fmt: skip
        self._players: list[Player | None] = [None] * self._config["seats"]
        self._joined = 0
        self._version = 0
        self._revealed = False
        self._clear()

    # ------------------------------------------------------------------ state
    def _set_config(self, **changes) -> None:
        """Check and apply settings (all or nothing)."""
        config = inputs.settings(self._config, changes)
        self._config = config
        self._bounds = bounds(config["game"], config["seats"])
        self._limits = limits(config["game"], self._bounds.endowment)

    def _clear(self) -> None:
        """Round 0: no model, no data, no votes, no chat."""
        self._status = "waiting"
        self._round = 0
        self._deadline: float | None = None
        self._paused_left: float | None = None
        self._choices: dict[int, tuple[float, float, str]] = {}  # seat: (choice, time, pseudonym)
        self._rows: list[dict] = []
        self._last: dict | None = None
        self._override: tuple[str, int] | None = None  # (treatment, first round)
        self._talk = Talk()
        self._model = None

    def _changed(self) -> None:
        self._version += 1

    def _require(self, action: str, status: str, allowed: str) -> None:
        if self._status != status:
            raise RoomError(f"{action} refused: the room is {self._status}; allowed: {allowed}")

    @property
    def version(self) -> int:
        """A number that grows with every change of the room (a page polls it cheaply)."""
        return self._version

    @property
    def config(self) -> dict:
        """The room's settings."""
        with self._lock:
            return dict(self._config)

    @property
    def total_rounds(self) -> int:
        """Rounds in all: rounds per block times the blocks."""
        with self._lock:
            return self._config["rounds_per_block"] * len(self._config["treatments"])

    def _now(self) -> float:
        """Seconds since the room opened (what the data record, never the wall clock)."""
        return self._clock() - self._opened

    def treatment_of(self, round_: int) -> Treatment:
        """The treatment of round `round_` (from 1): its block's, or the teacher's choice from
        the round it was set to the end of that block."""
        with self._lock:
            config = self._config
            return treatment_of(
                round_, config["rounds_per_block"], config["treatments"], self._override
            )

    def current_treatment(self) -> Treatment:
        """The treatment of the open (or last, or first) round."""
        with self._lock:
            return self.treatment_of(max(1, self._round))

    def _seat_of(self, token) -> int:
        for seat, player in enumerate(self._players):
            if player is not None and player.token == token:
                return seat
        raise RoomError("this player is not in the room (unknown token); join the room again")

    # ------------------------------------------------------------------ players
    def join(self, name: str | None = None) -> str:
        """Take the first seat an agent holds; returns the player's token. `name` is ignored:
        nothing personal is stored, the player gets a pseudonym.

        Raises:
            RoomError: Every seat is held by a student.
        """
        del name  # never stored nor shown
        with self._lock:
            if None not in self._players:
                raise RoomError(f"room {self.code} is full ({len(self._players)} seats taken)")
            seat = self._players.index(None)
            self._joined += 1
            token = secrets.token_urlsafe(16)
            self._players[seat] = Player(token, f"Player {self._joined}")
            self._changed()
            return token

    def leave(self, token) -> None:
        """The player leaves; an agent plays the seat from now (this round too, unless the player
        has already chosen)."""
        with self._lock:
            seat = self._seat_of(token)
            self._players[seat] = None
            self._changed()
            self._close_if_all_in()

    def release(self, seat) -> None:
        """The teacher gives a student's seat (numbered from 1, as in the data) to an agent, so a
        student who closed the page without leaving no longer holds rounds to the timer; their
        token stops working. RoomError for a seat no student holds."""
        with self._lock:
            self._players[inputs.held_seat(seat, self._players)] = None
            self._changed()
            self._close_if_all_in()

    def submit(self, token, choice, round: int | None = None) -> None:
        """This round's choice: tokens in [0, endowment] (commons) or the claim as a multiple of
        the agreed share (place). With `round`, a choice meant for a round that has closed is
        refused. The last student's choice closes the round at once.

        Raises:
            RoomError: An unknown token, a bad value, no round open, a late or second choice.
        """
        with self._lock:
            seat = self._seat_of(token)
            low, high = self._limits
            unit = " tokens" if self._config["game"] == "commons" else " times the agreed share"
            value = inputs.number(choice, "choice", low, high, unit)
            if self._status != "open":
                raise RoomError(f"choice {choice!r} refused: no round is open (the room is "
                                f"{self._status}); allowed: a choice while a round is open")  # fmt: skip
            if round is not None and round != self._round:
                raise RoomError(f"choice {choice!r} for round {round} refused: that round has "
                                f"closed; allowed: a choice for round {self._round}")  # fmt: skip
            if seat in self._choices:
                raise RoomError(f"choice {choice!r} refused: this seat's choice for round "
                                f"{self._round} is in ({self._choices[seat][0]:g}); allowed: one "
                                "choice a round")  # fmt: skip
            self._choices[seat] = (value, self._now(), self._players[seat].pseudonym)
            self._changed()
            self._close_if_all_in()

    def _close_if_all_in(self) -> None:
        students = [s for s, p in enumerate(self._players) if p is not None]
        if self._status == "open" and self._choices and set(students) <= set(self._choices):
            self._close()

    def tick(self) -> bool:
        """Close the open round if its time is up (agents choose for students who have not).
        Returns whether a round closed."""
        with self._lock:
            if self._status != "open" or self._clock() < self._deadline:
                return False
            self._close()
            return True

    # ------------------------------------------------------------------ rounds
    def _open(self, round_: int) -> None:
        treatment = self.treatment_of(round_)
        if round_ > 1 and treatment != self.treatment_of(round_ - 1):
            self._talk.votes = {}  # a new treatment, a new vote
        if treatment.rules != self._model.rules:
            self._model.set_rules(treatment.rules)  # from this round, as a policy schedule
        self._round = round_
        self._status = "open"
        self._choices = {}
        self._deadline = self._clock() + self._config["round_seconds"]

    def _close(self) -> None:
        """Play the round in the model and record it; open the next round or finish."""
        students = {seat: c[0] for seat, c in self._choices.items()}
        outcome = play_round(self._model, self._config["game"], students)
        self._record(outcome)
        self._changed()
        if self._round >= self.total_rounds:
            self._status, self._deadline = "finished", None
        else:
            self._open(self._round + 1)

    def _record(self, out: dict) -> None:
        treatment = self.treatment_of(self._round)
        rows, group = records_io.round_rows(
            out,
            self._choices,
            [p.pseudonym if p else None for p in self._players],
            code=self.code,
            game=self._config["game"],
            seed=self._config["seed"],
            treatment=treatment.name,
            round_=self._round,
            block=(self._round - 1) // self._config["rounds_per_block"] + 1,
            now=self._now(),
        )
        self._rows.extend(rows)
        self._last = {
            "round": self._round,
            "treatment": treatment.name,
            "rows": rows,
            "fines": out["fines"],
            **group,
        }

    # ------------------------------------------------------------------ teacher
    def start(self) -> None:
        """Open round 1 (the room must be waiting)."""
        with self._lock:
            self._require("start", "waiting", "start a waiting room (reset it to play again)")
            config = self._config
            rules = self.treatment_of(1).rules
            self._model = build_model(
                config["game"], config["seats"], config["seed"], rules, self.total_rounds
            )
            self._open(1)
            self._changed()

    def pause(self) -> None:
        """Stop the round's timer; no choices until `resume`."""
        with self._lock:
            self._require("pause", "open", "pause an open round")
            self._paused_left = max(0.0, self._deadline - self._clock())
            self._status, self._deadline = "paused", None
            self._changed()

    def resume(self) -> None:
        """Restart the timer of a paused round where it stopped."""
        with self._lock:
            self._require("resume", "paused", "resume a paused round")
            self._status = "open"
            self._deadline = self._clock() + self._paused_left
            self._paused_left = None
            self._changed()
            self._close_if_all_in()  # whoever left during the pause, the rest may all have chosen

    def reveal(self, on: bool) -> None:
        """Show (or hide) every seat's pseudonymous earnings on the projector."""
        with self._lock:
            if not isinstance(on, bool):
                raise RoomError(f"reveal {on!r} is not True or False; allowed: True, False")
            self._revealed = on
            self._changed()

    def reset(self) -> None:
        """Back to round 0: the same seats and players; the data, votes and chat cleared."""
        with self._lock:
            self._clear()
            self._changed()

    def set_treatment(self, name: str) -> None:
        """Play treatment `name` from the next round to the end of that round's block."""
        with self._lock:
            inputs.treatment(name)
            if self._status == "finished":
                raise RoomError(f"treatment {name!r} refused: the room has finished; allowed: "
                                "reset the room first")  # fmt: skip
            self._override = (name, self._round + 1)
            self._changed()

    def configure(self, **settings) -> None:
        """Change settings (game, seats, rounds_per_block, round_seconds, treatments, seed)
        before the room starts.

        Raises:
            RoomError: The room has started, an unknown setting or a value out of range, or fewer
                seats than the students hold.
        """
        with self._lock:
            asked = ", ".join(f"{k}={v!r}" for k, v in settings.items())
            self._require(
                f"configure {asked}", "waiting", "settings before the start or after reset"
            )
            old = dict(self._config)
            self._set_config(**settings)
            seats = self._config["seats"]
            taken = [s for s, p in enumerate(self._players) if p is not None]
            if taken and taken[-1] >= seats:
                self._set_config(**old)
                raise RoomError(f"seats={seats} refused: a student holds seat {taken[-1] + 1}; "
                                f"allowed: {taken[-1] + 1} seats or more")  # fmt: skip
            self._players = (self._players + [None] * seats)[:seats]
            self._changed()

    # ------------------------------------------------------------------ talk
    def chat(self, token, text: str) -> None:
        """A chat message from a player (kept in memory only, never saved)."""
        with self._lock:
            pseudonym = self._players[self._seat_of(token)].pseudonym
            self._talk.say(self.current_treatment(), pseudonym, text, self._now())
            self._changed()

    def vote(self, token, target) -> None:
        """A player's vote on the group target (the median of the votes is shown to all)."""
        with self._lock:
            seat = self._seat_of(token)
            self._talk.vote(self.current_treatment(), seat, target, *self._limits)
            self._changed()

    def target(self) -> float | None:
        """The group target: the median of the votes (None without votes)."""
        with self._lock:
            return self._talk.target()

    # ------------------------------------------------------------------ views and data
    def snapshot(self) -> dict:
        """The room as the projector shows it (see `views.snapshot`)."""
        with self._lock:
            return snapshot(self)

    def player_view(self, token) -> dict:
        """One player's page (see `views.player_view`)."""
        with self._lock:
            return player_view(self, self._seat_of(token))

    def records(self) -> pd.DataFrame:
        """One row per seat and round (columns `records.COLUMNS`)."""
        with self._lock:
            return records_io.frame(list(self._rows))

    def save(self, folder) -> tuple:
        """Write the records as CSV and Parquet into `folder`, atomically; returns both paths."""
        return records_io.save(self.records(), folder, f"classroom_{self.code}")

    def debrief(self) -> pd.DataFrame:
        """Per treatment: class, agents, Nash, optimum, the laboratory (`debrief_from_records`)."""
        return debrief_from_records(self.records())

    @property
    def model(self):
        """The room's model (a `CareSystem`; None before the start)."""
        return self._model
