"""Notebook 05's comparison, read back: every remedy beside the plain GAN and PacGAN2, paired by
seed against the plain GAN, with the null baselines and each run's time per step.

The runs come from ``python -m pacgan_edu remedies`` (one ``toy`` JSON per dataset and remedy).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

from .remedies import REMEDIES
from .sweep import mean_se

METRICS = ("modes_captured", "high_quality_fraction", "reverse_kl")


@dataclass
class Comparison:
    dataset: str
    runs: list            # per-seed rows of every remedy (``remedy``, ``pack``, ``seed``, metrics)
    history: list         # their evaluations over training
    samples: dict         # "remedy m=PACK" -> first seed's samples (n, 2)
    seconds_per_step: dict  # "remedy m=PACK" -> wall seconds per step of that run (its whole ensemble)
    baselines: dict       # {"uniform"|"real": {metric: {mean, se}}}
    settings: dict        # remedy -> that run's settings (command line, machine, steps)


def row_label(remedy: str, pack: int) -> str:
    if remedy == "none":
        return "GAN" if pack == 1 else f"PacGAN{pack}"
    title = REMEDIES[remedy].title
    return title if pack == 1 else f"{title}, m = {pack}"


COMMITTED = "prerecorded/remedies"   # data/prerecorded/remedies: the comparison the notebook shows


def load_comparison(dataset: str, folder: str | None = None) -> Comparison:
    """Every ``{dataset}_{remedy}.json`` in ``folder`` (missing remedies are simply absent);
    default: the committed comparison (downloaded once where the package has no ``data/``)."""
    from .prerecorded import CHECKOUT_DATA, prerecorded_file
    if folder is None and (CHECKOUT_DATA / COMMITTED).is_dir():   # a checkout: never download
        folder = str(CHECKOUT_DATA / COMMITTED)
    runs, history, samples, speed, settings, baselines = [], [], {}, {}, {}, {}
    for remedy in REMEDIES:
        name = f"{dataset}_{remedy}.json"
        if folder is None:
            try:
                path = prerecorded_file(name, folder=COMMITTED)
            except FileNotFoundError:
                continue
        else:
            path = os.path.join(folder, name)
            if not os.path.exists(path):
                continue
        with open(path) as f:
            document = json.load(f)
        runs += document["runs"]
        history += document.get("history", [])
        label = dataset if remedy == "none" else f"{dataset} {remedy}"
        for key, value in document.get("samples", {}).get(label, {}).items():
            samples[f"{remedy} {key}"] = value
        steps = document["settings"]["configs"][label]["steps"]
        for pack in document["settings"]["packs"]:
            speed[f"{remedy} m={pack}"] = document["settings"]["wall_seconds"][label] / steps
        settings[remedy] = document["settings"]
        baselines = document.get("baselines", {}).get(dataset, baselines)
    return Comparison(dataset, runs, history, samples, speed, baselines, settings)


# what makes a schedule: a committed comparison may predate a change of the preset's schedule
SCHEDULE_FIELDS = ("architecture", "steps", "lr_generator", "lr_discriminator", "lr_final_fraction",
                   "lr_decay_start", "batch_size")


def trained_with_preset(comparison: Comparison, preset_name: str = "lecture") -> bool:
    """Whether the comparison's plain GAN ran with the preset's *current* schedule for its dataset
    (Table 1's settings), so the two can be read side by side."""
    from .presets import preset
    plain = comparison.settings.get("none", {}).get("configs", {}).get(comparison.dataset)
    if plain is None:
        return False
    current = preset(preset_name, dataset=comparison.dataset).as_dict()
    return all(plain.get(name) == current[name] for name in SCHEDULE_FIELDS)


def comparison_rows(comparison: Comparison) -> list[dict]:
    """One row per (remedy, m): mean ± s.e. over seeds, and paired by seed minus the plain GAN."""
    plain = {r["seed"]: r for r in comparison.runs if r["remedy"] == "none" and r["pack"] == 1}
    keys = sorted({(r["remedy"], r["pack"]) for r in comparison.runs},
                  key=lambda k: (list(REMEDIES).index(k[0]), k[1]))
    rows = []
    for remedy, pack in keys:
        mine = [r for r in comparison.runs if r["remedy"] == remedy and r["pack"] == pack]
        row = {"remedy": remedy, "pack": pack, "label": row_label(remedy, pack), "seeds": len(mine)}
        for metric in METRICS:
            row[metric] = mean_se([r[metric] for r in mine])
            paired = [r[metric] - plain[r["seed"]][metric] for r in mine if r["seed"] in plain]
            row[f"{metric}_vs_gan"] = mean_se(paired) if (remedy, pack) != ("none", 1) and paired else None
        rows.append(row)
    return rows


def print_comparison(comparison: Comparison) -> None:
    rows = comparison_rows(comparison)
    if not rows:
        print(f"no runs for {comparison.dataset}")
        return
    n = max(r["seeds"] for r in rows)
    print(f"\n{comparison.dataset}: mean ± s.e. over {n} seeds; Δ = paired by seed, minus the plain GAN")
    print(f"{'':34s} {'modes':>12s} {'HQ %':>12s} {'rev. KL':>12s} {'Δ modes':>12s} {'Δ rev. KL':>13s}")
    for r in rows:
        def cell(metric, scale=1.0, digits=1):
            v = r[metric]
            return f"{v['mean'] * scale:.{digits}f} ± {v['se'] * scale:.{digits}f}"

        def delta(metric, digits):
            v = r[f"{metric}_vs_gan"]
            return "—" if v is None else f"{v['mean']:+.{digits}f} ± {v['se']:.{digits}f}"
        print(f"{r['label']:34s} {cell('modes_captured'):>12s} {cell('high_quality_fraction', 100):>12s} "
              f"{cell('reverse_kl', 1, 2):>12s} {delta('modes_captured', 1):>12s} {delta('reverse_kl', 2):>13s}")
    for which, label in (("uniform", "uniform over the extent (baseline)"), ("real", "real samples (baseline)")):
        b = comparison.baselines.get(which)
        if b:
            print(f"{label:34s} {b['modes_captured']['mean']:>12.1f} {100 * b['high_quality_fraction']['mean']:>12.1f} "
                  f"{b['reverse_kl']['mean']:>12.2f}")


def time_per_step(dataset: str = "grid", entries=None, preset_name: str = "lecture", seeds=range(5),
                  steps: int = 150, warmup: int = 20, device="auto") -> list[dict]:
    """Seconds per training step of each (remedy, m) in ``entries`` (default: notebook 05's
    rows), measured one after another in this process, and the ratio to the plain GAN (m = 1).

    AdaGAN's steps are the plain GAN's (its extra cost is the data classifier between
    components), so it is timed as such and says so."""
    import time

    from .presets import preset
    from .train import GANTrainer
    entries = entries or [("none", 1), ("none", 2), ("minibatch", 1), ("feature-matching", 1), ("unrolled", 1),
                          ("several-generators", 1)]
    out = []
    for remedy, pack in entries:
        config = preset(preset_name, dataset=dataset, remedy=remedy)
        trainer = GANTrainer(config, packs=[pack], seeds=list(seeds), device=device)
        trainer.run(steps=warmup, progress=False)
        start = time.perf_counter()
        trainer.run(steps=steps, progress=False)
        out.append({"remedy": remedy, "pack": pack, "label": row_label(remedy, pack),
                    "seconds_per_step": (time.perf_counter() - start) / steps})
    plain = next((r["seconds_per_step"] for r in out if (r["remedy"], r["pack"]) == ("none", 1)), None)
    for row in out:
        row["relative"] = row["seconds_per_step"] / plain if plain else None
    return out


def run_comparison(folder: str, datasets=("ring", "grid"), preset_name: str = "lecture", seeds: int = 5,
                   steps: int | None = None, remedies=None) -> list[Comparison]:
    """Train the comparison into ``folder`` exactly as ``python -m pacgan_edu remedies`` does
    (runs already there are kept), and read it back."""
    from .__main__ import main
    argv = ["remedies", "--dataset", *datasets, "--seeds", str(seeds), "--preset", preset_name, "--out", str(folder)]
    if steps:
        argv += ["--steps", str(steps)]
    if remedies:
        argv += ["--remedy", *remedies]
    if main(argv):
        raise RuntimeError(f"python -m pacgan_edu {' '.join(argv)} failed")
    return [load_comparison(dataset, folder) for dataset in datasets]


def generator_labels_of(comparison: Comparison, remedy: str = "several-generators", pack: int = 1):
    """Which generator made each saved first-seed sample of ``remedy`` (several generators)."""
    from .remedies import make_remedy
    config = comparison.settings[remedy]["configs"][f"{comparison.dataset} {remedy}"]
    samples = comparison.samples[f"{remedy} m={pack}"]
    return make_remedy(remedy, dict(config["remedy_options"])).sample_labels(len(samples), config["batch_size"] * pack)


def costs_and_gains(comparisons: list[Comparison], timings: list[dict] | None = None) -> list[dict]:
    """The closing table: per (remedy, m) its time per step relative to the GAN and, per dataset,
    the paired change in modes and reverse KL against the plain GAN, and whether that change is
    beyond noise (|mean| > 2 s.e.)."""
    relative = {(t["remedy"], t["pack"]): t["relative"] for t in timings or []}
    table = {}
    for comparison in comparisons:
        for row in comparison_rows(comparison):
            key = (row["remedy"], row["pack"])
            entry = table.setdefault(key, {"remedy": row["remedy"], "pack": row["pack"], "label": row["label"],
                                           "relative_time": relative.get(key)})
            for metric in ("modes_captured", "reverse_kl"):
                delta = row[f"{metric}_vs_gan"]
                entry[f"{comparison.dataset} {metric}"] = delta
                if delta is not None:
                    entry[f"{comparison.dataset} {metric} beyond noise"] = abs(delta["mean"]) > 2 * delta["se"]
    return list(table.values())


def format_costs_and_gains(rows: list[dict], datasets=("ring", "grid")) -> str:
    def cell(entry, dataset, metric, digits):
        delta = entry.get(f"{dataset} {metric}")
        if delta is None:
            return "—"
        mark = "*" if entry.get(f"{dataset} {metric} beyond noise") else " "
        return f"{delta['mean']:+.{digits}f} ± {delta['se']:.{digits}f}{mark}"
    header = f"{'':32s} {'time/step':>10s}" + "".join(f" {d + ' Δ modes':>17s} {d + ' Δ rev. KL':>18s}" for d in datasets)
    lines = [header]
    for entry in rows:
        time = "—" if entry["relative_time"] is None else f"{entry['relative_time']:.1f}x"
        lines.append(f"{entry['label']:32s} {time:>10s}" + "".join(
            f" {cell(entry, d, 'modes_captured', 1):>17s} {cell(entry, d, 'reverse_kl', 2):>18s}" for d in datasets))
    lines.append("Δ: paired by seed, minus the plain GAN with the same seed (mean ± s.e.); * = beyond noise "
                 "(|mean| > 2 s.e.). time/step: relative to the plain GAN, measured in one run.")
    return "\n".join(lines)


def markdown_comparison(comparisons: list[Comparison], timings: list[dict] | None = None) -> str:
    """The comparison as a Markdown table (README, notes): per (remedy, m) and dataset, modes,
    HQ % and reverse KL (mean ± s.e.), the paired Δ modes / Δ reverse KL against the GAN (* beyond
    2 s.e.), and the time per step relative to the GAN where ``timings`` has it."""
    relative = {(t["remedy"], t["pack"]): t["relative"] for t in timings or []}
    lines = ["| | " + " | ".join(f"{c.dataset} modes | {c.dataset} HQ % | {c.dataset} rev. KL | {c.dataset} Δ modes | "
                                   f"{c.dataset} Δ rev. KL" for c in comparisons) + " | time / step |",
             "|---" * (1 + 5 * len(comparisons) + 1) + "|"]
    per = [{(r["remedy"], r["pack"]): r for r in comparison_rows(c)} for c in comparisons]
    keys = list(dict.fromkeys(k for rows in per for k in rows))

    def delta(v, digits):
        if v is None:
            return "—"
        star = "*" if abs(v["mean"]) > 2 * v["se"] else ""
        return f"{v['mean']:+.{digits}f} ± {v['se']:.{digits}f}{star}"
    for key in keys:
        cells = []
        for rows in per:
            r = rows.get(key)
            if r is None:
                cells += ["—"] * 5
                continue
            cells += [f"{r['modes_captured']['mean']:.1f} ± {r['modes_captured']['se']:.1f}",
                      f"{100 * r['high_quality_fraction']['mean']:.1f} ± {100 * r['high_quality_fraction']['se']:.1f}",
                      f"{r['reverse_kl']['mean']:.2f} ± {r['reverse_kl']['se']:.2f}",
                      delta(r["modes_captured_vs_gan"], 1), delta(r["reverse_kl_vs_gan"], 2)]
        label = next(rows[key]["label"] for rows in per if key in rows)
        time = f"{relative[key]:.1f}×" if key in relative and relative[key] else "—"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {time} |")
    for which, label in (("uniform", "uniform cloud (baseline)"), ("real", "real samples (baseline)")):
        cells = []
        for c in comparisons:
            b = c.baselines.get(which, {})
            cells += [f"{b['modes_captured']['mean']:.1f}", f"{100 * b['high_quality_fraction']['mean']:.1f}",
                      f"{b['reverse_kl']['mean']:.2f}", "", ""] if b else ["—"] * 5
        lines.append(f"| {label} | " + " | ".join(cells) + " | |")
    return "\n".join(lines)
