"""The live training frame in GAN Lab's visual language, and its static twin.

One view per ensemble member: the discriminator's output as a background heatmap (green where
D says "real", purple where it says "fake"), real samples in green, generated samples in
purple, the generator's gradient as arrows on generated points, and a modes-captured counter;
beside the views, small curves of modes captured / high-quality % / reverse KL over steps.
The numbers come from :mod:`pacgan_edu.probes`.

Speed (a live panel wants ≥ 5 frames/s on a laptop CPU): :class:`TrainingFigure` keeps one
``matplotlib.figure.Figure`` (no pyplot, so it is safe in a widget's thread) and, when
``live=True``, *blits*: axes, ticks, legends and the colour bar are drawn once into a cached
background, and a frame only redraws the moving artists and encodes JPEG (a full redraw plus
PNG encoding costs ~1 s on a busy 2-core box; a blitted JPEG frame ~0.05 s).
"""
from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import probes
from .style import DISCRIMINATOR_CMAP, GENERATED, MODE_CENTRE, REAL, apply_style, pack_colour

__all__ = ["METRIC_AXES", "TrainingFigure", "member_label", "plot_training_frame", "training_figure"]

# (history key, axis label, scale) for the small curves; fractions are shown in percent
METRIC_AXES = [
    ("modes_captured", "modes\ncaptured", 1.0),
    ("high_quality_fraction", "high\nquality (%)", 100.0),
    ("reverse_kl", "reverse\nKL (nats)", 1.0),
]
ARROW_COLOUR = "#222222"
ARROW_LENGTH = 0.07  # the longest arrow, as a fraction of the view's width


def member_label(pack: int, seed: int | None = None, remedy: str = "none") -> str:
    """"GAN (m = 1)" or "PacGAN (m = 3)", with the remedy ("GAN + minibatch (m = 1)") and the
    seed if given."""
    name = "GAN" if pack == 1 else "PacGAN"
    if remedy != "none":
        name += f" + {remedy}"
    name += f" (m = {pack})"
    return name if seed is None else f"{name}, seed {seed}"


