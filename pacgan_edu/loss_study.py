"""The experiments of notebook 04: sample weights on a trained GAN's batch, per-mode sample
frequencies over time, and the loss comparison (every loss × packing degree × seed).

Everything trains through :class:`~pacgan_edu.train.GANTrainer`; the comparison runs one
vectorized ensemble (packs × seeds) per (loss, dataset). Sample weights follow Eide, Solberg,
Kåsen, "Sample weighting as an explanation for mode collapse" (arXiv 2010.02035); see
:mod:`pacgan_edu.losses`.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch

from .losses import generator_sample_weights, get_loss
from .metrics import mode_counts, null_baselines
from .packing import pack_members
from .presets import preset
from .sweep import DEFAULT_METRICS, paired_differences, summarize
from .train import GANTrainer

__all__ = ["BatchWeights", "LossComparison", "ModeFrequencies", "WeightTrace", "batch_weights", "compare_losses",
           "generated_verdicts"]


def _check_member(trainer, member: int) -> int:
    if isinstance(member, bool) or not isinstance(member, int) or not 0 <= member < len(trainer.members):
        raise ValueError(f"member must be an index 0..{len(trainer.members) - 1} of {trainer.members}, got {member!r}")
    return member


@torch.no_grad()
def generated_verdicts(trainer, n: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Generated samples of every member and D's output on them: ``(samples (K, n, ...), logits (K, n))``.

    Samples come from the members' fixed evaluation noise (reproducible). With packing, D
    judges packs of m consecutive samples, so every sample carries its pack's output.
    ``n`` defaults to one training batch of the largest packing degree and is rounded down
    to a multiple of every member's m.
    """
    packs = [m.pack for m in trainer.members]
    lcm = math.lcm(*packs)
    if n is None:
        n = trainer.config.batch_size * max(packs)
    n = min(int(n), trainer.eval_noise.shape[1]) // lcm * lcm
    if n < 1:
        raise ValueError(f"n must allow at least one pack of m = {lcm} samples (at most {trainer.eval_noise.shape[1]})")
    samples = trainer.generate(trainer.eval_noise[:, :n])
    logits = torch.empty(samples.shape[:2], device=samples.device)
    for group in trainer.groups:
        member_samples = samples[group.members]
        packs = [group.pad(pack_members(member_samples[members], m)) for m, members in group.runs]
        if len(packs) > 1:  # one model for several m: a smaller m has more packs; pad every run to n (ignored)
            packs = [torch.nn.functional.pad(p, (0, 0, 0, n - p.shape[1])) for p in packs]
        scores = group.discriminator(torch.cat(packs))                                     # (K_g, packs)
        for k, member in enumerate(group.members):
            m = group.pack_of(k)
            logits[member] = scores[k, : n // m].repeat_interleave(m)
    return samples.cpu(), logits.cpu()


@dataclass
class BatchWeights:
    """One member's generated batch, D's verdicts and every loss's weight per sample."""

    samples: torch.Tensor          # (n, 2)
    logits: torch.Tensor           # (n,) D's raw output per sample (its pack's)
    verdicts: torch.Tensor         # (n,) D(G(z)): σ(l) for a logit, l itself for LSGAN, the score for critics
    weights: dict                  # loss name -> (n,) wᵢ = ∂(Σ L_G)/∂lᵢ
    member: object
    step: int
    mixture: object = field(repr=False, default=None)


def batch_weights(trainer, member: int = 0, losses=None, n: int | None = None) -> BatchWeights:
    """The weight every loss in ``losses`` would give each of ``member``'s generated samples.

    The weights read D's output through a loss's formula, so only losses that read it the same
    way as the trained loss can be compared (``output`` kind: logit, probability or critic;
    e.g. MM, NS and MM-nsat all read a logit). Default: every registered loss of that kind.
    """
    from .losses import LOSSES  # the registry as it is now (losses may be registered later)

    _check_member(trainer, member)
    kind = trainer.loss.output
    names = [name for name, loss in LOSSES.items() if loss.output == kind] if losses is None else list(losses)
    for name in names:
        if get_loss(name).output != kind:
            raise ValueError(f"loss {name!r} reads D's output as a {get_loss(name).output}, but this trainer's D was "
                             f"trained with {trainer.loss.name!r} ({kind}); compare losses of the same kind: "
                             f"{', '.join(n for n, l in LOSSES.items() if l.output == kind)}")
    samples, logits = generated_verdicts(trainer, n)
    l = logits[member]
    verdicts = trainer.loss.verdict(l)
    weights = {name: generator_sample_weights(name, l) for name in names}
    return BatchWeights(samples[member], l, verdicts, weights, trainer.members[member], trainer.step,
                        getattr(trainer.task, "mixture", None))


class WeightTrace:
    """Training callback: the mean weight per generated sample under each loss, per member, over steps.

    Shows MM's saturation: early on D rejects the fakes (D(G(z)) ≈ 0), so MM's weights −D(G(z))
    all but vanish while NS's −(1 − D(G(z))) stay near −1.
    """

    def __init__(self, trainer, losses=("mm", "ns", "mm-nsat"), n: int | None = None):
        self.losses = [get_loss(name).name for name in losses]
        self.n = n
        self.steps: list[int] = []
        self.mean_verdict: list[torch.Tensor] = []          # (K,) per recorded step
        self.mean_weight: dict[str, list[torch.Tensor]] = {name: [] for name in self.losses}
        self.members = list(trainer.members)
        self.record(trainer)

    def record(self, trainer) -> None:
        _, logits = generated_verdicts(trainer, self.n)
        self.steps.append(trainer.step)
        self.mean_verdict.append(trainer.loss.verdict(logits).mean(-1))
        for name in self.losses:
            self.mean_weight[name].append(generator_sample_weights(name, logits).mean(-1))

    def __call__(self, snapshot) -> None:
        if not self.steps or snapshot.step != self.steps[-1]:
            self.record(snapshot.trainer)


class ModeFrequencies:
    """Training callback: how each member's samples spread over the modes, over training.

    Records the high-quality samples per mode (``metrics.mode_counts``) of the fixed evaluation
    noise (``config.eval_samples`` per member) at every call. :attr:`frequencies` is the share of
    *all* samples per mode; :attr:`shares` the share of the *high-quality* samples per mode (the
    distribution the reverse KL scores; 0 where there are none). A dropped mode goes to 0.
    """

    def __init__(self, trainer):
        mixture = getattr(trainer.task, "mixture", None)
        if mixture is None:
            raise ValueError(f"per-mode frequencies need a 2D mixture dataset (ring, grid), not {trainer.config.dataset!r}")
        self.mixture = mixture
        self.members = list(trainer.members)
        self.steps: list[int] = []
        self._counts: list[torch.Tensor] = []
        self.samples = trainer.config.eval_samples
        self.record(trainer)

    def record(self, trainer) -> None:
        self.steps.append(trainer.step)
        self._counts.append(mode_counts(trainer.generate(), self.mixture).cpu())

    def __call__(self, snapshot) -> None:
        if snapshot.step != self.steps[-1]:
            self.record(snapshot.trainer)

    @property
    def counts(self) -> torch.Tensor:
        """High-quality samples per mode, (T, K, modes)."""
        return torch.stack(self._counts)

    @property
    def frequencies(self) -> torch.Tensor:
        """Share of all samples on each mode, (T, K, modes)."""
        return self.counts / self.samples

    @property
    def shares(self) -> torch.Tensor:
        """Share of the high-quality samples on each mode, (T, K, modes); rows sum to 1 (or 0)."""
        counts = self.counts
        return counts / counts.sum(-1, keepdim=True).clamp_min(1)


@dataclass
class LossComparison:
    """Results of :func:`compare_losses`. Rows carry a ``loss`` key beside dataset, pack, seed."""

    runs: list[dict]                       # final metrics, one row per (loss, dataset, pack, seed)
    history: list[dict]                    # metrics over steps
    frequencies: dict                      # (loss, dataset) -> ModeFrequencies
    wall_seconds: dict                     # (loss, dataset) -> seconds for that ensemble
    stopped: dict                          # (loss, dataset) -> None or "diverged" / "stopped" / ...
    configs: dict                          # (loss, dataset) -> TrainConfig
    seeds: list[int]
    packs: list[int]

    def summary(self, metrics=DEFAULT_METRICS) -> list[dict]:
        """Mean ± s.e. over seeds per (loss, dataset, pack)."""
        return summarize(self.runs, metrics, by=("loss", "dataset", "pack"))

    def packing_effects(self, metric: str = "modes_captured", pack: int = 2) -> list[dict]:
        """Per (dataset, loss): ``metric`` at m = ``pack`` minus at m = 1, seed by seed (the two
        runs of a seed share G's initial weights), as mean ± s.e. over the seeds.

        ``verdict``: "clear" if |difference| > 2 s.e. with at least 3 seeds, "within noise"
        otherwise, "too few seeds" below 3 (two seeds cannot estimate a spread honestly).
        """
        effects = {(e["loss"], e["dataset"]): e for e in paired_differences(self.runs, metric, by=("loss", "dataset"))
                   if e["pack"] == pack}
        return [{"loss": loss, "dataset": dataset, "metric": metric, "pack": pack, "difference": e["mean"],
                 "se": e["se"], "seeds": e["n"], "verdict": e["verdict"]}
                for loss, dataset in self.configs if (e := effects.get((loss, dataset)))]

    def table(self) -> str:
        """The summary as text: one line per (dataset, loss, m), with the seed count, then per
        dataset the null baselines on as many samples (a uniform cloud over the data's extent and
        real samples, mean ± s.e. over draws): a row is evidence only where it beats the cloud."""
        def line(dataset, label, m, entry, count):
            modes, hq, rkl = entry["modes_captured"], entry["high_quality_fraction"], entry["reverse_kl"]
            return (f"{dataset:8} {label:8} {m:>2}  {modes['mean']:5.1f} ± {modes['se']:3.1f}  "
                    f"{100 * hq['mean']:5.1f} ± {100 * hq['se']:3.1f}  {rkl['mean']:5.2f} ± {rkl['se']:4.2f}  {count}")

        lines = [f"{'dataset':8} {'loss':8} {'m':>2}  {'modes':>11}  {'HQ %':>11}  {'reverse KL':>11}  seeds"]
        order = {loss: i for i, (loss, _) in enumerate(self.configs)}
        summary = sorted(self.summary(), key=lambda s: (s["dataset"], order[s["loss"]], s["pack"]))
        for dataset in sorted({s["dataset"] for s in summary}):
            lines += [line(dataset, s["loss"], s["pack"], s, s["seeds"]) for s in summary if s["dataset"] == dataset]
            samples = next(cfg.eval_samples for (_, d), cfg in self.configs.items() if d == dataset)
            baselines = null_baselines(dataset, n=samples)
            lines.append(line(dataset, "uniform", "-", baselines["uniform"], "(baseline: a cloud over the extent)"))
            lines.append(line(dataset, "real", "-", baselines["real"], "(baseline: real samples)"))
        return "\n".join(lines)


def compare_losses(losses, datasets=("ring", "grid"), packs=(1, 2), seeds=(0, 1, 2), config=None,
                   device="auto", record_every: int | None = None, progress: bool | None = None) -> LossComparison:
    """Train every loss on every dataset, packs × seeds as one vectorized ensemble per (loss, dataset).

    ``config``: the settings (default ``preset("lecture")``); its ``loss`` and ``dataset`` are
    replaced. Each loss uses its own recommended critic steps and optimiser kind (see
    :meth:`pacgan_edu.losses.GANLoss.optimizer_settings`). Per-mode frequencies are recorded
    every ``record_every`` steps (default: ``config.eval_every``).
    """
    config = preset("lecture") if config is None else config
    losses = [get_loss(name).name for name in losses]
    if not losses or not datasets:
        raise ValueError("compare_losses needs at least one loss and one dataset")
    runs, history, frequencies, wall, stopped, configs = [], [], {}, {}, {}, {}
    for loss in losses:
        for dataset in datasets:
            cfg = config.replace(loss=loss, dataset=dataset)
            start = time.perf_counter()
            trainer = GANTrainer(cfg, packs=packs, seeds=seeds, device=device)
            recorder = ModeFrequencies(trainer)
            trainer.run(callback=recorder, callback_every=record_every or cfg.eval_every, progress=progress)
            key = (loss, dataset)
            wall[key] = time.perf_counter() - start
            frequencies[key], stopped[key], configs[key] = recorder, trainer.stopped_reason, cfg
            runs += [{"loss": loss, **row} for row in trainer.results()]
            history += [{"loss": loss, **row} for row in trainer.history]
    return LossComparison(runs, history, frequencies, wall, stopped, configs, list(seeds), sorted(set(packs)))
