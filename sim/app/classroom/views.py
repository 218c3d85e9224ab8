"""What the pages show of a room: the projector's snapshot and one player's view.

Plain dicts of numbers and strings, built under the room's lock (the `Room` methods call these),
so a page reads a consistent state and never the room's internals.
"""

from __future__ import annotations

import math

from sim.app.classroom.game_world import seat_roles


def _seconds_left(room) -> float | None:
    if room._status == "open":
        return max(0.0, room._deadline - room._clock())
    if room._status == "paused":
        return room._paused_left
    return None


def _treatment(room) -> dict:
    t = room.current_treatment()
    return {
        "name": t.name,
        "label": t.label,
        "communication": t.communication,
        "vote": t.vote,
        "monitoring": t.monitoring,
        "chosen": t.chosen,
        "published": t.published,
    }


def _limits(room) -> dict:
    low, high = room._limits
    commons = room._config["game"] == "commons"
    return {
        "low": low,
        "high": high,
        "endowment": room._bounds.endowment,
        "unit": "tokens" if commons else "times the agreed share",
        "meaning": (
            "tokens you put into the common pool (the rest earn the outside return)"
            if commons
            else "your claim as a multiple of the agreed share (1 = the agreed share)"
        ),
    }


def _clean(x):
    """NaN as None, so a page (or JSON) shows nothing rather than 'nan'."""
    return None if isinstance(x, float) and math.isnan(x) else x


def _last_round(room) -> dict | None:
    last = room._last
    if last is None:
        return None
    shown = room._revealed
    results = [
        {
            "seat": row["seat"],
            "pseudonym": row["pseudonym"],
            "by": row["by"],
            "choice": row["choice"],
            "earnings": row["earnings"] if shown else None,
            "fine": row["fine"] if shown else None,
        }
        for row in last["rows"]
    ]
    keys = ("group_total", "nash", "optimum", "efficiency", "net_efficiency", "fines",
            "population_health", "system_deficit")  # fmt: skip
    return {"round": last["round"], "treatment": last["treatment"], "results": results} | {
        k: _clean(last[k]) for k in keys
    }


def _earnings_table(room) -> list[dict] | None:
    """Total net earnings by pseudonym over the rounds so far (only when revealed)."""
    if not room._revealed:
        return None
    totals: dict[str, float] = {}
    for row in room._rows:
        totals[row["pseudonym"]] = totals.get(row["pseudonym"], 0.0) + row["net"]
    return [
        {"pseudonym": k, "earnings": v} for k, v in sorted(totals.items(), key=lambda kv: -kv[1])
    ]


def snapshot(room) -> dict:
    """The projector's view.

    Keys: code, game, status ("waiting", "open", "paused", "finished"), round (0 before the
    start), rounds, block, blocks, plan (the treatment of each block), rounds_per_block,
    round_seconds, treatment (name, label, communication, vote, monitoring, chosen, published),
    next_treatment, deadline_seconds_left (None unless open or paused), submitted and humans
    (students who have chosen this round, students in the room), seats (seat, pseudonym, role,
    human, submitted), last_round (None before the first result; round, treatment, results per
    seat: seat, pseudonym, by, choice, and earnings and fine when revealed; group_total, nash,
    optimum, efficiency: the share of the maximum rent kept, net_efficiency: after fines, fines,
    population_health, system_deficit; None where the game has none), nash, optimum, limits
    (low, high, endowment, unit, meaning), target (the median vote, or None), votes, chat
    (pseudonym, text, time), revealed, earnings (total net earnings by pseudonym when revealed,
    else None) and version.
    """
    config = room._config
    students = [s for s, p in enumerate(room._players) if p is not None]
    roles = seat_roles(config["game"], len(room._players))
    seats = [
        {
            "seat": s + 1,
            "pseudonym": p.pseudonym if p else f"Agent {s + 1}",
            "role": role,
            "human": p is not None,
            "submitted": s in room._choices and room._status in ("open", "paused"),
        }
        for s, (p, role) in enumerate(zip(room._players, roles, strict=True))
    ]
    rpb = config["rounds_per_block"]
    return {
        "code": room.code,
        "game": config["game"],
        "status": room._status,
        "round": room._round,
        "rounds": room.total_rounds,
        "block": (max(1, room._round) - 1) // rpb + 1,
        "blocks": len(config["treatments"]),
        "plan": list(config["treatments"]),
        "rounds_per_block": rpb,
        "round_seconds": config["round_seconds"],
        "treatment": _treatment(room),
        "next_treatment": room.treatment_of(room._round + 1).name
        if room._round < room.total_rounds
        else None,
        "deadline_seconds_left": _seconds_left(room),
        "submitted": sum(1 for s in students if s in room._choices),
        "humans": len(students),
        "seats": seats,
        "last_round": _last_round(room),
        "nash": _clean(room._bounds.nash),
        "optimum": _clean(room._bounds.optimum),
        "limits": _limits(room),
        "target": room.target(),
        "votes": len(room._talk.votes),
        "chat": [dict(m) for m in room._talk.messages],
        "revealed": room._revealed,
        "earnings": _earnings_table(room),
        "version": room.version,
    }


def player_view(room, seat: int) -> dict:
    """One player's page: their seat, own choices and earnings so far, whether they may choose
    now, the limits and the group target."""
    player = room._players[seat]
    keys = ("round", "treatment", "choice", "claim", "agreed", "earnings", "fine", "net", "by")
    own = [
        {k: row[k] for k in keys}
        for row in room._rows
        if row["seat"] == seat + 1 and row["pseudonym"] == player.pseudonym
    ]
    submitted = seat in room._choices and room._status in ("open", "paused")
    return {
        "code": room.code,
        "game": room._config["game"],
        "seat": seat + 1,
        "pseudonym": player.pseudonym,
        "role": seat_roles(room._config["game"], len(room._players))[seat],
        "status": room._status,
        "round": room._round,
        "treatment": _treatment(room),
        "may_submit": room._status == "open" and seat not in room._choices,
        "submitted": submitted,
        "choice_this_round": room._choices[seat][0] if submitted else None,
        "deadline_seconds_left": _seconds_left(room),
        "limits": _limits(room),
        "history": own,
        "total_earnings": sum(r["net"] for r in own),
        "target": room.target(),
        "nash": _clean(room._bounds.nash),
        "optimum": _clean(room._bounds.optimum),
        "version": room.version,
    }