class TrainingFigure:
    """A reusable figure: ``views`` sample panels side by side + three small metric curves.

    ``step_limit``: the curves' x range (doubled whenever training goes past it);
    ``live``: blit frames (for :meth:`jpeg`); a static figure draws everything normally.

    >>> fig = TrainingFigure(trainer.task.mixture, views=2, live=True)      # doctest: +SKIP
    >>> fig.update([probes.probe_frame(trainer, 0), probes.probe_frame(trainer, 1)]).jpeg()
    """

    def __init__(self, mixture, views: int = 1, title: str | None = None, step_limit: int = 1000,
                 live: bool = False, view_size: float = 4.6, dpi: int = 72):
        if isinstance(views, bool) or not isinstance(views, int) or views < 1:
            raise ValueError(f"views must be an integer >= 1, got {views!r}")
        if isinstance(step_limit, bool) or not isinstance(step_limit, int) or step_limit < 1:
            raise ValueError(f"step_limit must be an integer >= 1, got {step_limit!r}")
        apply_style()
        self.mixture = mixture
        self.views = views
        self.live = live
        self.step_limit = step_limit
        self.extent = probes.view_extent(mixture)
        width = view_size * views + 4.2
        self.figure = Figure(figsize=(width, view_size + 0.7), dpi=dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)  # off-screen Agg canvas, never a GUI window
        grid = self.figure.add_gridspec(3, views + 1, width_ratios=[1.0] * views + [0.75])
        self.axes = [self.figure.add_subplot(grid[:, i]) for i in range(views)]
        self.metric_axes = [self.figure.add_subplot(grid[row, views]) for row in range(3)]
        for ax in self.metric_axes[1:]:
            ax.sharex(self.metric_axes[0])
        if title:
            self.figure.suptitle(title)
        self._views: list[dict] = []
        self._lines: list[list] = []
        self._moving: list = []          # artists redrawn every frame (animated when live)
        self._background = None

    # ----------------------------------------------------------------------------- building
    def _build_view(self, ax, frame: probes.ProbeFrame) -> dict:
        xmin, xmax, ymin, ymax = self.extent
        heat = ax.imshow(frame.heatmap.values, extent=frame.heatmap.extent, origin="lower",
                         cmap=DISCRIMINATOR_CMAP, vmin=0.0, vmax=1.0, alpha=0.55,
                         interpolation="bilinear", aspect="auto", zorder=0)
        real = ax.scatter(frame.real[:, 0], frame.real[:, 1], s=7, color=REAL, alpha=0.7,
                          linewidths=0, label="real samples", zorder=2)
        fake = ax.scatter(frame.generated[:, 0], frame.generated[:, 1], s=7, color=GENERATED,
                          alpha=0.8, linewidths=0, label="generated samples", zorder=3)
        u, v = self._arrow_uv(frame.arrow_vectors)
        arrows = ax.quiver(frame.arrow_points[:, 0], frame.arrow_points[:, 1], u, v,
                           angles="xy", scale_units="xy", scale=1.0, color=ARROW_COLOUR,
                           width=0.004, headwidth=4, zorder=4)
        counter = ax.text(0.02, 0.98, "", transform=ax.transAxes, ha="left", va="top", fontsize=13,
                          fontweight="bold", zorder=5,
                          bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "alpha": 0.85, "lw": 0})
        ax.set_title(member_label(frame.pack, frame.seed, frame.remedy))
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_aspect("equal")
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
        if ax is self.axes[-1]:
            bar = self.figure.colorbar(heat, ax=self.axes, shrink=0.8, pad=0.01)
            bar.set_label(frame.heatmap.label)
            # one legend under the views: drawn once into the cached background
            arrow = Line2D([], [], color=ARROW_COLOUR, marker=r"$\rightarrow$", markersize=11, ls="none")
            self.figure.legend([real, fake, arrow],
                               ["real samples", "generated samples", "generator's gradient (scaled)"],
                               loc="outside lower left", ncol=3, frameon=False, markerscale=2.0,
                               handletextpad=1.2)
        # everything inside the view is redrawn each frame, in z-order, over the cached axes
        self._moving += [heat, real, fake, arrows, counter]
        return {"heat": heat, "fake": fake, "arrows": arrows, "counter": counter,
                "arrow_count": len(frame.arrow_points)}

    def _build_curves(self, frames) -> None:
        for i, frame in enumerate(frames):
            lines = []
            for ax in self.metric_axes:
                dashed = i > 0 and frame.pack == frames[0].pack
                (line,) = ax.plot([], [], color=pack_colour(frame.pack), lw=2, ls="--" if dashed else "-",
                                  label=member_label(frame.pack))
                lines.append(line)
            self._lines.append(lines)
            self._moving += lines
        for (key, label, scale), ax in zip(METRIC_AXES, self.metric_axes):
            ax.set_ylabel(label, fontsize=11)
            ax.tick_params(labelsize=9)
            ax.grid(alpha=0.3)
        modes = self.mixture.num_modes
        self.metric_axes[0].set_ylim(0, modes + 0.5)
        self.metric_axes[0].axhline(modes, color=MODE_CENTRE, lw=1, ls=":", label=f"all {modes} modes")
        self.metric_axes[1].set_ylim(0, 100)
        self.metric_axes[2].set_ylim(0, math.log(modes) * 1.05)
        self.metric_axes[0].set_xlim(0, self.step_limit)
        self.metric_axes[-1].set_xlabel("training step")
        for ax in self.metric_axes[:-1]:
            ax.tick_params(labelbottom=False)
        self.metric_axes[0].legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=9,
                                   frameon=False, borderaxespad=0.2)

    def _arrow_uv(self, vectors: np.ndarray):
        """Arrows scaled so the longest spans ARROW_LENGTH of the view (direction and relative size)."""
        longest = float(np.linalg.norm(vectors, axis=1).max()) if len(vectors) else 0.0
        span = self.extent[1] - self.extent[0]
        factor = ARROW_LENGTH * span / longest if longest > 0 else 0.0
        return vectors[:, 0] * factor, vectors[:, 1] * factor

    # ----------------------------------------------------------------------------- updating
    def update(self, frames) -> "TrainingFigure":
        """Put ``frames`` (one :class:`~pacgan_edu.probes.ProbeFrame` per view) into the figure."""
        frames = list(frames)
        if len(frames) != self.views:
            raise ValueError(f"this figure has {self.views} view(s) but got {len(frames)} frame(s)")
        if not self._views:
            self._views = [self._build_view(ax, f) for ax, f in zip(self.axes, frames)]
            self._build_curves(frames)
            for artist in self._moving:
                artist.set_animated(self.live)
        modes = self.mixture.num_modes
        for ax, view, frame in zip(self.axes, self._views, frames):
            if len(frame.arrow_points) != view["arrow_count"]:
                raise ValueError("frames of a different packing degree need a new TrainingFigure")
            view["heat"].set_data(frame.heatmap.values)
            view["fake"].set_offsets(frame.generated)
            view["arrows"].set_offsets(frame.arrow_points)
            view["arrows"].set_UVC(*self._arrow_uv(frame.arrow_vectors))
            captured = frame.metrics.get("modes_captured")
            hq = frame.metrics.get("high_quality_fraction")
            view["counter"].set_text(f"step {frame.step}\n" + ("modes: –" if captured is None else
                                     f"modes: {captured} / {modes}\nhigh quality: {100 * hq:.0f}%"))
        for lines, frame in zip(self._lines, frames):
            steps = [row["step"] for row in frame.history]
            for line, (key, _, scale) in zip(lines, METRIC_AXES):
                line.set_data(steps, [row[key] * scale for row in frame.history])
        last = max(frame.step for frame in frames)
        if not self.live:  # a static figure: exactly the steps trained so far
            self.metric_axes[0].set_xlim(0, max(last, 1))
        elif last > self.step_limit:  # curves ran off the right edge: widen, redraw the background
            while self.step_limit < last:
                self.step_limit *= 2
            self.metric_axes[0].set_xlim(0, self.step_limit)
            self._background = None
        return self

    def extend_steps(self, limit: int) -> "TrainingFigure":
        """Make the curves' x axis reach at least ``limit`` (e.g. when Play trains as many steps again)."""
        if limit > self.step_limit:
            self.step_limit = int(limit)
            if self._views:
                self.metric_axes[0].set_xlim(0, self.step_limit)
                self._background = None
        return self

    def set_title(self, text: str) -> "TrainingFigure":
        """Set the figure's title. Unlike ``title=``, it may change every frame (a replay's step):
        a live figure redraws it with the moving artists instead of caching it."""
        title = self.figure.suptitle(text)
        if title not in self._moving:
            self._moving.append(title)
            title.set_animated(self.live)
            self._background = None  # the cached background may hold the old title
        return self

    def jpeg(self, quality: int = 88) -> bytes:
        """The current frame as JPEG bytes, blitted onto the cached background (live figures)."""
        if not self._views:
            raise ValueError("nothing to draw yet: call update(frames) first")
        if self._background is None or not self.live:
            self.canvas.draw()  # everything that is not animated
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self._background)
        if self.live:
            for artist in self._moving:
                self.figure.draw_artist(artist)
        from PIL import Image  # Pillow ships with matplotlib
        rgb = np.asarray(self.canvas.buffer_rgba())[..., :3]
        buffer = io.BytesIO()
        Image.fromarray(rgb).save(buffer, format="jpeg", quality=quality)
        return buffer.getvalue()


def training_figure(frames, mixture, title: str | None = None) -> Figure:
    """A static figure of ``frames`` (one view per frame) — what a panel shows without a front end."""
    frames = list(frames)
    return TrainingFigure(mixture, views=len(frames), title=title, dpi=100).update(frames).figure


def plot_training_frame(trainer, members=None, title: str | None = None, resolution: int = 64,
                        draws: int = 16) -> Figure:
    """The live panel's picture for a trained :class:`~pacgan_edu.train.GANTrainer`, frozen.

    ``members``: indices into ``trainer.members`` (default: all, at most 4). The heatmap is
    finer and averaged over more draws than in the live panel, since time is not pressing here.
    """
    if members is None:
        members = list(range(min(len(trainer.members), 4)))
    real = probes.real_samples(trainer)
    frames = [probes.probe_frame(trainer, i, real=real, resolution=resolution, draws=draws) for i in members]
    return training_figure(frames, trainer.task.mixture, title=title)
