import os
import signal
from dataclasses import dataclass

import pytest
import torch

from pacgan_edu import GANTrainer, Member, preset
from pacgan_edu.losses import NonSaturating
from pacgan_edu.presets import TrainConfig
from pacgan_edu.train import TrainingDiverged


def quick(**overrides):
    return preset("quick", **{"dataset": "ring", **overrides})


def parameters(trainer, group=0):
    return [p.detach().clone() for p in trainer.groups[group].parameters()]


def member_parameters(trainer, index):
    """One member's slice of every batched parameter."""
    for group in trainer.groups:
        if index in group.members:
            position = group.members.index(index)
            return [p.detach()[position].clone() for p in group.parameters()]
    raise AssertionError(index)


def assert_same_member(ours, theirs, atol=1e-5, rtol=1e-4):
    """A member of a one-model ensemble equals its lone run; where D's first layer is wider (a
    narrower pack padded with zeros up to the widest m), the extra input rows are still exactly 0."""
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if a.shape != b.shape:  # D's first layer: (inputs of the widest m, units) vs (inputs of this m, units)
            assert a.shape[1:] == b.shape[1:] and a.shape[0] > b.shape[0]
            assert torch.equal(a[b.shape[0]:], torch.zeros_like(a[b.shape[0]:]))
            a = a[: b.shape[0]]
        assert torch.allclose(a, b, atol=atol, rtol=rtol), (a - b).abs().max()


def test_same_seed_same_numbers_and_different_seeds_differ():
    a = GANTrainer(quick(), packs=[2], seeds=[7]).run(progress=False)
    b = GANTrainer(quick(), packs=[2], seeds=[7]).run(progress=False)
    c = GANTrainer(quick(), packs=[2], seeds=[8]).run(progress=False)
    assert all(torch.equal(x, y) for x, y in zip(parameters(a), parameters(b)))
    assert not all(torch.equal(x, y) for x, y in zip(parameters(a), parameters(c)))
    assert a.history == b.history


