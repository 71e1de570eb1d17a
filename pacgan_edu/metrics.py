"""How well does a generator cover a 2D mixture? The PacGAN paper's three numbers.

Definitions (Lin et al. 2018, § 2D experiments, following VEEGAN / Srivastava et al. 2017):
- a sample is **high quality** if it lies within 3 standard deviations of its nearest mode
  (distance divided by the component std);
- a mode is **captured** if at least one high-quality sample is assigned to it;
- **reverse KL** = KL(q ‖ uniform) = ln k − H(q), q = histogram of the high-quality samples
  over the k modes (formula inferred from the authors' logged entropy).
The paper evaluates 2,500 samples. Every function accepts samples of shape (n, 2) or a
whole ensemble's (K, n, 2) and then returns one value per member.

**Null baselines: a score is evidence only where it beats a trivial generator.** "Modes
captured" needs one lucky sample per mode, so a generator that learned *nothing but the data's
extent* already captures most modes: :func:`null_baselines` scores two reference generators on
the same number of samples, mean ± s.e. over independent draws:

- ``"uniform"`` — a generator that learned only the data's extent, defined here once
  (:func:`baseline_region`): if the mixture's modes lie on a circle centred at the origin (at
  least 3 modes, all at the same distance r > 0 from it; the paper's ring), uniform on that
  circle of radius r; otherwise uniform over the box every figure and the live panel draw,
  :func:`pacgan_edu.data.mixtures.view_extent` (the paper's grid: [−5.2, 5.2]²). On the grid
  at 2,500 samples it captures about 20 of 25 modes (25·(1 − e^(−n·p)), p = π(3σ)²/area),
  with ~2 % high-quality samples;
  on the ring all 8 modes, with ~8 % high quality.
- ``"real"`` — fresh samples of the mixture itself: a perfect generator, the ceiling (all
  modes, ~98.9 % high quality in 2D, reverse KL near 0 but not 0 at finite n).

:func:`beats_baseline` says whether a result beats the uniform baseline beyond noise
(difference > 2 × combined standard error, in the metric's better direction).
"""
from __future__ import annotations

import functools
import math

import torch

from .data.mixtures import GaussianMixture, mixture as named_mixture, view_extent
from .sweep import mean_se

EVAL_SAMPLES = 2500
HIGH_QUALITY_STDS = 3.0


def _as_members(samples) -> tuple[torch.Tensor, bool]:
    x = torch.as_tensor(samples, dtype=torch.float32)
    if x.dim() == 2:
        return x.unsqueeze(0), True
    if x.dim() == 3:
        return x, False
    raise ValueError(f"samples must have shape (n, d) or (members, n, d), got {tuple(x.shape)}")


def mode_counts(samples, mixture: GaussianMixture) -> torch.Tensor:
    """High-quality samples per mode: (k,) for (n, d) input, (K, k) for (K, n, d)."""
    x, single = _as_members(samples)
    means = mixture.means.to(x.device)
    if x.shape[-1] != means.shape[1]:
        raise ValueError(f"samples have {x.shape[-1]} dims but the mixture has {means.shape[1]}")
    distance = torch.cdist(x, means.unsqueeze(0).expand(x.shape[0], -1, -1))  # (K, n, k)
    nearest_distance, nearest = distance.min(dim=-1)
    high_quality = nearest_distance <= HIGH_QUALITY_STDS * mixture.std
    counts = torch.zeros(x.shape[0], means.shape[0], device=x.device)
    counts.scatter_add_(1, nearest, high_quality.to(counts.dtype))   # counts: any float dtype
    return counts[0] if single else counts


def mixture_metrics(samples, mixture: GaussianMixture) -> dict[str, torch.Tensor]:
    """``modes_captured``, ``high_quality_fraction`` (in [0, 1]) and ``reverse_kl`` (nats) at once.

    With no high-quality sample at all, q is undefined; we report the worst case, ln k
    (everything on one mode), so that averages over seeds stay finite and honest.
    """
    x, single = _as_members(samples)
    counts = mode_counts(x, mixture)
    total = counts.sum(dim=1)
    k = mixture.num_modes
    q = counts / total.clamp_min(1).unsqueeze(1)
    entropy = -(q * torch.log(q.clamp_min(1e-30))).sum(dim=1)
    reverse = torch.where(total > 0, math.log(k) - entropy, torch.full_like(total, math.log(k)))
    out = {
        "modes_captured": (counts > 0).sum(dim=1),
        "high_quality_fraction": total / x.shape[1],
        "reverse_kl": reverse.clamp_min(0.0),
    }
    return {name: v[0] for name, v in out.items()} if single else out


