"""The remedies (pacgan_edu.remedies): formulas, hooks, and that each composes with packing and
with vectorized ensembles (a member equals its lone run)."""
import pytest
import torch
from torch.func import functional_call

from pacgan_edu import GANTrainer, Member, preset
from pacgan_edu.remedies import REMEDIES, make_remedy, parse_option
from pacgan_edu.remedies.adagan import adagan_weights, modes_added, train_adagan
from pacgan_edu.remedies.feature_matching import feature_matching_loss
from pacgan_edu.remedies.minibatch_discrimination import minibatch_features
from pacgan_edu.remedies.several_generators import SeveralGenerators, generator_labels, which_generator_loss
from pacgan_edu.remedies.unrolled import look_ahead

PER_STEP = ["none", "minibatch", "feature-matching", "unrolled", "several-generators"]
SMALL = {"unrolled": {"steps": 2}, "several-generators": {"generators": 3}}


def tiny(remedy="none", **overrides):
    settings = {"dataset": "grid", "steps": 6, "batch_size": 16, "eval_samples": 200, "eval_every": 6,
                "remedy": remedy, "remedy_options": SMALL.get(remedy, {}), **overrides}
    return preset("quick", **settings)


# ------------------------------------------------------------------ minibatch discrimination
def test_minibatch_features_are_large_for_look_alikes_and_exclude_self_pairs():
    torch.manual_seed(0)
    tensor = torch.randn(1, 3, 4, 2)
    same = torch.ones(1, 5, 3)                              # five identical samples
    far = torch.arange(5.0).view(1, 5, 1).expand(1, 5, 3) * 100   # five very different samples
    o_same, o_far = minibatch_features(same, tensor), minibatch_features(far, tensor)
    # identical: every other sample has closeness exp(0) = 1, the self-pair is left out -> N − 1
    torch.testing.assert_close(o_same, torch.full((1, 5, 4), 4.0))
    assert o_far.abs().max() < 1e-6
    lone = minibatch_features(torch.ones(1, 1, 3), tensor)   # a batch of one has no other sample
    torch.testing.assert_close(lone, torch.zeros(1, 1, 4))


# ------------------------------------------------------------------ feature matching
def test_feature_matching_loss_is_zero_for_equal_features_and_positive_otherwise():
    f = torch.randn(2, 8, 5)
    torch.testing.assert_close(feature_matching_loss(f, f.clone()), torch.zeros(2))
    shifted = f + torch.tensor([0.0, 1.0]).view(2, 1, 1)
    loss = feature_matching_loss(f, shifted)
    assert loss[0] == 0 and loss[1] == pytest.approx(5.0)


def test_feature_matching_trains_generator_only_d_steps_as_the_plain_gan():
    plain = GANTrainer(tiny(steps=1), packs=[1], seeds=[0], device="cpu").run(progress=False)
    matched = GANTrainer(tiny("feature-matching", steps=1), packs=[1], seeds=[0], device="cpu").run(progress=False)
    for a, b in zip(plain.discriminator_parameters, matched.discriminator_parameters):
        assert torch.equal(a, b)              # D: the ordinary loss on the same batch
    assert not all(torch.equal(a, b) for a, b in zip(plain.generator_parameters, matched.generator_parameters))


# ------------------------------------------------------------------ unrolled
@pytest.mark.parametrize("updates", ["simultaneous", "alternating"])
def test_unrolled_with_zero_steps_is_the_plain_gan_exactly(updates):
    plain = GANTrainer(tiny(updates=updates), packs=[1, 2], seeds=[0], device="cpu").run(progress=False)
    zero = GANTrainer(tiny("unrolled", remedy_options={"steps": 0}, updates=updates), packs=[1, 2], seeds=[0],
                      device="cpu").run(progress=False)
    for a, b in zip(plain.groups.parameters(), zero.groups.parameters()):
        assert torch.equal(a, b)


