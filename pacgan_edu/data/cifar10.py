"""CIFAR-10, checked before use, from the fast mirror first; and an offline stand-in.

Where the images come from, in order (``load_cifar10``):

1. ``cifar10.npz`` in the data folder: our own decoded cache (``allow_pickle=False``);
2. the Hugging Face parquet files (``train-…parquet``, ``test-…parquet``) in the folder;
3. the canonical python tarball ``cifar-10-python.tar.gz`` in the folder;
4. its extracted ``cifar-10-batches-py/`` folder;
5. online: the parquet files from the pinned Hugging Face revision (seconds), else the canonical
   tarball (the Toronto host served ~60–85 kB/s in 2026: 40–60 minutes), each into a temporary
   file that gets its real name only after its size and sha256 (and md5) matched;
6. nothing worked: :class:`~pacgan_edu.data.download.DatasetUnavailable`, naming the files, the
   folder to put them in and the URLs to fetch by hand — or ask for ``cifar10_stand_in()``.

Every file is checked before it is parsed; the tarball's batches are pickles, unpickled only
after the whole tarball *and* that member matched their published checksums. The checksums are
parameters with the real values as defaults, so tests build tiny files of their own.
Sources and checksums: ../shared/REFERENCES.md § CIFAR-10 (Krizhevsky 2009; the Hugging Face
copy ``uoft-cs/cifar10``).
"""
from __future__ import annotations

import hashlib
import io
import pickle
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import atomic_write_bytes
from ..settings import data_dir
from .download import ChecksumError, DatasetUnavailable, check_file, download_checked, file_md5

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
STAND_IN_CLASSES = ("disc", "square", "triangle", "cross", "ring", "h-stripes", "v-stripes", "checker",
                    "diamond", "dots")
STAND_IN_LABEL = "stand-in for CIFAR-10"
CACHE_NAME = "cifar10.npz"


@dataclass(frozen=True)
class RemoteFile:
    """A file we may download: where from, and what it must be."""

    name: str
    url: str
    size: int | None
    sha256: str | None
    md5: str | None = None


HF_REVISION = "0b2714987fa478483af9968de7c934580d0bb9a2"
_HF = f"https://huggingface.co/datasets/uoft-cs/cifar10/resolve/{HF_REVISION}/plain_text/"
PARQUET_FILES = {
    "train": RemoteFile("train-00000-of-00001.parquet", _HF + "train-00000-of-00001.parquet", 119_705_255,
                        "8428b53a88a11ac374111006708df51469e315a22ac6d66470afd9c78d2ae883"),
    "test": RemoteFile("test-00000-of-00001.parquet", _HF + "test-00000-of-00001.parquet", 23_940_850,
                       "841389e6f2d64f28bf17310e430aebac20ec3ba611a3c5e231dc93c645ce84de"),
}
TARBALL = RemoteFile("cifar-10-python.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                     170_498_071, "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
                     "c58f30108f718f92721af3b95e74349a")
EXTRACTED = "cifar-10-batches-py"
MEMBER_MD5 = {
    "data_batch_1": "c99cafc152244af753f735de768cd75f", "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751", "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb", "test_batch": "40351d587109b95175f43aff81a1287e",
    "batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
}
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))


