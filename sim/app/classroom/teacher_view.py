"""The teacher's view, made to be projected: the room's code large and the address students
type; the game and its settings before the start; the controls (start, pause/resume, reveal,
reset, next treatment); live, who has chosen and the time left; after each round the group's
path against Nash and the optimum, the share of the maximum rent kept and (when revealed) each
player's earnings; the vote and chat when the treatment has them; the data; and the debrief."""

from __future__ import annotations

import solara

from sim.app.accessible import AltImage
from sim.app.classroom import ui_state as ui
from sim.app.classroom.address import student_address
from sim.app.classroom.charts import path_png
from sim.app.classroom.data_panel import DataPanel
from sim.app.classroom.debrief_view import DebriefView
from sim.app.classroom.ui_state import get
from sim.app.classroom.words import (
    GAMES,
    STATUS,
    fmt,
    group_sentence,
    results_rows,
    time_left,
    treatment_label,
    treatment_of,
    treatments,
)


@solara.component
def TeacherView(room):
    snap = ui.use_room(room)
    code = get(snap, "code", room.code)
    status = get(snap, "status")
    address, note = solara.use_memo(lambda: student_address(code), [code])
    early = solara.use_reactive(False)  # the debrief before the last round (time ran out)
    with solara.Column(classes=["cc-teacher"]):
        with solara.Row(style={"align-items": "center", "gap": "24px"}):
            solara.v.Html(tag="h1", children=[code], class_="cc-room-code")  # the page's title
            with solara.Column(gap="0px"):
                ui.Md(f"Students open **{address}**, or the address without `?room=...` and "
                      f"the code **{code}**.", classes=["cc-address"])  # fmt: skip
                if note:
                    ui.Md(note, classes=["cc-help"])
        ui.Md(
            f"**{GAMES.get(get(snap, 'game'), get(snap, 'game'))}**: "
            f"{STATUS.get(status, status)}; round {get(snap, 'round', 0)} of "
            f"{get(snap, 'rounds')}, block {get(snap, 'block')} of {get(snap, 'blocks')}: "
            f"*{treatment_label(get(snap, 'treatment'))}*. {time_left(snap)}",
            classes=["cc-status"],
        )
        Messages()
        if status == "waiting":
            SetupForm(room, get(snap, "version", 0))
        Controls(room, snap)
        Seats(room, snap)
        RoundResults(room, snap)
        TalkPanel(snap)
        DataPanel(room, snap)
        if status in ("open", "paused") and get(snap, "last_round") is not None:
            solara.Switch(label="Show the debrief of the rounds so far", value=early)
        if status == "finished" or (early.value and get(snap, "last_round") is not None):
            DebriefView(room, get(snap, "version", 0))


@solara.component
def Messages():
    """The last refusal (red) or notice (blue) of this session."""
    if ui.message.value:
        if ui.message_kind.value == "error":
            solara.Error(ui.message.value, classes=["cc-message", "cc-refused"])
        else:
            solara.Info(ui.message.value, classes=["cc-message", "cc-notice"])


@solara.component
def SetupForm(room, version: int):
    """The game and its settings, applied with `room.configure` before the start (`version`
    re-renders it when the room's settings change)."""
    current = room.config
    game = solara.use_reactive(current["game"])
    seats = solara.use_reactive(current["seats"])
    rounds = solara.use_reactive(current["rounds_per_block"])
    seconds = solara.use_reactive(float(current["round_seconds"]))
    chosen = solara.use_reactive(list(current["treatments"]))

    def apply():
        settings = {
            "game": game.value,
            "seats": seats.value,
            "rounds_per_block": rounds.value,
            "round_seconds": seconds.value,
            "treatments": tuple(chosen.value),
        }
        ui.act(lambda: room.configure(**settings), "Settings applied.")

    with solara.Card("The game and its settings", classes=["cc-setup"]):
        ui.Md("**Game**", classes=["cc-game-label"])
        solara.ToggleButtonsSingle(value=game, values=list(GAMES), classes=["cc-game"])
        ui.Md(GAMES.get(game.value, ""), classes=["cc-help"])
        solara.InputInt("Seats (students and agents)", value=seats, classes=["cc-seats"])
        solara.InputInt("Rounds in each block", value=rounds, classes=["cc-rounds"])
        solara.InputFloat("Seconds a round", value=seconds, classes=["cc-seconds"])
        solara.SelectMultiple(
            "Treatments, one block each, in this order",
            values=chosen,
            all_values=list(treatments()),
            classes=["cc-treatments"],
        )
        solara.Button("Apply settings", on_click=apply, color="primary", outlined=True)
        order = "; ".join(f"{k + 1}. {treatment_label(n)}" for k, n in enumerate(current["treatments"]))  # fmt: skip
        ui.Md(
            f"**Now**: {GAMES.get(current['game'])}, {current['seats']} seats, "
            f"{rounds_text(current['rounds_per_block'])} a block, "
            f"{fmt(current['round_seconds'])} s a round. Blocks: {order}.",
            classes=["cc-settings"],
        )


def rounds_text(n: int) -> str:
    return f"{n} round{'s' if n != 1 else ''}"


def next_treatment(room, snap) -> str | None:
    """The treatment after the current one in the room's order (None after the last)."""
    order = list(room.config["treatments"])
    current = getattr(treatment_of(get(snap, "treatment")), "name", None)
    return order[order.index(current) + 1] if current in order[:-1] else None


