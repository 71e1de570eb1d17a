"""Region explorer: drag the packing degree m and watch R(Pᵐ, Qᵐ) grow (notebook 03).

Only widgets present in both ipywidgets 7.7 and 8 are used. Frames are rendered off-screen
(``figure_png``) into an ``Image`` widget, so there is no flicker. Without a live front end
(quick mode, nbval, plain Python) displaying the panel shows one static PNG of the same frame.
Errors during an update are shown in the panel's status area, never swallowed.
"""
from __future__ import annotations

import html
import traceback

import ipywidgets as w

from .. import theory
from ..plots import theory as theory_plots
from .frontend import display_widget, figure_png, live_frontend

__all__ = ["RegionExplorer", "PRESETS", "build_pair"]

#: label shown in the dropdown → key
PRESETS = {
    "drop k of K modes": "dropped",
    "junk mass": "junk",
    "smooth mismatch": "smooth",
    "Gaussian mixture, 1-D": "gmm1d",
    "Gaussian mixture, 2-D (2×2 modes)": "gmm2d",
}
_VIEWS = ["this pair", "vs. smooth pair of equal TV"]


def build_pair(preset: str, n_modes: int, n_dropped: int, mass: float):
    """(p, q, positions, name) for a preset key of ``PRESETS`` and the panel's control values."""
    if preset == "dropped":
        p, q = theory.dropped_modes_pair(n_modes, n_dropped)
        return p, q, None, f"drop {n_dropped} of {n_modes} modes"
    if preset == "junk":
        p, q = theory.junk_mass_pair(n_modes, mass)
        return p, q, None, f"{n_modes} modes + junk mass {mass:.2f} (last bar)"
    if preset == "smooth":
        p, q = theory.smooth_mismatch_pair(n_modes, mass)
        return p, q, None, f"smooth mismatch on {n_modes} modes, s = {mass:.2f}"
    if preset == "gmm1d":
        p, q, grid = theory.gaussian_mixture_pair(n_modes, n_dropped, dim=1, return_grid=True)
        return p, q, grid, f"1-D mixture, {n_modes} modes, {n_dropped} dropped"
    if preset == "gmm2d":
        dropped = min(n_dropped, 3)
        p, q, grid = theory.gaussian_mixture_pair(4, dropped, dim=2, bins_per_mode=2,
                                                  return_grid=True)
        return p, q, grid, f"2-D mixture, 4 modes, {dropped} dropped"
    raise ValueError(f"unknown preset {preset!r}; choose one of {sorted(PRESETS.values())}")


