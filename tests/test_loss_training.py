"""Every loss trains through the one training loop and the CLI; ensembles stay exact; notebook 04's helpers."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from pacgan_edu import GANTrainer, Member, preset
from pacgan_edu import loss_study as S
from pacgan_edu.__main__ import main as cli_main
from pacgan_edu.losses import loss_names
from pacgan_edu.plots import losses as P

ALL = ["mm", "ns", "mm-nsat", "wgan", "wgan-gp", "lsgan", "hinge"]
STEPS = 6


def quick(**kw):
    return preset("quick", steps=STEPS, eval_every=3, eval_samples=200, **kw)


def assert_finite_run(trainer):
    assert trainer.stopped_reason is None
    assert trainer.step == STEPS
    assert torch.isfinite(trainer.last_d_loss).all() and torch.isfinite(trainer.last_g_loss).all()
    for row in trainer.history:
        assert all(math.isfinite(row[k]) for k in ("modes_captured", "high_quality_fraction", "reverse_kl"))


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("dataset", ["ring", "grid"])
def test_every_loss_trains_with_and_without_packing(name, dataset):
    trainer = GANTrainer(quick(loss=name, dataset=dataset), packs=(1, 2), seeds=(0,), device="cpu").run(progress=False)
    assert_finite_run(trainer)
    assert trainer.critic_steps == trainer.loss.critic_steps
    assert trainer.simultaneous == (trainer.loss.critic_steps == 1)


def test_the_trainer_honours_the_losses_optimiser_and_clipping():
    trainer = GANTrainer(quick(loss="wgan"), packs=(2,), seeds=(0,), device="cpu")
    assert isinstance(trainer.optimizer_d, torch.optim.RMSprop)
    assert trainer.optimizer_d.param_groups[0]["lr"] == pytest.approx(trainer.config.lr_discriminator * 0.5)
    assert trainer.optimizer_settings["kind"] == "rmsprop"
    trainer.run(progress=False)
    assert max(p.abs().max().item() for p in trainer.discriminator_parameters) <= trainer.loss.clip
    gp = GANTrainer(quick(loss="wgan-gp"), device="cpu")
    assert isinstance(gp.optimizer_d, torch.optim.Adam) and gp.optimizer_d.param_groups[0]["betas"] == (0.5, 0.9)
    # an explicit critic_steps in the config wins over the loss's recommendation
    assert GANTrainer(quick(loss="wgan-gp", critic_steps=2), device="cpu").critic_steps == 2


@pytest.mark.parametrize("name", ["wgan-gp", "wgan", "mm-nsat"])
def test_ensemble_member_equals_lone_run(name):
    """Per-member penalty (ε from the member's own stream), per-member clipping and per-member R."""
    config = quick(loss=name, dataset="ring")
    ensemble = GANTrainer(config, packs=(1, 2), seeds=(0, 1), device="cpu").run(progress=False)
    lone = GANTrainer(config, members=[Member(2, 1)], device="cpu").run(progress=False)
    k = ensemble.members.index(Member(2, 1))
    group = next(g for g in ensemble.groups if k in g.members)
    i = group.members.index(k)
    lone_group = lone.groups[0]
    for a, b in zip(group.parameters(), lone_group.parameters()):
        torch.testing.assert_close(a[i], b[0], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(ensemble.generate()[k], lone.generate()[0], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(ensemble.last_d_loss[k], lone.last_d_loss[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ALL)
def test_cli_trains_every_loss(tmp_path, name, capsys):
    out = tmp_path / f"{name}.json"
    code = cli_main(["toy", "--preset", "quick", "--loss", name, "--dataset", "ring", "grid", "--pack", "1", "2",
                     "--seeds", "1", "--steps", str(STEPS), "--json", str(out)])
    assert code == 0
    document = json.loads(out.read_text())
    assert {(r["dataset"], r["pack"]) for r in document["runs"]} == {(d, m) for d in ("ring", "grid") for m in (1, 2)}
    assert all(r["stopped_reason"] is None and math.isfinite(r["reverse_kl"]) for r in document["runs"])
    assert all(c["loss"] == name for c in document["settings"]["configs"].values())
    assert "PacGAN2" in capsys.readouterr().out


def test_cli_as_a_process_and_its_loss_choices(tmp_path):
    out = tmp_path / "gp.json"
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(root)}
    result = subprocess.run([sys.executable, "-m", "pacgan_edu", "toy", "--preset", "quick", "--loss", "wgan-gp",
                             "--dataset", "ring", "--pack", "2", "--seeds", "1", "--steps", "3", "--json", str(out)],
                            capture_output=True, text=True, env=env, cwd=root, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["runs"][0]["pack"] == 2
    bad = subprocess.run([sys.executable, "-m", "pacgan_edu", "toy", "--loss", "nope"], capture_output=True, text=True,
                         env=env, cwd=root, timeout=120)
    assert bad.returncode == 2 and all(n in bad.stderr for n in ALL)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("name", ["wgan-gp", "wgan", "mm-nsat"])
def test_losses_train_on_gpu(name):
    assert_finite_run(GANTrainer(quick(loss=name), packs=(1, 2), seeds=(0,), device="cuda").run(progress=False))


# ---------------------------------------------------------------------------- notebook 04's helpers
@pytest.fixture(scope="module")
def mm_trainer():
    return GANTrainer(quick(loss="mm", dataset="ring"), packs=(1, 3), seeds=(0,), device="cpu").run(progress=False)


def test_batch_weights_on_a_trained_gan(mm_trainer):
    batch = S.batch_weights(mm_trainer, member=1)              # m = 3: each sample carries its pack's verdict
    assert set(batch.weights) == {"mm", "ns", "mm-nsat"}
    n = batch.samples.shape[0]
    assert n % 3 == 0 and batch.logits.shape == (n,)
    assert torch.equal(batch.logits[0::3], batch.logits[1::3])
    torch.testing.assert_close(batch.verdicts, torch.sigmoid(batch.logits))
    torch.testing.assert_close(batch.weights["mm"], -batch.verdicts)
    torch.testing.assert_close(batch.weights["mm-nsat"].sum(), batch.weights["ns"].sum())
    with pytest.raises(ValueError, match="compare losses of the same kind: mm, ns, mm-nsat"):
        S.batch_weights(mm_trainer, losses=["mm", "hinge"])
    with pytest.raises(ValueError, match="member must be an index 0..1"):
        S.batch_weights(mm_trainer, member=5)


def test_weight_trace_and_mode_frequencies_record_during_training():
    trainer = GANTrainer(quick(loss="mm", dataset="grid"), packs=(1, 2), seeds=(0,), device="cpu")
    trace, freq = S.WeightTrace(trainer), S.ModeFrequencies(trainer)
    trainer.run(callback=lambda snap: (trace(snap), freq(snap)), callback_every=2, progress=False)
    assert trace.steps == freq.steps == [0, 2, 4, 6]
    assert freq.frequencies.shape == (4, 2, 25)
    assert (freq.frequencies.sum(-1) <= 1 + 1e-6).all()
    shares = freq.shares
    has_hq = freq.counts.sum(-1) > 0
    torch.testing.assert_close(shares.sum(-1)[has_hq], torch.ones(int(has_hq.sum())))
    assert (shares.sum(-1)[~has_hq] == 0).all()
    verdict = torch.stack(trace.mean_verdict)
    torch.testing.assert_close(-torch.stack(trace.mean_weight["mm"]), verdict)
    torch.testing.assert_close(torch.stack(trace.mean_weight["mm-nsat"]), torch.stack(trace.mean_weight["ns"]))


def test_compare_losses_and_its_figures():
    comparison = S.compare_losses(["ns", "hinge"], datasets=("ring",), packs=(1, 2), seeds=(0, 1), config=quick(),
                                  device="cpu", progress=False)
    assert len(comparison.runs) == 2 * 2 * 2 and {r["loss"] for r in comparison.runs} == {"ns", "hinge"}
    assert all(v is None for v in comparison.stopped.values())
    summary = comparison.summary()
    assert {(s["loss"], s["pack"], s["seeds"]) for s in summary} == {(l, m, 2) for l in ("ns", "hinge") for m in (1, 2)}
    table = comparison.table()
    assert "hinge" in table and "± " in table
    # the null baselines on as many samples as the runs (quick preset: 500), as the last two rows
    from pacgan_edu.metrics import null_baselines
    uniform_row, real_row = table.splitlines()[-2:]
    expected = null_baselines("ring", n=quick().eval_samples)["uniform"]["high_quality_fraction"]["mean"]
    assert uniform_row.startswith("ring     uniform") and f"{100 * expected:5.1f}" in uniform_row
    assert real_row.startswith("ring     real") and "8.0 ± 0.0" in real_row
    effects = comparison.packing_effects("modes_captured")
    final = {(r["loss"], r["pack"], r["seed"]): r["modes_captured"] for r in comparison.runs}
    ns = next(e for e in effects if e["loss"] == "ns")
    assert ns["seeds"] == 2 and ns["difference"] == pytest.approx(
        sum(final[("ns", 2, s)] - final[("ns", 1, s)] for s in (0, 1)) / 2)
    assert ns["verdict"] == "too few seeds"
    figures = [
        P.plot_loss_comparison(comparison.runs, mode_counts={"ring": 8}),
        P.plot_metric_curves(comparison.history, "ring", "modes_captured", n_modes=8),
        P.plot_mode_frequencies([("ns, m = 1", comparison.frequencies[("ns", "ring")], 0)]),
        P.plot_weight_curves(),
    ]
    for fig in figures:
        first = fig.axes[0]
        assert first.get_xlabel() and first.get_ylabel() and first.get_title(), fig
    assert "2 seeds" in figures[0]._suptitle.get_text()
    with pytest.raises(ValueError, match="unknown loss"):
        S.compare_losses(["nope"], config=quick())


def test_batch_and_trace_figures(mm_trainer):
    fig = P.plot_batch_weights(S.batch_weights(mm_trainer))
    assert len([ax for ax in fig.axes if ax.get_title()]) == 4
    trace = S.WeightTrace(mm_trainer)
    fig = P.plot_weight_trace(trace)
    assert fig.axes[0].get_ylabel() and fig.axes[1].get_ylabel() == "mean D(G(z))"


def test_every_registered_loss_is_offered_by_the_cli():
    from pacgan_edu.__main__ import build_parser
    toy = build_parser()._subparsers._group_actions[0].choices["toy"]
    loss_action = next(a for a in toy._actions if a.dest == "loss")
    assert list(loss_action.choices) == loss_names()


def test_loss_comparison_leaves_headroom_above_the_highest_marker():
    """Issue 15: with every seed near the top (quick mode's ring reverse KL, log 8 for most runs)
    the markers sat on the panel's top edge: autoscaling's 5 % margin of the narrow data range
    was taken before the axis was pinned to 0."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    top_kl = math.log(8)
    runs = [{"dataset": "ring", "loss": loss, "pack": m, "seed": seed, "modes_captured": 8 - seed,
             "high_quality_fraction": 0.01 * seed, "reverse_kl": top_kl if m == 2 or seed == 0 else math.log(4)}
            for loss in ("mm", "ns") for m in (1, 2) for seed in (0, 1)]
    fig = P.plot_loss_comparison(runs, mode_counts={"ring": 8})
    FigureCanvasAgg(fig).draw()
    for ax in fig.axes:
        metric = {"modes captured (of 8)": "modes_captured", "high-quality samples (%)": "high_quality_fraction",
                  "reverse KL (nats)": "reverse_kl"}[ax.get_ylabel()]
        # the highest drawn point: a dot, a mean + s.e. (error-bar cap) or the "all modes" line
        tops = [y for line in ax.lines for y in line.get_ydata()] + [
            y for collection in ax.collections for y in collection.get_offsets()[:, 1]]
        highest = max(tops)
        bottom, top = ax.get_ylim()
        assert bottom == 0 and top - highest >= 0.05 * (top - bottom), (metric, highest, top)
        # and in pixels: more than a marker's radius (ms 9 pt) between the highest marker and the edge
        gap = ax.transAxes.transform((0, 1))[1] - ax.transData.transform((0, highest))[1]
        assert gap > 4.5 * fig.dpi / 72, (metric, gap)
        if metric == "reverse_kl":
            assert highest == pytest.approx(top_kl)
