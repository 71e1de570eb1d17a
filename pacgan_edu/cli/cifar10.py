"""``python -m pacgan_edu cifar10``: DCGAN vs PacDCGAN-m on CIFAR-10 (or its offline stand-in).

Trains every packing degree and seed, scores them with the library's classifier (classes
covered, KL to uniform, JS to the real histogram, precision / recall / density / coverage) and
optionally FID, and prints mean ± s.e. over seeds beside the published anchor.
"""
from __future__ import annotations

import shlex
import sys
import time

from ..report import environment, write_json
from ..sweep import summarize
from ..tasks.cifar10_table import PUBLISHED, cifar10_table
from .common import add_remedy_arguments, add_sweep_arguments, remedy_options, validate_sweep, write_sample_grids


def add_parser(subparsers) -> None:
    from ..tasks.cifar10 import SIZES
    p = subparsers.add_parser("cifar10", help="CIFAR-10 (or its offline stand-in): DCGAN vs PacDCGAN-m",
                              description=__doc__.split("\n\n")[1].replace("\n", " "))
    p.add_argument("--data", choices=["stand-in", "cifar10"], default="stand-in",
                   help="stand-in: the procedural offline dataset (default); cifar10: the real images "
                        "(downloaded with checksums when online)")
    add_sweep_arguments(p, seeds=2, presets=SIZES, preset="lecture",
                        preset_help="paper: w = 64, 100k steps (a GPU job); lecture: w = 16, 2,000 steps; quick: tests")
    p.set_defaults(pack=[1, 2, 4])
    p.add_argument("--steps", type=int, default=None, help="training steps; default: the preset's")
    p.add_argument("--eval-samples", type=int, default=None, help="samples scored per evaluation")
    p.add_argument("--grids", metavar="FOLDER", help="write a PNG of 8 x 8 samples per run here")
    p.add_argument("--fid", action="store_true",
                   help="also compute FID (needs the Inception weights file named by PACGAN_EDU_FID_WEIGHTS)")
    p.add_argument("--weak-discriminator", action="store_true",
                   help="D at a quarter of G's width: the collapse-prone setting (as PacGAN's Table 3 on Stacked MNIST)")
    p.add_argument("--no-generator-batch-norm", dest="generator_batch_norm", action="store_false",
                   help="G without its BatchNorm layers (Arjovsky et al. 2017): the collapse-prone setting where, on the "
                        "stand-in, the lone GAN falls to one or two classes and packing spreads it")
    p.add_argument("--long-tail", action="store_true",
                   help="train on a long-tailed subset (class k keeps 10^(-k/9) of its images, CIFAR-10-LT's 10:1): "
                        "the rare classes are what a mode-dropping GAN loses first")
    add_remedy_arguments(p)
    p.set_defaults(run=run)


def run(args, parser) -> int:
    from ..tasks.cifar10 import METRICS, cifar10_preset
    from ..tasks.cifar10_metrics import FidWeightsMissing, fid, fid_weights_path
    from ..train import GANTrainer
    validate_sweep(args, parser, positive=("seeds", "steps", "eval_samples"))
    if len(args.remedy) != 1:
        parser.error("--remedy: cifar10 trains one remedy per run")
    if args.remedy[0] == "adagan":
        parser.error("--remedy adagan: AdaGAN is implemented for the 2D mixtures only")
    if args.fid:
        try:
            fid_weights_path()      # fail now, with the message naming the file, not after training
        except FidWeightsMissing as error:
            parser.error(f"--fid: {error}")
    overrides = {"remedy": args.remedy[0], "remedy_options": remedy_options(args, parser)}
    if args.loss:
        overrides["loss"] = args.loss
    for field, value in (("steps", args.steps), ("eval_samples", args.eval_samples)):
        if value is not None:
            overrides[field] = value
    if args.steps is not None:
        overrides["eval_every"] = max(args.steps // 4, 1)
    config = cifar10_preset(args.preset, args.data, weak_discriminator=args.weak_discriminator,
                            long_tail=args.long_tail, generator_batch_norm=args.generator_batch_norm, **overrides)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    packs = sorted(set(args.pack))
    start = time.perf_counter()
    trainer = GANTrainer(config, packs=packs, seeds=seeds, device=args.device)
    label = trainer.task.label
    print(f"training {len(trainer.members)} GAN(s) on the {label} ({trainer.task.data.source})")
    trainer.run(progress=args.progress)
    wall = round(time.perf_counter() - start, 1)
    runs = trainer.results()
    if args.fid:
        real = trainer.task.real(config.eval_samples, _generator(trainer.device))
        samples = trainer.generate()
        for row, member_samples in zip(runs, samples):
            row["fid"] = fid(real, member_samples)
    for row in runs:
        row["stopped_reason"] = trainer.stopped_reason
        row["data"] = label
    baselines = trainer.task.baseline_scores(config.eval_samples, trainer.device)
    metrics = METRICS + (("fid",) if args.fid else ())
    summary = summarize(runs, metrics=metrics)
    variant = (", D at ¼ width" if args.weak_discriminator else "") + ("" if args.generator_batch_norm else ", G without BatchNorm")
    print("\n" + cifar10_table(runs, label, f"preset {args.preset}{variant}, {trainer.step} steps, {len(seeds)} seed(s), "
                                           f"{config.eval_samples:,} samples scored, {wall:.0f} s on {trainer.device}",
                                           baselines))
    classifier = trainer.task.classifier(trainer.device).metadata
    print(f"scored by a classifier trained on the {classifier['data']} (test accuracy {100 * classifier['test_accuracy']:.1f} %)")
    if args.grids:
        write_sample_grids(trainer, args.grids, f"cifar10_{args.data}", 64)
    if args.checkpoint:
        trainer.save(args.checkpoint)
    if args.json:
        command_line = "python -m pacgan_edu " + shlex.join(getattr(args, "argv", None) or sys.argv[1:])
        settings = result_settings(trainer.task, config, args.preset, packs, seeds, trainer.device, baselines,
                                   trainer.step, wall, command="cifar10", command_line=command_line)
        write_json(args.json, settings, runs, summary, extra={"history": trainer.history})
        print(f"wrote {args.json}")
    return 0


def result_settings(task, config, preset: str, packs, seeds, device, baselines, steps_done: int, wall,
                    **provenance) -> dict:
    """The ``settings`` of a CIFAR-10 result JSON (the CLI's, and runs merged by
    ``benchmarks/merge_cifar10_search.py``): what ran, on which data, judged by which classifier,
    beside which baselines; ``provenance``: the command line(s), the machine."""
    from ..tasks.cifar10 import balanced_dataset
    return {**provenance, "data": task.label, "data_source": task.data.source, "preset": preset,
            "weak_discriminator": "-quarter-d" in config.architecture,
            "generator_batch_norm": task.architecture.generator_batch_norm,
            "long_tail": balanced_dataset(config.dataset) != config.dataset,
            "class_shares_real": task.real_class_shares().tolist(), "packs": list(packs), "seeds": list(seeds),
            "device": str(device), "config": config.as_dict(), "architecture": task.architecture.as_dict(),
            "classifier": task.classifier(device).metadata, "baselines": baselines, "wall_seconds": wall,
            "steps_done": steps_done, "published_anchor": PUBLISHED, "environment": environment()}


def _generator(device):
    import torch
    return torch.Generator(device=device).manual_seed(12345)
