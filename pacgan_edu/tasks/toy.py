"""The 2D mixtures (ring, grid) as a task: real samples, the toy MLPs, the PacGAN metrics."""
from __future__ import annotations

import torch

from ..data.mixtures import mixture
from ..metrics import mixture_metrics
from ..models.toy import ToyDiscriminator, ToyGenerator, toy_architecture


class ToyTask:
    """A 2D Gaussian mixture (ring / grid) with the toy MLPs."""

    metric_names = ("modes_captured", "high_quality_fraction", "reverse_kl")

    def __init__(self, config):
        self.mixture = mixture(config.dataset)
        self.architecture = toy_architecture(config.architecture)
        self.noise_dim = config.noise_dim

    # the toy nets run any contiguous run of members (``members=slice``): the trainer batches
    # every packing degree into one model
    one_model_for_all_packs = True

    def real(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return self.mixture.sample(n, generator)

    def make_generator(self, generators, device) -> torch.nn.Module:
        return ToyGenerator(generators, self.architecture, self.noise_dim, self.mixture.dim, device)

    def make_discriminator(self, generators, pack: int, device) -> torch.nn.Module:
        return ToyDiscriminator(generators, self.architecture, pack, self.mixture.dim, device)

    def evaluate(self, samples: torch.Tensor) -> dict[str, torch.Tensor]:
        """Metrics per member for samples (K, n, 2)."""
        return mixture_metrics(samples, self.mixture)
