"""Other cures for mode collapse, side by side with packing, all trained by the one loop.

``make_remedy(name, options)`` builds one; ``REMEDIES`` lists them. Each module's docstring has
the formula and the paper. ``none`` is the plain GAN; ``adagan`` is a sequence of GANs trained
by the same loop (:func:`pacgan_edu.remedies.adagan.train_adagan`).
"""
from __future__ import annotations

from .adagan import AdaGAN
from .base import Remedy, StepData
from .feature_matching import FeatureMatching
from .minibatch_discrimination import MinibatchDiscrimination
from .several_generators import SeveralGeneratorsRemedy
from .unrolled import Unrolled

REMEDIES = {cls.name: cls for cls in (Remedy, MinibatchDiscrimination, FeatureMatching, Unrolled,
                                      SeveralGeneratorsRemedy, AdaGAN)}


def make_remedy(name: str = "none", options: dict | None = None) -> Remedy:
    """The remedy called ``name`` with ``options`` (e.g. ``make_remedy("unrolled", {"steps": 5})``)."""
    try:
        cls = REMEDIES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown remedy {name!r}; valid: {', '.join(REMEDIES)}") from None
    return cls(**(options or {}))


def parse_option(text: str) -> tuple[str, str]:
    """``"steps=5"`` -> ``("steps", "5")`` (the remedy converts and checks the value)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"remedy options look like name=value, got {text!r}")
    return key.strip(), value.strip()


__all__ = ["REMEDIES", "Remedy", "StepData", "make_remedy", "parse_option"]
