"""Vectorized ensemble vs a sequential loop of the same K GANs, in one process.

Members are the packing degrees 1-4 x K/4 seeds. Four ways to train them, all through the
same training loop: the one-model ensemble (every packing degree in one batched model, D's
input zero-padded to m = 4: what the library does for 2D tasks), the same split into one
ensemble per core, side by side (what the toy CLI does on a CPU), the grouped ensemble (one
batched model per packing degree: what it did before) and the sequential loop (each member a
lone run, one after another). Prints seconds per step of each and the speed-ups measured in
this run, for each matrix-product precision (``TrainConfig.matmul_precision``: float32, and
the lecture preset's "auto", which is bfloat16 on a CPU that multiplies it natively), and
finally the side-by-side ensembles in each precision against the float32 sequential loop.

    python benchmarks/bench_ensemble.py                 # lecture and paper nets, K = 8 and 40
    python benchmarks/bench_ensemble.py --architectures lecture --members 40
    python benchmarks/bench_ensemble.py --device cuda --steps 50
"""
from __future__ import annotations

import argparse
import time

import torch

from pacgan_edu import GANTrainer, Member, preset
from pacgan_edu.device import matmul_precision, native_bfloat16_cpu, resolve_device
from pacgan_edu.parallel import run_side_by_side, split_trainers, usable_cores
from pacgan_edu.tasks import ToyTask


def timed_run(config, members, steps, device, one_model: bool = True) -> float:
    ToyTask.one_model_for_all_packs = one_model   # False: one group per packing degree (the old layout)
    try:
        trainer = GANTrainer(config, members=members, device=device)
    finally:
        ToyTask.one_model_for_all_packs = True
    trainer.run(2, progress=False)  # warm-up: first-call costs, allocator
    if trainer.device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    trainer.run(steps, progress=False)
    if trainer.device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def timed_side_by_side(config, packs, seeds, steps, device, workers: int) -> float:
    """The seeds split into ``workers`` ensembles, each in its own thread with one share of the
    torch threads (pacgan_edu.parallel: what the toy CLI does on a CPU)."""
    trainers = split_trainers(config, packs, seeds, workers, device)
    run_side_by_side(trainers, 2, progress=False)  # warm-up
    start = time.perf_counter()
    run_side_by_side(trainers, steps, progress=False)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--architectures", nargs="+", default=["lecture", "paper"])
    parser.add_argument("--members", nargs="+", type=int, default=[8, 40])
    parser.add_argument("--steps", type=int, default=None, help="default: 30 (lecture), 10 (paper)")
    parser.add_argument("--precisions", nargs="+", default=["float32", "auto"], choices=["float32", "bfloat16", "auto"])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--workers", type=int, default=None, help="ensembles side by side (default: one per core)")
    args = parser.parse_args()
    device = resolve_device(args.device)
    print(f"device: {device}, torch {torch.__version__}, CPU threads {torch.get_num_threads()}, "
          f"native bfloat16: {native_bfloat16_cpu()}")
    workers = args.workers or min(usable_cores(), torch.get_num_threads())
    print(f"{'nets':8s} {'K':>3s} {'precision':>9s} {'steps':>5s} {'split':>7s} {'one model':>10s} {'grouped':>8s} "
          f"{'sequential':>11s} (s/step)   split ({workers} ensembles side by side) vs sequential / "
          f"one model vs sequential / vs grouped")
    for architecture in args.architectures:
        steps = args.steps or (30 if architecture == "lecture" else 10)
        for k in args.members:
            members = [Member(pack, seed) for pack in (1, 2, 3, 4) for seed in range(k // 4)]
            splits, sequential_float32 = {}, None
            for precision in args.precisions:
                # eval only at the end, so every way times training, not evaluation
                config = preset("lecture", dataset="grid", architecture=architecture, eval_every=10**9,
                                steps=10**6, matmul_precision=precision)
                used = matmul_precision(precision, device)
                split = timed_side_by_side(config, (1, 2, 3, 4), range(k // 4), steps, device, workers)
                ensemble = timed_run(config, members, steps, device)
                grouped = timed_run(config, members, steps, device, one_model=False)
                sequential = sum(timed_run(config, [member], steps, device) for member in members)
                splits[f"{precision} ({used})"] = split
                if used == "float32" and sequential_float32 is None:
                    sequential_float32 = sequential
                print(f"{architecture:8s} {k:3d} {used:>9s} {steps:5d} {split / steps:7.4f} {ensemble / steps:10.4f} "
                      f"{grouped / steps:8.4f} {sequential / steps:11.4f}   {sequential / split:5.1f}x / "
                      f"{sequential / ensemble:5.1f}x / {grouped / ensemble:4.2f}x", flush=True)
            if sequential_float32 is not None:
                print(f"{architecture:8s} {k:3d} side by side vs the float32 sequential loop: " +
                      ", ".join(f"{name} {sequential_float32 / split:.1f}x" for name, split in splits.items()))


if __name__ == "__main__":
    main()
