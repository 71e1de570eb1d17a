"""Frames per second of the live training panels while they train (lecture preset).

Plays each panel in its background thread for a few seconds, as a notebook would, and prints
frames/s and training steps/s, then the cost of one frame's parts measured in this thread
(training chunk, probes, drawing + JPEG). Not a test: numbers depend on the machine.

    OMP_NUM_THREADS=1 python benchmarks/bench_panel.py --seconds 15 --steps-per-frame 1 5 10

``--screenshot docs/live_panel.png`` instead renders the README's picture: a real frame of the
side-by-side panel (m = 1 vs m = --pack, seed 0) after the lecture preset's steps.
``--timeline`` instead plays notebook 01's panel (one GAN, m = 1, --seed) to the end and prints
its modes captured every 250 steps with the seconds since Play: when the first collapse shows.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import torch

from pacgan_edu.widgets.frontend import figure_png
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


def screenshot(path: str, dataset: str, pack: int, seed: int) -> None:
    """Train the side-by-side panel to the end of the lecture preset and save its frame as PNG."""
    start = time.perf_counter()
    panel = SideBySidePanel(pack=pack, dataset=dataset, preset="lecture", seed=seed, device="cpu")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="Play time per measurement")
    parser.add_argument("--steps-per-frame", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--dataset", default="grid", choices=["grid", "ring"])
    parser.add_argument("--pack", type=int, default=2, help="m of the packed member")
    parser.add_argument("--seed", type=int, default=0, help="seed of the --screenshot run")
    parser.add_argument("--screenshot", metavar="PNG", help="save a frame of the trained side-by-side panel here")
    parser.add_argument("--timeline", action="store_true", help="print a lone m = 1 GAN's modes over time")
    args = parser.parse_args()
    if args.timeline:
        timeline(args.dataset, args.seed)
        return
    if args.screenshot:
        screenshot(args.screenshot, args.dataset, args.pack, args.seed)
        return

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {load:.1f}, "
          f"torch threads {torch.get_num_threads()}, lecture preset, {args.dataset}")
    print(f"{'panel':<28}{'steps/frame':>12}{'frames/s':>10}{'steps/s':>9}   median frame parts (s)")
    for name, make in [("TrainingPanel m=1", lambda spf: TrainingPanel(dataset=args.dataset, pack=1, steps_per_frame=spf, device="cpu")),
                       (f"TrainingPanel m={args.pack}", lambda spf: TrainingPanel(dataset=args.dataset, pack=args.pack, steps_per_frame=spf, device="cpu")),
                       (f"SideBySidePanel m=1 vs {args.pack}", lambda spf: SideBySidePanel(dataset=args.dataset, pack=args.pack, steps_per_frame=spf, device="cpu"))]:
        for spf in args.steps_per_frame:
            panel = make(spf)
            fps, steps = play_for(panel, args.seconds)
            parts = frame_parts(panel)
            detail = ", ".join(f"{k} {v:.3f}" for k, v in parts.items())
            print(f"{name:<28}{spf:>12}{fps:>10.1f}{steps:>9.0f}   {detail}")


if __name__ == "__main__":
    main()
