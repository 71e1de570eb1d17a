"""Time per training step of every remedy relative to the plain GAN, measured in one run.

    python benchmarks/bench_remedies.py [--dataset grid] [--seeds 5] [--steps 150]

Each (remedy, m) trains ``--seeds`` members as one ensemble with the lecture preset; the
ratios (not the absolute times) are what to quote: the machine is shared and noisy.
"""
from __future__ import annotations

import argparse
import os

import torch

from pacgan_edu.report import cpu_model
from pacgan_edu.remedy_study import time_per_step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="grid", choices=["grid", "ring"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--preset", default="lecture")
    args = parser.parse_args()
    print(f"{cpu_model()}, {torch.get_num_threads()} torch threads (OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}); "
          f"{args.dataset}, preset {args.preset}, {args.seeds} seeds per ensemble, {args.steps} timed steps")
    for row in time_per_step(args.dataset, preset_name=args.preset, seeds=range(args.seeds), steps=args.steps):
        print(f"{row['label']:34s} {1000 * row['seconds_per_step']:8.1f} ms/step   {row['relative']:5.2f}x the GAN")


if __name__ == "__main__":
    main()
