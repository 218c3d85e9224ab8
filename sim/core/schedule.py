"""Policy schedules: rule sets that change at chosen months ("we adopt shared governance in year 3").

A schedule is a sequence of `(month, rule set)` steps: the first starts at month 0, and each later
step's rules apply once that many months have passed (step `(60, "shared_governance")` governs
months 61 onwards). A plain rule set is a schedule of one step. When the rules change, the
organisations re-decide who belongs to the partnership under the new breadth (`adopt_rules`);
everything else they carry over (trust, cooperation, balances, the pool): the new rules start
from the state the old ones left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.core.checks import check_int
from sim.core.params import ParameterError
from sim.core.rules import RuleSet, resolve


@dataclass(frozen=True)
class Schedule:
    """Rule sets in force from given months.

    Attributes:
        steps: `(month, RuleSet)` pairs, months strictly increasing from 0.
        name: A label; by default the rule sets' names joined as `fortress>shared_governance@60`.
    """

    steps: tuple[tuple[int, RuleSet], ...]
    name: str = ""

    def __post_init__(self):
        if not self.name:
            label = self.steps[0][1].name + "".join(f">{rs.name}@{m}" for m, rs in self.steps[1:])
            object.__setattr__(self, "name", label)

    @property
    def months(self) -> np.ndarray:
        """The month after which each step starts (int64; the first is 0)."""
        return np.array([m for m, _ in self.steps], dtype=np.int64)

    def levers(self) -> np.ndarray:
        """Each step's lever vector, one row per step."""
        return np.vstack([rs.vector() for _, rs in self.steps])

    def at(self, month: int) -> RuleSet:
        """The rule set in force in month `month + 1` (after `month` months)."""
        current = self.steps[0][1]
        for m, rs in self.steps:
            if m <= month:
                current = rs
        return current

    def with_name(self, name: str) -> Schedule:
        return Schedule(self.steps, name)


def is_schedule_like(value) -> bool:
    """Whether `value` is a Schedule or a list/tuple of `(month, rules)` pairs."""
    if isinstance(value, Schedule):
        return True
    if not isinstance(value, list | tuple) or not value:
        return False
    return all(
        isinstance(step, list | tuple)
        and len(step) == 2
        and isinstance(step[0], int | np.integer)
        and not isinstance(step[0], bool)
        for step in value
    )


def as_schedule(value, name: str = "rules") -> Schedule:
    """A Schedule from a Schedule, a list of `(month, rules)` pairs, or a single rule set.

    Raises:
        ParameterError: a month out of order, a first step not at month 0, or a bad rule set,
            named as `rules[i]` in one line.
    """
    if isinstance(value, Schedule):
        return value
    if not is_schedule_like(value):
        return Schedule(((0, resolve(value)),))
    steps = []
    previous = -1
    for i, (month, rules) in enumerate(value):
        month = check_int(month, f"{name}[{i}] month", 0)
        if i == 0 and month != 0:
            raise ParameterError(
                f"{name}[0] month={month} does not start the run; allowed: 0 (the first step "
                "holds the rules from the start)"
            )
        if month <= previous:
            raise ParameterError(
                f"{name}[{i}] month={month} is not after the previous step's {previous}; allowed: "
                "months in increasing order"
            )
        try:
            steps.append((month, resolve(rules)))
        except ParameterError as exc:
            raise ParameterError(f"{name}[{i}]: {exc}") from None
        previous = month
    return Schedule(tuple(steps))


def step_months(months: int) -> str:
    """What the month of a step after the first may be in a run of `months` months."""
    if months <= 1:
        return "no step after the first (a run of 1 month has no later month to change in)"
    return (
        f"a month in [1, {months - 1}] (a step at month m governs months m+1 onwards, so one "
        f"at {months} or later would never apply in a run of {months} months)"
    )


def late_step(schedule: Schedule, months: int) -> int | None:
    """The index of the first step that would never apply in a run of `months` months (its
    month is `months` or later), or None."""
    return next((i for i, (m, _) in enumerate(schedule.steps) if i and m >= months), None)


def check_horizon(schedule: Schedule, months: int, name: str = "rules") -> None:
    """Refuse a step that a run of `months` months would never reach (for callers that know the
    run's length, as experiment files do; `CareSystem` may run on, so it takes any month).

    Raises:
        ParameterError: naming the step (`{name}[i] month`), its month and the allowed range.
    """
    i = late_step(schedule, months)
    if i is not None:
        raise ParameterError(
            f"{name}[{i}] month={schedule.steps[i][0]} is too late; allowed: {step_months(months)}"
        )


def schedules_as_arrays(schedules: Sequence[Schedule]) -> tuple[np.ndarray, np.ndarray]:
    """Lever vectors [n, n_steps, n_levers] and switch months [n, n_steps] for the kernel.

    Shorter schedules are padded by repeating their last step at a month no run reaches.
    """
    depth = max(len(s.steps) for s in schedules)
    never = np.iinfo(np.int64).max
    levers = np.zeros((len(schedules), depth, len(schedules[0].steps[0][1].vector())))
    months = np.full((len(schedules), depth), never, dtype=np.int64)
    for j, s in enumerate(schedules):
        lv = s.levers()
        levers[j, : len(lv)] = lv
        levers[j, len(lv) :] = lv[-1]
        months[j, : len(lv)] = s.months
    return levers, months
