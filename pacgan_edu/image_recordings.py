"""Record an image GAN duel (Stacked MNIST: DCGAN beside PacDCGAN-m) once, replay it in seconds.

On a laptop CPU the duel needs ~1,000 steps (about 4 minutes) before packing shows: at 333 steps
both GANs still make one mode. A lecture replays the committed recording instead
(``data/recordings/stacked_mnist_duel.npz``; :class:`pacgan_edu.widgets.ReplayPanel` plays it).

The file is a :mod:`pacgan_edu.recordings` ``.npz`` (no pickle, written atomically) with
``metadata["kind"] = "images"``:

===========  =========================  ============================================
entry        shape, type                what
===========  =========================  ============================================
``steps``    (F,) int64                 training step of each frame
``samples``  (F, K, n, C, H, W) uint8   member k's images from its fixed noise, [−1, 1] → 0..255
===========  =========================  ============================================

``metadata["history"]`` holds every evaluation of the run (``GANTrainer.history`` rows: modes
captured, KL, losses), so a frame draws the curves up to its step with the live view's figure
(:func:`pacgan_edu.plots.images.figure_training_progress`).
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import numpy as np
import torch

from .presets import TrainConfig
from .recordings import FORMAT, RecordingBase, RecordingError, run_provenance
from .report import dcgan_name

VERSION = 1
SAMPLES = 25   # a 5 x 5 grid per GAN: 21 frames of two GANs stay ~2 MB


def duel_label(pack: int, seed: int) -> str:
    """A duel view's title: "DCGAN (m = 1), seed 0" / "PacDCGAN2 (m = 2), seed 0"."""
    return f"{dcgan_name(pack)} (m = {pack}), seed {seed}"


def duel_line(row: dict) -> str:
    """One GAN's status from an evaluation row (the live duel and its replay say it alike)."""
    return (f"m = {row['pack']}, seed {row['seed']}: {row['modes_captured']} modes, KL {row['kl']:.2f} nats "
            f"(evaluated at step {row['step']})")


def _to_uint8(images: torch.Tensor) -> np.ndarray:
    return torch.round((images.clamp(-1, 1) + 1) * 127.5).to(torch.uint8).numpy()


def record_image_run(config: TrainConfig, packs=(1, 2), seed: int = 0, every: int = 50, *, samples: int = SAMPLES,
                     device="auto", command: str | None = None, on_frame=None) -> "ImageRecording":
    """Train ``packs`` × one ``seed`` of an image task to ``config.steps`` through the one loop,
    keeping ``samples`` images per GAN (its fixed noise) at step 0, every ``every`` steps and at
    the end. ``on_frame(step, trainer)`` is called after each frame (progress printing)."""
    from .train import GANTrainer

    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be an integer >= 1, got {every!r}")
    if not 1 <= samples <= config.eval_samples:
        raise ValueError(f"samples must be in 1..config.eval_samples = {config.eval_samples}, got {samples!r}")
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    start = time.perf_counter()
    trainer = GANTrainer(config, packs=list(packs), seeds=[seed], device=device)
    if trainer.generate(trainer.eval_noise[:, :1]).dim() != 5:   # (K, n, C, H, W): images
        raise ValueError(f"image recordings need an image task (e.g. Stacked MNIST), got dataset {config.dataset!r}; "
                         "2D mixtures: pacgan_edu.recordings.record_run")
    steps, frames = [], []

    def capture(snapshot) -> None:
        steps.append(snapshot.step)
        frames.append(_to_uint8(snapshot.trainer.generate(snapshot.trainer.eval_noise[:, :samples]).cpu()))
        if on_frame is not None:
            on_frame(snapshot.step, snapshot.trainer)

    capture(trainer.snapshot())
    trainer.run(callback=capture, callback_every=every, progress=False)
    wall = time.perf_counter() - start
    settings = {"config": config.as_dict(), "packs": list(packs), "seed": seed, "every": every, "samples": samples,
                "members": [[m.pack, m.seed] for m in trainer.members]}
    call = (f"pacgan_edu.image_recordings.record_image_run(TrainConfig(**settings['config']), packs={list(packs)}, "
            f"seed={seed}, every={every}, samples={samples})")
    metadata = {"format": FORMAT, "version": VERSION, "kind": "images", "settings": settings,
                "provenance": run_provenance(trainer, started_at, wall, command or call),
                "history": trainer.history}
    arrays = {"steps": np.asarray(steps, dtype=np.int64), "samples": np.stack(frames)}
    return ImageRecording(arrays, json.loads(json.dumps(metadata)))


