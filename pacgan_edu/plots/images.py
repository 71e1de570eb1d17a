"""Figures for image GANs (Stacked MNIST): sample grids, the 1000-mode heat map, modes over training.

Stacked MNIST images are (3, 28, 28) in [−1, 1]: one digit per colour channel, so a sample
shows three overlaid digits in red, green and blue. Figures use ``matplotlib.figure.Figure``
(never pyplot: panels render in threads) and the suite's palette: real = green, generated =
purple, one colour per packing degree.
"""
from __future__ import annotations

import io
import math
from collections import defaultdict

import matplotlib
import numpy as np
import torch
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from ..files import atomic_write_bytes
from ..mode_classifier import kl_to_uniform
from ..report import dcgan_name
from ..sweep import mean_se
from .style import ACCENT, GENERATED, NEUTRAL, REAL, apply_style, pack_colour

NUM_MODES = 1000
MISSED_COLOUR = "#d9d9d9"  # modes never generated (heat map)


def sample_grid(images, rows: int = 8, cols: int = 8, pad: int = 2) -> np.ndarray:
    """Tile the first ``rows·cols`` images (N, C, H, W) in [−1, 1] into one (H', W', 3) array in
    [0, 1], with ``pad`` white pixels between tiles (C = 1 is shown in grey)."""
    images = torch.as_tensor(images).detach().float().cpu()
    if images.dim() != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"expected images (N, 1 or 3, H, W), got {tuple(images.shape)}")
    if rows < 1 or cols < 1:
        raise ValueError(f"rows and cols must be >= 1, got {rows} x {cols}")
    n, _, h, w = images.shape
    if n < rows * cols:
        raise ValueError(f"a {rows} x {cols} grid needs {rows * cols} images, got {n}")
    tiles = ((images[: rows * cols].clamp(-1, 1) + 1) / 2).expand(-1, 3, -1, -1).numpy()
    grid = np.ones((rows * (h + pad) - pad, cols * (w + pad) - pad, 3), dtype=np.float32)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, cols)
        grid[r * (h + pad): r * (h + pad) + h, c * (w + pad): c * (w + pad) + w] = tile.transpose(1, 2, 0)
    return grid


def save_sample_grid(path, images, rows: int = 10, cols: int = 10) -> None:
    """Write a grid of images as a small 8-bit RGB PNG (pixels only, written atomically)."""
    from PIL import Image  # Pillow comes with matplotlib

    pixels = np.round(sample_grid(images, rows, cols) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, format="PNG", optimize=True)
    atomic_write_bytes(path, buffer.getvalue())


def plot_sample_grid(ax, images, title: str, rows: int = 8, cols: int = 8, colour: str = GENERATED) -> None:
    """Draw a sample grid on ``ax`` with a coloured frame (green = real, purple = generated)."""
    ax.imshow(sample_grid(images, rows, cols), interpolation="nearest")
    _frame(ax, title, colour)


def _frame(ax, title: str, colour: str) -> None:
    ax.set_title(title, color=colour)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color(colour)
        spine.set_linewidth(3)


