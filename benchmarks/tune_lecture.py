"""The search behind the lecture preset (README "How we chose the lecture preset").

Each variant overrides fields of the lecture preset (and optionally the toy architecture),
trains packs x seeds as one ensemble and prints, at five checkpoints, each member's modes
captured and high-quality %, the median distance of a sample to its nearest mode (in σ) and
D's loss, then mean ± s.e. per packing degree at the end. Example:

    python benchmarks/tune_lecture.py --dataset grid --seeds 2 --packs 1 2 \\
        --variant "batch_size=400,steps=7000" --variant "arch.generator_hidden=64"

Keys: any TrainConfig field; ``arch.FIELD`` changes the lecture architecture; probes that
are not library options: ``d_input_scale`` (D sees its input times this), ``g_output_scale``
(G's output times this), ``ema`` (also evaluate exponential moving averages of G's weights: one decay or a tuple of
them, each reported beside the raw weights),
``g_layer_norm`` (LayerNorm instead of G's BatchNorm, if it has one) and
``r1`` (add the R1 penalty γ/2 · E‖∇ₓD(x)‖² on real packs to D's loss, with γ = this;
Mescheder, Geiger, Nowozin 2018, "Which training methods for GANs do actually converge?").
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import re
import time

import torch

from pacgan_edu import GANTrainer, preset
from pacgan_edu.models import layers, toy
from pacgan_edu.sweep import summarize

PROBES = ("d_input_scale", "g_output_scale", "ema", "r1", "g_layer_norm")


def parse_variant(text: str) -> dict:
    out = {}
    # split on commas outside brackets, so tuples such as betas=(0.8,0.999) stay whole
    for item in filter(None, re.split(r",(?![^()\[\]]*[)\]])", text)):
        key, value = item.split("=", 1)
        try:
            out[key.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            out[key.strip()] = value.strip()
    return out


@contextlib.contextmanager
def scaled_networks(d_input_scale: float, g_output_scale: float):
    """Temporarily multiply D's input / G's output by a constant (equivalent to a first / last
    layer that starts larger and learns proportionally faster under Adam)."""
    d_forward, g_forward = toy.ToyDiscriminator.forward, toy.ToyGenerator.forward
    toy.ToyDiscriminator.forward = lambda self, x, *rest, **named: d_forward(self, x * d_input_scale, *rest, **named)
    toy.ToyGenerator.forward = lambda self, z, *rest, **named: g_forward(self, z, *rest, **named) * g_output_scale
    try:
        yield
    finally:
        toy.ToyDiscriminator.forward, toy.ToyGenerator.forward = d_forward, g_forward


@contextlib.contextmanager
def layer_norm_in_generator(enabled: bool):
    """Temporarily normalise each sample over its features (LayerNorm) where G has BatchNorm,
    so that G's output no longer depends on the other samples of its batch."""
    batch_norm = layers.MemberBatchNorm.forward
    if enabled:
        layers.MemberBatchNorm.forward = lambda self, x: (
            torch.nn.functional.layer_norm(x, (x.shape[-1],), eps=self.eps) * self.weight + self.bias)
    try:
        yield
    finally:
        layers.MemberBatchNorm.forward = batch_norm


def add_r1_penalty(trainer: GANTrainer, gamma: float) -> None:
    """D's loss gains γ/2 · mean over real packs of ‖∇ₓD(x)‖² (per member, like every D loss)."""
    def r1(discriminator, real_packs, fake_packs, generators):
        x = real_packs.detach().requires_grad_(True)
        with torch.enable_grad():
            (grad,) = torch.autograd.grad(discriminator(x).sum(), x, create_graph=True)
        return 0.5 * gamma * grad.pow(2).sum(-1).mean(-1)
    trainer.loss = copy.copy(trainer.loss)
    trainer.loss.penalty = r1


