"""Stacked MNIST speed: seconds per training step for m = 1..4, and time to N modes.

Prints (1) seconds per training step (one D update + the setting's G updates) for each
packing degree on the chosen device, and (2) for a short run of DCGAN vs PacDCGAN-m trained
together, the ensemble's training time (evaluation excluded) until each GAN first shows
``--target`` modes among ``--eval-samples`` samples. Never part of the test suite. Examples:

    OMP_NUM_THREADS=1 python benchmarks/bench_stacked_mnist.py --preset lecture --steps 10
    python benchmarks/bench_stacked_mnist.py --preset paper --device cuda --target 990 --budget 600
    python benchmarks/bench_stacked_mnist.py --preset paper --device cuda --channels-last --bf16
"""
from __future__ import annotations

import argparse
import time

import torch

from pacgan_edu import GANTrainer
from pacgan_edu.report import environment
from pacgan_edu.tasks.stacked_mnist import SETTINGS, SIZES, gpu_speedups, stacked_mnist_preset


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def build(config, packs, seeds, args) -> GANTrainer:
    with gpu_speedups(channels_last=args.channels_last, bf16=args.bf16):
        return GANTrainer(config, packs=packs, seeds=seeds, device=args.device)


def seconds_per_step(args) -> None:
    # 16 evaluation samples: run() evaluates once at its end, which must not dominate the timing
    config = stacked_mnist_preset(args.setting, args.preset, eval_samples=16, eval_every=10**9)
    print(f"\n(1) seconds per training step, {args.setting} / {args.preset}: batch {config.batch_size} packs, "
          f"{config.generator_steps} G update(s) per D update; median of {args.repeats} x {args.steps} steps")
    for m in args.packs:
        trainer = build(config, [m], [0], args)
        trainer.run(args.warmup, progress=False)  # first steps allocate memory / pick kernels
        times = []
        for _ in range(args.repeats):
            synchronize(trainer.device)
            start = time.perf_counter()
            trainer.run(args.steps, progress=False)
            synchronize(trainer.device)
            times.append((time.perf_counter() - start) / args.steps)
        times.sort()
        print(f"  m = {m}: {times[len(times) // 2]:.4f} s/step  (min {times[0]:.4f}, max {times[-1]:.4f}) "
              f"on {trainer.device}")


def time_to_modes(args) -> None:
    config = stacked_mnist_preset(args.setting, args.preset, eval_samples=args.eval_samples, eval_every=10**9,
                                  steps=10**9)
    packs = [1, args.duel_pack]
    trainer = build(config, packs, list(range(args.seeds)), args)
    print(f"\n(2) time to {args.target} modes among {args.eval_samples:,} samples: training time of the whole "
          f"ensemble (m = 1 and m = {args.duel_pack} train together; evaluations every {args.check_every} steps "
          f"excluded), budget {args.budget:.0f} s, {args.seeds} seed(s), on {trainer.device}")
    reached: dict[int, tuple[float, int, int]] = {}
    clock = {"train": 0.0, "since": time.perf_counter()}

    def check(snapshot) -> None:
        synchronize(trainer.device)
        clock["train"] += time.perf_counter() - clock["since"]
        results = trainer.task.modes(trainer.generate())
        line = []
        for i, (member, result) in enumerate(zip(trainer.members, results)):
            if i not in reached and result.modes_captured >= args.target:
                reached[i] = (clock["train"], snapshot.step, result.modes_captured)
            line.append(f"m={member.pack} s{member.seed}: {result.modes_captured} ({result.kl_to_uniform:.2f})")
        print(f"  step {snapshot.step:6d}, {clock['train']:7.1f} s: " + "; ".join(line), flush=True)
        if len(reached) == len(trainer.members) or clock["train"] >= args.budget:
            trainer.request_stop()
        clock["since"] = time.perf_counter()

    trainer.run(10**9, callback=check, callback_every=args.check_every, progress=False)
    for i, member in enumerate(trainer.members):
        if i in reached:
            seconds, step, modes = reached[i]
            print(f"  m = {member.pack}, seed {member.seed}: {modes} modes after {seconds:.1f} s ({step} steps)")
        else:
            print(f"  m = {member.pack}, seed {member.seed}: fewer than {args.target} modes within "
                  f"{clock['train']:.0f} s of training ({trainer.step} steps)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setting", choices=SETTINGS, default="veegan")
    parser.add_argument("--preset", choices=SIZES, default="lecture")
    parser.add_argument("--packs", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--steps", type=int, default=10, help="timed steps per repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--bf16", action="store_true")
    parser.add_argument("--target", type=int, default=500, help="modes to reach (GPU, paper preset: 990)")
    parser.add_argument("--eval-samples", type=int, default=5000)
    parser.add_argument("--check-every", type=int, default=250)
    parser.add_argument("--budget", type=float, default=300.0, help="training seconds before giving up")
    parser.add_argument("--duel-pack", type=int, default=2, help="m of the PacDCGAN raced against m = 1")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--skip-modes", action="store_true", help="only measure seconds per step")
    args = parser.parse_args()
    print("environment:", environment())
    seconds_per_step(args)
    if not args.skip_modes:
        time_to_modes(args)


if __name__ == "__main__":
    main()
