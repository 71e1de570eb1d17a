"""Run-wide switches read from the environment, in one place.

``PACGAN_EDU_QUICK=1`` shrinks every notebook and demo to seconds (tests, CI, nbval).
``PACGAN_EDU_DATA`` points at the folder where datasets and cached weights live.
``PACGAN_EDU_LIVE_WIDGETS=1`` keeps the panels live (widgets, background training) in quick
mode: the browser tests run the notebooks fast *and* see real widgets.
"""
from __future__ import annotations

import os
from pathlib import Path

QUICK_ENV = "PACGAN_EDU_QUICK"
DATA_ENV = "PACGAN_EDU_DATA"
LIVE_WIDGETS_ENV = "PACGAN_EDU_LIVE_WIDGETS"
_TRUE = {"1", "true", "yes", "on"}


def quick_mode() -> bool:
    """True when ``PACGAN_EDU_QUICK`` is set to a true-ish value (1, true, yes, on)."""
    return os.environ.get(QUICK_ENV, "").strip().lower() in _TRUE


def live_widgets_forced() -> bool:
    """True when ``PACGAN_EDU_LIVE_WIDGETS`` is set to a true-ish value."""
    return os.environ.get(LIVE_WIDGETS_ENV, "").strip().lower() in _TRUE


def data_dir() -> Path:
    """Folder for downloaded datasets and cached weights.

    ``$PACGAN_EDU_DATA`` if set; else the repository's ``data/`` folder when running from a
    checkout; else ``~/.cache/pacgan_edu`` (e.g. a pip-installed package in Colab).
    """
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    checkout_data = Path(__file__).resolve().parent.parent / "data"
    if checkout_data.is_dir():
        return checkout_data
    return Path.home() / ".cache" / "pacgan_edu"
