"""The classroom's pages without a browser (`solara.render`) and their helpers: the address
students type, the rules in words, the debrief's table and charts. The browser test is
tests/test_classroom_browser.py."""

from __future__ import annotations

import ipyvue
import ipyvuetify as v
import pytest
import solara
from app_waits import wait_until

from sim.app.classroom import resume
from sim.app.classroom import ui_state as ui
from sim.app.classroom.address import student_address
from sim.app.classroom.charts import debrief_png, path_png, with_nash_efficiency
from sim.app.classroom.debrief_view import markdown_table
from sim.app.classroom.room import TREATMENTS, Room
from sim.app.classroom.student_view import StudentView
from sim.app.classroom.teacher_view import TeacherView
from sim.app.classroom.words import AGREED, MORE, parse_amount, place_choice, rules_text

PNG = b"\x89PNG"


def _texts(rc) -> str:
    """The page's words: its markdown (rendered as templates), alerts and texts."""
    templates = [w.template for w in rc.find(ipyvue.VueTemplate).widgets]
    found = [t.split("<script>")[0] for t in templates if isinstance(t, str)]
    for cls in (v.Alert, v.Html):
        found += [str(c) for w in rc.find(cls).widgets for c in w.children if isinstance(c, str)]
    return "\n".join(found)


def _button(rc, text: str):
    return next(
        w for w in rc.find(v.Btn).widgets if text in [c for c in w.children if isinstance(c, str)]
    )


def test_the_address_students_type():
    local, note = student_address("KXPT", {"SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8766"})
    assert local == "http://127.0.0.1:8766/?room=KXPT"
    assert "make classroom HOST=0.0.0.0" in note
    shared, note = student_address("KXPT", {"SERVER_NAME": "0.0.0.0", "SERVER_PORT": "8766"})
    assert shared.endswith(":8766/?room=KXPT")
    assert "0.0.0.0" not in shared
    assert (note == "") == ("127.0.0.1" not in shared)  # a machine with no network says so


def test_the_rules_in_the_games_words():
    base = rules_text(TREATMENTS["baseline"], "commons")
    assert "25 tokens" in base
    assert "common pool" in base
    assert "Nobody checks" in base
    talk = rules_text(TREATMENTS["communication"], "commons")
    assert "chat" in talk
    assert "quota" in talk
    fines = rules_text(TREATMENTS["sanctions_imposed"], "commons")
    assert "fined" in fines
    assert "imposed" in fines
    assert "chose these rules" in rules_text(TREATMENTS["sanctions_chosen"], "commons")
    assert "agreed share" in rules_text(TREATMENTS["baseline"], "place", {"high": 1.5})


def test_teacher_key_and_addresses():
    key = resume.teacher_key("ABCD")
    assert resume.is_teacher("ABCD", key)
    assert not resume.is_teacher("ABCD", "guess")
    assert not resume.is_teacher("WXYZ", key)
    assert resume.query(resume.address(room="ABCD", seat="t0k")) == {"room": "ABCD", "seat": "t0k"}


@pytest.fixture
def played_room():
    """A room of eight seats, two students, one round of baseline and one of communication."""
    room = Room("TEST", rounds_per_block=1, treatments=("baseline", "communication"), seed=3)
    tokens = [room.join(), room.join()]
    room.start()
    for _ in range(2):
        for k, token in enumerate(tokens):
            room.submit(token, 4.0 + k)
    return room, tokens


def test_debrief_table_and_charts(played_room):
    room, _ = played_room
    table = with_nash_efficiency(room.debrief())
    assert table["nash_efficiency"].iloc[0] == pytest.approx(128 / 324)
    text = markdown_table(table)
    for heading in ("Nash", "optimum", "class: rent kept", "laboratory: rent kept"):
        assert heading in text
    assert len(text.splitlines()) == 2 + 2  # heading, rule, one row a treatment
    assert debrief_png(table).startswith(PNG)
    assert path_png(room.records(), 64.0, 36.0).startswith(PNG)


def test_teacher_and_student_pages_follow_the_room(played_room):
    room, tokens = played_room
    room.reset()
    _box, teacher = solara.render(TeacherView(room), handle_error=False)
    _box, student = solara.render(StudentView(room, tokens[0]), handle_error=False)
    try:
        codes = teacher.find(v.Html, class_="cc-room-code").widgets
        assert [w.children[0] for w in codes] == ["TEST"]
        _button(teacher, "Start").click()  # a click on the teacher's page
        wait_until(lambda: "round open" in _texts(student))  # the student's page follows

        def refused() -> bool:  # nothing typed: refused with a message (clicked until the
            _button(student, "Submit").click()  # new round's render has cleared the last one)
            return "is not a number" in ui.message.value

        wait_until(refused)
        assert room.snapshot()["submitted"] == 0  # and nothing changed
        for token in tokens:
            room.submit(token, 5.0)
        label = "Show the debrief of the rounds so far"
        wait_until(lambda: len(teacher.find(v.Switch, label=label).widgets) == 1)
        teacher.find(v.Switch, label=label).widget.v_model = True  # time ran out: debrief now
        wait_until(lambda: "class: rent kept" in _texts(teacher))
    finally:
        teacher.close()  # stops the pages' polling threads
        student.close()


def test_the_place_games_choice_reaches_the_room():
    """NHS place game: "the agreed share" is a claim of 1 times it, "more" the multiple typed."""
    room = Room("PLCE", game="place", seats=4, rounds_per_block=2, treatments=("baseline",))
    token = room.join()
    room.start()
    _box, page = solara.render(StudentView(room, token), handle_error=False)
    try:
        assert "running the acute trust" in _texts(page)
        _button(page, "Submit").click()  # the agreed share, the form's default
        wait_until(lambda: room.snapshot()["round"] == 2)
    finally:
        page.close()
    assert place_choice(AGREED, "") == 1.0
    room.submit(token, place_choice(MORE, parse_amount(" 1.4 ")))  # what the form sends
    mine = room.records().query("by == 'student'")
    assert list(mine["choice"].round(6)) == [1.0, 1.4]
