"""The loss registry: formulas, sample weights, gradient penalty, clipping, optimiser settings."""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from pacgan_edu import preset
from pacgan_edu import losses as L
from pacgan_edu.models.toy import ToyDiscriminator, toy_architecture

ALL = ["mm", "ns", "mm-nsat", "wgan", "wgan-gp", "lsgan", "hinge"]


def logits(*shape, seed=0, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g) * scale


def test_registry_has_every_loss_and_unknown_names_list_the_valid_ones():
    assert set(ALL) <= set(L.loss_names())
    for name in ALL:
        assert L.get_loss(name).name == name
        assert L.get_loss(name).description and L.get_loss(name).reference
    with pytest.raises(ValueError, match=r"unknown loss 'wgan_gp'; valid: .*hinge.*lsgan.*mm-nsat.*wgan-gp"):
        L.get_loss("wgan_gp")
    with pytest.raises(ValueError, match="GANLoss with a name"):
        L.register_loss(L.Minimax(name=""))


@pytest.mark.parametrize("name", ALL)
def test_losses_are_per_member(name):
    """(K, B) logits -> (K,) losses, and member k's loss ignores every other member's logits."""
    loss = L.get_loss(name)
    real = logits(3, 5, seed=1)
    fake = logits(3, 5, seed=2).requires_grad_(True)
    d, g = loss.discriminator_loss(real, fake), loss.generator_loss(fake)
    assert d.shape == g.shape == (3,)
    (grad,) = torch.autograd.grad(g[1], fake)
    assert grad[0].abs().sum() == 0 and grad[2].abs().sum() == 0 and grad[1].abs().sum() > 0


def test_autograd_weights_equal_the_closed_forms():
    l = logits(4, 9)
    w = {name: L.generator_sample_weights(name, l) for name in ALL}
    torch.testing.assert_close(w["mm"], -torch.sigmoid(l))
    torch.testing.assert_close(w["ns"], -(1 - torch.sigmoid(l)))
    ratio = (1 - torch.sigmoid(l)).sum(-1, keepdim=True) / torch.sigmoid(l).sum(-1, keepdim=True)
    torch.testing.assert_close(w["mm-nsat"], -ratio * torch.sigmoid(l))
    torch.testing.assert_close(w["lsgan"], l - 1)
    for name in ("wgan", "wgan-gp", "hinge"):
        torch.testing.assert_close(w[name], -torch.ones_like(l))
    for name in ALL:  # the closed forms the plots use agree with autograd too
        torch.testing.assert_close(L.get_loss(name).sample_weights(l), w[name])
    # a single batch (B,) works the same
    torch.testing.assert_close(L.generator_sample_weights("mm", l[0]), -torch.sigmoid(l[0]))


def test_mm_nsat_total_weight_equals_ns_but_its_shape_is_mm():
    l = logits(5, 64, seed=3)
    nsat, ns, mm = (L.generator_sample_weights(n, l) for n in ("mm-nsat", "ns", "mm"))
    torch.testing.assert_close(nsat.sum(-1), ns.sum(-1))
    torch.testing.assert_close(L.normalised_weights(nsat), L.normalised_weights(mm))
    assert not torch.allclose(L.normalised_weights(ns), L.normalised_weights(mm))


def test_mm_saturates_where_d_rejects_and_mm_nsat_does_not():
    rejected = torch.full((1, 32), -6.0)   # D(G(z)) ≈ 0.0025
    assert L.generator_sample_weights("mm", rejected).abs().sum() < 0.1
    assert L.generator_sample_weights("mm-nsat", rejected).abs().sum() == pytest.approx(32 * (1 - torch.sigmoid(torch.tensor(-6.0)).item()), rel=1e-5)
    # even when every σ underflows, MM-nsat stays finite
    extreme = torch.full((2, 8), -200.0)
    assert torch.isfinite(L.get_loss("mm-nsat").generator_loss(extreme)).all()
    assert torch.isfinite(L.generator_sample_weights("mm-nsat", extreme)).all()


def test_generator_loss_values_match_the_formulas():
    l = logits(2, 6, seed=4)
    real = logits(2, 6, seed=5)
    torch.testing.assert_close(L.get_loss("mm").generator_loss(l), torch.log(1 - torch.sigmoid(l)).mean(-1))
    torch.testing.assert_close(L.get_loss("ns").generator_loss(l), -torch.log(torch.sigmoid(l)).mean(-1))
    torch.testing.assert_close(L.get_loss("lsgan").discriminator_loss(real, l),
                               (0.5 * (real - 1) ** 2).mean(-1) + (0.5 * l ** 2).mean(-1))
    torch.testing.assert_close(L.get_loss("hinge").discriminator_loss(real, l),
                               torch.clamp(1 - real, min=0).mean(-1) + torch.clamp(1 + l, min=0).mean(-1))
    torch.testing.assert_close(L.get_loss("wgan").discriminator_loss(real, l), l.mean(-1) - real.mean(-1))


