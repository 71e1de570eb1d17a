"""Vectorized ensemble vs a sequential loop of the same K GANs, in one process.

Members are the packing degrees 1-4 x K/4 seeds. Three ways to train them, all through the
same training loop: the one-model ensemble (every packing degree in one batched model, D's
input zero-padded to m = 4: what the library does for 2D tasks), the grouped ensemble (one
batched model per packing degree: what it did before) and the sequential loop (each member a
lone run, one after another). Prints seconds per step of each and the speed-ups measured in
this run.

    python benchmarks/bench_ensemble.py                 # lecture and paper nets, K = 8 and 40
    python benchmarks/bench_ensemble.py --device cuda --steps 50
"""
from __future__ import annotations

import argparse
import time

import torch

from pacgan_edu import GANTrainer, Member, preset
from pacgan_edu.device import resolve_device
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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--architectures", nargs="+", default=["lecture", "paper"])
    parser.add_argument("--members", nargs="+", type=int, default=[8, 40])
    parser.add_argument("--steps", type=int, default=None, help="default: 30 (lecture), 10 (paper)")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    device = resolve_device(args.device)
    print(f"device: {device}, torch {torch.__version__}, CPU threads {torch.get_num_threads()}")
    print(f"{'nets':8s} {'K':>3s} {'steps':>5s} {'one model':>10s} {'grouped':>8s} {'sequential':>11s} (s/step)"
          f"   one model vs sequential / vs grouped")
    for architecture in args.architectures:
        steps = args.steps or (30 if architecture == "lecture" else 10)
        # eval only at the end, so both sides time training, not evaluation
        config = preset("lecture", dataset="grid", architecture=architecture, eval_every=10**9, steps=10**6)
        for k in args.members:
            members = [Member(pack, seed) for pack in (1, 2, 3, 4) for seed in range(k // 4)]
            ensemble = timed_run(config, members, steps, device)
            grouped = timed_run(config, members, steps, device, one_model=False)
            sequential = sum(timed_run(config, [member], steps, device) for member in members)
            print(f"{architecture:8s} {k:3d} {steps:5d} {ensemble / steps:10.4f} {grouped / steps:8.4f} "
                  f"{sequential / steps:11.4f}            {sequential / ensemble:5.1f}x / {grouped / ensemble:4.2f}x")


if __name__ == "__main__":
    main()
