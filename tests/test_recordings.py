"""Record a run once, replay it: the file round trip, its errors, the replay widget and the CLI."""
from __future__ import annotations

import inspect
import json
import zipfile

import numpy as np
import pytest

from pacgan_edu import GANTrainer, preset, probes
from pacgan_edu.__main__ import main
from pacgan_edu import recordings
from pacgan_edu.recordings import Recording, RecordingError, load_recording, record_run

JPEG = b"\xff\xd8\xff"
QUICK = preset("quick", dataset="grid")  # 60 steps
EVERY = 10


@pytest.fixture(scope="module")
def recorded():
    return record_run(QUICK, packs=(1, 2), seed=0, every=EVERY, device="cpu")


@pytest.fixture(scope="module")
def saved(recorded, tmp_path_factory):
    return recorded.save(tmp_path_factory.mktemp("recordings") / "quick_pair.npz")


@pytest.fixture(scope="module")
def loaded(saved):
    return load_recording(saved)


def image(panel) -> bytes:
    return bytes(panel.image.value)  # ipywidgets 8 holds a memoryview, 7 holds bytes


# ------------------------------------------------------------------------------------ recording
def test_frame_settings_are_the_live_panels():
    from pacgan_edu.widgets import training

    assert recordings.SAMPLES == training.PREVIEW_POINTS
    assert recordings.RESOLUTION == training.LIVE_RESOLUTION
    assert recordings.DRAWS == training.LIVE_DRAWS
    assert recordings.ARROWS == inspect.signature(probes.probe_frame).parameters["arrows"].default


def test_frames_at_step_zero_every_k_steps_and_the_end(loaded):
    assert loaded.frames == len(loaded) == 7
    assert loaded.steps.tolist() == [0, 10, 20, 30, 40, 50, 60]
    assert [m.pack for m in loaded.members] == [1, 2] and {m.seed for m in loaded.members} == {0}
    assert loaded.settings["every"] == EVERY and loaded.settings["packs"] == [1, 2]
    assert loaded.settings["seed"] == 0 and loaded.config == QUICK
    # a run whose length is not a multiple of every still ends on its last step
    odd = record_run(preset("quick", steps=25), packs=(1,), every=10, device="cpu")
    assert odd.steps.tolist() == [0, 10, 20, 25]


def test_provenance_says_where_and_when(loaded):
    made = loaded.provenance
    for key in ("pacgan_edu", "torch", "platform", "machine", "torch_threads", "started_at", "wall_seconds", "command"):
        assert made[key] not in (None, ""), key
    assert made["steps_done"] == 60 and made["stopped_reason"] is None and made["wall_seconds"] > 0


def test_the_file_round_trip_keeps_every_frame(recorded, loaded):
    for i in range(recorded.frames):
        for before, after in zip(recorded.frame(i), loaded.frame(i)):
            assert (before.step, before.pack, before.seed) == (after.step, after.pack, after.seed)
            np.testing.assert_array_equal(before.generated, after.generated)
            np.testing.assert_array_equal(before.real, after.real)
            np.testing.assert_array_equal(before.heatmap.values, after.heatmap.values)
            assert before.heatmap.extent == after.heatmap.extent and before.heatmap.label == after.heatmap.label
            np.testing.assert_array_equal(before.arrow_points, after.arrow_points)
            np.testing.assert_array_equal(before.arrow_vectors, after.arrow_vectors)
            assert before.metrics == after.metrics and before.history == after.history
    assert recorded.metadata == loaded.metadata


