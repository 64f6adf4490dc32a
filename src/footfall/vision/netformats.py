"""How a person-detection network's input is made and its outputs read: the conventions of the
models `NetDetector` runs (`vision/netdetect.py`).

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
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt

from footfall.vision.types import Detections

F32 = npt.NDArray[np.float32]

# An output of at most this many rows of (x1, y1, x2, y2, score, class) holds final detections
# (YOLO26 and YOLOv10 keep 300); a YOLOv5 output of one class, also 6 wide, has a row per anchor
# (25200 at 640 px, 1575 even at 160 px).
E2E_MAX_ROWS = 1000
# Class names taken for the people to count, in order of preference.
PERSON_NAMES = ("person", "pedestrian", "people", "head")


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


def output_named(named: dict[str, Any], part: str, required: bool = True) -> Any:
    """The output whose name contains `part` (None, or an error when `required`, if none)."""
    for name, value in named.items():
        if part in name.lower():
            return value
    if required:
        raise ValueError(f"the model has no output whose name contains {part!r}: {list(named)}")
    return None
