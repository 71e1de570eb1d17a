"""Tidy a notebook's saved outputs after a recorded run (the notebooks ship with outputs).

tqdm's notebook progress bars are widgets: in a live session they vanish when training ends,
but a saved notebook keeps their text fallback frozen at the start ("  0%|   | 0/3500"),
which is what GitHub shows. :func:`strip_progress_bars` removes exactly those outputs.

    python -m pacgan_edu.notebook_outputs notebooks/*.ipynb
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from .files import atomic_write_bytes

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
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


def tidy(path) -> int:
    """Strip progress bars from the notebook file at ``path`` in place (atomically)."""
    path = Path(path)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    removed = strip_progress_bars(notebook)
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
        print(f"{path}: removed {tidy(path)} stale progress bar(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
