"""The serve, replay and check-config commands as a user runs them."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footfall.api.params import ParamsStore
from footfall.cli import app
from footfall.config import ServerSettings
from footfall.server import STORE_FILE, load_settings, unused_source_options
from footfall.store.sqlite import SQLiteStore

runner = CliRunner()


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        (
            "serve",
            ["--data", "--port", "--host", "--source", "--loop", "--source-fps", "--user",
             "--users-file",
             "--anonymous-viewer", "--serial", "--sha256", "--config", "--store"],
        ),
        ("replay", ["--data", "--store", "--serial"]),
        ("check-config", []),
    ],
)  # fmt: skip
def test_help_explains_every_flag(command: str, flags: list[str]) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0
    for flag in flags:
        line = next((ln for ln in result.output.splitlines() if f"{flag} " in ln), "")
        assert re.search(r"[a-z]{4,}", line.split(flag, 1)[1]), f"{flag} is not explained"


def totals(data: Path) -> tuple[int, int]:
    store = SQLiteStore(data / STORE_FILE)
    try:
        return store.totals(0, 2**40)
    finally:
        store.close()


def test_replay_adds_passages_in_the_counter_zone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ParamsStore(path=data / "params.json").update({"Counter.TimeZone": "Europe/Stockholm"})
    csv = tmp_path / "p.csv"
    csv.write_text(
        "time,direction\n2017-05-12 08:00:00,in\n\n2017-05-12T08:01:00+00:00,OUT\n"
        "2017-10-29 02:30:00,in\n"  # repeated autumn hour: the first pass is taken
    )
    result = runner.invoke(app, ["replay", "--data", str(data), str(csv)])
    assert result.exit_code == 0, result.output
    assert "added 3 passages (2 in, 1 out)" in result.output
    store = SQLiteStore(data / STORE_FILE)
    try:
        minutes = [b.minute_utc for b in store.minute_bins(0, 2**40)]
    finally:
        store.close()
    assert 1494568800 in minutes  # 08:00 in Stockholm (CEST) is 06:00 UTC
    assert 1494576060 in minutes  # 08:01 UTC as given
    assert 1509237000 in minutes  # 2017-10-29 02:30 CEST = 00:30 UTC


def test_replay_takes_data_in_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    csv = tmp_path / "p.csv"
    csv.write_text("time,direction\n2017-05-12 08:00:00,in\n")
    result = runner.invoke(app, ["replay", "--data=~/counts", str(csv)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "counts" / STORE_FILE).is_file() and not (tmp_path / "~").exists()


BAD_CSV = [
    ("", "line 1: the file is empty"),
    ("when,direction\n", "line 1: the header must name the columns time and direction"),
    ("time,direction\n2017-05-12 08:00:00,sideways\n", "line 2: direction 'sideways'"),
    ("time,direction\n2017-05-12 08:00:00,in\nyesterday,in\n", "line 3: time 'yesterday'"),
    ("time,direction\n2017-05-12 08:00:00\n", "line 2: 1 fields, the header has 2"),
    ("time,direction\n,in\n", "line 2: the time is empty"),
    ("time,direction\n2017-03-26 02:30:00,in\n", "line 2: time '2017-03-26 02:30:00' does not"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), BAD_CSV)
def test_replay_refuses_bad_rows_and_stores_nothing(
    tmp_path: Path, text: str, expected: str
) -> None:
    data = tmp_path / "data"
    ParamsStore(path=data / "params.json").update({"Counter.TimeZone": "Europe/Stockholm"})
    csv = tmp_path / "p.csv"
    csv.write_text(text)
    result = runner.invoke(app, ["replay", "--data", str(data), str(csv)])
    assert result.exit_code == 2
    assert expected in result.output
    assert not (data / STORE_FILE).exists() or totals(data) == (0, 0)


def test_replay_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["replay", "--data", str(tmp_path), str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "nope.csv" in result.output


GOOD_CONFIG = """
data = "data"
port = 8081
source = "none"
anonymous_viewer = true
serial = "ac:cc:8e:01:9c:5f"
users = [{name = "root", password = "pass", level = "admin"}]
"""

BAD_CONFIGS = [
    ('port = "eighty"\n', "port"),
    ("port = 70000\n", "port"),
    ("colour = 1\n", "colour"),
    ('serial = "XYZ"\n', "serial"),
    ('users = [{name = "a", password = "b", level = "god"}]\n', "users.0.level"),
    ('users_file = "missing.toml"\n', "missing.toml"),
    ('source = "/no/such/clip.mp4"\n', "/no/such/clip.mp4"),
    ('source = "\u00b2"\n', "no such video file"),  # '²' isdigit, not int
    ('source = "synthetic:x"\n', "the synthetic seed must be a whole number"),
    ('source = " "\n', "--source is empty: give none (the API alone)"),  # was "--source  :"
    ('source = "footfall.toml"\n', "OpenCV cannot decode it"),  # as serve would refuse it
    # a URL is not a path relative to the file; one footfall cannot read is named as such
    ('source = "srt://cam:9000"\n', "srt:// is not a stream footfall reads; give an rtsp"),
    ('detector = "footfall.toml"\n', "not a usable ONNX model"),  # relative to the file
    ("port = \n", "not valid TOML"),
    (
        'store = "sqlite:///counts.db"\n',
        "store: store 'sqlite:///counts.db' is not a postgresql://",
    ),
    ('store = "postgresql://u:pw@db/x?colour=blue"\n', 'invalid URI query parameter: "colour"'),
]


def test_check_config_ok(tmp_path: Path) -> None:
    config = tmp_path / "footfall.toml"
    config.write_text(GOOD_CONFIG)
    result = runner.invoke(app, ["check-config", str(config)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


@pytest.mark.parametrize(("text", "expected"), BAD_CONFIGS)
def test_check_config_says_what_is_wrong(tmp_path: Path, text: str, expected: str) -> None:
    config = tmp_path / "footfall.toml"
    config.write_text(text)
    result = runner.invoke(app, ["check-config", str(config)])
    assert result.exit_code == 2
    assert expected in result.output


def test_a_home_directory_path_is_the_home_directorys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A TOML file, a systemd unit or `--data=~/…` get no shell to expand `~`: it named a
    # directory called `~` beside the config file (or in the working directory).
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    (home / "users.toml").write_text('[[users]]\nname = "root"\npassword = "pass"\n')
    config = tmp_path / "etc" / "footfall.toml"
    config.parent.mkdir()
    config.write_text(
        'data = "~/footfall-data"\nusers_file = "~/users.toml"\nsource = "~/door.mp4"\n'
        'detector = "~/people.onnx"\n'
    )
    settings = load_settings(config, {})
    assert settings.data == home / "footfall-data"
    assert settings.users_file == home / "users.toml"
    assert (settings.source, settings.detector) == (
        str(home / "door.mp4"),
        str(home / "people.onnx"),
    )
    flags = load_settings(None, {"data": "~/other", "source": "synthetic", "detector": "net"})
    assert (flags.data, flags.source, flags.detector) == (home / "other", "synthetic", "net")
    url = load_settings(None, {"source": "rtsp://u:p@cam/~x"}).source
    assert url == "rtsp://u:p@cam/~x"
    relative = tmp_path / "etc" / "plain.toml"
    relative.write_text('data = "counts"\n')
    assert load_settings(relative, {}).data == tmp_path / "etc" / "counts"  # as before


def test_files_saved_with_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    # Notepad saves UTF-8 with a BOM: the TOML config, the users file and a hand-edited
    # params.json were "not valid TOML" / "not valid JSON" for it.
    users = tmp_path / "users.toml"
    users.write_text('[[user]]\nname = "root"\npassword = "pass"\n', encoding="utf-8-sig")
    config = tmp_path / "footfall.toml"
    config.write_text('port = 8081\nusers_file = "users.toml"\n', encoding="utf-8-sig")
    result = runner.invoke(app, ["check-config", str(config)])
    assert result.exit_code == 0, result.output
    assert load_settings(config, {}).port == 8081
    data = tmp_path / "data"
    data.mkdir()
    (data / "params.json").write_text('{"Counter": {"Height": 300}}', encoding="utf-8-sig")
    assert ParamsStore.load(data).current.Counter.Height == 300
    result = runner.invoke(app, ["check-config", str(data / "params.json")])
    assert result.exit_code == 0, result.output


def test_loop_and_source_fps_say_when_the_source_is_not_a_file(tmp_path: Path) -> None:
    # They were ignored without a word for a stream, a camera or the synthetic scene.
    stream = ServerSettings(source="rtsp://u:p@cam/axis-media/media.amp", loop=True, source_fps=15)
    assert unused_source_options(stream) == [
        "--loop loops a video file; a stream is not one: it is not looped",
        "--source-fps sets a video file's frame rate; a stream is timed by its own frames: "
        "it is not used",
    ]
    assert unused_source_options(ServerSettings(source="synthetic", loop=True)) == [
        "--loop loops a video file; the synthetic scene is not one: it is not looped"
    ]
    assert unused_source_options(ServerSettings(source="0", source_fps=10)) == [
        "--source-fps sets a video file's frame rate; a camera is timed by its own frames: "
        "it is not used"
    ]
    clip = tmp_path / "door.mp4"
    assert unused_source_options(ServerSettings(source=str(clip), loop=True, source_fps=15)) == []
    assert unused_source_options(ServerSettings(source="rtsp://cam/x")) == []


def test_check_config_users_and_params_files(tmp_path: Path) -> None:
    users = tmp_path / "users.toml"
    users.write_text('[[user]]\nname = "root"\nlevel = "admin"\npassword = "x"\n')
    assert runner.invoke(app, ["check-config", str(users)]).exit_code == 0
    users.write_text('[[user]]\nname = "root"\nlevel = "root"\npassword = "x"\n')
    result = runner.invoke(app, ["check-config", str(users)])
    assert result.exit_code == 2 and "level" in result.output
    params = tmp_path / "params.json"
    params.write_text('{"Counter": {"Name": "a,b"}}')
    result = runner.invoke(app, ["check-config", str(params)])
    assert result.exit_code == 2 and "Counter.Name" in result.output


def test_serve_refuses_bad_settings_before_starting(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--data", str(tmp_path), "--user", "nopassword"])
    assert result.exit_code == 2 and "NAME:PASSWORD:LEVEL" in result.output
    result = runner.invoke(app, ["serve", "--data", str(tmp_path), "--serial", "12"])
    assert result.exit_code == 2 and "serial" in result.output
    config = tmp_path / "c.toml"
    config.write_text("port = 1\n")
    result = runner.invoke(app, ["serve", "--config", str(config), "--port", "99999"])
    assert result.exit_code == 2 and "port" in result.output  # the flag overrides the file
    result = runner.invoke(app, ["serve", "--data", str(tmp_path), "--source-fps", "0.5"])
    assert result.exit_code == 2 and "source_fps" in result.output


def test_serve_refuses_a_detector_that_is_not_there(tmp_path: Path) -> None:
    missing = tmp_path / "nope.onnx"
    result = runner.invoke(app, ["serve", "--data", str(tmp_path), "--detector", str(missing)])
    assert result.exit_code == 2 and "ONNX model file" in result.output
    result = runner.invoke(app, ["serve", "--data", str(tmp_path), "--source", "synthetic:x"])
    assert result.exit_code == 2 and "seed" in result.output
    result = runner.invoke(app, ["serve", "--data", str(tmp_path), "--source", "\u00b2"])
    assert result.exit_code == 2 and "device index" in result.output  # was a ValueError crash


def test_check_config_help_names_the_users_table() -> None:
    result = runner.invoke(app, ["check-config", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert "[[user]] tables" in result.output  # rich markup once ate "[user]"


def _unusable_store(data: Path) -> Path:
    data.mkdir()
    (data / STORE_FILE).mkdir()  # the store file is a directory: it cannot be opened
    return data


def _under_a_file(data: Path) -> Path:
    data.write_text("")
    return data / "sub"


def _newer_schema(data: Path) -> Path:
    data.mkdir()
    conn = sqlite3.connect(data / STORE_FILE)
    conn.execute("PRAGMA user_version = 999")  # written by a later footfall
    conn.close()
    return data


def _not_a_database(data: Path) -> Path:
    data.mkdir()
    (data / STORE_FILE).write_bytes(b"this is not SQLite" * 100)
    return data


@pytest.mark.parametrize("make", [_unusable_store, _under_a_file, _newer_schema, _not_a_database])
@pytest.mark.parametrize("command", ["serve", "replay"])
def test_an_unusable_data_directory_is_one_sentence(
    tmp_path: Path, make: object, command: str
) -> None:
    assert callable(make)
    data = make(tmp_path / "data")
    csv = tmp_path / "p.csv"
    csv.write_text("time,direction\n2017-05-12 08:00:00,in\n")
    args = ["--data", str(data), "--port", "0"] if command == "serve" else ["--data", str(data)]
    result = runner.invoke(app, [command, *args] + ([str(csv)] if command == "replay" else []))
    assert result.exit_code == 2, result.output
    assert f"footfall {command}: " in result.output and "Traceback" not in result.output
    assert any(
        words in result.output
        for words in ("not usable", "not a directory", "upgrade footfall", "not a database")
    )


def test_the_config_example_in_the_docs_is_valid(tmp_path: Path) -> None:
    doc = (Path(__file__).parent.parent / "docs" / "api.md").read_text()
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "users.toml").write_text('[[user]]\nname = "gate"\npassword = "x"\n')
    config = tmp_path / "footfall.toml"
    config.write_text(example)
    result = runner.invoke(app, ["check-config", str(config)])
    assert result.exit_code == 0, result.output


BAD_STORES = [
    ("mysql://u:s3cr3t@db/counts", "is not a postgresql:// or postgres:// URL"),
    ("counts.sqlite3", "is not a postgresql:// or postgres:// URL"),
    ("postgresql://u:s3cr3t@[::1/counts", "is not a valid PostgreSQL URL"),
    ("postgres://u:s3cr3t@127.0.0.1/counts?sslmode=sometimes", 'invalid sslmode value: "some'),
    ("postgresql://u:s3cr3t@127.0.0.1:1/counts", "Connection refused"),  # nothing listens
]


@pytest.mark.parametrize(("store", "expected"), BAD_STORES)
@pytest.mark.parametrize("command", ["serve", "replay"])
def test_a_bad_or_unreachable_store_is_one_sentence(
    tmp_path: Path, command: str, store: str, expected: str
) -> None:
    csv = tmp_path / "p.csv"
    csv.write_text("time,direction\n2017-05-12 08:00:00,in\n")
    args = [command, "--data", str(tmp_path / "data"), "--store", store, "--serial", "ACCC8E019C5F"]
    args += ["--port", "0"] if command == "serve" else [str(csv)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"footfall {command}: ") and expected in result.output
    assert len(result.output.strip().splitlines()) == 1 and "s3cr3t" not in result.output
    assert not (tmp_path / "data" / STORE_FILE).exists()  # no SQLite file in its place


@pytest.mark.parametrize(
    ("line", "field", "meant"),
    [
        ('source = "None"', "source", "none"),
        ('source = "Synthetic:2"', "source", "synthetic:2"),
        ('detector = "NET"', "detector", "net"),
        ('detector = "Foreground"', "detector", "foreground"),
    ],
)
def test_keywords_are_read_in_any_case(tmp_path: Path, line: str, field: str, meant: str) -> None:
    """`None` was looked for as a video file called None, `NET` as a model file."""
    from footfall.server import load_settings

    config = tmp_path / "footfall.toml"
    config.write_text(line + "\n")
    result = runner.invoke(app, ["check-config", str(config)])
    assert result.exit_code == 0, result.output
    assert getattr(load_settings(config, {}), field) == meant