@solara.component
def Controls(room, snap):
    status = get(snap, "status")
    revealed = bool(get(snap, "revealed", False))
    following = next_treatment(room, snap)
    label = treatment_label(following)
    with solara.Row(classes=["cc-controls"], style={"flex-wrap": "wrap"}):
        solara.Button("Start", on_click=lambda: ui.act(room.start), disabled=status != "waiting")
        if status == "paused":
            solara.Button("Resume", on_click=lambda: ui.act(room.resume))
        else:
            solara.Button("Pause", on_click=lambda: ui.act(room.pause), disabled=status != "open")
        solara.Button(
            "Hide earnings" if revealed else "Reveal earnings",
            on_click=lambda: ui.act(lambda: room.reveal(not revealed)),
        )
        solara.Button(
            f"Next treatment: {label}" if following else "Next treatment",
            on_click=lambda: ui.act(
                lambda: room.set_treatment(following), f"From the next round: {label}."
            ),
            disabled=following is None or status in ("waiting", "finished"),
        )
        ResetButton(room, status)


@solara.component
def ResetButton(room, status: str):
    """Reset clears the room's data, so it asks for a second click (once rounds are played)."""
    armed = solara.use_reactive(False)

    def click():
        if status == "waiting" or armed.value:
            armed.set(False)
            ui.act(room.reset, "The room starts again: round 0, the same students.")
        else:
            armed.set(True)
            ui.say("Reset clears this session's data: save it first, then click Confirm reset.")

    label = "Confirm reset" if armed.value and status != "waiting" else "Reset"
    solara.Button(label, on_click=click, color="error" if label != "Reset" else None)


@solara.component
def Seats(room, snap):
    """Who is in the room and who has chosen this round (pseudonyms only); a student's seat can
    be given back to an agent (a student who closed the page without leaving)."""
    ui.Md(
        f"**Seats**: {get(snap, 'humans', 0)} students, the others agents. Chosen this round: "
        f"{get(snap, 'submitted', 0)} of {get(snap, 'humans', 0)}.",
        classes=["cc-seat-count"],
    )
    with solara.Row(classes=["cc-seats-list"], style={"flex-wrap": "wrap"}):
        for index, seat in enumerate(get(snap, "seats") or []):
            human = bool(get(seat, "human"))
            done = bool(get(seat, "submitted"))
            who = "student" if human else "agent"
            playing = get(snap, "status") in ("open", "paused")
            mark = ", chosen" if done else (", waiting" if human and playing else "")
            role = f"{get(seat, 'role')}, " if get(snap, "game") == "place" else ""
            solara.Text(
                f"{get(seat, 'pseudonym')} ({role}{who}{mark})",
                classes=["cc-seat", f"cc-seat-{who}", f"cc-seat-{'done' if done else 'open'}"],
            )
            if human:
                solara.Button(
                    f"Give {get(seat, 'pseudonym')}'s seat to an agent",
                    on_click=lambda k=index + 1: ui.act(
                        lambda: room.release(k), "Seat given to an agent."
                    ),
                    text=True,
                    small=True,
                    classes=["cc-release"],
                )


@solara.component
def RoundResults(room, snap):
    """After each round: the path chart, the group's result, and earnings when revealed."""
    last = get(snap, "last_round")
    played = last is not None
    image = solara.use_memo(
        lambda: (
            path_png(room.records(), get(snap, "nash"), get(snap, "optimum")) if played else b""
        ),
        [get(last, "round"), get(snap, "status"), get(snap, "code")],
    )
    if not played:
        return
    ui.Md(group_sentence(snap), classes=["cc-group"])
    AltImage(image, "path", "The group's total each round against the Nash and optimum lines.")
    if get(snap, "revealed"):
        Earnings(snap)


@solara.component
def Earnings(snap):
    """Each seat's last round and everyone's earnings so far (pseudonyms only)."""
    lines = ["| player | played by | choice | earnings | fine |", "|---|---|---|---|---|"]
    lines += [
        f"| {get(r, 'pseudonym')} | {get(r, 'by')} | {fmt(get(r, 'choice'))} | "
        f"{fmt(get(r, 'earnings'), 4)} | {fmt(get(r, 'fine'))} |"
        for r in results_rows(snap)
    ]
    lines += ["", "| player | earnings so far |", "|---|---|"]
    lines += [
        f"| {get(r, 'pseudonym')} | {fmt(get(r, 'earnings'), 5)} |"
        for r in get(snap, "earnings") or []
    ]
    title = f"**Round {get(get(snap, 'last_round'), 'round')}, seat by seat**"
    ui.Md(title + "\n\n" + "\n".join(lines), classes=["cc-earnings"])


@solara.component
def TalkPanel(snap):
    """The vote and the chat, when the treatment has them (read-only here)."""
    t = treatment_of(get(snap, "treatment"))
    if t is None or get(snap, "status") == "waiting":
        return
    if t.vote:
        ui.Md(
            f"**Vote**: {get(snap, 'votes', 0)} votes; the group's target (their median) is "
            f"**{fmt(get(snap, 'target'))}** each.",
            classes=["cc-vote-result"],
        )
    if t.communication == "chat":
        ChatLines(get(snap, "chat") or [])


@solara.component
def ChatLines(messages: list):
    lines = "\n".join(f"* **{get(m, 'pseudonym')}**: {get(m, 'text')}" for m in messages[-12:])
    ui.Md("**Chat**\n\n" + (lines or "(nothing yet)"), classes=["cc-chat-lines"])