@dataclass
class Cifar10Data:
    """Images ``(N, 3, 32, 32)`` uint8, labels ``(N,)`` int64, class names, and where they came from."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    classes: tuple
    source: str
    stand_in: bool = False
    imbalance: float = 1.0     # n_max / n_min over the classes (pacgan_edu.data.long_tail); 1 = balanced

    @property
    def label(self) -> str:
        """What every figure and table says the data is."""
        name = STAND_IN_LABEL if self.stand_in else "CIFAR-10"
        return name if self.imbalance == 1 else f"{name}, long-tailed {self.imbalance:g}:1"


# ------------------------------------------------------------------------------- the loader
def cifar10_folder() -> Path:
    return data_dir() / "cifar10"


def load_cifar10(folder=None, *, path=None, download: bool = True, timeout: float = 60.0,
                 parquet_files=None, tarball: RemoteFile = TARBALL, member_md5=None,
                 cache: bool = True) -> Cifar10Data:
    """CIFAR-10 from the first source that is present and correct (see the module docstring).

    ``path``: a file you fetched yourself (the tarball, or a folder holding the parquet files /
    the tarball / ``cifar-10-batches-py``). ``download=False``: never touch the network.
    """
    parquet_files = PARQUET_FILES if parquet_files is None else parquet_files
    member_md5 = MEMBER_MD5 if member_md5 is None else member_md5
    folder = Path(folder) if folder is not None else cifar10_folder()
    if path is not None:
        path = Path(path)
        if path.is_dir():
            folder = path
        elif path.is_file():
            return _cached(folder, _from_tarball(path, tarball, member_md5), cache)
        else:
            raise FileNotFoundError(f"{path} does not exist (give the CIFAR-10 tarball or a folder holding it)")
    cached = folder / CACHE_NAME
    if cached.is_file():
        return _read_cache(cached)
    if all((folder / f.name).is_file() for f in parquet_files.values()):
        return _cached(folder, _from_parquet(folder, parquet_files), cache)
    if (folder / tarball.name).is_file():
        return _cached(folder, _from_tarball(folder / tarball.name, tarball, member_md5), cache)
    if (folder / EXTRACTED).is_dir():
        return _cached(folder, _from_extracted(folder / EXTRACTED, member_md5), cache)
    errors = []
    if download:
        try:
            for f in parquet_files.values():
                if not (folder / f.name).is_file():
                    download_checked(f.url, folder / f.name, f.size, f.sha256, f.md5, timeout, progress=f.name)
            return _cached(folder, _from_parquet(folder, parquet_files), cache)
        except (OSError, ChecksumError) as error:
            errors.append(f"Hugging Face parquet: {error}")
        try:
            download_checked(tarball.url, folder / tarball.name, tarball.size, tarball.sha256, tarball.md5, timeout,
                             progress=tarball.name)
            return _cached(folder, _from_tarball(folder / tarball.name, tarball, member_md5), cache)
        except (OSError, ChecksumError) as error:
            errors.append(f"canonical tarball: {error}")
    raise DatasetUnavailable(_missing_message(folder, parquet_files, tarball, errors, download),
                             [f.name for f in parquet_files.values()] + [tarball.name], folder)


def _missing_message(folder, parquet_files, tarball, errors, download) -> str:
    lines = ["CIFAR-10 is not here" + (" and could not be downloaded." if download else " (download=False)."),
             f"Put either file set into {Path(folder).resolve()}:",
             *(f"  {f.name}  ({f.size:,} bytes) from {f.url}" for f in parquet_files.values()),
             f"  or {tarball.name}  ({tarball.size:,} bytes) from {tarball.url}",
             "or set PACGAN_EDU_DATA to a folder whose cifar10/ holds them.",
             "Without the data, use the offline stand-in: dataset='cifar10-stand-in' "
             "(python -m pacgan_edu cifar10 --data stand-in)."]
    if errors:
        lines += ["Tried:", *(f"  {e}" for e in errors)]
    return "\n".join(lines)


def _cached(folder: Path, data: Cifar10Data, cache: bool) -> Cifar10Data:
    if cache:
        buffer = io.BytesIO()
        np.savez(buffer, train_images=data.train_images, train_labels=data.train_labels,
                 test_images=data.test_images, test_labels=data.test_labels,
                 classes=np.array(data.classes), source=np.array(data.source))
        atomic_write_bytes(folder / CACHE_NAME, buffer.getvalue())
    return data


def _read_cache(path: Path) -> Cifar10Data:
    with np.load(path, allow_pickle=False) as f:
        data = Cifar10Data(f["train_images"], f["train_labels"].astype(np.int64), f["test_images"],
                           f["test_labels"].astype(np.int64), tuple(str(c) for c in f["classes"]),
                           f"{f['source']} (decoded cache {path})")
    _check_arrays(data)
    return data


def _check_arrays(data: Cifar10Data) -> None:
    for name in ("train", "test"):
        images, labels = getattr(data, f"{name}_images"), getattr(data, f"{name}_labels")
        if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1:] != (3, 32, 32) or len(images) != len(labels):
            raise ChecksumError(f"CIFAR-10 {name} arrays have the wrong shape/type: {images.shape} {images.dtype}, "
                                f"{len(labels)} labels")
        if labels.size and (labels.min() < 0 or labels.max() >= len(data.classes)):
            raise ChecksumError(f"CIFAR-10 {name} labels outside 0..{len(data.classes) - 1}")


# ------------------------------------------------------------------------------- parquet
def _from_parquet(folder: Path, parquet_files) -> Cifar10Data:
    for f in parquet_files.values():
        check_file(folder / f.name, f.size, f.sha256, f.md5)   # before any byte is parsed
    try:
        import pyarrow.parquet as pq
        from PIL import Image
    except ImportError as error:
        raise ImportError("reading the CIFAR-10 parquet files needs pyarrow and Pillow: "
                          "pip install 'pacgan-edu[cifar10]'") from error
    parts = {}
    for split, f in parquet_files.items():
        table = pq.read_table(folder / f.name, columns=["img", "label"]).to_pydict()
        images = np.stack([np.asarray(Image.open(io.BytesIO(img["bytes"])).convert("RGB"), dtype=np.uint8)
                           for img in table["img"]]).transpose(0, 3, 1, 2)
        parts[split] = (np.ascontiguousarray(images), np.asarray(table["label"], dtype=np.int64))
    data = Cifar10Data(*parts["train"], *parts["test"], CLASSES,
                       f"Hugging Face uoft-cs/cifar10 parquet (revision {HF_REVISION[:10]}), sha256 checked")
    _check_arrays(data)
    return data


# ------------------------------------------------------------------------------- the tarball
def _unpickle_checked(blob: bytes, name: str, member_md5) -> dict:
    """A batch's dict, unpickled only after its md5 matched (``latin1``: py2-era pickles)."""
    expected = member_md5.get(name)
    actual = hashlib.md5(blob).hexdigest()
    if expected is None or actual != expected:
        raise ChecksumError(f"CIFAR-10 member {name}: md5 {actual} != expected {expected} (not unpickled)")
    return pickle.loads(blob, encoding="latin1")  # noqa: S301 (checksum verified just above)


