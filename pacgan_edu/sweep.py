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
