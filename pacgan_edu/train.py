"""The one training loop. Notebooks, widgets, the CLI and the tests all come through here.

A :class:`GANTrainer` trains an *ensemble*: K independent GANs (any mix of packing degrees
``m`` and seeds) as one batched model in one process. Members with the same ``m`` share
batched layers (``models.layers``); each member has its own random streams; per-member losses
are *summed*, never averaged, and Adam is element-wise, so member k is exactly the lone run
with the same (m, seed). ``tests/test_train.py`` checks this.

Updates:
- ``"simultaneous"`` (the PacGAN authors' code): D's and G's gradients come from the same
  batch and both take one step.
- ``"alternating"``: ``critic_steps`` D steps, then ``generator_steps`` G steps on fresh noise.
  Losses that recommend several critic steps (e.g. WGAN-GP) always alternate.

Nothing is lost: a non-finite loss or gradient stops training *before* the bad update (the
parameters are the last good ones); Ctrl-C / a Stop request is honoured between steps, never
half-way through an update; :meth:`GANTrainer.save` writes atomically.
"""
from __future__ import annotations

import contextlib
import math
import signal
import threading
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .device import matmul_precision, resolve_device, training_precision
from .files import atomic_torch_save, safe_torch_load
from .losses import get_loss
from .packing import pack_members
from .presets import TrainConfig
from .remedies import StepData, make_remedy
from .settings import quick_mode
from .tasks import make_task

PREVIEW_SAMPLES = 500


@dataclass(frozen=True)
class Member:
    """One independent GAN of an ensemble."""

    pack: int
    seed: int


@dataclass
class TrainingSnapshot:
    """What a callback sees every ``callback_every`` steps (all tensors on the CPU)."""

    step: int
    d_loss: torch.Tensor          # (K,) this step's D loss per member
    g_loss: torch.Tensor          # (K,)
    samples: torch.Tensor         # (K, 500, ...) generated from fixed noise (stable frames)
    trainer: "GANTrainer" = field(repr=False)


class TrainingDiverged(RuntimeError):
    """Raised by :meth:`GANTrainer.run` with ``raise_on_nan=True``; the model keeps its last good state."""


def _derived_seed(seed: int, stream: int) -> int:
    """Independent, reproducible seeds for a member's init / training / evaluation streams."""
    return int(np.random.SeedSequence([int(seed), stream]).generate_state(1, np.uint64)[0] >> 1)


def _torch_generator(seed: int, device: torch.device) -> torch.Generator:
    g = torch.Generator(device=device)
    g.manual_seed(seed)
    return g


class _Group(nn.Module):
    """Members trained as one batched G and one batched D.

    For 2D tasks every member, whatever its packing degree, is in one group ("one model"): the
    members are ordered by m, G runs once per packing degree on its contiguous run of members
    (a view of the batched weights, with that run's B·m samples per member, so BatchNorm
    sees exactly a lone run's batch) and D reads every pack at once, padded with zeros to the
    widest m (exact, see ``models.layers.MemberLinear``). Other tasks (image nets) have one
    group per packing degree.
    """

    def __init__(self, task, packs: list[int], members: list[int], seeds: list[int], device: torch.device,
                 remedy=None):
        super().__init__()
        if list(packs) != sorted(packs):
            raise ValueError("a group's members must be ordered by packing degree")
        self.packs = list(packs)
        self.pack = packs[0] if len(set(packs)) == 1 else None   # None: several packing degrees
        self.members = members
        init = [_torch_generator(s, device) for s in seeds]
        remedy = make_remedy() if remedy is None else remedy       # the remedy builds (or wraps) the task's nets
        self.generator = remedy.make_generator(task, init, device)   # G first, then D: same order as a lone run
        self.discriminator = remedy.make_discriminator(task, init, packs if self.pack is None else self.pack, device)
        self.train_rngs = [_torch_generator(_derived_seed(s, 1), device) for s in seeds]
        # (m, slice of members with that m): G and the data draws run once per packing degree
        self.runs = [(m, slice(packs.index(m), len(packs) - packs[::-1].index(m))) for m in sorted(set(packs))]

    def pack_of(self, index: int) -> int:
        """Packing degree of the group's ``index``-th member."""
        return self.packs[index]

    def generate_run(self, z: torch.Tensor, members: slice) -> torch.Tensor:
        """G on one run of members (the whole group when it has one packing degree, so image
        generators need not take ``members``)."""
        return self.generator(z) if len(self.runs) == 1 else self.generator(z, members)

    def fake(self, noise: list[torch.Tensor]) -> list[torch.Tensor]:
        """Generated samples per run from :meth:`GANTrainer._batch`'s noise."""
        return [self.generate_run(z, members) for z, (_, members) in zip(noise, self.runs)]

    def to_packs(self, samples: list[torch.Tensor]) -> torch.Tensor:
        """Per run (K_run, B·m, ...) samples -> D's input (K_g, B, ...), narrower packs zero-padded."""
        packs = [pack_members(x, m) for x, (m, _) in zip(samples, self.runs)]
        return torch.cat([self.pad(p) for p in packs]) if len(packs) > 1 else packs[0]

    def pad(self, packs: torch.Tensor) -> torch.Tensor:
        """Packs of one member's width (K, B, 2m) padded with zeros to the group's D input width."""
        width = getattr(self.discriminator, "input_width", packs.shape[-1])
        if packs.shape[-1] == width:
            return packs
        return torch.nn.functional.pad(packs, (0, width - packs.shape[-1]))


