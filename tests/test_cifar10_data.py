"""CIFAR-10 loading on tiny files the tests write in both real formats (no CIFAR-10 here), and the stand-in."""
from __future__ import annotations

import hashlib
import io
import pickle
import tarfile

import numpy as np
import pytest

from pacgan_edu.data import cifar10 as c10
from pacgan_edu.data.cifar10 import RemoteFile, load_cifar10
from pacgan_edu.data.cifar10_stand_in import cifar10_stand_in
from pacgan_edu.data.download import ChecksumError, DatasetUnavailable

PER_BATCH = 3


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _batches(bytes_keys: bool):
    """Member name -> (pickled bytes, images, labels) for a CIFAR-like set of 5 + 1 tiny batches."""
    rng = np.random.default_rng(0)
    members, expected = {}, {}
    for i, name in enumerate([*c10.TRAIN_BATCHES, "test_batch"]):
        images = rng.integers(0, 256, size=(PER_BATCH, 3, 32, 32), dtype=np.uint8)
        labels = [(i + j) % 10 for j in range(PER_BATCH)]
        batch = {"data": images.reshape(PER_BATCH, 3072), "labels": labels, "batch_label": name}
        if bytes_keys:
            batch = {k.encode(): v for k, v in batch.items()}
        members[name] = pickle.dumps(batch, protocol=2)
        expected[name] = (images, np.array(labels))
    meta = {"label_names": list(c10.CLASSES)}
    members["batches.meta"] = pickle.dumps({k.encode(): [n.encode() for n in v] for k, v in meta.items()}
                                           if bytes_keys else meta, protocol=2)
    return members, expected


def _tarball(members: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, blob in members.items():
            info = tarfile.TarInfo(f"{c10.EXTRACTED}/{name}")
            info.size = len(blob)
            archive.addfile(info, io.BytesIO(blob))
    return buffer.getvalue()


def _spec(blob: bytes, name=c10.TARBALL.name) -> RemoteFile:
    return RemoteFile(name, "file:///nowhere", len(blob), _sha256(blob), hashlib.md5(blob).hexdigest())


def _md5s(members):
    return {name: hashlib.md5(blob).hexdigest() for name, blob in members.items()}


def _assert_matches(data, expected):
    train = np.concatenate([expected[n][0] for n in c10.TRAIN_BATCHES])
    np.testing.assert_array_equal(data.train_images, train)
    np.testing.assert_array_equal(data.train_labels, np.concatenate([expected[n][1] for n in c10.TRAIN_BATCHES]))
    np.testing.assert_array_equal(data.test_images, expected["test_batch"][0])
    assert data.classes == c10.CLASSES and data.train_images.dtype == np.uint8 and not data.stand_in


@pytest.mark.parametrize("bytes_keys", [False, True])
def test_tarball_gives_the_right_arrays_labels_and_class_names(tmp_path, bytes_keys):
    members, expected = _batches(bytes_keys)
    blob = _tarball(members)
    (tmp_path / c10.TARBALL.name).write_bytes(blob)
    data = load_cifar10(tmp_path, download=False, tarball=_spec(blob), member_md5=_md5s(members))
    _assert_matches(data, expected)
    assert (tmp_path / c10.CACHE_NAME).is_file()                   # decoded once, cached as .npz
    again = load_cifar10(tmp_path, download=False, tarball=_spec(blob), member_md5=_md5s(members))
    _assert_matches(again, expected)
    assert "decoded cache" in again.source


def test_a_flipped_byte_fails_the_checksum_before_anything_is_unpickled(tmp_path, monkeypatch):
    members, _ = _batches(False)
    md5s = _md5s(members)
    members["data_batch_3"] = members["data_batch_3"][:-5] + b"X" + members["data_batch_3"][-4:]
    blob = _tarball(members)                       # the archive matches its own (given) checksum...
    (tmp_path / c10.TARBALL.name).write_bytes(blob)
    unpickled = []
    real_loads = pickle.loads
    monkeypatch.setattr(c10.pickle, "loads", lambda data, **kw: unpickled.append(1) or real_loads(data, **kw))
    with pytest.raises(ChecksumError, match="data_batch_3.*not unpickled"):
        load_cifar10(tmp_path, download=False, tarball=_spec(blob), member_md5=md5s, cache=False)
    assert len(unpickled) <= 2            # only the batches before it, each after its own md5 matched
    # ... and a flipped byte in the archive itself stops before the archive is even opened
    bad = bytearray(blob)
    bad[100] ^= 0xFF
    (tmp_path / c10.TARBALL.name).write_bytes(bytes(bad))
    monkeypatch.setattr(c10.tarfile, "open", lambda *a, **k: pytest.fail("opened an unverified tarball"))
    with pytest.raises(ChecksumError, match="sha256"):
        load_cifar10(tmp_path, download=False, tarball=_spec(blob), member_md5=md5s, cache=False)


def test_a_truncated_file_is_reported_as_such(tmp_path):
    members, _ = _batches(False)
    blob = _tarball(members)
    (tmp_path / c10.TARBALL.name).write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ChecksumError, match="truncated"):
        load_cifar10(tmp_path, download=False, tarball=_spec(blob), member_md5=_md5s(members))


