"""Frames per second of the live training panels while they train (lecture preset).

Plays each panel in its background thread for a few seconds, as a notebook would, and prints
frames/s and training steps/s, then the cost of one frame's parts measured in this thread
(training chunk, probes, drawing + JPEG). Not a test: numbers depend on the machine.

    OMP_NUM_THREADS=1 python benchmarks/bench_panel.py --seconds 15 --steps-per-frame 1 5 10

``--screenshot docs/live_panel.png`` instead renders the README's picture: a real frame of the
side-by-side panel (m = 1 vs m = --pack, seed 0) after the lecture preset's steps.
``--timeline`` instead plays notebook 01's panel (one GAN, m = 1, --seed) to the end and prints
its modes captured every 250 steps with the seconds since Play: when the first collapse shows.
``--pair-seeds 10`` instead measures the live pair (``SideBySidePanel``, m = 1 vs m = --pack, the
``pair`` preset): it plays the panel on seed --seed for --mark seconds (default 120) and notes the
step it reached, then trains each seed 0..N−1's pair to that step as its own two-member
ensemble (as the panel trains it: what the panel would show for that seed at the mark) and
counts the seeds where m = --pack holds ≥ 24 modes at ≥ 70 % HQ and m = 1 has ≥ 3 modes fewer;
with ``--at-step N [N ...]`` it skips the panel and counts at those steps.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import torch

from pacgan_edu.widgets.frontend import figure_png
from pacgan_edu.presets import PAIR_SEED
from pacgan_edu.widgets.training import SideBySidePanel, TrainingPanel


def play_for(panel, seconds: float) -> tuple[float, float]:
    """(frames/s, steps/s) over ``seconds`` of Play."""
    start_step, start = panel.trainer.step, time.perf_counter()
    panel.play()
    time.sleep(seconds)
    panel.pause()
    wall = time.perf_counter() - start
    if panel.last_error:
        raise RuntimeError(panel.last_error)
    return panel.frames_per_second, (panel.trainer.step - start_step) / wall


def frame_parts(panel, frames: int = 8) -> dict:
    """Median seconds of each part of a frame, measured synchronously."""
    parts = {"train chunk": [], "probes": [], "draw + JPEG": []}
    panel.target_step = 10**9
    for _ in range(frames):
        t0 = time.perf_counter()
        panel._train_chunk()
        t1 = time.perf_counter()
        probe_frames = panel.probe_frames()
        t2 = time.perf_counter()
        panel.figure.update(probe_frames).jpeg()
        t3 = time.perf_counter()
        for key, value in zip(parts, (t1 - t0, t2 - t1, t3 - t2)):
            parts[key].append(value)
    return {key: statistics.median(values) for key, values in parts.items()}


def screenshot(path: str, dataset: str, pack: int, seed: int, preset: str) -> None:
    """Train the side-by-side panel to the end of ``preset`` and save its frame as PNG."""
    start = time.perf_counter()
    panel = SideBySidePanel(pack=pack, dataset=dataset, preset=preset, seed=seed, device="cpu")
    panel.run_to_end()
    with open(path, "wb") as handle:
        handle.write(figure_png(panel.static_figure(), dpi=90))
    print(panel.summary())
    print(f"wrote {path} after {panel.trainer.step} steps ({time.perf_counter() - start:.0f} s)")


def timeline(dataset: str, seed: int) -> None:
    """Seconds after Play at which a lone GAN's modes counter reaches each value (every 250 steps)."""
    panel = TrainingPanel(dataset=dataset, pack=1, seed=seed, device="cpu")
    start, printed = time.perf_counter(), set()
    panel.play()
    while panel.running or not printed:
        for row in list(panel.trainer.history):
            if row["step"] % 250 == 0 and row["step"] not in printed:
                printed.add(row["step"])
                print(f"{time.perf_counter() - start:6.1f} s  step {row['step']:5d}  modes {row['modes_captured']}", flush=True)
        time.sleep(0.2)
    if panel.last_error:
        raise RuntimeError(panel.last_error)