class RegionExplorer:
    """Interactive mode-collapse region of (Pᵐ, Qᵐ) for teaching pairs (PacGAN §3–4).

    Controls: preset pair, number of modes K, dropped modes k, a mass (junk mass or mismatch
    strength s), packing degree m = 1…8, the (ε, δ) marker, and a view toggle that puts a
    collapse-free "smooth" pair with the same TV(P, Q) beside the chosen one. The status line
    says whether (Pᵐ, Qᵐ) has (ε, δ)-mode collapse and gives TV(Pᵐ, Qᵐ) and the optimal
    packed discriminator's accuracy.
    """

    def __init__(self, preset: str = "dropped", n_modes: int = 10, n_dropped: int = 2,
                 mass: float = 0.2, m: int = 1, eps: float = 0.05, delta: float = 0.5,
                 compare: bool = False, m_max: int = 8):
        style = {"description_width": "110px"}
        layout = w.Layout(width="330px")
        self.preset = w.Dropdown(options=list(PRESETS.items()), value=preset,
                                 description="pair", style=style, layout=layout)
        self.n_modes = w.IntSlider(value=n_modes, min=2, max=20, description="modes K",
                                   continuous_update=False, style=style, layout=layout)
        self.n_dropped = w.IntSlider(value=n_dropped, min=0, max=19, description="dropped k",
                                     continuous_update=False, style=style, layout=layout)
        self.mass = w.FloatSlider(value=mass, min=0.0, max=1.0, step=0.01, description="mass",
                                  continuous_update=False, style=style, layout=layout)
        self.m = w.IntSlider(value=m, min=1, max=m_max, description="packing m",
                             continuous_update=False, style=style, layout=layout)
        self.eps = w.FloatSlider(value=eps, min=0.0, max=0.99, step=0.01, description="ε",
                                 continuous_update=False, style=style, layout=layout)
        self.delta = w.FloatSlider(value=delta, min=0.01, max=1.0, step=0.01, description="δ",
                                   continuous_update=False, style=style, layout=layout)
        # ipywidgets 8 draws a ToggleButtons as a block: its description sat on a line of its own,
        # left of the column of labels above, and each button is 148 px wide, which cut the longer
        # option to "vs. smooth pair o…". The row class of the other controls puts "view" beside
        # the buttons, right-aligned like every label above (the 2 px margin is the other rows');
        # centring levels it with the buttons' text; and each button is as wide as the longest
        # option needs (≤ 8 px a character at JupyterLab's 13 px font, plus 20 px padding).
        self.view = w.ToggleButtons(options=_VIEWS, value=_VIEWS[1] if compare else _VIEWS[0],
                                    description="view", layout=w.Layout(align_items="center", margin="2px"),
                                    style={**style, "button_width": f"{8 * max(map(len, _VIEWS)) + 24}px"})
        self.view.add_class("widget-inline-hbox")
        self.reset_button = w.Button(description="reset", icon="undo")
        self.status = w.HTML(value="")
        self.image = w.Image(format="png")
        self._defaults = dict(preset=preset, n_modes=n_modes, n_dropped=n_dropped, mass=mass,
                              m=m, eps=eps, delta=delta)
        self.last_error: str | None = None
        self.frames = 0

        controls = [self.preset, self.n_modes, self.n_dropped, self.mass, self.m, self.eps,
                    self.delta]
        for control in controls + [self.view]:
            control.observe(self._on_change, names="value")
        self.reset_button.on_click(self._on_reset)
        self.widget = w.VBox([
            w.HBox([w.VBox(controls[:4]), w.VBox(controls[4:] + [self.reset_button])]),
            self.view,
            self.status,
            self.image,
        ])
        self._sync_controls()
        self.update()

    # ------------------------------------------------------------------ state → figure
    def current_pair(self):
        """(p, q, positions, name) for the current controls."""
        return build_pair(self.preset.value, self.n_modes.value, self.n_dropped.value,
                          self.mass.value)

    def comparison_pair(self, p, q):
        """A collapse-free two-atom pair with the same TV: P = (½, ½), Q = (½ − τ, ½ + τ)."""
        tau = theory.tv(p, q)
        if tau > 0.5:
            raise ValueError(f"TV(P, Q) = {tau:.2f} > 0.5: no smooth two-mode pair has that TV; "
                             "lower the mass or the dropped modes")
        return theory.smooth_mismatch_pair(2, 2 * tau)

    def figure(self):
        """The current frame as a matplotlib Figure (raises on invalid settings)."""
        eps, delta = self.eps.value, self.delta.value
        if not eps < delta:
            raise ValueError(f"(ε, δ)-mode collapse needs ε < δ; now ε = {eps:.2f}, δ = {delta:.2f}")
        p, q, positions, name = self.current_pair()
        comparison = self.comparison_pair(p, q) if self.view.value == _VIEWS[1] else None
        return theory_plots.region_explorer_figure(
            p, q, self.m.value, eps, delta, positions=positions, pair_name=name,
            comparison=comparison, comparison_name="smooth pair, same TV(P, Q)")

    def status_html(self) -> str:
        p, q, _, name = self.current_pair()
        m, eps, delta = self.m.value, self.eps.value, self.delta.value
        tv1, tvm = theory.tv(p, q), theory.packed_tv(p, q, m)
        collapsed = theory.has_mode_collapse(p, q, eps, delta, m)
        verdict = (f"<b style='color:#d95f02'>collapsed</b>: (ε, δ) = ({eps:.2f}, {delta:.2f}) "
                   f"lies in R(Pᵐ, Qᵐ)" if collapsed else
                   f"<b style='color:#0072B2'>not collapsed</b>: (ε, δ) = ({eps:.2f}, {delta:.2f}) "
                   f"lies outside R(Pᵐ, Qᵐ)")
        return (f"<div style='font-size:14px'>m = {m}: {verdict}. "
                f"TV(P, Q) = {tv1:.3f}, TV(Pᵐ, Qᵐ) = {tvm:.3f}; best packed discriminator "
                f"accuracy (1 + TV)/2 = {0.5 * (1 + tvm):.3f}.</div>")

    def update(self) -> None:
        """Recompute and redraw; on failure keep the last frame and show the error."""
        try:
            fig = self.figure()
            png = figure_png(fig)
            status = self.status_html()
        except Exception as error:  # shown in the panel, not swallowed
            self.last_error = f"{type(error).__name__}: {error}"
            detail = html.escape("".join(traceback.format_exception_only(type(error), error)).strip())
            self.status.value = (f"<div style='color:#b00020;font-size:14px'><b>error</b>: "
                                 f"{detail}</div>")
            return
        self.last_error = None
        self.image.value = png
        self.status.value = status
        self.frames += 1

    # ------------------------------------------------------------------ events
    def _sync_controls(self) -> None:
        preset = self.preset.value
        self.n_dropped.max = max(0, self.n_modes.value - 1)
        self.n_modes.disabled = preset == "gmm2d"
        self.n_dropped.disabled = preset in ("junk", "smooth")
        self.mass.disabled = preset not in ("junk", "smooth")
        self.mass.description = {"junk": "junk mass", "smooth": "mismatch s"}.get(preset, "mass")

    def _on_change(self, change) -> None:
        self._sync_controls()
        self.update()

    def _on_reset(self, _button=None) -> None:
        d = self._defaults
        for control, key in [(self.preset, "preset"), (self.n_modes, "n_modes"),
                             (self.n_dropped, "n_dropped"), (self.mass, "mass"), (self.m, "m"),
                             (self.eps, "eps"), (self.delta, "delta")]:
            control.unobserve(self._on_change, names="value")
            control.value = d[key]
            control.observe(self._on_change, names="value")
        self._sync_controls()
        self.update()

    # ------------------------------------------------------------------ display
    def static_png(self) -> bytes:
        """The current frame as PNG bytes (what quick mode / nbval shows)."""
        return figure_png(self.figure())

    def _ipython_display_(self) -> None:
        from IPython.display import Image, display

        if live_frontend():
            display_widget(self.widget, self.static_png())   # the picture is what GitHub shows
        else:  # no front end: one static frame, with the status line as text
            display(Image(data=self.static_png()))
            print(html.unescape(_strip_tags(self.status.value)))


def _strip_tags(text: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", text)
