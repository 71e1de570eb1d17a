"""Figures for notebook 03: (ε, δ)-mode collapse, the ROC / mode-collapse region, packing.

Every function returns a ``matplotlib.figure.Figure`` built without pyplot (safe to render
in threads and off-screen into an ``ipywidgets.Image``). Notation follows PacGAN (Lin,
Khetan, Fanti, Oh, NeurIPS 2018): target P, generator Q, region R(P, Q), packing degree m,
(ε, δ) and τ = TV(P, Q). Colours: real/target green, generated purple, highlights orange,
one colour per packing degree (``pack_colour``).
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from .. import theory
from .style import ACCENT, GENERATED, NEUTRAL, REAL, apply_style, pack_colour

__all__ = [
    "plot_collapse_picture",
    "plot_packed_regions",
    "plot_equal_tv_pairs",
    "plot_packed_tv_bounds",
    "plot_verification",
    "plot_gan_value",
    "region_explorer_figure",
    "draw_pair",
    "draw_region",
]

COLLAPSE_COLOUR = ACCENT
NO_COLLAPSE_COLOUR = "#0072B2"


def _figure(width: float, height: float, ncols: int = 1, nrows: int = 1):
    apply_style()
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes.ravel()


def _square(ax, title: str | None = None):
    ax.plot([0, 1], [0, 1], color=NEUTRAL, lw=1, ls="--", zorder=1)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel("ε = Q(S)   (generator mass)")
    ax.set_ylabel("δ = P(S)   (target mass)")
    if title:
        ax.set_title(title)


def draw_pair(ax, p, q, *, set_mask=None, positions=None, title="target P vs generator Q"):
    """Bars of P (green) and Q (purple) per atom; atoms of S shaded orange."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    if positions is not None and np.ndim(positions) == 2:  # 2-D grid: show as images
        _draw_pair_2d(ax, p, q, positions, set_mask, title)
        return
    k = p.size
    x = np.arange(k) if positions is None else np.asarray(positions, float)
    width = 0.4 * (np.min(np.diff(x)) if k > 1 else 1.0)
    if set_mask is not None and np.any(set_mask):
        for i in np.flatnonzero(set_mask):
            ax.axvspan(x[i] - 1.1 * width, x[i] + 1.1 * width, color=ACCENT, alpha=0.18, lw=0)
        ax.plot([], [], color=ACCENT, alpha=0.4, lw=8, label="set S")
    ax.bar(x - width / 2, p, width, color=REAL, label="target P")
    ax.bar(x + width / 2, q, width, color=GENERATED, label="generator Q")
    ax.set_ylim(0, 1.35 * max(p.max(), q.max()))  # room for the legend above the bars
    ax.set_xlabel("mode / bin" if positions is None else "position x")
    ax.set_ylabel("probability")
    ax.set_title(title)
    ax.legend(loc="upper right", frameon=False)
    if positions is None and k <= 20:
        ax.set_xticks(x)


def _draw_pair_2d(ax, p, q, grid, set_mask, title):
    """2-D bins as bubbles: area ∝ mass; P filled green, Q a purple ring; S shaded orange."""
    grid = np.asarray(grid, float)
    scale = 2500.0 / max(p.max(), q.max())
    if set_mask is not None and np.any(set_mask):
        ax.scatter(grid[set_mask, 0], grid[set_mask, 1], s=900, marker="s", color=ACCENT,
                   alpha=0.2, lw=0, label="set S")
    ax.scatter(grid[:, 0], grid[:, 1], s=p * scale, color=REAL, alpha=0.65, lw=0, label="target P")
    ax.scatter(grid[:, 0], grid[:, 1], s=q * scale, facecolors="none", edgecolors=GENERATED,
               lw=2.5, label="generator Q")
    pad = 0.6 * (np.ptp(grid[:, 0]) / max(np.sqrt(p.size) - 1, 1))
    ax.set_xlim(grid[:, 0].min() - pad, grid[:, 0].max() + pad)
    ax.set_ylim(grid[:, 1].min() - pad, grid[:, 1].max() + pad * 2.2)
    ax.set_aspect("equal")
    ax.set_title(title)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.legend(loc="upper center", ncol=3, frameon=False, fontsize=9, markerscale=0.35)


