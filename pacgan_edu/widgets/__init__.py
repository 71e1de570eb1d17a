"""ipywidgets panels (ipywidgets 7.7 and 8) built on train.py and plots.

The replay names load on first use, so ``import pacgan_edu.widgets.theory`` stays light.
"""
from __future__ import annotations

import importlib

_EXPORTS = {"ReplayPanel": "replay", "replay_panel": "replay"}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'pacgan_edu.widgets' has no attribute {name!r}")
