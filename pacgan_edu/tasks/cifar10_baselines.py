"""Trivial "generators" for CIFAR-10 (or its stand-in), scored like a GAN: what a score must beat.

A class histogram is easy to fill without learning anything: random flat colours, no shape at
all, already cover most of the stand-in's classes (its classes differ in colour as well as
shape). So a CIFAR-10 table prints these rows beside the GANs, as the 2D tables print the
uniform cloud, and a GAN's score is evidence only where it beats the trivial rows.
"""
from __future__ import annotations

import torch

# name -> what it stands for (the table's row label says the first; docs say the second)
BASELINES = {
    "real images": "training images (held out from the scoring set): what a perfect generator gets",
    "flat colours": "each image one random colour, no shape: colour variety without learning anything",
    "pixel noise": "uniform random pixels: a generator that learned nothing",
    "one image": "one training image repeated: total mode collapse",
}


def baseline_samples(real: torch.Tensor, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """``real``: (n, 3, 32, 32) training images in [−1, 1]; returns n images per baseline, in
    [−1, 1], drawn with ``generator`` (its device is where they are made)."""
    if real.dim() != 4 or real.shape[1] != 3:
        raise ValueError(f"expected real images (n, 3, H, W), got {tuple(real.shape)}")
    n, device = len(real), generator.device

    def uniform(*shape):
        return torch.rand(*shape, generator=generator, device=device) * 2 - 1
    return {
        "real images": real,
        "flat colours": uniform(n, 3, 1, 1).expand_as(real).contiguous(),
        "pixel noise": uniform(*real.shape),
        "one image": real[:1].expand_as(real).contiguous(),
    }
