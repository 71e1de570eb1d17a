"""How CIFAR-10 samples are scored: class coverage from a classifier, precision / recall /
density / coverage on its features, and FID with the Inception weights when you have them.

- **Class coverage** (the image analogue of "modes captured"): the classifier's class histogram
  of the generated samples; ``classes_covered`` counts classes holding at least
  :data:`COVERAGE_FRACTION` (half) of their share in the real test set — 5 % each on balanced
  CIFAR-10, 1.2 % for the rarest class of the long-tailed subset;
  ``kl_to_uniform`` = KL(p ‖ uniform) in nats (0 for perfectly balanced classes, ln 10 = 2.30
  for one class only — as Stacked MNIST's KL); ``js_to_real`` = Jensen–Shannon divergence to the
  real test set's histogram (nats).
- **Precision / recall** (Kynkäänniemi et al., NeurIPS 2019) and **density / coverage** (Naeem
  et al., ICML 2020) with k-nearest-neighbour balls (k = 5) in the classifier's feature space.
- **FID** (Heusel et al., NeurIPS 2017) through torchmetrics'
  ``FrechetInceptionDistance(feature_extractor_weights_path=..., antialias=False)`` — the file
  named in :data:`FID_WEIGHTS` (checked by size and sha256 first), found through the
  ``PACGAN_EDU_FID_WEIGHTS`` environment variable; never downloaded here.
"""
from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path

import torch

COVERAGE_FRACTION = 0.5
PRDC_NEIGHBOURS = 5
FID_WEIGHTS_ENV = "PACGAN_EDU_FID_WEIGHTS"
FID_WEIGHTS = {"name": "weights-inception-2015-12-05-6726825d.pth", "size": 95_628_359,
               "sha256": "6726825d0af5f729cebd5821db510b11b1cfad8faad88a03f1befd49fb9129b2",
               "url": "https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/"
                      "weights-inception-2015-12-05-6726825d.pth"}


# ------------------------------------------------------------------------- class coverage
def class_histogram(labels: torch.Tensor, classes: int = 10) -> torch.Tensor:
    """Shares (classes,) of predicted labels (n,)."""
    counts = torch.bincount(labels.flatten().long().cpu(), minlength=classes).double()
    return counts / counts.sum().clamp(min=1)


def coverage_thresholds(real_shares, classes: int = 10, fraction: float = COVERAGE_FRACTION) -> torch.Tensor:
    """The share each class needs to count as covered: ``fraction`` of its real share
    (``real_shares``; None: balanced classes)."""
    real = torch.full((classes,), 1 / classes, dtype=torch.float64) if real_shares is None else \
        torch.as_tensor(real_shares, dtype=torch.float64)
    return fraction * real


def classes_covered(shares: torch.Tensor, real_shares: torch.Tensor | None = None,
                    fraction: float = COVERAGE_FRACTION) -> int:
    """Classes holding at least ``fraction`` of their real share (``real_shares``; None: uniform)."""
    thresholds = coverage_thresholds(real_shares, len(shares), fraction)
    return int((shares.double() >= thresholds - 1e-12).sum())


def kl_to_uniform(shares: torch.Tensor) -> float:
    """KL(p ‖ uniform) in nats (0 ⋯ ln K)."""
    p = shares.double()
    nonzero = p > 0
    return float((p[nonzero] * torch.log(p[nonzero] * len(p))).sum())


def js_divergence(p: torch.Tensor, q: torch.Tensor) -> float:
    """Jensen–Shannon divergence of two histograms, nats (0 ⋯ ln 2)."""
    p, q = p.double(), q.double()
    m = (p + q) / 2

    def kl(a, b):
        keep = a > 0
        return (a[keep] * torch.log(a[keep] / b[keep])).sum()
    return float((kl(p, m) + kl(q, m)) / 2)


def coverage_metrics(labels: torch.Tensor, real_shares: torch.Tensor, classes: int = 10) -> dict:
    shares = class_histogram(labels, classes)
    return {"classes_covered": classes_covered(shares, real_shares), "kl_to_uniform": kl_to_uniform(shares),
            "js_to_real": js_divergence(shares, real_shares)}


