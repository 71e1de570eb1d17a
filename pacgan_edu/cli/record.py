"""``python -m pacgan_edu record``: record a live-panel run once, to replay it in seconds.

Trains m = 1 beside m = 2 (or any packing degrees) on one seed through the one training loop
and writes every ``--every`` steps' frame to a small ``.npz`` (:mod:`pacgan_edu.recordings`);
``pacgan_edu.widgets.replay_panel(PATH)`` plays it.
"""
from __future__ import annotations

import shlex

from ..data.mixtures import MIXTURES
from ..losses import loss_names
from ..presets import PAIR_SEED, PRESETS, preset
from ..recordings import TARGET_FRAMES, default_every, record_run
from ..tasks.stacked_mnist import SETTINGS, SIZES

MAX_VIEWS = 4  # one view per GAN in the figure; more do not fit on a slide
IMAGE_DATASETS = [f"stacked-mnist-{setting}" for setting in SETTINGS]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("record", help="record a 2D run's frames for the replay panel (data/recordings/)",
                              description="Train the packing degrees on one seed (one vectorized ensemble) and "
                                          "save each frame of the live panel (points, D's heatmap, G's arrows, "
                                          "metrics, losses) every --every steps to an .npz that "
                                          "pacgan_edu.widgets.replay_panel(PATH) plays.")
    p.add_argument("--dataset", choices=sorted(MIXTURES) + IMAGE_DATASETS, default="grid",
                   help="a 2D mixture, or stacked-mnist-veegan for the image duel (sample grids + modes)")
    p.add_argument("--pack", nargs="+", type=int, default=[1, 2],
                   help="packing degrees m, one view each (default: 1 2)")
    p.add_argument("--seed", type=int, default=PAIR_SEED, help=f"default: the panels' seed ({PAIR_SEED})")
    p.add_argument("--every", type=int, default=None,
                   help=f"steps between frames (default: about {TARGET_FRAMES} frames for the run)")
    p.add_argument("--steps", type=int, default=None, help="override the preset's number of steps")
    p.add_argument("--preset", choices=sorted(set(PRESETS) | set(SIZES)), default=None,
                   help="2D: a preset (default pair); Stacked MNIST: a size, paper / lecture / quick (default lecture)")
    p.add_argument("--loss", choices=loss_names(), default=None, help="default: the preset's")
    p.add_argument("--device", default="auto", help="auto (CUDA, MPS, CPU), cpu, cuda, mps")
    p.add_argument("--out", metavar="PATH", required=True, help="the .npz to write (e.g. data/recordings/NAME.npz)")
    p.add_argument("--progress", action="store_true", help="print a line per frame")
    p.set_defaults(run=run)


def command_line(args, every: int) -> str:
    """The full command that makes this recording again (every setting spelled out)."""
    argv = ["record", "--dataset", args.dataset, "--pack", *map(str, args.pack), "--seed", str(args.seed),
            "--every", str(every), "--preset", args.preset]
    if args.steps is not None:
        argv += ["--steps", str(args.steps)]
    if args.loss is not None:
        argv += ["--loss", args.loss]
    argv += ["--device", args.device, "--out", args.out]
    return "python -m pacgan_edu " + shlex.join(argv)


def run(args, parser) -> int:
    if any(m < 1 for m in args.pack):
        parser.error(f"--pack: packing degrees must be >= 1, got {args.pack}")
    if len(set(args.pack)) != len(args.pack) or len(args.pack) > MAX_VIEWS:
        parser.error(f"--pack: give 1 to {MAX_VIEWS} distinct packing degrees, got {args.pack}")
    for name in ("every", "steps"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name} must be >= 1, got {value}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    overrides = {}
    if args.steps is not None:
        overrides["steps"] = args.steps
    if args.loss is not None:
        overrides["loss"] = args.loss
    if args.dataset in IMAGE_DATASETS:
        return record_images(args, parser, overrides)
    args.preset = args.preset or "pair"
    if args.preset not in PRESETS:
        parser.error(f"--preset for a 2D mixture must be one of {', '.join(sorted(PRESETS))}, got {args.preset!r}")
    config = preset(args.preset, dataset=args.dataset, **overrides)  # ValueError (unknown loss) -> usage error in __main__
    every = args.every if args.every is not None else default_every(config.steps)

    def report(step, rows):
        parts = [f"m={r['pack']}: {r['modes_captured']} modes, {100 * r['high_quality_fraction']:.0f}% HQ"
                 for r in rows]
        print(f"step {step}/{config.steps}: " + "; ".join(parts), flush=True)

    recording = record_run(config, packs=args.pack, seed=args.seed, every=every, device=args.device,
                           preset_name=args.preset, command=command_line(args, every),
                           on_frame=report if args.progress else None)
    path = recording.save(args.out)
    size = path.stat().st_size
    made = recording.provenance
    if made["stopped_reason"]:
        print(f"warning: training stopped early ({made['stopped_reason']}) at step {made['steps_done']}")
    print(f"wrote {path} ({size / 1e6:.2f} MB, {size:,} bytes): {recording.frames} frames of "
          f"{len(recording.members)} GANs to step {made['steps_done']}, every {every} steps, "
          f"{made['wall_seconds']:.0f} s on {made['device']}")
    return 0


def record_images(args, parser, overrides) -> int:
    """The Stacked MNIST duel: sample grids every --every steps (default: 20 frames) and the run's evaluations."""
    from ..image_recordings import record_image_run
    from ..tasks.stacked_mnist import stacked_mnist_preset

    args.preset = args.preset or "lecture"
    if args.preset not in SIZES:
        parser.error(f"--preset for Stacked MNIST must be one of {', '.join(SIZES)}, got {args.preset!r}")
    config = stacked_mnist_preset(args.dataset.removeprefix("stacked-mnist-"), args.preset, **overrides)
    every = args.every if args.every is not None else default_every(config.steps, frames=20)

    def report(step, trainer):
        parts = [f"m={r['pack']}: {r['modes_captured']} modes (at step {r['step']})"
                 for r in (trainer.results() if trainer.history else [])]
        print(f"step {step}/{config.steps}: " + "; ".join(parts), flush=True)

    recording = record_image_run(config, packs=args.pack, seed=args.seed, every=every, device=args.device,
                                 command=command_line(args, every), on_frame=report if args.progress else None)
    path = recording.save(args.out)
    made = recording.provenance
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB): {recording.frames} frames of {len(recording.members)} "
          f"GANs to step {made['steps_done']}, every {every} steps, {made['wall_seconds']:.0f} s on {made['device']}\n"
          f"{recording.summary(-1)}")
    return 0
