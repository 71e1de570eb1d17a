"""pacgan_edu: see GAN mode collapse, and cure it with PacGAN's packing.

The pieces, in the order data flows: ``data`` -> ``train`` (with ``models``, ``losses``,
``packing``) -> ``metrics`` -> ``plots`` -> ``widgets`` / notebooks.
"""
from .packing import pack, unpack
from .presets import PRESETS, TrainConfig, preset
from .train import GANTrainer, Member, train

__version__ = "0.1.0"
__all__ = ["GANTrainer", "Member", "PRESETS", "TrainConfig", "pack", "preset", "train", "unpack"]