def test_verdict_reads_the_output_as_each_loss_does():
    l = torch.tensor([[-2.0, 0.0, 3.0]])
    torch.testing.assert_close(L.get_loss("ns").verdict(l), torch.sigmoid(l))
    torch.testing.assert_close(L.get_loss("lsgan").verdict(l), l)
    torch.testing.assert_close(L.get_loss("hinge").verdict(l), l)


def test_weight_curves():
    curves = L.weight_curves(["mm", "ns", "mm-nsat", "lsgan", "hinge"], nsat_ratio=4.0)
    d, mm = curves["mm"]
    torch.testing.assert_close(mm, -d, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(curves["ns"][1], -(1 - d), atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(curves["mm-nsat"][1], -4.0 * d)
    torch.testing.assert_close(curves["lsgan"][1], d - 1)
    torch.testing.assert_close(curves["hinge"][1], -torch.ones_like(d))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        L.weight_curves(["mm"], d=[0.0, 0.5])
    with pytest.raises(ValueError, match="nsat_ratio"):
        L.weight_curves(["mm-nsat"], nsat_ratio=-1)


class LinearCritic(torch.nn.Module):
    """f_k(x) = <w_k, x> per member over all of a pack's features: ‖∇f_k‖ = ‖w_k‖ everywhere."""

    def __init__(self, weights):
        super().__init__()
        self.w = torch.nn.Parameter(weights)

    def forward(self, packs):  # (K, B, ...) -> (K, B)
        return (packs * self.w.unsqueeze(1)).flatten(2).sum(-1)


def test_gradient_penalty_is_zero_for_a_unit_slope_linear_critic_and_per_member_otherwise():
    gp = L.get_loss("wgan-gp")
    torch.manual_seed(0)
    members, packs, features = 3, 10, 4   # 2D points, m = 2
    direction = torch.randn(members, features)
    unit = direction / direction.norm(dim=-1, keepdim=True)
    gens = [torch.Generator().manual_seed(k) for k in range(members)]
    real, fake = torch.randn(members, packs, features), torch.randn(members, packs, features)
    penalty = gp.penalty(LinearCritic(unit), real, fake, gens)
    assert penalty.shape == (members,)
    assert penalty.abs().max() < 1e-6
    with pytest.raises(ValueError, match="one random generator per member"):
        gp.penalty(LinearCritic(unit), real, fake, gens[:2])
    slopes = torch.tensor([1.0, 2.0, 0.5])
    penalty = gp.penalty(LinearCritic(unit * slopes[:, None]), real, fake, gens)
    torch.testing.assert_close(penalty, 10.0 * (slopes - 1) ** 2)


def test_gradient_penalty_on_packed_images_interpolates_whole_packs():
    """Images (K, B, m*C, H, W): one ε per pack from the member's own stream, norm over all channels."""
    gp = L.get_loss("wgan-gp")
    members, packs, shape = 2, 5, (2 * 3, 4, 4)          # m = 2 packs of RGB 4x4 images
    size = math.prod(shape)

    class HalfSquare(torch.nn.Module):                   # f(x) = ½‖x‖²  ->  ∇f(x̂) = x̂
        def forward(self, x):
            return 0.5 * x.flatten(2).pow(2).sum(-1)

    real, fake = torch.ones(members, packs, *shape), torch.zeros(members, packs, *shape)
    penalty = gp.penalty(HalfSquare(), real, fake, [torch.Generator().manual_seed(10 + k) for k in range(members)])
    assert penalty.shape == (members,)
    for k in range(members):                              # x̂ = ε·1, so ‖∇f(x̂)‖ = ε·sqrt(size)
        eps = torch.rand(packs, generator=torch.Generator().manual_seed(10 + k))
        expected = 10.0 * (eps * math.sqrt(size) - 1).pow(2).mean()
        torch.testing.assert_close(penalty[k], expected)
    # the penalty trains D: it has a gradient with respect to D's parameters, none to the inputs
    critic = LinearCritic(torch.randn(members, *shape))
    fake_in = torch.randn(members, packs, *shape, requires_grad=True)
    out = gp.penalty(critic, real, fake_in, [torch.Generator().manual_seed(k) for k in range(members)]).sum()
    grad_w, grad_fake = torch.autograd.grad(out, [critic.w, fake_in], allow_unused=True)
    assert grad_w is not None and grad_w.abs().sum() > 0 and grad_fake is None


def tiny_discriminator(pack=1, members=2):
    gens = [torch.Generator().manual_seed(k) for k in range(members)]
    return ToyDiscriminator(gens, toy_architecture("tiny"), pack=pack)


def test_clipping_keeps_every_weight_in_range_and_leaves_small_ones_alone():
    wgan = L.get_loss("wgan")
    d = tiny_discriminator()
    with torch.no_grad():
        for p in d.parameters():
            p.mul_(10)
    before = [p.detach().clone() for p in d.parameters()]
    wgan.after_discriminator_step(d)
    for old, p in zip(before, d.parameters()):
        assert p.abs().max() <= wgan.clip
        inside = old.abs() <= wgan.clip
        assert torch.equal(p[inside], old[inside])
        assert torch.equal(p[~inside], wgan.clip * old[~inside].sign())
    assert L.get_loss("wgan-gp").penalty is not None
    d2 = tiny_discriminator()
    snapshot = [p.detach().clone() for p in d2.parameters()]
    L.get_loss("wgan-gp").after_discriminator_step(d2)      # the penalty replaces clipping
    assert all(torch.equal(a, b) for a, b in zip(snapshot, d2.parameters()))


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("pack", [1, 2])
def test_every_loss_lowers_the_discriminator_loss_on_a_separable_toy(name, pack):
    """Real packs near (+1, +1), fake near (−1, −1): a few D steps with the loss's own optimiser
    (quick preset scale), penalty and clipping included, lower D's loss for every member."""
    loss = L.get_loss(name)
    members, packs = 2, 32
    g = torch.Generator().manual_seed(0)
    real = (torch.randn(members, packs, 2 * pack, generator=g) * 0.1 + 1.0)
    fake = (torch.randn(members, packs, 2 * pack, generator=g) * 0.1 - 1.0)
    d = tiny_discriminator(pack, members)
    _, optimizer = loss.make_optimizers([torch.nn.Parameter(torch.zeros(1))], d.parameters(), preset("quick"))
    rngs = [torch.Generator().manual_seed(100 + k) for k in range(members)]

    def d_loss():
        value = loss.discriminator_loss(d(real), d(fake))
        penalty = loss.penalty(d, real, fake, rngs)
        return value if penalty is None else value + penalty

    loss.after_discriminator_step(d)   # e.g. WGAN starts from clipped weights
    with torch.no_grad():
        first = loss.discriminator_loss(d(real), d(fake))
    for _ in range(30):
        optimizer.zero_grad()
        d_loss().sum().backward()
        optimizer.step()
        loss.after_discriminator_step(d)
    with torch.no_grad():
        last = loss.discriminator_loss(d(real), d(fake))
    assert torch.isfinite(last).all()
    assert (last < first).all(), f"{name}: D loss {first.tolist()} -> {last.tolist()}"


def test_optimizer_settings_paper_exact_lecture_scaled():
    paper, lecture = preset("paper"), preset("lecture")
    wgan, gp, ns = L.get_loss("wgan"), L.get_loss("wgan-gp"), L.get_loss("ns")
    s = wgan.optimizer_settings(paper)
    assert s["kind"] == "rmsprop" and s["lr_generator"] == pytest.approx(5e-5) and s["lr_discriminator"] == pytest.approx(5e-5)
    s = gp.optimizer_settings(paper)
    assert s["kind"] == "adam" and s["lr_discriminator"] == pytest.approx(1e-4) and s["betas"] == (0.5, 0.9)
    # at another scale the loss keeps its kind and betas; the preset's lr is scaled by paper lr / 1e-4
    s = wgan.optimizer_settings(lecture)
    assert s["lr_generator"] == pytest.approx(lecture.lr_generator * 0.5)
    assert s["lr_discriminator"] == pytest.approx(lecture.lr_discriminator * 0.5)
    s = gp.optimizer_settings(lecture)
    assert s["lr_discriminator"] == pytest.approx(lecture.lr_discriminator) and s["betas"] == (0.5, 0.9)
    s = ns.optimizer_settings(lecture)
    assert s["kind"] == "adam" and s["betas"] == lecture.betas and s["lr_generator"] == lecture.lr_generator
    # recommended critic steps are data
    assert wgan.critic_steps == gp.critic_steps == 5 and ns.critic_steps == 1
    bad = L.Minimax(name="bad", optimizer={"kind": "sgd", "lr": 1e-3})
    with pytest.raises(ValueError, match="valid: adam, rmsprop"):
        bad.optimizer_settings(lecture)
    opt_g, opt_d = wgan.make_optimizers([torch.nn.Parameter(torch.zeros(1))], [torch.nn.Parameter(torch.zeros(1))], paper)
    assert isinstance(opt_d, torch.optim.RMSprop) and opt_d.param_groups[0]["lr"] == pytest.approx(5e-5)
