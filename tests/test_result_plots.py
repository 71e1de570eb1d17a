"""Result figures and the live frame: they draw the numbers they are given, labelled."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.patches import Circle, Rectangle

from pacgan_edu import GANTrainer, preset
from pacgan_edu import probes
from pacgan_edu.data import grid, ring
from pacgan_edu.paper_results import table1_row
from pacgan_edu.plots import results as R
from pacgan_edu.plots.training import TrainingFigure, plot_training_frame, training_figure
from pacgan_edu.sweep import summarize


def fake_runs(seeds=4):
    """Per-seed rows with known values: modes = 10 + 3m + seed (grid), 4 + m (ring)."""
    rows = []
    for dataset in ("ring", "grid"):
        for m in (1, 2, 3, 4):
            for seed in range(seeds):
                modes = 10 + 3 * m + seed if dataset == "grid" else min(8, 4 + m)
                rows.append({"dataset": dataset, "pack": m, "seed": seed, "step": 100, "modes_captured": modes,
                             "high_quality_fraction": 0.5 + 0.1 * m, "reverse_kl": 1.0 / m})
    return rows


def fake_history(seeds=3, steps=(0, 50, 100)):
    return [{"dataset": "grid", "pack": m, "seed": s, "step": t, "modes_captured": m * t / 10 + s,
             "high_quality_fraction": 0.5, "reverse_kl": 1.0} for m in (1, 2) for s in range(seeds) for t in steps]


def labelled(ax):
    return bool(ax.get_title()) and bool(ax.get_xlabel()) and bool(ax.get_ylabel())


def test_coverage_bars_are_the_means_with_every_seed_and_the_paper():
    runs = fake_runs()
    fig = R.plot_coverage(runs)
    ring_ax, grid_ax = fig.axes
    assert "4 seeds" in grid_ax.get_title() and labelled(grid_ax)
    bars = [p for p in grid_ax.patches if isinstance(p, Rectangle) and p.get_gid() is None]  # not the baseline bands
    assert [b.get_height() for b in bars] == pytest.approx([10 + 3 * m + 1.5 for m in (1, 2, 3, 4)])
    seed_dots = [c for c in grid_ax.collections if len(c.get_offsets()) == 4]
    assert len(seed_dots) == 4  # one dot per seed, per m
    labels = grid_ax.get_legend_handles_labels()[1]
    assert any("paper" in label for label in labels) and any("one seed" in label for label in labels)
    paper_means = sorted(line.get_ydata()[0] for line in grid_ax.lines if line.get_marker() == "D")
    assert paper_means == pytest.approx(sorted(table1_row("grid", m)["modes_captured"][0] for m in (1, 2, 3, 4)))


def bars_under_legends(fig):
    """(legend, bar) pairs whose drawn extents overlap, after drawing ``fig`` with Agg."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.container import BarContainer

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    bars = [bar for ax in fig.axes for container in ax.containers if isinstance(container, BarContainer)
            for bar in container]
    assert legends and bars
    return [(legend, bar) for legend in legends for bar in bars
            if legend.get_window_extent(renderer).overlaps(bar.get_window_extent(renderer))]


@pytest.mark.parametrize("kwargs", [{}, {"datasets": "ring", "baselines": False}, {"metric": "reverse_kl"}])
def test_coverage_legend_covers_no_bar(kwargs):
    """Issue 15: the legend (loc="best") sat on the m = 1 bar; it now goes under the axes."""
    runs = [dict(r, modes_captured=8 if r["dataset"] == "ring" else 25) for r in fake_runs()]  # full-height bars
    assert bars_under_legends(R.plot_coverage(runs, **kwargs)) == []


def test_class_coverage_legend_covers_no_bar():
    from pacgan_edu.plots.cifar10 import plot_class_histograms

    classes = [f"class {c}" for c in range(10)]
    shares = np.full(10, 0.02)
    shares[0] = 0.82  # one class takes most samples: the tallest bar is the first, at the left
    runs = [{"pack": m, "seed": s, "class_shares": shares.tolist()} for m in (1, 2, 4) for s in (0, 1)]
    assert bars_under_legends(plot_class_histograms(runs, classes, "test", real_shares=np.full(10, 0.1))) == []


def test_coverage_scales_fractions_to_percent_and_checks_input():
    fig = R.plot_coverage(fake_runs(), "high_quality_fraction", datasets="ring", paper=False)
    (ax,) = fig.axes
    assert [p.get_height() for p in ax.patches if p.get_gid() is None] == pytest.approx([60, 70, 80, 90])
    assert "%" in ax.get_ylabel()
    with pytest.raises(ValueError, match="unknown metric"):
        R.plot_coverage(fake_runs(), "accuracy")
    with pytest.raises(ValueError, match="no rows for dataset"):
        R.plot_coverage(fake_runs(), datasets="stacked_mnist")