@contextlib.contextmanager
def _hold_interrupts():
    """Defer Ctrl-C until the block (one training step) is done, so no update is half-applied.

    Yields a list that holds the signal if one arrived; the caller stops after the step.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received  # signals only reach the main thread; widgets stop via request_stop()
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)


class GANTrainer:
    """Train K GANs at once; ``packs`` × ``seeds`` gives the members (or pass ``members``).

    >>> trainer = GANTrainer(preset("quick", dataset="ring"), packs=[1, 2], seeds=[0, 1])
    >>> trainer.run()                           # doctest: +SKIP
    >>> trainer.results()                       # one dict per member: modes, HQ %, reverse KL
    """

    def __init__(self, config: TrainConfig, packs=(1,), seeds=(0,), members=None, device="auto", data=None):
        """``data(member_index, n, rng)``: where member ``member_index``'s real samples come from
        (default: the task's sampler; AdaGAN passes reweighted data)."""
        if not isinstance(config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig (see pacgan_edu.presets.preset), got {type(config).__name__}")
        if config.remedy == "adagan":
            raise ValueError("AdaGAN trains several GANs one after another: use "
                             "pacgan_edu.remedies.adagan.train_adagan(config, packs, seeds)")
        self.config = config
        self.device = resolve_device(device)
        self.matmul_precision = matmul_precision(config.matmul_precision, self.device)  # "float32" | "bfloat16"
        self.loss = get_loss(config.loss)
        self.task = make_task(config)
        self.remedy = make_remedy(config.remedy, dict(config.remedy_options))
        self.data = data
        if members is None:
            members = [Member(_whole(p, "packing degree", 1), _whole(s, "seed", 0))
                       for p in _listed(packs, "packs") for s in _listed(seeds, "seeds")]
        self.members = [m if isinstance(m, Member) else Member(*m) for m in members]
        if not self.members:
            raise ValueError("an ensemble needs at least one member (give packs and seeds)")
        for m in self.members:
            _whole(m.pack, "packing degree", 1)
            _whole(m.seed, "seed", 0)
        self.critic_steps = config.critic_steps or self.loss.critic_steps
        self.simultaneous = config.updates == "simultaneous" and self.critic_steps == 1 and config.generator_steps == 1

        with torch.random.fork_rng(devices=[]):  # building the model never touches global RNG state
            self.groups = nn.ModuleList()
            by_pack = sorted(range(len(self.members)), key=lambda i: self.members[i].pack)
            if getattr(self.task, "one_model_for_all_packs", False):
                parts = [by_pack]
            else:
                parts = [[i for i in by_pack if self.members[i].pack == m] for m in sorted({m.pack for m in self.members})]
            for idx in parts:
                self.groups.append(_Group(self.task, [self.members[i].pack for i in idx], idx,
                                          [self.members[i].seed for i in idx], self.device, self.remedy))
        self.generator_parameters = [p for g in self.groups for p in g.generator.parameters()]
        self.discriminator_parameters = [p for g in self.groups for p in g.discriminator.parameters()]
        self.optimizer_g, self.optimizer_d = self._make_optimizers()

        # fixed evaluation noise per member: evaluations are comparable over time and across runs
        self.eval_noise = torch.stack([
            self._noise(config.eval_samples, _torch_generator(_derived_seed(m.seed, 2), self.device))
            for m in self.members])
        self.step = 0
        self.history: list[dict] = []
        self.last_d_loss = torch.full((len(self.members),), math.nan)
        self.last_g_loss = torch.full((len(self.members),), math.nan)
        self.stopped_reason: str | None = None
        self.diverged_members: list[int] = []
        self._stop = threading.Event()

    # ----------------------------------------------------------------------------- building
    def _make_optimizers(self):
        # the loss picks the optimiser kind and betas, the preset's learning rates set the scale
        # (e.g. WGAN: RMSProp at preset lr × 0.5); see GANLoss.optimizer_settings
        self.optimizer_settings = self.loss.optimizer_settings(self.config)
        return self.loss.make_optimizers(self.generator_parameters, self.discriminator_parameters, self.config)

    def _noise(self, n: int, rng: torch.Generator) -> torch.Tensor:
        shape = (n, self.config.noise_dim)
        if self.config.noise == "uniform":
            return torch.rand(shape, generator=rng, device=self.device) * 2 - 1
        return torch.randn(shape, generator=rng, device=self.device)

    # ----------------------------------------------------------------------------- one step
    def _batch(self, group: _Group, real: bool) -> list[torch.Tensor]:
        """One step's real samples or noise per run of the group, (K_run, B·m, ...) each, every
        member from its own stream."""
        b = self.config.batch_size
        if not real:
            draw = lambda index, n, rng: self._noise(n, rng)          # noqa: E731
        elif self.data is None:
            draw = lambda index, n, rng: self.task.real(n, rng)       # noqa: E731
        else:
            draw = self.data                                          # e.g. AdaGAN's reweighted data
        return [torch.stack([draw(i, b * m, rng) for i, rng in zip(group.members[members], group.train_rngs[members])])
                for m, members in group.runs]

    def _scatter(self, per_group: list[torch.Tensor]) -> torch.Tensor:
        """Per-group (K_g,) values -> one (K,) tensor in member order."""
        out = torch.empty(len(self.members), device=self.device, dtype=torch.float32)
        for group, values in zip(self.groups, per_group):
            out[group.members] = values.detach().float()
        return out

    def _step_data(self, group, real, fake) -> StepData:
        return StepData(group, real, fake, None if real is None else group.to_packs(real), group.to_packs(fake))

    def _discriminate(self, group, packs):
        """D's logits, and its last hidden layer when the remedy reads it."""
        if not self.remedy.uses_features:
            return group.discriminator(packs), None
        features = group.discriminator.features(packs)
        return group.discriminator.head(features), features

    def _discriminator_losses(self, step: StepData):
        group = step.group
        step.real_logits, step.real_features = self._discriminate(group, step.real_packs)
        step.fake_logits, step.fake_features = self._discriminate(group, step.fake_packs)
        loss = self.loss.discriminator_loss(step.real_logits, step.fake_logits)
        penalty = self.loss.penalty(group.discriminator, step.real_packs, step.fake_packs, group.train_rngs)
        extra = self.remedy.discriminator_loss(self, step)
        for term in (penalty, extra):
            if term is not None:
                loss = loss + term
        return loss

    def _generator_losses(self, group) -> torch.Tensor:
        """An alternating G step: fresh noise (and a real batch if the remedy needs one)."""
        real = self._batch(group, real=True) if self.remedy.needs_real_for_generator else None
        step = self._step_data(group, real, group.fake(self._batch(group, real=False)))
        step.fake_logits, step.fake_features = self._discriminate(group, step.fake_packs)
        if real is not None and self.remedy.uses_features:
            step.real_logits, step.real_features = self._discriminate(group, step.real_packs)
        return self.remedy.generator_loss(self, step)

    def _gradients(self, params, losses) -> list[torch.Tensor]:
        grads = torch.autograd.grad(losses, params, retain_graph=True, allow_unused=True)
        return [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads)]

    def _all_finite(self, losses: list[torch.Tensor], grads: list[torch.Tensor]) -> bool:
        check = torch.stack([l.sum() for l in losses] + [g.sum() for g in grads])
        return bool(torch.isfinite(check).all())

    def _step_or_stop(self, params, optimizer, total, grads, per_member, after=None) -> bool:
        if not self._all_finite([total], grads):
            self.diverged_members = [i for i, v in enumerate(per_member.tolist()) if not math.isfinite(v)]
            return False
        for p, g in zip(params, grads):
            p.grad = g
        optimizer.step()
        if after is not None:
            after()
        return True

    def _set_learning_rates(self) -> None:
        """Constant for the first ``lr_decay_start`` of ``config.steps``, then linear decay to
        ``lr_final_fraction`` at the last step: late, small steps sharpen the modes (high-quality %)
        without slowing the early, coverage-deciding phase."""
        fraction, start = self.config.lr_final_fraction, self.config.lr_decay_start
        if fraction == 1.0:
            return
        first = start * (self.config.steps - 1)
        progress = min(max(self.step - first, 0.0) / max(self.config.steps - 1 - first, 1), 1.0)
        scale = 1.0 - (1.0 - fraction) * progress
        for optimizer in (self.optimizer_g, self.optimizer_d):
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
                group["lr"] = group["initial_lr"] * scale

    def _forward_precision(self):
        """Autocast for the forward passes and losses only: the backward passes then run in the
        precision their forward ops ran in (PyTorch's autocast guidance), so the float32 layers'
        gradients stay float32. Entered per step, in the thread that trains (autocast is per thread)."""
        return training_precision(self.matmul_precision, self.device)

    def _train_step(self) -> bool:
        """One update of every member; False (and nothing changed) if anything was non-finite."""
        self._set_learning_rates()
        if self.simultaneous:
            d_parts, g_parts = [], []
            with self._forward_precision():
                for group in self.groups:
                    step = self._step_data(group, self._batch(group, real=True), group.fake(self._batch(group, real=False)))
                    d_parts.append(self._discriminator_losses(step))
                    g_parts.append(self.remedy.generator_loss(self, step))
                d_total, g_total = sum(l.sum() for l in d_parts), sum(l.sum() for l in g_parts)
            d_grads = self._gradients(self.discriminator_parameters, d_total)
            g_grads = self._gradients(self.generator_parameters, g_total)
            self.last_d_loss, self.last_g_loss = self._scatter(d_parts).cpu(), self._scatter(g_parts).cpu()
            if not self._all_finite([d_total, g_total], d_grads + g_grads):
                bad = (~torch.isfinite(self.last_d_loss)) | (~torch.isfinite(self.last_g_loss))
                self.diverged_members = bad.nonzero().flatten().tolist() or list(range(len(self.members)))
                return False
            for params, grads, opt in ((self.discriminator_parameters, d_grads, self.optimizer_d),
                                       (self.generator_parameters, g_grads, self.optimizer_g)):
                for p, g in zip(params, grads):
                    p.grad = g
                opt.step()
            self._after_discriminator_step()
            return True

        for _ in range(self.critic_steps):
            d_parts = []
            with self._forward_precision():
                for group in self.groups:
                    real = self._batch(group, real=True)
                    with torch.no_grad():
                        fake = group.fake(self._batch(group, real=False))
                    d_parts.append(self._discriminator_losses(self._step_data(group, real, fake)))
                d_total = sum(l.sum() for l in d_parts)
            self.last_d_loss = self._scatter(d_parts).cpu()
            grads = self._gradients(self.discriminator_parameters, d_total)
            if not self._step_or_stop(self.discriminator_parameters, self.optimizer_d, d_total, grads,
                                      self.last_d_loss, self._after_discriminator_step):
                return False
        for _ in range(self.config.generator_steps):
            with self._forward_precision():
                g_parts = [self._generator_losses(group) for group in self.groups]
                g_total = sum(l.sum() for l in g_parts)
            self.last_g_loss = self._scatter(g_parts).cpu()
            grads = self._gradients(self.generator_parameters, g_total)
            if not self._step_or_stop(self.generator_parameters, self.optimizer_g, g_total, grads, self.last_g_loss):
                return False
        return True

    def _after_discriminator_step(self):
        for group in self.groups:
            self.loss.after_discriminator_step(group.discriminator)

    # ----------------------------------------------------------------------------- running
    def request_stop(self) -> None:
        """Ask a running :meth:`run` (e.g. in a widget's thread) to stop after the current step."""
        self._stop.set()

    def run(self, steps: int | None = None, callback=None, callback_every: int = 100,
            progress: bool | None = None, raise_on_nan: bool = False) -> "GANTrainer":
        """Train ``steps`` more steps (default: until ``config.steps`` in total).

        ``callback(snapshot)`` runs every ``callback_every`` steps and at the end. Metrics are
        recorded in :attr:`history` every ``config.eval_every`` steps and at the end.
        Sets :attr:`stopped_reason` to ``None`` (finished), ``"stopped"``, ``"interrupted"`` or
        ``"diverged"`` (non-finite loss; the parameters are the last good ones).
        """
        if steps is None:
            steps = max(self.config.steps - self.step, 0)
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
        if isinstance(callback_every, bool) or not isinstance(callback_every, int) or callback_every < 1:
            raise ValueError(f"callback_every must be an integer >= 1, got {callback_every!r}")
        self._stop.clear()
        self.stopped_reason = None
        if progress is None:
            progress = not quick_mode()
        if not self.history:
            self._record()
        bar = None
        if progress and steps:
            from tqdm.auto import tqdm
            bar = tqdm(total=steps, desc=f"training {len(self.members)} GAN(s)", leave=False)
        try:
            for _ in range(steps):
                if self._stop.is_set():
                    self.stopped_reason = "stopped"
                    break
                with _hold_interrupts() as interrupts:
                    ok = self._train_step()
                    if ok:
                        self.step += 1
                if not ok:
                    self.stopped_reason = "diverged"
                    message = (f"Non-finite loss or gradient at step {self.step + 1} for member(s) "
                               f"{[self.members[i] for i in self.diverged_members]}; stopped before that update, "
                               f"so the model holds the last good state (step {self.step}). Try a lower learning rate.")
                    if raise_on_nan:
                        raise TrainingDiverged(message)
                    print(message)
                    break
                if bar is not None:
                    bar.update(1)
                if self.step % self.config.eval_every == 0:
                    self._record()
                if callback is not None and self.step % callback_every == 0:
                    callback(self.snapshot())
                if interrupts:
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            self.stopped_reason = "interrupted"
            print(f"Interrupted after step {self.step}; the model is intact. Call run() to continue.")
        finally:
            if bar is not None:
                bar.close()
        if self.history[-1]["step"] != self.step:
            self._record()
        if callback is not None and self.step % callback_every != 0:
            callback(self.snapshot())
        return self

    # ----------------------------------------------------------------------------- looking
    @torch.no_grad()
    def generate(self, noise: torch.Tensor | None = None) -> torch.Tensor:
        """Samples of every member (K, n, ...) from ``noise`` (K, n, noise_dim); default: the fixed evaluation noise."""
        noise = self.eval_noise if noise is None else noise.to(self.device)
        task_chunk = getattr(self.task, "generate_chunk", None)  # images: bound the memory
        out = None
        for group in self.groups:
            member_noise, parts = noise[group.members], []
            for m, members in group.runs:
                # G (with BatchNorm on batch statistics) sees batches of the size it was trained on
                chunk = task_chunk or self.config.batch_size * m
                parts.append(torch.cat([group.generate_run(part, members)
                                        for part in member_noise[members].split(chunk, dim=1)], dim=1))
            samples = torch.cat(parts) if len(parts) > 1 else parts[0]
            if out is None:
                out = torch.empty(len(self.members), *samples.shape[1:], device=self.device)
            out[group.members] = samples
        return out

    def generator_labels(self, member_index: int, n: int | None = None):
        """Which of a member's generators made each of :meth:`generate`'s first ``n`` samples
        (remedy ``several-generators``), else ``None``."""
        n = self.config.eval_samples if n is None else n
        chunk = getattr(self.task, "generate_chunk", None) or self.config.batch_size * self.members[member_index].pack
        return self.remedy.sample_labels(n, chunk)

    def snapshot(self) -> TrainingSnapshot:
        preview = self.eval_noise[:, :PREVIEW_SAMPLES]
        return TrainingSnapshot(self.step, self.last_d_loss.clone(), self.last_g_loss.clone(),
                                self.generate(preview).cpu(), self)

    @torch.no_grad()
    def evaluate(self) -> list[dict]:
        """The task's metrics for every member, from ``config.eval_samples`` samples each."""
        return metric_rows(self.task.evaluate(self.generate()), self.members, dataset=self.config.dataset,
                           remedy=self.config.remedy, step=self.step)

    def _record(self) -> None:
        rows = self.evaluate()
        for i, row in enumerate(rows):
            for name, values in (("d_loss", self.last_d_loss), ("g_loss", self.last_g_loss)):
                value = float(values[i])
                row[name] = value if math.isfinite(value) else None  # None: no step taken yet
        self.history.extend(rows)  # all members at once: an interrupt never leaves half a record

    def results(self) -> list[dict]:
        """The latest recorded metrics, one dict per member (``dataset, pack, seed, step, ...``)."""
        return latest_rows(self.history, self.members)

    # ----------------------------------------------------------------------------- saving
    def state_dict(self) -> dict:
        return {
            "config": self.config.as_dict(),
            "members": [[m.pack, m.seed] for m in self.members],
            "step": self.step,
            "model": self.groups.state_dict(),
            "optimizer_g": self.optimizer_g.state_dict(),
            "optimizer_d": self.optimizer_d.state_dict(),
            "rng": [rng.get_state() for g in self.groups for rng in g.train_rngs],
            "history": self.history,
        }

    def load_state_dict(self, state: dict) -> None:
        members = [Member(int(p), int(s)) for p, s in state["members"]]
        if members != self.members:
            raise ValueError(f"checkpoint members {members} differ from this trainer's {self.members}")
        self.groups.load_state_dict(state["model"])
        self.optimizer_g.load_state_dict(state["optimizer_g"])
        self.optimizer_d.load_state_dict(state["optimizer_d"])
        rngs = [rng for g in self.groups for rng in g.train_rngs]
        for rng, rng_state in zip(rngs, state["rng"]):
            rng.set_state(rng_state)
        self.step = int(state["step"])
        self.history = [dict(row) for row in state["history"]]

    def save(self, path) -> None:
        """Checkpoint everything needed to continue exactly (written atomically)."""
        atomic_torch_save(self.state_dict(), path)

    @classmethod
    def load(cls, path, device="auto") -> "GANTrainer":
        """Rebuild a trainer from :meth:`save` (``torch.load(weights_only=True)``)."""
        state = safe_torch_load(path)
        config_dict = dict(state["config"])
        config_dict["betas"] = tuple(config_dict["betas"])
        trainer = cls(TrainConfig(**config_dict), members=[Member(int(p), int(s)) for p, s in state["members"]],
                      device=device)
        trainer.load_state_dict(state)
        return trainer


COUNT_METRICS = ("modes_captured", "classes_covered")   # reported as integers


def metric_rows(metrics: dict, members, **common) -> list[dict]:
    """One row per member from a task's ``{metric: (K,) tensor}``: ``common`` fields, pack, seed, metrics."""
    rows = []
    for i, member in enumerate(members):
        # dataset, remedy, pack, seed, then the rest (step, ...): the order the JSON files show
        row = {key: common[key] for key in ("dataset", "remedy") if key in common}
        row.update(pack=member.pack, seed=member.seed)
        row.update({key: value for key, value in common.items() if key not in row})
        for name, values in metrics.items():
            value = values[i].item()
            row[name] = int(value) if name in COUNT_METRICS else float(value)
        rows.append(row)
    return rows


def latest_rows(history: list[dict], members) -> list[dict]:
    """Each member's most recent row of ``history`` (copies)."""
    latest = {(row["pack"], row["seed"]): row for row in history}
    return [dict(latest[(m.pack, m.seed)]) for m in members]


def _listed(values, name: str) -> list:
    if isinstance(values, (int, np.integer)) and not isinstance(values, bool):
        raise TypeError(f"{name} must be a list of integers, e.g. {name}=[{values}], got the single number {values!r}")
    try:
        return list(values)
    except TypeError:
        raise TypeError(f"{name} must be a list of integers, got {values!r}") from None


def _whole(value, name: str, smallest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < smallest:
        raise ValueError(f"{name} must be an integer >= {smallest}, got {value!r}")
    return int(value)


def train(config: TrainConfig, packs=(1,), seeds=(0,), device="auto", **run_kwargs) -> GANTrainer:
    """Build a :class:`GANTrainer` for ``packs`` × ``seeds`` and run it to ``config.steps``."""
    return GANTrainer(config, packs=packs, seeds=seeds, device=device).run(**run_kwargs)
