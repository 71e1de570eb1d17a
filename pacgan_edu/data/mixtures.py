"""2D Gaussian mixtures: the paper's ring (8 modes) and grid (25 modes), and your own.

Defaults follow PacGAN (Lin et al. 2018), § 2D experiments: ring = 8 modes at
(cos 2πk/8, sin 2πk/8), std 0.01; grid = 25 modes at {-4, -2, 0, 2, 4}², std 0.05; equal weights.
"""
from __future__ import annotations

import math

import torch


class GaussianMixture:
    """Isotropic Gaussian mixture: ``means`` (k, d), one shared ``std``, mode ``weights``."""

    def __init__(self, means, std: float, weights=None, name: str = "custom"):
        means = torch.as_tensor(means, dtype=torch.float32)
        if means.dim() != 2 or means.shape[0] < 1 or means.shape[1] < 1:
            raise ValueError(f"means must have shape (modes, dims) with at least one mode, got {tuple(means.shape)}")
        if not torch.isfinite(means).all():
            raise ValueError("means must be finite numbers")
        if isinstance(std, bool) or not isinstance(std, (int, float)) or not math.isfinite(std) or std <= 0:
            raise ValueError(f"std must be a positive finite number, got {std!r}")
        if weights is None:
            weights = torch.full((means.shape[0],), 1.0 / means.shape[0])
        weights = torch.as_tensor(weights, dtype=torch.float32)
        if weights.shape != (means.shape[0],):
            raise ValueError(f"weights must have one entry per mode ({means.shape[0]}), got shape {tuple(weights.shape)}")
        if not torch.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
            raise ValueError("weights must be non-negative finite numbers with a positive sum")
        self.means = means
        self.std = float(std)
        self.weights = weights / weights.sum()
        self.name = name

    @property
    def num_modes(self) -> int:
        return self.means.shape[0]

    @property
    def dim(self) -> int:
        return self.means.shape[1]

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` samples, shape (n, d), on the generator's device; reproducible per generator."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        device = generator.device if generator is not None else torch.device("cpu")
        weights = self.weights.to(device)
        modes = torch.multinomial(weights, n, replacement=True, generator=generator) if n else \
            torch.zeros(0, dtype=torch.long, device=device)
        noise = torch.randn(n, self.dim, generator=generator, device=device)
        return self.means.to(device)[modes] + self.std * noise

    def extent(self, margin: float = 0.5) -> tuple[float, float, float, float]:
        """(xmin, xmax, ymin, ymax) around the modes, for plots and histograms."""
        lo = self.means.min(0).values - margin
        hi = self.means.max(0).values + margin
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])

    def __repr__(self) -> str:
        return f"GaussianMixture(name={self.name!r}, modes={self.num_modes}, std={self.std})"


def ring(modes: int = 8, radius: float = 1.0, std: float = 0.01) -> GaussianMixture:
    """``modes`` equal Gaussians evenly on a circle (no duplicated endpoint: k = 0..modes-1)."""
    if isinstance(modes, bool) or not isinstance(modes, int) or modes < 1:
        raise ValueError(f"modes must be an integer >= 1, got {modes!r}")
    if not radius > 0:
        raise ValueError(f"radius must be positive, got {radius!r}")
    angles = 2 * math.pi * torch.arange(modes, dtype=torch.float64) / modes
    means = radius * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    return GaussianMixture(means, std, name="ring")


def grid(side: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture:
    """``side``² equal Gaussians on a square lattice centred at 0 (paper: {-4,-2,0,2,4}²)."""
    if isinstance(side, bool) or not isinstance(side, int) or side < 1:
        raise ValueError(f"side must be an integer >= 1, got {side!r}")
    if not spacing > 0:
        raise ValueError(f"spacing must be positive, got {spacing!r}")
    coords = (torch.arange(side, dtype=torch.float64) - (side - 1) / 2) * spacing
    xs, ys = torch.meshgrid(coords, coords, indexing="ij")
    return GaussianMixture(torch.stack([xs.flatten(), ys.flatten()], dim=1), std, name="grid")


MIXTURES = {"ring": ring, "grid": grid}


def view_extent(mixture: GaussianMixture) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) that frames the mixture with room for stray samples: the square
    every 2D figure and the live panel draw (paper grid: [−5.2, 5.2]², ring: [−1.5, 1.5]²), and
    the region of the grid's null baseline (:func:`pacgan_edu.metrics.null_baselines`)."""
    xmin, xmax, ymin, ymax = mixture.extent(margin=0.0)
    margin = max(0.5, 0.15 * max(xmax - xmin, ymax - ymin))
    return xmin - margin, xmax + margin, ymin - margin, ymax + margin


def mixture(name: str) -> GaussianMixture:
    """The paper's mixture by name: ``"ring"`` or ``"grid"``."""
    try:
        return MIXTURES[name]()
    except KeyError:
        raise ValueError(f"unknown 2D dataset {name!r}; valid: {', '.join(MIXTURES)}") from None
