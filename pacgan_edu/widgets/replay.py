"""Replay a recorded run (:mod:`pacgan_edu.recordings`) in the live panels' picture, in seconds.

For a lecture on a slow laptop: ``python -m pacgan_edu record ...`` once (or use a recording
committed in ``data/recordings/``), then

>>> replay_panel("grid_pair")          # doctest: +SKIP  (press ▶, or drag the slider)

The frames are drawn by the live panels' own figure (:class:`~pacgan_edu.plots.training.TrainingFigure`,
blitted into an ``Image`` widget as JPEG), so a replay looks exactly like live training; its
title and status line say "replay of a recorded run" so nobody mistakes it for one.

Controls (all in both ipywidgets 7.7 and 8): a ``Play`` widget linked to an ``IntSlider``
(scrub to any frame), a speed ``Dropdown`` (frames per second = the Play widget's interval),
a status line (step, modes captured, high-quality %, reverse KL, losses) and the image.
Without a live front end (quick mode, nbval, plain Python) displaying the panel shows a static
figure of the last frame instead.
"""
from __future__ import annotations

import html
import math

import ipywidgets as w

from ..plots.training import TrainingFigure, member_label, training_figure
from ..image_recordings import ImageRecording
from ..recordings import RecordingBase, find_recording, load_recording
from .frontend import display_widget, error_html, guarded, figure_png, live_frontend

__all__ = ["ReplayPanel", "replay_panel"]

# (label, Play interval in ms)
SPEEDS = [("1 frame/s", 1000), ("2 frames/s", 500), ("5 frames/s", 200), ("10 frames/s", 100),
          ("20 frames/s", 50)]


