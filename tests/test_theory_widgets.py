"""The region explorer driven without a browser: set values, click, read image bytes and status."""
from __future__ import annotations

import numpy as np
import pytest

from pacgan_edu import theory as T
from pacgan_edu.widgets import theory as W


@pytest.fixture
def panel():
    return W.RegionExplorer(preset="dropped", n_modes=10, n_dropped=2, m=1, eps=0.05, delta=0.5)


def test_first_frame_is_rendered(panel):
    assert panel.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert panel.last_error is None
    assert "not collapsed" in panel.status.value


def test_moving_m_redraws_and_flips_the_verdict(panel):
    p, q = T.dropped_modes_pair(10, 2)
    before = panel.image.value
    for m in (2, 3, 5, 8):
        panel.m.value = m
        assert panel.last_error is None
        expected = T.has_mode_collapse(p, q, 0.05, 0.5, m)
        assert ("not collapsed" not in panel.status.value) == expected
        assert f"{T.packed_tv(p, q, m):.3f}" in panel.status.value
    assert panel.image.value != before
    # drop 2 of 10 with (ε, δ) = (0.05, 0.5): not collapsed at m = 1, collapsed by m = 8
    assert not T.has_mode_collapse(p, q, 0.05, 0.5, 1) and T.has_mode_collapse(p, q, 0.05, 0.5, 8)
    assert "collapsed" in panel.status.value and "not collapsed" not in panel.status.value


@pytest.mark.parametrize("key", list(W.PRESETS.values()))
def test_every_preset_draws(panel, key):
    panel.preset.value = key
    panel.m.value = 3
    assert panel.last_error is None, panel.last_error
    frame = panel.image.value
    panel.view.value = panel.view.options[1]  # side by side with the equal-TV smooth pair
    assert panel.last_error is None, panel.last_error
    assert panel.image.value != frame


def test_controls_change_the_pair(panel):
    frame = panel.image.value
    panel.n_dropped.value = 5
    assert panel.image.value != frame
    assert "TV(P, Q) = 0.500" in panel.status.value
    panel.preset.value = "junk"
    assert panel.n_dropped.disabled and not panel.mass.disabled and panel.mass.description == "junk mass"
    frame = panel.image.value
    panel.mass.value = 0.4
    assert panel.image.value != frame
    assert "TV(P, Q) = 0.400" in panel.status.value


def test_errors_are_shown_not_swallowed(panel, monkeypatch):
    frame = panel.image.value
    panel.eps.value = 0.6  # ε ≥ δ
    assert "error" in panel.status.value and "ε &lt; δ" in panel.status.value
    assert panel.image.value == frame  # the last good frame stays
    panel.eps.value = 0.05
    assert panel.last_error is None

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom from theory")

    monkeypatch.setattr(W.theory_plots, "region_explorer_figure", boom)
    panel.m.value = 2
    assert "kaboom from theory" in panel.status.value
    assert "RuntimeError" in panel.last_error


def test_comparison_needs_small_tv(panel):
    panel.n_dropped.value = 7  # TV 0.7: no two-mode smooth pair has it
    panel.view.value = panel.view.options[1]
    assert "error" in panel.status.value and "0.5" in panel.status.value


def test_reset_button_restores_defaults(panel):
    panel.m.value = 6
    panel.eps.value = 0.3
    panel.reset_button.click()
    assert panel.m.value == 1 and panel.eps.value == pytest.approx(0.05)
    assert "m = 1" in panel.status.value


def test_static_fallback_in_quick_mode(panel, monkeypatch, capsys):
    monkeypatch.setenv("PACGAN_EDU_QUICK", "1")
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    panel._ipython_display_()
    assert len(shown) == 1 and isinstance(shown[0], IPython.display.Image)
    assert shown[0].data[:4] == b"\x89PNG"
    assert "collapsed" in capsys.readouterr().out


def test_build_pair_rejects_unknown_preset():
    with pytest.raises(ValueError, match="unknown preset"):
        W.build_pair("nope", 4, 1, 0.1)
    p, q, grid, name = W.build_pair("gmm2d", 4, 1, 0.0)
    assert grid.shape == (16, 2) and np.isclose(p.sum(), 1)


def test_view_toggle_shows_its_whole_labels_in_line_with_the_other_controls(panel):
    """Issue 15 (JupyterLab under headless Chromium): the view toggle read "vs. smooth pair o…"
    (ipywidgets 8 buttons are 148 px wide) and its "view" label sat on a line of its own (a
    ToggleButtons is not laid out as a row like the sliders). Measured there after the fix: the
    buttons' text fits, "view" ends at the sliders' labels' right edge, level with the buttons."""
    view = panel.view
    longest = max(len(option) for option in view.options)
    width = view.style.button_width
    assert width == "auto" or (width.endswith("px") and float(width[:-2]) >= 8 * longest + 20)  # 13 px font
    assert "widget-inline-hbox" in view._dom_classes  # a row: label beside the buttons, right-aligned
    assert view.layout.align_items == "center"  # the label's text level with the buttons' text
    assert view.style.description_width == panel.m.style.description_width == panel.preset.style.description_width
