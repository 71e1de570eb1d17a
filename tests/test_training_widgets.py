"""The live training panels driven without a browser: click, set values, read the image and status."""
from __future__ import annotations

import time

import pytest
import torch

from pacgan_edu import Member, preset
from pacgan_edu.losses import LOSSES, NonSaturating, register_loss
from pacgan_edu.presets import PAIR_SEED
from pacgan_edu.widgets.training import SideBySidePanel, TrainingPanel

JPEG = b"\xff\xd8\xff"
QUICK = preset("quick")
LONG = preset("quick", steps=100_000)  # never finishes by itself: for Pause


def image(panel) -> bytes:
    return bytes(panel.image.value)  # ipywidgets 8 holds a memoryview, 7 holds bytes


def until(condition, timeout=30.0):
    """Wait for a background thread to make ``condition()`` true (fails the test after ``timeout``)."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


@pytest.fixture
def panel():
    p = TrainingPanel(dataset="grid", pack=1, preset=QUICK, steps_per_frame=5, device="cpu")
    yield p
    p.pause()


def first_layer_inputs(trainer):
    return trainer.groups[0].discriminator.trunk[0].linear.in_features


def test_starts_with_a_frame_of_the_untrained_model(panel):
    assert image(panel).startswith(JPEG)
    assert panel.frames == 1 and panel.trainer.step == 0 and not panel.running
    assert "paused" in panel.status.value and "step 0 / 60" in panel.status.value
    assert panel.last_error is None


def test_play_trains_in_the_background_and_updates_the_image(panel):
    first = image(panel)
    panel.play_button.click()
    assert panel.play_button.description == "Pause"
    assert panel.wait(timeout=60)
    assert panel.trainer.step == QUICK.steps  # stops at the preset's steps
    assert panel.frames >= 3  # the first, at least one while training (the newest chunk), the final one
    assert image(panel) != first and image(panel).startswith(JPEG)
    assert panel.play_button.description == "Play"
    assert f"step {QUICK.steps} / {QUICK.steps}" in panel.status.value and "finished" in panel.status.value
    assert panel.frames_per_second > 0
    # pressing Play again continues for another preset's worth of steps, and the curves' x axis
    # follows (it used to stay at the first run's range, drawing every new point off the chart)
    assert panel.figure.metric_axes[0].get_xlim()[1] == QUICK.steps
    panel.play()
    assert panel.wait(timeout=60) and panel.trainer.step == 2 * QUICK.steps
    assert panel.figure.metric_axes[0].get_xlim()[1] >= 2 * QUICK.steps
    steps_drawn = panel.figure._lines[0][0].get_xdata()
    assert max(steps_drawn) == 2 * QUICK.steps <= panel.figure.metric_axes[0].get_xlim()[1]


def test_pause_stops_training():
    p = TrainingPanel(dataset="ring", preset=LONG, steps_per_frame=2, device="cpu")
    p.play()
    until(lambda: p.frames >= 3)
    p.play_button.click()  # the same button pauses
    assert not p.running
    stopped_at = p.trainer.step
    assert 0 < stopped_at < LONG.steps
    time.sleep(0.3)
    assert p.trainer.step == stopped_at
    assert "paused" in p.status.value and f"step {stopped_at} /" in p.status.value


def test_step_trains_one_frame_synchronously(panel):
    panel.step_button.click()
    assert panel.trainer.step == 5 and panel.frames == 2 and not panel.running
    panel.steps_per_frame.value = 7
    panel.step()
    assert panel.trainer.step == 12


@pytest.mark.parametrize("m", [2, 5])
def test_changing_m_builds_a_fresh_packed_model(panel, m):
    panel.step()
    panel.pack.value = m
    assert panel.last_error is None
    assert panel.trainer.members == [Member(m, PAIR_SEED)] and panel.trainer.step == 0  # the default seed
    assert first_layer_inputs(panel.trainer) == 2 * m  # D reads m points of 2 coordinates
    assert panel.figure.views == 1 and image(panel).startswith(JPEG)
    panel.step()  # the new model trains
    assert panel.trainer.step == 5 and panel.last_error is None


def test_changing_m_while_playing_stops_and_rebuilds():
    p = TrainingPanel(dataset="grid", preset=LONG, steps_per_frame=2, device="cpu")
    p.play()
    until(lambda: p.trainer.step > 0)
    p.pack.value = 3
    assert not p.running and p.trainer.step == 0 and first_layer_inputs(p.trainer) == 6


def test_loss_dataset_lr_and_seed_rebuild(panel):
    panel.step()
    panel.loss.value = "mm"
    assert panel.trainer.loss.name == "mm" and panel.trainer.step == 0
    panel.dataset.value = "ring"
    assert panel.trainer.config.dataset == "ring" and panel.trainer.task.mixture.num_modes == 8
    panel.lr.value = 1e-4
    assert panel.trainer.config.lr_generator == pytest.approx(1e-4) == panel.trainer.config.lr_discriminator
    panel.seed.value = 7
    assert panel.trainer.members == [Member(1, 7)]
    assert panel.last_error is None


def test_loss_menu_lists_every_registered_loss():
    register_loss(NonSaturating(name="test-extra-loss", description="registered by a test"))
    try:
        p = TrainingPanel(preset=QUICK, device="cpu")
        assert set(LOSSES) == set(p.loss.options) and "test-extra-loss" in p.loss.options
    finally:
        LOSSES.pop("test-extra-loss")


def test_reset_restores_the_initial_state(panel):
    initial_image = image(panel)
    initial_weights = [p.detach().clone() for p in panel.trainer.groups[0].generator.parameters()]
    panel.step()
    panel.step()
    assert panel.trainer.step == 10 and image(panel) != initial_image
    panel.reset_button.click()
    assert panel.trainer.step == 0 and panel.frames == 1
    for before, after in zip(initial_weights, panel.trainer.groups[0].generator.parameters()):
        torch.testing.assert_close(before, after)  # same seed: the same starting model
    assert image(panel) == initial_image
    assert panel.pack.value == 1 and panel.seed.value == PAIR_SEED


class ExplodingLoss(NonSaturating):
    """Fails in a training step (the probes never compute D's loss)."""

    def discriminator_loss(self, real_logits, fake_logits):
        raise RuntimeError("the discriminator loss exploded (test)")


@pytest.fixture
def exploding_loss():
    register_loss(ExplodingLoss(name="test-exploding"))
    yield "test-exploding"
    LOSSES.pop("test-exploding")


def test_an_error_in_training_shows_in_the_panel(exploding_loss):
    p = TrainingPanel(loss=exploding_loss, preset=QUICK, device="cpu")
    p.play()
    assert p.wait(timeout=30)
    assert "exploded" in p.last_error and "RuntimeError" in p.last_error
    assert "exploded" in p.status.value and "error" in p.status.value
    p.play_button.click()  # Play refuses until Reset or a new setting, and says so in the panel
    assert not p.running and "press Reset" in p.status.value
    p.loss.value = "ns"
    assert p.last_error is None and "error" not in p.status.value
    p.step()
    assert p.trainer.step == p.steps_per_frame.value == 25   # the panel's default steps per frame


def test_an_error_in_drawing_stops_training_and_shows(monkeypatch):
    p = TrainingPanel(preset=LONG, steps_per_frame=2, device="cpu")

    def broken(frames):
        raise ValueError("cannot draw (test)")
    monkeypatch.setattr(p.figure, "update", broken)
    p.play()
    assert p.wait(timeout=30)  # training stops by itself: the drawer asked it to
    assert "cannot draw" in p.last_error and "cannot draw" in p.status.value
    assert 0 < p.trainer.step < LONG.steps


def test_divergence_is_reported_not_hidden(panel):
    with torch.no_grad():
        for p in panel.trainer.groups[0].discriminator.parameters():
            p.fill_(float("nan"))
    panel.step_button.click()
    assert "diverged" in panel.last_error and "diverged" in panel.status.value


def test_side_by_side_trains_m1_and_mk_on_one_seed():
    p = SideBySidePanel(pack=3, dataset="ring", preset=QUICK, seed=4, steps_per_frame=10, device="cpu")
    assert p.trainer.members == [Member(1, 4), Member(3, 4)] and len(p.trainer.groups) == 1  # one model for both m
    assert p.figure.views == 2 and p.pack.min == 2
    p.play()
    assert p.wait(timeout=60) and p.trainer.step == QUICK.steps and p.last_error is None
    assert "GAN (m = 1), seed 4" in p.status.value and "PacGAN (m = 3), seed 4" in p.status.value
    p.pack.value = 4
    assert p.trainer.members == [Member(1, 4), Member(4, 4)] and p.trainer.step == 0


def test_without_a_front_end_display_trains_and_draws_a_static_figure(quick_env, capsys):
    p = TrainingPanel(preset=QUICK, device="cpu")
    p._ipython_display_()
    assert p.trainer.step == QUICK.steps and not p.running
    assert "after 60 steps" in capsys.readouterr().out
    fig = p.static_figure()
    views = [ax for ax in fig.axes if ax.get_title().startswith("GAN (m = 1)")]
    assert len(views) == 1 and views[0].get_xlabel() and views[0].get_ylabel()
    assert fig.legends and fig._suptitle is not None


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="pack must be an integer in 1..8"):
        TrainingPanel(pack=0, preset=QUICK)
    with pytest.raises(ValueError, match="pack must be an integer in 2..8"):
        SideBySidePanel(pack=1, preset=QUICK)
    with pytest.raises(ValueError, match="2D mixtures"):
        TrainingPanel(dataset="stacked_mnist", preset=QUICK)
    with pytest.raises(ValueError, match="unknown loss"):
        TrainingPanel(loss="nope", preset=QUICK)
    with pytest.raises(ValueError, match="unknown preset"):
        TrainingPanel(preset="huge")


