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
    FOV_HELP,
    FPS_HELP,
    PERSON_WIDTH_HELP,
    LensOptions,
    check_fps,
    params_for,
    picture_json,
    result_notes,
    run_with_progress,
    video_info,
)
from footfall.commands.fit import HeightFit, Tried, fit_height
from footfall.counting.groundtruth import (
    MATCH_WINDOW_S,
    TRUE_FRAME_SLACK,
    EventPair,
    GroundTruth,
    Score,
    Unsure,
    score,
)
from footfall.errors import BadRequest
from footfall.vision.offline import CountResult, quiet_decoder, video_file
from footfall.vision.person import DEFAULT_LENS, Lens

FPS_SLACK = 0.01  # a ground truth's fps this far from the video's stated rate is another rate


def unsure_of(e: EventPair, truth: GroundTruth, fps: float) -> Unsure | None:
    """The stretch the hand count marks unsure that a missed event (within the ±2 frames of a
    hand count's frame) or an extra passage (within the 1 s a passage may be dated off) falls
    in; None for a matched one, or one outside every such stretch."""
    if e.counted is None and e.true is not None:
        return truth.unsure_at(e.true, TRUE_FRAME_SLACK)
    if e.true is None and e.counted is not None:
        return truth.unsure_at(e.counted, MATCH_WINDOW_S * fps)
    return None


def unsure_json(stretch: Unsure | None) -> dict[str, Any] | None:
    return (
        None if stretch is None else {"frames": [stretch.first, stretch.last], "note": stretch.note}
    )


def eval_json(s: Score, result: CountResult, truth: GroundTruth) -> dict[str, Any]:
    """The `--json` object: counts, truths, accuracies, precision, recall, the ground truth's
    tolerance and whether the count is within it, and speed (precision and recall are null when
    the ground truth lists no events); each event's entry names the stretch the hand count
    marks unsure (`ambiguous`) that a missed or extra one falls in."""
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
            {
                "direction": e.direction,
                "true_frame": e.true,
                "counted_frame": e.counted,
                "unsure": unsure_json(unsure_of(e, truth, result.fps)),
            }
            for e in s.pairs
        ],
    }


def event_lines(s: Score, truth: GroundTruth, fps: float) -> list[str]:
    """One line per true event and per passage that matches none, in frame order; a missed or
    extra one in a stretch the hand count marks unsure says so, and that stretch's note follows
    the table."""
    lines = [f"{'way':<4}{'true frame':>11}{'counted':>9}{'off (s)':>9}  verdict"]
    notes: list[Unsure] = []
    for e in s.pairs:
        true = "-" if e.true is None else str(e.true)
        got = "-" if e.counted is None else str(e.counted)
        if e.true is not None and e.counted is not None:
            off, verdict = f"{(e.counted - e.true) / fps:+.2f}", "matched"
        else:
            off, verdict = "", "missed" if e.counted is None else "extra"
        stretch = unsure_of(e, truth, fps)
        if stretch is not None:
            verdict += f" (unsure in the hand count: frames {stretch.first}-{stretch.last})"
            notes += [] if stretch in notes else [stretch]
        lines.append(f"{e.direction:<4}{true:>11}{got:>9}{off:>9}  {verdict}")
    lines += [f"frames {u.first}-{u.last}: {u.note or '(no note)'}" for u in notes]
    return lines


def unsure_line(s: Score, truth: GroundTruth, fps: float) -> str | None:
    """How many of the missed and extra passages fall where the hand count is unsure, when the
    hand count marks any stretch so and the count has errors; else None."""
    errors = [e for e in s.pairs if e.true is None or e.counted is None]
    if not truth.unsure or not errors:
        return None
    unsure = sum(unsure_of(e, truth, fps) is not None for e in errors)
    missed = sum(e.counted is None for e in errors)
    stretches = f"{len(truth.unsure)} stretch{'es' if len(truth.unsure) != 1 else ''}"
    return (
        f"of the {missed} missed and {len(errors) - missed} extra, {unsure}"
        f" fall{'s' if unsure == 1 else ''} where the hand count marks itself unsure"
        f" ({stretches}; --events shows which)"
    )


def read_truth(
    video: Path, truth_path: Path, fps: float | None
) -> tuple[Path, GroundTruth, float | None]:
    """The video's file, its ground truth and the rate to count it at: `fps` (`--fps`), else the
    video's own rate, or the ground truth's `fps` for a video that states none (a raw stream);
    with a warning where the two disagree on the rate or the truth has keys the format does not
    know."""
    check_fps(fps)
    video = video_file(video)
    width, height, stated, known = video_info(video)
    # events noted by time are taken to frames at the rate the video is counted at
    truth = GroundTruth.load(truth_path, (width, height), fps or (stated if known else None))
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
    return video, truth, fps


