"""Unrolled GAN (Metz, Poole, Pfau, Sohl-Dickstein, "Unrolled Generative Adversarial Networks",
ICLR 2017).

G's update looks K steps ahead: starting from θ_D⁰ = θ_D, take K *differentiable* D updates

    θ_D^{k+1} = θ_D^k − η · update(∂L_D(θ_D^k, θ_G)/∂θ_D^k),

then G descends L_G(θ_G, θ_D^K(θ_G)) — including the path through dθ_D^K/dθ_G, so G is
penalised for moves D would quickly punish (e.g. piling onto one mode). D itself updates with
the ordinary loss; the unrolled copies are thrown away. K = 0 is the plain GAN.

The look-ahead steps use D's own optimiser: Adam (as in the authors' 2D notebook) continues
from D's current Adam moments and learning rate; any other optimiser, or ``optimizer=sgd``,
takes plain gradient steps with D's learning rate. Each step reuses the current batch (as the
authors' notebook does) and costs about one more D forward and backward, plus a
second-order backward for G; memory grows linearly in K. Gradient penalties are not applied
inside the look-ahead.
"""
from __future__ import annotations

import torch
from torch.func import functional_call

from .base import Remedy, StepData, non_negative_int

UNROLL_OPTIMIZERS = ("auto", "adam", "sgd")


def _optimizer_choice(value) -> str:
    value = str(value)
    if value not in UNROLL_OPTIMIZERS:
        raise ValueError(f"valid: {', '.join(UNROLL_OPTIMIZERS)}")
    return value


def look_ahead(discriminator, params: dict, loss, real_packs, fake_packs, steps: int, optimizer,
               kind: str = "auto") -> dict:
    """θ_D after ``steps`` differentiable updates of ``loss.discriminator_loss`` (summed over members).

    ``optimizer``: D's torch optimiser (its learning rate, and Adam's betas/eps/moments).
    """
    group = optimizer.param_groups[0]
    lr = group["lr"]
    use_adam = kind == "adam" or (kind == "auto" and isinstance(optimizer, torch.optim.Adam))
    names = list(params)
    if use_adam:
        beta1, beta2 = group.get("betas", (0.9, 0.999))
        eps = group.get("eps", 1e-8)
        moments = []
        for name in names:
            state = optimizer.state.get(discriminator.get_parameter(name), {})
            moments.append([state.get("exp_avg", torch.zeros_like(params[name])),
                            state.get("exp_avg_sq", torch.zeros_like(params[name])),
                            float(state.get("step", 0))])
    for _ in range(steps):
        real_logits = functional_call(discriminator, params, (real_packs,))
        fake_logits = functional_call(discriminator, params, (fake_packs,))
        d_loss = loss.discriminator_loss(real_logits, fake_logits).sum()
        grads = torch.autograd.grad(d_loss, list(params.values()), create_graph=True, allow_unused=True)
        new = {}
        for i, (name, grad) in enumerate(zip(names, grads)):
            value = params[name]
            if grad is None:
                new[name] = value
                continue
            if use_adam:
                m, v, t = moments[i]
                m = beta1 * m + (1 - beta1) * grad
                v = beta2 * v + (1 - beta2) * grad * grad
                t += 1
                moments[i] = [m, v, t]
                m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
                # sqrt(v + eps²), not sqrt(v): finite second derivative where a gradient is exactly 0
                new[name] = value - lr * m_hat / ((v_hat + eps * eps).sqrt() + eps)
            else:
                new[name] = value - lr * grad
        params = new
    return params


class Unrolled(Remedy):
    name = "unrolled"
    title = "unrolled GAN"
    reference = "Metz et al., Unrolled Generative Adversarial Networks, ICLR 2017"
    summary = ("G plans ahead: it is scored by the D that K more D updates would produce, so "
               "a move D can quickly punish does not pay.")
    options = {"steps": (5, non_negative_int, "K, differentiable D steps G looks ahead (paper: 1, 5, 10)"),
               "optimizer": ("auto", _optimizer_choice, "look-ahead update: D's optimiser (auto), adam or sgd")}

    @property
    def needs_real_for_generator(self) -> bool:   # K = 0 draws exactly what the plain GAN draws
        return self.steps > 0

    def generator_loss(self, trainer, step: StepData):
        if self.steps == 0:
            return super().generator_loss(trainer, step)
        discriminator = step.group.discriminator
        params = dict(discriminator.named_parameters())
        ahead = look_ahead(discriminator, params, trainer.loss, step.real_packs.detach(), step.fake_packs,
                           self.steps, trainer.optimizer_d, self.optimizer)
        return trainer.loss.generator_loss(functional_call(discriminator, ahead, (step.fake_packs,)))
