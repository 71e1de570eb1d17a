"""Live views for image GANs (notebook 06): watch samples and modes while a GAN trains.

* :func:`watch_training` trains a :class:`~pacgan_edu.train.GANTrainer` in the cell, redrawing a
  sample grid per member and the modes-over-training curves every ``every`` steps into an
  ``Image`` widget (interrupt the kernel to stop: the model stays intact).
* :class:`PackingDuel` is a small control: pick a packing degree m and a loss, press *Train*,
  and DCGAN (m = 1) and PacDCGAN-m train side by side with the same seed in a background
  thread (*Stop* stops after the current step).

Only widgets present in both ipywidgets 7.7 and 8 are used; frames are rendered off-screen
(``figure_png``). Without a live front end (quick mode, nbval, plain Python) both train
synchronously and show one static figure at the end. Errors are shown, never swallowed.
"""
from __future__ import annotations

import html
import math
import threading
import traceback

import ipywidgets as w
from IPython.display import display

from ..image_recordings import duel_label, duel_line
from ..losses import loss_names
from ..plots.images import figure_training_progress
from ..train import GANTrainer
from .frontend import display_widget, figure_png, live_frontend, update_picture

__all__ = ["PackingDuel", "watch_training"]


PREVIEW = 36  # samples per GAN in a frame (a 6 x 6 grid)


def _status_html(text: str, error: bool = False) -> str:
    colour = "#b2182b" if error else "#333333"
    return (f"<pre style='color:{colour}; white-space:pre-wrap; word-break:keep-all; font-size:13px; margin:0'>"
            f"{html.escape(text)}</pre>")


def _frame(trainer: GANTrainer, title: str, samples=None):
    """The live view's figure: samples of every member (from the fixed preview noise) + curves."""
    if samples is None:
        samples = trainer.generate(trainer.eval_noise[:, :PREVIEW]).cpu()
    labels = [duel_label(m.pack, m.seed) for m in trainer.members]
    side = math.isqrt(min(PREVIEW, samples.shape[1]))  # 6 x 6, fewer if few samples are evaluated
    return figure_training_progress(samples, labels, trainer.history, trainer.config.eval_samples,
                                    f"{title} — step {trainer.step}".lstrip(" —"), rows=side, cols=side)


def _progress_text(trainer: GANTrainer) -> str:
    """The status: the step, then one line per GAN (a line never breaks inside a number)."""
    parts = ["  " + duel_line(r) for r in trainer.results()]
    return (f"step {trainer.step} of {trainer.config.steps} "
            f"(evaluations on {trainer.config.eval_samples:,} samples per GAN)\n" + "\n".join(parts))


def watch_training(trainer: GANTrainer, steps: int | None = None, every: int = 100, title: str = "") -> GANTrainer:
    """Train ``steps`` more steps (default: to ``config.steps``), showing samples and modes live.

    With a front end: an ``Image`` redrawn every ``every`` steps (at evaluations the curves
    grow) and a status line. Without one: training runs, then one static figure is shown.
    Returns the trainer.
    """
    if not live_frontend():
        trainer.run(steps, progress=False)
        fig = _frame(trainer, title)
        display(fig)
        print(_progress_text(trainer))
        return trainer
    image = w.Image(format="png")
    status = w.HTML(_status_html("starting…"))
    display(w.VBox([status, image]))

    def redraw(snapshot) -> None:
        image.value = figure_png(_frame(snapshot.trainer, title, snapshot.samples))
        status.value = _status_html(_progress_text(snapshot.trainer))

    trainer.run(steps, callback=redraw, callback_every=every, progress=True)
    if trainer.stopped_reason:
        status.value = _status_html(f"{_progress_text(trainer)}\nstopped: {trainer.stopped_reason}")
    return trainer


