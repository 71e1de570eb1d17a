"""Figures of results: samples against the target, coverage per packing degree, curves over
training, and our Table 1 beside the PacGAN paper's (Lin, Khetan, Fanti, Oh, NeurIPS 2018).

Coverage bars and the Table 1 figure also draw the null baselines of
:func:`pacgan_edu.metrics.null_baselines` as horizontal bands (mean ± 2 s.e. over draws, on
``eval_samples`` samples — pass the runs' own): a generator uniform over the data's extent
(grey, hatched: what a score must beat to mean anything) and real samples (green: the ceiling).

Every function returns a ``matplotlib.figure.Figure`` built without pyplot. Inputs are the
library's plain rows: per-seed rows from ``GANTrainer.results()`` / ``.history`` (keys
``dataset, pack, seed, step`` and the metrics) or ``sweep.summarize`` rows. Error bars are
mean ± standard error over seeds, and every title says how many seeds.
"""
from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import torch
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from ..data.mixtures import MIXTURES, mixture as named_mixture
from ..metrics import EVAL_SAMPLES, HIGH_QUALITY_STDS, mixture_metrics, null_baselines, uniform_baseline_samples
from ..paper_results import table1_row
from ..probes import view_extent
from ..sweep import mean_se, summarize
from .style import GENERATED, MODE_CENTRE, NEUTRAL, REAL, apply_style, pack_colour

__all__ = ["BASELINE_LABELS", "METRICS", "draw_baselines", "draw_samples", "plot_coverage", "plot_metric_curves",
           "plot_null_baselines", "plot_sample_grid", "plot_samples",
           "plot_table1_comparison", "plot_targets"]

# metric -> (axis label, scale for display)
METRICS = {
    "modes_captured": ("modes captured", 1.0),
    "high_quality_fraction": ("high-quality samples (%)", 100.0),
    "reverse_kl": ("reverse KL (nats)", 1.0),
}
# CIFAR-10's (pacgan_edu.tasks.cifar10_metrics): the judge's class histogram; curves only
CLASS_METRICS = {
    "classes_covered": ("classes covered (of 10)", 1.0),
    "kl_to_uniform": ("class histogram's KL to uniform (nats)", 1.0),
    "js_to_real": ("JS to the real class histogram (nats)", 1.0),
}


def _figure(width: float, height: float, nrows: int = 1, ncols: int = 1):
    apply_style()
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()


def _metric(metric: str):
    try:
        return {**METRICS, **CLASS_METRICS}[metric]
    except KeyError:
        raise ValueError(f"unknown metric {metric!r}; valid: {', '.join([*METRICS, *CLASS_METRICS])}") from None


def _datasets(rows, datasets):
    found = list(dict.fromkeys(r["dataset"] for r in rows))
    if datasets is None:
        return found
    datasets = [datasets] if isinstance(datasets, str) else list(datasets)
    missing = [d for d in datasets if d not in found]
    if missing:
        raise ValueError(f"no rows for dataset(s) {missing}; the rows have {found}")
    return datasets


BASELINE_LABELS = {"uniform": "uniform over the data's extent (trivial)", "real": "real samples (perfect)"}
# a band of zero height (a baseline with no spread, e.g. every real draw captures all modes)
# still shows as its edge line
_BASELINE_STYLE = {
    "uniform": dict(facecolor=(0.85, 0.85, 0.85, 0.6), edgecolor="#8c8c8c", hatch="///", lw=1.2),
    "real": dict(facecolor=(*to_rgb(REAL), 0.2), edgecolor=REAL, lw=1.2),
}


def draw_baselines(ax, dataset: str, metric: str, eval_samples: int = EVAL_SAMPLES) -> list:
    """Bands at mean ± 2 s.e. of the uniform and real baselines of ``dataset`` for ``metric``
    (scaled like the axis), behind everything else; the patches (none for an unknown dataset)."""
    if dataset not in MIXTURES:
        return []
    _, scale = _metric(metric)
    found = null_baselines(dataset, n=eval_samples)
    bands = []
    for which, label in BASELINE_LABELS.items():
        stats = found[which][metric]
        low, high = (stats["mean"] - 2 * stats["se"]) * scale, (stats["mean"] + 2 * stats["se"]) * scale
        bands.append(ax.axhspan(low, high, label=label, zorder=0.5, gid=f"baseline-{which}", **_BASELINE_STYLE[which]))
    return bands


def _legend_below(ax, ncol: int = 2) -> None:
    """The axes' legend under it (never over the bars), baselines last."""
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: labels[i] in BASELINE_LABELS.values())
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper center",
              bbox_to_anchor=(0.5, -0.16), ncol=ncol, fontsize=9, frameon=False)


