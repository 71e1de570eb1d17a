"""DCGAN generator and discriminator for Stacked MNIST (28×28×3) and CIFAR-10 (32×32×3), with packing.

Two settings from PacGAN (Lin et al., NeurIPS 2018), REFERENCES.md § Stacked MNIST:

* **VEEGAN setting** (Table 2; Srivastava et al. 2017): z ∈ R¹⁰⁰ ~ U(−1, 1).
  G: Linear → 2×2×8w, BN, ReLU; 5×5 stride-2 transposed convs → 4×4×4w → 7×7×2w → 14×14×w
  (BN + ReLU) → 28×28×3, tanh. D: 5×5 stride-2 convs 3m → w (leaky ReLU 0.2, no BN) → 2w → 4w
  → 8w (BN + leaky ReLU 0.2) → Linear → 1 logit. The paper has w = 64.
* **Unrolled-GAN setting** (Table 3; Metz et al. 2017): z ∈ R²⁵⁶ ~ N(0, I).
  G: Linear → 4×4×64, BN, ReLU; 3×3 stride-2 transposed convs → 7×7×32 → 14×14×16 → 28×28×8
  (BN + ReLU); 3×3 conv → 3, tanh. D: 3×3 stride-2 convs with BN + leaky ReLU 0.3, channels
  2 → 4 → 8 (the "¼" D) or 4 → 8 → 16 (the "½" D), Linear → 1 logit.

* **DCGAN-32 for CIFAR-10** (Radford et al. 2016's shape at 32×32, as in PacGAN's follow-ups):
  z ∈ R¹⁰⁰ ~ N(0, I). G: Linear → 4×4×4w, BN, ReLU; 5×5 stride-2 transposed convs → 8×8×2w →
  16×16×w (BN + ReLU) → 32×32×3, tanh. D: 5×5 stride-2 convs 3m → w (leaky ReLU 0.2, no BN) →
  2w → 4w (BN + leaky ReLU 0.2) → Linear → 1 logit. w = 64 ("paper"), 16 ("lecture": a CPU), 4 ("tiny").
  Collapse-prone variants: D at a quarter of G's width ("-quarter-d"), G without BatchNorm
  ("-no-bn-g").

Packing changes one number: D's first layer reads 3m channels (m stacked images).

Ensembles: the training loop hands every network a leading member axis K. These networks are
small and K is usually 1, so :class:`LoopedEnsemble` simply keeps K ordinary modules and applies
member k's module to slice k. Member k's weights are drawn from member k's own
``torch.Generator``, so a member of an ensemble is exactly the lone run with the same seed.

Batch normalisation always uses the statistics of the batch at hand (no running averages), as
the toy models do: G behaves the same while training and while being evaluated.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

IMAGE_SIDE = 28
IMAGE_CHANNELS = 3
INIT_STD = 0.02  # DCGAN (Radford et al. 2016) and the PacGAN authors' code: N(0, 0.02), biases 0


@dataclass(frozen=True)
class DCGANArchitecture:
    """Sizes of one DCGAN G/D pair (see the module docstring for the two paper settings)."""

    name: str
    noise_dim: int
    generator_channels: tuple        # first feature map, then each transposed conv's output
    generator_kernel: int
    generator_final_conv: bool       # unrolled setting: a last 3×3 conv to 3 channels
    discriminator_channels: tuple    # each conv's output channels
    discriminator_kernel: int
    discriminator_first_batch_norm: bool
    leaky_slope: float
    image_side: int = IMAGE_SIDE     # 28 (Stacked MNIST) or 32 (CIFAR-10)
    # False: G without its BatchNorm layers (and nothing else changed) — Arjovsky et al. 2017
    # (WGAN, § 4.3) show the standard GAN failing with such a DCGAN generator; here it collapses
    generator_batch_norm: bool = True

    def as_dict(self) -> dict:
        return asdict(self)


def _veegan(name: str, w: int) -> DCGANArchitecture:
    return DCGANArchitecture(name, 100, (8 * w, 4 * w, 2 * w, w, IMAGE_CHANNELS), 5, False,
                             (w, 2 * w, 4 * w, 8 * w), 5, False, 0.2)


def _unrolled(name: str, g: int, d: tuple) -> DCGANArchitecture:
    return DCGANArchitecture(name, 256, (8 * g, 4 * g, 2 * g, g), 3, True, d, 3, True, 0.3)


# setting -> size -> architecture. "paper" is the paper's; "lecture" is narrower so that a
# laptop CPU trains it in minutes; "tiny" exists for tests and CI.
DCGAN_ARCHITECTURES = {
    "veegan": {"paper": _veegan("veegan-paper", 64), "lecture": _veegan("veegan-lecture", 16),
               "tiny": _veegan("veegan-tiny", 4)},
    "unrolled-quarter": {"paper": _unrolled("unrolled-quarter-paper", 8, (2, 4, 8)),
                         "lecture": _unrolled("unrolled-quarter-lecture", 8, (2, 4, 8)),
                         "tiny": _unrolled("unrolled-quarter-tiny", 2, (2, 4, 8))},
    "unrolled-half": {"paper": _unrolled("unrolled-half-paper", 8, (4, 8, 16)),
                      "lecture": _unrolled("unrolled-half-lecture", 8, (4, 8, 16)),
                      "tiny": _unrolled("unrolled-half-tiny", 2, (4, 8, 16))},
}


def _cifar(name: str, w: int, d: int | None = None, generator_batch_norm: bool = True) -> DCGANArchitecture:
    d = w if d is None else d   # D's width; d < w makes a weaker D, as PacGAN's Table 3 does on Stacked MNIST
    return DCGANArchitecture(name, 100, (4 * w, 2 * w, w, IMAGE_CHANNELS), 5, False, (d, 2 * d, 4 * d), 5, False,
                             0.2, 32, generator_batch_norm)


# Collapse-prone variants, by suffix (README "CIFAR-10" lists what each did on the stand-in):
# "-quarter-d": the same G with D at a quarter of its width (a weak D, as PacGAN's Table 3 uses
# on Stacked MNIST); "-no-bn-g": G without its BatchNorm layers (Arjovsky et al. 2017).
DCGAN_ARCHITECTURES["cifar10"] = {
    f"{size}{weak}{plain}": _cifar(f"dcgan32-{size}{weak}{plain}", w, w // 4 if weak else w, not plain)
    for size, w in (("paper", 64), ("lecture", 16), ("tiny", 4))
    for weak in ("", "-quarter-d") for plain in ("", "-no-bn-g")}


def dcgan_architecture(setting: str, size: str) -> DCGANArchitecture:
    """The architecture for a Stacked MNIST ``setting`` at ``size`` ("paper", "lecture", "tiny")."""
    if setting not in DCGAN_ARCHITECTURES:
        raise ValueError(f"unknown Stacked MNIST setting {setting!r}; valid: {', '.join(DCGAN_ARCHITECTURES)}")
    sizes = DCGAN_ARCHITECTURES[setting]
    if size not in sizes:
        raise ValueError(f"unknown architecture {size!r} for setting {setting!r}; valid: {', '.join(sizes)}")
    return sizes[size]


def _halvings(count: int, side: int = IMAGE_SIDE) -> list[int]:
    """Feature-map sides of a stride-2 "same" conv stack: 28, 14, 7, 4, 2, ... (count + 1 sides)."""
    sides = [side]
    for _ in range(count):
        sides.append(math.ceil(sides[-1] / 2))
    return sides


class DCGANGenerator(nn.Module):
    """One generator ``z (N, noise_dim) -> images (N, 3, 28, 28)`` in [−1, 1]."""

    def __init__(self, arch: DCGANArchitecture):
        super().__init__()
        channels, k = arch.generator_channels, arch.generator_kernel
        sides = _halvings(len(channels) - 1, arch.image_side)[::-1]           # e.g. 2, 4, 7, 14, 28
        self.start = (channels[0], sides[0], sides[0])
        # no bias before BatchNorm: its mean subtraction would cancel it (none without BatchNorm
        # either, so that a "-no-bn-g" G differs from DCGAN's by the BatchNorm layers alone)
        self.project = nn.Linear(arch.noise_dim, channels[0] * sides[0] ** 2, bias=False)
        # BN per channel of the first feature map, after the reshape (as in the authors' code)
        def normalise(c: int) -> list[nn.Module]:
            return [nn.BatchNorm2d(c, track_running_stats=False)] if arch.generator_batch_norm else []
        layers: list[nn.Module] = [*normalise(channels[0]), nn.ReLU()]
        last = len(channels) - 2
        for i, (c_in, c_out) in enumerate(zip(channels[:-1], channels[1:])):
            # output side = 2·in − 1 + output_padding: output_padding picks 4 vs 7, 14, 28
            output_padding = sides[i + 1] - (2 * sides[i] - 1)
            is_image = i == last and not arch.generator_final_conv
            layers.append(nn.ConvTranspose2d(c_in, c_out, k, stride=2, padding=k // 2,
                                             output_padding=output_padding, bias=is_image))
            layers += [nn.Tanh()] if is_image else [*normalise(c_out), nn.ReLU()]
        if arch.generator_final_conv:
            layers += [nn.Conv2d(channels[-1], IMAGE_CHANNELS, 3, padding=1), nn.Tanh()]
        self.upsample = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.upsample(self.project(z).view(-1, *self.start))


class DCGANDiscriminator(nn.Module):
    """One discriminator ``packs (B, 3m, 28, 28) -> logits (B,)``; ``pack`` = m widens layer 1."""

    def __init__(self, arch: DCGANArchitecture, pack: int = 1):
        super().__init__()
        if isinstance(pack, bool) or not isinstance(pack, int) or pack < 1:
            raise ValueError(f"packing degree must be an integer >= 1, got {pack!r}")
        self.pack = pack
        channels, k = (IMAGE_CHANNELS * pack, *arch.discriminator_channels), arch.discriminator_kernel
        layers: list[nn.Module] = []
        for i, (c_in, c_out) in enumerate(zip(channels[:-1], channels[1:])):
            batch_norm = i > 0 or arch.discriminator_first_batch_norm
            layers.append(nn.Conv2d(c_in, c_out, k, stride=2, padding=k // 2, bias=not batch_norm))
            if batch_norm:
                layers.append(nn.BatchNorm2d(c_out, track_running_stats=False))
            layers.append(nn.LeakyReLU(arch.leaky_slope))
        side = _halvings(len(arch.discriminator_channels), arch.image_side)[-1]
        self.features = nn.Sequential(*layers)
        self.classify = nn.Linear(channels[-1] * side * side, 1)

    def forward(self, packs: torch.Tensor) -> torch.Tensor:
        return self.classify(self.features(packs).flatten(1)).squeeze(-1)


@torch.no_grad()
def init_dcgan_weights(module: nn.Module, generator: torch.Generator) -> nn.Module:
    """Conv / linear weights ~ N(0, 0.02) drawn from ``generator`` (in module order), biases 0,
    BatchNorm scale 1 and shift 0 (DCGAN, Radford et al. 2016)."""
    for layer in module.modules():
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            layer.weight.normal_(0.0, INIT_STD, generator=generator)
            if layer.bias is not None:
                layer.bias.zero_()
        elif isinstance(layer, nn.BatchNorm2d):
            layer.weight.fill_(1.0)
            layer.bias.zero_()
    return module


@dataclass(frozen=True)
class GpuOptions:
    """Opt-in GPU speed-ups, used only when the model lives on a CUDA device.

    Both are off by default: they were not measured on a GPU for this project (the CPU box has
    none). ``benchmarks/bench_stacked_mnist.py --channels-last --bf16`` measures them.
    ``channels_last``: NHWC memory layout for the convolutions; ``bf16``: bfloat16 autocast of
    the forward passes (no loss scaling needed; outputs are returned in float32).
    """

    channels_last: bool = False
    bf16: bool = False


class LoopedEnsemble(nn.Module):
    """K ordinary networks as one ensemble: ``x (K, N, ...) -> (K, N, ...)``, member by member."""

    def __init__(self, networks, gpu: GpuOptions = GpuOptions()):
        super().__init__()
        self.networks = nn.ModuleList(networks)
        self.gpu = gpu
        if self.gpu.channels_last and self._on_cuda():
            self.networks.to(memory_format=torch.channels_last)

    def _on_cuda(self) -> bool:
        return next(self.parameters()).device.type == "cuda"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[0] != len(self.networks):
            raise ValueError(f"expected {len(self.networks)} ensemble members on axis 0, got shape {tuple(x.shape)}")
        cuda = self._on_cuda()
        autocast = (torch.autocast("cuda", dtype=torch.bfloat16) if cuda and self.gpu.bf16
                    else contextlib.nullcontext())
        outputs = []
        with autocast:
            for network, member_x in zip(self.networks, x):
                if cuda and self.gpu.channels_last and member_x.dim() == 4:
                    member_x = member_x.contiguous(memory_format=torch.channels_last)
                outputs.append(network(member_x).float())
        return torch.stack(outputs)

    # the discriminator interface the remedies read (features, then the head); generators lack it
    @property
    def feature_width(self) -> int:
        return self.networks[0].classify.in_features

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Packs (K, B, 3m, H, W) -> each D's flattened last feature map (K, B, feature_width)."""
        return self._each(lambda network, member_x: network.features(member_x).flatten(1), x)

    def head(self, features: torch.Tensor) -> torch.Tensor:
        """Features (K, B, feature_width) -> logits (K, B)."""
        return self._each(lambda network, member_f: network.classify(member_f).squeeze(-1), features)

    def _each(self, apply, x: torch.Tensor) -> torch.Tensor:
        cuda = self._on_cuda()
        autocast = (torch.autocast("cuda", dtype=torch.bfloat16) if cuda and self.gpu.bf16
                    else contextlib.nullcontext())
        with autocast:
            return torch.stack([apply(network, member_x).float() for network, member_x in zip(self.networks, x)])


def make_dcgan_generator(arch: DCGANArchitecture, generators, device, gpu: GpuOptions = GpuOptions()) -> LoopedEnsemble:
    """K generators, member k initialised from ``generators[k]``."""
    return LoopedEnsemble([init_dcgan_weights(DCGANGenerator(arch).to(device), g) for g in generators], gpu)


def make_dcgan_discriminator(arch: DCGANArchitecture, generators, pack: int, device,
                             gpu: GpuOptions = GpuOptions()) -> LoopedEnsemble:
    """K discriminators for packs of ``pack`` images, member k initialised from ``generators[k]``."""
    return LoopedEnsemble([init_dcgan_weights(DCGANDiscriminator(arch, pack).to(device), g) for g in generators], gpu)
