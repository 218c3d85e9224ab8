"""The classroom in real browsers (Playwright, Debian's chromium): a teacher and four students,
each in a browser context of their own, play a room of the commons game beside agents.

* Students join with the room's code (two through `?room=CODE` in the address, two typing it);
  an unknown code is refused on the page.
* A round closes when every student has chosen; each student's earnings on the page are the
  payoff computed here from the downloaded data's choices (a X - b X^2 shared by tokens, w on
  the tokens kept; a, b, w and the endowment from `defaults("classroom_commons")`).
* Bad or late input is refused with a message and changes nothing: a choice outside the
  endowment, a word, a second choice in a round, a choice after the last round closed.
* A student who leaves is replaced by an agent (the teacher's view shows the seat as an agent);
  the chat of the communication treatment reaches the teacher; a student's and the teacher's
  reloads keep their seat and their room.
* The debrief shows the class against Nash and the optimum, treatment by treatment; Save
  session writes the data (CSV and Parquet) into a folder.
* After a reset, with a two-second round, a round closes on its timer (agents choose for the
  students who did not: "agent (timeout)").

A second test plays the NHS place game: two students each run a provider, one keeping to the
agreed share and one claiming more (a multiple above the limit refused first); the data's claims
and the pages' earnings follow from their choices.

axe-core finds no serious or critical accessibility problem on a student's page and the
teacher's; the browser console and the server log stay free of errors.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pandas as pd
import pytest
from browser_checks import assert_clean, axe_violations, listen

from sim.core.params import defaults

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

APP = Path(__file__).resolve().parent.parent / "sim" / "app" / "classroom_app.py"
FIRST_LOAD = 240_000  # ms: a cold numba cache compiles the kernel at the room's start
ACTION = 30_000
VIEWPORT = {"width": 1280, "height": 1400}
CHOICES = (3.0, 5.0, 7.0, 9.0)  # the four students' tokens in round 1


def _page(browser, url: str, console: list, wait: bool = True):
    """A page in a browser context of its own (a separate session); with `wait=False` it goes on
    loading while the test opens the next one."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    listen(page, console)
    page.goto(url, wait_until="load" if wait else "commit")
    return page


def _accessible(page) -> None:
    """axe-core finds no serious or critical problem on the page."""
    bad = axe_violations(page, ("serious", "critical"), ACTION)
    assert not bad, f"axe-core on {page.url}: {bad}"


def _refused(page, pattern: str) -> None:
    """The page shows a refusal matching `pattern`."""
    from playwright.sync_api import expect

    expect(page.locator(".cc-refused")).to_contain_text(re.compile(pattern), timeout=ACTION)


def _submit(page, tokens) -> None:
    page.get_by_label(re.compile("Tokens to put in the pool")).fill(str(tokens))
    page.get_by_role("button", name="Submit").click()


def _payoff(x: float, total: float) -> float:
    p = defaults("classroom_commons")
    a, b, w, e = p["cpr_a"], p["cpr_b"], p["outside_return"], p["endowment"]
    return w * (e - x) + (x / total) * (a * total - b * total**2)


def _open_room(browser, url: str, console: list):
    """The teacher's page, with a room opened: (page, the room's four-letter code)."""
    teacher = _page(browser, url, console)
    teacher.get_by_role("button", name="Open a room").click(timeout=ACTION)
    code = teacher.locator(".cc-room-code").inner_text(timeout=ACTION).strip()
    assert re.fullmatch(r"[A-Z]{4}", code), code
    return teacher, code


def _set(page, label: str, value: str) -> None:
    field = page.get_by_label(label)
    field.fill(value)
    field.press("Enter")


def _configure(teacher, seconds: str, first: bool = True) -> None:
    """One round a block, two treatments (baseline, communication), `seconds` a round."""
    from playwright.sync_api import expect

    _set(teacher, "Rounds in each block", "1")
    _set(teacher, "Seconds a round", seconds)
    if first:  # drop the two sanctions treatments from the default four
        teacher.get_by_label("Treatments, one block each, in this order").click(force=True)
        for name in ("sanctions_imposed", "sanctions_chosen"):
            teacher.get_by_role("option", name=name).click()
        teacher.keyboard.press("Escape")
    teacher.get_by_role("button", name="Apply settings").click()
    expect(teacher.locator(".cc-settings")).to_contain_text(
        re.compile(rf"1 round a block, {seconds} s a round. Blocks: 1\. Baseline.*; 2\. Comm"),
        timeout=ACTION,
    )


