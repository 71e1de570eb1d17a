"""Ensembles side by side (pacgan_edu.parallel): the split changes where members train, never what they learn."""
import threading

import pytest
import torch

from pacgan_edu import GANTrainer, preset
from pacgan_edu.parallel import MIN_WORK_TO_SPLIT, choose_workers, split_seeds, train_split, usable_cores


def config(**overrides):
    # float32: there a member computes the same numbers in any ensemble (bfloat16 products round
    # differently with the batch's shape and thread count: ~1e-3 apart after 20 steps)
    return preset("lecture", **{"dataset": "grid", "steps": 20, "batch_size": 16, "eval_samples": 200,
                                "eval_every": 10, "matmul_precision": "float32", **overrides})


def test_seeds_are_split_into_contiguous_near_equal_chunks():
    assert split_seeds(range(10), 2) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert split_seeds([3, 4, 5], 2) == [[3, 4], [5]]
    assert split_seeds([0], 2) == [[0]]


def test_auto_splits_only_long_cpu_runs_and_explicit_values_are_checked():
    short, long = config(steps=10), config(steps=MIN_WORK_TO_SPLIT)
    assert choose_workers("auto", short, 8, 2, "cpu") == 1
    assert choose_workers("auto", long, 8, 1, "cpu") == 1   # one seed: nothing to split
    assert choose_workers("auto", long, 8, 4, "cpu") == min(usable_cores(), torch.get_num_threads(), 4)
    assert choose_workers(3, short, 8, 2, "cpu") == 2        # never more ensembles than seeds
    for bad in (0, -1, 1.5, True, "two"):
        with pytest.raises(ValueError, match="workers must be an integer >= 1 or 'auto'"):
            choose_workers(bad, short, 8, 2, "cpu")


def test_split_sweep_equals_one_ensemble_and_restores_threads():
    threads = torch.get_num_threads()
    whole = GANTrainer(config(), packs=[1, 2, 4], seeds=[0, 1, 2], device="cpu").run(progress=False)
    parts = train_split(config(), [1, 2, 4], [0, 1, 2], workers=2, device="cpu", progress=False)
    assert torch.get_num_threads() == threads
    assert [sorted({m.seed for m in t.members}) for t in parts] == [[0, 1], [2]]
    split_rows = {(r["pack"], r["seed"]): r for t in parts for r in t.results()}
    assert len(split_rows) == 9
    for row in whole.results():
        other = split_rows[(row["pack"], row["seed"])]
        assert other["step"] == row["step"] == 20
        assert other["modes_captured"] == row["modes_captured"]
        assert other["high_quality_fraction"] == pytest.approx(row["high_quality_fraction"], abs=0.01)
    # the samples themselves: member (m = 4, seed 2) of the whole ensemble vs of the second part
    i = whole.members.index(next(m for m in whole.members if (m.pack, m.seed) == (4, 2)))
    j = parts[1].members.index(next(m for m in parts[1].members if (m.pack, m.seed) == (4, 2)))
    torch.testing.assert_close(whole.generate()[i], parts[1].generate()[j], rtol=1e-4, atol=1e-5)


def test_an_error_in_one_ensemble_stops_the_others_and_reaches_the_caller(monkeypatch):
    original = GANTrainer._train_step
    calls = {"n": 0}
    lock = threading.Lock()

    def failing(self):
        with lock:
            calls["n"] += 1
        if 0 in [m.seed for m in self.members] and self.step == 3:
            raise RuntimeError("boom")
        return original(self)

    monkeypatch.setattr(GANTrainer, "_train_step", failing)
    with pytest.raises(RuntimeError, match="boom"):
        train_split(config(steps=2000), [1], [0, 1], workers=2, device="cpu", progress=False)
    assert calls["n"] < 2000   # the healthy ensemble was asked to stop, it did not run to the end


def test_each_ensemble_runs_with_its_share_of_the_threads(monkeypatch):
    """OpenMP's thread count is per thread: a worker must set its own, or it uses every core."""
    from pacgan_edu.parallel import run_side_by_side, split_trainers

    seen = []

    def record(self, steps=None, **kwargs):
        seen.append(torch.get_num_threads())
        return self

    trainers = split_trainers(config(), [1], [0, 1], 2, "cpu")
    monkeypatch.setattr(GANTrainer, "run", record)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        run_side_by_side(trainers, 1)
        assert torch.get_num_threads() == 2     # the caller's own count is left alone
    finally:
        torch.set_num_threads(before)
    assert seen == [1, 1]
