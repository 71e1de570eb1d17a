"""Where one lecture-sweep step spends its time on a CPU, and how far it is from the hardware.

One worker of the toy CLI's split sweep (the lecture nets, m = 1-4 x 5 seeds = 20 members, one
torch thread) is timed three ways, all in this one run:

1. in place, split by phase (data draws, G forward, D forward and loss, the two backward
   passes, Adam, checks) by wrapping the training loop's own methods;
2. its matrix products alone: every bmm/baddbmm of a step (shapes taken from the profiler)
   replayed in isolation — the arithmetic floor at this CPU's matrix speed;
3. the same worker alone and two of them side by side (what the sweep runs), to tell whether the
   two cores are really two (a shared core would halve each worker's speed).

    python benchmarks/bench_step_breakdown.py [--steps 60]

What a 15-minute 40-GAN sweep (30,000 steps, two workers) needs: 30 ms per step per worker.
"""
from __future__ import annotations

import argparse
import collections
import time

import torch
from torch.profiler import ProfilerActivity, profile

from pacgan_edu import GANTrainer, Member, preset
from pacgan_edu.parallel import run_side_by_side

PHASES = {"_batch": "data draws", "_discriminator_losses": "D forward + loss", "_gradients": "backward passes",
          "_all_finite": "finite check", "_scatter": "per-member losses"}
MATMULS = ("aten::bmm", "aten::baddbmm")


def worker(seeds=range(5)) -> GANTrainer:
    config = preset("lecture", dataset="grid", eval_every=10**9, steps=10**6)
    trainer = GANTrainer(config, members=[Member(m, s) for m in (1, 2, 3, 4) for s in seeds], device="cpu")
    trainer.run(5, progress=False)  # warm-up
    return trainer


def timed(trainer: GANTrainer, steps: int) -> float:
    start = time.perf_counter()
    trainer.run(steps, progress=False)
    return (time.perf_counter() - start) / steps


def by_phase(steps: int) -> tuple[dict, float]:
    trainer, spent = worker(), collections.defaultdict(float)

    def wrap(owner, name, label):
        original = getattr(owner, name)

        def timed_call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - start
        setattr(owner, name, timed_call)

    for name, label in PHASES.items():
        wrap(trainer, name, label)
    for group in trainer.groups:
        wrap(group, "fake", "G forward")
    wrap(trainer.optimizer_d, "step", "Adam (D and G)")
    wrap(trainer.optimizer_g, "step", "Adam (D and G)")
    step = timed(trainer, steps)
    return {label: seconds / steps for label, seconds in spent.items()}, step


def matrix_floor(profiled_steps: int = 10) -> tuple[float, float]:
    """Seconds and FLOP of one step's matrix products, each replayed alone on random inputs."""
    trainer = worker()
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        trainer.run(profiled_steps, progress=False)
    calls = collections.Counter()
    for event in prof.events():
        parent = event.cpu_parent
        # count each product once (a baddbmm may run a bmm inside it)
        if event.name in MATMULS and (parent is None or parent.name not in MATMULS):
            calls[(event.name, tuple(tuple(s) for s in event.input_shapes))] += 1
    seconds = flop = 0.0
    for (name, shapes), count in calls.items():
        tensors = [torch.randn(s) for s in shapes if s]
        op = torch.bmm if name == "aten::bmm" else torch.baddbmm
        a, b = tensors[-2], tensors[-1]
        op(*tensors)
        start, repeats = time.perf_counter(), 30
        for _ in range(repeats):
            op(*tensors)
        per_step = count / profiled_steps
        seconds += (time.perf_counter() - start) / repeats * per_step
        flop += 2 * a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2] * per_step
    return seconds, flop


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, one worker = lecture nets, m = 1-4 x 5 seeds (20 members), 1 thread, grid")
    phases, step = by_phase(args.steps)
    print(f"\n1. one step in place: {step * 1e3:.1f} ms")
    for label, seconds in sorted(phases.items(), key=lambda kv: -kv[1]):
        print(f"   {label:20s} {seconds * 1e3:6.1f} ms  {seconds / step:4.0%}")
    rest = step - sum(phases.values())
    print(f"   {'the rest':20s} {rest * 1e3:6.1f} ms  {rest / step:4.0%}")
    seconds, flop = matrix_floor()
    print(f"\n2. its matrix products replayed alone: {seconds * 1e3:.1f} ms ({flop / 1e9:.2f} GFLOP at "
          f"{flop / seconds / 1e9:.0f} GFLOP/s) = {seconds / step:.0%} of the step in place")
    alone = timed(worker(), args.steps)
    pair = [worker(range(5)), worker(range(5, 10))]
    start = time.perf_counter()
    torch.set_num_threads(2)  # run_side_by_side gives each of the two workers one
    run_side_by_side(pair, args.steps, progress=False)
    side = (time.perf_counter() - start) / args.steps
    print(f"\n3. one worker alone {alone * 1e3:.1f} ms/step; two side by side {side * 1e3:.1f} ms/step "
          f"(each {alone / side:.0%} of its speed alone)")
    print(f"   a 40-GAN, 30,000-step sweep at this speed: {30_000 * side / 60:.1f} min of training "
          f"(15 min needs {15 * 60 / 30_000 * 1e3:.0f} ms/step)")


if __name__ == "__main__":
    main()
