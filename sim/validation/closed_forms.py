"""The laboratory commons game: closed forms re-derived from first principles, and an independent
numerical solution (scipy) to check both them and the engine's ``commons_optimum``/``commons_nash``.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize


def group_return(x_total, a: float = 23.0, b: float = 0.25):
    """F(X) = aX - bX^2: the group's return (cents) from X tokens in the common pool."""
    return a * np.asarray(x_total, dtype=float) - b * np.asarray(x_total, dtype=float) ** 2


def rent(x_total, a: float = 23.0, b: float = 0.25, w: float = 5.0):
    """Net yield of the pool: F(X) - wX, the return above what the tokens earn outside."""
    return group_return(x_total, a, b) - w * np.asarray(x_total, dtype=float)


def optimum_closed_form(a: float = 23.0, b: float = 0.25, w: float = 5.0) -> float:
    """Social optimum X*. The group maximises R(X) = (a - w)X - bX^2; R'(X) = a - w - 2bX = 0
    gives X* = (a - w) / 2b (R'' = -2b < 0, so a maximum)."""
    return max(0.0, (a - w) / (2.0 * b))


def max_rent(a: float = 23.0, b: float = 0.25, w: float = 5.0) -> float:
    """R(X*) = (a - w)^2 / 4b."""
    return float(rent(optimum_closed_form(a, b, w), a, b, w))


def nash_closed_form(a: float = 23.0, b: float = 0.25, w: float = 5.0, n: int = 8) -> float:
    """Total appropriation X^N at the symmetric Nash equilibrium.

    Player i earns u_i = w(e - x_i) + (x_i / X) F(X) = w(e - x_i) + x_i (a - bX). With the others'
    tokens fixed, du_i/dx_i = -w + a - bX - b x_i = 0. At a symmetric equilibrium x_i = X/n, so
    a - w = bX (1 + 1/n), giving X^N = n(a - w) / (b(n + 1)) (d2u_i/dx_i^2 = -2b < 0). Valid while
    X^N/n does not exceed the endowment.
    """
    return max(0.0, n * (a - w) / (b * (n + 1.0)))


def efficiency(x_total, a: float = 23.0, b: float = 0.25, w: float = 5.0):
    """Rent kept, as a share of the maximum rent (1 at the optimum, 0 at open access)."""
    return rent(x_total, a, b, w) / max_rent(a, b, w)


def player_payoff(x_i: float, others: float, a: float, b: float, w: float, e: float) -> float:
    """A player's earnings (cents): the outside return on tokens kept out plus a pro-rata share."""
    total = x_i + others
    share = x_i / total * (a * total - b * total * total) if total > 0 else 0.0
    return w * (e - x_i) + share


def numerical_optimum(a: float, b: float, w: float, n: int, e: float) -> float:
    """Total appropriation maximising the group's earnings, by bounded numerical maximisation."""
    res = optimize.minimize_scalar(
        lambda x: -(w * (n * e - x) + a * x - b * x * x),
        bounds=(0.0, n * e),
        method="bounded",
        options={"xatol": 1e-10},
    )
    return float(res.x)


def best_response(others: float, a: float, b: float, w: float, e: float) -> float:
    """A player's payoff-maximising tokens given the others' total (numerical maximisation)."""
    res = optimize.minimize_scalar(
        lambda x: -player_payoff(x, others, a, b, w, e),
        bounds=(0.0, e),
        method="bounded",
        options={"xatol": 1e-11},
    )
    return float(res.x)


def numerical_nash(a: float, b: float, w: float, n: int, e: float) -> float:
    """Total appropriation at the symmetric Nash equilibrium, found numerically: the fixed point
    x = BR((n - 1) x) of the numerically computed best response (root found by brentq)."""

    def gap(x):
        return best_response((n - 1) * x, a, b, w, e) - x

    lo, hi = 1e-9, e
    if gap(hi) >= 0:  # corner: everyone invests the whole endowment
        return n * e
    x = optimize.brentq(gap, lo, hi, xtol=1e-10)
    return float(n * x)


def is_nash(x_total: float, a: float, b: float, w: float, n: int, e: float, tol=1e-6) -> bool:
    """True when no player gains more than `tol` cents by any deviation on a fine grid."""
    x = x_total / n
    others = x_total - x
    here = player_payoff(x, others, a, b, w, e)
    grid = np.linspace(0.0, e, 2001)
    best = max(player_payoff(g, others, a, b, w, e) for g in grid)
    return best <= here + tol
