"""check.html, the live hand-count check: what it may load over real HTTP (who gets it:
test_setup_page.py), and an installer tallying people in a real browser (Debian's Chromium
driven by Playwright) against the real `footfall serve` counting the synthetic scene."""

from __future__ import annotations

import itertools
import json
import re
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from footfall.api.check_page import FEW_PEOPLE, WINDOW_S
from footfall.counting.groundtruth import (
    TrueEvent,
    combined_accuracy,
    direction_accuracy,
    match_events,
)
from tests.api.liveserver import LiveServer
from tests.browser import operator_page

OPERATOR = "/local/tvpc/.apioperator"


def test_the_page_calls_only_actions_the_api_has(pages: LiveServer) -> None:
    with pages.client(httpx.DigestAuth("op", "oppass")) as c:
        page = c.get(f"{OPERATOR}?check.html").text
    called = set(re.findall(r'API \+ "\?([\w.-]+)', page))
    called |= set(re.findall(r'(?:post|action)\("([\w.-]+)&', page)) | set(
        re.findall(r'"(check-save)&"', page)
    )
    assert called == {
        "live-sum.json",
        "snapshot.jpg",
        "check-record",
        "check-save",
        "check-result",
        "check-fit",
        "setparams",
    }
    for name in called:
        assert pages.ctx.actions.get(name) is not None, name
    assert "@" not in re.sub(r"[\w.]+@[\w.]+", "", page)  # every placeholder filled in


def live_sum(base: str, auth: httpx.DigestAuth) -> tuple[int, int]:
    body = httpx.get(f"{base}{OPERATOR}?live-sum.json", auth=auth, timeout=10).json()
    return body["in"], body["out"]


