"""Live training panels: watch a GAN collapse, then flip the packing degree and watch it recover.

:class:`TrainingPanel` trains one GAN; :class:`SideBySidePanel` trains m = 1 and m = k on the
same seed as one vectorized ensemble, so a class sees both at once. Both draw GAN Lab's picture
(:mod:`pacgan_edu.plots.training`) from :mod:`pacgan_edu.probes`.

How they stay responsive (Jupyter, Notebook 7, VS Code, Colab with ipywidgets 7.7):
- Training runs in a background thread, in chunks of ``steps per frame`` steps through the
  one training loop (``GANTrainer.run``). Pause sets a flag and calls
  ``trainer.request_stop()``, which ends a running chunk after the current step.
- After each chunk the frame is drawn off-screen (Agg, blitted) into an ``Image`` widget as
  JPEG: no flicker, no ipympl.
- Any exception from training, drawing or a control is shown in red in the panel's status
  line (and kept in ``last_error``), never swallowed.
- Only widgets that exist in both ipywidgets 7.7 and 8 are used.
- Without a live front end (quick mode, nbval, plain Python) displaying a panel trains it to
  the end and shows one static figure instead.
"""
from __future__ import annotations

import html
import math
import threading
import time

import ipywidgets as w

from .. import probes
from ..data.mixtures import MIXTURES
from ..losses import loss_names
from ..metrics import null_baselines
from ..plots.training import TrainingFigure, member_label, plot_training_frame
from ..presets import PAIR_SEED, TrainConfig
from ..presets import preset as make_preset
from ..train import GANTrainer, Member
from .frontend import display_widget, error_html, guarded, figure_png, live_frontend, update_picture

__all__ = ["SideBySidePanel", "TrainingPanel"]

LIVE_RESOLUTION = 32   # heatmap cells per side while training (the static figure uses 64)
LIVE_DRAWS = 4         # companion draws averaged for a packed D's heatmap while training
PREVIEW_POINTS = 300   # generated and real points per view
MAX_PACK = 8
#: remedies a live panel trains step by step (AdaGAN is a sequence of GANs, drawn in notebook 05)
LIVE_REMEDIES = ("none", "minibatch", "feature-matching", "unrolled", "several-generators")


