"""Does ``torch.compile`` speed up the training step? Eager vs compiled G and D forward passes.

Trains the K = 40 lecture ensemble (4 packing degrees x 10 seeds, one batched model) eagerly and
with ``torch.compile`` applied to G's and D's forward functions (their backward passes are then
compiled too), alternating the two a few times in one process, and prints seconds per step of
each and the ratio. Compilation time is printed separately. Not a test: numbers depend on the machine.

    python benchmarks/bench_compile.py [--steps 50] [--device cpu]
"""
from __future__ import annotations

import argparse
import time

import torch
import torch._functorch.config as functorch_config

from pacgan_edu import GANTrainer, Member, preset


def build(compiled: bool, device: str) -> GANTrainer:
    config = preset("lecture", dataset="grid", eval_every=10**9, steps=10**6)
    trainer = GANTrainer(config, members=[Member(p, s) for p in (1, 2, 3, 4) for s in range(10)], device=device)
    if compiled:
        for group in trainer.groups:
            group.generator.forward = torch.compile(group.generator.forward, dynamic=False)
            group.discriminator.forward = torch.compile(group.discriminator.forward, dynamic=False)
    start = time.perf_counter()
    trainer.run(3, progress=False)
    print(f"{'compiled' if compiled else 'eager':8s}: first 3 steps (compilation) {time.perf_counter() - start:.1f} s")
    return trainer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    # the loop takes D's and G's gradients from one graph (retain_graph), which donated buffers forbid
    functorch_config.donated_buffer = False
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}")
    trainers = {"eager": build(False, args.device), "compiled": build(True, args.device)}
    times = {name: [] for name in trainers}
    for _ in range(args.rounds):
        for name, trainer in trainers.items():
            start = time.perf_counter()
            trainer.run(args.steps, progress=False)
            times[name].append((time.perf_counter() - start) / args.steps)
    eager, compiled = min(times["eager"]), min(times["compiled"])
    print(f"eager {eager:.4f} s/step, compiled {compiled:.4f} s/step (best of {args.rounds} x {args.steps} steps): "
          f"compiled is {eager / compiled:.2f}x the speed of eager")


if __name__ == "__main__":
    main()
