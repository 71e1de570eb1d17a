"""A long-tailed subset of CIFAR-10 (or its stand-in): the classes' sizes fall geometrically.

As CIFAR-10-LT (Cui et al., "Class-Balanced Loss Based on Effective Number of Samples", CVPR
2019): with imbalance ratio ρ = n_max / n_min, class k (k = 0 … C−1) keeps
n_k = ⌊n_max · ρ^(−k/(C−1))⌋ images, in the training and the test set alike. At ρ = 10 the
classes hold 24.5 % … 2.4 % of the images: rare classes are what a GAN that drops modes loses
first, and what packing should help keep (PacGAN's theory: a pack of m samples shows D a missing
mode of mass ε about m times as often).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .cifar10 import Cifar10Data

LONG_TAIL_RATIO = 10.0


def long_tail_counts(largest: int, classes: int = 10, ratio: float = LONG_TAIL_RATIO) -> list[int]:
    """Images kept per class: ``largest`` for class 0, falling geometrically to ``largest / ratio``."""
    if isinstance(largest, bool) or not isinstance(largest, int) or largest < 1:
        raise ValueError(f"largest must be an integer >= 1, got {largest!r}")
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ValueError(f"classes must be an integer >= 2, got {classes!r}")
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 1 <= ratio <= largest:
        raise ValueError(f"ratio must be a number in [1, {largest}] (n_max / n_min), got {ratio!r}")
    return [max(int(largest * ratio ** (-k / (classes - 1)) + 1e-9), 1) for k in range(classes)]


def _subset(labels: np.ndarray, classes: int, ratio: float, rng: np.random.Generator) -> np.ndarray:
    sizes = np.bincount(labels, minlength=classes)
    counts = long_tail_counts(int(sizes.min()), classes, ratio)
    keep = [rng.permutation(np.flatnonzero(labels == k))[:n] for k, n in enumerate(counts)]
    return np.sort(np.concatenate(keep))   # the original order, so a shuffled source stays shuffled


def long_tail(data: Cifar10Data, ratio: float = LONG_TAIL_RATIO, seed: int = 0) -> Cifar10Data:
    """``data`` with class k cut to ``n_min_class · ratio^(−k/9)`` images (train and test; which
    images stay is drawn with ``seed``). Its label says "long-tailed" with the ratio."""
    classes = len(data.classes)
    rng = np.random.default_rng([seed, 1019])
    train = _subset(data.train_labels, classes, ratio, rng)
    test = _subset(data.test_labels, classes, ratio, rng)
    return dataclasses.replace(data, train_images=data.train_images[train], train_labels=data.train_labels[train],
                               test_images=data.test_images[test], test_labels=data.test_labels[test],
                               source=f"{data.source}; long-tailed subset, ratio {ratio:g} (seed {seed})",
                               imbalance=float(ratio))