def figure_sample_grids(panels, rows: int = 8, cols: int = 8, suptitle: str | None = None,
                        panel_size: float = 3.4) -> Figure:
    """Side-by-side sample grids. ``panels``: list of ``(title, images, kind)``, kind "real" or
    "generated" (frame colour)."""
    apply_style()
    panels = list(panels)
    if not panels:
        raise ValueError("figure_sample_grids needs at least one panel")
    fig = Figure(figsize=(panel_size * len(panels), panel_size * rows / cols + 0.9), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, images, kind) in zip(axes, panels):
        if kind not in ("real", "generated"):
            raise ValueError(f"panel kind must be 'real' or 'generated', got {kind!r}")
        plot_sample_grid(ax, images, title, rows, cols, REAL if kind == "real" else GENERATED)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def figure_pictures(panels, columns: int | None = None, suptitle: str | None = None,
                    panel_size: float = 3.4) -> Figure:
    """Pictures that are already tiled (e.g. saved sample grids read with
    ``matplotlib.image.imread``), ``columns`` per row (default: all in one row).
    ``panels``: list of ``(title, array, kind)``, kind "real" (green frame) or "generated"."""
    apply_style()
    panels = list(panels)
    if not panels:
        raise ValueError("figure_pictures needs at least one panel")
    columns = min(columns or len(panels), len(panels))
    rows = math.ceil(len(panels) / columns)
    fig = Figure(figsize=(panel_size * columns, (panel_size + 0.5) * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False).flatten()
    for ax, (title, picture, kind) in zip(axes, panels):
        ax.imshow(picture, interpolation="nearest")
        _frame(ax, title, REAL if kind == "real" else GENERATED)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def figure_labelled_digits(images, labels, predicted=None, count: int = 8, title: str = "") -> Figure:
    """Real stacked images with their mode labels (and, if given, the classifier's reading:
    a wrong reading is printed in orange)."""
    apply_style()
    images = torch.as_tensor(images)[:count]
    fig = Figure(figsize=(1.9 * len(images), 2.6), layout="constrained")
    axes = fig.subplots(1, len(images), squeeze=False)[0]
    for i, ax in enumerate(axes):
        ax.imshow(sample_grid(images[i:i + 1], 1, 1, pad=0), interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        text = f"mode {int(labels[i]):03d}"
        colour = REAL
        if predicted is not None:
            text += f"\nread {int(predicted[i]):03d}"
            colour = REAL if int(predicted[i]) == int(labels[i]) else ACCENT
        ax.set_xlabel(text, color=colour)
    if title:
        fig.suptitle(title)
    return fig


def _counts_colormap(kind: str):
    """Sequential green (real) or purple (generated) map without its near-white end, so that a
    mode seen once stays visible against the grey of missed modes."""
    if kind not in ("real", "generated"):
        raise ValueError(f"kind must be 'real' or 'generated', got {kind!r}")
    base = matplotlib.colormaps["Greens" if kind == "real" else "Purples"]
    return ListedColormap(base(np.linspace(0.3, 1.0, 256))).with_extremes(bad=MISSED_COLOUR)


def plot_mode_heatmap(ax, histogram, title: str, colour_max: float | None = None, kind: str = "generated"):
    """One 10 × 100 heat map of a 1000-mode histogram on ``ax``: row = first digit a, column =
    10·b + c; grey = a mode never produced. Returns the image (for a colour bar)."""
    counts = torch.as_tensor(histogram).detach().cpu().double().numpy()
    if counts.shape != (NUM_MODES,):
        raise ValueError(f"expected a histogram over {NUM_MODES} modes, got shape {counts.shape}")
    table = np.ma.masked_equal(counts.reshape(10, 100), 0)
    top = colour_max or max(float(counts.max()), 2.0)
    image = ax.imshow(table, cmap=_counts_colormap(kind), norm=LogNorm(vmin=1, vmax=top), aspect="auto",
                      interpolation="nearest")
    ax.set_title(title)
    ax.set_yticks(range(10))
    ax.set_xticks(range(0, 100, 10))
    ax.set_ylabel("1st digit a (red)")
    ax.set_xlabel("2nd and 3rd digits: 10·b + c (green, blue)")
    return image


def figure_mode_heatmaps(histograms, suptitle: str | None = None) -> Figure:
    """Stacked 10 × 100 heat maps, one per ``(title, histogram)`` or ``(title, histogram, kind)``
    (kind "real" = green, "generated" = purple, the default), on one shared log colour scale."""
    apply_style()
    panels = [tuple(p) if len(p) == 3 else (*p, "generated") for p in histograms]
    if not panels:
        raise ValueError("figure_mode_heatmaps needs at least one histogram")
    top = max(2.0, *(float(torch.as_tensor(h).max()) for _, h, _ in panels))
    fig = Figure(figsize=(15, 2.9 * len(panels) + 0.6), layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    for ax, (title, histogram, kind) in zip(axes, panels):
        image = plot_mode_heatmap(ax, histogram, title, top, kind)
        bar = fig.colorbar(image, ax=ax, pad=0.01, format=FuncFormatter(lambda v, _: f"{v:g}"))
        bar.ax.yaxis.set_minor_formatter(NullFormatter())
        bar.set_label("samples per mode\n(log scale)")
    fig.text(0.01, 0.0, "grey = a mode never produced", color=NEUTRAL, fontsize=11, va="bottom")
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def heatmap_title(label: str, histogram) -> str:
    """``label: 812 of 1000 modes, KL 0.43 nats (n = 5,000 samples)`` for a histogram."""
    counts = torch.as_tensor(histogram)
    return (f"{label}: {int((counts > 0).sum())} of {NUM_MODES} modes, KL {kl_to_uniform(counts):.2f} nats "
            f"(n = {int(counts.sum()):,} samples)")


def expected_modes_if_uniform(samples: int, modes: int = NUM_MODES) -> float:
    """Distinct modes expected among ``samples`` draws from a perfect (uniform) generator:
    modes·(1 − (1 − 1/modes)^samples). The ceiling a mode count can reach at that sample size."""
    return modes * (1 - (1 - 1 / modes) ** samples)


def plot_modes_over_training(ax_modes, ax_kl, history, x: str = "step", eval_samples: int | None = None,
                             paper: dict | None = None) -> None:
    """Draw modes captured (``ax_modes``) and KL (``ax_kl``) against ``x``; see
    :func:`figure_modes_over_training`."""
    rows = [r for r in history if r.get(x) is not None]
    if not rows:
        raise ValueError(f"no history rows with {x!r} to plot")
    by_pack = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by_pack[r["pack"]][r["seed"]].append(r)
    # seeds share evaluation steps, so a mean is drawn over steps; wall-clock times differ
    with_mean = x == "step"
    for pack in sorted(by_pack):
        seeds = by_pack[pack]
        colour = pack_colour(pack)
        label = f"{dcgan_name(pack)} (m = {pack}), {len(seeds)} seed(s)"
        for metric, ax in (("modes_captured", ax_modes), ("kl", ax_kl)):
            for seed_rows in seeds.values():
                seed_rows = sorted(seed_rows, key=lambda r: r[x])
                ax.plot([r[x] for r in seed_rows], [r[metric] for r in seed_rows], color=colour,
                        lw=0.8 if with_mean else 2.0, alpha=0.45 if with_mean else 0.9,
                        label=None if with_mean else label)
                if not with_mean:
                    label = None  # one legend entry per packing degree
            if with_mean:  # mean ± s.e. over seeds at each evaluation step
                xs = sorted({r[x] for rows_ in seeds.values() for r in rows_})
                stats = [mean_se([r[metric] for rows_ in seeds.values() for r in rows_ if r[x] == s]) for s in xs]
                mean = np.array([s["mean"] for s in stats])
                se = np.array([s["se"] for s in stats])
                ax.plot(xs, mean, color=colour, lw=2.5, label=label)
                if len(seeds) > 1:
                    ax.fill_between(xs, mean - se, mean + se, color=colour, alpha=0.18)
            if paper and pack in paper:
                value = paper[pack][0 if metric == "modes_captured" else 1]
                ax.axhline(value, color=colour, ls="--", lw=1.2)
    if eval_samples:
        ceiling = expected_modes_if_uniform(eval_samples)
        ax_modes.axhline(ceiling, color=NEUTRAL, ls=":", lw=1.5,
                         label=f"perfect generator at {eval_samples:,} samples ({ceiling:.0f})")
    xlabel = "training step (D updates)" if x == "step" else "wall-clock time (s)"
    ax_modes.set(xlabel=xlabel, ylabel=f"modes captured (of {NUM_MODES})", title="Modes captured (higher is better)")
    ax_kl.set(xlabel=xlabel, ylabel="KL(generated ‖ uniform) (nats)", title="KL to uniform (lower is better)")
    ax_modes.set_ylim(0, NUM_MODES * 1.05)
    ax_kl.set_ylim(0, math.log(NUM_MODES) * 1.05)
    ax_modes.legend(loc="best", fontsize=10)
    if paper:
        ax_kl.plot([], [], color=NEUTRAL, ls="--", label="paper's final value (dashed)")
        ax_kl.legend(loc="best", fontsize=10)


def figure_modes_over_training(history, x: str = "step", eval_samples: int | None = None,
                               title: str = "Modes over training", paper: dict | None = None) -> Figure:
    """Modes captured and KL against training step (or ``x="seconds"``), one colour per packing
    degree: thin lines per seed, thick line = mean over seeds (band = ± 1 s.e. when ≥ 2 seeds).

    ``history``: rows with ``pack, seed, <x>, modes_captured, kl`` (``GANTrainer.history`` or
    the ``history`` of the CLI's JSON runs). ``eval_samples`` draws the ceiling a perfect
    generator would reach at that sample count; ``paper``: {pack: (modes, kl)} drawn dashed.
    """
    apply_style()
    fig = Figure(figsize=(13, 4.6), layout="constrained")
    ax_modes, ax_kl = fig.subplots(1, 2)
    plot_modes_over_training(ax_modes, ax_kl, history, x, eval_samples, paper)
    fig.suptitle(title)
    return fig


def figure_training_progress(samples, labels, history, eval_samples: int | None = None, title: str = "",
                             rows: int = 6, cols: int = 6) -> Figure:
    """One frame of a live view: a sample grid per GAN (``samples`` (K, n, 3, 28, 28), titles
    ``labels``) above the modes / KL curves so far (``history`` rows, as in
    :func:`figure_modes_over_training`)."""
    apply_style()
    fig = Figure(figsize=(12, 8.4), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.15, 1])
    grid_axes = top.subplots(1, len(labels), squeeze=False)[0]
    for ax, member_samples, label in zip(grid_axes, samples, labels):
        plot_sample_grid(ax, member_samples, label, rows, cols)
    ax_modes, ax_kl = bottom.subplots(1, 2)
    plot_modes_over_training(ax_modes, ax_kl, history, "step", eval_samples)
    if title:
        top.suptitle(title)
    return fig
