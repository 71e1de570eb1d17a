"""One registry of GAN losses by name.

A loss maps the discriminator's logits ``l`` (pre-sigmoid outputs, shape (K, B): K ensemble
members, B packs) to one D loss and one G loss *per member* (shape (K,)): the training loop
sums them over members, so members never influence each other.

Losses that need more than logits say so explicitly instead of being special-cased in the
training loop: ``penalty(...)`` (e.g. a gradient penalty needs D and the packs),
``after_discriminator_step(D)`` (e.g. weight clipping), and recommended settings as data
(``critic_steps``, ``optimizer``) that the loop honours.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F


@dataclass
class GANLoss:
    """Base class. ``critic_steps``: D updates per G update; ``optimizer``: recommended
    optimiser settings (``None`` = use the preset's Adam)."""

    name: str = ""
    critic_steps: int = 1
    optimizer: dict | None = field(default=None)
    description: str = ""

    def discriminator_loss(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def generator_loss(self, fake_logits: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def penalty(self, discriminator, real_packs, fake_packs, generators) -> torch.Tensor | None:
        """Extra D loss per member that needs D itself (default: none)."""
        return None

    def after_discriminator_step(self, discriminator) -> None:
        """Hook run after every D update (default: nothing)."""


@dataclass
class Minimax(GANLoss):
    """MM, the original minimax GAN (Goodfellow et al. 2014).

    D: softplus(−l_real) + softplus(l_fake)  (= −log D(x) − log(1 − D(G(z))))
    G: −softplus(l_fake) = log(1 − D(G(z)))   — saturates when D confidently rejects fakes.
    """

    name: str = "mm"
    description: str = "minimax (saturating): G minimises log(1 − D(G(z)))"

    def discriminator_loss(self, real_logits, fake_logits):
        return F.softplus(-real_logits).mean(-1) + F.softplus(fake_logits).mean(-1)

    def generator_loss(self, fake_logits):
        return -F.softplus(fake_logits).mean(-1)


@dataclass
class NonSaturating(Minimax):
    """NS, the non-saturating GAN (Goodfellow et al. 2014); the PacGAN paper's loss.

    D: as MM.  G: softplus(−l_fake) = −log D(G(z)).
    """

    name: str = "ns"
    description: str = "non-saturating: G minimises −log D(G(z)) (the PacGAN paper's loss)"

    def generator_loss(self, fake_logits):
        return F.softplus(-fake_logits).mean(-1)


LOSSES: dict[str, GANLoss] = {}


def register_loss(loss: GANLoss) -> GANLoss:
    """Add a loss to the registry (the widgets' loss dropdown lists every registered name)."""
    LOSSES[loss.name] = loss
    return loss


for _loss in (Minimax(), NonSaturating()):
    register_loss(_loss)


def get_loss(name) -> GANLoss:
    """The registered loss called ``name`` (a ``GANLoss`` passes through)."""
    if isinstance(name, GANLoss):
        return name
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; valid: {', '.join(sorted(LOSSES))}") from None


def loss_names() -> list[str]:
    return list(LOSSES)
