"""Real PHP (php-cli with php-curl and php-xml, Debian's; `.ci/run` installs them) as a shop
back-end imports the counts: curl with Digest or any scheme, str_getcsv by header names,
SimpleXML on export-xml, json_decode on live-sum.json, file_get_contents with the login in the
URL."""

from __future__ import annotations

import json
from typing import Any

from tests.clients.counter import DAYS, HERE, NAME, SERIAL, Counter, day_totals, need_tool, run


def importer(counter: Counter, user: str, password: str) -> dict[str, Any]:
    php = need_tool("php")
    out = run([php, str(HERE / "php" / "importer.php"), counter.base, user, password])
    result: dict[str, Any] = json.loads(out)
    return result


def test_php_importer_reads_what_was_replayed(counter: Counter) -> None:
    got = importer(counter, "view", "viewpass")
    assert got["csv_status"] == 200 and got["csv_rows"] == 2 * 96
    assert got["csv_days"] == {day.isoformat(): list(day_totals(day)) for day in DAYS}
    assert got["xml_status"] == 200 and got["xml_name"] == NAME
    assert got["xml_totals"] == {"3": day_totals(DAYS[1])[0], "4": day_totals(DAYS[1])[1]}
    assert got["live_status"] == 200
    assert got["live"]["serial"] == SERIAL and got["live"]["name"] == NAME
    assert [got["live"]["in"], got["live"]["out"]] == list(counter.today)
    # Basic sent unasked is accepted (the server challenges with Digest only, SPEC §1).
    assert got["fgc_ok"] and " 200 " in got["fgc_status"]


def test_php_with_a_wrong_password_gets_401(counter: Counter) -> None:
    got = importer(counter, "view", "not-the-password")
    assert got["csv_status"] == 401 and got["live_status"] == 401
    assert not got["fgc_ok"] and " 401 " in got["fgc_status"]
