"""Notebook 02's Table 1: the committed lecture sweeps read back, and the same shape trained now."""
from __future__ import annotations

import numpy as np
import pytest

from pacgan_edu import preset
from pacgan_edu.metrics import null_baselines
from pacgan_edu.sweep import summarize
from pacgan_edu.table1 import recorded_sweep, train_sweep


@pytest.fixture(scope="module")
def recorded():
    return recorded_sweep(["grid", "ring"])


def test_committed_sweeps_hold_every_run_with_history_samples_and_provenance(recorded):
    for name in ("grid", "ring"):
        runs = [r for r in recorded.runs if r["dataset"] == name]
        assert {(r["pack"], r["seed"]) for r in runs} == {(m, s) for m in (1, 2, 3, 4) for s in range(10)}
        steps = preset("lecture", dataset=name).steps   # the committed file is the current preset's
        assert recorded.steps[name] == steps and all(r["step"] == steps for r in runs)
        final_history = {(r["pack"], r["seed"]) for r in recorded.history if r["dataset"] == name and r["step"] == steps}
        assert len(final_history) == 40
        assert set(recorded.samples[name]) == {"m=1", "m=2", "m=3", "m=4"}
        assert all(np.asarray(v).shape == (1000, 2) for v in recorded.samples[name].values())
        assert 0 < recorded.wall_seconds[name] < 3600
    assert "python -m pacgan_edu toy" in recorded.source
    # the command a reader copies regenerates the committed file, not the scratch path it was run with
    assert "--json data/prerecorded/toy_lecture_grid.json" in recorded.source
    assert "--json data/prerecorded/toy_lecture_ring.json" in recorded.source


def test_regenerating_command_points_json_at_the_committed_file():
    from pacgan_edu.table1 import regenerating_command
    line = "python -m pacgan_edu toy --dataset grid --json '/tmp/my runs/x.json' --seeds 10"
    assert regenerating_command(line, "toy_lecture_grid.json") == (
        "python -m pacgan_edu toy --dataset grid --json data/prerecorded/toy_lecture_grid.json --seeds 10")
    assert regenerating_command("python -m pacgan_edu toy --seeds 2", "f.json") == "python -m pacgan_edu toy --seeds 2"


def test_committed_sweep_json_carries_the_null_baselines_it_was_scored_against():
    from pacgan_edu.prerecorded import load_prerecorded
    for name in ("grid", "ring"):
        document = load_prerecorded(f"toy_lecture_{name}.json")
        stored = document["baselines"][name]
        fresh = null_baselines(name, n=document["settings"]["configs"][name]["eval_samples"])
        for which in ("uniform", "real"):
            for metric in ("modes_captured", "high_quality_fraction", "reverse_kl"):
                assert stored[which][metric]["mean"] == pytest.approx(fresh[which][metric]["mean"])


def test_training_now_gives_the_same_shape(monkeypatch):
    sweep = train_sweep(["ring"], "quick", packs=(1, 2), seeds=range(2), progress=False, device="cpu")
    assert sweep.source == "trained now" and sweep.steps["ring"] == 60
    assert len(sweep.runs) == 4 and {r["pack"] for r in sweep.runs} == {1, 2}
    assert set(sweep.samples["ring"]) == {"m=1", "m=2"} and sweep.samples["ring"]["m=1"].shape == (500, 2)
    assert [s["seeds"] for s in summarize(sweep.runs)] == [2, 2]
