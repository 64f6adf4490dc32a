"""`footfall count VIDEO`: count a file offline as fast as it decodes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from footfall.api.params import validate_params
from footfall.config import FRAME_RATES, Params, plausible_fps
from footfall.counting.area import PARAM_NAMES, Area, completed
from footfall.errors import BadRequest
from footfall.progress import PROGRESS_ENV, line_progress
from footfall.sizereport import motion_sentence, rests_on_motion
from footfall.vision.analyzer import slow_sentence
from footfall.vision.annotated import AnnotatedVideo, check_annotate, check_output_file
from footfall.vision.filesource import file_clock, file_rate_known
from footfall.vision.offline import CountResult, count_file, open_video, quiet_decoder, video_file
from footfall.vision.orient import turned_size
from footfall.vision.person import DEFAULT_LENS, SMALL_PERSON_SHARE, Lens
from footfall.vision.types import View

AREA_KEYS = ("left", "right", "top", "bottom", "yfirst", "ylast", "radius")
NET_THREADS = 2  # cores a network detector counting a file may take (a live counter takes one)


def read_area(text: str) -> tuple[dict[str, int], str | None]:
    """`left,right,top,bottom,yfirst,ylast,radius`, a cntpos.json object, or a file holding one
    (as `curl …?cntpos.json > cntpos.json` saves a counter's) -> area fields; and the `in`
    direction when the object is a ground-truth file's (its `area` object and `in_direction`,
    the format `footfall eval` reads)."""
    text = _area_text(text.strip())
    in_direction: str | None = None
    try:
        if text.startswith("{"):
            raw = json.loads(text)
            if not isinstance(raw, dict):
                raise ValueError("not an object")
            if isinstance(raw.get("area"), dict):  # a ground-truth file
                found = raw.get("in_direction")
                in_direction = found if found in ("up", "down") else None
                raw = raw["area"]
            raw = completed(raw)
            unknown = set(raw) - {*AREA_KEYS, "width", "height"}
            if unknown:
                raise ValueError(f"unknown key {sorted(unknown)[0]!r}")
            missing = [k for k in AREA_KEYS if k not in raw]
            if missing:
                raise ValueError(f"the key {missing[0]!r} is missing")
            return {k: _integer(k, v) for k, v in raw.items()}, in_direction
        values = [int(v) for v in text.split(",")]
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"--area must be seven integers or a cntpos.json object: {exc}") from exc
    if len(values) != len(AREA_KEYS):
        raise BadRequest(f"--area needs {len(AREA_KEYS)} integers ({','.join(AREA_KEYS)})")
    return dict(zip(AREA_KEYS, values, strict=True)), None


def _area_text(text: str) -> str:
    """The `--area` text itself, or the object the file it names holds."""
    if not text or text.startswith("{") or AREA_LIST.match(text):
        return text
    path = Path(text).expanduser()
    if not path.is_file():
        if "," in text:  # meant as integers: read_area says what is wrong with them
            return text
        raise BadRequest(
            f"--area {text}: give seven integers, a cntpos.json object, or a file holding one"
            " (there is no such file)"
        )
    try:
        held = path.read_text(encoding="utf-8-sig").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadRequest(f"--area {path}: cannot read it: {exc}") from None
    if not held.startswith("{"):
        raise BadRequest(f"--area {path}: the file must hold a cntpos.json object")
    return held


AREA_LIST = re.compile(r"^[\s\d,+-]*$")  # what `--area` as integers looks like (right or wrong)


def _integer(key: str, value: object) -> int:
    """A whole number of pixels from JSON: int() would take true, "5" and 1.7 (as 1)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be a whole number, not {json.dumps(value)}")
    return value