# ------------------------------------------------------------------------- PRDC
def _kth_neighbour_radius(features: torch.Tensor, k: int) -> torch.Tensor:
    distances = torch.cdist(features, features)
    # the k-th smallest excluding the point itself (distance 0, always the smallest)
    return distances.kthvalue(k + 1, dim=1).values


def prdc(real: torch.Tensor, fake: torch.Tensor, k: int = PRDC_NEIGHBOURS) -> dict:
    """Precision, recall (Kynkäänniemi 2019), density, coverage (Naeem 2020) of ``fake`` (M, d)
    against ``real`` (N, d), with each point's k-nearest-neighbour ball."""
    if len(real) <= k or len(fake) <= k:
        raise ValueError(f"PRDC with k = {k} needs more than {k} real and fake samples, got {len(real)} and {len(fake)}")
    real, fake = real.double(), fake.double()
    real_radius, fake_radius = _kth_neighbour_radius(real, k), _kth_neighbour_radius(fake, k)
    distance = torch.cdist(real, fake)                     # (N, M)
    inside_real = distance <= real_radius.unsqueeze(1)     # fake j inside real i's ball
    inside_fake = distance <= fake_radius.unsqueeze(0)     # real i inside fake j's ball
    return {"precision": float(inside_real.any(dim=0).double().mean()),
            "recall": float(inside_fake.any(dim=1).double().mean()),
            "density": float(inside_real.double().sum() / (k * fake.shape[0])),
            "coverage": float(inside_real.any(dim=1).double().mean())}


# ------------------------------------------------------------------------- FID
class FidWeightsMissing(FileNotFoundError):
    """The Inception weights FID needs are not where ``PACGAN_EDU_FID_WEIGHTS`` points."""


def fid_weights_path(path=None) -> Path:
    """The checked Inception weights file: ``path`` or ``$PACGAN_EDU_FID_WEIGHTS``."""
    path = path or os.environ.get(FID_WEIGHTS_ENV)
    how = (f"download {FID_WEIGHTS['name']} ({FID_WEIGHTS['size']:,} bytes, sha256 {FID_WEIGHTS['sha256'][:12]}…) "
           f"from {FID_WEIGHTS['url']} and set {FID_WEIGHTS_ENV} to its path")
    if not path:
        raise FidWeightsMissing(f"FID needs the Inception weights file; {how}")
    path = Path(path).expanduser()
    if not path.is_file():
        raise FidWeightsMissing(f"{FID_WEIGHTS_ENV} points at {path}, which does not exist; {how}")
    size = path.stat().st_size
    if size != FID_WEIGHTS["size"]:
        raise FidWeightsMissing(f"{path} has {size:,} bytes, not {FID_WEIGHTS['size']:,}: not {FID_WEIGHTS['name']}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != FID_WEIGHTS["sha256"]:
        raise FidWeightsMissing(f"{path}: sha256 {digest} is not {FID_WEIGHTS['name']}'s")
    return path


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """Images in [−1, 1] -> uint8 [0, 255] (what FID's Inception expects)."""
    return ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def fid(real: torch.Tensor, fake: torch.Tensor, feature: torch.nn.Module | None = None, weights_path=None,
        batch: int = 500) -> float:
    """FID between image sets (N, 3, H, W) in [−1, 1]. ``feature``: any module mapping uint8
    images to (N, d) (tests); default: torchmetrics' Inception with the checked weights."""
    from torchmetrics.image.fid import FrechetInceptionDistance
    if feature is None:
        metric = FrechetInceptionDistance(feature=2048, feature_extractor_weights_path=str(fid_weights_path(weights_path)),
                                          antialias=False, normalize=False)
    else:
        metric = FrechetInceptionDistance(feature=feature, normalize=False)
    metric = metric.to(real.device)
    for images, is_real in ((real, True), (fake, False)):
        for part in images.split(batch):
            metric.update(to_uint8(part), real=is_real)
    value = float(metric.compute())
    return value if math.isfinite(value) else math.nan
