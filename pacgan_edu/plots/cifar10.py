"""Figures of notebook 07: the data's classes, samples per packing degree, class histograms.
Every title carries the data's label, so a figure made from the stand-in says so."""
from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure

from ..sweep import mean_se
from ..tasks.cifar10_metrics import coverage_thresholds
from .images import figure_sample_grids
from .style import NEUTRAL, apply_style, pack_colour


def to_images(uint8_images) -> torch.Tensor:
    return torch.as_tensor(np.asarray(uint8_images)).float() / 127.5 - 1


def plot_class_examples(data, per_class: int = 8) -> Figure:
    """``per_class`` training images of every class, one row per class."""
    rows = []
    for label in range(len(data.classes)):
        rows.append(data.train_images[np.flatnonzero(data.train_labels == label)[:per_class]])
    images = to_images(np.concatenate(rows))
    return figure_sample_grids([("rows: " + ", ".join(data.classes), images, "real")], rows=len(data.classes),
                               cols=per_class, suptitle=f"{data.label}: {per_class} training images per class",
                               panel_size=6)


def plot_class_histograms(runs, classes, label: str, real_shares=None) -> Figure:
    """Share of generated samples per predicted class, mean ± s.e. over seeds, one bar group per
    class and one colour per packing degree; the real test set's shares as a line."""
    apply_style()
    packs = sorted({r["pack"] for r in runs})
    fig = Figure(figsize=(12, 5.2), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / len(packs)
    x = np.arange(len(classes))
    for i, m in enumerate(packs):
        shares = np.array([r["class_shares"] for r in runs if r["pack"] == m]) * 100
        stats = [mean_se(shares[:, c]) for c in range(len(classes))]
        ax.bar(x - 0.4 + (i + 0.5) * width, [s["mean"] for s in stats], width, yerr=[s["se"] for s in stats],
               color=pack_colour(m), capsize=2, label=f"m = {m} ({len(shares)} seeds)")
    edges = np.arange(len(classes) + 1) - 0.5
    if real_shares is not None:
        real = np.asarray(real_shares, dtype=float) * 100
        ax.step(edges, list(real) + [real[-1]], where="post", color=NEUTRAL, ls="--", lw=1.5, label="real test set")
    threshold = coverage_thresholds(real_shares, len(classes)).numpy() * 100
    ax.step(edges, list(threshold) + [threshold[-1]], where="post", color=NEUTRAL, ls=":", lw=1,
            label="half the real share: the 'covered' threshold")
    ax.set_xticks(x)
    ax.set_xticklabels(classes, rotation=20)
    ax.set_ylabel("share of generated samples (%)")
    ax.set_title(f"{label}: which classes the generators produce (classifier's verdict, mean ± s.e.)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=10, ncol=len(packs) + 2, frameon=False)
    return fig


def plot_class_curves(history, label: str, baselines=(), metric: str = "kl_to_uniform") -> Figure:
    """``metric`` of the class histogram against training step per packing degree (one thin line
    per seed, mean ± s.e.), with the trivial generators' scores (``Cifar10Task.baseline_scores``)
    as dashed lines: a GAN below "flat colours" has not beaten colours without shapes."""
    from .results import plot_metric_curves
    lines = {f"baseline: {b['label']}": b[metric] for b in baselines if b["label"] != "pixel noise"}
    name = metric.replace("_", " ").replace("kl", "KL").replace("js", "JS")
    fig = plot_metric_curves(history, metric, title=f"{label}:\n{name} during training", reference_lines=lines)
    fig.set_size_inches(9.5, 5.6)
    (ax,) = fig.axes
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=10, frameon=False)
    return fig
