"""snapshot.jpg and view.mjpg over real HTTP: levels, the drawn area, the stream, bad input."""

from __future__ import annotations

import base64
import contextlib
import http.client
from collections.abc import Iterator
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from footfall.api.view import BOUNDARY, install_view
from footfall.vision.types import View
from tests.api.liveserver import LiveServer, start_server

API = "/local/tvpc/.api"
OP = httpx.DigestAuth("op", "oppass")


class Camera:
    """What the counting thread would publish: a grey frame whose index we advance."""

    def __init__(self) -> None:
        self.view: View | None = None

    def show(self, index: int, level: int = 90) -> None:
        self.view = View(np.full((240, 320, 3), level, np.uint8), index, [(4, 40.0, 200.0)])

    def __call__(self) -> View | None:
        return self.view


@pytest.fixture
def camera() -> Camera:
    return Camera()


@pytest.fixture
def live(tmp_path: Path, camera: Camera) -> Iterator[LiveServer]:
    server = start_server(tmp_path, anonymous_viewer=True)
    install_view(server.ctx, camera)
    yield server
    server.stop()


def decode(body: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, "not a JPEG"
    return np.asarray(image)


def test_snapshot_draws_the_current_area(live: LiveServer, camera: Camera) -> None:
    camera.show(1)
    with live.client(OP) as c:
        c.get(
            "/local/tvpc/.apioperator?setparams&Area.YFirst=60&Area.YLast=180"
            "&Area.Left=80&Area.Right=240"
        ).raise_for_status()
        r = c.get(f"{API}?snapshot.jpg")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "image/jpeg"
        assert r.headers["cache-control"] == "no-store"
        image = decode(r.content)
        bare = decode(c.get(f"{API}?snapshot.jpg&overlay=0").content)
    assert image.shape == (240, 320, 3)
    # The edges are where setparams put them, not at the defaults (90/150).
    assert abs(int(image[60, 160, 2]) - 90) > 60 and abs(int(image[180, 160, 2]) - 90) > 60
    assert abs(int(image[100, 20, 2]) - 90) < 10  # left of the span: untouched
    assert np.abs(bare.astype(int) - 90).max() < 10  # overlay=0: the frame as it came


def test_viewers_and_anonymous_get_no_picture(live: LiveServer, camera: Camera) -> None:
    camera.show(1)
    with live.client() as c:
        assert c.get(f"{API}?live-sum.json").status_code == 200  # anonymous viewer allowed
        anonymous = c.get(f"{API}?snapshot.jpg")
    with live.client(httpx.DigestAuth("viewer", "viewpass")) as c:
        viewer = c.get(f"{API}?snapshot.jpg")
    assert anonymous.status_code == 401 and viewer.status_code in (401, 403)
    assert b"\xff\xd8" not in anonymous.content + viewer.content


def test_bad_parameters_and_no_frame_are_sentences(live: LiveServer, camera: Camera) -> None:
    with live.client(OP) as c:
        early = c.get(f"{API}?snapshot.jpg")
        assert early.status_code == 503 and "no frame" in early.text
        camera.show(1)
        for query, words in (
            ("snapshot.jpg&overlay=2", "overlay must be 0"),
            ("view.mjpg&fps=0", "fps must be"),
            ("view.mjpg&fps=16", "fps must be"),
            ("view.mjpg&fps=²", "fps must be"),
        ):
            r = c.get(f"{API}?{query}")
            assert r.status_code == 400 and words in r.text, (query, r.text)


def test_without_video_both_answer_409(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    install_view(server.ctx, None)
    try:
        with server.client(OP) as c:
            for action in ("snapshot.jpg", "view.mjpg"):
                r = c.get(f"{API}?{action}")
                assert r.status_code == 409 and "--source" in r.text
    finally:
        server.stop()


def test_view_mjpg_streams_each_new_frame(live: LiveServer, camera: Camera) -> None:
    camera.show(1, level=40)
    parts: list[np.ndarray] = []
    with live.client(OP) as c, c.stream("GET", f"{API}?view.mjpg&fps=15") as r:
        assert r.status_code == 200
        assert r.headers["content-type"] == f"multipart/x-mixed-replace; boundary={BOUNDARY}"
        buffer = b""
        for chunk in r.iter_bytes():
            buffer += chunk
            while True:
                start = buffer.find(b"\xff\xd8")
                end = buffer.find(b"\xff\xd9", start)
                if start < 0 or end < 0:
                    break
                parts.append(decode(buffer[start : end + 2]))
                buffer = buffer[end + 2 :]
                camera.show(len(parts) + 1, level=40 + 40 * len(parts))
            if len(parts) >= 3:
                break
    levels = [int(np.median(p[:, :, 0])) for p in parts]
    assert levels[0] < levels[1] < levels[2]  # each part is a new frame, in order


def test_a_head_of_view_mjpg_leaves_the_connection_usable(live: LiveServer, camera: Camera) -> None:
    """HEAD gets the stream's headers and no body: the endless stream behind a HEAD held the
    keep-alive connection for ever (and rendered frames nobody saw), so the next request on
    it never got an answer."""
    camera.show(1)
    connection = http.client.HTTPConnection("127.0.0.1", live.port, timeout=5)
    basic = {"Authorization": "Basic " + base64.b64encode(b"op:oppass").decode()}
    try:
        connection.request("HEAD", f"{API}?view.mjpg", headers=basic)
        head = connection.getresponse()
        head.read()
        assert head.status == 200
        assert head.getheader("content-type") == f"multipart/x-mixed-replace; boundary={BOUNDARY}"
        connection.request("GET", f"{API}?live-sum.json", headers=basic)
        after = connection.getresponse()
        assert after.status == 200 and b'"in"' in after.read()
    finally:
        connection.close()


def test_many_viewers_cost_one_picture_per_frame(
    live: LiveServer, camera: Camera, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every open view.mjpg drew and encoded each frame for itself: 60 viewers of a 1280x720
    camera took 1.6 cores and the counting fell from 15 to under 10 fps. Now the clients share
    one picture per frame (and per overlay setting)."""
    import footfall.api.view as view_module

    encoded: list[int] = []
    real_jpeg = view_module.jpeg

    def counting_jpeg(image: np.ndarray) -> bytes:
        encoded.append(1)
        return real_jpeg(image)

    monkeypatch.setattr(view_module, "jpeg", counting_jpeg)
    camera.show(1)
    with contextlib.ExitStack() as stack:
        client = stack.enter_context(live.client(OP))
        for _ in range(6):
            other = stack.enter_context(live.client(OP))
            response = stack.enter_context(other.stream("GET", f"{API}?view.mjpg&fps=15"))
            assert response.status_code == 200
            next(response.iter_bytes())  # the first frame came
        assert client.get(f"{API}?snapshot.jpg").status_code == 200
        assert len(encoded) == 1  # one picture for six streams and a snapshot
        assert client.get(f"{API}?snapshot.jpg&overlay=0").status_code == 200
        assert len(encoded) == 2  # the bare frame is another picture
