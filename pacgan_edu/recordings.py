"""Record a live-panel run once, replay it anywhere in seconds (a lecture on a slow laptop).

:func:`record_run` trains through the one training loop (``GANTrainer.run`` with a callback
every ``every`` steps) and keeps, at each of those steps, exactly what a live panel's frame
shows: each member's generated points (its fixed preview noise), D's heatmap and G's arrows
(computed by :func:`pacgan_edu.probes.probe_frame`, with the live panel's settings), the
metrics at that step (``trainer.evaluate()``: modes captured, high-quality fraction, reverse
KL) and the losses. :meth:`Recording.frame` turns a stored frame back into the
:class:`~pacgan_edu.probes.ProbeFrame` objects that
:meth:`pacgan_edu.plots.training.TrainingFigure.update` draws, so a replay is drawn by the
same code as live training (:class:`pacgan_edu.widgets.ReplayPanel`).

**The file** (``.npz``, written atomically; never pickle: it loads with
``np.load(path, allow_pickle=False)``):

======================  ======================  ============================================
entry                   shape, type             what
======================  ======================  ============================================
``metadata``            0-d string (JSON)       ``format`` (= :data:`FORMAT`), ``version``,
                                                ``settings``, ``provenance`` (see below)
``steps``               (F,) int64              training step of each frame
``generated``           (F, K, n, 2) float16    member k's points from its fixed noise
``heatmaps``            (F, K, R, R) uint8      D's verdict in [0, 1] × 255 (``imshow`` order)
``arrow_vectors``       (F, K, a, 2) float16    −∂L_G/∂x at ``generated[f, k, :count_k]``
                                                (NaN-padded when m does not divide a)
``metrics``             (F, K, 3) float64       ``settings.metric_names`` at that step
``losses``              (F, K, 2) float32       D and G loss of the step (NaN at step 0)
``real``                (n, 2) float32          the real points every view shows
======================  ======================  ============================================

F frames, K members (``settings.members``: [pack, seed] each), n points, R heatmap cells per
side, a arrows. ``settings`` holds the TrainConfig (``config``), ``packs``, ``seed``, ``every``
and the probe settings; ``provenance`` the versions, machine, threads, date, wall-clock seconds
and the command. :data:`VERSION` goes up whenever the layout changes; older files stay readable.
"""
from __future__ import annotations

import io
import json
import math
import os
import platform
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from . import __version__, probes
from .files import atomic_write_bytes
from .presets import TrainConfig
from .report import cpu_model
from .settings import data_dir

__all__ = ["FORMAT", "RECORDINGS_DIR", "Recording", "RecordingError", "VERSION", "available_recordings", "default_every",
           "find_recording", "load_recording", "record_run"]

FORMAT = "pacgan-edu-recording"
VERSION = 1

# What a live panel's frame shows (pacgan_edu.widgets.training: PREVIEW_POINTS, LIVE_RESOLUTION,
# LIVE_DRAWS and probe_frame's default arrows); tests/test_recordings.py checks they agree.
SAMPLES = 300
RESOLUTION = 32
DRAWS = 4
ARROWS = 100
TARGET_FRAMES = 200  # every=None: about this many frames (≈ 1–1.5 MB for two GANs)

ARRAY_KEYS = ("steps", "generated", "heatmaps", "arrow_vectors", "metrics", "losses", "real")
LOSS_NAMES = ("d_loss", "g_loss")

# committed recordings live in the checkout's data/recordings/ (see its README.md)
RECORDINGS_DIR = Path(__file__).resolve().parent.parent / "data" / "recordings"
# the recordings committed under data/recordings/ (downloaded by name where the package has no data/)
PUBLISHED = ("grid_pair", "ring_pair", "stacked_mnist_duel")


class RecordingError(ValueError):
    """A file that is not a readable pacgan-edu recording (the message says why)."""


@dataclass(frozen=True)
class _FrameSettings:
    samples: int
    resolution: int
    draws: int
    arrows: int


def _positive_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def default_every(steps: int, frames: int = TARGET_FRAMES) -> int:
    """Steps between frames that give about ``frames`` frames for a run of ``steps`` steps."""
    return max(1, math.ceil(steps / frames))


