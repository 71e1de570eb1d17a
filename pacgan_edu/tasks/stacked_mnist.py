"""Stacked MNIST (1000 modes) as a task for the one training loop, and its presets.

Three datasets, one per experiment of PacGAN (Lin et al., NeurIPS 2018; REFERENCES.md):

* ``stacked-mnist-veegan``: Table 2, the VEEGAN setting (fixed pool of 128,000 stacked images
  from train+test; DCGAN with z ~ U(−1, 1)¹⁰⁰; G updated twice per D update).
* ``stacked-mnist-unrolled-quarter`` / ``stacked-mnist-unrolled-half``: Table 3, the
  unrolled-GAN setting (stacked on the fly from the 60,000 training digits; z ~ N(0, I)²⁵⁶;
  a small D with ¼ or ½ of the channels).

Scores (:meth:`StackedMnistTask.evaluate`): each generated channel is read by the mode
classifier (``pacgan_edu.mode_classifier``); ``modes_captured`` = distinct digit triples among
``eval_samples`` samples (at most 1000), ``kl`` = KL(p_generated ‖ uniform over 1000) in nats.
Both depend on the sample count: with n uniform samples one expects 1000·(1 − e^(−n/1000))
distinct modes (e.g. 926 for n = 2,600), so compare runs with equal ``eval_samples``.

Presets (:func:`stacked_mnist_preset`): ``paper`` (the paper's settings: a GPU job), ``lecture``
(a narrower network that a laptop CPU trains in minutes), ``quick`` (tests and CI).
"""
from __future__ import annotations

import contextlib
import contextvars
import copy
import json
import re

import torch

from ..data.stacked_mnist import StackedMNIST, stack_digits
from ..prerecorded import PRERECORDED_IN_CHECKOUT, PRERECORDED_URL, load_prerecorded, prerecorded_file  # noqa: F401
from ..mode_classifier import StackedMnistModes, load_mode_classifier, stacked_mnist_modes
from ..models.dcgan import GpuOptions, dcgan_architecture, make_dcgan_discriminator, make_dcgan_generator
from ..presets import TrainConfig
from ..settings import data_dir
from . import register_task

PREFIX = "stacked-mnist-"
SETTINGS = ("veegan", "unrolled-quarter", "unrolled-half")
SIZES = ("paper", "lecture", "quick")
METRICS = ("modes_captured", "kl")


def _veegan_paper() -> TrainConfig:
    # Table 2: Adam 2e-4, β1 0.5, 64 packs per step, 50 epochs × 2000 iterations, G twice per D step.
    return TrainConfig(dataset=PREFIX + "veegan", architecture="paper", loss="ns", steps=100_000, batch_size=64,
                       lr_generator=2e-4, lr_discriminator=2e-4, betas=(0.5, 0.999), updates="alternating",
                       generator_steps=2, critic_steps=1, noise="uniform", noise_dim=100,
                       eval_every=5_000, eval_samples=26_000)


def _unrolled_paper(setting: str) -> TrainConfig:
    # Table 3: Adam D 2e-4, G 1e-4, betas (0.5, 0.99), 128 packs per step, 500k iterations.
    return TrainConfig(dataset=PREFIX + setting, architecture="paper", loss="ns", steps=500_000, batch_size=128,
                       lr_generator=1e-4, lr_discriminator=2e-4, betas=(0.5, 0.99), updates="alternating",
                       generator_steps=1, critic_steps=1, noise="normal", noise_dim=256,
                       eval_every=25_000, eval_samples=25_600)


def _paper(setting: str) -> TrainConfig:
    return _veegan_paper() if setting == "veegan" else _unrolled_paper(setting)


# Lecture and quick presets change only sizes and lengths; everything else is the paper's.
# The lecture length was chosen on a shared 2-core CPU (see data/prerecorded/README.md).
_SHORTER = {
    "lecture": dict(architecture="lecture", steps=1500, eval_every=250, eval_samples=5_000),
    "quick": dict(architecture="tiny", steps=8, batch_size=16, eval_every=4, eval_samples=200),
}


