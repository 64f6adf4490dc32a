"""kill -9 loses nothing committed: a real writer process is killed, the file reopened."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from footfall.store.sqlite import SQLiteStore

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from pathlib import Path
    from footfall.store.base import Passage
    from footfall.store.sqlite import SQLiteStore

    store = SQLiteStore(Path(sys.argv[1]))
    t0 = datetime(2025, 6, 1, tzinfo=UTC)
    i = 0
    while True:  # one passage per minute, so every committed one is its own row
        store.add_passages([Passage(t0 + timedelta(minutes=i), "in" if i % 2 else "out")])
        print(i, flush=True)
        i += 1
    """
)


def test_kill_9_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "durable.sqlite3"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert writer.stdout is not None
    printed = -1
    try:
        for line in writer.stdout:
            printed = int(line)
            if printed >= 150:
                break
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    assert printed >= 150

    with SQLiteStore(path) as reopened:
        minutes = [b.minute_utc for b in reopened.minute_bins(0, 2**40)]
        assert reopened.window_sums(0, 900 * 2**30, 900)  # the rollup survived as well
    t0 = 1748736000  # 2025-06-01T00:00:00Z
    assert len(minutes) >= printed + 1  # every printed passage is there...
    assert minutes == [t0 + 60 * i for i in range(len(minutes))]  # ...and no hole before the last
