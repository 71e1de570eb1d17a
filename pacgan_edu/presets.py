"""Training settings as data: ``paper`` (the PacGAN 2D protocol), ``lecture`` (a laptop CPU,
8 to 17 minutes for 40 GANs per dataset), ``pair`` (the live m = 1 vs m = 2 demo, about 2 minutes) and
``quick`` (seconds, tests and CI). Every entry point uses these; none has its
own code path."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

UPDATES = ("simultaneous", "alternating")
NOISES = ("normal", "uniform")
MATMUL_PRECISIONS = ("float32", "bfloat16", "auto")


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
    lr_decay_start: float = 0.0      # ... starting after this fraction of the steps (constant before)
    updates: str = "simultaneous"    # paper: both gradients from the same batch, one step each
    generator_steps: int = 1         # G updates per D update (alternating updates)
    critic_steps: int | None = None  # D updates per G update; None = the loss's recommendation
    noise: str = "normal"            # z ~ N(0, I) or U(-1, 1)
    noise_dim: int = 2
    eval_every: int = 500
    eval_samples: int = 2500         # the paper evaluates 2,500 samples
    remedy: str = "none"             # pacgan_edu.remedies: minibatch, feature-matching, unrolled, ...
    remedy_options: tuple = ()       # ((name, value), ...) sorted; a dict is accepted and converted
    # "bfloat16": the training step's matrix products in bfloat16 (torch.autocast; weights, Adam
    # and every evaluation stay float32); "auto": bfloat16 on a CPU that multiplies bfloat16
    # natively (AVX512-BF16 or AMX), float32 elsewhere (pacgan_edu.device.matmul_precision)
    matmul_precision: str = "float32"

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
        if not isinstance(self.lr_decay_start, (int, float)) or not 0 <= self.lr_decay_start < 1:
            raise ValueError(f"lr_decay_start must be in [0, 1), got {self.lr_decay_start!r}")
        if self.updates not in UPDATES:
            raise ValueError(f"updates must be one of {', '.join(UPDATES)}; got {self.updates!r}")
        if self.matmul_precision not in MATMUL_PRECISIONS:
            raise ValueError(f"matmul_precision must be one of {', '.join(MATMUL_PRECISIONS)}; "
                             f"got {self.matmul_precision!r}")
        if self.noise not in NOISES:
            raise ValueError(f"noise must be one of {', '.join(NOISES)}; got {self.noise!r}")
        if len(self.betas) != 2 or not all(0 <= b < 1 for b in self.betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        object.__setattr__(self, "betas", tuple(float(b) for b in self.betas))
        self._check_names()
        options = self.remedy_options
        pairs = options.items() if isinstance(options, dict) else options
        try:
            pairs = tuple(sorted((str(k), v) for k, v in pairs))
        except (TypeError, ValueError):
            raise ValueError(f"remedy_options must be a dict or (name, value) pairs, got {options!r}") from None
        from .remedies import make_remedy  # (remedies import models, which never import presets)
        remedy = make_remedy(self.remedy, dict(pairs))  # unknown names / bad options fail here, not mid-training
        # stored converted and complete (defaults included): the JSON says exactly what ran
        object.__setattr__(self, "remedy_options", tuple(sorted(remedy.settings.items())))

    def _check_names(self) -> None:
        """Unknown dataset, loss or toy architecture names fail here, when the config is made."""
        from .data.mixtures import MIXTURES
        from .losses import loss_names
        from .models.toy import TOY_ARCHITECTURES, ToyArchitecture
        from .tasks import TASKS, known_dataset
        if not isinstance(self.dataset, str) or not known_dataset(self.dataset):
            valid = sorted(set(TASKS) | {"stacked-mnist-veegan", "stacked-mnist-unrolled-quarter",
                                         "stacked-mnist-unrolled-half", "cifar10"})
            raise ValueError(f"unknown dataset {self.dataset!r}; valid: {', '.join(valid)}")
        if self.loss not in loss_names():
            raise ValueError(f"unknown loss {self.loss!r}; valid: {', '.join(loss_names())}")
        if self.dataset in MIXTURES and not isinstance(
                self.architecture, ToyArchitecture) and self.architecture not in TOY_ARCHITECTURES:
            raise ValueError(f"unknown architecture {self.architecture!r} for a 2D mixture; "
                             f"valid: {', '.join(TOY_ARCHITECTURES)}")

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
    # On the grid (the ring's differences: DATASET_SETTINGS below):
    # 30,000 steps, the learning rates decaying linearly from the first step to 1 %: the m = 1
    # collapse is decided early, the packed GANs keep every grid mode (a constant first half let
    # m = 3, 4 lose a few late), and the long tail sharpens the modes. On a CPU that multiplies
    # bfloat16 natively the hidden layers' products run in bfloat16 ("auto"): 1.5x faster steps,
    # the same Table 1 within noise (README rows 66-68). The architecture's D starts each first-layer
    # unit on one sample of the pack, so packed Ds do not sit at chance for the first ~10,000
    # steps (README rows 74-77). G's and D's rates trade the lone GAN's sharpness against how much
    # it collapses (a faster G: sharper, fewer modes lost; a faster D: sharper, more lost, and at
    # 20x G's rate packing stops helping): README rows 87-92.
    "lecture": TrainConfig(architecture="lecture", steps=30_000, batch_size=100, lr_generator=5e-4,
                           lr_discriminator=3e-3, betas=(0.5, 0.999), updates="simultaneous",
                           lr_final_fraction=0.01, lr_decay_start=0.0, eval_every=1000, matmul_precision="auto"),
    # The live pair (m = 1 beside m = 2, notebooks 01/02): the lecture nets and rates at half
    # length, so the panel plays it to the end in about 2 minutes on 2 CPU cores; constant for the
    # first half, then decaying (the third session's lecture schedule: its default seed and the
    # committed recordings were chosen with it; benchmarks/bench_panel.py --pair-seeds; README
    # "The live pair").
    "pair": TrainConfig(architecture="lecture", steps=15_000, batch_size=100, lr_generator=5e-4,
                        lr_discriminator=3e-3, betas=(0.5, 0.999), updates="simultaneous",
                        lr_final_fraction=0.01, lr_decay_start=0.5, eval_every=500),
    "quick": TrainConfig(architecture="tiny", steps=60, batch_size=32, lr_generator=1e-3,
                         lr_discriminator=1e-3, betas=(0.5, 0.999), eval_every=20, eval_samples=500),
}


# Where a preset's settings differ for one dataset: ``preset(name, dataset=...)`` applies these
# before the caller's own overrides (``preset(name).replace(dataset=...)`` does not: it changes
# the dataset alone). The lecture ring: with the grid's rates the lone GAN drops ring modes early
# and wins most back (README rows 68, 70, 77: 0-2 of 8 modes lost, its reverse KL above the
# packed GANs' by only 2-3 s.e. over 10 seeds); with G twice as fast over half the schedule it
# collapses as in Metz et al. 2017's ring figure, onto one mode in most seeds, while every packed
# GAN keeps all 8 modes sharp (rows 80-84).
DATASET_SETTINGS = {
    "lecture": {"ring": {"lr_generator": 1e-3, "steps": 15_000}},
}


# The live pair's default seed (panels, ``record``): one of the seeds where, 2 minutes after Play
# on 2 CPU cores, the pair preset's m = 2 holds every grid mode sharply and m = 1 visibly misses
# modes (benchmarks/bench_panel.py --pair-seeds 10; README "The live pair").
PAIR_SEED = 2


def preset(name: str, **overrides) -> TrainConfig:
    """The named preset for its dataset, with any field overridden (e.g.
    ``preset("lecture", dataset="ring")``: the lecture preset's ring settings,
    :data:`DATASET_SETTINGS`, then the overrides)."""
    try:
        config = PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; valid: {', '.join(PRESETS)}") from None
    dataset = overrides.get("dataset", config.dataset)
    changes = {**DATASET_SETTINGS.get(name, {}).get(dataset, {}), **overrides}
    return config.replace(**changes) if changes else config
