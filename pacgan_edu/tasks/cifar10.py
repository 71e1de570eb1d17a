"""CIFAR-10 as a task: DCGAN-32 G/D (D takes pack = m, i.e. 3m channels), real images drawn per
member, and scores from a classifier the library trains (class coverage, PRDC) — on the real
data, or on the offline stand-in, which every label then names.

Datasets: ``cifar10`` (the real images; ``pacgan_edu.data.cifar10.load_cifar10``) and
``cifar10-stand-in`` (``pacgan_edu.data.cifar10_stand_in``). Packing as in PacGAN's own code:
the batch counts packs, so D sees B·m images per side (Self-Conditioned GAN's CIFAR numbers
instead split B images into B/m packs).
"""
from __future__ import annotations

import copy
import functools
import time
import warnings

import torch

from ..data.cifar10 import Cifar10Data, cifar10_folder, load_cifar10
from ..data.cifar10_stand_in import cifar10_stand_in
from ..data.long_tail import long_tail
from ..files import InvalidCheckpoint, load_checksummed, save_checksummed
from ..models.dcgan import dcgan_architecture, make_dcgan_discriminator, make_dcgan_generator
from ..models.resnet import SmallResNet
from ..presets import TrainConfig
from ..settings import quick_mode
from . import register_task
from .cifar10_baselines import baseline_samples
from .cifar10_metrics import coverage_metrics, class_histogram, prdc

DATASETS = ("cifar10", "cifar10-stand-in", "cifar10-lt", "cifar10-stand-in-lt")   # -lt: long-tailed subset
METRICS = ("classes_covered", "kl_to_uniform", "js_to_real", "precision", "recall", "density", "coverage")
SIZES = ("paper", "lecture", "quick")
PRDC_REAL = 2000          # real test images PRDC compares against (at most)
CLASSIFIER_FORMAT = 1


# ------------------------------------------------------------------------------ presets
def cifar10_preset(size: str = "lecture", data: str = "stand-in", weak_discriminator: bool = False,
                   long_tail: bool = False, generator_batch_norm: bool = True, **overrides) -> TrainConfig:
    """DCGAN on CIFAR-10 (Radford et al. 2016's settings: Adam 2e-4, β₁ 0.5, batch 64, z ~ N(0, I)).

    ``size``: "paper" (w = 64, 100,000 steps: a GPU job), "lecture" (w = 16, 2,000 steps: a GPU
    in a minute or two, a laptop CPU in tens of minutes), "quick" (w = 4, 20 steps: tests).
    ``data``: "stand-in" or "cifar10". ``weak_discriminator``: D at a quarter of G's width, the
    collapse-prone setting (PacGAN's Table 3 weakens D the same way on Stacked MNIST).
    ``generator_batch_norm=False``: G without its BatchNorm layers (Arjovsky et al. 2017, § 4.3:
    the standard GAN fails with such a DCGAN generator) — the setting where the lone GAN collapses
    to one or two classes on the stand-in and packing visibly spreads it (README "CIFAR-10").
    ``long_tail``: train on the long-tailed subset (``pacgan_edu.data.long_tail``, ratio 10:1),
    whose rare classes a mode-dropping GAN loses first."""
    if size not in SIZES:
        raise ValueError(f"unknown CIFAR-10 preset {size!r}; valid: {', '.join(SIZES)}")
    if data not in ("stand-in", "cifar10"):
        raise ValueError(f"unknown CIFAR-10 data {data!r}; valid: stand-in, cifar10")
    dataset = ("cifar10" if data == "cifar10" else "cifar10-stand-in") + ("-lt" if long_tail else "")
    base = TrainConfig(dataset=dataset, architecture="paper",
                       loss="ns", steps=100_000, batch_size=64, lr_generator=2e-4, lr_discriminator=2e-4,
                       betas=(0.5, 0.999), updates="alternating", noise="normal", noise_dim=100,
                       eval_every=5000, eval_samples=5000)
    shorter = {"paper": {}, "lecture": dict(architecture="lecture", steps=2000, eval_every=250, eval_samples=2000),
               "quick": dict(architecture="tiny", steps=20, batch_size=16, eval_every=10, eval_samples=200)}[size]
    config = base.replace(**shorter)
    if "architecture" not in overrides:
        suffix = ("-quarter-d" if weak_discriminator else "") + ("" if generator_batch_norm else "-no-bn-g")
        config = config.replace(architecture=config.architecture + suffix)
    return config.replace(**overrides)


# ------------------------------------------------------------------------------ data
@functools.lru_cache(maxsize=4)
def cifar10_data(dataset: str) -> Cifar10Data:
    """The images of ``dataset`` (read once per process)."""
    if balanced_dataset(dataset) != dataset:
        return long_tail(cifar10_data(balanced_dataset(dataset)))
    if dataset == "cifar10-stand-in":
        return cifar10_stand_in(2000, 500) if quick_mode() else cifar10_stand_in()
    if dataset == "cifar10":
        return load_cifar10()
    raise ValueError(f"unknown CIFAR-10 dataset {dataset!r}; valid: {', '.join(DATASETS)}")


