"""check.html, the live hand-count check: who gets it and what it may load over real HTTP, and an
installer tallying people in a real browser (Debian's Chromium driven by Playwright) against the
real `footfall serve` counting the synthetic scene."""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from footfall.api.check_page import FEW_PEOPLE, WINDOW_S, install_check_page
from footfall.api.check_record import install_check_record
from footfall.api.setup_page import install_setup_page
from footfall.api.view import install_view
from footfall.counting.groundtruth import (
    TrueEvent,
    combined_accuracy,
    direction_accuracy,
    match_events,
)
from footfall.vision.recorder import Recorder
from tests.api.liveserver import LiveServer, start_server
from tests.browser import launch
from tests.serving import serve_process

OPERATOR = "/local/tvpc/.apioperator"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(tmp_path, anonymous_viewer=True)
    install_view(server.ctx, None)  # as serve installs them
    install_setup_page(server.ctx)
    install_check_page(server.ctx)
    install_check_record(server.ctx, Recorder(tmp_path / "checks"), lambda: 25.0)
    yield server
    server.stop()


def test_only_operators_get_the_page(live: LiveServer) -> None:
    with live.client() as c:
        assert c.get(f"{OPERATOR}?check.html").status_code == 401
        assert c.get("/local/tvpc/.api?check.html").status_code == 401  # anonymous viewer
    with live.client(httpx.DigestAuth("viewer", "viewpass")) as c:
        refused = c.get("/local/tvpc/.api?check.html")
        assert refused.status_code in (401, 403) and "<html" not in refused.text
    with live.client(httpx.DigestAuth("op", "oppass")) as c:
        page = c.get(f"{OPERATOR}?check.html")
        setup = c.get(f"{OPERATOR}?setup.html").text
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert 'href="?check.html"' in setup  # the setup page leads to it


def test_the_page_calls_only_actions_the_api_has(live: LiveServer) -> None:
    with live.client(httpx.DigestAuth("op", "oppass")) as c:
        page = c.get(f"{OPERATOR}?check.html").text
    called = set(re.findall(r'API \+ "\?([\w.-]+)', page))
    called |= set(re.findall(r'post\("([\w.-]+)&', page)) | set(
        re.findall(r'"(check-save)&"', page)
    )
    assert called == {"live-sum.json", "snapshot.jpg", "check-record", "check-save"}
    for name in called:
        assert live.ctx.actions.get(name) is not None, name
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
    from playwright.sync_api import expect, sync_playwright

    flags = ["--source", "synthetic", "--user", "op:secret:operator"]
    process, base = serve_process(tmp_path / "data", flags)
    auth = httpx.DigestAuth("op", "secret")
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright, chromium)
            context = browser.new_context(
                http_credentials={"username": "op", "password": "secret"},
                viewport={"width": 1000, "height": 900},
            )
            page = context.new_page()
            page.goto(f"{base}{OPERATOR}?check.html")
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
            browser.close()
    finally:
        process.terminate()
        process.wait(20)
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
    command that fits the counter to them."""
    from playwright.sync_api import expect, sync_playwright

    data = tmp_path / "data"
    process, base = serve_process(data, ["--source", "synthetic", "--user", "op:secret:operator"])
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright, chromium)
            context = browser.new_context(http_credentials={"username": "op", "password": "secret"})
            page = context.new_page()
            page.goto(f"{base}{OPERATOR}?check.html")
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
            browser.close()
    finally:
        process.terminate()
        process.wait(20)
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
