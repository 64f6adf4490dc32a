"""A C# importer (HttpWebRequest + NetworkCredential answering the Digest challenge, the
framework's JSON reader, XDocument, CSV by header names), compiled by Mono's `mcs` and run by
`mono` (Debian's mono-mcs; `.ci/run` installs it). Mono's class library, not Microsoft's .NET
runtime; Mono 6.8's HttpClient cannot answer Digest at all (its own bug, see Importer.cs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.clients.counter import DAYS, HERE, NAME, SERIAL, Counter, day_totals, need_tool, run

LIBRARIES = ("System.Xml.Linq.dll", "System.Runtime.Serialization.dll", "System.Xml.dll")


@pytest.fixture(scope="module")
def importer_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mcs = need_tool("mcs")
    exe = tmp_path_factory.mktemp("csharp") / "Importer.exe"
    references = [f"-r:{name}" for name in LIBRARIES]
    run([mcs, *references, f"-out:{exe}", str(HERE / "csharp" / "Importer.cs")], timeout=120)
    return exe


def importer(exe: Path, counter: Counter, user: str, password: str) -> dict[str, Any]:
    mono = need_tool("mono")
    result: dict[str, Any] = json.loads(run([mono, str(exe), counter.base, user, password]))
    return result


def test_csharp_webrequest_with_networkcredential(counter: Counter, importer_exe: Path) -> None:
    got = importer(importer_exe, counter, "view", "viewpass")
    assert got["live_status"] == 200 and got["live_serial"] == SERIAL
    assert [got["live_in"], got["live_out"]] == list(counter.today)
    assert got["xml_status"] == 200 and got["xml_name"] == NAME
    assert [got["xml_in"], got["xml_out"]] == list(day_totals(DAYS[1]))
    assert got["csv_status"] == 200 and got["csv_rows"] == 24
    assert [got["csv_in"], got["csv_out"]] == list(day_totals(DAYS[0]))


def test_csharp_with_a_wrong_password_gets_401(counter: Counter, importer_exe: Path) -> None:
    got = importer(importer_exe, counter, "view", "wrong")
    assert got == {"live_status": 401, "xml_status": 401, "csv_status": 401}
