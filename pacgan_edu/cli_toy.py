"""``python -m pacgan_edu toy``: the Table 1 sweep on 2D mixtures, as one vectorized ensemble."""
from __future__ import annotations

import time

from .data.mixtures import MIXTURES
from .losses import loss_names
from .paper_results import table1_row
from .presets import PRESETS, preset
from .report import environment, format_table, write_json
from .sweep import summarize
from .train import GANTrainer

COLUMNS = [("modes_captured", "modes", 1.0, 1), ("high_quality_fraction", "HQ %", 100.0, 1), ("reverse_kl", "rev. KL", 1.0, 2)]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("toy", help="2D mixtures: packing degrees x seeds, Table 1 of the paper",
                              description="Train every (dataset, packing degree, seed) as one vectorized "
                                          "ensemble and print modes captured / high-quality % / reverse KL "
                                          "(mean ± s.e. over seeds) beside the paper's Table 1.")
    p.add_argument("--dataset", nargs="+", choices=sorted(MIXTURES), default=["grid"])
    p.add_argument("--pack", nargs="+", type=int, default=[1, 2, 3, 4], help="packing degrees m (>= 1)")
    p.add_argument("--seeds", type=int, default=10, help="number of seeds (0 .. N-1)")
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--preset", choices=sorted(PRESETS), default="lecture")
    p.add_argument("--loss", choices=loss_names(), default=None, help="default: the preset's (ns)")
    p.add_argument("--steps", type=int, default=None, help="override the preset's number of steps")
    p.add_argument("--device", default="auto", help="auto (CUDA, MPS, CPU), cpu, cuda, mps")
    p.add_argument("--json", metavar="PATH", help="write every per-seed result and the settings here")
    p.add_argument("--checkpoint", metavar="PATH", help="save the trained ensemble here (per dataset: PATH.DATASET.pt)")
    p.add_argument("--progress", action="store_true", help="show a progress bar")
    p.set_defaults(run=run)


def validate(args, parser) -> None:
    if any(m < 1 for m in args.pack):
        parser.error(f"--pack: packing degrees must be >= 1, got {args.pack}")
    if args.seeds < 1:
        parser.error(f"--seeds must be >= 1, got {args.seeds}")
    if args.steps is not None and args.steps < 1:
        parser.error(f"--steps must be >= 1, got {args.steps}")


def run(args, parser) -> int:
    validate(args, parser)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    packs = sorted(set(args.pack))
    runs, wall, configs = [], {}, {}
    for dataset in args.dataset:
        overrides = {"dataset": dataset}
        if args.loss:
            overrides["loss"] = args.loss
        if args.steps:
            overrides["steps"] = args.steps
        config = preset(args.preset, **overrides)
        configs[dataset] = config.as_dict()
        start = time.perf_counter()
        trainer = GANTrainer(config, packs=packs, seeds=seeds, device=args.device)
        trainer.run(progress=args.progress)
        wall[dataset] = round(time.perf_counter() - start, 2)
        if trainer.stopped_reason:
            print(f"warning: {dataset} training stopped early ({trainer.stopped_reason}) at step {trainer.step}")
        if args.checkpoint:
            trainer.save(f"{args.checkpoint}.{dataset}.pt")
        for row in trainer.results():
            row["stopped_reason"] = trainer.stopped_reason
            runs.append(row)
        print_table(dataset, summarize([r for r in runs if r["dataset"] == dataset]), args.preset, config.steps, len(seeds), wall[dataset], str(trainer.device))
    if args.json:
        settings = {"command": "toy", "preset": args.preset, "datasets": args.dataset, "packs": packs, "seeds": seeds,
                    "device": args.device, "configs": configs, "wall_seconds": wall, "environment": environment()}
        write_json(args.json, settings, runs)
        print(f"wrote {args.json}")
    return 0


def print_table(dataset, summary, preset_name, steps, n_seeds, seconds, device) -> None:
    rows = []
    for s in summary:
        label = "GAN (m=1)" if s["pack"] == 1 else f"PacGAN{s['pack']}"
        rows.append({"label": label, "ours": s, "paper": table1_row(dataset, s["pack"])})
    modes = {"ring": 8, "grid": 25}.get(dataset, "?")
    title = (f"\n{dataset} ({modes} modes) — preset {preset_name}, {steps} steps, {n_seeds} seeds, "
             f"{seconds:.0f} s on {device}; mean ± s.e. over seeds")
    print(format_table(title, rows, COLUMNS))
