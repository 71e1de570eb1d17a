"""Minibatch discrimination (Salimans, Goodfellow, Zaremba, Cheung, Radford, Chen, "Improved
Techniques for Training GANs", NeurIPS 2016, § 3.2).

D's features f(x_i) ∈ R^A are multiplied by a tensor T ∈ R^{A×B×C} to give M_i ∈ R^{B×C}; for
each of the B kernels, sample i's closeness to every other sample of the same batch is

    c_b(i, j) = exp(−‖M_{i,b} − M_{j,b}‖₁),      o(x_i)_b = Σ_{j≠i} c_b(i, j),

and o(x_i) ∈ R^B is appended to f(x_i) before D's last layer. A collapsed generator's batch is
all look-alikes, so o is large on fake batches and D can tell them apart by *their diversity* —
PacGAN's idea reached from a different side. Real and fake batches are scored separately (the
training loop calls D on each), as in the authors' code. With packing, a "sample" is a pack.

Sizes: the authors use B = 100 kernels of C = 5 dimensions on features of several hundred
units; here the toy D's features are 64 (lecture) to 200 (paper) wide, so the default is
B = 16, C = 4 (``--remedy-option kernels=… dims=…``). T starts at N(0, 0.05²) and o gets a
learned bias starting at −1, as in the authors' ``MinibatchLayer``.
"""
from __future__ import annotations

import torch
from torch import nn

from ..models.layers import MemberLinear, _draw
from .base import Remedy, positive_int
from .heads import drop_head, feature_width


def minibatch_features(features: torch.Tensor, tensor: torch.Tensor) -> torch.Tensor:
    """o(x_i)_b = Σ_{j≠i} exp(−‖M_{i,b} − M_{j,b}‖₁) for features (K, N, A) and T (K, A, B, C) -> (K, N, B)."""
    members, n = features.shape[:2]
    kernels, dims = tensor.shape[-2:]
    m = torch.bmm(features, tensor.reshape(members, tensor.shape[1], kernels * dims))      # (K, N, B·C)
    m = m.view(members, n, kernels, dims).transpose(1, 2).reshape(members * kernels, n, dims)
    # ‖M_i − M_j‖₁ one dimension at a time: on a CPU 2.5x faster than one (K·B, N, N, C)
    # tensor, and unlike torch.cdist twice differentiable (a gradient penalty needs that)
    distance = 0
    for c in range(dims):
        x = m[..., c]
        distance = distance + (x.unsqueeze(2) - x.unsqueeze(1)).abs()
    closeness = torch.exp(-distance)                                                   # (K·B, N, N)
    # the self-pair is exp(0) = 1 exactly: subtracting it excludes it
    return (closeness.sum(-1) - 1.0).view(members, kernels, n).transpose(1, 2)


class MinibatchDiscriminator(nn.Module):
    """The task's D with its logit layer reading [f(x), o(x) + bias] instead of f(x)."""

    def __init__(self, base: nn.Module, init, kernels: int, dims: int, device):
        super().__init__()
        width = feature_width(base)
        drop_head(base)
        self.base = base
        self.tensor = nn.Parameter(_draw((width, kernels, dims), init, "normal", width, 0.05, device))
        self.bias = nn.Parameter(torch.full((len(init), 1, kernels), -1.0, device=device))
        self.classify = MemberLinear(init, width + kernels, 1, True, "normal", 0.02, device)
        self.feature_width = width

    @property
    def input_width(self) -> int:
        return self.base.input_width  # AttributeError (no padding) when the base has none

    def features(self, packs: torch.Tensor) -> torch.Tensor:
        return self.base.features(packs)

    def head(self, features: torch.Tensor) -> torch.Tensor:
        closeness = minibatch_features(features, self.tensor) + self.bias
        return self.classify(torch.cat([features, closeness], dim=-1)).squeeze(-1)

    def forward(self, packs: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(packs))


class MinibatchDiscrimination(Remedy):
    name = "minibatch"
    title = "minibatch discrimination"
    reference = "Salimans et al., Improved Techniques for Training GANs, NeurIPS 2016, § 3.2"
    summary = ("D also sees how similar each sample is to the rest of its batch, so a batch of "
               "look-alikes is easy to call fake.")
    options = {"kernels": (16, positive_int, "B, the number of similarity kernels"),
               "dims": (4, positive_int, "C, the dimension each kernel compares in")}

    def make_discriminator(self, task, init, pack, device):
        return MinibatchDiscriminator(task.make_discriminator(init, pack, device), init,
                                      self.kernels, self.dims, device)
