"""Drawing the synthetic overhead scene: a tiled floor (or a plain one: `PLAIN_GREY`), people as
shaded shoulders with a head on top and, in perspective, torso and legs, each with the shadow a
low light casts on the floor if asked (`Shadow`); a light level and camera noise. The planning of
who walks where, and the ground truth, live in `synthetic.py`.

    >>> renderer = Renderer(seed=0)
    >>> image = renderer.render(walkers, frame=12, gain=light_gain(12))   # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import cv2
import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from footfall.vision.synthetic import Walker

Image = npt.NDArray[np.uint8]

WIDTH, HEIGHT = 320, 240
FPS = 15.0  # frames per second of the synthetic scene
SHOULDER_HEIGHT_M = 1.40  # shoulders of an adult, above the floor
HIP_HEIGHT_M = 0.95
Floor = Literal["tiled", "plain"]
# A plain floor: one grey, no texture at all but the camera's noise (a smooth, evenly lit floor:
# polished concrete, vinyl, a painted platform). The optical flow has nothing there to hold on to.
PLAIN_GREY = 128
BODY_HEIGHT_M = 1.70  # the height that casts a shadow


@dataclass(frozen=True, slots=True)
class Shadow:
    """A light low enough to cast each person's shadow on the floor (sun through a door, a lamp
    to one side): shadows fall towards `azimuth_deg` in the picture (0: towards +x, 90: towards
    +y, down the picture), `elevation_deg` above the floor (45: a shadow as long as the person
    is tall), the floor in shadow keeping `light` of its brightness."""

    azimuth_deg: float = 0.0
    elevation_deg: float = 45.0
    light: float = 0.5


# Hard shadows of a low sun (45°, the floor in shadow at half its light): falling across the way
# people walk (beside each walker, as a partner side by side would be) or along it (behind or
# ahead, as a tailgater would be); and the soft shadow of a lamp (60° up, the floor in it at
# 0.85 of its light) falling along the way people walk, as an atrium's or a hall's lights give.
SHADOWS = {
    "across": Shadow(azimuth_deg=0.0),
    "along": Shadow(azimuth_deg=90.0),
    "lamp": Shadow(azimuth_deg=90.0, elevation_deg=60.0, light=0.85),
}


class Renderer:
    """Draws walkers over a tiled (or plain) floor, with a light level and camera noise."""

    def __init__(
        self,
        seed: int,
        width: int = WIDTH,
        height: int = HEIGHT,
        camera_cm: int = 280,
        floor: Floor = "tiled",
        shadow: Shadow | None = None,
    ) -> None:
        rng = np.random.default_rng(seed)
        self.shadow = shadow
        self.width, self.height = width, height
        # Perspective: a body point at height h appears at the shoulder point's offset from the
        # image centre times (camera - shoulders) / (camera - h): hips and feet lean inwards.
        cam = max(camera_cm / 100, SHOULDER_HEIGHT_M + 0.4)
        self.hip_k = (cam - SHOULDER_HEIGHT_M) / (cam - HIP_HEIGHT_M)
        self.feet_k = (cam - SHOULDER_HEIGHT_M) / cam
        tiles = _floor(rng, width, height)
        self.floor = tiles if floor == "tiled" else np.full_like(tiles, PLAIN_GREY)
        self.noise = rng.normal(0.0, 2.5, size=(8, height, width, 3)).astype(np.float32)

    def render(self, walkers: list[Walker], frame: int, gain: float) -> Image:
        """One BGR frame with every walker present at `frame`."""
        image = self.floor.copy()
        posed = [(w, pose) for w in walkers if (pose := w.at(frame)) is not None]
        if self.shadow is not None:
            self._cast_shadows(image, posed, self.shadow)
        for w, (x, y, heading) in posed:
            self._draw_body(image, w, x, y)
            _draw_person(image, w, x, y, heading)
        lit = image.astype(np.float32) * gain + self.noise[frame % len(self.noise)]
        out: Image = np.clip(lit, 0, 255).astype(np.uint8)
        return out

    def _cast_shadows(
        self, image: Image, posed: list[tuple[Walker, tuple[float, float, float]]], shadow: Shadow
    ) -> None:
        """Darken the floor where the walkers' shadows fall (each with its (x, y, heading) now):
        from each one's feet away from the light, legs, torso, shoulders and head at the floor's
        scale, edges softened by a pixel."""
        cover = np.zeros(image.shape[:2], np.uint8)
        for w, (x, y, heading) in posed:
            _draw_shadow(cover, w, self._feet(x, y), heading, self.feet_k, shadow)
        if not cover.any():
            return
        soft = cv2.GaussianBlur(cover, (3, 3), 0).astype(np.float32) / 255.0
        keep = 1.0 - (1.0 - shadow.light) * soft
        image[:] = np.clip(image.astype(np.float32) * keep[..., None], 0, 255).astype(np.uint8)

    def _feet(self, x: float, y: float) -> tuple[float, float]:
        """Where the feet of a person with shoulders at (x, y) appear: nearer the centre."""
        cx, cy = self.width / 2, self.height / 2
        return cx + (x - cx) * self.feet_k, cy + (y - cy) * self.feet_k

    def _draw_body(self, image: Image, w: Walker, x: float, y: float) -> None:
        """Torso and legs, seen in perspective below the shoulders (hidden under the camera)."""
        cx, cy = self.width / 2, self.height / 2
        hip = (round(cx + (x - cx) * self.hip_k), round(cy + (y - cy) * self.hip_k))
        fx, fy = self._feet(x, y)
        feet = (round(fx), round(fy))
        here = (round(x), round(y))
        legs_px = max(2, round(w.width_px * 0.4 * self.feet_k))
        torso_px = max(3, round(w.width_px * 0.7 * self.hip_k))
        cv2.line(image, hip, feet, w.legs, legs_px, cv2.LINE_AA)
        cv2.line(image, here, hip, _shade(w.shirt, 0.8), torso_px, cv2.LINE_AA)


def _floor(rng: np.random.Generator, width: int, height: int) -> Image:
    """Grey tiles with grout lines and speckle: texture a background model has to learn."""
    base = rng.integers(120, 160)
    floor = np.full((height, width, 3), base, np.float32)
    tile = 40
    shades = rng.normal(0, 6, size=(height // tile + 1, width // tile + 1)).astype(np.float32)
    floor += np.kron(shades, np.ones((tile, tile), np.float32))[:height, :width, None]
    floor[::tile, :, :] -= 35
    floor[:, ::tile, :] -= 35
    floor += rng.normal(0, 5, size=(height, width, 1)).astype(np.float32)
    floor[..., 0] += 6  # a slightly cool floor
    return np.clip(floor, 0, 255).astype(np.uint8)


def _draw_shadow(
    cover: Image,
    w: Walker,
    feet: tuple[float, float],
    heading: float,
    feet_k: float,
    shadow: Shadow,
) -> None:
    """One walker's shadow (255 on `cover`): legs, torso, shoulders and head laid on the floor
    from the feet away from the light, as long as the light's elevation makes a standing body."""
    floor_w = w.width_px * feet_k  # the shoulders' width at the floor's scale
    length = BODY_HEIGHT_M / math.tan(math.radians(shadow.elevation_deg)) * floor_w / 0.45
    ux = math.cos(math.radians(shadow.azimuth_deg)) * length
    uy = math.sin(math.radians(shadow.azimuth_deg)) * length

    def at(share: float) -> tuple[int, int]:
        return round(feet[0] + ux * share), round(feet[1] + uy * share)

    cv2.line(cover, at(0.0), at(0.5), 255, max(2, round(floor_w * 0.4)))
    cv2.line(cover, at(0.45), at(0.82), 255, max(3, round(floor_w * 0.7)))
    axes = (max(1, round(floor_w / 2)), max(1, round(floor_w * 0.25)))
    cv2.ellipse(cover, at(0.82), axes, math.degrees(heading) + 90.0, 0, 360, 255, -1)
    cv2.circle(cover, at(0.95), max(1, round(floor_w * 0.24)), 255, -1)


