"""``python -m pacgan_edu stacked-mnist``: Tables 2 and 3 of the paper (Stacked MNIST, 1000 modes).

Trains DCGAN (m = 1) and PacDCGAN-m for every packing degree and seed as one ensemble, then
prints modes captured and KL (mean ± s.e. over seeds) beside the paper's rows. ``--json``
writes every run with its metrics history (step, wall-clock seconds, modes, KL) and the
settings, hardware and duration; ``--grids`` writes a small PNG of samples per run.
"""
from __future__ import annotations

import dataclasses
import os
import shlex
import sys
import time
from datetime import datetime, timezone

from .common import add_remedy_arguments, add_sweep_arguments, remedy_options, validate_sweep, write_sample_grids
from ..paper_results import TABLE2, TABLE3
from ..remedies import REMEDIES
from ..report import cpu_model, dcgan_row_label, environment, format_table, write_json
from ..tasks.stacked_mnist import METRICS, SETTINGS, SIZES, gpu_speedups, stacked_mnist_preset
from ..sweep import summarize
from ..train import GANTrainer

COLUMNS = [("modes_captured", "modes", 1.0, 1), ("kl", "KL", 1.0, 2)]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "stacked-mnist", help="Stacked MNIST (1000 modes): DCGAN vs PacDCGAN, Tables 2 and 3 of the paper",
        description="Train DCGAN / PacDCGAN-m on Stacked MNIST for every packing degree and seed and print "
                    "modes captured and KL to uniform (mean ± s.e. over seeds) beside the paper's Table 2 "
                    "(--setting veegan) or Table 3 (--setting unrolled-quarter / unrolled-half).")
    p.add_argument("--setting", choices=SETTINGS, default="veegan",
                   help="veegan: Table 2; unrolled-quarter / unrolled-half: Table 3 with the ¼ or ½ discriminator")
    add_sweep_arguments(p, seeds=3, presets=SIZES, preset="paper",
                        preset_help="paper: the paper's networks and length (a GPU job); lecture: narrower "
                                    "networks, minutes on a CPU; quick: seconds (tests)")
    p.add_argument("--iters", type=int, default=None, help="training steps (D updates); default: the preset's")
    p.add_argument("--eval-samples", type=int, default=None,
                   help="samples classified per evaluation (paper: 26,000 / 25,600); default: the preset's")
    p.add_argument("--eval-every", type=int, default=None, help="steps between evaluations; default: the preset's")
    p.add_argument("--channels-last", action="store_true", help="CUDA only: channels-last convolutions (not measured)")
    p.add_argument("--bf16", action="store_true", help="CUDA only: bfloat16 autocast (not measured)")
    p.add_argument("--grids", metavar="FOLDER", help="write a PNG of 10 x 10 samples per run here")
    p.add_argument("--quiet", action="store_true", help="no line per evaluation")
    add_remedy_arguments(p)
    p.set_defaults(run=run)


def paper_row(setting: str, pack: int, method: str | None = None) -> dict | None:
    """The paper's numbers for packing degree ``pack`` (``None`` + ``method`` for other methods)
    in this setting's table, or None."""
    table = TABLE2 if setting == "veegan" else TABLE3
    part = None if setting == "veegan" else setting.split("-")[1]  # "quarter" / "half"
    for row in table:
        if row["pack"] == pack and (method is None or row["method"] == method):
            return row if part is None else row[part]
    return None


def method_label(pack: int, remedy: str = "none") -> str:
    if remedy != "none":
        return f"{REMEDIES[remedy].title} (m={pack})"
    return dcgan_row_label(pack)


def format_results(setting: str, summary: list[dict], title: str, remedy: str = "none") -> str:
    """The paper's table for ``setting`` with our mean ± s.e. beside each packing degree we ran;
    rows we did not run say "(paper only)", packing degrees the paper lacks come last. With a
    remedy our rows are not the paper's DCGAN rows: they all come last, labelled by the remedy."""
    # a single seed has no standard error: show its value alone rather than "± 0.0"
    ours = {s["pack"]: {k: dict(v, se=None) if isinstance(v, dict) and s.get("seeds", 2) < 2 else v
                        for k, v in s.items()} for s in summary}
    table = TABLE2 if setting == "veegan" else TABLE3
    rows = []
    for row in table:
        paper = paper_row(setting, row["pack"], row["method"])
        if row["pack"] in ours and remedy == "none":
            rows.append({"label": method_label(row["pack"]), "ours": ours.pop(row["pack"]), "paper": paper})
        else:
            rows.append({"label": f"{row['method']} (paper only)", "ours": None, "paper": paper})
    rows += [{"label": method_label(pack, remedy), "ours": s, "paper": None} for pack, s in sorted(ours.items())]
    return format_table(title, rows, COLUMNS)


