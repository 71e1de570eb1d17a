"""DCGAN / PacDCGAN for Stacked MNIST: shapes with packing, ensembles = lone runs, the task, figures."""
from __future__ import annotations

import math
import subprocess
import sys

import matplotlib
import pytest
import torch
from torch import nn

from pacgan_edu import GANTrainer, Member
from pacgan_edu.data.stacked_mnist import StackedMNIST
from pacgan_edu.models.dcgan import (
    DCGAN_ARCHITECTURES,
    GpuOptions,
    dcgan_architecture,
    make_dcgan_discriminator,
    make_dcgan_generator,
)
from pacgan_edu.packing import pack_members
from pacgan_edu.tasks.stacked_mnist import StackedMnistTask, stacked_mnist_preset

matplotlib.use("Agg")


def generators(*seeds):
    return [torch.Generator().manual_seed(s) for s in seeds]


@pytest.mark.parametrize("setting", list(DCGAN_ARCHITECTURES))
@pytest.mark.parametrize("m", [1, 2, 3])
def test_generator_and_packed_discriminator_shapes(setting, m):
    arch = dcgan_architecture(setting, "tiny")
    g = make_dcgan_generator(arch, generators(0, 1), "cpu")
    d = make_dcgan_discriminator(arch, generators(0, 1), m, "cpu")
    side = arch.image_side                      # 28 (Stacked MNIST) or 32 (CIFAR-10)
    images = g(torch.randn(2, 4 * m, arch.noise_dim))
    assert images.shape == (2, 4 * m, 3, side, side)
    assert images.abs().max() <= 1  # tanh
    packs = pack_members(images, m)
    assert packs.shape == (2, 4, 3 * m, side, side)
    assert d(packs).shape == (2, 4)


def test_paper_architectures_match_the_paper():
    veegan = dcgan_architecture("veegan", "paper")
    d = make_dcgan_discriminator(veegan, generators(0), 4, "cpu").networks[0]
    convs = [layer for layer in d.modules() if isinstance(layer, nn.Conv2d)]
    assert [tuple(c.weight.shape) for c in convs] == [(64, 12, 5, 5), (128, 64, 5, 5), (256, 128, 5, 5),
                                                      (512, 256, 5, 5)]
    assert d.classify.in_features == 512 * 2 * 2
    g = make_dcgan_generator(veegan, generators(0), "cpu").networks[0]
    assert g.project.out_features == 512 * 2 * 2 and g.project.in_features == 100
    deconvs = [layer.out_channels for layer in g.modules() if isinstance(layer, nn.ConvTranspose2d)]
    assert deconvs == [256, 128, 64, 3]
    for size, channels in (("unrolled-quarter", [2, 4, 8]), ("unrolled-half", [4, 8, 16])):
        arch = dcgan_architecture(size, "paper")
        d = make_dcgan_discriminator(arch, generators(0), 1, "cpu").networks[0]
        assert [c.out_channels for c in d.modules() if isinstance(c, nn.Conv2d)] == channels
        g = make_dcgan_generator(arch, generators(0), "cpu").networks[0]
        assert g.project.in_features == 256 and g.project.out_features == 64 * 4 * 4


def test_each_member_is_initialised_from_its_own_generator():
    arch = dcgan_architecture("veegan", "tiny")
    pair = make_dcgan_generator(arch, generators(5, 7), "cpu")
    lone = make_dcgan_generator(arch, generators(7), "cpu")
    for a, b in zip(pair.networks[1].parameters(), lone.networks[0].parameters()):
        assert torch.equal(a, b)
    first_weights = [next(net.parameters()) for net in pair.networks]
    assert not torch.equal(*first_weights)