def test_an_installer_checks_the_count_in_a_real_browser(tmp_path: Path, chromium: str) -> None:
    """Start, tap in and out with the keys and the buttons, undo one, stop: the page shows the
    hand tally, what the counter's totals rose by over the check (at least their rise between
    Start and Stop, at most their rise from before Start to after the result), the accuracy as
    `footfall eval` scores it, and the check as JSON; few people, it says so. Then its verdicts
    and its reading of totals that start again at a new day."""
    from playwright.sync_api import expect

    auth = httpx.DigestAuth("op", "secret")
    with operator_page(tmp_path / "data", chromium, "check.html") as (page, base):
        expect(page.locator("#view")).to_have_attribute(
            "src", re.compile(r"snapshot\.jpg"), timeout=30_000
        )
        expect(page.locator("#in")).to_be_disabled()
        before = live_sum(base, auth)
        page.click("#start")
        expect(page.locator("#result")).to_contain_text("Counting", timeout=10_000)
        started = live_sum(base, auth)
        for key in ("i", "ArrowUp", "i"):
            page.keyboard.press(key)
        page.click("#out")
        page.keyboard.press("o")
        page.click("#undo")
        page.keyboard.down("i")  # held: one tap, not the key's repeats
        page.keyboard.down("i")
        page.keyboard.up("i")
        page.keyboard.press("Control+o")  # the browser's, not a tap
        page.click("#undo")
        expect(page.locator("#hand-in")).to_have_text("3")
        expect(page.locator("#hand-out")).to_have_text("1")
        # a person crosses: tap them at once, as an installer by the door would
        seen, deadline = live_sum(base, auth), time.monotonic() + 60
        while seen == live_sum(base, auth) and time.monotonic() < deadline:
            time.sleep(0.1)
        now = live_sum(base, auth)
        page.click("#in" if now[0] > seen[0] else "#out")
        while sum(live_sum(base, auth)) < sum(started) + 2 and time.monotonic() < deadline:
            time.sleep(0.5)  # the synthetic scene's people crossing meanwhile
        stopping = live_sum(base, auth)
        page.click("#stop")
        page.keyboard.press("i")  # stopped: no more taps
        expect(page.locator("#result")).to_contain_text("Combined accuracy", timeout=20_000)
        after = live_sum(base, auth)
        text = page.text_content("#result") or ""
        pairs = page.text_content("#pairs") or ""
        record = json.loads(page.input_value("#record"))
        shown = [page.text_content("#counter-in"), page.text_content("#counter-out")]
        # the outcome is kept on the counter, with its alarms
        expect(page.locator("#kept")).to_contain_text(
            "Kept on the counter as check", timeout=10_000
        )
        day = httpx.get(f"{base}{OPERATOR}?live-sum.json", auth=auth, timeout=10).json()
        kept = httpx.get(
            f"{base}{OPERATOR}?alarm-export-json&kind=check&date={day['timestamp'][:8]}",
            auth=auth,
            timeout=10,
        ).json()["events"]
        # the verdicts, on tallies of their own
        right = page.evaluate(
            "taps = Array.from({length: 30}, () => ({way: 'in', at: ''}));"
            " rose = [30, 0]; verdict(); [$('result').textContent, $('result').className]"
        )
        off = page.evaluate(
            "rose = [27, 2]; verdict(); [$('result').textContent, $('result').className]"
        )
        # an event stream that brought too few of the passages: no pairing made up
        unpaired = page.evaluate("passages = []; verdict(); $('pairs').textContent")
        # today's totals start again at midnight: what they show then was added
        rolled = page.evaluate("last = [10, 5]; rose = [0, 0]; add([2, 1]); add([4, 1]); rose")
    hand = record["hand"]["in"], record["hand"]["out"]
    assert sum(hand) == 5 and hand[0] >= 3 and hand[1] >= 1
    assert [t["way"] for t in record["taps"]][:4] == ["in", "in", "in", "out"]
    counted = record["counter"]["in"], record["counter"]["out"]
    for k in (0, 1):
        assert stopping[k] - started[k] <= counted[k] <= after[k] - before[k]
    assert sum(counted) >= 2  # the scene's people were counted over the check
    accuracy = combined_accuracy(*counted, *hand)
    assert record["combined_accuracy"] == pytest.approx(accuracy, abs=1e-4)
    assert f"the counter {counted[0]} in and {counted[1]} out" in text
    assert shown == [str(counted[0]), str(counted[1])]  # as it rose, beside the tally
    assert f"Combined accuracy {accuracy:.3f}" in text
    each = direction_accuracy(counted[0], hand[0]), direction_accuracy(counted[1], hand[1])
    assert f"in {each[0]:.3f}, out {each[1]:.3f}" in text
    assert f"fewer than {FEW_PEOPLE} people" in text
    assert "counts this door right" in right[0] and right[1] == "good"
    assert "Combined accuracy 0.833 (in 0.900, out 0.000)" in off[0] and "--fit" in off[0]
    assert off[1] == "bad"
    assert rolled == [4, 1]
    assert len(kept) == 1
    assert (kept[0]["hand_in"], kept[0]["hand_out"]) == hand
    assert (kept[0]["counter_in"], kept[0]["counter_out"]) == counted
    assert kept[0]["combined_accuracy"] == round(accuracy, 4)
    assert kept[0]["matched"] == record["matched"]
    assert unpaired == (
        "Tap by tap: not shown, the counter's event stream (/footfall/events) brought 0 of its"
        " 29 passages."
    )
    # tap by tap: the event stream brought the passages the totals rose by (give or take one
    # at the edges of the check), and the page paired them with the taps as eval pairs events
    # (the most pairs within WINDOW_S; eval's window is 1 s of frames, here 2 s of ms)
    assert abs(len(record["passages"]) - sum(counted)) <= 1
    ms = [(round(_ms(t["at"])), t["way"]) for t in record["taps"]]
    cs = [(round(_ms(p["at"])), p["way"]) for p in record["passages"]]
    truth = [TrueEvent(at, way) for at, way in ms]
    assert record["matched"] == match_events(cs, truth, fps=1000.0 * WINDOW_S)
    assert record["matched"] >= 1  # the tap given as a person crossed
    assert f"{record['matched']} of your 5 taps matched" in pairs


