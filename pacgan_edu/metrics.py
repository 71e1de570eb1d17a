"""How well does a generator cover a 2D mixture? The PacGAN paper's three numbers.

Definitions (Lin et al. 2018, § 2D experiments, following VEEGAN / Srivastava et al. 2017):
- a sample is **high quality** if it lies within 3 standard deviations of its nearest mode
  (distance divided by the component std);
- a mode is **captured** if at least one high-quality sample is assigned to it;
- **reverse KL** = KL(q ‖ uniform) = ln k − H(q), q = histogram of the high-quality samples
  over the k modes (formula inferred from the authors' logged entropy).
The paper evaluates 2,500 samples. Every function accepts samples of shape (n, 2) or a
whole ensemble's (K, n, 2) and then returns one value per member.
"""
from __future__ import annotations

import math

import torch

from .data.mixtures import GaussianMixture

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
    counts.scatter_add_(1, nearest, high_quality.float())
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
