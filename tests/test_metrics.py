import math

import pytest
import torch

from pacgan_edu.data import grid, ring
from pacgan_edu.metrics import grid_divergences, high_quality_fraction, mixture_metrics, mode_counts, modes_captured, reverse_kl


def test_exactly_three_of_twenty_five_modes():
    g = grid()
    samples = g.means[[0, 7, 19]].repeat(100, 1)            # 300 samples, 100 on each of 3 modes
    result = mixture_metrics(samples, g)
    assert result["modes_captured"].item() == 3
    assert result["high_quality_fraction"].item() == pytest.approx(1.0)
    assert result["reverse_kl"].item() == pytest.approx(math.log(25 / 3), abs=1e-5)


def test_high_quality_threshold_is_three_standard_deviations():
    r = ring()
    direction = torch.tensor([[0.0, 1.0]])                  # tangent at mode (1, 0): nearest mode stays mode 0
    inside = r.means[:1] + 2.9 * r.std * direction
    outside = r.means[:1] + 3.1 * r.std * direction
    assert high_quality_fraction(inside, r).item() == 1.0
    assert high_quality_fraction(outside, r).item() == 0.0
    assert modes_captured(outside, r).item() == 0


def test_uniform_coverage_has_zero_reverse_kl_and_junk_lowers_quality():
    g = grid()
    covered = g.means.repeat(4, 1)                            # 100 samples, 4 per mode
    junk = torch.full((100, 2), 1.0)                          # between modes: never high quality
    samples = torch.cat([covered, junk])
    assert reverse_kl(samples, g).item() == pytest.approx(0.0, abs=1e-6)
    assert high_quality_fraction(samples, g).item() == pytest.approx(0.5)
    assert modes_captured(samples, g).item() == 25


def test_no_high_quality_sample_reports_the_worst_case():
    r = ring()
    result = mixture_metrics(torch.zeros(10, 2), r)
    assert result["modes_captured"].item() == 0
    assert result["reverse_kl"].item() == pytest.approx(math.log(8))


def test_batched_members_equal_one_at_a_time():
    g = grid()
    gen = torch.Generator().manual_seed(0)
    members = torch.stack([g.sample(500, gen), g.means[:2].repeat(250, 1), torch.randn(500, 2, generator=gen)])
    batched = mixture_metrics(members, g)
    for k in range(3):
        single = mixture_metrics(members[k], g)
        for name in batched:
            assert batched[name][k].item() == pytest.approx(single[name].item())
    assert torch.equal(mode_counts(members, g)[1], mode_counts(members[1], g))


def test_grid_divergence_separates_real_from_collapsed():
    r = ring()
    real = r.sample(5000, torch.Generator().manual_seed(1))
    collapsed = r.means[:1].repeat(5000, 1)
    js_real = grid_divergences(real, r)["js"].item()
    js_collapsed = grid_divergences(collapsed, r)["js"].item()
    assert 0 <= js_real < 0.05
    assert js_collapsed > 0.5 and js_collapsed <= math.log(2) + 1e-9


def test_wrong_shapes_are_rejected():
    with pytest.raises(ValueError, match="shape"):
        mixture_metrics(torch.zeros(5), grid())
    with pytest.raises(ValueError, match="dims"):
        mixture_metrics(torch.zeros(5, 3), grid())


# ------------------------------------------------------------------------------ null baselines
from pacgan_edu.data import GaussianMixture  # noqa: E402
from pacgan_edu.data.mixtures import view_extent  # noqa: E402
from pacgan_edu.metrics import (  # noqa: E402
    baseline_region, beats_baseline, null_baselines, uniform_baseline_samples)


def within(stats, expected, k=3.0):
    """|mean − expected| within k standard errors (and the s.e. is a real one)."""
    assert stats["se"] > 0
    return abs(stats["mean"] - expected) <= k * stats["se"]


def test_the_trivial_generators_region_is_the_plotted_box_or_the_modes_circle():
    assert baseline_region("grid")["shape"] == "box"
    assert baseline_region(grid())["extent"] == pytest.approx((-5.2, 5.2, -5.2, 5.2))
    assert baseline_region(grid())["extent"] == view_extent(grid())
    assert baseline_region("ring") == {**baseline_region("ring"), "shape": "circle", "radius": pytest.approx(1.0)}
    assert baseline_region(ring(modes=6, radius=2.5))["radius"] == pytest.approx(2.5)
    assert baseline_region(GaussianMixture([[0, 0], [1, 0], [0, 2]], 0.1))["shape"] == "box"
    assert baseline_region(GaussianMixture([[1, 0], [-1, 0]], 0.1))["shape"] == "box"  # 2 points: no circle
    rng = torch.Generator().manual_seed(0)
    on_ring = uniform_baseline_samples(ring(radius=2.0), 4000, rng)
    assert on_ring.shape == (4000, 2) and torch.allclose(on_ring.norm(dim=1), torch.full((4000,), 2.0))
    angles = torch.atan2(on_ring[:, 1], on_ring[:, 0])
    assert angles.min() < -3.1 and angles.max() > 3.1                      # the whole circle
    in_box = uniform_baseline_samples("grid", 4000, rng)
    assert in_box.abs().max() <= 5.2 and in_box.abs().max() > 5.1           # the whole box, no more