def _join(page, code: str, typed: bool):
    """The student on `page` joins room `code`, typed or filled in from `?room=CODE`."""
    from playwright.sync_api import expect

    field = page.get_by_label("Room code")
    if typed:
        field.fill(code.lower())  # any case
    else:
        expect(field).to_have_value(code, timeout=ACTION)  # filled in from the address
    page.get_by_role("button", name="Join").click()
    expect(page.locator(".cc-me")).to_contain_text("You are Player", timeout=ACTION)
    return page


def _students(browser, url: str, code: str, console: list):
    """Four students: one who first types an unknown code (refused on the page), then the right
    one; one more typing it; two opening `?room=CODE`. Their pages load side by side."""
    from playwright.sync_api import expect

    addresses = (url, url, f"{url}?room={code}", f"{url}?room={code}")
    pages = [_page(browser, address, console, wait=False) for address in addresses]
    wrong = "ZZZZ" if code != "ZZZZ" else "YYYY"
    pages[0].get_by_label("Room code").fill(wrong, timeout=ACTION)
    pages[0].get_by_role("button", name="Join").click()
    _refused(pages[0], f"no room with code '{wrong}'")
    expect(pages[0].get_by_role("button", name="Open a room")).to_be_visible()
    return [_join(page, code, typed=k < 2) for k, page in enumerate(pages)]


def _earned(page) -> tuple[float, float]:
    """(tokens chosen, earnings) of the student's last round, as the page shows them."""
    from playwright.sync_api import expect

    box = page.locator(".cc-my-earnings")
    expect(box).to_contain_text("you chose", timeout=ACTION)
    found = re.search(r"you chose (\d+(?:\.\d+)?) and earned (\d+\.\d\d)", box.inner_text())
    return float(found.group(1)), float(found.group(2))


def _download_csv(teacher, tmp_path: Path) -> pd.DataFrame:
    with teacher.expect_download(timeout=ACTION) as info:
        teacher.get_by_role("button", name="Download the data (CSV)").click()
    path = tmp_path / "classroom.csv"
    info.value.save_as(path)
    return pd.read_csv(path)


def test_a_class_plays_the_commons_beside_agents(
    solara_server, chromium_path, chromium_args, tmp_path
):
    from playwright.sync_api import expect, sync_playwright

    url, log_path = solara_server(APP)
    console: list = []
    started = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=chromium_args)
        try:
            teacher, code = _open_room(browser, url, console)
            expect(teacher.locator(".cc-address")).to_contain_text(f"?room={code}")
            _configure(teacher, "60")

            students = _students(browser, url, code, console)
            expect(teacher.locator(".cc-seat-count")).to_contain_text("4 students")
            teacher.get_by_role("button", name="Start").click()
            expect(teacher.locator(".cc-status")).to_contain_text("round open", timeout=FIRST_LOAD)
            _round_one(teacher, students)
            _check_earnings(students, _download_csv(teacher, tmp_path))
            _round_two(teacher, students)
            _debrief(teacher)
            _save(teacher, tmp_path / "saved")
            _late_and_timer(teacher, students)
        finally:
            browser.close()
    print(f"classroom browser test: {time.monotonic() - started:.1f} s")
    assert_clean(console, log_path)


def _round_one(teacher, students) -> None:
    """Bad input refused and nothing changed; then every student chooses and the round closes."""
    from playwright.sync_api import expect

    for page in students:  # each page shows the round (a choice names the round it was for)
        expect(page.locator(".cc-me")).to_contain_text("round open; round 1 of 2", timeout=ACTION)
    first = students[0]
    expect(first.locator(".cc-rules")).to_contain_text("25 tokens")
    _submit(first, 30)  # more than the endowment
    _refused(first, r"choice 30\.0 is out of range; allowed: a number from 0 to 25")
    _submit(first, "lots")  # not a number
    _refused(first, "'lots' is not a number")
    expect(teacher.locator(".cc-seat-count")).to_contain_text("Chosen this round: 0 of 4")
    _submit(first, CHOICES[0])
    expect(first.locator(".cc-notice")).to_contain_text("Your choice is in.", timeout=ACTION)
    expect(first.locator(".cc-chosen")).to_contain_text("You have chosen 3 this round")
    _submit(first, 4)  # a second choice in the same round
    _refused(first, "one choice a round")
    expect(teacher.locator(".cc-seat-count")).to_contain_text("Chosen this round: 1 of 4")
    for page, tokens in zip(students[1:], CHOICES[1:], strict=True):
        _submit(page, tokens)
    # Every student has chosen: round 1 closed at once (the timer is a minute) and 2 is open.
    expect(teacher.locator(".cc-group")).to_contain_text("In round 1 the group put", timeout=ACTION)
    expect(teacher.locator(".cc-status")).to_contain_text("round open; round 2 of 2")
    expect(teacher.locator(".cc-plot-path img")).to_have_count(1)


