"""Replacing or adding a head on a discriminator's features (shared by the remedies that do)."""
from __future__ import annotations

from torch import nn


def drop_head(discriminator: nn.Module) -> None:
    """Remove D's own logit layer (a remedy brings a wider one): its weights would never train.

    Works for the toy ensembles (one batched ``classify``) and the looped image ensembles
    (one ``classify`` per network)."""
    networks = getattr(discriminator, "networks", None)
    for network in (networks if networks is not None else [discriminator]):
        network.classify = None


def feature_width(discriminator: nn.Module) -> int:
    width = getattr(discriminator, "feature_width", None)
    if width is None:
        raise TypeError(f"{type(discriminator).__name__} does not expose features()/head()/feature_width, "
                        "which this remedy needs")
    return int(width)