def test_replayed_frames_are_what_the_trainer_produced(loaded):
    """Rerun the same config and seed without recording: at every frame's step the recorded
    points, metrics, losses, heatmap and arrows are the trainer's (so recording changes nothing)."""
    trainer = GANTrainer(QUICK, packs=[1, 2], seeds=[0], device="cpu")
    real = probes.real_samples(trainer, recordings.SAMPLES)
    seen = {}

    def look(snapshot):
        t = snapshot.trainer
        seen[t.step] = {"rows": t.evaluate(), "losses": np.stack([snapshot.d_loss.numpy(), snapshot.g_loss.numpy()], 1),
                        "frames": [probes.probe_frame(t, k, real=real, samples=recordings.SAMPLES,
                                                      resolution=recordings.RESOLUTION, draws=recordings.DRAWS)
                                   for k in range(2)]}

    look(trainer.snapshot())
    trainer.run(callback=look, callback_every=EVERY, progress=False)
    assert sorted(seen) == loaded.steps.tolist()
    for i, step in enumerate(loaded.steps.tolist()):
        replayed, live = loaded.frame(i), seen[step]
        for frame, truth, row in zip(replayed, live["frames"], live["rows"]):
            assert frame.step == step
            np.testing.assert_allclose(frame.generated, truth.generated, rtol=1e-3, atol=1e-3)  # float16
            np.testing.assert_allclose(frame.heatmap.values, truth.heatmap.values, atol=0.5 / 255 + 1e-6)  # uint8
            np.testing.assert_allclose(frame.arrow_points, truth.arrow_points, rtol=1e-3, atol=1e-3)
            np.testing.assert_allclose(frame.arrow_vectors, truth.arrow_vectors, rtol=2e-3, atol=1e-3)
            np.testing.assert_array_equal(frame.real, truth.real)
            assert frame.metrics == {name: row[name] for name in trainer.task.metric_names}  # exact
            assert [row["step"] for row in frame.history] == loaded.steps[:i + 1].tolist()
        np.testing.assert_array_equal(loaded.arrays["losses"][i], live["losses"])  # NaN at step 0
        expected = [None if np.isnan(v) else float(v) for v in live["losses"][:, 0]]
        assert [r["d_loss"] for r in loaded.rows(i)] == expected


def test_a_recording_is_small(saved, loaded):
    size = saved.stat().st_size
    per_frame = size / loaded.frames       # two GANs, the live panel's points, heatmap and arrows
    assert per_frame < 6_000, per_frame
    # a 30,000-step lecture run at the default spacing stays well under 3 MB
    frames = 30_000 // recordings.default_every(30_000) + 2
    assert 150 <= frames <= 300
    assert frames * per_frame < 3_000_000
    with np.load(saved, allow_pickle=False) as archive:  # plain arrays only, never pickle
        assert archive["generated"].dtype == np.float16 and archive["heatmaps"].dtype == np.uint8
        assert json.loads(str(archive["metadata"]))["format"] == recordings.FORMAT


def test_bad_record_arguments_are_explained():
    with pytest.raises(ValueError, match="every must be an integer >= 1"):
        record_run(QUICK, every=0, device="cpu")
    with pytest.raises(ValueError, match="distinct packing degrees"):
        record_run(QUICK, packs=(2, 2), device="cpu")
    with pytest.raises(ValueError, match="2D mixtures"):
        record_run(preset("quick", dataset="stacked-mnist-veegan"), device="cpu")
    with pytest.raises(ValueError, match="samples must be at most"):
        record_run(QUICK, samples=QUICK.eval_samples + 1, device="cpu")


# ------------------------------------------------------------------------------------ bad files
def rewrite(source, target, change_metadata=None, drop=(), extra=None):
    """A copy of ``source`` with its metadata changed / entries dropped or added."""
    with np.load(source, allow_pickle=False) as archive:
        entries = {key: archive[key] for key in archive.files if key not in drop}
    if change_metadata:
        metadata = json.loads(str(entries["metadata"]))
        change_metadata(metadata)
        entries["metadata"] = np.array(json.dumps(metadata))
    entries.update(extra or {})
    np.savez_compressed(target, **entries)
    return target


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist.*python -m pacgan_edu record"):
        load_recording(tmp_path / "nothing.npz")


