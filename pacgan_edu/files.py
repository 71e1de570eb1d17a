"""Write files so that a crash or Ctrl-C never leaves a half-written one behind."""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import torch


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, fsync, then rename over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; data and weights are meant to be shared
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_torch_save(obj, path) -> Path:
    """``torch.save`` through :func:`atomic_write_bytes`."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return atomic_write_bytes(path, buffer.getvalue())


def safe_torch_load(path, map_location="cpu"):
    """``torch.load`` with ``weights_only=True``: tensors and plain containers, never code."""
    return torch.load(path, map_location=map_location, weights_only=True)


CHECKSUM_SUFFIX = ".sha256"


class InvalidCheckpoint(ValueError):
    """A checkpoint that is missing its checksum, does not match it, or that torch refuses."""


def checksum_path(path) -> Path:
    path = Path(path)
    return path.with_name(path.name + CHECKSUM_SUFFIX)


def save_checksummed(checkpoint: dict, path) -> Path:
    """``torch.save`` atomically plus a ``<file>.sha256`` sidecar in sha256sum's format (so
    ``sha256sum -c file.sha256`` works too)."""
    import hashlib
    path = Path(path)
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    data = buffer.getvalue()
    atomic_write_bytes(path, data)
    atomic_write_bytes(checksum_path(path), f"{hashlib.sha256(data).hexdigest()}  {path.name}\n".encode())
    return path


def load_checksummed(path) -> dict:
    """The checkpoint at ``path``, only if its bytes match the sidecar's sha256; loaded from those
    very bytes with ``torch.load(weights_only=True)``. Raises :class:`InvalidCheckpoint`."""
    import hashlib
    path = Path(path)
    sidecar = checksum_path(path)
    if not sidecar.exists():
        raise InvalidCheckpoint(f"{path}: no checksum file {sidecar.name}")
    data = path.read_bytes()
    expected = (sidecar.read_text().split() or [""])[0]
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected.lower():
        raise InvalidCheckpoint(f"{path}: sha256 {actual} does not match {expected or 'nothing'}")
    try:
        return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # unpickling refused, truncated ...
        raise InvalidCheckpoint(f"{path}: cannot load ({type(exc).__name__}: {exc})") from exc