def _check_earnings(students, data: pd.DataFrame) -> None:
    """Each student's earnings on the page are the payoff of the choices in the data."""
    one = data[data["round"] == 1]
    assert len(one) == 8
    assert sorted(one["by"]) == ["agent"] * 4 + ["student"] * 4
    total = float(one["choice"].sum())  # the group's tokens, from every seat's choice
    for page, tokens in zip(students, CHOICES, strict=True):
        shown_tokens, shown = _earned(page)
        assert shown_tokens == tokens
        assert shown == pytest.approx(_payoff(tokens, total), abs=0.006), (tokens, total)


def _round_two(teacher, students) -> None:
    """The communication treatment: a chat line reaches the teacher; a student leaves and an
    agent takes the seat; the others choose and the game ends."""
    from playwright.sync_api import expect

    expect(students[1].locator(".cc-rules")).to_contain_text("chat")
    students[1].get_by_label("Your message").fill("Shall we each put in 4?")
    students[1].get_by_role("button", name="Send").click()
    expect(teacher.locator(".cc-chat-lines")).to_contain_text("Shall we each put in 4?")
    for page in (students[1], teacher):  # the pages with every part: chat, vote, chart, seats
        _accessible(page)
    # A reload (a phone that slept, F5 on the projector) keeps the seat and the room: the
    # address holds them.
    me = students[2].locator(".cc-me").inner_text().split("\n")[0]
    code = teacher.locator(".cc-room-code").inner_text().strip()
    for page in (students[2], teacher):
        page.reload(wait_until="commit")  # both load side by side
    expect(students[2].locator(".cc-me")).to_contain_text(me, timeout=ACTION)
    expect(teacher.locator(".cc-room-code")).to_have_text(code, timeout=ACTION)
    expect(teacher.locator(".cc-chat-lines")).to_contain_text("Shall we each put in 4?")
    gone = students.pop()
    seat = gone.locator(".cc-me").inner_text().split("You are ")[1].split("\n")[0]
    gone.get_by_role("button", name="Leave").click()
    expect(gone.get_by_role("button", name="Join")).to_be_visible(timeout=ACTION)
    expect(gone.get_by_label("Room code")).to_have_value(code)  # to join again
    expect(teacher.locator(".cc-seat-count")).to_contain_text("3 students", timeout=ACTION)
    expect(teacher.locator(".cc-seat-agent")).to_have_count(5)
    expect(teacher.locator(".cc-seats-list")).not_to_contain_text(seat)
    teacher.get_by_role("button", name="Reveal earnings").click()
    for page in students:
        _submit(page, 4)
    expect(teacher.locator(".cc-status")).to_contain_text("finished", timeout=ACTION)
    table = teacher.locator(".cc-earnings")
    expect(table).to_contain_text("Round 2, seat by seat", timeout=ACTION)
    rows = table.locator("tr").all_inner_texts()
    assert sum("student" in r for r in rows) == 3, rows  # the leaver's seat was an agent's


def _debrief(teacher) -> None:
    from playwright.sync_api import expect

    debrief = teacher.locator(".cc-debrief")
    expect(debrief).to_contain_text("Nash", timeout=ACTION)
    expect(debrief).to_contain_text("optimum")
    for label in ("Baseline", "Communication"):
        expect(debrief).to_contain_text(label)
    rows = debrief.locator("tr").all_inner_texts()
    assert len(rows) == 3, rows  # the heading and one row a treatment
    assert all("64" in r and "36" in r for r in rows[1:]), rows  # Nash and optimum totals
    expect(teacher.locator(".cc-plot-debrief img")).to_have_count(1)