def draw_region(ax, vertices, *, colour=GENERATED, label=None, fill=True, lw=2.5, alpha=0.18,
                show_tv=False):
    """The mode-collapse region: between the diagonal and the ROC curve ``vertices``."""
    v = np.asarray(vertices, float)
    if fill:
        ax.fill_between(v[:, 0], v[:, 0], v[:, 1], color=colour, alpha=alpha, lw=0)
    ax.plot(v[:, 0], v[:, 1], color=colour, lw=lw, label=label)
    if show_tv:
        heights = v[:, 1] - v[:, 0]
        i = int(np.argmax(heights))
        x, y = v[i]
        ax.annotate("", xy=(x, y), xytext=(x, x),
                    arrowprops=dict(arrowstyle="<->", color=colour, lw=1.8))
        ax.text(x + 0.02, (x + y) / 2, f"TV = {heights[i]:.3f}", color=colour, fontsize=11,
                va="center", bbox=dict(facecolor="white", alpha=0.85, lw=0, pad=1.5), zorder=7)


def _marker(ax, eps, delta, collapsed, m):
    colour = COLLAPSE_COLOUR if collapsed else NO_COLLAPSE_COLOUR
    word = "collapsed" if collapsed else "not collapsed"
    ax.plot([eps], [delta], marker="*", ms=18, color=colour, mec="black", zorder=5,
            label=f"(ε, δ) = ({eps:.2f}, {delta:.2f}): m = {m} {word}")


def plot_collapse_picture(p, q, eps: float, *, set_mask=None, positions=None,
                          show_subsets: bool = True, title: str | None = None) -> Figure:
    """Left: P and Q with a set S; right: the point (Q(S), P(S)) inside the region R(P, Q).

    ``set_mask`` defaults to the likelihood-ratio set for budget ε
    (``theory.neyman_pearson_set``). Small supports (k ≤ 12) also show all 2^k set points,
    whose convex hull above the diagonal is the region.
    """
    p, q = np.asarray(p, float), np.asarray(q, float)
    if set_mask is None:
        set_mask = theory.neyman_pearson_set(p, q, eps)
    set_mask = np.asarray(set_mask, bool)
    fig, (ax_pair, ax_sq) = _figure(13, 5.2, ncols=2)
    draw_pair(ax_pair, p, q, set_mask=set_mask, positions=positions)
    _square(ax_sq, "mode-collapse region R(P, Q)")
    if show_subsets and p.size <= 12:
        pts = theory.subset_points(p, q)
        ax_sq.scatter(pts[:, 0], pts[:, 1], s=14, color=NEUTRAL, alpha=0.6, zorder=2,
                      label=f"(Q(S), P(S)) for all {len(pts)} sets S")
    draw_region(ax_sq, theory.roc_curve(p, q), label="ROC f(ε): upper boundary", show_tv=True)
    qs, ps = float(q[set_mask].sum()), float(p[set_mask].sum())
    ax_sq.plot([qs], [ps], "o", ms=13, color=ACCENT, mec="black", zorder=6,
               label=f"this S: (Q(S), P(S)) = ({qs:.2f}, {ps:.2f})")
    ax_sq.legend(loc="lower right", frameon=False, fontsize=10)
    fig.suptitle(title or "(ε, δ)-mode collapse: a set S with P(S) ≥ δ but Q(S) ≤ ε")
    return fig