def stacked_mnist_preset(setting: str = "veegan", size: str = "paper", **overrides) -> TrainConfig:
    """The ``TrainConfig`` for a Stacked MNIST ``setting`` ("veegan", "unrolled-quarter",
    "unrolled-half") at ``size`` ("paper", "lecture", "quick"), with any field overridden."""
    if setting not in SETTINGS:
        raise ValueError(f"unknown Stacked MNIST setting {setting!r}; valid: {', '.join(SETTINGS)}")
    if size not in SIZES:
        raise ValueError(f"unknown Stacked MNIST preset {size!r}; valid: {', '.join(SIZES)}")
    config = _paper(setting)
    if size in _SHORTER:
        config = config.replace(**_SHORTER[size])
    return config.replace(**overrides) if overrides else config


_GPU_OPTIONS = contextvars.ContextVar("stacked_mnist_gpu_options", default=GpuOptions())


@contextlib.contextmanager
def gpu_speedups(channels_last: bool = False, bf16: bool = False):
    """Tasks built inside this block (e.g. by ``GANTrainer(...)``) use these GPU options::

        with gpu_speedups(channels_last=True, bf16=True):
            trainer = GANTrainer(stacked_mnist_preset("veegan"), packs=[2], device="cuda")
    """
    token = _GPU_OPTIONS.set(GpuOptions(channels_last=channels_last, bf16=bf16))
    try:
        yield
    finally:
        _GPU_OPTIONS.reset(token)


