"""The files in deploy/ as an installer uses them: the config and users files pass
`check-config`, and the systemd unit's command, run as systemd runs it, serves the counter and
stops on the unit's signal with a status the unit calls a success."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import signal
import subprocess
import tomllib
from pathlib import Path

import httpx

from tests.needs import unavailable
from tests.serving import COMMAND

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def unit() -> configparser.RawConfigParser:
    """deploy/footfall.service read as systemd reads its INI form (keys keep their case)."""
    parser = configparser.RawConfigParser(strict=False, comment_prefixes=("#", ";"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "footfall.service", encoding="utf-8")
    return parser


def test_the_shipped_config_and_users_files_pass_check_config() -> None:
    for name in ("footfall.toml", "users.toml"):
        done = subprocess.run(
            [*COMMAND, "check-config", str(DEPLOY / name)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("OK:")


def test_the_unit_serves_and_stops_as_systemd_would(tmp_path: Path) -> None:
    """The unit's ExecStart, with its config copied as installed but counting the synthetic
    scene into a temporary data directory on a free local port: it answers the users of the
    shipped users file, and after the unit's KillSignal it exits within TimeoutStopSec with a
    status systemd takes for a clean stop (0 or one of SuccessExitStatus), so `systemctl stop`
    does not mark the counter failed."""
    service = unit()["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv[1:3] == ["serve", "--config"], argv
    installed = Path(argv[3])
    assert installed.name == "footfall.toml"
    config = tomllib.loads((DEPLOY / "footfall.toml").read_text(encoding="utf-8"))
    assert config["data"] == f"/var/lib/{service['StateDirectory']}"  # where systemd makes it
    assert config["data"] == service["WorkingDirectory"]
    text = (DEPLOY / "footfall.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^data = ".*?"', f'data = "{tmp_path / "data"}"', text)
    text = re.sub(r'(?m)^source = ".*?"', 'source = "synthetic"', text)
    text = re.sub(r"(?m)^port = \d+", "port = 0", text)
    text = re.sub(r'(?m)^host = ".*?"', 'host = "127.0.0.1"', text)
    (tmp_path / "footfall.toml").write_text(text, encoding="utf-8")
    (tmp_path / "users.toml").write_bytes((DEPLOY / "users.toml").read_bytes())
    process = subprocess.Popen(
        [*COMMAND, *argv[1:3], str(tmp_path / "footfall.toml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        found = re.search(r"http://([\d.]+):(\d+)/", process.stdout.readline())
        assert found is not None
        api = f"http://{found.group(1)}:{found.group(2)}/local/tvpc/.api?live-sum.json"
        assert httpx.get(api, timeout=10).status_code == 401  # anonymous_viewer = false
        users = tomllib.loads((DEPLOY / "users.toml").read_text(encoding="utf-8"))["user"]
        for user in users:
            auth = httpx.DigestAuth(user["name"], user["password"])
            reply = httpx.get(api, auth=auth, timeout=10)
            assert reply.status_code == 200 and "in" in reply.json()
        process.send_signal(getattr(signal, service["KillSignal"]))
        status = process.wait(timeout=float(service["TimeoutStopSec"]))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    clean = {0, *(int(s) for s in service.get("SuccessExitStatus", "").split())}
    assert status in clean, f"exit status {status}: systemd would mark the service failed"
    assert (tmp_path / "data" / "counts.sqlite3").exists()


def test_systemd_finds_nothing_wrong_with_the_unit(tmp_path: Path) -> None:
    """`systemd-analyze verify` on the unit, its ExecStart pointed at this checkout's footfall
    (the unit names where docs/install.md installs it): no unknown key, bad value or section."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        unavailable("systemd-analyze is not installed (Debian: systemd)")
    script = Path(COMMAND[0])
    if not script.is_file():
        unavailable("footfall's console script is not installed beside this Python")
    text = (DEPLOY / "footfall.service").read_text(encoding="utf-8")
    text = text.replace("/opt/footfall/.venv/bin/footfall", str(script))
    copy = tmp_path / "footfall.service"
    copy.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    said = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 0 and not said, said
