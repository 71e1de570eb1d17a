"""Files made by longer runs and committed under ``data/`` (pre-recorded sweeps in
``data/prerecorded/``, replays in ``data/recordings/``), found the same way everywhere: the
checkout's copy, else a cached copy in ``data_dir()``, else downloaded from the project's
repository into that cache (a pip-installed package, e.g. in Colab, does not contain ``data/``)."""
from __future__ import annotations

import io
import json
from pathlib import Path

from .data.download import fetch_url
from .files import atomic_write_bytes
from .settings import data_dir

CHECKOUT_DATA = Path(__file__).resolve().parent.parent / "data"
REPOSITORY_DATA_URL = "https://raw.githubusercontent.com/pacgan-edu/pacgan-edu/main/data/"
PRERECORDED_IN_CHECKOUT = CHECKOUT_DATA / "prerecorded"
PRERECORDED_URL = REPOSITORY_DATA_URL + "prerecorded/"


def prerecorded_file(name: str, folder: str = "prerecorded") -> Path:
    """Path of the committed file ``data/<folder>/<name>``: the checkout's, a cached copy, or
    downloaded (small files only: JSON, PNG, recordings of a few MB)."""
    for place in (CHECKOUT_DATA / folder, data_dir() / folder):
        if (place / name).is_file():
            return place / name
    target = data_dir() / folder / name
    url = f"{REPOSITORY_DATA_URL}{folder}/{name}"
    buffer = io.BytesIO()
    try:
        fetch_url(url, buffer)
        atomic_write_bytes(target, buffer.getvalue())
    except OSError as exc:  # offline, or the file is not published
        raise FileNotFoundError(f"pre-recorded file {name!r} is not in {CHECKOUT_DATA / folder} and could not "
                                f"be downloaded from {url} ({exc})") from exc
    return target


def load_prerecorded(name: str = "stacked_mnist_veegan_lecture.json") -> dict:
    """A pre-recorded CLI result (``{"settings", "runs", "summary", ...}``) by file name."""
    return json.loads(prerecorded_file(name).read_text())