def _numpy(samples) -> np.ndarray:
    array = samples.detach().cpu().numpy() if hasattr(samples, "detach") else np.asarray(samples, float)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"samples must have shape (n, 2), got {array.shape}")
    return array


# --------------------------------------------------------------------------------- samples
def draw_samples(ax, samples, mixture, title: str | None = None, real=None, legend: bool = True) -> None:
    """Generated samples (purple; ``None`` for none) over the mixture's mode centres and 3σ
    circles (the high-quality radius of the PacGAN metrics); optional real samples in green."""
    for centre in mixture.means.tolist():
        ax.add_patch(Circle(centre, HIGH_QUALITY_STDS * mixture.std, fill=False, color=REAL, lw=1.2, zorder=1))
    if real is not None:
        real = _numpy(real)
        ax.scatter(real[:, 0], real[:, 1], s=5, color=REAL, alpha=0.5, linewidths=0, label="real samples", zorder=2)
    if samples is not None:
        points = _numpy(samples)
        ax.scatter(points[:, 0], points[:, 1], s=5, color=GENERATED, alpha=0.6, linewidths=0,
                   label="generated samples", zorder=3)
    means = mixture.means.numpy()
    ax.scatter(means[:, 0], means[:, 1], marker="+", s=40, color=MODE_CENTRE, lw=1.2,
               label=f"mode centre (circle: {HIGH_QUALITY_STDS:g}σ)", zorder=4)
    xmin, xmax, ymin, ymax = view_extent(mixture)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="lower left", fontsize=9, markerscale=2, framealpha=0.85)


def plot_targets(names=("ring", "grid"), n: int = 1000, seed: int = 0) -> Figure:
    """The paper's targets side by side: ``n`` real samples each, mode centres and 3σ circles."""
    names = [names] if isinstance(names, str) else list(names)
    fig, axes = _figure(5.2 * len(names), 5.4, 1, len(names))
    for ax, name in zip(axes, names):
        target = named_mixture(name)
        real = target.sample(n, torch.Generator().manual_seed(seed))
        draw_samples(ax, None, target, real=real,
                     title=f"{name}: {target.num_modes} modes, std {target.std:g} ({n:,} samples)")
    return fig


def plot_null_baselines(names=("ring", "grid"), n: int = EVAL_SAMPLES, seed: int = 0) -> Figure:
    """The two null baselines as pictures, one row per dataset: a cloud uniform over the data's
    extent (:func:`pacgan_edu.metrics.baseline_region`; the grid's is exactly the plotted box),
    purple, beside real samples (green), ``n`` points each, every panel titled with its own
    modes captured and high-quality %."""
    names = [names] if isinstance(names, str) else list(names)
    fig, axes = _figure(10.4, 5.0 * len(names) + 0.6, len(names), 2)
    for row, name in enumerate(names):
        target = named_mixture(name)
        rng = torch.Generator().manual_seed(seed)
        clouds = {"uniform": uniform_baseline_samples(target, n, rng), "real": target.sample(n, rng)}
        for col, (which, points) in enumerate(clouds.items()):
            scores = mixture_metrics(points, target)
            what = "uniform over the data's extent" if which == "uniform" else "real samples"
            title = (f"{name}, {what}: {int(scores['modes_captured'])}/{target.num_modes} modes, "
                     f"{100 * float(scores['high_quality_fraction']):.1f}% HQ")
            ax = axes[2 * row + col]
            draw_samples(ax, points if which == "uniform" else None, target, title=None,
                         real=points if which == "real" else None, legend=False)
            ax.set_title(title, fontsize=11)
    handles = {}
    for ax in axes:
        for handle, text in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(text.replace("generated samples", "uniform cloud (a trivial generator)"), handle)
    fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncol=3, markerscale=3,
               frameon=False)
    fig.suptitle(f"Null baselines: what a trivial and a perfect generator score ({n:,} points each)")
    return fig


def plot_samples(samples, mixture, title: str = "generated samples", real=None) -> Figure:
    """One scatter of generated samples (n, 2) with mode centres and 3σ circles."""
    fig, (ax,) = _figure(6.0, 6.0)
    draw_samples(ax, samples, mixture, title=title, real=real)
    return fig


