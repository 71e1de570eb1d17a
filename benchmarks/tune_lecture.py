"""The search behind the lecture preset (README "How we chose the lecture preset").

Each variant overrides fields of the lecture preset (and optionally the toy architecture),
trains packs x seeds as one ensemble and prints mean ± s.e. of the three metrics per packing
degree at a few checkpoints. Example:

    python benchmarks/tune_lecture.py --dataset grid --seeds 5 --packs 1 2 \
        --variant "lr_generator=1e-3,lr_discriminator=1e-3" --variant "updates=alternating"
"""
from __future__ import annotations

import argparse
import ast
import time

import torch

from pacgan_edu import GANTrainer, preset
from pacgan_edu.models import toy
from pacgan_edu.sweep import summarize


def parse_variant(text: str) -> dict:
    out = {}
    for item in filter(None, text.split(",")):
        key, value = item.split("=", 1)
        try:
            out[key.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            out[key.strip()] = value.strip()
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", default="grid")
    parser.add_argument("--packs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--variant", action="append", default=None,
                        help="comma-separated overrides; arch.FIELD=VALUE changes the lecture architecture")
    args = parser.parse_args()
    base_arch = toy.TOY_ARCHITECTURES["lecture"]
    for text in args.variant or [""]:
        overrides = parse_variant(text)
        arch_changes = {k[5:]: v for k, v in overrides.items() if k.startswith("arch.")}
        config_changes = {k: v for k, v in overrides.items() if not k.startswith("arch.")}
        toy.TOY_ARCHITECTURES["tuning"] = toy.ToyArchitecture(**{**base_arch.as_dict(), **arch_changes})
        config = preset("lecture", dataset=args.dataset, architecture="tuning", **config_changes)
        torch.manual_seed(0)
        start = time.perf_counter()
        trainer = GANTrainer(config, packs=args.packs, seeds=range(args.seeds), device="cpu")
        trainer.run(progress=False)
        wall = time.perf_counter() - start
        print(f"\n=== {args.dataset} variant: {text or '(lecture preset)'}  [{wall:.0f} s, {args.seeds} seeds]")
        steps = sorted({row['step'] for row in trainer.history})
        for step in steps[len(steps) // 4 :: max(1, len(steps) // 4)] + ([steps[-1]] if steps[-1] % max(1, len(steps) // 4) else []):
            rows = [r for r in trainer.history if r["step"] == step]
            for s in summarize(rows):
                print(f"step {step:6d}  m={s['pack']}  modes {s['modes_captured']['mean']:5.1f}±{s['modes_captured']['se']:.1f}"
                      f"  HQ {100 * s['high_quality_fraction']['mean']:5.1f}±{100 * s['high_quality_fraction']['se']:.1f}%"
                      f"  rKL {s['reverse_kl']['mean']:.2f}±{s['reverse_kl']['se']:.2f}")


if __name__ == "__main__":
    main()
