"""A real browser (Debian's Chromium, driven by Playwright) on a dashboard page of another origin,
against the real `footfall serve` on the synthetic scene: CORS with credentials, the live-sum
JSON, the server-sent events stream (`EventSource`, as docs/occupancy-alarms-delivery.md shows),
the operator's picture stream read frame by frame, and the 401 challenge a page can read.

Chromium is installed by `.ci/run` (`apt-get install chromium`); without it the test is skipped
here and fails under CI (FOOTFALL_CI=1).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.browser import launch
from tests.serving import serve_process

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>dashboard</title></head><body>
<script>
const API = "%(api)s";
const AUTH = {Authorization: "Basic " + btoa("op:secret")};
window.results = {};
async function firstJpeg(response) {
  // The multipart MJPEG stream, read as it comes: the bytes of its first whole JPEG.
  const reader = response.body.getReader();
  let seen = new Uint8Array(0);
  for (;;) {
    const {value, done} = await reader.read();
    if (done) throw new Error("the stream ended before a whole picture");
    const grown = new Uint8Array(seen.length + value.length);
    grown.set(seen); grown.set(value, seen.length); seen = grown;
    let start = -1;
    for (let i = 0; i + 1 < seen.length; i++) {
      if (start < 0 && seen[i] === 0xff && seen[i + 1] === 0xd8) start = i;
      if (start >= 0 && i > start && seen[i] === 0xff && seen[i + 1] === 0xd9) {
        reader.cancel();
        return seen.slice(start, i + 2);
      }
    }
  }
}
async function run() {
  const sum = await fetch(API + "/local/tvpc/.api?live-sum.json", {credentials: "include"});
  results.sum = await sum.json();
  const denied = await fetch(API + "/local/tvpc/.apioperator?view.mjpg");
  results.denied = {status: denied.status, challenge: denied.headers.get("WWW-Authenticate")};
  const stream = await fetch(API + "/local/tvpc/.apioperator?view.mjpg&fps=5", {headers: AUTH});
  results.streamType = stream.headers.get("Content-Type");
  const jpeg = new Blob([await firstJpeg(stream)], {type: "image/jpeg"});
  const picture = await createImageBitmap(jpeg);
  results.picture = [picture.width, picture.height];
  results.passage = await new Promise((resolve, reject) => {
    const events = new EventSource(API + "/footfall/events?types=passage", {withCredentials: true});
    events.addEventListener("passage", (e) => { events.close(); resolve(JSON.parse(e.data)); });
    setTimeout(() => { events.close(); reject(new Error("no passage within 40 s")); }, 40000);
  });
}
run().then(() => { window.done = "ok"; }, (e) => { window.done = "failed: " + e; });
</script></body></html>"""


@pytest.fixture
def page_server() -> Iterator[tuple[ThreadingHTTPServer, dict[str, str]]]:
    """A web server of another origin that serves the dashboard page (set once known)."""
    content: dict[str, str] = {"page": ""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = content["page"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, content
    server.shutdown()
    server.server_close()


def test_a_dashboard_page_in_a_real_browser(
    tmp_path: Path, chromium: str, page_server: tuple[ThreadingHTTPServer, dict[str, str]]
) -> None:
    from playwright.sync_api import sync_playwright

    server, content = page_server
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    flags = ["--source", "synthetic", "--anonymous-viewer", "--user", "op:secret:operator"]
    process, api = serve_process(tmp_path / "data", [*flags, "--cors-origin", origin])
    try:
        content["page"] = PAGE % {"api": api}
        with sync_playwright() as playwright:
            browser = launch(playwright, chromium)
            page = browser.new_page()
            page.goto(origin + "/")
            page.wait_for_function("window.done !== undefined", timeout=60_000)
            done = page.evaluate("window.done")
            results = page.evaluate("window.results")
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert done == "ok", f"{done}; got so far: {json.dumps(results)}"
    assert set(results["sum"]) >= {"serial", "name", "timestamp", "in", "out"}
    assert results["denied"]["status"] == 401
    assert results["denied"]["challenge"], "the page cannot read the WWW-Authenticate challenge"
    assert results["streamType"].startswith("multipart/x-mixed-replace")
    assert results["picture"] == [320, 240]
    assert results["passage"]["type"] == "passage"
    assert results["passage"]["direction"] in ("in", "out")