def plot_sample_grid(samples, mixture, titles=None, ncols: int = 5, suptitle: str | None = None) -> Figure:
    """Small multiples: one scatter per member, e.g. ``trainer.generate()`` of a multi-seed run.

    ``samples``: (K, n, 2); ``titles``: one per member (e.g. "seed 3: 14 / 25 modes").
    """
    samples = samples.detach().cpu().numpy() if hasattr(samples, "detach") else np.asarray(samples, float)
    if samples.ndim != 3:
        raise ValueError(f"samples must have shape (members, n, 2), got {samples.shape}")
    count = len(samples)
    if titles is not None and len(titles) != count:
        raise ValueError(f"got {len(titles)} titles for {count} sample sets")
    ncols = max(1, min(ncols, count))
    nrows = math.ceil(count / ncols)
    fig, axes = _figure(3.2 * ncols, 3.5 * nrows + 1.2, nrows, ncols)
    for i, ax in enumerate(axes):
        if i >= count:
            ax.set_visible(False)
            continue
        draw_samples(ax, samples[i], mixture, title=titles[i] if titles else None, legend=False)
        ax.tick_params(labelsize=9)
        ax.set_title(ax.get_title(), fontsize=12)
        if i % ncols:
            ax.set_ylabel("")
        if i < count - ncols:
            ax.set_xlabel("")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, markerscale=2, frameon=False)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


# --------------------------------------------------------------------------------- coverage
def plot_coverage(runs, metric: str = "modes_captured", datasets=None, paper: bool = True,
                  baselines: bool = True, eval_samples: int = EVAL_SAMPLES) -> Figure:
    """Bars per packing degree m: mean ± s.e. over seeds, every seed as a dot, the paper's
    Table 1 value (10 trials, 400k steps) as a hollow diamond where it has one, and (with
    ``baselines``) the null baselines on ``eval_samples`` samples as bands."""
    label, scale = _metric(metric)
    runs = list(runs)
    datasets = _datasets(runs, datasets)
    fig, axes = _figure(5.6 * len(datasets), 5.6 if baselines else 4.8, 1, len(datasets))
    rng = np.random.default_rng(0)  # jitter only
    for ax, dataset in zip(axes, datasets):
        rows = [r for r in runs if r["dataset"] == dataset]
        by_pack = defaultdict(list)
        for r in rows:
            by_pack[r["pack"]].append(r[metric] * scale)
        packs = sorted(by_pack)
        seeds = sorted({len(v) for v in by_pack.values()})
        paper_labelled = False
        for i, m in enumerate(packs):
            stats = mean_se(by_pack[m])
            ax.bar(i, stats["mean"], 0.65, color=pack_colour(m), alpha=0.35, edgecolor=pack_colour(m), lw=1.5,
                   label="mean ± s.e. (ours)" if i == 0 else None)
            ax.errorbar(i, stats["mean"], yerr=stats["se"], color=pack_colour(m), capsize=6, lw=2)
            jitter = rng.uniform(-0.18, 0.18, len(by_pack[m]))
            ax.scatter(i + jitter, by_pack[m], s=22, color=pack_colour(m), edgecolor="white", lw=0.5, zorder=3,
                       label="one seed" if i == 0 else None)
            row = table1_row(dataset, m) if paper else None
            if row is not None and metric in row:
                mean, se = row[metric]
                ax.errorbar(i + 0.4, mean * scale, yerr=se * scale, fmt="D", mfc="white", color=NEUTRAL,
                            capsize=3, label=None if paper_labelled else "paper (10 trials, 400k steps)")
                paper_labelled = True
        if metric == "modes_captured":
            modes = _num_modes(dataset)
            if modes:
                ax.axhline(modes, color=MODE_CENTRE, ls=":", lw=1.2, label=f"all {modes} modes")
        if baselines:
            draw_baselines(ax, dataset, metric, eval_samples)
        ax.set_xticks(range(len(packs)), [f"m = {m}" for m in packs])
        ax.set_xlabel("packing degree")
        ax.set_ylabel(label)
        seeds_text = "/".join(str(s) for s in seeds)
        ax.set_title(f"{dataset}: {label} ({seeds_text} seeds per m)")
        _legend_below(ax)
    return fig


def _num_modes(dataset: str) -> int | None:
    return named_mixture(dataset).num_modes if dataset in MIXTURES else None


