"""AdaGAN (Tolstikhin, Gelly, Bousquet, Simon-Gabriel, Schölkopf, "AdaGAN: Boosting Generative
Models", NIPS 2017): a mixture of GANs built like boosting.

The mixture after t components is P_t = (1 − β) P_{t−1} + β Q_t (β_1 = 1). Each new GAN Q_t
trains — with the one training loop — on the data reweighted towards what P_{t−1} misses:

    w_i = (λ* − (1 − β) h(x_i))₊ / (N β),     h(x) = (1 − D(x)) / D(x),

where D is a classifier between the data (label 1) and samples of P_{t−1}, and λ* makes the
weights sum to 1. Points the mixture already covers (D ≈ ½ or below, large h) get weight 0;
points it misses (D ≈ 1, h ≈ 0) get the most. λ* in closed form: sort h ascending; with the k
smallest admitted, λ_k = (Nβ + (1 − β) Σ_{j≤k} h_(j)) / k; take the largest k whose λ_k still
exceeds (1 − β) h_(k).

Fairness: the T components share the run's step budget (``config.steps // T`` each, each with
the preset's learning-rate schedule over its own steps), so AdaGAN is compared with the plain GAN
at equal generator updates. Component 1 is exactly the plain GAN with the same seed and that
many steps. 2D mixtures only (the data classifier is an MLP on points).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
from torch import nn

from ..models.layers import MemberLinear
from .base import Remedy, positive_int


def _fraction(value) -> float:
    number = float(value)
    if not 0 < number < 1:
        raise ValueError("must be in (0, 1)")
    return number


def adagan_weights(h: torch.Tensor, beta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Data weights w (…, N) and λ* (…,) from h (…, N): w = (λ* − (1 − β) h)₊ / (N β), Σ w = 1."""
    if not 0 < beta <= 1:
        raise ValueError(f"beta must be in (0, 1], got {beta!r}")
    h = h.double()
    n = h.shape[-1]
    if beta == 1:
        return torch.full_like(h, 1.0 / n), torch.full(h.shape[:-1], float(n), dtype=h.dtype)
    sorted_h, _ = torch.sort(h, dim=-1)
    k = torch.arange(1, n + 1, dtype=h.dtype, device=h.device)
    lambdas = (n * beta + (1 - beta) * torch.cumsum(sorted_h, dim=-1)) / k
    admitted = lambdas > (1 - beta) * sorted_h          # true for a prefix of k (λ_k is decreasing there)
    last = admitted.sum(dim=-1, keepdim=True).clamp(min=1) - 1
    lam = torch.gather(lambdas, -1, last).squeeze(-1)
    weights = (lam.unsqueeze(-1) - (1 - beta) * h).clamp(min=0) / (n * beta)
    return weights, lam


class MixtureClassifier(nn.Module):
    """K small MLPs point -> logit of "data, not mixture" (one per ensemble member)."""

    def __init__(self, init, dim: int = 2, hidden: int = 64, device=None):
        super().__init__()
        self.net = nn.Sequential(MemberLinear(init, dim, hidden, True, "uniform", device=device), nn.ReLU(),
                                 MemberLinear(init, hidden, hidden, True, "uniform", device=device), nn.ReLU(),
                                 MemberLinear(init, hidden, 1, True, "uniform", device=device))

    def forward(self, x):
        return self.net(x).squeeze(-1)


def fit_mixture_classifier(data: torch.Tensor, sample_mixture, steps: int, seeds, batch: int = 256,
                           lr: float = 1e-3) -> MixtureClassifier:
    """Train D(x) = P(data | x) between ``data`` (K, N, d) and ``sample_mixture(n, rngs)`` -> (K, n, d).

    Member k draws everything (its MLP's init, its batches) from ``seeds[k]``'s own stream."""
    members, n, dim = data.shape
    rngs = [torch.Generator(device=data.device).manual_seed(int(s)) for s in seeds]
    classifier = MixtureClassifier(rngs, dim, device=data.device)
    optimizer = torch.optim.Adam(classifier.parameters(), lr=lr)
    bce = nn.functional.binary_cross_entropy_with_logits
    labels = torch.cat([torch.ones(members, batch), torch.zeros(members, batch)], dim=1).to(data.device)
    for _ in range(steps):
        index = torch.stack([torch.randint(n, (batch,), generator=g, device=data.device) for g in rngs])
        real = torch.gather(data, 1, index.unsqueeze(-1).expand(-1, -1, dim))
        fake = sample_mixture(batch, rngs)
        logits = classifier(torch.cat([real, fake], dim=1))
        loss = bce(logits, labels, reduction="none").mean(dim=1).sum()   # summed over members: independent
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return classifier


