"""A shared clip as another camera would give it. `decoded` keeps every n-th frame as OpenCV
decodes them; `resampled` decodes it at another frame rate with FFmpeg's filters (PyAV, a
development dependency): `fps` keeps the frame nearest each new tick (fewer frames), and
`minterpolate` makes the new frames by motion-compensated interpolation (more frames, as a
camera running faster would see them). `empty_doorway` is the clip's scene with no one in it;
`zoomed` is the clip as a higher or a lower camera would see it (with `zoomed_area`), `widescreen`
as a 1280x720 or 1920x1080 camera would (with `widescreen_area`), `barrelled` through a
wide-angle lens's barrel distortion (with `barrelled_area`); `clocked`
has a recorder's clock burned in; `lit` is under a light that beats or an exposure that steps;
`graded` through another tone curve (contrast, gamma), `blurred` out of focus;
`written_lossy` writes a file that lost frames, the rest keeping
their timestamps; `reencoded` writes a clip again in another codec and container (HEVC, AV1,
VP9, Motion JPEG), as a camera or recorder of today would store it.

    >>> frames = list(resampled(Path("clip.mp4"), 30))   # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt


def decoded(video: Path, stride: int = 1) -> Iterator[npt.NDArray[np.uint8]]:
    """Every `stride`-th frame of `video` (the first kept), as OpenCV decodes it."""
    capture = cv2.VideoCapture(str(video))
    index = 0
    while True:
        ok, image = capture.read()
        if not ok:
            break
        if index % stride == 0:
            yield np.asarray(image, np.uint8)
        index += 1
    capture.release()


def empty_doorway(images: list[npt.NDArray[np.uint8]]) -> npt.NDArray[np.uint8]:
    """The clip's doorway with no one in it: the median of every 10th image (people move on,
    the floor stays)."""
    return np.asarray(np.median(np.stack(images[::10]), axis=0), np.uint8)


def resampled(video: Path, fps: int) -> Iterator[npt.NDArray[np.uint8]]:
    """BGR frames of `video` at `fps` frames a second (interpolated when faster than the clip)."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate or fps)
        graph = av.filter.Graph()
        source = graph.add_buffer(template=stream)
        if fps > rate:
            convert = graph.add("minterpolate", f"fps={fps}:mi_mode=mci")
        else:
            convert = graph.add("fps", f"fps={fps}")
        sink = graph.add("buffersink")
        source.link_to(convert)
        convert.link_to(sink)
        graph.configure()
        for frame in container.decode(stream):
            graph.push(frame)
            yield from _drain(graph)
        graph.push(None)
        yield from _drain(graph)


def _drain(graph: av.filter.Graph) -> Iterator[npt.NDArray[np.uint8]]:
    while True:
        try:
            out = graph.pull()
        except (av.BlockingIOError, av.EOFError):
            return
        yield np.asarray(out.to_ndarray(format="bgr24"), np.uint8)


def shaken(
    frames: Iterator[npt.NDArray[np.uint8]],
    fps: float,
    jitter_px: float = 0.0,
    sway_px: float = 0.0,
    sway_hz: float = 1.5,
    seed: int = 0,
) -> Iterator[npt.NDArray[np.uint8]]:
    """The frames as a shaking camera would give them: each moved by a random jitter of up to
    `jitter_px` each way (seeded, the same every run), plus a sway of `sway_px` (x; half that in
    y) at `sway_hz`, edges replicated."""
    rng = np.random.default_rng(seed)
    for index, image in enumerate(frames):
        shift = rng.uniform(-jitter_px, jitter_px, 2) if jitter_px > 0 else np.zeros(2)
        phase = 2.0 * np.pi * sway_hz * index / fps
        shift += sway_px * np.array([np.sin(phase), 0.5 * np.sin(1.3 * phase)])
        yield moved(image, shift)


KNOCK_AT_S = 5.0  # before the bus's first passenger, while the trams' queues wait


def knocked(
    frames: Iterator[npt.NDArray[np.uint8]], fps: float, px: float, at_s: float = KNOCK_AT_S
) -> Iterator[npt.NDArray[np.uint8]]:
    """The frames of a camera knocked at `at_s` by `px` (x; half that in y) and left there."""
    shift = np.array([px, px / 2])
    for index, image in enumerate(frames):
        yield moved(image, shift) if index / fps >= at_s else image


def moved(image: npt.NDArray[np.uint8], shift: npt.NDArray[np.float64]) -> npt.NDArray[np.uint8]:
    """The image moved by `shift` (x, y) px, its edges replicated."""
    move = np.float32([[1, 0, shift[0]], [0, 1, shift[1]]])
    size = (image.shape[1], image.shape[0])
    return np.asarray(cv2.warpAffine(image, move, size, borderMode=cv2.BORDER_REPLICATE), np.uint8)


