"""One registry of GAN losses by name: ``mm``, ``ns``, ``mm-nsat``, ``wgan``, ``wgan-gp``, ``lsgan``, ``hinge``.

A loss maps the discriminator's outputs ``l`` (shape (K, B): K ensemble members, B packs) to
one D loss and one G loss *per member* (shape (K,)): the training loop sums them over
members, so members never influence each other. ``l`` is a logit for the cross-entropy
losses (D(x) = σ(l)), D's value itself for LSGAN, and a critic score for WGAN / hinge.

Losses that need more than ``l`` say so explicitly instead of being special-cased in the
training loop: ``penalty(...)`` (a gradient penalty needs D and the packs),
``after_discriminator_step(D)`` (weight clipping), and recommended settings as data
(``critic_steps``, ``optimizer``) that the loop honours through :meth:`GANLoss.make_optimizers`.

**How a loss's recommended optimiser meets a preset** (:meth:`GANLoss.optimizer_settings`).
A paper's learning rate belongs to that paper's step budget: WGAN's RMSProp 5e-5 was tuned for
~10⁵ generator steps, not for a 3,000-step CPU demo. So a recommendation supplies
the optimiser *kind* and its shape (betas), and the preset supplies the *scale*:

    lr = preset lr × (the loss paper's lr / REFERENCE_LR),   REFERENCE_LR = the paper preset's lr (1e-4)

Under ``preset("paper")`` every loss therefore gets exactly its paper's optimiser; under a
faster preset (e.g. one with 10× the paper's lr) every loss is sped up by the same factor, so the
losses keep the *relative* step sizes their authors chose. Losses without a recommendation
use the preset's Adam unchanged.

**Sample weights** (Eide, Solberg, Kåsen, "Sample weighting as an explanation for mode
collapse", arXiv 2010.02035). For G, the gradient of a batch is Σᵢ wᵢ · ∂lᵢ/∂θ_G with
wᵢ = ∂L_G/∂lᵢ: every loss pushes each generated sample along the *same* direction (up D's
slope) and only the weights wᵢ differ. :func:`generator_sample_weights` computes them by
autograd, :meth:`GANLoss.sample_weights` in closed form, :func:`weight_curves` as curves
against D(G(z)) for plotting.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

#: the learning rate the loss papers' rates are measured against: the PacGAN paper's Adam lr
#: (``preset("paper").lr_discriminator``; a constant here so that presets can check loss names)
REFERENCE_LR = 1e-4
OPTIMIZER_KINDS = ("adam", "rmsprop")
#: how D's output ``l`` reads as "D(x)": a logit (D = σ(l)), D itself (LSGAN), or a critic score (no probability)
OUTPUT_KINDS = ("logit", "probability", "critic")


@dataclass
class GANLoss:
    """Base class of every loss.

    ``critic_steps``: D updates per G update; ``optimizer``: the loss paper's optimiser as data,
    e.g. ``{"kind": "adam", "lr": 1e-4, "betas": (0.5, 0.9)}`` (``None`` = the preset's Adam);
    ``output``: one of :data:`OUTPUT_KINDS`; ``reference``: where the formula comes from.
    """

    name: str = ""
    critic_steps: int = 1
    optimizer: dict | None = field(default=None)
    description: str = ""
    output: str = "logit"
    reference: str = ""

    def discriminator_loss(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def generator_loss(self, fake_logits: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def sample_weights(self, fake_logits: torch.Tensor) -> torch.Tensor:
        """Closed-form weight wᵢ = ∂(Σ L_G)/∂lᵢ of every generated pack, shape like ``fake_logits``."""
        raise NotImplementedError

    def penalty(self, discriminator, real_packs, fake_packs, generators) -> torch.Tensor | None:
        """Extra D loss per member that needs D itself (default: none)."""
        return None

    def after_discriminator_step(self, discriminator) -> None:
        """Hook run after every D update (default: nothing)."""

    # ------------------------------------------------------------------ optimiser
    def optimizer_settings(self, config) -> dict:
        """The optimiser this loss trains with under ``config`` (a ``TrainConfig``); see the module doc.

        Returns ``{"kind", "lr_generator", "lr_discriminator", "betas" (Adam only), "rule"}``.
        """
        recommended = self.optimizer
        if not recommended:
            return {"kind": "adam", "lr_generator": config.lr_generator, "lr_discriminator": config.lr_discriminator,
                    "betas": tuple(config.betas), "rule": "the preset's Adam"}
        kind = recommended.get("kind", "adam")
        if kind not in OPTIMIZER_KINDS:
            raise ValueError(f"loss {self.name!r} recommends optimizer kind {kind!r}; valid: {', '.join(OPTIMIZER_KINDS)}")
        scale = recommended["lr"] / REFERENCE_LR
        settings = {"kind": kind, "lr_generator": config.lr_generator * scale,
                    "lr_discriminator": config.lr_discriminator * scale,
                    "rule": f"{kind} as in the {self.name} paper, preset lr × {scale:g} "
                            f"(paper lr {recommended['lr']:g} / reference {REFERENCE_LR:g})"}
        if kind == "adam":
            settings["betas"] = tuple(recommended.get("betas", config.betas))
        return settings

    def make_optimizers(self, generator_parameters, discriminator_parameters, config):
        """(G optimiser, D optimiser) following :meth:`optimizer_settings`."""
        settings = self.optimizer_settings(config)

        def build(params, lr):
            if settings["kind"] == "rmsprop":
                return torch.optim.RMSprop(params, lr=lr)
            params = list(params)
            # Adam's fused kernel (CPU and CUDA): the same element-wise rule in one pass over each
            # tensor instead of ~10 — about 10 % of a lecture-ensemble step on a CPU
            fused = bool(params) and all(p.device.type in ("cpu", "cuda") for p in params)
            return torch.optim.Adam(params, lr=lr, betas=settings["betas"], fused=fused or None)

        return (build(generator_parameters, settings["lr_generator"]),
                build(discriminator_parameters, settings["lr_discriminator"]))

    # ------------------------------------------------------------------ curves
    def verdict(self, logits: torch.Tensor) -> torch.Tensor:
        """D's output read as this loss reads it: σ(l) for a logit, l itself for LSGAN, the raw score for critics."""
        return torch.sigmoid(logits) if self.output == "logit" else logits

    def logits_from_d(self, d: torch.Tensor) -> torch.Tensor:
        """D's raw output ``l`` for a verdict D(G(z)) = ``d`` in (0, 1) (critics: the score ``d`` itself)."""
        if self.output == "logit":
            return torch.log(d) - torch.log1p(-d)
        return d.clone()

    def weight_curve(self, d: torch.Tensor, **_) -> torch.Tensor:
        """Weight of one generated sample as a function of D(G(z)) = ``d``."""
        return self.sample_weights(self.logits_from_d(d).unsqueeze(0)).squeeze(0)


# ---------------------------------------------------------------------------- cross-entropy family
class _CrossEntropyDiscriminator(GANLoss):
    """Shared D loss of MM, NS and MM-nsat: −log D(x) − log(1 − D(G(z))) = softplus(−l_r) + softplus(l_f)."""

    def discriminator_loss(self, real_logits, fake_logits):
        return F.softplus(-real_logits).mean(-1) + F.softplus(fake_logits).mean(-1)


@dataclass
class Minimax(_CrossEntropyDiscriminator):
    """MM, the original minimax GAN (Goodfellow et al. 2014, "Generative Adversarial Nets").

    D: softplus(−l_r) + softplus(l_f)        = −log D(x) − log(1 − D(G(z)))
    G: −softplus(l_f)                         = log(1 − D(G(z)))
    Weight per fake: −σ(l) = −D(G(z)): emphasis on fakes D already finds realistic; when D
    rejects every fake (early training) all weights are ≈ 0 — the loss *saturates*.
    Optimiser: the preset's Adam, 1 critic step.
    """

    name: str = "mm"
    description: str = "minimax (saturating): G minimises log(1 − D(G(z)))"
    reference: str = "Goodfellow et al. 2014"

    def generator_loss(self, fake_logits):
        return -F.softplus(fake_logits).mean(-1)

    def sample_weights(self, fake_logits):
        return -torch.sigmoid(fake_logits)


@dataclass
class NonSaturating(_CrossEntropyDiscriminator):
    """NS, the non-saturating GAN (Goodfellow et al. 2014); the PacGAN paper's loss.

    D: as MM.   G: softplus(−l_f) = −log D(G(z)).
    Weight per fake: −(1 − σ(l)) = −(1 − D(G(z))): emphasis on fakes D *rejects*, which Eide et
    al. (arXiv 2010.02035) identify as a driver of mode dropping.
    Optimiser: the preset's Adam, 1 critic step.
    """

    name: str = "ns"
    description: str = "non-saturating: G minimises −log D(G(z)) (the PacGAN paper's loss)"
    reference: str = "Goodfellow et al. 2014"

    def generator_loss(self, fake_logits):
        return F.softplus(-fake_logits).mean(-1)

    def sample_weights(self, fake_logits):
        return -torch.sigmoid(-fake_logits)


@dataclass
class MinimaxNonSaturating(_CrossEntropyDiscriminator):
    """MM-nsat (Eide, Solberg, Kåsen 2020, arXiv 2010.02035): MM's weighting, NS's gradient size.

    D: as MM.   G: −sg(R) · softplus(l_f),  R = mean(1 − σ(l_f)) / mean(σ(l_f)) over the member's
    batch, sg = stop-gradient (R rescales, it is not optimised).
    Weight per fake: −R·σ(l): relative emphasis as MM (realistic fakes first), yet the total
    weight Σᵢ R·σ(lᵢ) = Σᵢ (1 − σ(lᵢ)) equals NS's exactly, so it never saturates.
    R is computed in log space; if every σ(l_f) underflows, R is capped at e^80 (then the
    total weight is below NS's instead of NaN).
    Optimiser: the preset's Adam, 1 critic step.
    """

    name: str = "mm-nsat"
    description: str = "MM's sample weighting rescaled to NS's total weight (Eide et al. 2020)"
    reference: str = "Eide, Solberg, Kåsen 2020 (arXiv 2010.02035)"

    @staticmethod
    def ratio(fake_logits: torch.Tensor) -> torch.Tensor:
        """R = Σ(1 − σ(l)) / Σ σ(l) per member, shape (K, 1), without gradient."""
        l = fake_logits.detach()
        log_r = torch.logsumexp(F.logsigmoid(-l), -1, keepdim=True) - torch.logsumexp(F.logsigmoid(l), -1, keepdim=True)
        return torch.exp(log_r.clamp_max(80.0))

    def generator_loss(self, fake_logits):
        return -(self.ratio(fake_logits) * F.softplus(fake_logits)).mean(-1)

    def sample_weights(self, fake_logits):
        return -self.ratio(fake_logits) * torch.sigmoid(fake_logits)

    def weight_curve(self, d, ratio: float = 1.0, **_):
        """−R·D(G(z)) for a given batch ratio R (on a curve there is no batch to take R from)."""
        return -ratio * d.clone()


# ---------------------------------------------------------------------------- critics
class _WassersteinCritic(GANLoss):
    """Shared by WGAN and WGAN-GP: D (critic f): mean f(x̃) − mean f(x); G: −mean f(x̃); weight −1."""

    def discriminator_loss(self, real_logits, fake_logits):
        return fake_logits.mean(-1) - real_logits.mean(-1)

    def generator_loss(self, fake_logits):
        return -fake_logits.mean(-1)

    def sample_weights(self, fake_logits):
        return -torch.ones_like(fake_logits)


@dataclass
class Wasserstein(_WassersteinCritic):
    """WGAN with weight clipping (Arjovsky, Chintala, Bottou 2017, "Wasserstein GAN").

    D (critic f): mean f(x̃) − mean f(x).   G: −mean f(x̃).   Weight per fake: −1 (every sample alike).
    After every critic step each weight of D is clipped to [−clip, clip] (clip = 0.01). Clipping
    each member separately is the same as one element-wise clamp of the batched parameters,
    because every entry of a batched weight belongs to exactly one member.
    Paper settings (used as data): RMSProp lr 5e-5, 5 critic steps per G step.
    """

    name: str = "wgan"
    critic_steps: int = 5
    optimizer: dict | None = field(default_factory=lambda: {"kind": "rmsprop", "lr": 5e-5})
    description: str = "Wasserstein critic, weights clipped to ±0.01 (RMSProp, 5 critic steps)"
    output: str = "critic"
    reference: str = "Arjovsky, Chintala, Bottou 2017"
    clip: float = 0.01

    def after_discriminator_step(self, discriminator):
        with torch.no_grad():
            for p in discriminator.parameters():
                p.clamp_(-self.clip, self.clip)


@dataclass
class WassersteinGradientPenalty(_WassersteinCritic):
    """WGAN-GP (Gulrajani, Ahmed, Arjovsky, Dumoulin, Courville 2017, "Improved Training of Wasserstein GANs").

    D: mean f(x̃) − mean f(x) + λ · mean (‖∇f(x̂)‖₂ − 1)²,  x̂ = ε x + (1 − ε) x̃,  ε ~ U(0, 1), λ = 10.
    G: −mean f(x̃).   Weight per fake: −1.   No clipping.
    With packing, x̂ interpolates whole *packs* (one ε per pack, all m samples of the pack
    together) and the norm is taken over all the pack's features / channels. ε comes from the
    member's own random stream (``generators``), so an ensemble member equals its lone run.
    Assumes D scores each pack on its own (no batch norm in D), as Gulrajani et al. require.
    Paper settings (used as data): Adam lr 1e-4, betas (0.5, 0.9), 5 critic steps per G step.
    """

    name: str = "wgan-gp"
    critic_steps: int = 5
    optimizer: dict | None = field(default_factory=lambda: {"kind": "adam", "lr": 1e-4, "betas": (0.5, 0.9)})
    description: str = "Wasserstein critic with a gradient penalty λ = 10 (Adam (0.5, 0.9), 5 critic steps)"
    output: str = "critic"
    reference: str = "Gulrajani et al. 2017"
    penalty_weight: float = 10.0

    def penalty(self, discriminator, real_packs, fake_packs, generators):
        members, packs = real_packs.shape[:2]
        if len(generators) != members or fake_packs.shape != real_packs.shape:
            raise ValueError(f"the gradient penalty needs real and fake packs of one shape (K, B, ...) and one random "
                             f"generator per member; got {tuple(real_packs.shape)}, {tuple(fake_packs.shape)} and "
                             f"{len(generators)} generator(s)")
        eps = torch.stack([torch.rand(packs, generator=g, device=g.device) for g in generators])
        eps = eps.to(real_packs.device).view(members, packs, *([1] * (real_packs.dim() - 2)))
        # detached: the penalty trains D only; x̂ is a fresh leaf whose gradient we need
        mixed = (eps * real_packs.detach() + (1 - eps) * fake_packs.detach()).requires_grad_(True)
        with torch.enable_grad():
            scores = discriminator(mixed)
            (grad,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
        # + 1e-12 keeps the second derivative of the norm finite where the gradient is 0
        norm = torch.sqrt(grad.flatten(2).pow(2).sum(-1) + 1e-12)
        return self.penalty_weight * (norm - 1).pow(2).mean(-1)


@dataclass
class LeastSquares(GANLoss):
    """LSGAN with 0-1 coding (Mao, Li, Xie, Lau, Wang, Smolley 2017, "Least Squares GANs").

    D's output l is D(x) itself (no sigmoid), regressed to 1 on real and 0 on fake:
    D: ½ mean (l_r − 1)² + ½ mean l_f².   G: ½ mean (l_f − 1)².
    Weight per fake: l − 1 = −(1 − D(G(z))): linear, largest for the fakes D rejects — NS's
    emphasis, but unbounded (D is not squashed into [0, 1]).
    Optimiser: the preset's Adam, 1 critic step.
    """

    name: str = "lsgan"
    description: str = "least squares, 0-1 coding: D regresses real → 1, fake → 0"
    output: str = "probability"
    reference: str = "Mao et al. 2017"

    def discriminator_loss(self, real_logits, fake_logits):
        return 0.5 * (real_logits - 1).pow(2).mean(-1) + 0.5 * fake_logits.pow(2).mean(-1)

    def generator_loss(self, fake_logits):
        return 0.5 * (fake_logits - 1).pow(2).mean(-1)

    def sample_weights(self, fake_logits):
        return fake_logits - 1


@dataclass
class Hinge(GANLoss):
    """Hinge loss (Lim & Ye 2017, "Geometric GAN"; Miyato et al. 2018, SN-GAN).

    D: mean relu(1 − l_r) + mean relu(1 + l_f).   G: −mean l_f.   Weight per fake: −1.
    D stops caring about packs beyond the margin; G pushes every fake alike.
    Optimiser: the preset's Adam, 1 critic step (SN-GAN's Adam settings are close to the presets').
    """

    name: str = "hinge"
    description: str = "hinge: D wants l_real ≥ 1 and l_fake ≤ −1; G maximises l_fake"
    output: str = "critic"
    reference: str = "Lim & Ye 2017; Miyato et al. 2018"

    def discriminator_loss(self, real_logits, fake_logits):
        return F.relu(1 - real_logits).mean(-1) + F.relu(1 + fake_logits).mean(-1)

    def generator_loss(self, fake_logits):
        return -fake_logits.mean(-1)

    def sample_weights(self, fake_logits):
        return -torch.ones_like(fake_logits)


# ---------------------------------------------------------------------------- registry
LOSSES: dict[str, GANLoss] = {}


def register_loss(loss: GANLoss) -> GANLoss:
    """Add a loss to the registry (the widgets' loss dropdown and the CLI list every registered name)."""
    if not isinstance(loss, GANLoss) or not loss.name:
        raise ValueError(f"register_loss needs a GANLoss with a name, got {loss!r}")
    if loss.output not in OUTPUT_KINDS:
        raise ValueError(f"loss {loss.name!r}: output must be one of {', '.join(OUTPUT_KINDS)}, got {loss.output!r}")
    LOSSES[loss.name] = loss
    return loss


for _loss in (Minimax(), NonSaturating(), MinimaxNonSaturating(), Wasserstein(), WassersteinGradientPenalty(),
              LeastSquares(), Hinge()):
    register_loss(_loss)


def get_loss(name) -> GANLoss:
    """The registered loss called ``name`` (a ``GANLoss`` passes through)."""
    if isinstance(name, GANLoss):
        return name
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; valid: {', '.join(sorted(LOSSES))}") from None


def loss_names() -> list[str]:
    return list(LOSSES)


# ---------------------------------------------------------------------------- sample weights
def generator_sample_weights(loss, fake_logits) -> torch.Tensor:
    """Per-sample weights wᵢ = ∂(Σ L_G)/∂lᵢ by autograd (Eide et al., arXiv 2010.02035).

    ``fake_logits``: D's outputs on generated packs, shape (B,) or (K, B). G's loss averages
    over the B packs; the weights are those of the *sum* (B × the gradient of the mean), so
    MM gives exactly −σ(l) and NS −(1 − σ(l)). Same shape as ``fake_logits``.
    """
    loss = get_loss(loss)
    logits = torch.as_tensor(fake_logits, dtype=torch.float32).detach().clone()
    if logits.dim() not in (1, 2) or logits.shape[-1] == 0:
        raise ValueError(f"fake_logits must have shape (B,) or (K, B) with B >= 1, got {tuple(logits.shape)}")
    single = logits.dim() == 1
    batch = logits.unsqueeze(0) if single else logits
    batch.requires_grad_(True)
    with torch.enable_grad():
        (grad,) = torch.autograd.grad(loss.generator_loss(batch).sum(), batch)
    weights = grad * batch.shape[-1]
    return weights[0] if single else weights


def normalised_weights(weights: torch.Tensor) -> torch.Tensor:
    """wᵢ / Σⱼ wⱼ over the last axis: the share of G's push each sample gets (sums to 1)."""
    weights = torch.as_tensor(weights)
    return weights / weights.sum(-1, keepdim=True)


def weight_curves(names=None, d=None, nsat_ratio: float = 1.0) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Closed-form weight of one fake against D(G(z)) for each loss: ``{name: (d, w)}``.

    ``d``: verdicts in (0, 1) (default 199 points). Critics (WGAN, hinge) have no probability:
    their weight is −1 whatever D says. MM-nsat's curve needs the batch ratio R (``nsat_ratio``):
    R = (1 − d̄)/d̄ for a batch with mean verdict d̄ (e.g. early training d̄ ≈ 0.05 gives R = 19).
    """
    names = loss_names() if names is None else list(names)
    if d is None:
        d = torch.linspace(0.005, 0.995, 199)
    d = torch.as_tensor(d, dtype=torch.float32)
    if ((d <= 0) | (d >= 1)).any():
        raise ValueError("d (the verdict D(G(z))) must lie strictly between 0 and 1")
    if not nsat_ratio > 0 or not math.isfinite(nsat_ratio):
        raise ValueError(f"nsat_ratio must be a positive finite number, got {nsat_ratio!r}")
    return {name: (d, get_loss(name).weight_curve(d, ratio=nsat_ratio)) for name in names}
