"""The network detector: the shipped SSDLite model on a real photo, and YOLO/SSD decoding on tiny
ONNX models built here and run by onnxruntime."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

from footfall.commands.count import params_for
from footfall.vision.analyzer import Analyzer
from footfall.vision.filesource import FileSource
from footfall.vision.netdetect import DEFAULT_MODEL, NetDetector
from footfall.vision.netformats import (
    E2E_MAX_ROWS,
    ModelMeta,
    decode_detr,
    decode_e2e,
    decode_ssd,
    decode_yolo,
    letterbox,
    model_meta,
    output_layout,
)
from footfall.vision.offline import count_file
from footfall.vision.orient import turned, turned_boxes
from footfall.vision.synthetic import scenario
from footfall.vision.types import Frame
from tests.vision.walker import crowd_far_away, far_away, write_walking, written

DATA = Path(__file__).parent / "data"
WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def frame_of(image: np.ndarray) -> Frame:
    return Frame(image.astype(np.uint8), 0, WHEN)


@pytest.fixture(scope="module")
def ssdlite() -> NetDetector:
    return NetDetector(score_threshold=0.5)


def test_the_default_model_ships_and_is_small() -> None:
    assert DEFAULT_MODEL.is_file()
    assert DEFAULT_MODEL.stat().st_size < 20 * 2**20
    assert (DEFAULT_MODEL.parent / "LICENSE").read_text().startswith("MIT License")


def test_finds_the_person_in_a_real_photo(ssdlite: NetDetector) -> None:
    # The "cameraman" photo (CC0, Lav Varshney): one man standing, seen from the side.
    image = cv2.imread(str(DATA / "cameraman_cc0.jpg"), cv2.IMREAD_COLOR)
    found = ssdlite.detect(frame_of(image))
    assert len(found) == 1
    assert found.scores[0] > 0.9
    x0, y0, x1, y1 = found.boxes[0]
    assert x0 < 20 and 15 < y0 < 60 and 130 < x1 < 170 and y1 > 240  # the man, not the tripod
    assert found.boxes.dtype == np.float32 and found.scores.dtype == np.float32


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_picture_turned_for_counting_is_looked_at_upright(
    ssdlite: NetDetector, degrees: int
) -> None:
    # Counter.Rotation turns the picture for a doorway crossed left and right: the man lies on
    # his side in it, and the network, which learnt people upright, finds him where he stands.
    image = cv2.imread(str(DATA / "cameraman_cc0.jpg"), cv2.IMREAD_COLOR)
    standing = ssdlite.detect(frame_of(image))
    lying = turned(image, degrees)
    found = ssdlite.detect(Frame(lying, 0, WHEN, turned=degrees))
    assert len(found) == 1
    np.testing.assert_allclose(found.boxes[0], turned_boxes(standing.boxes, degrees, 256, 256)[0])
    np.testing.assert_allclose(found.scores, standing.scores)


def test_boxes_follow_the_frame_size(ssdlite: NetDetector) -> None:
    image = cv2.imread(str(DATA / "cameraman_cc0.jpg"), cv2.IMREAD_COLOR)
    wide = cv2.resize(image, (512, 256))
    a, b = ssdlite.detect(frame_of(image)), ssdlite.detect(frame_of(wide))
    assert len(a) == len(b) == 1
    np.testing.assert_allclose(b.boxes[0], a.boxes[0] * [2, 1, 2, 1], atol=6)


def test_silent_on_an_empty_floor_and_on_people_seen_from_above(ssdlite: NetDetector) -> None:
    sc = scenario("side_by_side", seed=3)
    frames = list(sc.frames())
    assert len(ssdlite.detect(frames[0])) == 0  # nobody there yet
    busiest = frames[sc.events[0].frame]
    assert len(ssdlite.detect(busiest)) == 0  # overhead people: not what this net knows


@pytest.mark.parametrize("threshold", [0.2, 0.5, 0.95, 0.999])
def test_threshold_filters_scores(threshold: float) -> None:
    image = cv2.imread(str(DATA / "cameraman_cc0.jpg"), cv2.IMREAD_COLOR)
    found = NetDetector(score_threshold=threshold).detect(frame_of(image))
    assert all(found.scores >= threshold)
    assert len(found) == (1 if threshold < 0.97 else 0)


@pytest.mark.parametrize(
    ("path", "content", "error", "words"),
    [
        ("missing.onnx", None, FileNotFoundError, "no ONNX model"),
        ("junk.onnx", b"definitely not protobuf", ValueError, "not an ONNX model"),
    ],
)
def test_bad_model_files_are_refused_with_a_sentence(
    tmp_path: Path, path: str, content: bytes | None, error: type[Exception], words: str
) -> None:
    if content is not None:
        (tmp_path / path).write_bytes(content)
    with pytest.raises(error, match=words):
        NetDetector(tmp_path / path)


def test_decode_ssd_scales_filters_and_keeps_persons() -> None:
    boxes = np.array([[0.1, 0.2, 0.5, 0.4], [0.0, 0.0, 1.0, 1.0], [0.5, 0.5, 0.6, 0.6]], np.float32)
    scores = np.array([0.9, 0.8, 0.3], np.float32)
    classes = np.array([1, 3, 1], np.float32)
    found = decode_ssd(boxes, scores, classes, 200, 100, 0.5, 1)
    np.testing.assert_allclose(found.boxes, [[40, 10, 80, 50]])
    np.testing.assert_allclose(found.scores, [0.9])
    assert len(decode_ssd(boxes, scores, None, 200, 100, 0.5, 1)) == 2  # no classes: all count


def test_letterbox_keeps_the_aspect() -> None:
    image = np.full((100, 200, 3), 200, np.uint8)
    boxed, scale, dx, dy = letterbox(image, 64, 64)
    assert boxed.shape == (64, 64, 3) and scale == pytest.approx(0.32) and (dx, dy) == (0, 16)
    assert boxed[0, 0, 0] == 114 and boxed[32, 32, 0] == 200


def test_decode_yolo_both_layouts_with_nms() -> None:
    # two overlapping person boxes and one cat, in the pixels of a 64x64 input of a 128x64 frame
    v8 = np.array(
        [
            # cx, cy, w, h, person, cat
            [32, 32, 10, 20, 0.9, 0.0],
            [33, 32, 10, 20, 0.8, 0.0],
            [10, 40, 6, 6, 0.0, 0.95],
        ],
        np.float32,
    )
    geometry = (0.5, 0, 16, 128, 64)  # 128x64 frame letterboxed into 64x64
    v8 = np.concatenate([v8, np.zeros((20, 6), np.float32)])  # empty candidates, as in real output
    v8_found = decode_yolo(v8.T.copy(), 0.5, 0, geometry, 0.45)
    np.testing.assert_allclose(v8_found.boxes, [[54, 12, 74, 52]])
    v5 = np.concatenate([v8[:, :4], np.ones((23, 1), np.float32), v8[:, 4:]], axis=1)
    v5_found = decode_yolo(v5, 0.5, 0, geometry, 0.45)
    np.testing.assert_allclose(v5_found.boxes, v8_found.boxes)
    assert len(decode_yolo(v8.T.copy(), 0.5, 1, geometry, 0.45)) == 1  # the cat class
    few = v8[:3].T.copy()  # fewer boxes than channels: the layout must be given
    np.testing.assert_allclose(decode_yolo(few, 0.5, 0, geometry, 0.45, True).boxes, v8_found.boxes)


def tiny_yolo_model(
    path: Path,
    rows: np.ndarray,
    input_shape: tuple[int | str, ...] = (1, 3, 64, 64),
    meta: dict[str, str] | None = None,
) -> None:
    """An ONNX graph with a float NCHW input whose single output is `rows` (1, ...) plus zero
    times the input's mean, so onnxruntime really runs the input through it; `meta` is written
    into the model's metadata as an Ultralytics export writes it (str() of each value)."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    const = numpy_helper.from_array(rows.astype(np.float32)[None], "rows")
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["mean"], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
        helper.make_node("Add", ["rows", "nothing"], ["output0"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_yolo",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, list(input_shape))],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, *rows.shape])],
        initializer=[const, numpy_helper.from_array(np.array(0.0, np.float32), "zero")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    for key, value in (meta or {}).items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def test_a_user_yolo_model_runs_through_onnxruntime(tmp_path: Path) -> None:
    rows = np.array([[32, 32, 10, 20, 0.9, 0.0], [50, 20, 8, 8, 0.1, 0.9]], np.float32).T
    path = tmp_path / "tiny.onnx"
    tiny_yolo_model(path, rows)
    det = NetDetector(path, score_threshold=0.5, yolo_channels_first=True)
    assert det.layout == "yolo" and det.person_class == 0
    assert (det.input.width, det.input.height, det.input.nchw, det.input.uint8) == (
        64,
        64,
        True,
        False,
    )
    found = det.detect(frame_of(np.zeros((64, 128, 3), np.uint8)))
    np.testing.assert_allclose(found.boxes, [[54, 12, 74, 52]])
    np.testing.assert_allclose(found.scores, [0.9], rtol=1e-6)


# What an Ultralytics export of a COCO model writes into the ONNX metadata (str() of each value).
COCO_META = {
    "author": "Ultralytics",
    "task": "detect",
    "stride": "32",
    "imgsz": "[64, 96]",
    "names": "{0: 'person', 1: 'bicycle', 2: 'car'}",
    "args": "{'batch': 1, 'half': False, 'dynamic': True}",
}


def e2e_rows(n: int = 300) -> np.ndarray:
    """Final detections of an end-to-end model, padded to n rows as YOLO26/YOLOv10 give them:
    x1, y1, x2, y2, score, class id in input pixels (a 96x64 input here)."""
    rows = np.zeros((n, 6), np.float32)
    rows[0] = [40, 10, 60, 50, 0.9, 0]  # a person
    rows[1] = [42, 12, 62, 52, 0.8, 0]  # the model kept both: no NMS of ours may drop one
    rows[2] = [10, 10, 30, 30, 0.95, 2]  # a car
    rows[3] = [70, 20, 80, 40, 0.3, 0]  # an unsure person
    return rows


def test_decode_e2e_keeps_persons_over_the_threshold_in_frame_pixels() -> None:
    geometry = (0.5, 0, 16, 192, 96)  # a 192x96 frame letterboxed into 96x64: rows 16..63
    found = decode_e2e(e2e_rows(), 0.5, 0, geometry)
    np.testing.assert_allclose(found.boxes, [[80, 0, 120, 68], [84, 0, 124, 72]])
    np.testing.assert_allclose(found.scores, [0.9, 0.8])
    assert len(decode_e2e(e2e_rows(), 0.5, 2, geometry)) == 1  # the car class
    assert len(decode_e2e(e2e_rows(), 0.2, 0, geometry)) == 3
    assert len(decode_e2e(np.zeros((300, 6), np.float32), 0.5, 0, geometry)) == 0


@pytest.mark.parametrize(
    ("shape", "meta", "layout"),
    [
        ([1, 300, 6], ModelMeta({}, None, False), "e2e"),  # YOLO26 / YOLOv10, no metadata
        ([1, E2E_MAX_ROWS + 8, 6], ModelMeta({}, None, False), "yolo"),  # one-class YOLOv5
        ([1, 25200, 6], ModelMeta({}, None, False), "yolo"),
        ([1, 6, 8400], ModelMeta({}, None, False), "yolo"),  # two-class YOLOv8
        ([1, 84, 8400], ModelMeta({}, None, False), "yolo"),
        (["batch", 300, 6], ModelMeta({}, None, False), "e2e"),
        (["batch", "anchors", 6], ModelMeta({}, None, False), "yolo"),
        (["batch", "anchors", 6], ModelMeta({}, None, True), "e2e"),  # said so in metadata
    ],
)
def test_the_yolo_layout_follows_the_output_shape_and_metadata(
    shape: list[object], meta: ModelMeta, layout: str
) -> None:
    assert output_layout(shape, meta) == layout


def test_ultralytics_metadata_is_read() -> None:
    meta = model_meta(COCO_META)
    assert meta.names == {0: "person", 1: "bicycle", 2: "car"}
    assert meta.imgsz == (96, 64) and not meta.end2end and meta.person_class() == 0
    nms = model_meta({**COCO_META, "args": "{'batch': 1, 'nms': True}"})
    assert nms.end2end  # Ultralytics' nms=True export: final detections, as YOLO26's
    assert model_meta({"end2end": "True", "imgsz": "320"}).imgsz == (320, 320)
    assert model_meta({"end2end": "True"}).end2end
    assert model_meta({"names": "{0: 'bicycle', 1: 'Person'}"}).person_class() == 1
    assert model_meta({"names": "{0: 'head'}"}).person_class() == 0  # a head detector
    assert model_meta({"names": "{0: 'car', 1: 'bus'}"}).person_class() is None
    junk = model_meta({"names": "__import__('os')", "imgsz": "[0, -1]", "args": "nope"})
    assert junk == ModelMeta({}, None, False)


def test_an_end_to_end_model_runs_through_onnxruntime(tmp_path: Path) -> None:
    """YOLO26's default export: (1, 300, 6) final detections, a dynamic input whose size is in
    the metadata; the person class found by name."""
    path = tmp_path / "yolo26.onnx"
    meta = {**COCO_META, "names": "{0: 'bicycle', 1: 'car', 2: 'person'}", "end2end": "True"}
    rows = e2e_rows()
    rows[:, 5] = np.select([rows[:, 5] == 0, rows[:, 5] == 2], [2, 1], rows[:, 5])
    tiny_yolo_model(path, rows, (1, 3, "height", "width"), meta)
    det = NetDetector(path)
    assert det.layout == "e2e" and det.person_class == 2
    assert (det.input.width, det.input.height) == (96, 64)  # from the metadata, not 640
    found = det.detect(frame_of(np.zeros((96, 192, 3), np.uint8)))  # halved, 8 px bars above
    np.testing.assert_allclose(found.boxes, [[80, 4, 120, 84], [84, 8, 124, 88]])
    np.testing.assert_allclose(found.scores, [0.9, 0.8], rtol=1e-6)


def test_an_end_to_end_model_without_metadata_is_told_by_its_shape(tmp_path: Path) -> None:
    path = tmp_path / "yolov10.onnx"
    tiny_yolo_model(path, e2e_rows(), (1, 3, 64, 96))
    det = NetDetector(path)
    assert det.layout == "e2e" and det.person_class == 0
    assert len(det.detect(frame_of(np.zeros((64, 96, 3), np.uint8)))) == 2


def test_a_dynamic_yolo_input_without_metadata_takes_640(tmp_path: Path) -> None:
    path = tmp_path / "dynamic.onnx"
    tiny_yolo_model(path, np.zeros((84, 50), np.float32), (1, 3, "height", "width"))
    det = NetDetector(path)
    assert det.layout == "yolo" and (det.input.width, det.input.height) == (640, 640)
    assert len(det.detect(frame_of(np.zeros((48, 64, 3), np.uint8)))) == 0


def test_the_person_class_comes_from_the_names_or_is_refused_when_absent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = np.zeros((6, 50), np.float32)  # YOLOv8 layout, two classes
    rows[:, 0] = [32, 32, 10, 20, 0.1, 0.9]  # a confident class 1
    named = tmp_path / "named.onnx"
    tiny_yolo_model(named, rows, meta={"names": "{0: 'bicycle', 1: 'person'}"})
    det = NetDetector(named)
    assert det.person_class == 1 and len(det.detect(frame_of(np.zeros((64, 64, 3), np.uint8)))) == 1
    unnamed = tmp_path / "cars.onnx"
    tiny_yolo_model(unnamed, rows, meta={"names": "{0: 'car', 1: 'bus'}"})
    with caplog.at_level("WARNING"):
        assert NetDetector(unnamed).person_class == 0
    assert "names no class person" in caplog.text and "car, bus" in caplog.text
    with pytest.raises(ValueError, match=r"holds 2 class score.*no class 5 to count"):
        NetDetector(named, person_class=5)


def detr_rows() -> np.ndarray:
    """RT-DETR's set of 300: cx, cy, w, h as shares of the input, then one score per class
    (person, bicycle, car)."""
    rows = np.zeros((300, 7), np.float32)
    rows[0] = [0.5, 0.5, 0.25, 0.5, 0.9, 0.0, 0.1]  # a person in the middle
    rows[1] = [0.2, 0.2, 0.1, 0.1, 0.05, 0.0, 0.95]  # a car
    rows[2] = [0.8, 0.5, 0.1, 0.2, 0.4, 0.0, 0.0]  # an unsure person
    return rows


def test_decode_detr_keeps_persons_in_frame_pixels() -> None:
    found = decode_detr(detr_rows(), 0.5, 0, 200, 100)  # the frame was stretched to the input
    np.testing.assert_allclose(found.boxes, [[75, 25, 125, 75]], rtol=1e-6)
    np.testing.assert_allclose(found.scores, [0.9])
    assert len(decode_detr(detr_rows(), 0.3, 0, 200, 100)) == 2
    assert len(decode_detr(detr_rows(), 0.5, 2, 200, 100)) == 1  # the car class


def test_an_rtdetr_model_runs_through_onnxruntime(tmp_path: Path) -> None:
    """An Ultralytics RT-DETR export: (1, 300, 4 + C), told by the description it writes. Read
    as YOLOv5 (its person score taken for objectness, times the next class's) and letterboxed,
    it found nobody here."""
    path = tmp_path / "rtdetr.onnx"
    meta = {**COCO_META, "description": "Ultralytics rtdetr-l model trained on coco.yaml"}
    tiny_yolo_model(path, detr_rows(), (1, 3, 64, 96), meta)
    det = NetDetector(path)
    assert det.layout == "detr" and det.person_class == 0
    found = det.detect(frame_of(np.zeros((100, 200, 3), np.uint8)))
    np.testing.assert_allclose(found.boxes, [[75, 25, 125, 75]], rtol=1e-6)
    with pytest.raises(ValueError, match="holds 3 class score"):
        NetDetector(path, person_class=3)


@pytest.mark.parametrize("degrees", [90, 270])
def test_people_crossing_left_and_right_count_once_each_way_in_the_turned_picture(
    tmp_path: Path, degrees: int
) -> None:
    # A man walking across a real scene (tests/vision/walker.py), seen from the side: counted
    # in the picture turned a quarter, through a band across the middle of the stage. Before the
    # network looked at the picture upright, the man lying on his side was found in pieces or
    # not at all, and the motion counted him 8 or 9 times each way.
    video = write_walking(tmp_path / "walking.mp4")
    area = {"left": 0, "right": 256, "top": 364, "bottom": 404, "yfirst": 364, "ylast": 404}
    params = params_for(area | {"radius": 0}, "up", None, (768, 256), rotation=degrees)
    result = count_file(video, params, detector=NetDetector())
    ways = [p.direction for p in sorted(result.passages, key=lambda p: p.frame or 0)]
    # Turned clockwise, left to right becomes downwards (out); turned back, upwards (in).
    first = "out" if degrees == 90 else "in"
    assert ways == [first, "in" if first == "out" else "out"]
    assert all(p.track_id is not None for p in result.passages)  # each a tracked person


def small_men(size_px: int, spots: list[tuple[int, int]]) -> np.ndarray:
    """A 1280x720 grey picture with the photo's man shrunk to `size_px` at each (x, y)."""
    man = cv2.imread(str(DATA / "cameraman_cc0.jpg"), cv2.IMREAD_COLOR)
    canvas = np.full((720, 1280, 3), 170, np.uint8)
    small = cv2.resize(man, (size_px, size_px), interpolation=cv2.INTER_AREA)
    for x, y in spots:
        canvas[y : y + size_px, x : x + size_px] = small
    return canvas


def test_people_small_in_a_wide_picture_are_looked_for_at_the_networks_own_scale() -> None:
    # A 1280x720 camera high above a plaza: people 110-160 px tall. Squeezed whole into the
    # 300x300 input they are 45-65 px and the network misses every one; looked at in tiles of
    # its own size around the counting area (`vision/tiles.py`), it finds each once.
    for size in (110, 130, 160):
        canvas = small_men(
            size, [(80, 360 - size // 2), (560, 360 - size // 2), (1000, 360 - size // 2)]
        )
        squeezed = NetDetector().detect(frame_of(cv2.resize(canvas, (300, 300))))
        assert len(squeezed) == 0
        det = NetDetector()
        det.look_at((0.0, 300.0, 1280.0, 420.0))
        found = det.detect(frame_of(canvas))
        assert len(found) == 3, size
        middles = np.sort(found.centers[:, 0])
        np.testing.assert_allclose(
            middles, [80 + size * 0.3, 560 + size * 0.3, 1000 + size * 0.3], atol=0.2 * size
        )
        assert det.person_height_px is not None and 0.6 * size < det.person_height_px < size
    # with no area told, the whole picture is looked at in tiles
    found = NetDetector().detect(frame_of(small_men(160, [(80, 100), (560, 300), (1000, 540)])))
    assert len(found) == 3


def test_a_person_taller_than_a_tile_is_found_once() -> None:
    # 500 px tall in a 1280x720 picture: no tile holds him; the region looked at whole does, and
    # the pieces of him the tiles find are dropped.
    det = NetDetector()
    det.look_at((0.0, 300.0, 1280.0, 420.0))
    found = det.detect(frame_of(small_men(500, [(400, 110)])))
    assert len(found) == 1
    x0, y0, x1, y1 = found.boxes[0]
    assert x0 < 420 and x1 > 650 and y0 < 200 and y1 > 580


def test_a_tile_is_looked_at_again_only_when_its_picture_changed_or_a_second_passed() -> None:
    # Three men 130 px tall in a 1280x720 picture, looked at in tiles. The same picture again,
    # with other sensor noise, costs no network pass and gives the same boxes; one man moved
    # costs the tiles he is in; a second later every tile is looked at afresh (as many passes
    # a frame as it takes: `passes_a_frame` None).
    spots = [(80, 295), (560, 295), (1000, 295)]
    canvas = small_men(130, spots)
    rng = np.random.default_rng(1)

    def noisy(image: np.ndarray) -> np.ndarray:
        return np.clip(image + rng.normal(0, 2.0, image.shape), 0, 255).astype(np.uint8)

    det = NetDetector(passes_a_frame=None)
    det.look_at((0.0, 300.0, 1280.0, 420.0))
    det.detect(Frame(noisy(canvas), 0, WHEN - timedelta(seconds=1)))  # learns their height
    det.passes = 0
    first = det.detect(Frame(noisy(canvas), 0, WHEN))  # tiles sized by it: all new
    every = det.passes
    assert len(first) == 3 and every >= 5  # tiles and the frame whole
    again = det.detect(Frame(noisy(canvas), 1, WHEN + timedelta(seconds=0.04)))
    assert det.passes == every
    np.testing.assert_array_equal(again.boxes, first.boxes)
    moved = small_men(130, [(80, 295), (580, 305), (1000, 295)])
    found = det.detect(Frame(noisy(moved), 2, WHEN + timedelta(seconds=0.08)))
    assert 1 <= det.passes - every <= 2  # the tiles holding the man at 560-710
    assert len(found) == 3
    shifted = np.sort(found.boxes[:, 0]) - np.sort(first.boxes[:, 0])
    assert abs(shifted[0]) < 1 and abs(shifted[2]) < 1 and 10 < shifted[1] < 30
    before = det.passes
    det.detect(Frame(noisy(moved), 3, WHEN + timedelta(seconds=1.1)))
    assert det.passes - before == every  # a second on: everything afresh
    always = NetDetector(look_again=False)
    always.look_at((0.0, 300.0, 1280.0, 420.0))
    always.detect(Frame(noisy(canvas), 0, WHEN - timedelta(seconds=1)))
    always.passes = 0
    for i in range(3):
        always.detect(Frame(noisy(canvas), i, WHEN + timedelta(seconds=i / 25)))
    assert always.passes == 3 * every


def test_after_a_cut_every_tile_is_looked_at_and_no_box_is_kept_from_before_it() -> None:
    # Three men 130 px tall, then a cut (a looped file's seam, a stream opened again): three
    # men elsewhere. At one pass a frame, the tiles not looked at would have their old boxes
    # followed into a picture that is not theirs; after a cut every tile is looked at afresh.
    before_cut = [(80, 295), (560, 295), (1000, 295)]
    after_cut = [(300, 295), (780, 295), (1120, 295)]
    det = NetDetector(passes_a_frame=1)
    det.look_at((0.0, 300.0, 1280.0, 420.0))
    for i in range(3):  # the height learnt, every tile of its tiling looked at
        det.detect(Frame(small_men(130, before_cut), i, WHEN + timedelta(seconds=i / 25)))
    cut = Frame(small_men(130, after_cut), 3, WHEN + timedelta(seconds=0.12), cut=True)
    found = det.detect(cut)
    middles = np.sort(found.centers[:, 0])
    np.testing.assert_allclose(middles, [x + 130 * 0.3 for x, _ in after_cut], atol=0.2 * 130)


def test_a_picture_in_one_piece_is_looked_at_again_when_the_region_around_the_area_changed() -> (
    None
):
    # A 352x288 camera, the man 100 px tall on a plain floor, the counting area across the
    # middle: the same picture again costs no pass; a change far above the area (more than a
    # person's height) neither; a change beside the area does. With look_again=False, a pass
    # a frame as before.
    man = cv2.imread(str(DATA / "cameraman_cc0.jpg"), cv2.IMREAD_COLOR)
    canvas = np.full((288, 352, 3), 170, np.uint8)
    canvas[100:200, 120:220] = cv2.resize(man, (100, 100), interpolation=cv2.INTER_AREA)
    det = NetDetector()
    det.look_at((0.0, 130.0, 352.0, 170.0))
    det.detect(Frame(canvas, 0, WHEN - timedelta(seconds=1)))  # learns his height: the region
    det.passes = 0
    first = det.detect(Frame(canvas, 0, WHEN))
    assert len(first) == 1 and det.passes == 1
    det.detect(Frame(canvas, 1, WHEN + timedelta(seconds=0.04)))
    assert det.passes == 1
    far = canvas.copy()
    far[0:15, 0:60] = 40  # someone at the top edge, far from the area
    np.testing.assert_array_equal(
        det.detect(Frame(far, 2, WHEN + timedelta(seconds=0.08))).boxes, first.boxes
    )
    assert det.passes == 1
    near = far.copy()
    near[130:170, 20:60] = 40  # someone coming into the area
    det.detect(Frame(near, 3, WHEN + timedelta(seconds=0.12)))
    assert det.passes == 2
    always = NetDetector(look_again=False)
    always.look_at((0.0, 130.0, 352.0, 170.0))
    for i in range(3):
        always.detect(Frame(canvas, i, WHEN + timedelta(seconds=i / 25)))
    assert always.passes == 3


def test_a_person_taller_than_a_tile_is_looked_for_whole_while_he_is_there() -> None:
    # Two men 130 px tall set the tiles; a third, 500 px tall, is found only in the frame
    # whole: it is looked at every frame while it finds him (the tiles, unchanged, give the
    # pieces of him they found, which his whole box drops). As many passes a frame as it takes.
    det = NetDetector(passes_a_frame=None)
    det.look_at((0.0, 300.0, 1280.0, 420.0))
    small = [(80, 295), (1000, 295)]
    with_him = small_men(130, small)
    with_him[110:610, 400:900] = small_men(500, [(400, 110)])[110:610, 400:900]
    for i in range(4):
        before = det.passes
        found = det.detect(Frame(with_him, i, WHEN + timedelta(seconds=i / 25)))
        assert len(found) == 3, i
        assert det.passes - before >= 1
    assert det.passes - before == 1  # tiles unchanged: the frame whole alone
    # gone, the frame whole is looked at again only once a second
    without = small_men(130, small)
    assert len(det.detect(Frame(without, 4, WHEN + timedelta(seconds=4 / 25)))) == 2
    before = det.passes
    for i in range(5, 10):
        assert len(det.detect(Frame(without, i, WHEN + timedelta(seconds=i / 25)))) == 2
    assert det.passes == before


def test_a_model_that_sees_people_small_is_not_tiled_unless_asked(tmp_path: Path) -> None:
    assert NetDetector().tiled  # the shipped SSD: 300 px, people found from a fifth of it
    assert not NetDetector(tiled=False).tiled
    # a YOLO-type model looks at the frame whole: its output (here a fixed box) comes once
    rows = np.array([[32, 32, 10, 20, 0.9, 0.0]], np.float32).T
    path = tmp_path / "tiny.onnx"
    tiny_yolo_model(path, rows)
    yolo = NetDetector(path, yolo_channels_first=True)
    assert not yolo.tiled
    yolo.look_at((0.0, 100.0, 640.0, 160.0))
    assert len(yolo.detect(frame_of(np.zeros((360, 640, 3), np.uint8)))) == 1
    tiled = NetDetector(path, yolo_channels_first=True, tiled=True)
    tiled.look_at((0.0, 100.0, 640.0, 160.0))
    assert len(tiled.detect(frame_of(np.zeros((360, 640, 3), np.uint8)))) > 1  # once a tile


def test_a_small_person_crossing_a_wide_picture_is_counted() -> None:
    # The man shrunk to 110 px walking down through a band across a 1280x720 picture: counted
    # once, out. Looked at whole (tiled=False, as before), he was never found (130 px through
    # `footfall count`: tests/test_count_cli.py; 160 px and 1920x1080: bench_net_wide.py).
    tall_px = 110
    area = {"left": 0, "right": 1280, "top": 330, "bottom": 390, "yfirst": 330, "ylast": 390}
    params = params_for(area | {"radius": 0}, "up", None, (1280, 720))
    counted = {}
    passes = {}
    for tiled, again in ((True, True), (True, False), (False, False)):
        net = NetDetector(tiled=tiled, look_again=again)
        analyzer = Analyzer(params, net)
        analyzer.set_fps(15)
        passages = []
        for i, image in enumerate(far_away((1280, 720), tall_px)):
            passages += analyzer.process(Frame(image, i, WHEN + timedelta(seconds=i / 15)))
        passages += analyzer.flush()
        counted[tiled, again] = [p.direction for p in passages]
        passes[tiled, again] = net.passes
    assert counted == {(True, True): ["out"], (True, False): ["out"], (False, False): []}
    # tiles looked at again only where he walks (and each once a second): a fraction of them
    assert passes[True, True] < 0.4 * passes[True, False]


def test_a_busy_wide_picture_takes_two_passes_a_frame_and_is_counted_right() -> None:
    # Men 130 px tall walk down and up in four columns across a 1280x720 picture, three one
    # after the other in each: nearly every tile changes every frame (4 passes a frame with
    # every changed tile looked at). At most two passes a frame, the tiles looked at longest
    # ago; the others' boxes follow their men: 6 out, 6 in (without following, 7 out).
    area = {"left": 0, "right": 1280, "top": 330, "bottom": 390, "yfirst": 330, "ylast": 390}
    net = NetDetector()
    assert net.passes_a_frame == 2
    with pytest.raises(ValueError, match="passes_a_frame must be 1 or more"):
        NetDetector(passes_a_frame=0)  # no tile would ever be looked at again
    analyzer = Analyzer(params_for(area | {"radius": 0}, "up", None, (1280, 720)), net)
    analyzer.set_fps(15)
    passages, over = [], 0
    for i, image in enumerate(crowd_far_away((1280, 720), 130, columns=4, waves=3)):
        before = net.passes
        passages += analyzer.process(Frame(image, i, WHEN + timedelta(seconds=i / 15)))
        over += net.passes - before > 2  # tiles never looked at before (a new tiling) only
    passages += analyzer.flush()
    assert Counter(p.direction for p in passages) == {"out": 6, "in": 6}
    assert over <= 3


@pytest.mark.parametrize(
    ("tall_px", "waves", "before"),
    [
        # 87 px wide men in columns 160 px apart: valued at 1.6 box areas each (the overhead
        # detector's unit), the tracked men's motion added up to men no one saw: 14 out / 12 in
        # (the first man up missed as below, 12 / 11, with tracks counted only where found)
        (110, 3, {"out": 14, "in": 12}),
        # 126 px wide men in columns 160 px apart, passing each other: the network missed the
        # first man up for a few frames just after the middle line, and his track, not found at
        # the far edge, was not counted (nor were its motion's people): 8 out / 6 in
        (160, 2, {"out": 8, "in": 6}),
    ],
)
def test_a_crowd_walking_both_ways_in_eight_columns_is_counted_man_by_man(
    tall_px: int, waves: int, before: dict[str, int]
) -> None:
    # Eight columns of the photo's man across a 1280x720 picture, down in the even ones and up
    # in the odd ones, `waves` men one after the other in each: every man counted once, each a
    # tracked man (before: the counts in `before`).
    area = {"left": 0, "right": 1280, "top": 330, "bottom": 390, "yfirst": 330, "ylast": 390}
    analyzer = Analyzer(params_for(area | {"radius": 0}, "up", None, (1280, 720)), NetDetector())
    analyzer.set_fps(15)
    passages = []
    frames = crowd_far_away((1280, 720), tall_px, columns=8, waves=waves)
    for i, image in enumerate(frames):
        passages += analyzer.process(Frame(image, i, WHEN + timedelta(seconds=i / 15)))
    passages += analyzer.flush()
    counted = Counter(p.direction for p in passages)
    assert counted == {"out": 4 * waves, "in": 4 * waves} != before
    assert all(p.track_id is not None for p in passages)


def test_a_busy_clip_played_in_a_loop_counts_alike_each_time(tmp_path: Path) -> None:
    # A clip cut from the middle of a crowd (six columns, men everywhere at its first and its
    # last frame) played in a loop, as `footfall serve --source clip --loop` does: each pass
    # counts what the first counted. Before, the optical flow ran from the last frame to the
    # first as if the men had jumped: 5/4, 5/6, 5/6.
    frames = list(crowd_far_away((1280, 720), 130, columns=6, waves=3))[60:160]
    clip = written(iter(frames), tmp_path / "crowd.mp4")
    area = {"left": 0, "right": 1280, "top": 330, "bottom": 390, "yfirst": 330, "ylast": 390}
    analyzer = Analyzer(params_for(area | {"radius": 0}, "up", None, (1280, 720)), NetDetector())
    source = FileSource(clip, loop=True, start_time=WHEN)
    analyzer.set_fps(source.fps)
    passages = []
    for frame in itertools.islice(source, 3 * len(frames)):
        passages += analyzer.process(frame)
    passages += analyzer.flush()
    n = len(frames)
    passes = [
        Counter(p.direction for p in passages if k * n <= (p.frame or 0) < (k + 1) * n)
        for k in range(3)
    ]
    assert passes[0] == passes[1] == passes[2]
    assert passes[0]["in"] + passes[0]["out"] >= 8  # men crossed in it


def test_noise_and_h264_compression_do_not_make_the_tiles_be_looked_at_again(
    tmp_path: Path,
) -> None:
    # The same walk with sensor noise (sigma 3 grey levels) written as H.264 at CRF 28 with a
    # key frame a second, as a cheap camera streams it: counted once, out, and the tiles the
    # man is not in are not looked at again for the noise or the key frames.
    import av

    rng = np.random.default_rng(0)
    video = tmp_path / "walk.mp4"
    with av.open(str(video), "w") as container:
        stream = container.add_stream("libx264", rate=15)
        stream.width, stream.height = 1280, 720
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "28", "preset": "veryfast", "g": "15"}
        for image in far_away((1280, 720), 110):
            noisy = np.clip(image + rng.normal(0, 3.0, image.shape), 0, 255).astype(np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(noisy, format="bgr24")))
        container.mux(stream.encode())
    area = {"left": 0, "right": 1280, "top": 330, "bottom": 390, "yfirst": 330, "ylast": 390}
    net = NetDetector()
    analyzer = Analyzer(params_for(area | {"radius": 0}, "up", None, (1280, 720)), net)
    analyzer.set_fps(15)
    capture = cv2.VideoCapture(str(video))
    passages, frames = [], 0
    while True:
        ok, image = capture.read()
        if not ok:
            break
        passages += analyzer.process(Frame(image, frames, WHEN + timedelta(seconds=frames / 15)))
        frames += 1
    passages += analyzer.flush()
    assert [p.direction for p in passages] == ["out"]
    assert net.passes < 2 * frames  # 7 a frame looking at every tile


def test_the_people_size_starts_again_with_another_picture_size() -> None:
    # A camera switched from 1280x720 to 640x360: its people are half as tall, and the boxes
    # of the old size must not set the region looked at in the new one.
    det = NetDetector()
    det.look_at((0.0, 300.0, 1280.0, 420.0))
    det.detect(frame_of(small_men(160, [(560, 280)])))
    assert det.person_height_px is not None and det.person_height_px > 100
    det.detect(frame_of(np.full((360, 640, 3), 170, np.uint8)))
    assert det.person_height_px is None and det.person_box is None


def test_the_network_looks_around_the_counting_area_a_setparams_moves() -> None:
    # The analyzer tells the network where the counting area is, in the picture counted, and
    # tells it again when a setparams moves it while running.
    area = {"left": 100, "right": 1100, "top": 330, "bottom": 390, "yfirst": 330, "ylast": 390}
    det = NetDetector()
    analyzer = Analyzer(params_for(area | {"radius": 0}, "up", None, (1280, 720)), det)
    grey = np.full((720, 1280, 3), 170, np.uint8)
    analyzer.process(Frame(grey, 0, WHEN))
    analyzer.process(Frame(grey, 1, WHEN + timedelta(seconds=0.04)))  # the first waits for it
    assert det.looking_at == (100.0, 330.0, 1100.0, 390.0)
    moved = area | {"top": 500, "bottom": 560, "yfirst": 500, "ylast": 560}
    analyzer.set_params(params_for(moved | {"radius": 0}, "up", None, (1280, 720)))
    assert det.looking_at == (100.0, 500.0, 1100.0, 560.0)
    # a frame of half the size: the area scaled with it
    half = np.full((360, 640, 3), 170, np.uint8)
    analyzer.process(Frame(half, 2, WHEN + timedelta(seconds=1)))
    analyzer.process(Frame(half, 3, WHEN + timedelta(seconds=1.04)))
    assert det.looking_at == (50.0, 250.0, 550.0, 280.0)


def test_the_network_looks_around_a_curved_counting_area_whole() -> None:
    # Radius 600: the middle line bows from y 360 in the middle to about 629 at its ends; the box
    # looked around holds all of it, half the band beyond.
    area = {"left": 100, "right": 1100, "top": 330, "bottom": 390, "yfirst": 330, "ylast": 390}
    det = NetDetector()
    analyzer = Analyzer(params_for(area | {"radius": 600}, "up", None, (1280, 720)), det)
    analyzer.process(Frame(np.full((720, 1280, 3), 170, np.uint8), 0, WHEN))
    analyzer.flush()  # the end of the stream takes the frame waiting for the next
    assert det.looking_at is not None
    x0, y0, x1, y1 = det.looking_at
    assert (x0, x1) == (100.0, 1100.0)
    assert 325 <= y0 <= 331 and 655 <= y1 <= 665
