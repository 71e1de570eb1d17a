"""pacgan_edu: see GAN mode collapse, and cure it with PacGAN's packing.

The pieces, in the order data flows: ``data`` -> ``train`` (with ``models``, ``losses``,
``packing``) -> ``metrics`` -> ``plots`` -> ``widgets`` / notebooks.

The names below load on first use, so ``import pacgan_edu.theory`` (numpy only) stays light.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "GANTrainer": "train", "Member": "train",
    "TrainConfig": "presets", "PRESETS": "presets", "preset": "presets",
    "pack": "packing", "unpack": "packing",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'pacgan_edu' has no attribute {name!r}")