class ReplayPanel:
    """Play a :class:`~pacgan_edu.recordings.Recording` (or the path of one) frame by frame.

    ``fps``: initial speed (one of 1, 2, 5, 10, 20 frames per second); ``dpi``: image size
    (90 ≈ 1,200 pixels wide for two GANs, readable on a projector).
    """

    def __init__(self, recording, fps: int | None = None, dpi: int = 90):
        if not isinstance(recording, RecordingBase):
            recording = load_recording(recording)
        # image duels redraw a whole figure per frame (~0.3 s): a slower default speed
        self.images = isinstance(recording, ImageRecording)
        fps = fps if fps is not None else (2 if self.images else 10)
        intervals = {round(1000 / interval): interval for _, interval in SPEEDS}
        if fps not in intervals:
            raise ValueError(f"fps must be one of {', '.join(map(str, intervals))}, got {fps!r}")
        self.recording = recording
        last = recording.frames - 1
        self.play = w.Play(value=0, min=0, max=last, step=1, interval=intervals[fps], description="play")
        self.slider = w.IntSlider(value=0, min=0, max=last, step=1, description="frame",
                                  continuous_update=True, layout=w.Layout(width="420px"))
        self.speed = w.Dropdown(options=SPEEDS, value=intervals[fps], description="speed",
                                layout=w.Layout(width="220px"))
        # kernel-side links: the image is drawn in the kernel anyway, and they work without a browser
        self._links = [w.link((self.play, "value"), (self.slider, "value")),
                       w.dlink((self.speed, "value"), (self.play, "interval"))]
        self.status = w.HTML(value="")
        self.image = w.Image(format="png" if self.images else "jpeg")
        self.widget = w.VBox([w.HBox([self.play, self.slider, self.speed]), self.status, self.image])

        self.last_error: str | None = None
        self.frames_drawn = 0
        self.dpi = dpi
        self.figure = None if self.images else TrainingFigure(
            recording.mixture, views=len(recording.members), live=True,
            step_limit=max(int(recording.steps[-1]), 1), dpi=dpi)
        self._display_handle = None
        self.slider.observe(self._guarded(lambda change: self.draw(change["new"])), names="value")
        self.draw(0)

    # ----------------------------------------------------------------------------- state
    @property
    def index(self) -> int:
        """The frame on screen (0 .. frames − 1)."""
        return int(self.slider.value)

    @property
    def step(self) -> int:
        """The training step of the frame on screen."""
        return int(self.recording.steps[self.index])

    def show(self, index: int) -> None:
        """Go to frame ``index`` (negative: from the end), as dragging the slider does."""
        index = self.recording.normalize_index(index)
        if index == self.slider.value:
            self.draw(index)
        else:
            self.slider.value = index  # the observer draws it

    # ----------------------------------------------------------------------------- drawing
    def draw(self, index: int) -> None:
        """Frame ``index`` -> figure -> JPEG -> Image widget, and the status line."""
        self.image.value = self.frame_picture(index)
        self.frames_drawn += 1
        self.last_error = None
        self._show_status(index)

    def frame_picture(self, index: int) -> bytes:
        """Frame ``index`` as the image widget's bytes (JPEG for 2D, PNG for image duels)."""
        if self.images:
            return figure_png(self.recording.figure(index), dpi=self.dpi * 2 // 3)
        self.figure.set_title(self.recording.title(index))
        return self.figure.update(self.recording.frame(index)).jpeg()

    def frame_jpeg(self, index: int) -> bytes:
        """Frame ``index``'s picture (JPEG for 2D), leaving the frame on screen as it is."""
        try:
            return self.frame_picture(index)
        finally:
            if not self.images:
                current = self.index
                self.figure.set_title(self.recording.title(current))
                self.figure.update(self.recording.frame(current))

    def summary(self, index: int = -1) -> str:
        """One line per GAN at frame ``index``: modes, high-quality %, reverse KL, losses."""
        if self.images:
            return self.recording.summary(index)
        modes = self.recording.settings["num_modes"]
        lines = []
        for row in self.recording.rows(index):
            losses = "" if row["d_loss"] is None else f", D loss {row['d_loss']:.3f}, G loss {row['g_loss']:.3f}"
            lines.append(f"{member_label(row['pack'], row['seed'])} at step {row['step']}: "
                         f"{row['modes_captured']} / {modes} modes, {100 * row['high_quality_fraction']:.0f}% "
                         f"high quality, reverse KL {row['reverse_kl']:.2f} nats{losses}")
        return "\n".join(lines)

    def _show_status(self, index: int) -> None:
        rec = self.recording
        lines = html.escape(self.summary(index)).replace("\n", "<br>")
        made = rec.provenance
        source = html.escape(f"recorded {made.get('started_at', '?')} on {made.get('device', '?')} "
                             f"({made.get('cpu_model', '?')}, {made.get('torch_threads', '?')} thread(s)) in "
                             f"{made.get('wall_seconds', math.nan):.0f} s; every {rec.settings['every']} steps")
        self.status.value = (f"<div style='font-size:14px'><b>replay of a recorded run</b> · frame {index + 1} / "
                             f"{rec.frames} · step {int(rec.steps[index])} / {int(rec.steps[-1])}<br>{lines}"
                             f"<br><span style='font-size:11px;color:#555'>{source}</span></div>")

    def _show_error(self, error: BaseException) -> None:
        self.last_error = f"{type(error).__name__}: {error}"
        self.status.value = error_html(error)

    def _guarded(self, handler):
        """Show a callback's exception in the status line (ipywidgets would hide it in a log)."""
        return guarded(handler, self._show_error)

    # ----------------------------------------------------------------------------- display
    def static_figure(self, index: int = -1):
        """Frame ``index`` as a full static figure (what displays without a front end)."""
        if self.images:
            return self.recording.figure(index)
        return training_figure(self.recording.frame(index), self.recording.mixture,
                               title=self.recording.title(index))

    def _ipython_display_(self) -> None:
        from IPython.display import Image, display

        if live_frontend():
            # where widgets cannot be drawn (GitHub, nbviewer) the saved output shows the last frame
            self._display_handle = display_widget(self.widget, self.frame_jpeg(-1),
                                                  "image/png" if self.images else "image/jpeg")
            return
        display(Image(data=figure_png(self.static_figure(-1), dpi=90)))
        print(self.summary(-1))


def replay_panel(path_or_name, **options) -> ReplayPanel:
    """A :class:`ReplayPanel` for a recording file, or a short name in ``data/recordings/``
    (e.g. ``"grid_pair"``); an unknown name raises ``FileNotFoundError`` listing the names there."""
    return ReplayPanel(load_recording(find_recording(path_or_name)), **options)