def test_live_display_carries_a_picture_that_follows_the_panel(monkeypatch):
    """Shown live, the output holds the widget *and* a JPEG of the frame; when training ends the
    picture is replaced by the last frame, so a saved notebook reads well on GitHub."""
    import base64

    from pacgan_edu.widgets import frontend, training

    shown, updates = [], []

    class Handle:
        def update(self, bundle, raw):
            updates.append(bundle)

    def fake_display(bundle, raw, display_id):
        assert raw and display_id
        shown.append(bundle)
        return Handle()

    monkeypatch.setattr(training, "live_frontend", lambda: True)
    monkeypatch.setattr("IPython.display.display", fake_display)
    p = TrainingPanel(preset=QUICK, device="cpu", steps_per_frame=20, autoplay=True)
    p._ipython_display_()
    assert p.wait(timeout=60) and p.trainer.step == QUICK.steps
    bundle = shown[0]
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == p.widget.model_id
    assert base64.b64decode(bundle["image/jpeg"]).startswith(JPEG)
    until(lambda: updates)
    assert base64.b64decode(updates[-1]["image/jpeg"]) == image(p) != base64.b64decode(bundle["image/jpeg"])
    assert frontend.widget_bundle(p.widget)["text/plain"].startswith("VBox")


def test_counters_say_what_a_uniform_cloud_would_get(panel):
    from pacgan_edu.metrics import null_baselines

    uniform = null_baselines("grid", n=QUICK.eval_samples)["uniform"]   # the panel's own eval_samples
    note = (f"(uniform cloud: {uniform['modes_captured']['mean']:.0f} modes, "
            f"{100 * uniform['high_quality_fraction']['mean']:.0f}% HQ)")
    assert note in panel.status.value and panel.summary().endswith(note)
    assert note == "(uniform cloud: 7 modes, 2% HQ)"                     # 500 samples on the grid