# ---------------------------------------------------------------------------------- recording
def record_run(config: TrainConfig, packs=(1, 2), seed: int = 0, every: int | None = None, *,
               samples: int = SAMPLES, resolution: int = RESOLUTION, draws: int = DRAWS, arrows: int = ARROWS,
               device="auto", progress: bool = False, preset_name: str | None = None,
               command: str | None = None, on_frame=None) -> "Recording":
    """Train ``packs`` × one ``seed`` to ``config.steps`` and keep a frame every ``every`` steps.

    One frame at step 0, one every ``every`` steps and one at the last step (the loop's
    callback; ``every=None``: about 200 frames). ``samples``/``resolution``/``draws``/``arrows``
    default to the live panel's, so a replay looks like the live panel. ``preset_name`` and
    ``command`` only label the recording (title, provenance); ``on_frame(step, rows)`` is called
    after each frame (progress printing). Recording does not change training: the probes draw
    no random numbers from the training streams (``tests/test_recordings.py`` checks this).
    """
    from .data.mixtures import MIXTURES
    from .train import GANTrainer

    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig (see pacgan_edu.presets.preset), got {type(config).__name__}")
    if config.dataset not in MIXTURES:
        raise ValueError(f"recordings show 2D mixtures; dataset must be one of {', '.join(sorted(MIXTURES))}, "
                         f"got {config.dataset!r}")
    packs = [_positive_int("each packing degree", m) for m in packs]
    if not packs or len(set(packs)) != len(packs):
        raise ValueError(f"packs must be distinct packing degrees (e.g. (1, 2)), got {packs!r}")
    seed = _positive_int("seed", seed, minimum=0)
    every = default_every(config.steps) if every is None else _positive_int("every", every)
    frame_settings = _FrameSettings(_positive_int("samples", samples), _positive_int("resolution", resolution, 2),
                                    _positive_int("draws", draws), _positive_int("arrows", arrows))
    if samples > config.eval_samples:
        raise ValueError(f"samples must be at most config.eval_samples = {config.eval_samples}, got {samples}")

    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    start = time.perf_counter()
    trainer = GANTrainer(config, packs=packs, seeds=[seed], device=device)
    real = probes.real_samples(trainer, samples)
    store = _FrameStore(trainer, real, frame_settings)

    def capture(snapshot) -> None:
        rows = store.capture(snapshot.d_loss, snapshot.g_loss)
        if on_frame is not None:
            on_frame(snapshot.step, rows)

    capture(trainer.snapshot())  # step 0: the untrained GANs
    trainer.run(callback=capture, callback_every=every, progress=progress)
    wall = time.perf_counter() - start

    settings = {
        "config": config.as_dict(), "preset": preset_name, "packs": packs, "seed": seed, "every": every,
        "members": [[m.pack, m.seed] for m in trainer.members], "samples": frame_settings.samples,
        "resolution": frame_settings.resolution, "draws": frame_settings.draws, "arrows": frame_settings.arrows,
        "arrow_counts": store.arrow_counts, "extent": [float(v) for v in store.extent],
        "heatmap_labels": store.labels, "metric_names": list(trainer.task.metric_names),
        "num_modes": int(trainer.task.mixture.num_modes),
    }
    provenance = run_provenance(trainer, started_at, wall,
                                command if command is not None else _python_call(packs, seed, every, frame_settings))
    metadata = {"format": FORMAT, "version": VERSION, "settings": settings, "provenance": provenance}
    return Recording(store.arrays(), json.loads(json.dumps(metadata)))  # exactly what the file will hold


def run_provenance(trainer, started_at: str, wall: float, command: str) -> dict:
    """Where and when a recording was made: versions, machine, threads, device, time, command."""
    return {
        "pacgan_edu": __version__, "torch": torch.__version__, "numpy": np.__version__,
        "python": platform.python_version(), "platform": platform.platform(), "machine": platform.machine(),
        "cpu_model": cpu_model(), "logical_cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"), "device": str(trainer.device),
        "gpu": torch.cuda.get_device_name(0) if trainer.device.type == "cuda" else None,
        "started_at": started_at, "wall_seconds": round(wall, 2), "steps_done": trainer.step,
        "stopped_reason": trainer.stopped_reason, "command": command,
    }


def _python_call(packs, seed, every, frame_settings: _FrameSettings) -> str:
    """How a library call made this recording (the config is ``settings["config"]``)."""
    script = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    return (f"pacgan_edu.recordings.record_run(TrainConfig(**settings['config']), packs={packs}, seed={seed}, "
            f"every={every}, samples={frame_settings.samples}, resolution={frame_settings.resolution}, "
            f"draws={frame_settings.draws}, arrows={frame_settings.arrows}) in {script}")