def counted_score(
    video: Path,
    truth: GroundTruth,
    truth_path: Path,
    height_cm: int | None,
    detector: str | None = None,
    auto_size: bool = True,
    fps: float | None = None,
    crowds: bool = True,
    warn: bool = True,
    label: str = "",
    lens: LensOptions = (None, None),
) -> tuple[Score, CountResult]:
    """Count `video` as `read_truth` read it, and score the count (`warn`: say when the truth
    is for a clip of another length)."""
    params = params_for(
        truth.area,
        truth.in_direction,
        height_cm,
        rotation=truth.rotation,
        auto_size=auto_size,
        crowds=crowds,
        lens=lens,
    )
    result = run_with_progress(video, params, Console(stderr=True), detector, fps=fps, label=label)
    if warn and truth.frames and truth.frames != result.frames:
        # Events are matched by frame number: another clip's (or a re-encoded one's) never fit.
        typer.echo(
            f"footfall eval: warning: {truth_path} is for a clip of {truth.frames} frames"
            f"{f' ({truth.video})' if truth.video else ''}; {video} has {result.frames}",
            err=True,
        )
    counted = [(p.frame if p.frame is not None else -1, p.direction) for p in result.passages]
    return score(truth, counted, truth.fps or result.fps), result


FIT_HELP = (
    "also find the mounting height (Counter.Height, with Counter.AutoSize 0) at which the clip "
    "counts nearest the hand count: the recording counted told one height after another "
    "(about ten counts) and once with only the people followed (Counter.Crowds 0), for a door "
    "the learnt width counts wrong; prints what to set and the setparams call that sets it"
)


def fit_for(
    video: Path,
    truth: GroundTruth,
    truth_path: Path,
    fps: float | None,
    crowds: bool,
    near: int | None,
    lens: LensOptions = (None, None),
) -> HeightFit:
    """`fit_height` on `video`: each height counted as `--height H --no-auto-size` would."""

    done = 0

    def count(height_cm: int) -> tuple[int, int, float]:
        nonlocal done
        done += 1
        told = f" told {height_cm} cm (fit: count {done} of about 10)"
        s, result = counted_score(
            video, truth, truth_path, height_cm, None, False, fps, crowds, False, told, lens
        )
        return s.counted_in, s.counted_out, result.person_px

    return fit_height(count, (truth.true_in, truth.true_out), near)


def fit_json(fit: HeightFit, learnt: Score, alone: Score | None = None) -> dict[str, Any]:
    """The `fit` object of `--json --fit` (`alone` as for `fit_lines`)."""

    def row(t: Tried) -> dict[str, Any]:
        return {
            "height_cm": t.height_cm,
            "person_px": round(t.person_px, 1),
            "in": t.counted[0],
            "out": t.counted[1],
            "combined_accuracy": round(t.accuracy, 4),
        }

    return {
        **row(fit.best),
        "better_than_learning": fit.best.accuracy > learnt.combined_accuracy,
        "advice": fit_advice(fit, learnt, alone),
        "at_bound": fit.at_bound,
        "tried": [row(t) for t in fit.tried],
        "no_crowds": None
        if alone is None
        else {
            "in": alone.counted_in,
            "out": alone.counted_out,
            "combined_accuracy": round(alone.combined_accuracy, 4),
        },
    }


def fit_advice(fit: HeightFit, learnt: Score, alone: Score | None) -> str:
    """What `--fit` advises: "crowds" (Counter.Crowds 0), "height" (the best height, AutoSize 0)
    or "learning" (keep learning the width)."""
    learning = learnt.combined_accuracy
    # Nearer than the hand count is sure of fits this recording's people, not the door's: on
    # the shared trams a height fitted on two counts the third worse than learning does.
    if within_sureness(learnt):
        return "learning"
    # As near as the best height and nearer than learning: the people followed are counted
    # right, and it is the motion no track claimed that is off (people apart on a plain floor),
    # which no width mends at other hours.
    if alone is not None and alone.combined_accuracy > max(learning, fit.best.accuracy - 1e-9):
        return "crowds"
    # No height brings the count to the hand count: the width is not what is off (the area, the
    # in direction or the hand count is), and a height at the bound would only move the error.
    return "height" if fit.best.accuracy > learning and not fit.at_bound else "learning"


def within_sureness(learnt: Score) -> bool:
    """Whether the count is within the tolerance the hand count gives (one that gives some)."""
    return learnt.within_tolerance and learnt.tolerance_in + learnt.tolerance_out > 0