def _save(teacher, folder: Path) -> None:
    """Save session writes the records as CSV and Parquet into the folder typed."""
    from playwright.sync_api import expect

    field = teacher.get_by_label("Folder on the server")
    field.fill(str(folder))
    field.press("Enter")
    teacher.get_by_role("button", name="Save session").click()
    expect(teacher.locator(".cc-notice")).to_contain_text("Saved:", timeout=ACTION)
    saved = pd.read_parquet(next(folder.glob("*.parquet")))
    assert sorted(saved["round"].unique()) == [1, 2]
    assert len(next(folder.glob("*.csv")).read_text().splitlines()) == 1 + 16


def _late_and_timer(teacher, students) -> None:
    """A choice after the last round closed is refused; after a reset with two-second rounds,
    a round closes on its timer with the agents choosing for the students."""
    from playwright.sync_api import expect

    late = students[0]
    _submit(late, 5)
    _refused(late, "no round is open")
    teacher.get_by_role("button", name="Reset").click()
    expect(teacher.locator(".cc-notice")).to_contain_text("save it first")
    teacher.get_by_role("button", name="Confirm reset").click()  # data are cleared on a 2nd click
    expect(teacher.locator(".cc-status")).to_contain_text("waiting to start", timeout=ACTION)
    _configure(teacher, "2", first=False)
    teacher.get_by_role("button", name="Start").click()
    expect(teacher.locator(".cc-group")).to_contain_text("In round 1", timeout=ACTION)
    expect(teacher.locator(".cc-earnings")).to_contain_text("Round 1, seat by seat")
    expect(teacher.locator(".cc-earnings")).to_contain_text("agent (timeout)")
    expect(teacher.locator(".cc-status")).to_contain_text("finished", timeout=ACTION)


def test_the_nhs_place_game_in_the_browser(solara_server, chromium_path, chromium_args, tmp_path):
    """The NHS place game: two students each run one of a place's providers beside agents. "The
    agreed share" claims 1 times it and "more" the multiple typed (one above the limit is refused);
    in the data each student's claim is that multiple of the seat's agreed share (each contract's
    within its capacity), and each page's earnings are the data's."""
    from playwright.sync_api import expect, sync_playwright

    url, log_path = solara_server(APP)
    console: list = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=chromium_args)
        try:
            teacher, code = _open_room(browser, url, console)
            teacher.get_by_role("button", name="place", exact=True).click()
            _configure(teacher, "60")
            expect(teacher.locator(".cc-settings")).to_contain_text("NHS place game")
            students = [
                _join(_page(browser, f"{url}?room={code}", console), code, typed=False)
                for _ in range(2)
            ]
            for page in students:
                expect(page.locator(".cc-me")).to_contain_text("running the", timeout=ACTION)
            teacher.get_by_role("button", name="Start").click()
            expect(teacher.locator(".cc-status")).to_contain_text("round open", timeout=FIRST_LOAD)
            # Each page must show the round before its student acts: a choice sent from a page
            # still showing round 0 is refused, and the refusal is cleared when round 1 arrives.
            for page in students:
                expect(page.locator(".cc-me")).to_contain_text(
                    "round open; round 1", timeout=ACTION
                )
            keeper, taker = students
            keeper.get_by_role("button", name="the agreed share", exact=True).click()
            keeper.get_by_role("button", name="Submit").click()
            expect(keeper.locator(".cc-notice")).to_contain_text(
                "Your choice is in.", timeout=ACTION
            )
            taker.get_by_role("button", name="more", exact=True).click()
            amount = taker.get_by_label(re.compile("times the agreed share"))
            amount.fill("99")
            taker.get_by_role("button", name="Submit").click()
            _refused(taker, r"choice 99\.0 is out of range")
            amount.fill("1.4")
            taker.get_by_role("button", name="Submit").click()
            expect(teacher.locator(".cc-status")).to_contain_text("round 2 of 2", timeout=ACTION)
            data = _download_csv(teacher, tmp_path)
            mine = data[(data["round"] == 1) & (data["by"] == "student")].set_index("choice")
            assert sorted(mine.index) == [1.0, 1.4]
            # Claims as multiples of the seat's agreed share, each contract's within its capacity
            kept, more = mine.loc[1.0], mine.loc[1.4]
            assert kept["claim"] == pytest.approx(kept["agreed"], rel=1e-9)
            assert more["agreed"] < more["claim"] <= 1.4 * more["agreed"] * (1 + 1e-12)
            for page, choice in ((keeper, 1.0), (taker, 1.4)):
                shown_choice, shown = _earned(page)
                assert shown_choice == choice
                assert shown == pytest.approx(mine.loc[choice, "earnings"], abs=0.006)
        finally:
            browser.close()
    assert_clean(console, log_path)