def test_bad_names_and_sizes_are_refused():
    with pytest.raises(ValueError, match="valid: veegan"):
        dcgan_architecture("cifar", "paper")
    with pytest.raises(ValueError, match="valid: paper, lecture, tiny"):
        dcgan_architecture("veegan", "huge")
    with pytest.raises(ValueError, match="packing degree"):
        make_dcgan_discriminator(dcgan_architecture("veegan", "tiny"), generators(0), 0, "cpu")
    with pytest.raises(ValueError, match="ensemble members"):
        make_dcgan_generator(dcgan_architecture("veegan", "tiny"), generators(0), "cpu")(torch.zeros(2, 3, 100))
    with pytest.raises(ValueError, match="valid: paper, lecture, quick"):
        stacked_mnist_preset("veegan", "long")
    with pytest.raises(ValueError, match="noise_dim=100"):
        StackedMnistTask(stacked_mnist_preset("veegan", "quick", noise_dim=2))


def test_gpu_options_change_nothing_on_a_cpu():
    arch = dcgan_architecture("veegan", "tiny")
    plain = make_dcgan_generator(arch, generators(0), "cpu")
    tuned = make_dcgan_generator(arch, generators(0), "cpu", GpuOptions(channels_last=True, bf16=True))
    z = torch.rand(1, 8, 100)
    assert torch.equal(plain(z), tuned(z))


def test_presets_follow_the_paper():
    veegan = stacked_mnist_preset("veegan")
    assert (veegan.batch_size, veegan.generator_steps, veegan.updates, veegan.noise, veegan.noise_dim) == \
        (64, 2, "alternating", "uniform", 100)
    assert (veegan.lr_generator, veegan.lr_discriminator, veegan.betas) == (2e-4, 2e-4, (0.5, 0.999))
    assert (veegan.steps, veegan.eval_samples) == (100_000, 26_000)
    quarter = stacked_mnist_preset("unrolled-quarter")
    assert (quarter.batch_size, quarter.noise, quarter.noise_dim, quarter.generator_steps) == (128, "normal", 256, 1)
    assert (quarter.lr_generator, quarter.lr_discriminator, quarter.betas) == (1e-4, 2e-4, (0.5, 0.99))
    assert quarter.eval_samples == 25_600
    lecture = stacked_mnist_preset("veegan", "lecture")
    assert lecture.batch_size == veegan.batch_size and lecture.architecture == "lecture"
    assert stacked_mnist_preset("unrolled-half", "quick", steps=3).steps == 3


@pytest.fixture(scope="module")
def veegan_task():
    return StackedMnistTask(stacked_mnist_preset("veegan", "quick"))


def test_real_images_are_the_stacked_mnist_samplers_draws(veegan_task):
    images = veegan_task.real(12, torch.Generator().manual_seed(3))
    expected, _ = veegan_task.data.sample(12, torch.Generator().manual_seed(3))
    assert images.shape == (12, 3, 28, 28) and torch.equal(images, expected)
    assert images.min() == -1 and images.max() == 1
    unrolled = StackedMnistTask(stacked_mnist_preset("unrolled-quarter", "quick"))
    expected, _ = StackedMNIST("unrolled").sample(5, torch.Generator().manual_seed(1))
    assert torch.equal(unrolled.real(5, torch.Generator().manual_seed(1)), expected)


class PixelClassifier(nn.Module):
    """Reads digit k from a constant image of value −1 + 2k/9 (exact, for known answers)."""

    def __init__(self):
        super().__init__()
        self.unused = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return nn.functional.one_hot(torch.round((x.mean(dim=(1, 2, 3)) + 1) * 4.5).long(), 10).float()