def fit_lines(
    fit: HeightFit,
    learnt: Score,
    alone: Score | None = None,
    lens: Lens = DEFAULT_LENS,
) -> list[str]:
    """What `--fit` prints: the heights tried, the count with only the people followed
    (`alone`, `Counter.Crowds` 0: None when `learnt` was counted so already) and what to set
    (the heights through `lens`, `Counter.FieldOfView` and `Counter.PersonWidth`)."""
    best = fit.best
    lines = [
        "fit: the clip counted told each height (Counter.AutoSize 0):",
        f"{'height cm':>11}{'width px':>10}{'in':>6}{'out':>6}{'accuracy':>10}",
        *(
            f"{t.height_cm:>11}{t.person_px:>10.1f}{t.counted[0]:>6}{t.counted[1]:>6}"
            f"{t.accuracy:>10.3f}"
            for t in fit.tried
        ),
        f"best: Counter.Height={best.height_cm} with Counter.AutoSize=0 counts in "
        f"{best.counted[0]} out {best.counted[1]}, combined accuracy {best.accuracy:.3f} "
        f"(learning the width: {learnt.combined_accuracy:.3f})",
    ]
    if fit.at_bound:
        lines.append(
            "no height Counter.Height takes (150-1000 cm) brings the count to the hand count: "
            "the person width is not what is wrong (check the area and the in direction)"
        )
    if alone is not None:
        lines.append(
            f"only the people followed one by one (Counter.Crowds=0, learning the width): in "
            f"{alone.counted_in} out {alone.counted_out}, combined accuracy "
            f"{alone.combined_accuracy:.3f}"
        )
    advice = fit_advice(fit, learnt, alone)
    if advice == "crowds":
        lines.append(
            "set Counter.Crowds=0 if people never crowd at this door (a crowd's people no track "
            "follows are then not counted), and check it on a second recording of the door"
        )
        lines.append(setparams_line("Counter.Crowds=0"))
    elif advice == "height":
        lines.append(
            f"set Counter.Height={best.height_cm} and Counter.AutoSize=0 on the counter "
            "(setparams, the setup page or the config file), and check them on a second "
            "recording of the door: a height fitted to one recording fits the people in it; "
            f"the height is for a person {best.person_px:.0f} px wide through a lens of "
            f"Counter.FieldOfView {lens[0]:g} and Counter.PersonWidth {lens[1]} (--fov, "
            "--person-width): a counter set otherwise needs another height for that width"
        )
        lines.append(setparams_line(f"Counter.Height={best.height_cm}&Counter.AutoSize=0"))
    elif within_sureness(learnt):
        lines.append(
            f"learning the width counts within the hand count's tolerance (in "
            f"±{learnt.tolerance_in}, out ±{learnt.tolerance_out}): keep Counter.AutoSize=1"
        )
    elif not fit.at_bound:
        lines.append("learning the width counts as near: keep Counter.AutoSize=1")
    return lines


def setparams_line(pairs: str) -> str:
    """How to set `pairs` on a running counter (docs/install.md)."""
    return (
        f"  curl --digest -u root:PASS -d 'setparams&{pairs}' "
        "'http://BOX:8080/local/tvpc/.apioperator'"
    )


def evaluate(
    video: Annotated[Path, typer.Argument(help="video file")],
    ground_truth: Annotated[Path, typer.Argument(help="hand-counted ground truth (JSON)")],
    height: Annotated[int | None, typer.Option(help="mounting height, cm")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object only")] = False,
    detector: Annotated[str, typer.Option(help=DETECTOR_HELP)] = "foreground",
    auto_size: Annotated[bool, typer.Option(help=AUTO_SIZE_HELP)] = True,
    crowds: Annotated[bool, typer.Option(help=CROWDS_HELP)] = True,
    fov: Annotated[float | None, typer.Option("--fov", help=FOV_HELP)] = None,
    person_width: Annotated[int | None, typer.Option(help=PERSON_WIDTH_HELP)] = None,
    fps: Annotated[float | None, typer.Option("--fps", help=FPS_HELP)] = None,
    fit: Annotated[bool, typer.Option("--fit", help=FIT_HELP)] = False,
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
        if fit and height is not None:
            raise BadRequest("--fit finds the height itself: leave out --height")
        if fit and detector != "foreground":
            raise BadRequest(
                "--fit finds the overhead detector's person width: not with --detector"
            )
        video, truth, fps = read_truth(video, ground_truth, fps)
        if fit and truth.true_in + truth.true_out == 0:
            raise BadRequest("--fit needs a hand count with people in it (its totals are 0 and 0)")
        lens = (fov, person_width)
        s, result = counted_score(
            video, truth, ground_truth, height, detector, auto_size, fps, crowds, lens=lens
        )
        near = result.told_height_cm
        fitted = fit_for(video, truth, ground_truth, fps, crowds, near, lens) if fit else None
        alone = (  # the other remedy of a count off: only the people the tracks follow
            counted_score(
                video,
                truth,
                ground_truth,
                None,
                auto_size=auto_size,
                fps=fps,
                crowds=False,
                warn=False,
                label=" with only the people followed (fit)",
                lens=lens,
            )[0]
            if fit and crowds
            else None
        )
    except BadRequest as exc:
        typer.echo(f"footfall eval: error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        found = eval_json(s, result, truth)
        if fitted is not None:
            found["fit"] = fit_json(fitted, s, alone)
        sys.stdout.write(json.dumps(found) + "\n")
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
        unsure = unsure_line(s, truth, result.fps)
        if unsure is not None:
            print(unsure)
        if events:
            print("\n".join(event_lines(s, truth, result.fps)))
    else:
        print("events: the ground truth lists none (totals only): no precision or recall")
    print(f"speed: {result.processing_fps:.0f} fps, {result.realtime_factor:.1f}x real time")
    print(f"person width counted with: {result.person_px:.0f} px")
    for note in result_notes(result):
        print(note)
    if fitted is not None:
        print("\n".join(fit_lines(fitted, s, alone, result.lens)))
