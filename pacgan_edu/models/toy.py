"""MLP generator and discriminator for 2D mixtures, as vectorized ensembles.

Paper sizes (PacGAN, Lin et al. 2018, § 2D experiments, from the authors' code): G has 4
hidden layers of 400 units, each Linear (no bias) -> BatchNorm -> ReLU, then Linear(400 -> 2);
D has 3 maxout layers of 200 units with 5 pieces, then Linear(200 -> 1). The only change
packing makes: D's first layer reads ``2*m`` numbers instead of 2.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from .layers import MemberBatchNorm, MemberLinear, MemberMaxout


@dataclass(frozen=True)
class ToyArchitecture:
    """Sizes of a toy G/D pair; presets name one of :data:`TOY_ARCHITECTURES`."""

    generator_hidden: int
    generator_layers: int
    generator_batch_norm: bool
    discriminator_hidden: int
    discriminator_layers: int
    maxout_pieces: int = 5
    init: str = "normal"      # "normal" = N(0, init_std) (paper); "uniform" = PyTorch default
    init_std: float = 0.02
    # each unit of D's first layer starts reading one sample of the pack (MemberMaxout); the
    # paper's D reads them all from the start, which leaves a packed D near chance for long
    first_layer_per_sample: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


TOY_ARCHITECTURES = {
    "paper": ToyArchitecture(400, 4, True, 200, 3, 5, "normal", 0.02),
    # small and fast enough for a laptop CPU; chosen in README "How we chose the lecture preset".
    # No BatchNorm in G, PyTorch's default init: at lecture length this G sharpens onto the ring's
    # modes (~78 % high quality vs ~35-56 % with BatchNorm) and a lone GAN drops grid modes the
    # packed ones keep (README "How we chose the lecture preset", rows 34-35 and 47-48).
    # D's first-layer units start on one sample each: packed Ds leave chance as early as the
    # lone one (README rows 74-77).
    "lecture": ToyArchitecture(128, 3, False, 64, 2, 5, "uniform", first_layer_per_sample=True),
    "tiny": ToyArchitecture(32, 2, True, 32, 1, 3, "normal", 0.02),
}


def toy_architecture(name_or_arch) -> ToyArchitecture:
    if isinstance(name_or_arch, ToyArchitecture):
        return name_or_arch
    try:
        return TOY_ARCHITECTURES[name_or_arch]
    except KeyError:
        raise ValueError(
            f"unknown toy architecture {name_or_arch!r}; valid: {', '.join(TOY_ARCHITECTURES)}"
        ) from None


class ToyGenerator(nn.Module):
    """K generators ``z (K, N, noise_dim) -> x (K, N, 2)``."""

    def __init__(self, generators, arch: ToyArchitecture, noise_dim: int = 2, out_dim: int = 2, device=None):
        super().__init__()
        members = len(generators)
        layers: list[nn.Module] = []
        width = noise_dim
        for index in range(arch.generator_layers):
            bn = arch.generator_batch_norm
            # a bias before BatchNorm is cancelled by the mean subtraction, so the paper drops it;
            # the layers at the data's ends (noise in, points out) stay float32 under bfloat16
            layers.append(MemberLinear(generators, width, arch.generator_hidden, not bn, arch.init, arch.init_std,
                                       device, full_precision=index == 0))
            if bn:
                layers.append(MemberBatchNorm(members, arch.generator_hidden, device=device))
            layers.append(nn.ReLU())
            width = arch.generator_hidden
        layers.append(MemberLinear(generators, width, out_dim, True, arch.init, arch.init_std, device,
                                   full_precision=True))
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, members: slice | None = None) -> torch.Tensor:
        """``z`` (K, N, noise_dim) -> (K, N, 2); with ``members`` (a slice) only those members run,
        on ``z`` with their count on the first axis (how one model serves several batch sizes)."""
        if members is None:
            return self.net(z)
        x = z
        for layer in self.net:
            x = layer(x, members) if isinstance(layer, (MemberLinear, MemberBatchNorm)) else layer(x)
        return x


class ToyDiscriminator(nn.Module):
    """K discriminators ``packs (K, B, m*2) -> logits (K, B)``; ``pack`` = m widens layer 1.

    ``pack`` may also be one m per member: layer 1 then reads ``2 * max(m)`` numbers, and a
    member with a smaller m sees its packs padded with zeros (exact: see ``MemberLinear``).
    """

    def __init__(self, generators, arch: ToyArchitecture, pack=1, in_dim: int = 2, device=None):
        super().__init__()
        packs = [pack] * len(generators) if isinstance(pack, int) else list(pack)
        if len(packs) != len(generators):
            raise ValueError(f"pack must be one m or one m per member ({len(generators)}), got {pack!r}")
        self.pack = packs[0] if len(set(packs)) == 1 else None   # None: several packing degrees
        self.input_width = width = in_dim * max(packs)               # what the trainer pads packs to
        layers: list[nn.Module] = []
        used = [in_dim * m for m in packs]
        for index in range(arch.discriminator_layers):  # the first reads data points: float32 always
            per_sample = index == 0 and arch.first_layer_per_sample
            layers.append(MemberMaxout(generators, width, arch.discriminator_hidden, arch.maxout_pieces,
                                       arch.init, arch.init_std, device, used, full_precision=index == 0,
                                       samples_per_member=packs if per_sample else None, sample_width=in_dim))
            width, used = arch.discriminator_hidden, None
        # the trunk's output is D's "features" (what feature matching and the remedies' extra
        # heads read); the head turns them into one logit per pack
        self.trunk = nn.Sequential(*layers)
        self.feature_width = width
        self.classify = MemberLinear(generators, width, 1, True, arch.init, arch.init_std, device, used)

    def features(self, packs: torch.Tensor) -> torch.Tensor:
        """``packs`` (K, B, m*2) -> D's last hidden layer (K, B, feature_width)."""
        return self.trunk(packs)

    def head(self, features: torch.Tensor) -> torch.Tensor:
        """Features (K, B, feature_width) -> logits (K, B)."""
        return self.classify(features).squeeze(-1)

    def forward(self, packs: torch.Tensor) -> torch.Tensor:
        return self.head(self.trunk(packs))