# --------------------------------------------------------------------------------- curves
def plot_metric_curves(history, metric: str = "modes_captured", datasets=None, title: str | None = None,
                       reference_lines: dict | None = None) -> Figure:
    """A metric against training step: one thin line per seed, mean ± s.e. band per m.
    ``title``: instead of "<dataset>: <metric> during training (<n> seeds)" (the seed count is
    appended); ``reference_lines``: {label: value} drawn as dashed lines (e.g. trivial baselines)."""
    label, scale = _metric(metric)
    history = list(history)
    datasets = _datasets(history, datasets)
    fig, axes = _figure(6.2 * len(datasets), 4.4, 1, len(datasets))
    for ax, dataset in zip(axes, datasets):
        rows = [r for r in history if r["dataset"] == dataset]
        packs = sorted({r["pack"] for r in rows})
        seed_counts = set()
        for m in packs:
            runs = defaultdict(dict)
            for r in rows:
                if r["pack"] == m:
                    runs[r["seed"]][r["step"]] = r[metric] * scale
            seed_counts.add(len(runs))
            for curve in runs.values():
                steps = sorted(curve)
                ax.plot(steps, [curve[s] for s in steps], color=pack_colour(m), lw=0.6, alpha=0.35)
            steps = sorted({s for curve in runs.values() for s in curve})
            stats = [mean_se([c[s] for c in runs.values() if s in c]) for s in steps]
            mean = np.array([s["mean"] for s in stats])
            se = np.array([s["se"] for s in stats])
            ax.fill_between(steps, mean - se, mean + se, color=pack_colour(m), alpha=0.2, lw=0)
            ax.plot(steps, mean, color=pack_colour(m), lw=2.2, label=f"m = {m} (mean ± s.e.)")
        if metric == "modes_captured" and _num_modes(dataset):
            ax.axhline(_num_modes(dataset), color=MODE_CENTRE, ls=":", lw=1.2, label="all modes")
        for (line_label, value), style in zip((reference_lines or {}).items(), ("--", "-.", ":", (0, (5, 1, 1, 1)))):
            ax.axhline(value * scale, color=NEUTRAL, ls=style, lw=1.3, label=line_label)
        ax.set_xlabel("training step")
        ax.set_ylabel(label)
        seeds_text = "/".join(str(s) for s in sorted(seed_counts))
        ax.set_title(f"{title or f'{dataset}: {label} during training'} ({seeds_text} seeds)")
        ax.legend(loc="best", fontsize=9, framealpha=0.85)
    return fig


# --------------------------------------------------------------------------------- Table 1
def plot_table1_comparison(rows, datasets=None, label: str = "ours", baselines: bool = True,
                           eval_samples: int = EVAL_SAMPLES) -> Figure:
    """Our mean ± s.e. per packing degree beside the paper's Table 1, one panel per
    (dataset, metric). ``rows``: per-seed rows or ``sweep.summarize`` rows. With ``baselines``,
    the null baselines on ``eval_samples`` samples (the runs' own) as bands."""
    rows = list(rows)
    summary = rows if rows and "seeds" in rows[0] else summarize(rows)
    datasets = _datasets(summary, datasets)
    fig, axes = _figure(14.5, 4.0 * len(datasets) + 0.8, len(datasets), len(METRICS))
    for r, dataset in enumerate(datasets):
        ours = sorted((s for s in summary if s["dataset"] == dataset), key=lambda s: s["pack"])
        seeds = "/".join(str(n) for n in sorted({s["seeds"] for s in ours}))
        for c, (metric, (metric_label, scale)) in enumerate(METRICS.items()):
            ax = axes[r * len(METRICS) + c]
            packs = [s["pack"] for s in ours]
            ax.errorbar([m - 0.08 for m in packs], [s[metric]["mean"] * scale for s in ours],
                        yerr=[s[metric]["se"] * scale for s in ours], fmt="o-", color=GENERATED, lw=2,
                        capsize=4, label=f"{label} ({seeds} seeds)")
            paper = [(m, table1_row(dataset, m)) for m in packs]
            paper = [(m, row[metric]) for m, row in paper if row is not None]
            if paper:
                ax.errorbar([m + 0.08 for m, _ in paper], [v[0] * scale for _, v in paper],
                            yerr=[v[1] * scale for _, v in paper], fmt="D--", mfc="white", color=NEUTRAL,
                            capsize=4, label="paper Table 1 (10 trials)")
            if metric == "modes_captured" and _num_modes(dataset):
                ax.axhline(_num_modes(dataset), color=MODE_CENTRE, ls=":", lw=1)
            if baselines:
                draw_baselines(ax, dataset, metric, eval_samples)
            ax.set_xticks(packs)
            ax.set_xlabel("packing degree m")
            ax.set_ylabel(metric_label)
            ax.set_title(f"{dataset}: {metric_label}", fontsize=13)
    # one legend for every panel, under them all (the labels are the same in each)
    handles = {}
    for ax in axes:
        for handle, text in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(text, handle)
    names = sorted(handles, key=lambda text: text in BASELINE_LABELS.values())
    fig.legend([handles[t] for t in names], names, loc="outside lower center", ncol=len(names), fontsize=10,
               frameon=False)
    fig.suptitle("Table 1 of PacGAN: ours vs the paper (mean ± s.e. over seeds)"
                 + (f"; bands: baselines on {eval_samples:,} samples, mean ± 2 s.e." if baselines else ""))
    return fig
