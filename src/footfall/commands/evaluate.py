"""`footfall eval VIDEO GROUND_TRUTH.json`: count a clip and compare with its hand count."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from footfall.commands.count import (
    AUTO_SIZE_HELP,
    CROWDS_HELP,
    DETECTOR_HELP,
    FPS_HELP,
    check_fps,
    params_for,
    picture_json,
    result_notes,
    run_with_progress,
    video_info,
)
from footfall.counting.groundtruth import GroundTruth, Score, score
from footfall.errors import BadRequest
from footfall.vision.offline import CountResult, quiet_decoder, video_file

FPS_SLACK = 0.01  # a ground truth's fps this far from the video's stated rate is another rate


def eval_json(s: Score, result: CountResult) -> dict[str, Any]:
    """The `--json` object: counts, truths, accuracies, precision, recall, the ground truth's
    tolerance and whether the count is within it, and speed (precision and recall are null when
    the ground truth lists no events)."""
    return {
        "in": s.counted_in,
        "out": s.counted_out,
        "true_in": s.true_in,
        "true_out": s.true_out,
        "in_accuracy": round(s.in_accuracy, 4),
        "out_accuracy": round(s.out_accuracy, 4),
        "combined_accuracy": round(s.combined_accuracy, 4),
        "precision": round(s.precision, 4) if s.events_known else None,
        "recall": round(s.recall, 4) if s.events_known else None,
        "matched": s.matched,
        "tolerance": {"in": s.tolerance_in, "out": s.tolerance_out},
        "within_tolerance": s.within_tolerance,
        "frames": result.frames,
        "fps": round(result.processing_fps, 1),
        "realtime": round(result.realtime_factor, 1),
        **picture_json(result),
        "passages": [[p.frame, p.direction] for p in result.passages],
        # each true event with the passage matched to it (null: missed), then passages that
        # match none (true null): where to look with `footfall count --annotate`
        "events": [
            {"direction": e.direction, "true_frame": e.true, "counted_frame": e.counted}
            for e in s.pairs
        ],
    }


def event_lines(s: Score, fps: float) -> list[str]:
    """One line per true event and per passage that matches none, in frame order."""
    lines = [f"{'way':<4}{'true frame':>11}{'counted':>9}{'off (s)':>9}  verdict"]
    for e in s.pairs:
        true = "-" if e.true is None else str(e.true)
        got = "-" if e.counted is None else str(e.counted)
        if e.true is not None and e.counted is not None:
            off, verdict = f"{(e.counted - e.true) / fps:+.2f}", "matched"
        else:
            off, verdict = "", "missed" if e.counted is None else "extra"
        lines.append(f"{e.direction:<4}{true:>11}{got:>9}{off:>9}  {verdict}")
    return lines


def evaluate_file(
    video: Path,
    truth_path: Path,
    height_cm: int | None,
    detector: str | None = None,
    auto_size: bool = True,
    fps: float | None = None,
    crowds: bool = True,
) -> tuple[Score, CountResult]:
    """Count `video` with the ground truth's area and in direction, and score it; at `fps`
    (`--fps`), else at the video's own rate, or the ground truth's `fps` for a video that states
    none (a raw stream)."""
    check_fps(fps)
    video = video_file(video)
    width, height, stated, known = video_info(video)
    truth = GroundTruth.load(truth_path, (width, height))
    if fps is None and truth.fps and abs(truth.fps - stated) > FPS_SLACK * truth.fps:
        # A raw stream (.h264) states no rate (read as 25 fps): the hand count knows the clip's.
        # A container that states one is believed, and counted on its timestamps; the hand
        # count may be of another encoding.
        use = stated if known else truth.fps
        says = f"states {stated:g}" if known else "states none (read as 25)"
        typer.echo(
            f"footfall eval: warning: {truth_path} gives {truth.fps:g} fps, {video} {says}; "
            f"counted at {use:g} fps (--fps to choose)",
            err=True,
        )
        fps = None if known else use
    if truth.unknown:
        typer.echo(
            f"footfall eval: warning: {truth_path} has keys the format does not know, ignored: "
            f"{'; '.join(truth.unknown)}",
            err=True,
        )
    try:
        params_for(truth.area, truth.in_direction, None, rotation=truth.rotation)
    except BadRequest as exc:
        raise BadRequest(f"ground truth {truth_path}: {exc.message}") from exc
    params = params_for(
        truth.area,
        truth.in_direction,
        height_cm,
        rotation=truth.rotation,
        auto_size=auto_size,
        crowds=crowds,
    )
    result = run_with_progress(video, params, Console(stderr=True), detector, fps=fps)
    if truth.frames and truth.frames != result.frames:
        # Events are matched by frame number: another clip's (or a re-encoded one's) never fit.
        typer.echo(
            f"footfall eval: warning: {truth_path} is for a clip of {truth.frames} frames"
            f"{f' ({truth.video})' if truth.video else ''}; {video} has {result.frames}",
            err=True,
        )
    counted = [(p.frame if p.frame is not None else -1, p.direction) for p in result.passages]
    return score(truth, counted, truth.fps or result.fps), result


def evaluate(
    video: Annotated[Path, typer.Argument(help="video file")],
    ground_truth: Annotated[Path, typer.Argument(help="hand-counted ground truth (JSON)")],
    height: Annotated[int | None, typer.Option(help="mounting height, cm")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object only")] = False,
    detector: Annotated[str, typer.Option(help=DETECTOR_HELP)] = "foreground",
    auto_size: Annotated[bool, typer.Option(help=AUTO_SIZE_HELP)] = True,
    crowds: Annotated[bool, typer.Option(help=CROWDS_HELP)] = True,
    fps: Annotated[float | None, typer.Option("--fps", help=FPS_HELP)] = None,
    events: Annotated[
        bool,
        typer.Option(
            "--events",
            help="also list every true event with the passage matched to it (within 1 s), "
            "the missed ones and the passages that match none",
        ),
    ] = False,
) -> None:
    """Count a clip with the ground truth's counting area and in direction, and print
    per-direction and combined accuracy, event precision and recall."""
    quiet_decoder()
    try:
        s, result = evaluate_file(video, ground_truth, height, detector, auto_size, fps, crowds)
    except BadRequest as exc:
        typer.echo(f"footfall eval: error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps(eval_json(s, result)) + "\n")
        return
    print(f"in   counted {s.counted_in:>4}  true {s.true_in:>4}  accuracy {s.in_accuracy:.3f}")
    print(f"out  counted {s.counted_out:>4}  true {s.true_out:>4}  accuracy {s.out_accuracy:.3f}")
    print(f"combined accuracy {s.combined_accuracy:.3f}")
    print(
        f"within the hand count's tolerance (in ±{s.tolerance_in}, out ±{s.tolerance_out}):"
        f" {'yes' if s.within_tolerance else 'no'}"
    )
    if s.events_known:
        print(f"events: precision {s.precision:.3f}  recall {s.recall:.3f}  ({s.matched} matched)")
        if events:
            print("\n".join(event_lines(s, result.fps)))
    else:
        print("events: the ground truth lists none (totals only): no precision or recall")
    print(f"speed: {result.processing_fps:.0f} fps, {result.realtime_factor:.1f}x real time")
    print(f"person width counted with: {result.person_px:.0f} px")
    for note in result_notes(result):
        print(note)
