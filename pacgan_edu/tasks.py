"""What a GAN learns and how it is scored, by dataset name.

A task bundles: real samples, the G/D networks for the chosen architecture, and the metrics.
The training loop only talks to this interface, so 2D mixtures and image datasets share it.
Image datasets register themselves with :func:`register_task`.
"""
from __future__ import annotations

from typing import Callable

import torch

from .data.mixtures import MIXTURES, mixture
from .metrics import mixture_metrics
from .models.toy import ToyDiscriminator, ToyGenerator, toy_architecture


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


TASKS: dict[str, Callable] = {name: ToyTask for name in MIXTURES}


def register_task(name: str, factory: Callable) -> None:
    """Make ``dataset=name`` available to the training loop; ``factory(config)`` builds the task."""
    TASKS[name] = factory


def make_task(config):
    if config.dataset.startswith("stacked-mnist") and config.dataset not in TASKS:
        from . import stacked_mnist_task  # noqa: F401  (registers itself; imported only when needed)
    try:
        factory = TASKS[config.dataset]
    except KeyError:
        raise ValueError(f"unknown dataset {config.dataset!r}; valid: {', '.join(TASKS)}") from None
    return factory(config)
