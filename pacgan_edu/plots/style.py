"""One visual vocabulary for every figure (GAN Lab's language, colour-blind safe).

real = green, generated = purple, discriminator heatmap = a diverging map
(green where D says "real", purple where it says "fake"), G gradients = dark arrows.
"""
from __future__ import annotations

from contextlib import contextmanager

import matplotlib as mpl

REAL = "#1b9e77"        # green
GENERATED = "#7b3294"   # purple
MODE_CENTRE = "#222222"
ACCENT = "#d95f02"      # orange: highlights (sets S, markers, thresholds)
NEUTRAL = "#7f7f7f"
# colour per packing degree m = 1..8 (Okabe–Ito, colour-blind safe)
PACK_COLOURS = ["#000000", "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442"]
DISCRIMINATOR_CMAP = "PRGn"  # purple (fake) .. green (real)

BIG = {  # readable from the back of a lecture hall
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.labelsize": 13,
    "legend.fontsize": 11,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "figure.dpi": 100,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


# the presenter view (a projector, 200 students): everything one step larger again
PRESENTER = {**BIG, "font.size": 16, "axes.titlesize": 18, "axes.labelsize": 16, "legend.fontsize": 14,
             "xtick.labelsize": 14, "ytick.labelsize": 14, "figure.titlesize": 19}


def pack_colour(m: int) -> str:
    """Colour for packing degree ``m`` (1-based); cycles after 8."""
    return PACK_COLOURS[(int(m) - 1) % len(PACK_COLOURS)]


_ACTIVE = [BIG]   # what apply_style() sets: BIG, or PRESENTER inside presenter_style()


def apply_style() -> None:
    """Set the suite's matplotlib defaults (big fonts, no top/right spines)."""
    mpl.rcParams.update(_ACTIVE[-1])


@contextmanager
def presenter_style():
    """Figures made inside this block use the presenter view's larger type (:data:`PRESENTER`)."""
    _ACTIVE.append(PRESENTER)   # plot functions call apply_style(): they get the presenter's sizes
    try:
        with mpl.rc_context(PRESENTER):
            yield
    finally:
        _ACTIVE.pop()
