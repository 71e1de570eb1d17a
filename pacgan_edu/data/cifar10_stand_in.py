"""An offline stand-in for CIFAR-10: 10 classes of 32×32 colour images, made in a second.

Each class is a shape with its own colour (disc, square, triangle, cross, ring, stripes across,
stripes down, checker board, diamond, dot grid) at a random place and size on a random dark,
noisy background. It has what the CIFAR-10 notebook and tests need — 10 balanced classes a
small CNN can tell apart, in CIFAR-10's array format — and nothing else: it is *not* natural
images, and every figure, table and JSON made from it says "stand-in for CIFAR-10".
Deterministic: the same seed gives the same bytes.
"""
from __future__ import annotations

import numpy as np

from .cifar10 import STAND_IN_CLASSES, Cifar10Data

# one distinct colour per class (RGB), jittered per image
_COLOURS = np.array([[230, 60, 50], [60, 200, 70], [70, 110, 240], [240, 220, 50], [220, 80, 220],
                     [60, 220, 220], [250, 150, 40], [240, 240, 240], [150, 90, 40], [140, 200, 120]], dtype=np.float32)


def _masks(label: int, xx, yy, cx, cy, r):
    """Shape ``label``'s mask for every image (N, 32, 32); centres and radii (N, 1, 1)."""
    dx, dy = xx - cx, yy - cy
    square = (np.abs(dx) <= 0.8 * r) & (np.abs(dy) <= 0.8 * r)
    if label == 0:
        return dx ** 2 + dy ** 2 <= r ** 2
    if label == 1:
        return square
    if label == 2:
        return (dy >= -r) & (dy <= 0.7 * r) & (np.abs(dx) <= 0.6 * (dy + r))
    if label == 3:
        return ((np.abs(dx) <= 0.3 * r) & (np.abs(dy) <= r)) | ((np.abs(dy) <= 0.3 * r) & (np.abs(dx) <= r))
    if label == 4:
        distance = np.sqrt(dx ** 2 + dy ** 2)
        return (distance <= r) & (distance >= 0.55 * r)
    if label == 5:
        return square & (np.floor(yy / 3) % 2 == 0)
    if label == 6:
        return square & (np.floor(xx / 3) % 2 == 0)
    if label == 7:
        return square & ((np.floor(xx / 4) + np.floor(yy / 4)) % 2 == 0)
    if label == 8:
        return np.abs(dx) + np.abs(dy) <= r
    return square & (xx % 5 < 2) & (yy % 5 < 2)


def stand_in_images(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Images (N, 3, 32, 32) uint8 for ``labels``, drawn with ``rng``."""
    n = len(labels)
    yy, xx = np.mgrid[0:32, 0:32].astype(np.float32)
    cx, cy = (rng.uniform(10, 22, size=(2, n, 1, 1))).astype(np.float32)
    r = rng.uniform(6, 10, size=(n, 1, 1)).astype(np.float32)
    background = rng.uniform(0, 90, size=(n, 3, 1, 1)).astype(np.float32)
    images = background + rng.normal(0, 8, size=(n, 3, 32, 32)).astype(np.float32)
    colours = _COLOURS[labels] + rng.uniform(-30, 30, size=(n, 3)).astype(np.float32)
    for label in range(len(STAND_IN_CLASSES)):
        chosen = np.flatnonzero(labels == label)
        if not len(chosen):
            continue
        mask = _masks(label, xx, yy, cx[chosen], cy[chosen], r[chosen])[:, None]      # (n_c, 1, 32, 32)
        shape = colours[chosen][:, :, None, None] + rng.normal(0, 6, size=(len(chosen), 3, 32, 32))
        images[chosen] = np.where(mask, shape, images[chosen])
    return np.clip(np.rint(images), 0, 255).astype(np.uint8)


def _balanced_labels(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.permutation(np.arange(n) % len(STAND_IN_CLASSES)).astype(np.int64)


def cifar10_stand_in(train: int = 10_000, test: int = 2_000, seed: int = 0) -> Cifar10Data:
    """The stand-in dataset: ``train`` / ``test`` images, exactly balanced over the 10 classes
    when the counts are multiples of 10."""
    for name, value in (("train", train), ("test", test)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 10:
            raise ValueError(f"{name} must be an integer >= 10, got {value!r}")
    rng = np.random.default_rng([seed, 10])
    train_labels, test_labels = _balanced_labels(train, rng), _balanced_labels(test, rng)
    return Cifar10Data(stand_in_images(train_labels, rng), train_labels, stand_in_images(test_labels, rng), test_labels,
                       STAND_IN_CLASSES, f"procedural stand-in (seed {seed}, {train:,} train / {test:,} test): "
                                         "shapes x colours, not CIFAR-10",
                       stand_in=True)
