"""Helpers every widget panel shares: is a live front end there, and figure → PNG bytes."""
from __future__ import annotations

import io

from ..settings import quick_mode


def live_frontend() -> bool:
    """True when a notebook front end can show live widgets.

    False in quick mode (CI, nbval) and outside IPython kernels; panels then render a final
    static figure instead of a live one.
    """
    if quick_mode():
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def figure_png(fig, dpi: int = 80) -> bytes:
    """Render a matplotlib figure off-screen (Agg) to PNG bytes for an ``Image`` widget."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