def images_for_modes(modes: torch.Tensor) -> torch.Tensor:
    digits = torch.stack([modes // 100, modes // 10 % 10, modes % 10], dim=1)
    return (-1 + 2 * digits.float() / 9)[:, :, None, None].expand(-1, 3, 28, 28).clone()


def test_evaluate_counts_modes_per_member(veegan_task, monkeypatch):
    monkeypatch.setitem(veegan_task._classifiers, torch.device("cpu"), PixelClassifier())
    modes = torch.randperm(1000, generator=torch.Generator().manual_seed(0))
    first = images_for_modes(modes[:37].repeat(4))     # 37 modes, 4 samples each
    second = images_for_modes(torch.full((148,), 512))  # everything on one mode
    metrics = veegan_task.evaluate(torch.stack([first, second]))
    assert metrics["modes_captured"].tolist() == [37, 1]
    assert metrics["kl"][0].item() == pytest.approx(math.log(1000 / 37))
    assert metrics["kl"][1].item() == pytest.approx(math.log(1000))


def small_config(setting="veegan", steps=2):
    return stacked_mnist_preset(setting, "quick", steps=steps, batch_size=4, eval_samples=20, eval_every=100)


def trained_parameters(trainer, member):
    pack = trainer.members[member].pack
    group = next(g for g in trainer.groups if g.pack == pack)
    k = group.members.index(member)
    return [p.detach().clone() for net in (group.generator, group.discriminator)
            for p in net.networks[k].parameters()]


def test_an_ensemble_member_equals_a_lone_run():
    config = small_config()
    ensemble = GANTrainer(config, packs=[1, 2], seeds=[0, 1], device="cpu").run(progress=False)
    lone = GANTrainer(config, packs=[2], seeds=[1], device="cpu").run(progress=False)
    member = ensemble.members.index(Member(2, 1))
    for a, b in zip(trained_parameters(ensemble, member), trained_parameters(lone, 0)):
        assert torch.allclose(a, b, atol=1e-6, rtol=0)
    # and a different seed really trains a different network
    other = trained_parameters(ensemble, ensemble.members.index(Member(2, 0)))
    assert not torch.allclose(other[0], trained_parameters(lone, 0)[0])


@pytest.mark.parametrize("setting", ["veegan", "unrolled-half"])
def test_quick_task_trains_without_nan(setting):
    trainer = GANTrainer(small_config(setting, steps=3), packs=[1, 2], seeds=[0], device="cpu")
    trainer.run(progress=False, raise_on_nan=True)
    assert trainer.step == 3 and trainer.stopped_reason is None
    assert torch.isfinite(trainer.last_d_loss).all() and torch.isfinite(trainer.last_g_loss).all()
    for row in trainer.results():
        assert 1 <= row["modes_captured"] <= 20  # at most one mode per evaluated sample
        assert 0 <= row["kl"] <= math.log(1000) + 1e-9
    samples = trainer.generate()
    assert samples.shape == (2, 20, 3, 28, 28) and torch.isfinite(samples).all()


def test_checkpoint_round_trip(tmp_path):
    trainer = GANTrainer(small_config(steps=1), packs=[2], seeds=[4], device="cpu").run(progress=False)
    trainer.save(tmp_path / "gan.pt")
    again = GANTrainer.load(tmp_path / "gan.pt", device="cpu")
    assert again.step == 1 and again.config == trainer.config
    assert torch.equal(again.generate(), trainer.generate())


def test_stacked_mnist_loads_lazily():
    code = ("import sys, pacgan_edu; from pacgan_edu.tasks import TASKS; "
            "assert 'pacgan_edu.tasks.stacked_mnist' not in sys.modules; "
            "assert 'stacked-mnist-veegan' not in TASKS; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr


# --------------------------------------------------------------------------- figures and widgets

def test_sample_grid_and_heatmap_figures():
    from pacgan_edu.plots import images as plots

    pictures = images_for_modes(torch.arange(16))
    grid = plots.sample_grid(pictures, 2, 8, pad=2)
    assert grid.shape == (2 * 30 - 2, 8 * 30 - 2, 3) and 0 <= grid.min() and grid.max() <= 1
    with pytest.raises(ValueError, match="needs 25 images"):
        plots.sample_grid(pictures, 5, 5)
    histogram = torch.zeros(1000, dtype=torch.long)
    histogram[[0, 1, 999]] = torch.tensor([5, 1, 3])
    fig = plots.figure_mode_heatmaps([("DCGAN", histogram), ("PacDCGAN2", torch.ones(1000))])
    heat = fig.axes[0].images[0].get_array()
    assert heat.shape == (10, 100) and heat.mask.sum() == 997 and heat[9, 99] == 3
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel()
    assert plots.heatmap_title("DCGAN", histogram).startswith("DCGAN: 3 of 1000 modes")
    assert plots.expected_modes_if_uniform(1000) == pytest.approx(1000 * (1 - (1 - 1e-3) ** 1000))


def test_modes_over_training_figure_has_one_line_per_packing_degree():
    from pacgan_edu.plots import images as plots

    history = [{"pack": p, "seed": s, "step": t, "seconds": t / 10 + s, "modes_captured": 10 * p * t + s, "kl": 6 - p}
               for p in (1, 2) for s in (0, 1) for t in (0, 100, 200)]
    fig = plots.figure_modes_over_training(history, eval_samples=2000, paper={1: (78.9, 4.5), 2: (1000, 0.06)})
    ax_modes, ax_kl = fig.axes[:2]
    labels = [line.get_label() for line in ax_modes.get_lines()]
    assert "DCGAN (m = 1), 2 seed(s)" in labels and "PacDCGAN2 (m = 2), 2 seed(s)" in labels
    mean_line = ax_modes.get_lines()[labels.index("PacDCGAN2 (m = 2), 2 seed(s)")]
    assert list(mean_line.get_ydata()) == [0.5, 2000.5, 4000.5]
    assert "step" in ax_modes.get_xlabel() and "nats" in ax_kl.get_ylabel()
    by_time = plots.figure_modes_over_training(history, x="seconds")
    assert "time" in by_time.axes[0].get_xlabel()
    with pytest.raises(ValueError, match="no history rows"):
        plots.figure_modes_over_training([], x="step")


def test_packing_duel_without_a_front_end_trains_and_draws(monkeypatch, capsys):
    monkeypatch.setenv("PACGAN_EDU_QUICK", "1")
    from pacgan_edu.widgets.images import PackingDuel, watch_training

    shown = []
    monkeypatch.setattr("pacgan_edu.widgets.images.display", shown.append)
    duel = PackingDuel(small_config(steps=2), pack=3, loss="mm", every=1)
    duel._ipython_display_()
    assert [m.pack for m in duel.trainer.members] == [1, 3] and duel.trainer.step == 2
    assert duel.trainer.config.loss == "mm"
    assert "m = 3, seed 0" in capsys.readouterr().out
    assert shown and shown[0].axes  # one static figure
    trainer = watch_training(GANTrainer(small_config(steps=1), packs=[2], device="cpu"), title="t")
    assert trainer.step == 1 and len(shown) == 2


def test_packing_duel_trains_in_a_thread_and_stops_on_request(monkeypatch):
    import pacgan_edu.widgets.images as image_widgets

    monkeypatch.setattr(image_widgets, "live_frontend", lambda: True)
    duel = image_widgets.PackingDuel(small_config(steps=2), pack=2, every=1)
    # before Train: no empty image (a broken-image icon in the browser), the whole button label fits
    assert duel.image.layout.display == "none" and not duel.image.value
    assert int(duel.train_button.layout.width.rstrip("px")) >= 9 * len(duel.train_button.description)
    duel.start()
    duel.wait(120)
    assert duel.trainer.step == 2 and duel.image.value[:4] == b"\x89PNG" and duel.image.layout.display is None
    # one line per GAN: the status never wraps inside a number
    lines = duel.status_text.splitlines()
    assert lines[1].startswith("  m = 1, seed 0:") and lines[2].startswith("  m = 2, seed 0:")
    assert "finished" in duel.status_text and not duel.train_button.disabled and duel.stop_button.disabled
    duel.steps.value = duel.steps.max
    duel.start()
    duel.stop()
    duel.wait(120)
    assert duel.trainer.stopped_reason == "stopped" and duel.trainer.step < duel.steps.max