def balanced_dataset(dataset: str) -> str:
    """The balanced dataset a long-tailed one is cut from (itself when balanced): the scoring
    classifier is always trained on it, so it has no prior towards the common classes."""
    return dataset.removesuffix("-lt")


def to_model_range(images: torch.Tensor) -> torch.Tensor:
    """uint8 [0, 255] -> float [−1, 1] (the generator's tanh range)."""
    return images.float() / 127.5 - 1.0


# ------------------------------------------------------------------------------ classifier
def classifier_steps(data: Cifar10Data) -> int:
    if quick_mode():
        return 60
    return 400 if data.stand_in else 6000


@torch.enable_grad()   # it may be first needed inside a no-grad evaluation
def train_classifier(data: Cifar10Data, steps: int | None = None, seed: int = 0, device="cpu",
                     batch: int = 128) -> SmallResNet:
    """Train the scoring classifier on ``data``'s training images (random crops and flips on
    real CIFAR-10); its metadata says what it was trained on and its test accuracy."""
    steps = classifier_steps(data) if steps is None else steps
    rng = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = SmallResNet(len(data.classes), width=16 if data.stand_in else 32).to(device)
    images = torch.from_numpy(data.train_images)
    labels = torch.from_numpy(data.train_labels)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=max(steps, 1))
    start = time.perf_counter()
    model.train()
    for _ in range(steps):
        index = torch.randint(len(images), (batch,), generator=rng)
        x = to_model_range(images[index])
        if not data.stand_in:   # augmentation for real photos: pad-and-crop, horizontal flip
            x = torch.nn.functional.pad(x, (4, 4, 4, 4), mode="reflect")
            i, j = torch.randint(9, (2,), generator=rng).tolist()
            x = x[:, :, i:i + 32, j:j + 32]
            flip = torch.rand(batch, generator=rng) < 0.5
            x[flip] = x[flip].flip(-1)
        loss = torch.nn.functional.cross_entropy(model(x.to(device)), labels[index].to(device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
    model.eval()
    accuracy = classifier_accuracy(model, data)
    model.metadata = {"data": data.label, "source": data.source, "steps": steps, "batch": batch, "seed": seed,
                      "width": model.feature_width // 4, "test_accuracy": accuracy,
                      "train_seconds": round(time.perf_counter() - start, 1), "device": str(device)}
    return model


@torch.no_grad()
def classifier_outputs(model: SmallResNet, images: torch.Tensor, batch: int = 500):
    """(logits, features) for images (n, 3, 32, 32) in [−1, 1]."""
    logits, features = [], []
    for part in images.split(batch):
        f = model.features(part)
        features.append(f)
        logits.append(model.classify(f))
    return torch.cat(logits), torch.cat(features)


def classifier_accuracy(model: SmallResNet, data: Cifar10Data) -> float:
    device = next(model.parameters()).device
    images = to_model_range(torch.from_numpy(data.test_images)).to(device)
    logits, _ = classifier_outputs(model, images)
    return float((logits.argmax(1).cpu() == torch.from_numpy(data.test_labels)).double().mean())


def _classifier_path(data: Cifar10Data):
    # the quick-mode stand-in is smaller than the full one: each size keeps its own classifier, so
    # switching between quick and full mode does not retrain one over the other every time
    return cifar10_folder() / (f"classifier_stand_in_{len(data.train_images)}.pt" if data.stand_in else "classifier.pt")


def load_classifier(data: Cifar10Data, retrain: bool = True, path=None) -> SmallResNet:
    """The cached scoring classifier for ``data`` (sha256-checked, ``weights_only``), or a newly
    trained one (saved atomically) when absent, corrupt or trained on other data."""
    path = _classifier_path(data) if path is None else path
    problem = None
    try:
        checkpoint = load_checksummed(path) if path.exists() else None
        if checkpoint is None:
            problem = f"{path} is missing"
        elif (checkpoint.get("format_version") != CLASSIFIER_FORMAT or checkpoint["metadata"].get("data") != data.label
              or (data.stand_in and checkpoint["metadata"].get("source") != data.source)):
            problem = f"{path} was made for {checkpoint['metadata'].get('source')!r}, not {data.source!r}"
        else:
            meta = checkpoint["metadata"]
            model = SmallResNet(len(data.classes), width=int(meta["width"]))
            model.load_state_dict(checkpoint["state_dict"])
            model.metadata = dict(meta)
            return model.eval()
    except (InvalidCheckpoint, KeyError, RuntimeError) as error:
        problem = str(error)
    if not retrain:
        raise FileNotFoundError(f"no usable CIFAR-10 classifier: {problem}")
    warnings.warn(f"CIFAR-10 classifier: {problem}; training one on the {data.label} now", UserWarning, stacklevel=2)
    model = train_classifier(data)
    try:
        save_checksummed({"format_version": CLASSIFIER_FORMAT, "state_dict": model.state_dict(),
                          "metadata": model.metadata}, path)
    except OSError as error:  # a read-only data folder: still usable this session
        warnings.warn(f"could not save the classifier to {path}: {error}", stacklevel=2)
    return model


# ------------------------------------------------------------------------------ the task
class Cifar10Task:
    """DCGAN-32 on CIFAR-10 (or its stand-in), scored by the library's classifier."""

    metric_names = METRICS
    generate_chunk = 500

    def __init__(self, config: TrainConfig):
        if config.dataset not in DATASETS:
            raise ValueError(f"unknown CIFAR-10 dataset {config.dataset!r}; valid: {', '.join(DATASETS)}")
        self.architecture = dcgan_architecture("cifar10", config.architecture)
        if config.noise_dim != self.architecture.noise_dim:
            raise ValueError(f"{config.dataset} uses noise_dim={self.architecture.noise_dim}, got {config.noise_dim}")
        self.data = cifar10_data(config.dataset)
        self.scoring_data = cifar10_data(balanced_dataset(config.dataset))   # what the classifier learns
        self.gpu = None
        self._on_device: dict = {}
        self._classifiers: dict = {}
        self._real_scores: dict = {}

    @property
    def label(self) -> str:
        return self.data.label

    def _images_on(self, device):
        if device not in self._on_device:
            self._on_device[device] = torch.from_numpy(self.data.train_images).to(device)
        return self._on_device[device]

    def real(self, n: int, generator: torch.Generator) -> torch.Tensor:
        images = self._images_on(generator.device)
        index = torch.randint(len(images), (n,), generator=generator, device=generator.device)
        return to_model_range(images[index])

    def make_generator(self, generators, device):
        return make_dcgan_generator(self.architecture, generators, device)

    def make_discriminator(self, generators, pack, device):
        if not isinstance(pack, int):
            raise ValueError("image tasks train one packing degree per group")
        return make_dcgan_discriminator(self.architecture, generators, pack, device)

    def classifier(self, device) -> SmallResNet:
        if device not in self._classifiers:
            model = load_classifier(self.scoring_data)
            self._classifiers[device] = model if device.type == "cpu" else copy.deepcopy(model).to(device)
        return self._classifiers[device]

    def _reference(self, device):
        """The real test set's class shares and classifier features (computed once)."""
        if device not in self._real_scores:
            classifier = self.classifier(device)
            images = to_model_range(torch.from_numpy(self.data.test_images[:PRDC_REAL])).to(device)
            _, features = classifier_outputs(classifier, images)
            self._real_scores[device] = (self.real_class_shares(), features)
        return self._real_scores[device]

    def real_class_shares(self) -> torch.Tensor:
        """The real test set's class shares (what ``js_to_real`` and the coverage threshold read)."""
        return class_histogram(torch.from_numpy(self.data.test_labels), len(self.data.classes))

    @torch.no_grad()
    def scores(self, samples: torch.Tensor) -> list[dict]:
        """Per member of samples (K, n, 3, 32, 32): coverage metrics, PRDC and the class histogram."""
        if samples.dim() != 5 or samples.shape[2:] != (3, 32, 32):
            raise ValueError(f"expected samples (members, n, 3, 32, 32), got {tuple(samples.shape)}")
        classifier = self.classifier(samples.device)
        real_shares, real_features = self._reference(samples.device)
        out = []
        for member in samples:
            logits, features = classifier_outputs(classifier, member.clamp(-1, 1))
            labels = logits.argmax(1)
            row = coverage_metrics(labels, real_shares, len(self.data.classes))
            row.update(prdc(real_features[: len(features)], features))
            row["class_shares"] = class_histogram(labels, len(self.data.classes)).tolist()
            out.append(row)
        return out

    def baseline_scores(self, n: int, device="cpu", seed: int = 0) -> list[dict]:
        """Scores of the trivial generators of :mod:`.cifar10_baselines` (``n`` images each, scored
        exactly as a GAN's samples): rows with ``label`` and the metrics, in the table's order."""
        generator = torch.Generator(device=device).manual_seed(seed)
        samples = baseline_samples(self.real(n, generator), generator)
        rows = self.scores(torch.stack(list(samples.values())))
        return [{"label": name, **{m: row[m] for m in METRICS}, "class_shares": row["class_shares"]}
                for name, row in zip(samples, rows)]

    def evaluate(self, samples: torch.Tensor) -> dict[str, torch.Tensor]:
        rows = self.scores(samples)
        return {name: torch.tensor([r[name] for r in rows], dtype=torch.float64) for name in METRICS}


for _name in DATASETS:
    register_task(_name, Cifar10Task)

__all__ = ["Cifar10Task", "DATASETS", "METRICS", "balanced_dataset", "cifar10_data", "cifar10_preset", "classifier_outputs",
           "load_classifier", "train_classifier"]
