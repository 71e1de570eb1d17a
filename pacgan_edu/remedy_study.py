"""Notebook 05's comparison, read back: every remedy beside the plain GAN and PacGAN2, paired by
seed against the plain GAN, with the null baselines and each run's time per step.

The runs come from ``python -m pacgan_edu remedies`` (one ``toy`` JSON per dataset and remedy).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

from .remedies import REMEDIES
from .sweep import mean_se

METRICS = ("modes_captured", "high_quality_fraction", "reverse_kl")


@dataclass
class Comparison:
    dataset: str
    runs: list            # per-seed rows of every remedy (``remedy``, ``pack``, ``seed``, metrics)
    history: list         # their evaluations over training
    samples: dict         # "remedy m=PACK" -> first seed's samples (n, 2)
    seconds_per_step: dict  # "remedy m=PACK" -> wall seconds per step of that run (its whole ensemble)
    baselines: dict       # {"uniform"|"real": {metric: {mean, se}}}
    settings: dict        # remedy -> that run's settings (command line, machine, steps)


def row_label(remedy: str, pack: int) -> str:
    if remedy == "none":
        return "GAN" if pack == 1 else f"PacGAN{pack}"
    title = REMEDIES[remedy].title
    return title if pack == 1 else f"{title}, m = {pack}"


def load_comparison(folder: str, dataset: str) -> Comparison:
    """Every ``{dataset}_{remedy}.json`` in ``folder`` (missing remedies are simply absent)."""
    runs, history, samples, speed, settings, baselines = [], [], {}, {}, {}, {}
    for remedy in REMEDIES:
        path = os.path.join(folder, f"{dataset}_{remedy}.json")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            document = json.load(f)
        runs += document["runs"]
        history += document.get("history", [])
        label = dataset if remedy == "none" else f"{dataset} {remedy}"
        for key, value in document.get("samples", {}).get(label, {}).items():
            samples[f"{remedy} {key}"] = value
        steps = document["settings"]["configs"][label]["steps"]
        for pack in document["settings"]["packs"]:
            speed[f"{remedy} m={pack}"] = document["settings"]["wall_seconds"][label] / steps
        settings[remedy] = document["settings"]
        baselines = document.get("baselines", {}).get(dataset, baselines)
    return Comparison(dataset, runs, history, samples, speed, baselines, settings)


def comparison_rows(comparison: Comparison) -> list[dict]:
    """One row per (remedy, m): mean ± s.e. over seeds, and paired by seed minus the plain GAN."""
    plain = {r["seed"]: r for r in comparison.runs if r["remedy"] == "none" and r["pack"] == 1}
    keys = sorted({(r["remedy"], r["pack"]) for r in comparison.runs},
                  key=lambda k: (list(REMEDIES).index(k[0]), k[1]))
    rows = []
    for remedy, pack in keys:
        mine = [r for r in comparison.runs if r["remedy"] == remedy and r["pack"] == pack]
        row = {"remedy": remedy, "pack": pack, "label": row_label(remedy, pack), "seeds": len(mine)}
        for metric in METRICS:
            row[metric] = mean_se([r[metric] for r in mine])
            paired = [r[metric] - plain[r["seed"]][metric] for r in mine if r["seed"] in plain]
            row[f"{metric}_vs_gan"] = mean_se(paired) if (remedy, pack) != ("none", 1) and paired else None
        rows.append(row)
    return rows


def print_comparison(comparison: Comparison) -> None:
    rows = comparison_rows(comparison)
    if not rows:
        print(f"no runs for {comparison.dataset}")
        return
    n = max(r["seeds"] for r in rows)
    print(f"\n{comparison.dataset}: mean ± s.e. over {n} seeds; Δ = paired by seed, minus the plain GAN")
    print(f"{'':34s} {'modes':>12s} {'HQ %':>12s} {'rev. KL':>12s} {'Δ modes':>12s} {'Δ rev. KL':>13s}")
    for r in rows:
        def cell(metric, scale=1.0, digits=1):
            v = r[metric]
            return f"{v['mean'] * scale:.{digits}f} ± {v['se'] * scale:.{digits}f}"

        def delta(metric, digits):
            v = r[f"{metric}_vs_gan"]
            return "—" if v is None else f"{v['mean']:+.{digits}f} ± {v['se']:.{digits}f}"
        print(f"{r['label']:34s} {cell('modes_captured'):>12s} {cell('high_quality_fraction', 100):>12s} "
              f"{cell('reverse_kl', 1, 2):>12s} {delta('modes_captured', 1):>12s} {delta('reverse_kl', 2):>13s}")
    for which, label in (("uniform", "uniform over the extent (baseline)"), ("real", "real samples (baseline)")):
        b = comparison.baselines.get(which)
        if b:
            print(f"{label:34s} {b['modes_captured']['mean']:>12.1f} {100 * b['high_quality_fraction']['mean']:>12.1f} "
                  f"{b['reverse_kl']['mean']:>12.2f}")