class ImageRecording(RecordingBase):
    """A recorded image duel: frame ``i`` is :meth:`figure` (sample grids + curves to its step)."""

    ARRAY_KEYS = ("steps", "samples")

    def __repr__(self) -> str:
        s = self.settings
        return (f"ImageRecording({s['config']['dataset']}, packs {s['packs']}, seed {s['seed']}, {self.frames} frames "
                f"to step {int(self.steps[-1])}, every {s['every']} steps)")

    def images(self, i) -> torch.Tensor:
        """Frame ``i``'s images, (K, n, C, H, W) floats in [−1, 1] (what the generators made)."""
        return torch.from_numpy(self.arrays["samples"][self.normalize_index(i)].astype(np.float32) / 127.5 - 1)

    def history(self, i) -> list[dict]:
        """The evaluations recorded up to frame ``i``'s step."""
        step = int(self.steps[self.normalize_index(i)])
        return [row for row in self.metadata["history"] if row["step"] <= step]

    def rows(self, i) -> list[dict]:
        """Each member's latest evaluation at or before frame ``i``."""
        latest = {(row["pack"], row["seed"]): row for row in self.history(i)}
        return [latest[(m.pack, m.seed)] for m in self.members if (m.pack, m.seed) in latest]

    def labels(self) -> list[str]:
        return [duel_label(m.pack, m.seed) for m in self.members]

    def title(self, i) -> str:
        """A title nobody can mistake for live training."""
        i = self.normalize_index(i)
        c = self.settings["config"]
        return (f"Replay of a recorded run (not live) — step {int(self.steps[i])} / {int(self.steps[-1])}\n"
                f"{c['dataset']}, {c['architecture']} nets, loss {c['loss']}, seed {self.settings['seed']}")

    def figure(self, i):
        """Frame ``i`` drawn by the live duel's own figure."""
        from .plots.images import figure_training_progress

        i = self.normalize_index(i)
        n = self.arrays["samples"].shape[2]
        side = max(1, int(np.sqrt(n)))
        return figure_training_progress(self.images(i), self.labels(), self.history(i),
                                        self.settings["config"]["eval_samples"], self.title(i), rows=side, cols=side)

    def summary(self, i=-1) -> str:
        """One line per GAN: its modes and KL at the latest evaluation up to frame ``i``."""
        return "\n".join(duel_line(row) for row in self.rows(i))

    @classmethod
    def check_arrays(cls, arrays: dict, metadata: dict, what: str) -> None:
        settings = metadata["settings"]
        try:
            members, samples = len(settings["members"]), int(settings["samples"])
            history = metadata["history"]
            if not isinstance(history, list):
                raise TypeError("history is not a list")
        except (KeyError, TypeError, ValueError) as error:
            raise RecordingError(f"{what}: its settings are incomplete ({type(error).__name__}: {error})") from None
        steps, images = arrays["steps"], arrays["samples"]
        if steps.ndim != 1 or steps.dtype.kind != "i" or len(steps) < 1:
            raise RecordingError(f"{what}: entry 'steps' has shape {steps.shape} and type {steps.dtype}, "
                                 "expected a non-empty 1-D integer array")
        if images.dtype != np.uint8 or images.ndim != 6 or images.shape[:3] != (len(steps), members, samples):
            raise RecordingError(f"{what}: entry 'samples' has shape {images.shape} and type {images.dtype}, expected "
                                 f"({len(steps)}, {members}, {samples}, C, H, W) uint8 (a damaged or hand-made file)")
