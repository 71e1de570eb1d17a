"""Sweeps over packing degrees and seeds: summaries (mean ± standard error) and paper tables."""
from __future__ import annotations

import math
from collections import defaultdict

DEFAULT_METRICS = ("modes_captured", "high_quality_fraction", "reverse_kl")


def mean_se(values) -> dict:
    """Mean and standard error of the mean (sample std / sqrt(n); 0 for a single value)."""
    values = [float(v) for v in values]
    n = len(values)
    if n == 0:
        return {"mean": math.nan, "se": math.nan, "n": 0}
    mean = sum(values) / n
    if n == 1:
        return {"mean": mean, "se": 0.0, "n": 1}
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return {"mean": mean, "se": math.sqrt(var / n), "n": n}


def summarize(runs, metrics=DEFAULT_METRICS, by=("dataset", "pack")) -> list[dict]:
    """Group per-seed rows by ``by`` and give each metric's mean ± s.e. over the seeds."""
    groups = defaultdict(list)
    for row in runs:
        groups[tuple(row[k] for k in by)].append(row)
    out = []
    for key in sorted(groups):
        rows = groups[key]
        entry = dict(zip(by, key))
        entry["seeds"] = len(rows)
        for name in metrics:
            entry[name] = mean_se([r[name] for r in rows])
        out.append(entry)
    return out


def paired_differences(runs, metric: str, baseline_pack: int = 1, by=("dataset",)) -> list[dict]:
    """Per group (``by``) and packing degree m, mean ± s.e. over seeds of (run with m) − (run
    with ``baseline_pack``, same seed): the two runs of a seed share G's initial weights, so the
    seed-to-seed spread cancels and this is the fair test of "packing changed the metric".
    Seeds missing either run are left out.

    ``verdict``: "clear" if |mean| > 2 s.e. with at least 3 seeds, "within noise" otherwise,
    "too few seeds" below 3 (two seeds cannot estimate a spread honestly).
    """
    by_group = defaultdict(dict)  # (group key, pack) -> {seed: value}
    for r in runs:
        by_group[(tuple(r[k] for k in by), r["pack"])][r["seed"]] = float(r[metric])
    out = []
    for (key, pack), values in sorted(by_group.items()):
        baseline = by_group.get((key, baseline_pack), {})
        diffs = [value - baseline[seed] for seed, value in sorted(values.items()) if seed in baseline]
        if pack == baseline_pack or not diffs:
            continue
        stats = mean_se(diffs)
        if stats["n"] < 3:
            verdict = "too few seeds"
        else:
            verdict = "clear" if abs(stats["mean"]) > 2 * stats["se"] else "within noise"
        out.append({**dict(zip(by, key)), "pack": pack, "baseline_pack": baseline_pack, "metric": metric,
                    **stats, "verdict": verdict})
    return out
