"""``python -m pacgan_edu remedies``: notebook 05's comparison — the plain GAN (m = 1), PacGAN2
and every remedy (m = 1) on the same seeds, one ``toy`` run per (dataset, remedy).

Each run writes its own JSON into ``--out`` (the ``toy`` command's shape), so an interrupted
comparison resumes where it stopped: runs whose file exists are read, not retrained.
"""
from __future__ import annotations

import os

from ..presets import PRESETS

#: (remedy, packing degrees), cheapest first (so an interrupted comparison has the most rows);
#: packing is shown beside the remedies as the plain run's m = 2
PLAN = [("none", (1, 2)), ("feature-matching", (1,)), ("several-generators", (1,)), ("adagan", (1,)),
        ("minibatch", (1,)), ("unrolled", (1,))]


def run_path(folder: str, dataset: str, remedy: str) -> str:
    return os.path.join(folder, f"{dataset}_{remedy}.json")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("remedies", help="notebook 05's comparison: every remedy beside the GAN and PacGAN2",
                              description=__doc__.split("\n\n")[0].split(": ", 1)[1])
    p.add_argument("--dataset", nargs="+", choices=["grid", "ring"], default=["ring", "grid"])
    p.add_argument("--remedy", nargs="+", choices=[name for name, _ in PLAN], default=[name for name, _ in PLAN],
                   metavar="NAME", help="which rows of the comparison to train (default: all)")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--preset", choices=sorted(PRESETS), default="lecture")
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--out", default=os.path.join("data", "prerecorded", "remedies"), help="folder of the JSON files")
    p.add_argument("--device", default="auto")
    p.add_argument("--progress", action="store_true")
    p.set_defaults(run=run)


def run(args, parser) -> int:
    from ..__main__ import main
    from ..remedy_study import load_comparison, print_comparison
    if args.seeds < 1:
        parser.error(f"--seeds must be >= 1, got {args.seeds}")
    os.makedirs(args.out, exist_ok=True)
    for dataset in args.dataset:
        for remedy, packs in PLAN:
            if remedy not in args.remedy:
                continue
            path = run_path(args.out, dataset, remedy)
            if os.path.exists(path):
                print(f"{path} exists: kept (delete it to retrain)")
                continue
            argv = ["toy", "--dataset", dataset, "--pack", *map(str, packs), "--seeds", str(args.seeds),
                    "--preset", args.preset, "--remedy", remedy, "--device", args.device, "--json", path]
            if args.steps:
                argv += ["--steps", str(args.steps)]
            if args.progress:
                argv.append("--progress")
            code = main(argv)
            if code:
                return code
    for dataset in args.dataset:
        print_comparison(load_comparison(dataset, args.out))
    return 0
