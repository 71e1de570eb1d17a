"""Tidy a notebook's saved outputs after a recorded run (the notebooks ship with outputs).

tqdm's notebook progress bars are widgets: in a live session they vanish when training ends,
but a saved notebook keeps their text fallback frozen at the start ("  0%|   | 0/3500"),
which is what GitHub shows. :func:`strip_progress_bars` removes exactly those outputs.

Live panels are widgets too; a viewer without widget support (GitHub, nbviewer) shows their
text fallback, ``VBox(children=...)``. Panels shown by this version attach a picture of their
last frame themselves (``widgets.frontend.display_widget``); for notebooks recorded before that,
:func:`attach_widget_pictures` takes the panel's last frame from the widget state the notebook
saved and adds it to the output.

    python -m pacgan_edu.notebook_outputs notebooks/*.ipynb
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from .files import atomic_write_bytes
from .widgets.frontend import WIDGET_VIEW, widget_placeholder

# tqdm's text form: "<desc>:  12%|███  | 3/25 [00:01<00:09, ...]"
PROGRESS_TEXT = re.compile(r"^(.*: )?\s*\d{1,3}%\|.*\|\s*\d+/\d+")


def is_progress_bar(output: dict) -> bool:
    """A saved tqdm widget: a widget view whose text fallback is a progress line."""
    data = output.get("data", {})
    if WIDGET_VIEW not in data:
        return False
    text = data.get("text/plain", "")
    text = "".join(text) if isinstance(text, list) else text
    return bool(PROGRESS_TEXT.match(text.strip()))


def strip_progress_bars(notebook: dict) -> int:
    """Remove saved progress-bar widgets from every cell; returns how many were removed."""
    removed = 0
    for cell in notebook.get("cells", []):
        outputs = cell.get("outputs")
        if outputs:
            kept = [o for o in outputs if not is_progress_bar(o)]
            removed += len(outputs) - len(kept)
            cell["outputs"] = kept
    return removed


def _first_image(state: dict, model_id: str, seen=None):
    """(mimetype, base64) of the first Image widget inside widget ``model_id``, or None."""
    seen = set() if seen is None else seen
    model = state.get(model_id)
    if model is None or model_id in seen:
        return None
    seen.add(model_id)
    if model.get("model_name") == "ImageModel":
        for buffer in model.get("buffers", []):
            if buffer.get("path") == ["value"] and buffer.get("encoding") == "base64" and buffer.get("data"):
                return f"image/{model['state'].get('format', 'png')}", buffer["data"]
        return None
    for child in model.get("state", {}).get("children", []):
        if isinstance(child, str) and child.startswith("IPY_MODEL_"):
            found = _first_image(state, child[len("IPY_MODEL_"):], seen)
            if found:
                return found
    return None


def attach_widget_pictures(notebook: dict) -> int:
    """Give every saved widget output without a picture its panel's last frame; returns how many."""
    state = (notebook.get("metadata", {}).get("widgets", {})
             .get("application/vnd.jupyter.widget-state+json", {}).get("state", {}))
    attached = 0
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW not in data or any(k.startswith("image/") for k in data) or is_progress_bar(output):
                continue
            found = _first_image(state, data[WIDGET_VIEW].get("model_id", ""))
            if found:
                mimetype, picture = found
                data[mimetype] = picture
                data["text/plain"] = widget_placeholder("panel")
                attached += 1
    return attached


def tidy(path) -> int:
    """Strip progress bars and attach panel pictures in the notebook at ``path`` (atomically);
    returns the number of outputs changed."""
    path = Path(path)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    removed = strip_progress_bars(notebook) + attach_widget_pictures(notebook)
    if removed:
        text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
        atomic_write_bytes(path, text.encode("utf-8"))
    return removed


def main(argv=None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print("usage: python -m pacgan_edu.notebook_outputs NOTEBOOK.ipynb ...", file=sys.stderr)
        return 2
    for path in paths:
        print(f"{path}: {tidy(path)} output(s) tidied")
    return 0


if __name__ == "__main__":
    sys.exit(main())
