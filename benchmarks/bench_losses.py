"""The loss comparison of notebook 04: one vectorized ensemble per loss vs the same GANs run one by one.

For every loss, trains packs × seeds (default m ∈ {1, 2} × 3 seeds on the ring, lecture
architecture) for a few steps twice: as ONE ``GANTrainer`` ensemble (what
``loss_study.compare_losses`` does), and as sequential lone runs, one ``GANTrainer`` per
member, and prints the wall-clock speed-up. (That the two are the same GANs is tested in
``tests/test_loss_training.py``; over many steps float rounding, which differs between a batched
and a single matrix product, grows chaotically, so long runs agree only statistically.)
Run (one thread, like the tests):

    OMP_NUM_THREADS=1 python benchmarks/bench_losses.py [--steps 40] [--seeds 3] [--device cpu]
"""
from __future__ import annotations

import argparse
import time

import torch

from pacgan_edu import GANTrainer, Member, preset

LOSSES = ["mm", "ns", "mm-nsat", "wgan-gp", "lsgan", "hinge"]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--losses", nargs="+", default=LOSSES)
    parser.add_argument("--dataset", default="ring")
    parser.add_argument("--packs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--preset", default="lecture")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    members = [Member(p, s) for p in args.packs for s in range(args.seeds)]
    print(f"{len(members)} GANs per loss (m ∈ {args.packs} × {args.seeds} seeds), {args.dataset}, preset "
          f"{args.preset}, {args.steps} generator steps, device {args.device}, torch threads {torch.get_num_threads()}")
    total_ensemble = total_lone = 0.0
    for loss in args.losses:
        # evaluation only at the end, so both sides time training
        config = preset(args.preset, dataset=args.dataset, loss=loss, steps=args.steps, eval_every=10 ** 6)
        ensemble = GANTrainer(config, members=members, device=args.device)
        t_ensemble = timed(lambda: ensemble.run(progress=False))
        lone_runs = [GANTrainer(config, members=[m], device=args.device) for m in members]
        t_lone = timed(lambda: [r.run(progress=False) for r in lone_runs])
        total_ensemble += t_ensemble
        total_lone += t_lone
        print(f"  {loss:8} ensemble {t_ensemble:6.1f} s   one by one {t_lone:6.1f} s   speed-up {t_lone / t_ensemble:4.1f}×")
    print(f"all losses: ensemble {total_ensemble:.1f} s, one by one {total_lone:.1f} s, "
          f"speed-up {total_lone / total_ensemble:.1f}× (measured in this one run)")


if __name__ == "__main__":
    main()
