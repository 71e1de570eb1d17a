"""Vectorized ensemble vs a sequential loop of the same K GANs, in one process.

Members are the packing degrees 1-4 x K/4 seeds. Both sides run the same steps of the same
training loop; the sequential side trains each member as a lone run, one after another. Prints
seconds per step for both and the speed-up ratio measured in this run.

    python benchmarks/bench_ensemble.py                 # lecture and paper nets, K = 8 and 40
    python benchmarks/bench_ensemble.py --device cuda --steps 50
"""
from __future__ import annotations

import argparse
import time

import torch

from pacgan_edu import GANTrainer, Member, preset
from pacgan_edu.device import resolve_device


def timed_run(config, members, steps, device) -> float:
    trainer = GANTrainer(config, members=members, device=device)
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
    print(f"{'nets':8s} {'K':>3s} {'steps':>5s} {'ensemble s/step':>16s} {'sequential s/step':>18s} {'speed-up':>9s}")
    for architecture in args.architectures:
        steps = args.steps or (30 if architecture == "lecture" else 10)
        # eval only at the end, so both sides time training, not evaluation
        config = preset("lecture", dataset="grid", architecture=architecture, eval_every=10**9, steps=10**6)
        for k in args.members:
            members = [Member(pack, seed) for pack in (1, 2, 3, 4) for seed in range(k // 4)]
            ensemble = timed_run(config, members, steps, device)
            sequential = sum(timed_run(config, [member], steps, device) for member in members)
            print(f"{architecture:8s} {k:3d} {steps:5d} {ensemble / steps:16.4f} {sequential / steps:18.4f} "
                  f"{sequential / ensemble:8.1f}x")


if __name__ == "__main__":
    main()
