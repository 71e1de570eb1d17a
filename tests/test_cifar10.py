"""CIFAR-10 task on the stand-in: DCGAN-32 with packing, the scoring classifier, metrics, FID, CLI."""
from __future__ import annotations

import json
import math
import warnings

import pytest
import torch

from pacgan_edu import GANTrainer
from pacgan_edu.__main__ import main
from pacgan_edu.models.dcgan import DCGANDiscriminator, DCGANGenerator, dcgan_architecture
from pacgan_edu.packing import pack
from pacgan_edu.tasks import cifar10_metrics as cm


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory):
    """Quick mode and a private data folder for the whole module (the classifier trains once)."""
    mp = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("data")
    mp.setenv("PACGAN_EDU_DATA", str(folder))
    mp.setenv("PACGAN_EDU_QUICK", "1")
    yield folder
    mp.undo()


def test_dcgan32_generates_cifar_shaped_images_and_d_reads_3m_channels():
    arch = dcgan_architecture("cifar10", "tiny")
    images = DCGANGenerator(arch)(torch.randn(8, arch.noise_dim))
    assert images.shape == (8, 3, 32, 32) and images.abs().max() <= 1
    packs = pack(images, 4)
    assert packs.shape == (2, 12, 32, 32)
    assert DCGANDiscriminator(arch, pack=4)(packs).shape == (2,)
    with pytest.raises(RuntimeError):
        DCGANDiscriminator(arch, pack=2)(packs)          # a D for m = 2 cannot read packs of 4


def test_weak_discriminator_preset_keeps_g_and_quarters_d():
    from pacgan_edu.tasks.cifar10 import cifar10_preset
    for size, arch in (("lecture", "lecture"), ("quick", "tiny"), ("paper", "paper")):
        full = dcgan_architecture("cifar10", cifar10_preset(size).architecture)
        weak = dcgan_architecture("cifar10", cifar10_preset(size, weak_discriminator=True).architecture)
        assert cifar10_preset(size, weak_discriminator=True).architecture == f"{arch}-quarter-d"
        assert weak.generator_channels == full.generator_channels
        assert [4 * c for c in weak.discriminator_channels] == list(full.discriminator_channels)
    weak = dcgan_architecture("cifar10", "lecture-quarter-d")
    assert DCGANDiscriminator(weak, pack=2)(torch.zeros(3, 6, 32, 32)).shape == (3,)
    lecture_d = sum(p.numel() for p in DCGANDiscriminator(dcgan_architecture("cifar10", "lecture")).parameters())
    assert sum(p.numel() for p in DCGANDiscriminator(weak).parameters()) < lecture_d / 8


def test_generator_without_batch_norm_differs_by_its_batch_norm_layers_alone():
    from torch import nn
    from pacgan_edu.models.dcgan import DCGANGenerator, init_dcgan_weights
    from pacgan_edu.tasks.cifar10 import cifar10_preset
    for size, arch in (("lecture", "lecture"), ("quick", "tiny"), ("paper", "paper")):
        assert cifar10_preset(size, generator_batch_norm=False).architecture == f"{arch}-no-bn-g"
        assert cifar10_preset(size, weak_discriminator=True, generator_batch_norm=False).architecture == f"{arch}-quarter-d-no-bn-g"
    usual = DCGANGenerator(dcgan_architecture("cifar10", "tiny"))
    plain = DCGANGenerator(dcgan_architecture("cifar10", "tiny-no-bn-g"))
    assert not dcgan_architecture("cifar10", "tiny-no-bn-g").generator_batch_norm
    assert any(isinstance(m, nn.BatchNorm2d) for m in usual.modules())
    assert not any(isinstance(m, nn.BatchNorm2d) for m in plain.modules())
    def weighted(net):   # every layer but BatchNorm: its kind and its parameters' shapes
        return [(type(m).__name__, [p.shape for p in m.parameters()]) for m in net.modules()
                if isinstance(m, (nn.Linear, nn.ConvTranspose2d, nn.Conv2d))]
    assert weighted(usual) == weighted(plain) and len(weighted(plain)) == 4
    for net in (usual, plain):
        init_dcgan_weights(net, torch.Generator().manual_seed(0))
    z = torch.randn(8, 100, generator=torch.Generator().manual_seed(1))
    images = plain(z)
    assert images.shape == (8, 3, 32, 32) and images.abs().max() <= 1
    # BatchNorm makes the batch's images depend on each other; without it each image is its own
    assert torch.allclose(plain(z[:1]), images[:1], atol=1e-6)
    assert not torch.allclose(usual(z[:2])[:1], usual(z)[:1], atol=1e-4)