class _FrameStore:
    """Frames as compact arrays while recording (float16 points, uint8 heatmaps)."""

    def __init__(self, trainer, real: torch.Tensor, settings: _FrameSettings):
        self.trainer, self.real, self.settings = trainer, real, settings
        self.columns = {key: [] for key in ARRAY_KEYS if key != "real"}
        self.arrow_counts: list[int] | None = None
        self.labels: list[str] | None = None
        self.extent = probes.view_extent(trainer.task.mixture)

    def capture(self, d_loss: torch.Tensor, g_loss: torch.Tensor) -> list[dict]:
        trainer, s = self.trainer, self.settings
        frames = [probes.probe_frame(trainer, i, real=self.real, samples=s.samples, resolution=s.resolution,
                                     draws=s.draws, arrows=s.arrows) for i in range(len(trainer.members))]
        rows = _metric_rows(trainer)
        if self.arrow_counts is None:
            self.arrow_counts = [len(f.arrow_vectors) for f in frames]
            self.labels = [f.heatmap.label for f in frames]
        arrow_vectors = np.full((len(frames), s.arrows, 2), np.nan, dtype=np.float16)
        for k, frame in enumerate(frames):
            arrow_vectors[k, :len(frame.arrow_vectors)] = frame.arrow_vectors
        self.columns["steps"].append(trainer.step)
        self.columns["generated"].append(np.stack([f.generated for f in frames]).astype(np.float16))
        self.columns["heatmaps"].append(_quantize(np.stack([f.heatmap.values for f in frames])))
        self.columns["arrow_vectors"].append(arrow_vectors)
        self.columns["metrics"].append([[row[name] for name in trainer.task.metric_names] for row in rows])
        self.columns["losses"].append(torch.stack([d_loss, g_loss], dim=1).float().numpy())
        for row, d, g in zip(rows, d_loss.tolist(), g_loss.tolist()):
            row["d_loss"], row["g_loss"] = (d if math.isfinite(d) else None), (g if math.isfinite(g) else None)
        return rows

    def arrays(self) -> dict:
        c = self.columns
        return {"steps": np.asarray(c["steps"], dtype=np.int64), "generated": np.stack(c["generated"]),
                "heatmaps": np.stack(c["heatmaps"]), "arrow_vectors": np.stack(c["arrow_vectors"]),
                "metrics": np.asarray(c["metrics"], dtype=np.float64), "losses": np.stack(c["losses"]),
                "real": self.real.cpu().numpy().astype(np.float32)}


def _metric_rows(trainer) -> list[dict]:
    """The metrics of every member at the current step: the loop's own record when it has just
    made one, else ``trainer.evaluate()`` (the same numbers: fixed evaluation noise)."""
    k = len(trainer.members)
    if len(trainer.history) >= k and all(row["step"] == trainer.step for row in trainer.history[-k:]):
        latest = {(row["pack"], row["seed"]): row for row in trainer.history[-k:]}
        if len(latest) == k:
            return [dict(latest[(m.pack, m.seed)]) for m in trainer.members]
    return trainer.evaluate()


def _quantize(values: np.ndarray) -> np.ndarray:
    return np.rint(np.clip(values, 0.0, 1.0) * 255.0).astype(np.uint8)


