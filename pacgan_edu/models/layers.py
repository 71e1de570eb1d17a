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
    """``y_k = x_k @ W_k + b_k`` for every member k, with one ``torch.baddbmm``.

    ``used_in_features`` (one number per member, default all ``in_features``): member k reads
    only its first ``used_in_features[k]`` inputs; its weight rows beyond that are zero. This is
    how discriminators with different packing degrees share one batched layer: a narrower pack
    is padded with zeros, so the padded rows see zero inputs, get zero gradients, and Adam never
    moves them — member k computes exactly what a lone layer of its own width computes, and it
    is initialised like one (its own fan-in).

    ``used_out_features`` does the same for outputs: member k's columns beyond its own width
    are zero and stay zero (nothing reads them), e.g. a "which generator" head that predicts
    one label per sample of a pack has ``m × generators`` outputs for a member with pack m.

    ``full_precision``: under bfloat16 autocast (``TrainConfig.matmul_precision``) this layer
    still multiplies in float32 — for the layers that touch data points, whose scale bfloat16's
    8-bit mantissa cannot resolve (near x = 4 it rounds to 1/32, over half the grid's σ).
    """

    def __init__(self, generators, in_features: int, out_features: int, bias: bool = True,
                 init: str = "normal", init_std: float = 0.02, device=None, used_in_features=None,
                 used_out_features=None, full_precision: bool = False):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.full_precision = full_precision
        used = [in_features] * len(generators) if used_in_features is None else [int(u) for u in used_in_features]
        if len(used) != len(generators) or not all(1 <= u <= in_features for u in used):
            raise ValueError(f"used_in_features must give one width in 1..{in_features} per member, got {used_in_features!r}")
        outs = [out_features] * len(generators) if used_out_features is None else [int(u) for u in used_out_features]
        if len(outs) != len(generators) or not all(1 <= u <= out_features for u in outs):
            raise ValueError(f"used_out_features must give one width in 1..{out_features} per member, got {used_out_features!r}")
        self.used_in_features, self.used_out_features = used, outs
        weights, biases = [], []
        pad = torch.nn.functional.pad
        for g, width, out in zip(generators, used, outs):  # member by member: each draws as its lone twin would
            w = _draw((width, out), [g], init, width, init_std, device)[0]
            weights.append(pad(w, (0, out_features - out, 0, in_features - width)))
            if bias:  # biases start at 0 (paper); the uniform init draws them like PyTorch does
                b = (_draw((out,), [g], init, width, init_std, device)[0]
                     if init == "uniform" else torch.zeros(out, device=device))
                biases.append(pad(b, (0, out_features - out)))
        self.weight = nn.Parameter(torch.stack(weights))
        if bias:
            self.bias = nn.Parameter(torch.stack(biases))
        else:
            self.register_parameter("bias", None)

    def forward(self, x: torch.Tensor, members: slice | None = None) -> torch.Tensor:
        """``x`` (K, N, in) -> (K, N, out); with ``members`` (a slice), only those members run
        (``x`` then has their count on its first axis) — a view of the weights, no copy."""
        weight, bias = self.weight, self.bias
        if members is not None:
            weight = weight[members]
            bias = None if bias is None else bias[members]
        if self.full_precision and torch.is_autocast_enabled(x.device.type):
            with torch.autocast(x.device.type, enabled=False):
                return self._product(x.to(weight.dtype), weight, bias)  # the weights' own precision
        return self._product(x, weight, bias)

    @staticmethod
    def _product(x, weight, bias):
        if bias is None:
            return torch.bmm(x, weight)
        return torch.baddbmm(bias.unsqueeze(1), x, weight)


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

    def forward(self, x: torch.Tensor, members: slice | None = None) -> torch.Tensor:
        weight, bias = (self.weight, self.bias) if members is None else (self.weight[members], self.bias[members])
        # layer_norm over the batch axis of the transposed tensor is batch norm per member, and
        # about twice as fast on CPU as var_mean over a middle axis (benchmarks/bench_ensemble.py)
        normalized = torch.nn.functional.layer_norm(x.transpose(-1, 1), (x.shape[1],), eps=self.eps).transpose(-1, 1)
        return normalized * weight + bias