def test_class_coverage_metrics_on_histograms_with_known_answers():
    uniform = torch.arange(1000) % 10
    one = torch.zeros(1000, dtype=torch.long)
    real = cm.class_histogram(uniform)
    assert cm.coverage_metrics(uniform, real) == {"classes_covered": 10, "kl_to_uniform": pytest.approx(0.0, abs=1e-12),
                                                  "js_to_real": pytest.approx(0.0, abs=1e-12)}
    collapsed = cm.coverage_metrics(one, real)
    assert collapsed["classes_covered"] == 1 and collapsed["kl_to_uniform"] == pytest.approx(math.log(10))
    # JS(δ₀, uniform over 10): ½[ln(2/1.1)] + ½[0.9 ln 2 + 0.1 ln(2/1.1)]... computed directly:
    m0, m = 0.55, 0.05
    expected = 0.5 * (1.0 * math.log(1.0 / m0)) + 0.5 * (0.1 * math.log(0.1 / m0) + 9 * 0.1 * math.log(0.1 / m))
    assert collapsed["js_to_real"] == pytest.approx(expected)
    four = cm.coverage_metrics(torch.tensor([0] * 94 + [1] * 3 + [2] * 3), real)
    assert four["classes_covered"] == 1                  # 3 % is below the 5 % share


def test_prdc_identical_sets_score_one_and_far_sets_zero():
    torch.manual_seed(0)
    real = torch.randn(200, 8)
    same = cm.prdc(real, real.clone())
    assert same["precision"] == same["recall"] == same["coverage"] == 1.0
    assert same["density"] == pytest.approx(1.0, abs=0.2)
    far = cm.prdc(real, real + 100)
    assert far == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}
    tail = cm.prdc(real, real[real[:, 0] > 0.5].clone())  # fakes only in one region: precise, but covering little
    assert tail["precision"] == 1.0 and tail["coverage"] < 0.6
    with pytest.raises(ValueError, match="more than 5"):
        cm.prdc(real, real[:5])


class _TinyFeatures(torch.nn.Module):
    num_features = 6

    def forward(self, images):
        x = images.float() / 255
        return torch.cat([x.mean(dim=(2, 3)), x.std(dim=(2, 3))], dim=1)


def test_fid_with_a_tiny_feature_extractor():
    pytest.importorskip("torchmetrics")
    torch.manual_seed(0)
    real = torch.rand(64, 3, 32, 32) * 2 - 1
    assert cm.fid(real, real.clone(), feature=_TinyFeatures()) == pytest.approx(0.0, abs=1e-3)
    assert cm.fid(real, (real * 0.3).clamp(-1, 1), feature=_TinyFeatures()) > 0.01


def test_fid_names_the_missing_weights_file(tmp_path, monkeypatch):
    monkeypatch.delenv(cm.FID_WEIGHTS_ENV, raising=False)
    with pytest.raises(cm.FidWeightsMissing, match="weights-inception-2015-12-05-6726825d.pth.*PACGAN_EDU_FID_WEIGHTS"):
        cm.fid_weights_path()
    wrong = tmp_path / "weights.pth"
    wrong.write_bytes(b"not inception")
    monkeypatch.setenv(cm.FID_WEIGHTS_ENV, str(wrong))
    with pytest.raises(cm.FidWeightsMissing, match="13 bytes, not 95,628,359"):
        cm.fid_weights_path()
    monkeypatch.setenv(cm.FID_WEIGHTS_ENV, str(tmp_path / "absent.pth"))
    with pytest.raises(cm.FidWeightsMissing, match="does not exist"):
        cm.fid_weights_path()