class AdaGAN(Remedy):
    name = "adagan"
    title = "AdaGAN"
    reference = "Tolstikhin et al., AdaGAN: Boosting Generative Models, NIPS 2017"
    summary = ("Train GANs one after another, each on the data the mixture so far misses, and "
               "sample from their mixture.")
    options = {"components": (3, positive_int, "T, GANs trained in sequence (they share the step budget)"),
               "beta": (0.5, _fraction, "β, the new component's share of the mixture"),
               "pool": (10_000, positive_int, "N, data points per member that the weights are put on"),
               "classifier_steps": (500, positive_int, "Adam steps of the data-vs-mixture classifier")}


@dataclass
class AdaGANRun:
    """A trained AdaGAN ensemble: ``components[t]`` is the t-th GANTrainer (all members),
    ``mixture_weights[t]`` its share now; quacks like a GANTrainer for reports."""

    config: object
    members: list
    components: list = field(default_factory=list)
    mixture_weights: list = field(default_factory=list)
    data_weights: list = field(default_factory=list)      # (K, N) per component
    history: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    stopped_reason: str | None = None
    step: int = 0

    @property
    def device(self):
        return self.components[0].device

    @property
    def task(self):
        return self.components[0].task

    @property
    def matmul_precision(self) -> str:
        return self.components[0].matmul_precision

    @torch.no_grad()
    def generate(self, n: int | None = None, seed_stream: int = 3) -> torch.Tensor:
        """Samples of every member's mixture (K, n, ...): each sample's component drawn with the
        mixture weights from a fixed per-member stream, the component's own fixed noise."""
        from ..train import _derived_seed
        per_component = torch.stack([c.generate() for c in self.components])       # (T, K, n, ...)
        n = per_component.shape[2] if n is None else n
        weights = torch.tensor(self.mixture_weights, dtype=torch.float)
        choice = torch.stack([torch.multinomial(weights, n, replacement=True,
                                                generator=torch.Generator().manual_seed(_derived_seed(m.seed, seed_stream)))
                              for m in self.members]).to(per_component.device)    # (K, n)
        return _pick(per_component[:, :, :n], choice)

    def evaluate(self) -> list[dict]:
        from ..train import metric_rows
        return metric_rows(self.task.evaluate(self.generate()), self.members, dataset=self.config.dataset,
                           remedy="adagan", step=self.step, components=len(self.components))

    def results(self) -> list[dict]:
        from ..train import latest_rows
        return latest_rows(self.history, self.members)

    def save(self, path) -> None:
        from ..files import atomic_torch_save
        atomic_torch_save({"config": self.config.as_dict(), "members": [[m.pack, m.seed] for m in self.members],
                           "components": [c.state_dict() for c in self.components],
                           "mixture_weights": list(self.mixture_weights), "history": self.history}, path)


