"""Download-once, verify-always helpers shared by every dataset (MNIST now, CIFAR-10 later).

The rule: a data file is used only after its md5 matches the published checksum.

* present and correct   -> used as is, no network;
* present but different -> :class:`ChecksumError` (we never feed a corrupt file to a parser);
* missing               -> each mirror is tried in turn; the bytes go to a temporary file in
  the same folder and are moved into place with ``os.replace`` only once the md5 matches, so an
  interrupted download never leaves a half-written file under the real name;
* nothing worked        -> :class:`DatasetUnavailable`, whose message names the missing files
  and the exact folder to copy them into.

md5 is used because that is what dataset hosts publish; it guards against truncation and
mix-ups, not against an attacker (use sha256 for files we produce ourselves).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from ..files import atomic_write_bytes  # noqa: F401  (re-exported: one atomic writer for the package)
from typing import Iterable, Mapping, Sequence

DEFAULT_TIMEOUT_S = 30.0
_CHUNK = 1 << 20
_FILE_MODE = 0o644  # mkstemp makes 0600 files; data and weights are meant to be shared


class ChecksumError(ValueError):
    """A local data file exists but its md5 is not the published one."""


class DatasetUnavailable(RuntimeError):
    """Required data files are missing and could not be downloaded (offline, mirrors down)."""

    def __init__(self, message: str, missing: Sequence[str] = (), folder: Path | None = None):
        super().__init__(message)
        self.missing = list(missing)
        self.folder = folder


def file_md5(path: str | os.PathLike) -> str:
    """md5 hex digest of a file, read in chunks (MNIST's 10 MB file never sits in memory twice)."""
    return file_digest(path, "md5")


def file_sha256(path: str | os.PathLike) -> str:
    return file_digest(path, "sha256")


def file_digest(path: str | os.PathLike, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_url(url: str, destination, timeout: float = DEFAULT_TIMEOUT_S, progress: str | None = None) -> None:
    """Stream ``url`` into the open binary file ``destination``.

    The one place that touches the network, so tests can monkeypatch it. ``file://`` URLs work
    too (handy for a local mirror or a USB stick). ``timeout`` bounds every single read, so a
    stalled connection fails after ``timeout`` seconds without data. ``progress``: a label for a
    progress bar (for big files).
    """
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (mirrors are ours)
        if progress is None:
            shutil.copyfileobj(response, destination, _CHUNK)
            return
        from tqdm.auto import tqdm
        total = int(response.headers.get("Content-Length") or 0) or None
        with tqdm(total=total, unit="B", unit_scale=True, desc=progress, leave=False) as bar:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                destination.write(chunk)
                bar.update(len(chunk))


def check_file(path, size: int | None = None, sha256: str | None = None, md5: str | None = None) -> None:
    """Raise :class:`ChecksumError` unless ``path`` has this size and these digests (each if given)."""
    path = Path(path)
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        raise ChecksumError(f"{path}: {actual_size:,} bytes, expected {size:,} (truncated or a different file)")
    if sha256 is not None and file_sha256(path) != sha256.lower():
        raise ChecksumError(f"{path}: sha256 {file_sha256(path)} != expected {sha256}")
    if md5 is not None and file_md5(path) != md5.lower():
        raise ChecksumError(f"{path}: md5 {file_md5(path)} != expected {md5}")


def download_checked(url: str, path, size: int | None = None, sha256: str | None = None, md5: str | None = None,
                     timeout: float = DEFAULT_TIMEOUT_S, progress: str | None = None) -> Path:
    """Download ``url`` to a temporary file beside ``path``, check size and digests, and only
    then move it to ``path`` (an interrupted or wrong download never gets the real name)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        os.chmod(tmp_name, _FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            fetch_url(url, handle, timeout, progress) if progress else fetch_url(url, handle, timeout)
            handle.flush()
            os.fsync(handle.fileno())
        check_file(tmp_name, size, sha256, md5)
        os.replace(tmp_name, path)
    finally:
        _remove_quietly(tmp_name)
    return path


def verified_file(
    name: str,
    md5: str,
    folder: str | os.PathLike,
    mirrors: Iterable[str] = (),
    timeout: float = DEFAULT_TIMEOUT_S,
    hint: str = "",
) -> Path:
    """Return ``folder/name`` once its md5 equals ``md5``, downloading it if it is missing.

    ``mirrors`` are base URLs; the file name is appended (``https://host/mnist/`` +
    ``name``). Raises :class:`ChecksumError` for a present-but-wrong file and
    :class:`DatasetUnavailable` when the file is missing and no mirror delivered it; ``hint``
    (e.g. which environment variable to set) is added to that message.
    """
    return verified_files({name: md5}, folder, mirrors, timeout, hint)[name]


def verified_files(
    files: Mapping[str, str],
    folder: str | os.PathLike,
    mirrors: Iterable[str] = (),
    timeout: float = DEFAULT_TIMEOUT_S,
    hint: str = "",
) -> dict[str, Path]:
    """:func:`verified_file` for several ``{name: md5}`` at once; returns ``{name: path}``.

    Every file already present is checked first, so a corrupt file is reported before any
    download. If one download fails on every mirror, the rest are not attempted (offline, each
    would only wait for its own timeouts) and the error lists *all* files still missing.
    """
    folder = Path(folder).expanduser()
    mirrors = list(mirrors)
    for name, md5 in files.items():
        if (folder / name).exists():
            _check_md5(folder / name, md5)
    paths = {}
    for name, md5 in files.items():
        path = folder / name
        if not path.exists():
            errors = _download_from_mirrors(path, md5, mirrors, timeout)
            if errors is not None:
                missing = [n for n in files if not (folder / n).exists()]
                raise DatasetUnavailable(
                    _unavailable_message(missing, folder, errors, hint), missing, folder
                )
        paths[name] = path
    return paths


def _download_from_mirrors(path: Path, md5: str, mirrors: Sequence[str], timeout: float):
    """Try each mirror in turn; None on success, else the list of what went wrong."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return [f"cannot create {path.parent}: {exc}"]
    errors = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + path.name
        try:
            _download_verified(url, path, md5, timeout)
            return None
        except (urllib.error.URLError, OSError, ValueError) as exc:  # HTTPError, timeouts too
            errors.append(f"{url}: {exc}")
    return errors or ["no mirror URL given"]


def _check_md5(path: Path, expected: str) -> None:
    actual = file_md5(path)
    if actual != expected.lower():
        raise ChecksumError(
            f"{path} has md5 {actual}, expected {expected}. The file is corrupt, truncated or a "
            f"different version. Delete it to download it again, or replace it with the canonical "
            f"file."
        )


def _download_verified(url: str, path: Path, md5: str, timeout: float) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        os.chmod(tmp_name, _FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            fetch_url(url, handle, timeout)
            handle.flush()
            os.fsync(handle.fileno())
        actual = file_md5(tmp_name)
        if actual != md5.lower():
            raise ValueError(f"downloaded md5 {actual} != expected {md5}")
        os.replace(tmp_name, path)  # only a verified file ever gets the real name
    finally:
        _remove_quietly(tmp_name)


def _unavailable_message(
    missing: Sequence[str], folder: Path, errors: Sequence[str], hint: str = ""
) -> str:
    lines = [
        f"Missing data file(s): {', '.join(missing)}.",
        "They could not be downloaded (offline, or every mirror failed).",
        f"Copy them into this folder: {folder.resolve()}",
    ]
    if hint:
        lines.append(hint)
    if errors:
        lines.append("Tried:")
        lines.extend(f"  {line.strip()}" for line in errors)
    return "\n".join(lines)


def _remove_quietly(name: str) -> None:
    try:
        os.remove(name)
    except FileNotFoundError:
        pass