def test_classifier_trains_once_caches_with_checksum_and_retrains_when_corrupt(data_folder):
    from pacgan_edu.tasks.cifar10 import _classifier_path, cifar10_data, load_classifier
    data = cifar10_data("cifar10-stand-in")
    path = _classifier_path(data)
    path.unlink(missing_ok=True)
    with pytest.warns(UserWarning, match="training one on the stand-in"):
        model = load_classifier(data)
    assert path.is_file() and path.with_name(path.name + ".sha256").is_file()
    assert model.metadata["data"] == "stand-in for CIFAR-10" and model.metadata["test_accuracy"] > 0.9
    with warnings.catch_warnings():
        warnings.simplefilter("error")                     # cached now: no retraining, no warning
        again = load_classifier(data)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), again.state_dict().values()))
    blob = bytearray(path.read_bytes())
    blob[-10] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(FileNotFoundError, match="sha256"):
        load_classifier(data, retrain=False)


def test_quick_and_full_stand_ins_keep_separate_classifiers(data_folder):
    from pacgan_edu.data.cifar10_stand_in import cifar10_stand_in
    from pacgan_edu.tasks.cifar10 import _classifier_path
    small, larger = cifar10_stand_in(100, 20), cifar10_stand_in(200, 20)
    assert _classifier_path(small) != _classifier_path(larger)
    assert _classifier_path(small).parent == _classifier_path(larger).parent


def test_cifar10_trains_through_the_one_loop_with_packing(data_folder):
    from pacgan_edu.tasks.cifar10 import METRICS, cifar10_preset
    config = cifar10_preset("quick", steps=4, eval_every=4, eval_samples=60)
    trainer = GANTrainer(config, packs=[1, 2], seeds=[0], device="cpu").run(progress=False)
    assert trainer.generate().shape == (2, 60, 3, 32, 32)
    rows = trainer.results()
    assert {r["pack"] for r in rows} == {1, 2} and all(set(METRICS) <= set(r) for r in rows)
    assert all(1 <= r["classes_covered"] <= 10 and 0 <= r["kl_to_uniform"] <= math.log(10) + 1e-9 for r in rows)
    lone = GANTrainer(config, packs=[2], seeds=[0], device="cpu").run(progress=False)
    torch.testing.assert_close(trainer.generate()[1], lone.generate()[0], rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="unknown CIFAR-10 preset"):
        cifar10_preset("huge")


def one_quick_run(tmp_path, capsys, flag: str) -> tuple[str, dict]:
    """``python -m pacgan_edu cifar10`` with ``flag``, one quick GAN: what it printed, its JSON's settings."""
    out = tmp_path / f"{flag.strip('-')}.json"
    assert main(["cifar10", "--preset", "quick", "--pack", "1", "--seeds", "1", "--steps", "2", "--eval-samples", "60",
                 flag, "--json", str(out)]) == 0
    return capsys.readouterr().out, json.loads(out.read_text())["settings"]


def test_cli_writes_json_that_says_it_is_the_stand_in(data_folder, tmp_path, capsys):
    out = tmp_path / "c.json"
    assert main(["cifar10", "--preset", "quick", "--pack", "1", "2", "--seeds", "2", "--steps", "4",
                 "--eval-samples", "60", "--json", str(out), "--grids", str(tmp_path / "grids")]) == 0
    printed = capsys.readouterr().out
    assert "stand-in for CIFAR-10: preset quick" in printed and "PacDCGAN2" in printed
    assert "the numbers above are on the stand-in, not CIFAR-10" in printed
    document = json.loads(out.read_text())
    assert document["settings"]["data"] == "stand-in for CIFAR-10"
    assert document["settings"]["classifier"]["data"] == "stand-in for CIFAR-10"
    assert {(r["pack"], r["seed"]) for r in document["runs"]} == {(m, s) for m in (1, 2) for s in (0, 1)}
    assert all(r["data"] == "stand-in for CIFAR-10" for r in document["runs"])
    baselines = document["settings"]["baselines"]
    assert [b["label"] for b in baselines] == ["real images", "flat colours", "pixel noise", "one image"]
    assert baselines[3]["classes_covered"] == 1 and all("baseline: " + b["label"] in printed for b in baselines)
    assert len(list((tmp_path / "grids").glob("*.png"))) == 4
    printed, settings = one_quick_run(tmp_path, capsys, "--weak-discriminator")
    assert "preset quick, D at ¼ width" in printed
    assert settings["weak_discriminator"] and settings["architecture"]["discriminator_channels"] == [1, 2, 4]
    assert document["settings"]["weak_discriminator"] is False
    printed, settings = one_quick_run(tmp_path, capsys, "--no-generator-batch-norm")
    assert "preset quick, G without BatchNorm" in printed
    assert settings["generator_batch_norm"] is False and settings["config"]["architecture"] == "tiny-no-bn-g"
    assert settings["architecture"]["generator_batch_norm"] is False
    assert document["settings"]["generator_batch_norm"] is True
    with pytest.raises(SystemExit):
        main(["cifar10", "--preset", "quick", "--fid"])
    assert "weights-inception" in capsys.readouterr().err


