"""Training settings as data: ``paper`` (the PacGAN 2D protocol), ``lecture`` (a laptop CPU,
minutes) and ``quick`` (seconds, tests and CI). Every entry point uses these; none has its
own code path."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

UPDATES = ("simultaneous", "alternating")
NOISES = ("normal", "uniform")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run except the packing degree and the seed."""

    dataset: str = "grid"
    architecture: str = "lecture"
    loss: str = "ns"
    steps: int = 2000
    batch_size: int = 100            # packs per step (as in the paper): D sees B*m real and B*m fake
    lr_generator: float = 1e-4
    lr_discriminator: float = 1e-4
    betas: tuple = (0.8, 0.999)
    lr_final_fraction: float = 1.0   # learning rates decay linearly to this fraction at the last step
    updates: str = "simultaneous"    # paper: both gradients from the same batch, one step each
    generator_steps: int = 1         # G updates per D update (alternating updates)
    critic_steps: int | None = None  # D updates per G update; None = the loss's recommendation
    noise: str = "normal"            # z ~ N(0, I) or U(-1, 1)
    noise_dim: int = 2
    eval_every: int = 500
    eval_samples: int = 2500         # the paper evaluates 2,500 samples

    def __post_init__(self):
        def positive_int(name):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        for name in ("steps", "batch_size", "generator_steps", "noise_dim", "eval_every", "eval_samples"):
            positive_int(name)
        if self.critic_steps is not None:
            positive_int("critic_steps")
        for name in ("lr_generator", "lr_discriminator"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        if not isinstance(self.lr_final_fraction, (int, float)) or not 0 < self.lr_final_fraction <= 1:
            raise ValueError(f"lr_final_fraction must be in (0, 1], got {self.lr_final_fraction!r}")
        if self.updates not in UPDATES:
            raise ValueError(f"updates must be one of {', '.join(UPDATES)}; got {self.updates!r}")
        if self.noise not in NOISES:
            raise ValueError(f"noise must be one of {', '.join(NOISES)}; got {self.noise!r}")
        if len(self.betas) != 2 or not all(0 <= b < 1 for b in self.betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        object.__setattr__(self, "betas", tuple(float(b) for b in self.betas))

    def replace(self, **changes) -> "TrainConfig":
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(sorted(unknown))}; valid: {', '.join(f.name for f in fields(self))}")
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return asdict(self)


PRESETS = {
    # Lin et al. 2018, § 2D experiments: 400 epochs x 1000 iterations, Adam 1e-4 (0.8, 0.999).
    "paper": TrainConfig(architecture="paper", steps=400_000, batch_size=100, lr_generator=1e-4,
                         lr_discriminator=1e-4, betas=(0.8, 0.999), updates="simultaneous",
                         eval_every=10_000),
    # README "How we chose the lecture preset" records the search that led here.
    # D learns 6x faster than G (two time-scale updates): a sharp D is what pulls G's samples
    # onto the modes in a few thousand steps; the decay then tightens them.
    "lecture": TrainConfig(architecture="lecture", steps=3500, batch_size=100, lr_generator=5e-4,
                           lr_discriminator=3e-3, betas=(0.5, 0.999), updates="simultaneous",
                           lr_final_fraction=0.05, eval_every=250),
    "quick": TrainConfig(architecture="tiny", steps=60, batch_size=32, lr_generator=1e-3,
                         lr_discriminator=1e-3, betas=(0.5, 0.999), eval_every=20, eval_samples=500),
}


def preset(name: str, **overrides) -> TrainConfig:
    """The named preset, with any field overridden (e.g. ``preset("lecture", dataset="ring")``)."""
    try:
        config = PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; valid: {', '.join(PRESETS)}") from None
    return config.replace(**overrides) if overrides else config