def params_for(
    area: dict[str, int] | Area | None,
    in_direction: str | None,
    height_cm: int | None,
    frame_size: tuple[int, int] | None = None,
    rotation: int = 0,
    auto_size: bool = True,
    crowds: bool = True,
    lens: LensOptions = (None, None),
) -> Params:
    """Params for an offline count: area in the video's pixels (turned by `rotation` degrees
    clockwise) unless it names its own size; `lens`: `Counter.FieldOfView` and
    `Counter.PersonWidth` (`--fov`, `--person-width`), None for the default.
    Checked as setparams checks them: one sentence for a bad value or an area that cannot be."""
    data = Params().model_dump()
    data["Counter"]["Rotation"] = rotation
    data["Counter"]["AutoSize"] = int(auto_size)
    data["Counter"]["Crowds"] = int(crowds)
    fov, shoulders = lens
    if fov is not None:
        data["Counter"]["FieldOfView"] = fov
    if shoulders is not None:
        data["Counter"]["PersonWidth"] = shoulders
    if area is not None:
        fields = area.as_cntpos() if isinstance(area, Area) else dict(area)
        if frame_size is not None:
            turned = turned_size(*frame_size, rotation)
            fields.setdefault("width", turned[0])
            fields.setdefault("height", turned[1])
        data["Area"] |= {PARAM_NAMES[k]: v for k, v in fields.items()}
    if in_direction is not None:
        data["Area"]["InDirection"] = in_direction
    if height_cm is not None:
        data["Counter"]["Height"] = height_cm
    try:
        return validate_params(data)
    except BadRequest as exc:
        raise BadRequest(f"bad counting parameters: {exc.message}") from exc


class VideoInfo(NamedTuple):
    """What a video file says of itself."""

    width: int
    height: int
    fps: float  # the frame rate it is counted at (`file_clock`: 25 when it states none)
    fps_known: bool  # whether it states one (`file_rate_known`: no raw stream or image sequence)


def video_info(path: Path) -> VideoInfo:
    """Size and frame rate of a video file, or a BadRequest if it cannot be opened."""
    import cv2

    capture = open_video(path)
    try:
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        rate = file_clock(path, capture, None).fps  # what its timestamps show, when it has any
        return VideoInfo(width, height, rate, file_rate_known(path, capture))
    finally:
        capture.release()


def check_out(out: Path) -> None:
    """Refuse an `--out` that cannot be written before the count, not after it."""
    check_output_file("--out", out, " (.csv or .json)")