def test_cifar10_table_shows_mean_and_se_per_pack_and_names_the_stand_in():
    from pacgan_edu.tasks.cifar10_table import cifar10_table
    metrics = dict(kl_to_uniform=0.5, js_to_real=0.1, precision=0.5, recall=0.5, density=1.0, coverage=0.5)
    runs = [dict(dataset="cifar10-stand-in", pack=m, seed=s, classes_covered=c, **metrics) for m, s, c in
            [(1, 0, 2), (1, 1, 4), (2, 0, 9), (2, 1, 9)]]
    table = cifar10_table(runs, "stand-in for CIFAR-10", "quick, 4 steps")
    assert "stand-in for CIFAR-10: quick, 4 steps; mean ± s.e. over seeds" in table
    lines = table.splitlines()
    gan, pac = next(l for l in lines if l.startswith("DCGAN (m=1)")), next(l for l in lines if l.startswith("PacDCGAN2"))
    assert "3.0 ± 1.0" in gan and "9.0 ± 0.0" in pac
    assert "m = 2: classes covered +6.0 ± 1.0" in table   # paired by seed: 9 − 2 and 9 − 4
    assert table.count("(2 seeds: too few to call)") == 1
    three = runs + [dict(runs[0], seed=2), dict(runs[2], seed=2)]
    assert "too few" not in cifar10_table(three, "stand-in for CIFAR-10", "3 seeds")
    assert "FID" not in lines[1] and table.endswith("the numbers above are on the stand-in, not CIFAR-10")
    real = cifar10_table([dict(r, fid=30.0 + r["seed"]) for r in runs], "CIFAR-10", "paper")
    assert "FID" in real.splitlines()[1] and "30.5 ± 0.5" in real and "stand-in" not in real


