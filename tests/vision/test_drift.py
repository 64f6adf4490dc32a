"""Boxes following their people between two network looks (`vision/drift.py`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
import pytest

from footfall.vision.drift import moved_boxes
from footfall.vision.glance import TileMemory, grey_of, shrunk
from footfall.vision.types import Detections
from tests.vision.walker import cut_out, pasted

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def scene(x: int, y: int) -> np.ndarray:
    """The photo's man (a real photo, his coat and camera) at (x, y) on a plain grey floor
    400 x 400, in grey."""
    _, person, where, _ = cut_out()
    stage = np.full((400, 400, 3), 170, np.uint8)
    return grey_of(pasted(stage, person, where, x, y))


@pytest.mark.parametrize("shift", [(0, 0), (6, -4), (-3, 11), (18, 9)])
def test_a_box_moves_with_the_person_in_it_and_the_floor_does_not_pull_it_back(
    shift: tuple[int, int],
) -> None:
    _, person, _, _ = cut_out()
    h, w = person.shape[:2]
    before, now = scene(100, 80), scene(100 + shift[0], 80 + shift[1])
    # the box as a network gives it, a little wider than him (the floor either side)
    box = np.array([[100 - 0.1 * w, 80.0, 100 + 1.1 * w, 80.0 + h]], np.float32)
    moved = moved_boxes(box, before, now, (0, 0))
    expected = box + np.array([shift[0], shift[1], shift[0], shift[1]], np.float32)
    np.testing.assert_allclose(moved, expected, atol=1.0)


def test_boxes_are_in_frame_pixels_over_a_part_of_the_frame() -> None:
    # the same pictures as the part of a frame whose top left is at (500, 300)
    _, person, _, _ = cut_out()
    h, w = person.shape[:2]
    box = np.array([[600.0, 380.0, 600.0 + w, 380.0 + h]], np.float32)
    moved = moved_boxes(box, scene(100, 80), scene(108, 85), (500, 300))
    np.testing.assert_allclose(moved, box + np.array([8, 5, 8, 5], np.float32), atol=1.0)


def test_a_box_over_nothing_that_can_be_followed_stays_where_it_was() -> None:
    flat = np.full((300, 300), 128, np.uint8)
    box = np.array([[50.0, 50.0, 120.0, 200.0]], np.float32)
    np.testing.assert_array_equal(moved_boxes(box, flat, flat.copy(), (0, 0)), box)
    gone = scene(100, 80)  # he was there; now the floor alone (he left, or is hidden)
    _, person, _, _ = cut_out()
    h, w = person.shape[:2]
    box = np.array([[100.0, 80.0, 100.0 + w, 80.0 + h]], np.float32)
    empty = np.full((400, 400), 170, np.uint8)
    np.testing.assert_array_equal(moved_boxes(box, gone, empty, (0, 0)), box)


def test_the_memory_gives_a_tiles_boxes_moved_to_where_the_people_are_now() -> None:
    _, person, _, _ = cut_out()
    h, w = person.shape[:2]
    tile = (0, 0, 400, 400)
    before = cv2.cvtColor(scene(100, 80), cv2.COLOR_GRAY2BGR)
    now = cv2.cvtColor(scene(110, 92), cv2.COLOR_GRAY2BGR)
    box = np.array([[100.0, 80.0, 100.0 + w, 80.0 + h]], np.float32)
    memory = TileMemory()
    assert len(memory.followed(tile, grey_of(now))) == 0  # never looked at: nobody
    memory.keep(tile, shrunk(before), WHEN, Detections(box, np.array([0.9], np.float32)))
    assert memory.followed(tile, grey_of(now)).boxes.tolist() == box.tolist()  # no picture kept
    memory.keep(
        tile, shrunk(before), WHEN, Detections(box, np.array([0.9], np.float32)), grey_of(before)
    )
    assert memory.looked(tile) == WHEN and memory.looked((0, 0, 10, 10)) is None
    followed = memory.followed(tile, grey_of(now))
    np.testing.assert_allclose(followed.boxes, box + np.float32([10, 12, 10, 12]), atol=1.0)
    assert followed.scores.tolist() == [pytest.approx(0.9)]
    memory.keep(tile, shrunk(now), WHEN + timedelta(seconds=0.1), followed, grey_of(now))
    assert memory.looked(tile) == WHEN + timedelta(seconds=0.1)