# ---------------------------------------------------------------------------------- replaying
class RecordingBase:
    """What every kind of recording has: metadata (``settings``, ``provenance``), the step of each
    frame, and saving as an ``.npz`` of its ``ARRAY_KEYS`` plus the metadata as JSON."""

    ARRAY_KEYS: tuple = ()

    def __init__(self, arrays: dict, metadata: dict):
        self.arrays = arrays
        self.metadata = metadata

    @property
    def settings(self) -> dict:
        """How the run was made: ``config`` (TrainConfig as a dict), ``packs``, ``seed``, ``every``, ..."""
        return self.metadata["settings"]

    @property
    def provenance(self) -> dict:
        """Where and when: versions, machine, threads, ``started_at``, ``wall_seconds``, ``command``."""
        return self.metadata["provenance"]

    @property
    def config(self) -> TrainConfig:
        config = dict(self.settings["config"])
        config["betas"] = tuple(config["betas"])
        return TrainConfig(**config)

    @property
    def members(self) -> list:
        from .train import Member
        return [Member(int(p), int(s)) for p, s in self.settings["members"]]

    @property
    def steps(self) -> np.ndarray:
        """The training step of every frame."""
        return self.arrays["steps"]

    @property
    def frames(self) -> int:
        """Number of frames."""
        return len(self.arrays["steps"])

    def __len__(self) -> int:
        return self.frames

    def normalize_index(self, i) -> int:
        """Frame index ``i`` (negative: from the end) as 0..frames − 1; IndexError when out of range."""
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not -self.frames <= i < self.frames:
            raise IndexError(f"frame index must be an integer in 0..{self.frames - 1} (or negative from the end), "
                             f"got {i!r}")
        return int(i) % self.frames

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        metadata = np.array(json.dumps(self.metadata, sort_keys=True))
        np.savez_compressed(buffer, metadata=metadata, **{key: self.arrays[key] for key in self.ARRAY_KEYS})
        return buffer.getvalue()

    def save(self, path) -> Path:
        """Write the ``.npz`` atomically (a crash never leaves half a file); returns the path."""
        return atomic_write_bytes(path, self.to_bytes())

    @classmethod
    def check_arrays(cls, arrays: dict, metadata: dict, what: str) -> None:
        """Raise :class:`RecordingError` where shapes and types disagree with the settings."""
        raise NotImplementedError


class Recording(RecordingBase):
    """A recorded 2D run: ``len(recording)`` frames; :meth:`frame` gives what the live figure draws.

    >>> rec = load_recording("data/recordings/grid_pair.npz")     # doctest: +SKIP
    >>> TrainingFigure(rec.mixture, views=len(rec.members)).update(rec.frame(-1))
    """

    ARRAY_KEYS = ARRAY_KEYS

    def __init__(self, arrays: dict, metadata: dict):
        super().__init__(arrays, metadata)
        settings = metadata["settings"]
        self._names = list(settings["metric_names"])
        self._real = arrays["real"].astype(np.float32)
        extent = tuple(float(v) for v in settings["extent"])
        resolution = int(settings["resolution"])
        self._extent = extent
        self._xs = np.linspace(extent[0], extent[1], resolution, dtype=np.float32)
        self._ys = np.linspace(extent[2], extent[3], resolution, dtype=np.float32)

    @property
    def mixture(self):
        from .data.mixtures import mixture
        return mixture(self.settings["config"]["dataset"])

    def __repr__(self) -> str:
        s = self.settings
        return (f"Recording({s['config']['dataset']}, packs {s['packs']}, seed {s['seed']}, {self.frames} frames "
                f"to step {int(self.steps[-1])}, every {s['every']} steps)")

    def rows(self, i) -> list[dict]:
        """The metric rows of frame ``i``, one per member (``dataset, pack, seed, step``, metrics,
        ``d_loss``, ``g_loss``), in the shape of ``GANTrainer.history`` rows."""
        i = self.normalize_index(i)
        dataset, step = self.settings["config"]["dataset"], int(self.steps[i])
        rows = []
        for k, member in enumerate(self.members):
            row = {"dataset": dataset, "pack": member.pack, "seed": member.seed, "step": step}
            for j, name in enumerate(self._names):
                value = float(self.arrays["metrics"][i, k, j])
                row[name] = int(value) if name == "modes_captured" else value
            for j, name in enumerate(LOSS_NAMES):
                value = float(self.arrays["losses"][i, k, j])
                row[name] = value if math.isfinite(value) else None
            rows.append(row)
        return rows

    def frame(self, i) -> list[probes.ProbeFrame]:
        """Frame ``i`` as one :class:`~pacgan_edu.probes.ProbeFrame` per member — what
        ``TrainingFigure.update`` takes; each frame's ``history`` holds frames 0..i."""
        i = self.normalize_index(i)
        history = [self.rows(j) for j in range(i + 1)]
        s = self.settings
        out = []
        for k, member in enumerate(self.members):
            generated = self.arrays["generated"][i, k].astype(np.float32)
            count = int(s["arrow_counts"][k])
            heatmap = probes.DiscriminatorMap(
                self._xs, self._ys, self.arrays["heatmaps"][i, k].astype(np.float32) / 255.0, self._extent,
                member.pack, 1 if member.pack == 1 else int(s["draws"]), s["heatmap_labels"][k])
            latest = history[-1][k]
            out.append(probes.ProbeFrame(
                step=int(self.steps[i]), pack=member.pack, seed=member.seed, generated=generated, real=self._real,
                heatmap=heatmap, arrow_points=generated[:count],
                arrow_vectors=self.arrays["arrow_vectors"][i, k, :count].astype(np.float32),
                metrics={name: latest[name] for name in self._names},
                history=[rows[k] for rows in history]))
        return out

    def title(self, i) -> str:
        """A figure title that nobody can mistake for live training: step, seed, settings."""
        i = self.normalize_index(i)
        s, c = self.settings, self.settings["config"]
        preset = f", preset {s['preset']}" if s.get("preset") else ""
        return (f"Replay of a recorded run (not live) — step {int(self.steps[i])} / {int(self.steps[-1])}, "
                f"seed {s['seed']}\n{c['dataset']}, loss {c['loss']}, m = {', '.join(map(str, s['packs']))}{preset}, "
                f"batch {c['batch_size']} packs, lr G {c['lr_generator']:g} / D {c['lr_discriminator']:g}, "
                f"recorded {self.provenance.get('started_at', '?')[:10]}")

    @classmethod
    def check_arrays(cls, arrays: dict, metadata: dict, what: str) -> None:
        _check_arrays(arrays, metadata, what)