def check_distinct(video: Path, out: Path | None, annotate: Path | None) -> None:
    """Refuse an `--out` or `--annotate` that names the video itself (it would be overwritten
    while it is read, or replaced by the passages after) or both naming one file."""
    for flag, path in (("--out", out), ("--annotate", annotate)):
        if path is not None and _same_file(path, video):
            raise BadRequest(f"{flag} {path} is the video being counted; give another file name")
    if out is not None and annotate is not None and _same_file(out, annotate):
        raise BadRequest(f"--out and --annotate both name {out}; give each its own file")


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (links followed), whether or not it exists yet."""
    try:
        if a.exists() and b.exists():
            return a.samefile(b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


FPS_HELP = (
    "the video's frame rate, when its file states none or a wrong one (a raw .h264 stream "
    "is read as 25 fps): motion, tracks and times are set in seconds"
)


def check_fps(fps: float | None) -> None:
    """Refuse a `--fps` outside FRAME_RATES (what a file may state, `file_fps`)."""
    if fps is not None and not plausible_fps(fps):
        lo, hi = FRAME_RATES
        raise BadRequest(f"--fps must be a frame rate from {lo:g} to {hi:g}, not {fps:g}")


DETECTOR_HELP = (
    "foreground (overhead cameras), net (the shipped pedestrian network, oblique cameras) "
    "or the path of an ONNX person-detection model"
)

ROTATE_HELP = (
    "turn the picture this many degrees clockwise before counting (0, 90, 180, 270): for a "
    "doorway people cross left and right; --area is then in the turned picture"
)

AUTO_SIZE_HELP = (
    "learn the person width from the footage (Counter.AutoSize); --no-auto-size takes it from "
    "--height, --fov and --person-width alone"
)

FOV_HELP = (
    "the lens's horizontal field of view, degrees (Counter.FieldOfView; 90 if not given): with "
    "--height it says how wide a person looks"
)

PERSON_WIDTH_HELP = "a person's shoulder width, cm (Counter.PersonWidth; 50 if not given)"

LensOptions = tuple[float | None, int | None]  # --fov, --person-width (None: the default)

CROWDS_HELP = (
    "count the people no track follows one by one (a dense queue) from the motion across the "
    "line (Counter.Crowds); --no-crowds counts only the people followed one by one: for a door "
    "where people never crowd and the motion of each spreads wide (an open plain floor seen from "
    "high up, soft shadows)"
)


def run_with_progress(
    path: Path,
    params: Params,
    console: Console,
    detector: str | None = None,
    observe: Callable[[View, tuple[int, int]], None] | None = None,
    fps: float | None = None,
    label: str = "",
) -> CountResult:
    """count_file with a rich progress bar on `console` (stderr); `detector` as `--detector`,
    `fps` as `--fps`; `label` said after the file's name."""
    from footfall.pipeline import make_detector

    # a file is counted as fast as it goes: the network on up to two cores
    found = make_detector(detector, threads=min(NET_THREADS, os.cpu_count() or 1))
    if os.environ.get(PROGRESS_ENV) == "lines":  # a program follows it (footfall/progress.py)
        lines = line_progress(f"{path.name}{label}")
        return count_file(path, params, lines, found, observe=observe, fps=fps)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeRemainingColumn(), console=console, transient=True) as bar:
        task = bar.add_task(f"counting {path.name}{label}", total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return count_file(path, params, report, found, observe=observe, fps=fps)


def passages_rows(result: CountResult) -> list[dict[str, Any]]:
    """One dict per passage: frame, seconds from the start, direction, track."""
    return [
        {
            "frame": p.frame,
            "time_s": round(result.offset_s(p), 3),
            "direction": p.direction,
            "track": p.track_id,
        }
        for p in result.passages
    ]


def shaking_line(result: CountResult) -> str:
    """What the stabiliser did, for a file whose camera shook."""
    share = result.shaken_frames / max(1, result.frames)
    return (
        f"the camera shook: {result.shaken_frames} of {result.frames} frames ({share:.0%})"
        " were moved back before counting"
    )


def blocky_line(result: CountResult) -> str:
    """A word on a file whose picture shows the blocks of heavy compression."""
    share = result.blocky_frames / max(1, result.frames)
    return (
        f"the picture shows the 8x8 blocks of heavy compression in {result.blocky_frames} of"
        f" {result.frames} frames ({share:.0%}): counted with a raised noise floor; a recording"
        " at a higher quality (JPEG 20 or more) counts better"
    )


def _one_or_many(n: int, one: str, many: str) -> str:
    """`one` for a count of 1, else `many`."""
    return one if n == 1 else many


def picture_cut_line(result: CountResult) -> str:
    """A word on a file with frames that show no picture, or whose picture was cut."""
    said = []
    if n := result.blank_frames:
        said.append(
            f"{n} {_one_or_many(n, 'frame', 'frames')} showed no picture (black or one colour)"
            f" and {_one_or_many(n, 'was', 'were')} skipped"
        )
    if n := result.settling_frames:
        said.append(
            f"{n} {_one_or_many(n, 'frame was', 'frames were')} left out while the picture's"
            " brightness still moved (a fade-in, an exposure settling): counted from where it"
            " held"
        )
    if n := result.broken_frames:
        said.append(
            f"{n} {_one_or_many(n, 'frame was', 'frames were')} broken (a part of the picture"
            " changed for that frame alone: a corrupt frame, a flash) and skipped"
        )
    if n := result.cuts:
        said.append(
            f"the picture was cut {n} {_one_or_many(n, 'time', 'times')} (it did not go on from"
            " the frame before): counted afresh from each cut"
        )
    return "; ".join(said)


def small_people_line(result: CountResult) -> str:
    """A word on a view whose people the size learner measures too small."""
    return (
        f"warning: people are {result.person_share:.1%} of the picture's width; under"
        f" {SMALL_PERSON_SHARE:.1%} the learnt width comes out small and a crowded doorway is"
        ' over-counted (docs/vision.md, "Another scale")'
    )


def told_height_line(told: int, lens: Lens = DEFAULT_LENS) -> str:
    """How to count with the person width learnt here from the first frame on: the
    Counter.Height `told` that gives it through `lens` (`CountResult.told_height_cm`), named
    where it is not the default."""
    (fov, shoulders), (usual_fov, usual_shoulders) = lens, DEFAULT_LENS
    flags = (f" --fov {fov:g}" if fov != usual_fov else "") + (
        f" --person-width {shoulders}" if shoulders != usual_shoulders else ""
    )
    return (
        f"the learnt person width is told by --height {told}{flags} --no-auto-size"
        f" (Counter.Height={told}, Counter.AutoSize=0): counted with it from the first frame"
    )


def unlearnt_line(result: CountResult) -> str:
    """A word on a file too short or too empty to learn the person width from."""
    return (
        "the person width was not learnt: too few people came near the counting area; counted"
        f" with the {result.person_px:.0f} px the mounting height gives (--height: the camera's"
        " height above the floor, cm), or count a longer recording"
    )


def dense_line(result: CountResult) -> str:
    """A word on a count that rests on the motion of a crowd in units of the learnt width."""
    told = motion_sentence(result.from_motion, len(result.passages), result.person_px)
    where = 'docs/vision.md, "Known errors and what was measured"'
    return f"{told}; --no-crowds counts so here ({where})"


def result_notes(result: CountResult) -> list[str]:
    """The lines `count` and `eval` print after their figures when a file needs a word."""
    notes = [shaking_line(result)] if result.shaken_frames else []
    dense = rests_on_motion(result.from_motion, len(result.passages))
    notes += [dense_line(result)] if dense else []
    notes += [blocky_line(result)] if result.blocky_frames else []
    cut = result.blank_frames or result.settling_frames or result.broken_frames or result.cuts
    notes += [picture_cut_line(result)] if cut else []
    notes += [unlearnt_line(result)] if result.size_unlearnt else []
    notes += [small_people_line(result)] if result.people_small else []
    notes += [slow_sentence(result.fps)] if result.slow else []
    told = result.told_height_cm
    return notes + ([told_height_line(told, result.lens)] if told is not None else [])


def result_json(result: CountResult) -> dict[str, Any]:
    """The `--json` object of `footfall count`."""
    n_in, n_out = result.counts
    return {
        "in": n_in,
        "out": n_out,
        "frames": result.frames,
        "fps": round(result.processing_fps, 1),
        "video_fps": result.fps,
        "realtime": round(result.realtime_factor, 1),
        **picture_json(result),
        "passages": passages_rows(result),
    }


def picture_json(result: CountResult) -> dict[str, Any]:
    """What `count` and `eval` say of the picture in their `--json`: the person width and
    whether it was learnt, the height that tells it, frames moved back, seen blocky or with no
    picture and the cuts, and
    whether the frames come too far apart to count well (`slow_stream`)."""
    return {
        "person_px": round(result.person_px, 1),
        "from_motion": result.from_motion,
        "person_share": round(result.person_share, 4),
        "size_learnt": result.size_learnt,
        "told_height_cm": result.told_height_cm,
        "field_of_view": result.lens[0],  # what the told height is through (--fov)
        "person_width_cm": result.lens[1],  # (--person-width)
        "shaken_frames": result.shaken_frames,
        "blocky_frames": result.blocky_frames,
        "blank_frames": result.blank_frames,
        "settling_frames": result.settling_frames,
        "broken_frames": result.broken_frames,
        "cuts": result.cuts,
        "slow_stream": result.slow,
    }


def write_passages(result: CountResult, out: Path) -> None:
    """Passages to `out`: JSON if it ends in .json, else CSV; BadRequest if it cannot be."""
    rows = passages_rows(result)
    if out.suffix.lower() == ".json":
        text = json.dumps(rows, indent=1) + "\n"
    else:
        buffer = io.StringIO()
        fields = ["frame", "time_s", "direction", "track"]
        writer = csv.DictWriter(buffer, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadRequest(f"cannot write --out {out}: {exc.strerror or exc}") from exc


def count(
    video: Annotated[Path, typer.Argument(help="video file to count")],
    area: Annotated[
        str | None,
        typer.Option(
            help="left,right,top,bottom,yfirst,ylast,radius in pixels of the video, or a "
            "cntpos.json object (scaled when it gives its own width/height) or a file holding "
            "one (a counter's saved cntpos.json, or a ground-truth file: its area and in "
            "direction); default: the Area "
            "defaults of params.json"
        ),
    ] = None,
    in_direction: Annotated[
        str | None,
        typer.Option(
            "--in",
            help="which way counts as in: up or down [default: the ground-truth file's given "
            "as --area, else up]",
        ),
    ] = None,
    height: Annotated[int | None, typer.Option(help="mounting height, cm")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    out: Annotated[Path | None, typer.Option(help="write the passages here (CSV or .json)")] = None,
    detector: Annotated[str, typer.Option(help=DETECTOR_HELP)] = "foreground",
    rotate: Annotated[int, typer.Option(help=ROTATE_HELP)] = 0,
    auto_size: Annotated[bool, typer.Option(help=AUTO_SIZE_HELP)] = True,
    crowds: Annotated[bool, typer.Option(help=CROWDS_HELP)] = True,
    fov: Annotated[float | None, typer.Option("--fov", help=FOV_HELP)] = None,
    person_width: Annotated[int | None, typer.Option(help=PERSON_WIDTH_HELP)] = None,
    fps: Annotated[float | None, typer.Option("--fps", help=FPS_HELP)] = None,
    annotate: Annotated[
        Path | None,
        typer.Option(
            help="also write the video with the counting area, the in direction, the tracks "
            "and the running counts drawn (.mp4, .avi or .mkv): to check where the area lies"
        ),
    ] = None,
) -> None:
    """Count the people passing in a video file; print in/out and the passages."""
    err = Console(stderr=True)
    quiet_decoder()
    try:
        if in_direction not in (None, "up", "down"):
            raise BadRequest("--in must be up or down")
        check_fps(fps)
        if out is not None:
            check_out(out)
        if annotate is not None:
            check_annotate(annotate)
        video = video_file(video)
        width, height_px, stated, known = video_info(video)
        if fps is None and not known:
            err.print(
                f"footfall count: warning: {video} states no usable frame rate (a raw "
                f"stream or an image sequence?); counted at {stated:g} fps: give --fps",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        check_distinct(video, out, annotate)
        area_fields, file_in = read_area(area) if area is not None else (None, None)
        params = params_for(
            area_fields,
            in_direction or file_in or "up",
            height,
            (width, height_px),
            rotate,
            auto_size,
            crowds,
            (fov, person_width),
        )
        if annotate is None:
            result = run_with_progress(video, params, err, detector, fps=fps)
        else:
            with AnnotatedVideo(annotate, params, fps or stated) as drawn:
                result = run_with_progress(video, params, err, detector, drawn.write, fps)
                drawn.finish(result.counts)  # the last frame shows what is printed
        if out is not None:
            write_passages(result, out)
    except BadRequest as exc:
        typer.echo(f"footfall count: error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps(result_json(result)) + "\n")
        return
    n_in, n_out = result.counts
    print(
        f"in {n_in}  out {n_out}  ({result.frames} frames, {result.processing_fps:.0f} fps, ",
        end="",
    )
    print(f"{result.realtime_factor:.1f}x real time, person width {result.person_px:.0f} px)")
    for note in result_notes(result):
        print(note)
    for row in passages_rows(result):
        when = f"{row['time_s']:>9.2f} s"
        track = "from motion" if row["track"] is None else f"track {row['track']}"
        print(f"  frame {row['frame']:>6}  {when}  {row['direction']:<3}  {track}")
