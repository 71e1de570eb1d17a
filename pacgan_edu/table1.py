"""Table 1 at lecture scale for notebooks: train the sweep now, or read the committed one.

The full lecture sweep (4 packing degrees × 10 seeds; 30,000 steps on the grid, 15,000 on the
ring) takes 8–17 minutes per dataset on 2 CPU cores, so notebook 02 reads the result committed under
``data/prerecorded/`` (made by ``python -m pacgan_edu toy ... --json``) and retrains only on
demand ("run it in the break"). Both ways give the same :class:`Sweep`.
"""
from __future__ import annotations

import shlex
import time
from dataclasses import dataclass, field

from .prerecorded import load_prerecorded
from .presets import preset
from .parallel import train_split

RECORDED = "toy_lecture_{dataset}.json"
SAVED_SAMPLES = 1000   # per packing degree, first seed only (the committed JSON stays small)


@dataclass
class Sweep:
    """Per-seed results of one or more datasets' sweeps, and where they came from."""

    runs: list                    # one row per (dataset, pack, seed): the final metrics
    history: list                 # every evaluation of every member
    samples: dict                 # dataset -> {"m=PACK": (n, 2) samples of the first seed at the end}
    wall_seconds: dict            # dataset -> seconds
    steps: dict                   # dataset -> steps trained
    device: str
    source: str                   # "trained now" or the recorded command line and machine
    trainers: dict = field(default_factory=dict, repr=False)   # dataset -> [GANTrainer, ...] (trained now only)


def first_seed_samples(trainer, n: int = SAVED_SAMPLES) -> dict:
    """``{"m=PACK": (n, 2) array}``: n samples (fixed evaluation noise) of every packing degree's
    first seed at the end, so a notebook can draw the trained generators without retraining."""
    generated = trainer.generate()[:, :n].cpu().numpy()
    first = min(m.seed for m in trainer.members)
    return {f"m={m.pack}": generated[i] for i, m in enumerate(trainer.members) if m.seed == first}


def train_sweep(datasets, preset_name: str = "lecture", packs=(1, 2, 3, 4), seeds=range(10),
                progress: bool | None = None, device="auto") -> Sweep:
    """Train every (dataset, m, seed) now, one vectorized ensemble per dataset."""
    runs, history, samples, wall, steps, trainers = [], [], {}, {}, {}, {}
    for name in datasets:
        start = time.perf_counter()
        split = train_split(preset(preset_name, dataset=name), list(packs), list(seeds), device=device, progress=progress)
        wall[name], steps[name], trainers[name] = time.perf_counter() - start, min(t.step for t in split), split
        for trainer in split:
            runs += trainer.results()
            history += trainer.history
        samples[name] = first_seed_samples(split[0])
    device_name = str(next(iter(trainers.values()))[0].device) if trainers else "cpu"
    return Sweep(runs, history, samples, wall, steps, device_name, "trained now", trainers)


def regenerating_command(command_line: str, file_name: str) -> str:
    """The recorded command with its ``--json`` pointed at the committed file (where it was run,
    it wrote to a scratch path): the line a reader copies to regenerate that file."""
    words = shlex.split(command_line)
    if "--json" in words[:-1]:
        words[words.index("--json") + 1] = f"data/prerecorded/{file_name}"
    return shlex.join(words)


def recorded_sweep(datasets) -> Sweep:
    """The committed sweeps ``data/prerecorded/toy_lecture_<dataset>.json`` (downloaded in Colab)."""
    import numpy as np

    runs, history, samples, wall, steps, sources, devices = [], [], {}, {}, {}, [], set()
    for name in datasets:
        document = load_prerecorded(RECORDED.format(dataset=name))
        settings = document["settings"]
        runs += [r for r in document["runs"] if r["dataset"] == name]
        history += [r for r in document.get("history", []) if r["dataset"] == name]
        samples[name] = {key: np.asarray(value) for key, value in document.get("samples", {}).get(name, {}).items()}
        wall[name] = settings["wall_seconds"][name]
        steps[name] = settings["configs"][name]["steps"]
        env = settings["environment"]
        devices.add(env.get("gpu", "cpu"))
        command = regenerating_command(settings.get("command_line", "python -m pacgan_edu toy"), RECORDED.format(dataset=name))
        sources.append(f"{name}: {command} — "
                       f"{wall[name] / 60:.1f} min on {env.get('cpu_model') or env.get('platform', 'a CPU')} "
                       f"({env.get('cpu_threads', '?')} torch threads, torch {env.get('torch', '?')})")
    return Sweep(runs, history, samples, wall, steps, ", ".join(sorted(devices)), "\n".join(sources))


def table1_sweep(datasets, rerun: bool, preset_name: str = "lecture", packs=(1, 2, 3, 4), seeds=range(10)) -> Sweep:
    """``rerun``: train now (with a progress bar); otherwise read the committed sweep."""
    if rerun:
        return train_sweep(datasets, preset_name, packs, seeds)
    return recorded_sweep(datasets)