# ---------------------------------------------------------------------------------- loading
_MAKE_ONE = "make one with: python -m pacgan_edu record --dataset grid --pack 1 2 --out PATH.npz"


def load_recording(path) -> "RecordingBase":
    """Read a recording written by :meth:`Recording.save` (``allow_pickle=False``), checking it.

    Raises ``FileNotFoundError`` for a missing file and :class:`RecordingError` (a ValueError)
    for anything else that is not a readable recording of a version this pacgan-edu knows.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no recording at {path}: the file does not exist ({_MAKE_ONE})")
    what = f"{path} is not a pacgan-edu recording"
    with open(path, "rb") as handle:
        head = handle.read(6)
    if head[:4] != b"PK\x03\x04":  # every .npz is a zip archive
        kind = ("it is empty" if not head else "it is a single .npy array" if head == b"\x93NUMPY"
                else f"it starts with {head!r}, not with a zip archive's signature")
        raise RecordingError(f"{what}: it is not an .npz archive ({kind}). A recording is an .npz written by "
                             f"`python -m pacgan_edu record`; {_MAKE_ONE}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            keys = set(archive.files)
            if "metadata" not in keys:
                raise RecordingError(f"{what}: it is an .npz archive but has no 'metadata' entry (it holds "
                                     f"{', '.join(sorted(keys)) or 'nothing'}); a recording holds metadata, "
                                     f"{', '.join(ARRAY_KEYS)}")
            metadata = _parse_metadata(archive["metadata"], what)
            kind = recording_class(metadata, what)
            missing = [key for key in kind.ARRAY_KEYS if key not in keys]
            if missing:
                raise RecordingError(f"{what}: entries {', '.join(missing)} are missing; a recording holds "
                                     f"metadata, {', '.join(kind.ARRAY_KEYS)}")
            arrays = {key: archive[key] for key in kind.ARRAY_KEYS}  # reads (and CRC-checks) every entry
    except RecordingError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as error:
        raise RecordingError(f"{what}: the .npz archive cannot be read — truncated, corrupt or holding pickled objects "
                             f"({type(error).__name__}: {error}). Copy the file again or re-record it; "
                             f"{_MAKE_ONE}") from None
    kind.check_arrays(arrays, metadata, what)
    return kind(arrays, metadata)


KINDS = ("2d", "images")   # metadata["kind"]; files without one (format version 1) are 2D


def recording_class(metadata: dict, what: str = "the recording") -> type:
    """:class:`Recording` (2D mixtures) or :class:`~pacgan_edu.image_recordings.ImageRecording`."""
    kind = metadata.get("kind", "2d")
    if kind == "2d":
        return Recording
    if kind == "images":
        from .image_recordings import ImageRecording
        return ImageRecording
    raise RecordingError(f"{what}: its kind is {kind!r}; valid kinds: {', '.join(KINDS)}")


def _parse_metadata(entry: np.ndarray, what: str) -> dict:
    if entry.shape != () or entry.dtype.kind != "U":
        raise RecordingError(f"{what}: its 'metadata' entry is not a JSON string")
    try:
        metadata = json.loads(str(entry))
    except json.JSONDecodeError as error:
        raise RecordingError(f"{what}: its 'metadata' entry is not valid JSON ({error})") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        found = metadata.get("format") if isinstance(metadata, dict) else None
        raise RecordingError(f"{what}: its format is {found!r}, expected {FORMAT!r}")
    version = metadata.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RecordingError(f"{what}: its format version is {version!r}; valid versions are 1..{VERSION}")
    if version > VERSION:
        raise RecordingError(f"{what.replace(' is not', ' is')} of format version {version}, newer than this "
                             f"pacgan-edu {__version__} reads (versions 1..{VERSION}): upgrade pacgan-edu "
                             f"(pip install -U pacgan-edu) or re-record it with this version")
    for key in ("settings", "provenance"):
        if not isinstance(metadata.get(key), dict):
            raise RecordingError(f"{what}: its metadata has no {key!r} section")
    return metadata


def _check_arrays(arrays: dict, metadata: dict, what: str) -> None:
    """Shapes and types agree with each other and with the settings (a damaged file says so)."""
    settings = metadata["settings"]
    try:
        members, names = len(settings["members"]), len(settings["metric_names"])
        n, resolution, arrows = int(settings["samples"]), int(settings["resolution"]), int(settings["arrows"])
        missing = [key for key in ("config", "packs", "seed", "every", "draws", "arrow_counts", "extent",
                                   "heatmap_labels", "num_modes") if key not in settings]
        if missing:
            raise KeyError(", ".join(missing))
    except (KeyError, TypeError, ValueError) as error:
        raise RecordingError(f"{what}: its settings are incomplete ({type(error).__name__}: {error})") from None
    frames = len(arrays["steps"]) if arrays["steps"].ndim == 1 else -1
    expected = {"steps": ((frames,), "i"), "generated": ((frames, members, n, 2), "f"),
                "heatmaps": ((frames, members, resolution, resolution), "u"),
                "arrow_vectors": ((frames, members, arrows, 2), "f"), "metrics": ((frames, members, names), "f"),
                "losses": ((frames, members, 2), "f"), "real": ((n, 2), "f")}
    for key, (shape, kind) in expected.items():
        array = arrays[key]
        if array.shape != shape or array.dtype.kind != kind:
            raise RecordingError(f"{what}: entry {key!r} has shape {array.shape} and type {array.dtype}, "
                                 f"expected shape {shape} of kind {kind!r} (a damaged or hand-made file)")
    if frames < 1:
        raise RecordingError(f"{what}: it holds no frames")


# ---------------------------------------------------------------------------------- finding
def _recording_folders() -> list[Path]:
    folders = [RECORDINGS_DIR, data_dir() / "recordings"]  # the same folder in a checkout
    return [f for i, f in enumerate(folders) if f.resolve() not in {g.resolve() for g in folders[:i]}]


def available_recordings() -> list[str]:
    """Short names of the recordings in ``data/recordings/`` (and ``data_dir()/recordings/``)."""
    names = set()
    for folder in _recording_folders():
        if folder.is_dir():
            names.update(p.stem for p in folder.glob("*.npz"))
    return sorted(names)


def find_recording(path_or_name) -> Path:
    """A recording's path from a path, or from a short name in ``data/recordings/`` (``"grid_pair"``)."""
    candidate = Path(path_or_name)
    if candidate.is_file():
        return candidate
    name = candidate.name[:-4] if candidate.name.endswith(".npz") else candidate.name
    if str(path_or_name) in (name, f"{name}.npz"):  # a short name, not a path
        for folder in _recording_folders():
            if (folder / f"{name}.npz").is_file():
                return folder / f"{name}.npz"
        if name in PUBLISHED and not RECORDINGS_DIR.is_dir():  # a pip install (Colab) has no data/: fetch it once
            from .prerecorded import prerecorded_file
            return prerecorded_file(f"{name}.npz", folder="recordings")
    names = available_recordings()
    listing = f"available: {', '.join(names)}" if names else f"none is there yet ({_MAKE_ONE})"
    folders = " or ".join(str(folder) for folder in _recording_folders())
    raise FileNotFoundError(f"no recording {str(path_or_name)!r}: not a file, and not a name in {folders}; {listing}")