def test_baseline_samples_are_what_their_names_say():
    from pacgan_edu.tasks.cifar10_baselines import BASELINES, baseline_samples
    real = torch.rand(6, 3, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1
    samples = baseline_samples(real, torch.Generator().manual_seed(1))
    assert list(samples) == list(BASELINES) and all(s.shape == real.shape for s in samples.values())
    assert torch.equal(samples["real images"], real)
    assert all(torch.equal(image, real[0]) for image in samples["one image"])
    flat = samples["flat colours"]
    assert torch.equal(flat, flat[:, :, :1, :1].expand_as(flat)) and flat[:, :, 0, 0].unique().numel() == 18
    noise = samples["pixel noise"]
    assert noise.min() >= -1 and noise.max() <= 1 and noise.std() > 0.5
    with pytest.raises(ValueError, match="expected real images"):
        baseline_samples(real[0], torch.Generator())


def test_baseline_scores_rank_a_perfect_generator_above_total_collapse(data_folder):
    import math
    from pacgan_edu.tasks.cifar10 import Cifar10Task, cifar10_preset
    rows = {r["label"]: r for r in Cifar10Task(cifar10_preset("quick")).baseline_scores(200)}
    assert rows["one image"]["classes_covered"] == 1
    assert rows["one image"]["kl_to_uniform"] == pytest.approx(math.log(10))
    assert rows["real images"]["kl_to_uniform"] < 0.5 < rows["one image"]["kl_to_uniform"]
    assert rows["real images"]["recall"] > rows["one image"]["recall"]
    assert sum(rows["flat colours"]["class_shares"]) == pytest.approx(1.0)


def test_cifar10_table_prints_the_baselines_under_the_gans():
    from pacgan_edu.tasks.cifar10_table import cifar10_table
    metrics = dict(classes_covered=3, kl_to_uniform=0.5, js_to_real=0.1, precision=0.5, recall=0.5, density=1.0, coverage=0.5)
    runs = [dict(dataset="cifar10-stand-in", pack=m, seed=s, **metrics) for m in (1, 2) for s in (0, 1, 2)]
    table = cifar10_table(runs, "stand-in for CIFAR-10", "x", [dict(metrics, label="flat colours", classes_covered=6)])
    lines = table.splitlines()
    flat = next(l for l in lines if l.startswith("baseline: flat colours"))
    assert flat.split()[3] == "6.0" and "±" not in flat
    assert lines.index(flat) > next(i for i, l in enumerate(lines) if l.startswith("PacDCGAN2"))


def test_long_tail_counts_fall_geometrically_to_one_tenth():
    from pacgan_edu.data.long_tail import long_tail_counts
    assert long_tail_counts(1000) == [1000, 774, 599, 464, 359, 278, 215, 166, 129, 100]
    assert long_tail_counts(50, classes=3, ratio=1) == [50, 50, 50]
    assert long_tail_counts(100, classes=2, ratio=4) == [100, 25]
    for bad in (0.5, 1000, True):
        with pytest.raises(ValueError, match="ratio must be a number in"):
            long_tail_counts(100, ratio=bad)


def test_long_tailed_stand_in_keeps_the_label_and_cuts_train_and_test_alike():
    import numpy as np
    from pacgan_edu.data.cifar10_stand_in import cifar10_stand_in
    from pacgan_edu.data.long_tail import long_tail, long_tail_counts
    data = cifar10_stand_in(500, 200)
    tail = long_tail(data)
    assert np.bincount(tail.train_labels, minlength=10).tolist() == long_tail_counts(50)
    assert np.bincount(tail.test_labels, minlength=10).tolist() == long_tail_counts(20)
    assert tail.label == "stand-in for CIFAR-10, long-tailed 10:1" and "long-tailed subset" in tail.source
    # a subset of the source's images with their own labels, drawn the same way every time
    source = {(img.tobytes(), int(lab)) for img, lab in zip(data.train_images, data.train_labels)}
    assert all((img.tobytes(), int(lab)) in source for img, lab in zip(tail.train_images, tail.train_labels))
    again = long_tail(data)
    assert np.array_equal(tail.train_images, again.train_images) and np.array_equal(tail.test_labels, again.test_labels)
    assert not np.array_equal(long_tail(data, seed=1).train_images, tail.train_images)


def test_classes_covered_is_measured_against_the_real_shares():
    from pacgan_edu.data.long_tail import long_tail_counts
    counts = torch.tensor(long_tail_counts(1000), dtype=torch.float64)
    real = counts / counts.sum()
    labels = torch.repeat_interleave(torch.arange(10), counts.long())
    assert cm.coverage_metrics(labels, real)["classes_covered"] == 10     # as the real data: all kept
    assert cm.coverage_metrics(labels, real)["js_to_real"] == pytest.approx(0.0, abs=1e-12)
    dropped = labels[labels < 8]                                          # the two rarest classes lost
    assert cm.coverage_metrics(dropped, real)["classes_covered"] == 8
    # the rarest class (2.4 %) counts from half its share, 1.2 %, where uniform real data would need 5 %
    rare = torch.cat([torch.zeros(987, dtype=torch.long), torch.full((13,), 9)])
    assert cm.classes_covered(cm.class_histogram(rare), real) == 2
    assert cm.classes_covered(cm.class_histogram(rare)) == 1


def test_long_tailed_task_trains_on_the_subset_and_scores_with_the_balanced_classifier(data_folder, tmp_path, capsys):
    from pacgan_edu.tasks.cifar10 import cifar10_preset
    config = cifar10_preset("quick", long_tail=True, steps=2, eval_every=2, eval_samples=60)
    assert config.dataset == "cifar10-stand-in-lt"
    trainer = GANTrainer(config, packs=[1], seeds=[0], device="cpu").run(progress=False)
    task = trainer.task
    assert task.label == "stand-in for CIFAR-10, long-tailed 10:1"
    assert task.classifier(trainer.device).metadata["data"] == "stand-in for CIFAR-10"   # balanced: no prior
    shares = task.real_class_shares()
    assert float(shares[0]) == pytest.approx(10 * float(shares[9]), rel=0.15) and bool((shares[:-1] >= shares[1:]).all())
    printed, settings = one_quick_run(tmp_path, capsys, "--long-tail")
    assert "stand-in for CIFAR-10, long-tailed 10:1: preset quick" in printed
    assert settings["long_tail"] is True and settings["config"]["dataset"] == "cifar10-stand-in-lt"
    assert settings["class_shares_real"] == pytest.approx(shares.tolist())