def plot_packed_regions(p, q, m_values: Sequence[int] = tuple(range(1, 9)), *, eps=None,
                        delta=None, title: str | None = None, ax=None) -> Figure:
    """Regions R(Pᵐ, Qᵐ) for several m, nested and growing; optional (ε, δ) marker for max m."""
    if ax is None:
        fig, (ax,) = _figure(6.2, 6.2)
    else:
        fig = ax.figure
    _square(ax, title or "regions R(Pᵐ, Qᵐ) grow with the packing degree m")
    m_values = list(m_values)
    for m in m_values:
        vertices = theory.packed_roc_curve(p, q, m)
        tv_m = float(np.max(vertices[:, 1] - vertices[:, 0]))
        draw_region(ax, vertices, colour=pack_colour(m), alpha=0.12, lw=2,
                    fill=(m == m_values[-1]), label=f"m = {m}: TV(Pᵐ, Qᵐ) = {tv_m:.3f}")
    if eps is not None and delta is not None:
        m = m_values[-1]
        _marker(ax, eps, delta, theory.has_mode_collapse(p, q, eps, delta, m), m)
    ax.legend(loc="lower right", frameon=False, fontsize=9)
    return fig


def plot_equal_tv_pairs(pairs: Mapping[str, tuple], m_values: Sequence[int] = tuple(range(1, 9)),
                        m_curve: int = 16) -> Figure:
    """Two (or more) pairs with equal TV: their packed regions, and TV(Pᵐ, Qᵐ) against m."""
    names = list(pairs)
    fig, axes = _figure(6.0 * (len(names) + 1), 6.0, ncols=len(names) + 1)
    for ax, name in zip(axes, names):
        p, q = pairs[name]
        plot_packed_regions(p, q, m_values, ax=ax,
                            title=f"{name}\nTV(P, Q) = {theory.tv(p, q):.3f}")
    ax = axes[-1]
    ms = np.arange(1, m_curve + 1)
    styles = ["-o", "-s", "-^", "-D"]
    for i, name in enumerate(names):
        p, q = pairs[name]
        ax.plot(ms, [theory.packed_tv(p, q, int(m)) for m in ms], styles[i % 4], lw=2,
                color=[ACCENT, NO_COLLAPSE_COLOUR, GENERATED, REAL][i % 4], label=name)
    tau = theory.tv(*pairs[names[0]])
    ax.plot(ms, [theory.packed_tv_upper_bound(tau, int(m)) for m in ms], ":", color=NEUTRAL, lw=2, label=f"upper bound 1 − (1 − τ)ᵐ, τ = {tau:.2f}")
    ax.set_xlabel("packing degree m")
    ax.set_ylabel("TV(Pᵐ, Qᵐ)")
    ax.set_ylim(0, 1.02)
    ax.set_title("same TV(P, Q), different TV(Pᵐ, Qᵐ)")
    ax.legend(loc="lower right", frameon=False, fontsize=10)
    return fig


