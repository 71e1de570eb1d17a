"""``python -m pacgan_edu toy``: the Table 1 sweep on 2D mixtures, as one vectorized ensemble."""
from __future__ import annotations

import argparse
import shlex
import sys
import time

import numpy as np

from .common import add_remedy_arguments, add_sweep_arguments, remedy_options, validate_sweep
from ..data.mixtures import MIXTURES
from ..metrics import EVAL_SAMPLES, NULL_BASELINE_DRAWS, baseline_region, beats_baseline, null_baselines
from ..models.toy import toy_architecture
from ..paper_results import table1_row
from ..presets import MATMUL_PRECISIONS, PRESETS, preset
from ..remedies import REMEDIES
from ..remedies.adagan import train_adagan
from ..report import environment, format_paired, format_table, write_json
from ..sweep import summarize
from ..table1 import first_seed_samples
from ..parallel import train_split

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
    p.add_argument("--workers", type=workers_argument, default="auto",
                   help="train the seeds as this many ensembles side by side, one CPU core each "
                        "(auto: one per core on a CPU for long runs, 1 on a GPU)")
    p.add_argument("--matmul-precision", choices=MATMUL_PRECISIONS, default=None,
                   help="the training step's matrix products (default: the preset's; the lecture preset's "
                        "'auto' is bfloat16 on a CPU with native bfloat16 — faster, but not bit-for-bit "
                        "reproducible from run to run; float32 is)")
    add_remedy_arguments(p)
    p.set_defaults(run=run)


def workers_argument(text: str):
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 'auto' or an integer >= 1, got {text!r}")
    return value


def run_label(dataset: str, remedy: str) -> str:
    """Key of one (dataset, remedy) in the JSON's per-run dicts: the dataset alone for the plain GAN."""
    return dataset if remedy == "none" else f"{dataset} {remedy}"


def train_remedy(config, packs, seeds, device="auto", progress=None, workers="auto") -> list:
    """The trained ensembles of ``config`` in seed order: GANTrainers (split over ``workers``
    cores, :mod:`pacgan_edu.parallel`), or one AdaGAN run (components in sequence)."""
    if config.remedy == "adagan":
        return [train_adagan(config, packs, seeds, device=device, progress=progress)]
    return train_split(config, packs, seeds, workers=workers, device=device, progress=progress)


def run(args, parser) -> int:
    validate_sweep(args, parser, positive=("seeds", "steps"))
    options = remedy_options(args, parser)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    packs = sorted(set(args.pack))
    runs, wall, configs, baselines, history, samples, ensembles = [], {}, {}, {}, [], {}, {}
    for dataset in args.dataset:
        for remedy in args.remedy:
            overrides = {"dataset": dataset, "remedy": remedy, "remedy_options": options if remedy != "none" else {}}
            if args.loss:
                overrides["loss"] = args.loss
            if args.steps:
                overrides["steps"] = args.steps
            if args.matmul_precision:
                overrides["matmul_precision"] = args.matmul_precision
            config = preset(args.preset, **overrides)
            label = run_label(dataset, remedy)
            # the sizes too: an architecture's name alone does not pin it down if the preset changes
            configs[label] = {**config.as_dict(), "architecture_sizes": toy_architecture(config.architecture).as_dict()}
            start = time.perf_counter()
            trainers = train_remedy(config, packs, seeds, args.device, args.progress, args.workers)
            wall[label] = round(time.perf_counter() - start, 2)
            configs[label]["matmul_precision_used"] = trainers[0].matmul_precision  # "auto" resolved here
            new_runs = []
            for trainer in trainers:
                if trainer.stopped_reason:
                    print(f"warning: {label} training stopped early ({trainer.stopped_reason}) at step {trainer.step}")
                if args.checkpoint:  # one file per dataset and remedy (and per ensemble when split)
                    seeds = [m.seed for m in trainer.members]
                    part = "" if len(trainers) == 1 else f".seeds{min(seeds)}-{max(seeds)}"
                    trainer.save(f"{args.checkpoint}.{label.replace(' ', '.')}{part}.pt")
                for row in trainer.results():
                    row["stopped_reason"] = trainer.stopped_reason
                    row["seconds_per_step"] = round(wall[label] / max(trainer.step, 1), 6)
                    new_runs.append(row)
                history += trainer.history
            runs += new_runs
            ensembles[label] = len(trainers)
            samples[label] = {key: np.round(value, 4).tolist() for key, value in first_seed_samples(trainers[0]).items()}
            print_table(dataset, new_runs, args.preset, config.steps, wall[label], describe_device(trainers),
                        eval_samples=config.eval_samples, remedy=remedy)
        baselines[dataset] = baselines_json(dataset, config.eval_samples)
    if args.json:
        settings = {"command": "toy", "command_line": "python -m pacgan_edu " + shlex.join(getattr(args, "argv", None) or sys.argv[1:]),
                    "preset": args.preset, "datasets": args.dataset, "remedies": args.remedy, "packs": packs,
                    "seeds": seeds, "device": args.device, "configs": configs, "wall_seconds": wall,
                    "parallel_ensembles": ensembles,
                    "environment": environment()}
        summary = summarize(runs, by=("dataset", "remedy", "pack"))
        write_json(args.json, settings, runs, summary,
                   extra={"baselines": baselines, "history": history, "samples": samples})
        print(f"wrote {args.json}")
    return 0


