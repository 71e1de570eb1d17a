"""``python -m pacgan_edu toy``: the Table 1 sweep on 2D mixtures, as one vectorized ensemble."""
from __future__ import annotations

import shlex
import sys
import time

import numpy as np

from .cli_common import add_sweep_arguments, validate_sweep
from .data.mixtures import MIXTURES
from .metrics import EVAL_SAMPLES, NULL_BASELINE_DRAWS, baseline_region, beats_baseline, null_baselines
from .models.toy import toy_architecture
from .paper_results import table1_row
from .presets import PRESETS, preset
from .report import environment, format_table, write_json
from .sweep import paired_differences, summarize
from .table1 import first_seed_samples
from .train import GANTrainer

COLUMNS = [("modes_captured", "modes", 1.0, 1), ("high_quality_fraction", "HQ %", 100.0, 1), ("reverse_kl", "rev. KL", 1.0, 2)]
BASELINE_ROWS = [("uniform", "uniform (extent)"), ("real", "real samples")]  # null_baselines key, table label


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("toy", help="2D mixtures: packing degrees x seeds, Table 1 of the paper",
                              description="Train every (dataset, packing degree, seed) as one vectorized "
                                          "ensemble and print modes captured / high-quality % / reverse KL "
                                          "(mean ± s.e. over seeds) beside the paper's Table 1. --checkpoint PATH "
                                          "writes one file per dataset, PATH.DATASET.pt.")
    p.add_argument("--dataset", nargs="+", choices=sorted(MIXTURES), default=["grid"])
    add_sweep_arguments(p, seeds=10, presets=PRESETS, preset="lecture")
    p.add_argument("--steps", type=int, default=None, help="override the preset's number of steps")
    p.set_defaults(run=run)


def run(args, parser) -> int:
    validate_sweep(args, parser, positive=("seeds", "steps"))
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    packs = sorted(set(args.pack))
    runs, wall, configs, baselines, history, samples = [], {}, {}, {}, [], {}
    for dataset in args.dataset:
        overrides = {"dataset": dataset}
        if args.loss:
            overrides["loss"] = args.loss
        if args.steps:
            overrides["steps"] = args.steps
        config = preset(args.preset, **overrides)
        # the sizes too: an architecture's name alone does not pin it down if the preset changes
        configs[dataset] = {**config.as_dict(), "architecture_sizes": toy_architecture(config.architecture).as_dict()}
        start = time.perf_counter()
        trainer = GANTrainer(config, packs=packs, seeds=seeds, device=args.device)
        trainer.run(progress=args.progress)
        wall[dataset] = round(time.perf_counter() - start, 2)
        if trainer.stopped_reason:
            print(f"warning: {dataset} training stopped early ({trainer.stopped_reason}) at step {trainer.step}")
        if args.checkpoint:
            trainer.save(f"{args.checkpoint}.{dataset}.pt")  # one file per dataset
        for row in trainer.results():
            row["stopped_reason"] = trainer.stopped_reason
            runs.append(row)
        history += trainer.history
        samples[dataset] = {key: np.round(value, 4).tolist() for key, value in first_seed_samples(trainer).items()}
        print_table(dataset, [r for r in runs if r["dataset"] == dataset], args.preset, config.steps, wall[dataset],
                    str(trainer.device), eval_samples=config.eval_samples)
        baselines[dataset] = baselines_json(dataset, config.eval_samples)
    if args.json:
        settings = {"command": "toy", "command_line": "python -m pacgan_edu " + shlex.join(sys.argv[1:]),
                    "preset": args.preset, "datasets": args.dataset, "packs": packs, "seeds": seeds,
                    "device": args.device, "configs": configs, "wall_seconds": wall, "environment": environment()}
        write_json(args.json, settings, runs, extra={"baselines": baselines, "history": history, "samples": samples})
        print(f"wrote {args.json}")
    return 0


def baselines_json(dataset: str, eval_samples: int = EVAL_SAMPLES) -> dict:
    """The JSON's ``baselines[dataset]``: {"uniform"|"real": {metric: {"mean", "se"}}} on
    ``eval_samples`` samples, and how they were made (samples, draws, seed, region)."""
    found = null_baselines(dataset, n=eval_samples)
    out = {which: {metric: {"mean": v["mean"], "se": v["se"]} for metric, v in found[which].items()}
           for which, _ in BASELINE_ROWS}
    return {**out, "samples": eval_samples, "draws": NULL_BASELINE_DRAWS, "seed": 0,
            "region": baseline_region(dataset)["description"]}


def print_table(dataset, runs, preset_name, steps, seconds, device, eval_samples: int = EVAL_SAMPLES) -> None:
    """The Table-1-style table of one dataset's per-seed ``runs`` (mean ± s.e. per m) beside the
    paper's and the null baselines (uniform over the data's extent, real samples; on
    ``eval_samples`` samples, the runs' own), then one line per m saying which metrics beat the
    uniform baseline beyond noise, then each m's paired difference to m = 1 when there are
    several seeds."""
    n_seeds = len({r["seed"] for r in runs})
    rows, summary = [], summarize(runs)
    for s in summary:
        label = "GAN (m=1)" if s["pack"] == 1 else f"PacGAN{s['pack']}"
        rows.append({"label": label, "ours": s, "paper": table1_row(dataset, s["pack"])})
    baselines = null_baselines(dataset, n=eval_samples) if dataset in MIXTURES else None
    if baselines:
        rows += [{"label": label, "ours": baselines[which], "paper": None} for which, label in BASELINE_ROWS]
    modes = {"ring": 8, "grid": 25}.get(dataset, "?")
    title = (f"\n{dataset} ({modes} modes) — preset {preset_name}, {steps} steps, {n_seeds} seeds, "
             f"{seconds:.0f} s on {device}; mean ± s.e. over seeds (baselines: over "
             f"{NULL_BASELINE_DRAWS} draws of {eval_samples:,} samples)")
    print(format_table(title, rows, COLUMNS))
    if baselines:
        print(format_beats(summary, baselines["uniform"]))
    if n_seeds > 1:
        print(format_paired(runs))


def format_beats(summary, uniform) -> str:
    """One line per m: does each metric beat the uniform baseline beyond noise (better by more
    than 2 × the combined s.e.; higher modes and HQ %, lower reverse KL)?"""
    lines = ["vs uniform over the data's extent (beats = better by > 2 combined s.e.):"]
    for s in summary:
        parts = []
        for name, label, _, _ in COLUMNS:
            beats = beats_baseline(s[name]["mean"], s[name]["se"], uniform[name], name)
            parts.append(f"{label} {'beats' if beats else 'does not beat'}")
        lines.append(f"  m = {s['pack']}: " + ", ".join(parts))
    return "\n".join(lines)


def format_paired(runs) -> str:
    """One line per m: the same seed's m-run minus its m = 1 run, mean ± s.e. over seeds."""
    lines = ["paired by seed, m minus m = 1 (mean ± s.e.; beyond noise where |mean| > 2 s.e.):"]
    per_metric = {name: {d["pack"]: d for d in paired_differences(runs, name)} for name, *_ in COLUMNS}
    for pack in sorted(per_metric[COLUMNS[0][0]]):
        parts = []
        for name, label, scale, digits in COLUMNS:
            d = per_metric[name][pack]
            parts.append(f"{label} {scale * d['mean']:+.{digits}f} ± {scale * d['se']:.{digits}f}")
        lines.append(f"  m = {pack}: " + ", ".join(parts))
    return "\n".join(lines)