def test_a_truncated_file_is_called_truncated(saved, tmp_path):
    data = saved.read_bytes()
    for cut in (len(data) // 2, len(data) - 10):
        bad = tmp_path / "cut.npz"
        bad.write_bytes(data[:cut])
        with pytest.raises(RecordingError, match="truncated, corrupt") as error:
            load_recording(bad)
        assert str(bad) in str(error.value) and "re-record" in str(error.value)


def test_corrupt_bytes_inside_are_caught(saved, tmp_path):
    data = bytearray(saved.read_bytes())
    with zipfile.ZipFile(saved) as archive:  # flip bytes inside the compressed generated points
        info = archive.getinfo("generated.npy")
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    data[middle:middle + 8] = bytes(255 - b for b in data[middle:middle + 8])
    bad = tmp_path / "flipped.npz"
    bad.write_bytes(bytes(data))
    with pytest.raises(RecordingError, match="truncated, corrupt"):
        load_recording(bad)


def test_text_and_npy_files_are_not_recordings(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("these are my lecture notes, not a recording\n")
    with pytest.raises(RecordingError, match="not an .npz archive .*starts with b'these '"):
        load_recording(text)
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    with pytest.raises(RecordingError, match="it is empty"):
        load_recording(empty)
    array = tmp_path / "array.npy"
    np.save(array, np.zeros(3))
    with pytest.raises(RecordingError, match="single .npy array"):
        load_recording(array)


def test_a_foreign_npz_is_named_as_such(saved, tmp_path):
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x=np.arange(3), y=np.ones(2))
    with pytest.raises(RecordingError,
                       match=r"no 'metadata' entry \(it holds x, y\); a recording holds metadata, steps"):
        load_recording(foreign)
    other = rewrite(saved, tmp_path / "other.npz", lambda m: m.update(format="someone-elses-format"))
    with pytest.raises(RecordingError, match="format is 'someone-elses-format', expected 'pacgan-edu-recording'"):
        load_recording(other)
    missing = rewrite(saved, tmp_path / "missing.npz", drop=("heatmaps",))
    with pytest.raises(RecordingError, match="entries heatmaps are missing"):
        load_recording(missing)
    reshaped = rewrite(saved, tmp_path / "reshaped.npz", extra={"steps": np.zeros(3, dtype=np.int64)})
    with pytest.raises(RecordingError, match="entry 'generated' has shape"):
        load_recording(reshaped)
    pickled = rewrite(saved, tmp_path / "pickled.npz", extra={"real": np.array([{"a": 1}], dtype=object)})
    with pytest.raises(RecordingError, match="pickled objects"):
        load_recording(pickled)


def test_a_newer_version_asks_for_an_upgrade(saved, tmp_path):
    newer = rewrite(saved, tmp_path / "newer.npz", lambda m: m.update(version=recordings.VERSION + 1))
    expected = rf"format version {recordings.VERSION + 1}, newer .*versions 1..{recordings.VERSION}.*upgrade"
    with pytest.raises(RecordingError, match=expected):
        load_recording(newer)
    broken = rewrite(saved, tmp_path / "broken.npz", lambda m: m.update(version="one"))
    with pytest.raises(RecordingError, match="version is 'one'; valid versions are 1..1"):
        load_recording(broken)


# ------------------------------------------------------------------------------------ the replay widget
@pytest.fixture
def panel(loaded):
    from pacgan_edu.widgets import ReplayPanel

    return ReplayPanel(loaded, fps=10, dpi=50)


def title(panel) -> str:
    return panel.figure.figure._suptitle.get_text()


def test_replay_starts_on_the_first_frame_and_says_it_is_a_replay(panel, loaded):
    assert image(panel).startswith(JPEG) and panel.index == 0 and panel.step == 0
    assert "replay of a recorded run" in panel.status.value and "frame 1 / 7" in panel.status.value
    assert "step 0 / 60" in panel.status.value
    assert title(panel).lower().startswith("replay of a recorded run")
    assert "step 0 / 60" in title(panel) and "seed 0" in title(panel) and "grid, loss ns" in title(panel)
    assert (panel.slider.min, panel.slider.max) == (panel.play.min, panel.play.max) == (0, loaded.frames - 1)


def test_scrubbing_the_slider_draws_that_frame(panel, loaded):
    first = image(panel)
    panel.slider.value = 3
    assert panel.index == 3 and panel.step == 30 and panel.last_error is None
    third = image(panel)
    assert third != first and third.startswith(JPEG)
    assert "frame 4 / 7" in panel.status.value and "step 30 / 60" in panel.status.value
    row = loaded.rows(3)[1]
    assert f"PacGAN (m = 2), seed 0 at step 30: {row['modes_captured']} / 25 modes" in panel.status.value
    assert "step 30 / 60" in title(panel)
    panel.slider.value = 5
    panel.slider.value = 3
    assert image(panel) == third  # a frame always looks the same, whichever came before
    panel.show(-1)
    assert panel.index == loaded.frames - 1 and "step 60 / 60" in panel.status.value
    with pytest.raises(IndexError, match="0..6"):
        panel.show(7)


def test_play_is_linked_to_the_slider_and_speed_to_its_interval(panel):
    panel.play.value = 4  # what the browser does on each tick
    assert panel.slider.value == 4 and "step 40 / 60" in panel.status.value
    panel.slider.value = 2
    assert panel.play.value == 2
    panel.speed.value = 50  # 20 frames/s
    assert panel.play.interval == 50
    assert dict(panel.speed.options)["1 frame/s"] == 1000


def test_replay_draws_with_the_live_figure(panel, loaded):
    from pacgan_edu.plots.training import TrainingFigure

    assert isinstance(panel.figure, TrainingFigure) and panel.figure.live
    panel.slider.value = 6
    view = panel.figure._views[1]
    np.testing.assert_array_equal(view["fake"].get_offsets(), loaded.frame(6)[1].generated)
    assert "modes:" in view["counter"].get_text() and "step 60" in view["counter"].get_text()


def test_a_failing_frame_is_shown_not_swallowed(panel, monkeypatch):
    monkeypatch.setattr(panel.recording, "frame", lambda i: 1 / 0)
    panel.slider.value = 1
    assert panel.last_error.startswith("ZeroDivisionError") and "error" in panel.status.value


def test_without_a_front_end_display_shows_the_last_frame(panel, quick_env, monkeypatch, capsys):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    panel._ipython_display_()
    assert len(shown) == 1 and isinstance(shown[0], IPython.display.Image)
    assert "at step 60" in capsys.readouterr().out
    fig = panel.static_figure()
    assert fig._suptitle.get_text().lower().startswith("replay of a recorded run")
    assert "step 60 / 60" in fig._suptitle.get_text()


def test_live_display_keeps_the_last_frame_as_the_saved_picture(panel, monkeypatch):
    import base64

    from pacgan_edu.widgets import replay

    shown = []
    monkeypatch.setattr(replay, "live_frontend", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda bundle, raw, display_id: shown.append(bundle))
    on_screen = image(panel)
    panel._ipython_display_()
    picture = base64.b64decode(shown[0]["image/jpeg"])
    assert picture.startswith(JPEG) and picture != on_screen
    assert panel.index == 0 and image(panel) == on_screen
    panel.show(-1)
    assert image(panel) == picture


def test_replay_panel_finds_a_recording_by_name(saved, tmp_path, monkeypatch):
    from pacgan_edu.widgets import replay_panel

    folder = tmp_path / "recordings"
    folder.mkdir()
    (folder / "grid_pair.npz").write_bytes(saved.read_bytes())
    monkeypatch.setattr(recordings, "RECORDINGS_DIR", folder)
    monkeypatch.setenv("PACGAN_EDU_DATA", str(tmp_path / "elsewhere"))
    panel = replay_panel("grid_pair", dpi=40)
    assert panel.recording.frames == 7 and image(panel).startswith(JPEG)
    assert replay_panel(str(saved), dpi=40).recording.frames == 7  # a path works too
    with pytest.raises(FileNotFoundError, match="no recording 'ring_pair'.*available: grid_pair"):
        replay_panel("ring_pair")
    (folder / "grid_pair.npz").unlink()
    with pytest.raises(FileNotFoundError, match="none is there yet.*python -m pacgan_edu record"):
        replay_panel("grid_pair")


# ------------------------------------------------------------------------------------ the CLI
def test_record_command_writes_a_recording(tmp_path, capsys):
    out = tmp_path / "made" / "tiny.npz"
    code = main(["record", "--dataset", "ring", "--pack", "1", "3", "--seed", "2", "--every", "20", "--steps", "40",
                 "--preset", "quick", "--device", "cpu", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    size = out.stat().st_size
    assert f"wrote {out}" in printed and f"{size:,} bytes" in printed and "MB" in printed
    rec = load_recording(out)
    assert rec.steps.tolist() == [0, 20, 40] and [m.pack for m in rec.members] == [1, 3]
    assert rec.settings["seed"] == 2 and rec.settings["preset"] == "quick" and rec.config.dataset == "ring"
    assert rec.provenance["command"].startswith("python -m pacgan_edu record --dataset ring --pack 1 3 --seed 2 "
                                                "--every 20 --preset quick --steps 40")


@pytest.mark.parametrize("argv, message", [
    (["--every", "0"], "--every must be >= 1"),
    (["--steps", "0"], "--steps must be >= 1"),
    (["--pack", "0", "1"], "packing degrees must be >= 1"),
    (["--pack", "1", "1"], "distinct packing degrees"),
    (["--seed", "-1"], "--seed must be >= 0"),
    (["--dataset", "moons"], "invalid choice"),
])
def test_record_command_rejects_bad_arguments(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["record", "--preset", "quick", "--out", str(tmp_path / "x.npz"), *argv])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "x.npz").exists()


def test_record_command_needs_an_output_path(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["record", "--preset", "quick"])
    assert exit_info.value.code == 2 and "--out" in capsys.readouterr().err


def test_recording_is_a_plain_class_of_arrays(loaded):
    assert isinstance(loaded, Recording) and "7 frames" in repr(loaded)
    with pytest.raises(IndexError):
        loaded.frame(loaded.frames)
