"""The counting area of SPEC §5 (cntpos.json) and its geometry."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

InDirection = Literal["up", "down"]


@dataclass(frozen=True, slots=True)
class Area:
    """Counting area in pixels of the analysed stream, exactly the fields of cntpos.json."""

    width: int = 320
    height: int = 240
    left: int = 0
    right: int = 320
    top: int = 90
    bottom: int = 150
    yfirst: int = 90
    ylast: int = 150
    radius: int = 0

    def as_cntpos(self) -> dict[str, int]:
        """The cntpos.json body, keys in the vendor's order."""
        return asdict(self)
