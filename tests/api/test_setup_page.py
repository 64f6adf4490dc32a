"""setup.html, the counting-area page: who gets it and what it may load over real HTTP, and an
installer drawing an area on it in a real browser (Debian's Chromium driven by Playwright)
against the real `footfall serve` on the synthetic scene."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.api.liveserver import LiveServer
from tests.browser import operator_page

OPERATOR = "/local/tvpc/.apioperator"


@pytest.mark.parametrize("name", ["setup.html", "check.html"])
def test_only_operators_get_the_page(pages: LiveServer, name: str) -> None:
    with pages.client() as c:
        assert c.get(f"{OPERATOR}?{name}").status_code == 401
        assert c.get(f"/local/tvpc/.api?{name}").status_code == 401  # anonymous viewer
    with pages.client(httpx.DigestAuth("viewer", "viewpass")) as c:
        refused = c.get(f"/local/tvpc/.api?{name}")
        assert refused.status_code in (401, 403) and "<html" not in refused.text
    with pages.client(httpx.DigestAuth("op", "oppass")) as c:
        page = c.get(f"{OPERATOR}?{name}")
        head = c.head(f"{OPERATOR}?{name}")
    assert page.status_code == 200 and head.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["x-frame-options"] == "DENY"  # no framing an operator's page
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_the_page_calls_only_actions_the_api_has(pages: LiveServer) -> None:
    """Every action the page's script names is registered, at the level the page needs; it
    leads to the check page."""
    with pages.client(httpx.DigestAuth("op", "oppass")) as c:
        page = c.get(f"{OPERATOR}?setup.html").text
    assert 'href="?check.html"' in page
    called = set(re.findall(r'API \+ "\?([\w.-]+)', page))
    called |= set(re.findall(r'"(setparams)&"', page))
    assert called == {"params.json", "snapshot.jpg", "status.json", "setparams"}
    for name in called:
        assert pages.ctx.actions.get(name) is not None, name
    # every Area and Counter parameter the page saves is one setparams takes
    for key in re.findall(r'"((?:Area|Counter)\.\w+)":', page):
        group, name = key.split(".")
        assert name in type(getattr(pages.ctx.params.current, group)).model_fields, key


def test_an_installer_draws_the_area_in_a_real_browser(tmp_path: Path, chromium: str) -> None:
    """Log in as an operator, wait for the camera's picture, drag across it, say people going
    down count as in, take the mounting height the page offers for the person width the counter
    learnt (learning off), save: params.json holds that area in the picture's own pixels, that
    height and AutoSize 0; a curvature the counter refuses shows its sentence, and nothing of it
    is kept."""
    from playwright.sync_api import expect

    auth = httpx.DigestAuth("op", "secret")
    with operator_page(tmp_path / "data", chromium, "setup.html") as (page, base):
        # Playwright's locators wait in a world of their own: the page's CSP stays in force
        # (its own script must work under it), which a string evaluated in the page breaks.
        expect(page.locator("#size")).to_have_text("320 \u00d7 240", timeout=30_000)
        expect(page.locator("#Left")).not_to_have_value("", timeout=15_000)
        box = page.locator("#draw").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 0.2 * box["width"], box["y"] + 0.3 * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.4 * box["height"])
        page.mouse.move(box["x"] + 0.8 * box["width"], box["y"] + 0.55 * box["height"])
        page.mouse.up()
        page.select_option("#InDirection", "down")
        # once the counter has learnt how wide a person is, the page offers the height
        # that gives that width, learning switched off: the README's remedy, one click
        expect(page.locator("#counting")).to_contain_text("px wide", timeout=30_000)
        expect(page.locator("#use-height")).to_be_visible(timeout=30_000)
        offered = re.search(r"height (\d+) cm", page.text_content("#use-height") or "")
        assert offered is not None
        assert page.is_checked("#AutoSize")  # learning, as a counter starts
        page.click("#use-height")
        assert page.input_value("#Height") == offered.group(1)
        assert not page.is_checked("#AutoSize")
        page.click("#save")
        expect(page.locator("#status")).to_have_text("saved", timeout=15_000)
        saved = httpx.get(f"{base}{OPERATOR}?params.json", auth=auth, timeout=10).json()
        page.fill("#Radius", "5")  # more than 0 and under half the area's 60 px: refused
        page.click("#save")
        expect(page.locator("#status")).to_have_class("bad", timeout=15_000)
        refusal = page.text_content("#status") or ""
        after = httpx.get(f"{base}{OPERATOR}?params.json", auth=auth, timeout=10).json()
        # people learnt small for the picture: the page says what that does to a crowd
        small = page.evaluate(  # shown and read in one go: the page's own poll waits
            "show({source_state: 'streaming', fps: 15, in: 0, out: 0, person_px: 12,"
            " size_learnt: true, size_held: false, height_px: 57.1, person_share: 0.0375,"
            " told_height_cm: 900}), document.getElementById('counting').textContent"
        )
        # a count that rests on a crowd's motion, in units of the learnt width: the page
        # says how much of it, and what to check
        dense = page.evaluate(
            "show({source_state: 'streaming', fps: 25, in: 24, out: 0, person_px: 32.6,"
            " size_learnt: true, size_held: true, height_px: 57.1, person_share: 0.0926,"
            " told_height_cm: 410, from_motion: 10, rests_on_motion: true}),"
            " document.getElementById('counting').textContent"
        )
        # a camera that shakes, a heavily compressed stream: the page says so
        rough = page.evaluate(
            "show({source_state: 'streaming', fps: 15, in: 0, out: 0, person_px: null,"
            " shaking: true, blocky: true, slow_stream: true, told_height_cm: null}),"
            " document.getElementById('counting').textContent"
        )
        # a doorway crossed left and right: the picture is turned at once, and shown turned
        page.select_option("#Rotation", "90")
        expect(page.locator("#size")).to_have_text("240 \u00d7 320", timeout=15_000)
        turned = httpx.get(f"{base}{OPERATOR}?params.json", auth=auth, timeout=10).json()
    area = saved["Area"]
    assert (area["Width"], area["Height"]) == (320, 240)
    for key, want in (("Left", 64), ("Right", 256), ("YFirst", 72), ("YLast", 132)):
        assert abs(area[key] - want) <= 2, (key, area[key])
    assert (area["Top"], area["Bottom"]) == (area["YFirst"], area["YLast"])
    assert area["InDirection"] == "down" and area["Radius"] == 0
    assert saved["Counter"]["Height"] == int(offered.group(1))
    assert saved["Counter"]["AutoSize"] == 0
    assert "Area.Radius" in refusal
    assert after["Area"] == area  # the refused save changed nothing
    assert saved["Counter"]["Rotation"] == 0 and turned["Counter"]["Rotation"] == 90
    assert "People look small" in small and "7.5 %" in small
    assert "10 of the 24 passages since the start were counted from the motion of a crowd" in dense
    assert "32.6 px wide" in dense and "hand count" in dense and "motion of a crowd" not in small
    assert "shakes" not in small and "compressed" not in small and "under 10 fps" not in small
    assert "The camera shakes" in rough and "8\u00d78 blocks of a heavily compressed" in rough
    assert "Frames come at 15 fps: under 10 fps" in rough