def train_adagan(config, packs=(1,), seeds=(0,), device="auto", progress=None, callback=None) -> AdaGANRun:
    """Train ``config.remedy_options``' T components in sequence with the one training loop.

    ``callback(run)`` after each component (e.g. to draw the mixture as it grows)."""
    from ..train import GANTrainer, Member, _derived_seed
    if config.remedy != "adagan":
        raise ValueError(f"train_adagan needs a config with remedy='adagan', got {config.remedy!r}")
    options = dict(config.remedy_options)
    count, beta = options["components"], options["beta"]
    steps = config.steps // count
    if steps < 1:
        raise ValueError(f"{count} components need at least {count} steps, got steps={config.steps}")
    members = [Member(int(p), int(s)) for p in packs for s in seeds]
    base = config.replace(remedy="none", remedy_options=(), steps=steps)
    run = AdaGANRun(config, members)
    probe = GANTrainer(base, members=members, device=device)
    if not hasattr(probe.task, "mixture"):
        raise ValueError("AdaGAN is implemented for the 2D mixtures (ring, grid) only")
    # the data pool the weights live on: N points per member, from the member's own stream
    pool = torch.stack([probe.task.real(options["pool"], torch.Generator(device=probe.device).manual_seed(
        _derived_seed(m.seed, 4))) for m in members])
    weights = torch.full(pool.shape[:2], 1.0 / pool.shape[1], device=pool.device)
    for t in range(count):
        start = time.perf_counter()
        if t:
            classifier = fit_mixture_classifier(pool, lambda n, rngs: _mixture_draw(run, n, rngs),
                                                options["classifier_steps"],
                                                [_derived_seed(m.seed, 10 + t) for m in members])
            with torch.no_grad():
                h = torch.exp(-classifier(pool))          # (1 − D)/D with D = σ(logit)
            weights = adagan_weights(h, beta)[0].float()
        run.data_weights.append(weights.cpu())
        current = weights

        def data(member_index, n, rng, current=current):
            index = torch.multinomial(current[member_index], n, replacement=True, generator=rng)
            return pool[member_index, index]

        # component 1 is the plain GAN with the member's seed; later ones start elsewhere
        component_members = members if t == 0 else [Member(m.pack, _derived_seed(m.seed, 100 + t)) for m in members]
        trainer = probe if t == 0 else GANTrainer(base, members=component_members, device=device)
        # component 1 draws from the task itself (uniform weights): it is the plain GAN exactly
        trainer.data = data if t else None
        trainer.run(progress=progress)
        run.components.append(trainer)
        run.mixture_weights = [1.0] if t == 0 else [w * (1 - beta) for w in run.mixture_weights] + [beta]
        run.step += trainer.step
        run.seconds.append(time.perf_counter() - start)
        if trainer.stopped_reason:
            run.stopped_reason = trainer.stopped_reason
        rows = run.evaluate()
        for row in rows:
            row["component_seconds"] = round(run.seconds[-1], 2)
        run.history.extend(rows)
        if callback is not None:
            callback(run)
        if run.stopped_reason:
            break
    return run


@torch.no_grad()
def _mixture_draw(run: AdaGANRun, n: int, rngs) -> torch.Tensor:
    """n fresh samples of every member's current mixture (K, n, d); member k's noise and component
    choices come from ``rngs[k]`` only."""
    weights = torch.tensor(run.mixture_weights, dtype=torch.float, device=rngs[0].device)
    choice = torch.stack([torch.multinomial(weights, n, replacement=True, generator=g) for g in rngs])
    samples = []
    for component in run.components:
        noise = torch.stack([component._noise(n, g) for g in rngs])
        samples.append(component.generate(noise))
    return _pick(torch.stack(samples), choice)


def _pick(per_component: torch.Tensor, choice: torch.Tensor) -> torch.Tensor:
    """Samples (T, K, n, ...) of every component -> (K, n, ...): sample j of member k from component choice[k, j]."""
    choice = choice.to(per_component.device)
    index = choice.view(1, *choice.shape, *([1] * (per_component.dim() - 3)))
    return torch.gather(per_component, 0, index.expand(1, *per_component.shape[1:])).squeeze(0)


def modes_added(run: AdaGANRun) -> list[dict]:
    """Per member and component: modes captured by the mixture after it, and how many it added."""
    rows, previous = [], {}
    for row in run.history:
        key = (row["pack"], row["seed"])
        rows.append({**row, "modes_added": row["modes_captured"] - previous.get(key, 0)})
        previous[key] = row["modes_captured"]
    return rows


__all__ = ["AdaGAN", "AdaGANRun", "adagan_weights", "fit_mixture_classifier", "modes_added", "train_adagan"]
