"""What the person-size learner has seen, kept over a restart of the counter.

The learnt person size rests on the thickest foreground blobs of the first SIZE_WINDOW frames
with people (then it is held), and what those blobs look like depends on what the background
model has seen: a counter started while a queue stands in the door takes the queue for
background, its blobs are torn and the size it learns is far too small (tram 02 restarted in the
middle: 19-24 px for 33, 21 passages counted for 10), and one started on an empty doorway sees
the next queue as one solid blob (14 for 23). Carried over a restart, the samples of the run
before keep the size where it was while the new background model settles (a full window is held
as it is; a shorter one is completed by new samples).

`SizeSamples` is the learner's state (pure, JSON both ways); `SizeMemory` keeps it in a file of
the data directory, written whole and atomically (a `kill -9` mid-write leaves the last one).

    >>> memory = SizeMemory(Path("data/person-size.json"), "rtsp://cam/1")  # doctest: +SKIP
    >>> analyzer.restore_size(memory.load())                                 # doctest: +SKIP
    >>> memory.save(analyzer.size_samples())                                 # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SIZE_FILE = "person-size.json"
FORMAT = 1
USUAL_WORK = 160  # px: the usual analysis width (`vision/person.py`, WORK_WIDTH)


@dataclass(frozen=True, slots=True)
class SizeSamples:
    """The size learner's samples (blob thickness in pixels of a frame analysed 160 px wide,
    blob solidity), with what they are only valid for: the sizing params (mounting height,
    lens, shoulder width, auto size), the source's frame size and the width the frames were
    analysed at (`work`: a person measures a different share of the picture at another width,
    `vision/widths.py`, `WidthAnalysis`; files written before it was kept were learnt at 160), and
    the same blobs' thickness before the mask's closing (`opened`, one per thickness; empty in
    files written before it was kept: the size is then not bound by it, `OPENED_MAX`)."""

    sizing: tuple[float, float, float, int]
    frame: tuple[int, int]
    thickness: tuple[float, ...]
    solidity: tuple[float, ...]
    work: int = USUAL_WORK
    opened: tuple[float, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A plain JSON object."""
        return {
            "format": FORMAT,
            "sizing": list(self.sizing),
            "frame": list(self.frame),
            "thickness": [round(t, 3) for t in self.thickness],
            "solidity": [round(s, 4) for s in self.solidity],
            "work": self.work,
            "opened": [round(t, 3) for t in self.opened],
        }

    @classmethod
    def from_json(cls, raw: object) -> SizeSamples:
        """The samples of `to_json`'s object; ValueError saying what is wrong."""
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ValueError(f"not a format {FORMAT} person-size object")
        try:
            height, fov, width, auto = (float(v) for v in raw["sizing"])
            frame_w, frame_h = (int(v) for v in raw["frame"])
            thickness = tuple(float(v) for v in raw["thickness"])
            solidity = tuple(float(v) for v in raw["solidity"])
            work = int(raw.get("work", USUAL_WORK))
            opened = tuple(float(v) for v in raw.get("opened", []))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"a field is missing or malformed ({exc})") from None
        if len(opened) != len(thickness):
            opened = ()  # not one per thickness: not kept (a file from before it was)
        values = (*thickness, *solidity, *opened)
        if not all(math.isfinite(v) and v >= 0 for v in values) or min(frame_w, frame_h, work) <= 0:
            raise ValueError("a sample, the frame size or the analysis width is not positive")
        sizes = (height, fov, width, int(auto))
        return cls(sizes, (frame_w, frame_h), thickness, solidity, work, opened)


class SizeMemory:
    """The size learner's samples of one source, in a JSON file (`SIZE_FILE` of the data
    directory). Reading never fails: a missing, unreadable or foreign file is no memory."""

    def __init__(self, path: Path, source: str) -> None:
        self.path = path
        self.source = source
        self._saved: SizeSamples | None = None
        self._warned = False

    def load(self) -> SizeSamples | None:
        """The samples saved for this source, or None (none saved, another source's, or a file
        that cannot be read: logged, then ignored)."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            log.warning("person size memory %s cannot be read, learning afresh: %s", self.path, exc)
            return None
        if not isinstance(raw, dict) or raw.get("source") != self.source:
            log.info("person size memory %s is for another source; learning afresh", self.path)
            return None
        try:
            samples = SizeSamples.from_json(raw.get("samples"))
        except ValueError as exc:
            log.warning("person size memory %s is malformed, learning afresh: %s", self.path, exc)
            return None
        self._saved = samples
        return samples

    def save(self, samples: SizeSamples | None) -> None:
        """Write the samples (nothing when None or unchanged since the last write). The file is
        replaced whole (written beside it, flushed to disk, renamed); a failure is logged once
        and the next call tries again."""
        if samples is None or samples == self._saved:
            return
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        body = json.dumps({"source": self.source, "samples": samples.to_json()})
        try:
            with open(tmp, "w", encoding="utf-8") as out:
                out.write(body)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            if not self._warned:
                log.warning("person size memory %s cannot be written: %s", self.path, exc)
                self._warned = True
            return
        self._saved, self._warned = samples, False
