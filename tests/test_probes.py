"""Probes: the discriminator heatmap and the generator's arrows are what they claim to be."""
from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F

from pacgan_edu import GANTrainer, Member, preset
from pacgan_edu import probes


@pytest.fixture(scope="module")
def trained():
    """A small ensemble with a lone GAN and a packed one, trained a little so D is not flat."""
    return GANTrainer(preset("quick", dataset="grid", steps=30), members=[Member(1, 0), Member(3, 1), Member(3, 2)],
                      device="cpu").run(progress=False)


def _discriminator(trainer, member):
    """Plain call of the member's batched D on (1, B, 2m) packs (slicing via the whole group; the
    group's D reads the widest m, so narrower packs are zero-padded as in training)."""
    group = next(g for g in trainer.groups if member in g.members)
    index = group.members.index(member)

    def call(packs):
        with torch.no_grad():
            packs = group.pad(packs)
            return group.discriminator(packs.expand(len(group.members), *packs.shape[1:]))[index]
    return call


def test_unpacked_heatmap_is_sigmoid_of_d(trained):
    heat = probes.discriminator_map(trained, member=0, resolution=7, extent=(-3, 3, -2, 2))
    assert heat.values.shape == (7, 7) and heat.draws == 1 and heat.pack == 1
    xs, ys = torch.meshgrid(torch.linspace(-3, 3, 7), torch.linspace(-2, 2, 7), indexing="xy")
    points = torch.stack([xs.flatten(), ys.flatten()], dim=1)
    expected = torch.sigmoid(_discriminator(trained, 0)(points.unsqueeze(0))).reshape(7, 7)
    torch.testing.assert_close(torch.as_tensor(heat.values), expected, rtol=1e-5, atol=1e-6)
    assert heat.values[0, -1] == pytest.approx(expected[0, -1].item(), rel=1e-5)  # row = y, column = x


def test_packed_heatmap_averages_the_swept_point_over_slots(trained):
    """With one repeated companion c and m = 3, draws 0..2 put x in slots 0, 1, 2."""
    c = torch.tensor([[0.5, -1.0]])
    heat = probes.discriminator_map(trained, member=1, resolution=4, extent=(-1, 1, -1, 1), draws=3, companions=c)
    assert heat.pack == 3 and heat.draws == 3
    xs, ys = torch.meshgrid(torch.linspace(-1, 1, 4), torch.linspace(-1, 1, 4), indexing="xy")
    x = torch.stack([xs.flatten(), ys.flatten()], dim=1)
    cc = c.expand(len(x), 2)
    d = _discriminator(trained, 1)
    slots = [torch.cat(order, dim=1) for order in ([x, cc, cc], [cc, x, cc], [cc, cc, x])]
    expected = torch.stack([torch.sigmoid(d(p.unsqueeze(0))) for p in slots]).mean(0).reshape(4, 4)
    torch.testing.assert_close(torch.as_tensor(heat.values), expected, rtol=1e-5, atol=1e-6)