def test_uniform_over_the_grids_box_matches_the_closed_form():
    # each mode's 3σ disc lies inside the box, so a uniform point is high quality for mode k with
    # p = π(3σ)²/area, and mode k is captured by n points with probability 1 − (1 − p)ⁿ ≈ 1 − e^(−np)
    g = grid()
    n = 2500
    p = math.pi * (3 * g.std) ** 2 / 10.4 ** 2
    found = null_baselines(g, n=n, draws=200)["uniform"]
    assert 25 * (1 - math.exp(-n * p)) == pytest.approx(20.12, abs=0.01)
    assert within(found["modes_captured"], 25 * (1 - math.exp(-n * p)))
    assert within(found["high_quality_fraction"], 25 * p)


def test_uniform_small_n_captures_a_fractional_number_of_modes_as_predicted():
    custom = GaussianMixture([[0, 0], [1, 0], [0, 2]], 0.1)   # box [−0.5, 1.5] × [−0.5, 2.5], area 6
    n = 20
    p = math.pi * (3 * custom.std) ** 2 / 6.0
    expected = 3 * (1 - (1 - p) ** n)
    assert expected == pytest.approx(1.857, abs=0.001)       # clearly not a whole number
    found = null_baselines(custom, n=n, draws=2000)["uniform"]
    assert within(found["modes_captured"], expected)
    assert within(found["high_quality_fraction"], 3 * p)


def test_uniform_on_the_ring_captures_every_mode_with_few_high_quality_samples():
    # a point at angle θ on the circle of radius r is 2r·sin(|θ − θ_k|/2) from mode k: within 3σ
    # for |θ − θ_k| ≤ 2·arcsin(3σ/(2r)); 8 such disjoint arcs of width 4·arcsin(3σ/(2r)) out of 2π
    r = ring()
    hq = 8 * 4 * math.asin(3 * r.std / 2) / (2 * math.pi)
    assert hq == pytest.approx(0.0764, abs=1e-4)
    found = null_baselines(r, n=2500, draws=200)["uniform"]
    assert found["modes_captured"]["mean"] == 8.0
    assert within(found["high_quality_fraction"], hq)
    assert found["reverse_kl"]["mean"] < 0.05   # even spread: reverse KL cannot tell it from a good GAN


@pytest.mark.parametrize("dataset", ["ring", "grid"])
def test_real_samples_are_the_ceiling(dataset):
    found = null_baselines(dataset, n=2500, draws=50)["real"]
    modes = 8 if dataset == "ring" else 25
    assert found["modes_captured"] == {"mean": modes, "se": 0.0, "n": 50}
    assert found["high_quality_fraction"]["mean"] >= 0.98
    assert within(found["high_quality_fraction"], 1 - math.exp(-4.5))   # P(χ²₂ ≤ 9): 98.9 %
    assert found["reverse_kl"]["mean"] < 0.01


def test_beats_baseline_knows_which_way_is_better_and_what_noise_is():
    uniform = null_baselines("grid")["uniform"]
    modes, hq, kl = uniform["modes_captured"], uniform["high_quality_fraction"], uniform["reverse_kl"]
    assert beats_baseline(24.0, 0.3, modes, "modes_captured")
    assert not beats_baseline(modes["mean"] + 0.5, 0.3, modes, "modes_captured")   # within noise
    assert not beats_baseline(10.0, 0.3, modes, "modes_captured")                  # worse
    assert beats_baseline(0.5, 0.1, hq, "high_quality_fraction")
    assert not beats_baseline(0.0, 0.0, hq, "high_quality_fraction")
    assert beats_baseline(0.05, 0.01, kl, "reverse_kl")                            # lower is better
    assert not beats_baseline(1.5, 0.01, kl, "reverse_kl")
    # beyond noise = more than 2 × the combined standard error
    base = {"mean": 10.0, "se": 0.3}
    assert beats_baseline(11.01, 0.4, base, "modes_captured") and not beats_baseline(10.99, 0.4, base, "modes_captured")
    assert beats_baseline(8.99, 0.4, base, "reverse_kl") and not beats_baseline(9.01, 0.4, base, "reverse_kl")
    assert not beats_baseline(math.nan, 0.0, base, "modes_captured")
    with pytest.raises(ValueError, match="unknown metric"):
        beats_baseline(1.0, 0.0, base, "accuracy")


def test_null_baselines_are_cached_and_reproducible():
    first = null_baselines("grid", n=500, draws=5, seed=3)
    assert null_baselines(grid(), n=500, draws=5, seed=3) is first       # same contents, same cache entry
    assert null_baselines("grid", n=500, draws=5, seed=4) is not first
    assert null_baselines("grid", n=500, draws=5, seed=4)["uniform"] != first["uniform"]
    assert null_baselines(grid(std=0.1), n=500, draws=5, seed=3) is not first  # a different mixture
    assert set(first) == {"uniform", "real"}
    assert set(first["uniform"]) == {"modes_captured", "high_quality_fraction", "reverse_kl"}
    assert first["uniform"]["modes_captured"]["n"] == 5
    with pytest.raises(ValueError, match="draws"):
        null_baselines("grid", draws=0)
    with pytest.raises(ValueError, match="unknown 2D dataset"):
        null_baselines("spiral")
