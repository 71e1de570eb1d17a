"""Results as tables and JSON, in one shape every CLI shares:

``{"settings": {...}, "runs": [{"dataset", "pack", "seed", <metrics>...}, ...], "summary": [...]}``
(fractions in [0, 1]), plus a command's own top-level keys (the toy CLI's ``baselines``).
Tables print mean ± s.e. over seeds beside the paper's numbers.
"""
from __future__ import annotations

import json
import math
import platform

import torch

from .device import native_bfloat16_cpu
from .files import atomic_write_bytes
from .sweep import paired_differences, summarize


def cpu_model() -> str:
    """The processor's name (Linux: /proc/cpuinfo), for the provenance of timings."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def environment() -> dict:
    """Where a result came from: versions and hardware, for the JSON ``settings``."""
    info = {"python": platform.python_version(), "torch": torch.__version__, "platform": platform.platform(),
            "cpu_model": cpu_model(), "cpu_threads": torch.get_num_threads(),
            "native_bfloat16": native_bfloat16_cpu()}
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def write_json(path, settings: dict, runs: list[dict], summary: list[dict] | None = None,
               extra: dict | None = None) -> None:
    """Write the shared result shape atomically (a crash never leaves half a file).

    ``extra``: more top-level keys after the shared three (e.g. the toy CLI's ``baselines``);
    it may not replace ``settings``, ``runs`` or ``summary``."""
    document = {"settings": settings, "runs": runs, "summary": summary if summary is not None else summarize(runs)}
    clash = set(extra or {}) & set(document)
    if clash:
        raise ValueError(f"extra keys {sorted(clash)} would replace the shared result shape's own")
    document.update(extra or {})
    atomic_write_bytes(path, (json.dumps(document, indent=2, default=str) + "\n").encode())


def dcgan_name(pack: int) -> str:
    """The PacGAN paper's name for a DCGAN whose D reads packs of m images: "DCGAN", "PacDCGAN2", ..."""
    return "DCGAN" if pack == 1 else f"PacDCGAN{pack}"


def dcgan_row_label(pack: int) -> str:
    """A table row's label: "DCGAN (m=1)", "PacDCGAN2", ..."""
    return f"{dcgan_name(pack)} (m=1)" if pack == 1 else dcgan_name(pack)


def _fmt(mean, se, scale=1.0, digits=1) -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "—"
    text = f"{mean * scale:.{digits}f}"
    return text if se is None else f"{text} ± {se * scale:.{digits}f}"


def format_table(title: str, rows: list[dict], columns: list[tuple[str, str, float, int]], paper: bool = True) -> str:
    """A plain-text table. ``rows``: dicts with ``label``, ``ours`` {metric: {mean, se}} and
    ``paper`` {metric: (mean, se)} or None; ``columns``: (metric, header, scale, digits)."""
    header = ["", *[f"{h} (ours)" for _, h, _, _ in columns], *[f"{h} (paper)" for _, h, _, _ in columns]]
    if not paper:   # nothing published to put beside ours
        header = header[: 1 + len(columns)]
    body = []
    for row in rows:
        # one seed has no standard error: print the number alone, not "± 0.0"
        ours = [_fmt(row["ours"][m]["mean"], row["ours"][m]["se"] if row["ours"][m].get("n", 2) > 1 else None, s, d)
                if row.get("ours") else "—" for m, _, s, d in columns]
        published = [_fmt(*row["paper"][m], s, d) if row.get("paper") and m in row["paper"] else "—" for m, _, s, d in columns]
        body.append([row["label"], *ours, *published][: len(header)])
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(line, widths)) for line in body]
    return "\n".join(lines)


def format_paired(runs: list[dict], columns: list[tuple[str, str, float, int]]) -> str:
    """One line per m: the same seed's m-run minus its m = 1 run, mean ± s.e. over seeds
    (:func:`~pacgan_edu.sweep.paired_differences`)."""
    lines = ["paired by seed, m minus m = 1 (mean ± s.e.; beyond noise where |mean| > 2 s.e.):"]
    per_metric = {name: {d["pack"]: d for d in paired_differences(runs, name)} for name, *_ in columns}
    for pack in sorted(per_metric[columns[0][0]]):
        parts = []
        for name, label, scale, digits in columns:
            d = per_metric[name][pack]
            parts.append(f"{label} {scale * d['mean']:+.{digits}f} ± {scale * d['se']:.{digits}f}")
        n = per_metric[columns[0][0]][pack]["n"]
        # fewer than 3 seeds cannot estimate a spread honestly (sweep.paired_differences' verdict)
        lines.append(f"  m = {pack}: " + ", ".join(parts) + (f" ({n} seed{'s' if n > 1 else ''}: too few to call)" if n < 3 else ""))
    return "\n".join(lines)
