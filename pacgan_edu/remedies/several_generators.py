"""Several generators and a "which generator" classifier.

Why one generator makes "bridges" (Agrawal, Singh, Khapra, "Towards Effective GANs for Data
Distributions with Diverse Modes", ICLR 2018 submission): a continuous G fed connected noise
has a connected output, so a single G that covers separate modes must also put samples on
the paths between them. Partitioning the noise — equivalently, K generators — removes the
need for bridges; a classifier that must tell which generator made a sample pushes the
generators apart, so they do not all pile onto the same modes.

As in MGAN (Hoang, Nguyen, Le, Phung, "MGAN: Training Generative Adversarial Nets with
Multiple Generators", ICLR 2018) the classifier C is a second head on D's trunk, trained with D
on generated samples only, and

    L_D += β · CE(C(G_k(z)), k),        L_G += β · CE(C(G_k(z)), k)

(MGAN: β = 0.01 with K = 10 on images; here β = 0.1 by default, ``--remedy-option beta=…``).
The generators are separate networks of the task's architecture (DMWGAN-style, Khayatkhoei,
Singh, Elgammal, NeurIPS 2018), each fed its own share of the batch — the same FLOPs as one G
on the whole batch. Sample i of a batch comes from generator ``i mod K``, so each generator
gets 1/K of the samples (⌊n/K⌋ or ⌈n/K⌉ when K does not divide n) and every pack mixes
generators. With packing, D's trunk reads
packs, so C predicts the generator of each of the m samples in a pack (m·K outputs).
The prior over generators is uniform (DMWGAN's learnable prior is not implemented).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..models.layers import MemberLinear
from .base import Remedy, StepData, positive_float, positive_int
from .heads import feature_width


class SeveralGenerators(nn.Module):
    """``count`` generators per member behind the one-generator interface ``z (K, N, d) -> (K, N, ...)``.

    ``inner`` is the task's generator built with ``count`` sub-members per member (member k's
    sub-generators drawn one after another from member k's own random stream)."""

    def __init__(self, inner: nn.Module, count: int):
        super().__init__()
        self.inner, self.count = inner, count

    def forward(self, z: torch.Tensor, members: slice | None = None) -> torch.Tensor:
        k, n = z.shape[:2]
        c = self.count
        rows = -(-n // c)
        if rows * c != n:  # round up with the first samples' noise again; the extra outputs are dropped
            z = torch.cat([z, z[:, : rows * c - n]], dim=1)
        # sample i -> generator i mod c: (K, rows, c, d) -> (K·c, rows, d)
        z = z.reshape(k, rows, c, *z.shape[2:]).transpose(1, 2).reshape(k * c, rows, *z.shape[2:])
        if members is None:
            x = self.inner(z)
        else:
            x = self.inner(z, slice(members.start * c, members.stop * c))
        x = x.reshape(k, c, rows, *x.shape[2:]).transpose(1, 2).reshape(k, rows * c, *x.shape[2:])
        return x[:, :n]


class WhichGeneratorDiscriminator(nn.Module):
    """The task's D plus a head ``which`` on its features predicting, for every sample of a
    pack, which generator made it (member k with pack m_k uses m_k·count outputs)."""

    def __init__(self, base: nn.Module, init, count: int, packs: list[int], device):
        super().__init__()
        self.base = base
        width = feature_width(base)
        self.feature_width = width
        self.which = MemberLinear(init, width, count * max(packs), True, "normal", 0.02, device,
                                  used_out_features=[count * m for m in packs])

    @property
    def input_width(self) -> int:
        return self.base.input_width

    def features(self, packs):
        return self.base.features(packs)

    def head(self, features):
        return self.base.head(features)

    def forward(self, packs):
        return self.base(packs)


def generator_labels(n: int, count: int, device=None) -> torch.Tensor:
    """Generator of each of ``n`` consecutive samples (sample i: generator i mod count)."""
    return torch.arange(n, device=device) % count


def which_generator_loss(discriminator: WhichGeneratorDiscriminator, fake_features: torch.Tensor,
                         runs, count: int) -> torch.Tensor:
    """Cross-entropy of the "which generator" head per member (K_group,), averaged over samples.

    ``runs``: the group's (m, slice of members) — the head's outputs for a pack are m blocks of
    ``count`` logits, block j for the pack's j-th sample."""
    logits = discriminator.which(fake_features)                      # (K_g, B, count·max m)
    parts = []
    for m, members in runs:
        run = logits[members, :, : count * m]
        k, b = run.shape[:2]
        run = run.reshape(k, b * m, count)                          # sample b·m + j = pack b, slot j
        labels = generator_labels(b * m, count, run.device).expand(k, -1)
        parts.append(F.cross_entropy(run.transpose(1, 2), labels, reduction="none").mean(dim=1))
    return torch.cat(parts)


class SeveralGeneratorsRemedy(Remedy):
    name = "several-generators"
    title = "several generators + classifier"
    reference = ("Agrawal, Singh, Khapra, ICLR 2018 submission; MGAN (Hoang et al., ICLR 2018); "
                 "DMWGAN (Khayatkhoei et al., NeurIPS 2018)")
    summary = ("K generators share the work and a classifier must tell them apart, so each takes "
               "different modes and none has to stretch across the gaps between modes.")
    options = {"generators": (10, positive_int, "K, the number of generators (MGAN: 10)"),
               "beta": (0.1, positive_float, "β, the weight of the 'which generator' cross-entropy")}
    uses_features = True

    def check(self):
        if self.generators < 2:
            raise ValueError("remedy 'several-generators' needs generators >= 2")

    def make_generator(self, task, init, device):
        inner = task.make_generator([g for g in init for _ in range(self.generators)], device)
        return SeveralGenerators(inner, self.generators)

    def make_discriminator(self, task, init, pack, device):
        packs = [pack] * len(init) if isinstance(pack, int) else list(pack)
        return WhichGeneratorDiscriminator(task.make_discriminator(init, pack, device), init,
                                           self.generators, packs, device)

    def discriminator_loss(self, trainer, step: StepData):
        return self.beta * which_generator_loss(step.group.discriminator, step.fake_features,
                                                step.group.runs, self.generators)

    def generator_loss(self, trainer, step: StepData):
        fool = trainer.loss.generator_loss(step.fake_logits)
        return fool + self.beta * which_generator_loss(step.group.discriminator, step.fake_features,
                                                       step.group.runs, self.generators)

    def sample_labels(self, n: int, chunk: int | None = None) -> torch.Tensor:
        chunk = chunk or n   # GANTrainer.generate runs G in chunks of B·m samples: labels restart per chunk
        return torch.cat([generator_labels(min(chunk, n - start), self.generators) for start in range(0, n, chunk)])