def grainy(
    frames: Iterator[npt.NDArray[np.uint8]], sigma: float, seed: int = 0
) -> Iterator[npt.NDArray[np.uint8]]:
    """The frames as a grainier sensor would give them: Gaussian noise of `sigma` grey levels
    on every pixel and channel (seeded, the same every run)."""
    rng = np.random.default_rng(seed)
    for image in frames:
        noisy = image.astype(np.float32) + rng.normal(0.0, sigma, image.shape).astype(np.float32)
        yield np.asarray(np.clip(noisy, 0, 255), np.uint8)


def lit(
    frames: Iterator[npt.NDArray[np.uint8]],
    fps: float,
    beat: float = 0.0,
    steps: float = 0.0,
    switched: float = 0.0,
    exposure: float = 1.0,
) -> Iterator[npt.NDArray[np.uint8]]:
    """The frames under another light: one that beats (`beat`: its depth, at BEAT_HZ, as a
    camera at 25 fps sees 60 Hz lamps, or at 30 fps 50 Hz ones), an exposure that steps by
    `steps` (up, back, down, back: a step every STEP_S seconds) and a light switched on
    (`switched`: it rises by that share from SWITCH_AT_S over SWITCH_S seconds and stays), all
    times `exposure` (a camera that exposes darker or brighter)."""
    for index, image in enumerate(frames):
        t = index / fps
        gain = 1.0 + beat * math.sin(2.0 * math.pi * BEAT_HZ * t)
        gain += steps * (0, 1, 0, -1)[int(t / STEP_S) % 4]
        gain += switched * min(1.0, max(0.0, (t - SWITCH_AT_S) / SWITCH_S))
        gain *= exposure
        yield np.asarray(np.clip(image.astype(np.float32) * gain, 0, 255), np.uint8)


def graded(
    frames: Iterator[npt.NDArray[np.uint8]], contrast: float = 1.0, gamma: float = 1.0
) -> Iterator[npt.NDArray[np.uint8]]:
    """The frames through another camera's tone curve: the grey levels' spread about mid-grey
    times `contrast` (a flatter or a punchier picture), then raised to `gamma` (above 1 darker
    mid-tones, below 1 lighter, black and white kept)."""
    levels = np.arange(256, dtype=np.float64)
    levels = np.clip((levels - 128.0) * contrast + 128.0, 0.0, 255.0)
    table = np.asarray(np.round(255.0 * (levels / 255.0) ** gamma), np.uint8)
    for image in frames:
        yield np.asarray(table[image], np.uint8)


def blurred(
    frames: Iterator[npt.NDArray[np.uint8]], sigma: float
) -> Iterator[npt.NDArray[np.uint8]]:
    """The frames through a lens a little out of focus (or misted): a Gaussian blur of `sigma`
    px of the frame."""
    for image in frames:
        yield np.asarray(cv2.GaussianBlur(image, (0, 0), sigma), np.uint8)


BEAT_HZ = 5.0
STEP_S = 3.0
SWITCH_AT_S = 3.0  # before the bus's first passenger, while the trams' queues wait
SWITCH_S = 2.0


def dropped(
    frames: Iterator[npt.NDArray[np.uint8]], share: float, seed: int = 0
) -> Iterator[tuple[int, npt.NDArray[np.uint8]]]:
    """(index, image) of the frames a camera or a box too slow would leave: each dropped with
    probability `share` (seeded), the others keeping their own index (and so their time)."""
    rng = np.random.default_rng(seed)
    for index, image in enumerate(frames):
        if rng.random() >= share:
            yield index, image


