import math

import pytest

from pacgan_edu.sweep import mean_se, paired_differences


def rows(dataset, pack, values):
    return [{"dataset": dataset, "pack": pack, "seed": seed, "modes_captured": v} for seed, v in enumerate(values)]


def test_mean_se_known_values():
    assert mean_se([1, 2, 3]) == {"mean": 2.0, "se": pytest.approx(1 / math.sqrt(3)), "n": 3}
    assert mean_se([5])["se"] == 0.0 and mean_se([])["n"] == 0


def test_paired_differences_cancel_the_shared_seed_effect():
    # seeds differ a lot (10, 20, 30) but m = 2 is always exactly 2 more: the paired s.e. is 0
    runs = rows("grid", 1, [10, 20, 30]) + rows("grid", 2, [12, 22, 32]) + rows("grid", 3, [11, 20, 32])
    out = {d["pack"]: d for d in paired_differences(runs, "modes_captured")}
    assert set(out) == {2, 3}
    assert out[2]["mean"] == pytest.approx(2.0) and out[2]["se"] == pytest.approx(0.0) and out[2]["n"] == 3
    assert out[2]["verdict"] == "clear" and out[3]["verdict"] == "within noise"  # 1.0 vs s.e. 0.58
    assert out[3]["mean"] == pytest.approx(1.0) and out[3]["se"] == pytest.approx(mean_se([1, 0, 2])["se"])


def test_paired_differences_skip_unpaired_seeds_and_keep_datasets_apart():
    runs = rows("grid", 1, [10, 20]) + rows("grid", 2, [11, 25, 99]) + rows("ring", 1, [8]) + rows("ring", 2, [6])
    out = {(d["dataset"], d["pack"]): d for d in paired_differences(runs, "modes_captured")}
    assert out[("grid", 2)]["n"] == 2 and out[("grid", 2)]["mean"] == pytest.approx(3.0)  # seed 2 has no m = 1 run
    assert out[("ring", 2)]["mean"] == pytest.approx(-2.0)
    assert out[("grid", 2)]["verdict"] == "too few seeds"
    assert paired_differences(runs, "modes_captured", baseline_pack=2)[0]["pack"] == 1


def test_paired_differences_group_by_other_keys():
    runs = [{**r, "loss": loss} for loss, shift in (("ns", 1), ("mm", -1))
            for r in rows("ring", 1, [5, 6, 7]) + rows("ring", 2, [5 + shift, 6 + shift, 7 + shift])]
    out = {d["loss"]: d for d in paired_differences(runs, "modes_captured", by=("loss", "dataset"))}
    assert out["ns"]["mean"] == pytest.approx(1.0) and out["mm"]["mean"] == pytest.approx(-1.0)
    assert out["ns"]["dataset"] == "ring"