def _shade(color: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return (
        min(255, int(color[0] * factor)),
        min(255, int(color[1] * factor)),
        min(255, int(color[2] * factor)),
    )


def _draw_person(image: Image, w: Walker, x: float, y: float, heading: float) -> None:
    """Shoulders as an ellipse across the heading, shaded towards the rim, then the head."""
    angle = math.degrees(heading) + 90.0  # major axis across the direction of walking
    half_w = w.width_px / 2
    half_d = w.width_px * 0.36  # shoulders and swinging arms
    centre = (round(x), round(y))
    # rim to crown: darker at the rim, lighter on top, as light from above shades a body
    for size, shade in ((1.0, 0.6), (0.78, 1.0), (0.45, 1.2)):
        axes = (round(half_w * size), round(half_d * size))
        cv2.ellipse(image, centre, axes, angle, 0, 360, _shade(w.shirt, shade), -1, cv2.LINE_AA)
    head_r = w.width_px * 0.24
    cv2.circle(image, centre, round(head_r), w.hair, -1, cv2.LINE_AA)
    cv2.circle(
        image,
        (round(x - head_r * 0.25), round(y - head_r * 0.25)),
        round(head_r * 0.45),
        _shade(w.hair, 1.6),
        -1,
        cv2.LINE_AA,
    )


def light_gain(frame: int, fps: float = FPS, period_s: float = 120.0, depth: float = 0.2) -> float:
    """The light level at `frame`: a slow swing of ±depth around 1 over `period_s` (clouds, lamps
    warming up); at most depth·2π/(fps·period_s) per frame."""
    return 1.0 + depth * math.sin(2 * math.pi * frame / (fps * period_s))
