"""The group's talk in the communication treatments: a chat and a vote on a group target.

Kept in memory only: the chat is never saved (what students write may be personal).
"""

from __future__ import annotations

import statistics

from sim.app.classroom import inputs
from sim.app.classroom.inputs import RoomError
from sim.app.classroom.treatments import Treatment

MAX_MESSAGES = 200  # chat messages kept (the oldest are dropped)


class Talk:
    """The chat's messages and the players' votes, by seat (the room's lock guards them)."""

    def __init__(self):
        self.messages: list[dict] = []
        self.votes: dict[int, float] = {}

    def say(self, treatment: Treatment, pseudonym: str, text, now: float) -> None:
        """Add a chat message (one line; refused where the treatment has no chat)."""
        if treatment.communication != "chat":
            raise RoomError(
                f"chat refused: no chat under '{treatment.label}'; allowed: chat in the "
                "communication treatments"
            )
        line = inputs.chat_text(text)
        self.messages.append({"pseudonym": pseudonym, "text": line, "time": now})
        del self.messages[:-MAX_MESSAGES]

    def vote(self, treatment: Treatment, seat: int, target, low: float, high: float) -> None:
        """A seat's vote on the group target, in the range of a choice."""
        if not treatment.vote:
            raise RoomError(
                f"vote {target!r} refused: no vote under '{treatment.label}'; allowed: votes in "
                "the communication treatments"
            )
        self.votes[seat] = inputs.number(target, "target", low, high)

    def target(self) -> float | None:
        """The median of the votes (None without votes)."""
        return float(statistics.median(self.votes.values())) if self.votes else None