def modes_captured(samples, mixture: GaussianMixture):
    """Number of modes with at least one high-quality sample."""
    return mixture_metrics(samples, mixture)["modes_captured"]


def high_quality_fraction(samples, mixture: GaussianMixture):
    """Fraction of samples within 3 std of their nearest mode."""
    return mixture_metrics(samples, mixture)["high_quality_fraction"]


def reverse_kl(samples, mixture: GaussianMixture):
    """KL(high-quality histogram ‖ uniform over modes), in nats."""
    return mixture_metrics(samples, mixture)["reverse_kl"]


def _mixture_bin_mass(mixture: GaussianMixture, edges_x: torch.Tensor, edges_y: torch.Tensor) -> torch.Tensor:
    """Exact mass of the mixture in each histogram cell (Gaussian CDF differences)."""
    def cdf(edges, centres):  # (modes, edges)
        return 0.5 * (1 + torch.erf((edges.unsqueeze(0) - centres.unsqueeze(1)) / (mixture.std * math.sqrt(2))))
    mass_x = torch.diff(cdf(edges_x, mixture.means[:, 0].double()), dim=1)  # (modes, bins)
    mass_y = torch.diff(cdf(edges_y, mixture.means[:, 1].double()), dim=1)
    return torch.einsum("k,ki,kj->ij", mixture.weights.double(), mass_x, mass_y)


def grid_divergences(samples, mixture: GaussianMixture, bins: int = 40) -> dict[str, torch.Tensor]:
    """Cheap live-view scores on a ``bins × bins`` histogram over the mixture's extent.

    ``js``: Jensen–Shannon divergence (nats, at most ln 2) between the binned target and the
    binned samples; ``kl``: KL(target ‖ samples) with the sample histogram smoothed by one
    pseudo-count per cell so it stays finite. Samples outside the extent are dropped.
    """
    x, single = _as_members(samples)
    xmin, xmax, ymin, ymax = mixture.extent(margin=0.5)
    edges_x = torch.linspace(xmin, xmax, bins + 1, dtype=torch.float64)
    edges_y = torch.linspace(ymin, ymax, bins + 1, dtype=torch.float64)
    target = _mixture_bin_mass(mixture, edges_x, edges_y).flatten()
    target = target / target.sum()
    ix = ((x[..., 0].double().cpu() - xmin) / (xmax - xmin) * bins).floor().long()
    iy = ((x[..., 1].double().cpu() - ymin) / (ymax - ymin) * bins).floor().long()
    inside = (ix >= 0) & (ix < bins) & (iy >= 0) & (iy < bins)
    cell = (ix * bins + iy).clamp(0, bins * bins - 1)
    hist = torch.zeros(x.shape[0], bins * bins, dtype=torch.float64)
    hist.scatter_add_(1, cell, inside.double())
    fake = hist / hist.sum(dim=1, keepdim=True).clamp_min(1)
    smooth = (hist + 1) / (hist.sum(dim=1, keepdim=True) + bins * bins)

    def kl(p, q):
        return torch.where(p > 0, p * (torch.log(p.clamp_min(1e-300)) - torch.log(q.clamp_min(1e-300))), torch.zeros_like(p)).sum(-1)

    middle = 0.5 * (target.unsqueeze(0) + fake)
    out = {
        "js": 0.5 * kl(target.unsqueeze(0), middle) + 0.5 * kl(fake, middle),
        "kl": kl(target.unsqueeze(0).expand_as(smooth), smooth),
    }
    return {name: v[0] for name, v in out.items()} if single else out


# ------------------------------------------------------------------------------ null baselines
NULL_BASELINE_DRAWS = 20
# +1: higher is better (modes captured, high-quality fraction); −1: lower is better (reverse KL)
BETTER_DIRECTION = {"modes_captured": +1, "high_quality_fraction": +1, "reverse_kl": -1}


def _resolve(mixture) -> GaussianMixture:
    if isinstance(mixture, str):
        return named_mixture(mixture)
    if not isinstance(mixture, GaussianMixture):
        raise TypeError(f"mixture must be a GaussianMixture or a dataset name, got {type(mixture).__name__}")
    if mixture.dim != 2:
        raise ValueError(f"null baselines are defined for 2D mixtures; this one has {mixture.dim} dims")
    return mixture