@pytest.mark.parametrize("remedy", ["minibatch", "feature-matching", "unrolled", "several-generators"])
def test_remedy_menu_rebuilds_with_the_remedy_and_trains_live(panel, remedy):
    before = image(panel)
    panel.remedy.value = remedy
    assert panel.trainer.config.remedy == remedy and panel.trainer.step == 0
    panel.pack.value = 2                                   # and composes with packing
    panel.step()
    assert panel.trainer.step == 5 and panel.last_error is None
    assert image(panel) != before and remedy in panel._title()
    panel.remedy.value = "none"
    assert panel.trainer.config.remedy == "none" and panel.trainer.config.remedy_options == ()


def test_remedy_menu_rejects_what_a_panel_cannot_train():
    with pytest.raises(ValueError, match="AdaGAN trains its GANs one after another"):
        TrainingPanel(remedy="adagan", preset=QUICK)


def test_a_named_preset_brings_its_settings_for_the_chosen_dataset():
    """The lecture preset runs the ring with its own rate and length (presets.DATASET_SETTINGS):
    the panel follows the dataset dropdown, and the rate slider shows the rate that trains,
    unless the student moved it."""
    grid, ring = preset("lecture", dataset="grid"), preset("lecture", dataset="ring")
    assert (grid.lr_generator, grid.steps) != (ring.lr_generator, ring.steps)
    p = TrainingPanel(dataset="grid", pack=2, preset="lecture", device="cpu")
    assert p.trainer.config == grid and p.lr.value == pytest.approx(grid.lr_generator)
    p.dataset.value = "ring"
    assert p.trainer.config == ring and p.target_step == ring.steps
    assert p.lr.value == pytest.approx(ring.lr_generator)
    p.lr.value = 3e-4   # the student's own rate stays, on any dataset
    p.dataset.value = "grid"
    assert p.lr.value == pytest.approx(3e-4)
    assert (p.trainer.config.lr_generator, p.trainer.config.lr_discriminator, p.trainer.config.steps) == \
        (pytest.approx(3e-4), pytest.approx(3e-4), grid.steps)
    assert SideBySidePanel(dataset="ring", preset="lecture", device="cpu").trainer.config == ring
    # a custom config is taken as it is: only its dataset follows the dropdown
    custom = TrainingPanel(dataset="ring", pack=1, preset=grid, device="cpu")
    assert custom.trainer.config == grid.replace(dataset="ring")