class _LivePanel:
    """Controls, trainer life cycle, background training and frames; subclasses pick the members."""

    views = 1
    pack_label = "packing m"
    pack_min = 1

    def __init__(self, dataset: str = "grid", pack: int = 1, loss: str = "ns", preset="pair",
                 seed: int = PAIR_SEED, lr: float | None = None, steps_per_frame: int = 25,
                 autoplay: bool = False, device="auto", remedy: str = "none"):
        # a preset name, or a whole TrainConfig (e.g. preset("lecture", steps=6000))
        self._preset = preset
        self.preset_name = preset if isinstance(preset, str) else "custom"
        self.device = device
        self.autoplay = autoplay
        self._display_handle = None   # set when shown live; its fallback picture follows the panel
        if dataset not in MIXTURES:
            raise ValueError(f"unknown dataset {dataset!r}; the panel shows 2D mixtures: {', '.join(sorted(MIXTURES))}")
        if loss not in loss_names():
            raise ValueError(f"unknown loss {loss!r}; valid: {', '.join(loss_names())}")
        if remedy not in LIVE_REMEDIES:
            raise ValueError(f"unknown remedy {remedy!r} for a live panel; valid: {', '.join(LIVE_REMEDIES)} "
                             "(AdaGAN trains its GANs one after another: see notebook 05)")
        if isinstance(pack, bool) or not isinstance(pack, int) or not self.pack_min <= pack <= MAX_PACK:
            raise ValueError(f"pack must be an integer in {self.pack_min}..{MAX_PACK}, got {pack!r}")
        start = self._preset_for(dataset)   # an unknown preset name fails here, before any widget exists
        lr = start.lr_generator if lr is None else lr
        if not isinstance(lr, (int, float)) or not 1e-5 <= lr <= 0.1:
            raise ValueError(f"lr must be a number in [1e-5, 0.1], got {lr!r}")

        style = {"description_width": "120px"}
        layout = w.Layout(width="330px")
        self.dataset = w.Dropdown(options=sorted(MIXTURES), value=dataset, description="dataset",
                                  style=style, layout=layout)
        self.pack = w.IntSlider(value=pack, min=self.pack_min, max=MAX_PACK, description=self.pack_label,
                                continuous_update=False, style=style, layout=layout)
        self.loss = w.Dropdown(options=loss_names(), value=loss, description="loss", style=style, layout=layout)
        self.remedy = w.Dropdown(options=list(LIVE_REMEDIES), value=remedy, description="remedy",
                                 style=style, layout=layout)
        self.lr = w.FloatLogSlider(value=lr, base=10, min=-5, max=-1, step=0.25, description="learning rate",
                                   readout_format=".0e", continuous_update=False, style=style, layout=layout)
        self.steps_per_frame = w.IntSlider(value=steps_per_frame, min=1, max=100, description="steps per frame",
                                           continuous_update=False, style=style, layout=layout)
        self.seed = w.BoundedIntText(value=seed, min=0, max=99_999, description="seed", style=style, layout=layout)
        self.play_button = w.Button(description="Play", icon="play", button_style="success")
        self.step_button = w.Button(description="Step", icon="step-forward")
        self.reset_button = w.Button(description="Reset", icon="undo")
        self.status = w.HTML(value="")
        self.image = w.Image(format="jpeg")
        self.widget = w.VBox([
            w.HBox([w.VBox([self.dataset, self.pack, self.loss, self.remedy]),
                    w.VBox([self.lr, self.steps_per_frame, self.seed])]),
            w.HBox([self.play_button, self.step_button, self.reset_button]),
            self.status,
            self.image,
        ])

        self.last_error: str | None = None
        self.frames = 0                     # frames drawn since the last (re)build
        self.frames_per_second = math.nan   # measured over the last Play
        self._lock = threading.RLock()      # one thread at a time touches the trainer
        self._figure_lock = threading.RLock()  # ... and the figure
        self._frame_ready = threading.Event()  # the worker has a new frame for the drawer
        self._latest = None
        self._pause = threading.Event()
        self._thread: threading.Thread | None = None
        self._training = False              # True from Play until the worker has stopped training
        self._generation = 0                # bumped on rebuild: a stale worker never draws
        self._syncing = False               # a control set by the panel itself: no rebuild of its own

        for control in (self.dataset, self.pack, self.loss, self.remedy, self.lr, self.seed):
            control.observe(self._guarded(self._on_setting), names="value")
        self.play_button.on_click(self._guarded(lambda _: self.pause() if self.running else self.play()))
        self.step_button.on_click(self._guarded(lambda _: self.step()))
        self.reset_button.on_click(self._guarded(lambda _: self.reset()))
        self._build()

    # ----------------------------------------------------------------------------- settings
    def members(self) -> list[Member]:
        raise NotImplementedError

    def _preset_for(self, dataset: str) -> TrainConfig:
        """The preset on ``dataset``: a named preset with its own settings for it, if it has any
        (``presets.DATASET_SETTINGS``); a custom config with only the dataset changed."""
        if isinstance(self._preset, str):
            return make_preset(self._preset, dataset=dataset)
        return self._preset.replace(dataset=dataset)

    def _slider_at(self, rate: float) -> bool:
        return math.isclose(self.lr.value, rate, rel_tol=1e-6)

    def config(self):
        """The TrainConfig for the current controls (preset + dataset, loss, remedy, learning rate)."""
        base = self._preset_for(self.dataset.value)
        changes = {"loss": self.loss.value, "remedy": self.remedy.value}
        if self.remedy.value != base.remedy:
            changes["remedy_options"] = ()   # the new remedy's defaults
        if not self._slider_at(base.lr_generator):
            changes.update(lr_generator=float(self.lr.value), lr_discriminator=float(self.lr.value))
        return base.replace(**changes)

    def _build(self) -> None:
        """A new trainer (and figure) for the current settings; shows its step-0 frame."""
        with self._lock:
            self._generation += 1
            config = self.config()
            self.trainer = GANTrainer(config, members=self.members(), device=self.device)
            self.trainer.run(0, progress=False)  # records the step-0 metrics
            self.target_step = config.steps
            self.real = probes.real_samples(self.trainer, PREVIEW_POINTS)
            with self._figure_lock:
                self.figure = TrainingFigure(self.trainer.task.mixture, views=self.views, live=True,
                                             step_limit=config.steps)
            self.frames = 0
            self.frames_per_second = math.nan
            self.last_error = None
            self._latest = None
        self.render()

    # ----------------------------------------------------------------------------- drawing
    def probe_frames(self, resolution: int = LIVE_RESOLUTION, draws: int = LIVE_DRAWS):
        """What the frame shows, one ProbeFrame per member (reads the model: hold ``_lock``)."""
        with self._lock:
            return [probes.probe_frame(self.trainer, i, real=self.real, samples=PREVIEW_POINTS,
                                       resolution=resolution, draws=draws) for i in range(len(self.trainer.members))]

    def draw(self, frames, generation: int | None = None) -> None:
        """Put probe frames on screen: figure -> JPEG -> Image widget, and the status line.
        ``generation``: skip frames of a model that has been rebuilt since."""
        with self._figure_lock:
            if generation is not None and generation != self._generation:
                return
            self.image.value = self.figure.update(frames).jpeg()
            self.frames += 1
            self._show_status(frames)

    def render(self) -> None:
        """Probe the model now and draw it."""
        self.draw(self.probe_frames())

    def static_figure(self):
        """The current state as a full-quality static figure (what displays without a front end)."""
        with self._lock:
            return plot_training_frame(self.trainer, title=self._title())

    def _title(self) -> str:
        config = self.trainer.config
        remedy = "" if config.remedy == "none" else f", remedy {config.remedy}"
        return (f"{config.dataset} ({self.trainer.task.mixture.num_modes} modes), loss {config.loss}{remedy}, "
                f"preset {self.preset_name}")

    def summary(self) -> str:
        """One line per member: modes captured, high-quality %, reverse KL at the latest record."""
        with self._lock:
            rows = self.trainer.results()
        return _summary(rows, self.trainer.task.mixture.num_modes, self._uniform_note())

    def _uniform_note(self) -> str:
        """What a uniform cloud over the data's extent scores on as many samples (the null baseline)."""
        return _uniform_note(self.trainer.task.mixture, self.trainer.config.eval_samples)

    def _show_status(self, frames) -> None:
        if self.last_error:
            return  # keep the error visible until the next rebuild
        rate = "" if math.isnan(self.frames_per_second) else f" · {self.frames_per_second:.1f} frames/s"
        if self._training:
            state = "training"
        elif frames[0].step >= self.target_step:
            state = "finished (Play trains as many steps again)"
        else:
            state = "paused"
        rows = [{"pack": f.pack, "seed": f.seed, "step": f.step, **f.metrics} for f in frames]
        lines = html.escape(_summary(rows, self.trainer.task.mixture.num_modes,
                                     self._uniform_note())).replace("\n", "<br>")
        self.status.value = (f"<div style='font-size:14px'><b>{state}</b> · step {frames[0].step} / "
                             f"{self.target_step}{rate}<br>{lines}</div>")

    def _show_error(self, error: BaseException) -> None:
        self.last_error = f"{type(error).__name__}: {error}"
        self.status.value = error_html(error, "Change a setting or press Reset to start again.")

    def _guarded(self, handler):
        """Wrap a widget callback so an exception shows in the panel (ipywidgets would hide it in a log)."""
        return guarded(handler, self._show_error)

    # ----------------------------------------------------------------------------- training
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def play(self) -> None:
        """Train in the background until the preset's steps (then again as many, if pressed again)."""
        if self.running:
            return
        if self.last_error:
            raise RuntimeError(f"the panel stopped on an error ({self.last_error}); press Reset first")
        if self.trainer.step >= self.target_step:
            self.target_step = self.trainer.step + self.trainer.config.steps
            with self._figure_lock:   # the curves' x axis must reach the new target (not stay at the old one)
                self.figure.extend_steps(self.target_step)
        self._pause.clear()
        self._training = True
        self._thread = threading.Thread(target=self._train_in_background, args=(self._generation,),
                                        name="pacgan-edu-panel", daemon=True)
        self.play_button.description, self.play_button.icon = "Pause", "pause"
        self._thread.start()

    def _train_in_background(self, generation: int) -> None:
        """Worker: train a chunk, probe the model, hand the frame to the drawer, repeat.

        Drawing runs in its own thread, so the next chunk trains while a frame is drawn; when
        drawing is slower than training, only the newest frame is drawn.
        """
        self._drawn_this_play, self._play_started = 0, time.perf_counter()
        drawer = threading.Thread(target=self._draw_in_background, args=(generation,),
                                  name="pacgan-edu-panel-drawer", daemon=True)
        drawer.start()
        try:
            while not self._pause.is_set() and self.trainer.step < self.target_step:
                with self._lock:
                    if generation != self._generation or self._pause.is_set():
                        break  # rebuilt or paused meanwhile (checked under the lock: no wasted chunk)
                    self._train_chunk()
                    if self._pause.is_set() and self.trainer.stopped_reason == "stopped":
                        break
                    frames = self.probe_frames()
                self._latest = frames
                self._frame_ready.set()
        except Exception as error:  # training or probing failed: show it in the panel
            self._show_error(error)
        finally:
            self._training = False
            self._frame_ready.set()
            drawer.join()
            self.play_button.description, self.play_button.icon = "Play", "play"
            if generation == self._generation and not self.last_error:
                try:
                    self.render()  # the frame matches the model the panel now holds
                    # a saved notebook (GitHub, nbviewer) shows this last frame where it cannot draw widgets
                    update_picture(self._display_handle, self.widget, self.image.value, "image/jpeg")
                except Exception as error:
                    self._show_error(error)

    def _draw_in_background(self, generation: int) -> None:
        """Drawer: draw the newest frame whenever there is one, until training has stopped."""
        while True:
            self._frame_ready.wait(0.1)
            self._frame_ready.clear()
            frames, self._latest = self._latest, None
            if frames is None:
                if not self._training:
                    return
                continue
            try:
                self.draw(frames, generation)
            except Exception as error:  # drawing failed: stop training and show why
                self._show_error(error)
                self._pause.set()
                self.trainer.request_stop()
                return
            self._drawn_this_play += 1
            self.frames_per_second = self._drawn_this_play / (time.perf_counter() - self._play_started)

    def _train_chunk(self) -> None:
        steps = min(self.steps_per_frame.value, self.target_step - self.trainer.step)
        self.trainer.run(max(steps, 0), progress=False)
        if self.trainer.stopped_reason == "diverged":
            raise FloatingPointError(f"training diverged at step {self.trainer.step + 1} (a loss or gradient "
                                     f"was not finite); try a lower learning rate")

    def pause(self, timeout: float = 10.0) -> None:
        """Stop training after the current step and wait (up to ``timeout`` s) for the thread."""
        self._pause.set()
        self.trainer.request_stop()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the background training ends (tests, scripts); True if it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def step(self) -> None:
        """One frame: ``steps per frame`` training steps now, in this thread, then draw."""
        self.pause()
        if self.last_error:
            raise RuntimeError(f"the panel stopped on an error ({self.last_error}); press Reset first")
        with self._lock:
            self.target_step = max(self.target_step, self.trainer.step + self.steps_per_frame.value)
            self._train_chunk()
            self.render()

    def reset(self) -> None:
        """A fresh model with the same settings (same seed: the same starting point)."""
        self.pause()
        self._build()

    def run_to_end(self) -> None:
        """Train to the preset's number of steps in this thread (the static path)."""
        self.pause()
        with self._lock:
            self.target_step = max(self.target_step, self.trainer.config.steps)
            self.trainer.run(max(self.target_step - self.trainer.step, 0), progress=False)

    def _on_setting(self, change) -> None:
        if self._syncing:
            return
        self.pause()
        if change["owner"] is self.dataset:
            self._follow_preset_rate(change["old"], change["new"])
        self._build()

    def _follow_preset_rate(self, old: str, new: str) -> None:
        """The learning-rate slider moves to the preset's rate for the new dataset, unless the
        user had moved it away from the old one's."""
        before, after = self._preset_for(old).lr_generator, self._preset_for(new).lr_generator
        if self._slider_at(before) and not self._slider_at(after):
            self._syncing = True
            try:
                self.lr.value = after
            finally:
                self._syncing = False

    # ----------------------------------------------------------------------------- display
    def _ipython_display_(self) -> None:
        from IPython.display import Image, display

        if live_frontend():
            self._display_handle = display_widget(self.widget, self.image.value, "image/jpeg")
            if self.autoplay and not self.running and not self.last_error:
                self.play()
            return
        self.run_to_end()  # no front end (quick mode, nbval): one static figure of the end state
        display(Image(data=figure_png(self.static_figure(), dpi=90)))
        print(self.summary())