def plot_packed_tv_bounds(eps: float, delta: float, m_values: Sequence[int] = (1, 2, 4, 6),
                          taus=None, tau_marker: float | None = None,
                          m_range: Sequence[int] = tuple(range(1, 17))) -> Figure:
    """Left: bounds on TV(Pᵐ, Qᵐ) against τ; right: optimal packed accuracy against m at one τ.

    Solid: lower bound over pairs *with* (ε, δ)-mode collapse; dashed: lower bound over pairs
    *without*; dotted: the common upper bound 1 − (1 − τ)ᵐ.
    """
    taus = np.linspace(0, 1, 101) if taus is None else np.asarray(taus, float)
    fig, (ax, ax_acc) = _figure(14, 6.0, ncols=2)
    for m in m_values:
        colour = pack_colour(m)
        ax.plot(taus, theory.packed_tv_lower_bound(taus, eps, delta, m), "-", color=colour, lw=2.5,
                label=f"m = {m}")
        ax.plot(taus, theory.packed_tv_lower_bound_no_collapse(taus, eps, delta, m), "--",
                color=colour, lw=2)
        ax.plot(taus, theory.packed_tv_upper_bound(taus, m), ":", color=colour, lw=2)
    ax.axvline(delta - eps, color=NEUTRAL, lw=1)
    ax.text(delta - eps + 0.01, 0.03, "τ = δ − ε", color=NEUTRAL, fontsize=11)
    ax.plot([], [], "-", color="black", label="lower bound, with (ε, δ)-collapse")
    ax.plot([], [], "--", color="black", label="lower bound, without collapse")
    ax.plot([], [], ":", color="black", label="upper bound 1 − (1 − τ)ᵐ (both)")
    ax.set_xlabel("τ = TV(P, Q)")
    ax.set_ylabel("TV(Pᵐ, Qᵐ)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"packing amplifies TV  (ε = {eps}, δ = {delta})")
    ax.legend(loc="lower right", frameon=False, fontsize=10)

    tau = (delta - eps) + 0.05 if tau_marker is None else float(tau_marker)
    ms = np.asarray(list(m_range))
    lower_c = np.array([theory.packed_tv_lower_bound(tau, eps, delta, int(m)) for m in ms])
    lower_n = np.array([theory.packed_tv_lower_bound_no_collapse(tau, eps, delta, int(m)) for m in ms])
    upper = np.array([theory.packed_tv_upper_bound(tau, int(m)) for m in ms])
    ax_acc.plot(ms, 0.5 * (1 + lower_c), "-o", color=COLLAPSE_COLOUR, lw=2.5,
                label="every collapsed pair: at least")
    ax_acc.plot(ms, 0.5 * (1 + lower_n), "--s", color=NO_COLLAPSE_COLOUR, lw=2,
                label="best collapse-free pair: as low as")
    ax_acc.plot(ms, 0.5 * (1 + upper), ":", color=NEUTRAL, lw=2, label="any pair: at most")
    ax_acc.set_xlabel("packing degree m")
    ax_acc.set_ylabel("best discriminator accuracy (1 + TV(Pᵐ, Qᵐ)) / 2")
    ax_acc.set_ylim(0.5, 1.01)
    ax_acc.set_title(f"optimal packed discriminator at τ = {tau:.2f}")
    ax_acc.legend(loc="lower right", frameon=False, fontsize=10)
    return fig


def plot_verification(taus, packed, collapsed, eps: float, delta: float, m: int, *,
                      extremal: tuple | None = None, violations: int | None = None) -> Figure:
    """Random pairs: brute-force TV(Pᵐ, Qᵐ) against τ, coloured by (ε, δ)-collapse, with the bounds."""
    taus, packed, collapsed = np.asarray(taus), np.asarray(packed), np.asarray(collapsed, bool)
    fig, (ax,) = _figure(7.5, 6.2)
    grid = np.linspace(0, 1, 201)
    ax.scatter(taus[~collapsed], packed[~collapsed], s=10, alpha=0.45, color=NO_COLLAPSE_COLOUR,
               label=f"random pairs without collapse ({int((~collapsed).sum())})")
    ax.scatter(taus[collapsed], packed[collapsed], s=10, alpha=0.45, color=COLLAPSE_COLOUR,
               label=f"random pairs with collapse ({int(collapsed.sum())})")
    ax.plot(grid, theory.packed_tv_lower_bound(grid, eps, delta, m), "-", color=COLLAPSE_COLOUR,
            lw=2.5, label="lower bound, with collapse")
    ax.plot(grid, theory.packed_tv_lower_bound_no_collapse(grid, eps, delta, m), "--",
            color=NO_COLLAPSE_COLOUR, lw=2.5, label="lower bound, without collapse")
    ax.plot(grid, theory.packed_tv_upper_bound(grid, m), ":", color="black", lw=2,
            label="upper bound 1 − (1 − τ)ᵐ")
    if extremal is not None:
        ext_tau, ext_tv = extremal
        ax.plot(ext_tau, ext_tv, "*", ms=14, color="black", mfc=ACCENT,
                label="extremal pairs (brute force)")
    ax.set_xlabel("τ = TV(P, Q)")
    ax.set_ylabel(f"TV(Pᵐ, Qᵐ), m = {m}  (brute force)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    extra = "" if violations is None else f": {violations} violations"
    ax.set_title(f"verification, (ε, δ) = ({eps}, {delta}), m = {m}{extra}")
    ax.legend(loc="lower right", frameon=False, fontsize=9)
    return fig


def plot_gan_value(pairs: Mapping[str, tuple], m_max: int = 8) -> Figure:
    """Packed GAN value −log 4 + 2·JSD(Pᵐ ‖ Qᵐ) and TV(Pᵐ, Qᵐ) against m for named pairs."""
    fig, (ax_tv, ax_v) = _figure(13, 5.2, ncols=2)
    ms = np.arange(1, m_max + 1)
    colours = [ACCENT, NO_COLLAPSE_COLOUR, GENERATED, REAL]
    for i, (name, (p, q)) in enumerate(pairs.items()):
        c = colours[i % 4]
        ax_tv.plot(ms, [theory.packed_tv(p, q, int(m)) for m in ms], "-o", color=c, lw=2, label=name)
        value = [-np.log(4) + 2 * theory.packed_jsd(p, q, int(m)) for m in ms]
        ax_v.plot(ms, value, "-o", color=c, lw=2, label=name)
    ax_tv.set_xlabel("packing degree m")
    ax_tv.set_ylabel("TV(Pᵐ, Qᵐ)")
    ax_tv.set_title("total variation of the packed pair")
    ax_tv.set_ylim(0, 1.02)
    ax_v.axhline(-np.log(4), color=NEUTRAL, ls="--", lw=1)
    ax_v.text(m_max, -np.log(4) + 0.03, "−log 4: the value when Q = P", color=NEUTRAL,
              fontsize=11, ha="right")
    ax_v.axhline(0.0, color=NEUTRAL, ls=":", lw=1)
    ax_v.text(1, -0.08, "0: disjoint supports (JSD = log 2)", color=NEUTRAL, fontsize=11)
    ax_v.set_xlabel("packing degree m")
    ax_v.set_ylabel("−log 4 + 2·JSD(Pᵐ ‖ Qᵐ)")
    ax_v.set_title("packed GAN value with the optimal discriminator")
    ax_tv.legend(loc="lower right", frameon=False, fontsize=10)
    ax_v.legend(loc="upper left", bbox_to_anchor=(0.0, 0.9), frameon=False, fontsize=10)
    return fig


def region_explorer_figure(p, q, m: int, eps: float, delta: float, *, positions=None,
                           pair_name: str = "", comparison: tuple | None = None,
                           comparison_name: str = "", m_max: int = 8) -> Figure:
    """The frame the region-explorer widget shows (also its static fallback).

    Left: the pair; middle: R(Pᵐ, Qᵐ) (earlier m faint) with the (ε, δ) marker; right
    (optional): the same for a comparison pair with equal TV.
    """
    ncols = 3 if comparison is not None else 2
    fig, axes = _figure(5.4 * ncols, 5.4, ncols=ncols)
    draw_pair(axes[0], p, q, positions=positions, title=pair_name or "target P vs generator Q")
    panels = [(axes[1], p, q, pair_name)]
    if comparison is not None:
        panels.append((axes[2], comparison[0], comparison[1], comparison_name))
    for ax, pp, qq, name in panels:
        _square(ax)
        for mm in range(1, m):
            draw_region(ax, theory.packed_roc_curve(pp, qq, mm), colour=pack_colour(mm),
                        fill=False, lw=1.2, alpha=0.0)
        vertices = theory.packed_roc_curve(pp, qq, m)
        draw_region(ax, vertices, colour=pack_colour(m), alpha=0.22, show_tv=True,
                    label=f"R(Pᵐ, Qᵐ), m = {m}")
        _marker(ax, eps, delta, theory.has_mode_collapse(pp, qq, eps, delta, m), m)
        short = (name[:28] + "…") if len(name) > 29 else name
        ax.set_title(f"{short}\nregion of (Pᵐ, Qᵐ), m = {m}" if short else f"region of (Pᵐ, Qᵐ), m = {m}")
        ax.legend(loc="lower right", frameon=False, fontsize=9)
    return fig
