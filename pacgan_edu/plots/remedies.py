"""Figures of notebook 05: which mode each generator takes, "bridges" over training, and every
remedy beside the plain GAN, PacGAN2 and the null baselines."""
from __future__ import annotations

from collections import defaultdict

import numpy as np
from matplotlib.figure import Figure

from ..data.mixtures import mixture as get_mixture
from ..remedy_study import Comparison, comparison_rows, row_label
from ..sweep import mean_se
from .results import BASELINE_LABELS, METRICS, _figure, _numpy, draw_baselines, draw_samples
from .style import GENERATED, MODE_CENTRE, NEUTRAL, PACK_COLOURS, pack_colour

# one colour per generator (Okabe–Ito first, then tab20 for more than 8)
_GENERATOR_COLOURS = PACK_COLOURS[1:] + ["#000000"]


def _generator_colour(k: int) -> str:
    if k < len(_GENERATOR_COLOURS):
        return _GENERATOR_COLOURS[k]
    import matplotlib
    return matplotlib.colormaps["tab20"](k % 20)


def plot_generator_split(samples, labels, mixture, title: str | None = None) -> Figure:
    """Samples coloured by the generator that made them, over the modes and their 3σ circles:
    which modes each generator has taken. Counts per generator in the legend."""
    points = _numpy(samples)
    labels = np.asarray(labels.cpu() if hasattr(labels, "cpu") else labels).astype(int)
    if labels.shape != (len(points),):
        raise ValueError(f"labels must give one generator per sample ({len(points)}), got shape {labels.shape}")
    fig, (ax,) = _figure(7.2, 6.2)
    draw_samples(ax, None, mixture, legend=False)
    for k in sorted(set(labels.tolist())):
        chosen = points[labels == k]
        ax.scatter(chosen[:, 0], chosen[:, 1], s=18, color=_generator_colour(k), alpha=0.8, linewidths=0,
                   label=f"generator {k + 1} ({len(chosen)})", zorder=3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9, markerscale=2.5, frameon=False,
              title="samples by generator")
    ax.set_title(title or "which generator made each sample")
    return fig


def generator_modes(samples, labels, mixture) -> dict[int, list[int]]:
    """Generator -> the modes (indices) holding at least 5 % of its high-quality samples."""
    import torch

    from ..metrics import HIGH_QUALITY_STDS
    points = torch.as_tensor(_numpy(samples), dtype=torch.float32)
    labels = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    distance = torch.cdist(points, mixture.means.float())
    nearest = distance.argmin(dim=1)
    good = distance.min(dim=1).values <= HIGH_QUALITY_STDS * mixture.std
    out = {}
    for k in sorted(set(labels.tolist())):
        mine = nearest[(labels == k) & good]
        counts = torch.bincount(mine, minlength=mixture.num_modes)
        out[k] = [i for i, c in enumerate(counts.tolist()) if mine.numel() and c >= 0.05 * mine.numel()]
    return out


def plot_bridges(history, entries, dataset: str, title: str | None = None) -> Figure:
    """Share of samples farther than 3σ from every mode ("bridges" and stragglers: 1 − the
    high-quality fraction) over training, mean ± s.e. over seeds, per (remedy, m) in ``entries``."""
    fig, (ax,) = _figure(8.5, 4.6)
    seeds_seen = set()
    for i, (remedy, pack) in enumerate(entries):
        runs = defaultdict(dict)
        for r in history:
            if r["dataset"] == dataset and r.get("remedy", "none") == remedy and r["pack"] == pack:
                runs[r["seed"]][r["step"]] = 100 * (1 - r["high_quality_fraction"])
        if not runs:
            continue
        seeds_seen.add(len(runs))
        steps = sorted({s for curve in runs.values() for s in curve})
        stats = [mean_se([c[s] for c in runs.values() if s in c]) for s in steps]
        mean = np.array([s["mean"] for s in stats])
        se = np.array([s["se"] for s in stats])
        colour = pack_colour(pack) if remedy == "none" else _generator_colour(i + 2)
        ax.fill_between(steps, mean - se, mean + se, color=colour, alpha=0.2, lw=0)
        label = row_label(remedy, pack) + (" (the mixture, after each component)" if remedy == "adagan" else "")
        ax.plot(steps, mean, color=colour, lw=2.2, marker="o" if len(steps) < 6 else None, label=label)
    ax.set_xlabel("training step")
    ax.set_ylabel("samples off every mode (%)")
    ax.set_ylim(0, 100)
    seeds = "/".join(str(n) for n in sorted(seeds_seen))
    ax.set_title(title or f"{dataset}: bridges — samples farther than 3σ from every mode ({seeds} seeds, mean ± s.e.)",
                 fontsize=12)
    ax.legend(loc="upper right", fontsize=10, framealpha=0.9)
    return fig


def plot_remedy_comparison(comparisons: list[Comparison], eval_samples: int = 2500) -> Figure:
    """Every remedy's mean ± s.e. (and the seeds as dots) per metric, one row per dataset, with
    the null baselines as bands; the plain GAN's mean as a dotted line to compare against."""
    fig, axes = _figure(15.5, 4.4 * len(comparisons) + 1.0, len(comparisons), len(METRICS))
    for r, comparison in enumerate(comparisons):
        rows = comparison_rows(comparison)
        labels = [row["label"] for row in rows]
        for c, (metric, (metric_label, scale)) in enumerate(METRICS.items()):
            ax = axes[r * len(METRICS) + c]
            draw_baselines(ax, comparison.dataset, metric, eval_samples)
            for i, row in enumerate(rows):
                colour = pack_colour(row["pack"]) if row["remedy"] == "none" else GENERATED
                values = [x[metric] * scale for x in comparison.runs
                          if x["remedy"] == row["remedy"] and x["pack"] == row["pack"]]
                ax.scatter(np.full(len(values), i) + np.linspace(-0.15, 0.15, len(values)), values, s=14,
                           color=colour, alpha=0.45, zorder=3, linewidths=0)
                ax.errorbar([i], [row[metric]["mean"] * scale], yerr=[row[metric]["se"] * scale], fmt="o",
                            color=colour, ms=8, capsize=5, lw=2, zorder=4)
            plain = [row for row in rows if row["remedy"] == "none" and row["pack"] == 1]
            if plain:
                ax.axhline(plain[0][metric]["mean"] * scale, color=NEUTRAL, ls=":", lw=1.2, zorder=2)
            if metric == "modes_captured":
                ax.axhline(get_mixture(comparison.dataset).num_modes, color=MODE_CENTRE, ls="--", lw=0.8)
            ax.set_xticks(range(len(rows)))
            ax.set_xticklabels([label.replace(" + ", "\n+ ").replace(" discrimination", "\ndiscrimination")
                                for label in labels], rotation=35, ha="right", fontsize=9)
            ax.set_ylabel(metric_label)
            seeds = "/".join(str(n) for n in sorted({row["seeds"] for row in rows}))
            ax.set_title(f"{comparison.dataset}: {metric_label} ({seeds} seeds)", fontsize=12)
    handles = {}
    for ax in axes:
        for handle, text in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(text, handle)
    names = [text for text in BASELINE_LABELS.values() if text in handles]
    fig.legend([handles[t] for t in names], [f"{t}, mean ± 2 s.e." for t in names], loc="outside lower center",
               ncol=2, fontsize=10, frameon=False)
    fig.suptitle("Remedies vs the plain GAN (dotted line) and PacGAN2: mean ± s.e. over seeds, dots = seeds")
    return fig