def test_extracted_folder_and_a_user_supplied_path(tmp_path):
    members, expected = _batches(True)
    extracted = tmp_path / "data" / c10.EXTRACTED
    extracted.mkdir(parents=True)
    for name, blob in members.items():
        (extracted / name).write_bytes(blob)
    _assert_matches(load_cifar10(tmp_path / "data", download=False, member_md5=_md5s(members), cache=False), expected)
    blob = _tarball(members)
    mine = tmp_path / "somewhere" / "my-cifar.tar.gz"
    mine.parent.mkdir()
    mine.write_bytes(blob)
    data = load_cifar10(tmp_path / "cache", path=mine, download=False, tarball=_spec(blob), member_md5=_md5s(members))
    _assert_matches(data, expected)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_cifar10(tmp_path, path=tmp_path / "nope.tar.gz")


def _parquet(split_images, split_labels) -> bytes:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from PIL import Image
    pngs = []
    for image in split_images:
        buffer = io.BytesIO()
        Image.fromarray(image.transpose(1, 2, 0)).save(buffer, format="PNG")
        pngs.append({"bytes": buffer.getvalue(), "path": None})
    table = pa.table({"img": pngs, "label": pa.array(split_labels, type=pa.int64())})
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def test_parquet_files_decode_to_the_same_arrays(tmp_path):
    rng = np.random.default_rng(1)
    images = {s: rng.integers(0, 256, size=(n, 3, 32, 32), dtype=np.uint8) for s, n in (("train", 6), ("test", 4))}
    labels = {s: np.arange(len(images[s])) % 10 for s in images}
    files = {}
    for split in ("train", "test"):
        blob = _parquet(images[split], labels[split])
        name = f"{split}-00000-of-00001.parquet"
        (tmp_path / name).write_bytes(blob)
        files[split] = _spec(blob, name)
    data = load_cifar10(tmp_path, download=False, parquet_files=files, cache=False)
    np.testing.assert_array_equal(data.train_images, images["train"])
    np.testing.assert_array_equal(data.test_labels, labels["test"])
    assert "parquet" in data.source
    (tmp_path / "test-00000-of-00001.parquet").write_bytes(b"PAR1" + b"\0" * 10)   # corrupt: caught by size
    with pytest.raises(ChecksumError):
        load_cifar10(tmp_path, download=False, parquet_files=files, cache=False)


def test_download_goes_through_a_temporary_file_and_a_failed_one_leaves_nothing(tmp_path, monkeypatch):
    members, expected = _batches(False)
    blob = _tarball(members)
    source = tmp_path / "mirror.tar.gz"
    source.write_bytes(blob)
    missing_parquet = {"train": RemoteFile("train.parquet", (tmp_path / "absent.parquet").as_uri(), 10, "0" * 64)}
    spec = RemoteFile(c10.TARBALL.name, source.as_uri(), len(blob), _sha256(blob))
    folder = tmp_path / "cifar"
    calls = []

    def interrupted(url, handle, timeout=None, progress=None):
        calls.append(url)
        handle.write(blob[:50])
        raise OSError("connection reset")
    from pacgan_edu.data import download
    real_fetch = download.fetch_url
    monkeypatch.setattr(download, "fetch_url", interrupted)
    with pytest.raises(DatasetUnavailable) as error:
        load_cifar10(folder, parquet_files=missing_parquet, tarball=spec, member_md5=_md5s(members))
    assert len(calls) == 2                                 # the parquet mirror first, then the tarball
    assert not any(folder.iterdir())                       # no half-written file under any name
    message = str(error.value)
    assert "cifar-10-python.tar.gz" in message and source.as_uri() in message and "stand-in" in message
    monkeypatch.setattr(download, "fetch_url", real_fetch)
    data = load_cifar10(folder, parquet_files=missing_parquet, tarball=spec, member_md5=_md5s(members))
    _assert_matches(data, expected)
    assert (folder / c10.TARBALL.name).read_bytes() == blob


def test_offline_and_missing_says_which_files_where_and_what_to_do(tmp_path):
    with pytest.raises(DatasetUnavailable) as error:
        load_cifar10(tmp_path, download=False)
    message = str(error.value)
    for text in ("train-00000-of-00001.parquet", "119,705,255", "huggingface.co", "cs.toronto.edu",
                 str(tmp_path.resolve()), "cifar10-stand-in"):
        assert text in message


def test_the_stand_in_is_deterministic_balanced_and_says_what_it_is():
    a, b = cifar10_stand_in(200, 50, seed=3), cifar10_stand_in(200, 50, seed=3)
    np.testing.assert_array_equal(a.train_images, b.train_images)
    assert not np.array_equal(a.train_images, cifar10_stand_in(200, 50, seed=4).train_images)
    assert np.bincount(a.train_labels).tolist() == [20] * 10 and np.bincount(a.test_labels).tolist() == [5] * 10
    assert a.train_images.shape == (200, 3, 32, 32) and a.train_images.dtype == np.uint8
    assert a.stand_in and a.label == "stand-in for CIFAR-10" and "not CIFAR-10" in a.source
    # classes differ: mean colour images of two classes are far apart
    means = [a.train_images[a.train_labels == c].astype(float).mean(0) for c in range(10)]
    assert min(np.abs(means[i] - means[j]).mean() for i in range(10) for j in range(i)) > 3
    with pytest.raises(ValueError, match="train must be an integer >= 10"):
        cifar10_stand_in(train=5)