def _field(batch: dict, key: str):
    """``batch[key]`` whether the pickle's keys are str or bytes."""
    if key in batch:
        return batch[key]
    if key.encode() in batch:
        return batch[key.encode()]
    raise ChecksumError(f"a CIFAR-10 batch has no {key!r} entry (keys: {list(batch)[:5]})")


def _decode(batches: dict) -> Cifar10Data:
    def images(batch):
        return np.asarray(_field(batch, "data"), dtype=np.uint8).reshape(-1, 3, 32, 32)

    def labels(batch):
        return np.asarray(_field(batch, "labels"), dtype=np.int64)
    train = [batches[name] for name in TRAIN_BATCHES]
    names = _field(batches["batches.meta"], "label_names")
    classes = tuple(n.decode() if isinstance(n, bytes) else str(n) for n in names)
    return Cifar10Data(np.concatenate([images(b) for b in train]), np.concatenate([labels(b) for b in train]),
                       images(batches["test_batch"]), labels(batches["test_batch"]), classes, "")


def _from_tarball(path: Path, tarball: RemoteFile, member_md5) -> Cifar10Data:
    check_file(path, tarball.size, tarball.sha256, tarball.md5)   # the whole archive first
    batches = {}
    with tarfile.open(path, "r:gz") as archive:      # members are read as bytes, never extracted
        for member in archive.getmembers():
            name = Path(member.name).name
            if member.isfile() and name in member_md5:
                batches[name] = _unpickle_checked(archive.extractfile(member).read(), name, member_md5)
    missing = sorted(set(member_md5) - set(batches))
    if missing:
        raise ChecksumError(f"{path} lacks CIFAR-10 member(s) {missing}")
    data = _decode(batches)
    data.source = f"CIFAR-10 python tarball {path.name}, checksums checked"
    _check_arrays(data)
    return data


def _from_extracted(folder: Path, member_md5) -> Cifar10Data:
    batches = {}
    for name in member_md5:
        file = folder / name
        if not file.is_file():
            raise ChecksumError(f"{folder} lacks {name}")
        batches[name] = _unpickle_checked(file.read_bytes(), name, member_md5)
    data = _decode(batches)
    data.source = f"extracted {folder.name}/, member md5s checked"
    _check_arrays(data)
    return data


__all__ = ["CLASSES", "Cifar10Data", "PARQUET_FILES", "RemoteFile", "STAND_IN_CLASSES", "STAND_IN_LABEL", "TARBALL",
           "MEMBER_MD5", "cifar10_folder", "file_md5", "load_cifar10"]