def test_probing_a_member_equals_probing_the_lone_run(trained):
    lone = GANTrainer(preset("quick", dataset="grid", steps=30), members=[Member(3, 2)], device="cpu").run(progress=False)
    a = probes.discriminator_map(trained, member=2, resolution=9)
    b = probes.discriminator_map(lone, member=0, resolution=9)
    torch.testing.assert_close(torch.as_tensor(a.values), torch.as_tensor(b.values), rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(probes.generated_samples(trained, 2), probes.generated_samples(lone, 0))
    pa, va = probes.generator_gradients(trained, member=2, n=60)
    pb, vb = probes.generator_gradients(lone, member=0, n=60)
    torch.testing.assert_close(va, vb, rtol=1e-4, atol=1e-6)


def test_generated_samples_match_the_trainer(trained):
    everyone = trained.generate(trained.eval_noise[:, :100])
    for member in range(len(trained.members)):
        torch.testing.assert_close(probes.generated_samples(trained, member, 100), everyone[member])


@pytest.mark.parametrize("member", [0, 1])
def test_arrows_are_minus_the_per_pack_gradient_of_the_generator_loss(trained, member):
    """Finite differences (in float64) agree with the autograd arrows (NS loss, packs of m)."""
    m = trained.members[member].pack
    points = probes.generated_samples(trained, member, 30)
    where, arrows = probes.generator_gradients(trained, member, points=points)
    assert where.shape == arrows.shape == (30, 2)
    group = next(g for g in trained.groups if member in g.members)
    index = group.members.index(member)
    discriminator = copy.deepcopy(group.discriminator).double()

    def pack_terms(x):  # the generator loss times the number of packs = the sum of per-pack terms
        packs = group.pad(x.double().reshape(1, 30 // m, 2 * m)).expand(len(group.members), -1, -1)
        with torch.no_grad():
            return F.softplus(-discriminator(packs)[index]).sum().item()

    eps = 1e-5
    for point in (0, int(arrows.norm(dim=1).argmax())):
        for coordinate in range(2):
            plus, minus = where.double().clone(), where.double().clone()
            plus[point, coordinate] += eps
            minus[point, coordinate] -= eps
            numeric = -(pack_terms(plus) - pack_terms(minus)) / (2 * eps)
            assert arrows[point, coordinate].item() == pytest.approx(numeric, rel=1e-3, abs=1e-6)


def test_arrows_point_up_the_discriminator(trained):
    """For the non-saturating loss, moving along an arrow raises D's logit on that pack."""
    points, arrows = probes.generator_gradients(trained, member=0, n=50)
    d = _discriminator(trained, 0)
    before = d(points.unsqueeze(0))
    after = d((points + 1e-3 * arrows / arrows.norm(dim=1, keepdim=True).clamp_min(1e-12)).unsqueeze(0))
    moving = arrows.norm(dim=1) > 1e-6
    assert moving.any()
    assert (after[moving] >= before[moving] - 1e-6).float().mean() > 0.9


def test_probe_frame_bundles_everything(trained):
    frame = probes.probe_frame(trained, member=1, samples=120, resolution=10, arrows=40)
    assert frame.pack == 3 and frame.seed == 1 and frame.step == trained.step
    assert frame.generated.shape == (120, 2) and frame.real.shape == (120, 2)
    assert frame.arrow_points.shape == (39, 2)  # 40 points -> 13 packs of 3
    assert frame.heatmap.values.shape == (10, 10)
    latest = trained.results()[1]
    assert frame.metrics == {k: latest[k] for k in trained.task.metric_names}
    assert [r["step"] for r in frame.history] == sorted({r["step"] for r in trained.history})


def test_bad_input_is_explained(trained):
    with pytest.raises(ValueError, match="member must be an index in 0..2"):
        probes.discriminator_map(trained, member=3)
    with pytest.raises(ValueError, match="resolution"):
        probes.discriminator_map(trained, member=0, resolution=1)
    with pytest.raises(ValueError, match="draws"):
        probes.discriminator_map(trained, member=1, draws=0)
    with pytest.raises(ValueError, match="n must be in"):
        probes.generated_samples(trained, 0, n=10**6)


def test_view_extent_frames_the_modes():
    from pacgan_edu.data import grid, ring

    xmin, xmax, ymin, ymax = probes.view_extent(grid())
    assert xmin < -4 and xmax > 4 and ymin < -4 and ymax > 4
    xmin, xmax, _, _ = probes.view_extent(ring())
    assert -2 < xmin < -1 and 1 < xmax < 2


@pytest.mark.parametrize("loss", ["lsgan", "wgan", "hinge"])
def test_heatmap_reads_d_the_way_its_loss_does(loss):
    """LSGAN's D is its own verdict (clamped to [0, 1]); a critic's scores keep their order, rescaled."""
    trainer = GANTrainer(preset("quick", dataset="ring", steps=5, loss=loss), packs=[1], seeds=[0], device="cpu")
    trainer.run(progress=False)
    heat = probes.discriminator_map(trainer, member=0, resolution=6, extent=(-2, 2, -2, 2))
    xs, ys = torch.meshgrid(torch.linspace(-2, 2, 6), torch.linspace(-2, 2, 6), indexing="xy")
    raw = _discriminator(trainer, 0)(torch.stack([xs.flatten(), ys.flatten()], dim=1).unsqueeze(0)).reshape(6, 6)
    values = torch.as_tensor(heat.values)
    assert values.min() >= 0 and values.max() <= 1
    if loss == "lsgan":
        torch.testing.assert_close(values, raw.clamp(0, 1), rtol=1e-5, atol=1e-6)
        assert "LSGAN" in heat.label
    else:
        assert "critic" in heat.label and values.max() == 1 and values.min() == 0
        inner = (values > 0) & (values < 1)   # unclipped points keep the critic's order
        order_raw, order_heat = raw[inner].argsort(), values[inner].argsort()
        assert torch.equal(order_raw, order_heat)