def baseline_region(mixture) -> dict:
    """Where "a generator that learned only the data's extent" puts its samples, uniformly.

    Rule: modes on a circle centred at the origin (at least 3 modes, all at the same distance
    r > 0 from it, to a relative 1e-4) → ``{"shape": "circle", "radius": r}``; anything else →
    ``{"shape": "box", "extent": view_extent(mixture)}``, the box the figures draw. Both carry
    a ``"description"`` for titles and tables. ``mixture``: a GaussianMixture or a name.
    """
    mixture = _resolve(mixture)
    radii = mixture.means.double().norm(dim=1)
    radius = float(radii.mean())
    if mixture.num_modes >= 3 and radius > 0 and float((radii - radius).abs().max()) <= 1e-4 * radius:
        return {"shape": "circle", "radius": radius,
                "description": f"uniform on the circle of radius {radius:g} through the modes"}
    xmin, xmax, ymin, ymax = view_extent(mixture)
    return {"shape": "box", "extent": (xmin, xmax, ymin, ymax),
            "description": f"uniform over [{xmin:g}, {xmax:g}] × [{ymin:g}, {ymax:g}] (the plotted extent)"}


def uniform_baseline_samples(mixture, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """(n, 2) samples of the trivial generator, uniform over :func:`baseline_region`; on the
    generator's device, reproducible per generator."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    region = baseline_region(mixture)
    device = generator.device if generator is not None else torch.device("cpu")
    u = torch.rand(n, 2, generator=generator, device=device)
    if region["shape"] == "circle":
        angle = 2 * math.pi * u[:, 0]
        return region["radius"] * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    xmin, xmax, ymin, ymax = region["extent"]
    low = torch.tensor([xmin, ymin], device=device)
    return low + u * torch.tensor([xmax - xmin, ymax - ymin], device=device)


def null_baselines(mixture, n: int = EVAL_SAMPLES, draws: int = NULL_BASELINE_DRAWS, seed: int = 0) -> dict:
    """What trivial generators score, ``{"uniform": {metric: {"mean", "se", "n"}}, "real": {...}}``.

    ``"uniform"``: :func:`uniform_baseline_samples` (learned only the data's extent);
    ``"real"``: fresh samples of the mixture (a perfect generator). Each is scored on ``n``
    samples — use the ``eval_samples`` of the runs you compare with, since modes captured grows
    with n — ``draws`` times; mean ± s.e. over the draws (``"n"`` = draws), fractions in [0, 1].
    ``mixture``: a GaussianMixture or a dataset name. Reproducible per ``seed``.

    Cached on the mixture's contents and the arguments: repeated calls (CLI, figures, the live
    panel) return the **same** dict — copy it before changing it.
    """
    mixture = _resolve(mixture)
    for name, value, low in (("n", n, 1), ("draws", draws, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    key = (mixture.name, tuple(map(tuple, mixture.means.tolist())), mixture.std, tuple(mixture.weights.tolist()))
    return _null_baselines(key, n, draws, seed)


@functools.lru_cache(maxsize=64)
def _null_baselines(key, n: int, draws: int, seed: int) -> dict:
    name, means, std, weights = key
    mixture = GaussianMixture(means, std, weights, name=name)
    rng = torch.Generator().manual_seed(seed)
    samples = {"uniform": uniform_baseline_samples(mixture, draws * n, rng).reshape(draws, n, 2),
               "real": mixture.sample(draws * n, rng).reshape(draws, n, 2)}
    out = {}
    for which, x in samples.items():
        scores = mixture_metrics(x, mixture)  # one value per draw
        out[which] = {metric: mean_se(values.tolist()) for metric, values in scores.items()}
    return out


def beats_baseline(ours_mean: float, ours_se: float, baseline: dict, metric: str) -> bool:
    """True if a result (mean ± s.e.) is better than ``baseline`` ({"mean", "se"}, e.g.
    ``null_baselines(...)["uniform"][metric]``) beyond noise: by more than 2 × the combined
    standard error √(se² + se_baseline²), in the metric's better direction (higher modes
    captured and high-quality fraction, lower reverse KL). Undefined (NaN) inputs never beat.
    """
    try:
        direction = BETTER_DIRECTION[metric]
    except KeyError:
        raise ValueError(f"unknown metric {metric!r}; valid: {', '.join(BETTER_DIRECTION)}") from None
    ours_se = 0.0 if ours_se is None else float(ours_se)
    values = [float(ours_mean), ours_se, float(baseline["mean"]), float(baseline["se"])]
    if not all(math.isfinite(v) for v in values):
        return False
    return direction * (values[0] - values[2]) > 2 * math.hypot(values[1], values[3])