def written_lossy(frames: Iterator[tuple[int, npt.NDArray[np.uint8]]], out: Path, fps: int) -> Path:
    """(index, image) frames written to `out` (H.264 in MP4, near-lossless) with the timestamps
    of their indices at `fps`: the frames missing from `frames` leave gaps in the file's timeline,
    as in a recorder's export or an AVI with empty chunks (OpenCV then states the average rate)."""
    with av.open(str(out), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.codec_context.time_base = Fraction(1, fps)
        stream.options = {"crf": "14"}
        for index, image in frames:
            if stream.width != image.shape[1]:
                stream.width, stream.height = image.shape[1], image.shape[0]
                stream.pix_fmt = "yuv420p"
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts, frame.time_base = index, Fraction(1, fps)
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return out


def jpeg(frames: Iterator[npt.NDArray[np.uint8]], quality: int) -> Iterator[npt.NDArray[np.uint8]]:
    """The frames as a camera's MJPEG stream at a low `quality` gives them (1-100; 20: 8x8
    blocks, ringing at edges, banded shading), each encoded and decoded again."""
    for image in frames:
        _, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        yield np.asarray(cv2.imdecode(data, cv2.IMREAD_COLOR), np.uint8)


CLOCK_START = datetime(2026, 12, 3, 8, 0, 0)  # the time a burned-in clock shows at frame 0


def clocked(frames: Iterator[npt.NDArray[np.uint8]], fps: float) -> Iterator[npt.NDArray[np.uint8]]:
    """The frames with a clock burned in at the bottom left, white, to the tenth of a second,
    as CCTV recorders stamp them: digits that change every frame or so."""
    for index, image in enumerate(frames):
        when = CLOCK_START + timedelta(seconds=index / fps)
        text = when.strftime("%Y-%m-%d %H:%M:%S.") + str(when.microsecond // 100_000)
        stamped = image.copy()
        origin = (5, image.shape[0] - 8)
        cv2.putText(stamped, text, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1)
        yield stamped


ZOOM_FLOOR = (110, 110, 110)  # BGR: the plain floor a higher camera sees around the clip


def zoom_shift(area: dict[str, int], factor: float) -> tuple[float, float]:
    """(tx, ty) of the zoom that maps a point p of the clip to p * factor + (tx, ty), for a clip
    the size of the counting `area` (cntpos fields): a higher camera (`factor` < 1) sees the clip
    shrunk in the middle of a picture of the same size, a lower one (> 1) the part around the
    area's middle, enlarged to the whole picture."""
    w, h = area["width"], area["height"]
    if factor <= 1:
        return float((w - round(w * factor)) // 2), float((h - round(h * factor)) // 2)
    centre = ((area["left"] + area["right"]) / 2, (area["top"] + area["bottom"]) / 2)
    cw, ch = round(w / factor), round(h / factor)
    x0 = int(min(max(0.0, centre[0] - cw / 2), w - cw))
    y0 = int(min(max(0.0, centre[1] - ch / 2), h - ch))
    return -x0 * factor, -y0 * factor


def zoomed(
    image: npt.NDArray[np.uint8], factor: float, shift: tuple[float, float]
) -> npt.NDArray[np.uint8]:
    """The image as a camera higher or lower by the zoom (`factor`, `zoom_shift`) would see
    it: shrunk (area-averaged) onto a plain floor, or cut out and enlarged (bicubic)."""
    h, w = image.shape[:2]
    if factor <= 1:
        inner = (round(w * factor), round(h * factor))
        small = cv2.resize(image, inner, interpolation=cv2.INTER_AREA)
        x0, y0 = int(shift[0]), int(shift[1])
        border = (y0, h - small.shape[0] - y0, x0, w - small.shape[1] - x0)
        out = cv2.copyMakeBorder(small, *border, cv2.BORDER_CONSTANT, value=ZOOM_FLOOR)
    else:
        x0, y0 = round(-shift[0] / factor), round(-shift[1] / factor)
        part = image[y0 : y0 + round(h / factor), x0 : x0 + round(w / factor)]
        out = cv2.resize(part, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.asarray(out, np.uint8)


def zoomed_area(area: dict[str, int], factor: float, shift: tuple[float, float]) -> dict[str, int]:
    """A counting area (cntpos fields, in the clip's pixels) where the zoomed picture shows it."""
    w = area["width"]
    out = dict(area)
    for key, t, most in (("left", shift[0], w), ("right", shift[0], w)):
        out[key] = int(min(max(0, round(area[key] * factor + t)), most))
    for key in ("top", "bottom", "yfirst", "ylast"):
        out[key] = round(area[key] * factor + shift[1])
    out["radius"] = round(area.get("radius", 0) * factor)
    return out


def _barrel_scale(width: int, height: int) -> tuple[float, float, float]:
    """(centre x, centre y, scale): a point's distance from the picture's centre over this scale
    is 1 at the corners."""
    return (width - 1) / 2, (height - 1) / 2, math.hypot(width, height) / 2


def barrelled(
    frames: Iterator[npt.NDArray[np.uint8]], strength: float
) -> Iterator[npt.NDArray[np.uint8]]:
    """The frames as a wide-angle lens draws them: barrel distortion, each pixel at distance r
    from the centre (1 at the corners) showing the scene at r · (1 + strength · r²), so the
    picture bulges and its edges are squeezed (a corner shows what lay `strength` further out;
    the edges replicated beyond the clip)."""
    maps: tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]] | None = None
    for image in frames:
        if maps is None:
            h, w = image.shape[:2]
            cx, cy, f = _barrel_scale(w, h)
            xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
            xn, yn = (xs - cx) / f, (ys - cy) / f
            grow = 1 + strength * (xn * xn + yn * yn)
            maps = (
                np.asarray(xn * grow * f + cx, np.float32),
                np.asarray(yn * grow * f + cy, np.float32),
            )
        yield np.asarray(
            cv2.remap(image, *maps, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE), np.uint8
        )


def barrel_point(
    x: float, y: float, width: int, height: int, strength: float
) -> tuple[float, float]:
    """Where the barrelled picture shows the clip's point (x, y) (the mapping of `barrelled`
    inverted by fixed-point iteration)."""
    cx, cy, f = _barrel_scale(width, height)
    ux, uy = (x - cx) / f, (y - cy) / f
    dx, dy = ux, uy
    for _ in range(50):
        grow = 1 + strength * (dx * dx + dy * dy)
        dx, dy = ux / grow, uy / grow
    return dx * f + cx, dy * f + cy


def barrelled_area(area: dict[str, int], strength: float) -> dict[str, int]:
    """A counting area (cntpos fields, in the clip's pixels) where the barrelled picture shows
    it: its edges where they cross the area's middle (the band bends a little away from it)."""
    w, h = area["width"], area["height"]
    mid_x = (area["left"] + area["right"]) / 2
    mid_y = (area["yfirst"] + area["ylast"]) / 2
    out = dict(area)
    for key in ("left", "right"):
        out[key] = round(barrel_point(area[key], mid_y, w, h, strength)[0])
    for key in ("top", "bottom", "yfirst", "ylast"):
        out[key] = round(barrel_point(mid_x, area[key], w, h, strength)[1])
    return out


def widescreen(image: npt.NDArray[np.uint8], size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """The image as a camera of `size` (width, height; wider than the clip's aspect, as 1280x720
    or 1920x1080) would show the doorway: enlarged (bicubic) to the height, the plain floor
    either side."""
    h, w = image.shape[:2]
    inner = round(w * size[1] / h)
    big = cv2.resize(image, (inner, size[1]), interpolation=cv2.INTER_CUBIC)
    left = (size[0] - inner) // 2
    border = (0, 0, left, size[0] - inner - left)
    return np.asarray(cv2.copyMakeBorder(big, *border, cv2.BORDER_CONSTANT, value=ZOOM_FLOOR))


def widescreen_area(area: dict[str, int], size: tuple[int, int]) -> dict[str, int]:
    """A counting area (cntpos fields, in the clip's pixels) where `widescreen` shows it."""
    factor = size[1] / area["height"]
    left = (size[0] - round(area["width"] * factor)) // 2
    out = zoomed_area(dict(area, width=size[0]), factor, (left, 0.0))
    return dict(out, width=size[0], height=size[1])


def turned(area: dict[str, int], in_direction: str) -> tuple[dict[str, int], str]:
    """A counting area (cntpos fields) and its `in` direction where a picture turned by 180°
    shows them: top and bottom, left and right swap about the picture's middle, and `in` is the
    other way up the picture."""
    w, h = area["width"], area["height"]
    return dict(
        area,
        left=w - area["right"],
        right=w - area["left"],
        top=h - area["bottom"],
        bottom=h - area["top"],
        yfirst=h - area["ylast"],
        ylast=h - area["yfirst"],
    ), ("down" if in_direction == "up" else "up")


# (codec, pixel format, options) by the file's suffix: what cameras and recorders store today
CODECS: dict[str, tuple[str, str, dict[str, str]]] = {
    ".hevc.mp4": ("libx265", "yuv420p", {"crf": "28", "x265-params": "log-level=error"}),
    ".av1.mkv": ("libsvtav1", "yuv420p", {"crf": "35", "svtav1-params": "lp=1"}),
    ".vp9.webm": (
        "libvpx-vp9",
        "yuv420p",
        {"crf": "32", "b": "0", "deadline": "realtime", "cpu-used": "8"},
    ),
    ".mjpeg.avi": ("mjpeg", "yuvj420p", {"q:v": "5"}),
}


def reencoded(video: Path, out: Path) -> Path:
    """`video` written again to `out` in the codec and container its suffix names (`CODECS`:
    `x.hevc.mp4`, `x.av1.mkv`, `x.vp9.webm`, `x.mjpeg.avi`), at the clip's own size and rate."""
    suffix = "".join(out.suffixes[-2:])
    codec, pixels, options = CODECS[suffix]
    with av.open(str(video)) as source, av.open(str(out), "w") as container:
        decoded_stream = source.streams.video[0]
        stream = container.add_stream(codec, rate=decoded_stream.average_rate)
        stream.width, stream.height = decoded_stream.width, decoded_stream.height
        stream.pix_fmt, stream.options = pixels, options
        for frame in source.decode(decoded_stream):
            picture = frame.reformat(format=pixels)
            picture.pts = None
            container.mux(stream.encode(picture))
        container.mux(stream.encode())
    return out
