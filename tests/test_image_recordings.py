"""The Stacked MNIST duel recorded and replayed (pacgan_edu.image_recordings, ReplayPanel on images)."""

import numpy as np
import pytest
import torch

from pacgan_edu import GANTrainer
from pacgan_edu.image_recordings import ImageRecording, record_image_run
from pacgan_edu.recordings import RecordingError, find_recording, load_recording
from pacgan_edu.tasks.stacked_mnist import stacked_mnist_preset
from pacgan_edu.widgets.replay import ReplayPanel


def small_config(steps=4):
    return stacked_mnist_preset("veegan", "quick", steps=steps, batch_size=4, eval_samples=16, eval_every=2)


@pytest.fixture(scope="module")
def recording():
    return record_image_run(small_config(), packs=(1, 2), seed=0, every=2, samples=4, device="cpu")


def test_frames_are_the_generators_images_at_those_steps(recording):
    assert isinstance(recording, ImageRecording)
    assert recording.steps.tolist() == [0, 2, 4] and recording.arrays["samples"].shape[:3] == (3, 2, 4)
    trainer = GANTrainer(small_config(), packs=[1, 2], seeds=[0], device="cpu").run(progress=False)
    expected = trainer.generate(trainer.eval_noise[:, :4]).cpu().clamp(-1, 1)
    torch.testing.assert_close(recording.images(-1), expected, atol=1 / 127.5, rtol=0)   # uint8 rounding
    assert [r["step"] for r in recording.history(1)] == [0, 0, 2, 2]   # the evaluations up to step 2
    assert [r["pack"] for r in recording.rows(-1)] == [1, 2] and "modes" in recording.summary(-1)


def test_round_trip_and_a_damaged_file_says_what_is_wrong(recording, tmp_path):
    path = recording.save(tmp_path / "duel.npz")
    loaded = load_recording(path)
    assert isinstance(loaded, ImageRecording) and loaded.config == small_config()
    assert np.array_equal(loaded.arrays["samples"], recording.arrays["samples"])
    assert loaded.metadata["history"] == recording.metadata["history"]
    # a frame missing from the images but not from the steps
    arrays = dict(recording.arrays, samples=recording.arrays["samples"][:2])
    ImageRecording(arrays, recording.metadata).save(tmp_path / "bad.npz")
    with pytest.raises(RecordingError, match="entry 'samples' has shape"):
        load_recording(tmp_path / "bad.npz")
    unknown = dict(recording.metadata, kind="video")
    ImageRecording(recording.arrays, unknown).save(tmp_path / "video.npz")
    with pytest.raises(RecordingError, match="kind is 'video'; valid kinds: 2d, images"):
        load_recording(tmp_path / "video.npz")


def test_the_replay_panel_plays_an_image_duel_without_a_browser(recording, monkeypatch):
    from pacgan_edu.widgets import replay as replay_module

    monkeypatch.setattr(replay_module, "live_frontend", lambda: True)
    panel = ReplayPanel(recording)
    first = panel.image.value
    assert panel.image.format == "png" and first[:8] == b"\x89PNG\r\n\x1a\n"
    panel.play.value = 2                       # the Play widget drives the slider (a kernel-side link)
    assert panel.index == 2 and panel.image.value != first
    assert "replay of a recorded run" in panel.status.value and "step 4 / 4" in panel.status.value
    assert panel.last_error is None


def test_the_committed_duel_shows_packing_on_a_cpu():
    """The recording notebook 06 plays on a CPU: at its last frame PacDCGAN2 holds far more modes
    than DCGAN (the live duel needs ~1,000 steps for that: minutes on a CPU)."""
    duel = load_recording(find_recording("stacked_mnist_duel"))
    assert isinstance(duel, ImageRecording) and duel.config.dataset == "stacked-mnist-veegan"
    rows = {row["pack"]: row for row in duel.rows(-1)}
    assert rows[2]["modes_captured"] >= 10 * max(rows[1]["modes_captured"], 1)
    assert duel.provenance["device"] == "cpu" and duel.provenance["steps_done"] == int(duel.steps[-1])


def test_the_record_command_records_a_duel(tmp_path, capsys):
    from pacgan_edu.__main__ import main

    out = tmp_path / "duel.npz"
    assert main(["record", "--dataset", "stacked-mnist-veegan", "--preset", "quick", "--steps", "2", "--every", "1",
                 "--seed", "0", "--device", "cpu", "--out", str(out)]) == 0
    loaded = load_recording(out)
    assert loaded.steps.tolist() == [0, 1, 2]
    assert "--dataset stacked-mnist-veegan" in loaded.provenance["command"]
    assert "wrote" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["record", "--dataset", "stacked-mnist-veegan", "--preset", "pair", "--out", str(out)])
    assert "--preset for Stacked MNIST must be one of paper, lecture, quick" in capsys.readouterr().err