def test_metric_curves_draw_the_mean_over_seeds():
    fig = R.plot_metric_curves(fake_history())
    (ax,) = fig.axes
    assert "3 seeds" in ax.get_title() and labelled(ax)
    mean_line = next(line for line in ax.lines if line.get_label() == "m = 2 (mean ± s.e.)")
    assert list(mean_line.get_xdata()) == [0, 50, 100]
    assert list(mean_line.get_ydata()) == pytest.approx([1.0, 11.0, 21.0])  # m t / 10 + mean seed (1)
    thin = [line for line in ax.lines if line.get_label().startswith("_")]
    assert len(thin) >= 6  # 2 packing degrees x 3 seeds


def test_class_curves_name_the_data_and_draw_the_trivial_baselines():
    from pacgan_edu.plots.cifar10 import plot_class_curves
    history = [{"dataset": "cifar10-stand-in", "pack": m, "seed": s, "step": t, "kl_to_uniform": 2.0 / m - t / 1000}
               for m in (1, 2) for s in range(3) for t in (0, 500)]
    baselines = [{"label": "flat colours", "kl_to_uniform": 0.57}, {"label": "one image", "kl_to_uniform": 2.3},
                 {"label": "pixel noise", "kl_to_uniform": 2.3}]
    (ax,) = plot_class_curves(history, "stand-in for CIFAR-10", baselines).axes
    assert ax.get_title() == "stand-in for CIFAR-10:\nKL to uniform during training (3 seeds)" and labelled(ax)
    lines = {line.get_label(): list(line.get_ydata()) for line in ax.lines}
    assert lines["baseline: flat colours"] == [0.57, 0.57] and lines["baseline: one image"] == [2.3, 2.3]
    assert "baseline: pixel noise" not in lines         # it sits on "one image": one line says both
    assert lines["m = 2 (mean ± s.e.)"] == pytest.approx([1.0, 0.5])
    with pytest.raises(ValueError, match="unknown metric"):
        plot_class_curves(history, "x", metric="fid")


def test_table1_figure_puts_ours_beside_the_paper():
    runs = fake_runs()
    fig = R.plot_table1_comparison(runs)
    assert len(fig.axes) == 6 and fig._suptitle is not None
    by_title = {ax.get_title(): ax for ax in fig.axes}
    ring_modes = by_title["ring: modes captured"]
    ours, paper = [c for c in ring_modes.containers]
    ours_y = ours.lines[0].get_ydata()
    assert list(ours_y) == pytest.approx([5, 6, 7, 8])
    assert list(paper.lines[0].get_ydata()) == pytest.approx([table1_row("ring", m)["modes_captured"][0] for m in (1, 2, 3, 4)])
    assert any("4 seeds" in text for text in ring_modes.get_legend_handles_labels()[1])
    hq = by_title["ring: high-quality samples (%)"]
    assert list(hq.containers[0].lines[0].get_ydata()) == pytest.approx([60, 70, 80, 90])
    # summary rows give the same picture
    again = R.plot_table1_comparison(summarize(runs), datasets=["ring"])
    assert len(again.axes) == 3
    assert list(again.axes[0].containers[0].lines[0].get_ydata()) == pytest.approx([5, 6, 7, 8])


def _bands(ax):
    """label -> (low, high) of the baseline bands drawn on ``ax``."""
    return {p.get_label(): (p.get_y(), p.get_y() + p.get_height())
            for p in ax.patches if (p.get_gid() or "").startswith("baseline-")}


@pytest.mark.parametrize("plot", ["coverage", "table1"])
def test_null_baselines_are_bands_at_mean_plus_minus_two_se(plot):
    from pacgan_edu.metrics import null_baselines

    runs = fake_runs()
    if plot == "coverage":
        fig = R.plot_coverage(runs, "high_quality_fraction", eval_samples=500)
        ax = next(a for a in fig.axes if a.get_title().startswith("grid"))
        legend_texts = [t.get_text() for t in ax.get_legend().get_texts()]
    else:
        fig = R.plot_table1_comparison(runs, eval_samples=500)
        ax = next(a for a in fig.axes if a.get_title() == "grid: high-quality samples (%)")
        legend_texts = [t.get_text() for t in fig.legends[0].get_texts()]
        assert not any(a.get_legend() for a in fig.axes)  # one legend below the panels, none over the bars
    uniform_label, real_label = "uniform over the data's extent (trivial)", "real samples (perfect)"
    assert uniform_label in legend_texts and real_label in legend_texts
    bands = _bands(ax)
    expected = null_baselines("grid", n=500)
    for label, which in ((uniform_label, "uniform"), (real_label, "real")):
        stats = expected[which]["high_quality_fraction"]
        low, high = bands[label]
        assert low == pytest.approx(100 * (stats["mean"] - 2 * stats["se"]))
        assert high == pytest.approx(100 * (stats["mean"] + 2 * stats["se"]))
    assert bands[uniform_label][1] < 5 < 95 < bands[real_label][0]  # ~1.6 % vs ~99 %: trivial vs perfect
    hatched = next(p for p in ax.patches if p.get_gid() == "baseline-uniform")
    assert hatched.get_hatch()
    if plot == "coverage":  # the legend sits below the axes, so it cannot cover the m = 1 bar
        fig.canvas.draw()
        legend_box = ax.get_legend().get_window_extent()
        assert legend_box.y1 <= ax.get_window_extent().y0
    no_bands = R.plot_coverage(runs, baselines=False) if plot == "coverage" else \
        R.plot_table1_comparison(runs, baselines=False)
    assert not any(_bands(a) for a in no_bands.axes)


