"""Node.js clients: our TypeScript-style Digest client, and two Digest libraries from npm."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.clients.counter import (
    DAYS,
    HERE,
    NAME,
    Counter,
    expected_csv_rows,
    expected_json_data,
    need_tool,
    run,
)
from tests.needs import unavailable

NPM_PACKAGES = ("digest-fetch@3", "urllib@4", "axios@1")


def digest_client(counter: Counter, *flags: str) -> dict[str, Any]:
    """Run node/digest_client.mjs as the admin; its JSON."""
    node = need_tool("node")
    script = str(HERE / "node" / "digest_client.mjs")
    result: dict[str, Any] = json.loads(run([node, script, counter.base, "root", "pass", *flags]))
    return result


def test_typescript_style_digest_client(counter: Counter) -> None:
    got = digest_client(counter)
    assert got["challenges"] == 1 and got["algorithm"] == "MD5" and got["qop"] == "auth"
    assert got["statuses"] == {
        "bare": 401, "live": 200, "json15": 200, "replayFirst": 200, "replaySecond": 401,
        "setparams": 200, "showLogs": 200,
    }  # fmt: skip
    assert (got["live"]["in"], got["live"]["out"]) == counter.today
    assert got["live"]["name"] == NAME
    assert got["days"][:2] == ["20170512", "20170513"]
    assert got["json15"]["data"] == expected_json_data(DAYS, 900)
    assert list(got["json15"]["data"]) == sorted(got["json15"]["data"])  # chronological keys
    rows = [line.split(",") for line in got["csv"].split("\n")[1:-1]]
    assert rows == expected_csv_rows(DAYS, 3600)
    assert got["cntpos"]["right"] > got["cntpos"]["left"]
    assert got["params"]["Counter"]["Enabled"] == 1
    assert got["nonceReused"] is True, "the first nonce must serve every request"
    assert got["parallel"] == [200] * 20, "same nc, different cnonce: all accepted"
    assert got["setparams"] == "OK" and got["heightAfter"] == 290


def test_client_reading_the_last_challenge_answers_sha256(counter_sha256: Counter) -> None:
    got = digest_client(counter_sha256, "--last")
    assert got["challenges"] == 2 and got["algorithm"] == "SHA-256"
    assert got["statuses"]["live"] == 200 and got["parallel"] == [200] * 20
    assert got["json15"]["data"] == expected_json_data(DAYS, 900)


@pytest.fixture(scope="session")
def npm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary directory with the npm Digest libraries installed (never committed)."""
    npm = need_tool("npm")
    where = tmp_path_factory.mktemp("npm")
    (where / "package.json").write_text('{"name": "footfall-client-check", "private": true}\n')
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", *NPM_PACKAGES],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if done.returncode != 0:
        unavailable(f"npm install {' '.join(NPM_PACKAGES)} failed: {done.stderr[-1000:]}")
    shutil.copy(HERE / "node" / "npm_clients.mjs", where / "npm_clients.mjs")
    return where


def test_npm_digest_libraries(counter: Counter, npm_dir: Path) -> None:
    node = need_tool("node")
    got = json.loads(run([node, "npm_clients.mjs", counter.base, "op", "oppass"], cwd=npm_dir))
    for library in ("digestFetch", "urllib", "axios"):
        assert got[library]["status"] == 200, library
        live = got[library]["live"]
        assert (live["in"], live["out"]) == counter.today, library
        assert got[library]["json24"]["data"] == expected_json_data(DAYS, 86400), library
    rows = [line.split(",") for line in got["digestFetch"]["csv24"].split("\n")[1:-1]]
    assert rows == expected_csv_rows(DAYS, 86400)
    assert got["digestFetch"]["setparams"] == [200, "OK"]
    assert got["digestFetch"]["rawSpace"] == [200, "OK"], "uri hashed unencoded (regression)"
    assert got["urllib"]["height"] == 300
    assert got["axios"]["url"].startswith("/local/tvpc/.api?live-sum.json=&_=")