def _summary(rows, modes: int, note: str = "") -> str:
    return "\n".join([*(
        f"{member_label(r['pack'], r['seed'])} after {r['step']} steps: {r['modes_captured']} / {modes} modes, "
        f"{100 * r['high_quality_fraction']:.0f}% high quality, reverse KL {r['reverse_kl']:.2f} nats"
        for r in rows), *([note] if note else [])])


def _uniform_note(mixture, eval_samples: int) -> str:
    """E.g. "(uniform cloud: 20 modes, 2% HQ)": the counters mean something only above this."""
    uniform = null_baselines(mixture, n=eval_samples)["uniform"]
    return (f"(uniform cloud: {uniform['modes_captured']['mean']:.0f} modes, "
            f"{100 * uniform['high_quality_fraction']['mean']:.0f}% HQ)")


class TrainingPanel(_LivePanel):
    """Train one GAN live: dataset, packing degree m (1–8), loss, learning rate, seed.

    >>> TrainingPanel(dataset="grid", pack=1)       # doctest: +SKIP  (press Play)
    """

    def __init__(self, dataset: str = "grid", pack: int = 1, loss: str = "ns", preset="pair",
                 seed: int = PAIR_SEED, **options):
        super().__init__(dataset=dataset, pack=pack, loss=loss, preset=preset, seed=seed, **options)

    def members(self) -> list[Member]:
        return [Member(int(self.pack.value), int(self.seed.value))]


class SideBySidePanel(_LivePanel):
    """m = 1 and m = ``pack`` trained together on the same seed (one vectorized ensemble)."""

    views = 2
    pack_label = "compare with m"
    pack_min = 2

    def __init__(self, pack: int = 2, dataset: str = "grid", loss: str = "ns", preset="pair",
                 seed: int = PAIR_SEED, steps_per_frame: int = 25, **options):
        # 25 steps per frame: the pair preset's 15,000 steps play in about 2 minutes with a few
        # frames per second on 2 cores (benchmarks/bench_panel.py; README "Performance")
        super().__init__(dataset=dataset, pack=pack, loss=loss, preset=preset, seed=seed,
                         steps_per_frame=steps_per_frame, **options)

    def members(self) -> list[Member]:
        seed = int(self.seed.value)
        return [Member(1, seed), Member(int(self.pack.value), seed)]