class StackedMnistTask:
    """Real stacked digits, DCGAN G/D for the setting, and classifier-based mode counting.

    ``gpu`` (:class:`~pacgan_edu.models.dcgan.GpuOptions`) switches on channels-last / bf16
    when the networks live on a CUDA device (ignored on a CPU); default: what the enclosing
    :func:`gpu_speedups` block says, else off.
    """

    metric_names = METRICS
    generate_chunk = 1000  # samples per generator call during evaluation: bounds memory

    def __init__(self, config: TrainConfig, gpu: GpuOptions | None = None):
        if not config.dataset.startswith(PREFIX) or config.dataset[len(PREFIX):] not in SETTINGS:
            valid = ", ".join(PREFIX + s for s in SETTINGS)
            raise ValueError(f"unknown Stacked MNIST dataset {config.dataset!r}; valid: {valid}")
        self.setting = config.dataset[len(PREFIX):]
        self.architecture = dcgan_architecture(self.setting, config.architecture)
        if config.noise_dim != self.architecture.noise_dim:
            raise ValueError(f"{config.dataset} uses noise_dim={self.architecture.noise_dim} "
                             f"(the paper's), got {config.noise_dim}")
        self.gpu = gpu if gpu is not None else _GPU_OPTIONS.get()
        self.data = StackedMNIST("veegan" if self.setting == "veegan" else "unrolled", seed=0)
        self._on_device: dict[torch.device, tuple] = {}
        self._classifiers: dict[torch.device, torch.nn.Module] = {}

    # -------------------------------------------------------------------- training interface
    def _data_on(self, device: torch.device):
        """Digits (uint8) and pool indices on ``device``, copied once."""
        if device not in self._on_device:
            pool = self.data.pool_indices
            self._on_device[device] = (self.data.digits.to(device), None if pool is None else pool.to(device))
        return self._on_device[device]

    def real(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """``n`` real stacked images (n, 3, 28, 28) in [−1, 1], drawn with ``generator`` on its
        device (on a CPU: the very same draws as ``StackedMNIST.sample``)."""
        device = generator.device
        digits, pool = self._data_on(device)
        if pool is not None:  # VEEGAN: draw rows of the fixed pool
            indices = pool[torch.randint(len(pool), (n,), generator=generator, device=device)]
        else:                 # unrolled: three fresh training digits per image
            indices = torch.randint(len(digits), (n, 3), generator=generator, device=device)
        return stack_digits(digits[indices])

    def make_generator(self, generators, device) -> torch.nn.Module:
        return make_dcgan_generator(self.architecture, generators, device, self.gpu)

    def make_discriminator(self, generators, pack: int, device) -> torch.nn.Module:
        return make_dcgan_discriminator(self.architecture, generators, pack, device, self.gpu)

    # -------------------------------------------------------------------- scores
    def classifier(self, device: torch.device) -> torch.nn.Module:
        """The mode classifier on ``device`` (loaded once per device)."""
        if device not in self._classifiers:
            classifier = load_mode_classifier()
            self._classifiers[device] = classifier if device.type == "cpu" else copy.deepcopy(classifier).to(device)
        return self._classifiers[device]

    def modes(self, samples: torch.Tensor) -> list[StackedMnistModes]:
        """Mode counts per member for samples (K, n, 3, 28, 28): histograms, modes, KL."""
        if samples.dim() != 5:
            raise ValueError(f"expected samples (members, n, 3, 28, 28), got {tuple(samples.shape)}")
        classifier = self.classifier(samples.device)
        return [stacked_mnist_modes(member.clamp(-1, 1), classifier) for member in samples]

    def evaluate(self, samples: torch.Tensor) -> dict[str, torch.Tensor]:
        """``modes_captured`` and ``kl`` (nats) per member, as (K,) tensors."""
        results = self.modes(samples)
        return {"modes_captured": torch.tensor([r.modes_captured for r in results]),
                "kl": torch.tensor([r.kl_to_uniform for r in results], dtype=torch.float64)}


for _setting in SETTINGS:
    register_task(PREFIX + _setting, StackedMnistTask)


# ------------------------------------------------------------------------ pre-recorded results
# Longer runs made with the CLI and committed under data/prerecorded/ (see its README.md), so a
# lecture without a GPU can still show the full-length outcome.
# (found, cached and downloaded by pacgan_edu.prerecorded, shared with the 2D sweeps and replays)


#: The machine of committed files older than the ``cpu_model`` field, as data/prerecorded/README.md
#: records it ("Hardware and duration"); worded like ``_hardware`` words a recorded one. Only for
#: these files: a file that records no CPU and is not listed here says so, never a guess.
HARDWARE_IN_README = {"stacked_mnist_veegan_lecture.json": "AMD EPYC, 2 logical CPUs"}


def committed_name(document: dict) -> str | None:
    """The name under which ``document`` is committed in data/prerecorded/ (the checkout's or the
    cached copy): the file whose settings record the same start time and command; None if none."""
    settings = document.get("settings", {})
    key = (settings.get("started_at"), settings.get("command_line"))
    for folder in dict.fromkeys((PRERECORDED_IN_CHECKOUT, data_dir() / "prerecorded")):  # once each
        for path in sorted(folder.glob("*.json")):
            try:
                recorded = json.loads(path.read_text()).get("settings", {})
            except (OSError, ValueError, AttributeError):
                continue
            if (recorded.get("started_at"), recorded.get("command_line")) == key:
                return path.name
    return None


def _hardware(settings: dict, name: str | None) -> str:
    """The CPU as the file records it ("AMD EPYC, 2 logical CPUs"), for older files the README's record."""
    if settings.get("cpu_model"):
        cpus = settings.get("logical_cpus")
        return settings["cpu_model"] + (f", {cpus} logical CPUs" if cpus else "")
    if name in HARDWARE_IN_README:
        return f"{HARDWARE_IN_README[name]} (from data/prerecorded/README.md; this file predates the CPU field)"
    return "CPU not recorded in this file"


def describe_prerecorded(document: dict, name: str | None = None) -> str:
    """Where a pre-recorded result came from: command, hardware, duration, network (for notebooks).

    ``name``: the file's name in data/prerecorded/ (found by :func:`committed_name` when not given).
    Every hardware line names the CPU the same way, from what the file records (``cpu_model``,
    ``logical_cpus``); files older than those fields get data/prerecorded/README.md's record of
    their machine (:data:`HARDWARE_IN_README`), marked as such.

    The command is shown with ``--json data/prerecorded/<name>``, the file the run became: some runs
    wrote to a scratch path (e.g. ``/tmp/exp/sm.json``) that was then copied here. Only this display
    changes; ``settings.command_line`` keeps the command as it was run.
    """
    settings = document["settings"]
    env, config = settings["environment"], settings["config"]
    name = name or committed_name(document)
    command = settings["command_line"]
    if name:
        command = re.sub(r"(--json[ =])\S+", lambda match: f"{match.group(1)}data/prerecorded/{name}", command)
    return (f"command : {command}\n"
            f"hardware: {_hardware(settings, name)}, "
            f"{settings['device']}, {env['cpu_threads']} torch thread(s), torch {env['torch']}\n"
            f"duration: {settings['wall_seconds'] / 60:.1f} min for {len(document['runs'])} GANs trained together "
            f"({settings['steps_done']} steps each), started {settings['started_at']}\n"
            f"network : {settings['architecture']['name']}, batch {config['batch_size']} packs, "
            f"{config['eval_samples']:,} samples per evaluation, seeds {settings['seeds']}\n")