def test_unrolled_one_step_equals_a_hand_written_look_ahead():
    """K = 1 with plain gradient steps: G's gradient through θ_D' = θ_D − η ∇L_D(θ_D, θ_G),
    computed here with torch.func transforms instead of the remedy's autograd graph."""
    trainer = GANTrainer(tiny("unrolled", remedy_options={"steps": 1, "optimizer": "sgd"}), packs=[2], seeds=[3],
                         device="cpu")
    group = trainer.groups[0]
    real = group.to_packs(trainer._batch(group, real=True))
    noise = trainer._batch(group, real=False)
    lr = trainer.optimizer_d.param_groups[0]["lr"]
    d_params = {k: v.detach() for k, v in group.discriminator.named_parameters()}
    g_params = {k: v.detach() for k, v in group.generator.named_parameters()}

    def fake_of(gp):
        return group.to_packs([functional_call(group.generator, gp, (noise[0],))])

    def d_loss(dp, gp):
        return trainer.loss.discriminator_loss(functional_call(group.discriminator, dp, (real,)),
                                               functional_call(group.discriminator, dp, (fake_of(gp),))).sum()

    def g_loss(gp):
        grads = torch.func.grad(d_loss)(d_params, gp)
        ahead = {k: d_params[k] - lr * grads[k] for k in d_params}
        return trainer.loss.generator_loss(functional_call(group.discriminator, ahead, (fake_of(gp),))).sum()

    expected = torch.func.grad(g_loss)(g_params)
    step = trainer._step_data(group, [real], group.fake(noise))
    step.real_packs = real
    ours = trainer.remedy.generator_loss(trainer, step).sum()
    grads = torch.autograd.grad(ours, list(group.generator.parameters()), retain_graph=True)
    for (name, _), grad in zip(group.generator.named_parameters(), grads):
        torch.testing.assert_close(grad, expected[name], rtol=1e-4, atol=1e-6)
    plain = trainer.loss.generator_loss(group.discriminator(step.fake_packs)).sum()
    plain_grads = torch.autograd.grad(plain, list(group.generator.parameters()))
    assert any((a - b).abs().max() > 1e-6 for a, b in zip(grads, plain_grads))   # the look-ahead matters