class _MaxOverPieces(torch.autograd.Function):
    """max over axis −2 of ``(..., pieces, units)``, as ``pieces − 1`` element-wise maxima of
    contiguous rows; the backward pass routes the gradient to the winning piece (a tie, which
    has probability zero for real-valued inputs, would send it to every winner).
    On a CPU this is about twice as fast as ``max``/``amax`` over an axis."""

    @staticmethod
    def forward(y):
        out = y[..., 0, :]
        for piece in range(1, y.shape[-2]):
            out = torch.maximum(out, y[..., piece, :])
        return out

    @staticmethod
    def setup_context(ctx, inputs, output):  # the separate form torch.func (unrolled GANs' tests) needs
        ctx.save_for_backward(inputs[0], output)

    @staticmethod
    def backward(ctx, grad):
        y, out = ctx.saved_tensors
        # 1 where y is the max, else 0, as float arithmetic: sign(y − max) + 1 (y − max ≤ 0);
        # five times faster on a CPU than a boolean mask times the gradient. (A torch.compile'd
        # one-pass version measured no faster in training: benchmarks/bench_compile.py.)
        return torch.sub(y, out.unsqueeze(-2)).sign_().add_(1).mul_(grad.unsqueeze(-2))


class MemberMaxout(nn.Module):
    """Maxout (Goodfellow et al. 2013): a linear map to ``units*pieces``, then max over pieces.

    The weights are drawn in the usual (unit, piece) column order and stored piece-major, so
    the max runs over a middle axis of contiguous rows of ``units`` numbers: about twice as fast
    on a CPU (forward and backward) as a max over the last axis of length ``pieces``.

    ``samples_per_member`` (with ``sample_width``): the layer reads packs of that many samples
    of ``sample_width`` numbers each, one count per member, and every unit starts out reading
    *one* sample of the pack (unit u reads sample u mod m, all its pieces alike), initialised
    with one sample's fan-in. Training is free to mix the samples afterwards. Why: a randomly
    initialised unit that reads all m samples sees the sum of m independent projections, which
    for m >= 3 already looks Gaussian (central limit theorem): the modes are washed out, so a
    packed D starts near chance and can stay there for thousands of steps (README "How we
    chose the lecture preset", rows 74-77). For m = 1 this is exactly the usual layer.
    """

    def __init__(self, generators, in_features: int, units: int, pieces: int = 5,
                 init: str = "normal", init_std: float = 0.02, device=None, used_in_features=None,
                 full_precision: bool = False, samples_per_member=None, sample_width: int | None = None):
        super().__init__()
        self.units, self.pieces = units, pieces
        self.linear = MemberLinear(generators, in_features, units * pieces, True, init, init_std, device,
                                   used_in_features, full_precision=full_precision)
        with torch.no_grad():  # (unit, piece) columns -> (piece, unit): the same numbers, reordered
            for p in (self.linear.weight, self.linear.bias):
                p.copy_(p.view(*p.shape[:-1], units, pieces).transpose(-1, -2).reshape(p.shape))
            if samples_per_member is not None:
                self._read_one_sample_per_unit(list(samples_per_member), sample_width, init)

    def _read_one_sample_per_unit(self, samples: list[int], sample_width: int | None, init: str) -> None:
        weight, bias = self.linear.weight, self.linear.bias
        if len(samples) != weight.shape[0] or not sample_width or any(
                m < 1 or m * sample_width > weight.shape[1] for m in samples):
            raise ValueError(f"samples_per_member must give one pack size per member ({weight.shape[0]}) whose "
                             f"samples of sample_width={sample_width!r} fit in {weight.shape[1]} inputs, got {samples!r}")
        unit = torch.arange(self.units).repeat(self.pieces)          # piece-major columns
        row_sample = torch.arange(weight.shape[1]) // sample_width
        for k, m in enumerate(samples):
            mask = (row_sample.unsqueeze(1) == (unit % m).unsqueeze(0)).to(weight.dtype)
            # the uniform init's bound is 1/sqrt(fan-in): one sample's, not the pack's
            scale = math.sqrt(m) if init == "uniform" else 1.0
            weight[k].mul_(mask * scale)
            bias[k].mul_(scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.linear(x)
        return _MaxOverPieces.apply(y.view(*y.shape[:-1], self.pieces, self.units))