def describe_device(trainers) -> str:
    """E.g. "cpu" or "cpu, 2 ensembles side by side" for the table's title."""
    device = str(trainers[0].device)
    if trainers[0].matmul_precision == "bfloat16":
        device += " (bfloat16 products)"
    return device if len(trainers) == 1 else f"{device}, {len(trainers)} ensembles side by side"


def baselines_json(dataset: str, eval_samples: int = EVAL_SAMPLES) -> dict:
    """The JSON's ``baselines[dataset]``: {"uniform"|"real": {metric: {"mean", "se"}}} on
    ``eval_samples`` samples, and how they were made (samples, draws, seed, region)."""
    found = null_baselines(dataset, n=eval_samples)
    out = {which: {metric: {"mean": v["mean"], "se": v["se"]} for metric, v in found[which].items()}
           for which, _ in BASELINE_ROWS}
    return {**out, "samples": eval_samples, "draws": NULL_BASELINE_DRAWS, "seed": 0,
            "region": baseline_region(dataset)["description"]}


def print_table(dataset, runs, preset_name, steps, seconds, device, eval_samples: int = EVAL_SAMPLES,
                remedy: str = "none") -> None:
    """The Table-1-style table of one dataset's per-seed ``runs`` (mean ± s.e. per m) beside the
    paper's and the null baselines (uniform over the data's extent, real samples; on
    ``eval_samples`` samples, the runs' own), then one line per m saying which metrics beat the
    uniform baseline beyond noise, then each m's paired difference to m = 1 when there are
    several seeds."""
    n_seeds = len({r["seed"] for r in runs})
    rows, summary = [], summarize(runs)
    for s in summary:
        if remedy == "none":
            label = "GAN (m=1)" if s["pack"] == 1 else f"PacGAN{s['pack']}"
        else:
            label = f"{REMEDIES[remedy].title} (m={s['pack']})"
        rows.append({"label": label, "ours": s, "paper": table1_row(dataset, s["pack"]) if remedy == "none" else None})
    baselines = null_baselines(dataset, n=eval_samples) if dataset in MIXTURES else None
    if baselines:
        rows += [{"label": label, "ours": baselines[which], "paper": None} for which, label in BASELINE_ROWS]
    modes = {"ring": 8, "grid": 25}.get(dataset, "?")
    what = "" if remedy == "none" else f", remedy {remedy}"
    title = (f"\n{dataset} ({modes} modes){what} — preset {preset_name}, {steps} steps, {n_seeds} seeds, "
             f"{seconds:.0f} s on {device}; mean ± s.e. over seeds (baselines: over "
             f"{NULL_BASELINE_DRAWS} draws of {eval_samples:,} samples)")
    print(format_table(title, rows, COLUMNS))
    if baselines:
        print(format_beats(summary, baselines["uniform"]))
    if n_seeds > 1 and len(summary) > 1:
        print(format_paired(runs, COLUMNS))


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

