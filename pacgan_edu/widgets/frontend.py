"""Helpers every widget panel shares: is a live front end there, figure → PNG bytes, and
displaying a widget so that saved notebooks still show a picture of it."""
from __future__ import annotations

import base64
import io

from ..settings import live_widgets_forced, quick_mode

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_placeholder(name: str) -> str:
    """The text a viewer without widget support shows for a widget output."""
    return f"{name} (interactive: run the notebook to use it)"


def live_frontend() -> bool:
    """True when a notebook front end can show live widgets.

    False in quick mode (CI, nbval; unless ``PACGAN_EDU_LIVE_WIDGETS=1``, as in the browser
    tests) and outside IPython kernels; panels then render a final static figure instead.
    """
    if quick_mode() and not live_widgets_forced():
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


def widget_bundle(widget, picture: bytes | None = None, mimetype: str = "image/png") -> dict:
    """A display bundle: the live widget, plus ``picture`` for viewers that cannot draw widgets.

    Jupyter front ends prefer the widget view; GitHub, nbviewer and a saved notebook reopened
    without its widget state show the picture instead of ``VBox(children=...)``. The widget-view
    format (version 2.0) is the same in ipywidgets 7 and 8.
    """
    bundle = {"text/plain": widget_placeholder(type(widget).__name__),
              WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": widget.model_id}}
    if picture:
        bundle[mimetype] = base64.b64encode(picture).decode("ascii")
    return bundle


def display_widget(widget, picture: bytes | None = None, mimetype: str = "image/png"):
    """Display :func:`widget_bundle`; returns the handle that :func:`update_picture` refreshes."""
    from IPython.display import display

    return display(widget_bundle(widget, picture, mimetype), raw=True, display_id=True)


def update_picture(handle, widget, picture: bytes, mimetype: str = "image/png") -> None:
    """Replace the fallback picture of a displayed widget (e.g. with the latest frame)."""
    if handle is not None:
        handle.update(widget_bundle(widget, picture, mimetype), raw=True)


def error_html(error: BaseException, hint: str = "") -> str:
    """A panel's status line for an exception: its type and message in red, the last frames of
    the traceback, then ``hint`` (what the user can do next)."""
    import html
    import traceback

    message = html.escape(f"{type(error).__name__}: {error}")
    detail = html.escape("".join(traceback.format_exception(type(error), error, error.__traceback__)[-3:]))
    return (f"<div style='color:#b00020;font-size:14px'><b>error</b>: {message}"
            f"<pre style='font-size:11px'>{detail}</pre>{hint}</div>")


def guarded(handler, on_error):
    """Wrap a widget callback so an exception reaches ``on_error`` (shown in the panel) instead of
    ipywidgets' hidden log."""
    def run(*args):
        try:
            return handler(*args)
        except Exception as error:  # shown, not swallowed
            on_error(error)
    return run
