"""Merge the JSON histories of ``search_cifar10_collapse.py`` runs (the same setting over different
seeds) into the result shape ``python -m pacgan_edu cifar10 --json`` writes — settings, runs (each
member's last evaluation), summary, history — with the trivial baselines scored by the same judge.

    python benchmarks/merge_cifar10_search.py data/prerecorded/cifar10_stand_in_no_bn_g.json \\
        search_cifar10/no-bn-g-0.json search_cifar10/no-bn-g-4.json \\
        --command "python benchmarks/search_cifar10_collapse.py no-bn-g-0 ..." --command "..." --wall 1540 1519

Runs whose history JSON predates the stored config are rebuilt from ``--steps`` / ``--eval-every``.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from pacgan_edu.presets import TrainConfig
from pacgan_edu.cli.cifar10 import result_settings
from pacgan_edu.report import write_json
from pacgan_edu.sweep import summarize
from pacgan_edu.tasks.cifar10 import METRICS, Cifar10Task, cifar10_preset


def config_of(document: dict, steps: int | None, eval_every: int | None) -> TrainConfig:
    if "config" in document:
        return TrainConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in document["config"].items()})
    if steps is None or eval_every is None:
        raise SystemExit("this history has no stored config: give --steps and --eval-every as the run had them")
    return cifar10_preset("lecture", "stand-in", weak_discriminator=document["weak_discriminator"],
                          long_tail=document["long_tail"], steps=steps, eval_every=eval_every, **document["overrides"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("histories", type=Path, nargs="+")
    parser.add_argument("--command", action="append", default=[], help="the command line of each run, in order")
    parser.add_argument("--wall", type=float, nargs="*", default=[], help="each run's wall seconds, in order")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--eval-every", type=int)
    parser.add_argument("--machine", default="", help="where the runs ran, in words")
    args = parser.parse_args()
    documents = [json.loads(path.read_text()) for path in args.histories]
    configs = [config_of(d, args.steps, args.eval_every) for d in documents]
    if len({json.dumps(c.as_dict(), sort_keys=True, default=str) for c in configs}) != 1:
        raise SystemExit("the runs have different settings: only runs of one setting may be merged")
    config = configs[0]
    history = [row for d in documents for row in d["history"]]
    members = {(r["pack"], r["seed"]) for r in history}
    if len(members) * len({r["step"] for r in history}) != len(history):
        raise SystemExit("the histories overlap or stop at different steps")
    last = max(r["step"] for r in history)
    task = Cifar10Task(config)
    runs = [dict(r, data=task.label) for r in history if r["step"] == last]
    settings = result_settings(task, config, "lecture", sorted({m for m, _ in members}), sorted({s for _, s in members}),
                               torch.device("cpu"), task.baseline_scores(config.eval_samples), last, args.wall,
                               command="cifar10 (benchmarks/search_cifar10_collapse.py runs, merged)",
                               command_lines=args.command or [d.get("command_line", "?") for d in documents],
                               machine=args.machine)
    write_json(args.out, settings, runs, summarize(runs, metrics=METRICS), extra={"history": history})
    print(f"wrote {args.out}: {len(members)} runs, steps 0-{last}")


if __name__ == "__main__":
    main()
