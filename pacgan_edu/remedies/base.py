"""What a remedy is: a small object the one training loop (``pacgan_edu.train``) asks, at fixed
points of every step, for the networks it should build and for what to add to D's and G's losses.

The default of every hook is the plain GAN, so ``Remedy()`` ("none") trains exactly what the
loop trains without one. A remedy changes only the hooks it needs:

- ``make_generator`` / ``make_discriminator``: wrap or replace the task's networks
  (several generators; a minibatch-discrimination head; a "which generator" head);
- ``discriminator_loss``: an extra D loss per member (the "which generator" classifier);
- ``generator_loss``: G's loss per member (feature matching; the unrolled look-ahead; the
  classifier's cross-entropy);
- ``uses_features``: the loop keeps D's last hidden layer (``StepData.real_features`` /
  ``fake_features``) instead of only its logits;
- ``needs_real_for_generator``: with alternating updates, G's step draws a real batch too.

AdaGAN is not a per-step remedy: it trains several GANs one after another with the same loop
(``remedies.adagan``), each on reweighted data through the loop's ``data`` hook.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch


@dataclass
class StepData:
    """What one training step of one group of members has computed so far (the hooks read it).

    ``real`` / ``fake``: samples per run of members with one packing degree, ``(K_run, B·m, ...)``;
    ``*_packs``: D's input ``(K_group, B, ...)``; ``*_logits``: ``(K_group, B)``;
    ``*_features``: D's last hidden layer ``(K_group, B, F)`` when the remedy ``uses_features``.
    ``real`` may be ``None`` in an alternating G step of a remedy that does not need it.
    """

    group: object
    real: list | None
    fake: list
    real_packs: torch.Tensor | None
    fake_packs: torch.Tensor
    real_logits: torch.Tensor | None = None
    fake_logits: torch.Tensor | None = None
    real_features: torch.Tensor | None = None
    fake_features: torch.Tensor | None = None
    extras: dict = field(default_factory=dict)


class Remedy:
    """The plain GAN; subclasses override the hooks they need (see the module docstring)."""

    name = "none"
    title = "plain GAN"
    reference = ""
    summary = "No remedy: the GAN as the loss registry defines it."
    #: option name -> (default, converter, description); ``--remedy-option name=value``
    options: dict = {}
    uses_features = False
    needs_real_for_generator = False

    def __init__(self, **settings):
        unknown = set(settings) - set(self.options)
        if unknown:
            valid = ", ".join(self.options) or "none"
            raise ValueError(f"unknown option(s) {', '.join(sorted(unknown))} for remedy {self.name!r}; valid: {valid}")
        self.settings = {}
        for key, (default, convert, _) in self.options.items():
            value = settings.get(key, default)
            try:
                value = convert(value)
            except (TypeError, ValueError) as error:
                raise ValueError(f"remedy {self.name!r} option {key}={value!r}: {error}") from None
            self.settings[key] = value
        self.check()

    def check(self) -> None:
        """Validate ``self.settings`` (raise ValueError with what is valid)."""

    def __getattr__(self, key):
        settings = self.__dict__.get("settings", {})
        if key in settings:
            return settings[key]
        raise AttributeError(key)

    # ------------------------------------------------------------------ networks
    def make_generator(self, task, init, device):
        return task.make_generator(init, device)

    def make_discriminator(self, task, init, pack, device):
        return task.make_discriminator(init, pack, device)

    # ------------------------------------------------------------------ losses
    def discriminator_loss(self, trainer, step: StepData) -> torch.Tensor | None:
        """An extra D loss per member ``(K_group,)``, added to the GAN loss (default: none)."""
        return None

    def generator_loss(self, trainer, step: StepData) -> torch.Tensor:
        """G's loss per member ``(K_group,)`` (default: the loss registry's, from D's fake logits)."""
        return trainer.loss.generator_loss(step.fake_logits)

    # ------------------------------------------------------------------ looking
    def sample_labels(self, n: int, chunk: int | None = None) -> torch.Tensor | None:
        """Which generator made each of ``n`` samples generated in chunks of ``chunk`` (several
        generators), else ``None``."""
        return None


def _whole(value, smallest: int) -> int:
    number = int(value)
    if isinstance(value, bool) or number != float(value) or number < smallest:
        raise ValueError(f"must be an integer >= {smallest}")
    return number


def positive_int(value) -> int:
    return _whole(value, 1)


def non_negative_int(value) -> int:
    return _whole(value, 0)


def positive_float(value) -> float:
    number = float(value)
    if not number > 0 or number != number or number == float("inf"):
        raise ValueError("must be a positive number")
    return number