@pytest.fixture
def float64():
    """Train in double precision: float32 rounding differs between a batched and a lone matrix
    product by ~1e-7, and now and then that flips which maxout piece wins for one sample —
    a discrete event after which the two runs differ by about one learning-rate step (seen with
    the lecture schedule at step 23 of 25). In float64 the runs agree to ~1e-15."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


@pytest.mark.parametrize("architecture", ["lecture", "tiny"])
def test_one_model_for_all_packing_degrees_equals_lone_runs(architecture, float64):
    """m = 1..4 x 2 seeds in one batched model (D inputs zero-padded to m = 4; G with and
    without BatchNorm): every member ends where its lone run ends."""
    config = preset("lecture", dataset="grid", architecture=architecture, steps=25, batch_size=16,
                    eval_samples=200, eval_every=25)
    ensemble = GANTrainer(config, packs=[1, 2, 3, 4], seeds=[0, 1], device="cpu")
    assert len(ensemble.groups) == 1 and ensemble.groups[0].discriminator.input_width == 8
    ensemble.run(progress=False)
    for index, member in enumerate(ensemble.members):
        lone = GANTrainer(config, members=[member], device="cpu").run(progress=False)
        ours, theirs = member_parameters(ensemble, index), member_parameters(lone, 0)
        assert ours[0].dtype == torch.float64
        assert_same_member(ours, theirs, atol=1e-12, rtol=1e-10)
        torch.testing.assert_close(ensemble.generate()[index], lone.generate()[0], rtol=1e-10, atol=1e-12)


def test_training_does_not_touch_the_global_random_state():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    GANTrainer(quick(steps=5), packs=[1], seeds=[0]).run(progress=False)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("updates", ["simultaneous", "alternating"])
def test_ensemble_member_equals_lone_run(updates):
    config = quick(steps=30, updates=updates)
    ensemble = GANTrainer(config, packs=[1, 3], seeds=[0, 1, 2]).run(progress=False)
    for member_index, member in enumerate(ensemble.members):
        if member not in (Member(3, 1), Member(1, 2)):
            continue
        lone = GANTrainer(config, packs=[member.pack], seeds=[member.seed]).run(progress=False)
        assert_same_member(member_parameters(ensemble, member_index), member_parameters(lone, 0))
        lone_result = lone.results()[0]
        ensemble_result = ensemble.results()[member_index]
        assert ensemble_result["modes_captured"] == lone_result["modes_captured"]


def test_members_are_trained_not_frozen_and_results_cover_each():
    trainer = GANTrainer(quick(steps=10), packs=[1, 2], seeds=[0, 1])
    before = [p.detach().clone() for p in trainer.groups.parameters()]
    trainer.run(progress=False)
    after = list(trainer.groups.parameters())
    assert all(not torch.equal(b, a) for b, a in zip(before, after))
    results = trainer.results()
    assert [(r["pack"], r["seed"]) for r in results] == [(1, 0), (1, 1), (2, 0), (2, 1)]
    for r in results:
        assert 0 <= r["high_quality_fraction"] <= 1 and 0 <= r["modes_captured"] <= 8


def test_history_is_recorded_at_start_every_eval_and_end():
    trainer = GANTrainer(quick(steps=45, eval_every=20), packs=[1], seeds=[0]).run(progress=False)
    assert sorted({row["step"] for row in trainer.history}) == [0, 20, 40, 45]


def test_callbacks_get_step_losses_and_samples():
    seen = []
    trainer = GANTrainer(quick(steps=25), packs=[1, 2], seeds=[0])
    trainer.run(callback=seen.append, callback_every=10, progress=False)
    assert [s.step for s in seen] == [10, 20, 25]
    assert seen[0].samples.shape == (2, 500, 2)
    assert seen[0].d_loss.shape == (2,) and torch.isfinite(seen[0].d_loss).all()


@dataclass
class NaNAfter(NonSaturating):
    """NS loss that turns into NaN from its ``bad_call``-th D evaluation on."""

    name: str = "nan-after"
    calls: int = 0
    bad_call: int = 5

    def discriminator_loss(self, real_logits, fake_logits):
        self.calls += 1
        loss = super().discriminator_loss(real_logits, fake_logits)
        return loss * float("nan") if self.calls >= self.bad_call else loss


def test_non_finite_loss_stops_with_the_last_good_state(monkeypatch):
    trainer = GANTrainer(quick(steps=50), packs=[1], seeds=[0])
    monkeypatch.setattr(trainer, "loss", NaNAfter(bad_call=5))
    trainer.run(progress=False)
    assert trainer.stopped_reason == "diverged" and trainer.step == 4
    reference = GANTrainer(quick(steps=50), packs=[1], seeds=[0]).run(4, progress=False)
    assert all(torch.equal(a, b) for a, b in zip(parameters(trainer), parameters(reference)))
    assert all(torch.isfinite(p).all() for p in trainer.groups.parameters())

    raising = GANTrainer(quick(steps=50), packs=[1], seeds=[0])
    monkeypatch.setattr(raising, "loss", NaNAfter(bad_call=3))
    with pytest.raises(TrainingDiverged, match="step 3"):
        raising.run(progress=False, raise_on_nan=True)


def test_request_stop_stops_between_steps_and_run_continues():
    trainer = GANTrainer(quick(steps=100), packs=[1], seeds=[0])
    trainer.run(callback=lambda s: s.trainer.request_stop(), callback_every=7, progress=False)
    assert trainer.stopped_reason == "stopped" and trainer.step == 7
    trainer.run(progress=False)
    assert trainer.stopped_reason is None and trainer.step == 100


def test_ctrl_c_mid_step_finishes_the_step_then_stops(monkeypatch):
    @dataclass
    class InterruptOnce(NonSaturating):
        name: str = "interrupt"
        sent: bool = False

        def discriminator_loss(self, real_logits, fake_logits):
            if not self.sent:  # a Ctrl-C arrives in the middle of the 1st step
                self.sent = True
                os.kill(os.getpid(), signal.SIGINT)
            return super().discriminator_loss(real_logits, fake_logits)

    trainer = GANTrainer(quick(steps=20), packs=[1], seeds=[0])
    monkeypatch.setattr(trainer, "loss", InterruptOnce())
    trainer.run(progress=False)
    assert trainer.stopped_reason == "interrupted" and trainer.step == 1
    reference = GANTrainer(quick(steps=20), packs=[1], seeds=[0]).run(1, progress=False)
    assert all(torch.equal(a, b) for a, b in zip(parameters(trainer), parameters(reference)))


def test_checkpoint_resumes_exactly(tmp_path):
    straight = GANTrainer(quick(steps=30), packs=[1, 2], seeds=[0]).run(progress=False)
    first = GANTrainer(quick(steps=30), packs=[1, 2], seeds=[0]).run(12, progress=False)
    path = tmp_path / "run.pt"
    first.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["run.pt"]  # no temp file left behind
    resumed = GANTrainer.load(path)
    assert resumed.step == 12
    resumed.run(progress=False)
    for a, b in zip(straight.groups.parameters(), resumed.groups.parameters()):
        assert torch.equal(a, b)
    assert resumed.results() == straight.results()


def test_checkpoint_of_other_members_is_refused(tmp_path):
    path = tmp_path / "run.pt"
    GANTrainer(quick(steps=2), packs=[1], seeds=[0]).run(progress=False).save(path)
    other = GANTrainer(quick(steps=2), packs=[2], seeds=[0])
    with pytest.raises(ValueError, match="members"):
        other.load_state_dict(torch.load(path, weights_only=True))


def test_learning_rate_decays_linearly_to_the_final_fraction():
    trainer = GANTrainer(quick(steps=11, lr_final_fraction=0.1), packs=[1], seeds=[0]).run(progress=False)
    lr = trainer.optimizer_g.param_groups[0]["lr"]
    assert lr == pytest.approx(trainer.config.lr_generator * 0.1)


def test_learning_rate_is_constant_then_decays():
    """lr_decay_start = 0.5 over 21 steps: the rate used at steps 0..10 is the full one, then it
    falls linearly to the final fraction at the last step (the rate is set before each step)."""
    trainer = GANTrainer(quick(steps=21, lr_final_fraction=0.1, lr_decay_start=0.5), packs=[1], seeds=[0])
    used = []
    for _ in range(21):
        trainer.run(1, progress=False)
        used.append(trainer.optimizer_d.param_groups[0]["lr"] / trainer.config.lr_discriminator)
    assert used[:11] == pytest.approx([1.0] * 11)
    assert used[15] == pytest.approx(1 - 0.9 * 5 / 10) and used[-1] == pytest.approx(0.1)
    assert all(a > b for a, b in zip(used[10:], used[11:]))


@pytest.mark.parametrize("overrides, message", [
    (dict(lr_decay_start=1.0), "lr_decay_start"),
    (dict(steps=0), "steps"),
    (dict(batch_size=1.5), "batch_size"),
    (dict(updates="sometimes"), "simultaneous, alternating"),
    (dict(noise="cauchy"), "normal, uniform"),
    (dict(lr_generator=-1.0), "lr_generator"),
    (dict(betas=(0.5,)), "betas"),
    (dict(lr_final_fraction=0.0), "lr_final_fraction"),
])
def test_bad_settings_are_explained(overrides, message):
    with pytest.raises(ValueError, match=message):
        preset("quick", **overrides)


def test_bad_names_are_explained():
    with pytest.raises(ValueError, match="valid: paper, lecture, pair, quick"):
        preset("fast")
    with pytest.raises(ValueError, match="unknown setting"):
        preset("quick", learning_rate=1.0)
    with pytest.raises(ValueError, match="unknown dataset"):   # already when the config is made
        quick(dataset="spiral")
    with pytest.raises(ValueError, match="unknown loss"):
        quick(loss="nope")
    with pytest.raises(ValueError, match="unknown architecture 'huge' for a 2D mixture"):
        quick(architecture="huge")
    with pytest.raises(ValueError, match="packing degree"):
        GANTrainer(quick(), packs=[0])
    with pytest.raises(ValueError, match="device"):
        GANTrainer(quick(), device="tpu9")
    with pytest.raises(TypeError, match="TrainConfig"):
        GANTrainer({"dataset": "ring"})


def test_auto_device_is_cpu_without_accelerators():
    trainer = GANTrainer(quick(), packs=[1], seeds=[0], device="auto")
    if not torch.cuda.is_available():
        assert trainer.device.type in ("cpu", "mps")


def test_presets_are_valid_configs():
    for name in ("paper", "lecture", "quick"):
        assert isinstance(preset(name), TrainConfig)
    paper = preset("paper")
    assert (paper.steps, paper.batch_size, paper.lr_generator, paper.betas, paper.updates) == \
        (400_000, 100, 1e-4, (0.8, 0.999), "simultaneous")


def test_a_preset_has_its_own_settings_for_some_datasets():
    from pacgan_edu.presets import DATASET_SETTINGS, PRESETS
    assert DATASET_SETTINGS, "nothing to test"
    for name, per_dataset in DATASET_SETTINGS.items():
        for dataset, settings in per_dataset.items():
            config = preset(name, dataset=dataset)
            assert config.dataset == dataset
            assert settings and all(getattr(config, key) == value for key, value in settings.items())
            assert config != PRESETS[name].replace(dataset=dataset)  # .replace changes the dataset alone
            first = next(iter(settings))
            # the caller's overrides win over the dataset's settings
            assert getattr(preset(name, dataset=dataset, **{first: getattr(PRESETS[name], first)}), first) == \
                getattr(PRESETS[name], first)
    # the lecture ring: G twice as fast over half the schedule (README rows 80-84); the grid unchanged
    grid, ring = preset("lecture", dataset="grid"), preset("lecture", dataset="ring")
    assert preset("lecture") == grid == PRESETS["lecture"]
    assert (ring.lr_generator, ring.steps) == (2 * grid.lr_generator, grid.steps // 2)
    assert ring.replace(dataset="grid", lr_generator=grid.lr_generator, steps=grid.steps) == grid
    # a preset without dataset settings is the same config on every dataset
    assert preset("pair", dataset="ring") == PRESETS["pair"].replace(dataset="ring")


@pytest.mark.parametrize("field, value, valid", [("dataset", "nope", "valid: .*grid, ring, stacked-mnist"),
                                                 ("loss", "nope", "valid: mm, ns, mm-nsat"),
                                                 ("architecture", "nope", "valid: paper, lecture, tiny")])
def test_presets_reject_unknown_names_when_made(field, value, valid):
    with pytest.raises(ValueError, match=f"unknown {field} 'nope'.*{valid}"):
        preset("lecture", **{field: value})


def test_the_losses_reference_learning_rate_is_the_paper_presets():
    from pacgan_edu.losses import REFERENCE_LR
    assert REFERENCE_LR == preset("paper").lr_discriminator == preset("paper").lr_generator