class PackingDuel:
    """DCGAN (m = 1) vs PacDCGAN-m on one seed, trained briefly at the press of a button.

    ``config`` is a Stacked MNIST ``TrainConfig`` (e.g. ``stacked_mnist_preset("veegan",
    "lecture")``); ``steps`` is how long one press trains. The trainer of the last press is
    :attr:`trainer`.
    """

    def __init__(self, config, pack: int = 2, loss: str | None = None, steps: int | None = None,
                 seed: int = 0, every: int | None = None, device="auto"):
        self.config = config
        self.seed = seed
        self.device = device
        self.every = every or max(config.eval_every, 1)
        self.trainer: GANTrainer | None = None
        self._thread: threading.Thread | None = None
        self._stop_requested = threading.Event()
        style = {"description_width": "130px"}
        self.pack = w.Dropdown(options=[2, 3, 4], value=pack, description="packing degree m", style=style)
        self.loss = w.Dropdown(options=loss_names(), value=loss or config.loss, description="loss", style=style)
        steps = steps or config.steps
        self.steps = w.IntSlider(value=steps, min=self.every, max=max(4 * steps, self.every), step=self.every,
                                 description="training steps", continuous_update=False, style=style)
        # wide enough for the whole label; the image stays hidden until there is a frame (an empty
        # Image widget shows the browser's broken-image icon)
        self.train_button = w.Button(description="Train m = 1 vs m = k", button_style="success", icon="play",
                                     layout=w.Layout(width="240px"))
        self.stop_button = w.Button(description="Stop", icon="stop", disabled=True)
        self.image = w.Image(format="png", layout=w.Layout(display="none"))
        self._display_handle = None   # set when shown live; its fallback picture follows the last frame
        self.status = w.HTML(layout=w.Layout(width="100%"))
        self._set_status("Pick m and a loss, then press Train.")
        self.train_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        self.widget = w.VBox([w.HBox([self.pack, self.loss, self.steps]),
                              w.HBox([self.train_button, self.stop_button]), self.status, self.image])

    # ---------------------------------------------------------------- actions
    def _set_status(self, text: str, error: bool = False) -> None:
        self.status_text = text
        self.status.value = _status_html(text, error)

    def _new_trainer(self) -> GANTrainer:
        config = self.config.replace(loss=self.loss.value, steps=self.steps.value)
        return GANTrainer(config, packs=[1, self.pack.value], seeds=[self.seed], device=self.device)

    def _title(self) -> str:
        return f"DCGAN vs PacDCGAN{self.pack.value}, loss {self.loss.value}, seed {self.seed}"

    def start(self) -> None:
        """Train a fresh pair (in a background thread when a front end is live)."""
        if self._thread is not None and self._thread.is_alive():
            self._set_status("Already training: press Stop first.")
            return
        self._stop_requested.clear()
        try:
            self.trainer = self._new_trainer()
        except Exception:  # show what went wrong in the panel, never swallow it
            self._set_status(traceback.format_exc(), error=True)
            return
        if not live_frontend():
            self._train()
            return
        self.train_button.disabled, self.stop_button.disabled = True, False
        self._thread = threading.Thread(target=self._train, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current step (or, if the run is only starting, at the next frame)."""
        self._stop_requested.set()
        if self.trainer is not None:
            self.trainer.request_stop()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the background training (if any) has finished."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _train(self) -> None:
        trainer = self.trainer
        try:
            self._set_status(f"training {self._title()}…")
            trainer.run(callback=self._redraw, callback_every=self.every, progress=False)
            done = f"\nstopped: {trainer.stopped_reason}" if trainer.stopped_reason else "\nfinished."
            self._set_status(_progress_text(trainer) + done)
        except Exception:
            self._set_status(traceback.format_exc(), error=True)
        finally:
            self.train_button.disabled, self.stop_button.disabled = False, True
            if self.image.value:  # a saved notebook shows the last frame where it cannot draw widgets
                update_picture(self._display_handle, self.widget, self.image.value)

    def _redraw(self, snapshot) -> None:
        if self._stop_requested.is_set():  # a Stop pressed before run() began is not lost
            snapshot.trainer.request_stop()
        self.image.value = figure_png(_frame(snapshot.trainer, self._title(), snapshot.samples))
        self.image.layout.display = None   # shown from the first frame on
        self._set_status(_progress_text(snapshot.trainer))

    def _ipython_display_(self) -> None:
        if live_frontend():
            self._display_handle = display_widget(self.widget, self.image.value or None)
            return
        # quick mode / no front end: one short run, one static figure
        self.start()
        if self.trainer is not None and self.trainer.history:
            display(_frame(self.trainer, self._title()))
        print(self.status_text)
