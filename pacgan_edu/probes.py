"""What the live pictures show, computed (no plotting here): look inside a trained 2D GAN.

For one member of a :class:`~pacgan_edu.train.GANTrainer` on a 2D mixture:

- :func:`discriminator_map` — the discriminator's output over a grid of the plane (GAN Lab's
  background heatmap);
- :func:`generator_gradients` — where the generator's loss pushes each generated point
  (GAN Lab's arrows);
- :func:`probe_frame` — everything one frame of the live panel needs, in one call.

**Packed discriminators.** With packing (Lin, Khetan, Fanti, Oh, "PacGAN", NeurIPS 2018) D
judges m points at once, D(x₁, …, x_m), so "D's output at x" is not defined by x alone. We
show the slice that matters for training: x sits in one slot and the other m − 1 slots hold
samples *from the current generator*, and we average D's verdict (σ(D) for the logit losses)
over a few such draws (one set of companions per draw, shared by every point of the plane, so
the map is smooth). Why this
slice: a generated point only ever meets D packed with other generated points, so this is
exactly the landscape the generator climbs, and the arrows (computed on training-style all-fake
packs) are gradients of the same function. Putting real samples in the other slots would
answer a question D never faces (packs are never mixed). D is not symmetric in its slots, so
the slot holding x cycles over the draws. For m = 1 this is simply σ(D(x)).

Only the trainer's public attributes are used (``groups``, ``members``, ``loss``, ``task``,
``eval_noise``, ``history``, ``generate``), and a member's discriminator is evaluated alone by
slicing its weights out of the batched ensemble (every parameter carries the member axis
first), so a heatmap of one member of a 40-member sweep costs what a lone run's does.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch.func import functional_call

from .data.mixtures import view_extent  # noqa: F401  (re-exported: one definition, shared with metrics)
from .packing import pack_members

__all__ = ["DiscriminatorMap", "ProbeFrame", "discriminator_map", "generated_samples",
           "generator_gradients", "member_history", "probe_frame", "readable_verdict", "real_samples", "view_extent"]


@dataclass
class DiscriminatorMap:
    """D's verdict in [0, 1] on a ``resolution × resolution`` grid; ``values[i, j]`` is at
    (xs[j], ys[i]) (``imshow`` order); ``label`` says how to read it for this loss."""

    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    extent: tuple
    pack: int
    draws: int
    label: str = "σ(D): how real D finds a point"


def readable_verdict(loss, logits: torch.Tensor) -> tuple[torch.Tensor, str]:
    """D's outputs as a number in [0, 1] that reads the way ``loss`` reads them, and its label.

    A logit loss (MM, NS, MM-nsat) means σ(l); LSGAN regresses l itself to 1 (real) / 0 (fake);
    a critic (WGAN, hinge) has no probability, only "higher = more real", so its scores are
    rescaled to this map's own range (the 2nd to 98th percentile).
    """
    if loss.output == "logit":
        return torch.sigmoid(logits), "σ(D): how real D finds a point"
    if loss.output == "probability":
        return logits.clamp(0.0, 1.0), "D(x), LSGAN's target: 1 real, 0 fake"
    low, high = torch.quantile(logits.float().flatten(), torch.tensor([0.02, 0.98], device=logits.device))
    return ((logits - low) / (high - low).clamp_min(1e-12)).clamp(0.0, 1.0), "critic score, rescaled in this frame (high = real)"


@dataclass
class ProbeFrame:
    """One live-panel frame for one member: points, heatmap, arrows and the latest metrics."""

    step: int
    pack: int
    seed: int
    generated: np.ndarray           # (n, 2) from the member's fixed preview noise
    real: np.ndarray                # (n, 2)
    heatmap: DiscriminatorMap
    arrow_points: np.ndarray        # (a, 2) generated points the arrows start from
    arrow_vectors: np.ndarray       # (a, 2) −∂L_G/∂x per pack term: where G's loss moves each point
    metrics: dict                   # modes_captured, high_quality_fraction, reverse_kl (latest record)
    history: list = field(default_factory=list)  # this member's recorded rows, oldest first
    remedy: str = "none"            # the trainer's remedy (pacgan_edu.remedies), named in the title


def _check_2d(trainer) -> None:
    mixture = getattr(trainer.task, "mixture", None)
    if mixture is None or mixture.dim != 2:
        raise ValueError(f"probes need a 2D mixture task (ring, grid); dataset {trainer.config.dataset!r} is not one")


def _locate(trainer, member: int):
    """(group, index of the member inside its group) for member index ``member``."""
    if isinstance(member, bool) or not isinstance(member, int) or not 0 <= member < len(trainer.members):
        raise ValueError(f"member must be an index in 0..{len(trainer.members) - 1}, got {member!r}")
    for group in trainer.groups:
        if member in group.members:
            return group, group.members.index(member)
    raise AssertionError("every member belongs to a group")  # pragma: no cover


def _member_call(module: torch.nn.Module, size: int, index: int, x: torch.Tensor) -> torch.Tensor:
    """Run one member of a batched module on ``x`` (1, N, ...) -> (1, N, ...).

    Slices member ``index`` out of every parameter (leading axis = member); a module whose
    tensors do not all carry that axis is run whole on copies of ``x`` instead.
    """
    if size == 1:  # a lone member (live panels): no slicing needed
        return module(x)
    tensors = dict(module.named_parameters())
    tensors.update(dict(module.named_buffers()))
    if all(t.dim() > 0 and t.shape[0] == size for t in tensors.values()):
        return functional_call(module, {name: t[index:index + 1] for name, t in tensors.items()}, (x,))
    return module(x.expand(size, *x.shape[1:]))[index:index + 1]


def generated_samples(trainer, member: int = 0, n: int = 500) -> torch.Tensor:
    """(n, 2) samples of one member from its fixed evaluation noise (stable between frames),
    exactly as ``trainer.generate`` makes them."""
    _locate(trainer, member)  # validates the index
    if not 1 <= n <= trainer.eval_noise.shape[1]:
        raise ValueError(f"n must be in 1..{trainer.eval_noise.shape[1]} (the evaluation noise), got {n!r}")
    # through the trainer, so BatchNorm sees the same batches as in evaluation (cheap: G is small)
    return trainer.generate(trainer.eval_noise[:, :n])[member]


def real_samples(trainer, n: int = 500, seed: int = 0) -> torch.Tensor:
    """(n, 2) samples of the target mixture, reproducible for a given ``seed``."""
    rng = torch.Generator(device=trainer.device)
    rng.manual_seed(seed)
    return trainer.task.real(n, rng)


@torch.no_grad()
def discriminator_map(trainer, member: int = 0, resolution: int = 48, extent=None, draws: int = 4,
                      companions: torch.Tensor | None = None, seed: int = 0) -> DiscriminatorMap:
    """D's verdict over a grid of the plane for one member (see the module docstring for packed D
    and :func:`readable_verdict` for how each loss's output is read).

    ``companions``: generated points (n, 2) that fill the other m − 1 slots (default: 500 of the
    member's fixed-noise samples); ``draws``: how many random fillings to average (m > 1 only);
    ``seed`` fixes which companions are drawn, so consecutive frames differ only by training.
    """
    _check_2d(trainer)
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ValueError(f"draws must be an integer >= 1, got {draws!r}")
    group, index = _locate(trainer, member)
    m = group.pack_of(index)
    xmin, xmax, ymin, ymax = extent if extent is not None else view_extent(trainer.task.mixture)
    xs = torch.linspace(xmin, xmax, resolution, device=trainer.device)
    ys = torch.linspace(ymin, ymax, resolution, device=trainer.device)
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    points = torch.stack([xx.flatten(), yy.flatten()], dim=1)              # (P, 2)
    if m == 1:
        draws = 1
        packs = points.unsqueeze(0)                                          # (1, P, 2)
    else:
        if companions is None:
            companions = generated_samples(trainer, member)
        rng = torch.Generator(device="cpu")
        rng.manual_seed(seed)
        packs = []
        for draw in range(draws):
            # the same companions for every point of this draw: each draw is a smooth map, and
            # the average over draws has no pixel-to-pixel speckle
            picks = torch.randint(len(companions), (m - 1,), generator=rng)
            others = companions.to(points.device)[picks.to(points.device)].expand(len(points), m - 1, 2)
            slot = draw % m                                                  # D is not slot-symmetric
            pack = torch.cat([others[:, :slot], points.unsqueeze(1), others[:, slot:]], dim=1)
            packs.append(pack.reshape(len(points), 2 * m))
        packs = torch.cat(packs).unsqueeze(0)                                # (1, draws*P, 2m)
    logits = _member_call(group.discriminator, len(group.members), index, group.pad(packs))[0]
    if trainer.loss.output == "critic":   # average the scores, then rescale once for the whole map
        values, label = readable_verdict(trainer.loss, logits.reshape(draws, resolution, resolution).mean(0))
    else:
        values, label = readable_verdict(trainer.loss, logits)
        values = values.reshape(draws, resolution, resolution).mean(0)
    return DiscriminatorMap(xs.cpu().numpy(), ys.cpu().numpy(), values.cpu().numpy(),
                            (xmin, xmax, ymin, ymax), m, draws, label)


def generator_gradients(trainer, member: int = 0, points: torch.Tensor | None = None, n: int = 200):
    """(points, vectors): −∂L_G/∂x for generated points x, packed as in training.

    ``points`` (default: the member's first ``n`` fixed-noise samples) are grouped into packs of
    m consecutive points, D scores the packs, and autograd gives the generator loss's gradient
    with respect to each point. The loss is a mean over packs, so we multiply by the number of
    packs: each arrow is the gradient of its own pack's term, independent of how many points
    are drawn. The arrow points downhill, i.e. where G's update moves that sample.
    """
    _check_2d(trainer)
    group, index = _locate(trainer, member)
    m = group.pack_of(index)
    if points is None:
        points = generated_samples(trainer, member, n)
    points = points[: (len(points) // m) * m].detach().clone().requires_grad_(True)
    if len(points) == 0:
        raise ValueError(f"need at least m = {m} points to form one pack")
    packs = pack_members(points.unsqueeze(0), m)                               # (1, n/m, 2m)
    logits = _member_call(group.discriminator, len(group.members), index, group.pad(packs))
    loss = trainer.loss.generator_loss(logits).sum()
    (gradient,) = torch.autograd.grad(loss, points)
    return points.detach(), -gradient * (len(points) // m)


def member_history(trainer, member: int = 0) -> list[dict]:
    """The recorded metric rows of one member, oldest first."""
    _locate(trainer, member)  # validates the index
    target = trainer.members[member]
    return [row for row in trainer.history if row["pack"] == target.pack and row["seed"] == target.seed]


def probe_frame(trainer, member: int = 0, real: torch.Tensor | None = None, samples: int = 500,
                resolution: int = 48, draws: int = 4, arrows: int = 100) -> ProbeFrame:
    """Everything one panel frame shows for one member (metrics from the latest history record)."""
    _check_2d(trainer)
    generated = generated_samples(trainer, member, samples)
    heatmap = discriminator_map(trainer, member, resolution=resolution, draws=draws, companions=generated)
    arrow_points, arrow_vectors = generator_gradients(trainer, member, points=generated[:arrows])
    if real is None:
        real = real_samples(trainer, samples)
    rows = member_history(trainer, member)
    latest = rows[-1] if rows else {}
    info = trainer.members[member]
    return ProbeFrame(
        step=trainer.step, pack=info.pack, seed=info.seed,
        generated=generated.cpu().numpy(), real=real.cpu().numpy(), heatmap=heatmap,
        arrow_points=arrow_points.cpu().numpy(), arrow_vectors=arrow_vectors.cpu().numpy(),
        metrics={name: latest.get(name) for name in trainer.task.metric_names}, history=rows,
        remedy=trainer.config.remedy)
