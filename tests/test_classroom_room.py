"""The classroom's rooms (issue 15): students and the model's agents in one game.

Timers run on an injected clock, so no test sleeps; rounds run in the compiled model.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pandas as pd
import pytest

import sim
from sim.app.classroom import records as records_io
from sim.app.classroom.debrief import debrief_from_records
from sim.app.classroom.game_world import game_params
from sim.app.classroom.room import TREATMENTS, Room, RoomError
from sim.app.classroom.rooms import CODE_LETTERS, Rooms
from sim.core.constants import KIND_NAMES
from sim.validation.published import CPR_PUBLISHED

# The published design of the laboratory commons game (Ostrom, Gardner & Walker 1994, ch. 5):
# 8 players, 25 tokens, F(X) = 23X - 0.25X^2 cents, 5 cents a token kept.
A, B, W, E, N = 23.0, 0.25, 5.0, 25.0, 8
QUOTA = (A - W) / (2.0 * B) / N  # the optimum shared equally: 4.5 tokens


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def room_with(clock=None, **config) -> Room:
    return Room("TEST", clock=clock or Clock(), **config)


def reference(game: str, seats: int, seed: int, schedule, rounds: int) -> sim.CareSystem:
    """The same world with nobody overriding: a plain CareSystem run."""
    scenario = {"commons": "classroom_commons", "place": "place_system"}[game]
    model = sim.CareSystem(
        rules=schedule,
        scenario=scenario,
        seed=seed,
        horizon=max(1, rounds),
        **game_params(game, seats),
    )
    return model.run_for(rounds)


def expire(room: Room, clock: Clock) -> None:
    """End the open round by its timer."""
    clock.t += room.config["round_seconds"]
    assert room.tick()


# ---------------------------------------------------------------------------- payoffs
def test_earnings_follow_the_published_payoff_for_students_and_agents():
    room = room_with(treatments=("baseline",), rounds_per_block=3)
    alice, bob = room.join("Alice"), room.join("Bob")
    room.start()
    room.submit(alice, 25)
    room.submit(bob, 0.5)
    room.submit(alice, 10)
    room.submit(bob, 3)
    df = room.records()
    assert room.snapshot()["limits"]["endowment"] == E
    for _, rnd in df.groupby("round"):
        x = rnd["choice"].to_numpy()
        total = x.sum()
        expected = W * (E - x) + x / total * (A * total - B * total**2)
        np.testing.assert_allclose(rnd["earnings"], expected, rtol=1e-12)
        assert (rnd["fine"] == 0).all()
        assert rnd["group_total"].iloc[0] == pytest.approx(total, rel=1e-12)
        rent = (A - W) * total - B * total**2
        best = (A - W) ** 2 / (4 * B)
        assert rnd["efficiency"].iloc[0] == pytest.approx(rent / best, rel=1e-9)
    assert set(df["by"]) == {"student", "agent"}
    assert df.loc[df["by"] == "student", "pseudonym"].isin(["Player 1", "Player 2"]).all()
    assert not df.isin(["Alice", "Bob"]).any().any()  # the typed names are never kept
    assert df["nash"].iloc[0] == pytest.approx(N * (A - W) / (B * (N + 1)))
    assert df["optimum"].iloc[0] == pytest.approx(N * QUOTA)


# ---------------------------------------------------------------------------- concurrency
def test_thirty_students_submitting_from_thirty_threads_lose_and_double_nothing():
    seats, rounds = 30, 6
    room = room_with(seats=seats, rounds_per_block=3, treatments=("baseline", "sanctions_imposed"))
    tokens = [room.join() for _ in range(seats)]
    room.start()
    barrier = threading.Barrier(seats)
    errors: list[BaseException] = []

    def choice(i: int, r: int) -> float:
        return float((7 * i + 3 * r) % 26)

    def play(i: int) -> None:
        try:
            for r in range(1, rounds + 1):
                room.submit(tokens[i], choice(i, r), round=r)
                barrier.wait(timeout=120)  # the last submission closed round r
        except BaseException as e:
            errors.append(e)
            barrier.abort()

    threads = [threading.Thread(target=play, args=(i,)) for i in range(seats)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert room.snapshot()["status"] == "finished"
    df = room.records()
    assert len(df) == seats * rounds
    assert not df.duplicated(["round", "seat"]).any()
    assert (df["by"] == "student").all()
    seat_of = {room.player_view(t)["pseudonym"]: room.player_view(t)["seat"] for t in tokens}
    for row in df.itertuples():
        assert seat_of[row.pseudonym] == row.seat
        assert row.choice == choice(row.seat - 1, row.round)
        assert row.claim == row.choice  # what the model played is what was sent
    totals = df.groupby("round").agg(total=("choice", "sum"), group=("group_total", "first"))
    np.testing.assert_allclose(totals["total"], totals["group"], rtol=1e-12)


# ---------------------------------------------------------------------------- refusals
def _open_room():
    clock = Clock()
    room = room_with(clock, rounds_per_block=2)
    alice, bob = room.join(), room.join()
    room.start()
    room.submit(alice, 5)
    room.submit(bob, 5)  # round 1 closed, round 2 open
    room.submit(alice, 7, round=2)
    return room, alice, bob


BAD = {
    "above the endowment": (lambda r, a, b: r.submit(b, 25.5), "25.5", "0 to 25"),
    "below zero": (lambda r, a, b: r.submit(b, -1), "-1", "0 to 25"),
    "not a number": (lambda r, a, b: r.submit(b, "12"), "'12'", "not a number"),
    "NaN": (lambda r, a, b: r.submit(b, math.nan), "nan", "0 to 25"),
    "infinity": (lambda r, a, b: r.submit(b, math.inf), "inf", "0 to 25"),
    "a bool": (lambda r, a, b: r.submit(b, True), "True", "not a number"),
    "double submission": (lambda r, a, b: r.submit(a, 3), "3", "one choice a round"),
    "after the round closed": (lambda r, a, b: r.submit(b, 4, round=1), "round 1", "round 2"),
    "unknown token": (lambda r, a, b: r.submit("forged", 4), "unknown token", "join"),
    "unknown treatment": (lambda r, a, b: r.set_treatment("anarchy"), "'anarchy'", "baseline"),
    "seats after start": (lambda r, a, b: r.configure(seats=9), "seats=9", "before the start"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_or_late_input_is_refused_in_one_line_and_changes_nothing(case):
    room, alice, bob = _open_room()
    action, names, allowed = BAD[case]
    before_records, before = room.records(), room.snapshot()
    with pytest.raises(RoomError) as info:
        action(room, alice, bob)
    message = str(info.value)
    assert "\n" not in message
    assert names in message, message
    assert allowed in message, message
    assert room.version == before["version"]
    assert room.snapshot() == before
    pd.testing.assert_frame_equal(room.records(), before_records)


def test_a_choice_when_no_round_is_open_is_refused():
    clock = Clock()
    room = room_with(clock, rounds_per_block=1, treatments=("baseline",))
    alice = room.join()
    with pytest.raises(RoomError, match=r"no round is open.*waiting"):
        room.submit(alice, 3)  # before the start
    room.start()
    room.pause()
    with pytest.raises(RoomError, match=r"no round is open.*paused"):
        room.submit(alice, 3)
    room.resume()
    room.submit(alice, 3)  # the only round: the room finishes
    with pytest.raises(RoomError, match=r"no round is open.*finished"):
        room.submit(alice, 3)
    assert len(room.records()) == N


def test_unknown_room_code_and_a_full_room_are_refused():
    rooms = Rooms(tick_seconds=None)
    room = rooms.open(seats=2)
    assert len(room.code) == 4
    assert set(room.code) <= set(CODE_LETTERS)
    assert rooms.get(room.code.lower()) is room
    with pytest.raises(RoomError, match="no room with code 'ZZZZ'; check the code on the"):
        rooms.get("ZZZZ")
    room.join()
    room.join()
    with pytest.raises(RoomError, match="full"):
        room.join()
    rooms.close(room.code)
    with pytest.raises(RoomError, match="no room with code"):
        rooms.get(room.code)


# ---------------------------------------------------------------------------- agents
def test_a_student_who_leaves_is_replaced_by_the_models_agent():
    """A student who plays round 1 exactly as the seat's agent would, then leaves: the agent
    takes over, and the whole room is the all-agent run to the bit (the agent starts from the
    state the student left, with the model's rule)."""
    rounds = 4
    plain = reference("commons", N, 1, "fortress", rounds)
    first = reference("commons", N, 1, "fortress", 1).world.claim[0]
    clock = Clock()
    room = room_with(clock, rounds_per_block=rounds, treatments=("baseline",))
    alice = room.join()
    room.start()
    room.submit(alice, float(first))  # round 1 closes at once
    room.leave(alice)
    for _ in range(rounds - 1):
        expire(room, clock)
    df = room.records()
    seat1 = df[df["seat"] == 1].set_index("round")
    assert seat1.loc[1, "by"] == "student"
    assert (seat1.loc[2:, "by"] == "agent").all()
    assert (seat1.loc[2:, "pseudonym"] == "Agent 1").all()
    np.testing.assert_array_equal(room.model.history, plain.history)
    np.testing.assert_array_equal(room.model.world.claim, plain.world.claim)


def test_a_student_who_leaves_before_choosing_is_played_by_the_agent_this_round():
    room = room_with(rounds_per_block=2, treatments=("baseline",))
    alice, bob = room.join(), room.join()
    room.start()
    room.submit(bob, 12)
    room.leave(alice)  # the round closes: every student left has chosen
    rnd = room.records().query("round == 1").set_index("seat")
    assert rnd.loc[1, "by"] == "agent"
    assert rnd.loc[2, "by"] == "student"
    assert room.snapshot()["round"] == 2
    assert room.join()
    assert room.snapshot()["seats"][0]["pseudonym"] == "Player 3"


def test_the_timer_ends_a_round_and_agents_choose_for_absent_students():
    clock = Clock()
    room = room_with(clock, round_seconds=30.0, rounds_per_block=2, treatments=("baseline",))
    alice, bob = room.join(), room.join()
    room.start()
    room.submit(alice, 20)
    clock.t += 29.99
    assert not room.tick()
    assert room.snapshot()["round"] == 1
    assert room.snapshot()["deadline_seconds_left"] == pytest.approx(0.01)
    room.pause()
    clock.t += 1000.0  # a pause stops the timer
    assert not room.tick()
    room.resume()
    assert room.snapshot()["deadline_seconds_left"] == pytest.approx(0.01)
    clock.t += 0.01
    assert room.tick()
    assert room.snapshot()["round"] == 2
    rnd = room.records().set_index("seat")
    assert rnd.loc[1, "by"] == "student"
    assert rnd.loc[2, "by"] == "agent (timeout)"
    assert rnd.loc[2, "pseudonym"] == "Player 2"
    # Round 1's plans come before anyone's choice: the absent student's seat got the agent's.
    plain = reference("commons", N, 1, "fortress", 1)
    assert rnd.loc[2, "choice"] == plain.world.claim[1]
    assert room.player_view(bob)["history"][0]["by"] == "agent (timeout)"


def test_fines_under_imposed_monitoring_follow_the_rules_and_the_money_adds_up():
    rounds = 10
    clock = Clock()
    room = room_with(clock, rounds_per_block=rounds, treatments=("sanctions_imposed",))
    greedy, modest = room.join(), room.join()
    room.start()
    for _ in range(rounds):
        room.submit(greedy, 25)
        room.submit(modest, QUOTA)
    df = room.records()
    rules = TREATMENTS["sanctions_imposed"].rules
    flat = rules.sanction_severity * 10.0  # the game's fine unit (cents a token)
    fined = df[df["fine"] > 0]
    assert (df.loc[df["seat"] == 1, "fine"] > 0).any()  # the greedy student is caught
    assert (df.loc[df["seat"] == 2, "fine"] == 0).all()  # keeping to the quota costs nothing
    np.testing.assert_allclose(fined["fine"], flat * (fined["claim"] - QUOTA), rtol=1e-12)
    assert (df.loc[df["fine"] > 0, "claim"] > QUOTA).all()
    np.testing.assert_allclose(df["net"], df["earnings"] - df["fine"])
    # Each seat's balance in the model is what it earned less its fines.
    net = df.groupby("seat")["net"].sum().to_numpy()
    np.testing.assert_allclose(room.model.world.balance, net, rtol=1e-12)
    per_round = df.groupby("round")["fine"].sum()
    assert per_round.to_numpy() == pytest.approx(
        room.model.history[:, sim.core.constants.M["fines"]]
    )


def test_graduated_fines_under_chosen_sanctions_start_with_a_warning():
    rounds = 8
    room = room_with(rounds_per_block=rounds, treatments=("sanctions_chosen",))
    greedy = room.join()
    room.start()
    for _ in range(rounds):
        room.submit(greedy, 25)
    seat1 = room.records().query("seat == 1")
    rules = TREATMENTS["sanctions_chosen"].rules
    most = rules.sanction_severity * 10.0 * 2.0 * (seat1["claim"] - QUOTA)  # escalation 2
    assert (seat1["fine"] <= most + 1e-9).all()
    fines = seat1["fine"].to_numpy()
    assert fines[0] == 0.0
    assert fines.max() > 0
    assert np.all(np.diff(fines[fines > 0]) >= -1e-9)


@pytest.mark.parametrize("game", ["commons", "place"])
def test_a_room_of_agents_is_the_plain_model_run_to_the_bit(game):
    clock = Clock()
    rpb = 3
    room = room_with(clock, game=game, rounds_per_block=rpb, seed=7)
    room.start()
    for _ in range(4 * rpb):
        expire(room, clock)
    assert room.snapshot()["status"] == "finished"
    schedule = [(k * rpb, TREATMENTS[name].rules) for k, name in enumerate(TREATMENTS)]
    plain = reference(game, 8, 7, schedule, 4 * rpb)
    np.testing.assert_array_equal(room.model.history, plain.history)
    for field in plain.world._fields:
        np.testing.assert_array_equal(getattr(room.model.world, field), getattr(plain.world, field))
    pd.testing.assert_frame_equal(
        room.model.datacollector.get_model_vars_dataframe(),
        plain.datacollector.get_model_vars_dataframe(),
    )
    assert room.model.schedule.steps == plain.schedule.steps  # the treatments, as a schedule
    assert (room.records()["by"] == "agent").all()


def test_a_claim_above_the_agreed_share_changes_that_organisations_payment():
    room = room_with(game="place", rounds_per_block=2, treatments=("baseline",))
    trust = room.join()
    room.start()
    room.submit(trust, 1.5)
    plain = reference("place", 8, 1, "fortress", 1)
    seat1 = room.records().query("round == 1").set_index("seat").loc[1]
    agent_claim = plain.world.claim[0]
    agent_payment = plain.world.payment[0]
    capacity = reference("place", 8, 1, "fortress", 0).world.capacity[0]  # at the round's plan
    assert seat1["claim"] == pytest.approx(min(1.5 * seat1["agreed"], capacity), rel=1e-12)
    assert seat1["claim"] > agent_claim
    assert seat1["earnings"] != agent_payment
    assert seat1["earnings"] > agent_payment
    with pytest.raises(RoomError, match=r"0\.5 to 1\.5 times the agreed share"):
        room.submit(trust, 2.0)
    # Each seat's role on the page is the kind of organisation the model has in that seat.
    kinds = [KIND_NAMES[k].split("_")[0] for k in room.model.world.org_kind]
    roles = [seat["role"] for seat in room.snapshot()["seats"]]
    assert [role.split()[0] for role in roles] == kinds


# ---------------------------------------------------------------------------- data
def test_the_saved_records_reproduce_the_debrief(tmp_path):
    clock = Clock()
    room = room_with(clock, rounds_per_block=2)
    alice = room.join()
    room.start()
    for k in range(8):
        if room.snapshot()["treatment"]["communication"] == "chat":
            room.chat(alice, "let's keep to 4 tokens")
            room.vote(alice, 4)
        if k % 2:
            room.submit(alice, 20)
        else:
            expire(room, clock)
    csv_path, parquet_path = room.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [csv_path.name, parquet_path.name]
    debrief = room.debrief()
    pd.testing.assert_frame_equal(debrief_from_records(pd.read_parquet(parquet_path)), debrief)
    pd.testing.assert_frame_equal(debrief_from_records(records_io.load(csv_path)), debrief)
    assert "keep to 4" not in csv_path.read_text()
    assert list(debrief["treatment"]) == list(TREATMENTS)
    published = CPR_PUBLISHED.loc[debrief["published"]]
    np.testing.assert_array_equal(debrief["published_gross"], published["gross"])
    # The agents' path is the room played by agents alone under the same rules.
    plain = reference(
        "commons", N, 1, [(2 * k, TREATMENTS[n].rules) for k, n in enumerate(TREATMENTS)], 8
    )
    efficiency = plain.history[:, sim.core.constants.M["efficiency"]].reshape(4, 2).mean(axis=1)
    np.testing.assert_allclose(debrief["agents_efficiency"], efficiency, rtol=1e-12)
    assert (debrief["student_share"] == 0.5 / 8).all()


def test_reset_keeps_the_seats_and_clears_the_data():
    room = room_with(rounds_per_block=1)
    alice = room.join()
    room.start()
    room.submit(alice, 3)
    room.reveal(True)
    assert room.snapshot()["earnings"]
    room.reset()
    snap = room.snapshot()
    assert snap["status"] == "waiting"
    assert snap["round"] == 0
    assert snap["last_round"] is None
    assert room.records().empty
    assert snap["humans"] == 1
    assert room.player_view(alice)["pseudonym"] == "Player 1"
    room.configure(seats=4, rounds_per_block=3)
    assert len(room.snapshot()["seats"]) == 4
    assert room.snapshot()["rounds"] == 12


def test_chat_and_vote_only_where_the_treatment_has_them():
    clock = Clock()
    room = room_with(clock, rounds_per_block=1, treatments=("baseline", "communication"))
    alice, bob = room.join(), room.join()
    room.start()
    with pytest.raises(RoomError, match="no chat under"):
        room.chat(alice, "hello")
    with pytest.raises(RoomError, match="no vote under"):
        room.vote(alice, 4)
    expire(room, clock)
    room.chat(alice, "  take\nfour  ")
    room.vote(alice, 4)
    room.vote(bob, 6)
    snap = room.snapshot()
    assert snap["chat"][0]["text"] == "take four"
    assert snap["chat"][0]["pseudonym"] == "Player 1"
    assert snap["target"] == 5.0
    assert room.player_view(bob)["target"] == 5.0
    with pytest.raises(RoomError, match="target 26"):
        room.vote(bob, 26)


def test_the_ticker_thread_starts_with_the_first_room():
    rooms = Rooms(tick_seconds=0.25)
    assert rooms._ticker is None
    rooms.open()
    assert rooms._ticker.daemon
    assert rooms._ticker.is_alive()


def test_a_treatment_only_sets_levers_and_its_flags_follow_them():
    for treatment in TREATMENTS.values():
        rules = treatment.rules
        assert treatment.monitoring == (rules.monitoring > 0 and rules.sanction_severity > 0)
        assert treatment.chosen == (rules.collective_choice > 0)
        assert treatment.published in CPR_PUBLISHED.index


def test_the_teacher_switches_the_treatment_from_the_next_round_to_the_end_of_its_block():
    clock = Clock()
    room = room_with(clock, rounds_per_block=3, treatments=("baseline", "communication"))
    room.start()
    expire(room, clock)
    room.set_treatment("sanctions_imposed")  # during round 2
    assert room.snapshot()["treatment"]["name"] == "baseline"
    assert room.snapshot()["next_treatment"] == "sanctions_imposed"
    for _ in range(5):
        expire(room, clock)
    played = room.records().drop_duplicates("round")["treatment"].tolist()
    assert played == ["baseline", "baseline", "sanctions_imposed", *["communication"] * 3]
    assert room.model.rules == TREATMENTS["communication"].rules


def test_fewer_seats_than_the_students_hold_are_refused():
    room = room_with(seats=4)
    room.join()
    room.join()
    room.join()
    with pytest.raises(RoomError, match="seats=2 refused: a student holds seat 3"):
        room.configure(seats=2)
    assert len(room.snapshot()["seats"]) == 4
    with pytest.raises(RoomError, match="setting 'colour' is unknown"):
        room.configure(colour="red")
    with pytest.raises(RoomError, match="seats \\(the place game\\)=40"):
        room.configure(game="place", seats=40)
    assert room.config["game"] == "commons"


def test_a_round_whose_last_absent_student_left_during_a_pause_closes_on_resume():
    room = room_with(rounds_per_block=2, treatments=("baseline",))
    alice, bob = room.join(), room.join()
    room.start()
    room.submit(alice, 9)
    room.pause()
    room.leave(bob)
    assert room.snapshot()["round"] == 1  # paused: nothing closes
    room.resume()
    assert room.snapshot()["round"] == 2
    assert room.records().set_index("seat").loc[2, "by"] == "agent"


def test_the_teacher_gives_a_gone_students_seat_to_an_agent():
    room = Room("REL", seats=4, rounds_per_block=2, round_seconds=60.0, seed=3)
    tokens = [room.join() for _ in range(3)]
    room.start()
    for token in tokens[:2]:
        room.submit(token, 5.0)
    assert room.snapshot()["round"] == 1  # the third student has gone quiet: the round waits
    before = room.version
    with pytest.raises(RoomError, match="seat 4 cannot be released"):
        room.release(4)  # an agent's seat (seats are numbered from 1)
    with pytest.raises(RoomError, match="seat '1' cannot be released"):
        room.release("1")
    assert room.version == before  # refusals change nothing
    room.release(3)
    # The last student's seat is an agent's now: the round closes, the agent chose for it.
    rows = room.records()
    first = rows[rows["round"] == 1].set_index("seat")
    assert first.loc[3, "by"] == "agent"
    assert list(first.loc[[1, 2], "by"]) == ["student", "student"]
    with pytest.raises(RoomError, match="not in the room"):
        room.submit(tokens[2], 5.0)
    assert room.snapshot()["humans"] == 2