class AveragedGenerator:
    """Keeps an exponential moving average of G's weights, updated after every step."""

    def __init__(self, trainer: GANTrainer, decay: float):
        self.parameters, self.decay = trainer.generator_parameters, decay
        self.average = [p.detach().clone() for p in self.parameters]
        step = trainer._train_step

        def step_and_average():
            ok = step()
            with torch.no_grad():
                for a, p in zip(self.average, self.parameters):
                    a.lerp_(p, 1 - decay)
            return ok
        trainer._train_step = step_and_average

    @contextlib.contextmanager
    def swapped_in(self):
        def swap():
            with torch.no_grad():
                for a, p in zip(self.average, self.parameters):
                    current = p.detach().clone()
                    p.copy_(a)
                    a.copy_(current)
        swap()
        try:
            yield
        finally:
            swap()


def report(trainer: GANTrainer, packs, started: float) -> None:
    mixture = trainer.task.mixture
    samples = trainer.generate()
    distance = torch.cdist(samples, mixture.means.unsqueeze(0).expand(len(samples), -1, -1)).min(-1).values / mixture.std
    results = trainer.evaluate()  # rows in member order
    for pack in packs:
        idx = [i for i, m in enumerate(trainer.members) if m.pack == pack]
        modes = [int(results[i]["modes_captured"]) for i in idx]
        hq = [round(100 * float(results[i]["high_quality_fraction"])) for i in idx]
        rkl = [round(float(results[i]["reverse_kl"]), 2) for i in idx]
        print(f"  step {trainer.step:6d} m={pack} modes {modes} HQ % {hq} rKL {rkl} median dist/σ "
              f"{distance[idx].median():.1f} D loss {trainer.last_d_loss[idx].mean():.2f} "
              f"[{time.perf_counter() - started:.0f} s]", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", default="grid")
    parser.add_argument("--packs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0,
                        help="seeds FIRST..FIRST+N-1 (two halves of a sweep side by side, one thread each)")
    parser.add_argument("--variant", action="append", default=None,
                        help="comma-separated overrides (see the module docstring)")
    args = parser.parse_args()
    base_arch = toy.TOY_ARCHITECTURES["lecture"]
    for text in args.variant or [""]:
        overrides = parse_variant(text)
        probes = {k: overrides.pop(k) for k in PROBES if k in overrides}
        arch_changes = {k[5:]: v for k, v in overrides.items() if k.startswith("arch.")}
        config_changes = {k: v for k, v in overrides.items() if not k.startswith("arch.")}
        toy.TOY_ARCHITECTURES["tuning"] = toy.ToyArchitecture(**{**base_arch.as_dict(), **arch_changes})
        config = preset("lecture", dataset=args.dataset, architecture="tuning", **config_changes)
        print(f"\n=== {args.dataset} variant: {text or '(lecture preset)'}, {args.seeds} seeds", flush=True)
        start = time.perf_counter()
        with scaled_networks(probes.get("d_input_scale", 1.0), probes.get("g_output_scale", 1.0)), \
                layer_norm_in_generator(bool(probes.get("g_layer_norm"))):
            trainer = GANTrainer(config, packs=args.packs, seeds=range(args.first_seed, args.first_seed + args.seeds),
                                 device="cpu")
            if probes.get("r1"):
                add_r1_penalty(trainer, probes["r1"])
            decays = probes.get("ema") or ()
            decays = decays if isinstance(decays, tuple) else (decays,)
            averages = {"raw weights": None} | {f"EMA {d}": AveragedGenerator(trainer, d) for d in decays}
            every = max(config.steps // 5, 1)
            final = {}
            while trainer.step < config.steps:
                trainer.run(min(every, config.steps - trainer.step), progress=False)
                for name, averaged in averages.items():
                    with averaged.swapped_in() if averaged else contextlib.nullcontext():
                        if len(averages) > 1:
                            print(f"  [{name}]", flush=True)
                        report(trainer, args.packs, start)
                        final[name] = trainer.evaluate()
        for name, results in final.items():
            for s in summarize(results):
                print(f"mean over {args.seeds} seeds, m={s['pack']}{f' ({name})' if len(final) > 1 else ''}: "
                      f"modes {s['modes_captured']['mean']:5.1f}±{s['modes_captured']['se']:.1f}"
                      f"  HQ {100 * s['high_quality_fraction']['mean']:5.1f}±{100 * s['high_quality_fraction']['se']:.1f}%"
                      f"  rKL {s['reverse_kl']['mean']:.2f}±{s['reverse_kl']['se']:.2f}")


if __name__ == "__main__":
    main()