def _ms(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000.0


def test_a_check_recorded_from_the_page_leaves_a_recording_and_its_hand_count(
    tmp_path: Path, chromium: str
) -> None:
    """ "Record the check" ticked: Start records on the counter, Stop saves the taps as the
    recording's hand count (in the counter's clock), and the page names both files and the
    command that fits the counter to them, and offers the recording for a fit there and then
    (of so few people, nothing to set)."""
    from playwright.sync_api import expect

    data = tmp_path / "data"
    with operator_page(data, chromium, "check.html") as (page, _):
        page.check("#record-it")
        page.click("#start")
        expect(page.locator("#saved")).to_contain_text("Recording to check-", timeout=10_000)
        time.sleep(2)
        for key in ("i", "o", "i"):
            page.keyboard.press(key)
            time.sleep(0.5)
        page.click("#stop")
        expect(page.locator("#saved")).to_contain_text("Recorded ", timeout=30_000)
        saved = page.text_content("#saved") or ""
        # offered for a fit at once; a check of 3 people fits, but nothing is offered to set
        expect(page.locator("#fitting")).to_be_visible()
        chosen = page.input_value("#fit-of")
        page.click("#fit")
        expect(page.locator("#fit-state")).to_contain_text(
            "Only 3 people were tapped: count at least 20", timeout=120_000
        )
        assert page.is_hidden("#apply") and page.is_visible("#fit-tried")
    found = re.search(
        r"Recorded (\d+) frames to (\S+), with your 3 taps as its hand count in (\S+)\."
        r" On the counter: footfall eval (\S+) (\S+) --fit",
        saved,
    )
    assert found is not None, saved
    video, truth = Path(found.group(2)), Path(found.group(3))
    assert video.parent == data / "checks" and (found.group(4), found.group(5)) == (
        str(video),
        str(truth),
    )
    raw = json.loads(truth.read_text())
    assert raw["totals"] == {"in": 2, "out": 1} and raw["frames"] == int(found.group(1))
    assert [e["direction"] for e in raw["events"]] == ["in", "out", "in"]
    # tapped from 2 s in, half a second apart: frames about that far in and apart
    frames = [e["frame"] for e in raw["events"]]
    assert 1.5 * raw["fps"] <= frames[0] and all(
        abs((b - a) - raw["fps"] / 2) <= 4 for a, b in itertools.pairwise(frames)
    )
    assert video.stat().st_size > 0
    assert chosen == video.name


def test_a_check_goes_on_after_the_page_is_loaded_again(tmp_path: Path, chromium: str) -> None:
    """A phone that put the tab away reloads it: the check under way goes on with its taps and
    the counter's count so far; once stopped, a reload starts afresh."""
    from playwright.sync_api import expect

    with operator_page(tmp_path / "data", chromium, "check.html") as (page, _):
        page.click("#start")
        expect(page.locator("#result")).to_contain_text("Counting", timeout=10_000)
        for key in ("i", "i", "o"):
            page.keyboard.press(key)
        time.sleep(1.5)  # a poll of the counter's totals
        page.reload()
        expect(page.locator("#result")).to_contain_text("Resumed the check", timeout=10_000)
        expect(page.locator("#hand-in")).to_have_text("2")
        expect(page.locator("#hand-out")).to_have_text("1")
        assert page.is_disabled("#start") and page.is_enabled("#in")
        page.keyboard.press("i")
        page.click("#stop")
        expect(page.locator("#result")).to_contain_text(
            "you counted 3 in and 1 out", timeout=20_000
        )
        page.reload()
        expect(page.locator("#result")).to_have_text("Not started.")
        expect(page.locator("#hand-in")).to_have_text("0")
