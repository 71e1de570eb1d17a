"""Saved notebooks: stale progress-bar widgets are recognised and removed, nothing else is."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pacgan_edu.notebook_outputs import WIDGET_VIEW, is_progress_bar, main, strip_progress_bars

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def widget(text):
    return {"output_type": "display_data", "metadata": {},
            "data": {WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": "abc"}, "text/plain": text}}


BAR = widget(["training 40 GAN(s):   0%|          | 0/3500 [00:00<?, ?it/s]"])
PANEL = widget(["VBox(children=(HBox(children=(Dropdown(description='dataset'),)),))"])
STREAM = {"output_type": "stream", "name": "stdout", "text": ["  0%|  | 0/3 not a widget\n"]}


@pytest.mark.parametrize("output, expected", [(BAR, True), (widget("50%|#####     | 5/10 [00:01<00:01]"), True),
                                              (PANEL, False), (STREAM, False)])
def test_only_tqdm_widgets_count_as_progress_bars(output, expected):
    assert is_progress_bar(output) is expected


def test_strip_keeps_every_other_output(tmp_path):
    notebook = {"cells": [{"cell_type": "code", "source": [], "outputs": [BAR, PANEL, STREAM, BAR]},
                          {"cell_type": "markdown", "source": ["# hi"]}], "metadata": {}, "nbformat": 4}
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(notebook))
    assert main([str(path)]) == 0
    saved = json.loads(path.read_text())
    assert saved["cells"][0]["outputs"] == [PANEL, STREAM] and saved["cells"][1] == notebook["cells"][1]
    assert strip_progress_bars(saved) == 0


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_carry_no_frozen_progress_bars(path):
    """Recorded runs are tidied (python -m pacgan_edu.notebook_outputs) before they are committed."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert strip_progress_bars(notebook) == 0


def test_panels_get_their_saved_last_frame_as_a_picture():
    from pacgan_edu.notebook_outputs import attach_widget_pictures

    panel = widget(["VBox(children=...)"])
    panel["data"][WIDGET_VIEW]["model_id"] = "box"
    state = {"box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_html", "IPY_MODEL_img"]}},
             "html": {"model_name": "HTMLModel", "state": {"value": "status"}},
             "img": {"model_name": "ImageModel", "state": {"format": "jpeg"},
                     "buffers": [{"path": ["value"], "encoding": "base64", "data": "/9j/AAAA"}]}}
    notebook = {"cells": [{"cell_type": "code", "outputs": [panel, BAR]}],
                "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": {"state": state}}}}
    assert attach_widget_pictures(notebook) == 1
    data = notebook["cells"][0]["outputs"][0]["data"]
    assert data["image/jpeg"] == "/9j/AAAA" and "VBox" not in data["text/plain"]
    assert "image/jpeg" not in notebook["cells"][0]["outputs"][1]["data"]  # progress bars are not panels
    assert attach_widget_pictures(notebook) == 0                             # already has its picture


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_panels_show_a_picture_on_github(path):
    from pacgan_edu.notebook_outputs import attach_widget_pictures

    assert attach_widget_pictures(json.loads(path.read_text(encoding="utf-8"))) == 0
