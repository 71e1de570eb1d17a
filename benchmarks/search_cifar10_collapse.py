"""Search for a collapse-prone CIFAR-10 (stand-in) setting: m = 1 vs m = 2 (``--packs``) over seeds, scored often.

Trains the lecture nets with the given preset overrides, evaluates every ``--eval-every`` steps,
prints classes covered and KL to uniform per run and the paired-by-seed difference, and saves a
checkpoint and a JSON history after every evaluation (rerun the same command to resume).

    python benchmarks/search_cifar10_collapse.py weak-d --weak-discriminator --steps 3000
    python benchmarks/search_cifar10_collapse.py g-twice --set generator_steps=2 --steps 1000
    python benchmarks/search_cifar10_collapse.py long-tail --long-tail --steps 1500

README "CIFAR-10" lists what these found (one thread per run, two runs side by side on the 2-core box).
``benchmarks/merge_cifar10_search.py`` merges the JSON of runs over different seeds into the CLI's
result shape (as ``data/prerecorded/cifar10_stand_in_no_bn_g.json`` was made).
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

from pacgan_edu import GANTrainer
from pacgan_edu.files import atomic_write_bytes
from pacgan_edu.report import format_paired
from pacgan_edu.tasks.cifar10 import cifar10_preset
from pacgan_edu.tasks.cifar10_table import COLUMNS as TABLE_COLUMNS

COLUMNS = [c for c in TABLE_COLUMNS if c[0] in ("classes_covered", "kl_to_uniform", "js_to_real", "precision")]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="names the checkpoint and JSON in --out")
    parser.add_argument("--weak-discriminator", action="store_true")
    parser.add_argument("--long-tail", action="store_true", help="the long-tailed (10:1) subset of the stand-in")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=JSON", help="a TrainConfig override")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--packs", type=int, nargs="+", default=[1, 2], help="packing degrees (m = 1 is always added: the others are paired with it)")
    parser.add_argument("--out", type=Path, default=Path("search_cifar10"))
    args = parser.parse_args()
    overrides = {field: json.loads(value) for field, value in (item.split("=", 1) for item in args.set)}
    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint, history = args.out / f"{args.name}.pt", args.out / f"{args.name}.json"
    if checkpoint.exists():
        trainer = GANTrainer.load(checkpoint, device="cpu")
        print(f"resumed at step {trainer.step}")
    else:
        config = cifar10_preset("lecture", "stand-in", weak_discriminator=args.weak_discriminator,
                                long_tail=args.long_tail, steps=args.steps, eval_every=args.eval_every, **overrides)
        trainer = GANTrainer(config, packs=sorted(set(args.packs) | {1}), seeds=list(range(args.first_seed, args.first_seed + args.seeds)), device="cpu")
    start = time.perf_counter()
    while trainer.step < args.steps:
        trainer.run(min(args.eval_every, args.steps - trainer.step), progress=False)
        runs = trainer.results()
        print(f"\nstep {trainer.step} ({time.perf_counter() - start:.0f} s)")
        for r in runs:
            print(f"  m = {r['pack']}, seed {r['seed']}: " + ", ".join(f"{label} {r[name]:.2f}" for name, label, _, _ in COLUMNS))
        print(format_paired(runs, COLUMNS))
        trainer.save(checkpoint)
        document = {"overrides": overrides, "weak_discriminator": args.weak_discriminator,
                    "long_tail": args.long_tail, "config": trainer.config.as_dict(),
                    "command_line": "python benchmarks/search_cifar10_collapse.py " + shlex.join(sys.argv[1:]),
                    "history": trainer.history}
        atomic_write_bytes(history, json.dumps(document, default=str).encode())


if __name__ == "__main__":
    main()
