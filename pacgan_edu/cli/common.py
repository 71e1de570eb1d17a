"""Options every sweep command shares (``toy``, ``stacked-mnist``), declared and checked once."""
from __future__ import annotations

from ..losses import loss_names
from ..remedies import REMEDIES, parse_option


def add_sweep_arguments(p, *, seeds: int, presets, preset: str, preset_help: str | None = None) -> None:
    """Packing degrees × seeds, the preset, loss, device and the output files."""
    p.add_argument("--pack", nargs="+", type=int, default=[1, 2, 3, 4], help="packing degrees m (>= 1)")
    p.add_argument("--seeds", type=int, default=seeds, help="number of seeds (first-seed .. first-seed + N - 1)")
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--preset", choices=sorted(presets), default=preset, help=preset_help)
    p.add_argument("--loss", choices=loss_names(), default=None, help="default: the preset's (ns, as in the paper)")
    p.add_argument("--device", default="auto", help="auto (CUDA, MPS, CPU), cpu, cuda, mps")
    p.add_argument("--json", metavar="PATH", help="write every per-seed result and the settings here")
    p.add_argument("--checkpoint", metavar="PATH", help="save the trained ensemble here")
    p.add_argument("--progress", action="store_true", help="show a progress bar")


def validate_sweep(args, parser, positive=("seeds",)) -> None:
    """Usage errors (exit code 2) for values argparse's types cannot rule out."""
    if any(m < 1 for m in args.pack):
        parser.error(f"--pack: packing degrees must be >= 1, got {args.pack}")
    if args.first_seed < 0:
        parser.error(f"--first-seed must be >= 0, got {args.first_seed}")
    for name in positive:
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1, got {value}")


def add_remedy_arguments(p) -> None:
    p.add_argument("--remedy", nargs="+", choices=list(REMEDIES), default=["none"], metavar="NAME",
                   help=f"train with each of these remedies (pacgan_edu.remedies): {', '.join(REMEDIES)}")
    p.add_argument("--remedy-option", action="append", default=[], metavar="NAME=VALUE",
                   help="an option of the (single) remedy, e.g. steps=10 for unrolled; repeatable")


def remedy_options(args, parser) -> dict:
    """``--remedy-option`` values as a dict (the remedy converts and checks them)."""
    if not args.remedy_option:
        return {}
    if len(args.remedy) != 1:
        parser.error("--remedy-option needs exactly one --remedy (which remedy would it configure?)")
    try:
        return dict(parse_option(text) for text in args.remedy_option)
    except ValueError as error:
        parser.error(f"--remedy-option: {error}")


def write_sample_grids(trainer, folder: str, prefix: str, most: int) -> None:
    """A PNG of (up to ``most``, a square number of) samples per member, from its fixed noise."""
    import math
    import os

    from ..plots.images import save_sample_grid  # matplotlib: only when asked
    side = math.isqrt(min(most, trainer.config.eval_samples))
    samples = trainer.generate(trainer.eval_noise[:, :side * side]).cpu()
    for i, member in enumerate(trainer.members):
        save_sample_grid(os.path.join(folder, f"{prefix}_m{member.pack}_seed{member.seed}.png"), samples[i], side, side)
    print(f"wrote {len(trainer.members)} sample grid(s) to {folder}")