def test_unrolled_adam_look_ahead_moves_d_like_adam():
    trainer = GANTrainer(tiny("unrolled"), packs=[1], seeds=[0], device="cpu").run(steps=2, progress=False)
    group = trainer.groups[0]
    d = group.discriminator
    real = group.to_packs(trainer._batch(group, real=True))
    fake = group.to_packs(group.fake(trainer._batch(group, real=False))).detach()
    params = dict(d.named_parameters())
    ahead = look_ahead(d, params, trainer.loss, real, fake, 1, trainer.optimizer_d, "adam")
    # the real optimiser, one step on the same batch, lands in the same place
    trainer.optimizer_d.zero_grad()
    trainer.loss.discriminator_loss(d(real), d(fake)).sum().backward()
    trainer.optimizer_d.step()
    for name, p in d.named_parameters():
        torch.testing.assert_close(ahead[name].detach(), p.detach(), rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------ several generators
def test_each_generator_gets_its_share_and_sample_i_comes_from_generator_i_mod_k():
    class Shift(torch.nn.Module):               # sub-generator s adds s to its noise
        def forward(self, z):
            return z + torch.arange(z.shape[0], dtype=z.dtype).view(-1, 1, 1)
    several = SeveralGenerators(Shift(), 4)
    z = torch.zeros(2, 12, 2)
    x = several(z)                                # members 0, 1 -> sub-generators 0-3, 4-7
    labels = generator_labels(12, 4)
    torch.testing.assert_close(x[0, :, 0], labels.float())
    torch.testing.assert_close(x[1, :, 0], labels.float() + 4)
    assert torch.bincount(labels).tolist() == [3, 3, 3, 3]
    uneven = several(torch.zeros(1, 10, 2))          # 10 samples, 4 generators: shares 3, 3, 2, 2
    torch.testing.assert_close(uneven[0, :, 0], generator_labels(10, 4).float())
    assert torch.bincount(generator_labels(10, 4)).tolist() == [3, 3, 2, 2]


def test_generator_labels_follow_generate_in_chunks():
    # the lecture G has no BatchNorm, so one sample can be generated alone
    trainer = GANTrainer(tiny("several-generators", architecture="lecture"), packs=[1], seeds=[0], device="cpu")
    labels = trainer.generator_labels(0)                  # 200 samples in chunks of 16, 3 generators
    assert labels.shape == (200,) and labels[16] == 0 and labels[15] == 0 and labels[14] == 2
    # the labels are right: regenerate each chunk from one generator's noise alone
    group = trainer.groups[0]
    noise = trainer.eval_noise[:1, :16]
    alone = group.generator.inner(noise[:, 4:5].repeat(3, 1, 1))[1]     # sample 4 -> generator 1
    torch.testing.assert_close(trainer.generate(trainer.eval_noise[:, :16])[0, 4], alone[0])
    assert GANTrainer(tiny(), packs=[1], seeds=[0]).generator_labels(0) is None


def test_which_generator_head_learns_to_separate_two_fixed_generators():
    config = tiny("several-generators", remedy_options={"generators": 2})
    trainer = GANTrainer(config, packs=[2], seeds=[0], device="cpu")
    group = trainer.groups[0]
    d = group.discriminator
    optimizer = torch.optim.Adam(d.parameters(), lr=1e-2)
    gen = torch.Generator().manual_seed(0)
    for _ in range(150):
        fake = torch.randn(1, 64, 2, generator=gen) * 0.1
        fake[:, 1::2] += 3.0                        # generator 1 always at (3, 3), generator 0 at the origin
        features = d.features(group.to_packs([fake]))
        loss = which_generator_loss(d, features, group.runs, 2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.05                       # chance would be ln 2 = 0.69


# ------------------------------------------------------------------ AdaGAN
def test_adagan_weights_sum_to_one_are_zero_where_covered_and_solve_for_lambda():
    torch.manual_seed(0)
    h = torch.cat([torch.rand(50) * 0.1, torch.rand(50) * 5 + 20])    # 50 missed points, 50 covered
    for beta in (0.2, 0.5, 0.8):
        w, lam = adagan_weights(h, beta)
        assert (w >= 0).all()
        assert w.sum().item() == pytest.approx(1.0, abs=1e-9)
        assert (w[50:] == 0).all() and (w[:50] > 0).all()
        admitted = w > 0
        # λ* is the solution of Σ (λ − (1 − β) h_i)₊ = N β
        assert ((lam - (1 - beta) * h.double()).clamp(min=0).sum() / (len(h) * beta)).item() == pytest.approx(1.0)
        assert (lam > (1 - beta) * h.double()[admitted]).all() and (lam <= (1 - beta) * h.double()[~admitted]).all()
    w, _ = adagan_weights(torch.ones(2, 10), 0.5)             # nothing to prefer: uniform, per row
    torch.testing.assert_close(w, torch.full((2, 10), 0.1, dtype=torch.float64))


def test_adagan_trains_components_with_the_one_loop_and_reports_modes_added():
    config = tiny("adagan", dataset="ring", remedy_options={"components": 2, "pool": 500, "classifier_steps": 10})
    run = train_adagan(config, packs=[1, 2], seeds=[0, 1], device="cpu")
    assert len(run.components) == 2 and run.mixture_weights == [0.5, 0.5]
    assert run.step == 6 and all(c.step == 3 for c in run.components)
    for w in run.data_weights:
        assert torch.allclose(w.sum(dim=1), torch.ones(4)) and (w >= 0).all()
    rows = modes_added(run)
    assert [r["components"] for r in rows] == [1] * 4 + [2] * 4
    assert all(r["modes_added"] == r["modes_captured"] for r in rows[:4])
    assert run.generate().shape == (4, 200, 2)
    # component 1 is the plain GAN with the same seeds and its share of the steps
    plain = GANTrainer(config.replace(remedy="none", remedy_options=(), steps=3), packs=[1, 2], seeds=[0, 1],
                       device="cpu").run(progress=False)
    torch.testing.assert_close(run.components[0].generate(), plain.generate())
    # an ensemble member's mixture is its lone run's
    lone = train_adagan(config, packs=[2], seeds=[1], device="cpu")
    index = run.members.index(Member(2, 1))
    torch.testing.assert_close(run.generate()[index], lone.generate()[0], rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="train_adagan"):
        GANTrainer(config, packs=[1], seeds=[0])


# ------------------------------------------------------------------ every remedy
@pytest.mark.parametrize("remedy", PER_STEP)
@pytest.mark.parametrize("updates", ["simultaneous", "alternating"])
def test_every_remedy_composes_with_packing_and_ensembles(remedy, updates):
    """m = 1, 2 x 2 seeds in one model: each member ends where its lone run ends."""
    config = tiny(remedy, updates=updates)
    ensemble = GANTrainer(config, packs=[1, 2], seeds=[0, 1], device="cpu").run(progress=False)
    assert ensemble.stopped_reason is None
    assert {row["remedy"] for row in ensemble.results()} == {remedy}
    probe = torch.randn(16, 4, generator=torch.Generator().manual_seed(5))
    for index, member in enumerate(ensemble.members):
        if member not in (Member(2, 1), Member(1, 0)):
            continue
        lone = GANTrainer(config, members=[member], device="cpu").run(progress=False)
        torch.testing.assert_close(ensemble.generate()[index], lone.generate()[0], rtol=1e-4, atol=1e-5)
        packs = probe[:, : 2 * member.pack]
        wide = torch.zeros(4, 16, 4)
        wide[index, :, : 2 * member.pack] = packs            # narrower packs are zero-padded in one model
        d_ours = ensemble.groups[0].discriminator(wide)[index]
        d_lone = lone.groups[0].discriminator(packs.unsqueeze(0))[0]
        torch.testing.assert_close(d_ours, d_lone, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("remedy", ["minibatch", "feature-matching", "several-generators"])
def test_remedies_train_the_image_networks(remedy):
    pytest.importorskip("pacgan_edu.tasks.stacked_mnist")
    from pacgan_edu.tasks.stacked_mnist import stacked_mnist_preset
    config = stacked_mnist_preset("unrolled-quarter", "quick", steps=2, batch_size=8, eval_samples=16, eval_every=2,
                                  remedy=remedy, remedy_options=SMALL.get(remedy, {}))
    trainer = GANTrainer(config, packs=[2], seeds=[0], device="cpu")
    before = [p.detach().clone() for p in trainer.generator_parameters]
    trainer.run(progress=False)
    assert trainer.stopped_reason is None
    assert any(not torch.equal(a, b) for a, b in zip(before, trainer.generator_parameters))


# ------------------------------------------------------------------ names and errors
def test_bad_remedy_names_and_options_fail_early_and_say_what_is_valid():
    with pytest.raises(ValueError, match="unknown remedy 'nope'; valid: none, minibatch"):
        preset("lecture", remedy="nope")
    with pytest.raises(ValueError, match="unknown option.*valid: steps, optimizer"):
        preset("lecture", remedy="unrolled", remedy_options={"depth": 3})
    with pytest.raises(ValueError, match="steps=-1"):
        make_remedy("unrolled", {"steps": -1})
    with pytest.raises(ValueError, match="name=value"):
        parse_option("steps5")
    assert parse_option("steps = 5") == ("steps", "5")
    config = preset("lecture", remedy="unrolled", remedy_options={"steps": "10"})
    assert dict(config.remedy_options) == {"steps": 10, "optimizer": "auto"}     # converted, defaults kept
    assert set(REMEDIES) == {"none", "minibatch", "feature-matching", "unrolled", "several-generators", "adagan"}


def test_trainer_rejects_bad_seeds_and_a_bare_pack_number_clearly():
    with pytest.raises(ValueError, match="seed must be an integer >= 0, got -1"):
        GANTrainer(tiny(), packs=[1], seeds=[-1])
    with pytest.raises(TypeError, match=r"packs must be a list of integers, e.g. packs=\[2\]"):
        GANTrainer(tiny(), packs=2, seeds=[0])


# ------------------------------------------------------------------ the committed comparison's schedule
def test_a_comparison_says_whether_it_ran_with_the_presets_current_schedule():
    from pacgan_edu.remedy_study import Comparison, trained_with_preset

    def comparison(dataset, **changes):
        config = preset("lecture", dataset=dataset, **changes).as_dict()
        return Comparison(dataset, [], [], {}, {}, {}, {"none": {"configs": {dataset: config}}})
    assert trained_with_preset(comparison("ring")) and trained_with_preset(comparison("grid"))
    assert not trained_with_preset(comparison("grid", lr_decay_start=0.5))     # an earlier schedule
    assert not trained_with_preset(comparison("ring", lr_generator=5e-4))      # the grid's rate on the ring
    assert not trained_with_preset(Comparison("grid", [], [], {}, {}, {}, {}))  # no plain GAN: cannot say
