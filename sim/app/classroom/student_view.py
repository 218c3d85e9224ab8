"""A student's view: their pseudonym, the treatment's rules in the game's own words, the
endowment, the choice (tokens for the pool in the commons game; the agreed share or more in the
NHS place game) and Submit, their earnings so far and last round's group result, the chat and
the vote when the treatment has them, and Leave. Every refusal is a message on the page."""

from __future__ import annotations

import solara

from sim.app.classroom import resume
from sim.app.classroom import ui_state as ui
from sim.app.classroom.teacher_view import ChatLines, Messages
from sim.app.classroom.ui_state import get
from sim.app.classroom.words import (
    AGREED,
    MORE,
    STATUS,
    fmt,
    group_sentence,
    money,
    parse_amount,
    place_choice,
    rules_text,
    time_left,
    treatment_of,
)


def _player_view(room, token):
    try:
        return room.player_view(token), ""
    except ui.room_error() as exc:
        return None, str(exc)


@solara.component
def StudentView(room, token):
    snap = ui.use_room(room)
    router = solara.use_router()
    view, problem = solara.use_memo(lambda: _player_view(room, token), [snap])
    # A new round starts with a clean slate: last round's "Your choice is in." is gone.
    solara.use_effect(lambda: ui.message.set(""), [get(snap, "round")])
    if view is None:
        solara.Error(problem or "You are no longer in this room.", classes=["cc-message"])
        solara.Button("Back", on_click=lambda: back(room, router))
        return
    status = get(snap, "status")
    t = treatment_of(get(snap, "treatment"))
    with solara.Column(classes=["cc-student"]):
        ui.Md(
            f"# You are {get(view, 'pseudonym')}{_role(snap, view)}\n"
            f"Room **{get(snap, 'code', room.code)}**: {STATUS.get(status, status)}; round "
            f"{get(snap, 'round', 0)} of {get(snap, 'rounds')}. {time_left(snap)}",
            classes=["cc-me"],
        )
        if t is not None:
            ui.Md(
                f"**{t.label}.** {rules_text(t, get(snap, 'game'), get(view, 'limits'))}",
                classes=["cc-rules"],
            )
        Messages()
        Choice(room, token, snap, view)
        MyResults(snap, view)
        if t is not None and t.vote and status != "waiting":
            Vote(room, token, snap)
        if t is not None and t.communication == "chat" and status != "waiting":
            Chat(room, token, snap)
        solara.Button("Leave", on_click=lambda: leave(room, token, router), outlined=True)


def _role(snap, view) -> str:
    """In the NHS place game, the organisation the student runs."""
    role = get(view, "role")
    return f", running the {role}" if get(snap, "game") == "place" and role else ""


@solara.component
def MyResults(snap, view):
    """The student's earnings so far and last round, and the group's last round."""
    history = get(view, "history") or []
    unit = "cents" if get(snap, "game") == "commons" else "GBP million"
    mine = ""
    if history:
        last = history[-1]
        mine = (
            f" Last round (round {get(last, 'round')}) you chose {fmt(get(last, 'choice'))} and "
            f"earned {money(get(last, 'earnings'))}"
            + (f", fined {fmt(get(last, 'fine'))}" if get(last, "fine") else "")
            + "."
        )
    ui.Md(
        f"Your earnings so far ({unit}): **{money(get(view, 'total_earnings'))}**.{mine} "
        + group_sentence(snap),
        classes=["cc-my-earnings"],
    )


def back(room, router) -> None:
    """To the landing page, the room's code filled in."""
    ui.leave_room()
    router.push(resume.address(room=room.code))


def leave(room, token, router) -> None:
    """Give the seat back to an agent and go to the landing page."""
    ui.act(lambda: room.leave(token))
    back(room, router)


@solara.component
def Choice(room, token, snap, view):
    amount = solara.use_reactive("")
    kind = solara.use_reactive(AGREED)
    game = get(snap, "game", "commons")
    limits = get(view, "limits") or {}
    low, high = get(limits, "low", 0.0), get(limits, "high", 0.0)
    shown_round = get(snap, "round")

    def submit():
        value = parse_amount(amount.value)
        choice = place_choice(kind.value, value) if game == "place" else value
        # The round this page showed: a choice typed for a round that has closed is refused.
        if ui.act(lambda: room.submit(token, choice, round=shown_round), "Your choice is in."):
            amount.set("")

    with solara.Card("Your choice this round", classes=["cc-choice"]):
        # Always there (empty until a choice is in), so the form below keeps its place in the
        # page and a number being typed is not lost when the room's next version arrives.
        chosen = get(view, "submitted")
        ui.Md(
            f"You have chosen **{fmt(get(view, 'choice_this_round'))}** this round: wait for the "
            "others."
            if chosen
            else "",
            classes=["cc-chosen"],
        )
        if game == "place":
            solara.ToggleButtonsSingle(value=kind, values=[AGREED, MORE], classes=["cc-kind"])
            label = f"How much: times the agreed share (above 1, up to {fmt(high)})"
        else:
            label = f"Tokens to put in the pool ({fmt(low)} to {fmt(high)})"
        if game != "place" or kind.value == MORE:
            solara.InputText(label, value=amount, continuous_update=True, classes=["cc-amount"])
        solara.Button("Submit", on_click=submit, color="primary", classes=["cc-submit"])


@solara.component
def Chat(room, token, snap):
    text = solara.use_reactive("")

    def send():
        if ui.act(lambda: room.chat(token, text.value)):
            text.set("")

    with solara.Card("Chat with your group", classes=["cc-chat"]):
        ChatLines(get(snap, "chat") or [])
        solara.InputText("Your message", value=text, continuous_update=True)
        solara.Button("Send", on_click=send)


@solara.component
def Vote(room, token, snap):
    target = solara.use_reactive("")

    def vote():
        ui.act(lambda: room.vote(token, parse_amount(target.value)), "Your vote is in.")

    with solara.Card("Vote on the group's target", classes=["cc-vote"]):
        ui.Md(f"The group's target so far (the median vote): **{fmt(get(snap, 'target'))}**.")
        solara.InputText("Your proposed target for each player", value=target,
                         continuous_update=True)  # fmt: skip
        solara.Button("Vote", on_click=vote)