class _Clock:
    """Wall-clock seconds at each evaluation, and one printed line per evaluation."""

    def __init__(self, trainer, quiet: bool):
        self.trainer, self.quiet = trainer, quiet
        self.start = time.perf_counter()
        self.seconds = {0: 0.0}

    def __call__(self, snapshot) -> None:
        self.seconds[snapshot.step] = round(time.perf_counter() - self.start, 2)
        if self.quiet:
            return
        latest = snapshot.trainer.results()
        parts = [f"m={r['pack']} seed {r['seed']}: {r['modes_captured']} modes, KL {r['kl']:.2f}" for r in latest]
        print(f"step {snapshot.step}/{snapshot.trainer.config.steps} ({self.seconds[snapshot.step]:.0f} s): "
              + "; ".join(parts), flush=True)


def run(args, parser) -> int:
    validate_sweep(args, parser, positive=("seeds", "iters", "eval_samples", "eval_every"))
    if len(args.remedy) != 1:
        parser.error("--remedy: stacked-mnist trains one remedy per run")
    remedy = args.remedy[0]
    if remedy == "adagan":
        parser.error("--remedy adagan: AdaGAN is implemented for the 2D mixtures only "
                     "(python -m pacgan_edu toy --remedy adagan)")
    options = remedy_options(args, parser)

    overrides = {}
    for field, value in (("steps", args.iters), ("eval_samples", args.eval_samples),
                         ("eval_every", args.eval_every), ("loss", args.loss)):
        if value is not None:
            overrides[field] = value
    config = stacked_mnist_preset(args.setting, args.preset, remedy=remedy, remedy_options=options, **overrides)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    packs = sorted(set(args.pack))
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with gpu_speedups(channels_last=args.channels_last, bf16=args.bf16):
        trainer = GANTrainer(config, packs=packs, seeds=seeds, device=args.device)
    clock = _Clock(trainer, args.quiet)
    trainer.run(progress=args.progress, callback=clock, callback_every=config.eval_every)
    wall = round(time.perf_counter() - clock.start, 1)
    if trainer.stopped_reason:
        print(f"warning: training stopped early ({trainer.stopped_reason}) at step {trainer.step}")

    runs = []
    for row in trainer.results():
        row["stopped_reason"] = trainer.stopped_reason
        row["history"] = [{"step": h["step"], "seconds": clock.seconds.get(h["step"]),
                           "modes_captured": h["modes_captured"], "kl": h["kl"],
                           "d_loss": h["d_loss"], "g_loss": h["g_loss"]}
                          for h in trainer.history if (h["pack"], h["seed"]) == (row["pack"], row["seed"])]
        runs.append(row)
    summary = summarize(runs, metrics=METRICS)
    what = "" if remedy == "none" else f", remedy {remedy}"
    title = (f"\nStacked MNIST, {args.setting} setting{what} — preset {args.preset}, {trainer.step} steps, "
             f"{len(seeds)} seed(s), {config.eval_samples:,} samples per evaluation, {wall:.0f} s on "
             f"{trainer.device}; mean ± s.e. over seeds")
    print(format_results(args.setting, summary, title, remedy))

    if args.grids:
        write_sample_grids(trainer, args.grids, args.setting, 100)   # 10 x 10 unless fewer samples are evaluated
    if args.checkpoint:
        trainer.save(args.checkpoint)
    if args.json:
        classifier = trainer.task.classifier(trainer.device)
        settings = {"command": "stacked-mnist", "command_line": "python -m pacgan_edu " + shlex.join(getattr(args, "argv", None) or sys.argv[1:]),
                    "setting": args.setting, "remedy": remedy, "preset": args.preset, "packs": packs, "seeds": seeds, "device": str(trainer.device),
                    "gpu_options": dataclasses.asdict(trainer.task.gpu), "config": config.as_dict(),
                    "architecture": trainer.task.architecture.as_dict(), "data": trainer.task.data.source,
                    "data_is_subset": trainer.task.data.is_subset, "mode_classifier": classifier.metadata,
                    "started_at": started_at, "wall_seconds": wall, "steps_done": trainer.step,
                    "omp_num_threads": os.environ.get("OMP_NUM_THREADS"), "cpu_model": cpu_model(),
                    "logical_cpus": os.cpu_count(), "environment": environment()}
        write_json(args.json, settings, runs, summary)
        print(f"wrote {args.json}")
    return 0
