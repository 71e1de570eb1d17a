"""Layers for *vectorized ensembles*: K independent networks evaluated as one batched op.

Every tensor carries a leading member axis ``K``: inputs ``(K, N, features)``, weights
``(K, in, out)``. Member k only ever touches slice k, so K members trained together are
exactly K independent runs (losses are summed over members, and Adam is element-wise).

Each member's parameters are drawn from that member's own ``torch.Generator``, so member k of
an ensemble starts exactly where a lone run with the same seed starts.
"""
from __future__ import annotations

import math

import torch
from torch import nn


def _draw(shape, generators, init: str, fan_in: int, std: float, device) -> torch.Tensor:
    """One tensor per member from its own generator, stacked to ``(K, *shape)``."""
    tensors = []
    for g in generators:
        if init == "normal":  # N(0, std), as in the PacGAN authors' code
            t = torch.randn(shape, generator=g, device=g.device) * std
        elif init == "uniform":  # PyTorch's default Linear init (Kaiming-uniform, a = sqrt(5))
            bound = 1.0 / math.sqrt(fan_in)
            t = (torch.rand(shape, generator=g, device=g.device) * 2 - 1) * bound
        else:
            raise ValueError(f"unknown init {init!r}; valid: 'normal', 'uniform'")
        tensors.append(t)
    return torch.stack(tensors).to(device)


class MemberLinear(nn.Module):
    """``y_k = x_k @ W_k + b_k`` for every member k, with one ``torch.baddbmm``."""

    def __init__(self, generators, in_features: int, out_features: int, bias: bool = True,
                 init: str = "normal", init_std: float = 0.02, device=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(_draw((in_features, out_features), generators, init, in_features, init_std, device))
        if bias:  # biases start at 0 (paper); the uniform init draws them like PyTorch does
            b = (_draw((out_features,), generators, init, in_features, init_std, device)
                 if init == "uniform" else torch.zeros(len(generators), out_features, device=device))
            self.bias = nn.Parameter(b)
        else:
            self.register_parameter("bias", None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.bias is None:
            return torch.bmm(x, self.weight)
        return torch.baddbmm(self.bias.unsqueeze(1), x, self.weight)


class MemberBatchNorm(nn.Module):
    """Batch normalisation over each member's own batch (axis 1), with per-member scale/shift.

    Always uses the statistics of the batch at hand (no running averages): the generator is
    run the same way in training and in evaluation, so "evaluating" cannot change what a GAN
    produces.
    """

    def __init__(self, members: int, features: int, eps: float = 1e-5, device=None):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(members, 1, features, device=device))
        self.bias = nn.Parameter(torch.zeros(members, 1, features, device=device))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # layer_norm over the batch axis of the transposed tensor is batch norm per member, and
        # about twice as fast on CPU as var_mean over a middle axis (benchmarks/bench_ensemble.py)
        normalized = torch.nn.functional.layer_norm(x.transpose(-1, 1), (x.shape[1],), eps=self.eps).transpose(-1, 1)
        return normalized * self.weight + self.bias


class MemberMaxout(nn.Module):
    """Maxout (Goodfellow et al. 2013): a linear map to ``units*pieces``, then max over pieces."""

    def __init__(self, generators, in_features: int, units: int, pieces: int = 5,
                 init: str = "normal", init_std: float = 0.02, device=None):
        super().__init__()
        self.units, self.pieces = units, pieces
        self.linear = MemberLinear(generators, in_features, units * pieces, True, init, init_std, device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.linear(x)
        # max() backpropagates through its argmax indices; amax() would build an equality mask
        return y.view(*y.shape[:-1], self.units, self.pieces).max(dim=-1).values