def pair_seeds(dataset: str, pack: int, seed: int, seeds: int, mark: float, preset: str,
               at_steps: list[int] | None = None) -> None:
    """``at_steps``: skip the panel and count at these steps instead (the mark's step on another
    day or machine: the step a panel reaches in 2 minutes is the CPU's speed, not the method's)."""
    from pacgan_edu import GANTrainer, Member
    from pacgan_edu.parallel import run_side_by_side
    from pacgan_edu.presets import preset as make_preset

    if at_steps:
        marks = [(step, f"step {step}") for step in sorted(at_steps)]
    else:
        panel = SideBySidePanel(pack=pack, dataset=dataset, preset=preset, seed=seed, device="cpu")
        start_step = panel.trainer.step
        start = time.perf_counter()
        panel.play()
        time.sleep(mark)
        reached = panel.trainer.step
        panel.pause()
        if panel.last_error:
            raise RuntimeError(panel.last_error)
        fps = panel.frames_per_second
        print(f"panel (seed {seed}, {dataset}, preset {preset}): step {reached - start_step} of "
              f"{panel.trainer.config.steps} after {mark:.0f} s of Play ({(reached - start_step) / mark:.0f} steps/s, "
              f"{fps:.1f} frames/s; torch threads {torch.get_num_threads()}); wall {time.perf_counter() - start:.0f} s")
        marks = [(reached, f"step {reached} ({mark:.0f} s after Play)")]
    # one two-member ensemble per seed, exactly what the panel trains: in float32 a member's
    # rounding depends on the ensemble it is batched with, and GAN training amplifies that, so a
    # 20-member ensemble can end elsewhere than the panel on the same seed. Two at a time, one
    # thread each (pacgan_edu.parallel).
    config = make_preset(preset, dataset=dataset, eval_every=10**9)
    trainers = [GANTrainer(config, members=[Member(1, s), Member(pack, s)], device="cpu") for s in range(seeds)]
    for step, label in marks:
        for first in range(0, seeds, 2):
            run_side_by_side(trainers[first:first + 2], step - trainers[first].step, progress=False)
        count_pair_seeds([row for t in trainers for row in t.results()], pack, seeds, label)


def count_pair_seeds(results: list[dict], pack: int, seeds: int, label: str) -> None:
    rows = {(r["pack"], r["seed"]): r for r in results}
    shown = 0
    for s in range(seeds):
        lone, packed = rows[(1, s)], rows[(pack, s)]
        ok = (packed["modes_captured"] >= 24 and packed["high_quality_fraction"] >= 0.70
              and lone["modes_captured"] <= packed["modes_captured"] - 3)
        shown += ok
        print(f"  seed {s}: m = 1 {lone['modes_captured']:2d} modes {100 * lone['high_quality_fraction']:4.0f} % HQ | "
              f"m = {pack} {packed['modes_captured']:2d} modes {100 * packed['high_quality_fraction']:4.0f} % HQ"
              f"  {'shows it' if ok else '-'}")
    print(f"{shown} of {seeds} seeds show m = {pack} on >= 24 modes at >= 70 % HQ and m = 1 >= 3 modes fewer "
          f"at {label}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="Play time per measurement")
    parser.add_argument("--steps-per-frame", type=int, nargs="+", default=[10, 25, 50])
    parser.add_argument("--dataset", default="grid", choices=["grid", "ring"])
    parser.add_argument("--pack", type=int, default=2, help="m of the packed member")
    parser.add_argument("--seed", type=int, default=None, help="seed of --screenshot / --pair-seeds' panel (default: the panel's)")
    parser.add_argument("--screenshot", metavar="PNG", help="save a frame of the trained side-by-side panel here")
    parser.add_argument("--timeline", action="store_true", help="print a lone m = 1 GAN's modes over time")
    parser.add_argument("--pair-seeds", type=int, default=0, help="measure the live pair at --mark seconds over N seeds")
    parser.add_argument("--mark", type=float, default=120.0, help="seconds after Play for --pair-seeds")
    parser.add_argument("--at-step", type=int, nargs="+", default=None,
                        help="--pair-seeds: count at these steps instead of playing the panel for --mark seconds")
    parser.add_argument("--preset", default="pair", help="preset of --pair-seeds, --screenshot and the timings")
    args = parser.parse_args()
    if args.seed is None:
        args.seed = PAIR_SEED
    if args.pair_seeds:
        pair_seeds(args.dataset, args.pack, args.seed, args.pair_seeds, args.mark, args.preset, args.at_step)
        return
    if args.timeline:
        timeline(args.dataset, args.seed)
        return
    if args.screenshot:
        screenshot(args.screenshot, args.dataset, args.pack, args.seed, args.preset)
        return

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {load:.1f}, "
          f"torch threads {torch.get_num_threads()}, {args.preset} preset, {args.dataset}")
    print(f"{'panel':<28}{'steps/frame':>12}{'frames/s':>10}{'steps/s':>9}   median frame parts (s)")
    for name, make in [("TrainingPanel m=1", lambda spf: TrainingPanel(dataset=args.dataset, pack=1, preset=args.preset, steps_per_frame=spf, device="cpu")),
                       (f"TrainingPanel m={args.pack}", lambda spf: TrainingPanel(dataset=args.dataset, pack=args.pack, preset=args.preset, steps_per_frame=spf, device="cpu")),
                       (f"SideBySidePanel m=1 vs {args.pack}", lambda spf: SideBySidePanel(dataset=args.dataset, pack=args.pack, preset=args.preset, steps_per_frame=spf, device="cpu"))]:
        for spf in args.steps_per_frame:
            panel = make(spf)
            fps, steps = play_for(panel, args.seconds)
            parts = frame_parts(panel)
            detail = ", ".join(f"{k} {v:.3f}" for k, v in parts.items())
            print(f"{name:<28}{spf:>12}{fps:>10.1f}{steps:>9.0f}   {detail}")


if __name__ == "__main__":
    main()
