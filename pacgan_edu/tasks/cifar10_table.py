"""The table of a CIFAR-10 sweep (mean ± s.e. over seeds per packing degree), printed the same way
by ``python -m pacgan_edu cifar10`` and notebook 07."""
from __future__ import annotations

from ..report import dcgan_row_label, format_paired, format_table
from ..sweep import summarize

# (metric, header, scale, digits); "classes covered": holding at least half their real share (cifar10_metrics)
COLUMNS = [("classes_covered", "classes covered", 1.0, 1), ("kl_to_uniform", "KL to uniform", 1.0, 2),
           ("js_to_real", "JS to real", 1.0, 3), ("precision", "precision", 1.0, 2), ("recall", "recall", 1.0, 2),
           ("coverage", "coverage", 1.0, 2)]
FID_COLUMN = ("fid", "FID", 1.0, 1)
# Self-Conditioned GAN (Liu et al., CVPR 2020) Table 2, real CIFAR-10, their protocol (as recalled
# in REFERENCES.md; confirm before teaching): not comparable to our columns, printed as an anchor
PUBLISHED = "published anchor (Liu et al. 2020, real CIFAR-10, other metrics): GAN IS 6.98 / FID 28.08; PacGAN2 IS 7.12"


def cifar10_table(runs: list[dict], label: str, description: str, baselines: list[dict] | None = None) -> str:
    """``runs``: per-seed rows (``pack``, ``seed`` and the metrics; ``fid`` where computed);
    ``label``: the data's label ("CIFAR-10" or the stand-in's); ``description``: what was run
    (preset, steps, seeds, samples, time); ``baselines``: rows of the trivial generators
    (``Cifar10Task.baseline_scores``), printed under the GANs — a GAN's number is evidence only
    where it beats theirs. Below the table, each m's difference to m = 1 paired by seed; then the
    published anchor, saying when the numbers are the stand-in's."""
    fid = any("fid" in row for row in runs)
    columns = COLUMNS + ([FID_COLUMN] if fid else [])
    summary = summarize(runs, metrics=[c[0] for c in columns])
    rows = [{"label": dcgan_row_label(s["pack"]), "ours": s, "paper": None} for s in summary]
    for row in baselines or []:     # one draw each: a number, no ± (format_table prints n = 1 so)
        rows.append({"label": f"baseline: {row['label']}", "paper": None,
                     "ours": {m: {"mean": row.get(m, float("nan")), "se": None, "n": 1} for m, *_ in columns}})
    table = format_table(f"{label}: {description}; mean ± s.e. over seeds", rows, columns, paper=False)
    if len(summary) > 1 and any(s["pack"] == 1 for s in summary):
        table += "\n" + format_paired(runs, columns)
    anchor = PUBLISHED + ("" if label == "CIFAR-10" else " — the numbers above are on the stand-in, not CIFAR-10")
    return f"{table}\n{anchor}"