def test_samples_show_mode_centres_and_three_sigma_circles():
    mixture = grid()
    points = mixture.sample(200, torch.Generator().manual_seed(0))
    fig = R.plot_samples(points, mixture, real=points)
    (ax,) = fig.axes
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(circles) == 25 and circles[0].get_radius() == pytest.approx(3 * mixture.std)
    assert labelled(ax) and ax.get_legend() is not None
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        R.plot_samples(np.zeros((5, 3)), mixture)


def test_targets_show_only_real_samples():
    fig = R.plot_targets(["ring", "grid"], n=300)
    ring_ax, grid_ax = fig.axes
    assert "8 modes" in ring_ax.get_title() and "25 modes" in grid_ax.get_title()
    assert len([p for p in grid_ax.patches if isinstance(p, Circle)]) == 25
    labels = grid_ax.get_legend_handles_labels()[1]
    assert "real samples" in labels and "generated samples" not in labels


def test_sample_grid_has_one_panel_per_member():
    mixture = ring()
    samples = torch.stack([mixture.sample(50, torch.Generator().manual_seed(s)) for s in range(7)])
    fig = R.plot_sample_grid(samples, mixture, titles=[f"seed {s}" for s in range(7)], ncols=4, suptitle="7 seeds")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 7 and [ax.get_title() for ax in visible] == [f"seed {s}" for s in range(7)]
    assert fig.legends
    with pytest.raises(ValueError, match="titles"):
        R.plot_sample_grid(samples, mixture, titles=["one"])


@pytest.fixture(scope="module")
def trainer():
    return GANTrainer(preset("quick", dataset="ring", steps=20), packs=[1, 2], seeds=[0], device="cpu").run(progress=False)


def test_live_figure_updates_and_blits_jpeg_frames(trainer):
    real = probes.real_samples(trainer, 100)
    live = TrainingFigure(trainer.task.mixture, views=2, live=True, step_limit=10)
    frames = [probes.probe_frame(trainer, i, real=real, samples=100, resolution=12) for i in range(2)]
    first = live.update(frames).jpeg()
    assert first.startswith(b"\xff\xd8")
    assert live.step_limit == 20  # training went past the curves' range: doubled
    assert "modes: " in live._views[0]["counter"].get_text() and "step 20" in live._views[0]["counter"].get_text()
    trainer.run(4, progress=False)
    frames = [probes.probe_frame(trainer, i, real=real, samples=100, resolution=12) for i in range(2)]
    assert live.update(frames).jpeg() != first  # the blitted frame shows the new state
    with pytest.raises(ValueError, match="2 view"):
        live.update(frames[:1])


def test_static_training_figure_is_labelled(trainer):
    fig = plot_training_frame(trainer, title="ring, quick")
    views = fig.axes[:2]
    assert [ax.get_title() for ax in views] == ["GAN (m = 1), seed 0", "PacGAN (m = 2), seed 0"]
    assert all(labelled(ax) for ax in views)
    assert fig.legends and fig._suptitle.get_text() == "ring, quick"
    curves = [ax for ax in fig.axes if ax.get_ylabel() in ("modes\ncaptured", "high\nquality (%)", "reverse\nKL (nats)")]
    assert len(curves) == 3
    steps = curves[0].lines[0].get_xdata()
    assert list(steps) == [r["step"] for r in trainer.history if r["pack"] == 1]
    with pytest.raises(ValueError, match="views"):
        training_figure([], trainer.task.mixture)


def test_a_remedy_is_named_in_the_view_title():
    trainer = GANTrainer(preset("quick", dataset="ring", remedy="minibatch"), packs=[1], seeds=[3]).run(4, progress=False)
    frame = probes.probe_frame(trainer, 0, samples=60, resolution=8)
    assert frame.remedy == "minibatch"
    fig = training_figure([frame], trainer.task.mixture)
    assert fig.axes[0].get_title() == "GAN + minibatch (m = 1), seed 3"


def test_null_baseline_pictures_show_the_uniform_cloud_beside_real_samples():
    from pacgan_edu.metrics import mixture_metrics, uniform_baseline_samples

    fig = R.plot_null_baselines(("ring", "grid"), n=500, seed=2)
    assert len(fig.axes) == 4 and all(labelled(ax) for ax in fig.axes) and fig._suptitle is not None
    grid_uniform = fig.axes[2]
    rng = torch.Generator().manual_seed(2)
    cloud = uniform_baseline_samples("grid", 500, rng)
    scores = mixture_metrics(cloud, grid())
    assert f"{int(scores['modes_captured'])}/25 modes" in grid_uniform.get_title()   # the picture's own numbers
    (points,) = [c for c in grid_uniform.collections if len(c.get_offsets()) == 500]
    assert np.allclose(points.get_offsets(), cloud.numpy())
    assert "uniform cloud (a trivial generator)" in [t.get_text() for t in fig.legends[0].get_texts()]
