"""Figures for notebook 04: how each GAN loss weights generated samples, and how the losses train.

Sample weights follow Eide, Solberg, Kåsen, "Sample weighting as an explanation for mode
collapse" (arXiv 2010.02035): G's gradient is Σᵢ wᵢ ∂lᵢ/∂θ, and a loss only chooses the wᵢ.
We plot the *push* −wᵢ (positive: how hard G moves a sample towards "real").

Every function returns a ``matplotlib.figure.Figure`` built without pyplot (safe in threads).
Colours: real = green, generated = purple (``plots.style``), one colour per packing degree;
losses get the Okabe–Ito colours of the same palette.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import torch
from matplotlib.figure import Figure

from .. import losses as L
from ..sweep import mean_se
from .style import GENERATED, MODE_CENTRE, NEUTRAL, PACK_COLOURS, REAL, apply_style, pack_colour

__all__ = ["METRIC_LABELS", "loss_colour", "plot_weight_curves", "plot_batch_weights", "plot_weight_trace",
           "plot_mode_frequencies", "plot_metric_curves", "plot_loss_comparison"]

#: metric -> (axis label, scale)
METRIC_LABELS = {
    "modes_captured": ("modes captured", 1.0),
    "high_quality_fraction": ("high-quality samples (%)", 100.0),
    "reverse_kl": ("reverse KL (nats)", 1.0),
}


def loss_colour(name: str) -> str:
    """A fixed colour per registered loss (the palette's colours after black)."""
    names = L.loss_names()
    index = names.index(name) if name in names else len(names)
    return PACK_COLOURS[1 + index % (len(PACK_COLOURS) - 1)]


def _figure(width, height, nrows=1, ncols=1, **kw):
    apply_style()
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


#: widest figure (inches) a notebook shows at full size: wider ones get scaled down, fonts too
MAX_WIDTH = 12.0


def _panel_grid(n: int, panel_width: float, panel_height: float, extra_width: float = 0.0, **kw):
    """``n`` panels in rows no wider than :data:`MAX_WIDTH`; returns (fig, the n axes, the grid)."""
    ncols = max(1, min(n, int((MAX_WIDTH - extra_width) // panel_width)))
    nrows = -(-n // ncols)
    fig, grid = _figure(ncols * panel_width + extra_width, nrows * panel_height, nrows, ncols, **kw)
    flat = list(grid.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n], grid


def _metric_label(metric, n_modes=None):
    label, scale = METRIC_LABELS.get(metric, (metric, 1.0))
    if metric == "modes_captured" and n_modes:
        label = f"modes captured (of {n_modes})"
    return label, scale


def _draw_modes(ax, mixture):
    if mixture is not None:
        means = mixture.means.numpy()
        ax.scatter(means[:, 0], means[:, 1], s=160, facecolors="none", edgecolors=REAL, lw=2, label="real modes", zorder=1)
        xmin, xmax, ymin, ymax = mixture.extent(margin=0.6 if mixture.num_modes < 10 else 1.0)
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")


# ---------------------------------------------------------------------------- weight curves
def _group_equal_curves(curves):
    """Losses whose curves coincide (e.g. NS and LSGAN; the three critics) share one line."""
    groups: list[tuple[list[str], torch.Tensor, torch.Tensor]] = []
    for name, (d, w) in curves.items():
        for names, _, w0 in groups:
            if torch.allclose(w, w0, atol=1e-5):
                names.append(name)
                break
        else:
            groups.append(([name], d, w))
    return groups


def plot_weight_curves(names=None, nsat_ratio: float = 19.0, width: float = 12, height: float = 5.4) -> Figure:
    """The push −w each loss gives one generated sample, against D's verdict D(G(z)).

    Left: linear axis; right: logarithmic, where MM's saturation (push → 0 as D(G(z)) → 0) is
    plain. MM-nsat is drawn for a batch ratio R = ``nsat_ratio`` (R = 19 ⇔ mean D(G(z)) = 0.05).
    Losses with identical curves share a line (NS and LSGAN: 1 − D; the critics: 1).
    """
    groups = _group_equal_curves(L.weight_curves(names, nsat_ratio=nsat_ratio))
    fig, axes = _figure(width, height, 1, 2)
    fig.get_layout_engine().set(w_pad=0.3)
    mean_d = 1 / (1 + nsat_ratio)
    for ax, log in zip(axes[0], (False, True)):
        for members, d, w in groups:
            label = " = ".join(members)
            if "mm-nsat" in members:
                label += f" (R = {nsat_ratio:g}: mean D(G(z)) = {mean_d:.2f})"
            elif {L.get_loss(n).output for n in members} == {"critic"}:
                label += " (critics)"
            ax.plot(d.numpy(), (-w).numpy(), lw=3, color=loss_colour(members[0]), label=label,
                    ls="--" if "mm-nsat" in members else "-")
        ax.set_xlabel("D(G(z))  (D's probability that the fake is real)")
        ax.set_ylabel("push on the sample  −∂L_G/∂l")
        ax.axvspan(0, 0.1, color=NEUTRAL, alpha=0.15, lw=0)
        if log:
            ax.set_yscale("log")
            ax.set_ylim(3e-3, 30)
            ax.set_title("the same on a log scale:\nMM's push vanishes where D rejects")
        else:
            ax.set_ylim(0, 2.2)
            ax.set_title("how hard G pushes each fake towards 'real'\n(grey band: D rejects the fake)")
    axes[0, 0].legend(loc="upper right", frameon=True, framealpha=0.9, fontsize=10)
    fig.suptitle("Sample weights: D(G(z)) is σ(l) for the cross-entropy losses and D's output itself for LSGAN; "
                 "critics give no probability", fontsize=11)
    return fig


def plot_batch_weights(batch, losses=None) -> Figure:
    """Where each loss puts G's effort on one concrete batch (``loss_study.batch_weights``).

    First panel: D's verdict per generated sample. Then one panel per loss: marker area ∝ the
    sample's normalised weight wᵢ/Σw (its share of G's push); the title gives the total push
    Σ|wᵢ| over the batch (MM's is small when D rejects the fakes).
    """
    names = list(batch.weights) if losses is None else list(losses)
    fig, axes, _ = _panel_grid(1 + len(names), 5.4, 5.0)
    x = batch.samples.numpy()
    verdicts = batch.verdicts.numpy()
    ax = axes[0]
    _draw_modes(ax, batch.mixture)
    points = ax.scatter(x[:, 0], x[:, 1], c=verdicts, cmap="PRGn", vmin=0, vmax=1, s=22, edgecolors="none", zorder=2)
    fig.colorbar(points, ax=ax, shrink=0.8, label="D(G(z))")
    ax.set_title(f"D's verdict on {len(x)} fakes\n(step {batch.step}, mean {verdicts.mean():.2f})")
    for ax, name in zip(axes[1:], names):
        w = batch.weights[name]
        share = L.normalised_weights(w).numpy()
        _draw_modes(ax, batch.mixture)
        ax.scatter(x[:, 0], x[:, 1], s=4 + share * len(share) * 30, color=GENERATED, alpha=0.55, edgecolors="none", zorder=2)
        ax.set_title(f"{name}: share of the push\n(total push Σ|w| = {w.abs().sum():.1f})")
    axes[0].legend(loc="lower left", frameon=False, fontsize=9)
    fig.suptitle(f"Sample weights on one generated batch of member m = {batch.member.pack}, seed {batch.member.seed}\n"
                 "(marker area ∝ the sample's share of G's push)", fontsize=13)
    return fig


def plot_weight_trace(trace, member: int = 0, width: float = 12, height: float = 4.6) -> Figure:
    """Mean push per generated sample under each loss over training steps (``loss_study.WeightTrace``),
    beside D's mean verdict: MM's push is tiny while D rejects the fakes."""
    fig, axes = _figure(width, height, 1, 2)
    steps = np.asarray(trace.steps)
    ax = axes[0, 0]
    for name in trace.losses:
        push = -torch.stack(trace.mean_weight[name])[:, member].numpy()
        ax.plot(steps, push, lw=3, color=loss_colour(name), label=name, ls="--" if name == "mm-nsat" else "-")
    ax.set_xlabel("training step")
    ax.set_ylabel("mean push per fake  −w̄")
    ax.set_title("total push per sample")
    ax.legend(frameon=False)
    ax = axes[0, 1]
    ax.plot(steps, torch.stack(trace.mean_verdict)[:, member].numpy(), lw=3, color=GENERATED)
    ax.set_ylim(0, 1)
    ax.axhline(0.5, color=NEUTRAL, lw=1, ls="--")
    ax.set_xlabel("training step")
    ax.set_ylabel("mean D(G(z))")
    ax.set_title("D's mean verdict on the fakes")
    m = trace.members[member]
    fig.suptitle(f"Member m = {m.pack}, seed {m.seed}", fontsize=13)
    return fig


# ---------------------------------------------------------------------------- training results
def plot_mode_frequencies(panels) -> Figure:
    """Heat maps of how the high-quality samples spread over the modes during training.

    ``panels``: list of ``(title, ModeFrequencies, member)``, member = an index or a ``Member``.
    Rows are modes, columns recorded steps, colour = the mode's share of the high-quality samples
    (``ModeFrequencies.shares``; the fair share is 1/k, the scale stops at 4/k). A row that turns
    white is a dropped mode; a column that is white throughout has no high-quality sample at all.
    """
    if not panels:
        raise ValueError("plot_mode_frequencies needs at least one (title, ModeFrequencies, member) panel")
    panels = [(title, rec, member if isinstance(member, int) else rec.members.index(member))
              for title, rec, member in panels]
    fig, axes, grid = _panel_grid(len(panels), 5.0, 4.4, extra_width=1.5, sharey=True, sharex=True)
    modes = panels[0][1].mixture.num_modes
    fair = 1 / modes
    image = None
    for ax, (title, rec, member) in zip(axes, panels):
        share = rec.shares[:, member].numpy().T             # (modes, T)
        steps = np.asarray(rec.steps, float)
        if len(steps) > 1:
            edges = np.concatenate([[steps[0]], (steps[1:] + steps[:-1]) / 2, [steps[-1]]])
        else:
            edges = np.array([steps[0] - 0.5, steps[0] + 0.5])
        image = ax.pcolormesh(edges, np.arange(modes + 1) - 0.5, share, cmap="Purples", vmin=0, vmax=4 * fair,
                              shading="flat")
        empty = int((rec.counts[-1, member] == 0).sum())
        ax.set_title(f"{title}\n{empty} of {modes} modes empty at the end", fontsize=12)
        ax.set_xlabel("training step")
    for row in grid:
        row[0].set_ylabel("mode index")
    for ax in axes:
        ax.label_outer()  # shared axes: labels on the outer panels only
    bar = fig.colorbar(image, ax=list(grid[:, -1]), shrink=0.9, extend="max",
                       label=f"share of the high-quality samples\n(green line: fair share 1/{modes})")
    bar.ax.axhline(fair, color=REAL, lw=3)
    return fig


def _by_group(rows, keys):
    out = defaultdict(list)
    for row in rows:
        out[tuple(row[k] for k in keys)].append(row)
    return out


def plot_metric_curves(history, dataset: str, metric: str = "modes_captured", losses=None, n_modes=None) -> Figure:
    """``metric`` over training steps, one panel per loss, one line per packing degree m:
    mean over seeds with a ± s.e. band (seed count in the title)."""
    rows = [r for r in history if r["dataset"] == dataset]
    if not rows:
        raise ValueError(f"no history rows for dataset {dataset!r}")
    losses = list(dict.fromkeys(r["loss"] for r in rows)) if losses is None else list(losses)
    label, scale = _metric_label(metric, n_modes)
    fig, axes, grid = _panel_grid(len(losses), 3.5, 3.6, extra_width=1.4, sharey=True, sharex=True)
    for ax, loss in zip(axes, losses):
        groups = _by_group([r for r in rows if r["loss"] == loss], ("pack", "step"))
        seeds = 0
        for pack in sorted({p for p, _ in groups}):
            steps = sorted(s for p, s in groups if p == pack)
            stats = [mean_se([r[metric] for r in groups[(pack, s)]]) for s in steps]
            mean = np.array([s["mean"] for s in stats]) * scale
            se = np.array([s["se"] for s in stats]) * scale
            seeds = max(seeds, max(s["n"] for s in stats))
            ax.plot(steps, mean, lw=2.5, color=pack_colour(pack), label=f"m = {pack}")
            ax.fill_between(steps, mean - se, mean + se, color=pack_colour(pack), alpha=0.2, lw=0)
        ax.set_title(f"{loss} ({seeds} seeds)")
        ax.set_xlabel("training step")
        if metric == "modes_captured" and n_modes:
            ax.axhline(n_modes, color=REAL, lw=1.5, ls="--")
    for row in grid:
        row[0].set_ylabel(label)
    for ax in axes:
        ax.label_outer()  # shared axes: labels on the outer panels only
    grid[0, -1].legend(frameon=False, loc="upper left", bbox_to_anchor=(1.02, 1.0), title="packing")
    fig.suptitle(f"{dataset}: {label} during training (mean ± s.e. over seeds)", fontsize=14)
    return fig


def plot_loss_comparison(runs, datasets=None, metrics=("modes_captured", "high_quality_fraction", "reverse_kl"),
                         losses=None, mode_counts: dict | None = None, width: float | None = None,
                         height_per_row: float = 4.0) -> Figure:
    """Final metrics per loss and packing degree: mean ± s.e. (big markers) and every seed (dots).

    One row per dataset, one column per metric; ``mode_counts`` {dataset: k} labels the axis.
    """
    datasets = list(dict.fromkeys(r["dataset"] for r in runs)) if datasets is None else list(datasets)
    losses = list(dict.fromkeys(r["loss"] for r in runs)) if losses is None else list(losses)
    if not runs or not datasets or not losses:
        raise ValueError("plot_loss_comparison needs runs with 'loss', 'dataset', 'pack' and the metrics")
    packs = sorted({r["pack"] for r in runs})
    fig, axes = _figure(width or min(4.0 * len(metrics) + 1.4, MAX_WIDTH), height_per_row * len(datasets),
                        len(datasets), len(metrics))
    offsets = np.linspace(-0.18, 0.18, len(packs)) if len(packs) > 1 else [0.0]
    rng = np.random.default_rng(0)  # jitter only, so dots of equal value stay visible
    seed_counts = set()
    for row_axes, dataset in zip(axes, datasets):
        groups = _by_group([r for r in runs if r["dataset"] == dataset], ("loss", "pack"))
        for ax, metric in zip(row_axes, metrics):
            label, scale = _metric_label(metric, (mode_counts or {}).get(dataset))
            highest = 0.0  # the top of every dot and error bar drawn in this panel
            for offset, pack in zip(offsets, packs):
                for i, loss in enumerate(losses):
                    values = np.array([r[metric] for r in groups.get((loss, pack), [])], float) * scale
                    if values.size == 0:
                        continue
                    seed_counts.add(values.size)
                    stats = mean_se(values)
                    highest = max(highest, values.max(), stats["mean"] + stats["se"])
                    ax.scatter(i + offset + rng.uniform(-0.04, 0.04, values.size), values, s=16, color=pack_colour(pack),
                               alpha=0.45, edgecolors="none")
                    ax.errorbar(i + offset, stats["mean"], yerr=stats["se"], fmt="o", ms=9, capsize=5, lw=2,
                                color=pack_colour(pack), mec=MODE_CENTRE, label=f"m = {pack}" if i == 0 else None)
            ax.set_xticks(range(len(losses)))
            ax.set_xticklabels(losses, rotation=30)
            ax.set_xlabel("loss")
            ax.set_ylabel(label)
            ax.set_title(f"{dataset}: {label}")
            if metric == "modes_captured" and mode_counts and dataset in mode_counts:
                ax.axhline(mode_counts[dataset], color=REAL, lw=1.5, ls="--")
                highest = max(highest, mode_counts[dataset])
            # from 0 (every metric here is >= 0; a floating axis exaggerates gaps) to 10 % above the
            # highest marker or error bar: autoscaling's margin, taken before the axis was pinned to 0,
            # left markers of a narrow range on the top edge, half cut off
            ax.set_ylim(0, 1.1 * highest if highest > 0 else 1.0)
    axes[0, -1].legend(frameon=False, loc="upper left", bbox_to_anchor=(1.02, 1.0), title="packing")
    seeds = "/".join(str(n) for n in sorted(seed_counts))
    fig.suptitle(f"Final metrics per loss: mean ± s.e. over {seeds} seeds (dots: single seeds)", fontsize=14)
    return fig
