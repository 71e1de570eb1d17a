"""Packing: the whole idea of PacGAN in two reshapes.

Lin, Khetan, Fanti, Oh, "PacGAN: The power of two samples in generative adversarial
networks", NeurIPS 2018 (arXiv 1712.04086): the discriminator judges ``m`` samples at once,
concatenated along the feature axis (2D points) or the channel axis (images). A pack is all
real or all fake, and gets one label.

Convention: ``m`` consecutive samples form one pack, so ``pack`` is a pure ``reshape``::

    x: (B*m, C, ...)  ->  (B, m*C, ...)     pack i = samples i*m, ..., i*m + m - 1
"""
from __future__ import annotations

import torch


def _check_degree(m) -> int:
    if isinstance(m, bool) or not isinstance(m, int) or m < 1:
        raise ValueError(f"packing degree m must be an integer >= 1, got {m!r}")
    return m


def pack(x: torch.Tensor, m: int) -> torch.Tensor:
    """Group ``m`` consecutive samples into one pack: ``(B*m, C, ...) -> (B, m*C, ...)``.

    Works for 2D points ``(N, 2)`` (features) and images ``(N, C, H, W)`` (channels).
    """
    m = _check_degree(m)
    if x.dim() < 2:
        raise ValueError(f"pack expects samples of shape (N, C, ...), got shape {tuple(x.shape)}")
    n = x.shape[0]
    if n % m != 0:
        raise ValueError(
            f"cannot pack {n} samples into packs of m={m}: the number of samples must be a "
            f"multiple of m (e.g. {n - n % m} or {n - n % m + m})"
        )
    return x.reshape(n // m, m * x.shape[1], *x.shape[2:])


def unpack(packs: torch.Tensor, m: int) -> torch.Tensor:
    """Inverse of :func:`pack`: ``(B, m*C, ...) -> (B*m, C, ...)``."""
    m = _check_degree(m)
    if packs.dim() < 2:
        raise ValueError(f"unpack expects packs of shape (B, m*C, ...), got shape {tuple(packs.shape)}")
    channels = packs.shape[1]
    if channels % m != 0:
        raise ValueError(
            f"cannot unpack {channels} channels into m={m} samples: channels must be a multiple of m"
        )
    return packs.reshape(packs.shape[0] * m, channels // m, *packs.shape[2:])


def pack_members(x: torch.Tensor, m: int) -> torch.Tensor:
    """``pack`` for an ensemble: ``(K, B*m, C, ...) -> (K, B, m*C, ...)``; members never mix."""
    members = x.shape[0]
    packs = pack(x.reshape(-1, *x.shape[2:]), m)
    return packs.reshape(members, -1, *packs.shape[1:])
